"""The direct planar generator and the coefficient-only recursion of ``diagrams.engine.planar``.

Independent routes compared:

* the generator against the exhaustive Wick enumerator filtered by face counting (``F = E + 1``);
* counts against Catalan numbers (GUE, GOE) and the table of docs/physics.md Sec. 2 (1, 1, 7, 44, 275);
* the symbolic coefficient-only sum against the sum of ``.value`` (and ``.monomial``) over the
  enumerated planar diagrams;
* the exact numeric sum against the symbolic one evaluated by ``evaluate_traces``;
* the model's numeric planar coefficients against the Taylor coefficients in 1/gamma of the closed
  form Eq. (104) (docs/physics.md Sec. 3), computed here with exact power series.
"""

import random
from collections import Counter
from fractions import Fraction
from math import comb

import pytest
import sympy

import diagrams.engine.planar as planar_mod
from diagrams.engine.matrices import GaussianMatrix
from diagrams.engine.planar import (count_planar, planar_contractions, planar_expectation,
                                    planar_expectation_exact, planar_monomials, planar_pairings,
                                    planar_sum)
from diagrams.engine.spaces import Space
from diagrams.engine.symbols import canonical_cycle, evaluate_traces
from diagrams.engine.wick import Contraction, contractions, expectation
from diagrams.engine.words import Word
from diagrams.models.random_features.expansion import loss_terms
from rf_helpers import (loss_coefficient, numeric_parameters, planar_coefficient_exact, planar_coefficient_symbolic,
                        substitute_numbers)
from diagrams.models.random_features.model import MATRICES

V = Space("v", "n")
W = Space("w", "p", "dashed")
H = GaussianMatrix("H", V, V, symmetry="hermitian")
S = GaussianMatrix("S", V, V, symmetry="symmetric")
A = GaussianMatrix("A", V, W, row_cov="Lambda", col_cov="Sigma")
n = V.size


def catalan(m):
    return comb(2 * m, m) // (m + 1)


def filtered(word):
    """The reference route: every Wick contraction, kept when it has E + 1 faces."""
    return [c for c in contractions(word) if c.is_planar]


def assert_same_set(word):
    gen = list(planar_contractions(word))
    ref = filtered(word)
    keys = [(c.pairs, c.crossed) for c in gen]
    assert len(keys) == len(set(keys)), "the generator repeated a contraction"
    assert set(keys) == {(c.pairs, c.crossed) for c in ref}
    assert set(gen) == set(ref)  # Contraction equality: same word, pairs and crossed flags
    assert count_planar(word) == len(ref)
    for c in gen:  # the fast constructor leaves valid objects: re-validate a few
        assert all(k < l for k, l in c.pairs) and list(c.pairs) == sorted(c.pairs)
        assert not any(c.twisted())
    for c in gen[:20]:
        assert Contraction(word, c.pairs, c.crossed) == c
        assert c.is_planar
    return gen, ref


def random_model_words(seed, count, max_len=12):
    """Random valid words over u, x, xhat (and transposes), every matrix an even number of times."""
    rng = random.Random(seed)
    letters = [m.letter for m in MATRICES.values()] + [m.T for m in MATRICES.values()]
    spaces = sorted({a.left.name for a in letters})
    out = []
    while len(out) < count:
        length = rng.choice(range(2, max_len + 1, 2))
        start = rng.choice(spaces)
        cur, word = start, []
        for _ in range(length - 1):
            cur_letters = [a for a in letters if a.left.name == cur]
            a = rng.choice(cur_letters)
            word.append(a)
            cur = a.right.name
        closing = [a for a in letters if a.left.name == cur and a.right.name == start]
        if not closing:
            continue
        word.append(rng.choice(closing))
        w = Word(tuple(word))
        if any(v % 2 for v in w.counts().values()):
            continue
        out.append(w)
    return out


RANDOM_WORDS = random_model_words(2024, 40)


# -- the generator is the face-count filter ------------------------------------------------------

@pytest.mark.parametrize("order", range(0, 5))
def test_generator_equals_filter_on_loss_words(order):
    for term in loss_terms(order, mirror=True):
        assert_same_set(term.word)


