r"""Theorem checks of the chapter *Acceleration* (``chapters/03_acceleration.md``).

Each test carries, in its name and docstring, the label of the rate theorem it
checks. The rates of heavy ball, Nesterov's method and FISTA are checked in
``tests/test_theorems.py`` (``thm-heavy-ball-quadratic``,
``thm-nesterov-convex``, ``thm-nesterov-strongly-convex``, ``thm-fista``);
this file checks the chapter's other rate theorems:

* ``thm-lower-bound-convex`` and ``thm-lower-bound-strongly-convex``: lower
  bounds that hold for *every* linear-span method, checked on the methods of
  :mod:`optbook.first_order` run on Nesterov's worst-case quadratics;
* ``thm-gd-tight``: the tight bound of Drori and Teboulle for gradient descent;
* ``thm-fixed-restart``: :func:`optbook.nesterov_restart`, Nesterov's method restarted every
  :math:`K = \lceil 2e\sqrt\kappa\,\rceil` iterations.

Upper bounds are asserted as ``lhs <= rhs * (1 + 1e-12) + 1e-14`` and lower
bounds as ``lhs >= rhs * (1 - 1e-12) - 1e-14``, at every iteration. Gaps of
quadratics are computed with the exact identity
:math:`f(x) - f^\star = \frac12 (x - x^\star)^\top Q (x - x^\star)`, which
avoids the cancellation in :math:`f(x) - f^\star`.
"""

import math

import numpy as np
import pytest

import optbook
from optbook.datasets import make_classification, make_correlated_regression
from optbook.objectives import LeastSquares, LogisticRegression, Quadratic

from theorem_checks import assert_lower, assert_upper, run, sq_dist, lipschitz, pl_constant, strong_convexity


def quad_gap(Q, xs, x_star):
    """Exact f(x) - f* = (x - x*)^T Q (x - x*) / 2 for each row of ``xs``."""
    E = xs - x_star
    return 0.5 * np.einsum("ki,ij,kj->k", E, Q, E)


# ---------------------------------------------------------------------------
# Nesterov's worst-case quadratics (independent of the chapter's code)
# ---------------------------------------------------------------------------


def worst_convex(p, d, L):
    r"""f_p on R^d: (L/4) (x^T A_p x / 2 - x_1), A_p = tridiag(-1, 2, -1) on the first p
    coordinates; returns (Q, c, x_star) with x*_i = 1 - i/(p+1) for i <= p, 0 after."""
    A = np.zeros((d, d))
    idx = np.arange(p)
    A[idx, idx] = 2.0
    A[idx[:-1], idx[:-1] + 1] = A[idx[:-1] + 1, idx[:-1]] = -1.0
    c = np.zeros(d)
    c[0] = L / 4
    x_star = np.zeros(d)
    x_star[:p] = 1 - np.arange(1, p + 1) / (p + 1)
    return L / 4 * A, c, x_star


def worst_strongly_convex(d, mu, L):
    r"""(L-mu)/4 (x^T A' x / 2 - x_1) + mu ||x||^2 / 2 on R^d, A' = tridiag(-1, 2, -1)
    with last diagonal entry 2 - q; its minimizer is x*_i = q^i exactly."""
    kappa = L / mu
    q = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    A = 2 * np.eye(d) - np.eye(d, k=1) - np.eye(d, k=-1)
    A[-1, -1] = 2 - q
    c = np.zeros(d)
    c[0] = (L - mu) / 4
    return (L - mu) / 4 * A + mu * np.eye(d), c, q ** np.arange(1, d + 1), q


def shifted(Q, c, x_star, x0):
    """The quadratic x -> f(x - x0) as a Quadratic (start x0 plays the role of 0)."""
    return Quadratic(Q, c + Q @ x0), x_star + x0


