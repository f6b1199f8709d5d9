"""The Dyson route for the other models: ridge (deterministic equivalent), deep random features and
covariate shift (diagram sums, simulation), and a user's model declared in a file (command line)."""

import json
import math
import os
import pathlib
import subprocess
import sys
import textwrap
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from diagrams.analysis import expansion as ex
from diagrams.analysis.dyson_series import series_exact
from diagrams.analysis.dyson_solve import solve_mp, solve_numpy
from diagrams.analysis.simulate import simulate
from diagrams.models.random_features.closed_form import power_law_spectrum, closed_form_loss
from diagrams.models.registry import load_model
from diagrams.models.ridge.deterministic import ridge_loss_mp, ridge_loss_series_exact

ROOT = pathlib.Path(__file__).resolve().parents[1]
RIDGE = load_model("ridge")
DEEP = load_model("deep-random-features")
RF = load_model("random-features")


# ---------------------------------------------------------------------------------------------- ridge

@pytest.mark.parametrize("T, spec, sw, C, gamma", [
    (5, ["1", "1/2"], 1, 1, "1/10"),
    (3, ["2", "1", "1/3", "1/7", "1/9"], "1/2", 2, "1/1000"),       # M > T, small ridge
    (20, ["1", "1/4", "1/9"], 3, 1, "1/100000000"),                # M < T, ridge 1e-8
    (7, ["1", "1/2", "1/3", "1/4", "1/5", "1/6", "1/7"], 1, 1, "10000"),  # M = T
])
def test_ridge_equals_deterministic_equivalent(T, spec, sw, C, gamma):
    values = RIDGE.read_values({"T": T, "spectrum": spec, "sigma_w2": sw, "C": C})
    got = solve_mp(RIDGE, values, Fraction(gamma), dps=30)["loss"]
    with mpmath.workdps(30):
        want = ridge_loss_mp(T, gamma, spec, sw, C, dps=30)
        assert abs(got / want - 1) < 1e-12
    fl = solve_numpy(RIDGE, values, [float(Fraction(gamma))])[0]["loss"]
    assert abs(fl / float(want) - 1) < 1e-10


def test_ridge_series_equals_diagrams_and_deterministic_series():
    values = {"T": 4, "spectrum": ["1", "1/3", "1/5"], "sigma_w2": "2"}
    got = series_exact(RIDGE, values, 10)
    assert got == [ex.coefficient(RIDGE, k, values=values) for k in range(11)]
    assert got == ridge_loss_series_exact(10, 4, ["1", "1/3", "1/5"], 2)


# ---------------------------------------------------------------------------------------------- deep

DEEP_VALUES = [
    {"N": 3, "N1": 4, "T": 5, "spectrum": ["1", "1/4", "1/9"]},
    {"N": 5, "N1": 2, "T": 3, "spectrum": ["2", "1/3", "1/5", "1/7"], "sigma_u2": "1/2", "sigma_v2": "3",
     "sigma_w2": "2/3", "C": 2, "That": 2},
]


@pytest.mark.parametrize("p", range(len(DEEP_VALUES)))
def test_deep_series_equals_diagrams_to_order_8(p):
    values = DEEP_VALUES[p]
    assert series_exact(DEEP, values, 8) == [ex.coefficient(DEEP, k, values=values) for k in range(9)]


