"""User-facing transformations: functions that take a function and return its derivatives.

:func:`grad`, :func:`value_and_grad` and :func:`vjp` run the function once on
graph nodes (:class:`~optbook.autodiff.Var`) and then the reverse sweep of
:mod:`optbook.autodiff.engine`; :func:`jvp` runs it on dual numbers
(:class:`~optbook.autodiff.Dual`); :func:`hvp` differentiates a recorded
gradient once more; :func:`jacobian` stacks VJPs or JVPs; :func:`check_grad`
compares a gradient with finite differences. Arguments may be arrays or
(nested) lists, tuples and dicts of arrays ("pytrees").
"""

import builtins as _bi
from numbers import Integral

import numpy as np

from .._validation import as_float_array, check_callable
from .engine import Dual, Var, _backward, _shape, _toposort, _Traced, _value
from .ops import multiply, sum

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "hvp", "jacobian", "check_grad"]


# ---------------------------------------------------------------------------
# Pytrees: arguments may be arrays or (nested) lists, tuples and dicts
# ---------------------------------------------------------------------------


def _tree_leaves(tree):
    if isinstance(tree, dict):
        return [leaf for k in tree for leaf in _tree_leaves(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _tree_leaves(item)]
    return [tree]


def _tree_unflatten(tree, leaves):
    """Rebuild the structure of ``tree`` from an iterator over new leaves."""
    if isinstance(tree, dict):
        return {k: _tree_unflatten(tree[k], leaves) for k in tree}
    if isinstance(tree, (list, tuple)):
        items = [_tree_unflatten(item, leaves) for item in tree]
        return tuple(items) if isinstance(tree, tuple) else items
    return next(leaves)


def _tree_map(fun, tree):
    return _tree_unflatten(tree, iter([fun(leaf) for leaf in _tree_leaves(tree)]))


def _same_structure(a, b, name_a, name_b):
    def skeleton(t):
        return _tree_map(lambda leaf: None, t)

    if skeleton(a) != skeleton(b):
        raise ValueError(f"{name_a} and {name_b} must have the same structure")


def _as_leaf_node(x, name):
    """Input node for a differentiated leaf (a new node linked to ``x`` when
    ``x`` is itself being differentiated by an enclosing call)."""
    if isinstance(x, Dual):
        raise TypeError(f"{name}: reverse mode inside jvp is not supported; "
                        "use hvp for second-order products")
    if isinstance(x, Var):
        return Var(x.value, (x,), (lambda g, y, x: g,))
    return Var(as_float_array(x, name))


def _as_argnums(argnums, nargs):
    single = isinstance(argnums, Integral)
    if not (single or isinstance(argnums, (tuple, list))):
        raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r}")
    nums = (argnums,) if single else tuple(argnums)
    for k in nums:
        if not isinstance(k, Integral) or isinstance(k, bool):
            raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r}")
        if not -nargs <= k < nargs:
            raise ValueError(f"argnums={argnums!r} but the function got {nargs} "
                             "positional argument(s)")
    return single, tuple(k % nargs for k in nums)


def _trace(fun, args, kwargs, argnums, has_aux):
    """Run ``fun`` with input nodes at ``argnums``; return what the backward
    pass needs."""
    single, nums = _as_argnums(argnums, len(args))
    args = list(args)
    trees, leaves = [], []
    nested = False
    for k in nums:
        tree_leaves = _tree_leaves(args[k])
        nested = nested or _bi.any(isinstance(x, Var) for x in tree_leaves)
        nodes = [_as_leaf_node(x, f"argument {k}") for x in tree_leaves]
        trees.append(args[k])
        leaves.append(nodes)
        args[k] = _tree_unflatten(args[k], iter(nodes))
    result = fun(*args, **kwargs)
    if has_aux:
        if not (isinstance(result, tuple) and len(result) == 2):
            raise ValueError("with has_aux=True, fun must return a pair (output, aux)")
        out, aux = result
        if not nested:  # aux is returned as plain values
            aux = _tree_map(lambda leaf: leaf.value if isinstance(leaf, Var) else leaf, aux)
    else:
        out, aux = result, None
    if isinstance(out, Dual):
        raise TypeError("fun returned a forward-mode value (Dual); "
                        "reverse mode inside jvp is not supported")
    flat = [x for nodes in leaves for x in nodes]
    order = None
    if isinstance(out, Var):
        order, foreign = _toposort(out, flat)
        nested = nested or foreign
    return _Trace(single, trees, leaves, flat, out, aux, nested, order)


