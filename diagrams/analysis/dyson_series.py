r"""The planar observable of any model as an exact power series in ``epsilon = 1/gamma``.

The Dyson equations (:mod:`diagrams.analysis.dyson`, every closed form written in ``epsilon``) are
solved in truncated power series: the constant terms by fixed-point iteration at ``epsilon = 0``
(``G`` tends to a block of ``L0^-1``-type values; the iteration ends after at most a few steps), then
**Newton's method doubling the number of correct orders** per step,

    tau <- tau - (1 - J(tau))^-1 (tau - F(tau))        mod epsilon^(2p),

with ``1 - J`` invertible at ``epsilon = 0``; the ladder unknowns of a quadratic term solve one
linear system of series.  The coefficient of ``gamma^-k`` of the observable follows for every
``k <= K`` at once, with no diagram listed -- an independent route to the planar diagram sums
(:func:`diagrams.analysis.expansion.coefficient`).

Number types:

* exact rationals (:func:`series_exact`): python-flint's ``fmpq_series`` when installed (fast: the
  random-feature model to order 100 in well under a second), else the engine's
  :class:`~diagrams.engine.series.Series` with Fraction coefficients (``engine="series"``);
* symbolic (:func:`series_symbolic`): :class:`~diagrams.engine.series.Series` with sympy
  coefficients, one generic eigenvalue per space whose traces become
  :class:`~diagrams.engine.symbols.CovarianceTrace` symbols, the language of the diagram sums.

>>> from diagrams.models.registry import load_model
>>> ridge = load_model("ridge")
>>> series_exact(ridge, {"T": 5, "spectrum": [1, "1/2"]}, 2)
[Fraction(3, 8), Fraction(-25, 8), Fraction(225, 8)]
>>> series_exact(ridge, {"T": 5, "spectrum": [1, "1/2"]}, 2, engine="series")
[Fraction(3, 8), Fraction(-25, 8), Fraction(225, 8)]
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping

import sympy

from diagrams.analysis.dyson_programs import compiled_model, parameters, spectra, term_values
from diagrams.analysis.pencil import DiagonalSymbol, diagonal_symbol, symbolic_trace
from diagrams.analysis.trace_program import Context, ObjectBackend
from diagrams.engine.numbers import check_order
from diagrams.engine.series import Series

__all__ = ["series_exact", "series_symbolic", "commuting_traces", "flint_available", "MAX_SERIES_ORDER",
           "MAX_SYMBOLIC_SERIES_ORDER", "ENGINES"]

#: Highest order of the exact series (python-flint; the engine's Series is much slower, see the docs).
MAX_SERIES_ORDER = 500
#: Highest order of the symbolic series.
MAX_SYMBOLIC_SERIES_ORDER = 8
#: Exact series engines.
ENGINES = ("auto", "flint", "series")

_MARGIN = 2


def flint_available() -> bool:
    """Whether python-flint, the engine of the fast exact series, is importable.

    Returns
    -------
    bool
        ``True`` when ``import flint`` succeeds (``engine="auto"`` then uses it).

    Examples
    --------
    >>> flint_available() in (True, False)
    True
    """
    try:
        import flint  # noqa: F401 - an availability check
    except ImportError:
        return False
    return True


# ------------------------------------------------------------------------------------------------
# series algebras
# ------------------------------------------------------------------------------------------------

class _FlintAlgebra:
    """Truncated series over Q in python-flint (``fmpq_series``)."""

    def __init__(self):
        import flint

        self.flint = flint
        self.fmpq, self.S = flint.fmpq, flint.fmpq_series

    def number(self, v):
        if isinstance(v, self.fmpq):
            return v
        f = Fraction(v)
        return self.fmpq(f.numerator, f.denominator)

    def backend(self):
        return ObjectBackend(self.number)

    def epsilon(self, prec):
        return self.S([0, 1], prec=prec)

    def lift(self, s, prec):
        if isinstance(s, self.S):
            return self.S(s.coeffs(), prec=prec)
        return self.S([s], prec=prec)

    def constant_term(self, s):
        if isinstance(s, self.S):
            c = s.coeffs()
            return c[0] if c else self.fmpq(0)
        return s

    def is_zero(self, c):
        return c == 0

    def precision(self, s):
        return s.prec if isinstance(s, self.S) else 10 ** 9

    def coefficients(self, s, n):
        if not isinstance(s, self.S):
            return [Fraction(int(s.p), int(s.q))] + [Fraction(0)] * (n - 1)
        c = s.coeffs()
        out = [Fraction(int(x.p), int(x.q)) for x in c[:n]]
        return out + [Fraction(0)] * (n - len(out))

    def set_cap(self, prec):
        old = self.flint.ctx.cap
        self.flint.ctx.cap = max(prec, old)
        return old

    def restore(self, old):
        self.flint.ctx.cap = old


class _EngineAlgebra:
    """The engine's :class:`~diagrams.engine.series.Series` with exact (Fraction) coefficients."""

    def number(self, v):
        return Fraction(v)

    def backend(self):
        return ObjectBackend(self.number)

    def epsilon(self, prec):
        return Series.monomial(1, prec, Fraction(1))

    def lift(self, s, prec):
        if isinstance(s, Series):
            return Series(s.coefficients(min(s.prec, prec) - 1) if s.prec > 0 else [], 0, prec)
        return Series.constant(s, prec)

    def constant_term(self, s):
        return s.coefficient(0) if isinstance(s, Series) else s

    def is_zero(self, c):
        return c == 0

    def precision(self, s):
        return s.prec if isinstance(s, Series) else 10 ** 9

    def coefficients(self, s, n):
        if not isinstance(s, Series):
            return [Fraction(s)] + [Fraction(0)] * (n - 1)
        return [Fraction(c) for c in s.coefficients(n - 1)]

    def set_cap(self, prec):
        return None

    def restore(self, old):
        return None


