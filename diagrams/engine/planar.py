r"""Planar (genus-0) Wick contractions of one trace, generated directly, and their sums.

The planar contractions of ``tr(W_0 ... W_{L-1})`` are the ones with ``F = E + 1`` faces.  For one
trace these are exactly the **non-crossing** pairings of the letters, each pair joining two letters
of the same matrix, glued **untwisted** (a real matrix pairs a transposed with an untransposed
letter; a symmetric matrix takes the one gluing of its two that is untwisted; a hermitian matrix is
always glued crossed, which is untwisted).  A pair ``(a, m)`` then glues slot ``a + 1`` to slot ``m``
(the *inside* gluing, through the covariance on the right of letter ``a``) and slot ``a`` to slot
``m + 1`` (the *outside* gluing, through the covariance on the left of letter ``a``).

Everything here works on half-open intervals ``[a, e)`` of letters and is memoised on them:

* :func:`count_planar` -- ``n(a, e) = sum_m n(a+1, m) n(m+1, e)`` over the partners ``m`` of ``a``;
* :func:`planar_contractions` -- the same recursion listing the pairings (lists memoised per interval
  while they are small, streamed otherwise), yielding :class:`~diagrams.engine.wick.Contraction`
  objects identical to those of :func:`~diagrams.engine.wick.contractions` with ``is_planar`` true;
* :func:`planar_sum` -- the *coefficient-only* recursion: the sum over planar contractions of the
  product of face values, without listing them.  A sub-trace ``[a, e)`` is closed by a **junction**,
  the covariances met on the way from slot ``e`` back to slot ``a``.  Pairing ``a`` with ``m``::

      S(a, e, J) = sum_m  S(a+1, m, (c_in(a),)) * S(m+1, e, J + (c_out(a),))
      S(a, a, J) = face value of (space of slot a, J):  size if J = (), else tr(J)

  ``c_in(a)`` is the covariance of the index on the right of letter ``a`` (its column covariance, or
  its row covariance when transposed), ``c_out(a)`` the one on its left.

  **Decorations.**  A diagonal matrix ``D`` at slot ``k`` (``tr(... W_{k-1} D W_k ...)``) is met by
  the one face through slot ``k``, like a covariance.  ``S(a, e, J)`` accounts for the slots
  ``a .. e-1``, and ``J`` is read from slot ``e`` to slot ``a``: it starts with the decorations of
  slot ``e`` (its face leaves ``e`` through letter ``e``) and stops before those of slot ``a``.  The
  outside gluing leaves slot ``a`` through letter ``a``, so slot ``a``'s decorations come before
  ``c_out(a)``; the inside junction starts at slot ``m``, whose decorations no sub-interval owns::

      S(a, e, J) = sum_m  S(a+1, m, dec(m) + (c_in(a),)) * S(m+1, e, J + dec(a) + (c_out(a),))

  Every face is then read in the direction that passes each slot from letter ``k-1`` to letter
  ``k``, so decorations keep their written order (the convention of
  :attr:`~diagrams.engine.wick.Contraction.faces`).  At the top, slot ``L`` is slot ``0``, owned by
  the interval ``[0, L)``: the recursion starts from ``S(0, L, ())``.
* :mod:`diagrams.engine.planar_listing` -- every diagram *with its value*, produced by the same
  recursion (faces are its base cases), over several processes;
* :func:`planar_monomials` / :func:`planar_expectation` -- symbolic valuation (sympy), and
  :func:`planar_expectation_exact` -- exact rational valuation for covariances diagonal in one basis
  (memoised on the junction *multiset*, integer arithmetic throughout).

GUE: the planar part of ``<tr H^4>`` is ``2 n^3`` (Catalan number 2):

>>> from diagrams.engine.spaces import Space
>>> from diagrams.engine.matrices import GaussianMatrix
>>> from diagrams.engine.words import Word
>>> V = Space("v", "n")
>>> H = GaussianMatrix("H", V, V, symmetry="hermitian")
>>> w = Word.parse("H H H H", [H])
>>> [str(c) for c in planar_contractions(w)]
['(0,1) (2,3)', '(0,3) (1,2)']
>>> count_planar(w), planar_expectation(w)
(2, 2*n**3)
>>> count_planar(Word.parse(" ".join(["H"] * 20), [H]))  # Catalan(10)
16796
>>> planar_expectation_exact(w, {}, {"n": 3})
Fraction(54, 1)
"""

