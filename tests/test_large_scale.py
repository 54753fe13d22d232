"""Issue 13: optbook at scale (sparse and float32 data, NumPy 2 conversions, the shared
skeleton, the value-and-gradient line search, SAGA's scalar table) and its bug fixes.

The bug tests failed before the fix (named in each docstring).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import optbook
from optbook import nn, objectives
from optbook._validation import as_float_array
from optbook.datasets import make_sparse_classification
from optbook.objectives import LeastSquares, LogisticRegression, Quadratic
from optbook.prox import (
    moreau_envelope,
    proj_box,
    proj_l1_ball,
    proj_l2_ball,
    proj_simplex,
    prox_elastic_net,
    prox_l1,
    prox_l2,
    prox_linf,
    prox_sq_l2,
)
from optbook.stochastic import saga, sgd, svrg


@pytest.fixture(scope="module")
def sparse_problem():
    A, y, _ = make_sparse_classification(400, 120, nnz_per_row=8, rng=0)
    return A, y


# ---------------------------------------------------------------------------
# bugs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [np.ones(3, np.float32), np.arange(3), [1, 2, 3],
                                   np.float32(2.0)])
def test_as_float_array_without_copy_converts(value):
    """Failed before: np.array(x, dtype=float64, copy=False) raises under NumPy 2."""
    arr = as_float_array(value, "x", copy=False)
    assert arr.dtype == np.float64
    np.testing.assert_array_equal(arr, np.asarray(value, dtype=np.float64))
    same = np.ones(3)
    assert as_float_array(same, "x", copy=False) is same  # no copy when none is needed


def test_nn_accuracy_and_train_accept_float32_and_integer_inputs():
    """Failed before: nn.accuracy / nn.train raised 'X must be a numeric array, got ndarray'."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3)).astype(np.float32)
    labels = (X[:, 0] > 0).astype(int)
    params = nn.init_mlp([3, 4, 2], rng=0)
    assert 0.0 <= nn.accuracy(params, X, labels) <= 1.0
    assert 0.0 <= nn.accuracy(params, np.rint(X * 3).astype(int), labels) <= 1.0
    nn.train(params, optbook.optim.SGD(lr=0.1), X, labels, epochs=1, batch_size=8, rng=0)


def test_fista_function_restart_needs_g_and_fun_is_F():
    """Failed before: restart="function" without g watched f only; fun was f(x), not F(x)."""
    f = LeastSquares(np.eye(2), np.array([2.0, 0.05]))
    g = lambda x: 0.1 * np.abs(x).sum()  # noqa: E731
    prox = lambda x, t: prox_l1(x, 0.1 * t)  # noqa: E731
    x0 = np.zeros(2)
    with pytest.raises(ValueError, match="needs f and g"):
        optbook.fista(f.grad, prox, x0, 1.0, restart="function", f=f.value)
    res = optbook.fista(f.grad, prox, x0, 1.0, max_iter=50, f=f.value)
    assert "fun" not in res  # F unknown without g: no field rather than a wrong one
    res = optbook.fista(f.grad, prox, x0, 1.0, max_iter=50, restart="function", f=f.value, g=g)
    assert res.fun == pytest.approx(f.value(res.x) + g(res.x), rel=1e-15)
    res = optbook.proximal_gradient(f.grad, prox, x0, 1.0, max_iter=50, f=f.value)
    assert "fun" not in res


def test_solvers_do_not_hide_the_users_warnings():
    """Failed before: np.errstate around whole solvers silenced warnings raised in grad."""
    def grad(x):
        np.array([1e308]) * 10.0  # the user's own overflow, in their own code
        return x

    for run in [lambda: optbook.gradient_descent(grad, np.ones(2), 0.5, max_iter=2),
                lambda: optbook.fista(grad, lambda x, t: x, np.ones(2), 0.5, max_iter=2),
                lambda: optbook.nesterov(grad, np.ones(2), 0.5, max_iter=2),
                lambda: optbook.heavy_ball(grad, np.ones(2), 0.5, 0.5, max_iter=2)]:
        with pytest.warns(RuntimeWarning, match="overflow"):
            run()


