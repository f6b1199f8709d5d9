r"""LaTeX of the toolkit's expressions in a model's notation: inline, displayed, and read back.

Every sympy object goes through :class:`NotationPrinter`, a :class:`sympy.printing.latex.LatexPrinter`
that looks symbol and matrix names up in a *notation*: a mapping ``{name: LaTeX}``, normally a
model's :attr:`~diagrams.models.declaration.Model.notation` (:func:`notation_of` adds the defaults
:data:`DEFAULT_NOTATION`).  It prints

* plain symbols by name (``That`` as ``\hat{T}``, ``sigma_w2`` as ``\sigma_w^2``, ...), others as
  sympy does (``N1`` as ``N_{1}``, ``gamma`` as ``\gamma``);
* the engine's face values :class:`~diagrams.engine.symbols.CovarianceTrace` as
  ``\operatorname{tr}\left(\Lambda^{2} \hat{\Lambda}\right)``, with the matrix names in the notation;
* traces of sympy matrix expressions (``sympy.Trace``) in square brackets, the identity as ``1``
  written first in a sum: ``\operatorname{tr}\left[\hat{\Lambda} \left(1 + \gamma \xi \Lambda
  \Sigma\right)^{-2}\right]``;
* :class:`OrderCoefficient` (the coefficient of ``gamma^-K`` of the observable) as
  ``[\gamma^{-K}]\,`` followed by the notation's ``"observable"`` entry (default
  :data:`DEFAULT_OBSERVABLE`).

:func:`to_latex` gives inline LaTeX, :func:`to_display` a displayed equation broken to the line
(``equation``, ``multline`` or ``align``), :func:`roundtrip` reads either back with sympy's LaTeX
parser.  :func:`matrix_latex` and :func:`word_latex` print the engine's matrix expressions and
words.  Nothing here knows a particular model.

>>> import sympy
>>> notation = {"That": r"\hat{T}", "sigma_w2": r"\sigma_w^2"}
>>> to_latex(sympy.Symbol("That") * sympy.Symbol("sigma_w2") ** 2, notation=notation)
'\\hat{T} \\left(\\sigma_w^2\\right)^{2}'
>>> from diagrams.engine.symbols import trace_symbol
>>> to_latex(2 * trace_symbol("Lambdahat", "Lambda", "Lambda"), notation={"Lambdahat": r"\hat\Lambda"})
'2 \\operatorname{tr}\\left(\\Lambda^{2} \\hat\\Lambda\\right)'
>>> print(to_display(sympy.Eq(sympy.Symbol("x"), sympy.Symbol("That") / 2), label="eq:x", notation=notation))
\begin{equation}\label{eq:x}
x = \frac{\hat{T}}{2}
\end{equation}
"""

from __future__ import annotations

import re
from typing import Mapping

import sympy
from sympy.matrices.expressions import Identity, MatAdd, MatMul, Trace
from sympy.printing.latex import LatexPrinter

from diagrams.engine.numbers import check_order
from diagrams.engine.symbols import LATEX_NAMES, CovarianceTrace, run_lengths

__all__ = [
    "DEFAULT_NOTATION",
    "DEFAULT_OBSERVABLE",
    "notation_of",
    "NotationPrinter",
    "OrderCoefficient",
    "to_latex",
    "to_display",
    "latex_width",
    "strip_layout",
    "roundtrip",
    "matrix_latex",
    "letter_latex",
    "word_latex",
    "LINE_CHARS",
]

#: Notation every model gets unless it says otherwise (empty: names follow the engine's convention,
#: :func:`diagrams.engine.symbols.name_latex`).
DEFAULT_NOTATION: dict[str, str] = dict(LATEX_NAMES)
#: LaTeX of the observable when the notation has no ``"observable"`` entry.
DEFAULT_OBSERVABLE = r"\langle \mathcal{O} \rangle"

#: Default budget of one displayed line, in the units of :func:`latex_width` (at 10pt a unit is
#: at most 6.3pt: the 17.4 cm of an A4 page with 1.8 cm margins hold 76 of them; a standard
#: ``article`` line of 345pt about 54).
LINE_CHARS = 76


