"""Tests of optbook.checkpoint: exact gradients, structures, bad input."""

import numpy as np
import pytest

import optbook.autodiff as ad
from optbook.checkpoint import checkpointed_value_and_grad


def residual_chain(T, seed=0):
    rng = np.random.default_rng(seed)
    params = [{"W": rng.standard_normal((4, 4)) / 2, "b": rng.standard_normal(4)}
              for _ in range(T)]
    x0 = rng.standard_normal((3, 4))

    def step(x, theta):
        return x + ad.tanh(x @ theta["W"] + theta["b"]) / 4

    def loss(x):
        return ad.mean(ad.log_softmax(x, axis=1)[:, 0])

    return step, loss, x0, params


@pytest.mark.parametrize("every", [None, 1, 2, 5, "sqrt", 100])
def test_matches_plain_reverse_mode_and_finite_differences(every):
    step, loss, x0, params = residual_chain(11)

    def J(x):
        for theta in params:
            x = step(x, theta)
        return loss(x)

    value, (gx, gp), info = checkpointed_value_and_grad(step, loss, x0, params, every)
    assert value == pytest.approx(float(J(x0)), rel=1e-14)
    np.testing.assert_allclose(gx, ad.grad(J)(x0), rtol=1e-13, atol=1e-15)
    # finite differences in one direction, with respect to x0
    v = np.random.default_rng(1).standard_normal(x0.shape)
    h = 1e-6
    fd = (float(J(x0 + h * v)) - float(J(x0 - h * v))) / (2 * h)
    assert float(np.sum(gx * v)) == pytest.approx(fd, rel=1e-6, abs=1e-9)
    # parameter gradients keep the structure of params
    assert isinstance(gp, list) and len(gp) == 11
    assert set(gp[0]) == {"W", "b"} and gp[0]["W"].shape == (4, 4)


def test_parameter_gradients_against_finite_differences():
    step, loss, x0, params = residual_chain(6, seed=3)
    _, (_, gp), _ = checkpointed_value_and_grad(step, loss, x0, params, every=2)

    def J_of_W3(W):
        ps = [dict(p) for p in params]
        ps[3]["W"] = W
        x = x0
        for theta in ps:
            x = step(x, theta)
        return float(loss(x))

    E = np.random.default_rng(4).standard_normal((4, 4))
    h = 1e-6
    fd = (J_of_W3(params[3]["W"] + h * E) - J_of_W3(params[3]["W"] - h * E)) / (2 * h)
    assert float(np.sum(gp[3]["W"] * E)) == pytest.approx(fd, rel=1e-6, abs=1e-10)


def test_single_step_and_counts():
    step, loss, x0, params = residual_chain(1)
    value, (gx, gp), info = checkpointed_value_and_grad(step, loss, x0, params, every=1)
    assert info == {"step_evaluations": 1, "max_stored_states": 2, "n_checkpoints": 1,
                    "every": 1}
    assert len(gp) == 1


def test_inputs_not_modified():
    step, loss, x0, params = residual_chain(5)
    x0_copy = x0.copy()
    W_copy = [p["W"].copy() for p in params]
    checkpointed_value_and_grad(step, loss, x0, params, every=2)
    np.testing.assert_array_equal(x0, x0_copy)
    for p, W in zip(params, W_copy):
        np.testing.assert_array_equal(p["W"], W)


def test_bad_inputs():
    step, loss, x0, params = residual_chain(4)
    with pytest.raises(TypeError, match="step"):
        checkpointed_value_and_grad(None, loss, x0, params)
    with pytest.raises(TypeError, match="loss"):
        checkpointed_value_and_grad(step, 3.0, x0, params)
    with pytest.raises(ValueError, match="x0"):
        checkpointed_value_and_grad(step, loss, np.full((3, 4), np.nan), params)
    with pytest.raises(ValueError, match="params"):
        checkpointed_value_and_grad(step, loss, x0, [])
    with pytest.raises(TypeError, match="params"):
        checkpointed_value_and_grad(step, loss, x0, np.ones((4, 4)))
    with pytest.raises(ValueError, match="every"):
        checkpointed_value_and_grad(step, loss, x0, params, every=0)
    with pytest.raises(ValueError, match="every"):
        checkpointed_value_and_grad(step, loss, x0, params, every="log")
    with pytest.raises(TypeError, match="every"):
        checkpointed_value_and_grad(step, loss, x0, params, every=2.5)
    with pytest.raises(TypeError, match="every"):
        checkpointed_value_and_grad(step, loss, x0, params, every=True)
    with pytest.raises(ValueError, match="scalar"):
        checkpointed_value_and_grad(step, lambda x: x * 2, x0, params)


def test_diverging_chain_is_reported():
    params = [np.array(1e200)] * 4

    def step(x, w):
        return x * w

    with np.errstate(over="ignore"), pytest.raises(ValueError, match="non-finite"):
        checkpointed_value_and_grad(step, ad.sum, np.ones(2), params, every=1)
