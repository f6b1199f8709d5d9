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

from diagrams.engine.numbers import read_fraction, read_real

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
    r"""The LaTeX of a matrix or symbol name, by convention (no model involved).

    Greek names become Greek letters, a trailing ``hat`` a hat, trailing digits a subscript; other
    names of several letters print upright, and a name of another shape is printed upright with
    ``_`` escaped.

    Parameters
    ----------
    name : str
        The name.

    Returns
    -------
    str
        The LaTeX.

    Examples
    --------
    >>> [name_latex(n) for n in ("Lambda", "Lambdahat", "Sigma1", "That", "D", "weights", "sigma")]
    ['\\Lambda', '\\hat{\\Lambda}', '\\Sigma_{1}', '\\hat{T}', 'D', '\\mathrm{weights}', '\\sigma']
    >>> name_latex("x_1")
    '\\mathrm{x\\_1}'
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
    """The smallest rotation or reflection of a cyclic word: the canonical trace of symmetric matrices.

    Parameters
    ----------
    word : sequence of str
        The matrix names in cyclic order.

    Returns
    -------
    tuple of str
        The lexicographically smallest rotation of the word or of its reverse (``()`` for an empty word).

    Examples
    --------
    >>> canonical_cycle(("Sigma", "Lambda", "Lambda"))
    ('Lambda', 'Lambda', 'Sigma')
    >>> canonical_cycle(["C", "B", "A", "D"])
    ('A', 'B', 'C', 'D')
    """
    word = tuple(word)
    if not word:
        return word
    return _canonical_cycle(word)


def run_lengths(word: Sequence[str]) -> list[tuple[str, int]]:
    """The runs of equal names of a word as ``(name, count)`` pairs, used for printing powers.

    ``("L", "L", "S")`` becomes ``[("L", 2), ("S", 1)]``.  The word is read linearly (runs that wrap
    around the end are not merged).

    Parameters
    ----------
    word : sequence of str
        The names.

    Returns
    -------
    list of tuple of (str, int)

    Examples
    --------
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
    """The trace of a cyclic product of symmetric covariance matrices, as a commutative positive sympy symbol.

    A face of a ribbon graph that meets covariance matrices ``C1, C2, ..., Cn`` in cyclic order is
    worth ``tr(C1 C2 ... Cn)``.  Create it with :func:`trace_symbol`.  All covariance matrices are
    symmetric, so the word is canonical up to rotation and reversal (:func:`canonical_cycle`); the
    symbol's name is that canonical word with powers, e.g. ``tr(Lambda^2*Sigma)``.

    Parameters
    ----------
    word : sequence of str
        The matrix names in cyclic order, at least one.

    Attributes
    ----------
    word : tuple of str
        The canonical tuple of matrix names.

    Raises
    ------
    ValueError
        If ``word`` is empty.

    Examples
    --------
    >>> t = CovarianceTrace(["Sigma", "Lambda", "Lambda"])
    >>> t, t.word, t.is_positive
    (tr(Lambda^2*Sigma), ('Lambda', 'Lambda', 'Sigma'), True)
    >>> sympy.srepr(t)
    "CovarianceTrace(('Lambda', 'Lambda', 'Sigma'))"
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
    r"""The symbol of the trace of a product of covariance matrices, canonical up to rotation and reversal.

    Parameters
    ----------
    *names : str
        The matrix names in cyclic order; a single sequence of names is accepted too.

    Returns
    -------
    CovarianceTrace

    Raises
    ------
    ValueError
        If no name is given.

    Examples
    --------
    >>> t = trace_symbol("Sigma", "Lambda")
    >>> t, t.word
    (tr(Lambda*Sigma), ('Lambda', 'Sigma'))
    >>> trace_symbol("Lambda", "Sigma", "Lambda") == trace_symbol(["Lambda", "Lambda", "Sigma"])
    True
    >>> from sympy import latex
    >>> latex(trace_symbol("Lambdahat", "Lambda", "Lambda"))
    '\\operatorname{tr}\\left(\\Lambda^{2} \\hat{\\Lambda}\\right)'
    """
    if len(names) == 1 and not isinstance(names[0], str):
        names = tuple(names[0])
    return CovarianceTrace(names)


def power_trace(powers: Mapping[str, int]) -> CovarianceTrace:
    """The trace of a product of commuting covariance matrices raised to powers.

    ``{"Lambda": 2, "Sigma": 1}`` gives ``tr(Lambda^2 Sigma)``.

    Parameters
    ----------
    powers : mapping of str to int
        Matrix name to exponent (``>= 0``; a zero exponent drops the matrix).

    Returns
    -------
    CovarianceTrace

    Raises
    ------
    ValueError
        If an exponent is negative, or every exponent is zero (an empty trace).

    Examples
    --------
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
    """All :class:`CovarianceTrace` symbols in an expression.

    Parameters
    ----------
    expr : sympy.Expr or number
        The expression (sympified).

    Returns
    -------
    set of CovarianceTrace

    Examples
    --------
    >>> e = trace_symbol("Lambda") ** 2 + sympy.Symbol("N") * trace_symbol("Sigma", "Lambda")
    >>> sorted(map(str, covariance_traces(e)))
    ['tr(Lambda)', 'tr(Lambda*Sigma)']
    """
    return {s for s in sympy.sympify(expr).free_symbols if isinstance(s, CovarianceTrace)}


