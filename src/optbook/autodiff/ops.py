"""The differentiable operations of :mod:`optbook.autodiff`.

Each operation is one call of :func:`~optbook.autodiff.engine._apply`: the
NumPy function that computes the value, then one vector-Jacobian product
(VJP, for reverse mode) and one Jacobian-vector product (JVP, for forward
mode) per operand. A VJP is called as ``vjp(g, y, *args)`` with the
cotangent ``g`` of the output, the output ``y`` and the operands; a JVP as
``jvp(t, y, *values)`` with the tangent ``t`` of its operand. VJPs are
written with the operations of this module (not with NumPy), so that a
backward pass can itself be recorded and differentiated (Hessian-vector
products). On plain arrays every operation is just its NumPy function.
"""

import builtins as _bi
from numbers import Integral

import numpy as np

from .engine import _apply, _shape, _Traced, _value

__all__ = [
    "add", "subtract", "multiply", "divide", "power", "negative", "matmul",
    "exp", "log", "log1p", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus",
    "relu", "abs", "sign", "maximum", "minimum", "where",
    "sum", "mean", "max", "min", "logsumexp", "softmax", "log_softmax",
    "reshape", "transpose", "broadcast_to", "concatenate", "stack",
]


# ---------------------------------------------------------------------------
# Broadcasting helpers (written with the operations below, so that they can
# be recorded when a backward pass is itself differentiated)
# ---------------------------------------------------------------------------


def _unbroadcast(g, shape):
    """Sum ``g`` over the axes that broadcasting added or stretched to reach
    its shape from ``shape``: the VJP of broadcasting."""
    gshape = _shape(g)
    if gshape == tuple(shape):
        return g
    extra = len(gshape) - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and gshape[extra + i] != 1
    )
    return reshape(sum(g, axis=axes), shape)


def _normalize_axis(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, Integral) else tuple(axis)
    if ndim == 0:  # as np.sum and np.max: axis 0 or -1 of a 0-d array reduces nothing
        for a in axes:
            if a not in (0, -1):
                raise getattr(np, "exceptions", np).AxisError(a, 0)
        return ()
    return tuple(a % ndim for a in axes)


def _kept_shape(shape, axis):
    """Shape of a reduction over ``axis`` with ``keepdims=True``."""
    axes = _normalize_axis(axis, len(shape))
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _expand(g, shape, axis, keepdims):
    """Reshape the cotangent of a reduction so that it broadcasts against the
    reduced array of shape ``shape``."""
    return g if keepdims else reshape(g, _kept_shape(shape, axis))


# ---------------------------------------------------------------------------
# Arithmetic
# ---------------------------------------------------------------------------


def add(a, b):
    """Elementwise ``a + b`` with broadcasting."""
    sa, sb = _shape(a), _shape(b)
    return _apply(np.add, (a, b),
                  (lambda g, y, a, b: _unbroadcast(g, sa),
                   lambda g, y, a, b: _unbroadcast(g, sb)),
                  (lambda t, y, a, b: t, lambda t, y, a, b: t))


def subtract(a, b):
    """Elementwise ``a - b`` with broadcasting."""
    sa, sb = _shape(a), _shape(b)
    return _apply(np.subtract, (a, b),
                  (lambda g, y, a, b: _unbroadcast(g, sa),
                   lambda g, y, a, b: _unbroadcast(-g, sb)),
                  (lambda t, y, a, b: t, lambda t, y, a, b: -t))


def multiply(a, b):
    """Elementwise ``a * b`` with broadcasting."""
    sa, sb = _shape(a), _shape(b)
    return _apply(np.multiply, (a, b),
                  (lambda g, y, a, b: _unbroadcast(g * b, sa),
                   lambda g, y, a, b: _unbroadcast(g * a, sb)),
                  (lambda t, y, a, b: t * b, lambda t, y, a, b: a * t))


def divide(a, b):
    """Elementwise ``a / b`` with broadcasting."""
    sa, sb = _shape(a), _shape(b)
    return _apply(np.divide, (a, b),
                  (lambda g, y, a, b: _unbroadcast(g / b, sa),
                   lambda g, y, a, b: _unbroadcast(-g * y / b, sb)),
                  (lambda t, y, a, b: t / b, lambda t, y, a, b: -t * y / b))


