r"""A ready-made callback that records the progress of a solver.

>>> import numpy as np
>>> import optbook
>>> from optbook.objectives import LeastSquares
>>> f = LeastSquares(np.eye(2), np.ones(2))
>>> x0 = np.zeros(2)
>>> trace = optbook.Trace(f=f.value, f_star=0.0, x_star=np.ones(2), x0=x0)
>>> res = optbook.gradient_descent(f.grad, x0, 1 / f.lipschitz, max_iter=5, callback=trace)
>>> len(trace), trace.values[0], trace.values[1]  # entry k is iterate x_k
(6, 0.5, 0.0)
"""

import time

import numpy as np

from ._validation import as_float_array, check_callable

__all__ = ["Trace"]


class Trace:
    r"""Record objective values, distances and times along a run.

    A ``Trace`` is a callable to pass as ``callback=`` to any solver of
    :mod:`optbook`. Each call ``trace(x)`` appends

    * to ``values``: :math:`f(x) - f^\star` if ``f_star`` is given, else
      :math:`f(x)` (when ``f`` is given);
    * to ``dists``: :math:`\|x - x^\star\|` (when ``x_star`` is given);
    * to ``metrics``: ``metric(x)`` (when ``metric`` is given);
    * to ``times``: the wall time in seconds since the trace was created (or
      reset), *minus the time spent inside the trace itself*, so that the
      cost of evaluating ``f`` for the record does not count as solver time;
    * to ``iterates``: a copy of ``x`` (only with ``store_iterates=True``).

    Parameters
    ----------
    f : callable, optional
        Objective value ``f(x)``.
    x_star : array_like, optional
        A minimizer :math:`x^\star`, for the distances.
    f_star : float, optional
        The optimal value :math:`f^\star`; ``values`` then holds
        suboptimality gaps (requires ``f``).
    metric : callable, optional
        Any other quantity ``metric(x) -> float`` (test error, gradient
        mapping norm...).
    x0 : array_like, optional
        The starting point. If given, it is recorded first, so that entry
        ``k`` of every list belongs to the iterate :math:`x_k` (solvers call
        the callback with :math:`x_1, x_2, \dots` only). Create the trace just
        before the run: the clock starts at creation.
    store_iterates : bool, default=False
        Also keep a copy of every iterate.
    stop_below : float, optional
        If given (with ``f``), the trace returns ``True``, which stops the
        solver, as soon as the recorded value (the gap, with ``f_star``) is
        at most ``stop_below``: a time-to-target measurement.

    Attributes
    ----------
    values, dists, metrics, times, iterates : list
        The records, one entry per call (empty lists for what is not tracked).

    Notes
    -----
    Without ``stop_below`` the trace never asks a solver to stop (it returns
    ``None``). Use
    :meth:`as_arrays` to get NumPy arrays and :meth:`plot` (or
    :func:`optbook.plotting.plot_traces`) to draw them.
    """

    def __init__(self, f=None, x_star=None, f_star=None, metric=None, x0=None,
                 store_iterates=False, stop_below=None):
        self.f = None if f is None else check_callable(f, "f")
        self.metric = None if metric is None else check_callable(metric, "metric")
        self.x_star = None if x_star is None else as_float_array(x_star, "x_star")
        if f_star is not None:
            if f is None:
                raise ValueError("f_star needs f, the objective value function")
            f_star = float(as_float_array(f_star, "f_star", ndim=0))
        self.f_star = f_star
        self.store_iterates = bool(store_iterates)
        if stop_below is not None:
            if f is None:
                raise ValueError("stop_below needs f, the objective value function")
            stop_below = float(as_float_array(stop_below, "stop_below", ndim=0))
        self.stop_below = stop_below
        self.reset(x0)

    def reset(self, x0=None):
        """Clear the records and restart the clock; record ``x0`` if given."""
        self.values, self.dists, self.metrics, self.times, self.iterates = [], [], [], [], []
        self._overhead = 0.0
        self._t0 = time.perf_counter()
        if x0 is not None:
            self(as_float_array(x0, "x0"))

    def __call__(self, x):
        start = time.perf_counter()
        self.times.append(start - self._t0 - self._overhead)
        if self.f is not None:
            value = float(self.f(x))
            self.values.append(value - self.f_star if self.f_star is not None else value)
        if self.x_star is not None:
            if np.shape(x) != self.x_star.shape:
                raise ValueError(f"the iterate has shape {np.shape(x)} but x_star "
                                 f"has shape {self.x_star.shape}")
            self.dists.append(float(np.linalg.norm(np.ravel(x - self.x_star))))
        if self.metric is not None:
            self.metrics.append(float(self.metric(x)))
        if self.store_iterates:
            self.iterates.append(np.array(x, dtype=np.float64, copy=True))
        self._overhead += time.perf_counter() - start
        if self.stop_below is not None and self.values[-1] <= self.stop_below:
            return True
        return None

    def __len__(self):
        return len(self.times)

    def __repr__(self):
        tracked = [name for name in ("values", "dists", "metrics", "iterates")
                   if getattr(self, name)]
        return f"Trace({len(self)} records: {', '.join(tracked) or 'times only'})"

    def as_arrays(self):
        """Return the records as a dict of NumPy arrays.

        Returns
        -------
        dict
            Keys ``"values"``, ``"dists"``, ``"metrics"``, ``"times"`` (and
            ``"iterates"``, a 2-D array, when stored); untracked fields are
            empty arrays.
        """
        out = {name: np.asarray(getattr(self, name), dtype=np.float64)
               for name in ("values", "dists", "metrics", "times")}
        if self.store_iterates:
            out["iterates"] = np.asarray(self.iterates)
        return out

    def plot(self, ax=None, kind="values", label=None, xaxis="iteration", **kwargs):
        """Plot one record on a log scale, against the iteration or the time.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (the current axes by default).
        kind : {"values", "dists", "metrics"}, default="values"
            Which record to plot.
        label : str, optional
            Legend label.
        xaxis : {"iteration", "time"}, default="iteration"
            Horizontal axis.
        **kwargs
            Passed to :meth:`matplotlib.axes.Axes.semilogy`.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from .plotting import plot_trace

        return plot_trace(self, ax=ax, kind=kind, label=label, xaxis=xaxis, **kwargs)
