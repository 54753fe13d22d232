"""Input types of every public function, part 1 (issue 13, last bullet of "Tests
that would catch a wrong constant"): float32, integer, list, 0-d and
``scipy.sparse`` inputs, and no modification in place (BOOK_GUIDE §5).

The table ``CASES`` has one :class:`~input_types_harness.Case` per public name
of the modules in ``MODULES`` (or an entry of ``EXCLUDED`` with its reason);
``test_every_public_name_has_a_case`` fails for a new public function without
one. Part 2 (``test_input_types_ad.py``) covers optim, autodiff, checkpoint
and nn. The data are tiny integer-valued arrays, so that their float32,
integer and list versions are exact copies.
"""

import functools
import importlib
import pkgutil
import tracemalloc

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.sparse as sp  # noqa: E402

import optbook  # noqa: E402
from optbook import (beyond_gradients as bg, convex, datasets, duality, first_order as fo,  # noqa: E402
                     implicit, lmo, mirror, nonconvex, objectives, online, plotting, prox,
                     second_order as so, stochastic, trace)
from optbook import autodiff as ad  # noqa: E402

from input_types_harness import Case, Data, contract_tests  # noqa: E402

MODULES = ["objectives", "datasets", "prox", "convex", "first_order", "plotting",
           "stochastic", "trace", "second_order", "duality", "mirror", "nonconvex",
           "online", "lmo", "beyond_gradients", "implicit", "tools"]
#: the modules of part 2, test_input_types_ad.py
MODULES_PART2 = ["optim", "autodiff", "checkpoint", "nn"]

EXCLUDED = {
    # no array argument: they read scikit-learn's bundled files (their dtypes
    # are tested in test_datasets.py)
    "datasets.load_breast_cancer": "no array input",
    "datasets.load_diabetes": "no array input",
    "datasets.load_digits": "no array input",
    # figure helpers: style settings and plots of Trace objects, no numeric output
    "plotting.setup_style": "sets matplotlib's rcParams, no array input",
    "plotting.BOOK_STYLE": "a dict of rcParams, not a function",
    "plotting.plot_trace": "draws a Trace (its arrays are covered by trace.Trace)",
    "plotting.plot_traces": "draws Trace objects (covered by trace.Trace)",
    # abstract base class: its subclasses have cases
    "mirror.MirrorMap": "abstract base class of the mirror maps (subclasses covered)",
    "duality.HAVE_NUMBA": "a boolean constant",
    "stochastic.HAVE_NUMBA": "a boolean constant",
    "tools.best_time": "times a callable, no array input",
}

D = Data(0)
A0 = D.ints(6, 3)           # full column rank, integer entries
B0 = D.ints(6)
X0 = D.ints(3)
Y0 = np.where(D.ints(6) >= 0, 1.0, -1.0)
Q0 = A0.T @ A0 + 3 * np.eye(3)  # SPD, integer
C0 = A0.T @ B0
L0 = float(np.linalg.eigvalsh(Q0)[-1])
G5 = D.ints(5)
M43 = D.ints(4, 3)


def quad_data():
    return {"x0": X0.copy(), "Q": Q0.copy(), "c": C0.copy()}


def ls_data():
    return {"A": A0.copy(), "b": B0.copy(), "x": X0.copy()}


def qgrad(Q, c):
    return lambda x: np.dot(Q, x) - c


def logistic_data():
    return {"x0": np.zeros(3), "A": A0.copy(), "y": Y0.copy()}


def logi(A, y):
    return objectives.LogisticRegression(A, y, lam=0.5)


def obj_out(f, x):
    return (f.value(x), f.grad(x), f.hess(x), f.lipschitz, f.strong_convexity)


def vec(key="x", v=None):
    v = G5 if v is None else v
    return lambda: {key: v.copy()}


