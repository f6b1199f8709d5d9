"""LaTeX export (``diagrams.output.latex``, ``expressions``, ``tikz``, ``draw``, ``document``) and ``diagrams latex``.

Every shipped model (random-features, ridge, deep-random-features) and a user's model declared in a
temporary file go through the same code.  The compile tests run pdflatex on the generated documents,
check the log (no error, no overfull box) and the page count, and render the first page to
``tests/artifacts/latex/`` (gitignored) with pdftoppm so it can be looked at.  They are skipped,
with the reason, only when ``pdflatex`` (or ``pdftoppm``) is not installed and ``CI`` is not set;
under ``CI=true`` a missing TeX fails them.
"""

from __future__ import annotations

import ast
import itertools
import json
import math
import os
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy

from diagrams.analysis import expansion as E
from diagrams.cli import main as cli_main
from diagrams.models.random_features import formulas as F
from diagrams.models.random_features.model import M, N, T, That
from diagrams.models.registry import load_model
from diagrams.output import document as D
from diagrams.output import expressions as X
from diagrams.output import latex as L
from diagrams.output import tikz as TZ

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "latex"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SHIPPED = ("random-features", "ridge", "deep-random-features")
RF, RIDGE, DEEP = (load_model(n) for n in SHIPPED)
REQUIRED = ("loss", "consistency", "resummation_factor", "primary")
BUILTIN = ("loss", "loss_factorised", "resummation_factor", "primary", "consistency", "xi", "l", "D", "r_c",
           "v", "r_d", "c_alpha", "Xi", "scaling_loss", "scaling_gamma", "nu", "optimal_loss", "optimal_gamma",
           "ridgeless_loss")
RESUM = ("resum-consistency", "resum-self-energy", "resum-R", "resum-P", "resum-D", "resum-loss")
ORDER_NAMES = ("order-0", "order-1", "order-2", "order-3", "order-1-all", "order-2-all")

# Skipped only off CI: under CI=true (where .ci/run installs TeX Live) a missing engine fails the tests.
needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None and not os.environ.get("CI"),
                                    reason="pdflatex is not installed (apt-get install texlive-latex-base "
                                           "texlive-pictures poppler-utils)")

# A user's model, declared in a file as a user would: two Gaussian matrices, a covariance on each
# space, a trace and a quadratic term in the observable (planar documents work for it).
USER_MODEL = '''
from diagrams.models.declaration import Model


def build():
    m = Model("user-two-layer", "tr of a resolvent of Y^T Y plus a squared error, Y = W X")
    m.integer("N", "rows of W")
    m.integer("K", "columns of W, rows of X")
    m.integer("T", "columns of X")
    m.number("s2", "variance scale of W", default=1, minimum=0, strict_minimum=True)
    rows, mid, cols = m.space("out", "N", "dotted"), m.space("mid", "K", "wavy"), m.space("sample", "T", "dashed")
    m.spectrum("spec", "eigenvalues of the covariance of X", "mid")
    m.covariance("Kappa", mid, spectrum="spec")
    m.covariance("Omega", mid, scalar=m.parameter("s2").symbol / mid.size)
    W = m.gaussian("W", rows, mid, col_cov="Omega", latex=r"\\mathsf{W}")
    Xm = m.gaussian("X", mid, cols, row_cov="Kappa")
    Y = W @ Xm
    m.trace(1 / cols.size, m.resolvent(Y.T @ Y), label="resolvent trace")
    m.quadratic(1 / (2 * cols.size), Xm @ m.resolvent(Y.T @ Y) @ Y.T, label="squared error")
    m.notation.update({"Kappa": r"\\mathrm{K}", "Omega": r"\\Omega", "s2": r"s^2", "observable": r"\\langle F \\rangle"})
    return m


MODEL = build()
'''

# A user's model with a deterministic diagonal matrix (all-genus documents; the planar recursions of
# the engine do not take diagonal matrices).
USER_DIAGONAL_MODEL = '''
from diagrams.models.declaration import Model

m = Model("user-diagonal", "tr(D (gamma + X^T X)^-1)/T for an N x T Gaussian X, D diagonal")
m.integer("N", "rows of X")
T = m.integer("T", "columns of X")
m.spectrum("d", "diagonal of D", "col")
rows, cols = m.space("row", "N", "solid"), m.space("col", "T", "dashdotted")
D = m.diagonal("D", cols, spectrum="d", latex=r"\\mathcal{D}")
Xm = m.gaussian("X", rows, cols)
m.trace(1 / T, D @ m.resolvent(Xm.T @ Xm))
MODEL = m
'''


@pytest.fixture(scope="module")
def user_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("user") / "my_model.py"
    path.write_text(USER_MODEL)
    return f"{path}:MODEL", load_model(f"{path}:MODEL")


@pytest.fixture(scope="module")
def diagonal_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("user") / "diag_model.py"
    path.write_text(USER_DIAGONAL_MODEL)
    return f"{path}:MODEL", load_model(f"{path}:MODEL")


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


# ============================================================================ layers

def _imports(path: Path) -> set:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):  # module level and inside functions
        if isinstance(node, ast.ImportFrom) and node.module:
            out |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def test_output_imports_no_model_package_and_models_no_output():
    specific = ("diagrams.models.random_features", "diagrams.models.ridge", "diagrams.models.deep_random_features")
    for name in ("latex", "expressions", "tikz", "draw", "document"):  # (figures.py draws the paper's figures)
        path = ROOT / "diagrams" / "output" / f"{name}.py"
        bad = {m for m in _imports(path) if m.startswith(specific) or m.startswith("diagrams.cli")}
        assert not bad, (path.name, bad)
    for path in sorted((ROOT / "diagrams" / "models").rglob("*.py")):
        bad = {m for m in _imports(path) if m.startswith("diagrams.output")}
        assert not bad, (path.name, bad)


def test_nothing_registers_at_import_time():
    from diagrams.models.random_features import resum

    assert not hasattr(resum, "register_latex_expressions")
    assert not hasattr(L, "EXPRESSIONS") and not hasattr(L, "register_expression")
    # the formulas belong to the model, not to the printing layer
    assert X.expression_names(RIDGE) == ["order-K", "order-K-all"]


