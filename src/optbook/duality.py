r"""Duality in machine learning: duality gaps, coordinate descent and SDCA.

The Lasso
---------
The primal problem is

.. math::

    P(x) = \frac{1}{2n}\|Ax - b\|^2 + \lambda\|x\|_1 ,

and its Fenchel–Rockafellar dual, written in the scale of residuals
(:math:`u = n\lambda\theta`), is

.. math::

    D(u) = \frac1n\Big(\langle b, u\rangle - \frac12\|u\|^2\Big)
    \quad\text{subject to}\quad \|A^\top u\|_\infty \le n\lambda .

At a solution, :math:`u^\star = b - Ax^\star` (the residual). Any residual
:math:`r = b - Ax` is turned into a feasible dual point by the scaling
:math:`u = r\min(1, n\lambda/\|A^\top r\|_\infty)`, that is
:math:`\theta = r/\max(n\lambda, \|A^\top r\|_\infty)`; :func:`lasso_gap`
returns :math:`P(x) - D(u) \ge 0`.

Ridge-regularized linear models (SDCA)
--------------------------------------
:func:`sdca` solves :math:`\min_x \frac1n\sum_i\phi_i(a_i^\top x) +
\frac\lambda2\|x\|^2` through the dual
:math:`D(\alpha) = \frac1n\sum_i -\phi_i^*(-\alpha_i) - \frac\lambda2\|x(\alpha)\|^2`,
:math:`x(\alpha) = A^\top\alpha/(\lambda n)`.

Speed
-----
Both solvers update one coordinate at a time. Each update costs one column
(or row) of :math:`A`: a dot product and an update of the residual (or of
:math:`x`). The loops are written in plain Python and NumPy
(``_cd_epoch_dense``, ``_sdca_epoch_dense`` and their sparse twins),
and, when `numba <https://numba.pydata.org>`_ is installed, the same loops are
compiled (set the environment variable ``OPTBOOK_NO_NUMBA=1`` to use the
Python version).
"""

import math

import numpy as np
import scipy.sparse as sp

from ._solver import Loop
from ._validation import (
    as_array,
    as_matrix,
    check_int,
    check_nonnegative,
    check_positive,
    float_dtype,
)

__all__ = ["lasso_gap", "lasso_dual_point", "lasso_cd", "sdca", "sdca_gap", "HAVE_NUMBA"]

_LOSSES = ("hinge", "logistic", "squared")


# --------------------------------------------------------------------------
# validation helpers
# --------------------------------------------------------------------------
def _check_design(A, name="A"):
    if A is None or isinstance(A, (str, bytes)):
        raise TypeError(f"{name} must be a 2-D array or a scipy.sparse matrix, got {type(A).__name__}")
    A = as_matrix(A, name)
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one column, got shape {A.shape}")
    return A


def _check_target(b, n, name, dtype):
    b = as_array(b, name, ndim=1, dtype=dtype)
    if b.shape[0] != n:
        raise ValueError(f"{name} must have length {n} (the number of rows of A), got {b.shape[0]}")
    return b


def _check_x(x, d, name, dtype):
    x = as_array(x, name, ndim=1, dtype=dtype)
    if x.shape[0] != d:
        raise ValueError(f"{name} must have length {d} (the number of columns of A), got {x.shape[0]}")
    return x


def _matvec(A, x):
    return np.asarray(A @ x).ravel()


def _rmatvec(A, r):
    return np.asarray(A.T @ r).ravel()


# --------------------------------------------------------------------------
# the Lasso: duality gap
# --------------------------------------------------------------------------
def _lasso_dual_from_residual(A, r, nlam):
    """The feasible dual point ``u = r min(1, n lam / ||A^T r||_inf)`` and ``A^T u``."""
    c = _rmatvec(A, r)
    cmax = float(np.max(np.abs(c))) if c.size else 0.0
    scale = 1.0 if cmax <= nlam else nlam / cmax
    return r * scale, c * scale


def _lasso_dual_value(b, u, n):
    return (float(b @ u) - 0.5 * float(u @ u)) / n


def _lasso_gap_terms(x, r, u, Atu, lam, n):
    """``P(x) - D(u)`` written as a sum of two nonnegative terms.

    ``P(x) - D(u) = ||r - u||^2 / (2n) + (lam ||x||_1 - <x, A^T u> / n)``
    (expand the squares and use ``b - r = Ax``); the second term is
    nonnegative because ``||A^T u||_inf <= n lam``.
    """
    diff = r - u
    gap = 0.5 * float(diff @ diff) / n + (lam * float(np.abs(x).sum()) - float(x @ Atu) / n)
    return max(gap, 0.0)


