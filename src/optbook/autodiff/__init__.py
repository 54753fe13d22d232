r"""Automatic differentiation on NumPy arrays: reverse mode and forward mode.

A function is written with NumPy-like operations on its arguments::

    import optbook.autodiff as ad

    def loss(w, A, b):
        return ad.mean(ad.softplus(-b * (A @ w)))

    g = ad.grad(loss)(w, A, b)                   # gradient with respect to w
    value, g = ad.value_and_grad(loss)(w, A, b)

Supported operations are ``+ - * / ** @``, unary ``-``, comparisons (which
return plain boolean arrays), indexing ``x[...]``, ``x.T``, ``x.reshape``,
``x.sum``, ``x.mean``, ``x.max``, ``x.min``, and the functions of this module:
:func:`exp`, :func:`log`, :func:`log1p`, :func:`sqrt`, :func:`sin`,
:func:`cos`, :func:`tanh`, :func:`sigmoid`, :func:`softplus`, :func:`relu`,
:func:`abs`, :func:`sign`, :func:`maximum`, :func:`minimum`, :func:`where`, :func:`sum`,
:func:`mean`, :func:`max`, :func:`min`, :func:`logsumexp`, :func:`softmax`,
:func:`log_softmax`, :func:`reshape`, :func:`transpose`,
:func:`broadcast_to`, :func:`concatenate`, :func:`stack`. On plain arrays
these functions simply return NumPy arrays. Calling a NumPy function (such as
``np.exp`` or ``np.dot``) on a value being differentiated raises a
:class:`TypeError` that names the function and its replacement.

How reverse mode works
----------------------
The package has three parts: ``optbook.autodiff.engine`` (graph nodes,
the recording of one operation, the reverse sweep: the mechanism that
:ref:`chap-autodiff` explains, in about two hundred lines), ``optbook.autodiff.ops`` (the
operations, each a NumPy function with its derivative products) and
``optbook.autodiff.transforms`` (:func:`grad`, :func:`jvp`, :func:`hvp`...).
All public names are available here, as ``optbook.autodiff.NAME``.

:func:`grad` wraps each differentiated input in a :class:`Var`, a node of a
computational graph. Every operation on a :class:`Var` computes its value
with NumPy and records its inputs together with one *vector-Jacobian
product* (VJP) per input: the linear map :math:`\bar y \mapsto \bar y^\top
\partial y / \partial x_i` that carries the cotangent :math:`\bar y` of the
output back to the input. The backward pass visits the nodes in reverse
topological order (computed iteratively, so deep graphs are fine), seeds the
output with :math:`\bar y = 1`, and adds up the contributions reaching each
node. Each VJP costs a small constant times its operation, so a gradient
costs a small constant times the function (the *cheap gradient principle*,
Griewank and Walther, 2008), at the price of keeping every intermediate
value in memory until the backward pass.

Forward mode (:func:`jvp`) propagates instead a tangent alongside each value
(:class:`Dual` numbers), one *Jacobian-vector product* per operation; it
costs a small constant times the function per input direction.

VJPs are written with the operations of this module, so the backward pass
can itself be recorded: :func:`hvp` computes Hessian-vector products by
differentiating a gradient (reverse over reverse), and ``grad(grad(f))``
works for scalar functions.

Nonsmooth points
----------------
Automatic differentiation applies the chain rule to the derivatives that the
primitives *declare*, and at kinks these are conventions:

* ``relu'(0) = 0`` and ``abs'(0) = 0`` (``sign(0) = 0``);
* :func:`maximum` and :func:`minimum` split the derivative equally between
  the two arguments where they are equal, so ``maximum(x, 0)`` has derivative
  ``1/2`` at ``0`` while ``relu(x)`` has ``0``: two programs for the same
  function, two different "derivatives";
* :func:`max` and :func:`min` reductions share the derivative equally among
  tied entries;
* :func:`where` differentiates the selected branch only.

With these conventions the program ``relu(x) - relu(-x)``, which computes the
identity, gets derivative ``0`` at ``x = 0`` instead of ``1``. Bolte and
Pauwels (2021) show that for programs built from locally Lipschitz definable
(e.g. semialgebraic) primitives such outputs are *conservative gradients*, which
agree with the gradient except on a set of measure zero (``sign``, which
jumps at 0, is not covered by that theorem).

References
----------
- Griewank and Walther, *Evaluating Derivatives*, 2nd ed., SIAM, 2008.
- Bolte and Pauwels, "Conservative set valued fields, automatic
  differentiation, stochastic gradient methods and deep learning", Math.
  Program. 188, 2021.
"""

# ops first: it imports the engine, whose array syntax (_syntax.py) calls ops back.
from . import ops
from .engine import Dual, Var
from .ops import (abs, add, broadcast_to, concatenate, cos, divide, exp, log,
                  log1p, log_softmax, logsumexp, matmul, max, maximum, mean, min,
                  minimum, multiply, negative, power, relu, reshape, sigmoid, sign,
                  sin, softmax, softplus, sqrt, stack, subtract, sum, tanh,
                  transpose, where)
from .transforms import check_grad, grad, hvp, jacobian, jvp, value_and_grad, vjp

__all__ = [
    # differentiation
    "grad", "value_and_grad", "vjp", "jvp", "hvp", "jacobian",
    # checking a gradient
    "check_grad",
    # values
    "Var", "Dual",
    # operations
    "add", "subtract", "multiply", "divide", "power", "negative", "matmul",
    "exp", "log", "log1p", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus",
    "relu", "abs", "sign", "maximum", "minimum", "where",
    "sum", "mean", "max", "min", "logsumexp", "softmax", "log_softmax",
    "reshape", "transpose", "broadcast_to", "concatenate", "stack",
]

# The public names belong to this module (for help(), pickling, repr of the
# classes and the API reference), wherever they are defined.
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
