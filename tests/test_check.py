"""``diagrams check``: planar diagram sums against each model's independent routes, order by order."""

import json
import subprocess
import sys
from fractions import Fraction

import pytest

from diagrams.analysis import check as check_mod
from diagrams.analysis import expansion
from diagrams.analysis.check import check_orders
from diagrams.cli import main
from diagrams.models.registry import load_model

RF = load_model("random-features")
RIDGE = load_model("ridge")

PARAMS = [
    {"N": 3, "T": 5, "That": 1, "spectrum": ["1", "1/4", "1/9", "1/16"], "sigma_u2": "1", "sigma_w2": "1", "C": "1"},
    {"N": 6, "T": 2, "That": 3, "spectrum": ["2", "1/3", "1/5"], "sigma_u2": "3/2", "sigma_w2": "1/2", "C": "2"},
    {"N": 4, "T": 4, "That": 1, "spectrum": ["1", "1", "1/2", "1/7", "1/11"], "sigma_u2": "1/3", "sigma_w2": "1", "C": "1"},
]


def _exact_ok(r):
    return [all(e["match"] for e in row["exact"]) and bool(row["exact"]) for row in r.orders]


@pytest.mark.parametrize("p", PARAMS)
def test_exact_agreement_to_order_8(p):
    r = check_orders(RF, 8, p, symbolic_max=0)
    assert _exact_ok(r) == [True] * 9
    assert r.ok
    # the truncation error falls like gamma^-(K+1)
    assert abs(r.truncation[0]["slope"] + 9) < 0.35


def test_symbolic_agreement_to_order_5():
    r = check_orders(RF, 5, symbolic_max=5)
    assert all(e["match"] for row in r.orders for e in row["symbolic"])


@pytest.mark.parametrize("p", [
    {"T": 5, "spectrum": ["1", "1/4", "1/9", "1/16"]},
    {"T": 7, "That": 2, "spectrum": ["2", "1/3", "1/5"], "sigma_w2": "1/2", "C": 2},
    {"T": 2, "spectrum": ["1", "1", "1/2", "1/7", "1/11"]},
])
def test_ridge_diagrams_equal_the_deterministic_equivalent_to_order_10(p):
    """Issue acceptance: the ridge model's planar coefficients equal the Taylor coefficients of the
    published deterministic equivalent (Dobriban-Wager; Hastie et al.) at three parameter sets."""
    r = check_orders(RIDGE, 10, p, symbolic_max=2)
    assert r.ok and _exact_ok(r) == [True] * 11
    assert r.truncation[0]["route"].startswith("deterministic equivalent")


def test_the_check_can_fail(monkeypatch):
    """A wrong diagram sum at one order is reported, and the CLI exits with status 1."""
    real = expansion.coefficient

    def off_by_a_bit(model, k, **kw):
        v = real(model, k, **kw)
        return v + (Fraction(1, 10 ** 9) if k == 3 and kw.get("values") is not None else 0)

    monkeypatch.setattr(expansion, "coefficient", off_by_a_bit)
    r = check_orders(RF, 4, symbolic_max=0)
    assert [all(e["match"] for e in row["exact"]) for row in r.orders] == [True, True, True, False, True]
    assert not r.ok
    assert main(["check", "--order", "4", "--symbolic-max", "0", "--json"]) == 1


def test_truncation_slope_detects_a_wrong_order():
    # the series truncated at 3 compared with the route: slope -4; pretending it is exact to order 4
    # (an extra zero coefficient) still gives -4, so a slope test at K=4 would fail
    vals = RF.read_values(RF.check_values)
    route = RF.routes[0]
    cs = route.series_exact(3, vals)
    rows, slope = check_mod.truncation_errors(RF, route, 3, vals, cs)
    assert abs(slope + 4) < 0.35
    rows, slope = check_mod.truncation_errors(RF, route, 4, vals, cs + [Fraction(0)])
    assert abs(slope + 5) > 0.35


@pytest.mark.slow
@pytest.mark.parametrize("K", [19, 20, 22])
def test_high_orders_pass_with_enough_precision(K):
    """The working precision grows with the order, so the slope test holds at high orders."""
    r = check_orders(RF, K, symbolic_max=0)
    assert r.ok, r.truncation[0]["slope"]


def test_cli_json_and_status():
    r = subprocess.run([sys.executable, "-m", "diagrams", "check", "--order", "4", "--json", "--N", "5", "--T", "2",
                        "--spectrum", "1,1/2,1/3"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] and len(out["orders"]) == 5
    assert all(row["symbolic"][0]["match"] and row["exact"][0]["match"] for row in out["orders"])


@pytest.mark.parametrize("args", [["--order", "-2"], ["--order", "3", "--N", "0", "--T", "2", "--spectrum", "1"],
                                  ["--order", "3", "--N", "2", "--T", "2", "--spectrum", "0,1"],
                                  ["--order", "41"], ["--order", "3", "--symbolic-max", "abc"]])
def test_cli_bad_input(args):
    r = subprocess.run([sys.executable, "-m", "diagrams", "check", *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    if "abc" in args:
        assert "--symbolic-max" in r.stderr
