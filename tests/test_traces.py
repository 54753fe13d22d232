r"""Update rules pinned by traces recomputed by hand.

Each test runs a solver for three to six iterations on a problem small enough to
follow with pencil and paper, and compares every iterate with numbers derived in
the comments from the documented formulas (no loop re-implements the solver):

* gradient descent with the Armijo search, with memory (``grow=1``) and with
  growth (``grow=2``), from ``f`` and from ``value_and_grad``;
* proximal gradient with a constant step and with Beck and Teboulle's
  backtracking, with and without growth;
* FISTA with the gradient and the function restarts.

The quadratics are diagonal with dyadic data, so that most traces are exact in
binary floating point: they are compared with ``assert_array_equal`` or at
rounding level.
"""

import math

import numpy as np
import pytest

import optbook
from optbook.prox import prox_l1

LAMBDAS = np.array([1.0, 4.0])  # f(x) = (x_1^2 + 4 x_2^2)/2, L = 4


def f(x):
    return 0.5 * float(np.sum(LAMBDAS * x * x))


def grad(x):
    return LAMBDAS * x


def value_and_grad(x):
    return f(x), grad(x)


def trace(solver, *args, max_iter, **kwargs):
    xs = []
    res = solver(*args, max_iter=max_iter, callback=lambda x: xs.append(x.copy()), **kwargs)
    assert res.nit == max_iter and len(xs) == max_iter
    np.testing.assert_array_equal(res.x, xs[-1])
    return np.array(xs), res


# ---------------------------------------------------------------------------
# Armijo
# ---------------------------------------------------------------------------
#
# For f = sum_i lambda_i x_i^2 / 2, f(x - t grad) - f(x) = -t S2 + t^2 S3 / 2 with
# S2 = sum lambda_i^2 x_i^2 and S3 = sum lambda_i^3 x_i^2, so the Armijo test
# f(x - t grad) <= f(x) - c t ||grad||^2 reads  t <= 2 (1 - c) S2 / S3.
# With c = 1/2: t <= S2 / S3.


@pytest.mark.parametrize("oracle", ["f", "value_and_grad"])
def test_armijo_with_memory(oracle):
    r"""step0 = 1, beta = 1/2, c = 1/2, grow = 1, x_0 = (1, 1).

    k = 0: S2/S3 = (1 + 16)/(1 + 64) = 17/65 ~ 0.26: trials 1, 1/2 rejected,
    1/4 accepted; x_1 = ((1 - 1/4) 1, (1 - 4/4) 1) = (3/4, 0).
    k = 1, 2: on the first axis S2/S3 = 1: the remembered step 1/4 is accepted,
    x_2 = (9/16, 0), x_3 = (27/64, 0)."""
    kw = {"f": f} if oracle == "f" else {"value_and_grad": value_and_grad}
    xs, res = trace(optbook.gradient_descent, grad, np.array([1.0, 1.0]), "armijo",
                    max_iter=3, step0=1.0, beta=0.5, c=0.5, **kw)
    np.testing.assert_array_equal(xs, [[3 / 4, 0], [9 / 16, 0], [27 / 64, 0]])
    assert res.step == 0.25


@pytest.mark.parametrize("oracle", ["f", "value_and_grad"])
def test_armijo_with_growth(oracle):
    r"""As above with grow = 2: every search starts from twice the last step.

    k = 0: trials 2, 1, 1/2 rejected (S2/S3 = 17/65), 1/4 accepted: x_1 = (3/4, 0).
    k = 1: trial 1/2 <= 1 accepted: x_2 = (3/8, 0).
    k = 2: trial 1 <= 1 accepted (equality in the Armijo test, exact in binary):
    x_3 = (0, 0)."""
    kw = {"f": f} if oracle == "f" else {"value_and_grad": value_and_grad}
    xs, res = trace(optbook.gradient_descent, grad, np.array([1.0, 1.0]), "armijo",
                    max_iter=3, step0=1.0, beta=0.5, c=0.5, grow=2.0, **kw)
    np.testing.assert_array_equal(xs, [[3 / 4, 0], [3 / 8, 0], [0, 0]])
    assert res.step == 1.0


