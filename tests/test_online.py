"""Unit tests, reference comparisons and bad input of :mod:`optbook.online`."""

import functools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import optbook
from optbook.online import exp3, ftrl, hedge, online_gradient_descent, regret
from optbook.prox import proj_box, proj_l2_ball


def linear(gs):
    return lambda t, x: gs[t - 1]


# ---------------------------------------------------------------------------
# online gradient descent
# ---------------------------------------------------------------------------


def test_ogd_matches_hand_recursion():
    rng = np.random.default_rng(0)
    gs = rng.standard_normal((30, 3))
    proj = functools.partial(proj_l2_ball, radius=0.5)
    xs = online_gradient_descent(linear(gs), np.zeros(3), lambda t: 0.3 / math.sqrt(t), 30, proj)
    x = np.zeros(3)
    for t in range(1, 31):
        np.testing.assert_allclose(xs[t - 1], x, rtol=1e-14, atol=1e-15)
        x = proj_l2_ball(x - 0.3 / math.sqrt(t) * gs[t - 1], 0.5)
    assert xs.shape == (30, 3)


def test_ogd_first_row_is_x0_and_oracle_rounds():
    seen = []

    def subgrad(t, x):
        seen.append(t)
        return np.ones_like(x)

    x0 = np.array([1.0, 2.0])
    xs = online_gradient_descent(subgrad, x0, 0.5, 4)
    np.testing.assert_array_equal(xs[0], x0)
    np.testing.assert_allclose(xs[-1], x0 - 1.5)
    assert seen == [1, 2, 3]  # the last loss is never needed to play
    np.testing.assert_array_equal(x0, [1.0, 2.0])  # not modified


def test_ogd_is_subgradient_descent_without_projection():
    """Unconstrained OGD on a fixed loss is the subgradient method of chapter 2."""
    f_grad = lambda x: 2 * (x - 1.0)  # noqa: E731
    xs = online_gradient_descent(lambda t, x: f_grad(x), np.zeros(2), 0.1, 21)
    res = optbook.subgradient_descent(f_grad, np.zeros(2), 0.1, max_iter=20)
    np.testing.assert_allclose(xs[-1], res.x, rtol=1e-14)


def test_ogd_scalar_x0_and_diverging_run():
    xs = online_gradient_descent(lambda t, x: np.array([1.0]), 0.0, 1.0, 3)
    assert xs.shape == (3, 1)
    with pytest.raises(FloatingPointError, match="diverged"):
        online_gradient_descent(lambda t, x: x * 1e200, np.ones(1), 1e200, 5)


# ---------------------------------------------------------------------------
# FTRL
# ---------------------------------------------------------------------------


def test_ftrl_euclidean_is_lazy_projection():
    rng = np.random.default_rng(1)
    gs = rng.standard_normal((20, 2))
    proj = functools.partial(proj_box, lower=-0.3, upper=0.3)
    xs = ftrl(linear(gs), np.zeros(2), 0.2, 20, proj=proj)
    G = np.cumsum(gs, axis=0)
    np.testing.assert_allclose(xs[1:], np.clip(-0.2 * G[:-1], -0.3, 0.3), rtol=1e-14)


def test_ftrl_unconstrained_equals_ogd_constant_step():
    """Without constraints, lazy and greedy projections coincide on linear losses."""
    gs = np.random.default_rng(2).standard_normal((15, 3))
    np.testing.assert_allclose(ftrl(linear(gs), np.ones(3), 0.1, 15),
                               online_gradient_descent(linear(gs), np.ones(3), 0.1, 15), rtol=1e-13)


def test_ftrl_entropy_is_hedge_and_stable():
    losses = np.random.default_rng(3).random((40, 5))
    x0 = np.full(5, 0.2)
    np.testing.assert_allclose(ftrl(linear(losses), x0, 0.7, 40, regularizer="entropy"),
                               hedge(losses, 0.7), rtol=1e-12)
    big = ftrl(linear(losses), x0, 1e8, 40, regularizer="entropy")
    assert np.all(np.isfinite(big)) and np.allclose(big.sum(axis=1), 1)


def test_ftrl_entropy_prior():
    x0 = np.array([0.7, 0.2, 0.1])
    gs = np.tile([1.0, 0.0, 0.5], (3, 1))
    xs = ftrl(linear(gs), x0, 0.5, 3, regularizer="entropy")
    w = x0 * np.exp(-0.5 * 2 * gs[0])
    np.testing.assert_allclose(xs[2], w / w.sum(), rtol=1e-13)