# solvers: a 0-d x0 with scalar oracles is a one-dimensional problem (first_order's
# documented convention, followed by the other solvers)
SOLVER = dict(direct=("x0",), zero_d="x0", zero_d_all=True, zero_d_ok=True)
CASES = [
    # --- objectives ---------------------------------------------------------
    Case("objectives.LeastSquares", ls_data,
         lambda A, b, x: obj_out(objectives.LeastSquares(A, b), x), sparse=("A",), zero_d="b"),
    Case("objectives.LogisticRegression", lambda: {"A": A0.copy(), "y": Y0.copy(), "x": X0.copy()},
         lambda A, y, x: obj_out(objectives.LogisticRegression(A, y, lam=0.5), x),
         sparse=("A",), zero_d="y"),
    Case("objectives.Quadratic", lambda: {"Q": Q0.copy(), "c": C0.copy(), "x": X0.copy()},
         lambda Q, c, x: obj_out(objectives.Quadratic(Q, c), x), zero_d="c"),
    # --- datasets -----------------------------------------------------------
    Case("datasets.make_correlated_regression", lambda: {},
         lambda: datasets.make_correlated_regression(np.int64(8), 3, rng=0), kinds=()),
    Case("datasets.make_classification", lambda: {},
         lambda: datasets.make_classification(np.int64(8), 3, rng=0), kinds=()),
    Case("datasets.make_sparse_classification", lambda: {},
         lambda: datasets.make_sparse_classification(40, 30, nnz_per_row=3, rng=0)[0],
         kinds=()),
    Case("datasets.make_sparse_classification", lambda: {},
         lambda: datasets.make_sparse_classification(40, 30, nnz_per_row=3, rng=0,
                                                     dtype=np.float32)[0].dtype.name,
         kinds=(), label="float32",
         check=lambda out: out == "float32"),
    Case("datasets.standardize", lambda: {"A": A0.copy()}, lambda A: datasets.standardize(A),
         zero_d="A"),
    # --- prox (0-d input is a 1-element problem, documented by the tests) ----
    *[Case(f"prox.{name}", vec(), lambda x, op=op: op(x), zero_d="x", zero_d_ok=True)
      for name, op in [
          ("prox_l1", lambda x: prox.prox_l1(x, 0.5)),
          ("prox_l2", lambda x: prox.prox_l2(x, 0.5)),
          ("prox_sq_l2", lambda x: prox.prox_sq_l2(x, 0.5)),
          ("prox_linf", lambda x: prox.prox_linf(x, 0.5)),
          ("prox_elastic_net", lambda x: prox.prox_elastic_net(x, 0.5, l1_ratio=0.3)),
          ("proj_l2_ball", lambda x: prox.proj_l2_ball(x, 2.0)),
          ("proj_l1_ball", lambda x: prox.proj_l1_ball(x, 2.0)),
          ("proj_simplex", lambda x: prox.proj_simplex(x, 2.0)),
      ]],
    Case("prox.proj_box", lambda: {"x": G5.copy(), "lower": -np.ones(5), "upper": np.arange(5.0)},
         lambda x, lower, upper: prox.proj_box(x, lower, upper), zero_d="x", zero_d_ok=True,
         zero_d_all=True),
    Case("prox.moreau_envelope", vec(),
         lambda x: prox.moreau_envelope(lambda v: np.abs(v).sum(), prox.prox_l1, x, 0.5),
         zero_d="x", zero_d_ok=True),
    Case("prox.moreau_envelope_grad", vec(),
         lambda x: prox.moreau_envelope_grad(prox.prox_l1, x, 0.5), zero_d="x", zero_d_ok=True),
    # --- convex (grids and values; f32 kept or not: "any") -------------------
    Case("convex.conjugate_1d",
         lambda: {"f": np.arange(-3.0, 4.0) ** 2, "grid": np.arange(-3.0, 4.0),
                  "slopes": np.array([-2.0, 0.0, 1.0, 4.0])},
         lambda f, grid, slopes: convex.conjugate_1d(f, grid, slopes, return_argmax=True),
         f32="any", zero_d="grid"),
    Case("convex.infimal_convolution_1d",
         lambda: {"grid": np.arange(-3.0, 4.0), "x": np.array([-1.0, 0.0, 2.0])},
         lambda grid, x: convex.infimal_convolution_1d(np.abs, np.square, grid, x=x,
                                                       return_argmin=True),
         f32="any", zero_d="grid"),
    Case("convex.moreau_envelope_1d",
         lambda: {"f": np.abs(np.arange(-3.0, 4.0)), "grid": np.arange(-3.0, 4.0),
                  "x": np.array([-1.0, 0.0, 2.0])},
         lambda f, grid, x: convex.moreau_envelope_1d(f, grid, 1.0, x=x, return_prox=True),
         f32="any", zero_d="grid"),
    Case("convex.one_sided_derivatives_1d", lambda: {"x": np.array([-2.0, 0.0, 1.0])},
         lambda x: convex.one_sided_derivatives_1d(np.abs, x, h=1e-3), f32="any",
         zero_d="x", zero_d_ok=True, rtol32=1e-2),
    # --- first_order (0-d x0: a one-dimensional problem, documented) ---------
    *[Case(f"first_order.{name}", quad_data, run, **SOLVER)
      for name, run in [
          ("gradient_descent",
           lambda x0, Q, c: fo.gradient_descent(qgrad(Q, c), x0, 1 / L0, max_iter=20)),
          ("subgradient_descent",
           lambda x0, Q, c: fo.subgradient_descent(qgrad(Q, c), x0, 1 / L0, max_iter=20)),
          ("proximal_point",
           lambda x0, Q, c: fo.proximal_point(lambda v, t: prox.prox_l1(v, t), x0, 0.5,
                                              max_iter=5)),
          ("proximal_gradient",
           lambda x0, Q, c: fo.proximal_gradient(qgrad(Q, c), lambda v, t: prox.prox_l1(v, t),
                                                 x0, 1 / L0, max_iter=20)),
          ("fista", lambda x0, Q, c: fo.fista(qgrad(Q, c), lambda v, t: prox.prox_l1(v, t),
                                              x0, 1 / L0, max_iter=20)),
          ("heavy_ball", lambda x0, Q, c: fo.heavy_ball(qgrad(Q, c), x0, 1 / L0, 0.5,
                                                        max_iter=20)),
          ("nesterov", lambda x0, Q, c: fo.nesterov(qgrad(Q, c), x0, 1 / L0, max_iter=20)),
          ("nesterov_restart",
           lambda x0, Q, c: fo.nesterov_restart(qgrad(Q, c), x0, 1 / L0, 7, max_iter=20)),
          ("krasnoselskii_mann",
           lambda x0, Q, c: fo.krasnoselskii_mann(lambda v: v - (np.dot(Q, v) - c) / L0, x0,
                                                  max_iter=20)),
      ]],
    # --- plotting -----------------------------------------------------------
    Case("plotting.semilogy", lambda: {"y": np.array([8.0, 4.0, 2.0, 1.0]),
                                       "x": np.arange(1.0, 5.0)},
         lambda y, x: plotting.semilogy(y, x=x).lines[-1].get_xydata(), f32="any"),
    # --- stochastic -----------------------------------------------------------
    *[Case(f"stochastic.{name}", lambda: {"x0": X0.copy(), "A": A0.copy(), "b": B0.copy()},
           run, rtol32=1e-3, direct=("x0",))
      for name, run in [
          ("sgd", lambda x0, A, b: stochastic.sgd(objectives.LeastSquares(A, b).grad_i, x0, 6,
                                                  0.01, max_epochs=2, rng=0)),
          ("saga", lambda x0, A, b: stochastic.saga(objectives.LeastSquares(A, b).grad_i, x0, 6,
                                                    0.01, max_epochs=2, rng=0)),
          ("svrg", lambda x0, A, b: stochastic.svrg(objectives.LeastSquares(A, b).grad_i, x0, 6,
                                                    0.01, max_epochs=2, rng=0)),
      ]],
    # the same with a plain oracle grad_i(x, idx), which accepts a 0-d x0
    *[Case(f"stochastic.{name}", quad_data,
           lambda x0, Q, c, solver=solver: solver(lambda x, idx: (np.dot(Q, x) - c) / L0, x0, 4,
                                                  0.1, max_epochs=2, rng=0),
           label="oracle", rtol32=1e-3, **SOLVER)
      for name, solver in [("sgd", stochastic.sgd), ("saga", stochastic.saga),
                           ("svrg", stochastic.svrg)]],
    # --- trace ----------------------------------------------------------------
    Case("trace.Trace", lambda: {"x_star": X0.copy(), "x0": np.zeros(3), "x": X0 + 1},
         lambda x_star, x0, x: _run_trace(x_star, x0, x), f32="any", zero_d="x_star"),
    # --- second_order ---------------------------------------------------------
    *[Case(f"second_order.{name}", logistic_data, run, direct=("x0",), zero_d="x0",
           rtol32=2e-3)
      for name, run in [
          ("newton", lambda x0, A, y: so.newton(logi(A, y).grad, logi(A, y).hess, x0,
                                                max_iter=8, tol=1e-6)),
          ("damped_newton", lambda x0, A, y: so.damped_newton(
              logi(A, y).value, logi(A, y).grad, logi(A, y).hess, x0, max_iter=10, tol=1e-8)),
          ("newton_cg", lambda x0, A, y: so.newton_cg(
              logi(A, y).grad, lambda x, v: logi(A, y).hess(x) @ v, x0, f=logi(A, y).value,
              max_iter=10, tol=1e-5)),
          ("bfgs", lambda x0, A, y: so.bfgs(logi(A, y).value, logi(A, y).grad, x0,
                                            max_iter=30, tol=1e-5)),
          ("lbfgs", lambda x0, A, y: so.lbfgs(logi(A, y).value, logi(A, y).grad, x0,
                                              memory=3, max_iter=30, tol=1e-5)),
          ("gauss_newton", lambda x0, A, y: so.gauss_newton(
              lambda x: A @ x - y, lambda x: A, x0, max_iter=5, tol=1e-6)),
          ("levenberg_marquardt", lambda x0, A, y: so.levenberg_marquardt(
              lambda x: A @ x - y, lambda x: A, x0, max_iter=20, tol=1e-6)),
      ]],
    Case("second_order.strong_wolfe", lambda: {"c": np.array([2.0]), "d": np.array([-1.0])},
         lambda c, d: so.strong_wolfe(
             lambda t: (float(((c * t + d) ** 2).sum()), float((2 * c * (c * t + d)).sum()), t),
             float((d ** 2).sum()), float((2 * c * d).sum()))[:2], kinds=(), direct=()),
    Case("second_order.newton_decrement", lambda: {"g": G5.copy(), "p": G5 + 1},
         lambda g, p: so.newton_decrement(g, p), zero_d="g"),  # g 0-d, p not: names g
    Case("second_order.newton_decrement", lambda: {"g": G5.copy(), "p": G5 + 1},
         lambda g, p: so.newton_decrement(g, p), zero_d="g", zero_d_all=True, zero_d_ok=True,
         kinds=(), label="both 0-d"),
    # --- duality ----------------------------------------------------------------
    Case("duality.lasso_gap", ls_data, lambda A, b, x: duality.lasso_gap(A, b, 0.5, x),
         sparse=("A",), zero_d="x"),
    Case("duality.lasso_dual_point", ls_data,
         lambda A, b, x: duality.lasso_dual_point(A, b, 0.5, x), sparse=("A",), zero_d="x"),
    Case("duality.lasso_cd", lambda: {"A": A0.copy(), "b": B0.copy(), "x0": X0.copy()},
         lambda A, b, x0: duality.lasso_cd(A, b, 0.5, x0=x0, max_epochs=5, tol=0.0),
         sparse=("A",), zero_d="x0", rtol32=1e-3),
    *[Case("duality.sdca", lambda: {"A": A0.copy(), "y": Y0.copy()},
           lambda A, y, loss=loss: duality.sdca(A, y, 0.5, loss=loss, max_epochs=5, tol=0.0),
           sparse=("A",), zero_d="y", label=loss, rtol32=1e-3)
      for loss in ("hinge", "logistic", "squared")],
    Case("duality.sdca_gap", lambda: {"A": A0.copy(), "y": Y0.copy(), "alpha": Y0.copy()},
         lambda A, y, alpha: duality.sdca_gap(A, y, 0.5, alpha, loss="hinge"),
         sparse=("A",), zero_d="alpha"),
    # --- mirror -------------------------------------------------------------------
    Case("mirror.bregman", lambda: {"x": np.array([1.0, 2.0, 3.0]), "y": np.array([2.0, 2.0, 1.0])},
         lambda x, y: mirror.bregman(lambda v: float((v * np.log(v)).sum()),
                                     lambda v: np.log(v) + 1, x, y), f32="any", zero_d="x"),
    *[Case(f"mirror.{name}", lambda: {"x": np.array([1.0, 2.0, 4.0])},
           lambda x, m=m: (m.value(x), m.grad(x), m.grad_conj(m.grad(x))), zero_d="x",
           zero_d_ok=True)
      for name, m in [("Euclidean", mirror.Euclidean()),
                      ("NegativeEntropy", mirror.NegativeEntropy()),
                      ("HyperbolicEntropy", mirror.HyperbolicEntropy(2.0)),
                      ("QuarticKernel", mirror.QuarticKernel()),
                      ("BurgEntropy", mirror.BurgEntropy())]],
    Case("mirror.mirror_descent", lambda: {"x0": np.full(3, 1 / 3), "c": C0.copy()},
         lambda x0, c: mirror.mirror_descent(lambda x: c, x0, 0.01, max_iter=10),
         direct=("x0",), kinds=("f32", "list"), zero_d="x0"),
    Case("mirror.bregman_proximal_gradient",
         lambda: {"x0": np.full(3, 1 / 3), "Q": Q0.copy(), "c": C0.copy()},
         lambda x0, Q, c: mirror.bregman_proximal_gradient(qgrad(Q, c), x0, 1 / L0, "entropy",
                                                           max_iter=10),
         direct=("x0",), kinds=("f32", "list"), zero_d="x0"),
    Case("mirror.diagonal_linear_network", lambda: {"A": A0.copy(), "b": B0.copy()},
         lambda A, b: mirror.diagonal_linear_network(A, b, 0.5, 0.002, max_iter=20),
         sparse=("A",), zero_d="b"),
    # --- nonconvex ---------------------------------------------------------------
    Case("nonconvex.perturbed_gradient_descent", quad_data,
         lambda x0, Q, c: nonconvex.perturbed_gradient_descent(
             qgrad(Q, c), x0, 1 / L0, 0.1, 1.0, 3, max_iter=20, seed=0), **SOLVER),
    Case("nonconvex.min_norm_element", lambda: {"G": M43.copy()},
         lambda G: nonconvex.min_norm_element(G), zero_d="G", rtol32=1e-3,
         f32="f64"),  # the small QP is solved in float64 by SLSQP
    Case("nonconvex.gradient_sampling", lambda: {"x0": X0.copy(), "c": C0.copy()},
         lambda x0, c: nonconvex.gradient_sampling(
             lambda x: float(np.abs(x - c).sum()), lambda x: np.sign(x - c), x0, max_iter=5,
             seed=0), rtol32=1e-3, **SOLVER),
    Case("nonconvex.stochastic_subgradient", lambda: {"x0": X0.copy(), "c": C0.copy()},
         lambda x0, c: nonconvex.stochastic_subgradient(
             lambda x, rng: np.sign(x - c) + rng.standard_normal(x.shape), x0, 0.1,
             max_iter=10, seed=0), rtol32=1e-3, **SOLVER),
    Case("nonconvex.stochastic_heavy_ball", lambda: {"x0": X0.copy(), "c": C0.copy()},
         lambda x0, c: nonconvex.stochastic_heavy_ball(
             lambda x, rng: np.sign(x - c) + rng.standard_normal(x.shape), x0, 0.1,
             max_iter=10, seed=0), rtol32=1e-3, **SOLVER),
    Case("nonconvex.inexact_subgradient", lambda: {"x0": X0.copy(), "c": C0.copy()},
         lambda x0, c: nonconvex.inexact_subgradient(
             lambda x: np.sign(x - c), x0, 0.1, error=0.1, max_iter=10, seed=0),
         rtol32=1e-3, **SOLVER),
    # --- online -------------------------------------------------------------------
    Case("online.online_gradient_descent", lambda: {"x0": X0.copy(), "c": C0.copy()},
         lambda x0, c: online.online_gradient_descent(lambda t, x: x - c, x0, 0.1, 5),
         **SOLVER),
    Case("online.ftrl", lambda: {"x0": X0.copy(), "c": C0.copy()},
         lambda x0, c: online.ftrl(lambda t, x: x - c, x0, 0.1, 5), **SOLVER),
    Case("online.hedge", lambda: {"losses": np.abs(D.ints(5, 3, low=0, high=2))},
         lambda losses: online.hedge(losses, 0.5), zero_d="losses"),
    Case("online.exp3", lambda: {"losses": np.abs(D.ints(5, 3, low=0, high=2))},
         lambda losses: online.exp3(losses, 0.5, gamma=0.1, seed=0), zero_d="losses"),
    Case("online.regret", lambda: {"loss_of_played": G5 + 3.0, "loss_of_comparator": np.arange(5.0)},
         lambda loss_of_played, loss_of_comparator: online.regret(loss_of_played,
                                                                  loss_of_comparator),
         zero_d="loss_of_played"),
    # --- lmo ------------------------------------------------------------------------
    Case("lmo.l1_ball", vec("g"), lambda g: lmo.l1_ball(g, 2.0), zero_d="g", zero_d_ok=True),
    Case("lmo.simplex", vec("g"), lambda g: lmo.simplex(g), zero_d="g"),
    Case("lmo.nuclear_ball", lambda: {"G": M43.copy()}, lambda G: lmo.nuclear_ball(G, 2.0),
         sparse=("G",), zero_d="G", rtol32=1e-3),
    # --- beyond_gradients -------------------------------------------------------------
    Case("beyond_gradients.frank_wolfe", quad_data,
         lambda x0, Q, c: bg.frank_wolfe(qgrad(Q, c), functools.partial(lmo.l1_ball, radius=2.0),
                                         x0, max_iter=10), **SOLVER),
    *[Case(f"beyond_gradients.{name}", lambda: {"z0": np.concatenate([X0, X0 + 1]),
                                                "K": np.block([[0 * Q0, Q0], [-Q0, 0 * Q0]])},
           lambda z0, K, solver=solver: solver(lambda z: np.dot(K, z), z0, 0.01, max_iter=10),
           direct=("z0",), zero_d="z0", zero_d_all=True, zero_d_ok=True)
      for name, solver in [("gradient_descent_ascent", bg.gradient_descent_ascent),
                           ("extragradient", bg.extragradient),
                           ("optimistic_gradient", bg.optimistic_gradient)]],
    Case("beyond_gradients.chambolle_pock",
         lambda: {"K": A0.copy(), "b": B0.copy(), "x0": X0.copy(), "y0": np.zeros(6)},
         lambda K, b, x0, y0: _run_cp(K, b, x0, y0), sparse=("K",), zero_d="x0",
         direct=("K", "x0", "y0"), rtol32=1e-3),
    Case("beyond_gradients.douglas_rachford", lambda: {"z0": X0.copy(), "c": C0.copy()},
         lambda z0, c: bg.douglas_rachford(lambda v, t: (v + t * c) / (1 + t),
                                           prox.prox_l1, z0, 0.5, max_iter=10),
         direct=("z0",), zero_d="z0", zero_d_all=True, zero_d_ok=True),
    Case("beyond_gradients.admm", lambda: {"x0": X0.copy(), "c": C0.copy()},
         lambda x0, c: bg.admm(lambda v, rho: (c + rho * v) / (1 + rho), prox.prox_l1, x0, 1.0,
                               max_iter=10), **SOLVER),
    Case("beyond_gradients.spectral_norm", lambda: {"K": A0.copy()},
         lambda K: bg.spectral_norm(K), sparse=("K",), zero_d="K"),
    # --- implicit (autodiff inside: float64 results) --------------------------------
    Case("implicit.implicit_vjp",
         lambda: {"x_star": X0.copy(), "theta": np.array([2.0]), "v": np.ones(3),
                  "b": 2 * X0},
         lambda x_star, theta, v, b: implicit.implicit_vjp(
             lambda x, th: x * th[0] - b, x_star, theta, v), f32="any",
         direct=("x_star", "theta", "v"), zero_d="x_star"),
    Case("implicit.hypergradient", lambda: {"theta": np.array([2.0]), "c": C0.copy()},
         lambda theta, c: implicit.hypergradient(
             lambda th: c / np.asarray(th, float)[0], lambda x, th: x * th[0] - c,
             lambda x: x, theta), f32="any", direct=("theta",), zero_d="theta", zero_d_ok=False),
    Case("implicit.ridge_hypergradient",
         lambda: {"A": A0.copy(), "b": B0.copy(), "A_val": A0[::-1].copy(), "b_val": B0.copy()},
         lambda A, b, A_val, b_val: implicit.ridge_hypergradient(A, b, 0.5, A_val, b_val),
         f32="any", sparse=("A", "A_val"), zero_d="b"),
    Case("implicit.lasso_hypergradient",
         lambda: {"A": A0.copy(), "b": B0.copy(), "A_val": A0[::-1].copy(), "b_val": B0.copy()},
         lambda A, b, A_val, b_val: implicit.lasso_hypergradient(A, b, 0.1, A_val, b_val,
                                                                         max_iter=3000, tol=1e-6),
         f32="any", sparse=("A", "A_val"), zero_d="b", rtol32=1e-3),
    Case("implicit.lasso_fixed_point", lambda: {"A": A0.copy(), "b": B0.copy(), "x": X0.copy()},
         lambda A, b, x: implicit.lasso_fixed_point(A, b, 0.01)(x, np.array([0.5])),
         f32="any", sparse=("A",), zero_d="b"),
    Case("implicit.soft_threshold", vec("z"), lambda z: implicit.soft_threshold(z, 0.5),
         zero_d="z", zero_d_ok=True),
    Case("implicit.unrolled_vjp",
         lambda: {"x0": X0.copy(), "theta": np.array([2.0]), "v": np.ones(3)},
         lambda x0, theta, v: implicit.unrolled_vjp(lambda x, th: x - 0.1 * (th[0] * x - 1),
                                                    x0, theta, v, 5), f32="any", zero_d="x0"),
    Case("implicit.unrolled_jacobian",
         lambda: {"x0": X0.copy(), "theta": np.array([2.0])},
         lambda x0, theta: implicit.unrolled_jacobian(lambda x, th: x - 0.1 * (th[0] * x - 1),
                                                      x0, theta, 5), f32="any", zero_d="x0"),
    # --- tools ------------------------------------------------------------------
    Case("tools.power_iteration",
         lambda: {"M": np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]]),
                  "v0": X0.copy()},
         lambda M, v0: (lambda r: (r.eigenvalue, r.x))(
             optbook.tools.power_iteration(lambda v: M @ v, v0, n_iter=30)),
         f32="any", zero_d="v0", direct=("v0",)),
    Case("first_order.subgradient_descent",
         quad_data, lambda x0, Q, c: fo.subgradient_descent(
             qgrad(Q, c), x0, 1 / L0, max_iter=20, proj=lambda v: prox.proj_l2_ball(v, 1.0)),
         label="proj", **SOLVER),
]


