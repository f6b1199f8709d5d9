"""Label noise (paper App. A): words with the noise propagator, diagrams, resummation, closed form.

Independent routes compared: the engine's planar sums of the noise words against the series of the
resummed closed form (solved from the consistency relation alone); class sums of enumerated diagrams
against the class formulas; the closed form against the classic ridgeless variance ``N/(T - N)`` and
against a direct simulation of ridge regression with noisy labels.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
import sympy

from diagrams.engine.planar import planar_expectation_exact
from diagrams.engine.symbols import evaluate_traces
from diagrams.engine.wick import monomial_value
from diagrams.engine.words import Word
from diagrams.models.random_features import noise as nz
from diagrams.models.random_features.model import MATRICES, SPACES, N, T

POINTS = [(2, 5, ["1", "1/2", "1/3"], "3/2"), (7, 3, ["2", "1/3", "1/4", "1"], "1")]


def _diag(spec, su):
    s = Fraction(su) / len(spec)
    return {"Lambda": spec, "Lambdahat": spec, "Sigma": [s] * len(spec)}


def test_noise_words():
    assert nz.noise_terms(0) == [] and nz.noise_terms(1) == []
    for k in range(2, 7):
        terms = nz.noise_terms(k)
        assert len(terms) == k - 1
        for t in terms:
            assert t.coefficient == (-1) ** k and t.top + t.bottom == k - 2
            letters = [str(a) for a in t.word]
            assert letters[t.top_length - 1:t.top_length + 1] == ["eps^T", "eps"]   # the noise propagator
            assert letters.count("u^T") == k                                       # order = number of u pairs


@pytest.mark.parametrize("k", [2, 3, 4])
def test_noise_propagator_closes_a_label_loop(k):
    """Contracting eps^T eps gives C times the word without it (planar sums, engine)."""
    Nv, Tv, spec, su = POINTS[0]
    for t in nz.noise_terms(k):
        bare = Word.parse(" ".join(a for a in str(t.word).split() if a not in ("eps", "eps^T")), MATRICES)
        with_eps = planar_expectation_exact(t.word, _diag(spec, su), {"N": Nv, "T": Tv, "That": 1, "C": 3})
        without = planar_expectation_exact(bare, _diag(spec, su), {"N": Nv, "T": Tv, "That": 1})
        assert with_eps == 3 * without != 0


@pytest.mark.parametrize("Nv,Tv,spec,su", POINTS)
def test_noise_series_matches_its_diagrams_to_order_6(Nv, Tv, spec, su):
    K = 6
    ser = nz.noise_series_exact(K, Nv, Tv, spec, sigma_eps2="1/3", sigma_u2=su, C=2)
    for k in range(K + 1):
        tot = sum((t.coefficient * planar_expectation_exact(t.word, _diag(spec, su),
                                                             {"N": Nv, "T": Tv, "That": 1, "C": 2})
                   for t in nz.noise_terms(k)), Fraction(0))
        assert tot * Fraction(1, 3) / 2 == ser[k]
    assert ser[2] != 0 and ser[5] != 0


@pytest.mark.parametrize("Nv,Tv,spec,su", POINTS)
def test_noise_classes_match_their_diagrams_to_order_5(Nv, Tv, spec, su):
    K = 5
    cls = nz.noise_series_exact(K, Nv, Tv, spec, sigma_u2=su, classes=True)
    spaces = {sp.name: sp for sp in SPACES + (nz.LABEL,)}
    for k in range(2, K + 1):
        per = {c: Counter() for c in nz.NOISE_CLASSES}
        for t, c in nz.noise_diagrams(k):
            per[nz.noise_class(t, c)][c.monomial] += t.coefficient
        for name in nz.NOISE_CLASSES:
            val = Fraction(0)
            for key, w in per[name].items():
                e = evaluate_traces(monomial_value(key, spaces), _diag(spec, su),
                                    {"N": Nv, "T": Tv, "That": 1, "C": 1, "M": len(spec)})
                val += w * Fraction(int(e.p), int(e.q))
            assert val / 2 == cls[name][k], (k, name)
        assert all(per[name] for name in nz.NOISE_CLASSES) or k == 2


def test_noise_classes_definition():
    """self: the two phî's contracted together; same_side/opposite as in App. A, Eq. 174."""
    seen = Counter(nz.noise_class(t, c) for t, c in nz.noise_diagrams(4))
    assert set(seen) == set(nz.NOISE_CLASSES)
    for t, c in nz.noise_diagrams(3):
        L = len(t.word)
        if (1, L - 2) in c.pairs:
            assert nz.noise_class(t, c) == "self"


