r"""The feature <-> sample duality on diagrams of every genus (the finite-size corrections).

The planar map of :mod:`diagrams.models.random_features.duality` -- swap the colours, then slide the
test leg into the corner that was the Top/Bottom junction -- is built on the loop tree of a planar
diagram.  Both steps can be said on the *word* alone, with the Wick pairing untouched, and then they
apply to a contraction of any genus:

1. **colour swap** of the letters, ``u <-> x^T`` (so ``u^T <-> x``, ``J = u^T u <-> K = x x^T``): the
   word ``xhat^T (JK)^a (KJ)^b xhat`` becomes ``xhat^T (KJ)^a (JK)^b xhat``, the pairs stay; the
   value is exactly the old one with ``N <-> T`` and ``Sigma <-> Lambda`` (a relabelling);
2. **move the test leaf**: the letters ``xhat xhat^T`` (adjacent around the trace, an untwisted pendant
   ribbon bounding the test loop) leave their corner and are put into the junction corner -- between
   the two ``J``'s that the swap made of the old ``x^T | x`` junction.  The result is the word
   ``xhat^T (JK)^b (KJ)^a xhat``, a word of the expansion.  When the junction touches the leaf
   (``a = 0`` or ``b = 0``) there is nothing to move.

Removing a pendant ribbon and putting it back in another corner removes and adds one edge and one face,
so ``chi`` is kept; the map is an involution and, on planar diagrams, is the paper's map
(:func:`~diagrams.models.random_features.duality.dual`).  **Value:** with ``Sigma = s 1`` and
``Lambdahat = Lambda`` the dual's value is the original's with ``N <-> T`` for every diagram of every
``chi`` (``tests/test_finite_size.py`` checks all of them to order 4; ``docs/finite_size.md`` gives the
reason: around every latent loop but the one at the junction and the one at the test leaf the ribbons
alternate between ``u`` and ``x``).

>>> from diagrams.models.random_features.expansion import loss_terms
>>> from diagrams.engine.wick import contractions
>>> term = loss_terms(2, mirror=True)[1]
>>> str(term.word)
'xhat^T u^T u x x^T x x^T u^T u xhat'
>>> c = next(c for c in contractions(term.word) if c.euler_characteristic == 1)
>>> d = dual_any_genus(c)
>>> str(d.word), d.euler_characteristic, dual_any_genus(d) == c
('xhat^T u^T u x x^T x x^T u^T u xhat', 1, True)
"""

from __future__ import annotations

from functools import lru_cache

from diagrams.engine.wick import Contraction
from diagrams.engine.words import Word
from diagrams.models.random_features.model import MATRICES

__all__ = ["dual_any_genus", "colour_swapped_letters", "junction"]

_SWAP = {"u": "x^T", "u^T": "x", "x": "u^T", "x^T": "u", "xhat": "xhat", "xhat^T": "xhat^T"}


@lru_cache(maxsize=4096)
def _word(letters: tuple) -> Word:
    return Word.parse(" ".join(letters), MATRICES)


def _letters(c: Contraction) -> tuple:
    letters = tuple(str(a) for a in c.word)
    if set(letters) - set(_SWAP) or letters[0] != "xhat^T" or letters[-1] != "xhat" \
            or letters.count("xhat") != 1 or letters.count("xhat^T") != 1:
        raise ValueError(f"diagram: {c.word} is not a word of the test-loss expansion (xhat^T ... xhat in u, x)")
    return letters


def junction(letters) -> int:
    """The slot of the Top/Bottom junction of a test-loss word.

    The junction is the one corner between two Lambda-type letters (``x^T | x``, ``xhat^T | x`` or
    ``x^T | xhat``).

    Parameters
    ----------
    letters : sequence of str
        The letters of the word, e.g. ``("xhat^T", "x", "x^T", "xhat")`` or ``str(word).split()``.

    Returns
    -------
    int
        The slot ``j`` (``1 <= j < len(letters)``): the junction is the corner between
        ``letters[j - 1]`` and ``letters[j]``.

    Raises
    ------
    ValueError
        If the letters do not have exactly one such corner (a test-loss word has one).

    Examples
    --------
    >>> junction("xhat^T x x^T u^T u xhat".split())
    1
    >>> junction("xhat^T u^T u x x^T xhat".split())
    5
    >>> junction("xhat^T u^T u xhat".split())
    Traceback (most recent call last):
    ...
    ValueError: diagram: xhat^T u^T u xhat has 0 junctions, a test-loss word has one
    """
    js = [j for j in range(1, len(letters)) if letters[j - 1] in ("xhat^T", "x^T") and letters[j] in ("x", "xhat")]
    if len(js) != 1:
        raise ValueError(f"diagram: {' '.join(letters)} has {len(js)} junctions, a test-loss word has one")
    return js[0]


