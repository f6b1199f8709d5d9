"""``diagrams enumerate``: diagrams of the random-feature test loss, order by order."""

from __future__ import annotations

import json
import sys

import sympy

from diagrams.cli.common import add_model_number_options, parse_number, parse_spectrum, progress_enabled


def register(sub) -> None:
    p = sub.add_parser(
        "enumerate",
        help="enumerate the Wick contractions of the test-loss expansion",
        description="Enumerate the Wick contractions of <L̂> order by order in 1/gamma and sum them: "
                    "planar only (large-N limit, default) or all genera (exact finite-size value).")
    p.add_argument("--order", required=True, metavar="K", help="highest order K >= 0 in 1/gamma")
    p.add_argument("--genus", choices=("planar", "all"), default="planar",
                   help="sum planar diagrams only (default) or every contraction")
    p.add_argument("--filter", metavar="SPEC", default=None,
                   help="keep only diagrams of a class, e.g. 'twopi', 'top-bottom-u=2,!connected', 'pattern=ux' "
                        "(see diagrams.models.random_features.classify.make_filter); the mirror cross words are then written "
                        "out separately and 'selected' counts the diagrams kept")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_model_number_options(p)
    p.set_defaults(func=run)


def number_params(args) -> dict | None:
    """Exact numeric parameters from the number options, or None when none is given."""
    from diagrams.models.random_features.expansion import numeric_parameters

    given = [args.N, args.T, args.That, args.spectrum]
    if all(v is None for v in given):
        return None
    missing = [opt for opt, v in (("--N", args.N), ("--T", args.T), ("--spectrum", args.spectrum)) if v is None]
    if missing:
        raise ValueError(f"{', '.join(missing)}: needed to substitute numbers (give --N, --T and --spectrum)")
    def size(v, opt):
        f = parse_number(v, opt)
        if f < 1 or f.denominator != 1:
            raise ValueError(f"{opt}: must be an integer >= 1, got {v}")
        return f
    return numeric_parameters(
        size(args.N, "--N"), size(args.T, "--T"), size(args.That, "--That") if args.That is not None else 1,
        parse_spectrum(args.spectrum),
        parse_number(args.sigma_u2, "--sigma-u2", positive=True),
        parse_number(args.sigma_w2, "--sigma-w2", positive=True),
        parse_number(args.C, "--C", positive=True))


def parse_order(text) -> int:
    value = parse_number(text, "--order", integer=True)
    if value < 0:
        raise ValueError(f"--order: must be an integer >= 0, got {text}")
    return int(value)


def run(args) -> int:
    from diagrams.models.random_features.expansion import MAX_ALL_GENUS_ORDER, count_all, substitute_numbers
    from diagrams.models.random_features import expansion

    order = parse_order(args.order)
    if args.genus == "all" and order > MAX_ALL_GENUS_ORDER:
        raise ValueError(f"--order: with --genus all the order must be <= {MAX_ALL_GENUS_ORDER} "
                         f"({count_all(order)} contractions at order {order}); use --genus planar")
    params = number_params(args)
    where = None
    if args.filter is not None:
        from diagrams.models.random_features.classify import make_filter

        if args.genus != "planar":
            raise ValueError("--filter: the diagram classes are defined for planar diagrams; use --genus planar")
        where = make_filter(args.filter)
    bar = None
    if progress_enabled(args.json):
        from tqdm import tqdm
        total = sum(count_all(k) for k in range(order + 1)) if args.genus == "all" else None
        bar = tqdm(total=total, unit="diagram", file=sys.stderr, desc="enumerating")
    rows = []
    try:
        for k in range(order + 1):
            if where is None:
                s = expansion.cached_order_summary(k, args.genus, progress=bar.update if bar else None)
            else:
                s = expansion.order_summary(k, args.genus, progress=bar.update if bar else None, where=where)
            coef = s["coefficient"]
            if params is not None:
                coef = sympy.nsimplify(substitute_numbers(coef, params))
                if not coef.is_Rational:
                    raise ValueError("numbers: could not reduce the coefficient to a rational")
                text = f"{coef.p}/{coef.q}"
            else:
                text = str(coef)
            row = {"order": k, "contractions": s["contractions"], "planar": s["planar"], "coefficient": text}
            if where is not None:
                row["selected"] = s["selected"]
            rows.append(row)
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print(json.dumps({"genus": args.genus, "orders": rows}))
        return 0
    what = "planar diagrams (large-N limit)" if args.genus == "planar" else "all contractions (exact at finite size)"
    print(f"Coefficients of gamma^-k in <L̂>, summing {what}")
    if where is not None:
        print(f"only diagrams passing the filter {args.filter!r} (mirror cross words written out)")
    head = "selected" if where is not None else "planar"
    print(f"{'k':>3}  {'contractions':>14}  {head:>10}  coefficient")
    for r in rows:
        print(f"{r['order']:>3}  {r['contractions']:>14}  {r.get('selected', r['planar']):>10}  {r['coefficient']}")
    return 0
