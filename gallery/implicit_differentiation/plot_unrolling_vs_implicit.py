r"""
Unrolling the solver or differentiating the solution
====================================================

The ridge solution :math:`x^\star(\lambda) = (A^\top A/n + \lambda I)^{-1}A^\top b/n`
has the derivative :math:`dx^\star/d\lambda = -(A^\top A/n + \lambda I)^{-1}x^\star`.
We approximate it in two ways after :math:`K` steps of gradient descent:
by differentiating the :math:`K` steps with :mod:`optbook.autodiff`
(:func:`optbook.implicit.unrolled_jacobian`), and by applying the implicit
formula at the last iterate (:func:`optbook.implicit.implicit_vjp`). Both
errors decay linearly; the unrolled one carries an extra factor :math:`K`,
as the theorem ``thm-unrolled-ridge`` of the chapter predicts.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.datasets import make_correlated_regression
from optbook.implicit import implicit_vjp, unrolled_jacobian

optbook.plotting.setup_style()

# %%
# A ridge problem with :math:`\kappa_\lambda \approx 30`
# ------------------------------------------------------

A, b, _ = make_correlated_regression(100, 20, condition_number=40.0, rng=0)
n, d = A.shape
lam = 0.01
H = A.T @ A / n + lam * np.eye(d)
x_star = np.linalg.solve(H, A.T @ b / n)
J_star = -np.linalg.solve(H, x_star)
eigs = np.linalg.eigvalsh(H)
gamma = 1.0 / eigs[-1]
rho = 1 - gamma * eigs[0]


def F(x, theta):  # optimality condition: the gradient of the ridge objective
    return A.T @ (A @ x - b) / n + theta[0] * x


def step(x, theta):  # one gradient step, written with autodiff operations
    return x - gamma * F(x, theta)


# %%
# Errors after K steps
# --------------------
# The implicit estimate needs one vector-Jacobian product per coordinate to
# form the whole vector :math:`dx/d\lambda` (here :math:`d = 20`).

Ks = np.arange(0, 701, 100)
err_unrolled, err_implicit = [], []
for K in Ks:
    xK, JK = unrolled_jacobian(step, np.zeros(d), np.array([lam]), int(K))
    err_unrolled.append(np.linalg.norm(JK[:, 0] - J_star))
    J_imp = np.array([implicit_vjp(F, xK, np.array([lam]), e)[0] for e in np.eye(d)])
    err_implicit.append(np.linalg.norm(J_imp - J_star))
e0 = np.linalg.norm(x_star)
bound_unrolled = rho ** Ks * np.linalg.norm(J_star) + gamma * Ks * rho ** np.maximum(Ks - 1, 0) * e0
bound_implicit = rho ** Ks * e0 / eigs[0]

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.semilogy(Ks, err_unrolled, "o-", label="unrolled gradient descent")
ax.semilogy(Ks, err_implicit, "s-", label="implicit formula at $x_K$")
ax.semilogy(Ks, bound_unrolled, "C0--", label="bound (unrolled)")
ax.semilogy(Ks, bound_implicit, "C1--", label="bound (implicit)")
ax.set_xlabel("number of gradient steps $K$")
ax.set_ylabel(r"$\|dx_K/d\lambda - dx^\star/d\lambda\|$")
ax.legend()
fig.tight_layout()
plt.show()
