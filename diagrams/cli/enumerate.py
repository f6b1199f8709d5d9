"""``diagrams enumerate``: counts and coefficients of a model's diagrams, order by order in 1/gamma.

Counts come from the count recursions and coefficients from the coefficient-only recursions: nothing
is listed unless ``--list`` (or a ``--filter``, which needs the diagrams) asks for it; a listing says
up front how many diagrams it will produce and shows progress.
"""

from __future__ import annotations

import sys

from diagrams.cli.options import add_json, add_model_options, add_order, read_order, read_values, write_json

#: Largest orders per method (the per-method maxima of ``--order``).
MAX_EXACT = 40          # planar, exact rationals, coefficient-only recursion
MAX_SYMBOLIC = 10       # planar, symbolic, coefficient-only recursion
MAX_LIST = 10           # planar diagrams listed one by one
MAX_ALL_EXACT = 12      # all genera / one chi, exact: loop-equation recursion (50 letters)
MAX_ALL_SYMBOLIC = 6    # all genera / one chi, symbolic: loop-equation recursion (26 letters)
MAX_ALL_LIST = 5        # all genera listed one by one (at most 5 million contractions)


def register(sub, model) -> None:
    p = sub.add_parser(
        "enumerate", help="count the diagrams of the expansion in 1/gamma and sum them",
        description="For each order k <= K of 1/gamma: the number of Wick contractions (all and planar, from "
                    "the count recursions) and the coefficient of gamma^-k of the observable, summed over the "
                    "planar diagrams (large-N limit, default) or all of them (exact at finite size). With every "
                    "parameter given the coefficient is an exact rational, else symbolic.")
    add_order(p, {"planar, exact": MAX_EXACT, "planar, symbolic": MAX_SYMBOLIC, "--list": MAX_LIST,
                  "all genera or chi=K, exact": MAX_ALL_EXACT, "all genera or chi=K, symbolic": MAX_ALL_SYMBOLIC,
                  "--genus all --list": f"{MAX_ALL_LIST}, at most 5 million contractions"})
    p.add_argument("--genus", metavar="G", default="planar",
                   help="planar (default: the large-N limit), all (every contraction: exact at finite size; "
                        "--json adds the split by Euler characteristic chi), or chi=K (only the diagrams of "
                        "Euler characteristic K: 2 planar, 1 one crosscap, 0 torus or Klein bottle, ...)")
    p.add_argument("--list", action="store_true",
                   help="list every diagram (its word, pairs, value) instead of only counting and summing")
    p.add_argument("--filter", metavar="SPEC", default=None,
                   help="random-features only: keep a class of planar diagrams, e.g. 'twopi', "
                        "'top-bottom-u=2,!connected', 'pattern=ux' (lists the diagrams; mirror cross words "
                        "written out; 'selected' counts the diagrams kept)")
    add_json(p)
    add_model_options(p, model)
    p.set_defaults(func=run)


def _numbers_given(args, model) -> bool:
    return any(getattr(args, prm.name, None) is not None for prm in model.parameters if prm.default is None) or \
        any(getattr(args, k) is not None for k in vars(args) if k.endswith("__alpha"))


def _row_value(coef, exact: bool) -> dict:
    from fractions import Fraction

    from diagrams.engine.numbers import fraction_decimal, fraction_text
    from diagrams.engine.symbols import dump_expression

    if exact:
        c = Fraction(coef)
        return {"coefficient": fraction_text(c), "decimal": fraction_decimal(c)}
    return {"coefficient": str(coef), "srepr": dump_expression(coef)}


