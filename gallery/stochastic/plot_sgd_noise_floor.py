r"""
The noise floor of SGD: step size and minibatch size
====================================================

With a constant step :math:`\gamma \le 1/(2L_{\max})` and minibatches of size
:math:`b`, SGD on a :math:`\mu`-strongly convex finite sum converges linearly
to a *noise floor*: :math:`\mathbb{E}\|x_k - x^\star\|^2 \le (1 - \gamma\mu)^k
\|x_0 - x^\star\|^2 + 2\gamma\sigma^2/(\mu b)`, where :math:`\sigma^2` is the
variance of the sample gradients at the solution. We measure the floor for a
grid of steps and minibatch sizes on least squares and check that it scales
like :math:`\gamma/b`, as the bound says. For small steps the floor is in fact
close to :math:`\gamma\,\mathrm{tr}(H^{-1}\Sigma)/(2b)`, with :math:`H` the
Hessian and :math:`\Sigma` the covariance of the sample gradients at
:math:`x^\star`; the bound replaces :math:`H^{-1}` by :math:`I/\mu` and loses a
constant factor.
"""

import matplotlib.pyplot as plt
import numpy as np

import optbook
from optbook.datasets import make_correlated_regression
from optbook.objectives import LeastSquares
from optbook.stochastic import sgd

optbook.plotting.setup_style()

A, b, _ = make_correlated_regression(200, 5, condition_number=2.0, noise=1.0, rng=0)
f = LeastSquares(A, b)
n, d = A.shape
x_star = f.minimizer()
L_max = np.max(np.sum(A**2, axis=1))
mu = f.strong_convexity
G = A * (A @ x_star - b)[:, None]          # rows: grad f_i(x*), mean zero
sigma2 = np.mean(np.sum(G**2, axis=1))
Sigma = G.T @ G / n
H = f.hess()
print(f"L_max = {L_max:.2f}, mu = {mu:.2f}, sigma^2 = {sigma2:.2f}")

# %%
# Measuring the floor
# -------------------
# Each run starts at :math:`x^\star`, so that it is at the floor from the start
# up to a burn-in of a few :math:`1/(\gamma\mu)` iterations, which we discard.
# The floor is then estimated by the time average of
# :math:`\|x_k - x^\star\|^2` over the following iterations (an ergodic
# average, which converges to the stationary expectation).


def floor(gamma, batch_size, n_avg=4000, seed=0):
    burn_in = int(3 / (gamma * mu))
    values = []
    n_iter = burn_in + n_avg
    sgd(f.grad_i, x_star, n, step=gamma, batch_size=batch_size,
        max_epochs=int(np.ceil(n_iter * batch_size / n)), rng=seed, callback_every=1,
        callback=lambda x: values.append(np.sum((x - x_star) ** 2)))
    return np.mean(values[burn_in:n_iter])


steps = [1 / (2 * L_max), 1 / (8 * L_max), 1 / (32 * L_max)]
batches = [1, 4, 16]
floors = {bs: np.array([floor(g, bs) for g in steps]) for bs in batches}

# %%
# Floor against :math:`\gamma/b`
# -------------------------------
# All the points fall on one line of slope one: the floor depends on the step
# and the minibatch size only through :math:`\gamma/b`. Doubling the batch
# size is worth halving the step, at twice the cost per iteration.

ratio = np.geomspace(min(steps) / max(batches), max(steps), 50)
fig, ax = plt.subplots(figsize=(7, 4.2))
for i, bs in enumerate(batches):
    ax.loglog(np.array(steps) / bs, floors[bs], "o", color=f"C{i}", ms=7,
              label=f"measured, $b = {bs}$")
ax.loglog(ratio, 2 * ratio * sigma2 / mu, "--", color="k",
          label=r"bound $2\gamma\sigma^2/(\mu b)$")
ax.loglog(ratio, ratio * np.trace(np.linalg.solve(H, Sigma)) / 2, ":", color="gray",
          label=r"small-step limit $\gamma\,\mathrm{tr}(H^{-1}\Sigma)/(2b)$")
ax.set_xlabel(r"$\gamma / b$")
ax.set_ylabel(r"floor of $\|x_k - x^\star\|^2$ (time average)")
ax.set_title("The noise floor of SGD scales like $\\gamma/b$")
ax.legend(loc="upper left")
plt.show()
