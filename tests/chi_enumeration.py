r"""Test helper (not library code): an independent, pruned enumeration of the contractions of
one Euler characteristic, the reference the loop-equation recursions and the 1/N correction are
checked against.

Diagram sums of one Euler characteristic, by a pruned exhaustive enumeration of Wick contractions.

A contraction of a word is a one-vertex ribbon graph with ``chi = 1 - E + F``: 2 for the planar ones,
1 for one cross-cap (the first finite-size correction of real Gaussian matrices), 0 for a torus or a
Klein bottle.  Listing every contraction (:func:`diagrams.engine.wick.contractions`) and keeping those
with the wanted ``chi`` costs the full count ((2k - 1)!! per matrix); :func:`contractions_with_chi`
instead pairs the letters one at a time and drops a partial pairing as soon as the ribbon graph of
its paired letters (the unpaired ones removed, their two sides joined) has ``chi`` below the target:
adding a ribbon never raises ``chi`` (it changes ``F`` by +1, 0 or -1 and ``E`` by 1), so no
contraction with ``chi >= target`` is lost.  Every contraction returned is an engine
:class:`~diagrams.engine.wick.Contraction`, its ``chi`` and its value computed there.

:func:`chi_coefficient` sums one ``chi`` over the words of an order of a model's observable
(:func:`diagrams.analysis.expansion.terms`), exactly at parameter values -- the independent route to
the finite-size correction (:mod:`diagrams.analysis.finite_size`).

>>> from diagrams.engine.spaces import Space
>>> from diagrams.engine.matrices import GaussianMatrix
>>> from diagrams.engine.words import Word
>>> X = GaussianMatrix("X", Space("row", "N"), Space("col", "T"))
>>> w = Word.parse("X^T X X^T X", [X])
>>> [str(c) for c in contractions_with_chi(w, 1)]
['(0,1) (2,3)', '(0,2~) (1,3~)', '(0,3) (1,2)']
>>> [c.euler_characteristic for c in contractions_with_chi(w, 1)]
[2, 1, 2]
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator, Mapping

from diagrams.engine.numbers import check_order
from diagrams.engine.wick import Contraction, check_word

__all__ = ["contractions_with_chi", "face_tally", "chi_sums", "chi_coefficient", "monomial_exact", "MAX_CHI_ORDER"]

#: Highest order :func:`chi_sums` accepts: the search grows about tenfold per order (order 6 of the
#: random-feature loss, down to ``chi = 1``: ~30 s; order 7: several minutes).
MAX_CHI_ORDER = 7


def _letter_data(word):
    """Per letter: the side of its row index (0: left slot, 1: right slot), of its column index, and the
    covariances its pairing carries on the row and column gluings."""
    rows, cols, rcov, ccov = [], [], [], []
    for a in word:
        r, c = (1, 0) if a.transposed else (0, 1)
        rows.append(r)
        cols.append(c)
        rcov.append(a.matrix.row_cov)
        ccov.append(a.matrix.col_cov)
    return rows, cols, rcov, ccov


def _faces(n_letters, partner, crossed, rows, cols, paired=None):
    """Union-find of the slots of the paired letters (the others removed, their sides joined): the parent
    array, the number of faces and the number of paired letters."""
    if paired is None:
        order = list(range(n_letters))
    else:
        order = [k for k in range(n_letters) if paired[k]]
    e2 = len(order)
    pos = [0] * n_letters
    for s, k in enumerate(order):
        pos[k] = s
    parent = list(range(e2))
    faces = e2
    for k in order:
        l = partner[k]
        if l < k:
            continue
        sk, sl = pos[k], pos[l]
        rk, ck = (sk + rows[k]) % e2, (sk + cols[k]) % e2
        rl, cl = (sl + rows[l]) % e2, (sl + cols[l]) % e2
        if crossed[k]:
            rl, cl = cl, rl
        for a, b in ((rk, rl), (ck, cl)):
            while parent[a] != a:
                a = parent[a]
            while parent[b] != b:
                b = parent[b]
            if a != b:
                parent[a] = b
                faces -= 1
    return parent, faces, e2


def _search(word, chi_min: int):
    """Yield ``(partner, crossed)`` (shared lists: copy them) of every contraction with ``chi >= chi_min``."""
    n = len(word)
    rows, cols, _, _ = _letter_data(word)
    names = [a.matrix.name for a in word]
    options = [(False, True) if a.matrix.symmetry == "symmetric" else
               ((True,) if a.matrix.symmetry == "hermitian" else (False,)) for a in word]
    paired = [False] * n
    partner = [-1] * n
    crossed = [False] * n

    def rec(i):
        while i < n and paired[i]:
            i += 1
        if i == n:
            yield partner, crossed
            return
        paired[i] = True
        for j in range(i + 1, n):
            if paired[j] or names[j] != names[i]:
                continue
            paired[j] = True
            partner[i], partner[j] = j, i
            for cr in options[i]:
                crossed[i] = crossed[j] = cr
                _, faces, e2 = _faces(n, partner, crossed, rows, cols, paired)
                if 1 - e2 // 2 + faces >= chi_min:
                    yield from rec(i + 1)
            paired[j] = False
            partner[j] = -1
        paired[i] = False
        partner[i] = -1
        crossed[i] = False

    yield from rec(0)


def contractions_with_chi(word, chi_min: int) -> Iterator[Contraction]:
    """Every contraction of ``word`` with Euler characteristic ``>= chi_min`` (see the module docstring).

    ``chi_min = 2`` gives the planar ones, ``1`` adds those with one cross-cap, and so on; the
    pruning is exact, so ``chi_min`` below the lowest possible value lists every contraction.
    """
    word = check_word(word)
    for partner, crossed in _search(word, chi_min):
        pairs = tuple((k, partner[k]) for k in range(len(word)) if partner[k] > k)
        yield Contraction(word, pairs, tuple(crossed[k] for k, _ in pairs))


def face_tally(word, chi_min: int) -> dict:
    """``{(chi, key): count}`` over the contractions of ``word`` with ``chi >= chi_min``, ``key`` the
    sorted tuple of ``(space name, sorted covariance names)`` per face -- what the value of a diagram
    needs when all covariances are diagonal in one basis (the order around a face does not matter).

    The same faces as :attr:`Contraction.faces <diagrams.engine.wick.Contraction.faces>`, traced by a
    union-find of the slots (tests compare the two).
    """
    word = check_word(word)
    n = len(word)
    rows, cols, rcov, ccov = _letter_data(word)
    spaces = [a.left.name for a in word]
    decs = [tuple(d.name for d in word.decoration(k)) for k in range(n)]
    out: dict = {}
    for partner, crossed in _search(word, chi_min):
        parent, faces, _ = _faces(n, partner, crossed, rows, cols)
        root = []
        for s in range(n):
            while parent[s] != s:
                s = parent[s]
            root.append(s)
        covs: dict = {}
        for s in range(n):
            covs.setdefault(root[s], []).extend(decs[s])
        for k in range(n):
            l = partner[k]
            if l < k:
                continue
            rk, ck = (k + rows[k]) % n, (k + cols[k]) % n
            if rcov[k] is not None:
                covs[root[rk]].append(rcov[k])
            if ccov[k] is not None:
                covs[root[ck]].append(ccov[k])
        key = tuple(sorted((spaces[r], tuple(sorted(c))) for r, c in covs.items()))
        chi = 1 - n // 2 + faces
        out[(chi, key)] = out.get((chi, key), 0) + 1
    return out


def monomial_exact(key: tuple, diagonals: Mapping, sizes: Mapping) -> Fraction:
    """The exact value of a :attr:`~diagrams.engine.wick.Contraction.monomial` key: a face without
    covariances gives the size of its space (``sizes`` by space name), one with covariances
    ``sum_i prod_C C_i`` over the eigenvalues of its space (``diagonals`` by name, exact)."""
    out = Fraction(1)
    for space, covs in key:
        if not covs:
            out *= sizes[space]
            continue
        vecs = [diagonals[c] for c in covs]
        total = Fraction(0)
        for i in range(len(vecs[0])):
            p = Fraction(1)
            for v in vecs:
                p *= v[i]
            total += p
        out *= total
    return out


def chi_sums(model, order: int, values: Mapping, chis=(1,), *, tallies: dict | None = None) -> dict:
    """``{chi: exact sum}`` of the diagrams of order ``gamma^-order`` of the observable at ``values``,
    for each ``chi`` in ``chis`` (one pruned enumeration down to ``min(chis)``).

    Every word of the order (:func:`~diagrams.analysis.expansion.terms` at ``values``, so a term whose
    prefactor vanishes there is left out) is enumerated by :func:`face_tally`; its diagrams are valued
    exactly by :func:`monomial_exact`.  ``tallies``: a dict shared between calls (e.g. at several
    parameter sets) that keeps the tally of each word.  At most :data:`MAX_CHI_ORDER`.

    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> chi_sums(rf, 2, {"N": 2, "T": 3, "spectrum": [1, "1/2", "1/3"]}, (2, 1, 0))
    {2: Fraction(...), 1: Fraction(5921, 1944), 0: Fraction(...)}
    """
    from diagrams.analysis.expansion import terms

    from diagrams.engine.numbers import read_integer
    from diagrams.models.declaration import Model

    order = check_order(order, "order", maximum=MAX_CHI_ORDER)
    if not isinstance(model, Model):
        raise ValueError(f"model: expected a declared Model, got {type(model).__name__}")
    if not isinstance(values, Mapping):
        raise ValueError(f"values: a mapping of parameter values, got {type(values).__name__}")
    vals = model.read_values(values, require=[p.name for p in model.parameters])
    if isinstance(chis, (str, bytes)) or not hasattr(chis, "__iter__"):
        raise ValueError(f"chis: a list of Euler characteristics (integers <= 2), got {chis!r}")
    chis = tuple(read_integer(c, "chis", minimum=-4 * order - 10, maximum=2) for c in chis)
    if not chis:
        raise ValueError("chis: give at least one Euler characteristic (an integer <= 2)")
    diag = {k: [Fraction(x) for x in v] for k, v in model.diagonal_values(vals, exact=True).items()}
    sizes = {sp.name: model.size_of(sp, vals) for sp in model.spaces.values()}
    symbols = {k: v for k, v in model.symbol_values(vals).items()}
    import sympy

    subs = {k: (sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v)
            for k, v in symbols.items()}
    out = {c: Fraction(0) for c in chis}
    cache: dict = {}
    for t in terms(model, order, values=vals):
        pref = sympy.sympify(t.prefactor * t.coefficient).xreplace(subs)
        if not pref.is_Rational:
            raise ValueError(f"values: the prefactor {t.prefactor} is not a number at these values")
        pref = Fraction(int(pref.p), int(pref.q))
        if t.word is None:
            if 2 in out:
                from diagrams.analysis.expansion import evaluate

                out[2] += pref * evaluate(t.constant, model, vals)
            continue
        if any(n % 2 for n in t.word.counts().values()):
            continue                                # an odd number of a matrix: no contraction, zero
        tkey = (t.word, min(chis))
        tally = tallies.get(tkey) if tallies is not None else None
        if tally is None:
            tally = face_tally(t.word, min(chis))
            if tallies is not None:
                tallies[tkey] = tally
        for (chi, key), w in tally.items():
            if chi not in out:
                continue
            if key not in cache:
                cache[key] = monomial_exact(key, diag, sizes)
            out[chi] += pref * w * cache[key]
    return out


def chi_coefficient(model, order: int, values: Mapping, chi: int = 1, *, tallies: dict | None = None) -> Fraction:
    """The exact sum of the diagrams with Euler characteristic ``chi`` at order ``gamma^-order``
    (:func:`chi_sums`).

    >>> from diagrams.models.registry import load_model
    >>> chi_coefficient(load_model("ridge"), 2, {"T": 3, "spectrum": [1, "1/2", "1/3"]})
    Fraction(251, 144)
    """
    return chi_sums(model, order, values, (chi,), tallies=tallies)[chi]
