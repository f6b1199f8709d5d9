"""Linearization: every pencil, inverted densely at random draws, equals the expression it linearizes."""

import numpy as np
import pytest
import sympy

from diagrams.analysis.pencil import DiagonalSymbol, doubled_pencil, linearize, linearize_term, reduce
from diagrams.analysis.pencil_display import pencil_latex, pencil_table
from diagrams.engine.expressions import Atom, Identity, Product, Resolvent, Sum, as_expr, resolvent
from diagrams.engine.matrices import Diagonal, GaussianMatrix, Letter
from diagrams.engine.spaces import Space
from diagrams.models.registry import load_model

GAMMA = sympy.Symbol("gamma", positive=True)


# ---------------------------------------------------------------------------------------------- helpers

def _diag(expr, space, diag, sizes, subs, gamma):
    expr = sympy.sympify(expr).xreplace(subs)
    syms = sorted((s for s in expr.free_symbols if isinstance(s, DiagonalSymbol)), key=lambda s: s.name)
    f = sympy.lambdify(syms + [GAMMA], expr, "numpy")
    v = f(*[diag[s.name] for s in syms], gamma)
    return np.broadcast_to(np.asarray(v, float), (sizes[space.name],))


def dense(r, mats, diag, sizes, gamma, subs=None):
    """``u L^-1 v + D0`` of a realization with every block filled in densely."""
    subs = subs or {}
    p = r.pencil
    offs = np.cumsum([0] + [sizes[b.name] for b in p.blocks])
    L = np.zeros((offs[-1], offs[-1]))
    for (i, j), e in p.entries.items():
        blk = np.zeros((offs[i + 1] - offs[i], offs[j + 1] - offs[j]))
        if e.constant != 0:
            blk += np.diag(_diag(e.constant, p.blocks[i], diag, sizes, subs, gamma))
        for t in e.gaussian:
            X = mats[t.letter.matrix.name]
            X = X.T if t.letter.transposed else X
            blk += _diag(t.left, p.blocks[i], diag, sizes, subs, gamma)[:, None] * X * \
                _diag(t.right, p.blocks[j], diag, sizes, subs, gamma)[None, :]
        L[offs[i]:offs[i + 1], offs[j]:offs[j + 1]] = blk
    U = np.zeros((sizes[r.rows.name], offs[-1]))
    V = np.zeros((offs[-1], sizes[r.cols.name]))
    for i, w in r.left.items():
        U[:, offs[i]:offs[i + 1]] = np.diag(_diag(w, p.blocks[i], diag, sizes, subs, gamma))
    for j, w in r.right.items():
        V[offs[j]:offs[j + 1], :] = np.diag(_diag(w, p.blocks[j], diag, sizes, subs, gamma))
    out = U @ np.linalg.solve(L, V) if offs[-1] else np.zeros((sizes[r.rows.name], sizes[r.cols.name]))
    if r.constant != 0:
        out = out + np.diag(_diag(r.constant, r.rows, diag, sizes, subs, gamma))
    return out


def direct(e, mats, diag, sizes, gamma, subs=None):
    """The expression evaluated directly (products, explicit inverses)."""
    subs = subs or {}
    if isinstance(e, Atom):
        if isinstance(e.item, Letter):
            X = mats[e.item.matrix.name]
            return X.T if e.item.transposed else X
        return np.diag(diag[e.item.name])
    if isinstance(e, Identity):
        return np.eye(sizes[e.space.name])
    if isinstance(e, Sum):
        return sum(float(sympy.sympify(c).xreplace(subs)) * direct(t, mats, diag, sizes, gamma, subs) for c, t in e.terms)
    if isinstance(e, Product):
        out = direct(e.factors[0], mats, diag, sizes, gamma, subs)
        for f in e.factors[1:]:
            out = out @ direct(f, mats, diag, sizes, gamma, subs)
        return out
    if isinstance(e, Resolvent):
        X = direct(e.argument, mats, diag, sizes, gamma, subs)
        return np.linalg.inv(gamma * np.eye(X.shape[0]) + X)
    raise AssertionError(e)


# ---------------------------------------------------------------------------------------------- toy spaces

A_SP, B_SP, C_SP = Space("a", "na"), Space("b", "nb", "dashed"), Space("c", "nc", "wavy")
X = GaussianMatrix("X", A_SP, B_SP, row_cov="Ra")
Y = GaussianMatrix("Y", B_SP, C_SP)
Z = GaussianMatrix("Z", C_SP, C_SP)
D = Diagonal("D", C_SP)
E = Diagonal("E", A_SP)
SIZES = {"a": 4, "b": 6, "c": 5}

