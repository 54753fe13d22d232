r"""
The price of bandit feedback: EXP3 against Hedge
================================================

With full information, Hedge's regret grows like :math:`\sqrt{T\log N}`; with
bandit feedback (only the loss of the drawn arm is seen), EXP3's
pseudo-regret bound is :math:`\sqrt{2TN\log N}`. We measure both on the same
losses (one good arm with mean loss 0.4, the others 0.5, Bernoulli draws) for
a growing number of arms :math:`N`, averaging EXP3 over seeds, and compare
with the two bounds.
"""

import math

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.online import exp3, hedge

optbook.plotting.setup_style()

T, n_seeds = 2000, 8
arms = [2, 4, 8, 16, 32]
rows = []
for N in arms:
    means = np.full(N, 0.5)
    means[0] = 0.4
    losses = (np.random.default_rng(N).random((T, N)) < means).astype(float)
    best = losses.sum(axis=0).min()
    w = hedge(losses, math.sqrt(8 * math.log(N) / T))
    r_hedge = (w * losses).sum() - best
    eta = math.sqrt(2 * math.log(N) / (T * N))
    r_exp3 = np.mean([(exp3(losses, eta, seed=s)[1] * losses).sum() - best
                      for s in range(n_seeds)])
    rows.append((r_hedge, r_exp3))
    print(f"N = {N:2d}: Hedge {r_hedge:6.1f}, EXP3 {r_exp3:6.1f}")
rows = np.array(rows)

# %%
# Regret at :math:`T` against the number of arms (log-log), with the bounds.

arms = np.array(arms)
fig, ax = plt.subplots(figsize=(6, 3.8))
ax.loglog(arms, rows[:, 0], "o-", color="C0", label="Hedge (full information)")
ax.loglog(arms, np.sqrt(T * np.log(arms) / 2), "--", color="C0", lw=1.2,
          label=r"$\sqrt{T\log N/2}$")
ax.loglog(arms, rows[:, 1], "s-", color="C1", label=f"EXP3 (bandit), mean of {n_seeds}")
ax.loglog(arms, np.sqrt(2 * T * arms * np.log(arms)), "--", color="C1", lw=1.2,
          label=r"$\sqrt{2TN\log N}$")
ax.set_xticks(arms, [str(a) for a in arms])
ax.xaxis.set_minor_formatter(plt.NullFormatter())
ax.yaxis.set_minor_formatter(plt.NullFormatter())
ax.set_xlabel("number of arms $N$")
ax.set_ylabel(f"regret at T = {T}")
ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
plt.show()
