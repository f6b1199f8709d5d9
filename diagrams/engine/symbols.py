r"""Symbols for diagram values: index-space sizes and traces of covariance matrices.

A face of a ribbon graph whose index loop meets no covariance matrix gives the size of its index
space (a plain sympy ``Symbol`` such as ``N``).  A face that meets covariance matrices
``C1, C2, ..., Cn`` in cyclic order gives ``tr(C1 C2 ... Cn)``, represented by a
:class:`CovarianceTrace`: a commutative sympy ``Symbol`` that remembers its cyclic *word* of matrix
names.  All covariance matrices are symmetric, so the word is canonical up to rotation and
reversal.

>>> t = trace_symbol("Sigma", "Lambda")
>>> t
tr(Lambda*Sigma)
>>> t.word
('Lambda', 'Sigma')
>>> trace_symbol("Lambda", "Sigma", "Lambda") == trace_symbol("Lambda", "Lambda", "Sigma")
True
>>> from sympy import latex
>>> latex(trace_symbol("Lambdahat", "Lambda", "Lambda"))
'\\operatorname{tr}\\left(\\Lambda^{2} \\hat{\\Lambda}\\right)'
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache, reduce
from typing import Mapping, Sequence

import sympy

from diagrams.engine.numbers import read_fraction

__all__ = [
    "CovarianceTrace",
    "trace_symbol",
    "canonical_cycle",
    "covariance_traces",
    "isotropic",
    "evaluate_traces",
    "diagonal_trace",
    "power_trace",
    "LATEX_NAMES",
    "name_latex",
    "run_lengths",
    "dump_expression",
    "load_expression",
]

_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
          "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"}
_GREEK_CAPITALS = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}


def name_latex(name: str) -> str:
    r"""LaTeX of a matrix or symbol name by convention (no model involved): Greek names become Greek
    letters, a trailing ``hat`` a hat, trailing digits a subscript; other names of several letters
    print upright.

    >>> [name_latex(n) for n in ("Lambda", "Lambdahat", "Sigma1", "That", "D", "weights", "sigma")]
    ['\\Lambda', '\\hat{\\Lambda}', '\\Sigma_{1}', '\\hat{T}', 'D', '\\mathrm{weights}', '\\sigma']
    """
    import re

    m = re.fullmatch(r"([A-Za-z]+?)(hat)?(\d*)", name)
    if not m:
        return r"\mathrm{%s}" % name.replace("_", r"\_")
    base, hat, digits = m.groups()
    if base in _GREEK_CAPITALS or base in _GREEK:
        tex = "\\" + base
    elif len(base) == 1:
        tex = base
    else:
        tex = r"\mathrm{%s}" % base
    if hat:
        tex = r"\hat{%s}" % tex
    if digits:
        tex = "%s_{%s}" % (tex, digits)
    return tex


#: LaTeX of the names met so far (filled on demand by :func:`name_latex`'s convention).
LATEX_NAMES: dict = {}


@lru_cache(maxsize=65536)
def _canonical_cycle(word: tuple) -> tuple:
    n = len(word)
    candidates = []
    for w in (word, word[::-1]):
        for i in range(n):
            candidates.append(w[i:] + w[:i])
    return min(candidates)


def canonical_cycle(word: Sequence[str]) -> tuple[str, ...]:
    """Smallest rotation or reflection of a cyclic word (traces of symmetric matrices).

    >>> canonical_cycle(("Sigma", "Lambda", "Lambda"))
    ('Lambda', 'Lambda', 'Sigma')
    """
    word = tuple(word)
    if not word:
        return word
    return _canonical_cycle(word)


def run_lengths(word: Sequence[str]) -> list[tuple[str, int]]:
    """Runs of equal names as (name, count) pairs, used for printing powers.

    ``("L", "L", "S")`` becomes ``[("L", 2), ("S", 1)]``.

    >>> run_lengths(("Lambda", "Lambda", "Sigma"))
    [('Lambda', 2), ('Sigma', 1)]
    """
    runs: list[tuple[str, int]] = []
    for name in word:
        if runs and runs[-1][0] == name:
            runs[-1] = (name, runs[-1][1] + 1)
        else:
            runs.append((name, 1))
    return runs


class CovarianceTrace(sympy.Symbol):
    """``tr`` of a cyclic product of symmetric covariance matrices, as a commutative symbol.

    Create it with :func:`trace_symbol`; ``.word`` is the canonical tuple of matrix names.
    """

    is_commutative = True

    def __new__(cls, word: Sequence[str]):
        word = canonical_cycle(word)
        if not word:
            raise ValueError("word: a covariance trace needs at least one matrix name")
        name = "tr(" + "*".join(n if p == 1 else f"{n}^{p}" for n, p in run_lengths(word)) + ")"
        obj = super().__new__(cls, name, positive=True)
        obj._word = word
        return obj

    def __getnewargs_ex__(self):
        return ((self._word,), {})

    @property
    def word(self) -> tuple[str, ...]:
        return self._word

    def _sympyrepr(self, printer):
        return "CovarianceTrace(%r)" % (self._word,)

    def _latex(self, printer):
        parts = []
        for n, p in run_lengths(self._word):
            base = LATEX_NAMES.get(n) or name_latex(n)
            parts.append(base if p == 1 else "%s^{%d}" % (base, p))
        return r"\operatorname{tr}\left(" + " ".join(parts) + r"\right)"


def trace_symbol(*names: str) -> CovarianceTrace:
    """The symbol for the trace of the product of ``names`` (canonical up to rotation and reversal)."""
    if len(names) == 1 and not isinstance(names[0], str):
        names = tuple(names[0])
    return CovarianceTrace(names)


def power_trace(powers: Mapping[str, int]) -> CovarianceTrace:
    """``tr`` of a product of commuting matrices raised to powers, e.g. ``{"Lambda": 2}``.

    >>> power_trace({"Lambda": 2, "Sigma": 1})
    tr(Lambda^2*Sigma)
    """
    word: list[str] = []
    for name in sorted(powers):
        if powers[name] < 0:
            raise ValueError(f"powers: exponent of {name} must be >= 0, got {powers[name]}")
        word.extend([name] * powers[name])
    return CovarianceTrace(word)


def covariance_traces(expr: sympy.Expr) -> set[CovarianceTrace]:
    """All :class:`CovarianceTrace` symbols in ``expr``."""
    return {s for s in sympy.sympify(expr).free_symbols if isinstance(s, CovarianceTrace)}


def isotropic(expr, scalars: Mapping[str, object] | None = None,
              aliases: Mapping[str, str] | None = None, size: object = None):
    """Substitute covariances that are multiples of the identity, and identify matrices.

    ``scalars`` maps a matrix name to ``s`` where the matrix is ``s * 1`` (e.g.
    ``{"Sigma": s}`` for ``Sigma = (sigma_u^2/M) 1``); ``aliases`` maps a name to another one it
    equals (e.g. ``{"Lambdahat": "Lambda"}``).  A trace left with no matrix becomes ``size``
    (the dimension of the space, e.g. the symbol ``M``), which must then be given.

    >>> s = sympy.Symbol("s")
    >>> e = trace_symbol("Lambdahat", "Sigma") * trace_symbol("Lambda")
    >>> isotropic(e, {"Sigma": s}, {"Lambdahat": "Lambda"})
    tr(Lambda)**2*s
    """
    scalars = dict(scalars or {})
    aliases = dict(aliases or {})
    expr = sympy.sympify(expr)
    subs = {}
    for t in covariance_traces(expr):
        factor = sympy.Integer(1)
        rest: list[str] = []
        for name in t.word:
            name = aliases.get(name, name)
            if name in scalars:
                factor *= sympy.sympify(scalars[name])
            else:
                rest.append(name)
        if rest:
            subs[t] = factor * CovarianceTrace(rest)
        else:
            if size is None:
                raise ValueError(f"size: {t} reduces to tr(1); give the dimension of the space")
            subs[t] = factor * sympy.sympify(size)
    return expr.xreplace(subs)


def diagonal_trace(word: Sequence[str], diagonals: Mapping[str, Sequence]) -> Fraction:
    """Exact trace of a product of matrices diagonal in one basis: ``tr(C1 C2 C3) = sum_I C1_I C2_I C3_I``.

    ``diagonals`` maps the names in ``word`` to their diagonal entries, read exactly with
    :func:`~diagrams.engine.numbers.read_fraction` (numbers, strings such as ``"1/3"``, Fractions,
    sympy Rationals); an empty ``word`` is ``tr(1)``, the common length of the diagonals.

    >>> diagonal_trace(("Lambda", "Sigma", "Lambda"), {"Lambda": [1, "1/2"], "Sigma": ["1/2", "1/2"]})
    Fraction(5, 8)
    """
    lengths = {len(v) for v in diagonals.values()}
    if len(lengths) > 1:
        raise ValueError(f"diagonals: all covariances must have the same length, got {sorted(lengths)}")
    if not lengths or 0 in lengths:
        raise ValueError("diagonals: give at least one non-empty diagonal")
    missing = [n for n in word if n not in diagonals]
    if missing:
        raise ValueError(f"diagonals: no diagonal given for {missing[0]!r}")
    vals = {n: [read_fraction(v, f"diagonals[{n!r}]") for v in diagonals[n]] for n in set(word)}
    total = Fraction(0)
    for i in range(lengths.pop()):
        term = Fraction(1)
        for n in word:
            term *= vals[n][i]
        total += term
    return total


def evaluate_traces(expr, diagonals: Mapping[str, Sequence], sizes: Mapping[object, object] | None = None,
                    exact: bool = True):
    """Numeric value of ``expr`` for covariances that are diagonal in one common basis.

    ``diagonals`` maps matrix names to their diagonal entries (numbers, strings such as ``"1/3"``
    or Fractions); ``sizes`` maps size symbols (or their names) to numbers.  With ``exact`` the
    traces are :func:`diagonal_trace` and the numbers are read with
    :func:`~diagrams.engine.numbers.read_fraction`: the result is a sympy ``Rational`` (or an
    expression in whatever symbols remain).  Without, they are floats.

    >>> e = 2 * trace_symbol("Lambda", "Sigma") * sympy.Symbol("N")
    >>> evaluate_traces(e, {"Lambda": [1, "1/2"], "Sigma": ["1/2", "1/2"]}, {"N": 3})
    9/2
    """
    expr = sympy.sympify(expr)
    lengths = {len(v) for v in diagonals.values()}
    if len(lengths) > 1:
        raise ValueError(f"diagonals: all covariances must have the same length, got {sorted(lengths)}")
    for name, vals in diagonals.items():
        if len(vals) == 0:
            raise ValueError(f"diagonals: the spectrum of {name} is empty")

    def number(value, name):
        if not exact:
            return sympy.Float(value)
        f = read_fraction(value, name)
        return sympy.Rational(f.numerator, f.denominator)

    subs = {}
    for t in covariance_traces(expr):
        if any(n not in diagonals for n in t.word):
            continue
        if exact:
            subs[t] = number(diagonal_trace(t.word, diagonals), "diagonals")
        else:
            floats = {n: [float(v) for v in diagonals[n]] for n in t.word}
            m = len(floats[t.word[0]])
            subs[t] = sympy.Float(sum(reduce(lambda a, b: a * b, (floats[n][i] for n in t.word)) for i in range(m)))
    if sizes:
        by_name = {s.name: s for s in expr.free_symbols}
        for key, val in sizes.items():
            sym = by_name.get(key, None) if isinstance(key, str) else key
            if sym is not None:
                subs[sym] = number(val, f"sizes[{key!r}]")
    return expr.xreplace(subs)


# ---------------------------------------------------------------------------------------------
# an exact, round-tripping text form of diagram values
# ---------------------------------------------------------------------------------------------

_LOAD_NAMES = ("Add", "Mul", "Pow", "Integer", "Rational", "Symbol", "CovarianceTrace", "Float")


def dump_expression(expr) -> str:
    """A text form of a value that :func:`load_expression` reads back exactly (``sympy.srepr``).

    Unlike ``str``, it keeps the symbols' assumptions and the order of the matrices inside each
    trace, and never clashes with sympy's own names (``Lambda``, ``C``, ``N``, ...).

    >>> e = 2 * trace_symbol("Lambda", "Sigma") * sympy.Symbol("N", positive=True) ** 2 / 3
    >>> dump_expression(e)
    "Mul(Rational(2, 3), CovarianceTrace(('Lambda', 'Sigma')), Pow(Symbol('N', positive=True), Integer(2)))"
    >>> load_expression(dump_expression(e)) == e
    True
    """
    return sympy.srepr(sympy.sympify(expr))


def load_expression(text: str):
    """Read the output of :func:`dump_expression` back (a restricted evaluator: only sympy's
    ``Add, Mul, Pow, Integer, Rational, Symbol`` and :class:`CovarianceTrace` with literal arguments)."""
    import ast

    if not isinstance(text, str) or len(text) > 10_000_000:
        raise ValueError("text: give the string written by dump_expression")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ValueError(f"text: not an expression written by dump_expression: {text[:60]!r}") from None

    def build(node):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _LOAD_NAMES:
            args = [build(a) for a in node.args]
            kwargs = {k.arg: build(k.value) for k in node.keywords}
            if node.func.id == "CovarianceTrace":
                return CovarianceTrace(*args)
            if node.func.id == "Symbol":
                return sympy.Symbol(*args, **kwargs)
            return getattr(sympy, node.func.id)(*args, **kwargs)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, str, bool, float)):
            return node.value
        if isinstance(node, ast.Tuple):
            return tuple(build(e) for e in node.elts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -build(node.operand)
        raise ValueError(f"text: unexpected element {ast.dump(node)[:60]} (not written by dump_expression)")

    return build(tree.body)