class _Trace:
    """Everything the backward pass needs about one recorded evaluation."""

    def __init__(self, single, trees, leaves, flat, out, aux, nested, order):
        self.single, self.trees, self.leaves, self.flat = single, trees, leaves, flat
        self.out, self.aux, self.nested, self.order = out, aux, nested, order

    def gradients(self, seed):
        """Cotangents of the inputs for the output cotangent ``seed``,
        arranged like the differentiated arguments."""
        if isinstance(self.out, Var):
            flat = _backward(self.out, self.flat, seed, self.nested, self.order)
        else:  # the output does not depend on the inputs
            flat = [np.zeros(x.shape) for x in self.flat]
        it = iter(flat)
        grads = [_tree_unflatten(tree, it) for tree in self.trees]
        return grads[0] if self.single else tuple(grads)

    def value(self):
        """The output: a plain array, or a node when an enclosing call is
        differentiating through this one."""
        if self.nested:
            return self.out
        return np.asarray(_value(self.out), dtype=np.float64)


# ---------------------------------------------------------------------------
# Public differentiation API
# ---------------------------------------------------------------------------


def value_and_grad(fun, argnums=0, has_aux=False):
    r"""Return a function computing ``fun`` and its gradient by reverse mode.

    Parameters
    ----------
    fun : callable
        Scalar function ``fun(*args, **kwargs)`` written with the operations
        of :mod:`optbook.autodiff`. Its output must have one entry.
    argnums : int or tuple of int, default=0
        Positional argument(s) to differentiate. Each may be an array or a
        (nested) list, tuple or dict of arrays (e.g. the parameters of a
        network); the gradient has the same structure.
    has_aux : bool, default=False
        If True, ``fun`` returns a pair ``(output, aux)`` and ``aux`` (not
        differentiated) is passed through.

    Returns
    -------
    callable
        ``value_and_grad(fun)(*args)`` returns ``(value, gradient)`` (or
        ``((value, aux), gradient)`` with ``has_aux``); a tuple of gradients
        if ``argnums`` is a tuple. Values and gradients are float64 arrays.

    Notes
    -----
    One forward pass records the graph, one backward pass propagates
    cotangents from the output (seed :math:`\bar y = 1`) to the inputs: the
    cost is a small constant times the cost of ``fun``, whatever the number of
    inputs (cheap gradient principle, Griewank and Walther, 2008, ch. 4). The
    memory is that of all intermediate values.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook.autodiff as ad
    >>> f = lambda x: ad.sum(x ** 2) / 2
    >>> value, g = ad.value_and_grad(f)(np.array([1.0, -2.0]))
    >>> float(value), g
    (2.5, array([ 1., -2.]))
    """
    check_callable(fun, "fun")

    def value_and_grad_fun(*args, **kwargs):
        trace = _trace(fun, args, kwargs, argnums, has_aux)
        if np.size(_value(trace.out)) != 1:
            raise ValueError(
                f"grad requires fun to return a scalar (one entry), got shape "
                f"{_shape(trace.out)}; use vjp or jacobian for vector-valued functions"
            )
        grads = trace.gradients(np.ones(_shape(trace.out)))
        value = trace.value()
        return ((value, trace.aux) if has_aux else value), grads

    return value_and_grad_fun


def grad(fun, argnums=0, has_aux=False):
    """Return a function computing the gradient of ``fun`` by reverse mode.

    Parameters
    ----------
    fun : callable
        Scalar function written with the operations of :mod:`optbook.autodiff`.
    argnums : int or tuple of int, default=0
        Positional argument(s) to differentiate (arrays or nested lists,
        tuples, dicts of arrays).
    has_aux : bool, default=False
        If True, ``fun`` returns ``(output, aux)`` and the gradient function
        returns ``(gradient, aux)``.

    Returns
    -------
    callable
        Function with the signature of ``fun`` returning the gradient (same
        structure as the differentiated argument; a tuple for several
        ``argnums``). See :func:`value_and_grad`.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook.autodiff as ad
    >>> ad.grad(lambda x: ad.sum(ad.relu(x)))(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 1.])
    """
    vg = value_and_grad(fun, argnums=argnums, has_aux=has_aux)

    def grad_fun(*args, **kwargs):
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return grad_fun


def vjp(fun, x):
    r"""Evaluate ``fun`` at ``x`` and return its vector-Jacobian product.

    Parameters
    ----------
    fun : callable
        Function of one argument written with :mod:`optbook.autodiff`
        operations, returning an array of any shape.
    x : array_like or list/tuple/dict of array_like
        Point of evaluation.

    Returns
    -------
    value : numpy.ndarray
        ``fun(x)``.
    pullback : callable
        ``pullback(u)`` returns :math:`u^\top J` (the gradient of
        :math:`\langle u, \mathrm{fun}(x)\rangle`), with the structure of ``x``, for a cotangent ``u``
        of the shape of ``fun(x)``. The graph is recorded once, so each call
        costs one backward pass.
    """
    check_callable(fun, "fun")
    trace = _trace(fun, (x,), {}, 0, False)
    shape = _shape(trace.out)

    def pullback(u):
        u = as_float_array(u, "u")
        if u.shape != shape:
            raise ValueError(f"u must have the shape of fun(x), {shape}, got {u.shape}")
        return trace.gradients(u)

    return trace.value(), pullback