def _expand(x):
    if isinstance(x, Series):
        return x.map(sympy.expand)
    return sympy.expand(x)


class _SymbolicBackend(ObjectBackend):
    """Series with sympy coefficients, expanded after every operation; sums are trace maps."""

    def __init__(self, spaces: Mapping):
        self.spaces = dict(spaces)
        super().__init__(lambda v: sympy.sympify(v), self._trace)

    def _trace(self, xs, space):
        (x,) = xs
        sp = self.spaces[space]
        if isinstance(x, Series):
            return x.map(lambda c: symbolic_trace(c, sp))
        return symbolic_trace(x, sp)

    @staticmethod
    def _tidy(out):
        return [_expand(v) for v in out] if isinstance(out, list) else _expand(out)

    def add(self, a, b):
        return self._tidy(super().add(a, b))

    def mul(self, a, b):
        return self._tidy(super().mul(a, b))

    def div(self, a, b):
        return self._tidy(super().div(a, b))


class _SymbolicAlgebra(_EngineAlgebra):
    def __init__(self, spaces):
        self.spaces = spaces

    def number(self, v):
        return sympy.sympify(v)

    def backend(self):
        return _SymbolicBackend(self.spaces)

    def epsilon(self, prec):
        return Series.monomial(1, prec, sympy.Integer(1))

    def lift(self, s, prec):
        if isinstance(s, Series):
            return Series(s.coefficients(min(s.prec, prec) - 1) if s.prec > 0 else [], 0, prec)
        return Series.constant(sympy.sympify(s), prec)

    def is_zero(self, c):
        return sympy.expand(c) == 0

    def coefficients(self, s, n):
        if not isinstance(s, Series):
            return [sympy.sympify(s)] + [sympy.Integer(0)] * (n - 1)
        return [sympy.expand(c) for c in s.coefficients(n - 1)]


# ------------------------------------------------------------------------------------------------
# Newton's method in series
# ------------------------------------------------------------------------------------------------

