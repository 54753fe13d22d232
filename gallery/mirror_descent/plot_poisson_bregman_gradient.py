r"""
Bregman proximal gradient on a Poisson inverse problem
======================================================

Recover a nonnegative image-like signal :math:`x` from Poisson counts
:math:`b \sim \mathrm{Poisson}(Ax)` by minimizing the negative
log-likelihood :math:`f(x) = \sum_i \langle a_i, x\rangle - b_i\log\langle a_i, x\rangle`.
Its gradient is not Lipschitz on :math:`x > 0`, but :math:`f` is
:math:`\|b\|_1`-smooth relative to Burg's entropy :math:`-\sum_j\log x_j`
(Bauschke, Bolte and Teboulle), so the Bregman proximal gradient method with
the step :math:`1/\|b\|_1` decreases :math:`f` at every step and converges at
the rate :math:`D_h(x^\star, x_0)\|b\|_1/k`.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import minimize

import optbook
from optbook.mirror import BurgEntropy, bregman_proximal_gradient

optbook.plotting.setup_style()

rng = np.random.default_rng(0)
n, d = 60, 20
A = rng.uniform(0.0, 1.0, (n, d))
x_true = rng.uniform(0.5, 3.0, d)
b = rng.poisson(A @ x_true).astype(float) + 1.0


def f(x):
    z = A @ x
    return np.sum(z - b * np.log(z))


def grad(x):
    return A.T @ (1.0 - b / (A @ x))


L = b.sum()
ref = minimize(f, np.ones(d), jac=grad, method="L-BFGS-B", bounds=[(1e-12, None)] * d,
               options={"ftol": 1e-15, "gtol": 1e-11, "maxiter": 20000})
f_star = ref.fun
x0 = np.ones(d)
h = BurgEntropy()
values = [f(x0)]
res = bregman_proximal_gradient(grad, x0, 1.0 / L, h, max_iter=3000,
                                callback=lambda x: values.append(f(x)))
print(res.message)

# %%
# The gap :math:`f(x_k) - f^\star` (the reference from L-BFGS-B with
# positivity bounds) against the bound of the theorem.
k = np.arange(1, len(values))
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(k, np.maximum(np.array(values[1:]) - f_star, 1e-12), label="Bregman proximal gradient")
ax.loglog(k, L * h.divergence(np.maximum(ref.x, 1e-12), x0) / k, "k--", label=r"$L\,D_h(x^\star, x_0)/k$")
ax.set_xlabel("iteration $k$")
ax.set_ylabel(r"$f(x_k) - f^\star$")
ax.legend()
plt.show()
