r"""Implicit differentiation of solution maps and hypergradients.

A solution map :math:`\theta \mapsto x^\star(\theta)` is defined by an
optimality condition :math:`F(x^\star(\theta), \theta) = 0` (a gradient, a
fixed-point residual). Where :math:`\partial_x F` is invertible the implicit
function theorem gives

.. math::

    \partial_\theta x^\star(\theta) = -\big(\partial_x F\big)^{-1}\partial_\theta F,
    \qquad
    v^\top \partial_\theta x^\star = -u^\top \partial_\theta F
    \quad\text{with}\quad (\partial_x F)^\top u = v,

so a vector-Jacobian product costs one linear system with
:math:`(\partial_x F)^\top` and one vector-Jacobian product of :math:`F`, whatever
the number of hyperparameters (:func:`implicit_vjp`). ``F`` is written with
:mod:`optbook.autodiff` operations, including the nonsmooth ones
(:func:`~optbook.autodiff.abs`, :func:`~optbook.autodiff.maximum`,
:func:`~optbook.autodiff.sign`, :func:`~optbook.autodiff.relu`). For
programs of locally Lipschitz, path differentiable operations the Jacobians
are conservative Jacobians (``sign`` is not Lipschitz: for
:func:`soft_threshold` the returned derivative is checked directly to be an
element of the Clarke Jacobian), and the formula is justified by the
nonsmooth implicit function theorem of :cite:t:`bolte2021nonsmooth` when every
element of the conservative Jacobian at the point has an invertible
:math:`x`-block.

The module also has the hypergradients of the chapter (:func:`hypergradient`,
:func:`ridge_hypergradient`, :func:`lasso_hypergradient`, the latter following
:cite:t:`bertrand2020`), the Lasso fixed-point residual
:func:`lasso_fixed_point`, the autodiff soft-thresholding
:func:`soft_threshold`, and :func:`unrolled_vjp`, which differentiates
through the iterations of a solver instead.
"""

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import LinearOperator, cg, gmres

from . import autodiff as ad
from ._validation import (as_float_array, as_matrix, check_callable, check_int,
                          check_positive)

__all__ = [
    "implicit_vjp",
    "hypergradient",
    "ridge_hypergradient",
    "lasso_hypergradient",
    "lasso_fixed_point",
    "soft_threshold",
    "unrolled_vjp",
    "unrolled_jacobian",
]

_SOLVERS = ("auto", "dense", "cg", "gmres")
_DENSE_MAX = 1000  # "auto" builds the dense Jacobian up to this dimension


def _check_theta(theta):
    theta = as_float_array(theta, "theta")
    if theta.ndim != 1:
        raise ValueError(
            f"theta must be a 1-D array (a scalar hyperparameter is a 1-element "
            f"array such as np.array([lam])), got shape {theta.shape}")
    return theta


def _check_residual(F, x_star, theta):
    out = F(x_star, theta)
    out = np.asarray(out, dtype=float)
    if out.shape != x_star.shape:
        raise ValueError(f"F(x_star, theta) must have the shape of x_star, "
                         f"{x_star.shape}, got {out.shape}")
    if not np.all(np.isfinite(out)):
        raise ValueError("F(x_star, theta) has NaN or infinite entries")
    return out


def _singular_message(smin, smax):
    return (f"the Jacobian of F with respect to x is singular at x_star "
            f"(smallest singular value {smin:.3e}, largest {smax:.3e}): the implicit "
            f"function theorem does not apply, and the derivative of the solution map "
            f"may not exist (for the Lasso: the active columns are linearly dependent)")


