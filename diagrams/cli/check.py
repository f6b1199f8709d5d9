"""``diagrams check``: a model's planar diagram sums against its independent routes, order by order."""

from __future__ import annotations

import sys

from diagrams.cli.options import add_json, add_model_options, add_order, read_order, read_values, write_json


def register(sub, model) -> None:
    from diagrams.analysis.check import MAX_CHECK_ORDER, MAX_SYMBOLIC_ORDER

    p = sub.add_parser(
        "check", help="check the planar diagram sums against independent routes (closed forms) order by order",
        description="For each order k <= K compare the planar diagram sum (exact rationals, coefficient-only "
                    "recursion) with the Taylor coefficient of every independent route of the model (a "
                    "hand-derived closed form such as Eq. 104), the diagrams listed one by one with the route's "
                    "symbolic coefficients up to --symbolic-max, and the series truncated at K with the route's "
                    "value at large gamma (error ~ gamma^-(K+1)). Exit status 1 on any mismatch.")
    add_order(p, {"exact": MAX_CHECK_ORDER})
    p.add_argument("--symbolic-max", dest="symbolic_max", default="5", metavar="S",
                   help=f"highest order compared symbolically (integer in [0, {MAX_SYMBOLIC_ORDER}], default 5, "
                        "at most K)")
    add_json(p)
    add_model_options(p, model)
    p.set_defaults(func=run)


def run(args, model) -> int:
    from diagrams.analysis.check import MAX_CHECK_ORDER, MAX_SYMBOLIC_ORDER, check_orders
    from diagrams.engine.progress import Progress

    order = read_order(args.order, MAX_CHECK_ORDER)
    smax = read_order(args.symbolic_max, MAX_SYMBOLIC_ORDER, flag="--symbolic-max")
    read_values(args, model, double=True)       # the truncation test evaluates in floating point too
    explicit = any(getattr(args, prm.name, None) is not None for prm in model.parameters)
    values = None if not explicit else {**model.check_values, **_raw(args, model)}
    with Progress(desc="checking", unit="step") as bar:
        report = check_orders(model, order, values, symbolic_max=min(smax, order), progress=bar.message)
    if args.json:
        write_json(report.as_dict())
        return 0 if report.ok else 1
    p = report.parameters
    out = [f"{model.name}: planar diagram sums against independent routes, orders 0..{order}",
           "numbers: " + " ".join(f"{k}={_show(v)}" for k, v in p.items())]
    for s in report.skipped:
        out.append(f"route not applicable: {s['route']} ({s['reason']})")
    routes = sorted({e["route"] for r in report.orders for e in r["exact"]})
    if not routes:
        out.append("no exact route applies at these numbers: only the diagrams are compared among themselves")
    out.append(f"{'k':>3}  {'symbolic':>9}  {'exact':>6}  diagram sum")
    for r in report.orders:
        sym = r.get("symbolic")
        sym_t = "-" if sym is None else ("ok" if all(e["match"] for e in sym) else "MISMATCH")
        ex_t = "-" if not r["exact"] else ("ok" if all(e["match"] for e in r["exact"]) else "MISMATCH")
        line = f"{r['order']:>3}  {sym_t:>9}  {ex_t:>6}  {r['diagram_sum']}"
        for e in r["exact"]:
            if not e["match"]:
                line += f"  != {e['value']} ({e['route']})"
        out.append(line)
    for t in report.truncation:
        out.append(f"\nSeries truncated at K={order} against {t['route']} (mpmath, {t['dps']} digits):")
        out.append(f"{'gamma':>14}  {'value':>22}  {'|error|':>12}")
        for row in t["rows"]:
            out.append(f"{row['gamma']:>14.6g}  {row['value']:>22.15g}  {row['error']:>12.3e}")
        out.append(f"log-log slope of the error: {t['slope']:.3f} (expected {t['expected']})")
    out.append("ALL CHECKS PASSED" if report.ok else "CHECK FAILED")
    sys.stdout.write("\n".join(out) + "\n")
    return 0 if report.ok else 1


def _raw(args, model) -> dict:
    vals = read_values(args, model)
    return {k: v for k, v in vals.items()
            if getattr(args, k, None) is not None or any(k == p.name and getattr(args, f"{k}__alpha", None)
                                                         for p in model.parameters)}


def _show(v):
    from fractions import Fraction

    from diagrams.engine.numbers import fraction_text

    if isinstance(v, Fraction):
        return fraction_text(v)
    if isinstance(v, list):
        return "[" + ",".join(_show(x) for x in v) + "]"
    return str(v)
