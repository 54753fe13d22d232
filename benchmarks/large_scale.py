"""Large-scale sparse logistic regression: optbook against scikit-learn (issue 13).

A seeded synthetic bag-of-words problem (``optbook.datasets.make_sparse_classification``:
power-law column popularity, unit-norm rows, a CSR matrix) with n = 200 000 samples and
d = 50 000 features, ridge logistic loss ``mean(log(1 + exp(-y Ax))) + lam |x|^2 / 2``
(scikit-learn's ``LogisticRegression(C=1/(lam n), fit_intercept=False)``).

Every method runs until ``f(x) - f* <= target`` (or its budget), in one process, one
after the other, and the table reports

* the time to the target (optbook: measured by ``optbook.Trace(stop_below=target)``,
  which excludes its own evaluations of f; scikit-learn: the first of a sequence of
  runs with decreasing ``tol`` whose solution reaches the target, timed as a whole),
* the ratio of that time to scikit-learn's ``lbfgs`` time, measured in the same run,
* the peak of the memory allocated during the method (``tracemalloc``, which sees
  NumPy's and SciPy's allocations), and the process's peak resident memory at the end.

optbook's methods: SAGA with its scalar table and just-in-time updates (the step
``1/(3 L_max)`` of its theorem), L-BFGS on ``value_and_grad``, Nesterov with ``mu = lam``
(FISTA, gradient descent with Armijo and SAGA without just-in-time updates on request).

Usage (from the repository root)::

    python benchmarks/large_scale.py            # the full size, 10 to 30 minutes
    python benchmarks/large_scale.py --quick    # n = 20 000, d = 5 000: a smoke test
"""

import argparse
import resource
import time
import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogistic

import optbook
from optbook.datasets import make_sparse_classification
from optbook.objectives import LogisticRegression
from optbook.stochastic import saga

MiB = 2**20