def implicit_vjp(F, x_star, theta, v, solver="auto", tol=1e-10, max_iter=None):
    r"""Vector-Jacobian product of a solution map by implicit differentiation.

    At a root :math:`F(x^\star, \theta) = 0` with :math:`\partial_x F` invertible,

    .. math::

        v^\top \frac{\partial x^\star}{\partial\theta}
        = -v^\top (\partial_x F)^{-1}\partial_\theta F
        = -u^\top \partial_\theta F, \qquad (\partial_x F)^\top u = v.

    Parameters
    ----------
    F : callable
        ``F(x, theta)`` returns an array of the shape of ``x``, written with
        :mod:`optbook.autodiff` operations (so that it can be differentiated in
        both arguments). Nonsmooth operations give conservative Jacobians.
    x_star : array_like, shape (d,)
        A root of ``F(., theta)`` (the result is exact for the root given: an
        approximate solution gives the derivative of the map at that point).
    theta : array_like, shape (p,)
        The hyperparameters; a scalar hyperparameter is a 1-element array.
    v : array_like, shape (d,)
        The cotangent, typically the gradient of an outer loss at ``x_star``.
    solver : {"auto", "dense", "cg", "gmres"}, default="auto"
        ``"dense"`` builds :math:`\partial_x F` with
        :func:`optbook.autodiff.jacobian` (:math:`d` backward passes) and
        solves with LU: exact to rounding. ``"cg"`` (for symmetric positive
        definite :math:`\partial_x F`, e.g. :math:`F = \nabla_x f` with
        :math:`f` strongly convex) and ``"gmres"`` (any invertible
        :math:`\partial_x F`) solve :math:`(\partial_x F)^\top u = v` with
        :mod:`scipy.sparse.linalg`, through a
        :class:`~scipy.sparse.linalg.LinearOperator` whose product is one
        backward pass of the recorded graph of ``F``: no matrix is formed.
        ``"auto"`` is ``"dense"`` up to ``d = 1000`` and ``"gmres"`` above.
    tol : float, default=1e-10
        Relative residual tolerance of the iterative solvers.
    max_iter : int, optional
        Iteration cap of the iterative solvers (default ``10 d``).

    Returns
    -------
    numpy.ndarray, shape (p,)
        :math:`v^\top \partial_\theta x^\star(\theta)`.

    Raises
    ------
    ValueError
        On bad input, or when :math:`\partial_x F` is numerically singular
        (dense solver): the hypothesis of the implicit function theorem fails.
    RuntimeError
        When an iterative solver does not reach ``tol`` within ``max_iter``.

    Notes
    -----
    The cost is that of one linear system in dimension :math:`d` plus one
    backward pass through ``F``, independent of the number :math:`p` of
    hyperparameters (the adjoint method). For nonsmooth ``F`` the result is
    an element of the conservative Jacobian of the solution map when every
    element of the conservative Jacobian of ``F`` at the point has an
    invertible :math:`x`-block :cite:p:`bolte2021nonsmooth`. See
    :cite:t:`blondel2022` for this design (optimality condition plus autodiff).

    Examples
    --------
    Ridge regression, :math:`F(x, \lambda) = A^\top(Ax - b)/n + \lambda x`:

    >>> import numpy as np
    >>> import optbook.autodiff as ad
    >>> from optbook.implicit import implicit_vjp
    >>> rng = np.random.default_rng(0)
    >>> A, b = rng.standard_normal((20, 3)), rng.standard_normal(20)
    >>> F = lambda x, th: A.T @ (A @ x - b) / 20 + th[0] * x
    >>> H = A.T @ A / 20 + 0.1 * np.eye(3)
    >>> x = np.linalg.solve(H, A.T @ b / 20)
    >>> g = implicit_vjp(F, x, np.array([0.1]), np.ones(3))
    >>> bool(np.allclose(g, -np.ones(3) @ np.linalg.solve(H, x)))
    True
    """
    check_callable(F, "F")
    x_star = as_float_array(x_star, "x_star", ndim=1)
    theta = _check_theta(theta)
    v = as_float_array(v, "v", ndim=1)
    if v.shape != x_star.shape:
        raise ValueError(f"v must have the shape of x_star, {x_star.shape}, got {v.shape}")
    if not isinstance(solver, str) or solver not in _SOLVERS:
        raise ValueError(f"solver must be one of {_SOLVERS}, got {solver!r}")
    tol = check_positive(tol, "tol")
    d = x_star.size
    if max_iter is None:
        max_iter = 10 * max(d, 1)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    _check_residual(F, x_star, theta)
    if solver == "auto":
        solver = "dense" if d <= _DENSE_MAX else "gmres"

    if solver == "dense":
        Jx = ad.jacobian(lambda x: F(x, theta), x_star)
        s = np.linalg.svd(Jx, compute_uv=False)
        if s.size and (s[-1] <= max(d, 1) * np.finfo(float).eps * s[0] or s[0] == 0):
            raise ValueError(_singular_message(s[-1], s[0]))
        u = np.linalg.solve(Jx.T, v)
    else:
        _, pullback = ad.vjp(lambda x: F(x, theta), x_star)  # graph recorded once
        op = LinearOperator((d, d), matvec=lambda w: pullback(np.ravel(w)), dtype=float)
        method = cg if solver == "cg" else gmres
        u, info = method(op, v, rtol=tol, atol=0.0, maxiter=max_iter)
        if info != 0:
            raise RuntimeError(
                f"{solver} did not reach tol={tol:g} in {max_iter} iterations "
                f"(info={info}); for a nonsymmetric or indefinite Jacobian use "
                f"solver='gmres' or 'dense'")
        res = np.linalg.norm(pullback(u) - v)
        if not np.isfinite(res):
            raise RuntimeError(f"{solver} returned a non-finite solution")
    _, pull_theta = ad.vjp(lambda th: F(x_star, th), theta)
    return -np.asarray(pull_theta(u), dtype=float).reshape(theta.shape)


