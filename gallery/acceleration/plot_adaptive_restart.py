r"""
Adaptive restart of FISTA
=========================

FISTA's momentum makes it overshoot on problems that are (locally) strongly
convex. The adaptive restarts of O'Donoghue and Candès reset the momentum when
the objective increases (function scheme) or when the step goes against the
gradient mapping (gradient scheme). We run them on :math:`\ell_1`-regularized
logistic regression on the breast cancer data set.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.datasets import load_breast_cancer
from optbook.objectives import LogisticRegression
from optbook.prox import prox_l1

optbook.plotting.setup_style()

# %%
# The problem
# -----------
#
# .. math::
#
#     F(x) = \frac1n\sum_{i=1}^n \log(1 + e^{-y_i a_i^\top x})
#            + \frac\mu2\|x\|^2 + \lambda\|x\|_1
#
# with :math:`\mu = 10^{-4}` and :math:`\lambda = 10^{-3}`, on 569 samples with
# 30 standardized features; the small ridge term makes
# the problem strongly convex with a large condition number.

A, y = load_breast_cancer()
f = LogisticRegression(A, y, lam=1e-4)
L = f.lipschitz
lam = 1e-3


def prox(x, t):
    return prox_l1(x, lam * t)


def F(x):
    return f.value(x) + lam * np.sum(np.abs(x))


x0 = np.zeros(A.shape[1])
ref = optbook.fista(f.grad, prox, x0, 1 / L, max_iter=100_000, tol=1e-11,
                    restart="gradient")
F_star = F(ref.x)
print(f"kappa <= {L / f.strong_convexity:.0f}, "
      f"{np.count_nonzero(ref.x)} nonzero coefficients")

# %%
# Runs
# ----
# FISTA without restart, with the function scheme (it needs the values of the
# smooth part ``f`` and of the nonsmooth part ``g``) and with the gradient
# scheme (it needs no function value), next to proximal gradient. The result
# of :func:`optbook.first_order.fista` reports the number of restarts.

K = 3000
traces, n_restarts = {}, {}
for restart in [None, "function", "gradient"]:
    name = "no restart" if restart is None else f"{restart} restart"
    traces[name] = optbook.Trace(f=F, f_star=F_star, x0=x0)
    res = optbook.fista(f.grad, prox, x0, 1 / L, max_iter=K, restart=restart,
                        f=f.value, g=lambda x: lam * np.sum(np.abs(x)),
                        callback=traces[name])
    n_restarts[name] = res.n_restarts
traces["proximal gradient"] = optbook.Trace(f=F, f_star=F_star, x0=x0)
optbook.proximal_gradient(f.grad, prox, x0, 1 / L, max_iter=K,
                          callback=traces["proximal gradient"])
print("number of restarts:", n_restarts)

# %%
# Figure
# ------

fig, ax = plt.subplots(figsize=(7, 4))
for name, trace in traces.items():
    values = np.asarray(trace.values)
    label = name
    if n_restarts.get(name):
        label += f" ({n_restarts[name]} restarts)"
    # the function scheme overlaps the gradient scheme: dashed
    style = "--" if name == "function restart" else "-"
    ax.semilogy(np.where(values > 0, values, np.nan), style, label=label)
ax.set_xlabel("iteration $k$")
ax.set_ylabel(r"$F(x_k) - F^\star$")
ax.set_title(r"$\ell_1$-logistic regression (breast cancer): restarting FISTA")
ax.legend(loc="upper right")
plt.show()