def _run_trace(x_star, x0, x):
    tr = trace.Trace(f=lambda v: float(np.sum(np.asarray(v, float) ** 2)), x_star=x_star, x0=x0)
    tr(x)
    tr(x)
    arrays = tr.as_arrays()
    return {k: v for k, v in arrays.items() if k != "times"}


def _run_cp(K, b, x0, y0):
    """min ½‖x‖² + ‖Kx − b‖₁ by Chambolle–Pock."""
    n2 = bg.spectral_norm(K) ** 2
    res = bg.chambolle_pock(K, lambda v, t: v / (1 + t),
                            lambda v, s: np.clip(v - s * np.asarray(b, float), -1, 1),
                            x0, y0, 0.9 / np.sqrt(n2), 0.9 / np.sqrt(n2), max_iter=10)
    return res.x, res.y


globals().update(contract_tests(CASES, MODULES, EXCLUDED))


def test_every_module_is_in_one_table():
    modules = {m.name for m in pkgutil.iter_modules(optbook.__path__) if not m.name.startswith("_")}
    assert modules == set(MODULES) | set(MODULES_PART2), modules ^ (set(MODULES) | set(MODULES_PART2))


# ---------------------------------------------------------------------------
# sparse matrices are used as they are: no densified or copied A
# ---------------------------------------------------------------------------

