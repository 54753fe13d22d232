r"""Newton and quasi-Newton methods (chapter :ref:`chap-second-order`).

Every solver returns a :class:`scipy.optimize.OptimizeResult` with ``x``,
``nit``, ``success``, ``status``, ``message`` and the oracle counts ``nfev``
(values), ``njev`` (gradients or Jacobians) and, where they are used, ``nhev``
(Hessians or Hessian-vector products). They call ``callback(x_k)`` once per
iteration; a true return value stops the run.

Sharing one evaluation of the value and the gradient
----------------------------------------------------
The line searches of :func:`bfgs` and :func:`lbfgs` need :math:`f` and
:math:`\nabla f` at the same trial points, and both usually share most of
their work (for logistic regression, the product :math:`Ax`). Pass
``grad=True`` to say that ``f(x)`` returns the pair ``(f(x), ∇f(x))``, as with
SciPy's ``jac=True``::

    def value_and_grad(x):
        z = A @ x                      # computed once
        ...
        return value, gradient

    lbfgs(value_and_grad, True, x0)

Then ``nfev == njev`` counts the calls. With separate callables, both are
called at every trial point of the line search, so ``nfev == njev`` as well.
"""

import math
import warnings

import numpy as np
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg

from ._solver import Loop, norm
from ._validation import (as_array, check_callable, check_in_interval, check_int,
                          check_nonnegative, check_positive, check_same_shape)

__all__ = [
    "newton",
    "damped_newton",
    "newton_cg",
    "bfgs",
    "lbfgs",
    "gauss_newton",
    "levenberg_marquardt",
    "strong_wolfe",
    "newton_decrement",
]


# --------------------------------------------------------------------------
# oracles and linear algebra
# --------------------------------------------------------------------------


def _start(x0):
    x = as_array(x0, "x0", ndim=1)
    if x.size == 0:
        raise ValueError("x0 must have at least one entry")
    return x


def _vector(out, x, name):
    """Check an oracle's output: an array shaped like ``x`` (dtype of ``x`` kept)."""
    out = np.asarray(out)
    if out.shape != x.shape:
        raise ValueError(f"{name} must return an array of shape {x.shape}, got shape {out.shape}")
    if not np.issubdtype(out.dtype, np.floating):
        out = out.astype(x.dtype)
    return out


def _scalar(value, name):
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must return a real number, got {type(value).__name__}") from exc


def _hessian(hess, x):
    H = hess(x)
    if sp.issparse(H):
        if H.shape != (x.size, x.size):
            raise ValueError(f"hess(x) must return a ({x.size}, {x.size}) matrix, got shape {H.shape}")
        return H
    H = np.asarray(H)
    if H.shape != (x.size, x.size):
        raise ValueError(f"hess(x) must return a ({x.size}, {x.size}) matrix, got shape {H.shape}")
    return H


