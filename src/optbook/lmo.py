r"""Linear minimization oracles (LMOs) for the Frank–Wolfe method.

A linear minimization oracle of a compact convex set :math:`C` returns a point

.. math::

    s \in \operatorname*{argmin}_{s \in C}\ \langle g, s\rangle ,

a vertex (extreme point) of :math:`C`. For the sets below it costs far less
than a Euclidean projection: one pass over :math:`g` for the
:math:`\ell_1` ball and the simplex, one singular pair instead of a full
singular value decomposition for the nuclear-norm ball
(chapter :ref:`chap-beyond-gradients`, :cite:p:`jaggi2013`).

Each oracle takes the gradient first, so that
``functools.partial(l1_ball, radius=r)`` is the one-argument ``lmo`` that
:func:`optbook.beyond_gradients.frank_wolfe` expects.
"""

import numpy as np
import scipy.sparse as sp

from ._validation import as_array, check_positive, float_dtype

__all__ = ["l1_ball", "simplex", "nuclear_ball"]


def l1_ball(g, radius=1.0):
    r"""LMO of the :math:`\ell_1` ball :math:`\{s : \|s\|_1 \le r\}`.

    .. math::

        s = -r\,\operatorname{sign}(g_i)\,e_i, \qquad i \in \operatorname*{argmax}_j |g_j| ,

    so that :math:`\langle g, s\rangle = -r\|g\|_\infty`. The vertex
    :math:`-r e_i` (with the first index of largest :math:`|g_i|`) is
    returned when :math:`g = 0`.

    Parameters
    ----------
    g : array_like
        The linear function (a gradient), of any shape; the ball is taken
        over all its entries.
    radius : float, default=1.0
        :math:`r > 0`.

    Returns
    -------
    numpy.ndarray
        A vertex :math:`s` of the ball, shaped like ``g`` (``float32`` kept).

    Examples
    --------
    >>> from optbook.lmo import l1_ball
    >>> l1_ball([0.5, -2.0, 1.0], radius=3.0)
    array([0., 3., 0.])
    """
    g = as_array(g, "g", copy=False)
    radius = check_positive(radius, "radius")
    if g.size == 0:
        raise ValueError("g must have at least one entry")
    s = np.zeros_like(g)
    i = int(np.argmax(np.abs(g)))
    s.flat[i] = -radius if g.flat[i] >= 0 else radius
    return s


def simplex(g):
    r"""LMO of the probability simplex :math:`\{s \ge 0 : \sum_i s_i = 1\}`.

    .. math::

        s = e_i, \qquad i \in \operatorname*{argmin}_j g_j ,

    the first index of the smallest entry; :math:`\langle g, s\rangle = \min_j g_j`.

    Parameters
    ----------
    g : array_like
        The linear function, a 1-D array.

    Returns
    -------
    numpy.ndarray
        The vertex :math:`e_i`, shaped like ``g``.

    Examples
    --------
    >>> from optbook.lmo import simplex
    >>> simplex([0.3, -1.0, 2.0])
    array([0., 1., 0.])
    """
    g = as_array(g, "g", ndim=1, copy=False)
    if g.size == 0:
        raise ValueError("g must have at least one entry")
    s = np.zeros_like(g)
    s[int(np.argmin(g))] = 1.0
    return s


def _top_singular_pair(G):
    r"""Leading singular triple :math:`(\sigma_1, u_1, v_1)` of a dense or sparse matrix.

    Uses :func:`scipy.sparse.linalg.svds` with ``k=1`` (Lanczos
    bidiagonalization through ARPACK, with a fixed starting vector, so the
    result is reproducible) when ``min(G.shape) > 2`` and the matrix is
    sparse or has more than 2500 entries; a dense SVD otherwise.
    """
    m, n = G.shape
    if sp.issparse(G) and (min(m, n) <= 2):
        G = G.toarray()
    if not sp.issparse(G) and (min(m, n) <= 2 or m * n <= 2500):
        U, s, Vt = np.linalg.svd(np.asarray(G, dtype=np.float64), full_matrices=False)
        return float(s[0]), U[:, 0], Vt[0]
    from scipy.sparse.linalg import LinearOperator, svds

    v0 = np.random.default_rng(0).standard_normal(min(m, n))
    if sp.issparse(G):
        # products with G and its transpose (a view): svds would otherwise copy G
        # (astype, conjugate transpose)
        G = LinearOperator((m, n), matvec=G.dot, rmatvec=G.T.dot, matmat=G.dot,
                           rmatmat=G.T.dot, dtype=np.float64)
    else:
        G = G.astype(np.float64, copy=False)
    U, s, Vt = svds(G, k=1, v0=v0)
    return float(s[0]), U[:, 0], Vt[0]


def nuclear_ball(G, radius=1.0):
    r"""LMO of the nuclear-norm ball :math:`\{S : \|S\|_* \le r\}`.

    With :math:`(\sigma_1, u_1, v_1)` a leading singular triple of :math:`G`,

    .. math::

        S = -r\,u_1 v_1^\top, \qquad \langle G, S\rangle = -r\sigma_1 = -r\|G\|_{2} ,

    since the nuclear norm and the spectral norm are dual. Only one singular
    pair is computed, with :func:`scipy.sparse.linalg.svds` (``k=1``), which
    only multiplies by :math:`G` and :math:`G^\top`: a sparse gradient (as in
    matrix completion, where it is supported on the observed entries) stays
    sparse. Tiny dense matrices use a dense SVD. A projection onto the same
    ball needs the full SVD.

    Parameters
    ----------
    G : array_like or scipy.sparse matrix
        The linear function, an :math:`m\times n` matrix.
    radius : float, default=1.0
        :math:`r > 0`.

    Returns
    -------
    numpy.ndarray
        The rank-one :math:`m\times n` matrix :math:`S` (dense; ``float32`` kept).

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.lmo import nuclear_ball
    >>> S = nuclear_ball(np.diag([3.0, 1.0]), radius=2.0)
    >>> np.round(S, 12) + 0.0
    array([[-2.,  0.],
           [ 0.,  0.]])
    """
    radius = check_positive(radius, "radius")
    if sp.issparse(G):
        if G.ndim != 2:
            raise ValueError(f"G must be 2-D, got shape {G.shape}")
        dtype = float_dtype(G)
        G = G.tocsr()
        if not np.all(np.isfinite(G.data)):
            raise ValueError("G must contain only finite values (found NaN or inf)")
    else:
        G = as_array(G, "G", ndim=2, copy=False)
        dtype = G.dtype
    if min(G.shape) == 0:
        raise ValueError(f"G must have at least one entry, got shape {G.shape}")
    _, u, v = _top_singular_pair(G)
    return (-radius * np.outer(u, v)).astype(dtype, copy=False)
