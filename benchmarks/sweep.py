"""Benchmark: a parameter sweep serially against a 2-worker Dask LocalCluster, and the cost of one task.

1. A 24-point x 16-trial sweep of the random-feature model at N = T = 500 (power law alpha = 1,
   M = 1000; 24 ridges log-spaced in [1e-4, 10]): wall time serially (``executor="serial"``) and on
   a LocalCluster of 2 worker processes -- its start-up timed apart from the sweep -- with the
   speed-up, and the largest difference between the two tables (they should be equal: each trial's
   draws are fixed by its seed).
   The cores actually free are measured too: one task of ``K`` trials alone, then two at once on the
   two workers; ``2 t_one / t_two`` is the speed-up the machine can give (2 on an idle machine,
   less when other processes share its cores).
2. The per-task overhead: a sweep of trivial tasks (the ridge model with T = 2 and one eigenvalue,
   one trial per task), serially and on the same cluster; overhead per task =
   wall time per task on the cluster - (serial time per task) / workers.

The serial run uses this process's BLAS (OpenBLAS may use several threads for one product), while
Dask's workers run one BLAS thread each (``distributed``'s default); ``--blas-threads 1`` restarts
the benchmark with one BLAS thread everywhere, which is the fair comparison of the two schedules.

    python benchmarks/sweep.py                  # the full benchmark (minutes)
    python benchmarks/sweep.py --quick          # N = T = 150, M = 300: seconds
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import subprocess
import sys
import time
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def table(rows, head):
    cells = [head] + [[str(c) for c in r] for r in rows]
    w = [max(len(r[i]) for r in cells) for i in range(len(head))]
    out = ["  ".join(c.ljust(w[i]) for i, c in enumerate(r)) for r in cells]
    out.insert(1, "  ".join("-" * x for x in w))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="N = T = 150, M = 300 (seconds)")
    ap.add_argument("--blas-threads", type=int, default=None, help="restart with this many BLAS threads")
    ap.add_argument("--trivial", type=int, default=400, help="tasks of the overhead sweep (default 400)")
    args = ap.parse_args()
    if args.blas_threads is not None and os.environ.get("OPENBLAS_NUM_THREADS") != str(args.blas_threads):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.blas_threads), OMP_NUM_THREADS=str(args.blas_threads),
                   MKL_NUM_THREADS=str(args.blas_threads))
        sys.exit(subprocess.call([sys.executable, *sys.argv], env=env))

    import numpy as np
    from distributed import Client, LocalCluster

    from diagrams.analysis.sweep import grid, point_seed, run_sweep, simulate_trials
    from diagrams.models.declaration import PowerLaw
    from diagrams.models.registry import load_model

    n, M = (150, 300) if args.quick else (500, 1000)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')} here, "
          f"1 in the workers; load average {os.getloadavg()[0]:.1f}")
    rf = load_model("random-features")
    pts = grid(rf, {"N": [n], "T": [n], "spectrum": [PowerLaw(Fraction(1), M)]}, "1e-4:10:24log")
    trials = 16
    t = time.perf_counter()
    serial = run_sweep(rf, pts, trials=trials, seed=0, executor="serial")
    t_serial = time.perf_counter() - t

    t = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    client = Client(cluster)
    client.run(lambda: __import__("diagrams.analysis.sweep"))
    t_start = time.perf_counter() - t
    try:
        p0 = pts[0]
        job = (rf.name, p0.values, p0.gamma, point_seed(rf, p0, 0))
        client.submit(simulate_trials, *job, 0, 1, pure=False).result()
        K = 4
        t = time.perf_counter()
        client.submit(simulate_trials, *job, 0, K, pure=False).result()
        t_one = time.perf_counter() - t
        t = time.perf_counter()
        futs = [client.submit(simulate_trials, *job, 0, K, pure=False) for _ in range(2)]
        client.gather(futs)
        t_two = time.perf_counter() - t
        t = time.perf_counter()
        dask = run_sweep(rf, pts, trials=trials, seed=0, client=client)
        t_dask = time.perf_counter() - t
        diff = max(abs(a["mean"] - b["mean"]) / abs(a["mean"]) for a, b in zip(serial.rows, dask.rows))

        ridge = load_model("ridge")
        k = args.trivial
        triv = grid(ridge, {"T": [2], "spectrum": [[1]]}, f"1e-3:1e3:{k}log")
        t = time.perf_counter()
        s_triv = run_sweep(ridge, triv, trials=1, seed=0, executor="serial", theory=False)
        t_triv_serial = time.perf_counter() - t
        t = time.perf_counter()
        d_triv = run_sweep(ridge, triv, trials=1, seed=0, client=client, theory=False)
        t_triv_dask = time.perf_counter() - t
        assert [r["mean"] for r in s_triv.rows] == [r["mean"] for r in d_triv.rows]
    finally:
        client.close()
        cluster.close()

    print(f"\n1. sweep of {len(pts)} points x {trials} trials, random-features N = T = {n}, alpha = 1, M = {M}")
    print(table([
        ["serial (this process)", f"{t_serial:.1f}", f"{t_serial / (len(pts) * trials) * 1e3:.0f}", "1.00", "-"],
        ["2 workers, sweep", f"{t_dask:.1f}", f"{t_dask / (len(pts) * trials) * 1e3:.0f}",
         f"{t_serial / t_dask:.2f}", f"{dask.tasks}"],
        ["2 workers, incl. cluster start-up", f"{t_dask + t_start:.1f}", "-", f"{t_serial / (t_dask + t_start):.2f}",
         f"start-up {t_start:.1f} s"],
    ], ["run", "wall s", "ms/trial", "speed-up", "tasks"]))
    print(f"largest relative difference of a mean between the two tables: {diff:.1e}")
    print(f"speed-up the machine gave two concurrent tasks of {K} trials: {2 * t_one / t_two:.2f} "
          f"(one alone {t_one:.2f} s, two at once {t_two:.2f} s)")
    print(f"\n2. per-task overhead: {k} trivial tasks (ridge, T = 2, one eigenvalue, 1 trial each)")
    per_serial = t_triv_serial / k
    per_dask = t_triv_dask / d_triv.tasks
    print(table([
        ["serial", f"{t_triv_serial:.2f}", f"{per_serial * 1e3:.2f}"],
        ["2 workers", f"{t_triv_dask:.2f}", f"{per_dask * 1e3:.2f}"],
    ], ["run", "wall s", "ms/task"]))
    print(f"overhead per task on the cluster: {(per_dask - per_serial / 2) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
