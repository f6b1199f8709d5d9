r"""Classification of ribbon-graph diagrams: irreducibility, top–bottom barriers, latent structure.

Plain functions over a :class:`~diagrams.engine.wick.Contraction` (networkx style), in the spirit of
QGRAF's ``onepi``-type filters.  Two kinds of diagrams are met in the random-feature model:

**Resolvent diagrams** (paper Sec. III.3).  A planar contraction of ``tr((phi^T phi)^n)`` is a
diagram of the full train-sample propagator ``<Q>`` once the trace is *opened* at one slot (slot 0,
a train index): the letters then form a line, ``x^T u^T u x x^T u^T u x ...``, whose slots are bare
propagators.  Cutting the line at a slot disconnects the diagram when no Wick contraction spans the
slot.  The diagram is **one-particle irreducible** (1PI) when no slot of the propagator's space
(train for ``<Q>``, feature for ``<q>``) is such a cut: :func:`one_particle_cuts`,
:func:`is_one_particle_irreducible`.  These cuts are the line edges among the bridges of
:func:`letter_graph` (``networkx.bridges``; the tests compare both).

**Loss diagrams** (paper Secs. III.4–III.6; ``docs/resummation.md``).  A word ``tr(Top · Bottom)`` of
:func:`~diagrams.models.random_features.expansion.loss_terms` with ``mirror=True`` is drawn on two
lines: letters ``[0, top_length)`` form the upper line ``A^T``, the rest the lower line ``A``.  The
left end of the picture is the test (dotted) slot 0, the right end the latent slot ``top_length``.

* A contraction joining the two lines is **top–bottom** (:func:`top_bottom_pairs`).  Planar
  top–bottom contractions do not cross, so they are ordered from the left end (the ``xhat`` pair
  always comes first) to the right end.
* In every planar loss diagram the top–bottom contractions other than the ``xhat`` one come in
  consecutive, nested pairs of the same matrix (checked to order 6 in the tests): a pair of ``x``
  contractions encloses a train (dashed) loop that runs from the upper to the lower line, a pair of
  ``u`` contractions a feature (solid) loop; the loop may carry sub-diagrams that sit on one line
  only (propagator corrections).  Each such pair is a **barrier** (:func:`barriers`): nothing can
  cross it.
* The paper's **two-particle irreducibility**: cut the upper and the lower line once each, on
  propagator (feature or train) slots; if no contraction joins the two sides the diagram is
  two-particle reducible there (:func:`two_particle_cuts`, :func:`is_two_particle_irreducible`).
  Every such cut runs through the loop of exactly one barrier and every barrier carries one (checked
  in the tests), so the pieces between barriers (:func:`ladder_rungs`) are two-particle
  irreducible: they are the rungs of the paper's ladders, and the barriers are the pairs of full
  propagators (one on each line) that join them.
* **Latent structure.**  Delete everything but the latent (wavy) loops.  The latent "vertices" are
  the test vertex (``xhat`` pair, slot 1), the two ``Sigma`` dots of every feature barrier (the
  latent slots just outside it) and the right end (latent slot ``top_length``).  Two vertices are
  connected when one latent face passes through both (:func:`latent_components`).

:func:`classify` turns a planar loss diagram into a :class:`DiagramClass`: its barrier word read
from left to right, e.g. ``"xux"``, split into the *primary* part (the train barriers before the
first feature barrier) and one *block* per feature barrier (the feature barrier and the train
barriers after it).  A block without a train barrier is latent-connected (the paper's ``r_c``),
one with train barriers is a ladder of 2PI rungs (``r_d``).  :func:`cell_hops` counts, in each
piece, the hops of the wavy line along the two lines (the double geometric series of the paper).

>>> from diagrams.models.random_features.expansion import loss_terms
>>> from diagrams.engine.planar import planar_contractions
>>> term = loss_terms(2, mirror=True)[1]
>>> term.label, str(term.word)
('Top_0 Bottom_0', 'xhat^T u^T u x x^T x x^T u^T u xhat')
>>> [(str(c), classify(term, c).pattern) for c in planar_contractions(term.word)]
[('(0,9) (1,2) (3,4) (5,6) (7,8)', ''), ('(0,9) (1,2) (3,6) (4,5) (7,8)', 'x'), ('(0,9) (1,8) (2,7) (3,4) (5,6)', 'u'), ('(0,9) (1,8) (2,7) (3,6) (4,5)', 'ux')]
>>> c = next(c for c in planar_contractions(term.word) if classify(term, c).pattern == "ux")
>>> top_bottom_counts(term, c)
{'u': 2, 'x': 2, 'xhat': 1}
>>> two_particle_cuts(term, c)
[(2, 8), (4, 6)]
>>> classify(term, c)
DiagramClass(pattern='ux', primary_rungs=0, blocks=(1,), primary_connected=True, blocks_connected=(False,))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import networkx as nx

from diagrams.engine.wick import Contraction

__all__ = [
    "top_length_of",
    "top_bottom_pairs",
    "top_bottom_counts",
    "letter_graph",
    "one_particle_cuts",
    "is_one_particle_irreducible",
    "two_particle_cuts",
    "is_two_particle_irreducible",
    "ladder_rungs",
    "Barrier",
    "barriers",
    "barrier_pattern",
    "slot_faces",
    "latent_components",
    "cell_hops",
    "DiagramClass",
    "classify",
    "FILTERS",
    "make_filter",
    "filter_diagrams",
]

#: Index spaces whose lines are propagators (the full ``<q>`` and ``<Q>``); latent and test lines
#: are not cut.
PROPAGATOR_SPACES = ("feature", "train")


# ----------------------------------------------------------------------------- helpers

def top_length_of(term) -> int:
    """The number of upper-line letters of a two-line loss term.

    Parameters
    ----------
    term : LossTerm, TraceTerm or int
        ``term.top_length`` of a LossTerm, ``term.split`` of a term of the generic expansion
        (:class:`diagrams.engine.expressions.TraceTerm` or its analysis wrapper), or an int itself.

    Returns
    -------
    int
        The top length, at least 1.

    Raises
    ------
    ValueError
        If ``term`` is a bool, has neither ``top_length`` nor ``split`` (and is not an int), or its
        top length is below 1.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> top_length_of(loss_terms(2, mirror=True)[1]), top_length_of(3)
    (5, 3)
    >>> top_length_of(0)
    Traceback (most recent call last):
    ...
    ValueError: term: the upper line needs at least one letter, got top_length=0
    """
    if isinstance(term, bool):
        raise ValueError("term: expected a LossTerm or an integer top length")
    if isinstance(term, int):
        tl = term
    else:
        tl = getattr(term, "top_length", None)
        if tl is None:
            tl = getattr(term, "split", None)
        if tl is None or isinstance(tl, bool) or not isinstance(tl, int):
            raise ValueError(f"term: expected a LossTerm (with top_length) or an int, got {type(term).__name__}")
    if tl < 1:
        raise ValueError(f"term: the upper line needs at least one letter, got top_length={tl}")
    return tl


def _check(c) -> Contraction:
    if not isinstance(c, Contraction):
        raise ValueError(f"c: expected a Contraction, got {type(c).__name__}")
    return c


def _check_two_line(term, c) -> int:
    c = _check(c)
    tl = top_length_of(term)
    if tl >= len(c.word):
        raise ValueError(f"term: top_length={tl} leaves no lower line in a word of {len(c.word)} letters")
    return tl


# ----------------------------------------------------------------------------- top-bottom

def top_bottom_pairs(term, c: Contraction) -> list[tuple[int, int]]:
    """The top-bottom contractions of a loss diagram, which join its upper and lower lines.

    Parameters
    ----------
    term : LossTerm or int
        A term of :func:`~diagrams.models.random_features.expansion.loss_terms` with ``mirror=True``
        (or anything :func:`top_length_of` accepts): it fixes ``top_length``.
    c : Contraction
        A contraction of ``term``'s word, with ``top_length < len(c.word)``.

    Returns
    -------
    list of tuple of int
        The pairs ``(k, l)``, ``k < top_length <= l`` (the upper line is the letters
        ``< top_length``), sorted by the position of their upper letter,
        i.e. from the left end of the two-line picture (for a planar diagram they do not cross, so
        this is also right-to-left on the lower line).

    Raises
    ------
    ValueError
        If ``term`` has no valid top length (:func:`top_length_of`), if ``c`` is not a
        :class:`~diagrams.engine.wick.Contraction`, or if ``top_length >= len(c.word)`` (no lower line).

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.planar import planar_contractions
    >>> term = loss_terms(2, mirror=True)[1]
    >>> cs = list(planar_contractions(term.word))
    >>> top_bottom_pairs(term, cs[3])
    [(0, 9), (1, 8), (2, 7), (3, 6), (4, 5)]
    >>> top_bottom_pairs(10, cs[3])
    Traceback (most recent call last):
    ...
    ValueError: term: top_length=10 leaves no lower line in a word of 10 letters
    """
    tl = _check_two_line(term, c)
    return sorted((k, l) for k, l in c.pairs if k < tl <= l)


def top_bottom_counts(term, c: Contraction) -> dict[str, int]:
    """The number of top–bottom contractions of each matrix in a loss diagram.

    For example ``{'u': 2, 'x': 0, 'xhat': 1}``.

    Parameters
    ----------
    term : LossTerm or int
        A term of :func:`~diagrams.models.random_features.expansion.loss_terms` with ``mirror=True``
        (or anything :func:`top_length_of` accepts): it fixes ``top_length``.
    c : Contraction
        A contraction of ``term``'s word, with ``top_length < len(c.word)``.

    Returns
    -------
    dict of str to int
        Matrix name to count, sorted by name.  Matrices of the word with no top–bottom contraction
        are listed with 0.

    Raises
    ------
    ValueError
        If ``term`` has no valid top length (:func:`top_length_of`), if ``c`` is not a
        :class:`~diagrams.engine.wick.Contraction`, or if ``top_length >= len(c.word)`` (no lower line).

    See Also
    --------
    top_bottom_pairs : The contractions themselves.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.planar import planar_contractions
    >>> term = loss_terms(2, mirror=True)[1]
    >>> cs = list(planar_contractions(term.word))
    >>> top_bottom_counts(term, cs[0])
    {'u': 0, 'x': 0, 'xhat': 1}
    >>> top_bottom_counts(term, cs[3])
    {'u': 2, 'x': 2, 'xhat': 1}
    """
    c = _check(c)
    out = {name: 0 for name in sorted(c.word.counts())}
    for k, _ in top_bottom_pairs(term, c):
        out[c.word[k].matrix.name] += 1
    return out


# ----------------------------------------------------------------------------- one-particle cuts

def letter_graph(c: Contraction, open_slot: int | None = None) -> nx.MultiGraph:
    """The diagram as a graph of letters, with line edges (slots) and propagator edges (contractions).

    Slot ``k`` joins letters ``k - 1`` and ``k`` (cyclically); its edge has key ``("line", k)``, kind
    ``"line"`` and carries ``slot`` and ``space``.  Contraction ``i`` is an edge with key
    ``("propagator", i)``, kind ``"propagator"`` and its ``matrix``.  Nodes carry ``kind="letter"``
    and their ``letter``.

    Parameters
    ----------
    c : Contraction
        The diagram.
    open_slot : int, optional
        If given (``0 <= open_slot < len(c.word)``), the trace is opened there (that line edge is left
        out): the open word of a resolvent diagram.

    Returns
    -------
    networkx.MultiGraph
        The graph; its line edges among ``networkx.bridges`` are the :func:`one_particle_cuts`.

    Raises
    ------
    ValueError
        If ``c`` is not a :class:`~diagrams.engine.wick.Contraction` or ``open_slot`` is out of range.

    Examples
    --------
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.wick import Contraction
    >>> from diagrams.models.random_features.model import MATRICES
    >>> c = Contraction(Word.parse("x^T u^T u x", MATRICES), ((0, 3), (1, 2)))
    >>> G = letter_graph(c, open_slot=0)
    >>> G.number_of_nodes(), G.number_of_edges()
    (4, 5)
    """
    c = _check(c)
    w = c.word
    L = len(w)
    if open_slot is not None and not (0 <= open_slot < L):
        raise ValueError(f"open_slot: must be a slot 0..{L - 1}, got {open_slot}")
    G = nx.MultiGraph()
    G.add_nodes_from(range(L), kind="letter")
    for k in range(L):
        G.nodes[k]["letter"] = str(w[k])
    for s in range(L):
        if s == open_slot:
            continue
        G.add_edge((s - 1) % L, s, key=("line", s), kind="line", slot=s, space=w.slot_space(s).name)
    for i, (k, l) in enumerate(c.pairs):
        G.add_edge(k, l, key=("propagator", i), kind="propagator", matrix=w[k].matrix.name)
    return G


def one_particle_cuts(c: Contraction, open_slot: int = 0, spaces: Iterable[str] | None = None) -> list[int]:
    """The one-particle cuts of a resolvent diagram, the slots of the opened word whose line is a bridge.

    Cutting such a line disconnects the diagram (paper Sec. III.3).  These are the line edges among
    ``networkx.bridges`` of :func:`letter_graph` with ``open_slot`` (computed here by a sweep over the
    opened line).

    Parameters
    ----------
    c : Contraction
        A contraction of a closed word, e.g. a planar contraction of ``tr((phi^T phi)^n)``.
    open_slot : int, optional
        The slot where the trace is opened, ``0 <= open_slot < len(c.word)`` (default 0).
    spaces : iterable of str, optional
        Restricts the cut lines to those index spaces (default: the space of ``open_slot``, the
        propagator being dressed).

    Returns
    -------
    list of int
        The cut slots, sorted; ``open_slot`` itself is never among them.

    Raises
    ------
    ValueError
        If ``c`` is not a :class:`~diagrams.engine.wick.Contraction` or ``open_slot`` is out of range.

    Examples
    --------
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.planar import planar_contractions
    >>> from diagrams.models.random_features.model import MATRICES
    >>> w = Word.parse("x^T u^T u x x^T u^T u x", MATRICES)
    >>> [(str(c), one_particle_cuts(c)) for c in planar_contractions(w)]
    [('(0,3) (1,2) (4,7) (5,6)', [4]), ('(0,7) (1,2) (3,4) (5,6)', []), ('(0,7) (1,6) (2,5) (3,4)', [])]
    """
    c = _check(c)
    w = c.word
    L = len(w)
    if not (0 <= open_slot < L):
        raise ValueError(f"open_slot: must be a slot 0..{L - 1}, got {open_slot}")
    if spaces is None:
        spaces = (w.slot_space(open_slot).name,)
    spaces = set(spaces)
    # Open the cycle at open_slot: letter k sits at position (k - open_slot) mod L on a path, and
    # slot s joins positions pos(s) - 1 and pos(s).  A path edge is a bridge iff no contraction
    # joins the two sides, i.e. no pair spans it (the same as the bridges of letter_graph).
    cover = [0] * (L + 1)
    for k, l in c.pairs:
        a, b = sorted(((k - open_slot) % L, (l - open_slot) % L))
        cover[a + 1] += 1
        cover[b + 1] -= 1
    out = []
    run = 0
    for pos in range(1, L):
        run += cover[pos]
        s = (pos + open_slot) % L
        if run == 0 and w.slot_space(s).name in spaces:
            out.append(s)
    return sorted(out)


def is_one_particle_irreducible(c: Contraction, open_slot: int = 0, spaces: Iterable[str] | None = None) -> bool:
    """Whether a resolvent diagram is one-particle irreducible (1PI).

    True when no propagator line of the opened word is a bridge (see :func:`one_particle_cuts`).

    Parameters
    ----------
    c : Contraction
        A contraction of a closed word.
    open_slot : int, optional
        The slot where the trace is opened, ``0 <= open_slot < len(c.word)`` (default 0).
    spaces : iterable of str, optional
        The index spaces of the lines that may be cut (default: the space of ``open_slot``).

    Returns
    -------
    bool
        ``not one_particle_cuts(c, open_slot, spaces)``.

    Raises
    ------
    ValueError
        If ``c`` is not a :class:`~diagrams.engine.wick.Contraction` or ``open_slot`` is out of range.

    Examples
    --------
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.planar import planar_contractions
    >>> from diagrams.models.random_features.model import MATRICES
    >>> w = Word.parse("x^T u^T u x x^T u^T u x", MATRICES)
    >>> [is_one_particle_irreducible(c) for c in planar_contractions(w)]
    [False, True, True]
    """
    return not one_particle_cuts(c, open_slot, spaces)


# ----------------------------------------------------------------------------- two-particle cuts

def two_particle_cuts(term, c: Contraction, spaces: Iterable[str] = PROPAGATOR_SPACES) -> list[tuple[int, int]]:
    """The two-particle cuts of a loss diagram, pairs of an upper and a lower slot whose cut disconnects it.

    The upper line's inner slots are ``1 .. top_length - 1``, the lower line's
    ``top_length + 1 .. L - 1`` (slots 0 and ``top_length`` are the vertical end lines).  Cutting
    slots ``i < j`` leaves the letters ``[i, j)`` on one side; the cut disconnects the diagram when
    no contraction has exactly one letter there.

    Parameters
    ----------
    term : LossTerm or int
        A term of :func:`~diagrams.models.random_features.expansion.loss_terms` with ``mirror=True``
        (or anything :func:`top_length_of` accepts): it fixes ``top_length``.
    c : Contraction
        A contraction of ``term``'s word, with ``top_length < len(c.word)``.
    spaces : iterable of str, optional
        Only slots of these index spaces are cut (default feature and train, the propagators).

    Returns
    -------
    list of tuple of int
        The pairs ``(top slot, bottom slot)``, sorted.

    Raises
    ------
    ValueError
        If ``term`` has no valid top length (:func:`top_length_of`), if ``c`` is not a
        :class:`~diagrams.engine.wick.Contraction`, or if ``top_length >= len(c.word)`` (no lower line).

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.planar import planar_contractions
    >>> term = loss_terms(2, mirror=True)[1]
    >>> cs = list(planar_contractions(term.word))
    >>> [two_particle_cuts(term, c) for c in cs]
    [[], [(4, 6)], [(2, 8)], [(2, 8), (4, 6)]]
    """
    tl = _check_two_line(term, c)
    w = c.word
    L = len(w)
    spaces = set(spaces)
    tops = [s for s in range(1, tl) if w.slot_space(s).name in spaces]
    bots = [s for s in range(tl + 1, L) if w.slot_space(s).name in spaces]
    out = []
    for i in tops:
        for j in bots:
            if not any((i <= k < j) != (i <= l < j) for k, l in c.pairs):
                out.append((i, j))
    return out


def is_two_particle_irreducible(term, c: Contraction, spaces: Iterable[str] = PROPAGATOR_SPACES) -> bool:
    """Whether a loss diagram is two-particle irreducible (2PI) in the paper's sense.

    True when no cut of one upper and one lower propagator line disconnects the diagram (see
    :func:`two_particle_cuts`).

    Parameters
    ----------
    term : LossTerm or int
        A term of :func:`~diagrams.models.random_features.expansion.loss_terms` with ``mirror=True``
        (or anything :func:`top_length_of` accepts): it fixes ``top_length``.
    c : Contraction
        A contraction of ``term``'s word, with ``top_length < len(c.word)``.
    spaces : iterable of str, optional
        The index spaces of the lines that may be cut (default feature and train).

    Returns
    -------
    bool
        ``not two_particle_cuts(term, c, spaces)``.

    Raises
    ------
    ValueError
        If ``term`` has no valid top length (:func:`top_length_of`), if ``c`` is not a
        :class:`~diagrams.engine.wick.Contraction`, or if ``top_length >= len(c.word)`` (no lower line).

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.planar import planar_contractions
    >>> term = loss_terms(2, mirror=True)[1]
    >>> cs = list(planar_contractions(term.word))
    >>> [is_two_particle_irreducible(term, c) for c in cs]
    [True, False, False, False]
    """
    return not two_particle_cuts(term, c, spaces)


# ----------------------------------------------------------------------------- barriers

@dataclass(frozen=True)
class Barrier:
    """A barrier, two consecutive top–bottom contractions of one matrix enclosing a loop across the lines.

    Between them lies one feature (``u``) or train (``x``) loop running from the upper to the lower
    line, possibly dressed by sub-diagrams sitting on one line only (propagator corrections).  Made
    by :func:`barriers`.

    Parameters
    ----------
    matrix : str
        ``"u"`` (feature barrier) or ``"x"`` (train barrier).
    outer : tuple of int
        The contraction ``(k, l)`` nearer the left end.
    inner : tuple of int
        The other contraction.
    space : str
        The index space of the enclosed loop, ``"feature"`` or ``"train"``.

    Attributes
    ----------
    top_slots, bottom_slots : tuple of int
        The enclosed slots of the upper and the lower line.
    letters : tuple of int
        The two contractions' letters and everything they enclose.
    left_slot, right_slot : int
        The latent slots just outside the barrier on the upper line.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.planar import planar_contractions
    >>> term = loss_terms(2, mirror=True)[1]
    >>> cs = list(planar_contractions(term.word))
    >>> b = barriers(term, cs[3])[0]
    >>> b
    Barrier(matrix='u', outer=(1, 8), inner=(2, 7), space='feature')
    >>> b.top_slots, b.bottom_slots, b.letters, b.left_slot, b.right_slot
    ((2,), (8,), (1, 2, 7, 8), 1, 3)
    """

    matrix: str
    outer: tuple[int, int]
    inner: tuple[int, int]
    space: str

    @property
    def top_slots(self) -> tuple[int, ...]:
        return tuple(range(self.outer[0] + 1, self.inner[0] + 1))

    @property
    def bottom_slots(self) -> tuple[int, ...]:
        return tuple(range(self.inner[1] + 1, self.outer[1] + 1))

    @property
    def letters(self) -> tuple[int, ...]:
        """The two contractions' letters and everything they enclose."""
        return tuple(range(self.outer[0], self.inner[0] + 1)) + tuple(range(self.inner[1], self.outer[1] + 1))

    @property
    def left_slot(self) -> int:
        return self.outer[0]

    @property
    def right_slot(self) -> int:
        return self.inner[0] + 1


