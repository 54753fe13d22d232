r"""Reverse mode with checkpointing: trading recomputation for memory.

Reverse-mode differentiation (:mod:`optbook.autodiff`) keeps every
intermediate value of the function until the backward pass. For a chain of
:math:`T` steps

.. math::

   x_{t+1} = \phi(x_t, \theta_t) \quad (t = 0, \dots, T - 1), \qquad
   J = \ell(x_T),

(the layers of a deep network, the time steps of a recurrent network or of an
ODE solver, the iterations of an unrolled optimizer) this memory grows like
:math:`T`. *Checkpointing* stores only some states during a first forward
sweep and recomputes the others, one segment at a time, during the backward
sweep (Griewank, 1992; Griewank and Walther, 2008; Chen et al., 2016).

:func:`checkpointed_value_and_grad` implements uniform checkpointing: a
checkpoint every :math:`s` steps. It evaluates :math:`\phi` at most
:math:`2T - 1` times and holds at most :math:`\lceil T/s\rceil + s` states at
once; :math:`s = \lceil\sqrt T\,\rceil` gives a memory of order
:math:`\sqrt T` for less than twice the work of plain reverse mode.
"""

import math
from numbers import Integral

import numpy as np

from . import autodiff as ad
from ._validation import as_float_array, check_callable, check_int

__all__ = ["checkpointed_value_and_grad"]


def _segment(step):
    """The map ``(x_start, [theta_start, ..., theta_end-1]) -> x_end``."""

    def run(z):
        x, thetas = z
        for theta in thetas:
            x = step(x, theta)
        return x

    return run


