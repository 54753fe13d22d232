r"""Online learning: online gradient descent, FTRL, Hedge and EXP3.

The functions of this module implement the algorithms of the chapter
*Online learning* (:ref:`chap-online-learning`). They play a repeated game of
``T`` rounds against an environment and return what they played; the regret
is computed afterwards with :func:`regret`.

**Rounds.** Rounds are numbered :math:`t = 1, \dots, T`. The learner plays
:math:`x_t` *before* it sees the loss of round :math:`t`; ``x0`` is
:math:`x_1`. Row ``t - 1`` of a returned array is what was played at round
:math:`t`, so the last row, :math:`x_T`, never depends on the last loss.

**Oracles.** ``subgrad(t, x)`` returns a (sub)gradient of the round-:math:`t`
loss at the played point :math:`x = x_t`; it is called once for each round
:math:`t = 1, \dots, T - 1`, in order, and *not* at round :math:`T` (the
returned :math:`x_1, \dots, x_T` do not need :math:`g_T`; compute the last
loss yourself when you evaluate the regret). An environment may be adaptive:
``subgrad`` may look at ``x``.

**Bad input** (shapes, losses outside :math:`[0, 1]`, non-positive learning
rates, ``T < 1``, non-finite oracle outputs) raises :class:`ValueError` or
:class:`TypeError` naming the argument. Inputs are never modified.

**Dtypes.** A ``float32`` ``x0`` or loss table gives ``float32`` results
(played points, weights, probabilities, regrets); integer or list input gives
``float64``. A 0-d ``x0`` is a one-dimensional problem.

**Divergence.** These functions return the array of played points, not an
:class:`~scipy.optimize.OptimizeResult` (there is no stopping test and no
``success`` flag to set), so an iterate that becomes NaN or infinite raises
:class:`FloatingPointError` instead of being reported in a result.
"""

import math
from numbers import Real

import numpy as np

from ._validation import (
    as_array,
    check_callable,
    check_int,
    check_nonnegative,
    check_positive,
    float_dtype,
)

__all__ = [
    "online_gradient_descent",
    "ftrl",
    "hedge",
    "exp3",
    "regret",
]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _check_x0(x0):
    x0 = as_array(x0, "x0", ndim=(0, 1))  # float32 kept
    return np.atleast_1d(x0)


def _step_function(step, name="step"):
    """``step`` as a function ``t -> eta_t`` that checks its values."""
    if callable(step):
        def eta(t):
            value = step(t)
            try:
                return check_positive(value, f"{name}({t})")
            except TypeError:
                return check_positive(float(value), f"{name}({t})")
        return eta
    if isinstance(step, bool) or not isinstance(step, (Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a positive number or a callable t -> eta_t, "
                        f"got {type(step).__name__}")
    value = check_positive(step, name)
    return lambda t: value


def _call_subgrad(subgrad, t, x):
    g = np.asarray(subgrad(t, x.copy()), dtype=np.float64)
    if g.shape != x.shape:
        g = g.reshape(x.shape) if g.size == x.size else g
    if g.shape != x.shape:
        raise ValueError(f"subgrad(t, x) must return an array of shape {x.shape}, "
                         f"got shape {g.shape} at round t={t}")
    if not np.all(np.isfinite(g)):
        raise ValueError(f"subgrad(t, x) returned NaN or infinite entries at round t={t}")
    return g


def _call_proj(proj, v, t):
    if proj is None:
        return v
    p = np.asarray(proj(v), dtype=np.float64)
    if p.shape != v.shape:
        raise ValueError(f"proj(x) must return an array of shape {v.shape}, got shape {p.shape}")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"the iterates diverged: proj returned non-finite entries at round t={t}")
    return p


def _check_iterate(x, t, what="the iterate"):
    if not np.all(np.isfinite(x)):
        raise FloatingPointError(
            f"{what} x_{t} has NaN or infinite entries: the run diverged "
            "(try a smaller step or learning rate)")


def _check_losses(losses, name="losses"):
    losses = as_array(losses, name, ndim=2)  # float32 kept
    T, N = losses.shape
    if T < 1 or N < 1:
        raise ValueError(f"{name} must have at least one round and one expert, got shape {losses.shape}")
    if losses.min() < 0 or losses.max() > 1:
        raise ValueError(f"{name} must lie in [0, 1], got values in "
                         f"[{losses.min():.3g}, {losses.max():.3g}]")
    return losses