def _deep_values(base, s):
    N, N1, T, M = base
    spec = [1.0] * (M * s // 2) + [0.25] * (M * s // 2)       # the same spectral distribution at every size
    return DEEP.read_values({"N": N * s, "N1": N1 * s, "T": T * s, "spectrum": spec})


@pytest.mark.slow
@pytest.mark.parametrize("base, trials", [((20, 30, 40, 40), 800), ((40, 20, 20, 30), 800)])
def test_deep_against_simulation(base, trials):
    """Simulation at sizes s and 2s (ridge ~ size, so the planar value is the same): the O(1/N) offset
    shrinks, and the extrapolation 2 r(2s) - r(s) agrees with the planar value within 3 standard errors."""
    gamma = 0.05
    planar = [solve_numpy(DEEP, _deep_values(base, s), [gamma * s])[0]["loss"] for s in (1, 2)]
    assert abs(planar[1] / planar[0] - 1) < 1e-12
    sims = [simulate(DEEP, _deep_values(base, s), gamma * s, trials=trials, seed=s) for s in (1, 2)]
    off = [sims[k].mean - planar[0] for k in range(2)]
    assert off[0] > 0 and 0 < off[1] < off[0]                # the offset shrinks with the sizes
    extrapolated = 2 * sims[1].mean - sims[0].mean
    se = math.sqrt(4 * sims[1].stderr ** 2 + sims[0].stderr ** 2)
    assert abs(extrapolated - planar[0]) < 3 * se


# ---------------------------------------------------------------------------------------------- covariate shift

SHIFT_VALUES = [
    {"N": 3, "T": 5, "spectrum": ["1", "1/4", "1/9", "1/16"], "spectrum_test": ["1/2", "1", "1/3", "2"]},
    {"N": 4, "T": 2, "spectrum": ["2", "1/3", "1/5"], "spectrum_test": ["1", "1", "1"], "sigma_u2": "1/3",
     "That": 3},
]


@pytest.mark.parametrize("p", range(len(SHIFT_VALUES)))
def test_covariate_shift_series_equals_diagrams(p):
    values = SHIFT_VALUES[p]
    assert series_exact(RF, values, 8) == [ex.coefficient(RF, k, values=values) for k in range(9)]


def shifted_loss(N, T, gamma, lam, lamhat, sigma_u2=1.0, sigma_w2=1.0, C=1.0):
    """The covariate-shift loss the toolkit derives (docs/dyson.md):

    <L> = C sigma_w^2/(2M) [l - (gamma^2 xi^2/T)(v_2 l - r_d' lhat_1)]/D,
    l = tr[Lambdahat d^-2], lhat_1 = tr[Lambdahat Lambda Sigma d^-2], v_2 = tr[(Lambda Sigma)^2 d^-2],
    r_d' = tr[Lambda Sigma d^-2], d = 1 + gamma xi Lambda Sigma; xi and D as in Eq. (104).
    """
    r = closed_form_loss(N, T, gamma, lam, sigma_u2, sigma_w2, C)
    s = sigma_u2 / len(lam) * np.asarray(lam)
    d2 = (1 + gamma * r.xi * s) ** -2
    l, lhat1 = np.sum(lamhat * d2), np.sum(lamhat * s * d2)
    rd, v2 = np.sum(s * d2), np.sum(s * s * d2)
    return C * sigma_w2 / (2 * len(lam)) * (l - gamma ** 2 * r.xi ** 2 / T * (v2 * l - rd * lhat1)) / r.D


@pytest.mark.parametrize("N, T, gamma, alpha, beta", [(100, 150, 1e-2, 0.5, 1.5), (150, 100, 1e-3, 1.0, 0.2),
                                                      (50, 50, 1e-4, 1.0, 2.0)])
def test_covariate_shift_formula(N, T, gamma, alpha, beta):
    lam, lamhat = power_law_spectrum(300, alpha), power_law_spectrum(300, beta)
    values = RF.read_values({"N": N, "T": T, "spectrum": list(lam), "spectrum_test": list(lamhat)})
    got = solve_numpy(RF, values, [gamma])[0]["loss"]
    assert abs(got / shifted_loss(N, T, gamma, lam, lamhat) - 1) < 1e-12
    # Eq. (104) with Lambdahat only in l is a different number (off by tens of per cent here)
    r = closed_form_loss(N, T, gamma, lam)
    naive = np.sum(lamhat * (1 + gamma * r.xi * lam / 300) ** -2) / (2 * 300) / r.D
    assert abs(naive / got - 1) > 0.25


@pytest.mark.slow
def test_covariate_shift_against_simulation():
    """Simulation at sizes s, 2s with the ridge ~ size: the extrapolation 2 r(2s) - r(s) agrees with the
    Dyson value within 3 standard errors; Eq. (104) with Lambdahat in l is many errors away."""
    def values(s):
        spec = [1.0] * (20 * s) + [0.2] * (20 * s)
        test = [0.3] * (20 * s) + [1.5] * (20 * s)
        return RF.read_values({"N": 30 * s, "T": 45 * s, "spectrum": spec, "spectrum_test": test})

    gamma = 0.02
    planar = solve_numpy(RF, values(1), [gamma])[0]["loss"]
    assert abs(solve_numpy(RF, values(2), [2 * gamma])[0]["loss"] / planar - 1) < 1e-12
    sims = [simulate(RF, values(s), gamma * s, trials=600, seed=10 + s) for s in (1, 2)]
    extrapolated = 2 * sims[1].mean - sims[0].mean
    se = math.sqrt(4 * sims[1].stderr ** 2 + sims[0].stderr ** 2)
    assert abs(extrapolated - planar) < 3 * se
    # the naive formula: Eq. (104) with l = tr[Lambdahat (1 + gamma xi Lambda Sigma)^-2]
    lam = np.array([1.0] * 20 + [0.2] * 20)
    lamhat = np.array([0.3] * 20 + [1.5] * 20)
    r = closed_form_loss(30, 45, gamma, lam)
    naive = 1 / (2 * 40) * np.sum(lamhat * (1 + gamma * r.xi * lam / 40) ** -2) / r.D
    assert abs(naive - planar) > 10 * se


# ---------------------------------------------------------------------------------------------- a user's model

USER_MODELS = textwrap.dedent('''
    from diagrams.models.declaration import Model


    def wishart():
        """tr (gamma + X^T X)^-1 / T for an N x T Gaussian X with unit entries (Marchenko-Pastur)."""
        m = Model("wishart", "Marchenko-Pastur resolvent")
        N = m.integer("N", "rows")
        T = m.integer("T", "columns")
        rows, cols = m.space("row", "N", "solid"), m.space("col", "T", "dashed")
        X = m.gaussian("X", rows, cols)
        m.trace(1 / T, m.resolvent(X.T @ X))
        return m


    def weighted():
        """A weighted squared error with a deterministic diagonal: ||D (x R x^T - 1) z||^2."""
        m = Model("weighted", "weighted ridge-like error")
        T = m.integer("T", "samples")
        m.spectrum("spectrum", "data covariance", "latent")
        m.spectrum("weights", "diagonal weights", "latent")
        lat, tr = m.space("latent", "M", "wavy"), m.space("train", "T", "dashed")
        m.space("probe", "P", "dotted")
        m.integer("P", "probe columns", default=2)
        m.covariance("Lambda", lat, spectrum="spectrum")
        D = m.diagonal("D", lat, spectrum="weights")
        x = m.gaussian("x", lat, tr, row_cov="Lambda")
        z = m.gaussian("z", lat, m.spaces["probe"])
        from diagrams.engine.expressions import identity
        m.quadratic(1, D @ (x @ m.resolvent(x.T @ D @ x) @ x.T - identity(lat)) @ z)
        return m


    def wigner():
        """tr (gamma + X)^-1 / n for a symmetric X (semicircle)."""
        m = Model("wigner", "semicircle resolvent")
        n = m.integer("n", "size")
        V = m.space("v", "n")
        from diagrams.engine.matrices import GaussianMatrix
        X = GaussianMatrix("X", V, V, symmetry="symmetric")
        m.matrices["X"] = X
        m.trace(1 / n, m.resolvent(X))
        return m
''')


def _cli(*args):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "diagrams", *args], capture_output=True, text=True, cwd=ROOT, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def user_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "user_models.py"
    path.write_text(USER_MODELS)
    return path


