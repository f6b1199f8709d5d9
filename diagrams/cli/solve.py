"""``diagrams solve``: a model's linearization (pencil) or its planar self-consistent equations.

Examples::

    diagrams solve --pencil                       # the random-feature test loss: 4-block pencil
    diagrams solve --model ridge --equations --latex
    diagrams solve --model path/to/my_model.py:MODEL --equations --json
"""

from __future__ import annotations

import sys

from diagrams.cli.options import add_json, write_json

__all__ = ["register", "run"]


def register(sub, model) -> None:
    p = sub.add_parser(
        "solve", help="the linearization (pencil) or the planar Dyson equations of a model",
        description="Linearize the model's observable (a block of the inverse of a pencil linear in its Gaussian "
                    "matrices; a quadratic term through the block-triangular doubling) and write the planar Dyson "
                    "equation reduced to its scalar trace unknowns, in the model's notation.")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--pencil", action="store_true", help="show the pencil of each observable term")
    which.add_argument("--equations", action="store_true", help="show the self-consistent equations")
    p.add_argument("--latex", action="store_true", help="LaTeX instead of text")
    p.add_argument("--setting", choices=("symbolic", "numeric"), default="symbolic",
                   help="symbolic: every covariance a matrix (default); numeric: scalar covariances replaced "
                        "by their values (e.g. Sigma = sigma_u2/M)")
    p.add_argument("--model", metavar="NAME", default=model.name,
                   help="model: random-features (default), ridge, deep-random-features, or path/to/file.py:NAME")
    add_json(p)
    p.set_defaults(func=run)


def run(args, model) -> int:
    if args.pencil:
        return _pencil(args, model)
    return _equations(args, model)


def _pencil(args, model) -> int:
    from diagrams.analysis.dyson_equations import pencil_report

    report = pencil_report(model)
    if args.json:
        write_json({"model": model.name, "terms": report})
        return 0
    out = []
    for r in report:
        out.append(f"{model.name}: {r['label']} ({r['kind']}, coefficient {r['coefficient']})")
        if r["averaged"]:
            out.append(f"averaged exactly over {', '.join(r['averaged'])}: trace factor {r['trace_factor']}, "
                       f"tr(Wr B^T Wl B) with Wl = {r['left_weight']}, Wr = {r['right_weight']}")
        out.append(r["latex"] if args.latex else r["table"])
        if r["kind"] == "quadratic":
            out.append("doubled pencil [[L^T, -u^T Wl u], [0, L]]:")
            out.append(r["doubled_latex"] if args.latex else r["doubled_table"])
        out.append("")
    sys.stdout.write("\n".join(out))
    return 0


def _equations(args, model) -> int:
    import sympy

    from diagrams.analysis.dyson_equations import equations_latex, model_equations
    from diagrams.engine.symbols import dump_expression

    eqs = model_equations(model, args.setting)
    if args.json:
        terms = []
        for te in eqs:
            terms.append({
                "label": te.label,
                "unknowns": [{"symbol": str(s), "definition": text, "latex": tex} for s, text, tex in te.definitions],
                "equations": [{"lhs": str(e.lhs), "rhs": str(e.rhs), "latex": sympy.latex(e.rhs)} for e in te.equations],
                "ladder": [{"lhs": str(e.lhs), "rhs": str(e.rhs), "latex": sympy.latex(e.rhs)} for e in te.ladder],
                "observable": {"prefactor": str(te.prefactor), "expression": str(te.observable),
                               "srepr": dump_expression(te.prefactor) if not te.prefactor.has(sympy.Function) else None},
            })
        write_json({"model": model.name, "setting": args.setting, "terms": terms})
        return 0
    if args.latex:
        sys.stdout.write(equations_latex(model, eqs) + "\n")
        return 0
    out = []
    for te in eqs:
        out.append(f"{model.name}: {te.label}")
        out.append("unknowns:")
        out.extend(f"  {s} = {text}" for s, text, _ in te.definitions)
        out.append("Dyson equations:")
        out.extend(f"  {e.lhs} = {e.rhs}" for e in te.equations)
        if te.ladder:
            out.append("ladder equations (linear):")
            out.extend(f"  {e.lhs} = {e.rhs}" for e in te.ladder)
        out.append(f"observable = {te.prefactor} * ({te.observable})")
        out.append("")
    sys.stdout.write("\n".join(out))
    return 0
