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
The exception is :func:`saga` on a sparse linear model (no ``prox``), whose
iterations touch only the nonzeros of the sampled row (just-in-time updates,
in a loop compiled by numba when it is installed): an epoch then costs
:math:`O(\operatorname{nnz}(A) + d)` instead of :math:`O(nd)`.
"""

import math
from numbers import Integral

import numpy as np
import scipy.sparse as sp

from ._solver import Loop
from ._validation import (
    as_array,
    call_prox,
    check_callable,
    check_int,
    check_output_shape,
    check_positive,
)

__all__ = ["sgd", "saga", "svrg", "HAVE_NUMBA"]

from ._numba import HAVE_NUMBA, njit as _numba_njit

if HAVE_NUMBA:  # pragma: no cover
    # plain Python when called from Python, compiled inline when called from numba
    from numba.extending import register_jitable as _jitable
else:  # pragma: no cover
    def _jitable(fn):
        return fn

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
    x = as_array(x0, "x0")  # a copy, float32 kept
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


def _epochs(max_epochs, callback):
    """The shared skeleton, counting epochs (``optbook._solver.Loop``).

    The callback is called by ``loop.accept(x, x)`` at the end of an epoch;
    divergence inside an epoch is reported by :func:`_diverged`.
    """
    return Loop(max_epochs, 0.0, callback, unit="epoch")


def _diverged(loop, epoch):
    loop.stop(2, _MESSAGES[2].format(epoch=epoch))


def _result(loop, x, nit, n_epochs, n_grad_evals, **extra):
    if loop.status == 1:
        extra["message"] = _MESSAGES[1]
    return loop.result(x, nit=nit, n_epochs=n_epochs, n_grad_evals=n_grad_evals, **extra)


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

    def notify(_):
        return callback(x_avg if callback_on == "average" else x)

    loop = _epochs(max_epochs, notify if callback is not None and callback_every is None
                   else None)
    epoch = -1
    for epoch in loop:
        if sampling == "uniform":
            batches = rng.integers(0, n, size=(m, b))
        else:
            perm = rng.permutation(n)
            batches = [perm[j * b:(j + 1) * b] for j in range(m)]
        for idx, gamma in zip(batches, _step_sizes(step, schedule, k, m)):
            g = grad_i(x, idx)
            n_evals += len(idx)
            if k == 0:
                g = _checked(g, x)
            x_new = x - gamma * g
            if prox is not None:
                x_new = call_prox(prox, x_new, gamma)
            if not _finite(x_new):
                _diverged(loop, epoch)
                break
            if average == "uniform":
                x_avg = x_avg + (x - x_avg) / (k + 1)
            elif average == "linear":
                x_avg = x_avg + (x - x_avg) * (2.0 / (k + 2))
            x = x_new
            k += 1
            if callback_every is not None and k % callback_every == 0 and notify(x):
                loop.stop(3)
                break
        if loop.stopped:
            break
        x = loop.accept(x, x)              # end of the epoch: count it, callback
    extra = {} if not average else {"x_avg": x_avg}
    return _result(loop, x, k, epoch + 1, n_evals, **extra)


# --------------------------------------------------------------------------
# SAGA
# --------------------------------------------------------------------------


def saga(grad_i, x0, n_samples, step, max_epochs=10, prox=None, rng=None,
         callback=None, init_table=None, table="auto", lazy="auto", compiled=None):
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
    table : {"auto", "full", "scalar"}, default="auto"
        ``"full"``: the table holds :math:`n` gradients (works with any
        ``grad_i``). ``"scalar"``: for a linear model
        :math:`f_i(x) = \phi_i(a_i^\top x) + \frac{\lambda}{2}\|x\|^2`, the table
        holds the :math:`n` scalars :math:`\phi_i'(a_i^\top x_{[i]})` (as
        scikit-learn's SAG and SAGA solvers do) and :math:`\bar\alpha` is
        :math:`\frac1n A^\top\alpha`; ``grad_i`` must then be the
        ``grad_i`` method of a :class:`~optbook.objectives.LeastSquares` or
        :class:`~optbook.objectives.LogisticRegression` (dense or sparse
        ``A``), and the gradient :math:`\lambda x` of the regularization is
        computed exactly at each step instead of being stored. ``"auto"``:
        ``"scalar"`` when ``grad_i`` is such a method and ``init_table`` is
        not given, ``"full"`` otherwise.
    lazy : {"auto", True, False}, default="auto"
        Just-in-time updates for the scalar table on a sparse ``A`` (see
        Notes): ``"auto"`` uses them when ``A`` is sparse and ``prox`` is
        None; ``True`` requires that (else ``ValueError``); ``False`` always
        updates the whole iterate (the dense path).
    compiled : bool, optional
        Run the inner loop of the just-in-time updates compiled by numba
        (default: when numba is installed; set ``OPTBOOK_NO_NUMBA=1`` to
        use the plain Python loop, the same source).
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
        ``success``, ``status``, ``message``, ``table`` (``"full"`` or
        ``"scalar"``, the form used) and ``lazy`` (whether the just-in-time
        updates were used).

    Notes
    -----
    Memory: the full table stores :math:`n \times d` floats (:math:`8nd`
    bytes); the scalar table of a linear model :math:`n` floats plus the
    :math:`d` entries of :math:`\bar\alpha`. With a sparse ``A`` the scalar
    form reads one row of ``A`` per iteration (CSR; a CSC matrix, or a CSR
    matrix with repeated or unsorted column indices, is converted once).

    *Just-in-time updates* (sparse ``A``, no ``prox``). The direction
    :math:`v_k` has a dense part, :math:`\bar\alpha + \lambda x_k`, so a plain
    step costs :math:`O(d)` even when the row :math:`a_j` has few nonzeros.
    But a coordinate :math:`m` outside the rows sampled between iterations
    :math:`k_0` and :math:`k_0 + q` sees :math:`q` steps
    :math:`x_m \leftarrow c\,x_m - \gamma\bar\alpha_m` with constant
    :math:`c = 1 - \gamma\lambda` and constant :math:`\bar\alpha_m`
    (:math:`\bar\alpha_m` changes only with a row containing :math:`m`), so

    .. math::

        x_m \leftarrow c^q x_m - \gamma\bar\alpha_m\,(1 + c + \dots + c^{q-1})
        = c^q x_m - \bar\alpha_m \frac{1 - c^q}{\lambda}
        \quad(q\,\gamma\bar\alpha_m \text{ if } \lambda = 0).

    Each coordinate stores the iteration at which it was last brought up to
    date; an iteration first applies this catch-up to the coordinates of
    :math:`a_j` only, then the step, so it costs :math:`O(\operatorname{nnz}(a_j))`
    and an epoch :math:`O(\operatorname{nnz}(A) + d)`: all coordinates catch
    up at the end of each epoch (before the callback, and before
    :math:`\bar\alpha` is recomputed from the table). This is the
    just-in-time update of :cite:t:`schmidt2017`, with the
    multiplicative factor :math:`c^q` of the regularization in closed form
    (computed as :math:`\exp(q\log(1-\gamma\lambda))` with ``expm1``, so
    that :math:`1 - c^q` loses no digits when :math:`\gamma\lambda` is
    small). The iterates are those of the dense path, to rounding (same
    ``rng``, same samples). With a ``prox`` the dense path is used: for the
    soft-thresholding of an :math:`\ell_1` term the lagged steps do not
    compose into one closed-form step in general, so replaying them exactly
    costs as much as the dense step; for an :math:`\ell_2^2` term put it in
    the objective (``lam``), which the just-in-time update handles exactly.
    Divergence is checked at each step on the coordinates it writes and on
    the whole iterate at the end of each epoch; a non-finite value found only
    there (an overflow of a coordinate outside the sampled rows, when
    :math:`\gamma\lambda > 2` or :math:`\bar\alpha` is itself close to
    overflowing) returns the iterate of the start of that epoch.

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
    - Schmidt, Le Roux and Bach, "Minimizing finite sums with the
      stochastic average gradient", Mathematical Programming 162(1), 2017
      (just-in-time updates for sparse gradients).
    """
    x, n, max_epochs = _check_common(grad_i, x0, n_samples, max_epochs, callback)
    gamma = check_positive(step, "step")
    if prox is not None:
        check_callable(prox, "prox")
    rng = _as_rng(rng)
    model = _linear_model(grad_i)
    if table not in ("auto", "full", "scalar"):
        raise ValueError(f'table must be "auto", "full" or "scalar", got {table!r}')
    if table == "scalar" and model is None:
        raise ValueError('table="scalar" needs grad_i to be the grad_i method of an '
                         "optbook.objectives.LeastSquares or LogisticRegression")
    if table == "scalar" and init_table is not None:
        raise ValueError('init_table is the n x d table of table="full"')
    if table == "auto":
        table = "scalar" if model is not None and init_table is None else "full"
    if model is not None and model.n_samples != n:
        raise ValueError(f"n_samples={n} does not match the objective's {model.n_samples}")
    if lazy not in ("auto", True, False):
        raise ValueError(f'lazy must be "auto", True or False, got {lazy!r}')
    compiled = _use_compiled(compiled)
    can_lazy = table == "scalar" and sp.issparse(model.A) and prox is None
    if lazy is True and not can_lazy:
        raise ValueError("lazy=True needs the scalar table (a LeastSquares or "
                         "LogisticRegression grad_i), a sparse A and prox=None")
    if table == "scalar":
        return _saga_scalar(model, x, n, gamma, max_epochs, prox, rng, callback,
                            lazy=can_lazy and lazy is not False, compiled=compiled)

    n_evals = 0
    if init_table is None:
        memory = np.empty((n,) + x.shape, dtype=x.dtype)
        for i in range(n):
            memory[i] = _checked(grad_i(x, np.array([i])), x)
        n_evals += n
    else:
        memory = as_array(init_table, "init_table", dtype=x.dtype)
        if memory.shape != (n,) + x.shape:
            raise ValueError(f"init_table must have shape {(n,) + x.shape}, "
                             f"got {memory.shape}")
    mean = memory.mean(axis=0)

    k = 0
    checked = init_table is None  # else check the first output of grad_i
    loop = _epochs(max_epochs, callback)
    epoch = -1
    for epoch in loop:
        for j in rng.integers(0, n, size=n):
            idx = np.array([j])
            g = grad_i(x, idx)
            if not checked:
                g, checked = _checked(g, x), True
            diff = g - memory[j]
            x_new = x - gamma * (diff + mean)                 # v_k = ∇f_j(x_k) - α_j + ᾱ
            if prox is not None:
                x_new = call_prox(prox, x_new, gamma)
            if not _finite(x_new):
                _diverged(loop, epoch)
                break
            x = x_new
            mean += diff / n                                  # ᾱ and α_j updated
            memory[j] = g
            k += 1
        if loop.stopped:
            break
        mean = memory.mean(axis=0)  # no drift of the running mean
        x = loop.accept(x, x)
    n_evals += k + (loop.status == 2)  # one sample gradient per iteration
    return _result(loop, x, k, epoch + 1, n_evals, table="full", lazy=False)


