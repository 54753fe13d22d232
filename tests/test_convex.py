"""Tests of optbook.convex: discrete conjugates, infimal convolutions and envelopes
against closed forms (chapter "Convex analysis", chap-convex-analysis)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optbook.convex import (
    conjugate_1d,
    infimal_convolution_1d,
    moreau_envelope_1d,
    one_sided_derivatives_1d,
)
from optbook.prox import moreau_envelope, prox_l1

GRID = np.linspace(-6.0, 6.0, 2401)  # spacing h = 0.005
H = GRID[1] - GRID[0]


def softplus(x):
    return np.logaddexp(0.0, x)


def neg_binary_entropy(s):
    return s * np.log(s) + (1 - s) * np.log1p(-s)


# (f, closed-form conjugate, slopes where the maximizer lies inside GRID)
CONJUGATE_PAIRS = {
    "square": (lambda x: x**2 / 2, lambda s: s**2 / 2, np.linspace(-5, 5, 41)),
    "quadratic": (lambda x: 2 * x**2 - x, lambda s: (s + 1) ** 2 / 8, np.linspace(-20, 20, 41)),
    "exp": (np.exp, lambda s: s * np.log(s) - s, np.linspace(0.05, 50, 41)),
    "softplus": (softplus, neg_binary_entropy, np.linspace(0.01, 0.99, 41)),
    "abs": (np.abs, lambda s: np.zeros_like(s), np.linspace(-1, 1, 41)),
}


@pytest.mark.parametrize("name", sorted(CONJUGATE_PAIRS))
def test_conjugate_against_closed_form(name):
    f, fstar, slopes = CONJUGATE_PAIRS[name]
    approx = conjugate_1d(f, GRID, slopes)
    exact = fstar(slopes)
    # a max over fewer points: never above the exact conjugate ...
    assert np.all(approx <= exact + 1e-10)
    # ... and within O(h^2 f'') of it for smooth f (exact for |x|: x = 0 is on the grid)
    curvature = {"square": 1, "quadratic": 4, "exp": 50, "softplus": 0.25, "abs": 0}[name]
    np.testing.assert_allclose(approx, exact, atol=curvature * H**2 + 1e-10)


def test_conjugate_of_indicator_is_support_function():
    a, b = -1.0, 2.0
    values = np.where((GRID >= a) & (GRID <= b), 0.0, np.inf)
    slopes = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(conjugate_1d(values, GRID, slopes), np.maximum(a * slopes, b * slopes))


@pytest.mark.parametrize("name", sorted(CONJUGATE_PAIRS))
def test_fenchel_young(name):
    """f(x) + f*(s) >= s x for all x, with equality at the maximizer x(s)."""
    f, _, slopes = CONJUGATE_PAIRS[name]
    fs, xs = conjugate_1d(f, GRID, slopes, return_argmax=True)
    xs_grid = np.linspace(-5, 5, 101)
    gap = f(xs_grid)[None, :] + fs[:, None] - slopes[:, None] * xs_grid[None, :]
    # inequality at points of the grid (f* is the max over the grid)
    on_grid = np.isin(xs_grid, GRID)
    assert np.all(gap[:, on_grid] >= -1e-10)
    # equality at the returned maximizer
    np.testing.assert_allclose(f(xs) + fs, slopes * xs, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(s=st.floats(-4.0, 4.0), x=st.floats(-5.0, 5.0))
def test_fenchel_young_square(s, x):
    """For f = x^2/2 the discrete conjugate still satisfies f(x) + f*(s) >= s x up to O(h^2)."""
    fs = conjugate_1d(lambda u: u**2 / 2, GRID, [s])[0]
    assert x**2 / 2 + fs >= s * x - H**2


def test_biconjugate_is_convex_envelope():
    # double well: (x^2 - 1)^2, whose convex envelope is 0 on [-1, 1] and f outside
    f = lambda x: (x**2 - 1) ** 2  # noqa: E731
    grid = np.linspace(-2.0, 2.0, 801)
    slopes = np.linspace(-30, 30, 3001)
    fs = conjugate_1d(f, grid, slopes)
    fss = conjugate_1d(fs, slopes, grid)
    hull = np.where(np.abs(grid) <= 1, 0.0, f(grid))
    # f** <= f everywhere and equals the hull up to the discretization
    assert np.all(fss <= f(grid) + 1e-10)
    np.testing.assert_allclose(fss, hull, atol=2e-3)


def test_biconjugate_of_convex_function_is_itself():
    grid = np.linspace(-2.0, 2.0, 401)
    slopes = np.linspace(-10, 10, 2001)
    fss = conjugate_1d(conjugate_1d(np.abs, grid, slopes), slopes, grid)
    np.testing.assert_allclose(fss, np.abs(grid), atol=1e-10)


def test_inf_convolution_abs_square_is_huber():
    x = np.linspace(-4, 4, 81)
    huber = np.where(np.abs(x) <= 1, x**2 / 2, np.abs(x) - 0.5)
    values = infimal_convolution_1d(np.abs, lambda u: u**2 / 2, GRID, x=x)
    assert np.all(values >= huber - 1e-12)  # a min over fewer points
    np.testing.assert_allclose(values, huber, atol=H**2)


def test_inf_convolution_indicator_abs_is_distance():
    a, b = -1.0, 0.5
    values = np.where((GRID >= a) & (GRID <= b), 0.0, np.inf)
    x = np.linspace(-4, 4, 33)
    dist = np.maximum(np.maximum(a - x, x - b), 0.0)
    np.testing.assert_allclose(infimal_convolution_1d(values, np.abs, GRID, x=x), dist, atol=1e-12)


def test_inf_convolution_conjugate_is_sum_of_conjugates():
    """(f □ g)* = f* + g* for f = |x| and g = x^2/2 (slopes in [-1, 1])."""
    grid = np.linspace(-4, 4, 801)
    fg = infimal_convolution_1d(np.abs, lambda u: u**2 / 2, grid)
    slopes = np.linspace(-1, 1, 21)
    np.testing.assert_allclose(conjugate_1d(fg, grid, slopes), 0.0 + slopes**2 / 2, atol=1e-4)


def test_inf_convolution_argmin_and_default_points():
    values, argmin = infimal_convolution_1d(np.abs, lambda u: u**2 / 2, GRID, return_argmin=True)
    assert values.shape == GRID.shape
    # the minimizer y of |y| + (x - y)^2 / 2 is the soft-thresholding of x
    np.testing.assert_allclose(argmin, prox_l1(GRID, 1.0), atol=1e-12)


@pytest.mark.parametrize("t", [0.25, 1.0, 3.0])
def test_moreau_envelope_1d_matches_prox_module(t):
    x = np.linspace(-5, 5, 41)  # points of GRID
    env, prox = moreau_envelope_1d(np.abs, GRID, t, x=x, return_prox=True)
    exact = np.array([moreau_envelope(lambda u: np.abs(u).sum(), prox_l1, [xi], t) for xi in x])
    np.testing.assert_allclose(env, exact, atol=1e-12)
    np.testing.assert_allclose(prox, prox_l1(x, t), atol=1e-12)


def test_moreau_envelope_1d_nonconvex_hard_thresholding():
    """The prox of t * 1{x != 0} is hard thresholding at sqrt(2t)."""
    t = 0.5  # threshold 1
    l0 = lambda u: (u != 0).astype(float)  # noqa: E731
    x = np.array([-2.0, -1.5, -0.5, 0.0, 0.25, 0.75, 1.25, 3.0])
    env, prox = moreau_envelope_1d(l0, GRID, t, x=x, return_prox=True)
    np.testing.assert_allclose(prox, np.where(np.abs(x) > 1.0, x, 0.0))
    np.testing.assert_allclose(env, np.minimum(x**2 / (2 * t), 1.0))


def test_envelope_below_function_and_same_minimizer():
    f = lambda x: np.abs(x - 1.0) + 0.5 * np.maximum(x, 0) ** 2  # noqa: E731
    env = moreau_envelope_1d(f, GRID, 0.7)
    assert np.all(env <= f(GRID) + 1e-12)
    assert GRID[np.argmin(env)] == pytest.approx(GRID[np.argmin(f(GRID))])
    assert env.min() == pytest.approx(f(GRID).min())


def test_one_sided_derivatives():
    left, right = one_sided_derivatives_1d(np.abs, [0.0, 1.0, -2.0])
    np.testing.assert_allclose(left, [-1.0, 1.0, -1.0])
    np.testing.assert_allclose(right, [1.0, 1.0, -1.0])
    f = lambda x: np.maximum(x, 2 * x) + x**2  # noqa: E731 kink at 0
    left, right = one_sided_derivatives_1d(f, 0.0, h=1e-7)
    assert float(left) == pytest.approx(1.0, abs=1e-6)
    assert float(right) == pytest.approx(2.0, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(x=st.floats(-3.0, 3.0), h=st.floats(1e-6, 1e-1))
def test_one_sided_quotients_bracket_derivative(x, h):
    """For a convex f, left quotient <= f'(x) <= right quotient."""
    left, right = one_sided_derivatives_1d(np.exp, x, h=h)
    assert left <= np.exp(x) * (1 + 1e-9) and np.exp(x) <= right * (1 + 1e-9)