def notation_of(source=None) -> dict[str, str]:
    r"""The notation to print with: :data:`DEFAULT_NOTATION` updated by ``source``.

    Parameters
    ----------
    source : Mapping or Model, optional
        A mapping ``{name: LaTeX}``, an object with a ``notation`` mapping (a declared
        :class:`~diagrams.models.declaration.Model`), or ``None`` (default: the defaults alone).

    Returns
    -------
    dict of str to str
        A new dict ``{name: LaTeX}``; the entries of ``source`` override the defaults.

    Raises
    ------
    ValueError
        If ``source`` is neither ``None``, a mapping nor an object with a ``notation`` mapping, or
        a name or a LaTeX string of it is not a string.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> notation_of(load_model("random-features"))["That"]
    '\\hat{T}'
    >>> notation_of({"Lambda": r"\mathbf{L}"})["Lambda"]
    '\\mathbf{L}'
    >>> notation_of()
    {}
    >>> notation_of({"a": 1})
    Traceback (most recent call last):
    ...
    ValueError: notation: names and LaTeX must be strings, got 'a': 1
    """
    if source is None:
        extra: Mapping = {}
    elif isinstance(source, Mapping):
        extra = source
    elif isinstance(getattr(source, "notation", None), Mapping):
        extra = source.notation
    else:
        raise ValueError(f"notation: give a mapping {{name: LaTeX}} or a model, got {type(source).__name__}")
    out = dict(DEFAULT_NOTATION)
    for k, v in extra.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise ValueError(f"notation: names and LaTeX must be strings, got {k!r}: {v!r}")
        out[k] = v
    return out


class OrderCoefficient(sympy.Symbol):
    r"""The symbol ``[gamma^-K] <O>``: the coefficient of ``ridge^-order`` of a model's observable.

    :class:`NotationPrinter` prints it as ``[\gamma^{-K}]\,`` and the notation's ``"observable"``
    (default :data:`DEFAULT_OBSERVABLE`).  It is a real sympy symbol named
    ``"[gamma^-K]observable"``, so it can stand on the left of an equation.

    Parameters
    ----------
    order : int
        The order ``K`` (converted with ``int``).
    ridge : str, optional
        Name of the ridge symbol (default ``"gamma"``); printed through the notation.

    Attributes
    ----------
    order : int
        The order ``K``.
    ridge : str
        The name of the ridge symbol.

    Raises
    ------
    ValueError
        If ``order`` is not an integer >= 0 (``2.0`` is read as 2, ``2.7`` refused).

    Examples
    --------
    >>> c = OrderCoefficient(2)
    >>> c.order, to_latex(c, notation={"observable": r"\langle \hat{L} \rangle"})
    (2, '[\\gamma^{-2}]\\, \\langle \\hat{L} \\rangle')
    >>> OrderCoefficient(3, "lam")
    [lam^-3]observable
    >>> to_latex(OrderCoefficient(3, "lam"))
    '[lam^{-3}]\\, \\langle \\mathcal{O} \\rangle'
    """

    def __new__(cls, order: int, ridge: str = "gamma"):
        order = check_order(order, "order")
        obj = super().__new__(cls, f"[{ridge}^-{order}]observable", real=True)
        obj._order, obj._ridge = order, str(ridge)
        return obj

    def __getnewargs_ex__(self):
        return ((self._order, self._ridge), {})

    @property
    def order(self) -> int:
        return self._order

    @property
    def ridge(self) -> str:
        return self._ridge


