"""Tests of optbook.mirror: divergences, mirror maps, solvers, implicit bias, bad input, float32."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog, minimize

import optbook
from optbook.mirror import (
    BurgEntropy,
    Euclidean,
    HyperbolicEntropy,
    MirrorMap,
    NegativeEntropy,
    QuarticKernel,
    bregman,
    bregman_proximal_gradient,
    diagonal_linear_network,
    mirror_descent,
)
from optbook.objectives import LeastSquares
from optbook.prox import proj_simplex

RNG = np.random.default_rng(0)
MAPS = [Euclidean(), NegativeEntropy(), HyperbolicEntropy(0.3), QuarticKernel(), BurgEntropy()]


def point(mirror, d=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.1, 1.0, d)
    if isinstance(mirror, NegativeEntropy):
        return x / x.sum()
    if isinstance(mirror, BurgEntropy):
        return x
    return rng.standard_normal(d)


# -- Bregman divergences --------------------------------------------------------

def test_bregman_squared_euclidean():
    x, y = RNG.standard_normal(5), RNG.standard_normal(5)
    assert bregman(lambda z: 0.5 * z @ z, lambda z: z, x, y) == pytest.approx(0.5 * np.sum((x - y) ** 2))
    assert Euclidean().divergence(x, y) == pytest.approx(0.5 * np.sum((x - y) ** 2))


def test_bregman_kl_on_simplex():
    p, q = RNG.uniform(0.1, 1, 7), RNG.uniform(0.1, 1, 7)
    p, q = p / p.sum(), q / q.sum()
    kl = np.sum(p * np.log(p / q))
    h = NegativeEntropy()
    assert bregman(h.value, h.grad, p, q) == pytest.approx(kl, rel=1e-12)
    assert h.divergence(p, q) == pytest.approx(kl, rel=1e-12)
    # 0 log 0 = 0: a vertex
    e = np.eye(7)[2]
    assert h.divergence(e, q) == pytest.approx(-np.log(q[2]))


def test_bregman_itakura_saito():
    x, y = RNG.uniform(0.5, 2, 4), RNG.uniform(0.5, 2, 4)
    h = BurgEntropy()
    assert h.divergence(x, y) == pytest.approx(np.sum(x / y - np.log(x / y) - 1))
    assert bregman(h.value, h.grad, x, y) == pytest.approx(h.divergence(x, y))


@pytest.mark.parametrize("mirror", MAPS, ids=repr)
def test_divergence_matches_definition_and_is_nonnegative(mirror):
    x, y = point(mirror, seed=1), point(mirror, seed=2)
    assert mirror.divergence(x, y) == pytest.approx(bregman(mirror.value, mirror.grad, x, y),
                                                    rel=1e-10, abs=1e-12)
    assert mirror.divergence(x, y) > 0
    assert mirror.divergence(x, x) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("mirror", MAPS, ids=repr)
def test_grad_conj_inverts_grad(mirror):
    x = point(mirror, seed=3)
    np.testing.assert_allclose(mirror.grad_conj(mirror.grad(x)), x, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("mirror", MAPS, ids=repr)
def test_three_point_identity(mirror):
    """D(x, y) + D(y, z) - D(x, z) = <grad h(z) - grad h(y), x - y> (lem-three-point)."""
    x, y, z = (point(mirror, seed=s) for s in (4, 5, 6))
    lhs = mirror.divergence(x, y) + mirror.divergence(y, z) - mirror.divergence(x, z)
    rhs = np.dot(mirror.grad(z) - mirror.grad(y), x - y)
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, 5, elements=st.floats(-1e3, 1e3)),
       st.floats(1e-3, 1e3))
def test_quartic_and_hypentropy_inverse_property(theta, beta):
    for mirror in (QuarticKernel(), HyperbolicEntropy(beta)):
        t = theta if isinstance(mirror, QuarticKernel) else np.clip(theta, -20, 20)
        np.testing.assert_allclose(mirror.grad(mirror.grad_conj(t)), t, rtol=1e-10, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, 6, elements=st.floats(-50, 50)))
def test_entropy_grad_conj_is_argmax_on_simplex(theta):
    """softmax(theta) maximizes <theta, x> - sum x log x on the simplex (Gibbs variational principle)."""
    h = NegativeEntropy()
    x = h.grad_conj(theta)
    assert np.all(x >= 0) and x.sum() == pytest.approx(1.0)
    best = theta @ x - h.value(x)
    m = theta.max()
    assert best == pytest.approx(m + np.log(np.sum(np.exp(theta - m))), rel=1e-10, abs=1e-10)


def test_pinsker_strong_convexity_of_entropy():
    h = NegativeEntropy()
    for s in range(20):
        p, q = point(h, 8, s), point(h, 8, s + 100)
        assert h.divergence(p, q) >= 0.5 * np.sum(np.abs(p - q)) ** 2


# -- mirror descent ---------------------------------------------------------------

def test_entropy_md_closed_form():
    """With a constant gradient c, x_k is proportional to x_0 exp(-k gamma c)."""
    d, K, gamma = 8, 25, 0.7
    c = RNG.standard_normal(d)
    x0 = RNG.uniform(0.1, 1, d)
    x0 /= x0.sum()
    res = mirror_descent(lambda x: c, x0, gamma, max_iter=K)
    expected = x0 * np.exp(-K * gamma * c)
    np.testing.assert_allclose(res.x, expected / expected.sum(), rtol=1e-12)
    xs = [x0 * np.exp(-k * gamma * c) for k in range(K)]
    np.testing.assert_allclose(res.x_avg, np.mean([x / x.sum() for x in xs], axis=0), rtol=1e-12)


def test_entropy_md_is_stable_for_huge_steps():
    c = np.array([0.0, 1e6, -1e6])
    res = mirror_descent(lambda x: c, np.ones(3) / 3, 1e6, max_iter=3)
    assert res.success and np.all(np.isfinite(res.x))
    np.testing.assert_allclose(res.x, [0.0, 0.0, 1.0])


def test_euclidean_md_is_subgradient_descent():
    f = LeastSquares(RNG.standard_normal((20, 5)), RNG.standard_normal(20))
    x0 = RNG.standard_normal(5)
    a = mirror_descent(f.grad, x0, 0.1, mirror="euclidean", max_iter=30)
    b = optbook.subgradient_descent(f.grad, x0, 0.1, max_iter=30)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-13)
    np.testing.assert_allclose(a.x_avg, b.x_avg, rtol=1e-13)


def test_projected_euclidean_md_on_simplex():
    c = np.array([0.3, 0.1, 0.5])
    res = mirror_descent(lambda x: c, np.ones(3) / 3, 0.5, mirror=Euclidean(proj_simplex), max_iter=20)
    np.testing.assert_allclose(res.x, [0, 1, 0], atol=1e-14)


def test_step_schedule_and_average_and_callback():
    c = np.array([1.0, 0.0])
    seen, steps = [], []

    def step(k):
        steps.append(k)
        return 1.0 / (k + 1)

    res = mirror_descent(lambda x: c, np.array([0.5, 0.5]), step, max_iter=4,
                         callback=lambda x: seen.append(x.copy()))
    assert steps == [0, 1, 2, 3] and len(seen) == 4 and res.nit == 4
    np.testing.assert_array_equal(res.x, seen[-1])
    xs = [np.array([0.5, 0.5])] + seen[:-1]
    w = 1.0 / np.arange(1, 5)
    np.testing.assert_allclose(res.x_avg, np.sum(w[:, None] * xs, axis=0) / w.sum())


def test_zero_iterations_and_callback_stop():
    x0 = np.ones(4) / 4
    res = mirror_descent(lambda x: x, x0, 1.0, max_iter=0)
    np.testing.assert_array_equal(res.x_avg, x0)
    res = mirror_descent(lambda x: x, x0, 1.0, max_iter=10, callback=lambda x: True)
    assert res.nit == 1 and res.status == 3 and res.success


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_divergence_stops_with_success_false():
    res = mirror_descent(lambda x: np.exp(np.abs(x) * 800), np.ones(2), 1.0, mirror="euclidean",
                         max_iter=10)
    assert not res.success and res.status == 2 and np.all(np.isfinite(res.x))


def test_inputs_not_modified():
    x0 = np.ones(3) / 3
    keep = x0.copy()
    mirror_descent(lambda x: np.ones(3), x0, 1.0, max_iter=3)
    bregman_proximal_gradient(lambda x: np.ones(3), x0, 1.0, "entropy", max_iter=3)
    np.testing.assert_array_equal(x0, keep)


def test_top_level_name():
    assert optbook.mirror_descent is mirror_descent


# -- Bregman proximal gradient ------------------------------------------------------

def test_bpg_euclidean_is_gradient_descent():
    f = LeastSquares(RNG.standard_normal((20, 5)), RNG.standard_normal(20))
    x0 = RNG.standard_normal(5)
    a = bregman_proximal_gradient(f.grad, x0, 1 / f.lipschitz, "euclidean", max_iter=40)
    b = optbook.gradient_descent(f.grad, x0, 1 / f.lipschitz, max_iter=40)
    np.testing.assert_allclose(a.x, b.x, rtol=1e-12)


def test_bpg_burg_poisson_converges_and_large_step_leaves_domain():
    """Poisson inverse problem with Burg's entropy: L = ||b||_1 (Bauschke-Bolte-Teboulle)."""
    rng = np.random.default_rng(1)
    A = rng.uniform(0, 1, (30, 5))
    x_true = rng.uniform(0.5, 2, 5)
    b = A @ x_true  # exact data: x_true is a minimizer
    grad = lambda x: A.T @ (1 - b / (A @ x))  # noqa: E731
    L = b.sum()
    res = bregman_proximal_gradient(grad, np.ones(5), 1 / L, BurgEntropy(), max_iter=20000,
                                    tol=1e-10)
    assert res.success and res.status == 0
    np.testing.assert_allclose(res.x, x_true, rtol=1e-5)
    bad = bregman_proximal_gradient(grad, 10 * np.ones(5), 1000 / L, BurgEntropy(), max_iter=100)
    assert not bad.success and bad.status == 2


