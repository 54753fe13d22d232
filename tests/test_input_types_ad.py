"""Input types of every public function, part 2: optim, autodiff, checkpoint, nn
(see ``test_input_types.py`` and ``input_types_harness.py``).

Documented dtypes: the optimizers keep each parameter's floating dtype; the
autodiff transformations (``grad``, ``value_and_grad``, ``jvp``...) return
float64 arrays (``optbook.autodiff.grad``'s docstring), while its operations
follow NumPy (float32 stays float32). A Python list given to a transformation
or an optimizer is a tree of parameters, not a vector, so these cases run the
list kind only where a list is an array.
"""

import numpy as np
import pytest

from optbook import autodiff as ad, checkpoint, nn, optim

from input_types_harness import Case, Data, contract_tests

MODULES = ["optim", "autodiff", "checkpoint", "nn"]

EXCLUDED = {
    "optim.Optimizer": "abstract base class of the optimizers (subclasses covered)",
}

D = Data(1)
X3 = np.array([1.0, 2.0, 3.0])   # positive, for log and sqrt
G3 = np.array([1.0, -2.0, 3.0])
M23 = D.ints(2, 3)


def opt_run(make):
    def run(params, grads):
        opt = make()
        for _ in range(3):
            params = opt.step(params, grads)
        return params
    return run


def grad_of(op):
    """(op(x), d/dx sum(op(x))); a list is a tree for grad, so its gradient is
    taken at the array."""
    return lambda x: (op(x), ad.grad(lambda z: ad.sum(op(z)))(_arr(x)))


def _arr(x):
    return x if isinstance(x, np.ndarray) else np.asarray(x, dtype=np.float64)


def grad2_of(op):
    return lambda a, b: (op(a, b), *ad.grad(lambda u, v: ad.sum(op(u, v)),
                                            argnums=(0, 1))(_arr(a), _arr(b)))


TRANSFORM = dict(kinds=("f32", "int"), f32="f64")   # lists are trees for these
OP = dict(f32=("keep", "f64"), kinds=("f32", "list"), zero_d="x", zero_d_ok=True)

