r"""The random-feature test loss in ``1/gamma`` as words of the paper's two-line picture.

The words are **derived** from the declared observable (:mod:`~diagrams.models.random_features.model`;
:func:`diagrams.engine.expressions.quadratic_terms`): with ``A = x Q phi^T phihat - xhat`` and
``Q = sum_n (-1)^n gamma^(-1-n) (phi^T phi)^n`` (paper Eq. 18),

    <L> = C sigma_w^2/(2 M That) sum_{n, m} t_n t_m <tr(Top_n Bottom_m)>,

``Top_-1 = xhat^T``, ``Bottom_-1 = xhat`` (``t_-1 = -1``, order 0) and
``Top_n = phihat^T phi (phi^T phi)^n x^T``, ``Bottom_m = x (phi^T phi)^m phi^T phihat``
(``t_n = (-1)^n``, order ``n + 1``) -- the upper and lower lines of the paper's diagrams.  By
default the two mirror-image cross words ``tr(xhat^T Bottom_m)`` and ``tr(Top_m xhat)`` are merged
into one word with factor 2, as the paper lists them (Sec. III); ``mirror=True`` keeps both, which
the classification of diagrams into the two-line picture needs.

This module only labels the derived words (``Top_n Bottom_m``, the length of the upper line); the
generic expansion, counts and order sums of any model are in :mod:`diagrams.analysis.expansion`.

>>> [(t.coefficient, str(t.word)) for t in loss_terms(1)]
[(-2, 'xhat^T x x^T u^T u xhat')]
>>> len(loss_terms(3)), len(loss_terms(3, mirror=True))
(3, 4)
>>> [t.label for t in loss_terms(2, mirror=True)]
['Top_-1 Bottom_1', 'Top_0 Bottom_0', 'Top_1 Bottom_-1']
"""

from __future__ import annotations

from dataclasses import dataclass

from diagrams.engine.expressions import quadratic_terms
from diagrams.engine.numbers import check_order
from diagrams.engine.planar import planar_contractions
from diagrams.engine.wick import contractions, count_contractions
from diagrams.engine.words import Word
from diagrams.models.random_features.model import MODEL

__all__ = ["LossTerm", "loss_terms", "loss_diagrams", "TRACE_PREFACTOR", "MAX_ORDER", "MAX_ALL_GENUS_LISTING"]

#: The factor ``C sigma_w^2 / (2 M That)`` multiplying ``<tr(A^T A)>`` (paper Eq. 20), i.e. every word
#: of :func:`loss_terms`; not the prefactor ``C sigma_w^2/(2M)`` of the closed form Eq. (104)
#: (:data:`~diagrams.models.random_features.resum.CLOSED_FORM_PREFACTOR`).
TRACE_PREFACTOR = MODEL.observable[0].coefficient
_A = MODEL.observable[0].expr

#: Highest order of the words (the planar coefficient-only recursion reaches it in seconds).
MAX_ORDER = 60
#: Most contractions listed by the exhaustive all-genus enumeration.
MAX_ALL_GENUS_LISTING = 5_000_000


@dataclass(frozen=True)
class LossTerm:
    """One word of the loss expansion: ``coefficient * tr(word)`` at order ``gamma^-order``.

    ``top`` and ``bottom`` are the indices ``n, m`` of ``Top_n`` and ``Bottom_m``; ``top_length`` is
    the number of letters of the word on the upper line.

    Parameters
    ----------
    order : int
        The power of ``1/gamma``.
    coefficient : int
        The integer coefficient of ``tr(word)`` (``t_n t_m``, doubled for a merged cross word).
    word : Word
        The word ``Top_n Bottom_m`` under the trace.
    top : int
        ``n`` of ``Top_n`` (``-1`` for ``xhat^T``).
    bottom : int
        ``m`` of ``Bottom_m`` (``-1`` for ``xhat``).
    top_length : int
        The number of letters of the word on the upper line.

    Attributes
    ----------
    label : str
        ``"Top_n Bottom_m"``.

    Examples
    --------
    >>> t = loss_terms(1)[0]
    >>> t.coefficient, str(t.word), t.top, t.bottom, t.top_length
    (-2, 'xhat^T x x^T u^T u xhat', -1, 0, 1)
    >>> t.label
    'Top_-1 Bottom_0'
    """

    order: int
    coefficient: int
    word: Word
    top: int
    bottom: int
    top_length: int

    @property
    def label(self) -> str:
        return f"Top_{self.top} Bottom_{self.bottom}"


