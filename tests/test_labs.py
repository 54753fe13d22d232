"""The labs' check cells accept the solutions and catch wrong answers.

A lab gives the student a skeleton and a check cell that compares the
student's function with ``optbook``. These tests run the labs' own set-up and
check cells (read from the chapter sources, so that the book and the test use
one piece of code) on the printed solutions, which must pass, and on answers
with the mistakes students make, which must each be reported as FAIL.
"""

import io
import re
import contextlib
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.S | re.M)


def code_cells(stem):
    """Source of every code cell of ``chapters/<stem>.md``, options removed."""
    text = (ROOT / "chapters" / f"{stem}.md").read_text()
    cells = []
    for body in CELL.findall(text):
        lines = body.splitlines()
        while lines and lines[0].startswith(":"):
            lines.pop(0)
        cells.append("\n".join(lines))
    return cells


def lab_namespace(stem, n_setup):
    """Run the first ``n_setup`` cells (data, imports, checks) and the solution cells."""
    import matplotlib

    matplotlib.use("Agg")
    cells = code_cells(stem)
    namespace = {"__name__": f"lab_{stem}"}
    chosen = cells[:n_setup] + [c for c in cells[n_setup:] if "\ndef solution_" in "\n" + c]
    with contextlib.redirect_stdout(io.StringIO()):
        for source in chosen:
            # the assert lines of a solution cell run the checks: keep them out
            source = "\n".join(line for line in source.splitlines()
                               if not line.startswith("assert check_"))
            exec(compile(source, f"<{stem}>", "exec"), namespace)
    return namespace