def power(a, b):
    """Elementwise ``a ** b``; the derivative in ``b`` uses ``log(a)``."""
    sa, sb = _shape(a), _shape(b)
    return _apply(np.power, (a, b),
                  (lambda g, y, a, b: _unbroadcast(g * b * a ** (b - 1), sa),
                   lambda g, y, a, b: _unbroadcast(g * y * log(a), sb)),
                  (lambda t, y, a, b: t * b * a ** (b - 1),
                   lambda t, y, a, b: t * y * log(a)))


def negative(x):
    """Elementwise ``-x``."""
    return _apply(np.negative, (x,), (lambda g, y, x: -g,), (lambda t, y, x: -t,))


def _swap_last(x):
    """Swap the last two axes (the matrix transpose of a stack of matrices)."""
    if isinstance(x, np.ndarray):  # plain backward pass: a view, no node
        return np.swapaxes(x, -1, -2)
    nd = len(_shape(x))
    return transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def matmul(a, b):
    r"""Matrix product ``a @ b`` with NumPy's rules for 1-D and stacked operands.

    The VJPs are :math:`\bar g b^\top` for ``a`` and :math:`a^\top \bar g`
    for ``b``: two products of the same size as the forward one.
    """
    sa, sb = _shape(a), _shape(b)
    if len(sa) == 0 or len(sb) == 0:
        raise ValueError("matmul: operands must have at least one dimension")
    a_vec, b_vec = len(sa) == 1, len(sb) == 1
    if a_vec and b_vec:
        vjps = (lambda g, y, a, b: g * b, lambda g, y, a, b: g * a)
        return _apply(np.matmul, (a, b), vjps,
                      (lambda t, y, a, b: t @ b, lambda t, y, a, b: a @ t))

    def as_matrix_cotangent(g):
        if a_vec:
            g = reshape(g, _shape(g)[:-1] + (1, _shape(g)[-1]))
        if b_vec:
            g = reshape(g, _shape(g) + (1,))
        return g

    def vjp_a(g, y, a, b):
        b2 = reshape(b, (sb[0], 1)) if b_vec else b
        ga = as_matrix_cotangent(g) @ _swap_last(b2)
        if a_vec:
            return reshape(_unbroadcast(ga, (1, sa[0])), sa)
        return _unbroadcast(ga, sa)

    def vjp_b(g, y, a, b):
        a2 = reshape(a, (1, sa[0])) if a_vec else a
        gb = _swap_last(a2) @ as_matrix_cotangent(g)
        if b_vec:
            return reshape(_unbroadcast(gb, (sb[0], 1)), sb)
        return _unbroadcast(gb, sb)

    return _apply(np.matmul, (a, b), (vjp_a, vjp_b),
                  (lambda t, y, a, b: t @ b, lambda t, y, a, b: a @ t))


_UFUNC_TO_OP = {
    np.add: add, np.subtract: subtract, np.multiply: multiply,
    np.true_divide: divide, np.power: power, np.negative: negative,
    np.matmul: matmul, np.positive: lambda x: x,
}


# ---------------------------------------------------------------------------
# Elementwise functions
# ---------------------------------------------------------------------------


def exp(x):
    """Elementwise exponential; derivative ``exp(x)``."""
    return _apply(np.exp, (x,),
                  (lambda g, y, x: g * y,),   # VJP: g exp(x) = g y
                  (lambda t, y, x: t * y,))   # JVP


def log(x):
    """Elementwise natural logarithm; derivative ``1/x``."""
    return _apply(np.log, (x,), (lambda g, y, x: g / x,), (lambda t, y, x: t / x,))


def log1p(x):
    """Elementwise ``log(1 + x)``, accurate for small ``x``; derivative ``1/(1 + x)``."""
    return _apply(np.log1p, (x,), (lambda g, y, x: g / (1 + x),),
                  (lambda t, y, x: t / (1 + x),))


