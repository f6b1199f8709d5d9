"""LaTeX export (``diagrams.output.latex``, ``tikz``, ``draw``, ``document``) and ``diagrams latex``.

The compile tests run pdflatex on the generated documents (orders K <= 3 planar, K <= 2 all genera),
check the log (no error, no overfull box) and the page count, and render the first page to
``tests/artifacts/latex/`` (gitignored) with pdftoppm so it can be looked at.  They are skipped,
with the reason, only when ``pdflatex`` (or ``pdftoppm``) is not installed; CI installs both.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import sympy

from diagrams.cli import main as cli_main
from diagrams.models.random_features import expansion
from diagrams.models.random_features.expansion import loss_diagrams
import rf_helpers
from rf_helpers import loss_coefficient
from diagrams.models.random_features.model import M, N, T, That
from diagrams.output import document as D
from diagrams.output import latex as L
from diagrams.output import tikz as TZ

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "latex"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
REQUIRED = ("loss", "consistency", "resummation_factor", "primary")
BUILTIN = ("loss", "loss_factorised", "resummation_factor", "primary", "consistency", "xi", "l", "D", "r_c",
           "v", "r_d", "c_alpha", "Xi", "scaling_loss", "scaling_gamma", "nu", "optimal_loss", "optimal_gamma",
           "ridgeless_loss")
ORDER_NAMES = ("order-0", "order-1", "order-2", "order-3", "order-1-all", "order-2-all")

# Skipped only off CI: under CI=true (where .ci/run installs TeX Live) a missing engine fails the tests.
needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                                    reason="pdflatex is not installed (apt-get install texlive-latex-base "
                                           "texlive-pictures poppler-utils)")


def same(a, b) -> bool:
    """Mathematical equality of expressions, equations and tuples of equations."""
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, sympy.Eq):
        return isinstance(b, sympy.Eq) and same(a.lhs, b.lhs) and same(a.rhs, b.rhs)
    return a == b or sympy.cancel(sympy.sympify(a) - sympy.sympify(b)) == 0


def run_cli(argv, capsys, monkeypatch):
    """``diagrams latex ...`` through the real entry point (the command list limited to ``latex``)."""
    import diagrams.cli as cli
    monkeypatch.setattr(cli, "COMMANDS", ["latex"])
    code = cli_main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# ============================================================================ expressions

def test_required_expressions_are_registered():
    names = L.expression_names()
    for name in REQUIRED + BUILTIN:
        assert name in names
    assert all(isinstance(L.DESCRIPTIONS[n], str) and L.DESCRIPTIONS[n] for n in names)


def test_paper_notation():
    loss = L.to_latex(L.get_expression("loss"))
    for tex in (r"\langle \hat{L} \rangle", r"\langle q \rangle", r"\langle Q \rangle", r"\xi", r"\gamma",
                r"\sigma_w^{2}", "N", "T", "M"):
        assert tex in loss, tex
    assert r"\operatorname{tr}\left[\hat{\Lambda} \left(1 + \gamma \xi \Lambda \Sigma\right)^{-2}\right]" in \
        L.to_latex(L.get_expression("l"))
    cons = L.to_latex(L.get_expression("consistency"))
    assert cons.count("=") == 2 and r"N \left(1 - \gamma \langle q \rangle\right)" in cons
    assert r"\hat{T}" in L.to_latex(That * N)
    order2 = L.to_latex(L.get_expression("order-2"))
    assert r"[\gamma^{-2}]\, \langle \hat{L} \rangle" in order2
    assert r"\operatorname{tr}\left(\Lambda \hat{\Lambda} \Sigma \Lambda \Sigma\right)" in order2
    # no raw symbol names leak into the LaTeX
    for name in L.expression_names() + list(ORDER_NAMES):
        tex = L.to_latex(L.get_expression(name))
        for raw in ("sigma_w2", "sigma_{w2}", "That", "Lhat", "Lambdahat", "lambda_plus", "c_alpha", "\\mathbb{I}"):
            assert raw not in tex, (name, raw)


@pytest.mark.parametrize("k,genus", [(0, "planar"), (1, "planar"), (2, "planar"), (3, "planar"), (2, "all")])
def test_order_expression_is_the_diagram_sum(k, genus):
    eq = L.get_expression(f"order-{k}" + ("-all" if genus == "all" else ""))
    assert isinstance(eq, sympy.Eq)
    assert sympy.expand(eq.rhs - loss_coefficient(k, genus)) == 0


def _numeric(obj, values: dict, spectrum, sigma):
    """Evaluate a closed-form expression: symbols from ``values`` (by name), diagonal covariances."""
    m = len(spectrum)
    mats = {L.MATRICES["Lambda"].subs(M, m): sympy.ImmutableMatrix(sympy.diag(*spectrum)),
            L.MATRICES["Lambdahat"].subs(M, m): sympy.ImmutableMatrix(sympy.diag(*spectrum)),
            L.MATRICES["Sigma"].subs(M, m): sympy.ImmutableMatrix(sympy.eye(m) * sigma),
            sympy.Identity(m): sympy.ImmutableMatrix(sympy.eye(m))}
    e = sympy.sympify(obj).subs(M, m)
    subs = {s: values[s.name] for s in e.free_symbols if s.name in values}
    e = e.xreplace(subs).xreplace(mats).doit()
    return complex(sympy.N(e))


def test_printed_closed_form_is_eq_104():
    """The printed formulas give the numbers of the toolkit's closed form (independent code)."""
    from diagrams.models.random_features.closed_form import test_loss

    Nn, Tn, g, spec, su2 = 3, 5, 0.7, [1.0, 0.5, 0.25], 1.0
    r = test_loss(Nn, Tn, g, spec, sigma_u2=su2)
    sigma = su2 / len(spec)
    vals = {"N": Nn, "T": Tn, "gamma": g, "q": float(r.q), "Q": float(r.Q), "xi": float(r.xi), "C": 1,
            "sigma_w2": 1, "M": len(spec), "l": float(r.l), "r_c": float(r.r_c), "v": float(r.v),
            "r_d": float(r.r_dp), "D": float(r.D), "R": float(r.resummation_factor), "P": float(r.primary)}
    for name, field in (("l", "l"), ("r_c", "r_c"), ("v", "v"), ("r_d", "r_dp"), ("D", "D"),
                        ("primary", "primary"), ("resummation_factor", "resummation_factor")):
        eq = L.get_expression(name)
        assert _numeric(eq.rhs, vals, spec, sigma) == pytest.approx(float(getattr(r, field)), rel=1e-9), name
    for name in ("loss", "loss_factorised"):
        assert _numeric(L.get_expression(name).rhs, vals, spec, sigma) == pytest.approx(float(r.loss), rel=1e-9)
    a, b = L.get_expression("consistency")
    assert _numeric(a.lhs, vals, spec, sigma) == pytest.approx(_numeric(a.rhs, vals, spec, sigma), rel=1e-9)
    assert _numeric(b.lhs, vals, spec, sigma) == pytest.approx(_numeric(b.rhs, vals, spec, sigma), rel=1e-9)
    assert _numeric(L.get_expression("xi").rhs, vals, spec, sigma) == pytest.approx(float(r.xi), rel=1e-12)