from __future__ import annotations

from collections import OrderedDict
from fractions import Fraction
from math import lcm
from typing import Callable, Iterator, Mapping, Sequence

import sympy

from diagrams.engine.numbers import read_fraction
from diagrams.engine.symbols import canonical_cycle
from diagrams.engine.wick import Contraction, MonomialSum, check_word, sum_monomials, word_spaces
from diagrams.engine.words import Word

__all__ = [
    "planar_contractions",
    "planar_pairings",
    "count_planar",
    "planar_sum",
    "planar_monomials",
    "planar_expectation",
    "planar_expectation_exact",
]

#: Interval pairing lists up to this length are kept in memory by the generator; longer ones are
#: re-generated on the fly (bounded memory at high order).
LIST_CAP = 2048


#: Longest word the recursions take (they recurse about once per letter; the planar count of a word
#: of this length can be astronomically large, but counting and the coefficient-only sums stay fast).
MAX_WORD_LENGTH = 600


class PlanarStructure:
    """What the planar recursions need to know about a word, computed once per word.

    Get it with :func:`planar_structure` (cached).  Attributes:

    ``word``, ``L``
        the word and its length;
    ``partners[a]``
        the letters ``m > a`` that ``a`` may be paired with in a planar contraction (same matrix,
        untwisted gluing, a contractible stretch in between), increasing;
    ``count[a][e]``
        number of planar contractions of the letters ``a .. e-1`` (``count[a][a] = 1``);
    ``crossed_of[(a, m)]``
        the ``crossed`` flag of :class:`~diagrams.engine.wick.Contraction` for the pair ``(a, m)``;
    ``cin[a]``, ``cout[a]``
        covariance names (or ``None``) met through the inside gluing (slot ``a + 1`` to slot ``m``)
        and the outside gluing (slot ``a`` to slot ``m + 1``) of a pair opened by ``a``;
    ``decorations[k]``
        names of the diagonal matrices at slot ``k`` (``k = 0 .. L``, slot ``L`` is slot ``0``);
    ``inside_step[a]``, ``outside_step[a]``
        what a junction meets along the two gluings of a pair ``(a, m)``, read in the face's
        direction: the inside junction is ``decorations[m] + inside_step[a]`` and the outside one
        ``J + outside_step[a]`` with ``outside_step[a] = decorations[a] + (cout[a],)``
        (covariances that are the identity left out);
    ``slot_space[k]``
        index space of slot ``k`` (``k = 0 .. L``);
    ``all_real``
        whether every matrix of the word is real (no crossed gluings).
    """

    __slots__ = ("word", "L", "partners", "count", "crossed_of", "cin", "cout", "slot_space",
                 "all_real", "decorations", "inside_step", "outside_step")

    def __init__(self, word: Word):
        word = check_word(word)
        L = len(word)
        if L > MAX_WORD_LENGTH:
            raise ValueError(f"word: the planar recursions take words of at most {MAX_WORD_LENGTH} letters, "
                             f"got {L}")
        self.word = word
        self.L = L
        ids: dict = {}
        mid = [ids.setdefault(a.matrix, len(ids)) for a in word]
        sym = [a.matrix.symmetry for a in word]
        tr = [a.transposed for a in word]
        self.all_real = all(s == "real" for s in sym)
        # prefix "balance" keys: signed counts of each real matrix (+1 plain, -1 transposed, since a
        # planar pair joins one of each), parities of symmetric/hermitian ones.  An interval can only
        # be contracted planarly when its two prefix keys agree.
        n_ids = len(ids)
        cur = [0] * n_ids
        pref = [tuple(cur)]
        for k in range(L):
            i = mid[k]
            if sym[k] == "real":
                cur[i] += -1 if tr[k] else 1
            else:
                cur[i] ^= 1
            pref.append(tuple(cur))
        partners = []
        for a in range(L):
            ps = []
            for m in range(a + 1, L, 2):  # inside [a+1, m) has even length
                if mid[m] != mid[a] or (sym[a] == "real" and tr[a] == tr[m]):
                    continue
                if pref[a + 1] == pref[m]:
                    ps.append(m)
            partners.append(ps)
        self.partners = partners
        # planar counts of every interval [a, e): count[a][e]
        cnt = [[0] * (L + 1) for _ in range(L + 1)]
        for a in range(L + 1):
            cnt[a][a] = 1
        for length in range(2, L + 1, 2):
            for a in range(0, L - length + 1):
                e = a + length
                if pref[a] != pref[e]:
                    continue
                s = 0
                for m in partners[a]:
                    if m >= e:
                        break
                    x = cnt[a + 1][m]
                    if x:
                        y = cnt[m + 1][e]
                        if y:
                            s += x * y
                cnt[a][e] = s
        self.count = cnt
        # gluing data of a pair whose first letter is a
        self.crossed_of = {}
        for a in range(L):
            for m in partners[a]:
                if sym[a] == "real":
                    cr = False
                elif sym[a] == "hermitian":
                    cr = True
                else:  # symmetric: the untwisted one of the two gluings
                    cr = tr[a] == tr[m]
                self.crossed_of[(a, m)] = cr
        self.cin = []
        self.cout = []
        for a in word:
            m = a.matrix
            right, left = (m.row_cov, m.col_cov) if a.transposed else (m.col_cov, m.row_cov)
            self.cin.append(right)
            self.cout.append(left)
        self.slot_space = [word.slot_space(k) for k in range(L + 1)]
        self.decorations = [tuple(d.name for d in word.decoration(k)) for k in range(L + 1)]
        self.inside_step = [(c,) if c is not None else () for c in self.cin]
        self.outside_step = [self.decorations[a] + ((c,) if c is not None else ())
                             for a, c in enumerate(self.cout)]


