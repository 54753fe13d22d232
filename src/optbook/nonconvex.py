r"""Methods for nonconvex and nonsmooth nonconvex optimization (Chapter 9).

* :func:`perturbed_gradient_descent`: gradient descent that adds a small
  uniform perturbation when the gradient is small, to escape strict saddle
  points :cite:p:`jin2017`;
* :func:`gradient_sampling`: the gradient sampling method of Burke, Lewis and
  Overton :cite:p:`burke2005`, with :func:`min_norm_element`, the minimum-norm
  point of the convex hull of a few vectors;
* :func:`stochastic_subgradient`: the stochastic subgradient method on a
  sampled field :cite:p:`davis2020,bolte2021,bolte2023`;
* :func:`stochastic_heavy_ball`: its momentum version :cite:p:`le2024`;
* :func:`inexact_subgradient`: the subgradient method with persistent
  additive errors of norm at most :math:`\varepsilon` :cite:p:`bolte2025`.

The stochastic methods take a *sampled field* ``field(x, rng)``: a function
that draws a sample with the :class:`numpy.random.Generator` ``rng`` and
returns an element of the field of that sample at ``x`` (for instance the
output of automatic differentiation, :mod:`optbook.autodiff`, on a minibatch).
Every method is seeded by its ``seed`` argument.
"""

import math
from numbers import Integral

import numpy as np
from scipy.optimize import minimize

from ._solver import Loop, norm
from ._validation import (as_array, check_callable, check_in_interval, check_int,
                          check_nonnegative, check_output_shape, check_positive)

__all__ = [
    "perturbed_gradient_descent",
    "min_norm_element",
    "gradient_sampling",
    "stochastic_subgradient",
    "stochastic_heavy_ball",
    "inexact_subgradient",
]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def _rng(seed):
    """A :class:`numpy.random.Generator` from None, an integer or a generator."""
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, bool) or not isinstance(seed, (Integral, np.integer)):
        raise TypeError("seed must be None, an integer or a numpy.random.Generator, "
                        f"got {type(seed).__name__}")
    return np.random.default_rng(int(seed))


def _start(x0):
    x = as_array(x0, "x0")
    if x.size == 0:
        raise ValueError("x0 must have at least one entry, got an empty array")
    return x


def _steps(step):
    """``step`` a positive float or a callable ``k -> gamma_k``; return the callable."""
    if callable(step):
        return step
    if isinstance(step, (str, bytes)) or step is None:
        raise TypeError(f"step must be a positive number or a callable k -> step, "
                        f"got {type(step).__name__}")
    gamma = float(check_positive(step, "step"))
    return lambda k: gamma


def _step_at(steps, k):
    gamma = steps(k)
    try:
        gamma = float(gamma)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"step(k) must return a number, got {type(gamma).__name__}") from exc
    if not (math.isfinite(gamma) and gamma > 0):
        raise ValueError(f"step(k) must return a positive finite number, got {gamma} at k={k}")
    return gamma


def _uniform_ball(rng, shape, radius, dtype):
    """A point drawn uniformly in the Euclidean ball of ``radius`` (of any array shape)."""
    d = int(np.prod(shape))
    u = rng.standard_normal(d)
    u *= radius * rng.random() ** (1.0 / d) / max(np.linalg.norm(u), np.finfo(float).tiny)
    return u.reshape(shape).astype(dtype, copy=False)


def _oracle(oracle, x, name, *args):
    """Call an oracle; check its output is shaped like ``x``; keep ``x``'s float dtype."""
    out = np.asarray(oracle(x, *args))
    if out.shape != x.shape:
        raise ValueError(f"{name} must return an array of shape {x.shape}, got shape {out.shape}")
    if not np.issubdtype(out.dtype, np.floating) or out.dtype.itemsize > x.dtype.itemsize:
        out = out.astype(x.dtype) if x.dtype == np.float32 else out.astype(np.float64)
    return out


