"""``diagrams enumerate`` end to end, and the diagram sums against the closed form's Taylor series."""

import json
import os
import subprocess
import sys
from fractions import Fraction

import pytest

from diagrams.cli import main


def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "diagrams", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


def test_counts_of_reference_table_from_the_cli():
    r = run_cli("enumerate", "--order", "4", "--genus", "all", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [o["order"] for o in out["orders"]] == [0, 1, 2, 3, 4]
    # the counts table of docs/physics.md Sec. 2
    assert [o["contractions"] for o in out["orders"]] == [1, 1, 18, 675, 44100]
    assert [o["planar"] for o in out["orders"]] == [1, 1, 7, 44, 275]
    # stdout is one JSON object; stderr holds at most progress lines (a line every few seconds off a terminal)
    assert all(line.startswith(("enumerating", "orders")) for line in r.stderr.splitlines())


def test_plain_table(capsys):
    assert main(["enumerate", "--order", "2"]) == 0
    out = capsys.readouterr().out
    assert "contractions" in out and "planar" in out
    assert out.count("\n") >= 4


@pytest.mark.parametrize("args,needle", [
    (["--order", "-1"], "--order"),
    (["--order", "x"], "--order"),
    (["--order", "2", "--N", "-3", "--T", "3", "--spectrum", "1"], "--N"),
    (["--order", "2", "--N", "3", "--T", "0", "--spectrum", "1"], "--T"),
    (["--order", "2", "--N", "3", "--T", "3", "--spectrum", ""], "--spectrum"),
    (["--order", "2", "--N", "3", "--T", "3", "--spectrum", "1,-1/2"], "--spectrum"),
    (["--order", "2", "--N", "3", "--T", "3", "--spectrum", "1", "--sigma-u2", "0"], "--sigma-u2"),
    (["--order", "2", "--N", "3"], "--spectrum"),
    (["--order", "12", "--genus", "all"], "--order"),
    (["--order", "2", "--genus", "some"], "--genus"),
])
def test_bad_input_is_one_line_and_status_2(args, needle):
    r = run_cli("enumerate", *args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], r.stderr
    assert "Traceback" not in r.stderr


PARAMETER_SETS = [
    dict(N=3, T=5, That=2, spectrum=["1", "1/2", "1/3"], sigma_u2="1", sigma_w2="1", C="1"),
    dict(N=7, T=2, That=1, spectrum=["2", "1/4"], sigma_u2="3/2", sigma_w2="2", C="3"),
    dict(N=4, T=4, That=3, spectrum=["1", "1/8", "1/27", "1/64"], sigma_u2="1/2", sigma_w2="1", C="1"),
]


@pytest.mark.parametrize("p", PARAMETER_SETS)
def test_planar_coefficients_equal_taylor_coefficients_of_closed_form(p):
    """Sum of planar diagrams at order k == gamma^-k Taylor coefficient of Eq. (104), exactly."""
    from diagrams.models.random_features import closed_form_series as series
    r = run_cli("enumerate", "--order", "4", "--json", "--N", str(p["N"]), "--T", str(p["T"]),
                "--That", str(p["That"]), "--spectrum", ",".join(p["spectrum"]), "--sigma-u2", p["sigma_u2"],
                "--sigma-w2", p["sigma_w2"], "--C", p["C"])
    assert r.returncode == 0, r.stderr
    diag = [Fraction(o["coefficient"]) for o in json.loads(r.stdout)["orders"]]
    taylor = series.closed_form_series_exact(4, p["N"], p["T"], [Fraction(s) for s in p["spectrum"]],
                                             sigma_u2=Fraction(p["sigma_u2"]), sigma_w2=Fraction(p["sigma_w2"]),
                                             C=Fraction(p["C"]))
    assert [Fraction(str(t)) for t in taylor] == diag


def test_filter_no_top_bottom_u_sums_to_the_primary_diagrams():
    """Paper Eq. 92 (docs/resummation.md): planar diagrams with no top-bottom u contraction sum to C sigma_w^2/(2M) P,
    P = l/(1 - B).  Compared with the closed form's P (mpmath) at large gamma: the error of the
    order-K truncation falls like gamma^-(K+1)."""
    import mpmath

    from diagrams.models.random_features.closed_form import closed_form_loss_mp

    K = 5
    r = run_cli("enumerate", "--order", str(K), "--json", "--filter", "no-top-bottom-u", "--N", "2", "--T", "3",
                "--spectrum", "1,1/2,1/3", "--sigma-u2", "2")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["orders"]
    assert [o["selected"] for o in rows] == [1, 2, 8, 38, 196, 1062]
    coef = [Fraction(o["coefficient"]) for o in rows]
    errs = []
    with mpmath.workdps(40):
        for g in (400, 800, 1600):
            res = closed_form_loss_mp(2, 3, g, ["1", "1/2", "1/3"], sigma_u2=2, dps=40)
            target = res.primary / (2 * 3)  # C sigma_w^2/(2M) P with C = sigma_w^2 = 1, M = 3
            series = mpmath.fsum(mpmath.mpf(c.numerator) / c.denominator / mpmath.mpf(g) ** k for k, c in enumerate(coef))
            errs.append(abs(series - target))
    for e1, e2 in zip(errs, errs[1:]):
        assert 2 ** (K + 1) * 0.8 < e1 / e2 < 2 ** (K + 1) * 1.25
    # the unfiltered sum is a different function (the check can tell them apart)
    full = json.loads(run_cli("enumerate", "--order", "2", "--json", "--N", "2", "--T", "3", "--spectrum", "1,1/2,1/3",
                              "--sigma-u2", "2").stdout)["orders"]
    assert Fraction(full[2]["coefficient"]) != coef[2]


@pytest.mark.slow
def test_enumerate_reaches_order_8_with_the_planar_generator():
    """Order 8 by listing every planar diagram (447 051 of them): the count equals the memoised
    count recursion and the coefficient equals the closed form's exact Taylor coefficient."""
    from diagrams.models.random_features.closed_form_series import closed_form_series_exact
    from diagrams.engine.planar import count_planar
    from diagrams.models.random_features.expansion import loss_terms

    r = run_cli("enumerate", "--order", "8", "--json", "--N", "3", "--T", "2", "--spectrum", "1,1/3")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["orders"]
    assert rows[8]["planar"] == sum(count_planar(t.word) for t in loss_terms(8))
    taylor = closed_form_series_exact(8, 3, 2, [1, Fraction(1, 3)])
    assert [Fraction(o["coefficient"]) for o in rows] == [Fraction(str(t)) for t in taylor]


def test_symbolic_output_round_trips_exactly_at_every_order_to_6():
    """Issue: `enumerate --json` printed tr(...) strings sympy cannot read back.  The `srepr` field is read
    back by diagrams.engine.symbols.load_expression to exactly the coefficient, for orders 0..6, and the
    readable string alone would not do (sympify rejects it or changes it)."""
    import sympy

    from diagrams.analysis.expansion import coefficient
    from diagrams.engine.symbols import load_expression
    from diagrams.models.registry import load_model

    r = run_cli("enumerate", "--order", "6", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["orders"]
    rf = load_model("random-features")
    for row in rows:
        value = load_expression(row["srepr"])
        assert sympy.expand(value - coefficient(rf, row["order"])) == 0
    try:
        bad = sympy.sympify(rows[2]["coefficient"])
    except (sympy.SympifyError, TypeError, AttributeError, SyntaxError):
        bad = None
    assert bad is None or sympy.expand(bad - load_expression(rows[2]["srepr"])) != 0


def test_exact_rationals_print_without_a_denominator_of_one_and_with_a_decimal():
    r = run_cli("enumerate", "--order", "1", "--json", "--N", "1", "--T", "1", "--spectrum", "2")
    rows = json.loads(r.stdout)["orders"]
    assert rows[0]["coefficient"] == "1" and rows[0]["decimal"] == "1"
    assert "/1" not in rows[1]["coefficient"] and float(rows[1]["decimal"]) == float(Fraction(rows[1]["coefficient"]))
