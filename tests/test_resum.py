"""Resummation rebuilt from the toolkit's own diagrams (issue 4).

Routes compared:
* resolvent diagram sums (engine) against the series of the recognised self-energies and of the
  derived consistency relation (fixed-point iteration), and against its numeric root;
* sums of classes of planar loss diagrams (engine + classify) against the series of their closed
  expressions (resum), exact rationals at several parameter sets to order 6, symbolic to order 5;
* the total against the independent closed-form series (analysis.series) and the numeric loss
  rebuilt as R x primary against closed_form.closed_form_loss (1e-12 relative);
* negative controls showing that the comparisons can fail.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction

import mpmath
import pytest
import sympy

from diagrams.models.random_features import resum
from diagrams.engine.series import Series
from diagrams.models.random_features.resolvent import (
    ExactEnv,
    SymbolicEnv,
    check_consistency,
    check_dyson,
    check_self_energy,
    consistency_series,
    derive_consistency_relation,
    diagram_values,
    dressing_series,
    geometric_inverse,
    propagator_series,
    self_energy_expression,
    self_energy_series,
    series_of,
    solve_consistency,
)
from diagrams.models.random_features.model import N, Q, T, gamma, q, xi

PARAMS = [
    dict(N_=2, T_=3, spectrum=["1", "1/2", "1/3"], sigma_u2=2),
    dict(N_=5, T_=2, spectrum=["3/2", "1/7"], sigma_u2="1/3"),
]


def _env(p):
    return ExactEnv(p["N_"], p["T_"], p["spectrum"], sigma_u2=p["sigma_u2"])


def _all_ok(rows):
    bad = [(r["class"], r["matches"]) for r in rows if not r["match"]]
    assert not bad, bad


# ============================================================================ propagators

@pytest.mark.parametrize("p", PARAMS)
def test_resolvent_checks_exact_order6(p):
    env = _env(p)
    for space in ("train", "feature"):
        for ok in check_dyson(space, 6, env).values():
            assert ok == [True] * 7
        res = check_self_energy(space, 6, env)
        assert set(res) == {f"skeleton p={k}" for k in range(1, 7)} | {"Pi (all p)"}
        for ok in res.values():
            assert ok == [True] * 7
    for ok in check_consistency(6, env).values():
        assert ok == [True] * 7


def test_resolvent_checks_symbolic():
    env = SymbolicEnv(alias_hat=False)  # no Lambdahat in the resolvents: fully general Lambda
    for space in ("train", "feature"):
        assert all(all(v) for v in check_dyson(space, 5, env).values())
        assert all(all(v) for v in check_self_energy(space, 5, env).values())
    assert all(all(v) for v in check_consistency(5, env).values())


def test_self_energy_negative_controls():
    env = _env(PARAMS[0])
    vals = diagram_values(4, env)
    d2 = dressing_series("train", 4, env, 2).coefficients(4)
    right = series_of(self_energy_expression("train", 2), env, vals, 6).coefficients(4)
    shifted = series_of(self_energy_expression("train", 3), env, vals, 6).coefficients(4)
    dual = series_of(self_energy_expression("feature", 2), env, vals, 6).coefficients(4)
    assert d2 == right
    assert d2 != shifted
    assert d2 != dual  # N != T here: the train self-energy is not the feature one
    # all diagrams instead of the 1PI ones do not form the Dyson chain
    G = propagator_series("train", 4, env)
    wrong = geometric_inverse(G - 1)
    assert G.coefficients(4) != wrong.coefficients(4)
    assert G.coefficients(4) == geometric_inverse(self_energy_series("train", 4, env)).coefficients(4)


def test_derived_consistency_relation():
    rel = derive_consistency_relation()
    assert len(rel) == 2
    t = sympy.Symbol("t")
    trace = rel[1].rhs.args[-1] if rel[1].rhs.is_Mul else None
    assert trace is not None and trace.func.__name__ == "ResolventTrace"
    lhs = [sympy.expand(rel[0].lhs), sympy.expand(rel[0].rhs), sympy.expand(rel[1].rhs.subs(trace, t))]
    assert lhs == [sympy.expand(N * (1 - gamma * q)), sympy.expand(T * (1 - gamma * Q)),
                   sympy.expand(gamma * xi * t)]


@pytest.mark.parametrize("p", PARAMS)
def test_consistency_series_against_numeric_root(p):
    """The series solution, summed at large gamma, approaches the numeric root of the relation."""
    env = _env(p)
    g, G = consistency_series(12, env)
    gam = Fraction(400)
    sol = solve_consistency(p["N_"], p["T_"], 400, p["spectrum"], p["sigma_u2"], dps=30)
    sq = sum(c / gam ** k for k, c in enumerate(g.coefficients(12)))
    sQ = sum(c / gam ** k for k, c in enumerate(G.coefficients(12)))
    assert abs(float(sq) - float(400 * sol["q"])) < 1e-14
    assert abs(float(sQ) - float(400 * sol["Q"])) < 1e-14
    with mpmath.workdps(30):  # the root satisfies the derived relation
        lhs = sol["N"] * (1 - sol["gamma"] * sol["q"])
        assert abs(lhs - sol["T"] * (1 - sol["gamma"] * sol["Q"])) < mpmath.mpf(10) ** -25
        assert abs(lhs - sol["a"] * sol["t"]) < mpmath.mpf(10) ** -25


def test_series_arithmetic():
    env = ExactEnv(1, 1, ["1"])
    x = env.series([2, 3], 1, 4)  # 2 e + 3 e^2 + O(e^4)
    inv = geometric_inverse(x)  # 1 + 2e + 7e^2 + 20e^3
    assert inv.coefficients(3) == [1, 2, 7, 20]
    y = (x * Series.monomial(-1, 10)) ** -1  # 1/(2 + 3e) = 1/2 - 3/4 e + 9/8 e^2
    assert y.coefficients(2) == [Fraction(1, 2), Fraction(-3, 4), Fraction(9, 8)]
    with pytest.raises(ValueError, match="known to order"):
        y.coefficient(3)


def test_symbolic_series_refuses_a_non_unit_leading_coefficient():
    env = SymbolicEnv()
    with pytest.raises(ValueError, match="not a unit"):
        env.series([env.N], 0, 3).inverse()


# ============================================================================ factorisation

@pytest.mark.parametrize("p", PARAMS)
def test_factorisation_exact_order6(p):
    from diagrams.models.random_features.closed_form_series import closed_form_series_exact

    env = _env(p)
    rows = resum.check_factorisation(6, env)
    _all_ok(rows)
    groups = {r["group"] for r in rows}
    assert groups == {"top-bottom", "latent structure", "barrier word", "total"}
    total = next(r for r in rows if r["group"] == "total")
    assert total["counts"] == [1, 2, 10, 56, 330, 2002, 12376]
    # top-bottom rows partition the diagrams: l-class inside P, and P + sum_n P X^n = all
    tb = {r["class"]: r for r in rows if r["group"] == "top-bottom"}
    assert [sum(r["counts"][k] for name, r in tb.items() if name != "no top-bottom u, no top-bottom x")
            for k in range(7)] == total["counts"]
    # the total, times C sigma_w^2/(2M), is the independent closed-form series
    M = len(p["spectrum"])
    ref = closed_form_series_exact(6, p["N_"], p["T_"], p["spectrum"], p["sigma_u2"], 3, 2)
    pref = sympy.Rational(2 * 3, 2 * M)
    assert [pref * x for x in total["diagrams"]] == ref


def test_factorisation_symbolic_order5():
    rows = resum.check_factorisation(5, SymbolicEnv())
    _all_ok(rows)
    total = next(r for r in rows if r["group"] == "total")
    assert total["diagrams"][2] != 0 and total["diagrams"][2].free_symbols >= {N, T}


def test_lambdahat_trick():
    """With Lambdahat kept apart from Lambda, exactly the barrier words with a primary ladder (a train
    barrier before the first feature barrier) stop matching; their hop classes still match."""
    env = SymbolicEnv(alias_hat=False)
    rows = resum.check_factorisation(5, env, patterns_only=True)
    for r in rows:
        word = r["class"].replace("barriers ", "").replace("no barrier", "")
        assert r["match"] == (not word.startswith("x")), r["class"]
    assert sum(not r["match"] for r in rows) == 4
    _all_ok(resum.check_hops(4, env))


def test_hops_exact_order6():
    rows = resum.check_hops(6, _env(PARAMS[1]))
    _all_ok(rows)
    for r in rows:
        word = r["class"].split(" (")[0].replace("hop classes of ", "")
        assert r["cells_factorise"] == (not word.startswith("x")), r["class"]
    no_barrier = next(r for r in rows if "of no barrier" in r["class"])
    # one hop class per split (top, bottom) of n hops: sum_{n<=k} (n + 1) at order k
    assert no_barrier["hop_classes"] == [1, 2, 5, 9, 14, 20, 27]


def test_class_comparison_can_fail():
    """Swapping the blob of one class for another's, or dropping the ladder, is detected."""
    env = _env(PARAMS[0])
    lc = resum.loss_classes(4)
    vals = resum.relation_values(4, env)
    diag_u = [env.weighted(w) for w in lc.patterns["u"]]
    diag_ux = [env.weighted(w) for w in lc.patterns["ux"]]
    e = resum.expressions()
    series = lambda expr: series_of(expr.subs(xi, N * T * q * Q), env, vals, 7).coefficients(4)
    assert diag_u == series(e["l"] * e["A"])
    assert diag_u != series(e["l"] * e["B"])  # N <-> T dual blob
    assert diag_ux == series(e["l"] * e["G"])
    assert diag_ux != series(e["l"] * e["G"] / (1 - e["B"]))  # the whole ladder is several words


