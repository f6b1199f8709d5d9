r"""Standalone LaTeX documents of any model's diagrams, order by order, and their compilation to PDF.

:func:`build_document` writes an ``article`` for a declared model
(:class:`~diagrams.models.declaration.Model`): its observable and a legend of the line styles of its
index spaces; for each order ``k = 0..K`` (from order 2 on, each from a new page) the diagrams of
the words of :func:`diagrams.analysis.expansion.diagrams` in a grid, each drawn with TikZ-Feynman
(:func:`diagrams.output.tikz.tikz_diagram`) and captioned with its weight in the model's notation
(and its Euler characteristic and orientability when it is not planar), grouped by word -- or, given
a classifier ``classes(term, contraction) -> (sort key, heading)``, by class with the sum of each
class -- then the sum of the order; last, when the model names formulas
(:attr:`~diagrams.models.declaration.Model.latex_expressions`), a section with each of them.  Only
packages of a basic TeX Live are used (``geometry``, ``amsmath``, ``graphicx``, ``tikz-feynman``);
wide pictures, captions and formulas are scaled down to their cell or line, so no box is overfull.

**Upper bound** (checked before any work): a document holds at most :data:`MAX_DIAGRAMS` diagrams
in all (orders ``0..K`` together), counted without listing them (:func:`document_order_limit` gives the
largest ``K``; e.g. random-features: planar ``K <= 4``, all genera ``K <= 3``; ridge: 5 and 4;
deep-random-features: 3 and 2).

:func:`write_document` writes the source without leaving a half-written file; :func:`compile_pdf`
runs pdflatex (or lualatex) on it; :func:`log_problems` and :func:`pdf_page_count` read the result.

>>> from diagrams.models.registry import load_model
>>> ridge = load_model("ridge")
>>> tex = build_document(ridge, 1)
>>> tex.count("\\begin{tikzpicture}") - len(ridge.spaces)
2
>>> "\\end{document}" in tex, document_order_limit(ridge, "planar"), document_order_limit(ridge, "all")
(True, 5, 4)
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

import sympy

from diagrams.analysis.expansion import (MAX_LISTING_ORDER, count_all, count_planar_diagrams, diagrams,
                                         symbolic_prefactors)
from diagrams.engine.numbers import check_order
from diagrams.models.declaration import Model
from diagrams.output.expressions import common_factor, formula_or_error, model_expressions, with_prefactor
from diagrams.output.latex import NotationPrinter, OrderCoefficient, matrix_latex, to_display, to_latex, word_latex
from diagrams.output.tikz import TIKZ_PREAMBLE, diagram_caption, legend_tikz, tikz_diagram, topology_text

__all__ = [
    "build_document",
    "write_document",
    "check_output_path",
    "write_text_atomic",
    "document_order_limit",
    "check_document_order",
    "count_document_diagrams",
    "compile_pdf",
    "pdf_page_count",
    "log_problems",
    "ENGINES",
    "MAX_DIAGRAMS",
    "MAX_ORDER",
    "TEXT_WIDTH_CM",
]

#: TeX engines :func:`compile_pdf` accepts.
ENGINES = ("pdflatex", "lualatex", "xelatex")
#: Most diagrams one document holds (orders 0..K together): random-features planar to order 4 has
#: 328 (typeset in about 2 minutes), all genera to order 3 has 695.
MAX_DIAGRAMS = 750
#: Orders beyond these are refused before counting (planar: the listing bound of the expansion).
MAX_ORDER = {"planar": MAX_LISTING_ORDER, "all": MAX_LISTING_ORDER}
#: Text width of the document (A4 with 1.8 cm margins).
TEXT_WIDTH_CM = 17.4
#: Letter spacing of the diagrams, cm.
DIAGRAM_SCALE = 0.5
#: Line budget of displayed equations (units of :func:`diagrams.output.latex.latex_width`).
EQUATION_WIDTH = 76

_PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[a4paper,margin=1.8cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{graphicx}
%(tikz)s
\newsavebox{\nslbox}
%% \fitwidth{...}: the content at its natural size, or scaled down to the line width if wider
\newcommand{\fitwidth}[1]{\sbox{\nslbox}{#1}%%
  \ifdim\wd\nslbox>\linewidth\resizebox{\linewidth}{!}{\usebox{\nslbox}}\else\usebox{\nslbox}\fi}
\setlength{\parindent}{0pt}
\allowdisplaybreaks
\begin{document}
"""