_CACHE: "OrderedDict[Word, PlanarStructure]" = OrderedDict()


def planar_structure(word: Word) -> PlanarStructure:
    """The :class:`PlanarStructure` of ``word`` (cached for the last 64 words).

    Raises
    ------
    ValueError
        If ``word`` is not a :class:`~diagrams.engine.words.Word`, has a matrix an odd number of
        times, or is longer than :data:`MAX_WORD_LENGTH`.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); A = GaussianMatrix("A", V, V, row_cov="Lambda")
    >>> st = planar_structure(Word.parse("A A^T A A^T", [A]))
    >>> st.partners, st.count[0][4]
    ([[1, 3], [2], [3], []], 2)
    """
    if not isinstance(word, Word):
        raise ValueError(f"word: expected a Word, got {type(word).__name__}")
    st = _CACHE.get(word)
    if st is None:
        st = PlanarStructure(word)
        _CACHE[word] = st
        if len(_CACHE) > 64:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(word)
    return st


# --------------------------------------------------------------------------------------------
# counting and generating
# --------------------------------------------------------------------------------------------

def count_planar(word: Word) -> int:
    """The number of planar (genus-0) contractions of a word, by the interval recursion, nothing listed.

    ``n(a, e) = sum_m n(a+1, m) n(m+1, e)`` over the partners ``m`` of ``a``.

    Parameters
    ----------
    word : Word
        The word: every matrix an even number of times, at most :data:`MAX_WORD_LENGTH` (600) letters.

    Returns
    -------
    int
        The count (exact, possibly astronomically large).

    Raises
    ------
    ValueError
        If ``word`` is not a :class:`~diagrams.engine.words.Word`, has a matrix an odd number of
        times, or is longer than :data:`MAX_WORD_LENGTH`.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> X = GaussianMatrix("X", Space("latent", "M"), Space("sample", "T"), row_cov="Lambda")
    >>> count_planar(Word.parse("X^T X X^T X", [X])), count_planar(Word.parse(" ".join(["X^T X"] * 10), [X]))
    (2, 16796)
    """
    st = planar_structure(word)
    return st.count[0][st.L]


