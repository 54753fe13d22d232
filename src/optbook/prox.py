r"""Proximal operators and Euclidean projections.

The proximal operator of a closed convex function :math:`g` with parameter
:math:`t > 0` is

.. math::

    \operatorname{prox}_{t g}(x) = \operatorname*{argmin}_{u}
    \Big\{ g(u) + \frac{1}{2t} \|u - x\|_2^2 \Big\},

and the Euclidean projection onto a closed convex set :math:`C` is the
proximal operator of its indicator, :math:`P_C = \operatorname{prox}_{\iota_C}`.
Every function here takes an array of any shape (norms are taken over all of
its entries), returns a new array of the same shape, and never modifies its
input. See the chapter :ref:`chap-convex-analysis` and
:cite:t:`parikh2014`, :cite:t:`beck2017` (Chapter 6) for tables of proximal
operators.
"""

import numpy as np

from ._validation import (
    as_array,
    check_callable,
    check_in_interval,
    check_positive,
)

__all__ = [
    "prox_l1",
    "prox_l2",
    "prox_sq_l2",
    "prox_linf",
    "prox_elastic_net",
    "proj_box",
    "proj_l2_ball",
    "proj_l1_ball",
    "proj_simplex",
    "moreau_envelope",
    "moreau_envelope_grad",
]


def _check_threshold(t, x, name="t"):
    """Return ``t`` as a positive float, or as an array of nonnegative thresholds.

    A scalar must be positive. An array must broadcast to ``x.shape`` and have
    nonnegative finite entries (a zero entry leaves that coordinate unpenalized).
    """
    if np.ndim(t) == 0:
        return check_positive(t if not isinstance(t, np.ndarray) else t.item(), name)
    t = as_array(t, name, dtype=x.dtype)
    try:
        np.broadcast_shapes(t.shape, x.shape)
    except ValueError:
        raise ValueError(
            f"{name} must be a scalar or an array broadcastable to the shape of x "
            f"{x.shape}, got shape {t.shape}"
        ) from None
    if np.broadcast_shapes(t.shape, x.shape) != x.shape:
        raise ValueError(
            f"{name} must be a scalar or an array broadcastable to the shape of x "
            f"{x.shape}, got shape {t.shape}"
        )
    if np.any(t < 0):
        raise ValueError(f"{name} must have nonnegative entries")
    return t


# --------------------------------------------------------------------------
# Proximal operators of norms and penalties
# --------------------------------------------------------------------------


def prox_l1(x, t):
    r"""Proximal operator of :math:`t\|\cdot\|_1` (soft-thresholding).

    .. math::

        \operatorname{prox}_{t\|\cdot\|_1}(x)_i
        = \operatorname{sign}(x_i)\, \max(|x_i| - t_i, 0).

    Parameters
    ----------
    x : array_like
        Point at which the operator is evaluated (any shape).
    t : float or array_like
        Threshold. A positive scalar, or an array broadcastable to the shape of
        ``x`` with nonnegative entries: then the penalty is the weighted norm
        :math:`\sum_i t_i |x_i|` (``t_i = 0`` leaves coordinate ``i`` free).

    Returns
    -------
    numpy.ndarray
        The soft-thresholded array, same shape as ``x``.

    Notes
    -----
    The formula follows from the separability of the problem and the optimality
    condition :math:`x_i - p_i \in t_i\, \partial|\cdot|(p_i)`. Cost :math:`O(d)`.

    References
    ----------
    :cite:t:`donoho1995`; :cite:t:`parikh2014`, Section 6.5;
    :cite:t:`beck2017`, Chapter 6.

    Examples
    --------
    >>> from optbook.prox import prox_l1
    >>> prox_l1([3.0, -0.5, 1.0], 1.0)
    array([ 2., -0.,  0.])
    """
    x = as_array(x, "x")
    t = _check_threshold(t, x)
    return np.sign(x) * np.maximum(np.abs(x) - t, 0.0)


def prox_l2(x, t):
    r"""Proximal operator of :math:`t\|\cdot\|_2` (block soft-thresholding).

    .. math::

        \operatorname{prox}_{t\|\cdot\|_2}(x)
        = \Big(1 - \frac{t}{\max(\|x\|_2, t)}\Big)\, x,

    that is :math:`0` when :math:`\|x\|_2 \le t` and :math:`x` shrunk by
    :math:`t` along its own direction otherwise.

    Parameters
    ----------
    x : array_like
        Point at which the operator is evaluated (any shape; the norm is taken
        over all entries, the Frobenius norm for a matrix).
    t : float
        Positive parameter.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Notes
    -----
    By Moreau's decomposition, :math:`\operatorname{prox}_{t\|\cdot\|_2}(x)
    = x - P_{\{\|u\|_2 \le t\}}(x)`. This is the building block of the group
    lasso. Cost :math:`O(d)`.

    References
    ----------
    :cite:t:`parikh2014`, Section 6.5; :cite:t:`beck2017`, Chapter 6.
    """
    x = as_array(x, "x")
    t = check_positive(t, "t")
    norm = np.linalg.norm(x.ravel())
    return (1.0 - t / max(norm, t)) * x


