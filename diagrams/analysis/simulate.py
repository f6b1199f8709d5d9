r"""Monte-Carlo simulation of any declared model: draw the Gaussian matrices, evaluate the observable.

For each trial every Gaussian matrix of the :class:`~diagrams.models.declaration.Model` is drawn with
its covariances (``X = sqrt(row_cov) G sqrt(col_cov)``, ``G`` standard normal), and the observable
``sum c tr(E)`` / ``c tr(A^T A)`` is evaluated at the drawn matrices: products in the cheapest
order (matrix-chain ordering on the actual sizes; a sub-product met again in the same trial, or its
transpose, is reused), resolvents by factorisation and linear solves
(Cholesky for a symmetric argument, LU otherwise), never an explicit inverse.  Trials are seeded
by ``numpy.random.SeedSequence(seed).spawn(trials)``: trial ``i`` draws the same matrices however
many trials (or workers) there are.

**The smaller dual space.**  A resolvent ``(gamma + g_1 ... g_m)^-1`` whose product passes through a
smaller space after ``g_j`` is moved there: by the push-through identity
``(gamma + P Q)^-1 P = P (gamma + Q P)^-1`` when the factors next to it in the chain allow it
(e.g. ``Q phi^T = phi^T (gamma + phi phi^T)^-1``), else by the Woodbury identity
``(gamma + P Q)^-1 = (1 - P (gamma + Q P)^-1 Q)/gamma``.

**Exact averages.**  A Gaussian matrix ``Z`` that is the last factor of every summand of a squared
observable ``A = B Z`` (and appears nowhere else) is averaged exactly:
``E_Z tr(Z^T B^T B Z) = tr(col_cov) tr(B^T B row_cov)`` -- for the test loss this averages over the
test inputs (population risk), which only removes variance.  ``exact_average=False`` draws it.

>>> from diagrams.models.registry import load_model
>>> m = load_model("ridge")
>>> r = simulate(m, {"T": 20, "spectrum": [1, 0.5, 0.25]}, 0.1, trials=4, seed=1)
>>> r.trials, bool(r.mean > 0 and r.stderr > 0)
(4, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np
import scipy.linalg
import sympy

from diagrams.engine.expressions import Atom, Identity, MatrixExpr, Product, Resolvent, Sum
from diagrams.engine.matrices import Letter
from diagrams.engine.numbers import read_integer, read_real
from diagrams.models.declaration import Model

__all__ = ["SimulationResult", "simulate", "simulate_coefficient", "draw_matrices", "evaluate_observable",
           "MAX_TRIALS", "MAX_ELEMENTS"]

#: Most trials one call accepts.
MAX_TRIALS = 10 ** 7
#: Largest number of entries of one drawn matrix (memory guard: 4e8 doubles = 3.2 GB).
MAX_ELEMENTS = 4 * 10 ** 8


@dataclass(frozen=True)
class SimulationResult:
    """A Monte-Carlo estimate: the mean of the per-trial values and its standard error.

    Parameters
    ----------
    mean : float
        The mean of ``values``.
    stderr : float
        The standard error of the mean (sample standard deviation over ``sqrt(trials)``); ``nan`` for
        one trial.
    trials : int
        The number of trials (or draws).
    values : numpy.ndarray
        The per-trial values, of shape ``(trials,)``.
    params : dict, optional
        What was simulated: the model's name, the ridge or order, the seed, ...

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> r = simulate(load_model("ridge"), {"T": 20, "spectrum": [1, 0.5]}, 0.1, trials=1)
    >>> r.trials, r.values.shape, r.stderr
    (1, (1,), nan)
    """

    mean: float
    stderr: float
    trials: int
    values: np.ndarray = field(repr=False)
    params: dict = field(default_factory=dict, repr=False)


# ------------------------------------------------------------------------------- operands

class _Diag:
    """A diagonal matrix stored as its diagonal."""

    __slots__ = ("v",)

    def __init__(self, v):
        self.v = np.asarray(v, dtype=float)

    @property
    def shape(self):
        return (self.v.size, self.v.size)


class _Solve:
    """``(gamma + X)^-1`` as an operator (factorised once)."""

    __slots__ = ("n", "fac", "sym", "woodbury")

    def __init__(self, K: np.ndarray | None, symmetric: bool, woodbury=None):
        self.woodbury = woodbury
        if woodbury is not None:
            self.n = woodbury[0].shape[0]
            self.fac = None
            return
        self.n = K.shape[0]
        self.sym = symmetric
        if symmetric:
            try:
                self.fac = ("cho", scipy.linalg.cho_factor(K, lower=True, check_finite=False))
                return
            except np.linalg.LinAlgError:
                pass
        self.fac = ("lu", scipy.linalg.lu_factor(K, check_finite=False))

    @property
    def shape(self):
        return (self.n, self.n)

    def left(self, B: np.ndarray) -> np.ndarray:
        """``S B``."""
        if self.woodbury is not None:
            P, inner, Q, gamma = self.woodbury
            return (B - P @ inner.left(Q @ B)) / gamma
        kind, f = self.fac
        if kind == "cho":
            return scipy.linalg.cho_solve(f, B, check_finite=False)
        return scipy.linalg.lu_solve(f, B, check_finite=False)

    def right(self, B: np.ndarray) -> np.ndarray:
        """``B S``."""
        if self.woodbury is not None:
            P, inner, Q, gamma = self.woodbury
            return (B - inner.right(B @ P) @ Q) / gamma
        kind, f = self.fac
        if kind == "cho":
            return scipy.linalg.cho_solve(f, B.T, check_finite=False).T
        return scipy.linalg.lu_solve(f, B.T, trans=1, check_finite=False).T


def _mul(a, b):
    if isinstance(a, _Diag) and isinstance(b, _Diag):
        return _Diag(a.v * b.v)
    if isinstance(a, _Diag):
        return _dense(b) * a.v[:, None]
    if isinstance(b, _Diag):
        return _dense(a) * b.v[None, :]
    if isinstance(a, _Solve):
        return a.left(_dense(b))
    if isinstance(b, _Solve):
        return b.right(_dense(a))
    return a @ b


def _dense(a):
    if isinstance(a, _Diag):
        return np.diag(a.v)
    if isinstance(a, _Solve):
        return a.left(np.eye(a.n))
    return a


def _cost(a_shape, b_shape, a_kind, b_kind) -> float:
    n, k = a_shape
    m = b_shape[1]
    if a_kind == "diag" or b_kind == "diag":
        return float(n * m)
    return float(n) * k * m


def _chain(ops: list, keys: list | None = None, memo: dict | None = None):
    """Multiply ``ops`` (dense arrays, _Diag, _Solve) in the cheapest order (matrix-chain DP).

    ``keys[i]``: the factor expression of ``ops[i]`` (``None`` where an operator stands for more than
    its factor, e.g. a resolvent moved to its dual space).  A sub-product whose factors all have keys is
    kept in ``memo`` (one trial's evaluation), and a sub-product found there -- or its transpose --
    costs nothing: ``phi^T phi`` in a resolvent and ``phi^T`` next to it share ``x^T u^T``.
    """
    n = len(ops)
    if n == 1:
        return ops[0]
    use_memo = keys is not None and memo is not None

    def known(i, j):
        if not use_memo or j == i:
            return None
        k = tuple(keys[i:j + 1])
        if any(f is None for f in k):
            return None
        v = memo.get(k)
        if v is not None:
            return v
        v = memo.get(tuple(f.T for f in reversed(k)))
        return v.T if v is not None else None

    kinds = ["diag" if isinstance(o, _Diag) else "solve" if isinstance(o, _Solve) else "dense" for o in ops]
    dims = [ops[0].shape[0]] + [o.shape[1] for o in ops]
    best = [[0.0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    kind = [[kinds[i] if i == j else "dense" for j in range(n)] for i in range(n)]
    for length in range(2, n + 1):
        for i in range(0, n - length + 1):
            j = i + length - 1
            if known(i, j) is not None:
                best[i][j] = 0.0
                continue
            best[i][j] = math.inf
            for s in range(i, j):
                c = best[i][s] + best[s + 1][j] + _cost((dims[i], dims[s + 1]), (dims[s + 1], dims[j + 1]),
                                                        kind[i][s], kind[s + 1][j])
                if c < best[i][j]:
                    best[i][j], split[i][j] = c, s
            if all(kinds[t] == "diag" for t in range(i, j + 1)):
                kind[i][j] = "diag"

    def run(i, j):
        if i == j:
            return ops[i]
        v = known(i, j)
        if v is not None:
            return v
        s = split[i][j]
        v = _mul(run(i, s), run(s + 1, j))
        if use_memo and isinstance(v, np.ndarray) and all(f is not None for f in keys[i:j + 1]):
            memo[tuple(keys[i:j + 1])] = v
        return v

    return run(0, n - 1)


# ------------------------------------------------------------------------------- evaluation

class _Context:
    """What every trial needs, computed once: sizes, diagonals, numeric scalar coefficients."""

    def __init__(self, model: Model, values: Mapping, gamma: float):
        self.model, self.values, self.gamma = model, values, gamma
        self.sizes = {sp.name: model.size_of(sp, values) for sp in model.spaces.values()}
        self.diag_values = {k: np.asarray(list(v), dtype=float)
                            for k, v in model.diagonal_values(values, exact=False).items()}
        subs = {k: (sympy.Rational(v.numerator, v.denominator) if hasattr(v, "denominator") else v)
                for k, v in model.symbol_values(values).items()}
        subs[model.gamma] = sympy.Float(gamma)
        self.subs = subs
        self._scalars: dict = {}

    def scalar(self, c) -> float:
        key = sympy.sympify(c)
        v = self._scalars.get(key)
        if v is None:
            e = key.xreplace(self.subs)
            if e.free_symbols:
                raise ValueError(f"values: the coefficient {c} needs {', '.join(map(str, e.free_symbols))}")
            v = self._scalars[key] = float(e)
        return v


class _Evaluator:
    def __init__(self, ctx: _Context, drawn: dict):
        self.ctx, self.model, self.values, self.gamma = ctx, ctx.model, ctx.values, ctx.gamma
        self.drawn, self.sizes = drawn, ctx.sizes
        self.diag_values = ctx.diag_values
        self.replaced: dict = {}        # Gaussian name -> _Diag (exact averages)
        self.products: dict = {}        # factor expressions -> their product (see _chain)

    def scalar(self, c) -> float:
        return self.ctx.scalar(c)

    def size(self, space) -> int:
        return self.sizes[space.name]

    def operand(self, e: MatrixExpr):
        if isinstance(e, Atom):
            it = e.item
            if isinstance(it, Letter):
                if it.matrix.name in self.replaced:
                    d = self.replaced[it.matrix.name]
                    return d
                X = self.drawn[it.matrix.name]
                return X.T if it.transposed else X
            return _Diag(self.diag_values[it.name])
        if isinstance(e, Identity):
            return _Diag(np.ones(self.size(e.space)))
        if isinstance(e, Sum):
            acc = None
            for c, t in e.terms:
                v = self.scalar(c) * _dense(self.operand(t))
                acc = v if acc is None else acc + v
            return acc
        if isinstance(e, Product):
            return _chain(*self.chain_ops(list(e.factors)), self.products)
        if isinstance(e, Resolvent):
            return self.resolvent(e, None, None)[0]
        raise ValueError(f"expression: cannot evaluate {e!r}")

    def chain_ops(self, factors: list) -> tuple[list, list]:
        """The operators of a product's factors, and the factor expression of each (``None`` for a
        resolvent, which may stand in its dual space)."""
        ops: list = []
        keys: list = []
        i = 0
        while i < len(factors):
            f = factors[i]
            if isinstance(f, Resolvent):
                before, after = factors[:i], factors[i + 1:]
                op, consumed_before, moved_after = self.resolvent(f, before, after)
                if consumed_before:       # g_{j+1}..g_m R  ->  R' g_{j+1}..g_m
                    del ops[len(ops) - len(consumed_before):], keys[len(keys) - len(consumed_before):]
                    ops.append(op)
                    keys.append(None)
                    ops.extend(self.operand(g) for g in consumed_before)
                    keys.extend(consumed_before)
                    i += 1
                    continue
                if moved_after:           # R g_1..g_j  ->  g_1..g_j R'
                    ops.extend(self.operand(g) for g in moved_after)
                    keys.extend(moved_after)
                    ops.append(op)
                    keys.append(None)
                    i += 1 + len(moved_after)
                    continue
                ops.append(op)
                keys.append(None)
                i += 1
                continue
            ops.append(self.operand(f))
            keys.append(f)
            i += 1
        return ops, keys

    def resolvent(self, R: Resolvent, before, after):
        """The operator of ``R`` -- in the smaller dual space when a product argument allows it.

        Returns ``(operator, factors before it that it now precedes, factors after it that now precede it)``.
        """
        gs = list(R.argument.factors) if isinstance(R.argument, Product) else [R.argument]
        d = self.size(R.rows)
        inner = [(self.size(gs[j].cols), j) for j in range(len(gs) - 1)]
        symmetric = R.argument.T == R.argument
        if inner:
            s, j = min(inner)
            if s < d:
                P, Q = gs[:j + 1], gs[j + 1:]
                dual = Resolvent(Product(tuple(Q + P)) if len(Q + P) > 1 else (Q + P)[0], R.ridge)
                if after is not None and after[:len(P)] == P:
                    return self.resolvent(dual, None, None)[0], [], P
                if before is not None and len(before) >= len(Q) and before[len(before) - len(Q):] == Q:
                    return self.resolvent(dual, None, None)[0], Q, []
                Pm = _dense(_chain([self.operand(g) for g in P], list(P), self.products))
                Qm = _dense(_chain([self.operand(g) for g in Q], list(Q), self.products))
                inner_op = self.resolvent(dual, None, None)[0]
                return _Solve(None, symmetric, (Pm, inner_op, Qm, self.gamma)), [], []
        X = _dense(self.operand(R.argument))
        K = np.array(X, dtype=float, copy=True)
        K[np.diag_indices_from(K)] += self.gamma
        return _Solve(K, symmetric), [], []


def _observable_value(ev: _Evaluator, ob, exact_average: bool) -> float:
    c = ev.scalar(ob.coefficient)
    if c == 0:
        return 0.0
    if ob.kind == "trace":
        M = _dense(ev.operand(ob.expr))
        return c * float(np.trace(M))
    A = ob.expr
    factor = 1.0
    if exact_average:
        A, factor = _average_right_end(ev, A)
    M = _dense(ev.operand(A))
    return c * factor * float(np.sum(M * M))


def _right_factor(t: MatrixExpr):
    if isinstance(t, Product):
        return t.factors[-1], Product(t.factors[:-1]) if len(t.factors) > 2 else t.factors[0]
    return t, None


def _uses(e: MatrixExpr, name: str) -> bool:
    if isinstance(e, Atom):
        return isinstance(e.item, Letter) and e.item.matrix.name == name
    if isinstance(e, Sum):
        return any(_uses(t, name) for _, t in e.terms)
    if isinstance(e, Product):
        return any(_uses(f, name) for f in e.factors)
    if isinstance(e, Resolvent):
        return _uses(e.argument, name)
    return False


def _average_right_end(ev: _Evaluator, A: MatrixExpr):
    """``A = B Z`` with ``Z`` Gaussian, untransposed, last in every summand: replace ``Z`` by ``sqrt(row_cov)``."""
    terms = A.terms if isinstance(A, Sum) else ((sympy.Integer(1), A),)
    ends = [_right_factor(t) for _, t in terms]
    lasts = {f for f, _ in ends}
    if len(lasts) != 1:
        return A, 1.0
    (last,) = lasts
    if not (isinstance(last, Atom) and isinstance(last.item, Letter) and not last.item.transposed):
        return A, 1.0
    Z = last.item.matrix
    if Z.symmetry != "real" or any(rest is not None and _uses(rest, Z.name) for _, rest in ends):
        return A, 1.0
    rows = ev.size(Z.rows)
    root = np.sqrt(ev.diag_values[Z.row_cov]) if Z.row_cov else np.ones(rows)
    col = ev.diag_values[Z.col_cov] if Z.col_cov else np.ones(ev.size(Z.cols))
    ev.replaced[Z.name] = _Diag(root)
    return A, float(col.sum())


def draw_matrices(model: Model, values: Mapping, rng: np.random.Generator, skip=(), *, diag=None) -> dict:
    """One draw of every Gaussian matrix of a model, as float arrays.

    Each matrix is ``sqrt(row_cov) G sqrt(col_cov)`` with ``G`` standard normal, drawn in declaration
    order; a skipped matrix is still drawn (so the others do not change) but not returned.

    Parameters
    ----------
    model : Model
        The declared model (real Gaussian matrices only).
    values : mapping
        Parameter values, as :meth:`~diagrams.models.declaration.Model.read_values` returns them.
    rng : numpy.random.Generator
        The random generator.
    skip : collection of str, optional
        Names of matrices not returned.
    diag : dict, optional
        The covariances' diagonals as float arrays (default: from ``values``).

    Returns
    -------
    dict
        ``{name: numpy.ndarray}`` of shape ``(rows, cols)`` per matrix.

    Raises
    ------
    ValueError
        If a matrix would have more than :data:`MAX_ELEMENTS` entries, or is not a real Gaussian
        matrix.

    Examples
    --------
    >>> import numpy as np
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> values = ridge.read_values({"T": 3, "spectrum": [1, "1/2"]})
    >>> {k: v.shape for k, v in draw_matrices(ridge, values, np.random.default_rng(0)).items()}
    {'x': (2, 3), 'xhat': (2, 1)}
    """
    if diag is None:
        diag = {k: np.asarray(list(v), dtype=float) for k, v in model.diagonal_values(values, exact=False).items()}
    out = {}
    for name, G in model.matrices.items():
        r, c = model.size_of(G.rows, values), model.size_of(G.cols, values)
        if r * c > MAX_ELEMENTS:
            raise ValueError(f"{G.rows.size}, {G.cols.size}: the matrix {name} would have {r * c} entries, more "
                             f"than {MAX_ELEMENTS} (memory); use smaller sizes")
        Z = rng.standard_normal((r, c))
        if name in skip:
            continue
        if G.symmetry != "real":
            raise ValueError(f"model: simulation draws real Gaussian matrices; {name} is {G.symmetry}")
        if G.row_cov:
            Z *= np.sqrt(diag[G.row_cov])[:, None]
        if G.col_cov:
            Z *= np.sqrt(diag[G.col_cov])[None, :]
        out[name] = Z
    return out


def evaluate_observable(model: Model, values: Mapping, gamma: float, drawn: dict, *,
                        exact_average: bool = True, context=None) -> float:
    """The observable at one draw of the matrices.

    Products are taken in the cheapest order, resolvents by factorisation and solves (in the smaller
    dual space when possible), and a last Gaussian factor of a squared term is averaged exactly, as
    in the module docstring.

    Parameters
    ----------
    model : Model
        The declared model.
    values : mapping
        Parameter values, as :meth:`~diagrams.models.declaration.Model.read_values` returns them.
    gamma : float
        The ridge, > 0.
    drawn : dict
        ``{name: array}``, one draw of every Gaussian matrix (:func:`draw_matrices`).
    exact_average : bool, optional
        Average a last Gaussian factor of a squared term exactly (default) or use its draw.
    context : object, optional
        The per-model precomputation that :func:`simulate` shares between trials (internal).

    Returns
    -------
    float
        The observable's value.

    Raises
    ------
    ValueError
        If a coefficient needs a parameter without a value.

    Examples
    --------
    >>> import numpy as np
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> values = ridge.read_values({"T": 3, "spectrum": [1, "1/2"]})
    >>> drawn = draw_matrices(ridge, values, np.random.default_rng(0))
    >>> evaluate_observable(ridge, values, 1.0, drawn) > 0
    True
    """
    ctx = context if context is not None else _Context(model, values, gamma)
    total = 0.0
    for ob in model.observable:
        total += _observable_value(_Evaluator(ctx, drawn), ob, exact_average)
    return total


def simulate(model: Model, values: Mapping, gamma, *, trials: int = 20, seed: int = 0,
             exact_average: bool = True, progress: Callable[[int], None] | None = None) -> SimulationResult:
    """Mean and standard error of the observable over seeded draws.

    Trial ``i`` draws its matrices from ``numpy.random.SeedSequence(seed).spawn(trials)[i]``, so it
    draws the same matrices however many trials there are (see the module docstring).

    Parameters
    ----------
    model : Model
        The declared model.
    values : mapping
        The model's parameters, validated with
        :meth:`~diagrams.models.declaration.Model.read_values`; every parameter without default must be
        given.
    gamma : float or str or Fraction
        The ridge, > 0 (a finite double).
    trials : int, optional
        The number of draws, in ``[1, MAX_TRIALS]``.
    seed : int, optional
        The seed, in ``[0, 2^63 - 1]``.
    exact_average : bool, optional
        Average a last Gaussian factor of a squared term exactly (default) or draw it.
    progress : callable, optional
        Called as ``progress(1)`` after each trial.

    Returns
    -------
    SimulationResult
        ``mean``, ``stderr``, ``trials``, the per-trial ``values`` and ``params``.

    Raises
    ------
    ValueError
        If ``model`` is not a ``Model``; a value is missing or out of range; ``gamma``, ``trials`` or
        ``seed`` is out of range; a matrix is too large (:data:`MAX_ELEMENTS`); or the simulated
        observable is not finite (a numerically singular resolvent: use a larger ``gamma``).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> m = load_model("ridge")
    >>> r = simulate(m, {"T": 20, "spectrum": [1, 0.5, 0.25]}, 0.1, trials=4, seed=1)
    >>> r.trials, bool(r.mean > 0 and r.stderr > 0)
    (4, True)
    >>> simulate(m, {"T": 20, "spectrum": [1, 0.5, 0.25]}, 0)
    Traceback (most recent call last):
    ...
    ValueError: gamma: must be a number > 0, got 0
    """
    if not isinstance(model, Model):
        raise ValueError(f"model: expected a declared Model, got {type(model).__name__}")
    vals = model.read_values(values, require=[p.name for p in model.parameters])
    g = read_real(gamma, "gamma", minimum=0, strict_minimum=True)
    trials = read_integer(trials, "trials", minimum=1, maximum=MAX_TRIALS)
    seed = read_integer(seed, "seed", minimum=0, maximum=2 ** 63 - 1)
    children = np.random.SeedSequence(seed).spawn(trials)
    ctx = _Context(model, vals, g)
    out = np.empty(trials)
    for i in range(trials):
        rng = np.random.default_rng(children[i])
        drawn = draw_matrices(model, vals, rng, diag=ctx.diag_values)
        out[i] = evaluate_observable(model, vals, g, drawn, exact_average=exact_average, context=ctx)
        if progress is not None:
            progress(1)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"gamma: the simulated observable is not finite at gamma = {g:g} (the resolvent is "
                         "numerically singular); use a larger gamma")
    mean = float(out.mean())
    stderr = float(out.std(ddof=1) / math.sqrt(trials)) if trials > 1 else float("nan")
    params = {"model": model.name, "gamma": g, "trials": trials, "seed": seed, "exact_average": exact_average}
    return SimulationResult(mean, stderr, trials, out, params)


def simulate_coefficient(model: Model, values: Mapping, order: int, *, draws: int = 100000, seed: int = 0,
                         batch: int = 20000) -> SimulationResult:
    """Monte-Carlo value of the coefficient of ``gamma^-order``: the order's words at drawn matrices.

    Every word ``tr(W)`` of the order (:func:`diagrams.analysis.expansion.terms`) is evaluated at the
    same draws of the Gaussian matrices (batched matrix products), weighted by its coefficient and
    prefactor and summed: an unbiased estimate of the exact (all-genus) coefficient at these finite
    sizes, against which the diagram sums are checked.  Meant for tiny sizes.

    Parameters
    ----------
    model : Model
        The declared model.
    values : mapping
        The model's parameters; every parameter without default must be given.
    order : int
        The power of ``1/gamma``, ``0 <= order <=`` :data:`diagrams.analysis.expansion.MAX_ORDER`.
    draws : int, optional
        The number of draws, in ``[2, MAX_TRIALS]``.
    seed : int, optional
        The seed of ``numpy.random.default_rng``, in ``[0, 2^63 - 1]``.
    batch : int, optional
        Draws per batch of matrix products (memory).

    Returns
    -------
    SimulationResult
        The estimate, with ``trials`` the number of draws.

    Raises
    ------
    ValueError
        If a value, ``order``, ``draws`` or ``seed`` is out of range.

    Examples
    --------
    >>> from diagrams.analysis.expansion import coefficient
    >>> from diagrams.models.registry import load_model
    >>> ridge, values = load_model("ridge"), {"T": 3, "spectrum": [1, "1/2"]}
    >>> r = simulate_coefficient(ridge, values, 1, draws=20000)
    >>> exact = coefficient(ridge, 1, genus="all", values=values)
    >>> exact, bool(abs(r.mean - float(exact)) < 4 * r.stderr)
    (Fraction(-15, 8), True)
    """
    from diagrams.analysis.expansion import terms as expansion_terms

    vals = model.read_values(values, require=[p.name for p in model.parameters])
    draws = read_integer(draws, "draws", minimum=2, maximum=MAX_TRIALS)
    seed = read_integer(seed, "seed", minimum=0, maximum=2 ** 63 - 1)
    ctx = _Context(model, vals, 1.0)
    tt = expansion_terms(model, order, values=vals)
    rng = np.random.default_rng(seed)
    out = np.empty(draws)
    done = 0
    while done < draws:
        n = min(batch, draws - done)
        mats = {}
        for name, G in model.matrices.items():
            r, c = model.size_of(G.rows, vals), model.size_of(G.cols, vals)
            Z = rng.standard_normal((n, r, c))
            if G.row_cov:
                Z *= np.sqrt(ctx.diag_values[G.row_cov])[None, :, None]
            if G.col_cov:
                Z *= np.sqrt(ctx.diag_values[G.col_cov])[None, None, :]
            mats[name] = Z
        acc = np.zeros(n)
        for t in tt:
            w = ctx.scalar(t.prefactor) * ctx.scalar(t.coefficient)
            if t.word is None:
                acc += w * _constant_value(ctx, t.constant)
                continue
            prod = None
            for k, letter in enumerate(t.word.letters):
                X = mats[letter.matrix.name]
                X = np.swapaxes(X, 1, 2) if letter.transposed else X
                for d in t.word.decoration(k):
                    X = ctx.diag_values[d.name][None, :, None] * X
                prod = X if prod is None else prod @ X
            acc += w * np.trace(prod, axis1=1, axis2=2)
        out[done:done + n] = acc
        done += n
    mean = float(out.mean())
    stderr = float(out.std(ddof=1) / math.sqrt(draws))
    return SimulationResult(mean, stderr, draws, out, {"model": model.name, "order": order, "seed": seed})


def _constant_value(ctx: _Context, expr) -> float:
    """A trace without Gaussian letters: a size or ``tr`` of diagonal matrices."""
    from diagrams.engine.symbols import covariance_traces

    e = sympy.sympify(expr)
    subs = {}
    for tr in covariance_traces(e):
        prod = None
        for name in tr.word:
            prod = ctx.diag_values[name] if prod is None else prod * ctx.diag_values[name]
        subs[tr] = float(np.sum(prod))
    return float(e.xreplace(subs).xreplace(ctx.subs))
