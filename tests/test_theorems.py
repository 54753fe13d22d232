r"""Theorem checks (BOOK_GUIDE §6): every rate of Part II, asserted at every iteration.

Each test carries, in its name and docstring, the label of the ``{prf:theorem}``
it checks (``thm-gd-convex``, ...). It runs the ``optbook`` solver on several
random instances that satisfy the theorem's hypotheses, records every iterate
:math:`x_0, x_1, \dots, x_K`, and asserts the bound for each :math:`k`, with a
slack for floating point only: ``lhs <= rhs * (1 + 1e-12) + 1e-14``.

Reference quantities are computed independently of the solver under test:
closed forms (``lstsq``, linear solves), Newton's method for the logistic
loss, and, for composite problems, a long restarted FISTA run whose optimality
is then certified by the KKT conditions. For least squares the gap is
computed with the exact identity :math:`f(x) - f^\star = \|A(x - x^\star)\|^2/(2n)`,
which holds because the residual at :math:`x^\star` is orthogonal to the range
of :math:`A`, and avoids the cancellation in :math:`f(x) - f^\star`.
"""

import numpy as np
import pytest
from scipy.optimize import linprog

import optbook
from optbook.datasets import make_classification, make_correlated_regression
from optbook.objectives import LeastSquares, LogisticRegression, Quadratic
from optbook.prox import prox_l1, prox_l2

import theorem_checks
from theorem_checks import ls_gap, run, sq_dist, underdetermined_ls, lipschitz, pl_constant, strong_convexity
from theorem_checks import assert_upper as assert_bound


def horizon(rate, cap=300, floor=1e-12):
    return theorem_checks.horizon(rate, cap, floor)


def logistic(seed, lam):
    return theorem_checks.logistic(seed, lam, n_samples=200)


SEEDS = [0, 1, 2]


# ---------------------------------------------------------------------------
# composite problems F = f + lam ||.||_1 with a certified reference solution
# ---------------------------------------------------------------------------


def composite_instance(kind, seed):
    """(f, lam, x0, x_star, F_star) for the Lasso or l1-logistic regression."""
    rng = np.random.default_rng(seed + 100)
    if kind == "lasso":
        A, b, _ = make_correlated_regression(40, 80, rho=0.6, n_nonzero=8, noise=0.1, rng=seed)
        f = LeastSquares(A, b)
        lam = 0.1 * np.abs(A.T @ b).max() / A.shape[0]
    else:
        A, y, _ = make_classification(150, 20, rho=0.3, rng=seed)
        f = LogisticRegression(A, y)
        lam = 0.1 * np.abs(A.T @ y).max() / (2 * A.shape[0])
    d = A.shape[1]
    prox = lambda x, t: prox_l1(x, lam * t)  # noqa: E731
    ref = optbook.fista(f.grad, prox, np.zeros(d), 1 / lipschitz(f), max_iter=200_000,
                        tol=1e-13, restart="gradient")
    x_star = ref.x
    # KKT certificate, independent of the solver: -grad f(x*) ∈ lam ∂||x*||_1
    g = f.grad(x_star)
    on = x_star != 0
    kkt = max(np.abs(g[on] + lam * np.sign(x_star[on])).max(initial=0.0),
              max(np.abs(g[~on]).max(initial=0.0) - lam, 0.0))
    assert kkt < 1e-10, f"reference solution not optimal (KKT residual {kkt:.2e})"
    F = lambda x: f.value(x) + lam * np.abs(x).sum()  # noqa: E731
    return f, prox, F, rng.standard_normal(d), x_star, F(x_star)


# ---------------------------------------------------------------------------
# gradient descent
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_thm_gd_convex(seed):
    r"""thm-gd-convex: GD with step 1/L on convex L-smooth f,
    :math:`f(x_k) - f^\star \le L\|x_0 - x^\star\|^2/(2k)` for every k >= 1."""
    K = 300
    f, x0, x_star = underdetermined_ls(seed)
    L = lipschitz(f)
    xs = run(optbook.gradient_descent, f.grad, x0=x0, step=1 / L, max_iter=K)
    k = np.arange(1, K + 1)
    assert_bound(ls_gap(f, xs, x_star)[1:], L * sq_dist(x0[None], x_star) / (2 * k),
                 "thm-gd-convex (least squares, n < d)")

    f, x0, x_star = logistic(seed, lam=1e-3)
    L = lipschitz(f)
    xs = run(optbook.gradient_descent, f.grad, x0=x0, step=1 / L, max_iter=K)
    gap = np.array([f.value(x) for x in xs]) - f.value(x_star)
    assert_bound(gap[1:], L * sq_dist(x0[None], x_star) / (2 * k),
                 "thm-gd-convex (logistic)")


