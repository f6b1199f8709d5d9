r"""Standalone LaTeX documents of the diagrams, order by order, and their compilation to PDF.

:func:`build_document` writes an ``article``: a legend of the four strand styles; for each order
``k = 0..K`` (from order 2 on, each from a new page) the diagrams of the test-loss words in a grid, each drawn with
TikZ-Feynman (:func:`diagrams.output.tikz.tikz_diagram`) and captioned with its weight, grouped by
word (or, with ``classes=True``, by the classes of :mod:`diagrams.models.random_features.classify`), then the sum
of the order (``multline*``, broken every few terms); last the closed form, the resummation and the
scaling laws of :data:`diagrams.output.latex.EXPRESSIONS`.  Only packages of a basic TeX Live are
used (``geometry``, ``amsmath``, ``graphicx``, ``tikz-feynman``); wide pictures and captions are
scaled down to their cell, so no box is overfull.

:func:`compile_pdf` runs pdflatex (or lualatex) on it.

>>> tex = build_document(1)
>>> tex.count("\\begin{tikzpicture}") - LEGEND_PICTURES
2
>>> "\\end{document}" in tex
True
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import sympy

from diagrams.models.random_features.expansion import PREFACTOR, loss_diagrams, loss_terms
from diagrams.output import latex as _latex
from diagrams.output.tikz import TIKZ_PREAMBLE, diagram_caption, legend_tikz, tikz_diagram, word_latex

__all__ = [
    "build_document",
    "write_document",
    "compile_pdf",
    "pdf_page_count",
    "log_problems",
    "ENGINES",
    "MAX_ORDER",
    "LEGEND_PICTURES",
    "TEXT_WIDTH_CM",
]

#: TeX engines :func:`compile_pdf` accepts.
ENGINES = ("pdflatex", "lualatex", "xelatex")
#: Largest order a document may hold, per genus (order 4 has 275 planar diagrams, all genera at
#: order 3 already 675).
MAX_ORDER = {"planar": 4, "all": 3}
#: Number of tikzpictures in the legend.
LEGEND_PICTURES = 4
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


def _check_order(order, genus: str) -> int:
    from diagrams.engine.numbers import check_order

    if genus not in MAX_ORDER:
        raise ValueError(f"genus: must be 'planar' or 'all', got {genus!r}")
    try:
        return check_order(order, "order", maximum=MAX_ORDER[genus])
    except ValueError as exc:
        raise ValueError(f"{exc} (a {genus} document is limited: too many diagrams to typeset)") from None


def _classifier():
    """``classify(term, c)`` of :mod:`diagrams.models.random_features.classify`, or None if it is absent."""
    try:
        from diagrams.models.random_features.classify import classify
    except ImportError:
        return None
    return classify


def _class_label(cls) -> tuple:
    """Sort key and LaTeX heading of a :class:`~diagrams.models.random_features.classify.DiagramClass`."""
    n = cls.resummation_power
    pattern = cls.pattern or "(none)"
    head = (r"class $P\,X^{%d}$, barrier word \texttt{%s}: %d primary rung%s, blocks (%s)"
            % (n, pattern, cls.primary_rungs, "" if cls.primary_rungs == 1 else "s",
               ", ".join(str(b) for b in cls.blocks)))
    return (n, cls.primary_rungs, cls.pattern), head


def _groups(order: int, genus: str, classes: bool):
    """``(note, [(heading, [(coefficient, contraction), ...]), ...])`` for one order."""
    classify = _classifier() if classes else None
    if classes and classify is not None:
        buckets: dict = {}
        for term, c in loss_diagrams(order, genus, mirror=True):
            if c.is_planar:
                try:
                    key, head = _class_label(classify(term, c))
                except ValueError:
                    key, head = (99, 0, "?"), "unclassified planar diagrams"
            else:
                key, head = (100, 0, ""), "non-planar diagrams (not classified)"
            buckets.setdefault(key, (head, []))[1].append((term.coefficient, c))
        note = (r"Diagrams grouped by the classes of \texttt{diagrams.models.random_features.classify} "
                r"(both mirror words of the cross term written out).")
        return note, [buckets[k] for k in sorted(buckets)]
    groups = []
    for term in loss_terms(order):
        items = [(t.coefficient, c) for t, c in loss_diagrams(order, genus) if t.word == term.word]
        head = r"$%s\,%s$" % (_coef_latex(term.coefficient), word_latex(term.word))
        groups.append((head, items))
    note = "Diagrams grouped by word."
    if classes:
        note += (r" (The classification module \texttt{diagrams.models.random_features.classify} is not available, "
                 r"so the diagrams are grouped by word.)")
    return note, groups


def _coef_latex(coef) -> str:
    return {1: "", -1: "-"}.get(coef, str(coef))


def _columns(word_length: int) -> int:
    width = (word_length - 1 + 1.3) * DIAGRAM_SCALE + 0.5
    return max(1, min(4, int(TEXT_WIDTH_CM // width)))


def _grid(items, start: int) -> list[str]:
    """Rows of minipages, each a diagram with its number and weight."""
    if not items:
        return []
    cols = _columns(max(len(c.word) for _, c in items))
    frac = 0.98 / cols
    out = []
    for r in range(math.ceil(len(items) / cols)):
        cells = []
        for j, (coef, c) in enumerate(items[r * cols:(r + 1) * cols]):
            num = start + r * cols + j
            cells.append(
                "\\begin{minipage}[t]{%.3f\\linewidth}\\centering\n"
                "\\fitwidth{%s}\\\\[2pt]\n"
                "\\fitwidth{\\footnotesize (%d)~%s}\n"
                "\\end{minipage}" % (frac, tikz_diagram(c, scale=DIAGRAM_SCALE), num, diagram_caption(c, coef)))
        out.append("\\noindent\n" + "\\hfill\n".join(cells) + ("\\hfill\\null" if len(cells) < cols else "")
                   + "\n\\par\\bigskip\n")
    return out


def build_document(order: int, genus: str = "planar", classes: bool = False, closed_form: bool = True,
                   title: str | None = None) -> str:
    """The LaTeX source of a standalone document of the diagrams of orders ``0..order``."""
    order = _check_order(order, genus)
    if not isinstance(classes, bool):
        raise ValueError(f"classes: must be True or False, got {classes!r}")
    what = "planar diagrams" if genus == "planar" else "diagrams of all genera"
    title = title or f"Diagrams of the random-feature model to order $\\gamma^{{-{order}}}$ ({what})"
    parts = [_PREAMBLE % {"tikz": TIKZ_PREAMBLE}]
    parts.append("\\section*{%s}\n" % title)
    parts.append(
        "Each diagram is one Wick contraction of a word of the expansion of "
        "$\\langle \\hat{L} \\rangle = \\frac{C\\sigma_w^2}{2M\\hat{T}}\\langle\\operatorname{tr}(A^{\\top}A)\\rangle$ "
        "in $1/\\gamma$, drawn in the double-line convention along its trace: the letters of the word sit on the "
        "line, each propagator is a ribbon of two index strands, and every index loop (face) is a closed "
        "curve worth its size ($N$, $T$, $\\hat{T}$) or the trace of the covariances met around it. "
        "Twisted ribbons cross at the top. The caption of a diagram is its weight in "
        "$\\langle\\operatorname{tr}(A^{\\top}A)\\rangle$: the coefficient of its word times the product of its "
        "face values; the sum of an order is $\\frac{C\\sigma_w^2}{2M\\hat{T}}$ times the sum of the weights.\n\n"
        "\\medskip\n\\noindent %s\n\n" % legend_tikz(DIAGRAM_SCALE))
    for k in range(order + 1):
        if k >= 2:  # orders 0 and 1 (one diagram each) share the first page
            parts.append("\\clearpage\n")
        note, groups = _groups(k, genus, classes)
        total = sum(len(items) for _, items in groups)
        noun = what if total != 1 else what.replace("diagrams", "diagram")
        parts.append("\\section*{Order $\\gamma^{-%d}$: %d %s}\n%s\n\n" % (k, total, noun, note))
        num = 1
        for head, items in groups:
            parts.append("\\subsection*{%s \\normalfont\\small (%d diagram%s)}\n"
                         % (head, len(items), "" if len(items) == 1 else "s"))
            parts.extend(_grid(items, num))
            num += len(items)
            if classes and len(groups) > 1:
                sub = _latex.with_prefactor(PREFACTOR * sum(sympy.sympify(cf) * c.value for cf, c in items))
                parts.append("Sum of the class:\n" + _latex.to_display(sub, width=EQUATION_WIDTH) + "\n")
        parts.append("\\subsection*{Sum of order $\\gamma^{-%d}$}\n" % k)
        name = f"order-{k}" + ("-all" if genus == "all" else "")
        parts.append(_latex.to_display(_latex.get_expression(name), width=EQUATION_WIDTH) + "\n")
    if closed_form:
        parts.append("\\clearpage\n\\section*{Closed form, resummation and scaling laws}\n")
        parts.append("Planar limit: the sums of the orders above are the Taylor coefficients in $1/\\gamma$ of "
                     "Eq.~(104); numbers in parentheses are this document's equation numbers.\n")
        for name in _latex.expression_names():
            desc = _latex.DESCRIPTIONS.get(name, name)
            try:
                body = _latex.to_display(_latex.get_expression(name), label="eq:" + name, width=EQUATION_WIDTH)
            except Exception as exc:  # noqa: BLE001 - a plug-in expression must not break the document
                body = "\\textit{(could not be printed: %s)}" % _escape(str(exc))
            parts.append("\\paragraph{%s} \\texttt{%s}\n%s\n" % (desc, _escape(name), body))
    parts.append("\\end{document}\n")
    return "".join(parts)


def _escape(text: str) -> str:
    return re.sub(r"([_#%&$^{}~\\])", lambda m: {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}.get(
        m.group(1), "\\" + m.group(1)), text)


def write_document(path, order: int, genus: str = "planar", classes: bool = False, **options) -> Path:
    """Write :func:`build_document` to ``path`` (a ``.tex`` file) and return the path."""
    path = Path(path)
    if path.suffix != ".tex":
        raise ValueError(f"path: the document needs a .tex file name, got {path.name!r}")
    if not path.parent.exists():
        raise ValueError(f"path: directory {path.parent} does not exist")
    path.write_text(build_document(order, genus, classes, **options), encoding="utf-8")
    return path


def compile_pdf(tex_path, engine: str = "pdflatex", timeout: float = 600) -> Path:
    """Compile ``tex_path`` in a temporary directory; the PDF (and the log) go next to it.

    Runs ``engine -interaction=nonstopmode -halt-on-error``.  Raises ValueError when the engine is
    unknown or not installed, RuntimeError with the end of the log when compilation fails.
    Returns the path of the PDF.
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
            shutil.copyfile(log, tex_path.with_suffix(".log"))
        if proc.returncode != 0 or not pdf.exists():
            raise RuntimeError(f"{engine} failed on {tex_path} (exit status {proc.returncode}):\n"
                               + _log_tail(log_text))
        out = tex_path.with_suffix(".pdf")
        shutil.copyfile(pdf, out)
    return out


def _log_tail(log_text: str, lines: int = 25) -> str:
    rows = log_text.splitlines()
    errors = [i for i, r in enumerate(rows) if r.startswith("!")]
    start = max(0, errors[0] - 2) if errors else max(0, len(rows) - lines)
    return "\n".join(rows[start:start + lines])


def pdf_page_count(pdf_path) -> int:
    """Number of pages of a PDF (``pdfinfo`` if installed, else the page objects in the file)."""
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
    """Counts in a TeX log: ``errors`` (lines starting with ``!``), ``overfull`` and ``underfull``
    boxes, ``warnings`` (LaTeX and package warnings), and ``pages`` (from "Output written")."""
    text = Path(log_path).read_text(errors="replace")
    m = re.search(r"Output written on .*?\((\d+) pages?", text, re.S)
    return {
        "errors": len(re.findall(r"^!", text, re.M)),
        "overfull": len(re.findall(r"^Overfull \\[hv]box", text, re.M)),
        "underfull": len(re.findall(r"^Underfull \\[hv]box", text, re.M)),
        "warnings": len(re.findall(r"Warning", text)),
        "pages": int(m.group(1)) if m else 0,
    }
