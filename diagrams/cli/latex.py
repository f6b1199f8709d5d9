"""``diagrams latex``: LaTeX of the expressions, and standalone documents of the diagrams.

    diagrams latex --list
    diagrams latex --expr NAME [--display] [--label LABEL] [--genus planar|all]
    diagrams latex --order K [--genus planar|all] [--classes] [-o FILE.tex [--pdf] [--engine E]]
"""

from __future__ import annotations

import sys

from diagrams.cli.options import add_json, write_json
from diagrams.engine.numbers import read_integer


def register(sub, model) -> None:
    p = sub.add_parser(
        "latex",
        help="LaTeX of the expressions; documents of the diagrams (TikZ-Feynman), compiled to PDF",
        description="Print the LaTeX of one expression (--expr), list the expressions (--list), or write a "
                    "standalone LaTeX document with the diagrams of orders 0..K, their values, the order sums "
                    "and the closed form (--order), optionally compiled to PDF.")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--list", action="store_true", help="name the expressions --expr knows")
    what.add_argument("--expr", metavar="NAME", help="print the LaTeX of one expression (see --list)")
    what.add_argument("--order", metavar="K", help="write a document with the diagrams of orders 0..K")
    p.add_argument("--genus", choices=("planar", "all"), default="planar",
                   help="planar diagrams only (default) or all genera (for --order, and order-K with --expr)")
    p.add_argument("--classes", action="store_true",
                   help="group the diagrams by their class (diagrams.models.random_features.classify) instead of by word")
    p.add_argument("--no-closed-form", dest="closed_form", action="store_false",
                   help="leave the closed-form section out of the document")
    p.add_argument("-o", "--output", metavar="FILE.tex", help="write the document there (default: stdout)")
    p.add_argument("--pdf", action="store_true", help="compile the document (needs -o) and print the PDF path")
    p.add_argument("--engine", choices=("pdflatex", "lualatex"), default="pdflatex",
                   help="TeX engine for --pdf (default pdflatex)")
    p.add_argument("--display", action="store_true",
                   help="with --expr: a displayed equation (equation/multline/align) instead of inline LaTeX")
    p.add_argument("--label", metavar="LABEL", help="with --expr --display: a numbered equation with this label")
    p.add_argument("--model", metavar="NAME", default=model.name, help="the model (random-features only for now)")
    add_json(p)
    p.set_defaults(func=run)


def _list() -> int:
    from diagrams.output.latex import DESCRIPTIONS, expression_names

    names = expression_names()
    width = max(len(n) for n in names + ["order-K-all"])
    for name in names:
        sys.stdout.write(f"{name:<{width}}  {_plain(DESCRIPTIONS.get(name, name))}\n")
    sys.stdout.write(f"{'order-K':<{width}}  coefficient of gamma^-K of <L> from the planar diagrams (K = 0, 1, ...)\n")
    sys.stdout.write(f"{'order-K-all':<{width}}  the same from all contractions (exact at finite size)\n")
    return 0


def _plain(text: str) -> str:
    """Descriptions without TeX markup, for the terminal."""
    for a, b in (("$", ""), ("~", " "), ("\\", ""), ("{", ""), ("}", "")):
        text = text.replace(a, b)
    return text


def _expr(args) -> int:
    import re

    from diagrams.output.latex import get_expression, to_display, to_latex

    name = args.expr
    if args.genus == "all" and re.fullmatch(r"order-\d+", name):
        name += "-all"
    obj = get_expression(name)
    if args.display or args.label:
        sys.stdout.write(to_display(obj, label=args.label) + "\n")
    else:
        sys.stdout.write(to_latex(obj) + "\n")
    return 0


def _document(args) -> int:
    from pathlib import Path

    from diagrams.output.document import build_document, compile_pdf

    from diagrams.output.document import MAX_ORDER

    value = read_integer(args.order, "--order", minimum=0, maximum=MAX_ORDER[args.genus])
    if args.pdf and not args.output:
        raise ValueError("--pdf: give the document a file name with -o FILE.tex")
    if args.output and not args.output.endswith(".tex"):
        raise ValueError(f"-o: the document needs a .tex file name, got {args.output!r}")
    if args.output and not Path(args.output).resolve().parent.is_dir():
        raise ValueError(f"-o: directory {Path(args.output).parent} does not exist")
    tex = build_document(int(value), args.genus, classes=args.classes, closed_form=args.closed_form)
    if not args.output:
        sys.stdout.write(tex)
        return 0
    path = Path(args.output)
    path.write_text(tex, encoding="utf-8")
    if not args.pdf:
        sys.stdout.write(f"{path}\n")
        return 0
    try:
        pdf = compile_pdf(path, engine=args.engine)
    except RuntimeError as exc:
        sys.stderr.write(f"diagrams latex: error: {exc}\n")
        return 1
    sys.stdout.write(f"{pdf}\n")
    return 0


def run(args, model) -> int:
    if "resum" not in model.analyses:
        raise ValueError(f"--model: the LaTeX export covers the random-features model only, not {model.name}")
    if args.list:
        return _list()
    if args.expr is not None:
        return _expr(args)
    return _document(args)
