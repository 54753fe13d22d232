r"""Mirror descent, Bregman proximal gradient and implicit regularization.

The methods of the chapter :ref:`chap-mirror-descent` replace the squared
Euclidean distance of the gradient and proximal methods by a *Bregman
divergence*

.. math::

    D_h(x, y) = h(x) - h(y) - \langle \nabla h(y), x - y\rangle

of a strictly convex *mirror map* (or *kernel*) :math:`h`. A
:class:`MirrorMap` bundles :math:`h` (``value``), :math:`\nabla h` (``grad``)
and the map back to the domain, ``grad_conj``: the gradient of the conjugate
of :math:`h + \iota_X`, where :math:`X` is the constraint set of the mirror
map (:math:`\R^d` unless stated otherwise),

.. math::

    \nabla(h + \iota_X)^*(\theta) = \operatorname*{argmax}_{x \in X}\;
    \langle \theta, x\rangle - h(x).

With it, one step of mirror descent (and of the Bregman proximal gradient
method) is

.. math::

    x_{k+1} = \operatorname*{argmin}_{x \in X}\; \gamma_k\langle g_k, x\rangle + D_h(x, x_k)
            = \nabla(h + \iota_X)^*\big(\nabla h(x_k) - \gamma_k g_k\big),

which :meth:`MirrorMap.mirror_step` computes. The conventions on ``callback``,
``max_iter`` and the result are those of :mod:`optbook.first_order`; bad
input raises :class:`ValueError` or :class:`TypeError` naming the argument,
and a non-finite iterate stops the run with ``success=False``.
"""

import math
from numbers import Real

import numpy as np

from ._solver import Loop, norm
from ._validation import (
    as_array,
    as_matrix,
    check_callable,
    check_output_shape,
    check_positive,
)

__all__ = [
    "bregman",
    "MirrorMap",
    "Euclidean",
    "NegativeEntropy",
    "HyperbolicEntropy",
    "QuarticKernel",
    "BurgEntropy",
    "mirror_descent",
    "bregman_proximal_gradient",
    "diagonal_linear_network",
]


def bregman(h, grad_h, x, y):
    r"""Bregman divergence :math:`D_h(x, y) = h(x) - h(y) - \langle\nabla h(y), x - y\rangle`.

    Parameters
    ----------
    h : callable
        The convex function :math:`h`, ``h(x)`` a number.
    grad_h : callable
        Its gradient, ``grad_h(y)`` an array shaped like ``y``.
    x, y : array_like
        Two points of the same shape; ``y`` must lie where :math:`h` is
        differentiable.

    Returns
    -------
    float
        :math:`D_h(x, y)`, nonnegative when :math:`h` is convex (up to rounding).

    Examples
    --------
    For :math:`h = \tfrac12\|\cdot\|^2` the divergence is :math:`\tfrac12\|x - y\|^2`:

    >>> import numpy as np
    >>> from optbook.mirror import bregman
    >>> bregman(lambda x: 0.5 * x @ x, lambda x: x, np.array([1.0, 2.0]), np.zeros(2))
    2.5
    """
    check_callable(h, "h")
    check_callable(grad_h, "grad_h")
    x = as_array(x, "x")
    y = as_array(y, "y")
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}")
    g = check_output_shape(grad_h(y), y, "grad_h(y)")
    return float(h(x)) - float(h(y)) - float(np.vdot(g, x - y))