def planar_pairings(word: Word) -> Iterator[tuple[tuple[int, int], ...]]:
    """The pairings of the planar contractions of a word, as sorted ``pairs`` tuples (no Contraction built).

    Parameters
    ----------
    word : Word
        The word: every matrix an even number of times, at most :data:`MAX_WORD_LENGTH` (600) letters.

    Returns
    -------
    iterator of tuple of tuple of (int, int)
        The ``pairs`` of each planar contraction, in lexicographic order.

    Raises
    ------
    ValueError
        At once, as :func:`count_planar`.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); A = GaussianMatrix("A", V, V)
    >>> list(planar_pairings(Word.parse("A A^T A A^T", [A])))
    [((0, 1), (2, 3)), ((0, 3), (1, 2))]
    """
    st = planar_structure(word)
    return _pairings_of(st)


def _pairings_of(st: PlanarStructure):
    cnt, partners = st.count, st.partners
    memo: dict = {}

    def seq(a, e):
        """Re-iterable pairings of [a, e): a memoised list if short, else a fresh generator."""
        if a == e:
            return ((),)
        lst = memo.get((a, e))
        if lst is not None:
            return lst
        if cnt[a][e] <= LIST_CAP:
            lst = list(gen(a, e))
            memo[(a, e)] = lst
            return lst
        return gen(a, e)

    def gen(a, e):
        for m in partners[a]:
            if m >= e:
                break
            if not cnt[a + 1][m] or not cnt[m + 1][e]:
                continue
            head = ((a, m),)
            if cnt[m + 1][e] <= LIST_CAP:
                rest = seq(m + 1, e)
                for x in seq(a + 1, m):
                    hx = head + x
                    for y in rest:
                        yield hx + y
            else:
                for x in seq(a + 1, m):
                    hx = head + x
                    for y in seq(m + 1, e):
                        yield hx + y

    if cnt[0][st.L]:
        yield from gen(0, st.L)