EXPRESSIONS = {
    "letter": as_expr(X),
    "word": X @ Y @ Z @ Y.T,
    "sum": X @ Y - 3 * (E @ X @ Y) + X @ Y @ D,
    "resolvent": resolvent(X.T @ E @ X, GAMMA),
    "resolvent of a sum": resolvent(X.T @ X + 2 * (Y @ Y.T) + Identity(B_SP), GAMMA),
    "neighbours absorbed": X @ resolvent(X.T @ X, GAMMA) @ X.T,
    "nested": resolvent(Y.T @ resolvent(X.T @ X, GAMMA) @ Y, GAMMA) @ Z,
    "square gaussian": resolvent(Z @ D @ Z.T + Z, GAMMA),
    "constant part": Identity(C_SP) - Z @ resolvent(Z.T @ Z, GAMMA) @ Z.T,
    "diagonal alone": as_expr(D) + Identity(C_SP),
}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_realization_equals_expression(name):
    rng = np.random.default_rng(hash(name) % 2 ** 32)
    expr = EXPRESSIONS[name]
    mats = {"X": rng.standard_normal((4, 6)), "Y": rng.standard_normal((6, 5)), "Z": rng.standard_normal((5, 5))}
    diag = {"D": rng.uniform(0.5, 2, 5), "E": rng.uniform(0.5, 2, 4), "Ra": rng.uniform(0.5, 2, 4)}
    for raw in (False, True):
        r = linearize(expr, GAMMA)
        if raw is False:
            r = reduce(r, GAMMA)
        got = dense(r, mats, diag, SIZES, 0.7)
        want = direct(expr, mats, diag, SIZES, 0.7)
        assert np.allclose(got, want, rtol=1e-10, atol=1e-10), name


def test_reduction_shrinks_and_absorbs_neighbours():
    r = reduce(linearize(EXPRESSIONS["neighbours absorbed"], GAMMA), GAMMA)
    # X (gamma + X^T X)^-1 X^T = 1 - (L^-1)_{s1 s1}: the resolvent pencil alone, two blocks
    assert [b.name for b in r.pencil.blocks] == ["b", "a"]
    assert r.constant == 1


# ---------------------------------------------------------------------------------------------- models

def _model_draw(model, raw, seed):
    values = model.read_values(raw, require=[p.name for p in model.parameters if p.default is None])
    rng = np.random.default_rng(seed)
    sizes = {sp.name: model.size_of(sp, values) for sp in model.spaces.values()}
    mats = {k: rng.standard_normal((sizes[g.rows.name], sizes[g.cols.name])) for k, g in model.matrices.items()}
    diag = {k: np.asarray(list(v), float) for k, v in model.diagonal_values(values, exact=False).items()}
    subs = {k: sympy.Rational(str(v)) for k, v in model.symbol_values(values).items()}
    return values, sizes, mats, diag, subs


MODELS = {
    "random-features": {"N": 7, "T": 5, "That": 3, "spectrum": [1, 0.5, 0.3, 0.2, 0.1, 0.05],
                        "spectrum_test": [2, 0.1, 0.3, 0.7, 0.1, 1], "label_noise": "1/3"},
    "ridge": {"T": 5, "That": 3, "spectrum": [1, 0.5, 0.3, 0.2, 0.1, 0.05]},
    "deep-random-features": {"N": 7, "N1": 4, "T": 5, "That": 3, "spectrum": [1, 0.5, 0.3, 0.2, 0.1, 0.05]},
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_terms_linearized(name):
    model = load_model(name)
    values, sizes, mats, diag, subs = _model_draw(model, MODELS[name], 3)
    for term in model.observable:
        lt = linearize_term(term, model.gamma)
        A = direct(as_expr(term.expr), mats, diag, sizes, 0.4, subs)
        B = dense(lt.realization, mats, diag, sizes, 0.4, subs)
        assert lt.averaged == ("xhat",)                # the test inputs are averaged exactly
        assert np.allclose(B @ mats["xhat"], A, rtol=1e-10, atol=1e-12)
        # tr(A^T A) averaged over xhat = That tr(Lambdahat B^T B): the weights say so
        Wr = _diag(lt.right_weight, lt.realization.cols, diag, sizes, subs, 0.4)
        assert lt.trace_factor == model.spaces["test"].size
        # the doubled pencil holds L^-T C L^-1, read with v: tr(Wr B^T Wl B)
        d = doubled_pencil(lt)
        quad = np.trace(dense(d, mats, diag, sizes, 0.4, subs))
        assert np.isclose(quad, np.trace(np.diag(Wr) @ B.T @ B), rtol=1e-10)


def test_minimal_pencils():
    blocks = {n: [b.name for b in linearize_term(load_model(n).observable[0], load_model(n).gamma).realization.pencil.blocks]
              for n in MODELS}
    # the random-feature resolvent pencil (train, latent, feature, latent); one pair of blocks per layer
    assert blocks["random-features"] == ["train", "latent", "feature", "latent"]
    assert blocks["ridge"] == ["train", "latent"]
    assert blocks["deep-random-features"] == ["train", "latent", "hidden", "feature", "hidden", "latent"]


def test_display():
    rf = load_model("random-features")
    lt = linearize_term(rf.observable[0], rf.gamma)
    table = pencil_table(lt.realization)
    assert "-u^T" in table and "gamma" in table
    tex = pencil_latex(lt.realization, rf.notation)
    assert tex.startswith(r"L = \begin{bmatrix} \gamma & x^{\top}")
    assert "(T, M, N, M)" in tex
