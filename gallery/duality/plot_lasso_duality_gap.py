r"""
Duality gaps of the Lasso: residual against extrapolated dual points
====================================================================

Coordinate descent for the Lasso, :func:`optbook.duality.lasso_cd`, stops on
a duality gap. The gap is only as good as its dual point: the rescaled
residual lags behind the true suboptimality, and the extrapolated residual of
Massias, Gramfort and Salmon (2018) closes the gap much earlier. Both are
valid certificates: they stay above :math:`P(x_k) - P^\star`.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.datasets import make_correlated_regression
from optbook.duality import lasso_cd

optbook.plotting.setup_style()

# %%
# A Lasso with correlated features
# --------------------------------
A, b, _ = make_correlated_regression(200, 500, rho=0.9, noise=0.5, n_nonzero=30, rng=2)
n = A.shape[0]
lam = np.abs(A.T @ b).max() / n / 30


def P(x):
    return 0.5 * np.sum((A @ x - b) ** 2) / n + lam * np.abs(x).sum()


ref = lasso_cd(A, b, lam, tol=1e-14, gap_freq=1, max_epochs=20_000, dual="extrapolated")

# %%
# Gaps per epoch
# --------------
# ``gap_freq=1`` evaluates the gap after every epoch; the result keeps them.
values = []
res = lasso_cd(A, b, lam, tol=0, max_epochs=200, gap_freq=1,
               callback=lambda x: values.append(P(x)))
ext = lasso_cd(A, b, lam, tol=0, max_epochs=200, gap_freq=1, dual="extrapolated")
# an upper bound on P*: the plotted suboptimality underestimates the true one
P_star = min(P(ref.x), min(values))
subopt = np.array(values) - P_star

# weak duality, checked: both gaps lie above the (underestimated) suboptimality
assert np.all(subopt <= res.gaps[1:] + 1e-15) and np.all(subopt <= ext.gaps[1:] + 1e-15)

fig, ax = plt.subplots(figsize=(7, 4))
ax.semilogy(np.arange(1, 201), np.where(subopt > 0, subopt, np.nan), "k",
            label=r"$P(x_k) - P^\star$ (at most)")
ax.semilogy(res.gap_epochs, np.maximum(res.gaps, 1e-16), label="gap, rescaled residual")
ax.semilogy(ext.gap_epochs, np.maximum(ext.gaps, 1e-16), "--", label="gap, extrapolated")
ax.set_xlabel("epoch $k$")
ax.set_ylabel("objective units")
ax.legend()
fig.tight_layout()
plt.show()
