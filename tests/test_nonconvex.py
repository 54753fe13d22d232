"""Unit, reference and bad-input tests of :mod:`optbook.nonconvex`."""

import itertools

import numpy as np
import pytest

import optbook.autodiff as ad
from optbook import nonconvex as nc

# a strict saddle at 0, minimizers (0, +-1): f(x, y) = x^2/2 - y^2/2 + y^4/4
saddle_f = lambda z: z[0] ** 2 / 2 - z[1] ** 2 / 2 + z[1] ** 4 / 4  # noqa: E731
saddle_grad = lambda z: np.array([z[0], -z[1] + z[1] ** 3])  # noqa: E731


def rosenbrock_l1(w=8.0):
    f = lambda x: w * abs(x[0] ** 2 - x[1]) + (1 - x[0]) ** 2  # noqa: E731

    def grad(x):
        s = np.sign(x[0] ** 2 - x[1])
        return np.array([2 * w * s * x[0] - 2 * (1 - x[0]), -w * s])
    return f, grad


def sampled_identity_field():
    """F(x) = x^2/2 + x = mean of two programs whose AD derivative at 0 is 0."""
    g1 = ad.grad(lambda x: ad.sum(x ** 2) / 2 + 2 * ad.sum(ad.relu(x)))
    g2 = ad.grad(lambda x: ad.sum(x ** 2) / 2 - 2 * ad.sum(ad.relu(-x)))
    return lambda x, rng: g1(x) if rng.random() < 0.5 else g2(x)


# --------------------------------------------------------------------------- PGD

def test_pgd_escapes_a_strict_saddle_and_gd_does_not():
    res = nc.perturbed_gradient_descent(saddle_grad, [0.0, 0.0], 0.5, 1e-2, 1e-3, 20,
                                        max_iter=300, seed=0)
    assert res.success and res.perturbations[0] == 0
    # the perturbations added near the minimizer have radius 1e-2
    np.testing.assert_allclose(np.abs(res.x), [0.0, 1.0], atol=1e-2)
    from optbook.first_order import gradient_descent
    gd = gradient_descent(saddle_grad, np.zeros(2), 0.5, max_iter=300)
    np.testing.assert_array_equal(gd.x, 0.0)


def test_pgd_is_gradient_descent_away_from_small_gradients():
    grad = lambda x: 2 * x  # noqa: E731
    xs = []
    res = nc.perturbed_gradient_descent(grad, [3.0, -1.0], 0.1, 1.0, 0.0, 10, max_iter=7,
                                        callback=lambda x: xs.append(x.copy()), seed=0)
    np.testing.assert_allclose(res.x, 0.8 ** 7 * np.array([3.0, -1.0]), rtol=1e-14)
    assert res.nit == 7 and len(xs) == 7 and res.perturbations == []


def test_pgd_escape_test_returns_the_anchor_at_a_minimizer():
    res = nc.perturbed_gradient_descent(saddle_grad, [0.0, 0.0], 0.5, 1e-2, 1e-3, 40,
                                        max_iter=2000, f=saddle_f, f_thresh=1e-4, seed=1)
    assert res.status == 0 and res.success and len(res.perturbations) == 2
    np.testing.assert_allclose(np.abs(res.x), [0.0, 1.0], atol=1e-6)


def test_pgd_seed_reproducible_and_input_untouched():
    x0 = np.zeros(2)
    a = nc.perturbed_gradient_descent(saddle_grad, x0, 0.5, 1e-2, 1e-3, 20, max_iter=50, seed=3)
    b = nc.perturbed_gradient_descent(saddle_grad, x0, 0.5, 1e-2, 1e-3, 20, max_iter=50, seed=3)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(x0, 0.0)


