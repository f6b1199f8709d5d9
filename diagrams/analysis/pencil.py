r"""Linearization: a model's observable as a block of the inverse of a pencil linear in its Gaussian matrices.

A *linear representation* of a matrix expression ``E`` (rows in space ``r``, columns in ``c``) is

    E = u L^-1 v + D0,       L = L0 + sum (diagonal) (x) X (diagonal)       (Helton-Mai-Speicher 2018)

with a block matrix ``L`` (a :class:`Pencil`) whose blocks are each typed by an index space,
``L0`` deterministic (the ridge, numbers, deterministic diagonal matrices; only between blocks of one
space), every Gaussian matrix ``X`` or its transpose sitting in single blocks between diagonal
matrices, ``u`` a row of diagonal matrices on the blocks of space ``r``, ``v`` a column on those of
``c`` and ``D0`` a deterministic diagonal matrix (only when ``r = c``).  The rules
(:func:`linearize`):

* letter ``X`` (a x b): ``L = [[1, -X], [0, 1]]``, ``u = (1, 0)``, ``v = (0, 1)^T``;
  a diagonal ``D`` or the identity: no block, ``D0 = D``;
* sum: the pencils side by side (block diagonal), ``u`` and ``v`` concatenated;
* product ``E1 E2``: ``L = [[L1, -v1 u2], [0, L2]]``, ``u = (u1, D01 u2)``, ``v = (v1 D02, v2)^T``;
* resolvent ``(gamma + E)^-1``: one new block, ``L = [[gamma + D0, u], [-v, L_E]]`` -- the Schur
  complement of ``L_E`` is ``gamma + E``;
* a resolvent of a word ``W = w_1 ... w_n`` of letters takes its neighbours in a product with it:
  with the word's chain of blocks ``s_0 .. s_n``, ``w_{a+1} .. w_n (gamma + W)^-1 w_1 .. w_b =
  [a <= b] w_{a+1} .. w_b - (L^-1)_{s_a s_b}`` (e.g. ``x Q x^T u^T u = 1 - (L^-1)_{s_3 s_3}`` for
  ``Q = (gamma + x^T u^T u x)^-1``), so no block is spent on them;
* transpose: ``E^T = v^T (L^T)^-1 u^T + D0``.

:func:`reduce` then eliminates blocks by Schur complements wherever the result stays linear
(a block with a deterministic, ridge-free diagonal entry whose row and column are never both
Gaussian) and drops blocks that cannot reach ``u`` or ``v``.  For the random-feature resolvent
``Q = (gamma + x^T u^T u x)^-1`` this leaves the four blocks (train, latent, feature, latent)

    L = [[gamma, x^T, 0, 0], [0, 1, -u^T, 0], [0, 0, 1, -u], [-x, 0, 0, 1]],   Q = (L^-1)_{11}.

**Observables** (:func:`linearize_term`).  A term ``c tr(E)`` becomes ``c tr(u L^-1 v + D0)``.  A
quadratic term ``c tr(A^T A)`` whose ``A = B Z`` ends (in every summand) with a Gaussian matrix ``Z``
found nowhere else in ``A`` is first averaged over ``Z`` exactly: ``E_Z tr(Z^T B^T B Z) =
tr(Cc_Z) tr(Rr_Z B^T B)`` (likewise a leading one) -- for the test loss this removes the test
inputs ``xhat``.  What remains, ``tr(Wr B^T Wl B)`` with ``B = u L^-1 v + D0``, is the ``(2, 2)``
block of the inverse of the block-triangular doubling

    P = [[L^T, -u^T Wl u], [0, L]],     (P^-1)_{12} = L^-T u^T Wl u L^-1,

read with ``v`` on both sides (:func:`doubled_pencil`; the paper's test loss, Zhang 2024 Eq. 20).

>>> from diagrams.models.registry import load_model
>>> rf = load_model("random-features")
>>> term = linearize_term(rf.observable[0], rf.gamma)
>>> [b.name for b in term.realization.pencil.blocks]
['train', 'latent', 'feature', 'latent']
>>> term.averaged, term.trace_factor
(('xhat',), That)
>>> from diagrams.analysis.pencil_display import pencil_table
>>> print(pencil_table(term.realization))
block  space    1      2    3     4
1      train    gamma  x^T  .     .
2      latent   .      1    -u^T  .
3      feature  .      .    1     -u
4      latent   -x     .    .     1
u = -1 at block 4; v = 1 at block 4
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import sympy

from diagrams.engine.expressions import Atom, Identity, MatrixExpr, Product, Resolvent, Sum, as_expr
from diagrams.engine.matrices import Diagonal, GaussianMatrix, Letter
from diagrams.engine.spaces import Space

__all__ = [
    "DiagonalSymbol",
    "diagonal_symbol",
    "symbolic_trace",
    "covariance_symbols",
    "GaussianTerm",
    "Entry",
    "Pencil",
    "Realization",
    "LinearizedTerm",
    "linearize",
    "reduce",
    "linearize_term",
    "linearize_observable",
    "doubled_pencil",
    "MAX_BLOCKS",
]

#: Most blocks a pencil may have (the Dyson equation inverts one small matrix per space and eigenvalue).
MAX_BLOCKS = 400

_ZERO = sympy.Integer(0)
_ONE = sympy.Integer(1)


# ------------------------------------------------------------------------------------------------
# deterministic diagonal matrices as commuting symbols
# ------------------------------------------------------------------------------------------------

class DiagonalSymbol(sympy.Symbol):
    """A deterministic diagonal matrix (a covariance or a declared diagonal) on one index space.

    All of them are diagonal in one basis, so they commute and a sympy expression in them is again
    a diagonal matrix.  Create them with :func:`diagonal_symbol`; ``.space`` is the index space.
    Unlike sympy's symbols, equal names on different spaces are different symbols.

    Parameters
    ----------
    name : str
        The name of the covariance or diagonal.
    space : Space
        The index space it acts on.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X = GaussianMatrix("X", V, W)
    >>> lam = DiagonalSymbol("Lambda", V)
    >>> lam.space.name, lam == diagonal_symbol("Lambda", V), lam == diagonal_symbol("Lambda", W)
    ('v', True, False)
    """

    is_commutative = True

    def __new__(cls, name: str, space: Space):
        # not sympy's cached constructor: equal names on different spaces are different symbols
        obj = sympy.Symbol.__xnew__(cls, name)
        obj._space = space
        return obj

    def __getnewargs_ex__(self):
        return ((self.name, self._space), {})

    def _hashable_content(self):
        return super()._hashable_content() + (self._space,)

    @property
    def space(self) -> Space:
        return self._space


def diagonal_symbol(name: str, space: Space) -> DiagonalSymbol:
    """The commuting symbol of a deterministic diagonal matrix on one index space.

    Parameters
    ----------
    name : str
        The name of the covariance or diagonal (``"Lambda"``).
    space : Space
        The index space.

    Returns
    -------
    DiagonalSymbol

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> lam = diagonal_symbol("Lambda", Space("latent", "M"))
    >>> lam, lam.space.name, (lam ** 2 * 3).is_commutative
    (Lambda, 'latent', True)
    """
    return DiagonalSymbol(name, space)


def _symbol_of(item) -> sympy.Expr:
    if isinstance(item, Diagonal):
        return diagonal_symbol(item.name, item.space)
    raise ValueError(f"expression: {item!r} is not a deterministic diagonal matrix")


def symbolic_trace(expr, space: Space) -> sympy.Expr:
    """The trace over one space of an expression in diagonal matrices, in covariance-trace symbols.

    Its monomials in the diagonal symbols of ``space`` become
    :class:`~diagrams.engine.symbols.CovarianceTrace` symbols; a constant ``c`` becomes ``c * size``.

    Parameters
    ----------
    expr : sympy.Expr
        A polynomial in the diagonal symbols of ``space`` (other symbols are scalars).
    space : Space
        The space traced over.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> V = Space("latent", "M")
    >>> L, S = diagonal_symbol("Lambda", V), diagonal_symbol("Sigma", V)
    >>> from diagrams.engine.symbols import trace_symbol
    >>> symbolic_trace(2 * L**2 * S + 3, V) == 2 * trace_symbol("Lambda", "Lambda", "Sigma") + 3 * V.size
    True
    """
    from diagrams.engine.symbols import power_trace

    expr = sympy.expand(sympy.sympify(expr))
    gens = sorted((s for s in expr.free_symbols if isinstance(s, DiagonalSymbol) and s.space == space),
                  key=lambda s: s.name)
    if not gens:
        return expr * space.size
    poly = sympy.Poly(expr, *gens)
    out = _ZERO
    for powers, coef in poly.terms():
        if not any(powers):
            out += coef * space.size
        else:
            out += coef * power_trace({g.name: p for g, p in zip(gens, powers) if p})
    return out


def covariance_symbols(matrix: GaussianMatrix) -> tuple[sympy.Expr, sympy.Expr]:
    """The row and column covariances of a Gaussian matrix as diagonal symbols.

    Parameters
    ----------
    matrix : GaussianMatrix
        The Gaussian matrix (:class:`~diagrams.engine.matrices.GaussianMatrix`).

    Returns
    -------
    tuple of sympy.Expr
        ``(Rr, Cc)``, each a :class:`DiagonalSymbol` on the rows (columns) or 1 when the matrix has
        no such covariance.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X = GaussianMatrix("X", V, W)
    >>> covariance_symbols(X)
    (1, 1)
    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> [(m.name, covariance_symbols(m)) for m in rf.matrices.values()]
    [('u', (1, Sigma)), ('x', (Lambda, 1)), ('xhat', (Lambdahat, 1))]
    """
    rr = _ONE if matrix.row_cov is None else diagonal_symbol(matrix.row_cov, matrix.rows)
    cc = _ONE if matrix.col_cov is None else diagonal_symbol(matrix.col_cov, matrix.cols)
    return rr, cc


# ------------------------------------------------------------------------------------------------
# entries and pencils
# ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GaussianTerm:
    """A Gaussian matrix or its transpose between two diagonal matrices, ``left * letter * right``.

    :meth:`transpose` gives ``right^T letter^T left^T`` (numbers kept on the left).

    Parameters
    ----------
    letter : Letter
        The Gaussian matrix or its transpose (:class:`~diagrams.engine.matrices.Letter`).
    left : sympy.Expr, optional
        The diagonal matrix on its left (on the letter's row space).
    right : sympy.Expr, optional
        The diagonal matrix on its right (on its column space).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X = GaussianMatrix("X", V, W)
    >>> t = GaussianTerm(X.T.T, 2 * diagonal_symbol("Lambda", V))
    >>> t.transpose()
    GaussianTerm(letter=Letter('X', transposed=True), left=2, right=Lambda)
    """

    letter: Letter
    left: sympy.Expr = _ONE
    right: sympy.Expr = _ONE

    def transpose(self) -> "GaussianTerm":
        num, right = sympy.sympify(self.left).as_coeff_Mul()      # numbers stay on the left
        return GaussianTerm(self.letter.T, self.right * num, right)


@dataclass(frozen=True)
class Entry:
    """One block of a pencil, a deterministic diagonal plus a sum of Gaussian terms.

    ``constant * 1 + sum of Gaussian terms``.  Entries add (``+``), negate, transpose and scale by
    diagonal matrices (:meth:`scaled`).

    Parameters
    ----------
    constant : sympy.Expr, optional
        The deterministic part (a diagonal matrix; the ridge, numbers, diagonal symbols).
    gaussian : tuple of GaussianTerm, optional
        The Gaussian part.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X = GaussianMatrix("X", V, W)
    >>> e = Entry(sympy.Integer(1), (GaussianTerm(X.T.T, sympy.Integer(-1)),))
    >>> e.is_zero, e.is_deterministic, Entry().is_zero
    (False, False, True)
    >>> (e + e).gaussian
    (GaussianTerm(letter=Letter('X', transposed=False), left=-2, right=1),)
    """

    constant: sympy.Expr = _ZERO
    gaussian: tuple = ()

    @property
    def is_zero(self) -> bool:
        return self.constant == 0 and not self.gaussian

    @property
    def is_deterministic(self) -> bool:
        return not self.gaussian

    def transpose(self) -> "Entry":
        return Entry(self.constant, tuple(t.transpose() for t in self.gaussian))

    def scaled(self, left=_ONE, right=_ONE) -> "Entry":
        """``left * self * right`` for diagonal ``left``, ``right``."""
        return Entry(sympy.expand(left * self.constant * right),
                     _merge_terms(GaussianTerm(t.letter, t.left * left, t.right * right) for t in self.gaussian))

    def __add__(self, other: "Entry") -> "Entry":
        return Entry(sympy.expand(self.constant + other.constant), _merge_terms(self.gaussian + other.gaussian))

    def __neg__(self) -> "Entry":
        return self.scaled(-_ONE)


def _merge_terms(terms) -> tuple:
    acc: dict = {}
    order = []
    for t in terms:
        num, right = sympy.expand(t.right).as_coeff_Mul()      # numbers go to the left factor
        t = GaussianTerm(t.letter, t.left * num, right)
        key = (t.letter, t.right)
        if key not in acc:
            acc[key] = _ZERO
            order.append(key)
        acc[key] = acc[key] + t.left
    out = []
    for key in order:
        left = sympy.expand(acc[key])
        if left != 0:
            out.append(GaussianTerm(key[0], left, sympy.expand(key[1])))
    return tuple(out)


def _product(e1: Entry, e2: Entry) -> Entry:
    """``e1 e2`` when at least one of them is deterministic (the result stays linear)."""
    if e1.gaussian and e2.gaussian:
        raise ValueError("pencil: a product of two Gaussian entries is not linear")
    if not e1.gaussian:
        return e2.scaled(left=e1.constant)
    return e1.scaled(right=e2.constant)


class Pencil:
    """A block matrix ``L = L0 + (Gaussian part)``; block ``i`` acts on index space ``blocks[i]``.

    ``entries`` maps ``(i, j)`` to an :class:`Entry` (absent: zero; zero entries are dropped).
    Treated as immutable.

    Parameters
    ----------
    blocks : sequence of Space
        The index space of each block.
    entries : mapping
        ``{(i, j): Entry}``.

    Raises
    ------
    ValueError
        If a deterministic entry joins two different spaces, or a Gaussian letter does not fit the
        spaces of its block.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X = GaussianMatrix("X", V, W)
    >>> g = sympy.Symbol("g", positive=True)
    >>> p = reduce(linearize(X @ X.T, g), g).pencil
    >>> p, len(p)
    (Pencil(3 blocks: v, w, v), 3)
    >>> [(i, j, str(t.letter)) for i, j, t in p.occurrences()]
    [(0, 1, 'X'), (1, 2, 'X^T')]
    >>> Pencil((V, W), {(0, 1): Entry(g)})
    Traceback (most recent call last):
    ...
    ValueError: pencil: a deterministic entry joins spaces v and w
    """

    __slots__ = ("blocks", "entries")

    def __init__(self, blocks, entries: Mapping):
        self.blocks = tuple(blocks)
        self.entries = {k: v for k, v in entries.items() if not v.is_zero}
        for (i, j), e in self.entries.items():
            if e.constant != 0 and self.blocks[i] != self.blocks[j]:
                raise ValueError(f"pencil: a deterministic entry joins spaces {self.blocks[i].name} and "
                                 f"{self.blocks[j].name}")
            for t in e.gaussian:
                if (t.letter.left, t.letter.right) != (self.blocks[i], self.blocks[j]):
                    raise ValueError(f"pencil: {t.letter} does not fit block ({i}, {j})")

    def __len__(self) -> int:
        return len(self.blocks)

    def entry(self, i: int, j: int) -> Entry:
        return self.entries.get((i, j), Entry())

    def transpose(self) -> "Pencil":
        """``L^T``: block ``(i, j)`` is the transpose of block ``(j, i)``."""
        return Pencil(self.blocks, {(j, i): e.transpose() for (i, j), e in self.entries.items()})

    def occurrences(self):
        """``[(i, j, GaussianTerm)]`` for every Gaussian term of every block."""
        return [(i, j, t) for (i, j), e in sorted(self.entries.items()) for t in e.gaussian]

    def key(self) -> tuple:
        """A hashable description (equal pencils have equal keys)."""
        return (tuple((b.name, str(b.size)) for b in self.blocks),
                tuple(sorted((k, sympy.srepr(e.constant), tuple((str(t.letter), sympy.srepr(t.left),
                                                                  sympy.srepr(t.right)) for t in e.gaussian))
                             for k, e in self.entries.items())))

    def __repr__(self) -> str:
        return f"Pencil({len(self.blocks)} blocks: {', '.join(b.name for b in self.blocks)})"


def _block_sum(pencils) -> tuple[list, dict, list]:
    """Side-by-side (block diagonal) union: blocks, entries and each pencil's offset."""
    blocks, entries, offsets = [], {}, []
    for p in pencils:
        off = len(blocks)
        offsets.append(off)
        blocks.extend(p.blocks)
        for (i, j), e in p.entries.items():
            entries[(i + off, j + off)] = e
    return blocks, entries, offsets


# ------------------------------------------------------------------------------------------------
# linear representations
# ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Realization:
    """``E = u L^-1 v + D0`` (see the module docstring); ``left`` is ``u``, ``right`` is ``v``.

    ``left``/``right`` map block indices to diagonal matrices (sympy expressions); ``constant`` is
    ``D0`` (zero unless ``rows == cols``).

    Parameters
    ----------
    pencil : Pencil
        ``L``.
    left : mapping
        ``u``: block index -> diagonal matrix, on blocks of space ``rows``.
    right : mapping
        ``v``: block index -> diagonal matrix, on blocks of space ``cols``.
    constant : sympy.Expr
        ``D0``.
    rows : Space
        The row space of ``E``.
    cols : Space
        The column space of ``E``.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X = GaussianMatrix("X", V, W)
    >>> g = sympy.Symbol("g", positive=True)
    >>> r = linearize(X @ X.T, g)
    >>> r.pencil, r.left, r.right, r.constant, r.rows.name
    (Pencil(4 blocks: v, w, w, v), {0: 1}, {3: 1}, 0, 'v')
    >>> r.transpose().left
    {3: 1}
    """

    pencil: Pencil
    left: Mapping
    right: Mapping
    constant: sympy.Expr
    rows: Space
    cols: Space

    def transpose(self) -> "Realization":
        return Realization(self.pencil.transpose(), dict(self.right), dict(self.left), self.constant,
                           self.cols, self.rows)


def _constant(value, space: Space) -> Realization:
    return Realization(Pencil((), {}), {}, {}, sympy.sympify(value), space, space)


def _letter(letter: Letter) -> Realization:
    p = Pencil((letter.left, letter.right),
               {(0, 0): Entry(_ONE), (1, 1): Entry(_ONE), (0, 1): Entry(_ZERO, (GaussianTerm(letter, -_ONE),))})
    return Realization(p, {0: _ONE}, {1: _ONE}, _ZERO, letter.left, letter.right)


def _sum(parts: list[tuple[sympy.Expr, Realization]]) -> Realization:
    blocks, entries, offsets = _block_sum([r.pencil for _, r in parts])
    left, right, const = {}, {}, _ZERO
    for (c, r), off in zip(parts, offsets):
        for i, w in r.left.items():
            left[i + off] = sympy.expand(c * w)
        for j, w in r.right.items():
            right[j + off] = w
        const = const + c * r.constant
    r0 = parts[0][1]
    return Realization(Pencil(blocks, entries), left, right, sympy.expand(const), r0.rows, r0.cols)


def _times(r1: Realization, r2: Realization) -> Realization:
    blocks, entries, (o1, o2) = _block_sum([r1.pencil, r2.pencil])
    for i, vi in r1.right.items():
        for j, uj in r2.left.items():
            key = (i + o1, j + o2)
            entries[key] = entries.get(key, Entry()) + Entry(sympy.expand(-vi * uj))
    left = {i + o1: w for i, w in r1.left.items()}
    for j, uj in r2.left.items():
        if r1.constant != 0:
            left[j + o2] = sympy.expand(left.get(j + o2, _ZERO) + r1.constant * uj)
    right = {j + o2: w for j, w in r2.right.items()}
    for i, vi in r1.right.items():
        if r2.constant != 0:
            right[i + o1] = sympy.expand(right.get(i + o1, _ZERO) + vi * r2.constant)
    return Realization(Pencil(blocks, entries), left, right, sympy.expand(r1.constant * r2.constant),
                       r1.rows, r2.cols)


def _resolvent(inner: Realization, ridge) -> Realization:
    blocks = (inner.rows,) + inner.pencil.blocks
    entries = {(i + 1, j + 1): e for (i, j), e in inner.pencil.entries.items()}
    entries[(0, 0)] = Entry(sympy.expand(ridge + inner.constant))
    for j, uj in inner.left.items():
        entries[(0, j + 1)] = entries.get((0, j + 1), Entry()) + Entry(uj)
    for i, vi in inner.right.items():
        entries[(i + 1, 0)] = entries.get((i + 1, 0), Entry()) + Entry(-vi)
    return Realization(Pencil(blocks, entries), {0: _ONE}, {0: _ONE}, _ZERO, inner.rows, inner.rows)


def _word_of(argument: MatrixExpr):
    """The atoms of a resolvent's argument when it is a product of atoms (else ``None``)."""
    if isinstance(argument, Atom):
        return [argument]
    if isinstance(argument, Product) and all(isinstance(f, Atom) for f in argument.factors):
        return list(argument.factors)
    return None


def _resolvent_read(word: list, ridge, a: int, b: int) -> Realization:
    """``w_{a+1}..w_n (ridge + W)^-1 w_1..w_b`` for ``a >= b`` from the resolvent pencil of the word."""
    n = len(word)
    # blocks: 0 = the ridge block, 1 + k = s_k (k = 0..n)
    blocks = [word[0].rows] + [word[0].rows] + [w.cols for w in word]
    entries = {(0, 0): Entry(ridge), (0, 1): Entry(_ONE), (n + 1, 0): Entry(-_ONE)}
    for k in range(n + 1):
        entries[(k + 1, k + 1)] = Entry(_ONE)
    for k, w in enumerate(word, start=1):
        if isinstance(w.item, Letter):
            entries[(k, k + 1)] = Entry(_ZERO, (GaussianTerm(w.item, -_ONE),))
        else:
            entries[(k, k + 1)] = Entry(-_symbol_of(w.item))
    const = _ONE if a == b else _ZERO
    if a < b:
        raise ValueError("internal: a resolvent read needs a >= b")
    return Realization(Pencil(blocks, entries), {a + 1: -_ONE}, {b + 1: _ONE}, const,
                       blocks[a + 1], blocks[b + 1])


def _plan_product(factors: list, ridge) -> list:
    """Group the factors of a product: a resolvent of a word takes matching neighbours with it."""
    claimed = [False] * len(factors)
    groups = []          # (start, stop, realizer)
    i = 0
    while i < len(factors):
        f = factors[i]
        word = _word_of(f.argument) if isinstance(f, Resolvent) and f.ridge == ridge else None
        if word is None:
            i += 1
            continue
        n = len(word)
        k = 0
        while k < n and i - k - 1 >= 0 and not claimed[i - k - 1] and isinstance(factors[i - k - 1], Atom) \
                and factors[i - k - 1] == word[n - k - 1]:
            k += 1
        l = 0
        while k + l < n and i + l + 1 < len(factors) and isinstance(factors[i + l + 1], Atom) \
                and factors[i + l + 1] == word[l]:
            l += 1
        if k + l > 0:
            for t in range(i - k, i + l + 1):
                claimed[t] = True
            groups.append((i - k, i + l + 1, (word, n - k, l)))
            i = i + l + 1
        else:
            i += 1
    return groups


def linearize(expr, ridge: sympy.Symbol) -> Realization:
    """A linear representation ``E = u L^-1 v + D0`` of a matrix expression, before :func:`reduce`.

    The rules are listed in the module docstring (Helton-Mai-Speicher 2018).

    Parameters
    ----------
    expr : MatrixExpr or Letter or GaussianMatrix
        The matrix expression (anything :func:`~diagrams.engine.expressions.as_expr` takes).
    ridge : sympy.Symbol
        The model's ridge; every resolvent must use it.

    Returns
    -------
    Realization

    Raises
    ------
    ValueError
        If ``expr`` is not a matrix expression, a resolvent has another ridge, or a factor is neither
        a Gaussian letter nor a deterministic diagonal matrix.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X = GaussianMatrix("X", V, W)
    >>> g = sympy.Symbol("g", positive=True)
    >>> r = reduce(linearize(X @ X.T, g), g)
    >>> [b.name for b in r.pencil.blocks], r.left, r.right
    (['v', 'w', 'v'], {0: 1}, {2: 1})
    """
    e = as_expr(expr)
    if isinstance(e, Atom):
        if isinstance(e.item, Letter):
            return _letter(e.item)
        return _constant(_symbol_of(e.item), e.item.space)
    if isinstance(e, Identity):
        return _constant(_ONE, e.space)
    if isinstance(e, Sum):
        return _sum([(sympy.sympify(c), linearize(t, ridge)) for c, t in e.terms])
    if isinstance(e, Resolvent):
        if e.ridge != ridge:
            raise ValueError(f"resolvent: ridge {e.ridge} differs from the model's ridge {ridge}")
        return _resolvent(linearize(e.argument, ridge), ridge)
    if isinstance(e, Product):
        factors = list(e.factors)
        groups = _plan_product(factors, ridge)
        parts, i = [], 0
        for start, stop, (word, a, b) in groups:
            parts.extend(linearize(f, ridge) for f in factors[i:start])
            parts.append(_resolvent_read(word, ridge, a, b))
            i = stop
        parts.extend(linearize(f, ridge) for f in factors[i:])
        out = parts[0]
        for p in parts[1:]:
            out = _times(out, p)
        return out
    raise ValueError(f"expression: cannot linearize {e!r}")


# ------------------------------------------------------------------------------------------------
# reduction by Schur complements
# ------------------------------------------------------------------------------------------------

def _reachable(n: int, edges: dict, start: set) -> set:
    seen, stack = set(start), list(start)
    while stack:
        a = stack.pop()
        for b in edges.get(a, ()):
            if b not in seen:
                seen.add(b)
                stack.append(b)
    return seen


def _prune(r: Realization) -> Realization:
    p = r.pencil
    fwd, bwd = {}, {}
    for (i, j) in p.entries:
        if i != j:
            fwd.setdefault(i, set()).add(j)
            bwd.setdefault(j, set()).add(i)
    # blocks that u reaches and that reach v
    keep = _reachable(len(p), fwd, set(r.left)) & _reachable(len(p), bwd, set(r.right))
    if len(keep) == len(p):
        return r
    return _restrict(r, sorted(keep))


def _restrict(r: Realization, keep: list) -> Realization:
    index = {old: new for new, old in enumerate(keep)}
    p = r.pencil
    entries = {(index[i], index[j]): e for (i, j), e in p.entries.items() if i in index and j in index}
    return Realization(Pencil([p.blocks[i] for i in keep], entries),
                       {index[i]: w for i, w in r.left.items() if i in index and w != 0},
                       {index[j]: w for j, w in r.right.items() if j in index and w != 0},
                       r.constant, r.rows, r.cols)


def _can_eliminate(r: Realization, k: int, ridge) -> bool:
    p = r.pencil
    d = p.entry(k, k)
    if d.gaussian or d.constant == 0 or d.constant.has(ridge):
        return False
    col = [e for (i, j), e in p.entries.items() if j == k and i != k]
    row = [e for (i, j), e in p.entries.items() if i == k and j != k]
    if r.left.get(k, 0) != 0 and any(e.gaussian for e in row):
        return False
    if r.right.get(k, 0) != 0 and any(e.gaussian for e in col):
        return False
    return not (any(e.gaussian for e in col) and any(e.gaussian for e in row))


def _eliminate(r: Realization, k: int) -> Realization:
    p = r.pencil
    dinv = 1 / p.entry(k, k).constant
    col = {i: e for (i, j), e in p.entries.items() if j == k and i != k}
    row = {j: e for (i, j), e in p.entries.items() if i == k and j != k}
    entries = {key: e for key, e in p.entries.items() if k not in key}
    for i, ei in col.items():
        for j, ej in row.items():
            entries[(i, j)] = entries.get((i, j), Entry()) + (-_product(ei.scaled(right=dinv), ej))
    left, right, const = dict(r.left), dict(r.right), r.constant
    uk, vk = left.pop(k, _ZERO), right.pop(k, _ZERO)
    if uk != 0:
        for j, ej in row.items():
            left[j] = sympy.expand(left.get(j, _ZERO) - uk * dinv * ej.constant)
    if vk != 0:
        for i, ei in col.items():
            right[i] = sympy.expand(right.get(i, _ZERO) - ei.constant * dinv * vk)
    if uk != 0 and vk != 0:
        const = sympy.expand(const + uk * dinv * vk)
    keep = [i for i in range(len(p)) if i != k]
    index = {old: new for new, old in enumerate(keep)}
    return Realization(Pencil([p.blocks[i] for i in keep], {(index[i], index[j]): e for (i, j), e in entries.items()}),
                       {index[i]: w for i, w in left.items() if w != 0},
                       {index[j]: w for j, w in right.items() if w != 0}, const, r.rows, r.cols)


def reduce(r: Realization, ridge: sympy.Symbol | None = None) -> Realization:
    """Eliminate every block that can go while the pencil stays linear; drop unreachable blocks.

    A block ``k`` goes (Schur complement ``L_ab -> L_ab - L_ak L_kk^-1 L_kb``) when ``L_kk`` is a
    nonzero deterministic diagonal free of the ridge, no product ``L_ak L_kb`` has two Gaussian
    factors, and ``u`` (``v``) meets it only where its row (column) is deterministic.  Blocks with
    the least fill-in go first.

    Parameters
    ----------
    r : Realization
        A linear representation (:func:`linearize`).
    ridge : sympy.Symbol, optional
        The ridge: a block whose diagonal holds it is kept.

    Returns
    -------
    Realization
        The same ``E`` with fewer blocks.

    Raises
    ------
    ValueError
        If more than :data:`MAX_BLOCKS` blocks remain.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X = GaussianMatrix("X", V, W)
    >>> g = sympy.Symbol("g", positive=True)
    >>> len(linearize(X @ X.T, g).pencil), len(reduce(linearize(X @ X.T, g), g).pencil)
    (4, 3)
    """
    r = _prune(r)
    while True:
        best = None
        for k in range(len(r.pencil)):
            if _can_eliminate(r, k, ridge if ridge is not None else sympy.Dummy()):
                p = r.pencil
                fill = sum(1 for (i, j) in p.entries if j == k and i != k) * \
                    sum(1 for (i, j) in p.entries if i == k and j != k)
                if best is None or fill < best[0]:
                    best = (fill, k)
        if best is None:
            break
        r = _prune(_eliminate(r, best[1]))
    if len(r.pencil) > MAX_BLOCKS:
        raise ValueError(f"pencil: the linearization has {len(r.pencil)} blocks, at most {MAX_BLOCKS} are allowed")
    return r


# ------------------------------------------------------------------------------------------------
# observable terms
# ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LinearizedTerm:
    """The pencil of one observable term.

    ``kind="trace"``: ``coefficient * trace_factor * tr(E)``, ``E = realization``.
    ``kind="quadratic"``: ``coefficient * trace_factor * tr(right_weight B^T left_weight B)`` with
    ``B = realization``; ``averaged`` names the Gaussian matrix averaged exactly beforehand and
    ``trace_factor`` is the trace its average left, ``tr(trace_weight)`` over ``trace_space`` (e.g.
    ``That`` for the test inputs).

    Parameters
    ----------
    kind : {"trace", "quadratic"}
        The kind of the term.
    coefficient : sympy.Expr
        The term's coefficient.
    realization : Realization
        ``E`` (trace) or ``B`` (quadratic), reduced.
    left_weight, right_weight : sympy.Expr, optional
        ``Wl`` and ``Wr`` of a quadratic term.
    trace_weight : sympy.Expr, optional
        The diagonal traced by the exact average.
    trace_space : Space or None, optional
        The space of that trace (``None``: no average).
    averaged : tuple of str, optional
        The Gaussian matrix averaged exactly.
    label : str, optional
        The term's label.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> t = linearize_term(ridge.observable[0], ridge.gamma)
    >>> t.kind, t.coefficient, t.right_weight, t.averaged, t.trace_factor
    ('quadratic', C*sigma_w2/(2*M*That), Lambda, ('xhat',), That)
    """

    kind: str
    coefficient: sympy.Expr
    realization: Realization
    left_weight: sympy.Expr = _ONE
    right_weight: sympy.Expr = _ONE
    trace_weight: sympy.Expr = _ONE
    trace_space: Space | None = None
    averaged: tuple = ()
    label: str = ""

    @property
    def trace_factor(self) -> sympy.Expr:
        """The trace left by the exact average, ``tr(trace_weight)`` over ``trace_space`` (1 if none)."""
        if self.trace_space is None:
            return _ONE
        return symbolic_trace(self.trace_weight, self.trace_space)


def _letters_in(e: MatrixExpr) -> list:
    if isinstance(e, Atom):
        return [e.item] if isinstance(e.item, Letter) else []
    if isinstance(e, Identity):
        return []
    if isinstance(e, Sum):
        return [l for _, t in e.terms for l in _letters_in(t)]
    if isinstance(e, Product):
        return [l for f in e.factors for l in _letters_in(f)]
    if isinstance(e, Resolvent):
        return _letters_in(e.argument)
    return []


def _strip(A: MatrixExpr, side: str):
    """``A = B Z`` (side "right") or ``Z B`` ("left") with ``Z`` a letter found nowhere else: ``(B, Z)``."""
    terms = A.terms if isinstance(A, Sum) else ((_ONE, A),)
    ends, rests = [], []
    for c, t in terms:
        factors = list(t.factors) if isinstance(t, Product) else [t]
        end = factors[-1] if side == "right" else factors[0]
        if not (isinstance(end, Atom) and isinstance(end.item, Letter)):
            return None
        ends.append(end.item)
        rest = factors[:-1] if side == "right" else factors[1:]
        if not rest:
            space = end.item.left if side == "right" else end.item.right
            rest_expr = Identity(space)
        else:
            rest_expr = rest[0] if len(rest) == 1 else Product(tuple(rest))
        rests.append((c, rest_expr))
    z = ends[0]
    if any(e != z for e in ends) or z.matrix.symmetry != "real":
        return None
    if any(l.matrix == z.matrix for _, r in rests for l in _letters_in(r)):
        return None
    B = rests[0][1] if len(rests) == 1 and rests[0][0] == 1 else Sum(tuple(rests))
    return B, z


def linearize_term(term, ridge: sympy.Symbol) -> LinearizedTerm:
    """The reduced linearization pencil of one observable term, after any exact Gaussian average.

    See the module docstring: a quadratic term ``tr(A^T A)`` whose ``A`` ends (or starts) with a
    Gaussian matrix found nowhere else in it is averaged over that matrix first.

    Parameters
    ----------
    term : ObservableTerm
        A term of a model's observable (:class:`~diagrams.models.declaration.ObservableTerm`).
    ridge : sympy.Symbol
        The model's ridge.

    Returns
    -------
    LinearizedTerm

    Raises
    ------
    ValueError
        If the term's kind is neither ``"trace"`` nor ``"quadratic"``, a quadratic term holds a
        hermitian matrix, or the linearization fails (:func:`linearize`, :func:`reduce`).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> t = linearize_term(ridge.observable[0], ridge.gamma)
    >>> [b.name for b in t.realization.pencil.blocks], t.realization.left, t.realization.right
    (['train', 'latent'], {1: -1}, {1: 1})
    """
    expr = as_expr(term.expr)
    coef = sympy.sympify(term.coefficient)
    if term.kind == "trace":
        return LinearizedTerm("trace", coef, reduce(linearize(expr, ridge), ridge), label=term.label)
    if term.kind != "quadratic":
        raise ValueError(f"observable: unknown kind {term.kind!r}")
    for l in _letters_in(expr):
        if l.matrix.symmetry == "hermitian":
            raise ValueError(f"observable: a quadratic term needs real matrices, {l.matrix.name} is hermitian")
    wl, wr, factor, space, averaged = _ONE, _ONE, _ONE, None, ()
    B = expr
    for side in ("right", "left"):
        found = _strip(B, side)
        if found is None:
            continue
        B, z = found
        rr, cc = covariance_symbols(z.matrix)
        # E[X^T K X] = Cc tr(Rr K) and E[X K X^T] = Rr tr(Cc K) for X with covariances (Rr, Cc)
        if side == "right":          # tr(Z^T B^T B Z)
            wr, factor, space = (cc, rr, z.matrix.rows) if z.transposed else (rr, cc, z.matrix.cols)
        else:                        # tr(B^T Z^T Z B)
            wl, factor, space = (rr, cc, z.matrix.cols) if z.transposed else (cc, rr, z.matrix.rows)
        averaged = (z.matrix.name,)
        break
    r = reduce(linearize(B, ridge), ridge)
    return LinearizedTerm("quadratic", coef, r, wl, wr, factor, space, averaged, term.label)


def linearize_observable(model) -> list[LinearizedTerm]:
    """The linearization pencils of all observable terms of a model, in declaration order.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).

    Returns
    -------
    list of LinearizedTerm
        :func:`linearize_term` of each term.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> [(t.label, t.kind, t.averaged) for t in linearize_observable(load_model("random-features"))]
    [('test loss', 'quadratic', ('xhat',)), ('label noise', 'quadratic', ('xhat',))]
    """
    return [linearize_term(t, model.gamma) for t in model.observable]


def doubled_pencil(term: LinearizedTerm) -> Realization:
    """The block-triangular pencil ``P = [[L^T, -u^T Wl u], [0, L]]`` of a quadratic term.

    Its inverse holds ``L^-T u^T Wl u L^-1`` in the off-diagonal block; the returned realization
    reads ``v^T (.) v`` there (``left`` on the first copy, ``right`` on the second).

    Parameters
    ----------
    term : LinearizedTerm
        A quadratic term.

    Returns
    -------
    Realization
        ``P`` with ``left = v Wr`` on the first copy and ``right = v`` on the second.

    Raises
    ------
    ValueError
        If ``term`` is not quadratic.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> d = doubled_pencil(linearize_term(ridge.observable[0], ridge.gamma))
    >>> d.pencil, d.left, d.right
    (Pencil(4 blocks: train, latent, train, latent), {1: Lambda}, {3: 1})
    >>> from diagrams.models.declaration import Model
    >>> w = Model("wishart", "real Wishart resolvent")
    >>> N, T = w.integer("N", "rows"), w.integer("T", "columns")
    >>> Y = w.gaussian("Y", w.space("row", "N"), w.space("col", "T"))
    >>> w.trace(1 / T, w.resolvent(Y.T @ Y))
    >>> doubled_pencil(linearize_term(w.observable[0], w.gamma))
    Traceback (most recent call last):
    ...
    ValueError: doubled_pencil: only quadratic terms are doubled
    """
    if term.kind != "quadratic":
        raise ValueError("doubled_pencil: only quadratic terms are doubled")
    r = term.realization
    L = r.pencil
    n = len(L)
    entries = {key: e for key, e in L.transpose().entries.items()}
    for (i, j), e in L.entries.items():
        entries[(i + n, j + n)] = e
    for a, ua in r.left.items():
        for b, ub in r.left.items():
            entries[(a, b + n)] = Entry(sympy.expand(-ua * term.left_weight * ub))
    left = {j: sympy.expand(w * term.right_weight) for j, w in r.right.items()}
    right = {j + n: w for j, w in r.right.items()}
    return Realization(Pencil(L.blocks + L.blocks, entries), left, right, _ZERO, r.cols, r.cols)