def _linear_model(grad_i):
    """The linear-model objective whose ``grad_i`` method ``grad_i`` is, or None."""
    from .objectives import _LinearModel

    owner = getattr(grad_i, "__self__", None)
    if isinstance(owner, _LinearModel) and grad_i == owner.grad_i:
        return owner
    return None


def _scalar_derivative(model):
    """``(z, j) -> φ_j'(z)`` on Python floats, for the two linear models (else ``model.dloss``)."""
    from .objectives import LeastSquares, LogisticRegression

    if type(model) is LeastSquares:
        b = model.b.tolist()
        return lambda z, j: z - b[j]
    if type(model) is LogisticRegression:
        y = model.y.tolist()

        def logistic(z, j):
            m = y[j] * z                  # -y σ(-m), without overflow for large |m|
            return -y[j] / (1.0 + math.exp(m)) if m < 700 else -y[j] * math.exp(-m)
        return logistic
    return lambda z, j: float(model.dloss(np.asarray(z), j))


def _saga_scalar(model, x, n, gamma, max_epochs, prox, rng, callback, lazy=False,
                 compiled=False):
    """SAGA with a table of one scalar per sample, for f_i(x) = φ_i(a_i·x) + λ|x|²/2."""
    A, lam = model.A, model.lam
    if x.shape != (A.shape[1],):
        raise ValueError(f"x0 must have shape ({A.shape[1]},) to match the objective's A, "
                         f"got {x.shape}")
    if sp.issparse(A) and (A.format != "csr" or not A.has_canonical_format):
        A = sp.csr_matrix(A, copy=True)  # rows are read one at a time
        A.sum_duplicates()               # sorted, without repeated columns (a copy)
    x = x.astype(model.dtype)
    if lazy:
        return _saga_lazy(model, A, x, n, gamma, max_epochs, rng, callback, compiled)
    alpha = np.asarray(model.dloss(A @ x), dtype=model.dtype)   # φ_i'(a_i·x_0)
    mean = np.asarray(A.T @ alpha, dtype=model.dtype) / n       # ᾱ without the λx term
    if sp.issparse(A):
        indptr, indices, data = A.indptr, A.indices, A.data

        def row(j):
            lo, hi = indptr[j], indptr[j + 1]
            return indices[lo:hi], data[lo:hi]
    else:
        everything = slice(None)

        def row(j):
            return everything, A[j]

    dloss = _scalar_derivative(model)
    shrink = 1.0 - gamma * lam            # x - γλx, the exact gradient of the regularizer
    step_mean = gamma * mean              # γᾱ, kept up to date instead of ᾱ
    k = 0
    loop = _epochs(max_epochs, callback)
    epoch = -1
    for epoch in loop:
        for j in rng.integers(0, n, size=n).tolist():
            cols, a_j = row(j)
            s = dloss(float(np.dot(a_j, x[cols])), j)            # φ_j'(a_j·x_k)
            diff = s - alpha[j]
            # v_k = (s - α_j) a_j + ᾱ + λ x_k ;  x_{k+1} = x_k - γ v_k
            x_new = x * shrink if lam else x.copy()
            x_new -= step_mean
            x_new[cols] -= (gamma * diff) * a_j
            if prox is not None:
                x_new = call_prox(prox, x_new, gamma)
            if not _finite(x_new):
                _diverged(loop, epoch)
                break
            x = x_new
            step_mean[cols] += (gamma * diff / n) * a_j           # ᾱ and α_j updated
            alpha[j] = s
            k += 1
        if loop.stopped:
            break
        step_mean = gamma * np.asarray(A.T @ alpha, dtype=model.dtype) / n   # no drift
        x = loop.accept(x, x)
    n_evals = n + k + (loop.status == 2)
    return _result(loop, x, k, epoch + 1, n_evals, table="scalar", lazy=False)


