"""``diagrams latex``: LaTeX of a model's expressions, and standalone documents of its diagrams.

    diagrams latex [--model NAME|file.py:NAME] --list
    diagrams latex [--model ...] --expr NAME [--display] [--label LABEL] [--genus planar|all]
    diagrams latex [--model ...] --order K [--genus planar|all] [--classes] [-o FILE.tex [--pdf] [--engine E]]

Every model has the expressions ``order-K`` and ``order-K-all``; a model that names formulas
(``Model.latex_expressions``) has those too.  ``--json`` prints ``{"files": [...]}`` (the files
written) for a document, ``{"name", "latex"}`` for an expression and ``{"expressions": [...]}`` for
``--list``.
"""

from __future__ import annotations

import argparse
import sys

from diagrams.cli.options import add_json, write_json


class _Help(argparse.HelpFormatter):
    """Fills the model's document limits into ``--help`` only when help is shown (counting the
    diagrams takes a moment, which other commands should not pay)."""

    model = None

    def _get_help_string(self, action):
        text = super()._get_help_string(action)
        if "{expr limits}" in text:
            from diagrams.output.expressions import MAX_ALL_CONTRACTIONS, MAX_PLANAR_ORDER, expression_order_limit

            text = text.replace("{expr limits}", f"order-K: K <= {MAX_PLANAR_ORDER}; order-K-all: at most "
                                                 f"{MAX_ALL_CONTRACTIONS} contractions, for {self.model.name} "
                                                 f"K <= {expression_order_limit(self.model, 'all')}").replace("%", "%%")
        if "{document limits}" in text:
            from diagrams.output.document import MAX_DIAGRAMS, document_order_limit

            limits = "; ".join(f"{g}: K <= {document_order_limit(self.model, g)}" for g in ("planar", "all"))
            text = text.replace("{document limits}", f"at most {MAX_DIAGRAMS} diagrams in all; for {self.model.name} "
                                                     f"{limits}").replace("%", "%%")
        return text


def register(sub, model) -> None:
    formatter = type("_ModelHelp", (_Help,), {"model": model})
    p = sub.add_parser(
        "latex", formatter_class=formatter,
        help="LaTeX of a model's expressions; documents of its diagrams (TikZ-Feynman), compiled to PDF",
        description="Print the LaTeX of one expression (--expr), list the expressions (--list), or write a "
                    "standalone LaTeX document with the diagrams of orders 0..K of the model's observable, their "
                    "values, the order sums and the model's formulas (--order), optionally compiled to PDF. "
                    "Works for every model, including --model path/to/file.py:NAME.")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--list", action="store_true", help="name the expressions --expr knows for this model")
    what.add_argument("--expr", metavar="NAME",
                      help="print the LaTeX of one expression (see --list); order-K (planar) and order-K-all (all "
                           "genera) exist for every model ({expr limits})")
    what.add_argument("--order", metavar="K", help="write a document with the diagrams of orders 0..K "
                                                   "({document limits})")
    p.add_argument("--genus", choices=("planar", "all"), default="planar",
                   help="planar diagrams only (default) or all genera (for --order, and order-K with --expr)")
    p.add_argument("--classes", action="store_true",
                   help="group the planar diagrams by their resummation class (random-features only) instead of "
                        "by word")
    p.add_argument("--no-closed-form", dest="closed_form", action="store_false",
                   help="leave the section of the model's formulas out of the document")
    p.add_argument("-o", "--output", metavar="FILE.tex", help="write the document there (default: stdout)")
    p.add_argument("--pdf", action="store_true", help="compile the document (needs -o) and print the PDF path")
    p.add_argument("--engine", choices=("pdflatex", "lualatex"), default="pdflatex",
                   help="TeX engine for --pdf (default pdflatex)")
    p.add_argument("--display", action="store_true",
                   help="with --expr: a displayed equation (equation/multline/align) instead of inline LaTeX")
    p.add_argument("--label", metavar="LABEL", help="with --expr: a numbered displayed equation with this label")
    p.add_argument("--model", metavar="NAME", default=model.name,
                   help="model: random-features (default), ridge, deep-random-features, or path/to/file.py:NAME")
    add_json(p)
    p.set_defaults(func=run)


def _plain(text: str) -> str:
    """Descriptions without TeX markup, for the terminal."""
    for a, b in (("$", ""), ("~", " "), ("\\", ""), ("{", ""), ("}", "")):
        text = text.replace(a, b)
    return text


def _list(args, model) -> int:
    from diagrams.output.expressions import ORDER_NAMES, model_expressions

    rows = [(name, _plain(desc or name)) for name, (desc, _) in model_expressions(model).items()]
    rows += list(ORDER_NAMES.items())
    if args.json:
        write_json({"model": model.name, "expressions": [{"name": n, "description": d} for n, d in rows]})
        return 0
    width = max(len(n) for n, _ in rows)
    sys.stdout.write("".join(f"{n:<{width}}  {d}\n" for n, d in rows))
    return 0


def _expr(args, model) -> int:
    import re

    from diagrams.output.expressions import get_expression
    from diagrams.output.latex import to_display, to_latex

    name = args.expr
    if args.genus == "all" and re.fullmatch(r"order-\d+", name):
        name += "-all"
    obj = get_expression(model, name)
    if args.display or args.label:
        tex = to_display(obj, label=args.label, notation=model)
    else:
        tex = to_latex(obj, notation=model)
    if args.json:
        write_json({"model": model.name, "name": name, "latex": tex})
    else:
        sys.stdout.write(tex + "\n")
    return 0


def _classifier(args, model):
    if not args.classes:
        return None
    if "resum" not in model.analyses:
        raise ValueError(f"--classes: the resummation classes exist for the random-features model only, not {model.name}")
    from diagrams.models.random_features.formulas import diagram_class

    return diagram_class


def _document(args, model) -> int:
    from diagrams.output.document import (build_document, check_document_order, check_output_path, compile_pdf,
                                          write_text_atomic)

    classes = _classifier(args, model)
    order = check_document_order(model, args.order, args.genus, merge=False if classes else "cross", name="--order")
    if args.pdf and not args.output:
        raise ValueError("--pdf: give the document a file name with -o FILE.tex")
    path = check_output_path(args.output, pdf=args.pdf) if args.output else None
    tex = build_document(model, order, args.genus, classes=classes, closed_form=args.closed_form)
    if path is None:
        if args.json:
            write_json({"model": model.name, "files": [], "tex": tex})
        else:
            sys.stdout.write(tex)
        return 0
    write_text_atomic(path, tex)
    files = [str(path)]
    status = 0
    if args.pdf:
        try:
            pdf = compile_pdf(path, engine=args.engine)
            files.append(str(pdf))
        except RuntimeError as exc:
            first = str(exc).splitlines()[0]
            sys.stderr.write(f"diagrams latex: error: {first} (see {path.with_suffix('.log')})\n")
            status = 1
        if path.with_suffix(".log").is_file():
            files.append(str(path.with_suffix(".log")))
    if args.json:
        write_json({"model": model.name, "files": files})
    else:
        sys.stdout.write(f"{files[1] if args.pdf and status == 0 else files[0]}\n")
    return status


def run(args, model) -> int:
    if args.list:
        return _list(args, model)
    if args.expr is not None:
        return _expr(args, model)
    return _document(args, model)
