r"""The first finite-size correction as an exact power series in ``epsilon = 1/gamma``.

The correction system of every observable term (:mod:`diagrams.analysis.finite_size_programs`, every
closed form written in ``epsilon``) is solved in truncated power series over the rationals: the planar
unknowns of the pencil the term reads by fixed-point iteration at ``epsilon = 0`` and then Newton's
method doubling the number of correct orders per step; the two-point ladders and the linearised
Dyson equation are linear systems of series (their constant-term matrices are invertible).  The
coefficient of ``gamma^-k`` of ``L1`` follows for every ``k <= K`` at once -- the sum of the diagrams
with Euler characteristic 1 at order ``k``, which :func:`diagrams.analysis.chi_sums.chi_coefficient`
computes independently by listing them.

Series arithmetic: python-flint's ``fmpq_series`` when installed, else the engine's
:class:`~diagrams.engine.series.Series` with Fraction coefficients.

>>> from diagrams.models.registry import load_model
>>> ridge = load_model("ridge")
>>> correction_series_exact(ridge, {"T": 3, "spectrum": [1, "1/2", "1/3"]}, 4)
[Fraction(0, 1), Fraction(0, 1), Fraction(251, 144), Fraction(-1705, 54), Fraction(2189995, 5184)]
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping

from diagrams.analysis.dyson_programs import parameters, spectra, term_values
from diagrams.analysis.finite_size_programs import compiled_correction
from diagrams.analysis.trace_program import Context, ObjectBackend
from diagrams.engine.numbers import check_order

__all__ = ["correction_series_exact", "correction_in_backend", "SeriesAlgebra", "MAX_CORRECTION_ORDER",
           "FiniteSizeError"]

#: Highest order of the exact series of the correction.
MAX_CORRECTION_ORDER = 200

_MARGIN = 2


class FiniteSizeError(ValueError):
    """The first finite-size correction could not be computed: a singular system or an unsettled root.

    A subclass of :class:`ValueError`: a singular linear system, a root that does not settle, or a
    Newton iteration that does not converge.

    Examples
    --------
    >>> alg = SeriesAlgebra("series")
    >>> alg.solve([[Fraction(0)]], [Fraction(1)])
    Traceback (most recent call last):
    ...
    diagrams.analysis.finite_size_series.FiniteSizeError: series: a linear system of the correction is singular at gamma = infinity
    >>> issubclass(FiniteSizeError, ValueError)
    True
    """


class SeriesAlgebra:
    """Truncated power series over the rationals in ``epsilon = 1/gamma``, with small linear solves.

    python-flint's ``fmpq_series`` when installed (or ``engine="flint"``), else the engine's
    :class:`~diagrams.engine.series.Series` (``engine="series"``).  It is both the number backend of
    the trace programs (:meth:`backend`) and the ``linear`` argument of
    :func:`correction_in_backend` (:meth:`matrix`, :meth:`solve`, by Gauss-Jordan elimination with
    pivots whose constant term is nonzero).

    Parameters
    ----------
    engine : {"auto", "flint", "series"}, optional
        ``"auto"``: python-flint if it imports, else :class:`~diagrams.engine.series.Series`.

    Raises
    ------
    ValueError
        If ``engine`` is none of these, or is ``"flint"`` and python-flint is not installed.

    Examples
    --------
    >>> alg = SeriesAlgebra("series")
    >>> one, zero = Fraction(1), Fraction(0)
    >>> alg.solve(alg.matrix([[zero, one], [one, zero]]), [Fraction(1), Fraction(2)])
    [Fraction(2, 1), Fraction(1, 1)]
    >>> SeriesAlgebra("sympy")
    Traceback (most recent call last):
    ...
    ValueError: engine: must be 'auto', 'flint' or 'series', got 'sympy'
    >>> alg = SeriesAlgebra("series")
    >>> x = alg.epsilon(4)
    >>> alg.coefficients(1 / (1 - x), 4)
    [Fraction(1, 1), Fraction(1, 1), Fraction(1, 1), Fraction(1, 1)]
    """

    def __init__(self, engine: str = "auto"):
        if engine not in ("auto", "flint", "series"):
            raise ValueError(f"engine: must be 'auto', 'flint' or 'series', got {engine!r}")
        flint = None
        if engine != "series":
            try:
                import flint
            except ImportError:
                if engine == "flint":
                    raise ValueError("engine: python-flint is not installed (pip install python-flint)") from None
        self.flint = flint

    def number(self, v):
        f = Fraction(v)
        return self.flint.fmpq(f.numerator, f.denominator) if self.flint is not None else f

    def backend(self) -> ObjectBackend:
        return ObjectBackend(self.number)

    def epsilon(self, prec: int):
        if self.flint is not None:
            return self.flint.fmpq_series([0, 1], prec=prec)
        from diagrams.engine.series import Series

        return Series.monomial(1, prec, Fraction(1))

    def lift(self, s, prec: int):
        """``s`` (a series or a number) as a series known to ``O(epsilon^prec)``."""
        if self.flint is not None:
            if isinstance(s, self.flint.fmpq_series):
                return self.flint.fmpq_series(s.coeffs(), prec=prec)
            return self.flint.fmpq_series([s], prec=prec)
        from diagrams.engine.series import Series

        if isinstance(s, Series):
            return Series(s.coefficients(min(s.prec, prec) - 1) if s.prec > 0 else [], 0, prec)
        return Series.constant(s, prec)

    def constant_term(self, s):
        if self.flint is not None:
            if isinstance(s, self.flint.fmpq_series):
                c = s.coeffs()
                return c[0] if c else self.flint.fmpq(0)
            return s
        from diagrams.engine.series import Series

        return s.coefficient(0) if isinstance(s, Series) else s

    def coefficients(self, s, count: int) -> list[Fraction]:
        """The first ``count`` coefficients as Fractions."""
        if self.flint is not None:
            if not isinstance(s, self.flint.fmpq_series):
                s = self.flint.fmpq_series([s], prec=count)
            c = s.coeffs()
            out = [Fraction(int(x.p), int(x.q)) for x in c[:count]]
            return out + [Fraction(0)] * (count - len(out))
        from diagrams.engine.series import Series

        if not isinstance(s, Series):
            return [Fraction(s)] + [Fraction(0)] * (count - 1)
        return [Fraction(c) for c in s.coefficients(count - 1)]

    def set_cap(self, prec: int):
        if self.flint is None:
            return None
        old = self.flint.ctx.cap
        self.flint.ctx.cap = max(old, prec)
        return old

    def restore(self, old) -> None:
        if self.flint is not None and old is not None:
            self.flint.ctx.cap = old

    # small linear systems (the constant-term matrix invertible)
    def matrix(self, rows):
        return [list(r) for r in rows]

    def solve(self, A, b) -> list:
        n = len(b)
        A = [row[:] for row in A]
        b = list(b)
        for c in range(n):
            piv = next((r for r in range(c, n) if self.constant_term(A[r][c]) != 0), None)
            if piv is None:
                raise FiniteSizeError("series: a linear system of the correction is singular at gamma = infinity")
            A[c], A[piv] = A[piv], A[c]
            b[c], b[piv] = b[piv], b[c]
            inv = 1 / A[c][c]
            for r in range(n):
                if r != c:
                    f = A[r][c] * inv
                    for k in range(c, n):
                        A[r][k] = A[r][k] - f * A[c][k]
                    b[r] = b[r] - f * b[c]
        return [b[r] / A[r][r] for r in range(n)]


def correction_in_backend(ct, backend, params, diagonals, ridge, sigma, one_minus_J, linear) -> tuple:
    """The first finite-size correction and the planar value of one compiled observable term, in an object backend.

    ``(L1, L0)`` without the term's coefficient, in mpmath or in series, given the planar unknowns
    ``sigma`` of its pencil and ``1 - J`` there: the two-point ladders are solved, then the linearised
    Dyson equation, and ``L1`` is the twisted term plus ``dO0/dsigma . sigma1``.

    Parameters
    ----------
    ct : CorrectionTerm
        The compiled term (:class:`~diagrams.analysis.finite_size_programs.CorrectionTerm`).
    backend : ObjectBackend
        The number backend of the programs (:class:`~diagrams.analysis.trace_program.ObjectBackend`).
    params : dict
        The model's parameters (:func:`~diagrams.analysis.dyson_programs.parameters`).
    diagonals : mapping
        The diagonal covariances' eigenvalues.
    ridge : object
        The ridge variable of the programs (``gamma`` in mpmath, ``epsilon`` as a series).
    sigma : sequence
        The planar unknowns of the term's pencil.
    one_minus_J : object
        ``1 - J`` at ``sigma``, as ``linear.matrix`` makes it.
    linear : object
        Solves the small linear systems: ``matrix(rows)`` and ``solve(A, b)`` (a
        :class:`SeriesAlgebra`, or an mpmath one).

    Returns
    -------
    tuple
        ``(L1, L0)`` in the backend's numbers.

    Raises
    ------
    FiniteSizeError
        If ``linear`` finds a linear system singular.

    Examples
    --------
    >>> from diagrams.analysis.finite_size_programs import compiled_correction
    >>> from diagrams.models.declaration import Model
    >>> w = Model("wishart", "real Wishart resolvent")
    >>> N, T = w.integer("N", "rows"), w.integer("T", "columns")
    >>> X = w.gaussian("X", w.space("row", "N"), w.space("col", "T"))
    >>> w.trace(1 / T, w.resolvent(X.T @ X))
    >>> vals = w.read_values({"N": 2, "T": 3})
    >>> alg, ct = SeriesAlgebra("series"), compiled_correction(w, "epsilon").term(0)
    >>> params, diag, be = parameters(w, vals), w.diagonal_values(vals, exact=True), alg.backend()
    >>> sig, IJ = _roots(alg, ct, Context(ct.newton, be, params, spectra(ct.newton, diag, list)), 6)
    >>> L1, L0 = correction_in_backend(ct, be, params, diag, alg.epsilon(6), sig, IJ, alg)
    >>> [int(c) for c in alg.coefficients(L1, 6)]      # times the coefficient 1/T of the term
    [0, 0, 0, 6, -90, 1080]
    """
    n, m, Q = ct.n, ct.m, ct.Q
    psi: list = []
    if m and Q:
        lad = ct.ladder.run(Context(ct.ladder, backend, params, spectra(ct.ladder, diagonals, list)),
                            dict(zip(ct.ladder.variables, [ridge] + list(sigma))))
        IA = linear.matrix([[(1 if r == c else 0) - lad[r * m + c] for c in range(m)] for r in range(m)])
        for q in range(Q):
            psi += list(linear.solve(IA, [lad[m * m + q * m + j] for j in range(m)]))
    else:
        psi = [0] * (Q * m)
    out = ct.correction.run(Context(ct.correction, backend, params, spectra(ct.correction, diagonals, list)),
                            dict(zip(ct.correction.variables, [ridge] + list(sigma) + psi)))
    beta, tw, grad, planar, factor = out[:n], out[n], out[n + 1:2 * n + 1], out[2 * n + 1], out[-1]
    value = tw
    if n:
        for g, s in zip(grad, linear.solve(one_minus_J, list(beta))):
            value = value + g * s
    return value * factor, planar * factor


def _roots(alg: SeriesAlgebra, ct, ctx, prec: int):
    """The planar unknowns of the term's pencil to ``O(epsilon^prec)`` and ``1 - J`` there."""
    n = ct.n
    names = ct.newton.variables

    def run(eps, sig):
        out = ct.newton.run(ctx, dict(zip(names, [eps] + sig)))
        return out[:n], [[(1 if r == c else 0) - out[n + r * n + c] for c in range(n)] for r in range(n)]

    sig = [alg.lift(0, 1) for _ in range(n)]
    for _ in range(4 * n + 8):
        F, _ = run(alg.epsilon(1), sig)
        new = [alg.lift(v, 1) for v in F]
        if all(alg.constant_term(a) == alg.constant_term(b) for a, b in zip(new, sig)):
            break
        sig = new
    else:
        raise FiniteSizeError("series: the Dyson equation at gamma = infinity does not settle")
    p = 1
    while True:
        sig = [alg.lift(s, p) for s in sig]
        F, IJ = run(alg.epsilon(p), sig)
        if p >= prec:
            return sig, IJ
        p = min(2 * p, prec)
        sig = [alg.lift(s, p) for s in sig]
        F, IJ = run(alg.epsilon(p), sig)
        delta = alg.solve(IJ, [sig[k] - F[k] for k in range(n)])
        sig = [sig[k] - delta[k] for k in range(n)]