def test_noise_symbolic_coefficient_is_not_symmetric():
    c2 = nz.noise_coefficient(2)
    assert c2 != 0
    assert sympy.expand(c2 - c2.xreplace({N: T, T: N})) != 0


@pytest.mark.parametrize("k", [2, 3, 4])
def test_noise_duality_report(k):
    rep = nz.noise_duality_report(k)
    assert rep["planar"] == sum(1 for _ in nz.noise_diagrams(k)) > 0
    assert rep["structural_partners"] == 0
    assert rep["sum_self_dual"] is False
    assert rep["unmatched"] >= 1 and len(rep["unmatched_diagrams"]) >= 1


def test_noise_ridgeless_limit_is_the_classic_variance():
    """gamma -> 0, N < T: C sigma^2/2 * N/(T - N) (ridgeless least squares on N features)."""
    rng = np.random.default_rng(0)
    for Nv, Tv in [(50, 400), (120, 300), (30, 31 * 3)]:
        lam = rng.uniform(0.1, 2.0, size=500)
        r = nz.noise_loss(Nv, Tv, 1e-10, lam, sigma_eps2=0.7, sigma_u2=1.3, C=2)
        assert r.loss == pytest.approx(2 * 0.7 / 2 * Nv / (Tv - Nv), rel=1e-6)


def test_noise_numpy_matches_mpmath_literal_definitions():
    lam = [1.0 / i ** 1.5 for i in range(1, 201)]
    for Nv, Tv, g in [(40, 90, 1e-2), (90, 40, 1e-3), (60, 60, 0.5)]:
        r = nz.noise_loss(Nv, Tv, g, lam, 0.3, sigma_u2=1.2, C=2)
        m = nz.noise_loss_mp(Nv, Tv, g, lam, 0.3, sigma_u2=1.2, C=2, dps=30)
        for f in ("loss", "self", "same_side", "opposite", "dual_resummation_factor"):
            assert getattr(r, f) == pytest.approx(float(getattr(m, f)), rel=1e-9, abs=1e-14)
        assert float(m.loss) == pytest.approx(float(m.self + m.same_side + m.opposite), rel=1e-25)
        # the total against the planar Dyson equation of the declared model (label noise included)
        from diagrams.analysis.dyson_solve import solve_numpy
        from diagrams.models.registry import load_model

        rf = load_model("random-features")
        vals = rf.read_values({"N": Nv, "T": Tv, "spectrum": lam, "sigma_u2": 1.2, "C": 2, "label_noise": 0.3})
        assert r.total == pytest.approx(solve_numpy(rf, vals, [g])[0]["observable"], rel=1e-9)


def test_noise_loss_vectorised_and_validated():
    lam = [1.0, 0.5, 0.25]
    r = nz.noise_loss(3, 5, [0.1, 1.0, 10.0], lam, 1.0)
    assert r.loss.shape == (3,)
    assert r.loss[1] == pytest.approx(nz.noise_loss(3, 5, 1.0, lam, 1.0).loss, rel=1e-12)
    with pytest.raises(ValueError, match="sigma_eps2"):
        nz.noise_loss(3, 5, 1.0, lam, -1.0)
    with pytest.raises(ValueError, match="sigma_eps2"):
        nz.noise_loss(3, 5, 1.0, lam, "abc")


@pytest.mark.slow
@pytest.mark.parametrize("Nv,Tv", [(50, 120), (120, 50)])
def test_noisy_closed_form_against_simulation(Nv, Tv):
    """Direct simulation of ridge regression with noisy labels, N < T and N > T.

    Tolerance: 4 standard errors plus 3 % for the finite-size corrections (O(1/min(N, T))).  The
    noise part is isolated with common random numbers (same draws with and without noise); it is
    also checked to be far from the N <-> T swapped closed form, i.e. the asymmetry is real.
    """
    from diagrams.models.random_features.closed_form import power_law_spectrum
    from diagrams.models.random_features.simulate import simulate_test_loss
    lam = power_law_spectrum(300, 0.5)
    g, se = 1e-2, 1e-3
    r = nz.noise_loss(Nv, Tv, g, lam, se)
    swapped = nz.noise_loss(Tv, Nv, g, lam, se)
    s1 = simulate_test_loss(Nv, Tv, g, lam, trials=30, seed=11, label_noise=se)
    s0 = simulate_test_loss(Nv, Tv, g, lam, trials=30, seed=11, label_noise=0.0)
    assert abs(s1.loss - r.total) <= 4 * s1.stderr + 0.03 * r.total
    d = s1.losses - s0.losses
    de = d.std(ddof=1) / np.sqrt(d.size)
    assert abs(d.mean() - r.loss) <= 4 * de + 0.03 * r.loss
    assert abs(d.mean() - swapped.loss) > 4 * de + 0.03 * r.loss


