r"""Theorem checks for the chapter "Stochastic and adaptive methods".

Each test carries, in its name and docstring, the label of the ``{prf:theorem}``
it checks. The stochastic rates are statements about *expectations*; they are
checked in two independent ways.

1. **Exact expectations.** On least squares, :math:`\nabla f_i(x) = H_i(x -
   x^\star) + \nabla f_i(x^\star)` with :math:`H_i = a_i a_i^\top`, so the error
   of SGD, SAGA and SVRG evolves by a *random affine map*: with the state
   :math:`z_k` (the error :math:`e_k = x_k - x^\star`, plus the table errors of
   SAGA, the snapshot error of SVRG or the running sum of SGD's iterates),
   :math:`z_{k+1} = T_{I_k} z_k + c_{I_k}`, where :math:`I_k` is the
   minibatch drawn at step :math:`k` and :math:`\mathbb{E}\,c_I = 0`. The first
   and second moments :math:`m_k = \mathbb{E} z_k`, :math:`S_k = \mathbb{E}
   z_k z_k^\top` then follow a deterministic recursion (:func:`propagate`),
   which gives :math:`\mathbb{E}\|x_k - x^\star\|^2 = \operatorname{tr}` of a
   block of :math:`S_k` and :math:`\mathbb{E} f(x_k) - f^\star =
   \frac12\operatorname{tr}(H S_k)` *exactly* (to rounding), with no Monte
   Carlo error. The theorem's bound is asserted at every iteration against
   these exact values, with a floating-point slack only.

2. **The optbook solver.** The recursion describes the algorithm of the
   theorem, not the code under test. So each test also runs the
   :mod:`optbook.stochastic` solver on ``R`` seeded runs and checks that the
   empirical mean agrees with the exact expectation: ``|mean - exact| <= 5 *
   SE`` at every recorded iteration, where ``SE`` is the empirical standard
   deviation divided by :math:`\sqrt R`. For a sample mean (approximately
   Gaussian by the central limit theorem), a 5-SE deviation has probability
   about :math:`6\cdot 10^{-7}` per check, so a union bound over the few
   hundred checks of this file keeps a false alarm below :math:`10^{-3}`; an
   implementation that samples differently, or uses another step, shifts
   the mean by many standard errors (the runs are seeded, so the outcome is
   reproducible). The empirical mean is also checked against the bound with
   the same 5-SE margin.

Each test finally checks that the bound is not vacuous on its instance (the
exact expectation reaches a fixed fraction of the bound somewhere), so a
bound wrong by a constant factor makes the test fail.

The regret bound of Adagrad is deterministic: it is asserted for every
horizon ``T`` on online problems, with a floating-point slack only.
"""

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import linprog

from optbook.objectives import LeastSquares
from optbook.optim import Adagrad
from optbook.prox import proj_box
from optbook.stochastic import saga, sgd, svrg

from theorem_checks import strong_convexity

RTOL, ATOL = 1e-10, 1e-14
Z = 5.0  # Monte Carlo margin, in standard errors (see the module docstring)


def assert_bound(lhs, rhs, label):
    """Assert ``lhs[k] <= rhs[k]`` for every ``k`` (floating-point slack only)."""
    lhs, rhs = np.asarray(lhs, dtype=float), np.asarray(rhs, dtype=float)
    assert lhs.shape == rhs.shape
    assert np.all(np.isfinite(lhs)) and np.all(np.isfinite(rhs))
    bad = np.flatnonzero(lhs > rhs * (1 + RTOL) + ATOL)
    if bad.size:
        k = bad[0]
        raise AssertionError(f"{label}: bound violated at k={k} ({bad.size} violations): "
                             f"lhs={lhs[k]:.6e} > rhs={rhs[k]:.6e}")


