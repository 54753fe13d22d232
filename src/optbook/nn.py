r"""A tiny multilayer perceptron built on :mod:`optbook.autodiff`.

The network is a list of arrays ``[W_1, b_1, ..., W_L, b_L]`` with
``W_l`` of shape ``(d_{l-1}, d_l)`` and ``b_l`` of shape ``(d_l,)``. For a
batch ``X`` of shape ``(n, d_0)`` (one sample per row) it computes

.. math::

   h_0 = X, \qquad h_l = \sigma(h_{l-1} W_l + b_l) \ (l < L), \qquad
   \text{logits} = h_{L-1} W_L + b_L,

with an activation :math:`\sigma` (ReLU by default). The parameters are a
plain list, so they go directly through :func:`optbook.autodiff.grad` and
the optimizers of :mod:`optbook.optim`::

    params = init_mlp([64, 128, 10], rng=0)
    opt = optbook.optim.Adam(lr=1e-3)
    loss_and_grad = autodiff.value_and_grad(
        lambda p, X, y: cross_entropy(mlp_forward(p, X), y))
    for idx in iterate_minibatches(n, 64, rng):
        loss, grads = loss_and_grad(params, X[idx], y[idx])
        params = opt.step(params, grads)

:func:`train` runs this loop for several epochs and records a history.
"""

import time

import numpy as np

from . import autodiff as ad
from ._validation import as_array, as_float_array, check_callable, check_int, check_positive
from .stochastic import _as_rng

__all__ = ["init_mlp", "mlp_forward", "cross_entropy", "accuracy",
           "iterate_minibatches", "train"]


def init_mlp(sizes, rng=None, scale="he"):
    r"""Random initial parameters of a multilayer perceptron.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths ``[d_0, d_1, ..., d_L]``: input dimension, hidden
        widths, number of outputs (at least two entries).
    rng : None, int or numpy.random.Generator, optional
        Source of randomness (seed or generator).
    scale : {"he", "glorot"} or float, default="he"
        Standard deviation of the Gaussian weights of layer ``l``:
        ``"he"``: :math:`\sqrt{2/d_{l-1}}` (He et al., 2015, suited to ReLU);
        ``"glorot"``: :math:`\sqrt{2/(d_{l-1} + d_l)}` (Glorot and Bengio,
        2010, suited to tanh); a float: that value for every layer. Biases
        start at zero.

    Returns
    -------
    list of numpy.ndarray
        ``[W_1, b_1, ..., W_L, b_L]``, ``W_l`` of shape ``(d_{l-1}, d_l)``.

    References
    ----------
    - He, Zhang, Ren and Sun, "Delving deep into rectifiers", ICCV
      2015.
    - Glorot and Bengio, "Understanding the difficulty of training deep
      feedforward neural networks", AISTATS 2010.
    """
    sizes = [check_int(s, "sizes[i]", minimum=1) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"sizes must have at least two entries, got {sizes}")
    if isinstance(scale, str):
        if scale not in ("he", "glorot"):
            raise ValueError(f"scale must be 'he', 'glorot' or a positive float, "
                             f"got {scale!r}")
    else:
        scale = check_positive(scale, "scale")
    rng = _as_rng(rng)
    params = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        if scale == "he":
            std = np.sqrt(2.0 / d_in)
        elif scale == "glorot":
            std = np.sqrt(2.0 / (d_in + d_out))
        else:
            std = scale
        params.append(std * rng.standard_normal((d_in, d_out)))
        params.append(np.zeros(d_out))
    return params


def _check_params(params):
    if not isinstance(params, (list, tuple)) or len(params) < 2 or len(params) % 2:
        raise ValueError("params must be a list [W_1, b_1, ..., W_L, b_L] "
                         "(an even number of arrays)")


def mlp_forward(params, X, activation=ad.relu):
    """Logits of the perceptron ``params`` on the rows of ``X``.

    Written with :mod:`optbook.autodiff` operations, so that it can be
    differentiated with respect to ``params`` (and ``X``).

    Parameters
    ----------
    params : list of arrays
        ``[W_1, b_1, ..., W_L, b_L]`` as returned by :func:`init_mlp`.
    X : array_like of shape (n, d_0)
        Inputs, one sample per row.
    activation : callable, default=optbook.autodiff.relu
        Elementwise activation applied after every layer but the last one
        (e.g. :func:`optbook.autodiff.tanh`).

    Returns
    -------
    numpy.ndarray or optbook.autodiff.Var of shape (n, d_L)
        The logits ``h_{L-1} W_L + b_L``.
    """
    _check_params(params)
    ndim = X.ndim if hasattr(X, "ndim") else np.ndim(X)  # X may be an autodiff Var
    if ndim != 2:
        raise ValueError(f"X must have 2 dimensions (n, d_0), got {ndim}")
    h = X
    n_layers = len(params) // 2
    for layer in range(n_layers):
        W, b = params[2 * layer], params[2 * layer + 1]
        h = h @ W + b
        if layer < n_layers - 1:
            h = activation(h)
    return h


