r"""First-order methods: gradient, subgradient, proximal, accelerated, fixed-point.

Each function implements one algorithm of Part II of the book, and its body
follows the corresponding ``{prf:algorithm}`` block line by line.

The conventions below are shared by every solver.

**Iterates.** ``x0`` is the iterate :math:`x_0`; one *iteration* computes
:math:`x_{k+1}` from :math:`x_k` (and, for the accelerated methods, from the
extrapolated point :math:`y_k`). ``result.nit`` is the number of iterations
performed, so ``result.x`` is :math:`x_{\text{nit}}`.

**Callback.** ``callback(x)`` is called once per iteration, with the new
iterate :math:`x_{k+1}` (for :func:`fista` and :func:`nesterov`: the sequence
:math:`x_k`, never the extrapolated :math:`y_k`). It is not called with
:math:`x_0`: a :class:`optbook.Trace <optbook.trace.Trace>` built with ``x0=x0`` records it, so that
its entry ``k`` is the iterate :math:`x_k`. A callback that returns a true
value stops the run (``status=3``, ``success=True``). The solver passes its
own array: do not modify it (copy it to keep it; :class:`~optbook.trace.Trace` does).

**Stopping.** Every solver stops after ``max_iter`` iterations. With
``tol > 0`` it also stops as soon as its stated criterion (the gradient norm,
the norm of the gradient mapping :math:`\|x - \operatorname{prox}_{\gamma g}(x
- \gamma\nabla f(x))\|/\gamma`, or a fixed-point residual) is at most
``tol``; each docstring says which one and at which point. With ``tol = 0``
(the default) the run has a fixed budget and reaching ``max_iter`` is a
success; with ``tol > 0`` it is not.

**Result.** A :class:`scipy.optimize.OptimizeResult` with ``x``, ``nit``,
``success``, ``status`` (0: tolerance reached, 1: ``max_iter`` reached, 2:
diverged, 3: stopped by the callback, 4: line search failed) and
``message``; ``fun`` when the objective value is known.

**Divergence.** If an iterate has a NaN or infinite entry, or a norm so large
that its squared norm overflows (about :math:`10^{154}` in float64), the run
stops with ``success=False``, ``status=2`` and a message that says the
iterates diverged; ``x`` is then the last finite iterate. No oracle is called
at such a point, so the solvers need no ``np.errstate``: warnings raised by
the user's own functions are never hidden.

**Dtypes.** ``x0`` in ``float32`` gives ``float32`` iterates (the oracles'
outputs are cast to ``x0``'s dtype); integer or list input gives ``float64``.

**Skeleton.** Every solver runs on ``optbook._solver.Loop``, which
counts iterations, calls the callback, detects divergence and sets the status,
so that the body of each function is its ``{prf:algorithm}`` block.

**Cost.** One iteration costs its oracle calls (one gradient, one prox) plus
:math:`O(d)` vector operations. The objective is evaluated only when a line
search, a restart or a Polyak step needs it (and once at the end, for
``fun``, when it is given).

**Bad input** raises :class:`ValueError` or :class:`TypeError` naming the
argument; ``x0`` and the other inputs are never modified.
"""

import math
from numbers import Real

import numpy as np

from ._solver import Loop, bounded, norm as _norm
from ._validation import (
    as_array,
    as_float_array,
    call_prox,
    check_callable,
    check_in_interval,
    check_int,
    check_nonnegative,
    check_output_shape,
    check_positive,
)

__all__ = [
    "gradient_descent",
    "subgradient_descent",
    "proximal_point",
    "proximal_gradient",
    "fista",
    "heavy_ball",
    "nesterov",
    "nesterov_restart",
    "krasnoselskii_mann",
]

_MAX_BACKTRACKS = 100
_F_RTOL = 1e-12  # relative tolerance of the line-search tests, see _below


# --------------------------------------------------------------------------
# small shared helpers: input checks, oracle calls, the line search
# --------------------------------------------------------------------------


def _loop(max_iter, tol, callback):
    """The shared skeleton (``optbook._solver.Loop``).

    An iterate whose squared norm overflows counts as diverged, so that no
    oracle is ever called where its own arithmetic would overflow: the solvers
    need no ``np.errstate``, and the user's warnings are never hidden.
    """
    return Loop(max_iter, tol, callback, divergence="norm")


_sane = bounded  # the iterate test of _loop, for trial points


def _check_start(x0):
    x = as_array(x0, "x0")  # a copy, in x0's floating dtype (float64 for int / list)
    if x.size == 0:
        raise ValueError("x0 must have at least one entry, got an empty array")
    return x


def _check_optional_callable(f, name):
    if f is not None:
        check_callable(f, name)
    return f


def _check_step(step, name="step", choices=()):
    """A positive number, or one of the strings in ``choices``."""
    if isinstance(step, str):
        if step in choices:
            return step
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be a positive number"
                         + (f" or one of {allowed}" if choices else "")
                         + f", got {step!r}")
    return check_positive(step, name)


def _call(oracle, x, name):
    """Call an oracle and check that it returns an array shaped like ``x``."""
    return check_output_shape(oracle(x), x, f"{name}(x)")


def _value(f, x, name="f"):
    val = f(x)
    if not isinstance(val, (Real, np.floating, np.integer)) and np.ndim(val) != 0:
        raise TypeError(f"{name}(x) must return a real number, got {type(val).__name__}")
    return float(val)


def _value_and_grad(oracle, x):
    """Call ``value_and_grad(x)``; check it returns a number and an array shaped like ``x``."""
    out = oracle(x)
    if not isinstance(out, tuple) or len(out) != 2:
        raise TypeError("value_and_grad(x) must return a pair (value, gradient), got "
                        f"{type(out).__name__}")
    return _value(lambda _: out[0], x, "value_and_grad"), \
        check_output_shape(out[1], x, "value_and_grad(x)[1]")


def _objective(f, value_and_grad, x):
    return _value(f, x) if f is not None else _value_and_grad(value_and_grad, x)[0]


