r"""LaTeX of the toolkit's expressions, in the paper's notation.

Every expression goes through :func:`sympy.latex`; the paper's notation comes from the symbols
themselves (:class:`PaperSymbol`, :class:`MatrixTrace`, the engine's
:class:`~diagrams.engine.symbols.LatentTrace`) and from :data:`NOTATION`, which :func:`to_latex`
passes to sympy as ``symbol_names`` so that plain symbols of other modules named ``q``, ``That``,
``sigma_w2``, ... print as ``\langle q \rangle``, ``\hat{T}``, ``\sigma_w^{2}``.

The registry :data:`EXPRESSIONS` maps a name to a zero-argument callable that returns a sympy
``Expr``, an ``Eq`` or a tuple of ``Eq`` (a chain ``a = b = c`` when each right side is the next
left side).  It holds the closed form of the paper (Eq. 104 and its pieces, the consistency
relation Eq. 99, the split into resummation factor and primary diagrams) written out as formulas,
the scaling laws of REFERENCE Sec. 5, and, under the names ``order-K`` and ``order-K-all``, the
coefficient of ``gamma^-K`` rebuilt from the diagrams.  Other modules add their rebuilt
expressions with :func:`register_expression`.

>>> to_latex(get_expression("xi"))
'\\xi = N T \\langle Q \\rangle \\langle q \\rangle'
>>> print(to_display(get_expression("r_d"), label="eq:rd"))
\begin{equation}\label{eq:rd}
r_{d}' = \operatorname{tr}\left[\Lambda \Sigma \left(1 + \gamma \xi \Lambda \Sigma\right)^{-2}\right]
\end{equation}
>>> "order-3" in expression_names()
False
>>> from diagrams.analysis.expansion import order_summary
>>> from diagrams.models.random_features.model import MODEL
>>> sympy.expand(get_expression("order-2").rhs) == order_summary(MODEL, 2)["coefficient"]
True
"""

from __future__ import annotations

import importlib
import re
from typing import Callable

import sympy
from sympy.matrices.expressions import Identity, MatAdd, MatMul, MatPow, MatrixSymbol, Trace

from diagrams.engine.symbols import LATEX_NAMES, LatentTrace
from diagrams.models.random_features.model import C, M, N, T, gamma, sigma_u2, sigma_w2

__all__ = [
    "NOTATION",
    "PaperSymbol",
    "MatrixTrace",
    "EXPRESSIONS",
    "DESCRIPTIONS",
    "register_expression",
    "expression_names",
    "get_expression",
    "to_latex",
    "to_display",
    "latex_width",
    "strip_layout",
    "roundtrip",
    "LINE_CHARS",
    "with_prefactor",
    "MATRICES",
]

#: LaTeX of symbol names (the paper's notation).  :func:`to_latex` applies it to every symbol of
#: an expression whose name is listed, whatever module created the symbol.
NOTATION: dict[str, str] = {
    "q": r"\langle q \rangle",
    "Q": r"\langle Q \rangle",
    "xi": r"\xi",
    "Xi": r"\Xi",
    "That": r"\hat{T}",
    "sigma_w2": r"\sigma_w^{2}",
    "sigma_u2": r"\sigma_u^{2}",
    "lambda_plus": r"\lambda_{+}",
    "c_alpha": r"c_{\alpha}",
    "Lhat": r"\langle \hat{L} \rangle",
    "Lhat_star": r"\langle \hat{L} \rangle_{\gamma^{*}}",
    "Lhat_ridgeless": r"\langle \hat{L} \rangle_{\gamma \to 0}",
    "gamma_star": r"\gamma^{*}",
    "r_c": r"r_{c}",
    "r_d": r"r_{d}'",
    "l": r"l",
    "D": r"D",
    "v": r"v",
    "R": r"R",
    "P": r"P",
}

_ORDER_SYMBOL = re.compile(r"^Lhat_order_(\d+)$")

#: Default budget of one displayed line, in the units of :func:`latex_width` (at 10pt a unit is
#: at most 6.3pt: the 17.4 cm of an A4 page with 1.8 cm margins hold 76 of them; a standard
#: ``article`` line of 345pt about 54).
LINE_CHARS = 76


