r"""
Gap-safe screening along a regularization path
==============================================

A feature whose correlation with the dual point is small enough, compared
with the radius :math:`\sqrt{2\,\mathrm{gap}/(n\lambda^2)}` of a ball that
contains the dual solution, has a zero coefficient at every solution: it can
be removed. We solve the Lasso on a path of :math:`\lambda` with and without
screening (``lasso_cd(..., screening=True)``), and count the screened features
against the zeros of a solution computed without screening: the rule is
safe, it never removes a coordinate of that solution's support.
"""

import time

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.datasets import make_correlated_regression
from optbook.duality import lasso_cd

optbook.plotting.setup_style()

A, b, _ = make_correlated_regression(200, 800, rho=0.5, noise=0.5, n_nonzero=20, rng=0)
n, d = A.shape
lam_max = np.abs(A.T @ b).max() / n
lams = lam_max * np.geomspace(0.9, 0.02, 10)

# %%
# The path, with warm starts
# --------------------------
screened, zeros, times = [], [], {False: 0.0, True: 0.0}
for screening in [False, True]:
    x = np.zeros(d)
    for lam in lams:
        t0 = time.perf_counter()
        res = lasso_cd(A, b, lam, x0=x, tol=1e-10, screening=screening)
        times[screening] += time.perf_counter() - t0
        x = res.x
        if screening:
            # a reference solved without screening, to a tighter gap
            ref = lasso_cd(A, b, lam, x0=x, tol=1e-14)
            screened.append(res.n_screened)
            zeros.append(np.sum(ref.x == 0))
            # safety: screening removes only zeros of the reference solution,
            # and keeps every coordinate of its support
            assert res.n_screened <= zeros[-1]
            assert np.all(res.x[ref.x != 0] != 0)
print(f"path time: {times[False]:.2f} s without screening, {times[True]:.2f} s with")

fig, ax = plt.subplots(figsize=(7, 4))
ax.semilogx(lams / lam_max, zeros, "k-", label="zeros of the solution (no screening)")
ax.semilogx(lams / lam_max, screened, "o", color="C1", label="screened features")
ax.set_xlabel(r"$\lambda / \lambda_{\max}$")
ax.set_ylabel("number of features")
ax.invert_xaxis()
ax.legend()
fig.tight_layout()
plt.show()
