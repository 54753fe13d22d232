r"""Theorem checks for the rate theorems added to chapter 2 by issue 12.

* ``thm-subgradient-strongly-convex``: the subgradient method with steps
  :math:`\gamma_k = 2/(\mu(k+2))` on a :math:`\mu`-strongly convex function
  whose subgradients at the iterates are bounded by :math:`G`; the average
  :math:`\bar x_K = \sum_{k<K}(k+1)x_k/\sum_{k<K}(k+1)` satisfies
  :math:`f(\bar x_K) - f^\star \le 2G^2/(\mu(K+1))`, and
  :math:`\|x_K - x^\star\|^2 \le 4G^2/(\mu^2(K+1))`; also for the projected
  method (``subgradient_descent(..., proj=...)``) over a box.
* ``thm-subgradient`` for the projected subgradient method
  (``alg-projected-subgradient``, ``proj=``), which the chapter states holds
  verbatim with :math:`f^\star = \min_C f` and :math:`G` a bound on :math:`C`.
* ``thm-proximal-gradient-strongly-convex``: the proximal gradient method with
  :math:`0 < \gamma \le 2/(L+\mu)` on :math:`f + g`, :math:`f` :math:`\mu`-strongly
  convex and :math:`L`-smooth, satisfies
  :math:`\|x_k - x^\star\|^2 \le (1 - 2\gamma\mu L/(\mu+L))^k\|x_0 - x^\star\|^2`.

Each test asserts the bound at every iteration and checks that it is not
vacuous (the worst ratio of the two sides over the run exceeds a stated
fraction).
"""

import numpy as np
import pytest

import functools

import optbook
from optbook.prox import proj_box, prox_l1

from theorem_checks import assert_upper, run, sq_dist


def sc_abs_instance(seed):
    r"""f(x) = mu/2 ||x||^2 + ||D x||_1 (D diagonal, positive): x* = 0, f* = 0."""
    rng = np.random.default_rng(seed)
    d = 5
    mu = 1.0
    w = rng.uniform(0.5, 2.0, d)

    def f(x):
        return 0.5 * mu * np.sum(x ** 2) + np.sum(w * np.abs(x))

    def subgrad(x):
        return mu * x + w * np.sign(x)

    x0 = rng.choice([-1.0, 1.0], d) * rng.uniform(0.5, 1.5, d)
    return f, subgrad, mu, x0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_thm_subgradient_strongly_convex(seed):
    """thm-subgradient-strongly-convex: weighted average and last iterate."""
    f, subgrad, mu, x0 = sc_abs_instance(seed)
    K = 400
    xs = run(optbook.subgradient_descent, subgrad, x0=x0, max_iter=K,
             step=lambda k: 2.0 / (mu * (k + 2)))
    # G: the largest subgradient norm met at x_0, ..., x_{K-1} (the hypothesis).
    G = max(np.linalg.norm(subgrad(x)) for x in xs[:-1])
    weights = np.arange(1, K + 1, dtype=float)            # k + 1 for x_k, k < K
    cum = np.cumsum(weights[:, None] * xs[:-1], axis=0)
    xbar = cum / np.cumsum(weights)[:, None]               # row K-1: average of x_0..x_{K-1}
    Ks = np.arange(1, K + 1)
    gaps = np.array([f(x) for x in xbar])
    rhs_gap = 2 * G ** 2 / (mu * (Ks + 1))
    assert_upper(gaps, rhs_gap, "thm-subgradient-strongly-convex (average)")
    dist = sq_dist(xs[1:], np.zeros_like(x0))
    rhs_dist = 4 * G ** 2 / (mu ** 2 * (Ks + 1))
    assert_upper(dist, rhs_dist, "thm-subgradient-strongly-convex (last iterate)")
    # Not vacuous: the first iterations come within a stated fraction of the bound.
    assert np.max(gaps / rhs_gap) > 0.1
    assert np.max(dist / rhs_dist) > 0.1