# --------------------------------------------------------------------------
# smooth nonconvex: perturbed gradient descent
# --------------------------------------------------------------------------

def perturbed_gradient_descent(grad, x0, step, radius, g_thresh, t_thresh, max_iter=1000,
                               callback=None, f=None, f_thresh=None, seed=None):
    r"""Perturbed gradient descent (PGD) of Jin, Ge, Netrapalli, Kakade and Jordan.

    At iteration :math:`k`, if :math:`\|\nabla f(x_k)\| \le g_{\mathrm{thres}}`
    and no perturbation was added in the last :math:`t_{\mathrm{thres}}`
    iterations, remember :math:`\tilde x = x_k` and replace :math:`x_k` by
    :math:`x_k + \xi_k`, with :math:`\xi_k` uniform in the ball of radius
    :math:`r`; then take a gradient step

    .. math::

        x_{k+1} = x_k - \gamma \nabla f(x_k).

    With ``f`` and ``f_thresh``, the run stops :math:`t_{\mathrm{thres}}`
    iterations after a perturbation if :math:`f` decreased by less than
    :math:`f_{\mathrm{thres}}` since it, and returns the point :math:`\tilde x`
    where the perturbation was added: with the parameters of
    :cite:t:`jin2017` (step :math:`1/L`, and ``radius``, ``g_thresh``,
    ``t_thresh``, ``f_thresh`` set from :math:`L`, the Hessian Lipschitz
    constant :math:`\rho`, the accuracy :math:`\varepsilon` and a confidence
    level), it is an :math:`\varepsilon`-second-order stationary point with
    high probability after :math:`\tilde O(L(f(x_0) - f^\star)/\varepsilon^2)`
    iterations.

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns :math:`\nabla f(x)`.
    x0 : array_like
        Starting point.
    step : float
        Step size :math:`\gamma > 0` (``1/L`` in the theory).
    radius : float
        Perturbation radius :math:`r > 0`.
    g_thresh : float
        Gradient threshold :math:`g_{\mathrm{thres}} \ge 0` below which a
        perturbation is added.
    t_thresh : int
        Minimum number of iterations :math:`t_{\mathrm{thres}} \ge 1` between two
        perturbations.
    max_iter : int, default=1000
        Maximum number of iterations.
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true value stops.
    f : callable, optional
        Objective value, needed only for the stopping test with ``f_thresh``.
    f_thresh : float, optional
        Decrease :math:`f_{\mathrm{thres}} > 0` expected after a perturbation.
    seed : None, int or numpy.random.Generator
        Seed of the perturbations.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``nit``, ``success``, ``status`` (``0`` when the escape test
        stopped the run), ``message``, and ``perturbations``, the list of the
        iterations at which a perturbation was added.
    """
    check_callable(grad, "grad")
    x = _start(x0)
    gamma = float(check_positive(step, "step"))
    r = float(check_positive(radius, "radius"))
    g_thresh = check_nonnegative(g_thresh, "g_thresh")
    t_thresh = check_int(t_thresh, "t_thresh", minimum=1)
    if (f is None) != (f_thresh is None):
        raise ValueError("f and f_thresh must be given together (the escape test needs both)")
    if f is not None:
        check_callable(f, "f")
        f_thresh = check_positive(f_thresh, "f_thresh")
    rng = _rng(seed)
    loop = Loop(max_iter, 0.0, callback)
    t_noise, x_anchor, f_anchor, perturbations = -t_thresh - 1, None, None, []
    for k in loop:
        if f is not None and x_anchor is not None and k - t_noise == t_thresh:
            if float(f(x)) - f_anchor > -f_thresh:
                x = x_anchor
                loop.stop(0, "No sufficient decrease after a perturbation: x is the point "
                             "where it was added (an approximate second-order stationary point).")
                break
        g = _oracle(grad, x, "grad(x)")
        if norm(g) <= g_thresh and k - t_noise > t_thresh:
            x_anchor, t_noise = x, k
            f_anchor = float(f(x)) if f is not None else None
            perturbations.append(k)
            x = x + _uniform_ball(rng, x.shape, r, x.dtype)
            g = _oracle(grad, x, "grad(x)")
        x = loop.accept(x, x - gamma * g)
    return loop.result(x, perturbations=perturbations)


