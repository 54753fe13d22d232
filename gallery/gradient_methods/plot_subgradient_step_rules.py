r"""
Subgradient step rules on a sparse support vector machine
=========================================================

The :math:`\ell_1`-regularized hinge loss

.. math::

    f(x) = \frac1n\sum_{i=1}^n \max(0, 1 - y_i a_i^\top x) + \lambda\|x\|_1

is convex and nonsmooth, so gradient descent does not apply, and its prox is
not cheap. The subgradient method does apply, with a step rule to choose: a
constant step, the decreasing steps :math:`\gamma_0/\sqrt{k+1}`, or Polyak's
step :math:`(f(x_k) - f^\star)/\|g_k\|^2`, which needs :math:`f^\star`. Here
:math:`f^\star` comes from an equivalent linear program.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import linprog

import optbook
from optbook.datasets import load_breast_cancer

optbook.plotting.setup_style()

A, y = load_breast_cancer()
n, d = A.shape
lam = 0.01
M = y[:, None] * A  # rows y_i a_i


def f(x):
    return np.maximum(0.0, 1.0 - M @ x).mean() + lam * np.abs(x).sum()


def subgrad(x):
    active = (M @ x < 1.0).astype(float)  # samples with a positive hinge loss
    return -M.T @ active / n + lam * np.sign(x)


# %%
# The optimal value by linear programming
# ---------------------------------------
# With :math:`x = u - v`, :math:`u, v \ge 0`, and slacks :math:`t \ge 0`,
# minimize :math:`\frac1n\sum_i t_i + \lambda\sum_j (u_j + v_j)` subject to
# :math:`t_i \ge 1 - y_i a_i^\top (u - v)`.

c = np.concatenate([lam * np.ones(2 * d), np.ones(n) / n])
A_ub = np.hstack([-M, M, -np.eye(n)])
lp = linprog(
    c,
    A_ub=A_ub,
    b_ub=-np.ones(n),
    bounds=[(0, None)] * (2 * d + n),
    method="highs",
)
x_star = lp.x[:d] - lp.x[d : 2 * d]
f_star = f(x_star)
print(
    f"f* = {f_star:.6f}, "
    f"{np.count_nonzero(np.abs(x_star) > 1e-9)} nonzero coefficients"
)

# %%
# Four step rules
# ---------------
# :func:`optbook.first_order.subgradient_descent` tracks the best iterate when
# it is given ``f``; a :class:`optbook.trace.Trace` records every value.

x0 = np.zeros(d)
K = 2000
rules = {
    "constant 0.1": (0.1, {}),
    "constant 0.01": (0.01, {}),
    r"$\gamma_0/\sqrt{k+1}$, $\gamma_0 = 0.5$": ("1/sqrt(k)", {"step0": 0.5}),
    "Polyak": ("polyak", {"f_star": f_star}),
}
runs = {}
for name, (step, kwargs) in rules.items():
    trace = optbook.Trace(f=f, f_star=f_star, x0=x0)
    optbook.subgradient_descent(
        subgrad, x0, step, max_iter=K, f=f, callback=trace, **kwargs
    )
    runs[name] = np.array(trace.values)

# %%
# Figure
# ------
# The last iterate (right) oscillates: the method is not a descent method.
# Constant steps trade speed for accuracy: the larger one decreases faster at
# first, but the theory only guarantees a level proportional to the step,
# where it eventually stalls. Polyak's step, which knows :math:`f^\star`, is
# the fastest.

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for i, (name, values) in enumerate(runs.items()):
    k = np.arange(len(values))
    axes[0].loglog(
        k[1:], np.minimum.accumulate(values)[1:], color=f"C{i}", label=name
    )
    axes[1].semilogy(k, values, color=f"C{i}", lw=0.7, label=name)
axes[0].set_title("best iterate")
axes[0].set_ylabel(r"$\min_{i \leq k} f(x_i) - f^\star$")
axes[1].set_title("last iterate")
axes[1].set_ylabel(r"$f(x_k) - f^\star$")
for ax, loc in zip(axes, ["lower left", "upper right"]):
    ax.set_xlabel("iteration $k$")
    ax.legend(fontsize=8, loc=loc)
fig.suptitle(
    "Subgradient method on the l1-regularized hinge loss (breast cancer data)"
)
fig.tight_layout()
plt.show()
