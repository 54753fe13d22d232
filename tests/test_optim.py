"""Tests of optbook.optim against PyTorch's documented update rules.

Each optimizer is compared, for several steps and hyperparameter settings,
with (1) an independent transcription of the pseudo-code of PyTorch's
documentation written below, one parameter array at a time, and (2)
``torch.optim`` itself when PyTorch is importable.
"""

import numpy as np
import pytest

from optbook import optim

RTOL = 1e-12
N_STEPS = 7


# ---------------------------------------------------------------------------
# Reference transcriptions of the documented pseudo-code (torch.optim docs).
# Each takes the list of parameter arrays and a function step -> list of
# gradients, runs n steps, and returns the list of parameter arrays after each
# step. Gradients are supplied from outside, so they do not depend on theta.
# ---------------------------------------------------------------------------


def ref_sgd(theta, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
            nesterov=False, maximize=False):
    theta = [p.copy() for p in theta]
    b = [None] * len(theta)
    history = []
    for t, gs in enumerate(grads, start=1):
        for i, g in enumerate(gs):
            g = -g if maximize else g.copy()
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            if momentum != 0:
                if t > 1:
                    b[i] = momentum * b[i] + (1 - dampening) * g
                else:
                    b[i] = g
                if nesterov:
                    g = g + momentum * b[i]
                else:
                    g = b[i]
            theta[i] = theta[i] - lr * g
        history.append([p.copy() for p in theta])
    return history


def ref_adagrad(theta, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                initial_accumulator_value=0.0, eps=1e-10, maximize=False):
    theta = [p.copy() for p in theta]
    state_sum = [np.full_like(p, initial_accumulator_value) for p in theta]
    history = []
    for t, gs in enumerate(grads, start=1):
        for i, g in enumerate(gs):
            g = -g if maximize else g.copy()
            lr_tilde = lr / (1 + (t - 1) * lr_decay)
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            state_sum[i] = state_sum[i] + g**2
            theta[i] = theta[i] - lr_tilde * g / (np.sqrt(state_sum[i]) + eps)
        history.append([p.copy() for p in theta])
    return history


def ref_rmsprop(theta, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0,
                momentum=0.0, centered=False, maximize=False):
    theta = [p.copy() for p in theta]
    v = [np.zeros_like(p) for p in theta]
    buf = [np.zeros_like(p) for p in theta]
    g_ave = [np.zeros_like(p) for p in theta]
    history = []
    for gs in grads:
        for i, g in enumerate(gs):
            g = -g if maximize else g.copy()
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            v[i] = alpha * v[i] + (1 - alpha) * g**2
            v_tilde = v[i]
            if centered:
                g_ave[i] = g_ave[i] * alpha + (1 - alpha) * g
                v_tilde = v_tilde - g_ave[i] ** 2
            if momentum > 0:
                buf[i] = momentum * buf[i] + g / (np.sqrt(v_tilde) + eps)
                theta[i] = theta[i] - lr * buf[i]
            else:
                theta[i] = theta[i] - lr * g / (np.sqrt(v_tilde) + eps)
        history.append([p.copy() for p in theta])
    return history