@pytest.mark.parametrize("seed", SEEDS)
def test_thm_gd_strongly_convex(seed):
    r"""thm-gd-strongly-convex: GD on mu-strongly convex L-smooth f:
    :math:`\|x_k - x^\star\|^2 \le (1 - \mu/L)^k\|x_0 - x^\star\|^2` with step 1/L,
    and :math:`\le ((\kappa-1)/(\kappa+1))^{2k}\|x_0 - x^\star\|^2` with step 2/(L+mu)."""
    A, b, _ = make_correlated_regression(100, 20, condition_number=50.0, rng=seed)
    ls = LeastSquares(A, b)
    instances = [(ls, np.random.default_rng(seed).standard_normal(20), ls.minimizer()),
                 logistic(seed, lam=0.05)]
    for f, x0, x_star in instances:
        L, mu = lipschitz(f), strong_convexity(f)
        assert mu > 0
        kappa = L / mu
        R2 = sq_dist(x0[None], x_star)
        K = horizon(1 - mu / L)
        k = np.arange(K + 1)
        xs = run(optbook.gradient_descent, f.grad, x0=x0, step=1 / L, max_iter=K)
        assert_bound(sq_dist(xs, x_star), (1 - mu / L) ** k * R2,
                     f"thm-gd-strongly-convex, step 1/L ({type(f).__name__})")
        K = horizon(((kappa - 1) / (kappa + 1)) ** 2)
        k = np.arange(K + 1)
        xs = run(optbook.gradient_descent, f.grad, x0=x0, step=2 / (L + mu), max_iter=K)
        assert_bound(sq_dist(xs, x_star), ((kappa - 1) / (kappa + 1)) ** (2 * k) * R2,
                     f"thm-gd-strongly-convex, step 2/(L+mu) ({type(f).__name__})")


@pytest.mark.parametrize("seed", SEEDS)
def test_thm_gd_pl(seed):
    r"""thm-gd-pl: GD with step 1/L under the PL inequality with constant mu,
    :math:`f(x_k) - f^\star \le (1 - \mu/L)^k (f(x_0) - f^\star)`, on rank-deficient
    least squares (PL with mu = smallest positive eigenvalue of A^T A / n, not
    strongly convex)."""
    rng = np.random.default_rng(seed)
    n, d, r = 100, 30, 10
    A = rng.standard_normal((n, r)) @ rng.standard_normal((r, d)) / np.sqrt(r)
    f = LeastSquares(A, rng.standard_normal(n))
    assert strong_convexity(f) == 0.0 and pl_constant(f) > 0
    L, mu = lipschitz(f), pl_constant(f)
    K = horizon(1 - mu / L)
    x0 = rng.standard_normal(d)
    x_star = f.minimizer()  # any minimizer: f(x) - f* = ||A(x - x*)||^2 / (2n)
    xs = run(optbook.gradient_descent, f.grad, x0=x0, step=1 / L, max_iter=K)
    gap = ls_gap(f, xs, x_star)
    assert_bound(gap, (1 - mu / L) ** np.arange(K + 1) * gap[0], "thm-gd-pl")


# ---------------------------------------------------------------------------
# subgradient method
# ---------------------------------------------------------------------------


def l1_regression(seed, noisy):
    r""":math:`f(x) = \|Ax - b\|_1/n`, convex and G-Lipschitz with G = ||A||_2/sqrt(n)."""
    rng = np.random.default_rng(seed)
    n, d = 60, 8
    A = rng.standard_normal((n, d))
    x_true = rng.standard_normal(d)
    b = A @ x_true
    if noisy:
        b = b + rng.standard_t(2, size=n)
        # f* and x* from the LP  min sum(t)  s.t.  -t <= Ax - b <= t
        c = np.concatenate([np.zeros(d), np.ones(n)])
        I = np.eye(n)
        A_ub = np.block([[A, -I], [-A, -I]])
        lp = linprog(c, A_ub=A_ub, b_ub=np.concatenate([b, -b]),
                     bounds=[(None, None)] * d + [(0, None)] * n, method="highs")
        assert lp.status == 0
        x_star = lp.x[:d]
    else:
        x_star = x_true  # f* = 0
    f = lambda x: np.abs(A @ x - b).sum() / n  # noqa: E731
    subgrad = lambda x: A.T @ np.sign(A @ x - b) / n  # noqa: E731
    G = np.linalg.norm(A, 2) / np.sqrt(n)
    return f, subgrad, G, x_star, f(x_star), rng.standard_normal(d)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("noisy", [False, True])