def test_scaling_law_formulas():
    alpha = sympy.Symbol("alpha", positive=True)
    assert sympy.simplify(L.get_expression("c_alpha").rhs.subs(alpha, 1) - sympy.pi / 2) == 0
    nu = L.get_expression("nu").rhs
    assert sympy.simplify(nu.subs(alpha, 1)) == 1                   # nu = 1 at alpha = 1
    assert sympy.limit(nu.subs({alpha: 2, N: 1}), T, sympy.oo) == 1  # and as N/T -> 0
    ridgeless = L.get_expression("ridgeless_loss").rhs  # double descent at N = T, N^-alpha as T -> oo
    assert sympy.limit(ridgeless, T, N, dir="+") == sympy.oo  # T -> N from above (N < T)
    expected = L.C * L.sigma_w2 * L.lambda_plus * L.c_alpha ** (1 + alpha) * N ** (-alpha) / (2 * M)
    assert sympy.simplify(sympy.limit(ridgeless, T, sympy.oo) - expected) == 0


def test_antlr_parser_available():
    """Round trips need sympy's LaTeX parser: pip install antlr4-python3-runtime==4.11.*"""
    from sympy.parsing.latex import parse_latex
    assert sympy.simplify(parse_latex(r"\frac{a}{2}") - sympy.Symbol("a") / 2) == 0