def ref_adam(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
             amsgrad=False, maximize=False, decoupled=False):
    beta1, beta2 = betas
    theta = [p.copy() for p in theta]
    m = [np.zeros_like(p) for p in theta]
    v = [np.zeros_like(p) for p in theta]
    v_max = [np.zeros_like(p) for p in theta]
    history = []
    for t, gs in enumerate(grads, start=1):
        for i, g in enumerate(gs):
            g = -g if maximize else g.copy()
            if decoupled:  # AdamW
                theta[i] = theta[i] - lr * weight_decay * theta[i]
            elif weight_decay != 0:
                g = g + weight_decay * theta[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g**2
            m_hat = m[i] / (1 - beta1**t)
            if amsgrad:
                v_max[i] = np.maximum(v_max[i], v[i])
                v_hat = v_max[i] / (1 - beta2**t)
            else:
                v_hat = v[i] / (1 - beta2**t)
            theta[i] = theta[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
        history.append([p.copy() for p in theta])
    return history


def ref_adamw(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
              amsgrad=False, maximize=False):
    return ref_adam(theta, grads, lr, betas, eps, weight_decay, amsgrad, maximize,
                    decoupled=True)


# (optbook class, reference, torch class name, list of hyperparameter dicts)
CASES = [
    (optim.SGD, ref_sgd, "SGD", [
        dict(lr=0.1),
        dict(lr=0.05, momentum=0.9),
        dict(lr=0.05, momentum=0.9, dampening=0.3),
        dict(lr=0.05, momentum=0.8, nesterov=True),
        dict(lr=0.02, momentum=0.9, weight_decay=0.1, nesterov=True),
        dict(lr=0.02, momentum=0.5, weight_decay=0.1, maximize=True),
    ]),
    (optim.Adagrad, ref_adagrad, "Adagrad", [
        dict(),
        dict(lr=0.1, lr_decay=0.05),
        dict(lr=0.1, weight_decay=0.2, initial_accumulator_value=0.5),
        dict(lr=0.1, eps=1e-3, maximize=True),
    ]),
    (optim.RMSProp, ref_rmsprop, "RMSprop", [
        dict(),
        dict(lr=0.01, alpha=0.9, momentum=0.7),
        dict(lr=0.01, alpha=0.9, centered=True),
        dict(lr=0.01, alpha=0.8, centered=True, momentum=0.5, weight_decay=0.1, eps=1e-4),
        dict(lr=0.01, maximize=True),
    ]),
    (optim.Adam, ref_adam, "Adam", [
        dict(),
        dict(lr=0.1, betas=(0.8, 0.99)),
        dict(lr=0.1, betas=(0.0, 0.5), eps=1e-3),
        dict(lr=0.05, weight_decay=0.1, amsgrad=True),
        dict(lr=0.05, amsgrad=True, maximize=True),
    ]),
    (optim.AdamW, ref_adamw, "AdamW", [
        dict(),
        dict(lr=0.1, weight_decay=0.3),
        dict(lr=0.1, weight_decay=0.3, amsgrad=True, betas=(0.5, 0.9)),
        dict(lr=0.05, weight_decay=0.0),
    ]),
]
PARAMS = [(cls, ref, tname, hp) for cls, ref, tname, hps in CASES for hp in hps]
IDS = [f"{tname}-{i}" for i, (_, _, tname, _) in enumerate(PARAMS)]


def _problem(seed=0):
    """Two parameter arrays and N_STEPS gradients whose sign and scale vary."""
    rng = np.random.default_rng(seed)
    theta = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    grads = []
    for t in range(N_STEPS):
        scale = 10.0 ** rng.uniform(-2, 1)
        grads.append([scale * rng.standard_normal(p.shape) for p in theta])
    return theta, grads


def _run(opt, theta, grads):
    history = []
    params = theta
    for gs in grads:
        params = opt.step(params, gs)
        history.append(params)
    return history


def _assert_history_close(h1, h2):
    assert len(h1) == len(h2)
    for step, (ps1, ps2) in enumerate(zip(h1, h2)):
        for p1, p2 in zip(ps1, ps2):
            np.testing.assert_allclose(p1, p2, rtol=RTOL, atol=1e-14,
                                       err_msg=f"step {step + 1}")


@pytest.mark.parametrize("cls, ref, tname, hp", PARAMS, ids=IDS)
def test_matches_documented_formulas(cls, ref, tname, hp):
    theta, grads = _problem()
    expected = ref(theta, grads, **hp)
    got = _run(cls(**hp), theta, grads)
    _assert_history_close(got, expected)


@pytest.mark.parametrize("cls, ref, tname, hp", PARAMS, ids=IDS)
def test_matches_torch(cls, ref, tname, hp):
    torch = pytest.importorskip("torch")
    theta, grads = _problem(seed=1)
    tensors = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in theta]
    topt = getattr(torch.optim, tname)(tensors, **hp)
    expected = []
    for gs in grads:
        topt.zero_grad()
        for tensor, g in zip(tensors, gs):
            tensor.grad = torch.tensor(g, dtype=torch.float64)
        topt.step()
        expected.append([tensor.detach().numpy().copy() for tensor in tensors])
    got = _run(cls(**hp), theta, grads)
    _assert_history_close(got, expected)


def test_defaults_match_torch():
    torch = pytest.importorskip("torch")
    import inspect

    for cls, _, tname, _ in CASES:
        ours = inspect.signature(cls).parameters
        theirs = inspect.signature(getattr(torch.optim, tname)).parameters
        for name, par in ours.items():
            assert name in theirs, (tname, name)
            assert theirs[name].default == par.default, (tname, name)


def test_sgd_first_momentum_step_has_no_dampening():
    g = np.array([1.0, -2.0])
    opt = optim.SGD(lr=1.0, momentum=0.9, dampening=0.5)
    x1 = opt.step(np.zeros(2), g)
    np.testing.assert_allclose(x1, -g)  # b_1 = g, not (1 - 0.5) g
    x2 = opt.step(x1, g)
    np.testing.assert_allclose(x2, x1 - (0.9 * g + 0.5 * g))


def test_adam_first_step_is_sign_times_lr():
    # With bias correction, the first Adam step is lr * g / (|g| + eps).
    g = np.array([3.0, -1e-3, 250.0])
    eps = 1e-300  # eps must be positive; this one is below the rounding of |g|
    opt = optim.Adam(lr=0.1, eps=eps)
    x = opt.step(np.ones(3), g)
    np.testing.assert_allclose(x, 1.0 - 0.1 * np.sign(g), rtol=1e-14)


def test_adagrad_on_quadratic_converges():
    # Adagrad with a moderate step on a convex quadratic drives the gradient down.
    rng = np.random.default_rng(0)
    D = np.diag(np.linspace(0.1, 10.0, 10))
    x = rng.standard_normal(10)
    opt = optim.Adagrad(lr=1.0)
    g0 = np.linalg.norm(D @ x)
    for _ in range(500):
        x = opt.step(x, D @ x)
    assert np.linalg.norm(D @ x) < 1e-3 * g0


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adagrad, optim.RMSProp, optim.Adam,
                                 optim.AdamW])
