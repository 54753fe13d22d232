r"""
Fenchel conjugates and convex envelopes
=======================================

The conjugate :math:`f^*(s) = \sup_x \{s x - f(x)\}` is the intercept (with a
minus sign) of the highest line of slope :math:`s` below the graph of
:math:`f`. We compute it on a grid with :func:`optbook.convex.conjugate_1d`,
draw a few of these supporting lines, and check that conjugating twice gives
back a convex function and the convex envelope of a nonconvex one
(Fenchel–Moreau theorem).
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.convex import conjugate_1d

optbook.plotting.setup_style()

# %%
# A convex function: supporting lines
# -----------------------------------
# For :math:`f(x) = e^x`, the conjugate is :math:`s \log s - s` for
# :math:`s > 0`. ``return_argmax=True`` also returns the point where each
# supporting line touches the graph, a subgradient of :math:`f^*` at
# :math:`s`.

grid = np.linspace(-5, 3, 1601)
slopes = np.array([0.1, 0.5, 1.0, 3.0, 8.0])
fstar, touch = conjugate_1d(np.exp, grid, slopes, return_argmax=True)
print("discrete conjugate:", np.round(fstar, 4))
print("closed form       :", np.round(slopes * np.log(slopes) - slopes, 4))

# %%
# A nonconvex function: the biconjugate
# -------------------------------------
# A tilted double well has two local minima. Its biconjugate is the largest
# convex function below it: the bump between the wells is replaced by the
# common tangent.


def well(x):
    return (x**2 - 1) ** 2 - 0.3 * x


xg = np.linspace(-1.8, 1.8, 721)
sg = np.linspace(-25, 25, 2001)
well_star = conjugate_1d(well, xg, sg)
well_biconj = conjugate_1d(well_star, sg, xg)
print("f** <= f everywhere:", bool(np.all(well_biconj <= well(xg) + 1e-12)))

# %%
# Figure
# ------

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
ax = axes[0]
x = np.linspace(-5, 2.6, 400)
ax.plot(x, np.exp(x), color="k", lw=2.2, label="$f(x) = e^x$")
for k, (s, fs, x0) in enumerate(zip(slopes, fstar, touch)):
    ax.plot(x, s * x - fs, "--", color=f"C{k}", label=f"slope $s = {s:g}$")
    ax.plot([x0], [np.exp(x0)], "o", color=f"C{k}")
ax.set_ylim(-2, 12)
ax.set_xlabel("$x$")
ax.set_ylabel("value")
ax.set_title(r"lines $s x - f^*(s)$ support $f$")
ax.legend(fontsize=8)

ax = axes[1]
s = np.linspace(0.01, 10, 300)
s_dots = np.linspace(0.1, 10, 25)
ax.plot(s, s * np.log(s) - s, color="k", label=r"closed form $s\log s - s$")
ax.plot(s_dots, conjugate_1d(np.exp, grid, s_dots), "o", ms=4, color="C1",
        label="conjugate_1d")
ax.set_xlabel("$s$")
ax.set_ylabel("$f^*(s)$")
ax.set_title("conjugate of $e^x$")
ax.legend(fontsize=8)

ax = axes[2]
ax.plot(xg, well(xg), color="k", lw=2.2, label="$f$ (double well)")
ax.plot(xg, well_biconj, "--", color="C3", lw=2, label="$f^{**}$")
ax.set_ylim(-0.6, 2.5)
ax.set_xlabel("$x$")
ax.set_ylabel("value")
ax.set_title("biconjugate = convex envelope")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