def box_instance(seed, d=4):
    r"""f(x) = mu/2 ||x - c||^2 + sum_i w_i |x_i - c_i| over the box C = [-1, 1]^d, with
    |c_i| > 1: f decreases towards c along each coordinate, so the constrained minimizer is
    the corner x* = sign(c) (the projection is active at the solution)."""
    rng = np.random.default_rng(seed)
    c = rng.choice([-1.0, 1.0], d) * rng.uniform(1.5, 3.0, d)
    x_star = np.sign(c)
    w = np.full(d, rng.uniform(0.5, 2.0))
    proj = functools.partial(proj_box, lower=-1.0, upper=1.0)
    return c, w, x_star, proj


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_thm_subgradient_strongly_convex_projected(seed):
    r"""thm-subgradient-strongly-convex with C = [-1, 1]^d (subgradient_descent(..., proj=...)):
    f(x) = mu/2 ||x - c||^2 + sum_i w_i |x_i - c_i|, separable, so its minimizer over the
    box is clip(c, -1, 1); half of the c_i lie outside the box (active constraints)."""
    rng = np.random.default_rng(seed)
    d, mu = 6, 1.0
    c = np.concatenate([rng.uniform(-0.8, 0.8, 3), rng.choice([-1.0, 1.0], 3) * rng.uniform(1.1, 1.5, 3)])
    w = rng.uniform(0.5, 2.0, d)
    x_star = np.clip(c, -1.0, 1.0)
    proj = functools.partial(proj_box, lower=-1.0, upper=1.0)
    f = lambda x: 0.5 * mu * np.sum((x - c) ** 2) + np.sum(w * np.abs(x - c))  # noqa: E731
    subgrad = lambda x: mu * (x - c) + w * np.sign(x - c)  # noqa: E731
    x0 = rng.uniform(-1.0, 1.0, d)
    K = 400
    xs = run(optbook.subgradient_descent, subgrad, x0=x0, max_iter=K, proj=proj,
             step=lambda k: 2.0 / (mu * (k + 2)))
    assert np.all(np.abs(xs) <= 1.0)                 # every iterate in C
    G = max(np.linalg.norm(subgrad(x)) for x in xs[:-1])
    weights = np.arange(1, K + 1, dtype=float)
    xbar = np.cumsum(weights[:, None] * xs[:-1], axis=0) / np.cumsum(weights)[:, None]
    Ks = np.arange(1, K + 1)
    gaps = np.array([f(x) for x in xbar]) - f(x_star)
    rhs_gap = 2 * G ** 2 / (mu * (Ks + 1))
    assert_upper(gaps, rhs_gap, "thm-subgradient-strongly-convex, projected (average)")
    dist = sq_dist(xs[1:], x_star)
    rhs_dist = 4 * G ** 2 / (mu ** 2 * (Ks + 1))
    assert_upper(dist, rhs_dist, "thm-subgradient-strongly-convex, projected (last iterate)")
    # Not vacuous (measured: about 0.27 and 0.055 on these seeds)
    assert np.max(gaps / rhs_gap) > 0.2
    assert np.max(dist / rhs_dist) > 0.03


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_thm_subgradient_projected(seed):
    r"""thm-subgradient for the projected method: f(x) = sum_i w |x_i - c_i| over the box
    [-1, 1]^d (|c_i| > 1), from the opposite corner, with the constant step
    gamma = R/(G sqrt K). On C, f is linear with gradient of norm G = w sqrt(d) along
    x* - x_0, so f(x_i) - f* = GR(1 - i gamma G/R) until the iterates reach x* (then the
    projection stops them): the ratio to the bound peaks near 1/2 at k = sqrt(K)/2."""
    c, w, x_star, proj = box_instance(seed)
    f = lambda x: np.sum(w * np.abs(x - c))  # noqa: E731
    subgrad = lambda x: w * np.sign(x - c)  # noqa: E731
    x0 = -x_star
    R = np.linalg.norm(x0 - x_star)
    G = np.linalg.norm(w)                           # the subgradient norm at every point of C
    K = 900
    gamma = R / (G * np.sqrt(K))
    xs = run(optbook.subgradient_descent, subgrad, x0=x0, max_iter=K, step=gamma, proj=proj)
    assert np.all(np.abs(xs) <= 1.0)
    np.testing.assert_allclose(xs[-1], x_star)      # the projection holds the corner
    values = np.array([f(x) for x in xs]) - f(x_star)
    best = np.minimum.accumulate(values[:-1])       # min over i < k, k = 1..K
    k = np.arange(1, K + 1)
    bound = (R ** 2 + G ** 2 * gamma ** 2 * k) / (2 * gamma * k)
    assert_upper(best, bound, "thm-subgradient, projected")
    assert bound[-1] == pytest.approx(R * G / np.sqrt(K))
    ratio = np.max(best / bound)
    assert ratio > 0.45, ratio


