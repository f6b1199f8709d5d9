"""Precision of the closed form of Eq. (104), double precision against mpmath, over the parameter box.

Draws seeded log-uniform points of the box gamma in [1e-12, 1e6], N, T in [1, 1e6], M in [1, M_max]
(power-law spectra), alpha in [0.05, 5], with the corners N = M, N = T, M = 1 and tiny gamma, and
prints, per field, the largest relative difference between ``closed_form_loss`` (numpy) and
``closed_form_loss_mp`` (literal definitions at 20 digits), the number of points above 1e-10, and the time.
The test suite runs the same comparison with M <= 300 (and, marked slow, M <= 20000); this script is
for the long spectra (mpmath at M = 10^6 takes a minute or more a point).

    python benchmarks/closed_form_precision.py [--points 40] [--max-M 1000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from diagrams.models.random_features.closed_form import power_law_spectrum, closed_form_loss, closed_form_loss_mp  # noqa: E402

FIELDS = ["loss", "q", "Q", "xi", "l", "r_c", "v", "r_dp", "D", "resummation_factor", "primary"]


def points(seed: int, count: int, max_M: float):
    rng = np.random.default_rng(seed)
    lu = lambda lo, hi: float(10 ** rng.uniform(math.log10(lo), math.log10(hi)))
    for i in range(count):
        N, T, M, g, alpha = round(lu(1, 1e6)), round(lu(1, 1e6)), round(lu(1, max_M)), lu(1e-12, 1e6), lu(0.05, 5)
        kind = i % 5
        if kind == 1:
            T = N
        elif kind == 2:
            N = M = min(N, int(max_M))
        elif kind == 3:
            M = 1
        elif kind == 4:
            g = lu(1e-12, 1e-9)
        yield N, T, M, g, alpha


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=40)
    ap.add_argument("--max-M", type=float, default=1e6)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    worst = dict.fromkeys(FIELDS, 0.0)
    above = 0
    t0 = time.perf_counter()
    for N, T, M, g, alpha in points(args.seed, args.points, args.max_M):
        lam = power_law_spectrum(M, alpha)
        r = closed_form_loss(N, T, g, lam)
        rm = closed_form_loss_mp(N, T, g, lam, dps=20)
        errs = {f: abs(float(getattr(r, f)) / float(getattr(rm, f)) - 1) for f in FIELDS}
        for f, e in errs.items():
            worst[f] = max(worst[f], e)
        above += max(errs.values()) > 1e-10
        print(f"N={N:<8} T={T:<8} M={M:<8} gamma={g:<10.3g} alpha={alpha:<6.3f} worst {max(errs.values()):.1e}",
              flush=True)
    print(f"\n{args.points} points, M <= {args.max_M:g}, {time.perf_counter() - t0:.0f} s; "
          f"points above 1e-10: {above}")
    print(f"{'field':<20} {'max relative difference':>24}")
    for f in FIELDS:
        print(f"{f:<20} {worst[f]:>24.2e}")


if __name__ == "__main__":
    main()