# -- implicit bias ------------------------------------------------------------------

def test_gd_from_zero_reaches_min_norm_solution():
    """thm-min-norm: GD from 0 on underdetermined least squares -> lstsq's minimum-norm solution."""
    A, b = RNG.standard_normal((10, 30)), RNG.standard_normal(10)
    f = LeastSquares(A, b)
    res = optbook.gradient_descent(f.grad, np.zeros(30), 1 / f.lipschitz, max_iter=5000)
    np.testing.assert_allclose(res.x, np.linalg.lstsq(A, b, rcond=None)[0], atol=1e-10)


def test_md_hypentropy_reaches_min_bregman_solution():
    """thm-md-implicit-bias: MD on underdetermined least squares -> argmin D_h(x, x0) s.t. Ax = b."""
    rng = np.random.default_rng(2)
    A, b = rng.standard_normal((8, 20)), rng.standard_normal(8)
    f = LeastSquares(A, b)
    h = HyperbolicEntropy(0.5)
    res = mirror_descent(f.grad, np.zeros(20), 0.05, mirror=h, max_iter=20000)
    # independent: the dual problem min_lam beta sum cosh(A^T lam) - b^T lam (x0 = 0)
    fun = lambda lam: (0.5 * np.cosh(A.T @ lam).sum() - b @ lam,  # noqa: E731
                       A @ (0.5 * np.sinh(A.T @ lam)) - b)
    dual = minimize(fun, np.zeros(8), jac=True, method="BFGS", options={"gtol": 1e-12})
    np.testing.assert_allclose(res.x, 0.5 * np.sinh(A.T @ dual.x), atol=1e-7)