def loss_terms(order: int, mirror: bool = False) -> list[LossTerm]:
    """The words of the test loss at order ``gamma^-order``, with their integer coefficients.

    The words are derived from the declared observable (see the module docstring); by default the
    two mirror-image cross words are merged into one with factor 2, as the paper lists them (Sec. III).

    Parameters
    ----------
    order : int
        The power of ``1/gamma``, ``0 <= order <= MAX_ORDER`` (60).
    mirror : bool, optional
        Keep the two mirror-image cross words ``tr(xhat^T Bottom_m)`` and ``tr(Top_m xhat)``
        separate (needed to classify diagrams in the two-line picture).

    Returns
    -------
    list of LossTerm
        The words of that order; the trace prefactor :data:`TRACE_PREFACTOR` is not included.

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, 60]``.

    Examples
    --------
    >>> [(t.coefficient, str(t.word)) for t in loss_terms(1)]
    [(-2, 'xhat^T x x^T u^T u xhat')]
    >>> len(loss_terms(3)), len(loss_terms(3, mirror=True))
    (3, 4)
    >>> [t.label for t in loss_terms(2, mirror=True)]
    ['Top_-1 Bottom_1', 'Top_0 Bottom_0', 'Top_1 Bottom_-1']
    """
    order = check_order(order, "order", maximum=MAX_ORDER)
    out = []
    for t in quadratic_terms(_A, MODEL.gamma, order, merge=False if mirror else "cross"):
        kt, kb = t.orders
        out.append(LossTerm(order, int(t.coefficient), t.word, kt - 1, kb - 1, t.split))
    return out


def loss_diagrams(order: int, genus: str = "planar", mirror: bool = False):
    """Every Wick diagram of the test loss at order ``gamma^-order``, with its word.

    Planar diagrams come from the direct planar generator; all genera are enumerated exhaustively
    (at most :data:`MAX_ALL_GENUS_LISTING` contractions: order 5).

    Parameters
    ----------
    order : int
        The power of ``1/gamma``, ``0 <= order <= MAX_ORDER`` (60).
    genus : {"planar", "all"}, optional
        Planar diagrams only, or all genera.
    mirror : bool, optional
        Keep the mirror-image cross words separate, as in :func:`loss_terms`.

    Yields
    ------
    term : LossTerm
        The word the diagram belongs to.
    contraction : Contraction
        One Wick contraction of ``term.word``.

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, 60]``, ``genus`` is neither ``"planar"`` nor
        ``"all"``, or ``genus="all"`` would list more than :data:`MAX_ALL_GENUS_LISTING`
        contractions (order 6 and above).  Raised when the generator is first advanced.

    Examples
    --------
    >>> term, c = next(loss_diagrams(1))
    >>> term.label, c.pairs
    ('Top_-1 Bottom_0', ((0, 5), (1, 2), (3, 4)))
    >>> sum(1 for _ in loss_diagrams(2)), sum(1 for _ in loss_diagrams(2, genus="all"))
    (7, 18)
    >>> list(loss_diagrams(1, genus="torus"))
    Traceback (most recent call last):
    ...
    ValueError: genus: must be 'planar' or 'all', got 'torus'
    """
    order = check_order(order, "order", maximum=MAX_ORDER)
    if genus not in ("planar", "all"):
        raise ValueError(f"genus: must be 'planar' or 'all', got {genus!r}")
    tt = loss_terms(order, mirror=mirror)
    if genus == "all":
        n = sum(count_contractions(t.word) for t in tt)
        if n > MAX_ALL_GENUS_LISTING:
            raise ValueError(f"order: all-genus listing is limited to {MAX_ALL_GENUS_LISTING} contractions, "
                             f"order {order} has {n}; use genus='planar'")
    for term in tt:
        gen = planar_contractions(term.word) if genus == "planar" else contractions(term.word)
        for c in gen:
            yield term, c