def jvp(fun, x, v):
    r"""Forward mode: value and Jacobian-vector product of ``fun`` at ``x``.

    Parameters
    ----------
    fun : callable
        Function of one argument written with :mod:`optbook.autodiff`
        operations.
    x : array_like or list/tuple/dict of array_like
        Point of evaluation.
    v : array_like or list/tuple/dict of array_like
        Tangent direction, with the structure and shapes of ``x``.

    Returns
    -------
    value : numpy.ndarray
        ``fun(x)``.
    tangent : numpy.ndarray
        :math:`J_{fun}(x)\, v`, the directional derivative of ``fun`` at
        ``x`` along ``v``.

    Notes
    -----
    Each input is a dual number :math:`x + \varepsilon v`; every operation propagates the
    tangent with its Jacobian-vector product in the same pass as the value.
    The cost is a small constant times that of ``fun`` per direction ``v``,
    so forward mode suits functions with few inputs and many outputs.
    """
    check_callable(fun, "fun")
    _same_structure(x, v, "x", "v")
    xs, vs = _tree_leaves(x), _tree_leaves(v)
    duals = []
    for i, (xi, vi) in enumerate(zip(xs, vs)):
        if isinstance(xi, _Traced) or isinstance(vi, _Traced):
            raise TypeError("jvp cannot be nested inside grad or jvp; "
                            "use hvp for second-order products")
        xi = as_float_array(xi, "x")
        vi = as_float_array(vi, "v")
        if xi.shape != vi.shape:
            raise ValueError(f"x and v must have the same shapes, got {xi.shape} "
                             f"and {vi.shape}")
        duals.append(Dual(xi, vi))
    out = fun(_tree_unflatten(x, iter(duals)))
    if isinstance(out, Var):
        raise TypeError("jvp cannot be nested inside grad")
    if isinstance(out, Dual):
        return np.asarray(out.value, dtype=float), np.asarray(out.tangent, dtype=float)
    value = np.asarray(out, dtype=float)
    return value, np.zeros_like(value)


def _tree_vdot(a, b):
    total = 0.0
    for ai, bi in zip(_tree_leaves(a), _tree_leaves(b)):
        total = total + sum(multiply(ai, bi))
    return total


def hvp(fun, x, v):
    r"""Hessian-vector product :math:`\nabla^2 f(x)\, v` by reverse over reverse.

    Parameters
    ----------
    fun : callable
        Scalar function of one argument (twice differentiable where evaluated).
    x : array_like or list/tuple/dict of array_like
        Point of evaluation.
    v : array_like or list/tuple/dict of array_like
        Direction, with the structure and shapes of ``x``.

    Returns
    -------
    numpy.ndarray or list/tuple/dict of numpy.ndarray
        :math:`\nabla^2 f(x) v`, with the structure of ``x``.

    Notes
    -----
    Uses :math:`\nabla^2 f(x) v = \nabla_x \langle \nabla f(x), v\rangle`: the
    backward pass computing :math:`\nabla f` is recorded and differentiated
    once more, at a small constant times the cost of a gradient (Pearlmutter,
    1994), without forming the Hessian.
    """
    check_callable(fun, "fun")
    _same_structure(x, v, "x", "v")
    v = _tree_map(lambda leaf: as_float_array(leaf, "v"), v)
    inner = grad(fun)
    return grad(lambda y: _tree_vdot(inner(y), v))(x)


def jacobian(fun, x, mode="reverse"):
    """Full Jacobian of ``fun`` at a 1-D or n-D array ``x``.

    Parameters
    ----------
    fun : callable
        Function of one array argument, returning an array.
    x : array_like
        Point of evaluation.
    mode : {"reverse", "forward"}, default="reverse"
        ``"reverse"``: one forward pass and one backward pass per output
        entry (rows of the Jacobian); ``"forward"``: one :func:`jvp` per input
        entry (columns). Reverse mode is cheaper when there are fewer outputs
        than inputs, and conversely.

    Returns
    -------
    numpy.ndarray
        Array of shape ``fun(x).shape + x.shape``.
    """
    check_callable(fun, "fun")
    x = as_float_array(x, "x")
    if mode == "reverse":
        value, pullback = vjp(fun, x)
        rows = []
        for i in range(value.size):
            u = np.zeros(value.size)
            u[i] = 1.0
            rows.append(pullback(u.reshape(value.shape)))
        return np.array(rows).reshape(value.shape + x.shape)
    if mode == "forward":
        cols = []
        for j in range(x.size):
            e = np.zeros(x.size)
            e[j] = 1.0
            value, t = jvp(fun, x, e.reshape(x.shape))
            cols.append(t)
        if not cols:
            return np.zeros(x.shape)
        return np.moveaxis(np.array(cols), 0, -1).reshape(cols[0].shape + x.shape)
    raise ValueError(f"mode must be 'reverse' or 'forward', got {mode!r}")