# --------------------------------------------------------------------------
# SAGA on sparse linear models: just-in-time ("lazy") updates
# --------------------------------------------------------------------------
#
# Between two steps that touch coordinate m (two samples whose rows contain m),
# the dense update x_m <- c x_m - s_m has constant coefficients: c = 1 - γλ
# and s_m = γ ᾱ_m (ᾱ_m changes only when a row containing m is sampled).
# After q such steps, x_m <- c^q x_m - s_m (1 + c + ... + c^(q-1)).
# The functions below are plain Python on NumPy arrays (readable, used when
# numba is missing or OPTBOOK_NO_NUMBA=1) and are compiled by numba as they are.


@_jitable
def _lag_factors(q, gamma, lam):
    """``(c**q, 1 + c + ... + c**(q-1))`` for ``c = 1 - gamma*lam``, accurate for small γλ."""
    if lam == 0.0:
        return 1.0, float(q)
    t = gamma * lam
    if t < 0.5:              # c^q = exp(q log(1 - t)); 1 - c^q without cancellation
        e = q * math.log1p(-t)
        return math.exp(e), -math.expm1(e) / t
    c = 1.0 - t              # |1 - c| >= 1/2: the direct formulas are accurate
    cq = c ** q
    return cq, (1.0 - cq) / t


