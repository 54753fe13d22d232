r"""
Gauss–Newton and Levenberg–Marquardt on a curve fit
===================================================

We fit a sum of two decaying exponentials
:math:`b \approx x_1 e^{-x_2 t} + x_3 e^{-x_4 t}` to noisy data, a classical
ill-conditioned nonlinear least-squares problem, with
:func:`optbook.second_order.gauss_newton` (with and without backtracking) and
:func:`optbook.second_order.levenberg_marquardt`, and compare with
:func:`scipy.optimize.least_squares`. Without a line search, Gauss–Newton
diverges from this starting point (its values are clipped at :math:`10^{12}`
in the plot).
"""

import matplotlib.pyplot as plt
import numpy as np
import scipy.optimize

import optbook
from optbook.second_order import gauss_newton, levenberg_marquardt

optbook.plotting.setup_style()

rng = np.random.default_rng(0)
t = np.linspace(0, 5, 60)
truth = np.array([1.0, 0.5, 2.0, 3.0])
b = truth[0] * np.exp(-truth[1] * t) + truth[2] * np.exp(-truth[3] * t)
b += 0.01 * rng.standard_normal(t.size)


def residual(x):
    return x[0] * np.exp(-x[1] * t) + x[2] * np.exp(-x[3] * t) - b


def jacobian(x):
    e1, e2 = np.exp(-x[1] * t), np.exp(-x[3] * t)
    return np.column_stack([e1, -x[0] * t * e1, e2, -x[2] * t * e2])


def half_sq(x):
    r = residual(x)
    return 0.5 * float(r @ r)


# %%
# Runs
# ----
x0 = np.array([2.0, 1.0, 1.0, 1.5])
ref = scipy.optimize.least_squares(residual, x0, jac=jacobian, method="lm", xtol=1e-15,
                                   ftol=1e-15, gtol=1e-15)
F_star = 0.5 * float(ref.fun @ ref.fun)
runs = {}
for name, solve in {
    "Gauss-Newton, backtracking": lambda cb: gauss_newton(residual, jacobian, x0, tol=1e-9,
                                                          callback=cb),
    "Gauss-Newton, full steps": lambda cb: gauss_newton(residual, jacobian, x0, tol=1e-9,
                                                        line_search=False, max_iter=12,
                                                        callback=cb),
    "Levenberg-Marquardt": lambda cb: levenberg_marquardt(residual, jacobian, x0, tol=1e-9,
                                                          callback=cb),
}.items():
    trace = optbook.Trace(f=half_sq, x0=x0)
    res = solve(trace)
    runs[name] = (np.array(trace.values) - F_star, res.x)
    print(f"{name:27} {res.nit:3d} iterations, success={res.success}, "
          f"|x - x_scipy| = {np.abs(res.x - ref.x).max():.1e}")

# %%
# Fit and convergence
# -------------------
fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
axes[0].plot(t, b, "k.", label="data")
x_fit = runs["Levenberg-Marquardt"][1]
axes[0].plot(t, x_fit[0] * np.exp(-x_fit[1] * t) + x_fit[2] * np.exp(-x_fit[3] * t), "C1",
             label="Levenberg-Marquardt fit")
axes[0].set_xlabel("$t$")
axes[0].set_ylabel("$b$")
axes[0].legend(fontsize=8)
for i, (name, (gaps, _)) in enumerate(runs.items()):
    axes[1].semilogy(np.clip(np.abs(gaps), 1e-16, 1e12), "o-", ms=3, color=f"C{i}", label=name)
axes[1].set_xlabel("iteration $k$")
axes[1].set_ylabel(r"$|F(x_k) - F^\star|$")
axes[1].legend(fontsize=8)
fig.tight_layout()
plt.show()
