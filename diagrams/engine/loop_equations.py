r"""Loop (Schwinger--Dyson) equations of real Gaussian matrices on products of traces.

Wick's theorem contracts one letter at a time: pick a Gaussian letter ``p`` in a product of traces
and sum over its partners ``q`` (letters of the same matrix); each pairing removes the two letters
and re-glues what is left into fewer or more traces.  Doing this recursively, memoised on canonical
forms of the multi-trace *states*, sums all Wick contractions of a word without listing them.

Index bookkeeping
-----------------
A letter has a *left* and a *right* index (its row and column index, the other way round when
transposed).  With ``p`` carrying indices ``(alpha, beta)`` and ``q`` carrying ``(gamma, delta)``,
a pairing identifies two pairs of indices through two deterministic matrices ``M1`` (on
``alpha``, the left index of ``p``) and ``M2`` (on ``beta``):

* a real matrix ``<A_ab A_cd> = R_ac C_bd`` glues row to row through ``R`` and column to column
  through ``C`` (*direct*); ``alpha`` meets ``gamma`` when ``p`` and ``q`` have the same
  transposition, ``delta`` otherwise, and ``M1``/``M2`` are the covariances of ``p``'s left/right
  index;
* a ``symmetric`` matrix has the direct and the *crossed* gluing (row to column, no covariance),
  a ``hermitian`` matrix only the crossed one (the conventions of :mod:`diagrams.engine.wick`).

When ``alpha`` meets ``delta`` the ribbon is **untwisted**, otherwise **twisted** (``alpha`` meets
``gamma``).  Writing a trace as ``tr(p P q Q)`` (``P``, ``Q`` the words between the two letters) or
two traces as ``tr(p P) tr(q Q)``::

    untwisted, same trace:    tr(p P q Q)      ->  tr(P M2) tr(Q M1)        (split)
    twisted,   same trace:    tr(p P q Q)      ->  tr(P M1 Q^T M2)          (one crosscap)
    untwisted, two traces:    tr(p P) tr(q Q)  ->  tr(P M1 Q M2)            (join: one handle)
    twisted,   two traces:    tr(p P) tr(q Q)  ->  tr(P M1 Q^T M2)          (join)

``Q^T`` is ``Q`` read backwards with every letter transposed (every deterministic matrix is
symmetric).  A trace left without Gaussian letters is a **face**: its index loop, valued by the
caller (the size of its space if it met no deterministic matrix, ``tr`` of what it met otherwise).

Euler genus
-----------
Let a state have traces with ``2 e_i`` letters and put ``Phi = sum_i (e_i + 1)`` (a face counts 1).
A split keeps ``Phi``, a twisted pairing lowers it by 1, a join by 2, and at the end ``Phi = F``.
Starting from one trace with ``E`` pairs (``Phi = E + 1``), the one-vertex map therefore has
Euler characteristic ``chi = 1 - E + F = 2 - (twists + 2 joins)``: its **Euler genus**
``2 - chi`` is the number of twisted pairings plus twice the number of joins.  The recursions below
return lists indexed by the Euler genus of what is left, truncated at a *budget* (``2 - chi_min``);
a move that costs more than the budget left is never taken.

Orientability: a one-vertex map is orientable iff no ribbon is twisted.  With ``orientable=True``
only untwisted moves are taken (no segment is ever reversed, so "untwisted" always refers to the
original word) and traces are canonical up to rotation only; the orientable sum is computed this
way and the non-orientable one is the difference with the sum over all maps.

Two recursions
--------------
* :meth:`LoopEquations.full` -- the expectation of the whole multi-trace state, memoised on the
  sorted tuple of canonical traces;
* :meth:`LoopEquations.connected` -- connected correlators (cumulants) of multi-trace states:
  splitting ``tr(p P q Q) X`` gives ``kappa(P', Q', X) + sum_{I subset X} kappa(P', I) kappa(Q', X - I)``.
  A cumulant of ``k`` traces needs ``k - 1`` joins, Euler genus ``>= 2 (k - 1)``, so with a small
  budget only cumulants of one or two traces survive: this is the fast per-chi recursion.

States are tuples of traces; a trace is a flat tuple ``(l0, g0, l1, g1, ...)`` of letter codes
``l`` and *gap* ids ``g`` (the deterministic product between letter ``i`` and letter ``i + 1``),
canonical under rotation (and reversal unless ``orientable``).  Gaps are handled by an
:class:`InsertionAlgebra` given by the caller, which decides how fine the memo keys are (ordered
names for symbolic values, diagonal vectors for exact values, nothing at all for counting).

Which letter to contract (the *pivot*) does not change the sums but decides how many states
appear.  Alongside each trace the recursion carries *junction marks* -- which gaps are points where
the trace was cut or closed -- that are not part of the memo keys; the pivot is a letter of the
rarest matrix, preferably one that follows a junction.  Contracting next to a
junction keeps every trace made of few pieces of the word (with no twist, the intervals of the
planar recursion of :mod:`diagrams.engine.planar`), so at fixed Euler genus the states grow
polynomially with the length of the word; over all genera they can grow like the contractions
themselves for words without structure (the guard is ``max_states``).

>>> from diagrams.engine.spaces import Space
>>> from diagrams.engine.matrices import GaussianMatrix
>>> from diagrams.engine.words import Word
>>> V = Space("v", "n")
>>> S = GaussianMatrix("S", V, V, symmetry="symmetric")
>>> class Counting(InsertionAlgebra):        # every face worth 1: count the maps
...     def face(self, space, gap):
...         return 1
>>> LoopEquations(Counting()).expectation(Word.parse("S S S S", [S]))  # by Euler genus 0, 1, 2
[2, 5, 5]
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from itertools import combinations
from typing import Callable, Sequence

from diagrams.engine.wick import check_word
from diagrams.engine.words import Word

__all__ = ["InsertionAlgebra", "LoopEquations"]

_REAL, _SYMMETRIC, _HERMITIAN = 0, 1, 2
_KIND = {"real": _REAL, "symmetric": _SYMMETRIC, "hermitian": _HERMITIAN}

#: ``progress`` is called every this many new memo entries.
PROGRESS_EVERY = 2000
#: Largest Euler genus budget for which :meth:`LoopEquations.expectation` picks the connected recursion.
CONNECTED_UP_TO = 3
#: Canonical forms of raw traces are remembered up to this many (then forgotten all at once).
CANON_CACHE = 1 << 20


class InsertionAlgebra(ABC):
    """Deterministic insertions between Gaussian letters ("gaps") and the value of a closed face.

    Gaps are small integers; ``0`` is the empty product.  The default implementation ignores
    every insertion (all gaps are ``0``); subclasses intern what they need to keep.

    Methods to override: :meth:`insertion` (the gap of one named symmetric matrix), :meth:`product`,
    :meth:`reverse` (the product read backwards) and :meth:`face` (the value of an index loop of
    ``space`` that met the product ``gap``; values need only ``+`` and ``*``, with ``0`` and ``1``
    acting as zero and one).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); S = GaussianMatrix("S", V, V, symmetry="symmetric")
    >>> class Faces(InsertionAlgebra):        # a face is worth n: <tr S^2> = n^2 + n (GOE)
    ...     def face(self, space, gap):
    ...         return space.size
    >>> LoopEquations(Faces()).expectation(Word.parse("S S", [S]))
    [n**2, n]
    """

    def insertion(self, name: str) -> int:
        return 0

    def product(self, a: int, b: int) -> int:
        return 0

    def reverse(self, a: int) -> int:
        return a

    #: Set to ``False`` when :meth:`reverse` is not the identity (ordered, non-commuting products).
    reverse_is_identity = True

    @abstractmethod
    def face(self, space, gap: int):
        """The value of a closed index loop of ``space`` that met the product ``gap`` (each algebra its own)."""


class _Letters:
    """Codes of the letters met so far, with everything a pairing needs to know about them."""

    def __init__(self, algebra: InsertionAlgebra, orientable: bool):
        self.algebra = algebra
        self.orientable = orientable
        self.codes: dict = {}
        self.matrix_ids: dict = {}
        self.mid: list = []        # matrix id
        self.kind: list = []
        self.tr: list = []         # transposed
        self.flip: list = []       # code of the transposed letter
        self.lsp: list = []        # left / right index spaces
        self.rsp: list = []
        self.lcov: list = []       # gap of the covariance on the left / right index
        self.rcov: list = []
        self.options: dict = {}

    def code(self, matrix, transposed: bool) -> int:
        kind = _KIND[matrix.symmetry]
        if kind == _SYMMETRIC:
            transposed = False     # S = S^T: both gluings are taken anyway
        key = (matrix, transposed)
        c = self.codes.get(key)
        if c is not None:
            return c
        c = len(self.mid)
        self.codes[key] = c
        self.mid.append(self.matrix_ids.setdefault(matrix, len(self.matrix_ids)))
        self.kind.append(kind)
        self.tr.append(transposed)
        self.flip.append(None)
        ins = self.algebra.insertion
        rc = ins(matrix.row_cov) if matrix.row_cov else 0
        cc = ins(matrix.col_cov) if matrix.col_cov else 0
        if transposed:
            self.lsp.append(matrix.cols); self.rsp.append(matrix.rows)
            self.lcov.append(cc); self.rcov.append(rc)
        else:
            self.lsp.append(matrix.rows); self.rsp.append(matrix.cols)
            self.lcov.append(rc); self.rcov.append(cc)
        self.flip[c] = c if kind == _SYMMETRIC else self.code(matrix, not transposed)
        return c

    def pairings(self, p: int, q: int) -> tuple:
        """``(twisted, M1, M2)`` for each gluing of letter code ``p`` (the pivot) with ``q``."""
        key = (p, q)
        out = self.options.get(key)
        if out is None:
            kind = self.kind[p]
            out = []
            if kind in (_REAL, _SYMMETRIC):       # direct: row-row through R, column-column through C
                out.append((self.tr[p] == self.tr[q], self.lcov[p], self.rcov[p]))
            if kind in (_SYMMETRIC, _HERMITIAN):  # crossed: row-column, no covariance
                out.append((self.tr[p] != self.tr[q], 0, 0))
            if self.orientable:
                out = [o for o in out if not o[0]]
            out = tuple(out)
            self.options[key] = out
        return out


class LoopEquations:
    """The loop-equation recursion over multi-trace states of one family of Gaussian matrices.

    Parameters
    ----------
    algebra : InsertionAlgebra
        How deterministic insertions combine and how a closed face is valued.
    orientable : bool
        Only untwisted pairings (orientable maps); traces canonical up to rotation only.
    progress : callable, optional
        ``progress(states)`` is called every :data:`PROGRESS_EVERY` new memo entries.
    max_states : int, optional
        Raise ``ValueError`` as soon as more states than this are memoised (a guard on time and
        memory; ``None``: no limit).

    One instance keeps its memo across calls, so words sharing sub-states (the words of one order
    of a perturbative expansion) are cheaper together.  :attr:`states` counts the memo entries.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); S = GaussianMatrix("S", V, V, symmetry="symmetric")
    >>> class Counting(InsertionAlgebra):     # every face worth 1: the maps of tr(S^4) by Euler genus
    ...     def face(self, space, gap):
    ...         return 1
    >>> eq = LoopEquations(Counting())
    >>> eq.expectation(Word.parse("S S S S", [S])), eq.states > 0
    ([2, 5, 5], True)
    """

    def __init__(self, algebra: InsertionAlgebra, *, orientable: bool = False,
                 progress: Callable | None = None, max_states: int | None = None):
        self.algebra = algebra
        self.orientable = orientable
        self.letters = _Letters(algebra, orientable)
        self.progress = progress
        self.max_states = max_states
        self._full_memo: dict = {}
        self._conn_memo: dict = {}
        self._next_report = PROGRESS_EVERY
        self._canon_cache: dict = {}

    # -- states --------------------------------------------------------------------------------
    @property
    def states(self) -> int:
        """Number of memoised states (both recursions)."""
        return len(self._full_memo) + len(self._conn_memo)

    def root(self, word: Word) -> tuple:
        """``(state, marks)`` of ``tr(word)``: letter codes with the slot decorations as gaps, no
        junction marked."""
        word = check_word(word)
        lt, alg = self.letters, self.algebra
        items = []
        for k, a in enumerate(word):
            g = 0
            for d in word.decoration(k + 1):       # slot k+1 sits on the right of letter k
                g = alg.product(g, alg.insertion(d.name))
            items.append(lt.code(a.matrix, a.transposed))
            items.append(g)
        t, rot, rev = self._canon(tuple(items))
        return (t,), (_orient((False,) * len(word), rot, rev),)

    def _reverse(self, t: tuple) -> tuple:
        """The trace read backwards: letters transposed, gaps reversed (``tr(M) = tr(M^T)``)."""
        fl = self.letters.flip
        out = [0] * len(t)
        out[0::2] = [fl[c] for c in t[-2::-2]]
        gaps = t[-3::-2] + (t[-1],)             # the gap before each letter, last letter first
        if self.algebra.reverse_is_identity:
            out[1::2] = gaps
        else:
            rv = self.algebra.reverse
            out[1::2] = [rv(g) for g in gaps]
        return tuple(out)

    def _canon(self, t: tuple) -> tuple:
        """``(canonical trace, rotation, reversed)``: the smallest rotation of ``t`` (or of its
        reversal unless ``orientable``), and the letter it starts from."""
        hit = self._canon_cache.get(t)
        if hit is not None:
            return hit
        n = len(t)
        letters = t[0::2]
        m = min(letters)
        best = None
        if not self.orientable:
            fl = self.letters.flip
            mr = min(fl[c] for c in letters)
            if mr <= m:
                r = self._reverse(t)
                dr = r + r
                for i, c in enumerate(r[0::2]):
                    if c == mr:
                        cand = dr[2 * i:2 * i + n]
                        if best is None or cand < best[0]:
                            best = (cand, i, True)
            if best is not None and mr < m:
                m = None
        if m is not None:
            d = t + t
            for i, c in enumerate(letters):
                if c == m:
                    cand = d[2 * i:2 * i + n]
                    if best is None or cand < best[0]:
                        best = (cand, i, False)
        if len(self._canon_cache) > CANON_CACHE:
            self._canon_cache.clear()
        self._canon_cache[t] = best
        return best

    # -- segments [g0, l1, g1, ..., lm, gm] with junction marks [f0, ..., fm] on their gaps -------
    def _reverse_segment(self, s: list, f: list):
        """A segment read backwards: letters transposed, gaps reversed."""
        fl = self.letters.flip
        out = s[::-1]
        out[1::2] = [fl[c] for c in out[1::2]]
        if not self.algebra.reverse_is_identity:
            rv = self.algebra.reverse
            out[0::2] = [rv(g) for g in out[0::2]]
        return out, f[::-1]

    def _concat(self, a: list, fa: list, m: int, b: list, fb: list):
        mul = self.algebra.product
        return a[:-1] + [mul(mul(a[-1], m), b[0])] + b[1:], fa[:-1] + [True] + fb[1:]

    def _close(self, s: list, f: list, m: int, space):
        """Close a segment with the insertion ``m`` (a junction): ``((trace, marks), None)`` with the
        canonical trace, or ``(None, face value)`` when no letter is left."""
        mul = self.algebra.product
        if len(s) == 1:
            return None, self.algebra.face(space, mul(s[0], m))
        t, rot, rev = self._canon(tuple(s[1:-1]) + (mul(mul(s[-1], m), s[0]),))
        return (t, _orient(tuple(f[1:-1]) + (True,), rot, rev)), None

    # -- pivot ---------------------------------------------------------------------------------
    def _pivot(self, state: tuple, marks: tuple) -> tuple:
        """(trace index, letter index) of the letter to contract.

        A letter of the matrix with the fewest letters left (ties: the first matrix met), preferably
        one that follows a junction (a gap where a trace was cut or closed), then the smallest
        letter code, then the shortest trace.  Contracting one matrix after the other makes many
        states coincide; contracting next to a junction keeps the traces made of few pieces of the
        word -- for one trace and no twist these are the intervals of the planar recursion --, so
        the number of states stays polynomial in the length at fixed Euler genus (measured on the
        random-feature words, ``benchmarks/genus.py``, and on random words of one matrix).  Any
        choice gives the same sums: the memo keys ignore the marks.
        """
        mid = self.letters.mid
        cnt: dict = {}
        for t in state:
            for c in t[0::2]:
                m = mid[c]
                cnt[m] = cnt.get(m, 0) + 1
        best, key = None, None
        for ti, t in enumerate(state):
            f = marks[ti]
            lt = len(t)
            for i in range(len(f)):
                c = t[2 * i]
                k = (cnt[mid[c]], mid[c], not f[i - 1], c, lt)
                if key is None or k < key:
                    best, key = (ti, i), k
        return best

    def _moves(self, state: tuple, marks: tuple, budget: int):
        """Every pairing of the pivot: ``(kind, cost, new, faces, others)``.

        ``kind`` is ``"split"`` (untwisted, same trace: two results, each a trace or a face) or
        ``"one"`` (twisted split or join: one result); ``new`` and ``others`` are lists of
        ``(trace, marks)`` (the traces made and the traces untouched), ``faces`` the values of the
        faces closed.
        """
        lt = self.letters
        mid = lt.mid
        ti, i = self._pivot(state, marks)
        t = state[ti]
        t = list(t[2 * i:] + t[:2 * i])
        f = list(marks[ti][i:] + marks[ti][:i])
        p = t[0]
        mp = mid[p]
        others = [(state[k], marks[k]) for k in range(len(state)) if k != ti]
        n = len(f)
        lsp, rsp = lt.lsp[p], lt.rsp[p]
        close, concat = self._close, self._concat
        for j in range(1, n):
            q = t[2 * j]
            if mid[q] != mp:
                continue
            P, fP = t[1:2 * j], f[:j]
            Q, fQ = t[2 * j + 1:], f[j:]
            for twisted, m1, m2 in lt.pairings(p, q):
                if twisted:
                    if budget < 1:
                        continue
                    rQ, frQ = self._reverse_segment(Q, fQ)
                    tr1, f1 = close(*concat(P, fP, m1, rQ, frQ), m2, lsp)
                    yield "one", 1, [tr1] if tr1 else [], (f1,) if f1 is not None else (), others
                else:
                    tr1, f1 = close(P, fP, m2, rsp)
                    tr2, f2 = close(Q, fQ, m1, lsp)
                    yield ("split", 0, [x for x in (tr1, tr2) if x],
                           tuple(x for x in (f1, f2) if x is not None), others)
        if budget < 2:
            return
        for uj, (u, fu) in enumerate(others):
            rest = others[:uj] + others[uj + 1:]
            for k in range(len(fu)):
                q = u[2 * k]
                if mid[q] != mp:
                    continue
                Q = list(u[2 * k + 1:] + u[:2 * k])
                fQ = list(fu[k:] + fu[:k])
                for twisted, m1, m2 in lt.pairings(p, q):
                    B, fB = self._reverse_segment(Q, fQ) if twisted else (Q, fQ)
                    tr1, f1 = close(*concat(t[1:], f, m1, B, fB), m2, lsp)
                    yield "one", 2, [tr1] if tr1 else [], (f1,) if f1 is not None else (), rest

    def _report(self):
        if self.max_states is not None and self.states > self.max_states:
            raise ValueError(f"max_states: the recursion needs more than {self.max_states} memoised states "
                             "for this word; raise max_states or ask for fewer genera (min_chi)")
        if self.progress is not None and self.states >= self._next_report:
            self._next_report = self.states + PROGRESS_EVERY
            self.progress(self.states)

    # -- the two recursions --------------------------------------------------------------------
    def full(self, state: tuple, marks: tuple, budget: int) -> list:
        """``E[product of the traces of state]`` by Euler genus ``0..budget`` (all-trace memo).

        Every state is computed up to ``min(budget, _phi(state) - 1)`` whatever the Euler genus
        already spent on the way to it, so each state is computed once per budget.  ``marks``
        (junctions, one tuple of flags per trace) only guide the choice of the pivot.
        """
        cap = min(budget, _phi(state) - 1)
        hit = self._full_memo.get(state)
        if hit is not None and hit[0] >= cap:
            return hit[1]
        res = [0] * (cap + 1)
        for _kind, cost, new, faces, others in self._moves(state, marks, cap):
            fac = 1
            for v in faces:
                fac = fac * v
            if new or others:
                pairs = sorted(others + new)
                sub = self.full(tuple(x[0] for x in pairs), tuple(x[1] for x in pairs), budget)
            else:
                sub = (1,)
            for d, v in enumerate(sub):
                if v and d + cost <= cap:
                    res[d + cost] = res[d + cost] + (v if fac == 1 else fac * v)
        self._full_memo[state] = (cap, res)
        self._report()
        return res

    def connected(self, state: tuple, marks: tuple, budget: int) -> list:
        """Cumulant of the traces of ``state`` by Euler genus ``0..budget``."""
        budget = min(budget, _phi(state) - 1)
        zero = [0] * (budget + 1)
        if 2 * (len(state) - 1) > budget:
            return zero
        hit = self._conn_memo.get(state)
        if hit is not None and hit[0] >= budget:
            return hit[1][:budget + 1]
        res = zero
        kappa = self._connected_of
        for kind, cost, new, faces, others in self._moves(state, marks, budget):
            fac = 1
            for v in faces:
                fac = fac * v
            if kind == "split" and len(new) == 2:
                A, B = new
                _add(res, kappa(others + new, budget), 0, 1)
                no = len(others)
                for r in range(no + 1):
                    for I in combinations(range(no), r):
                        a = [A] + [others[x] for x in I]
                        b = [B] + [others[x] for x in range(no) if x not in I]
                        need_a, need_b = 2 * (len(a) - 1), 2 * (len(b) - 1)
                        if need_a + need_b > budget:
                            continue
                        ka = kappa(a, budget - need_b)
                        if not any(ka):
                            continue
                        _add(res, _convolve(ka, kappa(b, budget - need_a), budget), 0, 1)
            elif new:
                _add(res, kappa(others + new, budget - cost), cost, fac)
            elif not others:
                res[cost] = res[cost] + fac
        self._conn_memo[state] = (budget, res)
        self._report()
        return res

    def _connected_of(self, pairs: list, budget: int) -> list:
        pairs = sorted(pairs)
        return self.connected(tuple(x[0] for x in pairs), tuple(x[1] for x in pairs), budget)

    def expectation(self, word: Word, max_euler_genus: int | None = None, *,
                    method: str | None = None) -> list:
        """``<tr(word)>`` split by the Euler genus ``2 - chi`` of the one-vertex maps.

        Parameters
        ----------
        word : Word
            One trace, every matrix an even number of times.
        max_euler_genus : int, optional
            Keep Euler genus ``0..max_euler_genus`` (``chi >= 2 - max_euler_genus``); default
            ``len(word) // 2``, every map.
        method : {"full", "connected"}, optional
            The recursion; by default ``"connected"`` for ``max_euler_genus <=``
            :data:`CONNECTED_UP_TO` and ``"full"`` otherwise (the faster choice measured on the
            random-feature words, ``benchmarks/genus.py``).

        Returns
        -------
        list
            ``max_euler_genus + 1`` values (index = Euler genus) built from the algebra's face values.

        Raises
        ------
        ValueError
            For a non-word, an odd matrix count, an unknown method, or more than ``max_states``
            memoised states.

        Examples
        --------
        >>> from diagrams.engine.spaces import Space
        >>> from diagrams.engine.matrices import GaussianMatrix
        >>> V = Space("v", "n"); A = GaussianMatrix("A", V, V)
        >>> class Counting(InsertionAlgebra):
        ...     def face(self, space, gap):
        ...         return 1
        >>> LoopEquations(Counting(), orientable=True).expectation(Word.parse("A A^T A A^T", [A]))
        [2, 0, 0]
        """
        state, marks = self.root(word)
        top = len(word) // 2
        budget = top if max_euler_genus is None else min(max_euler_genus, top)
        if method is None:
            method = "connected" if budget <= CONNECTED_UP_TO else "full"
        if method == "connected":
            out = self.connected(state, marks, budget)
        elif method == "full":
            out = self.full(state, marks, budget)
        else:
            raise ValueError(f"method: must be 'full' or 'connected', got {method!r}")
        out = list(out)[:budget + 1]
        return out + [0] * (budget + 1 - len(out))


def _orient(marks: tuple, rot: int, rev: bool) -> tuple:
    """The junction marks of a trace after the rotation/reversal :meth:`LoopEquations._canon` chose."""
    if rev:
        n = len(marks)
        marks = tuple(marks[(n - 2 - k) % n] for k in range(n))
    return marks[rot:] + marks[:rot]


def _phi(state: tuple) -> int:
    """``sum (e_i + 1)`` over the traces (``2 e_i`` letters, ``4 e_i`` items): the number of faces a
    state would end with if every remaining pairing were a split; the Euler genus left is at most
    ``_phi - 1``."""
    return sum(len(t) for t in state) // 4 + len(state)


def _add(res: list, sub: Sequence, shift: int, fac) -> None:
    for d, v in enumerate(sub):
        if v and d + shift < len(res):
            res[d + shift] = res[d + shift] + (v if fac == 1 else fac * v)


def _convolve(a: Sequence, b: Sequence, budget: int) -> list:
    out = [0] * (budget + 1)
    for i, x in enumerate(a):
        if not x:
            continue
        for j, y in enumerate(b):
            if i + j > budget:
                break
            if y:
                out[i + j] = out[i + j] + x * y
    return out
