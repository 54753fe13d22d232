"""Tests of :mod:`optbook.second_order`: reference solutions, behaviour, bad input."""

import numpy as np
import pytest
import scipy.optimize
import scipy.sparse as sp
from scipy.special import expit

import optbook
from optbook import autodiff as ad
from optbook.datasets import load_breast_cancer
from optbook.objectives import LogisticRegression, Quadratic
from optbook.second_order import (bfgs, damped_newton, gauss_newton, lbfgs, levenberg_marquardt,
                                  newton, newton_cg, strong_wolfe)

LAM = 1e-2


@pytest.fixture(scope="module")
def logreg():
    A, y = load_breast_cancer()
    f = LogisticRegression(A, y, lam=LAM)
    return f, f.reference_solution()


def value_and_grad(f):
    A, y, n = f.A, f.y, f.n_samples

    def vg(x):
        m = y * (A @ x)
        return (float(np.mean(np.logaddexp(0, -m))) + 0.5 * f.lam * float(x @ x),
                -(A.T @ (y * expit(-m))) / n + f.lam * x)
    return vg


def hvp(f):
    A, y, n = f.A, f.y, f.n_samples

    def prod(x, v):
        m = y * (A @ x)
        return A.T @ (expit(m) * expit(-m) * (A @ v)) / n + f.lam * v
    return prod


# --------------------------------------------------------------------------
# reference solutions
# --------------------------------------------------------------------------


def test_all_solvers_match_reference_and_sklearn(logreg):
    from sklearn.linear_model import LogisticRegression as SkLR

    f, x_star = logreg
    A, y = f.A, f.y
    sk = SkLR(C=1 / (LAM * f.n_samples), fit_intercept=False, tol=1e-12, max_iter=10_000)
    sk.fit(A, y)
    np.testing.assert_allclose(sk.coef_.ravel(), x_star, atol=1e-5)
    x0 = np.zeros(A.shape[1])
    runs = {
        "newton": newton(f.grad, f.hess, x0),
        "damped_newton": damped_newton(f.value, f.grad, f.hess, x0, tol=1e-16),
        "self-concordant": damped_newton(None, f.grad, f.hess, x0, tol=1e-16,
                                         step="self-concordant"),
        "newton_cg": newton_cg(f.grad, hvp(f), x0, f=f.value, tol=1e-10),
        "bfgs": bfgs(f.value, f.grad, x0, tol=1e-10),
        "lbfgs": lbfgs(value_and_grad(f), True, x0, tol=1e-10),
    }
    for name, res in runs.items():
        assert res.success, (name, res.message)
        np.testing.assert_allclose(res.x, x_star, atol=1e-8, err_msg=name)


def test_bfgs_lbfgs_agree_with_scipy(logreg):
    f, x_star = logreg
    x0 = np.zeros(f.n_features)
    ref_bfgs = scipy.optimize.minimize(f.value, x0, jac=f.grad, method="BFGS",
                                       options={"gtol": 1e-10})
    ref_lbfgsb = scipy.optimize.minimize(value_and_grad(f), x0, jac=True, method="L-BFGS-B",
                                         options={"gtol": 1e-12, "ftol": 0.0, "maxiter": 10_000})
    ours = bfgs(f.value, f.grad, x0, tol=1e-10)
    ours_l = lbfgs(f.value, f.grad, x0, tol=1e-10)
    np.testing.assert_allclose(ours.x, ref_bfgs.x, atol=1e-7)
    np.testing.assert_allclose(ours_l.x, ref_lbfgsb.x, atol=1e-7)
    # same order of work as SciPy's implementations
    assert ours.nit <= 1.5 * ref_bfgs.nit + 5
    assert ours_l.nfev <= 1.5 * ref_lbfgsb.nfev + 5


def test_newton_cg_agrees_with_scipy(logreg):
    f, x_star = logreg
    x0 = np.zeros(f.n_features)
    ref = scipy.optimize.minimize(f.value, x0, jac=f.grad, hessp=hvp(f), method="Newton-CG",
                                  options={"xtol": 1e-12})
    ours = newton_cg(f.grad, hvp(f), x0, f=f.value, tol=1e-10)
    np.testing.assert_allclose(ours.x, ref.x, atol=1e-5)  # SciPy stops on the step size
    np.testing.assert_allclose(ours.x, x_star, atol=1e-8)
    assert ours.nit <= ref.nit + 5
    assert ours.nhev == sum(ours.cg_iters)


