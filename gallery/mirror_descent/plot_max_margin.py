r"""
Logistic regression on separable data converges to the max-margin direction
===========================================================================

Gradient descent on the unregularized logistic loss of separable data
diverges in norm, and its direction converges to the hard-margin SVM
direction (Soudry et al., 2018), but only at a logarithmic rate. The SVM
direction is computed independently here, from the SVM dual solved with
L-BFGS-B.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import minimize

import optbook
from optbook.objectives import LogisticRegression

optbook.plotting.setup_style()

rng = np.random.default_rng(1)
n = 30
A = rng.standard_normal((n, 2))
y = np.where(A @ np.array([1.0, -1.0]) > 0, 1.0, -1.0)
A += 0.2 * y[:, None] * np.array([1.0, -1.0]) / np.sqrt(2)
M = y[:, None] * A
dual = minimize(lambda a: (0.5 * np.sum((M.T @ a) ** 2) - a.sum(), M @ (M.T @ a) - 1.0),
                np.zeros(n), jac=True, method="L-BFGS-B", bounds=[(0, None)] * n,
                options={"ftol": 1e-15, "gtol": 1e-12})
w_hat = M.T @ dual.x

f = LogisticRegression(A, y)
xs = []
optbook.gradient_descent(f.grad, np.zeros(2), 1 / f.lipschitz, max_iter=5000,
                         callback=lambda x: xs.append(x.copy()))
xs = np.array(xs)
angle = np.arccos(np.clip(xs @ w_hat / (np.linalg.norm(xs, axis=1) * np.linalg.norm(w_hat)), -1, 1))

# %%
# The angle between :math:`x_k` and :math:`\hat w`, and the norm
# :math:`\|x_k\|`, which grows like :math:`\log k`.
k = np.arange(1, len(xs) + 1)
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
axes[0].semilogx(k, angle)
axes[0].set_xlabel("iteration $k$")
axes[0].set_ylabel(r"angle$(x_k, \hat w)$ (rad)")
axes[1].semilogx(k, np.linalg.norm(xs, axis=1))
axes[1].set_xlabel("iteration $k$")
axes[1].set_ylabel(r"$\|x_k\|$")
fig.tight_layout()
plt.show()
