"""Tests of optbook.prox: closed forms, the convex-analysis identities and bad input.

Identities checked (chapter "Convex analysis", chap-convex-analysis):
firm nonexpansiveness, Moreau's decomposition, the variational inequality of
projections, the optimality condition (x - p)/t in dg(p) of the prox, and the
envelope's bound and gradient.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.optimize import brentq, minimize_scalar

from optbook.prox import (
    moreau_envelope,
    moreau_envelope_grad,
    proj_box,
    proj_l1_ball,
    proj_l2_ball,
    proj_simplex,
    prox_elastic_net,
    prox_l1,
    prox_l2,
    prox_linf,
    prox_sq_l2,
)

TOL = 1e-13  # rounding level: about 500 eps times the squared scale of the data

# --------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------

finite = st.floats(-10.0, 10.0, allow_nan=False, allow_infinity=False)
positive = st.floats(0.05, 5.0, allow_nan=False, allow_infinity=False)


@st.composite
def pairs(draw, max_dim=8):
    """Two vectors of the same (random) dimension."""
    d = draw(st.integers(1, max_dim))
    x = draw(hnp.arrays(np.float64, d, elements=finite))
    y = draw(hnp.arrays(np.float64, d, elements=finite))
    return x, y


vectors = hnp.arrays(np.float64, st.integers(1, 8), elements=finite)

# Every prox and projection as a map x -> p(x), with its parameter drawn.
OPERATORS = {
    "prox_l1": lambda x, t: prox_l1(x, t),
    "prox_l2": lambda x, t: prox_l2(x, t),
    "prox_sq_l2": lambda x, t: prox_sq_l2(x, t),
    "prox_linf": lambda x, t: prox_linf(x, t),
    "prox_elastic_net": lambda x, t: prox_elastic_net(x, t, l1_ratio=0.3),
    "proj_box": lambda x, t: proj_box(x, -t, 2.0 * t),
    "proj_l2_ball": lambda x, t: proj_l2_ball(x, t),
    "proj_l1_ball": lambda x, t: proj_l1_ball(x, t),
    "proj_simplex": lambda x, t: proj_simplex(x, t),
}


# --------------------------------------------------------------------------
# closed forms and independent computations
# --------------------------------------------------------------------------


def test_prox_l1_closed_form():
    x = np.array([3.0, -0.5, 1.0, -2.0, 0.0])
    np.testing.assert_allclose(prox_l1(x, 1.0), [2.0, 0.0, 0.0, -1.0, 0.0])
    # per-coordinate thresholds, a zero threshold leaves the coordinate free
    np.testing.assert_allclose(
        prox_l1(x, [0.0, 1.0, 0.25, 3.0, 1.0]), [3.0, 0.0, 0.75, 0.0, 0.0]
    )


def test_prox_l1_matrix_and_scalar_inputs():
    x = np.array([[1.5, -0.2], [-3.0, 0.7]])
    np.testing.assert_allclose(prox_l1(x, 0.5), [[1.0, 0.0], [-2.5, 0.2]])
    # thresholds broadcast along rows
    np.testing.assert_allclose(prox_l1(x, [1.0, 0.0]), [[0.5, -0.2], [-2.0, 0.7]])
    assert float(prox_l1(2.0, 0.5)) == 1.5


def test_prox_l2_closed_form():
    x = np.array([3.0, 4.0])  # norm 5
    np.testing.assert_allclose(prox_l2(x, 1.0), 0.8 * x)
    np.testing.assert_allclose(prox_l2(x, 5.0), [0.0, 0.0])
    np.testing.assert_allclose(prox_l2(x, 7.0), [0.0, 0.0])
    np.testing.assert_allclose(prox_l2(np.zeros(3), 1.0), np.zeros(3))


def test_prox_sq_l2_closed_form():
    x = np.array([2.0, -4.0])
    np.testing.assert_allclose(prox_sq_l2(x, 3.0), x / 4.0)


def _scalar_prox(g, x, t):
    """argmin_u g(u) + (u - x)^2 / (2t) by a 1-D solver (independent check)."""
    res = minimize_scalar(
        lambda u: g(u) + (u - x) ** 2 / (2 * t),
        bounds=(x - 20.0, x + 20.0),
        method="bounded",
        options={"xatol": 1e-11},
    )
    return res.x


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_prox_elastic_net_against_scalar_solver(alpha):
    rng = np.random.default_rng(0)
    x = 3.0 * rng.standard_normal(6)
    t = 0.7
    g = lambda u: alpha * abs(u) + (1 - alpha) / 2 * u**2  # noqa: E731
    expected = [_scalar_prox(g, xi, t) for xi in x]
    np.testing.assert_allclose(prox_elastic_net(x, t, alpha), expected, atol=1e-7)


def test_prox_elastic_net_extreme_ratios():
    x = np.array([2.0, -0.3, 0.9])
    np.testing.assert_allclose(prox_elastic_net(x, 0.5, 1.0), prox_l1(x, 0.5))
    np.testing.assert_allclose(prox_elastic_net(x, 0.5, 0.0), prox_sq_l2(x, 0.5))


def _threshold_by_bisection(a, radius):
    """theta >= 0 with sum(max(a - theta, 0)) = radius, by a root finder."""
    return brentq(lambda th: np.maximum(a - th, 0.0).sum() - radius, -radius - a.max() - 1, a.max())


def test_proj_simplex_against_root_finder():
    rng = np.random.default_rng(0)
    for radius in (1.0, 2.5):
        x = rng.standard_normal(7)
        theta = _threshold_by_bisection(x, radius)
        p = proj_simplex(x, radius)
        np.testing.assert_allclose(p, np.maximum(x - theta, 0.0), atol=1e-10)
        assert np.all(p >= 0)
        assert p.sum() == pytest.approx(radius)


def test_proj_simplex_known_values():
    np.testing.assert_allclose(proj_simplex([0.5, 0.5]), [0.5, 0.5])
    np.testing.assert_allclose(proj_simplex([2.0, 0.0]), [1.0, 0.0])
    np.testing.assert_allclose(proj_simplex([1.0, 1.0, 1.0]), [1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(proj_simplex([-1.0, -1.0]), [0.5, 0.5])
    # large entries: no cancellation
    np.testing.assert_allclose(proj_simplex([1e20, 0.0]), [1.0, 0.0])
    # a single entry
    np.testing.assert_allclose(proj_simplex([5.0], radius=2.0), [2.0])


def test_proj_l1_ball_against_root_finder():
    rng = np.random.default_rng(0)
    x = 2.0 * rng.standard_normal(9)
    radius = 1.5
    theta = _threshold_by_bisection(np.abs(x), radius)
    assert theta > 0
    p = proj_l1_ball(x, radius)
    np.testing.assert_allclose(p, prox_l1(x, theta), atol=1e-10)
    assert np.abs(p).sum() == pytest.approx(radius)


def test_proj_l1_ball_inside_is_identity():
    x = np.array([0.2, -0.3, 0.1])
    np.testing.assert_array_equal(proj_l1_ball(x, 1.0), x)


def test_proj_box_and_l2_ball_closed_forms():
    x = np.array([-3.0, 0.5, 4.0])
    np.testing.assert_allclose(proj_box(x, -1.0, 1.0), [-1.0, 0.5, 1.0])
    np.testing.assert_allclose(
        proj_box(x, [-np.inf, 1.0, 0.0], [np.inf, 2.0, 3.0]), [-3.0, 1.0, 3.0]
    )
    np.testing.assert_allclose(proj_l2_ball([3.0, 4.0], 1.0), [0.6, 0.8])
    np.testing.assert_allclose(proj_l2_ball([0.3, 0.4], 1.0), [0.3, 0.4])


def test_prox_linf_against_epigraph_characterization():
    # prox_{t||.||_inf}(x) clips x at level m, where m solves sum(max(|x| - m, 0)) = t
    rng = np.random.default_rng(0)
    x = 2.0 * rng.standard_normal(6)
    t = 1.0
    m = _threshold_by_bisection(np.abs(x), t)
    np.testing.assert_allclose(prox_linf(x, t), np.clip(x, -m, m), atol=1e-10)
    # when t >= ||x||_1 the prox is 0
    np.testing.assert_allclose(prox_linf(x, np.abs(x).sum() + 1.0), 0.0, atol=1e-12)


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_inputs_are_not_modified(name):
    x = np.array([3.0, -0.5, 1.0, 2.0])
    before = x.copy()
    out = OPERATORS[name](x, 0.7)
    np.testing.assert_array_equal(x, before)
    assert out is not x
    out[...] = 0.0  # writing to the output must not touch the input
    np.testing.assert_array_equal(x, before)


# --------------------------------------------------------------------------
# property tests
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPERATORS))
@settings(max_examples=40, deadline=None)
@given(xy=pairs(), t=positive)
def test_firmly_nonexpansive(name, xy, t):
    """||p(x) - p(y)||^2 <= <p(x) - p(y), x - y> for every prox and projection."""
    x, y = xy
    op = OPERATORS[name]
    dp = op(x, t) - op(y, t)
    lhs = dp @ dp
    rhs = dp @ (x - y)
    assert lhs <= rhs + TOL * (1.0 + np.abs(x).sum() + np.abs(y).sum()) ** 2


@settings(max_examples=50, deadline=None)
@given(x=vectors, t=positive)
def test_moreau_decomposition(x, t):
    """x = prox_{tf}(x) + t prox_{f*/t}(x/t) for three conjugate pairs."""
    # ||.||_1 and the indicator of the unit l_inf ball (a box)
    np.testing.assert_allclose(prox_l1(x, t) + t * proj_box(x / t, -1.0, 1.0), x, atol=1e-13 * (1.0 + np.abs(x).max()))
    # ||.||_2 and the indicator of the unit l_2 ball
    np.testing.assert_allclose(prox_l2(x, t) + t * proj_l2_ball(x / t, 1.0), x, atol=1e-13 * (1.0 + np.abs(x).max()))
    # ||.||^2 / 2 is its own conjugate
    np.testing.assert_allclose(prox_sq_l2(x, t) + t * prox_sq_l2(x / t, 1.0 / t), x, atol=1e-13 * (1.0 + np.abs(x).max()))


def _random_point_in(name, d, radius, rng):
    """A random point of the set that OPERATORS[name] projects onto."""
    if name == "proj_box":
        return rng.uniform(-radius, 2.0 * radius, d)
    if name == "proj_l2_ball":
        u = rng.standard_normal(d)
        return radius * rng.uniform() ** (1.0 / d) * u / np.linalg.norm(u)
    w = rng.dirichlet(np.ones(d))
    if name == "proj_simplex":
        return radius * w
    return radius * rng.uniform() * w * rng.choice([-1.0, 1.0], d)  # l1 ball


@pytest.mark.parametrize("name", ["proj_box", "proj_l2_ball", "proj_l1_ball", "proj_simplex"])
@settings(max_examples=40, deadline=None)
@given(x=vectors, radius=positive, seed=st.integers(0, 2**16))
def test_projection_variational_inequality(name, x, radius, seed):
    """<x - P(x), z - P(x)> <= 0 for z in the set, and P(x) is in the set."""
    rng = np.random.default_rng(seed)
    p = OPERATORS[name](x, radius)
    scale = 1.0 + np.abs(x).sum() + radius
    # P(x) belongs to the set
    if name == "proj_box":
        assert np.all(p >= -radius) and np.all(p <= 2.0 * radius)
    elif name == "proj_l2_ball":
        assert np.linalg.norm(p) <= radius * (1 + 1e-12)
    elif name == "proj_l1_ball":
        assert np.abs(p).sum() <= radius * (1 + 1e-12)
    else:
        assert np.all(p >= 0) and p.sum() == pytest.approx(radius)
    for _ in range(5):
        z = _random_point_in(name, x.size, radius, rng)
        assert (x - p) @ (z - p) <= TOL * scale**2


@settings(max_examples=50, deadline=None)
@given(x=vectors, t=positive)
def test_prox_optimality_conditions(x, t):
    """(x - p) / t is a subgradient of the penalty at p = prox_{t g}(x)."""
    atol = 1e-13 * (1.0 + np.abs(x).max())
    # l1: v_i = sign(p_i) where p_i != 0, |v_i| <= 1 elsewhere
    p = prox_l1(x, t)
    v = (x - p) / t
    nz = p != 0
    np.testing.assert_allclose(v[nz], np.sign(p[nz]), atol=atol)
    assert np.all(np.abs(v[~nz]) <= 1 + atol)
    # l2: v = p / ||p|| if p != 0, ||v|| <= 1 otherwise
    p = prox_l2(x, t)
    v = (x - p) / t
    if np.linalg.norm(p) > 0:
        np.testing.assert_allclose(v, p / np.linalg.norm(p), atol=atol)
    else:
        assert np.linalg.norm(v) <= 1 + atol
    # l_inf: v is in the unit l1 ball, and <v, p> = ||p||_inf (then ||v||_1 = 1 if p != 0)
    p = prox_linf(x, t)
    v = (x - p) / t
    assert np.abs(v).sum() <= 1 + atol
    assert v @ p == pytest.approx(np.abs(p).max(), abs=1e-13 * (1 + np.abs(x).max()) ** 2)
    # elastic net with alpha = 0.4: v - (1 - alpha) p in alpha * d||.||_1(p)
    alpha = 0.4
    p = prox_elastic_net(x, t, alpha)
    w = (x - p) / t - (1 - alpha) * p
    nz = p != 0
    np.testing.assert_allclose(w[nz], alpha * np.sign(p[nz]), atol=atol)
    assert np.all(np.abs(w[~nz]) <= alpha + atol)


# --------------------------------------------------------------------------
# Moreau envelope
# --------------------------------------------------------------------------


def l1_value(u):
    return float(np.abs(u).sum())


def l2_value(u):
    return float(np.linalg.norm(u))


def test_envelope_of_abs_is_huber():
    t = 0.5
    for x, huber in [(0.2, 0.2**2 / (2 * t)), (-0.4, 0.4**2 / (2 * t)), (3.0, 3.0 - t / 2)]:
        assert moreau_envelope(l1_value, prox_l1, [x], t) == pytest.approx(huber)


@pytest.mark.parametrize(
    "value, prox", [(l1_value, prox_l1), (l2_value, prox_l2)], ids=["l1", "l2"]
)
@settings(max_examples=30, deadline=None)
@given(x=vectors, t=positive)
def test_envelope_bounds_and_gradient(value, prox, x, t):
    env = moreau_envelope(value, prox, x, t)
    # env_t f <= f and env_t f >= f(prox) (both parts of the objective are >= 0)
    assert env <= value(x) + 1e-12
    assert env >= value(prox(x, t)) - 1e-12
    # gradient (x - prox)/t agrees with central finite differences
    grad = moreau_envelope_grad(prox, x, t)
    h = 1e-6
    eye = np.eye(x.size)
    fd = np.array(
        [
            (moreau_envelope(value, prox, x + h * e, t) - moreau_envelope(value, prox, x - h * e, t))
            / (2 * h)
            for e in eye
        ]
    )
    np.testing.assert_allclose(grad, fd, atol=1e-4 * (1.0 + 1.0 / t))


def test_envelope_gradient_is_lipschitz_with_constant_one_over_t():
    rng = np.random.default_rng(0)
    t = 0.3
    for _ in range(20):
        x, y = 2 * rng.standard_normal((2, 5))
        gx = moreau_envelope_grad(prox_l2, x, t)
        gy = moreau_envelope_grad(prox_l2, y, t)
        assert np.linalg.norm(gx - gy) <= np.linalg.norm(x - y) / t + 1e-12


# --------------------------------------------------------------------------
# bad input: one test per error path
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_nan_in_x(name):
    with pytest.raises(ValueError, match="x must contain only finite values"):
        OPERATORS[name](np.array([1.0, np.nan]), 1.0)


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_infinite_x(name):
    with pytest.raises(ValueError, match="x must contain only finite values"):
        OPERATORS[name](np.array([1.0, np.inf]), 1.0)


@pytest.mark.parametrize("func", [prox_l1, prox_l2, prox_sq_l2, prox_linf, prox_elastic_net])
@pytest.mark.parametrize("t", [0.0, -1.0, np.nan, np.inf])
def test_nonpositive_or_nonfinite_t(func, t):
    with pytest.raises(ValueError, match="t must be"):
        func(np.ones(3), t)


@pytest.mark.parametrize("func", [prox_l1, prox_l2, prox_sq_l2, prox_linf, prox_elastic_net])
def test_t_not_a_number(func):
    with pytest.raises(TypeError, match="t must be a real number"):
        func(np.ones(3), "1.0")


def test_x_not_numeric():
    with pytest.raises(TypeError, match="x must be a numeric array"):
        prox_l1("abc", 1.0)
    with pytest.raises(TypeError, match="x must be a numeric array"):
        proj_simplex(None)


def test_prox_l1_threshold_array_errors():
    with pytest.raises(ValueError, match="t must be a scalar or an array broadcastable"):
        prox_l1(np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="t must be a scalar or an array broadcastable"):
        prox_l1(np.ones(3), np.ones((2, 3)))  # would enlarge the output
    with pytest.raises(ValueError, match="t must have nonnegative entries"):
        prox_l1(np.ones(3), [1.0, -1.0, 1.0])
    with pytest.raises(ValueError, match="t must contain only finite values"):
        prox_l1(np.ones(3), [1.0, np.nan, 1.0])


@pytest.mark.parametrize("l1_ratio", [-0.1, 1.5, np.nan])
def test_elastic_net_ratio_out_of_range(l1_ratio):
    with pytest.raises(ValueError, match="l1_ratio must"):
        prox_elastic_net(np.ones(3), 1.0, l1_ratio)


@pytest.mark.parametrize("func", [proj_l2_ball, proj_l1_ball, proj_simplex])
@pytest.mark.parametrize("radius", [0.0, -2.0, np.inf])
def test_bad_radius(func, radius):
    with pytest.raises(ValueError, match="radius must be"):
        func(np.ones(3), radius)


def test_proj_simplex_empty():
    with pytest.raises(ValueError, match="at least one entry"):
        proj_simplex(np.array([]))


def test_proj_box_errors():
    x = np.zeros(3)
    with pytest.raises(ValueError, match="lower must be <= upper"):
        proj_box(x, 1.0, 0.0)
    with pytest.raises(ValueError, match="lower must be <= upper"):
        proj_box(x, [0.0, 2.0, 0.0], 1.0)
    with pytest.raises(ValueError, match="lower must not contain NaN"):
        proj_box(x, np.nan, 1.0)
    with pytest.raises(ValueError, match="upper must not contain NaN"):
        proj_box(x, 0.0, [1.0, np.nan, 1.0])
    with pytest.raises(ValueError, match="lower must be a scalar or an array broadcastable"):
        proj_box(x, np.zeros(2), 1.0)
    with pytest.raises(ValueError, match="upper must be a scalar or an array broadcastable"):
        proj_box(x, 0.0, np.ones((2, 3)))
    with pytest.raises(TypeError, match="lower must be a numeric array"):
        proj_box(x, "a", 1.0)


def test_moreau_envelope_errors():
    x = np.ones(2)
    with pytest.raises(TypeError, match="value must be callable"):
        moreau_envelope(1.0, prox_l1, x, 1.0)
    with pytest.raises(TypeError, match="prox must be callable"):
        moreau_envelope(l1_value, None, x, 1.0)
    with pytest.raises(TypeError, match="prox must be callable"):
        moreau_envelope_grad(None, x, 1.0)
    with pytest.raises(ValueError, match="t must be positive"):
        moreau_envelope(l1_value, prox_l1, x, 0.0)
    with pytest.raises(ValueError, match="t must be positive"):
        moreau_envelope_grad(prox_l1, x, -1.0)
    with pytest.raises(ValueError, match="x must contain only finite values"):
        moreau_envelope(l1_value, prox_l1, [np.nan, 1.0], 1.0)
    with pytest.raises(ValueError, match=r"prox\(x, t\) must return an array of the shape of x"):
        moreau_envelope(l1_value, lambda x, t: np.zeros(3), x, 1.0)
    with pytest.raises(ValueError, match=r"prox\(x, t\) must return an array of the shape of x"):
        moreau_envelope_grad(lambda x, t: np.zeros(3), x, 1.0)
    with pytest.raises(ValueError, match=r"prox\(x, t\) must contain only finite values"):
        moreau_envelope_grad(lambda x, t: np.full(2, np.nan), x, 1.0)
    with pytest.raises(ValueError, match=r"value\(u\) must return a number"):
        moreau_envelope(lambda u: u, prox_l1, x, 1.0)