# -- the bound ----------------------------------------------------------------------------------------
def _check_genus(genus) -> str:
    if genus not in MAX_ORDER:
        raise ValueError(f"genus: must be 'planar' or 'all', got {genus!r}")
    return genus


def count_document_diagrams(model, order: int, genus: str = "planar", merge="cross") -> int:
    """Number of diagrams a document of orders ``0..order`` of a model holds, counted without listing.

    Parameters
    ----------
    model : Model
        A model declaration.
    order : int
        The highest order ``K`` (not checked here; see :func:`check_document_order`).
    genus : {'planar', 'all'}, optional
        Count the planar diagrams (default) or the Wick contractions of all genera.
    merge : str or bool, optional
        How mirror-image words are merged, as in :func:`diagrams.analysis.expansion.terms`
        (default ``"cross"``; ``False`` writes both mirror images out).

    Returns
    -------
    int
        The number of diagrams of orders ``0..order`` together.

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, MAX_ORDER[genus]]``.
        If ``genus`` is not ``'planar'`` or ``'all'``.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> count_document_diagrams(ridge, 2), count_document_diagrams(ridge, 2, "all")
    (6, 8)
    >>> count_document_diagrams(load_model("random-features"), 4)
    328
    """
    _check_genus(genus)
    order = check_order(order, "order", maximum=MAX_ORDER[genus])
    count = count_planar_diagrams if genus == "planar" else count_all
    return sum(count(model, k, merge=merge) for k in range(order + 1))


def document_order_limit(model, genus: str = "planar", merge="cross") -> int:
    """The largest order ``K`` whose document (orders ``0..K``) holds at most :data:`MAX_DIAGRAMS` diagrams.

    Parameters
    ----------
    model : Model
        A model declaration.
    genus : {'planar', 'all'}, optional
        Planar diagrams (default) or all genera.
    merge : str or bool, optional
        As for :func:`count_document_diagrams`.

    Returns
    -------
    int
        ``K``, at most ``MAX_ORDER[genus]``; ``-1`` if not even order 0 fits.

    Raises
    ------
    ValueError
        If ``genus`` is not ``'planar'`` or ``'all'``.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> document_order_limit(rf), document_order_limit(rf, "all")
    (4, 3)
    >>> document_order_limit(rf, "genus-1")
    Traceback (most recent call last):
    ...
    ValueError: genus: must be 'planar' or 'all', got 'genus-1'
    """
    _check_genus(genus)
    count = count_planar_diagrams if genus == "planar" else count_all
    total, k = 0, -1
    while k < MAX_ORDER[genus]:
        total += count(model, k + 1, merge=merge)
        if total > MAX_DIAGRAMS:
            break
        k += 1
    return k


def check_document_order(model, order, genus: str = "planar", merge="cross", name: str = "order") -> int:
    """The order of a document, checked before any work against :data:`MAX_DIAGRAMS`.

    The order must be an integer in ``[0, MAX_ORDER[genus]]`` whose diagrams (orders ``0..order``,
    counted with ``merge`` as :func:`diagrams.analysis.expansion.terms`) are at most
    :data:`MAX_DIAGRAMS`.  Errors name the parameter ``name`` and the largest order allowed.
    The counting stops at the first order that goes over the bound.

    Parameters
    ----------
    model : Model
        A model declaration.
    order : int
        The highest order ``K`` of the document (an integral float is accepted).
    genus : {'planar', 'all'}, optional
        Planar diagrams (default) or all genera.
    merge : str or bool, optional
        As for :func:`count_document_diagrams`.
    name : str, optional
        The parameter named in error messages (default ``"order"``).

    Returns
    -------
    int
        The order.

    Raises
    ------
    ValueError
        If ``genus`` is not ``'planar'`` or ``'all'``, ``order`` is not an integer in
        ``[0, MAX_ORDER[genus]]``, or orders ``0..order`` have more than :data:`MAX_DIAGRAMS`
        diagrams.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> check_document_order(rf, 4)
    4
    >>> check_document_order(rf, 5, name="--order")
    Traceback (most recent call last):
    ...
    ValueError: --order: a document holds at most 750 diagrams; orders 0..5 of random-features already have 2057 planar diagrams (K <= 4)
    >>> check_document_order(rf, 100)
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [0, 10], got 100
    """
    _check_genus(genus)
    order = check_order(order, name, maximum=MAX_ORDER[genus])
    count = count_planar_diagrams if genus == "planar" else count_all
    total = 0
    for k in range(order + 1):
        total += count(model, k, merge=merge)
        if total > MAX_DIAGRAMS:
            raise ValueError(f"{name}: a document holds at most {MAX_DIAGRAMS} diagrams; orders 0..{k} of "
                             f"{model.name} already have {total} {genus} diagrams (K <= {k - 1})")
    return order