def test_inputs_not_modified():
    grid = GRID.copy()
    values = np.abs(grid)
    before = values.copy()
    conjugate_1d(values, grid, [0.5])
    infimal_convolution_1d(values, np.abs, grid)
    np.testing.assert_array_equal(grid, GRID)
    np.testing.assert_array_equal(values, before)

    def mutating(u):
        u += 1.0
        return np.abs(u)

    conjugate_1d(mutating, grid, [0.5])
    one_sided_derivatives_1d(mutating, grid)
    np.testing.assert_array_equal(grid, GRID)


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------


def test_bad_grid():
    with pytest.raises(ValueError, match="grid must have 1 dimension"):
        conjugate_1d(np.abs, np.zeros((2, 2)), [0.0])
    with pytest.raises(ValueError, match="grid must contain at least one point"):
        conjugate_1d(np.abs, [], [0.0])
    with pytest.raises(ValueError, match="grid must contain only finite values"):
        conjugate_1d(np.abs, [0.0, np.nan], [0.0])
    with pytest.raises(ValueError, match="slopes must have 1 dimension"):
        conjugate_1d(np.abs, GRID, 0.0)
    with pytest.raises(ValueError, match="x must contain only finite values"):
        infimal_convolution_1d(np.abs, np.abs, GRID, x=[np.inf])


