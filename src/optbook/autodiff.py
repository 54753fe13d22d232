r"""Automatic differentiation on NumPy arrays: reverse mode and forward mode.

A function is written with NumPy-like operations on its arguments::

    import optbook.autodiff as ad

    def loss(w, A, b):
        return ad.mean(ad.softplus(-b * (A @ w)))

    g = ad.grad(loss)(w, A, b)                   # gradient with respect to w
    value, g = ad.value_and_grad(loss)(w, A, b)

Supported operations are ``+ - * / ** @``, unary ``-``, comparisons (which
return plain boolean arrays), indexing ``x[...]``, ``x.T``, ``x.reshape``,
``x.sum``, ``x.mean``, ``x.max``, ``x.min``, and the functions of this module:
:func:`exp`, :func:`log`, :func:`log1p`, :func:`sqrt`, :func:`sin`,
:func:`cos`, :func:`tanh`, :func:`sigmoid`, :func:`softplus`, :func:`relu`,
:func:`abs`, :func:`sign`, :func:`maximum`, :func:`minimum`, :func:`where`, :func:`sum`,
:func:`mean`, :func:`max`, :func:`min`, :func:`logsumexp`, :func:`softmax`,
:func:`log_softmax`, :func:`reshape`, :func:`transpose`,
:func:`broadcast_to`, :func:`concatenate`, :func:`stack`. On plain arrays
these functions simply return NumPy arrays. Calling a NumPy function (such as
``np.exp`` or ``np.dot``) on a value being differentiated raises a
:class:`TypeError` that names the function and its replacement.

How reverse mode works
----------------------
:func:`grad` wraps each differentiated input in a :class:`Var`, a node of a
computational graph. Every operation on a :class:`Var` computes its value
with NumPy and records its inputs together with one *vector-Jacobian
product* (VJP) per input: the linear map :math:`\bar y \mapsto \bar y^\top
\partial y / \partial x_i` that carries the cotangent :math:`\bar y` of the
output back to the input. The backward pass visits the nodes in reverse
topological order (computed iteratively, so deep graphs are fine), seeds the
output with :math:`\bar y = 1`, and adds up the contributions reaching each
node. Each VJP costs a small constant times its operation, so a gradient
costs a small constant times the function (the *cheap gradient principle*,
Griewank and Walther, 2008), at the price of keeping every intermediate
value in memory until the backward pass.

Forward mode (:func:`jvp`) propagates instead a tangent alongside each value
(:class:`Dual` numbers), one *Jacobian-vector product* per operation; it
costs a small constant times the function per input direction.

VJPs are written with the operations of this module, so the backward pass
can itself be recorded: :func:`hvp` computes Hessian-vector products by
differentiating a gradient (reverse over reverse), and ``grad(grad(f))``
works for scalar functions.

Nonsmooth points
----------------
Automatic differentiation applies the chain rule to the derivatives that the
primitives *declare*, and at kinks these are conventions:

* ``relu'(0) = 0`` and ``abs'(0) = 0`` (``sign(0) = 0``);
* :func:`maximum` and :func:`minimum` split the derivative equally between
  the two arguments where they are equal, so ``maximum(x, 0)`` has derivative
  ``1/2`` at ``0`` while ``relu(x)`` has ``0``: two programs for the same
  function, two different "derivatives";
* :func:`max` and :func:`min` reductions share the derivative equally among
  tied entries;
* :func:`where` differentiates the selected branch only.

With these conventions the program ``relu(x) - relu(-x)``, which computes the
identity, gets derivative ``0`` at ``x = 0`` instead of ``1``. Bolte and
Pauwels (2021) show that for programs built from locally Lipschitz definable
(e.g. semialgebraic) primitives such outputs are *conservative gradients*, which
agree with the gradient except on a set of measure zero (``sign``, which
jumps at 0, is not covered by that theorem).

References
----------
- Griewank and Walther, *Evaluating Derivatives*, 2nd ed., SIAM, 2008.
- Bolte and Pauwels, "Conservative set valued fields, automatic
  differentiation, stochastic gradient methods and deep learning", Math.
  Program. 188, 2021.
"""