def hypergradient(inner_solution, F, outer_grad, theta, solver="auto"):
    r"""Gradient of :math:`h(\theta) = \ell(x^\star(\theta))` by implicit differentiation.

    .. math::

        \nabla h(\theta) = -(\partial_\theta F)^\top u, \qquad
        (\partial_x F)^\top u = \nabla\ell(x^\star(\theta)),

    at :math:`x^\star(\theta)` = ``inner_solution(theta)``, a root of ``F(., theta)``.

    Parameters
    ----------
    inner_solution : callable
        ``inner_solution(theta)`` returns :math:`x^\star(\theta)`, shape (d,)
        (any solver: only the solution is used, not its iterations).
    F : callable
        Optimality condition ``F(x, theta)``, written with
        :mod:`optbook.autodiff` operations; see :func:`implicit_vjp`.
    outer_grad : callable
        ``outer_grad(x)`` returns :math:`\nabla\ell(x)`, shape (d,).
    theta : array_like, shape (p,)
        Hyperparameters.
    solver : str, default="auto"
        Linear solver, see :func:`implicit_vjp`.

    Returns
    -------
    numpy.ndarray, shape (p,)
        :math:`\nabla h(\theta)`.
    """
    check_callable(inner_solution, "inner_solution")
    check_callable(F, "F")
    check_callable(outer_grad, "outer_grad")
    theta = _check_theta(theta)
    x_star = as_float_array(inner_solution(theta), "inner_solution(theta)", ndim=1)
    g = as_float_array(outer_grad(x_star), "outer_grad(x)", ndim=1)
    if g.shape != x_star.shape:
        raise ValueError(f"outer_grad(x) must have the shape of x, {x_star.shape}, "
                         f"got {g.shape}")
    return implicit_vjp(F, x_star, theta, g, solver=solver)


def _dense(A):
    return A.toarray() if sp.issparse(A) else A


def _check_problem(A, b, lam, A_val, b_val, positive_lam=True):
    A = as_matrix(A, "A")
    b = as_float_array(b, "b", ndim=1)
    if b.shape[0] != A.shape[0]:
        raise ValueError(f"b must have {A.shape[0]} entries (rows of A), got {b.shape[0]}")
    lam = check_positive(lam, "lam")
    A_val = as_matrix(A_val, "A_val")
    b_val = as_float_array(b_val, "b_val", ndim=1)
    if A_val.shape[1] != A.shape[1]:
        raise ValueError(f"A_val must have {A.shape[1]} columns (those of A), "
                         f"got {A_val.shape[1]}")
    if b_val.shape[0] != A_val.shape[0]:
        raise ValueError(f"b_val must have {A_val.shape[0]} entries (rows of A_val), "
                         f"got {b_val.shape[0]}")
    return A, b, lam, A_val, b_val


def _validation_loss(A_val, b_val, x):
    r = A_val @ x - b_val
    return 0.5 * float(r @ r) / b_val.size, A_val.T @ r / b_val.size