def test_newton_cg_with_autodiff_hvp():
    Q = np.array([[3.0, 1.0], [1.0, 2.0]])

    def fun(x):
        return 0.5 * ad.sum(x * (Q @ x)) + ad.sum(ad.exp(x))

    g = ad.grad(fun)
    res = newton_cg(g, lambda x, v: ad.hvp(fun, x, v), np.zeros(2), tol=1e-12)
    ref = scipy.optimize.minimize(lambda x: 0.5 * x @ Q @ x + np.exp(x).sum(), np.zeros(2),
                                  jac=lambda x: Q @ x + np.exp(x), method="BFGS",
                                  options={"gtol": 1e-12})
    assert res.success
    np.testing.assert_allclose(res.x, ref.x, atol=1e-9)


@pytest.mark.parametrize("forcing", ["eisenstat-walker", "sqrt", 0.1])
def test_newton_cg_forcing_terms(logreg, forcing):
    f, x_star = logreg
    res = newton_cg(f.grad, hvp(f), np.zeros(f.n_features), f=f.value, tol=1e-10,
                    forcing=forcing)
    assert res.success
    np.testing.assert_allclose(res.x, x_star, atol=1e-8)


# --------------------------------------------------------------------------
# behaviour
# --------------------------------------------------------------------------


def test_newton_one_step_on_quadratic_and_affine_invariance():
    q = Quadratic.random(6, mu=1.0, L=1e4, rng=0)
    res = newton(q.grad, q.hess, np.zeros(6), max_iter=1, tol=0.0)
    np.testing.assert_allclose(res.x, q.minimizer(), rtol=1e-9, atol=1e-12)
    # affine invariance: Newton on g(y) = f(Ty) gives y_k = T^{-1} x_k
    rng = np.random.default_rng(0)
    T = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    fg = lambda x: np.exp(x) - 2 + 0.1 * x  # noqa: E731  gradient of a separable convex f
    fh = lambda x: np.diag(np.exp(x) + 0.1)  # noqa: E731
    xs, ys = [], []
    x0 = np.array([0.3, -0.2, 0.5])
    newton(fg, fh, x0, max_iter=5, tol=0, callback=lambda x: xs.append(x))
    newton(lambda v: T.T @ fg(T @ v), lambda v: T.T @ fh(T @ v) @ T, np.linalg.solve(T, x0),
           max_iter=5, tol=0, callback=lambda v: ys.append(T @ v))
    np.testing.assert_allclose(np.array(ys), np.array(xs), rtol=1e-9, atol=1e-12)


def test_newton_sparse_hessian_and_float32():
    d = 200
    main = 2.0 + np.arange(d) / d
    H = sp.diags([main, -np.ones(d - 1), -np.ones(d - 1)], [0, -1, 1], format="csr")
    c = np.ones(d)
    res = newton(lambda x: H @ x - c, lambda x: H, np.zeros(d))
    assert res.success and res.nit == 1
    np.testing.assert_allclose(H @ res.x, c, atol=1e-10)
    Q = np.diag([1.0, 4.0]).astype(np.float32)
    c32 = np.ones(2, dtype=np.float32)
    r32 = newton(lambda x: Q @ x - c32, lambda x: Q, np.zeros(2, dtype=np.float32), tol=1e-5)
    assert r32.x.dtype == np.float32 and r32.success
    r32 = lbfgs(lambda x: 0.5 * x @ Q @ x - c32 @ x, lambda x: Q @ x - c32,
                np.zeros(2, dtype=np.float32), tol=1e-5)
    assert r32.x.dtype == np.float32 and r32.success


def test_newton_singular_hessian_falls_back_to_least_squares():
    # f(x) = (x1 + x2 - 2)^2 / 2: Hessian [[1, 1], [1, 1]] is singular
    grad = lambda x: (x.sum() - 2) * np.ones(2)  # noqa: E731
    res = newton(grad, lambda x: np.ones((2, 2)), np.zeros(2))
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 1.0])  # minimum-norm step


def test_pure_newton_diverges_damped_converges():
    g = lambda x: np.tanh(x)  # noqa: E731  f = log cosh
    h = lambda x: np.diag(np.cosh(x) ** -2.0)  # noqa: E731
    f = lambda x: float(np.sum(np.logaddexp(x, -x)))  # noqa: E731
    res = newton(g, h, [1.2], max_iter=20)
    assert not res.success and res.status in (1, 2)
    assert abs(res.x[0]) > 100  # far away, where the Hessian underflows to 0
    res = damped_newton(f, g, h, [1.2])
    assert res.success and abs(res.x[0]) < 1e-6