# ============================================================================ expressions

def test_model_formulas_are_named():
    names = X.expression_names(RF)
    for name in REQUIRED + BUILTIN + RESUM + ("order-K", "order-K-all"):
        assert name in names
    assert all(isinstance(X.describe(RF, n), str) and X.describe(RF, n) for n in names)
    for model in (RIDGE, DEEP):
        assert X.expression_names(model) == ["order-K", "order-K-all"]


def test_formulas_are_built_only_when_asked(user_model):
    calls = []
    m = load_model("ridge")
    saved = m.latex_expressions
    try:
        m.latex_expressions = lambda: {"two": ("the number two", lambda: calls.append(1) or sympy.Integer(2))}
        assert X.expression_names(m) == ["two", "order-K", "order-K-all"] and calls == []
        assert X.get_expression(m, "two") == 2 and calls == [1]
        for bad, message in [({"order-3": ("x", sympy.Integer(1))}, "reserved"),
                             ({"bad name": ("x", sympy.Integer(1))}, "name"),
                             ({"x": sympy.Integer(1)}, "description, formula"),
                             (["x"], "dict")]:
            m.latex_expressions = lambda bad=bad: bad
            with pytest.raises(ValueError, match=message):
                X.expression_names(m)
        m.latex_expressions = lambda: {"x": ("a list is no formula", lambda: [1, 2])}
        with pytest.raises(ValueError, match="equations"):
            X.get_expression(m, "x")
        assert X.formula_or_error(m, "x")[0] is None
    finally:
        m.latex_expressions = saved
    with pytest.raises(ValueError, match="unknown expression 'nope'"):
        X.get_expression(RF, "nope")
    with pytest.raises(ValueError, match="order"):
        X.get_expression(RF, f"order-{X.MAX_PLANAR_ORDER + 1}")
    with pytest.raises(ValueError, match="contractions"):
        X.get_expression(DEEP, "order-4-all")  # 4.6 million contractions
    assert X.expression_order_limit(RF, "all") == 4 and X.expression_order_limit(DEEP, "all") == 3


def test_paper_notation():
    loss = L.to_latex(X.get_expression(RF, "loss"), notation=RF)
    for tex in (r"\langle \hat{L} \rangle", r"\langle q \rangle", r"\langle Q \rangle", r"\xi", r"\gamma",
                r"\sigma_w^2", "N", "T", "M"):
        assert tex in loss, tex
    assert r"\operatorname{tr}\left[\hat{\Lambda} \left(1 + \gamma \xi \Lambda \Sigma\right)^{-2}\right]" in \
        L.to_latex(X.get_expression(RF, "l"), notation=RF)
    cons = L.to_latex(X.get_expression(RF, "consistency"), notation=RF)
    assert cons.count("=") == 2 and r"N \left(1 - \gamma \langle q \rangle\right)" in cons
    assert L.to_latex(X.get_expression(RF, "xi"), notation=RF) == r"\xi = N T \langle Q \rangle \langle q \rangle"
    assert r"\hat{T}" in L.to_latex(That * N, notation=RF)
    order2 = L.to_latex(X.get_expression(RF, "order-2"), notation=RF)
    assert r"[\gamma^{-2}]\, \langle \hat{L} \rangle" in order2
    assert r"\operatorname{tr}\left(\Lambda \hat{\Lambda} \Sigma \Lambda \Sigma\right)" in order2
    # no raw symbol names leak into the LaTeX
    for name in X.expression_names(RF)[:-2] + list(ORDER_NAMES):
        tex = L.to_latex(X.get_expression(RF, name), notation=RF)
        for raw in ("sigma_w2", "sigma_{w2}", "That", "Lhat", "Lambdahat", "lambda_plus", "c_alpha", "\\mathbb{I}"):
            assert raw not in tex, (name, raw)


def test_notation_of_each_model():
    """Names come from the model's notation; traces of the engine too, with sympy's LaTeX otherwise."""
    from diagrams.engine.symbols import trace_symbol

    t = trace_symbol("Sigma1", "Lambda", "Lambda")
    assert L.to_latex(t, notation=DEEP) == r"\operatorname{tr}\left(\Lambda^{2} \Sigma_1\right)"
    assert L.to_latex(t) == r"\operatorname{tr}\left(\Lambda^{2} \Sigma_{1}\right)"  # no notation: sympy's
    assert L.to_latex(t, notation={"Lambda": "L"}) == r"\operatorname{tr}\left(L^{2} \Sigma_{1}\right)"
    n1 = sympy.Symbol("N1", positive=True)
    assert L.to_latex(n1, notation=DEEP) == "N_1"
    assert L.to_latex(X.get_expression(DEEP, "order-0").lhs, notation=DEEP) == r"[\gamma^{-0}]\, \langle \hat{L} \rangle"
    assert L.to_latex(X.get_expression(DEEP, "order-0").lhs, notation={}) == r"[\gamma^{-0}]\, " + L.DEFAULT_OBSERVABLE
    with pytest.raises(ValueError, match="notation"):
        L.to_latex(n1, notation=3)