# --------------------------------------------------------------------------
# gradient sampling
# --------------------------------------------------------------------------

def min_norm_element(G):
    r"""Minimum-norm point of the convex hull of the rows of ``G``.

    Solves the quadratic program on the simplex

    .. math::

        \min_{w \ge 0,\ \sum_i w_i = 1} \Big\|\sum_i w_i g_i\Big\|^2
        = w^\top (G G^\top) w

    with SciPy's SLSQP (:func:`scipy.optimize.minimize`), from the best
    vertex, on the Gram matrix :math:`GG^\top` (the problem has as many
    variables as rows, a few more than the dimension in gradient sampling).
    The weights are then clipped to the simplex.

    Parameters
    ----------
    G : array_like, shape (m, d)
        The vectors :math:`g_1, \dots, g_m` as rows.

    Returns
    -------
    g : numpy.ndarray, shape (d,)
        The point :math:`\sum_i w_i g_i`.
    w : numpy.ndarray, shape (m,)
        The weights, in the simplex.
    """
    G = as_array(G, "G", ndim=2, dtype=np.float64)
    m = G.shape[0]
    if m == 0:
        raise ValueError("G must have at least one row")
    Q = G @ G.T
    scale = max(float(np.max(np.diag(Q))), np.finfo(float).tiny)
    Qs = Q / scale
    w0 = np.zeros(m)
    w0[int(np.argmin(np.diag(Q)))] = 1.0
    if m > 1:
        res = minimize(lambda w: w @ Qs @ w, w0, jac=lambda w: 2 * Qs @ w, method="SLSQP",
                       bounds=[(0.0, 1.0)] * m,
                       constraints=[{"type": "eq", "fun": lambda w: np.sum(w) - 1.0,
                                     "jac": lambda w: np.ones(m)}],
                       options={"ftol": 1e-15, "maxiter": 500})
        w = np.clip(res.x, 0.0, None)
        w /= w.sum()
        if w @ Qs @ w > w0 @ Qs @ w0:  # never worse than the best vertex
            w = w0
    else:
        w = w0
    return w @ G, w


