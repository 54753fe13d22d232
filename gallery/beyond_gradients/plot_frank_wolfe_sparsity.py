r"""
Frank–Wolfe builds sparse iterates
==================================

Over the :math:`\ell_1` ball the linear minimization oracle returns a signed,
scaled basis vector, so the Frank–Wolfe iterate :math:`x_k` is a convex
combination of at most :math:`k + 1` of them: it has at most :math:`k + 1`
nonzero entries, without any thresholding. We solve a least-squares problem
constrained to an :math:`\ell_1` ball with
:func:`optbook.beyond_gradients.frank_wolfe` and follow the number of nonzero
entries and the Frank–Wolfe gap, an upper bound on :math:`f(x_k) - f^\star`.
"""

import functools

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.lmo import l1_ball
from optbook.objectives import LeastSquares

optbook.plotting.setup_style()

# %%
# A sparse regression problem
# ---------------------------
# :math:`n = 150` samples, :math:`d = 500` features and a solution with 10
# nonzero entries; the radius is the :math:`\ell_1` norm of the truth.

rng = np.random.default_rng(0)
A = rng.standard_normal((150, 500))
x_true = np.zeros(500)
x_true[rng.choice(500, 10, replace=False)] = rng.standard_normal(10)
b = A @ x_true + 0.05 * rng.standard_normal(150)
f = LeastSquares(A, b)
lmo = functools.partial(l1_ball, radius=np.abs(x_true).sum())

# %%
# Runs with the two step rules
# ----------------------------

results = {}
for step in ["open-loop", "line-search"]:
    trace = optbook.Trace(metric=np.count_nonzero, x0=np.zeros(500))
    res = optbook.frank_wolfe(f.grad, lmo, np.zeros(500), step=step, quadratic=True,
                              max_iter=300, callback=trace)
    results[step] = (np.array(trace.metrics), res.gaps)
    print(f"{step:12s} final gap {res.gap:.2e}, nonzeros {np.count_nonzero(res.x)}, "
          f"error {np.linalg.norm(res.x - x_true):.3f}")

# %%
# Sparsity and certificate
# ------------------------

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
k = np.arange(301)
for step, (nnz, gaps) in results.items():
    axes[0].plot(k, nnz, label=step)
    axes[1].loglog(k[1:], gaps[1:], label=step)
axes[0].plot(k, np.minimum(k + 1, 500), "k:", lw=1, label="$k + 1$")
axes[0].set_ylim(0, 60)
axes[0].set_xlabel("iteration $k$")
axes[0].set_ylabel("nonzero entries of $x_k$")
axes[0].legend()
axes[1].set_xlabel("iteration $k$")
axes[1].set_ylabel("Frank–Wolfe gap $g_k$")
axes[1].legend()
fig.tight_layout()
plt.show()