def ridge_hypergradient(A, b, lam, A_val, b_val):
    r"""Validation loss of ridge regression and its derivative in :math:`\lambda`.

    With :math:`x^\star(\lambda) = \argmin_x \frac1{2n}\|Ax - b\|^2 + \frac\lambda2\|x\|^2`,
    that is :math:`(A^\top A/n + \lambda I)x^\star = A^\top b/n`, and
    :math:`h(\lambda) = \frac1{2n_v}\|A_v x^\star(\lambda) - b_v\|^2`,

    .. math::

        \frac{dx^\star}{d\lambda} = -(A^\top A/n + \lambda I)^{-1}x^\star,\qquad
        h'(\lambda) = -\nabla\ell(x^\star)^\top (A^\top A/n + \lambda I)^{-1} x^\star .

    Parameters
    ----------
    A : array_like or scipy.sparse matrix, shape (n, d)
        Training design.
    b : array_like, shape (n,)
        Training targets.
    lam : float
        Regularization :math:`\lambda > 0`.
    A_val : array_like or scipy.sparse matrix, shape (n_v, d)
        Validation design.
    b_val : array_like, shape (n_v,)
        Validation targets.

    Returns
    -------
    value : float
        :math:`h(\lambda)`.
    grad : float
        :math:`h'(\lambda)`. For the log-parametrization
        :math:`\lambda = e^t`, :math:`dh/dt = \lambda h'(\lambda)`.
    x : numpy.ndarray, shape (d,)
        :math:`x^\star(\lambda)`.

    Notes
    -----
    One Cholesky factorization of the :math:`d\times d` matrix serves both the fit
    and the derivative: a hypergradient costs one fit.
    """
    A, b, lam, A_val, b_val = _check_problem(A, b, lam, A_val, b_val)
    n, d = A.shape
    H = _dense(A.T @ A) / n + lam * np.eye(d)
    c = _dense(A.T @ b) / n
    from scipy.linalg import cho_factor, cho_solve

    fac = cho_factor(H)
    x = cho_solve(fac, np.ravel(c))
    value, g = _validation_loss(A_val, b_val, x)
    return value, -float(np.ravel(g) @ cho_solve(fac, x)), x


def soft_threshold(z, t):
    r"""Soft-thresholding :math:`\operatorname{sign}(z)\max(|z| - t, 0)`, written with autodiff ops.

    The same values as :func:`optbook.prox.prox_l1`, but differentiable by
    :mod:`optbook.autodiff` in ``z`` and ``t`` (arrays, :class:`~optbook.autodiff.Var`
    or :class:`~optbook.autodiff.Dual`). With the conventions
    :math:`\operatorname{sign}' = 0` and :math:`\mathrm{relu}'(0) = 0`, its
    derivative is :math:`\mathbb 1[|z| > t]` in :math:`z` and
    :math:`-\operatorname{sign}(z)\mathbb 1[|z| > t]` in :math:`t`: at the kink
    :math:`|z| = t` the program returns the derivative of the branch
    :math:`0`, an element of the Clarke Jacobian. (``sign`` is not Lipschitz,
    so the general result on autodiff of Lipschitz programs does not cover
    this program; the claim follows from the product rule,
    :math:`\operatorname{sign}(z)^2\,\mathrm{relu}'(|z| - t) = \mathbb 1[|z| > t]`.)
    """
    return ad.sign(z) * ad.relu(ad.abs(z) - t)


def lasso_fixed_point(A, b, step):
    r"""The Lasso's proximal fixed-point residual, as a function ``F(x, theta)``.

    .. math::

        F(x, \lambda) = x - \prox_{\gamma\lambda\|\cdot\|_1}\big(x - \gamma A^\top(Ax - b)/n\big),

    with :math:`\theta = (\lambda,)`. For every :math:`\gamma > 0`,
    :math:`F(x, \lambda) = 0` exactly when :math:`x` minimizes
    :math:`\frac1{2n}\|Ax - b\|^2 + \lambda\|x\|_1`.

    Parameters
    ----------
    A : array_like or scipy.sparse matrix, shape (n, d)
    b : array_like, shape (n,)
    step : float
        :math:`\gamma > 0` (e.g. :math:`1/L`).

    Returns
    -------
    callable
        ``F(x, theta)``, written with :mod:`optbook.autodiff` operations
        (so :func:`implicit_vjp` differentiates it; the Jacobian it returns
        is an element of the Clarke Jacobian of ``F``, by the direct
        computation of :func:`soft_threshold`).

    Notes
    -----
    The :math:`d\times d` matrix :math:`A^\top A/n` is formed once (dense, also for
    a sparse ``A``): this residual is meant for the moderate :math:`d` of
    implicit differentiation with the dense or iterative solvers.

    At a solution, the conservative Jacobian of ``F`` has invertible
    :math:`x`-blocks if and only if the columns of :math:`A` in the
    equicorrelation set :math:`\{j : |A_j^\top(b - Ax)|/n = \lambda\}` are
    linearly independent, whatever :math:`\gamma > 0` (proposition
    ``prop-lasso-invertibility`` of the chapter on implicit differentiation).
    """
    A = as_matrix(A, "A")
    b = as_float_array(b, "b", ndim=1)
    if b.shape[0] != A.shape[0]:
        raise ValueError(f"b must have {A.shape[0]} entries (rows of A), got {b.shape[0]}")
    step = check_positive(step, "step")
    A = _dense(A)
    n = A.shape[0]
    AtA, Atb = A.T @ A / n, A.T @ b / n

    def F(x, theta):
        z = x - step * (AtA @ x - Atb)
        return x - soft_threshold(z, step * theta[0])

    return F