def lasso_dual_point(A, b, lam, x):
    r"""The dual point built from the residual of ``x`` for the Lasso.

    Parameters
    ----------
    A : (n, d) array_like or scipy.sparse matrix
        Design matrix.
    b : (n,) array_like
        Targets.
    lam : float
        Regularization parameter :math:`\lambda > 0`.
    x : (d,) array_like
        Primal point.

    Returns
    -------
    numpy.ndarray
        :math:`\theta = (b - Ax)/\max(n\lambda, \|A^\top(b - Ax)\|_\infty)`,
        which satisfies :math:`\|A^\top\theta\|_\infty \le 1`; at a solution it
        is :math:`\theta^\star = (b - Ax^\star)/(n\lambda)`, the unique
        solution of the dual problem.
    """
    A = _check_design(A)
    n, d = A.shape
    dtype = float_dtype(A, b, x)
    b = _check_target(b, n, "b", dtype)
    x = _check_x(x, d, "x", dtype)
    lam = check_positive(lam, "lam")
    r = b - _matvec(A, x)
    c = _rmatvec(A, r)
    return r / max(n * lam, float(np.max(np.abs(c))))


def lasso_gap(A, b, lam, x):
    r"""Duality gap of the Lasso at ``x``, with the rescaled residual as dual point.

    The primal objective is :math:`P(x) = \frac{1}{2n}\|Ax - b\|^2 + \lambda\|x\|_1`
    (scikit-learn's ``Lasso(alpha=lam, fit_intercept=False)``), its dual
    :math:`D(\theta) = \frac{1}{2n}\|b\|^2 - \frac{n\lambda^2}{2}\|\theta - \frac{b}{n\lambda}\|^2`
    on :math:`\{\|A^\top\theta\|_\infty \le 1\}`, and the dual point is
    :math:`\theta = r/\max(n\lambda, \|A^\top r\|_\infty)` with :math:`r = b - Ax`.

    Parameters
    ----------
    A : (n, d) array_like or scipy.sparse matrix
        Design matrix.
    b : (n,) array_like
        Targets.
    lam : float
        Regularization parameter :math:`\lambda > 0`.
    x : (d,) array_like
        Primal point.

    Returns
    -------
    float
        :math:`P(x) - D(\theta) \ge 0`. By weak duality it bounds
        :math:`P(x) - P^\star`; it is ``0`` exactly when ``x`` is a solution
        (in particular at ``x = 0`` when :math:`\lambda \ge \|A^\top b\|_\infty/n`).

    Notes
    -----
    It is computed as :math:`\frac{1}{2n}\|r - n\lambda\theta\|^2 + \lambda\|x\|_1 - \langle x, A^\top\theta\rangle\lambda`,
    a sum of two nonnegative terms, which avoids cancellations near a
    solution. Cost: one product with :math:`A` and one with :math:`A^\top`.
    See :cite:p:`fercoq2015,massias2018`.
    """
    A = _check_design(A)
    n, d = A.shape
    dtype = float_dtype(A, b, x)
    b = _check_target(b, n, "b", dtype)
    x = _check_x(x, d, "x", dtype)
    lam = check_positive(lam, "lam")
    r = b - _matvec(A, x)
    u, Atu = _lasso_dual_from_residual(A, r, n * lam)
    return _lasso_gap_terms(x, r, u, Atu, lam, n)


# --------------------------------------------------------------------------
# the Lasso: coordinate descent epochs (readable Python, optionally compiled)
# --------------------------------------------------------------------------
def _cd_epoch_dense(A, r, x, sq_norms, nlam, order):
    """One pass of coordinate descent over the coordinates ``order`` (dense ``A``).

    For each ``j``: ``z = x_j + a_j^T r / ||a_j||^2``,
    ``x_j+ = soft(z, n lam / ||a_j||^2)``, ``r -= (x_j+ - x_j) a_j``.
    ``r`` and ``x`` are updated in place.
    """
    for j in order:
        if sq_norms[j] == 0.0:
            continue
        a = A[:, j]
        old = x[j]
        z = old + (a @ r) / sq_norms[j]
        t = nlam / sq_norms[j]
        new = math.copysign(max(abs(z) - t, 0.0), z)
        if new != old:
            r -= (new - old) * a
            x[j] = new


def _cd_epoch_sparse(indptr, indices, data, r, x, sq_norms, nlam, order):
    """The same pass for a CSC matrix given by ``indptr, indices, data``."""
    for j in order:
        if sq_norms[j] == 0.0:
            continue
        start, end = indptr[j], indptr[j + 1]
        rows, vals = indices[start:end], data[start:end]
        old = x[j]
        z = old + (vals @ r[rows]) / sq_norms[j]
        t = nlam / sq_norms[j]
        new = math.copysign(max(abs(z) - t, 0.0), z)
        if new != old:
            r[rows] -= (new - old) * vals
            x[j] = new


# --------------------------------------------------------------------------
# SDCA: one coordinate update per sample (readable Python, optionally compiled)
# --------------------------------------------------------------------------
_HINGE, _LOGISTIC, _SQUARED = 0, 1, 2


