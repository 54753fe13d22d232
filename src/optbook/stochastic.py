r"""Stochastic methods for finite sums :math:`f(x) = \frac1n\sum_{i=1}^n f_i(x)`.

Conventions shared by the solvers of this module
------------------------------------------------
**Oracle.** Every solver takes ``grad_i(x, idx)``, which returns the *mean*
gradient :math:`\frac{1}{|I|}\sum_{i\in I}\nabla f_i(x)` over the sample
indices ``idx`` (a 1-D integer array), in one vectorized call. The objectives
of :mod:`optbook.objectives` provide it, so that one line suffices::

    f = LeastSquares(A, b)
    res = sgd(f.grad_i, x0, f.n_samples, step=0.1, batch_size=16, rng=0)

**Randomness.** ``rng`` is ``None``, an integer seed or a
:class:`numpy.random.Generator`; a seed gives reproducible runs. The sample
indices of a whole epoch are drawn at once.

**Iterations and epochs.** One *iteration* is one update of :math:`x` (one
minibatch). An *epoch* is :math:`\lceil n/b\rceil` iterations for a
minibatch size :math:`b`, that is about :math:`n` sample gradients for
:func:`sgd` and :func:`saga`; for :func:`svrg` it is one outer loop (one
snapshot). ``result.nit`` counts iterations, ``result.n_epochs`` epochs and
``result.n_grad_evals`` the sample gradients computed (the unit of cost in
which these methods are compared: a full gradient counts :math:`n`).

**Callback.** ``callback(x)`` is called at the end of every epoch (or every
``callback_every`` iterations for :func:`sgd`), never with :math:`x_0`: a
:class:`optbook.trace.Trace` created with ``x0=x0`` then has entry ``k`` at epoch
``k``. A callback that returns a true value stops the run. The solver passes
its own array: copy it to keep it (:class:`optbook.trace.Trace` does).

**Result.** A :class:`scipy.optimize.OptimizeResult` with ``x``, ``nit``,
``n_epochs``, ``n_grad_evals``, ``success``, ``status`` (1: the budget of
epochs was used, 2: diverged, 3: stopped by the callback) and ``message``;
``x_avg`` for :func:`sgd` with averaging.

**Divergence.** Every new iterate is checked (an :math:`O(d)` test). If it
has a NaN or infinite entry the run stops at once with ``success=False``,
``status=2``, and ``x`` is the last finite iterate (the oracle is never
called at a non-finite point).

**Cost.** One iteration costs its oracle calls plus :math:`O(d)` vector
operations. With ``batch_size=1`` the Python loop over iterations is the only
per-sample work; larger minibatches are handled by the oracle in one call.
"""

import math
from numbers import Integral

import numpy as np
from scipy.optimize import OptimizeResult

from ._validation import (
    as_float_array,
    call_prox,
    check_callable,
    check_int,
    check_output_shape,
    check_positive,
)

__all__ = ["sgd", "saga", "svrg"]

_MESSAGES = {
    1: "Reached max_epochs epochs.",
    2: "The iterates diverged (NaN or infinite entries) during epoch {epoch}; "
       "x is the last finite iterate. Try a smaller step.",
    3: "Stopped by the callback.",
}


# --------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------


def _as_rng(rng):
    """Return a :class:`numpy.random.Generator` from None, a seed or a generator."""
    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(rng)
    if isinstance(rng, bool) or not isinstance(rng, (Integral, np.integer)):
        raise TypeError("rng must be None, an integer seed or a "
                        f"numpy.random.Generator, got {type(rng).__name__}")
    return np.random.default_rng(int(rng))


def _check_common(grad_i, x0, n_samples, max_epochs, callback):
    check_callable(grad_i, "grad_i")
    x = as_float_array(x0, "x0")
    if x.size == 0:
        raise ValueError("x0 must have at least one entry, got an empty array")
    n = check_int(n_samples, "n_samples", minimum=1)
    max_epochs = check_int(max_epochs, "max_epochs", minimum=0)
    if callback is not None:
        check_callable(callback, "callback")
    return x, n, max_epochs


def _check_batch(batch_size, n):
    b = check_int(batch_size, "batch_size", minimum=1)
    if b > n:
        raise ValueError(f"batch_size must be at most n_samples={n}, got {b}")
    return b


def _checked(g, x, name="grad_i(x, idx)"):
    """First oracle output: an array shaped like ``x``."""
    return check_output_shape(g, x, name)


