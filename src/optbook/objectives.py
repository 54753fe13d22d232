r"""Smooth objectives of machine learning, with their constants.

Every objective here is a mean over samples, so that it matches
scikit-learn's conventions (BOOK_GUIDE §5), and exposes

* ``value(x)``, ``grad(x)``, ``hess(x)`` on the full data;
* ``lipschitz`` (the smoothness constant :math:`L`) and ``strong_convexity``
  (the constant :math:`\mu`, ``0.0`` when the function is not strongly
  convex), both computed once, lazily: from a dense eigendecomposition of the
  smaller Gram matrix (:math:`A^\top A` or :math:`A A^\top`) for small
  problems, from ARPACK's Lanczos iteration on :math:`v \mapsto A^\top(Av)`
  for large or sparse ones;
* ``n_features`` (the dimension :math:`d`);
* ``minimizer()`` where a closed form exists, ``reference_solution()`` where
  the reference minimizer comes from a tight iterative solve.

The finite-sum objectives (:class:`LeastSquares`, :class:`LogisticRegression`)
also expose ``n_samples``, ``value_i(x, idx)`` and ``grad_i(x, idx)`` (the
mean loss and the mean gradient over the rows ``idx``, an integer array, in
one vectorized operation, for the stochastic methods of the book),
``value_and_grad(x)`` (both with one product by :math:`A` and one by
:math:`A^\top`, for line searches) and ``dloss(z, idx)``, the derivatives of
the per-sample losses at the predictions ``z = A[idx] @ x`` (for
:func:`~optbook.stochastic.saga`'s table of one scalar per sample).

**Large-scale data.** ``A`` may be a ``scipy.sparse`` CSR or CSC matrix: it
is used as is, never copied nor densified (only ``hess`` returns a dense
:math:`d \times d` array). A dense ``A`` is copied once at construction (so
later changes to the caller's array do not change the objective). A
``float32`` ``A`` keeps ``float32``: targets, gradients and iterates are
``float32``, values are Python floats.

See the chapter :ref:`chap-convex-analysis` for the definitions of
:math:`L`-smoothness and :math:`\mu`-strong convexity.
"""

from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from ._validation import (
    as_array,
    as_float_array,
    as_matrix,
    float_dtype,
    check_int,
    check_nonnegative,
    check_positive,
)

__all__ = ["LeastSquares", "LogisticRegression", "Quadratic"]

#: Up to this size of the smaller Gram matrix, the constants come from a dense
#: eigendecomposition; beyond it (or for a sparse A), from ARPACK (Lanczos) on
#: the operator v -> A^T A v, which never forms the Gram matrix.
DENSE_EIG_MAX = 1000


def _gram_eigvalsh(A):
    """Eigenvalues (ascending) of the smaller of ``A.T @ A`` and ``A @ A.T`` (dense A)."""
    n, d = A.shape
    A = np.asarray(A, dtype=np.float64)
    gram = A.T @ A if d <= n else A @ A.T
    return np.linalg.eigvalsh(gram)


def _gram_operator(A):
    """The smaller Gram matrix of ``A`` as a float64 :class:`~scipy.sparse.linalg.LinearOperator`."""
    from scipy.sparse.linalg import LinearOperator

    n, d = A.shape
    if d <= n:
        return LinearOperator((d, d), matvec=lambda v: A.T @ (A @ v.ravel()), dtype=np.float64)
    return LinearOperator((n, n), matvec=lambda v: A @ (A.T @ v.ravel()), dtype=np.float64)


def _gram_extreme(A, which):
    """Largest (``"LA"``) or smallest (``"SA"``) eigenvalue of the smaller Gram matrix.

    Dense eigendecomposition for small problems, ARPACK's Lanczos method on
    the Gram operator (two products with ``A`` per iteration) otherwise.
    """
    if not sp.issparse(A) and min(A.shape) <= DENSE_EIG_MAX:
        eigs = _gram_eigvalsh(A)
        return float(eigs[-1] if which == "LA" else eigs[0])
    from scipy.sparse.linalg import eigsh

    from scipy.sparse.linalg import LinearOperator

    op = _gram_operator(A)
    m = op.shape[0]
    if m == 1:
        return float(op.matvec(np.ones(1))[0])
    v0 = np.random.default_rng(0).standard_normal(m)  # reproducible

    def largest(M):
        return float(eigsh(M, k=1, which="LA", v0=v0, tol=1e-12, return_eigenvectors=False,
                           maxiter=max(1000, 20 * m))[0])

    top = largest(op)
    if which == "LA":
        return top
    # the smallest eigenvalue as top - (largest eigenvalue of top*I - G): Lanczos finds
    # extreme eigenvalues at the top of the spectrum fast, and the error is relative to top
    shifted = LinearOperator((m, m), matvec=lambda v: top * v.ravel() - op.matvec(v),
                             dtype=np.float64)
    return max(top - largest(shifted), 0.0)


