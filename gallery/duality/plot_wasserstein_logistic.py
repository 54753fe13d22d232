r"""
Wasserstein-robust logistic regression is norm-regularized
==========================================================

The worst-case logistic risk over all distributions within Wasserstein
distance :math:`\rho` of the data (moving features only, Euclidean cost)
equals the empirical risk plus :math:`\rho\|x\|_2`. So the robust model is the
solution of a regularized problem with a *non-squared* norm penalty. We fit it
for several radii (by proximal gradient on the regularized form, using
:func:`optbook.first_order.proximal_gradient` and
:func:`optbook.prox.prox_l2`) and check the identity on the fitted models with
the worst-case distributions of the proof: moving a tiny mass far along
:math:`-y_i x/\|x\|`.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.datasets import load_breast_cancer
from optbook.objectives import LogisticRegression
from optbook.prox import prox_l2

optbook.plotting.setup_style()

A, y = load_breast_cancer()
n, d = A.shape
f = LogisticRegression(A, y)

# %%
# Robust models for several radii
# -------------------------------
rhos = np.geomspace(1e-3, 0.3, 8)
robust, perturbed = [], []
x = np.zeros(d)
for rho in rhos:
    res = optbook.proximal_gradient(f.grad, lambda v, t, rho=rho: prox_l2(v, rho * t), x,
                                    1 / f.lipschitz, max_iter=1000)
    x = res.x
    robust.append(f.value(x) + rho * np.linalg.norm(x))
    # an explicit distribution in the ball: move mass p/n of the worst sample
    margins = y * (A @ x)
    i, p = np.argmin(margins), 1e-7
    M = n * rho * np.linalg.norm(x) / p
    perturbed.append(f.value(x) + p / n * (np.logaddexp(0, -(margins[i] - M))
                                           - np.logaddexp(0, -margins[i])))

print("max relative difference:",
      np.max(np.abs(np.array(perturbed) - robust) / np.array(robust)))
fig, ax = plt.subplots(figsize=(7, 4))
ax.semilogx(rhos, robust, "k-", label=r"empirical risk $+\,\rho\|x_\rho\|_2$")
ax.semilogx(rhos, perturbed, "o", color="C1", label="risk under a perturbed distribution")
ax.set_xlabel(r"radius $\rho$")
ax.set_ylabel(r"worst-case risk of the model $x_\rho$")
ax.legend()
fig.tight_layout()
plt.show()
