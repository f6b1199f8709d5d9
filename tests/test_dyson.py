"""The Dyson route for the random-feature model against Eq. (104), the label-noise formula and the diagrams.

Independent routes: the paper's closed form (``closed_form.closed_form_loss_mp``, App. A ``noise.noise_loss_mp``),
and the planar diagram sums (``analysis.expansion.coefficient``).  The Dyson route reads only the
model's declaration -- checked by importing nothing of the closed form (a fresh interpreter).
"""

import ast
import json
import os
import pathlib
import random
import subprocess
import sys
from fractions import Fraction

import mpmath
import pytest
import sympy

from diagrams.analysis import expansion as ex
from diagrams.analysis.dyson_route import dyson_route
from diagrams.analysis.dyson_series import commuting_traces, flint_available, series_exact, series_symbolic
from diagrams.analysis.dyson_solve import solve_mp, solve_numpy
from diagrams.models.random_features.closed_form import closed_form_loss, closed_form_loss_mp
from diagrams.models.random_features.noise import noise_loss_mp
from diagrams.models.registry import load_model

RF = load_model("random-features")
ROOT = pathlib.Path(__file__).resolve().parents[1]
DYSON_MODULES = ["pencil", "dyson", "trace_program", "dyson_programs", "dyson_solve", "dyson_series",
                 "dyson_route", "dyson_equations"]


def _random_cases(n=20, seed=5):
    """N < T, N > T, N = T and M < min(N, T), rational spectra and variances, gamma in [1e-8, 1e4]."""
    rng = random.Random(seed)
    cases = []
    for case in range(n):
        kind = case % 4
        M = rng.randint(2, 12)
        if kind == 0:
            N = rng.randint(2, 20)
            T = N + rng.randint(1, 20)
        elif kind == 1:
            T = rng.randint(2, 20)
            N = T + rng.randint(1, 20)
        elif kind == 2:
            N = T = rng.randint(2, 20)
        else:
            N, T = rng.randint(M + 1, 30), rng.randint(M + 1, 30)
        spec = [Fraction(rng.randint(1, 40), rng.randint(1, 40)) for _ in range(M)]
        su, sw = Fraction(rng.randint(1, 9), rng.randint(1, 9)), Fraction(rng.randint(1, 9), rng.randint(1, 9))
        C = rng.randint(1, 3)
        noise = Fraction(rng.randint(0, 5), rng.randint(1, 5))
        gamma = Fraction(10) ** rng.randint(-8, 4) * rng.randint(1, 9)
        cases.append((N, T, spec, su, sw, C, noise, gamma))
    cases[-1] = cases[-1][:7] + (Fraction(1, 10 ** 8),)          # the smallest ridge
    cases[-2] = (7, 7) + cases[-2][2:7] + (Fraction(3, 10 ** 8),)  # N = T at a tiny ridge
    cases[-3] = cases[-3][:7] + (Fraction(10 ** 4),)
    return cases


CASES = _random_cases()


def test_cases_cover_the_regimes():
    kinds = {("N<T" if N < T else "N>T" if N > T else "N=T") for N, T, *_ in CASES}
    assert kinds == {"N<T", "N>T", "N=T"}
    assert any(len(spec) < min(N, T) for N, T, spec, *_ in CASES)
    assert min(c[-1] for c in CASES) == Fraction(1, 10 ** 8) and max(c[-1] for c in CASES) >= 10 ** 4


@pytest.mark.parametrize("case", range(len(CASES)))
def test_dyson_equals_eq104_and_label_noise(case):
    N, T, spec, su, sw, C, noise, gamma = CASES[case]
    values = RF.read_values({"N": N, "T": T, "spectrum": spec, "sigma_u2": su, "sigma_w2": sw, "C": C,
                             "label_noise": noise})
    got = solve_mp(RF, values, gamma, dps=30)
    with mpmath.workdps(30):
        ref = closed_form_loss_mp(N, T, gamma, spec, su, sw, C, dps=30).loss
        main = got["test loss"] if noise else got["loss"]
        assert abs(main / ref - 1) < 1e-12
        if noise:
            refn = noise_loss_mp(N, T, gamma, spec, noise, su, sw, C, dps=30).loss
            assert abs(got["label noise"] / refn - 1) < 1e-12
            total = ref + refn
        else:
            total = ref
        # double precision (vectorised path) too
        fl = solve_numpy(RF, values, [float(gamma)])[0]["loss"]
        assert abs(fl / float(total) - 1) < 1e-9


def test_grid_matches_closed_form():
    lam = [1 / (i * i) for i in range(1, 30)]
    values = RF.read_values({"N": 10, "T": 20, "spectrum": [Fraction(1, i * i) for i in range(1, 30)]})
    import numpy as np

    grid = np.logspace(-6, 3, 200)
    rows = solve_numpy(RF, values, grid)
    want = closed_form_loss(10, 20, grid, lam).loss
    got = np.array([r["loss"] for r in rows])
    assert np.max(np.abs(got / want - 1)) < 1e-11
    assert [r["gamma"] for r in rows] == list(grid)