def colour_swapped_letters(letters) -> tuple:
    """Step 1 of the duality on the letters, the colour swap ``u <-> x^T``.

    So also ``u^T <-> x``; the test letters ``xhat`` and ``xhat^T`` stay.

    Parameters
    ----------
    letters : sequence of str
        The letters of a test-loss word (``u``, ``u^T``, ``x``, ``x^T``, ``xhat``, ``xhat^T``).

    Returns
    -------
    tuple of str
        The swapped letters, in the same order.

    Raises
    ------
    KeyError
        If a letter is not one of the six above.

    Examples
    --------
    >>> colour_swapped_letters("xhat^T u^T u x x^T xhat".split())
    ('xhat^T', 'x', 'x^T', 'u^T', 'u', 'xhat')
    """
    return tuple(_SWAP[a] for a in letters)


def dual_any_genus(c: Contraction) -> Contraction:
    """The feature-sample dual of a test-loss diagram of any genus.

    Colour swap ``u <-> x^T``, then move the test leaf ``xhat xhat^T`` into the corner of the old
    Top/Bottom junction (see the module docstring); the Wick pairs are carried along.  The map is an
    involution and, on planar diagrams, the paper's map
    (:func:`~diagrams.models.random_features.duality.dual`).

    Parameters
    ----------
    c : Contraction
        A contraction of a word of ``loss_terms(k, mirror=True)``
        (:func:`~diagrams.models.random_features.expansion.loss_terms`), of any Euler characteristic.

    Returns
    -------
    Contraction
        A contraction of a word of the same list with the same Euler characteristic; with
        ``Sigma = s 1`` and ``Lambdahat = Lambda`` its value is ``c``'s with ``N <-> T``.

    Raises
    ------
    ValueError
        If ``c`` is not a :class:`~diagrams.engine.wick.Contraction`, if its word is not of the form
        ``xhat^T ... xhat`` in ``u``, ``u^T``, ``x``, ``x^T`` (one ``xhat^T`` first, one ``xhat`` last),
        or if the word does not have exactly one Top/Bottom junction (:func:`junction`).

    See Also
    --------
    diagrams.models.random_features.duality.dual : The same map on planar diagrams, via the loop tree.

    Examples
    --------
    >>> from diagrams.models.random_features.expansion import loss_terms
    >>> from diagrams.engine.wick import contractions
    >>> term = loss_terms(1, mirror=True)[0]
    >>> str(term.word)
    'xhat^T x x^T u^T u xhat'
    >>> c = next(iter(contractions(term.word)))
    >>> d = dual_any_genus(c)
    >>> str(d.word), d.pairs, d.euler_characteristic == c.euler_characteristic
    ('xhat^T u^T u x x^T xhat', ((0, 5), (1, 2), (3, 4)), True)
    >>> dual_any_genus(3)
    Traceback (most recent call last):
    ...
    ValueError: diagram: expected a Contraction, got int
    """
    if not isinstance(c, Contraction):
        raise ValueError(f"diagram: expected a Contraction, got {type(c).__name__}")
    letters = _letters(c)
    n = len(letters)
    j = junction(letters)
    swapped = colour_swapped_letters(letters)
    if j in (1, n - 1):
        return Contraction(_word(swapped), c.pairs, c.crossed)
    core = swapped[1:n - 1]
    m = len(core)
    new = ("xhat^T",) + core[j - 1:] + core[:j - 1] + ("xhat",)

    def moved(p: int) -> int:
        if p in (0, n - 1):
            return p
        q = p - 1
        return 1 + q - (j - 1) if q >= j - 1 else 1 + m - (j - 1) + q

    pairs = tuple(sorted(tuple(sorted((moved(a), moved(b)))) for a, b in c.pairs))
    return Contraction(_word(new), pairs)