def _check_point(x, d, name="x", dtype=np.float64):
    """Return ``x`` as a finite vector of length ``d`` in ``dtype`` (no copy: O(d) check)."""
    x = np.asarray(x, dtype=dtype)
    if x.shape != (d,):
        raise ValueError(f"{name} must have shape ({d},), got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    return x


def _check_indices(idx, n):
    """Return ``idx`` as an integer index array into ``range(n)``."""
    idx = np.asarray(idx)
    if idx.ndim == 0:
        idx = idx.reshape(1)
    if idx.ndim != 1 or idx.size == 0:
        raise ValueError(f"idx must be a nonempty 1-D integer array, got shape {idx.shape}")
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"idx must be an integer array, got dtype {idx.dtype}")
    if idx.min() < -n or idx.max() >= n:
        raise ValueError(f"idx must contain indices in [0, {n}), got range "
                         f"[{idx.min()}, {idx.max()}]")
    return idx


def _check_design(A, name="A"):
    """A dense copy of ``A`` (kept in float32 if it is), or a sparse CSR/CSC ``A`` uncopied."""
    if sp.issparse(A):
        A = as_matrix(A, name)
    else:
        A = np.ascontiguousarray(as_array(A, name, ndim=2))
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError(f"{name} must have at least one row and one column, got shape {A.shape}")
    return A


def _dense(M):
    return M.toarray() if sp.issparse(M) else np.asarray(M)


class _Objective:
    """Shared conveniences: ``f(x)`` is ``f.value(x)``."""

    def __call__(self, x):
        return self.value(x)

    @property
    def n_features(self):
        """int: the dimension :math:`d` of the variable."""
        return self._d


class _LinearModel(_Objective):
    r"""A mean of losses of linear predictions, :math:`\frac1n\sum_i \phi_i(a_i^\top x) + \frac{\lambda}{2}\|x\|^2`.

    Subclasses define ``loss(z)`` (the vector of :math:`\phi_i(z_i)`) and
    ``dloss(z, idx)`` (the derivatives :math:`\phi_i'(z_i)` for the samples
    ``idx``); ``value``, ``grad``, ``value_and_grad``, ``value_i``,
    ``grad_i`` follow. :func:`optbook.stochastic.saga` uses ``dloss`` to keep
    one scalar per sample instead of one gradient.

    ``A`` may be a dense array or a ``scipy.sparse`` CSR/CSC matrix (kept as
    is, never densified); computations run in ``A``'s floating dtype
    (``float32`` stays ``float32``).
    """

    lam = 0.0

    def _init_design(self, A):
        self.A = _check_design(A, "A")
        self.dtype = np.dtype(self.A.dtype)
        self._n, self._d = self.A.shape

    @property
    def n_samples(self):
        """int: the number of samples :math:`n` (rows of ``A``)."""
        return self._n

    def _point(self, x):
        return _check_point(x, self._d, dtype=self.dtype)

    def _reg_value(self, x):
        return 0.5 * self.lam * float(np.vdot(x, x)) if self.lam else 0.0

    def value(self, x):
        r"""Return :math:`\frac1n\sum_i\phi_i(a_i^\top x) + \frac{\lambda}{2}\|x\|^2`."""
        x = self._point(x)
        return float(np.mean(self.loss(self.A @ x))) + self._reg_value(x)

    def grad(self, x):
        r"""Return :math:`\frac1n A^\top\phi'(Ax) + \lambda x` (two products with :math:`A`)."""
        x = self._point(x)
        return self._grad_from(x, self.A @ x)

    def value_and_grad(self, x):
        r"""Return ``(value(x), grad(x))`` with one product by :math:`A` and one by :math:`A^\top`.

        The line searches of :mod:`optbook.first_order` take this oracle, so
        that a trial point that is accepted costs no further product.
        """
        x = self._point(x)
        z = self.A @ x
        return float(np.mean(self.loss(z))) + self._reg_value(x), self._grad_from(x, z)

    def _grad_from(self, x, z):
        g = self.A.T @ self.dloss(z)
        g = np.asarray(g, dtype=self.dtype)
        g /= self._n
        if self.lam:
            g += self.lam * x
        return g

    def value_i(self, x, idx):
        """Mean loss over the rows ``idx`` plus the full regularization term."""
        idx = _check_indices(idx, self._n)
        x = self._point(x)
        return float(np.mean(self.loss(self.A[idx] @ x, idx))) + self._reg_value(x)

    def grad_i(self, x, idx):
        r"""Mean gradient over the rows ``idx``: :math:`\frac{1}{|I|}A_I^\top\phi_I'(A_I x) + \lambda x`."""
        idx = _check_indices(idx, self._n)
        x = self._point(x)
        A_I = self.A[idx]
        g = np.asarray(A_I.T @ self.dloss(A_I @ x, idx), dtype=self.dtype)
        g /= idx.size
        if self.lam:
            g += self.lam * x
        return g

    @cached_property
    def _lambda_max(self):
        return _gram_extreme(self.A, "LA") / self._n


