"""Cheap gradient principle: cost of a reverse-mode gradient relative to the function.

For a multilayer perceptron loss (cross-entropy of a ReLU network on a batch),
this script times, in the same process:

* ``numpy fwd``: the loss computed with plain NumPy (no graph), the
  reference cost;
* ``autodiff fwd``: the same loss through :mod:`optbook.autodiff` on graph
  nodes (the cost of recording the graph);
* ``value_and_grad``: loss and gradient with respect to all parameters,

and reports ``ratio = value_and_grad / numpy fwd``. The cheap gradient
principle (Griewank and Walther, 2008) says that this ratio is bounded by a
small constant, whatever the number of parameters; the book's target is at
most 5 for the 64-256-256-10 network on a batch of 256.

Method. One BLAS thread; CPU time of the process (``time.process_time``,
which includes the time the kernel spends on page faults but not the time
spent waiting for a core on a shared machine); the three measurements are
interleaved in each repeat and the ratio is the median of the per-repeat
ratios.

Allocator. Reverse mode keeps every intermediate array alive until the
backward pass. With glibc's default settings, arrays above a size threshold
are mapped fresh from the operating system and released at once, so each
evaluation pays page faults for all of its intermediates: the memory cost of
reverse mode shows up as time. The script therefore runs each configuration
twice, in child processes: with the default allocator, and with glibc told
to keep freed memory for reuse (``MALLOC_MMAP_THRESHOLD_`` and
``MALLOC_TRIM_THRESHOLD_``), which is what long-running training processes
effectively get.

Usage::

    python benchmarks/autodiff.py            # full run (about a minute)
    python benchmarks/autodiff.py --quick    # fewer repeats
"""

import argparse
import json
import os
import subprocess
import sys
import time

if __name__ == "__main__":  # before NumPy loads its BLAS: one thread
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

import numpy as np

TARGET = 5.0
CONFIGS = [((64, 256, 256, 10), 256), ((64, 128, 10), 64), ((64, 512, 512, 512, 10), 256)]
TUNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(2**30), "MALLOC_TRIM_THRESHOLD_": str(2**30)}


def numpy_loss(params, X, labels):
    """The MLP cross-entropy in plain NumPy (the reference forward pass)."""
    h = X
    n_layers = len(params) // 2
    for layer in range(n_layers):
        h = h @ params[2 * layer] + params[2 * layer + 1]
        if layer < n_layers - 1:
            h = np.maximum(h, 0.0)
    m = h.max(axis=1, keepdims=True)
    logp = h - (np.log(np.exp(h - m).sum(axis=1, keepdims=True)) + m)
    return -logp[np.arange(len(labels)), labels].mean()


def mean_time(fun, inner):
    """Mean CPU time of ``inner`` calls of ``fun``."""
    start = time.process_time()
    for _ in range(inner):
        fun()
    return (time.process_time() - start) / inner


def run(sizes, batch, repeats, inner, seed=0):
    """Time the three computations for one network; return a dict."""
    import optbook.autodiff as ad
    from optbook.nn import cross_entropy, init_mlp, mlp_forward

    def autodiff_loss(params, X, labels):
        return cross_entropy(mlp_forward(params, X), labels)

    rng = np.random.default_rng(seed)
    params = init_mlp(list(sizes), rng=rng)
    X = rng.standard_normal((batch, sizes[0]))
    labels = rng.integers(0, sizes[-1], size=batch)
    vg = ad.value_and_grad(autodiff_loss)
    value, _ = vg(params, X, labels)
    assert np.isclose(value, numpy_loss(params, X, labels), rtol=1e-12)

    def autodiff_forward():
        return autodiff_loss([ad.Var(p) for p in params], X, labels)

    funs = {"numpy fwd": lambda: numpy_loss(params, X, labels),
            "autodiff fwd": autodiff_forward,
            "value_and_grad": lambda: vg(params, X, labels)}
    for fun in funs.values():
        fun()  # warm-up
    times = {name: [] for name in funs}
    ratios = []
    for _ in range(repeats):
        for name, fun in funs.items():
            times[name].append(mean_time(fun, inner))
        ratios.append(times["value_and_grad"][-1] / times["numpy fwd"][-1])
    result = {name: float(np.median(t)) for name, t in times.items()}
    result.update(network="-".join(map(str, sizes)), batch=batch,
                  n_params=int(sum(p.size for p in params)),
                  ratio=float(np.median(ratios)))
    return result


def child(repeats, inner):
    print(json.dumps([run(sizes, batch, repeats, inner) for sizes, batch in CONFIGS]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    repeats, inner = (5, 3) if args.quick else (15, 8)
    if args.child:
        child(repeats, inner)
        return
    print(f"{'allocator':<9} {'network':<18} {'batch':>5} {'params':>7} {'numpy fwd':>10} "
          f"{'autodiff fwd':>12} {'value_and_grad':>14} {'ratio':>6}")
    target_ratios = {}
    for allocator, extra_env in (("default", {}), ("tuned", TUNED_MALLOC)):
        env = {**os.environ, **extra_env}
        cmd = [sys.executable, __file__, "--child"] + (["--quick"] if args.quick else [])
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        for r in json.loads(out.stdout.strip().splitlines()[-1]):
            print(f"{allocator:<9} {r['network']:<18} {r['batch']:>5} {r['n_params']:>7} "
                  f"{1e3 * r['numpy fwd']:>8.3f}ms {1e3 * r['autodiff fwd']:>10.3f}ms "
                  f"{1e3 * r['value_and_grad']:>12.3f}ms {r['ratio']:>6.2f}")
            if r["network"] == "64-256-256-10":
                target_ratios[allocator] = r["ratio"]
    print()
    for allocator, ratio in target_ratios.items():
        verdict = "OK" if ratio <= TARGET else "ABOVE TARGET"
        print(f"64-256-256-10, batch 256, {allocator} allocator: ratio {ratio:.2f} "
              f"(target <= {TARGET:g}): {verdict}")


if __name__ == "__main__":
    main()