def test_armijo_default_constant_keeps_a_longer_step():
    r"""c = 1e-4 (the default), step0 = 1, beta = 1/2, x_0 = (1, 1).

    The test is t <= 2 (1 - c) S2/S3 = 1.9998 S2/S3.
    k = 0: 1.9998 * 17/65 = 0.523: trial 1 rejected, 1/2 accepted: x_1 = (1/2, -1)
    (the second coordinate flips: 1 - 4/2 = -1).
    k = 1: S2 = 1/4 + 16, S3 = 1/4 + 64, bound 0.5058: 1/2 accepted, x_2 = (1/4, 1).
    k = 2: S2 = 1/16 + 16, S3 = 1/16 + 64, bound 0.5014: x_3 = (1/8, -1)."""
    xs, _ = trace(optbook.gradient_descent, grad, np.array([1.0, 1.0]), "armijo",
                  max_iter=3, f=f, step0=1.0, beta=0.5)
    np.testing.assert_array_equal(xs, [[1 / 2, -1], [1 / 4, 1], [1 / 8, -1]])


# ---------------------------------------------------------------------------
# proximal gradient, F = f + lam ||x||_1 with lam = 1/2
# ---------------------------------------------------------------------------
#
# Backtracking accepts t when f(z) <= f(x) + <grad f(x), z - x> + ||z - x||^2/(2t),
# z = prox_{t g}(x - t grad f(x)); for the quadratic f the left minus the first two
# terms of the right is sum lambda_i d_i^2 / 2 (d = z - x): t <= sum d_i^2 / sum lambda_i d_i^2.

LAM = 0.5


def prox(x, t):
    return prox_l1(x, LAM * t)


def test_proximal_gradient_constant_step():
    r"""gamma = 1/4 from x_0 = (2, 1): x - gamma grad = (2 - 1/2, 1 - 1) = (3/2, 0), soft-
    thresholded at 1/8: x_1 = (11/8, 0); then x <- (3/4) x - 1/8 on the first axis:
    x_2 = 29/32, x_3 = 71/128, x_4 = 149/512."""
    xs, _ = trace(optbook.proximal_gradient, grad, prox, np.array([2.0, 1.0]), 0.25,
                  max_iter=4)
    np.testing.assert_array_equal(xs[:, 1], 0.0)
    np.testing.assert_array_equal(xs[:, 0], [11 / 8, 29 / 32, 71 / 128, 149 / 512])


@pytest.mark.parametrize("oracle", ["f", "value_and_grad"])
def test_proximal_gradient_backtracking(oracle):
    r"""step0 = 1, beta = 1/2, grow = 1, x_0 = (2, 1).

    k = 0: t = 1: x - t grad = (0, -3), z = (0, -5/2), d = (-2, -7/2),
    sum d^2 / sum lambda d^2 = 16.25/53 = 0.31 < 1: rejected;
    t = 1/2: (1, -1) -> z = (3/4, -3/4), d = (-5/4, -7/4), ratio 4.625/13.8125 = 0.33
    < 1/2: rejected; t = 1/4: (3/2, 0) -> z = (11/8, 0), d = (-5/8, -1), ratio
    1.390625/4.390625 = 0.32 >= 1/4: accepted, x_1 = (11/8, 0).
    k = 1, 2: on the first axis the ratio is 1: t = 1/4 is kept, the iterates are those
    of the constant step 1/4: x_2 = (29/32, 0), x_3 = (71/128, 0)."""
    kw = {"f": f} if oracle == "f" else {"value_and_grad": value_and_grad}
    xs, res = trace(optbook.proximal_gradient, grad, prox, np.array([2.0, 1.0]),
                    "backtracking", max_iter=3, step0=1.0, beta=0.5, **kw)
    np.testing.assert_array_equal(xs, [[11 / 8, 0], [29 / 32, 0], [71 / 128, 0]])
    assert res.step == 0.25