def _below(f_new, bound, fx):
    """Line-search test ``f_new <= bound``, up to the rounding error of f.

    Near a minimizer the decrease the test asks for is below the precision
    of f, so values are compared with a relative tolerance ``_F_RTOL``.
    A non-finite ``f_new`` always fails.
    """
    return math.isfinite(f_new) and f_new <= bound + _F_RTOL * max(abs(fx), abs(f_new))


class _Backtracking:
    r"""The backtracking search shared by Armijo gradient descent and proximal gradient.

    Each call tries the steps :math:`\rho\gamma, \beta\rho\gamma,
    \beta^2\rho\gamma, \dots` (:math:`\gamma` the last accepted step,
    :math:`\rho` = ``grow``) and returns the first trial point
    ``point(t)`` with :math:`f(\text{point}(t)) \le` ``bound(t, point)``.
    With ``value_and_grad`` the value and the gradient at the trial point come
    from one oracle call, and the gradient of the accepted point is returned
    for the next iteration (two products with :math:`A` per iteration for the
    linear models of :mod:`optbook.objectives`, instead of three). Trial points
    whose norm overflows are rejected without calling the oracle.
    """

    def __init__(self, f, value_and_grad, x, step0, beta, grow, what):
        if f is None and value_and_grad is None:
            raise ValueError(f"{what} needs f (or value_and_grad), the objective value "
                             "function")
        self.f, self.value_and_grad = f, value_and_grad
        self.gamma = check_positive(step0, "step0")
        self.beta = check_in_interval(beta, "beta", 0.0, 1.0, closed="neither")
        self.grow = check_positive(grow, "grow")
        if self.grow < 1:
            raise ValueError(f"grow must be >= 1, got {self.grow}")
        if value_and_grad is not None:   # the gradient at x_0 comes with f(x_0)
            self.fx, self.g0 = _value_and_grad(value_and_grad, x)
        else:
            self.fx, self.g0 = _value(f, x), None

    def __call__(self, loop, point, bound):
        t = self.gamma * self.grow
        for _ in range(_MAX_BACKTRACKS):
            x_new = point(t)
            if _sane(x_new):
                if self.value_and_grad is not None:
                    f_new, g_new = _value_and_grad(self.value_and_grad, x_new)
                else:
                    f_new, g_new = _value(self.f, x_new), None
                if _below(f_new, bound(t, x_new), self.fx):
                    self.gamma, self.fx = t, f_new
                    return x_new, g_new
            t *= self.beta
        loop.stop(4)
        return None, None


# --------------------------------------------------------------------------
# gradient and subgradient methods
# --------------------------------------------------------------------------


def gradient_descent(grad, x0, step, max_iter=1000, tol=0.0, callback=None, f=None,
                     *, step0=1.0, beta=0.5, c=1e-4, grow=1.0, value_and_grad=None):
    r"""Gradient descent, with a constant step or an Armijo line search.

    .. math::

        x_{k+1} = x_k - \gamma_k \nabla f(x_k).

    With ``step="armijo"``, :math:`\gamma_k` is the first of
    :math:`\rho\gamma_{k-1}, \beta\rho\gamma_{k-1}, \beta^2\rho\gamma_{k-1}, \dots`
    (:math:`\gamma_{-1}` is ``step0``, :math:`\rho \ge 1` is ``grow``) such that

    .. math::

        f(x_k - \gamma\nabla f(x_k)) \le f(x_k) - c\,\gamma\|\nabla f(x_k)\|^2

    (backtracking with memory; with the default ``grow=1`` the steps never
    increase and the search costs one evaluation of :math:`f` per iteration
    once the step has settled; ``grow > 1``, e.g. ``1/beta``, lets the step
    grow again where the function is flatter, as in copt's line searches, for
    one more evaluation per iteration). Values of :math:`f` are compared up to a relative rounding
    tolerance of ``1e-12``, so that the search does not shrink the step when
    the decrease it tests is below the precision of :math:`f`.

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns :math:`\nabla f(x)`, an array shaped like ``x``.
    x0 : array_like
        Starting point :math:`x_0`.
    step : float or {"armijo"}
        Constant step :math:`\gamma > 0` (e.g. ``1/L``), or ``"armijo"``.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=0.0
        Stop when :math:`\|\nabla f(x_k)\| \le` ``tol`` (checked before the
        step; ``result.x`` is that :math:`x_k`).
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true return value stops.
    f : callable, optional
        ``f(x)`` returns the objective value. Required by ``"armijo"``; when
        given, ``result.fun`` is :math:`f(x)` at the returned point.
    step0, beta, c : float
        Armijo parameters: first trial step :math:`\gamma_{-1} > 0`,
        backtracking factor :math:`\beta \in (0, 1)`, sufficient decrease
        constant :math:`c \in (0, 1)`.
    grow : float, default=1.0
        Factor :math:`\rho \ge 1` applied to the last step before each search.
    value_and_grad : callable, optional
        ``value_and_grad(x)`` returns ``(f(x), grad(x))`` from one pass (e.g.
        ``LogisticRegression(A, y).value_and_grad`` of
        :mod:`optbook.objectives`). With it the
        Armijo search gets the gradient of the accepted point with its value:
        one oracle call per iteration instead of a value and a gradient (for
        the linear models, two products with :math:`A` instead of three). It
        may replace ``f``.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``nit``, ``success``, ``status``, ``message``; ``fun`` when
        ``f`` (or ``value_and_grad``) is given; ``step``, the last step used.

    Notes
    -----
    If :math:`f` is convex and :math:`L`-smooth and :math:`\gamma = 1/L`,

    .. math::

        f(x_k) - f^\star \le \frac{L\|x_0 - x^\star\|^2}{2k},

    and if :math:`f` is moreover :math:`\mu`-strongly convex,
    :math:`\|x_k - x^\star\|^2 \le (1 - \mu/L)^k\|x_0 - x^\star\|^2`
    (:math:`((\kappa-1)/(\kappa+1))^{2k}` with :math:`\gamma = 2/(L+\mu)`).
    Under the Polyak–Łojasiewicz inequality with constant :math:`\mu`,
    :math:`f(x_k) - f^\star \le (1-\mu/L)^k(f(x_0) - f^\star)`
    :cite:p:`karimi2016`. With ``step="armijo"`` every accepted
    step is at least :math:`\gamma_{\min} = \min(\gamma_{-1}, 2\beta(1-c)/L)` and
    :math:`\min_{i<k}\|\nabla f(x_i)\|^2 \le (f(x_0) - f_{\inf})/(c\gamma_{\min}k)`;
    for convex :math:`f` and :math:`c \ge 1/2`,
    :math:`f(x_k) - f^\star \le \|x_0 - x^\star\|^2/(2\gamma_{\min}k)`; under the PL
    inequality, :math:`f(x_k) - f^\star \le (1 - 2c\mu\gamma_{\min})^k(f(x_0) - f^\star)`
    (with the default :math:`c = 10^{-4}` this factor is close to 1). See :cite:t:`nesterov2018`,
    Chapter 2, and :cite:t:`beck2017`, Chapter 10.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> from optbook.objectives import LeastSquares
    >>> f = LeastSquares(np.eye(3), np.ones(3))
    >>> res = optbook.gradient_descent(f.grad, np.zeros(3), 1 / f.lipschitz, tol=1e-10)
    >>> res.success, np.allclose(res.x, 1.0)
    (True, True)
    """
    grad = check_callable(grad, "grad")
    x = _check_start(x0)
    step = _check_step(step, "step", choices=("armijo",))
    loop = _loop(max_iter, tol, callback)
    f = _check_optional_callable(f, "f")
    value_and_grad = _check_optional_callable(value_and_grad, "value_and_grad")
    search = None
    if step == "armijo":
        c = check_in_interval(c, "c", 0.0, 1.0, closed="neither")
        search = _Backtracking(f, value_and_grad, x, step0, beta, grow, 'step="armijo"')
    gamma = step

    g = search.g0 if search is not None else None
    for k in loop:
        g = _call(grad, x, "grad") if g is None else g
        if loop.converged(_norm(g)):
            break
        if search is None:
            x, g = loop.accept(x, x - gamma * g), None
            continue
        # Armijo: the first gamma in grow*gamma, beta*grow*gamma, ... with sufficient decrease
        sq = float(np.vdot(g, g))
        x_new, g = search(loop, point=lambda t: x - t * g,
                          bound=lambda t, x_new: search.fx - c * t * sq)
        if x_new is None:                  # the line search failed
            break
        x = loop.accept(x, x_new)
        gamma = search.gamma

    extra = {"step": gamma}
    if f is not None or value_and_grad is not None:
        extra["fun"] = search.fx if search is not None else _objective(f, value_and_grad, x)
    return loop.result(x, **extra)


