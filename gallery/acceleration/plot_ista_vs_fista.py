r"""
ISTA and FISTA on the Lasso
===========================

The proximal gradient method (ISTA) converges at the rate :math:`O(1/k)` on
composite problems :math:`F = f + g`; FISTA adds Nesterov's momentum and
converges at the rate :math:`O(1/k^2)`. We compare them on a Lasso problem
for three regularization levels: the smaller :math:`\lambda`, the denser the
solution and the harder the problem. FISTA with adaptive restart (gradient
scheme) is shown as well.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.datasets import make_correlated_regression
from optbook.objectives import LeastSquares
from optbook.prox import prox_l1

optbook.plotting.setup_style()

# %%
# The problem
# -----------
# :math:`F(x) = \frac{1}{2n}\|Ax - b\|^2 + \lambda\|x\|_1` with :math:`n = 80`
# samples and :math:`d = 200` correlated features, so that the least-squares
# part is not strongly convex. The regularization is a fraction of
# :math:`\lambda_{\max} = \|A^\top b\|_\infty/n`, the smallest value for which
# :math:`x^\star = 0`.

A, b, _ = make_correlated_regression(80, 200, rho=0.8, n_nonzero=10, noise=0.1, rng=0)
f = LeastSquares(A, b)
L = f.lipschitz
lam_max = np.max(np.abs(A.T @ b)) / A.shape[0]
x0 = np.zeros(200)
K = 400

# %%
# Runs
# ----
# For each :math:`\lambda`, a long run of FISTA with gradient restart gives the
# reference value :math:`F^\star`. The three methods are then run for
# :math:`K` iterations with step :math:`1/L`, and a
# :class:`optbook.trace.Trace` records :math:`F(x_k) - F^\star`.

results = {}
for ratio in [0.1, 0.01, 0.001]:
    lam = ratio * lam_max

    def prox(x, t, lam=lam):
        return prox_l1(x, lam * t)

    def F(x, lam=lam):
        return f.value(x) + lam * np.sum(np.abs(x))

    ref = optbook.fista(f.grad, prox, x0, 1 / L, max_iter=200_000, tol=1e-11,
                        restart="gradient")
    F_star = F(ref.x)
    traces = {}
    for name, kwargs in [("ISTA", None), ("FISTA", {}),
                         ("FISTA, gradient restart", {"restart": "gradient"})]:
        traces[name] = optbook.Trace(f=F, f_star=F_star, x0=x0)
        if kwargs is None:
            optbook.proximal_gradient(f.grad, prox, x0, 1 / L, max_iter=K,
                                      callback=traces[name])
        else:
            optbook.fista(f.grad, prox, x0, 1 / L, max_iter=K, callback=traces[name],
                          **kwargs)
    R2 = np.sum((x0 - ref.x) ** 2)
    results[ratio] = traces, R2, np.count_nonzero(ref.x)

# %%
# Figure
# ------
# Dashed lines: the bounds :math:`LR^2/(2k)` of ISTA and :math:`2LR^2/(k+1)^2`
# of FISTA, with :math:`R = \|x_0 - x^\star\|`.

fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), sharey=True)
k = np.arange(1, K + 1)
for ax, (ratio, (traces, R2, nnz)) in zip(axes, results.items()):
    for i, (name, trace) in enumerate(traces.items()):
        values = np.asarray(trace.values)
        ax.semilogy(np.where(values > 0, values, np.nan), color=f"C{i}", label=name)
    ax.semilogy(k, L * R2 / (2 * k), "--", color="C0", lw=1)
    ax.semilogy(k, 2 * L * R2 / (k + 1) ** 2, "--", color="C1", lw=1)
    ax.set_ylim(1e-12, 1e2)
    ax.set_title(rf"$\lambda = {ratio:g}\,\lambda_{{\max}}$ ({nnz} nonzeros)")
    ax.set_xlabel("iteration $k$")
axes[0].set_ylabel(r"$F(x_k) - F^\star$")
axes[0].legend(loc="lower left")
fig.suptitle("Lasso: proximal gradient (ISTA) against FISTA")
fig.tight_layout()
plt.show()