def correction_series_exact(model, values: Mapping, order: int, *, engine: str = "auto") -> list[Fraction]:
    """The exact coefficients of ``gamma^-k`` in the first finite-size correction, the chi = 1 diagram sums.

    ``[c_0, ..., c_order]``: the coefficient ``c_k`` is the sum of the diagrams with Euler
    characteristic 1 at order ``k``.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    values : mapping
        Every parameter of the model (exact numbers; a power law only with ``1 + alpha`` an integer).
    order : int
        The highest power, in ``[0, MAX_CORRECTION_ORDER]``.
    engine : {"auto", "flint", "series"}, optional
        The series arithmetic, as for :class:`SeriesAlgebra`.

    Returns
    -------
    list of Fraction
        ``order + 1`` coefficients.

    Raises
    ------
    ValueError
        If ``order`` is outside ``[0, MAX_CORRECTION_ORDER]``, ``model`` is not a declared model,
        ``values`` is not a mapping (or a value is invalid or not exact), or ``engine`` is invalid.
    FiniteSizeError
        If a linear system is singular at ``gamma = infinity`` or the Dyson equation there does not
        settle.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> correction_series_exact(ridge, {"T": 3, "spectrum": [1, "1/2", "1/3"]}, 3, engine="series")
    [Fraction(0, 1), Fraction(0, 1), Fraction(251, 144), Fraction(-1705, 54)]
    >>> correction_series_exact(ridge, {"T": 3, "spectrum": [1]}, 201)
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [0, 200], got 201
    """
    from diagrams.models.declaration import Model

    order = check_order(order, "order", maximum=MAX_CORRECTION_ORDER)
    if not isinstance(model, Model):
        raise ValueError(f"model: expected a declared Model, got {type(model).__name__}")
    if not isinstance(values, Mapping):
        raise ValueError(f"values: a mapping of parameter values, got {type(values).__name__}")
    vals = model.read_values(values, require=[p.name for p in model.parameters])
    alg = SeriesAlgebra(engine)
    cc = compiled_correction(model, "epsilon")
    params = parameters(model, vals)
    diag = model.diagonal_values(vals, exact=True)
    prec = order + 1 + _MARGIN
    total = [Fraction(0)] * (order + 1)
    old = alg.set_cap(prec + 2)
    try:
        be = alg.backend()
        for index, coef in term_values(model, vals):
            ct = cc.term(index)
            ctx = Context(ct.newton, be, params, spectra(ct.newton, diag, list))
            sig, IJ = _roots(alg, ct, ctx, prec)
            value, _ = correction_in_backend(ct, be, params, diag, alg.epsilon(prec), sig, IJ, alg)
            total = [a + coef * b for a, b in zip(total, alg.coefficients(value, order + 1))]
    finally:
        alg.restore(old)
    return total