def subgradient_descent(subgrad, x0, step, max_iter=1000, callback=None, f=None,
                        f_star=None, proj=None, *, step0=1.0):
    r"""Subgradient method with constant, scheduled or Polyak steps, optionally projected.

    .. math::

        x_{k+1} = x_k - \gamma_k g_k, \qquad g_k \in \partial f(x_k),

    or, with a projection ``proj`` onto a closed convex set :math:`C`
    (the projected subgradient method),

    .. math::

        x_{k+1} = P_C\big(x_k - \gamma_k g_k\big).

    The step :math:`\gamma_k` is

    * a constant :math:`\gamma` (``step`` a float);
    * ``step(k)`` for a callable ``step`` (:math:`k = 0, 1, \dots`);
    * :math:`\gamma_0/\sqrt{k+1}` for ``step="1/sqrt(k)"`` (:math:`\gamma_0`
      is ``step0``);
    * Polyak's step :math:`(f(x_k) - f^\star)/\|g_k\|^2` for
      ``step="polyak"`` (needs ``f`` and ``f_star``).

    The method is not a descent method, so it also returns the best iterate
    and the weighted average
    :math:`\bar x_k = \sum_{i<k}\gamma_i x_i / \sum_{i<k}\gamma_i`.

    Parameters
    ----------
    subgrad : callable
        ``subgrad(x)`` returns one subgradient :math:`g \in \partial f(x)`.
    x0 : array_like
        Starting point :math:`x_0`.
    step : float, callable or {"1/sqrt(k)", "polyak"}
        Step-size rule, see above.
    max_iter : int, default=1000
        Number of iterations. The run stops earlier only if a subgradient is
        zero (then :math:`x_k` is a minimizer), if the Polyak step is zero, or
        if the callback asks.
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true return value stops.
    f : callable, optional
        Objective value. When given, ``f`` is evaluated at every iterate to
        track the best one.
    f_star : float, optional
        Optimal value :math:`f^\star`, for the Polyak step (with ``proj``:
        :math:`\min_C f`).
    proj : callable, optional
        ``proj(x)`` returns the Euclidean projection :math:`P_C(x)` onto a
        closed convex set :math:`C`, e.g.
        ``functools.partial(optbook.prox.proj_l2_ball, radius=r)``. ``x0``
        should lie in :math:`C`; it is used as given. ``None`` (the default)
        is :math:`C = \mathbb{R}^d`.
    step0 : float, default=1.0
        :math:`\gamma_0` of the ``"1/sqrt(k)"`` schedule.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (the last iterate), ``x_avg``, ``nit``, ``success``,
        ``status``, ``message``; with ``f``: ``fun`` (:math:`f(x)`),
        ``x_best`` and ``fun_best`` (the best value among
        :math:`x_0, \dots, x_{\text{nit}}`).

    Notes
    -----
    If :math:`f` is convex, :math:`\|g_k\| \le G` and
    :math:`\|x_0 - x^\star\| \le R`, then for any positive steps

    .. math::

        \min_{0 \le i < k} f(x_i) - f^\star
        \le \frac{R^2 + G^2\sum_{i<k}\gamma_i^2}{2\sum_{i<k}\gamma_i},

    and the same bound holds for :math:`f(\bar x_k) - f^\star`. With ``proj``
    the bound holds verbatim with :math:`f^\star = \min_C f`, :math:`x^\star`
    a minimizer over :math:`C` and :math:`G` a bound on the subgradients at
    points of :math:`C` only (the projection is nonexpansive). With the
    constant step :math:`\gamma = R/(G\sqrt{K})` over a horizon :math:`K`
    the right-hand side is :math:`RG/\sqrt K`; with
    :math:`\gamma_i = \gamma_0/\sqrt{i+1}` it is
    :math:`O(\log k/\sqrt k)`. Polyak's step achieves :math:`RG/\sqrt{k}`
    without knowing :math:`R` or :math:`G` :cite:p:`polyak1987`. See
    :cite:t:`nesterov2018`, Chapter 3, and :cite:t:`beck2017`, Chapter 8.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> res = optbook.subgradient_descent(np.sign, np.array([1.0, -2.0]), "1/sqrt(k)",
    ...                                   max_iter=2000, f=lambda x: np.abs(x).sum())
    >>> bool(res.fun_best < 0.05)
    True
    """
    subgrad = check_callable(subgrad, "subgrad")
    x = _check_start(x0)
    proj = _check_optional_callable(proj, "proj")
    if callable(step):
        rule = "callable"
    else:
        step = _check_step(step, "step", choices=("1/sqrt(k)", "polyak"))
        rule = step if isinstance(step, str) else "constant"
    loop = _loop(max_iter, 0.0, callback)
    f = _check_optional_callable(f, "f")
    if rule == "1/sqrt(k)":
        step0 = check_positive(step0, "step0")
    if rule == "polyak":
        if f is None or f_star is None:
            raise ValueError('step="polyak" needs f and f_star')
    if f_star is not None:
        f_star = float(as_float_array(f_star, "f_star", ndim=0))

    track = f is not None
    if track:
        fx = _value(f, x)
        x_best, f_best = x, fx
    weighted_sum, gamma_sum = np.zeros_like(x), 0.0
    for k in loop:
        g = _call(subgrad, x, "subgrad")
        sq = float(np.vdot(g, g))
        if sq == 0.0:                      # 0 ∈ ∂f(x_k): x_k is a minimizer
            loop.stop(0, f"Zero subgradient at k = {k}: x_k is a minimizer.")
            break
        if rule == "constant":
            gamma = step
        elif rule == "1/sqrt(k)":
            gamma = step0 / math.sqrt(k + 1)
        elif rule == "callable":
            gamma = check_positive(step(k), f"step({k})")
        else:                              # Polyak
            if fx <= f_star:               # f(x_k) = f*: x_k is a minimizer
                loop.stop(0, f"f(x_k) <= f_star at k = {k}: x_k is optimal.")
                break
            gamma = (fx - f_star) / sq
        x_new = x - gamma * g
        if proj is not None:               # projected subgradient method
            x_new = _call(proj, x_new, "proj") if _sane(x_new) else x_new
        x_new = loop.accept(x, x_new)
        if x_new is x:                     # diverged: x is the last finite iterate
            break
        weighted_sum += gamma * x
        gamma_sum += gamma
        x = x_new
        if track:
            fx = _value(f, x)
            if fx < f_best:
                x_best, f_best = x, fx

    x_avg = weighted_sum / gamma_sum if gamma_sum > 0 else x.copy()
    extra = {"x_avg": x_avg}
    if track:
        extra.update(fun=fx, x_best=x_best, fun_best=f_best)
    return loop.result(x, **extra)


