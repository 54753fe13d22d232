"""optbook: the companion package of *Optimization for Large-Scale Machine Learning*."""

__version__ = "0.1.0"