class NotationPrinter(LatexPrinter):
    r"""The toolkit's LaTeX printer: sympy's LatexPrinter with names looked up in a notation.

    A :class:`~sympy.printing.latex.LatexPrinter` (see the module docstring for what it prints
    differently): symbols and matrix names come from the notation, the engine's
    :class:`~diagrams.engine.symbols.CovarianceTrace` print as ``\operatorname{tr}\left(\cdots\right)``,
    the factors of a product in a fixed order (numbers, size-like capitals, Greek and notation,
    lower-case letters, traces, sums, functions).

    Parameters
    ----------
    notation : Mapping or Model, optional
        Passed through :func:`notation_of`.
    settings : dict, optional
        Settings of sympy's LaTeX printer; ``order`` defaults to ``"none"`` (terms in sympy's
        internal order).

    Attributes
    ----------
    notation : dict of str to str
        The notation in use (defaults included).

    Examples
    --------
    >>> import sympy
    >>> p = NotationPrinter({"Lambda": r"\mathbf{L}"})
    >>> p.doprint(sympy.Symbol("Lambda") * sympy.Symbol("sigma_w2"))
    '\\mathbf{L} \\sigma_{w2}'
    >>> p.name_latex("Sigma1")
    '\\Sigma_{1}'
    """

    def __init__(self, notation=None, settings=None):
        settings = dict(settings or {})
        settings.setdefault("order", "none")
        super().__init__(settings)
        self.notation = notation_of(notation)

    def name_latex(self, name: str) -> str:
        """LaTeX of a symbol or matrix name: the notation's entry, else sympy's (``Sigma1`` -> ``\\Sigma_{1}``)."""
        tex = self.notation.get(name)
        return tex if tex is not None else self._deal_with_super_sub(name)

    def _print(self, expr, **kwargs):
        # the engine's traces print themselves with fixed names; print them in this notation instead
        if isinstance(expr, CovarianceTrace):
            return self._print_LatentTrace(expr)
        return super()._print(expr, **kwargs)

    def _print_Symbol(self, expr, style="plain"):
        name = self._settings["symbol_names"].get(expr)
        if name is not None:
            return name
        tex = self.notation.get(expr.name)
        return tex if tex is not None else super()._print_Symbol(expr, style=style)

    def _factor_key(self, f) -> tuple:
        base = f.base if f.is_Pow else f
        if f.is_Number:
            return (0, 0, "")
        if isinstance(base, sympy.Symbol) and not isinstance(base, CovarianceTrace):
            tex = self._print(base)
            # capital Latin letters (sizes), then commands (Greek, notation), then lower-case Latin
            group = 0 if tex[:1].isupper() else 1 if tex.startswith("\\") else 2
            return (1, group, tex)
        if isinstance(base, sympy.Add):
            group = 3
        elif isinstance(base, sympy.Function) and not hasattr(type(base), "_latex"):
            group = 4  # sin(...) last: sympy's parser would read "\\sin{x} \\cdot (y)" as sin(x y)
        else:
            group = 2
        return (group, 0, sympy.default_sort_key(f))

    def _print_Mul(self, expr) -> str:
        """Factors in a fixed order: numbers, size-like capitals, Greek and notation, lower-case
        letters, traces, sums, functions."""
        if isinstance(expr, sympy.Mul) and expr.is_commutative and len(expr.args) > 1:
            ordered = sorted(expr.args, key=self._factor_key)
            if list(ordered) != list(expr.args):
                expr = sympy.Mul(*ordered, evaluate=False)
        return super()._print_Mul(expr)

    def _print_LatentTrace(self, expr) -> str:
        parts = []
        for n, p in run_lengths(expr.word):
            base = self.name_latex(n)
            parts.append(base if p == 1 else "%s^{%d}" % (base, p))
        return r"\operatorname{tr}\left(" + " ".join(parts) + r"\right)"

    def _print_OrderCoefficient(self, expr) -> str:
        ridge = self._print(sympy.Symbol(expr.ridge))
        return r"[%s^{-%d}]\, %s" % (ridge, expr.order, self.notation.get("observable", DEFAULT_OBSERVABLE))

    # -- traces of matrix functions: tr[...] with 1 for the identity, written first in a sum ------
    def _print_Trace(self, expr) -> str:
        return r"\operatorname{tr}\left[%s\right]" % self._print(expr.arg)

    def _print_Identity(self, expr) -> str:
        return "1"

    def _print_MatrixSymbol(self, expr) -> str:
        return self.name_latex(expr.name)

    def _print_MatAdd(self, expr) -> str:
        terms = sorted(expr.args, key=lambda t: not isinstance(t, Identity))
        out = ""
        for i, t in enumerate(terms):
            s = self._print(t)
            if i == 0:
                out = s
            elif s.startswith("-"):
                out += " - " + s[1:].lstrip()
            else:
                out += " + " + s
        return out

    def _print_MatMul(self, expr) -> str:
        coeff, mats = expr.as_coeff_mmul()
        parts = []
        for a in mats.args if isinstance(mats, MatMul) else (mats,):
            s = self._print(a)
            if isinstance(a, MatAdd):
                s = r"\left(%s\right)" % s
            parts.append(s)
        body = " ".join(parts)
        if coeff == 1:
            return body
        if coeff == -1:
            return "-" + body
        c = self._print(coeff)
        if isinstance(coeff, sympy.Add):
            c = r"\left(%s\right)" % c
        return c + " " + body

    def _print_MatPow(self, expr) -> str:
        base, exp = expr.args
        s = self._print(base)
        if isinstance(base, (MatAdd, MatMul)):
            s = r"\left(%s\right)" % s
        return "%s^{%s}" % (s, self._print(exp))