def test_pgd_float32_and_divergence():
    res = nc.perturbed_gradient_descent(lambda x: 2 * x, np.ones(3, np.float32), 0.1, 1.0,
                                        0.0, 5, max_iter=3)
    assert res.x.dtype == np.float32
    with np.errstate(over="ignore"):
        res = nc.perturbed_gradient_descent(lambda x: np.exp(x) * 1e300, np.ones(1), 1e10,
                                            1.0, 0.0, 5, max_iter=50)
    assert res.status == 2 and not res.success and np.all(np.isfinite(res.x))


# --------------------------------------------------------------------------- min-norm

@pytest.mark.parametrize("seed", range(5))
def test_min_norm_element_satisfies_optimality(seed):
    rng = np.random.default_rng(seed)
    G = rng.standard_normal((7, 3)) + np.array([1.0, 0.5, 0.0])
    g, w = nc.min_norm_element(G)
    assert np.all(w >= 0) and abs(w.sum() - 1) < 1e-12
    np.testing.assert_allclose(g, w @ G, atol=1e-14)
    # optimality on the simplex: <g, g_i - g> >= 0 for every vertex
    assert np.min(G @ g - g @ g) > -1e-7
    # compare with a fine random search over the simplex
    W = rng.dirichlet(np.ones(7), size=20000)
    assert np.linalg.norm(g) <= np.min(np.linalg.norm(W @ G, axis=1)) + 1e-9


def test_min_norm_element_closed_forms():
    g, w = nc.min_norm_element([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(g, [0.5, 0.5], atol=1e-8)
    g, w = nc.min_norm_element([[-1.0, 2.0], [1.0, 2.0], [0.0, 5.0]])  # segment's midpoint
    np.testing.assert_allclose(g, [0.0, 2.0], atol=1e-8)
    g, w = nc.min_norm_element([[2.0, 1.0]])
    np.testing.assert_allclose(g, [2.0, 1.0])
    g, w = nc.min_norm_element([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]])  # 0 inside the hull
    assert np.linalg.norm(g) < 1e-7


# --------------------------------------------------------------------------- gradient sampling

def test_gradient_sampling_on_nonsmooth_rosenbrock():
    f, grad = rosenbrock_l1()
    x0 = np.array([-1.0, 1.0])
    res = nc.gradient_sampling(f, grad, x0, max_iter=300, seed=0)
    np.testing.assert_allclose(res.x, [1.0, 1.0], atol=1e-3)
    assert res.fun == pytest.approx(f(res.x)) and res.fun < 1e-5
    np.testing.assert_array_equal(x0, [-1.0, 1.0])


def test_gradient_sampling_is_a_descent_method_and_stops_on_radius():
    f = lambda x: float(np.sum(np.abs(x)))  # noqa: E731
    values = []
    res = nc.gradient_sampling(f, np.sign, np.array([0.7, -0.3]), radius=0.05, max_iter=500,
                               tol=1e-4, callback=lambda x: values.append(f(x)), seed=0)
    assert np.all(np.diff(values) <= 0)
    assert res.status == 0 and res.success and res.radius <= 1e-4
    assert np.linalg.norm(res.x) < 1e-3


def test_gradient_sampling_escapes_an_artificial_critical_point():
    """At 0 the AD derivative of x^2/2 + relu(x) - relu(-x) is 0; sampled gradients are 1."""
    P = lambda x: ad.sum(x ** 2) / 2 + ad.sum(ad.relu(x) - ad.relu(-x))  # noqa: E731
    f = lambda x: float(np.sum(x ** 2) / 2 + np.sum(x))  # noqa: E731
    res = nc.gradient_sampling(f, ad.grad(P), np.zeros(1), max_iter=200, seed=0)
    np.testing.assert_allclose(res.x, [-1.0], atol=1e-4)


# --------------------------------------------------------------------------- stochastic

def test_stochastic_subgradient_deterministic_field_is_subgradient_descent():
    from optbook.first_order import subgradient_descent
    step = lambda k: 1.0 / (k + 1)  # noqa: E731
    a = nc.stochastic_subgradient(lambda x, rng: np.sign(x), [1.3, -0.2], step, max_iter=30)
    b = subgradient_descent(np.sign, np.array([1.3, -0.2]), step, max_iter=30)
    np.testing.assert_allclose(a.x, b.x, rtol=0, atol=1e-15)


def test_sampled_field_artificial_critical_point():
    field = sampled_identity_field()
    step = lambda k: 0.5 / (k + 1) ** 0.6  # noqa: E731
    stuck = nc.stochastic_subgradient(field, np.zeros(1), step, max_iter=500, seed=0)
    assert stuck.x[0] == 0.0
    moved = nc.stochastic_subgradient(field, np.array([0.2]), step, max_iter=3000, seed=0)
    assert abs(moved.x[0] + 1) < 0.05
    hb = nc.stochastic_heavy_ball(field, np.zeros(1), step, max_iter=500, seed=0)
    assert hb.x[0] == 0.0


def test_heavy_ball_matches_polyak_form_with_constant_step():
    from optbook.first_order import heavy_ball
    grad = lambda x: np.array([1.0, 10.0]) * x  # noqa: E731
    gamma, a = 0.2, 2.0
    shb = nc.stochastic_heavy_ball(lambda x, rng: grad(x), [1.0, 1.0], gamma, friction=a,
                                   max_iter=40)
    # v_1 = -gamma g_0, x_1 = x_0 - gamma^2 g_0; then Polyak's form with beta = 1 - a gamma
    x0 = np.array([1.0, 1.0])
    x1 = x0 - gamma ** 2 * grad(x0)
    xs = [x0, x1]
    for _ in range(39):
        xs.append(xs[-1] - gamma ** 2 * grad(xs[-1]) + (1 - a * gamma) * (xs[-1] - xs[-2]))
    np.testing.assert_allclose(shb.x, xs[-1], rtol=1e-12, atol=1e-15)
    hb = heavy_ball(grad, x0, gamma ** 2, 1 - a * gamma, max_iter=40)
    assert np.linalg.norm(hb.x) < 1e-2 and np.linalg.norm(shb.x) < 1e-2


def test_heavy_ball_velocity_and_seed():
    field = lambda x, rng: x + 0.1 * rng.standard_normal(x.shape)  # noqa: E731
    a = nc.stochastic_heavy_ball(field, np.ones(3), 0.1, v0=np.ones(3), max_iter=20, seed=4)
    b = nc.stochastic_heavy_ball(field, np.ones(3), 0.1, v0=np.ones(3), max_iter=20, seed=4)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.v, b.v)
    assert a.v.shape == (3,)


