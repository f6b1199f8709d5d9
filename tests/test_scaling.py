"""Scaling-law approximations (diagrams.models.random_features.scaling) and the ``simulate`` / ``scaling`` commands.

The approximations are judged against the exact closed form Eq. (104) (its numerical minimum over the
ridge), against numerical integrals and numerical minimisations of the parametric forms -- never
against themselves.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import minimize_scalar

from diagrams import cli
from diagrams.models.random_features import scaling as sc
from diagrams.models.random_features.closed_form import optimal_ridge, power_law_spectrum, closed_form_loss

M_BIG = 20000


# --------------------------------------------------------------------------- building blocks

@pytest.mark.parametrize("alpha", [0.5, 1.0, 2.0, 3.0])
def test_c_alpha_is_the_latent_integral(alpha):
    integral, _ = quad(lambda x: 1.0 / (1.0 + x ** (1 + alpha)), 0, np.inf)
    assert sc.c_alpha(alpha) == pytest.approx(integral, rel=1e-8)


def test_nu():
    for N, T in [(10, 10), (100, 400), (3000, 7)]:
        assert sc.nu(N, T, 1.0) == 1.0  # nu = 1 at alpha = 1
    assert sc.nu(100, 100, 2.0) < 1 < sc.nu(100, 100, 0.5)
    assert abs(sc.nu(1, 10 ** 8, 2.0) - 1) < 1e-6  # N/T -> 0
    # N = T, alpha = 2: 1 - 4 N^2 * 4 / (6 * 4 N^2) = 1/3
    assert sc.nu(50, 50, 2.0) == pytest.approx(math.sqrt(1 / 3), rel=1e-14)
    assert np.allclose(sc.nu(np.array([10, 20]), 40, 2.0), [sc.nu(10, 40, 2.0), sc.nu(20, 40, 2.0)])


@pytest.mark.parametrize("alpha,N,T", [(1.0, 100, 400), (2.0, 100, 100), (2.0, 300, 50), (0.5, 80, 200)])
def test_optimum_formulas_minimise_the_parametric_loss(alpha, N, T):
    """L*(nu) and gamma*(nu) against a numerical minimisation of L(Xi) and gamma(Xi) at that Xi."""
    M = 10000
    res = minimize_scalar(lambda xi: sc.loss_approx_xi(xi, N, T, alpha, M), bounds=(1e-3, min(N, T)),
                          method="bounded", options={"xatol": 1e-10})
    assert sc.optimal_loss_approx(N, T, alpha, M) == pytest.approx(res.fun, rel=1e-9)
    assert sc.optimal_ridge_approx(N, T, alpha, M) == pytest.approx(
        sc.gamma_approx_xi(res.x, N, T, alpha, M), rel=1e-5)


def test_parametric_forms_track_the_closed_form():
    """At a given ridge, Xi = N(1 - gamma<q>) from Eq. (104) fed to the parametric forms."""
    lam = power_law_spectrum(M_BIG, 1.0)
    for N, T, gamma in [(100, 400, 1e-4), (200, 200, 1e-3), (300, 100, 1e-5)]:
        r = closed_form_loss(N, T, gamma, lam)
        Xi = N * (1 - gamma * r.q)
        assert T * (1 - gamma * r.Q) == pytest.approx(Xi, rel=1e-9)  # Eq. 99 consistency
        assert sc.gamma_approx_xi(Xi, N, T, 1.0, M_BIG) == pytest.approx(gamma, rel=0.03)
        assert sc.loss_approx_xi(Xi, N, T, 1.0, M_BIG) == pytest.approx(r.loss, rel=0.03)


# --------------------------------------------------------------------------- against the exact optimum

@pytest.mark.parametrize("alpha", [1.0, 2.0])
@pytest.mark.parametrize("N,T", [(100, 100), (100, 400), (400, 100), (300, 300)])
def test_optimum_approximations_within_reference_accuracy(alpha, N, T):
    """Paper Secs. IV.3-IV.4 approximations: 1-2 % at M = 20000 for alpha = 1, 2 (measured here: <= 2.1 %;
    docs/simulation_and_scaling.md Sec. 2)."""
    lam = power_law_spectrum(M_BIG, alpha)
    g_exact, L_exact = optimal_ridge(N, T, lam)
    assert sc.optimal_loss_approx(N, T, alpha, M_BIG) == pytest.approx(L_exact, rel=0.025)
    assert sc.optimal_ridge_approx(N, T, alpha, M_BIG) == pytest.approx(g_exact, rel=0.025)
    opt = sc.exact_optimum(N, T, alpha, M_BIG)
    assert (opt.gamma, opt.loss) == pytest.approx((g_exact, L_exact), rel=1e-9)
    # it is a minimum of the closed form
    assert np.all(closed_form_loss(N, T, [opt.gamma / 2, opt.gamma * 2], lam).loss > opt.loss)


@pytest.mark.parametrize("N,T", [(100, 100), (100, 400)])
def test_optimum_approximation_alpha_half(N, T):
    """Only 7-15 % for alpha = 0.5 (slowly converging latent sums; docs/simulation_and_scaling.md Sec. 2)."""
    g_exact, L_exact = optimal_ridge(N, T, power_law_spectrum(M_BIG, 0.5))
    assert sc.optimal_loss_approx(N, T, 0.5, M_BIG) == pytest.approx(L_exact, rel=0.15)
    assert sc.optimal_ridge_approx(N, T, 0.5, M_BIG) == pytest.approx(g_exact, rel=0.15)


@pytest.mark.parametrize("alpha", [1.0, 2.0])
def test_ridgeless_approximation(alpha):
    lam = power_law_spectrum(M_BIG, alpha)
    for N, T in [(100, 400), (400, 100), (50, 1000)]:
        exact = closed_form_loss(N, T, 1e-14, lam).loss  # gamma -> 0
        assert sc.ridgeless_loss_approx(N, T, alpha, M_BIG) == pytest.approx(exact, rel=0.035)
    assert sc.ridgeless_loss_approx(100, 100, alpha, M_BIG) == math.inf
    # double descent: the approximate ridgeless loss grows towards N = T from either side
    Ns = [70, 85, 95, 105, 120, 200]
    vals = [sc.ridgeless_loss_approx(N, 100, alpha, M_BIG) for N in Ns]
    assert vals[0] < vals[1] < vals[2] and vals[3] > vals[4] > vals[5]


# --------------------------------------------------------------------------- exponents

def test_fit_exponent_matches_polyfit():
    rng = np.random.default_rng(0)
    sizes = np.array([10, 20, 40, 80, 160, 320])
    losses = 2.0 * sizes ** -0.7 * np.exp(0.05 * rng.standard_normal(sizes.size))
    fit = sc.fit_exponent(sizes, losses)
    coef, cov = np.polyfit(np.log(sizes), np.log(losses), 1, cov="unscaled")
    resid = np.log(losses) - np.polyval(coef, np.log(sizes))
    stderr = math.sqrt(cov[0, 0] * (resid @ resid) / (sizes.size - 2))
    assert fit.exponent == pytest.approx(-coef[0], rel=1e-12)
    assert fit.stderr == pytest.approx(stderr, rel=1e-9)
    e, s = sc.fit_exponent([1, 2], [1.0, 0.25])
    assert e == pytest.approx(2.0) and math.isnan(s)


@pytest.mark.parametrize("alpha", [1.0, 2.0])
def test_exponent_from_exact_optima(alpha):
    """L* ~ N^-alpha for N << T << M, and ~ N^-alpha along N = T (within 5 %)."""
    lam = power_law_spectrum(M_BIG, alpha)
    Ns = [25, 50, 100, 200]
    fixed_T = [optimal_ridge(N, 4000, lam).loss for N in Ns]
    fit = sc.fit_exponent(Ns, fixed_T)
    assert fit.exponent == pytest.approx(alpha, rel=0.05), fit
    assert fit.stderr < 0.01
    Ns = [50, 100, 200, 400]
    diagonal = [optimal_ridge(N, N, lam).loss for N in Ns]
    fit = sc.fit_exponent(Ns, diagonal)
    assert fit.exponent == pytest.approx(alpha, rel=0.05), fit
    # the exponent is a property of the data: a different alpha gives a clearly different fit
    other = [optimal_ridge(N, N, power_law_spectrum(M_BIG, alpha + 1)).loss for N in Ns]
    assert sc.fit_exponent(Ns, other).exponent > alpha + 0.8


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("call,name", [
    (lambda: sc.c_alpha(0), "alpha"), (lambda: sc.nu(0, 3, 1), "N"), (lambda: sc.nu(3, -1, 1), "T"),
    (lambda: sc.optimal_loss_approx(10, 10, 1, 0), "M"), (lambda: sc.optimal_ridge_approx(10, 10, 1, 2.5), "M"),
    (lambda: sc.optimal_loss_approx(10, 10, -1, 100), "alpha"),
    (lambda: sc.optimal_ridge_approx(10, 10, 1, 100, sigma_u2=0), "sigma_u2"),
    (lambda: sc.loss_approx_xi(11, 10, 20, 1, 100), "Xi"), (lambda: sc.gamma_approx_xi(0, 10, 20, 1, 100), "Xi"),
    (lambda: sc.fit_exponent([1, 2, 3], [1, 2]), "losses"), (lambda: sc.fit_exponent([1], [1]), "sizes"),
    (lambda: sc.fit_exponent([1, 2], [1, 0]), "losses"), (lambda: sc.fit_exponent([2, 2], [1, 3]), "sizes"),
    (lambda: sc.ridgeless_loss_approx(10, 20, 1, 100, C=0), "C"),
])
def test_bad_input(call, name):
    with pytest.raises(ValueError, match=rf"^{name}:"):
        call()


# --------------------------------------------------------------------------- command line

def _run(monkeypatch, capsys, *argv):
    extra = [n for n in ("simulate", "scaling") if n not in cli.COMMANDS]
    monkeypatch.setattr(cli, "COMMANDS", list(cli.COMMANDS) + extra)
    try:
        status = cli.main([str(a) for a in argv])
    except SystemExit as exc:  # argparse errors
        status = exc.code
    out = capsys.readouterr()
    return status, out.out, out.err


def test_cli_simulate(monkeypatch, capsys):
    from diagrams.analysis.simulate import simulate
    from diagrams.models.registry import load_model

    status, out, err = _run(monkeypatch, capsys, "simulate", "--N", 20, "--T", 30, "--gamma", "1/100",
                            "--alpha", "1", "--M", 100, "--trials", 5, "--seed", 3, "--json")
    assert status == 0 and err == ""
    data = json.loads(out)
    assert {"loss", "stderr", "trials", "N", "T", "M", "gamma", "seed", "closed_form"} <= set(data)
    ref = simulate(load_model("random-features"), {"N": 20, "T": 30, "spectrum": list(power_law_spectrum(100, 1.0))},
                   0.01, trials=5, seed=3)
    assert (data["loss"], data["stderr"], data["trials"]) == (ref.mean, ref.stderr, 5)
    assert data["closed_form"] == pytest.approx(closed_form_loss(20, 30, 0.01, power_law_spectrum(100, 1.0)).loss)
    # explicit spectrum, finite test set drawn, label noise, human output
    status, out, err = _run(monkeypatch, capsys, "simulate", "--N", 3, "--T", 4, "--gamma", "0.1",
                            "--spectrum", "1,1/2,1/3,1/4,1/5", "--That", 7, "--trials", 2,
                            "--draw-test", "--label-noise", "0.01")
    assert status == 0 and "simulated" in out


@pytest.mark.parametrize("argv", [
    ["--N", 0, "--T", 3, "--gamma", 1, "--spectrum", "1,2"],
    ["--N", 2, "--T", 3, "--spectrum", "1,2"],                                  # no --gamma
    ["--N", 2, "--T", 3, "--gamma", 1, "--spectrum", "1,2", "--alpha", 1],      # both spectra
    ["--N", 2, "--T", 3, "--gamma", 1],                                         # no spectrum
    ["--N", 2, "--T", 3, "--gamma", -1, "--alpha", 1, "--M", 10],
    ["--N", 2, "--T", 3, "--gamma", 1, "--alpha", 1, "--M", 10, "--trials", "1/2"],
    ["--N", 2, "--T", 2, "--gamma", 0, "--alpha", 1, "--M", 10],                # gamma must be > 0
    ["--N", 2, "--T", 3, "--gamma", 1, "--alpha", 1, "--M", 10, "--bogus"],
])
def test_cli_simulate_bad_input(monkeypatch, capsys, argv):
    status, out, err = _run(monkeypatch, capsys, "simulate", *argv)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1


def test_cli_scaling(monkeypatch, capsys):
    status, out, err = _run(monkeypatch, capsys, "scaling", "--N", 100, "--T", 400, "--alpha", 1,
                            "--M", M_BIG, "--json")
    assert status == 0 and err == ""
    data = json.loads(out)
    assert {"nu", "loss_approx", "gamma_approx", "loss_exact", "gamma_exact"} <= set(data)
    assert data["nu"] == 1.0
    g_exact, L_exact = optimal_ridge(100, 400, power_law_spectrum(M_BIG, 1.0))
    assert data["loss_exact"] == pytest.approx(L_exact, rel=1e-9)
    assert data["gamma_exact"] == pytest.approx(g_exact, rel=1e-9)
    assert data["loss_approx"] == pytest.approx(L_exact, rel=0.025)
    # alpha = 1: gamma* ~ pi^2/(4M), L* ~ pi^2/(8M) (1/N + 1/T)
    assert data["gamma_approx"] == pytest.approx(math.pi ** 2 / (4 * M_BIG), rel=1e-12)
    assert data["loss_approx"] == pytest.approx(math.pi ** 2 / (8 * M_BIG) * (1 / 100 + 1 / 400), rel=1e-12)
    status, out, err = _run(monkeypatch, capsys, "scaling", "--N", 50, "--T", 50, "--alpha", 2, "--M", 2000)
    assert status == 0 and "optimal loss" in out and "optimal ridge" in out


@pytest.mark.parametrize("argv", [
    ["--N", 10, "--T", 20, "--alpha", 0, "--M", 100],
    ["--N", 10, "--T", 20, "--alpha", 1],
    ["--N", "x", "--T", 20, "--alpha", 1, "--M", 100],
    ["--N", 10, "--T", 20, "--alpha", 1, "--M", 100, "--sigma-u2", -1],
])
def test_cli_scaling_bad_input(monkeypatch, capsys, argv):
    status, out, err = _run(monkeypatch, capsys, "scaling", *argv)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1


# --------------------------------------------------------------------------- limits and JSON

def _strict_json(text):
    def refuse(token):
        raise AssertionError(f"non-finite number {token} in the JSON output")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("argv,nulls", [
    (["--N", 300, "--T", 400, "--alpha", 1, "--M", 100], {"gamma_exact", "gamma_rel_diff", "loss_rel_diff"}),
    (["--N", 100, "--T", 100, "--alpha", 1, "--M", 2000], {"ridgeless_loss_approx"}),
    (["--N", 7, "--T", 7, "--alpha", "0.3", "--M", 7], {"gamma_exact", "gamma_rel_diff", "ridgeless_loss_approx"}),
])
def test_cli_scaling_json_null_with_reason(monkeypatch, capsys, argv, nulls):
    status, out, err = _run(monkeypatch, capsys, "scaling", *argv, "--json")
    assert status == 0 and err == ""
    data = _strict_json(out)
    assert {k for k, v in data.items() if v is None and k != "exact_limit"} == nulls
    for key in nulls:
        assert isinstance(data[f"{key}_reason"], str) and data[f"{key}_reason"]


def test_exact_optimum_passes_the_limit_on():
    opt = sc.exact_optimum(300, 400, 1.0, 100)                  # M < min(N, T): ridgeless fit is exact
    assert opt.limit == "gamma->0" and (opt.gamma, opt.loss) == (0.0, 0.0)
    opt = sc.exact_optimum(1, 1, 0.05, 20000)                   # N T << M: a minimum at a finite ridge
    assert opt.limit is None
    assert opt.loss <= closed_form_loss(1, 1, 0.02, power_law_spectrum(20000, 0.05)).loss
