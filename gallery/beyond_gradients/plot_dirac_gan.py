r"""
Training a Dirac-GAN
====================

The Dirac-GAN of Mescheder, Geiger and Nowozin (2018) is the smallest
generative adversarial network: the data is a point mass at :math:`0`, the
generator produces a point mass at :math:`\theta`, and the discriminator is
:math:`D_\psi(t) = \psi t`. The training objective
:math:`\mathcal L(\theta, \psi) = \varphi(\psi\theta) + \varphi(0)`, with
:math:`\varphi(t) = -\log(1 + e^{-t})`, is minimized in :math:`\theta` and
maximized in :math:`\psi`. Its vector field rotates around the equilibrium
:math:`(0, 0)`: simultaneous gradient steps drift away, extragradient and
optimistic gradient spiral in.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook

optbook.plotting.setup_style()


def F(z):
    """(dL/dtheta, -dL/dpsi) for the Dirac-GAN."""
    theta, psi = z
    slope = 1.0 / (1.0 + np.exp(psi * theta))  # phi'(psi * theta)
    return np.array([psi * slope, -theta * slope])


# %%
# Trajectories from the same start
# --------------------------------

z0 = np.array([1.5, 0.5])
paths = {}
for name, solver in [("gradient descent–ascent", optbook.gradient_descent_ascent),
                     ("extragradient", optbook.extragradient),
                     ("optimistic gradient", optbook.optimistic_gradient)]:
    trace = optbook.Trace(store_iterates=True, x0=z0)
    solver(F, z0, 0.2, max_iter=500, callback=trace)
    paths[name] = np.array(trace.iterates)

# %%
# The vector field :math:`-F` and the three trajectories
# ------------------------------------------------------

t = np.linspace(-3, 3, 21)
T, P = np.meshgrid(t, t)
U, V = np.zeros_like(T), np.zeros_like(T)
for i in range(T.shape[0]):
    for j in range(T.shape[1]):
        U[i, j], V[i, j] = -F(np.array([T[i, j], P[i, j]]))
fig, ax = plt.subplots(figsize=(6, 5.5))
ax.quiver(T, P, U, V, color="0.75")
for name, path in paths.items():
    ax.plot(path[:, 0], path[:, 1], lw=1, label=name)
ax.plot(0, 0, "k*", ms=12)
ax.set_xlabel(r"generator $\theta$")
ax.set_ylabel(r"discriminator $\psi$")
ax.set_xlim(-3, 3)
ax.set_ylim(-3, 3)
ax.legend(loc="lower left", fontsize=8)
fig.tight_layout()
plt.show()
