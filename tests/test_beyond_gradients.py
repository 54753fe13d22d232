"""Tests of optbook.beyond_gradients: reference solutions, options, sparse input, bad input."""

import functools

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import lsq_linear
from scipy.sparse.linalg import aslinearoperator

import optbook
from optbook.beyond_gradients import (
    admm,
    chambolle_pock,
    douglas_rachford,
    extragradient,
    frank_wolfe,
    gradient_descent_ascent,
    optimistic_gradient,
    spectral_norm,
)
from optbook.lmo import l1_ball, nuclear_ball, simplex
from optbook.objectives import LeastSquares
from optbook.prox import proj_simplex, prox_l1


def test_top_level_names():
    for name in ["frank_wolfe", "extragradient", "optimistic_gradient",
                 "gradient_descent_ascent", "chambolle_pock"]:
        assert getattr(optbook, name) is getattr(optbook.beyond_gradients, name)


def simplex_qp(d=8, seed=0):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((d, d))
    Q = M @ M.T / d + 0.1 * np.eye(d)
    c = rng.standard_normal(d)
    f = lambda x: 0.5 * x @ Q @ x - c @ x  # noqa: E731
    grad = lambda x: Q @ x - c  # noqa: E731
    # reference: projected gradient to high accuracy
    x = np.ones(d) / d
    step = 1 / np.linalg.eigvalsh(Q)[-1]
    for _ in range(20000):
        x = proj_simplex(x - step * grad(x))
    return f, grad, x


def test_frank_wolfe_line_search_beats_open_loop_and_matches_reference():
    f, grad, x_ref = simplex_qp()
    x0 = np.eye(8)[0]
    ol = frank_wolfe(grad, simplex, x0, max_iter=500)
    ls = frank_wolfe(grad, simplex, x0, step="line-search", f=f, max_iter=500)
    lq = frank_wolfe(grad, simplex, x0, step="line-search", quadratic=True, max_iter=500)
    assert f(ls.x) <= f(ol.x) + 1e-12
    np.testing.assert_allclose(ls.x, lq.x, atol=1e-6)
    assert f(lq.x) - f(x_ref) < 1e-4 and f(ol.x) - f(x_ref) < 1e-2
    assert lq.gap >= f(lq.x) - f(x_ref) - 1e-12 and ol.gap >= f(ol.x) - f(x_ref) - 1e-12
    assert len(ol.gaps) == 501 and ol.gaps[-1] == ol.gap


def test_frank_wolfe_steps_float_callable_tol():
    f, grad, _ = simplex_qp()
    x0 = np.eye(8)[0]
    a = frank_wolfe(grad, simplex, x0, step=lambda k: 2 / (k + 2), max_iter=50)
    b = frank_wolfe(grad, simplex, x0, max_iter=50)
    np.testing.assert_array_equal(a.x, b.x)
    c = frank_wolfe(grad, simplex, x0, step=0.1, max_iter=50)
    assert np.isclose(c.x.sum(), 1.0)
    d = frank_wolfe(grad, simplex, x0, step="line-search", quadratic=True, tol=1e-6,
                    max_iter=10000)
    assert d.status == 0 and d.success and d.gap <= 1e-6
    e = frank_wolfe(grad, simplex, x0, tol=1e-12, max_iter=5)
    assert e.status == 1 and not e.success


def test_frank_wolfe_lasso_constrained_against_projected_gradient():
    rng = np.random.default_rng(0)
    A, b = rng.standard_normal((50, 20)), rng.standard_normal(50)
    f = LeastSquares(A, b)
    r = 0.5
    lmo = functools.partial(l1_ball, radius=r)
    res = frank_wolfe(f.grad, lmo, np.zeros(20), step="line-search", quadratic=True,
                      max_iter=5000)
    ref = optbook.proximal_gradient(f.grad, lambda v, t: optbook.prox.proj_l1_ball(v, r),
                                    np.zeros(20), 1 / f.lipschitz, max_iter=5000)
    assert abs(f.value(res.x) - f.value(ref.x)) < 1e-4
    assert f.value(res.x) - f.value(ref.x) <= res.gap + 1e-12
    assert np.abs(res.x).sum() <= r + 1e-12


