r"""Theorem checks of the chapter *Duality in machine learning* (``chapters/07_duality.md``).

Both rate theorems of the chapter are statements about one *random*
coordinate step: the expectation over the coordinate (or the sample) drawn.
Each test runs the ``optbook`` update rule step by step and, at every state
of the run, computes that expectation *exactly*, by applying the update of
every coordinate (every sample) in turn and averaging, then asserts the
one-step inequality with a floating-point slack only. The rates in expectation
of the theorems follow from the one-step inequalities by the tower property.

* ``thm-random-cd``: randomized proximal coordinate descent on the Lasso,
  :math:`P(x) - \mathbb{E}_j P(x^{+j}) \ge \frac{\mu}{d}(P(x) - P^\star)`.
* ``thm-sdca-smooth``: SDCA with a :math:`(1/\gamma)`-smooth loss,
  :math:`\mathbb{E}_i D(\alpha^{+i}) - D(\alpha) \ge \frac{s}{n}(P(x(\alpha)) - D(\alpha))`,
  :math:`s = \lambda n\gamma/(R^2 + \lambda n\gamma)`.

Non-vacuity: on an orthogonal design (coordinate descent) and on rows of equal
norm with the squared loss (SDCA) the inequalities hold with equality, and the
tests check that the smallest observed ratio lhs/rhs is at most ``1 + 1e-9``
there; on generic instances the ratio stays within a stated factor, and
explicit tests check that a wrong constant (1.1 mu/d for coordinate descent,
twice the constant for SDCA, gamma = 8 instead of 4 for the logistic loss)
is violated.
"""

import numpy as np
import pytest

from optbook import duality
from optbook.duality import _cd_epoch_dense, _sdca_epoch_dense, _sdca_objectives, lasso_cd

from theorem_checks import assert_lower


def _lasso_value(A, b, lam, x):
    r = A @ x - b
    return 0.5 * r @ r / A.shape[0] + lam * np.abs(x).sum()


def _cd_one_step_check(A, b, lam, steps, seed):
    """Run random CD step by step; return (lhs, rhs) of thm-random-cd at every step."""
    n, d = A.shape
    A = np.asfortranarray(A)
    sq = np.einsum("ij,ij->j", A, A)
    ref = lasso_cd(A, b, lam, tol=1e-15, max_epochs=100_000, gap_freq=1)
    assert ref.gap <= 1e-15
    p_star = _lasso_value(A, b, lam, ref.x) - ref.gap  # a lower bound on P*, within 1e-15
    # mu: strong convexity of the smooth part in the norm sum_j L_j x_j^2
    H = A.T @ A / n
    Dm = 1 / np.sqrt(np.diag(H))
    mu = np.linalg.eigvalsh(Dm[:, None] * H * Dm[None, :]).min()
    assert mu > 0
    rng = np.random.default_rng(seed)
    x = np.random.default_rng(seed + 1).standard_normal(d)
    r = b - A @ x
    lhs, rhs = [], []
    for _ in range(steps):
        value = _lasso_value(A, b, lam, x)
        after = []
        for j in range(d):
            xj, rj = x.copy(), r.copy()
            _cd_epoch_dense(A, rj, xj, sq, n * lam, np.array([j]))
            after.append(_lasso_value(A, b, lam, xj))
        lhs.append(value - np.mean(after))
        rhs.append(mu / d * (value - p_star))
        _cd_epoch_dense(A, r, x, sq, n * lam, np.array([rng.integers(d)]))
        if value - p_star < 1e-9:
            break
    return np.array(lhs), np.array(rhs), mu


@pytest.mark.parametrize("seed", [0, 1])
def test_thm_random_cd_correlated(seed):
    """thm-random-cd: expected decrease of one random coordinate step, correlated design."""
    rng = np.random.default_rng(seed)
    n, d = 60, 8
    C = 0.6 * np.ones((d, d)) + 0.4 * np.eye(d)
    A = rng.standard_normal((n, d)) @ np.linalg.cholesky(C).T
    b = A @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n)
    lam = np.abs(A.T @ b).max() / n / 10
    lhs, rhs, mu = _cd_one_step_check(A, b, lam, steps=150, seed=seed)
    assert mu < 0.5  # correlated columns: far from the orthogonal case
    assert_lower(lhs, rhs, "thm-random-cd")
    # not vacuous: the decrease is at most a few times the guaranteed one
    assert np.min(lhs / rhs) < 8.0


def test_thm_random_cd_orthogonal_is_tight():
    """thm-random-cd: on an orthogonal design the one-step inequality is an equality (mu = 1)."""
    rng = np.random.default_rng(3)
    n, d = 40, 6
    Q, _ = np.linalg.qr(rng.standard_normal((n, d)))
    A = Q * np.sqrt(n) * rng.uniform(0.5, 2.0, d)
    b = A @ rng.standard_normal(d) + rng.standard_normal(n)
    lam = np.abs(A.T @ b).max() / n / 5
    lhs, rhs, mu = _cd_one_step_check(A, b, lam, steps=12, seed=0)
    assert abs(mu - 1) < 1e-10
    assert_lower(lhs, rhs, "thm-random-cd")
    ratio = lhs / rhs
    assert np.min(ratio) < 1 + 1e-9 and np.max(ratio) < 1 + 1e-9


