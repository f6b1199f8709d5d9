"""The feature <-> sample duality on the planar diagrams (paper Sec. V, issue 7).

Every check compares two independent routes: the map (built on the loop tree) against the engine's
own faces and values, the report's enumeration against the engine's planar counting, diagram sums
against series solved from the consistency relation alone, and the closed form at (N, T) and (T, N).
"""

from __future__ import annotations

import json
import random
from collections import Counter
from fractions import Fraction
from math import comb

import mpmath
import pytest
import sympy

from diagrams.models.random_features import duality as du
from diagrams.engine.planar import count_planar
from diagrams.engine.symbols import CovarianceTrace, isotropic
from diagrams.engine.wick import Contraction, contractions
from diagrams.models.random_features.expansion import loss_diagrams, loss_terms
from diagrams.models.random_features.model import M, N, T

s = sympy.Symbol("s", positive=True)


def iso(expr):
    """The engine's own isotropic substitution: Sigma = s 1, Lambdahat = Lambda."""
    return sympy.expand(isotropic(expr, {"Sigma": s}, {"Lambdahat": "Lambda"}, size=M))


def swap_NT(expr):
    return sympy.sympify(expr).xreplace({N: T, T: N})


def swap_sigma_lambda(expr):
    """Sigma <-> Lambda inside every latent trace (the dual Feynman rules)."""
    sub = {}
    for t in sympy.sympify(expr).free_symbols:
        if isinstance(t, CovarianceTrace):
            sub[t] = CovarianceTrace([{"Sigma": "Lambda", "Lambda": "Sigma"}.get(n, n) for n in t.word])
    return sympy.sympify(expr).xreplace(sub)


def diagrams(k):
    return [c for _, c in loss_diagrams(k, "planar", mirror=True)]


@pytest.mark.parametrize("k", [0, 1, 2, 3, 4])
def test_dual_is_an_involution_on_the_planar_diagrams(k):
    ds = diagrams(k)
    words = {str(t.word) for t in loss_terms(k, mirror=True)}
    keys = {(str(c.word), c.pairs) for c in ds}
    images = set()
    for c in ds:
        d = du.dual(c)
        assert isinstance(d, Contraction) and d.is_planar          # engine's face count
        assert str(d.word) in words                                 # a word of the same order
        assert (str(d.word), d.pairs) in keys                       # one of the enumerated diagrams
        assert du.dual(d) == c                                      # involution
        images.add((str(d.word), d.pairs))
    assert images == keys                                           # a bijection of the set


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_dual_value_is_value_with_N_and_T_exchanged(k):
    """value(dual D) = value(D)|N<->T after Sigma = s 1, Lambdahat = Lambda (engine values)."""
    for c in diagrams(k):
        d = du.dual(c)
        assert iso(d.value) == swap_NT(iso(c.value)), (str(c.word), str(c))


@pytest.mark.parametrize("k", [1, 2, 3])
def test_colour_swap_is_exact_under_the_full_feynman_rule_exchange(k):
    """Step (1) alone: value = value(D) with N <-> T and Sigma <-> Lambda, for any covariances."""
    for c in diagrams(k):
        e = du.colour_swap_contraction(c)
        assert e.is_planar
        assert e.value == swap_sigma_lambda(swap_NT(c.value))


def test_slide_keeps_values_only_for_isotropic_sigma():
    """The test-leg slide moves a Sigma and the Lambdahat: raw values differ for some pairs, and the
    order sums are not N <-> T symmetric for a non-isotropic Sigma or Lambdahat != Lambda."""
    raw_mismatch = 0
    for c in diagrams(2):
        d = du.dual(c)
        if sympy.expand(d.value - swap_NT(c.value)) != 0:
            raw_mismatch += 1
    assert raw_mismatch > 0
    lam = ["1", "1/2", "1/3"]
    assert du.raw_symmetry_defect(3, ["1/2"] * 3, lam) == 0
    assert du.raw_symmetry_defect(3, ["1/2", "1/3", "1/5"], lam) != 0
    assert du.raw_symmetry_defect(3, ["1/2"] * 3, lam, ["1/3", "1", "1/7"]) != 0