def test_thm_subgradient(seed, noisy):
    r"""thm-subgradient: for convex f with subgradients bounded by G and any positive
    steps, :math:`\min_{0\le i<k} f(x_i) - f^\star \le (R^2 + G^2\sum_{i<k}\gamma_i^2)
    /(2\sum_{i<k}\gamma_i)` for every k >= 1, where R = ||x_0 - x*||; also for the
    weighted average :math:`\bar x_K`. Checked for the anytime schedule
    :math:`\gamma_i = \gamma_0/\sqrt{i+1}` ("1/sqrt(k)") and for the constant step
    :math:`\gamma = R/(G\sqrt K)` (horizon K, bound RG/sqrt(K) at k = K)."""
    f, subgrad, G, x_star, f_star, x0 = l1_regression(seed, noisy)
    R = np.linalg.norm(x0 - x_star)
    K = 2000
    for name, step, gammas in [
        ("1/sqrt(k)", "1/sqrt(k)", 0.5 / np.sqrt(np.arange(1, K + 1))),
        ("constant R/(G sqrt K)", R / (G * np.sqrt(K)), np.full(K, R / (G * np.sqrt(K)))),
    ]:
        iterates = [x0]
        res = optbook.subgradient_descent(subgrad, x0, step, max_iter=K, step0=0.5, f=f,
                                          callback=lambda x: iterates.append(x.copy()))
        assert res.nit == K
        values = np.array([f(x) for x in iterates])
        best = np.minimum.accumulate(values[:-1]) - f_star  # min over i < k, k = 1..K
        bound = (R**2 + G**2 * np.cumsum(gammas**2)) / (2 * np.cumsum(gammas))
        assert_bound(best, bound, f"thm-subgradient ({name})")
        assert_bound([f(res.x_avg) - f_star], bound[-1:], f"thm-subgradient, average ({name})")
        if name.startswith("constant"):
            assert bound[-1] == pytest.approx(R * G / np.sqrt(K))


# ---------------------------------------------------------------------------
# proximal point and proximal gradient
# ---------------------------------------------------------------------------


def test_thm_proximal_point():
    r"""thm-proximal-point: for closed convex f and any gamma > 0,
    :math:`f(x_k) - f^\star \le \|x_0 - x^\star\|^2/(2\gamma k)`; on least squares
    (n < d, exact prox by a linear solve), on ||x||_1 and on ||x||_2."""
    K = 200
    for seed in SEEDS:
        f, x0, x_star = underdetermined_ls(seed)
        H, Atb = f.hess(), f.A.T @ f.b / f.n_samples
        d = H.shape[0]
        for gamma in [0.1 / lipschitz(f), 1.0 / lipschitz(f), 10.0 / lipschitz(f)]:
            prox = lambda v, t: np.linalg.solve(np.eye(d) + t * H, v + t * Atb)  # noqa: E731
            xs = run(optbook.proximal_point, prox, x0=x0, step=gamma, max_iter=K)
            k = np.arange(1, K + 1)
            assert_bound(ls_gap(f, xs, x_star)[1:], sq_dist(x0[None], x_star) / (2 * gamma * k),
                         "thm-proximal-point (least squares)")
        x0 = np.random.default_rng(seed).standard_normal(50) * 5
        for value, prox in [(lambda x: np.abs(x).sum(axis=-1), prox_l1),
                            (lambda x: np.linalg.norm(x, axis=-1), prox_l2)]:
            for gamma in [0.01, 0.3]:
                xs = run(optbook.proximal_point, prox, x0=x0, step=gamma, max_iter=K)
                k = np.arange(1, K + 1)
                assert_bound(value(xs)[1:], sq_dist(x0[None], 0.0) / (2 * gamma * k),
                             "thm-proximal-point (norm)")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["lasso", "logistic-l1"])