def _solve_linear(alg, A: list, b: list) -> list:
    """``A x = b`` for a small matrix of series whose constant-term matrix is invertible."""
    n = len(b)
    A = [row[:] for row in A]
    b = b[:]
    for c in range(n):
        piv = next((r for r in range(c, n) if not alg.is_zero(alg.constant_term(A[r][c]))), None)
        if piv is None:
            raise ValueError("series: the linearised Dyson equation is singular at gamma = infinity")
        A[c], A[piv] = A[piv], A[c]
        b[c], b[piv] = b[piv], b[c]
        inv = 1 / A[c][c]
        for r in range(n):
            if r == c:
                continue
            f = A[r][c] * inv
            if alg.is_zero(alg.constant_term(f)) and _is_zero_series(alg, f):
                continue
            for k in range(c, n):
                A[r][k] = A[r][k] - f * A[c][k]
            b[r] = b[r] - f * b[c]
    return [b[r] / A[r][r] for r in range(n)]


def _is_zero_series(alg, f) -> bool:
    if isinstance(f, Series):
        return all(alg.is_zero(c) for c in f.c)
    try:
        return all(c == 0 for c in f.coeffs())
    except AttributeError:
        return alg.is_zero(f)


def _run(program, ctx, eps, taus):
    vals = {program.variables[0]: eps}
    vals.update(zip(program.variables[1:], taus))
    return program.run(ctx, vals)


def _roots(alg, group, ctx, prec: int) -> list:
    """The ``tau`` series to ``O(epsilon^prec)``."""
    n = group.n
    one = 1
    taus = [alg.lift(0, one) for _ in range(n)]
    eps = alg.epsilon(one)
    for _ in range(4 * n + 8):
        new = [alg.lift(v, one) for v in _run(group.program, ctx, eps, taus)[:n]]
        if all(not _differs(alg, a, b) for a, b in zip(new, taus)):
            break
        taus = new
    else:
        raise ValueError("series: the Dyson equation at gamma = infinity does not settle")
    p = one
    while p < prec:
        p = min(2 * p, prec)
        eps = alg.epsilon(p)
        taus = [alg.lift(t, p) for t in taus]
        outs = _run(group.program, ctx, eps, taus)
        R = [taus[k] - outs[k] for k in range(n)]
        A = [[(1 if r == c else 0) - outs[n + r * n + c] for c in range(n)] for r in range(n)]
        delta = _solve_linear(alg, A, R)
        taus = [taus[k] - delta[k] for k in range(n)]
    return taus


def _differs(alg, a, b) -> bool:
    return not alg.is_zero(alg.constant_term(a) - alg.constant_term(b))


def _term_series(alg, term, ctx, eps, taus, coef):
    outs = _run(term.program, ctx, eps, taus)
    m = term.m
    if m:
        b = outs[:m]
        A = [[(1 if r == c else 0) - outs[m + r * m + c] for c in range(m)] for r in range(m)]
        chi = _solve_linear(alg, A, b)
        value = outs[m + m * m]
        for k in range(m):
            value = value + outs[m + m * m + 1 + k] * chi[k]
    else:
        value = outs[0]
    return value * outs[-1] * coef


def _algebra(engine: str):
    if engine not in ENGINES:
        raise ValueError(f"engine: must be one of {ENGINES}, got {engine!r}")
    if engine == "flint" or (engine == "auto" and flint_available()):
        try:
            return _FlintAlgebra()
        except ImportError:
            raise ValueError("engine: python-flint is not installed (pip install python-flint)") from None
    return _EngineAlgebra()