def test_dual_pair_example_from_the_docs():
    t = next(t for t in loss_terms(2, mirror=True) if (t.top, t.bottom) == (0, 0))
    a = Contraction(t.word, ((0, 9), (1, 2), (3, 6), (4, 5), (7, 8)))
    b = Contraction(t.word, ((0, 9), (1, 8), (2, 7), (3, 4), (5, 6)))
    selfdual = Contraction(t.word, ((0, 9), (1, 8), (2, 7), (3, 6), (4, 5)))
    assert du.dual(a) == b and du.dual(b) == a and du.dual(selfdual) == selfdual
    assert (du.spine(a), du.spine(b), du.spine(selfdual)) == ("T", "N", "NT")


def test_dual_rejects_what_is_not_a_planar_loss_diagram():
    w = loss_terms(2, mirror=True)[1].word
    nonplanar = next(c for c in contractions(w) if not c.is_planar)
    with pytest.raises(ValueError, match="not planar"):
        du.dual(nonplanar)
    with pytest.raises(ValueError, match="Contraction"):
        du.dual("x x")
    from diagrams.models.random_features.noise import noise_diagrams
    _, c = next(noise_diagrams(2))
    with pytest.raises(ValueError, match="not a word of the test-loss expansion"):
        du.dual(c)


@pytest.mark.parametrize("k", range(7))
def test_report_zero_unmatched_to_order_6(k):
    rep = du.duality_report(k, classes=False)
    expected = sum(count_planar(t.word) for t in loss_terms(k, mirror=True))   # engine's counting recursion
    assert rep["planar"] == expected
    assert rep["unmatched"] == 0 and rep["not_involutive"] == 0 and rep["value_mismatch"] == 0
    assert 2 * rep["pairs"] + rep["self_dual"] == rep["planar"]
    assert rep["sum_self_dual"] and rep["ok"]


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_resummation_classes(k):
    """Spine classes, blocks r_c <-> v, top-bottom sums and Eq. (167), against the block series."""
    rep = du.duality_report(k)
    cl = rep["classes"]
    assert cl["ok"] and cl["order_sum_matches_l_over_D"] and not cl["spine_errors"]
    assert all(r["sum_matches_resummation"] and r["count"] == r["dual_count"] for r in cl["spines"])
    assert all(r["sum_matches_resummation"] and r["dual_symmetric"] for r in cl["top_bottom"])
    counts = {(b["r_c"], b["v"], b["r_dp_or_l"]): b["count"] for b in cl["blocks"]}
    assert all(counts.get((v, rc, rd)) == n for (rc, v, rd), n in counts.items())
    assert any(rc != v for rc, v, _ in counts)          # r_c <-> v is a real exchange


def test_block_series_total_is_eq_104():
    """l/D from the block series equals the independent series of Eq. (104) (analysis.series)."""
    from diagrams.models.random_features.closed_form_series import closed_form_series_exact
    K, Nv, Tv, spec, su = 6, 3, 7, ["1", "1/2", "1/5"], "2"
    b = du.building_block_series(K, Nv, Tv, spec, su)
    D, l = b["D"].coefficients(K), b["l"].coefficients(K)
    invD = [Fraction(1)] + [Fraction(0)] * K          # 1/D by recursion, D_0 = 1
    for n in range(1, K + 1):
        invD[n] = -sum(D[i] * invD[n - i] for i in range(1, n + 1))
    lD = [sum(l[i] * invD[n - i] for i in range(n + 1)) for n in range(K + 1)]
    ref = closed_form_series_exact(K, Nv, Tv, spec, sigma_u2=su, sigma_w2=1, C=1)
    Mv = len(spec)
    assert [Fraction(int(r.p), int(r.q)) * 2 * Mv for r in ref] == lD


def test_counting_identity_eq_167():
    rows = du.counting_identity(5)
    assert len(rows) == sum(1 for a in range(6) for b in range(6) for g in range(6) if a + b + g <= 5)
    for r in rows:
        assert r["count"] == comb(r["a"] + r["g"], r["g"]) * comb(r["b"] + r["g"], r["g"])
        assert r["count"] == r["dual_count"]