def _notation(name: str) -> str | None:
    if name in NOTATION:
        return NOTATION[name]
    m = _ORDER_SYMBOL.match(name)
    if m:
        return r"[\gamma^{-%s}]\, \langle \hat{L} \rangle" % m.group(1)
    return None


class PaperSymbol(sympy.Symbol):
    r"""A sympy symbol that prints in the paper's notation (looked up in :data:`NOTATION`).

    >>> sympy.latex(PaperSymbol("q", positive=True) ** 2)
    '\\langle q \\rangle^{2}'
    """

    def _latex(self, printer):
        tex = _notation(self.name)
        return tex if tex is not None else printer._print_Symbol(self)


# -- matrices and traces of matrix functions --------------------------------------------------------
_Lambda = MatrixSymbol("Lambda", M, M)
_Lambdahat = MatrixSymbol("Lambdahat", M, M)
_Sigma = MatrixSymbol("Sigma", M, M)
_One = Identity(M)
#: The covariance matrices of the closed form as sympy matrix symbols (M x M).
MATRICES = {"Lambda": _Lambda, "Lambdahat": _Lambdahat, "Sigma": _Sigma}


def _mat_latex(printer, e) -> str:
    """Matrix expression with ``1`` for the identity, written first in a sum."""
    if isinstance(e, Identity):
        return "1"
    if isinstance(e, MatrixSymbol):
        return LATEX_NAMES.get(e.name) or printer._print(e)
    if isinstance(e, MatAdd):
        terms = sorted(e.args, key=lambda t: not isinstance(t, Identity))
        out = ""
        for i, t in enumerate(terms):
            s = _mat_latex(printer, t)
            if i == 0:
                out = s
            elif s.startswith("-"):
                out += " - " + s[1:].lstrip()
            else:
                out += " + " + s
        return out
    if isinstance(e, MatMul):
        coeff, mats = e.as_coeff_mmul()
        parts = []
        for a in mats.args if isinstance(mats, MatMul) else (mats,):
            s = _mat_latex(printer, a)
            if isinstance(a, MatAdd):
                s = r"\left(%s\right)" % s
            parts.append(s)
        body = " ".join(parts)
        if coeff == 1:
            return body
        if coeff == -1:
            return "-" + body
        c = printer._print(coeff)
        if isinstance(coeff, sympy.Add):
            c = r"\left(%s\right)" % c
        return c + " " + body
    if isinstance(e, MatPow):
        base, exp = e.args
        s = _mat_latex(printer, base)
        if isinstance(base, (MatAdd, MatMul)):
            s = r"\left(%s\right)" % s
        return "%s^{%s}" % (s, printer._print(exp))
    return printer._print(e)


class MatrixTrace(Trace):
    r"""``tr[...]`` of a matrix function of ``Lambda``, ``Lambdahat``, ``Sigma``, in square brackets.

    >>> sympy.latex(MatrixTrace(_Lambdahat * (_One + gamma * _Lambda * _Sigma) ** -2))
    '\\operatorname{tr}\\left[\\hat{\\Lambda} \\left(1 + \\gamma \\Lambda \\Sigma\\right)^{-2}\\right]'
    """

    def _latex(self, printer):
        return r"\operatorname{tr}\left[%s\right]" % _mat_latex(printer, self.arg)


# -- the symbols of the closed form -------------------------------------------------------------------
q = PaperSymbol("q", positive=True)
Q = PaperSymbol("Q", positive=True)
xi = PaperSymbol("xi", positive=True)
Xi = PaperSymbol("Xi", positive=True)
alpha = sympy.Symbol("alpha", positive=True)
nu = sympy.Symbol("nu", positive=True)
lambda_plus = PaperSymbol("lambda_plus", positive=True)
c_alpha = PaperSymbol("c_alpha", positive=True)
Lhat = PaperSymbol("Lhat", positive=True)
l_, D_, r_c, v_, r_d, R_, P_ = (PaperSymbol(n, real=True) for n in ("l", "D", "r_c", "v", "r_d", "R", "P"))

_LS = _Lambda * _Sigma
_G = _One + gamma * xi * _LS


def _trace_l():
    return MatrixTrace(_Lambdahat * _G ** -2)