def _logistic_dual_step(u0, m, q):
    r"""Maximize :math:`h(u) = -u\log u - (1-u)\log(1-u) - (u - u_0)m - \frac q2(u - u_0)^2` on (0, 1).

    Safeguarded Newton on the decreasing function :math:`h'`: the bracket
    ``[lo, hi]`` of the root shrinks at every step, and a Newton step that
    leaves it is replaced by bisection. The run stops when the Newton step
    itself is negligible (tested before the safeguard: a converged step can
    round onto the end of the bracket, and bisecting then would move far from
    the root) or when the bracket is.
    """
    lo, hi = 0.0, 1.0
    u = min(max(u0, 1e-12), 1.0 - 1e-12)
    for _ in range(80):
        g = math.log((1.0 - u) / u) - m - q * (u - u0)
        if g == 0.0:
            break
        if g > 0.0:
            lo = u
        else:
            hi = u
        step = g / (1.0 / (u * (1.0 - u)) + q)
        if abs(step) <= 1e-15 + 1e-13 * u * (1.0 - u):
            u += step
            break
        new = u + step
        if not (lo < new < hi):
            new = 0.5 * (lo + hi)
        u = new
        if hi - lo <= 1e-15:
            break
    return min(max(u, 1e-300), 1.0 - 1e-16)


def _sdca_delta(loss, yi, ai_x, alpha_i, q):
    """The exact (or Newton) maximizer ``delta`` of the dual along coordinate ``i``.

    ``q = ||a_i||^2 / (lam n)``; the dual increase along ``i`` is a 1-D
    concave problem in ``alpha_i + delta``.
    """
    if loss == _SQUARED:
        return (yi - ai_x - alpha_i) / (1.0 + q)
    if q == 0.0:
        # a zero sample: its dual variable does not move x
        if loss == _HINGE:
            return yi - alpha_i  # alpha_i y_i = 1 maximizes alpha_i y_i on [0, 1]
        return 0.5 * yi - alpha_i  # maximizer of the entropy term
    if loss == _HINGE:
        u = yi * alpha_i + (1.0 - yi * ai_x) / q
        u = min(max(u, 0.0), 1.0)
        return yi * u - alpha_i
    u = _logistic_dual_step(yi * alpha_i, yi * ai_x, q)
    return yi * u - alpha_i


def _sdca_epoch_dense(A, y, alpha, x, sq_norms, lam_n, loss, order):
    """One pass of SDCA over the samples ``order`` (dense ``A``), in place.

    For each ``i``: ``delta = argmax`` of the dual along ``alpha_i``,
    ``alpha_i += delta``, ``x += delta a_i / (lam n)``.
    """
    for i in order:
        a = A[i]
        delta = _sdca_delta(loss, y[i], a @ x, alpha[i], sq_norms[i] / lam_n)
        if delta != 0.0:
            alpha[i] += delta
            x += (delta / lam_n) * a


def _sdca_epoch_sparse(indptr, indices, data, y, alpha, x, sq_norms, lam_n, loss, order):
    """The same pass for a CSR matrix given by ``indptr, indices, data``."""
    for i in order:
        start, end = indptr[i], indptr[i + 1]
        cols, vals = indices[start:end], data[start:end]
        delta = _sdca_delta(loss, y[i], vals @ x[cols], alpha[i], sq_norms[i] / lam_n)
        if delta != 0.0:
            alpha[i] += delta
            x[cols] += (delta / lam_n) * vals


# --------------------------------------------------------------------------
# compiled versions (numba), used when available
# --------------------------------------------------------------------------
from ._numba import HAVE_NUMBA, njit as _numba_njit

