r"""
Online gradient descent: the fixed-horizon step is the right one
================================================================

On :math:`X = [-1, 1]` with linear losses :math:`g_t x`, :math:`|g_t| = G`,
the sequence "push with :math:`g_t = +G` for :math:`\sqrt T` rounds, then
alternate signs" makes every inequality in the proof of the regret bound of
online gradient descent an equality when :math:`\eta = D/(G\sqrt T)`. We run
the same kind of worst case, rebuilt for each step :math:`\eta = \theta D/(G\sqrt
T)`, and compare the final regret with :math:`D^2/(2\eta) + \eta G^2 T/2`: the
regret follows the bound, which is smallest at :math:`\theta = 1`, where it
equals :math:`DG\sqrt T`.
"""

import functools
import math

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.online import online_gradient_descent
from optbook.prox import proj_box

optbook.plotting.setup_style()

D, G, T = 2.0, 1.0, 2500
proj = functools.partial(proj_box, lower=-D / 2, upper=D / 2)
thetas = np.geomspace(1 / 8, 8, 13)
final, bound = [], []
for theta in thetas:
    eta = theta * D / (G * math.sqrt(T))
    m = min(T, math.ceil(D / (eta * G)))  # rounds needed to cross X
    gs = np.concatenate([np.full(m, G), np.where(np.arange(T - m) % 2 == 0, -G, G)])
    xs = online_gradient_descent(lambda t, x: np.array([gs[t - 1]]), [D / 2], eta, T, proj)
    R = np.cumsum(gs * xs[:, 0]) + D / 2 * np.abs(np.cumsum(gs))
    final.append(R[-1])
    bound.append(D**2 / (2 * eta) + eta * G**2 * T / 2)
    print(f"theta = {theta:6.3f}: R_T = {R[-1]:7.2f}, bound = {bound[-1]:7.2f}")

# %%
# The regret and the bound, relative to :math:`DG\sqrt T`. For small
# :math:`\theta` the iterate does not even reach the other end of :math:`X`
# within :math:`T` rounds, and the regret is below the bound.

fig, ax = plt.subplots(figsize=(6, 3.8))
ax.loglog(thetas, np.array(final) / (D * G * math.sqrt(T)), "o-", label="observed $R_T$")
ax.loglog(thetas, np.array(bound) / (D * G * math.sqrt(T)), "k--", lw=1.2,
          label=r"$D^2/(2\eta) + \eta G^2 T/2$")
ax.axvline(1.0, color="grey", lw=0.8)
ax.set_xticks([1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8], ["1/8", "1/4", "1/2", "1", "2", "4", "8"])
ax.set_yticks([1, 2, 3, 4], ["1", "2", "3", "4"])
ax.xaxis.set_minor_formatter(plt.NullFormatter())
ax.yaxis.set_minor_formatter(plt.NullFormatter())
ax.set_xlabel(r"$\theta = \eta G\sqrt{T}/D$")
ax.set_ylabel(r"regret / $DG\sqrt{T}$")
ax.set_title(f"online gradient descent, worst case, T = {T}")
ax.legend()
fig.tight_layout()
plt.show()