def _trace_ls2():
    return MatrixTrace(_LS ** 2 * _G ** -2)


def _trace_ls():
    return MatrixTrace(_LS * _G ** -2)


def _expr_l():
    return sympy.Eq(l_, _trace_l())


def _expr_rc():
    return sympy.Eq(r_c, T ** 2 * Q ** 2 * _trace_ls2())


def _expr_v():
    return sympy.Eq(v_, N ** 2 * q ** 2 * _trace_ls2())


def _expr_rd():
    return sympy.Eq(r_d, _trace_ls())


def _blob_a():
    return gamma ** 2 * N * q ** 2 * r_c


def _blob_b():
    return gamma ** 2 * T * Q ** 2 * v_


def _blob_g():
    return gamma ** 2 * xi ** 2 * r_d ** 2 / (N * T)


def _expr_D():
    return sympy.Eq(D_, (1 - _blob_a()) * (1 - _blob_b()) - _blob_g())


def _expr_loss():
    return sympy.Eq(Lhat, C * sigma_w2 / (2 * M) * l_ / ((1 - _blob_a()) * (1 - _blob_b()) - _blob_g()))


def _expr_loss_factorised():
    return sympy.Eq(Lhat, C * sigma_w2 / (2 * M) * R_ * P_)


def _expr_xi():
    return sympy.Eq(xi, N * T * q * Q)


def _expr_consistency():
    lhs = sympy.Mul(gamma, xi, MatrixTrace(_LS * _G ** -1), evaluate=False)  # printed in this order
    mid = N * (1 - gamma * q)
    return (sympy.Eq(lhs, mid), sympy.Eq(mid, T * (1 - gamma * Q)))


def _expr_primary():
    return sympy.Eq(P_, _trace_l() / (1 - gamma ** 2 * T * Q ** 2 * N ** 2 * q ** 2 * _trace_ls2()))


def _expr_resummation_factor():
    return sympy.Eq(R_, 1 / (1 - _blob_a() - _blob_g() / (1 - _blob_b())))


def _c_alpha_value():
    return (sympy.pi / (1 + alpha)) / sympy.sin(sympy.pi / (1 + alpha))


def _expr_c_alpha():
    return sympy.Eq(c_alpha, _c_alpha_value())


def _expr_Xi():
    return (sympy.Eq(Xi, N * (1 - gamma * q)), sympy.Eq(N * (1 - gamma * q), T * (1 - gamma * Q)))


def _expr_scaling_loss():
    pre = C * sigma_w2 * lambda_plus * c_alpha ** (1 + alpha) / (2 * M * (1 + alpha))
    den = 1 - alpha * Xi * (1 / N + 1 / T) / (1 + alpha) + (alpha - 1) * Xi ** 2 / ((1 + alpha) * N * T)
    return sympy.Eq(Lhat, pre * Xi ** (-alpha) / den)


def _expr_scaling_gamma():
    return sympy.Eq(gamma, sigma_u2 * lambda_plus * c_alpha ** (1 + alpha) / M * N * T
                    * (1 - Xi / N) * (1 - Xi / T) * Xi ** (-(1 + alpha)))


def _expr_nu():
    return sympy.Eq(nu, sympy.sqrt(1 - 4 * N * T * (alpha - 1) * (alpha + 2) / (alpha * (alpha + 1) * (N + T) ** 2)))


def _expr_optimal_loss():
    return sympy.Eq(PaperSymbol("Lhat_star", positive=True),
                    C * sigma_w2 * lambda_plus / (2 * M) * c_alpha ** (1 + alpha) * ((1 + nu) / 2) ** (1 + alpha)
                    * ((1 + (1 + alpha) * nu) / (2 + alpha)) ** -1 * (1 / N + 1 / T) ** alpha)


def _expr_optimal_gamma():
    return sympy.Eq(PaperSymbol("gamma_star", positive=True),
                    sigma_u2 * lambda_plus / M * c_alpha ** (1 + alpha) * 2 / (alpha * (alpha + 1))
                    * ((1 + nu) / 2) ** (alpha - 1) * (1 / N + 1 / T) ** (alpha - 1))


