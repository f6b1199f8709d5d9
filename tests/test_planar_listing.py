"""Planar diagrams listed with their values (``diagrams.engine.planar_listing``).

Independent routes compared:

* the pairings against :func:`planar_contractions` (same sequence), itself checked against the
  exhaustive Wick enumeration filtered by face counting in ``test_planar.py``;
* each diagram's key against ``Contraction.monomial`` of the same pairing -- faces traced slot by
  slot through the gluings, not through the junction recursion -- and, for short words, against
  the exhaustive enumeration itself;
* per-word sums of the listing against the coefficient-only recursion ``planar_monomials``;
* rank ranges, streaming (tiny list caps), several processes and chunk sizes against the plain
  serial listing.
"""

import random
from collections import Counter

import pytest

import diagrams.engine.planar_listing as listing
from diagrams.engine.matrices import GaussianMatrix
from diagrams.engine.planar import count_planar, planar_contractions, planar_monomials
from diagrams.engine.planar_listing import (list_planar_diagrams, planar_contraction, planar_diagrams,
                                            tally_planar_diagrams)
from diagrams.engine.spaces import Space
from diagrams.engine.wick import Contraction, contractions
from diagrams.engine.words import Word
from diagrams.models.random_features.expansion import loss_terms

from test_planar_decorations import WORDS as DECORATED
from test_planar import RANDOM_WORDS

V = Space("v", "n")
H = GaussianMatrix("H", V, V, symmetry="hermitian")


def check_word_listing(word):
    got = list(planar_diagrams(word))
    ref = list(planar_contractions(word))
    assert [p for p, _ in got] == [c.pairs for c in ref]
    for (pairs, key), c in zip(got, ref):
        assert key == Contraction(word, pairs, c.crossed).monomial
    return got


@pytest.mark.parametrize("order", [*range(0, 6), pytest.param(6, marks=pytest.mark.slow)])
def test_keys_are_the_monomials_of_the_loss_diagrams(order):
    for term in loss_terms(order, mirror=True):
        got = check_word_listing(term.word)
        assert len(got) == count_planar(term.word)
        assert dict(Counter(k for _, k in got)) == planar_monomials(term.word)


@pytest.mark.parametrize("idx", range(len(DECORATED)))
def test_decorated_words_against_exhaustive_enumeration(idx):
    word = DECORATED[idx]
    got = check_word_listing(word)
    ref = Counter((c.pairs, c.monomial) for c in contractions(word) if c.is_planar)
    assert Counter(got) == ref


@pytest.mark.parametrize("idx", range(0, len(RANDOM_WORDS), 2))
def test_random_model_words(idx):
    check_word_listing(RANDOM_WORDS[idx])


def test_values_false_lists_the_same_pairings():
    for term in loss_terms(5):
        got = list(planar_diagrams(term.word, values=False))
        assert all(k is None for _, k in got)
        assert [p for p, _ in got] == [c.pairs for c in planar_contractions(term.word)]


@pytest.mark.parametrize("cap,budget", [(2048, 10 ** 6), (3, 10 ** 6), (1, 0), (40, 200)])
def test_rank_ranges_and_streaming(monkeypatch, cap, budget):
    monkeypatch.setattr(listing, "LIST_CAP", cap)
    monkeypatch.setattr(listing, "MEMO_BUDGET", budget)
    listing._LISTERS.clear()
    rng = random.Random(cap)
    words = [t.word for t in loss_terms(5)] + [DECORATED[3], Word.parse(" ".join(["H"] * 14), [H])]
    for word in words:
        full = list(planar_diagrams(word))
        assert [p for p, _ in full] == [c.pairs for c in planar_contractions(word)]
        n = len(full)
        cuts = [(0, n), (0, 0), (n, n + 5), (n - 1, None), (0, 1)]
        cuts += [tuple(sorted(rng.sample(range(n + 1), 2))) for _ in range(12)]
        for lo, hi in cuts:
            assert list(planar_diagrams(word, start=lo, stop=hi)) == full[lo:hi], (lo, hi)
    listing._LISTERS.clear()


