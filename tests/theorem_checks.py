"""Helpers shared by the theorem tests (``tests/test_theorems*.py``).

A theorem test runs an algorithm for a fixed number of iterations and checks a
stated bound at every iteration, with a floating-point slack only.
"""

import numpy as np

RTOL, ATOL = 1e-12, 1e-14


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