# -- the parts ------------------------------------------------------------------------------------------
def _escape(text: str) -> str:
    text = re.sub(r"([_#%&$^{}~\\])", lambda m: {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}.get(
        m.group(1), "\\" + m.group(1)), str(text))
    return text.replace("--", "-{}-").replace("<", r"\textless{}").replace(">", r"\textgreater{}")


def _observable(model, printer: NotationPrinter) -> str:
    r"""``<O> = c_1 <tr(A_1^T A_1)> + ...`` and the matrices, as display lines."""
    items = [(ob, pref) for ob, pref in zip(model.observable, symbolic_prefactors(model)) if pref != 0]
    quad = sum(1 for ob, _ in items if ob.kind == "quadratic")
    trace = len(items) - quad
    parts, defs = [], []
    iq = it = 0
    for ob, pref in items:
        c = printer.doprint(pref)
        if isinstance(pref, sympy.Add):
            c = r"\left(%s\right)" % c
        c = "" if c == "1" else "-" if c == "-1" else c + " "
        if ob.kind == "quadratic":
            iq += 1
            name = "A" if quad == 1 else "A_{%d}" % iq
            parts.append(r"%s\langle \operatorname{tr}(%s^{\top} %s) \rangle" % (c, name, name))
        else:
            it += 1
            name = "E" if trace == 1 else "E_{%d}" % it
            parts.append(r"%s\langle \operatorname{tr}(%s) \rangle" % (c, name))
        defs.append(r"%s = %s" % (name, matrix_latex(ob.expr, printer.notation)))
    lhs = printer.notation.get("observable") or r"\langle \mathcal{O} \rangle"
    head = lhs + " = " + " + ".join(parts).replace("+ -", "- ")
    return "".join("\\begin{center}\\fitwidth{$\\displaystyle %s$}\\end{center}\n" % line for line in [head] + defs)