def test_thm_random_cd_fails_with_a_wrong_constant():
    """thm-random-cd is not vacuous: 1.1 times the constant mu/d is violated on the orthogonal design."""
    rng = np.random.default_rng(3)
    n, d = 40, 6
    Q, _ = np.linalg.qr(rng.standard_normal((n, d)))
    A = Q * np.sqrt(n) * rng.uniform(0.5, 2.0, d)
    b = A @ rng.standard_normal(d) + rng.standard_normal(n)
    lam = np.abs(A.T @ b).max() / n / 5
    lhs, rhs, _ = _cd_one_step_check(A, b, lam, steps=12, seed=0)
    with pytest.raises(AssertionError):
        assert_lower(lhs, 1.1 * rhs, "thm-random-cd")


def _sdca_one_step_check(A, y, lam, loss, gamma, steps, seed):
    """Run SDCA with uniform sampling step by step; return (lhs, rhs) of thm-sdca-smooth."""
    n, d = A.shape
    code = {"hinge": duality._HINGE, "logistic": duality._LOGISTIC, "squared": duality._SQUARED}[loss]
    sq = np.einsum("ij,ij->i", A, A)
    R2 = sq.max()
    s = lam * n * gamma / (R2 + lam * n * gamma)
    alpha, x = np.zeros(n), np.zeros(d)
    rng = np.random.default_rng(seed)
    lhs, rhs = [], []
    for _ in range(steps):
        primal, dual = _sdca_objectives(loss, A, y, lam, alpha, x)
        after = []
        for i in range(n):
            ai, xi = alpha.copy(), x.copy()
            _sdca_epoch_dense(A, y, ai, xi, sq, lam * n, code, np.array([i]))
            after.append(_sdca_objectives(loss, A, y, lam, ai, xi)[1])
        lhs.append(np.mean(after) - dual)
        rhs.append(s / n * (primal - dual))
        _sdca_epoch_dense(A, y, alpha, x, sq, lam * n, code, np.array([rng.integers(n)]))
        if primal - dual < 1e-10:
            break
    return np.array(lhs), np.array(rhs)


def test_thm_sdca_smooth_squared_is_tight():
    """thm-sdca-smooth: squared loss (gamma = 1), rows of equal norm: equality at every step."""
    rng = np.random.default_rng(0)
    n, d = 30, 10
    A = rng.standard_normal((n, d))
    A *= 2.0 / np.linalg.norm(A, axis=1, keepdims=True)
    y = A @ rng.standard_normal(d) + 0.5 * rng.standard_normal(n)
    lhs, rhs = _sdca_one_step_check(A, y, 0.1, "squared", gamma=1.0, steps=200, seed=0)
    assert_lower(lhs, rhs, "thm-sdca-smooth")
    ratio = lhs / rhs
    assert np.min(ratio) < 1 + 1e-9 and np.max(ratio) < 1 + 1e-9


def _logistic_instance(row_norm):
    rng = np.random.default_rng(1)
    n, d = 30, 8
    A = rng.standard_normal((n, d)) * rng.uniform(0.3, 1.5, (n, 1))
    if row_norm is not None:
        A *= row_norm / np.linalg.norm(A, axis=1, keepdims=True)
    y = np.sign(A @ rng.standard_normal(d) + 0.5 * rng.standard_normal(n))
    return A, y


@pytest.mark.parametrize("lam, row_norm, worst", [
    (0.3, None, 1.5), (0.03, None, 3.0), (0.1, 3.0, 1.2), (0.03, 2.0, 1.3)])
def test_thm_sdca_smooth_logistic(lam, row_norm, worst):
    """thm-sdca-smooth: logistic loss, 4-smooth conjugate (gamma = 4), rows of varied or equal norms."""
    A, y = _logistic_instance(row_norm)
    lhs, rhs = _sdca_one_step_check(A, y, lam, "logistic", gamma=4.0, steps=150, seed=2)
    assert_lower(lhs, rhs, "thm-sdca-smooth", rtol=1e-9, atol=1e-13)
    # not vacuous: observed min ratios 1.31, 2.60 (varied norms), 1.15, 1.24 (equal norms);
    # on the equal-norm instances gamma = 8 (twice the true constant) violates the bound
    assert np.min(lhs / rhs) < worst


@pytest.mark.parametrize("lam, row_norm", [(0.1, 3.0), (0.03, 2.0)])
def test_thm_sdca_smooth_logistic_fails_with_a_wrong_constant(lam, row_norm):
    """thm-sdca-smooth is not vacuous for the logistic loss: gamma = 8 instead of 4 is violated."""
    A, y = _logistic_instance(row_norm)
    lhs, rhs = _sdca_one_step_check(A, y, lam, "logistic", gamma=8.0, steps=150, seed=2)
    with pytest.raises(AssertionError):
        assert_lower(lhs, rhs, "thm-sdca-smooth", rtol=1e-9, atol=1e-13)


def test_thm_sdca_smooth_fails_with_a_wrong_constant():
    """thm-sdca-smooth is not vacuous: twice the constant s is violated on the tight instance."""
    rng = np.random.default_rng(0)
    n, d = 30, 10
    A = rng.standard_normal((n, d))
    A *= 2.0 / np.linalg.norm(A, axis=1, keepdims=True)
    y = A @ rng.standard_normal(d)
    lhs, rhs = _sdca_one_step_check(A, y, 0.1, "squared", gamma=1.0, steps=20, seed=0)
    with pytest.raises(AssertionError):
        assert_lower(lhs, 1.1 * rhs, "thm-sdca-smooth")