def barriers(term, c: Contraction) -> list[Barrier]:
    """The barriers of a planar loss diagram, left to right.

    The first top–bottom contraction must be the ``xhat`` pair; the others must come in
    consecutive, nested pairs of the same matrix enclosing a feature or train slot.

    Parameters
    ----------
    term : LossTerm or int
        A term of :func:`~diagrams.models.random_features.expansion.loss_terms` with ``mirror=True``
        (or anything :func:`top_length_of` accepts): it fixes ``top_length``.
    c : Contraction
        A planar contraction of ``term``'s word.

    Returns
    -------
    list of Barrier
        The barriers, from the left end to the right end.

    Raises
    ------
    ValueError
        If ``term`` has no valid top length (:func:`top_length_of`), if ``c`` is not a
        :class:`~diagrams.engine.wick.Contraction`, or if ``top_length >= len(c.word)`` (no lower line).  Also if the first top–bottom contraction does not join the two ends (the
        ``xhat`` pair), if the others are odd in number, or if two consecutive ones do not form a
        barrier.  This never happens for the planar diagrams of the test loss: the tests check all of
        them to order 6, and ``diagrams resum --order 7`` classifies the 77 520 of order 7.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.planar import planar_contractions
    >>> term = loss_terms(2, mirror=True)[1]
    >>> cs = list(planar_contractions(term.word))
    >>> barriers(term, cs[3])
    [Barrier(matrix='u', outer=(1, 8), inner=(2, 7), space='feature'), Barrier(matrix='x', outer=(3, 6), inner=(4, 5), space='train')]
    >>> barriers(term, cs[0])
    []
    """
    tl = _check_two_line(term, c)
    w = c.word
    tb = top_bottom_pairs(tl, c)
    if not tb or tb[0] != (0, len(w) - 1):
        raise ValueError("c: the first top-bottom contraction must join the two ends (the xhat pair)")
    rest = tb[1:]
    if len(rest) % 2:
        raise ValueError(f"c: odd number of top-bottom contractions besides the end pair: {rest}")
    out = []
    for a, b in zip(rest[::2], rest[1::2]):
        ma, mb = w[a[0]].matrix.name, w[b[0]].matrix.name
        space = w.slot_space(a[0] + 1).name
        if ma != mb or b[1] >= a[1] or space not in PROPAGATOR_SPACES or w.slot_space(a[0]).name != "latent":
            raise ValueError(f"c: top-bottom contractions {a} and {b} do not form a barrier")
        out.append(Barrier(ma, a, b, space))
    return out


