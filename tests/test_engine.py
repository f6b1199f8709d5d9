"""The generic engine: words, Wick contractions, ribbon graphs, values.

Independent routes: Harer-Zagier numbers from their own recursion (and OEIS A035309 rows),
Catalan numbers, and Monte-Carlo simulation of the same words with numpy.
"""

from fractions import Fraction
from math import comb

import networkx as nx
import numpy as np
import pytest
import sympy

from diagrams.engine.matrices import GaussianMatrix
from diagrams.engine.ribbon import (euler_characteristic, euler_genus, face_counts, faces, genus,
                                    is_orientable, is_planar, ribbon_graph, value)
from diagrams.engine.spaces import Space
from diagrams.engine.symbols import evaluate_traces, trace_symbol
from diagrams.engine.wick import Contraction, contractions, count_contractions, expectation
from diagrams.engine.words import Word
from diagrams.models.random_features.model import MATRICES

V = Space("v", "n")
H = GaussianMatrix("H", V, V, symmetry="hermitian")
S = GaussianMatrix("S", V, V, symmetry="symmetric")
n = V.size


def harer_zagier(nmax):
    """epsilon_g(n) by the Harer-Zagier recursion
    (n+1) e_g(n) = (4n-2) e_g(n-1) + (n-1)(2n-1)(2n-3) e_{g-1}(n-2)."""
    e = {(0, 0): 1, (0, 1): 1}
    for m in range(2, nmax + 1):
        for g in range(0, m // 2 + 1):
            val = (4 * m - 2) * e.get((g, m - 1), 0) + (m - 1) * (2 * m - 1) * (2 * m - 3) * e.get((g - 1, m - 2), 0)
            assert val % (m + 1) == 0
            e[(g, m)] = val // (m + 1)
    return e


OEIS_A035309 = {1: [1], 2: [2, 1], 3: [5, 10], 4: [14, 70, 21], 5: [42, 420, 483], 6: [132, 2310, 6468, 1485]}


@pytest.mark.parametrize("m", range(1, 7))
def test_gue_genus_distribution_is_harer_zagier(m):
    word = Word.parse(" ".join(["H"] * (2 * m)), [H])
    counts = {}
    for c in contractions(word):
        G = ribbon_graph(c)
        assert is_orientable(G)
        counts[genus(G)] = counts.get(genus(G), 0) + 1
    hz = harer_zagier(m)
    expected = [hz[(g, m)] for g in range(m // 2 + 1)]
    assert [counts.get(g, 0) for g in range(len(expected))] == expected == OEIS_A035309[m]
    assert sum(counts.values()) == count_contractions(word)
    # genus 0 = Catalan numbers
    assert counts[0] == comb(2 * m, m) // (m + 1)
    # and the value of a genus-g map is n^(m + 1 - 2g)
    assert sympy.expand(expectation(word) - sum(hz[(g, m)] * n ** (m + 1 - 2 * g) for g in range(m // 2 + 1))) == 0


def _goe_sample(size, draws, rng):
    G = rng.standard_normal((draws, size, size))
    return (G + np.swapaxes(G, 1, 2)) / np.sqrt(2)


@pytest.mark.parametrize("m", [1, 2, 3])
def test_goe_all_genus_sum_matches_simulation(m):
    word = Word.parse(" ".join(["S"] * (2 * m)), [S])
    cs = list(contractions(word))
    assert len(cs) == count_contractions(word) == 2 ** m * int(np.prod(range(2 * m - 1, 0, -2)))
    assert any(not c.is_orientable for c in cs)  # twisted gluings occur
    exact = expectation(word).subs(n, 3)
    rng = np.random.default_rng(1)
    Ms = _goe_sample(3, 200_000, rng)
    vals = np.trace(np.linalg.matrix_power(Ms, 2 * m), axis1=1, axis2=2)
    mean, se = vals.mean(), vals.std(ddof=1) / np.sqrt(len(vals))
    assert abs(float(exact) - mean) < 5 * se, (exact, mean, se)


def test_goe_tr_m2_topology():
    word = Word.parse("S S", [S])
    graphs = [ribbon_graph(c) for c in contractions(word)]
    kinds = sorted((is_orientable(G), euler_characteristic(G), str(value(G))) for G in graphs)
    # the projective plane (one face, twisted) and the sphere (two faces)
    assert kinds == [(False, 1, "n"), (True, 2, "n**2")]
    twisted = [G for G in graphs if not is_orientable(G)][0]
    assert euler_genus(twisted) == 1 and genus(twisted) == Fraction(1, 2)


# ---- the model's matrices against simulation at small sizes ----------------------------------

SIZES = {"N": 2, "T": 3, "That": 2}
LAM = [1, Fraction(1, 2)]
LAMHAT = [Fraction(1, 2), Fraction(1, 3)]
SIG = [Fraction(1, 3), Fraction(1, 4)]


def _simulate_word(word, draws, rng):
    """Monte Carlo of tr(word) with independent draws of u, x, xhat (general diagonal covariances)."""
    Mdim = len(LAM)
    sq = lambda v: np.sqrt(np.array(v, dtype=float))
    mats = {
        "x": sq(LAM)[None, :, None] * rng.standard_normal((draws, Mdim, SIZES["T"])),
        "xhat": sq(LAMHAT)[None, :, None] * rng.standard_normal((draws, Mdim, SIZES["That"])),
        "u": rng.standard_normal((draws, SIZES["N"], Mdim)) * sq(SIG)[None, None, :],
    }
    prod = None
    for a in word:
        m = mats[a.matrix.name]
        if a.transposed:
            m = np.swapaxes(m, 1, 2)
        prod = m if prod is None else prod @ m
    return np.trace(prod, axis1=1, axis2=2)


@pytest.mark.parametrize("text", [
    "xhat^T x x^T u^T u xhat",
    "xhat^T u^T u x x^T x x^T u^T u xhat",
    "x^T u^T u x x^T u^T u x",
    "u x x^T u^T u xhat xhat^T u^T",
])
def test_all_genus_value_matches_simulation(text):
    word = Word.parse(text, MATRICES)
    exact = evaluate_traces(expectation(word, "all"),
                            {"Lambda": LAM, "Lambdahat": LAMHAT, "Sigma": SIG}, SIZES)
    assert exact.is_Rational
    rng = np.random.default_rng(abs(hash(text)) % 2**32)
    vals = np.concatenate([_simulate_word(word, 200_000, rng) for _ in range(4)])
    mean, se = vals.mean(), vals.std(ddof=1) / np.sqrt(len(vals))
    assert abs(float(exact) - mean) < 5 * se, (text, float(exact), mean, se)
    # where non-planar diagrams exist, the planar part alone is NOT the finite-size value
    # (the simulation is precise enough to tell them apart)
    if count_contractions(word) > 1:
        planar = evaluate_traces(expectation(word, "planar"),
                                 {"Lambda": LAM, "Lambdahat": LAMHAT, "Sigma": SIG}, SIZES)
        assert abs(float(planar) - mean) > 5 * se


# ---- data model ----------------------------------------------------------------------------

def test_ribbon_graph_data_model():
    word = Word.parse("xhat^T x x^T u^T u xhat", MATRICES)
    (c,) = [c for c in contractions(word) if c.is_planar]
    G = ribbon_graph(c)
    assert isinstance(G, nx.MultiGraph)
    assert G.number_of_nodes() == 1 and G.number_of_edges() == 3
    assert sorted(d["matrix"] for _, _, d in G.edges(data=True)) == ["u", "x", "xhat"]
    for _, _, d in G.edges(data=True):
        assert not d["twisted"]
        assert {s["style"] for s in d["strands"]} <= {"solid", "dashed", "dotted", "wavy"}
    assert face_counts(G) == {"test": 1, "train": 1, "feature": 1, "latent": 1}
    assert euler_characteristic(G) == 2 and is_planar(G) and genus(G) == 0
    assert value(G) == trace_symbol("Lambda", "Lambdahat", "Sigma") * sympy.Symbol("N", positive=True) \
        * sympy.Symbol("T", positive=True) * sympy.Symbol("That", positive=True)
    latent = [f for f in faces(G) if f.space.name == "latent"][0]
    assert sorted(latent.covariances) == ["Lambda", "Lambdahat", "Sigma"]


def test_twisted_pairing_of_real_matrix():
    # pairing x with x (both untransposed) is a twisted ribbon: x x^T ... vs x ... x
    word = Word.parse("x^T u^T u x x^T u^T u x", MATRICES)
    cs = list(contractions(word))
    assert len(cs) == 9
    tw = [c for c in cs if not c.is_orientable]
    assert tw and all(not is_planar(ribbon_graph(c)) for c in tw)


def test_contraction_validation():
    word = Word.parse("x^T x", MATRICES)
    with pytest.raises(ValueError, match="pairs"):
        Contraction(word, ((0, 0),))
    word2 = Word.parse("u x x^T u^T", MATRICES)
    with pytest.raises(ValueError, match="different matrices"):
        Contraction(word2, ((0, 1), (2, 3)))


@pytest.mark.parametrize("text,match", [
    ("x x", "ends in train"),
    ("x^T y", "unknown matrix"),
    ("", "empty"),
    ("x^T 3x", "cannot read"),
])
def test_malformed_words_raise(text, match):
    with pytest.raises(ValueError, match=match):
        Word.parse(text, MATRICES)


def test_odd_word_has_no_contraction():
    with pytest.raises(ValueError, match="odd"):
        list(contractions(Word.parse("S S S", [S])))


def test_bad_declarations():
    with pytest.raises(ValueError, match="style"):
        Space("a", "A", "zigzag")
    with pytest.raises(ValueError, match="symmetry"):
        GaussianMatrix("A", V, V, symmetry="complex")
    with pytest.raises(ValueError, match="rows == cols"):
        GaussianMatrix("A", V, Space("w", "m"), symmetry="symmetric")


def test_diagonal_decorations_enter_the_faces_they_sit_on():
    """tr(x^T D x) = T tr(D Lambda); tr(x^T D x x^T x) by hand from Wick's theorem."""
    from diagrams.engine.matrices import Diagonal
    from diagrams.engine.symbols import trace_symbol
    import sympy
    latent, train = Space("latent", "M", "wavy"), Space("train", "T", "dashed")
    x = GaussianMatrix("x", latent, train, row_cov="Lambda")
    D = Diagonal("D", latent)
    T = train.size
    w = Word.parse("x^T D x", [x, D])
    assert w.decorations == ((), (D,)) and str(w) == "x^T D x"
    assert expectation(w) == T * trace_symbol("D", "Lambda")
    w2 = Word.parse("x^T D x x^T x", [x, D])
    expected = (T ** 2 + T) * trace_symbol("D", "Lambda", "Lambda") + T * trace_symbol("D", "Lambda") * trace_symbol("Lambda")
    assert sympy.expand(expectation(w2) - expected) == 0
    # transposing or rotating a trace keeps its value
    assert expectation(w2.transpose()) == expectation(w2) == expectation(w2.rotate(3))
    with pytest.raises(ValueError, match="decorations"):
        Word.parse("x D x^T", [x, D])       # D is latent, slot 1 of x x^T is train
