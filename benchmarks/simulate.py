"""Benchmark of the simulators: the generic one of any declared model (``diagrams.analysis.simulate``,
which the CLI and sweeps use) and the random-feature model's own (``models.random_features.simulate``,
kept for the literal teacher draws that check the analytic teacher average).

    python benchmarks/simulate.py [--trials 3] [--alpha 1] [--gamma 1e-2]

Each (N, T, M) runs in a fresh subprocess so that its peak memory is its own.  Reported per
configuration: the dual space used, seconds per trial (wall clock, after one warm-up trial),
the peak resident set size of the subprocess and the peak of numpy/Python allocations
(tracemalloc) during the timed trials.  Default path: exact averages over teacher and test inputs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

CONFIGS = [(500, 500, 1000), (2000, 2000, 4000), (2000, 500, 4000), (500, 2000, 4000)]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _child(N, T, M, trials, alpha, gamma, which):
    import resource
    import tracemalloc

    import numpy as np

    sys.path.insert(0, ROOT)
    lam = np.arange(1.0, M + 1) ** -(1.0 + alpha)
    if which == "generic":
        from diagrams.analysis.simulate import simulate
        from diagrams.models.registry import load_model

        model = load_model("random-features")
        vals = {"N": N, "T": T, "spectrum": list(lam)}
        run = lambda n, seed: simulate(model, vals, gamma, trials=n, seed=seed)  # noqa: E731
        space = "smaller (auto)"
    else:
        from diagrams.models.random_features.simulate import simulate_test_loss

        run = lambda n, seed: simulate_test_loss(N, T, gamma, lam, trials=n, seed=seed)  # noqa: E731
        space = None
    run(1, 12345)  # warm-up (BLAS threads, imports)
    tracemalloc.start()
    t0 = time.perf_counter()
    res = run(trials, 0)
    dt = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if space is None:
        space = {"feature": "feature N x N", "sample": "sample T x T"}[res.params["space"]]
    print(json.dumps({"seconds_per_trial": dt / trials, "peak_rss_mb": rss_kb / 1024,
                      "peak_alloc_mb": peak / 2 ** 20, "space": space}))


def _machine():
    import numpy as np

    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # older numpy
        blas = "unknown"
    try:
        avail = len(os.sched_getaffinity(0))
    except AttributeError:
        avail = os.cpu_count()
    threads = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
               if k in os.environ}
    return (f"platform: {platform.platform()} ({platform.machine()}), python {platform.python_version()}\n"
            f"cores: {os.cpu_count()} (available to this process: {avail})\n"
            f"numpy {np.__version__}, BLAS: {blas}, thread settings: {threads or 'default'}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--trials", type=int, default=3)
    p.add_argument("--alpha", type=float, default=1.0)
    p.add_argument("--gamma", type=float, default=1e-2)
    p.add_argument("--threads", type=int, default=None,
                   help="BLAS threads in the timed subprocesses (sets OPENBLAS_NUM_THREADS/OMP_NUM_THREADS)")
    p.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    p.add_argument("--which", default="generic", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        _child(*args.child, args.trials, args.alpha, args.gamma, args.which)
        return 0
    print(_machine())
    if args.threads is not None:
        print(f"BLAS threads in the timed runs: {args.threads}")
    if hasattr(os, "getloadavg"):
        print("load average before the run (other processes compete for the cores): %.2f %.2f %.2f"
              % os.getloadavg())
    print(f"power-law spectrum alpha={args.alpha:g}, gamma={args.gamma:g}, {args.trials} timed trials "
          "(+1 warm-up), teacher and test inputs averaged exactly")
    print(f"{'simulator':<16}{'N':>6}{'T':>6}{'M':>6}  {'solve space':<15}{'s/trial':>9}{'peak RSS MB':>13}"
          f"{'peak alloc MB':>15}")
    for N, T, M in CONFIGS:
        for which in ("generic", "random-features"):
            cmd = [sys.executable, os.path.abspath(__file__), "--child", str(N), str(T), str(M),
                   "--trials", str(args.trials), "--alpha", str(args.alpha), "--gamma", str(args.gamma),
                   "--which", which]
            env = dict(os.environ)
            if args.threads is not None:
                env.update(OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
            out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{which:<16}{N:>6}{T:>6}{M:>6}  {r['space']:<15}{r['seconds_per_trial']:>9.2f}"
                  f"{r['peak_rss_mb']:>13.0f}{r['peak_alloc_mb']:>15.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
