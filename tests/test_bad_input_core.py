"""Bad input for the first-order solvers: one case per error path (BOOK_GUIDE §5).

Every case checks the exception type and that the message names the argument.
"""

import numpy as np
import pytest

import optbook

X0 = np.ones(3)
GRAD = lambda x: x  # noqa: E731  gradient of ||x||^2 / 2
PROX = lambda x, t: x / (1 + t)  # noqa: E731  prox of t ||x||^2 / 2
F = lambda x: 0.5 * float(x @ x)  # noqa: E731

SOLVERS = {
    "gradient_descent": lambda **kw: optbook.gradient_descent(
        **{"grad": GRAD, "x0": X0, "step": 0.5, **kw}),
    "subgradient_descent": lambda **kw: optbook.subgradient_descent(
        **{"subgrad": GRAD, "x0": X0, "step": 0.5, **kw}),
    "proximal_point": lambda **kw: optbook.proximal_point(
        **{"prox": PROX, "x0": X0, "step": 0.5, **kw}),
    "proximal_gradient": lambda **kw: optbook.proximal_gradient(
        **{"grad": GRAD, "prox": PROX, "x0": X0, "step": 0.5, **kw}),
    "fista": lambda **kw: optbook.fista(
        **{"grad": GRAD, "prox": PROX, "x0": X0, "step": 0.5, **kw}),
    "heavy_ball": lambda **kw: optbook.heavy_ball(
        **{"grad": GRAD, "x0": X0, "step": 0.5, "momentum": 0.5, **kw}),
    "nesterov": lambda **kw: optbook.nesterov(
        **{"grad": GRAD, "x0": X0, "step": 0.5, **kw}),
    "krasnoselskii_mann": lambda **kw: optbook.krasnoselskii_mann(
        **{"T": lambda x: 0.5 * x, "x0": X0, **kw}),
}
ORACLE_NAME = {"gradient_descent": "grad", "subgradient_descent": "subgrad",
               "proximal_point": "prox", "proximal_gradient": "grad", "fista": "grad",
               "heavy_ball": "grad", "nesterov": "grad", "krasnoselskii_mann": "T"}
STEPPED = [name for name in SOLVERS if name != "krasnoselskii_mann"]
WITH_TOL = [name for name in SOLVERS if name != "subgradient_descent"]


def test_every_solver_runs_with_the_default_arguments():
    for name, run in SOLVERS.items():
        res = run(max_iter=3)
        assert res.success and res.nit == 3, name


# ---------------------------------------------------------------------------
# shared arguments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", SOLVERS)
def test_oracle_not_callable(name):
    with pytest.raises(TypeError, match=f"{ORACLE_NAME[name]} must be callable"):
        SOLVERS[name](**{ORACLE_NAME[name]: np.ones(3)})


@pytest.mark.parametrize("name", ["proximal_gradient", "fista"])
def test_prox_not_callable(name):
    with pytest.raises(TypeError, match="prox must be callable"):
        SOLVERS[name](prox="l1")


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("bad,exc,match", [
    (np.array([1.0, np.nan, 0.0]), ValueError, "x0 must contain only finite values"),
    (np.array([1.0, np.inf, 0.0]), ValueError, "x0 must contain only finite values"),
    ("abc", TypeError, "x0 must be a numeric array"),
    (None, TypeError, "x0 must be a numeric array"),
    (np.array([]), ValueError, "x0 must have at least one entry"),
])
def test_bad_x0(name, bad, exc, match):
    with pytest.raises(exc, match=match):
        SOLVERS[name](x0=bad)


@pytest.mark.parametrize("name", STEPPED)
@pytest.mark.parametrize("bad,exc,match", [
    (0.0, ValueError, "step must be positive"),
    (-1.0, ValueError, "step must be positive"),
    (np.nan, ValueError, "step must be finite"),
    (np.inf, ValueError, "step must be finite"),
    (True, TypeError, "step must be a real number"),
    ("fast", ValueError, "step must be a positive number"),
])
def test_bad_step(name, bad, exc, match):
    with pytest.raises(exc, match=match):
        SOLVERS[name](step=bad)


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("bad,exc,match", [
    (-1, ValueError, "max_iter must be >= 0"),
    (2.5, TypeError, "max_iter must be an integer"),
])
def test_bad_max_iter(name, bad, exc, match):
    with pytest.raises(exc, match=match):
        SOLVERS[name](max_iter=bad)


@pytest.mark.parametrize("name", WITH_TOL)
@pytest.mark.parametrize("bad,exc,match", [
    (-1e-3, ValueError, "tol must be nonnegative"),
    (np.nan, ValueError, "tol must be finite"),
])
def test_bad_tol(name, bad, exc, match):
    with pytest.raises(exc, match=match):
        SOLVERS[name](tol=bad)


@pytest.mark.parametrize("name", SOLVERS)
def test_callback_not_callable(name):
    with pytest.raises(TypeError, match="callback must be callable"):
        SOLVERS[name](callback=[])