def planar_contractions(word: Word) -> Iterator[Contraction]:
    """Every planar (genus-0) Wick contraction of a word: the non-crossing, untwisted pairings of equal matrices.

    The same objects (pairs and crossed flags) as ``c for c in contractions(word) if c.is_planar``,
    generated directly, in lexicographic order of ``pairs``.  Pairing lists of an interval are kept
    in memory while they have at most :data:`LIST_CAP` entries and streamed otherwise.

    Parameters
    ----------
    word : Word
        The word: every matrix an even number of times, at most :data:`MAX_WORD_LENGTH` (600) letters.

    Yields
    ------
    Contraction
        :func:`count_planar` of them.

    Raises
    ------
    ValueError
        As :func:`count_planar` (on the first ``next``).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); S = GaussianMatrix("S", V, V, symmetry="symmetric")
    >>> [(c.pairs, c.crossed) for c in planar_contractions(Word.parse("S S^T S S", [S]))]
    [(((0, 1), (2, 3)), (False, True)), (((0, 3), (1, 2)), (True, False))]
    """
    st = planar_structure(word)
    new = Contraction.from_trusted
    if st.all_real:
        flags = (False,) * (st.L // 2)
        for pairs in _pairings_of(st):
            yield new(word, pairs, flags)
    else:
        cr = st.crossed_of
        for pairs in _pairings_of(st):
            yield new(word, pairs, tuple(cr[p] for p in pairs))


# --------------------------------------------------------------------------------------------
# coefficient-only sums
# --------------------------------------------------------------------------------------------

_MISSING = object()


def planar_sum(word: Word, face_value: Callable, *, commutative: bool = False):
    """The sum over planar contractions of the product of the face values, without listing them.

    Each face is worth ``face_value(space, covariances)``.

    ``covariances`` is the tuple of covariance names met around the face, with the names of the
    diagonal matrices decorating the slots it passes (in cyclic order, up to rotation and reversal;
    ``()`` for a face meeting none).  The result is computed by the junction
    recursion of the module docstring, memoised on ``(interval, junction)``; with
    ``commutative=True`` the junction is kept as a sorted tuple (a multiset), valid when
    ``face_value`` depends only on the multiset (commuting covariances), with far fewer states.
    Values only need ``+`` and ``*``; ``0`` is returned when there is no planar contraction.

    Parameters
    ----------
    word : Word
        The word: every matrix an even number of times, at most :data:`MAX_WORD_LENGTH` (600) letters.
    face_value : callable
        ``face_value(space, covariances)``: the value of a face of that
        :class:`~diagrams.engine.spaces.Space` meeting that tuple of names.
    commutative : bool, optional
        Memoise on the junction multiset (valid for commuting covariances).

    Returns
    -------
    object
        The sum, of the type ``face_value`` returns (``0`` if there is no planar contraction).

    Raises
    ------
    ValueError
        As :func:`count_planar`.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); H = GaussianMatrix("H", V, V, symmetry="hermitian")
    >>> planar_sum(Word.parse("H H H H H H", [H]), lambda space, covs: 10)  # 5 diagrams, 4 faces
    50000
    """
    st = planar_structure(word)
    L = st.L
    if st.count[0][L] == 0:
        return 0
    cnt, partners, slot_space = st.count, st.partners, st.slot_space
    decs, cin, cout = st.decorations, st.inside_step, st.outside_step
    memo: dict = {}

    def S(a, e, J):
        key = (a, e, J)
        v = memo.get(key, _MISSING)
        if v is not _MISSING:
            return v
        if a == e:
            v = face_value(slot_space[a], J)
        else:
            v = None
            co = cout[a]
            J2 = J + co
            if commutative and co:
                J2 = tuple(sorted(J2))
            ci = cin[a]
            for m in partners[a]:
                if m >= e:
                    break
                if not cnt[a + 1][m] or not cnt[m + 1][e]:
                    continue
                Jin = decs[m] + ci
                if commutative and len(Jin) > 1:
                    Jin = tuple(sorted(Jin))
                t = S(a + 1, m, Jin) * S(m + 1, e, J2)
                v = t if v is None else v + t
        memo[key] = v
        return v

    return S(0, L, ())


def planar_monomials(word: Word) -> dict:
    """The planar diagrams of a word counted by value, ``{monomial key: number of planar diagrams}``.

    Keys are as :attr:`~diagrams.engine.wick.Contraction.monomial`; computed by :func:`planar_sum`
    on :class:`~diagrams.engine.wick.MonomialSum` values.

    Parameters
    ----------
    word : Word
        The word: every matrix an even number of times, at most :data:`MAX_WORD_LENGTH` (600) letters.

    Returns
    -------
    dict
        ``{monomial key: count}``, without zero counts (``{}`` if there is no planar contraction).

    Raises
    ------
    ValueError
        As :func:`count_planar`.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> X = GaussianMatrix("X", Space("latent", "M"), Space("sample", "T"), row_cov="Lambda")
    >>> planar_monomials(Word.parse("X^T X X^T X", [X]))
    {(('latent', ('Lambda',)), ('latent', ('Lambda',)), ('sample', ())): 1, (('latent', ('Lambda', 'Lambda')), ('sample', ()), ('sample', ())): 1}
    """
    faces: dict = {}

    def face(space, covs):
        key = (space.name, canonical_cycle(covs))
        p = faces.get(key)
        if p is None:
            p = faces[key] = MonomialSum({(key,): 1})
        return p

    out = planar_sum(word, face)
    return {k: v for k, v in out.items() if v} if out else {}


def planar_expectation(word: Word) -> sympy.Expr:
    """The planar (leading large-N) part of the expectation of a trace, as a sympy expression.

    Equals ``expectation(word, genus="planar")`` (:func:`~diagrams.engine.wick.expectation`), without
    listing the contractions.

    Parameters
    ----------
    word : Word
        The word: every matrix an even number of times, at most :data:`MAX_WORD_LENGTH` (600) letters.

    Returns
    -------
    sympy.Expr
        A polynomial in the space sizes and :class:`~diagrams.engine.symbols.CovarianceTrace`
        symbols (``0`` if there is no planar contraction).

    Raises
    ------
    ValueError
        As :func:`count_planar`.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> X = GaussianMatrix("X", Space("latent", "M"), Space("sample", "T"), row_cov="Lambda")
    >>> planar_expectation(Word.parse("X^T X X^T X", [X]))       # T tr(Lambda)^2 + T^2 tr(Lambda^2)
    tr(Lambda)**2*T + tr(Lambda^2)*T**2
    """
    return sum_monomials(planar_monomials(word), word_spaces(word))


def planar_expectation_exact(word: Word, diagonals: Mapping[str, Sequence],
                             sizes: Mapping | None = None) -> Fraction:
    """The exact rational planar part of the expectation of a trace, for covariances diagonal in one basis.

    ``diagonals`` maps covariance names, and the names of the diagonal matrices decorating the
    word's slots, to their diagonal entries (numbers, strings such as ``"1/3"``, Fractions), as
    :func:`~diagrams.engine.symbols.evaluate_traces` takes them; a face meeting ``C1 .. Cr``
    (covariances and decorations) is worth ``sum_I C1_I ... Cr_I``.  ``sizes`` maps index spaces
    (by space name, size symbol or its name) to their dimension, used for faces meeting neither.

    Only the multiset of covariances around a face matters, so the recursion is memoised on
    ``(interval, junction multiset)``.  Covariances with a constant diagonal (``s * 1``) leave the
    recursion as a global factor ``s^(number of occurrences)``, covariances with equal diagonals are
    identified, and the sum runs in integers (every planar diagram has ``E + 1`` faces and the same
    covariance occurrences, so common denominators come out once).

    Parameters
    ----------
    word : Word
        The word: every matrix an even number of times, at most :data:`MAX_WORD_LENGTH` (600) letters.
    diagonals : mapping of str to sequence
        Covariance and decoration names to diagonal entries (read with
        :func:`~diagrams.engine.numbers.read_fraction`); all those on one space of the same length,
        the dimension of that space.
    sizes : mapping, optional
        Space name, size symbol or its name to the dimension, for the spaces with faces meeting no
        covariance.

    Returns
    -------
    Fraction
        The planar part (``0`` if there is no planar contraction).

    Raises
    ------
    ValueError
        As :func:`count_planar`; if a covariance or decoration of the word has no diagonal, a
        diagonal is empty, diagonals on one space differ in length, an entry or a size cannot be
        read as a number, or a face meets no covariance and its space has no size.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> X = GaussianMatrix("X", Space("latent", "M"), Space("sample", "T"), row_cov="Lambda")
    >>> # T tr(Lambda)^2 + T^2 tr(Lambda^2) = 3 (3/2)^2 + 9 (5/4)
    >>> planar_expectation_exact(Word.parse("X^T X X^T X", [X]), {"Lambda": [1, "1/2"]}, {"T": 3})
    Fraction(18, 1)
    >>> planar_expectation_exact(Word.parse("X^T X X^T X", [X]), {"Lambda": [1, "1/2"]})
    Traceback (most recent call last):
    ...
    ValueError: sizes: a face of space 'sample' meets no covariance; give its size (T)
    """
    st = planar_structure(word)
    L = st.L
    sizes = dict(sizes or {})
    diagonals = dict(diagonals)
    word = st.word

    # -- covariances and decorations: constants (global factor) and classes of equal non-constant
    #    diagonals.  Every planar diagram meets each covariance once per pair of its letters and each
    #    decoration once.
    occurrences: dict = {}
    space_of_cov: dict = {}
    for a in word:
        m = a.matrix
        for c, sp in ((m.row_cov, m.rows), (m.col_cov, m.cols)):
            if c is not None:
                occurrences[c] = occurrences.get(c, 0) + 1  # per letter: two letters per pair
                space_of_cov.setdefault(c, set()).add(sp.name)
    occurrences = {c: occ // 2 for c, occ in occurrences.items()}
    for ds in word.decorations:
        for d in ds:
            occurrences[d.name] = occurrences.get(d.name, 0) + 1
            space_of_cov.setdefault(d.name, set()).add(d.space.name)
    global_factor = Fraction(1)
    kind: dict = {}           # cov name -> -1 (constant) or class index
    classes: list = []        # distinct non-constant diagonals (tuples of Fractions)
    dim_of_space: dict = {}
    non_constant_occ = 0
    for c, occ in occurrences.items():
        if c not in diagonals:
            raise ValueError(f"diagonals: no diagonal given for {c!r}")
        vals = tuple(read_fraction(v, f"diagonals[{c!r}]") for v in diagonals[c])
        if not vals:
            raise ValueError(f"diagonals: the diagonal of {c} is empty")
        for sp in space_of_cov[c]:
            if dim_of_space.setdefault(sp, len(vals)) != len(vals):
                raise ValueError(f"diagonals: covariances on space {sp!r} have different lengths")
        if all(v == vals[0] for v in vals):
            kind[c] = -1
            global_factor *= vals[0] ** occ
        else:
            if vals not in classes:
                classes.append(vals)
            kind[c] = classes.index(vals)
            non_constant_occ += occ
    K = len(classes)
    D = 1
    for vals in classes:
        for v in vals:
            D = lcm(D, v.denominator)
    numer = [[int(v * D) for v in vals] for vals in classes]

    # -- sizes of the spaces whose faces may meet no covariance
    def size_of(space):
        for key in (space.name, space.size, str(space.size)):
            if key in sizes:
                return read_fraction(sizes[key], f"sizes[{key!r}]")
        raise ValueError(f"sizes: a face of space {space.name!r} meets no covariance; give its size "
                         f"({space.size})")

    size_denominator = 1
    # the common denominator of the sizes that can appear (looked up lazily below, so fix it from
    # every given size of a space of the word)
    for sp in {s.name: s for s in st.slot_space}.values():
        for key in (sp.name, sp.size, str(sp.size)):
            if key in sizes:
                size_denominator = lcm(size_denominator, read_fraction(sizes[key], f"sizes[{key!r}]").denominator)
                break

    # junction = (flag "met a covariance", count of class 0, ..., count of class K-1)
    def extend(J, c):
        if c is None:
            return J
        k = kind[c]
        if k < 0:
            return J if J[0] else (1,) + J[1:]
        return (1,) + J[1:k + 1] + (J[k + 1] + 1,) + J[k + 2:]

    def extend_all(J, names):
        for c in names:
            J = extend(J, c)
        return J

    J0 = (0,) * (K + 1)
    decs = st.decorations
    cin = st.inside_step
    cout = [extend_all(J0, names) for names in st.outside_step]  # what the outside step adds
    face_memo: dict = {}

    def close(space, J):
        key = (space.name, J)
        v = face_memo.get(key)
        if v is None:
            if not J[0]:
                s = size_of(space)
                v = int(s * size_denominator)
            elif not any(J[1:]):
                v = size_denominator * dim_of_space[space.name]
            else:
                ks = [(numer[k], J[k + 1]) for k in range(K) if J[k + 1]]
                tot = 0
                for i in range(len(ks[0][0])):
                    p = 1
                    for vec, e in ks:
                        p *= vec[i] ** e
                    tot += p
                v = size_denominator * tot
            face_memo[key] = v
        return v

    cnt, partners, slot_space = st.count, st.partners, st.slot_space
    if cnt[0][L] == 0:
        return Fraction(0)
    memo: dict = {}
    inside: dict = {}

    def S(a, e, J):
        key = (a, e, J)
        v = memo.get(key)
        if v is not None:
            return v
        if a == e:
            v = close(slot_space[a], J)
        else:
            step = cout[a]
            J2 = ((J[0] | step[0],) + tuple(x + y for x, y in zip(J[1:], step[1:]))
                  if step[0] else J)
            v = 0
            for m in partners[a]:
                if m >= e:
                    break
                if cnt[a + 1][m] and cnt[m + 1][e]:
                    Jin = inside.get((a, m))
                    if Jin is None:
                        Jin = inside[(a, m)] = extend_all(J0, decs[m] + cin[a])
                    v += S(a + 1, m, Jin) * S(m + 1, e, J2)
        memo[key] = v
        return v

    total = S(0, L, J0)
    E = L // 2
    return Fraction(total, size_denominator ** (E + 1) * D ** non_constant_occ) * global_factor