def sqrt(x):
    """Elementwise square root; derivative ``1/(2 sqrt(x))`` (infinite at 0)."""
    return _apply(np.sqrt, (x,), (lambda g, y, x: g / (2 * y),),
                  (lambda t, y, x: t / (2 * y),))


def sin(x):
    """Elementwise sine; derivative ``cos(x)``."""
    return _apply(np.sin, (x,), (lambda g, y, x: g * cos(x),),
                  (lambda t, y, x: t * np.cos(x),))


def cos(x):
    """Elementwise cosine; derivative ``-sin(x)``."""
    return _apply(np.cos, (x,), (lambda g, y, x: -g * sin(x),),
                  (lambda t, y, x: -t * np.sin(x),))


def tanh(x):
    """Elementwise hyperbolic tangent; derivative ``1 - tanh(x)**2``."""
    return _apply(np.tanh, (x,), (lambda g, y, x: g * (1 - y * y),),
                  (lambda t, y, x: t * (1 - y * y),))


def _sigmoid(x):
    return np.exp(-np.logaddexp(0.0, np.negative(x)))


def sigmoid(x):
    """Elementwise logistic function ``1/(1 + exp(-x))``, stable for large ``|x|``.

    Derivative ``sigmoid(x) (1 - sigmoid(x))``.
    """
    return _apply(_sigmoid, (x,), (lambda g, y, x: g * y * (1 - y),),
                  (lambda t, y, x: t * y * (1 - y),))


def softplus(x):
    """Elementwise ``log(1 + exp(x))``, stable for large ``|x|``.

    Derivative ``sigmoid(x)``. The logistic loss is ``softplus(-y * (A @ w))``.
    """
    return _apply(lambda x: np.logaddexp(0.0, x), (x,),
                  (lambda g, y, x: g * sigmoid(x),), (lambda t, y, x: t * _sigmoid(x),))


def relu(x):
    """Elementwise ``max(x, 0)``, with the convention ``relu'(0) = 0``."""
    return _apply(lambda x: np.maximum(x, 0.0), (x,),
                  (lambda g, y, x: g * (x > 0),), (lambda t, y, x: t * (x > 0),))


def abs(x):
    """Elementwise absolute value, with the convention ``abs'(0) = sign(0) = 0``."""
    return _apply(np.abs, (x,), (lambda g, y, x: g * np.sign(_value(x)),),
                  (lambda t, y, x: t * np.sign(x),))


def sign(x):
    """Elementwise sign (``-1``, ``0`` or ``1``), with the convention ``sign' = 0`` everywhere.

    The derivative is ``0`` away from ``0`` and chosen ``0`` at ``0`` (where
    the function jumps and has no Clarke Jacobian). Products such as
    ``sign(z) * relu(abs(z) - t)`` (soft-thresholding) are then differentiated
    through their Lipschitz factor only.
    """
    return _apply(np.sign, (x,), (lambda g, y, x: g * 0.0,),
                  (lambda t, y, x: t * 0.0,))


def _tie_mask(a, b, greater):
    """Weight of ``a`` in ``maximum(a, b)`` (or minimum): 1, 0, or 1/2 at ties."""
    a, b = _value(a), _value(b)
    wins = (a > b) if greater else (a < b)
    return np.where(wins, 1.0, np.where(a == b, 0.5, 0.0))


def _extremum(a, b, greater):
    sa, sb = _shape(a), _shape(b)
    w = _tie_mask(a, b, greater)
    fun = np.maximum if greater else np.minimum
    return _apply(fun, (a, b),
                  (lambda g, y, a, b: _unbroadcast(g * w, sa),
                   lambda g, y, a, b: _unbroadcast(g * (1 - w), sb)),
                  (lambda t, y, a, b: t * w, lambda t, y, a, b: t * (1 - w)))


def maximum(a, b):
    """Elementwise maximum with broadcasting.

    Where ``a == b`` the derivative is split equally: ``1/2`` to each argument
    (the convention of PyTorch and JAX).
    """
    return _extremum(a, b, greater=True)


def minimum(a, b):
    """Elementwise minimum with broadcasting; ties split the derivative equally."""
    return _extremum(a, b, greater=False)


