"""Diagram classification: top-bottom contractions, 1PI / 2PI cuts, barriers, latent structure.

Each structural statement is checked against an independent route: networkx bridges and
connectivity for the cuts, hand-made contractions for the small cases, the Fuss-Catalan counts for
the resolvent diagrams, and face-based against barrier-based definitions of latent connectivity.
"""

from __future__ import annotations

from math import comb

import networkx as nx
import pytest

from diagrams.models.random_features.classify import (
    FILTERS,
    barrier_pattern,
    barriers,
    cell_hops,
    classify,
    filter_diagrams,
    is_one_particle_irreducible,
    is_two_particle_irreducible,
    ladder_rungs,
    latent_components,
    letter_graph,
    make_filter,
    one_particle_cuts,
    slot_faces,
    top_bottom_counts,
    top_bottom_pairs,
    two_particle_cuts,
)
from diagrams.models.random_features.resolvent import resolvent_diagrams, resolvent_word
from diagrams.engine.wick import Contraction, contractions
from diagrams.models.random_features.expansion import loss_diagrams, loss_terms


@pytest.fixture(scope="module")
def planar6():
    """Every planar loss diagram (mirror words) of orders 0..6 with its class."""
    out = []
    for k in range(7):
        for term, c in loss_diagrams(k, "planar", mirror=True):
            out.append((k, term, c, classify(term, c)))
    return out


def _term(order, top, bottom):
    return next(t for t in loss_terms(order, mirror=True) if (t.top, t.bottom) == (top, bottom))


# ----------------------------------------------------------------------------- top-bottom

def test_top_bottom_pairs_by_hand():
    term = _term(2, 0, 0)  # xhat^T u^T u x x^T | x x^T u^T u xhat, top_length 5
    assert term.top_length == 5
    c = Contraction(term.word, ((0, 9), (1, 8), (2, 7), (3, 6), (4, 5)))
    assert top_bottom_pairs(term, c) == [(0, 9), (1, 8), (2, 7), (3, 6), (4, 5)]
    assert top_bottom_counts(term, c) == {"u": 2, "x": 2, "xhat": 1}
    assert barrier_pattern(term, c) == "ux"
    c2 = Contraction(term.word, ((0, 9), (1, 2), (3, 4), (5, 6), (7, 8)))
    assert top_bottom_pairs(term, c2) == [(0, 9)]
    assert top_bottom_counts(term, c2) == {"u": 0, "x": 0, "xhat": 1}
    assert barrier_pattern(term, c2) == ""


def test_top_length_validation():
    term = _term(1, 0, -1)
    c = next(iter(loss_diagrams(1, mirror=True)))[1]
    with pytest.raises(ValueError, match="top_length"):
        top_bottom_pairs(0, c)
    with pytest.raises(ValueError, match="leaves no lower line"):
        top_bottom_pairs(len(c.word), c)
    with pytest.raises(ValueError, match="Contraction"):
        top_bottom_pairs(term, "not a contraction")


def test_barrier_structure_holds_for_every_planar_diagram(planar6):
    """Top-bottom contractions beyond the xhat pair come in consecutive same-matrix pairs."""
    n = 0
    for k, term, c, cl in planar6:
        tb = top_bottom_pairs(term, c)
        bs = barriers(term, c)
        assert 2 * len(bs) + 1 == len(tb)
        counts = top_bottom_counts(term, c)
        assert counts.get("u", 0) == 2 * cl.pattern.count("u")
        assert counts.get("x", 0) == 2 * cl.pattern.count("x")
        n += 1
    assert n == 1 + 2 + 10 + 56 + 330 + 2002 + 12376


def test_barriers_reject_a_non_planar_diagram():
    term = _term(2, 0, 0)
    # u pairs (1,7) and (2,8) cross; x pairs (3,6) (4,5) are a proper barrier
    c = Contraction(term.word, ((0, 9), (1, 7), (2, 8), (3, 6), (4, 5)))
    assert not c.is_planar
    with pytest.raises(ValueError, match="do not form a barrier"):
        barriers(term, c)