class MirrorMap:
    r"""A mirror map (kernel) :math:`h` with its constraint set :math:`X`.

    Subclasses implement

    * ``value(x)``: :math:`h(x)`;
    * ``grad(x)``: :math:`\nabla h(x)`;
    * ``grad_conj(theta)``: :math:`\nabla(h + \iota_X)^*(\theta)`, the point
      of :math:`X` whose mirror image is :math:`\theta` (up to the normal cone
      of :math:`X`); an entry ``inf`` means that :math:`\theta` has no
      preimage (a step left the domain);

    and may override ``divergence(x, y)`` (:math:`D_h(x, y)`, by default from
    :func:`bregman`), ``mirror_step(x, g, gamma)`` (by default
    ``grad_conj(grad(x) - gamma * g)``) and ``check_domain(x, name)``.

    Attributes
    ----------
    strong_convexity : float or None
        A constant :math:`\sigma` such that
        :math:`D_h(x, y) \ge \frac{\sigma}{2}\|x - y\|^2` on :math:`X`, in the
        norm named by ``norm`` (``None`` if there is no global one).
    norm : str or None
        ``"l2"`` or ``"l1"``: the norm of ``strong_convexity``.
    """

    strong_convexity = None
    norm = None

    def value(self, x):
        raise NotImplementedError

    def grad(self, x):
        raise NotImplementedError

    def grad_conj(self, theta):
        raise NotImplementedError

    def divergence(self, x, y):
        r""":math:`D_h(x, y)`."""
        return bregman(self.value, self.grad, x, y)

    def mirror_step(self, x, g, gamma):
        r"""The mirror step :math:`\nabla(h + \iota_X)^*(\nabla h(x) - \gamma g)`."""
        return self.grad_conj(self.grad(x) - gamma * g)

    def check_domain(self, x, name):
        """Raise :class:`ValueError` unless ``x`` is a valid starting point."""
        return x

    def __repr__(self):
        return f"{type(self).__name__}()"


class Euclidean(MirrorMap):
    r"""The Euclidean mirror map :math:`h(x) = \tfrac12\|x\|_2^2`, optionally on a set :math:`X`.

    :math:`\nabla h(x) = x`, :math:`D_h(x, y) = \tfrac12\|x - y\|_2^2`, and
    :math:`\nabla(h + \iota_X)^*(\theta) = P_X(\theta)`, the Euclidean
    projection; mirror descent is then the projected subgradient method.

    Parameters
    ----------
    proj : callable, optional
        ``proj(theta)``: the projection onto :math:`X` (e.g.
        :func:`optbook.prox.proj_simplex`). Without it :math:`X = \R^d`.
    """

    strong_convexity = 1.0
    norm = "l2"

    def __init__(self, proj=None):
        if proj is not None:
            check_callable(proj, "proj")
        self.proj = proj

    def value(self, x):
        x = np.asarray(x)
        return 0.5 * float(np.vdot(x, x))

    def grad(self, x):
        return np.array(x)

    def grad_conj(self, theta):
        theta = np.asarray(theta)
        if self.proj is None:
            return theta.copy()
        return check_output_shape(self.proj(theta), theta, "proj(theta)").astype(theta.dtype)

    def divergence(self, x, y):
        d = np.asarray(x) - np.asarray(y)
        return 0.5 * float(np.vdot(d, d))

    def __repr__(self):
        return "Euclidean()" if self.proj is None else f"Euclidean(proj={self.proj!r})"


class NegativeEntropy(MirrorMap):
    r"""Negative entropy on the probability simplex :math:`\Delta_d`.

    .. math::

        h(x) = \sum_i x_i\log x_i, \qquad \nabla h(x) = 1 + \log x, \qquad
        \nabla(h + \iota_{\Delta_d})^*(\theta) = \operatorname{softmax}(\theta),

    and :math:`D_h(x, y) = \operatorname{KL}(x\,\|\,y) = \sum_i x_i\log(x_i/y_i)`
    on the simplex (with :math:`0\log 0 = 0`). By Pinsker's inequality
    :math:`h` is 1-strongly convex on :math:`\Delta_d` with respect to
    :math:`\|\cdot\|_1`. The mirror step is the exponentiated gradient
    update :math:`x_+ \propto x\odot\exp(-\gamma g)`, computed in log space
    (the largest exponent is subtracted before exponentiating), so that
    large steps or gradients neither overflow nor produce NaNs.
    """

    strong_convexity = 1.0
    norm = "l1"

    def value(self, x):
        x = np.asarray(x, dtype=float)
        pos = x > 0
        return float(np.sum(x[pos] * np.log(x[pos])))

    def grad(self, x):
        x = np.asarray(x)
        with np.errstate(divide="ignore"):
            return 1.0 + np.log(x)

    def grad_conj(self, theta):
        theta = np.asarray(theta)
        z = np.exp(theta - np.max(theta))
        return z / np.sum(z)

    def divergence(self, x, y):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        pos = x > 0
        # generalized KL: also valid off the simplex (then D_h for h = sum x log x - x)
        return float(np.sum(x[pos] * np.log(x[pos] / y[pos])) - np.sum(x) + np.sum(y))

    def mirror_step(self, x, g, gamma):
        with np.errstate(divide="ignore"):
            z = np.log(x) - gamma * g  # log 0 = -inf: a zero weight stays zero
        return self.grad_conj(z)

    def check_domain(self, x, name):
        if np.any(x < 0):
            raise ValueError(f"{name} must lie in the simplex (nonnegative entries), "
                             f"got a minimum entry {float(np.min(x))}")
        tol = 1e-5 if x.dtype == np.float32 else 1e-8
        if abs(float(np.sum(x, dtype=float)) - 1.0) > tol * max(1, x.size):
            raise ValueError(f"{name} must lie in the simplex (entries summing to 1), "
                             f"got a sum {float(np.sum(x))}")
        return x