def test_proximal_gradient_backtracking_with_growth():
    r"""As above with grow = 2. k = 0: trials 2 (x - 2 grad = (-2, -7), z = (-1, -6),
    d = (-3, -7), ratio 58/205 = 0.28), 1, 1/2 rejected, 1/4 accepted: x_1 = (11/8, 0).
    k = 1: t = 1/2: (11/16, 0) -> z = (7/16, 0), ratio 1 >= 1/2: x_2 = (7/16, 0).
    k = 2: t = 1: (0, 0) -> z = (0, 0), ratio 1 >= 1 (equality, exact): x_3 = (0, 0)."""
    xs, res = trace(optbook.proximal_gradient, grad, prox, np.array([2.0, 1.0]),
                    "backtracking", max_iter=3, f=f, step0=1.0, beta=0.5, grow=2.0)
    np.testing.assert_array_equal(xs, [[11 / 8, 0], [7 / 16, 0], [0, 0]])
    assert res.step == 1.0


# ---------------------------------------------------------------------------
# FISTA restarts on f(x) = x^2/2 (L = 1), g = 0, gamma = 0.9: x_{k+1} = y_k / 10
# ---------------------------------------------------------------------------

PHI = (1 + math.sqrt(5)) / 2                  # t_1 = (1 + sqrt(1 + 4))/2
T2 = (1 + math.sqrt(1 + 4 * PHI**2)) / 2       # t_2
T3 = (1 + math.sqrt(1 + 4 * T2**2)) / 2        # t_3
T4 = (1 + math.sqrt(1 + 4 * T3**2)) / 2        # t_4
T5 = (1 + math.sqrt(1 + 4 * T4**2)) / 2        # t_5


def half_square(x):
    return 0.5 * float(x @ x)


def test_fista_gradient_restart():
    r"""restart="gradient": restart when <y_k - x_{k+1}, x_{k+1} - x_k> > 0.

    x_1 = y_0/10 = 1/10, y_1 = x_1 (the momentum (t_0 - 1)/t_1 is 0);
    x_2 = 1/100, y_2 = x_2 + (t_1 - 1)/t_2 (x_2 - x_1) = 0.01 - 0.09 (phi - 1)/t_2 < 0;
    x_3 = y_2/10: y_2 - x_3 = 0.9 y_2 < 0 and x_3 - x_2 < 0: restart, t = 1, y_3 = x_3.
    From x_3 the run repeats the first three steps scaled by x_3: x_4 = x_3/10,
    x_5 = x_3/100, x_6 = x_3 * x_3 (second restart)."""
    xs, res = trace(optbook.fista, lambda x: x, lambda x, t: x, np.array([1.0]), 0.9,
                    max_iter=6, restart="gradient")
    y2 = 0.01 + (PHI - 1) / T2 * (0.01 - 0.1)
    x3 = y2 / 10
    expected = [0.1, 0.01, x3, x3 / 10, x3 / 100, x3 * x3]
    np.testing.assert_allclose(xs[:, 0], expected, rtol=4e-16 * 8)
    assert res.n_restarts == 2


def test_fista_function_restart():
    r"""restart="function": restart when F(x_{k+1}) > F(x_k). With y_k = x_k +
    (t_{k-1} - 1)/t_k (x_k - x_{k-1}) and x_{k+1} = y_k/10, the values decrease until
    x_6 (|x_6| > |x_5|: the momentum carried the iterate back across 0): restart,
    y_6 = x_6 and x_7 = x_6/10."""
    xs, res = trace(optbook.fista, lambda x: x, lambda x, t: x, np.array([1.0]), 0.9,
                    max_iter=7, restart="function", f=half_square, g=lambda x: 0.0)
    x1, x2 = 0.1, 0.01
    x3 = (x2 + (PHI - 1) / T2 * (x2 - x1)) / 10
    x4 = (x3 + (T2 - 1) / T3 * (x3 - x2)) / 10
    x5 = (x4 + (T3 - 1) / T4 * (x4 - x3)) / 10
    x6 = (x5 + (T4 - 1) / T5 * (x5 - x4)) / 10
    assert abs(x6) > abs(x5) and all(abs(b) < abs(a) for a, b in
                                     zip([1, x1, x2, x3, x4], [x1, x2, x3, x4, x5]))
    np.testing.assert_allclose(xs[:, 0], [x1, x2, x3, x4, x5, x6, x6 / 10], rtol=4e-16 * 8)
    assert res.n_restarts == 1
