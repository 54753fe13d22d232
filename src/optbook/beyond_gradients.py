r"""Beyond gradient steps: Frank–Wolfe, methods for games and variational
inequalities, and primal–dual splitting.

* :func:`frank_wolfe`: conditional gradient with a linear minimization oracle
  (see :mod:`optbook.lmo`);
* :func:`gradient_descent_ascent`, :func:`extragradient`,
  :func:`optimistic_gradient`: methods for a monotone operator :math:`F`, for
  instance :math:`F(x, y) = (\nabla_x\mathcal L, -\nabla_y\mathcal L)` for the
  min–max problem :math:`\min_x\max_y \mathcal L(x, y)`;
* :func:`chambolle_pock` (PDHG), :func:`douglas_rachford`, :func:`admm`:
  splitting methods for :math:`\min_x f(x) + g(Kx)`.

Chapter :ref:`chap-beyond-gradients` states and proves their guarantees.
"""

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.sparse.linalg import LinearOperator

from ._solver import Loop, finite, norm
from ._validation import (
    as_array,
    as_matrix,
    check_callable,
    check_in_interval,
    check_int,
    check_nonnegative,
    check_positive,
    float_dtype,
)

__all__ = [
    "frank_wolfe",
    "gradient_descent_ascent",
    "extragradient",
    "optimistic_gradient",
    "chambolle_pock",
    "douglas_rachford",
    "admm",
    "spectral_norm",
]


# ----------------------------------------------------------------- helpers
def _start(x0, name="x0"):
    x = as_array(x0, name)
    if x.size == 0:
        raise ValueError(f"{name} must have at least one entry, got an empty array")
    return x


def _call(oracle, x, name, like=None):
    """``oracle(x)`` as an array shaped (and typed) like ``like`` (default ``x``)."""
    like = x if like is None else like
    out = oracle(x)
    if sp.issparse(out):
        out = out.toarray()
    out = np.asarray(out)
    if out.shape != like.shape:
        raise ValueError(f"{name} must return an array of shape {like.shape}, got shape {out.shape}")
    return out.astype(like.dtype, copy=False)


def _prox(prox, v, t, name):
    out = np.asarray(prox(v, t))
    if out.shape != v.shape:
        raise ValueError(f"{name}(v, t) must return an array of shape {v.shape}, "
                         f"got shape {out.shape}")
    return out.astype(v.dtype, copy=False)


def _check_loop(max_iter, tol, callback):
    max_iter = check_int(max_iter, "max_iter", minimum=0)
    tol = check_nonnegative(tol, "tol")
    if callback is not None:
        check_callable(callback, "callback")
    return max_iter, tol


def _dot(a, b):
    """Inner product; ``a`` may be a ``scipy.sparse`` matrix (``b`` is dense)."""
    if sp.issparse(a):
        return float(a.multiply(b).sum())
    return float(np.vdot(a, b).real)


def _grad_call(grad, x):
    """``grad(x)``, shape-checked; a ``scipy.sparse`` gradient is kept sparse for the LMO."""
    out = grad(x)
    if sp.issparse(out):
        if out.shape != x.shape:
            raise ValueError(f"grad(x) must return an array of shape {x.shape}, "
                             f"got shape {out.shape}")
        return out.tocsr()
    return _call(lambda _: out, x, "grad")


def _as_operator(K):
    """``(matvec, rmatvec, shape, dtype)`` of a dense, sparse or LinearOperator ``K``."""
    if isinstance(K, LinearOperator):
        if len(K.shape) != 2:
            raise ValueError(f"K must be 2-D, got shape {K.shape}")
        return K.matvec, K.rmatvec, K.shape, K.dtype
    K = as_matrix(K, "K")
    if min(K.shape) == 0:
        raise ValueError(f"K must have at least one entry, got shape {K.shape}")
    KT = K.T
    return (lambda x: K @ x), (lambda y: KT @ y), K.shape, K.dtype