@pytest.mark.parametrize("name", BUILTIN + ORDER_NAMES)
def test_roundtrip_through_sympy_parser(name):
    obj = L.get_expression(name)
    assert same(obj, L.roundtrip(obj)), "inline LaTeX"
    assert same(obj, L.roundtrip(obj, L.to_display(obj, label="eq:" + name))), "displayed LaTeX"


def test_registered_plugin_expressions_roundtrip():
    """Expressions other modules registered (e.g. diagrams.models.random_features.resum) also print and parse back."""
    extra = [n for n in L.expression_names() if n not in BUILTIN]
    for name in extra:
        obj = L.get_expression(name)
        assert same(obj, L.roundtrip(obj)), name
        assert same(obj, L.roundtrip(obj, L.to_display(obj))), name


def test_roundtrip_catches_a_wrong_formula():
    obj = L.get_expression("resummation_factor")
    wrong = L.to_latex(obj).replace(r"1 - N", r"1 + N", 1)
    assert not same(obj, L.roundtrip(obj, wrong))


def test_broken_lines_are_the_sympy_latex_of_the_sum():
    eq = L.get_expression("order-3")
    text = L.to_display(eq)
    assert text.startswith("\\begin{multline*}") and text.rstrip().endswith("\\end{multline*}")
    lines = text.splitlines()[1:-1]
    assert len(lines) >= 4
    assert all(L.latex_width(x) <= L.LINE_CHARS for x in lines)
    body = " ".join(x.rstrip("\\ ").strip() for x in lines)
    prefactor, inner = [a for a in eq.rhs.args if not isinstance(a, sympy.Add)], \
        next(a for a in eq.rhs.args if isinstance(a, sympy.Add))
    head = L.to_latex(eq.lhs) + " = " + L.to_latex(sympy.Mul(*prefactor)) + r" \Big[ "
    assert body.startswith(head) and body.endswith(r" \Big]")
    middle = body[len(head):-len(r" \Big]")].replace("{} ", "")
    assert re.sub(r"\s+", " ", middle) == re.sub(r"\s+", " ", sympy.latex(inner, **L._settings(inner, {})))


def test_display_environments():
    assert L.to_display(L.get_expression("xi")).startswith("\\begin{equation*}")
    numbered = L.to_display(L.get_expression("xi"), label="eq:xi")
    assert numbered.startswith("\\begin{equation}\\label{eq:xi}")
    chain = L.to_display(L.get_expression("consistency"), label="eq:c")
    assert chain.startswith("\\begin{align}") and chain.count("\\nonumber") == 1 and "&=" in chain
    assert L.to_display(L.get_expression("order-3"), label="eq:o3").startswith("\\begin{multline}\\label{eq:o3}")
    # a narrow line breaks the same sum into more lines
    wide = L.to_display(L.get_expression("order-2"), width=200)
    narrow = L.to_display(L.get_expression("order-2"), width=40)
    assert wide.count("\\\\\n") < narrow.count("\\\\\n")
    with pytest.raises(ValueError, match="label"):
        L.to_display(L.get_expression("xi"), label="bad label")
    with pytest.raises(ValueError, match="width"):
        L.to_display(L.get_expression("xi"), width=5)


