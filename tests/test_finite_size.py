"""The first finite-size correction L1 (chi = 1) of any model, against independent routes.

* the real Wishart resolvent: the chi = 1 part of the real-Wishart moments (a closed form) and the diagrams;
* the exact series of L1 against the chi = 1 diagram sums of a pruned enumeration, itself checked against the
  engine's exhaustive Wick enumeration split by Euler characteristic;
* double precision, mpmath and the exact series against each other (large ridges);
* simulation at N, T of 40..240 (slow): sim - L0 agrees with L1, the remainder shrinks;
* the N <-> T duality at finite size: L1 and every chi of the exact loss, the map on diagrams of every genus;
* ``diagrams loss --finite-size`` and ``diagrams figures --finite-size``.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest

from diagrams.analysis import expansion as ex
from chi_enumeration import chi_sums, contractions_with_chi, face_tally
from diagrams.engine.quadrature import COMPRESS_ABOVE
from diagrams.analysis.finite_size import (correction_mp, correction_numpy, correction_series_exact,
                                           finite_size_loss)
from diagrams.analysis.simulate import simulate
from diagrams.engine.matrices import GaussianMatrix
from diagrams.engine.wick import contractions
from diagrams.models.declaration import Model, PowerLaw
from diagrams.models.registry import load_model

RF = load_model("random-features")
RIDGE = load_model("ridge")
DEEP = load_model("deep-random-features")


def _wishart() -> Model:
    m = Model("wishart", "real Wishart resolvent (1/T) tr (gamma + X^T X)^-1")
    N, T = m.integer("N", "rows"), m.integer("T", "columns")
    X = m.gaussian("X", m.space("row", "N"), m.space("col", "T"))
    m.trace(1 / T, m.resolvent(X.T @ X))
    return m


def _ensemble(symmetry: str) -> Model:
    m = Model(f"wigner-{symmetry}", "(1/n) tr (gamma + X)^-1 of a symmetric or hermitian X")
    n = m.integer("n", "size")
    V = m.space("v", "n")
    m.matrices["X"] = GaussianMatrix("X", V, V, symmetry=symmetry)
    m.trace(1 / n, m.resolvent(m.matrices["X"]))
    return m


WISHART = _wishart()


def _values(model, raw):
    return model.read_values(raw, require=[p.name for p in model.parameters])


# ---------------------------------------------------------------------------------------------- Wishart

@pytest.mark.parametrize("N, T", [(2, 3), (5, 4), (1, 7), (6, 6)])
def test_real_wishart_correction_is_the_chi1_part_of_its_moments(N, T):
    """(1/T) E tr (X^T X)^k of a real N x T Wishart: the chi = 1 parts of k = 2, 3, 4 are N, 3N(N+T) and
    N(6N^2 + 17NT + 6T^2) (one cross-cap), at gamma^-3, -4, -5."""
    got = correction_series_exact(WISHART, {"N": N, "T": T}, 5)
    assert got == [0, 0, 0, N, -3 * N * (N + T), N * (6 * N * N + 17 * N * T + 6 * T * T)]


def test_real_wishart_correction_equals_chi1_diagrams_to_order_7():
    v = {"N": 3, "T": 2}
    got = correction_series_exact(WISHART, v, 7)
    assert got == [chi_sums(WISHART, k, v, (1,))[1] for k in range(8)]
    assert got[7] != 0


def test_goe_and_gue():
    """A symmetric (GOE) matrix has a chi = 1 correction, a hermitian (GUE) one none (no twisted pairing)."""
    goe = _ensemble("symmetric")
    got = correction_series_exact(goe, {"n": 3}, 7)
    want = [chi_sums(goe, k, {"n": 3}, (1,))[1] for k in range(8)]
    assert got == want and want[3] == 1 and want[5] == 15          # (1/n) E tr X^2 = n + 1, tr X^4: 5n at chi = 1
    gue = _ensemble("hermitian")
    assert correction_series_exact(gue, {"n": 3}, 7) == [0] * 8
    assert all(chi_sums(gue, k, {"n": 3}, (1,))[1] == 0 for k in range(6))


# ---------------------------------------------------------------------------------------------- the enumeration

def test_pruned_enumeration_lists_exactly_the_contractions_of_each_chi():
    """contractions_with_chi(word, c) is the set of the engine's contractions with chi >= c."""
    words = [t.word for t in ex.terms(RF, 3)] + [t.word for t in ex.terms(RIDGE, 4)] + \
        [t.word for t in ex.terms(DEEP, 2)]
    for word in words:
        every = {(c.pairs, c.crossed): c.euler_characteristic for c in contractions(word)}
        for chi_min in (2, 1, 0, -5):
            got = [(c.pairs, c.crossed) for c in contractions_with_chi(word, chi_min)]
            assert len(got) == len(set(got))
            assert set(got) == {k for k, chi in every.items() if chi >= chi_min}, (str(word), chi_min)


