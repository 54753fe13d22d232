r"""
SAGA and SVRG against SGD on sparse logistic regression
=======================================================

Variance-reduced methods converge linearly with a constant step on finite
sums, at a per-iteration cost independent of :math:`n`. We compare them with
proximal SGD and with the proximal gradient method on an
:math:`\ell_1`-regularized logistic regression,

.. math::

    \min_x \frac1n\sum_{i=1}^n \log(1 + e^{-y_i a_i^\top x})
    + \frac{\lambda_2}{2}\|x\|^2 + \lambda_1\|x\|_1,

on the breast cancer data. The nonsmooth term enters through its proximal
operator, the soft-thresholding :func:`optbook.prox.prox_l1`, which all four
methods accept. Cost is measured in sample gradients (a full gradient costs
:math:`n`), the unit in which these methods compete.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.datasets import load_breast_cancer
from optbook.objectives import LogisticRegression
from optbook.prox import prox_l1
from optbook.stochastic import saga, sgd, svrg

optbook.plotting.setup_style()

A, y = load_breast_cancer()
n, d = A.shape
f = LogisticRegression(A, y, lam=1e-2)
lam1 = 1e-2


def prox(x, t):
    return prox_l1(x, lam1 * t)


def F(x):
    return f.value(x) + lam1 * np.abs(x).sum()


x0 = np.zeros(d)

# %%
# Reference solution
# ------------------
# A long run of FISTA with adaptive restart gives :math:`F^\star`.

ref = optbook.fista(f.grad, prox, x0, 1 / f.lipschitz, max_iter=20000, tol=1e-14,
                    restart="gradient")
F_star = F(ref.x)
print(f"F* = {F_star:.6f}, {np.sum(ref.x != 0)} nonzero coefficients out of {d}")

# %%
# Runs
# ----
# The proximal gradient method uses the step :math:`1/L`. The theory of SAGA
# and SVRG asks for steps of order :math:`1/L_{\max}`, where
# :math:`L_{\max} = \max_i \|a_i\|^2/4 + \lambda_2` is the largest smoothness
# constant of the terms; on this data set a few examples have a large norm
# (see the printed constants), which makes these steps very small. We use
# instead steps tuned on a coarse logarithmic grid, as one does in practice:
# :math:`0.03` for SAGA, :math:`0.05` for SVRG (with its default epoch of
# :math:`n` inner iterations and the last iterate as snapshot) and for SGD.
# SAGA's curve starts after one epoch, the cost of filling its table.

L_i = np.sum(A**2, axis=1) / 4 + f.lam
print(f"L = {f.lipschitz:.2f}, L_max = {L_i.max():.1f}, median L_i = {np.median(L_i):.2f}")


def run(solver, *args, **kwargs):
    trace = optbook.Trace(f=F, f_star=F_star, x0=x0)
    res = solver(*args, callback=trace, **kwargs)
    gaps = np.maximum(np.array(trace.values), 1e-16)
    return gaps, res


results = {}
gaps, _ = run(optbook.proximal_gradient, f.grad, prox, x0, 1 / f.lipschitz, max_iter=60)
results["proximal gradient"] = (np.arange(len(gaps)), gaps)
for name, solver, kwargs, epochs in [
    ("prox-SGD", sgd, dict(step=0.05, prox=prox), 60),
    ("prox-SAGA", saga, dict(step=0.03, prox=prox), 59),
    ("prox-SVRG", svrg, dict(step=0.05, prox=prox, full_grad=f.grad), 20),
]:
    gaps, res = run(solver, f.grad_i, x0, n, max_epochs=epochs, rng=0, **kwargs)
    start = 1 if name == "prox-SAGA" else 0
    per_epoch = (res.n_grad_evals / n - start) / res.n_epochs
    results[name] = (start + per_epoch * np.arange(len(gaps)), gaps)

# %%
# Figure
# ------

fig, ax = plt.subplots(figsize=(7, 4.2))
for i, (name, (cost, gaps)) in enumerate(results.items()):
    ax.semilogy(cost, gaps, color=f"C{i}", label=name)
ax.set_xlabel("sample gradients / $n$")
ax.set_ylabel(r"$F(x) - F^\star$")
ax.set_title(r"$\ell_1$-regularized logistic regression, breast cancer data")
ax.legend(loc="lower left")
plt.show()
