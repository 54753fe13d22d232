r"""
Krasnosel'skii–Mann iteration for a feasibility problem
=======================================================

Find a point in the intersection of the box :math:`[0, 1]^d` and an affine
subspace :math:`\{x : Cx = e\}`. The reflections
:math:`R = 2P - \mathrm{Id}` through the two sets are nonexpansive, so their
composition :math:`T = R_{\rm box} R_{\rm aff}` is nonexpansive, but it is not
averaged: its plain iteration need not converge. The Krasnosel'skii–Mann
iteration :math:`x_{k+1} = x_k + \lambda(Tx_k - x_k)` converges for every
:math:`\lambda \in (0, 1)` (for :math:`\lambda = 1/2` it is the
Douglas–Rachford method), with the residual bound
:math:`\|x_k - Tx_k\|^2 \le \|x_0 - x^\star\|^2/(\lambda(1-\lambda)(k+1))`; the
solution is read off as :math:`P_{\rm aff}(x_k)`.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.prox import proj_box

optbook.plotting.setup_style()

rng = np.random.default_rng(0)
d, m = 40, 15
C = rng.standard_normal((m, d))
z = rng.uniform(0, 1, d)  # a feasible point, so the intersection is not empty
e = C @ z
C_pinv = np.linalg.pinv(C)


def proj_affine(x):
    return x - C_pinv @ (C @ x - e)


def T(x):
    r = 2 * proj_affine(x) - x
    return 2 * proj_box(r, 0.0, 1.0) - r


x0 = 3 * rng.standard_normal(d)

# %%
# A fixed point for the bound
# ---------------------------
# The bound holds for every fixed point; we use the limit of a long run.

x_fix = optbook.krasnoselskii_mann(
    T, x0, relaxation=0.5, max_iter=20_000, tol=1e-13
).x
solution = proj_affine(x_fix)
print(
    "distance of P_aff(x*) to the box:",
    np.linalg.norm(solution - proj_box(solution, 0, 1)),
)

# %%
# Runs for several relaxation parameters
# --------------------------------------

K = 1000
runs = {}
for lam in [0.25, 0.5, 0.9, 1.0]:
    trace = optbook.Trace(
        metric=lambda x: float(np.sum((x - T(x)) ** 2)), x0=x0
    )
    optbook.krasnoselskii_mann(
        T, x0, relaxation=lam, max_iter=K, callback=trace
    )
    runs[lam] = np.array(trace.metrics)

# %%
# Figure
# ------
# The squared residuals (solid) stay below their bounds (dashed) for
# :math:`\lambda < 1`, and drop to the rounding level once the iterates reach
# a fixed point; the plain iteration :math:`\lambda = 1` stalls.

k = np.arange(K + 1)
R2 = np.sum((x0 - x_fix) ** 2)
fig, ax = plt.subplots(figsize=(7, 4))
for i, (lam, residuals) in enumerate(runs.items()):
    ax.loglog(k[1:], residuals[1:], color=f"C{i}", label=rf"$\lambda = {lam}$")
    if lam < 1:
        ax.loglog(
            k[1:],
            R2 / (lam * (1 - lam) * (k[1:] + 1)),
            "--",
            color=f"C{i}",
            lw=1,
        )
ax.set_ylim(1e-20, 1e4)
ax.set_xlabel("iteration $k$")
ax.set_ylabel(r"$\|x_k - Tx_k\|^2$")
ax.set_title("Krasnosel'skii-Mann on reflections: box and affine subspace")
ax.legend(loc="lower left")
plt.show()