def test_thm_proximal_gradient(kind, seed):
    r"""thm-proximal-gradient: proximal gradient with step 1/L on F = f + g,
    f convex L-smooth, g closed convex: :math:`F(x_k) - F^\star \le L\|x_0 - x^\star\|^2/(2k)`."""
    f, prox, F, x0, x_star, F_star = composite_instance(kind, seed)
    L, K = lipschitz(f), 300
    xs = run(optbook.proximal_gradient, f.grad, prox, x0=x0, step=1 / L, max_iter=K)
    gap = np.array([F(x) for x in xs]) - F_star
    k = np.arange(1, K + 1)
    assert_bound(gap[1:], L * sq_dist(x0[None], x_star) / (2 * k), f"thm-proximal-gradient ({kind})")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", ["lasso", "logistic-l1"])
def test_thm_fista(kind, seed):
    r"""thm-fista: FISTA with step 1/L on F = f + g,
    :math:`F(x_k) - F^\star \le 2L\|x_0 - x^\star\|^2/(k+1)^2` for every k >= 1."""
    f, prox, F, x0, x_star, F_star = composite_instance(kind, seed)
    L, K = lipschitz(f), 300
    xs = run(optbook.fista, f.grad, prox, x0=x0, step=1 / L, max_iter=K)
    gap = np.array([F(x) for x in xs]) - F_star
    k = np.arange(1, K + 1)
    assert_bound(gap[1:], 2 * L * sq_dist(x0[None], x_star) / (k + 1) ** 2, f"thm-fista ({kind})")


# ---------------------------------------------------------------------------
# accelerated and momentum methods for smooth problems
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_thm_nesterov_convex(seed):
    r"""thm-nesterov-convex (FISTA with g = 0): Nesterov's method with step 1/L and
    mu = 0 on convex L-smooth f, :math:`f(x_k) - f^\star \le 2L\|x_0 - x^\star\|^2/(k+1)^2`."""
    K = 300
    k = np.arange(1, K + 1)
    f, x0, x_star = underdetermined_ls(seed)
    L = lipschitz(f)
    xs = run(optbook.nesterov, f.grad, x0=x0, step=1 / L, max_iter=K)
    assert_bound(ls_gap(f, xs, x_star)[1:], 2 * L * sq_dist(x0[None], x_star) / (k + 1) ** 2,
                 "thm-nesterov-convex (least squares)")
    f, x0, x_star = logistic(seed, lam=1e-3)
    L = lipschitz(f)
    xs = run(optbook.nesterov, f.grad, x0=x0, step=1 / L, max_iter=K)
    gap = np.array([f.value(x) for x in xs]) - f.value(x_star)
    assert_bound(gap[1:], 2 * L * sq_dist(x0[None], x_star) / (k + 1) ** 2,
                 "thm-nesterov-convex (logistic)")