class HyperbolicEntropy(MirrorMap):
    r"""The hyperbolic entropy ("hypentropy") of :cite:t:`ghai2020`, on :math:`\R^d`.

    .. math::

        h_\beta(x) = \sum_i \Big(x_i\operatorname{arcsinh}(x_i/\beta) - \sqrt{x_i^2 + \beta^2}\Big),
        \qquad \nabla h_\beta(x) = \operatorname{arcsinh}(x/\beta), \qquad
        \nabla h_\beta^*(\theta) = \beta\sinh\theta .

    Its Hessian is :math:`\operatorname{diag}\big(1/\sqrt{x_i^2 + \beta^2}\big)`:
    near :math:`0` (for :math:`|x_i| \ll \beta`) it behaves like
    :math:`\|x\|^2/(2\beta)`, far from it like an entropy, so the mirror step
    :math:`x_+ = \beta\sinh(\operatorname{arcsinh}(x/\beta) - \gamma g)`
    interpolates between gradient descent (large :math:`\beta`) and an
    exponentiated gradient update on signed weights (small :math:`\beta`).

    Parameters
    ----------
    beta : float, default=1.0
        Positive scale :math:`\beta`.
    """

    def __init__(self, beta=1.0):
        self.beta = check_positive(beta, "beta")

    def value(self, x):
        x = np.asarray(x, dtype=float)
        b = self.beta
        return float(np.sum(x * np.arcsinh(x / b) - np.hypot(x, b)))

    def grad(self, x):
        x = np.asarray(x)
        return np.arcsinh(x / x.dtype.type(self.beta))

    def grad_conj(self, theta):
        theta = np.asarray(theta)
        with np.errstate(over="ignore"):
            return theta.dtype.type(self.beta) * np.sinh(theta)

    def divergence(self, x, y):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        b = self.beta
        return float(np.sum(x * (np.arcsinh(x / b) - np.arcsinh(y / b))
                            - np.hypot(x, b) + np.hypot(y, b)))

    def __repr__(self):
        return f"HyperbolicEntropy(beta={self.beta!r})"


class QuarticKernel(MirrorMap):
    r"""The kernel :math:`h(x) = \tfrac14\|x\|_2^4 + \tfrac12\|x\|_2^2` on :math:`\R^d`.

    :math:`\nabla h(x) = (1 + \|x\|^2)\,x`. Its inverse maps :math:`\theta` to
    :math:`t\,\theta/\|\theta\|`, where :math:`t \ge 0` is the real root of
    :math:`t^3 + t = \|\theta\|` (Cardano's formula, refined by Newton steps).
    Functions with quartic growth, such as
    :math:`\frac{1}{4n}\sum_i (a_i^\top x)^4`, are smooth relative to this
    kernel although their gradient is not Lipschitz
    :cite:p:`bauschke2017descent,lu2018`. It is 1-strongly convex with
    respect to :math:`\|\cdot\|_2` (its Hessian is
    :math:`(1 + \|x\|^2)I + 2xx^\top \succeq I`).
    """

    strong_convexity = 1.0
    norm = "l2"

    def value(self, x):
        s = float(np.vdot(x, x))
        return 0.25 * s * s + 0.5 * s

    def grad(self, x):
        x = np.asarray(x)
        return (1.0 + np.vdot(x, x)) * x

    def grad_conj(self, theta):
        theta = np.asarray(theta)
        r = norm(theta)
        if not math.isfinite(r):
            return np.full_like(theta, np.inf)
        if r == 0.0:
            return np.zeros_like(theta)
        u = np.cbrt(r / 2 + math.sqrt(r * r / 4 + 1 / 27))
        t = u - 1 / (3 * u)
        for _ in range(2):  # Newton on t^3 + t - r, to full relative accuracy
            t -= (t ** 3 + t - r) / (3 * t * t + 1)
        out = (t / r) * theta
        return out.astype(theta.dtype) if theta.dtype == np.float32 else out