def check_grad(f, x, grad=None, eps=1e-6, n_directions=5, rng=0):
    r"""Relative error of a gradient against central finite differences.

    For ``n_directions`` random Gaussian directions :math:`v`, compares the
    directional derivative :math:`\langle g(x), v\rangle` given by ``grad``
    with the central difference

    .. math::

        \frac{f(x + \varepsilon v) - f(x - \varepsilon v)}{2\varepsilon}
        = \langle \nabla f(x), v\rangle + O(\varepsilon^2),

    and returns the largest relative error
    :math:`\abs{d_{\mathrm{fd}} - d_g} / \max(\abs{d_{\mathrm{fd}}}, \abs{d_g})`
    over the directions. The error of a correct gradient is of the order of
    :math:`\varepsilon^2` (truncation) plus
    :math:`u\abs{f(x)}/(\varepsilon\abs{d})` (rounding, :math:`u` the unit
    roundoff of ``x``'s dtype); with ``float64`` and the default
    ``eps=1e-6`` it is typically below ``1e-6``, while a wrong gradient gives
    an error of order one. Near a kink of :math:`f` (a ReLU at 0) a
    difference that crosses the kink adds an error of the order of
    :math:`\varepsilon` over the distance to the kink.

    Parameters
    ----------
    f : callable
        Scalar function, ``f(x)`` returns a float (plain NumPy evaluation).
    x : array_like or list/tuple/dict of array_like
        Point of the check (for a network, the list of its parameters).
        Not modified.
    grad : callable, optional
        ``grad(x)`` returns the gradient to check, with the structure of
        ``x``. Default: the reverse-mode gradient :func:`grad` of ``f``.
    eps : float, default=1e-6
        Finite-difference step :math:`\varepsilon > 0` (relative to unit-norm
        directions :math:`v/\|v\|`).
    n_directions : int, default=5
        Number of random directions.
    rng : int or numpy.random.Generator, default=0
        Seed or generator of the directions.

    Returns
    -------
    float
        The largest relative error over the directions (``0.0`` when both
        directional derivatives vanish).

    Examples
    --------
    >>> import numpy as np
    >>> import optbook.autodiff as ad
    >>> f = lambda x: ad.sum(ad.exp(x)) / 2
    >>> x = np.linspace(-1.0, 1.0, 5)
    >>> ad.check_grad(f, x) < 1e-7                          # autodiff
    True
    >>> ad.check_grad(f, x, grad=lambda x: np.exp(x)) > 0.5  # off by 2
    True
    """
    f = check_callable(f, "f")
    if grad is None:
        grad = globals()["grad"](f)
    else:
        grad = check_callable(grad, "grad")
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)) \
            or not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps must be a positive finite float, got {eps!r}")
    if isinstance(n_directions, bool) or not isinstance(n_directions, Integral) \
            or n_directions < 1:
        raise ValueError(f"n_directions must be a positive int, got {n_directions!r}")
    x = _tree_map(lambda leaf: as_float_array(leaf, "x").copy(), x)
    if not all(np.all(np.isfinite(leaf)) for leaf in _tree_leaves(x)):
        raise ValueError("x must have finite entries")
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    g = grad(_tree_map(np.copy, x))
    _same_structure(x, g, "x", "grad(x)")
    g_leaves = [np.asarray(leaf, dtype=float) for leaf in _tree_leaves(g)]
    for gl, xl in zip(g_leaves, _tree_leaves(x)):
        if gl.shape != xl.shape:
            raise ValueError(f"grad(x) has a leaf of shape {gl.shape} where x has "
                             f"shape {xl.shape}")

    def shifted(v, t):
        return _tree_unflatten(x, iter([xl + t * vl.astype(xl.dtype) for xl, vl
                                        in zip(_tree_leaves(x), v)]))

    worst = 0.0
    for _ in range(n_directions):
        v = [gen.standard_normal(xl.shape) for xl in _tree_leaves(x)]
        norm = np.sqrt(_bi.sum(float(np.sum(vl * vl)) for vl in v))
        v = [vl / norm for vl in v] if norm > 0 else v
        d_g = _bi.sum(float(np.sum(gl * vl)) for gl, vl in zip(g_leaves, v))
        d_fd = (float(f(shifted(v, eps))) - float(f(shifted(v, -eps)))) / (2 * eps)
        scale = _bi.max(_bi.abs(d_g), _bi.abs(d_fd))
        if scale > 0:
            worst = _bi.max(worst, _bi.abs(d_fd - d_g) / scale)
    return float(worst)