def test_damped_newton_stops_on_indefinite_hessian():
    # f(x) = x^4/4 - x^2/2: f''(0.1) < 0
    res = damped_newton(lambda x: float(x[0] ** 4 / 4 - x[0] ** 2 / 2), lambda x: x**3 - x,
                        lambda x: np.diag(3 * x**2 - 1), [0.1])
    assert res.status == 5 and not res.success and "positive definite" in res.message


def test_value_and_grad_sharing_counts(logreg):
    f, x_star = logreg
    calls = {"n": 0}
    vg = value_and_grad(f)

    def counted(x):
        calls["n"] += 1
        return vg(x)

    res = lbfgs(counted, True, np.zeros(f.n_features), tol=1e-8)
    assert res.nfev == res.njev == calls["n"]
    res2 = bfgs(counted, True, np.zeros(f.n_features), tol=1e-8)
    assert res2.nfev == res2.njev


def test_strong_wolfe_conditions_hold():
    rng = np.random.default_rng(0)
    q = Quadratic.random(10, mu=1.0, L=100.0, rng=0)
    for _ in range(20):
        x, p = rng.standard_normal(10), -rng.standard_normal(10)
        g = q.grad(x)
        if g @ p >= 0:
            p = -p

        def phi(t):
            return q.value(x + t * p), float(q.grad(x + t * p) @ p), None

        t, ft, _ = strong_wolfe(phi, q.value(x), float(g @ p), step0=rng.uniform(0.01, 10))
        assert ft <= q.value(x) + 1e-4 * t * (g @ p)
        assert abs(q.grad(x + t * p) @ p) <= 0.9 * abs(g @ p)
    assert strong_wolfe(phi, 0.0, 1.0) is None  # not a descent direction


def test_strong_wolfe_never_increases_f_beyond_rounding():
    """The approximate Wolfe safeguard must not accept a step that increases f.

    phi(t) = 1e6 + 1e-5 (-t + 3.5 t^2 - 2 t^3): phi'(1) = 0, phi(1) - phi(0) = 5e-6,
    far above rounding (8 eps |phi(0)| ~ 2e-9). The strong Wolfe step is near the
    local minimizer t = 1/6.
    """
    def phi(t):
        return 1e6 + 1e-5 * (-t + 3.5 * t**2 - 2 * t**3), 1e-5 * (-1 + 7 * t - 6 * t**2), None

    f0, d0 = 1e6, -1e-5
    t, ft, _ = strong_wolfe(phi, f0, d0)
    slack = 8 * np.finfo(float).eps * abs(f0)
    assert ft <= f0 + 1e-4 * t * d0 + slack          # sufficient decrease, up to rounding
    assert abs(phi(t)[1]) <= 0.9 * abs(d0)            # strong curvature condition
    assert abs(t - 1 / 6) < 0.2