def _finite(x):
    """False if ``x`` has a NaN or infinite entry (they propagate to the
    squared norm), or a squared norm beyond 1e308: a diverging run either way.
    One dot product, cheaper than an elementwise test."""
    return math.isfinite(np.vdot(x, x))


def _result(x, nit, n_epochs, n_grad_evals, status, epoch=None, **extra):
    return OptimizeResult(
        x=x, nit=nit, n_epochs=n_epochs, n_grad_evals=n_grad_evals, status=status,
        success=status != 2, message=_MESSAGES[status].format(epoch=epoch), **extra)


_SCHEDULES = ("constant", "inverse_sqrt", "inverse")


def _step_sizes(step, schedule, k0, m):
    """Step sizes of iterations ``k0, ..., k0 + m - 1`` as a list of floats."""
    k = np.arange(k0, k0 + m, dtype=np.float64)
    if callable(step):
        steps = np.array([float(step(int(j))) for j in k])
        if not (np.all(np.isfinite(steps)) and np.all(steps > 0)):
            bad = int(k[np.argmin(np.isfinite(steps) & (steps > 0))])
            raise ValueError(f"step(k) must return positive finite numbers, got "
                             f"{steps[int(bad - k0)]} at k={bad}")
        return steps.tolist()
    if schedule == "constant":
        return [step] * m
    if schedule == "inverse_sqrt":
        return (step / np.sqrt(k + 1)).tolist()
    return (step / (k + 1)).tolist()  # "inverse"


# --------------------------------------------------------------------------
# SGD
# --------------------------------------------------------------------------