def _expr_ridgeless_loss():
    return sympy.Eq(PaperSymbol("Lhat_ridgeless", positive=True),
                    C * sigma_w2 * lambda_plus * c_alpha ** (1 + alpha) * N ** (-alpha) / (2 * M * (1 - N / T)))


#: name -> zero-argument callable returning a sympy Expr, Eq or tuple of Eq.
EXPRESSIONS: dict[str, Callable[[], object]] = {}
#: name -> one line saying what the expression is (used as a heading in documents).
DESCRIPTIONS: dict[str, str] = {}


def register_expression(name: str, func: Callable[[], object], description: str = "",
                        replace: bool = False) -> None:
    """Add ``name`` to :data:`EXPRESSIONS`; ``replace=True`` overrides an existing entry.

    >>> register_expression("loss", lambda: Lhat)
    Traceback (most recent call last):
    ...
    ValueError: name: 'loss' is already registered (pass replace=True to override it)
    """
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_\-]*", name):
        raise ValueError(f"name: an expression name is letters, digits, '_' and '-', got {name!r}")
    if re.fullmatch(r"order-\d+(-all)?", name):
        raise ValueError(f"name: {name!r} is reserved for the rebuilt order coefficients")
    if not callable(func):
        raise ValueError(f"func: {name!r} needs a zero-argument callable, got {type(func).__name__}")
    if name in EXPRESSIONS and not replace:
        raise ValueError(f"name: {name!r} is already registered (pass replace=True to override it)")
    EXPRESSIONS[name] = func
    DESCRIPTIONS[name] = description or name


for _name, _func, _desc in [
    ("loss", _expr_loss, r"Test loss in the planar limit, Eq.~(104)"),
    ("loss_factorised", _expr_loss_factorised, r"Resummation factor times primary diagrams, Eq.~(93)"),
    ("resummation_factor", _expr_resummation_factor, r"Resummation factor $R$"),
    ("primary", _expr_primary, r"Sum of the primary diagrams $P$"),
    ("consistency", _expr_consistency, r"Consistency relation, Eq.~(99)"),
    ("xi", _expr_xi, r"Definition of $\xi$"),
    ("l", _expr_l, r"Latent trace $l$"),
    ("D", _expr_D, r"Denominator $D$ of Eq.~(104)"),
    ("r_c", _expr_rc, r"Connected part $r_c$"),
    ("v", _expr_v, r"Rung $v$"),
    ("r_d", _expr_rd, r"Rung $r_d'$"),
    ("c_alpha", _expr_c_alpha, r"Power-law constant $c_\alpha$"),
    ("Xi", _expr_Xi, r"Effective dimension $\Xi$"),
    ("scaling_loss", _expr_scaling_loss, r"Test loss for power-law data"),
    ("scaling_gamma", _expr_scaling_gamma, r"Ridge as a function of $\Xi$"),
    ("nu", _expr_nu, r"Definition of $\nu$"),
    ("optimal_loss", _expr_optimal_loss, r"Test loss at the optimal ridge"),
    ("optimal_gamma", _expr_optimal_gamma, r"Optimal ridge"),
    ("ridgeless_loss", _expr_ridgeless_loss, r"Ridgeless test loss for $N < T$"),
]:
    register_expression(_name, _func, _desc)

#: Modules imported (if present) before the registry is read, so their registrations appear.
PLUGIN_MODULES = ("diagrams.models.random_features.resum",)


def _load_plugins() -> None:
    for mod in PLUGIN_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name is None or not mod.startswith(exc.name):
                raise


def expression_names() -> list[str]:
    """Registered names, then the pattern names ``order-K`` and ``order-K-all``."""
    _load_plugins()
    return list(EXPRESSIONS)


def with_prefactor(expr, prefactor=C * sigma_w2 / (2 * M)):
    """``prefactor * [expand(expr / prefactor)]`` when the bracket is a sum (printed as
    ``\\frac{C \\sigma_w^{2}}{2 M} \\Big[ ... \\Big]`` by :func:`to_display`), else ``expand(expr)``.

    >>> with_prefactor(C * sigma_w2 * (N + T) / M)
    C*sigma_w2*(2*N + 2*T)/(2*M)
    """
    inner = sympy.expand(sympy.sympify(expr) / prefactor)
    return prefactor * inner if isinstance(inner, sympy.Add) else sympy.expand(expr)


