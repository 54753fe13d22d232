"""Tests of optbook.nn: the tiny MLP of Lab 2."""

import numpy as np
import pytest

import optbook.autodiff as ad
from optbook import optim
from optbook.nn import (
    accuracy,
    cross_entropy,
    init_mlp,
    iterate_minibatches,
    mlp_forward,
    train,
)


def test_init_shapes_and_scales():
    params = init_mlp([64, 500, 300, 10], rng=0)
    assert [p.shape for p in params] == [(64, 500), (500,), (500, 300), (300,),
                                         (300, 10), (10,)]
    assert all(np.all(b == 0) for b in params[1::2])
    # He: std sqrt(2 / fan_in); Glorot: sqrt(2 / (fan_in + fan_out))
    np.testing.assert_allclose(params[2].std(), np.sqrt(2 / 500), rtol=0.02)
    glorot = init_mlp([64, 500, 300, 10], rng=0, scale="glorot")
    np.testing.assert_allclose(glorot[2].std(), np.sqrt(2 / 800), rtol=0.02)
    fixed = init_mlp([64, 500, 10], rng=0, scale=0.01)
    np.testing.assert_allclose(fixed[0].std(), 0.01, rtol=0.02)
    # seeded: reproducible
    again = init_mlp([64, 500, 300, 10], rng=0)
    assert all(np.array_equal(a, b) for a, b in zip(params, again))


def test_forward_matches_numpy():
    rng = np.random.default_rng(0)
    params = init_mlp([5, 7, 3], rng=rng)
    X = rng.standard_normal((4, 5))
    W1, b1, W2, b2 = params
    expected = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    np.testing.assert_allclose(mlp_forward(params, X), expected, rtol=1e-14)
    expected_tanh = np.tanh(X @ W1 + b1) @ W2 + b2
    np.testing.assert_allclose(mlp_forward(params, X, activation=ad.tanh),
                               expected_tanh, rtol=1e-14)


def test_cross_entropy_matches_sklearn():
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(1)
    logits = 5 * rng.standard_normal((20, 4))
    labels = rng.integers(0, 4, size=20)
    P = np.exp(logits - logits.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    expected = log_loss(labels, P, labels=range(4))
    np.testing.assert_allclose(cross_entropy(logits, labels), expected, rtol=1e-12)
    # stable for huge logits
    assert np.isfinite(cross_entropy(1e4 * logits, labels))


def test_gradient_of_loss_matches_finite_differences():
    rng = np.random.default_rng(2)
    params = init_mlp([3, 4, 2], rng=rng, scale="glorot")
    params[1] = params[1] + 0.1  # nonzero biases
    X = rng.standard_normal((6, 3))
    y = rng.integers(0, 2, size=6)
    loss = lambda p: cross_entropy(mlp_forward(p, X, activation=ad.tanh), y)  # noqa: E731
    grads = ad.grad(loss)(params)
    h = 1e-6
    for k, p in enumerate(params):
        fd = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            plus = [q.copy() for q in params]
            minus = [q.copy() for q in params]
            plus[k][i] += h
            minus[k][i] -= h
            fd[i] = (loss(plus) - loss(minus)) / (2 * h)
        np.testing.assert_allclose(grads[k], fd, rtol=1e-6, atol=1e-9)


def test_iterate_minibatches_covers_each_index_once():
    batches = list(iterate_minibatches(103, 10, rng=0))
    assert len(batches) == 11 and len(batches[-1]) == 3
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(103))
    ordered = list(iterate_minibatches(5, 2, shuffle=False))
    assert [b.tolist() for b in ordered] == [[0, 1], [2, 3], [4]]
    again = list(iterate_minibatches(103, 10, rng=0))
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))


def test_adam_on_digits_reaches_95_percent():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0,
                                              stratify=y)
    params = init_mlp([64, 64, 10], rng=0)
    saved = [p.copy() for p in params]
    calls = []
    params_out, history = train(params, optim.Adam(lr=3e-3), X_tr, y_tr, epochs=15,
                                batch_size=32, rng=0, X_val=X_te, y_val=y_te,
                                callback=lambda p, epoch: calls.append(epoch))
    assert calls == list(range(15))
    assert len(history["loss"]) == 15 and len(history["val_accuracy"]) == 15
    assert history["loss"][-1] < history["loss"][0] / 5
    test_acc = accuracy(params_out, X_te, y_te)
    assert test_acc > 0.95
    assert test_acc == history["val_accuracy"][-1]
    assert all(np.array_equal(a, b) for a, b in zip(params, saved))  # not modified


def test_bad_inputs():
    with pytest.raises(ValueError, match="sizes"):
        init_mlp([3])
    with pytest.raises(ValueError, match="scale"):
        init_mlp([3, 2], scale="xavier")
    with pytest.raises(ValueError, match="scale"):
        init_mlp([3, 2], scale=-1.0)
    with pytest.raises(TypeError, match="rng"):
        init_mlp([3, 2], rng="seed")
    with pytest.raises(ValueError, match="labels"):
        cross_entropy(np.zeros((3, 2)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="shape"):
        cross_entropy(np.zeros((3, 2)), np.array([0, 1]))
    with pytest.raises(TypeError, match="integers"):
        cross_entropy(np.zeros((2, 2)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="params"):
        mlp_forward([np.zeros((2, 2))], np.zeros((1, 2)))
    with pytest.raises(ValueError, match="y"):
        train(init_mlp([2, 2], rng=0), optim.SGD(0.1), np.zeros((3, 2)), np.zeros(2, int))
    with pytest.raises(TypeError, match="optimizer"):
        train(init_mlp([2, 2], rng=0), "adam", np.zeros((3, 2)), np.zeros(3, int))
    with pytest.raises(ValueError, match="batch_size"):
        list(iterate_minibatches(5, 0))
