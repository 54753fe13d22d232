r"""
Gradient descent–ascent, extragradient and optimistic gradient on a bilinear game
=================================================================================

On :math:`\min_x\max_y x^\top A y` with an orthogonal :math:`A`, simultaneous
gradient descent–ascent multiplies the distance to the equilibrium by
:math:`\sqrt{1 + \gamma^2}` at every step, whatever the step. Extragradient
and optimistic gradient, which correct the step with a look-ahead, converge
(linearly, in fact) in our runs. We run the three
solvers of :mod:`optbook.beyond_gradients` with the same step.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook

optbook.plotting.setup_style()

# %%
# The game
# --------
# :math:`F(x, y) = (Ay, -A^\top x)` on :math:`z = (x, y) \in \mathbb{R}^{10}`,
# monotone and 1-Lipschitz.

p = 5
A = np.linalg.qr(np.random.default_rng(0).standard_normal((p, p)))[0]


def F(z):
    return np.concatenate([A @ z[p:], -A.T @ z[:p]])


z0 = np.random.default_rng(1).standard_normal(2 * p)

# %%
# Runs
# ----

gamma, K = 0.3, 200
norms = {}
for name, solver in [("gradient descent–ascent", optbook.gradient_descent_ascent),
                     ("extragradient", optbook.extragradient),
                     ("optimistic gradient", optbook.optimistic_gradient)]:
    trace = optbook.Trace(metric=np.linalg.norm, x0=z0)
    solver(F, z0, gamma, max_iter=K, callback=trace)
    norms[name] = trace.metrics

# %%
# Distance to the equilibrium
# ---------------------------

fig, ax = plt.subplots(figsize=(6.5, 4))
for name, values in norms.items():
    ax.semilogy(values, label=name)
k = np.arange(K + 1)
ax.semilogy(k, (1 + gamma**2) ** (k / 2) * np.linalg.norm(z0), "k--", lw=1,
            label=r"$(1 + \gamma^2)^{k/2}\|z_0\|$")
ax.set_xlabel("iteration $k$")
ax.set_ylabel(r"$\|z_k - z^\star\|$")
ax.legend()
fig.tight_layout()
plt.show()