def _gaussian_moment(n: int, variance) -> sympy.Expr:
    """``E[g^n]`` of a centred scalar Gaussian: ``(n-1)!! variance^(n/2)``, 0 for odd ``n``."""
    if n % 2:
        return sympy.Integer(0)
    return sympy.factorial2(n - 1) * variance ** (n // 2)


def _scalar_coefficient(model, order, values) -> Fraction:
    """Independent route to the exact (all-genus) coefficient when every space has size 1: each
    matrix is a scalar Gaussian whose variance is the product of its covariances, so the
    expectation of a word is a product of Gaussian moments (no Wick contraction is listed)."""
    diag = model.diagonal_values(values)
    total = sympy.Integer(0)
    for t in E.terms(model, order, values=values):
        if t.word is None:
            v = E.evaluate(t.constant, model, values)
            value = sympy.Rational(v.numerator, v.denominator)
        else:
            value = sympy.Integer(1)
            for name, n in t.word.counts().items():
                m = t.word.matrices()[name]
                var = sympy.Integer(1)
                for cov in (m.row_cov, m.col_cov):
                    if cov is not None:
                        var *= sympy.Rational(diag[cov][0])
                value *= _gaussian_moment(n, var)
            for ds in t.word.decorations:
                for d in ds:
                    value *= sympy.Rational(diag[d.name][0])
        total += sympy.Rational(t.prefactor) * sympy.Rational(t.coefficient) * value
    return Fraction(int(total.p), int(total.q))


SIZE_ONE = {
    "random-features": {"N": 1, "T": 1, "That": 1, "spectrum": ["2/3"], "sigma_u2": "3/2", "sigma_w2": 2, "C": 1},
    "ridge": {"T": 1, "That": 1, "spectrum": ["2/3"], "sigma_w2": 2, "C": 1},
    "deep-random-features": {"N": 1, "N1": 1, "T": 1, "That": 1, "spectrum": ["2/3"], "sigma_u2": "3/2",
                             "sigma_v2": "1/2", "sigma_w2": 2, "C": 1},
}


@pytest.mark.parametrize("name", SHIPPED)
def test_order_expressions_are_the_diagram_sums(name):
    """order-K (the planar coefficient-only recursion) equals the sum of the listed planar diagrams;
    order-K-all at sizes 1 equals the product of scalar Gaussian moments."""
    model = load_model(name)
    for k in range(4 if name != "deep-random-features" else 3):
        eq = X.get_expression(model, f"order-{k}")
        assert isinstance(eq, sympy.Eq) and eq.lhs.order == k
        assert sympy.expand(eq.rhs - E.order_summary(model, k, "planar")["coefficient"]) == 0
    values = model.read_values(SIZE_ONE[name])
    for k in range(3):
        rhs = X.get_expression(model, f"order-{k}-all").rhs
        assert E.evaluate(rhs, model, values) == _scalar_coefficient(model, k, values), k
    # the route can fail: the planar sum is not the all-genus one at size 1
    planar = E.evaluate(X.get_expression(model, "order-2").rhs, model, values)
    assert planar != _scalar_coefficient(model, 2, values)


def test_order_expression_of_a_user_model(user_model):
    _, model = user_model
    values = model.read_values({"N": 1, "K": 1, "T": 1, "spec": ["3/5"], "s2": "7/3"})
    for k in range(3):
        eq = X.get_expression(model, f"order-{k}-all")
        assert E.evaluate(eq.rhs, model, values) == _scalar_coefficient(model, k, values)


def _numeric(obj, values: dict, spectrum, sigma):
    """Evaluate a closed-form expression: symbols from ``values`` (by name), diagonal covariances."""
    m = len(spectrum)
    mats = {F.COVARIANCE_MATRICES["Lambda"].subs(M, m): sympy.ImmutableMatrix(sympy.diag(*spectrum)),
            F.COVARIANCE_MATRICES["Lambdahat"].subs(M, m): sympy.ImmutableMatrix(sympy.diag(*spectrum)),
            F.COVARIANCE_MATRICES["Sigma"].subs(M, m): sympy.ImmutableMatrix(sympy.eye(m) * sigma),
            sympy.Identity(m): sympy.ImmutableMatrix(sympy.eye(m))}
    e = sympy.sympify(obj).subs(M, m)
    subs = {s: values[s.name] for s in e.free_symbols if s.name in values}
    e = e.xreplace(subs).xreplace(mats).doit()
    return complex(sympy.N(e))


def test_printed_closed_form_is_eq_104():
    """The formulas give the numbers of the toolkit's closed form (independent code)."""
    from diagrams.models.random_features.closed_form import closed_form_loss

    Nn, Tn, g, spec, su2 = 3, 5, 0.7, [1.0, 0.5, 0.25], 1.0
    r = closed_form_loss(Nn, Tn, g, spec, sigma_u2=su2)
    sigma = su2 / len(spec)
    vals = {"N": Nn, "T": Tn, "gamma": g, "q": float(r.q), "Q": float(r.Q), "xi": float(r.xi), "C": 1,
            "sigma_w2": 1, "M": len(spec), "l": float(r.l), "r_c": float(r.r_c), "v": float(r.v),
            "r_d": float(r.r_dp), "D": float(r.D), "R": float(r.resummation_factor), "P": float(r.primary)}
    for name, field in (("l", "l"), ("r_c", "r_c"), ("v", "v"), ("r_d", "r_dp"), ("D", "D"),
                        ("primary", "primary"), ("resummation_factor", "resummation_factor")):
        eq = X.get_expression(RF, name)
        assert _numeric(eq.rhs, vals, spec, sigma) == pytest.approx(float(getattr(r, field)), rel=1e-9), name
    for name in ("loss", "loss_factorised"):
        assert _numeric(X.get_expression(RF, name).rhs, vals, spec, sigma) == pytest.approx(float(r.loss), rel=1e-9)
    a, b = X.get_expression(RF, "consistency")
    assert _numeric(a.lhs, vals, spec, sigma) == pytest.approx(_numeric(a.rhs, vals, spec, sigma), rel=1e-9)
    assert _numeric(b.lhs, vals, spec, sigma) == pytest.approx(_numeric(b.rhs, vals, spec, sigma), rel=1e-9)
    assert _numeric(X.get_expression(RF, "xi").rhs, vals, spec, sigma) == pytest.approx(float(r.xi), rel=1e-12)


def test_scaling_law_formulas():
    alpha = sympy.Symbol("alpha", positive=True)
    assert sympy.simplify(X.get_expression(RF, "c_alpha").rhs.subs(alpha, 1) - sympy.pi / 2) == 0
    nu = X.get_expression(RF, "nu").rhs
    assert sympy.simplify(nu.subs(alpha, 1)) == 1                   # nu = 1 at alpha = 1
    assert sympy.limit(nu.subs({alpha: 2, N: 1}), T, sympy.oo) == 1  # and as N/T -> 0
    ridgeless = X.get_expression(RF, "ridgeless_loss").rhs  # double descent at N = T, N^-alpha as T -> oo
    assert sympy.limit(ridgeless, T, N, dir="+") == sympy.oo  # T -> N from above (N < T)
    s = F.SYMBOLS
    C, sigma_w2 = RF.parameter("C").symbol, RF.parameter("sigma_w2").symbol
    expected = C * sigma_w2 * s["lambda_plus"] * s["c_alpha"] ** (1 + alpha) * N ** (-alpha) / (2 * M)
    assert sympy.simplify(sympy.limit(ridgeless, T, sympy.oo) - expected) == 0


def test_antlr_parser_available():
    """Round trips need sympy's LaTeX parser: pip install antlr4-python3-runtime==4.11.*"""
    from sympy.parsing.latex import parse_latex
    assert sympy.simplify(parse_latex(r"\frac{a}{2}") - sympy.Symbol("a") / 2) == 0


@pytest.mark.parametrize("name", BUILTIN + RESUM + ORDER_NAMES)
def test_roundtrip_through_sympy_parser(name):
    obj = X.get_expression(RF, name)
    assert same(obj, L.roundtrip(obj, notation=RF)), "inline LaTeX"
    text = L.to_display(obj, label="eq:" + name, notation=RF)
    assert same(obj, L.roundtrip(obj, text, notation=RF)), "displayed LaTeX"


@pytest.mark.parametrize("name", ["ridge", "deep-random-features", "user"])
def test_roundtrip_of_other_models(name, user_model):
    model = user_model[1] if name == "user" else load_model(name)
    for expr in ("order-0", "order-1", "order-2", "order-2-all"):
        obj = X.get_expression(model, expr)
        assert same(obj, L.roundtrip(obj, notation=model)), expr
        assert same(obj, L.roundtrip(obj, L.to_display(obj, notation=model, width=40), notation=model)), expr


def test_roundtrip_catches_a_wrong_formula():
    obj = X.get_expression(RF, "resummation_factor")
    right = L.to_latex(obj, notation=RF)
    wrong = right.replace(r"1 - N", r"1 + N", 1)
    assert wrong != right and not same(obj, L.roundtrip(obj, wrong, notation=RF))
    obj = X.get_expression(DEEP, "order-2")
    right = L.to_latex(obj, notation=DEEP)
    wrong = right.replace(r"3 N^{2}", r"2 N^{2}", 1)
    assert wrong != right and not same(obj, L.roundtrip(obj, wrong, notation=DEEP))


def _top_level_terms(tex: str) -> int:
    """Number of terms of a sum written in LaTeX: the signs ``+``/``-`` outside any brackets."""
    depth, n, i = 0, 1, 0
    tex = tex.replace(r"\left(", "(").replace(r"\right)", ")").replace(r"\left[", "[").replace(r"\right]", "]")
    while i < len(tex):
        ch = tex[i]
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch in "+-" and depth == 0 and i > 0:
            n += 1
        i += 1
    return n


def test_broken_lines_hold_the_whole_sum():
    """The lines of a broken order sum: each fits the line, none could have taken the next piece,
    together they hold every term once and read back (sympy's parser) as the sum."""
    eq = X.get_expression(RF, "order-3")
    text = L.to_display(eq, notation=RF)
    assert text.startswith("\\begin{multline*}") and text.rstrip().endswith("\\end{multline*}")
    lines = [x.rstrip("\\ ").strip() for x in text.splitlines()[1:-1]]
    assert len(lines) >= 4
    assert all(L.latex_width(x) <= L.LINE_CHARS for x in lines)
    for a, b in zip(lines, lines[1:]):  # greedy: the first piece of the next line did not fit
        first = re.match(r"\{\} ([+-] .*?)(?= [+-] |$)", b).group(1)
        assert L.latex_width(a + " " + first + r" \Big]") > L.LINE_CHARS, (a, first)
    body = " ".join(lines)
    assert re.search(r"= \\frac\{C \\sigma_w\^2\}\{2 M\} \\Big\[ ", body) and body.endswith(r" \Big]")
    inner = next(a for a in eq.rhs.args if isinstance(a, sympy.Add))
    bracket = body[body.index(r"\Big[") + 5:-len(r" \Big]")].replace("{} ", "").strip()
    assert _top_level_terms(bracket) == len(inner.args) > 20
    assert same(eq, L.roundtrip(eq, text, notation=RF))


def test_display_environments():
    xi = X.get_expression(RF, "xi")
    assert L.to_display(xi, notation=RF).startswith("\\begin{equation*}")
    numbered = L.to_display(xi, label="eq:xi", notation=RF)
    assert numbered.startswith("\\begin{equation}\\label{eq:xi}")
    chain = L.to_display(X.get_expression(RF, "consistency"), label="eq:c", notation=RF)
    assert chain.startswith("\\begin{align}") and chain.count("\\nonumber") == 1 and "&=" in chain
    assert L.to_display(X.get_expression(RF, "order-3"), label="eq:o3", notation=RF) \
        .startswith("\\begin{multline}\\label{eq:o3}")
    # a narrow line breaks the same sum into more lines
    wide = L.to_display(X.get_expression(RF, "order-2"), width=200, notation=RF)
    narrow = L.to_display(X.get_expression(RF, "order-2"), width=40, notation=RF)
    assert wide.count("\\\\\n") < narrow.count("\\\\\n")
    with pytest.raises(ValueError, match="label"):
        L.to_display(xi, label="bad label")
    with pytest.raises(ValueError, match="width"):
        L.to_display(xi, width=5)


def test_unbreakable_wide_formula_is_scaled_to_the_line():
    big = sympy.Symbol("x") / (1 + sum(sympy.Symbol(f"a_{i}") * sympy.Symbol(f"b_{i}") ** 2 for i in range(40)))
    text = L.to_display(big)
    assert "\\resizebox{\\linewidth}{!}" in text
    assert same(big, L.roundtrip(big, text))


def test_matrix_and_word_latex():
    A = RF.observable[0].expr
    assert L.matrix_latex(A, RF) == (r"x \left(\gamma + x^{\top} u^{\top} u x\right)^{-1} x^{\top} u^{\top} u \hat{x}"
                                     r" - \hat{x}")
    term = E.terms(DEEP, 1)[0]
    assert L.word_latex(term.word, DEEP) == \
        r"\operatorname{tr}\left(\hat{x}^{\top} x x^{\top} u^{\top} v^{\top} v u \hat{x}\right)"


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


@pytest.mark.parametrize("name,max_order,count", [("random-features", 2, 1 + 1 + 18), ("ridge", 2, 1 + 1 + 6),
                                                  ("deep-random-features", 2, 1 + 1 + 54), ("user", 2, None),
                                                  ("diagonal", 3, None)])
def test_every_face_is_one_closed_curve_of_its_style(name, max_order, count, user_model, diagonal_model):
    """The index strands of a drawing close into exactly the faces of the ribbon graph."""
    import networkx as nx
    model = {"user": user_model[1], "diagonal": diagonal_model[1]}.get(name) or load_model(name)
    n = 0
    for k in range(max_order + 1):
        for term, c in E.diagrams(model, k, "all"):
            if c is None:
                continue
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
    if count is not None:
        assert n == count


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


@pytest.mark.parametrize("name,orders", [("random-features", (2, 3)), ("ridge", (2, 3, 4)),
                                         ("deep-random-features", (2,)), ("user", (2,))])
def test_planar_ribbons_do_not_cross_and_twists_are_crossings(name, orders, user_model):
    model = user_model[1] if name == "user" else load_model(name)
    for k in orders:
        for term, c in E.diagrams(model, k, "planar"):
            lay = TZ.layout(c)
            lines = [_polyline(s) for s in lay.strands if s.kind == "edge"]
            for (i, a), (j, b) in itertools.combinations(enumerate(lines), 2):
                assert _crossings(a, b) == 0, (str(c), i, j)
    twisted = [(t, c) for t, c in E.diagrams(model, 2, "all") if c is not None and not c.is_orientable]
    assert twisted
    for term, c in twisted:
        lay = TZ.layout(c)
        for e, tw in enumerate(c.twisted()):
            pair = [_polyline(s) for s in lay.strands if s.kind == "edge" and s.edge == e]
            assert len(pair) == 2
            assert _crossings(*pair) == (1 if tw else 0), (str(c), e)


def test_crossing_check_can_fail():
    """A non-planar orientable diagram (genus 1) must show crossing ribbons."""
    from diagrams.engine.matrices import GaussianMatrix
    from diagrams.engine.spaces import Space
    from diagrams.engine.wick import contractions
    from diagrams.engine.words import Word

    V = Space("v", "n")
    H = GaussianMatrix("H", V, V, symmetry="hermitian")
    torus = next(c for c in contractions(Word.parse("H H H H", [H])) if not c.is_planar)
    lines = [_polyline(s) for s in TZ.layout(torus).strands if s.kind == "edge"]
    assert sum(_crossings(a, b) for a, b in itertools.combinations(lines, 2)) > 0


@pytest.mark.parametrize("name", SHIPPED)
def test_strand_styles_follow_the_edge_attributes(name):
    from diagrams.engine.ribbon import ribbon_graph
    for term, c in E.diagrams(load_model(name), 2, "all"):
        G = ribbon_graph(c)
        lay = TZ.layout(c)
        for _, _, i, data in G.edges(keys=True, data=True):
            drawn = sorted((s.space, s.style, s.covariance) for s in lay.strands if s.edge == i)
            expected = sorted((st["space"], st["style"], st["covariance"]) for st in data["strands"])
            assert drawn == expected


def test_tikz_code():
    from diagrams.engine.spaces import LINE_STYLES

    assert set(TZ.STYLE_NAMES) == set(LINE_STYLES)
    for style in LINE_STYLES:
        assert TZ.STYLE_NAMES[style] + "/.style" in TZ.TIKZ_PREAMBLE
    term, c = list(E.diagrams(RF, 2))[3]
    lay = TZ.layout(c)
    code = TZ.tikz_diagram(c, scale=0.5, notation=RF)
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
    # the hidden layer of the deep model is dash-dotted
    term, c = next(E.diagrams(DEEP, 1))
    lay = TZ.layout(c)
    assert TZ.tikz_diagram(c).count("\\draw[strand dashdotted]") == \
        sum(len(s.segments) for s in lay.strands if s.style == "dashdotted") > 0
    with pytest.raises(ValueError, match="scale"):
        TZ.tikz_diagram(c, scale=0)
    with pytest.raises(ValueError, match="wavy"):
        TZ.tikz_diagram(c, wavy="curly")
    with pytest.raises(ValueError, match="Contraction"):
        TZ.layout("x x")


def test_diagonal_matrices_are_marked(diagonal_model):
    _, model = diagonal_model
    term, c = next(E.diagrams(model, 2, "all"))
    lay = TZ.layout(c, notation=model)
    assert [tex for _, _, tex in lay.marks] == [r"\mathcal{D}"] * sum(len(d) for d in c.word.decorations)
    code = TZ.tikz_diagram(c, notation=model)
    assert code.count("circle[radius=") == len(lay.marks) and "{$\\mathcal{D}$}" in code


def test_caption_and_word_latex():
    term, c = list(E.diagrams(RF, 2))[0]
    cap = TZ.diagram_caption(c, term.coefficient, notation=RF)
    assert cap == "$" + L.to_latex(term.coefficient * c.value, notation=RF) + "$"
    assert cap.startswith("$2 ") and r"\hat{T}" in cap
    assert L.word_latex(term.word, RF).startswith(r"\operatorname{tr}\left(\hat{x}^{\top} x x^{\top} u^{\top} u")


def test_topology_of_non_planar_captions():
    """Known surfaces: tr(H^4) of a GUE matrix has the torus (chi = 0) among its pairings; a twisted
    pairing of tr(A^T A^T) of a real matrix is the projective plane (chi = 1)."""
    from diagrams.engine.matrices import GaussianMatrix
    from diagrams.engine.spaces import Space
    from diagrams.engine.wick import contractions
    from diagrams.engine.words import Word

    V = Space("v", "n")
    H = GaussianMatrix("H", V, V, symmetry="hermitian")
    torus = [c for c in contractions(Word.parse("H H H H", [H])) if not c.is_planar]
    assert len(torus) == 1
    assert TZ.diagram_caption(torus[0]) == "$n$, $\\chi = 0$, orientable, genus 1"
    A = GaussianMatrix("A", V, V)
    (plane,) = contractions(Word.parse("A A", [A]))
    assert TZ.diagram_caption(plane) == "$n$, $\\chi = 1$, non-orientable, 1 cross-cap"
    assert TZ.diagram_caption(plane, topology=False) == "$n$"
    (sphere,) = contractions(Word.parse("A A^T", [A]))
    assert TZ.diagram_caption(sphere) == "$n^{2}$" and TZ.topology_text(sphere) == ""


def test_legend_from_the_spaces():
    for model in (RF, RIDGE, DEEP):
        legend = TZ.legend_tikz(model.spaces, notation=model)
        assert legend.count("\\begin{tikzpicture}") == len(model.spaces)
        for sp in model.spaces.values():
            assert f"[{TZ.STYLE_NAMES[sp.style]}]" in legend and sp.name in legend
    assert "hidden ($N_1$)" in TZ.legend_tikz(DEEP.spaces, notation=DEEP)
    with pytest.raises(ValueError, match="spaces"):
        TZ.legend_tikz([])


# ============================================================================ matplotlib

def test_save_diagram_png_and_svg(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    from diagrams.output.draw import draw_diagram, save_diagram

    term, c = next(t for t in E.diagrams(RF, 2, "all") if not t[1].is_orientable)
    png = save_diagram(c, tmp_path / "d.png", coefficient=term.coefficient, notation=RF)
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 5000
    svg = save_diagram(c, tmp_path / "d.svg", caption=False)
    assert "<svg" in svg.read_text()
    ax = draw_diagram(c, caption=False)
    assert len(ax.lines) == len(TZ.layout(c).strands)
    term, c = next(E.diagrams(DEEP, 2))
    ax = draw_diagram(c, notation=DEEP, coefficient=term.coefficient)
    assert {ln.get_color() for ln in ax.lines} >= {"#b36b00"}  # the dash-dotted hidden layer
    with pytest.raises(ValueError, match="png"):
        save_diagram(c, tmp_path / "d.jpg")


# ============================================================================ documents

def _pictures(tex: str) -> int:
    return tex.count("\\begin{tikzpicture}")


@pytest.mark.parametrize("name", SHIPPED)
def test_build_document_structure(name):
    model = load_model(name)
    tex = D.build_document(model, 2, closed_form=False)
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    planar = sum(E.count_planar_diagrams(model, k) for k in range(3))  # the interval recursion, nothing listed
    assert _pictures(tex) == len(model.spaces) + planar
    assert tex.count("\\clearpage") == 1  # order 2 from a new page
    for k in range(3):
        assert "\\subsection*{Sum of order $\\gamma^{-%d}$}" % k in tex
        assert re.search(r"\\section\*\{Order \$\\gamma\^\{-%d\}\$: %d planar diagrams?\}"
                         % (k, E.count_planar_diagrams(model, k)), tex)
    assert "breqn" not in tex and "Formulas of the model" not in tex and "\\label{" not in tex
    for sp in model.spaces.values():
        assert TZ.STYLE_NAMES[sp.style] in tex
    all_genera = D.build_document(model, 2, "all", closed_form=False)
    assert _pictures(all_genera) == len(model.spaces) + sum(E.count_all(model, k) for k in range(3))
    n_nonplanar = sum(1 for k in range(3) for _, c in E.diagrams(model, k, "all") if not c.is_planar)
    assert all_genera.count("\\chi = ") == n_nonplanar > 0


def test_document_order_sums_are_the_coefficients():
    """The order sums printed in a document are the coefficients of the recursion (parsed back)."""
    tex = D.build_document(RIDGE, 3, closed_form=False)
    sums = re.findall(r"Sum of order .*?\n(\\begin\{(?:equation|multline)\*\}.*?\\end\{(?:equation|multline)\*\})",
                      tex, re.S)
    assert len(sums) == 4
    for k, text in enumerate(sums):
        expected = X.get_expression(RIDGE, f"order-{k}")
        assert same(expected, L.roundtrip(expected, text, notation=RIDGE)), k


def test_document_with_formulas():
    tex = D.build_document(RF, 1)
    assert tex.count("\\clearpage") == 1 and "Formulas of the model" in tex
    for name in REQUIRED + RESUM:
        assert "\\label{eq:%s}" % name in tex
    assert "\\begin{align}" in tex and "could not be built" not in tex
    m = load_model("ridge")
    saved = m.latex_expressions
    try:
        m.latex_expressions = lambda: {"broken": ("a formula that fails", lambda: 1 / 0),
                                       "fine": ("a formula", lambda: sympy.Eq(sympy.Symbol("a"), 2))}
        tex = D.build_document(m, 0)
        assert "could not be built: ZeroDivisionError" in tex and "\\label{eq:fine}" in tex
    finally:
        m.latex_expressions = saved


def test_build_document_classes():
    tex = D.build_document(RF, 2, classes=F.diagram_class, closed_form=False)
    assert tex.count("Sum of the class") >= 2 and "class $P\\,X^{1}$" in tex
    assert _pictures(tex) == len(RF.spaces) + 1 + 2 + 10  # mirror words written out
    # any model takes a classifier: here by number of faces
    tex = D.build_document(RIDGE, 2, classes=lambda t, c: (str(c.value), "value $%s$" % L.to_latex(c.value)),
                           closed_form=False)
    assert tex.count("\\subsection*{value $") == 1 + 1 + 2 and tex.count("Sum of the class") == 2
    with pytest.raises(ValueError, match="classes"):
        D.build_document(RF, 1, classes="yes")


def test_build_document_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="order"):
        D.build_document(RF, -1)
    with pytest.raises(ValueError, match=r"at most 750 diagrams.*\(K <= 3\)"):
        D.build_document(RF, 4, "all")
    with pytest.raises(ValueError, match=r"K <= 4"):
        D.build_document(RF, 5)
    with pytest.raises(ValueError, match=r"K <= 2"):
        D.build_document(DEEP, 3, "all")
    with pytest.raises(ValueError, match="genus"):
        D.build_document(RF, 1, "toroidal")
    with pytest.raises(ValueError, match="model"):
        D.build_document("random-features", 1)
    with pytest.raises(ValueError, match=".tex"):
        D.write_document(tmp_path / "x.pdf", RF, 1)
    with pytest.raises(ValueError, match="does not exist"):
        D.write_document(tmp_path / "missing" / "x.tex", RF, 1)
    (tmp_path / "dir.tex").mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        D.write_document(tmp_path / "dir.tex", RF, 1)


def test_document_limits_count_the_diagrams():
    """The bound of a document is the number of its diagrams (counted independently here by listing)."""
    for model in (RF, RIDGE, DEEP):
        for genus in ("planar", "all"):
            k = D.document_order_limit(model, genus)
            listed = sum(1 for j in range(k + 1) for _ in E.diagrams(model, j, genus))
            assert listed <= D.MAX_DIAGRAMS
            nxt = (E.count_planar_diagrams if genus == "planar" else E.count_all)(model, k + 1)
            assert listed + nxt > D.MAX_DIAGRAMS
    assert [D.document_order_limit(m, "planar") for m in (RF, RIDGE, DEEP)] == [4, 5, 3]
    assert [D.document_order_limit(m, "all") for m in (RF, RIDGE, DEEP)] == [3, 4, 2]


def test_write_document_leaves_nothing_half_written(tmp_path, monkeypatch):
    target = tmp_path / "doc.tex"
    target.write_text("old content")

    def fail(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))
    monkeypatch.setattr(D.os, "replace", fail)
    with pytest.raises(PermissionError):
        D.write_document(target, RIDGE, 1)
    assert target.read_text() == "old content" and sorted(p.name for p in tmp_path.iterdir()) == ["doc.tex"]