def ladder_rungs(term, c: Contraction) -> list[tuple[int, ...]]:
    """The 2PI rungs of a planar loss diagram, the pieces between consecutive barriers.

    The first piece holds the ``xhat`` pair, the last the right end of the picture; the barriers'
    own letters (their two contractions and what they enclose) belong to no piece.  These pieces are
    the 2PI rungs: no two-particle cut falls inside one (checked in the tests).

    Parameters
    ----------
    term : LossTerm or int
        A term of :func:`~diagrams.models.random_features.expansion.loss_terms` with ``mirror=True``
        (or anything :func:`top_length_of` accepts): it fixes ``top_length``.
    c : Contraction
        A planar contraction of ``term``'s word.

    Returns
    -------
    list of tuple of int
        One sorted letter tuple per piece, left to right (``len(barriers(term, c)) + 1`` pieces,
        possibly empty).

    Raises
    ------
    ValueError
        As :func:`barriers`.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.planar import planar_contractions
    >>> term = loss_terms(2, mirror=True)[1]
    >>> cs = list(planar_contractions(term.word))
    >>> ladder_rungs(term, cs[0])
    [(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)]
    >>> ladder_rungs(term, cs[3])
    [(0, 9), (), ()]
    """
    tl = _check_two_line(term, c)
    L = len(c.word)
    pieces = []
    prev_top, prev_bot = 0, L - 1  # first letters of the current piece on each line
    for b in barriers(tl, c):
        pieces.append(tuple(range(prev_top, b.outer[0])) + tuple(range(b.outer[1] + 1, prev_bot + 1)))
        prev_top, prev_bot = b.inner[0] + 1, b.inner[1] - 1
    pieces.append(tuple(range(prev_top, prev_bot + 1)))
    return pieces


