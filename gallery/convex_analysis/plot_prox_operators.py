r"""
Proximal operators and projections in two dimensions
====================================================

A proximal operator moves each point :math:`x` to
:math:`\mathrm{prox}_{\gamma g}(x) = \mathrm{argmin}_u\, g(u) + \|u - x\|^2/(2\gamma)`,
a compromise between decreasing the penalty :math:`g` and staying close to
:math:`x`. We draw these moves on a grid of points of the plane for three
penalties (the :math:`\ell_1` norm, the Euclidean norm and the elastic net)
and three constraint sets (the simplex, the :math:`\ell_1` ball and a box),
with the functions of :mod:`optbook.prox`.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.prox import (
    proj_box,
    proj_l1_ball,
    proj_simplex,
    prox_elastic_net,
    prox_l1,
    prox_l2,
)

optbook.plotting.setup_style()

# %%
# The operators
# -------------
# Each entry maps a point of :math:`\mathbb{R}^2` to its image. The
# :math:`\ell_1` prox (soft-thresholding) acts coordinatewise and sends a
# whole band around each axis onto the axis: it creates zeros coordinate by
# coordinate. The Euclidean prox shrinks along the ray to the origin and sends
# the whole disk of radius :math:`\gamma` to :math:`0` (group sparsity). The
# elastic net thresholds like :math:`\ell_1` and then shrinks.

gamma = 0.8
operators = {
    "prox l1": (r"$\mathrm{prox}_{\gamma\|\cdot\|_1}$ (soft-thresholding)", lambda x: prox_l1(x, gamma)),
    "prox l2": (r"$\mathrm{prox}_{\gamma\|\cdot\|_2}$ (block soft-thresholding)", lambda x: prox_l2(x, gamma)),
    "elastic net": (r"elastic net, $\alpha = 1/2$", lambda x: prox_elastic_net(x, gamma, l1_ratio=0.5)),
    "simplex": (r"projection onto the simplex $\Delta_2$", proj_simplex),
    "l1 ball": (r"projection onto the $\ell_1$ unit ball", lambda x: proj_l1_ball(x, 1.0)),
    "box": (r"projection onto $[-1, 1] \times [-0.5, 0.5]$",
            lambda x: proj_box(x, [-1.0, -0.5], [1.0, 0.5])),
}
sets = {
    3: np.array([[1.0, 0.0], [0.0, 1.0]]),
    4: np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]], dtype=float),
    5: np.array([[-1, -0.5], [1, -0.5], [1, 0.5], [-1, 0.5], [-1, -0.5]]),
}

ticks = np.linspace(-2, 2, 9)
points = np.array([[a, b] for a in ticks for b in ticks])
images = {name: np.array([op(x) for x in points]) for name, (_, op) in operators.items()}

# %%
# Nonexpansiveness, checked on the grid
# -------------------------------------
# Every proximal operator of a convex function is firmly nonexpansive:
# :math:`\|p - q\|^2 \le \langle p - q, x - y\rangle`. The smallest slack over
# all pairs of distinct grid points must be nonnegative; it is zero for pairs
# that the operator translates by the same vector.

distinct = ~np.eye(len(points), dtype=bool)
for name, img in images.items():
    dx = points[:, None, :] - points[None, :, :]
    dp = img[:, None, :] - img[None, :, :]
    slack = np.sum(dp * dx, axis=-1) - np.sum(dp * dp, axis=-1)
    ratio = np.linalg.norm(dp, axis=-1)[distinct] / np.linalg.norm(dx, axis=-1)[distinct]
    print(f"{name:12s} min slack = {slack[distinct].min():+.1e}, "
          f"max |p - q| / |x - y| = {ratio.max():.3f}")

# %%
# Figure
# ------
# Each segment joins a grid point (dot) to its image (cross).

fig, axes = plt.subplots(2, 3, figsize=(13, 8.6))
for k, (ax, (name, img)) in enumerate(zip(axes.flat, images.items())):
    title = operators[name][0]
    if k in sets:
        boundary = sets[k]
        if k == 3:
            ax.plot(*boundary.T, color="k", lw=3, label="set")
        else:
            ax.fill(*boundary.T, color="0.85", label="set")
    for x, p in zip(points, img):
        ax.plot([x[0], p[0]], [x[1], p[1]], color="C0", lw=0.7, alpha=0.7)
    ax.plot(*points.T, ".", color="C0", ms=4, label="$x$")
    ax.plot(*img.T, "x", color="C3", ms=6, mew=1.5, label="image of $x$")
    ax.set_aspect("equal")
    ax.set_xlim(-2.3, 2.3)
    ax.set_ylim(-2.3, 2.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title, fontsize=10)
axes[0, 0].legend(loc="lower left", fontsize=8, framealpha=0.9, frameon=True)
fig.suptitle(rf"Proximal operators ($\gamma = {gamma:g}$) and projections")
fig.tight_layout()
plt.show()
