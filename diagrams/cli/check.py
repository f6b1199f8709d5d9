"""``diagrams check``: planar diagram sums against the closed form, order by order."""

from __future__ import annotations

import json
import sys

from diagrams.cli.common import add_model_number_options, progress_enabled
from diagrams.cli.enumerate import number_params, parse_order


def register(sub) -> None:
    p = sub.add_parser(
        "check",
        help="check the planar expansion against the closed form (Eq. 104) order by order",
        description="For each order k <= K compare the planar diagram sum with the gamma^-k Taylor "
                    "coefficient of Eq. (104): symbolically (after Sigma = s 1, Lambdahat = Lambda, up to "
                    "--symbolic-max) and as exact rationals at numbers; then the series truncated at K "
                    "against the closed form at large gamma (error ~ gamma^-(K+1)). Exit status 1 on any mismatch.")
    p.add_argument("--order", required=True, metavar="K", help="highest order K >= 0")
    p.add_argument("--symbolic-max", dest="symbolic_max", default="5", metavar="S",
                   help="highest order compared symbolically (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_model_number_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from diagrams.models.random_features.check import DEFAULT_PARAMETERS, check_orders

    order = parse_order(args.order)
    smax = parse_order(args.symbolic_max) if args.symbolic_max is not None else 5
    if order > 40:
        raise ValueError(f"--order: must be <= 40 for the exact check, got {order}")
    P = number_params(args)
    params = DEFAULT_PARAMETERS if P is None else {k: P[k] for k in ("N", "T", "That", "spectrum", "sigma_u2",
                                                                       "sigma_w2", "C")}
    show = progress_enabled(args.json)
    say = (lambda msg: sys.stderr.write(f"\rchecking {msg}...")) if show else None
    report = check_orders(order, params, symbolic_max=min(smax, order), progress=say)
    if show:
        sys.stderr.write("\r" + " " * 30 + "\r")
    if args.json:
        print(json.dumps(report.as_dict()))
        return 0 if report.ok else 1
    p = report.parameters
    print("Planar diagram sums vs Taylor coefficients of the closed form, Eq. (104)")
    print(f"numbers: N={p['N']} T={p['T']} That={p['That']} spectrum=[{', '.join(str(v) for v in p['spectrum'])}] "
          f"sigma_u2={p['sigma_u2']} sigma_w2={p['sigma_w2']} C={p['C']}")
    print(f"{'k':>3}  {'symbolic':>9}  {'exact':>6}  diagram sum = closed-form coefficient")
    for r in report.orders:
        sym = {True: "ok", False: "MISMATCH"}.get(r.get("symbolic_match"), "-")
        ex = "ok" if r["exact_match"] else "MISMATCH"
        rel = "=" if r["exact_match"] else "!="
        print(f"{r['order']:>3}  {sym:>9}  {ex:>6}  {r['diagram_sum']} {rel} {r['closed_form']}")
    print(f"\nSeries truncated at K={order} against the closed form (mpmath, {report.truncation_dps} digits):")
    print(f"{'gamma':>14}  {'closed form':>22}  {'|error|':>12}")
    for t in report.truncation:
        print(f"{t['gamma']:>14.6g}  {t['closed_form']:>22.15g}  {t['error']:>12.3e}")
    print(f"log-log slope of the error: {report.slope:.3f} (expected {-(order + 1)})")
    print("ALL CHECKS PASSED" if report.ok else "CHECK FAILED")
    return 0 if report.ok else 1
