r"""Feature <-> sample duality on the planar diagrams of the test loss (paper Sec. V).

The paper's duality swaps solid (feature, N) and dashed (train, T) lines, keeps wavy (latent) and
dotted (test) lines, and identifies the result, "after a smooth deformation that keeps its value",
with a diagram of the same set.  This module makes that a concrete involution ``dual`` on each
order's planar diagrams and checks it (see ``docs/duality.md`` for pictures).

**Planar diagrams are trees of index loops.**  A planar contraction of one trace is a one-vertex
planar ribbon graph; its dual graph has one vertex per index loop (face), one edge per propagator
and a single face, so it is a *plane tree* (:class:`LoopTree`).  A ``u`` propagator joins a feature
loop to a latent loop, an ``x`` propagator a train loop to a latent loop, ``xhat`` the (single)
test loop to a latent loop.  Walking around the tree reads the word back, letter by letter (each
letter is one traversal of an edge, each slot one corner of the tree).  The value of a diagram is
``N^(feature loops) T^(train loops) That`` times, for every latent loop, the trace of the
covariances of its propagators in their cyclic order around it (``Sigma`` per ``u``, ``Lambda``
per ``x``, ``Lambdahat`` for ``xhat``).

**Which trees occur.**  Write every word as ``tr(xhat^T (JK)^a (KJ)^b xhat)`` with ``J = u^T u`` and
``K = x x^T`` (``Top_n Bottom_m`` of :mod:`~diagrams.models.random_features.expansion` with
``a = n+1``, ``b = m+1``; ``loss_terms(k, mirror=True)`` lists exactly the ``k+1`` words with
``a + b = k``, all with coefficient ``(-1)^k``).  Around every latent loop the propagators then
alternate between a ``u`` and a "Lambda-type" one (``x`` or ``xhat``), except at exactly one corner
of the whole tree where two Lambda-type propagators meet: the *defect*, which is the corner between
Top and Bottom (the ``x^T x`` junction, or ``xhat|x`` in the cross words).  Conversely every such
plane tree with ``k`` ``u``'s, ``k`` ``x``'s and the ``xhat`` leaf is exactly one planar diagram of
exactly one word of order ``k`` (the word is read off the tree from the test leaf).

**The map.**  ``dual(D)``: (1) swap the colours: feature loops <-> train loops, ``u`` <-> ``x``
(the wavy and dotted lines stay; this is the paper's solid <-> dashed swap, and with the Feynman
rules exchanged as well, ``Sigma <-> Lambda``, the value is literally ``value(D)`` with ``N <-> T``);
(2) the swapped tree is not a diagram of the set (its word is ``xhat^T (KJ)^a (JK)^b xhat``): its
test leg now sits between two ``x``'s and the old defect has become a ``u|u`` corner.  *Slide the
test leg* (the dotted loop with its ``xhat`` propagator) into that ``u|u`` corner; the corner it
leaves becomes the new defect.  If the defect touched the test leg (cross words and order 0) step
(2) is void.  The result is a planar diagram of the same order, the map is an involution, and the
path from the test leaf to the defect (the Top/Bottom "spine", see :func:`spine`) is reversed with
its colours swapped.

**What it preserves (exactly).**  With ``Sigma = s 1`` and ``Lambdahat = Lambda``:
``value(dual(D)) = value(D)`` with ``N <-> T`` (exact polynomial identity in ``N, T, s`` and the
traces ``tr Lambda^j``).  Step (1) alone is exact with general covariances once ``Sigma <-> Lambda``
is exchanged too (:func:`colour_swap_contraction`); step (2) moves one ``Sigma`` and the
``Lambdahat`` between two latent loops, which keeps the value only for ``Sigma`` proportional to
the identity and ``Lambdahat = Lambda`` -- the paper's "smooth deformation" and its "undoing the
exchange of Sigma and Lambda".  For general (even diagonal) ``Sigma`` or ``Lambdahat != Lambda``
individual values do not match and neither do the order sums (see :func:`raw_symmetry_defect`).

**Resummation classes.**  The *spine* of a diagram is the path from the test loop to the defect; its
feature (``N``) and train (``T``) loops are the top-bottom ``u`` and ``x`` contractions (two each).
The latent loops on the spine are the paper's building blocks: between two ``N``'s a *connected hop*
(``r_c``), between two ``T``'s the middle of a *2PI rung* (``v``), between ``N`` and ``T`` a rung
end (``r_d'``); the duality reverses the spine and swaps its colours, so ``r_c <-> v`` and ``r_d'``
is self-dual.  The sum of the diagrams with spine word ``s_1..s_r`` is exactly
(:func:`spine_class_series`)::

    E0(s_1) wt(s_1) prod_i lat(s_i, s_{i+1}) wt(s_{i+1}) Er(s_r)
    wt(N) = N<q>^2,  wt(T) = gamma^2 T <Q>^2,  lat(NN) = gamma^2 r_c,  lat(TT) = v,  lat(NT) = r_d'
    E0(N) = r_d',  E0(T) = v,  Er(N) = gamma^2 r_c / s,  Er(T) = l  (= r_d'/s)

and the sum with ``n`` feature and ``m`` train loops on the spine is
``l sum_g C(n,g) C(m,g) A^(n-g) B^(m-g) G^g`` with ``A = gamma^2 N <q>^2 r_c``,
``B = gamma^2 T <Q>^2 v``, ``G = gamma^2 xi^2 r_d'^2/(N T)`` (:func:`top_bottom_series`); the
binomials are the counting of Eq. (167), symmetric under ``A <-> B``, and summing gives ``l/D``.

>>> from diagrams.models.random_features.expansion import loss_diagrams
>>> ds = [c for _, c in loss_diagrams(2, "planar", mirror=True)]
>>> sum(dual(c) == c for c in ds), all(dual(dual(c)) == c for c in ds)
(2, True)
>>> r = duality_report(3)
>>> r["planar"], r["self_dual"], r["pairs"], r["unmatched"], r["sum_self_dual"]
(56, 0, 28, 0, True)
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import comb
from typing import Mapping, Sequence

import sympy

from diagrams.engine.numbers import check_order, read_fraction, read_integer
from diagrams.engine.series import Series, compose, fixed_point
from diagrams.engine.symbols import evaluate_traces, isotropic, trace_symbol
from diagrams.engine.wick import Contraction, sum_monomials
from diagrams.engine.words import Word
from diagrams.models.random_features.expansion import LossTerm, loss_diagrams, loss_terms
from diagrams.models.random_features.inputs import MAX_SIZE, SCALE_RANGE, fraction_in_range, list_in_range
from diagrams.models.random_features.model import MATRICES, SPACES, M, N, T, That, s

__all__ = [
    "LoopTree",
    "dual",
    "dual_diagram",
    "colour_swap_contraction",
    "loss_term_of",
    "spine",
    "spine_blocks",
    "dual_spine",
    "isotropic_key",
    "isotropic_key_value",
    "swap_key",
    "isotropic_value",
    "diagram_name",
    "building_block_series",
    "spine_class_series",
    "top_bottom_series",
    "counting_identity",
    "duality_report",
    "duality_reports",
    "raw_symmetry_defect",
    "MAX_REPORT_ORDER",
    "MAX_BLOCK_ORDER",
]

#: Highest order of :func:`duality_report` (the planar loss diagrams are listed one by one: 12376 at
#: order 6, about six times more per order).
MAX_REPORT_ORDER = 8
#: Highest order of :func:`building_block_series` (exact rationals; order 60 takes seconds).
MAX_BLOCK_ORDER = 100

_LAMBDA_TYPE = ("x", "xhat")
_COLOUR = {"feature": "N", "train": "T"}
_SWAP_SPACE = {"feature": "train", "train": "feature"}
_SWAP_EDGE = {"u": "x", "x": "u"}


# ---------------------------------------------------------------------------------------------
# the loop tree of a planar diagram
# ---------------------------------------------------------------------------------------------

@dataclass
class LoopTree:
    """The plane tree of index loops of a planar one-trace diagram (see module docstring).

    Vertices are the index loops (faces) of the contraction, edges its propagators (pairs); walking
    around the tree from the root corner reads the word back (:meth:`contour`).  Built with
    :meth:`from_contraction`, which raises ``ValueError`` if its argument is not a planar
    :class:`~diagrams.engine.wick.Contraction`.

    Parameters
    ----------
    vtype : list of str
        ``vtype[v]`` is the space name of loop ``v`` (a face of the contraction).
    etype : list of str
        ``etype[e]`` is the matrix name of propagator ``e`` (a pair).
    ends : list of tuple of int
        ``ends[e]`` are the two loops of propagator ``e``.
    succ : dict
        ``succ[(v, e)]`` is the edge that follows ``e`` counter-clockwise around ``v`` (the rotation
        system).
    root : int
        The loop of slot 0.
    root_edge : int
        The propagator of letter 0 (the contour starts there).
    slot_face : tuple of int, optional
        The loop of every slot (filled by :meth:`from_contraction`; empty after :meth:`copy`).

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_diagrams
    >>> (t, c), (t2, c2) = loss_diagrams(1, "planar", mirror=True)
    >>> t.label, str(c.word), str(c)
    ('Top_-1 Bottom_0', 'xhat^T x x^T u^T u xhat', '(0,5) (1,2) (3,4)')
    >>> tree = LoopTree.from_contraction(c)
    >>> tree.vtype, tree.etype
    (['latent', 'test', 'train', 'feature'], ['xhat', 'x', 'u'])
    >>> tree.defect_corners()
    [(0, 0, 1)]
    >>> tree.to_contraction() == c
    True
    >>> tree.colour_swap().to_contraction().word
    Word('xhat^T u^T u x x^T xhat')
    """

    vtype: list
    etype: list
    ends: list
    succ: dict
    root: int
    root_edge: int
    slot_face: tuple = ()

    @classmethod
    def from_contraction(cls, c: Contraction) -> "LoopTree":
        if not isinstance(c, Contraction):
            raise ValueError(f"diagram: expected a Contraction, got {type(c).__name__}")
        if not c.is_planar:
            raise ValueError(f"diagram: {c} of {c.word} is not planar; the duality acts on planar diagrams")
        w = c.word
        L = len(w)
        slot_face = [0] * L
        for i, f in enumerate(c.faces):
            for slot in f.slots:
                slot_face[slot] = i
        edge_of = [0] * L
        for e, (k, l) in enumerate(c.pairs):
            edge_of[k] = e
            edge_of[l] = e
        succ = {}
        for k in range(L):
            succ[(slot_face[(k + 1) % L], edge_of[k])] = edge_of[(k + 1) % L]
        ends = [(slot_face[k], slot_face[(k + 1) % L]) for k, _ in c.pairs]
        return cls([f.space.name for f in c.faces], [w[k].matrix.name for k, _ in c.pairs], ends, succ,
                   slot_face[0], edge_of[0], tuple(slot_face))

    def copy(self) -> "LoopTree":
        return LoopTree(list(self.vtype), list(self.etype), list(self.ends), dict(self.succ), self.root,
                        self.root_edge, ())

    def other_end(self, e: int, v: int) -> int:
        a, b = self.ends[e]
        return b if a == v else a

    def contour(self, matrices: Mapping = MATRICES) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
        """Letters (``"u"``, ``"u^T"``, ...) and pairs read around the tree from the root corner."""
        v, e = self.root, self.root_edge
        letters: list[str] = []
        pos: dict[int, list[int]] = {}
        for step in range(2 * len(self.etype)):
            name = self.etype[e]
            letters.append(name if self.vtype[v] == matrices[name].rows.name else name + "^T")
            pos.setdefault(e, []).append(step)
            v = self.other_end(e, v)
            e = self.succ[(v, e)]
        if (v, e) != (self.root, self.root_edge):  # pragma: no cover - a rotation system bug
            raise AssertionError("contour did not close")
        return tuple(letters), tuple(sorted(tuple(p) for p in pos.values()))

    def to_contraction(self, matrices: Mapping = MATRICES) -> Contraction:
        letters, pairs = self.contour(matrices)
        return Contraction(_word(letters, matrices), pairs)

    def corners(self, v: int) -> list[tuple[int, int]]:
        """The corners ``(e_in, e_out)`` around loop ``v``."""
        return [(e1, e2) for (w, e1), e2 in self.succ.items() if w == v]

    def defect_corners(self) -> list[tuple[int, int, int]]:
        """Corners ``(v, e_in, e_out)`` of latent loops between two Lambda-type propagators."""
        return [(v, e1, e2) for (v, e1), e2 in self.succ.items()
                if self.vtype[v] == "latent" and self.etype[e1] in _LAMBDA_TYPE and self.etype[e2] in _LAMBDA_TYPE]

    def sigma_corners(self) -> list[tuple[int, int, int]]:
        """Corners of latent loops between two ``u`` propagators."""
        return [(v, e1, e2) for (v, e1), e2 in self.succ.items()
                if self.vtype[v] == "latent" and self.etype[e1] == "u" and self.etype[e2] == "u"]

    def path(self, a: int, b: int) -> list[int]:
        """Loops on the tree path from ``a`` to ``b`` (both included)."""
        adj: dict[int, list[int]] = {}
        for x, y in self.ends:
            adj.setdefault(x, []).append(y)
            adj.setdefault(y, []).append(x)
        prev = {a: None}
        stack = [a]
        while stack:
            x = stack.pop()
            for y in adj.get(x, ()):
                if y not in prev:
                    prev[y] = x
                    stack.append(y)
        out, x = [], b
        while x is not None:
            out.append(x)
            x = prev[x]
        return out[::-1]

    def colour_swap(self) -> "LoopTree":
        """Feature loops <-> train loops and ``u`` <-> ``x`` (the tree and its embedding unchanged)."""
        t = self.copy()
        t.vtype = [_SWAP_SPACE.get(s, s) for s in t.vtype]
        t.etype = [_SWAP_EDGE.get(s, s) for s in t.etype]
        return t

    def slide_root_edge(self, v: int, e_in: int, e_out: int) -> "LoopTree":
        """Move the root leaf (the test loop and its ``xhat``) into corner ``(e_in, e_out)`` of ``v``."""
        t = self.copy()
        xh = t.root_edge
        w0 = t.other_end(xh, t.root)
        pred = next(e for (w, e), f in t.succ.items() if w == w0 and f == xh)
        nxt = t.succ.pop((w0, xh))
        t.succ[(w0, pred)] = nxt
        t.succ[(v, e_in)] = xh
        t.succ[(v, xh)] = e_out
        t.ends[xh] = (t.root, v)
        return t


@lru_cache(maxsize=4096)
def _model_word(letters: tuple) -> Word:
    return Word.parse(" ".join(letters), MATRICES)


def _word(letters: tuple, matrices: Mapping) -> Word:
    if matrices is MATRICES:
        return _model_word(letters)
    return Word.parse(" ".join(letters), matrices)


def _dual_tree(t: LoopTree) -> LoopTree:
    defects = t.defect_corners()
    if len(defects) != 1:
        raise ValueError(f"diagram: expected exactly one Lambda-Lambda corner (the Top/Bottom junction), "
                         f"found {len(defects)}; not a diagram of the test-loss expansion")
    v_star, e_in, e_out = defects[0]
    swapped = t.colour_swap()
    if t.root_edge in (e_in, e_out):
        return swapped
    return swapped.slide_root_edge(v_star, e_in, e_out)


def _check_loss_word(c: Contraction) -> None:
    if not isinstance(c, Contraction):
        raise ValueError(f"diagram: expected a Contraction, got {type(c).__name__}")
    letters = [str(a) for a in c.word]
    if set(a.matrix.name for a in c.word) - {"u", "x", "xhat"} or letters[0] != "xhat^T" \
            or letters[-1] != "xhat" or letters.count("xhat") != 1 or letters.count("xhat^T") != 1:
        raise ValueError(f"diagram: {c.word} is not a word of the test-loss expansion "
                         "(xhat^T ... xhat in u, x)")


def dual(c: Contraction) -> Contraction:
    """The feature-sample dual of a planar diagram of the test loss.

    The paper's duality (Sec. V), made concrete: swap the colours, then slide the test leg into the
    old Top/Bottom junction (see the module docstring for the construction and what it preserves).
    An involution on each order's diagrams.

    Parameters
    ----------
    c : Contraction
        A planar contraction of a word of ``loss_terms(k, mirror=True)``
        (:func:`~diagrams.models.random_features.expansion.loss_terms`).

    Returns
    -------
    Contraction
        A planar contraction of a word of the same list.  With ``Sigma = s 1`` and
        ``Lambdahat = Lambda`` its value is ``c``'s with ``N <-> T``.

    Raises
    ------
    ValueError
        If ``c`` is not a :class:`~diagrams.engine.wick.Contraction`, is not planar, or its word is
        not of the form ``xhat^T ... xhat`` in ``u`` and ``x`` (one ``xhat^T`` first, one ``xhat``
        last), or if the loop tree does not have exactly one Lambda-Lambda corner (the Top/Bottom
        junction).

    See Also
    --------
    diagrams.models.random_features.duality_genus.dual_any_genus : The same map at any genus.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_diagrams
    >>> (t, c), (t2, c2) = loss_diagrams(1, "planar", mirror=True)
    >>> t.label, str(c.word), str(c)
    ('Top_-1 Bottom_0', 'xhat^T x x^T u^T u xhat', '(0,5) (1,2) (3,4)')
    >>> d = dual(c)
    >>> str(d.word), str(d), d == c2, dual(d) == c
    ('xhat^T u^T u x x^T xhat', '(0,5) (1,2) (3,4)', True, True)
    >>> dual(3)
    Traceback (most recent call last):
    ...
    ValueError: diagram: expected a Contraction, got int
    """
    if not isinstance(c, Contraction):
        raise ValueError(f"diagram: expected a Contraction, got {type(c).__name__}")
    _check_loss_word(c)
    return _dual_tree(LoopTree.from_contraction(c)).to_contraction()


def _dual_key(c: Contraction) -> tuple:
    letters, pairs = _dual_tree(LoopTree.from_contraction(c)).contour()
    return letters, pairs


def _key(c: Contraction) -> tuple:
    return tuple(str(a) for a in c.word), c.pairs


def colour_swap_contraction(c: Contraction) -> Contraction:
    """Step (1) of the duality alone, the colour-swapped diagram.

    Parameters
    ----------
    c : Contraction
        A planar contraction of a word of ``loss_terms(k, mirror=True)``
        (:func:`~diagrams.models.random_features.expansion.loss_terms`).

    Returns
    -------
    Contraction
        A planar contraction of the word ``xhat^T (KJ)^a (JK)^b xhat`` (not a word of the
        expansion).  Its value is exactly ``value(c)`` with ``N <-> T`` and ``Sigma <-> Lambda``,
        for any covariances.

    Raises
    ------
    ValueError
        If the word of ``c`` is not of the form ``xhat^T ... xhat`` in ``u`` and ``x``, or ``c`` is not
        planar.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_diagrams
    >>> t, c = list(loss_diagrams(2, "planar", mirror=True))[1]
    >>> t.label, str(c.word)
    ('Top_-1 Bottom_1', 'xhat^T x x^T u^T u x x^T u^T u xhat')
    >>> str(colour_swap_contraction(c).word)
    'xhat^T u^T u x x^T u^T u x x^T xhat'
    """
    _check_loss_word(c)
    return LoopTree.from_contraction(c).colour_swap().to_contraction()


@lru_cache(maxsize=None)
def _term_index(order: int) -> dict:
    return {tuple(str(a) for a in t.word): t for t in loss_terms(order, mirror=True)}


def loss_term_of(c: Contraction) -> LossTerm:
    """The loss term (``mirror=True``) of a diagram.

    That is the :class:`~diagrams.models.random_features.expansion.LossTerm` of its word.

    Parameters
    ----------
    c : Contraction
        A contraction of a word of ``loss_terms(k, mirror=True)``; the order ``k`` is the number of
        ``u^T`` letters.

    Returns
    -------
    LossTerm
        The term whose word is ``c.word``.

    Raises
    ------
    ValueError
        If ``c.word`` is not a word of ``loss_terms(k, mirror=True)``.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_diagrams
    >>> (t, c), (t2, c2) = loss_diagrams(1, "planar", mirror=True)
    >>> t.label, str(c.word), str(c)
    ('Top_-1 Bottom_0', 'xhat^T x x^T u^T u xhat', '(0,5) (1,2) (3,4)')
    >>> loss_term_of(c2).label
    'Top_0 Bottom_-1'
    """
    _check_loss_word(c)
    letters = tuple(str(a) for a in c.word)
    order = sum(1 for a in letters if a == "u^T")
    t = _term_index(order).get(letters)
    if t is None:
        raise ValueError(f"diagram: {c.word} is not a word of loss_terms({order}, mirror=True)")
    return t


def dual_diagram(term: LossTerm, c: Contraction) -> tuple[LossTerm, Contraction]:
    """The dual of a ``(term, diagram)`` pair, ``(term, c) -> (term', dual(c))``.

    Parameters
    ----------
    term : LossTerm
        The term of ``c`` (not used: ``term'`` is found from the dual's word).
    c : Contraction
        A planar diagram, as in the pairs yielded by
        ``loss_diagrams(k, mirror=True)``: a contraction of a word of ``loss_terms(k, mirror=True)``
        (:func:`~diagrams.models.random_features.expansion.loss_terms`).

    Returns
    -------
    tuple
        ``(term', dual(c))``, ``term'`` the :func:`loss_term_of` the dual.

    Raises
    ------
    ValueError
        As :func:`dual`.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_diagrams
    >>> (t, c), (t2, c2) = loss_diagrams(1, "planar", mirror=True)
    >>> t.label, str(c.word), str(c)
    ('Top_-1 Bottom_0', 'xhat^T x x^T u^T u xhat', '(0,5) (1,2) (3,4)')
    >>> t_, d = dual_diagram(t, c)
    >>> t_.label, d == c2
    ('Top_0 Bottom_-1', True)
    """
    d = dual(c)
    return loss_term_of(d), d


def diagram_name(c: Contraction, term=None) -> str:
    """A readable name of a diagram, ``Top_n Bottom_m | pairs``.

    Parameters
    ----------
    c : Contraction
        The diagram.
    term : LossTerm, optional
        Its loss term; default :func:`loss_term_of` ``c``.  If that fails the word is used instead
        of the label.

    Returns
    -------
    str
        ``"<label> | <pairs>"`` or ``"<word> | <pairs>"``.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_diagrams
    >>> (t, c), (t2, c2) = loss_diagrams(1, "planar", mirror=True)
    >>> t.label, str(c.word), str(c)
    ('Top_-1 Bottom_0', 'xhat^T x x^T u^T u xhat', '(0,5) (1,2) (3,4)')
    >>> diagram_name(c)
    'Top_-1 Bottom_0 | (0,5) (1,2) (3,4)'
    >>> from diagrams.engine.wick import Contraction
    >>> from diagrams.engine.words import Word
    >>> from diagrams.models.random_features.model import MATRICES
    >>> diagram_name(Contraction(Word.parse("u^T u", MATRICES), ((0, 1),)))
    'u^T u | (0,1)'
    """
    if term is None:
        try:
            term = loss_term_of(c)
        except ValueError:
            return f"{c.word} | {c}"
    return f"{term.label} | {c}"


# ---------------------------------------------------------------------------------------------
# values with Sigma = s 1 and Lambdahat = Lambda
# ---------------------------------------------------------------------------------------------

def isotropic_key(c: Contraction) -> tuple:
    """A hashable value of a diagram once ``Sigma = s 1`` and ``Lambdahat = Lambda``.

    These are the identifications under which the duality preserves values.

    Parameters
    ----------
    c : Contraction
        The diagram (any contraction of the model's matrices).

    Returns
    -------
    tuple
        ``(sizes, power of s, sorted powers j of the traces tr(Lambda^j))`` where ``sizes`` is the
        sorted tuple of ``(space name, number of loops)`` for loops meeting no covariance (``j = 0``
        is ``M``).  Its value is :func:`isotropic_key_value`.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_diagrams
    >>> ds = list(loss_diagrams(2, "planar", mirror=True))
    >>> isotropic_key(ds[4][1])
    ((('feature', 2), ('test', 1), ('train', 1)), 2, (1, 2))
    >>> swap_key(isotropic_key(ds[4][1])) == isotropic_key(dual(ds[4][1]))
    True
    """
    sizes: Counter = Counter()
    ns = 0
    lam = []
    for f in c.faces:
        if not f.covariances:
            sizes[f.space.name] += 1
            continue
        nsig = sum(1 for x in f.covariances if x == "Sigma")
        ns += nsig
        lam.append(len(f.covariances) - nsig)
    return tuple(sorted(sizes.items())), ns, tuple(sorted(lam))


def swap_key(key: tuple) -> tuple:
    """The swap ``N <-> T`` on an :func:`isotropic_key`.

    Parameters
    ----------
    key : tuple
        An :func:`isotropic_key`: ``(sizes, power of s, lambda powers)``.

    Returns
    -------
    tuple
        The key with feature and train loop counts exchanged.

    Examples
    --------
    >>> swap_key(((("feature", 2), ("test", 1), ("train", 1)), 2, (1, 2)))
    ((('feature', 1), ('test', 1), ('train', 2)), 2, (1, 2))
    """
    sizes, ns, lam = key
    swapped = tuple(sorted((_SWAP_SPACE.get(n, n), k) for n, k in sizes))
    return swapped, ns, lam


def isotropic_key_value(key: tuple, sizes: Mapping | None = None, scale=s, lambda_power=None):
    """The value of an :func:`isotropic_key`.

    That is ``scale^(power of s)`` times the sizes of the bare loops times ``lambda_power(j)`` for
    every latent loop with ``j`` Lambdas.  By default symbolic: the model's size symbols, the symbol
    ``s`` and ``tr(Lambda^j)`` (``tr(Lambda^0) = M``); with numbers for ``sizes`` (by space name),
    ``scale`` and ``lambda_power`` (a function of ``j``) it is exact.

    Parameters
    ----------
    key : tuple
        An :func:`isotropic_key`: ``(sizes, power of s, lambda powers)``.
    sizes : mapping, optional
        Size by space name (``"feature"``, ``"train"``, ``"test"``, ``"latent"``), overriding the
        symbols ``N``, ``T``, ``That``, ``M``.
    scale : sympy.Expr or number, optional
        The value of ``s`` (default the symbol ``s``).
    lambda_power : callable, optional
        ``j -> tr(Lambda^j)`` (default the trace symbols, ``M`` for ``j = 0``).

    Returns
    -------
    sympy.Expr or number
        The product; a ``Fraction`` when all three are given as Fractions/ints.

    Raises
    ------
    KeyError
        If the key names a space missing from the size table.

    Examples
    --------
    >>> key = ((("feature", 1), ("test", 1)), 1, (0, 2))
    >>> isotropic_key_value(key)
    tr(Lambda^2)*M*N*That*s
    >>> from fractions import Fraction
    >>> isotropic_key_value(key, {"feature": 3, "test": 1}, Fraction(1, 2), lambda j: 2 ** j)
    Fraction(6, 1)
    """
    table = {"feature": N, "train": T, "test": That, "latent": M}
    table.update(sizes or {})
    if lambda_power is None:
        lambda_power = lambda j: M if j == 0 else trace_symbol(("Lambda",) * j)   # noqa: E731
    out = scale ** key[1]
    for name, k in key[0]:
        out *= table[name] ** k
    for j in key[2]:
        out *= lambda_power(j)
    return out


def isotropic_value(c: Contraction) -> sympy.Expr:
    """The value of a diagram with ``Sigma = s 1`` and ``Lambdahat = Lambda``, as a sympy expression.

    It is the engine's :func:`~diagrams.engine.symbols.isotropic` reduction of the diagram's value,
    which is also :func:`isotropic_key_value` of its :func:`isotropic_key`.

    Parameters
    ----------
    c : Contraction
        The diagram.

    Returns
    -------
    sympy.Expr
        ``value(c)`` in ``N``, ``T``, ``That``, ``M``, ``s`` and the traces ``tr(Lambda^j)``.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_diagrams
    >>> (t, c), (t2, c2) = loss_diagrams(1, "planar", mirror=True)
    >>> t.label, str(c.word), str(c)
    ('Top_-1 Bottom_0', 'xhat^T x x^T u^T u xhat', '(0,5) (1,2) (3,4)')
    >>> isotropic_value(c)
    tr(Lambda^2)*N*T*That*s
    >>> isotropic_value(c) == isotropic_key_value(isotropic_key(c))
    True
    """
    return isotropic(c.value, {"Sigma": s}, {"Lambdahat": "Lambda"}, size=M)


# ---------------------------------------------------------------------------------------------
# spine (top-bottom contractions) and resummation blocks
# ---------------------------------------------------------------------------------------------

def spine(c: Contraction, top_length: int | None = None) -> str:
    """The spine of a planar loss diagram, from the test loop to the Top/Bottom junction.

    The colours (``N``/``T``) are those of the feature and train loops on the tree path from the
    test loop to the loop holding the Top/Bottom junction (slot ``top_length``).  Its ``N``'s are
    the top-bottom ``u`` contractions (two each), its ``T``'s the top-bottom ``x`` ones.

    Parameters
    ----------
    c : Contraction
        A planar contraction of a word of ``loss_terms(k, mirror=True)``.
    top_length : int, optional
        The slot of the junction; defaults to the one of the diagram's loss term
        (:func:`loss_term_of`).

    Returns
    -------
    str
        A word in ``N`` and ``T``, left (test loop) to right (junction); ``""`` if no feature or
        train loop lies on the path.

    Raises
    ------
    ValueError
        If ``c`` is not a planar :class:`~diagrams.engine.wick.Contraction`, or (without
        ``top_length``) its word is not one of the loss terms.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_diagrams
    >>> ds = list(loss_diagrams(2, "planar", mirror=True))
    >>> [spine(c) for _, c in ds]
    ['', '', '', '', 'T', 'N', 'NT', '', '', '']
    """
    if top_length is None:
        top_length = loss_term_of(c).top_length
    return _tree_spine(LoopTree.from_contraction(c), top_length)


def _tree_spine(t: LoopTree, top_length: int) -> str:
    path = t.path(t.slot_face[0], t.slot_face[top_length % len(t.slot_face)])
    return "".join(_COLOUR[t.vtype[v]] for v in path if t.vtype[v] in _COLOUR)


def dual_spine(sp: str) -> str:
    """The spine of the dual, the spine reversed with its colours swapped.

    Parameters
    ----------
    sp : str
        A spine word in ``N`` and ``T`` (:func:`spine`).

    Returns
    -------
    str
        The reversed word with ``N <-> T``.

    Examples
    --------
    >>> dual_spine("NNT")
    'NTT'
    """
    return sp[::-1].translate(str.maketrans("NT", "TN"))


def spine_blocks(sp: str) -> dict:
    """The building blocks of the latent loops on a spine (main loss).

    Parameters
    ----------
    sp : str
        A spine word in ``N`` and ``T`` (:func:`spine`).

    Returns
    -------
    dict of str to int
        How many latent loops of each kind: ``r_c`` (connected hops, between two N's, and the
        junction loop after a final N), ``v`` (2PI-rung middles, between two T's, and the test
        loop's latent loop before a first T), ``r_dp`` (rung ends N-T, and the test loop's latent
        loop before a first N), ``l`` (the junction loop after a final T, or the only loop).

    Raises
    ------
    ValueError
        If ``sp`` is not a string of the letters ``N`` and ``T``.

    Examples
    --------
    >>> spine_blocks("NTT")
    {'r_c': 0, 'v': 1, 'r_dp': 2, 'l': 1}
    >>> spine_blocks("")
    {'r_c': 0, 'v': 0, 'r_dp': 0, 'l': 1}
    """
    if not isinstance(sp, str) or set(sp) - {"N", "T"}:
        raise ValueError(f"sp: a spine is a string of N and T, got {sp!r}")
    out = {"r_c": 0, "v": 0, "r_dp": 0, "l": 0}
    if not sp:
        out["l"] = 1
        return out
    out["r_dp" if sp[0] == "N" else "v"] += 1
    out["r_c" if sp[-1] == "N" else "l"] += 1
    for a, b in zip(sp, sp[1:]):
        out["r_c" if a + b == "NN" else "v" if a + b == "TT" else "r_dp"] += 1
    return out


# ---------------------------------------------------------------------------------------------
# exact series of the building blocks (Sigma = s 1, Lambdahat = Lambda), in eps = 1/gamma
# ---------------------------------------------------------------------------------------------

def building_block_series(order: int, N_, T_, spectrum: Sequence, sigma_u2_=1) -> dict:
    """Exact Taylor series (``eps = 1/gamma``, to ``O(eps^(order+1))``) of the resummation blocks.

    Solved from the consistency relation (Eq. 99) as a power series, independently of any
    diagram: ``a = gamma xi``, ``gq = gamma<q>``, ``gQ = gamma<Q>``, ``t2 = tr[(Lambda Sigma)^2
    (1 + a Lambda Sigma)^-2]``, ``r_dp``, ``l``, ``t = tr[Lambda Sigma (1 + a Lambda Sigma)^-1]`` and
    the spine weights ``wN = N<q>^2``, ``wT = gamma^2 T<Q>^2``, ``lat_NN = gamma^2 r_c``,
    ``lat_TT = v``, and ``A, B, G, D``, each a :class:`~diagrams.engine.series.Series`; also
    ``order``, ``s = sigma_u2/M`` and ``tau1 = tr(Lambda Sigma)`` (Fractions).

    Parameters
    ----------
    order : int
        ``0 <= order <= 100`` (:data:`MAX_BLOCK_ORDER`).
    N_, T_ : number
        In ``[1, 1e15]`` (ints, Fractions, strings like ``"1/3"``).
    spectrum : sequence of numbers
        Eigenvalues of ``Lambda``, each in ``[1e-100, 1e100]``, at most 1000.
    sigma_u2_ : number
        In ``[1e-100, 1e100]``.

    Returns
    -------
    dict
        Keys ``a``, ``gq``, ``gQ``, ``t``, ``t2``, ``r_dp``, ``l``, ``wN``, ``wT``, ``lat_NN``,
        ``v`` (also ``lat_TT``), ``A``, ``B``, ``G``, ``D`` (Series), ``order`` (int), ``s`` and
        ``tau1`` (Fractions).

    Raises
    ------
    ValueError
        Naming the parameter and its range, before any work.

    Examples
    --------
    >>> b = building_block_series(2, 2, 3, ["1"])
    >>> b["A"].coefficients(2), b["B"].coefficients(2)
    ([0, 0, Fraction(18, 1)], [0, 0, Fraction(12, 1)])
    """
    K = check_order(order, "order", maximum=MAX_BLOCK_ORDER)
    Nf = fraction_in_range(N_, "N", minimum=1, maximum=MAX_SIZE)
    Tf = fraction_in_range(T_, "T", minimum=1, maximum=MAX_SIZE)
    lam = list_in_range(spectrum, "spectrum", minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1], max_length=1000)
    s_ = fraction_in_range(sigma_u2_, "sigma_u2", minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1]) / len(lam)
    prec = K + 1
    # power sums: tau[n] = tr (Lambda Sigma)^n, tauh[n] = tr Lambdahat (Lambda Sigma)^n (Lambdahat = Lambda)
    tau = [sum(((x * s_) ** n for x in lam), Fraction(0)) for n in range(K + 3)]
    tauh = [sum((x * (x * s_) ** n for x in lam), Fraction(0)) for n in range(K + 1)]
    eps = Series.monomial(1, prec)

    def t_at(alpha: Series) -> Series:
        """``t(a) = sum_n tr_{n+1} (-a)^n`` at ``a = N T alpha``."""
        return compose(lambda n: tau[n + 1], -(alpha * (Nf * Tf)))

    def step(alpha: Series) -> Series:
        # alpha = a/(N T) = eps (1 - T eta)(1 - N eta), eta = alpha t(a): one more order per step
        eta = alpha * t_at(alpha)
        return eps * (1 - eta * Tf) * (1 - eta * Nf)

    alpha = fixed_point(step, Series([0, 1], 0, 2), prec)
    a = alpha * (Nf * Tf)
    tfun = t_at(alpha)
    eta = alpha * tfun
    gq = 1 - eta * Nf
    gQ = 1 - eta * Tf
    t2 = compose(lambda n: (n + 1) * tau[n + 2], -a)
    rdp = compose(lambda n: (n + 1) * tau[n + 1], -a)
    l = compose(lambda n: (n + 1) * tauh[n], -a)
    e2 = eps * eps
    wN = e2 * gq * gq * Nf
    wT = gQ * gQ * Tf
    latNN = gQ * gQ * t2 * (Tf * Tf)
    v = e2 * gq * gq * t2 * (Nf * Nf)
    A, B = wN * latNN, wT * v
    G = wN * wT * rdp * rdp
    D = (1 - A) * (1 - B) - G
    return {"order": K, "s": s_, "a": a, "gq": gq, "gQ": gQ, "t": tfun, "t2": t2, "r_dp": rdp, "l": l,
            "wN": wN, "wT": wT, "lat_NN": latNN, "v": v, "A": A, "B": B, "G": G, "D": D, "tau1": tau[1]}


def spine_class_series(sp: str, blocks: dict) -> Series:
    """The series of the sum of the diagrams whose spine word is ``sp``.

    It is the product formula of the module docstring.  Coefficients of the loss terms are
    included, the prefactor ``C sigma_w^2/(2M)`` is not.

    Parameters
    ----------
    sp : str
        A spine word in ``N`` and ``T`` (:func:`spine`); ``""`` gives ``blocks["l"]``.
    blocks : dict
        The building blocks from :func:`building_block_series` (uses ``"l"``, ``"r_dp"``, ``"v"``,
        ``"wN"``, ``"wT"``, ``"lat_NN"``, ``"s"``, ``"A"``, ``"B"``, ``"G"`` as needed).

    Returns
    -------
    Series
        ``E0(s_1) wt(s_1) prod_i lat(s_i, s_{i+1}) wt(s_{i+1}) Er(s_r)`` in ``eps = 1/gamma``.

    Raises
    ------
    KeyError
        If ``sp`` has a letter other than ``N`` and ``T``.

    Examples
    --------
    >>> b = building_block_series(2, 2, 3, ["1"])
    >>> spine_class_series("", b).coefficients(2)
    [Fraction(1, 1), Fraction(-12, 1), Fraction(168, 1)]
    >>> spine_class_series("T", b).coefficients(2)
    [0, 0, Fraction(12, 1)]
    """
    if not sp:
        return blocks["l"]
    E0 = {"N": blocks["r_dp"], "T": blocks["v"]}
    wt = {"N": blocks["wN"], "T": blocks["wT"]}
    Er = {"N": blocks["lat_NN"] / blocks["s"], "T": blocks["l"]}
    lat = {"NN": blocks["lat_NN"], "TT": blocks["v"], "NT": blocks["r_dp"], "TN": blocks["r_dp"]}
    out = E0[sp[0]] * wt[sp[0]]
    for x, y in zip(sp, sp[1:]):
        out = out * lat[x + y] * wt[y]
    return out * Er[sp[-1]]


def top_bottom_series(n: int, m: int, blocks: dict) -> Series:
    """The series of the diagrams with ``2n`` top-bottom ``u`` and ``2m`` top-bottom ``x`` contractions.

    It is ``l sum_g C(n,g) C(m,g) A^(n-g) B^(m-g) G^g``; the binomials are the counting of
    Eq. (167) (:func:`counting_identity`).

    Parameters
    ----------
    n : int
        Number of feature loops on the spine (``2n`` top-bottom ``u`` contractions), ``n >= 0``.
    m : int
        Number of train loops on the spine (``2m`` top-bottom ``x`` contractions), ``m >= 0``.
    blocks : dict
        The building blocks from :func:`building_block_series` (uses ``"l"``, ``"r_dp"``, ``"v"``,
        ``"wN"``, ``"wT"``, ``"lat_NN"``, ``"s"``, ``"A"``, ``"B"``, ``"G"`` as needed).

    Returns
    -------
    Series
        A :class:`~diagrams.engine.series.Series` in ``eps = 1/gamma``.

    Examples
    --------
    >>> b = building_block_series(2, 2, 3, ["1"])
    >>> top_bottom_series(0, 0, b).coefficients(2) == b["l"].coefficients(2)
    True
    >>> top_bottom_series(1, 0, b).coefficients(2)
    [Fraction(0, 1), Fraction(0, 1), Fraction(18, 1)]
    """
    out = blocks["l"] * 0
    for g in range(min(n, m) + 1):
        term = blocks["l"] * (comb(n, g) * comb(m, g))
        for block, power in ((blocks["A"], n - g), (blocks["B"], m - g), (blocks["G"], g)):
            if power:
                term = term * block ** power
        out = out + term
    return out


def counting_identity(max_blocks: int) -> list[dict]:
    """The counting identity of the resummation, checked by listing the words of both series.

    This is Eq. (167).  Count the terms ``A^a B^b G^g`` of the series ``sum_n X^n / (1 - B)`` with
    ``X = A + G/(1 - B)`` (the paper's first series, by listing its words) and of the dual series
    (``A <-> B``), and compare both with ``C(a+g, g) C(b+g, g)``, for ``a + b + g <= max_blocks``.

    Parameters
    ----------
    max_blocks : int
        The largest total power ``a + b + g``, ``>= 0`` (the number of words grows fast: keep it
        small).

    Returns
    -------
    list of dict
        One row per ``(a, b, g)``, sorted: keys ``a``, ``b``, ``g``, ``count`` (first series),
        ``dual_count`` (dual series, at ``(b, a, g)``) and ``binomial``.

    Examples
    --------
    >>> rows = counting_identity(3)
    >>> all(r["count"] == r["dual_count"] == r["binomial"] for r in rows)
    True
    >>> next(r for r in rows if (r["a"], r["b"], r["g"]) == (1, 1, 1))
    {'a': 1, 'b': 1, 'g': 1, 'count': 4, 'dual_count': 4, 'binomial': 4}
    """
    def words(first: str, second: str, total: int) -> Counter:
        # X_1 ... X_n P, X = first | G second^j, P = second^i; count by (#first, #second, #G)
        cnt: Counter = Counter()

        def rec(nf, ns, ng, budget):
            # close with P = second^i
            for i in range(budget + 1):
                cnt[(nf, ns + i, ng)] += 1
            if budget >= 1:
                rec(nf + 1, ns, ng, budget - 1)                   # X = first
                for j in range(budget):                           # X = G second^j
                    rec(nf, ns + j, ng + 1, budget - 1 - j)
        rec(0, 0, 0, total)
        return cnt

    first = words("A", "B", max_blocks)
    second = words("B", "A", max_blocks)
    out = []
    for a, b, g in sorted(first):
        out.append({"a": a, "b": b, "g": g, "count": first[(a, b, g)], "dual_count": second[(b, a, g)],
                    "binomial": comb(a + g, g) * comb(b + g, g)})
    return out


# ---------------------------------------------------------------------------------------------
# the per-order report
# ---------------------------------------------------------------------------------------------

#: Exact numbers used for the class-sum checks against the block series (any generic values do).
CHECK_POINT = {"N": 2, "T": 5, "spectrum": ("1", "1/2", "1/3"), "sigma_u2": "3/2"}


def _numbers(N_, T_, spectrum, sigma_u2_) -> dict:
    """Exact values for :func:`isotropic_key_value`: sizes by space name, ``s`` and ``tr(Lambda^j)``."""
    lam = list_in_range(spectrum, "spectrum", minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1], max_length=1000)
    pw = lru_cache(maxsize=None)(lambda j: sum((x ** j for x in lam), Fraction(0)))
    sizes = {"feature": fraction_in_range(N_, "N", minimum=1, maximum=MAX_SIZE),
             "train": fraction_in_range(T_, "T", minimum=1, maximum=MAX_SIZE), "test": Fraction(1),
             "latent": Fraction(len(lam))}
    return {"sizes": sizes, "scale": fraction_in_range(sigma_u2_, "sigma_u2", minimum=SCALE_RANGE[0],
                                                       maximum=SCALE_RANGE[1]) / len(lam),
            "lambda_power": pw}


@dataclass
class _Record:
    term: LossTerm
    c: Contraction
    key: tuple
    ikey: tuple
    dkey: tuple | None
    spine: str


def _records(diags) -> list:
    out = []
    for t, c in diags:
        tree = LoopTree.from_contraction(c)
        try:
            dk = _dual_tree(tree).contour()
        except ValueError:
            dk = None
        out.append(_Record(t, c, _key(c), isotropic_key(c), dk, _tree_spine(tree, t.top_length)))
    return out


def duality_report(order: int, classes: bool = True, max_names: int = 20, check_point: Mapping | None = None) -> dict:
    """The self-consistency check of the duality at one order (see ``docs/duality.md``).

    Parameters
    ----------
    order : int
        ``0 <= order <= 8`` (:data:`MAX_REPORT_ORDER`); the planar diagrams are listed one by one.
    classes : bool, optional
        Also check the spine classes, blocks and top-bottom sums against the resummation (default
        True).
    max_names : int, optional
        At most this many diagram names in the lists of names (default 20).
    check_point : mapping, optional
        Exact ``N``, ``T``, ``spectrum`` and ``sigma_u2`` for the class sums (default
        :data:`CHECK_POINT`).

    Returns
    -------
    dict
        Keys: ``order``, ``planar`` (number of planar diagrams, both mirror sets), ``self_dual``,
        ``pairs``, ``unmatched`` (diagrams whose dual is not among the enumerated planar diagrams
        of the order), ``not_involutive``, ``value_mismatch`` (``value(dual D) != value(D)|N<->T``
        with ``Sigma = s 1``, ``Lambdahat = Lambda``), ``sum_self_dual`` (the order's sum is
        ``N <-> T`` symmetric, computed from the values alone), ``words``, ``self_dual_diagrams``,
        ``failed_diagrams``, ``ok``; with ``classes`` also ``classes`` (spine classes, blocks,
        top-bottom sums against the resummation, Eq. 167).

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, 8]``, or (with ``classes``) a value of
        ``check_point`` is out of range.

    Examples
    --------
    >>> r = duality_report(2)
    >>> r["planar"], r["self_dual"], r["pairs"], r["ok"], r["classes"]["order_sum_matches_l_over_D"]
    (10, 2, 4, True, True)
    >>> r["self_dual_diagrams"]
    ['Top_0 Bottom_0 | (0,9) (1,2) (3,4) (5,6) (7,8)', 'Top_0 Bottom_0 | (0,9) (1,8) (2,7) (3,6) (4,5)']
    >>> duality_report(9)
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [0, 8], got 9
    """
    order = check_order(order, "order", maximum=MAX_REPORT_ORDER)
    recs = _records(loss_diagrams(order, "planar", mirror=True))
    index = {r.key: r for r in recs}
    unmatched, not_inv, mismatch, self_dual = [], [], [], []
    pairs_seen = set()
    order_sum: Counter = Counter()
    for r in recs:
        order_sum[r.ikey] += r.term.coefficient
    for r in recs:
        d = index.get(r.dkey)
        if d is None:
            unmatched.append(diagram_name(r.c, r.term))
            continue
        if d.dkey != r.key:
            not_inv.append(diagram_name(r.c, r.term))
        if d.ikey != swap_key(r.ikey) or d.term.coefficient != r.term.coefficient:
            mismatch.append(diagram_name(r.c, r.term))
        if d.key == r.key:
            self_dual.append(diagram_name(r.c, r.term))
        else:
            pairs_seen.add(frozenset((d.key, r.key)))
    swapped_sum = Counter()
    for k, w in order_sum.items():
        swapped_sum[swap_key(k)] += w
    sum_sd = {k: w for k, w in order_sum.items() if w} == {k: w for k, w in swapped_sum.items() if w}
    rep = {
        "order": order,
        "planar": len(recs),
        "self_dual": len(self_dual),
        "pairs": len(pairs_seen),
        "unmatched": len(unmatched),
        "sum_self_dual": bool(sum_sd),
        "not_involutive": len(not_inv),
        "value_mismatch": len(mismatch),
        "words": len(loss_terms(order, mirror=True)),
        "self_dual_diagrams": self_dual[:max_names],
        "failed_diagrams": (unmatched + not_inv + mismatch)[:max_names],
    }
    ok = (not unmatched and not not_inv and not mismatch and sum_sd
          and 2 * len(pairs_seen) + len(self_dual) == len(recs))
    if classes:
        rep["classes"] = _class_report(order, recs, index, check_point or CHECK_POINT)
        ok = ok and rep["classes"]["ok"]
    rep["ok"] = bool(ok)
    return rep


def _class_report(order, recs, index, cp) -> dict:
    num = _numbers(cp["N"], cp["T"], cp["spectrum"], cp["sigma_u2"])
    blocks = building_block_series(order, cp["N"], cp["T"], cp["spectrum"], cp["sigma_u2"])
    spines: Counter = Counter()
    spine_keys: dict = {}
    block_counts: Counter = Counter()
    tb_keys: dict = {}
    spine_errors = []
    for r in recs:
        t, c, sp = r.term, r.c, r.spine
        # top-bottom contractions counted from the pairs, independently of the tree
        tb = Counter(t.word[k].matrix.name for k, l in c.pairs if k < t.top_length <= l)
        if tb.get("u", 0) != 2 * sp.count("N") or tb.get("x", 0) != 2 * sp.count("T"):
            spine_errors.append(diagram_name(c, t))
        d = index.get(r.dkey)
        if d is not None and d.spine != dual_spine(sp):
            spine_errors.append(diagram_name(c, t))
        spines[sp] += 1
        spine_keys.setdefault(sp, Counter())[r.ikey] += t.coefficient
        bl = spine_blocks(sp)
        block_counts[(bl["r_c"], bl["v"], bl["r_dp"] + bl["l"])] += 1
        tb_keys.setdefault((sp.count("N"), sp.count("T")), Counter())[r.ikey] += t.coefficient
    values = {}

    def total_of(keys: Counter) -> Fraction:
        out = Fraction(0)
        for k, w in keys.items():
            if w:
                if k not in values:
                    values[k] = isotropic_key_value(k, **num)
                out += w * values[k]
        return out

    spine_sums = {sp: total_of(keys) for sp, keys in spine_keys.items()}
    tb_sums = {nm: total_of(keys) for nm, keys in tb_keys.items()}
    spine_rows = []
    spine_ok = not spine_errors
    # every spine letter costs at least one power of eps: spines up to length `order`
    all_words = [""] + ["".join(w) for n in range(1, order + 1) for w in itertools.product("NT", repeat=n)]
    for sp in all_words:
        got = spine_sums.get(sp, Fraction(0))
        cnt = spines.get(sp, 0)
        pred = spine_class_series(sp, blocks).coefficient(order)
        if cnt == 0 and pred == 0:
            continue
        row = {"spine": sp or "-", "dual": dual_spine(sp) or "-", "count": cnt,
               "dual_count": spines.get(dual_spine(sp), 0), "blocks": spine_blocks(sp),
               "sum_matches_resummation": got == pred}
        row["ok"] = row["count"] == row["dual_count"] and row["sum_matches_resummation"]
        spine_ok = spine_ok and row["ok"]
        spine_rows.append(row)
    spine_ok = spine_ok and set(spines) <= set(all_words)
    block_rows = []
    for (rc, v, rd), cnt in sorted(block_counts.items()):
        dc = block_counts.get((v, rc, rd), 0)
        block_rows.append({"r_c": rc, "v": v, "r_dp_or_l": rd, "count": cnt, "dual_count": dc, "ok": cnt == dc})
    tb_rows = []
    tb_ok = True
    half = order // 2
    for (n, m) in sorted(set(tb_sums) | {(n, m) for n in range(half + 1) for m in range(half + 1)}):
        pred = top_bottom_series(n, m, blocks).coefficient(order)
        got = tb_sums.get((n, m), Fraction(0))
        if got == 0 and pred == 0 and (n, m) not in tb_sums:
            continue
        mine = Counter({k: w for k, w in tb_keys.get((n, m), Counter()).items() if w})
        other = Counter()
        for k, w in tb_keys.get((m, n), Counter()).items():
            if w:
                other[swap_key(k)] += w
        row = {"n": n, "m": m, "count": sum(c for sp, c in spines.items() if (sp.count("N"), sp.count("T")) == (n, m)),
               "sum_matches_resummation": got == pred, "dual_symmetric": mine == other}
        row["ok"] = row["sum_matches_resummation"] and row["dual_symmetric"]
        tb_ok = tb_ok and row["ok"]
        tb_rows.append(row)
    count_rows = counting_identity(half)
    count_ok = all(r["count"] == r["dual_count"] == r["binomial"] for r in count_rows)
    total = sum(spine_sums.values(), Fraction(0))
    # l/D from the blocks (independent of the diagrams)
    l_over_D = (blocks["l"] / blocks["D"]).coefficient(order)
    return {
        "spines": spine_rows,
        "blocks": block_rows,
        "top_bottom": tb_rows,
        "counting_identity": count_rows,
        "spine_errors": spine_errors[:20],
        "order_sum_matches_l_over_D": total == l_over_D,
        "check_point": {k: (list(v) if isinstance(v, tuple) else v) for k, v in cp.items()},
        "ok": bool(spine_ok and all(r["ok"] for r in block_rows) and tb_ok and count_ok and total == l_over_D),
    }


def duality_reports(max_order: int, **kw) -> list[dict]:
    """The duality reports (:func:`duality_report`) for orders ``0..max_order``.

    Parameters
    ----------
    max_order : int
        ``0 <= max_order <= 8`` (:data:`MAX_REPORT_ORDER`).
    **kw
        Passed to :func:`duality_report` (``classes``, ``max_names``, ``check_point``).

    Returns
    -------
    list of dict
        One report per order.

    Raises
    ------
    ValueError
        If ``max_order`` is not an integer in ``[0, 8]``, or as :func:`duality_report`.

    Examples
    --------
    >>> [(r["order"], r["planar"], r["ok"]) for r in duality_reports(2, classes=False)]
    [(0, 1, True), (1, 2, True), (2, 10, True)]
    """
    max_order = check_order(max_order, "max_order", maximum=MAX_REPORT_ORDER)
    return [duality_report(k, **kw) for k in range(max_order + 1)]


def raw_symmetry_defect(order: int, sigma: Sequence, lam: Sequence, lamhat: Sequence | None = None,
                        N_=2, T_=5) -> Fraction:
    """The ``N <-> T`` asymmetry of an order's planar loss sum for diagonal covariances (exact).

    That is ``sum(D) at (N, T) - sum(D) at (T, N)`` for diagonal ``Sigma``, ``Lambda``,
    ``Lambdahat``.  Zero for ``Sigma = s 1`` and ``Lambdahat = Lambda``; generally not zero
    otherwise, which is why the duality of individual diagrams, and of the order sums, needs those
    two identifications.  The order sum is valued by the engine
    (:func:`~diagrams.engine.wick.sum_monomials`, :func:`~diagrams.engine.symbols.evaluate_traces`).

    Parameters
    ----------
    order : int
        ``0 <= order <= 8`` (:data:`MAX_REPORT_ORDER`).
    sigma : sequence of numbers
        The diagonal of ``Sigma`` (ints, Fractions or strings like ``"1/2"``).
    lam : sequence of numbers
        The diagonal of ``Lambda``, of the same length.
    lamhat : sequence of numbers, optional
        The diagonal of ``Lambdahat`` (default ``lam``).
    N_, T_ : number, optional
        The two sizes exchanged (default 2 and 5), integers in ``[1, 10^6]``.

    Returns
    -------
    Fraction
        The difference of the planar order sums (with their coefficients, ``That = 1``).

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, 8]``, ``N_`` or ``T_`` not an integer in ``[1, 10^6]``, or
        if the engine rejects the covariances (e.g. diagonals of different lengths).

    Examples
    --------
    >>> raw_symmetry_defect(2, ["1/2", "1/2"], ["1", "2"])
    Fraction(0, 1)
    >>> raw_symmetry_defect(2, ["1/2", "1/3"], ["1", "2"]) != 0
    True
    """
    order = check_order(order, "order", maximum=MAX_REPORT_ORDER)
    N_ = read_integer(N_, "N_", minimum=1, maximum=10 ** 6)
    T_ = read_integer(T_, "T_", minimum=1, maximum=10 ** 6)
    lamhat = lam if lamhat is None else lamhat
    tot = Counter()
    for t, c in loss_diagrams(order, "planar", mirror=True):
        tot[c.monomial] += t.coefficient
    total = sum_monomials(tot, {sp.name: sp for sp in SPACES})
    diag = {"Lambda": list(lam), "Lambdahat": list(lamhat), "Sigma": list(sigma)}

    def value(n, tt):
        return read_fraction(evaluate_traces(total, diag, {"N": n, "T": tt, "That": 1}), "sum")

    return value(N_, T_) - value(T_, N_)