def measure(run):
    """Run ``run()`` under tracemalloc; return (its result, peak MiB allocated during it)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    out = run()
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return out, peak / MiB


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n = 20 000, d = 5 000")
    parser.add_argument("--target", type=float, default=1e-6, help="suboptimality to reach")
    parser.add_argument("--saga-epochs", type=int, default=100,
                        help="epoch budget of optbook's SAGA (default: 100)")
    parser.add_argument("--dense-saga", action="store_true",
                        help="also time SAGA without just-in-time updates (O(d) per step, slow)")
    parser.add_argument("--fista", action="store_true",
                        help="also time FISTA with gradient restarts (slower than nesterov here)")
    parser.add_argument("--armijo", action="store_true",
                        help="also time gradient descent with the Armijo search (slow)")
    args = parser.parse_args()
    n, d = (20_000, 5_000) if args.quick else (200_000, 50_000)
    saga_epochs = args.saga_epochs
    target = args.target

    t0 = time.perf_counter()
    A, y, _ = make_sparse_classification(n, d, nnz_per_row=40, rng=0)
    lam = 1e-5 if not args.quick else 1e-4
    f = LogisticRegression(A, y, lam=lam)
    L = f.lipschitz
    data_mib = (A.data.nbytes + A.indices.nbytes + A.indptr.nbytes) / MiB
    print(f"n = {n}, d = {d}, nnz = {A.nnz} ({A.nnz / n:.1f} per row, {data_mib:.0f} MiB CSR), "
          f"lam = {lam:g}, L = {L:.4g} (Lanczos), kappa = {L / lam:.0f}; "
          f"setup {time.perf_counter() - t0:.1f} s")
    assert f.A is A  # the objective keeps the caller's sparse matrix: no copy

    C = 1 / (lam * n)
    t0 = time.perf_counter()
    ref = SkLogistic(C=C, fit_intercept=False, solver="lbfgs", tol=1e-12, max_iter=20_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(A, y)
    x_star = ref.coef_.ravel()
    f_star = f.value(x_star)
    print(f"f* = {f_star:.12f} (scikit-learn lbfgs, tol 1e-12, {time.perf_counter() - t0:.1f} s), "
          f"||grad f(x*)|| = {np.linalg.norm(f.grad(x_star)):.1e}; target f - f* <= {target:g}")

    rows = []
    x0 = np.zeros(d)
    # compile (or load from numba's cache) the just-in-time SAGA loop before timing it
    tiny = LogisticRegression(A[:50], y[:50], lam=lam)
    saga(tiny.grad_i, x0, 50, step=1.0, max_epochs=1, rng=0)

    def optbook_run(name, solve, unit="iterations"):
        trace = optbook.Trace(f=f.value, f_star=f_star, x0=x0, stop_below=target)
        res, peak = measure(lambda: solve(trace))
        reached = trace.values[-1] <= target
        rows.append(dict(name=name, seconds=trace.times[-1], reached=reached,
                         gap=trace.values[-1], work=f"{len(trace) - 1} {unit}", peak=peak))
        print(f"  {name}: {rows[-1]}", flush=True)

    L_max = 0.25 * float(np.max(A.multiply(A).sum(axis=1))) + lam   # max_i |a_i|^2/4 + lam
    optbook_run(f"optbook saga (scalar table, just-in-time updates, 1/(3 L_max), "
                f"{saga_epochs} epochs max)",
                lambda cb: saga(f.grad_i, x0, n, step=1 / (3 * L_max),
                                max_epochs=saga_epochs, rng=0, callback=cb), unit="epochs")
    if args.dense_saga:
        optbook_run("optbook saga (scalar table, dense updates, lazy=False, 2 epochs max)",
                    lambda cb: saga(f.grad_i, x0, n, step=1 / (3 * L_max), max_epochs=2,
                                    rng=0, callback=cb, lazy=False), unit="epochs")

    optbook_run("optbook lbfgs (memory 10, value_and_grad)", lambda cb: optbook.lbfgs(
        f.value_and_grad, True, x0, memory=10, max_iter=20_000, tol=0.0, callback=cb))
    if args.fista:
        optbook_run("optbook fista (1/L, gradient restart)", lambda cb: optbook.fista(
            f.grad, lambda x, t: x, x0, 1 / L, max_iter=20_000, restart="gradient",
            callback=cb))
    optbook_run("optbook nesterov (1/L, mu = lam)", lambda cb: optbook.nesterov(
        f.grad, x0, 1 / L, mu=lam, max_iter=20_000, callback=cb))
    if args.armijo:
        optbook_run("optbook gradient_descent (Armijo, value_and_grad, grow 1.5)",
                    lambda cb: optbook.gradient_descent(
                        f.grad, x0, "armijo", value_and_grad=f.value_and_grad, step0=1 / L,
                        grow=1.5, max_iter=20_000, callback=cb))
    for solver in ["lbfgs", "saga"]:
        for tol in [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9]:
            clf = SkLogistic(C=C, fit_intercept=False, solver=solver, tol=tol, max_iter=5000)

            def fit():
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    clf.fit(A, y)
                return time.perf_counter() - start

            seconds, peak = measure(fit)
            gap = f.value(clf.coef_.ravel()) - f_star
            if gap <= target:
                break
        rows.append(dict(name=f"scikit-learn {solver} (tol {tol:g})", seconds=seconds,
                         reached=gap <= target, gap=gap,
                         work=f"{int(np.max(clf.n_iter_))} iterations", peak=peak))
        print(f"  {rows[-1]['name']}: {rows[-1]}", flush=True)

    base = next(r["seconds"] for r in rows if r["name"].startswith("scikit-learn lbfgs"))
    print()
    print(f"| method | time to f - f* <= {target:g} (s) | ratio to sklearn lbfgs | work | "
          "peak memory allocated (MiB) |")
    print("|---|---|---|---|---|")
    for r in rows:
        time_s = f"{r['seconds']:.2f}" if r["reached"] else \
            f"not reached in {r['seconds']:.1f} s (gap {r['gap']:.1e})"
        ratio = f"{r['seconds'] / base:.2f}" if r["reached"] else "—"
        print(f"| {r['name']} | {time_s} | {ratio} | {r['work']} | {r['peak']:.0f} |")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak resident memory: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
