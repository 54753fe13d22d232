"""Benchmark: optbook.duality.lasso_cd against scikit-learn's Lasso.

Both solvers minimize ||Ax - b||^2/(2n) + lam ||x||_1 and use the same gap
criterion: scikit-learn's ``tol`` is relative to ||b||^2/n (its gap is
computed on n times our objective, against tol * ||b||^2), so ``tol_sklearn =
tol * n / ||b||^2`` gives the same absolute gap ``tol``. Runs are interleaved
(optbook, sklearn, optbook, ...) and the median time of each is reported, with
their ratio. The design matrix is stored in Fortran order (dense) or CSC
(sparse) so that neither solver copies it.

Run: PYTHONPATH=src python benchmarks/lasso.py [--repeats 3]
"""

import argparse
import time

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import Lasso

from optbook.duality import HAVE_NUMBA, lasso_cd, lasso_gap


def problem_dense(rng):
    n, d = 20_000, 1_000
    A = np.asfortranarray(rng.standard_normal((n, d)))
    x = np.zeros(d)
    x[:50] = rng.standard_normal(50)
    return A, A @ x + 0.5 * rng.standard_normal(n)


def problem_sparse(rng):
    n, d = 100_000, 5_000
    A = sp.random(n, d, density=2e-3, format="csc", random_state=rng, dtype=np.float64)
    x = np.zeros(d)
    x[:100] = rng.standard_normal(100)
    return A, A @ x + 0.1 * rng.standard_normal(n)


def bench(name, A, b, frac, tol, repeats):
    n = A.shape[0]
    lam = np.abs(A.T @ b).max() / n / frac
    tol_sk = tol * n / float(b @ b)
    lasso_cd(A, b, lam, max_epochs=1)  # compile (numba) outside the timings
    t_ours, t_sk = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = lasso_cd(A, b, lam, tol=tol, max_epochs=10_000)
        t_ours.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        sk = Lasso(alpha=lam, fit_intercept=False, tol=tol_sk, max_iter=10_000).fit(A, b)
        t_sk.append(time.perf_counter() - t0)
    g_sk = lasso_gap(A, b, lam, sk.coef_)
    mo, ms = np.median(t_ours), np.median(t_sk)
    print(f"{name}: lam = lam_max/{frac}, tol = {tol:.0e}")
    print(f"  optbook  {mo:7.3f} s  ({res.nit} epochs, gap {res.gap:.1e}, "
          f"{np.count_nonzero(res.x)} nonzeros)")
    print(f"  sklearn  {ms:7.3f} s  ({sk.n_iter_} epochs, gap {g_sk:.1e})")
    print(f"  ratio optbook / sklearn = {mo / ms:.2f}")
    return mo / ms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"numba kernels: {HAVE_NUMBA}")
    A, b = problem_dense(rng)
    bench("dense 20000 x 1000", A, b, frac=20, tol=1e-6, repeats=args.repeats)
    del A
    A, b = problem_sparse(rng)
    bench(f"sparse 100000 x 5000 (nnz {A.nnz})", A, b, frac=20, tol=1e-6, repeats=args.repeats)


if __name__ == "__main__":
    main()
