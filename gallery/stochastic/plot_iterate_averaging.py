r"""
Iterate averaging: last iterate, uniform and weighted averages
==============================================================

With a constant step, the iterates of SGD fluctuate around the solution at the
height of the noise floor. Their average fluctuates much less. On least
squares the Polyak–Ruppert average :math:`\bar x_K = \frac1K\sum_{k<K} x_k` of
constant-step SGD even converges to :math:`x^\star`, at rate :math:`O(1/K)`,
because the iteration is affine and its stationary distribution is centred at
:math:`x^\star` (Bach and Moulines, 2013). :func:`optbook.stochastic.sgd`
maintains the uniform average (``average=True``) or the average with weights
:math:`k+1` (``average="linear"``) on the fly, at the cost of one vector
operation per iteration, and passes it to the callback with
``callback_on="average"``.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.datasets import make_correlated_regression
from optbook.objectives import LeastSquares
from optbook.stochastic import sgd

optbook.plotting.setup_style()

A, b, _ = make_correlated_regression(1000, 20, condition_number=10.0, noise=1.0, rng=1)
f = LeastSquares(A, b)
n, d = A.shape
x_star = f.minimizer()
f_star = f.value(x_star)
L_max = np.max(np.sum(A**2, axis=1))
mu = f.strong_convexity
x0 = np.zeros(d)
every, n_epochs = 200, 30

# %%
# Runs
# ----
# The same seed gives the same iterates, so the last iterate and its averages
# come from one trajectory. We add SGD with the decreasing steps
# :math:`\gamma_k = 2/(\mu(k + 4\kappa_{\max}))`, for which the last iterate
# converges at rate :math:`O(1/k)`.


def gaps(step, average=True, on="iterate"):
    trace = optbook.Trace(f=f.value, f_star=f_star)
    sgd(f.grad_i, x0, n, step=step, average=average, max_epochs=n_epochs, rng=0,
        callback_every=every, callback_on=on, callback=trace)
    return np.array(trace.values)


gamma = 1 / (2 * L_max)
curves = {
    "last iterate, constant step": gaps(gamma),
    "uniform average": gaps(gamma, average="uniform", on="average"),
    "weighted average (weights $k+1$)": gaps(gamma, average="linear", on="average"),
    "last iterate, $\\gamma_k = 2/(\\mu(k + 4\\kappa_{\\max}))$": gaps(
        lambda k: 2 / (mu * (k + 4 * L_max / mu)), average=False),
}
k = every * np.arange(1, len(curves["uniform average"]) + 1)

# %%
# Figure
# ------
# The uniform average pays for its memory of the first, bad iterates: it
# decreases like :math:`1/k` from a high start. The weighted average forgets
# them faster. Both beat the last iterate of constant-step SGD, which stalls
# at the floor.

fig, ax = plt.subplots(figsize=(7, 4.2))
for i, (name, gap) in enumerate(curves.items()):
    ax.loglog(k, gap, color=f"C{i}", label=name)
ax.loglog(k, curves["uniform average"][-1] * k[-1] / k, ":", color="gray",
          label=r"$\propto 1/k$")
ax.set_xlabel("iteration $k$")
ax.set_ylabel(r"$f(x) - f^\star$")
ax.set_title("SGD on least squares: averaging removes the noise floor")
ax.legend(loc="lower left", fontsize=8)
plt.show()
