r"""The planar Dyson equation of a pencil, reduced to a few scalar unknowns (symbolic).

For a pencil ``L = L0 + R`` (:mod:`diagrams.analysis.pencil`) the planar (large-N) average
``G = E[L^-1]`` solves (Mingo-Speicher, *Free Probability and Random Matrices*, chs. 9-10;
Far-Oraby-Bryc-Speicher 2008)

    G = (L0 - eta(G))^-1,       eta(G) = E[R G R]  (rainbow: each Gaussian paired with its transpose),

where for ``X`` (``a x b``, covariances ``Rr`` on rows and ``Cc`` on columns)
``E[X B X^T] = Rr tr(Cc B)`` and ``E[X^T A X] = Cc tr(Rr A)`` (a symmetric or hermitian ``X``, paired
with itself, gives ``E[X B X] = tr(B) 1``).  ``G`` has no blocks between different spaces; the blocks
of one space form a small matrix per eigenvalue (all covariances are diagonal in one basis).  Hence
``eta`` depends on ``G`` only through the traces ``tau_k = tr(W_k G_cd)`` it needs, and

    tau_k = tr over the space of c of  W_k [(L0_s - eta_s(tau))^-1]_cd                        (D)

-- a few scalar equations, the inverse of a small matrix per eigenvalue taken in closed form
(:func:`small_inverse`).  :class:`DysonSystem` builds them.

**Quadratic observables.**  For ``tr(Wr B^T Wl B)`` with ``B = u L^-1 v + D0`` the doubled pencil
``P = [[L^T, -C], [0, L]]`` (``C = u^T Wl u``) has ``E[P^-1] = [[G^T, H], [0, G]]``; its Dyson
equation splits into (D) for ``G`` and the *linear* (ladder) equation for ``H = E[L^-T C L^-1]``

    H = G^T (C + zeta(H)) G,       zeta(H) = E[R^T H R]  (a letter of L^T paired with one of L),

again reduced to traces ``chi_k = tr(W_k H_cd)`` (:class:`LadderSystem`).  The observable is then

    tr(Wr B^T Wl B) = tr(v^T Wr v H) + 2 tr(Wr D0 Wl u G v) + tr(Wr D0 Wl D0).

``setting`` decides how covariances enter: ``symbolic`` keeps every covariance and diagonal matrix a
symbol (a space carrying one has per-eigenvalue blocks; traces become ``tr(Lambda^2 Sigma)``-type
symbols, the language of the diagram sums), ``numeric`` substitutes the scalar ones (``Sigma =
sigma_u^2/M 1``) so that only spectra stay per-eigenvalue.

>>> from diagrams.models.registry import load_model
>>> from diagrams.analysis.pencil import linearize_term
>>> rf = load_model("random-features")
>>> term = linearize_term(rf.observable[0], rf.gamma)
>>> system = DysonSystem(term.realization.pencil, rf, "numeric")
>>> for u in system.unknowns:
...     print(u.symbol, "= tr", u.weight, "G", u.blocks, "over", u.space.name)
tau_1 = tr Lambda G (1, 3) over latent
tau_2 = tr 1 G (2, 2) over feature
tau_3 = tr 1 G (3, 1) over latent
tau_4 = tr 1 G (0, 0) over train
>>> system.equations[3]
SpaceTrace(train, 1/(gamma + tau_1))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import sympy

from diagrams.analysis.pencil import DiagonalSymbol, LinearizedTerm, Pencil, covariance_symbols, diagonal_symbol
from diagrams.engine.spaces import Space

__all__ = [
    "SETTINGS",
    "SpaceTrace",
    "TraceUnknown",
    "DysonSystem",
    "LadderSystem",
    "TermSystem",
    "term_system",
    "diagonal_substitution",
    "small_inverse",
    "epsilon_form",
    "EPSILON",
]

#: How covariances enter (see the module docstring).
SETTINGS = ("symbolic", "numeric")

#: The expansion variable ``1/gamma`` of the series mode.
EPSILON = sympy.Symbol("epsilon", positive=True)

_ZERO, _ONE = sympy.Integer(0), sympy.Integer(1)


@dataclass(frozen=True)
class SpaceTrace:
    """The trace over one space of a per-eigenvalue expression.

    The diagonal symbols of ``space`` in ``summand`` run over the eigenvalues; without them the trace
    is ``size * summand``.  :meth:`map` applies a function to the summand.

    Parameters
    ----------
    space : Space
        The space traced over (:class:`~diagrams.engine.spaces.Space`).
    summand : sympy.Expr
        The per-eigenvalue expression.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> t = SpaceTrace(Space("v", "N"), sympy.Symbol("t"))
    >>> t, t.map(lambda s: 2 * s)
    (SpaceTrace(v, t), SpaceTrace(v, 2*t))
    """

    space: Space
    summand: sympy.Expr

    def __repr__(self) -> str:
        return f"SpaceTrace({self.space.name}, {self.summand})"

    def map(self, f) -> "SpaceTrace":
        return SpaceTrace(self.space, f(self.summand))


@dataclass(frozen=True)
class TraceUnknown:
    """A trace unknown of the Dyson (or ladder) system, ``symbol = tr(weight * M_cd)`` over a space.

    ``M`` is the planar ``G`` (or ``H``).

    Parameters
    ----------
    symbol : sympy.Symbol
        The unknown (``tau_k`` or ``chi_k``).
    blocks : tuple of int
        ``(c, d)``, the block of ``M`` traced.
    weight : sympy.Expr
        The diagonal weight ``W`` (in the diagonal symbols of ``space``).
    space : Space
        The space of block ``c``, traced over.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> from diagrams.analysis.pencil import linearize_term
    >>> ridge = load_model("ridge")
    >>> term = linearize_term(ridge.observable[0], ridge.gamma)
    >>> DysonSystem(term.realization.pencil, ridge).unknowns[0]
    TraceUnknown(symbol=tau_1, blocks=(1, 1), weight=Lambda, space=Space('latent', size=M, style='wavy'))
    """

    symbol: sympy.Symbol
    blocks: tuple
    weight: sympy.Expr
    space: Space


def diagonal_substitution(model, setting: str) -> dict:
    """``{DiagonalSymbol: value}`` for the covariances that stop being per-eigenvalue symbols.

    ``symbolic``: none.  ``numeric``: every covariance (or diagonal) declared as a scalar multiple of
    the identity becomes that scalar (a sympy expression in the model's parameters).

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    setting : {"symbolic", "numeric"}
        One of :data:`SETTINGS`.

    Returns
    -------
    dict
        ``{DiagonalSymbol: value}``.

    Raises
    ------
    ValueError
        If ``setting`` is not one of :data:`SETTINGS`.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> diagonal_substitution(rf, "numeric"), diagonal_substitution(rf, "symbolic")
    ({Sigma: sigma_u2/M}, {})
    """
    if setting not in SETTINGS:
        raise ValueError(f"setting: must be one of {SETTINGS}, got {setting!r}")
    if setting == "symbolic":
        return {}
    return {diagonal_symbol(name, cov.space): cov.scalar for name, cov in model.covariances.items()
            if cov.scalar is not None}


def _diag_symbols(expr, space: Space | None = None) -> list:
    return sorted((s for s in sympy.sympify(expr).free_symbols
                   if isinstance(s, DiagonalSymbol) and (space is None or s.space == space)), key=lambda s: s.name)


def _split_weight(expr, space: Space):
    """``expr = scalar * weight`` with ``weight`` holding the diagonal symbols of ``space`` (number-free)."""
    expr = sympy.factor_terms(sympy.expand(expr))
    syms = _diag_symbols(expr, space)
    if not syms:
        return expr, _ONE
    scalar, weight = expr.as_independent(*syms, as_Add=False)
    num, weight = weight.as_coeff_Mul()
    return scalar * num, weight


# ------------------------------------------------------------------------------------------------
# small symbolic inverses
# ------------------------------------------------------------------------------------------------

def _cancel(e):
    return sympy.cancel(e) if e != 0 else _ZERO


def small_inverse(K: sympy.Matrix) -> sympy.Matrix:
    """The inverse of a small symbolic matrix, block by block along its block-triangular form.

    The strongly connected components of the sparsity graph are the diagonal blocks; each is
    inverted in closed form (adjugate over determinant, entries cancelled) and the rest follows by
    back substitution, so zeros stay exact zeros.

    Parameters
    ----------
    K : sympy.Matrix
        A square matrix (per eigenvalue, such as ``L0_s - eta_s``).

    Returns
    -------
    sympy.Matrix
        ``K^-1``, entries cancelled.

    Raises
    ------
    ValueError
        If a diagonal block is singular (the pencil is singular).

    Examples
    --------
    >>> a, b, c = sympy.symbols("a b c")
    >>> small_inverse(sympy.Matrix([[a, b], [0, c]]))
    Matrix([
    [1/a, -b/(a*c)],
    [  0,      1/c]])
    >>> small_inverse(sympy.Matrix([[1, 1], [1, 1]]))
    Traceback (most recent call last):
    ...
    ValueError: pencil: a block of L0 - eta is singular
    """
    import networkx as nx

    n = K.shape[0]
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from((i, j) for i in range(n) for j in range(n) if i != j and K[i, j] != 0)
    cond = nx.condensation(graph)
    order = list(nx.topological_sort(cond))
    comps = [sorted(cond.nodes[c]["members"]) for c in order]
    X = sympy.zeros(n, n)
    diag_inv = []
    for comp in comps:
        sub = K.extract(comp, comp)
        if len(comp) == 1:
            if sub[0, 0] == 0:
                raise ValueError("pencil: a diagonal block of L0 - eta vanishes (the pencil is singular)")
            inv = sympy.Matrix([[_cancel(1 / sub[0, 0])]])
        else:
            det = sympy.factor(sub.det(method="berkowitz"))
            if det == 0:
                raise ValueError("pencil: a block of L0 - eta is singular")
            adj = sub.adjugate(method="berkowitz")
            inv = adj.applyfunc(lambda e: _cancel(e / det))
        diag_inv.append(inv)
        for a, i in enumerate(comp):
            for b, j in enumerate(comp):
                X[i, j] = inv[a, b]
    # back substitution: X_pq = -X_pp sum_{p < r <= q} K_pr X_rq
    for q in range(len(comps)):
        for p in range(q - 1, -1, -1):
            acc = sympy.zeros(len(comps[p]), len(comps[q]))
            nonzero = False
            for r in range(p + 1, q + 1):
                Kpr = K.extract(comps[p], comps[r])
                if all(e == 0 for e in Kpr):
                    continue
                Xrq = X.extract(comps[r], comps[q])
                if all(e == 0 for e in Xrq):
                    continue
                acc += Kpr * Xrq
                nonzero = True
            if not nonzero:
                continue
            block = -(diag_inv[p] * acc)
            for a, i in enumerate(comps[p]):
                for b, j in enumerate(comps[q]):
                    X[i, j] = _cancel(block[a, b])
    return X


def epsilon_form(expr, ridge: sympy.Symbol):
    """An expression in the ridge rewritten in ``epsilon = 1/gamma``, as one cancelled fraction.

    For the series in ``1/gamma``.

    Parameters
    ----------
    expr : sympy.Expr
        The expression (sympified).
    ridge : sympy.Symbol
        The ridge symbol, replaced by ``1/epsilon`` (:data:`EPSILON`).

    Returns
    -------
    sympy.Expr
        ``expr`` itself when it does not contain ``ridge``.

    Examples
    --------
    >>> gamma = sympy.Symbol("gamma", positive=True)
    >>> epsilon_form(1 / (gamma + 1), gamma)
    epsilon/(epsilon + 1)
    """
    expr = sympy.sympify(expr)
    if not expr.has(ridge):
        return expr
    return sympy.cancel(sympy.together(expr.xreplace({ridge: 1 / EPSILON})))


# ------------------------------------------------------------------------------------------------
# the Dyson system of a pencil
# ------------------------------------------------------------------------------------------------

class DysonSystem:
    """The planar Dyson equation (D) of a pencil reduced to its trace unknowns.

    Attributes: ``unknowns`` (:class:`TraceUnknown`, symbols ``tau_k``), ``self_energy``
    (``{(a, b): eta_ab}``, linear in the unknowns), ``spaces`` (``{space name: block indices}``),
    ``K`` (``{space name: L0_s - eta_s}``, a sympy Matrix per eigenvalue), ``G`` (``{(c, d): closed
    form}`` of the per-eigenvalue blocks of ``(L0 - eta)^-1``) and ``equations`` (a
    :class:`SpaceTrace` per unknown: ``tau_k = equations[k]``).  Unknowns whose block of ``G``
    vanishes are dropped.

    Parameters
    ----------
    pencil : Pencil
        The pencil (:class:`~diagrams.analysis.pencil.Pencil`).
    model : Model
        The declared model (covariances, ridge symbol).
    setting : {"numeric", "symbolic"}, optional
        How covariances enter (:data:`SETTINGS`, see the module docstring).
    symbol : str, optional
        The stem of the unknowns' names (``tau_1``, ``tau_2``, ...).
    ridge_form : {"gamma", "epsilon"}, optional
        ``"epsilon"``: every closed form written in ``epsilon = 1/gamma`` (series mode).

    Raises
    ------
    ValueError
        If ``setting`` or ``ridge_form`` is not one of the above, a block of ``L0 - eta`` is singular,
        or (epsilon form) a block grows with ``gamma``.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> from diagrams.analysis.pencil import linearize_term
    >>> ridge = load_model("ridge")
    >>> term = linearize_term(ridge.observable[0], ridge.gamma)
    >>> system = DysonSystem(term.realization.pencil, ridge)
    >>> system.symbols, system.equations
    ([tau_1, tau_2], [SpaceTrace(latent, Lambda/(Lambda*tau_2 + 1)), SpaceTrace(train, 1/(gamma + tau_1))])
    >>> system.self_energy
    {(0, 0): -tau_1, (1, 1): -Lambda*tau_2}
    >>> system.large_ridge_start()
    [SpaceTrace(latent, Lambda), SpaceTrace(train, 1/gamma)]
    >>> DysonSystem(term.realization.pencil, ridge, ridge_form="epsilon").equations[1]
    SpaceTrace(train, epsilon/(epsilon*tau_1 + 1))
    """

    def __init__(self, pencil: Pencil, model, setting: str = "numeric", *, symbol: str = "tau",
                 ridge_form: str = "gamma"):
        if ridge_form not in ("gamma", "epsilon"):
            raise ValueError(f"ridge_form: must be 'gamma' or 'epsilon', got {ridge_form!r}")
        self.pencil = pencil
        self.model = model
        self.setting = setting
        self.ridge_form = ridge_form
        self.ridge = model.gamma
        self.substitution = diagonal_substitution(model, setting)
        self.symbol_name = symbol
        self.spaces: dict = {}
        for i, b in enumerate(pencil.blocks):
            self.spaces.setdefault(b.name, []).append(i)
        self._space_of = {b.name: b for b in pencil.blocks}
        self._build()

    # -- helpers -------------------------------------------------------------------------------
    def sub(self, e):
        """Apply the setting's substitution of scalar covariances."""
        return sympy.sympify(e).xreplace(self.substitution) if self.substitution else sympy.sympify(e)

    def final(self, e):
        """:meth:`sub`, then ``gamma = 1/epsilon`` in the epsilon form (for weights of observables)."""
        e = self.sub(e)
        return self.regular(e) if self.ridge_form == "epsilon" and e.has(self.ridge) else e

    def regular(self, e):
        """``e`` with ``gamma = 1/epsilon``, checked to be regular at ``epsilon = 0``."""
        out = epsilon_form(e, self.ridge)
        num, den = sympy.fraction(sympy.together(out))
        if den.has(EPSILON) and sympy.expand(den).xreplace({EPSILON: 0}) == 0:
            raise ValueError(f"series: {e} grows with gamma; the observable is not a power series in 1/gamma")
        return out

    def _pairs(self):
        """``[(a, b, c, d, coefficient on a's space, weight on c's space)]`` of ``eta_ab = coef tr(W G_cd)``."""
        out = []
        occ = self.pencil.occurrences()
        for (a, c, t1) in occ:
            for (d, b, t2) in occ:
                X = t1.letter.matrix
                if t2.letter.matrix != X:
                    continue
                L1, R1, L2, R2 = t1.left, t1.right, t2.left, t2.right
                if X.symmetry != "real":
                    out.append((a, b, c, d, L1 * R2, R1 * L2))
                    continue
                if t1.letter.transposed == t2.letter.transposed:
                    continue
                rr, cc = covariance_symbols(X)
                if not t1.letter.transposed:        # E[X B X^T] = Rr tr(Cc B)
                    out.append((a, b, c, d, L1 * rr * R2, cc * R1 * L2))
                else:                               # E[X^T A X] = Cc tr(Rr A)
                    out.append((a, b, c, d, L1 * cc * R2, rr * R1 * L2))
        return out

    def _build(self) -> None:
        p = self.pencil
        keys: dict = {}
        terms = []            # (a, b, coefficient, unknown key)
        for a, b, c, d, coef, weight in self._pairs():
            space = p.blocks[c]
            scal, w = _split_weight(self.sub(weight), space)
            key = (c, d, w)
            keys.setdefault(key, None)
            terms.append((a, b, sympy.expand(self.sub(coef) * scal), key))
        dead: set = set()
        while True:
            live = [k for k in keys if k not in dead]
            self.unknowns = [TraceUnknown(sympy.Symbol(f"{self.symbol_name}_{n + 1}"), (k[0], k[1]), k[2],
                                          p.blocks[k[0]]) for n, k in enumerate(live)]
            sym = {k: u.symbol for k, u in zip(live, self.unknowns)}
            eta: dict = {}
            for a, b, coef, key in terms:
                if key in sym:
                    eta[(a, b)] = eta.get((a, b), _ZERO) + coef * sym[key]
            self.self_energy = {k: sympy.expand(v) for k, v in eta.items() if sympy.expand(v) != 0}
            self.K, self.G = {}, {}
            for name, blocks in self.spaces.items():
                K = sympy.zeros(len(blocks), len(blocks))
                for x, i in enumerate(blocks):
                    for y, j in enumerate(blocks):
                        K[x, y] = sympy.expand(self.sub(p.entry(i, j).constant) - self.self_energy.get((i, j), _ZERO))
                self.K[name] = K
                inv = small_inverse(K)
                for x, i in enumerate(blocks):
                    for y, j in enumerate(blocks):
                        if inv[x, y] != 0:
                            self.G[(i, j)] = inv[x, y]
            newly = {k for k in live if (k[0], k[1]) not in self.G}
            if not newly:
                break
            dead |= newly
        if self.ridge_form == "epsilon":
            self.G = {k: self.regular(v) for k, v in self.G.items()}
        self.equations = [SpaceTrace(u.space, sympy.expand(u.weight) * self.G[u.blocks]) for u in self.unknowns]

    # -- queries -------------------------------------------------------------------------------
    @property
    def symbols(self) -> list:
        return [u.symbol for u in self.unknowns]

    def block(self, i: int, j: int):
        """The per-eigenvalue closed form of ``G_ij`` (0 if it vanishes)."""
        return self.G.get((i, j), _ZERO)

    def jacobian(self) -> list[list[SpaceTrace]]:
        """``d equations_k / d tau_j`` (a :class:`SpaceTrace` each)."""
        return [[eq.map(lambda s, v=v: sympy.diff(s, v)) for v in self.symbols] for eq in self.equations]

    def large_ridge_start(self) -> list[SpaceTrace]:
        """The unknowns at ``eta = 0`` (``G = L0^-1``): the start of the continuation from large ``gamma``."""
        zero = {s: 0 for s in self.symbols}
        return [eq.map(lambda s: s.xreplace(zero)) for eq in self.equations]


# ------------------------------------------------------------------------------------------------
# the ladder (two-point) system of a quadratic observable
# ------------------------------------------------------------------------------------------------

class LadderSystem:
    """``H = G^T (C + zeta(H)) G`` reduced to the traces ``chi_k = tr(W_k H_cd)`` (linear in them).

    ``equations[k]`` is a :class:`SpaceTrace` linear in the ``chi``'s (coefficients in the ``tau``'s);
    ``H`` maps the blocks ``(c, d)`` it needs to closed forms in the ``G`` blocks and the ``chi``'s;
    ``zeta`` is ``{(a, b): zeta_ab}``, linear in the ``chi``'s.

    Parameters
    ----------
    base : DysonSystem
        The Dyson system of ``G``.
    couplings : mapping
        ``{(a, b): C_ab}``, the coupling ``C`` (zero entries dropped).
    reads : sequence
        The blocks ``(c, d)`` of ``H`` the observable reads (their closed forms are in ``H``).
    symbol : str, optional
        The stem of the unknowns' names (``chi_1``, ...).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> from diagrams.analysis.pencil import linearize_term
    >>> ridge = load_model("ridge")
    >>> term = linearize_term(ridge.observable[0], ridge.gamma)
    >>> base = DysonSystem(term.realization.pencil, ridge)
    >>> lad = LadderSystem(base, {}, [])            # no coupling: the homogeneous ladder
    >>> lad.symbols, lad.zeta
    ([chi_1, chi_2], {(1, 1): Lambda*chi_1, (0, 0): chi_2})
    >>> lad.equations[0]
    SpaceTrace(train, chi_2/(gamma + tau_1)**2)
    """

    def __init__(self, base: DysonSystem, couplings: Mapping, reads: Sequence, *, symbol: str = "chi"):
        self.base = base
        p = base.pencil
        self.couplings = {k: base.final(v) for k, v in couplings.items() if v != 0}    # C_ab
        keys: dict = {}
        terms = []
        occ = p.occurrences()
        for (c, a, t1) in occ:
            for (d, b, t2) in occ:
                X = t1.letter.matrix
                if t2.letter.matrix != X:
                    continue
                L1, R1, L2, R2 = t1.left, t1.right, t2.left, t2.right
                if X.symmetry != "real":
                    coef, weight = R1 * R2, L1 * L2
                elif t1.letter.transposed != t2.letter.transposed:
                    continue
                else:
                    rr, cc = covariance_symbols(X)
                    if t1.letter.transposed:        # (X^T)^T = X:  E[X B X^T] = Rr tr(Cc B)
                        coef, weight = R1 * rr * R2, cc * L1 * L2
                    else:                           # E[X^T A X] = Cc tr(Rr A)
                        coef, weight = R1 * cc * R2, rr * L1 * L2
                scal, w = _split_weight(base.sub(weight), p.blocks[c])
                key = (c, d, w)
                keys.setdefault(key, None)
                terms.append((a, b, sympy.expand(base.sub(coef) * scal), key))
        live = list(keys)
        self.unknowns = [TraceUnknown(sympy.Symbol(f"{symbol}_{n + 1}"), (k[0], k[1]), k[2], p.blocks[k[0]])
                         for n, k in enumerate(live)]
        sym = {k: u.symbol for k, u in zip(live, self.unknowns)}
        zeta: dict = {}
        for a, b, coef, key in terms:
            zeta[(a, b)] = zeta.get((a, b), _ZERO) + coef * sym[key]
        self.zeta = {k: sympy.expand(v) for k, v in zeta.items() if sympy.expand(v) != 0}
        needed = {u.blocks for u in self.unknowns} | set(map(tuple, reads))
        self.H = {cd: self._h(*cd) for cd in needed}
        self.equations = [SpaceTrace(u.space, sympy.expand(u.weight) * self.H[u.blocks]) for u in self.unknowns]

    def _h(self, c: int, d: int):
        base = self.base
        blocks = base.spaces[base.pencil.blocks[c].name]
        out = _ZERO
        for e in blocks:
            gec = base.block(e, c)
            if gec == 0:
                continue
            for f in blocks:
                mid = self.couplings.get((e, f), _ZERO) + self.zeta.get((e, f), _ZERO)
                if mid == 0:
                    continue
                gfd = base.block(f, d)
                if gfd != 0:
                    out += gec * mid * gfd
        return out

    @property
    def symbols(self) -> list:
        return [u.symbol for u in self.unknowns]


# ------------------------------------------------------------------------------------------------
# one observable term
# ------------------------------------------------------------------------------------------------

@dataclass
class TermSystem:
    """The planar equations of one observable term: its Dyson system, ladder system and observable.

    The ladder system is that of a quadratic term; the observable is
    ``coefficient * trace_factor * sum(observable)`` with ``observable`` a list of
    :class:`SpaceTrace` terms (linear in the ``chi``'s) and ``trace_factor`` the trace left by an
    exact average (a :class:`SpaceTrace`, or ``None``).

    Parameters
    ----------
    term : LinearizedTerm
        The linearized term (:func:`~diagrams.analysis.pencil.linearize_term`).
    dyson : DysonSystem
        Its Dyson system.
    ladder : LadderSystem or None
        Its ladder system (``None`` for a trace term).
    observable : list of SpaceTrace, optional
        The observable's traces, linear in the ``chi``'s.
    trace_factor : SpaceTrace or None, optional
        The trace left by an exact average.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> from diagrams.analysis.pencil import linearize_term
    >>> ridge = load_model("ridge")
    >>> term = linearize_term(ridge.observable[0], ridge.gamma)
    >>> ts = term_system(term, ridge)
    >>> ts.coefficient, ts.trace_factor
    (C*sigma_w2/(2*M*That), SpaceTrace(test, 1))
    >>> ts.observable
    [SpaceTrace(latent, Lambda*(Lambda*chi_1 + 1)/(Lambda*tau_2 + 1)**2)]
    """

    term: LinearizedTerm
    dyson: DysonSystem
    ladder: LadderSystem | None
    observable: list = field(default_factory=list)
    trace_factor: SpaceTrace | None = None

    @property
    def coefficient(self) -> sympy.Expr:
        return sympy.sympify(self.term.coefficient)


def term_system(term: LinearizedTerm, model, setting: str = "numeric", ridge_form: str = "gamma") -> TermSystem:
    """The Dyson system, ladder system and observable of one linearized observable term.

    A trace term reads ``G``; a quadratic term gets the ladder of its doubled pencil (see the module
    docstring).

    Parameters
    ----------
    term : LinearizedTerm
        The linearized term (:func:`~diagrams.analysis.pencil.linearize_term`).
    model : Model
        The declared model.
    setting : {"numeric", "symbolic"}, optional
        How covariances enter (:data:`SETTINGS`).
    ridge_form : {"gamma", "epsilon"}, optional
        ``"epsilon"``: every closed form written in ``epsilon = 1/gamma``, for the series mode.

    Returns
    -------
    TermSystem

    Raises
    ------
    ValueError
        As :class:`DysonSystem`.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> from diagrams.analysis.pencil import linearize_term
    >>> ridge = load_model("ridge")
    >>> term = linearize_term(ridge.observable[0], ridge.gamma)
    >>> ts = term_system(term, ridge)
    >>> ts.term.kind, ts.dyson.symbols, ts.ladder.symbols
    ('quadratic', [tau_1, tau_2], [chi_1, chi_2])
    >>> term_system(term, ridge, "exact")
    Traceback (most recent call last):
    ...
    ValueError: setting: must be one of ('symbolic', 'numeric'), got 'exact'
    """
    r = term.realization
    base = DysonSystem(r.pencil, model, setting, ridge_form=ridge_form)
    sub = base.final
    obs = []
    if term.kind == "trace":
        for a, ua in r.left.items():
            for b, vb in r.right.items():
                g = base.block(a, b)
                if g != 0:
                    obs.append(SpaceTrace(r.pencil.blocks[a], sympy.expand(sub(vb * ua)) * g))
        if r.constant != 0:
            obs.append(SpaceTrace(r.rows, sub(r.constant)))
        ladder = None
    else:
        wl, wr, d0 = sub(term.left_weight), sub(term.right_weight), sub(r.constant)
        couplings = {(a, b): sympy.expand(ua * wl * ub) for a, ua in r.left.items() for b, ub in r.left.items()}
        reads = [(a, b) for a in r.right for b in r.right]
        ladder = LadderSystem(base, couplings, reads)
        for a, va in r.right.items():
            for b, vb in r.right.items():
                h = ladder.H[(a, b)]
                if h != 0:
                    obs.append(SpaceTrace(r.pencil.blocks[a], sympy.expand(sub(va * wr * vb)) * h))
        if d0 != 0:
            for a, ua in r.left.items():
                for b, vb in r.right.items():
                    g = base.block(a, b)
                    if g != 0:
                        obs.append(SpaceTrace(r.pencil.blocks[a], 2 * sympy.expand(sub(wr * d0 * wl * ua * vb)) * g))
            obs.append(SpaceTrace(r.cols, sympy.expand(wr * d0 * wl * d0)))
    factor = None if term.trace_space is None else SpaceTrace(term.trace_space, sub(term.trace_weight))
    return TermSystem(term, base, ladder, obs, factor)
