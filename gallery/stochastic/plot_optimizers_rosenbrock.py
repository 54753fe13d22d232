r"""
Optimizers of deep learning on the Rosenbrock function
======================================================

The Rosenbrock function :math:`f(x, y) = (1 - x)^2 + 100(y - x^2)^2` has a
long, curved, narrow valley: the curvature across the valley is about a
thousand times larger than along it. We run the update rules of
:mod:`optbook.optim` (SGD, SGD with heavy-ball momentum, Adagrad, RMSProp and
Adam) with exact gradients for 2000 steps from :math:`(-1.5, 2)`, each with a
learning rate chosen from a small grid as the one with the lowest final
value. Plain SGD must use a step small enough for the steep direction and
crawls along the valley; heavy-ball momentum accumulates speed along it;
Adagrad's steps shrink as the squared gradients accumulate; RMSProp, with a
constant learning rate, keeps bouncing across the floor of the valley; Adam,
whose normalized steps are close to sign steps at first, follows the valley
quickly on this problem. The ranking depends on the problem and on the
tuning: this is an illustration, not a benchmark.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import rosen, rosen_der

import optbook
from optbook.optim import SGD, Adagrad, Adam, RMSProp

optbook.plotting.setup_style()

x0 = np.array([-1.5, 2.0])
n_steps = 2000


def run(opt):
    """Iterate params = opt.step(params, grads) and record the path."""
    x, path = x0.copy(), [x0]
    for _ in range(n_steps):
        x = opt.step(x, rosen_der(x))
        if not np.all(np.isfinite(x)) or np.abs(x).max() > 1e3:
            break
        path.append(x)
    return np.array(path)


# %%
# Learning rates
# --------------
# For each method, the learning rate with the smallest final value on a
# logarithmic grid (a diverging run counts as infinite).

makers = {
    "SGD": lambda lr: SGD(lr=lr),
    "SGD + momentum 0.9": lambda lr: SGD(lr=lr, momentum=0.9),
    "Adagrad": lambda lr: Adagrad(lr=lr),
    "RMSProp": lambda lr: RMSProp(lr=lr),
    "Adam": lambda lr: Adam(lr=lr),
}
grid = [1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1]
paths, best_lr = {}, {}
for name, make in makers.items():
    best = None
    for lr in grid:
        path = run(make(lr))
        value = rosen(path[-1]) if len(path) == n_steps + 1 else np.inf
        if best is None or value < best[0]:
            best = (value, lr, path)
    _, best_lr[name], paths[name] = best
    print(f"{name:20s} lr = {best_lr[name]:g}, final f = {best[0]:.2e}")

# %%
# Figure
# ------

fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
u, v = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
values = (1 - u) ** 2 + 100 * (v - u**2) ** 2
axes[0].contour(u, v, np.log10(values + 1e-3), levels=20, colors="gray", linewidths=0.5)
for i, (name, path) in enumerate(paths.items()):
    axes[0].plot(path[:, 0], path[:, 1], color=f"C{i}", lw=1.2,
                 label=f"{name} (lr {best_lr[name]:g})")
    axes[1].semilogy([rosen(p) for p in path], color=f"C{i}", label=name)
axes[0].plot([1], [1], "k*", ms=12, label="minimizer")
axes[0].set_xlabel("$x$")
axes[0].set_ylabel("$y$")
axes[0].set_title("trajectories")
axes[0].legend(loc="lower left", fontsize=7)
axes[1].set_xlabel("step $t$")
axes[1].set_ylabel("$f(x_t, y_t)$")
axes[1].set_title("objective")
axes[1].legend(loc="lower left", fontsize=8)
fig.suptitle("Rosenbrock function: momentum and adaptive steps")
fig.tight_layout()
plt.show()