def test_unbreakable_wide_formula_is_scaled_to_the_line():
    big = sympy.Symbol("x") / (1 + sum(sympy.Symbol(f"a_{i}") * sympy.Symbol(f"b_{i}") ** 2 for i in range(40)))
    text = L.to_display(big)
    assert "\\resizebox{\\linewidth}{!}" in text
    assert same(big, L.roundtrip(big, text))


def test_register_expression():
    x = sympy.Symbol("x")
    try:
        L.register_expression("test-only-expr", lambda: sympy.Eq(x, 2), "a test")
        assert "test-only-expr" in L.expression_names()
        assert L.get_expression("test-only-expr") == sympy.Eq(x, 2)
        with pytest.raises(ValueError, match="already registered"):
            L.register_expression("test-only-expr", lambda: x)
        L.register_expression("test-only-expr", lambda: x + 1, replace=True)
        assert L.get_expression("test-only-expr") == x + 1
    finally:
        L.EXPRESSIONS.pop("test-only-expr", None)
        L.DESCRIPTIONS.pop("test-only-expr", None)
    with pytest.raises(ValueError, match="reserved"):
        L.register_expression("order-7", lambda: x)
    with pytest.raises(ValueError, match="callable"):
        L.register_expression("not-callable", x)
    with pytest.raises(ValueError, match="name"):
        L.register_expression("bad name", lambda: x)
    with pytest.raises(ValueError, match="unknown expression 'nope'"):
        L.get_expression("nope")


# ============================================================================ TikZ layout

def _strand_graph(lay):
    """Strands as edges between their (rounded) end points."""
    import networkx as nx
    G = nx.MultiGraph()
    for i, s in enumerate(lay.strands):
        a = tuple(round(v, 6) for v in s.segments[0].p0)
        b = tuple(round(v, 6) for v in s.segments[-1].p3)
        G.add_edge(a, b, style=s.style, space=s.space, index=i)
        for s0, s1 in zip(s.segments, s.segments[1:]):  # the segments of one strand are chained
            assert math.dist(s0.p3, s1.p0) < 1e-9
    return G


def all_diagrams(max_order=2):
    for k in range(max_order + 1):
        yield from loss_diagrams(k, "all")


def test_every_face_is_one_closed_curve_of_its_style():
    """The index strands of a drawing close into exactly the faces of the ribbon graph."""
    import networkx as nx
    n = 0
    for term, c in all_diagrams(2):
        lay = TZ.layout(c)
        G = _strand_graph(lay)
        assert all(d == 2 for _, d in G.degree())  # every end point joins two strands
        comps = list(nx.connected_components(G))
        assert len(comps) == c.n_faces
        styles = sorted(
            {d["style"] for _, _, d in G.subgraph(comp).edges(data=True)}.pop() for comp in comps
            if len({d["style"] for _, _, d in G.subgraph(comp).edges(data=True)}) == 1)
        assert len(styles) == c.n_faces, "a face mixes line styles"
        assert styles == sorted(f.space.style for f in c.faces)
        n += 1
    assert n == 1 + 1 + 18


def _polyline(strand, per_segment=15):
    """Points along a strand (an odd number per segment, so a twist's crossing point is not a vertex)."""
    pts = []
    for seg in strand.segments:
        sp = [seg.point(i / per_segment) for i in range(per_segment + 1)]
        pts.extend(sp if not pts else sp[1:])
    return np.array(pts)


def _crossings(p, q) -> int:
    """Number of proper intersections between the segments of two polylines."""
    a, b = p[:-1, None, :], p[1:, None, :]
    c, d = q[None, :-1, :], q[None, 1:, :]

    def orient(u, v, w):
        return (v[..., 0] - u[..., 0]) * (w[..., 1] - u[..., 1]) - (v[..., 1] - u[..., 1]) * (w[..., 0] - u[..., 0])
    hit = (orient(a, b, c) * orient(a, b, d) < 0) & (orient(c, d, a) * orient(c, d, b) < 0)
    return int(hit.sum())