def test_derive_resummation():
    res = resum.derive_resummation()
    l_, A_, B_, G_ = sympy.symbols("l A B G")
    assert sympy.simplify(res["sum_symbols"] - l_ / ((1 - A_) * (1 - B_) - G_)) == 0
    assert sympy.simplify(res["primary_symbols"] - l_ / (1 - B_)) == 0
    assert res["sum == R P"] is True
    assert res["R P == l/D"] is True
    e = resum.expressions()
    assert sympy.simplify(res["resummation_factor"] - e["R"]) == 0
    # a wrong denominator is told apart
    assert sympy.simplify(e["R"] * e["P"] - e["l"] / ((1 - e["A"]) * (1 - e["B"]) + e["G"])) != 0


def test_class_rule():
    assert resum.class_rule("") == sympy.Symbol("l")
    l_, A_, B_, G_ = sympy.symbols("l A B G")
    assert resum.class_rule("xxuuxxx") == l_ * B_ ** 2 * A_ * G_ * B_ ** 2
    with pytest.raises(ValueError, match="made of u and x"):
        resum.class_rule("uy")


# ============================================================================ numerics

def test_rebuilt_loss_equals_closed_form_at_random_parameters():
    from diagrams.models.random_features.closed_form import closed_form_loss

    rng = random.Random(20240528)
    for _ in range(8):
        Nv, Tv, M = rng.randint(2, 250), rng.randint(2, 250), rng.randint(2, 60)
        spec = [rng.uniform(0.01, 3.0) for _ in range(M)]
        g = 10 ** rng.uniform(-3, 1.5)
        su, sw, C = rng.uniform(0.2, 4), rng.uniform(0.2, 4), rng.randint(1, 3)
        vals = resum.resummed_values(Nv, Tv, g, spec, su, sw, C)
        ref = closed_form_loss(Nv, Tv, g, spec, su, sw, C)
        assert abs(float(vals["loss"]) / ref.loss - 1) < 1e-12
        assert abs(float(vals["R"]) / ref.resummation_factor - 1) < 1e-12
        assert abs(float(vals["P"]) / ref.primary - 1) < 1e-12
        assert abs(float(vals["q"]) / ref.q - 1) < 1e-12
        assert abs(float(vals["Q"]) / ref.Q - 1) < 1e-12
        # the rebuilt loss against the independent closed form (not against R x P, which defines it)
        assert resum.rebuilt_loss(Nv, Tv, g, spec, su, sw, C) == pytest.approx(ref.loss, rel=1e-12)