# -- the engine's matrix expressions and words ------------------------------------------------------
def letter_latex(letter, notation=None) -> str:
    r"""LaTeX of a letter of a word, such as ``\hat{x}^{\top}`` for ``xhat^T``.

    Parameters
    ----------
    letter : Letter
        A letter of a :class:`~diagrams.engine.words.Word`: a Gaussian matrix, maybe transposed.
    notation : Mapping or Model, optional
        As for :func:`notation_of`.

    Returns
    -------
    str
        The name from the notation, else the matrix's own ``latex``, else sympy's LaTeX of the
        name; followed by ``^{\top}`` when the letter is transposed.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.words import Word
    >>> V = Space("v", "n")
    >>> first = Word.parse("X^T X", {"X": GaussianMatrix("X", V, V)})[0]
    >>> letter_latex(first)
    'X^{\\top}'
    >>> letter_latex(first, {"X": r"\mathbf{X}"})
    '\\mathbf{X}^{\\top}'
    """
    m = letter.matrix
    p = NotationPrinter(notation)
    base = p.notation.get(m.name) or m.latex or p.name_latex(m.name)
    return base + (r"^{\top}" if letter.transposed else "")


def _diagonal_latex(d, printer: NotationPrinter) -> str:
    return printer.notation.get(d.name) or d.latex or printer.name_latex(d.name)


def word_latex(word, notation=None) -> str:
    r"""LaTeX of the trace of a word, diagonal matrices at their slots.

    Parameters
    ----------
    word : Word
        A word of Gaussian matrices, with its diagonal decorations.
    notation : Mapping or Model, optional
        As for :func:`notation_of`.

    Returns
    -------
    str
        ``\operatorname{tr}\left(\hat{x}^{\top} x \cdots\right)``, letters by
        :func:`letter_latex`, each diagonal matrix written before the letter of its slot.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix, Diagonal
    >>> from diagrams.engine.words import Word
    >>> V = Space("v", "n")
    >>> X, D = GaussianMatrix("X", V, V), Diagonal("D_1", V)
    >>> word_latex(Word.parse("X^T D_1 X", {"X": X, "D_1": D}))
    '\\operatorname{tr}\\left(X^{\\top} D_{1} X\\right)'
    """
    p = NotationPrinter(notation)
    parts = []
    for k, a in enumerate(word):
        parts.extend(_diagonal_latex(d, p) for d in word.decoration(k))
        parts.append(letter_latex(a, p.notation))
    return r"\operatorname{tr}\left(" + " ".join(parts) + r"\right)"


