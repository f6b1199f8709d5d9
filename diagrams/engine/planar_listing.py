r"""Planar diagrams listed one by one with their values: fast, streaming, and over several processes.

:func:`~diagrams.engine.planar.planar_contractions` lists the planar contractions of a word as
:class:`~diagrams.engine.wick.Contraction` objects; valuing each one traces its faces again
(``Contraction.monomial``), which costs far more than generating it.  Here the value comes out of the
generation itself.  The planar diagrams of the letters ``[a, e)`` closed by a junction ``J`` are
listed by the junction recursion of :mod:`diagrams.engine.planar`::

    D(a, e, J) = union over the partners m of a of
                 {(a, m)} x D(a+1, m, dec(m) + (c_in(a),)) x D(m+1, e, J + dec(a) + (c_out(a),))
    D(a, a, J) = one empty pairing and one face: (space of slot a, J)

so every face of a diagram is a base case, reached once.  Each diagram is carried as its ``pairs``
and an integer *face code*, the multiset of its faces written in base ``2^b`` (digit ``i`` = how
many faces of kind ``i``; ``b`` bits hold ``E + 1``, the number of faces).  Gluing two sub-diagrams
adds their codes, and the code of a whole diagram is turned into its monomial key -- the sorted
tuple of ``(space name, canonical covariance word)`` per face, exactly
:attr:`Contraction.monomial <diagrams.engine.wick.Contraction.monomial>` -- by one cached lookup.
The lists of sub-diagrams of short intervals are kept (per interval and junction), longer ones are
streamed; the diagrams come in lexicographic order of ``pairs``, ranked ``0, 1, ...``, and any rank
range ``[start, stop)`` is generated directly from the interval counts (nothing before ``start``
is built).  That is how :func:`list_planar_diagrams` and :func:`tally_planar_diagrams` split the
work over processes into chunks of consecutive ranks and merge the results in order.  The pairs
already fixed (before and after the interval) and the code of their faces are handed down the
recursion, so each diagram's tuple is built once.

>>> from diagrams.engine.spaces import Space
>>> from diagrams.engine.matrices import GaussianMatrix
>>> from diagrams.engine.words import Word
>>> V = Space("v", "n"); A = GaussianMatrix("A", V, V, row_cov="Lambda")
>>> for pairs, key in planar_diagrams(Word.parse("A A^T A A^T", [A])):
...     print(pairs, key)
((0, 1), (2, 3)) (('v', ()), ('v', ()), ('v', ('Lambda', 'Lambda')))
((0, 3), (1, 2)) (('v', ()), ('v', ('Lambda',)), ('v', ('Lambda',)))
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from array import array
from collections import Counter, OrderedDict, deque
from itertools import repeat
from operator import itemgetter
from typing import Callable, Iterable, Iterator, Sequence

from diagrams.engine.numbers import read_integer
from diagrams.engine.planar import planar_structure
from diagrams.engine.symbols import canonical_cycle
from diagrams.engine.wick import Contraction
from diagrams.engine.words import Word

__all__ = [
    "planar_diagrams",
    "planar_contraction",
    "MonomialKey",
    "list_planar_diagrams",
    "tally_planar_diagrams",
    "CHUNK",
    "PROGRESS_EVERY",
    "MAX_JOBS",
]

#: Sub-diagram lists up to this length are kept in memory (per interval and junction).
LIST_CAP = 2048
#: At most this many sub-diagrams are kept per word (about 350 bytes each); beyond it longer lists
#: are streamed again.
MEMO_BUDGET = 250_000
#: Diagrams glued into one list at a time.
BATCH = 4096
#: Diagrams per unit of work handed to a process by the parallel drivers.
CHUNK = 20_000
#: The drivers call ``progress`` once at least this many diagrams are done (and once at the end).
PROGRESS_EVERY = 4096
#: Most processes the drivers start.
MAX_JOBS = 64

_first, _second = itemgetter(0), itemgetter(1)


class MonomialKey(tuple):
    """A monomial key of a diagram's faces that keeps its hash.

    The key is the sorted ``(space name, canonical covariance word)`` per face; a plain tuple
    rehashes its nested tuples at every dict lookup.  Equal to (and hashed like) the plain tuple
    :attr:`Contraction.monomial <diagrams.engine.wick.Contraction.monomial>`, so it can be mixed with
    plain keys in a dict; rehashed on unpickling (string hashes differ between interpreters).

    Parameters
    ----------
    faces : iterable of tuple, optional
        The ``(space name, canonical covariance word)`` pairs, already sorted.

    Examples
    --------
    >>> k = MonomialKey([("v", ()), ("v", ("Lambda",))])
    >>> k == (("v", ()), ("v", ("Lambda",))), hash(k) == hash(tuple(k))
    (True, True)
    >>> import pickle
    >>> pickle.loads(pickle.dumps(k)) == k
    True
    """

    def __new__(cls, faces=()):
        self = super().__new__(cls, faces)
        self._hash = tuple.__hash__(self)
        return self

    def __hash__(self):
        return self._hash

    def __reduce__(self):  # rehash on unpickling (string hashes differ between interpreters)
        return (MonomialKey, (tuple(self),))


class _KeyTable(dict):
    """``{face code: monomial key}``, filled on first lookup."""

    def __init__(self, decode):
        super().__init__()
        self.decode = decode

    def __missing__(self, code):
        k = self[code] = self.decode(code)
        return k


class _Lister:
    """The listing recursion of one word (module docstring), with its caches."""

    def __init__(self, word: Word, values: bool, pairs: bool = True):
        st = planar_structure(word)
        self.word = word
        self.st = st
        self.values = values
        self.pairs = pairs             # False: every pairs tuple stays () (codes only)
        self.count = st.count
        self.partners = st.partners
        L = st.L
        self.L = L
        if values:
            self.decs, self.cin, self.cout = st.decorations, st.inside_step, st.outside_step
        else:  # every junction stays (): one state per interval, codes all 0
            self.decs = self.cin = self.cout = [()] * (L + 1)
        self.bits = (L // 2 + 1).bit_length()
        self.mask = (1 << self.bits) - 1
        self.face_keys: list = []      # face id -> (space name, canonical covariance word)
        self.face_ids: dict = {}
        self.memo: dict = {}           # (a, e, J) -> tuple of (pairs, code)
        self.budget = MEMO_BUDGET
        self.keys = _KeyTable(self._decode)   # code -> monomial key

    # -- faces and keys ------------------------------------------------------------------------
    def _base(self, a, J):
        """The one diagram of the empty interval at slot ``a`` closed by ``J``: its face."""
        if not self.values:
            return (((), 0),)
        face = (self.st.slot_space[a].name, canonical_cycle(J))
        i = self.face_ids.get(face)
        if i is None:
            i = self.face_ids[face] = len(self.face_keys)
            self.face_keys.append(face)
        return (((), 1 << (self.bits * i)),)

    def key(self, code: int) -> tuple:
        """The monomial key of a face code (cached: ``self.keys[code]`` does the same)."""
        return self.keys[code]

    def _decode(self, code: int) -> "MonomialKey":
        parts = []
        c, i, bits, mask = code, 0, self.bits, self.mask
        while c:
            n = c & mask
            if n:
                parts.extend([self.face_keys[i]] * n)
            c >>= bits
            i += 1
        return MonomialKey(sorted(parts))

    # -- sub-diagram lists and streams ----------------------------------------------------------
    def _list(self, a, e, J):
        """The kept list of ``D(a, e, J)``, built on first use, or ``None`` if it is too long."""
        key = (a, e, J)
        lst = self.memo.get(key)
        if lst is not None:
            return lst
        if a == e:
            lst = self.memo[key] = self._base(a, J)
            return lst
        n = self.count[a][e]
        if n > LIST_CAP or n > self.budget:
            return None
        # a tuple, not a list: once its items are seen to hold no containers the collector stops
        # tracking it, so kept lists cost nothing at each later garbage collection
        lst = tuple([item for batch in self._expand(a, e, J, (), (), 0) for item in batch])
        self.memo[key] = lst
        self.budget -= n
        return lst

    # Every generator below yields lists of ``(P + pairs + S, c + code)`` over the diagrams
    # ``(pairs, code)`` of an interval, in lexicographic order: the pairs before (``P``) and after
    # (``S``) the interval, and the code of their faces (``c``), are handed down the recursion, so a
    # diagram's tuple is built once at the bottom instead of once per level.

    def _emit(self, a, e, J, P, S, c):
        """All of ``D(a, e, J)``."""
        lst = self._list(a, e, J)
        if lst is None:
            yield from self._expand(a, e, J, P, S, c)
        elif not P and not S and not c:
            yield lst
        elif not S:
            yield [(P + dp, c + dc) for dp, dc in lst]
        else:
            yield [(P + dp + S, c + dc) for dp, dc in lst]

    def _expand(self, a, e, J, P, S, c):
        """All of ``D(a, e, J)``, by the partner ``m`` of ``a``."""
        cnt = self.count
        J2 = J + self.cout[a]
        ci = self.cin[a]
        decs = self.decs
        pairs = self.pairs
        for m in self.partners[a]:
            if m >= e:
                break
            n_in = cnt[a + 1][m]
            if n_in and cnt[m + 1][e]:
                Ph = P + ((a, m),) if pairs else P
                yield from self._block(Ph, a + 1, m, decs[m] + ci, e, J2, S, c, 0, n_in)

    def _block(self, Ph, a1, m, Jin, e, J2, S, c, r0, r1):
        """The diagrams opened by the pair ``(a1 - 1, m)`` (already in ``Ph``) whose inside has rank
        ``r0 <= r < r1``, with every outside."""
        outer = self._list(m + 1, e, J2)
        if outer is not None and len(outer) == 1:  # the outside goes to the suffix
            (yp, yc), = outer
            yield from self._range(a1, m, Jin, r0, r1, Ph, yp + S, c + yc)
            return
        inner = self._range(a1, m, Jin, r0, r1, (), (), 0)
        if outer is None:  # long outside: handed the prefix, streamed for each inside
            for batch in inner:
                for xp, xc in batch:
                    yield from self._emit(m + 1, e, J2, Ph + xp, S, c + xc)
            return
        outer_s = [(yp + S, yc) for yp, yc in outer] if S else outer
        n_out = len(outer_s)
        for batch in inner:
            if len(batch) * n_out <= BATCH:
                yield [(hx + ys, cx + yc) for xp, xc in batch for hx, cx in ((Ph + xp, c + xc),)
                       for ys, yc in outer_s]
            else:
                for xp, xc in batch:
                    hx, cx = Ph + xp, c + xc
                    yield [(hx + ys, cx + yc) for ys, yc in outer_s]

    def _row(self, Ph, a1, m, Jin, r, e, J2, olo, ohi, S, c):
        """The diagrams whose inside has rank ``r`` and outside rank ``olo <= s < ohi``."""
        for batch in self._range(a1, m, Jin, r, r + 1, (), (), 0):
            for xp, xc in batch:
                yield from self._range(m + 1, e, J2, olo, ohi, Ph + xp, S, c + xc)

    def _range(self, a, e, J, lo, hi, P, S, c):
        """The diagrams of ranks ``lo <= r < hi`` of ``D(a, e, J)``."""
        cnt = self.count
        n = cnt[a][e]
        lo, hi = max(lo, 0), min(hi, n)
        if lo >= hi:
            return
        if lo == 0 and hi == n:
            yield from self._emit(a, e, J, P, S, c)
            return
        lst = self._list(a, e, J)
        if lst is not None:
            part = lst[lo:hi]
            yield part if not P and not S and not c else [(P + dp + S, c + dc) for dp, dc in part]
            return
        J2 = J + self.cout[a]
        ci = self.cin[a]
        base = 0
        for m in self.partners[a]:
            if m >= e or base >= hi:
                break
            n_in, n_out = cnt[a + 1][m], cnt[m + 1][e]
            block = n_in * n_out
            if base + block <= lo:
                base += block
                continue
            # ranks [l, h) of this block: inside rank r, outside rank s <-> block rank r * n_out + s
            l, h = max(lo, base) - base, min(hi, base + block) - base
            base += block
            Ph = P + ((a, m),) if self.pairs else P
            Jin = self.decs[m] + ci
            i0, i1 = l // n_out, (h - 1) // n_out
            first_lo, last_hi = l - i0 * n_out, h - i1 * n_out
            if i0 == i1:
                yield from self._row(Ph, a + 1, m, Jin, i0, e, J2, first_lo, last_hi, S, c)
                continue
            f0, f1 = i0, i1 + 1     # the insides taken with every outside
            if first_lo > 0:
                yield from self._row(Ph, a + 1, m, Jin, i0, e, J2, first_lo, n_out, S, c)
                f0 = i0 + 1
            if last_hi < n_out:
                f1 = i1
            if f0 < f1:
                yield from self._block(Ph, a + 1, m, Jin, e, J2, S, c, f0, f1)
            if last_hi < n_out:
                yield from self._row(Ph, a + 1, m, Jin, i1, e, J2, 0, last_hi, S, c)

    def top(self, start, stop):
        """Lists of ``(pairs, code)`` of the whole word's diagrams of ranks ``start <= r < stop``.

        Each list is built with the cyclic garbage collector paused: the recursion allocates
        millions of short tuples (no cycles), and every full collection would also walk the kept
        sub-diagram lists.  The collector is back to its state while the caller uses the list.
        """
        batches = self._range(0, self.L, (), start, stop, (), (), 0)
        while True:
            enabled = gc.isenabled()
            gc.disable()
            try:
                batch = next(batches, None)
            finally:
                if enabled:
                    gc.enable()
            if batch is None:
                return
            yield batch


_LISTERS: "OrderedDict[tuple, _Lister]" = OrderedDict()


def _lister(word: Word, values: bool, pairs: bool = True) -> _Lister:
    key = (word, bool(values), bool(pairs))
    lister = _LISTERS.get(key)
    if lister is None:
        lister = _LISTERS[key] = _Lister(word, values, pairs)
        if len(_LISTERS) > 4:
            _LISTERS.popitem(last=False)
    else:
        _LISTERS.move_to_end(key)
    return lister


def _rank_range(total, start, stop) -> tuple[int, int]:
    start = read_integer(start, "start", minimum=0)
    stop = total if stop is None else read_integer(stop, "stop", minimum=0)
    return min(start, total), min(stop, total)


# --------------------------------------------------------------------------------------------
# one word
# --------------------------------------------------------------------------------------------

def planar_diagrams(word: Word, *, values: bool = True, start: int = 0,
                    stop: int | None = None) -> Iterator[tuple[tuple, tuple | None]]:
    """Every planar diagram of ``word`` as ``(pairs, monomial key)``, generated with its value.

    Parameters
    ----------
    word : Word
        One trace; it may carry diagonal matrices at its slots.
    values : bool
        With ``False`` the key is ``None`` and only the pairings are generated (faster).
    start, stop : int
        Only the diagrams of ranks ``start <= r < stop`` (``stop=None``: to the end), ranked in the
        lexicographic order of ``pairs`` from 0 to ``count_planar(word) - 1``; the ones before
        ``start`` are skipped through the interval counts, not generated.

    Yields
    ------
    pairs : tuple of (int, int)
        The sorted letter pairs ``(k, l)``, ``k < l``, as ``Contraction.pairs``; build the
        :class:`~diagrams.engine.wick.Contraction` with :func:`planar_contraction` when needed.
    key : tuple or None
        Sorted ``(space name, canonical covariance word)`` per face: exactly
        ``planar_contraction(word, pairs).monomial``; the same object for equal keys; value it with
        :func:`~diagrams.engine.wick.monomial_value`.

    Raises
    ------
    ValueError
        For a word :func:`~diagrams.engine.planar.planar_structure` refuses, or a negative
        ``start``/``stop``.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import Diagonal, GaussianMatrix
    >>> from diagrams.engine.planar import count_planar
    >>> V = Space("v", "n"); H = GaussianMatrix("H", V, V, symmetry="hermitian")
    >>> w = Word.parse("H D H H H H H", [H, Diagonal("D", V)])
    >>> count_planar(w), list(planar_diagrams(w, start=3, values=False))
    (5, [(((0, 5), (1, 2), (3, 4)), None), (((0, 5), (1, 4), (2, 3)), None)])
    >>> pairs, key = next(planar_diagrams(w))
    >>> pairs, key
    (((0, 1), (2, 3), (4, 5)), (('v', ()), ('v', ()), ('v', ()), ('v', ('D',))))
    >>> key == planar_contraction(w, pairs).monomial
    True
    """
    lister = _lister(word, values)
    start, stop = _rank_range(lister.count[0][lister.L], start, stop)
    if start >= stop:
        return
    if values:
        key = lister.keys.__getitem__
        for batch in lister.top(start, stop):
            yield from zip(map(_first, batch), map(key, map(_second, batch)))
    else:
        for batch in lister.top(start, stop):
            yield from zip(map(_first, batch), repeat(None))


def planar_contraction(word: Word, pairs: Sequence[tuple[int, int]]) -> Contraction:
    """The :class:`~diagrams.engine.wick.Contraction` of a planar pairing of ``word``.

    The ``crossed`` flags are the untwisted gluings (as :func:`~diagrams.engine.planar.planar_contractions`
    gives them); ``pairs`` must be a non-crossing pairing of the letters in which each pair may be
    glued untwisted.

    Parameters
    ----------
    word : Word
        The word: every matrix an even number of times, at most
        :data:`~diagrams.engine.planar.MAX_WORD_LENGTH` letters.
    pairs : sequence of (int, int)
        The pairs of letter positions, in any order and either way round.

    Returns
    -------
    Contraction
        With sorted ``pairs`` and the untwisted ``crossed`` flags.

    Raises
    ------
    ValueError
        If ``pairs`` is not such a pairing (or not pairs of integers), or ``word`` is refused as by
        :func:`~diagrams.engine.planar.count_planar`.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); S = GaussianMatrix("S", V, V, symmetry="symmetric")
    >>> c = planar_contraction(Word.parse("S S^T S S", [S]), [(2, 3), (0, 1)])
    >>> c.pairs, c.crossed, c.is_planar
    (((0, 1), (2, 3)), (False, True), True)
    >>> planar_contraction(Word.parse("S S^T S S", [S]), [(0, 2), (1, 3)])
    Traceback (most recent call last):
    ...
    ValueError: pairs: ((0, 2), (1, 3)) is not a planar pairing of S S^T S S
    """
    st = planar_structure(word)
    try:
        pairs = tuple(sorted((int(k), int(l)) if k < l else (int(l), int(k)) for k, l in pairs))
    except (TypeError, ValueError):
        raise ValueError(f"pairs: expected (k, l) letter pairs, got {pairs!r}") from None
    ok = len(pairs) * 2 == st.L and all(p in st.crossed_of for p in pairs)
    if ok:  # every letter once, and no two pairs crossing (a stack of open pairs)
        close_at = [-1] * st.L
        for k, l in pairs:
            if close_at[k] >= 0 or close_at[l] >= 0:
                ok = False
                break
            close_at[k] = l
            close_at[l] = l
        stack: list = []
        for i in range(st.L if ok else 0):
            if close_at[i] > i:
                stack.append(close_at[i])
            elif not stack or stack.pop() != i:
                ok = False
                break
    if not ok:
        raise ValueError(f"pairs: {pairs} is not a planar pairing of {word}")
    return Contraction.from_trusted(word, pairs, tuple(st.crossed_of[p] for p in pairs))


# --------------------------------------------------------------------------------------------
# several words, several processes
# --------------------------------------------------------------------------------------------

_JOB: dict = {}          # what the forked workers run (set by the parent just before forking)


def _tasks(totals, chunk):
    """Consecutive rank ranges of about ``chunk`` diagrams: lists of ``(word index, lo, hi)``."""
    task, size = [], 0
    for i, n in enumerate(totals):
        lo = 0
        while lo < n:
            hi = min(n, lo + chunk - size)
            task.append((i, lo, hi))
            size += hi - lo
            lo = hi
            if size >= chunk:
                yield task, size
                task, size = [], 0
    if task:
        yield task, size


def _key_task(task, job=None):
    """Per segment ``(i, lo, hi, keys, key index per diagram)``: the values only (the parent lists
    the pairings itself, which costs less than sending them), each distinct key sent once."""
    job = _JOB if job is None else job
    words = job["words"]
    out = []
    for i, lo, hi in task:
        lister = _lister(words[i], True, pairs=False)
        index: dict = {}
        which = array("I", [index.setdefault(c, len(index))
                            for batch in lister.top(lo, hi) for _, c in batch])
        out.append((i, lo, hi, [lister.key(c) for c in index], which))
    return out


def _tally_task(task, job=None):
    job = _JOB if job is None else job
    words, where = job["words"], job["where"]
    out = []
    for i, lo, hi in task:
        lister = _lister(words[i], True, pairs=where is not None)
        key = lister.key
        codes: Counter = Counter()
        if where is None:
            for batch in lister.top(lo, hi):
                codes.update(map(_second, batch))
        else:
            for batch in lister.top(lo, hi):
                for pairs, code in batch:
                    if where(i, pairs, key(code)):
                        codes[code] += 1
        out.append((i, {key(c): n for c, n in codes.items()}))
    return out


def _default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _can_fork() -> bool:
    return ("fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon)


def _run(tasks, work, jobs, job):
    """``(size, work(task))`` for every task, in order; over ``jobs`` forked processes, with at most
    ``2 * jobs`` results waiting (memory stays flat however slowly the caller consumes)."""
    tasks = iter(tasks)
    first = next(tasks, None)
    if first is None:
        return
    second = next(tasks, None)
    if jobs <= 1 or second is None or not _can_fork():
        for t in (first, second):
            if t is not None:
                yield t[1], work(t[0], job)
        for task, size in tasks:
            yield size, work(task, job)
        return
    _JOB.clear()          # the workers forked below see this job (and keep it)
    _JOB.update(job)
    ctx = multiprocessing.get_context("fork")
    pending: deque = deque()
    pool = ctx.Pool(jobs)
    try:
        def submit(t):
            pending.append((t[1], pool.apply_async(work, (t[0],))))

        submit(first)
        submit(second)
        for t in tasks:
            if len(pending) >= 2 * jobs:
                break
            submit(t)
        else:
            t = None
        while pending:
            size, res = pending.popleft()
            out = res.get()
            if t is not None:
                submit(t)
                t = next(tasks, None)
            yield size, out
    finally:
        pool.terminate()
        pool.join()


def _check_driver_args(words, jobs, chunk):
    words = list(words)
    for i, w in enumerate(words):
        if not isinstance(w, Word):
            raise ValueError(f"words: entry {i} is a {type(w).__name__}, not a Word")
    jobs = _default_jobs() if jobs is None else read_integer(jobs, "jobs", minimum=1, maximum=MAX_JOBS)
    jobs = min(jobs, MAX_JOBS)
    chunk = read_integer(chunk, "chunk", minimum=1, maximum=10 ** 7)
    totals = [planar_structure(w).count[0][len(w)] for w in words]
    return words, jobs, chunk, totals


class _Progress:
    def __init__(self, progress):
        self.progress = progress
        self.pending = 0

    def add(self, n):
        if self.progress is not None:
            self.pending += n
            if self.pending >= PROGRESS_EVERY:
                self.progress(self.pending)
                self.pending = 0

    def flush(self):
        if self.progress is not None and self.pending:
            self.progress(self.pending)
            self.pending = 0


def list_planar_diagrams(words: Iterable[Word], *, values: bool = True, jobs: int | None = None,
                         progress: Callable[[int], object] | None = None,
                         chunk: int = CHUNK) -> Iterator[tuple[int, tuple, tuple | None]]:
    """Every planar diagram of several words, with its value, listed over several processes.

    Yields ``(i, pairs, key)`` as :func:`planar_diagrams` does for ``words[i]``: the words in
    order, each word's diagrams in lexicographic order of ``pairs`` -- the same sequence whatever
    ``jobs`` and ``chunk``.  The values are computed in ``jobs`` forked processes, chunk by chunk
    of ``chunk`` consecutive diagrams (only the key of each diagram comes back, as an index into the
    chunk's few distinct keys); the pairings are listed again here, which costs less than sending
    them, and zipped with the keys.  At most ``2 * jobs`` finished chunks wait for the caller, so
    memory stays flat however many diagrams there are.  Equal keys are one object over the whole
    listing.  The total is known up front: ``sum(count_planar(w) for w in words)``.

    Parameters
    ----------
    words : iterable of Word
    values : bool
        ``False``: keys are ``None`` (pairings only).
    jobs : int, optional
        Processes (default: the CPUs available; at most :data:`MAX_JOBS`).  One process, or a
        platform without ``fork``, runs everything in this process.
    progress : callable, optional
        ``progress(n)`` with the number of diagrams done since the previous call, called once at
        least :data:`PROGRESS_EVERY` are done and once at the end (it fits ``tqdm.update``).
    chunk : int
        Diagrams per unit of work (1 to 10^7).

    Raises
    ------
    ValueError
        For an entry that is not a contractible :class:`~diagrams.engine.words.Word`, or ``jobs``
        / ``chunk`` out of range.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V, W = Space("v", "n"), Space("w", "p")
    >>> A = GaussianMatrix("A", V, W, row_cov="Lambda")
    >>> words = [Word.parse(t, [A]) for t in ("A A^T", "A A^T A A^T")]
    >>> for i, pairs, key in list_planar_diagrams(words, jobs=1):
    ...     print(i, pairs, key)
    0 ((0, 1),) (('v', ('Lambda',)), ('w', ()))
    1 ((0, 1), (2, 3)) (('v', ('Lambda', 'Lambda')), ('w', ()), ('w', ()))
    1 ((0, 3), (1, 2)) (('v', ('Lambda',)), ('v', ('Lambda',)), ('w', ()))
    """
    words, jobs, chunk, totals = _check_driver_args(words, jobs, chunk)
    bar = _Progress(progress)
    if not values:
        for i, w in enumerate(words):
            lister = _lister(w, False)
            for lo in range(0, totals[i], chunk):
                for batch in lister.top(lo, lo + chunk):
                    yield from zip(repeat(i), map(_first, batch), repeat(None))
                bar.add(min(chunk, totals[i] - lo))
        bar.flush()
        return
    canonical: dict = {}   # one object per key over the whole listing
    for size, out in _run(_tasks(totals, chunk), _key_task, jobs, {"words": words}):
        for i, lo, hi, keys, which in out:
            table = [canonical.setdefault(k, k) for k in keys]
            pairs = [p for batch in _lister(words[i], False).top(lo, hi) for p, _ in batch]
            yield from zip(repeat(i), pairs, map(table.__getitem__, which))
        bar.add(size)
    bar.flush()


def tally_planar_diagrams(words: Iterable[Word], *, where: Callable | None = None,
                          jobs: int | None = None, progress: Callable[[int], object] | None = None,
                          chunk: int = CHUNK) -> list[dict]:
    """Per word, ``{monomial key: number of planar diagrams}``, every diagram listed with its value.

    The listing of :func:`list_planar_diagrams`, counted where it is generated (in the worker
    processes) instead of being sent back diagram by diagram.  Without ``where`` the result of a
    word equals :func:`~diagrams.engine.planar.planar_monomials` (which sums without listing);
    ``where(i, pairs, key)`` keeps only the diagrams it accepts (it runs in the forked workers, so
    a closure is fine; build a Contraction there with :func:`planar_contraction` if needed).

    Parameters
    ----------
    words, jobs, progress, chunk
        As for :func:`list_planar_diagrams`.
    where : callable, optional
        Predicate ``where(i, pairs, key) -> bool`` over the diagrams of ``words[i]``.

    Returns
    -------
    list of dict
        One dict per word, keys in first-seen order of the listing.

    Raises
    ------
    ValueError
        As :func:`list_planar_diagrams`: for an entry that is not a contractible
        :class:`~diagrams.engine.words.Word`, or ``jobs`` / ``chunk`` out of range.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); H = GaussianMatrix("H", V, V, symmetry="hermitian")
    >>> w = Word.parse("H H H H H H", [H])
    >>> tally_planar_diagrams([w], jobs=1)  # Catalan(3) = 5 diagrams, 4 faces each
    [{(('v', ()), ('v', ()), ('v', ()), ('v', ())): 5}]
    >>> tally_planar_diagrams([w, w], where=lambda i, pairs, key: (0, 1) in pairs, jobs=1)
    [{(('v', ()), ('v', ()), ('v', ()), ('v', ())): 2}, {(('v', ()), ('v', ()), ('v', ()), ('v', ())): 2}]
    """
    words, jobs, chunk, totals = _check_driver_args(words, jobs, chunk)
    bar = _Progress(progress)
    out = [dict() for _ in words]
    job = {"words": words, "where": where}
    for size, parts in _run(_tasks(totals, chunk), _tally_task, jobs, job):
        for i, counts in parts:
            d = out[i]
            for key, n in counts.items():
                d[key] = d.get(key, 0) + n
        bar.add(size)
    bar.flush()
    return out