@pytest.mark.parametrize("name", SOLVERS)
def test_oracle_output_with_wrong_shape(name):
    oracle = ORACLE_NAME[name]
    wrong = (lambda x, t: x[:2]) if oracle == "prox" else (lambda x: x[:2])
    with pytest.raises(ValueError, match=rf"{oracle}\(x.*\) must return an array of shape \(3,\)"):
        SOLVERS[name](**{oracle: wrong})


@pytest.mark.parametrize("name", ["proximal_gradient", "fista"])
def test_prox_output_with_wrong_shape(name):
    with pytest.raises(ValueError, match=r"prox\(x, t\) must return an array of shape"):
        SOLVERS[name](prox=lambda x, t: np.ones(4))


@pytest.mark.parametrize("name", ["gradient_descent", "subgradient_descent", "proximal_point",
                                  "proximal_gradient", "fista"])
def test_f_not_callable(name):
    with pytest.raises(TypeError, match="f must be callable"):
        SOLVERS[name](f=1.0)


@pytest.mark.parametrize("name", ["proximal_gradient", "fista"])
def test_g_not_callable(name):
    with pytest.raises(TypeError, match="g must be callable"):
        SOLVERS[name](g=1.0)


def test_f_returning_an_array():
    with pytest.raises(TypeError, match=r"f\(x\) must return a real number"):
        SOLVERS["gradient_descent"](f=lambda x: x)


# ---------------------------------------------------------------------------
# solver-specific arguments
# ---------------------------------------------------------------------------


def test_armijo_needs_f():
    with pytest.raises(ValueError, match='step="armijo" needs f'):
        SOLVERS["gradient_descent"](step="armijo")


@pytest.mark.parametrize("kw,exc,match", [
    ({"step0": 0.0}, ValueError, "step0 must be positive"),
    ({"beta": 1.0}, ValueError, r"beta must lie in \(0.0, 1.0\)"),
    ({"beta": 0.0}, ValueError, r"beta must lie in \(0.0, 1.0\)"),
    ({"c": 1.5}, ValueError, r"c must lie in \(0.0, 1.0\)"),
])
def test_bad_armijo_parameters(kw, exc, match):
    with pytest.raises(exc, match=match):
        SOLVERS["gradient_descent"](step="armijo", f=F, **kw)


def test_backtracking_needs_f():
    with pytest.raises(ValueError, match='step="backtracking" needs f'):
        SOLVERS["proximal_gradient"](step="backtracking")


@pytest.mark.parametrize("kw,match", [
    ({"step0": -1.0}, "step0 must be positive"),
    ({"beta": 2.0}, r"beta must lie in \(0.0, 1.0\)"),
])
def test_bad_backtracking_parameters(kw, match):
    with pytest.raises(ValueError, match=match):
        SOLVERS["proximal_gradient"](step="backtracking", f=F, **kw)


def test_armijo_is_not_a_proximal_gradient_step():
    with pytest.raises(ValueError, match="step must be a positive number or one of 'backtracking'"):
        SOLVERS["proximal_gradient"](step="armijo")


def test_polyak_needs_f_and_f_star():
    with pytest.raises(ValueError, match='step="polyak" needs f and f_star'):
        SOLVERS["subgradient_descent"](step="polyak", f=F)
    with pytest.raises(ValueError, match='step="polyak" needs f and f_star'):
        SOLVERS["subgradient_descent"](step="polyak", f_star=0.0)


def test_bad_f_star():
    with pytest.raises(ValueError, match="f_star must contain only finite"):
        SOLVERS["subgradient_descent"](step="polyak", f=F, f_star=np.nan)


def test_bad_step0_for_sqrt_schedule():
    with pytest.raises(ValueError, match="step0 must be positive"):
        SOLVERS["subgradient_descent"](step="1/sqrt(k)", step0=0.0)


def test_callable_step_returning_a_bad_value():
    with pytest.raises(ValueError, match=r"step\(2\) must be positive"):
        SOLVERS["subgradient_descent"](step=lambda k: 0.1 - k / 20)
    with pytest.raises(TypeError, match=r"step\(0\) must be a real number"):
        SOLVERS["subgradient_descent"](step=lambda k: "big")


@pytest.mark.parametrize("bad,exc", [(1.0, ValueError), (-0.1, ValueError), (np.nan, ValueError),
                                     ("0.5", TypeError)])
def test_bad_momentum(bad, exc):
    with pytest.raises(exc, match="momentum must"):
        SOLVERS["heavy_ball"](momentum=bad)


def test_bad_restart():
    with pytest.raises(ValueError, match="restart must be None"):
        SOLVERS["fista"](restart="always")


def test_function_restart_needs_f():
    with pytest.raises(ValueError, match='restart="function" needs f'):
        SOLVERS["fista"](restart="function")


def test_bad_mu():
    with pytest.raises(ValueError, match="mu must be nonnegative"):
        SOLVERS["nesterov"](mu=-1.0)
    with pytest.raises(ValueError, match=r"mu \* step must be <= 1"):
        SOLVERS["nesterov"](mu=3.0, step=0.5)


@pytest.mark.parametrize("bad", [0.0, 1.5, -0.5])
def test_bad_relaxation(bad):
    with pytest.raises(ValueError, match=r"relaxation must lie in \(0.0, 1.0\]"):
        SOLVERS["krasnoselskii_mann"](relaxation=bad)