def isotropic(expr, scalars: Mapping[str, object] | None = None,
              aliases: Mapping[str, str] | None = None, size: object = None):
    """An expression with covariances that are multiples of the identity substituted, and matrices identified.

    A trace left with no matrix becomes ``size`` (the dimension of the space, e.g. the symbol ``M``),
    which must then be given.

    Parameters
    ----------
    expr : sympy.Expr
        The expression.
    scalars : mapping of str to number or sympy.Expr, optional
        Maps a matrix name to ``s`` where the matrix is ``s * 1`` (e.g. ``{"Sigma": s}`` for
        ``Sigma = (sigma_u^2/M) 1``).
    aliases : mapping of str to str, optional
        Maps a name to another one it equals (e.g. ``{"Lambdahat": "Lambda"}``); applied before
        ``scalars``.
    size : sympy.Expr or number, optional
        The value of ``tr(1)``.

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        If a trace reduces to ``tr(1)`` and ``size`` is not given.

    Examples
    --------
    >>> s = sympy.Symbol("s")
    >>> e = trace_symbol("Lambdahat", "Sigma") * trace_symbol("Lambda")
    >>> isotropic(e, {"Sigma": s}, {"Lambdahat": "Lambda"})
    tr(Lambda)**2*s
    >>> isotropic(trace_symbol("Sigma", "Sigma"), {"Sigma": s}, size=sympy.Symbol("M"))
    M*s**2
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
    """The exact trace of a product of covariance matrices diagonal in one basis.

    ``tr(C1 C2 C3) = sum_I C1_I C2_I C3_I``.

    Parameters
    ----------
    word : sequence of str
        The matrix names; an empty ``word`` is ``tr(1)``, the common length of the diagonals.
    diagonals : mapping of str to sequence
        Matrix name to its diagonal entries, read exactly with
        :func:`~diagrams.engine.numbers.read_fraction` (numbers, strings such as ``"1/3"``,
        Fractions, sympy Rationals).

    Returns
    -------
    Fraction

    Raises
    ------
    ValueError
        If the diagonals have different lengths, none is given or they are empty, a name of ``word``
        has no diagonal, or an entry cannot be read as a number.

    Examples
    --------
    >>> diagonal_trace(("Lambda", "Sigma", "Lambda"), {"Lambda": [1, "1/2"], "Sigma": ["1/2", "1/2"]})
    Fraction(5, 8)
    >>> diagonal_trace((), {"Lambda": [1, "1/2"]})
    Fraction(2, 1)
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


def _float(value, name: str) -> float:
    """A double: floats and ints as they are, anything else (text, Fraction, Rational) read exactly first."""
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return float(value)
    return read_real(value, name)