def linear_span_methods(L, mu=0.0):
    """Methods that satisfy the linear-span condition, as (name, solver, kwargs)."""
    zero_prox = lambda x, t: x  # noqa: E731
    methods = [
        ("gradient descent 1/L", optbook.gradient_descent, dict(step=1 / L)),
        ("gradient descent 1.9/L", optbook.gradient_descent, dict(step=1.9 / L)),
        ("Nesterov", optbook.nesterov, dict(step=1 / L)),
        ("FISTA", optbook.fista, dict(prox=zero_prox, step=1 / L)),
        ("heavy ball", optbook.heavy_ball, dict(step=1 / L, momentum=0.5)),
    ]
    if mu > 0:
        kappa = L / mu
        rho = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
        methods += [
            ("gradient descent 2/(L+mu)", optbook.gradient_descent, dict(step=2 / (L + mu))),
            ("Nesterov mu", optbook.nesterov, dict(step=1 / L, mu=mu)),
            ("heavy ball (Polyak tuning)", optbook.heavy_ball,
             dict(step=4 / (math.sqrt(L) + math.sqrt(mu)) ** 2, momentum=rho**2)),
        ]
    return methods


# ---------------------------------------------------------------------------
# lower bounds
# ---------------------------------------------------------------------------


def test_worst_case_quadratics_have_the_stated_constants():
    """The constructions satisfy the hypotheses of the lower-bound theorems."""
    for p, d in [(1, 1), (7, 7), (9, 20)]:
        Q, c, x_star = worst_convex(p, d, L=3.0)
        eigs = np.linalg.eigvalsh(Q)
        assert eigs[0] >= -1e-14 and eigs[-1] <= 3.0
        np.testing.assert_allclose(Q @ x_star, c, atol=1e-14)
        f_star = Quadratic(Q, c).value(x_star)
        assert f_star == pytest.approx(-3.0 / 8 * (1 - 1 / (p + 1)), rel=1e-12)
    for d, kappa in [(1, 4.0), (10, 10.0), (60, 1000.0)]:
        Q, c, x_star, q = worst_strongly_convex(d, 1.0, kappa)
        eigs = np.linalg.eigvalsh(Q)
        assert eigs[0] >= 1.0 - 1e-12 and eigs[-1] <= kappa * (1 + 1e-12)
        np.testing.assert_allclose(Q @ x_star, c, atol=1e-12 * kappa)