def _sparse_calls():
    """(name, format, call(A, b, y)) of the functions that take a sparse matrix."""
    return [
        ("objectives.LeastSquares", "csr",
         lambda A, b, y: objectives.LeastSquares(A, b).grad(np.zeros(A.shape[1]))),
        ("objectives.LogisticRegression", "csr",
         lambda A, b, y: objectives.LogisticRegression(A, y, 0.1).value_and_grad(np.zeros(A.shape[1]))),
        ("duality.lasso_gap", "csc", lambda A, b, y: duality.lasso_gap(A, b, 0.1, np.zeros(A.shape[1]))),
        ("duality.lasso_dual_point", "csc",
         lambda A, b, y: duality.lasso_dual_point(A, b, 0.1, np.zeros(A.shape[1]))),
        ("duality.lasso_cd", "csc", lambda A, b, y: duality.lasso_cd(A, b, 0.1, max_epochs=1)),
        ("duality.sdca", "csr", lambda A, b, y: duality.sdca(A, y, 0.1, max_epochs=1)),
        ("beyond_gradients.spectral_norm", "csr", lambda A, b, y: bg.spectral_norm(A)),
        ("beyond_gradients.chambolle_pock", "csr", lambda A, b, y: bg.chambolle_pock(
            A, lambda v, t: v / (1 + t), lambda v, s: np.clip(v - s * b, -1, 1),
            np.zeros(A.shape[1]), np.zeros(A.shape[0]), 0.01, 0.01, max_iter=3)),
        ("mirror.diagonal_linear_network", "csr",
         lambda A, b, y: mirror.diagonal_linear_network(A, b, 0.1, 1e-3, max_iter=3)),
    ]