def test_solve_consistency_errors():
    with pytest.raises(ValueError, match="spectrum"):
        solve_consistency(2, 3, 1, [])
    with pytest.raises(ValueError, match="> 0"):
        solve_consistency(2, 3, 0, [1])


def test_resummation_modules_do_not_read_the_closed_form():
    """The rebuilt expressions come from the diagrams: no import of the closed-form modules."""
    import ast
    import inspect

    from diagrams.models.random_features import classify, resolvent

    for mod in (resum, resolvent, classify):
        tree = ast.parse(inspect.getsource(mod))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                imported |= {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
        assert not any("closed_form" in name or "analysis.series" in name for name in imported), mod
        assert not any(name.startswith("diagrams.output") for name in imported), mod  # models never import output
        assert not any("formulas" in name for name in imported), mod


# ============================================================================ named formulas

def test_rebuilt_expressions_are_model_formulas():
    """The rebuilt expressions are among the model's named formulas (nothing registers at import)."""
    from diagrams.models.random_features.formulas import latex_expressions
    from diagrams.models.random_features.model import MODEL
    from diagrams.output.expressions import get_expression
    from diagrams.output.latex import to_latex

    assert not hasattr(resum, "register_latex_expressions")
    names = {"resum-consistency", "resum-self-energy", "resum-R", "resum-P", "resum-D", "resum-loss"}
    assert names <= set(latex_expressions())
    e = resum.expressions()
    for name, key in (("resum-R", "R"), ("resum-P", "P"), ("resum-D", "D"), ("resum-loss", "loss")):
        assert get_expression(MODEL, name).rhs == e[key]
    text = to_latex(get_expression(MODEL, "resum-P"), notation=MODEL)
    assert text.startswith("P = ") and r"\langle q \rangle" in text and r"\hat{\Lambda}" in text


# ============================================================================ CLI

@pytest.fixture
def cli(monkeypatch, capsys):
    import diagrams.cli as cli_mod

    if "resum" not in cli_mod.COMMANDS:
        monkeypatch.setattr(cli_mod, "COMMANDS", cli_mod.COMMANDS + ["resum"])

    def run(*argv):
        rc = cli_mod.main(["resum", *argv])
        out = capsys.readouterr()
        return rc, out.out, out.err

    return run


def test_cli_symbolic_table(cli):
    rc, out, err = cli("--order", "3", "--filter", "twopi")
    assert rc == 0, err
    assert "N*(-gamma*q + 1) = T*(-Q*gamma + 1) = gamma*xi*tr_resolvent(gamma*xi, 1, 1, 0)" in out
    assert r"\langle q \rangle" in out
    lines = [ln for ln in out.splitlines() if ln.startswith("barrier word")]
    assert [ln.split()[-4:] for ln in lines] == [["ok"] * 4] * 4
    assert "order 2: 7 diagrams" in out
    assert "All 28 classes match at every order 0..3." in out


def test_cli_json_with_numbers_and_gamma(cli):
    from diagrams.models.random_features.closed_form import closed_form_loss

    rc, out, err = cli("--order", "4", "--N", "3", "--T", "2", "--spectrum", "1,1/2,1/4",
                       "--sigma-u2", "2", "--sigma-w2", "3", "--C", "2", "--gamma", "1/5", "--json", "--no-hops")
    assert rc == 0, err
    data = json.loads(out)
    assert data["ok"] is True and data["mode"] == "exact"
    assert data["resummation"]["R P == l/D"] is True
    assert all(r["match"] for r in data["rows"])
    assert {r["group"] for r in data["rows"]} == {"propagators", "self-energy", "consistency", "top-bottom",
                                                  "latent structure", "barrier word", "total"}
    total = next(r for r in data["rows"] if r["group"] == "total")
    assert total["diagrams"] == total["closed"] and len(total["diagrams"]) == 5
    ref = closed_form_loss(3, 2, 0.2, [1, 0.5, 0.25], 2, 3, 2)
    assert data["numeric"]["loss"] == pytest.approx(ref.loss, rel=1e-12)
    assert data["numeric"]["R"] == pytest.approx(ref.resummation_factor, rel=1e-12)
    # the rebuilt primary sum against the closed form's P, times C sigma_w^2/(2M) = 2*3/(2*3)
    assert data["numeric"]["primary"] == pytest.approx(ref.primary * 2 * 3 / (2 * 3), rel=1e-12)
    assert data["expressions"]["P"]["latex"].startswith(r"\frac{")


def test_cli_exit_status_1_when_a_class_fails(cli, monkeypatch):
    real = resum.class_expression
    monkeypatch.setattr(resum, "class_expression",
                        lambda p, *a, **k: real(p.replace("u", "x") if p == "u" else p, *a, **k))
    rc, out, err = cli("--order", "3", "--no-hops")
    assert rc == 1
    assert "FAILED: 1 class(es) do not match: barriers u" in out


@pytest.mark.parametrize("argv, msg", [
    (("--gamma", "1"), "--gamma: numeric values need numbers"),
    (("--order", "99"), "--order: must be an integer in [0, 8]"),
    (("--N", "2"), "--T, --spectrum (or --alpha with --M): required"),
    (("--N", "2", "--T", "3", "--spectrum", "1,-1"), "--spectrum: must be a number > 0"),
    (("--filter", "nonsense"), "unknown item 'nonsense'"),
])
def test_cli_errors(cli, argv, msg):
    rc, out, err = cli(*argv)
    assert rc == 2
    assert msg in err and err.count("\n") == 1
