r"""
SDCA for ridge, SVM and logistic regression
===========================================

Stochastic dual coordinate ascent, :func:`optbook.duality.sdca`, updates one
dual variable per sample. Its duality gap :math:`P(x) - D(\alpha)` costs one
pass over :math:`A` (the dual variables and :math:`x(\alpha)` are maintained)
and certifies the primal suboptimality. For smooth losses (squared, logistic)
it decreases linearly; for the hinge loss of the SVM, it decreases more
slowly. The example checks that the solutions agree with scikit-learn's
``Ridge``, ``LinearSVC(loss="hinge")`` and ``LogisticRegression``.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.svm import LinearSVC

import optbook
from optbook.datasets import load_breast_cancer
from optbook.duality import sdca

optbook.plotting.setup_style()

A, y = load_breast_cancer()
n = A.shape[0]
lam = 1e-2

# %%
# Gaps per epoch and comparison with scikit-learn
# -----------------------------------------------
C = 1 / (lam * n)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    refs = {
        "squared": Ridge(alpha=lam * n, fit_intercept=False).fit(A, y).coef_,
        "hinge": LinearSVC(loss="hinge", C=C, fit_intercept=False, dual=True, tol=1e-8,
                           max_iter=100_000).fit(A, y).coef_.ravel(),
        "logistic": LogisticRegression(C=C, fit_intercept=False, tol=1e-10,
                                       max_iter=10_000).fit(A, y).coef_.ravel(),
    }
fig, ax = plt.subplots(figsize=(7, 4))
for loss in ["squared", "logistic", "hinge"]:
    res = sdca(A, y, lam, loss=loss, max_epochs=200, tol=1e-12)
    ax.semilogy(np.maximum(res.gaps, 1e-16), label=loss)
    err = np.abs(res.x - refs[loss]).max()
    print(f"{loss:>8}: {res.nit} epochs, gap {res.gap:.1e}, max |x - x_sklearn| = {err:.1e}")
    assert err < 1e-3, (loss, err)
ax.set_xlabel("epoch")
ax.set_ylabel(r"duality gap $P(x) - D(\alpha)$")
ax.legend()
fig.tight_layout()
plt.show()