def pg_instance(seed, kappa=20.0):
    r"""Diagonal quadratic plus l1; the solution has no zero coordinate."""
    rng = np.random.default_rng(seed)
    d = 6
    h = np.geomspace(1.0, kappa, d)
    lam = 0.1
    x_star = rng.choice([-1.0, 1.0], d) * rng.uniform(1.0, 2.0, d)
    b = h * x_star + lam * np.sign(x_star)    # optimality: h x* - b + lam sign(x*) = 0

    def grad(x):
        return h * x - b

    def prox(x, t):
        return prox_l1(x, lam * t)

    # start along the extreme eigenvectors, in the orthant of x*
    x0 = x_star.copy()
    x0[0] += 0.5 * np.sign(x_star[0])
    x0[-1] += 0.5 * np.sign(x_star[-1])
    return grad, prox, h[0], h[-1], x0, x_star


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("which", ["1/L", "2/(L+mu)", "small"])
def test_thm_proximal_gradient_strongly_convex(seed, which):
    """thm-proximal-gradient-strongly-convex: linear convergence of the iterates."""
    grad, prox, mu, L, x0, x_star = pg_instance(seed)
    gamma = {"1/L": 1 / L, "2/(L+mu)": 2 / (L + mu), "small": 0.3 / L}[which]
    K = 200
    xs = run(optbook.proximal_gradient, grad, prox, x0=x0, max_iter=K, step=gamma)
    q = 1 - 2 * gamma * mu * L / (mu + L)
    k = np.arange(K + 1)
    lhs = sq_dist(xs, x_star)
    rhs = q ** k * lhs[0]
    assert_upper(lhs, rhs, "thm-proximal-gradient-strongly-convex")
    ratio = lhs[1:60] / rhs[1:60]
    assert ratio.min() > 0.3, ratio.min()   # nearly attained on this instance


@pytest.mark.parametrize("batch_size", [4, 16])
def test_thm_sgd_strongly_convex_batch_step(batch_size):
    r"""thm-sgd-strongly-convex with the batch-dependent step of issue 12:
    gamma <= 1/(2 L_b), L_b = (1 - 1/b) L + L_max / b (minibatches drawn with
    replacement); exact expectations on least squares."""
    from test_theorems_stochastic import least_squares, sgd_moments

    f, x0, x_star, gs, sigma2, L_max = least_squares(0, 40, 3, (1.0, 0.8, 0.6), 0.5)
    eigs = np.linalg.eigvalsh(f.A.T @ f.A / f.n_samples)  # the constants, computed here
    mu, L = eigs[0], eigs[-1]
    b = batch_size
    L_b = (1 - 1 / b) * L + L_max / b
    gamma = 1 / (2 * L_b)
    assert gamma > 1.5 / (2 * L_max)     # a step the L_max version does not allow
    K = 300
    k = np.arange(K + 1)
    sq, _ = sgd_moments(f, x0, x_star, gs, [gamma] * K, b)
    floor = 2 * gamma * sigma2 / (mu * b)
    bound = (1 - gamma * mu) ** k * np.sum((x0 - x_star) ** 2) + floor
    assert_upper(sq, bound, f"thm-sgd-strongly-convex (b={b}, gamma=1/(2L_b))")
    assert np.max(sq / bound) > 0.5
    assert sq[-1] > floor / 10