def _solve(H, g):
    """Solve ``H p = g``: Cholesky, then LU, then least squares if ``H`` is singular."""
    if sp.issparse(H):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", scipy.sparse.linalg.MatrixRankWarning)
            p = scipy.sparse.linalg.spsolve(H.tocsc(), g)
        if np.all(np.isfinite(p)):
            return np.asarray(p, dtype=g.dtype)
        return scipy.sparse.linalg.lsqr(H, g, atol=1e-14, btol=1e-14)[0].astype(g.dtype)
    if not np.all(np.isfinite(H)):
        return np.full_like(g, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        try:
            return scipy.linalg.solve(H, g, assume_a="pos", check_finite=False)
        except scipy.linalg.LinAlgError:
            pass
        try:
            return scipy.linalg.solve(H, g, check_finite=False)
        except scipy.linalg.LinAlgError:
            return scipy.linalg.lstsq(H, g, check_finite=False)[0]


class _Oracle:
    """``x ↦ (f(x), ∇f(x))`` from ``f`` and ``grad`` (or ``grad=True``), with counts."""

    def __init__(self, f, grad):
        self.f = check_callable(f, "f")
        if grad is True:
            self.joint = True
        else:
            check_callable(grad, "grad (or grad=True when f returns (value, grad))")
            self.joint = False
        self.grad = grad
        self.nfev = self.njev = 0

    def __call__(self, x):
        self.nfev += 1
        self.njev += 1
        if self.joint:
            out = self.f(x)
            if not (isinstance(out, tuple) and len(out) == 2):
                raise TypeError("with grad=True, f(x) must return a pair (value, gradient)")
            value, g = out
        else:
            value, g = self.f(x), self.grad(x)
        return _scalar(value, "f(x)"), _vector(g, x, "grad(x)")

    def value(self, x):
        if self.joint:
            return self(x)[0]
        self.nfev += 1
        return _scalar(self.f(x), "f(x)")


def newton_decrement(g, p):
    r"""The Newton decrement :math:`\lambda(x) = \sqrt{\nabla f(x)^\top \nabla^2 f(x)^{-1}\nabla f(x)}`.

    Parameters
    ----------
    g : array_like
        Gradient :math:`\nabla f(x)`.
    p : array_like
        Newton step :math:`\nabla^2 f(x)^{-1}\nabla f(x)` (either sign).

    Returns
    -------
    float
        :math:`\sqrt{|g^\top p|}`.
    """
    g = as_array(g, "g", copy=False)
    p = as_array(p, "p", copy=False)
    check_same_shape(g, p, "g", "p")
    return math.sqrt(abs(float(np.vdot(g, p))))


# --------------------------------------------------------------------------
# Newton's method
# --------------------------------------------------------------------------


def newton(grad, hess, x0, max_iter=100, tol=1e-10, callback=None):
    r"""Pure Newton's method: :math:`x_{k+1} = x_k - \nabla^2 f(x_k)^{-1}\nabla f(x_k)`.

    The step solves the linear system :math:`\nabla^2 f(x_k)\,p = \nabla f(x_k)`
    (Cholesky; LU if the Hessian is not positive definite; least squares if it
    is singular; :func:`scipy.sparse.linalg.spsolve` for a sparse Hessian). The
    Hessian is never inverted.

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns :math:`\nabla f(x)`.
    hess : callable
        ``hess(x)`` returns :math:`\nabla^2 f(x)`, a dense array or a
        ``scipy.sparse`` matrix.
    x0 : array_like, shape (d,)
        Starting point (``float32`` kept).
    max_iter : int, default=100
        Maximum number of iterations.
    tol : float, default=1e-10
        Stop when :math:`\|\nabla f(x_k)\|_2 \le` ``tol`` (``0`` disables).
    callback : callable, optional
        ``callback(x_k)`` after each iteration; a true value stops.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``nit``, ``success``, ``status``, ``message``, ``jac`` (the
        gradient at ``x`` when the run stopped on ``tol``), ``njev``, ``nhev``.

    Notes
    -----
    If :math:`\nabla^2 f \succeq \mu I` and :math:`\nabla^2 f` is
    :math:`M`-Lipschitz, then
    :math:`\|x_{k+1} - x^\star\| \le \frac{M}{2\mu}\|x_k - x^\star\|^2`
    (local quadratic convergence, :cite:t:`nesterov2018`, Section 1.2.4).
    Far from :math:`x^\star` the method may diverge: use
    :func:`damped_newton`. The iterates do not depend on affine changes of
    variables :math:`x = Ty`.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.second_order import newton
    >>> res = newton(lambda x: x - 1 / x, lambda x: np.diag(1 + 1 / x**2), [3.0])
    >>> res.success, np.round(res.x, 12)
    (True, array([1.]))
    """
    grad = check_callable(grad, "grad")
    hess = check_callable(hess, "hess")
    x = _start(x0)
    loop = Loop(max_iter, tol, callback)
    njev = nhev = 0
    g = None
    for k in loop:
        g = _vector(grad(x), x, "grad(x)")
        njev += 1
        if loop.converged(norm(g)):
            break
        H = _hessian(hess, x)
        nhev += 1
        x = loop.accept(x, x - _solve(H, g))
    return loop.result(x, jac=g, njev=njev, nhev=nhev)


def damped_newton(f, grad, hess, x0, alpha=0.25, beta=0.5, max_iter=100, tol=1e-10,
                  callback=None, step="backtracking"):
    r"""Damped Newton's method: Newton's direction with a step :math:`t_k \in (0, 1]`.

    .. math::

        x_{k+1} = x_k - t_k\,\nabla^2 f(x_k)^{-1}\nabla f(x_k),

    with, for ``step="backtracking"``, the largest :math:`t_k \in \{1, \beta,
    \beta^2, \dots\}` such that
    :math:`f(x_{k+1}) \le f(x_k) - \alpha t_k \lambda(x_k)^2` (Armijo), and
    for ``step="self-concordant"`` the fixed rule
    :math:`t_k = 1/(1 + \lambda(x_k))` of Nesterov, which needs no value of
    :math:`f`. Here :math:`\lambda(x)^2 = \nabla f(x)^\top\nabla^2 f(x)^{-1}\nabla f(x)`
    is the squared Newton decrement.

    Parameters
    ----------
    f : callable or None
        ``f(x)`` returns :math:`f(x)`; may be ``None`` with
        ``step="self-concordant"``.
    grad, hess : callable
        :math:`\nabla f(x)` and :math:`\nabla^2 f(x)` (dense or sparse).
    x0 : array_like, shape (d,)
        Starting point.
    alpha : float, default=0.25
        Armijo parameter, in :math:`(0, 1/2)`.
    beta : float, default=0.5
        Backtracking factor, in :math:`(0, 1)`.
    max_iter : int, default=100
        Maximum number of iterations.
    tol : float, default=1e-10
        Stop when :math:`\lambda(x_k)^2/2 \le` ``tol``: for self-concordant
        :math:`f` with :math:`\lambda \le 0.68`,
        :math:`f(x_k) - f^\star \le \lambda(x_k)^2`.
    callback : callable, optional
        ``callback(x_k)`` after each iteration.
    step : {"backtracking", "self-concordant"}, default="backtracking"
        The step rule.

    Returns
    -------
    scipy.optimize.OptimizeResult
        With ``fun`` (when ``f`` was evaluated), ``jac``, ``decrement`` (the
        last :math:`\lambda(x_k)`), ``nfev``, ``njev``, ``nhev``.

    Notes
    -----
    For a standard self-concordant :math:`f` (:math:`|f'''| \le 2 f''^{3/2}`
    along every line), the self-concordant step gives
    :math:`f(x_{k+1}) \le f(x_k) - \omega(\lambda(x_k))` with
    :math:`\omega(t) = t - \log(1+t)` :cite:p:`nesterov2018`; backtracking
    decreases :math:`f` by a constant while :math:`\lambda > (1 - 2\alpha)/4`
    and then takes unit steps with :math:`2\lambda_{k+1} \le (2\lambda_k)^2`
    (:cite:t:`boyd2004`, Section 9.6.4).

    A Hessian that is not positive definite gives a direction that is not a
    descent direction: the run stops with ``status=5``.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.second_order import damped_newton
    >>> f = lambda x: float(np.sum(np.logaddexp(x, -x)))   # log(e^x + e^-x)
    >>> g = lambda x: np.tanh(x)
    >>> h = lambda x: np.diag(1 - np.tanh(x) ** 2)
    >>> res = damped_newton(f, g, h, [3.0])   # pure Newton diverges from here
    >>> bool(res.success), bool(abs(res.x[0]) < 1e-4)
    (True, True)
    """
    if step not in ("backtracking", "self-concordant"):
        raise ValueError(f"step must be 'backtracking' or 'self-concordant', got {step!r}")
    if f is None:
        if step == "backtracking":
            raise TypeError("f must be callable with step='backtracking'")
    else:
        check_callable(f, "f")
    grad = check_callable(grad, "grad")
    hess = check_callable(hess, "hess")
    x = _start(x0)
    alpha = check_in_interval(alpha, "alpha", 0.0, 0.5, closed="neither")
    beta = check_in_interval(beta, "beta", 0.0, 1.0, closed="neither")
    loop = Loop(max_iter, tol, callback)
    nfev = njev = nhev = 0
    fx = g = lam = None
    if step == "backtracking":
        fx = _scalar(f(x), "f(x)")
        nfev += 1
    for k in loop:
        g = _vector(grad(x), x, "grad(x)")
        H = _hessian(hess, x)
        njev += 1
        nhev += 1
        p = -_solve(H, g)
        slope = float(np.vdot(g, p))                  # -lambda(x)^2
        if not math.isfinite(slope):
            loop.stop(2)
            break
        lam = math.sqrt(abs(slope))
        if loop.converged(lam * lam / 2):
            break
        if slope > 0:
            loop.fail("The Hessian is not positive definite: Newton's direction "
                      "is not a descent direction.")
            break
        if step == "self-concordant":
            x = loop.accept(x, x + p / (1.0 + lam))
            continue
        t, slack = 1.0, 8 * np.finfo(x.dtype).eps * abs(fx)
        while True:
            x_new = x + t * p
            f_new = _scalar(f(x_new), "f(x)")
            nfev += 1
            if f_new <= fx + alpha * t * slope + slack:
                break
            t *= beta
            if t < 1e-20:
                loop.stop(4)
                break
        if loop.stopped:
            break
        fx = f_new
        x = loop.accept(x, x_new)
    extra = dict(jac=g, decrement=lam, nfev=nfev, njev=njev, nhev=nhev)
    if fx is not None:
        extra["fun"] = fx
    return loop.result(x, **extra)


# --------------------------------------------------------------------------
# Newton-CG (Hessian-free)
# --------------------------------------------------------------------------


def _truncated_cg(hvp, x, g, eta, max_cg):
    """CG on ``H p = -g`` until ``||H p + g|| <= eta ||g||``; stops on negative curvature."""
    p = np.zeros_like(g)
    r = g.copy()                       # residual H p + g
    d = -r
    rr = float(np.vdot(r, r))
    target = (eta * norm(g)) ** 2
    n_hvp = 0
    for _ in range(max_cg):
        Hd = _vector(hvp(x, d), x, "hvp(x, v)")
        n_hvp += 1
        curv = float(np.vdot(d, Hd))
        if curv <= 1e-16 * rr:       # negative or zero curvature along d
            if n_hvp == 1:
                return -g, n_hvp, 1.0  # steepest descent
            break
        a = rr / curv
        p = p + a * d
        r = r + a * Hd
        rr_new = float(np.vdot(r, r))
        if rr_new <= target:
            rr = rr_new
            break
        d = -r + (rr_new / rr) * d
        rr = rr_new
    return p, n_hvp, math.sqrt(rr) / norm(g)


def newton_cg(grad, hvp, x0, f=None, max_iter=100, tol=1e-8, forcing="eisenstat-walker",
              max_cg=None, alpha=1e-4, beta=0.5, callback=None):
    r"""Hessian-free (truncated) Newton: conjugate gradient on Hessian-vector products.

    The step :math:`p_k` is computed by conjugate gradient on
    :math:`\nabla^2 f(x_k)\,p = -\nabla f(x_k)`, started at :math:`p = 0` and
    stopped as soon as

    .. math::

        \|\nabla^2 f(x_k)p + \nabla f(x_k)\| \le \eta_k\|\nabla f(x_k)\|

    (or at negative curvature). Then :math:`x_{k+1} = x_k + t_k p_k`, with
    :math:`t_k = 1` or, if ``f`` is given, Armijo backtracking.

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns :math:`\nabla f(x)`.
    hvp : callable
        ``hvp(x, v)`` returns :math:`\nabla^2 f(x)\,v`, e.g.
        ``lambda x, v: optbook.autodiff.hvp(fun, x, v)`` or an analytic
        product such as :math:`A^\top(w \odot Av)/n + \lambda v`.
    x0 : array_like, shape (d,)
        Starting point.
    f : callable, optional
        ``f(x)``; enables backtracking (global convergence on convex
        :math:`f`). Without it the steps are full ones.
    max_iter : int, default=100
        Maximum number of Newton iterations.
    tol : float, default=1e-8
        Stop when :math:`\|\nabla f(x_k)\|_2 \le` ``tol``.
    forcing : {"eisenstat-walker", "sqrt"} or float, default="eisenstat-walker"
        The forcing terms :math:`\eta_k`: Eisenstat and Walker's choice 2,
        :math:`\eta_k = 0.9(\|\nabla f(x_k)\|/\|\nabla f(x_{k-1})\|)^2`,
        safeguarded by :math:`\eta_k \ge 0.9\eta_{k-1}^2` when that is
        above :math:`0.1`, with :math:`\eta_0 = 0.5` and :math:`\eta_k \le 0.9`
        :cite:p:`eisenstat1996`; ``"sqrt"``:
        :math:`\eta_k = \min(0.5, \sqrt{\|\nabla f(x_k)\|})`
        (:cite:t:`nocedal2006`, Section 7.1); a float in :math:`(0, 1)`: a
        constant :math:`\eta`.
    max_cg : int, optional
        Maximum number of CG iterations per step (default ``2 d``).
    alpha, beta : float
        Armijo parameter in :math:`(0, 1/2)` and backtracking factor in :math:`(0, 1)`.
    callback : callable, optional
        ``callback(x_k)`` after each iteration.

    Returns
    -------
    scipy.optimize.OptimizeResult
        With ``jac``, ``nfev``, ``njev``, ``nhev`` (Hessian-vector products)
        and ``cg_iters`` (the number of CG iterations of each step).

    Notes
    -----
    Near a minimizer with a positive definite, Lipschitz Hessian, the
    convergence is linear if :math:`\eta_k \le \eta < 1`, superlinear if
    :math:`\eta_k \to 0` and quadratic if :math:`\eta_k = O(\|\nabla f(x_k)\|)`
    :cite:p:`dembo1982`. A step costs a gradient and a few
    Hessian-vector products, each a small multiple of a gradient
    :cite:p:`pearlmutter1994`.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.second_order import newton_cg
    >>> Q = np.diag([1.0, 10.0, 100.0])
    >>> res = newton_cg(lambda x: Q @ x - 1, lambda x, v: Q @ v, np.zeros(3))
    >>> res.success, np.allclose(res.x, 1 / np.diag(Q))
    (True, True)
    """
    grad = check_callable(grad, "grad")
    hvp = check_callable(hvp, "hvp")
    if f is not None:
        check_callable(f, "f")
    x = _start(x0)
    if isinstance(forcing, str):
        if forcing not in ("eisenstat-walker", "sqrt"):
            raise ValueError("forcing must be 'eisenstat-walker', 'sqrt' or a float in (0, 1), "
                             f"got {forcing!r}")
    else:
        forcing = check_in_interval(forcing, "forcing", 0.0, 1.0, closed="neither")
    max_cg = 2 * x.size if max_cg is None else check_int(max_cg, "max_cg", minimum=1)
    alpha = check_in_interval(alpha, "alpha", 0.0, 0.5, closed="neither")
    beta = check_in_interval(beta, "beta", 0.0, 1.0, closed="neither")
    loop = Loop(max_iter, tol, callback)
    nfev = njev = nhev = 0
    cg_iters = []
    fx = None
    if f is not None:
        fx = _scalar(f(x), "f(x)")
        nfev += 1
    g = _vector(grad(x), x, "grad(x)")
    njev += 1
    gnorm_prev = eta = None
    for k in loop:
        gnorm = norm(g)
        if loop.converged(gnorm):
            break
        if forcing == "sqrt":
            eta = min(0.5, math.sqrt(gnorm))
        elif forcing == "eisenstat-walker":
            if eta is None:
                eta = 0.5
            else:
                new = 0.9 * (gnorm / gnorm_prev) ** 2
                floor = 0.9 * eta**2
                eta = min(0.9, max(new, floor) if floor > 0.1 else new)
        else:
            eta = forcing
        p, n_hvp, _ = _truncated_cg(hvp, x, g, eta, max_cg)
        nhev += n_hvp
        cg_iters.append(n_hvp)
        if not np.all(np.isfinite(p)):
            loop.stop(2)
            break
        t = 1.0
        if f is not None:
            slope = float(np.vdot(g, p))
            slack = 8 * np.finfo(x.dtype).eps * abs(fx)
            while True:
                f_new = _scalar(f(x + t * p), "f(x)")
                nfev += 1
                if f_new <= fx + alpha * t * slope + slack:
                    break
                t *= beta
                if t < 1e-20:
                    loop.stop(4)
                    break
            if loop.stopped:
                break
            fx = f_new
        x_new = loop.accept(x, x + t * p)
        if x_new is x:
            break
        x, gnorm_prev = x_new, gnorm
        g = _vector(grad(x), x, "grad(x)")
        njev += 1
    extra = dict(jac=g, nfev=nfev, njev=njev, nhev=nhev, cg_iters=cg_iters)
    if fx is not None:
        extra["fun"] = fx
    return loop.result(x, **extra)


# --------------------------------------------------------------------------
# strong Wolfe line search
# --------------------------------------------------------------------------


def _cubic_min(a, fa, da, b, fb, db):
    """Minimizer of the cubic interpolating f and f' at a and b (None if undefined)."""
    if a == b:
        return None
    d1 = da + db - 3 * (fa - fb) / (a - b)
    disc = d1 * d1 - da * db
    if not (math.isfinite(disc) and disc >= 0):
        return None
    d2 = math.copysign(math.sqrt(disc), b - a)
    denom = db - da + 2 * d2
    if denom == 0:
        return None
    t = b - (b - a) * (db + d2 - d1) / denom
    return t if math.isfinite(t) else None


def strong_wolfe(phi, f0, d0, step0=1.0, c1=1e-4, c2=0.9, max_evals=40, eps=None):
    r"""Line search for a step satisfying the strong Wolfe conditions.

    Finds :math:`t > 0` with

    .. math::

        \phi(t) \le \phi(0) + c_1 t\,\phi'(0), \qquad
        |\phi'(t)| \le c_2\,|\phi'(0)|,

    for :math:`\phi(t) = f(x + tp)`, by the bracketing phase and the
    ``zoom`` phase of :cite:t:`nocedal2006` (Algorithms 3.5 and 3.6), with
    a safeguarded cubic interpolation (bisection when the cubic is not
    usable). While :math:`\phi` still decreases, the bracketing phase
    extrapolates with the same cubic, kept between 2 and 10 times the
    current step.

    Parameters
    ----------
    phi : callable
        ``phi(t)`` returns ``(value, slope, payload)``: :math:`\phi(t)`,
        :math:`\phi'(t)` and anything the caller wants back for the accepted
        step (e.g. the point and its gradient).
    f0, d0 : float
        :math:`\phi(0)` and :math:`\phi'(0) < 0`.
    step0 : float, default=1.0
        First trial step.
    c1, c2 : float
        :math:`0 < c_1 < c_2 < 1`.
    max_evals : int, default=40
        Maximum number of calls of ``phi``.
    eps : float, optional
        Relative precision of the values of :math:`\phi` (default: that of
        ``float64``). The decrease conditions are tested with a slack of
        ``8 * eps * |phi(0)|``, so that a step is not rejected for a rounding
        error next to a minimizer. As a safeguard against rounding, a step
        that fails the sufficient-decrease test but satisfies the
        *approximate* Wolfe conditions of :cite:t:`hager2005` (the curvature
        condition and :math:`\phi'(t) \le (2c_1 - 1)\phi'(0)`, which imply
        sufficient decrease when :math:`\phi` is quadratic) is accepted, but
        only when :math:`|\phi(t) - \phi(0)|` is within the same rounding
        slack: then the values of :math:`f` cannot resolve the decrease, while
        the slopes can. Such a step never increases :math:`f` by more than
        rounding. If ``zoom`` finds no strong Wolfe step, the best trial point
        is returned when it decreases :math:`f` (it may then violate the
        curvature condition; BFGS and L-BFGS skip their update when
        :math:`s^\top y` is not positive).

    Returns
    -------
    tuple or None
        ``(t, value, payload)`` for the accepted step, or ``None`` if no step
        was found within ``max_evals`` calls.
    """
    if not d0 < 0:
        return None
    evals = 0
    # f is only known to rounding: a decrease condition that fails by less than
    # a few ulps of f(x) is not a failure (it happens next to a minimizer)
    slack = 8 * (np.finfo(float).eps if eps is None else eps) * abs(f0)

    def approx_wolfe(ft, dt):
        # Hager and Zhang's approximate Wolfe conditions (the curvature condition
        # and phi'(t) <= (2 c1 - 1) phi'(0), which imply sufficient decrease when
        # phi is quadratic), used only when f(x + tp) and f(x) agree to rounding:
        # then the decrease test cannot be resolved from the values of f, but the
        # slopes still tell a good step. The step never increases f beyond the
        # rounding slack.
        return (abs(ft - f0) <= slack and abs(dt) <= -c2 * d0
                and dt <= (2 * c1 - 1) * d0)

    def zoom(lo, hi):
        nonlocal evals
        (a_lo, f_lo, d_lo, pl_lo), (a_hi, f_hi, d_hi, _) = lo, hi
        while evals < max_evals:
            width = a_hi - a_lo
            t = None
            if math.isfinite(f_hi) and math.isfinite(d_hi):
                t = _cubic_min(a_lo, f_lo, d_lo, a_hi, f_hi, d_hi)
            lo_end, hi_end = sorted((a_lo + 0.1 * width, a_hi - 0.1 * width))
            if t is None or not lo_end <= t <= hi_end:
                t = a_lo + 0.5 * width
            ft, dt, pl = phi(t)
            evals += 1
            if approx_wolfe(ft, dt):
                return t, ft, pl
            if not (ft <= f0 + c1 * t * d0 + slack) or ft > f_lo + slack:
                a_hi, f_hi, d_hi = t, ft, dt
            else:
                if abs(dt) <= -c2 * d0:
                    return t, ft, pl
                if dt * (a_hi - a_lo) >= 0:
                    a_hi, f_hi, d_hi = a_lo, f_lo, d_lo
                a_lo, f_lo, d_lo, pl_lo = t, ft, dt, pl
            if abs(a_hi - a_lo) <= 1e-16 * max(1.0, abs(a_lo)):
                break
        # no strong Wolfe step: return the best point if it decreases f
        if a_lo > 0 and f_lo < f0:
            return a_lo, f_lo, pl_lo
        return None

    prev = (0.0, f0, d0, None)
    t = step0
    while evals < max_evals:
        ft, dt, pl = phi(t)
        evals += 1
        if not math.isfinite(ft) or not math.isfinite(dt):
            # overshoot into a region where f is not finite: shrink the step
            return zoom(prev, (t, math.inf, math.nan, None))
        if approx_wolfe(ft, dt):
            return t, ft, pl
        if ft > f0 + c1 * t * d0 + slack or (prev[0] > 0 and ft > prev[1] + slack):
            return zoom(prev, (t, ft, dt, pl))
        if abs(dt) <= -c2 * d0:
            return t, ft, pl
        if dt >= 0:
            return zoom((t, ft, dt, pl), prev)
        # still descending: extrapolate with the cubic through the last two
        # points, kept in [2t, 10t] (4t if the cubic has no minimizer there)
        guess = _cubic_min(prev[0], prev[1], prev[2], t, ft, dt)
        prev = (t, ft, dt, pl)
        t = min(max(guess, 2.0 * t), 10.0 * t) if guess is not None and guess > t else 4.0 * t
    return None


def _line_search(oracle, x, fx, g, p, step0, c2=0.9):
    def phi(t):
        x_t = x + t * p
        f_t, g_t = oracle(x_t)
        return f_t, float(np.vdot(g_t, p)), (x_t, g_t)

    return strong_wolfe(phi, fx, float(np.vdot(g, p)), step0=step0, c2=c2,
                        eps=float(np.finfo(x.dtype).eps))


# --------------------------------------------------------------------------
# BFGS and L-BFGS
# --------------------------------------------------------------------------


def _check_f_grad(f, grad):
    oracle = _Oracle(f, grad)
    return oracle


def bfgs(f, grad, x0, max_iter=1000, tol=1e-8, callback=None):
    r"""BFGS with the inverse-Hessian update and a strong Wolfe line search.

    With :math:`s_k = x_{k+1} - x_k`, :math:`y_k = \nabla f(x_{k+1}) - \nabla f(x_k)`
    and :math:`\rho_k = 1/(y_k^\top s_k)`,

    .. math::

        x_{k+1} = x_k - t_k H_k\nabla f(x_k), \qquad
        H_{k+1} = (I - \rho_k s_k y_k^\top)\,H_k\,(I - \rho_k y_k s_k^\top)
                  + \rho_k s_k s_k^\top,

    where :math:`t_k` satisfies the strong Wolfe conditions
    (:math:`c_1 = 10^{-4}`, :math:`c_2 = 0.9`, first trial :math:`t = 1`), which
    guarantee :math:`y_k^\top s_k > 0`, so :math:`H_{k+1} \succ 0`. Before the
    first update :math:`H_0` is rescaled to
    :math:`\frac{y_0^\top s_0}{y_0^\top y_0} I` (:cite:t:`nocedal2006`, eq. 6.20).

    Parameters
    ----------
    f : callable
        ``f(x)`` returns :math:`f(x)`, or the pair ``(f(x), ∇f(x))`` if
        ``grad=True``.
    grad : callable or True
        ``grad(x)`` returns :math:`\nabla f(x)`; ``True`` if ``f`` returns both
        (one shared evaluation per trial point).
    x0 : array_like, shape (d,)
        Starting point.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=1e-8
        Stop when :math:`\|\nabla f(x_k)\|_2 \le` ``tol``.
    callback : callable, optional
        ``callback(x_k)`` after each iteration.

    Returns
    -------
    scipy.optimize.OptimizeResult
        With ``fun``, ``jac``, ``hess_inv`` (:math:`H_k`), ``nfev``, ``njev``.

    Notes
    -----
    On a strongly convex function with a Lipschitz Hessian, the iterates
    converge superlinearly (:cite:t:`nocedal2006`, Theorems 6.5 and 6.6;
    :cite:t:`dennis1977`). Memory :math:`O(d^2)` and :math:`O(d^2)` work per
    iteration: for large :math:`d` use :func:`lbfgs`.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.second_order import bfgs
    >>> from optbook.objectives import Quadratic
    >>> q = Quadratic(np.diag([1.0, 10.0]), c=np.ones(2))
    >>> res = bfgs(q.value, q.grad, np.zeros(2))
    >>> res.success, np.allclose(res.x, q.minimizer())
    (True, True)
    """
    oracle = _check_f_grad(f, grad)
    x = _start(x0)
    loop = Loop(max_iter, tol, callback)
    fx, g = oracle(x)
    H = None
    for k in loop:
        if loop.converged(norm(g)):
            break
        p = -g if H is None else -(H @ g)
        step0 = 1.0 if H is not None else 1.0 / max(norm(g), 1e-300)  # unit-length first step
        found = _line_search(oracle, x, fx, g, p, step0)
        if found is None:
            loop.stop(4)
            break
        t, f_new, (x_new, g_new) = found
        s, y = x_new - x, g_new - g
        sy = float(np.vdot(s, y))
        if sy > 1e-12 * norm(s) * norm(y):  # > 0 under strong Wolfe, not after zoom's fallback
            if H is None:
                H = np.eye(x.size, dtype=x.dtype) * (sy / float(np.vdot(y, y)))
            rho = 1.0 / sy
            Hy = H @ y
            # (I - rho s y^T) H (I - rho y s^T) + rho s s^T, expanded
            H = (H - rho * (np.outer(s, Hy) + np.outer(Hy, s))
                 + (rho * rho * float(np.vdot(y, Hy)) + rho) * np.outer(s, s))
        x_acc = loop.accept(x, x_new)
        if x_acc is x:
            break
        x, fx, g = x_new, f_new, g_new
    return loop.result(x, fun=fx, jac=g, hess_inv=H, nfev=oracle.nfev, njev=oracle.njev)


def _two_loop(g, S, Y, rhos, gamma):
    r"""``H_k g`` by the two-loop recursion (``S``, ``Y`` oldest first)."""
    q = g.copy()
    alphas = []
    for s, y, rho in zip(reversed(S), reversed(Y), reversed(rhos)):
        a = rho * float(np.vdot(s, q))
        q -= a * y
        alphas.append(a)
    r = gamma * q
    for s, y, rho, a in zip(S, Y, rhos, reversed(alphas)):
        b = rho * float(np.vdot(y, r))
        r += (a - b) * s
    return r


def lbfgs(f, grad, x0, memory=10, max_iter=1000, tol=1e-8, callback=None):
    r"""Limited-memory BFGS: the two-loop recursion and a strong Wolfe line search.

    The direction :math:`p_k = -H_k\nabla f(x_k)` uses the BFGS matrix built
    from the last :math:`m` pairs :math:`(s_i, y_i)` starting from
    :math:`H_k^0 = \gamma_k I`, :math:`\gamma_k = s_{k-1}^\top y_{k-1} / y_{k-1}^\top y_{k-1}`;
    it is computed in :math:`O(md)` operations by the two-loop recursion
    (:cite:t:`nocedal2006`, Algorithm 7.4), without forming :math:`H_k`.
    Then :math:`x_{k+1} = x_k + t_k p_k` with a strong Wolfe step
    (:math:`c_1 = 10^{-4}`, :math:`c_2 = 0.9`, first trial :math:`t = 1`).

    Parameters
    ----------
    f : callable
        ``f(x)`` returns :math:`f(x)`, or ``(f(x), ∇f(x))`` if ``grad=True``.
    grad : callable or True
        ``grad(x)`` returns :math:`\nabla f(x)`; ``True`` if ``f`` returns both.
    x0 : array_like, shape (d,)
        Starting point (``float32`` kept).
    memory : int, default=10
        Number :math:`m \ge 1` of stored pairs.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=1e-8
        Stop when :math:`\|\nabla f(x_k)\|_2 \le` ``tol``.
    callback : callable, optional
        ``callback(x_k)`` after each iteration.

    Returns
    -------
    scipy.optimize.OptimizeResult
        With ``fun``, ``jac``, ``nfev``, ``njev``.

    Notes
    -----
    On strongly convex functions L-BFGS converges linearly
    :cite:p:`liu1989`; in practice it needs far fewer iterations than
    gradient descent for the same oracle, at :math:`O(md)` extra work and
    memory per iteration.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.second_order import lbfgs
    >>> from optbook.objectives import Quadratic
    >>> q = Quadratic.random(50, mu=1.0, L=1e3, rng=0)
    >>> res = lbfgs(q.value, q.grad, np.zeros(50), memory=5)
    >>> res.success, np.allclose(res.x, q.minimizer(), atol=1e-7)
    (True, True)
    """
    oracle = _check_f_grad(f, grad)
    x = _start(x0)
    memory = check_int(memory, "memory", minimum=1)
    loop = Loop(max_iter, tol, callback)
    fx, g = oracle(x)
    S, Y, rhos = [], [], []
    gamma = None
    for k in loop:
        if loop.converged(norm(g)):
            break
        if gamma is None:
            p = -g
            step0 = 1.0 / max(norm(g), 1e-300)  # first step of unit length, as L-BFGS-B
        else:
            p = -_two_loop(g, S, Y, rhos, gamma)
            step0 = 1.0
        found = _line_search(oracle, x, fx, g, p, step0)
        if found is None:
            loop.stop(4)
            break
        t, f_new, (x_new, g_new) = found
        s, y = x_new - x, g_new - g
        sy = float(np.vdot(s, y))
        if sy > 1e-12 * norm(s) * norm(y):  # > 0 under strong Wolfe, not after zoom's fallback
            if len(S) == memory:
                S.pop(0), Y.pop(0), rhos.pop(0)
            S.append(s), Y.append(y), rhos.append(1.0 / sy)
            gamma = sy / float(np.vdot(y, y))
        x_acc = loop.accept(x, x_new)
        if x_acc is x:
            break
        x, fx, g = x_new, f_new, g_new
    return loop.result(x, fun=fx, jac=g, nfev=oracle.nfev, njev=oracle.njev)


# --------------------------------------------------------------------------
# nonlinear least squares
# --------------------------------------------------------------------------


def _residual_oracles(residual, jacobian, x0):
    residual = check_callable(residual, "residual")
    jacobian = check_callable(jacobian, "jacobian")
    x = _start(x0)

    def r_of(z):
        r = np.asarray(residual(z))
        if r.ndim != 1 or r.size == 0:
            raise ValueError(f"residual(x) must return a non-empty 1-D array, got shape {r.shape}")
        return r

    def J_of(z, m):
        J = jacobian(z)
        J = J if sp.issparse(J) else np.asarray(J)
        if J.shape != (m, z.size):
            raise ValueError(f"jacobian(x) must return a ({m}, {z.size}) matrix, got shape {J.shape}")
        return J

    return r_of, J_of, x


def _half_sq(r):
    return 0.5 * float(np.vdot(r, r))


def gauss_newton(residual, jacobian, x0, max_iter=100, tol=1e-10, line_search=True,
                 callback=None):
    r"""Gauss–Newton for :math:`\min_x \tfrac12\|r(x)\|^2`.

    The step linearizes the residual, :math:`r(x + p) \approx r(x) + J(x)p`, and
    solves the linear least-squares problem

    .. math::

        p_k \in \argmin_p \|J(x_k)p + r(x_k)\|^2, \qquad x_{k+1} = x_k + t_k p_k,

    that is, Newton's method with the Hessian
    :math:`J^\top J + \sum_i r_i\nabla^2 r_i` replaced by :math:`J^\top J`.
    :math:`t_k = 1` or, with ``line_search=True``, Armijo backtracking on
    :math:`\frac12\|r\|^2`.

    Parameters
    ----------
    residual : callable
        ``residual(x)`` returns :math:`r(x) \in \R^m`.
    jacobian : callable
        ``jacobian(x)`` returns :math:`J(x) \in \R^{m\times d}` (dense or sparse).
    x0 : array_like, shape (d,)
        Starting point.
    max_iter : int, default=100
        Maximum number of iterations.
    tol : float, default=1e-10
        Stop when :math:`\|J(x_k)^\top r(x_k)\|_2 \le` ``tol`` (the gradient).
    line_search : bool, default=True
        Backtracking (factor 1/2, Armijo parameter :math:`10^{-4}`).
    callback : callable, optional
        ``callback(x_k)`` after each iteration.

    Returns
    -------
    scipy.optimize.OptimizeResult
        With ``fun`` (:math:`\frac12\|r\|^2`), ``fun_residual`` (:math:`r`),
        ``jac`` (the gradient :math:`J^\top r`), ``nfev``, ``njev``.

    Notes
    -----
    Near a solution with :math:`J` of full column rank, the convergence is
    quadratic for zero-residual problems and linear, with a rate that grows
    with the residual and the curvature of :math:`r`, otherwise
    (:cite:t:`nocedal2006`, Section 10.3).
    """
    r_of, J_of, x = _residual_oracles(residual, jacobian, x0)
    loop = Loop(max_iter, tol, callback)
    r = r_of(x)
    F = _half_sq(r)
    nfev, njev, g = 1, 0, None
    for k in loop:
        J = J_of(x, r.size)
        njev += 1
        g = J.T @ r
        if loop.converged(norm(g)):
            break
        if sp.issparse(J):
            p = -scipy.sparse.linalg.lsqr(J, r, atol=1e-14, btol=1e-14)[0]
        else:
            p = -scipy.linalg.lstsq(J, r, check_finite=False)[0]
        t = 1.0
        while True:
            r_new = r_of(x + t * p)
            nfev += 1
            F_new = _half_sq(r_new)
            if not line_search or F_new <= F + 1e-4 * t * float(np.vdot(g, p)):
                break
            t *= 0.5
            if t < 1e-20:
                loop.stop(4)
                break
        if loop.stopped:
            break
        x_new = loop.accept(x, x + t * p)
        if x_new is x:
            break
        x, r, F = x_new, r_new, F_new
    return loop.result(x, fun=F, fun_residual=r, jac=g, nfev=nfev, njev=njev)


def levenberg_marquardt(residual, jacobian, x0, damping=1e-3, max_iter=100, tol=1e-10,
                        callback=None):
    r"""Levenberg–Marquardt for :math:`\min_x \tfrac12\|r(x)\|^2`.

    The step solves the regularized Gauss–Newton system

    .. math::

        (J_k^\top J_k + \nu_k I)\,p_k = -J_k^\top r(x_k),

    which interpolates between Gauss–Newton (:math:`\nu \to 0`) and a short
    gradient step (:math:`\nu \to \infty`). The gain ratio
    :math:`\rho_k = (F(x_k) - F(x_k + p_k)) / (m_k(0) - m_k(p_k))` of the
    actual to the predicted decrease of :math:`F = \frac12\|r\|^2` decides:
    if :math:`\rho_k > 0` the step is taken and
    :math:`\nu_{k+1} = \nu_k\max(1/3, 1 - (2\rho_k - 1)^3)`; otherwise
    :math:`x_{k+1} = x_k` and :math:`\nu` is multiplied by :math:`2, 4, 8, \dots`
    (Nielsen's rule :cite:p:`madsen2004`).

    Parameters
    ----------
    residual : callable
        ``residual(x)`` returns :math:`r(x) \in \R^m`.
    jacobian : callable
        ``jacobian(x)`` returns :math:`J(x)`, dense (an ``(m, d)`` array).
    x0 : array_like, shape (d,)
        Starting point.
    damping : float, default=1e-3
        :math:`\nu_0` relative to :math:`\max_i (J_0^\top J_0)_{ii}`.
    max_iter : int, default=100
        Maximum number of iterations (rejected steps count).
    tol : float, default=1e-10
        Stop when :math:`\|J(x_k)^\top r(x_k)\|_2 \le` ``tol``.
    callback : callable, optional
        ``callback(x_k)`` after each iteration (rejected steps repeat
        :math:`x_k`).

    Returns
    -------
    scipy.optimize.OptimizeResult
        With ``fun``, ``fun_residual``, ``jac``, ``nfev``, ``njev``.

    Notes
    -----
    This is a trust-region method in disguise: :math:`p_k` minimizes the
    Gauss–Newton model over a ball whose radius decreases with :math:`\nu_k`
    (:cite:t:`nocedal2006`, Section 10.3), hence global convergence to
    stationary points without a line search :cite:p:`levenberg1944,marquardt1963`.
    """
    r_of, J_of, x = _residual_oracles(residual, jacobian, x0)
    damping = check_positive(damping, "damping")
    loop = Loop(max_iter, tol, callback)
    r = r_of(x)
    F = _half_sq(r)
    nfev, njev = 1, 0
    J = J_of(x, r.size)
    if sp.issparse(J):
        J = J.toarray()
    njev += 1
    g = J.T @ r
    JtJ = J.T @ J
    nu, factor = damping * max(float(np.max(np.diag(JtJ))), 1e-300), 2.0
    for k in loop:
        if loop.converged(norm(g)):
            break
        A = JtJ + nu * np.eye(x.size, dtype=x.dtype)  # float32 kept
        try:
            p = -scipy.linalg.solve(A, g, assume_a="pos", check_finite=False)
        except scipy.linalg.LinAlgError:
            loop.stop(2)
            break
        predicted = -float(np.vdot(g, p)) - 0.5 * float(np.vdot(p, JtJ @ p))   # m(0) - m(p) > 0
        x_try = x + p
        r_try = r_of(x_try)
        nfev += 1
        F_try = _half_sq(r_try)
        rho = (F - F_try) / predicted if predicted > 0 else -1.0
        # at the resolution of F, a step that does not increase F is taken
        flat = F_try <= F + 8 * np.finfo(float).eps * F and predicted <= 8 * np.finfo(float).eps * F
        if (rho > 0 or flat) and math.isfinite(F_try):
            rho = max(rho, 0.0)
            x_new = loop.accept(x, x_try)
            if x_new is x:
                break
            x, r, F = x_new, r_try, F_try
            J = J_of(x, r.size)
            if sp.issparse(J):
                J = J.toarray()
            njev += 1
            g, JtJ = J.T @ r, J.T @ J
            nu *= max(1 / 3, 1 - (2 * rho - 1) ** 3)
            factor = 2.0
        else:
            nu *= factor
            factor *= 2.0
            if not math.isfinite(nu):
                loop.stop(4)
                break
            loop.accept(x, x)
    return loop.result(x, fun=F, fun_residual=r, jac=g, nfev=nfev, njev=njev)
