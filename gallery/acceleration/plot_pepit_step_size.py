r"""
Worst case of gradient descent against the step size
====================================================

How large should the step of gradient descent be? A performance estimation
problem (PEP) computes the exact worst case of
:math:`f(x_N) - f^\star` over all convex :math:`L`-smooth functions with
:math:`\|x_0 - x^\star\| \le R`. We solve it with PEPit for steps
:math:`h/L`, :math:`h \in (0, 2)`, and compare with the formula
:math:`\frac{LR^2}{2}\max\big(\frac{1}{2Nh+1}, (1-h)^{2N}\big)` conjectured by
Taylor, Hendrickx and Glineur, and with runs of
:func:`optbook.first_order.gradient_descent` on the two functions that attain
it.
"""

import matplotlib.pyplot as plt
import numpy as np
from PEPit import PEP
from PEPit.functions import SmoothConvexFunction

import optbook

optbook.plotting.setup_style()

# %%
# The performance estimation problem
# ----------------------------------
# PEPit works with symbolic points: ``func.gradient(x)`` is a new vector,
# ``func(x)`` a new scalar, and the solver looks for the worst values allowed
# by the interpolation conditions of convex :math:`L`-smooth functions.


def pep_gradient_descent(N, h, L=1.0):
    problem = PEP()
    func = problem.declare_function(SmoothConvexFunction, L=L)
    xs = func.stationary_point()
    x = x0 = problem.set_initial_point()
    problem.set_initial_condition((x0 - xs) ** 2 <= 1)
    for _ in range(N):
        x = x - h / L * func.gradient(x)
    problem.set_performance_metric(func(x) - func(xs))
    return problem.solve(wrapper="cvxpy", solver="CLARABEL", verbose=0)


N, L = 4, 1.0
steps = np.linspace(0.1, 1.95, 12)
worst = np.array([pep_gradient_descent(N, h, L) for h in steps])

# %%
# The two worst-case functions
# ----------------------------
# For small steps, a Huber-type function :math:`f(x) = L\tau|x| - L\tau^2/2`
# outside :math:`[-\tau, \tau]`, :math:`Lx^2/2` inside, with
# :math:`\tau = R/(2Nh+1)`; for large steps, the quadratic :math:`Lx^2/2`, on
# which the iterates oscillate. Gradient descent on each gives a lower bound on
# the worst case.


def huber(tau):
    value = lambda x: float(np.where(abs(x[0]) <= tau, L / 2 * x[0] ** 2,
                                     L * tau * abs(x[0]) - L * tau**2 / 2))
    return value, lambda x: L * np.clip(x, -tau, tau)


observed = []
for h in steps:
    candidates = []
    for value, grad in [huber(1.0 / (2 * N * h + 1)),
                        (lambda x: L / 2 * float(x[0] ** 2), lambda x: L * x)]:
        res = optbook.gradient_descent(grad, [1.0], h / L, max_iter=N)
        candidates.append(value(res.x))
    observed.append(max(candidates))

# %%
# Figure
# ------

h_fine = np.linspace(0.05, 1.98, 400)
formula = L / 2 * np.maximum(1 / (2 * N * h_fine + 1), (1 - h_fine) ** (2 * N))
fig, ax = plt.subplots(figsize=(7, 4))
ax.semilogy(h_fine, formula, "k-", lw=1.2,
            label=r"conjecture $LR^2\max(1/(2Nh+1),\ (1-h)^{2N})/2$")
ax.semilogy(steps, worst, "o", ms=8, mfc="none", label="PEP worst case (PEPit)")
ax.semilogy(steps, observed, "x", ms=7, label="gradient descent on the worst functions")
best = h_fine[np.argmin(formula)]
ax.axvline(best, color="gray", ls=":", label=f"best step $h \\approx {best:.2f}$")
ax.set_xlabel("step $h$ (in units of $1/L$)")
ax.set_ylabel(r"worst case of $f(x_N) - f^\star$")
ax.set_title(f"Gradient descent, $N = {N}$ iterations, $L = R = 1$")
ax.legend(loc="upper center", fontsize=8)
plt.show()
