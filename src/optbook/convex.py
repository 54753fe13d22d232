r"""Numerical convex analysis on the real line.

Brute-force, grid-based versions of the transforms of the chapter
:ref:`chap-convex-analysis`: the Legendre–Fenchel conjugate, the infimal
convolution, the Moreau envelope (with the proximal point) and one-sided
derivatives. They are meant to draw pictures and to check closed forms, not
to solve large problems: each costs :math:`O(nm)` operations for a grid of
:math:`n` points and :math:`m` evaluation points, done by NumPy broadcasting
over blocks of evaluation points so that memory stays bounded.

A function ``f`` is given either as a vectorized callable (``f(array)``
returns an array of the same shape) or as the array of its values on the grid.
Values ``+inf`` are allowed and encode points outside the domain (indicators);
NaN and ``-inf`` are not.
"""

import numpy as np

from ._validation import as_float_array, check_callable, check_positive

__all__ = [
    "conjugate_1d",
    "infimal_convolution_1d",
    "moreau_envelope_1d",
    "one_sided_derivatives_1d",
]

# Number of (grid point, evaluation point) pairs handled at once.
_BLOCK = 2**20


def _check_grid(grid, name="grid"):
    grid = as_float_array(grid, name, ndim=1)
    if grid.size == 0:
        raise ValueError(f"{name} must contain at least one point")
    return grid


def _values_on_grid(f, grid, name="f"):
    """Evaluate ``f`` on ``grid`` (or check the given values); return an array."""
    if callable(f):
        values = np.asarray(f(grid.copy()), dtype=np.float64)
        if values.shape != grid.shape:
            raise ValueError(
                f"{name} must be vectorized: {name}(grid) must return an array of "
                f"shape {grid.shape}, got shape {values.shape}"
            )
    else:
        values = as_float_array(f, name, ndim=1, allow_nonfinite=True)
        if values.shape != grid.shape:
            raise ValueError(
                f"{name} must be a callable or an array of values on the grid, of "
                f"shape {grid.shape}, got shape {values.shape}"
            )
    if np.any(np.isnan(values)) or np.any(values == -np.inf):
        raise ValueError(f"{name} must take values in (-inf, +inf] on the grid (found NaN or -inf)")
    if np.all(values == np.inf):
        raise ValueError(f"{name} must be finite at one grid point at least (it is +inf everywhere)")
    return values


