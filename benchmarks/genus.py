"""Benchmark: exact coefficients of the random-feature test loss split by Euler characteristic.

Per order ``k`` of the loss (the words of ``loss_terms(k)`` with their coefficients, summed), exact
rationals at N=3, T=5, That=1, spectrum 1, 1/4, 1/9, 1/16 (M=4, Lambda = Lambdahat), Sigma = 1/4 * 1:

    enum     the exhaustive Wick enumerator (``wick.contractions``), faces valued one by one
    all      ``genus.genus_sum_exact`` over all genera (loop equations, full multi-trace memo)
    chi>=0   the same restricted to chi >= 0 (connected correlators of <= 2 traces)
    chi>=1   the same restricted to chi >= 1 (planar + one crosscap)

Every measurement runs in a fresh Python process; "MB" is its peak resident set size (so it
contains the interpreter + sympy + package baseline, printed).  Times are wall-clock seconds with
CPU seconds in parentheses (other work on the machine inflates wall times).  "agree" checks that
every route run at that order gives the same exact chi = 2, 1, 0 coefficients, and that chi = 2
equals the planar recursion (``planar.planar_expectation_exact``).

    python benchmarks/genus.py             # enum k <= 4, all k <= 12, chi>=0 k <= 16, chi>=1 k <= 24
    python benchmarks/genus.py --full      # also enum at k = 5 (4.5 million contractions, minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

SPECTRUM = [Fraction(1, i * i) for i in range(1, 5)]
DIAGONALS = {"Lambda": SPECTRUM, "Lambdahat": SPECTRUM, "Sigma": [Fraction(1, 4)] * 4}
SIZES = {"N": 3, "T": 5, "That": 1}
PARAMS_TEXT = "N=3, T=5, That=1, spectrum 1,1/4,1/9,1/16 (M=4), Lambdahat=Lambda, Sigma=1/4*1"
ROUTES = ("enum", "all", "chi>=0", "chi>=1")


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / 2**20
    return own * scale


def _enumerate(order: int) -> dict:
    """``{chi: Fraction}`` of ``sum_w c_w <tr w>`` by listing every contraction."""
    from diagrams.engine.wick import contractions
    from diagrams.models.random_features.expansion import loss_terms

    dim = len(SPECTRUM)
    face_values: dict = {}
    out: dict = {}
    for term in loss_terms(order):
        for c in contractions(term.word):
            val = Fraction(term.coefficient)
            for f in c.faces:
                key = (f.space.name, f.covariances)
                fv = face_values.get(key)
                if fv is None:
                    if f.covariances:
                        fv = Fraction(0)
                        for i in range(dim):
                            p = Fraction(1)
                            for name in f.covariances:
                                p *= DIAGONALS[name][i]
                            fv += p
                    else:
                        fv = Fraction(SIZES[f.space.size.name])
                    face_values[key] = fv
                val *= fv
            chi = c.euler_characteristic
            out[chi] = out.get(chi, 0) + val
    return out


def _one(route: str, order: int) -> dict:
    """Run one route at one order in this process; time it and return its chi = 2, 1, 0 values."""
    import sympy  # noqa: F401  (baseline import, outside the timing)
    from diagrams.engine.genus import genus_sum_exact
    from diagrams.models.random_features.expansion import loss_terms

    terms = [(t.coefficient, t.word) for t in loss_terms(order)]
    t0 = time.perf_counter()
    c0 = time.process_time()
    if route == "enum":
        values = _enumerate(order)
    else:
        min_chi = {"all": None, "chi>=0": 0, "chi>=1": 1}[route]
        values = genus_sum_exact(terms, DIAGONALS, SIZES, min_chi=min_chi)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {"seconds": seconds, "cpu": cpu, "mb": _peak_mb(),
            "values": {str(chi): str(values.get(chi, 0)) for chi in (2, 1, 0) if chi in values}}


def _planar(order: int) -> Fraction:
    from diagrams.engine.planar import planar_expectation_exact
    from diagrams.models.random_features.expansion import loss_terms

    return sum((t.coefficient * planar_expectation_exact(t.word, DIAGONALS, SIZES) for t in loss_terms(order)),
               Fraction(0))


def _baseline_mb() -> float:
    import sympy  # noqa: F401
    import diagrams.engine.genus  # noqa: F401
    import diagrams.models.random_features.expansion  # noqa: F401
    return _peak_mb()


def _run_child(route: str, order: int, timeout: float) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--one", route, str(order)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="also the exhaustive enumerator at order 5 (minutes)")
    ap.add_argument("--kmin", type=int, default=1)
    ap.add_argument("--kmax-enum", type=int, default=None)
    ap.add_argument("--kmax-all", type=int, default=12)
    ap.add_argument("--kmax-chi0", type=int, default=16)
    ap.add_argument("--kmax-chi1", type=int, default=24)
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    ap.add_argument("--one", nargs=2, metavar=("ROUTE", "K"), help=argparse.SUPPRESS)
    ap.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.baseline:
        print(json.dumps(_baseline_mb()))
        return 0
    if args.one:
        print(json.dumps(_one(args.one[0], int(args.one[1]))))
        return 0

    kmax_enum = args.kmax_enum if args.kmax_enum is not None else (5 if args.full else 4)
    kmax = {"enum": kmax_enum, "all": args.kmax_all, "chi>=0": args.kmax_chi0, "chi>=1": args.kmax_chi1}
    from diagrams.analysis.expansion import count_all as _count_all
    from diagrams.models.random_features.expansion import loss_terms
    from diagrams.models.random_features.model import MODEL

    def count_all(k):
        return _count_all(MODEL, k)

    print(f"machine: {platform.platform()}; {_cpu_name()}; {os.cpu_count()} CPUs; "
          f"Python {platform.python_version()} ({platform.python_implementation()})")
    base = json.loads(subprocess.run([sys.executable, os.path.abspath(__file__), "--baseline"],
                                     capture_output=True, text=True, check=True).stdout)
    print(f"numbers: {PARAMS_TEXT}; baseline process (python + sympy + package) {base:.0f} MB")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          "(wall seconds, CPU seconds in parentheses)")
    header = ["k", "letters", "contractions"]
    for r in ROUTES:
        header += [f"{r} s", f"{r} MB"]
    header.append("agree")
    rows = []
    for k in range(args.kmin, max(kmax.values()) + 1):
        letters = max(len(t.word) for t in loss_terms(k))
        res = {r: _run_child(r, k, args.timeout) for r in ROUTES if k <= kmax[r]}
        row = [str(k), str(letters), f"{count_all(k):.3g}"]
        for r in ROUTES:
            x = res.get(r)
            if x is None:
                row += ["-", "-"]
            elif "timeout" in x:
                row += [f">{x['timeout']:.0f}", "-"]
            else:
                row += [f"{x['seconds']:.2f} ({x['cpu']:.2f})", f"{x['mb']:.0f}"]
        seen: dict = {}
        ok = True
        for r, x in res.items():
            for chi, v in x.get("values", {}).items():
                ok &= seen.setdefault(chi, v) == v
        if "2" in seen:
            ok &= Fraction(seen["2"]) == _planar(k)
        row.append("yes" if ok else "NO")
        rows.append(row)
        _print(header, rows[-1:], markdown=args.markdown, head=len(rows) == 1)
    return 0


def _print(header, rows, markdown=False, head=True):
    widths = [max(len(h), 12) for h in header]
    if markdown:
        if head:
            print("| " + " | ".join(header) + " |")
            print("|" + "|".join("---" for _ in header) + "|")
        for r in rows:
            print("| " + " | ".join(r) + " |", flush=True)
    else:
        if head:
            print("  ".join(h.rjust(w) for h, w in zip(header, widths)))
        for r in rows:
            print("  ".join(c.rjust(w) for c, w in zip(r, widths)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