def test_spine_counts_top_bottom_contractions():
    for t, c in loss_diagrams(4, "planar", mirror=True):
        sp = du.spine(c)
        tb = Counter(t.word[k].matrix.name for k, l in c.pairs if k < t.top_length <= l)
        assert tb.get("u", 0) == 2 * sp.count("N") and tb.get("x", 0) == 2 * sp.count("T")
        assert du.spine(du.dual(c)) == du.dual_spine(sp)


def test_closed_form_is_symmetric_to_40_digits():
    """<L>(N, T) = <L>(T, N) at random parameters (mpmath, 50 digits); the noise term is not."""
    from diagrams.models.random_features.closed_form import closed_form_loss_mp
    from diagrams.models.random_features.noise import noise_loss_mp
    rng = random.Random(7)
    for _ in range(3):
        Nv, Tv = rng.randint(5, 400), rng.randint(5, 400)
        if Nv == Tv:
            Tv += 3
        gam = Fraction(rng.randint(1, 10 ** 6), 10 ** rng.randint(3, 8))
        spec = [Fraction(rng.randint(1, 1000), rng.randint(1, 1000)) for _ in range(rng.randint(3, 40))]
        su, sw, C = Fraction(rng.randint(1, 30), 10), Fraction(rng.randint(1, 30), 10), rng.randint(1, 3)
        a = closed_form_loss_mp(Nv, Tv, gam, spec, su, sw, C, dps=50).loss
        b = closed_form_loss_mp(Tv, Nv, gam, spec, su, sw, C, dps=50).loss
        with mpmath.workdps(50):
            assert abs(a - b) <= mpmath.mpf(10) ** -40 * abs(a)
        na = noise_loss_mp(Nv, Tv, gam, spec, 1, su, sw, C, dps=30).loss
        nb = noise_loss_mp(Tv, Nv, gam, spec, 1, su, sw, C, dps=30).loss
        assert abs(na - nb) > mpmath.mpf("1e-3") * abs(na)


def _run_cli(argv, capsys):
    from diagrams.cli import COMMANDS, main
    if "duality" not in COMMANDS:
        COMMANDS.append("duality")
    code = main(argv)
    return code, capsys.readouterr()


def test_cli_duality_json(capsys):
    code, out = _run_cli(["duality", "--order", "3", "--json"], capsys)
    assert code == 0
    data = json.loads(out.out)
    rows = data["orders"]
    assert [r["order"] for r in rows] == [0, 1, 2, 3]
    for r in rows:
        assert {"order", "planar", "self_dual", "pairs", "unmatched", "sum_self_dual"} <= set(r)
        assert r["unmatched"] == 0 and r["sum_self_dual"] is True
    assert [r["planar"] for r in rows] == [1, 2, 10, 56]


def test_cli_duality_text_noise_and_errors(capsys):
    code, out = _run_cli(["duality", "--order", "3", "--noise"], capsys)
    assert code == 0
    assert "no partner:" in out.out and "all checks passed" in out.out
    code, out = _run_cli(["duality", "--order", "-2"], capsys)
    assert code == 2 and out.err.count("\n") == 1 and "--order" in out.err
    code, out = _run_cli(["duality", "--order", "1/2"], capsys)
    assert code == 2 and "--order" in out.err


def test_cli_exit_status_1_when_a_check_fails(capsys, monkeypatch):
    real = du.duality_report

    def broken(k, **kw):
        rep = real(k, **kw)
        if k == 1:
            rep.update(unmatched=1, ok=False, failed_diagrams=["Top_-1 Bottom_0 | (0,5) (1,2) (3,4)"])
        return rep

    monkeypatch.setattr(du, "duality_report", broken)
    code, out = _run_cli(["duality", "--order", "2"], capsys)
    assert code == 1 and "SOME CHECKS FAILED" in out.out and "failed: Top_-1 Bottom_0" in out.out
    code, out = _run_cli(["duality", "--order", "2", "--json"], capsys)
    assert code == 1 and json.loads(out.out)["ok"] is False