class BurgEntropy(MirrorMap):
    r"""Burg's entropy :math:`h(x) = -\sum_i \log x_i` on the positive orthant.

    :math:`\nabla h(x) = -1/x` and :math:`\nabla h^*(\theta) = -1/\theta`
    (defined for :math:`\theta < 0`; a step that makes an entry of
    :math:`\theta` nonnegative leaves the domain, and ``grad_conj`` returns
    ``inf`` there). :math:`D_h(x, y) = \sum_i \big(x_i/y_i - \log(x_i/y_i) - 1\big)`
    (Itakura–Saito). The Poisson log-likelihood
    :math:`\sum_i \big(\langle a_i, x\rangle - b_i\log\langle a_i, x\rangle\big)`
    (:math:`a_i \ge 0`, :math:`b_i > 0`) is :math:`\|b\|_1`-smooth relative to
    :math:`h` :cite:p:`bauschke2017descent`.
    """

    def value(self, x):
        return float(-np.sum(np.log(np.asarray(x, dtype=float))))

    def grad(self, x):
        return -1.0 / np.asarray(x)

    def grad_conj(self, theta):
        theta = np.asarray(theta)
        with np.errstate(divide="ignore"):
            return np.where(theta < 0, -1.0 / theta, np.inf).astype(theta.dtype)

    def divergence(self, x, y):
        q = np.asarray(x, dtype=float) / np.asarray(y, dtype=float)
        return float(np.sum(q - np.log(q) - 1.0))

    def check_domain(self, x, name):
        if np.any(x <= 0):
            raise ValueError(f"{name} must have positive entries (the domain of Burg's entropy)")
        return x


_NAMED = {"euclidean": Euclidean, "entropy": NegativeEntropy}


def _as_mirror(mirror):
    if isinstance(mirror, MirrorMap):
        return mirror
    if isinstance(mirror, str):
        if mirror not in _NAMED:
            raise ValueError(f"mirror must be 'euclidean', 'entropy' or a MirrorMap, got {mirror!r}")
        return _NAMED[mirror]()
    raise TypeError(f"mirror must be 'euclidean', 'entropy' or a MirrorMap, "
                    f"got {type(mirror).__name__}")


def _step_rule(step):
    """Return ``k -> gamma_k`` (validated) for a float or a callable ``step``."""
    if callable(step):
        def gamma(k):
            return check_positive(step(k), f"step({k})")
        return gamma
    if isinstance(step, bool) or not isinstance(step, (Real, np.floating, np.integer)):
        raise TypeError(f"step must be a positive number or a callable k -> step, "
                        f"got {type(step).__name__}")
    value = check_positive(step, "step")
    return lambda k: value


