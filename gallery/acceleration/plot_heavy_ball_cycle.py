r"""
Heavy ball cycles on a strongly convex function
===============================================

Heavy ball with the parameters that are optimal on quadratics,
:math:`\gamma = 4/(\sqrt L + \sqrt\mu)^2` and
:math:`\beta = \big((\sqrt L - \sqrt\mu)/(\sqrt L + \sqrt\mu)\big)^2`, can fail
on a strongly convex function that is not quadratic. Lessard, Recht and
Packard's example is one-dimensional, :math:`1`-strongly convex and
:math:`25`-smooth; heavy ball converges from some starting points and is
trapped by a cycle of period three from others. We draw the trajectories in
the plane :math:`(x_k, x_{k+1})`.
"""

import math

import matplotlib.pyplot as plt
import numpy as np

import optbook

optbook.plotting.setup_style()

# %%
# The function
# ------------
# :math:`f'(x) = 25x` for :math:`x < 1`, :math:`x + 24` for
# :math:`1 \le x < 2` and :math:`25x - 24` for :math:`x \ge 2`: an increasing
# derivative with slopes in :math:`[1, 25]`.


def grad(x):
    return np.where(x < 1, 25 * x, np.where(x < 2, x + 24, 25 * x - 24))


mu, L = 1.0, 25.0
step = 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2
momentum = ((math.sqrt(L) - math.sqrt(mu)) / (math.sqrt(L) + math.sqrt(mu))) ** 2

# %%
# Trajectories
# ------------
# A :class:`optbook.trace.Trace` with ``store_iterates=True`` keeps the
# iterates. Two starting points are trapped by the cycle, two converge.

K = 80
fig, ax = plt.subplots(figsize=(6.5, 5.5))
cycle = None
for i, x0 in enumerate([3.3, -4.2, 3.0, 5.0]):
    trace = optbook.Trace(store_iterates=True, x0=[x0])
    optbook.heavy_ball(grad, [x0], step, momentum, max_iter=K, callback=trace)
    xs = np.concatenate(trace.iterates)
    trapped = abs(xs[-1]) > 1e-3
    if trapped:
        cycle = xs[-3:]
    fate = "trapped by the cycle" if trapped else "converges"
    ax.plot(xs[:-1], xs[1:], ".-", color=f"C{i}", lw=0.8, ms=4, alpha=0.8,
            label=f"$x_0 = {x0:g}$: {fate}")
    ax.plot(xs[0], xs[1], "o", color=f"C{i}", ms=8)
pts = np.append(cycle, cycle[0])
ax.plot(pts[:-1], pts[1:], "k-", lw=2.5, label="3-cycle")
ax.plot([0], [0], "k*", ms=14, label="minimizer $(0, 0)$")
ax.set_xlabel("$x_k$")
ax.set_ylabel("$x_{k+1}$")
ax.set_title("Heavy ball on Lessard, Recht and Packard's function")
ax.legend(loc="upper right", fontsize=8)
plt.show()
