r"""Plots in the book's style: convergence curves next to their bounds.

Matplotlib is imported when a function is first called, so that
``import optbook`` stays fast.

>>> import numpy as np
>>> import optbook
>>> from optbook.objectives import LeastSquares
>>> from optbook.plotting import plot_traces, setup_style
>>> setup_style()
>>> f = LeastSquares(np.diag([1.0, 0.1]), np.ones(2))
>>> x0, x_star = np.zeros(2), f.minimizer()
>>> L, R2 = f.lipschitz, float(np.sum((x0 - x_star) ** 2))
>>> traces = {}
>>> for name, solver in [("GD", optbook.gradient_descent), ("Nesterov", optbook.nesterov)]:
...     traces[name] = optbook.Trace(f=f.value, f_star=f.value(x_star), x0=x0)
...     _ = solver(f.grad, x0, 1 / L, max_iter=100, callback=traces[name])
>>> ax = plot_traces(traces, bound=lambda k: L * R2 / (2 * k))
"""

import numpy as np

__all__ = ["setup_style", "plot_trace", "plot_traces", "semilogy", "BOOK_STYLE"]

#: The rcParams that :func:`setup_style` sets.
BOOK_STYLE = {
    "figure.figsize": (6.0, 3.5),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "axes.grid.which": "major",
    "grid.alpha": 0.35,
    "grid.linestyle": "-",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "font.size": 10,
}

_YLABELS = {
    "values": (r"$f(x_k) - f^\star$", r"$f(x_k)$"),
    "dists": r"$\|x_k - x^\star\|$",
    "metrics": "metric",
}
_XLABELS = {"iteration": r"iteration $k$", "time": "time (s)"}


def _plt():
    import matplotlib.pyplot as plt

    return plt


def setup_style():
    """Set matplotlib's rcParams to the book's style (the dict ``BOOK_STYLE``).

    Figures of about 6 x 3.5 inches, a light grid, no top and right spines,
    no legend frame. Uses only matplotlib (no seaborn).
    """
    import matplotlib as mpl

    mpl.rcParams.update(BOOK_STYLE)


def semilogy(y, x=None, ax=None, label=None, xlabel=r"iteration $k$", ylabel=None, **kwargs):
    """Plot positive values on a log scale, with labelled axes.

    Nonpositive entries (e.g. a suboptimality gap that reached rounding
    level) are not drawn.

    Parameters
    ----------
    y : array_like
        Values.
    x : array_like, optional
        Abscissae; ``0, 1, ..., len(y) - 1`` by default.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (the current axes by default).
    label, xlabel, ylabel : str, optional
        Legend label and axis labels.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.semilogy`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = ax if ax is not None else _plt().gca()
    y = np.asarray(y, dtype=np.float64)
    x = np.arange(y.size) if x is None else np.asarray(x, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {x.shape} and {y.shape}")
    y = np.where(y > 0, y, np.nan)
    ax.semilogy(x, y, label=label, **kwargs)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if label is not None:
        ax.legend()
    return ax


def _record(trace, kind):
    if kind not in _YLABELS:
        raise ValueError(f'kind must be "values", "dists" or "metrics", got {kind!r}')
    y = getattr(trace, kind)
    if len(y) == 0:
        raise ValueError(f"the trace has no {kind!r} recorded (give f, x_star or "
                         "metric when creating it)")
    if kind == "values":
        ylabel = _YLABELS["values"][0 if trace.f_star is not None else 1]
    elif kind == "metrics":
        ylabel = getattr(trace.metric, "__name__", "metric")
        ylabel = "metric" if ylabel == "<lambda>" else ylabel
    else:
        ylabel = _YLABELS[kind]
    return np.asarray(y, dtype=np.float64), ylabel


def plot_trace(trace, ax=None, kind="values", label=None, xaxis="iteration", **kwargs):
    """Plot one record of a :class:`~optbook.trace.Trace` on a log scale.

    Parameters
    ----------
    trace : optbook.Trace
        The recorded run.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (the current axes by default).
    kind : {"values", "dists", "metrics"}, default="values"
        Which record to plot.
    label : str, optional
        Legend label.
    xaxis : {"iteration", "time"}, default="iteration"
        Horizontal axis: the index ``k`` or the recorded wall time.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.semilogy`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if xaxis not in _XLABELS:
        raise ValueError(f'xaxis must be "iteration" or "time", got {xaxis!r}')
    y, ylabel = _record(trace, kind)
    x = None if xaxis == "iteration" else np.asarray(trace.times, dtype=np.float64)
    return semilogy(y, x=x, ax=ax, label=label, xlabel=_XLABELS[xaxis],
                    ylabel=ylabel, **kwargs)


def plot_traces(traces, ax=None, kind="values", bound=None, xaxis="iteration",
                bound_label="theoretical bound", title=None):
    """Plot several traces and, optionally, a theoretical bound (dashed).

    Parameters
    ----------
    traces : dict of str to optbook.Trace
        Legend label -> recorded run.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure by default).
    kind : {"values", "dists", "metrics"}, default="values"
        Which record to plot.
    bound : callable or array_like, optional
        A bound drawn as a dashed black line against the iteration: either
        a function ``k -> bound(k)``, evaluated at ``k = 1, ..., K`` (``K``
        the longest trace; non-finite values are skipped), or an array whose
        entry ``k`` is the bound at iteration ``k``.
    xaxis : {"iteration", "time"}, default="iteration"
        Horizontal axis. A bound needs ``"iteration"``.
    bound_label : str, default="theoretical bound"
        Legend label of the bound.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(traces, dict) or not traces:
        raise TypeError("traces must be a nonempty dict {label: Trace}")
    if bound is not None and xaxis != "iteration":
        raise ValueError('a bound is drawn against the iteration: use xaxis="iteration"')
    if ax is None:
        _, ax = _plt().subplots()
    for label, trace in traces.items():
        plot_trace(trace, ax=ax, kind=kind, label=str(label), xaxis=xaxis)
    if bound is not None:
        if callable(bound):
            K = max(len(getattr(t, kind)) for t in traces.values())
            ks = np.arange(1, max(K, 2))
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                vals = np.array([float(bound(int(k))) for k in ks])
        else:
            vals = np.asarray(bound, dtype=np.float64)
            if vals.ndim != 1:
                raise ValueError(f"bound must be a callable or a 1-D array, got shape {vals.shape}")
            ks = np.arange(vals.size)
        keep = np.isfinite(vals) & (vals > 0)
        ax.semilogy(ks[keep], vals[keep], "k--", linewidth=1.2, label=bound_label)
        ax.legend()
    if title:
        ax.set_title(title)
    return ax