def _catch_up(x, step_mean, last, k, gamma, lam):
    """Bring every coordinate of ``x`` to iteration ``k`` (O(d)); ``last[m] = k``."""
    for m in range(x.shape[0]):
        q = k - last[m]
        if q > 0:
            scale, geom = _lag_factors(q, gamma, lam)
            x[m] = scale * x[m] - geom * step_mean[m]
            last[m] = k


def _saga_lazy_epoch(indptr, indices, data, x, alpha, step_mean, last, order, k0,
                     gamma, lam, n, kind, target):
    """Run the SAGA steps on the samples ``order`` (iterations ``k0, k0+1, ...``).

    Each step reads and writes only the coordinates of the sampled row (after
    bringing them to the current iteration). ``kind`` 0: least squares,
    ``φ_j'(z) = z - target[j]``; 1: logistic, ``φ_j'(z) = -y_j σ(-y_j z)`` with
    ``y = target``. Returns the number of steps done: fewer than ``len(order)``
    when a step would give a non-finite entry (that step is not applied).
    """
    shrink = 1.0 - gamma * lam
    for t in range(order.shape[0]):
        k = k0 + t
        j = order[t]
        lo, hi = indptr[j], indptr[j + 1]
        z = 0.0
        for p in range(lo, hi):            # x_k on the row, then z = a_j·x_k
            m = indices[p]
            q = k - last[m]
            if q > 0:
                scale, geom = _lag_factors(q, gamma, lam)
                x[m] = scale * x[m] - geom * step_mean[m]
                last[m] = k
            z += data[p] * x[m]
        if kind == 0:
            s = z - target[j]
        else:
            u = target[j] * z
            s = -target[j] / (1.0 + math.exp(u)) if u < 700.0 else -target[j] * math.exp(-u)
        diff = s - alpha[j]
        g = gamma * diff
        for p in range(lo, hi):            # the step must be finite before it is applied
            m = indices[p]
            if not math.isfinite(shrink * x[m] - step_mean[m] - g * data[p]):
                return t
        for p in range(lo, hi):            # x_{k+1} = x_k - γ((s - α_j) a_j + ᾱ + λ x_k)
            m = indices[p]
            x[m] = shrink * x[m] - step_mean[m] - g * data[p]
            last[m] = k + 1
            step_mean[m] += (g / n) * data[p]  # ᾱ and α_j updated
        alpha[j] = s
    return order.shape[0]