def _softmax_rows(z):
    """Row-wise softmax of ``-z`` computed stably (subtract the row minimum)."""
    z = z - z.min(axis=-1, keepdims=True)
    w = np.exp(-z)
    return w / w.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------------------
# online gradient descent
# ---------------------------------------------------------------------------


def online_gradient_descent(subgrad, x0, step, T, proj=None):
    r"""Online (projected) gradient descent.

    Plays :math:`x_1 = x_0` (``x0``) and, after observing
    :math:`g_t \in \partial f_t(x_t)`,

    .. math::

        x_{t+1} = P_X\big(x_t - \eta_t g_t\big), \qquad t = 1, \dots, T - 1 .

    Over a convex set of diameter :math:`D` with :math:`\|g_t\| \le G`, the
    steps :math:`\eta_t = D/(G\sqrt t)` give the regret
    :math:`R_T \le \tfrac32 DG\sqrt T` for every :math:`T` (the constant
    :math:`3/2` is not shown to be attained; sequences reaching about
    :math:`1.07\,DG\sqrt T` exist), the fixed-horizon
    step :math:`\eta = D/(G\sqrt T)` gives :math:`R_T \le DG\sqrt T`, and
    :math:`\eta_t = 1/(\mu t)` on :math:`\mu`-strongly convex losses gives
    :math:`R_T \le \frac{G^2}{2\mu}(1 + \log T)`
    :cite:p:`zinkevich2003,hazan2007`.

    Parameters
    ----------
    subgrad : callable
        ``subgrad(t, x)``: a subgradient of the round-``t`` loss at the played
        point ``x`` (``t = 1, ..., T - 1``; never called at round ``T``), an array
        shaped like ``x0``.
    x0 : array_like, shape (d,)
        The first point played, :math:`x_1` (it should lie in :math:`X`).
    step : float or callable
        A constant step :math:`\eta > 0`, or a function ``t -> eta_t``
        (``t = 1, 2, ...``, the round whose gradient is used).
    T : int
        Number of rounds, ``T >= 1``.
    proj : callable, optional
        ``proj(v)``: the Euclidean projection onto :math:`X` (e.g.
        ``functools.partial(optbook.prox.proj_box, lower=-1, upper=1)``);
        ``None`` for :math:`X = \mathbb{R}^d`.

    Returns
    -------
    numpy.ndarray, shape (T, d)
        Row ``t - 1`` is the point :math:`x_t` played at round ``t``.

    Raises
    ------
    FloatingPointError
        If an iterate becomes non-finite (the run diverged).
    """
    check_callable(subgrad, "subgrad")
    x = _check_x0(x0)
    eta = _step_function(step)
    T = check_int(T, "T", minimum=1)
    if proj is not None:
        check_callable(proj, "proj")
    played = np.empty((T, x.size), dtype=x.dtype)
    for t in range(1, T + 1):
        played[t - 1] = x
        if t == T:
            break
        g = _call_subgrad(subgrad, t, x)
        with np.errstate(over="ignore", invalid="ignore"):
            x_new = x - eta(t) * g
        x = _call_proj(proj, x_new, t) if np.all(np.isfinite(x_new)) else x_new
        _check_iterate(x, t + 1)
    return played


# ---------------------------------------------------------------------------
# follow the regularized leader
# ---------------------------------------------------------------------------