def prox_sq_l2(x, t):
    r"""Proximal operator of :math:`\frac{t}{2}\|\cdot\|_2^2` (shrinkage).

    .. math::

        \operatorname{prox}_{\frac{t}{2}\|\cdot\|_2^2}(x) = \frac{x}{1 + t}.

    Parameters
    ----------
    x : array_like
        Point at which the operator is evaluated (any shape).
    t : float
        Positive parameter.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Notes
    -----
    Setting the gradient of :math:`\frac{t}{2}\|u\|^2 + \frac12\|u - x\|^2`
    to zero gives :math:`t u + u - x = 0`. Cost :math:`O(d)`.

    References
    ----------
    :cite:t:`beck2017`, Chapter 6; :cite:t:`parikh2014`, Chapter 6.
    """
    x = as_array(x, "x")
    t = check_positive(t, "t")
    return x / (1.0 + t)


def prox_linf(x, t):
    r"""Proximal operator of :math:`t\|\cdot\|_\infty`.

    Computed by Moreau's decomposition: the conjugate of
    :math:`\|\cdot\|_\infty` is the indicator of the unit :math:`\ell_1` ball,
    hence

    .. math::

        \operatorname{prox}_{t\|\cdot\|_\infty}(x) = x - P_{\{\|u\|_1 \le t\}}(x).

    Parameters
    ----------
    x : array_like
        Point at which the operator is evaluated (any shape; the max is taken
        over all entries).
    t : float
        Positive parameter.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Notes
    -----
    Cost :math:`O(d \log d)`, the cost of :func:`proj_l1_ball`.

    References
    ----------
    :cite:t:`moreau1965`; :cite:t:`parikh2014`, Sections 2.5 and 6.5;
    :cite:t:`beck2017`, Chapter 6.
    """
    x = as_array(x, "x")
    t = check_positive(t, "t")
    return x - proj_l1_ball(x, t)


def prox_elastic_net(x, t, l1_ratio=0.5):
    r"""Proximal operator of the elastic-net penalty.

    With :math:`\alpha` = ``l1_ratio``, the penalty is
    :math:`g(u) = \alpha\|u\|_1 + \frac{1 - \alpha}{2}\|u\|_2^2`
    (scikit-learn's convention, with its ``alpha`` absorbed into ``t``), and

    .. math::

        \operatorname{prox}_{t g}(x)
        = \frac{\operatorname{prox}_{t\alpha\|\cdot\|_1}(x)}{1 + t(1 - \alpha)}.

    Parameters
    ----------
    x : array_like
        Point at which the operator is evaluated (any shape).
    t : float
        Positive parameter.
    l1_ratio : float, default=0.5
        Weight :math:`\alpha \in [0, 1]` of the :math:`\ell_1` part
        (``1`` gives :func:`prox_l1`, ``0`` gives :func:`prox_sq_l2`).

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Notes
    -----
    The formula is the composition rule for
    :math:`h + \frac{\rho}{2}\|\cdot\|^2`:
    :math:`\operatorname{prox}_{t(h + \rho\|\cdot\|^2/2)}(x)
    = \operatorname{prox}_{\frac{t}{1 + t\rho} h}\big(x / (1 + t\rho)\big)`.

    References
    ----------
    :cite:t:`zou2005`; :cite:t:`parikh2014`, Section 6.5;
    :cite:t:`beck2017`, Chapter 6 (prox calculus rules).
    """
    x = as_array(x, "x")
    t = check_positive(t, "t")
    alpha = check_in_interval(l1_ratio, "l1_ratio", 0.0, 1.0, closed="both")
    shrunk = np.sign(x) * np.maximum(np.abs(x) - t * alpha, 0.0)
    return shrunk / (1.0 + t * (1.0 - alpha))


# --------------------------------------------------------------------------
# Projections
# --------------------------------------------------------------------------


