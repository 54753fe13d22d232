"""Array syntax for traced values: operators, methods and NumPy guard rails.

:class:`_Traced` is the base of :class:`~optbook.autodiff.Var` (reverse mode)
and :class:`~optbook.autodiff.Dual` (forward mode). It makes a traced value
look like a NumPy array: ``x + y``, ``x @ A``, ``x[i]``, ``x.T``, ``x.sum()``
call the operations of :mod:`optbook.autodiff.ops`, and NumPy functions that
cannot be differentiated (``np.exp(x)``, ``np.asarray(x)``, ``float(x)``)
raise a :class:`TypeError` that names the replacement, instead of silently
cutting the derivative. None of this is needed to understand reverse mode,
which is in :mod:`optbook.autodiff.engine`.
"""

from numbers import Integral

import numpy as np

from . import ops as _ops  # a cycle (ops imports the engine): used at call time only

_COMPARISONS = {np.less, np.less_equal, np.greater, np.greater_equal}
_SHAPE_FUNCTIONS = {np.shape, np.ndim, np.size}


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
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(other, self)

    def __sub__(self, other):
        return _ops.subtract(self, other)

    def __rsub__(self, other):
        return _ops.subtract(other, self)

    def __mul__(self, other):
        return _ops.multiply(self, other)

    def __rmul__(self, other):
        return _ops.multiply(other, self)

    def __truediv__(self, other):
        return _ops.divide(self, other)

    def __rtruediv__(self, other):
        return _ops.divide(other, self)

    def __pow__(self, other):
        return _ops.power(self, other)

    def __rpow__(self, other):
        return _ops.power(other, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __neg__(self):
        return _ops.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.abs(self)

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
        return _ops._getitem(self, index)

    def __setitem__(self, index, value):
        raise TypeError(
            "in-place assignment x[...] = ... is not supported on a value being "
            "differentiated; build the array with where(), concatenate() or stack()"
        )

    @property
    def T(self):
        """Transpose (reversed axes)."""
        return _ops.transpose(self)

    def reshape(self, *shape):
        """Reshaped copy; see :func:`reshape`."""
        if len(shape) == 1 and not isinstance(shape[0], Integral):
            shape = shape[0]
        return _ops.reshape(self, shape)

    def transpose(self, *axes):
        """Permuted axes; see :func:`transpose`."""
        if len(axes) == 1 and not isinstance(axes[0], Integral):
            axes = axes[0]
        return _ops.transpose(self, axes or None)

    def sum(self, axis=None, keepdims=False):
        """Sum of entries; see :func:`sum`."""
        return _ops.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        """Mean of entries; see :func:`mean`."""
        return _ops.mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        """Largest entry; see :func:`max`."""
        return _ops.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        """Smallest entry; see :func:`min`."""
        return _ops.min(self, axis=axis, keepdims=keepdims)

    # -- guard rails against silent detaching from the graph --
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and not kwargs:
            if ufunc in _ops._UFUNC_TO_OP:
                return _ops._UFUNC_TO_OP[ufunc](*inputs)
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


def _value(x):
    """The value of a traced value; a plain array or number is returned as is."""
    return x.value if isinstance(x, _Traced) else x


# Error messages for unsupported NumPy calls

_UFUNC_ALIASES = {"true_divide": "divide", "absolute": "abs", "fabs": "abs",
                  "amax": "max", "amin": "min"}


def _unsupported(qualname, short):
    short = _UFUNC_ALIASES.get(short, short)
    if short in _ops.__all__:
        hint = f"use optbook.autodiff.{short} instead"
    elif short in ("dot", "inner", "vdot", "tensordot", "einsum"):
        hint = "use the @ operator (optbook.autodiff.matmul) instead"
    else:
        hint = "optbook.autodiff has no equivalent"
    ops = ", ".join(_ops.__all__)
    return (
        f"{qualname} was called on a value being differentiated (an "
        f"optbook.autodiff.Var or Dual), which NumPy cannot differentiate: {hint}. "
        f"Supported: + - * / ** @, unary -, comparisons, indexing, .T, .reshape, "
        f".sum, .mean, .max, .min, and optbook.autodiff.{{{ops}}}."
    )


def _raise_unsupported(func):
    raise TypeError(_unsupported(f"numpy.{func.__name__}", func.__name__))