def test_face_tally_equals_the_engines_faces():
    """The union-find faces of face_tally give the engine's Euler characteristic and face values."""
    from chi_enumeration import monomial_exact

    v = _values(RF, {"N": 2, "T": 3, "spectrum": ["1", "1/2", "1/3"], "sigma_u2": "2"})
    diag = {k: list(x) for k, x in RF.diagonal_values(v, exact=True).items()}
    sizes = {sp.name: RF.size_of(sp, v) for sp in RF.spaces.values()}
    for t in ex.terms(RF, 3, merge=False):
        mine, engine = Counter(), Counter()
        for (chi, key), n in face_tally(t.word, -10).items():
            mine[chi] += n * monomial_exact(key, diag, sizes)
        for c in contractions(t.word):
            engine[c.euler_characteristic] += ex.evaluate(c.value, RF, v)
        assert +mine == +engine, str(t.word)


@pytest.mark.parametrize("model, raw, K", [
    (RF, {"N": 2, "T": 3, "spectrum": ["1", "1/2", "1/3"]}, 3),
    (RIDGE, {"T": 3, "spectrum": ["1", "1/2", "1/3"]}, 4),
])
def test_chi_sums_equal_the_engines_exhaustive_split(model, raw, K):
    """chi_sums against expansion.order_summary over every contraction, filtered by Euler characteristic."""
    v = _values(model, raw)
    for k in range(K + 1):
        sums = chi_sums(model, k, v, (2, 1, 0))
        for chi in (2, 1, 0):
            s = ex.order_summary(model, k, "all", where=lambda term, c, chi=chi: c.euler_characteristic == chi)
            assert sums[chi] == ex.evaluate(s["coefficient"], model, v), (k, chi)
        assert sums[2] == ex.coefficient(model, k, values=v)          # the planar recursion


# ---------------------------------------------------------------------------------------------- series = diagrams

RF_POINTS = [
    {"N": 2, "T": 3, "spectrum": ["1", "1/2", "1/3"]},
    # N > T, a test set of two, covariate shift, label noise, C = 2 and non-unit variances
    {"N": 3, "T": 2, "That": 2, "spectrum": ["2", "1", "1/4", "1/5"], "spectrum_test": ["1", "1", "1/2", "1/3"],
     "sigma_u2": "3/2", "sigma_w2": "2/3", "C": 2, "label_noise": "1/5"},
]


@pytest.mark.parametrize("raw", RF_POINTS)
def test_random_features_series_equals_chi1_diagrams_to_order_4(raw):
    got = correction_series_exact(RF, raw, 4)
    assert got == [chi_sums(RF, k, raw, (1,))[1] for k in range(5)]
    assert got[4] != 0


@pytest.mark.slow
def test_random_features_series_equals_chi1_diagrams_orders_5_and_6():
    tallies: dict = {}
    for raw in RF_POINTS:
        got = correction_series_exact(RF, raw, 6)
        for k in (5, 6):
            assert got[k] == chi_sums(RF, k, raw, (1,), tallies=tallies)[1], (raw, k)


def test_ridge_series_equals_chi1_diagrams_to_order_6():
    for raw in ({"T": 3, "spectrum": ["1", "1/2", "1/3"]},
                {"T": 2, "That": 3, "spectrum": ["3", "1/2", "1/7", "1/9"], "sigma_w2": "2/3", "C": 2}):
        got = correction_series_exact(RIDGE, raw, 6)
        assert got == [chi_sums(RIDGE, k, raw, (1,))[1] for k in range(7)]


@pytest.mark.slow
def test_deep_series_equals_chi1_diagrams_to_order_4():
    raw = {"N": 2, "N1": 3, "T": 3, "spectrum": ["1", "1/2"], "sigma_v2": "2", "sigma_u2": "1/2"}
    got = correction_series_exact(DEEP, raw, 4)
    assert got == [chi_sums(DEEP, k, raw, (1,))[1] for k in range(5)]
    assert got[4] != 0