# --------------------------------------------------------------------------
# proximal methods
# --------------------------------------------------------------------------


def proximal_point(prox, x0, step, max_iter=1000, tol=0.0, callback=None, f=None):
    r"""Proximal point method.

    .. math::

        x_{k+1} = \operatorname{prox}_{\gamma f}(x_k)
        = \operatorname*{argmin}_u \Big\{f(u) + \frac{1}{2\gamma}\|u - x_k\|^2\Big\}.

    Parameters
    ----------
    prox : callable
        ``prox(x, t)`` returns :math:`\operatorname{prox}_{t f}(x)`.
    x0 : array_like
        Starting point :math:`x_0`.
    step : float
        :math:`\gamma > 0`.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=0.0
        Stop when :math:`\|x_k - x_{k+1}\|/\gamma \le` ``tol``: this is
        :math:`\|\nabla \operatorname{env}_{\gamma f}(x_k)\|`, the gradient of
        the Moreau envelope (``result.x`` is :math:`x_{k+1}`).
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true return value stops.
    f : callable, optional
        Objective value, only for ``result.fun``.

    Returns
    -------
    scipy.optimize.OptimizeResult

    Notes
    -----
    The method is gradient descent with step :math:`\gamma` on the Moreau
    envelope :math:`\operatorname{env}_{\gamma f}`, and the proximal gradient
    method with smooth part :math:`0` (which is :math:`1/\gamma`-smooth). If
    :math:`f` is closed, convex and proper, with no smoothness assumption
    (:cite:t:`beck2017`, Chapter 10, applied with smooth part :math:`0`),

    .. math::

        f(x_k) - f^\star \le \frac{\|x_0 - x^\star\|^2}{2\gamma k}.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> from optbook.prox import prox_l1
    >>> res = optbook.proximal_point(prox_l1, np.array([3.0, -1.0]), 1.0, max_iter=5)
    >>> res.nit, np.abs(res.x).max()  # x_k = sign(x_0) max(|x_0| - k, 0)
    (5, np.float64(0.0))
    """
    prox = check_callable(prox, "prox")
    x = _check_start(x0)
    step = _check_step(step)
    loop = _loop(max_iter, tol, callback)
    f = _check_optional_callable(f, "f")

    for k in loop:
        x_new = call_prox(prox, x, step)
        residual = _norm(x - x_new) / step if loop.tol > 0 and _sane(x_new) else None
        x = loop.accept(x, x_new)
        if residual is not None and not loop.stopped and loop.converged(residual):
            break

    extra = {"fun": _value(f, x)} if f is not None else {}
    return loop.result(x, **extra)