def _order_expression(order: int, genus: str):
    from diagrams.analysis.expansion import order_summary
    from diagrams.models.random_features.model import MODEL

    return sympy.Eq(PaperSymbol(f"Lhat_order_{order}", real=True),
                    with_prefactor(order_summary(MODEL, order, genus)["coefficient"]))


def get_expression(name: str):
    """The sympy object of a registered name, or of ``order-K`` / ``order-K-all``.

    ``order-K`` is the coefficient of ``gamma^-K`` of ``<L̂>`` summed over the planar diagrams
    (``-all``: over all contractions, the exact finite-size value), with ``C sigma_w^2/(2M)`` in
    front of the bracket.
    """
    if not isinstance(name, str):
        raise ValueError(f"name: expected a string, got {name!r}")
    m = re.fullmatch(r"order-(\d+)(-all)?", name)
    if m:
        return _order_expression(int(m.group(1)), "all" if m.group(2) else "planar")
    _load_plugins()
    if name not in EXPRESSIONS:
        raise ValueError(f"name: unknown expression {name!r}; known: {', '.join(expression_names())}, "
                         "order-K, order-K-all")
    return EXPRESSIONS[name]()


# -- printing -----------------------------------------------------------------------------------------
def _free_symbols(obj) -> set:
    if isinstance(obj, (tuple, list)):
        out: set = set()
        for o in obj:
            out |= _free_symbols(o)
        return out
    return set(sympy.sympify(obj).free_symbols)


def _settings(obj, settings: dict) -> dict:
    names = {s: _notation(s.name) for s in _free_symbols(obj)
             if isinstance(s, sympy.Symbol) and not isinstance(s, LatentTrace) and _notation(s.name)}
    names.update(settings.pop("symbol_names", {}) or {})
    settings.setdefault("order", "none")
    return dict(settings, symbol_names=names)


def _is_chain(eqs) -> bool:
    return all(a.rhs == b.lhs for a, b in zip(eqs, eqs[1:]))


def to_latex(obj, **settings) -> str:
    r"""Inline LaTeX (no environment) of an Expr, Eq or tuple of Eq, through :func:`sympy.latex`.

    A chain of equations prints as ``a = b = c``; other tuples are separated by ``,\quad``.

    >>> to_latex(sympy.Symbol("That") * sympy.Symbol("sigma_w2") ** 2)
    '\\hat{T} \\left(\\sigma_w^{2}\\right)^{2}'
    """
    if isinstance(obj, (tuple, list)):
        if not obj or not all(isinstance(e, sympy.Eq) for e in obj):
            raise ValueError("obj: a tuple must hold sympy equations")
        st = _settings(tuple(obj), dict(settings))
        if _is_chain(obj):
            parts = [sympy.latex(obj[0].lhs, **st)] + [sympy.latex(e.rhs, **st) for e in obj]
            return " = ".join(parts)
        return r",\quad ".join(sympy.latex(e, **st) for e in obj)
    obj = sympy.sympify(obj)
    return sympy.latex(obj, **_settings(obj, dict(settings)))


_SIZES = {"frac": None, "left": 0.0, "right": 0.0, "operatorname": None, "mathrm": None,
          "hat": None, "sqrt": None, "quad": 2.0, "qquad": 4.0, "cdot": 1.5, "Big": 0.0, "big": 0.0,
          "Bigg": 0.0, "nonumber": 0.0, "langle": 0.6, "rangle": 0.6, "to": 2.0, "top": 0.8}