def test_planar_ribbons_do_not_cross_and_twists_are_crossings():
    for k in (2, 3):
        for term, c in loss_diagrams(k, "planar"):
            lay = TZ.layout(c)
            edge_strands = [s for s in lay.strands if s.kind == "edge"]
            lines = [_polyline(s) for s in edge_strands]
            for (i, a), (j, b) in itertools.combinations(enumerate(lines), 2):
                assert _crossings(a, b) == 0, (str(c), i, j)
    twisted = [(t, c) for t, c in loss_diagrams(2, "all") if not c.is_orientable]
    assert twisted
    for term, c in twisted:
        lay = TZ.layout(c)
        for e, tw in enumerate(c.twisted()):
            pair = [_polyline(s) for s in lay.strands if s.kind == "edge" and s.edge == e]
            assert len(pair) == 2
            assert _crossings(*pair) == (1 if tw else 0), (str(c), e)


def test_strand_styles_follow_the_edge_attributes():
    from diagrams.engine.ribbon import ribbon_graph
    for term, c in loss_diagrams(2, "all"):
        G = ribbon_graph(c)
        lay = TZ.layout(c)
        for _, _, i, data in G.edges(keys=True, data=True):
            drawn = sorted((s.space, s.style, s.covariance) for s in lay.strands if s.edge == i)
            expected = sorted((st["space"], st["style"], st["covariance"]) for st in data["strands"])
            assert drawn == expected


def test_tikz_code():
    term, c = list(loss_diagrams(2))[3]
    lay = TZ.layout(c)
    code = TZ.tikz_diagram(c, scale=0.5)
    assert code.startswith("\\begin{tikzpicture}[x=0.5cm, y=0.5cm")
    assert code.count("\\begin{feynman}") == 1 and code.count("\\end{tikzpicture}") == 1
    for style in ("solid", "dashed", "dotted"):
        n_segments = sum(len(s.segments) for s in lay.strands if s.style == style)
        assert code.count(f"\\draw[strand {style}]") == n_segments
    assert code.count("strand wavy explicit") == sum(1 for s in lay.strands if s.style == "wavy")
    assert code.count("\\node[font=\\scriptsize") == len(c.word)
    for x, y in re.findall(r"\\vertex \(v\d+\) at \(([-\d.]+), ([-\d.]+)\);", code):
        assert lay.xmin - 1e-9 <= float(x) <= lay.xmax + 1e-9 and lay.ymin - 1e-9 <= float(y) <= lay.ymax + 1e-9
    decorated = TZ.tikz_diagram(c, wavy="decorate")
    assert "\\nslL" not in decorated and code.count("\\nslL") > 100
    assert decorated.count("\\draw[strand wavy]") == sum(len(s.segments) for s in lay.strands if s.style == "wavy")
    with pytest.raises(ValueError, match="scale"):
        TZ.tikz_diagram(c, scale=0)
    with pytest.raises(ValueError, match="wavy"):
        TZ.tikz_diagram(c, wavy="curly")
    with pytest.raises(ValueError, match="Contraction"):
        TZ.layout("x x")


def test_caption_and_word_latex():
    term, c = list(loss_diagrams(2))[0]
    cap = TZ.diagram_caption(c, term.coefficient)
    assert cap == "$" + L.to_latex(term.coefficient * c.value) + "$"
    assert cap.startswith("$2 ") and r"\hat{T}" in cap
    assert TZ.word_latex(term.word).startswith(r"\operatorname{tr}\left(\hat{x}^{\top} x x^{\top} u^{\top} u")


# ============================================================================ matplotlib

