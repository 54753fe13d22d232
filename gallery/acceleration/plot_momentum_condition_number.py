r"""
Iterations against the condition number
=======================================

Gradient descent needs a number of iterations proportional to the condition
number :math:`\kappa = L/\mu` to reach a given accuracy on a strongly convex
quadratic; heavy ball and Nesterov's method need a number proportional to
:math:`\sqrt\kappa`. We measure the number of iterations needed to divide the
distance to the solution by :math:`10^6`, for condition numbers from
:math:`10` to :math:`10^4`.
"""

import math

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.objectives import Quadratic

optbook.plotting.setup_style()

# %%
# Stopping at a target accuracy
# -----------------------------
# A callback that returns ``True`` stops a solver of :mod:`optbook`; ``nit``
# is then the number of iterations performed.


def iterations_to_target(solve, x_star, x0, factor=1e-6):
    target = factor * np.linalg.norm(x0 - x_star)
    res = solve(lambda x: np.linalg.norm(x - x_star) <= target)
    return res.nit


d, mu = 50, 1.0
kappas = np.logspace(1, 4, 7)
counts = {"gradient descent": [], "heavy ball": [], "Nesterov": []}
for kappa in kappas:
    f = Quadratic.random(d, mu, kappa * mu, rng=0)
    L, x_star, x0 = f.lipschitz, f.minimizer(), np.zeros(d)
    rho = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    n_max = int(20 * kappa) + 100
    hb_step = 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2
    counts["gradient descent"].append(iterations_to_target(
        lambda cb: optbook.gradient_descent(f.grad, x0, 2 / (L + mu),
                                            max_iter=n_max, callback=cb),
        x_star, x0))
    counts["heavy ball"].append(iterations_to_target(
        lambda cb: optbook.heavy_ball(f.grad, x0, hb_step, rho**2,
                                      max_iter=n_max, callback=cb),
        x_star, x0))
    counts["Nesterov"].append(iterations_to_target(
        lambda cb: optbook.nesterov(f.grad, x0, 1 / L, mu=mu, max_iter=n_max,
                                    callback=cb),
        x_star, x0))

for name, c in counts.items():
    slope = np.polyfit(np.log(kappas), np.log(c), 1)[0]
    print(f"{name}: iterations grow like kappa^{slope:.2f}")

# %%
# Figure
# ------
# On a log-log scale the counts are lines of slope :math:`1` (gradient
# descent) and :math:`1/2` (momentum methods). The dotted lines are the
# predictions :math:`\frac{\kappa}{2}\ln 10^6` (rate
# :math:`(\kappa-1)/(\kappa+1)`) and :math:`\frac{\sqrt\kappa}{2}\ln 10^6`
# (rate :math:`(\sqrt\kappa-1)/(\sqrt\kappa+1)`).

fig, ax = plt.subplots(figsize=(6.5, 4))
for i, (name, c) in enumerate(counts.items()):
    ax.loglog(kappas, c, "o-", color=f"C{i}", label=name)
ax.loglog(kappas, kappas / 2 * np.log(1e6), ":", color="C0",
          label=r"$\frac{\kappa}{2}\ln 10^6$")
ax.loglog(kappas, np.sqrt(kappas) / 2 * np.log(1e6), ":", color="C1",
          label=r"$\frac{\sqrt{\kappa}}{2}\ln 10^6$")
ax.set_xlabel(r"condition number $\kappa$")
ax.set_ylabel(r"iterations to reach $10^{-6}\|x_0 - x^\star\|$")
ax.set_title("Momentum turns $\\kappa$ into $\\sqrt{\\kappa}$")
ax.legend(loc="upper left")
plt.show()