def test_bad_function_values():
    with pytest.raises(ValueError, match="f must be vectorized"):
        conjugate_1d(lambda x: 0.0, GRID, [0.0])
    with pytest.raises(ValueError, match="f must be a callable or an array of values on the grid"):
        conjugate_1d(np.zeros(3), GRID, [0.0])
    with pytest.raises(ValueError, match=r"f must take values in \(-inf, \+inf\]"):
        conjugate_1d(lambda x: np.where(x < 0, np.nan, x), GRID, [0.0])
    with pytest.raises(ValueError, match=r"f must take values in \(-inf, \+inf\]"):
        conjugate_1d(np.where(GRID == GRID[0], -np.inf, 0.0), GRID, [0.0])
    with pytest.raises(ValueError, match="f must be finite at one grid point"):
        conjugate_1d(np.full(GRID.shape, np.inf), GRID, [0.0])
    with pytest.raises(TypeError, match="f must be a numeric array"):
        conjugate_1d("abs", GRID, [0.0])


def test_bad_second_function():
    with pytest.raises(TypeError, match="g must be callable"):
        infimal_convolution_1d(np.abs, np.zeros(3), GRID)
    with pytest.raises(ValueError, match="g must be vectorized"):
        infimal_convolution_1d(np.abs, lambda u: 1.0, GRID)
    with pytest.raises(ValueError, match=r"g must take values in \(-inf, \+inf\]"):
        infimal_convolution_1d(np.abs, lambda u: np.full(u.shape, np.nan), GRID)


@pytest.mark.parametrize("t", [0.0, -1.0, np.nan])
def test_bad_envelope_parameter(t):
    with pytest.raises(ValueError, match="t must be"):
        moreau_envelope_1d(np.abs, GRID, t)


def test_bad_one_sided_inputs():
    with pytest.raises(TypeError, match="f must be callable"):
        one_sided_derivatives_1d(1.0, 0.0)
    with pytest.raises(ValueError, match="h must be positive"):
        one_sided_derivatives_1d(np.abs, 0.0, h=0.0)
    with pytest.raises(ValueError, match="x must contain only finite values"):
        one_sided_derivatives_1d(np.abs, [np.nan])
    with pytest.raises(ValueError, match="f must be vectorized"):
        one_sided_derivatives_1d(lambda x: np.zeros(4), [0.0, 1.0])