def matrix_latex(expr, notation=None) -> str:
    r"""LaTeX of an engine matrix expression, resolvents included.

    The expressions are those of :mod:`diagrams.engine.expressions`: products, sums, transposes,
    scalar factors and resolvents ``\left(\gamma + X\right)^{-1}``.

    Parameters
    ----------
    expr : Expression, GaussianMatrix, Diagonal or Letter
        Anything :func:`diagrams.engine.expressions.as_expr` accepts.
    notation : Mapping or Model, optional
        As for :func:`notation_of`.

    Returns
    -------
    str
        Inline LaTeX; a sum inside a product is put in ``\left( \right)``.

    Raises
    ------
    ValueError
        If ``expr`` is not a matrix expression (raised by ``as_expr``).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.expressions import resolvent
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X = GaussianMatrix("X", V, W)
    >>> matrix_latex(X @ resolvent(X.T @ X, sympy.Symbol("gamma")) - 2 * X)
    'X \\left(\\gamma + X^{\\top} X\\right)^{-1} - 2 X'
    >>> matrix_latex(3)
    Traceback (most recent call last):
    ...
    ValueError: expression: expected a matrix, a letter or an expression, got 3
    """
    from diagrams.engine.expressions import Atom, Identity as EIdentity, Product, Resolvent, Sum, as_expr

    p = NotationPrinter(notation)

    def show(e) -> str:
        if isinstance(e, Atom):
            if hasattr(e.item, "matrix"):
                return letter_latex(e.item, p.notation)
            return _diagonal_latex(e.item, p)
        if isinstance(e, EIdentity):
            return "1"
        if isinstance(e, Resolvent):
            return r"\left(%s + %s\right)^{-1}" % (p.doprint(e.ridge), show(e.argument))
        if isinstance(e, Product):
            return " ".join(r"\left(%s\right)" % show(f) if isinstance(f, Sum) and len(f.terms) > 1 else show(f)
                            for f in e.factors)
        if isinstance(e, Sum):
            out = ""
            for i, (c, t) in enumerate(e.terms):
                c = sympy.sympify(c)
                body = show(t)
                if isinstance(t, Sum) and len(t.terms) > 1:
                    body = r"\left(%s\right)" % body
                neg = c.could_extract_minus_sign()
                mag = -c if neg else c
                if mag != 1:
                    ct = p.doprint(mag)
                    body = (r"\left(%s\right)" % ct if isinstance(mag, sympy.Add) else ct) + " " + body
                if i == 0:
                    out = ("-" if neg else "") + body
                else:
                    out += (" - " if neg else " + ") + body
            return out
        raise ValueError(f"expr: not a matrix expression: {e!r}")

    return show(as_expr(expr))


# -- inline and displayed LaTeX ---------------------------------------------------------------------
def _check_tuple(obj) -> None:
    if not obj or not all(isinstance(e, sympy.Eq) for e in obj):
        raise ValueError("obj: a tuple must hold sympy equations")


def _is_chain(eqs) -> bool:
    return all(a.rhs == b.lhs for a, b in zip(eqs, eqs[1:]))


def to_latex(obj, notation=None, **settings) -> str:
    r"""Inline LaTeX, without environment, of an expression, equation or tuple of equations.

    Parameters
    ----------
    obj : sympy.Expr, sympy.Eq, or tuple or list of sympy.Eq
        What to print (anything ``sympy.sympify`` accepts besides tuples and lists).  A chain of
        equations (each right side the next left side) prints as ``a = b = c``; other tuples are
        separated by ``,\quad``.
    notation : Mapping or Model, optional
        A mapping ``{name: LaTeX}`` or a model (see :func:`notation_of`).
    **settings
        Go to sympy's LaTeX printer (:class:`NotationPrinter`).

    Returns
    -------
    str
        The LaTeX.

    Raises
    ------
    ValueError
        If ``obj`` is an empty tuple or list, or holds something other than sympy equations.

    See Also
    --------
    to_display : the displayed form, broken to the line.

    Examples
    --------
    >>> a, b = sympy.symbols("a b")
    >>> to_latex((sympy.Eq(a, b), sympy.Eq(b, 2)))
    'a = b = 2'
    >>> to_latex((sympy.Eq(a, 1), sympy.Eq(b, 2)))
    'a = 1,\\quad b = 2'
    >>> to_latex(())
    Traceback (most recent call last):
    ...
    ValueError: obj: a tuple must hold sympy equations
    """
    p = NotationPrinter(notation, settings)
    if isinstance(obj, (tuple, list)):
        _check_tuple(obj)
        if _is_chain(obj):
            return " = ".join([p.doprint(obj[0].lhs)] + [p.doprint(e.rhs) for e in obj])
        return r",\quad ".join(p.doprint(e) for e in obj)
    return p.doprint(sympy.sympify(obj))


