"""Input checks shared by every public function of :mod:`optbook`.

Each helper raises :class:`ValueError` or :class:`TypeError` with a message
that names the offending argument and says what was expected (BOOK_GUIDE §5).
They return converted copies, never views that a caller could modify.
"""

from numbers import Integral, Real

import numpy as np

__all__ = [
    "as_float_array",
    "check_callable",
    "check_positive",
    "check_nonnegative",
    "check_in_interval",
    "check_int",
    "check_same_shape",
    "check_output_shape",
    "call_prox",
    "float_dtype",
    "as_array",
    "as_matrix",
]


def as_float_array(x, name, ndim=None, allow_nonfinite=False, copy=True):
    """Return ``x`` as a float64 array after checking its shape and entries.

    Parameters
    ----------
    x : array_like
        The value to check.
    name : str
        The argument's name, used in error messages.
    ndim : int or tuple of int, optional
        Allowed number(s) of dimensions.
    allow_nonfinite : bool, default=False
        Whether NaN or infinite entries are allowed.
    copy : bool, default=True
        Return a copy, so that the caller's array is never modified.

    Returns
    -------
    numpy.ndarray
        A float64 array.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}")
    try:
        # NumPy >= 2: copy=False means "never copy" and fails on any input that
        # needs a conversion (float32, integers, lists); asarray copies only then
        arr = np.array(x, dtype=np.float64) if copy else np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}") from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, Integral) else tuple(ndim)
        if arr.ndim not in allowed:
            exp = " or ".join(str(a) for a in allowed)
            raise ValueError(
                f"{name} must have {exp} dimension(s), got shape {arr.shape}"
            )
    if not allow_nonfinite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    return arr


def check_callable(f, name):
    """Raise :class:`TypeError` unless ``f`` is callable; return ``f``."""
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {type(f).__name__}")
    return f


def _check_real(value, name):
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def check_positive(value, name):
    """Return ``float(value)`` if it is a finite number ``> 0``."""
    value = _check_real(value, name)
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def check_nonnegative(value, name):
    """Return ``float(value)`` if it is a finite number ``>= 0``."""
    value = _check_real(value, name)
    if value < 0:
        raise ValueError(f"{name} must be nonnegative, got {value}")
    return value


def check_in_interval(value, name, low, high, closed="left"):
    """Return ``float(value)`` if it lies in the interval from ``low`` to ``high``.

    ``closed`` is one of ``"left"`` (``[low, high)``), ``"right"``
    (``(low, high]``), ``"both"`` or ``"neither"``.
    """
    value = _check_real(value, name)
    lo_ok = value >= low if closed in ("left", "both") else value > low
    hi_ok = value <= high if closed in ("right", "both") else value < high
    if not (lo_ok and hi_ok):
        left = "[" if closed in ("left", "both") else "("
        right = "]" if closed in ("right", "both") else ")"
        raise ValueError(f"{name} must lie in {left}{low}, {high}{right}, got {value}")
    return value


def check_int(value, name, minimum=0):
    """Return ``int(value)`` if it is an integer ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def check_same_shape(a, b, name_a, name_b):
    """Raise :class:`ValueError` unless ``a`` and ``b`` have the same shape."""
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, "
            f"got {np.shape(a)} and {np.shape(b)}"
        )


def check_output_shape(out, like, name):
    """Return an oracle's output as an array of ``like``'s floating dtype, shaped like ``like``.

    ``name`` describes the call in the error message, e.g. ``"grad(x)"``.
    ``like`` of an integer dtype gives float64.
    """
    dtype = like.dtype if np.issubdtype(like.dtype, np.floating) else np.float64
    out = np.asarray(out, dtype=dtype)
    if out.shape != like.shape:
        raise ValueError(f"{name} must return an array of shape {like.shape}, "
                         f"got shape {out.shape}")
    return out


def call_prox(prox, v, t):
    """Evaluate ``prox(v, t)`` and check that it returns an array shaped like ``v``."""
    return check_output_shape(prox(v, t), v, "prox(x, t)")


def float_dtype(*arrays):
    """The floating dtype a computation on ``arrays`` keeps.

    ``float32`` when every floating input is ``float32`` (and none is
    ``float64``); ``float64`` otherwise, in particular for integer, boolean or
    list inputs. Sparse matrices count through their ``dtype``.
    """
    dtypes = [np.asarray(a).dtype if not hasattr(a, "dtype") else a.dtype for a in arrays
              if a is not None]
    floats = [dt for dt in dtypes if np.issubdtype(dt, np.floating)]
    if floats and all(dt == np.float32 for dt in floats):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def as_array(x, name, ndim=None, dtype=None, allow_nonfinite=False, copy=True):
    """Like :func:`as_float_array`, but keeping a ``float32`` input in ``float32``.

    ``dtype`` forces the floating dtype; by default it is
    :func:`float_dtype` of ``x`` (``float64`` for integer or list input).
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}")
    if dtype is None:
        try:
            dtype = float_dtype(np.asarray(x) if not hasattr(x, "dtype") else x)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}") from exc
    try:
        arr = np.array(x, dtype=dtype) if copy else np.asarray(x, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}") from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, Integral) else tuple(ndim)
        if arr.ndim not in allowed:
            exp = " or ".join(str(a) for a in allowed)
            raise ValueError(f"{name} must have {exp} dimension(s), got shape {arr.shape}")
    if not allow_nonfinite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
    return arr


def as_matrix(A, name="A", dtype=None):
    """Check a design matrix: a 2-D dense array or a ``scipy.sparse`` matrix.

    Dense input is converted like :func:`as_array` (without a copy when it is
    already a floating array). A sparse matrix is converted to CSR or kept in
    CSC, and its data is never copied unless its dtype must change. NaN or
    infinite entries raise :class:`ValueError`.
    """
    import scipy.sparse as sp

    if sp.issparse(A):
        if A.ndim != 2:
            raise ValueError(f"{name} must be 2-D, got shape {A.shape}")
        if A.format not in ("csr", "csc"):
            A = A.tocsr()
        target = dtype if dtype is not None else float_dtype(A)
        if A.dtype != target:
            A = A.astype(target)
        if not np.all(np.isfinite(A.data)):
            raise ValueError(f"{name} must contain only finite values (found NaN or inf)")
        return A
    return as_array(A, name, ndim=2, dtype=dtype, copy=False)