def sgd(grad_i, x0, n_samples, step, batch_size=1, max_epochs=10, schedule="constant",
        average=False, sampling="uniform", prox=None, rng=None, callback=None,
        callback_every=None, callback_on="iterate"):
    r"""Stochastic (minibatch, proximal) gradient descent with iterate averaging.

    At iteration :math:`k` a minibatch :math:`I_k` of :math:`b` indices is
    drawn and

    .. math::

        x_{k+1} = x_k - \gamma_k\, \frac{1}{b}\sum_{i\in I_k} \nabla f_i(x_k)

    (followed by :math:`x_{k+1} \leftarrow \operatorname{prox}_{\gamma_k
    g}(x_{k+1})` when ``prox`` is given). With uniform sampling the direction
    is an unbiased estimate of :math:`\nabla f(x_k)` whose variance decreases
    like :math:`1/b`.

    Parameters
    ----------
    grad_i : callable
        ``grad_i(x, idx)``: mean gradient of the :math:`f_i`, :math:`i \in`
        ``idx`` (integer array), at ``x``; e.g. ``LeastSquares(A, b).grad_i``.
    x0 : array_like
        Starting point :math:`x_0`.
    n_samples : int
        Number :math:`n` of terms of the sum.
    step : float or callable
        Step size :math:`\gamma > 0`, scaled by ``schedule``, or a callable
        ``k -> gamma_k`` (iterations counted from ``k = 0``).
    batch_size : int, default=1
        Minibatch size :math:`b \in \{1, \dots, n\}`.
    max_epochs : int, default=10
        Number of epochs of :math:`\lceil n/b\rceil` iterations.
    schedule : {"constant", "inverse_sqrt", "inverse"}, default="constant"
        With a float ``step``: :math:`\gamma_k = \gamma`,
        :math:`\gamma/\sqrt{k+1}` or :math:`\gamma/(k+1)`. Must be
        ``"constant"`` when ``step`` is callable.
    average : {False, True, "uniform", "linear"}, default=False
        Also return an average of the points where gradients were evaluated:
        ``True`` or ``"uniform"``: :math:`\bar x_K = \frac1K\sum_{k=0}^{K-1}
        x_k` (Polyak–Ruppert); ``"linear"``: weights :math:`k+1`,
        :math:`\bar x_K = \frac{2}{K(K+1)}\sum_{k=0}^{K-1}(k+1)x_k`. The
        running average costs :math:`O(d)` per iteration.
    sampling : {"uniform", "shuffle"}, default="uniform"
        ``"uniform"``: indices drawn independently and uniformly with
        replacement (the setting of the theory); ``"shuffle"``: one random
        permutation per epoch, cut into minibatches (random reshuffling; the
        last minibatch of an epoch may be smaller).
    prox : callable, optional
        ``prox(x, t)`` returns :math:`\operatorname{prox}_{t g}(x)`, for
        :math:`f + g` with a nonsmooth :math:`g`.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness.
    callback : callable, optional
        ``callback(x)``, by default at the end of each epoch; a true return
        value stops the run.
    callback_every : int, optional
        Call the callback every ``callback_every`` iterations instead.
    callback_on : {"iterate", "average"}, default="iterate"
        Pass the current iterate :math:`x_k` or the current average
        :math:`\bar x_k` (requires ``average``) to the callback.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (last iterate), ``x_avg`` (with ``average``), ``nit``
        (iterations), ``n_epochs``, ``n_grad_evals``, ``success``, ``status``,
        ``message``.

    Notes
    -----
    Suppose each :math:`f_i` is convex and :math:`L_{\max}`-smooth, :math:`f`
    is :math:`\mu`-strongly convex, :math:`b = 1`, uniform sampling, and let
    :math:`\sigma^2 = \frac1n\sum_i\|\nabla f_i(x^\star)\|^2` (the gradient
    noise at the optimum). With a constant step :math:`\gamma \le
    1/(2L_{\max})`,

    .. math::

        \mathbb{E}\|x_k - x^\star\|^2 \le (1 - \gamma\mu)^k\|x_0 - x^\star\|^2
        + \frac{2\gamma\sigma^2}{\mu}:

    linear convergence up to a *noise floor* proportional to :math:`\gamma`
    (Gower et al., 2019, Thm 3.1; Bottou, Curtis and Nocedal, 2018, Section 4).
    Decreasing steps remove the floor: with :math:`\mathbb{E}\|\nabla
    f_i(x_k)\|^2 \le G^2`, :math:`\gamma_k = 2/(\mu(k+2))` and
    ``average="linear"``, :math:`\mathbb{E} f(\bar x_K) - f^\star \le
    2G^2/(\mu(K+1))` (Lacoste-Julien, Schmidt and Bach, 2012). For convex
    :math:`f` and a constant step :math:`\gamma`, ``average=True`` gives
    :math:`\mathbb{E} f(\bar x_K) - f^\star \le \|x_0 - x^\star\|^2/(2\gamma K)
    + \gamma G^2/2`, that is :math:`O(1/\sqrt{K})` for :math:`\gamma \propto
    1/\sqrt{K}` (Robbins and Monro, 1951; Bubeck, 2015, Thm 6.1).

    References
    ----------
    - Robbins and Monro, "A stochastic approximation method", 1951.
    - Bottou, Curtis and Nocedal, "Optimization methods for
      large-scale machine learning", SIAM Review 60(2), 2018.
    - Gower, Loizou, Qian, Sailanbayev, Shulgin and
      Richtárik, "SGD: general analysis and improved rates", ICML 2019.
    - Lacoste-Julien, Schmidt and Bach, "A simpler approach to
      obtaining an O(1/t) convergence rate for the projected stochastic
      subgradient method", 2012.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.objectives import LeastSquares
    >>> from optbook.stochastic import sgd
    >>> rng = np.random.default_rng(0)
    >>> A = rng.standard_normal((200, 5)); b = A @ np.ones(5)
    >>> f = LeastSquares(A, b)
    >>> res = sgd(f.grad_i, np.zeros(5), f.n_samples, step=0.05, max_epochs=20, rng=0)
    >>> bool(np.allclose(res.x, 1.0, atol=1e-6))   # interpolation: no noise floor
    True
    """
    x, n, max_epochs = _check_common(grad_i, x0, n_samples, max_epochs, callback)
    b = _check_batch(batch_size, n)
    if callable(step):
        if schedule != "constant":
            raise ValueError("schedule must be 'constant' when step is callable "
                             f"(got {schedule!r})")
    else:
        step = check_positive(step, "step")
        if schedule not in _SCHEDULES:
            raise ValueError(f"schedule must be one of {_SCHEDULES}, got {schedule!r}")
    if average is True:
        average = "uniform"
    if average not in (False, "uniform", "linear"):
        raise ValueError(f"average must be False, True, 'uniform' or 'linear', "
                         f"got {average!r}")
    if sampling not in ("uniform", "shuffle"):
        raise ValueError(f"sampling must be 'uniform' or 'shuffle', got {sampling!r}")
    if prox is not None:
        check_callable(prox, "prox")
    if callback_every is not None:
        callback_every = check_int(callback_every, "callback_every", minimum=1)
    if callback_on not in ("iterate", "average"):
        raise ValueError(f"callback_on must be 'iterate' or 'average', got {callback_on!r}")
    if callback_on == "average" and not average:
        raise ValueError("callback_on='average' requires average=True, 'uniform' "
                         "or 'linear'")
    rng = _as_rng(rng)

    m = math.ceil(n / b)  # iterations per epoch
    x_avg = x.copy() if average else None
    k = n_evals = 0
    status, epoch = 1, 0

    def notify():
        return callback(x_avg if callback_on == "average" else x)

    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(max_epochs):
            if sampling == "uniform":
                batches = rng.integers(0, n, size=(m, b))
            else:
                perm = rng.permutation(n)
                batches = [perm[j * b:(j + 1) * b] for j in range(m)]
            steps = _step_sizes(step, schedule, k, m)
            for idx, gamma in zip(batches, steps):
                g = grad_i(x, idx)
                n_evals += len(idx)
                if k == 0:
                    g = _checked(g, x)
                x_new = x - gamma * g
                if prox is not None:
                    x_new = call_prox(prox, x_new, gamma)
                if not _finite(x_new):
                    status = 2
                    break
                if average == "uniform":
                    x_avg = x_avg + (x - x_avg) / (k + 1)
                elif average == "linear":
                    x_avg = x_avg + (x - x_avg) * (2.0 / (k + 2))
                x = x_new
                k += 1
                if callback_every is not None and k % callback_every == 0 and notify():
                    status = 3
                    break
            if status != 1:
                break
            if callback is not None and callback_every is None and notify():
                status = 3
                break
    extra = {} if not average else {"x_avg": x_avg}
    return _result(x, k, epoch + 1 if max_epochs else 0, n_evals, status,
                   epoch=epoch, **extra)


