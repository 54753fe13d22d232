r"""Small numerical tools used by several chapters: timing and power iteration.

* :func:`best_time`: the best time of a call, in seconds, with ``timeit``;
* :func:`power_iteration`: the eigenvalue of largest magnitude of a linear
  map given only by its products :math:`v \mapsto Mv` (a Hessian through
  Hessian-vector products, a Gram matrix :math:`A^\top A` through two
  matrix-vector products), without forming the matrix.
"""

import math
import timeit

import numpy as np
from scipy.optimize import OptimizeResult

from ._solver import MESSAGES
from ._validation import as_array, check_callable, check_int, check_nonnegative

__all__ = ["best_time", "power_iteration"]


def best_time(fun, number=1, repeat=5, *, timer=None):
    r"""Best time of one call of ``fun``, in seconds.

    Runs ``repeat`` rounds of ``number`` calls each (``timeit.repeat``)
    and returns the smallest round time divided by ``number``. The minimum,
    not the mean, is the right summary of a timing: other programs on the
    machine only ever add time.

    Parameters
    ----------
    fun : callable
        Called without arguments, e.g. ``lambda: f.grad(x)``.
    number : int, default=1
        Calls per round (``>= 1``); more calls per round average out the
        timer's resolution for very short calls.
    repeat : int, default=5
        Number of rounds (``>= 1``).
    timer : callable, optional
        Clock, as for ``timeit.repeat``: ``time.perf_counter`` (wall
        clock, the default) or ``time.process_time`` (processor time of
        this process, less sensitive to other programs but counting every
        thread of a multithreaded BLAS).

    Returns
    -------
    float
        Seconds per call.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.tools import best_time
    >>> M = np.ones((100, 100))
    >>> t = best_time(lambda: M @ M, number=3, repeat=3)
    >>> 0 < t < 1
    True
    """
    fun = check_callable(fun, "fun")
    number = check_int(number, "number", minimum=1)
    repeat = check_int(repeat, "repeat", minimum=1)
    if timer is None:
        timer = timeit.default_timer
    else:
        check_callable(timer, "timer")
    return min(timeit.repeat(fun, number=number, repeat=repeat, timer=timer)) / number


def power_iteration(matvec, v0, n_iter=100, tol=0.0):
    r"""Power iteration: the eigenvalue of largest magnitude of a linear map.

    With :math:`v_0` the normalized starting vector, each iteration computes

    .. math::

        w_k = M v_k, \qquad \lambda_k = \langle v_k, w_k\rangle, \qquad
        v_{k+1} = w_k / \|w_k\|,

    one product with :math:`M` per iteration. :math:`\lambda_k` is the
    Rayleigh quotient of the unit vector :math:`v_k`.

    Parameters
    ----------
    matvec : callable
        ``matvec(v)`` returns :math:`Mv`, an array shaped like ``v``. For a
        Hessian: ``lambda v: optbook.autodiff.hvp(f, x, v)``.
    v0 : array_like
        Starting vector, nonzero (a random one is safest); any shape, the
        inner product being that of the flattened arrays. ``float32`` is kept.
    n_iter : int, default=100
        Maximum number of iterations (products with :math:`M`), ``>= 1``.
    tol : float, default=0.0
        Stop when the residual :math:`\|Mv_k - \lambda_k v_k\| \le`
        ``tol`` :math:`\cdot|\lambda_k|`; ``0`` runs ``n_iter`` iterations.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``eigenvalue`` (:math:`\lambda_k`, a float), ``x`` (the unit vector
        :math:`v_k` it belongs to, in ``v0``'s dtype), ``nit`` (products
        computed), ``residual`` (:math:`\|Mv_k - \lambda_k v_k\|`),
        ``estimates`` (:math:`\lambda_0, \dots, \lambda_k`), ``success``,
        ``status`` (0: ``tol`` reached, 1: ``n_iter`` reached, 2: a product
        was not finite, 5: ``matvec(v) = 0``) and ``message``.

    Notes
    -----
    Let :math:`M` be symmetric with eigenvalues ordered by magnitude,
    :math:`|\lambda_1| > |\lambda_2| \ge \dots`, and let :math:`v_0` have a
    nonzero component on the eigenvector of :math:`\lambda_1`. Then
    :math:`\lambda_k \to \lambda_1`, the eigenvalue of largest *absolute
    value* (which may be negative: for a nonconvex loss the estimate of the
    "sharpness" can be the most negative curvature), with an error
    :math:`O\big((\lambda_2/\lambda_1)^{2k}\big)`, and :math:`\pm v_k`
    converges to its eigenvector at the rate :math:`|\lambda_2/\lambda_1|^k`
    (see Golub and Van Loan, *Matrix Computations*, on the power method). When :math:`\lambda_1` and :math:`-\lambda_1` are both
    eigenvalues the iteration does not converge; shift the map
    (:math:`M + \sigma I`) or use a Lanczos method
    (:func:`scipy.sparse.linalg.eigsh`). For a positive semidefinite
    :math:`M` (the Hessian of a convex function) the limit is
    :math:`\lambda_{\max}`, the local smoothness constant.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.tools import power_iteration
    >>> M = np.diag([3.0, -1.0, 0.5])
    >>> res = power_iteration(lambda v: M @ v, np.ones(3), n_iter=200, tol=1e-12)
    >>> round(res.eigenvalue, 10), res.success
    (3.0, True)
    """
    matvec = check_callable(matvec, "matvec")
    v = as_array(v0, "v0")
    n_iter = check_int(n_iter, "n_iter", minimum=1)
    tol = check_nonnegative(tol, "tol")
    if v.ndim == 0:
        raise ValueError("v0 must be an array with at least one dimension, got a 0-d array")
    if v.size == 0:
        raise ValueError("v0 must have at least one entry, got an empty array")
    norm0 = _norm(v)
    if norm0 == 0.0:
        raise ValueError("v0 must be nonzero")
    v = v / v.dtype.type(norm0)

    estimates, status, message = [], 1, None
    lam, residual, x, nit = math.nan, math.inf, v, 0
    for k in range(n_iter):
        w = np.asarray(matvec(v), dtype=v.dtype)
        nit = k + 1
        if w.shape != v.shape:
            raise ValueError(f"matvec(v) must return an array of shape {v.shape}, "
                             f"got shape {w.shape}")
        if not np.all(np.isfinite(w)):
            status = 2
            message = ("matvec(v) returned NaN or infinite entries; the result is the "
                       "last finite estimate.")
            break
        lam = float(np.vdot(v, w).real)
        estimates.append(lam)
        x, residual = v, _norm(w - v.dtype.type(lam) * v)
        norm_w = _norm(w)
        if norm_w == 0.0:
            status = 5
            message = ("matvec(v) = 0: v is in the kernel of the map (eigenvalue 0); "
                       "restart from another v0 to find the largest eigenvalue.")
            break
        if tol > 0 and residual <= tol * abs(lam):
            status = 0
            break
        v = w / w.dtype.type(norm_w)

    success = status == 0 or (status == 1 and tol == 0)
    if status == 1 and tol > 0:
        message = f"Reached n_iter={n_iter} iterations before the residual fell below tol."
    return OptimizeResult(eigenvalue=lam, x=x, nit=nit, residual=residual,
                          estimates=np.array(estimates), success=success, status=status,
                          message=message or MESSAGES[status])


def _norm(v):
    return math.sqrt(float(np.vdot(v, v).real))