def _columns(word_length: int) -> int:
    width = (word_length - 1 + 1.3) * DIAGRAM_SCALE + 0.5
    return max(1, min(4, int(TEXT_WIDTH_CM // width)))


def _cell(term, c, num: int, frac: float, model) -> str:
    if c is None:  # a trace without Gaussian letters: a constant, no picture
        picture = r"\footnotesize (no propagator)"
        caption = "$" + to_latex(sympy.sympify(term.coefficient) * term.constant, notation=model) + "$"
    else:
        picture = tikz_diagram(c, scale=DIAGRAM_SCALE, notation=model)
        caption = diagram_caption(c, term.coefficient, notation=model, topology=False)
    top = topology_text(c) if c is not None else ""
    return ("\\begin{minipage}[t]{%.3f\\linewidth}\\centering\n"
            "\\fitwidth{%s}\\\\[2pt]\n"
            "\\fitwidth{\\footnotesize (%d)~%s}%s\n"
            "\\end{minipage}" % (frac, picture, num, caption,
                                  "\\\\\n\\fitwidth{\\scriptsize %s}" % top if top else ""))


def _grid(items, start: int, model) -> list[str]:
    """Rows of minipages, each a diagram with its number and weight."""
    if not items:
        return []
    cols = _columns(max(len(c.word) if c is not None else 1 for _, c in items))
    frac = 0.98 / cols
    out = []
    for r in range(math.ceil(len(items) / cols)):
        cells = [_cell(t, c, start + r * cols + j, frac, model)
                 for j, (t, c) in enumerate(items[r * cols:(r + 1) * cols])]
        out.append("\\noindent\n" + "\\hfill\n".join(cells) + ("\\hfill\\null" if len(cells) < cols else "")
                   + "\n\\par\\bigskip\n")
    return out


def _weight(term, c):
    value = term.constant if c is None else c.value
    return term.prefactor * sympy.sympify(term.coefficient) * value


def _groups(model, order: int, genus: str, classes: Callable | None, labelled: bool):
    """``(note, [(heading, [(term, contraction), ...]), ...])`` for one order."""
    if classes is not None:
        buckets: dict = {}
        for term, c in diagrams(model, order, genus, merge=False):
            if c is not None and c.is_planar:
                try:
                    key, head = classes(term, c)
                    key = (0, key)
                except ValueError:
                    key, head = (1, ()), "unclassified planar diagrams"
            else:
                key, head = (2, ()), "non-planar diagrams and constants (not classified)"
            buckets.setdefault(key, (head, []))[1].append((term, c))
        note = "Diagrams grouped by class (both mirror images of each cross word written out)."
        return note, [buckets[k] for k in sorted(buckets)]
    groups: dict = {}
    for term, c in diagrams(model, order, genus):
        key = (term.label, term.split, str(term.word) if term.word is not None else "", term.coefficient)
        if key not in groups:
            body = word_latex(term.word, model) if term.word is not None else to_latex(term.constant, notation=model)
            head = r"$%s\,%s$" % ({1: "", -1: "-"}.get(term.coefficient, to_latex(term.coefficient)), body)
            if labelled and term.label:
                head += " (%s)" % _escape(term.label)
            groups[key] = (head, [])
        groups[key][1].append((term, c))
    return "Diagrams grouped by word.", list(groups.values())


def _sum_display(model, items, label=None, lhs=None) -> str:
    total = sympy.expand(sympy.Add(*[_weight(t, c) for t, c in items]))
    body = with_prefactor(total, common_factor(model, total))
    obj = body if lhs is None else sympy.Eq(lhs, body, evaluate=False)
    return to_display(obj, label=label, width=EQUATION_WIDTH, notation=model)


def build_document(model, order, genus: str = "planar", classes: Callable | None = None, closed_form: bool = True,
                   title: str | None = None) -> str:
    r"""The LaTeX source of a standalone document of the diagrams of orders ``0..order`` of ``model``.

    See the module docstring for its contents: the observable, a legend of the line styles, the
    diagrams of each order in a grid with their weights, the sum of each order, and the model's
    named formulas.

    Parameters
    ----------
    model : Model
        A declared :class:`~diagrams.models.declaration.Model`.
    order : int
        The highest order ``K``: an integer in ``[0, MAX_ORDER[genus]]`` whose document holds at
        most :data:`MAX_DIAGRAMS` diagrams (see :func:`document_order_limit`).
    genus : {'planar', 'all'}, optional
        The planar diagrams (default) or the Wick contractions of all genera.
    classes : callable, optional
        ``None`` (default: diagrams grouped by word) or a callable
        ``(term, contraction) -> (sort key, LaTeX heading)`` grouping the planar diagrams (the words
        are then written out with both mirror images; a ValueError puts a diagram among the
        unclassified; non-planar diagrams and constants form a group of their own), with the sum of
        each class; e.g. :func:`diagrams.models.random_features.formulas.diagram_class`.
    closed_form : bool, optional
        Add the section of the model's named formulas, if it has any (default True).  A formula
        that cannot be built is replaced by its error message.
    title : str, optional
        LaTeX of the title (default: the model and the order).

    Returns
    -------
    str
        The whole document, ``\documentclass`` to ``\end{document}``.

    Raises
    ------
    ValueError
        If ``model`` is not a ``Model``, ``classes`` is neither None nor callable, ``closed_form``
        is not a bool, ``genus`` is other than planar/all, or ``order`` is out of range or its
        diagrams exceed :data:`MAX_DIAGRAMS` (checked before any work).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> tex = build_document(ridge, 1, title="Ridge")
    >>> "\\section*{Ridge}" in tex, tex.count("\\subsection*{Sum of order")
    (True, 2)
    >>> by_length = lambda term, c: (len(c.word), "words of %d letters" % len(c.word))
    >>> tex = build_document(ridge, 1, classes=by_length)
    >>> tex.count("\\subsection*{words of 4 letters")
    1
    >>> build_document("ridge", 1)
    Traceback (most recent call last):
    ...
    ValueError: model: expected a declared Model, got str
    """
    if not isinstance(model, Model):
        raise ValueError(f"model: expected a declared Model, got {type(model).__name__}")
    if classes is not None and not callable(classes):
        raise ValueError(f"classes: must be None or a callable (term, contraction) -> (key, heading), got {classes!r}")
    if not isinstance(closed_form, bool):
        raise ValueError(f"closed_form: must be True or False, got {closed_form!r}")
    order = check_document_order(model, order, genus, merge=False if classes is not None else "cross")
    printer = NotationPrinter(model)
    ridge = printer.doprint(model.gamma)
    what = "planar diagrams" if genus == "planar" else "diagrams of all genera"
    title = title or (r"Diagrams of the \texttt{%s} model to order $%s^{-%d}$ (%s)"
                      % (_escape(model.name), ridge, order, what))
    labelled = len({ob.label for ob, pref in zip(model.observable, symbolic_prefactors(model)) if pref != 0}) > 1
    parts = [_PREAMBLE % {"tikz": TIKZ_PREAMBLE}, "\\section*{%s}\n" % title]
    if model.description:
        parts.append("\\emph{%s}\n\n\\medskip\n" % _escape(model.description))
    parts.append(
        "Each diagram is one Wick contraction of a word of the expansion in $1/%s$ of the observable\n%s"
        "drawn in the double-line convention along its trace: the letters of the word sit on the line, each "
        "propagator is a ribbon of two index strands, and every index loop (face) is a closed curve worth the size "
        "of its space or the trace of the covariances met around it. Twisted ribbons cross at the top; the caption "
        "of a diagram that is not planar gives its Euler characteristic $\\chi$ and orientability. The caption of a "
        "diagram is its weight: the coefficient of its word times the product of its face values; the sum of an "
        "order is the sum of the weights, each times the prefactor of its term of the observable.\n\n"
        "\\medskip\n{\\raggedright\\noindent %s\\par}\n\n" % (ridge, _observable(model, printer),
                                          legend_tikz(model.spaces, notation=model, scale=DIAGRAM_SCALE)))
    for k in range(order + 1):
        if k >= 2:  # orders 0 and 1 (few diagrams) share the first page
            parts.append("\\clearpage\n")
        note, groups = _groups(model, k, genus, classes, labelled)
        total = sum(len(items) for _, items in groups)
        noun = what if total != 1 else what.replace("diagrams", "diagram")
        parts.append("\\section*{Order $%s^{-%d}$: %d %s}\n%s\n\n" % (ridge, k, total, noun, note))
        num = 1
        for head, items in groups:
            parts.append("\\subsection*{%s \\normalfont\\small (%d diagram%s)}\n"
                         % (head, len(items), "" if len(items) == 1 else "s"))
            parts.extend(_grid(items, num, model))
            num += len(items)
            if classes is not None and len(groups) > 1:
                parts.append("Sum of the class:\n" + _sum_display(model, items) + "\n")
        parts.append("\\subsection*{Sum of order $%s^{-%d}$}\n" % (ridge, k))
        everything = [item for _, items in groups for item in items]
        parts.append(_sum_display(model, everything, lhs=OrderCoefficient(k, model.gamma.name)) + "\n")
    formulas = model_expressions(model) if closed_form else {}
    if formulas:
        parts.append("\\clearpage\n\\section*{Formulas of the model}\n")
        parts.append("The model's named formulas (\\texttt{diagrams latex -{}-expr NAME}); numbers in parentheses "
                     "are this document's equation numbers.\n")
        for name, (desc, _) in formulas.items():
            obj, error = formula_or_error(model, name)
            if error is None:
                body = to_display(obj, label="eq:" + name, width=EQUATION_WIDTH, notation=model)
            else:  # one formula that cannot be built must not lose the document
                body = "\\textit{(could not be built: %s)}" % _escape(error)
            parts.append("\\paragraph{%s} \\texttt{%s}\n%s\n" % (desc or _escape(name), _escape(name), body))
    parts.append("\\end{document}\n")
    return "".join(parts)


# -- files ----------------------------------------------------------------------------------------------
def check_output_path(path, pdf: bool = False) -> Path:
    """The ``.tex`` path of a document, validated before any work.

    It must be a ``.tex`` name, not a directory, in an existing directory (and, with ``pdf``, its
    ``.pdf`` and ``.log`` names must not be directories).  Whether the directory is writable shows
    when the file is written (OSError).

    Parameters
    ----------
    path : str or os.PathLike
        The document's file name.
    pdf : bool, optional
        Also check the names of the PDF and the log that :func:`compile_pdf` writes next to it.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If the suffix is not ``.tex``, the path is a directory, its directory does not exist, or
        (with ``pdf``) the ``.pdf`` or ``.log`` path is a directory.

    Examples
    --------
    >>> check_output_path("ridge.tex").name
    'ridge.tex'
    >>> check_output_path("ridge.pdf")
    Traceback (most recent call last):
    ...
    ValueError: -o: the document needs a .tex file name, got 'ridge.pdf'
    >>> check_output_path("no-such-directory/ridge.tex")
    Traceback (most recent call last):
    ...
    ValueError: -o: directory no-such-directory does not exist
    """
    path = Path(path)
    if path.suffix != ".tex":
        raise ValueError(f"-o: the document needs a .tex file name, got {str(path)!r}")
    if path.is_dir():
        raise ValueError(f"-o: {path} is a directory; give a .tex file name")
    if not path.parent.is_dir():
        raise ValueError(f"-o: directory {path.parent} does not exist")
    for other in ((".pdf", ".log") if pdf else ()):
        if path.with_suffix(other).is_dir():
            raise ValueError(f"-o: {path.with_suffix(other)} is a directory; the PDF and log go next to the .tex")
    return path


def write_text_atomic(path, text: str) -> Path:
    """Write text to a file atomically, so that a failure leaves no half-written file.

    The text goes to a temporary file ``.NAME.PID.part`` in the same directory, renamed over
    ``path``; on failure the temporary file is removed and the error (e.g. PermissionError)
    propagates.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (replaced if it exists).
    text : str
        The contents, written as UTF-8.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OSError
        If the directory is missing or not writable (nothing is left behind).

    Examples
    --------
    >>> import os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> p = write_text_atomic(os.path.join(d, "a.tex"), "hello")
    >>> p.read_text(), os.listdir(d)
    ('hello', ['a.tex'])
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(tmp, "x", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _copy_atomic(src: Path, dst: Path) -> None:
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.part")
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_document(path, model, order, genus: str = "planar", classes: Callable | None = None, **options) -> Path:
    r"""Write the LaTeX document of a model's diagrams (:func:`build_document`) to a ``.tex`` file.

    The path is checked (:func:`check_output_path`) before the document is built, and written
    with :func:`write_text_atomic`.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.tex`` file name in an existing directory.
    model, order, genus, classes
        As for :func:`build_document`.
    **options
        ``closed_form`` and ``title`` of :func:`build_document`.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        From :func:`check_output_path` (a bad path) or :func:`build_document` (bad arguments, an
        order over the bound), before anything is written.
    OSError
        If the file cannot be written.

    See Also
    --------
    compile_pdf : the PDF of the written file.

    Examples
    --------
    >>> import os, tempfile
    >>> from diagrams.models.registry import load_model
    >>> p = write_document(os.path.join(tempfile.mkdtemp(), "ridge.tex"), load_model("ridge"), 0)
    >>> p.name, p.read_text().count("\\begin{tikzpicture}")
    ('ridge.tex', 4)
    """
    path = check_output_path(path)
    tex = build_document(model, order, genus, classes, **options)
    return write_text_atomic(path, tex)


def compile_pdf(tex_path, engine: str = "pdflatex", timeout: float = 600) -> Path:
    """Compile a LaTeX document to PDF in a temporary directory; the PDF and the log go next to it.

    Runs ``engine -interaction=nonstopmode -halt-on-error`` once, in a temporary directory, and
    copies the PDF and the log (atomically) next to ``tex_path``.

    Parameters
    ----------
    tex_path : str or os.PathLike
        The ``.tex`` file, e.g. from :func:`write_document`.
    engine : {'pdflatex', 'lualatex', 'xelatex'}, optional
        The TeX engine (default ``"pdflatex"``), one of :data:`ENGINES`.
    timeout : float, optional
        Seconds to wait for the engine (default 600).

    Returns
    -------
    pathlib.Path
        The path of the PDF (``tex_path`` with suffix ``.pdf``).

    Raises
    ------
    ValueError
        If the engine is unknown or not installed, or ``tex_path`` is not a file.
    RuntimeError
        With the end of the log, when compilation fails (non-zero exit status or no PDF), or when
        the engine runs longer than ``timeout``.

    Examples
    --------
    >>> compile_pdf("ridge.tex", engine="context")
    Traceback (most recent call last):
    ...
    ValueError: engine: must be one of ('pdflatex', 'lualatex', 'xelatex'), got 'context'
    """
    tex_path = Path(tex_path)
    if engine not in ENGINES:
        raise ValueError(f"engine: must be one of {ENGINES}, got {engine!r}")
    exe = shutil.which(engine)
    if exe is None:
        raise ValueError(f"engine: {engine} is not installed (Debian: apt-get install texlive-latex-base "
                         f"texlive-pictures{' texlive-luatex' if engine == 'lualatex' else ''})")
    if not tex_path.is_file():
        raise ValueError(f"tex_path: no such file {tex_path}")
    with tempfile.TemporaryDirectory(prefix="nsl-latex-") as tmp:
        src = Path(tmp) / tex_path.name
        shutil.copyfile(tex_path, src)
        try:
            proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", src.name], cwd=tmp,
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{engine}: no result after {timeout} s on {tex_path}") from None
        log = src.with_suffix(".log")
        pdf = src.with_suffix(".pdf")
        log_text = log.read_text(errors="replace") if log.exists() else proc.stdout
        if log.exists():
            _copy_atomic(log, tex_path.with_suffix(".log"))
        if proc.returncode != 0 or not pdf.exists():
            raise RuntimeError(f"{engine} failed on {tex_path} (exit status {proc.returncode}):\n"
                               + _log_tail(log_text))
        out = tex_path.with_suffix(".pdf")
        _copy_atomic(pdf, out)
    return out


def _log_tail(log_text: str, lines: int = 25) -> str:
    rows = log_text.splitlines()
    errors = [i for i, r in enumerate(rows) if r.startswith("!")]
    start = max(0, errors[0] - 2) if errors else max(0, len(rows) - lines)
    return "\n".join(rows[start:start + lines])


def pdf_page_count(pdf_path) -> int:
    """Number of pages of a PDF file.

    Parameters
    ----------
    pdf_path : str or os.PathLike
        The PDF.

    Returns
    -------
    int
        The ``Pages:`` of ``pdfinfo`` if it is installed and reads the file, else the number of
        ``/Type /Page`` objects in the file.

    Raises
    ------
    ValueError
        If ``pdf_path`` is not a file.

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "two.pdf")
    >>> with open(p, "wb") as f:
    ...     _ = f.write(b"%PDF-1.4\\n1 0 obj << /Type /Pages /Count 2 >>\\n"
    ...                 b"2 0 obj << /Type /Page >>\\n3 0 obj << /Type/Page >>\\n")
    >>> pdf_page_count(p)
    2
    >>> pdf_page_count("no-such-file.pdf")
    Traceback (most recent call last):
    ...
    ValueError: pdf_path: no such file no-such-file.pdf
    """
    pdf_path = Path(pdf_path)
    if not pdf_path.is_file():
        raise ValueError(f"pdf_path: no such file {pdf_path}")
    exe = shutil.which("pdfinfo")
    if exe:
        out = subprocess.run([exe, str(pdf_path)], capture_output=True, text=True, errors="replace").stdout
        m = re.search(r"^Pages:\s+(\d+)", out, re.M)
        if m:
            return int(m.group(1))
    data = pdf_path.read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def log_problems(log_path) -> dict:
    """Counts of the problems in a TeX log, and its number of pages.

    Parameters
    ----------
    log_path : str or os.PathLike
        The ``.log`` file, e.g. the one :func:`compile_pdf` leaves next to the document.

    Returns
    -------
    dict
        ``errors`` (lines starting with ``!``), ``overfull`` and ``underfull`` boxes,
        ``warnings`` (occurrences of ``Warning``: LaTeX and package warnings), and ``pages`` (from
        "Output written", 0 if absent).

    Raises
    ------
    OSError
        If the log cannot be read.

    Examples
    --------
    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "doc.log")
    >>> with open(p, "w") as f:
    ...     _ = f.write("Overfull \\\\hbox (2.0pt too wide)\\nLaTeX Warning: Label(s) may have changed.\\n"
    ...                 "Output written on doc.pdf (3 pages, 1234 bytes).\\n")
    >>> log_problems(p)
    {'errors': 0, 'overfull': 1, 'underfull': 0, 'warnings': 1, 'pages': 3}
    """
    text = Path(log_path).read_text(errors="replace")
    m = re.search(r"Output written on .*?\((\d+) pages?", text, re.S)
    return {
        "errors": len(re.findall(r"^!", text, re.M)),
        "overfull": len(re.findall(r"^Overfull \\[hv]box", text, re.M)),
        "underfull": len(re.findall(r"^Underfull \\[hv]box", text, re.M)),
        "warnings": len(re.findall(r"Warning", text)),
        "pages": int(m.group(1)) if m else 0,
    }
