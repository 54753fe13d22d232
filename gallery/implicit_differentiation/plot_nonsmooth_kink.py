r"""
At a kink: conservative Jacobians of the Lasso solution map
===========================================================

In one dimension, with :math:`H = a^\top a/n` and :math:`c = a^\top b/n`, the
Lasso solution is :math:`x^\star(\lambda) = \operatorname{sign}(c)(|c| - \lambda)_+ / H`,
with a kink at :math:`\lambda = |c|`. There the equicorrelation set is
:math:`\{1\}` and :math:`H > 0`, so the invertibility hypothesis of the
nonsmooth implicit function theorem holds, and the conservative Jacobian of
the solution map is the set of :math:`-A^{-1}B` over the elements
:math:`[A\ B]` of the conservative Jacobian of the proximal fixed point
:math:`F(x, \lambda) = x - \operatorname{prox}_{\gamma\lambda|\cdot|}(x - \gamma(Hx - c))`:
:math:`A = 1 - \delta(1 - \gamma H)`, :math:`B = \gamma\delta\operatorname{sign}(c)`,
:math:`\delta \in [0, 1]`. This set fills the segment between the two
one-sided derivatives. :func:`optbook.implicit.implicit_vjp` returns the
element with :math:`\delta = 0` (the autodiff convention
:math:`\mathrm{relu}'(0) = 0`).
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.implicit import implicit_vjp, lasso_fixed_point

optbook.plotting.setup_style()

rng = np.random.default_rng(0)
n = 50
a = rng.standard_normal((n, 1))
b = 0.8 * a[:, 0] + 0.5 * rng.standard_normal(n)
H, c = float(a[:, 0] @ a[:, 0]) / n, float(a[:, 0] @ b) / n
gamma = 0.5 / H
F = lasso_fixed_point(a, b, gamma)


def solution(lam):
    return np.sign(c) * max(abs(c) - lam, 0.0) / H


# %%
# The path, its derivative from implicit_vjp, and the set at the kink
# -------------------------------------------------------------------

lams = np.linspace(0.2 * abs(c), 1.5 * abs(c), 200)
lams = np.append(lams, abs(c))  # the kink itself
lams.sort()
deriv = [implicit_vjp(F, np.array([solution(lam)]), np.array([lam]), np.ones(1))[0] for lam in lams]
delta = np.linspace(0.0, 1.0, 11)
conservative = -gamma * delta * np.sign(c) / (1 - delta * (1 - gamma * H))
print("at the kink, implicit_vjp returns", deriv[int(np.flatnonzero(lams == abs(c))[0])] + 0.0)
print("one-sided derivatives: left", -np.sign(c) / H, "right", 0.0)

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
axes[0].plot(lams, [solution(lam) for lam in lams])
axes[0].axvline(abs(c), color="0.5", ls=":")
axes[0].set_xlabel(r"$\lambda$")
axes[0].set_ylabel(r"$x^\star(\lambda)$")
axes[1].plot(lams, deriv, ".", ms=3, label="implicit_vjp (autodiff convention)")
axes[1].plot(np.full_like(delta, abs(c)), conservative, "C3s", ms=5,
             label=r"$-A^{-1}B$, $\delta \in [0, 1]$, at the kink")
axes[1].axvline(abs(c), color="0.5", ls=":")
axes[1].set_xlabel(r"$\lambda$")
axes[1].set_ylabel(r"$dx^\star/d\lambda$")
axes[1].legend()
fig.tight_layout()
plt.show()