class LeastSquares(_LinearModel):
    r"""Least squares :math:`f(x) = \frac{1}{2n}\|Ax - b\|_2^2`.

    Parameters
    ----------
    A : array_like or scipy.sparse matrix, shape (n, d)
        Design matrix: dense (copied once) or ``scipy.sparse`` CSR/CSC (used
        as is, neither copied nor densified). A ``float32`` matrix keeps the
        computations in ``float32``.
    b : array_like, shape (n,)
        Targets.

    Attributes
    ----------
    lipschitz : float
        :math:`L = \lambda_{\max}(A^\top A)/n`, the smoothness constant.
    strong_convexity : float
        :math:`\mu = \lambda_{\min}(A^\top A)/n` (``0.0`` when
        :math:`A` has fewer rows than columns or is rank deficient).
    pl_constant : float
        The Polyak–Łojasiewicz constant: the smallest *positive* eigenvalue
        of :math:`A^\top A/n`. Least squares satisfies
        :math:`\frac12\|\nabla f(x)\|^2 \ge \mu_{PL}(f(x) - f^\star)` even
        when it is not strongly convex :cite:p:`karimi2016`.
    n_samples, n_features : int
        :math:`n` and :math:`d`.
    dtype : numpy.dtype
        ``float32`` for a ``float32`` design matrix, ``float64`` otherwise.

    Notes
    -----
    :math:`\nabla f(x) = A^\top(Ax - b)/n` and
    :math:`\nabla^2 f(x) = A^\top A/n`. One gradient costs two matrix-vector
    products, :math:`O(\operatorname{nnz}(A))`. The constants are computed
    once, lazily: by a dense eigendecomposition of the smaller Gram matrix
    when it has at most ``DENSE_EIG_MAX = 1000`` rows, otherwise (and for
    sparse ``A``) by ARPACK's Lanczos iteration on
    :math:`v \mapsto A^\top(Av)`, which never forms :math:`A^\top A`.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.objectives import LeastSquares
    >>> f = LeastSquares(np.eye(2), np.ones(2))
    >>> f.value(np.zeros(2)), f.lipschitz
    (0.5, 0.5)
    """

    def __init__(self, A, b):
        self._init_design(A)
        n = self._n
        self.b = as_array(b, "b", ndim=1, dtype=self.dtype)
        if self.b.shape != (n,):
            raise ValueError(f"b must have shape ({n},) to match A {self.A.shape}, "
                             f"got {self.b.shape}")

    def loss(self, z, idx=None):
        r"""Per-sample losses :math:`\frac12(z_i - b_i)^2` of the predictions ``z``."""
        r = z - (self.b if idx is None else self.b[idx])
        return 0.5 * r * r

    def dloss(self, z, idx=None):
        r"""Derivatives :math:`z_i - b_i` of the per-sample losses."""
        return z - (self.b if idx is None else self.b[idx])

    def value(self, x):
        r"""Return :math:`\|Ax - b\|^2/(2n)`."""
        r = self.A @ self._point(x) - self.b
        return 0.5 * float(np.vdot(r, r)) / self._n

    def value_i(self, x, idx):
        r"""Mean loss over the rows ``idx``: :math:`\frac{1}{2|I|}\sum_{i\in I}(a_i^\top x - b_i)^2`."""
        idx = _check_indices(idx, self._n)
        r = self.A[idx] @ self._point(x) - self.b[idx]
        return 0.5 * float(np.vdot(r, r)) / idx.size

    def hess(self, x=None):
        r"""Return the (constant) Hessian :math:`A^\top A/n`, a new dense array."""
        return self._gram / self._n

    @cached_property
    def _gram(self):
        return _dense(self.A.T @ self.A)

    @cached_property
    def _eigvals(self):
        return _gram_eigvalsh(_dense(self.A)) / self._n

    @property
    def _small(self):
        return not sp.issparse(self.A) and min(self.A.shape) <= DENSE_EIG_MAX

    @cached_property
    def lipschitz(self):
        return float(self._eigvals[-1]) if self._small else self._lambda_max

    @cached_property
    def strong_convexity(self):
        if self._d > self._n:
            return 0.0
        if self._small:
            mu = float(self._eigvals[0])
            return mu if mu > self._rank_tol else 0.0
        # Lanczos: accurate to about 1e-10 L, so smaller values count as 0
        mu = _gram_extreme(self.A, "SA") / self._n
        return mu if mu > max(self._rank_tol, 1e-9 * self.lipschitz) else 0.0

    @cached_property
    def pl_constant(self):
        if not self._small and self.strong_convexity > 0:
            return self.strong_convexity
        positive = self._eigvals[self._eigvals > self._rank_tol]
        return float(positive[0]) if positive.size else 0.0

    @property
    def _rank_tol(self):
        eps = np.finfo(self.dtype).eps
        return self.lipschitz * max(self._n, self._d) * eps

    def minimizer(self):
        r"""Return the minimum-norm minimizer :math:`x^\star = A^+ b` (via ``lstsq``, dense).

        Every minimizer solves the normal equations :math:`A^\top A x = A^\top b`;
        this one is the projection of :math:`0` onto that affine set, the point
        gradient descent converges to from :math:`x_0 = 0`. For a sparse
        ``A`` it is computed by :func:`scipy.sparse.linalg.lsqr`.
        """
        if sp.issparse(self.A):
            from scipy.sparse.linalg import lsqr
            return lsqr(self.A, self.b, atol=1e-14, btol=1e-14, iter_lim=100 * self._d)[0]
        x, *_ = np.linalg.lstsq(self.A, self.b, rcond=None)
        return x