def spectral_norm(K):
    r"""Spectral norm :math:`\|K\| = \sigma_{\max}(K)` of a dense, sparse or linear operator.

    A dense SVD for small dense matrices; otherwise one singular value by
    :func:`scipy.sparse.linalg.svds` (``k=1``, fixed starting vector), which
    only multiplies by :math:`K` and :math:`K^\top` (a ``scipy.sparse`` matrix
    or a :class:`scipy.sparse.linalg.LinearOperator`).

    Parameters
    ----------
    K : array_like, scipy.sparse matrix or scipy.sparse.linalg.LinearOperator
        The operator, of shape ``(m, d)``.

    Returns
    -------
    float
        :math:`\|K\|`.
    """
    if isinstance(K, LinearOperator):
        from scipy.sparse.linalg import svds

        if min(K.shape) <= 2:
            dense = K @ np.eye(K.shape[1])
            return float(np.linalg.norm(dense, 2))
        v0 = np.random.default_rng(0).standard_normal(min(K.shape))
        return float(svds(K, k=1, v0=v0, return_singular_vectors=False)[0])
    from .lmo import _top_singular_pair

    K = as_matrix(K, "K")
    if min(K.shape) == 0:
        raise ValueError(f"K must have at least one entry, got shape {K.shape}")
    return _top_singular_pair(K)[0]


def _mean_update(avg, x, k):
    """Running mean: ``avg`` of ``k`` points, updated with ``x`` (``k + 1`` points)."""
    return x.copy() if avg is None else avg + (x - avg) / (k + 1)