def test_planar_value_read_off_the_correction_system():
    """The doubled pencil's planar value (in the correction system) equals the Dyson route's value."""
    v = _values(RF, {"N": 30, "T": 50, "spectrum": [f"1/{i * i}" for i in range(1, 80)], "label_noise": "1/100"})
    for r in correction_numpy(RF, v, [1e-3, 0.1, 10.0], details=True):
        assert abs(r["planar (check)"] / r["planar"] - 1) < 1e-10


# ---------------------------------------------------------------------------------------------- numerics

def _partial_sum(coefs, gamma):
    return sum(c * Fraction(gamma) ** -k for k, c in enumerate(coefs))


@pytest.mark.parametrize("model, raw", [
    (RF, {"N": 2, "T": 3, "spectrum": ["1", "1/2", "1/3"], "label_noise": "1/3"}),
    (RIDGE, {"T": 4, "spectrum": ["1", "1/2", "1/3"]}),
    (WISHART, {"N": 3, "T": 5}),
])
def test_numpy_mpmath_and_series_agree(model, raw):
    """At a ridge well inside the radius of convergence the truncated exact series fixes L1 to ~1e-30."""
    import mpmath

    gamma = 400
    coefs = correction_series_exact(model, raw, 40)
    ser = _partial_sum(coefs, gamma)
    assert abs(float(coefs[40]) * gamma ** -40) < 1e-40 * abs(float(ser))
    mp = correction_mp(model, raw, gamma, dps=40)["correction"]
    with mpmath.workdps(40):
        assert abs(mp - mpmath.mpf(ser.numerator) / ser.denominator) < mpmath.mpf(10) ** -32 * abs(mp)
    num = correction_numpy(model, raw, [float(gamma)])[0]["correction"]
    assert abs(num / float(ser) - 1) < 1e-10


def test_mpmath_at_a_small_ridge_agrees_with_double_precision():
    raw = {"N": 20, "T": 30, "spectrum": [f"1/{i * i}" for i in range(1, 61)]}
    for g in ("1/1000", "1/10", "7"):
        a = correction_mp(RF, raw, g, dps=30)
        b = correction_mp(RF, raw, g, dps=45)
        assert abs(a["correction"] / b["correction"] - 1) < 1e-27
        c = correction_numpy(RF, raw, [float(Fraction(g))])[0]
        assert abs(float(b["correction"]) / c["correction"] - 1) < 1e-10
        assert abs(float(b["planar"]) / c["planar"] - 1) < 1e-10


def test_quadrature_of_a_long_spectrum():
    """The compressed spectrum changes L1 by less than 1e-6 relative (M = 2 10^5, slowly decaying)."""
    raw = {"N": 100, "T": 150, "spectrum": PowerLaw(Fraction(1, 2), 200000)}
    assert 200000 > COMPRESS_ABOVE
    gs = [1e-3, 1e-1]
    a = correction_numpy(RF, raw, gs)
    b = correction_numpy(RF, raw, gs, compress=False)
    for x, y in zip(a, b):
        assert x["planar"] == y["planar"]
        assert abs(x["correction"] / y["correction"] - 1) < 1e-6


def test_a_grid_equals_single_ridges():
    raw = {"N": 10, "T": 25, "spectrum": [f"1/{i}" for i in range(1, 31)], "label_noise": "1/50"}
    gs = [1e-4, 3e-2, 1.0, 50.0]
    grid = correction_numpy(RF, raw, gs)
    for g, row in zip(gs, grid):
        one = correction_numpy(RF, raw, [g])[0]
        assert abs(one["correction"] / row["correction"] - 1) < 1e-12
        assert abs(row["correction: label noise"] + row["correction: test loss"] - row["correction"]) \
            < 1e-14 * abs(row["correction"])


def test_bad_input_is_refused_before_work():
    with pytest.raises(ValueError, match="order"):
        correction_series_exact(RF, RF_POINTS[0], 10 ** 30)
    with pytest.raises(ValueError, match="dps"):
        correction_mp(RF, RF_POINTS[0], 1, dps=10 ** 6)
    with pytest.raises(ValueError, match="gamma"):
        correction_numpy(RF, RF_POINTS[0], [0.0])
    with pytest.raises(ValueError, match="gamma"):
        correction_mp(RF, RF_POINTS[0], -1)
    with pytest.raises(ValueError, match="N"):
        correction_numpy(RF, {"T": 3, "spectrum": [1]}, [1.0])
    with pytest.raises(ValueError, match="order"):
        chi_sums(RF, 99, RF_POINTS[0])
    with pytest.raises(ValueError, match="chis"):
        chi_sums(RF, 1, RF_POINTS[0], (3,))


