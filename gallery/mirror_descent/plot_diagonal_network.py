r"""
Kernel and rich regimes of a diagonal linear network
====================================================

Train :math:`w = u\odot u - v\odot v` by gradient descent on an
underdetermined least-squares problem from :math:`u_0 = v_0 = \alpha\mathbf 1`.
Small :math:`\alpha` gives a sparse interpolator close to the
minimum-:math:`\ell_1` one (computed by linear programming), large
:math:`\alpha` the minimum-:math:`\ell_2` one (computed by ``lstsq``), as
Woodworth et al. (2020) showed.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import linprog

import optbook
from optbook.mirror import diagonal_linear_network
from optbook.objectives import LeastSquares

optbook.plotting.setup_style()

rng = np.random.default_rng(0)
n, d = 15, 40
A = rng.standard_normal((n, d))
w_true = np.zeros(d)
w_true[:3] = [2.0, -1.5, 1.0]
b = A @ w_true
lp = linprog(np.ones(2 * d), A_eq=np.hstack([A, -A]), b_eq=b, bounds=(0, None))
w_l1 = lp.x[:d] - lp.x[d:]
w_l2 = np.linalg.lstsq(A, b, rcond=None)[0]
L = LeastSquares(A, b).lipschitz

alphas = np.logspace(-2, 0.5, 6)
ws = []
for alpha in alphas:
    step = 0.9 / (4 * L * (np.abs(w_l1).max() + 2 * alpha**2))
    ws.append(diagonal_linear_network(A, b, alpha, step, max_iter=10_000, tol=1e-8).x)
ws = np.array(ws)

# %%
# Distances of the trained interpolators to the two reference solutions.
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(alphas, np.linalg.norm(ws - w_l1, axis=1), "o-", label=r"to min-$\ell_1$ (linprog)")
ax.loglog(alphas, np.linalg.norm(ws - w_l2, axis=1), "s-", label=r"to min-$\ell_2$ (lstsq)")
ax.set_xlabel(r"initialization scale $\alpha$")
ax.set_ylabel("distance")
ax.legend()
plt.show()
