"""Genus-resolved Wick sums from the loop equations (``diagrams.engine.genus``), by independent routes.

* the exhaustive Wick enumerator (``wick.contractions``) split by Euler characteristic and by
  orientability: every word of the random-feature loss up to order 4 (symbolic), random small
  words with real, symmetric and hermitian matrices, covariances on both sides and decorations;
* published counts of one-vertex maps: Harer-Zagier numbers (OEIS A035309) for the GUE, and for the
  GOE the rooted one-vertex maps of every locally orientable surface (OEIS A000108, A035309,
  A000346, A118447, A118448, A118449 and the total ``2^n (2n-1)!!``);
* the brute-force exact coefficients of the random-feature loss words at orders <= 5, and a
  Monte-Carlo simulation (numpy) of the order-6 words at small sizes.
"""

import os
import random
from fractions import Fraction
from math import comb, prod

import numpy as np
import pytest
import sympy

from diagrams.engine.genus import (MAX_LETTERS, count_by_genus, genus_expansion, genus_expansion_exact,
                                   genus_monomials, genus_sum_exact, max_letters)
from diagrams.engine.loop_equations import InsertionAlgebra, LoopEquations
from diagrams.engine.matrices import Diagonal, GaussianMatrix
from diagrams.engine.spaces import Space
from diagrams.engine.wick import contractions, count_contractions, expectation
from diagrams.engine.words import Word
from diagrams.models.random_features.expansion import loss_terms
from diagrams.models.random_features.model import MATRICES

V = Space("v", "n")
W = Space("w", "p", "dashed")
H = GaussianMatrix("H", V, V, symmetry="hermitian")
S = GaussianMatrix("S", V, V, symmetry="symmetric")
K = GaussianMatrix("K", W, W, symmetry="symmetric")
A = GaussianMatrix("A", V, W, row_cov="Lam", col_cov="Sig")
B = GaussianMatrix("B", V, V, row_cov="R")
C = GaussianMatrix("C", W, V)
D = Diagonal("D", V)
F = Diagonal("F", W)
G = Diagonal("G", V)
LETTERS = [A.letter, A.T, B.letter, B.T, C.letter, C.T, S.letter, S.T, H.letter, K.letter]


# --------------------------------------------------------------------------------------------
# the reference route: every contraction, split by (chi, orientable)
# --------------------------------------------------------------------------------------------

_ENUMERATED: dict = {}


def enumerated(word, orientable=None):
    """``{chi: {monomial: count}}`` from the exhaustive enumerator (one pass per word, remembered)."""
    split = _ENUMERATED.get(word)
    if split is None:
        split = {}
        for c in contractions(word):
            d = split.setdefault((c.euler_characteristic, c.is_orientable), {})
            d[c.monomial] = d.get(c.monomial, 0) + 1
        _ENUMERATED[word] = split
    out = {}
    for (chi, ori), mono in split.items():
        if orientable is not None and ori != orientable:
            continue
        d = out.setdefault(chi, {})
        for k, v in mono.items():
            d[k] = d.get(k, 0) + v
    return out


def nonzero(by_chi, commuting=False):
    """Drop empty entries; with ``commuting`` compare faces as multisets of matrix names (the
    enumerator writes several decorations of one slot in a fixed order, which is the true order
    around a face only up to commuting diagonal matrices)."""
    out = {}
    for chi, mono in by_chi.items():
        for key, v in mono.items():
            if not v:
                continue
            if commuting:
                key = tuple(sorted((s, tuple(sorted(c))) for s, c in key))
            out.setdefault(chi, {})
            out[chi][key] = out[chi].get(key, 0) + v
    return out


def random_word(rng, length, decorate=0.3, several=False):
    """A random valid word: letters chained by their spaces, each matrix an even number of times."""
    while True:
        space, letters = V, []
        for _ in range(length):
            a = rng.choice([x for x in LETTERS if x.left == space])
            letters.append(a)
            space = a.right
        if space != V:
            continue
        counts = {}
        for a in letters:
            counts[a.matrix.name] = counts.get(a.matrix.name, 0) + 1
        if any(v % 2 for v in counts.values()):
            continue
        decs = []
        for a in letters:
            ds = []
            if rng.random() < decorate:
                ds.append(D if a.left == V else F)
                if several and a.left == V and rng.random() < 0.5:
                    ds.append(G)
            decs.append(tuple(ds))
        return Word(tuple(letters), tuple(decs))