def _compile_and_check(tex_path: Path, order: int):
    pdf = D.compile_pdf(tex_path)
    assert pdf == tex_path.with_suffix(".pdf") and pdf.read_bytes()[:5] == b"%PDF-"
    problems = D.log_problems(tex_path.with_suffix(".log"))
    assert problems["errors"] == 0
    assert problems["overfull"] == 0, "overfull boxes"
    pages = D.pdf_page_count(pdf)
    assert pages == problems["pages"]
    assert pages >= max(order, 1)  # orders 0 and 1, then each order on a new page
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


COMPILED = [("random-features", 0, "planar"), ("random-features", 1, "planar"), ("random-features", 2, "planar"),
            ("random-features", 3, "planar"), ("random-features", 0, "all"), ("random-features", 1, "all"),
            ("random-features", 2, "all"), ("ridge", 3, "planar"), ("ridge", 3, "all"),
            ("deep-random-features", 2, "planar"), ("deep-random-features", 2, "all"),
            ("user", 2, "planar"), ("user", 2, "all"), ("diagonal", 3, "all")]


@needs_pdflatex
@pytest.mark.slow
@pytest.mark.parametrize("name,order,genus", COMPILED)
def test_document_compiles(name, order, genus, tmp_path, user_model, diagonal_model):
    model = {"user": user_model[1], "diagonal": diagonal_model[1]}.get(name) or load_model(name)
    tex = D.write_document(tmp_path / f"{name}_{genus}_order{order}.tex", model, order, genus)
    pdf, pages = _compile_and_check(tex, order)
    text = _text(pdf)
    assert text.count("Sum of order") == order + 1
    count = E.count_planar_diagrams if genus == "planar" else E.count_all
    counts = [count(model, k) for k in range(order + 1)]
    for k, n in enumerate(counts):
        noun = ("planar diagram" if genus == "planar" else "diagram") + ("" if n == 1 else "s")
        assert re.search(r"%d %s" % (n, noun), text), (k, n)
    # every diagram carries its number in the caption
    assert re.search(r"\(%d\)" % max(counts), text)
    if genus == "all" and max(counts) > 1:
        assert "orientable" in text
    _first_page_png(pdf, f"{name}_{genus}_order{order}")