def test_inputs_not_modified_and_structure_kept(cls):
    rng = np.random.default_rng(0)
    params = [rng.standard_normal((2, 3)), rng.standard_normal(3)]
    grads = [rng.standard_normal((2, 3)), rng.standard_normal(3)]
    saved = [p.copy() for p in params + grads]
    opt = cls(lr=0.1)
    out = opt.step(params, grads)
    assert isinstance(out, list) and len(out) == 2
    for a, b in zip(params + grads, saved):
        np.testing.assert_array_equal(a, b)
    assert all(o is not p for o, p in zip(out, params))
    assert not any(np.array_equal(o, p) for o, p in zip(out, params))
    out_t = cls(lr=0.1).step(tuple(params), tuple(grads))
    assert isinstance(out_t, tuple)
    single = cls(lr=0.1).step(params[1], grads[1])
    assert isinstance(single, np.ndarray) and single.shape == (3,)
    np.testing.assert_allclose(single, out[1])


def test_reset_restarts_the_state():
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(4)
    gs = [rng.standard_normal(4) for _ in range(3)]
    opt = optim.Adam(lr=0.1)
    first = [opt.step(x0, g) for g in gs]
    assert opt.t == 3
    opt.reset()
    assert opt.t == 0 and opt.state is None
    again = [opt.step(x0, g) for g in gs]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)


def test_learning_rate_can_change_between_steps():
    opt = optim.SGD(lr=1.0)
    x = opt.step(np.ones(2), np.ones(2))
    opt.lr = 0.5
    x = opt.step(x, np.ones(2))
    np.testing.assert_allclose(x, [-0.5, -0.5])
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -1.0