# --------------------------------------------------------------------------------------------
# against the exhaustive enumeration
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("order", [0, 1, 2, 3, pytest.param(4, marks=pytest.mark.slow)])
def test_random_feature_words_match_enumeration_by_chi_and_orientability(order):
    for term in loss_terms(order):
        w = term.word
        for orientable in (None, True, False):
            ref = nonzero(enumerated(w, orientable))
            assert nonzero(genus_monomials(w, orientable=orientable)) == ref
            for min_chi in (1, 0):
                got = nonzero(genus_monomials(w, orientable=orientable, min_chi=min_chi))
                assert got == {chi: m for chi, m in ref.items() if chi >= min_chi}


@pytest.mark.parametrize("seed", range(6))
def test_random_words_with_symmetric_hermitian_covariances_and_decorations(seed):
    rng = random.Random(seed)
    for _ in range(20):
        several = rng.random() < 0.3
        w = random_word(rng, rng.choice([2, 4, 6, 8, 10]), several=several)
        for orientable in (None, True, False):
            ref = nonzero(enumerated(w, orientable), several)
            for method in ("full", "connected"):
                for min_chi in (None, 1, 0, -1):
                    got = nonzero(genus_monomials(w, orientable=orientable, min_chi=min_chi, method=method),
                                  several)
                    assert got == {chi: m for chi, m in ref.items() if min_chi is None or chi >= min_chi}, (
                        str(w), orientable, method, min_chi)


def test_twisted_pairings_and_covariances_on_both_sides():
    """Hand-picked words where a twist reverses a segment that holds covariances and decorations."""
    for text in ["A A^T A A^T", "A C A C", "A F A^T D A C C^T A^T", "B B B B", "B D B^T B G B^T",
                 "S S S S S S", "H H H H H H", "A K A^T A K A^T", "D G A F K K A^T B^T S B S"]:
        w = Word.parse(text, {"A": A, "B": B, "C": C, "S": S, "H": H, "K": K, "D": D, "G": G, "F": F})
        for orientable in (None, True, False):
            assert nonzero(genus_monomials(w, orientable=orientable)) == nonzero(enumerated(w, orientable)), text


def test_sum_over_chi_is_the_exact_expectation():
    rng = random.Random(11)
    for _ in range(10):
        w = random_word(rng, 8)
        total = sum(genus_expansion(w).values())
        assert sympy.expand(total - expectation(w)) == 0
        split = genus_expansion(w, by_orientability=True)
        assert sympy.expand(sum(split.values()) - total) == 0


def test_counts_add_up_to_the_number_of_contractions():
    rng = random.Random(3)
    for _ in range(10):
        w = random_word(rng, 10, decorate=0)
        counts = count_by_genus(w)
        assert sum(counts.values()) == count_contractions(w)
        ref = {}
        for c in contractions(w):
            key = (c.euler_characteristic, c.is_orientable)
            ref[key] = ref.get(key, 0) + 1
        assert {k: v for k, v in counts.items() if v} == ref


# --------------------------------------------------------------------------------------------
# published tables of one-vertex maps
# --------------------------------------------------------------------------------------------

#: OEIS A035309 (Harer-Zagier): gluings of a 2n-gon into an orientable surface of genus g.
A035309 = {1: [1], 2: [2, 1], 3: [5, 10], 4: [14, 70, 21], 5: [42, 420, 483], 6: [132, 2310, 6468, 1485]}
#: Rooted one-vertex maps with n edges on non-orientable surfaces with k crosscaps:
#: k = 1 projective plane, OEIS A000346 (a(n-1) = 2^(2n-1) - binomial(2n-1, n)); k = 2 Klein bottle,
#: OEIS A118447; k = 3, OEIS A118448; k = 4, OEIS A118449 (Liskovets; Arques-Giorgetti 2000).
NON_ORIENTABLE = {
    1: {1: 1, 2: 5, 3: 22, 4: 93, 5: 386, 6: 1586},
    2: {2: 4, 3: 42, 4: 304, 5: 1870, 6: 10488},
    3: {3: 41, 4: 690, 5: 7150, 6: 58760},
    4: {4: 488, 5: 11660, 6: 160680},
}


