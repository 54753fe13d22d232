r"""Theorem checks for chapter 5 (automatic differentiation).

Each test carries in its name and docstring the label of the
``{prf:theorem}`` of ``chapters/05_autodiff.md`` that it checks:

* ``thm-cheap-gradient``: the reverse sweep costs at most :math:`\omega`
  times the function, where :math:`\omega` bounds the cost of the reverse
  step of each elementary operation. Costs are *operation counts* (one unit
  per call of an :mod:`optbook.autodiff` operation), never timings. The
  reverse sweep is counted by recording it as a graph (nested
  differentiation, as for Hessian-vector products) and counting its nodes.
* ``thm-checkpointing``: uniform checkpointing returns the exact gradient
  with at most :math:`2T - 1` step evaluations and at most
  :math:`\lceil T/s\rceil + s` stored states.
* ``thm-central-differences``: central differences agree with the
  derivative computed by reverse mode up to :math:`M h^2 / 6`.
"""

import functools
import math

import numpy as np
import pytest

import optbook.autodiff as ad
from optbook.checkpoint import checkpointed_value_and_grad
from optbook.nn import cross_entropy, init_mlp, mlp_forward

# ---------------------------------------------------------------------------
# operation counts
# ---------------------------------------------------------------------------


def _reachable(roots):
    """The graph nodes reachable from ``roots`` (by id)."""
    seen = {}
    stack = [r for r in roots if isinstance(r, ad.Var)]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(p for p in node.inputs if isinstance(p, ad.Var))
    return seen


def _leaves(tree):
    if isinstance(tree, dict):
        return [leaf for k in tree for leaf in _leaves(tree[k])]
    if isinstance(tree, (list, tuple)):
        return [leaf for item in tree for leaf in _leaves(item)]
    return [tree]


def _as_nodes(tree):
    if isinstance(tree, dict):
        return {k: _as_nodes(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_as_nodes(v) for v in tree)
    return ad.Var(np.asarray(tree, dtype=float))


def operation_counts(f, x):
    """(m, r): calls of optbook.autodiff operations by ``f(x)`` and by its reverse sweep.

    ``f`` is differentiated at graph nodes, so that :func:`optbook.autodiff.value_and_grad`
    records its backward pass; the output is multiplied by a scalar node ``s`` so that
    the cotangents themselves are nodes and every operation of the sweep is recorded.
    The multiplication by ``s`` (one forward call) and its reverse step (one call)
    are not counted.
    """
    s = ad.Var(np.ones(()))
    xs = _as_nodes(x)
    value, grads = ad.value_and_grad(lambda z: f(z) * s)(xs)
    forward = _reachable([value])
    everything = _reachable([value] + _leaves(grads))
    n_inputs = len(_leaves(x))
    # forward graph: s, the outer input nodes, the inner input nodes, f's calls, "* s"
    m = len(forward) - 1 - 2 * n_inputs - 1
    r = len(everything) - len(forward) - 1
    return m, r


# elementary operations, each one call; binary ones take the same variable twice,
# so that their reverse step includes the accumulation of two contributions
C35 = np.random.default_rng(0).standard_normal((5, 3))
C53 = np.random.default_rng(1).standard_normal((3, 5))
IDX = np.array([0, 1, 1, 4])
ELEMENTARY = {
    "add": lambda x: x + x,
    "subtract": lambda x: x - x,
    "multiply": lambda x: x * x,
    "divide": lambda x: x / x,
    "power (variable exponent)": lambda x: x ** x,
    "power (constant exponent)": lambda x: x ** 3.0,
    "negative": lambda x: -x,
    "exp": ad.exp,
    "log": ad.log,
    "log1p": ad.log1p,
    "sqrt": ad.sqrt,
    "tanh": ad.tanh,
    "sigmoid": ad.sigmoid,
    "softplus": ad.softplus,
    "relu": ad.relu,
    "abs": ad.abs,
    "sin": ad.sin,
    "cos": ad.cos,
    "maximum": lambda x: ad.maximum(x, x),
    "minimum (constant)": lambda x: ad.minimum(x, 1.0),
    "matmul (vector @ matrix)": lambda x: x @ C35,
    "matmul (matrix @ vector)": lambda x: C53 @ x,
    "sum": lambda x: ad.sum(x, keepdims=True),
    "max": lambda x: ad.max(x, keepdims=True),
    "logsumexp": lambda x: ad.logsumexp(x, keepdims=True),
    "log_softmax": ad.log_softmax,
    "softmax": ad.softmax,
    "indexing": lambda x: x[IDX],
}
#: positive inputs, so that log, sqrt and x ** x are defined
X_POSITIVE = np.array([0.6, 1.3, 0.9, 1.8, 1.1])


@functools.lru_cache(maxsize=None)
def reverse_step_costs():
    """Cost omega_phi of the reverse step of each elementary operation phi (counts).

    Measured as r(sum(phi(x))) - r(sum(x)): the reverse steps of the final sum and
    of the seed are common to both programs, and phi is one forward call.
    """
    m0, r0 = operation_counts(ad.sum, X_POSITIVE)
    costs = {}
    for name, op in ELEMENTARY.items():
        m, r = operation_counts(lambda z: ad.sum(op(z)), X_POSITIVE)
        assert m == m0 + 1, name
        costs[name] = r - r0
    return costs


def logistic_program(d, n=40, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    y = np.sign(rng.standard_normal(n))
    return (lambda w: ad.mean(ad.softplus(-y * (A @ w))) + 0.01 * ad.sum(w * w),
            rng.standard_normal(d))


def mlp_program(sizes, n=16, seed=0, activation=ad.relu):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, sizes[0]))
    labels = rng.integers(0, sizes[-1], size=n)
    params = init_mlp(sizes, rng=seed)
    return (lambda p: cross_entropy(mlp_forward(p, X, activation), labels), params)