@needs_pdflatex
@pytest.mark.slow
def test_document_with_classes_and_formulas_compiles(tmp_path):
    tex = D.write_document(tmp_path / "classes.tex", RF, 2, classes=F.diagram_class)
    _compile_and_check(tex, 2)


@needs_pdflatex
def test_compile_errors_are_reported(tmp_path, monkeypatch):
    bad = tmp_path / "bad.tex"
    bad.write_text("\\documentclass{article}\\begin{document}\\undefinedmacro\\end{document}\n")
    with pytest.raises(RuntimeError, match="Undefined control sequence"):
        D.compile_pdf(bad)
    assert not bad.with_suffix(".pdf").exists()
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
    for name in REQUIRED + RESUM + ("order-K", "order-K-all"):
        assert name in names
    code, out, err = run_cli(["latex", "--model", "ridge", "--list", "--json"], capsys, monkeypatch)
    assert code == 0 and [e["name"] for e in json.loads(out)["expressions"]] == ["order-K", "order-K-all"]


def test_cli_expr(capsys, monkeypatch):
    code, out, err = run_cli(["latex", "--expr", "consistency"], capsys, monkeypatch)
    assert code == 0 and out.strip() == L.to_latex(X.get_expression(RF, "consistency"), notation=RF)
    code, out, err = run_cli(["latex", "--expr", "order-2", "--genus", "all", "--label", "eq:o2"], capsys, monkeypatch)
    assert code == 0 and out.strip() == L.to_display(X.get_expression(RF, "order-2-all"), label="eq:o2", notation=RF)
    code, out, err = run_cli(["latex", "--expr", "loss", "--display"], capsys, monkeypatch)
    assert code == 0 and out.startswith("\\begin{equation*}")
    code, out, err = run_cli(["latex", "--model", "deep-random-features", "--expr", "order-1", "--json"],
                             capsys, monkeypatch)
    data = json.loads(out)
    assert code == 0 and data["name"] == "order-1" and r"\Sigma_1" in data["latex"]