# --------------------------------------------------------------------------
# SAGA
# --------------------------------------------------------------------------


def saga(grad_i, x0, n_samples, step, max_epochs=10, prox=None, rng=None,
         callback=None, init_table=None):
    r"""SAGA: stochastic gradient with a table of past gradients (variance reduced).

    The method keeps a table :math:`(\alpha_i)_{i=1}^n` of the last gradient
    computed for each sample and its mean :math:`\bar\alpha`. At iteration
    :math:`k` an index :math:`j` is drawn uniformly and

    .. math::

        v_k &= \nabla f_j(x_k) - \alpha_j + \bar\alpha, \\
        x_{k+1} &= \operatorname{prox}_{\gamma g}(x_k - \gamma v_k), \\
        \alpha_j &\leftarrow \nabla f_j(x_k)
        \quad(\text{and } \bar\alpha \text{ updated accordingly}).

    :math:`v_k` is an unbiased estimate of :math:`\nabla f(x_k)` whose
    variance vanishes as :math:`x_k` and the table approach :math:`x^\star`:
    a constant step gives linear convergence, without noise floor.

    Parameters
    ----------
    grad_i : callable
        ``grad_i(x, idx)``: mean gradient over the sample indices ``idx``;
        SAGA calls it with one index at a time (``idx`` of length 1).
    x0 : array_like
        Starting point :math:`x_0`.
    n_samples : int
        Number :math:`n` of terms.
    step : float
        Step size :math:`\gamma > 0`; the theory uses :math:`1/(3L_{\max})`,
        where :math:`L_{\max}` is the largest smoothness constant of the
        :math:`f_i` (for least squares, :math:`\max_i\|a_i\|^2`), not the
        constant of :math:`f`.
    max_epochs : int, default=10
        Number of epochs of :math:`n` iterations.
    prox : callable, optional
        ``prox(x, t)`` returns :math:`\operatorname{prox}_{t g}(x)`.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness.
    callback : callable, optional
        ``callback(x)`` at the end of each epoch; a true value stops the run.
    init_table : array_like, optional
        Array of shape ``(n,) + x0.shape`` holding the gradients
        :math:`\nabla f_i(x_0)`, if they can be computed in one
        vectorized operation (for a linear model :math:`f_i(x) =
        \phi_i(a_i^\top x)`, row :math:`i` is :math:`\phi_i'(a_i^\top x_0)
        a_i`). By default the table is filled with :math:`n` calls
        ``grad_i(x0, [i])`` (the cost of one epoch, counted in
        ``n_grad_evals``).

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``nit`` (iterations), ``n_epochs``, ``n_grad_evals``,
        ``success``, ``status``, ``message``.

    Notes
    -----
    Memory: the table stores :math:`n \times d` floats (:math:`8nd` bytes).
    For linear models a table of :math:`n` scalars would suffice; this
    implementation keeps the general form, which works with any ``grad_i``.

    If each :math:`f_i` is convex and :math:`L`-smooth, :math:`f` is
    :math:`\mu`-strongly convex and :math:`\gamma = 1/(3L)`, then
    (Defazio, Bach and Lacoste-Julien, 2014, Thm 1)

    .. math::

        \mathbb{E}\|x_k - x^\star\|^2 \le \Big(1 - \min\Big(\frac{1}{4n},
        \frac{\mu}{3L}\Big)\Big)^k \Big[\|x_0 - x^\star\|^2 + \frac{2n}{3L}
        \big(f(x_0) - f^\star - \langle\nabla f(x^\star), x_0 - x^\star\rangle\big)\Big].

    References
    ----------
    - Defazio, Bach and Lacoste-Julien, "SAGA: a fast incremental
      gradient method with support for non-strongly convex composite
      objectives", NeurIPS 2014.
    """
    x, n, max_epochs = _check_common(grad_i, x0, n_samples, max_epochs, callback)
    gamma = check_positive(step, "step")
    if prox is not None:
        check_callable(prox, "prox")
    rng = _as_rng(rng)

    n_evals = 0
    with np.errstate(over="ignore", invalid="ignore"):
        if init_table is None:
            table = np.empty((n,) + x.shape)
            for i in range(n):
                table[i] = _checked(grad_i(x, np.array([i])), x)
            n_evals += n
        else:
            table = as_float_array(init_table, "init_table")
            if table.shape != (n,) + x.shape:
                raise ValueError(f"init_table must have shape {(n,) + x.shape}, "
                                 f"got {table.shape}")
    table_mean = table.mean(axis=0)

    k = 0
    checked = init_table is None  # else check the first output of grad_i
    status, epoch = 1, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(max_epochs):
            indices = rng.integers(0, n, size=(n, 1))
            for idx in indices:
                j = idx[0]
                g = grad_i(x, idx)
                if not checked:
                    g, checked = _checked(g, x), True
                diff = g - table[j]
                x_new = x - gamma * (diff + table_mean)
                if prox is not None:
                    x_new = call_prox(prox, x_new, gamma)
                if not _finite(x_new):
                    status = 2
                    break
                x = x_new
                table_mean += diff / n
                table[j] = g
                k += 1
            if status == 2:
                break
            table_mean = table.mean(axis=0)  # no drift of the running mean
            if callback is not None and callback(x):
                status = 3
                break
    n_evals += k + (status == 2)  # one sample gradient per iteration
    return _result(x, k, epoch + 1 if max_epochs else 0, n_evals, status, epoch=epoch)