def test_save_diagram_png_and_svg(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    from diagrams.output.draw import draw_diagram, save_diagram

    term, c = next(t for t in loss_diagrams(2, "all") if not t[1].is_orientable)
    png = save_diagram(c, tmp_path / "d.png", coefficient=term.coefficient)
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 5000
    svg = save_diagram(c, tmp_path / "d.svg", caption=False)
    assert "<svg" in svg.read_text()
    ax = draw_diagram(c, caption=False)
    assert len(ax.lines) == len(TZ.layout(c).strands)
    with pytest.raises(ValueError, match="png"):
        save_diagram(c, tmp_path / "d.jpg")


# ============================================================================ documents

def test_build_document_structure():
    tex = D.build_document(2)
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    assert tex.count("\\begin{tikzpicture}") == D.LEGEND_PICTURES + 1 + 1 + 7
    assert tex.count("\\clearpage") == 2  # order 2 and the closed form each from a new page
    for k in range(3):
        assert "\\subsection*{Sum of order $\\gamma^{-%d}$}" % k in tex
    assert "\\begin{multline*}" in tex and "\\label{eq:consistency}" in tex
    assert "breqn" not in tex
    for name in REQUIRED:
        assert "\\label{eq:%s}" % name in tex
    no_closed = D.build_document(1, closed_form=False)
    assert "Closed form" not in no_closed and "\\label{" not in no_closed
    all_genera = D.build_document(2, "all", closed_form=False)
    assert all_genera.count("\\begin{tikzpicture}") == D.LEGEND_PICTURES + 1 + 1 + 18


def test_build_document_classes():
    tex = D.build_document(2, classes=True, closed_form=False)
    assert "diagrams.models.random_features.classify" in tex
    assert tex.count("Sum of the class") >= 2
    assert tex.count("\\begin{tikzpicture}") == D.LEGEND_PICTURES + 1 + 2 + 10  # mirror words written out


def test_build_document_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="order"):
        D.build_document(-1)
    with pytest.raises(ValueError, match="limited"):
        D.build_document(D.MAX_ORDER["all"] + 1, "all")
    with pytest.raises(ValueError, match="genus"):
        D.build_document(1, "toroidal")
    with pytest.raises(ValueError, match=".tex"):
        D.write_document(tmp_path / "x.pdf", 1)
    with pytest.raises(ValueError, match="does not exist"):
        D.write_document(tmp_path / "missing" / "x.tex", 1)


def _compile_and_check(tex_path: Path, order: int):
    pdf = D.compile_pdf(tex_path)
    assert pdf == tex_path.with_suffix(".pdf") and pdf.read_bytes()[:5] == b"%PDF-"
    problems = D.log_problems(tex_path.with_suffix(".log"))
    assert problems["errors"] == 0
    assert problems["overfull"] == 0, "overfull boxes"
    pages = D.pdf_page_count(pdf)
    assert pages == problems["pages"]
    assert pages >= max(order, 1) + 1  # orders 0 and 1, then each order and the closed form on new pages
    return pdf, pages


def _first_page_png(pdf: Path, name: str) -> Path:
    if shutil.which("pdftoppm") is None and not os.environ.get("CI"):
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                   check=True)
    png = stem.with_suffix(".png")
    assert png.read_bytes()[:8] == PNG_MAGIC
    return png


def _text(pdf: Path) -> str:
    if shutil.which("pdftotext") is None and not os.environ.get("CI"):
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@needs_pdflatex
@pytest.mark.slow
@pytest.mark.parametrize("order,genus", [(0, "planar"), (1, "planar"), (2, "planar"), (3, "planar"),
                                         (0, "all"), (1, "all"), (2, "all")])
def test_document_compiles(order, genus, tmp_path):
    tex = D.write_document(tmp_path / f"diagrams_{genus}_order{order}.tex", order, genus)
    pdf, pages = _compile_and_check(tex, order)
    text = _text(pdf)
    assert text.count("Sum of order") == order + 1
    counts = [rf_helpers.order_summary(k, genus)["planar" if genus == "planar" else "contractions"]
              for k in range(order + 1)]
    for k, n in enumerate(counts):
        noun = ("planar diagram" if genus == "planar" else "diagram") + ("" if n == 1 else "s")
        assert re.search(r"%d %s" % (n, noun), text), (k, n)
    # every diagram carries its number in the caption
    assert re.search(r"\(%d\)" % max(counts), text)
    _first_page_png(pdf, f"diagrams_{genus}_order{order}")