def test_inexact_subgradient_error_models():
    res = nc.inexact_subgradient(np.sign, np.array([1.0]), 0.01, error=0.0, max_iter=150)
    assert abs(res.x[0]) <= 0.01 + 1e-12
    worst = lambda x, g, rng: -0.5 * np.sign(x)  # noqa: E731  # slows the method down
    res = nc.inexact_subgradient(np.sign, np.array([1.0]), 0.01, error=0.5,
                                 error_oracle=worst, max_iter=100)
    np.testing.assert_allclose(res.x, [0.5], atol=1e-12)
    # flat function x^4: iterates end within (eps/4)^(1/3) of the critical point, roughly
    res = nc.inexact_subgradient(lambda x: 4 * x ** 3, np.array([1.0]), 0.01, error=1e-3,
                                 max_iter=20000, seed=0)
    assert abs(res.x[0]) < 3 * (1e-3 / 4) ** (1 / 3)


# --------------------------------------------------------------------------- bad input

def _calls():
    f, grad = rosenbrock_l1()
    field = lambda x, rng: x  # noqa: E731
    return {
        "pgd": lambda **kw: nc.perturbed_gradient_descent(**{**dict(
            grad=saddle_grad, x0=[0.0, 0.0], step=0.5, radius=0.01, g_thresh=1e-3,
            t_thresh=5, max_iter=3), **kw}),
        "gs": lambda **kw: nc.gradient_sampling(**{**dict(f=f, grad=grad, x0=[0.0, 0.0],
                                                           max_iter=2), **kw}),
        "ssm": lambda **kw: nc.stochastic_subgradient(**{**dict(field=field, x0=[1.0],
                                                                 step=0.1, max_iter=3), **kw}),
        "shb": lambda **kw: nc.stochastic_heavy_ball(**{**dict(field=field, x0=[1.0],
                                                                step=0.1, max_iter=3), **kw}),
        "inexact": lambda **kw: nc.inexact_subgradient(**{**dict(subgrad=np.sign, x0=[1.0],
                                                                  step=0.1, max_iter=3), **kw}),
    }