def test_barrier_loop_is_one_face(planar6):
    """The outermost slots a barrier encloses on both lines lie on one loop of its space (loops of
    one-line insertions inside the barrier may sit in between)."""
    dressed = 0
    for k, term, c, cl in planar6:
        faces = slot_faces(c)
        for b in barriers(term, c):
            ends = (b.top_slots[0], b.top_slots[-1], b.bottom_slots[0], b.bottom_slots[-1])
            dressed += len(b.top_slots) + len(b.bottom_slots) > 2
            loops = {faces[s] for s in ends}
            assert len(loops) == 1
            assert c.faces[loops.pop()].space.name == {"u": "feature", "x": "train"}[b.matrix]
    assert dressed > 0


# ----------------------------------------------------------------------------- one-particle cuts

def _bridges_by_networkx(c, open_slot):
    G = letter_graph(c, open_slot)
    out = []
    for a, b in nx.bridges(G):
        for d in G.get_edge_data(a, b).values():
            if d["kind"] == "line" and d["space"] == c.word.slot_space(open_slot).name:
                out.append(d["slot"])
    return sorted(out)


@pytest.mark.parametrize("space", ["train", "feature"])
def test_one_particle_cuts_are_the_bridges(space):
    for n in range(1, 6):
        for c in resolvent_diagrams(space, n):
            assert one_particle_cuts(c, 0) == _bridges_by_networkx(c, 0)


def test_one_particle_cuts_on_all_genera_and_other_openings():
    w = resolvent_word("train", 3)
    for c in contractions(w):
        for s in (0, 4, 8):
            assert one_particle_cuts(c, s) == _bridges_by_networkx(c, s)


@pytest.mark.parametrize("space", ["train", "feature"])
def test_fuss_catalan_counts(space):
    """Planar resolvent diagrams: binom(3n, n)/(2n+1); the 1PI ones: binom(3n-2, n-1)/n."""
    for n in range(1, 7):
        all_, opi = 0, 0
        for c in resolvent_diagrams(space, n):
            all_ += 1
            opi += is_one_particle_irreducible(c, 0)
        assert all_ == comb(3 * n, n) // (2 * n + 1)
        assert opi == comb(3 * n - 2, n - 1) // n


def test_one_particle_cut_by_hand():
    w = resolvent_word("train", 2)  # x^T u^T u x | x^T u^T u x
    chain = Contraction(w, ((0, 3), (1, 2), (4, 7), (5, 6)))
    nested = Contraction(w, ((0, 7), (1, 2), (3, 4), (5, 6)))
    assert one_particle_cuts(chain) == [4]
    assert not is_one_particle_irreducible(chain)
    assert one_particle_cuts(nested) == []
    assert is_one_particle_irreducible(nested)
    # the feature lines inside the blobs are spanned by their u pairs: no feature cut
    assert one_particle_cuts(chain, 0, spaces=("feature",)) == []
    assert one_particle_cuts(chain, 0, spaces=("feature", "train")) == [4]
    assert one_particle_cuts(chain, 4) == [0]


# ----------------------------------------------------------------------------- two-particle cuts

def _cut_disconnects(c, i, j):
    G = letter_graph(c)
    L = len(c.word)
    G.remove_edge((i - 1) % L, i, key=("line", i))
    G.remove_edge(j - 1, j, key=("line", j))
    return not nx.is_connected(G)


def test_two_particle_cuts_against_networkx():
    for k in range(5):
        for term, c in loss_diagrams(k, mirror=True):
            tl = term.top_length
            cuts = set(two_particle_cuts(term, c))
            for i in range(1, tl):
                for j in range(tl + 1, len(c.word)):
                    if c.word.slot_space(i).name in ("feature", "train") and \
                            c.word.slot_space(j).name in ("feature", "train"):
                        assert ((i, j) in cuts) == _cut_disconnects(c, i, j)