def random_program(seed, depth=12):
    """A random composition of elementary operations of R^5 (with fan-out), then a sum."""
    rng = np.random.default_rng(seed)
    shape_preserving = [n for n in ELEMENTARY if not n.startswith(
        ("matmul", "sum", "max", "logsumexp", "indexing"))]
    plan = [shape_preserving[int(i)] for i in rng.integers(len(shape_preserving), size=depth)]

    def f(x):
        values = [x]
        for k, name in enumerate(plan):
            z = ELEMENTARY[name](values[-1])
            if k % 3 == 2:  # reuse an earlier value: fan-out in the graph
                z = z * 0.5 + values[len(values) // 2] * 0.1
            values.append(1.0 + 0.5 * ad.tanh(z))  # stay in (0.5, 1.5)
        return ad.sum(values[-1])

    return f, X_POSITIVE + 0.1 * rng.standard_normal(5)


def test_operation_counts_of_small_programs():
    """The counting is exact on programs counted by hand."""
    x = np.arange(1.0, 4.0)
    # sum: 1 call; reverse: reshape + broadcast_to
    assert operation_counts(ad.sum, x) == (1, 2)
    # exp then sum: 2 calls; reverse: sum's 2 + exp's g * y
    assert operation_counts(lambda z: ad.sum(ad.exp(z)), x) == (2, 3)
    # x * x: the two contributions g * x and g * x are added: 3 calls
    assert operation_counts(lambda z: ad.sum(z * z), x) == (2, 5)


def test_thm_cheap_gradient_reverse_step_of_each_operation_is_bounded():
    """thm-cheap-gradient (hypothesis): the reverse step of every elementary operation
    of optbook.autodiff costs at most omega_phi <= 5 operation calls, except a power
    with a variable exponent (omega_phi <= 8)."""
    costs = reverse_step_costs()
    assert costs.pop("power (variable exponent)") <= 8
    assert max(costs.values()) <= 5, costs
    assert min(costs.values()) >= 1


@pytest.mark.parametrize("d", [2, 8, 32, 128, 512])
def test_thm_cheap_gradient_logistic_cost_independent_of_dimension(d):
    """thm-cheap-gradient: for the logistic loss, the reverse sweep costs at most
    omega times the forward pass, with counts that do not depend on d."""
    omega = max(reverse_step_costs().values())
    f, w = logistic_program(d)
    m, r = operation_counts(f, w)
    assert r <= omega * m
    assert (m, r) == operation_counts(*logistic_program(3))


@pytest.mark.parametrize("sizes", [[4, 3], [4, 8, 3], [4, 8, 8, 3], [16, 32, 32, 32, 10],
                                   [8] + [8] * 12 + [2]])
@pytest.mark.parametrize("activation", [ad.relu, ad.tanh], ids=["relu", "tanh"])
def test_thm_cheap_gradient_mlp(sizes, activation):
    """thm-cheap-gradient: for multilayer perceptrons of any width and depth, the
    reverse sweep costs at most omega times the forward pass (operation counts)."""
    omega = max(reverse_step_costs().values())
    f, params = mlp_program(sizes, activation=activation)
    m, r = operation_counts(f, params)
    assert 0 < r <= omega * m
    # the width does not change the counts, only the depth does
    wide = [s * 3 for s in sizes[:-1]] + [sizes[-1]]
    assert operation_counts(*mlp_program(wide, activation=activation)) == (m, r)


@pytest.mark.parametrize("seed", range(20))
def test_thm_cheap_gradient_random_programs(seed):
    """thm-cheap-gradient: on random compositions (with fan-out), the reverse sweep
    costs at most sum_i omega_i <= omega * m operation calls."""
    omega = max(reverse_step_costs().values())
    f, x = random_program(seed)
    m, r = operation_counts(f, x)
    assert r <= omega * m
    # the counted sweep is the real one: its result is the gradient
    g = ad.grad(f)(x)
    h = 1e-6
    fd = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(5)])
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7)


def test_forward_mode_gradient_needs_d_passes_reverse_one():
    """Forward mode builds a gradient from d Jacobian-vector products (one per
    coordinate); reverse mode from one backward pass: the counts of calls of the
    differentiated function differ by a factor d."""
    calls = {"n": 0}
    f0, w = logistic_program(16)

    def f(z):
        calls["n"] += 1
        return f0(z)

    ad.jacobian(f, w, mode="forward")
    forward_calls = calls["n"]
    calls["n"] = 0
    ad.grad(f)(w)
    assert forward_calls == 16 and calls["n"] == 1