@pytest.mark.parametrize("d", [21, 40])
def test_thm_lower_bound_convex(d):
    r"""thm-lower-bound-convex: on :math:`f_p` (convex, L-smooth), every linear-span
    method from :math:`x_0` satisfies, for :math:`0 \le k \le p`,
    :math:`f(x_k) - f^\star \ge \frac L8 (\frac{1}{k+1} - \frac{1}{p+1})`
    (checked at every iteration on :math:`f_d`), and for every
    :math:`1 \le k \le (d-1)/2`, on :math:`f_{2k+1}`,
    :math:`f(x_k) - f^\star \ge 3L\|x_0 - x^\star\|^2/(32(k+1)^2)` and
    :math:`\|x_k - x^\star\|^2 \ge \|x_0 - x^\star\|^2/8`. The methods of optbook
    are run from random starting points (the function is translated)."""
    L = 2.5
    rng = np.random.default_rng(d)
    # (1) the fixed function f_d, every iteration k <= d
    Q, c, x_star0 = worst_convex(d, d, L)
    for name, solver, kw in linear_span_methods(L):
        x0 = rng.standard_normal(d)
        f, x_star = shifted(Q, c, x_star0, x0)
        xs = run(solver, f.grad, x0=x0, max_iter=d, **kw)
        k = np.arange(d + 1)
        assert_lower(quad_gap(Q, xs, x_star), L / 8 * (1 / (k + 1) - 1 / (d + 1)),
                     f"thm-lower-bound-convex, f_d, {name}")
    # (2) for each k <= (d-1)/2, the function f_{2k+1}: the bound in terms of R
    for k in range(1, (d - 1) // 2 + 1):
        Q, c, x_star0 = worst_convex(2 * k + 1, d, L)
        for name, solver, kw in linear_span_methods(L):
            x0 = rng.standard_normal(d)
            f, x_star = shifted(Q, c, x_star0, x0)
            xs = run(solver, f.grad, x0=x0, max_iter=k, **kw)
            R2 = sq_dist(x0, x_star)[0]
            assert_lower(quad_gap(Q, xs[-1:], x_star), [3 * L * R2 / (32 * (k + 1) ** 2)],
                         f"thm-lower-bound-convex, f_(2k+1), k={k}, {name}")
            assert_lower(sq_dist(xs[-1], x_star), [R2 / 8],
                         f"thm-lower-bound-convex (distance), k={k}, {name}")


@pytest.mark.parametrize("kappa", [10.0, 100.0, 1000.0])
@pytest.mark.parametrize("d", [30, 200])
def test_thm_lower_bound_strongly_convex(kappa, d):
    r"""thm-lower-bound-strongly-convex: on the mu-strongly convex L-smooth quadratic
    with minimizer :math:`x^\star_i = q^i`, :math:`q = (\sqrt\kappa-1)/(\sqrt\kappa+1)`,
    every linear-span method satisfies, for :math:`0 \le k \le d`,
    :math:`\|x_k - x^\star\|^2 \ge \frac{q^{2k} - q^{2d}}{1 - q^{2d}}\|x_0 - x^\star\|^2`
    and :math:`f(x_k) - f^\star \ge \frac\mu2 \frac{q^{2k} - q^{2d}}{1 - q^{2d}}\|x_0 - x^\star\|^2`."""
    mu, L = 0.5, 0.5 * kappa
    Q, c, x_star0, q = worst_strongly_convex(d, mu, L)
    rng = np.random.default_rng(int(kappa) + d)
    # check while the bound is far above rounding level
    K = d
    while K > 0 and (q ** (2 * K) - q ** (2 * d)) / (1 - q ** (2 * d)) < 1e-9:
        K -= 1
    assert K >= min(d, 10)
    k = np.arange(K + 1)
    ratio = (q ** (2 * k) - q ** (2 * d)) / (1 - q ** (2 * d))
    for name, solver, kw in linear_span_methods(L, mu):
        x0 = rng.standard_normal(d)
        f, x_star = shifted(Q, c, x_star0, x0)
        xs = run(solver, f.grad, x0=x0, max_iter=K, **kw)
        R2 = sq_dist(x0, x_star)[0]
        assert_lower(sq_dist(xs, x_star), ratio * R2,
                     f"thm-lower-bound-strongly-convex (distance), {name}")
        assert_lower(quad_gap(Q, xs, x_star), mu / 2 * ratio * R2,
                     f"thm-lower-bound-strongly-convex (value), {name}")


def test_heavy_ball_attains_the_strongly_convex_lower_bound():
    """On the strongly convex worst case, heavy ball with Polyak's tuning from x0 = 0
    produces the truncations x_k = (q, q^2, ..., q^k, 0, ..., 0) of x* (exercise
    ex-acc-heavy-ball-optimal): thm-lower-bound-strongly-convex holds with equality."""
    for kappa, d, K in [(4.0, 30, 25), (100.0, 300, 200)]:
        Q, c, x_star, q = worst_strongly_convex(d, 1.0, kappa)
        step, momentum = 4 / (math.sqrt(kappa) + 1) ** 2, q**2
        xs = run(optbook.heavy_ball, Quadratic(Q, c).grad, x0=np.zeros(d), step=step,
                 momentum=momentum, max_iter=K)
        truncations = np.tril(np.ones((K + 1, d)), k=-1) * x_star
        np.testing.assert_allclose(xs, truncations, rtol=0, atol=1e-13)
        # Nesterov's method (strongly convex variant) does not: it stays strictly above
        xs = run(optbook.nesterov, Quadratic(Q, c).grad, x0=np.zeros(d), step=1 / kappa,
                 mu=1.0, max_iter=K)
        assert np.abs(xs[2:] - truncations[2:]).max() > 1e-3


# ---------------------------------------------------------------------------
# the tight bound of gradient descent (Drori and Teboulle)
# ---------------------------------------------------------------------------


def huber_worst_case(N, L, R):
    """Drori and Teboulle's one-dimensional worst case of N steps of GD with step 1/L."""
    tau = R / (2 * N + 1)

    def value(x):
        a = abs(float(x[0]))
        return L / 2 * a**2 if a <= tau else L * tau * a - L * tau**2 / 2

    def grad(x):
        return L * np.clip(x, -tau, tau)

    return value, grad


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_thm_gd_tight(seed):
    r"""thm-gd-tight: gradient descent with step 1/L on convex L-smooth f satisfies
    :math:`f(x_k) - f^\star \le L\|x_0 - x^\star\|^2/(4k + 2)` for every k >= 0
    (least squares with n < d, logistic regression), with equality at k = N on the
    Huber-type function of Drori and Teboulle."""
    K = 300
    k = np.arange(K + 1)
    # least squares, n < d (convex, not strongly convex)
    A, b, _ = make_correlated_regression(30, 60, rho=0.5, noise=0.5, rng=seed)
    f = LeastSquares(A, b)
    x0 = np.random.default_rng(seed + 100).standard_normal(60)
    x_star = x0 + np.linalg.lstsq(A, b - A @ x0, rcond=None)[0]
    L = lipschitz(f)
    xs = run(optbook.gradient_descent, f.grad, x0=x0, step=1 / L, max_iter=K)
    R = xs - x_star
    gap = 0.5 * np.sum((R @ A.T) ** 2, axis=1) / f.n_samples
    assert_upper(gap, L * sq_dist(x0, x_star)[0] / (4 * k + 2), "thm-gd-tight (least squares)")
    # logistic regression
    A, y, _ = make_classification(200, 10, rho=0.3, rng=seed)
    f = LogisticRegression(A, y, lam=1e-3)
    x0 = np.random.default_rng(seed + 100).standard_normal(10)
    x_star = f.reference_solution()
    L = lipschitz(f)
    xs = run(optbook.gradient_descent, f.grad, x0=x0, step=1 / L, max_iter=K)
    gap = np.array([f.value(x) for x in xs]) - f.value(x_star)
    assert_upper(gap, L * sq_dist(x0, x_star)[0] / (4 * k + 2), "thm-gd-tight (logistic)")
    # the bound is attained at k = N on the Huber-type function
    L, Rad = [(1.0, 1.0), (3.0, 2.0), (0.5, 5.0)][seed]
    for N in [1, 5, 40]:
        value, grad = huber_worst_case(N, L, Rad)
        xs = run(optbook.gradient_descent, grad, x0=np.array([Rad]), step=1 / L, max_iter=N)
        gaps = np.array([value(x) for x in xs])
        assert_upper(gaps, L * Rad**2 / (4 * np.arange(N + 1) + 2), "thm-gd-tight (Huber)")
        assert gaps[-1] == pytest.approx(L * Rad**2 / (4 * N + 2), rel=1e-12)


# ---------------------------------------------------------------------------
# fixed restart of Nesterov's method
# ---------------------------------------------------------------------------


def restarted_nesterov(grad, x0, L, K, cycles):
    """optbook.nesterov_restart (step 1/L, period K) for ``cycles`` cycles: [x_0, ..., x_{JK}]."""
    xs = run(optbook.nesterov_restart, grad, x0=np.array(x0, dtype=float), step=1 / L,
             period=K, max_iter=K * cycles)
    # the function is the algorithm block: J cycles of nesterov (mu = 0), bit for bit
    x = np.array(x0, dtype=float)
    for j in range(cycles):
        x = optbook.nesterov(grad, x, 1 / L, max_iter=K).x
        np.testing.assert_array_equal(xs[(j + 1) * K], x)
    return xs


def fixed_restart_ratios(gap, K, kappa):
    """Assert both bounds of thm-fixed-restart at every iteration; return lhs/rhs."""
    j, i = np.divmod(np.arange(len(gap)), K)
    factor = np.where(i == 0, 1.0, 4 * kappa / (i + 1.0) ** 2)
    rhs = factor * np.exp(-2.0 * j) * gap[0]
    assert_upper(gap, rhs, "thm-fixed-restart")
    return gap / rhs, j, i


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_thm_fixed_restart(seed):
    r"""thm-fixed-restart: :func:`optbook.nesterov_restart` (step 1/L, period
    :math:`K = \lceil 2e\sqrt\kappa\,\rceil \ge 2e\sqrt\kappa - 1`) on a mu-strongly
    convex L-smooth f satisfies :math:`f(x_{jK}) - f^\star \le e^{-2j}(f(x_0) - f^\star)`
    and :math:`f(x_{jK+i}) - f^\star \le \frac{4\kappa}{(i+1)^2}e^{-2j}(f(x_0) - f^\star)`
    for :math:`1 \le i \le K`.

    Instances: least squares and ridge logistic regression (bounds only), and a
    diagonal quadratic started on the eigenvector of mu, where the intermediate bound
    of the first cycle is nearly attained: on that eigenvector Nesterov's method
    behaves like :math:`2J_1(s)/s` with :math:`s = i/\sqrt\kappa`, and the ratio
    :math:`J_1(s)^2` of the two sides peaks at about 0.34. The restart bound
    :math:`e^{-2j}` itself loses a factor of about 10 per cycle on that instance (the
    true contraction of a cycle is near :math:`(2J_1(2e)/(2e))^2 \approx 0.016`,
    against :math:`e^{-2} \approx 0.135`), so its non-vacuity is checked at
    :math:`j = 1` with a fraction 0.05."""
    A, b, _ = make_correlated_regression(100, 20, condition_number=300.0, rng=seed)
    ls = LeastSquares(A, b)
    instances = [(ls, ls.minimizer())]
    A, y, _ = make_classification(200, 10, rho=0.3, rng=seed)
    lg = LogisticRegression(A, y, lam=0.01)
    instances.append((lg, lg.reference_solution()))
    for f, x_star in instances:
        L, mu = lipschitz(f), strong_convexity(f)
        kappa = L / mu
        K = math.ceil(2 * math.e * math.sqrt(kappa))
        cycles = 5  # e^{-2j} stays far above the rounding level of the gaps
        x0 = np.random.default_rng(seed + 7).standard_normal(f.n_features)
        xs = restarted_nesterov(f.grad, x0, L, K, cycles)
        if isinstance(f, LeastSquares):
            E = xs - x_star
            gap = 0.5 * np.sum((E @ f.A.T) ** 2, axis=1) / f.n_samples
        else:
            gap = np.array([f.value(x) for x in xs]) - f.value(x_star)
        fixed_restart_ratios(gap, K, kappa)
        # with i = K the intermediate bound is the restart bound of the next cycle
        assert 4 * kappa / (K + 1) ** 2 <= math.exp(-2)

    # the nearly tight instance: f(x) = sum_i h_i x_i^2 / 2, x_0 on the eigenvector of mu
    kappa = [100.0, 300.0, 1000.0][seed]
    h = np.geomspace(1.0 / kappa, 1.0, 20)
    f = Quadratic(np.diag(h))
    L, mu = lipschitz(f), strong_convexity(f)
    assert L / mu == pytest.approx(kappa)
    K = math.ceil(2 * math.e * math.sqrt(kappa))
    x0 = np.zeros(20)
    x0[0] = 1.0
    xs = restarted_nesterov(f.grad, x0, L, K, 4)
    ratio, j, i = fixed_restart_ratios(quad_gap(f.Q, xs, np.zeros(20)), K, kappa)
    assert ratio[(j == 0) & (i > 0)].max() > 0.25, ratio[(j == 0) & (i > 0)].max()
    assert ratio[K] > 0.05, ratio[K]