def proximal_gradient(grad, prox, x0, step, max_iter=1000, tol=0.0, callback=None,
                      f=None, g=None, *, step0=1.0, beta=0.5, grow=1.0, value_and_grad=None):
    r"""Proximal gradient method (ISTA), constant step or backtracking.

    Minimizes :math:`F = f + g` with :math:`f` smooth and :math:`g` "simple"
    (its prox is cheap):

    .. math::

        x_{k+1} = \operatorname{prox}_{\gamma g}\big(x_k - \gamma\nabla f(x_k)\big).

    With ``step="backtracking"`` :cite:p:`beck2009`, :math:`\gamma` starts
    from the previous step times ``grow`` (``step0`` times ``grow`` at
    :math:`k=0`) and is multiplied by :math:`\beta` until
    :math:`x^+ = x_{k+1}` satisfies

    .. math::

        f(x^+) \le f(x_k) + \langle\nabla f(x_k), x^+ - x_k\rangle
        + \frac{1}{2\gamma}\|x^+ - x_k\|^2

    (values compared up to a relative rounding tolerance of ``1e-12``).

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns :math:`\nabla f(x)`.
    prox : callable
        ``prox(x, t)`` returns :math:`\operatorname{prox}_{t g}(x)` (e.g.
        ``lambda x, t: optbook.prox.prox_l1(x, lam * t)`` for
        :math:`g = \lambda\|\cdot\|_1`).
    x0 : array_like
        Starting point :math:`x_0`.
    step : float or {"backtracking"}
        Constant step :math:`\gamma > 0` (e.g. ``1/L``), or ``"backtracking"``.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=0.0
        Stop when the gradient mapping at :math:`x_k` is small:
        :math:`\|x_k - x_{k+1}\|/\gamma \le` ``tol``. ``result.x`` is
        :math:`x_{k+1}`, whose gradient mapping is no larger for
        :math:`\gamma \le 2/L` (the prox-gradient operator is nonexpansive).
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true return value stops.
    f : callable, optional
        Value of the smooth part :math:`f`. Required by ``"backtracking"``.
    g : callable, optional
        Value of the nonsmooth part :math:`g`; with ``f``, ``result.fun`` is
        :math:`F(x) = f(x) + g(x)`.
    step0, beta : float
        Backtracking parameters: first trial step and factor in :math:`(0, 1)`.
    grow : float, default=1.0
        Factor :math:`\ge 1` applied to the last step before each search
        (``1``: the steps never increase, Beck and Teboulle's rule; e.g.
        ``1/beta``: they may grow back, as in copt).
    value_and_grad : callable, optional
        ``value_and_grad(x)`` returns ``(f(x), grad(x))`` in one pass; the
        search then reuses the gradient of the accepted point (one oracle call
        per iteration without backtracking, instead of a value and a
        gradient). It may replace ``f``.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``nit``, ``success``, ``status``, ``message``, ``step`` (the
        last step used); ``fun`` (:math:`F(x) = f(x) + g(x)`) when ``g`` and
        ``f`` (or ``value_and_grad``) are given, never :math:`f(x)` alone.

    Notes
    -----
    If :math:`f` is convex and :math:`L`-smooth, :math:`g` closed convex and
    :math:`\gamma = 1/L` :cite:p:`beck2009` (Theorem 3.1),

    .. math::

        F(x_k) - F^\star \le \frac{L\|x_0 - x^\star\|^2}{2k};

    with backtracking, :math:`L` becomes :math:`\max(1/\gamma_0, L/\beta)`.
    If :math:`f` is :math:`\mu`-strongly convex the rate is linear,
    :math:`(1-\mu/L)^k` (:cite:t:`beck2017`, Chapter 10).

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> from optbook.objectives import LeastSquares
    >>> from optbook.prox import prox_l1
    >>> f = LeastSquares(np.eye(2), np.array([2.0, 0.05]))
    >>> res = optbook.proximal_gradient(f.grad, lambda x, t: prox_l1(x, 0.1 * t),
    ...                                 np.zeros(2), 1 / f.lipschitz, tol=1e-12)
    >>> np.round(res.x, 6)
    array([1.8, 0. ])
    """
    grad = check_callable(grad, "grad")
    prox = check_callable(prox, "prox")
    x = _check_start(x0)
    step = _check_step(step, "step", choices=("backtracking",))
    loop = _loop(max_iter, tol, callback)
    f = _check_optional_callable(f, "f")
    g = _check_optional_callable(g, "g")
    value_and_grad = _check_optional_callable(value_and_grad, "value_and_grad")
    search = None
    if step == "backtracking":
        search = _Backtracking(f, value_and_grad, x, step0, beta, grow, 'step="backtracking"')
    gamma = step

    gx = search.g0 if search is not None else None
    for k in loop:
        gx = _call(grad, x, "grad") if gx is None else gx
        if search is None:
            x_new, gx_new = call_prox(prox, x - gamma * gx, gamma), None
        else:
            # the first gamma whose prox step lies below the quadratic model of f at x
            x_new, gx_new = search(
                loop, point=lambda t: call_prox(prox, x - t * gx, t),
                bound=lambda t, z: search.fx + float(np.vdot(gx, z - x))
                + float(np.vdot(z - x, z - x)) / (2 * t))
            if x_new is None:              # the line search failed
                break
            gamma = search.gamma
        residual = _norm(x - x_new) / gamma if loop.tol > 0 and _sane(x_new) else None
        x, gx = loop.accept(x, x_new), gx_new
        if residual is not None and not loop.stopped and loop.converged(residual):
            break

    extra = {"step": gamma}
    if (f is not None or value_and_grad is not None) and g is not None:
        fx = search.fx if search is not None else _objective(f, value_and_grad, x)
        extra["fun"] = fx + _value(g, x, "g")
    return loop.result(x, **extra)