# ------------------------------------------------------------ Frank–Wolfe
def frank_wolfe(grad, lmo, x0, step="open-loop", f=None, max_iter=1000, tol=0.0,
                callback=None, quadratic=False):
    r"""Frank–Wolfe (conditional gradient) method over a compact convex set :math:`C`.

    For :math:`k = 0, 1, \dots`

    .. math::

        s_k &= \operatorname*{argmin}_{s \in C}\ \langle \nabla f(x_k), s\rangle
               \quad(\text{the oracle } \texttt{lmo}),\\
        g_k &= \langle \nabla f(x_k), x_k - s_k\rangle
               \quad(\text{the Frank–Wolfe gap, } \ge f(x_k) - f^\star),\\
        x_{k+1} &= x_k + \gamma_k (s_k - x_k) .

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns :math:`\nabla f(x)` (an array shaped like ``x``;
        ``x`` may be a vector or a matrix). A ``scipy.sparse`` gradient is
        passed to ``lmo`` as it is (see :func:`optbook.lmo.nuclear_ball`).
    lmo : callable
        ``lmo(g)`` returns a minimizer of :math:`\langle g, s\rangle` over
        :math:`C`, e.g. ``functools.partial(optbook.lmo.l1_ball, radius=r)``.
    x0 : array_like
        Starting point, in :math:`C`.
    step : {"open-loop", "line-search"}, float or callable, default="open-loop"
        ``"open-loop"``: :math:`\gamma_k = 2/(k+2)` (so :math:`\gamma_0 = 1`).
        ``"line-search"``: :math:`\gamma_k \in \operatorname{argmin}_{\gamma\in[0,1]}
        f(x_k + \gamma(s_k - x_k))`, exact: in closed form when
        ``quadratic=True``, otherwise by
        :func:`scipy.optimize.minimize_scalar` (bounded) on ``f``.
        A float in :math:`(0, 1]`: a constant step. A callable
        ``k -> gamma_k`` (same :math:`k`), with values in :math:`[0, 1]`.
    f : callable, optional
        Value of :math:`f`; needed by ``step="line-search"`` unless
        ``quadratic=True``.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=0.0
        Stop when the Frank–Wolfe gap :math:`g_k \le` ``tol`` (a certificate:
        :math:`f(x_k) - f^\star \le g_k` for convex :math:`f`).
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true value stops.
    quadratic : bool, default=False
        Declare that :math:`f` is quadratic (its gradient is affine). The
        exact line search is then
        :math:`\gamma_k = \operatorname{clip}\big(g_k / \langle \nabla f(s_k) - \nabla f(x_k),
        s_k - x_k\rangle, 0, 1\big)`, because
        :math:`\nabla f(s_k) - \nabla f(x_k) = \nabla^2 f\,(s_k - x_k)`:
        one more gradient call (at :math:`s_k`) and no value of :math:`f`.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (the last iterate), ``gap`` (the Frank–Wolfe gap at ``x``),
        ``gaps`` (the gaps :math:`g_0, \dots, g_K` of all iterates), ``nit``,
        ``success``, ``status``, ``message``.

    Notes
    -----
    If :math:`f` is convex and :math:`L`-smooth and :math:`C` has diameter
    :math:`D`, the open-loop step gives, for :math:`k \ge 1`,
    :math:`f(x_k) - f^\star \le 2LD^2/(k+2)` :cite:p:`frank1956,jaggi2013`,
    and the line search satisfies the same bound (its decrease is at least
    that of the open-loop step from the same point, so the same induction
    applies). The smallest gap among :math:`g_1, \dots, g_K` is at most
    :math:`27LD^2/(4(K+2))` for :math:`K \ge 2` (:cite:t:`jaggi2013`, Theorem 2).

    Examples
    --------
    >>> import functools
    >>> import numpy as np
    >>> import optbook
    >>> from optbook.lmo import simplex
    >>> c = np.array([0.2, 0.3, 0.5])
    >>> res = optbook.frank_wolfe(lambda x: x - c, simplex, np.array([1.0, 0, 0]),
    ...                           step="line-search", quadratic=True, max_iter=200)
    >>> bool(res.gap < 1e-6), np.round(res.x, 3)
    (True, array([0.2, 0.3, 0.5]))
    """
    grad = check_callable(grad, "grad")
    lmo = check_callable(lmo, "lmo")
    x = _start(x0)
    max_iter, tol = _check_loop(max_iter, tol, callback)
    if f is not None:
        check_callable(f, "f")
    if not isinstance(quadratic, (bool, np.bool_)):
        raise TypeError(f"quadratic must be a bool, got {type(quadratic).__name__}")
    if isinstance(step, str):
        if step not in ("open-loop", "line-search"):
            raise ValueError(f'step must be "open-loop", "line-search", a float in (0, 1] '
                             f"or a callable, got {step!r}")
        if step == "line-search" and f is None and not quadratic:
            raise ValueError('step="line-search" needs f (or quadratic=True for a quadratic f)')
    elif not callable(step):
        step = check_in_interval(step, "step", 0.0, 1.0, closed="right")

    def gamma_at(k, gk, d):
        if step == "open-loop":
            return 2.0 / (k + 2.0)
        if step == "line-search":
            if quadratic:
                curv = _dot(_grad_call(grad, x + d), d) - _dot(gx, d)
                return 1.0 if curv <= 0 else min(1.0, max(0.0, gk / curv))
            res = minimize_scalar(lambda t: float(f(x + t * d)), bounds=(0.0, 1.0),
                                  method="bounded", options={"xatol": 1e-10})
            t = float(res.x)
            # the bounded search never evaluates the end points; keep the best
            candidates = [(float(f(x + t * d)), t), (float(f(x + d)), 1.0)]
            return min(candidates)[1]
        if callable(step):
            return check_in_interval(step(k), "step(k)", 0.0, 1.0, closed="both")
        return step

    loop = Loop(max_iter, tol, callback)
    gx = _grad_call(grad, x)
    s = _call(lmo, gx, "lmo", like=x)
    gap = _dot(gx, x - s)
    gaps = [gap]
    for k in loop:
        if loop.converged(gap):
            break
        d = s - x
        gamma = gamma_at(k, gap, d)
        x = loop.accept(x, x + gamma * d)
        if loop.status == 2:
            break
        gx = _grad_call(grad, x)
        s = _call(lmo, gx, "lmo", like=x)
        gap = _dot(gx, x - s)
        gaps.append(gap)
    if loop.status == 1 and tol > 0 and gap <= tol:
        loop.stop(0)
    return loop.result(x, gap=gap, gaps=np.array(gaps))


# --------------------------------------------------- games and monotone VIs
def _operator_setup(operator, z0, step, proj, max_iter, callback):
    operator = check_callable(operator, "operator")
    z = _start(z0, "z0")
    step = check_positive(step, "step")
    if proj is not None:
        check_callable(proj, "proj")
    max_iter, _ = _check_loop(max_iter, 0.0, callback)
    P = (lambda v: v) if proj is None else (lambda v: _call(proj, v, "proj"))
    return operator, z, step, P, max_iter