def test_diagonal_network_limits():
    rng = np.random.default_rng(0)
    n, d = 15, 40
    A = rng.standard_normal((n, d))
    w_true = np.zeros(d)
    w_true[:3] = [2.0, -1.5, 1.0]
    b = A @ w_true
    lp = linprog(np.ones(2 * d), A_eq=np.hstack([A, -A]), b_eq=b, bounds=(0, None))
    w_l1 = lp.x[:d] - lp.x[d:]
    w_l2 = np.linalg.lstsq(A, b, rcond=None)[0]
    L = np.linalg.eigvalsh(A.T @ A / n)[-1]
    small = diagonal_linear_network(A, b, 1e-3, 0.9 / (4 * L * 2.0), max_iter=20000)
    large = diagonal_linear_network(A, b, 3.0, 0.9 / (4 * L * 20.0), max_iter=5000, tol=1e-8)
    assert np.linalg.norm(small.x - w_l1) < 0.05 < np.linalg.norm(small.x - w_l2)
    assert np.linalg.norm(large.x - w_l2) < 1e-3 < np.linalg.norm(large.x - w_l1)
    np.testing.assert_allclose(large.x, large.u ** 2 - large.v ** 2)
    # sparse A gives the same iterates
    sp_res = diagonal_linear_network(sp.csr_matrix(A), b, 3.0, 0.9 / (4 * L * 20.0), max_iter=50)
    np.testing.assert_allclose(sp_res.x, diagonal_linear_network(A, b, 3.0, 0.9 / (4 * L * 20.0),
                                                                 max_iter=50).x, rtol=1e-12)


def test_diagonal_network_diverges_with_large_step():
    A, b = RNG.standard_normal((5, 10)), RNG.standard_normal(5)
    res = diagonal_linear_network(A, b, 1.0, 100.0, max_iter=200)
    assert not res.success and res.status == 2


# -- float32 ------------------------------------------------------------------------

