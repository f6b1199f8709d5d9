"""Benchmark: the closed form of Eq. (104), numpy path, against the issue's targets.

Prints a table: one gamma for M = 10^4, 10^5, 10^6 (target < 50 ms at 10^6, where a plain
bracketing root finder that re-sums the spectrum at every step takes about 250 ms — measured here
too, with scipy's brentq on the same consistency relation), a 1000-point gamma grid at M = 10^4
(target < 0.3 s), the mpmath path at 50 digits, and the optimal ridge.  Best of several repeats.

    python benchmarks/closed_form.py
"""

from __future__ import annotations

import os
import platform
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from scipy.optimize import brentq  # noqa: E402

from timing import best  # noqa: E402
from diagrams.models.random_features.closed_form import (optimal_ridge, power_law_spectrum,  # noqa: E402
                                                          closed_form_loss, closed_form_loss_mp)


def plain_brentq(N, T, gamma, lam, sigma_u2=1.0):
    """Baseline: bracketing root finder re-summing the spectrum at each step (y = a t(a))."""
    s = sigma_u2 / len(lam) * lam

    def g(a):
        t = np.sum(s / (1 + a * s))
        return a * gamma - N * T * (1 - a * t / N) * (1 - a * t / T)

    hi = 1.0
    while g(hi) < 0:
        hi *= 4
    return brentq(g, 0.0, hi, xtol=1e-14, rtol=1e-14)


def main():
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    rows = []
    for M in (10**4, 10**5, 10**6):
        lam = power_law_spectrum(M, 1.0)
        t = best(lambda: closed_form_loss(1000, 2000, 1e-3, lam))
        tb = best(lambda: plain_brentq(1000, 2000, 1e-3, lam), repeat=3)
        rows.append((f"one gamma, M={M:.0e}", t, f"brentq baseline {tb * 1e3:.1f} ms",
                     "< 50 ms" if M == 10**6 else ""))
    lam = power_law_spectrum(10**4, 1.0)
    grid = np.logspace(-6, 2, 1000)
    t = best(lambda: closed_form_loss(500, 800, grid, lam))
    rows.append(("1000-point grid, M=1e4", t, "", "< 0.3 s"))
    lam_small = power_law_spectrum(600, 0.5)
    t = best(lambda: closed_form_loss_mp(100, 150, 1e-2, lam_small, dps=50), repeat=3)
    rows.append(("mpmath 50 digits, M=600", t, "", ""))
    lam = power_law_spectrum(10**5, 1.0)
    t = best(lambda: optimal_ridge(1000, 2000, lam), repeat=3)
    rows.append(("optimal ridge, M=1e5", t, "", ""))
    print(f"{'case':<28} {'seconds':>10}  {'target':<10} note")
    for name, sec, note, target in rows:
        print(f"{name:<28} {sec:>10.4f}  {target:<10} {note}")


if __name__ == "__main__":
    main()