def series_exact(model, values: Mapping, order: int, *, engine: str = "auto") -> list[Fraction]:
    """The exact coefficients of ``gamma^-k`` of a model's planar observable, from its Dyson equation.

    ``[c_0, ..., c_order]``, each the planar diagram sum at that order.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    values : mapping
        Every parameter of the model (exact numbers; a power law only with ``1 + alpha`` an integer).
    order : int
        The highest power, in ``[0, MAX_SERIES_ORDER]``.
    engine : {"auto", "flint", "series"}, optional
        ``"flint"`` (python-flint), ``"series"`` (the engine's Series, pure Python) or ``"auto"``
        (flint when :func:`flint_available`).

    Returns
    -------
    list of Fraction
        ``order + 1`` coefficients.

    Raises
    ------
    ValueError
        If ``order`` is outside ``[0, MAX_SERIES_ORDER]``, ``engine`` is not one of :data:`ENGINES`
        (or ``"flint"`` without python-flint), a value is invalid or not exact, every term vanishes, or
        the series lost precision.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> series_exact(ridge, {"T": 5, "spectrum": [1, "1/2"]}, 3)
    [Fraction(3, 8), Fraction(-25, 8), Fraction(225, 8), Fraction(-4325, 16)]
    >>> series_exact(ridge, {"T": 5, "spectrum": [1]}, 501)
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [0, 500], got 501
    """
    order = check_order(order, "order", maximum=MAX_SERIES_ORDER)
    vals = model.read_values(values, require=[p.name for p in model.parameters])
    alg = _algebra(engine)
    cm = compiled_model(model, "numeric", "epsilon")
    params = parameters(model, vals)
    diag = model.diagonal_values(vals, exact=True)
    prec = order + 1 + _MARGIN
    total = [Fraction(0)] * (order + 1)
    old = alg.set_cap(prec + 2)
    try:
        be = alg.backend()
        roots: dict = {}
        for index, coef in term_values(model, vals):
            ct = cm.term(index)
            group = cm.groups[ct.group]
            if ct.group not in roots:
                ctx = Context(group.program, be, params, spectra(group.program, diag, list))
                roots[ct.group] = _roots(alg, group, ctx, prec)
            taus = roots[ct.group]
            ctx = Context(ct.program, be, params, spectra(ct.program, diag, list))
            value = _term_series(alg, ct, ctx, alg.epsilon(prec), taus, alg.number(coef))
            if alg.precision(value) < order + 1:
                raise ValueError(f"series: precision lost (known to order {alg.precision(value) - 1} < {order})")
            total = [a + b for a, b in zip(total, alg.coefficients(value, order + 1))]
    finally:
        alg.restore(old)
    return total


def series_symbolic(model, order: int, *, engine: str = "auto") -> list:
    """The symbolic coefficients of ``gamma^-k`` of a model's planar observable, in traces of its covariances.

    ``[c_0, ..., c_order]`` (sympy), in the model's size and parameter symbols and
    :class:`~diagrams.engine.symbols.CovarianceTrace` symbols of its covariances (every covariance
    kept a matrix: compare with the diagram sums after :func:`commuting_traces`).  Non-symbolic
    parameters (such as the label noise) are at their defaults.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    order : int
        The highest power, in ``[0, MAX_SYMBOLIC_SERIES_ORDER]``.
    engine : {"auto", "flint", "series"}, optional
        ``"flint"`` (coefficients in python-flint's multivariate polynomials over Q, one generator
        per parameter, eigenvalue symbol and trace), ``"series"`` (sympy expressions, expanded after
        each operation: slow) or ``"auto"``.

    Returns
    -------
    list of sympy.Expr
        ``order + 1`` coefficients.

    Raises
    ------
    ValueError
        If ``order`` is outside ``[0, MAX_SYMBOLIC_SERIES_ORDER]``, ``engine`` is not one of
        :data:`ENGINES`, or the trace degrees outgrow the preallocated generators.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> series_symbolic(load_model("ridge"), 1, engine="series")
    [tr(Lambda)*C*sigma_w2/(2*M), -tr(Lambda^2)*C*T*sigma_w2/M]
    >>> series_symbolic(load_model("ridge"), 9)
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [0, 8], got 9
    """
    order = check_order(order, "order", maximum=MAX_SYMBOLIC_SERIES_ORDER)
    if engine not in ENGINES:
        raise ValueError(f"engine: must be one of {ENGINES}, got {engine!r}")
    if engine == "flint" or (engine == "auto" and flint_available()):
        degree = order + 4
        for _ in range(4):
            try:
                return _series_symbolic(model, order, _PolyAlgebra(model, degree))
            except _DegreeOverflow:
                degree *= 2
        raise ValueError("series: trace degrees beyond the preallocated generators")
    return _series_symbolic(model, order, _SymbolicAlgebra(dict(model.spaces)))