def _ftrl_argmin(regularizer, x0, eta, proj, delta):
    """The map ``(G_t, s_t) -> x_{t+1}`` of FTRL for the given regularizer."""
    if isinstance(regularizer, str):
        if regularizer == "euclidean":
            return lambda G, s, t: _call_proj(proj, x0 - eta * G, t)
        if regularizer == "entropy":
            if proj is not None:
                raise ValueError("proj must be None with regularizer='entropy' "
                                 "(the iterates stay in the simplex)")
            if np.any(x0 <= 0) or abs(x0.sum() - 1) > 1e-10:
                raise ValueError("x0 must lie in the relative interior of the simplex "
                                 "(positive entries summing to 1) with regularizer='entropy'")
            log_x0 = np.log(x0)

            def entropic(G, s, t):
                z = eta * G - log_x0
                return _softmax_rows(z)
            return entropic
        if regularizer == "adagrad":
            def adagrad(G, s, t):
                scale = np.sqrt(delta + s)
                direction = np.divide(G, scale, out=np.zeros_like(G), where=scale > 0)
                return _call_proj(proj, x0 - eta * direction, t)
            return adagrad
        raise ValueError("regularizer must be 'euclidean', 'entropy', 'adagrad', a mirror map "
                         f"(with grad and grad_conj) or a callable argmin, got {regularizer!r}")
    if hasattr(regularizer, "grad_conj") and hasattr(regularizer, "grad"):
        if proj is not None:
            raise ValueError("proj must be None with a mirror map (grad_conj maps onto the domain)")
        theta0 = np.asarray(regularizer.grad(x0.copy()), dtype=np.float64)
        if theta0.shape != x0.shape:
            raise ValueError(f"regularizer.grad(x0) must have shape {x0.shape}, got {theta0.shape}")
        return lambda G, s, t: np.asarray(regularizer.grad_conj(theta0 - eta * G), dtype=np.float64)
    if callable(regularizer):
        if proj is not None:
            raise ValueError("proj must be None with a callable argmin (it includes the constraint)")
        return lambda G, s, t: np.asarray(regularizer(eta * G), dtype=np.float64)
    raise TypeError("regularizer must be a string, a mirror map (with grad and grad_conj) or "
                    f"a callable, got {type(regularizer).__name__}")


def ftrl(subgrad, x0, eta, T, regularizer="euclidean", proj=None, delta=0.0):
    r"""Follow the regularized leader on linearized losses (dual averaging).

    Plays :math:`x_1 = x_0` and, with :math:`G_t = \sum_{s \le t} g_s` the sum
    of the subgradients :math:`g_s \in \partial f_s(x_s)` seen so far,

    .. math::

        x_{t+1} = \operatorname*{argmin}_{x \in X}\ \langle G_t, x\rangle + \frac{1}{\eta} h_t(x).

    ``regularizer`` chooses :math:`h_t`:

    * ``"euclidean"``: :math:`h(x) = \frac12\|x - x_0\|^2`, so
      :math:`x_{t+1} = P_X(x_0 - \eta G_t)` (lazy projection);
    * ``"entropy"``: :math:`h(x) = \sum_i x_i\log(x_i/x_{0,i})` on the simplex,
      so :math:`x_{t+1} \propto x_0 \odot e^{-\eta G_t}` (Hedge when the
      :math:`g_t` are loss vectors); ``x0`` must be a positive probability vector;
    * ``"adagrad"``: the adaptive, per-coordinate
      :math:`h_t(x) = \frac12\sum_i \sqrt{\delta + s_{t,i}}\,(x_i - x_{0,i})^2`
      with :math:`s_t = \sum_{s \le t} g_s^2`, so
      :math:`x_{t+1} = P_X\big(x_0 - \eta G_t / \sqrt{\delta + s_t}\big)`
      (coordinatewise; ``proj`` should be a box projection, which is the same
      in every diagonal metric; a coordinate with :math:`\delta + s_{t,i} = 0`
      stays at :math:`x_{0,i}`);
    * a mirror map (an object with ``grad`` :math:`= \nabla h` and
      ``grad_conj`` :math:`= \nabla h^*`, such as an
      ``optbook.mirror.MirrorMap``): :math:`h` replaced by the Bregman
      divergence :math:`D_h(\cdot, x_0)`, so
      :math:`x_{t+1} = \nabla h^*(\nabla h(x_0) - \eta G_t)` (lazy mirror descent);
    * a callable ``argmin(theta)`` returning
      :math:`\operatorname{argmin}_{x \in X} \langle\theta, x\rangle + h(x)`,
      called with :math:`\theta = \eta G_t` (``x0`` should be ``argmin(0)``).

    With a fixed regularizer that is 1-strongly convex for a norm, the regret
    is at most :math:`(h(u) - h(x_1))/\eta + \frac\eta2\sum_t\|g_t\|_*^2`
    :cite:p:`mcmahan2017`.

    Parameters
    ----------
    subgrad : callable
        ``subgrad(t, x)``, as in :func:`online_gradient_descent`.
    x0 : array_like, shape (d,)
        The first point played, the minimizer of the regularizer.
    eta : float
        Learning rate, ``eta > 0``.
    T : int
        Number of rounds, ``T >= 1``.
    regularizer : str, mirror map or callable, default="euclidean"
        See above.
    proj : callable, optional
        Euclidean projection onto :math:`X` for ``"euclidean"`` and
        ``"adagrad"``; ``None`` for :math:`\mathbb{R}^d`.
    delta : float, default=0.0
        :math:`\delta \ge 0` of the ``"adagrad"`` regularizer (ignored otherwise).

    Returns
    -------
    numpy.ndarray, shape (T, d)
        Row ``t - 1`` is the point :math:`x_t` played at round ``t``.
    """
    check_callable(subgrad, "subgrad")
    x0 = _check_x0(x0)
    eta = check_positive(eta, "eta")
    T = check_int(T, "T", minimum=1)
    delta = check_nonnegative(delta, "delta")
    if proj is not None:
        check_callable(proj, "proj")
    argmin = _ftrl_argmin(regularizer, x0, eta, proj, delta)
    played = np.empty((T, x0.size), dtype=x0.dtype)
    x, G, s = x0, np.zeros_like(x0), np.zeros_like(x0)
    for t in range(1, T + 1):
        played[t - 1] = x
        if t == T:
            break
        g = _call_subgrad(subgrad, t, x)
        G = G + g
        s = s + g * g
        x = argmin(G, s, t)
        if x.shape != x0.shape:
            raise ValueError(f"the regularizer's argmin must return an array of shape {x0.shape}, "
                             f"got shape {x.shape}")
        _check_iterate(x, t + 1)
    return played