def test_bfgs_contraction_ratio_tends_to_zero():
    """Superlinear convergence of BFGS (thm-bfgs-superlinear, not a rate bound):
    on a strongly convex, badly scaled logistic regression, the ratios
    ||x_{k+1} - x*|| / ||x_k - x*|| are about 1 at first and tend to 0."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((200, 5)) * np.array([0.1, 0.3, 1, 3, 10])
    f = LogisticRegression(A, np.sign(rng.standard_normal(200)), lam=1e-2)
    x_star = newton(f.grad, f.hess, np.zeros(5), tol=1e-15).x
    errors = [np.linalg.norm(x_star)]
    bfgs(value_and_grad(f), True, np.zeros(5), tol=1e-12,
         callback=lambda x: errors.append(np.linalg.norm(x - x_star)))
    errors = np.array(errors)
    errors = errors[errors > 1e-11]                  # above the accuracy of x*
    ratios = errors[1:] / errors[:-1]
    assert ratios.size >= 20
    assert np.median(ratios[: ratios.size // 2]) > 0.9  # slow at first (badly conditioned)
    assert np.max(ratios[-3:]) < 0.05                 # a linear method would stall at a constant


def test_lbfgs_rosenbrock_and_memory_one():
    f = scipy.optimize.rosen
    g = scipy.optimize.rosen_der
    for m in (1, 5, 10):
        res = lbfgs(f, g, np.array([-1.2, 1.0, -0.5, 0.8]), memory=m, tol=1e-9)
        assert res.success
        np.testing.assert_allclose(res.x, np.ones(4), atol=1e-7)
    res = bfgs(f, g, np.array([-1.2, 1.0]), tol=1e-9)
    assert res.success and np.allclose(res.x, 1.0, atol=1e-7)


def test_callback_once_per_iteration_and_stop():
    q = Quadratic.random(5, mu=1.0, L=50.0, rng=1)
    for solver in (lambda cb: lbfgs(q.value, q.grad, np.zeros(5), callback=cb),
                   lambda cb: bfgs(q.value, q.grad, np.zeros(5), callback=cb),
                   lambda cb: newton(q.grad, q.hess, np.ones(5), callback=cb),
                   lambda cb: damped_newton(q.value, q.grad, q.hess, np.ones(5), callback=cb),
                   lambda cb: newton_cg(q.grad, lambda x, v: q.hess() @ v, np.ones(5),
                                        callback=cb)):
        seen = []
        res = solver(lambda x: seen.append(x.copy()))
        assert len(seen) == res.nit and res.success
        res = solver(lambda x: True)
        assert res.nit == 1 and res.status == 3


def test_inputs_not_modified(logreg):
    f, _ = logreg
    x0 = np.full(f.n_features, 0.1)
    keep = x0.copy()
    for res in (newton(f.grad, f.hess, x0), bfgs(f.value, f.grad, x0),
                lbfgs(f.value, f.grad, x0), newton_cg(f.grad, hvp(f), x0)):
        assert res.success
    np.testing.assert_array_equal(x0, keep)


def test_top_level_names():
    assert optbook.newton is newton and optbook.lbfgs is lbfgs
    assert optbook.bfgs is bfgs and optbook.damped_newton is damped_newton


def exp_fit_problem(noise=0.0):
    t = np.linspace(0, 4, 40)
    rng = np.random.default_rng(0)
    b = 2.0 * np.exp(-1.3 * t) + 0.5 + noise * rng.standard_normal(t.size)

    def residual(x):
        return x[0] * np.exp(-x[1] * t) + x[2] - b

    def jacobian(x):
        e = np.exp(-x[1] * t)
        return np.column_stack([e, -x[0] * t * e, np.ones_like(t)])
    return residual, jacobian


@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_gauss_newton_and_lm_match_scipy_least_squares(noise):
    residual, jacobian = exp_fit_problem(noise)
    x0 = np.array([1.0, 0.5, 0.0])
    ref = scipy.optimize.least_squares(residual, x0, jac=jacobian, method="lm", xtol=1e-15,
                                       ftol=1e-15, gtol=1e-15)
    for res in (gauss_newton(residual, jacobian, x0, tol=1e-12),
                levenberg_marquardt(residual, jacobian, x0, tol=1e-12)):
        assert res.success, res.message
        np.testing.assert_allclose(res.x, ref.x, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(res.fun, 0.5 * np.sum(ref.fun**2), rtol=1e-8, atol=1e-20)


def test_lm_from_far_where_gauss_newton_struggles():
    residual, jacobian = exp_fit_problem(0.0)
    x0 = np.array([5.0, 6.0, -3.0])
    res = levenberg_marquardt(residual, jacobian, x0, tol=1e-12, max_iter=500)
    assert res.success
    np.testing.assert_allclose(res.x, [2.0, 1.3, 0.5], atol=1e-8)


def test_divergence_reported():
    res = newton(lambda x: np.array([np.inf]), lambda x: np.eye(1), [1.0])
    assert not res.success and res.status == 2
    res = lbfgs(lambda x: float("nan"), lambda x: np.ones(1) * np.nan, [1.0])
    assert not res.success


# --------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------

Q2 = np.diag([1.0, 2.0])
F = lambda x: 0.5 * float(x @ Q2 @ x)  # noqa: E731
G = lambda x: Q2 @ x  # noqa: E731
H = lambda x: Q2  # noqa: E731
HVP = lambda x, v: Q2 @ v  # noqa: E731
R = lambda x: np.array([x[0] - 1, x[1] - 2, x[0] * x[1]])  # noqa: E731
J = lambda x: np.array([[1.0, 0.0], [0.0, 1.0], [x[1], x[0]]])  # noqa: E731
X0 = np.ones(2)

SOLVERS = {
    "newton": lambda **kw: newton(**{"grad": G, "hess": H, "x0": X0, **kw}),
    "damped_newton": lambda **kw: damped_newton(**{"f": F, "grad": G, "hess": H, "x0": X0, **kw}),
    "bfgs": lambda **kw: bfgs(**{"f": F, "grad": G, "x0": X0, **kw}),
    "lbfgs": lambda **kw: lbfgs(**{"f": F, "grad": G, "x0": X0, **kw}),
    "newton_cg": lambda **kw: newton_cg(**{"grad": G, "hvp": HVP, "x0": X0, **kw}),
    "gauss_newton": lambda **kw: gauss_newton(**{"residual": R, "jacobian": J, "x0": X0, **kw}),
    "levenberg_marquardt": lambda **kw: levenberg_marquardt(
        **{"residual": R, "jacobian": J, "x0": X0, **kw}),
}
ORACLES = {"newton": ["grad", "hess"], "damped_newton": ["f", "grad", "hess"],
           "bfgs": ["f", "grad"], "lbfgs": ["f", "grad"], "newton_cg": ["grad", "hvp"],
           "gauss_newton": ["residual", "jacobian"],
           "levenberg_marquardt": ["residual", "jacobian"]}


@pytest.mark.parametrize("name", SOLVERS)
def test_bad_common_arguments(name):
    solve = SOLVERS[name]
    assert solve().success
    for bad_x0, exc in [("abc", TypeError), (np.array([1.0, np.nan]), ValueError),
                        (np.ones((2, 2)), ValueError), (np.array([]), ValueError)]:
        with pytest.raises(exc, match="x0"):
            solve(x0=bad_x0)
    with pytest.raises(ValueError, match="max_iter"):
        solve(max_iter=-1)
    with pytest.raises(TypeError, match="max_iter"):
        solve(max_iter=2.5)
    with pytest.raises(ValueError, match="tol"):
        solve(tol=-1.0)
    with pytest.raises(TypeError, match="callback"):
        solve(callback=3)
    for oracle in ORACLES[name]:
        with pytest.raises(TypeError, match=oracle):
            solve(**{oracle: "not callable"})


@pytest.mark.parametrize("name", ["newton", "damped_newton", "bfgs", "lbfgs", "newton_cg"])
def test_wrong_oracle_shapes(name):
    solve = SOLVERS[name]
    with pytest.raises(ValueError, match="grad"):
        solve(grad=lambda x: np.ones(3))
    if name in ("newton", "damped_newton"):
        with pytest.raises(ValueError, match="hess"):
            solve(hess=lambda x: np.eye(3))
    if name == "newton_cg":
        with pytest.raises(ValueError, match="hvp"):
            solve(hvp=lambda x, v: np.ones(3))


def test_bad_specific_arguments():
    for kw in ({"alpha": 0.5}, {"alpha": 0.0}, {"beta": 1.0}, {"beta": -0.1}):
        with pytest.raises(ValueError, match=list(kw)[0]):
            SOLVERS["damped_newton"](**kw)
    with pytest.raises(ValueError, match="step"):
        SOLVERS["damped_newton"](step="fixed")
    with pytest.raises(TypeError, match="f"):
        SOLVERS["damped_newton"](f=None)
    with pytest.raises(ValueError, match="memory"):
        SOLVERS["lbfgs"](memory=0)
    with pytest.raises(TypeError, match="memory"):
        SOLVERS["lbfgs"](memory=2.0)
    with pytest.raises(ValueError, match="forcing"):
        SOLVERS["newton_cg"](forcing="fast")
    with pytest.raises(ValueError, match="forcing"):
        SOLVERS["newton_cg"](forcing=1.5)
    with pytest.raises(ValueError, match="max_cg"):
        SOLVERS["newton_cg"](max_cg=0)
    with pytest.raises(TypeError, match="f"):
        SOLVERS["newton_cg"](f=3)
    with pytest.raises(ValueError, match="damping"):
        SOLVERS["levenberg_marquardt"](damping=0.0)
    with pytest.raises(TypeError, match="value, gradient"):
        SOLVERS["lbfgs"](grad=True)
    with pytest.raises(ValueError, match="residual"):
        SOLVERS["gauss_newton"](residual=lambda x: np.ones((2, 2)))
    with pytest.raises(ValueError, match="jacobian"):
        SOLVERS["levenberg_marquardt"](jacobian=lambda x: np.ones((2, 2)))
    with pytest.raises(TypeError, match="f"):
        SOLVERS["bfgs"](f=lambda x: "a")