# ---------------------------------------------------------------------------------------------- simulation

def _sim_point(N, T, gamma, noise, seed, trials=200):
    raw = {"N": N, "T": T, "spectrum": PowerLaw(Fraction(1), 4 * max(N, T)), "label_noise": noise}
    theory = correction_numpy(RF, raw, [gamma])[0]
    sim = simulate(RF, raw, gamma, trials=trials, seed=seed)
    return theory, sim


def _check_against_simulation(N, T, gamma, noise, seed):
    """Sizes s and 2s (M = 4 max(N, T)): at both, sim - L0 - L1 is within 3 s.e.; at the smaller size the
    planar value alone is more than 3 s.e. off (so the comparison can tell L1 from 0); the relative
    correction L1/L0 falls at least 1.7-fold (it halves for one term; with label noise the mix of the two
    terms of L0 changes with the size); and the relative remainder rho = (sim - L0 - L1)/L0 is consistent with
    shrinking like 1/N^2: 4 rho(2s) - rho(s), which has no 1/N term then, is within 3 s.e. of 0 (an error
    f L1 in L1 would leave f L1(s)/L0(s) there)."""
    (t1, s1), (t2, s2) = (_sim_point(N, T, gamma, noise, seed), _sim_point(2 * N, 2 * T, gamma, noise, seed + 1))
    for t, s in ((t1, s1), (t2, s2)):
        assert abs(s.mean - t["total"]) < 3 * s.stderr, (t, s.mean, s.stderr)
    assert abs(s1.mean - t1["planar"]) > 3 * s1.stderr
    rel1, rel2 = t1["correction"] / t1["planar"], t2["correction"] / t2["planar"]
    assert rel1 / rel2 > 1.7
    rho1, rho2 = (s1.mean - t1["total"]) / t1["planar"], (s2.mean - t2["total"]) / t2["planar"]
    assert abs(4 * rho2 - rho1) < 3 * math.hypot(4 * s2.stderr / t2["planar"], s1.stderr / t1["planar"])


@pytest.mark.slow
def test_simulation_N_below_T():
    _check_against_simulation(40, 60, 0.01, 0, seed=11)


@pytest.mark.slow
def test_simulation_N_above_T():
    _check_against_simulation(60, 40, 0.01, 0, seed=21)


@pytest.mark.slow
def test_simulation_with_label_noise():
    _check_against_simulation(40, 60, 0.001, "1/1000", seed=31)


# ---------------------------------------------------------------------------------------------- duality

def test_correction_symmetric_under_N_T_at_many_points():
    rng = random.Random(7)
    for _ in range(12):
        N, T = rng.randint(3, 150), rng.randint(3, 150)
        M = rng.randint(10, 400)
        alpha = Fraction(rng.choice([1, 2, 3, 5]), 4)
        su = Fraction(rng.randint(1, 9), rng.randint(1, 9))
        gs = [10 ** rng.uniform(-4, 1.5) for _ in range(3)]
        a = correction_numpy(RF, {"N": N, "T": T, "spectrum": PowerLaw(alpha, M), "sigma_u2": su}, gs)
        b = correction_numpy(RF, {"N": T, "T": N, "spectrum": PowerLaw(alpha, M), "sigma_u2": su}, gs)
        for x, y in zip(a, b):
            assert abs(x["correction"] / y["correction"] - 1) < 1e-9, (N, T, M, alpha, su, x["gamma"])


@pytest.mark.parametrize("N, T, spec", [(2, 3, ["1", "1/2", "1/3"]), (1, 4, ["3", "1/7"]), (5, 2, ["1", "2", "1/2", "4"])])
def test_correction_series_symmetric_under_N_T(N, T, spec):
    a = correction_series_exact(RF, {"N": N, "T": T, "spectrum": spec, "sigma_u2": "2/3"}, 12)
    b = correction_series_exact(RF, {"N": T, "T": N, "spectrum": spec, "sigma_u2": "2/3"}, 12)
    assert a == b


def test_symmetry_broken_by_label_noise_and_covariate_shift():
    base = {"spectrum": ["1", "1/2", "1/3"]}
    for extra in ({"label_noise": "1/3"}, {"spectrum_test": ["1", "1", "1"]}):
        a = correction_series_exact(RF, {"N": 2, "T": 3, **base, **extra}, 4)
        b = correction_series_exact(RF, {"N": 3, "T": 2, **base, **extra}, 4)
        assert a != b, extra