def quiet(check, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ok = check(*args)
    return ok, out.getvalue()


@pytest.fixture(scope="module")
def lab1():
    ns = lab_namespace("lab1_logistic_regression", 2)
    assert "check_armijo" in ns and "solution_armijo" in ns
    return ns


@pytest.fixture(scope="module")
def lab2():
    ns = lab_namespace("lab2_deep_learning", 3)
    assert "check_schedule" in ns and "solution_cosine_warmup" in ns
    return ns


# -- Lab 1 --------------------------------------------------------------------


def test_lab1_solutions_pass(lab1):
    ns = lab1
    assert quiet(ns["check_gradient_hessian"], ns["solution_grad"], ns["solution_hess"])[0]
    assert quiet(ns["check_constants"], ns["solution_lipschitz"],
                 ns["solution_strong_convexity"])[0]
    assert quiet(ns["check_gradient_descent"], ns["solution_gradient_descent"])[0]
    assert quiet(ns["check_nesterov"], ns["solution_nesterov"])[0]
    assert quiet(ns["check_armijo"], ns["solution_armijo"])[0]


def test_lab1_skeletons_fail_without_stopping(lab1):
    def todo(*args):
        raise NotImplementedError
    ok, out = quiet(lab1["check_gradient_hessian"], todo, todo)
    assert not ok and "not implemented yet" in out


def _wrong_gradients(ns):
    grad, hess = ns["solution_grad"], ns["solution_hess"]

    def no_ridge(x, A, y, lam):
        return grad(x, A, y, lam) - lam * x

    def sum_not_mean(x, A, y, lam):
        return len(y) * (grad(x, A, y, lam) - lam * x) + lam * x

    def naive_sigmoid(x, A, y, lam):  # overflows for large margins
        m = y * (A @ x)
        return -A.T @ (y / (1 + np.exp(m))) / len(y) + lam * x

    def hess_without_n(x, A, y, lam):
        d = A.shape[1]
        return len(y) * (hess(x, A, y, lam) - lam * np.eye(d)) + lam * np.eye(d)

    return {"gradient without the ridge term": (no_ridge, hess),
            "sum instead of mean": (sum_not_mean, hess),
            "sigmoid that overflows": (naive_sigmoid, hess),
            "Hessian without 1/n": (grad, hess_without_n)}


@pytest.mark.parametrize("mistake", ["gradient without the ridge term", "sum instead of mean",
                                     "sigmoid that overflows", "Hessian without 1/n"])
def test_lab1_task1_catches(lab1, mistake):
    grad_fn, hess_fn = _wrong_gradients(lab1)[mistake]
    ok, out = quiet(lab1["check_gradient_hessian"], grad_fn, hess_fn)
    assert not ok, out
    assert "FAIL" in out


def test_lab1_task2_catches_a_forgotten_quarter(lab1):
    L_fn, mu_fn = lab1["solution_lipschitz"], lab1["solution_strong_convexity"]

    def L_without_quarter(A, lam):
        return 4 * (L_fn(A, lam) - lam) + lam
    assert not quiet(lab1["check_constants"], L_without_quarter, mu_fn)[0]
    assert not quiet(lab1["check_constants"], L_fn, lambda A, lam: 0.0)[0]


def test_lab1_task3_catches(lab1):
    ns = lab1
    gd = ns["solution_gradient_descent"]

    def half_step(grad, x0, step, max_iter):
        return gd(grad, x0, step / 2, max_iter)

    def in_place(grad, x0, step, max_iter):
        x = x0
        for _ in range(max_iter):
            x -= step * grad(x)
        return x

    def one_step_short(grad, x0, step, max_iter):
        return gd(grad, x0, step, max(max_iter - 1, 0))
    for wrong in (half_step, in_place, one_step_short):
        assert not quiet(ns["check_gradient_descent"], wrong)[0], wrong.__name__

    def gd_for_nesterov(grad, x0, step, mu, max_iter):
        return gd(grad, x0, step, max_iter)

    def heavy_momentum(grad, x0, step, mu, max_iter):
        x = y = np.array(x0, dtype=float)
        for k in range(max_iter):
            x_new = y - step * grad(y)
            y = x_new + 0.9 * (x_new - x)  # a fixed momentum, not the book's
            x = x_new
        return x
    for wrong in (gd_for_nesterov, heavy_momentum):
        assert not quiet(ns["check_nesterov"], wrong)[0], wrong.__name__

    armijo = ns["solution_armijo"]

    def wrong_constant(f, grad, x0, step0, max_iter, c=1e-4):
        return armijo(f, grad, x0, step0, max_iter, c=0.5)

    def never_shrinks(f, grad, x0, step0, max_iter, c=1e-4):
        return gd(grad, x0, step0, max_iter), step0
    for wrong in (wrong_constant, never_shrinks):
        assert not quiet(ns["check_armijo"], wrong)[0], wrong.__name__


# -- Lab 2 --------------------------------------------------------------------


def test_lab2_solutions_pass(lab2):
    ns = lab2
    assert quiet(ns["check_softmax_grad"], ns["solution_softmax_grad"])[0]
    assert quiet(ns["check_adamw"], ns["solution_adamw_step"])[0]
    assert quiet(ns["check_clip"], ns["solution_clip_by_global_norm"])[0]
    assert quiet(ns["check_schedule"], ns["solution_cosine_warmup"])[0]


def test_lab2_task1_catches(lab2):
    grad = lab2["solution_softmax_grad"]

    def sum_not_mean(W, b, A, y):
        g_W, g_b = grad(W, b, A, y)
        return [len(y) * g_W, len(y) * g_b]

    def wrong_sign(W, b, A, y):
        g_W, g_b = grad(W, b, A, y)
        return [-g_W, -g_b]

    def transposed(W, b, A, y):
        g_W, g_b = grad(W, b, A, y)
        return [g_W.T, g_b]
    for wrong in (sum_not_mean, wrong_sign, transposed):
        assert not quiet(lab2["check_softmax_grad"], wrong)[0], wrong.__name__


def test_lab2_task3_catches(lab2):
    ns = lab2
    adamw = ns["solution_adamw_step"]

    def coupled_decay(theta, g, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8,
                      weight_decay=1e-2):  # Adam with L2 in the gradient
        return adamw(theta, g + weight_decay * theta, m, v, t, lr, betas, eps, 0.0)

    def no_bias_correction(theta, g, m, v, t, lr, betas=(0.9, 0.999), eps=1e-8,
                           weight_decay=1e-2):
        beta1, beta2 = betas
        theta = theta * (1 - lr * weight_decay)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        return theta - lr * m / (np.sqrt(v) + eps), m, v
    for wrong in (coupled_decay, no_bias_correction):
        assert not quiet(ns["check_adamw"], wrong)[0], wrong.__name__

    def per_tensor(grads, max_norm):
        return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]

    def in_place(grads, max_norm):
        norm = np.sqrt(sum(np.sum(g * g) for g in grads))
        if norm > max_norm:
            for g in grads:
                g *= max_norm / norm
        return grads
    for wrong in (per_tensor, in_place):
        assert not quiet(ns["check_clip"], wrong)[0], wrong.__name__

    cosine = ns["solution_cosine_warmup"]

    def no_warmup(t, total_steps, warmup_steps, lr_max, lr_min=0.0):
        return cosine(t, total_steps, 0, lr_max, lr_min)

    def warmup_from_zero(t, total_steps, warmup_steps, lr_max, lr_min=0.0):
        if t < warmup_steps:
            return lr_max * t / warmup_steps
        return cosine(t, total_steps, warmup_steps, lr_max, lr_min)
    for wrong in (no_warmup, warmup_from_zero):
        assert not quiet(ns["check_schedule"], wrong)[0], wrong.__name__