CASES = [
    # --- optim -------------------------------------------------------------
    *[Case(f"optim.{name}", lambda: {"params": G3 * 2, "grads": G3.copy()}, opt_run(make),
           kinds=("f32", "int"), zero_d="params", zero_d_all=True, zero_d_ok=True)
      for name, make in [
          ("SGD", lambda: optim.SGD(lr=0.1, momentum=0.9, nesterov=True)),
          ("Adagrad", lambda: optim.Adagrad(lr=0.1)),
          ("RMSProp", lambda: optim.RMSProp(lr=0.01, momentum=0.5, centered=True)),
          ("Adam", lambda: optim.Adam(lr=0.01, amsgrad=True)),
          ("AdamW", lambda: optim.AdamW(lr=0.01)),
      ]],
    Case("optim.StepLR", lambda: {}, lambda: _lrs(lambda o: optim.StepLR(o, 2, gamma=0.5)),
         kinds=()),
    Case("optim.CosineLR", lambda: {}, lambda: _lrs(lambda o: optim.CosineLR(o, 4, warmup=1)),
         kinds=()),
    Case("optim.clip_grad_norm", lambda: {"grads": G3 * 2},
         lambda grads: optim.clip_grad_norm(grads, 1.0), kinds=("f32", "int"),
         zero_d="grads", zero_d_ok=True),
    Case("optim.clip_grad_value", lambda: {"grads": G3 * 2},
         lambda grads: optim.clip_grad_value(grads, 1.0), kinds=("f32", "int"),
         zero_d="grads", zero_d_ok=True),
    # --- autodiff: transformations (float64 results, documented) -----------
    Case("autodiff.grad", lambda: {"x": X3.copy()},
         lambda x: ad.grad(lambda z: ad.sum(ad.exp(z) * z))(x), zero_d="x", zero_d_ok=True,
         **TRANSFORM),
    Case("autodiff.value_and_grad", lambda: {"x": X3.copy()},
         lambda x: ad.value_and_grad(lambda z: ad.sum(ad.log(z)))(x), zero_d="x",
         zero_d_ok=True, **TRANSFORM),
    Case("autodiff.vjp", lambda: {"x": X3.copy(), "u": G3.copy()},
         lambda x, u: _vjp(x, u), direct=("x",), **TRANSFORM),
    Case("autodiff.jvp", lambda: {"x": X3.copy(), "v": G3.copy()},
         lambda x, v: ad.jvp(ad.tanh, x, v), **TRANSFORM),
    Case("autodiff.hvp", lambda: {"x": X3.copy(), "v": G3.copy()},
         lambda x, v: ad.hvp(lambda z: ad.sum(z ** 3), x, v), **TRANSFORM),
    Case("autodiff.jacobian", lambda: {"x": X3.copy()},
         lambda x: (ad.jacobian(ad.sin, x), ad.jacobian(ad.sin, x, mode="forward")),
         **TRANSFORM),
    Case("autodiff.check_grad", lambda: {"x": X3.copy()},
         lambda x: float(ad.check_grad(lambda z: float(np.sum(np.exp(z))), x,
                                       grad=np.exp) < 1e-2), **TRANSFORM),
    Case("autodiff.Var", lambda: {"x": X3.copy()},
         lambda x: (ad.Var(x).value, (ad.Var(x) * 2.0).value), f32=("keep", "keep"),
         kinds=("f32", "int")),
    Case("autodiff.Dual", lambda: {"x": X3.copy(), "v": G3.copy()},
         lambda x, v: (ad.exp(ad.Dual(x, v)).value, ad.exp(ad.Dual(x, v)).tangent),
         kinds=("f32",)),
    # --- autodiff: operations (NumPy dtypes for values, float64 gradients) ---
    *[Case(f"autodiff.{name}", lambda: {"x": X3.copy()}, grad_of(op), **OP)
      for name, op in [
          ("negative", ad.negative), ("exp", ad.exp), ("log", ad.log), ("log1p", ad.log1p),
          ("sqrt", ad.sqrt), ("sin", ad.sin), ("cos", ad.cos), ("tanh", ad.tanh),
          ("sigmoid", ad.sigmoid),
          ("softplus", ad.softplus), ("relu", ad.relu),
          ("abs", ad.abs), ("sign", ad.sign),
          ("sum", lambda z: ad.sum(z, keepdims=True)), ("mean", ad.mean),
          ("max", lambda z: ad.max(z, axis=0)), ("min", lambda z: ad.min(z, axis=0)),
          ("logsumexp", ad.logsumexp), ("softmax", lambda z: ad.softmax(z, axis=-1) * z),
          ("log_softmax", lambda z: ad.log_softmax(z, axis=-1) * z),
      ]],
    *[Case(f"autodiff.{name}", lambda: {"a": X3.copy(), "b": G3.copy()}, grad2_of(op),
           f32=("keep", "f64", "f64"), kinds=("f32", "list"), zero_d="a", zero_d_all=True,
           zero_d_ok=True)
      for name, op in [
          ("add", ad.add), ("subtract", ad.subtract), ("multiply", ad.multiply),
          ("divide", ad.divide), ("power", lambda u, v: ad.power(u, ad.abs(v))),
          ("maximum", ad.maximum), ("minimum", ad.minimum),
          ("where", lambda u, v: ad.where(np.array([True, False, True]), u, v)),
          ("stack", lambda u, v: ad.stack([u, v], axis=0)),
      ]],
    Case("autodiff.concatenate", lambda: {"a": X3.copy(), "b": G3.copy()},
         grad2_of(lambda u, v: ad.concatenate([u, v])), f32=("keep", "f64", "f64"),
         kinds=("f32", "list")),
    Case("autodiff.matmul", lambda: {"a": M23.copy(), "b": G3.copy()},
         grad2_of(ad.matmul), f32=("keep", "f64", "f64"), kinds=("f32", "int", "list")),
    *[Case(f"autodiff.{name}", lambda: {"x": M23.copy()}, grad_of(op),
           f32=("keep", "f64"), kinds=("f32", "int", "list"))
      for name, op in [
          ("reshape", lambda z: ad.reshape(z, (3, 2)) * 1.5),
          ("transpose", lambda z: ad.transpose(z) * 1.5),
          ("broadcast_to", lambda z: ad.broadcast_to(z, (4, 2, 3)) * 1.5),
      ]],
    # --- checkpoint ------------------------------------------------------------
    Case("checkpoint.checkpointed_value_and_grad",
         lambda: {"x0": X3.copy(), "p0": G3.copy(), "p1": G3 + 1, "p2": G3 - 1},
         lambda x0, p0, p1, p2: checkpoint.checkpointed_value_and_grad(
             lambda x, th: ad.tanh(x * th), lambda x: ad.sum(x * x), x0, [p0, p1, p2],
             every=2)[:2], direct=("x0",), f32="f64", kinds=("f32", "int", "list"),
         zero_d="x0", zero_d_ok=True),
    # --- nn --------------------------------------------------------------------
    Case("nn.init_mlp", lambda: {}, lambda: nn.init_mlp([3, 4, 2], rng=0), kinds=()),
    Case("nn.mlp_forward", lambda: {"X": M23.copy(), **_params()},
         lambda X, W1, b1, W2, b2: nn.mlp_forward([W1, b1, W2, b2], X), direct=("X",),
         zero_d="X"),
    Case("nn.cross_entropy", lambda: {"logits": np.vstack([M23, M23[::-1]]),
                                      "labels": np.array([0, 2, 1, 1])},
         lambda logits, labels: nn.cross_entropy(logits, labels), fixed=("labels",),
         zero_d="logits"),
    Case("nn.accuracy", lambda: {"X": np.vstack([M23, M23[::-1]]), "labels": np.array([0, 1, 1, 0]),
                                 **_params()},
         lambda X, labels, W1, b1, W2, b2: nn.accuracy([W1, b1, W2, b2], X, labels),
         fixed=("labels",), direct=("X",), zero_d="X"),
    Case("nn.iterate_minibatches", lambda: {},
         lambda: list(nn.iterate_minibatches(10, 4, rng=0)), kinds=()),
    Case("nn.train", lambda: {"X": np.vstack([M23, M23[::-1]] * 2),
                              "y": np.array([0, 1, 1, 0] * 2), **_params()},
         lambda X, y, W1, b1, W2, b2: nn.train([W1, b1, W2, b2], optim.SGD(lr=0.1), X, y,
                                               epochs=2, batch_size=4, rng=0)[0],
         fixed=("y",), direct=("X",), zero_d="X", rtol32=1e-3),
]