def gradient_descent_ascent(operator, z0, step, proj=None, max_iter=1000, callback=None):
    r"""Simultaneous gradient descent–ascent: :math:`z_{k+1} = P_Z\big(z_k - \gamma F(z_k)\big)`.

    For a min–max problem :math:`\min_x\max_y\mathcal L(x, y)`, ``operator``
    is :math:`F(x, y) = (\nabla_x\mathcal L(x, y), -\nabla_y\mathcal L(x, y))`
    on the stacked :math:`z = (x, y)`, and the step is a gradient step in
    :math:`x` and an ascent step in :math:`y`, both from :math:`z_k`.

    Parameters
    ----------
    operator : callable
        ``operator(z)`` returns :math:`F(z)`, shaped like ``z``.
    z0 : array_like
        Starting point :math:`z_0`.
    step : float
        :math:`\gamma > 0`.
    proj : callable, optional
        ``proj(z)``: Euclidean projection onto the constraint set :math:`Z`
        (none by default).
    max_iter : int, default=1000
        Number of iterations.
    callback : callable, optional
        ``callback(z_{k+1})`` after each iteration; a true value stops.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (the last iterate :math:`z_K`), ``z_avg`` (the mean of
        :math:`z_1, \dots, z_K`), ``nit``, ``success``, ``status``, ``message``.

    Notes
    -----
    Gradient descent–ascent does not converge on monotone problems in
    general: on the bilinear game :math:`\mathcal L(x, y) = xy`,
    :math:`\|z_{k+1}\| = \sqrt{1+\gamma^2}\,\|z_k\|` for every step
    (chapter :ref:`chap-beyond-gradients`). It converges linearly on strongly
    monotone Lipschitz operators with a small step. Use
    :func:`extragradient` or :func:`optimistic_gradient` on monotone ones.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> F = lambda z: np.array([z[1], -z[0]])          # L(x, y) = x y
    >>> res = optbook.gradient_descent_ascent(F, [1.0, 0.0], 0.1, max_iter=100)
    >>> round(float(np.linalg.norm(res.x)), 4), round(1.01 ** 50, 4)
    (1.6446, 1.6446)
    """
    operator, z, step, P, max_iter = _operator_setup(operator, z0, step, proj, max_iter, callback)
    loop = Loop(max_iter, 0.0, callback)
    z_avg = None
    for k in loop:
        z_new = P(z - step * _call(operator, z, "operator"))
        z = loop.accept(z, z_new)
        if loop.status == 2:
            break
        z_avg = _mean_update(z_avg, z, k)
    return loop.result(z, z_avg=z.copy() if z_avg is None else z_avg)


def extragradient(operator, z0, step, proj=None, max_iter=1000, callback=None):
    r"""Extragradient method of Korpelevich :cite:p:`korpelevich1976`.

    .. math::

        w_k &= P_Z\big(z_k - \gamma F(z_k)\big) \quad(\text{extrapolation}),\\
        z_{k+1} &= P_Z\big(z_k - \gamma F(w_k)\big) .

    Parameters
    ----------
    operator : callable
        ``operator(z)`` returns :math:`F(z)`; for a game,
        :math:`(\nabla_x\mathcal L, -\nabla_y\mathcal L)` on :math:`z = (x, y)`.
    z0 : array_like
        Starting point :math:`z_0`.
    step : float
        :math:`\gamma > 0`; the theory takes :math:`\gamma \le 1/L` for an
        :math:`L`-Lipschitz :math:`F`.
    proj : callable, optional
        ``proj(z)``: Euclidean projection onto the closed convex set :math:`Z`.
    max_iter : int, default=1000
        Number of iterations (two operator calls each).
    callback : callable, optional
        ``callback(z_{k+1})`` after each iteration; a true value stops.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (the last iterate :math:`z_K`), ``z_avg`` (the ergodic average
        :math:`\bar w_K = \frac1K\sum_{k<K} w_k` of the extrapolated points,
        the point the rate is about), ``nit``, ``success``, ``status``,
        ``message``.

    Notes
    -----
    If :math:`F` is monotone and :math:`L`-Lipschitz on :math:`Z` and
    :math:`0 < \gamma \le 1/L`, then for every :math:`z \in Z`,
    :math:`\langle F(z), \bar w_K - z\rangle \le \|z_0 - z\|^2/(2\gamma K)`
    (:cite:t:`nemirovski2004` for mirror-prox, of which this is the
    Euclidean case); for a convex–concave game the same bound holds for
    :math:`\mathcal L(\bar x_K, y) - \mathcal L(x, \bar y_K)`. The last
    iterate converges too, at a slower rate :cite:p:`gorbunov2022`.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> F = lambda z: np.array([z[1], -z[0]])          # L(x, y) = x y
    >>> res = optbook.extragradient(F, [1.0, 0.0], 0.5, max_iter=200)
    >>> bool(np.linalg.norm(res.x) < 1e-5)
    True
    """
    operator, z, step, P, max_iter = _operator_setup(operator, z0, step, proj, max_iter, callback)
    loop = Loop(max_iter, 0.0, callback)
    w_avg = None
    for k in loop:
        w = P(z - step * _call(operator, z, "operator"))
        z_new = P(z - step * _call(operator, w, "operator"))
        if not finite(w):
            loop.stop(2)
            break
        z = loop.accept(z, z_new)
        if loop.status == 2:
            break
        w_avg = _mean_update(w_avg, w, k)
    return loop.result(z, z_avg=z.copy() if w_avg is None else w_avg)