def latex_width(tex: str) -> float:
    r"""Rough width of math LaTeX, in units of one italic letter (fractions count their wider part).

    >>> latex_width(r"\frac{a b}{c}") < latex_width("a b c")
    True
    """
    pos = 0

    def group(scale: float) -> float:
        nonlocal pos
        if pos < len(tex) and tex[pos] == "{":
            pos += 1
            return seq(scale, closing="}")
        return atom(scale)

    def atom(scale: float) -> float:
        nonlocal pos
        while pos < len(tex) and tex[pos] == " ":
            pos += 1
        if pos >= len(tex):
            return 0.0
        ch = tex[pos]
        if ch == "{":
            return group(scale)
        if ch == "\\":
            m = re.match(r"\\([A-Za-z]+|.)", tex[pos:])
            name = m.group(1)
            pos += len(m.group(0))
            if name == "frac":
                return max(group(scale), group(scale)) + 0.6 * scale
            if name in ("operatorname", "mathrm", "hat", "sqrt", "text"):
                extra = {"sqrt": 1.0, "operatorname": 0.5}.get(name, 0.2)
                return group(scale) + extra * scale
            if name in ("left", "right", "Big", "big", "Bigg", "bigg"):
                m2 = re.match(r"\\[{}]|\\[A-Za-z]+|.", tex[pos:])
                if m2:
                    pos += len(m2.group(0))
                    return 0.0 if m2.group(0) == "." else 0.75 * scale
                return 0.0
            if name[0].isupper():  # upright capital Greek letters are wide
                return 1.35 * scale
            if name in ("label", "begin", "end"):
                group(scale)
                return 0.0
            if name in (",", ";", ":", "!"):
                return 0.3 * scale
            return _SIZES.get(name, 1.0) * scale
        pos += 1
        if ch in "^_":
            return group(scale * 0.7)
        if ch in "+-=<>":
            return 2.0 * scale
        if ch in "()[]|,.'":
            return 0.6 * scale
        if ch in "0123456789":
            return 0.9 * scale
        if ch == "&":
            return 0.0
        return 1.0 * scale

    def seq(scale: float, closing: str | None = None) -> float:
        nonlocal pos
        w = 0.0
        while pos < len(tex):
            if closing and tex[pos] == closing:
                pos += 1
                return w
            w += atom(scale)
        return w

    return seq(1.0)


def _terms(add, st: dict) -> list:
    return list(add.args) if st.get("order") in ("none", "old") else add.as_ordered_terms(order=st.get("order"))


def _factor_pieces(term, st: dict) -> list[str] | None:
    """A product without denominator as pieces ``["-2 f1", " \\times f2", ...]`` (or None)."""
    if not isinstance(term, sympy.Mul):
        return None
    coeff, factors = term.as_coeff_mul()
    if len(factors) < 2 or any(f.is_Pow and f.exp.is_negative for f in factors) or not coeff.is_Rational:
        return None
    strs = []
    for f in factors:
        t = sympy.latex(f, **st)
        strs.append(r"\left(%s\right)" % t if isinstance(f, sympy.Add) else t)
    lead = {1: "", -1: "-"}.get(coeff, sympy.latex(coeff, **st) + " ")
    return [lead + strs[0]] + [r" \times " + t for t in strs[1:]]


def _pieces(add, st: dict, width: float) -> list[str]:
    """Terms of a sum with their signs (``" + t"``, ``" - t"``); a term too wide for a line is
    split into its factors (``" \\times f"``)."""
    out: list[str] = []
    for i, term in enumerate(_terms(add, st)):
        t = sympy.latex(term, **st)
        sub = _factor_pieces(term, st) if latex_width(t) > 0.8 * width else None
        if sub is None:
            sub = [t]
        first = sub[0]
        if i == 0:
            out.append(first)
        elif first.startswith("-"):
            out.append(" - " + first[1:].lstrip())
        else:
            out.append(" + " + first)
        out.extend(sub[1:])
    return out


def _split(body, st: dict, width: float):
    """``(prefix, pieces, suffix)`` of a breakable body, or ``None``."""
    if isinstance(body, sympy.Add):
        return "", _pieces(body, st, width), ""
    if isinstance(body, sympy.Mul):
        adds = [a for a in body.args if isinstance(a, sympy.Add)]
        if len(adds) == 1 and len(adds[0].args) > 1:
            rest = sympy.Mul(*[a for a in body.args if a is not adds[0]])
            pre = sympy.latex(rest, **st)
            if pre == "1":
                pre = ""
            elif pre == "-1":
                pre = "-"
            return pre + r" \Big[ ", _pieces(adds[0], st, width), r" \Big]"
        pieces = _factor_pieces(body, st)
        if pieces:
            return "", pieces, ""
    return None