def checkpointed_value_and_grad(step, loss, x0, params, every=None):
    r"""Value and gradient of a chain of steps by reverse mode with checkpoints.

    The function is

    .. math::

       J(x_0, \theta_0, \dots, \theta_{T-1}) = \ell(x_T), \qquad
       x_{t+1} = \phi(x_t, \theta_t), \ t = 0, \dots, T - 1,

    with :math:`\phi` = ``step`` and :math:`\ell` = ``loss``, both written
    with :mod:`optbook.autodiff` operations.

    **Algorithm** (uniform checkpointing with interval :math:`s` =
    ``every``). Let the segments be :math:`[0, s), [s, 2s), \dots`, the last
    one :math:`[t_\ell, T)`.

    1. Forward sweep, nothing recorded: compute :math:`x_1, \dots,
       x_{t_\ell}` and keep only the checkpoints :math:`x_0, x_s, x_{2s},
       \dots, x_{t_\ell}`.
    2. Record the last segment from :math:`x_{t_\ell}` (its graph holds its
       states), get :math:`x_T`, :math:`J = \ell(x_T)` and
       :math:`\bar x_T = \nabla \ell(x_T)`.
    3. For the segments from last to first: record the segment from its
       checkpoint (recomputing its states), pull the cotangent :math:`\bar
       x_{\text{end}}` back through it to get :math:`\bar x_{\text{start}}`
       and the gradients of its :math:`\theta_t`, then free the segment and
       its checkpoint.

    Parameters
    ----------
    step : callable
        ``step(x, theta)`` returns the next state :math:`\phi(x, \theta)`.
    loss : callable
        ``loss(x)`` returns the scalar :math:`\ell(x_T)`.
    x0 : array_like
        Initial state :math:`x_0`.
    params : sequence
        :math:`(\theta_0, \dots, \theta_{T-1})`, one entry per step (an array
        or a list, tuple or dict of arrays); :math:`T` = ``len(params)`` >= 1.
    every : int, optional
        Checkpoint interval :math:`s \ge 1`. ``None`` (default) or any value
        :math:`\ge T` means no checkpointing (plain reverse mode, one
        segment); ``every="sqrt"`` uses :math:`s = \lceil\sqrt T\,\rceil`.

    Returns
    -------
    value : float
        :math:`J`.
    grads : tuple
        ``(grad_x0, grad_params)``: the gradient with respect to :math:`x_0`
        and the list of gradients with respect to each :math:`\theta_t` (same
        structures as the inputs). They are those of plain reverse mode (the
        same operations, in the same order, on the same values).
    info : dict
        ``"step_evaluations"``: number of evaluations of ``step``,
        :math:`T + t_\ell \le 2T - 1` (:math:`T` without checkpointing);
        ``"max_stored_states"``: largest number of states held at once
        (checkpoints plus the states recorded in the current segment), at
        most :math:`\lceil T/s \rceil + s`; ``"n_checkpoints"``:
        :math:`\lceil T/s \rceil`; ``"every"``: :math:`s`.

    Notes
    -----
    With :math:`s = \lceil\sqrt T\,\rceil` the memory is at most
    :math:`\lceil T/s\rceil + s \le 2\lceil\sqrt T\,\rceil`
    states instead of :math:`T + 1`, for at most :math:`2T - 1` step
    evaluations instead of :math:`T`. Binomial checkpointing (Griewank's
    *revolve*) does better: with :math:`c` checkpoints and each step
    evaluated at most :math:`r` times, chains of length up to
    :math:`\binom{c + r}{c}` can be reversed, so that memory and
    recomputation both grow like :math:`\log T`.

    References
    ----------
    - Griewank, "Achieving logarithmic growth of temporal and spatial
      complexity in reverse automatic differentiation", Optimization Methods
      and Software 1, 1992.
    - Griewank and Walther, *Evaluating Derivatives*, 2nd ed., SIAM, 2008.
    - Chen, Xu, Zhang and Guestrin, "Training deep nets with sublinear memory
      cost", arXiv:1604.06174, 2016.

    Examples
    --------
    >>> import numpy as np
    >>> import optbook.autodiff as ad
    >>> from optbook.checkpoint import checkpointed_value_and_grad
    >>> step = lambda x, w: ad.tanh(w * x)
    >>> loss = lambda x: ad.sum(x ** 2)
    >>> params = [np.full(3, 0.5)] * 16
    >>> value, (gx, gw), info = checkpointed_value_and_grad(
    ...     step, loss, np.ones(3), params, every=4)
    >>> info["step_evaluations"], info["max_stored_states"]
    (28, 8)
    """
    check_callable(step, "step")
    check_callable(loss, "loss")
    x0 = as_float_array(x0, "x0")
    if isinstance(params, (str, bytes, np.ndarray)) or not hasattr(params, "__len__"):
        raise TypeError("params must be a list or tuple with one entry per step, got "
                        f"{type(params).__name__}")
    params = list(params)
    T = len(params)
    if T == 0:
        raise ValueError("params must have at least one entry (one per step)")
    if every is None:
        s = T
    elif isinstance(every, str):
        if every != "sqrt":
            raise ValueError(f"every must be a positive integer, None or 'sqrt', got {every!r}")
        s = math.isqrt(T - 1) + 1  # ceil(sqrt(T))
    elif isinstance(every, (Integral, np.integer)) and not isinstance(every, bool):
        s = min(check_int(every, "every", minimum=1), T)
    else:
        raise TypeError(f"every must be a positive integer, None or 'sqrt', got "
                        f"{type(every).__name__}")

    starts = list(range(0, T, s))
    last = starts[-1]
    n_checkpoints = len(starts)

    # 1. forward sweep to the last checkpoint, nothing recorded
    checkpoints = {}
    x = x0
    evaluations = 0
    for t in range(last):
        if t % s == 0:
            checkpoints[t] = x
        x = _checked_state(step(x, params[t]), t)
        evaluations += 1
    checkpoints[last] = x

    # 2. the last segment, recorded, then the loss
    segment = _segment(step)
    x_T, pullback = ad.vjp(segment, (checkpoints[last], params[last:]))
    evaluations += T - last
    max_stored = n_checkpoints + (T - last)
    value, g = ad.value_and_grad(loss)(x_T)
    if np.size(value) != 1:
        raise ValueError(f"loss must return a scalar, got shape {np.shape(value)}")

    # 3. backward sweep, segment by segment
    grad_params = [None] * T
    for k in range(len(starts) - 1, -1, -1):
        start = starts[k]
        end = min(start + s, T)
        if start != last:
            _, pullback = ad.vjp(segment, (checkpoints[start], params[start:end]))
            evaluations += end - start
            max_stored = max(max_stored, (k + 1) + (end - start))
        g, g_thetas = pullback(g)
        grad_params[start:end] = list(g_thetas)
        del checkpoints[start]
        pullback = None  # free the segment's graph

    info = {
        "step_evaluations": evaluations,
        "max_stored_states": max_stored,
        "n_checkpoints": n_checkpoints,
        "every": s,
    }
    return float(value), (g, grad_params), info


def _checked_state(x, t):
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError(f"step returned a non-finite state at t={t}")
    return x
