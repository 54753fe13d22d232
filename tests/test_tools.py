"""Tests of :mod:`optbook.tools`: best_time and power_iteration."""

import time

import numpy as np
import pytest

import optbook
from optbook.tools import best_time, power_iteration


# ---------------------------------------------------------------------------
# best_time
# ---------------------------------------------------------------------------


def test_best_time_counts_calls_and_divides_by_number():
    calls = []
    t = best_time(lambda: calls.append(1), number=4, repeat=3)
    assert len(calls) == 12 and 0 <= t < 0.01


def test_best_time_measures_a_sleep():
    t = best_time(lambda: time.sleep(0.01), number=2, repeat=2)
    assert 0.009 < t < 0.2


def test_best_time_takes_the_minimum_with_a_given_timer():
    ticks = iter([0.0, 5.0, 5.0, 6.0, 6.0, 9.0])  # rounds of 5, 1 and 3 "seconds"
    assert best_time(lambda: None, number=1, repeat=3, timer=lambda: next(ticks)) == 1.0
    assert best_time(lambda: None, timer=time.process_time) >= 0


def test_best_time_is_reachable_lazily_from_the_package():
    assert optbook.tools.best_time is best_time


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(fun=1.0), TypeError, "fun"),
    (dict(number=0), ValueError, "number"),
    (dict(number=1.5), TypeError, "number"),
    (dict(repeat=0), ValueError, "repeat"),
    (dict(repeat=True), TypeError, "repeat"),
    (dict(timer="clock"), TypeError, "timer"),
])
def test_best_time_bad_input(kwargs, error, match):
    args = dict(fun=lambda: None)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        best_time(**args)


# ---------------------------------------------------------------------------
# power_iteration
# ---------------------------------------------------------------------------


def test_power_iteration_is_exact_on_a_diagonal_matrix():
    """On diag(4, 2, 1) from (1, 1, 1): v_k is proportional to (4^k, 2^k, 1) and the
    Rayleigh quotient has the closed form sum(d^(2k+1)) / sum(d^(2k))."""
    d = np.array([4.0, 2.0, 1.0])
    res = power_iteration(lambda v: d * v, np.ones(3), n_iter=30)
    assert res.nit == 30 and res.status == 1 and res.success
    k = np.arange(30)[:, None]
    expected = (d ** (2 * k + 1)).sum(1) / (d ** (2 * k)).sum(1)
    np.testing.assert_allclose(res.estimates, expected, rtol=1e-14)
    assert res.eigenvalue == pytest.approx(4.0, rel=1e-15)
    np.testing.assert_allclose(np.abs(res.x), [1.0, 0.0, 0.0], atol=1e-8)
    assert np.linalg.norm(res.x) == pytest.approx(1.0)
    np.testing.assert_allclose(res.residual, np.linalg.norm(d * res.x - res.eigenvalue * res.x))


def test_power_iteration_finds_the_largest_magnitude_even_if_negative():
    d = np.array([1.0, -3.0, 2.0])
    res = power_iteration(lambda v: d * v, np.ones(3), n_iter=500, tol=1e-12)
    assert res.status == 0 and res.success and res.nit < 500
    assert res.eigenvalue == pytest.approx(-3.0, rel=1e-12)


def test_power_iteration_matches_eigvalsh_and_hvp():
    rng = np.random.default_rng(0)
    B = rng.standard_normal((30, 8))
    M = B.T @ B / 30
    res = power_iteration(lambda v: M @ v, rng.standard_normal(8), n_iter=2000, tol=1e-13)
    assert res.success
    assert res.eigenvalue == pytest.approx(np.linalg.eigvalsh(M)[-1], rel=1e-12)
    # a Hessian through Hessian-vector products, and a matrix-shaped vector
    f = lambda x: 0.5 * optbook.autodiff.sum(x * (M @ x))  # noqa: E731
    res_h = power_iteration(lambda v: optbook.autodiff.hvp(f, np.zeros(8), v),
                            rng.standard_normal(8), n_iter=2000, tol=1e-10)
    assert res_h.eigenvalue == pytest.approx(res.eigenvalue, rel=1e-9)
    res_m = power_iteration(lambda V: V * np.array([[1.0, 5.0], [2.0, 3.0]]),
                            np.ones((2, 2)), n_iter=200, tol=1e-12)
    assert res_m.x.shape == (2, 2) and res_m.eigenvalue == pytest.approx(5.0)


def test_power_iteration_keeps_float32_and_does_not_modify_v0():
    d = np.array([4.0, 2.0, 1.0], dtype=np.float32)
    v0 = np.ones(3, dtype=np.float32)
    res = power_iteration(lambda v: d * v, v0, n_iter=40)
    assert res.x.dtype == np.float32 and isinstance(res.eigenvalue, float)
    assert res.eigenvalue == pytest.approx(4.0, rel=1e-6)
    np.testing.assert_array_equal(v0, np.ones(3, dtype=np.float32))
    assert power_iteration(lambda v: d * v, [1, 1, 1]).x.dtype == np.float64


def test_power_iteration_failures_are_reported():
    res = power_iteration(lambda v: np.zeros_like(v), np.ones(2))
    assert not res.success and res.status == 5 and "kernel" in res.message
    assert res.eigenvalue == 0.0
    calls = []

    def blows_up(v):
        calls.append(1)
        return v * (np.inf if len(calls) == 3 else 2.0)

    res = power_iteration(blows_up, np.ones(2), n_iter=10)
    assert not res.success and res.status == 2 and res.nit == 3
    assert res.eigenvalue == pytest.approx(2.0) and np.all(np.isfinite(res.x))
    res = power_iteration(lambda v: np.array([[0.0, 1.0], [1.0, 0.0]]) @ v,
                          np.array([1.0, 0.0]), n_iter=5, tol=1e-8)
    assert not res.success and res.status == 1 and "tol" in res.message


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(matvec=None), TypeError, "matvec"),
    (dict(v0=np.zeros(3)), ValueError, "v0"),
    (dict(v0=[]), ValueError, "v0"),
    (dict(v0=[1.0, np.nan, 0.0]), ValueError, "v0"),
    (dict(v0="abc"), TypeError, "v0"),
    (dict(n_iter=0), ValueError, "n_iter"),
    (dict(n_iter=2.0), TypeError, "n_iter"),
    (dict(tol=-1.0), ValueError, "tol"),
    (dict(matvec=lambda v: v[:2]), ValueError, "matvec"),
])
def test_power_iteration_bad_input(kwargs, error, match):
    args = dict(matvec=lambda v: 2 * v, v0=np.ones(3))
    args.update(kwargs)
    with pytest.raises(error, match=match):
        power_iteration(**args)