def _break_lines(head: str, prefix: str, pieces: list[str], suffix: str, width: float) -> list[str]:
    lines: list[str] = []
    current = head + prefix
    current_has_term = False
    for piece in pieces:
        if current_has_term and latex_width(current + piece + suffix) > width:
            lines.append(current)
            current = "{} " + piece.strip()  # "{}" keeps the binary spacing of the sign
        else:
            current += piece
        current_has_term = True
    lines.append(current + suffix)
    return lines


def to_display(obj, label: str | None = None, width: float = LINE_CHARS, **settings) -> str:
    r"""Displayed LaTeX: ``equation`` if it fits on a line, else ``multline`` (long sums broken
    every few terms, a product too wide for a line broken between its factors with ``\times``) or
    ``align`` (chains and systems of equations); starred unless ``label``.  A formula with nothing
    to break at is scaled to the line with ``\resizebox`` (package ``graphicx``).

    ``width`` is the line budget in the units of :func:`latex_width`.
    """
    if label is not None and (not isinstance(label, str) or not re.fullmatch(r"[A-Za-z0-9:_\-.]+", label)):
        raise ValueError(f"label: use letters, digits and :_-. only, got {label!r}")
    if width <= 10:
        raise ValueError(f"width: must be > 10 characters, got {width}")
    star = "" if label else "*"
    lab = r"\label{%s}" % label if label else ""

    if isinstance(obj, (tuple, list)):
        if not obj or not all(isinstance(e, sympy.Eq) for e in obj):
            raise ValueError("obj: a tuple must hold sympy equations")
        st = _settings(tuple(obj), dict(settings))
        if _is_chain(obj):
            rows = [sympy.latex(obj[0].lhs, **st) + " &= " + sympy.latex(obj[0].rhs, **st)]
            rows += ["&= " + sympy.latex(e.rhs, **st) for e in obj[1:]]
        else:
            rows = [sympy.latex(e.lhs, **st) + " &= " + sympy.latex(e.rhs, **st) for e in obj]
        if label:
            rows = [r + r" \nonumber" for r in rows[:-1]] + [rows[-1] + " " + lab]
        return "\\begin{align%s}\n%s\n\\end{align%s}" % (star, " \\\\\n".join(rows), star)

    obj = sympy.sympify(obj)
    st = _settings(obj, dict(settings))
    inline = sympy.latex(obj, **st)
    if latex_width(inline) <= width:
        return "\\begin{equation%s}%s\n%s\n\\end{equation%s}" % (star, lab, inline, star)
    if isinstance(obj, sympy.Eq):
        head, body = sympy.latex(obj.lhs, **st) + " = ", obj.rhs
    else:
        head, body = "", obj
    parts = _split(body, st, width)
    lines = _break_lines(head, *parts, width=width) if parts else [inline]
    if len(lines) == 1 or max(latex_width(x) for x in lines) > 1.15 * width:
        # nothing to break at, or a piece alone is too wide: scale the formula to the line
        box = "0.9\\linewidth" if label else "\\linewidth"  # leave room for the number
        return ("\\begin{equation%s}%s\n\\resizebox{%s}{!}{$\\displaystyle %s$}\n\\end{equation%s}"
                % (star, lab, box, inline, star))
    return "\\begin{multline%s}%s\n%s\n\\end{multline%s}" % (star, lab, " \\\\\n".join(lines), star)


# -- round trip -------------------------------------------------------------------------------------
_LAYOUT = [
    (re.compile(r"\\begin\{[a-z]+\*?\}|\\end\{[a-z]+\*?\}"), " "),
    (re.compile(r"\\label\{[^}]*\}"), " "),
    (re.compile(r"\\resizebox\{[0-9.]*\\linewidth\}\{!\}\{\$\\displaystyle"), " "),
    (re.compile(r"\$\}"), " "),
    (re.compile(r"\\nonumber|\\notag"), " "),
    (re.compile(r"\\\\"), " "),
    (re.compile(r"&"), " "),
    (re.compile(r"\{\}"), " "),
    (re.compile(r"\\Big\["), r"\\left["),
    (re.compile(r"\\Big\]"), r"\\right]"),
    # sympy prints a product ``N (1 - x)`` as ``N \left(1 - x\right)``, which its parser reads as a
    # function call N(1 - x): make the product explicit
    (re.compile(r"(?<=[A-Za-z0-9}])(?<!\\times)(?<!\\cdot)(?<!\\pm)\s*\\left\("), r" \\cdot \\left("),
]