@pytest.fixture(scope="module")
def big_sparse():
    rng = np.random.default_rng(0)
    n, d, nnz = 4000, 1000, 80_000
    A = sp.csr_matrix((rng.standard_normal(nnz), (rng.integers(0, n, nnz), rng.integers(0, d, nnz))),
                      shape=(n, d))
    A.sum_duplicates()
    b = rng.standard_normal(n)
    return A, b, np.where(b > 0, 1.0, -1.0)


@pytest.mark.parametrize("name, fmt, run", _sparse_calls(), ids=[c[0] for c in _sparse_calls()])
def test_sparse_matrix_is_neither_densified_nor_copied(big_sparse, name, fmt, run):
    """Peak memory of one call on a 4000 x 1000 sparse matrix (80 000 nonzeros, 0.96 MB;
    32 MB dense) stays below the size of the matrix: neither a dense nor a sparse copy
    of it is made (temporaries of one float per nonzero, 2/3 of that size, are allowed).
    Failed before for lasso_cd and sdca (A.multiply(A) for the squared norms) and for
    spectral_norm and chambolle_pock (svds on G.astype(float64), a copy)."""
    A, b, y = big_sparse
    A = A.asformat(fmt)
    small = A[:50].asformat(fmt)
    run(small, b[:50], y[:50])  # warm-up: compilation and caches do not count
    size = A.data.nbytes + A.indices.nbytes + A.indptr.nbytes
    tracemalloc.start()
    try:
        run(A, b, y)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < size, f"{name}: peak {peak / 1e6:.2f} MB for a {size / 1e6:.2f} MB matrix"