def _series_symbolic(model, order, alg) -> list:
    cm = compiled_model(model, "symbolic", "epsilon")
    be = alg.backend()
    params = {}
    for p in model.parameters:
        if p.symbol is not None:
            params[p.symbol.name] = p.symbol
    for sp in model.spaces.values():
        params[sp.size.name] = sp.size
    params.update({k.name: v for k, v in model.free_symbolic_defaults().items()})
    prec = order + 1 + _MARGIN
    total = [sympy.Integer(0)] * (order + 1)
    roots: dict = {}
    for index, coef in term_values(model, None, symbolic=True):
        ct = cm.term(index)
        group = cm.groups[ct.group]
        if ct.group not in roots:
            ctx = Context(group.program, be, params, _generic_spectra(group.program))
            roots[ct.group] = _roots(alg, group, ctx, prec)
        taus = roots[ct.group]
        ctx = Context(ct.program, be, params, _generic_spectra(ct.program))
        value = _term_series(alg, ct, ctx, alg.epsilon(prec), taus, 1)
        total = [sympy.expand(a + coef * b) for a, b in zip(total, alg.coefficients(value, order + 1))]
    return total


class _DegreeOverflow(Exception):
    """A trace of a monomial beyond the preallocated trace generators."""


class _PolyAlgebra(_EngineAlgebra):
    """Series (the engine's) with coefficients in python-flint's ``fmpq_mpoly``: generators for the
    parameters and sizes, for each diagonal symbol (one generic eigenvalue per space) and for the trace
    of every monomial of a space's diagonal symbols up to ``degree``."""

    def __init__(self, model, degree: int):
        import itertools

        import flint

        from diagrams.engine.symbols import power_trace

        self.flint = flint
        names, self.to_sympy = [], []
        index = {}

        def add(key, sym):
            index[key] = len(names)
            names.append(f"g{len(names)}")
            self.to_sympy.append(sym)

        for p in model.parameters:
            if p.symbol is not None:
                add(("param", p.symbol.name), p.symbol)
        for sp in model.spaces.values():
            if ("param", sp.size.name) not in index:
                add(("param", sp.size.name), sp.size)
        self.eigen: dict = {}
        self.traces: dict = {}
        for name, cov in sorted(model.covariances.items()):
            self.eigen.setdefault(cov.space.name, []).append(name)
        for space, diag_names in self.eigen.items():
            for name in diag_names:
                add(("eigen", space, name), diagonal_symbol(name, model.spaces[space]))
            k = len(diag_names)
            for total in range(1, degree + 1):
                for powers in itertools.product(range(total + 1), repeat=k):
                    if sum(powers) != total:
                        continue
                    add(("trace", space, powers), power_trace({n: e for n, e in zip(diag_names, powers) if e}))
        self.index = index
        self.ctx = flint.fmpq_mpoly_ctx.get(tuple(names), "lex")
        self.gens = self.ctx.gens()
        self.nvars = len(names)
        self.sizes = {sp.name: index[("param", sp.size.name)] for sp in model.spaces.values()}
        self.one = self.ctx.from_dict({(0,) * self.nvars: 1})

    # -- numbers -----------------------------------------------------------------------------
    def number(self, v):
        if isinstance(v, DiagonalSymbol):
            return self.gens[self.index[("eigen", v.space.name, v.name)]]
        if isinstance(v, sympy.Symbol):
            return self.gens[self.index[("param", v.name)]]
        v = sympy.sympify(v)
        if not v.is_Rational:
            raise ValueError(f"series: cannot use {v} as a coefficient")
        return self.one * self.flint.fmpq(int(v.p), int(v.q))

    def inverse(self, c):
        if not c.is_constant():
            raise ValueError("series: a leading coefficient is not a number")
        return self.one * (1 / c.leading_coefficient())

    def backend(self):
        alg = self

        class _Backend(ObjectBackend):
            def div(self, a, b):
                if not isinstance(b, (Series, list)):
                    b = alg.inverse(b)
                    return self.mul(a, b)
                return super().div(a, b)

        return _Backend(self.number, self._trace)

    def _trace_poly(self, p, space):
        if not isinstance(p, self.flint.fmpq_mpoly):
            p = self.one * p
        names = self.eigen.get(space, [])
        slots = [self.index[("eigen", space, n)] for n in names]
        size = self.sizes[space]
        out = {}
        for monom, coef in p.terms():
            powers = tuple(monom[i] for i in slots)
            m = list(monom)
            for i in slots:
                m[i] = 0
            if any(powers):
                key = ("trace", space, powers)
                if key not in self.index:
                    raise _DegreeOverflow()
                m[self.index[key]] += 1
            else:
                m[size] += 1
            m = tuple(m)
            out[m] = out.get(m, 0) + coef
        return self.ctx.from_dict(out) if out else self.one * 0

    def _trace(self, xs, space):
        (x,) = xs
        if isinstance(x, Series):
            return x.map(lambda c: self._trace_poly(c, space))
        return self._trace_poly(x, space)

    # -- series ------------------------------------------------------------------------------
    def epsilon(self, prec):
        return Series([0, self.one], 0, prec, inverse=self.inverse)

    def lift(self, s, prec):
        if isinstance(s, Series):
            cs = s.coefficients(min(s.prec, prec) - 1) if s.prec > 0 else []
            return Series(cs, 0, prec, inverse=self.inverse)
        return Series([s], 0, prec, inverse=self.inverse)

    def constant_term(self, s):
        return s.coefficient(0) if isinstance(s, Series) else s

    def is_zero(self, c):
        return c == 0

    def coefficients(self, s, n):
        cs = s.coefficients(n - 1) if isinstance(s, Series) else [s] + [0] * (n - 1)
        return [self._to_sympy(c) for c in cs]

    def _to_sympy(self, c):
        if isinstance(c, int):
            return sympy.Integer(c)
        out = []
        for monom, coef in c.terms():
            term = sympy.Rational(int(coef.p), int(coef.q))
            for i, e in enumerate(monom):
                if e:
                    term *= self.to_sympy[i] ** e
            out.append(term)
        return sympy.Add(*out)


