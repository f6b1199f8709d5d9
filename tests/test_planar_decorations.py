"""Planar recursions on words with diagonal matrices at their slots.

Reference route: the exhaustive Wick enumeration (``wick.contractions``), kept when ``is_planar``,
valued face by face (``.monomial``, ``.value``) -- it traces every index loop through the slots and
meets the decorations there, independently of the junction recursion of ``diagrams.engine.planar``.
Words are random closed walks over three index spaces with real matrices carrying covariances on
both sides, a symmetric and a hermitian matrix, and 0-2 diagonal matrices per slot.
"""

import random
from collections import Counter
from fractions import Fraction

import pytest
import sympy

from diagrams.engine.matrices import Diagonal, GaussianMatrix
from diagrams.engine.planar import (count_planar, planar_contractions, planar_expectation,
                                    planar_expectation_exact, planar_monomials, planar_sum)
from diagrams.engine.spaces import Space
from diagrams.engine.symbols import canonical_cycle, evaluate_traces, trace_symbol
from diagrams.engine.wick import contractions, expectation
from diagrams.engine.words import Word

V = Space("v", "n")
W = Space("w", "p", "dashed")
U = Space("u", "q", "dotted")
MATS = [
    GaussianMatrix("A", V, W, row_cov="Lambda", col_cov="Sigma"),
    GaussianMatrix("B", W, W, row_cov="Omega"),
    GaussianMatrix("C", U, V, col_cov="Lambda"),
    GaussianMatrix("G", V, U),
    GaussianMatrix("S", V, V, symmetry="symmetric"),
    GaussianMatrix("H", U, U, symmetry="hermitian"),
]
DIAGS = {V.name: [Diagonal("D", V), Diagonal("E", V)], W.name: [Diagonal("F", W)],
         U.name: [Diagonal("K", U), Diagonal("P", U)]}
NAMES = ["Lambda", "Sigma", "Omega", "D", "E", "F", "K", "P"]


def random_decorated_words(seed, count, max_len=10, p_decoration=0.5):
    rng = random.Random(seed)
    letters = [m.letter for m in MATS] + [m.T for m in MATS if m.symmetry != "hermitian"]
    spaces = [V, W, U]
    out = []
    while len(out) < count:
        length = rng.choice(range(2, max_len + 1, 2))
        start = rng.choice(spaces)
        cur, word = start, []
        for _ in range(length - 1):
            a = rng.choice([a for a in letters if a.left == cur])
            word.append(a)
            cur = a.right
        closing = [a for a in letters if a.left == cur and a.right == start]
        if not closing:
            continue
        word.append(rng.choice(closing))
        counts = Counter(a.matrix.name for a in word)
        if any(v % 2 for v in counts.values()):
            continue
        decorations = []
        for a in word:
            pool = DIAGS[a.left.name]
            k = rng.choice([0, 1, 1, 2]) if rng.random() < p_decoration else 0
            decorations.append(tuple(rng.choice(pool) for _ in range(k)))
        w = Word(tuple(word), tuple(decorations))
        if count_planar(w) == 0 or not w.decorations:
            continue
        out.append(w)
    return out


WORDS = random_decorated_words(7, 80)


def planar_reference(word):
    return [c for c in contractions(word) if c.is_planar]


def test_the_random_words_are_varied():
    kinds = {a.matrix.symmetry for w in WORDS for a in w}
    assert kinds == {"real", "symmetric", "hermitian"}
    assert max(len(w) for w in WORDS) == 10
    assert any(len(ds) == 2 and ds[0] != ds[1] for w in WORDS for ds in w.decorations)
    assert {d.space.name for w in WORDS for d in w.diagonals().values()} == {"v", "w", "u"}


@pytest.mark.parametrize("idx", range(len(WORDS)))
def test_monomials_and_values_equal_enumeration(idx):
    word = WORDS[idx]
    ref = planar_reference(word)
    assert count_planar(word) == len(ref)
    assert planar_monomials(word) == dict(Counter(c.monomial for c in ref))
    assert sympy.expand(planar_expectation(word) - sympy.Add(*[c.value for c in ref])) == 0
    assert set(planar_contractions(word)) == set(ref)


