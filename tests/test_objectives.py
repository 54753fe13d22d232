"""Tests of optbook.objectives: derivatives, constants, closed forms, stability."""

import numpy as np
import pytest

from optbook.datasets import make_classification, make_correlated_regression
from optbook.objectives import LeastSquares, LogisticRegression, Quadratic


def fd_grad(f, x, h=1e-6):
    """Central finite differences of a scalar function (loop over coordinates: test only)."""
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def fd_jac(grad, x, h=1e-6):
    return np.column_stack([(grad(x + h * e) - grad(x - h * e)) / (2 * h)
                            for e in np.eye(x.size)])


def instances():
    A, b, _ = make_correlated_regression(50, 8, rho=0.5, rng=0)
    Ac, y, _ = make_classification(60, 7, rho=0.2, rng=1)
    yield "ls", LeastSquares(A, b)
    yield "logistic", LogisticRegression(Ac, y)
    yield "logistic-l2", LogisticRegression(Ac, y, lam=0.3)
    yield "quadratic", Quadratic.random(6, 0.5, 4.0, rng=2)
    yield "indefinite", Quadratic(np.diag([-1.0, 2.0, 3.0]), c=np.array([1.0, 0.0, -1.0]))


@pytest.mark.parametrize("name,f", list(instances()))
def test_gradient_and_hessian_match_finite_differences(name, f):
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.standard_normal(f.n_features)
        np.testing.assert_allclose(f.grad(x), fd_grad(f.value, x), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(f.hess(x), fd_jac(f.grad, x), rtol=1e-6, atol=1e-8)
        assert f(x) == f.value(x)


@pytest.mark.parametrize("name,f", list(instances()))
def test_constants_match_hessian_spectrum(name, f):
    rng = np.random.default_rng(1)
    for _ in range(3):
        eig = np.linalg.eigvalsh(f.hess(rng.standard_normal(f.n_features)))
        assert eig[-1] <= f.lipschitz * (1 + 1e-12)
        assert eig[0] >= -f.lipschitz * (1 + 1e-12)
        if name != "indefinite":
            assert eig[0] >= f.strong_convexity * (1 - 1e-12) - 1e-14
    if name in ("ls", "quadratic"):  # constant Hessian: the constants are attained
        eig = np.linalg.eigvalsh(f.hess(np.zeros(f.n_features)))
        assert f.lipschitz == pytest.approx(eig[-1], rel=1e-12)
        assert f.strong_convexity == pytest.approx(eig[0], rel=1e-10)


def test_logistic_constants_formula():
    A, y, _ = make_classification(80, 5, rng=3)
    f = LogisticRegression(A, y, lam=0.2)
    lam_max = np.linalg.eigvalsh(A.T @ A)[-1]
    assert f.lipschitz == pytest.approx(lam_max / (4 * 80) + 0.2, rel=1e-12)
    assert f.strong_convexity == 0.2
    # the bound is attained at x = 0 up to the label-independent factor 1/4
    assert np.linalg.eigvalsh(f.hess(np.zeros(5)))[-1] == pytest.approx(f.lipschitz, rel=1e-12)


def test_constants_from_the_smaller_gram_matrix():
    rng = np.random.default_rng(4)
    A = rng.standard_normal((5, 40))  # n < d: the 5 x 5 Gram matrix is used
    f = LeastSquares(A, rng.standard_normal(5))
    assert f.lipschitz == pytest.approx(np.linalg.eigvalsh(A.T @ A)[-1] / 5, rel=1e-12)
    assert f.strong_convexity == 0.0
    assert f.pl_constant == pytest.approx(np.linalg.eigvalsh(A @ A.T)[0] / 5, rel=1e-10)


def test_rank_deficient_least_squares_is_pl_not_strongly_convex():
    rng = np.random.default_rng(5)
    A = rng.standard_normal((30, 3)) @ rng.standard_normal((3, 6))
    f = LeastSquares(A, rng.standard_normal(30))
    assert f.strong_convexity == 0.0
    eig = np.linalg.eigvalsh(A.T @ A / 30)
    assert f.pl_constant == pytest.approx(eig[eig > 1e-10][0], rel=1e-10)


def test_least_squares_minimizer_is_lstsq():
    A, b, _ = make_correlated_regression(40, 10, rng=6)
    f = LeastSquares(A, b)
    x_star = f.minimizer()
    np.testing.assert_allclose(x_star, np.linalg.lstsq(A, b, rcond=None)[0], rtol=1e-12)
    assert np.linalg.norm(f.grad(x_star)) < 1e-12
    assert f.value(x_star) == pytest.approx(np.sum((A @ x_star - b) ** 2) / 80, rel=1e-12)


def test_quadratic_minimizer_and_sign_convention():
    f = Quadratic.random(8, 0.1, 10.0, rng=7)
    x_star = f.minimizer()
    np.testing.assert_allclose(f.Q @ x_star, f.c, atol=1e-12)
    assert np.linalg.norm(f.grad(x_star)) < 1e-12
    x = np.ones(8)
    assert f.value(x) == pytest.approx(0.5 * x @ f.Q @ x - f.c @ x, rel=1e-14)
    np.testing.assert_allclose(f.eigenvalues[[0, -1]], [0.1, 10.0], rtol=1e-12)
    assert f.lipschitz == pytest.approx(10.0) and f.strong_convexity == pytest.approx(0.1)


def test_quadratic_without_c_and_indefinite():
    f = Quadratic(np.diag([-2.0, 1.0]))
    np.testing.assert_array_equal(f.c, np.zeros(2))
    assert f.lipschitz == 2.0 and f.strong_convexity == 0.0
    with pytest.raises(ValueError, match="positive definite"):
        f.minimizer()


def test_logistic_reference_solution_is_stationary():
    A, y, _ = make_classification(100, 6, rng=8)
    f = LogisticRegression(A, y, lam=0.01)
    x_star = f.reference_solution()
    assert np.linalg.norm(f.grad(x_star)) < 1e-12
    x_star[0] += 1.0  # the cached solution is not exposed to modification
    assert np.linalg.norm(f.grad(f.reference_solution())) < 1e-12


def test_logistic_reference_solution_needs_regularization():
    A, y, _ = make_classification(20, 3, rng=9)
    with pytest.raises(ValueError, match="lam > 0"):
        LogisticRegression(A, y).reference_solution()


def test_logistic_is_stable_for_huge_margins():
    # margins y_i a_i^T x = +-1000 (and +-1e6): no overflow, exact values
    A = np.array([[1.0], [1.0], [-1.0], [1.0]])
    y = np.array([1.0, -1.0, 1.0, 1.0])
    f = LogisticRegression(A, y)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # e^{-1000} may underflow
        for s in (1000.0, 1e6):
            x = np.array([s])
            margins = y * (A @ x)  # s, -s, -s, s
            assert f.value(x) == pytest.approx(2 * s / 4, rel=1e-15)
            # gradient: -(1/n) sum y_i a_i sigma(-m_i): only the two negative margins count
            expected = -(y[1] * A[1, 0] + y[2] * A[2, 0]) / 4
            np.testing.assert_allclose(f.grad(x), [expected], rtol=1e-15)
            assert np.all(np.isfinite(f.hess(x)))
            assert np.all(np.abs(margins) == s)


def test_logistic_small_loss_is_accurate():
    # log(1 + e^{-40}) = 4.248e-18 must not round to 0 nor lose relative accuracy
    f = LogisticRegression(np.array([[1.0]]), np.array([1.0]))
    assert f.value(np.array([40.0])) == pytest.approx(np.exp(-40.0), rel=1e-15)
    assert f.grad(np.array([40.0]))[0] == pytest.approx(-np.exp(-40.0), rel=1e-14)


@pytest.mark.parametrize("name,f", [p for p in instances() if p[0] in ("ls", "logistic-l2")])
def test_minibatch_oracles(name, f):
    n, d = f.n_samples, f.n_features
    rng = np.random.default_rng(10)
    x = rng.standard_normal(d)
    everything = np.arange(n)
    np.testing.assert_allclose(f.grad_i(x, everything), f.grad(x), rtol=1e-12, atol=1e-14)
    assert f.value_i(x, everything) == pytest.approx(f.value(x), rel=1e-12)
    idx = rng.integers(0, n, size=7)  # with repetitions
    # the mean of the single-sample gradients
    singles = np.mean([f.grad_i(x, np.array([i])) for i in idx], axis=0)
    np.testing.assert_allclose(f.grad_i(x, idx), singles, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(f.grad_i(x, 3), f.grad_i(x, np.array([3])))


def test_objectives_do_not_modify_or_alias_inputs():
    A, b, _ = make_correlated_regression(20, 4, rng=11)
    A0, b0 = A.copy(), b.copy()
    f = LeastSquares(A, b)
    x = np.ones(4)
    f.grad(x), f.hess(x), f.grad_i(x, np.arange(3))
    np.testing.assert_array_equal(x, np.ones(4))
    A[:] = 0.0  # changing the caller's array later does not change the objective
    np.testing.assert_array_equal(f.A, A0)
    np.testing.assert_array_equal(b, b0)
    H = f.hess()
    H[0, 0] = 1e9
    assert f.hess()[0, 0] != 1e9


# ---------------------------------------------------------------------------
# bad input: one test per error path
# ---------------------------------------------------------------------------


def test_least_squares_bad_input():
    A = np.ones((4, 2))
    with pytest.raises(ValueError, match="b must have shape"):
        LeastSquares(A, np.ones(3))
    with pytest.raises(ValueError, match="A must have 2"):
        LeastSquares(np.ones(4), np.ones(4))
    with pytest.raises(ValueError, match="A must contain only finite"):
        LeastSquares(np.array([[np.nan, 1.0]]), np.ones(1))
    with pytest.raises(ValueError, match="b must contain only finite"):
        LeastSquares(A, np.array([1.0, np.inf, 0.0, 0.0]))
    with pytest.raises(ValueError, match="at least one row"):
        LeastSquares(np.ones((0, 2)), np.ones(0))
    with pytest.raises(TypeError, match="A must be a numeric array"):
        LeastSquares("A", np.ones(4))
    f = LeastSquares(A, np.ones(4))
    with pytest.raises(ValueError, match=r"x must have shape \(2,\)"):
        f.grad(np.ones(3))
    with pytest.raises(ValueError, match="x must contain only finite"):
        f.value(np.array([np.nan, 1.0]))
    with pytest.raises(ValueError, match="idx must contain indices"):
        f.grad_i(np.ones(2), np.array([4]))
    with pytest.raises(TypeError, match="idx must be an integer"):
        f.grad_i(np.ones(2), np.array([0.5]))
    with pytest.raises(ValueError, match="idx must be a nonempty"):
        f.grad_i(np.ones(2), np.array([], dtype=int))


def test_logistic_bad_input():
    A = np.ones((3, 2))
    with pytest.raises(ValueError, match="y must contain only the labels"):
        LogisticRegression(A, np.array([0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="y must have shape"):
        LogisticRegression(A, np.ones(2))
    with pytest.raises(ValueError, match="lam must be nonnegative"):
        LogisticRegression(A, np.ones(3), lam=-1.0)
    with pytest.raises(ValueError, match="lam must be finite"):
        LogisticRegression(A, np.ones(3), lam=np.nan)
    with pytest.raises(TypeError, match="lam must be a real number"):
        LogisticRegression(A, np.ones(3), lam="0.1")
    with pytest.raises(ValueError, match="x must have shape"):
        LogisticRegression(A, np.ones(3)).value(np.ones((2, 1)))


def test_quadratic_bad_input():
    with pytest.raises(ValueError, match="Q must be symmetric"):
        Quadratic(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="square"):
        Quadratic(np.ones((2, 3)))
    with pytest.raises(ValueError, match="c must have shape"):
        Quadratic(np.eye(2), c=np.ones(3))
    with pytest.raises(ValueError, match="Q must contain only finite"):
        Quadratic(np.array([[np.inf, 0.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="mu must be <= L"):
        Quadratic.random(3, 2.0, 1.0)
    with pytest.raises(ValueError, match="d must be >= 2"):
        Quadratic.random(1, 0.0, 1.0)
