"""The self-consistent equations the toolkit derives, against the paper's: Eq. (99) symbolically, Eq. (104)
numerically (the ladder equations solved symbolically, then evaluated)."""

import json

import numpy as np
import pytest
import sympy

from diagrams.analysis.dyson_equations import Tr, equations_latex, model_equations, pencil_report
from diagrams.analysis.pencil import DiagonalSymbol
from diagrams.cli import main
from diagrams.models.random_features.closed_form import closed_form_loss
from diagrams.models.registry import load_model

RF = load_model("random-features")


def _rf_equations():
    (te,) = model_equations(RF)
    return te


def test_dyson_equations_reduce_to_eq99():
    """With tau_4 = T<Q>, tau_2 = N gamma<q> (so tau_2 tau_4 = gamma xi = a) and t = tr[Lambda Sigma (1 + a Lambda
    Sigma)^-1], the four equations are two identities and the two halves of Eq. (99):
    gamma<Q> = 1 - a t/T and gamma<q> = 1 - a t/N."""
    te = _rf_equations()
    tau = sympy.symbols("tau_1:5")
    assert [e.lhs for e in te.equations] == list(tau)
    N, T, g = sympy.Symbol("N", positive=True), sympy.Symbol("T", positive=True), RF.gamma
    q, Q, t = sympy.symbols("q Q t", positive=True)
    a = g * N * T * q * Q                                   # gamma xi, xi = N T <q><Q>
    traces = set().union(*[e.rhs.atoms(Tr) for e in te.equations])
    assert len(traces) == 1                                 # one trace, t(a), in all four equations
    (trace,) = traces
    subs = {tau[3]: T * Q, tau[1]: N * g * q, tau[0]: N * g * q * t, tau[2]: -T * Q * t}
    residual = []
    for e in te.equations:
        r = (e.lhs - e.rhs).xreplace(subs)
        r = r.xreplace({tr: t for tr in r.atoms(Tr)})
        residual.append(sympy.factor(r))
    assert residual[0] == 0 and residual[2] == 0
    # the trace is t(a): its argument is Lambda Sigma/(1 + a Lambda Sigma)
    arg = trace.args[0].xreplace(subs)
    lam, sig = [s for s in sorted(arg.free_symbols, key=str) if isinstance(s, DiagonalSymbol)]
    assert sympy.simplify(arg - lam * sig / (1 + a * lam * sig)) == 0
    # tau_2 equation <=> gamma<q> = 1 - a t/N; tau_4 equation <=> gamma<Q> = 1 - a t/T
    eq99_q = g * q - (1 - a * t / N)
    eq99_Q = g * Q - (1 - a * t / T)
    assert sympy.simplify(residual[1] * (1 + T * Q * t) / N - eq99_q) == 0
    assert sympy.simplify(residual[3] * (g + N * g * q * t) / T - eq99_Q) == 0


@pytest.mark.parametrize("N, T, gamma", [(10, 20, 0.05), (30, 12, 1e-3), (15, 15, 0.2)])
def test_solved_ladder_equals_eq104(N, T, gamma):
    """The observable with the ladder equations solved symbolically, evaluated at the Eq. (99) root, is Eq. (104)."""
    te = _rf_equations()
    closed = te.closed_form()
    lam = np.array([1 / (i * i) for i in range(1, 25)])
    M, su = len(lam), 1.0
    r = closed_form_loss(N, T, gamma, lam)
    a = gamma * r.xi
    s = su / M
    t = np.sum(lam * s / (1 + a * lam * s))
    tau = sympy.symbols("tau_1:5")
    values = {tau[3]: T * r.Q, tau[1]: N * gamma * r.q, tau[0]: N * gamma * r.q * t, tau[2]: -T * r.Q * t,
              RF.gamma: gamma}
    names = {"N": N, "T": T, "M": M, "C": 1, "sigma_w2": 1, "That": 1}

    def total(expr):
        expr = expr.xreplace(values)
        syms = sorted((x for x in expr.free_symbols if isinstance(x, DiagonalSymbol)), key=lambda x: x.name)
        f = sympy.lambdify(syms, expr, "numpy")
        arrays = {"Lambda": lam, "Lambdahat": lam, "Sigma": np.full(M, s)}
        return float(np.sum(np.broadcast_to(f(*[arrays[x.name] for x in syms]), (M,))))

    expr = closed.replace(lambda e: isinstance(e, Tr), lambda e: sympy.Float(total(e.args[0])))
    expr = expr.xreplace(values).xreplace({x: names[x.name] for x in expr.free_symbols if x.name in names})
    assert abs(float(expr) / r.loss - 1) < 1e-10


def test_every_model_has_equations():
    for name in ("ridge", "random-features", "deep-random-features"):
        model = load_model(name)
        eqs = model_equations(model)
        assert eqs and all(te.equations for te in eqs)
        tex = equations_latex(model, eqs)
        assert r"\operatorname{tr}" in tex and r"\begin{align*}" in tex
        assert pencil_report(model)


def test_cli_solve(capsys):
    assert main(["solve", "--model", "ridge", "--equations", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [e["lhs"] for e in out["terms"][0]["equations"]] == ["tau_1", "tau_2"]
    assert main(["solve", "--pencil", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["terms"][0]["blocks"] == ["train", "latent", "feature", "latent"]
    assert len(out["terms"][0]["doubled_blocks"]) == 8
    assert main(["solve", "--pencil", "--latex"]) == 0
    assert r"\begin{bmatrix}" in capsys.readouterr().out
    assert main(["solve", "--equations", "--setting", "numeric"]) == 0
    assert "sigma_u2" in capsys.readouterr().out