# ---------------------------------------------------------------------------
# experts: Hedge, and bandits: EXP3
# ---------------------------------------------------------------------------


def hedge(losses, eta):
    r"""Hedge (exponential weights) on a sequence of expert losses.

    With :math:`L_{t-1} = \sum_{s < t}\ell_s` the cumulative losses before round
    :math:`t`, the weights played at round :math:`t` are

    .. math::

        w_{t,i} = \frac{e^{-\eta L_{t-1,i}}}{\sum_j e^{-\eta L_{t-1,j}}},
        \qquad w_1 = (1/N, \dots, 1/N).

    For losses in :math:`[0, 1]`, the regret against the best expert is at
    most :math:`\log N/\eta + \eta T/8`, that is :math:`\sqrt{T\log N/2}` for
    :math:`\eta = \sqrt{8\log N/T}` :cite:p:`freund1997,cesabianchi2006`.

    The computation is vectorized (a cumulative sum and a row-wise softmax);
    subtracting the row minimum of :math:`\eta L_{t-1}` keeps it stable for
    any ``eta`` (``eta = 1e8``, as in the chapter, is follow-the-leader with ties split
    evenly).
    Losses are given in advance, so the environment is *oblivious*.

    Parameters
    ----------
    losses : array_like, shape (T, N)
        Loss of each of the ``N`` experts at each of the ``T`` rounds, in ``[0, 1]``.
    eta : float
        Learning rate, ``eta > 0``.

    Returns
    -------
    numpy.ndarray, shape (T, N)
        Row ``t - 1`` is :math:`w_t`, which depends on the losses of rounds
        ``1, ..., t - 1`` only. The learner's expected loss at round ``t`` is
        ``(w * losses).sum(axis=1)[t - 1]``.
    """
    losses = _check_losses(losses)
    eta = check_positive(eta, "eta")
    T, N = losses.shape
    past = np.zeros((T, N), dtype=losses.dtype)
    np.cumsum(losses[:-1], axis=0, out=past[1:])
    return _softmax_rows(eta * past)


