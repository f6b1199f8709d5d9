"""Benchmark: planar diagrams of the random-feature test loss, several routes.

(a) ``filter``  every Wick contraction (``wick.contractions``) kept when ``is_planar``, monomials summed;
(b) ``gen``     the direct planar generator (``planar.planar_contractions``), every diagram listed and its
                ``.monomial`` computed and summed (split over ``--jobs`` processes);
(c) ``sym``     coefficient-only recursion, symbolic (``planar.planar_monomials``, nothing listed);
    ``num``     coefficient-only recursion, exact rational (``analysis.expansion.coefficient`` at numbers);
(d) ``list``    every diagram listed with its value (``planar_listing.list_planar_diagrams`` over
                ``--jobs`` processes): each ``(word, pairs, monomial key)`` reaches this process, which
                sums ``coefficient x key``;
(e) ``tally``   the same listing counted in the worker processes (``planar_listing.tally_planar_diagrams``).

Every measurement runs in a fresh Python process.  "MB" is peak resident set size
(``resource.getrusage``): for (a)-(c) the largest of the process and its workers; for (d) and (e)
"parent + worker", the parent's peak and the largest worker's peak (each worker's peak is at most
that).  Both contain the interpreter + sympy baseline (printed).  Times are wall-clock seconds with
the CPU seconds of the process and all its workers in parentheses.  The last column checks that every
route run at that order gives the same exact coefficient at the numeric parameters (symbolic routes
evaluated with ``analysis.expansion.evaluate``).

    python benchmarks/planar.py            # (a) k <= 4, (b) k <= 8, (c) sym k <= 10, num k <= 20,
                                           # (d), (e) k <= 9
    python benchmarks/planar.py --full     # also (a) at k = 5 (minutes) and (c) sym at k = 11
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


def _params():
    from diagrams.models.random_features.model import MODEL
    return MODEL.read_values({"N": 100, "T": 150, "That": 1, "spectrum": [Fraction(1, i * i) for i in range(1, 11)]})


PARAMS_TEXT = "N=100, T=150, That=1, spectrum 1/I^2 (I=1..10), sigma_u2=sigma_w2=C=1"


def _peak_mb_split() -> tuple[float, float]:
    """Peak RSS (MB) of this process and of the largest of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / 2**20
    return own * scale, kids * scale


def _peak_mb() -> float:
    return max(_peak_mb_split())


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the generator's worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _gen_worker(args):
    order, r, jobs = args
    from diagrams.engine.planar import planar_contractions
    from diagrams.models.random_features.expansion import loss_terms
    weighted: dict = {}
    n = 0
    for term in loss_terms(order):
        for i, c in enumerate(planar_contractions(term.word)):
            if i % jobs != r:
                continue
            key = c.monomial
            weighted[key] = weighted.get(key, 0) + term.coefficient
            n += 1
    return n, weighted


def _one(method: str, order: int, jobs: int) -> dict:
    """Run one route at one order in this process; time it and report its exact value."""
    import sympy  # noqa: F401  (baseline import, outside the timing)
    from diagrams.engine.planar import planar_monomials
    from diagrams.engine.wick import contractions, sum_monomials
    from diagrams.analysis.expansion import coefficient, evaluate
    from diagrams.models.random_features.expansion import TRACE_PREFACTOR, loss_terms
    from diagrams.models.random_features.model import MODEL, SPACES

    params = _params()
    weighted: dict = {}
    n = None
    t0 = time.perf_counter()
    c0 = _cpu_seconds()
    if method == "filter":
        n = 0
        for term in loss_terms(order):
            for c in contractions(term.word):
                if c.is_planar:
                    n += 1
                    key = c.monomial
                    weighted[key] = weighted.get(key, 0) + term.coefficient
    elif method == "gen":
        if jobs > 1:
            import multiprocessing as mp
            with mp.get_context("fork").Pool(jobs) as pool:
                parts = pool.map(_gen_worker, [(order, r, jobs) for r in range(jobs)])
        else:
            parts = [_gen_worker((order, 0, 1))]
        n = 0
        for k, w in parts:
            n += k
            for key, v in w.items():
                weighted[key] = weighted.get(key, 0) + v
    elif method == "sym":
        for term in loss_terms(order):
            for key, v in planar_monomials(term.word).items():
                weighted[key] = weighted.get(key, 0) + term.coefficient * v
    elif method == "num":
        value = coefficient(MODEL, order, values=params)
    elif method == "list":
        from diagrams.engine.planar_listing import list_planar_diagrams
        terms = loss_terms(order)
        coefficient = [t.coefficient for t in terms]
        n = 0
        for i, pairs, key in list_planar_diagrams([t.word for t in terms], jobs=jobs):
            n += 1
            weighted[key] = weighted.get(key, 0) + coefficient[i]
    elif method == "tally":
        from diagrams.engine.planar_listing import tally_planar_diagrams
        terms = loss_terms(order)
        n = 0
        for t, counts in zip(terms, tally_planar_diagrams([t.word for t in terms], jobs=jobs)):
            for key, v in counts.items():
                n += v
                weighted[key] = weighted.get(key, 0) + t.coefficient * v
    else:
        raise ValueError(method)
    seconds = time.perf_counter() - t0
    cpu = _cpu_seconds() - c0
    peak = _peak_mb()
    parent_mb, worker_mb = _peak_mb_split()
    if method != "num":  # untimed: the exact value of the symbolic result, for the cross-check
        expr = TRACE_PREFACTOR * sum_monomials(weighted, {s.name: s for s in SPACES})
        value = evaluate(expr, MODEL, params)
    return {"seconds": seconds, "cpu": cpu, "mb": peak, "parent_mb": parent_mb, "worker_mb": worker_mb,
            "count": n, "value": str(value), "monomials": len(weighted) if method != "num" else None}


