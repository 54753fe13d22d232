"""Tests of optbook.implicit and of the nonsmooth autodiff op ``sign``."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import Lasso, Ridge

import optbook.autodiff as ad
from optbook.datasets import make_correlated_regression
from optbook.implicit import (hypergradient, implicit_vjp, lasso_fixed_point,
                              lasso_hypergradient, ridge_hypergradient, soft_threshold,
                              unrolled_jacobian, unrolled_vjp)


def ridge_problem(seed=0, n=80, d=15, lam=0.05):
    A, b, _ = make_correlated_regression(n, d, condition_number=40.0, rng=seed)
    H = A.T @ A / n + lam * np.eye(d)
    x = np.linalg.solve(H, A.T @ b / n)

    def F(x, th):
        return A.T @ (A @ x - b) / n + th[0] * x

    return A, b, lam, H, x, F


def lasso_split(seed=0):
    A, b, _ = make_correlated_regression(200, 40, n_nonzero=6, noise=1.0, rng=seed)
    return A[:100], b[:100], A[100:], b[100:]


# --------------------------------------------------------------------------
# sign, and the soft-thresholding program built from it
# --------------------------------------------------------------------------

def test_sign_values_and_derivative_zero():
    x = np.array([-2.0, -0.5, 0.0, 0.3, 4.0])
    np.testing.assert_array_equal(ad.sign(x), np.sign(x))
    np.testing.assert_array_equal(ad.grad(lambda z: ad.sum(ad.sign(z) * z))(x), np.sign(x))
    # derivative 0 everywhere, including the jump at 0, in both modes
    np.testing.assert_array_equal(ad.jacobian(ad.sign, x), np.zeros((5, 5)))
    np.testing.assert_array_equal(ad.jacobian(ad.sign, x, mode="forward"), np.zeros((5, 5)))
    # finite differences away from 0
    h = 1e-6
    fd = (np.sign(x + h) - np.sign(x - h)) / (2 * h)
    np.testing.assert_array_equal(fd[x != 0], 0.0)


def test_sign_times_abs_is_identity_with_derivative_sign_squared():
    x = np.array([-1.5, 0.0, 2.0])
    g = ad.grad(lambda z: ad.sum(ad.sign(z) * ad.abs(z)))(x)
    np.testing.assert_array_equal(g, [1.0, 0.0, 1.0])  # abs'(0) = sign(0) = 0


def test_sign_numpy_call_is_refused_with_hint():
    with pytest.raises(TypeError, match="optbook.autodiff.sign"):
        ad.grad(lambda z: np.sum(np.sign(z) * z))(np.ones(2))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_soft_threshold_matches_prox_and_finite_differences(seed):
    from optbook.prox import prox_l1

    rng = np.random.default_rng(seed)
    z, t = rng.standard_normal(30), 0.4
    np.testing.assert_allclose(soft_threshold(z, t), prox_l1(z, t), rtol=0, atol=1e-15)
    away = np.abs(np.abs(z) - t) > 1e-3
    J = ad.jacobian(lambda u: soft_threshold(u, t), z)
    h = 1e-7
    fd = np.array([(prox_l1(z + h * e, t) - prox_l1(z - h * e, t)) / (2 * h)
                   for e in np.eye(30)]).T
    np.testing.assert_allclose(J[np.ix_(away, away)], fd[np.ix_(away, away)], atol=1e-7)
    gt = ad.grad(lambda s: ad.sum(soft_threshold(z, s)))(t)
    fdt = (prox_l1(z, t + h).sum() - prox_l1(z, t - h).sum()) / (2 * h)
    assert abs(gt - fdt) < 1e-6


def test_soft_threshold_conservative_jacobian_at_kinks():
    # |z| = t exactly: the program returns the derivative of the zero branch
    z = np.array([0.5, -0.5, 0.0, 1.0])
    J = ad.jacobian(lambda u: soft_threshold(u, 0.5), z)
    np.testing.assert_array_equal(np.diag(J), [0.0, 0.0, 0.0, 1.0])
    # both one-sided derivatives (0 and 1) bracket it: it is in the Clarke set [0, 1]
    from optbook.prox import prox_l1
    h = 1e-7
    right = (prox_l1(z + h, 0.5) - prox_l1(z, 0.5)) / h
    left = (prox_l1(z, 0.5) - prox_l1(z - h, 0.5)) / h
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    assert np.all(lo - 1e-6 <= np.diag(J)) and np.all(np.diag(J) <= hi + 1e-6)
    gt = ad.grad(lambda s: ad.sum(soft_threshold(z, s)))(0.5)
    assert gt == -1.0  # only the z = 1 entry is active


# --------------------------------------------------------------------------
# implicit_vjp
# --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_implicit_vjp_ridge_closed_form_exact(seed):
    """dx*/dlam = -(A^T A/n + lam I)^{-1} x*, to rounding on a dense problem."""
    A, b, lam, H, x, F = ridge_problem(seed)
    J_star = -np.linalg.solve(H, x)
    for v in np.eye(x.size):
        g = implicit_vjp(F, x, np.array([lam]), v, solver="dense")
        assert g.shape == (1,)
        assert abs(g[0] - v @ J_star) <= 1e-12 * np.linalg.norm(J_star)


@pytest.mark.parametrize("solver", ["cg", "gmres", "auto"])
def test_iterative_solvers_agree_with_dense(solver):
    A, b, lam, H, x, F = ridge_problem(3)
    v = np.random.default_rng(0).standard_normal(x.size)
    dense = implicit_vjp(F, x, np.array([lam]), v, solver="dense")
    other = implicit_vjp(F, x, np.array([lam]), v, solver=solver, tol=1e-12)
    np.testing.assert_allclose(other, dense, rtol=1e-9)


def test_implicit_vjp_several_hyperparameters_and_nonsymmetric():
    """A fixed-point map with two hyperparameters and a nonsymmetric Jacobian."""
    rng = np.random.default_rng(0)
    d = 6
    W = 0.3 * rng.standard_normal((d, d)) / np.sqrt(d)
    c = rng.standard_normal(d)

    def F(x, th):  # x = tanh(W x + th[0] c) * th[1]
        return x - th[1] * ad.tanh(W @ x + th[0] * c)

    th = np.array([0.7, 0.9])
    x = np.zeros(d)
    for _ in range(200):
        x = th[1] * np.tanh(W @ x + th[0] * c)
    v = rng.standard_normal(d)
    dense = implicit_vjp(F, x, th, v)
    gm = implicit_vjp(F, x, th, v, solver="gmres", tol=1e-13)
    np.testing.assert_allclose(gm, dense, rtol=1e-9)

    def solve(t):
        y = np.zeros(d)
        for _ in range(400):
            y = t[1] * np.tanh(W @ y + t[0] * c)
        return y

    h = 1e-6
    fd = [(v @ solve(th + h * e) - v @ solve(th - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(dense, fd, rtol=1e-7, atol=1e-9)


def test_implicit_vjp_does_not_modify_inputs():
    A, b, lam, H, x, F = ridge_problem(0)
    th, v = np.array([lam]), np.ones(x.size)
    copies = x.copy(), th.copy(), v.copy()
    implicit_vjp(F, x, th, v)
    for a, c in zip((x, th, v), copies):
        np.testing.assert_array_equal(a, c)


def test_implicit_vjp_singular_jacobian_raises():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((30, 2))
    A = np.column_stack([a, a[:, 0]])  # duplicate column: singular Gram matrix

    def F(x, th):
        return A.T @ (A @ x) / 30 + th[0] * 0.0 * x

    with pytest.raises(ValueError, match="singular"):
        implicit_vjp(F, np.zeros(3), np.array([1.0]), np.ones(3))


def test_cg_failure_is_reported():
    # an indefinite symmetric system on which CG cannot converge in 1 iteration
    M = np.diag([1.0, -1.0, 2.0, -3.0])
    F = lambda x, th: M @ x - th[0] * np.ones(4)
    with pytest.raises(RuntimeError, match="cg did not reach"):
        implicit_vjp(F, np.linalg.solve(M, np.ones(4)), np.array([1.0]),
                     np.arange(1.0, 5.0), solver="cg", max_iter=1)


# --------------------------------------------------------------------------
# hypergradients
# --------------------------------------------------------------------------

def test_ridge_hypergradient_matches_sklearn_and_finite_differences():
    A, b, Av, bv = lasso_split(1)
    lam = 0.3
    val, g, x = ridge_hypergradient(A, b, lam, Av, bv)
    ref = Ridge(alpha=lam * A.shape[0], fit_intercept=False).fit(A, b).coef_
    np.testing.assert_allclose(x, ref, rtol=1e-10, atol=1e-12)
    h = 1e-6
    fd = (ridge_hypergradient(A, b, lam + h, Av, bv)[0]
          - ridge_hypergradient(A, b, lam - h, Av, bv)[0]) / (2 * h)
    assert abs(g - fd) < 1e-7 * max(1.0, abs(fd))
    # sparse input gives the same numbers
    val_s, g_s, _ = ridge_hypergradient(sp.csr_matrix(A), b, lam, sp.csr_matrix(Av), bv)
    assert abs(val_s - val) < 1e-12 and abs(g_s - g) < 1e-12


def test_generic_hypergradient_equals_ridge_helper():
    A, b, Av, bv = lasso_split(2)
    n, d = A.shape

    def inner(th):
        return np.linalg.solve(A.T @ A / n + th[0] * np.eye(d), A.T @ b / n)

    F = lambda x, th: A.T @ (A @ x - b) / n + th[0] * x
    outer = lambda x: Av.T @ (Av @ x - bv) / bv.size
    g = hypergradient(inner, F, outer, np.array([0.2]))
    assert g.shape == (1,)
    assert abs(g[0] - ridge_hypergradient(A, b, 0.2, Av, bv)[1]) < 1e-12


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lasso_hypergradient_finite_differences_away_from_kinks(seed):
    A, b, Av, bv = lasso_split(seed)
    lam_max = np.max(np.abs(A.T @ b)) / A.shape[0]
    lam = 0.1 * lam_max
    val, g, x = lasso_hypergradient(A, b, lam, Av, bv)
    ref = Lasso(alpha=lam, fit_intercept=False, tol=1e-14, max_iter=100000).fit(A, b).coef_
    np.testing.assert_allclose(x, ref, atol=1e-8)
    # away from kinks: the support is the same at lam +- h
    h = 1e-7 * lam
    xs_p = lasso_hypergradient(A, b, lam + h, Av, bv)[2]
    xs_m = lasso_hypergradient(A, b, lam - h, Av, bv)[2]
    assert np.array_equal(xs_p != 0, x != 0) and np.array_equal(xs_m != 0, x != 0)
    fd = (lasso_hypergradient(A, b, lam + h, Av, bv)[0]
          - lasso_hypergradient(A, b, lam - h, Av, bv)[0]) / (2 * h)
    assert abs(g - fd) < 1e-5 * max(1.0, abs(fd))
    # the nonsmooth implicit route (proximal fixed point) gives the same number
    L = np.linalg.eigvalsh(A.T @ A / A.shape[0]).max()
    F = lasso_fixed_point(A, b, 1.0 / L)
    assert np.max(np.abs(F(x, np.array([lam])))) < 1e-10
    vg = Av.T @ (Av @ x - bv) / bv.size
    for solver in ["dense", "gmres"]:
        gi = implicit_vjp(F, x, np.array([lam]), vg, solver=solver, tol=1e-13)
        assert abs(gi[0] - g) < 1e-8 * max(1.0, abs(g))


def test_lasso_jacobian_at_lambda_max_is_one_sided():
    """At lam_max the solution map has a kink: the autodiff conservative Jacobian
    of the fixed point returns the right derivative 0; the left one is not 0."""
    A, b, Av, bv = lasso_split(0)
    n, d = A.shape
    c = A.T @ b / n
    lam_max = np.max(np.abs(c))
    L = np.linalg.eigvalsh(A.T @ A / n).max()
    F = lasso_fixed_point(A, b, 1.0 / L)
    x0 = np.zeros(d)
    J = np.array([implicit_vjp(F, x0, np.array([lam_max]), e)[0] for e in np.eye(d)])
    np.testing.assert_array_equal(J, 0.0)
    j = np.argmax(np.abs(c))
    left = -np.sign(c[j]) / (A[:, j] @ A[:, j] / n)  # dx_j/dlam just below lam_max
    x_left = lasso_hypergradient(A, b, lam_max * (1 - 1e-6), Av, bv)[2]
    assert np.flatnonzero(x_left).tolist() == [j]
    assert abs(x_left[j] / (-1e-6 * lam_max) - left) < 1e-6 * abs(left)


def test_lasso_hypergradient_empty_support_and_given_solution():
    A, b, Av, bv = lasso_split(0)
    lam_max = np.max(np.abs(A.T @ b)) / A.shape[0]
    val, g, x = lasso_hypergradient(A, b, 2 * lam_max, Av, bv)
    assert g == 0.0 and not np.any(x)
    _, g1, x1 = lasso_hypergradient(A, b, 0.2 * lam_max, Av, bv)
    _, g2, _ = lasso_hypergradient(A, b, 0.2 * lam_max, Av, bv, x_star=x1)
    assert g1 == g2


# --------------------------------------------------------------------------
# unrolled differentiation
# --------------------------------------------------------------------------

def test_unrolled_vjp_matches_recursion_and_modes():
    A, b, lam, H, x_star, F = ridge_problem(0)
    n, d = A.shape
    gamma = 1.0 / np.linalg.eigvalsh(H).max()
    upd = lambda x, th: x - gamma * (A.T @ (A @ x - b) / n + th[0] * x)
    v = np.random.default_rng(0).standard_normal(d)
    x, J = np.zeros(d), np.zeros(d)
    for K in range(1, 31):
        J = J - gamma * (H @ J) - gamma * x  # d/dlam of the gradient step
        x = x - gamma * (H @ x - A.T @ b / n)
    xK, g = unrolled_vjp(upd, np.zeros(d), np.array([lam]), v, 30)
    xF, gF = unrolled_vjp(upd, np.zeros(d), np.array([lam]), v, 30, mode="forward")
    np.testing.assert_allclose(xK, x, rtol=1e-12)
    np.testing.assert_allclose(xF, x, rtol=1e-12)
    assert abs(g[0] - v @ J) < 1e-11 * np.linalg.norm(J) * np.linalg.norm(v)
    assert abs(gF[0] - g[0]) < 1e-11 * abs(g[0])
    xJ, JK = unrolled_jacobian(upd, np.zeros(d), np.array([lam]), 30)
    assert JK.shape == (d, 1)
    np.testing.assert_allclose(JK[:, 0], J, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(xJ, x, rtol=1e-12)
    x0, g0 = unrolled_vjp(upd, np.ones(d), np.array([lam]), v, 0)
    np.testing.assert_array_equal(x0, np.ones(d))
    np.testing.assert_array_equal(g0, [0.0])


def test_unrolled_ista_converges_to_implicit_lasso_derivative():
    A, b, Av, bv = lasso_split(0)
    n, d = A.shape
    lam = 0.1 * np.max(np.abs(A.T @ b)) / n
    _, g, x = lasso_hypergradient(A, b, lam, Av, bv)
    vg = Av.T @ (Av @ x - bv) / bv.size
    gamma = 1.0 / np.linalg.eigvalsh(A.T @ A / n).max()
    upd = lambda z, th: soft_threshold(z - gamma * (A.T @ (A @ z - b) / n), gamma * th[0])
    _, gu = unrolled_vjp(upd, np.zeros(d), np.array([lam]), vg, 1500)
    assert abs(gu[0] - g) < 1e-6 * abs(g)


# --------------------------------------------------------------------------
# bad input, for every public function
# --------------------------------------------------------------------------

def test_bad_input_implicit_vjp():
    A, b, lam, H, x, F = ridge_problem(0)
    th, v = np.array([lam]), np.ones(x.size)
    with pytest.raises(TypeError, match="F"):
        implicit_vjp("F", x, th, v)
    with pytest.raises(ValueError, match="theta must be a 1-D"):
        implicit_vjp(F, x, lam, v)
    with pytest.raises(ValueError, match="x_star"):
        implicit_vjp(F, x[:, None], th, v)
    with pytest.raises(ValueError, match="x_star"):
        implicit_vjp(F, np.full(x.size, np.nan), th, v)
    with pytest.raises(ValueError, match="v must have the shape"):
        implicit_vjp(F, x, th, v[:-1])
    with pytest.raises(ValueError, match="theta"):
        implicit_vjp(F, x, np.array([np.inf]), v)
    with pytest.raises(ValueError, match="solver"):
        implicit_vjp(F, x, th, v, solver="lu")
    with pytest.raises(ValueError, match="tol"):
        implicit_vjp(F, x, th, v, tol=0.0)
    with pytest.raises(ValueError, match="max_iter"):
        implicit_vjp(F, x, th, v, max_iter=0)
    with pytest.raises(ValueError, match="shape of x_star"):
        implicit_vjp(lambda x, t: ad.sum(x), x, th, v)
    with pytest.raises(TypeError, match="v"):
        implicit_vjp(F, x, th, "v")


def test_bad_input_hypergradient():
    F = lambda x, th: x - th[0]
    good = dict(inner_solution=lambda th: np.ones(2) * th[0], F=F,
                outer_grad=lambda x: x, theta=np.array([1.0]))
    for key in ["inner_solution", "F", "outer_grad"]:
        with pytest.raises(TypeError, match=key):
            hypergradient(**{**good, key: 3})
    with pytest.raises(ValueError, match="theta"):
        hypergradient(**{**good, "theta": 1.0})
    with pytest.raises(ValueError, match="outer_grad"):
        hypergradient(**{**good, "outer_grad": lambda x: np.ones(3)})
    with pytest.raises(ValueError, match="inner_solution"):
        hypergradient(**{**good, "inner_solution": lambda th: np.full(2, np.nan)})


@pytest.mark.parametrize("fun", [ridge_hypergradient, lasso_hypergradient])
def test_bad_input_hypergradient_helpers(fun):
    A, b, Av, bv = lasso_split(0)
    with pytest.raises(ValueError, match="lam"):
        fun(A, b, 0.0, Av, bv)
    with pytest.raises(ValueError, match="lam"):
        fun(A, b, -1.0, Av, bv)
    with pytest.raises(ValueError, match="b must have"):
        fun(A, b[:-1], 0.1, Av, bv)
    with pytest.raises(ValueError, match="A_val must have"):
        fun(A, b, 0.1, Av[:, :-1], bv)
    with pytest.raises(ValueError, match="b_val must have"):
        fun(A, b, 0.1, Av, bv[:-1])
    with pytest.raises(ValueError, match="A "):
        fun(A[0], b, 0.1, Av, bv)
    A_nan = A.copy()
    A_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="A"):
        fun(A_nan, b, 0.1, Av, bv)
    with pytest.raises(TypeError, match="lam"):
        fun(A, b, "0.1", Av, bv)


def test_bad_input_lasso_specific():
    A, b, Av, bv = lasso_split(0)
    with pytest.raises(ValueError, match="x_star must have shape"):
        lasso_hypergradient(A, b, 0.1, Av, bv, x_star=np.zeros(3))
    with pytest.raises(ValueError, match="max_iter"):
        lasso_hypergradient(A, b, 0.1, Av, bv, max_iter=0)
    with pytest.raises(ValueError, match="tol"):
        lasso_hypergradient(A, b, 0.1, Av, bv, tol=-1.0)
    with pytest.raises(ValueError, match="step"):
        lasso_fixed_point(A, b, 0.0)
    with pytest.raises(ValueError, match="b must have"):
        lasso_fixed_point(A, b[:-1], 1.0)
    with pytest.raises(ValueError, match="A"):
        lasso_fixed_point(np.ones(3), b, 1.0)


def test_lasso_duplicate_columns_is_singular():
    a, bb, av, bv = lasso_split(0)
    A = np.column_stack([a, a[:, 0]])
    Av = np.column_stack([av, av[:, 0]])
    x = np.zeros(A.shape[1])
    x[0] = x[-1] = 0.5  # a support with two identical columns
    with pytest.raises(ValueError, match="singular"):
        lasso_hypergradient(A, bb, 0.1, Av, bv, x_star=x)


def test_bad_input_unrolled_vjp():
    upd = lambda x, th: x - th[0] * x
    x0, th, v = np.ones(3), np.array([0.1]), np.ones(3)
    with pytest.raises(TypeError, match="update"):
        unrolled_vjp(None, x0, th, v, 3)
    with pytest.raises(ValueError, match="n_iter"):
        unrolled_vjp(upd, x0, th, v, -1)
    with pytest.raises(TypeError, match="n_iter"):
        unrolled_vjp(upd, x0, th, v, 2.5)
    with pytest.raises(ValueError, match="mode"):
        unrolled_vjp(upd, x0, th, v, 3, mode="both")
    with pytest.raises(ValueError, match="v must have the shape"):
        unrolled_vjp(upd, x0, th, np.ones(2), 3)
    with pytest.raises(ValueError, match="theta"):
        unrolled_vjp(upd, x0, 0.1, v, 3)
    with pytest.raises(ValueError, match="x0"):
        unrolled_vjp(upd, np.ones((3, 1)), th, v, 3)
    with pytest.raises(ValueError, match="update"):
        unrolled_vjp(lambda x, t: ad.sum(x) * t, x0, th, v, 2)
    with pytest.raises(ValueError, match="update"):
        unrolled_vjp(lambda x, t: ad.sum(x) * t, x0, th, v, 2, mode="forward")


def test_bad_input_unrolled_jacobian():
    upd = lambda x, th: x - th[0] * x
    with pytest.raises(TypeError, match="update"):
        unrolled_jacobian(1, np.ones(3), np.array([0.1]), 3)
    with pytest.raises(ValueError, match="n_iter"):
        unrolled_jacobian(upd, np.ones(3), np.array([0.1]), -2)
    with pytest.raises(ValueError, match="theta"):
        unrolled_jacobian(upd, np.ones(3), np.ones((1, 1)), 2)
    with pytest.raises(ValueError, match="x0"):
        unrolled_jacobian(upd, np.full(3, np.inf), np.array([0.1]), 2)
    with pytest.raises(ValueError, match="update"):
        unrolled_jacobian(lambda x, t: ad.sum(x) * t, np.ones(3), np.array([0.1]), 2)
    x, J = unrolled_jacobian(upd, np.ones(3), np.array([0.1, 0.2]), 0)
    assert J.shape == (3, 2) and not J.any()


def test_lasso_conservative_jacobian_set_at_lambda_max():
    """prop-lasso-invertibility at lam_max: E = {j*}, S empty; the elements
    -A^{-1}B of the set, delta in [0, 1], run from the right derivative (0)
    to the left one (-sign(c_j)/H_jj), whatever the step gamma."""
    A, b, _, _ = lasso_split(1)
    n, d = A.shape
    H, c = A.T @ A / n, A.T @ b / n
    j = int(np.argmax(np.abs(c)))
    left = -np.sign(c[j]) / H[j, j]
    for gamma in [0.1 / H[j, j], 1.0 / np.linalg.eigvalsh(H).max(), 3.0]:
        for delta in [0.0, 0.5, 1.0]:
            D = np.zeros(d)
            D[j] = delta
            Ax = np.eye(d) - D[:, None] * (np.eye(d) - gamma * H)
            B = gamma * D * np.sign(c)
            J = -np.linalg.solve(Ax, B)
            # zero up to the rounding of the LU solve (exact zeros depend on LAPACK)
            assert np.all(np.abs(J[np.arange(d) != j]) <= 1e-14 * max(abs(J[j]), 1.0))
            t = gamma * delta / (1 - delta + gamma * delta * H[j, j])
            assert abs(J[j] - t * H[j, j] * left) < 1e-12 * abs(left)
        # delta = 1 gives the left derivative, delta = 0 the right one
    F = lasso_fixed_point(A, b, 1.0 / np.linalg.eigvalsh(H).max())
    lam_max = np.abs(c).max()
    x_below = lasso_hypergradient(A, b, lam_max * (1 - 1e-6), A, b)[2]
    assert abs(x_below[j] / (-1e-6 * lam_max) - left) < 1e-6 * abs(left)
    assert implicit_vjp(F, np.zeros(d), np.array([lam_max]), np.eye(d)[j])[0] == 0.0
