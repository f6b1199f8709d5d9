"""``diagrams check``: planar diagram sums against the closed form's Taylor series, order by order."""

import json
import os
import subprocess
import sys
from fractions import Fraction

import mpmath
import pytest

from diagrams.models.random_features import check as check_mod
from diagrams.models.random_features.check import check_orders, symbolic_difference
from diagrams.cli import main

PARAMS = [
    {"N": 3, "T": 5, "That": 1, "spectrum": ["1", "1/4", "1/9", "1/16"], "sigma_u2": "1", "sigma_w2": "1", "C": "1"},
    {"N": 6, "T": 2, "That": 3, "spectrum": ["2", "1/3", "1/5"], "sigma_u2": "3/2", "sigma_w2": "1/2", "C": "2"},
    {"N": 4, "T": 4, "That": 1, "spectrum": ["1", "1", "1/2", "1/7", "1/11"], "sigma_u2": "1/3", "sigma_w2": "1", "C": "1"},
]


@pytest.mark.parametrize("p", PARAMS)
def test_exact_agreement_to_order_8(p):
    r = check_orders(8, p, symbolic_max=0)
    assert [row["exact_match"] for row in r.orders] == [True] * 9
    assert r.ok
    # the truncation error falls like gamma^-(K+1)
    assert abs(r.slope + 9) < 0.35


def test_symbolic_agreement_to_order_5():
    for k in range(6):
        assert symbolic_difference(k) == 0


def test_the_check_can_fail(monkeypatch):
    """A wrong diagram sum at one order is reported, and the CLI exits with status 1."""
    from diagrams.models.random_features import expansion

    real = expansion.planar_coefficient_exact

    def off_by_a_bit(k, params):
        return real(k, params) + (Fraction(1, 10**9) if k == 3 else 0)

    monkeypatch.setattr(expansion, "planar_coefficient_exact", off_by_a_bit)
    r = check_orders(4, symbolic_max=0)
    assert [row["exact_match"] for row in r.orders] == [True, True, True, False, True]
    assert not r.ok
    assert main(["check", "--order", "4", "--symbolic-max", "0", "--json"]) == 1


def test_truncation_slope_detects_a_wrong_order():
    # truncating at 3 gives slope -4: the fitted slope measures the order the series is exact to
    rows, slope = check_mod.truncation_errors(3, check_mod.DEFAULT_PARAMETERS | {"That": 1})
    assert abs(slope + 4) < 0.35


def test_cli_json_and_status():
    r = subprocess.run([sys.executable, "-m", "diagrams", "check", "--order", "4", "--json", "--N", "5", "--T", "2",
                        "--spectrum", "1,1/2,1/3"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["ok"] and len(out["orders"]) == 5
    assert all(row["symbolic_match"] and row["exact_match"] for row in out["orders"])


@pytest.mark.parametrize("args", [["--order", "-2"], ["--order", "3", "--N", "0", "--T", "2", "--spectrum", "1"],
                                  ["--order", "3", "--N", "2", "--T", "2", "--spectrum", "0,1"]])
def test_cli_bad_input(args):
    r = subprocess.run([sys.executable, "-m", "diagrams", "check", *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


# the truncation test must resolve errors far below 50 digits (regression: order 19 "failed")
@pytest.mark.parametrize("order", [19, 20, 22, 40])
def test_truncation_slope_at_high_orders(order):
    from diagrams.models.random_features.expansion import numeric_parameters
    p = check_mod.DEFAULT_PARAMETERS
    P = numeric_parameters(p["N"], p["T"], p["That"], p["spectrum"], p["sigma_u2"], p["sigma_w2"], p["C"])
    rows, slope = check_mod.truncation_errors(order, P)
    assert all(err > 0 for *_, err in rows)
    assert abs(slope + (order + 1)) < 0.35
    # the working precision resolves the smallest error with digits to spare
    dps = check_mod.truncation_digits(order, P)
    assert min(err for *_, err in rows) > mpmath.mpf(10) ** (10 - dps)


@pytest.mark.slow
@pytest.mark.parametrize("order", [19, 40])
def test_check_orders_at_high_orders(order):
    r = check_orders(order, symbolic_max=0)
    assert r.ok and all(row["exact_match"] for row in r.orders)
    assert abs(r.slope + (order + 1)) < 0.35


@pytest.mark.slow
def test_cli_check_order_20():
    r = subprocess.run([sys.executable, "-m", "diagrams", "check", "--order", "20", "--symbolic-max", "0"],
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0 and "ALL CHECKS PASSED" in r.stdout, r.stdout[-500:]