def proj_box(x, lower, upper):
    r"""Euclidean projection onto the box :math:`\{u : \ell \le u \le v\}`.

    .. math::

        P_{[\ell, v]}(x)_i = \min(\max(x_i, \ell_i), v_i).

    Parameters
    ----------
    x : array_like
        Point to project (any shape).
    lower, upper : float or array_like
        Bounds, scalars or arrays broadcastable to the shape of ``x``.
        Infinite bounds (``-inf``, ``inf``) are allowed; NaN is not.
        ``lower <= upper`` must hold entrywise.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Notes
    -----
    The box is a product of intervals, so the projection acts coordinatewise.
    Cost :math:`O(d)`.

    References
    ----------
    :cite:t:`beck2017`, Chapter 6.
    """
    x = as_array(x, "x")
    lower = as_array(lower, "lower", dtype=x.dtype, allow_nonfinite=True)
    upper = as_array(upper, "upper", dtype=x.dtype, allow_nonfinite=True)
    for name, bound in (("lower", lower), ("upper", upper)):
        if np.any(np.isnan(bound)):
            raise ValueError(f"{name} must not contain NaN")
        try:
            shape = np.broadcast_shapes(bound.shape, x.shape)
        except ValueError:
            shape = None
        if shape != x.shape:
            raise ValueError(
                f"{name} must be a scalar or an array broadcastable to the shape "
                f"of x {x.shape}, got shape {bound.shape}"
            )
    if np.any(lower > upper):
        raise ValueError("lower must be <= upper entrywise (the box is empty)")
    return np.minimum(np.maximum(x, lower), upper)


def proj_l2_ball(x, radius=1.0):
    r"""Euclidean projection onto the ball :math:`\{u : \|u\|_2 \le r\}`.

    .. math::

        P_{B_2(r)}(x) = \frac{r}{\max(\|x\|_2, r)}\, x.

    Parameters
    ----------
    x : array_like
        Point to project (any shape; the norm is taken over all entries).
    radius : float, default=1.0
        Positive radius :math:`r`.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Notes
    -----
    Cost :math:`O(d)`.

    References
    ----------
    :cite:t:`beck2017`, Chapter 6; :cite:t:`parikh2014`, Chapter 6.
    """
    x = as_array(x, "x")
    radius = check_positive(radius, "radius")
    norm = np.linalg.norm(x.ravel())
    return (radius / max(norm, radius)) * x


def proj_simplex(x, radius=1.0):
    r"""Euclidean projection onto the simplex :math:`\{u \ge 0 : \sum_i u_i = r\}`.

    With ``radius=1`` (default) this is the probability simplex
    :math:`\Delta_d`. The projection is :math:`u_i = \max(x_i - \theta, 0)`,
    where :math:`\theta` solves :math:`\sum_i \max(x_i - \theta, 0) = r`. It
    is found by sorting :math:`x` in decreasing order,
    :math:`x_{(1)} \ge \dots \ge x_{(d)}`, and taking

    .. math::

        \rho = \max\Big\{j : x_{(j)} - \frac{1}{j}\Big(\sum_{i \le j} x_{(i)} - r\Big) > 0\Big\},
        \qquad
        \theta = \frac{1}{\rho}\Big(\sum_{i \le \rho} x_{(i)} - r\Big).

    Parameters
    ----------
    x : array_like
        Point to project (any shape; the simplex constrains the sum of all
        entries).
    radius : float, default=1.0
        Positive sum :math:`r` of the entries.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``: nonnegative entries summing to ``radius``.

    Notes
    -----
    Sort-based algorithm, cost :math:`O(d \log d)`. :cite:t:`condat2016`
    gives variants with linear expected cost.

    References
    ----------
    :cite:t:`held1974`; :cite:t:`duchi2008`; :cite:t:`condat2016`.
    """
    x = as_array(x, "x")
    radius = check_positive(radius, "radius")
    return _proj_simplex(x, radius)


def _proj_simplex(x, radius):
    """Projection onto the simplex, for already validated inputs."""
    if x.size == 0:
        raise ValueError("x must have at least one entry to be projected on the simplex")
    # The projection commutes with shifts along (1, ..., 1): centring at the
    # largest entry avoids cancellations when the entries are large.
    x = x - np.max(x)
    u = np.sort(x.ravel())[::-1]
    css = np.cumsum(u) - radius
    j = np.arange(1, u.size + 1, dtype=u.dtype)  # keeps float32
    # The condition holds for j = 1, ..., rho and fails afterwards; it holds at
    # j = 1 in exact arithmetic (u_1 - (u_1 - r) = r > 0), hence the guard.
    positive = np.flatnonzero(u - css / j > 0)
    rho = positive[-1] + 1 if positive.size else 1
    theta = css[rho - 1] / int(rho)  # a Python int keeps float32
    return np.maximum(x - theta, 0.0)