def test_exact_loss_symmetric_at_every_chi():
    """Not only L1: the exact finite-size loss is N <-> T symmetric chi by chi (docs/finite_size.md proves it
    for Sigma = s 1, Lambdahat = Lambda), here chi = 2, 1, 0, -1 to order 4."""
    tallies: dict = {}
    for k in range(5):
        a = chi_sums(RF, k, {"N": 2, "T": 5, "spectrum": ["1", "1/2", "1/3"], "sigma_u2": "3"}, (2, 1, 0, -1),
                     tallies=tallies)
        b = chi_sums(RF, k, {"N": 5, "T": 2, "spectrum": ["1", "1/2", "1/3"], "sigma_u2": "3"}, (2, 1, 0, -1),
                     tallies=tallies)
        assert a == b, k


def _check_duality_map(max_order):
    from diagrams.models.random_features.duality import dual, isotropic_key as iso_key, swap_key
    from diagrams.models.random_features.duality_genus import dual_any_genus
    from diagrams.models.random_features.expansion import loss_terms

    seen = Counter()
    for k in range(max_order + 1):
        words = {t.word for t in loss_terms(k, mirror=True)}
        for term in loss_terms(k, mirror=True):
            for c in contractions_with_chi(term.word, 0):
                d = dual_any_genus(c)
                chi = c.euler_characteristic
                assert d.word in words and d.euler_characteristic == chi
                assert dual_any_genus(d) == c
                assert iso_key(d) == swap_key(iso_key(c))
                if chi == 2:
                    assert d == dual(c)
                seen[chi] += 1
    return seen


def test_duality_map_extends_to_every_genus():
    """The word-level map (colour swap, test leaf moved to the junction) is the paper's map on planar
    diagrams and, at chi = 2, 1, 0, an involution onto diagrams of the expansion with the same chi whose
    values are the originals with N <-> T (Sigma = s 1, Lambdahat = Lambda)."""
    seen = _check_duality_map(3)
    assert seen[1] == 10 + 138 and seen[2] == 1 + 2 + 10 + 56 and seen[0] == 7 + 306


@pytest.mark.slow
def test_duality_map_extends_to_every_genus_order_4():
    seen = _check_duality_map(4)
    assert seen[1] == 10 + 138 + 1434 and seen[2] == 1 + 2 + 10 + 56 + 330 and seen[0] == 7 + 306 + 5784


def test_chi1_value_multisets_symmetric():
    """Per order, the multiset of chi = 1 values (Sigma = s 1, Lambdahat = Lambda) is N <-> T symmetric, so the
    sums are symmetric diagram by diagram, not by cancellations between values."""
    from diagrams.models.random_features.duality import isotropic_key as iso_key, swap_key
    from diagrams.models.random_features.expansion import loss_terms

    for k in range(2, 5):
        values = Counter()
        for term in loss_terms(k, mirror=True):
            for c in contractions_with_chi(term.word, 1):
                if c.euler_characteristic == 1:
                    values[iso_key(c)] += 1
        assert values == Counter({swap_key(key): n for key, n in values.items()})
        assert any(swap_key(key) != key for key in values)          # not all values are N <-> T symmetric


# ---------------------------------------------------------------------------------------------- commands

@pytest.fixture
def run(capsys):
    import diagrams.cli as cli

    def _run(*argv):
        try:
            status = cli.main([*map(str, argv)])
        except SystemExit as exc:
            status = exc.code
        out, err = capsys.readouterr()
        return status, out, err
    return _run


def test_cli_loss_finite_size_json(run):
    status, out, err = run("loss", "--N", 40, "--T", 60, "--gamma", "0.01", "--alpha", 1, "--M", 240,
                           "--finite-size", "--json")
    assert status == 0 and err == ""
    d = json.loads(out)
    want = correction_numpy(RF, {"N": 40, "T": 60, "spectrum": PowerLaw(Fraction(1), 240)}, [0.01])[0]
    for k in ("planar", "correction", "total"):
        assert abs(d[k] / want[k] - 1) < 1e-12
    assert abs(d["total"] - d["planar"] - d["correction"]) < 1e-15 * d["total"]