def evaluate_traces(expr, diagonals: Mapping[str, Sequence], sizes: Mapping[object, object] | None = None,
                    exact: bool = True):
    """The value of an expression for covariances that are diagonal in one common basis.

    With ``exact`` the traces are :func:`diagonal_trace` and the numbers are read with
    :func:`~diagrams.engine.numbers.read_fraction`: the result is a sympy ``Rational`` (or an
    expression in whatever symbols remain).  Without, they are floats (then the entries and sizes
    are read as doubles, ``"1/3"`` included).  Traces of matrices
    without a given diagonal, and sizes not given, stay symbolic.

    Parameters
    ----------
    expr : sympy.Expr
        The expression.
    diagonals : mapping of str to sequence
        Matrix names to their diagonal entries (numbers, strings such as ``"1/3"`` or Fractions), all
        of the same non-zero length.
    sizes : mapping, optional
        Size symbols (or their names) to numbers.
    exact : bool, optional
        Exact rationals (default) or floats.

    Returns
    -------
    sympy.Expr
        A ``Rational`` (or ``Float``) when nothing symbolic remains.

    Raises
    ------
    ValueError
        If the diagonals have different lengths or one is empty, or an entry or a size cannot be
        read as a number.

    Examples
    --------
    >>> e = 2 * trace_symbol("Lambda", "Sigma") * sympy.Symbol("N")
    >>> evaluate_traces(e, {"Lambda": [1, "1/2"], "Sigma": ["1/2", "1/2"]}, {"N": 3})
    9/2
    >>> evaluate_traces(e, {"Lambda": [1, 0.5], "Sigma": [0.5, 0.5]}, exact=False)
    1.5*N
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
            return sympy.Float(_float(value, name))
        f = read_fraction(value, name)
        return sympy.Rational(f.numerator, f.denominator)

    subs = {}
    for t in covariance_traces(expr):
        if any(n not in diagonals for n in t.word):
            continue
        if exact:
            subs[t] = number(diagonal_trace(t.word, diagonals), "diagonals")
        else:
            floats = {n: [_float(v, f"diagonals[{n!r}]") for v in diagonals[n]] for n in t.word}
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
    """A text form of a diagram value that :func:`load_expression` reads back exactly (``sympy.srepr``).

    Unlike ``str``, it keeps the symbols' assumptions and the order of the matrices inside each
    trace, and never clashes with sympy's own names (``Lambda``, ``C``, ``N``, ...).

    Parameters
    ----------
    expr : sympy.Expr or number
        The value (sympified).

    Returns
    -------
    str

    Examples
    --------
    >>> e = 2 * trace_symbol("Lambda", "Sigma") * sympy.Symbol("N", positive=True) ** 2 / 3
    >>> dump_expression(e)
    "Mul(Rational(2, 3), CovarianceTrace(('Lambda', 'Sigma')), Pow(Symbol('N', positive=True), Integer(2)))"
    >>> load_expression(dump_expression(e)) == e
    True
    """
    return sympy.srepr(sympy.sympify(expr))


def load_expression(text: str):
    """A diagram value read back from the text written by :func:`dump_expression`.

    A restricted evaluator: only sympy's ``Add, Mul, Pow, Integer, Rational, Float, Symbol`` and
    :class:`CovarianceTrace` with literal arguments (numbers, strings, tuples, negation) are accepted;
    nothing is executed.

    Parameters
    ----------
    text : str
        The text (at most 10 million characters).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        If ``text`` is not a string, is too long, is not a Python expression, or contains anything else
        than the calls and literals above.

    Examples
    --------
    >>> load_expression("Mul(Integer(3), CovarianceTrace(('Sigma', 'Lambda')))")
    3*tr(Lambda*Sigma)
    >>> load_expression("1 +")
    Traceback (most recent call last):
    ...
    ValueError: text: not an expression written by dump_expression: '1 +'
    >>> load_expression("__import__('os')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: text: unexpected element ... (not written by dump_expression)
    """
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
