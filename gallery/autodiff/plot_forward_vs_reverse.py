r"""
Forward or reverse mode? Cost against the number of inputs and outputs
======================================================================

For :math:`F : \mathbb{R}^d \to \mathbb{R}^p`, forward mode computes one
Jacobian-vector product per pass and reverse mode one vector-Jacobian product
per pass. The full Jacobian therefore costs :math:`d` forward passes or
:math:`p` reverse passes. We measure both with
:func:`optbook.autodiff.jacobian`: for a scalar loss (:math:`p = 1`), as the
dimension :math:`d` grows, and for a map with :math:`d = 4` inputs, as the
number of outputs :math:`p` grows. Times are processor times of this process
with one BLAS thread; they depend on the machine, the trends do not.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

import optbook
import optbook.autodiff as ad

optbook.plotting.setup_style()
rng = np.random.default_rng(0)


def cpu_time(fun, number=1):
    """Smallest processor time of one call (seconds), with one BLAS thread."""
    with threadpool_limits(1):
        return optbook.tools.best_time(fun, number=number, repeat=3,
                                       timer=time.process_time)


# %%
# Many inputs, one output: a gradient
# -----------------------------------
# The loss :math:`f(w) = \frac1n\sum_i \log(1 + e^{-y_i a_i^\top w})` has
# :math:`d` inputs. Reverse mode gets its gradient in one backward pass;
# forward mode needs one pass per coordinate.

dims = [4, 8, 16, 32, 64, 128, 256]
grad_cost = {"forward": [], "reverse": []}
for d in dims:
    A = rng.standard_normal((400, d))
    y = np.sign(rng.standard_normal(400))
    w = rng.standard_normal(d) / np.sqrt(d)

    def loss(w):
        return ad.mean(ad.softplus(-y * (A @ w)))

    t_f = cpu_time(lambda: loss(w), number=5)
    grad_cost["reverse"].append(cpu_time(lambda: ad.jacobian(loss, w)) / t_f)
    grad_cost["forward"].append(cpu_time(lambda: ad.jacobian(loss, w, mode="forward")) / t_f)
    np.testing.assert_allclose(ad.jacobian(loss, w), ad.jacobian(loss, w, mode="forward"),
                               rtol=1e-10, atol=1e-13)

# %%
# Few inputs, many outputs: a sensitivity
# ---------------------------------------
# The map :math:`F(\theta) = \tanh(B\theta) \odot \cos(C\theta)` has 4 inputs
# and :math:`p` outputs (think of a simulation with four parameters and
# :math:`p` measurements). Now forward mode needs 4 passes whatever
# :math:`p`, and reverse mode one pass per output.

outputs = [4, 8, 16, 32, 64, 128, 256]
jac_cost = {"forward": [], "reverse": []}
theta = rng.standard_normal(4)
for p in outputs:
    B, C = rng.standard_normal((p, 4)), rng.standard_normal((p, 4))

    def simulate(theta):
        return ad.tanh(B @ theta) * ad.cos(C @ theta)

    t_F = cpu_time(lambda: simulate(theta), number=20)
    jac_cost["reverse"].append(cpu_time(lambda: ad.jacobian(simulate, theta)) / t_F)
    jac_cost["forward"].append(cpu_time(lambda: ad.jacobian(simulate, theta,
                                                            mode="forward")) / t_F)

# %%
# Figure
# ------

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for mode, marker in [("forward", "o"), ("reverse", "s")]:
    axes[0].loglog(dims, grad_cost[mode], marker + "-", label=f"{mode} mode")
    axes[1].loglog(outputs, jac_cost[mode], marker + "-", label=f"{mode} mode")
axes[0].set_xlabel("number of inputs $d$ (one output)")
axes[1].set_xlabel("number of outputs $p$ (four inputs)")
axes[0].set_title("gradient of a loss")
axes[1].set_title("Jacobian of a simulation")
for ax in axes:
    ax.set_ylabel("time(Jacobian) / time(function)")
    ax.legend()
fig.suptitle("Forward mode pays per input, reverse mode per output")
fig.tight_layout()
plt.show()