def _baseline_mb() -> float:
    import sympy  # noqa: F401
    import diagrams.engine.planar  # noqa: F401
    import diagrams.models.random_features.expansion  # noqa: F401
    return _peak_mb()


def _run_child(method, order, jobs, timeout):
    cmd = [sys.executable, os.path.abspath(__file__), "--one", method, str(order), "--jobs", str(jobs)]
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


def _cli_rows() -> None:
    """Through the command line, as a user runs it: counts and exact coefficients by the recursions
    (issue: ``enumerate --order 12 --N 100 --T 150 --spectrum 1,1/4,1/9`` printed nothing for minutes)."""
    print()
    print("through the CLI (fresh process each, wall seconds including start-up):")
    for argv in (["enumerate", "--order", "12", "--N", "100", "--T", "150", "--spectrum", "1,1/4,1/9", "--json"],
                 ["enumerate", "--order", "5", "--genus", "all", "--json"],
                 ["enumerate", "--order", "10", "--genus", "all", "--N", "100", "--T", "150", "--spectrum",
                  "1,1/4,1/9", "--json"]):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "diagrams", *argv], capture_output=True, text=True,
                             env=dict(os.environ, DIAGRAMS_NO_CACHE="1"), cwd=ROOT)
        dt = time.perf_counter() - t0
        status = "ok" if out.returncode == 0 else f"exit {out.returncode}: {out.stderr.strip()[:80]}"
        print(f"  diagrams {' '.join(argv)}: {dt:.2f} s ({status})")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="also the exhaustive filter at order 5 (minutes)")
    ap.add_argument("--kmin", type=int, default=2)
    ap.add_argument("--kmax-filter", type=int, default=None)
    ap.add_argument("--kmax-gen", type=int, default=8)
    ap.add_argument("--kmax-sym", type=int, default=None)
    ap.add_argument("--kmax-num", type=int, default=20)
    ap.add_argument("--kmax-list", type=int, default=9, help="highest order of routes (d) and (e)")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="processes for the generator route (b) and the listing routes (d), (e)")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    ap.add_argument("--one", nargs=2, metavar=("METHOD", "K"), help=argparse.SUPPRESS)
    ap.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.baseline:
        print(json.dumps(_baseline_mb()))
        return 0
    if args.one:
        print(json.dumps(_one(args.one[0], int(args.one[1]), args.jobs)))
        return 0

    kmax_filter = args.kmax_filter if args.kmax_filter is not None else (5 if args.full else 4)
    kmax_sym = args.kmax_sym if args.kmax_sym is not None else (11 if args.full else 10)
    from diagrams.analysis.expansion import count_all as _count_all
    from diagrams.engine.planar import count_planar
    from diagrams.models.random_features.expansion import loss_terms
    from diagrams.models.random_features.model import MODEL

    def count_all(k):
        return _count_all(MODEL, k)

    print(f"machine: {platform.platform()}; {_cpu_name()}; {os.cpu_count()} CPUs; "
          f"Python {platform.python_version()} ({platform.python_implementation()})")
    base = json.loads(subprocess.run([sys.executable, os.path.abspath(__file__), "--baseline"],
                                     capture_output=True, text=True, check=True).stdout)
    print(f"numbers: {PARAMS_TEXT}; routes (b), (d), (e) on {args.jobs} process(es); "
          f"baseline process (python + sympy + package) {base:.0f} MB")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          "(other work on the machine inflates wall times; CPU seconds in parentheses)")
    header = ["k", "planar", "all", "(a) s", "(a) MB", "(b) s", "(b) MB", "(c) sym s", "(c) sym MB",
              "(c) num s", "(c) num MB", "(d) list s", "(d) MB", "(e) tally s", "(e) MB", "routes agree"]
    rows = []
    kmax = max(kmax_filter, args.kmax_gen, kmax_sym, args.kmax_num, args.kmax_list)
    summary = {}
    for k in range(args.kmin, kmax + 1):
        n_planar = sum(count_planar(t.word) for t in loss_terms(k))
        res = {}
        for method, km in (("filter", kmax_filter), ("gen", args.kmax_gen), ("sym", kmax_sym),
                           ("num", args.kmax_num), ("list", args.kmax_list), ("tally", args.kmax_list)):
            if k <= km:
                res[method] = _run_child(method, k, args.jobs if method in ("gen", "list", "tally") else 1,
                                         args.timeout)
        for method in ("filter", "gen", "list", "tally"):
            if method in res and "count" in res[method]:
                assert res[method]["count"] == n_planar, (method, k, res[method]["count"], n_planar)
        values = {r["value"] for r in res.values() if "value" in r}
        row = [str(k), str(n_planar), f"{count_all(k):.3g}" if k > 4 else str(count_all(k))]
        for method in ("filter", "gen", "sym", "num", "list", "tally"):
            r = res.get(method)
            if r is None:
                row += ["-", "-"]
            elif "timeout" in r:
                row += [f">{r['timeout']:.0f}", "-"]
            else:
                mb = (f"{r['parent_mb']:.0f}+{r['worker_mb']:.0f}" if method in ("list", "tally") and r["worker_mb"]
                      else f"{r['mb']:.0f}")
                row += [f"{r['seconds']:.3g} ({r['cpu']:.3g})", mb]
        row.append("yes" if len(values) == 1 and len(res) > 1 else ("-" if len(res) <= 1 else "NO"))
        rows.append(row)
        summary[k] = res
        _print_row(row, header, args.markdown, first=(k == args.kmin))
        sys.stdout.flush()

    print()
    for k in sorted(summary):
        res = summary[k]
        if "filter" in res and "seconds" in res.get("filter", {}):
            a, ac = res["filter"]["seconds"], res["filter"]["cpu"]
            parts = [f"(a)/({m}) = {a / res[m]['seconds']:.3g}x wall, {ac / max(res[m]['cpu'], 1e-9):.3g}x cpu"
                     for m in ("gen", "sym", "num", "list", "tally") if m in res and "seconds" in res[m]]
            print(f"order {k}: speed-up of the planar routes over the filter: " + ", ".join(parts))
    for k in sorted(summary):
        res = summary[k]
        if "seconds" in res.get("list", {}):
            r = res["list"]
            extra = ""
            if "seconds" in res.get("gen", {}):
                extra = f"; (b)/(d) = {res['gen']['seconds'] / r['seconds']:.3g}x wall"
            print(f"order {k}: listing with values (d): {r['count']} diagrams in {r['seconds']:.3g} s wall, "
                  f"{1e6 * r['seconds'] / max(r['count'], 1):.3g} us wall and "
                  f"{1e6 * r['cpu'] / max(r['count'], 1):.3g} us CPU per diagram{extra}")
    _cli_rows()
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    top = max(summary)
    if "num" in summary[top] and "value" in summary[top]["num"]:
        v = Fraction(summary[top]["num"]["value"])
        print(f"order {top} planar coefficient = {float(v):.6e} (exact rational, "
              f"{len(str(v.numerator))}/{len(str(v.denominator))} digits)")
    return 0


_WIDTHS = [3, 17, 9, 18, 7, 18, 7, 18, 11, 18, 11, 18, 9, 18, 9, 13]


def _print_row(row, header, markdown, first):
    if markdown:
        if first:
            print("| " + " | ".join(header) + " |")
            print("|" + "|".join("---:" for _ in header) + "|")
        print("| " + " | ".join(row) + " |")
    else:
        if first:
            print("  ".join(h.rjust(w) for h, w in zip(header, _WIDTHS)))
        print("  ".join(c.rjust(w) for c, w in zip(row, _WIDTHS)))


if __name__ == "__main__":
    sys.exit(main())