def assert_monte_carlo(samples, exact, label, bound=None):
    """Empirical mean of ``samples`` (runs x checkpoints) within Z standard errors
    of ``exact``, and (if given) below ``bound`` up to Z standard errors."""
    samples = np.asarray(samples, dtype=float)
    runs = samples.shape[0]
    mean = samples.mean(axis=0)
    se = samples.std(axis=0, ddof=1) / np.sqrt(runs)
    slack = Z * se + 1e-12 * np.abs(exact)
    bad = np.flatnonzero(np.abs(mean - exact) > slack)
    assert bad.size == 0, (
        f"{label}: Monte Carlo mean differs from the exact expectation at checkpoint "
        f"{bad[0]}: {mean[bad[0]]:.4e} vs {exact[bad[0]]:.4e} (SE {se[bad[0]]:.2e})")
    if bound is not None:
        bad = np.flatnonzero(mean > bound + Z * se)
        assert bad.size == 0, (f"{label}: Monte Carlo mean above the bound at checkpoint "
                               f"{bad[0]}: {mean[bad[0]]:.4e} > {bound[bad[0]]:.4e}")


# ---------------------------------------------------------------------------
# exact moments of random affine recursions
# ---------------------------------------------------------------------------


def propagate(mean, second, steps, batch_size=1):
    r"""Moments of :math:`z_{k+1} = T_I z_k + c_I` for i.i.d. minibatches.

    ``steps`` yields pairs ``(T, c)``: ``T`` of shape ``(n, D, D)`` holds the
    maps :math:`T_i` of the single samples and ``c`` (shape ``(n, D)``, mean
    zero over ``i``, or ``None``) their offsets. A minibatch :math:`I` of
    ``batch_size`` = :math:`b` indices drawn uniformly with replacement acts by
    the averages :math:`T_I = \frac1b\sum_{i\in I}T_i`, :math:`c_I =
    \frac1b\sum_{i\in I} c_i` (SGD's minibatch gradient is the average of the
    sample gradients), so that, with :math:`\bar T = \mathbb{E}T_i`,

    .. math::

        \mathbb{E}[T_I S T_I^\top] = \tfrac1b\mathbb{E}[T_i S T_i^\top]
        + (1 - \tfrac1b)\bar T S \bar T^\top,\quad
        \mathbb{E}[T_I m c_I^\top] = \tfrac1b\mathbb{E}[T_i m c_i^\top],\quad
        \mathbb{E}[c_I c_I^\top] = \tfrac1b\mathbb{E}[c_i c_i^\top].

    Returns the lists of means and second moments, starting with the inputs.
    """
    b = batch_size
    means, seconds = [mean], [second]
    for T, c in steps:
        n = T.shape[0]
        T_bar = T.mean(axis=0)
        new = np.matmul(T @ second, T.transpose(0, 2, 1)).sum(axis=0) / (n * b)
        if b > 1:
            new += (1 - 1 / b) * T_bar @ second @ T_bar.T
        if c is not None:
            assert np.allclose(c.mean(axis=0), 0.0, atol=1e-10)
            cross = (T @ mean).T @ c / (n * b)
            new += cross + cross.T + c.T @ c / (n * b)
        mean, second = T_bar @ mean, 0.5 * (new + new.T)
        means.append(mean)
        seconds.append(second)
    return means, seconds


def sample_hessians(A):
    """The Hessians H_i = a_i a_i^T of the terms of least squares, shape (n, d, d)."""
    return A[:, :, None] * A[:, None, :]


