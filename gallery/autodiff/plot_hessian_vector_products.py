r"""
Hessian-vector products: curvature of a network without the Hessian
===================================================================

:func:`optbook.autodiff.hvp` computes :math:`\nabla^2 f(\theta)\,v` by
differentiating :math:`\theta \mapsto \langle \nabla f(\theta), v\rangle`
(reverse over reverse, Pearlmutter, 1994), at a constant times the cost of
:math:`f` and without forming the :math:`d \times d` Hessian. We check it
against finite differences of gradients, estimate the largest eigenvalue of
the Hessian of a small network loss by a power iteration, and, since the
network is small, compare with the full spectrum obtained from :math:`d`
products, before and after training with :func:`optbook.nn.train`.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
import optbook.autodiff as ad
from optbook.datasets import load_digits
from optbook.nn import cross_entropy, init_mlp, mlp_forward, train
from optbook.optim import Adam
from optbook.tools import power_iteration

optbook.plotting.setup_style()
rng = np.random.default_rng(0)

# %%
# A small network on the digits data set
# --------------------------------------
# Parameters are a list of arrays; :func:`optbook.autodiff.hvp` accepts such
# lists for the point and the direction.

A, labels = load_digits()
X, y = A[:300], labels[:300]
params0 = init_mlp([64, 6, 10], rng=0, scale="glorot")
sizes = [p.size for p in params0]
print("number of parameters d =", sum(sizes))


def loss(params):
    return cross_entropy(mlp_forward(params, X, activation=ad.tanh), y)


def dot(a, b):
    return sum(float(np.vdot(u, w)) for u, w in zip(a, b))


# %%
# Check against finite differences of the gradient
# ------------------------------------------------
# :math:`\nabla^2 f(\theta) v \approx (\nabla f(\theta + hv) - \nabla f(\theta - hv))/(2h)`.

v = [rng.standard_normal(p.shape) for p in params0]
Hv = ad.hvp(loss, params0, v)
h = 1e-5
grad = ad.grad(loss)
g_plus = grad([p + h * w for p, w in zip(params0, v)])
g_minus = grad([p - h * w for p, w in zip(params0, v)])
fd = [(a - b) / (2 * h) for a, b in zip(g_plus, g_minus)]
diff = [a - b for a, b in zip(Hv, fd)]
print(f"relative difference with finite differences: {np.sqrt(dot(diff, diff) / dot(Hv, Hv)):.1e}")

# %%
# Power iteration and full spectrum
# ---------------------------------
# The power iteration :math:`u \leftarrow \nabla^2 f(\theta) u / \|\cdot\|`
# (:func:`optbook.tools.power_iteration`) uses one product per step. It works on
# flat vectors, so the parameters are flattened and the direction is split back
# into arrays for :func:`optbook.autodiff.hvp`. The full Hessian needs :math:`d`
# products, one per basis vector.

offsets = np.cumsum(sizes)[:-1]


def hvp_flat(params):
    """v -> (Hessian of the loss at params) v, on flat vectors of length d."""
    def matvec(u):
        direction = [piece.reshape(p.shape) for piece, p in zip(np.split(u, offsets), params)]
        return np.concatenate([h.ravel() for h in ad.hvp(loss, params, direction)])
    return matvec


def full_hessian(params):
    H = np.column_stack([hvp_flat(params)(e) for e in np.eye(sum(sizes))])
    return (H + H.T) / 2


params1, history = train(params0, Adam(lr=1e-2), X, y, epochs=40, batch_size=50, rng=0,
                         activation=ad.tanh)
print(f"training loss {float(loss(params0)):.3f} -> {float(loss(params1)):.3f}")
results = {}
for name, params in [("initialization", params0), ("after training", params1)]:
    eigenvalues = np.linalg.eigvalsh(full_hessian(params))
    power = power_iteration(hvp_flat(params), rng.standard_normal(sum(sizes)), n_iter=60)
    results[name] = (eigenvalues, power.estimates)
    print(f"{name}: largest eigenvalue {eigenvalues[-1]:.4f} (power iteration "
          f"{results[name][1][-1]:.4f}), smallest {eigenvalues[0]:.4f}")

# %%
# Figure
# ------

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for (name, (eigenvalues, estimates)), color in zip(results.items(), ["C0", "C1"]):
    axes[0].semilogy(np.abs(estimates - eigenvalues[-1]) / eigenvalues[-1], color=color,
                     label=name)
    axes[1].hist(eigenvalues, bins=60, color=color, alpha=0.6, label=name)
axes[0].set_xlabel("power iteration step (one Hessian-vector product each)")
axes[0].set_ylabel(r"relative error on $\lambda_{\max}$")
axes[0].set_title("power iteration with hvp")
axes[0].legend()
axes[1].set_yscale("log")
axes[1].set_xlabel(r"eigenvalue of $\nabla^2 f(\theta)$")
axes[1].set_ylabel("count")
axes[1].set_title("Hessian spectrum from $d$ products")
axes[1].legend()
fig.suptitle("Curvature of a small tanh network, computed with Hessian-vector products")
fig.tight_layout()
plt.show()