@pytest.mark.parametrize("cls, kwargs, match", [
    (optim.SGD, dict(lr=0.0), "lr"),
    (optim.SGD, dict(lr=-0.1), "lr"),
    (optim.SGD, dict(lr=0.1, momentum=-0.5), "momentum"),
    (optim.SGD, dict(lr=0.1, nesterov=True), "nesterov"),
    (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
    (optim.SGD, dict(lr=0.1, dampening=1.5), "dampening"),
    (optim.SGD, dict(lr=0.1, weight_decay=-1.0), "weight_decay"),
    (optim.SGD, dict(lr=float("nan")), "lr"),
    (optim.Adagrad, dict(eps=-1e-3), "eps"),
    (optim.Adagrad, dict(lr_decay=-1.0), "lr_decay"),
    (optim.Adagrad, dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (optim.RMSProp, dict(alpha=1.0), "alpha"),
    (optim.RMSProp, dict(alpha=-0.1), "alpha"),
    (optim.RMSProp, dict(momentum=-0.1), "momentum"),
    (optim.Adam, dict(betas=(1.0, 0.999)), r"betas\[0\]"),
    (optim.Adam, dict(betas=(0.9, -0.1)), r"betas\[1\]"),
    (optim.Adam, dict(eps=-1.0), "eps"),
    (optim.AdamW, dict(weight_decay=-0.1), "weight_decay"),
])
def test_invalid_hyperparameters(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    (dict(betas=0.9), "betas"),
    (dict(amsgrad="yes"), "amsgrad"),
    (dict(lr="0.1"), "lr"),
])
def test_invalid_hyperparameter_types(kwargs, match):
    with pytest.raises(TypeError, match=match):
        optim.Adam(**kwargs)


def test_bad_params_and_grads():
    opt = optim.SGD(lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="same shape"):
        opt.step(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="number of arrays"):
        opt.step([np.zeros(3), np.zeros(2)], [np.zeros(3)])
    with pytest.raises(ValueError, match="grads is a list"):
        opt.step(np.zeros(3), [np.zeros(3)])
    with pytest.raises(ValueError, match="finite"):
        opt.step(np.zeros(3), np.array([0.0, np.nan, 1.0]))
    with pytest.raises(TypeError, match="params"):
        opt.step("abc", np.zeros(3))
    opt.step([np.zeros(3), np.zeros(2)], [np.ones(3), np.ones(2)])
    with pytest.raises(ValueError, match="structure of the first step"):
        opt.step([np.zeros(3)], [np.ones(3)])
    with pytest.raises(ValueError, match="structure of the first step"):
        opt.step([np.zeros(3), np.zeros(5)], [np.ones(3), np.ones(5)])
    opt.reset()
    opt.step([np.zeros(3)], [np.ones(3)])  # fine after reset


# --------------------------------------------------------------------------
# issue 13: dtypes, trees, hyperparameter ranges, non-finite steps, schedules
# --------------------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda: optim.SGD(lr=0.1, momentum=0.5),
                                  lambda: optim.Adagrad(), lambda: optim.RMSProp(),
                                  lambda: optim.Adam(), lambda: optim.AdamW()])
@pytest.mark.parametrize("kind", ["float32", "int", "list", "0-d"])
def test_step_accepts_float32_integer_list_and_0d_input(make, kind):
    """Failed before: np.array(..., copy=False) raised a misleading TypeError."""
    p = {"float32": np.ones(3, np.float32), "int": np.arange(3),
         "list": [1.0, 2.0, 3.0], "0-d": np.float64(2.0)}[kind]
    g = {"float32": np.full(3, 0.5, np.float32), "int": np.array([1, 0, -1]),
         "list": [0.1, 0.2, 0.3], "0-d": 1.0}[kind]
    opt = make()
    if kind == "list":   # a list is a list of 0-d parameters
        new = opt.step(p, g)
        assert isinstance(new, list) and all(np.ndim(v) == 0 for v in new)
        return
    new = opt.step(p, g)
    assert new.dtype == (np.float32 if kind == "float32" else np.float64)
    assert new.shape == np.shape(p)


@pytest.mark.parametrize("kwargs", [dict(momentum=1.0), dict(momentum=5.0), dict(momentum=-0.1)])
def test_sgd_momentum_must_lie_in_0_1(kwargs):
    with pytest.raises(ValueError, match="momentum"):
        optim.SGD(lr=0.1, **kwargs)
    with pytest.raises(ValueError, match="momentum"):
        optim.RMSProp(lr=0.1, **kwargs)


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW, optim.RMSProp, optim.Adagrad])
def test_eps_must_be_positive(cls):
    """Failed before: Adam(eps=0) with a zero gradient returned NaN."""
    with pytest.raises(ValueError, match="eps"):
        cls(eps=0.0)
    x = cls().step(np.ones(2), np.zeros(2))
    assert np.all(np.isfinite(x))


