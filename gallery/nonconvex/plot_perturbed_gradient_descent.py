r"""
Escaping a saddle with perturbed gradient descent
=================================================

On :math:`f(x, y) = \tfrac12 x^2 - \tfrac12 y^2 + \tfrac14 y^4` the origin is a
strict saddle and :math:`(0, \pm 1)` are the minimizers. Gradient descent
started on the stable manifold :math:`\{y = 0\}` converges to the saddle;
started at a distance :math:`y_0` from it, it stays near the saddle for about
:math:`\log(1/y_0)/\log(1 + \gamma)` iterations.
:func:`optbook.nonconvex.perturbed_gradient_descent` adds a small uniform
perturbation whenever the gradient is small, and escapes at once.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.first_order import gradient_descent
from optbook.nonconvex import perturbed_gradient_descent

optbook.plotting.setup_style()


def f(z):
    return z[0] ** 2 / 2 - z[1] ** 2 / 2 + z[1] ** 4 / 4


def grad(z):
    return np.array([z[0], -z[1] + z[1] ** 3])


# %%
# Trajectories
# ------------
# Gradient descent from points of the stable manifold and just off it, and
# perturbed gradient descent from the saddle itself.

gamma = 0.5
paths = {}
for x0 in ([1.5, 0.0], [1.5, 1e-6], [-1.5, -1e-3]):
    path = [np.array(x0)]
    gradient_descent(grad, path[0], gamma, max_iter=60, callback=lambda z: path.append(z.copy()))
    paths[f"GD from ({x0[0]}, {x0[1]:g})"] = np.array(path)
path = [np.zeros(2)]
res = perturbed_gradient_descent(grad, np.zeros(2), gamma, radius=1e-2, g_thresh=1e-3,
                                 t_thresh=30, max_iter=60, f=f, f_thresh=1e-3, seed=0,
                                 callback=lambda z: path.append(z.copy()))
paths["PGD from (0, 0)"] = np.array(path)
print(res.message, "\nperturbations at iterations", res.perturbations, "; x =", res.x)

# %%
# Escape time against the distance to the stable manifold
# --------------------------------------------------------

y0s = 10.0 ** -np.arange(1, 15)
escape = []
for y0 in y0s:
    values = []
    gradient_descent(grad, np.array([1.0, y0]), gamma, max_iter=200,
                     callback=lambda z: values.append(f(z)))
    escape.append(int(np.argmax(np.array(values) < -0.15)))

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
X, Y = np.meshgrid(np.linspace(-1.7, 1.7, 200), np.linspace(-1.5, 1.5, 200))
axes[0].contour(X, Y, f(np.array([X, Y])), levels=30, cmap="Greys", linewidths=0.6)
for label, p in paths.items():
    axes[0].plot(p[:, 0], p[:, 1], ".-", ms=3, label=label)
axes[0].plot([0], [0], "kx", ms=8)
axes[0].set_xlabel("$x$")
axes[0].set_ylabel("$y$")
axes[0].legend(fontsize=7, loc="upper left")
axes[1].semilogx(y0s, escape, "o-", label="observed")
axes[1].semilogx(y0s, np.log(1 / y0s) / np.log(1 + gamma), "k--", lw=1,
                 label=r"$\log(1/y_0)/\log(1+\gamma)$")
axes[1].set_xlabel("distance $y_0$ to the stable manifold")
axes[1].set_ylabel("iterations to escape")
axes[1].legend()
plt.show()
