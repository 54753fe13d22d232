"""Tests of the first-order solvers, Trace and plotting (behaviour and references).

Bad-input tests are in test_bad_input_core.py; rates in test_theorems.py.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.linear_model import Lasso  # noqa: E402
from sklearn.linear_model import LogisticRegression as SkLogisticRegression  # noqa: E402

import optbook  # noqa: E402
from optbook.datasets import (  # noqa: E402
    load_breast_cancer,
    load_diabetes,
    make_correlated_regression,
)
from optbook.objectives import LeastSquares, LogisticRegression, Quadratic  # noqa: E402
from optbook.plotting import plot_traces, setup_style  # noqa: E402
from optbook.prox import prox_l1  # noqa: E402


@pytest.fixture(scope="module")
def ls():
    A, b, _ = make_correlated_regression(60, 10, condition_number=20.0, rng=0)
    f = LeastSquares(A, b)
    return f, f.minimizer()


@pytest.fixture(scope="module")
def breast_cancer_logistic():
    A, y = load_breast_cancer()
    lam = 1e-2
    f = LogisticRegression(A, y, lam=lam)
    sk = SkLogisticRegression(C=1 / (lam * A.shape[0]), fit_intercept=False, tol=1e-12,
                              solver="newton-cholesky", max_iter=1000).fit(A, y)
    return f, sk.coef_.ravel()


@pytest.fixture(scope="module", params=[0.1, 0.01])
def diabetes_lasso(request):
    lam = request.param
    A, b = load_diabetes()
    f = LeastSquares(A, b)
    sk = Lasso(alpha=lam, fit_intercept=False, tol=1e-14, max_iter=1_000_000).fit(A, b)
    F = lambda x: f.value(x) + lam * np.abs(x).sum()  # noqa: E731
    prox = lambda x, t: prox_l1(x, lam * t)  # noqa: E731
    return f, lam, prox, F, sk.coef_


# ---------------------------------------------------------------------------
# agreement with scikit-learn on real data
# ---------------------------------------------------------------------------


def test_logistic_nesterov_matches_sklearn(breast_cancer_logistic):
    f, coef = breast_cancer_logistic
    res = optbook.nesterov(f.grad, np.zeros(f.n_features), 1 / f.lipschitz, mu=f.strong_convexity,
                           max_iter=20_000, tol=1e-11)
    assert res.success and res.status == 0
    np.testing.assert_allclose(res.x, coef, rtol=1e-6, atol=1e-9)
    assert abs(f.value(res.x) - f.value(coef)) <= 1e-9 * abs(f.value(coef))
    np.testing.assert_allclose(res.x, f.reference_solution(), rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("step", ["constant", "armijo"])
def test_logistic_gradient_descent_matches_sklearn(breast_cancer_logistic, step):
    f, coef = breast_cancer_logistic
    res = optbook.gradient_descent(f.grad, np.zeros(f.n_features),
                                   1 / f.lipschitz if step == "constant" else "armijo",
                                   max_iter=50_000, tol=1e-10, f=f.value)
    assert res.success and res.status == 0
    np.testing.assert_allclose(res.x, coef, rtol=1e-6, atol=1e-9)
    assert abs(res.fun - f.value(coef)) <= 1e-9 * abs(f.value(coef))


@pytest.mark.parametrize("solver", ["proximal_gradient", "backtracking", "fista",
                                    "fista-gradient-restart", "fista-function-restart"])
def test_lasso_matches_sklearn(diabetes_lasso, solver):
    f, lam, prox, F, coef = diabetes_lasso
    x0, step = np.zeros(f.n_features), 1 / f.lipschitz
    if solver == "proximal_gradient":
        res = optbook.proximal_gradient(f.grad, prox, x0, step, max_iter=100_000, tol=1e-11)
    elif solver == "backtracking":
        res = optbook.proximal_gradient(f.grad, prox, x0, "backtracking", max_iter=100_000,
                                        tol=1e-11, f=f.value, g=lambda x: lam * np.abs(x).sum(),
                                        step0=10.0)
        assert res.fun == pytest.approx(F(res.x))
        assert 0.5 / f.lipschitz <= res.step <= 10.0
    else:
        restart = {"fista": None, "fista-gradient-restart": "gradient",
                   "fista-function-restart": "function"}[solver]
        res = optbook.fista(f.grad, prox, x0, step, max_iter=100_000, tol=1e-11, restart=restart,
                            f=f.value, g=lambda x: lam * np.abs(x).sum())
    assert res.success and res.status == 0
    np.testing.assert_allclose(res.x, coef, rtol=1e-6, atol=1e-9)
    assert np.array_equal(res.x == 0, coef == 0)  # same support
    assert abs(F(res.x) - F(coef)) <= 1e-9 * F(coef)


def test_restart_helps_on_strongly_convex_problem(ls):
    f, x_star = ls
    x0 = np.zeros(f.n_features)
    ident = lambda x, t: x  # noqa: E731
    plain = optbook.fista(f.grad, ident, x0, 1 / f.lipschitz, max_iter=100_000, tol=1e-9)
    restarted = optbook.fista(f.grad, ident, x0, 1 / f.lipschitz, max_iter=100_000, tol=1e-9,
                              restart="gradient")
    assert plain.success and restarted.success
    assert restarted.n_restarts > 0 and plain.n_restarts == 0
    assert restarted.nit < plain.nit


# ---------------------------------------------------------------------------
# every solver converges and follows its update rule
# ---------------------------------------------------------------------------


def test_every_smooth_solver_finds_the_least_squares_solution(ls):
    f, x_star = ls
    x0, L, mu = np.zeros(f.n_features), f.lipschitz, f.strong_convexity
    ident = lambda x, t: x  # noqa: E731
    prox_f = lambda v, t: np.linalg.solve(np.eye(f.n_features) + t * f.hess(), v + t * f.A.T @ f.b / f.n_samples)  # noqa: E731,E501
    kappa = L / mu
    results = {
        "gd": optbook.gradient_descent(f.grad, x0, 1 / L, max_iter=10_000, tol=1e-10),
        "gd-armijo": optbook.gradient_descent(f.grad, x0, "armijo", max_iter=10_000, tol=1e-10,
                                              f=f.value, step0=10.0),
        "proximal_point": optbook.proximal_point(prox_f, x0, 10.0, max_iter=10_000, tol=1e-10),
        "proximal_gradient": optbook.proximal_gradient(f.grad, ident, x0, 1 / L, max_iter=10_000,
                                                       tol=1e-10),
        "fista": optbook.fista(f.grad, ident, x0, 1 / L, max_iter=10_000, tol=1e-10),
        "heavy_ball": optbook.heavy_ball(f.grad, x0, 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2,
                                         ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2,
                                         max_iter=10_000, tol=1e-10),
        "nesterov": optbook.nesterov(f.grad, x0, 1 / L, max_iter=10_000, tol=1e-10),
        "nesterov-sc": optbook.nesterov(f.grad, x0, 1 / L, mu=mu, max_iter=10_000, tol=1e-10),
        "km": optbook.krasnoselskii_mann(lambda x: x - 1 / L * f.grad(x), x0, relaxation=1.0,
                                         max_iter=10_000, tol=1e-10 / L),
    }
    for name, res in results.items():
        assert res.success and res.status == 0, (name, res.message)
        assert 0 < res.nit < 10_000, name
        np.testing.assert_allclose(res.x, x_star, rtol=1e-7, atol=1e-9, err_msg=name)
        # the stated criterion holds at the returned point
        assert np.linalg.norm(f.grad(res.x)) <= 1e-10 * (1 + 1e-12), name
    # acceleration pays: fewer iterations than gradient descent
    assert results["nesterov-sc"].nit < results["gd"].nit / 2
    assert results["heavy_ball"].nit < results["gd"].nit / 2


def test_iterates_follow_the_update_rules(ls):
    """Recompute the first iterates by hand from the documented formulas."""
    f, _ = ls
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(f.n_features)
    g, L, K = f.grad, f.lipschitz, 6
    prox = lambda x, t: prox_l1(x, 0.05 * t)  # noqa: E731

    def record(solver, *args, **kwargs):
        xs = []
        res = solver(*args, max_iter=K, callback=lambda x: xs.append(x.copy()), **kwargs)
        assert res.nit == K and len(xs) == K
        np.testing.assert_array_equal(xs[-1], res.x)
        return xs

    # gradient descent and heavy ball
    xs = record(optbook.gradient_descent, g, x0, 1 / L)
    x = x0
    for k in range(K):
        x = x - g(x) / L
        np.testing.assert_allclose(xs[k], x, rtol=1e-13)
    xs = record(optbook.heavy_ball, g, x0, 1 / L, 0.5)
    x_prev, x = x0, x0
    for k in range(K):
        x_prev, x = x, x - g(x) / L + 0.5 * (x - x_prev)
        np.testing.assert_allclose(xs[k], x, rtol=1e-13)
    # FISTA (the callback receives x_k, not y_k)
    xs = record(optbook.fista, g, prox, x0, 1 / L)
    x, y, t = x0, x0, 1.0
    for k in range(K):
        x_new = prox(y - g(y) / L, 1 / L)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        y, x, t = x_new + (t - 1) / t_new * (x_new - x), x_new, t_new
        np.testing.assert_allclose(xs[k], x, rtol=1e-13)
    # Nesterov with mu = 0 is FISTA with the identity prox
    xs_nes = record(optbook.nesterov, g, x0, 1 / L)
    xs_fista = record(optbook.fista, g, lambda x, t: x, x0, 1 / L)
    np.testing.assert_allclose(xs_nes, xs_fista, rtol=1e-13)
    # Nesterov, strongly convex: constant momentum
    mu = f.strong_convexity
    xs = record(optbook.nesterov, g, x0, 1 / L, mu=mu)
    beta = (1 - np.sqrt(mu / L)) / (1 + np.sqrt(mu / L))
    x, y = x0, x0
    for k in range(K):
        x_new = y - g(y) / L
        y, x = x_new + beta * (x_new - x), x_new
        np.testing.assert_allclose(xs[k], x, rtol=1e-13)
    # Krasnosel'skii-Mann
    T = lambda z: prox(z - g(z) / L, 1 / L)  # noqa: E731
    xs = record(optbook.krasnoselskii_mann, T, x0, relaxation=0.3)
    x = x0
    for k in range(K):
        x = 0.7 * x + 0.3 * T(x)
        np.testing.assert_allclose(xs[k], x, rtol=1e-13)


def test_proximal_point_on_l1_is_soft_thresholding_by_k_gamma():
    x0 = np.array([3.0, -1.2, 0.4])
    res = optbook.proximal_point(prox_l1, x0, 0.5, max_iter=3)
    np.testing.assert_allclose(res.x, np.sign(x0) * np.maximum(np.abs(x0) - 1.5, 0))
    assert res.success and res.nit == 3


def test_callback_can_stop_the_run(ls):
    f, _ = ls
    calls = []

    def stop_at_five(x):
        calls.append(1)
        return len(calls) == 5

    x0 = np.zeros(f.n_features)
    for run in [lambda: optbook.gradient_descent(f.grad, x0, 1 / f.lipschitz, callback=stop_at_five),
                lambda: optbook.nesterov(f.grad, x0, 1 / f.lipschitz, callback=stop_at_five),
                lambda: optbook.fista(f.grad, lambda x, t: x, x0, 1 / f.lipschitz,
                                      callback=stop_at_five)]:
        calls.clear()
        res = run()
        assert res.status == 3 and res.success and res.nit == 5
        assert "callback" in res.message


def test_max_iter_semantics(ls):
    f, _ = ls
    x0 = np.zeros(f.n_features)
    fixed = optbook.gradient_descent(f.grad, x0, 1 / f.lipschitz, max_iter=3)
    assert fixed.success and fixed.status == 1 and fixed.nit == 3  # a fixed budget, tol = 0
    short = optbook.gradient_descent(f.grad, x0, 1 / f.lipschitz, max_iter=3, tol=1e-12)
    assert not short.success and short.status == 1 and "max_iter" in short.message
    none = optbook.gradient_descent(f.grad, x0, 1 / f.lipschitz, max_iter=0)
    assert none.nit == 0 and np.array_equal(none.x, x0)


def test_fun_is_reported_when_f_is_known(ls):
    f, _ = ls
    x0 = np.zeros(f.n_features)
    res = optbook.gradient_descent(f.grad, x0, 1 / f.lipschitz, max_iter=5, f=f.value)
    assert res.fun == pytest.approx(f.value(res.x))
    assert "fun" not in optbook.gradient_descent(f.grad, x0, 1 / f.lipschitz, max_iter=5)


@pytest.mark.parametrize("name", ["gd", "heavy_ball", "nesterov", "fista", "proximal_gradient",
                                  "subgradient", "proximal_point", "km", "armijo-nan"])
def test_divergence_is_reported_not_returned(name):
    f = Quadratic(np.diag([1.0, 100.0]), c=np.ones(2))
    x0 = np.ones(2)
    bad = 3 / f.lipschitz  # step > 2/L: the iterates blow up
    ident = lambda x, t: x  # noqa: E731
    runs = {
        "gd": lambda: optbook.gradient_descent(f.grad, x0, bad, max_iter=10_000),
        "heavy_ball": lambda: optbook.heavy_ball(f.grad, x0, 2 * bad, 0.5, max_iter=10_000),
        "nesterov": lambda: optbook.nesterov(f.grad, x0, bad, max_iter=10_000),
        "fista": lambda: optbook.fista(f.grad, ident, x0, bad, max_iter=10_000),
        "proximal_gradient": lambda: optbook.proximal_gradient(f.grad, ident, x0, bad,
                                                               max_iter=10_000),
        "subgradient": lambda: optbook.subgradient_descent(f.grad, x0, bad, max_iter=10_000),
        "proximal_point": lambda: optbook.proximal_point(lambda x, t: -3 * x, x0, 1.0,
                                                         max_iter=10_000),
        "km": lambda: optbook.krasnoselskii_mann(lambda x: -5 * x, x0, max_iter=10_000),
        "armijo-nan": lambda: optbook.gradient_descent(f.grad, x0, "armijo", max_iter=10,
                                                       f=lambda x: np.nan),
    }
    res = runs[name]()
    assert not res.success
    assert np.all(np.isfinite(res.x))
    if name == "armijo-nan":
        assert res.status == 4 and "line search failed" in res.message
    else:
        assert res.status == 2 and "diverged" in res.message
        assert res.nit < 10_000


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")  # f itself overflows there
def test_line_searches_shrink_steps_that_overflow():
    # f(x) = 1e150 (||x||^2 / 2 - sum(x)): the first trial points x0 - gamma grad overflow
    # to inf, where Quadratic.value raises: they must be rejected without calling f
    quad = Quadratic(1e150 * np.eye(2), c=1e150 * np.ones(2))
    f, grad = quad.value, quad.grad
    x0 = np.zeros(2)
    res = optbook.gradient_descent(grad, x0, "armijo", f=f, step0=1e170, beta=1e-10, tol=1e-10)
    assert res.success and res.status == 0
    np.testing.assert_allclose(res.x, 1.0)
    res = optbook.proximal_gradient(grad, lambda x, t: x, x0, "backtracking", f=f, step0=1e170,
                                    beta=1e-10, tol=1e-10)
    assert res.success and res.status == 0
    np.testing.assert_allclose(res.x, 1.0)


def test_oracle_returning_nan_is_divergence():
    res = optbook.gradient_descent(lambda x: np.full_like(x, np.nan), np.ones(3), 0.1)
    assert not res.success and res.status == 2 and res.nit == 0
    np.testing.assert_array_equal(res.x, np.ones(3))


def test_inputs_are_not_modified(ls):
    f, _ = ls
    x0 = np.ones(f.n_features)
    saved = x0.copy()
    prox = lambda x, t: prox_l1(x, 0.1 * t)  # noqa: E731
    optbook.gradient_descent(f.grad, x0, 1 / f.lipschitz, max_iter=5)
    optbook.heavy_ball(f.grad, x0, 1 / f.lipschitz, 0.3, max_iter=5)
    optbook.nesterov(f.grad, x0, 1 / f.lipschitz, max_iter=5)
    optbook.fista(f.grad, prox, x0, 1 / f.lipschitz, max_iter=5, restart="gradient")
    optbook.proximal_gradient(f.grad, prox, x0, 1 / f.lipschitz, max_iter=5)
    optbook.proximal_point(prox, x0, 1.0, max_iter=5)
    optbook.subgradient_descent(f.grad, x0, 0.1, max_iter=5)
    optbook.krasnoselskii_mann(lambda x: 0.5 * x, x0, max_iter=5)
    np.testing.assert_array_equal(x0, saved)
    # lists are accepted and x0 is never returned as the same object
    res = optbook.gradient_descent(f.grad, list(saved), 1 / f.lipschitz, max_iter=0)
    np.testing.assert_array_equal(res.x, saved)


def test_matrix_variables_are_supported():
    """Solvers work on arrays of any shape (e.g. matrix regression)."""
    rng = np.random.default_rng(0)
    B = rng.standard_normal((4, 3))
    res = optbook.fista(lambda X: X - B, prox_l1, np.zeros((4, 3)), 0.5, tol=1e-12)
    # minimizer of ||X - B||^2/2 + ||X||_1: soft-thresholding of B at 1
    np.testing.assert_allclose(res.x, prox_l1(B, 1.0), atol=1e-10)


# ---------------------------------------------------------------------------
# subgradient method
# ---------------------------------------------------------------------------


def test_subgradient_steps_best_and_average():
    rng = np.random.default_rng(0)
    c = rng.standard_normal(5)
    f = lambda x: np.abs(x - c).sum()  # noqa: E731
    sub = lambda x: np.sign(x - c)  # noqa: E731
    x0 = np.zeros(5)
    gammas = []

    def schedule(k):
        gammas.append(0.3 / (k + 1))
        return gammas[-1]

    res = optbook.subgradient_descent(sub, x0, schedule, max_iter=200, f=f)
    assert len(gammas) == 200 and res.nit == 200
    assert res.fun_best == pytest.approx(f(res.x_best)) and res.fun == pytest.approx(f(res.x))
    assert res.fun_best <= res.fun
    # the step-weighted average, recomputed from the iterates
    xs = [x0]
    optbook.subgradient_descent(sub, x0, lambda k: 0.3 / (k + 1), max_iter=200,
                                callback=lambda x: xs.append(x.copy()))
    g = np.array(gammas)
    np.testing.assert_allclose(res.x_avg, (g[:, None] * np.array(xs[:-1])).sum(0) / g.sum())
    # "1/sqrt(k)" with step0
    xs = []
    optbook.subgradient_descent(sub, x0, "1/sqrt(k)", step0=0.7, max_iter=3,
                                callback=lambda x: xs.append(x.copy()))
    x = x0
    for k in range(3):
        x = x - 0.7 / np.sqrt(k + 1) * sub(x)
        np.testing.assert_allclose(xs[k], x)


def test_subgradient_polyak_step():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((40, 5))
    x_true = rng.standard_normal(5)
    b = A @ x_true
    f = lambda x: np.abs(A @ x - b).mean()  # noqa: E731
    sub = lambda x: A.T @ np.sign(A @ x - b) / 40  # noqa: E731
    res = optbook.subgradient_descent(sub, np.zeros(5), "polyak", f=f, f_star=0.0, max_iter=3000)
    assert res.success
    assert res.fun_best < 1e-6
    np.testing.assert_allclose(res.x_best, x_true, atol=1e-5)


def test_subgradient_stops_at_an_exact_minimizer():
    res = optbook.subgradient_descent(lambda x: np.zeros_like(x), np.ones(2), 0.1)
    assert res.status == 0 and res.nit == 0 and "minimizer" in res.message
    res = optbook.subgradient_descent(np.sign, np.ones(2), "polyak", f=lambda x: np.abs(x).sum(),
                                      f_star=2.0)
    assert res.status == 0 and res.nit == 0


# ---------------------------------------------------------------------------
# Trace and plotting
# ---------------------------------------------------------------------------


def test_trace_records_every_iterate(ls):
    f, x_star = ls
    x0 = np.zeros(f.n_features)
    f_star = f.value(x_star)
    trace = optbook.Trace(f=f.value, x_star=x_star, f_star=f_star, x0=x0, store_iterates=True,
                          metric=lambda x: np.linalg.norm(f.grad(x)))
    res = optbook.nesterov(f.grad, x0, 1 / f.lipschitz, max_iter=25, callback=trace)
    assert len(trace) == res.nit + 1 == 26
    arrays = trace.as_arrays()
    xs = arrays["iterates"]
    assert xs.shape == (26, f.n_features)
    np.testing.assert_array_equal(xs[0], x0)
    np.testing.assert_array_equal(xs[-1], res.x)
    np.testing.assert_allclose(arrays["values"], [f.value(x) - f_star for x in xs])
    np.testing.assert_allclose(arrays["dists"], np.linalg.norm(xs - x_star, axis=1))
    np.testing.assert_allclose(arrays["metrics"], [np.linalg.norm(f.grad(x)) for x in xs])
    times = arrays["times"]
    assert times[0] >= 0 and np.all(np.diff(times) >= 0)
    assert "26 records" in repr(trace)
    trace.reset()
    assert len(trace) == 0 and trace.values == []


def test_trace_copies_iterates():
    trace = optbook.Trace(store_iterates=True)
    x = np.zeros(2)
    trace(x)
    x[0] = 5.0
    assert trace.iterates[0][0] == 0.0


def test_trace_excludes_its_own_time():
    import time

    slow = lambda x: time.sleep(0.02) or 0.0  # noqa: E731
    trace = optbook.Trace(f=slow)
    for _ in range(5):
        trace(np.zeros(1))
    # the 0.1 s spent inside f are not counted as solver time
    assert trace.times[-1] < 0.01


def test_trace_bad_input():
    with pytest.raises(ValueError, match="f_star needs f"):
        optbook.Trace(f_star=0.0)
    with pytest.raises(TypeError, match="f must be callable"):
        optbook.Trace(f=3.0)
    with pytest.raises(TypeError, match="metric must be callable"):
        optbook.Trace(metric="norm")
    with pytest.raises(ValueError, match="x_star must contain only finite"):
        optbook.Trace(x_star=[np.nan])
    trace = optbook.Trace(x_star=np.zeros(3))
    with pytest.raises(ValueError, match="x_star has shape"):
        trace(np.zeros(2))


def test_plotting(ls):
    f, x_star = ls
    setup_style()
    assert tuple(matplotlib.rcParams["figure.figsize"]) == (6.0, 3.5)
    assert matplotlib.rcParams["axes.grid"]
    x0 = np.zeros(f.n_features)
    L, R2 = f.lipschitz, float(np.sum((x0 - x_star) ** 2))
    traces = {}
    for name, solver in [("GD", optbook.gradient_descent), ("Nesterov", optbook.nesterov)]:
        traces[name] = optbook.Trace(f=f.value, f_star=f.value(x_star), x_star=x_star, x0=x0)
        solver(f.grad, x0, 1 / L, max_iter=50, callback=traces[name])
    ax = plot_traces(traces, bound=lambda k: L * R2 / (2 * k), title="least squares")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["GD", "Nesterov", "theoretical bound"]
    assert ax.get_yscale() == "log" and ax.get_ylabel() == r"$f(x_k) - f^\star$"
    bound_line = ax.get_lines()[-1]
    np.testing.assert_allclose(bound_line.get_xdata(), np.arange(1, 51))
    assert bound_line.get_linestyle() == "--"
    plt.close(ax.figure)
    # an array bound, distances, time axis, single-trace plot
    ax = plot_traces(traces, kind="dists", bound=np.sqrt(R2) * 0.9 ** np.arange(51))
    assert ax.get_ylabel() == r"$\|x_k - x^\star\|$"
    plt.close(ax.figure)
    fig, ax = plt.subplots()
    assert traces["GD"].plot(ax=ax, xaxis="time", label="GD") is ax
    assert ax.get_xlabel() == "time (s)"
    plt.close(fig)
    with pytest.raises(ValueError, match="no 'metrics' recorded"):
        plot_traces(traces, kind="metrics")
    with pytest.raises(ValueError, match="kind must be"):
        plot_traces(traces, kind="value")
    with pytest.raises(ValueError, match='use xaxis="iteration"'):
        plot_traces(traces, xaxis="time", bound=lambda k: 1.0)
    with pytest.raises(TypeError, match="nonempty dict"):
        plot_traces([traces["GD"]])
    plt.close("all")


# ---------------------------------------------------------------------------
# Nesterov's method with fixed restart (issue 12)
# ---------------------------------------------------------------------------


def test_nesterov_restart_follows_its_update_rule(ls):
    """Recompute the iterates by hand from the documented formula (restart when K | k+1)."""
    f, _ = ls
    g, L = f.grad, f.lipschitz
    x0 = np.random.default_rng(3).standard_normal(f.n_features)
    K, N = 4, 11
    xs = []
    res = optbook.nesterov_restart(g, x0, 1 / L, K, max_iter=N,
                                   callback=lambda z: xs.append(z.copy()))
    assert res.nit == N and res.success and res.n_restarts == N // K
    x, y, t = x0, x0, 1.0
    for k in range(N):
        x_new = y - g(y) / L
        if (k + 1) % K == 0:
            y, t = x_new, 1.0
        else:
            t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
            y, t = x_new + (t - 1) / t_new * (x_new - x), t_new
        x = x_new
        np.testing.assert_allclose(xs[k], x, rtol=1e-13)
    np.testing.assert_array_equal(res.x, xs[-1])


def test_nesterov_restart_is_repeated_nesterov(ls):
    """J cycles of K iterations are J calls of nesterov (mu = 0), bit for bit;
    period 1 is gradient descent; a period beyond max_iter is nesterov."""
    f, _ = ls
    x0 = np.ones(f.n_features)
    K, J = 7, 5
    res = optbook.nesterov_restart(f.grad, x0, 1 / f.lipschitz, K, max_iter=J * K)
    x = x0
    for _ in range(J):
        x = optbook.nesterov(f.grad, x, 1 / f.lipschitz, max_iter=K).x
    np.testing.assert_array_equal(res.x, x)
    gd = optbook.gradient_descent(f.grad, x0, 1 / f.lipschitz, max_iter=9)
    np.testing.assert_allclose(
        optbook.nesterov_restart(f.grad, x0, 1 / f.lipschitz, 1, max_iter=9).x, gd.x, rtol=1e-14)
    np.testing.assert_array_equal(
        optbook.nesterov_restart(f.grad, x0, 1 / f.lipschitz, 100, max_iter=30).x,
        optbook.nesterov(f.grad, x0, 1 / f.lipschitz, max_iter=30).x)


def test_nesterov_restart_converges_tol_float32_and_divergence(ls):
    f, x_star = ls
    step, kappa = 1 / f.lipschitz, f.lipschitz / f.strong_convexity
    K = int(np.ceil(2 * np.e * np.sqrt(kappa)))
    res = optbook.nesterov_restart(f.grad, np.zeros(f.n_features), step, K, tol=1e-10)
    assert res.success and res.status == 0 and res.nit < 1000
    np.testing.assert_allclose(res.x, x_star, atol=1e-9)
    x32 = np.zeros(f.n_features, dtype=np.float32)
    assert optbook.nesterov_restart(f.grad, x32, step, K, max_iter=5).x.dtype == np.float32
    bad = optbook.nesterov_restart(f.grad, np.ones(f.n_features), 10 / f.lipschitz, K,
                                   max_iter=5000)
    assert not bad.success and bad.status == 2 and np.all(np.isfinite(bad.x))
    x0 = np.ones(f.n_features)
    optbook.nesterov_restart(f.grad, x0, step, 3, max_iter=5)
    np.testing.assert_array_equal(x0, np.ones(f.n_features))   # input not modified


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(period=0), ValueError, "period"),
    (dict(period=2.5), TypeError, "period"),
    (dict(period=True), TypeError, "period"),
    (dict(period=None), TypeError, "period"),
    (dict(step=0.0), ValueError, "step"),
    (dict(step=-1.0), ValueError, "step"),
    (dict(step=np.nan), ValueError, "step"),
    (dict(grad=1.0), TypeError, "grad"),
    (dict(x0=[np.nan, 0.0]), ValueError, "x0"),
    (dict(x0=[]), ValueError, "x0"),
    (dict(max_iter=-1), ValueError, "max_iter"),
    (dict(tol=-1.0), ValueError, "tol"),
    (dict(callback=3), TypeError, "callback"),
    (dict(grad=lambda x: np.zeros(3)), ValueError, "grad"),
])
def test_nesterov_restart_bad_input(kwargs, error, match):
    args = dict(grad=lambda x: x, x0=[1.0, 2.0], step=0.5, period=3)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        optbook.nesterov_restart(**args)


# ---------------------------------------------------------------------------
# projected subgradient method (issue 12)
# ---------------------------------------------------------------------------


def test_projected_subgradient_follows_its_update_rule():
    from functools import partial

    from optbook.prox import proj_l2_ball

    c = np.array([3.0, -4.0, 1.0])
    sub = lambda x: np.sign(x - c)  # noqa: E731
    proj = partial(proj_l2_ball, radius=1.0)
    x0 = np.zeros(3)
    xs = []
    res = optbook.subgradient_descent(sub, x0, lambda k: 0.5 / (k + 1), max_iter=8, proj=proj,
                                      f=lambda x: np.abs(x - c).sum(),
                                      callback=lambda z: xs.append(z.copy()))
    x, wsum, gsum = x0, np.zeros(3), 0.0
    for k in range(8):
        gamma = 0.5 / (k + 1)
        wsum, gsum = wsum + gamma * x, gsum + gamma
        x = proj(x - gamma * sub(x))
        np.testing.assert_allclose(xs[k], x, rtol=1e-14)
        assert np.linalg.norm(xs[k]) <= 1 + 1e-12         # feasible iterates
    np.testing.assert_allclose(res.x_avg, wsum / gsum, rtol=1e-14)
    assert res.fun_best <= res.fun + 1e-15


def test_projected_subgradient_solves_a_constrained_problem():
    """min ||x - c||_1 over the unit l2 ball, c far outside: the solution is on the sphere."""
    from functools import partial

    from optbook.prox import proj_l2_ball

    c = np.array([2.0, 2.0])             # solution x* = (1, 1)/sqrt(2) by symmetry
    f = lambda x: np.abs(x - c).sum()    # noqa: E731
    res = optbook.subgradient_descent(lambda x: np.sign(x - c), np.zeros(2), "1/sqrt(k)",
                                      max_iter=4000, f=f,
                                      proj=partial(proj_l2_ball, radius=1.0))
    x_star = np.ones(2) / np.sqrt(2)
    assert res.fun_best - f(x_star) < 1e-2
    assert f(res.x_avg) - f(x_star) < 2e-2   # the average keeps x_0 = 0 with weight gamma_0


def test_unprojected_subgradient_is_unchanged_by_proj_none():
    rng = np.random.default_rng(0)
    c = rng.standard_normal(5)
    sub = lambda x: np.sign(x - c)  # noqa: E731
    a = optbook.subgradient_descent(sub, np.zeros(5), 0.01, max_iter=50)
    b = optbook.subgradient_descent(sub, np.zeros(5), 0.01, max_iter=50, proj=None)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.x_avg, b.x_avg)
    # the identity projection changes nothing either
    c_ = optbook.subgradient_descent(sub, np.zeros(5), 0.01, max_iter=50, proj=lambda x: x)
    np.testing.assert_array_equal(a.x, c_.x)


@pytest.mark.parametrize("proj, error, match", [
    (1.0, TypeError, "proj"),
    ("l2", TypeError, "proj"),
    (lambda x: x[:1], ValueError, "proj"),
])
def test_projected_subgradient_bad_input(proj, error, match):
    with pytest.raises(error, match=match):
        optbook.subgradient_descent(np.sign, np.ones(2), 0.1, max_iter=3, proj=proj)