def lasso_hypergradient(A, b, lam, A_val, b_val, x_star=None, max_iter=20000, tol=1e-12):
    r"""Validation loss of the Lasso and its derivative in :math:`\lambda`, on the support.

    With :math:`x^\star(\lambda) = \argmin_x \frac1{2n}\|Ax - b\|^2 + \lambda\|x\|_1`,
    support :math:`S` and signs :math:`s = \operatorname{sign}(x^\star_S)`,
    :cite:t:`bertrand2020` differentiate the solution on its support:

    .. math::

        \frac{dx^\star_S}{d\lambda} = -(A_S^\top A_S/n)^{-1} s,\qquad
        \frac{dx^\star_{S^c}}{d\lambda} = 0,

    valid when :math:`A_S` has full column rank and
    :math:`|A_j^\top(b - Ax^\star)|/n < \lambda` for :math:`j \notin S`; then
    :math:`h'(\lambda) = \nabla\ell(x^\star)_S^\top dx^\star_S/d\lambda`
    for :math:`h(\lambda) = \frac1{2n_v}\|A_v x^\star(\lambda) - b_v\|^2`.
    Only an :math:`|S|\times|S|` system is solved.

    Parameters
    ----------
    A, b, lam, A_val, b_val
        As in :func:`ridge_hypergradient` (here :math:`\lambda` multiplies
        the :math:`\ell_1` norm, as ``sklearn.linear_model.Lasso(alpha=lam)``).
    x_star : array_like, shape (d,), optional
        A Lasso solution (its exact zeros give the support). By default it is
        computed by :func:`optbook.first_order.fista` with gradient restart,
        step :math:`1/L`, stopped when the gradient mapping is below ``tol``.
    max_iter : int, default=20000
        Iteration cap of that solver.
    tol : float, default=1e-12
        Its tolerance.

    Returns
    -------
    value : float
        :math:`h(\lambda)`.
    grad : float
        :math:`h'(\lambda)` (``0.0`` when the support is empty).
    x : numpy.ndarray, shape (d,)
        :math:`x^\star(\lambda)`.
    """
    A, b, lam, A_val, b_val = _check_problem(A, b, lam, A_val, b_val)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    tol = check_positive(tol, "tol")
    n, d = A.shape
    if x_star is None:
        from .first_order import fista
        from .objectives import LeastSquares
        from .prox import prox_l1

        f = LeastSquares(A, b)
        res = fista(f.grad, lambda z, t: prox_l1(z, lam * t), np.zeros(d),
                    1.0 / f.lipschitz, max_iter=max_iter, tol=tol, restart="gradient")
        x = res.x
    else:
        x = as_float_array(x_star, "x_star", ndim=1)
        if x.shape != (d,):
            raise ValueError(f"x_star must have shape ({d},), got {x.shape}")
    value, g = _validation_loss(A_val, b_val, x)
    S = np.flatnonzero(x)
    if S.size == 0:
        return value, 0.0, x
    AS = _dense(A[:, S])
    HSS = AS.T @ AS / n
    s = np.linalg.svd(HSS, compute_uv=False)
    if s[-1] <= S.size * np.finfo(float).eps * s[0]:
        raise ValueError(_singular_message(s[-1], s[0]))
    dxS = -np.linalg.solve(HSS, np.sign(x[S]))
    return value, float(np.ravel(g)[S] @ dxS), x


