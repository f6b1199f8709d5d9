"""Words: one trace of a product of Gaussian matrices and their transposes.

A word ``tr(W_0 W_1 ... W_{L-1})`` is valid when the right index space of each letter equals the
left index space of the next one, cyclically.  Slot ``k`` is the index between letter ``k-1`` and
letter ``k`` (so slot 0 closes the trace); letter ``k`` runs from slot ``k`` to slot ``k+1``.

A slot may carry deterministic diagonal matrices (:class:`~diagrams.engine.matrices.Diagonal`),
its *decorations*: ``tr(x^T D x)`` has ``D`` at slot 1.  Every face through the slot meets them.

>>> from diagrams.engine.spaces import Space
>>> from diagrams.engine.matrices import GaussianMatrix
>>> M_, T_ = Space("latent", "M", "wavy"), Space("train", "T", "dashed")
>>> x = GaussianMatrix("x", M_, T_, row_cov="Lambda")
>>> w = Word.parse("x^T x", {"x": x})
>>> w
Word('x^T x')
>>> len(w), w.counts()
(2, {'x': 2})
>>> Word.parse("x x", {"x": x})
Traceback (most recent call last):
...
ValueError: word: letter 0 (x) ends in train but letter 1 (x) starts in latent
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Mapping

from diagrams.engine.matrices import Diagonal, GaussianMatrix, Letter
from diagrams.engine.spaces import Space

__all__ = ["Word"]

_TOKEN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\^T|'|\^t)?$")


@dataclass(frozen=True)
class Word:
    """A single trace of a product of Gaussian matrices and their transposes, validated on construction.

    The word ``tr(W_0 W_1 ... W_{L-1})`` is valid when the right index space of each letter equals
    the left index space of the next one, cyclically.  Slot ``k`` is the index between letter ``k-1``
    and letter ``k`` (slot 0 closes the trace).  A slot may carry deterministic diagonal matrices,
    its *decorations*: ``tr(x^T D x)`` has ``D`` at slot 1, and every face through the slot meets
    them.  Usually built with :meth:`parse`.

    Parameters
    ----------
    letters : tuple of Letter
        The letters, at least one.
    decorations : tuple, optional
        ``()`` (none) or one tuple of :class:`~diagrams.engine.matrices.Diagonal` per slot (slot ``k``
        sits on the left of letter ``k``); stored as ``()`` when every slot is bare, so a word without
        decorations compares equal whichever way it was built.

    Raises
    ------
    ValueError
        If there is no letter, an entry is not a :class:`~diagrams.engine.matrices.Letter`, two
        consecutive letters (cyclically) do not share an index space, or the decorations do not give
        one tuple per slot of diagonals living on that slot's space.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix, Diagonal
    >>> M_, T_ = Space("latent", "M", "wavy"), Space("train", "T", "dashed")
    >>> x = GaussianMatrix("x", M_, T_, row_cov="Lambda")
    >>> w = Word.parse("x^T x", {"x": x})
    >>> w
    Word('x^T x')
    >>> len(w), w.counts()
    (2, {'x': 2})
    >>> Word((x.T, x.letter)) == w
    True
    >>> Word.parse("x^T D x", [x, Diagonal("D", M_)]).decoration(1)
    (Diagonal('D', latent),)
    >>> Word.parse("x x", {"x": x})
    Traceback (most recent call last):
    ...
    ValueError: word: letter 0 (x) ends in train but letter 1 (x) starts in latent
    """

    letters: tuple[Letter, ...]
    decorations: tuple = ()

    def __post_init__(self):
        letters = tuple(self.letters)
        object.__setattr__(self, "letters", letters)
        if not letters:
            raise ValueError("word: a word needs at least one letter")
        for k, a in enumerate(letters):
            if not isinstance(a, Letter):
                raise ValueError(f"word: letter {k} is {a!r}, not a Letter")
        n = len(letters)
        for k in range(n):
            a, b = letters[k], letters[(k + 1) % n]
            if a.right != b.left:
                raise ValueError(
                    f"word: letter {k} ({a}) ends in {a.right.name} but letter {(k + 1) % n} ({b}) "
                    f"starts in {b.left.name}")
        decs = tuple(self.decorations or ())
        if decs:
            if len(decs) != n:
                raise ValueError(f"decorations: give one tuple per slot ({n}), got {len(decs)}")
            decs = tuple(tuple(d) if d else () for d in decs)
            for k, ds in enumerate(decs):
                for d in ds:
                    if not isinstance(d, Diagonal):
                        raise ValueError(f"decorations: slot {k} holds {d!r}, not a Diagonal")
                    if d.space != letters[k].left:
                        raise ValueError(f"decorations: {d.name} lives on {d.space.name} but slot {k} "
                                         f"is in {letters[k].left.name}")
            if not any(decs):
                decs = ()
        object.__setattr__(self, "decorations", decs)

    @classmethod
    def parse(cls, text: str, matrices: Mapping[str, GaussianMatrix] | Iterable[GaussianMatrix]) -> "Word":
        """Parse a word such as ``"xhat^T x u^T u xhat"``; a transpose is written ``^T`` or ``'``.

        Letters are separated by spaces (or ``*``).  A name of a
        :class:`~diagrams.engine.matrices.Diagonal` puts it at the slot on the left of the next letter;
        trailing diagonals sit at slot 0.

        Parameters
        ----------
        text : str
            The word.
        matrices : mapping or iterable
            The matrices (and diagonals) by name, or an iterable of them.

        Returns
        -------
        Word

        Raises
        ------
        ValueError
            If the text is empty, a token is not a name (optionally transposed), a name is unknown, there is
            no Gaussian letter, or the word is not valid (see :class:`Word`).
        """
        if not isinstance(matrices, Mapping):
            matrices = {m.name: m for m in matrices}
        if not isinstance(text, str) or not text.strip():
            raise ValueError("word: empty word")
        letters = []
        pending: list = []          # diagonals waiting for the slot on the left of the next letter
        slots: list = []
        for tok in text.replace("*", " ").split():
            m = _TOKEN.match(tok)
            if not m:
                raise ValueError(f"word: cannot read letter {tok!r} (write e.g. x or x^T)")
            name, tr = m.group(1), m.group(2)
            if name not in matrices:
                raise ValueError(f"word: unknown matrix {name!r}; known: {sorted(matrices)}")
            mat = matrices[name]
            if isinstance(mat, Diagonal):
                pending.append(mat)     # diagonal: transposing it changes nothing
                continue
            letters.append(mat.T if tr else mat.letter)
            slots.append(tuple(pending))
            pending = []
        if not letters:
            raise ValueError("word: a word needs at least one Gaussian letter")
        if pending:                 # trailing diagonals sit at slot 0 (the trace closes there)
            slots[0] = slots[0] + tuple(pending)
        return cls(tuple(letters), tuple(slots))

    def __len__(self) -> int:
        return len(self.letters)

    def __iter__(self):
        return iter(self.letters)

    def __getitem__(self, k):
        return self.letters[k]

    def __str__(self) -> str:
        if not self.decorations:
            return " ".join(str(a) for a in self.letters)
        parts = []
        for ds, a in zip(self.decorations, self.letters):
            parts.extend(d.name for d in ds)
            parts.append(str(a))
        return " ".join(parts)

    def decoration(self, k: int) -> tuple:
        """The diagonal matrices at slot ``k`` (``()`` when bare)."""
        return self.decorations[k % len(self.letters)] if self.decorations else ()

    def __repr__(self) -> str:
        return f"Word({str(self)!r})"

    def counts(self) -> dict[str, int]:
        """Number of occurrences of each matrix."""
        return dict(Counter(a.matrix.name for a in self.letters))

    def matrices(self) -> dict[str, GaussianMatrix]:
        """The Gaussian matrices of the word, by name."""
        return {a.matrix.name: a.matrix for a in self.letters}

    def diagonals(self) -> dict[str, Diagonal]:
        """The deterministic diagonal matrices at the slots, by name."""
        return {d.name: d for ds in self.decorations for d in ds}

    def slot_space(self, k: int) -> Space:
        """Index space of slot ``k`` (the index on the left of letter ``k``)."""
        return self.letters[k % len(self.letters)].left

    def row_col_slots(self, k: int) -> tuple[int, int]:
        """Slots carrying the row and the column index of the matrix at letter ``k``."""
        n = len(self.letters)
        left, right = k, (k + 1) % n
        return (right, left) if self.letters[k].transposed else (left, right)

    def _slot_tuple(self) -> tuple:
        return self.decorations or ((),) * len(self.letters)

    def __add__(self, other: "Word") -> "Word":
        return Word(self.letters + other.letters, self._slot_tuple() + other._slot_tuple())

    def transpose(self) -> "Word":
        """``tr(W^T)``: the reversed word with every letter transposed (same expectation).

        Slot ``k`` of the word becomes slot ``(L - k) mod L`` of its transpose.
        """
        n = len(self.letters)
        letters = tuple(Letter(a.matrix, not a.transposed) for a in reversed(self.letters))
        decs = self._slot_tuple()
        return Word(letters, tuple(tuple(reversed(decs[(n - k) % n])) for k in range(n)))

    def rotate(self, k: int) -> "Word":
        """The same trace read from slot ``k``: ``tr(W_k ... W_{L-1} W_0 ... W_{k-1})``."""
        n = len(self.letters)
        k %= n
        decs = self._slot_tuple()
        return Word(self.letters[k:] + self.letters[:k], decs[k:] + decs[:k])