@pytest.mark.parametrize("jobs,chunk", [(1, 7), (2, 7), (2, 1000), (2, 10 ** 6)])
def test_driver_lists_in_order_whatever_the_processes(monkeypatch, jobs, chunk):
    monkeypatch.setattr(listing, "PROGRESS_EVERY", 50)
    words = [t.word for t in loss_terms(4)] + [DECORATED[0], DECORATED[1]]
    serial = [(i, p, k) for i, w in enumerate(words) for p, k in planar_diagrams(w)]
    calls = []
    got = list(list_planar_diagrams(words, jobs=jobs, chunk=chunk, progress=calls.append))
    assert got == serial
    assert sum(calls) == len(serial) == sum(count_planar(w) for w in words)
    assert all(n >= 50 for n in calls[:-1])
    calls.clear()
    bare = list(list_planar_diagrams(words, values=False, jobs=jobs, chunk=chunk, progress=calls.append))
    assert bare == [(i, p, None) for i, p, _ in serial]
    assert sum(calls) == len(serial) and all(n >= 50 for n in calls[:-1])


@pytest.mark.parametrize("jobs", [1, 2])
def test_tally_equals_coefficient_only_recursion(jobs):
    words = [t.word for t in loss_terms(5, mirror=True)] + list(DECORATED[:10])
    calls = []
    got = tally_planar_diagrams(words, jobs=jobs, chunk=500, progress=calls.append)
    assert got == [planar_monomials(w) for w in words]
    assert sum(calls) == sum(count_planar(w) for w in words)


def test_tally_with_a_predicate_in_the_workers():
    words = [t.word for t in loss_terms(4, mirror=True)]

    def where(i, pairs, key):  # a closure over words: runs in the forked workers
        return planar_contraction(words[i], pairs).n_faces == len(key) and (0, len(words[i]) - 1) in pairs

    got = tally_planar_diagrams(words, where=where, jobs=2, chunk=10)
    for w, d in zip(words, got):
        ref = Counter(c.monomial for c in planar_contractions(w) if (0, len(w) - 1) in c.pairs)
        assert d == dict(ref)


def test_stopping_early_stops_the_workers():
    words = [t.word for t in loss_terms(6)]
    it = list_planar_diagrams(words, jobs=2, chunk=100)
    first = [next(it) for _ in range(5)]
    it.close()
    assert [(i, p) for i, p, _ in first] == [(0, p) for p, _ in list(planar_diagrams(words[0], stop=5))]


def test_planar_contraction_checks_the_pairing():
    word = Word.parse("H H H H H H", [H])
    c = planar_contraction(word, [(4, 5), (1, 0), (2, 3)])
    assert c == Contraction(word, ((0, 1), (2, 3), (4, 5)), (True, True, True))
    for bad in ([(0, 2), (1, 3), (4, 5)], [(0, 1), (2, 3)], [(0, 1), (0, 1), (4, 5)], [(0, 1, 2)], "ab"):
        with pytest.raises(ValueError, match="pairs"):
            planar_contraction(word, bad)


def test_bad_arguments():
    word = Word.parse("H H", [H])
    with pytest.raises(ValueError, match="start"):
        list(planar_diagrams(word, start=-1))
    with pytest.raises(ValueError, match="jobs"):
        list(list_planar_diagrams([word], jobs=0))
    with pytest.raises(ValueError, match="chunk"):
        tally_planar_diagrams([word], chunk=0)
    with pytest.raises(ValueError, match="words"):
        tally_planar_diagrams(["H H"])
    with pytest.raises(ValueError, match="odd"):
        list(planar_diagrams(Word.parse("H H H", [H])))


def test_long_words_do_not_exhaust_the_stack():
    A = GaussianMatrix("A", V, V, row_cov="Lambda")
    word = Word.parse(" ".join(["A"] * 150 + ["A^T"] * 150), [A])
    pairs, key = next(planar_diagrams(word))
    assert pairs[0] == (0, 299) and len(pairs) == 150