def fista(grad, prox, x0, step, max_iter=1000, tol=0.0, callback=None, restart=None,
          f=None, g=None):
    r"""FISTA: accelerated proximal gradient, with optional adaptive restart.

    With :math:`y_0 = x_0` and :math:`t_0 = 1`,

    .. math::

        x_{k+1} &= \operatorname{prox}_{\gamma g}\big(y_k - \gamma\nabla f(y_k)\big),\\
        t_{k+1} &= \frac{1 + \sqrt{1 + 4t_k^2}}{2},\\
        y_{k+1} &= x_{k+1} + \frac{t_k - 1}{t_{k+1}}\,(x_{k+1} - x_k).

    Adaptive restart :cite:p:`odonoghue2015` resets the momentum
    (:math:`t_{k+1} = 1`, :math:`y_{k+1} = x_{k+1}`) when

    * ``restart="function"``: :math:`F(x_{k+1}) > F(x_k)`;
    * ``restart="gradient"``: :math:`\langle y_k - x_{k+1}, x_{k+1} - x_k\rangle > 0`
      (the step goes against the momentum).

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns :math:`\nabla f(x)`.
    prox : callable
        ``prox(x, t)`` returns :math:`\operatorname{prox}_{t g}(x)`; for a
        smooth problem pass ``lambda x, t: x`` (or use :func:`nesterov`).
    x0 : array_like
        Starting point :math:`x_0`.
    step : float
        :math:`\gamma > 0`, e.g. ``1/L``.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=0.0
        Stop when the gradient mapping at :math:`y_k` is small,
        :math:`\|y_k - x_{k+1}\|/\gamma \le` ``tol``; ``result.x`` is
        :math:`x_{k+1}`, whose gradient mapping is no larger for
        :math:`\gamma \le 2/L`.
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration (the sequence
        :math:`x_k`, not :math:`y_k`); a true return value stops.
    restart : {None, "function", "gradient"}, default=None
        Adaptive restart scheme.
    f : callable, optional
        Value of the smooth part. Required by ``restart="function"``.
    g : callable, optional
        Value of the nonsmooth part. Required by ``restart="function"``,
        which monitors :math:`F = f + g` (for a smooth problem pass
        ``g=lambda x: 0.0``).

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``nit``, ``success``, ``status``, ``message``, ``n_restarts``;
        ``fun`` (:math:`F(x) = f(x) + g(x)`) when both ``f`` and ``g`` are
        given.

    Notes
    -----
    If :math:`f` is convex and :math:`L`-smooth, :math:`g` closed convex and
    :math:`\gamma = 1/L` (without restart) :cite:p:`beck2009` (Theorem 4.4),

    .. math::

        F(x_k) - F^\star \le \frac{2L\|x_0 - x^\star\|^2}{(k+1)^2},

    the optimal rate for first-order methods up to a constant
    :cite:p:`nesterov2018`. The adaptive restarts need no constant, but
    carry no general guarantee: on strongly convex problems they are observed
    to recover a fast linear rate :cite:p:`odonoghue2015`. For a proven linear
    rate from an upper bound on :math:`\kappa`, see :func:`nesterov_restart`.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> from optbook.objectives import LeastSquares
    >>> from optbook.prox import prox_l1
    >>> f = LeastSquares(np.eye(2), np.array([2.0, 0.05]))
    >>> res = optbook.fista(f.grad, lambda x, t: prox_l1(x, 0.1 * t),
    ...                     np.zeros(2), 1 / f.lipschitz, tol=1e-12)
    >>> np.round(res.x, 6)
    array([1.8, 0. ])
    """
    grad = check_callable(grad, "grad")
    prox = check_callable(prox, "prox")
    x = _check_start(x0)
    step = _check_step(step)
    loop = _loop(max_iter, tol, callback)
    f = _check_optional_callable(f, "f")
    g = _check_optional_callable(g, "g")
    if restart not in (None, "function", "gradient"):
        raise ValueError(f'restart must be None, "function" or "gradient", got {restart!r}')
    if restart == "function":
        if f is None or g is None:
            raise ValueError('restart="function" needs f and g, the values of the smooth and '
                             'nonsmooth parts (it monitors F = f + g; for a smooth problem '
                             'pass g=lambda x: 0.0)')
        F = lambda z: _value(f, z) + _value(g, z, "g")  # noqa: E731
        Fx = F(x)

    y, t = x, 1.0
    n_restarts = 0
    for k in loop:
        x_new = call_prox(prox, y - step * _call(grad, y, "grad"), step)
        if not _sane(x_new):
            loop.accept(x, x_new)          # stops the run: diverged
            break
        residual = _norm(y - x_new) / step
        if restart == "function":
            F_new = F(x_new)
            restarting, Fx = F_new > Fx, F_new
        else:
            restarting = restart == "gradient" and float(np.vdot(y - x_new, x_new - x)) > 0
        if restarting:                     # forget the momentum
            n_restarts += 1
            t, y = 1.0, x_new
        else:
            t_new = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
            y = x_new + ((t - 1.0) / t_new) * (x_new - x)
            t = t_new
        x = loop.accept(x, x_new)
        if not loop.stopped and loop.converged(residual):
            break

    extra = {"n_restarts": n_restarts}
    if f is not None and g is not None:
        extra["fun"] = _value(f, x) + _value(g, x, "g")
    return loop.result(x, **extra)


# --------------------------------------------------------------------------
# momentum methods for smooth problems
# --------------------------------------------------------------------------


def heavy_ball(grad, x0, step, momentum, max_iter=1000, tol=0.0, callback=None):
    r"""Polyak's heavy-ball method.

    With :math:`x_{-1} = x_0`,

    .. math::

        x_{k+1} = x_k - \gamma\nabla f(x_k) + \beta\,(x_k - x_{k-1}).

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns :math:`\nabla f(x)`.
    x0 : array_like
        Starting point :math:`x_0`.
    step : float
        :math:`\gamma > 0`.
    momentum : float
        :math:`\beta \in [0, 1)`.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=0.0
        Stop when :math:`\|\nabla f(x_k)\| \le` ``tol`` (checked before the
        step; ``result.x`` is that :math:`x_k`).
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true return value stops.

    Returns
    -------
    scipy.optimize.OptimizeResult

    Notes
    -----
    On a quadratic whose Hessian has spectrum in :math:`[\mu, L]`, with
    :math:`\gamma = 4/(\sqrt L + \sqrt\mu)^2` and
    :math:`\beta = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2`
    :cite:p:`polyak1964`,

    .. math::

        \|x_k - x^\star\| \le \big((1+\rho)k + 1\big)\rho^k\|x_0 - x^\star\|,
        \qquad \rho = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1},

    (each eigen-component follows a Chebyshev recurrence). For general
    smooth strongly convex functions these parameters may fail to converge
    :cite:p:`lessard2016`, and no choice of parameters makes heavy ball both
    globally convergent and accelerated on that class :cite:p:`goujaud2025heavyball`.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> from optbook.objectives import Quadratic
    >>> f = Quadratic(np.diag([1.0, 100.0]), c=np.ones(2))
    >>> res = optbook.heavy_ball(f.grad, np.zeros(2), 4 / 11**2, (9 / 11)**2, tol=1e-10)
    >>> res.success, np.allclose(res.x, f.minimizer())
    (True, True)
    """
    grad = check_callable(grad, "grad")
    x = _check_start(x0)
    step = _check_step(step)
    momentum = check_in_interval(momentum, "momentum", 0.0, 1.0, closed="left")
    loop = _loop(max_iter, tol, callback)

    x_prev = x
    for k in loop:
        gx = _call(grad, x, "grad")
        if loop.converged(_norm(gx)):
            break
        x_prev, x = x, loop.accept(x, x - step * gx + momentum * (x - x_prev))

    return loop.result(x)


