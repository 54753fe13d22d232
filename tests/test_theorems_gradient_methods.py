r"""Theorem checks of the chapter *Gradient methods* (``chapters/02_gradient_methods.md``).

Each test carries, in its name and docstring, the label of the rate theorem it
checks, runs the ``optbook`` solver on instances where the hypotheses hold,
records every iterate :math:`x_0, \dots, x_K`, and asserts the bound at every
iteration with a floating-point slack only: upper bounds as
``lhs <= rhs * (1 + 1e-12) + 1e-14``, lower bounds as
``lhs >= rhs * (1 - 1e-12) - 1e-14``.

``tests/test_theorems.py`` checks ``thm-gd-convex``, ``thm-gd-strongly-convex``
and ``thm-gd-pl`` for the steps :math:`1/L` and :math:`2/(L+\mu)`, and
``thm-subgradient``, ``thm-proximal-point``, ``thm-proximal-gradient`` and
``thm-krasnoselskii-mann``. The chapter states the first three (and
``thm-proximal-gradient``) for whole ranges of steps; this file checks the
other steps of these ranges, and the chapter's other rate theorems:
``thm-gd-nonconvex``, ``thm-gd-quadratic``, ``thm-armijo``,
``thm-subgradient-polyak`` and ``thm-contraction``.

Reference quantities are computed independently of the solver under test:
closed forms (``lstsq``, eigendecompositions), Newton's method for the
logistic loss, linear programming for the absolute loss, and a long restarted
FISTA run certified by the KKT conditions for the lasso. Least-squares gaps use
the exact identity :math:`f(x) - f^\star = \|A(x - x^\star)\|^2/(2n)`.
"""

import numpy as np
import pytest
from scipy.optimize import linprog

import optbook
from optbook.datasets import make_correlated_regression
from optbook.objectives import LeastSquares, Quadratic
from optbook.prox import prox_l1

import theorem_checks
from theorem_checks import assert_lower, assert_upper, ls_gap, run, sq_dist, underdetermined_ls, lipschitz, pl_constant, strong_convexity


def horizon(rate, cap=400, floor=1e-10):
    return theorem_checks.horizon(rate, cap, floor)


def logistic(seed, lam):
    return theorem_checks.logistic(seed, lam, n_samples=150)


SEEDS = [0, 1, 2]


def rank_deficient_ls(seed):
    """Least squares with a singular A^T A: PL with the smallest positive eigenvalue."""
    rng = np.random.default_rng(seed)
    n, d, r = 80, 25, 8
    A = rng.standard_normal((n, r)) @ rng.standard_normal((r, d)) / np.sqrt(r)
    f = LeastSquares(A, rng.standard_normal(n))
    assert strong_convexity(f) == 0.0 and pl_constant(f) > 0
    return f, rng.standard_normal(d), f.minimizer()


def logistic_gaps(f, xs, x_star):
    return np.array([f.value(x) for x in xs]) - f.value(x_star)


# ---------------------------------------------------------------------------
# nonconvex smooth functions (f_inf = 0 for both)
# ---------------------------------------------------------------------------