def exp3(losses, eta, gamma=0.0, seed=0):
    r"""EXP3: exponential weights with bandit feedback.

    At round :math:`t` the learner draws an arm :math:`I_t \sim p_t` with

    .. math::

        p_t = (1 - \gamma)\,\frac{e^{-\eta\tilde L_{t-1}}}{\sum_j e^{-\eta\tilde L_{t-1,j}}} + \frac{\gamma}{N},
        \qquad
        \tilde\ell_{t,i} = \frac{\ell_{t,i}}{p_{t,i}}\,\mathbf 1\{I_t = i\},

    observes only :math:`\ell_{t, I_t}` and adds the importance-weighted
    estimate :math:`\tilde\ell_t` (unbiased: :math:`\mathbb E_t\tilde\ell_t = \ell_t`)
    to :math:`\tilde L_{t-1}`. With ``gamma = 0`` and
    :math:`\eta = \sqrt{2\log N/(TN)}`, the pseudo-regret is at most
    :math:`\sqrt{2TN\log N}` :cite:p:`auer2002,bubeck2012`.

    Parameters
    ----------
    losses : array_like, shape (T, N)
        Losses of the arms, in ``[0, 1]``, fixed in advance (oblivious adversary).
    eta : float
        Learning rate, ``eta > 0``.
    gamma : float, default=0.0
        Explicit exploration, in ``[0, 1]``.
    seed : int or numpy.random.Generator, default=0
        Seed of the draws of the arms.

    Returns
    -------
    actions : numpy.ndarray of int, shape (T,)
        The arms :math:`I_t` drawn.
    probs : numpy.ndarray, shape (T, N)
        Row ``t - 1`` is :math:`p_t`. The conditional expected loss of round
        ``t`` is ``(probs * losses).sum(axis=1)[t - 1]``.
    """
    losses = _check_losses(losses)
    eta = check_positive(eta, "eta")
    if isinstance(gamma, bool) or not isinstance(gamma, (Real, np.floating, np.integer)):
        raise TypeError(f"gamma must be a real number, got {type(gamma).__name__}")
    gamma = float(gamma)
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must lie in [0, 1], got {gamma}")
    if isinstance(seed, np.random.Generator):
        rng = seed
    else:
        rng = np.random.default_rng(check_int(seed, "seed", minimum=0))
    T, N = losses.shape
    uniforms = rng.random(T)
    actions = np.empty(T, dtype=np.int64)
    probs = np.empty((T, N), dtype=losses.dtype)
    # w = exp(-eta * (L_hat - c)) for a running constant c: only the drawn arm's
    # weight changes at each round, and w is rescaled before it can underflow.
    w = np.ones(N)
    for t in range(T):
        W = w.sum()
        if W < 1e-200:
            w = w / w.max()
            W = w.sum()
        p = w * ((1 - gamma) / W) + gamma / N
        i = int(np.searchsorted(np.cumsum(p), uniforms[t] * p.sum(), side="right"))
        i = min(i, N - 1)
        if p[i] == 0.0:  # never draw an arm of probability zero (rounding guard)
            i = int(np.argmax(p))
        probs[t] = p
        actions[t] = i
        w[i] *= math.exp(-eta * losses[t, i] / p[i])
    return actions, probs


# ---------------------------------------------------------------------------
# regret
# ---------------------------------------------------------------------------


def regret(loss_of_played, loss_of_comparator):
    r"""Cumulative regret :math:`R_t = \sum_{s \le t}\big(f_s(x_s) - f_s(u)\big)`.

    Parameters
    ----------
    loss_of_played : array_like, shape (T,)
        :math:`f_t(x_t)`, the loss of the point played at each round.
    loss_of_comparator : array_like, shape (T,)
        :math:`f_t(u)`, the loss of a fixed comparator at each round (for the
        best comparator in hindsight at every :math:`t`, compute it separately
        for each :math:`t`).

    Returns
    -------
    numpy.ndarray, shape (T,)
        :math:`R_1, \dots, R_T`.
    """
    dtype = float_dtype(loss_of_played, loss_of_comparator)  # float32 kept
    a = as_array(loss_of_played, "loss_of_played", ndim=1, dtype=dtype)
    b = as_array(loss_of_comparator, "loss_of_comparator", ndim=1, dtype=dtype)
    if a.shape != b.shape:
        raise ValueError("loss_of_played and loss_of_comparator must have the same shape, "
                         f"got {a.shape} and {b.shape}")
    if a.size == 0:
        raise ValueError("loss_of_played must have at least one round")
    return np.cumsum(a - b)