def test_user_model_loss_through_cli(user_file):
    """A model declared in a file gets its planar value from the command line: Marchenko-Pastur."""
    out = json.loads(_cli("loss", "--model", f"{user_file}:wishart", "--N", "30", "--T", "50",
                          "--gamma", "0.1,1,10", "--json"))
    assert out["method"] == "dyson"
    for g, val in zip([0.1, 1, 10], out["loss"]):
        N, T = 30, 50
        b = g + N - T
        want = (-b + math.sqrt(b * b + 4 * T * g)) / (2 * T * g)      # T g^2 gamma + (gamma + N - T) g - 1 = 0
        assert abs(val / want - 1) < 1e-12


def _planar_by_listing(model, k, values):
    """The planar diagram sum of order k from the exhaustive Wick listing (slot decorations allowed)."""
    s = ex.order_summary(model, k, "all", where=lambda term, c: c.is_planar)
    return ex.evaluate(s["coefficient"], model, values)


def test_user_model_series_through_cli(user_file):
    cases = [("wishart", ["--N", "3", "--T", "5"], 6, ex.coefficient),
             ("weighted", ["--T", "3", "--spectrum", "1,1/2,1/3", "--weights", "2,1,1/5"], 4, None)]
    for name, flags, order, _ in cases:
        rows = json.loads(_cli("series", "--model", f"{user_file}:{name}", "--order", str(order), *flags,
                               "--json"))["orders"]
        model = load_model(f"{user_file}:{name}")
        values = model.read_values(dict(zip([f.lstrip("-") for f in flags[::2]], flags[1::2])),
                                   require=[p.name for p in model.parameters])
        if name == "weighted":            # deterministic diagonals in the words: list every contraction
            want = [_planar_by_listing(model, k, values) for k in range(order + 1)]
        else:
            want = [ex.coefficient(model, k, values=values) for k in range(order + 1)]
        assert [Fraction(r["coefficient"]) for r in rows] == want, name
    # a symmetric (GOE-like) matrix, paired with itself; the diagram sums refuse its odd words, so the check is
    # the semicircle law itself
    wig = json.loads(_cli("series", "--model", f"{user_file}:wigner", "--order", "6", "--n", "4", "--json"))["orders"]
    # semicircle: (1/n) tr (gamma + X)^-1 = sum_k Catalan(k) n^k gamma^-(2k+1)
    assert [Fraction(r["coefficient"]) for r in wig] == [0, 1, 0, 4, 0, 2 * 16, 0]