if HAVE_NUMBA:  # pragma: no cover - exercised when numba is installed
    _njit = _numba_njit

    @_njit
    def _cd_epoch_dense_nb(A, r, x, sq_norms, nlam, order):
        n = A.shape[0]
        for jj in range(order.shape[0]):
            j = order[jj]
            if sq_norms[j] == 0.0:
                continue
            dot = 0.0
            for i in range(n):
                dot += A[i, j] * r[i]
            old = x[j]
            z = old + dot / sq_norms[j]
            t = nlam / sq_norms[j]
            new = max(abs(z) - t, 0.0)
            if z < 0:
                new = -new
            if new != old:
                delta = new - old
                for i in range(n):
                    r[i] -= delta * A[i, j]
                x[j] = new

    @_njit
    def _cd_epoch_sparse_nb(indptr, indices, data, r, x, sq_norms, nlam, order):
        for jj in range(order.shape[0]):
            j = order[jj]
            if sq_norms[j] == 0.0:
                continue
            dot = 0.0
            for p in range(indptr[j], indptr[j + 1]):
                dot += data[p] * r[indices[p]]
            old = x[j]
            z = old + dot / sq_norms[j]
            t = nlam / sq_norms[j]
            new = max(abs(z) - t, 0.0)
            if z < 0:
                new = -new
            if new != old:
                delta = new - old
                for p in range(indptr[j], indptr[j + 1]):
                    r[indices[p]] -= delta * data[p]
                x[j] = new

    _logistic_dual_step_nb = _njit(_logistic_dual_step)

    @_njit
    def _sdca_delta_nb(loss, yi, ai_x, alpha_i, q):
        if loss == 2:
            return (yi - ai_x - alpha_i) / (1.0 + q)
        if q == 0.0:
            if loss == 0:
                return yi - alpha_i
            return 0.5 * yi - alpha_i
        if loss == 0:
            u = yi * alpha_i + (1.0 - yi * ai_x) / q
            u = min(max(u, 0.0), 1.0)
            return yi * u - alpha_i
        u = _logistic_dual_step_nb(yi * alpha_i, yi * ai_x, q)
        return yi * u - alpha_i

    @_njit
    def _sdca_epoch_dense_nb(A, y, alpha, x, sq_norms, lam_n, loss, order):
        d = A.shape[1]
        for ii in range(order.shape[0]):
            i = order[ii]
            dot = 0.0
            for j in range(d):
                dot += A[i, j] * x[j]
            delta = _sdca_delta_nb(loss, y[i], dot, alpha[i], sq_norms[i] / lam_n)
            if delta != 0.0:
                alpha[i] += delta
                c = delta / lam_n
                for j in range(d):
                    x[j] += c * A[i, j]

    @_njit
    def _sdca_epoch_sparse_nb(indptr, indices, data, y, alpha, x, sq_norms, lam_n, loss, order):
        for ii in range(order.shape[0]):
            i = order[ii]
            dot = 0.0
            for p in range(indptr[i], indptr[i + 1]):
                dot += data[p] * x[indices[p]]
            delta = _sdca_delta_nb(loss, y[i], dot, alpha[i], sq_norms[i] / lam_n)
            if delta != 0.0:
                alpha[i] += delta
                c = delta / lam_n
                for p in range(indptr[i], indptr[i + 1]):
                    x[indices[p]] += c * data[p]


def _cd_epoch(A, r, x, sq_norms, nlam, order, compiled):
    """Dispatch one coordinate-descent pass to the compiled or the Python loop."""
    if sp.issparse(A):
        args = (A.indptr, A.indices, A.data, r, x, sq_norms, nlam, order)
        (_cd_epoch_sparse_nb if compiled else _cd_epoch_sparse)(*args)
    else:
        (_cd_epoch_dense_nb if compiled else _cd_epoch_dense)(A, r, x, sq_norms, nlam, order)


def _sdca_epoch(A, y, alpha, x, sq_norms, lam_n, loss, order, compiled):
    """Dispatch one SDCA pass to the compiled or the Python loop."""
    if sp.issparse(A):
        args = (A.indptr, A.indices, A.data, y, alpha, x, sq_norms, lam_n, loss, order)
        (_sdca_epoch_sparse_nb if compiled else _sdca_epoch_sparse)(*args)
    else:
        (_sdca_epoch_dense_nb if compiled else _sdca_epoch_dense)(A, y, alpha, x, sq_norms, lam_n,
                                                                   loss, order)


def _use_compiled(compiled):
    if compiled is None:
        return HAVE_NUMBA
    if compiled and not HAVE_NUMBA:
        raise ValueError("compiled=True needs numba, which is not installed")
    return bool(compiled)


def _sparse_sq_norms(A, axis):
    """Squared norms of the columns (``axis=0``) or rows (``axis=1``) of a CSR/CSC
    matrix from its data, without a copy of the matrix (``A.multiply(A)`` is one)."""
    sq = np.square(A.data, dtype=np.float64)
    major = (A.format == "csc") == (axis == 0)
    size = A.shape[1 - axis]
    if not major:
        return np.bincount(A.indices, weights=sq, minlength=size)
    out = np.zeros(size)
    nonempty = np.diff(A.indptr) > 0
    if sq.size:
        out[nonempty] = np.add.reduceat(sq, A.indptr[:-1][nonempty])
    return out


def _column_sq_norms(A):
    if sp.issparse(A):
        return _sparse_sq_norms(A, 0)
    return np.einsum("ij,ij->j", A, A, dtype=np.float64)


def _row_sq_norms(A):
    if sp.issparse(A):
        return _sparse_sq_norms(A, 1)
    return np.einsum("ij,ij->i", A, A, dtype=np.float64)


