"""optbook: the companion package of *Optimization for Large-Scale Machine Learning*.

Submodules: :mod:`optbook.objectives`, :mod:`optbook.datasets`,
:mod:`optbook.prox`, :mod:`optbook.convex`, :mod:`optbook.first_order`,
:mod:`optbook.plotting`, :mod:`optbook.stochastic`, :mod:`optbook.optim`,
:mod:`optbook.autodiff`, :mod:`optbook.checkpoint`, :mod:`optbook.nn`. The first-order solvers and :class:`~optbook.trace.Trace` are
re-exported here: ``optbook.gradient_descent``, ``optbook.fista``, ...
"""

__version__ = "0.1.0"

from . import (
    autodiff,
    checkpoint,
    convex,
    datasets,
    first_order,
    nn,
    objectives,
    optim,
    plotting,
    prox,
    stochastic,
    trace,
)
from .first_order import (
    fista,
    gradient_descent,
    heavy_ball,
    krasnoselskii_mann,
    nesterov,
    proximal_gradient,
    proximal_point,
    subgradient_descent,
)
from .trace import Trace

__all__ = [
    "__version__",
    "autodiff",
    "checkpoint",
    "convex",
    "datasets",
    "first_order",
    "nn",
    "objectives",
    "optim",
    "plotting",
    "prox",
    "stochastic",
    "trace",
    "Trace",
    "fista",
    "gradient_descent",
    "heavy_ball",
    "krasnoselskii_mann",
    "nesterov",
    "proximal_gradient",
    "proximal_point",
    "subgradient_descent",
]
