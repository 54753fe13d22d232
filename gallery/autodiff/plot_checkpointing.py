r"""
Checkpointing: trading recomputation for memory
===============================================

Reverse mode keeps every intermediate value until the backward pass, so the
memory of a gradient grows with the depth of the computation.
:func:`optbook.checkpoint.checkpointed_value_and_grad` stores only one state
every :math:`s` layers and recomputes each segment during the backward pass.
For a residual network of :math:`T` layers we measure, for each interval
:math:`s`, the peak memory of the gradient computation (with Python's
``tracemalloc``), the number of layer evaluations and the processor time, and
compare memory and evaluations with the bounds :math:`\lceil T/s\rceil + s`
states and :math:`2T - 1` evaluations. The gradient is the same, bit for bit,
for every :math:`s`.
"""

import time
import tracemalloc

import matplotlib.pyplot as plt
import numpy as np

import optbook
import optbook.autodiff as ad
from optbook.checkpoint import checkpointed_value_and_grad

optbook.plotting.setup_style()
rng = np.random.default_rng(0)

# %%
# A deep residual network
# -----------------------
# :math:`x_{t+1} = x_t + \tanh(x_t W_t + b_t)/T`, with a large batch, so that
# the states (not the parameters) dominate the memory.

T, width, batch = 100, 16, 1024
layers = [(rng.standard_normal((width, width)) / np.sqrt(width), np.zeros(width))
          for _ in range(T)]
x0 = rng.standard_normal((batch, width))
targets = rng.standard_normal((batch, width))


def layer(x, theta):
    W, b = theta
    return x + ad.tanh(x @ W + b) / T


def loss(x):
    return ad.mean((x - targets) ** 2) / 2


# %%
# Memory, evaluations and time for each checkpoint interval
# ---------------------------------------------------------

intervals = [1, 2, 3, 5, 7, 10, 20, 34, 50, 100]
memory, evaluations, seconds, stored = [], [], [], []
reference = None
for s in intervals:
    runs = []
    for _ in range(3):  # best of three runs
        start = time.process_time()
        value, (g_x0, g_layers), info = checkpointed_value_and_grad(layer, loss, x0, layers,
                                                                    every=s)
        runs.append(time.process_time() - start)
    seconds.append(min(runs))
    tracemalloc.start()
    checkpointed_value_and_grad(layer, loss, x0, layers, every=s)
    memory.append(tracemalloc.get_traced_memory()[1] / x0.nbytes)  # in states
    tracemalloc.stop()
    evaluations.append(info["step_evaluations"])
    stored.append(info["max_stored_states"])
    if reference is None:
        reference = g_x0
    assert np.array_equal(g_x0, reference)
    print(f"s = {s:3d}: peak memory {memory[-1]:6.1f} states, "
          f"{evaluations[-1]} layer evaluations, {seconds[-1]:.2f} s")

# %%
# Figure
# ------
# Each layer records about five arrays of the size of the state, so the
# measured memory behaves like :math:`T/s + 5s` states, smallest near
# :math:`s = \sqrt{T/5}`; the counted states follow the bound
# :math:`\lceil T/s\rceil + s`, smallest near :math:`s = \sqrt T`.

s_grid = np.array(intervals)
fig, axes = plt.subplots(1, 3, figsize=(12, 3.8))
axes[0].loglog(s_grid, memory, "o-", label="peak memory (measured)")
axes[0].loglog(s_grid, stored, "s-", label="stored states (counted)")
axes[0].loglog(s_grid, np.ceil(T / s_grid) + s_grid, "k--", lw=1,
               label=r"bound $\lceil T/s\rceil + s$")
axes[0].set_ylabel("memory (in states)")
axes[0].set_title("memory")
axes[1].semilogx(s_grid, evaluations, "o-", label="layer evaluations")
axes[1].axhline(2 * T - 1, color="k", ls="--", lw=1, label="bound $2T - 1$")
axes[1].axhline(T, color="gray", ls=":", label="$T$ (no checkpoints)")
axes[1].set_ylabel("evaluations of a layer")
axes[1].set_title("recomputation")
axes[2].semilogx(s_grid, seconds, "o-", label="processor time (best of 3)")
axes[2].set_ylabel("seconds (this machine)")
axes[2].set_title("time")
for ax in axes:
    ax.set_xlabel("checkpoint interval $s$")
    ax.legend(fontsize=8)
fig.suptitle(f"Uniform checkpointing on a residual network of T = {T} layers")
fig.tight_layout()
plt.show()
