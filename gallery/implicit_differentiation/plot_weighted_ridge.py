r"""
Many hyperparameters: one regularization per feature
====================================================

A grid search over :math:`p` hyperparameters costs :math:`m^p` fits. A
hypergradient costs one fit and one adjoint linear system whatever
:math:`p`. We give each feature of a ridge regression its own
regularization :math:`e^{\theta_j}`,

.. math::

    x^\star(\theta) = \argmin_x \frac1{2n}\|Ax - b\|^2 + \frac12\sum_j e^{\theta_j}x_j^2,

and minimize the validation loss over :math:`\theta \in \mathbb R^{d}` with
gradient descent, the hypergradient coming from
:func:`optbook.implicit.hypergradient` applied to the optimality condition
:math:`F(x, \theta) = A^\top(Ax - b)/n + e^{\theta}\odot x`. The features
whose true coefficient is zero tend to get larger regularizations, and the
validation loss drops below that of the best single regularization.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
import optbook.autodiff as ad
from optbook.datasets import make_correlated_regression
from optbook.implicit import hypergradient, ridge_hypergradient

optbook.plotting.setup_style()

# %%
# Data with 5 relevant features out of 30
# ---------------------------------------

A_all, b_all, x_true = make_correlated_regression(240, 30, rho=0.3, noise=1.0, n_nonzero=5, rng=1)
A, b, A_val, b_val = A_all[:80], b_all[:80], A_all[80:], b_all[80:]
n, d = A.shape


def F(x, theta):
    return A.T @ (A @ x - b) / n + ad.exp(theta) * x


def inner(theta):
    return np.linalg.solve(A.T @ A / n + np.diag(np.exp(theta)), A.T @ b / n)


def outer_value(theta):
    r = A_val @ inner(theta) - b_val
    return 0.5 * r @ r / len(b_val)


def outer_grad(x):
    return A_val.T @ (A_val @ x - b_val) / len(b_val)


# %%
# Gradient descent on the 30 hyperparameters
# -------------------------------------------

theta0 = np.full(d, np.log(0.1))
values = [outer_value(theta0)]
res = optbook.gradient_descent(lambda th: hypergradient(inner, F, outer_grad, th), theta0,
                               "armijo", f=outer_value, max_iter=60, step0=50.0,
                               callback=lambda th: values.append(outer_value(th)))

# the best single regularization on a grid, for comparison
grid = np.geomspace(1e-3, 10.0, 40)
single = [ridge_hypergradient(A, b, lam, A_val, b_val)[0] for lam in grid]
print(f"best single lambda: validation loss {min(single):.4f} ({len(grid)} fits)")
print(f"one lambda per feature: validation loss {values[-1]:.4f} ({res.nit} gradient steps)")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
axes[0].plot(values, "o-", ms=3, label="per-feature regularization")
axes[0].axhline(min(single), color="0.5", ls="--", label="best single $\\lambda$ (grid)")
axes[0].set_xlabel("gradient step on $\\theta$")
axes[0].set_ylabel("validation loss")
axes[0].legend()
relevant = x_true != 0
axes[1].bar(np.flatnonzero(relevant), res.x[relevant], color="C2", label="true coefficient $\\neq 0$")
axes[1].bar(np.flatnonzero(~relevant), res.x[~relevant], color="C3", label="true coefficient $= 0$")
axes[1].set_xlabel("feature $j$")
axes[1].set_ylabel(r"learned $\theta_j = \log\lambda_j$")
axes[1].legend()
fig.tight_layout()
plt.show()