def test_frank_wolfe_matrix_and_sparse_gradient():
    """Matrix completion: sparse gradient on the observed entries, nuclear-norm ball."""
    rng = np.random.default_rng(0)
    m, n = 30, 20
    M = rng.standard_normal((m, 2)) @ rng.standard_normal((2, n))
    mask = rng.random((m, n)) < 0.5
    rows, cols = np.nonzero(mask)

    def grad(X):
        return sp.csr_matrix(((X - M)[rows, cols], (rows, cols)), shape=(m, n))

    radius = np.linalg.svd(M, compute_uv=False).sum()
    res = frank_wolfe(grad, functools.partial(nuclear_ball, radius=radius), np.zeros((m, n)),
                      step="line-search", quadratic=True, max_iter=300)
    assert res.x.shape == (m, n)
    assert np.linalg.svd(res.x, compute_uv=False).sum() <= radius * (1 + 1e-9)
    rel = np.linalg.norm((res.x - M)[mask]) / np.linalg.norm(M[mask])
    assert rel < 0.05


def test_frank_wolfe_float32_and_no_modification():
    x0 = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    c = np.array([0.2, 0.3, 0.5], dtype=np.float32)
    res = frank_wolfe(lambda x: x - c, simplex, x0, max_iter=10)
    assert res.x.dtype == np.float32
    assert x0[0] == 1.0 and x0[1] == 0.0


def test_frank_wolfe_diverging_run_reported():
    with np.errstate(invalid="ignore"):
        res = frank_wolfe(lambda x: x, lambda g: np.full_like(g, np.inf),
                          np.array([1.0, 0.0]), max_iter=5)
    assert not res.success and res.status == 2 and np.all(np.isfinite(res.x))


def rotation(z):
    return np.array([z[1], -z[0]])


def test_games_bilinear_behaviour():
    z0 = np.array([1.0, 0.0])
    gda = gradient_descent_ascent(rotation, z0, 0.1, max_iter=100)
    eg = extragradient(rotation, z0, 0.5, max_iter=100)
    og = optimistic_gradient(rotation, z0, 0.3, max_iter=300)
    assert np.linalg.norm(gda.x) > 1.5
    assert np.linalg.norm(eg.x) < 1e-3 and np.linalg.norm(og.x) < 1e-3
    assert np.linalg.norm(eg.z_avg) < 0.05 and np.linalg.norm(og.z_avg) < 0.05


def test_optimistic_first_step_is_plain():
    z0 = np.array([1.0, 2.0])
    a = optimistic_gradient(rotation, z0, 0.1, max_iter=1)
    b = gradient_descent_ascent(rotation, z0, 0.1, max_iter=1)
    np.testing.assert_array_equal(a.x, b.x)
    two = optimistic_gradient(rotation, z0, 0.1, max_iter=2).x
    z1 = b.x
    np.testing.assert_allclose(two, z1 - 0.1 * (2 * rotation(z1) - rotation(z0)))


def test_projected_games_on_simplices():
    """Matching pennies on simplices: the value is 0 and the equilibrium uniform."""
    P = np.array([[1.0, -1.0], [-1.0, 1.0]])

    def F(z):
        return np.concatenate([P @ z[2:], -P.T @ z[:2]])

    def proj(z):
        return np.concatenate([proj_simplex(z[:2]), proj_simplex(z[2:])])

    z0 = np.array([0.9, 0.1, 0.2, 0.8])
    for solver in (extragradient, optimistic_gradient):
        res = solver(F, z0, 0.2, proj=proj, max_iter=2000)
        np.testing.assert_allclose(res.x, 0.5, atol=1e-6)


def test_gda_diverging_stops():
    with np.errstate(over="ignore", invalid="ignore"):
        res = gradient_descent_ascent(rotation, [1.0, 0.0], 1e3, max_iter=200)
    assert res.status == 2 and not res.success and np.all(np.isfinite(res.x))


