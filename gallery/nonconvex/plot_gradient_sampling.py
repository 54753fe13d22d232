r"""
Gradient sampling on the nonsmooth Rosenbrock function
======================================================

:math:`f(x) = 8\,\lvert x_1^2 - x_2\rvert + (1 - x_1)^2` is nonsmooth along the
parabola :math:`x_2 = x_1^2`, which leads to its minimizer :math:`(1, 1)`.
:func:`optbook.nonconvex.gradient_sampling` samples gradients around the
iterate, takes the minimum-norm element of their convex hull
(:func:`optbook.nonconvex.min_norm_element`) and follows it with a line
search; its cluster points are Clarke stationary. The subgradient method
(:func:`optbook.first_order.subgradient_descent`) zigzags across the kink.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.first_order import subgradient_descent
from optbook.nonconvex import gradient_sampling

optbook.plotting.setup_style()
w = 8.0


def f(x):
    return w * abs(x[0] ** 2 - x[1]) + (1 - x[0]) ** 2


def grad(x):
    s = np.sign(x[0] ** 2 - x[1])
    return np.array([2 * w * s * x[0] - 2 * (1 - x[0]), -w * s])


# %%
# Both methods from the same start
# --------------------------------

x0 = np.array([-1.0, 1.0])
gs_path, sg_path = [x0], [x0]
res = gradient_sampling(f, grad, x0, radius=0.1, max_iter=150, seed=0,
                        callback=lambda x: gs_path.append(x.copy()))
subgradient_descent(grad, x0, lambda k: 0.05 / np.sqrt(k + 1), max_iter=750,
                    callback=lambda x: sg_path.append(x.copy()))
gs_path, sg_path = np.array(gs_path), np.array(sg_path)
print("gradient sampling:", res.x, "f =", res.fun, "last radius", res.radius)
print("subgradient method, best value:", min(f(x) for x in sg_path))

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
X, Y = np.meshgrid(np.linspace(-1.3, 1.3, 300), np.linspace(-0.3, 1.6, 300))
axes[0].contour(X, Y, w * np.abs(X**2 - Y) + (1 - X) ** 2, levels=np.logspace(-2, 1.3, 20),
                cmap="Greys", linewidths=0.6)
axes[0].plot(sg_path[:, 0], sg_path[:, 1], "-", lw=0.8, color="C1", label="subgradient")
axes[0].plot(gs_path[:, 0], gs_path[:, 1], "o-", ms=3, color="C0", label="gradient sampling")
axes[0].plot([1], [1], "k*", ms=10)
axes[0].set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")
axes[0].legend(fontsize=8)
m = 2 * x0.size + 1  # gradients per iteration of gradient sampling
axes[1].semilogy(m * np.arange(len(gs_path)), [f(x) for x in gs_path], label="gradient sampling")
axes[1].semilogy(np.minimum.accumulate([f(x) for x in sg_path]),
                 label="subgradient (best value)")
axes[1].set_xlabel("gradient evaluations")
axes[1].set_ylabel(r"$f(x_k) - f^\star$")
axes[1].legend()
plt.show()