def test_float32_is_kept():
    x0 = np.ones(4, dtype=np.float32) / 4
    c = np.arange(4, dtype=np.float32)
    for mirror in ("entropy", "euclidean", HyperbolicEntropy(1.0), QuarticKernel()):
        res = mirror_descent(lambda x: c, x0, 0.1, mirror=mirror, max_iter=5)
        assert res.x.dtype == np.float32 and res.x_avg.dtype == np.float32, mirror
    res = bregman_proximal_gradient(lambda x: c, x0, 0.1, "entropy", max_iter=5)
    assert res.x.dtype == np.float32
    A = RNG.standard_normal((5, 10)).astype(np.float32)
    res = diagonal_linear_network(A, A @ np.ones(10, dtype=np.float32), 0.5, 0.01, max_iter=5)
    assert res.x.dtype == np.float32
    res64 = mirror_descent(lambda x: c.astype(float), x0.astype(float), 0.1, max_iter=5)
    np.testing.assert_allclose(mirror_descent(lambda x: c, x0, 0.1, max_iter=5).x, res64.x, rtol=1e-5)


# -- bad input ----------------------------------------------------------------------

def test_bad_input_mirror_descent():
    x0 = np.ones(3) / 3
    g = lambda x: x  # noqa: E731
    with pytest.raises(TypeError, match="grad"):
        mirror_descent(None, x0, 1.0)
    with pytest.raises(ValueError, match="step"):
        mirror_descent(g, x0, -1.0)
    with pytest.raises(TypeError, match="step"):
        mirror_descent(g, x0, "big")
    with pytest.raises(ValueError, match="step"):
        mirror_descent(g, x0, lambda k: 0.0, max_iter=2)
    with pytest.raises(ValueError, match="mirror"):
        mirror_descent(g, x0, 1.0, mirror="kl")
    with pytest.raises(TypeError, match="mirror"):
        mirror_descent(g, x0, 1.0, mirror=3)
    with pytest.raises(ValueError, match="x0"):
        mirror_descent(g, np.array([0.5, 0.6]), 1.0)
    with pytest.raises(ValueError, match="x0"):
        mirror_descent(g, np.array([1.5, -0.5]), 1.0)
    with pytest.raises(ValueError, match="x0"):
        mirror_descent(g, np.array([np.nan, 1.0]), 1.0, mirror="euclidean")
    with pytest.raises(ValueError, match="grad"):
        mirror_descent(lambda x: np.ones(5), x0, 1.0)
    with pytest.raises(ValueError, match="max_iter"):
        mirror_descent(g, x0, 1.0, max_iter=-1)
    with pytest.raises(TypeError, match="callback"):
        mirror_descent(g, x0, 1.0, callback=1)


def test_bad_input_bregman_and_maps():
    with pytest.raises(TypeError, match="h"):
        bregman(1, lambda x: x, np.zeros(2), np.zeros(2))
    with pytest.raises(TypeError, match="grad_h"):
        bregman(lambda x: 0.0, None, np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="same shape"):
        bregman(lambda x: 0.0, lambda x: x, np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="grad_h"):
        bregman(lambda x: 0.0, lambda x: np.zeros(4), np.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="x"):
        bregman(lambda x: 0.0, lambda x: x, [np.inf, 0], np.zeros(2))
    with pytest.raises(ValueError, match="beta"):
        HyperbolicEntropy(0.0)
    with pytest.raises(TypeError, match="proj"):
        Euclidean(proj=3)
    with pytest.raises(NotImplementedError):
        MirrorMap().grad(np.zeros(2))


def test_bad_input_bpg_and_network():
    A, b = np.ones((3, 4)), np.ones(3)
    with pytest.raises(TypeError, match="grad"):
        bregman_proximal_gradient(3, np.ones(2), 1.0, "euclidean")
    with pytest.raises(ValueError, match="x0"):
        bregman_proximal_gradient(lambda x: x, -np.ones(2), 1.0, BurgEntropy())
    with pytest.raises(ValueError, match="tol"):
        bregman_proximal_gradient(lambda x: x, np.ones(2), 1.0, "euclidean", tol=-1.0)
    with pytest.raises(ValueError, match="step"):
        bregman_proximal_gradient(lambda x: x, np.ones(2), 0.0, "euclidean")
    with pytest.raises(ValueError, match="b"):
        diagonal_linear_network(A, np.ones(4), 1.0, 0.1)
    with pytest.raises(ValueError, match="init_scale"):
        diagonal_linear_network(A, b, 0.0, 0.1)
    with pytest.raises(ValueError, match="step"):
        diagonal_linear_network(A, b, 1.0, -0.1)
    with pytest.raises(ValueError, match="A"):
        diagonal_linear_network(np.ones(3), b, 1.0, 0.1)
    with pytest.raises(ValueError, match="A"):
        diagonal_linear_network(np.full((3, 4), np.nan), b, 1.0, 0.1)