def optimistic_gradient(operator, z0, step, proj=None, max_iter=1000, callback=None):
    r"""Optimistic gradient (descent–ascent), OGDA :cite:p:`popov1980,daskalakis2018`.

    With :math:`F(z_{-1}) = F(z_0)` (so the first step is a plain one),

    .. math::

        z_{k+1} = P_Z\big(z_k - \gamma\,(2F(z_k) - F(z_{k-1}))\big) .

    One operator call per iteration: the previous value is reused as an
    estimate of the next one.

    Parameters
    ----------
    operator : callable
        ``operator(z)`` returns :math:`F(z)`.
    z0 : array_like
        Starting point :math:`z_0`.
    step : float
        :math:`\gamma > 0`; the theory takes :math:`\gamma \le 1/(2L)`.
    proj : callable, optional
        ``proj(z)``: Euclidean projection onto :math:`Z`.
    max_iter : int, default=1000
        Number of iterations.
    callback : callable, optional
        ``callback(z_{k+1})`` after each iteration; a true value stops.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (the last iterate), ``z_avg`` (the mean of :math:`z_1, \dots, z_K`),
        ``nit``, ``success``, ``status``, ``message``.

    Notes
    -----
    For *unconstrained* smooth convex–concave saddle-point problems
    (``proj=None``) with :math:`\gamma = 1/(2L)`, the ergodic averages
    converge at the rate :math:`O(1/k)` on the primal–dual gap
    :cite:p:`mokhtari2020`. With a projection, the update is the
    forward–reflected–backward method, which converges for
    :math:`\gamma < 1/(2L)` :cite:p:`malitsky2020`.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> F = lambda z: np.array([z[1], -z[0]])          # L(x, y) = x y
    >>> res = optbook.optimistic_gradient(F, [1.0, 0.0], 0.3, max_iter=300)
    >>> bool(np.linalg.norm(res.x) < 1e-5)
    True
    """
    operator, z, step, P, max_iter = _operator_setup(operator, z0, step, proj, max_iter, callback)
    loop = Loop(max_iter, 0.0, callback)
    z_avg = None
    F_prev = None
    for k in loop:
        Fz = _call(operator, z, "operator")
        direction = Fz if F_prev is None else 2 * Fz - F_prev
        z_new = P(z - step * direction)
        z = loop.accept(z, z_new)
        if loop.status == 2:
            break
        F_prev = Fz
        z_avg = _mean_update(z_avg, z, k)
    return loop.result(z, z_avg=z.copy() if z_avg is None else z_avg)