def nesterov(grad, x0, step, max_iter=1000, tol=0.0, callback=None, mu=0.0):
    r"""Nesterov's accelerated gradient method (convex and strongly convex).

    With :math:`y_0 = x_0`,

    .. math::

        x_{k+1} &= y_k - \gamma\nabla f(y_k),\\
        y_{k+1} &= x_{k+1} + \beta_k\,(x_{k+1} - x_k),

    where

    * ``mu=0``: :math:`\beta_k = (t_k - 1)/t_{k+1}` with :math:`t_0 = 1`,
      :math:`t_{k+1} = (1 + \sqrt{1 + 4t_k^2})/2` (:func:`fista` without prox);
    * ``mu>0``: the constant
      :math:`\beta = (1 - \sqrt{\mu\gamma})/(1 + \sqrt{\mu\gamma})`.

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns :math:`\nabla f(x)`.
    x0 : array_like
        Starting point :math:`x_0`.
    step : float
        :math:`\gamma > 0`, e.g. ``1/L``.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=0.0
        Stop when :math:`\|\nabla f(y_k)\| \le` ``tol``; ``result.x`` is
        :math:`x_{k+1} = y_k - \gamma\nabla f(y_k)`, whose gradient is no
        larger for :math:`\gamma \le 2/L`.
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration (the sequence
        :math:`x_k`, not :math:`y_k`); a true return value stops.
    mu : float, default=0.0
        Strong convexity constant :math:`\mu \ge 0`, with
        :math:`\mu\gamma \le 1`.

    Returns
    -------
    scipy.optimize.OptimizeResult

    Notes
    -----
    With :math:`\gamma = 1/L`: for convex :math:`L`-smooth :math:`f` and
    ``mu=0`` :cite:p:`nesterov1983,beck2009`,

    .. math::

        f(x_k) - f^\star \le \frac{2L\|x_0 - x^\star\|^2}{(k+1)^2};

    for :math:`\mu`-strongly convex :math:`f` and ``mu`` :math:`=\mu`
    (:cite:t:`nesterov2018`, Section 2.2, constant step scheme),

    .. math::

        f(x_k) - f^\star \le \Big(1 - \sqrt{\mu/L}\Big)^k
        \Big(f(x_0) - f^\star + \frac{\mu}{2}\|x_0 - x^\star\|^2\Big).

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> from optbook.objectives import Quadratic
    >>> f = Quadratic(np.diag([1.0, 100.0]), c=np.ones(2))
    >>> res = optbook.nesterov(f.grad, np.zeros(2), 1 / 100, mu=1.0, tol=1e-10)
    >>> res.success, np.allclose(res.x, f.minimizer())
    (True, True)
    """
    grad = check_callable(grad, "grad")
    x = _check_start(x0)
    step = _check_step(step)
    loop = _loop(max_iter, tol, callback)
    mu = check_nonnegative(mu, "mu")
    if mu * step > 1:
        raise ValueError(f"mu * step must be <= 1 (mu <= L and step <= 1/L), "
                         f"got mu={mu}, step={step}")
    beta = None
    if mu > 0:
        q = math.sqrt(mu * step)
        beta = (1.0 - q) / (1.0 + q)
    x, _ = _accelerated_loop(grad, x, step, loop, beta=beta)
    return loop.result(x)


def _accelerated_loop(grad, x, step, loop, beta=None, period=None):
    """The iterations of :func:`nesterov` and :func:`nesterov_restart`.

    Momentum ``beta`` if given, else :math:`(t_k - 1)/t_{k+1}`; with ``period``,
    the momentum is reset (:math:`t = 1`, :math:`y = x`) after every ``period``
    iterations. Returns the last iterate and the number of resets.
    """
    y, t = x, 1.0
    n_restarts = 0
    for k in loop:
        gy = _call(grad, y, "grad")
        x_new = y - step * gy
        if not _sane(x_new):
            loop.accept(x, x_new)          # stops the run: diverged
            break
        if period is not None and (k + 1) % period == 0:   # restart: forget the momentum
            n_restarts += 1
            t, y = 1.0, x_new
        else:
            momentum = beta
            if beta is None:
                t_new = (1.0 + math.sqrt(1.0 + 4.0 * t * t)) / 2.0
                momentum = (t - 1.0) / t_new
                t = t_new
            y = x_new + momentum * (x_new - x)
        x = loop.accept(x, x_new)
        if not loop.stopped and loop.converged(_norm(gy)):
            break
    return x, n_restarts