def _weight(space, covs):
    key = (space.name, canonical_cycle(covs))
    return 2 + sum((i + 5) * ord(ch) for i, ch in enumerate(repr(key))) % 101


@pytest.mark.parametrize("idx", range(0, len(WORDS), 3))
def test_generic_sum_equals_enumeration(idx):
    word = WORDS[idx]
    ref = planar_reference(word)

    def product(weight):
        total = 0
        for c in ref:
            p = 1
            for f in c.faces:
                p *= weight(f.space, f.covariances)
            total += p
        return total

    assert planar_sum(word, _weight) == product(_weight)

    def commuting(space, covs):
        return _weight(space, tuple(sorted(covs)))

    assert planar_sum(word, commuting, commutative=True) == product(commuting)


DIAGONAL_SETS = [
    # all different, one constant decoration
    {"Lambda": [1, "1/2", "1/3"], "Sigma": ["2/5", 1, "3/7"], "Omega": [3, "1/4", 2],
     "D": ["1/2", 2, "5/3"], "E": ["7/2", "7/2", "7/2"], "F": [1, 2, 3], "K": ["1/9", 4, 1],
     "P": [2, "1/5", "1/5"]},
    # equal diagonals identified across names, constants
    {"Lambda": [1, "1/4", 2], "Sigma": [1, "1/4", 2], "Omega": ["1/3"] * 3,
     "D": [1, "1/4", 2], "E": [2, 2, 2], "F": ["1/2", 1, "1/3"], "K": [5, 5, 5], "P": [1, "1/4", 2]},
]
SIZES = {"n": 3, "p": "7/2", "q": 5}


@pytest.mark.parametrize("which", range(len(DIAGONAL_SETS)))
@pytest.mark.parametrize("idx", range(0, len(WORDS), 2))
def test_exact_equals_enumeration_evaluated(idx, which):
    word = WORDS[idx]
    diag = DIAGONAL_SETS[which]
    value = sympy.Add(*[c.value for c in planar_reference(word)])
    expected = evaluate_traces(value, diag, SIZES)
    assert expected.is_Rational
    exact = planar_expectation_exact(word, diag, SIZES)
    assert isinstance(exact, Fraction)
    assert exact == Fraction(int(expected.p), int(expected.q))


def test_exact_needs_the_diagonals_of_the_decorations():
    word = next(w for w in WORDS if "D" in w.diagonals())
    diag = {k: v for k, v in DIAGONAL_SETS[0].items() if k != "D"}
    with pytest.raises(ValueError, match="'D'"):
        planar_expectation_exact(word, diag, SIZES)


def test_hand_example():
    """tr(x^T D x x^T x): planar part T^2 tr(D Lambda^2) + T tr(D Lambda) tr(Lambda), by hand."""
    latent, train = Space("latent", "M"), Space("train", "T")
    x = GaussianMatrix("x", latent, train, row_cov="Lambda")
    D = Diagonal("D", latent)
    T = train.size
    w = Word.parse("x^T D x x^T x", [x, D])
    want = T ** 2 * trace_symbol("D", "Lambda", "Lambda") + T * trace_symbol("D", "Lambda") * trace_symbol("Lambda")
    assert sympy.expand(planar_expectation(w) - want) == 0
    got = planar_expectation_exact(w, {"Lambda": [1, 2], "D": [3, "1/2"]}, {"T": 4})
    assert got == 16 * (3 + Fraction(1, 2) * 4) + 4 * (3 + 1) * 3


@pytest.mark.parametrize("idx", range(0, len(WORDS), 4))
def test_faces_do_not_depend_on_where_the_trace_is_read(idx):
    """Rotating or transposing a trace permutes its contractions and keeps every face's cyclic word
    (decorations at one slot are met in the order the face passes them)."""
    word = WORDS[idx]
    ref = Counter(c.monomial for c in contractions(word))
    for other in (word.rotate(1), word.rotate(len(word) - 1), word.transpose()):
        assert Counter(c.monomial for c in contractions(other)) == ref
        assert planar_monomials(other) == planar_monomials(word)
    assert sympy.expand(expectation(word) - expectation(word.transpose())) == 0