def barrier_pattern(term, c: Contraction) -> str:
    """The barrier word of a planar loss diagram, one letter per barrier from left to right.

    Parameters
    ----------
    term : LossTerm or int
        A term of :func:`~diagrams.models.random_features.expansion.loss_terms` with ``mirror=True``
        (or anything :func:`top_length_of` accepts): it fixes ``top_length``.
    c : Contraction
        A planar contraction of ``term``'s word.

    Returns
    -------
    str
        ``"u"`` (feature loop) or ``"x"`` (train loop) per barrier; ``""`` when the ``xhat`` pair is
        the only top–bottom contraction.

    Raises
    ------
    ValueError
        As :func:`barriers`.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.planar import planar_contractions
    >>> term = loss_terms(2, mirror=True)[1]
    >>> cs = list(planar_contractions(term.word))
    >>> [barrier_pattern(term, c) for c in cs]
    ['', 'x', 'u', 'ux']
    """
    return "".join(b.matrix for b in barriers(term, c))


# ----------------------------------------------------------------------------- latent structure

def slot_faces(c: Contraction) -> dict[int, int]:
    """The face (index loop) through every slot of a diagram.

    Parameters
    ----------
    c : Contraction
        The diagram.

    Returns
    -------
    dict of int to int
        Slot to the index in ``c.faces`` of the face through it.

    Raises
    ------
    ValueError
        If ``c`` is not a :class:`~diagrams.engine.wick.Contraction`.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.planar import planar_contractions
    >>> term = loss_terms(2, mirror=True)[1]
    >>> cs = list(planar_contractions(term.word))
    >>> faces = slot_faces(cs[0])
    >>> [faces[s] for s in range(len(term.word))]
    [1, 0, 2, 0, 3, 0, 4, 0, 5, 0]
    """
    out = {}
    for i, f in enumerate(_check(c).faces):
        for s in f.slots:
            out[s] = i
    return out


