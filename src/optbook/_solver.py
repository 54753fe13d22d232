r"""The skeleton every iterative solver of :mod:`optbook` shares.

A solver's body should read like its ``{prf:algorithm}`` block in the book.
What is the same in every solver (counting iterations, calling the callback,
detecting a diverging run, the stopping test on ``tol``, the status and the
:class:`scipy.optimize.OptimizeResult`) lives here, in :class:`Loop`::

    loop = Loop(max_iter, tol, callback)
    for k in loop:
        g = grad(x)
        if loop.converged(norm(g)):      # criterion <= tol (only when tol > 0)
            break
        x = loop.accept(x, x - step * g)  # divergence check, nit, callback
    return loop.result(x, fun=f(x))

Status codes (shared by every solver):

0. the stopping criterion is at most ``tol``;
1. ``max_iter`` iterations were performed (a success when ``tol == 0``:
   the run had a fixed budget);
2. an iterate had a NaN or infinite entry: ``x`` is the last finite iterate;
3. the callback returned a true value (a success);
4. a line search failed (``x`` is the last accepted iterate);
5. another failure, described by the message given to :meth:`Loop.fail`.
"""

import math

import numpy as np
from scipy.optimize import OptimizeResult

from ._validation import check_callable, check_int, check_nonnegative

__all__ = ["Loop", "MESSAGES"]

MESSAGES = {
    0: "The stopping criterion is below tol.",
    1: "Reached max_iter iterations.",
    2: "The iterates diverged (an iterate has NaN or infinite entries); "
       "x is the last finite iterate. Try a smaller step.",
    3: "Stopped by the callback.",
    4: "The line search failed to find a step (the objective may be NaN or "
       "not smooth); x is the last accepted iterate.",
    5: "The solver failed.",
}


class Loop:
    """Iteration bookkeeping of one solver run.

    Parameters
    ----------
    max_iter : int
        Maximum number of iterations (``>= 0``).
    tol : float, default=0.0
        Tolerance of the solver's stopping criterion; ``0`` disables it.
    callback : callable, optional
        ``callback(x_k)`` once per accepted iterate; a true value stops.
    unit : str, default="iteration"
        What one pass of the loop is (``"epoch"``, ``"round"``), for messages.
    divergence : {"nonfinite", "norm"}, default="nonfinite"
        When an iterate counts as diverged: ``"nonfinite"``, when it has a NaN
        or infinite entry; ``"norm"``, also when its squared Euclidean norm
        overflows (a norm beyond about ``1e154`` in float64, one dot
        product): the run then stops *before* an oracle is called at a point
        where its own arithmetic would overflow, so that solvers need no
        ``np.errstate`` around the user's code.

    Attributes
    ----------
    nit : int
        Number of accepted iterations so far.
    status : int
        Status code (see the module docstring); ``1`` until something stops the run.
    stopped : bool
        Whether the run has stopped.
    """

    def __init__(self, max_iter, tol=0.0, callback=None, unit="iteration",
                 divergence="nonfinite"):
        self.max_iter = check_int(max_iter, "max_iter", minimum=0)
        self.tol = check_nonnegative(tol, "tol")
        if callback is not None:
            check_callable(callback, "callback")
        self.callback = callback
        self.unit = unit
        if divergence not in ("nonfinite", "norm"):
            raise ValueError(f'divergence must be "nonfinite" or "norm", got {divergence!r}')
        self.sane = finite if divergence == "nonfinite" else bounded
        self.nit = 0
        self.status = 1
        self.stopped = False
        self.message = None

    def __iter__(self):
        for k in range(self.max_iter):
            if self.stopped:
                return
            yield k

    def converged(self, criterion):
        """Stop with status 0 if ``tol > 0`` and ``criterion <= tol``; return whether it stopped."""
        if self.tol > 0 and criterion <= self.tol:
            self.stop(0)
            return True
        return False

    def accept(self, x, x_new):
        """Accept ``x_new`` as the next iterate, unless it has a non-finite entry.

        Returns ``x_new`` (after counting the iteration and calling the
        callback), or ``x`` when ``x_new`` is not finite (the run then stops
        with status 2).
        """
        if not self.sane(x_new):
            self.stop(2)
            return x
        self.nit += 1
        if self.callback is not None and self.callback(x_new):
            self.stop(3)
        return x_new

    def stop(self, status, message=None):
        """Stop the run with ``status`` (and a message replacing the default one)."""
        self.status, self.stopped = status, True
        if message is not None:
            self.message = message

    def fail(self, message):
        """Stop the run with status 5 and ``message``."""
        self.stop(5, message)

    @property
    def success(self):
        return self.status in (0, 3) or (self.status == 1 and self.tol == 0)

    def result(self, x, **extra):
        """The :class:`scipy.optimize.OptimizeResult` of the run, with ``extra`` fields.

        ``extra`` may override the standard fields (``nit``, ``message``).
        """
        message = self.message or MESSAGES[self.status]
        if self.status == 1 and self.tol > 0:
            message = f"Reached max_iter={self.max_iter} {self.unit}s before the criterion fell below tol."
        fields = dict(x=x, nit=self.nit, status=self.status, success=self.success,
                      message=message)
        fields.update(extra)  # e.g. a solver whose nit counts inner iterations
        return OptimizeResult(**fields)


def finite(x):
    """Whether every entry of the array ``x`` is finite."""
    return bool(np.isfinite(x).all())


def bounded(x):
    """Whether the squared Euclidean norm of ``x`` is finite (no NaN, no overflow).

    One dot product, cheaper than an elementwise test; NaN and infinite entries
    propagate to it.
    """
    return math.isfinite(float(np.vdot(x, x).real))


def norm(v):
    """Euclidean norm of an array, as a Python float."""
    return math.sqrt(float(np.vdot(v, v).real))