def tv_problem(d=80, lam=0.4):
    rng = np.random.default_rng(0)
    b = np.repeat([0.0, 1.5, -0.5, 1.0], d // 4) + 0.2 * rng.standard_normal(d)
    D = sp.diags([-np.ones(d - 1), np.ones(d - 1)], [0, 1], shape=(d - 1, d), format="csr")
    y_star = lsq_linear(D.T.toarray(), b, bounds=(-lam, lam), tol=1e-15,
                        lsmr_tol="auto").x
    return b, D, lam, b - D.T @ y_star


def test_chambolle_pock_tv_against_dual_lsq():
    b, D, lam, x_star = tv_problem()
    tau = sigma = 0.99 / spectral_norm(D)
    prox_f = lambda v, t: (v + t * b) / (1 + t)  # noqa: E731
    proj = lambda v, t: np.clip(v, -lam, lam)  # noqa: E731
    res = chambolle_pock(D, prox_f, proj, np.zeros(80), np.zeros(79), tau, sigma, max_iter=5000)
    np.testing.assert_allclose(res.x, x_star, atol=1e-6)
    assert res.y.shape == (79,) and res.x_avg.shape == (80,)
    # LinearOperator K gives the same iterates
    res2 = chambolle_pock(aslinearoperator(D), prox_f, proj, np.zeros(80), np.zeros(79), tau,
                          sigma, max_iter=50)
    res3 = chambolle_pock(D.toarray(), prox_f, proj, np.zeros(80), np.zeros(79), tau, sigma,
                          max_iter=50)
    np.testing.assert_allclose(res2.x, res3.x, atol=1e-12)
    # tol on the fixed-point residual
    res4 = chambolle_pock(D, prox_f, proj, np.zeros(80), np.zeros(79), tau, sigma,
                          max_iter=100000, tol=1e-8)
    assert res4.status == 0 and res4.nit < 100000


def test_douglas_rachford_and_admm_tv():
    b, D, lam, x_star = tv_problem()
    d = 80
    rho = 1.0
    lhs = (sp.eye(d) + rho * D.T @ D).tocsc()
    from scipy.sparse.linalg import factorized
    solve = factorized(lhs)
    res = admm(lambda v, r: solve(b + r * (D.T @ v)), lambda v, t: prox_l1(v, lam * t),
               np.zeros(d), rho, K=D, max_iter=3000)
    np.testing.assert_allclose(res.x, x_star, atol=1e-6)
    assert res.y.shape == (79,)
    assert np.max(np.abs(res.y)) <= lam + 1e-6


def test_douglas_rachford_lasso_against_fista():
    rng = np.random.default_rng(1)
    A, b = rng.standard_normal((40, 15)), rng.standard_normal(40)
    f, lam = LeastSquares(A, b), 0.1
    H = A.T @ A / 40
    Atb = A.T @ b / 40

    def prox_f(v, t):
        return np.linalg.solve(np.eye(15) + t * H, v + t * Atb)

    dr = douglas_rachford(prox_f, lambda v, t: prox_l1(v, lam * t), np.zeros(15), 1.0,
                          max_iter=2000, tol=1e-12)
    fi = optbook.fista(f.grad, lambda v, t: prox_l1(v, lam * t), np.zeros(15),
                       1 / f.lipschitz, max_iter=5000)
    np.testing.assert_allclose(dr.x, fi.x, atol=1e-7)
    assert dr.status == 0


def test_spectral_norm_sparse_dense_operator():
    A = sp.random(60, 40, density=0.1, random_state=0, format="csr")
    ref = np.linalg.norm(A.toarray(), 2)
    assert spectral_norm(A) == pytest.approx(ref, rel=1e-10)
    assert spectral_norm(A.toarray()) == pytest.approx(ref, rel=1e-10)
    assert spectral_norm(aslinearoperator(A)) == pytest.approx(ref, rel=1e-10)


def px(v, t):
    return v


@pytest.mark.parametrize("call, exc", [
    (lambda: frank_wolfe(1.0, simplex, [1.0, 0.0]), TypeError),
    (lambda: frank_wolfe(lambda x: x, None, [1.0, 0.0]), TypeError),
    (lambda: frank_wolfe(lambda x: x, simplex, [np.nan, 0.0]), ValueError),
    (lambda: frank_wolfe(lambda x: x, simplex, []), ValueError),
    (lambda: frank_wolfe(lambda x: x, simplex, [1.0, 0.0], step="armijo"), ValueError),
    (lambda: frank_wolfe(lambda x: x, simplex, [1.0, 0.0], step="line-search"), ValueError),
    (lambda: frank_wolfe(lambda x: x, simplex, [1.0, 0.0], step=1.5), ValueError),
    (lambda: frank_wolfe(lambda x: x, simplex, [1.0, 0.0], step=0.0), ValueError),
    (lambda: frank_wolfe(lambda x: x, simplex, [1.0, 0.0], step=lambda k: 2.0), ValueError),
    (lambda: frank_wolfe(lambda x: x, simplex, [1.0, 0.0], max_iter=-1), ValueError),
    (lambda: frank_wolfe(lambda x: x, simplex, [1.0, 0.0], tol=-1.0), ValueError),
    (lambda: frank_wolfe(lambda x: x, simplex, [1.0, 0.0], callback=3), TypeError),
    (lambda: frank_wolfe(lambda x: x, simplex, [1.0, 0.0], quadratic="yes"), TypeError),
    (lambda: frank_wolfe(lambda x: x[:1], simplex, [1.0, 0.0]), ValueError),
    (lambda: frank_wolfe(lambda x: x, lambda g: g[:1], [1.0, 0.0]), ValueError),
    (lambda: gradient_descent_ascent(rotation, [1.0, 0.0], 0.0), ValueError),
    (lambda: gradient_descent_ascent(rotation, [1.0, 0.0], "big"), TypeError),
    (lambda: gradient_descent_ascent(None, [1.0, 0.0], 0.1), TypeError),
    (lambda: extragradient(rotation, [1.0, np.inf], 0.1), ValueError),
    (lambda: extragradient(rotation, [1.0, 0.0], -0.1), ValueError),
    (lambda: extragradient(rotation, [1.0, 0.0], 0.1, proj=2), TypeError),
    (lambda: extragradient(lambda z: z[:1], [1.0, 0.0], 0.1), ValueError),
    (lambda: optimistic_gradient(rotation, [1.0, 0.0], 0.1, max_iter=1.5), TypeError),
    (lambda: optimistic_gradient(rotation, [1.0, 0.0], 0.1, proj=lambda z: z[:1]), ValueError),
    (lambda: chambolle_pock(np.eye(2), px, px, [0, 0], [0, 0], 1.0, 1.1), ValueError),
    (lambda: chambolle_pock(np.eye(2), px, px, [0, 0], [0, 0, 0], 1.0, 1.0), ValueError),
    (lambda: chambolle_pock(np.eye(2), px, px, [0, 0, 0], [0, 0], 1.0, 1.0), ValueError),
    (lambda: chambolle_pock(np.eye(2), px, px, [0, 0], [0, 0], 0.0, 1.0), ValueError),
    (lambda: chambolle_pock(np.eye(2), px, px, [0, 0], [0, 0], 1.0, 1.0, theta=2.0), ValueError),
    (lambda: chambolle_pock(np.eye(2), None, px, [0, 0], [0, 0], 1.0, 1.0), TypeError),
    (lambda: chambolle_pock(np.ones(2), px, px, [0, 0], [0, 0], 1.0, 1.0), ValueError),
    (lambda: chambolle_pock(np.full((2, 2), np.nan), px, px, [0, 0], [0, 0], 1.0, 1.0),
     ValueError),
    (lambda: chambolle_pock(sp.eye(2, format="csr") * 2.0, px, px, [0, 0], [0, 0], 0.5, 1.0),
     ValueError),
    (lambda: chambolle_pock(np.eye(2), lambda v, t: v[:1], px, [0, 0], [0, 0], 1.0, 1.0),
     ValueError),
    (lambda: douglas_rachford(px, px, [0.0], 0.0), ValueError),
    (lambda: douglas_rachford(px, "g", [0.0], 1.0), TypeError),
    (lambda: douglas_rachford(px, px, [np.nan], 1.0), ValueError),
    (lambda: admm(px, px, [0.0, 0.0], 0.0), ValueError),
    (lambda: admm(px, px, [0.0, 0.0], 1.0, K=np.eye(3)), ValueError),
    (lambda: admm(lambda v, r: v[:1], px, [0.0, 0.0], 1.0), ValueError),
    (lambda: spectral_norm(np.ones(3)), ValueError),
])
def test_bad_input(call, exc):
    with pytest.raises(exc):
        call()


def test_inputs_not_modified():
    z0 = np.array([1.0, 0.5])
    for solver in (gradient_descent_ascent, extragradient, optimistic_gradient):
        solver(rotation, z0, 0.1, max_iter=5)
    x0, y0 = np.array([1.0, 2.0]), np.array([0.5, 0.5])
    chambolle_pock(np.eye(2), px, lambda v, t: np.clip(v, -1, 1), x0, y0, 1.0, 1.0, max_iter=3)
    douglas_rachford(px, px, x0, 1.0, max_iter=3)
    np.testing.assert_array_equal(z0, [1.0, 0.5])
    np.testing.assert_array_equal(x0, [1.0, 2.0])
    np.testing.assert_array_equal(y0, [0.5, 0.5])


def test_float32_kept():
    z0 = np.array([1.0, 0.0], dtype=np.float32)
    for solver in (gradient_descent_ascent, extragradient, optimistic_gradient):
        assert solver(rotation, z0, 0.1, max_iter=3).x.dtype == np.float32
    K = np.eye(2, dtype=np.float32)
    res = chambolle_pock(K, px, px, z0, z0, 1.0, 1.0, max_iter=2)
    assert res.x.dtype == np.float32


def test_frank_wolfe_passes_sparse_gradient_to_lmo():
    seen = []

    def lmo(g):
        seen.append(sp.issparse(g))
        return nuclear_ball(g, 1.0)

    G = sp.random(20, 10, density=0.2, random_state=0, format="csr")
    frank_wolfe(lambda X: G, lmo, np.zeros((20, 10)), max_iter=3)
    assert seen and all(seen)