import builtins as _bi
from numbers import Integral

import numpy as np

from ._validation import as_float_array, check_callable

__all__ = [
    # differentiation
    "grad", "value_and_grad", "vjp", "jvp", "hvp", "jacobian",
    # checking a gradient
    "check_grad",
    # values
    "Var", "Dual",
    # operations
    "add", "subtract", "multiply", "divide", "power", "negative", "matmul",
    "exp", "log", "log1p", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus",
    "relu", "abs", "sign", "maximum", "minimum", "where",
    "sum", "mean", "max", "min", "logsumexp", "softmax", "log_softmax",
    "reshape", "transpose", "broadcast_to", "concatenate", "stack",
]


# ---------------------------------------------------------------------------
# Values: graph nodes (reverse mode) and dual numbers (forward mode)
# ---------------------------------------------------------------------------


class _Traced:
    """Operators shared by :class:`Var` and :class:`Dual`."""

    __slots__ = ()
    __array_priority__ = 1000  # make ndarray (op) Var defer to Var

    # -- array attributes (of the value) --
    @property
    def shape(self):
        """Shape of the value."""
        return np.shape(self.value)

    @property
    def ndim(self):
        """Number of dimensions of the value."""
        return np.ndim(self.value)

    @property
    def size(self):
        """Number of entries of the value."""
        return np.size(self.value)

    @property
    def dtype(self):
        """Data type of the value."""
        return np.asarray(self.value).dtype

    def __len__(self):
        return len(self.value)

    # -- arithmetic --
    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __sub__(self, other):
        return subtract(self, other)

    def __rsub__(self, other):
        return subtract(other, self)

    def __mul__(self, other):
        return multiply(self, other)

    def __rmul__(self, other):
        return multiply(other, self)

    def __truediv__(self, other):
        return divide(self, other)

    def __rtruediv__(self, other):
        return divide(other, self)

    def __pow__(self, other):
        return power(self, other)

    def __rpow__(self, other):
        return power(other, self)

    def __matmul__(self, other):
        return matmul(self, other)

    def __rmatmul__(self, other):
        return matmul(other, self)

    def __neg__(self):
        return negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return abs(self)

    # -- comparisons act on values and return plain boolean arrays --
    def __lt__(self, other):
        return self.value < _value(other)

    def __le__(self, other):
        return self.value <= _value(other)

    def __gt__(self, other):
        return self.value > _value(other)

    def __ge__(self, other):
        return self.value >= _value(other)

    # -- shape manipulation and reductions --
    def __getitem__(self, index):
        return _getitem(self, index)

    def __setitem__(self, index, value):
        raise TypeError(
            "in-place assignment x[...] = ... is not supported on a value being "
            "differentiated; build the array with where(), concatenate() or stack()"
        )

    @property
    def T(self):
        """Transpose (reversed axes)."""
        return transpose(self)

    def reshape(self, *shape):
        """Reshaped copy; see :func:`reshape`."""
        if len(shape) == 1 and not isinstance(shape[0], Integral):
            shape = shape[0]
        return reshape(self, shape)

    def transpose(self, *axes):
        """Permuted axes; see :func:`transpose`."""
        if len(axes) == 1 and not isinstance(axes[0], Integral):
            axes = axes[0]
        return transpose(self, axes or None)

    def sum(self, axis=None, keepdims=False):
        """Sum of entries; see :func:`sum`."""
        return sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        """Mean of entries; see :func:`mean`."""
        return mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        """Largest entry; see :func:`max`."""
        return max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        """Smallest entry; see :func:`min`."""
        return min(self, axis=axis, keepdims=keepdims)

    # -- guard rails against silent detaching from the graph --
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs:
            if ufunc in _UFUNC_TO_OP:
                return _UFUNC_TO_OP[ufunc](*inputs)
            if ufunc in _COMPARISONS:
                return ufunc(*[_value(x) for x in inputs])
        raise TypeError(_unsupported(f"numpy.{ufunc.__name__}", ufunc.__name__))

    def __array_function__(self, func, types, args, kwargs):
        if func in _SHAPE_FUNCTIONS:  # inspection only: safe on the value
            return func(*[_value(a) for a in args], **kwargs)
        return _raise_unsupported(func)

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            f"cannot convert an optbook.autodiff.{type(self).__name__} to a NumPy "
            "array inside a differentiated function: this would silently cut the "
            "derivative. Use optbook.autodiff operations, or .value to read the "
            "value outside of the function."
        )

    def __float__(self):
        raise TypeError(
            f"float() of an optbook.autodiff.{type(self).__name__} would silently "
            "cut the derivative; use .value outside of the differentiated function"
        )

    def __bool__(self):
        return bool(self.value)