def run(args, model) -> int:
    from diagrams.analysis import expansion as ex
    from diagrams.engine.progress import Progress

    exact = _numbers_given(args, model)
    values = read_values(args, model, require=[p.name for p in model.parameters]) if exact else None
    listing = args.list or args.filter is not None
    chi = _read_genus(args.genus)
    if chi is not None and listing:
        raise ValueError("--genus: chi=K sums the diagrams of one Euler characteristic without listing them; "
                         "drop --list/--filter or use --genus all")
    if args.genus == "all" and listing:
        maximum, method = MAX_ALL_LIST, "--genus all --list"
    elif args.genus != "planar":
        maximum, method = (MAX_ALL_EXACT, "all genera, exact") if exact else (MAX_ALL_SYMBOLIC, "all genera, symbolic")
    elif listing:
        maximum, method = MAX_LIST, "--list"
    else:
        maximum, method = (MAX_EXACT, "planar, exact") if exact else (MAX_SYMBOLIC, "planar, symbolic")
    order = read_order(args.order, maximum, method=method)
    where = None
    if args.filter is not None:
        if "resum" not in model.analyses:
            raise ValueError(f"--filter: the diagram classes exist for the random-features model only, not {model.name}")
        if args.genus != "planar":
            raise ValueError("--filter: the diagram classes are defined for planar diagrams; use --genus planar")
        from diagrams.models.random_features.classify import make_filter

        where = make_filter(args.filter)
    if args.genus == "all" and listing:
        n_all = sum(ex.count_all(model, k) for k in range(order + 1))
        if n_all > ex.MAX_ALL_GENUS_LISTING:
            raise ValueError(f"--order: --genus all lists every contraction, at most {ex.MAX_ALL_GENUS_LISTING}; "
                             f"orders 0..{order} of {model.name} have {n_all}")
    rows = []
    if listing:
        total = sum(ex.count_planar_diagrams(model, k) if args.genus == "planar" else ex.count_all(model, k)
                    for k in range(order + 1))
        if not args.json:
            sys.stderr.write(f"listing {total} diagrams (orders 0..{order})\n")
        with Progress(total=total, desc="enumerating", unit="diagram") as bar:
            for k in range(order + 1):
                items = []
                s = _listed(model, k, args.genus, where, bar, items if args.list else None)
                coef = ex.evaluate(s["coefficient"], model, values) if exact else s["coefficient"]
                row = {"order": k, "contractions": s["contractions"], "planar": s["planar"]}
                row.update(_row_value(coef, exact))
                if where is not None:
                    row["selected"] = s["selected"]
                if args.list:
                    row["diagrams"] = items
                rows.append(row)
    else:
        with Progress(total=order + 1, desc="orders", unit="order") as bar:
            for k in range(order + 1):
                row = {"order": k, "contractions": ex.count_all(model, k),
                       "planar": ex.count_planar_diagrams(model, k)}
                if args.genus == "planar":
                    row.update(_row_value(ex.coefficient(model, k, values=values), exact))
                else:
                    parts = ex.coefficients_by_chi(model, k, values=values, min_chi=chi)
                    if chi is not None:
                        row.update(_row_value(parts.get(chi, 0), exact))
                    else:
                        total = sum(parts.values(), 0)
                        row.update(_row_value(total, exact))
                        row["by_chi"] = {str(c): _row_value(v, exact)["coefficient"] for c, v in sorted(parts.items(),
                                                                                                     reverse=True)}
                rows.append(row)
                bar(1)
    if args.json:
        write_json({"model": model.name, "genus": args.genus, "orders": rows})
        return 0
    what = {"planar": "planar diagrams (large-N limit)", "all": "all contractions (exact at finite size)"}.get(
        args.genus, f"the diagrams of Euler characteristic {chi}")
    out = [f"{model.name}: coefficients of gamma^-k of the observable, summing {what}"]
    if where is not None:
        out.append(f"only diagrams passing the filter {args.filter!r} (mirror cross words written out)")
    head = "selected" if where is not None else "planar"
    out.append(f"{'k':>3}  {'contractions':>14}  {head:>10}  coefficient")
    for r in rows:
        dec = f"  (= {r['decimal']})" if "decimal" in r else ""
        out.append(f"{r['order']:>3}  {r['contractions']:>14}  {r.get('selected', r['planar']):>10}  "
                   f"{r['coefficient']}{dec}")
        for d in r.get("diagrams", []):
            out.append(f"       {d['word']}  {d['pairs']}  {d['value']}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _read_genus(text):
    """``planar`` / ``all`` -> None; ``chi=K`` -> K (an integer <= 2)."""
    from diagrams.engine.numbers import read_integer

    if text in ("planar", "all"):
        return None
    if isinstance(text, str) and text.startswith("chi="):
        return read_integer(text[4:], "--genus (chi=K)", minimum=-158, maximum=2)
    raise ValueError(f"--genus: must be planar, all or chi=K (K an integer <= 2), got {text!r}")


def _listed(model, k, genus, where, bar, items):
    from diagrams.analysis import expansion as ex

    if items is None:
        if where is None:
            return ex.cached_order_summary(model, k, genus, progress=bar)
        return ex.order_summary(model, k, genus, where=where, progress=bar)

    def keep(term, c):
        ok = where is None or where(term, c)
        if ok:
            items.append({"word": str(term.word), "coefficient": str(term.coefficient * term.prefactor),
                          "pairs": str(c), "value": str(c.value)})
        return ok

    return ex.order_summary(model, k, genus, where=keep, progress=bar, merge=False if where is not None else "cross")