@pytest.mark.parametrize("m", range(1, 6))
def test_gue_catalan(m):
    word = Word.parse(" ".join(["H"] * (2 * m)), [H])
    gen, _ = assert_same_set(word)
    assert len(gen) == count_planar(word) == catalan(m)
    assert all(c.crossed == (True,) * m for c in gen)
    # planar part of <tr H^2m> = Catalan(m) n^(m+1)
    assert sympy.expand(planar_expectation(word) - catalan(m) * n ** (m + 1)) == 0
    assert planar_expectation_exact(word, {}, {"n": 7}) == catalan(m) * 7 ** (m + 1)


@pytest.mark.parametrize("text", ["S S", "S S^T S S", "S S^T S S S^T S^T", "S^T S S S^T S S S^T S"])
def test_goe_words(text):
    word = Word.parse(text, [S])
    gen, ref = assert_same_set(word)
    m = len(word) // 2
    assert len(gen) == catalan(m)
    # a GOE pairing comes twice in the full enumeration (crossed or not), once in the planar one
    assert len({c.pairs for c in ref}) == len(ref)


@pytest.mark.parametrize("text", ["A A^T S S A A^T", "S A A^T S S A A^T S", "A A^T A A^T S S S S"])
def test_mixed_real_and_symmetric_words(text):
    word = Word.parse(text, [A, S])
    assert_same_set(word)
    ref_value = sympy.Add(*[c.value for c in filtered(word)])
    assert sympy.expand(planar_expectation(word) - ref_value) == 0


@pytest.mark.parametrize("idx", range(len(RANDOM_WORDS)))
def test_random_model_words(idx):
    word = RANDOM_WORDS[idx]
    gen, ref = assert_same_set(word)
    assert planar_monomials(word) == dict(Counter(c.monomial for c in ref))
    assert sympy.expand(planar_expectation(word) - expectation(word, genus="planar")) == 0


def test_random_words_cover_lengths_and_are_all_contractible():
    # the index spaces of u, x, xhat form a tree around the latent space, and a closed walk on a tree
    # retraces each step in a nested way: every valid model word has at least one planar diagram
    counts = [count_planar(w) for w in RANDOM_WORDS]
    assert all(c >= 1 for c in counts) and any(c > 1 for c in counts)
    assert max(len(w) for w in RANDOM_WORDS) == 12 and min(len(w) for w in RANDOM_WORDS) == 2


B = GaussianMatrix("B", V, V, row_cov="Lambda")


@pytest.mark.parametrize("text", ["B B", "B B B B", "B B B B^T B B^T", "B B^T B B B B^T B^T B^T"])
def test_square_real_matrix_words(text):
    word = Word.parse(text, [B])
    gen, ref = assert_same_set(word)
    value = sympy.Add(*[c.value for c in ref])
    assert sympy.expand(planar_expectation(word) - value) == 0
    exact = planar_expectation_exact(word, {"Lambda": [2, "1/3", 5]}, {"n": 3})
    assert Fraction(str(evaluate_traces(value, {"Lambda": [2, "1/3", 5]}, {"n": 3}))) == exact
    if text in ("B B", "B B B B"):  # only twisted gluings
        assert gen == [] and exact == 0 and planar_expectation(word) == 0


def test_streaming_path_for_long_intervals(monkeypatch):
    """With a tiny list cap the generator streams the long intervals; the set must not change."""
    monkeypatch.setattr(planar_mod, "LIST_CAP", 1)
    planar_mod._CACHE.clear()
    for term in loss_terms(4):
        assert_same_set(term.word)
    word = Word.parse(" ".join(["H"] * 10), [H])
    assert len(list(planar_pairings(word))) == catalan(5)


def test_odd_word_is_rejected_like_wick():
    word = Word.parse("S S S", [S])
    with pytest.raises(ValueError, match="odd number"):
        list(contractions(word))
    with pytest.raises(ValueError, match="odd number"):
        list(planar_contractions(word))
    with pytest.raises(ValueError, match="odd number"):
        count_planar(word)


# -- counts of the loss expansion (docs/physics.md Sec. 2 table) --------------------------------

def test_loss_planar_counts_match_reference_table():
    expected = [1, 1, 7, 44, 275]
    for k, want in enumerate(expected):
        terms = loss_terms(k)  # the factor-2 cross word counted once
        assert sum(count_planar(t.word) for t in terms) == want
        assert sum(len(list(planar_contractions(t.word))) for t in terms) == want
        assert sum(len(filtered(t.word)) for t in terms) == want


# -- coefficient-only sums -----------------------------------------------------------------------