def latent_components(term, c: Contraction) -> list[list[str]]:
    """The latent vertices of a planar loss diagram, grouped by the latent face (wavy loop) through them.

    Vertices, left to right: ``"xhat"`` (slot 1), ``"u{r}L"``/``"u{r}R"`` for the left and right
    ``Sigma`` dots of the ``r``-th feature barrier, and ``"end"`` (slot ``top_length``).

    Parameters
    ----------
    term : LossTerm or int
        A term of :func:`~diagrams.models.random_features.expansion.loss_terms` with ``mirror=True``
        (or anything :func:`top_length_of` accepts): it fixes ``top_length``.
    c : Contraction
        A planar contraction of ``term``'s word.

    Returns
    -------
    list of list of str
        One list of vertex names per latent face met, in order of first vertex.

    Raises
    ------
    ValueError
        As :func:`barriers`.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.planar import planar_contractions
    >>> term = loss_terms(2, mirror=True)[1]
    >>> cs = list(planar_contractions(term.word))
    >>> [latent_components(term, c) for c in cs]
    [[['xhat', 'end']], [['xhat'], ['end']], [['xhat', 'u0L'], ['u0R', 'end']], [['xhat', 'u0L'], ['u0R'], ['end']]]
    """
    tl = _check_two_line(term, c)
    faces = slot_faces(c)
    verts = [("xhat", 1)]
    r = 0
    for b in barriers(tl, c):
        if b.matrix == "u":
            verts += [(f"u{r}L", b.left_slot), (f"u{r}R", b.right_slot)]
            r += 1
    verts.append(("end", tl))
    groups: dict[int, list[str]] = {}
    for name, s in verts:
        groups.setdefault(faces[s], []).append(name)
    return list(groups.values())