BAD = {
    "pgd": [dict(grad=1), dict(x0=[np.nan, 0]), dict(x0=[]), dict(step=0), dict(step=-1),
            dict(radius=0), dict(g_thresh=-1), dict(t_thresh=0), dict(t_thresh=1.5),
            dict(max_iter=-1), dict(f=saddle_f), dict(f_thresh=1.0),
            dict(f=saddle_f, f_thresh=0.0), dict(seed="a"), dict(callback=3),
            dict(grad=lambda x: np.zeros(3))],
    "gs": [dict(f=None), dict(grad="g"), dict(x0=[np.inf, 0]), dict(radius=0),
           dict(n_samples=0), dict(tol=0), dict(nu=-1), dict(beta=1.0), dict(backtrack=0),
           dict(reduction=1.0), dict(max_iter=-2), dict(grad=lambda x: np.zeros(5))],
    "ssm": [dict(field=None), dict(x0="x"), dict(step=0), dict(step="1/k"),
            dict(step=lambda k: -1.0), dict(step=lambda k: "a"), dict(seed=1.5),
            dict(field=lambda x, rng: np.zeros(2))],
    "shb": [dict(friction=0), dict(v0=[1.0, 2.0]), dict(v0=[np.nan]), dict(step=-0.1),
            dict(field=lambda x, rng: np.ones((1, 1)) * np.ones(2))],
    "inexact": [dict(error=-1), dict(error_oracle=1), dict(subgrad=None),
                dict(error=0.1, error_oracle=lambda x, g, rng: np.ones(1)),
                dict(error=0.1, error_oracle=lambda x, g, rng: np.ones(2)),
                dict(step=lambda k: np.inf)],
}


@pytest.mark.parametrize("name,bad", [(n, b) for n, bs in BAD.items() for b in bs],
                         ids=lambda v: v if isinstance(v, str) else ",".join(v))
def test_bad_input_raises_naming_the_argument(name, bad):
    call = _calls()[name]
    with pytest.raises((ValueError, TypeError)) as info:
        call(**bad)
    message = str(info.value)
    keys = set(bad) | {"(x)", "step(k)", "rng"}
    assert any(k in message for k in keys), message


@pytest.mark.parametrize("bad", [np.zeros((0, 2)), np.array([[np.nan, 1.0]]), "G", [1.0, 2.0]])
def test_min_norm_element_bad_input(bad):
    with pytest.raises((ValueError, TypeError), match="G"):
        nc.min_norm_element(bad)


@pytest.mark.parametrize("name", ["ssm", "shb", "inexact"])
def test_divergence_is_reported(name):
    kw = dict(field=lambda x, rng: -1e300 * np.ones_like(x)) if name != "inexact" else dict(
        subgrad=lambda x: -1e300 * np.ones_like(x))
    with np.errstate(over="ignore", invalid="ignore"):
        res = _calls()[name](**kw, step=1e10)
    assert res.status == 2 and not res.success and np.all(np.isfinite(res.x))


def test_all_names_documented():
    for name in nc.__all__:
        assert getattr(nc, name).__doc__
    assert set(itertools.chain(nc.__all__)) >= {"perturbed_gradient_descent", "gradient_sampling"}