def gradient_sampling(f, grad, x0, radius=0.1, n_samples=None, max_iter=200, tol=1e-6,
                      nu=1e-6, beta=1e-4, backtrack=0.5, reduction=0.1, callback=None,
                      seed=None):
    r"""Gradient sampling method of Burke, Lewis and Overton.

    At :math:`x_k`, with sampling radius :math:`\varepsilon_k`, draw
    :math:`x_{k1}, \dots, x_{km}` uniformly in the ball
    :math:`B(x_k, \varepsilon_k)` and compute the minimum-norm element of the
    convex hull of the sampled gradients (:func:`min_norm_element`),

    .. math::

        g_k = \operatorname*{argmin}\big\{\|g\| : g \in
        \operatorname{conv}\{\nabla f(x_{k1}), \dots,
        \nabla f(x_{km})\}\big\},

    an approximation of the minimum-norm element of the Clarke
    :math:`\varepsilon_k`-subdifferential. If :math:`\|g_k\| \le \nu_k`, the
    point is approximately :math:`\varepsilon_k`-stationary: keep
    :math:`x_{k+1} = x_k` and shrink :math:`\varepsilon_{k+1} = \theta\varepsilon_k`,
    :math:`\nu_{k+1} = \theta\nu_k`. Otherwise take
    :math:`x_{k+1} = x_k - t_k g_k/\|g_k\|` with the largest
    :math:`t_k \in \{1, \tau, \tau^2, \dots\}` such that
    :math:`f(x_{k+1}) < f(x_k) - \beta t_k \|g_k\|`.

    Almost surely, for a locally Lipschitz :math:`f` that is continuously
    differentiable on an open set of full measure, with bounded sublevel sets,
    the iterates have a cluster point that is Clarke stationary when the
    radii go to zero :cite:p:`burke2005`. The original method also uses
    :math:`\nabla f(x_k)`, after checking that :math:`f` is differentiable at
    :math:`x_k`; this implementation has no such check (``grad`` may be an
    automatic-differentiation oracle, which returns an element of a
    conservative field at a kink), so it uses only the sampled points, which
    are points of differentiability with probability one. After 60 failed
    backtracking steps it shrinks the radius.

    Parameters
    ----------
    f : callable
        Objective value ``f(x)``.
    grad : callable
        ``grad(x)`` returns the gradient of ``f`` at ``x`` (where it exists;
        any element of a conservative field elsewhere).
    x0 : array_like
        Starting point.
    radius : float, default=0.1
        Initial sampling radius :math:`\varepsilon_0 > 0`.
    n_samples : int, optional
        Number :math:`m` of sampled points (default ``2 d + 1``; the theory
        asks for at least ``d + 1``).
    max_iter : int, default=200
        Maximum number of iterations.
    tol : float, default=1e-6
        The run stops when the sampling radius falls below ``tol``.
    nu : float, default=1e-6
        Initial stationarity tolerance :math:`\nu_0 \ge 0`.
    beta : float, default=1e-4
        Armijo parameter :math:`\beta \in (0, 1)`.
    backtrack : float, default=0.5
        Backtracking factor :math:`\tau \in (0, 1)`.
    reduction : float, default=0.1
        Reduction factor :math:`\theta \in (0, 1)` of the radius and tolerance.
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true value stops.
    seed : None, int or numpy.random.Generator
        Seed of the sampled points.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``nit``, ``success``, ``status``, ``message``, ``fun`` (the
        value at ``x``), ``radius`` (the last sampling radius) and
        ``g_norm`` (the last :math:`\|g_k\|`).
    """
    check_callable(f, "f")
    check_callable(grad, "grad")
    x = _start(x0)
    eps = check_positive(radius, "radius")
    d = x.size
    m = 2 * d + 1 if n_samples is None else check_int(n_samples, "n_samples", minimum=1)
    nu = check_nonnegative(nu, "nu")
    beta = check_in_interval(beta, "beta", 0.0, 1.0, closed="neither")
    tau = check_in_interval(backtrack, "backtrack", 0.0, 1.0, closed="neither")
    theta = check_in_interval(reduction, "reduction", 0.0, 1.0, closed="neither")
    check_positive(tol, "tol")
    rng = _rng(seed)
    loop = Loop(max_iter, tol, callback)
    fx = float(f(x))
    if not math.isfinite(fx):
        raise ValueError("f(x0) must be finite")
    g_norm = math.inf
    for k in loop:
        points = x + np.stack([_uniform_ball(rng, x.shape, eps, x.dtype) for _ in range(m)])
        G = np.stack([_oracle(grad, p, "grad(x)") for p in points]).reshape(m, -1)
        g, _ = min_norm_element(G)
        g_norm = float(np.linalg.norm(g))
        if g_norm <= nu:
            eps, nu = theta * eps, theta * nu
            if loop.converged(eps):
                break
            x = loop.accept(x, x.copy())
            continue
        direction = (-g / g_norm).reshape(x.shape).astype(x.dtype, copy=False)
        t = 1.0
        for _ in range(60):
            x_new = x + t * direction
            f_new = float(f(x_new))
            if f_new < fx - beta * t * g_norm:
                break
            t *= tau
        else:  # no decrease found at this radius: treat as approximate stationarity
            eps, nu = theta * eps, theta * nu
            if loop.converged(eps):
                break
            x = loop.accept(x, x.copy())
            continue
        x_acc = loop.accept(x, x_new)
        if x_acc is x_new:
            fx = f_new
        x = x_acc
    return loop.result(x, fun=fx, radius=eps, g_norm=g_norm)