def _params():
    W1, b1, W2, b2 = nn.init_mlp([3, 4, 2], rng=0)
    return {"W1": np.round(W1 * 4) / 4, "b1": b1 + 0.25, "W2": np.round(W2 * 4) / 4, "b2": b2}


def _lrs(make):
    opt = optim.SGD(lr=1.0)
    sched = make(opt)
    out = []
    for _ in range(5):
        out.append(opt.lr)
        sched.step()
    return out


def _vjp(x, u):
    out = ad.vjp(ad.sin, x)
    return out[0], out[1](u)


globals().update(contract_tests(CASES, MODULES, EXCLUDED))


def test_autodiff_shape_errors_are_value_errors():
    """Reductions, concatenate and stack reject bad shapes with a ValueError."""
    # as np.sum: axis 0 of a 0-d array reduces nothing; axis 1 is out of bounds
    assert float(ad.mean(np.asarray(3.0), axis=0)) == 3.0
    with pytest.raises(ValueError):  # numpy's AxisError is a ValueError
        ad.mean(np.asarray(1.0), axis=1)
    with pytest.raises(ValueError, match="zero-dimensional"):
        ad.concatenate([np.asarray(1.0), np.asarray(2.0)])
    with pytest.raises(ValueError, match="same shape"):
        ad.stack([np.asarray(1.0), np.ones(3)])
    np.testing.assert_allclose(ad.sigmoid([0.0, 2.0]), 1 / (1 + np.exp(-np.array([0.0, 2.0]))))
