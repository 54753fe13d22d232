r"""
Exponentiated gradient against projected subgradient on the simplex
===================================================================

Minimize the linear loss :math:`\langle c, x\rangle`, :math:`c = (0, 1, \dots, 1)`,
over the probability simplex :math:`\Delta_d` with mirror descent, once with
the entropy (exponentiated gradient) and once with the Euclidean mirror map
and the projection onto the simplex. Both use the step that minimizes their
bound :math:`D_h(x^\star, x_0)/(\gamma K) + \gamma G^2/2`. The entropy's
bound grows like :math:`\sqrt{\log d}`, the Euclidean one like :math:`\sqrt d`.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.mirror import Euclidean, mirror_descent
from optbook.prox import proj_simplex

optbook.plotting.setup_style()

K = 300
dims = np.array([10, 100, 1000, 10_000])
err = {"entropy": [], "euclidean": []}
for d in dims:
    c = np.ones(d)
    c[0] = 0.0
    x0 = np.full(d, 1.0 / d)
    ent = mirror_descent(lambda x: c, x0, np.sqrt(2 * np.log(d) / K), mirror="entropy", max_iter=K)
    D_euc = 0.5 * (1 - 1 / d)
    euc = mirror_descent(lambda x: c, x0, np.sqrt(2 * D_euc / (K * (d - 1))),
                         mirror=Euclidean(proj_simplex), max_iter=K)
    err["entropy"].append(c @ ent.x_avg)
    err["euclidean"].append(c @ euc.x_avg)

# %%
# The observed errors of the averaged iterates, with the two bounds.
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(dims, err["entropy"], "o-", label="entropy")
ax.loglog(dims, np.sqrt(2 * np.log(dims) / K), "C0--", label=r"$\sqrt{2\log d/K}$")
ax.loglog(dims, err["euclidean"], "s-", label="Euclidean + projection")
ax.loglog(dims, np.sqrt((dims - 1) * (1 - 1 / dims) / K), "C1--", label=r"$\sqrt{(d-1)(1-1/d)/K}$")
ax.set_xlabel("dimension $d$")
ax.set_ylabel(r"$f(\bar x_K) - f^\star$")
ax.legend()
plt.show()