class LogisticRegression(_LinearModel):
    r"""L2-regularized logistic regression.

    .. math::

        f(x) = \frac1n \sum_{i=1}^n \log\big(1 + e^{-y_i a_i^\top x}\big)
               + \frac{\lambda}{2}\|x\|_2^2,
        \qquad y \in \{-1, 1\}^n.

    This is scikit-learn's ``LogisticRegression(C=1/(lam*n),
    fit_intercept=False)`` objective divided by :math:`Cn`.

    Parameters
    ----------
    A : array_like or scipy.sparse matrix, shape (n, d)
        Design matrix, one sample per row: dense (copied once) or
        ``scipy.sparse`` CSR/CSC (used as is). A ``float32`` matrix keeps
        the computations in ``float32``.
    y : array_like, shape (n,)
        Labels in :math:`\{-1, 1\}`.
    lam : float, default=0.0
        Regularization :math:`\lambda \ge 0`.

    Attributes
    ----------
    lipschitz : float
        :math:`L = \lambda_{\max}(A^\top A)/(4n) + \lambda` (dense
        eigendecomposition for small problems, Lanczos on
        :math:`v \mapsto A^\top(Av)` for large or sparse ones; cached).
    strong_convexity : float
        :math:`\mu = \lambda`.
    n_samples, n_features : int
        :math:`n` and :math:`d`.
    dtype : numpy.dtype
        ``float32`` for a ``float32`` design matrix, ``float64`` otherwise.

    Notes
    -----
    With margins :math:`m = y \odot Ax` and :math:`\sigma(t) = 1/(1+e^{-t})`,

    .. math::

        \nabla f(x) = -\frac1n A^\top\big(y \odot \sigma(-m)\big) + \lambda x,
        \qquad
        \nabla^2 f(x) = \frac1n A^\top \operatorname{diag}\big(\sigma(m)\sigma(-m)\big) A
                        + \lambda I.

    The loss is computed as ``np.logaddexp(0, -m)`` and :math:`\sigma` with
    :func:`scipy.special.expit`: both are exact to rounding for margins of any
    size (no overflow at :math:`|m| = 1000`). Since
    :math:`\sigma(m)\sigma(-m) \le 1/4`, :math:`L` above is an upper bound on
    :math:`\lambda_{\max}(\nabla^2 f)` everywhere.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.objectives import LogisticRegression
    >>> f = LogisticRegression(np.eye(2), np.array([1.0, -1.0]), lam=0.1)
    >>> round(f.value(np.zeros(2)), 6)  # log 2
    0.693147
    """

    def __init__(self, A, y, lam=0.0):
        self._init_design(A)
        n = self._n
        self.y = as_array(y, "y", ndim=1, dtype=self.dtype)
        if self.y.shape != (n,):
            raise ValueError(f"y must have shape ({n},) to match A {self.A.shape}, "
                             f"got {self.y.shape}")
        if not np.all(np.abs(self.y) == 1.0):
            raise ValueError("y must contain only the labels -1 and 1")
        self.lam = check_nonnegative(lam, "lam")

    def loss(self, z, idx=None):
        r"""Per-sample losses :math:`\log(1 + e^{-y_i z_i})` of the predictions ``z``."""
        y = self.y if idx is None else self.y[idx]
        return np.logaddexp(0.0, -y * z)

    def dloss(self, z, idx=None):
        r"""Derivatives :math:`-y_i\sigma(-y_i z_i)` of the per-sample losses."""
        y = self.y if idx is None else self.y[idx]
        return -y * expit(-y * z)

    def hess(self, x):
        r"""Return :math:`\frac1n A^\top \mathrm{diag}(\sigma(m)\sigma(-m)) A + \lambda I` (dense)."""
        x = self._point(x)
        m = self.y * (self.A @ x)
        w = expit(m) * expit(-m)
        if sp.issparse(self.A):
            H = _dense(self.A.T @ self.A.multiply(w[:, None]).tocsr()) / self._n
        else:
            H = (self.A.T * w) @ self.A / self._n
        H[np.diag_indices_from(H)] += self.lam
        return H

    @cached_property
    def lipschitz(self):
        return self._lambda_max / 4 + self.lam

    @property
    def strong_convexity(self):
        return self.lam

    def reference_solution(self, tol=1e-13, max_iter=100):
        r"""Return the minimizer computed by a damped Newton method.

        Newton's direction :math:`-\nabla^2 f(x)^{-1}\nabla f(x)`, with
        backtracking on the Armijo condition (full steps once the Newton
        decrement is below the resolution of :math:`f`), until
        :math:`\|\nabla f(x)\| \le \text{tol}\cdot\max(1, \|\nabla f(0)\|)`.
        The method converges quadratically near :math:`x^\star`
        :cite:p:`nesterov2018`; the result is cached.

        Parameters
        ----------
        tol : float, default=1e-13
            Relative tolerance on the gradient norm.
        max_iter : int, default=100
            Maximum number of Newton steps.

        Returns
        -------
        numpy.ndarray
            The minimizer :math:`x^\star`.

        Raises
        ------
        ValueError
            If ``lam == 0``: the minimizer may not exist (separable data).
        RuntimeError
            If the tolerance is not reached.
        """
        if self.lam == 0:
            raise ValueError("reference_solution needs lam > 0 (without "
                             "regularization the minimizer may not exist)")
        tol = check_positive(tol, "tol")
        max_iter = check_int(max_iter, "max_iter", minimum=1)
        key = (tol, max_iter)
        cache = self.__dict__.setdefault("_reference_cache", {})
        if key in cache:
            return cache[key].copy()
        x = np.zeros(self._d, dtype=self.dtype)
        fx, g = self.value(x), self.grad(x)
        target = tol * max(1.0, float(np.linalg.norm(g)))
        for _ in range(max_iter):
            if np.linalg.norm(g) <= target:
                break
            H = self.hess(x)
            direction = -np.linalg.solve(H, g)
            slope = float(g @ direction)  # minus the squared Newton decrement
            t = 1.0
            while True:
                x_new = x + t * direction
                f_new = self.value(x_new)
                # near x* the decrease is below the resolution of f: full step
                if (f_new <= fx + 1e-4 * t * slope or -slope <= 1e-12 * (1 + abs(fx))
                        or t < 1e-12):
                    break
                t *= 0.5
            x, fx, g = x_new, f_new, self.grad(x_new)
        else:
            if np.linalg.norm(g) > target:
                raise RuntimeError("Newton's method did not reach the tolerance "
                                   f"({np.linalg.norm(g):.2e} > {target:.2e})")
        cache[key] = x
        return x.copy()