class Var(_Traced):
    """A node of the computational graph recorded for reverse mode.

    Users do not create nodes: :func:`grad`, :func:`value_and_grad`,
    :func:`vjp` and :func:`hvp` wrap the differentiated inputs, and every
    operation on a node returns a new node.

    Attributes
    ----------
    value : numpy.ndarray
        The value computed by the forward pass.
    inputs : tuple
        The operands of the operation that produced this node (nodes or
        constant arrays); empty for an input.
    vjps : tuple of callable
        One vector-Jacobian product per operand: ``vjps[i](g, out, *inputs)``
        maps the cotangent ``g`` of this node to the contribution for
        ``inputs[i]``.
    """

    __slots__ = ("value", "inputs", "vjps")

    def __init__(self, value, inputs=(), vjps=()):
        self.value = value
        self.inputs = inputs
        self.vjps = vjps

    def __repr__(self):
        return f"Var({self.value!r})"


class Dual(_Traced):
    r"""A dual number :math:`x + \varepsilon \dot x` (value and tangent) for forward mode.

    Users do not create dual numbers: :func:`jvp` wraps its inputs, and every
    operation on a :class:`Dual` returns a new one whose tangent is the
    Jacobian-vector product of the operation applied to the input tangents.

    Attributes
    ----------
    value : numpy.ndarray
        The value.
    tangent : numpy.ndarray
        The directional derivative of the value, same shape.
    """

    __slots__ = ("value", "tangent")

    def __init__(self, value, tangent):
        self.value = value
        self.tangent = tangent

    def __repr__(self):
        return f"Dual({self.value!r}, tangent={self.tangent!r})"


def _value(x):
    return x.value if isinstance(x, _Traced) else x


def _shape(x):
    v = x.value if isinstance(x, _Traced) else x
    return v.shape if isinstance(v, np.ndarray) else np.shape(v)


def _apply(fun, args, vjps, jvps):
    """Evaluate the primitive ``fun`` on plain arrays, dual numbers or nodes.

    ``vjps[i](g, out, *args)`` and ``jvps[i](t, out, *values)`` give the
    vector-Jacobian and Jacobian-vector products for the operand ``args[i]``.
    """
    has_var = has_dual = False
    for a in args:
        if isinstance(a, Var):
            has_var = True
        elif isinstance(a, Dual):
            has_dual = True
    if not (has_var or has_dual):  # plain NumPy evaluation
        return fun(*args)
    if has_var and has_dual:
        raise TypeError(
            "cannot mix forward mode (jvp) and reverse mode (grad) values in one "
            "operation; use hvp for second-order products"
        )
    values = [_value(a) for a in args]
    out = fun(*values)
    if has_var:
        return Var(out, tuple(args), vjps)
    tangent = None
    for a, jvp_i in zip(args, jvps):
        if isinstance(a, Dual):
            t = jvp_i(a.tangent, out, *values)
            tangent = t if tangent is None else tangent + t
    if np.shape(tangent) != np.shape(out):
        tangent = np.broadcast_to(tangent, np.shape(out)).copy()
    return Dual(out, tangent)


# ---------------------------------------------------------------------------
# Error messages for unsupported NumPy calls
# ---------------------------------------------------------------------------

_UFUNC_ALIASES = {"true_divide": "divide", "absolute": "abs", "fabs": "abs",
                  "amax": "max", "amin": "min"}