def test_cuts_live_in_barriers_and_rungs_are_2pi(planar6):
    """Every two-particle cut crosses exactly one barrier's loop, every barrier has one, and so the
    pieces between barriers (the ladder rungs) have no cut: they are 2PI."""
    for k, term, c, cl in planar6:
        bs = barriers(term, c)
        cuts = two_particle_cuts(term, c)
        for i, j in cuts:
            assert sum(1 for b in bs if i in b.top_slots and j in b.bottom_slots) == 1
        for b in bs:
            assert any(i in b.top_slots and j in b.bottom_slots for i, j in cuts)
        assert is_two_particle_irreducible(term, c) == (not bs)
        pieces = ladder_rungs(term, c)
        assert len(pieces) == len(bs) + 1
        letters = sorted(sum(pieces, ()) + sum((b.letters for b in bs), ()))
        assert letters == list(range(len(c.word)))
        for piece in pieces:  # closed under the contractions
            inside = set(piece)
            assert all((a in inside) == (b in inside) for a, b in c.pairs)


# ----------------------------------------------------------------------------- latent structure

def test_latent_connectivity_matches_the_barrier_word(planar6):
    """Face-based connectivity (one wavy loop joins the two vertices) <=> no train barrier between."""
    seen = set()
    for k, term, c, cl in planar6:
        head, *blocks = cl.pattern.split("u")
        assert cl.primary_rungs == len(head)
        assert cl.blocks == tuple(len(b) for b in blocks)
        assert cl.primary_connected == (len(head) == 0)
        assert cl.blocks_connected == tuple(len(b) == 0 for b in blocks)
        comps = latent_components(term, c)
        together = {frozenset(g) for g in comps}
        seen.add(cl.pattern)
        # the test vertex shares its loop with the first feature dot (or the end) iff connected
        first = "u0L" if cl.blocks else "end"
        assert any({"xhat", first} <= g for g in together) == cl.primary_connected
    assert {"", "u", "x", "ux", "uxux", "xxx", "uuu", "uxuxux"} <= seen


def test_cell_hops_count_lambdas_on_skeleton_loops(planar6):
    for k, term, c, cl in planar6[:400]:
        hops = cell_hops(term, c)
        assert len(hops) == len(cl.pattern) + 1
        faces = slot_faces(c)
        skeleton = [faces[1]] + [faces[b.right_slot] for b in barriers(term, c)]
        for (n, top, bottom), f in zip(hops, skeleton):
            assert n == c.faces[f].covariances.count("Lambda")
            assert top + bottom <= n


# ----------------------------------------------------------------------------- filters

def test_filters_by_hand_counts():
    d2 = list(loss_diagrams(2, mirror=True))
    assert len(d2) == 10
    count = lambda spec: sum(1 for _ in filter_diagrams(d2, spec))
    assert count("no-top-bottom") == 7
    assert count("twopi") == 7
    assert count("twopr") == 3
    assert count("top-bottom-u=2") == 2
    assert count("top-bottom-u=2,!connected") == 1
    assert count("pattern=ux") == 1
    assert count("pattern=") == 7
    assert count("primary") == 8
    assert count("resummation") == 2
    assert count("no-top-bottom-u,no-top-bottom-x") == 7
    assert count(lambda t, c: True) == 10
    assert set(FILTERS) >= {"twopi", "connected", "primary", "no-top-bottom-u"}


@pytest.mark.parametrize("spec, msg", [
    ("", "empty filter"),
    ("onepi", "unknown item 'onepi'"),
    ("pattern=uy", "word in u and x"),
    ("top-bottom-u=two", "needs an integer"),
])
def test_filter_errors(spec, msg):
    with pytest.raises(ValueError, match=msg):
        make_filter(spec)