def cross_entropy(logits, labels):
    r"""Mean cross-entropy (softmax) loss of ``logits`` for integer ``labels``.

    .. math::

       \ell = -\frac{1}{n} \sum_{i=1}^n \log \operatorname{softmax}(z_i)_{y_i}
            = \frac{1}{n} \sum_{i=1}^n \Big(\log \sum_k e^{z_{ik}} - z_{i y_i}\Big),

    computed stably with :func:`optbook.autodiff.log_softmax`.

    Parameters
    ----------
    logits : array_like or optbook.autodiff.Var of shape (n, K)
        Scores ``z``.
    labels : array_like of int, shape (n,)
        Classes in ``{0, ..., K-1}``.

    Returns
    -------
    float array or optbook.autodiff.Var
        The mean loss (a scalar).
    """
    labels = np.asarray(labels)
    shape = np.shape(logits.value if isinstance(logits, ad.Var) else logits)
    if len(shape) != 2 or labels.shape != (shape[0],):
        raise ValueError(f"logits must have shape (n, K) and labels shape (n,), got "
                         f"{shape} and {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= shape[1]):
        raise ValueError(f"labels must lie in [0, {shape[1] - 1}]")
    logp = ad.log_softmax(logits, axis=1)
    return -ad.mean(logp[np.arange(shape[0]), labels])


def accuracy(params, X, labels, activation=ad.relu):
    """Fraction of the rows of ``X`` whose largest logit is the label.

    Parameters
    ----------
    params : list of arrays
        Parameters of the perceptron.
    X : array_like of shape (n, d_0)
        Inputs.
    labels : array_like of int, shape (n,)
        True classes.
    activation : callable, default=optbook.autodiff.relu
        Activation used by :func:`mlp_forward`.

    Returns
    -------
    float
        Accuracy in ``[0, 1]``.
    """
    X = as_float_array(X, "X", ndim=2, copy=False)
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
    logits = mlp_forward([np.asarray(p) for p in params], X, activation)
    return float(np.mean(np.argmax(logits, axis=1) == labels))


def iterate_minibatches(n, batch_size, rng=None, shuffle=True):
    """Index arrays of the minibatches of one epoch.

    Parameters
    ----------
    n : int
        Number of samples.
    batch_size : int
        Size of each minibatch (the last one may be smaller).
    rng : None, int or numpy.random.Generator, optional
        Source of randomness for the shuffling.
    shuffle : bool, default=True
        Visit the samples in a random order (one permutation per epoch,
        drawn at once) or in order.

    Yields
    ------
    numpy.ndarray of int
        The indices of one minibatch; together they cover ``range(n)`` once.
    """
    n = check_int(n, "n", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    order = _as_rng(rng).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def train(params, optimizer, X, y, epochs=10, batch_size=32, rng=None,
          activation=ad.relu, X_val=None, y_val=None, callback=None):
    """Train a perceptron with minibatches and an :mod:`optbook.optim` optimizer.

    Each epoch visits the training set once in a random order; each minibatch
    computes the cross-entropy and its gradient with
    :func:`optbook.autodiff.value_and_grad` and calls
    ``params = optimizer.step(params, grads)``.

    Parameters
    ----------
    params : list of arrays
        Initial parameters (not modified).
    optimizer : optbook.optim.Optimizer
        Update rule, e.g. ``optbook.optim.Adam(lr=1e-3)``.
    X : array_like of shape (n, d_0)
        Training inputs.
    y : array_like of int, shape (n,)
        Training labels.
    epochs : int, default=10
        Number of passes over the data.
    batch_size : int, default=32
        Minibatch size.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness for the shuffling.
    activation : callable, default=optbook.autodiff.relu
        Hidden-layer activation.
    X_val, y_val : array_like, optional
        Validation data; if given, its accuracy is recorded after each epoch.
    callback : callable, optional
        ``callback(params, epoch)`` after each epoch.

    Returns
    -------
    params : list of numpy.ndarray
        Trained parameters.
    history : dict
        ``"loss"``: mean minibatch loss of each epoch; ``"train_accuracy"``:
        training accuracy after each epoch; ``"val_accuracy"`` (if validation
        data is given); ``"time"``: cumulative wall-clock seconds.
    """
    _check_params(params)
    X = as_array(X, "X", ndim=2, copy=False)  # float32 kept
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
    epochs = check_int(epochs, "epochs", minimum=0)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    if not hasattr(optimizer, "step"):
        raise TypeError("optimizer must have a step(params, grads) method, e.g. "
                        "optbook.optim.Adam()")
    if callback is not None:
        check_callable(callback, "callback")
    validate = X_val is not None
    if validate:
        X_val = as_float_array(X_val, "X_val", ndim=2, copy=False)
    rng = _as_rng(rng)
    loss_and_grad = ad.value_and_grad(
        lambda p, Xb, yb: cross_entropy(mlp_forward(p, Xb, activation), yb))
    params = [as_array(p, "params[i]") for p in params]  # float32 kept
    history = {"loss": [], "train_accuracy": [], "time": []}
    if validate:
        history["val_accuracy"] = []
    start = time.perf_counter()
    for epoch in range(epochs):
        losses, sizes = [], []
        for idx in iterate_minibatches(X.shape[0], batch_size, rng):
            loss, grads = loss_and_grad(params, X[idx], y[idx])
            params = optimizer.step(params, grads)
            losses.append(float(loss))
            sizes.append(len(idx))
        history["loss"].append(float(np.average(losses, weights=sizes)))
        history["train_accuracy"].append(accuracy(params, X, y, activation))
        if validate:
            history["val_accuracy"].append(accuracy(params, X_val, y_val, activation))
        history["time"].append(time.perf_counter() - start)
        if callback is not None:
            callback(params, epoch)
    return params, history