def cell_hops(term, c: Contraction) -> list[tuple[int, int, int]]:
    """The hops of the wavy line in each cell (the pieces between barriers) of a planar loss diagram.

    The *skeleton* loop of cell 0 is the latent face through the test vertex (slot 1); that of cell
    ``r >= 1`` the latent face through the right vertex of barrier ``r`` (its ``right_slot``).

    Parameters
    ----------
    term : LossTerm or int
        A term of :func:`~diagrams.models.random_features.expansion.loss_terms` with ``mirror=True``
        (or anything :func:`top_length_of` accepts): it fixes ``top_length``.
    c : Contraction
        A planar contraction of ``term``'s word.

    Returns
    -------
    list of tuple of int
        ``(n, top, bottom)`` per cell, left to right: ``n`` is the number of ``x`` contractions whose
        ``Lambda`` lies on the skeleton loop, ``top``/``bottom`` how many of them join two letters of
        the upper/lower line (the paper's "hops" along the top and bottom routes, Eqs. 53 and 77).

    Raises
    ------
    ValueError
        As :func:`barriers`.
    AssertionError
        If two cells share a skeleton loop (not expected for planar loss diagrams).

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.planar import planar_contractions
    >>> term = loss_terms(2, mirror=True)[1]
    >>> cs = list(planar_contractions(term.word))
    >>> [cell_hops(term, c) for c in cs]
    [[(2, 1, 1)], [(1, 0, 0), (1, 0, 0)], [(0, 0, 0), (2, 1, 1)], [(0, 0, 0), (1, 0, 0), (1, 0, 0)]]
    """
    tl = _check_two_line(term, c)
    w = c.word
    faces = slot_faces(c)
    sk = [faces[1]] + [faces[b.right_slot] for b in barriers(tl, c)]
    index = {f: r for r, f in enumerate(sk)}
    if len(index) != len(sk):
        raise AssertionError("two cells share a skeleton loop")
    n = [0] * len(sk)
    top = [0] * len(sk)
    bottom = [0] * len(sk)
    for k, l in c.pairs:
        if w[k].matrix.name != "x":
            continue
        r = index.get(faces[w.row_col_slots(k)[0]])
        if r is None:
            continue
        n[r] += 1
        if l < tl:
            top[r] += 1
        elif k >= tl:
            bottom[r] += 1
    return list(zip(n, top, bottom))