def wavy(seed):
    r""":math:`f(x) = \sum_i a_i (x_i^2 + 8\sin^2 x_i)`: nonconvex, spurious local minima,
    :math:`|f''| \le 18 a_i`, so L = 18 max a_i; inf f = 0."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.2, 1.0, 6)
    value = lambda x: float(a @ (x**2 + 8 * np.sin(x) ** 2))  # noqa: E731
    grad = lambda x: a * (2 * x + 8 * np.sin(2 * x))  # noqa: E731
    return value, grad, 18 * a.max(), 4 * rng.standard_normal(6)


def cauchy_regression(seed):
    r""":math:`f(x) = \frac1n\sum_i \log(1 + (a_i^\top x - b_i)^2)`: nonconvex,
    :math:`|\phi''| \le 2` for :math:`\phi(r) = \log(1 + r^2)`, so
    :math:`L = 2\lambda_{\max}(A^\top A)/n`; inf f >= 0."""
    A, b, _ = make_correlated_regression(60, 8, noise=2.0, rng=seed)
    n = A.shape[0]
    value = lambda x: float(np.mean(np.log1p((A @ x - b) ** 2)))  # noqa: E731

    def grad(x):
        r = A @ x - b
        return A.T @ (2 * r / (1 + r**2)) / n

    L = 2 * np.linalg.eigvalsh(A.T @ A / n)[-1]
    return value, grad, L, 3 * np.random.default_rng(seed + 100).standard_normal(8)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("instance", [wavy, cauchy_regression])
def test_thm_gd_nonconvex(instance, seed):
    r"""thm-gd-nonconvex: for L-smooth f bounded below by f_inf and 0 < gamma < 2/L,
    f(x_k) is nonincreasing and :math:`\min_{i<k}\|\nabla f(x_i)\|^2 \le
    (f(x_0) - f_{\inf})/(\gamma(1 - L\gamma/2)k)`."""
    value, grad, L, x0 = instance(seed)
    K = 300
    k = np.arange(1, K + 1)
    for factor in [0.5, 1.0, 1.8]:
        gamma = factor / L
        xs = run(optbook.gradient_descent, grad, x0=x0, step=gamma, max_iter=K)
        values = np.array([value(x) for x in xs])
        assert_upper(values[1:], values[:-1], f"thm-gd-nonconvex, monotone (gamma={factor}/L)")
        sq_grads = np.array([np.sum(grad(x) ** 2) for x in xs[:-1]])
        best = np.minimum.accumulate(sq_grads)  # min over i < k, for k = 1..K
        bound = (values[0] - 0.0) / (gamma * (1 - L * gamma / 2) * k)
        assert_upper(best, bound, f"thm-gd-nonconvex (gamma={factor}/L)")


# ---------------------------------------------------------------------------
# convex, strongly convex and PL: the whole step ranges of the chapter
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_thm_gd_convex_all_steps(seed):
    r"""thm-gd-convex for steps 0 < gamma <= 1/L other than 1/L:
    :math:`f(x_k) - f^\star \le \|x_0 - x^\star\|^2/(2\gamma k)` and
    :math:`\|x_k - x^\star\|` nonincreasing."""
    K = 300
    k = np.arange(1, K + 1)
    for f, x0, x_star, gap in [(*underdetermined_ls(seed), ls_gap),
                               (*logistic(seed, lam=1e-3), logistic_gaps)]:
        for factor in [0.3, 0.7, 1.0]:
            gamma = factor / lipschitz(f)
            xs = run(optbook.gradient_descent, f.grad, x0=x0, step=gamma, max_iter=K)
            assert_upper(gap(f, xs, x_star)[1:], sq_dist(x0, x_star) / (2 * gamma * k),
                         f"thm-gd-convex (gamma={factor}/L, {type(f).__name__})")
            dists = sq_dist(xs, x_star)
            assert_upper(dists[1:], dists[:-1], "thm-gd-convex, distances nonincreasing")


@pytest.mark.parametrize("seed", SEEDS)
def test_thm_gd_strongly_convex_all_steps(seed):
    r"""thm-gd-strongly-convex for 0 < gamma <= 2/(L+mu):
    :math:`\|x_k - x^\star\|^2 \le (1 - 2\gamma\mu L/(\mu+L))^k\|x_0 - x^\star\|^2`
    and :math:`f(x_k) - f^\star \le \frac L2\|x_k - x^\star\|^2`."""
    A, b, _ = make_correlated_regression(100, 20, condition_number=30.0, rng=seed)
    ls = LeastSquares(A, b)
    instances = [(ls, np.random.default_rng(seed).standard_normal(20), ls.minimizer(), ls_gap),
                 (*logistic(seed, lam=0.05), logistic_gaps)]
    for f, x0, x_star, gap in instances:
        L, mu = lipschitz(f), strong_convexity(f)
        assert mu > 0
        for gamma in [0.3 / L, 1 / L, 1 / (L + mu), 2 / (L + mu)]:
            rate = 1 - 2 * gamma * mu * L / (mu + L)
            K = horizon(rate)
            xs = run(optbook.gradient_descent, f.grad, x0=x0, step=gamma, max_iter=K)
            dists = sq_dist(xs, x_star)
            assert_upper(dists, rate ** np.arange(K + 1) * sq_dist(x0, x_star),
                         f"thm-gd-strongly-convex (gamma L = {gamma * L:.3f})")
            assert_upper(gap(f, xs, x_star), L / 2 * dists,
                         "thm-gd-strongly-convex, values from distances")


@pytest.mark.parametrize("seed", SEEDS)
def test_thm_gd_pl_all_steps(seed):
    r"""thm-gd-pl for 0 < gamma < 2/L: :math:`f(x_k) - f^\star \le
    (1 - \mu\gamma(2 - L\gamma))^k (f(x_0) - f^\star)`, on rank-deficient least squares
    (PL, not strongly convex)."""
    f, x0, x_star = rank_deficient_ls(seed)
    L, mu = lipschitz(f), pl_constant(f)
    for factor in [0.4, 1.0, 1.5, 1.9]:
        gamma = factor / L
        rate = 1 - mu * gamma * (2 - L * gamma)
        K = horizon(rate)
        xs = run(optbook.gradient_descent, f.grad, x0=x0, step=gamma, max_iter=K)
        gap = ls_gap(f, xs, x_star)
        assert_upper(gap, rate ** np.arange(K + 1) * gap[0], f"thm-gd-pl (gamma={factor}/L)")


# ---------------------------------------------------------------------------
# quadratics: exact contraction factor, divergence beyond 2/L
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kappa", [5.0, 50.0])
def test_thm_gd_quadratic(seed, kappa):
    r"""thm-gd-quadratic: on :math:`\frac12 x^\top Qx - c^\top x`,
    :math:`\|x_k - x^\star\| \le \rho(\gamma)^k\|x_0 - x^\star\|` with
    :math:`\rho(\gamma) = \max(|1 - \gamma\mu|, |1 - \gamma L|)` for every gamma > 0,
    and for gamma > 2/L, :math:`\|x_k - x^\star\| \ge (\gamma L - 1)^k\|u\|` with u the
    projection of x_0 - x* on the top eigenspace."""
    f = Quadratic.random(25, 1.0, kappa, rng=seed)
    eigs = np.linalg.eigvalsh(f.Q)  # the constants, computed here
    mu, L = eigs[0], eigs[-1]
    x_star = f.minimizer()
    x0 = np.random.default_rng(seed + 7).standard_normal(25)
    R = np.linalg.norm(x0 - x_star)
    eigvals, eigvecs = np.linalg.eigh(f.Q)
    for gamma in [0.5 / L, 1 / L, 2 / (L + mu), 1.9 / L, 2.05 / L, 2.3 / L]:
        rho = max(abs(1 - gamma * mu), abs(1 - gamma * L))
        K = 120
        xs = run(optbook.gradient_descent, f.grad, x0=x0, step=gamma, max_iter=K)
        dists = np.sqrt(sq_dist(xs, x_star))
        k = np.arange(K + 1)
        assert_upper(dists, rho**k * R, f"thm-gd-quadratic, upper (gamma L = {gamma * L:.3f})")
        if gamma > 2 / L:
            top = eigvecs[:, np.isclose(eigvals, L, rtol=1e-12)]
            u = np.linalg.norm(top.T @ (x0 - x_star))
            assert u > 0
            assert_lower(dists, (gamma * L - 1) ** k * u,
                         f"thm-gd-quadratic, divergence (gamma L = {gamma * L:.3f})")
            assert dists[-1] > R  # the run moved away from the solution
    # the best step: rho(2/(L + mu)) = (kappa - 1)/(kappa + 1), and rho < 1 iff gamma < 2/L
    gammas = np.linspace(0.01, 2.5, 500) / L
    rhos = np.maximum(np.abs(1 - gammas * mu), np.abs(1 - gammas * L))
    assert np.all((rhos < 1) == (gammas < 2 / L))
    assert rhos.min() >= (L / mu - 1) / (L / mu + 1) - 1e-12


# ---------------------------------------------------------------------------
# Armijo backtracking
# ---------------------------------------------------------------------------


def armijo_run(f_value, grad, x0, K, step0, beta, c):
    """Run GD with Armijo; return iterates, exact accepted steps and the number of f calls.

    The accepted steps are step0 * beta**j; j is recovered from the iterates
    (x_k - x_{k+1} = gamma_k grad f(x_k)) and the exact value is returned, for the
    iterations before the gradient becomes too small for the recovery to be exact.
    """
    calls = [0]

    def value(x):
        calls[0] += 1
        return f_value(x)

    xs = run(optbook.gradient_descent, grad, x0=x0, step="armijo", max_iter=K, f=value,
             step0=step0, beta=beta, c=c)
    grads = np.array([grad(x) for x in xs[:-1]])
    gnorm = np.linalg.norm(grads, axis=1)
    small = np.flatnonzero(gnorm <= 1e-6 * max(1.0, gnorm[0]))
    m = small[0] if small.size else K  # steps gamma_0, ..., gamma_{m-1} are recovered
    assert m >= 10
    ratio = np.linalg.norm(xs[:m] - xs[1:m + 1], axis=1) / gnorm[:m]
    j = np.round(np.log(ratio / step0) / np.log(beta))
    steps = step0 * beta**j
    np.testing.assert_allclose(ratio, steps, rtol=1e-6)
    return xs, steps, calls[0]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("beta", [0.5, 0.8])
def test_thm_armijo(seed, beta):
    r"""thm-armijo: with :math:`\gamma_{\min} = \min(\gamma_{-1}, 2\beta(1-c)/L)`,
    (1) the steps are nonincreasing, at least gamma_min, and f is evaluated at most
    :math:`k + 1 + \log(\gamma_{-1}/\gamma_{\min})/\log(1/\beta)` times;
    (2) :math:`\min_{i<k}\|\nabla f(x_i)\|^2 \le (f(x_0) - f_{\inf})/(c\gamma_{\min}k)`;
    (3) convex f, c >= 1/2: :math:`f(x_k) - f^\star \le \|x_0-x^\star\|^2/(2\sum_{i<k}\gamma_i)
    \le \|x_0-x^\star\|^2/(2\gamma_{\min}k)`;
    (4) PL: :math:`f(x_k) - f^\star \le (1 - 2c\mu\gamma_{\min})^k(f(x_0) - f^\star)`."""
    # items 1 and 3: logistic regression (convex), c = 1/2, long and short first steps
    f, x0, x_star = logistic(seed, lam=1e-3)
    L = lipschitz(f)
    K = 200
    for step0 in [50 / L, 0.3 / L]:
        c = 0.5
        gamma_min = min(step0, 2 * beta * (1 - c) / L)
        xs, steps, calls = armijo_run(f.value, f.grad, x0, K, step0, beta, c)
        m = steps.size
        assert_upper(steps[1:], steps[:-1], "thm-armijo, item 1 (nonincreasing steps)")
        assert_lower(steps, np.full(m, gamma_min), "thm-armijo, item 1 (steps >= gamma_min)")
        assert calls <= K + 1 + np.log(step0 / gamma_min) / np.log(1 / beta) + 1e-9
        gap = logistic_gaps(f, xs, x_star)[1:]
        R2 = sq_dist(x0, x_star)
        assert_upper(gap[:m], R2 / (2 * np.cumsum(steps)), "thm-armijo, item 3")
        assert_upper(gap, R2 / (2 * gamma_min * np.arange(1, K + 1)),
                     "thm-armijo, item 3 (gamma_min form)")

    # item 2: nonconvex functions, f_inf = 0
    for value, grad, L, x0 in [wavy(seed), cauchy_regression(seed)]:
        for c in [1e-4, 0.5]:
            step0 = 20 / L
            gamma_min = min(step0, 2 * beta * (1 - c) / L)
            xs, steps, _ = armijo_run(value, grad, x0, 150, step0, beta, c)
            assert_lower(steps, np.full(steps.size, gamma_min), "thm-armijo, item 1 (nonconvex)")
            sq_grads = np.array([np.sum(grad(x) ** 2) for x in xs[:-1]])
            k = np.arange(1, 151)
            assert_upper(np.minimum.accumulate(sq_grads), value(x0) / (c * gamma_min * k),
                         "thm-armijo, item 2")

    # item 4: rank-deficient least squares (PL), small and large c
    f, x0, x_star = rank_deficient_ls(seed)
    L, mu = lipschitz(f), pl_constant(f)
    for c in [1e-4, 0.3, 0.5]:
        step0 = 10 / L
        gamma_min = min(step0, 2 * beta * (1 - c) / L)
        rate = 1 - 2 * c * mu * gamma_min
        K = horizon(rate, floor=1e-8)
        xs, _, _ = armijo_run(f.value, f.grad, x0, K, step0, beta, c)
        gap = ls_gap(f, xs, x_star)
        assert_upper(gap, rate ** np.arange(K + 1) * gap[0], f"thm-armijo, item 4 (c={c})")


# ---------------------------------------------------------------------------
# subgradient method with Polyak's step
# ---------------------------------------------------------------------------


def l1_regression(seed, noisy):
    r""":math:`f(x) = \|Ax - b\|_1/n`, convex, subgradients bounded by G = ||A||_2/sqrt(n)."""
    rng = np.random.default_rng(seed)
    n, d = 60, 8
    A = rng.standard_normal((n, d))
    x_true = rng.standard_normal(d)
    b = A @ x_true
    f = lambda x: np.abs(A @ x - b).sum() / n  # noqa: E731
    if noisy:
        b = b + rng.standard_t(2, size=n)
        eye = np.eye(n)
        lp = linprog(np.concatenate([np.zeros(d), np.ones(n)]),
                     A_ub=np.block([[A, -eye], [-A, -eye]]), b_ub=np.concatenate([b, -b]),
                     bounds=[(None, None)] * d + [(0, None)] * n, method="highs")
        assert lp.status == 0
        x_star = lp.x[:d]
    else:
        x_star = x_true
    subgrad = lambda x: A.T @ np.sign(A @ x - b) / n  # noqa: E731
    G = np.linalg.norm(A, 2) / np.sqrt(n)
    return f, subgrad, G, x_star, rng.standard_normal(d)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("noisy", [False, True])
def test_thm_subgradient_polyak(seed, noisy):
    r"""thm-subgradient-polyak: with Polyak's step,
    :math:`\min_{i<k} f(x_i) - f^\star \le GR/\sqrt k` for every k >= 1, and (with the
    exact f* and x* of the noiseless instance) :math:`\|x_k - x^\star\|` is nonincreasing.
    With noise, f* is the value at the linear-programming solution, an upper estimate
    for which the same proof holds."""
    f, subgrad, G, x_star, x0 = l1_regression(seed, noisy)
    f_star = f(x_star)
    R = np.linalg.norm(x0 - x_star)
    iterates = [x0]
    res = optbook.subgradient_descent(subgrad, x0, "polyak", max_iter=1500, f=f, f_star=f_star,
                                      callback=lambda x: iterates.append(x.copy()))
    xs = np.array(iterates)
    assert res.nit == len(xs) - 1 >= 100
    values = np.array([f(x) for x in xs]) - f_star
    best = np.minimum.accumulate(values)[:-1]
    k = np.arange(1, len(xs))
    assert_upper(best, G * R / np.sqrt(k), "thm-subgradient-polyak")
    if not noisy:
        dists = sq_dist(xs, x_star)
        assert_upper(dists[1:], dists[:-1], "thm-subgradient-polyak, distances")


# ---------------------------------------------------------------------------
# Banach's fixed-point theorem
# ---------------------------------------------------------------------------


def contractions(seed):
    """(T, rho) with T a contraction of factor rho."""
    rng = np.random.default_rng(seed)
    d = 12
    # an affine map with ||M||_2 = 0.9
    M = rng.standard_normal((d, d))
    M *= 0.9 / np.linalg.norm(M, 2)
    c = rng.standard_normal(d)
    yield (lambda x: M @ x + c), 0.9
    # the gradient step of a strongly convex least-squares problem, factor max|1 - gamma lambda|
    A, b, _ = make_correlated_regression(50, d, condition_number=20.0, rng=seed)
    f = LeastSquares(A, b)
    gamma = 1.5 / lipschitz(f)
    eig = np.linalg.eigvalsh(f.hess())
    yield (lambda x: x - gamma * f.grad(x)), float(np.abs(1 - gamma * eig).max())
    # a nonlinear contraction: Lipschitz constant 0.7 (|sin'| <= 1, ||Q|| = 1)
    Q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    yield (lambda x: 0.7 * np.sin(Q @ x) + c), 0.7


@pytest.mark.parametrize("seed", SEEDS)
def test_thm_contraction(seed):
    r"""thm-contraction (Banach): :math:`\|x_k - x^\star\| \le \rho^k\|x_0 - x^\star\|` and
    :math:`\|x_k - x^\star\| \le \rho^k\|x_1 - x_0\|/(1 - \rho)`, with the plain
    iteration (krasnoselskii_mann with relaxation 1)."""
    for i, (T, rho) in enumerate(contractions(seed)):
        x0 = 5 * np.random.default_rng(seed + 50 + i).standard_normal(12)
        # the fixed point, by iterating far beyond the checked horizon
        x_star = optbook.krasnoselskii_mann(T, x0, relaxation=1.0, max_iter=2000).x
        assert np.linalg.norm(T(x_star) - x_star) < 1e-13
        K = horizon(rho, floor=1e-9)
        xs = run(optbook.krasnoselskii_mann, T, x0=x0, relaxation=1.0, max_iter=K)
        dists = np.sqrt(sq_dist(xs, x_star))
        k = np.arange(K + 1)
        assert_upper(dists, rho**k * np.linalg.norm(x0 - x_star), f"thm-contraction ({i})")
        assert_upper(dists, rho**k * np.linalg.norm(xs[1] - xs[0]) / (1 - rho),
                     f"thm-contraction, a posteriori bound ({i})")


# ---------------------------------------------------------------------------
# proximal gradient with steps below 1/L
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_thm_proximal_gradient_all_steps(seed):
    r"""thm-proximal-gradient for 0 < gamma <= 1/L on the lasso:
    :math:`F(x_k) - F^\star \le \|x_0 - x^\star\|^2/(2\gamma k)`, with F(x_k) and
    :math:`\|x_k - x^\star\|` nonincreasing."""
    A, b, _ = make_correlated_regression(40, 80, rho=0.6, n_nonzero=8, noise=0.1, rng=seed)
    f = LeastSquares(A, b)
    lam = 0.1 * np.abs(A.T @ b).max() / A.shape[0]
    prox = lambda x, t: prox_l1(x, lam * t)  # noqa: E731
    x_star = optbook.fista(f.grad, prox, np.zeros(80), 1 / lipschitz(f), max_iter=200_000,
                           tol=1e-13, restart="gradient").x
    g = f.grad(x_star)
    on = x_star != 0
    kkt = max(np.abs(g[on] + lam * np.sign(x_star[on])).max(initial=0.0),
              max(np.abs(g[~on]).max(initial=0.0) - lam, 0.0))
    assert kkt < 1e-10
    F = lambda x: f.value(x) + lam * np.abs(x).sum()  # noqa: E731
    x0 = np.random.default_rng(seed + 100).standard_normal(80)
    K = 300
    k = np.arange(1, K + 1)
    for factor in [0.25, 0.6]:
        gamma = factor / lipschitz(f)
        xs = run(optbook.proximal_gradient, f.grad, prox, x0=x0, step=gamma, max_iter=K)
        values = np.array([F(x) for x in xs])
        assert_upper(values[1:] - F(x_star), sq_dist(x0, x_star) / (2 * gamma * k),
                     f"thm-proximal-gradient (gamma={factor}/L)")
        assert_upper(values[1:], values[:-1], "thm-proximal-gradient, values nonincreasing")
        dists = sq_dist(xs, x_star)
        assert_upper(dists[1:], dists[:-1], "thm-proximal-gradient, distances nonincreasing")