def where(condition, a, b):
    """Elementwise ``a`` where ``condition`` holds, ``b`` elsewhere.

    ``condition`` is a boolean array (a comparison of values, never
    differentiated); the derivative flows to the selected branch only.
    """
    cond = np.asarray(_value(condition), dtype=bool)
    sa, sb = _shape(a), _shape(b)
    return _apply(lambda a, b: np.where(cond, a, b), (a, b),
                  (lambda g, y, a, b: _unbroadcast(where(cond, g, 0.0), sa),
                   lambda g, y, a, b: _unbroadcast(where(cond, 0.0, g), sb)),
                  (lambda t, y, a, b: np.where(cond, t, 0.0),
                   lambda t, y, a, b: np.where(cond, 0.0, t)))


# ---------------------------------------------------------------------------
# Reductions and normalizations
# ---------------------------------------------------------------------------


def sum(x, axis=None, keepdims=False):
    """Sum of the entries of ``x`` over ``axis`` (all axes by default)."""
    sx = _shape(x)
    return _apply(lambda x: np.sum(x, axis=axis, keepdims=keepdims), (x,),
                  (lambda g, y, x: broadcast_to(_expand(g, sx, axis, keepdims), sx),),
                  (lambda t, y, x: np.sum(t, axis=axis, keepdims=keepdims),))


def mean(x, axis=None, keepdims=False):
    """Mean of the entries of ``x`` over ``axis`` (all axes by default)."""
    sx = _shape(x)
    count = int(np.prod([sx[a] for a in _normalize_axis(axis, len(sx))]))
    return sum(x, axis=axis, keepdims=keepdims) / count


def _reduce_extremum(x, axis, keepdims, fun):
    sx = _shape(x)
    xv = _value(x)
    out_kept = fun(xv, axis=axis, keepdims=True)
    w = (xv == out_kept).astype(float)
    w /= np.sum(w, axis=axis, keepdims=True)  # ties share the derivative
    return _apply(lambda x: fun(x, axis=axis, keepdims=keepdims), (x,),
                  (lambda g, y, x: _expand(g, sx, axis, keepdims) * w,),
                  (lambda t, y, x: np.sum(t * w, axis=axis, keepdims=keepdims),))


def max(x, axis=None, keepdims=False):
    """Largest entry of ``x`` over ``axis``; tied entries share the derivative."""
    return _reduce_extremum(x, axis, keepdims, np.max)


def min(x, axis=None, keepdims=False):
    """Smallest entry of ``x`` over ``axis``; tied entries share the derivative."""
    return _reduce_extremum(x, axis, keepdims, np.min)


