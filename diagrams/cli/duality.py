"""``diagrams duality``: the feature <-> sample duality on the planar diagrams, order by order.

Examples::

    diagrams duality --order 4
    diagrams duality --order 6 --json
    diagrams duality --order 4 --noise        # label noise: the diagrams without a partner

For each order ``0..K`` the report gives the number of planar diagrams (both mirror sets of the
cross term), how many are self-dual, the dual pairs, the diagrams left unmatched (must be 0), and
whether the order's sum is ``N <-> T`` symmetric; then the resummation classes (spines, blocks
``r_c <-> v``, ``r_d'``, top-bottom sums against ``l sum_g C(n,g) C(m,g) A^(n-g) B^(m-g) G^g``, the
counting identity of Eq. 167).  Exit status 1 if any check fails (see ``docs/duality.md``).
"""

from __future__ import annotations

import json
import sys

from diagrams.engine.numbers import read_integer

__all__ = ["register", "run"]

_KEYS = ("order", "planar", "self_dual", "pairs", "unmatched", "sum_self_dual")


def register(subparsers, model) -> None:
    p = subparsers.add_parser(
        "duality",
        help="feature <-> sample duality of the planar diagrams, order by order",
        description="Check the duality map of docs/duality.md on every planar diagram of orders 0..K "
                    "(involution, value(dual D) = value(D) with N <-> T once Sigma = s 1 and "
                    "Lambdahat = Lambda) and on the classes of the resummation.")
    p.add_argument("--order", required=True, metavar="K", help="highest order K in 1/gamma (integer in [0, 7])")
    p.add_argument("--json", action="store_true", help="print one JSON object {\"orders\": [...]}")
    p.add_argument("--noise", action="store_true",
                   help="add the label-noise diagrams (App. A), which have no partner")
    p.add_argument("--no-classes", dest="classes", action="store_false",
                   help="skip the resummation-class checks (faster)")
    p.add_argument("--max-names", dest="max_names", metavar="n", default="10",
                   help="list at most n diagram names per category (default 10)")
    p.add_argument("--model", metavar="NAME", default=model.name, help="the model (random-features only)")
    p.set_defaults(func=run)


def _order(text) -> int:
    # 77520 diagrams at order 7 (about half a minute), ~5e5 at order 8
    from diagrams.cli.options import read_order

    return read_order(text, 7)


def run(args, model) -> int:
    if "duality" not in model.analyses:
        raise ValueError(f"--model: the duality map exists only for the random-features model, not {model.name}")
    from diagrams.models.random_features.duality import duality_report

    K = _order(args.order)
    n_names = read_integer(args.max_names, "--max-names", minimum=0, maximum=10 ** 6)
    rows = []
    ok = True
    for k in range(K + 1):
        rep = duality_report(k, classes=args.classes, max_names=int(n_names))
        ok = ok and rep["ok"]
        if args.noise:
            from diagrams.models.random_features.noise import noise_duality_report
            nrep = noise_duality_report(k, max_names=int(n_names))
            # the noise term must break the duality: no structural partner, asymmetric sum
            nrep["breaks_duality"] = nrep["structural_partners"] == 0 and (k < 2 or not nrep["sum_self_dual"])
            ok = ok and nrep["breaks_duality"]
            rep["noise"] = nrep
        rows.append(rep)
    if args.json:
        sys.stdout.write(json.dumps({"orders": rows, "ok": ok}, indent=1, default=str) + "\n")
        return 0 if ok else 1
    out = ["Feature <-> sample duality of the planar diagrams (docs/duality.md)",
           "  value(dual D) = value(D)|N<->T with Sigma = s 1, Lambdahat = Lambda", ""]
    head = f"{'order':>5} {'planar':>7} {'self-dual':>9} {'pairs':>6} {'unmatched':>9} {'sum N<->T':>9}"
    if args.classes:
        head += f" {'classes':>8}"
    out.append(head)
    for r in rows:
        line = (f"{r['order']:>5} {r['planar']:>7} {r['self_dual']:>9} {r['pairs']:>6} {r['unmatched']:>9} "
                f"{'yes' if r['sum_self_dual'] else 'NO':>9}")
        if args.classes:
            line += f" {'ok' if r['classes']['ok'] else 'FAIL':>8}"
        if r["not_involutive"] or r["value_mismatch"]:
            line += f"  (not involutive: {r['not_involutive']}, value mismatch: {r['value_mismatch']})"
        out.append(line)
        for name in r["failed_diagrams"]:
            out.append(f"        failed: {name}")
    if args.classes and rows:
        last = rows[-1]["classes"]
        out.append("")
        out.append(f"Resummation classes at order {K} (spine = test loop -> Top/Bottom junction; "
                   "dual = reversed, N <-> T):")
        for s in last["spines"]:
            b = s["blocks"]
            out.append(f"  spine {s['spine']:>8} <-> {s['dual']:<8} {s['count']:>6} / {s['dual_count']:<6} "
                       f"r_c={b['r_c']} v={b['v']} r_d'={b['r_dp']} l={b['l']}  "
                       f"sum = resummed class: {'yes' if s['sum_matches_resummation'] else 'NO'}")
        tb = ", ".join(f"({t['n']},{t['m']})" + ("" if t["ok"] else "!") for t in last["top_bottom"])
        out.append(f"  top-bottom (n u-pairs, m x-pairs) sums = l sum_g C(n,g)C(m,g)A^(n-g)B^(m-g)G^g, "
                   f"dual (m,n): {tb}")
        ci = last["counting_identity"]
        out.append(f"  Eq. 167 counting identity, {len(ci)} (a,b,g) with a+b+g <= {K // 2}: "
                   + ("ok" if all(c['count'] == c['dual_count'] == c['binomial'] for c in ci) else "FAIL"))
        out.append(f"  order sum = [gamma^-{K}] l/D: {'yes' if last['order_sum_matches_l_over_D'] else 'NO'}")
    if args.noise:
        out.append("")
        out.append("Label noise (App. A): the noise propagator hangs on a train loop; its colour swap would "
                   "hang it on a feature loop, which the model has not.")
        out.append(f"{'order':>5} {'planar':>7} {'partners':>8} {'unmatched by value':>18} {'sum N<->T':>9}")
        for r in rows:
            n = r["noise"]
            out.append(f"{n['order']:>5} {n['planar']:>7} {n['structural_partners']:>8} {n['unmatched']:>18} "
                       f"{'yes' if n['sum_self_dual'] else 'NO':>9}")
            for name in n["unmatched_diagrams"]:
                out.append(f"        no partner: {name}")
    out.append("")
    out.append("all checks passed" if ok else "SOME CHECKS FAILED")
    sys.stdout.write("\n".join(out) + "\n")
    return 0 if ok else 1