@pytest.mark.parametrize("m", range(1, 7))
def test_gue_one_vertex_maps_are_harer_zagier(m):
    """GUE ``<tr H^2m>``: orientable maps only, counted by genus as in OEIS A035309."""
    counts = count_by_genus(Word.parse(" ".join(["H"] * (2 * m)), [H]))
    assert all(v == 0 for (chi, ori), v in counts.items() if not ori)
    assert [counts[(2 - 2 * g, True)] for g in range(m // 2 + 1)] == A035309[m]
    expansion = genus_expansion(Word.parse(" ".join(["H"] * (2 * m)), [H]))
    for g, c in enumerate(A035309[m]):
        assert expansion[2 - 2 * g] == c * V.size ** (m + 1 - 2 * g)


@pytest.mark.parametrize("m", range(1, 7))
def test_goe_one_vertex_maps_by_euler_characteristic_match_published_counts(m):
    """GOE ``<tr S^2m>`` (``<S_ab S_cd> = d_ac d_bd + d_ad d_bc``) is the sum over the ``2^m (2m-1)!!``
    gluings of a 2m-gon into locally orientable surfaces -- the rooted one-vertex maps -- of
    ``n^faces`` (Goulden & Jackson, "Maps in locally orientable surfaces and integrals over real
    symmetric matrices", Canad. J. Math. 49 (1997) 865-882).  Orientable counts: OEIS A035309
    (Harer-Zagier); non-orientable ones with 1-4 crosscaps: OEIS A000346, A118447, A118448,
    A118449.  The entries no table above covers (5 and 6 crosscaps at m = 5, 6) are checked through
    the total number of gluings."""
    word = Word.parse(" ".join(["S"] * (2 * m)), [S])
    counts = count_by_genus(word)
    for g, c in enumerate(A035309[m]):
        assert counts[(2 - 2 * g, True)] == c
    for chi in range(2 - m, 3):
        if chi % 2 and counts[(chi, True)]:
            pytest.fail(f"an orientable map with odd chi = {chi}")
    for crosscaps, row in NON_ORIENTABLE.items():
        assert counts.get((2 - crosscaps, False), 0) == row.get(m, 0), crosscaps
    assert counts[(2, False)] == 0
    assert counts[(2, True)] == comb(2 * m, m) // (m + 1)           # Catalan, OEIS A000108
    assert sum(counts.values()) == 2 ** m * prod(range(2 * m - 1, 0, -2))
    # each map of Euler characteristic chi has F = chi - 1 + m faces: value n^F
    expansion = genus_expansion(word, by_orientability=True)
    for (chi, ori), v in expansion.items():
        assert v == counts[(chi, ori)] * V.size ** (chi - 1 + m)


# --------------------------------------------------------------------------------------------
# exact coefficients of the random-feature loss
# --------------------------------------------------------------------------------------------

SPECTRUM = [Fraction(1), Fraction(1, 2)]
DIAGONALS = {"Lambda": SPECTRUM, "Lambdahat": [Fraction(1, 3), Fraction(1)],
             "Sigma": [Fraction(1, 2), Fraction(1, 4)]}
SIZES = {"N": 2, "T": 3, "That": 2}


def brute_exact(word, diagonals, sizes):
    """``{(chi, orientable): Fraction}`` summed over every contraction, faces valued directly."""
    dim = len(next(iter(diagonals.values())))
    face_values: dict = {}
    out = {}
    for c in contractions(word):
        val = Fraction(1)
        for f in c.faces:
            fv = face_values.get((f.space.name, f.covariances))
            if fv is None:
                if f.covariances:
                    fv = sum(prod(Fraction(diagonals[name][i]) for name in f.covariances) for i in range(dim))
                else:
                    fv = Fraction(sizes[f.space.size.name])
                face_values[(f.space.name, f.covariances)] = fv
            val *= fv
        key = (c.euler_characteristic, c.is_orientable)
        out[key] = out.get(key, 0) + val
    return out


def exact_by_key(result):
    return {k: v for k, v in result.items() if v}


@pytest.mark.parametrize("order", [1, 2, 3, pytest.param(4, marks=pytest.mark.slow)])
def test_random_feature_exact_coefficients_equal_brute_force(order):
    terms = loss_terms(order)
    total = {}
    for t in terms:
        ref = brute_exact(t.word, DIAGONALS, SIZES)
        got = genus_expansion_exact(t.word, DIAGONALS, SIZES, by_orientability=True)
        assert exact_by_key(got) == {k: v for k, v in ref.items() if v}
        for k, v in ref.items():
            total[k] = total.get(k, 0) + t.coefficient * v
    summed = genus_sum_exact([(t.coefficient, t.word) for t in terms], DIAGONALS, SIZES, by_orientability=True)
    assert exact_by_key(summed) == {k: v for k, v in total.items() if v}
    for min_chi in (1, 0):
        part = genus_sum_exact([(t.coefficient, t.word) for t in terms], DIAGONALS, SIZES, min_chi=min_chi)
        for chi, v in part.items():
            assert v == total.get((chi, True), 0) + total.get((chi, False), 0)


#: The order-5 brute force takes about two minutes a word: CI checks one word (the one whose ``x x^T x``
#: block sits between feature loops on both sides); ``DIAGRAMS_ALL_ORDER_5=1`` checks all five and their sum
#: (about 12 minutes).
ORDER_5_WORDS = range(5) if os.environ.get("DIAGRAMS_ALL_ORDER_5") == "1" else [2]


@pytest.mark.slow
def test_random_feature_exact_coefficients_equal_brute_force_order_5():
    """Every order <= 4 is checked word by word above, the sum of order 6 against simulation below."""
    terms = [loss_terms(5)[i] for i in ORDER_5_WORDS]
    ref = {}
    for t in terms:
        for k, v in brute_exact(t.word, DIAGONALS, SIZES).items():
            ref[k] = ref.get(k, 0) + t.coefficient * v
    got = genus_sum_exact([(t.coefficient, t.word) for t in terms], DIAGONALS, SIZES, by_orientability=True)
    assert exact_by_key(got) == {k: v for k, v in ref.items() if v}


#: Simulation parameters for order 6: large enough that the trace of a 26-letter product is not so
#: heavy-tailed that 10^5 draws misjudge its mean and standard error (at N, T, M ~ 2-4 the simulated
#: mean falls 3-6 "standard errors" low), small enough that the non-planar maps are half the value.
MC_M = 8
MC_DIAGONALS = {"Lambda": [Fraction(1, i + 1) for i in range(MC_M)],
                "Lambdahat": [Fraction(2, i + 2) for i in range(MC_M)],
                "Sigma": [Fraction(3 + i % 2, 3 * MC_M) for i in range(MC_M)]}
MC_SIZES = {"N": 12, "T": 16, "That": 4}


def _simulate_word(word, draws, rng, sizes, diagonals, chunk=20_000):
    """Monte-Carlo ``<tr(word)>`` with numpy batched matrix products: (mean, standard error)."""
    dims = {"feature": sizes["N"], "train": sizes["T"], "test": sizes["That"],
            "latent": len(next(iter(diagonals.values())))}
    sqrt = {k: np.sqrt(np.array([float(x) for x in v])) for k, v in diagonals.items()}
    values = []
    for _ in range(draws // chunk):
        samples = {}
        for name, m in MATRICES.items():
            Z = rng.standard_normal((chunk, dims[m.rows.name], dims[m.cols.name]))
            if m.row_cov:
                Z = Z * sqrt[m.row_cov][None, :, None]
            if m.col_cov:
                Z = Z * sqrt[m.col_cov][None, None, :]
            samples[name] = Z
        out = None
        for a in word:
            X = samples[a.matrix.name]
            if a.transposed:
                X = np.swapaxes(X, 1, 2)
            out = X if out is None else out @ X
        values.append(np.trace(out, axis1=1, axis2=2))
    vals = np.concatenate(values)
    return vals.mean(), vals.std(ddof=1) / np.sqrt(len(vals))


@pytest.mark.slow
def test_random_feature_order_6_all_genera_match_simulation():
    """Order 6 (26-letter words, 10^10 contractions each): the exact all-genus value of every word at
    N=12, T=16, That=4, M=8 with non-isotropic diagonal covariances (Lambda, Lambdahat and Sigma all
    different and non-constant) against 2 x 10^5 simulated draws, within 5 standard errors.  The
    simulation resolves the maps with chi <= 0 (about half the value): planar + one crosscap alone is
    more than 5 standard errors away."""
    rng = np.random.default_rng(2024)
    for t in loss_terms(6):
        by_chi = genus_expansion_exact(t.word, MC_DIAGONALS, MC_SIZES)
        exact = float(sum(by_chi.values()))
        mean, se = _simulate_word(t.word, 200_000, rng, MC_SIZES, MC_DIAGONALS)
        assert abs(exact - mean) < 5 * se, (str(t.word), exact, mean, se)
        assert abs(float(by_chi[2] + by_chi[1]) - mean) > 5 * se


# --------------------------------------------------------------------------------------------
# the recursion object, progress and guards
# --------------------------------------------------------------------------------------------

def test_loop_equations_methods_agree_on_the_random_feature_words():
    class Counting(InsertionAlgebra):
        def face(self, space, gap):
            return 1

    for t in loss_terms(4):
        full = LoopEquations(Counting()).expectation(t.word, method="full")
        conn = LoopEquations(Counting()).expectation(t.word, method="connected")
        assert full == conn
        assert sum(full) == count_contractions(t.word)


def test_progress_is_reported(monkeypatch):
    import diagrams.engine.loop_equations as loop_equations
    monkeypatch.setattr(loop_equations, "PROGRESS_EVERY", 100)
    seen = []
    genus_sum_exact([(t.coefficient, t.word) for t in loss_terms(6)], DIAGONALS, SIZES,
                    progress=seen.append)
    assert seen and all(b > a for a, b in zip(seen, seen[1:]))


def test_bounds_are_checked_before_any_work():
    long_word = Word.parse(" ".join(["S"] * (MAX_LETTERS["symbolic"][None] + 2)), [S])
    with pytest.raises(ValueError, match=r"word: at most 26 letters"):
        genus_expansion(long_word)
    genus_expansion(long_word, min_chi=1)             # the per-chi recursion takes it
    very_long = Word.parse(" ".join(["S"] * (max_letters("exact", 1) + 2)), [S])
    with pytest.raises(ValueError, match=r"word: at most 160 letters"):
        genus_expansion_exact(very_long, {}, {"n": 2}, min_chi=1)
    with pytest.raises(ValueError, match=r"word: at most 50 letters"):
        count_by_genus(Word.parse(" ".join(["S"] * 52), [S]))


@pytest.mark.parametrize("bad", [3, "x", 1.5, -1000, True])
def test_bad_min_chi(bad):
    with pytest.raises(ValueError, match="min_chi"):
        genus_expansion(Word.parse("S S", [S]), min_chi=bad)


def test_bad_words_and_values():
    with pytest.raises(ValueError, match="word: expected a Word"):
        genus_expansion("S S")
    with pytest.raises(ValueError, match="occurs 3 times"):
        count_by_genus(Word.parse("S S S", [S]))
    w = Word.parse("A A^T", [A])
    with pytest.raises(ValueError, match="diagonals: no diagonal given for 'Sig'"):
        genus_expansion_exact(w, {"Lam": [1, 2]}, {})
    with pytest.raises(ValueError, match="different lengths"):
        genus_expansion_exact(Word.parse("D A A^T", {"A": A, "D": D}), {"Lam": [1, 2], "Sig": [1], "D": [1, 2, 3]})
    with pytest.raises(ValueError, match="sizes: faces of space 'v'"):
        genus_expansion_exact(Word.parse("S S", [S]), {}, {})
    with pytest.raises(ValueError, match="orientable"):
        genus_monomials(Word.parse("S S", [S]), orientable="yes")
    with pytest.raises(ValueError, match="max_states"):
        genus_expansion_exact(loss_terms(6)[-1].word, DIAGONALS, SIZES, max_states=50)
    with pytest.raises(ValueError, match="method"):
        genus_expansion(Word.parse("S S", [S]), method="fast")