_SIZES = {"frac": None, "left": 0.0, "right": 0.0, "operatorname": None, "mathrm": None,
          "hat": None, "sqrt": None, "quad": 2.0, "qquad": 4.0, "cdot": 1.5, "Big": 0.0, "big": 0.0,
          "Bigg": 0.0, "nonumber": 0.0, "langle": 0.6, "rangle": 0.6, "to": 2.0, "top": 0.8}


def latex_width(tex: str) -> float:
    r"""Rough width of math LaTeX, in units of one italic letter.

    Fractions count their wider part, sub- and superscripts 0.7 of their width, upright capital
    Greek letters 1.35, binary operators and relations 2; ``\left`` and ``\right`` count their
    delimiter only, ``\label{...}`` nothing.  :func:`to_display` measures lines with it against :data:`LINE_CHARS`.

    Parameters
    ----------
    tex : str
        Math-mode LaTeX (no ``$``).

    Returns
    -------
    float
        The width estimate.

    Examples
    --------
    >>> latex_width("a b c")
    3.0
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
            if name in ("operatorname", "mathrm", "hat", "sqrt", "text", "mathcal", "mathbf"):
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


def _terms(add, p: NotationPrinter) -> list:
    order = p._settings.get("order")
    return list(add.args) if order in ("none", "old") else add.as_ordered_terms(order=order)


def _factor_pieces(term, p: NotationPrinter) -> list[str] | None:
    """A product without denominator as pieces ``["-2 f1", " \\times f2", ...]`` (or None)."""
    if not isinstance(term, sympy.Mul):
        return None
    coeff, factors = term.as_coeff_mul()
    if len(factors) < 2 or any(f.is_Pow and f.exp.is_negative for f in factors) or not coeff.is_Rational:
        return None
    strs = []
    for f in factors:
        t = p.doprint(f)
        strs.append(r"\left(%s\right)" % t if isinstance(f, sympy.Add) else t)
    lead = {1: "", -1: "-"}.get(coeff, p.doprint(coeff) + " ")
    return [lead + strs[0]] + [r" \times " + t for t in strs[1:]]


def _pieces(add, p: NotationPrinter, width: float) -> list[str]:
    """Terms of a sum with their signs (``" + t"``, ``" - t"``); a term too wide for a line is
    split into its factors (``" \\times f"``)."""
    out: list[str] = []
    for i, term in enumerate(_terms(add, p)):
        t = p.doprint(term)
        sub = _factor_pieces(term, p) if latex_width(t) > 0.8 * width else None
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


def _split(body, p: NotationPrinter, width: float):
    """``(prefix, pieces, suffix)`` of a breakable body, or ``None``."""
    if isinstance(body, sympy.Add):
        return "", _pieces(body, p, width), ""
    if isinstance(body, sympy.Mul):
        adds = [a for a in body.args if isinstance(a, sympy.Add)]
        if len(adds) == 1 and len(adds[0].args) > 1:
            rest = sympy.Mul(*[a for a in body.args if a is not adds[0]])
            pre = p.doprint(rest)
            if pre == "1":
                pre = ""
            elif pre == "-1":
                pre = "-"
            return pre + r" \Big[ ", _pieces(adds[0], p, width), r" \Big]"
        pieces = _factor_pieces(body, p)
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


def to_display(obj, label: str | None = None, width: float = LINE_CHARS, notation=None, **settings) -> str:
    r"""Displayed LaTeX of an expression or equations, broken to the line.

    The environment is ``equation`` if it fits on a line, else ``multline`` (long sums broken
    every few terms, a product too wide for a line broken between its factors with ``\times``) or
    ``align`` (chains and systems of equations); starred unless ``label``.  A formula with nothing
    to break at is scaled to the line with ``\resizebox`` (package ``graphicx``).

    Parameters
    ----------
    obj : sympy.Expr, sympy.Eq, or tuple or list of sympy.Eq
        What to display; a tuple or list is printed with ``align`` (a chain ``a = b = c`` one
        ``&=`` per line).
    label : str, optional
        A ``\label``: letters, digits and ``:_-.`` only.  ``None`` (default): the starred,
        unnumbered environment.  In ``align`` only the last line is numbered.
    width : float, optional
        The line budget in the units of :func:`latex_width`, more than 10 (default
        :data:`LINE_CHARS`).
    notation : Mapping or Model, optional
        As for :func:`to_latex`.
    **settings
        Go to sympy's LaTeX printer.

    Returns
    -------
    str
        The environment, ``\begin{...}`` to ``\end{...}``, no trailing newline.

    Raises
    ------
    ValueError
        If ``label`` has other characters, ``width`` is not a number greater than 10, or a tuple
        is empty or holds something other than sympy equations.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> print(to_display(sum(x ** k for k in range(1, 30)), width=40).splitlines()[0])
    \begin{multline*}
    >>> y = sympy.Symbol("y")
    >>> print(to_display((sympy.Eq(x, y), sympy.Eq(y, 2)), label="eq:c"))
    \begin{align}
    x &= y \nonumber \\
    &= 2 \label{eq:c}
    \end{align}
    >>> to_display(x, width=5)
    Traceback (most recent call last):
    ...
    ValueError: width: must be a number > 10 characters, got 5
    """
    if label is not None and (not isinstance(label, str) or not re.fullmatch(r"[A-Za-z0-9:_\-.]+", label)):
        raise ValueError(f"label: use letters, digits and :_-. only, got {label!r}")
    if not isinstance(width, (int, float)) or not width > 10:
        raise ValueError(f"width: must be a number > 10 characters, got {width!r}")
    star = "" if label else "*"
    lab = r"\label{%s}" % label if label else ""
    p = NotationPrinter(notation, settings)

    if isinstance(obj, (tuple, list)):
        _check_tuple(obj)
        if _is_chain(obj):
            rows = [p.doprint(obj[0].lhs) + " &= " + p.doprint(obj[0].rhs)]
            rows += ["&= " + p.doprint(e.rhs) for e in obj[1:]]
        else:
            rows = [p.doprint(e.lhs) + " &= " + p.doprint(e.rhs) for e in obj]
        if label:
            rows = [r + r" \nonumber" for r in rows[:-1]] + [rows[-1] + " " + lab]
        return "\\begin{align%s}\n%s\n\\end{align%s}" % (star, " \\\\\n".join(rows), star)

    obj = sympy.sympify(obj)
    inline = p.doprint(obj)
    if latex_width(inline) <= width:
        return "\\begin{equation%s}%s\n%s\n\\end{equation%s}" % (star, lab, inline, star)
    if isinstance(obj, sympy.Eq):
        head, body = p.doprint(obj.lhs) + " = ", obj.rhs
    else:
        head, body = "", obj
    parts = _split(body, p, width)
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
    r"""Displayed LaTeX reduced to one inline formula that sympy's LaTeX parser reads.

    Removes display layout (environments, labels, ``\resizebox``, ``\nonumber``, line breaks,
    ``&``, ``{}``; ``\Big[ \Big]`` become ``\left[ \right]``) and writes the product
    ``a \left(b\right)`` as ``a \cdot \left(b\right)`` (sympy's parser would read a function call).

    Parameters
    ----------
    tex : str
        LaTeX, typically from :func:`to_display`.

    Returns
    -------
    str
        The stripped LaTeX (spacing not normalised).

    Examples
    --------
    >>> strip_layout(r"N \left(1 - x\right)")
    'N \\cdot \\left(1 - x\\right)'
    >>> strip_layout("\\begin{multline*}\na = b \\\\\n{} + c\n\\end{multline*}").split()
    ['a', '=', 'b', '+', 'c']
    """
    for pat, rep in _LAYOUT:
        tex = pat.sub(rep, tex)
    return tex


def _free_symbols(obj) -> set:
    if isinstance(obj, (tuple, list)):
        out: set = set()
        for o in obj:
            out |= _free_symbols(o)
        return out
    return set(sympy.sympify(obj).free_symbols)


def _hidden_atoms(obj, notation: dict) -> list:
    """Sub-expressions whose LaTeX the sympy parser does not read back as themselves: traces of
    matrix expressions, objects printing themselves (``_latex``), and symbols whose LaTeX in the
    notation does not parse back to a symbol of the same name."""
    from sympy.parsing.latex import parse_latex

    objs = obj if isinstance(obj, (tuple, list)) else (obj,)
    atoms: set = set()
    for o in objs:
        o = sympy.sympify(o)
        custom: set = set()
        stack = [o]
        while stack:  # outermost custom objects only: their insides are hidden with them
            a = stack.pop()
            if isinstance(a, Trace) or (not isinstance(a, sympy.Symbol) and hasattr(type(a), "_latex")):
                custom.add(a)
            else:
                stack.extend(a.args)
        atoms |= custom
        for s in _free_symbols(o.xreplace({t: sympy.Integer(1) for t in custom})):
            tex = to_latex(s, notation=notation)
            try:
                back = parse_latex(tex)
            except Exception:  # noqa: BLE001 - the parser raises several exception types
                back = None
            if not (isinstance(back, sympy.Symbol) and back.name == s.name):
                atoms.add(s)
    return sorted(atoms, key=lambda a: (-len(to_latex(a, notation=notation)), str(a)))


def roundtrip(obj, tex: str | None = None, notation=None):
    r"""The sympy object read back from the LaTeX of ``obj`` by sympy's LaTeX parser.

    Needs ``antlr4-python3-runtime`` 4.11.  Sub-expressions the parser cannot read
    (``\langle q \rangle``, traces, ``\hat{T}``, ...) are swapped for placeholder symbols ``z_{i}`` in
    the text, and back in the result; plain symbols are matched by name, so the assumptions of
    ``obj`` come back.

    Parameters
    ----------
    obj : sympy.Expr, sympy.Eq, or tuple or list of sympy.Eq
        The object whose LaTeX is read; it tells which symbols and sub-expressions to expect.
    tex : str, optional
        The LaTeX to read; defaults to :func:`to_latex` of ``obj`` in ``notation``.  A displayed
        form (:func:`to_display`) is read after :func:`strip_layout`.
    notation : Mapping or Model, optional
        The notation ``tex`` was written in (see :func:`notation_of`).

    Returns
    -------
    sympy.Basic or tuple of sympy.Eq
        The object read.  Chains ``a = b = c`` and systems come back as tuples of equations.

    Raises
    ------
    ValueError
        From :func:`notation_of` or :func:`to_latex` (a bad notation, an empty tuple).
    sympy.parsing.latex.errors.LaTeXParsingError
        If the parser cannot read the text.
    ImportError
        If ``antlr4-python3-runtime`` is missing.

    Examples
    --------
    >>> from diagrams.engine.symbols import trace_symbol
    >>> That = sympy.Symbol("That", positive=True)
    >>> e = That * trace_symbol("Lambda", "Lambda") / 2 + 1
    >>> roundtrip(e, notation={"That": r"\hat{T}"}) == e
    True
    >>> a, b = sympy.symbols("a b")
    >>> roundtrip((sympy.Eq(a, b), sympy.Eq(b, 2)))
    (Eq(a, b), Eq(b, 2))
    """
    notation = notation_of(notation)
    if tex is None:
        tex = to_latex(obj, notation=notation)
    hidden = _hidden_atoms(obj, notation)
    back_map = {"pi": sympy.pi}  # the parser reads \pi as a symbol
    for i, a in enumerate(hidden):
        tex = tex.replace(to_latex(a, notation=notation), " z_{%d} " % i)
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
