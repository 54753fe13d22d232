r"""
Nesterov's worst-case quadratic
===============================

The lower bound for smooth convex minimization is proved on the quadratic

.. math::

    f_d(x) = \frac L4\Big(\frac12\big(x_1^2 + \sum_{i=1}^{d-1}(x_i - x_{i+1})^2
             + x_d^2\big) - x_1\Big),

on which every method that combines gradients linearly discovers one
coordinate per iteration. The bound
:math:`f(x_k) - f^\star \ge \frac L8\big(\frac1{k+1} - \frac1{d+1}\big)` only
holds for :math:`k \le d`: we run several methods well beyond the dimension
to see what happens after.
"""

import math

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.objectives import Quadratic

optbook.plotting.setup_style()

# %%
# The function
# ------------
# :class:`optbook.objectives.Quadratic` represents
# :math:`\frac12 x^\top Q x - c^\top x`; here :math:`Q = \frac L4 A` with
# :math:`A` the tridiagonal matrix with :math:`2` on the diagonal and
# :math:`-1` next to it, and :math:`c = \frac L4 e_1`. Its minimizer is
# :math:`x^\star_i = 1 - i/(d+1)`.

L, d = 1.0, 30
A = 2 * np.eye(d) - np.eye(d, k=1) - np.eye(d, k=-1)
c = np.zeros(d)
c[0] = L / 4
f = Quadratic(L / 4 * A, c)
x_star = 1 - np.arange(1, d + 1) / (d + 1)
f_star = f.value(x_star)
print(f"L = {f.lipschitz:.4f} (at most {L}), mu = {f.strong_convexity:.2e}")

# %%
# Runs
# ----
# Gradient descent with steps :math:`1/L` and :math:`1.9/L`, Nesterov's method
# and heavy ball (with momentum :math:`0.9`), for :math:`K = 8d` iterations
# from :math:`x_0 = 0`. The function is also :math:`\mu`-strongly convex with
# a tiny :math:`\mu \approx \pi^2 L/(4(d+1)^2)`: after many more iterations
# than the dimension, the methods converge linearly.

K, x0 = 8 * d, np.zeros(d)
runs = {
    "gradient descent, 1/L": lambda cb: optbook.gradient_descent(
        f.grad, x0, 1 / L, max_iter=K, callback=cb),
    "gradient descent, 1.9/L": lambda cb: optbook.gradient_descent(
        f.grad, x0, 1.9 / L, max_iter=K, callback=cb),
    "Nesterov": lambda cb: optbook.nesterov(
        f.grad, x0, 1 / L, max_iter=K, callback=cb),
    "heavy ball, momentum 0.9": lambda cb: optbook.heavy_ball(
        f.grad, x0, 1 / L, 0.9, max_iter=K, callback=cb),
}
traces = {}
for name, solve in runs.items():
    traces[name] = optbook.Trace(f=f.value, f_star=f_star, x0=x0)
    solve(traces[name])

# %%
# Figure
# ------
# Left of the vertical line (:math:`k \le d`) no method goes below the lower
# bound (black), which reaches zero at :math:`k = d`. Right of it the bound
# says nothing, and the methods that exploit the small strong convexity
# converge fast.

k = np.arange(1, d)  # the bound vanishes at k = d
fig, ax = plt.subplots(figsize=(7, 4))
for name, trace in traces.items():
    values = np.asarray(trace.values)[1:]
    ax.loglog(np.arange(1, K + 1), np.where(values > 0, values, np.nan), label=name)
ax.loglog(k, L / 8 * (1 / (k + 1) - 1 / (d + 1)), "k", lw=2.5,
          label="lower bound (any linear-span method)")
ax.axvline(d, color="gray", ls=":")
ax.text(d * 1.05, 1e-1, "$k = d$", color="gray")
ax.set_ylim(1e-12, 1)
ax.set_xlabel("iteration $k$")
ax.set_ylabel(r"$f(x_k) - f^\star$")
ax.set_title(f"Nesterov's worst-case quadratic, $d = {d}$")
ax.legend(loc="lower left", fontsize=8)
plt.show()
