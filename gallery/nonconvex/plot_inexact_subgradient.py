r"""
Inexact subgradients: fluctuations of order :math:`\varepsilon^\rho`
====================================================================

:func:`optbook.nonconvex.inexact_subgradient` runs
:math:`x_{k+1} = x_k - \gamma_k(g_k + e_k)` with errors
:math:`\lVert e_k\rVert \le \varepsilon` that do not vanish. With errors
drawn at random in the ball, they average out; an adversarial error
:math:`e_k = -\varepsilon\,\mathrm{sign}(x_k)` stops the method where
:math:`\lvert f'(x)\rvert = \varepsilon`, at distance :math:`\varepsilon/2` for
:math:`x^2` and :math:`(\varepsilon/4)^{1/3}` for the flat :math:`x^4`: the
distance to the critical set is of order :math:`\varepsilon^\rho`, with an
exponent :math:`\rho` set by the geometry of :math:`f`.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.nonconvex import inexact_subgradient

optbook.plotting.setup_style()

problems = {"$x^2$": (lambda x: 2 * x, 1.0, 0.1), "$x^4$": (lambda x: 4 * x**3, 0.1, 2.0)}
eps_grid = np.logspace(-6, -1, 6)

# %%
# Adversarial and random errors
# -----------------------------

results = {}
for name, (sub, x0, step) in problems.items():
    for kind in ("adversarial", "random"):
        dist = []
        for eps in eps_grid:
            oracle = (lambda x, g, rng, e=eps: -e * np.sign(x)) if kind == "adversarial" else None
            tail = []
            inexact_subgradient(sub, np.array([x0]), step, error=eps, error_oracle=oracle,
                                max_iter=2500, seed=0, callback=lambda x: tail.append(abs(x[0])))
            dist.append(np.mean(tail[-300:]))
        results[name, kind] = np.array(dist)

fig, ax = plt.subplots(figsize=(6.5, 4))
for i, name in enumerate(problems):
    ax.loglog(eps_grid, results[name, "adversarial"], "o-", color=f"C{i}",
              label=f"{name}, adversarial")
    ax.loglog(eps_grid, results[name, "random"], "s:", color=f"C{i}", label=f"{name}, random")
ax.loglog(eps_grid, eps_grid / 2, "k--", lw=1, label=r"$\varepsilon/2$")
ax.loglog(eps_grid, (eps_grid / 4) ** (1 / 3), "k-.", lw=1, label=r"$(\varepsilon/4)^{1/3}$")
ax.set_xlabel(r"error bound $\varepsilon$")
ax.set_ylabel("mean distance to the critical point (last 300 steps)")
ax.legend(fontsize=7)
plt.show()