def _blocks(m, n):
    """Slices that split ``range(m)`` into blocks of about ``_BLOCK / n`` items."""
    size = max(1, _BLOCK // max(n, 1))
    return [slice(i, min(i + size, m)) for i in range(0, m, size)]


def conjugate_1d(f, grid, slopes, return_argmax=False):
    r"""Discrete Legendre–Fenchel conjugate of a function of one variable.

    .. math::

        f^*(s) \approx \max_{x \in \text{grid}} \big( s x - f(x) \big),
        \qquad s \in \text{slopes}.

    Parameters
    ----------
    f : callable or array_like
        Vectorized function, or its values on ``grid`` (``+inf`` allowed).
    grid : array_like, shape (n,)
        Points :math:`x` where ``f`` is sampled.
    slopes : array_like, shape (m,)
        Slopes :math:`s` at which the conjugate is evaluated.
    return_argmax : bool, default=False
        Also return, for each slope, the maximizing grid point (a discrete
        element of :math:`\partial f^*(s)`).

    Returns
    -------
    values : numpy.ndarray, shape (m,)
        The discrete conjugate. It is a lower bound of the true :math:`f^*`
        (a max over fewer points) and is exact when a maximizer of
        :math:`s x - f(x)` lies on the grid.
    argmax : numpy.ndarray, shape (m,)
        Only if ``return_argmax``.

    Notes
    -----
    Cost :math:`O(nm)`. Since the result is a maximum of affine functions of
    :math:`s`, it is convex in :math:`s` whatever :math:`f`; applying the
    function twice (``conjugate_1d(fs, slopes, grid)``) gives the discrete
    biconjugate, the convex envelope of :math:`f` on the grid
    (Fenchel–Moreau theorem). Linear-time algorithms exist for sorted grids
    :cite:p:`lucet1997`.

    References
    ----------
    :cite:t:`rockafellar1970`, Section 12; :cite:t:`hiriarturruty2001`,
    Chapter E; :cite:t:`boyd2004`, Section 3.3.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.convex import conjugate_1d
    >>> grid = np.linspace(-3, 3, 601)
    >>> conjugate_1d(lambda x: x**2 / 2, grid, [0.0, 1.0, 2.0])  # s**2 / 2
    array([0. , 0.5, 2. ])
    """
    grid = _check_grid(grid)
    slopes = _check_grid(slopes, "slopes")
    fvals = _values_on_grid(f, grid)
    finite = np.isfinite(fvals)
    x, fx = grid[finite], fvals[finite]
    values = np.empty(slopes.size)
    argmax = np.empty(slopes.size)
    for block in _blocks(slopes.size, x.size):
        scores = slopes[block, None] * x[None, :] - fx[None, :]
        best = np.argmax(scores, axis=1)
        values[block] = scores[np.arange(best.size), best]
        argmax[block] = x[best]
    if return_argmax:
        return values, argmax
    return values


def infimal_convolution_1d(f, g, grid, x=None, return_argmin=False):
    r"""Discrete infimal convolution of two functions of one variable.

    .. math::

        (f \,\square\, g)(x) \approx \min_{y \in \text{grid}} \big( f(y) + g(x - y) \big).

    Parameters
    ----------
    f : callable or array_like
        Vectorized function, or its values on ``grid`` (``+inf`` allowed).
    g : callable
        Vectorized function, evaluated at the differences :math:`x - y`.
    grid : array_like, shape (n,)
        Points :math:`y` over which the minimum is taken.
    x : array_like, shape (m,), optional
        Evaluation points; defaults to ``grid``.
    return_argmin : bool, default=False
        Also return the minimizing grid point for each ``x``.

    Returns
    -------
    values : numpy.ndarray, shape (m,)
        The discrete infimal convolution, an upper bound of the exact one.
    argmin : numpy.ndarray, shape (m,)
        Only if ``return_argmin``.

    Notes
    -----
    Cost :math:`O(nm)`. Epigraphs add under infimal convolution:
    :math:`\operatorname{epi}(f \square g) = \operatorname{epi} f + \operatorname{epi} g`
    (when the infimum is attained), and conjugates add:
    :math:`(f \square g)^* = f^* + g^*`.

    References
    ----------
    :cite:t:`rockafellar1970`, Section 5; :cite:t:`bauschke2017`, Chapter 12.
    """
    grid = _check_grid(grid)
    check_callable(g, "g")
    x = grid.copy() if x is None else _check_grid(x, "x")
    fvals = _values_on_grid(f, grid)
    finite = np.isfinite(fvals)
    y, fy = grid[finite], fvals[finite]
    values = np.empty(x.size)
    argmin = np.empty(x.size)
    for block in _blocks(x.size, y.size):
        diff = x[block, None] - y[None, :]
        gvals = np.asarray(g(diff), dtype=np.float64)
        if gvals.shape != diff.shape:
            raise ValueError(
                f"g must be vectorized: g(u) must return an array of the shape of u "
                f"{diff.shape}, got shape {gvals.shape}"
            )
        if np.any(np.isnan(gvals)) or np.any(gvals == -np.inf):
            raise ValueError("g must take values in (-inf, +inf] (found NaN or -inf)")
        scores = fy[None, :] + gvals
        best = np.argmin(scores, axis=1)
        values[block] = scores[np.arange(best.size), best]
        argmin[block] = y[best]
    if return_argmin:
        return values, argmin
    return values


def moreau_envelope_1d(f, grid, t, x=None, return_prox=False):
    r"""Moreau envelope (and proximal points) by brute force on a grid.

    .. math::

        \operatorname{env}_t f(x) \approx \min_{u \in \text{grid}}
        \Big( f(u) + \frac{(u - x)^2}{2t} \Big),
        \qquad
        \operatorname{prox}_{t f}(x) \approx \operatorname*{argmin}_{u \in \text{grid}} (\cdots).

    This is the infimal convolution of :math:`f` with :math:`u^2/(2t)`; it
    needs no convexity, so it also draws envelopes and (set-valued, here one
    selection of) proximal maps of nonconvex functions.

    Parameters
    ----------
    f : callable or array_like
        Vectorized function, or its values on ``grid`` (``+inf`` allowed).
    grid : array_like, shape (n,)
        Candidate points :math:`u`.
    t : float
        Positive smoothing parameter (:math:`\gamma` in the book).
    x : array_like, shape (m,), optional
        Evaluation points; defaults to ``grid``.
    return_prox : bool, default=False
        Also return the minimizing grid point (the smallest one in case of ties).

    Returns
    -------
    env : numpy.ndarray, shape (m,)
        Envelope values (upper bounds of the exact ones).
    prox : numpy.ndarray, shape (m,)
        Only if ``return_prox``.

    Notes
    -----
    Cost :math:`O(nm)`. To be used for checks and figures; for the usual
    penalties use the closed forms of :mod:`optbook.prox` and
    :func:`optbook.prox.moreau_envelope`.

    References
    ----------
    :cite:t:`moreau1965`; :cite:t:`bauschke2017`, Chapter 12;
    :cite:t:`beck2017`, Chapter 6.
    """
    t = check_positive(t, "t")
    return infimal_convolution_1d(
        f, lambda u: u**2 / (2.0 * t), grid, x=x, return_argmin=return_prox
    )


def one_sided_derivatives_1d(f, x, h=1e-6):
    r"""One-sided derivatives, an estimate of the subdifferential in 1-D.

    For a convex :math:`f` finite near :math:`x`, the subdifferential is the
    interval :math:`\partial f(x) = [f'_-(x), f'_+(x)]` between the left and
    right derivatives. They are estimated by difference quotients

    .. math::

        f'_-(x) \approx \frac{f(x) - f(x - h)}{h}, \qquad
        f'_+(x) \approx \frac{f(x + h) - f(x)}{h}.

    By convexity the left quotient is :math:`\le f'_-(x)` and the right one
    :math:`\ge f'_+(x)`, so the returned interval contains :math:`\partial f(x)`.

    Parameters
    ----------
    f : callable
        Vectorized function of one variable.
    x : array_like
        Evaluation points (any shape).
    h : float, default=1e-6
        Positive step of the difference quotients.

    Returns
    -------
    left, right : numpy.ndarray
        Estimates of :math:`f'_-(x)` and :math:`f'_+(x)`, shape of ``x``.

    References
    ----------
    :cite:t:`rockafellar1970`, Theorem 24.1; :cite:t:`hiriarturruty2001`,
    Section D.1.
    """
    check_callable(f, "f")
    x = as_float_array(x, "x")
    h = check_positive(h, "h")
    fx = np.asarray(f(x.copy()), dtype=np.float64)
    if fx.shape != x.shape:
        raise ValueError(
            f"f must be vectorized: f(x) must return an array of shape {x.shape}, "
            f"got shape {fx.shape}"
        )
    left = (fx - np.asarray(f(x - h), dtype=np.float64)) / h
    right = (np.asarray(f(x + h), dtype=np.float64) - fx) / h
    return left, right