def _generic_spectra(program) -> dict:
    """One generic eigenvalue per space: the diagonal symbols themselves."""
    out = {}
    for space, names in program.eigen.items():
        sp = program.spaces[space]
        out[space] = {name: [diagonal_symbol(name, sp)] for name in names}
    return out


def commuting_traces(expr):
    """Every :class:`~diagrams.engine.symbols.CovarianceTrace` rewritten with its matrices in sorted order.

    The covariances are diagonal in one basis, so ``tr(Lambda Sigma Lambdahat Sigma) =
    tr(Lambda Lambdahat Sigma^2)``; the diagram sums keep the order of the index loop, the Dyson
    series the sorted one.

    Parameters
    ----------
    expr : sympy.Expr or object
        An expression (sympified) in :class:`~diagrams.engine.symbols.CovarianceTrace` symbols.

    Returns
    -------
    sympy.Expr
        ``expr`` with each trace replaced by the trace of the sorted product of its matrices.

    Examples
    --------
    >>> from diagrams.engine.symbols import trace_symbol
    >>> commuting_traces(trace_symbol("Lambda", "Sigma", "Lambdahat", "Sigma"))
    tr(Lambda*Lambdahat*Sigma^2)
    """
    from diagrams.engine.symbols import covariance_traces, power_trace

    expr = sympy.sympify(expr)
    subs = {}
    for t in covariance_traces(expr):
        counts: dict = {}
        for name in t.word:
            counts[name] = counts.get(name, 0) + 1
        subs[t] = power_trace(counts)
    return expr.xreplace(subs)
