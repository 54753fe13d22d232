"""Helpers shared by the theorem tests (``tests/test_theorems*.py``).

A theorem test runs an algorithm for a fixed number of iterations and checks a
stated bound at every iteration, with a floating-point slack only.
"""

import numpy as np

from optbook.datasets import make_classification, make_correlated_regression
from optbook.objectives import LeastSquares, LogisticRegression

RTOL, ATOL = 1e-12, 1e-14


# ---------------------------------------------------------------------------
# constants computed by the tests, not read from the package under test
# ---------------------------------------------------------------------------


def _hessian_eigenvalues(f):
    r"""Eigenvalues (ascending) of the Hessian's constant part, from the data, by ``eigvalsh``.

    Least squares: :math:`A^\top A/n`; logistic regression: :math:`A^\top A/(4n)`
    (the curvature bound :math:`\sigma(1-\sigma) \le 1/4`), without the ridge
    term; a quadratic: :math:`Q`.
    """
    if hasattr(f, "Q"):
        return np.linalg.eigvalsh(np.asarray(f.Q, dtype=float))
    A = f.A.toarray() if hasattr(f.A, "toarray") else np.asarray(f.A, dtype=float)
    n = A.shape[0]
    gram = A.T @ A / n
    eigs = np.linalg.eigvalsh(gram)
    return eigs / 4 if hasattr(f, "y") else eigs


def _rank_tol(eigs, shape):
    return abs(eigs).max() * max(shape) * np.finfo(float).eps


def lipschitz(f):
    """The smoothness constant L of an objective of ``optbook.objectives``, from ``eigvalsh``."""
    eigs = _hessian_eigenvalues(f)
    if hasattr(f, "Q"):
        return float(np.abs(eigs).max())
    return float(eigs[-1]) + float(getattr(f, "lam", 0.0))


def strong_convexity(f):
    """The strong convexity constant mu (0 if none), from ``eigvalsh``."""
    eigs = _hessian_eigenvalues(f)
    if hasattr(f, "y"):
        return float(f.lam)
    shape = np.shape(f.Q) if hasattr(f, "Q") else f.A.shape
    return float(eigs[0]) if eigs[0] > _rank_tol(eigs, shape) else 0.0


def pl_constant(f):
    """Least squares: the smallest positive eigenvalue of A^T A / n, from ``eigvalsh``."""
    eigs = _hessian_eigenvalues(f)
    positive = eigs[eigs > _rank_tol(eigs, f.A.shape)]
    return float(positive[0]) if positive.size else 0.0


def assert_tight(lhs, rhs, label, fraction):
    """Assert that the bound is not vacuous: ``max_k lhs[k] / rhs[k] >= fraction``.

    With :func:`assert_upper` this pins the constant of a bound from both sides on an
    instance where it is nearly attained: a bound stated with too large a constant (or
    checked on a method faster than the one it is about) fails here.
    """
    lhs, rhs = _check_pair(lhs, rhs)
    ratio = float(np.max(lhs / rhs))
    if ratio < fraction:
        raise AssertionError(f"{label}: the bound is vacuous on this instance: worst ratio "
                             f"lhs/rhs = {ratio:.3f} < {fraction}")
    return ratio


def _check_pair(lhs, rhs):
    lhs, rhs = np.asarray(lhs, dtype=float), np.asarray(rhs, dtype=float)
    assert lhs.shape == rhs.shape and lhs.size > 0
    assert np.all(np.isfinite(lhs)) and np.all(np.isfinite(rhs))
    return lhs, rhs


def assert_upper(lhs, rhs, label, rtol=RTOL, atol=ATOL):
    """Assert ``lhs[k] <= rhs[k]`` for every ``k`` (floating-point slack only)."""
    lhs, rhs = _check_pair(lhs, rhs)
    bad = np.flatnonzero(lhs > rhs * (1 + rtol) + atol)
    if bad.size:
        k = bad[0]
        raise AssertionError(f"{label}: upper bound violated at k={k} ({bad.size} violations): "
                             f"{lhs[k]:.6e} > {rhs[k]:.6e}")


def assert_lower(lhs, rhs, label, rtol=RTOL, atol=ATOL):
    """Assert ``lhs[k] >= rhs[k]`` for every ``k`` (floating-point slack only)."""
    lhs, rhs = _check_pair(lhs, rhs)
    bad = np.flatnonzero(lhs < rhs * (1 - rtol) - atol)
    if bad.size:
        k = bad[0]
        raise AssertionError(f"{label}: lower bound violated at k={k} ({bad.size} violations): "
                             f"{lhs[k]:.6e} < {rhs[k]:.6e}")


def run(solver, *args, x0, max_iter, **kwargs):
    """Run ``solver`` for exactly ``max_iter`` iterations; return [x_0, ..., x_K]."""
    iterates = [np.array(x0, dtype=float)]
    res = solver(*args, x0=x0, max_iter=max_iter,
                 callback=lambda x: iterates.append(x.copy()), **kwargs)
    assert res.nit == max_iter and res.status == 1 and res.success, res.message
    np.testing.assert_array_equal(res.x, iterates[-1])
    return np.array(iterates)


def sq_dist(xs, x_star):
    """Squared distances ``||x_k - x*||^2`` for each row of ``xs``."""
    return np.sum((np.atleast_2d(xs) - x_star) ** 2, axis=-1)


def ls_gap(f, xs, x_star):
    """Exact ``f(x) - f*`` for least squares, ``||A(x - x*)||^2 / (2n)``, per row of ``xs``."""
    R = (np.atleast_2d(xs) - x_star) @ f.A.T
    return 0.5 * np.sum(R * R, axis=1) / f.n_samples


def horizon(rate, cap, floor):
    """Iterations before ``rate**k`` falls below ``floor``, at most ``cap``.

    Linear-rate bounds are checked only while they stay far above rounding
    level, where the absolute slack ``ATOL`` would hide a violation.
    """
    return int(min(cap, np.log(floor) / np.log(rate)))


def underdetermined_ls(seed):
    """Least squares with n < d: convex, L-smooth, not strongly convex; x* nearest to x0."""
    A, b, _ = make_correlated_regression(30, 60, rho=0.5, noise=0.5, rng=seed)
    f = LeastSquares(A, b)
    x0 = np.random.default_rng(seed + 100).standard_normal(60)
    # the minimizer closest to x0: x0 + min-norm solution of A dx = b - A x0
    x_star = x0 + np.linalg.lstsq(A, b - A @ x0, rcond=None)[0]
    assert strong_convexity(f) == 0.0
    return f, x0, x_star


def logistic(seed, lam, n_samples):
    """Ridge logistic regression on a synthetic problem, with its solution."""
    A, y, _ = make_classification(n_samples, 10, rho=0.3, rng=seed)
    f = LogisticRegression(A, y, lam=lam)
    x0 = np.random.default_rng(seed + 100).standard_normal(10)
    x_star = f.reference_solution()
    assert np.linalg.norm(f.grad(x_star)) < 1e-12
    return f, x0, x_star