def mirror_descent(grad, x0, step, mirror="entropy", max_iter=1000, callback=None):
    r"""Mirror descent (Nemirovski–Yudin), with its step-weighted average.

    .. math::

        x_{k+1} = \operatorname*{argmin}_{x \in X}\; \gamma_k\langle g_k, x\rangle + D_h(x, x_k)
                = \nabla(h + \iota_X)^*\big(\nabla h(x_k) - \gamma_k g_k\big),
        \qquad g_k \in \partial f(x_k).

    * ``mirror="euclidean"``: :math:`h = \tfrac12\|\cdot\|_2^2` on :math:`\R^d`,
      the plain subgradient step :math:`x_{k+1} = x_k - \gamma_k g_k`;
    * ``mirror="entropy"``: the negative entropy on the simplex, the
      exponentiated gradient update
      :math:`x_{k+1} \propto x_k\odot\exp(-\gamma_k g_k)`, computed in log space;
    * a :class:`MirrorMap`: its :meth:`~MirrorMap.mirror_step`.

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns a (sub)gradient :math:`g \in \partial f(x)`.
    x0 : array_like
        Starting point :math:`x_0` (in the simplex for ``"entropy"``).
    step : float or callable
        A constant step :math:`\gamma`, or ``step(k)`` returning
        :math:`\gamma_k > 0` for :math:`k = 0, 1, \dots`
    mirror : {"entropy", "euclidean"} or MirrorMap, default="entropy"
        The mirror map.
    max_iter : int, default=1000
        Number of iterations :math:`K`.
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true value stops.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (the last iterate :math:`x_K`), ``x_avg`` (the step-weighted
        average :math:`\bar x_K = \sum_{k<K}\gamma_k x_k/\sum_{k<K}\gamma_k`,
        :math:`x_0` when no iteration was made), ``nit``, ``success``,
        ``status``, ``message``.

    Notes
    -----
    If :math:`f` is convex on :math:`X`, :math:`h` is :math:`\sigma`-strongly
    convex on :math:`X` with respect to a norm :math:`\|\cdot\|` and the
    subgradients satisfy :math:`\|g_k\|_* \le G`, then for every
    :math:`x \in X`

    .. math::

        f(\bar x_K) - f(x) \le \frac{D_h(x, x_0) + \frac{1}{2\sigma}\sum_{k<K}\gamma_k^2\|g_k\|_*^2}
                                    {\sum_{k<K}\gamma_k}
        \;\le\; \frac{D_h(x, x_0)}{\gamma K} + \frac{\gamma G^2}{2\sigma}
        \quad\text{(constant step)}.

    On the simplex with the entropy, :math:`D_h(x, x_0) \le \log d` from the
    uniform :math:`x_0`, and :math:`G = \max_k\|g_k\|_\infty`
    :cite:p:`nemirovski1983,beck2003`.

    Examples
    --------
    >>> import numpy as np
    >>> from optbook.mirror import mirror_descent
    >>> c = np.array([0.0, 1.0, 1.0])
    >>> res = mirror_descent(lambda x: c, np.ones(3) / 3, step=1.0, max_iter=20)
    >>> bool(res.x[0] > 0.99)
    True
    """
    check_callable(grad, "grad")
    mirror = _as_mirror(mirror)
    x = mirror.check_domain(as_array(x0, "x0"), "x0")
    gamma = _step_rule(step)
    loop = Loop(max_iter, 0.0, callback)
    dtype = x.dtype
    weighted_sum, weight = np.zeros_like(x, dtype=float), 0.0
    for k in loop:
        g = check_output_shape(grad(x), x, "grad(x)").astype(dtype, copy=False)
        gk = gamma(k)
        weighted_sum += gk * x
        weight += gk
        x_new = np.asarray(mirror.mirror_step(x, g, gk)).astype(dtype, copy=False)
        x = loop.accept(x, x_new)
    x_avg = (weighted_sum / weight).astype(dtype) if weight > 0 else x.copy()
    return loop.result(x, x_avg=x_avg)


def bregman_proximal_gradient(grad, x0, step, mirror, max_iter=1000, tol=0.0, callback=None):
    r"""Bregman proximal gradient method (NoLips) for relatively smooth problems.

    Minimizes a convex differentiable :math:`f` over the set :math:`X` of the
    kernel :math:`h` (``mirror``) by

    .. math::

        x_{k+1} = \operatorname*{argmin}_{x \in X}\;
        \langle\nabla f(x_k), x - x_k\rangle + \frac{1}{\gamma_k}D_h(x, x_k)
        = \nabla(h + \iota_X)^*\big(\nabla h(x_k) - \gamma_k\nabla f(x_k)\big).

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns :math:`\nabla f(x)`.
    x0 : array_like
        Starting point :math:`x_0` in the interior of the domain of :math:`h`.
    step : float or callable
        :math:`\gamma` or ``step(k)``; the rate below needs
        :math:`\gamma_k \le 1/L`.
    mirror : {"entropy", "euclidean"} or MirrorMap
        The kernel :math:`h`.
    max_iter : int, default=1000
        Maximum number of iterations.
    tol : float, default=0.0
        Stop when :math:`\|x_{k+1} - x_k\|_2/\gamma_k \le` ``tol`` (``0``
        disables the test).
    callback : callable, optional
        ``callback(x_{k+1})`` after each iteration; a true value stops.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (the last iterate), ``nit``, ``success``, ``status``, ``message``.

    Notes
    -----
    If :math:`f` is convex and :math:`L`-smooth relative to :math:`h`
    (:math:`Lh - f` convex on the interior of the domain) and
    :math:`\gamma_k = \gamma \le 1/L`, the values :math:`f(x_k)` do not increase
    and, for every :math:`x \in X` and :math:`k \ge 1`,

    .. math::

        f(x_k) - f(x) \le \frac{D_h(x, x_0)}{\gamma k}

    :cite:p:`bauschke2017descent,lu2018`. With :math:`h = \tfrac12\|\cdot\|^2` this
    is gradient descent and its :math:`L\|x_0 - x\|^2/(2k)` rate.
    """
    check_callable(grad, "grad")
    mirror = _as_mirror(mirror)
    x = mirror.check_domain(as_array(x0, "x0"), "x0")
    gamma = _step_rule(step)
    loop = Loop(max_iter, tol, callback)
    dtype = x.dtype
    for k in loop:
        g = check_output_shape(grad(x), x, "grad(x)").astype(dtype, copy=False)
        gk = gamma(k)
        x_old = x
        x = loop.accept(x, np.asarray(mirror.mirror_step(x, g, gk)).astype(dtype, copy=False))
        if loop.stopped or loop.converged(norm(x - x_old) / gk):
            break
    return loop.result(x)