def test_cli_loss_finite_size_table_list_and_dps(run):
    status, out, err = run("loss", "--model", "ridge", "--T", 6, "--spectrum", "1,1/2", "--gamma", "1,10",
                           "--finite-size")
    assert status == 0 and "L1 (chi = 1)" in out and len(out.strip().splitlines()) == 5
    status, out, err = run("loss", "--model", "ridge", "--T", 6, "--spectrum", "1,1/2", "--gamma", "1,10",
                           "--finite-size", "--json", "--dps", 30)
    d = json.loads(out)
    assert status == 0 and len(d["correction"]) == 2 and d["dps"] == 30
    rows = finite_size_loss(RIDGE, {"T": 6, "spectrum": ["1", "1/2"]}, [1.0, 10.0])
    assert all(abs(float(c) / r["correction"] - 1) < 1e-10 for c, r in zip(d["correction"], rows))


@pytest.mark.parametrize("argv, flag", [
    (["--gamma", "0"], "--gamma"), (["--gamma", "1e-400"], "--gamma"), (["--gamma", "x"], "--gamma"),
    (["--gamma", "1", "--dps", "3"], "--dps"), (["--optimal"], "--finite-size"), (["--gamma", "1", "--N", "0"], "--N"),
])
def test_cli_loss_finite_size_refuses(run, argv, flag):
    status, out, err = run("loss", "--N", 4, "--T", 6, "--spectrum", "1,1/2", "--finite-size", *argv)
    assert status == 2 and out == "" and flag in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_figure_data_and_file(tmp_path, run):
    from diagrams.output.figures import fig_finite_size

    fig = fig_finite_size("ridge", quick=True, simulate=True, seed=3, trials=8)
    d = fig.data
    assert list(d["sim_n"]) == [10, 20] and len(d["sim"]) == 2 and np.all(d["stderr"] > 0)
    assert np.all(np.abs(d["total"] - d["planar"] - d["correction"]) <= 1e-15 * d["total"])
    assert d["correction"][0] > d["correction"][-1] > 0                 # the correction shrinks with the size
    status, out, err = run("figures", "--finite-size", "--out", tmp_path, "--quick", "--no-simulation",
                           "--model", "ridge", "--json")
    assert status == 0, err
    path = json.loads(out)["files"][0]
    assert path.endswith("finite_size_vs_N.png") and (tmp_path / "finite_size_vs_N.png").stat().st_size > 1000


# ---------------------------------------------------------------------------------------------- API fuzz

BAD_ORDERS = [-1, 1e30, 10 ** 6, 2.5, "x", None, True, float("nan"), float("inf"), [3], "1/2"]
BAD_GAMMAS = [0, -1, "x", None, True, float("nan"), float("inf"), [1], "1/0", 1e-400]


@pytest.mark.parametrize("bad", BAD_ORDERS)
def test_api_refuses_bad_orders(bad):
    for f in (correction_series_exact, chi_sums):
        with pytest.raises(ValueError, match="order"):
            f(RIDGE, {"T": 3, "spectrum": [1]}, bad) if f is correction_series_exact else f(RIDGE, bad, {"T": 3, "spectrum": [1]})


@pytest.mark.parametrize("bad", BAD_GAMMAS)
def test_api_refuses_bad_ridges(bad):
    with pytest.raises(ValueError, match="gamma"):
        correction_numpy(RIDGE, {"T": 3, "spectrum": [1]}, [1.0, bad])
    with pytest.raises(ValueError, match="gamma"):
        correction_mp(RIDGE, {"T": 3, "spectrum": [1]}, bad)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "1/2", True, None, float("nan"), "abc", [4], 10 ** 12])
def test_api_refuses_bad_sizes(bad):
    for call in (lambda v: correction_numpy(RF, v, [1.0]), lambda v: correction_series_exact(RF, v, 2),
                 lambda v: chi_sums(RF, 2, v), lambda v: correction_mp(RF, v, 1)):
        with pytest.raises(ValueError, match="N"):
            call({"N": bad, "T": 3, "spectrum": [1, "1/2"]})


def test_api_refuses_bad_arguments():
    with pytest.raises(ValueError, match="model"):
        correction_numpy("random-features", {"N": 1}, [1.0])
    with pytest.raises(ValueError, match="values"):
        correction_series_exact(RF, [("N", 2)], 2)
    with pytest.raises(ValueError, match="gammas"):
        correction_numpy(RIDGE, {"T": 3, "spectrum": [1]}, 1.0)
    with pytest.raises(ValueError, match="chis"):
        chi_sums(RIDGE, 1, {"T": 3, "spectrum": [1]}, None)
    with pytest.raises(ValueError, match="dps"):
        correction_mp(RIDGE, {"T": 3, "spectrum": [1]}, 1, dps=14)
