r"""Data sets for the book: real ones shipped with scikit-learn, and seeded synthetic ones.

The real data sets are read from the files installed with scikit-learn
(:mod:`sklearn.datasets`): nothing is downloaded at run time. Their feature
columns are standardized (mean 0, variance 1; a constant column becomes a
column of zeros), so that a linear model without intercept is the natural
model and the constants :math:`L`, :math:`\mu` have a readable scale.

scikit-learn is imported on the first call of a ``load_*`` function, so that
``import optbook`` stays fast.

The synthetic generators take ``rng``, an integer seed or a
:class:`numpy.random.Generator`, and return the same arrays for the same seed.
"""

import numpy as np

from ._validation import as_array, check_in_interval, check_int, check_nonnegative, check_positive

__all__ = [
    "load_breast_cancer",
    "load_diabetes",
    "load_digits",
    "make_correlated_regression",
    "make_classification",
    "make_sparse_classification",
    "standardize",
]


def _as_rng(rng):
    """Return a :class:`numpy.random.Generator` from a seed or a generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(f"rng must be an integer seed or a numpy.random.Generator, "
                        f"got {type(rng).__name__}")
    return np.random.default_rng(int(rng))


def standardize(A):
    """Return a copy of ``A`` with centered columns of unit variance.

    Constant columns (zero variance) become columns of zeros.

    Parameters
    ----------
    A : array_like, shape (n, d)

    Returns
    -------
    numpy.ndarray, shape (n, d)
        ``float32`` for a ``float32`` ``A``, ``float64`` otherwise.
    """
    A = as_array(A, "A", ndim=2)  # a copy; float32 kept
    A -= A.mean(axis=0)
    std = A.std(axis=0)
    std[std == 0] = 1.0
    return A / std


def load_breast_cancer():
    r"""Wisconsin breast cancer, binary classification (569 samples, 30 features).

    Returns
    -------
    A : numpy.ndarray, shape (569, 30)
        Standardized features.
    y : numpy.ndarray, shape (569,)
        Labels in :math:`\{-1, 1\}`: ``1`` for benign, ``-1`` for malignant.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.datasets import load_breast_cancer
    >>> A, y = load_breast_cancer()
    >>> A.shape, np.unique(y)
    ((569, 30), array([-1.,  1.]))
    """
    from sklearn.datasets import load_breast_cancer as _load

    X, t = _load(return_X_y=True)
    return standardize(X), 2.0 * t - 1.0


def load_diabetes():
    r"""Diabetes progression, regression (442 samples, 10 features).

    Returns
    -------
    A : numpy.ndarray, shape (442, 10)
        Standardized features.
    b : numpy.ndarray, shape (442,)
        The disease-progression target, centered and scaled to unit variance
        (so that a model without intercept fits it).

    Examples
    --------
    >>> from optbook.datasets import load_diabetes
    >>> A, b = load_diabetes()
    >>> A.shape, abs(float(b.mean())) < 1e-12, float(b.std())
    ((442, 10), True, 1.0)
    """
    from sklearn.datasets import load_diabetes as _load

    X, t = _load(return_X_y=True)
    b = (t - t.mean()) / t.std()
    return standardize(X), b


def load_digits(binary=False):
    r"""Handwritten digits, 8x8 images (1797 samples, 64 features).

    Parameters
    ----------
    binary : bool, default=False
        If ``True``, return labels in :math:`\{-1, 1\}`: ``1`` for the digits
        5 to 9, ``-1`` for 0 to 4 (a balanced binary task).

    Returns
    -------
    A : numpy.ndarray, shape (1797, 64)
        Standardized pixels (the three pixels that are always blank are zero
        columns).
    labels : numpy.ndarray, shape (1797,)
        The digit (integers 0 to 9), or the binary labels above (floats).
    """
    from sklearn.datasets import load_digits as _load

    X, t = _load(return_X_y=True)
    if binary:
        return standardize(X), np.where(t >= 5, 1.0, -1.0)
    return standardize(X), t.astype(np.int64)


def _gaussian_design(n, d, rho, rng):
    """Rows i.i.d. N(0, Σ) with Σ_ij = rho^|i-j| (an AR(1) covariance)."""
    Z = rng.standard_normal((n, d))
    if rho == 0:
        return Z
    idx = np.arange(d)
    C = np.linalg.cholesky(rho ** np.abs(idx[:, None] - idx[None, :]))
    return Z @ C.T


def make_correlated_regression(n, d, rho=0.5, condition_number=None, noise=0.1,
                               n_nonzero=None, rng=0):
    r"""Linear regression data with correlated Gaussian features.

    The rows :math:`a_i` are i.i.d. :math:`\mathcal N(0, \Sigma)` with
    :math:`\Sigma_{jk} = \rho^{|j-k|}`; :math:`b = A x_{\rm true} + \sigma\varepsilon`
    with :math:`\varepsilon \sim \mathcal N(0, I_n)`.

    Parameters
    ----------
    n, d : int
        Number of samples and of features.
    rho : float, default=0.5
        Correlation between neighbouring features, in :math:`(-1, 1)`.
    condition_number : float, optional
        If given (requires :math:`n \ge d`), the singular values of the
        Gaussian design are replaced by a geometric sequence so that
        :math:`A^\top A/n` has eigenvalues from :math:`1` down to
        :math:`1/\kappa` exactly: :math:`L = 1`, :math:`\mu = 1/\kappa` for
        :class:`~optbook.objectives.LeastSquares`.
    noise : float, default=0.1
        Standard deviation :math:`\sigma \ge 0` of the noise.
    n_nonzero : int, optional
        If given, :math:`x_{\rm true}` has this many nonzero entries (at random
        positions): a sparse ground truth for the Lasso. Otherwise it is dense.
    rng : int or numpy.random.Generator, default=0
        Seed or generator.

    Returns
    -------
    A : numpy.ndarray, shape (n, d)
    b : numpy.ndarray, shape (n,)
    x_true : numpy.ndarray, shape (d,)
        Standard Gaussian entries (on its support).

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.datasets import make_correlated_regression
    >>> from optbook.objectives import LeastSquares
    >>> A, b, x_true = make_correlated_regression(200, 20, condition_number=100.0)
    >>> f = LeastSquares(A, b)
    >>> round(f.lipschitz / f.strong_convexity, 6)
    100.0
    """
    n = check_int(n, "n", minimum=1)
    d = check_int(d, "d", minimum=1)
    rho = check_in_interval(rho, "rho", -1.0, 1.0, closed="neither")
    noise = check_nonnegative(noise, "noise")
    rng = _as_rng(rng)
    A = _gaussian_design(n, d, rho, rng)
    if condition_number is not None:
        kappa = check_positive(condition_number, "condition_number")
        if kappa < 1:
            raise ValueError(f"condition_number must be >= 1, got {kappa}")
        if n < d:
            raise ValueError(f"condition_number needs n >= d, got n={n} < d={d}")
        U, _, Vt = np.linalg.svd(A, full_matrices=False)
        eigs = np.geomspace(1.0, 1.0 / kappa, d)  # eigenvalues of A^T A / n
        A = (U * np.sqrt(n * eigs)) @ Vt
    x_true = rng.standard_normal(d)
    if n_nonzero is not None:
        k = check_int(n_nonzero, "n_nonzero", minimum=0)
        if k > d:
            raise ValueError(f"n_nonzero must be <= d={d}, got {k}")
        mask = np.zeros(d, dtype=bool)
        mask[rng.choice(d, size=k, replace=False)] = True
        x_true[~mask] = 0.0
    b = A @ x_true + noise * rng.standard_normal(n)
    return A, b, x_true


def make_classification(n, d, rho=0.0, scale=2.0, rng=0):
    r"""Binary classification data from a logistic model.

    The rows :math:`a_i` are i.i.d. :math:`\mathcal N(0, \Sigma)` with
    :math:`\Sigma_{jk} = \rho^{|j-k|}`, :math:`x_{\rm true}` is uniform on the
    sphere of radius ``scale``, and :math:`y_i = 1` with probability
    :math:`\sigma(a_i^\top x_{\rm true})`, :math:`-1` otherwise. Larger
    ``scale`` gives less label noise (the data become close to separable).

    Parameters
    ----------
    n, d : int
        Number of samples and of features.
    rho : float, default=0.0
        Correlation between neighbouring features, in :math:`(-1, 1)`.
    scale : float, default=2.0
        Norm of :math:`x_{\rm true}`, positive.
    rng : int or numpy.random.Generator, default=0
        Seed or generator.

    Returns
    -------
    A : numpy.ndarray, shape (n, d)
    y : numpy.ndarray, shape (n,)
        Labels in :math:`\{-1, 1\}`.
    x_true : numpy.ndarray, shape (d,)
    """
    n = check_int(n, "n", minimum=1)
    d = check_int(d, "d", minimum=1)
    rho = check_in_interval(rho, "rho", -1.0, 1.0, closed="neither")
    scale = check_positive(scale, "scale")
    rng = _as_rng(rng)
    A = _gaussian_design(n, d, rho, rng)
    x_true = rng.standard_normal(d)
    x_true *= scale / np.linalg.norm(x_true)
    p = 1.0 / (1.0 + np.exp(-(A @ x_true)))
    y = np.where(rng.random(n) < p, 1.0, -1.0)
    return A, y, x_true


def make_sparse_classification(n, d, nnz_per_row=30, zipf=1.1, support=0.05, noise=0.5,
                               dtype=np.float64, rng=0):
    r"""Sparse binary classification data shaped like bag-of-words text.

    Each row has ``nnz_per_row`` distinct features on average (a Poisson
    number, at least one), drawn with power-law popularity: feature :math:`j`
    (ranked) is picked with probability proportional to :math:`(j+1)^{-s}`,
    :math:`s` = ``zipf``, so that a few columns are dense and most are rare,
    as in a tf-idf matrix. The entries are positive, log-normal, and every
    row is scaled to unit Euclidean norm. Labels follow a logistic model
    :math:`y_i = \operatorname{sign}(a_i^\top w + \varepsilon_i)` with a
    sparse Gaussian :math:`w` (a fraction ``support`` of nonzero entries,
    scaled so that the margins are of order one) and logistic noise of scale
    ``noise``.

    Parameters
    ----------
    n, d : int
        Number of samples and of features.
    nnz_per_row : float, default=30
        Mean number of features drawn per row (``<= d``); a popular feature
        drawn twice counts once, so rows end up with somewhat fewer distinct
        nonzeros (about 8 of 10, or 31 of 40 with the defaults of ``zipf``).
    zipf : float, default=1.1
        Exponent :math:`s \ge 0` of the column popularity (``0``: uniform).
    support : float, default=0.05
        Fraction of nonzero entries of the true :math:`w`, in :math:`(0, 1]`.
    noise : float, default=0.5
        Scale of the logistic label noise (``0``: separable by :math:`w`).
    dtype : {numpy.float64, numpy.float32}, default=numpy.float64
        dtype of the matrix entries.
    rng : int or numpy.random.Generator, default=0
        Seed or generator.

    Returns
    -------
    A : scipy.sparse.csr_matrix, shape (n, d)
        Design matrix, rows of unit norm, sorted column indices.
    y : numpy.ndarray, shape (n,)
        Labels in :math:`\{-1, 1\}`.
    w : numpy.ndarray, shape (d,)
        The weights that generated the labels.

    Notes
    -----
    Memory: about :math:`12\,n\cdot` ``nnz_per_row`` bytes in float64
    (values and int32 column indices). The matrix is built row-block by
    row-block, without a dense intermediate.

    Examples
    --------
    >>> from optbook.datasets import make_sparse_classification
    >>> A, y, w = make_sparse_classification(1000, 500, nnz_per_row=10, rng=0)
    >>> A.shape, A.format, round(A.nnz / 1000)
    ((1000, 500), 'csr', 8)
    """
    import scipy.sparse as sp

    n = check_int(n, "n", minimum=1)
    d = check_int(d, "d", minimum=1)
    nnz_per_row = check_positive(nnz_per_row, "nnz_per_row")
    if nnz_per_row > d:
        raise ValueError(f"nnz_per_row must be <= d={d}, got {nnz_per_row}")
    zipf = check_nonnegative(zipf, "zipf")
    support = check_in_interval(support, "support", 0.0, 1.0, closed="right")
    noise = check_nonnegative(noise, "noise")
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    rng = _as_rng(rng)

    popularity = (np.arange(1, d + 1, dtype=np.float64)) ** (-zipf)
    cdf = np.cumsum(popularity / popularity.sum())
    order = rng.permutation(d)                 # which column is the k-th most popular
    counts = np.clip(rng.poisson(nnz_per_row, size=n), 1, d)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    # draw with replacement, then drop the duplicates of each row
    ranks = np.searchsorted(cdf, rng.random(indptr[-1]), side="right").clip(max=d - 1)
    cols = order[ranks].astype(np.int32)
    vals = rng.lognormal(0.0, 0.5, size=indptr[-1]).astype(dtype)
    A = sp.csr_matrix((vals, cols, indptr), shape=(n, d))
    A.sum_duplicates()                         # sorted indices, duplicates added up
    row_norms = np.sqrt(np.asarray(A.multiply(A).sum(axis=1)).ravel())
    A = (sp.diags((1.0 / row_norms).astype(dtype)) @ A).tocsr()
    A.sort_indices()

    w = np.zeros(d)
    k = max(1, int(round(support * d)))
    w[rng.choice(d, size=k, replace=False)] = rng.standard_normal(k)
    z = A @ w
    w *= 2.0 / max(float(np.std(z)), 1e-12)    # margins of order one
    z = A @ w + noise * rng.logistic(size=n)
    y = np.where(z >= 0, 1.0, -1.0)
    return A, y, w