def test_route_does_not_read_the_closed_form():
    """No Dyson module imports a model package; a fresh interpreter never loads the closed form."""
    for name in DYSON_MODULES:
        tree = ast.parse((ROOT / "diagrams" / "analysis" / f"{name}.py").read_text())
        for node in ast.walk(tree):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for m in mods:
                assert not (m.startswith("diagrams.models.") and m != "diagrams.models.declaration"), (name, m)
    code = ("import sys\n"
            "from diagrams.models.registry import load_model\n"
            "from diagrams.analysis.dyson_route import dyson_route\n"
            "m = load_model('random-features'); r = dyson_route(m)\n"
            "v = m.read_values({'N': 3, 'T': 5, 'spectrum': [1, '1/4'], 'label_noise': '1/2'})\n"
            "r.series_exact(3, v); r.value_mp(v, 1, 20); r.evaluate(v, [0.1, 1.0]); r.optimum(v)\n"
            "bad = [k for k in sys.modules if k.startswith('diagrams.models.random_features.') and "
            "k != 'diagrams.models.random_features.model']\n"
            "print(bad)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert out.stdout.strip() == "[]"


SERIES_VALUES = [
    {"N": 3, "T": 5, "That": 1, "spectrum": ["1", "1/4", "1/9", "1/16"]},
    {"N": 6, "T": 2, "That": 3, "spectrum": ["2", "1/3", "1/5"], "sigma_u2": "3/2", "sigma_w2": "1/2", "C": 2,
     "label_noise": "1/7"},
    {"N": 4, "T": 4, "That": 1, "spectrum": ["1", "1", "1/2", "1/7", "1/11"], "sigma_u2": "1/3"},
]


@pytest.mark.parametrize("p", range(len(SERIES_VALUES)))
def test_series_equals_diagram_sums_to_order_12(p):
    values = SERIES_VALUES[p]
    got = series_exact(RF, values, 12)
    want = [ex.coefficient(RF, k, values=values) for k in range(13)]
    assert got == want


def test_series_engines_agree():
    values = SERIES_VALUES[1]
    a = series_exact(RF, values, 10, engine="series")
    assert all(isinstance(c, Fraction) for c in a)
    if flint_available():
        assert series_exact(RF, values, 10, engine="flint") == a


def test_series_symbolic_to_order_4():
    got = series_symbolic(RF, 4)
    for k in range(5):
        assert sympy.expand(commuting_traces(got[k]) - commuting_traces(ex.coefficient(RF, k))) == 0
    # a perturbed coefficient is caught
    assert sympy.expand(commuting_traces(got[3] + got[2]) - commuting_traces(ex.coefficient(RF, 3))) != 0


def test_route_interface():
    route = dyson_route(RF)
    values = RF.read_values(SERIES_VALUES[0])
    assert route.reason_not_applicable(values) is None
    rows = route.evaluate(values, [Fraction(1, 10), 1], 25)
    assert set(rows[0]) >= {"loss", "observable", "gamma"}
    with mpmath.workdps(25):
        assert abs(rows[0]["loss"] / closed_form_loss_mp(3, 5, "1/10", ["1", "1/4", "1/9", "1/16"], dps=25).loss - 1) < 1e-20
    g, loss, limit = route.optimum(RF.read_values({"N": 10, "T": 20, "spectrum": [f"1/{i * i}" for i in range(1, 41)]}))
    from diagrams.models.random_features.closed_form import optimal_ridge

    ref = optimal_ridge(10, 20, [1 / (i * i) for i in range(1, 41)])
    assert limit is None and abs(g / ref.gamma - 1) < 1e-5 and abs(loss / ref.loss - 1) < 1e-10


def test_series_order_bounds():
    with pytest.raises(ValueError, match="order"):
        series_exact(RF, SERIES_VALUES[0], 10 ** 30)
    with pytest.raises(ValueError, match="order"):
        series_symbolic(RF, 100)


def test_cli_series_and_solve():
    from diagrams.cli import main

    proc = subprocess.run([sys.executable, "-m", "diagrams", "series", "--order", "6", "--N", "3", "--T", "5",
                           "--spectrum", "1,1/4,1/9,1/16", "--json"], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["orders"]
    values = SERIES_VALUES[0]
    assert [Fraction(r["coefficient"]) for r in rows] == [ex.coefficient(RF, k, values=values) for k in range(7)]
    assert main(["series", "--order", "100000", "--N", "3", "--T", "5", "--spectrum", "1"]) == 2
    assert main(["solve", "--pencil", "--json"]) == 0
    assert main(["solve", "--equations", "--latex"]) == 0
