r"""Exact Wick sums of one trace split by Euler characteristic and orientability, without listing pairings.

The sum over the ``(2n-1)!!``-per-matrix Wick contractions of a word is organised by the topology
of the one-vertex map (ribbon graph) of each contraction: its Euler characteristic
``chi = 1 - E + F`` (``chi = 2`` planar, ``chi = 1`` one crosscap -- the leading finite-size
correction of real Gaussian matrices --, ``chi = 0`` torus or Klein bottle, ...) and whether it is
orientable (no twisted ribbon).  The sums are computed by the loop-equation recursion of
:mod:`diagrams.engine.loop_equations` (contract one letter with each partner, memoise the
multi-trace states), never enumerating the contractions:

* :func:`genus_monomials` / :func:`genus_expansion` -- symbolic: face values as products of size
  symbols and :class:`~diagrams.engine.symbols.CovarianceTrace` symbols, exactly like
  :attr:`Contraction.value <diagrams.engine.wick.Contraction.value>`;
* :func:`genus_expansion_exact` / :func:`genus_sum_exact` -- exact rationals for covariances and
  decorations diagonal in one common basis (only the product of the diagonals met around a face
  matters, so the memo keys hold interned diagonal vectors; integer arithmetic throughout);
* :func:`count_by_genus` -- the number of contractions of each topology (faces worth 1).

``min_chi`` keeps only ``chi >= min_chi``: moves that would push the Euler genus ``2 - chi`` past
``2 - min_chi`` are never taken, and for ``min_chi >= 0`` the recursion runs on connected correlators
of at most two traces -- far faster than all genera.  ``by_orientability=True`` splits every
coefficient into orientable and non-orientable maps (the orientable sum comes from a recursion
restricted to untwisted ribbons, the non-orientable one is the difference).

Upper bounds on the word length, checked before any work (``ValueError`` naming ``word`` otherwise),
depend on how many genera are asked for (:func:`max_letters`):

==============================  =========  =========  =====================
valuation                       chi >= 1   chi >= 0   all genera (chi < 0)
==============================  =========  =========  =====================
exact, counting                 160        100        50
symbolic                        100        60         26
==============================  =========  =========  =====================

The cost depends on the word, not only on its length: the states are products of traces made of
segments of the word, and their number grows with the number of distinct deterministic products
that can sit between two letters.  Words with few matrices and constant covariances (the
random-feature loss: all genera at 50 letters in 17 s, ``benchmarks/genus.py``) stay far below
the worst case -- one real matrix with non-constant covariances on both sides, random transposes
and decorations -- where the states grow about tenfold per two letters at all genera (16 s at 16
letters) and about like ``L^4`` at ``chi >= 1`` (17 s at 40 letters).  A second guard,
``max_states``, stops any run whose memo grows past it.

GOE: ``<tr S^2m>`` of a real symmetric matrix (``<S_ab S_cd> = d_ac d_bd + d_ad d_bc``) sums
``n^faces`` over the ``2^m (2m-1)!!`` rooted one-vertex maps of all locally orientable surfaces
(Goulden & Jackson, "Maps in locally orientable surfaces and integrals over real symmetric
matrices", Canad. J. Math. 49 (1997) 865-882); their numbers by surface are tabulated in the OEIS:
A035309 (orientable, Harer-Zagier, also the GUE), A000346 (projective plane), A118447 (Klein
bottle), A118448 and A118449 (3 and 4 crosscaps) -- the tests check ``m <= 6`` against them.  For
``m = 2``: ``2 n^3`` (sphere) ``+ 5 n^2`` (projective plane) ``+ 5 n`` (torus 1, Klein bottle 4):

>>> from diagrams.engine.spaces import Space
>>> from diagrams.engine.matrices import GaussianMatrix
>>> from diagrams.engine.words import Word
>>> V = Space("v", "n")
>>> S = GaussianMatrix("S", V, V, symmetry="symmetric")
>>> genus_expansion(Word.parse("S S S S", [S]))
{2: 2*n**3, 1: 5*n**2, 0: 5*n}
>>> count_by_genus(Word.parse("S S S S", [S]))
{(2, True): 2, (2, False): 0, (1, True): 0, (1, False): 5, (0, True): 1, (0, False): 4}

A real Gaussian matrix with row and column covariances, exact at numbers (sizes for the faces that
meet no covariance):

>>> W = Space("w", "p")
>>> A = GaussianMatrix("A", V, W, row_cov="Lambda")
>>> w = Word.parse("A A^T A A^T", [A])
>>> genus_expansion(w)
{2: tr(Lambda)**2*p + tr(Lambda^2)*p**2, 1: tr(Lambda^2)*p, 0: 0}
>>> genus_expansion_exact(w, {"Lambda": [1, "1/2"]}, {"p": 3}, min_chi=1)
{2: Fraction(18, 1), 1: Fraction(15, 4)}
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm
from typing import Callable, Iterable, Mapping, Sequence

from diagrams.engine.loop_equations import InsertionAlgebra, LoopEquations
from diagrams.engine.wick import check_word
from diagrams.engine.numbers import read_fraction, read_integer
from diagrams.engine.symbols import canonical_cycle
from diagrams.engine.wick import sum_monomials, word_spaces
from diagrams.engine.words import Word

__all__ = [
    "genus_monomials",
    "genus_expansion",
    "genus_expansion_exact",
    "genus_sum_exact",
    "count_by_genus",
    "max_letters",
    "MAX_LETTERS",
    "SymbolicInsertions",
    "ExactInsertions",
]

#: Longest word accepted, by valuation and by the largest Euler genus ``2 - min_chi`` asked for
#: (keys: 1 for ``chi >= 1``, 2 for ``chi >= 0``, ``None`` for anything beyond).
MAX_LETTERS = {
    "exact": {1: 160, 2: 100, None: 50},
    "count": {1: 160, 2: 100, None: 50},
    "symbolic": {1: 100, 2: 60, None: 26},
}
#: Default guard on the number of memoised states of one recursion (a few kB each with the caches).
MAX_STATES = 500_000


def max_letters(valuation: str, min_chi: int | None = None) -> int:
    """The longest word the genus sums accept, by valuation and by the genera asked for.

    The bound of :func:`genus_expansion` and the other sums of this module (the module's table,
    :data:`MAX_LETTERS`).

    Parameters
    ----------
    valuation : {"exact", "count", "symbolic"}
        Exact rationals (:func:`genus_expansion_exact`, :func:`genus_sum_exact`), counting
        (:func:`count_by_genus`) or sympy values (:func:`genus_expansion`, :func:`genus_monomials`).
    min_chi : int, optional
        The smallest Euler characteristic asked for (``None``: all genera).

    Returns
    -------
    int
        The largest number of letters.

    Raises
    ------
    ValueError
        If ``valuation`` is not one of the three.

    Examples
    --------
    >>> max_letters("exact"), max_letters("exact", min_chi=1), max_letters("symbolic", min_chi=0)
    (50, 160, 60)
    >>> max_letters("numeric")
    Traceback (most recent call last):
    ...
    ValueError: valuation: must be one of ['count', 'exact', 'symbolic'], got 'numeric'
    """
    if valuation not in MAX_LETTERS:
        raise ValueError(f"valuation: must be one of {sorted(MAX_LETTERS)}, got {valuation!r}")
    table = MAX_LETTERS[valuation]
    if min_chi is None:
        return table[None]
    top = 2 - min_chi
    for key in (0, 1, 2):
        if top <= key:
            return table[max(key, 1)]
    return table[None]


def _check(word, min_chi, valuation: str):
    """Validate ``word`` and ``min_chi`` and check the length bound; returns (word, Euler genus budget)."""
    word = check_word(word)
    if min_chi is not None:
        min_chi = read_integer(min_chi, "min_chi", minimum=2 - max(MAX_LETTERS["exact"].values()), maximum=2)
    limit = max_letters(valuation, min_chi)
    if len(word) > limit:
        asked = "all genera" if min_chi is None else f"chi >= {min_chi}"
        raise ValueError(f"word: at most {limit} letters for {valuation} sums over {asked}, got {len(word)}")
    top = len(word) // 2
    budget = top if min_chi is None else max(0, min(2 - min_chi, top))
    return word, budget


# --------------------------------------------------------------------------------------------
# symbolic values
# --------------------------------------------------------------------------------------------

class _Monomials(dict):
    """Polynomial in face monomials ``{sorted tuple of (space name, canonical cycle): count}``."""

    __slots__ = ()

    def __add__(self, other):
        if isinstance(other, int):
            if other:
                raise TypeError("only 0 can be added to face monomials")
            return self
        out = _Monomials(self)
        for k, v in other.items():
            out[k] = out.get(k, 0) + v
        return out

    __radd__ = __add__

    def __mul__(self, other):
        if isinstance(other, int):
            return self if other == 1 else _Monomials({k: v * other for k, v in self.items()})
        out = _Monomials()
        for k1, v1 in self.items():
            for k2, v2 in other.items():
                k = tuple(sorted(k1 + k2))
                out[k] = out.get(k, 0) + v1 * v2
        return out

    __rmul__ = __mul__


class SymbolicInsertions(InsertionAlgebra):
    """The insertion algebra of the symbolic genus sums: gaps as tuples of names, faces as monomials.

    A gap (the deterministic product between two letters) is interned as the ordered tuple of its
    matrix names (``names[gap]``); a face is the monomial ``(space name, canonical cycle)``, the key
    convention of :attr:`Contraction.monomial <diagrams.engine.wick.Contraction.monomial>`.  Used by
    :func:`genus_monomials` and :func:`genus_expansion` with
    :class:`~diagrams.engine.loop_equations.LoopEquations`.

    Attributes
    ----------
    names : list of tuple of str
        The names of each interned gap (``names[0] = ()``, the empty gap).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> alg = SymbolicInsertions()
    >>> g = alg.product(alg.insertion("Sigma"), alg.insertion("Lambda"))
    >>> alg.names[g], alg.names[alg.reverse(g)]
    (('Sigma', 'Lambda'), ('Lambda', 'Sigma'))
    >>> alg.face(Space("latent", "M"), g)
    {(('latent', ('Lambda', 'Sigma')),): 1}
    """

    def __init__(self):
        self.names: list = [()]
        self._ids: dict = {(): 0}
        self._products: dict = {}
        self._reversed: dict = {}
        self._faces: dict = {}

    def _intern(self, names: tuple) -> int:
        i = self._ids.get(names)
        if i is None:
            i = self._ids[names] = len(self.names)
            self.names.append(names)
        return i

    def insertion(self, name):
        return self._intern((name,))

    def product(self, a, b):
        if not a:
            return b
        if not b:
            return a
        r = self._products.get((a, b))
        if r is None:
            r = self._products[(a, b)] = self._intern(self.names[a] + self.names[b])
        return r

    reverse_is_identity = False

    def reverse(self, a):
        if not a:
            return a
        r = self._reversed.get(a)
        if r is None:
            r = self._reversed[a] = self._intern(self.names[a][::-1])
        return r

    def face(self, space, gap):
        key = (space.name, gap)
        v = self._faces.get(key)
        if v is None:
            v = self._faces[key] = _Monomials({((space.name, canonical_cycle(self.names[gap])),): 1})
        return v


class _CountingInsertions(InsertionAlgebra):
    """Every face is worth 1 and insertions are forgotten: counts contractions."""

    def face(self, space, gap):
        return 1


# --------------------------------------------------------------------------------------------
# exact values
# --------------------------------------------------------------------------------------------

class ExactInsertions(InsertionAlgebra):
    """Diagonal matrices in one common basis, as interned integer vectors.

    Each named diagonal is stored as an integer vector times a rational factor: a constant diagonal
    ``s * 1`` as the all-ones vector (factor ``s``), any other one as its entries times the lcm ``D``
    of their denominators (factor ``1/D``).  A face that met the product ``v`` of such vectors is
    worth ``Q * sum(v)``, a face that met nothing ``Q * size`` (``Q``: lcm of the denominators of the
    sizes), all integers; :meth:`word_factor` gives the rational factor of a word.

    Parameters
    ----------
    diagonals : mapping
        Name of each covariance or decoration to its diagonal entries (Fractions).
    sizes : mapping
        Space name to its dimension (Fraction), for faces that meet nothing.

    Examples
    --------
    >>> alg = ExactInsertions({"L": [Fraction(1), Fraction(1, 2)], "S": [Fraction(1, 4)] * 2}, {"v": Fraction(3)})
    >>> [(alg.vectors[alg.insertion(c)], alg.factor[c]) for c in ("L", "S")]
    [((2, 1), Fraction(1, 2)), ((1, 1), Fraction(1, 4))]
    >>> alg.vectors[alg.product(alg.insertion("L"), alg.insertion("L"))]
    (4, 1)
    """

    def __init__(self, diagonals: Mapping[str, Sequence[Fraction]], sizes: Mapping[str, Fraction]):
        self.vectors: list = [None]
        self._ids: dict = {}
        self._products: dict = {}
        self._faces: dict = {}
        self.factor: dict = {}
        self._by_name: dict = {}
        for name, vals in diagonals.items():
            if all(v == vals[0] for v in vals):
                vec, fac = (1,) * len(vals), vals[0]
            else:
                D = 1
                for v in vals:
                    D = lcm(D, v.denominator)
                vec, fac = tuple(int(v * D) for v in vals), Fraction(1, D)
            self._by_name[name] = self._intern(vec)
            self.factor[name] = fac
        self.Q = 1
        for s in sizes.values():
            self.Q = lcm(self.Q, s.denominator)
        self.sizes = {k: int(v * self.Q) for k, v in sizes.items()}

    def _intern(self, vec: tuple) -> int:
        i = self._ids.get(vec)
        if i is None:
            i = self._ids[vec] = len(self.vectors)
            self.vectors.append(vec)
        return i

    def insertion(self, name):
        return self._by_name[name]

    def product(self, a, b):
        if not a:
            return b
        if not b:
            return a
        key = (a, b) if a < b else (b, a)
        r = self._products.get(key)
        if r is None:
            r = self._products[key] = self._intern(tuple(x * y for x, y in zip(self.vectors[a], self.vectors[b])))
        return r

    def face(self, space, gap):
        key = (space.name, gap)
        v = self._faces.get(key)
        if v is None:
            v = self._faces[key] = self.Q * sum(self.vectors[gap]) if gap else self.sizes[space.name]
        return v

    def word_factor(self, word: Word) -> Fraction:
        """``prod_c factor_c^(occurrences of c)``: every contraction meets each covariance once per
        pair of its matrix and each decoration once."""
        out = Fraction(1)
        for name, count in word.counts().items():
            m = word.matrices()[name]
            for c in (m.row_cov, m.col_cov):
                if c is not None:
                    out *= self.factor[c] ** (count // 2)
        for ds in word.decorations:
            for d in ds:
                out *= self.factor[d.name]
        return out


def _exact_setup(words: Sequence[Word], diagonals, sizes) -> ExactInsertions:
    """Read ``diagonals`` and ``sizes`` for the words and build the exact insertion algebra."""
    if not isinstance(diagonals, Mapping):
        raise ValueError("diagonals: give a mapping from covariance names to their diagonal entries")
    sizes = dict(sizes or {})
    needed: dict = {}            # name -> space it lives on
    bare_spaces: dict = {}       # spaces with a letter side without covariance: faces may meet nothing
    for word in words:
        for a in word:
            m = a.matrix
            for c, sp in ((m.row_cov, m.rows), (m.col_cov, m.cols)):
                if c is None:
                    bare_spaces[sp.name] = sp
                else:
                    needed.setdefault(c, set()).add(sp.name)
        for ds in word.decorations:
            for d in ds:
                needed.setdefault(d.name, set()).add(d.space.name)
    vals: dict = {}
    dims: dict = {}
    for name, spaces in needed.items():
        if name not in diagonals:
            raise ValueError(f"diagonals: no diagonal given for {name!r}")
        entries = diagonals[name]
        if isinstance(entries, (str, bytes)) or not isinstance(entries, Iterable):
            raise ValueError(f"diagonals[{name!r}]: must be a list of numbers, got {entries!r}")
        entries = tuple(read_fraction(v, f"diagonals[{name!r}]") for v in entries)
        if not entries:
            raise ValueError(f"diagonals[{name!r}]: the diagonal is empty")
        for sp in spaces:
            if dims.setdefault(sp, len(entries)) != len(entries):
                raise ValueError(f"diagonals: the matrices on space {sp!r} have different lengths "
                                 f"({dims[sp]} and {len(entries)} for {name!r})")
        vals[name] = entries
    read_sizes: dict = {}
    for sp in bare_spaces.values():
        for key in (sp.name, sp.size, str(sp.size)):
            if key in sizes:
                read_sizes[sp.name] = read_fraction(sizes[key], f"sizes[{key!r}]", minimum=0)
                break
        else:
            raise ValueError(f"sizes: faces of space {sp.name!r} may meet no covariance; give its size "
                             f"({sp.size})")
    return ExactInsertions(vals, read_sizes)


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------

def _symbolic(word: Word, budget: int, flavours, progress, method, max_states) -> dict:
    """Face-monomial polynomials by Euler genus, for all maps (``False``) and/or orientable ones."""
    algebra = SymbolicInsertions()
    out = {}
    for orientable in flavours:
        eq = LoopEquations(algebra, orientable=orientable, progress=progress, max_states=max_states)
        out[orientable] = [v if v else {} for v in eq.expectation(word, budget, method=method)]
    return out


def _difference(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) - v
    return out


def _nonzero(m: dict) -> dict:
    return {k: c for k, c in m.items() if c}


def genus_monomials(word: Word, *, min_chi: int | None = None, orientable: bool | None = None,
                    progress: Callable | None = None, method: str | None = None,
                    max_states: int = MAX_STATES) -> dict:
    """``{chi: {monomial key: number of contractions}}`` for ``chi`` from 2 down to ``min_chi``.

    Monomial keys are those of :attr:`Contraction.monomial <diagrams.engine.wick.Contraction.monomial>`
    (sorted ``(space name, canonical covariance word)`` per face).

    Parameters
    ----------
    word : Word
        One trace; every matrix must occur an even number of times.
    min_chi : int, optional
        Keep ``chi >= min_chi`` only (default: all genera, down to ``chi = 2 - E``).
    orientable : bool, optional
        ``True``: orientable maps only; ``False``: non-orientable maps only; ``None``: all.
    progress : callable, optional
        Called with the number of memoised states every few thousand states.
    method : {"full", "connected"}, optional
        Force one recursion (see :meth:`LoopEquations.expectation
        <diagrams.engine.loop_equations.LoopEquations.expectation>`).
    max_states : int
        Stop with ``ValueError`` when the recursion memoises more states than this (a guard on
        time and memory for words with little structure; see the module docstring).

    Returns
    -------
    dict
        ``{chi: {monomial: count}}`` (empty inner dict when no contraction has that ``chi``).

    Raises
    ------
    ValueError
        For a non-word, an odd matrix count, ``min_chi`` outside ``[-158, 2]``, a word longer
        than :func:`max_letters` ``("symbolic", min_chi)``, or more than ``max_states`` states.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); H = GaussianMatrix("H", V, V, symmetry="hermitian")
    >>> genus_monomials(Word.parse("H H H H", [H]))
    {2: {(('v', ()), ('v', ()), ('v', ())): 2}, 1: {}, 0: {(('v', ()),): 1}}
    """
    word, budget = _check(word, min_chi, "symbolic")
    if orientable not in (None, True, False):
        raise ValueError(f"orientable: must be None, True or False, got {orientable!r}")
    flavours = {None: [False], True: [True], False: [False, True]}[orientable]
    vals = _symbolic(word, budget, flavours, progress, method, max_states)
    if orientable is False:
        chosen = [_difference(a, b) for a, b in zip(vals[False], vals[True])]
    else:
        chosen = vals[flavours[0]]
    return {2 - d: _nonzero(m) for d, m in enumerate(chosen)}


def genus_expansion(word: Word, *, min_chi: int | None = None, by_orientability: bool = False,
                    progress: Callable | None = None, method: str | None = None,
                    max_states: int = MAX_STATES) -> dict:
    """The exact expectation of a trace split by Euler characteristic, as sympy values.

    Optionally split by orientability too.  The sum over ``chi`` of the values is :func:`~diagrams.engine.wick.expectation` ``(word)``.
    Computed by the loop-equation recursion, never listing the contractions.

    Parameters
    ----------
    word : Word
        One trace; every matrix must occur an even number of times, at most :func:`max_letters`
        ``("symbolic", min_chi)`` letters.
    min_chi : int, optional
        Keep ``chi >= min_chi`` only, ``-158 <= min_chi <= 2`` (default: all genera).
    by_orientability : bool, optional
        Split every value into orientable and non-orientable maps.
    progress : callable, optional
        Called with the number of memoised states every few thousand states.
    method : {"full", "connected"}, optional
        Force one recursion (see :meth:`LoopEquations.expectation
        <diagrams.engine.loop_equations.LoopEquations.expectation>`).
    max_states : int, optional
        Stop with ``ValueError`` when the recursion memoises more states than this.

    Returns
    -------
    dict
        ``{chi: expr}`` for ``chi = 2, 1, ..., max(min_chi, 2 - E)`` (``E`` half the word's
        length), or with ``by_orientability`` ``{(chi, orientable): expr}``; ``0`` where no
        contraction has that topology.

    Raises
    ------
    ValueError
        As :func:`genus_monomials`: for a non-word, an odd matrix count, ``min_chi`` out of range,
        a word too long, an unknown method, or more than ``max_states`` states.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); S = GaussianMatrix("S", V, V, symmetry="symmetric")
    >>> genus_expansion(Word.parse("S S S S S S", [S]), by_orientability=True, min_chi=0)
    {(2, True): 5*n**4, (2, False): 0, (1, True): 0, (1, False): 22*n**3, (0, True): 10*n**2, (0, False): 42*n**2}
    >>> genus_expansion(Word.parse("S S S S", [S]), min_chi=1)
    {2: 2*n**3, 1: 5*n**2}
    """
    word, budget = _check(word, min_chi, "symbolic")
    spaces = word_spaces(word)
    flavours = [False, True] if by_orientability else [False]
    vals = _symbolic(word, budget, flavours, progress, method, max_states)
    if not by_orientability:
        return {2 - d: sum_monomials(m, spaces) for d, m in enumerate(vals[False])}
    out = {}
    for d, (every, ori) in enumerate(zip(vals[False], vals[True])):
        out[(2 - d, True)] = sum_monomials(ori, spaces)
        out[(2 - d, False)] = sum_monomials(_difference(every, ori), spaces)
    return out


def genus_sum_exact(terms: Iterable, diagonals: Mapping[str, Sequence], sizes: Mapping | None = None, *,
                    min_chi: int | None = None, by_orientability: bool = False,
                    progress: Callable | None = None, method: str | None = None,
                    max_states: int = MAX_STATES) -> dict:
    """``sum_i c_i <tr(w_i)>`` split by Euler characteristic, exact, one memo shared by all words.

    Parameters
    ----------
    terms : iterable of (coefficient, Word)
        The words and their rational coefficients (the words of one order of an expansion share
        most sub-states, so summing them together is cheaper than one by one).
    diagonals : mapping
        Covariance and decoration names to their diagonal entries (numbers, ``"1/3"``, Fractions),
        all diagonal in one common basis; matrices on one space have diagonals of one length.
    sizes : mapping, optional
        Dimensions of the spaces whose faces may meet no covariance, keyed by space name, size
        symbol or its name (as :func:`~diagrams.engine.planar.planar_expectation_exact`).
    min_chi, by_orientability, progress, method, max_states
        As :func:`genus_expansion`; bound :func:`max_letters` ``("exact", min_chi)`` per word.

    Returns
    -------
    dict
        ``{chi: Fraction}`` or ``{(chi, orientable): Fraction}``, ``chi`` from 2 down to
        ``max(min_chi, 2 - E)`` with ``E`` half the longest word's length.

    Raises
    ------
    ValueError
        Bad word, ``min_chi``, bound or ``max_states`` as :func:`genus_monomials`; a missing
        diagonal or size; diagonals of different lengths on one space.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); S = GaussianMatrix("S", V, V, symmetry="symmetric")
    >>> terms = [(1, Word.parse("S S", [S])), (Fraction(-1, 2), Word.parse("S S S S", [S]))]
    >>> genus_sum_exact(terms, {}, {"n": 3})   # (9 + 3) - (54 + 45 + 15)/2
    {2: Fraction(-18, 1), 1: Fraction(-39, 2), 0: Fraction(-15, 2)}
    """
    terms = [(read_fraction(c, "coefficient"), w) for c, w in terms]
    checked = []
    budget = 0
    for c, w in terms:
        w, b = _check(w, min_chi, "exact")
        checked.append((c, w, b))
        budget = max(budget, b)
    algebra = _exact_setup([w for _, w, _ in checked], diagonals, sizes)
    flavours = [False, True] if by_orientability else [False]
    totals = {o: [Fraction(0)] * (budget + 1) for o in flavours}
    for o in flavours:
        eq = LoopEquations(algebra, orientable=o, progress=progress, max_states=max_states)
        for c, w, b in checked:
            if not c:
                continue
            vals = eq.expectation(w, b, method=method)
            fac = c * algebra.word_factor(w)
            E = len(w) // 2
            for d, v in enumerate(vals):
                if v:
                    totals[o][d] += fac * Fraction(v, algebra.Q ** (E + 1 - d))
    if not by_orientability:
        return {2 - d: v for d, v in enumerate(totals[False])}
    out = {}
    for d in range(budget + 1):
        out[(2 - d, True)] = totals[True][d]
        out[(2 - d, False)] = totals[False][d] - totals[True][d]
    return out


def genus_expansion_exact(word: Word, diagonals: Mapping[str, Sequence], sizes: Mapping | None = None, *,
                          min_chi: int | None = None, by_orientability: bool = False,
                          progress: Callable | None = None, method: str | None = None,
                          max_states: int = MAX_STATES) -> dict:
    """The exact rational expectation of a trace split by Euler characteristic.

    For covariances and decorations diagonal in one common basis: :func:`genus_sum_exact` of the one term ``(1, word)``.

    Parameters
    ----------
    word : Word
        One trace; every matrix must occur an even number of times, at most :func:`max_letters`
        ``("exact", min_chi)`` letters.
    diagonals : mapping
        Covariance and decoration names to their diagonal entries (numbers, ``"1/3"``, Fractions).
    sizes : mapping, optional
        Dimensions of the spaces whose faces may meet no covariance (by space name, size symbol or
        its name).
    min_chi, by_orientability, progress, method, max_states
        As :func:`genus_expansion`.

    Returns
    -------
    dict
        ``{chi: Fraction}`` or ``{(chi, orientable): Fraction}``.

    Raises
    ------
    ValueError
        As :func:`genus_sum_exact`.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); S = GaussianMatrix("S", V, V, symmetry="symmetric")
    >>> genus_expansion_exact(Word.parse("S S S S", [S]), {}, {"n": 2}, by_orientability=True)[(0, False)]
    Fraction(8, 1)
    >>> genus_expansion_exact(Word.parse("S S", [S]), {})
    Traceback (most recent call last):
    ...
    ValueError: sizes: faces of space 'v' may meet no covariance; give its size (n)
    """
    return genus_sum_exact([(1, word)], diagonals, sizes, min_chi=min_chi, by_orientability=by_orientability,
                           progress=progress, method=method, max_states=max_states)


def count_by_genus(word: Word, *, min_chi: int | None = None, progress: Callable | None = None,
                   method: str | None = None, max_states: int = MAX_STATES) -> dict:
    """The number of Wick contractions of a word of each topology, ``{(chi, orientable): count}``.

    The counts over all ``chi`` add up to :func:`~diagrams.engine.wick.count_contractions`.
    Computed by the loop-equation recursion with every face worth 1, never listing them.

    Parameters
    ----------
    word : Word
        One trace; every matrix must occur an even number of times, at most :func:`max_letters`
        ``("count", min_chi)`` letters.
    min_chi, progress, method, max_states
        As :func:`genus_monomials`.

    Returns
    -------
    dict
        ``{(chi, orientable): int}`` for ``chi`` from 2 down to ``max(min_chi, 2 - E)``.

    Raises
    ------
    ValueError
        As :func:`genus_monomials` (with the ``"count"`` length bound).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); A = GaussianMatrix("A", V, V)
    >>> count_by_genus(Word.parse("A A A A", [A]))   # twisted pairings only: no orientable map
    {(2, True): 0, (2, False): 0, (1, True): 0, (1, False): 1, (0, True): 0, (0, False): 2}
    """
    word, budget = _check(word, min_chi, "count")
    algebra = _CountingInsertions()
    every = LoopEquations(algebra, progress=progress, max_states=max_states).expectation(word, budget, method=method)
    ori = LoopEquations(algebra, orientable=True, progress=progress, max_states=max_states).expectation(
        word, budget, method=method)
    out = {}
    for d in range(budget + 1):
        out[(2 - d, True)] = ori[d]
        out[(2 - d, False)] = every[d] - ori[d]
    return out
