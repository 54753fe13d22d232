r"""
Proximal point method and gradient descent on the Moreau envelope
=================================================================

The proximal point method :math:`x_{k+1} = \mathrm{prox}_{\gamma f}(x_k)` is
gradient descent with step :math:`\gamma` on the Moreau envelope
:math:`\mathrm{env}_\gamma f`, a :math:`1/\gamma`-smooth function with the same
minimizers as :math:`f`. We check it on the nonsmooth convex function
:math:`f(x) = \max(|x|, 2|x| - 1.5)`, whose prox and envelope are computed
numerically with :func:`optbook.convex.moreau_envelope_1d`, and compare with
the subgradient method with the same step.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.convex import moreau_envelope_1d

optbook.plotting.setup_style()


def f(x):
    x = np.asarray(x, dtype=float)
    return np.maximum(np.abs(x), 2 * np.abs(x) - 1.5)


grid = np.linspace(-6, 6, 120_001)  # the brute-force prox is exact up to 1e-4


def prox(v, t):
    """Proximal point of t f at the entries of v (a grid search)."""
    return moreau_envelope_1d(f, grid, t, x=v, return_prox=True)[1]


def envelope(v, t):
    return moreau_envelope_1d(f, grid, t, x=v)


def envelope_grad(v, t):
    return (v - prox(v, t)) / t


gamma, x0, K = 0.7, np.array([4.0]), 12

# %%
# Three runs from the same point
# ------------------------------
# :func:`optbook.first_order.proximal_point`, then
# :func:`optbook.first_order.gradient_descent` on the envelope (its gradient
# is :math:`(x - \mathrm{prox}_{\gamma f}(x))/\gamma`), then
# :func:`optbook.first_order.subgradient_descent` with the constant step
# :math:`\gamma`.

runs = {}
pp = optbook.Trace(x0=x0, store_iterates=True)
optbook.proximal_point(prox, x0, gamma, max_iter=K, callback=pp)
runs["proximal point"] = np.array(pp.iterates)[:, 0]
gd = optbook.Trace(x0=x0, store_iterates=True)
optbook.gradient_descent(
    lambda v: envelope_grad(v, gamma), x0, gamma, max_iter=K, callback=gd
)
runs["GD on the envelope"] = np.array(gd.iterates)[:, 0]
sg = optbook.Trace(x0=x0, store_iterates=True)
optbook.subgradient_descent(
    lambda v: np.sign(v) * np.where(np.abs(v) > 1.5, 2.0, 1.0),
    x0,
    gamma,
    max_iter=K,
    callback=sg,
)
runs["subgradient"] = np.array(sg.iterates)[:, 0]
print(
    "max |proximal point - GD on envelope| =",
    np.abs(runs["proximal point"] - runs["GD on the envelope"]).max(),
)

# %%
# Figure
# ------
# Left, the iterates on the graphs of :math:`f` and of its envelope. Right,
# the values :math:`f(x_k) - f^\star` against the bound
# :math:`\|x_0 - x^\star\|^2/(2\gamma k)` of the proximal point method; the
# proximal point method reaches the minimizer in finitely many steps, the
# subgradient method oscillates around it.

xs = np.linspace(-2, 4.5, 600)
k = np.arange(K + 1)
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
ax = axes[0]
ax.plot(xs, f(xs), color="k", lw=2, label="$f$")
ax.plot(
    xs,
    envelope(xs, gamma),
    color="C0",
    label=rf"$\mathrm{{env}}_\gamma f$, $\gamma = {gamma}$",
)
ax.plot(
    runs["proximal point"],
    envelope(runs["proximal point"], gamma),
    "o",
    color="C0",
    label="proximal point iterates",
)
ax.plot(
    runs["subgradient"],
    f(runs["subgradient"]),
    "s",
    ms=4,
    mfc="none",
    color="C3",
    label="subgradient iterates",
)
ax.set_xlabel("$x$")
ax.set_ylabel("value")
ax.legend(fontsize=8, loc="upper left")
ax = axes[1]
for name, style in [
    ("proximal point", "o-"),
    ("GD on the envelope", "x"),
    ("subgradient", "s--"),
]:
    values = f(runs[name])
    ax.semilogy(
        k, np.where(values > 0, values, np.nan), style, ms=5, label=name
    )
ax.semilogy(
    k[1:],
    x0[0] ** 2 / (2 * gamma * k[1:]),
    "k--",
    lw=1.2,
    label=r"bound $\|x_0 - x^\star\|^2 / (2\gamma k)$",
)
ax.set_xlabel("iteration $k$")
ax.set_ylabel(r"$f(x_k) - f^\star$")
ax.legend(fontsize=8, loc="lower left")
fig.suptitle(
    "The proximal point method is gradient descent on the Moreau envelope"
)
fig.tight_layout()
plt.show()
