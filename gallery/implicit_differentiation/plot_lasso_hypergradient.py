r"""
Hypergradients of the Lasso, on the support
===========================================

On an interval where its support and signs do not change, the Lasso solution
is affine in :math:`\lambda`, with
:math:`dx^\star_S/d\lambda = -(A_S^\top A_S/n)^{-1}\operatorname{sign}(x^\star_S)`
(Bertrand et al., 2020). :func:`optbook.implicit.lasso_hypergradient` returns
the validation loss :math:`h(\lambda)` and its derivative; we draw the
tangent lines it predicts on the validation curve, and compare the
derivative with central finite differences.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.datasets import make_correlated_regression
from optbook.implicit import lasso_hypergradient

optbook.plotting.setup_style()

A_all, b_all, _ = make_correlated_regression(300, 60, rho=0.6, noise=1.5, n_nonzero=8, rng=3)
A, b, A_val, b_val = A_all[:150], b_all[:150], A_all[150:], b_all[150:]
lam_max = np.max(np.abs(A.T @ b)) / len(b)

# %%
# Validation curve, tangents and finite differences
# -------------------------------------------------

lams = np.geomspace(0.01 * lam_max, lam_max, 40)
curve = np.array([lasso_hypergradient(A, b, lam, A_val, b_val)[:2] for lam in lams])
checks = lams[::6]
fd = []
for lam in checks:
    h = 1e-6 * lam
    fd.append((lasso_hypergradient(A, b, lam + h, A_val, b_val)[0]
               - lasso_hypergradient(A, b, lam - h, A_val, b_val)[0]) / (2 * h))
print("implicit :", np.round(curve[::6, 1], 6))
print("finite d.:", np.round(fd, 6))

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
axes[0].semilogx(lams, curve[:, 0], color="0.3", label="validation loss $h(\\lambda)$")
for lam, (val, g) in zip(checks, curve[::6]):
    span = np.array([0.85, 1.15]) * lam
    axes[0].semilogx(span, val + g * (span - lam), "C3-", lw=2)
axes[0].plot([], [], "C3-", lw=2, label="tangent from the hypergradient")
axes[0].set_xlabel(r"$\lambda$")
axes[0].set_ylabel("validation loss")
axes[0].legend()
axes[1].semilogx(lams, curve[:, 1], "-", label="implicit, on the support")
axes[1].semilogx(checks, fd, "o", label="central finite differences")
axes[1].set_xlabel(r"$\lambda$")
axes[1].set_ylabel(r"$h'(\lambda)$")
axes[1].legend()
fig.tight_layout()
plt.show()