# ---------------------------------------------------- primal–dual splitting
def chambolle_pock(K, prox_f, prox_g_conj, x0, y0, tau, sigma, theta=1.0, max_iter=1000,
                   callback=None, tol=0.0):
    r"""Chambolle–Pock primal–dual hybrid gradient (PDHG) :cite:p:`chambolle2011`.

    For :math:`\min_x f(x) + g(Kx)`, written as the saddle-point problem
    :math:`\min_x\max_y f(x) + \langle Kx, y\rangle - g^*(y)`:

    .. math::

        x_{k+1} &= \operatorname{prox}_{\tau f}\big(x_k - \tau K^\top y_k\big),\\
        \bar x_{k+1} &= x_{k+1} + \theta\,(x_{k+1} - x_k),\\
        y_{k+1} &= \operatorname{prox}_{\sigma g^*}\big(y_k + \sigma K\bar x_{k+1}\big).

    Parameters
    ----------
    K : array_like, scipy.sparse matrix or scipy.sparse.linalg.LinearOperator
        The linear operator, of shape ``(m, d)``.
    prox_f : callable
        ``prox_f(v, t)`` returns :math:`\operatorname{prox}_{t f}(v)`.
    prox_g_conj : callable
        ``prox_g_conj(v, t)`` returns :math:`\operatorname{prox}_{t g^*}(v)`
        (by Moreau's identity, :math:`v - t\operatorname{prox}_{g/t}(v/t)`).
    x0, y0 : array_like
        Starting points, of shapes ``(d,)`` and ``(m,)``.
    tau, sigma : float
        Primal and dual steps, with :math:`\tau\sigma\|K\|^2 \le 1`.
    theta : float, default=1.0
        Extrapolation parameter in :math:`[0, 1]`; the theory below is for
        :math:`\theta = 1`.
    max_iter : int, default=1000
        Maximum number of iterations.
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true value stops.
    tol : float, default=0.0
        Stop when the fixed-point residual
        :math:`\max(\|x_{k+1} - x_k\|/\tau, \|y_{k+1} - y_k\|/\sigma) \le` ``tol``.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``y`` (the last iterates), ``x_avg``, ``y_avg`` (the ergodic
        averages :math:`X_K = \frac1K\sum_{k=1}^K x_k`, :math:`Y_K` alike),
        ``nit``, ``success``, ``status``, ``message``.

    Raises
    ------
    ValueError
        If :math:`\tau\sigma\|K\|^2 > 1` (spectral norm, by
        :func:`spectral_norm`).

    Notes
    -----
    With :math:`f, g` closed convex, :math:`\theta = 1` and
    :math:`\tau\sigma\|K\|^2 \le 1`, for every :math:`(x, y)`,
    :math:`\mathcal L(X_K, y) - \mathcal L(x, Y_K) \le \|z - z_0\|_M^2/(2K)`,
    with :math:`\|w\|_M^2 = \|w_x\|^2/\tau + \|w_y\|^2/\sigma - 2\langle Kw_x, w_y\rangle`
    (:cite:t:`chambolle2011`; this form, with :math:`\tau\sigma\|K\|^2 \le 1`,
    follows the analysis of :cite:t:`chambolle2016`).

    Examples
    --------
    >>> import numpy as np
    >>> import optbook
    >>> from optbook.prox import prox_l1
    >>> # min_x ||x - b||^2 / 2 + ||x||_1 with K = I: soft-thresholding of b
    >>> b = np.array([3.0, 0.5, -2.0])
    >>> res = optbook.chambolle_pock(np.eye(3), lambda v, t: (v + t * b) / (1 + t),
    ...                              lambda v, t: np.clip(v, -1, 1),
    ...                              np.zeros(3), np.zeros(3), 1.0, 1.0, max_iter=200)
    >>> np.round(res.x, 6) + 0.0
    array([ 2.,  0., -1.])
    """
    matvec, rmatvec, shape, K_dtype = _as_operator(K)
    prox_f = check_callable(prox_f, "prox_f")
    prox_g_conj = check_callable(prox_g_conj, "prox_g_conj")
    x = _start(x0, "x0")
    y = _start(y0, "y0")
    if x.shape != (shape[1],):
        raise ValueError(f"x0 must have shape ({shape[1]},) to match K of shape {shape}, "
                         f"got {x.shape}")
    if y.shape != (shape[0],):
        raise ValueError(f"y0 must have shape ({shape[0]},) to match K of shape {shape}, "
                         f"got {y.shape}")
    tau = check_positive(tau, "tau")
    sigma = check_positive(sigma, "sigma")
    theta = check_in_interval(theta, "theta", 0.0, 1.0, closed="both")
    max_iter, tol = _check_loop(max_iter, tol, callback)
    K_norm = spectral_norm(K)
    if tau * sigma * K_norm**2 > 1.0 + 1e-9:
        raise ValueError(f"tau * sigma * ||K||^2 must be at most 1, got "
                         f"{tau:.4g} * {sigma:.4g} * {K_norm:.4g}^2 = {tau * sigma * K_norm**2:.4g}")
    dtype = float_dtype(x, y, np.empty(0, dtype=K_dtype))
    x, y = x.astype(dtype, copy=False), y.astype(dtype, copy=False)

    loop = Loop(max_iter, tol, callback)
    x_avg = y_avg = None
    for k in loop:
        x_new = _prox(prox_f, x - tau * np.asarray(rmatvec(y), dtype=dtype), tau, "prox_f")
        x_bar = x_new + theta * (x_new - x)
        y_new = _prox(prox_g_conj, y + sigma * np.asarray(matvec(x_bar), dtype=dtype), sigma,
                      "prox_g_conj")
        if not finite(y_new):
            loop.stop(2)
            break
        if tol > 0:
            residual = max(norm(x_new - x) / tau, norm(y_new - y) / sigma)
        x = loop.accept(x, x_new)
        if loop.status == 2:
            break
        y = y_new
        x_avg, y_avg = _mean_update(x_avg, x, k), _mean_update(y_avg, y, k)
        if tol > 0 and loop.converged(residual):
            break
    return loop.result(x, y=y, x_avg=x.copy() if x_avg is None else x_avg,
                       y_avg=y.copy() if y_avg is None else y_avg)


