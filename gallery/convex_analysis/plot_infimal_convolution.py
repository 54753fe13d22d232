r"""
Infimal convolution: Huber loss and distance functions
======================================================

The infimal convolution :math:`(f \,\square\, g)(x) = \inf_y f(y) + g(x - y)`
adds functions the way the Minkowski sum adds sets (it adds their epigraphs).
With :func:`optbook.convex.infimal_convolution_1d` we check two classical
examples, the Huber function :math:`|\cdot| \,\square\, \frac12(\cdot)^2`
and the distance :math:`\iota_C \,\square\, |\cdot| = \mathrm{dist}_C`, and the rule
:math:`(f \,\square\, g)^* = f^* + g^*` with :func:`optbook.convex.conjugate_1d`.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.convex import conjugate_1d, infimal_convolution_1d

optbook.plotting.setup_style()

grid = np.linspace(-4, 4, 1601)


def half_square(u):
    return u**2 / 2


# %%
# Huber function
# --------------
# :math:`|\cdot| \,\square\, \frac12(\cdot)^2` equals :math:`x^2/2` for
# :math:`|x| \le 1` and :math:`|x| - 1/2` beyond: the quadratic is used near
# zero and the absolute value in the tails. ``return_argmin`` gives the
# minimizing :math:`y`, here the soft-thresholding of :math:`x`.

huber, split = infimal_convolution_1d(np.abs, half_square, grid, return_argmin=True)
huber_exact = np.where(np.abs(grid) <= 1, grid**2 / 2, np.abs(grid) - 0.5)
print("max error on the Huber function:", np.abs(huber - huber_exact).max())

# %%
# Distance to an interval
# -----------------------
# The indicator of :math:`C = [-1, 0.5]` is passed as its values on the grid
# (``inf`` outside :math:`C`); its infimal convolution with :math:`|\cdot|` is
# the distance to :math:`C`.

lower, upper = -1.0, 0.5
indicator = np.where((grid >= lower) & (grid <= upper), 0.0, np.inf)
distance = infimal_convolution_1d(indicator, np.abs, grid)
distance_exact = np.maximum(np.maximum(lower - grid, grid - upper), 0.0)
print("max error on the distance:", np.abs(distance - distance_exact).max())

# %%
# Conjugate of an infimal convolution
# -----------------------------------
# :math:`|\cdot|^* = \iota_{[-1, 1]}` and :math:`(\frac12(\cdot)^2)^* = \frac12(\cdot)^2`,
# so the conjugate of the Huber function is :math:`s^2/2` on :math:`[-1, 1]`
# and :math:`+\infty` outside. On a bounded grid the discrete conjugate stays
# finite outside :math:`[-1, 1]`, but grows with the extent of the grid.

slopes = np.linspace(-1.5, 1.5, 61)
huber_star = conjugate_1d(huber, grid, slopes)
inside = np.abs(slopes) <= 1
print("max error of (f □ g)* = f* + g* on [-1, 1]:",
      np.abs(huber_star[inside] - slopes[inside] ** 2 / 2).max())

# %%
# Figure
# ------

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
ax = axes[0]
ax.plot(grid, np.abs(grid), ":", color="C0", label=r"$f = |x|$")
ax.plot(grid, half_square(grid), ":", color="C1", label=r"$g = x^2/2$")
ax.plot(grid, huber, color="k", lw=2.2, label="$f$ □ $g$ (Huber)")
ax.plot(grid, split, "--", color="C2", label=r"minimizing $y$")
ax.set_ylim(-2.5, 4)
ax.set_title("Huber = absolute value □ square")

ax = axes[1]
ax.plot(grid, distance, color="k", lw=2.2, label=r"$\iota_C$ □ $|\cdot|$")
ax.plot(grid[::80], distance_exact[::80], "o", color="C1", label=r"$\mathrm{dist}_C$")
ax.axvspan(lower, upper, color="0.85", label=f"$C = [{lower:g}, {upper:g}]$")
ax.set_title("distance to an interval")

ax = axes[2]
fine = np.linspace(-1, 1, 200)
ax.plot(fine, fine**2 / 2, color="k", label=r"$f^* + g^* = s^2/2$ on $[-1, 1]$")
ax.plot(slopes, huber_star, "o", ms=4, color="C3", label="conjugate_1d of $f$ □ $g$")
ax.set_ylim(-0.2, 2)
ax.set_title("conjugate of the infimal convolution")
ax.set_xlabel("$s$")
ax.set_ylabel("value")
for ax in axes[:2]:
    ax.set_xlabel("$x$")
    ax.set_ylabel("value")
for ax in axes:
    ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
