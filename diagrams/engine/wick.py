"""Exact Wick contractions of a word of real Gaussian matrices.

Wick's theorem is exact for Gaussian matrices: ``<tr(W)>`` is the sum, over every perfect matching
of the letters of each matrix among themselves, of the product of the propagators.  A letter may
be paired with a transposed or an untransposed letter of its kind; with real (non-symmetric)
matrices the second case is a *twisted* ribbon.  Each contraction glues index slots together; the
resulting index loops are the faces of a one-vertex ribbon graph (see :mod:`diagrams.engine.ribbon`).

Conventions (see :mod:`diagrams.engine.words`): slot ``k`` sits on the left of letter ``k``.  The
matrix at letter ``k`` has its row index on slot ``k`` and its column index on slot ``k+1``, or the
other way round when the letter is transposed.  A pairing of letters ``k`` and ``l`` of a real matrix
identifies row with row (through the row covariance) and column with column (through the column
covariance).  For a ``symmetric`` (GOE) matrix the pairing comes twice: once direct and once
*crossed* (row with column); for a ``hermitian`` (GUE) matrix only crossed.

>>> from diagrams.engine.spaces import Space
>>> from diagrams.engine.matrices import GaussianMatrix
>>> from diagrams.engine.words import Word
>>> V = Space("v", "n")
>>> H = GaussianMatrix("H", V, V, symmetry="hermitian")
>>> w = Word.parse("H H H H", [H])
>>> [str(expectation_term(c)) for c in contractions(w)]
['n**3', 'n', 'n**3']
>>> expectation(w)
2*n**3 + n
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Callable, Iterator, Mapping, Sequence

import sympy

from diagrams.engine.symbols import CovarianceTrace, canonical_cycle
from diagrams.engine.words import Word
from diagrams.engine.spaces import Space

__all__ = [
    "Contraction",
    "Face",
    "check_word",
    "contractions",
    "count_contractions",
    "perfect_matchings",
    "expectation",
    "expectation_term",
    "MonomialSum",
    "monomial_value",
    "sum_monomials",
    "word_spaces",
]


@dataclass(frozen=True)
class Face:
    """An index loop (face) of a ribbon graph: its space, the slots it visits and the covariances met around it.

    Parameters
    ----------
    space : Space
        The index space of the loop.
    slots : tuple of int
        The slots it visits, in order.
    covariances : tuple of str
        The covariances met around it, with the diagonal matrices decorating its slots, in the order met.

    Attributes
    ----------
    value : sympy.Expr
        The size symbol of the space (``N``-type) if no covariance is met, else the
        :class:`~diagrams.engine.symbols.CovarianceTrace` ``tr(C1 C2 ...)``.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> V = Space("v", "n")
    >>> Face(V, (1, 3), ("Lambda", "Lambda")).value, Face(V, (0,), ()).value
    (tr(Lambda^2), n)
    """

    space: Space
    slots: tuple[int, ...]
    covariances: tuple[str, ...]

    @property
    def value(self) -> sympy.Expr:
        """The value of the face: the size symbol if no covariance is met, else ``tr(C1 C2 ...)``."""
        if self.covariances:
            return CovarianceTrace(self.covariances)
        return self.space.size


@dataclass(frozen=True)
class Contraction:
    """One Wick contraction of a word: a perfect matching of its letters, matrix by matrix, into propagators.

    Validated on construction.  Its faces (index loops) make a one-vertex ribbon graph
    (:mod:`diagrams.engine.ribbon`); its value is the product of the face values.  Jupyter shows it as
    a picture (:func:`~diagrams.engine.svg.contraction_svg`); ``str`` lists the pairs, a ``~``
    marking a twisted ribbon.

    Parameters
    ----------
    word : Word
        The word contracted.
    pairs : tuple of tuple of (int, int)
        The pairs of letter positions; stored as ``(k, l)`` with ``k < l``, sorted.
    crossed : tuple of bool, optional
        ``crossed[i]`` says whether pair ``i`` (of the sorted pairs) glues row to column: only for
        symmetric matrices (either) or hermitian ones (always).  Default: crossed exactly for hermitian
        matrices.

    Attributes
    ----------
    faces : tuple of Face
        The index loops.
    n_edges, n_faces : int
        Numbers of propagators and of faces.
    euler_characteristic : int
        ``chi = V - E + F`` with one vertex.
    is_orientable, is_planar : bool
        No twisted ribbon; genus 0 and orientable (``F = E + 1``).
    monomial : tuple
        Hashable form of the value (see :func:`sum_monomials`).
    value : sympy.Expr
        Product of the face values.

    Raises
    ------
    ValueError
        If ``crossed`` does not give one flag per pair, the pairs do not cover every letter exactly
        once, a pair joins different matrices, a pair of a real matrix is crossed, or a pair of a
        hermitian matrix is not.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> x = GaussianMatrix("x", V, W, row_cov="Lambda")
    >>> w = Word.parse("x^T x x^T x", [x])
    >>> c = Contraction(w, ((2, 0), (1, 3)))
    >>> print(c, c.pairs, c.value, c.euler_characteristic, c.is_orientable)
    (0,2~) (1,3~) ((0, 2), (1, 3)) tr(Lambda^2)*m 1 False
    >>> Contraction(w, ((0, 1),))
    Traceback (most recent call last):
    ...
    ValueError: pairs: a contraction must pair every letter exactly once
    """

    word: Word
    pairs: tuple[tuple[int, int], ...]
    crossed: tuple[bool, ...] = field(default=())

    def __post_init__(self):
        pairs = tuple(sorted(tuple(sorted(p)) for p in self.pairs))
        object.__setattr__(self, "pairs", pairs)
        crossed = tuple(self.crossed) if self.crossed else tuple(
            self.word[k].matrix.symmetry == "hermitian" for k, _ in pairs)
        object.__setattr__(self, "crossed", crossed)
        if len(crossed) != len(pairs):
            raise ValueError("crossed: one flag per pair is needed")
        seen = sorted(itertools.chain.from_iterable(pairs))
        if seen != list(range(len(self.word))):
            raise ValueError("pairs: a contraction must pair every letter exactly once")
        for (k, l), cr in zip(pairs, crossed):
            a, b = self.word[k], self.word[l]
            if a.matrix != b.matrix:
                raise ValueError(f"pairs: letters {k} ({a}) and {l} ({b}) are different matrices")
            sym = a.matrix.symmetry
            if sym == "real" and cr:
                raise ValueError(f"crossed: pair ({k}, {l}) of a real matrix cannot be crossed")
            if sym == "hermitian" and not cr:
                raise ValueError(f"crossed: pair ({k}, {l}) of a hermitian matrix is always crossed")

    @classmethod
    def from_trusted(cls, word: Word, pairs: tuple, crossed: tuple) -> "Contraction":
        """Fast constructor for trusted generators (:mod:`diagrams.engine.planar`): no validation.

        ``pairs`` must already be sorted ``(k, l)`` tuples with ``k < l`` covering every letter once
        and ``crossed`` must hold one valid flag per pair, exactly as ``__post_init__`` would leave them.
        """
        obj = object.__new__(cls)
        object.__setattr__(obj, "word", word)
        object.__setattr__(obj, "pairs", pairs)
        object.__setattr__(obj, "crossed", crossed)
        return obj

    _unchecked = from_trusted  # former name

    # -- structure ---------------------------------------------------------------------------
    @property
    def n_edges(self) -> int:
        """The number of propagators (pairs)."""
        return len(self.pairs)

    def gluings(self) -> list[tuple[int, int, str | None]]:
        """The two slot identifications of each pair: ``(slot_a, slot_b, covariance)``."""
        rows, cols, rcov, ccov = _letter_tables(self.word)
        out = []
        for (k, l), cr in zip(self.pairs, self.crossed):
            if cr:
                out.append((rows[k], cols[l], rcov[k]))
                out.append((cols[k], rows[l], ccov[k]))
            else:
                out.append((rows[k], rows[l], rcov[k]))
                out.append((cols[k], cols[l], ccov[k]))
        return out

    def twisted(self) -> tuple[bool, ...]:
        """For each pair, whether its ribbon is twisted (glues left side to left side)."""
        w = self.word
        return tuple((w[k].transposed == w[l].transposed) != cr for (k, l), cr in zip(self.pairs, self.crossed))

    @cached_property
    def faces(self) -> tuple[Face, ...]:
        """Index loops, each with its space, visited slots and covariances met (in cyclic order).

        The diagonal matrices at a slot are met in the order the face passes them: a face going
        from letter ``k - 1`` to letter ``k`` through slot ``k`` meets them as written, one going
        the other way meets them reversed, so the canonical covariance word of a face does not
        depend on where the trace is read from or on which way the face is traced.
        """
        glue = self.gluings()
        n = len(self.word)
        # half-edge h = 2 g + end sits at slot end_slot[h]; h ^ 1 is the other end of gluing g.
        end_slot = []
        for a, b, _ in glue:
            end_slot.append(a)
            end_slot.append(b)
        first = [-1] * n
        second = [-1] * n
        for h, a in enumerate(end_slot):
            if first[a] < 0:
                first[a] = h
            else:
                second[a] = h
        used = [False] * len(end_slot)
        spaces = _slot_spaces(self.word)
        decs = _slot_decorations(self.word)
        faces = []
        for h0 in range(0, len(end_slot), 2):
            if used[h0]:
                continue
            slots, covs = [], []
            h = h0
            while not used[h]:
                used[h] = used[h ^ 1] = True
                s = end_slot[h]
                slots.append(s)
                if decs and decs[s]:
                    # the face leaves slot s through the gluing of letter pairs[h >> 2][h & 1]: through
                    # letter s it reads W_{s-1} D1 D2 W_s forwards, through letter s - 1 backwards
                    forward = self.pairs[h >> 2][h & 1] == s
                    covs.extend(decs[s] if forward else decs[s][::-1])
                cov = glue[h >> 1][2]
                if cov is not None:
                    covs.append(cov)
                b = end_slot[h ^ 1]
                h = second[b] if first[b] == h ^ 1 else first[b]
            faces.append(Face(spaces[slots[0]], tuple(slots), tuple(covs)))
        return tuple(faces)

    @property
    def n_faces(self) -> int:
        """The number of faces (index loops)."""
        return len(self.faces)

    @property
    def euler_characteristic(self) -> int:
        """``chi = V - E + F`` with one vertex per trace."""
        return 1 - self.n_edges + self.n_faces

    @property
    def is_orientable(self) -> bool:
        """A one-vertex ribbon graph is orientable iff none of its (loop) edges is twisted."""
        return not any(self.twisted())

    @property
    def is_planar(self) -> bool:
        """Genus 0 and orientable; for one trace this is ``F = E + 1`` (face counting)."""
        return self.n_faces == self.n_edges + 1

    @property
    def monomial(self) -> tuple:
        """Hashable form of the value: sorted ``(space name, canonical covariance word)`` per face.

        Summing many diagrams is much faster on these keys (see :func:`sum_monomials`) than on
        sympy expressions.
        """
        return tuple(sorted((f.space.name, canonical_cycle(f.covariances)) for f in self.faces))

    @property
    def value(self) -> sympy.Expr:
        """Product of face values (a sympy monomial)."""
        return sympy.Mul(*[f.value for f in self.faces])

    def _repr_svg_(self) -> str:
        """Jupyter shows a contraction as a picture (:func:`diagrams.engine.svg.contraction_svg`)."""
        from diagrams.engine.svg import contraction_svg

        return contraction_svg(self)

    def __str__(self) -> str:
        parts = []
        for (k, l), cr, tw in zip(self.pairs, self.crossed, self.twisted()):
            parts.append(f"({k},{l}{'~' if tw else ''})")
        return " ".join(parts)


@lru_cache(maxsize=256)
def _letter_tables(word: Word):
    """Per letter: slot of its row index, slot of its column index, row and column covariances."""
    rows, cols, rcov, ccov = [], [], [], []
    for k, a in enumerate(word):
        r, c = word.row_col_slots(k)
        rows.append(r)
        cols.append(c)
        rcov.append(a.matrix.row_cov)
        ccov.append(a.matrix.col_cov)
    return rows, cols, rcov, ccov


@lru_cache(maxsize=256)
def _slot_decorations(word: Word):
    """Per slot, the names of the diagonal matrices sitting there (``()`` if the word has none)."""
    if not word.decorations:
        return ()
    return tuple(tuple(d.name for d in ds) for ds in word.decorations)


@lru_cache(maxsize=256)
def _slot_spaces(word: Word):
    return [word.slot_space(k) for k in range(len(word))]


def perfect_matchings(items: Sequence[int]) -> Iterator[tuple[tuple[int, int], ...]]:
    """All perfect matchings of a list of items, ``(n-1)!!`` of them for ``n`` items.

    Parameters
    ----------
    items : sequence of int
        The items (letter positions); an odd number has no matching, an empty list one (empty) matching.

    Yields
    ------
    tuple of tuple of (int, int)
        A matching: pairs ``(first, partner)`` in the order of ``items``.

    Examples
    --------
    >>> list(perfect_matchings([0, 1, 2, 3]))
    [((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2))]
    >>> list(perfect_matchings([0, 1, 2])), list(perfect_matchings([]))
    ([], [()])
    """
    items = list(items)
    if not items:
        yield ()
        return
    if len(items) % 2:
        return
    first, rest = items[0], items[1:]
    for i, partner in enumerate(rest):
        remaining = rest[:i] + rest[i + 1:]
        for m in perfect_matchings(remaining):
            yield ((first, partner),) + m


def check_word(word) -> Word:
    """A word itself, once checked that it can be contracted: every matrix occurs an even number of times.

    Parameters
    ----------
    word : Word
        The word.

    Returns
    -------
    Word
        ``word``.

    Raises
    ------
    ValueError
        If ``word`` is not a :class:`Word`, or a matrix occurs an odd number of times (zero expectation,
        no contraction).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); H = GaussianMatrix("H", V, V, symmetry="hermitian")
    >>> check_word(Word.parse("H H", [H]))
    Word('H H')
    >>> check_word(Word.parse("H H H", [H]))
    Traceback (most recent call last):
    ...
    ValueError: word: matrix H occurs 3 times; an odd number has zero expectation and no contraction
    """
    if not isinstance(word, Word):
        raise ValueError(f"word: expected a Word, got {type(word).__name__}")
    for name, n in word.counts().items():
        if n % 2:
            raise ValueError(f"word: matrix {name} occurs {n} times; an odd number has zero expectation "
                             "and no contraction")
    return word


def contractions(word: Word) -> Iterator[Contraction]:
    """Every Wick contraction of a word, all genera, twisted ribbons included.

    For each matrix every perfect matching of its letters; a pairing of a symmetric (GOE) matrix comes
    twice (direct and crossed), one of a hermitian (GUE) matrix only crossed.

    Parameters
    ----------
    word : Word
        The word; every matrix must occur an even number of times.

    Yields
    ------
    Contraction
        :func:`count_contractions` of them.

    Raises
    ------
    ValueError
        From :func:`check_word`.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> x = GaussianMatrix("x", V, W, row_cov="Lambda")
    >>> w = Word.parse("x^T x x^T x", [x])
    >>> [(str(c), c.value) for c in contractions(w)]
    [('(0,1) (2,3)', tr(Lambda)**2*m), ('(0,2~) (1,3~)', tr(Lambda^2)*m), ('(0,3) (1,2)', tr(Lambda^2)*m**2)]
    """
    word = check_word(word)
    by_matrix: dict[str, list[int]] = {}
    for k, a in enumerate(word):
        by_matrix.setdefault(a.matrix.name, []).append(k)
    names = sorted(by_matrix)
    per_kind = [list(perfect_matchings(by_matrix[n])) for n in names]
    sym = {n: word[by_matrix[n][0]].matrix.symmetry for n in names}
    for combo in itertools.product(*per_kind):
        pairs = tuple(sorted(itertools.chain.from_iterable(combo)))
        kinds = [sym[word[k].matrix.name] for k, _ in pairs]
        choices = [(False, True) if s == "symmetric" else ((True,) if s == "hermitian" else (False,))
                   for s in kinds]
        for crossed in itertools.product(*choices):
            yield Contraction(word, pairs, crossed)


def _double_factorial_odd(n: int) -> int:
    out = 1
    for k in range(n - 1, 0, -2):
        out *= k
    return out


def count_contractions(word: Word) -> int:
    """The number of contractions :func:`contractions` yields, without listing them.

    The product over matrices of ``(n-1)!!`` for ``n`` letters, times ``2^(n/2)`` for a symmetric matrix.

    Parameters
    ----------
    word : Word
        The word; every matrix must occur an even number of times.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        From :func:`check_word`.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> x = GaussianMatrix("x", V, W, row_cov="Lambda")
    >>> w = Word.parse("x^T x x^T x", [x])
    >>> count_contractions(w)
    3
    >>> S = GaussianMatrix("S", V, V, symmetry="symmetric")
    >>> count_contractions(Word.parse("S S S S", [S]))
    12
    """
    word = check_word(word)
    total = 1
    for name, n in word.counts().items():
        total *= _double_factorial_odd(n)
        if word.matrices()[name].symmetry == "symmetric":
            total *= 2 ** (n // 2)
    return total


def monomial_value(key: tuple, spaces: Mapping, trace: Callable | None = None):
    """The value of a monomial key of a contraction: the product over its faces of a trace or a size.

    A key is a :attr:`Contraction.monomial`; a face meeting covariances is worth ``tr(C1 C2 ...)``,
    a face meeting none the size of its index space.

    This is the one valuation of a monomial key; it gives a sympy monomial by default and a number
    (or a ring element) when ``trace`` and the sizes are numbers.

    Parameters
    ----------
    key : tuple
        Sorted ``(space name, canonical covariance word)`` per face (:attr:`Contraction.monomial`).
    spaces : mapping
        Space name to :class:`~diagrams.engine.spaces.Space` (its size symbol is the value) or
        directly to the value of the size.
    trace : callable, optional
        ``trace(word)`` is the value of ``tr`` of a canonical covariance word; default the
        :class:`~diagrams.engine.symbols.CovarianceTrace` symbol (the result is then a sympy ``Expr``).

    Examples
    --------
    >>> key = (("feature", ()), ("latent", ("Lambda", "Sigma")))
    >>> monomial_value(key, {"feature": Space("feature", "N")})
    tr(Lambda*Sigma)*N
    >>> from fractions import Fraction
    >>> monomial_value(key, {"feature": 3}, trace=lambda word: Fraction(1, 2))
    Fraction(3, 2)
    """
    if trace is None:
        out = sympy.Integer(1)
        trace = CovarianceTrace
    else:
        out = 1
    for space_name, covs in key:
        if covs:
            out = out * trace(covs)
        else:
            size = spaces[space_name]
            out = out * (size.size if isinstance(size, Space) else size)
    return out


def sum_monomials(weighted: Mapping, spaces: Mapping, trace: Callable | None = None):
    """The weighted sum of face monomials, ``sum weight * value`` over ``{monomial key: weight}``.

    Values are given by :func:`monomial_value`: a sympy ``Expr`` by default, a number or ring
    element with a numeric ``trace``.  Zero weights are skipped.

    Parameters
    ----------
    weighted : mapping
        ``{monomial key: weight}`` (keys as :attr:`Contraction.monomial`, e.g. a :class:`MonomialSum`).
    spaces : mapping
        Space name to :class:`~diagrams.engine.spaces.Space` or to the value of its size.
    trace : callable, optional
        ``trace(word)``, the value of ``tr`` of a canonical covariance word (default: the symbol).

    Returns
    -------
    sympy.Expr, number or ring element

    Examples
    --------
    >>> key = (("feature", ()), ("latent", ("Lambda",)))
    >>> sum_monomials({key: 2, (("feature", ()),): -1}, {"feature": Space("feature", "N")})
    2*tr(Lambda)*N - N
    >>> sum_monomials({key: 2}, {"feature": 5}, trace=lambda word: 3)
    30
    """
    if trace is None:
        return sympy.Add(*[sympy.sympify(w) * monomial_value(k, spaces) for k, w in weighted.items() if w])
    total = 0
    for k, w in weighted.items():
        if w:
            total = total + w * monomial_value(k, spaces, trace)
    return total


class MonomialSum(Counter):
    """A polynomial in face monomials, ``{monomial key: integer weight}`` with ``+`` and ``*``.

    Keys are :attr:`Contraction.monomial` keys (sorted tuples of ``(space name, canonical covariance
    word)``); the product of two keys is their merged sorted tuple (faces multiply).  It is what
    :func:`sum_monomials` takes, and what the planar recursion
    (:func:`~diagrams.engine.planar.planar_monomials`) computes face by face.  Unlike
    :class:`collections.Counter`, ``+`` keeps negative and zero weights.

    Parameters
    ----------
    *args, **kwargs
        As for :class:`collections.Counter`: a mapping ``{key: weight}``, an iterable of keys, or
        keyword weights.

    Examples
    --------
    >>> a = MonomialSum({(("v", ()),): 2})
    >>> b = MonomialSum({(("v", ("C",)),): 1, (("v", ()),): -1})
    >>> dict(a * b)
    {(('v', ()), ('v', ('C',))): 2, (('v', ()), ('v', ())): -2}
    >>> dict(a + b)
    {(('v', ()),): 1, (('v', ('C',)),): 1}
    """

    __slots__ = ()

    def __mul__(self, other: "MonomialSum") -> "MonomialSum":
        out = MonomialSum()
        for k1, v1 in self.items():
            for k2, v2 in other.items():
                k = tuple(sorted(k1 + k2))
                out[k] = out.get(k, 0) + v1 * v2
        return out

    def __add__(self, other: "MonomialSum") -> "MonomialSum":
        out = MonomialSum(self)
        for k, v in other.items():
            out[k] = out.get(k, 0) + v
        return out


def word_spaces(word: Word) -> dict:
    """The index spaces met in a word, by name.

    Parameters
    ----------
    word : Word
        The word.

    Returns
    -------
    dict of str to Space

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> x = GaussianMatrix("x", V, W, row_cov="Lambda")
    >>> w = Word.parse("x^T x x^T x", [x])
    >>> sorted(word_spaces(w))
    ['v', 'w']
    """
    out = {}
    for a in word:
        out[a.left.name] = a.left
        out[a.right.name] = a.right
    return out


def expectation_term(c: Contraction) -> sympy.Expr:
    """The value of one Wick contraction: the product over its faces of a size or a covariance trace.

    Parameters
    ----------
    c : Contraction
        The contraction.

    Returns
    -------
    sympy.Expr
        A monomial (``c.value``).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> x = GaussianMatrix("x", V, W, row_cov="Lambda")
    >>> w = Word.parse("x^T x x^T x", [x])
    >>> [expectation_term(c) for c in contractions(w)]
    [tr(Lambda)**2*m, tr(Lambda^2)*m, tr(Lambda^2)*m**2]
    """
    return c.value


def expectation(word: Word, genus: str = "all") -> sympy.Expr:
    """The exact expectation ``<tr(word)>`` by Wick's theorem, or its planar part.

    The sum over every contraction (:func:`contractions`) of its value; equal monomials are counted
    before the sum is built.

    Parameters
    ----------
    word : Word
        The word; every matrix must occur an even number of times.
    genus : {"all", "planar"}, optional
        Every contraction, or only the planar ones (genus 0, orientable).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ValueError
        If ``genus`` is not ``"all"`` or ``"planar"``, or from :func:`check_word`.

    See Also
    --------
    diagrams.engine.planar.planar_expectation : the planar part without listing every contraction.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> x = GaussianMatrix("x", V, W, row_cov="Lambda")
    >>> w = Word.parse("x^T x x^T x", [x])
    >>> expectation(w)
    tr(Lambda)**2*m + tr(Lambda^2)*m**2 + tr(Lambda^2)*m
    >>> expectation(w, "planar")
    tr(Lambda)**2*m + tr(Lambda^2)*m**2
    """
    if genus not in ("all", "planar"):
        raise ValueError(f"genus: must be 'planar' or 'all', got {genus!r}")
    weighted: dict = {}
    for c in contractions(word):
        if genus == "planar" and not c.is_planar:
            continue
        key = c.monomial
        weighted[key] = weighted.get(key, 0) + 1
    return sum_monomials(weighted, word_spaces(word))