def douglas_rachford(prox_f, prox_g, z0, step, max_iter=1000, tol=0.0, callback=None):
    r"""Douglas–Rachford splitting for :math:`\min_x f(x) + g(x)` :cite:p:`lions1979`.

    .. math::

        x_k &= \operatorname{prox}_{\gamma f}(z_k),\\
        y_k &= \operatorname{prox}_{\gamma g}(2x_k - z_k),\\
        z_{k+1} &= z_k + y_k - x_k .

    The governing sequence :math:`z_k` is a Krasnosel'skii–Mann iteration of
    a firmly nonexpansive operator; it converges to a point :math:`z^\star`
    whose "shadow" :math:`\operatorname{prox}_{\gamma f}(z^\star)` minimizes
    :math:`f + g` (for closed convex :math:`f, g` with a minimizer and a
    qualification condition, e.g. :math:`\operatorname{relint}\dom f \cap
    \operatorname{relint}\dom g \ne \emptyset`) :cite:p:`bauschke2017`.

    Parameters
    ----------
    prox_f, prox_g : callable
        ``prox_f(v, t)`` returns :math:`\operatorname{prox}_{t f}(v)`; same for ``g``.
    z0 : array_like
        Starting point of the governing sequence.
    step : float
        :math:`\gamma > 0` (any value converges).
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=0.0
        Stop when :math:`\|z_{k+1} - z_k\| = \|y_k - x_k\| \le` ``tol``.
    callback : callable, optional
        ``callback(x_{k+1})`` (the shadow point) after each iteration.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (the shadow :math:`\operatorname{prox}_{\gamma f}(z_K)`), ``z``
        (:math:`z_K`), ``nit``, ``success``, ``status``, ``message``.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook.beyond_gradients as bg
    >>> from optbook.prox import prox_l1
    >>> b = np.array([3.0, 0.5, -2.0])
    >>> res = bg.douglas_rachford(lambda v, t: (v + t * b) / (1 + t), prox_l1,
    ...                           np.zeros(3), 1.0, max_iter=100)
    >>> np.round(res.x, 6) + 0.0
    array([ 2.,  0., -1.])
    """
    prox_f = check_callable(prox_f, "prox_f")
    prox_g = check_callable(prox_g, "prox_g")
    z = _start(z0, "z0")
    step = check_positive(step, "step")
    max_iter, tol = _check_loop(max_iter, tol, callback)
    loop = Loop(max_iter, tol, callback)
    x = _prox(prox_f, z, step, "prox_f")
    for k in loop:
        y = _prox(prox_g, 2 * x - z, step, "prox_g")
        if loop.converged(norm(y - x)):
            break
        z_new = z + y - x
        if not finite(z_new):
            loop.stop(2)
            break
        x_new = _prox(prox_f, z_new, step, "prox_f")
        x = loop.accept(x, x_new)
        if loop.status == 2:
            break
        z = z_new
    return loop.result(x, z=z)


