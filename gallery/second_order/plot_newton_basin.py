r"""
Pure Newton diverges, damped Newton does not
============================================

On :math:`f(x) = \sqrt{1 + x^2}`, a smooth and strictly convex function with
minimizer :math:`x^\star = 0`, Newton's iteration is
:math:`x_{k+1} = x_k - f'(x_k)/f''(x_k) = -x_k^3`: it converges (cubically)
from :math:`|x_0| < 1`, cycles from :math:`|x_0| = 1`, and diverges from
:math:`|x_0| > 1`. The second derivative :math:`(1 + x^2)^{-3/2}` vanishes at
infinity, so no local quadratic model is trustworthy far away. Backtracking
on the Newton direction (:func:`optbook.second_order.damped_newton`) fixes it.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.second_order import damped_newton, newton

optbook.plotting.setup_style()


def f(x):
    return float(np.sum(np.sqrt(1 + x**2)))


def grad(x):
    return x / np.sqrt(1 + x**2)


def hess(x):
    return np.diag((1 + x**2) ** -1.5)


# %%
# Pure and damped Newton from several starting points
# ---------------------------------------------------
runs = {}
for x0 in [0.5, 0.9, 1.05]:
    pure = optbook.Trace(store_iterates=True, x0=[x0])
    newton(grad, hess, [x0], max_iter=6, tol=0.0, callback=pure)
    damped = optbook.Trace(store_iterates=True, x0=[x0])
    damped_newton(f, grad, hess, [x0], max_iter=12, tol=0.0, callback=damped)
    runs[x0] = (np.abs(np.concatenate(pure.iterates)), np.abs(np.concatenate(damped.iterates)))
    print(f"x0 = {x0}: pure Newton |x_6| = {runs[x0][0][-1]:.3g}, "
          f"damped Newton |x_12| = {runs[x0][1][-1]:.3g}")

# %%
# The iterates
# ------------
fig, ax = plt.subplots(figsize=(6, 3.8))
for i, (x0, (pure, damped)) in enumerate(runs.items()):
    ax.semilogy(np.maximum(pure, 1e-300), "o-", color=f"C{i}", label=f"Newton, $x_0 = {x0}$")
    ax.semilogy(np.maximum(damped, 1e-300), "^--", color=f"C{i}", ms=4,
                label=f"damped Newton, $x_0 = {x0}$")
ax.set_ylim(1e-20, 1e10)
ax.set_xlabel("iteration $k$")
ax.set_ylabel(r"$|x_k - x^\star|$")
ax.set_title(r"$f(x) = \sqrt{1 + x^2}$")
ax.legend(fontsize=7)
fig.tight_layout()
plt.show()
