r"""
Armijo line search versus a constant step
=========================================

For logistic regression the smoothness constant
:math:`L = \lambda_{\max}(A^\top A)/(4n) + \lambda` assumes the largest
curvature :math:`1/4` at every sample, which the loss only reaches at zero
margins. Gradient descent with the Armijo backtracking line search of
:func:`optbook.first_order.gradient_descent` (``step="armijo"``) finds longer
steps. We compare it with the constant step :math:`1/L`, counting the
evaluations of :math:`f`, on the digits data (is the digit 5 to 9?).
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.datasets import load_digits
from optbook.objectives import LogisticRegression

optbook.plotting.setup_style()

A, y = load_digits(binary=True)
f = LogisticRegression(A, y, lam=1e-2)
L = f.lipschitz
x_star = f.reference_solution()
f_star = f.value(x_star)
x0 = np.zeros(A.shape[1])

# %%
# Runs
# ----
# A wrapper counts the calls to ``f`` made by the line search; the
# :class:`optbook.trace.Trace` evaluates ``f`` separately for the plot.

K = 150
runs = {}
for name, step, kwargs in [
    ("constant 1/L", 1 / L, {}),
    ("Armijo, beta = 0.5", "armijo", {"beta": 0.5}),
    ("Armijo, beta = 0.8", "armijo", {"beta": 0.8}),
]:
    n_evals = [0]

    def value(x, n_evals=n_evals):
        n_evals[0] += 1
        return f.value(x)

    trace = optbook.Trace(f=f.value, f_star=f_star, x0=x0)
    res = optbook.gradient_descent(
        f.grad,
        x0,
        step,
        max_iter=K,
        callback=trace,
        f=value if step == "armijo" else None,
        step0=100 / L,
        **kwargs,
    )
    runs[name] = np.array(trace.values)
    print(
        f"{name:>20}: last step = {res.step * L:.2f}/L, "
        f"evaluations of f: {n_evals[0]}"
    )

# %%
# Figure
# ------
# The line search pays a few extra evaluations of :math:`f` in the first
# iterations, then one per iteration, and converges much faster than the
# constant step.

fig, ax = plt.subplots(figsize=(7, 4))
for name, values in runs.items():
    optbook.plotting.semilogy(
        values, ax=ax, label=name, ylabel=r"$f(x_k) - f^\star$"
    )
k = np.arange(1, K + 1)
ax.semilogy(
    k,
    L * np.sum((x0 - x_star) ** 2) / (2 * k),
    "k--",
    lw=1.2,
    label=r"bound $LR^2/(2k)$ for $1/L$",
)
ax.set_title("Logistic regression on digits: Armijo backtracking")
ax.legend(loc="lower left")
plt.show()
