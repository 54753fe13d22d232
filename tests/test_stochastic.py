"""Tests of optbook.stochastic: SGD, SAGA and SVRG on finite sums."""

import math

import numpy as np
import pytest

import scipy.sparse as sp

from optbook import stochastic
from optbook.datasets import make_sparse_classification
from optbook.objectives import LeastSquares, LogisticRegression
from optbook.prox import prox_l1
from optbook.stochastic import saga, sgd, svrg


def _least_squares(n=200, d=5, noise=0.3, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    b = A @ rng.standard_normal(d) + noise * rng.standard_normal(n)
    return LeastSquares(A, b)


def _normalized_least_squares(n=100, d=4, seed=1):
    """Rows of norm sqrt(d): L_max = d, close to the smoothness of f, so that
    the step sizes and epoch lengths of the theorems stay moderate."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    A *= np.sqrt(d) / np.linalg.norm(A, axis=1, keepdims=True)
    return LeastSquares(A, A @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n))


def _l_max(f):
    """Largest smoothness constant of the f_i (least squares: max ||a_i||^2)."""
    return float((f.A**2).sum(axis=1).max())


# ---------------------------------------------------------------------------
# SGD
# ---------------------------------------------------------------------------


def test_sgd_converges_under_interpolation():
    # b = A x_true exactly: every f_i is minimized at x_true, there is no noise floor
    rng = np.random.default_rng(0)
    A = rng.standard_normal((100, 4))
    x_true = rng.standard_normal(4)
    f = LeastSquares(A, A @ x_true)
    res = sgd(f.grad_i, np.zeros(4), f.n_samples, step=1 / (2 * _l_max(f)),
              max_epochs=60, rng=0)
    assert res.success and res.status == 1
    assert res.nit == 60 * 100 and res.n_epochs == 60 and res.n_grad_evals == 6000
    np.testing.assert_allclose(res.x, x_true, atol=1e-8)


def test_sgd_full_batch_shuffle_is_gradient_descent():
    f = _least_squares()
    gamma = 1 / f.lipschitz
    res = sgd(f.grad_i, np.zeros(5), f.n_samples, step=gamma, batch_size=f.n_samples,
              sampling="shuffle", max_epochs=25, rng=0)
    x = np.zeros(5)
    for _ in range(25):
        x = x - gamma * f.grad(x)
    assert res.nit == 25
    np.testing.assert_allclose(res.x, x, rtol=1e-12, atol=1e-14)


def _sgd_distances(f, x_star, gamma, epochs, seeds, batch_size=1):
    """Squared distances to x* at the end of each epoch, one row per seed."""
    rows = []
    for seed in seeds:
        dists = [float(np.sum(x_star**2))]
        sgd(f.grad_i, np.zeros(f.n_features), f.n_samples, step=gamma,
            batch_size=batch_size, max_epochs=epochs, rng=seed,
            callback=lambda x: dists.append(float(np.sum((x - x_star) ** 2))))
        rows.append(dists)
    return np.array(rows)


def test_sgd_constant_step_bound_and_noise_floor():
    """E||x_k - x*||^2 <= (1 - γμ)^k ||x_0 - x*||^2 + 2γσ²/μ for γ <= 1/(2 L_max)
    (Gower et al., 2019, Thm 3.1), checked on a Monte Carlo mean over 20 runs,
    and the floor shrinks with the step."""
    f = _least_squares()
    x_star = f.minimizer()
    mu, n = f.strong_convexity, f.n_samples
    per_sample = f.A * (f.A @ x_star - f.b)[:, None]  # ∇f_i(x*)
    sigma2 = float(np.mean(np.sum(per_sample**2, axis=1)))
    gamma = 1 / (2 * _l_max(f))
    epochs = 8
    D = _sgd_distances(f, x_star, gamma, epochs, seeds=range(20))
    k = n * np.arange(epochs + 1)
    bound = (1 - gamma * mu) ** k * D[0, 0] + 2 * gamma * sigma2 / mu
    assert np.all(D.mean(axis=0) <= bound)
    # the floor (mean of the last epochs) is roughly proportional to the step
    floor_big = D[:, -3:].mean()
    D_small = _sgd_distances(f, x_star, gamma / 4, 2 * epochs, seeds=range(10))
    floor_small = D_small[:, -3:].mean()
    assert floor_small < 0.5 * floor_big
    # minibatches of size 16 lower the floor at the same step
    D_batch = _sgd_distances(f, x_star, gamma, 8 * epochs, seeds=range(20), batch_size=16)
    assert D_batch[:, -3:].mean() < 0.5 * floor_big


def test_sgd_averages_follow_their_formulas():
    # a deterministic oracle makes the iterates known exactly
    c = np.array([1.0, -2.0])

    def grad_i(x, idx):
        return x - c

    gamma, n, epochs = 0.3, 4, 3
    K = n * epochs
    xs = [np.zeros(2)]
    for _ in range(K):
        xs.append(xs[-1] - gamma * (xs[-1] - c))
    xs = np.array(xs)
    uni = sgd(grad_i, np.zeros(2), n, gamma, max_epochs=epochs, average=True, rng=0)
    lin = sgd(grad_i, np.zeros(2), n, gamma, max_epochs=epochs, average="linear", rng=0)
    np.testing.assert_allclose(uni.x, xs[K], rtol=1e-14)
    np.testing.assert_allclose(uni.x_avg, xs[:K].mean(axis=0), rtol=1e-13)
    weights = np.arange(1, K + 1)
    np.testing.assert_allclose(lin.x_avg, weights @ xs[:K] / weights.sum(), rtol=1e-13)
    assert "x_avg" not in sgd(grad_i, np.zeros(2), n, gamma, max_epochs=1, rng=0)


def test_sgd_averaging_reduces_the_noise():
    f = _least_squares()
    x_star = f.minimizer()
    gamma = 1 / (2 * _l_max(f))
    err_last, err_avg = [], []
    for seed in range(6):
        res = sgd(f.grad_i, np.zeros(5), f.n_samples, step=gamma, max_epochs=15,
                  average=True, rng=seed)
        err_last.append(np.sum((res.x - x_star) ** 2))
        err_avg.append(np.sum((res.x_avg - x_star) ** 2))
    assert np.mean(err_avg) < 0.5 * np.mean(err_last)


@pytest.mark.parametrize("schedule, steps", [
    ("constant", lambda k: 0.5 * np.ones_like(k)),
    ("inverse_sqrt", lambda k: 0.5 / np.sqrt(k + 1)),
    ("inverse", lambda k: 0.5 / (k + 1)),
])
def test_sgd_schedules(schedule, steps):
    ones = lambda x, idx: np.ones(2)  # noqa: E731  the iterate moves by -γ_k
    res = sgd(ones, np.zeros(2), 5, 0.5, schedule=schedule, max_epochs=3, rng=0)
    k = np.arange(15.0)
    np.testing.assert_allclose(res.x, -np.sum(steps(k)) * np.ones(2), rtol=1e-13)


def test_sgd_callable_step():
    ones = lambda x, idx: np.ones(1)  # noqa: E731
    res = sgd(ones, np.zeros(1), 4, step=lambda k: 1.0 / (k + 2), max_epochs=2, rng=0)
    np.testing.assert_allclose(res.x, [-np.sum(1.0 / (np.arange(8) + 2))], rtol=1e-13)
    with pytest.raises(ValueError, match="schedule"):
        sgd(ones, np.zeros(1), 4, step=lambda k: 1.0, schedule="inverse")
    with pytest.raises(ValueError, match="step"):
        sgd(ones, np.zeros(1), 4, step=lambda k: -1.0)


def test_sgd_prox_is_applied_with_the_step():
    zero = lambda x, idx: np.zeros(3)  # noqa: E731
    x0 = np.array([1.0, -0.25, 0.05])
    res = sgd(zero, x0, 2, step=0.1, max_epochs=1, prox=prox_l1, rng=0)
    np.testing.assert_allclose(res.x, prox_l1(prox_l1(x0, 0.1), 0.1), rtol=1e-15)


def test_sampling_is_drawn_in_batches_of_indices():
    seen = []

    def grad_i(x, idx):
        seen.append(np.array(idx))
        return np.zeros_like(x)

    sgd(grad_i, np.zeros(2), 10, 0.1, batch_size=4, max_epochs=2, rng=0)
    assert len(seen) == 2 * math.ceil(10 / 4)
    assert all(s.shape == (4,) and np.issubdtype(s.dtype, np.integer) for s in seen)
    assert all(s.min() >= 0 and s.max() < 10 for s in seen)
    seen.clear()
    sgd(grad_i, np.zeros(2), 10, 0.1, batch_size=4, max_epochs=1, sampling="shuffle",
        rng=0)
    assert [len(s) for s in seen] == [4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(seen)), np.arange(10))


def test_seeded_runs_are_reproducible():
    f = _least_squares()
    for solver, step in ((sgd, 0.01), (saga, 0.01), (svrg, 0.01)):
        r1 = solver(f.grad_i, np.zeros(5), f.n_samples, step, max_epochs=2, rng=3)
        r2 = solver(f.grad_i, np.zeros(5), f.n_samples, step, max_epochs=2,
                    rng=np.random.default_rng(3))
        r3 = solver(f.grad_i, np.zeros(5), f.n_samples, step, max_epochs=2, rng=4)
        np.testing.assert_array_equal(r1.x, r2.x)
        assert not np.array_equal(r1.x, r3.x)
        solver(f.grad_i, np.zeros(5), f.n_samples, step, max_epochs=1, rng=None)


def test_callbacks():
    f = _least_squares()
    calls = []
    sgd(f.grad_i, np.zeros(5), f.n_samples, 0.01, max_epochs=3, rng=0,
        callback=lambda x: calls.append(x.copy()))
    assert len(calls) == 3
    calls.clear()
    res = sgd(f.grad_i, np.zeros(5), f.n_samples, 0.01, max_epochs=3, rng=0,
              callback=lambda x: calls.append(x.copy()), callback_every=50)
    assert len(calls) == 3 * 200 // 50
    np.testing.assert_array_equal(calls[-1], res.x)
    # the average is passed with callback_on="average"
    avgs = []
    res = sgd(f.grad_i, np.zeros(5), f.n_samples, 0.01, max_epochs=2, rng=0,
              average=True, callback_on="average", callback=lambda x: avgs.append(x.copy()))
    np.testing.assert_array_equal(avgs[-1], res.x_avg)
    # a true return value stops the run
    for solver in (sgd, saga, svrg):
        calls.clear()
        res = solver(f.grad_i, np.zeros(5), f.n_samples, 0.01, max_epochs=10, rng=0,
                     callback=lambda x: calls.append(1) or len(calls) == 2)
        assert res.status == 3 and res.success and res.n_epochs == 2 and len(calls) == 2


@pytest.mark.parametrize("solver", [sgd, saga, svrg])
def test_divergence_is_reported(solver):
    f = _least_squares()
    res = solver(f.grad_i, np.zeros(5), f.n_samples, step=50.0, max_epochs=20, rng=0)
    assert not res.success and res.status == 2
    assert "diverged" in res.message
    assert np.all(np.isfinite(res.x))


@pytest.mark.parametrize("solver", [sgd, saga, svrg])
def test_inputs_are_not_modified(solver):
    f = _least_squares()
    x0 = np.ones(5)
    A_before = f.A.copy()
    solver(f.grad_i, x0, f.n_samples, 0.01, max_epochs=1, rng=0)
    np.testing.assert_array_equal(x0, np.ones(5))
    np.testing.assert_array_equal(f.A, A_before)


# ---------------------------------------------------------------------------
# SAGA
# ---------------------------------------------------------------------------


def test_saga_converges_linearly_on_least_squares():
    f = _least_squares()
    x_star = f.minimizer()
    dists = []
    res = saga(f.grad_i, np.zeros(5), f.n_samples, step=1 / (3 * _l_max(f)),
               max_epochs=40, rng=0,
               callback=lambda x: dists.append(np.linalg.norm(x - x_star)))
    assert res.success and res.nit == 40 * 200
    assert res.n_grad_evals == 41 * 200  # table initialisation + 40 epochs
    assert dists[-1] < 1e-8 * np.linalg.norm(x_star)
    # geometric decrease: the second half gains as much as the first half
    assert dists[-1] / dists[19] < 10 * dists[19] / dists[0]


def test_saga_bound_of_defazio_et_al():
    """E||x_k - x*||^2 <= (1 - min(1/(4n), μ/(3L)))^k C_0 with γ = 1/(3L)
    (Defazio, Bach and Lacoste-Julien, 2014, Thm 1), Monte Carlo mean over
    10 runs, at the end of each epoch."""
    f = _normalized_least_squares()
    x_star, n, L, mu = f.minimizer(), f.n_samples, _l_max(f), f.strong_convexity
    x0 = np.zeros(4)
    bregman = f.value(x0) - f.value(x_star) - f.grad(x_star) @ (x0 - x_star)
    C0 = np.sum((x0 - x_star) ** 2) + 2 * n / (3 * L) * bregman
    rate = 1 - min(1 / (4 * n), mu / (3 * L))
    runs = []
    for seed in range(10):
        d = []
        saga(f.grad_i, x0, n, 1 / (3 * L), max_epochs=15, rng=seed,
             callback=lambda x: d.append(np.sum((x - x_star) ** 2)))
        runs.append(d)
    k = n * np.arange(1, 16)
    assert np.all(np.mean(runs, axis=0) <= rate**k * C0)


def test_saga_logistic_regression():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((150, 4))
    y = np.where(A @ rng.standard_normal(4) + 0.5 * rng.standard_normal(150) > 0, 1.0, -1.0)
    f = LogisticRegression(A, y, lam=0.1)
    L = float((A**2).sum(axis=1).max()) / 4 + 0.1
    res = saga(f.grad_i, np.zeros(4), f.n_samples, 1 / (3 * L), max_epochs=40, rng=0)
    np.testing.assert_allclose(res.x, f.reference_solution(), atol=1e-8)


def test_saga_init_table_gives_the_same_run():
    f = _least_squares()
    x0 = np.full(5, 0.5)
    table = f.A * (f.A @ x0 - f.b)[:, None]  # ∇f_i(x0), vectorized
    r1 = saga(f.grad_i, x0, f.n_samples, 0.01, max_epochs=3, rng=0)
    r2 = saga(f.grad_i, x0, f.n_samples, 0.01, max_epochs=3, rng=0, init_table=table)
    np.testing.assert_allclose(r1.x, r2.x, rtol=1e-12)
    assert r2.n_grad_evals == r1.n_grad_evals - f.n_samples
    with pytest.raises(ValueError, match="init_table"):
        saga(f.grad_i, x0, f.n_samples, 0.01, init_table=table[:, :3])


def _lasso_reference(f, lam):
    from sklearn.linear_model import Lasso

    model = Lasso(alpha=lam, fit_intercept=False, tol=1e-14, max_iter=100000)
    return model.fit(f.A, f.b).coef_


@pytest.mark.parametrize("solver", ["saga", "svrg"])
def test_proximal_variance_reduction_solves_the_lasso(solver):
    rng = np.random.default_rng(2)
    A = rng.standard_normal((120, 8))
    x_true = np.array([2.0, -1.5, 0, 0, 1.0, 0, 0, 0])
    f = LeastSquares(A, A @ x_true + 0.5 * rng.standard_normal(120))
    lam = 0.2
    prox = lambda x, t: prox_l1(x, lam * t)  # noqa: E731
    L = _l_max(f)
    if solver == "saga":
        res = saga(f.grad_i, np.zeros(8), f.n_samples, 1 / (3 * L), max_epochs=60,
                   prox=prox, rng=0)
    else:
        res = svrg(f.grad_i, np.zeros(8), f.n_samples, 1 / (5 * L), max_epochs=30,
                   full_grad=f.grad, prox=prox, rng=0)
    expected = _lasso_reference(f, lam)
    assert np.sum(expected == 0) >= 1  # the reference is sparse
    np.testing.assert_allclose(res.x, expected, atol=1e-7)
    np.testing.assert_array_equal(res.x == 0, expected == 0)


# ---------------------------------------------------------------------------
# SVRG
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("snapshot", ["last", "average", "random"])
def test_svrg_converges_linearly(snapshot):
    f = _least_squares()
    x_star = f.minimizer()
    L = _l_max(f)
    gaps = []
    res = svrg(f.grad_i, np.zeros(5), f.n_samples, 1 / (10 * L), max_epochs=25,
               epoch_length=2 * f.n_samples, snapshot=snapshot, rng=0,
               callback=lambda x: gaps.append(f.value(x) - f.value(x_star)))
    assert res.success and res.nit == 25 * 400
    assert res.n_grad_evals == 25 * (200 + 2 * 400)
    assert gaps[-1] < 1e-9 * gaps[0]


def test_svrg_bound_of_johnson_and_zhang():
    """E f(x̃_s) - f* <= α^s (f(x̃_0) - f*), α = 1/(μγ(1-2Lγ)m) + 2Lγ/(1-2Lγ)
    (Johnson and Zhang, 2013, Thm 1, option II: random snapshot)."""
    f = _normalized_least_squares()
    x_star, L, mu = f.minimizer(), _l_max(f), f.strong_convexity
    gamma = 1 / (10 * L)
    m = int(np.ceil(50 * L / mu))
    alpha = 1 / (mu * gamma * (1 - 2 * L * gamma) * m) + 2 * L * gamma / (1 - 2 * L * gamma)
    assert alpha < 1
    x0 = np.zeros(4)
    gap0 = f.value(x0) - f.value(x_star)
    runs = []
    for seed in range(10):
        g = []
        svrg(f.grad_i, x0, f.n_samples, gamma, max_epochs=4, epoch_length=m,
             snapshot="random", rng=seed,
             callback=lambda x: g.append(f.value(x) - f.value(x_star)))
        runs.append(g)
    s = np.arange(1, 5)
    assert np.all(np.mean(runs, axis=0) <= alpha**s * gap0)


def test_svrg_minibatches_and_full_grad_oracle():
    f = _least_squares()
    r1 = svrg(f.grad_i, np.zeros(5), f.n_samples, 0.02, batch_size=10, max_epochs=5,
              rng=0)
    r2 = svrg(f.grad_i, np.zeros(5), f.n_samples, 0.02, batch_size=10, max_epochs=5,
              rng=0, full_grad=f.grad)
    np.testing.assert_allclose(r1.x, r2.x, rtol=1e-10)
    assert r1.nit == 5 * 20 and r1.n_grad_evals == 5 * (200 + 2 * 10 * 20)


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("solver", [sgd, saga, svrg])
def test_bad_inputs_common(solver):
    f = _least_squares()
    g, x0, n = f.grad_i, np.zeros(5), f.n_samples
    with pytest.raises(ValueError, match="step"):
        solver(g, x0, n, 0.0)
    with pytest.raises(TypeError, match="step"):
        solver(g, x0, n, "big")
    with pytest.raises(TypeError, match="grad_i"):
        solver(None, x0, n, 0.1)
    with pytest.raises(ValueError, match="n_samples"):
        solver(g, x0, 0, 0.1)
    with pytest.raises(TypeError, match="n_samples"):
        solver(g, x0, 10.5, 0.1)
    with pytest.raises(ValueError, match="x0"):
        solver(g, np.array([np.nan] * 5), n, 0.1)
    with pytest.raises(ValueError, match="max_epochs"):
        solver(g, x0, n, 0.1, max_epochs=-1)
    with pytest.raises(TypeError, match="rng"):
        solver(g, x0, n, 0.1, rng="zero")
    with pytest.raises(TypeError, match="callback"):
        solver(g, x0, n, 0.1, callback=3)
    with pytest.raises(TypeError, match="prox"):
        solver(g, x0, n, 0.1, prox="l1")
    with pytest.raises(ValueError, match=r"grad_i\(x, idx\) must return"):
        solver(lambda x, idx: np.zeros(3), x0, n, 0.1)


def test_bad_inputs_specific():
    f = _least_squares()
    g, x0, n = f.grad_i, np.zeros(5), f.n_samples
    with pytest.raises(ValueError, match="batch_size"):
        sgd(g, x0, n, 0.1, batch_size=n + 1)
    with pytest.raises(ValueError, match="batch_size"):
        svrg(g, x0, n, 0.1, batch_size=0)
    with pytest.raises(ValueError, match="schedule"):
        sgd(g, x0, n, 0.1, schedule="cosine")
    with pytest.raises(ValueError, match="average"):
        sgd(g, x0, n, 0.1, average="exponential")
    with pytest.raises(ValueError, match="sampling"):
        sgd(g, x0, n, 0.1, sampling="stratified")
    with pytest.raises(ValueError, match="callback_on"):
        sgd(g, x0, n, 0.1, callback_on="average")
    with pytest.raises(ValueError, match="callback_every"):
        sgd(g, x0, n, 0.1, callback_every=0)
    with pytest.raises(ValueError, match="snapshot"):
        svrg(g, x0, n, 0.1, snapshot="first")
    with pytest.raises(ValueError, match="epoch_length"):
        svrg(g, x0, n, 0.1, epoch_length=0)
    with pytest.raises(ValueError, match=r"full_grad\(x\) must return"):
        svrg(g, x0, n, 0.1, full_grad=lambda x: np.zeros(2))


def test_zero_epochs_returns_x0():
    f = _least_squares()
    for solver in (sgd, svrg):
        res = solver(f.grad_i, np.ones(5), f.n_samples, 0.1, max_epochs=0)
        np.testing.assert_array_equal(res.x, np.ones(5))
        assert res.nit == 0 and res.n_epochs == 0 and res.success


# ---------------------------------------------------------------------------
# SAGA on sparse linear models: just-in-time updates
# ---------------------------------------------------------------------------

_COMPILED = [False] + ([True] if stochastic.HAVE_NUMBA else [])


def _sparse_classification(n=300, d=90, nnz_per_row=7, seed=0):
    A, y, _ = make_sparse_classification(n, d, nnz_per_row=nnz_per_row, rng=seed)
    return A, y


@pytest.mark.parametrize("compiled", _COMPILED)
@pytest.mark.parametrize("model, lam, step", [
    ("least_squares", 0.0, 0.3),
    ("logistic", 0.0, 1.0),
    ("logistic", 0.05, 1.0),     # γλ = 0.05: the expm1 branch of the catch-up factors
    ("logistic", 0.6, 1.0),      # γλ = 0.6: the direct branch (c = 0.4)
])
def test_saga_lazy_updates_give_the_dense_iterates(model, lam, step, compiled):
    """Same seed, same samples: the just-in-time path (sparse A) and the dense path
    (the same A as a dense array, and the sparse A with lazy=False) give the same
    iterates to rounding, at every epoch (the callback sees caught-up iterates)."""
    A, y = _sparse_classification()
    d = A.shape[1]
    make = (lambda M: LeastSquares(M, y)) if model == "least_squares" else \
        (lambda M: LogisticRegression(M, y, lam=lam))
    runs = {}
    for name, M, lazy in [("lazy", A, "auto"), ("dense A", A.toarray(), "auto"),
                          ("sparse, lazy=False", A, False)]:
        f = make(M)
        seen = []
        res = saga(f.grad_i, np.zeros(d), f.n_samples, step, max_epochs=4, rng=3,
                   callback=lambda x: seen.append(x.copy()), lazy=lazy, compiled=compiled)
        runs[name] = (res, np.array(seen))
    res, seen = runs["lazy"]
    assert res.lazy and res.table == "scalar" and res.success
    scale = np.abs(seen).max()
    assert scale > 0.01                     # the iterates moved
    for name in ("dense A", "sparse, lazy=False"):
        other, other_seen = runs[name]
        assert not other.lazy
        assert (res.nit, res.n_epochs, res.n_grad_evals) == \
            (other.nit, other.n_epochs, other.n_grad_evals)
        np.testing.assert_allclose(seen, other_seen, rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(res.x, other.x, rtol=0, atol=1e-12 * scale)


@pytest.mark.parametrize("q", [1, 2, 7, 300])
@pytest.mark.parametrize("t", [0.0, 1e-9, 1e-3, 0.3, 0.6, 1.7])
def test_saga_catch_up_factors_replay_the_lagged_steps(q, t):
    """(c^q, 1 + c + ... + c^(q-1)) with c = 1 - t, against q explicit steps
    x <- c x - s, to rounding (no cancellation in 1 - c^q for small t)."""
    gamma, lam = 1.0, t
    scale, geom = stochastic._lag_factors(q, gamma, lam)
    x, s = 0.7, 0.3
    for _ in range(q):
        x = (1 - t) * x - s
    assert scale * 0.7 - geom * s == pytest.approx(x, rel=1e-12, abs=1e-15)
    exact_geom = sum((1 - t) ** i for i in range(q))
    assert geom == pytest.approx(exact_geom, rel=1e-13)


@pytest.mark.parametrize("compiled", _COMPILED)
def test_saga_lazy_float32(compiled):
    A, y = _sparse_classification()
    f32 = LogisticRegression(A.astype(np.float32), y, lam=0.01)
    f64 = LogisticRegression(A, y, lam=0.01)
    r32 = saga(f32.grad_i, np.zeros(A.shape[1], np.float32), f32.n_samples, 1.0,
               max_epochs=3, rng=0, compiled=compiled)
    r64 = saga(f64.grad_i, np.zeros(A.shape[1]), f64.n_samples, 1.0, max_epochs=3, rng=0)
    assert r32.lazy and r32.x.dtype == np.float32
    np.testing.assert_allclose(r32.x, r64.x, rtol=0, atol=1e-4 * np.abs(r64.x).max())


def test_saga_lazy_accepts_csc_and_repeated_columns_without_modifying_them():
    A, y = _sparse_classification()
    ref = saga(LogisticRegression(A, y, lam=0.01).grad_i, np.zeros(A.shape[1]), A.shape[0],
               1.0, max_epochs=2, rng=0)
    # the same matrix with each entry split into two halves stored at the same position
    coo = A.tocoo()
    rows = np.concatenate([coo.row, coo.row])
    cols = np.concatenate([coo.col, coo.col])
    vals = np.concatenate([coo.data / 2, coo.data / 2])
    dup = sp.csr_matrix((vals, (rows, cols)), shape=A.shape)
    dup.has_canonical_format = False
    dup_before = dup.data.copy()
    for M in (A.tocsc(), dup):
        res = saga(LogisticRegression(M, y, lam=0.01).grad_i, np.zeros(A.shape[1]),
                   A.shape[0], 1.0, max_epochs=2, rng=0)
        assert res.lazy
        np.testing.assert_allclose(res.x, ref.x, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(dup.data, dup_before)


def test_saga_lazy_is_not_used_with_a_prox_and_its_options_are_checked(monkeypatch):
    A, y = _sparse_classification()
    f = LogisticRegression(A, y, lam=0.01)
    x0 = np.zeros(A.shape[1])
    res = saga(f.grad_i, x0, f.n_samples, 1.0, max_epochs=1, rng=0,
               prox=lambda x, t: prox_l1(x, 1e-3 * t))
    assert not res.lazy                     # the exact dense path with an l1 prox
    with pytest.raises(ValueError, match="lazy=True"):
        saga(f.grad_i, x0, f.n_samples, 1.0, prox=lambda x, t: x, lazy=True)
    with pytest.raises(ValueError, match="lazy=True"):
        dense = LogisticRegression(A.toarray(), y)
        saga(dense.grad_i, x0, f.n_samples, 1.0, lazy=True)
    with pytest.raises(ValueError, match="lazy"):
        saga(f.grad_i, x0, f.n_samples, 1.0, lazy="yes")
    monkeypatch.setattr(stochastic, "HAVE_NUMBA", False)
    with pytest.raises(ValueError, match="numba"):
        saga(f.grad_i, x0, f.n_samples, 1.0, compiled=True)


@pytest.mark.parametrize("compiled", _COMPILED)
def test_saga_lazy_divergence_is_reported(compiled):
    A, y = _sparse_classification()
    f = LeastSquares(A, y)
    fd = LeastSquares(A.toarray(), y)
    res = saga(f.grad_i, np.zeros(A.shape[1]), f.n_samples, 400.0, max_epochs=50, rng=0,
               compiled=compiled)
    ref = saga(fd.grad_i, np.zeros(A.shape[1]), f.n_samples, 400.0, max_epochs=50, rng=0)
    assert res.lazy and not res.success and res.status == 2 and "diverged" in res.message
    assert np.all(np.isfinite(res.x))
    # the dense path also sees the overflow of coordinates outside the sampled rows, which
    # the just-in-time path computes only later: both stop during the same epoch
    assert not ref.success and res.n_epochs == ref.n_epochs == 1


def test_saga_linear_model_x0_of_the_wrong_shape_is_named():
    """The scalar-table path names x0 (as sgd and svrg do) instead of a matmul error."""
    from optbook.objectives import LeastSquares
    A = np.arange(6.0).reshape(3, 2) + np.eye(3, 2)
    f = LeastSquares(A, np.ones(3))
    for x0 in (np.asarray(0.0), np.zeros(3)):
        with pytest.raises(ValueError, match="x0 must have shape"):
            saga(f.grad_i, x0, 3, 0.01)
