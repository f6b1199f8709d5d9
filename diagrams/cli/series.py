"""``diagrams series``: exact planar coefficients of gamma^-k from the Dyson equation in power series.

Examples::

    diagrams series --order 100 --N 3 --T 5 --spectrum 1,1/4,1/9,1/16      # exact rationals
    diagrams series --model deep-random-features --order 3                   # symbolic
    diagrams series --model ridge --order 10 --T 5 --spectrum 1,1/2 --json
"""

from __future__ import annotations

import sys

from diagrams.cli.options import add_json, add_model_options, add_order, read_order, read_values, write_json

__all__ = ["register", "run"]


def register(sub, model) -> None:
    from diagrams.analysis.dyson_series import ENGINES, MAX_SERIES_ORDER, MAX_SYMBOLIC_SERIES_ORDER

    p = sub.add_parser(
        "series", help="planar coefficients of gamma^-k from the Dyson equation (no diagram listed)",
        description="The coefficients of gamma^-k, k <= K, of the model's planar observable, from its linearization "
                    "and the planar Dyson equation solved in power series of 1/gamma (Newton's method doubling the "
                    "orders). With every parameter given they are exact rationals, else symbolic.")
    add_order(p, {"exact": MAX_SERIES_ORDER, "symbolic": MAX_SYMBOLIC_SERIES_ORDER})
    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help="auto (python-flint when installed), flint, or series (pure Python; slow at high order)")
    add_json(p)
    add_model_options(p, model)
    p.set_defaults(func=run)


def _numbers_given(args, model) -> bool:
    return any(getattr(args, prm.name, None) is not None for prm in model.parameters if prm.default is None) or \
        any(getattr(args, k) is not None for k in vars(args) if k.endswith("__alpha"))


def run(args, model) -> int:
    from fractions import Fraction

    from diagrams.analysis.dyson_series import (MAX_SERIES_ORDER, MAX_SYMBOLIC_SERIES_ORDER, series_exact,
                                                series_symbolic)
    from diagrams.engine.numbers import fraction_text
    from diagrams.engine.symbols import dump_expression

    exact = _numbers_given(args, model)
    if exact:
        order = read_order(args.order, MAX_SERIES_ORDER, method="exact")
        values = read_values(args, model, require=[p.name for p in model.parameters])
        coefs = series_exact(model, values, order, engine=args.engine)
        rows = [{"order": k, "coefficient": fraction_text(Fraction(c)),
                 "decimal": f"{c.numerator / c.denominator:.17g}"} for k, c in enumerate(coefs)]
    else:
        order = read_order(args.order, MAX_SYMBOLIC_SERIES_ORDER, method="symbolic")
        coefs = series_symbolic(model, order, engine=args.engine)
        rows = [{"order": k, "coefficient": str(c), "srepr": dump_expression(c)} for k, c in enumerate(coefs)]
    if args.json:
        write_json({"model": model.name, "method": "dyson", "orders": rows})
        return 0
    out = [f"{model.name}: coefficients of gamma^-k of the planar observable (Dyson equation in power series)",
           f"{'k':>3}  coefficient"]
    for r in rows:
        dec = f"  (= {float(r['decimal']):.10g})" if "decimal" in r else ""
        out.append(f"{r['order']:>3}  {r['coefficient']}{dec}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0
