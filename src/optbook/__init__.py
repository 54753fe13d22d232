"""optbook: the companion package of *Optimization for Large-Scale Machine Learning*.

Submodules: :mod:`optbook.objectives`, :mod:`optbook.datasets`,
:mod:`optbook.prox`, :mod:`optbook.convex`, :mod:`optbook.first_order`,
:mod:`optbook.plotting`, :mod:`optbook.stochastic`, :mod:`optbook.optim`,
:mod:`optbook.autodiff`, :mod:`optbook.checkpoint`, :mod:`optbook.nn`. The first-order solvers and :class:`~optbook.trace.Trace` are
re-exported here: ``optbook.gradient_descent``, ``optbook.fista``, ...
"""

__version__ = "0.1.0"

# Every submodule, and the solvers re-exported at the top of the package
# (BOOK_GUIDE §5), is imported on first use (PEP 562): ``import optbook`` is
# fast, ``optbook.gradient_descent`` works like
# ``optbook.first_order.gradient_descent``, and a notebook runs only the
# modules it uses (the book's execution cache is keyed on them).
_LAZY_MODULES = ("autodiff", "checkpoint", "convex", "datasets", "first_order", "nn",
                 "objectives", "optim", "plotting", "prox", "stochastic", "trace",
                 "second_order", "duality", "mirror", "nonconvex", "online", "lmo",
                 "beyond_gradients", "implicit", "tools")
_LAZY_NAMES = {
    "Trace": "trace",
    "fista": "first_order",
    "gradient_descent": "first_order",
    "heavy_ball": "first_order",
    "krasnoselskii_mann": "first_order",
    "nesterov": "first_order",
    "nesterov_restart": "first_order",
    "proximal_gradient": "first_order",
    "proximal_point": "first_order",
    "subgradient_descent": "first_order",
    "newton": "second_order",
    "damped_newton": "second_order",
    "bfgs": "second_order",
    "lbfgs": "second_order",
    "lasso_cd": "duality",
    "sdca": "duality",
    "mirror_descent": "mirror",
    "frank_wolfe": "beyond_gradients",
    "extragradient": "beyond_gradients",
    "optimistic_gradient": "beyond_gradients",
    "gradient_descent_ascent": "beyond_gradients",
    "chambolle_pock": "beyond_gradients",
}


def __getattr__(name):
    import importlib

    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(f".{_LAZY_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'optbook' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_MODULES) | set(_LAZY_NAMES))

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
    "nesterov_restart",
    "proximal_gradient",
    "proximal_point",
    "subgradient_descent",
]
