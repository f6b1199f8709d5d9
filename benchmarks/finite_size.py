"""Benchmark: the first finite-size correction L1 (chi = 1) of any model.

Prints a table: L1 at one ridge for M = 10^4 and 10^6 (random features and deep random features; the
planar value alone, by the Dyson solver, for comparison), a 100-point ridge grid at M = 10^4, the
mpmath path, the exact series of L1 to order 20 (and 50), and the chi = 1 diagram sums that check it
(pruned enumeration, orders 4 to 6).  Times are warm (each model's correction system compiled once
before, as in a session), best of repeats; the one-off compilation is listed separately.

    python benchmarks/finite_size.py
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
from diagrams.analysis.expansion import coefficients_by_chi  # noqa: E402
from diagrams.analysis.dyson_series import flint_available  # noqa: E402
from diagrams.analysis.dyson_solve import solve_numpy  # noqa: E402
from diagrams.analysis.finite_size import correction_mp, correction_numpy, correction_series_exact  # noqa: E402
from diagrams.models.declaration import PowerLaw  # noqa: E402
from diagrams.models.registry import load_model  # noqa: E402


def main():
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, python-flint {'yes' if flint_available() else 'no'}, "
          f"load average {os.getloadavg()[0]:.1f}")
    rows = []
    rf, deep = load_model("random-features"), load_model("deep-random-features")
    exact = {"N": 3, "T": 5, "spectrum": ["1", "1/4", "1/9", "1/16"]}
    small = {"N": 3, "T": 5, "spectrum": [1, 0.5]}
    rows.append(("compile RF (numeric + series, once)",
                 once(lambda: correction_numpy(rf, small, [1.0])) + once(lambda: correction_series_exact(rf, exact, 2)),
                 ""))
    exact_deep = {"N": 3, "N1": 4, "T": 5, "spectrum": ["1", "1/4", "1/9", "1/16"]}
    rows.append(("compile deep (numeric + series, once)",
                 once(lambda: correction_numpy(deep, {**small, "N1": 4}, [1.0]))
                 + once(lambda: correction_series_exact(deep, exact_deep, 2)), ""))
    for name, model, extra in (("RF", rf, {"N": 1000, "T": 2000}), ("deep", deep, {"N": 1000, "N1": 1500, "T": 2000})):
        for M in (10 ** 4, 10 ** 6):
            v = model.read_values({**extra, "spectrum": PowerLaw(1, M)})
            rows.append((f"{name} L0 + L1, one gamma, M={M:.0e}", best(lambda: correction_numpy(model, v, [1e-3]), 3),
                         ""))
            rows.append((f"{name} L0 only (Dyson), M={M:.0e}", best(lambda: solve_numpy(model, v, [1e-3]), 3), ""))
            if M == 10 ** 6:
                rows.append((f"{name} L1 full spectrum, M={M:.0e}",
                             best(lambda: correction_numpy(model, v, [1e-3], compress=False), 1), ""))
    v = rf.read_values({"N": 500, "T": 800, "spectrum": PowerLaw(1, 10 ** 4)})
    grid = np.logspace(-6, 2, 100)
    rows.append(("RF 100-point grid, M=1e4", best(lambda: correction_numpy(rf, v, grid), 3), ""))
    v = rf.read_values({"N": 100, "T": 150, "spectrum": PowerLaw(1, 600)})
    rows.append(("RF mpmath 50 digits, M=600", best(lambda: correction_mp(rf, v, "1/100", dps=50), 2), ""))
    rows.append(("RF exact series of L1 to order 20", best(lambda: correction_series_exact(rf, exact, 20), 3), ""))
    rows.append(("RF exact series of L1 to order 50", best(lambda: correction_series_exact(rf, exact, 50), 1), ""))
    rows.append(("deep exact series of L1 to order 20",
                 best(lambda: correction_series_exact(deep, exact_deep, 20), 3), ""))
    point = {"N": 2, "T": 3, "spectrum": ["1", "1/2", "1/3"]}
    for k in (4, 5, 6):
        rows.append((f"RF chi = 1 diagram sum (loop equations), order {k}",
                     best(lambda: coefficients_by_chi(rf, k, values=point, min_chi=1), 1), ""))
    print(f"{'case':<40} {'seconds':>10}  target")
    for name, sec, target in rows:
        print(f"{name:<40} {sec:>10.4f}  {target}")


if __name__ == "__main__":
    main()