@pytest.mark.parametrize("seed", SEEDS)
def test_thm_nesterov_strongly_convex(seed):
    r"""thm-nesterov-strongly-convex: Nesterov's method with step 1/L and momentum
    :math:`(1-\sqrt{\mu/L})/(1+\sqrt{\mu/L})` on mu-strongly convex L-smooth f,
    :math:`f(x_k) - f^\star \le (1-\sqrt{\mu/L})^k (f(x_0) - f^\star + \frac{\mu}{2}\|x_0 - x^\star\|^2)`."""
    A, b, _ = make_correlated_regression(100, 20, condition_number=200.0, rng=seed)
    ls = LeastSquares(A, b)
    x0 = np.random.default_rng(seed).standard_normal(20)
    for f, x0, x_star in [(ls, x0, ls.minimizer()), logistic(seed, lam=0.01)]:
        L, mu = lipschitz(f), strong_convexity(f)
        K = horizon(1 - np.sqrt(mu / L))
        xs = run(optbook.nesterov, f.grad, x0=x0, step=1 / L, mu=mu, max_iter=K)
        if isinstance(f, LeastSquares):
            gap = ls_gap(f, xs, x_star)
        else:
            gap = np.array([f.value(x) for x in xs]) - f.value(x_star)
        rhs = (1 - np.sqrt(mu / L)) ** np.arange(K + 1) * (gap[0] + mu / 2 * sq_dist(x0[None], x_star))
        assert_bound(gap, rhs, f"thm-nesterov-strongly-convex ({type(f).__name__})")


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kappa", [10.0, 100.0, 1000.0])
def test_thm_heavy_ball_quadratic(seed, kappa):
    r"""thm-heavy-ball-quadratic: on a quadratic with spectrum in [mu, L], heavy ball
    with :math:`\gamma = 4/(\sqrt L + \sqrt\mu)^2`, :math:`\beta = \rho^2`,
    :math:`\rho = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)`, satisfies
    :math:`\|x_k - x^\star\| \le ((1+\rho)k + 1)\rho^k\|x_0 - x^\star\|` (each
    eigen-component obeys :math:`u_{k+1} = 2c\,u_k - u_{k-1}` for :math:`e_k = \rho^k u_k`,
    :math:`|c| \le 1`, so :math:`u_k = u_0U_k(c) - u_{-1}U_{k-1}(c)` with
    Chebyshev polynomials :math:`|U_k| \le k+1` and :math:`u_{-1} = \rho u_0`)."""
    f = Quadratic.random(30, 1.0, kappa, rng=seed)
    eigs = np.linalg.eigvalsh(f.Q)  # the constants, computed here
    mu, L = eigs[0], eigs[-1]
    rho = (np.sqrt(L / mu) - 1) / (np.sqrt(L / mu) + 1)
    step, momentum = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, rho**2
    K = horizon(rho, cap=1000, floor=1e-9)
    x0 = np.random.default_rng(seed).standard_normal(30)
    x_star = f.minimizer()
    xs = run(optbook.heavy_ball, f.grad, x0=x0, step=step, momentum=momentum, max_iter=K)
    k = np.arange(K + 1)
    assert_bound(np.sqrt(sq_dist(xs, x_star)),
                 ((1 + rho) * k + 1) * rho**k * np.linalg.norm(x0 - x_star),
                 f"thm-heavy-ball-quadratic (kappa={kappa})")


# ---------------------------------------------------------------------------
# Krasnosel'skii-Mann
# ---------------------------------------------------------------------------


def nonexpansive_instances(seed):
    """(T, x_star, x0) with T nonexpansive and x_star one of its fixed points."""
    rng = np.random.default_rng(seed)
    d = 10
    # 1. a block rotation (an isometry: plain iteration would cycle); Fix T = {0}
    R = np.zeros((d, d))
    for i, theta in zip(range(0, d, 2), rng.uniform(0.2, np.pi, d // 2)):
        R[i:i + 2, i:i + 2] = [[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]
    yield (lambda x: R @ x), np.zeros(d), rng.standard_normal(d)
    # 2. a composition of projections P_box ∘ P_hyperplane; z is in both sets
    z = rng.uniform(-1, 1, d)
    a = rng.standard_normal(d)
    P_H = lambda x: x - (a @ x - a @ z) / (a @ a) * a  # noqa: E731
    yield (lambda x: np.clip(P_H(x), -1.0, 1.0)), z, 3 * rng.standard_normal(d)
    # 3. the gradient step I - (2/L) grad f of least squares; Fix T = minimizers
    A, b, _ = make_correlated_regression(30, d, rng=seed)
    f = LeastSquares(A, b)
    yield (lambda x: x - 2 / lipschitz(f) * f.grad(x)), f.minimizer(), rng.standard_normal(d)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lam", [0.25, 0.5, 0.9])
def test_thm_krasnoselskii_mann(seed, lam):
    r"""thm-krasnoselskii-mann: for nonexpansive T with a fixed point x* and
    lambda in (0, 1), :math:`\|x_k - Tx_k\|^2 \le \|x_0 - x^\star\|^2/(\lambda(1-\lambda)(k+1))`."""
    K = 400
    for i, (T, x_star, x0) in enumerate(nonexpansive_instances(seed)):
        np.testing.assert_allclose(T(x_star), x_star, atol=1e-12)
        xs = run(optbook.krasnoselskii_mann, T, x0=x0, relaxation=lam, max_iter=K)
        residual2 = np.array([np.sum((x - T(x)) ** 2) for x in xs])
        assert_bound(residual2,
                     sq_dist(x0[None], x_star) / (lam * (1 - lam) * np.arange(1, K + 2)),
                     f"thm-krasnoselskii-mann (instance {i})")
