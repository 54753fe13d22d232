r"""
Step-size sensitivity of gradient descent
=========================================

How much does the step size :math:`\gamma` of gradient descent matter? On a
least-squares problem the answer is exact: the error is multiplied at most by
:math:`\rho(\gamma) = \max(|1 - \gamma\mu|, |1 - \gamma L|)` at each iteration.
We sweep :math:`\gamma L` from :math:`0.05` to :math:`2.1` and compare the
error after a fixed budget with the prediction :math:`\rho(\gamma)^K`: it
improves up to :math:`\gamma = 2/(L + \mu)`, then falls off a cliff at
:math:`\gamma = 2/L`.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.datasets import make_correlated_regression
from optbook.objectives import LeastSquares

optbook.plotting.setup_style()

# %%
# Two least-squares problems
# --------------------------
# :func:`optbook.datasets.make_correlated_regression` can prescribe the
# condition number :math:`\kappa = L/\mu` of :math:`A^\top A/n`.

problems = {}
for kappa in [10.0, 100.0]:
    A, b, _ = make_correlated_regression(
        200, 20, condition_number=kappa, rng=0
    )
    problems[kappa] = LeastSquares(A, b)

# %%
# Sweep of the step size
# ----------------------
# For each step we run :func:`optbook.first_order.gradient_descent` for
# :math:`K` iterations and record the relative distance to the minimizer. A
# run that overflows stops with ``success=False``; it is drawn at the top of
# the plot.

K = 200
factors = np.linspace(0.05, 2.1, 83)  # gamma * L
results = {}
for kappa, f in problems.items():
    L, mu = f.lipschitz, f.strong_convexity
    x_star = f.minimizer()
    x0 = np.zeros(f.n_features)
    errors = []
    for factor in factors:
        res = optbook.gradient_descent(f.grad, x0, factor / L, max_iter=K)
        err = np.linalg.norm(res.x - x_star) / np.linalg.norm(x0 - x_star)
        errors.append(err if res.success else np.inf)
    rho = np.maximum(np.abs(1 - factors * mu / L), np.abs(1 - factors))
    results[kappa] = (np.array(errors), rho**K)

# %%
# Figure
# ------
# Below :math:`2/L` the observed error follows the worst-case prediction
# (dashed) closely, down to the rounding level of about :math:`10^{-13}`
# (the accuracy of :math:`x^\star` itself); above :math:`2/L`, the iterates
# diverge geometrically. The dotted lines mark the best step
# :math:`2/(L + \mu)`.

fig, ax = plt.subplots(figsize=(7, 4))
for i, (kappa, (errors, predicted)) in enumerate(results.items()):
    shown = np.where(np.isfinite(errors), errors, 1e30)
    ax.semilogy(
        factors,
        np.clip(shown, 1e-30, 1e30),
        "o",
        ms=3,
        color=f"C{i}",
        label=rf"observed, $\kappa = {kappa:.0f}$",
    )
    ax.semilogy(
        factors,
        np.clip(predicted, 1e-30, 1e30),
        "--",
        color=f"C{i}",
        label=rf"$\rho(\gamma)^K$, $\kappa = {kappa:.0f}$",
    )
    ax.axvline(2 / (1 + 1 / kappa), color=f"C{i}", ls=":", lw=1)
ax.axvline(2.0, color="k", lw=1, label=r"$\gamma = 2/L$")
ax.set_ylim(1e-16, 1e12)
ax.set_xlabel(r"step size $\gamma L$")
ax.set_ylabel(r"$\|x_K - x^\star\| / \|x_0 - x^\star\|$")
ax.set_title(f"Gradient descent after K = {K} iterations")
ax.legend(loc="lower left", fontsize=8)
plt.show()
