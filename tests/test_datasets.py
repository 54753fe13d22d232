"""Tests of optbook.datasets: shapes, labels, standardization, seeding, conditioning."""

import numpy as np
import pytest

from optbook import datasets
from optbook.objectives import LeastSquares


def assert_standardized(A):
    std = A.std(axis=0)
    np.testing.assert_allclose(A.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(std[std > 0], 1.0, rtol=1e-12)


def test_breast_cancer():
    A, y = datasets.load_breast_cancer()
    assert A.shape == (569, 30) and y.shape == (569,)
    assert set(np.unique(y)) == {-1.0, 1.0}
    assert np.sum(y == 1) == 357  # benign
    assert_standardized(A)


def test_diabetes():
    A, b = datasets.load_diabetes()
    assert A.shape == (442, 10) and b.shape == (442,)
    assert_standardized(A)
    assert abs(b.mean()) < 1e-12 and b.std() == pytest.approx(1.0)


def test_digits():
    A, labels = datasets.load_digits()
    assert A.shape == (1797, 64)
    assert labels.dtype.kind == "i" and set(np.unique(labels)) == set(range(10))
    assert_standardized(A)
    assert np.sum(A.std(axis=0) == 0) == 3  # the always-blank pixels are zero columns
    A2, y = datasets.load_digits(binary=True)
    np.testing.assert_array_equal(A, A2)
    np.testing.assert_array_equal(y, np.where(labels >= 5, 1.0, -1.0))


def test_loaders_return_fresh_arrays():
    A, y = datasets.load_breast_cancer()
    A[:] = 0.0
    assert np.abs(datasets.load_breast_cancer()[0]).sum() > 0


def test_standardize_does_not_modify_input():
    X = np.array([[1.0, 5.0], [3.0, 5.0]])
    Z = datasets.standardize(X)
    np.testing.assert_array_equal(X, [[1.0, 5.0], [3.0, 5.0]])
    np.testing.assert_array_equal(Z, [[-1.0, 0.0], [1.0, 0.0]])


def test_correlated_regression_is_seeded():
    a = datasets.make_correlated_regression(30, 5, rng=3)
    b = datasets.make_correlated_regression(30, 5, rng=3)
    c = datasets.make_correlated_regression(30, 5, rng=4)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    gen = np.random.default_rng(3)
    d = datasets.make_correlated_regression(30, 5, rng=gen)
    np.testing.assert_array_equal(a[0], d[0])


def test_correlated_regression_covariance():
    A, b, x_true = datasets.make_correlated_regression(20000, 4, rho=0.7, noise=0.0, rng=0)
    emp = A.T @ A / A.shape[0]
    idx = np.arange(4)
    np.testing.assert_allclose(emp, 0.7 ** np.abs(idx[:, None] - idx[None, :]), atol=0.03)
    np.testing.assert_allclose(b, A @ x_true)


@pytest.mark.parametrize("kappa", [1.0, 10.0, 1e4])
def test_correlated_regression_condition_number(kappa):
    A, b, _ = datasets.make_correlated_regression(100, 12, condition_number=kappa, rng=1)
    f = LeastSquares(A, b)
    assert f.lipschitz == pytest.approx(1.0, rel=1e-10)
    assert f.lipschitz / f.strong_convexity == pytest.approx(kappa, rel=1e-8)


def test_correlated_regression_sparse_truth():
    _, _, x_true = datasets.make_correlated_regression(50, 20, n_nonzero=4, rng=2)
    assert np.count_nonzero(x_true) == 4


def test_classification():
    A, y, x_true = datasets.make_classification(500, 6, scale=3.0, rng=0)
    assert A.shape == (500, 6) and set(np.unique(y)) == {-1.0, 1.0}
    assert np.linalg.norm(x_true) == pytest.approx(3.0)
    # labels follow the logistic model: most agree with the sign of the score
    assert np.mean(np.sign(A @ x_true) == y) > 0.7
    A2, y2, _ = datasets.make_classification(500, 6, scale=3.0, rng=0)
    np.testing.assert_array_equal(y, y2)


def test_generators_bad_input():
    with pytest.raises(ValueError, match="condition_number needs n >= d"):
        datasets.make_correlated_regression(5, 10, condition_number=10.0)
    with pytest.raises(ValueError, match="condition_number must be >= 1"):
        datasets.make_correlated_regression(20, 10, condition_number=0.5)
    with pytest.raises(ValueError, match=r"rho must lie in \(-1.0, 1.0\)"):
        datasets.make_correlated_regression(20, 10, rho=1.0)
    with pytest.raises(ValueError, match="noise must be nonnegative"):
        datasets.make_correlated_regression(20, 10, noise=-1.0)
    with pytest.raises(ValueError, match="n_nonzero must be <= d"):
        datasets.make_correlated_regression(20, 10, n_nonzero=11)
    with pytest.raises(ValueError, match="n must be >= 1"):
        datasets.make_classification(0, 3)
    with pytest.raises(TypeError, match="d must be an integer"):
        datasets.make_classification(10, 2.5)
    with pytest.raises(ValueError, match="scale must be positive"):
        datasets.make_classification(10, 2, scale=0.0)
    with pytest.raises(TypeError, match="rng must be an integer seed"):
        datasets.make_classification(10, 2, rng="seed")