@pytest.mark.parametrize("order", range(0, 6))
def test_symbolic_sum_equals_enumerated_values(order):
    for term in loss_terms(order):
        diagrams = list(planar_contractions(term.word))
        by_value = sympy.Add(*[c.value for c in diagrams])
        assert sympy.expand(planar_expectation(term.word) - by_value) == 0
        assert planar_monomials(term.word) == dict(Counter(c.monomial for c in diagrams))


@pytest.mark.parametrize("order", range(0, 6))
def test_model_symbolic_coefficient_equals_enumeration(order):
    assert sympy.expand(planar_coefficient_symbolic(order) - loss_coefficient(order, "planar")) == 0


def _face_weight(space, covs):
    """An arbitrary integer weight of a face, invariant under rotation and reversal of covs."""
    key = (space.name, canonical_cycle(covs))
    return 2 + sum((i + 3) * ord(ch) for i, ch in enumerate(repr(key))) % 97


@pytest.mark.parametrize("order", range(1, 5))
def test_generic_planar_sum(order):
    for term in loss_terms(order):
        diagrams = list(planar_contractions(term.word))
        ref = 0
        for c in diagrams:
            p = 1
            for f in c.faces:
                p *= _face_weight(f.space, f.covariances)
            ref += p
        assert planar_sum(term.word, _face_weight) == ref

        def multiset_weight(space, covs):
            return _face_weight(space, tuple(sorted(covs)))
        ref = 0
        for c in diagrams:
            p = 1
            for f in c.faces:
                p *= multiset_weight(f.space, f.covariances)
            ref += p
        assert planar_sum(term.word, multiset_weight, commutative=True) == ref


NUMERIC_SETS = [
    # generic: Lambda, Lambdahat, Sigma all different, rational sizes
    ({"Lambda": [1, "1/2", "1/3"], "Lambdahat": ["2/5", 1, "3/7"], "Sigma": ["1/4", "1/2", "3/2"]},
     {"N": 3, "T": 5, "That": "7/2"}),
    # model-like: Lambdahat = Lambda, Sigma constant
    ({"Lambda": [1, "1/4"], "Lambdahat": [1, "1/4"], "Sigma": ["1/2", "1/2"]},
     {"N": 100, "T": 150, "That": 1}),
    # every covariance constant: latent faces are s^r * M
    ({"Lambda": ["3/2"] * 4, "Lambdahat": ["3/2"] * 4, "Sigma": ["1/4"] * 4},
     {"N": "5/3", "T": 2, "That": 3}),
]


@pytest.mark.parametrize("order", range(0, 7))
@pytest.mark.parametrize("which", range(len(NUMERIC_SETS)))
def test_numeric_sum_equals_symbolic_evaluated(order, which):
    diag, sizes = NUMERIC_SETS[which]
    for term in loss_terms(order):
        symbolic = evaluate_traces(planar_expectation(term.word), diag, sizes)
        exact = planar_expectation_exact(term.word, diag, sizes)
        assert isinstance(exact, Fraction)
        assert symbolic.is_Rational and sympy.Rational(exact.numerator, exact.denominator) == symbolic


def test_numeric_words_with_bare_faces():
    word = Word.parse("A A^T S S A A^T", [A, S])
    diag = {"Lambda": [1, "1/3"], "Sigma": ["1/2", 5]}
    sizes = {"n": "5/2"}
    symbolic = evaluate_traces(planar_expectation(word), diag, sizes)
    assert planar_expectation_exact(word, diag, sizes) == Fraction(str(symbolic))
    with pytest.raises(ValueError, match="Sigma"):
        planar_expectation_exact(word, {"Lambda": [1, 2]}, sizes)
    with pytest.raises(ValueError, match="sizes"):
        planar_expectation_exact(Word.parse("S S", [S]), {}, {})


PARAMS = [
    numeric_parameters(N_=3, T_=5, That_=2, spectrum=[1, "1/2", "1/3"], sigma_u2_="3/2", sigma_w2_=2, C_=1),
    numeric_parameters(N_=40, T_=7, spectrum=[1, "1/8"]),
    numeric_parameters(N_=2, T_=9, That_=3, spectrum=["1/2", "1/5", "1/7", "1/9"], sigma_u2_=2, C_=3),
]