@dataclass(frozen=True)
class DiagramClass:
    """Where a planar loss diagram sits in the factorised expansion (see module docstring).

    Made by :func:`classify`.

    Parameters
    ----------
    pattern : str
        The barrier word (:func:`barrier_pattern`).
    primary_rungs : int
        The number of train barriers before the first feature barrier.
    blocks : tuple of int
        For each feature barrier, the number of train barriers after it (up to the next feature
        barrier).
    primary_connected : bool
        Whether one latent loop joins the left and right vertex of the primary part (the paper's
        connected/disconnected split).
    blocks_connected : tuple of bool
        The same for each block.

    Attributes
    ----------
    resummation_power : int
        The number of feature barriers ``n``: the diagram belongs to ``P X^n`` (paper Eqs. 84, 93).
    kind : str
        ``"primary"`` (no feature barrier) or ``"resummation"``.

    Examples
    --------
    >>> d = DiagramClass("ux", 0, (1,), True, (False,))
    >>> d.resummation_power, d.kind
    (1, 'resummation')
    >>> DiagramClass("x", 1, (), False, ()).kind
    'primary'
    """

    pattern: str
    primary_rungs: int
    blocks: tuple[int, ...]
    primary_connected: bool
    blocks_connected: tuple[bool, ...]

    @property
    def resummation_power(self) -> int:
        """Number of feature barriers ``n``: the diagram belongs to ``P X^n`` (paper Eqs. 84, 93)."""
        return len(self.blocks)

    @property
    def kind(self) -> str:
        """``"primary"`` (no feature barrier) or ``"resummation"``."""
        return "primary" if not self.blocks else "resummation"


def classify(term, c: Contraction) -> DiagramClass:
    """The :class:`DiagramClass` of a planar loss diagram.

    Parameters
    ----------
    term : LossTerm or int
        A term of ``loss_terms(k, mirror=True)``
        (:func:`~diagrams.models.random_features.expansion.loss_terms`), or its top length.
    c : Contraction
        A planar contraction of ``term``'s word.

    Returns
    -------
    DiagramClass
        Its barrier word split into the primary part and one block per feature barrier, with the
        latent connectivity of each part.

    Raises
    ------
    ValueError
        As :func:`barriers`.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.planar import planar_contractions
    >>> term = loss_terms(2, mirror=True)[1]
    >>> cs = list(planar_contractions(term.word))
    >>> classify(term, cs[1])
    DiagramClass(pattern='x', primary_rungs=1, blocks=(), primary_connected=False, blocks_connected=())
    >>> classify(term, cs[2])
    DiagramClass(pattern='u', primary_rungs=0, blocks=(0,), primary_connected=True, blocks_connected=(True,))
    """
    tl = _check_two_line(term, c)
    bs = barriers(tl, c)
    faces = slot_faces(c)
    pattern = "".join(b.matrix for b in bs)
    us = [i for i, b in enumerate(bs) if b.matrix == "u"]
    first = us[0] if us else len(bs)
    primary_rungs = first
    left_end = faces[bs[us[0]].left_slot] if us else faces[tl]
    primary_connected = faces[1] == left_end
    blocks, conn = [], []
    for r, i in enumerate(us):
        nxt = us[r + 1] if r + 1 < len(us) else len(bs)
        blocks.append(nxt - i - 1)
        right = faces[bs[nxt].left_slot] if nxt < len(bs) else faces[tl]
        conn.append(faces[bs[i].right_slot] == right)
    return DiagramClass(pattern, primary_rungs, tuple(blocks), primary_connected, tuple(conn))


# ----------------------------------------------------------------------------- filters

def _tb(name):
    def f(term, c):
        return top_bottom_counts(term, c).get(name, 0)
    return f


