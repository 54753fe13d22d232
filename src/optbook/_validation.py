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
        arr = np.array(x, dtype=np.float64, copy=copy)
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
    """Return an oracle's output as a float64 array, checking it is shaped like ``like``.

    ``name`` describes the call in the error message, e.g. ``"grad(x)"``.
    """
    out = np.asarray(out, dtype=np.float64)
    if out.shape != like.shape:
        raise ValueError(f"{name} must return an array of shape {like.shape}, "
                         f"got shape {out.shape}")
    return out


def call_prox(prox, v, t):
    """Evaluate ``prox(v, t)`` and check that it returns an array shaped like ``v``."""
    return check_output_shape(prox(v, t), v, "prox(x, t)")