def least_squares(seed, n, d, scales, noise, duplicate_last=False):
    """Least squares with noise (sigma^2 > 0); x_star is the minimizer closest to x0."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d)) * np.asarray(scales)
    if duplicate_last:  # rank deficient: convex, not strongly convex
        A[:, -1] = A[:, -2]
    b = A @ rng.standard_normal(d) + noise * rng.standard_normal(n)
    f = LeastSquares(A, b)
    x0 = 2.0 * rng.standard_normal(d)
    x_star = x0 + np.linalg.lstsq(A, b - A @ x0, rcond=None)[0]
    assert np.linalg.norm(f.grad(x_star)) < 1e-12
    grads_star = A * (A @ x_star - b)[:, None]  # grad f_i(x*), rows
    sigma2 = float(np.mean(np.sum(grads_star**2, axis=1)))
    L_max = float(np.max(np.sum(A**2, axis=1)))
    return f, x0, x_star, grads_star, sigma2, L_max


def sgd_moments(f, x0, x_star, grads_star, steps, batch_size=1, running_sum=False):
    r"""Exact :math:`\mathbb{E}\|x_k - x^\star\|^2` and :math:`\mathbb{E}f(x_k) - f^\star`
    of SGD on least squares, k = 0..K, for the step sizes ``steps``. With
    ``running_sum`` also :math:`\mathbb{E}f(\bar x_k) - f^\star` for the uniform
    average :math:`\bar x_k = \frac1k\sum_{j<k} x_j` (k >= 1)."""
    A, d = f.A, f.n_features
    Hs, H = sample_hessians(A), A.T @ A / f.n_samples
    e0 = x0 - x_star
    D = 2 * d if running_sum else d
    z0 = np.concatenate([e0, np.zeros(d)]) if running_sum else e0
    I = np.eye(d)

    def maps():
        for gamma in steps:
            T = np.zeros((len(Hs), D, D))
            T[:, :d, :d] = I - gamma * Hs
            c = np.zeros((len(Hs), D))
            c[:, :d] = -gamma * grads_star
            if running_sum:  # s_{k+1} = s_k + e_k
                T[:, d:, :d] = I
                T[:, d:, d:] = I
            yield T, c

    _, seconds = propagate(z0, np.outer(z0, z0), maps(), batch_size)
    S = np.array(seconds)
    sq = np.trace(S[:, :d, :d], axis1=1, axis2=2)
    gap = 0.5 * np.einsum("ab,kba->k", H, S[:, :d, :d])
    if not running_sum:
        return sq, gap
    k = np.arange(len(S), dtype=float)
    k[0] = 1.0
    gap_avg = 0.5 * np.einsum("ab,kba->k", H, S[:, d:, d:]) / k**2
    return sq, gap, gap_avg


def record_sgd(f, x0, x_star, runs, quantity, every, **kwargs):
    """Run optbook's sgd ``runs`` times (seeds 0..runs-1); ``quantity(x)`` every
    ``every`` iterations, with the value at x0 first."""
    out = []
    for seed in range(runs):
        rec = [quantity(x0)]
        res = sgd(f.grad_i, x0, f.n_samples, rng=seed, callback_every=every,
                  callback=lambda x: rec.append(quantity(x)), **kwargs)
        assert res.success and res.status == 1, res.message
        out.append(rec)
    return np.array(out)


# ---------------------------------------------------------------------------
# SGD, constant step, strongly convex: linear rate to a noise floor
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 4])
def test_thm_sgd_strongly_convex(batch_size):
    r"""thm-sgd-strongly-convex: each f_i convex and L_max-smooth, f mu-strongly
    convex, gamma <= 1/(2 L_max), minibatches of size b drawn with replacement:
    E||x_k - x*||^2 <= (1 - gamma mu)^k ||x_0 - x*||^2 + 2 gamma sigma^2 / (mu b),
    sigma^2 = (1/n) sum_i ||grad f_i(x*)||^2, for every k."""
    f, x0, x_star, gs, sigma2, L_max = least_squares(0, 40, 3, (1.0, 0.8, 0.6), 0.5)
    mu, n = strong_convexity(f), f.n_samples
    K = 400
    k = np.arange(K + 1)
    for gamma in [1 / (2 * L_max), 1 / (8 * L_max)]:
        sq, _ = sgd_moments(f, x0, x_star, gs, [gamma] * K, batch_size)
        floor = 2 * gamma * sigma2 / (mu * batch_size)
        bound = (1 - gamma * mu) ** k * np.sum((x0 - x_star) ** 2) + floor
        assert_bound(sq, bound, f"thm-sgd-strongly-convex (b={batch_size}, gamma={gamma:.3g})")
        # not vacuous: tight in the transient, and the floor is of the right order
        assert np.max(sq / bound) > 0.5
        assert sq[-1] > floor / 10
    # the optbook solver: same expectation, below the bound
    gamma = 1 / (2 * L_max)
    every = 10
    samples = record_sgd(f, x0, x_star, 100, lambda x: np.sum((x - x_star) ** 2), every,
                         step=gamma, batch_size=batch_size,
                         max_epochs=K * batch_size // n)
    sq, _ = sgd_moments(f, x0, x_star, gs, [gamma] * K, batch_size)
    bound = ((1 - gamma * mu) ** k * np.sum((x0 - x_star) ** 2)
             + 2 * gamma * sigma2 / (mu * batch_size))
    assert_monte_carlo(samples, sq[::every], "thm-sgd-strongly-convex (optbook sgd)",
                       bound[::every])


def test_sgd_noise_floor_needs_noise_term():
    """Companion of thm-sgd-strongly-convex: without the noise term the bound
    is false (the expected error stalls at a floor of order gamma sigma^2/(mu b))."""
    f, x0, x_star, gs, sigma2, L_max = least_squares(0, 40, 3, (1.0, 0.8, 0.6), 0.5)
    gamma, K = 1 / (2 * L_max), 400
    sq, _ = sgd_moments(f, x0, x_star, gs, [gamma] * K)
    contraction = (1 - gamma * strong_convexity(f)) ** np.arange(K + 1)
    assert np.any(sq > contraction * np.sum((x0 - x_star) ** 2))
    # and the floor scales like gamma: halving the step roughly halves it
    sq_half, _ = sgd_moments(f, x0, x_star, gs, [gamma / 2] * (4 * K))
    ratio = sq_half[-1] / sq[-1]
    assert 0.4 < ratio < 0.7


# ---------------------------------------------------------------------------
# SGD, decreasing steps: O(1/k)
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 4])
def test_thm_sgd_decreasing(batch_size):
    r"""thm-sgd-decreasing: same assumptions, gamma_k = 2 / (mu (k + 4 kappa)) with
    kappa = L_max / mu: E||x_k - x*||^2 <= nu / (k + 4 kappa) for every k, with
    nu = max(4 kappa ||x_0 - x*||^2, 8 sigma^2 / (mu^2 b))."""
    f, x0, x_star, gs, sigma2, L_max = least_squares(1, 40, 3, (1.0, 0.8, 0.6), 0.5)
    mu, n = strong_convexity(f), f.n_samples
    kappa = L_max / mu
    K = 2000
    k = np.arange(K + 1)
    steps = 2 / (mu * (k[:-1] + 4 * kappa))
    assert steps[0] <= 1 / (2 * L_max) * (1 + 1e-12)
    sq, _ = sgd_moments(f, x0, x_star, gs, steps, batch_size)
    nu = max(4 * kappa * np.sum((x0 - x_star) ** 2), 8 * sigma2 / (mu**2 * batch_size))
    bound = nu / (k + 4 * kappa)
    assert_bound(sq, bound, f"thm-sgd-decreasing (b={batch_size})")
    assert np.max(sq / bound) > 0.5  # not vacuous
    if batch_size > 1:
        return  # the Monte Carlo check of the minibatch sampling is in the test above
    # the optbook solver with the callable schedule
    K_mc, every = 400, 20
    samples = record_sgd(f, x0, x_star, 100, lambda x: np.sum((x - x_star) ** 2), every,
                         step=lambda j: 2 / (mu * (j + 4 * kappa)), batch_size=batch_size,
                         max_epochs=K_mc * batch_size // n)
    assert_monte_carlo(samples, sq[:K_mc + 1:every], "thm-sgd-decreasing (optbook sgd)",
                       bound[:K_mc + 1:every])


# ---------------------------------------------------------------------------
# SGD with iterate averaging, convex (not strongly convex)
# ---------------------------------------------------------------------------


def test_thm_sgd_averaging():
    r"""thm-sgd-averaging: each f_i convex and L_max-smooth (f not strongly
    convex), gamma <= 1/(4 L_max), b = 1:
    E f(xbar_K) - f* <= (1/K) sum_{k<K} E[f(x_k) - f*] <= ||x_0 - x*||^2/(gamma K) + 2 gamma sigma^2
    for every K >= 1, where xbar_K = (1/K) sum_{k<K} x_k."""
    f, x0, x_star, gs, sigma2, L_max = least_squares(2, 40, 3, (1.0, 0.8, 0.8), 0.5,
                                                     duplicate_last=True)
    assert strong_convexity(f) == 0.0 and sigma2 > 0
    K = 1000
    Ks = np.arange(1, K + 1)
    R2 = np.sum((x0 - x_star) ** 2)
    for gamma in [1 / (4 * L_max), 1 / (16 * L_max)]:
        _, gap, gap_avg = sgd_moments(f, x0, x_star, gs, [gamma] * K, running_sum=True)
        mean_gap = np.cumsum(gap[:-1]) / Ks  # (1/K) sum_{k<K} E f(x_k) - f*
        bound = R2 / (gamma * Ks) + 2 * gamma * sigma2
        assert_bound(gap_avg[1:], mean_gap, "thm-sgd-averaging (Jensen)")
        assert_bound(mean_gap, bound, f"thm-sgd-averaging (gamma={gamma:.3g})")
        assert np.max(mean_gap / bound) > 0.12  # not vacuous (measured 0.253, 0.264)
    # the optbook solver: E f(xbar_K) - f*, xbar_K passed by callback_on="average"
    gamma, every, n = 1 / (4 * L_max), 10, f.n_samples
    _, _, gap_avg = sgd_moments(f, x0, x_star, gs, [gamma] * K, running_sum=True)
    H = f.A.T @ f.A / n

    def gap_of(x):
        e = x - x_star
        return 0.5 * e @ H @ e

    samples = record_sgd(f, x0, x_star, 100, gap_of, every, step=gamma, average=True,
                         callback_on="average", max_epochs=400 // n)[:, 1:]
    ks = np.arange(every, 400 + 1, every)
    assert_monte_carlo(samples, gap_avg[ks], "thm-sgd-averaging (optbook sgd)",
                       R2 / (gamma * ks) + 2 * gamma * sigma2)


# ---------------------------------------------------------------------------
# SAGA: linear rate of a Lyapunov function
# ---------------------------------------------------------------------------


def saga_moments(f, x0, x_star, gamma, K):
    r"""Exact moments of SAGA's state z = (e, u_1, ..., u_n) on least squares,
    u_i = alpha_i - grad f_i(x*) (table errors; the table starts at x0).
    Returns E||e_k||^2 and E sum_i ||u_i^k||^2 for k = 0..K."""
    A, n, d = f.A, f.n_samples, f.n_features
    Hs = sample_hessians(A)
    D = (n + 1) * d
    T = np.tile(np.eye(D), (n, 1, 1))
    for j in range(n):
        T[j, :d, :d] -= gamma * Hs[j]            # e' = (I - gamma H_j) e
        T[j, :d, d + j * d:d + (j + 1) * d] += gamma * np.eye(d)   # + gamma u_j
        for i in range(n):                       # - gamma mean_i u_i
            T[j, :d, d + i * d:d + (i + 1) * d] -= gamma / n * np.eye(d)
        T[j, d + j * d:d + (j + 1) * d, :] = 0.0  # u_j' = H_j e
        T[j, d + j * d:d + (j + 1) * d, :d] = Hs[j]
    e0 = x0 - x_star
    z0 = np.concatenate([e0] + [Hs[i] @ e0 for i in range(n)])
    _, seconds = propagate(z0, np.outer(z0, z0), ((T, None) for _ in range(K)))
    diag = np.array([np.diag(S) for S in seconds])
    return diag[:, :d].sum(axis=1), diag[:, d:].sum(axis=1)


def test_thm_saga():
    r"""thm-saga: each f_i convex and L_max-smooth, f mu-strongly convex,
    gamma <= 1/(5 L_max), table initialized at x0: the Lyapunov function
    Psi_k = ||x_k - x*||^2 + 3 gamma^2 sum_i ||alpha_i^k - grad f_i(x*)||^2 satisfies
    E Psi_k <= (1 - rho)^k Psi_0, rho = min(gamma mu, 1/(3n)), hence
    E||x_k - x*||^2 <= (1 - rho)^k Psi_0, for every k."""
    f, x0, x_star, _, _, L_max = least_squares(3, 16, 2, (1.0, 0.7), 0.5)
    mu, n = strong_convexity(f), f.n_samples
    K = 25 * n
    k = np.arange(K + 1)
    gamma = 1 / (5 * L_max)
    sq, table = saga_moments(f, x0, x_star, gamma, K)
    psi = sq + 3 * gamma**2 * table
    rho = min(gamma * mu, 1 / (3 * n))
    bound = (1 - rho) ** k * psi[0]
    assert_bound(psi, bound, "thm-saga (Lyapunov)")
    assert_bound(sq, bound, "thm-saga (distance)")
    # Not vacuous, although loose by nature: the constants 1/(5 L_max) and 1/(3n) of the
    # proof are worst-case ones, and here E Psi_k contracts at 0.9749 per step against the
    # bound's 1 - rho = 0.9873 (twice the exponent). Measured ratio at k = K: 0.00641;
    # asserted at half of it, and the observed exponent at most 2.1 times the bound's.
    assert psi[-1] > 0.0032 * bound[-1], psi[-1] / bound[-1]
    rate = (psi[-1] / psi[K // 2]) ** (1 / (K - K // 2))
    assert np.log(rate) > 2.1 * np.log(1 - rho), (rate, 1 - rho)
    # the optbook solver (callback at the end of each epoch of n iterations)
    samples = []
    for seed in range(100):
        rec = [np.sum((x0 - x_star) ** 2)]
        res = saga(f.grad_i, x0, n, step=gamma, max_epochs=K // n, rng=seed,
                   callback=lambda x: rec.append(np.sum((x - x_star) ** 2)))
        assert res.success
        samples.append(rec)
    assert_monte_carlo(np.array(samples), sq[::n], "thm-saga (optbook saga)", bound[::n])
    # the statement of Defazio, Bach and Lacoste-Julien (2014, Thm 1), gamma = 1/(3 L_max)
    gamma = 1 / (3 * L_max)
    sq, _ = saga_moments(f, x0, x_star, gamma, K)
    e0 = x0 - x_star
    bregman = 0.5 * e0 @ f.hess() @ e0  # f(x0) - f* - <grad f(x*), x0 - x*>
    bound = (1 - min(1 / (4 * n), mu / (3 * L_max))) ** k * (
        e0 @ e0 + 2 * n / (3 * L_max) * bregman)
    assert_bound(sq, bound, "thm-saga (Defazio et al. constants)")


# ---------------------------------------------------------------------------
# SVRG: linear rate of the snapshots (Johnson and Zhang, 2013)
# ---------------------------------------------------------------------------


def svrg_moments(f, x0, x_star, gamma, m, n_epochs):
    r"""Exact E f(x~_s) - f* for SVRG with a uniformly random snapshot
    (x~_{s+1} = x_t, t uniform in {0, ..., m-1}) and b = 1, on least squares.
    Inside an epoch the state is z = (e_t, e~): e_{t+1} = (I - gamma H_i) e_t
    + gamma (H_i - H) e~."""
    A, n, d = f.A, f.n_samples, f.n_features
    Hs, H = sample_hessians(A), A.T @ A / n
    T = np.tile(np.eye(2 * d), (n, 1, 1))
    T[:, :d, :d] -= gamma * Hs
    T[:, :d, d:] = gamma * (Hs - H)
    e0 = x0 - x_star
    M = np.outer(e0, e0)  # E e~ e~^T
    gaps = [0.5 * np.trace(H @ M)]
    for _ in range(n_epochs):
        second = np.block([[M, M], [M, M]])
        _, seconds = propagate(np.zeros(2 * d), second, ((T, None) for _ in range(m - 1)))
        M = np.mean([S[:d, :d] for S in seconds], axis=0)  # t = 0, ..., m-1
        gaps.append(0.5 * np.trace(H @ M))
    return np.array(gaps)


def test_thm_svrg():
    r"""thm-svrg: each f_i convex and L_max-smooth, f mu-strongly convex,
    gamma < 1/(4 L_max), snapshot x_t with t uniform in {0..m-1}, b = 1, and
    alpha = 1/(mu gamma (1 - 2 L gamma) m) + 2 L gamma/(1 - 2 L gamma) < 1:
    E f(x~_s) - f* <= alpha^s (f(x~_0) - f*) for every s."""
    # rows on the unit circle, evenly spread: L_max = 1, mu = 1/2
    n, d = 32, 2
    angles = 2 * np.pi * (np.arange(n) + 0.5) / n
    A = np.column_stack([np.cos(angles), np.sin(angles)])
    b = A @ np.array([1.0, -1.0]) + 0.5 * np.random.default_rng(4).standard_normal(n)
    f = LeastSquares(A, b)
    x_star, x0 = f.minimizer(), np.array([3.0, 2.0])
    L, mu = 1.0, strong_convexity(f)
    assert np.isclose(mu, 0.5) and np.isclose(np.max(np.sum(A**2, axis=1)), L)
    S = 8
    for gamma, m in [(1 / (8 * L), 64), (1 / (10 * L), 50 * int(L / mu))]:
        alpha = 1 / (mu * gamma * (1 - 2 * L * gamma) * m) + 2 * L * gamma / (1 - 2 * L * gamma)
        assert alpha < 1
        gaps = svrg_moments(f, x0, x_star, gamma, m, S)
        bound = alpha ** np.arange(S + 1) * gaps[0]
        assert_bound(gaps, bound, f"thm-svrg (gamma={gamma:.3g}, m={m})")
        assert gaps[1] > 0.1 * bound[1]  # not vacuous (measured 0.219, 0.237)
    # the optbook solver
    gamma, m, S_mc = 1 / (8 * L), 64, 4
    gaps = svrg_moments(f, x0, x_star, gamma, m, S_mc)
    alpha = 1 / (mu * gamma * (1 - 2 * L * gamma) * m) + 2 * L * gamma / (1 - 2 * L * gamma)

    def gap_of(x):
        e = x - x_star
        return 0.5 * e @ f.hess() @ e

    samples = []
    for seed in range(100):
        rec = [gap_of(x0)]
        res = svrg(f.grad_i, x0, n, step=gamma, epoch_length=m, snapshot="random",
                   max_epochs=S_mc, full_grad=f.grad, rng=seed,
                   callback=lambda x: rec.append(gap_of(x)))
        assert res.success
        samples.append(rec)
    assert_monte_carlo(np.array(samples), gaps, "thm-svrg (optbook svrg)",
                       alpha ** np.arange(S_mc + 1) * gaps[0])


# ---------------------------------------------------------------------------
# Adagrad: regret bound, deterministic, for every horizon
# ---------------------------------------------------------------------------


def adagrad_run(grad_fn, x1, lower, upper, lr, T, eps=1e-10):
    """Projected Adagrad with optbook.optim.Adagrad; returns x_1, ..., x_T and g_1..g_T."""
    opt = Adagrad(lr=lr, eps=eps)
    x, xs, gs = np.array(x1, dtype=float), [], []
    for t in range(T):
        g = grad_fn(t, x)
        xs.append(x)
        gs.append(g)
        x = proj_box(opt.step(x, g), lower, upper)
    return np.array(xs), np.array(gs)


def adagrad_bound(gs, widths, lr, eps=1e-10):
    """sum_i [D_i^2 (s_{T,i} + eps) / (2 lr) + lr s_{T,i}] for every T."""
    s = np.sqrt(np.cumsum(gs**2, axis=0))
    return np.sum(widths**2 * (s + eps) / (2 * lr) + lr * s, axis=1)


@pytest.mark.parametrize("lr", [0.1, 1.0, 3.0])
def test_thm_adagrad_regret(lr):
    r"""thm-adagrad-regret: projected diagonal Adagrad on a box of widths D_i,
    convex losses f_t: for every T and every u in the box,
    sum_{t<=T} f_t(x_t) - f_t(u) <= sum_i [D_i^2 (s_{T,i} + eps)/(2 eta) + eta s_{T,i}],
    s_{T,i} = (sum_{t<=T} g_{t,i}^2)^{1/2}."""
    rng = np.random.default_rng(0)
    d, T = 6, 2000
    lower, upper = -np.ones(d), np.array([1.0, 1.0, 2.0, 0.5, 1.0, 3.0])
    widths = upper - lower
    # 1. linear losses <c_t, x>, coordinates of different scales and sparsity
    scales = np.array([1.0, 0.1, 2.0, 0.5, 0.01, 1.0])
    density = np.array([1.0, 1.0, 0.05, 0.5, 1.0, 0.01])
    drift = np.array([0.3, -0.2, 0.5, 0.0, 0.1, -0.4])
    C = (rng.standard_normal((T, d)) + drift) * scales * (rng.random((T, d)) < density)
    xs, gs = adagrad_run(lambda t, x: C[t], np.zeros(d), lower, upper, lr, T)
    cum_loss = np.cumsum(np.sum(C * xs, axis=1))
    cumC = np.cumsum(C, axis=0)
    best = np.sum(np.minimum(cumC * lower, cumC * upper), axis=1)  # min over the box
    regret = cum_loss - best
    assert_bound(regret, adagrad_bound(gs, widths, lr), f"thm-adagrad-regret (linear, lr={lr})")
    assert np.max(regret / adagrad_bound(gs, widths, lr)) > 0.025  # not vacuous (measured 0.058, 0.333, 0.453)
    # 2. absolute losses |<a_t, x> - b_t| (nonsmooth), comparator from a linear program
    A = rng.standard_normal((T, d)) * scales
    b = A @ rng.uniform(lower, upper) + 0.3 * rng.standard_normal(T)
    xs, gs = adagrad_run(lambda t, x: np.sign(A[t] @ x - b[t]) * A[t], np.zeros(d),
                         lower, upper, lr, T)
    losses = np.abs(np.sum(A * xs, axis=1) - b)
    # u minimizes sum_t |a_t u - b_t| over the box: LP in (u, r), r_t >= |a_t u - b_t|
    eye = sparse.eye(T, format="csr")
    lp = linprog(np.r_[np.zeros(d), np.ones(T)],
                 A_ub=sparse.bmat([[A, -eye], [-A, -eye]], format="csr"), b_ub=np.r_[b, -b],
                 bounds=list(zip(lower, upper)) + [(0, None)] * T, method="highs")
    assert lp.status == 0
    u = lp.x[:d]
    regret = np.cumsum(losses - np.abs(A @ u - b))
    assert_bound(regret, adagrad_bound(gs, widths, lr), f"thm-adagrad-regret (absolute, lr={lr})")