# --------------------------------------------------------------------------
# stochastic subgradient methods on a sampled field
# --------------------------------------------------------------------------

def stochastic_subgradient(field, x0, step, max_iter=1000, callback=None, seed=None):
    r"""Stochastic subgradient method on a sampled field.

    .. math::

        x_{k+1} = x_k - \gamma_k v_k, \qquad v_k = \texttt{field}(x_k, \texttt{rng}),

    where :math:`v_k` is an element, at :math:`x_k`, of a field
    :math:`D_\xi` of the loss :math:`f(\cdot, \xi)` of a sample :math:`\xi`
    drawn by the oracle (a subgradient, a Clarke subgradient, or the output
    of automatic differentiation, an element of a conservative field). With
    steps :math:`\sum_k \gamma_k = \infty`, :math:`\gamma_k = o(1/\log k)`,
    bounded iterates and definable losses, :math:`f(x_k)` converges and the
    limit points are critical for the averaged field
    :math:`\mathbb E_\xi D_\xi` :cite:p:`davis2020,bolte2021,bolte2023`. On a
    :math:`\rho`-weakly convex function with subgradients of second moment at
    most :math:`G^2`, the iterate :math:`x_R` drawn with probability
    :math:`\propto \gamma_R` satisfies
    :math:`\mathbb E\|\nabla \operatorname{env}_{1/(2\rho)} f(x_R)\|^2 \le
    2\big(\operatorname{env}_{1/(2\rho)} f(x_0) - \inf f + \rho G^2\sum_k\gamma_k^2\big)/\sum_k\gamma_k`
    :cite:p:`davis2019`.

    Parameters
    ----------
    field : callable
        ``field(x, rng)`` draws a sample with ``rng`` and returns an element
        of its field at ``x`` (an array shaped like ``x``).
    x0 : array_like
        Starting point.
    step : float or callable
        A constant step :math:`\gamma > 0` or a schedule ``step(k)``
        (:math:`k = 0, 1, \dots`).
    max_iter : int, default=1000
        Number of iterations.
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true value stops.
    seed : None, int or numpy.random.Generator
        Seed of the generator passed to ``field``.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (last iterate), ``nit``, ``success``, ``status``, ``message``.
    """
    check_callable(field, "field")
    x = _start(x0)
    steps = _steps(step)
    rng = _rng(seed)
    loop = Loop(max_iter, 0.0, callback)
    for k in loop:
        v = _oracle(field, x, "field(x, rng)", rng)
        x = loop.accept(x, x - _step_at(steps, k) * v)
    return loop.result(x)


def stochastic_heavy_ball(field, x0, step, friction=1.0, v0=None, max_iter=1000,
                          callback=None, seed=None):
    r"""Stochastic heavy ball method on a sampled field.

    The explicit discretization, with steps :math:`\gamma_k`, of the heavy
    ball differential inclusion
    :math:`\dot x = v,\ \dot v \in -a v - D(x)` (friction :math:`a > 0`):

    .. math::

        v_{k+1} = v_k - \gamma_k\,(a v_k + g_k), \qquad
        x_{k+1} = x_k + \gamma_k v_{k+1},

    with :math:`g_k = \texttt{field}(x_k, \texttt{rng})` an element of the
    field of a sampled loss. With vanishing steps, definable losses and
    bounded iterates, :math:`f(x_k)` converges and the limit points are
    critical for the averaged field; with a random start (with a density),
    they are Clarke critical almost surely :cite:p:`le2024`. With
    :math:`\beta = 1 - a\gamma` and constant steps it is Polyak's heavy ball
    :math:`x_{k+1} = x_k - \gamma^2 g_k + \beta(x_k - x_{k-1})`.

    Parameters
    ----------
    field : callable
        ``field(x, rng)``, as in :func:`stochastic_subgradient`.
    x0 : array_like
        Starting point.
    step : float or callable
        Constant step :math:`\gamma > 0` or a schedule ``step(k)``.
    friction : float, default=1.0
        Friction :math:`a > 0`.
    v0 : array_like, optional
        Initial velocity (default zero).
    max_iter : int, default=1000
        Number of iterations.
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true value stops.
    seed : None, int or numpy.random.Generator
        Seed of the generator passed to ``field``.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``v`` (the last velocity), ``nit``, ``success``, ``status``,
        ``message``.
    """
    check_callable(field, "field")
    x = _start(x0)
    steps = _steps(step)
    a = float(check_positive(friction, "friction"))
    if v0 is None:
        v = np.zeros_like(x)
    else:
        v = as_array(v0, "v0", dtype=x.dtype)
        if v.shape != x.shape:
            raise ValueError(f"v0 must have the shape of x0 {x.shape}, got {v.shape}")
    rng = _rng(seed)
    loop = Loop(max_iter, 0.0, callback)
    for k in loop:
        gamma = _step_at(steps, k)
        g = _oracle(field, x, "field(x, rng)", rng)
        v_new = v - gamma * (a * v + g)
        x_new = loop.accept(x, x + gamma * v_new)
        if x_new is x:
            break
        x, v = x_new, v_new
    return loop.result(x, v=v)