@needs_pdflatex
@pytest.mark.slow
def test_document_with_classes_compiles(tmp_path):
    tex = D.write_document(tmp_path / "classes.tex", 2, classes=True)
    _compile_and_check(tex, 2)


@needs_pdflatex
def test_compile_errors_are_reported(tmp_path, monkeypatch):
    bad = tmp_path / "bad.tex"
    bad.write_text("\\documentclass{article}\\begin{document}\\undefinedmacro\\end{document}\n")
    with pytest.raises(RuntimeError, match="Undefined control sequence"):
        D.compile_pdf(bad)
    with pytest.raises(ValueError, match="engine"):
        D.compile_pdf(bad, engine="context")
    with pytest.raises(ValueError, match="no such file"):
        D.compile_pdf(tmp_path / "missing.tex")
    monkeypatch.setattr(D.shutil, "which", lambda name: None)
    with pytest.raises(ValueError, match="not installed"):
        D.compile_pdf(bad)


def test_page_count_and_log_parsing(tmp_path):
    log = tmp_path / "x.log"
    log.write_text("Overfull \\hbox (1.0pt too wide) in paragraph\n! Undefined control sequence.\n"
                   "LaTeX Warning: Label(s) may have changed.\nOutput written on x.pdf (3 pages, 1234 bytes).\n")
    assert D.log_problems(log) == {"errors": 1, "overfull": 1, "underfull": 0, "warnings": 1, "pages": 3}
    with pytest.raises(ValueError, match="no such file"):
        D.pdf_page_count(tmp_path / "none.pdf")


# ============================================================================ CLI

def test_cli_list(capsys, monkeypatch):
    code, out, err = run_cli(["latex", "--list"], capsys, monkeypatch)
    assert code == 0 and err == ""
    names = [line.split()[0] for line in out.splitlines()]
    for name in REQUIRED + ("order-K", "order-K-all"):
        assert name in names


def test_cli_expr(capsys, monkeypatch):
    code, out, err = run_cli(["latex", "--expr", "consistency"], capsys, monkeypatch)
    assert code == 0 and out.strip() == L.to_latex(L.get_expression("consistency"))
    code, out, err = run_cli(["latex", "--expr", "order-2", "--genus", "all", "--label", "eq:o2"], capsys, monkeypatch)
    assert code == 0 and out.strip() == L.to_display(L.get_expression("order-2-all"), label="eq:o2")
    code, out, err = run_cli(["latex", "--expr", "loss", "--display"], capsys, monkeypatch)
    assert code == 0 and out.startswith("\\begin{equation*}")


@pytest.mark.parametrize("argv,message", [
    (["latex", "--expr", "nope"], "unknown expression"),
    (["latex", "--order", "-1"], "--order"),
    (["latex", "--order", "x"], "--order"),
    (["latex", "--order", "1", "--pdf"], "-o FILE.tex"),
    (["latex", "--order", "1", "-o", "out.pdf"], ".tex file name"),
    (["latex", "--order", "9"], "--order: must be an integer in [0, 4]"),
])
def test_cli_errors(argv, message, capsys, monkeypatch):
    code, out, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_cli_document_to_stdout(capsys, monkeypatch):
    code, out, err = run_cli(["latex", "--order", "1", "--no-closed-form"], capsys, monkeypatch)
    assert code == 0 and out.startswith("\\documentclass") and "Closed form" not in out


@needs_pdflatex
def test_cli_pdf(tmp_path, capsys, monkeypatch):
    target = tmp_path / "doc.tex"
    code, out, err = run_cli(["latex", "--order", "1", "-o", str(target), "--pdf"], capsys, monkeypatch)
    assert code == 0, err
    assert out.strip() == str(target.with_suffix(".pdf")) and target.with_suffix(".pdf").is_file()