def proj_l1_ball(x, radius=1.0):
    r"""Euclidean projection onto the ball :math:`\{u : \|u\|_1 \le r\}`.

    If :math:`\|x\|_1 \le r` the point is already in the ball. Otherwise the
    projection is :math:`\operatorname{sign}(x) \odot P_{\Delta(r)}(|x|)`,
    where :math:`P_{\Delta(r)}` is the projection onto the simplex of sum
    :math:`r` (:func:`proj_simplex`); equivalently it is the soft-thresholding
    :math:`\operatorname{prox}_{\theta\|\cdot\|_1}(x)` with the threshold
    :math:`\theta > 0` for which :math:`\|\operatorname{prox}_{\theta\|\cdot\|_1}(x)\|_1 = r`.

    Parameters
    ----------
    x : array_like
        Point to project (any shape; the norm is taken over all entries).
    radius : float, default=1.0
        Positive radius :math:`r`.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Notes
    -----
    Sort-based algorithm, cost :math:`O(d \log d)`.

    References
    ----------
    :cite:t:`duchi2008`; :cite:t:`condat2016`;
    :cite:t:`beck2017`, Chapter 6.
    """
    x = as_array(x, "x")
    radius = check_positive(radius, "radius")
    if np.sum(np.abs(x)) <= radius:
        return x
    return np.sign(x) * _proj_simplex(np.abs(x), radius)


# --------------------------------------------------------------------------
# Moreau envelope
# --------------------------------------------------------------------------


def _prox_point(prox, x, t):
    p = as_array(prox(x, t), "prox(x, t)", dtype=x.dtype)
    if p.shape != x.shape:
        raise ValueError(
            f"prox(x, t) must return an array of the shape of x {x.shape}, "
            f"got shape {p.shape}"
        )
    return p


def moreau_envelope(value, prox, x, t):
    r"""Moreau envelope :math:`\operatorname{env}_t f(x)` from ``f`` and its prox.

    .. math::

        \operatorname{env}_t f(x) = \min_u \Big\{ f(u) + \frac{1}{2t}\|u - x\|_2^2 \Big\}
        = f(p) + \frac{1}{2t}\|p - x\|_2^2,
        \qquad p = \operatorname{prox}_{t f}(x).

    Parameters
    ----------
    value : callable
        ``value(u)`` returns :math:`f(u)` (a number).
    prox : callable
        ``prox(x, t)`` returns :math:`\operatorname{prox}_{t f}(x)`, e.g.
        :func:`prox_l1` for :math:`f = \|\cdot\|_1`.
    x : array_like
        Point at which the envelope is evaluated.
    t : float
        Positive smoothing parameter :math:`t` (written :math:`\gamma` in the
        book).

    Returns
    -------
    float
        :math:`\operatorname{env}_t f(x)`.

    Notes
    -----
    For convex :math:`f` the envelope is convex, differentiable with a
    :math:`1/t`-Lipschitz gradient (:func:`moreau_envelope_grad`), satisfies
    :math:`\operatorname{env}_t f \le f`, and has the same minimizers as
    :math:`f`. For :math:`f = |\cdot|` it is the Huber function.

    References
    ----------
    :cite:t:`moreau1965`; :cite:t:`bauschke2017`, Chapter 12;
    :cite:t:`beck2017`, Chapter 6.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.prox import moreau_envelope, prox_l1
    >>> l1 = lambda u: np.abs(u).sum()
    >>> moreau_envelope(l1, prox_l1, [0.5], 1.0)  # Huber: x**2 / (2 t)
    0.125
    """
    check_callable(value, "value")
    check_callable(prox, "prox")
    x = as_array(x, "x")
    t = check_positive(t, "t")
    p = _prox_point(prox, x, t)
    fp = value(p)
    if np.ndim(fp) != 0:
        raise ValueError(f"value(u) must return a number, got shape {np.shape(fp)}")
    return float(fp) + float(np.sum((p - x) ** 2)) / (2.0 * t)


def moreau_envelope_grad(prox, x, t):
    r"""Gradient of the Moreau envelope of a convex function.

    .. math::

        \nabla \operatorname{env}_t f(x) = \frac{x - \operatorname{prox}_{t f}(x)}{t}.

    Parameters
    ----------
    prox : callable
        ``prox(x, t)`` returns :math:`\operatorname{prox}_{t f}(x)`.
    x : array_like
        Point at which the gradient is evaluated.
    t : float
        Positive smoothing parameter.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Notes
    -----
    Valid for closed convex :math:`f`; the gradient is
    :math:`1/t`-Lipschitz because the prox is firmly nonexpansive.

    References
    ----------
    :cite:t:`moreau1965`; :cite:t:`bauschke2017`, Chapter 12;
    :cite:t:`beck2017`, Chapter 6.
    """
    check_callable(prox, "prox")
    x = as_array(x, "x")
    t = check_positive(t, "t")
    return (x - _prox_point(prox, x, t)) / t
