r"""
The memory of L-BFGS
====================

L-BFGS (:func:`optbook.second_order.lbfgs`) keeps the last :math:`m` pairs
:math:`(s_i, y_i)`. We solve :math:`\ell_2`-regularized logistic regression on
the digits data for several memories and compare with BFGS, which keeps all
of them in a dense :math:`d \times d` matrix, and with SciPy's L-BFGS-B.
"""

import matplotlib.pyplot as plt
import numpy as np
import scipy.optimize
from scipy.special import expit

import optbook
from optbook.datasets import load_digits
from optbook.objectives import LogisticRegression
from optbook.second_order import bfgs, lbfgs

optbook.plotting.setup_style()

A, y = load_digits(binary=True)
lam = 1e-4
f = LogisticRegression(A, y, lam=lam)
n, d = A.shape
f_star = f.value(f.reference_solution())


def value_and_grad(x):
    m = y * (A @ x)
    return (float(np.mean(np.logaddexp(0, -m))) + 0.5 * lam * float(x @ x),
            -(A.T @ (y * expit(-m))) / n + lam * x)


# %%
# Runs, one evaluation of (f, grad f) per trial point of the line search
# ----------------------------------------------------------------------
x0 = np.zeros(d)
curves = {}
for memory in [1, 3, 10, 30]:
    trace = optbook.Trace(f=f.value, f_star=f_star, x0=x0)
    res = lbfgs(value_and_grad, True, x0, memory=memory, tol=1e-9, callback=trace)
    curves[f"L-BFGS, m = {memory}"] = np.array(trace.values)
    print(f"m = {memory:2d}: {res.nit:4d} iterations, {res.nfev:4d} evaluations")
trace = optbook.Trace(f=f.value, f_star=f_star, x0=x0)
res = bfgs(value_and_grad, True, x0, tol=1e-9, callback=trace)
curves["BFGS"] = np.array(trace.values)
print(f"BFGS: {res.nit} iterations, {res.nfev} evaluations")
values = [f.value(x0) - f_star]


def record(intermediate_result):
    values.append(intermediate_result.fun - f_star)


ref = scipy.optimize.minimize(value_and_grad, x0, jac=True, method="L-BFGS-B", callback=record,
                              options={"gtol": 1e-10, "ftol": 0.0, "maxiter": 3000})
curves["SciPy L-BFGS-B, m = 10"] = np.array(values)
print(f"SciPy L-BFGS-B: {ref.nit} iterations, {ref.nfev} evaluations")

# %%
# Suboptimality
# -------------
fig, ax = plt.subplots(figsize=(6.5, 3.8))
for i, (name, vals) in enumerate(curves.items()):
    ax.semilogy(np.maximum(vals, 1e-16), color=f"C{i}", ls="--" if "SciPy" in name else "-",
                label=name)
ax.set_xlabel("iteration $k$")
ax.set_ylabel(r"$f(x_k) - f^\star$")
ax.set_ylim(1e-15, 1)
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
