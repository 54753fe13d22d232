"""Tests of optbook.autodiff.check_grad (finite-difference gradient check)."""

import numpy as np
import pytest

import optbook.autodiff as ad
from optbook import nn
from optbook.objectives import LogisticRegression


def _logistic(seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((40, 6))
    y = np.sign(rng.standard_normal(40))
    return LogisticRegression(A, y, lam=0.1), rng.standard_normal(6)


def test_correct_gradient_small_error():
    f, x = _logistic()
    assert ad.check_grad(f.value, x, f.grad) < 1e-7


def test_wrong_gradients_detected():
    f, x = _logistic()
    assert ad.check_grad(f.value, x, lambda z: 2 * f.grad(z)) > 0.3
    assert ad.check_grad(f.value, x, lambda z: f.grad(z)[::-1]) > 1e-2
    # a missing regularization term
    assert ad.check_grad(f.value, x, lambda z: f.grad(z) - 0.1 * z) > 1e-2


def test_default_is_reverse_mode():
    f = lambda x: ad.sum(ad.tanh(x) ** 2)
    x = np.linspace(-2.0, 2.0, 7)
    assert ad.check_grad(f, x) < 1e-7


def test_list_of_arrays_mlp():
    rng = np.random.default_rng(0)
    A, labels = rng.standard_normal((30, 5)), rng.integers(0, 3, 30)
    params = nn.init_mlp([5, 8, 3], rng=0)
    params = [p + 0.1 * rng.standard_normal(p.shape) for p in params]
    before = [p.copy() for p in params]
    loss = lambda ps: nn.cross_entropy(nn.mlp_forward(ps, A), labels)
    assert ad.check_grad(loss, params, eps=1e-5) < 1e-5
    wrong = lambda ps: [2 * g for g in ad.grad(loss)(ps)]
    assert ad.check_grad(loss, params, wrong) > 0.3
    for p, q in zip(params, before):  # not modified
        np.testing.assert_array_equal(p, q)


def test_error_shrinks_like_eps_squared_then_rounding():
    f, x = _logistic()
    errs = [ad.check_grad(f.value, x, f.grad, eps=e) for e in (1e-2, 1e-3, 1e-5, 1e-11)]
    assert errs[1] < errs[0] / 30          # O(eps^2) regime
    assert errs[2] < 1e-8
    assert errs[3] > errs[2]               # rounding dominates for tiny eps


def test_seed_reproducible():
    f, x = _logistic()
    wrong = lambda z: f.grad(z) * np.arange(1, 7)
    assert ad.check_grad(f.value, x, wrong, rng=3) == ad.check_grad(f.value, x, wrong, rng=3)


@pytest.mark.parametrize("kwargs, match", [
    ({"eps": 0.0}, "eps"), ({"eps": -1e-3}, "eps"), ({"eps": np.nan}, "eps"),
    ({"n_directions": 0}, "n_directions"), ({"n_directions": 1.5}, "n_directions"),
])
def test_bad_parameters(kwargs, match):
    f, x = _logistic()
    with pytest.raises(ValueError, match=match):
        ad.check_grad(f.value, x, f.grad, **kwargs)


def test_bad_inputs():
    f, x = _logistic()
    with pytest.raises(TypeError):
        ad.check_grad(3, x, f.grad)
    with pytest.raises(TypeError):
        ad.check_grad(f.value, x, grad="no")
    with pytest.raises(ValueError, match="x"):
        ad.check_grad(f.value, np.array([np.nan] * 6), f.grad)
    with pytest.raises(ValueError, match="shape"):
        ad.check_grad(f.value, x, lambda z: np.zeros(5))