_saga_lazy_epoch_nb = _catch_up_nb = None
if HAVE_NUMBA:  # pragma: no cover - exercised when numba is installed
    _njit = _numba_njit
    _catch_up_nb = _njit(_catch_up)
    _saga_lazy_epoch_nb = _njit(_saga_lazy_epoch)


def _use_compiled(compiled):
    if compiled is None:
        return HAVE_NUMBA
    if compiled and not HAVE_NUMBA:
        raise ValueError("compiled=True needs numba, which is not installed")
    return bool(compiled)


def _saga_lazy(model, A, x, n, gamma, max_epochs, rng, callback, compiled):
    """SAGA with a scalar table and just-in-time updates, for a CSR ``A`` and no prox."""
    from .objectives import LeastSquares

    lam = float(model.lam)
    alpha = np.asarray(model.dloss(A @ x), dtype=model.dtype)   # φ_i'(a_i·x_0)
    step_mean = gamma * np.asarray(A.T @ alpha, dtype=model.dtype) / n   # γᾱ
    kind = 0 if type(model) is LeastSquares else 1
    target = np.asarray(model.b if kind == 0 else model.y, dtype=np.float64)
    last = np.zeros(x.shape[0], dtype=np.int64)  # x[m] is up to date at iteration last[m]
    if compiled:
        epoch_fn, catch_up = _saga_lazy_epoch_nb, _catch_up_nb
    else:
        epoch_fn, catch_up = _saga_lazy_epoch, _catch_up
    indptr, indices, data = A.indptr, A.indices, A.data
    k = 0
    loop = _epochs(max_epochs, callback)
    epoch = -1
    for epoch in loop:
        start = x.copy()
        order = rng.integers(0, n, size=n)
        with np.errstate(over="ignore", invalid="ignore"):  # only our loop: checked below
            done = epoch_fn(indptr, indices, data, x, alpha, step_mean, last, order, k,
                            gamma, lam, n, kind, target)
            k += done
            catch_up(x, step_mean, last, k, gamma, lam)      # x_k in full
        if done < n or not _finite(x):
            if not _finite(x):                            # an untracked overflow
                x = start
            _diverged(loop, epoch)
            break
        step_mean = gamma * np.asarray(A.T @ alpha, dtype=model.dtype) / n   # no drift
        x = loop.accept(x, x)
    n_evals = n + k + (loop.status == 2)
    return _result(loop, x, k, epoch + 1, n_evals, table="scalar", lazy=True)


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
    loop = _epochs(max_epochs, callback)
    epoch = -1
    for epoch in loop:
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
            x_new = x - gamma * (g_x - g_s + g_snap)       # v_t = ∇f_I(x_t) - ∇f_I(x̃) + ∇f(x̃)
            if prox is not None:
                x_new = call_prox(prox, x_new, gamma)
            n_evals += 2 * len(idx)
            if not _finite(x_new):
                _diverged(loop, epoch)
                break
            x = x_new
            k += 1
            if x_sum is not None:
                x_sum += x
        if loop.stopped:
            x_snap = x  # the last finite iterate
            break
        if snapshot == "last":
            x_next = x
        elif snapshot == "average":
            x_next = x_sum / m
        x_snap = loop.accept(x_snap, x_next)
    return _result(loop, x_snap, k, epoch + 1, n_evals)