def _logsumexp(x, axis, keepdims):
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=_normalize_axis(axis, np.ndim(x)))


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` over ``axis``, computed stably (shifted by the max).

    Its gradient is the softmax of ``x`` along ``axis``.
    """
    sx = _shape(x)

    def vjp(g, y, x):
        return _expand(g, sx, axis, keepdims) * exp(x - _expand(y, sx, axis, keepdims))

    def jvp(t, y, x):
        p = np.exp(x - _expand(y, sx, axis, keepdims))
        return np.sum(t * p, axis=axis, keepdims=keepdims)

    return _apply(lambda x: _logsumexp(x, axis, keepdims), (x,), (vjp,), (jvp,))


def softmax(x, axis=-1):
    """Softmax ``exp(x) / sum(exp(x))`` along ``axis``, computed stably."""

    def fwd(x):
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)

    return _apply(fwd, (x,),
                  (lambda g, y, x: y * (g - sum(g * y, axis=axis, keepdims=True)),),
                  (lambda t, y, x: y * (t - np.sum(t * y, axis=axis, keepdims=True)),))


def log_softmax(x, axis=-1):
    """Log of the softmax along ``axis``: ``x - logsumexp(x)``, computed stably."""
    return _apply(lambda x: x - _logsumexp(x, axis, True), (x,),
                  (lambda g, y, x: g - exp(y) * sum(g, axis=axis, keepdims=True),),
                  (lambda t, y, x: t - np.sum(np.exp(y) * t, axis=axis, keepdims=True),))


# ---------------------------------------------------------------------------
# Shapes and indexing
# ---------------------------------------------------------------------------


def reshape(x, shape):
    """Array with the entries of ``x`` and the given shape."""
    sx = _shape(x)
    return _apply(lambda x: np.reshape(x, shape), (x,),
                  (lambda g, y, x: reshape(g, sx),),
                  (lambda t, y, x: np.reshape(t, shape),))


def transpose(x, axes=None):
    """Permutation of the axes of ``x`` (reversal by default)."""
    nd = len(_shape(x))
    axes = tuple(range(nd))[::-1] if axes is None else tuple(a % nd for a in axes)
    inverse = tuple(sorted(range(nd), key=axes.__getitem__))
    return _apply(lambda x: np.transpose(x, axes), (x,),
                  (lambda g, y, x: transpose(g, inverse),),
                  (lambda t, y, x: np.transpose(t, axes),))


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape``; the VJP sums over the broadcast axes."""
    sx = _shape(x)
    shape = tuple(shape)
    return _apply(lambda x: np.broadcast_to(x, shape), (x,),
                  (lambda g, y, x: _unbroadcast(g, sx),),
                  (lambda t, y, x: np.broadcast_to(t, shape),))


def _check_index(index):
    parts = index if isinstance(index, tuple) else (index,)
    for p in parts:
        if isinstance(p, _Traced):
            raise TypeError("an index cannot be a value being differentiated; "
                            "use .value (indices are not differentiable)")
    return index


def _is_basic(index):
    """True for basic indexing (ints, slices, None, ...): no entry twice."""
    parts = index if isinstance(index, tuple) else (index,)
    return _bi.all(isinstance(p, (Integral, slice, type(None), type(Ellipsis)))
                   for p in parts)


def _scatter(g, index, shape):
    """Zeros of ``shape`` with ``g`` added at ``index``: the VJP of indexing.

    With integer-array indices an entry may be selected several times; its
    cotangents then add up (``np.add.at``).
    """
    basic = _is_basic(index)

    def fwd(g):
        out = np.zeros(shape)
        if basic:
            out[index] = g
        else:
            np.add.at(out, index, g)
        return out

    return _apply(fwd, (g,), (lambda h, y, g: _getitem(h, index),),
                  (lambda t, y, g: fwd(t),))


def _getitem(x, index):
    index = _check_index(index)
    sx = _shape(x)
    return _apply(lambda x: x[index], (x,),
                  (lambda g, y, x: _scatter(g, index, sx),),
                  (lambda t, y, x: t[index],))


def concatenate(arrays, axis=0):
    """Join a sequence of arrays along an existing axis."""
    arrays = tuple(arrays)
    nd = len(_shape(arrays[0]))
    if nd == 0:
        raise ValueError("concatenate: zero-dimensional arrays cannot be concatenated")
    ax = axis % nd
    bounds = np.cumsum([0] + [_shape(a)[ax] for a in arrays])

    def vjp_i(i):
        sl = (slice(None),) * ax + (slice(int(bounds[i]), int(bounds[i + 1])),)
        return lambda g, y, *xs: _getitem(g, sl)

    return _apply(lambda *xs: np.concatenate(xs, axis=ax), arrays,
                  tuple(vjp_i(i) for i in range(len(arrays))),
                  tuple((lambda i: lambda t, y, *xs: _jvp_concat(t, i, xs, ax))(i)
                        for i in range(len(arrays))))


def _jvp_concat(t, i, xs, ax):
    parts = [t if j == i else np.zeros_like(x, dtype=float) for j, x in enumerate(xs)]
    return np.concatenate(parts, axis=ax)


def stack(arrays, axis=0):
    """Join a sequence of arrays of the same shape along a new axis."""
    arrays = tuple(arrays)
    shape = _shape(arrays[0])
    if any(_shape(a) != shape for a in arrays):
        raise ValueError("stack: all arrays must have the same shape, got "
                         f"{[_shape(a) for a in arrays]}")
    nd = len(shape) + 1
    ax = axis % nd
    expanded = [reshape(a, shape[:ax] + (1,) + shape[ax:]) for a in arrays]
    return concatenate(expanded, axis=ax)