# --------------------------------------------------------------------------
# SVRG
# --------------------------------------------------------------------------


def svrg(grad_i, x0, n_samples, step, batch_size=1, max_epochs=10, epoch_length=None,
         snapshot="last", full_grad=None, prox=None, rng=None, callback=None):
    r"""SVRG: stochastic variance-reduced gradient with periodic full gradients.

    Each outer iteration (epoch) :math:`s` fixes a snapshot :math:`\tilde x`,
    computes the full gradient :math:`\tilde g = \nabla f(\tilde x)`, starts
    from :math:`x_0 = \tilde x` and runs :math:`m` inner iterations with
    minibatches :math:`I_t` of size :math:`b`:

    .. math::

        v_t &= \frac{1}{b}\sum_{i\in I_t}\big(\nabla f_i(x_t) -
               \nabla f_i(\tilde x)\big) + \tilde g, \\
        x_{t+1} &= \operatorname{prox}_{\gamma g}(x_t - \gamma v_t).

    The next snapshot is :math:`x_m` (``"last"``), the average
    :math:`\frac1m\sum_{t=1}^m x_t` (``"average"``), or :math:`x_t` for
    :math:`t` drawn uniformly in :math:`\{0, \dots, m-1\}` (``"random"``).
    Unlike :func:`saga` no table is stored: the price is a full gradient per
    epoch and two minibatch gradients per iteration.

    Parameters
    ----------
    grad_i : callable
        ``grad_i(x, idx)``: mean gradient over the sample indices ``idx``.
    x0 : array_like
        Starting point (first snapshot).
    n_samples : int
        Number :math:`n` of terms.
    step : float
        Step size :math:`\gamma > 0` (theory: :math:`\gamma < 1/(4L_{\max})`).
    batch_size : int, default=1
        Minibatch size :math:`b`.
    max_epochs : int, default=10
        Number of outer iterations (snapshots).
    epoch_length : int, optional
        Number :math:`m` of inner iterations; default :math:`\lceil n/b\rceil`
        (Johnson and Zhang suggest :math:`m = 2n` for convex problems).
    snapshot : {"last", "average", "random"}, default="last"
        Choice of the next snapshot (see above); the linear rate below is
        proved for ``"random"`` and ``"average"``, ``"last"`` is the common
        practice.
    full_grad : callable, optional
        ``full_grad(x)`` returns :math:`\nabla f(x)` (e.g. ``f.grad``); by
        default ``grad_i(x, np.arange(n))``.
    prox : callable, optional
        ``prox(x, t)`` returns :math:`\operatorname{prox}_{t g}(x)`.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness.
    callback : callable, optional
        ``callback(x)`` with each new snapshot; a true value stops the run.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (the last snapshot), ``nit`` (inner iterations), ``n_epochs``,
        ``n_grad_evals`` (:math:`n` per snapshot, :math:`2b` per inner
        iteration), ``success``, ``status``, ``message``.

    Notes
    -----
    If each :math:`f_i` is convex and :math:`L`-smooth, :math:`f` is
    :math:`\mu`-strongly convex, :math:`\gamma < 1/(4L)` and :math:`m` is
    large enough that

    .. math::

        \alpha = \frac{1}{\mu\gamma(1 - 2L\gamma)m} + \frac{2L\gamma}{1 - 2L\gamma} < 1,

    then with ``snapshot="random"`` and :math:`b = 1`, :math:`\mathbb{E}
    f(\tilde x_s) - f^\star \le \alpha^s (f(\tilde x_0) - f^\star)` (Johnson
    and Zhang, 2013, Thm 1); for example :math:`\gamma = 1/(10L)` and
    :math:`m = 50L/\mu` give :math:`\alpha = 1/2`.

    References
    ----------
    - Johnson and Zhang, "Accelerating stochastic gradient descent using
      predictive variance reduction", NeurIPS 2013.
    - Xiao and Zhang, "A proximal stochastic gradient method with
      progressive variance reduction", SIAM J. Optim. 24(4), 2014.
    """
    x_snap, n, max_epochs = _check_common(grad_i, x0, n_samples, max_epochs, callback)
    gamma = check_positive(step, "step")
    b = _check_batch(batch_size, n)
    m = math.ceil(n / b) if epoch_length is None else check_int(
        epoch_length, "epoch_length", minimum=1)
    if snapshot not in ("last", "average", "random"):
        raise ValueError(f"snapshot must be 'last', 'average' or 'random', "
                         f"got {snapshot!r}")
    if full_grad is not None:
        check_callable(full_grad, "full_grad")
    if prox is not None:
        check_callable(prox, "prox")
    rng = _as_rng(rng)
    all_indices = np.arange(n)

    k = n_evals = 0
    status, epoch = 1, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(max_epochs):
            if full_grad is None:
                g_snap = _checked(grad_i(x_snap, all_indices), x_snap)
            else:
                g_snap = _checked(full_grad(x_snap), x_snap, "full_grad(x)")
            n_evals += n
            batches = rng.integers(0, n, size=(m, b))
            pick = int(rng.integers(m)) if snapshot == "random" else -1
            x = x_snap
            x_sum = np.zeros_like(x) if snapshot == "average" else None
            x_next = x_snap
            for t, idx in enumerate(batches):
                if t == pick:
                    x_next = x
                g_x, g_s = grad_i(x, idx), grad_i(x_snap, idx)
                if k == 0:
                    g_x, g_s = _checked(g_x, x), _checked(g_s, x)
                x_new = x - gamma * (g_x - g_s + g_snap)
                if prox is not None:
                    x_new = call_prox(prox, x_new, gamma)
                n_evals += 2 * len(idx)
                if not _finite(x_new):
                    status = 2
                    break
                x = x_new
                k += 1
                if x_sum is not None:
                    x_sum += x
            if status == 2:
                x_snap = x  # the last finite iterate
                break
            if snapshot == "last":
                x_next = x
            elif snapshot == "average":
                x_next = x_sum / m
            x_snap = x_next
            if callback is not None and callback(x_snap):
                status = 3
                break
    return _result(x_snap, k, epoch + 1 if max_epochs else 0, n_evals, status,
                   epoch=epoch)