@pytest.mark.parametrize("order", range(0, 7))
@pytest.mark.parametrize("which", range(len(PARAMS)))
def test_model_numeric_coefficient_equals_symbolic(order, which):
    p = PARAMS[which]
    exact = planar_coefficient_exact(order, p)
    assert sympy.Rational(exact.numerator, exact.denominator) == substitute_numbers(
        planar_coefficient_symbolic(order), p)
    if order <= 4:
        assert sympy.Rational(exact.numerator, exact.denominator) == substitute_numbers(
            loss_coefficient(order, "planar"), p)


# -- against the closed form, Eq. (104), to high order -------------------------------------------

class _Series:
    """Truncated power series in eps = 1/gamma with Fraction coefficients."""

    def __init__(self, c, K):
        self.K = K
        self.c = (list(c) + [Fraction(0)] * (K + 1))[:K + 1]

    @classmethod
    def const(cls, v, K):
        return cls([Fraction(v)], K)

    def __add__(self, o):
        o = o if isinstance(o, _Series) else _Series.const(o, self.K)
        return _Series([a + b for a, b in zip(self.c, o.c)], self.K)

    __radd__ = __add__

    def __neg__(self):
        return _Series([-a for a in self.c], self.K)

    def __sub__(self, o):
        return self + (-o if isinstance(o, _Series) else _Series.const(-Fraction(o), self.K))

    def __rsub__(self, o):
        return (-self) + o

    def __mul__(self, o):
        if not isinstance(o, _Series):
            return _Series([a * Fraction(o) for a in self.c], self.K)
        out = [Fraction(0)] * (self.K + 1)
        for i, a in enumerate(self.c):
            if a:
                for j in range(self.K + 1 - i):
                    out[i + j] += a * o.c[j]
        return _Series(out, self.K)

    __rmul__ = __mul__

    def inv(self):
        c0 = self.c[0]
        assert c0 != 0
        out = [Fraction(0)] * (self.K + 1)
        out[0] = 1 / c0
        for k in range(1, self.K + 1):
            out[k] = -sum(self.c[j] * out[k - j] for j in range(1, k + 1)) / c0
        return _Series(out, self.K)

    def __truediv__(self, o):
        return self * (o.inv() if isinstance(o, _Series) else _Series.const(1 / Fraction(o), self.K))


def closed_form_series(params, K):
    """Taylor coefficients in 1/gamma of Eq. (104) (consistency relation Eq. 99), with a = gamma*xi solved
    order by order from  a = eps N T (1 - a t/N)(1 - a t/T),  t(a) = tr[LS/(1 + a LS)]."""
    N, T = params["N"], params["T"]
    lam = params["spectrum"]
    m = len(lam)
    s = params["sigma_u2"] / m
    eps = _Series([0, 1], K)
    a = _Series([], K)
    for _ in range(K + 1):
        t = sum((_Series.const(l * s, K) / (1 + a * (l * s)) for l in lam), _Series([], K))
        a = eps * (N * T) * (1 - a * t / N) * (1 - a * t / T)
    t = sum((_Series.const(l * s, K) / (1 + a * (l * s)) for l in lam), _Series([], K))
    gq, gQ = 1 - a * t / N, 1 - a * t / T  # gamma <q>, gamma <Q>
    inv2 = [(1 + a * (l * s)).inv() * (1 + a * (l * s)).inv() for l in lam]
    tr2 = sum((w * ((l * s) ** 2) for w, l in zip(inv2, lam)), _Series([], K))
    rd = sum((w * (l * s) for w, l in zip(inv2, lam)), _Series([], K))
    ell = sum((w * l for w, l in zip(inv2, lam)), _Series([], K))  # Lambdahat = Lambda
    e2 = eps * eps
    A_ = e2 * gq * gq * gQ * gQ * tr2 * (N * T * T)
    B_ = e2 * gq * gq * gQ * gQ * tr2 * (T * N * N)
    G_ = a * a * rd * rd / (N * T)
    D_ = (1 - A_) * (1 - B_) - G_
    pref = params["C"] * params["sigma_w2"] / (2 * m)
    return [pref * c for c in (ell / D_).c]


@pytest.mark.parametrize("which", range(len(PARAMS)))
def test_numeric_coefficients_are_taylor_coefficients_of_closed_form(which):
    p = PARAMS[which]
    K = 12
    series = closed_form_series(p, K)
    for k in range(K + 1):
        assert planar_coefficient_exact(k, p) == series[k], k


@pytest.mark.slow
def test_order_20_against_closed_form():
    p = PARAMS[0]
    assert planar_coefficient_exact(20, p) == closed_form_series(p, 20)[20]