def test_cli_user_model(user_model, tmp_path, capsys, monkeypatch):
    spec, model = user_model
    code, out, err = run_cli(["latex", "--model", spec, "--expr", "order-1"], capsys, monkeypatch)
    assert code == 0 and out.strip().startswith(r"[\gamma^{-1}]\, \langle F \rangle = ")
    code, out, err = run_cli(["latex", "--model", spec, "--order", "1", "--no-closed-form"], capsys, monkeypatch)
    assert code == 0 and out.startswith("\\documentclass") and "user-two-layer" in out
    code, out, err = run_cli(["latex", "--model", spec, "--order", "1", "--classes"], capsys, monkeypatch)
    assert code == 2 and "random-features model only" in err


@pytest.mark.parametrize("argv,message", [
    (["latex", "--expr", "nope"], "unknown expression"),
    (["latex", "--expr", "order-7"], "order: must be an integer in [0, 6]"),
    (["latex", "--model", "deep-random-features", "--expr", "order-4", "--genus", "all"], "K <= 3"),
    (["latex", "--order", "-1"], "--order"),
    (["latex", "--order", "x"], "--order"),
    (["latex", "--order", "1e30"], "--order"),
    (["latex", "--order", "1", "--pdf"], "-o FILE.tex"),
    (["latex", "--order", "1", "-o", "out.pdf"], ".tex file name"),
    (["latex", "--order", "1", "-o", "/nonexistent/x.tex"], "does not exist"),
    (["latex", "--order", "9"], "--order: a document holds at most 750 diagrams"),
    (["latex", "--order", "5"], "(K <= 4)"),
    (["latex", "--model", "ridge", "--order", "5", "--genus", "all"], "(K <= 4)"),
    (["latex", "--model", "ridge", "--order", "2", "--classes"], "--classes"),
    (["latex", "--model", "nope", "--list"], "unknown model"),
])
def test_cli_errors(argv, message, capsys, monkeypatch):
    code, out, err = run_cli(argv, capsys, monkeypatch)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_cli_help_states_the_limits(capsys, monkeypatch):
    code, out, err = run_cli(["latex", "--model", "ridge", "--help"], capsys, monkeypatch)
    text = " ".join(out.split())
    assert code == 0 and "at most 750 diagrams in all; for ridge planar: K <= 5; all: K <= 4" in text
    assert "order-K: K <= 6; order-K-all: at most 50000 contractions, for ridge K <= 5" in text


