"""Tests of optbook.autodiff: gradients against finite differences and closed
forms, forward against reverse mode, Hessian-vector products, nonsmooth
conventions, and the errors for unsupported NumPy calls."""

import numpy as np
import pytest

import optbook.autodiff as ad

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def fd_grad(f, x, h=1e-6):
    """Central finite differences of a scalar function, coordinate by coordinate."""
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (float(f(x + e)) - float(f(x - e))) / (2 * h)
    return g


def fd_directional(f, x, v, h=1e-6):
    return (np.asarray(f(x + h * v)) - np.asarray(f(x - h * v))) / (2 * h)


def assert_close(a, b, rtol=1e-6, atol=1e-8, err_msg=""):
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=str(err_msg))


# ---------------------------------------------------------------------------
# random compositions of the supported operations
# ---------------------------------------------------------------------------

SHAPE = (3, 4)


def _unary_ops(rng):
    """Shape-preserving maps (3, 4) -> (3, 4) built from the supported ops."""
    C = rng.standard_normal((3, 3)) / 2
    D = rng.standard_normal((4, 4)) / 2
    row = rng.standard_normal((1, 4))
    col = rng.standard_normal((3, 1))
    w26 = rng.standard_normal((2, 6))
    mask = rng.random(SHAPE) < 0.5
    return [
        ("tanh", ad.tanh),
        ("sigmoid", ad.sigmoid),
        ("softplus", ad.softplus),
        ("sin", ad.sin),
        ("cos", ad.cos),
        ("exp(tanh)", lambda a: ad.exp(ad.tanh(a))),
        ("log(1+a^2)", lambda a: ad.log(1 + a**2)),
        ("sqrt(1+a^2)", lambda a: ad.sqrt(1 + a * a)),
        ("log1p(sigmoid)", lambda a: ad.log1p(ad.sigmoid(a))),
        ("a/(1+a^2)", lambda a: a / (1 + a**2)),
        ("neg", lambda a: -a),
        ("cube", lambda a: a**3 / 10),
        ("2**tanh", lambda a: 2.0 ** ad.tanh(a)),
        ("softmax", lambda a: ad.softmax(a, axis=-1)),
        ("log_softmax0", lambda a: ad.log_softmax(a, axis=0)),
        ("a-logsumexp", lambda a: a - ad.logsumexp(a, axis=1, keepdims=True)),
        ("C@a", lambda a: C @ a),
        ("a@D", lambda a: a @ D),
        ("(a.T@C).T", lambda a: (a.T @ C).T),
        ("broadcast row col", lambda a: a * row + col),
        ("reshape", lambda a: (a.reshape(2, 6) * w26).reshape(3, 4)),
        ("transpose method", lambda a: a.transpose(1, 0).T * 1.5),
        ("concatenate", lambda a: ad.concatenate([a[:, :2] * 2, a[:, 2:]], axis=1)),
        ("stack", lambda a: ad.stack([a[0], a[1] ** 2, a[2]], axis=0)),
        ("fancy index dup", lambda a: a[[0, 0, 2]] + a[np.array([2, 1, 1])]),
        ("bool index", lambda a: ad.where(mask, a, 0.0) + ad.reshape(
            ad.concatenate([a[mask], a[~mask] * 2]), (3, 4))),
        ("where", lambda a: ad.where(mask, a, a**2)),
        ("leaky maximum", lambda a: ad.maximum(a, 0.3 * a)),
        ("minimum", lambda a: ad.minimum(a, ad.tanh(a) + 0.1)),
        ("abs", lambda a: ad.abs(a + 0.05)),
        ("mean axis0", lambda a: a * ad.mean(a, axis=0, keepdims=True)),
        ("sum axis1", lambda a: a + ad.sum(a, axis=1, keepdims=True) / 4),
        ("max axis1", lambda a: a / (2 + ad.max(a, axis=1, keepdims=True) ** 2)),
        ("min all", lambda a: a * ad.min(a)),
        ("broadcast_to", lambda a: ad.broadcast_to(ad.sum(a, axis=0), SHAPE) * 0.1 + a),
        ("methods", lambda a: a - a.mean() + a.sum(axis=0) / 10 + a.max(axis=0)),
        ("rsub rtruediv", lambda a: 1.0 - 2.0 / (3.0 + a * a)),
    ]