def admm(solve_x, prox_g, x0, rho, K=None, max_iter=1000, tol=0.0, callback=None):
    r"""ADMM (scaled form) for :math:`\min_x f(x) + g(Kx)`, written with :math:`u = Kx`.

    With :math:`u_0 = Kx_0` and :math:`w_0 = 0` (scaled multiplier),

    .. math::

        x_{k+1} &= \operatorname*{argmin}_x\ f(x) + \tfrac\rho2\|Kx - u_k + w_k\|^2,\\
        u_{k+1} &= \operatorname{prox}_{g/\rho}\big(Kx_{k+1} + w_k\big),\\
        w_{k+1} &= w_k + Kx_{k+1} - u_{k+1} .

    :cite:t:`gabay1976`, :cite:t:`boyd2011`. It is Douglas–Rachford applied
    to the dual problem :cite:p:`eckstein1992`.

    Parameters
    ----------
    solve_x : callable
        ``solve_x(v, rho)`` returns :math:`\operatorname{argmin}_x f(x) +
        \frac\rho2\|Kx - v\|^2`. With ``K=None`` (the identity) this is
        ``prox_f(v, 1/rho)``.
    prox_g : callable
        ``prox_g(v, t)`` returns :math:`\operatorname{prox}_{t g}(v)`.
    x0 : array_like
        Starting point.
    rho : float
        Penalty parameter :math:`\rho > 0`.
    K : array_like, scipy.sparse matrix or LinearOperator, optional
        The linear operator (the identity by default).
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=0.0
        Stop when both residuals, primal :math:`\|Kx_{k+1} - u_{k+1}\|` and dual
        :math:`\rho\|K^\top(u_{k+1} - u_k)\|`, are at most ``tol``.
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true value stops.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``u`` (the split variable), ``y`` (the multiplier
        :math:`\rho w`, an estimate of a dual solution), ``nit``, ``success``,
        ``status``, ``message``.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook.beyond_gradients as bg
    >>> from optbook.prox import prox_l1
    >>> b = np.array([3.0, 0.5, -2.0])
    >>> res = bg.admm(lambda v, rho: (b + rho * v) / (1 + rho), prox_l1, np.zeros(3), 1.0,
    ...               max_iter=100)
    >>> np.round(res.x, 6) + 0.0
    array([ 2.,  0., -1.])
    """
    solve_x = check_callable(solve_x, "solve_x")
    prox_g = check_callable(prox_g, "prox_g")
    x = _start(x0, "x0")
    rho = check_positive(rho, "rho")
    max_iter, tol = _check_loop(max_iter, tol, callback)
    if K is None:
        matvec = rmatvec = (lambda v: v)
        m = x.shape
    else:
        matvec, rmatvec, shape, _ = _as_operator(K)
        if x.shape != (shape[1],):
            raise ValueError(f"x0 must have shape ({shape[1]},) to match K of shape {shape}, "
                             f"got {x.shape}")
        m = (shape[0],)
    u = np.asarray(matvec(x), dtype=x.dtype).reshape(m)
    w = np.zeros_like(u)
    loop = Loop(max_iter, tol, callback)
    for k in loop:
        x_new = np.asarray(solve_x(u - w, rho))
        if x_new.shape != x.shape:
            raise ValueError(f"solve_x(v, rho) must return an array of shape {x.shape}, "
                             f"got shape {x_new.shape}")
        x_new = x_new.astype(x.dtype, copy=False)
        Kx = np.asarray(matvec(x_new), dtype=x.dtype)
        u_new = _prox(prox_g, Kx + w, 1.0 / rho, "prox_g")
        w = w + Kx - u_new
        if tol > 0:
            primal = norm(Kx - u_new)
            dual = rho * norm(np.asarray(rmatvec(u_new - u)))
        x = loop.accept(x, x_new)
        if loop.status == 2 or not finite(w):
            loop.stop(2)
            break
        u = u_new
        if tol > 0 and loop.converged(max(primal, dual)):
            break
    return loop.result(x, u=u, y=rho * w)