# ------------------------------------------------------------------------------------------
# tiny and huge ridges, denormals (regression: NaN at gamma = 1e-310, 2.8 % off at sigma_u2 = 1e-320)
# ------------------------------------------------------------------------------------------

NOISE_FIELDS = ("loss", "self", "same_side", "opposite", "A", "B", "G", "D", "dual_resummation_factor", "total")


@pytest.mark.parametrize("Nv,Tv,M,g", [(5, 8, 10, 1e-12), (5, 8, 10, 1e-100), (5, 8, 10, 1e-150),
                                       (10, 10, 10, 1e-12), (12, 12, 10, 1e-60), (40, 90, 200, 1e6),
                                       (90, 40, 200, 1e-9), (3, 3, 50, 1e-12)])
def test_noise_numpy_matches_mpmath_at_extreme_ridges(Nv, Tv, M, g):
    from diagrams.models.random_features.closed_form import power_law_spectrum
    lam = power_law_spectrum(M, 1.0)
    r = nz.noise_loss(Nv, Tv, g, lam, 0.1)
    m = nz.noise_loss_mp(Nv, Tv, g, list(lam), 0.1, dps=30)
    for f in NOISE_FIELDS:
        got, want = getattr(r, f), float(getattr(m, f))
        assert np.isfinite(got) and got == pytest.approx(want, rel=1e-10, abs=1e-300), f


def test_noise_tiny_ridge_is_refused_with_the_range_accepted():
    from diagrams.models.random_features.closed_form import power_law_spectrum
    lam = power_law_spectrum(10, 1.0)
    with pytest.raises(ValueError, match=r"^gamma: must be >= (\S+) ") as info:
        nz.noise_loss(5, 8, 1e-300, lam, 0.1)
    least = float(info.value.args[0].split(">= ")[1].split()[0])
    r = nz.noise_loss(5, 8, least * 1.02, lam, 0.1)               # the bound given is accepted ...
    assert all(np.isfinite(getattr(r, f)) for f in NOISE_FIELDS)
    with pytest.raises(ValueError, match="^gamma:"):              # ... and just below it is not
        nz.noise_loss(5, 8, least / 2, lam, 0.1)


@pytest.mark.parametrize("fn", ["noise_loss", "noise_loss_mp"])
@pytest.mark.parametrize("kwargs,name", [
    (dict(gamma=1e-310), "gamma"), (dict(gamma="1e-310"), "gamma"), (dict(sigma_u2=1e-320), "sigma_u2"),
    (dict(sigma_u2="1e-320"), "sigma_u2"), (dict(sigma_eps2=1e-320), "sigma_eps2"), (dict(C=1e-320), "C"),
    (dict(spectrum=[1.0, 1e-320]), "spectrum"), (dict(sigma_eps2=float("nan")), "sigma_eps2"),
    (dict(sigma_eps2=True), "sigma_eps2"), (dict(gamma=True), "gamma"), (dict(sigma_eps2="1e400"), "sigma_eps2"),
])
def test_noise_denormal_and_bad_values_refused(fn, kwargs, name):
    args = dict(N=5, T=8, gamma=0.1, spectrum=[1.0, 0.5, 0.25], sigma_eps2=0.1)
    args.update(kwargs)
    with pytest.raises(ValueError, match=rf"^{name}:"):
        getattr(nz, fn)(**args)


@pytest.mark.parametrize("extra", [["--gamma", "1e-310"], ["--gamma", "1e-150", "--sigma-u2", "1e-320"],
                                   ["--gamma", "1e-300"]])
def test_cli_noise_never_prints_nan(extra):
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "diagrams", "loss", "--N", "5", "--T", "8", "--alpha", "1", "--M", "10",
                        "--label-noise", "0.1", *extra], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1, (r.stdout, r.stderr)
    assert "nan" not in r.stderr.lower()