def test_non_finite_step_raises_and_keeps_the_state():
    opt = optim.SGD(lr=1e308, momentum=0.5)
    p = {"w": np.ones(2), "b": [np.zeros(1)]}
    opt.step(p, {"w": np.zeros(2), "b": [np.zeros(1)]})
    before = [dict(s) for s in opt.state]
    with pytest.raises(FloatingPointError, match=r"params\['w'\]"), np.errstate(over="ignore"):
        opt.step(p, {"w": np.array([1e10, 0.0]), "b": [np.zeros(1)]})
    assert opt.t == 1
    for s, b in zip(opt.state, before):
        for key in s:
            np.testing.assert_array_equal(s[key], b[key])


def test_dict_and_nested_trees_match_the_flat_list():
    rng = np.random.default_rng(0)
    W, b, c = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal(4)
    gW, gb, gc = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal(4)
    flat, tree = optim.Adam(lr=0.1), optim.Adam(lr=0.1)
    for _ in range(3):
        W1, b1, c1 = flat.step([W, b, c], [gW, gb, gc])
        new = tree.step({"layer": [W, b], "out": c}, {"layer": [gW, gb], "out": gc})
    np.testing.assert_array_equal(new["layer"][0], W1)
    np.testing.assert_array_equal(new["layer"][1], b1)
    np.testing.assert_array_equal(new["out"], c1)
    with pytest.raises(ValueError, match="same keys"):
        tree.step({"layer": [W, b], "out": c}, {"layer": [gW, gb], "other": gc})


def test_optimizer_on_autodiff_grad_tree():
    from optbook import autodiff as ad
    params = {"w": np.array([1.0, -2.0]), "b": np.array(0.5)}

    def loss(p):
        return ad.sum(p["w"] * p["w"]) + p["b"] * p["b"]

    opt = optim.SGD(lr=0.25)
    for _ in range(50):
        params = opt.step(params, ad.grad(loss)(params))
    assert np.abs(params["w"]).max() < 1e-10 and abs(float(params["b"])) < 1e-10


def test_step_lr_and_cosine_schedules_by_hand():
    opt = optim.SGD(lr=0.8)
    sched = optim.StepLR(opt, step_size=3, gamma=0.5)
    lrs = [opt.lr] + [sched.step() for _ in range(7)]
    assert lrs == [0.8 * 0.5 ** (k // 3) for k in range(8)]
    opt = optim.Adam(lr=1.0)
    sched = optim.CosineLR(opt, T_max=10, warmup=2, lr_min=0.1)
    lrs = [opt.lr] + [sched.step() for _ in range(12)]
    expect = [1 / 3, 2 / 3] + [0.1 + 0.45 * (1 + np.cos(np.pi * (k - 2) / 8)) for k in range(2, 11)]
    expect += [0.1, 0.1]
    np.testing.assert_allclose(lrs, expect, rtol=1e-15)
    with pytest.raises(ValueError, match="warmup"):
        optim.CosineLR(optim.SGD(lr=1.0), T_max=3, warmup=3)
    with pytest.raises(TypeError, match="optimizer"):
        optim.StepLR("adam", step_size=1)


def test_gradient_clipping():
    g = {"a": np.array([3.0, 0.0]), "b": [np.array([4.0])]}
    clipped, norm = optim.clip_grad_norm(g, 1.0)
    assert norm == 5.0
    np.testing.assert_allclose(clipped["a"], [0.6, 0.0])
    np.testing.assert_allclose(clipped["b"][0], [0.8])
    assert g["a"][0] == 3.0  # input untouched
    same, _ = optim.clip_grad_norm(g, 10.0)
    np.testing.assert_array_equal(same["a"], g["a"])
    v = optim.clip_grad_value([np.array([-5.0, 0.5], np.float32)], 1.0)
    assert v[0].dtype == np.float32 and v[0].tolist() == [-1.0, 0.5]
    with pytest.raises(ValueError, match="max_norm"):
        optim.clip_grad_norm(g, 0.0)