#: Named predicates ``f(term, c) -> bool`` over planar loss diagrams (``term`` a LossTerm with
#: ``top_length``); combine them with :func:`make_filter`.
FILTERS: dict[str, Callable] = {
    "twopi": lambda term, c: is_two_particle_irreducible(term, c),
    "twopr": lambda term, c: not is_two_particle_irreducible(term, c),
    "primary": lambda term, c: classify(term, c).kind == "primary",
    "resummation": lambda term, c: classify(term, c).kind == "resummation",
    "connected": lambda term, c: classify(term, c).primary_connected and all(classify(term, c).blocks_connected),
    "disconnected": lambda term, c: not (classify(term, c).primary_connected
                                         and all(classify(term, c).blocks_connected)),
    "no-top-bottom": lambda term, c: len(top_bottom_pairs(term, c)) == 1,
    "no-top-bottom-u": lambda term, c: _tb("u")(term, c) == 0,
    "no-top-bottom-x": lambda term, c: _tb("x")(term, c) == 0,
}

_FILTER_HELP = {
    "twopi": "two-particle irreducible (no cut of one upper and one lower propagator line)",
    "twopr": "two-particle reducible",
    "primary": "no feature barrier (primary diagrams, P)",
    "resummation": "at least one feature barrier (resummation-factor diagrams)",
    "connected": "every part latent-connected (no train barrier anywhere)",
    "disconnected": "some part is a ladder (a train barrier)",
    "no-top-bottom": "no top-bottom contraction besides the xhat pair",
    "no-top-bottom-u": "no top-bottom u contraction",
    "no-top-bottom-x": "no top-bottom x contraction",
    "top-bottom-u=K": "exactly K top-bottom u contractions (also x, and pattern=WORD)",
}


def make_filter(spec: str) -> Callable:
    """A diagram filter, the predicate ``f(term, c)`` of a comma-separated spec whose items must all hold.

    Parameters
    ----------
    spec : str
        Comma-separated items: the names of :data:`FILTERS`, ``top-bottom-u=K``, ``top-bottom-x=K``
        and ``pattern=WORD`` (barrier word, e.g. ``pattern=ux``; ``pattern=`` for none); a leading
        ``!`` negates an item.

    Returns
    -------
    callable
        ``f(term, c) -> bool`` over planar loss diagrams.

    Raises
    ------
    ValueError
        If ``spec`` is not a string, has no item, has an unknown item, a pattern with letters other
        than ``u`` and ``x``, or a non-integer ``K``.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_diagrams
    >>> f = make_filter("top-bottom-u=2,!twopi")
    >>> sum(1 for t, c in loss_diagrams(2, mirror=True) if f(t, c))
    2
    >>> make_filter("onepi")
    Traceback (most recent call last):
    ...
    ValueError: filter: unknown item 'onepi'; known: connected, disconnected, no-top-bottom, no-top-bottom-u, no-top-bottom-x, pattern=WORD, primary, resummation, top-bottom-u=K, top-bottom-x=K, twopi, twopr
    """
    if not isinstance(spec, str):
        raise ValueError(f"filter: expected a string, got {type(spec).__name__}")
    preds = []
    known = sorted(list(FILTERS) + ["top-bottom-u=K", "top-bottom-x=K", "pattern=WORD"])
    for item in [s.strip() for s in spec.split(",") if s.strip()]:
        neg = item.startswith("!")
        name = item[1:].strip() if neg else item
        if name in FILTERS:
            p = FILTERS[name]
        elif name.startswith("pattern="):
            word = name.split("=", 1)[1]
            if set(word) - {"u", "x"}:
                raise ValueError(f"filter: a barrier pattern is a word in u and x, got {word!r}")
            p = (lambda wd: lambda term, c: barrier_pattern(term, c) == wd)(word)
        elif name.startswith(("top-bottom-u=", "top-bottom-x=")):
            key, val = name.split("=", 1)
            try:
                n = int(val)
            except ValueError:
                raise ValueError(f"filter: {key}= needs an integer, got {val!r}") from None
            p = (lambda m, n: lambda term, c: _tb(m)(term, c) == n)(key[-1], n)
        else:
            raise ValueError(f"filter: unknown item {name!r}; known: {', '.join(known)}")
        preds.append((lambda p: (lambda t, c: not p(t, c)))(p) if neg else p)
    if not preds:
        raise ValueError("filter: empty filter spec")
    return lambda term, c: all(p(term, c) for p in preds)


def filter_diagrams(diagrams: Iterable, spec: str | Callable):
    """The diagrams that pass a filter.

    Parameters
    ----------
    diagrams : iterable of tuple
        ``(term, contraction)`` pairs, e.g.
        :func:`~diagrams.models.random_features.expansion.loss_diagrams` with ``mirror=True``.
    spec : str or callable
        A spec string for :func:`make_filter`, or a predicate ``f(term, c) -> bool``.

    Yields
    ------
    tuple
        The ``(term, contraction)`` pairs that pass, in order.

    Raises
    ------
    ValueError
        If ``spec`` is a string that :func:`make_filter` rejects (raised when the generator starts).

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_diagrams
    >>> sum(1 for _ in filter_diagrams(loss_diagrams(2, mirror=True), "primary"))
    8
    >>> [barrier_pattern(t, c) for t, c in filter_diagrams(loss_diagrams(2, mirror=True), "pattern=ux")]
    ['ux']
    """
    pred = make_filter(spec) if isinstance(spec, str) else spec
    for term, c in diagrams:
        if pred(term, c):
            yield term, c