def inexact_subgradient(subgrad, x0, step, error=0.0, error_oracle=None, max_iter=1000,
                        callback=None, seed=None):
    r"""Subgradient method with persistent additive errors.

    .. math::

        x_{k+1} = x_k - \gamma_k (g_k + e_k), \qquad g_k \in D(x_k),\quad
        \|e_k\| \le \varepsilon,

    where :math:`D` is the Clarke subdifferential (or a conservative field)
    of :math:`f` and :math:`e_k` an error that does not vanish, the error
    model of Bolte, Le, Moulines and Pauwels :cite:p:`bolte2025`: on a
    semialgebraic :math:`f`, with bounded iterates and small (vanishing or
    constant) steps, the iterates eventually stay within distance
    :math:`O(\varepsilon^\rho)` of the critical set, with :math:`\rho > 0`
    an exponent given by the geometry of :math:`f`.

    Parameters
    ----------
    subgrad : callable
        ``subgrad(x)`` returns :math:`g \in D(x)`.
    x0 : array_like
        Starting point.
    step : float or callable
        Constant step :math:`\gamma > 0` or a schedule ``step(k)``.
    error : float, default=0.0
        Error bound :math:`\varepsilon \ge 0`.
    error_oracle : callable, optional
        ``error_oracle(x, g, rng)`` returns the error :math:`e_k` at
        :math:`x_k` (with :math:`g = g_k`); its norm must be at most
        ``error`` (checked). By default :math:`e_k` is uniform in the ball of
        radius :math:`\varepsilon`.
    max_iter : int, default=1000
        Number of iterations.
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true value stops.
    seed : None, int or numpy.random.Generator
        Seed of the generator of the errors.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (last iterate), ``nit``, ``success``, ``status``, ``message``.
    """
    check_callable(subgrad, "subgrad")
    x = _start(x0)
    steps = _steps(step)
    eps = float(check_nonnegative(error, "error"))
    if error_oracle is not None:
        check_callable(error_oracle, "error_oracle")
    rng = _rng(seed)
    loop = Loop(max_iter, 0.0, callback)
    for k in loop:
        g = _oracle(subgrad, x, "subgrad(x)")
        if error_oracle is None:
            e = _uniform_ball(rng, x.shape, eps, x.dtype) if eps > 0 else 0.0
        else:
            e = check_output_shape(np.asarray(error_oracle(x, g, rng)), x,
                                   "error_oracle(x, g, rng)")
            if norm(e) > eps * (1 + 1e-12):
                raise ValueError(f"error_oracle returned an error of norm {norm(e):.3e} "
                                 f"> error={eps:.3e}")
        x = loop.accept(x, x - _step_at(steps, k) * (g + e))
    return loop.result(x)