def nesterov_restart(grad, x0, step, period, max_iter=1000, tol=0.0, callback=None):
    r"""Nesterov's method (convex variant) with fixed restart every ``period`` iterations.

    With :math:`y_0 = x_0`, :math:`t_0 = 1` and the period :math:`K`, for
    :math:`k = 0, 1, \dots`:

    .. math::

        x_{k+1} &= y_k - \gamma\nabla f(y_k),\\
        (t_{k+1}, y_{k+1}) &= (1, x_{k+1})
        \quad\text{if } K \text{ divides } k + 1 \quad\text{(restart)},\\
        t_{k+1} &= \frac{1 + \sqrt{1 + 4t_k^2}}{2},\quad
        y_{k+1} = x_{k+1} + \frac{t_k - 1}{t_{k+1}}\,(x_{k+1} - x_k)
        \quad\text{otherwise}.

    Each cycle of :math:`K` iterations is :func:`nesterov` with ``mu=0`` started
    from the last iterate of the previous cycle (its momentum starts from
    zero): ``nesterov_restart(grad, x0, step, K, max_iter=J * K)`` computes the
    same iterates as :math:`J` successive calls of
    ``nesterov(grad, x, step, max_iter=K)``.

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns :math:`\nabla f(x)`.
    x0 : array_like
        Starting point :math:`x_0`.
    step : float
        :math:`\gamma > 0`, e.g. ``1/L``.
    period : int
        Restart period :math:`K \ge 1` (``period=1`` is gradient descent).
    max_iter : int, default=1000
        Maximum number of iterations (not of cycles).
    tol : float, default=0.0
        Stop when :math:`\|\nabla f(y_k)\| \le` ``tol``; ``result.x`` is
        :math:`x_{k+1} = y_k - \gamma\nabla f(y_k)`.
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration (the sequence
        :math:`x_k`, not :math:`y_k`); a true return value stops.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``nit``, ``success``, ``status``, ``message`` and
        ``n_restarts``, the number of momentum resets (``nit // period``).

    Notes
    -----
    If :math:`f` is :math:`\mu`-strongly convex and :math:`L`-smooth,
    :math:`\kappa = L/\mu`, :math:`\gamma = 1/L` and
    :math:`K \ge 2e\sqrt\kappa - 1`, then for every :math:`j \ge 0` and
    :math:`1 \le i \le K` (the book's ``thm-fixed-restart``)

    .. math::

        f(x_{jK}) - f^\star \le e^{-2j}\big(f(x_0) - f^\star\big),\qquad
        f(x_{jK+i}) - f^\star \le \frac{4\kappa}{(i+1)^2}\,e^{-2j}\big(f(x_0) - f^\star\big),

    so that :math:`f(x_k) - f^\star \le \varepsilon` after about
    :math:`e\sqrt\kappa\log((f(x_0) - f^\star)/\varepsilon)` iterations with
    :math:`K = \lceil 2e\sqrt\kappa\,\rceil`. Each cycle uses the convex rate
    :math:`2L\|x_0 - x^\star\|^2/(k+1)^2` of :func:`nesterov` and quadratic
    growth. Fixed restart is analysed, with the adaptive schemes of
    :func:`fista`, by :cite:t:`odonoghue2015`; restarting an accelerated
    method to exploit strong convexity goes back to Nemirovski and Nesterov
    (see :cite:t:`roulet2017` for the history). The period needs an upper bound on
    :math:`\kappa`: with :math:`(K + 1)^2 \le 4\kappa` the bound guarantees
    nothing.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> from optbook.objectives import Quadratic
    >>> f = Quadratic(np.diag([1.0, 100.0]), c=np.ones(2))
    >>> res = optbook.nesterov_restart(f.grad, np.zeros(2), 1 / 100, period=55, tol=1e-10)
    >>> res.success, np.allclose(res.x, f.minimizer())
    (True, True)
    """
    grad = check_callable(grad, "grad")
    x = _check_start(x0)
    step = _check_step(step)
    period = check_int(period, "period", minimum=1)
    loop = _loop(max_iter, tol, callback)
    x, n_restarts = _accelerated_loop(grad, x, step, loop, period=period)
    return loop.result(x, n_restarts=n_restarts)


# --------------------------------------------------------------------------
# fixed-point iterations
# --------------------------------------------------------------------------


def krasnoselskii_mann(T, x0, relaxation=0.5, max_iter=1000, tol=0.0, callback=None):
    r"""Krasnosel'skii–Mann iteration for a nonexpansive operator.

    .. math::

        x_{k+1} = x_k + \lambda\,(T x_k - x_k) = (1-\lambda)x_k + \lambda T x_k.

    Parameters
    ----------
    T : callable
        ``T(x)`` returns :math:`Tx`, for a nonexpansive
        :math:`T` (:math:`\|Tx - Ty\| \le \|x - y\|`) with a fixed point.
    x0 : array_like
        Starting point :math:`x_0`.
    relaxation : float, default=0.5
        :math:`\lambda \in (0, 1]`. :math:`\lambda = 1` is the plain fixed-point
        iteration, which converges for averaged operators but may cycle for
        merely nonexpansive ones (e.g. a rotation).
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=0.0
        Stop when the fixed-point residual :math:`\|x_k - Tx_k\| \le` ``tol``
        (checked before the step; ``result.x`` is that :math:`x_k`).
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true return value stops.

    Returns
    -------
    scipy.optimize.OptimizeResult

    Notes
    -----
    For any fixed point :math:`x^\star` and :math:`\lambda \in (0, 1)`, the
    residual :math:`\|x_k - Tx_k\|` is nonincreasing and
    :math:`\sum_k \lambda(1-\lambda)\|x_k - Tx_k\|^2 \le \|x_0 - x^\star\|^2`,
    hence (:cite:t:`bauschke2017`, Section 5.2)

    .. math::

        \|x_k - Tx_k\|^2 \le \frac{\|x_0 - x^\star\|^2}{\lambda(1-\lambda)(k+1)},

    and :math:`x_k` converges to a fixed point.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> R = np.array([[0.0, -1.0], [1.0, 0.0]])  # rotation by 90 degrees
    >>> res = optbook.krasnoselskii_mann(lambda x: R @ x, np.ones(2), tol=1e-10)
    >>> res.success, np.allclose(res.x, 0.0)
    (True, True)
    """
    T = check_callable(T, "T")
    x = _check_start(x0)
    lam = check_in_interval(relaxation, "relaxation", 0.0, 1.0, closed="right")
    loop = _loop(max_iter, tol, callback)

    for k in loop:
        Tx = _call(T, x, "T")
        if loop.converged(_norm(x - Tx)):
            break
        x = loop.accept(x, x + lam * (Tx - x))

    return loop.result(x)