def test_diverging_runs_stop_before_overflow_without_warnings():
    f = Quadratic(np.diag([1.0, 100.0]), c=np.ones(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # neither the solver nor Quadratic.grad warns
        for res in [optbook.gradient_descent(f.grad, np.ones(2), 0.03, max_iter=100_000),
                    optbook.fista(f.grad, lambda x, t: x, np.ones(2), 0.03, max_iter=100_000),
                    sgd(LeastSquares(np.eye(3) * 10, np.ones(3)).grad_i, np.ones(3), 3, 1.0,
                        max_epochs=100_000)]:
            assert res.status == 2 and not res.success and np.isfinite(res.x).all()


# ---------------------------------------------------------------------------
# the line search: one value-and-gradient oracle, steps that may grow
# ---------------------------------------------------------------------------


class Counting:
    """Counts the products with A of a LogisticRegression's oracles."""

    def __init__(self, f):
        self.f, self.products = f, 0

    def value(self, x):
        self.products += 1
        return self.f.value(x)

    def grad(self, x):
        self.products += 2
        return self.f.grad(x)

    def value_and_grad(self, x):
        self.products += 2
        return self.f.value_and_grad(x)


@pytest.mark.parametrize("solver", ["armijo", "backtracking"])
def test_line_searches_cost_two_products_per_iteration_with_value_and_grad(sparse_problem, solver):
    A, y = sparse_problem
    f = LogisticRegression(A, y, lam=1e-2)
    step0, K = 1 / f.lipschitz, 40  # the first trial is always accepted: no backtracking
    runs = {}
    for mode in ["f", "value_and_grad"]:
        c = Counting(f)
        kw = {"f": c.value} if mode == "f" else {"value_and_grad": c.value_and_grad}
        if solver == "armijo":
            res = optbook.gradient_descent(c.grad, np.zeros(A.shape[1]), "armijo", max_iter=K,
                                           step0=step0, **kw)
        else:
            res = optbook.proximal_gradient(c.grad, lambda x, t: x, np.zeros(A.shape[1]),
                                            "backtracking", max_iter=K, step0=step0, **kw)
        assert res.nit == K and res.step == step0
        runs[mode] = (c.products, res.x)
    # f then grad at each point: 3 products per iteration; one oracle: 2 (+2 at x0)
    assert runs["f"][0] == 1 + 3 * K           # f(x_0), then grad and f at each point
    assert runs["value_and_grad"][0] == 2 + 2 * K  # one oracle call per point
    np.testing.assert_allclose(runs["f"][1], runs["value_and_grad"][1], rtol=1e-12)


def test_steps_grow_again_with_grow():
    f = Quadratic(np.diag([1.0, 4.0]), c=np.ones(2))
    res = optbook.gradient_descent(f.grad, np.zeros(2), "armijo", f=f.value, step0=1e-3,
                                   max_iter=30, grow=2.0)
    assert res.step > 1e-2  # grown from 1e-3
    fixed = optbook.gradient_descent(f.grad, np.zeros(2), "armijo", f=f.value, step0=1e-3,
                                     max_iter=30)
    assert fixed.step == 1e-3  # grow=1: Beck and Teboulle's nonincreasing steps
    with pytest.raises(ValueError, match="grow"):
        optbook.gradient_descent(f.grad, np.zeros(2), "armijo", f=f.value, grow=0.5)


def test_armijo_backtracking_and_restart_follow_hand_recomputed_traces():
    """Update rules recomputed by hand: Armijo with memory and growth, backtracking
    proximal gradient, proximal gradient, FISTA with function and gradient restarts."""
    rng = np.random.default_rng(3)
    A = rng.standard_normal((30, 6))
    f = LeastSquares(A, rng.standard_normal(30))
    lam = 0.05
    g = lambda x: lam * np.abs(x).sum()  # noqa: E731
    prox = lambda x, t: prox_l1(x, lam * t)  # noqa: E731
    F = lambda x: f.value(x) + g(x)  # noqa: E731
    x0, K, L = rng.standard_normal(6), 12, np.linalg.eigvalsh(A.T @ A / 30)[-1]

    def record(solver, *args, **kwargs):
        xs = []
        solver(*args, max_iter=K, callback=lambda x: xs.append(x.copy()), **kwargs)
        assert len(xs) == K
        return xs

    # Armijo, beta = 0.5, c = 0.3, grow = 1.5, step0 = 4/L
    xs = record(optbook.gradient_descent, f.grad, x0, "armijo", f=f.value, step0=4 / L,
                beta=0.5, c=0.3, grow=1.5)
    x, gamma = x0, 4 / L
    for k in range(K):
        gx, gamma = f.grad(x), gamma * 1.5
        while f.value(x - gamma * gx) > f.value(x) - 0.3 * gamma * gx @ gx + 1e-12 * abs(f.value(x)):
            gamma *= 0.5
        x = x - gamma * gx
        np.testing.assert_allclose(xs[k], x, rtol=1e-13, atol=1e-15)
    # proximal gradient, constant step, and with backtracking (beta = 0.7, step0 = 5/L)
    xs = record(optbook.proximal_gradient, f.grad, prox, x0, 1 / L)
    x = x0
    for k in range(K):
        x = prox(x - f.grad(x) / L, 1 / L)
        np.testing.assert_allclose(xs[k], x, rtol=1e-13, atol=1e-15)
    xs = record(optbook.proximal_gradient, f.grad, prox, x0, "backtracking", f=f.value,
                step0=5 / L, beta=0.7)
    x, gamma = x0, 5 / L
    for k in range(K):
        gx = f.grad(x)
        while True:
            z = prox(x - gamma * gx, gamma)
            model = f.value(x) + gx @ (z - x) + (z - x) @ (z - x) / (2 * gamma)
            if f.value(z) <= model + 1e-12 * max(abs(f.value(x)), abs(f.value(z))):
                break
            gamma *= 0.7
        x = z
        np.testing.assert_allclose(xs[k], x, rtol=1e-13, atol=1e-15)
    # FISTA with restarts (step 1/L)
    for scheme in ["function", "gradient"]:
        xs = record(optbook.fista, f.grad, prox, x0, 1 / L, restart=scheme, f=f.value, g=g)
        x, y, t = x0, x0, 1.0
        for k in range(K):
            x_new = prox(y - f.grad(y) / L, 1 / L)
            if scheme == "function":
                restarting = F(x_new) > F(x)
            else:
                restarting = (y - x_new) @ (x_new - x) > 0
            if restarting:
                t, y = 1.0, x_new
            else:
                t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
                y, t = x_new + (t - 1) / t_new * (x_new - x), t_new
            x = x_new
            np.testing.assert_allclose(xs[k], x, rtol=1e-13, atol=1e-15)


# ---------------------------------------------------------------------------
# sparse design matrices and float32
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("cls", [LeastSquares, LogisticRegression])
def test_sparse_objectives_match_dense_without_copying(sparse_problem, fmt, cls, monkeypatch):
    A, y = sparse_problem
    A = A.asformat(fmt)
    f_sp, f_de = cls(A, y), cls(A.toarray(), y)
    assert f_sp.A is A  # neither copied nor densified
    x = np.random.default_rng(0).standard_normal(A.shape[1])
    idx = np.array([3, 7, 7, 100])
    assert f_sp.value(x) == pytest.approx(f_de.value(x), rel=1e-13)
    np.testing.assert_allclose(f_sp.grad(x), f_de.grad(x), rtol=1e-12, atol=1e-15)
    v, gr = f_sp.value_and_grad(x)
    assert v == pytest.approx(f_sp.value(x), rel=1e-15)
    np.testing.assert_array_equal(gr, f_sp.grad(x))
    np.testing.assert_allclose(f_sp.grad_i(x, idx), f_de.grad_i(x, idx), rtol=1e-12, atol=1e-15)
    assert f_sp.value_i(x, idx) == pytest.approx(f_de.value_i(x, idx), rel=1e-13)
    np.testing.assert_allclose(f_sp.hess(x), f_de.hess(x), rtol=1e-12, atol=1e-15)
    # the constants: Lanczos on the Gram operator against eigvalsh, computed here
    eigs = np.linalg.eigvalsh(A.toarray().T @ A.toarray()) / A.shape[0]
    scale = 0.25 if cls is LogisticRegression else 1.0
    assert f_sp.lipschitz == pytest.approx(scale * eigs[-1], rel=1e-9)
    if cls is LeastSquares:
        assert eigs[0] < 1e-12 and f_sp.strong_convexity == 0.0  # unused columns: rank deficient
        monkeypatch.setattr(objectives, "DENSE_EIG_MAX", 10)  # the iterative path, dense A
        B = np.random.default_rng(1).standard_normal((400, 120))
        eigs = np.linalg.eigvalsh(B.T @ B) / 400
        f_big = cls(B, y)
        assert f_big.lipschitz == pytest.approx(eigs[-1], rel=1e-9)
        assert f_big.strong_convexity == pytest.approx(eigs[0], rel=1e-6)


def test_float32_in_float32_out(sparse_problem):
    A, y = sparse_problem
    A32 = A.astype(np.float32)
    for f in [LogisticRegression(A32, y, lam=1e-2), LeastSquares(A32.toarray(), y)]:
        assert f.dtype == np.float32
        x0 = np.zeros(A.shape[1], np.float32)
        assert f.grad(x0).dtype == np.float32 and f.grad_i(x0, [1, 2]).dtype == np.float32
        step = 1 / f.lipschitz
        for res in [optbook.gradient_descent(f.grad, x0, step, max_iter=5),
                    optbook.gradient_descent(f.grad, x0, "armijo", max_iter=5,
                                             value_and_grad=f.value_and_grad),
                    optbook.nesterov(f.grad, x0, step, max_iter=5),
                    optbook.fista(f.grad, lambda x, t: prox_l1(x, 1e-3 * t), x0, step,
                                  max_iter=5),
                    optbook.proximal_gradient(f.grad, lambda x, t: x, x0, step, max_iter=5),
                    optbook.heavy_ball(f.grad, x0, step, 0.5, max_iter=5),
                    sgd(f.grad_i, x0, f.n_samples, 0.1, max_epochs=1, rng=0),
                    saga(f.grad_i, x0, f.n_samples, 0.1, max_epochs=1, rng=0),
                    svrg(f.grad_i, x0, f.n_samples, 0.1, max_epochs=1, rng=0)]:
            assert res.x.dtype == np.float32, res
    # integer and list inputs give float64
    f = LeastSquares(np.arange(6).reshape(3, 2), [1, 2, 3])
    assert f.dtype == np.float64 and f.grad([0, 0]).dtype == np.float64
    assert optbook.gradient_descent(f.grad, [0, 0], 0.01, max_iter=3).x.dtype == np.float64


@pytest.mark.parametrize("op", [
    lambda x: prox_l1(x, 0.5), lambda x: prox_l2(x, 0.5), lambda x: prox_sq_l2(x, 0.5),
    lambda x: prox_linf(x, 0.5), lambda x: prox_elastic_net(x, 0.5),
    lambda x: proj_box(x, -0.5, 0.5), lambda x: proj_l2_ball(x, 0.5),
    lambda x: proj_l1_ball(x, 0.5), lambda x: proj_simplex(x)])
def test_prox_keeps_float32_and_accepts_int_list_and_0d(op):
    x = np.array([1.5, -0.25, 0.75], np.float32)
    out = op(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, op(x.astype(np.float64)), rtol=1e-6, atol=1e-7)
    assert op([1, -2, 3]).dtype == np.float64
    assert op(np.array([2, 0, -1])).dtype == np.float64
    assert np.ndim(prox_l1(np.float64(2.0), 0.5)) == 0
    assert moreau_envelope(lambda v: np.abs(v).sum(), prox_l1, np.float32(2.0), 1.0) == 1.5


def test_zero_dimensional_and_list_starts():
    res = optbook.gradient_descent(lambda x: 2 * (x - 3), 0.0, 0.25, max_iter=60)
    assert np.ndim(res.x) == 0 and res.x == pytest.approx(3.0)
    res = optbook.fista(lambda x: 2 * (x - 3), lambda x, t: x, [0, 0], 0.25, max_iter=60)
    np.testing.assert_allclose(res.x, 3.0)


@pytest.mark.parametrize("cls", [LeastSquares, LogisticRegression])
def test_saga_scalar_table_matches_the_full_table(sparse_problem, cls):
    A, y = sparse_problem
    f = cls(A, y) if cls is LeastSquares else cls(A, y, lam=0.0)
    x0 = np.zeros(A.shape[1])
    scalar = saga(f.grad_i, x0, f.n_samples, 0.2, max_epochs=3, rng=1)
    full = saga(f.grad_i, x0, f.n_samples, 0.2, max_epochs=3, rng=1, table="full")
    assert scalar.table == "scalar" and full.table == "full"
    # lam = 0: the same iteration, up to rounding
    np.testing.assert_allclose(scalar.x, full.x, rtol=1e-10, atol=1e-13)
    assert scalar.n_grad_evals == full.n_grad_evals
    with pytest.raises(ValueError, match="scalar"):
        saga(lambda x, i: x, x0, f.n_samples, 0.2, table="scalar")


def test_saga_scalar_with_ridge_converges_to_the_solution(sparse_problem):
    A, y = sparse_problem
    f = LogisticRegression(A.tocsc(), y, lam=0.05)
    x_star = f.reference_solution()
    res = saga(f.grad_i, np.zeros(A.shape[1]), f.n_samples, 1 / (3 * (0.25 + 0.05)),
               max_epochs=60, rng=0)
    assert np.linalg.norm(res.x - x_star) < 1e-8 * max(1.0, np.linalg.norm(x_star))


def test_make_sparse_classification():
    A, y, w = make_sparse_classification(3000, 800, nnz_per_row=12, rng=5)
    assert sp.isspmatrix_csr(A) and A.has_sorted_indices
    np.testing.assert_allclose(sp.linalg.norm(A, axis=1), 1.0, rtol=1e-12)
    counts = np.bincount(A.indices, minlength=800)
    assert counts.max() > 20 * np.median(counts)  # power-law popularity
    assert set(np.unique(y)) == {-1.0, 1.0}
    A2, y2, _ = make_sparse_classification(3000, 800, nnz_per_row=12, rng=5)
    assert (A2 != A).nnz == 0 and np.array_equal(y, y2)
    with pytest.raises(ValueError, match="nnz_per_row"):
        make_sparse_classification(10, 5, nnz_per_row=6)


def test_trace_stop_below():
    f = LeastSquares(np.eye(2), np.ones(2))
    tr = optbook.Trace(f=f.value, f_star=0.0, stop_below=1e-6, x0=np.zeros(2))
    res = optbook.gradient_descent(f.grad, np.zeros(2), 0.5, max_iter=1000, callback=tr)
    assert res.status == 3 and tr.values[-1] <= 1e-6 < tr.values[-2]
    with pytest.raises(ValueError, match="stop_below"):
        optbook.Trace(stop_below=1.0)