def strip_layout(tex: str) -> str:
    r"""Remove display layout (environments, labels, line breaks, ``&``, ``{}``; ``\Big[ \Big]``
    become ``\left[ \right]``) so that a displayed equation reads as one inline formula, and write
    the product ``a \left(b\right)`` as ``a \cdot \left(b\right)`` (sympy's parser would read a
    function call).

    >>> strip_layout("\\begin{multline*}\na = b \\\\\n{} + c\n\\end{multline*}").split()
    ['a', '=', 'b', '+', 'c']
    """
    for pat, rep in _LAYOUT:
        tex = pat.sub(rep, tex)
    return tex


def _hidden_atoms(obj) -> list:
    """Sub-expressions whose LaTeX the sympy parser does not read back as themselves: objects with
    their own ``_latex`` (traces) and symbols printed in the paper's notation."""
    from sympy.parsing.latex import parse_latex

    objs = obj if isinstance(obj, (tuple, list)) else (obj,)
    atoms: set = set()
    for o in objs:
        o = sympy.sympify(o)
        custom = {a for a in sympy.preorder_traversal(o)
                  if not isinstance(a, sympy.Symbol) and hasattr(type(a), "_latex")}
        atoms |= custom
        for s in _free_symbols(o.xreplace({t: sympy.Integer(1) for t in custom})):
            tex = to_latex(s)
            try:
                back = parse_latex(tex)
            except Exception:  # noqa: BLE001 - the parser raises several exception types
                back = None
            if not (isinstance(back, sympy.Symbol) and back.name == s.name):
                atoms.add(s)
    return sorted(atoms, key=lambda a: -len(to_latex(a)))


def roundtrip(obj, tex: str | None = None):
    r"""Parse LaTeX of ``obj`` back with sympy's LaTeX parser (needs ``antlr4-python3-runtime``
    4.11) and return the sympy object read.

    ``tex`` defaults to :func:`to_latex` of ``obj``; a displayed form (:func:`to_display`) is read
    after :func:`strip_layout`.  Sub-expressions the parser cannot read (``\langle q \rangle``,
    traces, ``\hat{T}``, ...) are swapped for placeholder symbols ``z_{i}`` in the text, and back in
    the result; plain symbols are matched by name, so the assumptions of ``obj`` come back.
    Chains ``a = b = c`` and systems come back as tuples of equations.
    """
    if tex is None:
        tex = to_latex(obj)
    hidden = _hidden_atoms(obj)
    back_map = {"pi": sympy.pi}  # the parser reads \pi as a symbol
    for i, a in enumerate(hidden):
        tex = tex.replace(to_latex(a), " z_{%d} " % i)
        back_map["z_{%d}" % i] = a
    for s in _free_symbols(obj):
        if s not in hidden and isinstance(s, sympy.Symbol):
            back_map.setdefault(s.name, s)
    if isinstance(obj, (tuple, list)) and not _is_chain(obj):  # a system: one equation per row
        if "\\begin{align" in tex:
            body = re.sub(r"\\(begin|end)\{align\*?\}", " ", tex)
            rows = body.split("\\\\")
        else:
            rows = tex.split(r",\quad")
        return tuple(_parse_relation(strip_layout(r), back_map) for r in rows)
    return _parse_relation(strip_layout(tex), back_map)


def _parse_relation(tex: str, back_map: dict):
    from sympy.parsing.latex import parse_latex

    pieces = re.split(r"(?<![<>!\\])=", tex)
    if len(pieces) > 2:  # a chain a = b = c
        sides = [_restore(parse_latex(p, strict=True), back_map) for p in pieces]
        return tuple(sympy.Eq(a, b, evaluate=False) for a, b in zip(sides, sides[1:]))
    return _restore(parse_latex(tex, strict=True), back_map)


def _restore(expr, back_map):
    subs = {s: back_map[s.name] for s in expr.free_symbols if s.name in back_map}
    return expr.xreplace(subs)