def unrolled_vjp(update, x0, theta, v, n_iter, mode="reverse"):
    r"""Differentiate :math:`x_K(\theta)` through ``n_iter`` iterations of a solver.

    With :math:`x_{k+1} = T(x_k, \theta)` (``update``) from a fixed
    :math:`x_0`, the chain rule gives :math:`J_{k+1} = \partial_x T\, J_k +
    \partial_\theta T`, :math:`J_0 = 0`, for :math:`J_k = \partial x_k/\partial\theta`.

    Parameters
    ----------
    update : callable
        ``update(x, theta)``, one iteration written with
        :mod:`optbook.autodiff` operations (e.g. a gradient step
        ``x - step * grad(x, theta)``, or an ISTA step with
        :func:`soft_threshold`).
    x0 : array_like, shape (d,)
        Starting point (independent of :math:`\theta`).
    theta : array_like, shape (p,)
        Hyperparameters.
    v : array_like, shape (d,)
        Cotangent.
    n_iter : int
        Number :math:`K \ge 0` of iterations.
    mode : {"reverse", "forward"}, default="reverse"
        ``"reverse"`` records the :math:`K` iterations and runs one backward
        pass: cost a small multiple of the :math:`K` iterations, memory
        :math:`O(Kd)` (every iterate is kept). ``"forward"`` propagates
        :math:`J_k v`-style tangents, one run per hyperparameter: memory
        :math:`O(d)` per direction, cost :math:`p` times the iterations.

    Returns
    -------
    x : numpy.ndarray, shape (d,)
        :math:`x_K`.
    vjp : numpy.ndarray, shape (p,)
        :math:`v^\top J_K = v^\top \partial x_K/\partial\theta`.

    Notes
    -----
    For ridge regression and gradient descent with step :math:`\gamma`, the
    error :math:`\|J_K - \partial x^\star/\partial\lambda\|` decays like
    :math:`K\rho^{K-1}`, :math:`\rho = \max(|1-\gamma\mu_\lambda|, |1-\gamma L_\lambda|)`:
    see the theorem ``thm-unrolled-ridge`` of the chapter on implicit
    differentiation, and :cite:t:`ablin2020` for general strongly convex problems.
    """
    check_callable(update, "update")
    x0 = as_float_array(x0, "x0", ndim=1)
    theta = _check_theta(theta)
    v = as_float_array(v, "v", ndim=1)
    if v.shape != x0.shape:
        raise ValueError(f"v must have the shape of x0, {x0.shape}, got {v.shape}")
    n_iter = check_int(n_iter, "n_iter", minimum=0)
    if mode not in ("reverse", "forward"):
        raise ValueError(f"mode must be 'reverse' or 'forward', got {mode!r}")

    def run(th):
        x = x0
        for _ in range(n_iter):
            x = update(x, th)
        return x

    if mode == "reverse":
        xK, pullback = ad.vjp(run, theta)
        xK = np.asarray(xK, dtype=float)
        if xK.shape != x0.shape:
            raise ValueError(f"update(x, theta) must return an array of shape {x0.shape}")
        return xK, np.asarray(pullback(v), dtype=float).reshape(theta.shape)
    out = np.empty(theta.shape)
    xK = None
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = 1.0
        xK, t = ad.jvp(run, theta, e)
        if t.shape != x0.shape:
            raise ValueError(f"update(x, theta) must return an array of shape {x0.shape}")
        out[j] = float(v @ t)
    if xK is None:
        xK = np.asarray(run(theta), dtype=float)
    return np.asarray(xK, dtype=float), out


def unrolled_jacobian(update, x0, theta, n_iter):
    r"""The full Jacobian :math:`J_K = \partial x_K/\partial\theta` of ``n_iter`` iterations, by forward mode.

    Same iterations as :func:`unrolled_vjp`; one forward pass (with a tangent
    :math:`e_j`) per hyperparameter, memory :math:`O(d)` per pass.

    Parameters
    ----------
    update : callable
        ``update(x, theta)``, one iteration written with :mod:`optbook.autodiff`
        operations.
    x0 : array_like, shape (d,)
        Starting point (independent of :math:`\theta`).
    theta : array_like, shape (p,)
        Hyperparameters.
    n_iter : int
        Number :math:`K \ge 0` of iterations.

    Returns
    -------
    x : numpy.ndarray, shape (d,)
        :math:`x_K`.
    jac : numpy.ndarray, shape (d, p)
        :math:`\partial x_K/\partial\theta` (zero for ``n_iter = 0``).
    """
    check_callable(update, "update")
    x0 = as_float_array(x0, "x0", ndim=1)
    theta = _check_theta(theta)
    n_iter = check_int(n_iter, "n_iter", minimum=0)

    def run(th):
        x = x0
        for _ in range(n_iter):
            x = update(x, th)
        return x

    cols, xK = [], x0
    for j in range(theta.size):
        e = np.zeros_like(theta)
        e[j] = 1.0
        xK, t = ad.jvp(run, theta, e)
        if t.shape != x0.shape:
            raise ValueError(f"update(x, theta) must return an array of shape {x0.shape}")
        cols.append(t)
    jac = np.column_stack(cols) if cols else np.zeros((x0.size, 0))
    return np.array(xK, dtype=float), jac
