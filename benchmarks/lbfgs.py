"""Benchmark: ``optbook.lbfgs`` against SciPy's L-BFGS-B on logistic regression.

Time to the same gradient tolerance ``||grad f(x)||_2 <= tol`` on

* a dense problem, n = 20 000, d = 1 000 (Gaussian design, planted labels);
* a sparse problem, n = 100 000 rows, d = 10 000 columns, 10 nonzeros per
  row on average (``scipy.sparse.random``, CSR, seeded).

Both solvers get the same function returning the value and the gradient from
one product ``A x`` and one ``A^T v`` (``optbook.lbfgs(vg, True, x0)`` and
``scipy.optimize.minimize(vg, x0, jac=True, method="L-BFGS-B")``), memory 10.
SciPy stops on the max-norm of the projected gradient and on a relative
decrease of f; to compare at the same criterion it runs with ``gtol = 0``,
``ftol = 0`` and a callback that stops it (``StopIteration``) as soon as the
2-norm of the gradient at the current iterate (cached from its last
evaluation, no extra oracle call) is at most ``tol``.

The two solvers alternate (A, B, A, B, ...) ``--repeats`` times; the ratio is
the median of the per-pair ratios. Also reported: iterations and oracle calls
of each solver, and the final gradient norm recomputed at the returned point.

Run from the repository root::

    .venv/bin/python benchmarks/lbfgs.py            # about a minute
    .venv/bin/python benchmarks/lbfgs.py --quick    # small sizes, a smoke test
"""

import argparse
import platform
import statistics
import time

import numpy as np
import scipy
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.special import expit

import optbook


def logistic_value_and_grad(A, y, lam):
    """``x -> (f(x), grad f(x))`` for mean logistic loss + lam ||x||^2 / 2, dense or sparse ``A``."""
    n = A.shape[0]
    AT = A.T.tocsr() if sp.issparse(A) else A.T

    def vg(x):
        m = y * (A @ x)
        value = float(np.mean(np.logaddexp(0.0, -m))) + 0.5 * lam * float(x @ x)
        g = AT @ (y * expit(-m))
        g *= -1.0 / n
        g += lam * x
        return value, g

    return vg


def dense_problem(n, d, rng):
    A = rng.standard_normal((n, d)) / np.sqrt(d)
    w = rng.standard_normal(d)
    y = np.where(A @ w + 0.5 * rng.standard_normal(n) > 0, 1.0, -1.0)
    return A, y


def sparse_problem(n, d, nnz_per_row, rng):
    A = sp.random(n, d, density=nnz_per_row / d, format="csr", random_state=rng,
                  data_rvs=rng.standard_normal)
    w = rng.standard_normal(d)
    y = np.where(A @ w + 0.5 * rng.standard_normal(n) > 0, 1.0, -1.0)
    return A, y


class Cached:
    """Wraps ``vg`` and remembers the last point and gradient (for SciPy's stopping test)."""

    def __init__(self, vg):
        self.vg, self.x, self.g = vg, None, None

    def __call__(self, x):
        value, g = self.vg(x)
        self.x, self.g = x, g
        return value, g


def run_ours(vg, x0, tol, memory):
    t = time.perf_counter()
    res = optbook.lbfgs(vg, True, x0, memory=memory, tol=tol, max_iter=10_000)
    return time.perf_counter() - t, res.x, res.nit, res.nfev, res.success


def run_scipy(vg, x0, tol, memory):
    oracle = Cached(vg)

    def stop(intermediate_result):
        x = intermediate_result.x
        g = oracle.g if oracle.x is not None and np.array_equal(oracle.x, x) else vg(x)[1]
        if np.linalg.norm(g) <= tol:
            raise StopIteration

    t = time.perf_counter()
    res = minimize(oracle, x0, jac=True, method="L-BFGS-B", callback=stop,
                   options={"maxcor": memory, "gtol": 0.0, "ftol": 0.0, "maxiter": 10_000,
                            "maxfun": 100_000})
    return time.perf_counter() - t, res.x, res.nit, res.nfev, True


def compare(name, vg, d, tol, repeats, memory=10):
    x0 = np.zeros(d)
    ratios, ours_t, scipy_t = [], [], []
    for _ in range(repeats):
        a = run_ours(vg, x0, tol, memory)
        b = run_scipy(vg, x0, tol, memory)
        ours_t.append(a[0])
        scipy_t.append(b[0])
        ratios.append(a[0] / b[0])
    gn_a = np.linalg.norm(vg(a[1])[1])
    gn_b = np.linalg.norm(vg(b[1])[1])
    print(f"{name:<28} {statistics.median(ours_t):8.3f} {statistics.median(scipy_t):8.3f} "
          f"{statistics.median(ratios):6.2f}   {a[2]:4d}/{a[3]:<4d}  {b[2]:4d}/{b[3]:<4d}  "
          f"{gn_a:.1e} {gn_b:.1e}")
    return statistics.median(ratios)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    if args.quick:
        sizes_dense, sizes_sparse, repeats = (2_000, 100), (10_000, 1_000, 10), 2
    else:
        sizes_dense, sizes_sparse, repeats = (20_000, 1_000), (100_000, 10_000, 10), args.repeats
    lam = 1e-4
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {platform.machine()}, "
          f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}")
    print(f"logistic regression, lam = {lam:g}, memory 10, tol on ||grad f||_2, "
          f"median of {repeats} interleaved pairs")
    print(f"{'problem':<28} {'optbook':>8} {'scipy':>8} {'ratio':>6}   "
          f"{'it/fev':<9}  {'it/fev':<9}  ||g|| (ours, scipy)")
    A, y = dense_problem(*sizes_dense, rng)
    vg = logistic_value_and_grad(A, y, lam)
    tol = 1e-6 * np.linalg.norm(vg(np.zeros(A.shape[1]))[1])
    compare(f"dense {A.shape[0]}x{A.shape[1]}", vg, A.shape[1], tol, repeats)
    A, y = sparse_problem(*sizes_sparse, rng)
    vg = logistic_value_and_grad(A, y, lam)
    tol = 1e-6 * np.linalg.norm(vg(np.zeros(A.shape[1]))[1])
    compare(f"sparse {A.shape[0]}x{A.shape[1]} ({A.nnz} nnz)", vg, A.shape[1], tol, repeats)


if __name__ == "__main__":
    main()