class Quadratic(_Objective):
    r"""Quadratic :math:`f(x) = \frac12 x^\top Q x - c^\top x`.

    The book's worst-case and teaching examples. With this sign convention the
    minimizer solves :math:`Qx = c` when :math:`Q` is positive definite.

    Parameters
    ----------
    Q : array_like, shape (d, d)
        Symmetric matrix (it may be indefinite: then ``minimizer`` fails and
        ``strong_convexity`` is ``0.0``).
    c : array_like, shape (d,), optional
        Linear term; zero by default.

    Attributes
    ----------
    lipschitz : float
        :math:`L = \max_i |\lambda_i(Q)|`.
    strong_convexity : float
        :math:`\mu = \max(\lambda_{\min}(Q), 0)`.
    eigenvalues : numpy.ndarray
        The eigenvalues of :math:`Q`, ascending.

    Notes
    -----
    :math:`\nabla f(x) = Qx - c`, :math:`\nabla^2 f = Q`. A ``float32``
    ``Q`` (and ``c``) keeps the gradients in ``float32``.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.objectives import Quadratic
    >>> f = Quadratic(np.diag([1.0, 10.0]), c=np.array([1.0, 10.0]))
    >>> f.minimizer(), f.lipschitz, f.strong_convexity
    (array([1., 1.]), 10.0, 1.0)
    """

    def __init__(self, Q, c=None):
        dtype = float_dtype(Q, c)  # float32 kept when Q (and c) are float32
        Q = as_array(Q, "Q", ndim=2, dtype=dtype)
        d = Q.shape[0]
        if Q.shape != (d, d) or d == 0:
            raise ValueError(f"Q must be a nonempty square matrix, got shape {Q.shape}")
        rtol = 1e-12 if dtype == np.float64 else 1e-5
        if not np.allclose(Q, Q.T, rtol=rtol, atol=rtol * 1e-2 * max(1.0, np.abs(Q).max())):
            raise ValueError("Q must be symmetric")
        self.Q = 0.5 * (Q + Q.T)
        self.dtype = dtype
        if c is None:
            self.c = np.zeros(d, dtype=dtype)
        else:
            self.c = as_array(c, "c", ndim=1, dtype=dtype)
            if self.c.shape != (d,):
                raise ValueError(f"c must have shape ({d},) to match Q, got {self.c.shape}")
        self._d = d

    @classmethod
    def random(cls, d, mu, L, rng=0):
        r"""A random quadratic whose Hessian has spectrum in :math:`[\mu, L]`.

        The eigenvalues are :math:`\mu`, :math:`L` and :math:`d-2` points drawn
        uniformly in between; the eigenvectors are a random orthogonal basis;
        :math:`c` is a standard Gaussian vector.

        Parameters
        ----------
        d : int
            Dimension, at least 2.
        mu, L : float
            Extreme eigenvalues, :math:`0 \le \mu \le L`, :math:`L > 0`.
        rng : int or numpy.random.Generator, default=0
            Seed or generator.

        Returns
        -------
        Quadratic
        """
        from .datasets import _as_rng

        d = check_int(d, "d", minimum=2)
        mu = check_nonnegative(mu, "mu")
        L = check_positive(L, "L")
        if mu > L:
            raise ValueError(f"mu must be <= L, got mu={mu} > L={L}")
        rng = _as_rng(rng)
        eigs = np.concatenate([[mu, L], rng.uniform(mu, L, size=d - 2)])
        U, _ = np.linalg.qr(rng.standard_normal((d, d)))
        return cls((U * eigs) @ U.T, rng.standard_normal(d))

    def value(self, x):
        r"""Return :math:`\frac12 x^\top Q x - c^\top x`."""
        x = _check_point(x, self._d, dtype=self.dtype)
        return 0.5 * float(x @ (self.Q @ x)) - float(self.c @ x)

    def grad(self, x):
        r"""Return :math:`Qx - c`."""
        return self.Q @ _check_point(x, self._d, dtype=self.dtype) - self.c

    def hess(self, x=None):
        """Return :math:`Q` (a new array)."""
        return self.Q.copy()

    @cached_property
    def eigenvalues(self):
        return np.linalg.eigvalsh(self.Q)

    @cached_property
    def lipschitz(self):
        return float(np.abs(self.eigenvalues).max())

    @cached_property
    def strong_convexity(self):
        return max(float(self.eigenvalues[0]), 0.0)

    def minimizer(self):
        r"""Return :math:`x^\star = Q^{-1}c` (``Q`` must be positive definite)."""
        if self.eigenvalues[0] <= 0:
            raise ValueError("minimizer needs a positive definite Q "
                             f"(smallest eigenvalue {self.eigenvalues[0]:.3g})")
        return np.linalg.solve(self.Q, self.c)