# ---------------------------------------------------------------------------
# checkpointing
# ---------------------------------------------------------------------------


def chain(T, d=3, n=2, seed=0):
    rng = np.random.default_rng(seed)
    params = [(rng.standard_normal((d, d)) / np.sqrt(d), rng.standard_normal(d))
              for _ in range(T)]
    x0 = rng.standard_normal((n, d))
    calls = {"n": 0}

    def step(x, theta):
        calls["n"] += 1
        return x + ad.tanh(x @ theta[0] + theta[1]) / 2

    def loss(x):
        return ad.sum(ad.sin(x)) + ad.mean(x * x)

    return step, loss, x0, params, calls


def plain_gradient(step, loss, x0, params):
    def J(z):
        x, thetas = z
        for theta in thetas:
            x = step(x, theta)
        return loss(x)

    return ad.value_and_grad(J)((x0, params))


@pytest.mark.parametrize("T", [1, 2, 3, 7, 10, 16, 25])
def test_thm_checkpointing(T):
    """thm-checkpointing: for every interval s, the gradient is exactly that of
    plain reverse mode, step is evaluated T + t_last <= 2T - 1 times (T without
    checkpoints) and at most ceil(T/s) + s states are stored at once; with
    s = ceil(sqrt(T)), at most 2 ceil(sqrt(T)) states. The memory bound is attained
    (exactly when s divides T, up to one state otherwise)."""
    step, loss, x0, params, calls = chain(T)
    value, (gx, gp) = plain_gradient(step, loss, x0, params)
    for every in list(range(1, T + 2)) + [None, "sqrt"]:
        calls["n"] = 0
        v, (gx2, gp2), info = checkpointed_value_and_grad(step, loss, x0, params, every)
        s = T if every is None else (math.ceil(math.sqrt(T)) if every == "sqrt"
                                     else min(every, T))
        assert info["every"] == s
        assert v == float(value)
        np.testing.assert_array_equal(gx2, gx)
        for (a, b), (c, e) in zip(gp2, gp):
            np.testing.assert_array_equal(a, c)
            np.testing.assert_array_equal(b, e)
        t_last = ((T - 1) // s) * s
        assert calls["n"] == info["step_evaluations"] == T + t_last
        assert info["step_evaluations"] <= max(2 * T - 1, T)
        assert info["n_checkpoints"] == math.ceil(T / s)
        assert info["max_stored_states"] <= math.ceil(T / s) + s
        # not vacuous: the memory bound is attained up to one state, exactly when s | T
        assert info["max_stored_states"] >= math.ceil(T / s) + s - 1
        if T % s == 0:
            assert info["max_stored_states"] == T // s + s
        if s == T:
            assert info["step_evaluations"] == T
        if every == "sqrt":
            assert info["max_stored_states"] <= 2 * math.ceil(math.sqrt(T))


# ---------------------------------------------------------------------------
# central differences
# ---------------------------------------------------------------------------

#: max |softplus'''| = max |s (1 - s)(1 - 2 s)| over s in (0, 1), attained at
#: s = 1/2 -+ 1/(2 sqrt 3): 1 / (6 sqrt 3)
SOFTPLUS_M3 = 1 / (6 * np.sqrt(3))


@pytest.mark.parametrize("seed", range(5))
def test_thm_central_differences(seed):
    r"""thm-central-differences: for f(x) = mean softplus(Ax) + ||x||^2/2, whose third
    derivative along v is bounded by M = SOFTPLUS_M3 * mean |a_i^T v|^3, the central
    difference (f(x + hv) - f(x - hv))/(2h) differs from <grad f(x), v> (reverse mode)
    by at most M h^2/6, for every h (plus the rounding of the difference quotient)."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((30, 6)) * 2
    f = lambda x: ad.mean(ad.softplus(A @ x)) + ad.sum(x * x) / 2  # noqa: E731
    x, v = rng.standard_normal(6), rng.standard_normal(6)
    M = SOFTPLUS_M3 * np.mean(np.abs(A @ v) ** 3)
    exact = float(ad.grad(f)(x) @ v)
    hs = np.logspace(-3, 0, 25)
    errors, bounds = [], []
    for h in hs:
        fd = (float(f(x + h * v)) - float(f(x - h * v))) / (2 * h)
        errors.append(abs(fd - exact))
        rounding = 8 * np.finfo(float).eps * (abs(float(f(x))) + 1) / h
        bounds.append(M * h**2 / 6 + rounding)
    errors, bounds = np.array(errors), np.array(bounds)
    assert np.all(errors <= bounds * (1 + 1e-12)), (errors / bounds).max()
    # the order h^2 is attained: log-log slope of the error close to 2 for small h
    mid = hs <= 3e-2
    slope = np.polyfit(np.log(hs[mid]), np.log(errors[mid]), 1)[0]
    assert 1.8 <= slope <= 2.2, slope