def diagonal_linear_network(A, b, init_scale, step, max_iter=10000, tol=0.0, callback=None):
    r"""Gradient descent on a diagonal linear network for least squares.

    Minimizes :math:`F(u, v) = f(u\odot u - v\odot v)`, with
    :math:`f(w) = \|Aw - b\|^2/(2n)`, by gradient descent on :math:`(u, v)`
    from :math:`u_0 = v_0 = \alpha\mathbf 1` (so :math:`w_0 = 0`):

    .. math::

        r_k = \nabla f(w_k) = A^\top(Aw_k - b)/n, \quad
        u_{k+1} = u_k\odot(1 - 2\gamma r_k), \quad
        v_{k+1} = v_k\odot(1 + 2\gamma r_k), \quad
        w_{k+1} = u_{k+1}^{\odot 2} - v_{k+1}^{\odot 2}.

    Parameters
    ----------
    A : array_like or scipy.sparse matrix, shape (n, d)
        Design matrix.
    b : array_like, shape (n,)
        Targets.
    init_scale : float
        Initialization scale :math:`\alpha > 0`.
    step : float
        Step size :math:`\gamma > 0`.
    max_iter : int, default=10000
        Maximum number of iterations.
    tol : float, default=0.0
        Stop when :math:`\|\nabla f(w_k)\|_2 \le` ``tol`` (``0`` disables the test).
    callback : callable, optional
        ``callback(w_{k+1})`` after each iteration; a true value stops.

    Returns
    -------
    scipy.optimize.OptimizeResult
        ``x`` (the predictor :math:`w = u\odot u - v\odot v`), ``u``, ``v``,
        ``nit``, ``success``, ``status``, ``message``.

    Notes
    -----
    Along the gradient flow, :math:`w(t) = \beta\sinh\theta(t)` with
    :math:`\beta = 2\alpha^2` and :math:`\theta(t) \in \operatorname{range}(A^\top)`:
    the flow is a mirror flow for :class:`HyperbolicEntropy` ``(beta)``. If it
    converges to an interpolating solution, that solution minimizes
    :math:`D_{h_\beta}(w, 0)` subject to :math:`Aw = b`, which tends to the
    minimum-:math:`\ell_1` solution as :math:`\alpha \to 0` and to the
    minimum-:math:`\ell_2` one as :math:`\alpha \to \infty`
    :cite:p:`woodworth2020`.
    """
    A = as_matrix(A, "A")
    n, d = A.shape
    b = as_array(b, "b", ndim=1, dtype=A.dtype)
    if b.shape[0] != n:
        raise ValueError(f"b must have {n} entries (the rows of A), got {b.shape[0]}")
    alpha = check_positive(init_scale, "init_scale")
    gamma = check_positive(step, "step")
    u = np.full(d, alpha, dtype=A.dtype)
    v = u.copy()
    w = np.zeros(d, dtype=A.dtype)
    loop = Loop(max_iter, tol, callback)
    for k in loop:
        r = np.asarray(A.T @ (A @ w - b)) / n
        if loop.converged(norm(r)):
            break
        with np.errstate(over="ignore", invalid="ignore"):  # a divergent step stops the loop
            u_new, v_new = u * (1 - 2 * gamma * r), v * (1 + 2 * gamma * r)
            w_new = u_new * u_new - v_new * v_new
        if np.isfinite(w_new).all():
            u, v = u_new, v_new
        w = loop.accept(w, w_new)
    return loop.result(w, u=u, v=v)
