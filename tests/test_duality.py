"""Tests of :mod:`optbook.duality`: gaps, Lasso coordinate descent, SDCA."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from sklearn.svm import LinearSVC

import optbook
from optbook import duality
from optbook.duality import lasso_cd, lasso_dual_point, lasso_gap, sdca, sdca_gap


def lasso_problem(n=120, d=40, seed=0, frac=10):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    A[:, 1] = A[:, 0] + 0.1 * rng.standard_normal(n)  # correlated columns
    b = A[:, :5] @ rng.standard_normal(5) + 0.3 * rng.standard_normal(n)
    lam = np.abs(A.T @ b).max() / n / frac
    return A, b, lam


def lasso_value(A, b, lam, x):
    r = A @ x - b
    return 0.5 * r @ r / A.shape[0] + lam * np.abs(x).sum()


def classification(n=80, d=12, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    y = np.sign(A @ rng.standard_normal(d) + 0.7 * rng.standard_normal(n))
    return A, y


# -- lasso_gap ---------------------------------------------------------------

def test_gap_is_zero_at_zero_above_lambda_max():
    A, b, _ = lasso_problem()
    n = A.shape[0]
    lam_max = np.abs(A.T @ b).max() / n
    assert lasso_gap(A, b, lam_max, np.zeros(A.shape[1])) == 0.0
    assert lasso_gap(A, b, 2 * lam_max, np.zeros(A.shape[1])) == 0.0
    assert lasso_gap(A, b, 0.9 * lam_max, np.zeros(A.shape[1])) > 0


def test_gap_bounds_suboptimality_and_vanishes_at_solution():
    A, b, lam = lasso_problem()
    res = lasso_cd(A, b, lam, tol=1e-14, gap_freq=1)
    p_star = lasso_value(A, b, lam, res.x)
    rng = np.random.default_rng(1)
    for _ in range(20):
        x = res.x + 0.1 * rng.standard_normal(A.shape[1])
        g = lasso_gap(A, b, lam, x)
        assert g >= lasso_value(A, b, lam, x) - p_star - 1e-12
    assert lasso_gap(A, b, lam, res.x) <= 1e-13


def test_dual_point_is_feasible_and_optimal_at_solution():
    A, b, lam = lasso_problem()
    n = A.shape[0]
    res = lasso_cd(A, b, lam, tol=1e-14, gap_freq=1)
    theta = lasso_dual_point(A, b, lam, res.x)
    assert np.abs(A.T @ theta).max() <= 1 + 1e-12
    np.testing.assert_allclose(theta, (b - A @ res.x) / (n * lam), atol=1e-10)
    np.testing.assert_allclose(res.dual_point, theta, atol=1e-10)
    # D(theta) = P(x*) (strong duality)
    dual = 0.5 * b @ b / n - 0.5 * n * lam ** 2 * np.sum((theta - b / (n * lam)) ** 2)
    assert abs(dual - lasso_value(A, b, lam, res.x)) < 1e-12


def test_gap_does_not_modify_inputs():
    A, b, lam = lasso_problem()
    x = np.ones(A.shape[1])
    A0, b0, x0 = A.copy(), b.copy(), x.copy()
    lasso_gap(A, b, lam, x)
    lasso_cd(A, b, lam, x0=x, max_epochs=3)
    np.testing.assert_array_equal(A, A0)
    np.testing.assert_array_equal(b, b0)
    np.testing.assert_array_equal(x, x0)


# -- lasso_cd ------------------------------------------------------------------

@pytest.mark.parametrize("frac", [2, 10, 50])
def test_lasso_cd_matches_sklearn(frac):
    A, b, lam = lasso_problem(frac=frac)
    res = lasso_cd(A, b, lam, tol=1e-13)
    assert res.success and res.gap <= 1e-13
    sk = Lasso(alpha=lam, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(A, b).coef_
    np.testing.assert_allclose(res.x, sk, atol=1e-6)
    assert abs(lasso_value(A, b, lam, res.x) - lasso_value(A, b, lam, sk)) < 1e-12


def test_lasso_cd_dense_and_sparse_agree():
    A, b, lam = lasso_problem()
    A[np.abs(A) < 0.8] = 0.0
    dense = lasso_cd(A, b, lam, tol=1e-13)
    for S in (sp.csc_matrix(A), sp.csr_matrix(A)):
        res = lasso_cd(S, b, lam, tol=1e-13)
        np.testing.assert_allclose(res.x, dense.x, atol=1e-10)
        assert abs(lasso_gap(S, b, lam, res.x) - lasso_gap(A, b, lam, res.x)) < 1e-14


@pytest.mark.skipif(not duality.HAVE_NUMBA, reason="numba is not installed")
@pytest.mark.parametrize("sparse", [False, True])
def test_compiled_and_python_loops_agree(sparse):
    A, b, lam = lasso_problem()
    M = sp.csc_matrix(A) if sparse else A
    a = lasso_cd(M, b, lam, max_epochs=7, tol=0, compiled=True)
    p = lasso_cd(M, b, lam, max_epochs=7, tol=0, compiled=False)
    np.testing.assert_allclose(a.x, p.x, atol=1e-12)
    A, y = classification()
    M = sp.csr_matrix(A) if sparse else A
    for loss in ("hinge", "logistic", "squared"):
        a = sdca(M, y, 0.05, loss=loss, max_epochs=5, tol=0, compiled=True)
        p = sdca(M, y, 0.05, loss=loss, max_epochs=5, tol=0, compiled=False)
        np.testing.assert_allclose(a.x, p.x, atol=1e-10)


@pytest.mark.parametrize("compiled", [False, True])
def test_logistic_dual_step_solves_its_one_dimensional_problem(compiled):
    """The SDCA logistic step is the root of h'(u) = log((1-u)/u) - m - q(u - u0) on (0, 1).

    The first case once stopped 4e-7 away from the root: its converged Newton step
    rounded onto the end of the bracket, and the bisection that followed moved away.
    """
    import math

    from scipy.optimize import brentq

    if compiled and not duality.HAVE_NUMBA:
        pytest.skip("numba is not installed")
    step = duality._logistic_dual_step_nb if compiled else duality._logistic_dual_step
    rng = np.random.default_rng(3)
    cases = [(-0.0, 0.09994211072268167, 3.266145920638862)]
    cases += [(rng.uniform(0, 1), 5 * rng.standard_normal(), 10 ** rng.uniform(-3, 3))
              for _ in range(3000)]
    for u0, m, q in cases:
        def h1(u):
            return math.log((1 - u) / u) - m - q * (u - u0)

        root = brentq(h1, 1e-300, 1 - 1e-16, xtol=1e-300, rtol=1e-15)
        u = step(u0, m, q)
        assert abs(u - root) <= 1e-12 * max(min(root, 1 - root), 1e-300) + 1e-15, (u0, m, q, u, root)


def test_lasso_cd_float32():
    A, b, lam = lasso_problem()
    res = lasso_cd(A.astype(np.float32), b.astype(np.float32), lam, tol=1e-6)
    assert res.x.dtype == np.float32 and res.success
    ref = lasso_cd(A, b, lam, tol=1e-13)
    np.testing.assert_allclose(res.x, ref.x, atol=1e-3)
    assert lasso_gap(A, b, lam, res.x.astype(float)) < 1e-5


def test_lasso_cd_callback_once_per_epoch_and_nit():
    A, b, lam = lasso_problem()
    seen = []
    res = lasso_cd(A, b, lam, max_epochs=13, tol=0, callback=lambda x: seen.append(x.copy()))
    assert res.nit == 13 == len(seen) and res.status == 1 and res.success
    np.testing.assert_array_equal(seen[-1], res.x)
    stop = lasso_cd(A, b, lam, max_epochs=13, tol=0, callback=lambda x: True)
    assert stop.nit == 1 and stop.status == 3


def test_lasso_cd_is_a_descent_method():
    A, b, lam = lasso_problem()
    vals = []
    lasso_cd(A, b, lam, max_epochs=30, tol=0, callback=lambda x: vals.append(lasso_value(A, b, lam, x)))
    assert np.all(np.diff(vals) <= 1e-14)


def test_lasso_cd_gap_reported_at_returned_point():
    A, b, lam = lasso_problem()
    for kw in ({}, {"dual": "extrapolated"}, {"screening": True}):
        res = lasso_cd(A, b, lam, max_epochs=4, tol=0, **kw)
        assert res.gap >= lasso_value(A, b, lam, res.x) - lasso_value(
            A, b, lam, lasso_cd(A, b, lam, tol=1e-14).x) - 1e-14
        if not kw:
            assert res.gap == pytest.approx(lasso_gap(A, b, lam, res.x), abs=1e-15)


def test_lasso_cd_stops_below_lambda_max():
    A, b, _ = lasso_problem()
    lam_max = np.abs(A.T @ b).max() / A.shape[0]
    res = lasso_cd(A, b, lam_max)
    assert res.nit == 0 and res.gap == 0.0 and np.all(res.x == 0)


@pytest.mark.parametrize("seed", range(4))
def test_screening_never_discards_the_support(seed):
    A, b, lam = lasso_problem(n=80, d=150, seed=seed, frac=4)
    ref = lasso_cd(A, b, lam, tol=1e-14, gap_freq=1)
    support = np.flatnonzero(ref.x)
    res = lasso_cd(A, b, lam, tol=1e-12, screening=True, gap_freq=1)
    assert res.success and res.n_screened > 0
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)
    # the screened run keeps every coordinate of the support of the solution
    # computed without screening, and screens at most the zeros of that solution
    assert np.all(res.x[support] != 0)
    assert res.n_screened <= A.shape[1] - support.size


@pytest.mark.parametrize("scale", [0.003, 0.001])
def test_lasso_cd_screens_with_the_gap_safe_radius(scale):
    """The screening inside lasso_cd uses the radius sqrt(2 gap / (n lam^2)), not a smaller one."""
    A, b, lam = lasso_problem(n=60, d=100, seed=5, frac=3)
    n, d = A.shape
    ref = lasso_cd(A, b, lam, tol=1e-15, gap_freq=1)
    x0 = ref.x + scale * np.random.default_rng(1).standard_normal(d)
    theta = lasso_dual_point(A, b, lam, x0)
    gap = lasso_gap(A, b, lam, x0)
    score = np.abs(A.T @ theta)
    norms = np.linalg.norm(A, axis=0)
    radius = np.sqrt(2 * gap / (n * lam ** 2))
    n_safe = np.sum(score + norms * radius < 1)
    # the instance separates the safe radius from half of it
    assert np.sum(score + norms * radius / 2 < 1) > n_safe > 0
    res = lasso_cd(A, b, lam, x0=x0, gap_freq=1, max_epochs=1, tol=0, screening=True)
    assert res.gap_epochs[0] == 0 and res.gaps[0] == pytest.approx(gap, rel=1e-10)
    assert res.n_active[0] == d - n_safe


def test_screening_rule_is_safe_at_every_dual_point():
    """The sphere test at any (x, theta) only removes coordinates with x*_j = 0."""
    A, b, lam = lasso_problem(n=60, d=100, seed=5, frac=3)
    n = A.shape[0]
    ref = lasso_cd(A, b, lam, tol=1e-15, gap_freq=1)
    rng = np.random.default_rng(0)
    for scale in (1.0, 0.3, 0.1, 0.01):
        x = ref.x + scale * rng.standard_normal(A.shape[1])
        theta = lasso_dual_point(A, b, lam, x)
        radius = np.sqrt(2 * lasso_gap(A, b, lam, x) / (n * lam ** 2))
        safe = np.abs(A.T @ theta) + np.linalg.norm(A, axis=0) * radius < 1
        assert np.all(ref.x[safe] == 0)


def test_extrapolated_gap_is_valid_and_smaller():
    A, b, lam = lasso_problem(n=100, d=300, seed=2, frac=5)
    ref = lasso_cd(A, b, lam, tol=1e-15, gap_freq=1, max_epochs=20_000)
    p_star = lasso_value(A, b, lam, ref.x)
    for epochs in (20, 40, 80):
        r = lasso_cd(A, b, lam, max_epochs=epochs, tol=0, gap_freq=1)
        e = lasso_cd(A, b, lam, max_epochs=epochs, tol=0, gap_freq=1, dual="extrapolated")
        np.testing.assert_array_equal(r.x, e.x)  # same primal iterates
        assert 0 <= e.gap <= r.gap
        assert e.gap >= lasso_value(A, b, lam, e.x) - p_star - 1e-14
        assert np.abs(A.T @ e.dual_point).max() <= 1 + 1e-12
    # at a later stage the extrapolated gap is much smaller
    assert e.gap < 0.1 * r.gap


def test_extrapolation_reaches_tolerance_in_fewer_epochs():
    A, b, lam = lasso_problem(n=100, d=300, seed=2, frac=5)
    r = lasso_cd(A, b, lam, tol=1e-10, gap_freq=1, max_epochs=20_000)
    e = lasso_cd(A, b, lam, tol=1e-10, gap_freq=1, max_epochs=20_000, dual="extrapolated")
    assert r.success and e.success and e.nit < r.nit


def test_random_selection_converges():
    A, b, lam = lasso_problem()
    res = lasso_cd(A, b, lam, tol=1e-12, selection="random", seed=3)
    ref = lasso_cd(A, b, lam, tol=1e-13)
    assert res.success
    np.testing.assert_allclose(res.x, ref.x, atol=1e-5)


def test_zero_column_is_ignored():
    A, b, lam = lasso_problem()
    A[:, 3] = 0.0
    res = lasso_cd(A, b, lam, tol=1e-12)
    assert res.x[3] == 0 and res.success


def test_top_level_names():
    assert optbook.lasso_cd is lasso_cd and optbook.sdca is sdca


# -- sdca --------------------------------------------------------------------

def test_sdca_squared_matches_ridge():
    A, b, _ = lasso_problem(n=100, d=20)
    n, lam = A.shape[0], 0.05
    res = sdca(A, b, lam, loss="squared", tol=1e-14, max_epochs=2000)
    assert res.success
    ref = Ridge(alpha=lam * n, fit_intercept=False, solver="cholesky").fit(A, b).coef_
    np.testing.assert_allclose(res.x, ref, atol=1e-6)
    np.testing.assert_allclose(res.x, A.T @ res.dual_coef / (lam * n), atol=1e-12)


def _primal(loss, A, y, lam, x):
    z = A @ x
    val = {"hinge": np.maximum(0, 1 - y * z), "logistic": np.logaddexp(0, -y * z),
           "squared": 0.5 * (z - y) ** 2}[loss]
    return val.mean() + 0.5 * lam * x @ x


def test_sdca_hinge_matches_linear_svc():
    A, y = classification()
    n, lam = A.shape[0], 0.02
    res = sdca(A, y, lam, loss="hinge", tol=1e-11, max_epochs=5000)
    assert res.success
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        svc = LinearSVC(loss="hinge", C=1 / (lam * n), fit_intercept=False, dual=True,
                        tol=1e-10, max_iter=200_000).fit(A, y)
    x_sk = svc.coef_.ravel()
    # the primal is lam-strongly convex: ||x - x*||^2 <= 2 (P(x) - P*) / lam <= 2 gap / lam
    p_sk = _primal("hinge", A, y, lam, x_sk)
    assert res.primal <= p_sk + 1e-9
    # P is lam-strongly convex and D(alpha) <= P*: ||x - x*||^2 <= 2 (P(x) - D(alpha)) / lam
    # for both points, and the triangle inequality
    bound = np.sqrt(2 * res.gap / lam) + np.sqrt(2 * max(p_sk - res.dual, 0) / lam)
    assert np.linalg.norm(res.x - x_sk) <= bound + 1e-9
    np.testing.assert_allclose(res.x, x_sk, atol=5e-3)


def test_sdca_logistic_matches_sklearn():
    A, y = classification()
    n, lam = A.shape[0], 0.02
    res = sdca(A, y, lam, loss="logistic", tol=1e-13, max_epochs=2000)
    assert res.success
    ref = LogisticRegression(C=1 / (lam * n), fit_intercept=False, tol=1e-12,
                             max_iter=10_000).fit(A, y).coef_.ravel()
    np.testing.assert_allclose(res.x, ref, atol=1e-5)
    f = optbook.objectives.LogisticRegression(A, y, lam=lam)
    assert abs(f.value(res.x) - res.primal) < 1e-12


@pytest.mark.parametrize("loss", ["hinge", "logistic", "squared"])
def test_sdca_dense_sparse_float32(loss):
    A, y = classification()
    A[np.abs(A) < 0.7] = 0.0
    dense = sdca(A, y, 0.05, loss=loss, max_epochs=30, tol=0)
    for S in (sp.csr_matrix(A), sp.csc_matrix(A)):
        res = sdca(S, y, 0.05, loss=loss, max_epochs=30, tol=0)
        np.testing.assert_allclose(res.x, dense.x, atol=1e-9)
    f32 = sdca(A.astype(np.float32), y, 0.05, loss=loss, max_epochs=30, tol=0)
    assert f32.x.dtype == np.float32
    np.testing.assert_allclose(f32.x, dense.x, atol=1e-4)


@pytest.mark.parametrize("loss", ["hinge", "logistic", "squared"])
def test_sdca_gap_is_monotone_valid_and_consistent(loss):
    A, y = classification(seed=3)
    lam = 0.05
    gaps = []
    res = sdca(A, y, lam, loss=loss, max_epochs=40, tol=0,
               callback=lambda x: gaps.append(0))
    assert res.nit == 40 == len(gaps)
    assert res.gap == pytest.approx(sdca_gap(A, y, lam, res.dual_coef, loss=loss), abs=1e-12)
    assert res.gap >= 0 and res.primal >= res.dual - 1e-14
    ref = sdca(A, y, lam, loss=loss, max_epochs=3000, tol=1e-13)
    assert res.primal - ref.primal <= res.gap + 1e-12
    if loss != "squared":
        assert np.all(res.dual_coef * y >= 0) and np.all(res.dual_coef * y <= 1)


@pytest.mark.parametrize("loss", ["hinge", "logistic", "squared"])
def test_sdca_gap_freq(loss):
    A, y = classification(seed=3)
    every = sdca(A, y, 0.05, loss=loss, max_epochs=12, tol=0, gap_freq=1)
    np.testing.assert_array_equal(every.gap_epochs, np.arange(13))
    assert every.gaps.size == 13 and every.gaps[-1] == every.gap
    # tol = 0: by default only the first and the last gap are computed
    lazy = sdca(A, y, 0.05, loss=loss, max_epochs=12, tol=0)
    np.testing.assert_array_equal(lazy.gap_epochs, [0, 12])
    np.testing.assert_allclose(lazy.x, every.x, rtol=0, atol=0)
    assert lazy.gap == every.gap and lazy.gaps[0] == every.gaps[0]
    five = sdca(A, y, 0.05, loss=loss, max_epochs=12, tol=0, gap_freq=5)
    np.testing.assert_array_equal(five.gap_epochs, [0, 5, 10, 12])
    np.testing.assert_allclose(five.gaps, every.gaps[[0, 5, 10, 12]], rtol=0, atol=0)
    # tol > 0: by default the gap is tested after every epoch
    tight = sdca(A, y, 0.05, loss=loss, max_epochs=3000, tol=1e-8)
    assert tight.success and tight.gap <= 1e-8
    np.testing.assert_array_equal(tight.gap_epochs, np.arange(tight.nit + 1))
    assert tight.gaps[-2] > 1e-8
    # gap_freq > 1 with tol > 0 stops at a multiple of gap_freq
    sparse_check = sdca(A, y, 0.05, loss=loss, max_epochs=3000, tol=1e-8, gap_freq=4)
    assert sparse_check.success and sparse_check.nit % 4 == 0


def test_sdca_uniform_selection():
    A, y = classification()
    res = sdca(A, y, 0.05, loss="logistic", selection="uniform", tol=1e-10, max_epochs=1000)
    assert res.success


# -- bad input ---------------------------------------------------------------

GOOD_A, GOOD_B, GOOD_LAM = lasso_problem(n=20, d=5)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"A": "abc"}, TypeError, "A"),
    ({"A": np.ones(5)}, ValueError, "A"),
    ({"A": np.full((20, 5), np.nan)}, ValueError, "A"),
    ({"b": np.ones(19)}, ValueError, "b"),
    ({"b": np.ones((20, 2))}, ValueError, "b"),
    ({"b": np.full(20, np.inf)}, ValueError, "b"),
    ({"lam": 0.0}, ValueError, "lam"),
    ({"lam": -1.0}, ValueError, "lam"),
    ({"lam": "x"}, TypeError, "lam"),
    ({"x": np.ones(4)}, ValueError, "x"),
    ({"x": None}, TypeError, "x"),
])
def test_lasso_gap_bad_input(kwargs, exc, match):
    args = {"A": GOOD_A, "b": GOOD_B, "lam": GOOD_LAM, "x": np.zeros(5)}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        lasso_gap(**args)
    with pytest.raises(exc, match=match):
        lasso_dual_point(**args)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"A": "abc"}, TypeError, "A"),
    ({"A": np.ones((0, 3))}, ValueError, "A"),
    ({"b": np.ones(3)}, ValueError, "b"),
    ({"lam": 0.0}, ValueError, "lam"),
    ({"x0": np.ones(6)}, ValueError, "x0"),
    ({"x0": np.full(5, np.nan)}, ValueError, "x0"),
    ({"max_epochs": -1}, ValueError, "max_epochs"),
    ({"max_epochs": 2.5}, TypeError, "max_epochs"),
    ({"tol": -1e-3}, ValueError, "tol"),
    ({"callback": 3}, TypeError, "callback"),
    ({"screening": "yes"}, TypeError, "screening"),
    ({"dual": "accelerated"}, ValueError, "dual"),
    ({"gap_freq": 0}, ValueError, "gap_freq"),
    ({"selection": "greedy"}, ValueError, "selection"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_lasso_cd_bad_input(kwargs, exc, match):
    args = {"A": GOOD_A, "b": GOOD_B, "lam": GOOD_LAM}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        lasso_cd(**args)


GOOD_C, GOOD_Y = classification(n=20, d=4)


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"A": None}, TypeError, "A"),
    ({"A": np.ones((20, 4, 1))}, ValueError, "A"),
    ({"y": np.ones(19)}, ValueError, "y"),
    ({"y": np.linspace(-1, 1, 20)}, ValueError, "y"),
    ({"lam": 0.0}, ValueError, "lam"),
    ({"lam": np.inf}, ValueError, "lam"),
    ({"loss": "huber"}, ValueError, "loss"),
    ({"loss": 3}, ValueError, "loss"),
    ({"max_epochs": -2}, ValueError, "max_epochs"),
    ({"tol": -1.0}, ValueError, "tol"),
    ({"seed": 1.5}, TypeError, "seed"),
    ({"callback": "f"}, TypeError, "callback"),
    ({"selection": "cyclic"}, ValueError, "selection"),
    ({"gap_freq": 0}, ValueError, "gap_freq"),
    ({"gap_freq": 2.5}, TypeError, "gap_freq"),
])
def test_sdca_bad_input(kwargs, exc, match):
    args = {"A": GOOD_C, "y": GOOD_Y, "lam": 0.1}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        sdca(**args)


def test_sdca_gap_bad_input():
    with pytest.raises(ValueError, match="alpha"):
        sdca_gap(GOOD_C, GOOD_Y, 0.1, np.ones(3))
    with pytest.raises(ValueError, match="alpha"):
        sdca_gap(GOOD_C, GOOD_Y, 0.1, 2 * GOOD_Y, loss="hinge")
    with pytest.raises(ValueError, match="loss"):
        sdca_gap(GOOD_C, GOOD_Y, 0.1, np.zeros(20), loss="l1")


def test_sdca_squared_accepts_real_targets():
    A, b, _ = lasso_problem(n=30, d=5)
    assert sdca(A, b, 0.1, loss="squared", max_epochs=3, tol=0).nit == 3


def test_compiled_true_without_numba(monkeypatch):
    monkeypatch.setattr(duality, "HAVE_NUMBA", False)
    with pytest.raises(ValueError, match="compiled"):
        lasso_cd(GOOD_A, GOOD_B, GOOD_LAM, compiled=True)
    res = lasso_cd(GOOD_A, GOOD_B, GOOD_LAM, tol=1e-12)  # falls back to Python
    assert res.success
