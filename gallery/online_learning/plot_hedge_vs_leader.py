r"""
Hedge against follow the leader
===============================

Follow the leader (Hedge with :math:`\eta \to \infty`) is excellent on
stochastic losses and disastrous on adversarial ones: on losses that always
hit the current leader it pays 1 per round, while the best expert pays about
one half, so its regret grows by about one half per round. Hedge with
:math:`\eta = \sqrt{8\log N/T}` pays at most :math:`\sqrt{T\log N/2}` on every
sequence. We run both, with :func:`optbook.online.hedge` (``eta = 1e8`` is
follow the leader, computed stably), on the two kinds of sequences.
"""

import math

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.online import hedge

optbook.plotting.setup_style()

T, N = 3000, 2
t = np.arange(1, T + 1)


def experts_regret(w, losses):
    return np.cumsum((w * losses).sum(axis=1)) - np.cumsum(losses, axis=0).min(axis=1)


adversarial = np.zeros((T, N))
adversarial[0, 0] = 0.5
adversarial[1::2, 1] = 1.0  # always hits the current leader
adversarial[2::2, 0] = 1.0
rng = np.random.default_rng(0)
stochastic = (rng.random((T, N)) < [0.45, 0.55]).astype(float)

eta = math.sqrt(8 * math.log(N) / T)
results = {}
for name, losses in [("adversarial", adversarial), ("stochastic", stochastic)]:
    results[name] = {
        "Hedge": experts_regret(hedge(losses, eta), losses),
        "follow the leader": experts_regret(hedge(losses, 1e8), losses),
    }
    print(name, {k: round(float(v[-1]), 1) for k, v in results[name].items()})

# %%
# Regret over time, with the bound :math:`\log N/\eta + \eta t/8` of Hedge.

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for ax, name in zip(axes, results):
    for label, R in results[name].items():
        ax.plot(t, R, label=label)
    ax.plot(t, math.log(N) / eta + eta * t / 8, "k--", lw=1.2, label="Hedge bound")
    ax.set_xlabel("round $t$")
    ax.set_ylabel("regret $R_t$")
    ax.set_title(f"{name} losses")
    ax.legend(loc="upper left")
fig.tight_layout()
plt.show()
