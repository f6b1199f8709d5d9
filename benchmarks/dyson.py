"""Benchmark: the planar Dyson route (linearization + Dyson equation) against the targets.

Prints a table: the exact planar coefficient of order 100 of the random-feature model at rational
parameters (series mode; target < 10 s), one ridge at M = 10^6 (target < 50 ms), a 1000-point ridge grid
at M = 10^4 (target < 0.3 s), the same two for deep-random-features, and the mpmath path.  Times are
warm (the model's equations compiled once before, as in a session), best of several repeats; the
one-off compilation is listed separately.

    python benchmarks/dyson.py
"""

from __future__ import annotations

import os
import platform
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from timing import best, once  # noqa: E402
from diagrams.analysis.dyson_series import flint_available, series_exact  # noqa: E402
from diagrams.analysis.dyson_solve import solve_mp, solve_numpy  # noqa: E402
from diagrams.models.declaration import PowerLaw  # noqa: E402
from diagrams.models.registry import load_model  # noqa: E402


def main():
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, python-flint {'yes' if flint_available() else 'no'}")
    rows = []
    rf, deep = load_model("random-features"), load_model("deep-random-features")
    exact = {"N": 3, "T": 5, "spectrum": ["1", "1/4", "1/9", "1/16"]}
    rows.append(("compile random-features (once)", once(lambda: series_exact(rf, exact, 2)) +
                 once(lambda: solve_numpy(rf, rf.read_values({"N": 3, "T": 5, "spectrum": [1, 0.5]}), [1.0])), ""))
    rows.append(("RF order-100 coefficient (exact)", best(lambda: series_exact(rf, exact, 100), 3), "< 10 s"))
    if flint_available():
        rows.append(("RF order-30, engine Series", best(lambda: series_exact(rf, exact, 30, engine="series"), 1), ""))
    exact_deep = {"N": 3, "N1": 4, "T": 5, "spectrum": ["1", "1/4", "1/9", "1/16"]}
    rows.append(("compile deep (once)", once(lambda: series_exact(deep, exact_deep, 2)) +
                 once(lambda: solve_numpy(deep, deep.read_values({"N": 3, "N1": 4, "T": 5, "spectrum": [1, 0.5]}),
                                          [1.0])), ""))
    rows.append(("deep order-100 coefficient (exact)", best(lambda: series_exact(deep, exact_deep, 100), 3), ""))
    for name, model, extra in (("RF", rf, {"N": 1000, "T": 2000}), ("deep", deep, {"N": 1000, "N1": 1500, "T": 2000})):
        for M in (10 ** 4, 10 ** 5, 10 ** 6):
            v = model.read_values({**extra, "spectrum": PowerLaw(1, M)})
            rows.append((f"{name} one gamma, M={M:.0e}", best(lambda: solve_numpy(model, v, [1e-3]), 3),
                         "< 50 ms" if M == 10 ** 6 else ""))
        v = model.read_values({**({"N": 500, "T": 800} if name == "RF" else {"N": 500, "N1": 700, "T": 800}),
                               "spectrum": PowerLaw(1, 10 ** 4)})
        grid = np.logspace(-6, 2, 1000)
        rows.append((f"{name} 1000-point grid, M=1e4", best(lambda: solve_numpy(model, v, grid), 3), "< 0.3 s"))
    v = rf.read_values({"N": 100, "T": 150, "spectrum": PowerLaw(1, 600)})
    rows.append(("RF mpmath 50 digits, M=600", best(lambda: solve_mp(rf, v, "1/100", dps=50), 2), ""))
    print(f"{'case':<38} {'seconds':>10}  target")
    for name, sec, target in rows:
        print(f"{name:<38} {sec:>10.4f}  {target}")


if __name__ == "__main__":
    main()