def test_ftrl_adagrad_formula():
    gs = np.array([[1.0, 0.0], [-2.0, 0.0], [0.5, 0.1]])
    proj = functools.partial(proj_box, lower=-10.0, upper=10.0)
    xs = ftrl(linear(gs), np.zeros(2), 1.0, 4, regularizer="adagrad", proj=proj, delta=0.5)
    G, s = np.cumsum(gs, axis=0), np.cumsum(gs**2, axis=0)
    np.testing.assert_allclose(xs[1:], -G / np.sqrt(0.5 + s), rtol=1e-14)
    # delta = 0 and a coordinate that never moved: it stays at x0
    xs0 = ftrl(linear(gs), np.ones(2), 1.0, 2, regularizer="adagrad")
    np.testing.assert_allclose(xs0[1], [0.0, 1.0])


class EuclideanMap:
    """h(x) = ||x||^2 / 2: grad = grad_conj = identity."""

    def value(self, x):
        return 0.5 * float(x @ x)

    def grad(self, x):
        return x

    def grad_conj(self, theta):
        return theta


def test_ftrl_mirror_map_and_callable_argmin():
    gs = np.random.default_rng(4).standard_normal((10, 2))
    x0 = np.array([0.5, -0.5])
    ref = ftrl(linear(gs), x0, 0.3, 10)
    np.testing.assert_allclose(ftrl(linear(gs), x0, 0.3, 10, regularizer=EuclideanMap()), ref,
                               rtol=1e-14)
    # callable argmin of <theta, x> + ||x - x0||^2/2 is x0 - theta
    np.testing.assert_allclose(ftrl(linear(gs), x0, 0.3, 10, regularizer=lambda th: x0 - th), ref,
                               rtol=1e-14)


# ---------------------------------------------------------------------------
# Hedge, EXP3, regret
# ---------------------------------------------------------------------------


def test_hedge_matches_loop_and_uses_only_past_losses():
    losses = np.random.default_rng(5).random((25, 4))
    w = hedge(losses, 0.9)
    L = np.zeros(4)
    for t in range(25):
        p = np.exp(-0.9 * L)
        np.testing.assert_allclose(w[t], p / p.sum(), rtol=1e-12)
        L += losses[t]
    changed = losses.copy()
    changed[-1] = 1 - changed[-1]
    np.testing.assert_array_equal(hedge(changed, 0.9), w)  # row t ignores the loss of round t


@given(st.floats(1e-3, 1e12), st.integers(1, 30), st.integers(1, 6), st.integers(0, 100))
@settings(max_examples=40, deadline=None)
def test_hedge_rows_are_probability_vectors(eta, T, N, seed):
    losses = np.random.default_rng(seed).random((T, N))
    w = hedge(losses, eta)
    assert w.shape == (T, N) and np.all(np.isfinite(w)) and np.all(w >= 0)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, rtol=1e-12)


