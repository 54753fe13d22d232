r"""
Subgradient sampling and an artificial critical point
=====================================================

The smooth function :math:`f(x) = \tfrac12 x^2 + x` is the average of the two
samples :math:`f(x, 1) = \tfrac12 x^2 + 2\,\mathrm{relu}(x)` and
:math:`f(x, 2) = \tfrac12 x^2 - 2\,\mathrm{relu}(-x)`. At :math:`x = 0`
automatic differentiation (:mod:`optbook.autodiff`, with
:math:`\mathrm{relu}'(0) = 0`) returns :math:`0` for both samples, and even
the Clarke subdifferentials of the samples, :math:`[0, 2]` each, average to a
set that contains :math:`0`, while :math:`f'(0) = 1`. The stochastic
subgradient method and the stochastic heavy ball method
(:func:`optbook.nonconvex.stochastic_subgradient`,
:func:`optbook.nonconvex.stochastic_heavy_ball`) started at :math:`0` never
move; random starts avoid the point and converge to the minimizer
:math:`-1`.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
import optbook.autodiff as ad
from optbook.nonconvex import stochastic_heavy_ball, stochastic_subgradient

optbook.plotting.setup_style()
rng = np.random.default_rng(0)

grads = [ad.grad(lambda x: ad.sum(x**2) / 2 + 2 * ad.sum(ad.relu(x))),
         ad.grad(lambda x: ad.sum(x**2) / 2 - 2 * ad.sum(ad.relu(-x)))]


def field(x, rng):
    """AD derivative of a sample drawn uniformly."""
    return grads[rng.integers(2)](x)


print("AD derivatives of the samples at 0:", [float(g(np.zeros(1))[0]) for g in grads])

# %%
# Many runs from random starts, and one from 0
# --------------------------------------------

starts = np.concatenate([[0.0], rng.uniform(-3, 3, 7)])
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, solver, name in ((axes[0], stochastic_subgradient, "stochastic subgradient"),
                         (axes[1], stochastic_heavy_ball, "stochastic heavy ball")):
    for i, x0 in enumerate(starts):
        path = [x0]
        solver(field, np.array([x0]), lambda k: 0.3 / (k + 1) ** 0.6, max_iter=300, seed=i,
               callback=lambda x: path.append(float(x[0])))
        ax.plot(path, color="C3" if x0 == 0 else "C0", lw=3 if x0 == 0 else 0.7)
    ax.axhline(-1, color="k", ls="--", lw=1)
    ax.set_title(name)
    ax.set_xlabel("iteration $k$")
axes[0].set_ylabel("$x_k$")
plt.show()