def test_cli_unusable_output_paths(tmp_path, capsys, monkeypatch):
    (tmp_path / "dir.tex").mkdir()
    code, out, err = run_cli(["latex", "--order", "1", "-o", str(tmp_path / "dir.tex")], capsys, monkeypatch)
    assert code == 2 and err.count("\n") == 1 and "is a directory" in err
    (tmp_path / "doc.pdf").mkdir()
    code, out, err = run_cli(["latex", "--order", "1", "-o", str(tmp_path / "doc.tex"), "--pdf"], capsys, monkeypatch)
    assert code == 2 and "doc.pdf is a directory" in err and not (tmp_path / "doc.tex").exists()

    def fail(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))
    monkeypatch.setattr(D.os, "replace", fail)
    code, out, err = run_cli(["latex", "--order", "1", "-o", str(tmp_path / "x.tex")], capsys, monkeypatch)
    assert code == 2 and err.count("\n") == 1 and "Permission denied" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.tex", "doc.pdf"]


def test_cli_read_only_directory(tmp_path, capsys, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    if os.geteuid() == 0:       # root writes into read-only directories: refuse the file as the OS would
        real_open = open

        def read_only_open(file, mode="r", *args, **kwargs):
            if Path(file).parent == ro and any(m in mode for m in "wxa"):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, mode, *args, **kwargs)
        monkeypatch.setattr(D, "open", read_only_open, raising=False)
    try:
        code, out, err = run_cli(["latex", "--order", "1", "-o", str(ro / "x.tex")], capsys, monkeypatch)
    finally:
        ro.chmod(0o700)
    assert code == 2 and err.count("\n") == 1 and list(ro.iterdir()) == []