def _unsupported(qualname, short):
    short = _UFUNC_ALIASES.get(short, short)
    if short in __all__:
        hint = f"use optbook.autodiff.{short} instead"
    elif short in ("dot", "inner", "vdot", "tensordot", "einsum"):
        hint = "use the @ operator (optbook.autodiff.matmul) instead"
    else:
        hint = "optbook.autodiff has no equivalent"
    ops = ", ".join(n for n in __all__[__all__.index("add"):])
    return (
        f"{qualname} was called on a value being differentiated (an "
        f"optbook.autodiff.Var or Dual), which NumPy cannot differentiate: {hint}. "
        f"Supported: + - * / ** @, unary -, comparisons, indexing, .T, .reshape, "
        f".sum, .mean, .max, .min, and optbook.autodiff.{{{ops}}}."
    )


def _raise_unsupported(func):
    raise TypeError(_unsupported(f"numpy.{func.__name__}", func.__name__))


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
    return tuple(a % ndim if ndim else a for a in axes)


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
_COMPARISONS = {np.less, np.less_equal, np.greater, np.greater_equal}
_SHAPE_FUNCTIONS = {np.shape, np.ndim, np.size}


# ---------------------------------------------------------------------------
# Elementwise functions
# ---------------------------------------------------------------------------


def exp(x):
    """Elementwise exponential; derivative ``exp(x)``."""
    return _apply(np.exp, (x,), (lambda g, y, x: g * y,), (lambda t, y, x: t * y,))


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
    return np.exp(-np.logaddexp(0.0, -x))


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
    nd = len(shape) + 1
    ax = axis % nd
    expanded = [reshape(a, shape[:ax] + (1,) + shape[ax:]) for a in arrays]
    return concatenate(expanded, axis=ax)


# ---------------------------------------------------------------------------
# The backward pass
# ---------------------------------------------------------------------------


def _toposort(output, inputs):
    """Nodes between ``inputs`` and ``output``, inputs first.

    Iterative depth-first search (no recursion limit). The search does not go
    past the inputs. Returns the nodes that depend on an input, in
    topological order, and whether the graph contains other nodes (values
    recorded by an enclosing differentiation).
    """
    input_ids = {id(x) for x in inputs}
    order, visited = [], set()
    stack_ = [(output, False)]
    while stack_:
        node, done = stack_.pop()
        if done:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack_.append((node, True))
        if id(node) in input_ids:
            continue
        for parent in node.inputs:
            if isinstance(parent, Var) and id(parent) not in visited:
                stack_.append((parent, False))
    depends = set()
    for node in order:  # parents come before children
        if id(node) in input_ids or _bi.any(
            id(p) in depends for p in node.inputs if isinstance(p, Var)
        ):
            depends.add(id(node))
    foreign = len(depends) < len(order)
    return [n for n in order if id(n) in depends], foreign


def _backward(output, inputs, seed, create_graph, nodes):
    """Cotangents of ``inputs`` for the cotangent ``seed`` of ``output``.

    ``nodes`` is the topological order returned by :func:`_toposort`. With
    ``create_graph=True`` the VJPs receive the nodes themselves, so the
    backward pass is recorded and can be differentiated again.
    """
    relevant = {id(n) for n in nodes}
    input_ids = {id(x) for x in inputs}
    cotangents = {id(output): seed} if id(output) in relevant else {}
    for node in reversed(nodes):
        g = cotangents.get(id(node))
        if g is None or id(node) in input_ids:
            continue
        del cotangents[id(node)]  # free memory as we go
        if create_graph:
            out, args = node, node.inputs
        else:
            out, args = node.value, [_value(a) for a in node.inputs]
        for parent, vjp_i in zip(node.inputs, node.vjps):
            if isinstance(parent, Var) and id(parent) in relevant:
                contribution = vjp_i(g, out, *args)
                key = id(parent)
                cotangents[key] = (contribution if key not in cotangents
                                   else cotangents[key] + contribution)
    result = []
    for x in inputs:
        g = cotangents.get(id(x))
        result.append(np.zeros(x.shape) if g is None else g)
    return result


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
