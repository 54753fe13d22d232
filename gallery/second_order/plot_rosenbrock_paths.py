r"""
Damped Newton, BFGS and L-BFGS on Rosenbrock's function
=======================================================

Rosenbrock's function :math:`f(x) = (1 - x_1)^2 + 100(x_2 - x_1^2)^2` has a
curved valley in which gradient methods crawl. We draw the paths of damped
Newton (:func:`optbook.second_order.damped_newton`), BFGS and L-BFGS
(:func:`optbook.second_order.bfgs`, :func:`optbook.second_order.lbfgs`, strong
Wolfe line search) and gradient descent with the constant step
:math:`10^{-3}` from the classical start :math:`(-1.2, 1)`.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import rosen, rosen_der, rosen_hess

import optbook
from optbook.second_order import bfgs, damped_newton, lbfgs

optbook.plotting.setup_style()

x0 = np.array([-1.2, 1.0])

# %%
# Runs
# ----
paths = {}
for name, solve in {
    "damped Newton": lambda cb: damped_newton(rosen, rosen_der, rosen_hess, x0, callback=cb),
    "BFGS": lambda cb: bfgs(rosen, rosen_der, x0, tol=1e-10, callback=cb),
    "L-BFGS (m = 3)": lambda cb: lbfgs(rosen, rosen_der, x0, memory=3, tol=1e-10, callback=cb),
    "gradient descent": lambda cb: optbook.gradient_descent(rosen_der, x0, 1 / 1000,
                                                            max_iter=2000, callback=cb),
}.items():
    trace = optbook.Trace(store_iterates=True, x0=x0, f=rosen)
    res = solve(trace)
    paths[name] = (np.array(trace.iterates), np.array(trace.values))
    print(f"{name:17} {res.nit:5d} iterations, f = {rosen(res.x):.2e}")

# %%
# Paths and values
# ----------------
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
X, Y = np.meshgrid(np.linspace(-1.6, 1.6, 300), np.linspace(-0.5, 1.6, 300))
Z = (1 - X) ** 2 + 100 * (Y - X**2) ** 2
axes[0].contour(X, Y, np.log10(Z + 1e-3), levels=20, colors="0.7", linewidths=0.6)
for i, (name, (pts, vals)) in enumerate(paths.items()):
    axes[0].plot(pts[:, 0], pts[:, 1], ".-", color=f"C{i}", ms=3, lw=1, label=name)
    axes[1].semilogy(np.maximum(vals, 1e-20), color=f"C{i}", label=name)
axes[0].plot(1, 1, "k*", ms=10)
axes[0].set_xlabel("$x_1$")
axes[0].set_ylabel("$x_2$")
axes[0].legend(fontsize=7)
axes[1].set_xscale("symlog", linthresh=10)
axes[1].set_xlabel("iteration $k$")
axes[1].set_ylabel("$f(x_k) - f^\\star$")
fig.tight_layout()
plt.show()