def test_cli_document_to_stdout(capsys, monkeypatch):
    code, out, err = run_cli(["latex", "--order", "1", "--no-closed-form"], capsys, monkeypatch)
    assert code == 0 and out.startswith("\\documentclass") and "Formulas of the model" not in out
    code, out, err = run_cli(["latex", "--model", "ridge", "--order", "1", "--json"], capsys, monkeypatch)
    data = json.loads(out)
    assert code == 0 and data["files"] == [] and data["tex"].startswith("\\documentclass")


@needs_pdflatex
def test_cli_pdf_json(tmp_path, capsys, monkeypatch):
    target = tmp_path / "x.tex"
    code, out, err = run_cli(["latex", "--model", "ridge", "--order", "2", "-o", str(target), "--pdf", "--json"],
                             capsys, monkeypatch)
    assert code == 0, err
    files = json.loads(out)["files"]
    assert files == [str(target), str(target.with_suffix(".pdf")), str(target.with_suffix(".log"))]
    assert all(Path(f).is_file() for f in files)
    assert D.log_problems(target.with_suffix(".log"))["overfull"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.log", "x.pdf", "x.tex"]


@needs_pdflatex
def test_cli_pdf_of_a_user_model(user_model, tmp_path, capsys, monkeypatch):
    spec, _ = user_model
    target = tmp_path / "user.tex"
    code, out, err = run_cli(["latex", "--model", spec, "--order", "2", "-o", str(target), "--pdf"], capsys, monkeypatch)
    assert code == 0, err
    assert out.strip() == str(target.with_suffix(".pdf")) and target.with_suffix(".pdf").is_file()