_BINARY = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / (1 + b**2)),
    ("pow", lambda a, b: (1.5 + ad.tanh(a)) ** ad.tanh(b)),
    ("minimum", lambda a, b: ad.minimum(a, b)),
    ("maximum", lambda a, b: ad.maximum(a, b)),
    ("a@b.T@a", lambda a, b: (a @ b.T) @ a / 4),
]


def random_composition(seed, depth=6):
    """A random scalar function of a (3, 4) array, and the names of its ops."""
    rng = np.random.default_rng(seed)
    unary = _unary_ops(rng)
    W = rng.standard_normal(SHAPE)
    plan = []
    for step in range(depth):
        if step > 0 and rng.random() < 0.35:
            j = int(rng.integers(len(_BINARY)))
            a, b = (int(i) for i in rng.integers(0, step + 1, size=2))
            plan.append(("binary", j, a, b))
        else:
            j = int(rng.integers(len(unary)))
            a = int(rng.integers(0, step + 1))
            plan.append(("unary", j, a, None))

    def f(x):
        values = [x]
        for kind, j, a, b in plan:
            if kind == "unary":
                values.append(unary[j][1](values[a]))
            else:
                values.append(_BINARY[j][1](values[a], values[b]))
        return ad.sum(values[-1] * W) + 0.1 * ad.sum(values[len(values) // 2])

    names = [unary[j][0] if k == "unary" else _BINARY[j][0] for k, j, _, _ in plan]
    return f, names


@pytest.mark.parametrize("seed", range(40))
def test_random_compositions_match_finite_differences(seed):
    f, names = random_composition(seed)
    x = np.random.default_rng(1000 + seed).standard_normal(SHAPE)
    value, g = ad.value_and_grad(f)(x)
    assert g.shape == SHAPE
    assert_close(value, f(x), rtol=1e-14, atol=0)  # same value as plain NumPy
    assert_close(g, fd_grad(f, x), rtol=1e-5, atol=1e-7, err_msg=names)


@pytest.mark.parametrize("seed", range(40))
def test_random_compositions_forward_mode(seed):
    f, names = random_composition(seed)
    rng = np.random.default_rng(2000 + seed)
    x, v = rng.standard_normal(SHAPE), rng.standard_normal(SHAPE)
    value, tangent = ad.jvp(f, x, v)
    assert_close(value, f(x), rtol=1e-14, atol=0)
    g = ad.grad(f)(x)
    assert_close(tangent, np.sum(g * v), rtol=1e-10, atol=1e-12, err_msg=names)
    assert_close(tangent, fd_directional(f, x, v), rtol=1e-6, atol=1e-8, err_msg=names)


@pytest.mark.parametrize("name_op", _unary_ops(np.random.default_rng(0)),
                         ids=lambda no: no[0])
def test_each_unary_op(name_op):
    """Every operation alone, through a random linear functional."""
    _, op = name_op
    rng = np.random.default_rng(3)
    W = rng.standard_normal(SHAPE)
    x = rng.standard_normal(SHAPE)
    f = lambda a: ad.sum(op(a) * W)  # noqa: E731
    assert_close(ad.grad(f)(x), fd_grad(f, x), rtol=1e-6, atol=1e-8)
    v = rng.standard_normal(SHAPE)
    assert_close(ad.jvp(f, x, v)[1], np.sum(ad.grad(f)(x) * v), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name_op", _BINARY, ids=lambda no: no[0])
def test_each_binary_op_both_arguments(name_op):
    _, op = name_op
    rng = np.random.default_rng(4)
    W = rng.standard_normal(SHAPE)
    x, y = rng.standard_normal(SHAPE), rng.standard_normal(SHAPE)
    f = lambda a, b: ad.sum(op(a, b) * W)  # noqa: E731
    gx, gy = ad.grad(f, argnums=(0, 1))(x, y)
    assert_close(gx, fd_grad(lambda a: f(a, y), x))
    assert_close(gy, fd_grad(lambda b: f(x, b), y))


# ---------------------------------------------------------------------------
# broadcasting and matmul shapes
# ---------------------------------------------------------------------------

BROADCAST_CASES = [
    ((3, 4), (4,)), ((3, 1), (1, 4)), ((3, 4), ()), ((2, 3, 4), (3, 1)),
    ((1,), (5,)), ((4, 1, 2), (3, 2)),
]


@pytest.mark.parametrize("sa, sb", BROADCAST_CASES)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum", "where"])
def test_broadcasting_gradients(sa, sb, op):
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb) + 3.0
    cond = rng.random(np.broadcast_shapes(sa, sb)) < 0.5
    fn = {"add": lambda a, b: a + b, "sub": lambda a, b: b - a,
          "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
          "maximum": ad.maximum, "where": lambda a, b: ad.where(cond, a, b)}[op]
    W = rng.standard_normal(np.broadcast_shapes(sa, sb))
    f = lambda a, b: ad.sum(fn(a, b) * W)  # noqa: E731
    ga, gb = ad.grad(f, argnums=(0, 1))(a, b)
    assert ga.shape == sa and gb.shape == sb
    assert_close(ga, fd_grad(lambda a_: f(a_, b), a))
    assert_close(gb, fd_grad(lambda b_: f(a, b_), b))


@pytest.mark.parametrize("sa, sb", [
    ((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)),
    ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (2, 4, 1)), ((4,), (2, 4, 3)),
])
def test_matmul_shapes(sa, sb):
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    W = rng.standard_normal(np.shape(a @ b))
    f = lambda a, b: ad.sum((a @ b) * W)  # noqa: E731
    ga, gb = ad.grad(f, argnums=(0, 1))(a, b)
    assert ga.shape == sa and gb.shape == sb
    assert_close(ga, fd_grad(lambda a_: f(a_, b), a))
    assert_close(gb, fd_grad(lambda b_: f(a, b_), b))
    # forward mode in each argument
    va, vb = rng.standard_normal(sa), rng.standard_normal(sb)
    assert_close(ad.jvp(lambda a_: f(a_, b), a, va)[1], np.sum(ga * va), rtol=1e-10)
    assert_close(ad.jvp(lambda b_: f(a, b_), b, vb)[1], np.sum(gb * vb), rtol=1e-10)


def test_ndarray_on_the_left_dispatches_to_autodiff():
    rng = np.random.default_rng(7)
    A, x = rng.standard_normal((3, 4)), rng.standard_normal(4)
    f = lambda x: ad.sum(np.float64(2.0) * (A @ x) + np.ones(3) - np.ones(3) / (1 + x[:3] ** 2))  # noqa: E731,E501
    assert_close(ad.grad(f)(x), fd_grad(f, x))


# ---------------------------------------------------------------------------
# closed-form gradients of the book's objectives
# ---------------------------------------------------------------------------


def test_least_squares_closed_form():
    from optbook.objectives import LeastSquares

    rng = np.random.default_rng(8)
    A, b = rng.standard_normal((30, 5)), rng.standard_normal(30)
    obj = LeastSquares(A, b)
    f = lambda x: ad.sum((A @ x - b) ** 2) / (2 * len(b))  # noqa: E731
    for _ in range(3):
        x = rng.standard_normal(5)
        value, g = ad.value_and_grad(f)(x)
        assert_close(value, obj.value(x), rtol=1e-13, atol=0)
        assert_close(g, obj.grad(x), rtol=1e-12, atol=1e-14)
        v = rng.standard_normal(5)
        assert_close(ad.hvp(f, x, v), obj.hess(x) @ v, rtol=1e-12, atol=1e-14)


def test_logistic_regression_closed_form():
    from optbook.objectives import LogisticRegression

    rng = np.random.default_rng(9)
    A = rng.standard_normal((40, 6)) * 3
    y = np.where(rng.random(40) < 0.5, -1.0, 1.0)
    lam = 0.1
    obj = LogisticRegression(A, y, lam)
    f = lambda x: ad.mean(ad.softplus(-y * (A @ x))) + lam / 2 * ad.sum(x * x)  # noqa: E731
    for scale in (0.1, 1.0, 100.0):  # large margins: stable
        x = scale * rng.standard_normal(6)
        value, g = ad.value_and_grad(f)(x)
        assert np.isfinite(value) and np.all(np.isfinite(g))
        assert_close(value, obj.value(x), rtol=1e-12, atol=1e-14)
        assert_close(g, obj.grad(x), rtol=1e-10, atol=1e-12)
        v = rng.standard_normal(6)
        assert_close(ad.hvp(f, x, v), obj.hess(x) @ v, rtol=1e-9, atol=1e-12)


def test_softmax_cross_entropy_gradient_closed_form():
    # d/dz of -log softmax(z)_y is softmax(z) - e_y
    rng = np.random.default_rng(10)
    Z = rng.standard_normal((5, 4)) * 10
    labels = np.array([0, 3, 1, 1, 2])
    f = lambda Z: -ad.mean(ad.log_softmax(Z, axis=1)[np.arange(5), labels])  # noqa: E731
    P = np.exp(Z - Z.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    expected = (P - np.eye(4)[labels]) / 5
    assert_close(ad.grad(f)(Z), expected, rtol=1e-12, atol=1e-15)


def test_logsumexp_softmax_stable_for_huge_inputs():
    x = np.array([1000.0, 1000.0, -1000.0])
    value, g = ad.value_and_grad(ad.logsumexp)(x)
    assert_close(value, 1000.0 + np.log(2.0), rtol=1e-15)
    assert_close(g, [0.5, 0.5, 0.0], atol=1e-300)
    assert np.all(np.isfinite(ad.softmax(x)))
    assert np.all(np.isfinite(ad.grad(lambda z: ad.sum(ad.sigmoid(z) + ad.softplus(z)))(x)))


# ---------------------------------------------------------------------------
# forward vs reverse, Jacobians, Hessian-vector products, higher order
# ---------------------------------------------------------------------------


def _vector_function(seed):
    rng = np.random.default_rng(seed)
    B = rng.standard_normal((5, 4))
    C = rng.standard_normal((3, 5))
    return lambda x: C @ ad.tanh(B @ x) + ad.softmax(x)[:3] * ad.sum(x**2)


@pytest.mark.parametrize("seed", range(5))
def test_jvp_vjp_transpose_identity(seed):
    """<u, J v> computed by forward mode equals <J^T u, v> by reverse mode."""
    f = _vector_function(seed)
    rng = np.random.default_rng(100 + seed)
    x, v, u = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal(3)
    value, Jv = ad.jvp(f, x, v)
    value2, pullback = ad.vjp(f, x)
    uJ = pullback(u)
    assert_close(value, value2, rtol=1e-15, atol=0)
    assert_close(u @ Jv, uJ @ v, rtol=1e-12, atol=1e-13)
    assert_close(Jv, fd_directional(f, x, v))


def test_jacobian_forward_reverse_and_fd():
    f = _vector_function(0)
    x = np.random.default_rng(11).standard_normal(4)
    J_rev = ad.jacobian(f, x)
    J_fwd = ad.jacobian(f, x, mode="forward")
    assert J_rev.shape == (3, 4)
    assert_close(J_rev, J_fwd, rtol=1e-12, atol=1e-14)
    J_fd = np.stack([fd_directional(f, x, e) for e in np.eye(4)], axis=1)
    assert_close(J_rev, J_fd)
    with pytest.raises(ValueError, match="mode"):
        ad.jacobian(f, x, mode="sideways")


def test_hvp_of_quadratic_is_Q_v():
    rng = np.random.default_rng(12)
    M = rng.standard_normal((6, 6))
    Q = M @ M.T
    c = rng.standard_normal(6)
    f = lambda x: 0.5 * (x @ (Q @ x)) - c @ x  # noqa: E731
    x, v = rng.standard_normal(6), rng.standard_normal(6)
    assert_close(ad.hvp(f, x, v), Q @ v, rtol=1e-12, atol=1e-13)
    assert_close(ad.grad(f)(x), Q @ x - c, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("seed", range(10))
def test_hvp_matches_finite_differences_of_gradient(seed):
    f, names = random_composition(seed, depth=4)
    rng = np.random.default_rng(300 + seed)
    x, v = rng.standard_normal(SHAPE), rng.standard_normal(SHAPE)
    g = ad.grad(f)
    expected = fd_directional(g, x, v, h=1e-5)
    assert_close(ad.hvp(f, x, v), expected, rtol=1e-5, atol=1e-6, err_msg=names)


def test_higher_order_scalar_derivatives():
    d1 = ad.grad(lambda x: x**3 + ad.sin(x))
    d2 = ad.grad(d1)
    d3 = ad.grad(d2)
    x = 0.7
    assert_close(d1(x), 3 * x**2 + np.cos(x), rtol=1e-14)
    assert_close(d2(x), 6 * x - np.sin(x), rtol=1e-14)
    assert_close(d3(x), 6 - np.cos(x), rtol=1e-14)


def test_nested_grad_has_no_perturbation_confusion():
    # d/dx [ x * d/dy (x * y) ] = d/dx [x * x] = 2x
    def outer(x):
        inner = ad.grad(lambda y: x * y)(1.0)
        return x * inner

    assert_close(ad.grad(outer)(3.0), 6.0, rtol=1e-15)


def test_deep_graph_has_no_recursion_limit():
    def f(x):
        for _ in range(5000):
            x = x * 1.0001 + 0.0
        return ad.sum(x)

    g = ad.grad(f)(np.ones(2))
    assert_close(g, np.full(2, 1.0001**5000), rtol=1e-10)


# ---------------------------------------------------------------------------
# nonsmooth conventions (the examples of the chapter)
# ---------------------------------------------------------------------------


def test_relu_minus_relu_of_minus_x_at_zero():
    f = lambda x: ad.relu(x) - ad.relu(-x)  # the identity function  # noqa: E731
    assert ad.grad(f)(0.0) == 0.0  # autodiff answer at the kink
    assert ad.grad(f)(0.3) == 1.0 and ad.grad(f)(-0.3) == 1.0
    assert ad.jvp(f, 0.0, 1.0)[1] == 0.0  # same in forward mode


def test_kink_conventions():
    assert ad.grad(ad.relu)(0.0) == 0.0
    assert ad.grad(ad.abs)(0.0) == 0.0
    assert ad.grad(lambda x: ad.maximum(x, 0.0))(0.0) == 0.5  # ties split
    assert ad.grad(lambda x: ad.minimum(x, 0.0))(0.0) == 0.5
    g = ad.grad(lambda x: ad.max(x))(np.array([1.0, 3.0, 3.0]))
    np.testing.assert_array_equal(g, [0.0, 0.5, 0.5])


# ---------------------------------------------------------------------------
# API: pytrees, argnums, has_aux, constants, inputs untouched
# ---------------------------------------------------------------------------


def test_pytree_arguments_and_argnums():
    rng = np.random.default_rng(13)
    params = {"W": rng.standard_normal((3, 2)), "layers": [rng.standard_normal(2), 0.5]}
    X = rng.standard_normal((4, 3))

    def loss(p, X):
        return ad.sum(ad.tanh(X @ p["W"] + p["layers"][0]) ** 2) * p["layers"][1]

    g = ad.grad(loss)(params, X)
    assert set(g) == {"W", "layers"} and isinstance(g["layers"], list)
    assert_close(g["W"], fd_grad(lambda W: loss({**params, "W": W}, X), params["W"]))
    assert_close(g["layers"][1], loss(params, X) / 0.5, rtol=1e-12)
    gp, gX = ad.grad(loss, argnums=(0, 1))(params, X)
    assert_close(gX, fd_grad(lambda X_: loss(params, X_), X))
    assert_close(gp["W"], g["W"], rtol=1e-15)


def test_has_aux_and_value():
    f = lambda x: (ad.sum(x**2), "aux")  # noqa: E731
    (value, aux), g = ad.value_and_grad(f, has_aux=True)(np.array([1.0, 2.0]))
    assert aux == "aux" and value == 5.0
    g2, aux2 = ad.grad(f, has_aux=True)(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(g2, [2.0, 4.0])
    (value, logits), _ = ad.value_and_grad(lambda x: (ad.sum(x), x * 2), has_aux=True)(
        np.ones(2))
    assert isinstance(logits, np.ndarray)  # aux comes back as plain arrays
    with pytest.raises(ValueError, match="has_aux"):
        ad.grad(lambda x: ad.sum(x), has_aux=True)(np.ones(2))


def test_constant_function_has_zero_gradient():
    g = ad.grad(lambda x: 3.0)(np.ones(3))
    np.testing.assert_array_equal(g, np.zeros(3))
    assert ad.jvp(lambda x: np.ones(2), np.ones(3), np.ones(3))[1].tolist() == [0.0, 0.0]


def test_inputs_are_not_modified():
    x = np.array([1.0, -2.0, 3.0])
    saved = x.copy()
    ad.grad(lambda x: ad.sum(x[[0, 0]] ** 2))(x)
    ad.jvp(lambda x: x * 2, x, x)
    ad.hvp(lambda x: ad.sum(x**3), x, x)
    np.testing.assert_array_equal(x, saved)


def test_operations_on_plain_arrays_return_arrays():
    x = np.array([0.5, -1.0])
    assert isinstance(ad.exp(x), np.ndarray)
    np.testing.assert_allclose(ad.logsumexp(x), np.log(np.exp(x).sum()))
    np.testing.assert_allclose(ad.sigmoid(x), 1 / (1 + np.exp(-x)))


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("fun, match", [
    (lambda x: ad.sum(np.exp(x)), r"numpy\.exp.*optbook\.autodiff\.exp"),
    (lambda x: np.sum(x), r"numpy\.sum.*optbook\.autodiff\.sum"),
    (lambda x: np.dot(x, x), r"numpy\.dot.*@"),
    (lambda x: ad.sum(np.sort(x)), r"numpy\.sort.*no equivalent"),
    (lambda x: ad.sum(np.asarray(x)), r"\.value"),
    (lambda x: float(x[0]), r"\.value"),
    (lambda x: ad.sum(np.maximum(x, 0)), r"optbook\.autodiff\.maximum"),
])
def test_unsupported_numpy_calls_raise_clear_errors(fun, match):
    with pytest.raises(TypeError, match=match):
        ad.grad(fun)(np.array([1.0, 2.0]))


def test_unsupported_calls_in_forward_mode():
    with pytest.raises(TypeError, match=r"numpy\.tanh.*optbook\.autodiff\.tanh"):
        ad.jvp(lambda x: np.tanh(x), np.ones(2), np.ones(2))


def test_setitem_is_refused():
    def f(x):
        x[0] = 1.0
        return ad.sum(x)

    with pytest.raises(TypeError, match="assignment"):
        ad.grad(f)(np.ones(2))


def test_bad_inputs():
    with pytest.raises(ValueError, match="scalar"):
        ad.grad(lambda x: x * 2)(np.ones(3))
    with pytest.raises(ValueError, match="argnums"):
        ad.grad(lambda x: ad.sum(x), argnums=1)(np.ones(3))
    with pytest.raises(TypeError, match="argnums"):
        ad.grad(lambda x: ad.sum(x), argnums=1.0)(np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        ad.grad(lambda x: ad.sum(x))(np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="fun"):
        ad.grad("not a function")
    with pytest.raises(ValueError, match="same shapes"):
        ad.jvp(lambda x: x, np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="same structure"):
        ad.jvp(lambda x: x[0], [np.ones(3)], np.ones(3))
    value, pullback = ad.vjp(lambda x: x * 2, np.ones(3))
    with pytest.raises(ValueError, match="shape"):
        pullback(np.ones(2))
    with pytest.raises(TypeError, match="index"):
        ad.grad(lambda x: ad.sum(x[x]))(np.ones(2))
    with pytest.raises(TypeError, match="jvp"):
        ad.grad(lambda x: ad.jvp(ad.sin, x, x)[1])(1.0)