# --------------------------------------------------------------------------
# the Lasso: coordinate descent
# --------------------------------------------------------------------------
def _extrapolate(residuals):
    """Celer's extrapolation ``sum_k c_k r_k`` of the last K residuals, or ``None``.

    ``U = [r_1 - r_0, ..., r_K - r_{K-1}]``, ``z = (U^T U)^{-1} 1``,
    ``c = z / sum(z)``.
    """
    R = np.array(residuals, dtype=np.float64)  # (K + 1, n)
    U = np.diff(R, axis=0)
    try:
        z = np.linalg.solve(U @ U.T, np.ones(U.shape[0]))
    except np.linalg.LinAlgError:
        return None
    s = z.sum()
    if not np.isfinite(s) or s == 0.0:
        return None
    return (z / s) @ R[1:]


def lasso_cd(A, b, lam, x0=None, max_epochs=1000, tol=1e-8, callback=None, *,
             screening=False, dual="residual", gap_freq=5, selection="cyclic", seed=0,
             compiled=None):
    r"""Coordinate descent for the Lasso, with a duality-gap stopping rule.

    Minimizes :math:`P(x) = \frac{1}{2n}\|Ax - b\|^2 + \lambda\|x\|_1`. One
    epoch updates every coordinate once; with :math:`L_j = \|a_j\|^2/n` and
    the residual :math:`r = b - Ax`,

    .. math::

        x_j^+ = \operatorname{soft}\Big(x_j + \frac{a_j^\top r}{n L_j}, \frac{\lambda}{L_j}\Big),
        \qquad r \leftarrow r - (x_j^+ - x_j)\,a_j ,

    which minimizes :math:`P` exactly along coordinate :math:`j`. Every
    ``gap_freq`` epochs, the duality gap of a feasible dual point is computed
    (:func:`lasso_gap`); the run stops when it is at most ``tol``.

    Parameters
    ----------
    A : (n, d) array_like or scipy.sparse matrix
        Design matrix (a sparse matrix is used in CSC format; a CSR matrix is
        converted, which copies it; a dense C-ordered array is copied to
        Fortran order once, so that columns are contiguous).
    b : (n,) array_like
        Targets.
    lam : float
        :math:`\lambda > 0`.
    x0 : (d,) array_like, optional
        Starting point (default ``0``).
    max_epochs : int, default=1000
        Maximum number of epochs.
    tol : float, default=1e-8
        Tolerance on the duality gap (absolute, in the :math:`1/(2n)` scale of
        :math:`P`); ``0`` disables the test.
    callback : callable, optional
        ``callback(x)`` after every epoch; a true value stops the run.
    screening : bool, default=False
        Gap-safe sphere screening :cite:p:`fercoq2015,ndiaye2017`: at each gap
        evaluation, coordinate :math:`j` is removed (set to zero for good) if
        :math:`|a_j^\top\theta| + \|a_j\|\sqrt{2\,\mathrm{gap}/(n\lambda^2)} < 1`,
        which proves :math:`x_j^\star = 0`.
    dual : {"residual", "extrapolated"}, default="residual"
        The dual point of the gap. ``"residual"``: the rescaled residual, as
        in :func:`lasso_gap`. ``"extrapolated"``: the best (largest dual
        value) among the rescaled residual, the rescaled extrapolation of the
        last five residuals, and the previous dual point :cite:p:`massias2018`.
    gap_freq : int, default=5
        Number of epochs between gap evaluations (each costs about one epoch).
    selection : {"cyclic", "random"}, default="cyclic"
        Cyclic order :math:`1, \dots, d`, or :math:`d` coordinates drawn
        uniformly with replacement per epoch.
    seed : int, default=0
        Seed of the random selection.
    compiled : bool, optional
        Use the numba-compiled loop (default: when numba is installed).

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x``, ``gap`` (duality gap at ``x``), ``dual_point`` (:math:`\theta`,
        with :math:`\|A^\top\theta\|_\infty \le 1`), ``nit`` (epochs),
        ``n_screened`` (coordinates removed by screening), ``gap_epochs`` and
        ``gaps`` (the epochs at which the gap was evaluated, and its values),
        ``n_active`` (the number of coordinates not screened after each evaluation),
        ``success``,
        ``status``, ``message``.

    Notes
    -----
    One epoch costs :math:`O(\mathrm{nnz}(A))`. With random selection,
    :math:`\mathbb{E}\,P(x_{k}) - P^\star \le (1 - \mu/d)^{k}(P(x_0) - P^\star)`
    after :math:`k` coordinate steps (:math:`k/d` epochs; here :math:`x_k`
    counts steps, not the epochs of ``nit``) when :math:`\frac{1}{2n}\|Ax - b\|^2` is
    :math:`\mu`-strongly convex in the norm :math:`\sum_j L_j x_j^2`
    :cite:p:`nesterov2012,richtarik2014`. See :cite:p:`friedman2010` for
    cyclic coordinate descent on the Lasso.
    """
    A = _check_design(A)
    n, d = A.shape
    dtype = float_dtype(A, b)
    b = _check_target(b, n, "b", dtype)
    lam = check_positive(lam, "lam")
    x = np.zeros(d, dtype=dtype) if x0 is None else _check_x(x0, d, "x0", dtype)
    gap_freq = check_int(gap_freq, "gap_freq", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    if not isinstance(screening, (bool, np.bool_)):
        raise TypeError(f"screening must be a bool, got {type(screening).__name__}")
    if dual not in ("residual", "extrapolated"):
        raise ValueError(f"dual must be 'residual' or 'extrapolated', got {dual!r}")
    if selection not in ("cyclic", "random"):
        raise ValueError(f"selection must be 'cyclic' or 'random', got {selection!r}")
    max_epochs = check_int(max_epochs, "max_epochs", minimum=0)
    loop = Loop(max_epochs, tol, callback, unit="epoch")
    compiled = _use_compiled(compiled)

    if sp.issparse(A):
        A = A.tocsc() if A.format != "csc" else A
        if not A.has_sorted_indices:
            A = A.sorted_indices()
    else:
        A = np.asfortranarray(A)
    sq_norms = _column_sq_norms(A)
    col_norms = np.sqrt(sq_norms)
    nlam = n * lam
    r = b - _matvec(A, x)
    active = np.flatnonzero(sq_norms > 0).astype(np.int64)
    x[sq_norms == 0] = 0.0
    rng = np.random.default_rng(seed)
    residuals, best = [], None  # stored residuals, best (D(u), u, A^T u)
    history = []  # (epoch, gap, number of active coordinates) at every gap evaluation
    gap, gap_at = np.inf, -1

    def evaluate(x, r):
        nonlocal best
        u, Atu = _lasso_dual_from_residual(A, r, nlam)
        cands = [(_lasso_dual_value(b, u, n), u, Atu)]
        if dual == "extrapolated":
            residuals.append(r.astype(np.float64))
            del residuals[:-6]
            if len(residuals) == 6:
                r_acc = _extrapolate(residuals)
                if r_acc is not None and np.all(np.isfinite(r_acc)):
                    u2, Atu2 = _lasso_dual_from_residual(A, r_acc.astype(r.dtype), nlam)
                    cands.append((_lasso_dual_value(b, u2, n), u2, Atu2))
            if best is not None:
                cands.append(best)
            best = max(cands, key=lambda c: c[0])
            Dval, u, Atu = best
        else:
            Dval, u, Atu = cands[0]
        primal = 0.5 * float(r @ r) / n + lam * float(np.abs(x).sum())
        # the residual-based point has the cancellation-free formula
        if u is cands[0][1]:
            g = _lasso_gap_terms(x, r, u, Atu, lam, n)
        else:
            g = max(primal - Dval, 0.0)
        return g, u, Atu

    u = None
    for k in loop:
        if k % gap_freq == 0:
            gap, u, Atu = evaluate(x, r)
            gap_at = k
            if loop.converged(gap):
                history.append((k, gap, active.size))
                break
            if screening and gap > 0:
                radius = math.sqrt(2.0 * n * gap)  # ||u - u*|| <= radius
                safe = np.abs(Atu[active]) + col_norms[active] * radius < nlam
                if safe.any():
                    drop = active[safe]
                    nz = drop[x[drop] != 0]
                    if nz.size:
                        r += _matvec(A[:, nz], x[nz]).astype(r.dtype)
                        x[nz] = 0.0
                    active = active[~safe]
            history.append((k, gap, active.size))
        order = active if selection == "cyclic" else rng.choice(active, size=active.size) \
            if active.size else active
        _cd_epoch(A, r, x, sq_norms, nlam, order, compiled)
        x = loop.accept(x, x.copy())
    if gap_at != loop.nit or u is None:
        gap, u, Atu = evaluate(x, r)
        history.append((loop.nit, gap, active.size))
        if loop.status == 1:
            loop.converged(gap)
    theta = (u / nlam).astype(dtype)
    hist = np.array(history, dtype=float).reshape(-1, 3)
    return loop.result(x, gap=float(gap), dual_point=theta, n_screened=int(d - active.size),
                       gap_epochs=hist[:, 0].astype(int), gaps=hist[:, 1],
                       n_active=hist[:, 2].astype(int))


# --------------------------------------------------------------------------
# SDCA
# --------------------------------------------------------------------------
def _entropy(u):
    """``u log u + (1 - u) log(1 - u)`` on [0, 1], with ``0 log 0 = 0``."""
    u = np.clip(u, 0.0, 1.0)
    out = np.zeros_like(u, dtype=np.float64)
    m = (u > 0) & (u < 1)
    um = u[m]
    out[m] = um * np.log(um) + (1 - um) * np.log1p(-um)
    return out


def _sdca_objectives(loss, A, y, lam, alpha, x):
    """Primal and dual values ``P(x), D(alpha)`` (``x = A^T alpha / (lam n)``)."""
    z = _matvec(A, x).astype(np.float64)
    reg = 0.5 * lam * float(x @ x)
    alpha = alpha.astype(np.float64)
    if loss == "hinge":
        primal = np.maximum(0.0, 1.0 - y * z).mean()
        dual = (alpha * y).mean()
    elif loss == "squared":
        primal = 0.5 * np.mean((z - y) ** 2)
        dual = np.mean(alpha * y - 0.5 * alpha ** 2)
    else:
        primal = np.mean(np.logaddexp(0.0, -y * z))
        dual = -np.mean(_entropy(alpha * y))
    return float(primal + reg), float(dual - reg)


def sdca_gap(A, y, lam, alpha, loss="hinge"):
    r"""Duality gap :math:`P(x(\alpha)) - D(\alpha)` of a ridge-regularized linear model.

    Parameters
    ----------
    A : (n, d) array_like or scipy.sparse matrix
        Design matrix.
    y : (n,) array_like
        Targets (labels in :math:`\{-1, 1\}` for ``"hinge"`` and ``"logistic"``).
    lam : float
        :math:`\lambda > 0`.
    alpha : (n,) array_like
        Dual variables; must be dual feasible (:math:`\alpha_i y_i \in [0, 1]`
        for the hinge and logistic losses).
    loss : {"hinge", "logistic", "squared"}
        The loss :math:`\phi_i`.

    Returns
    -------
    float
        The gap, with :math:`x(\alpha) = A^\top\alpha/(\lambda n)`.
    """
    A, y, lam, loss = _check_sdca_input(A, y, lam, loss)
    alpha = as_array(alpha, "alpha", ndim=1, dtype=np.float64)
    if alpha.shape[0] != A.shape[0]:
        raise ValueError(f"alpha must have length {A.shape[0]}, got {alpha.shape[0]}")
    if loss != "squared" and (np.any(alpha * y < -1e-12) or np.any(alpha * y > 1 + 1e-12)):
        raise ValueError("alpha must satisfy 0 <= alpha_i y_i <= 1 for this loss")
    x = _rmatvec(A, alpha) / (lam * A.shape[0])
    p, dval = _sdca_objectives(loss, A, y, lam, alpha, x)
    return max(p - dval, 0.0)


def _check_sdca_input(A, y, lam, loss):
    if not isinstance(loss, str) or loss not in _LOSSES:
        raise ValueError(f"loss must be one of {_LOSSES}, got {loss!r}")
    A = _check_design(A)
    y = _check_target(y, A.shape[0], "y", np.float64)
    if loss in ("hinge", "logistic") and not np.all(np.abs(y) == 1):
        raise ValueError(f"y must have entries in {{-1, 1}} for loss={loss!r}")
    lam = check_positive(lam, "lam")
    return A, y, lam, loss


def sdca(A, y, lam, loss="hinge", max_epochs=100, tol=1e-8, seed=0, callback=None, *,
         selection="permutation", gap_freq=None, compiled=None):
    r"""Stochastic dual coordinate ascent (SDCA) for ridge-regularized linear models.

    Solves :math:`\min_x P(x) = \frac1n\sum_{i=1}^n\phi_i(a_i^\top x) + \frac\lambda2\|x\|^2`
    through its dual :math:`D(\alpha) = \frac1n\sum_i -\phi_i^*(-\alpha_i) - \frac\lambda2\|x(\alpha)\|^2`
    with :math:`x(\alpha) = \frac{1}{\lambda n}A^\top\alpha`
    :cite:p:`shalevshwartz2013`. One step picks a sample :math:`i`, maximizes
    :math:`D` along :math:`\alpha_i`, and updates :math:`x`:

    .. math::

        \Delta = \argmax_\delta\; -\phi_i^*(-(\alpha_i + \delta)) - \delta\, a_i^\top x
                 - \frac{\|a_i\|^2}{2\lambda n}\delta^2,
        \qquad \alpha_i \leftarrow \alpha_i + \Delta,\quad
        x \leftarrow x + \frac{\Delta}{\lambda n}a_i .

    Closed forms: hinge, :math:`\Delta = y_i\,\mathrm{clip}_{[0,1]}\big(\alpha_iy_i + \frac{\lambda n(1 - y_ia_i^\top x)}{\|a_i\|^2}\big) - \alpha_i`;
    squared, :math:`\Delta = \frac{y_i - a_i^\top x - \alpha_i}{1 + \|a_i\|^2/(\lambda n)}`;
    logistic, safeguarded Newton steps on the 1-D problem in
    :math:`u = (\alpha_i + \Delta)y_i \in (0, 1)`.

    Parameters
    ----------
    A : (n, d) array_like or scipy.sparse matrix
        Design matrix, rows :math:`a_i` (sparse matrices are used in CSR format).
    y : (n,) array_like
        Targets; labels in :math:`\{-1, 1\}` for ``"hinge"`` and ``"logistic"``.
    lam : float
        :math:`\lambda > 0`.
    loss : {"hinge", "logistic", "squared"}, default="hinge"
        :math:`\max(0, 1 - y_iz)`, :math:`\log(1 + e^{-y_iz})` or
        :math:`\frac12(z - y_i)^2`.
    max_epochs : int, default=100
        Maximum number of epochs (:math:`n` coordinate steps each).
    tol : float, default=1e-8
        Tolerance on the duality gap :math:`P(x) - D(\alpha)`, evaluated
        every ``gap_freq`` epochs; ``0`` disables the test.
    seed : int, default=0
        Seed of the sampling.
    callback : callable, optional
        ``callback(x)`` after every epoch; a true value stops the run.
    selection : {"permutation", "uniform"}, default="permutation"
        Each epoch visits a random permutation of the samples, or draws
        :math:`n` samples uniformly with replacement (the setting of the
        theorem of :cite:t:`shalevshwartz2013`).
    gap_freq : int, optional
        Number of epochs between evaluations of :math:`P` and :math:`D` (each
        costs about one epoch). Default: ``1`` when ``tol > 0``; when
        ``tol = 0``, the gap is evaluated only at :math:`x_0` and at the end.
    compiled : bool, optional
        Use the numba-compiled loop (default: when numba is installed).

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (:math:`= A^\top\alpha/(\lambda n)`), ``dual_coef``
        (:math:`\alpha`), ``gap``, ``primal``, ``dual`` (at the returned
        iterate), ``gap_epochs`` and ``gaps`` (the epochs at which the gap was
        evaluated, and its values; every epoch :math:`0, \dots, \mathrm{nit}`
        when ``gap_freq = 1``), ``nit`` (epochs),
        ``success``, ``status``, ``message``.

    Notes
    -----
    For :math:`(1/\gamma)`-smooth losses and :math:`\|a_i\|^2 \le R^2`,
    uniform sampling gives :math:`\mathbb{E}[D^\star - D(\alpha_t)] \le (1 - s/n)^t(D^\star - D(\alpha_0))`
    with :math:`s = \lambda n\gamma/(R^2 + \lambda n\gamma)` after :math:`t`
    coordinate steps :cite:p:`shalevshwartz2013`.
    """
    A, y, lam, loss = _check_sdca_input(A, y, lam, loss)
    seed = check_int(seed, "seed", minimum=0)
    if selection not in ("permutation", "uniform"):
        raise ValueError(f"selection must be 'permutation' or 'uniform', got {selection!r}")
    max_epochs = check_int(max_epochs, "max_epochs", minimum=0)
    loop = Loop(max_epochs, tol, callback, unit="epoch")
    if gap_freq is None:
        gap_freq = 1 if tol > 0 else max(max_epochs, 1)
    gap_freq = check_int(gap_freq, "gap_freq", minimum=1)
    compiled = _use_compiled(compiled)
    n, d = A.shape
    dtype = float_dtype(A)
    if sp.issparse(A):
        A = A.tocsr() if A.format != "csr" else A
    else:
        A = np.ascontiguousarray(A)
    yw = y.astype(dtype)
    sq_norms = _row_sq_norms(A)
    lam_n = lam * n
    code = {"hinge": _HINGE, "logistic": _LOGISTIC, "squared": _SQUARED}[loss]
    alpha = np.zeros(n, dtype=dtype)
    x = np.zeros(d, dtype=dtype)
    rng = np.random.default_rng(seed)
    primal, dual_val = _sdca_objectives(loss, A, y, lam, alpha, x)
    gap = max(primal - dual_val, 0.0)
    gaps, gap_epochs, gap_at = [gap], [0], 0
    for k in loop:
        if k == gap_at and loop.converged(gap):
            break
        order = rng.permutation(n) if selection == "permutation" else rng.integers(0, n, size=n)
        _sdca_epoch(A, yw, alpha, x, sq_norms, lam_n, code, order, compiled)
        if (k + 1) % gap_freq == 0:
            primal, dual_val = _sdca_objectives(loss, A, y, lam, alpha, x)
            gap = max(primal - dual_val, 0.0)
            gaps.append(gap)
            gap_epochs.append(k + 1)
            gap_at = k + 1
        x = loop.accept(x, x.copy())
    keep = np.array(gap_epochs) <= loop.nit
    gap_epochs, gaps = list(np.array(gap_epochs)[keep]), list(np.array(gaps)[keep])
    if gap_epochs[-1] != loop.nit:
        primal, dual_val = _sdca_objectives(loss, A, y, lam, alpha, x)
        gap = max(primal - dual_val, 0.0)
        gaps.append(gap)
        gap_epochs.append(loop.nit)
    if loop.status == 1:
        loop.converged(gap)
    return loop.result(x, dual_coef=alpha, gap=float(gap), primal=primal, dual=dual_val,
                       gap_epochs=np.array(gap_epochs, dtype=int), gaps=np.array(gaps))