def test_hedge_large_eta_is_follow_the_leader():
    losses = np.array([[1.0, 0.0, 0.5], [0.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    w = hedge(losses, 1e9)
    np.testing.assert_allclose(w[0], [1 / 3] * 3)
    np.testing.assert_allclose(w[1], [0, 1, 0])
    np.testing.assert_allclose(w[2], [0, 1, 0])


def test_hedge_float32_losses():
    w = hedge(np.random.default_rng(6).random((5, 3)).astype(np.float32), 1.0)
    assert np.all(np.isfinite(w))


def test_exp3_seeded_and_unbiased_estimates():
    losses = np.random.default_rng(7).random((200, 3))
    a1, p1 = exp3(losses, 0.1, seed=4)
    a2, p2 = exp3(losses, 0.1, seed=4)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(p1, p2)
    assert a1.shape == (200,) and p1.shape == (200, 3)
    np.testing.assert_allclose(p1.sum(axis=1), 1.0)
    assert not np.array_equal(exp3(losses, 0.1, seed=5)[0], a1)
    # the estimate l_{I_t}/p_{t,I_t} on the drawn arm is unbiased: averaged over many seeds
    est = np.zeros(3)
    for seed in range(3000):
        a, p = exp3(losses[:1], 0.1, seed=seed)
        est[a[0]] += losses[0, a[0]] / p[0, a[0]]
    np.testing.assert_allclose(est / 3000, losses[0], rtol=0.15)


def test_exp3_gamma_mixes_uniform_and_large_eta_is_stable():
    losses = np.zeros((30, 4))
    losses[:, 1:] = 1.0
    _, p = exp3(losses, 50.0, gamma=0.2, seed=0)
    assert np.all(p >= 0.05 - 1e-15) and np.all(np.isfinite(p))
    _, p = exp3(losses, 1e6, seed=0)
    assert np.all(np.isfinite(p))


def test_regret_is_cumulative_difference():
    np.testing.assert_allclose(regret([1.0, 0.5, 0.2], [0.5, 0.5, 0.0]), [0.5, 0.5, 0.7])


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------


ZERO = lambda t, x: np.zeros_like(x)  # noqa: E731


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(subgrad=None), TypeError, "subgrad"),
    (dict(x0=[np.nan]), ValueError, "x0"),
    (dict(x0=np.zeros((2, 2))), ValueError, "x0"),
    (dict(x0="a"), TypeError, "x0"),
    (dict(step=0.0), ValueError, "step"),
    (dict(step=-1.0), ValueError, "step"),
    (dict(step="1"), TypeError, "step"),
    (dict(step=lambda t: -1.0), ValueError, "step"),
    (dict(T=0), ValueError, "T"),
    (dict(T=2.5), TypeError, "T"),
    (dict(proj=3), TypeError, "proj"),
    (dict(proj=lambda v: v[:1]), ValueError, "proj"),
    (dict(subgrad=lambda t, x: np.ones(5)), ValueError, "subgrad"),
    (dict(subgrad=lambda t, x: np.full_like(x, np.inf)), ValueError, "subgrad"),
])
def test_ogd_bad_input(kwargs, exc, match):
    args = dict(subgrad=ZERO, x0=np.zeros(2), step=0.1, T=3, proj=None)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        online_gradient_descent(**args)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(subgrad=1), TypeError, "subgrad"),
    (dict(x0=[np.inf, 0.0]), ValueError, "x0"),
    (dict(eta=0.0), ValueError, "eta"),
    (dict(eta=lambda t: 1.0), TypeError, "eta"),
    (dict(T=0), ValueError, "T"),
    (dict(delta=-1.0), ValueError, "delta"),
    (dict(regularizer="l3"), ValueError, "regularizer"),
    (dict(regularizer=3.0), TypeError, "regularizer"),
    (dict(regularizer="entropy"), ValueError, "x0"),  # x0 = zeros is not in the simplex interior
    (dict(regularizer="entropy", x0=[0.5, 0.5], proj=lambda v: v), ValueError, "proj"),
    (dict(regularizer=lambda th: np.zeros(3)), ValueError, "shape"),
    (dict(regularizer=EuclideanMap(), proj=lambda v: v), ValueError, "proj"),
    (dict(proj="box"), TypeError, "proj"),
])
def test_ftrl_bad_input(kwargs, exc, match):
    args = dict(subgrad=lambda t, x: np.ones_like(x), x0=np.zeros(2), eta=0.1, T=3)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        ftrl(**args)


@pytest.mark.parametrize("losses, eta, exc, match", [
    (np.ones((3, 2)) * 1.5, 1.0, ValueError, r"\[0, 1\]"),
    (-np.ones((3, 2)), 1.0, ValueError, r"\[0, 1\]"),
    (np.ones(3), 1.0, ValueError, "losses"),
    (np.zeros((0, 2)), 1.0, ValueError, "losses"),
    (np.full((2, 2), np.nan), 1.0, ValueError, "losses"),
    ("abc", 1.0, TypeError, "losses"),
    (np.ones((3, 2)), 0.0, ValueError, "eta"),
    (np.ones((3, 2)), -2.0, ValueError, "eta"),
    (np.ones((3, 2)), np.inf, ValueError, "eta"),
    (np.ones((3, 2)), None, TypeError, "eta"),
])
def test_hedge_and_exp3_bad_input(losses, eta, exc, match):
    with pytest.raises(exc, match=match):
        hedge(losses, eta)
    with pytest.raises(exc, match=match):
        exp3(losses, eta)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(gamma=1.5), ValueError, "gamma"),
    (dict(gamma=-0.1), ValueError, "gamma"),
    (dict(gamma="a"), TypeError, "gamma"),
    (dict(seed=-1), ValueError, "seed"),
    (dict(seed=1.5), TypeError, "seed"),
])
def test_exp3_bad_options(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        exp3(np.ones((3, 2)), 0.1, **kwargs)


@pytest.mark.parametrize("a, b, exc, match", [
    ([1.0, 2.0], [1.0], ValueError, "same shape"),
    (np.ones((2, 2)), np.ones((2, 2)), ValueError, "loss_of_played"),
    ([1.0, np.nan], [0.0, 0.0], ValueError, "loss_of_played"),
    ([1.0], [np.inf], ValueError, "loss_of_comparator"),
    ([], [], ValueError, "at least one"),
    (None, [1.0], TypeError, "loss_of_played"),
])
def test_regret_bad_input(a, b, exc, match):
    with pytest.raises(exc, match=match):
        regret(a, b)
