r"""The first finite-size correction ``L1`` (Euler characteristic 1) of any declared model's observable.

The planar value ``L0`` (:mod:`diagrams.analysis.dyson_solve`) is the limit of large sizes; at finite
sizes the observable is ``L = L0 + L1 + O(size^-2)``, where ``L1``, one power of a size below ``L0``,
is the sum of the diagrams with one cross-cap (``chi = 1``) resummed at any ridge.  It comes from the
linearised Dyson equation with the twisted Stein term (:mod:`diagrams.analysis.finite_size_system`;
``docs/finite_size.md`` has the derivation):

* :func:`correction_numpy` -- double precision, vectorised over a grid of ridges (a spectrum longer
  than :data:`~diagrams.engine.quadrature.COMPRESS_ABOVE` is replaced by a quadrature for the correction, :func:`~diagrams.engine.quadrature.compress_spectra`;
  ``L0`` always uses the full spectrum);
* :func:`correction_mp` -- mpmath at ``dps`` digits, one ridge;
* :func:`~diagrams.analysis.finite_size_series.correction_series_exact` -- the exact coefficients of
  ``gamma^-k`` of ``L1``, equal to the ``chi = 1`` diagram sums (:mod:`diagrams.analysis.chi_sums`);
* :func:`finite_size_loss` -- ``[{"gamma", "planar", "correction", "total"}]``.

The real Wishart resolvent ``g = (1/T) E tr (gamma + X^T X)^-1`` (``X`` ``N x T``, unit entries) has the
correction ``N/gamma^3 - 3 N (N + T)/gamma^4 + N (6 N^2 + 17 N T + 6 T^2)/gamma^5 + ...``:

>>> from diagrams.models.declaration import Model
>>> w = Model("wishart", "real Wishart resolvent")
>>> N, T = w.integer("N", "rows"), w.integer("T", "columns")
>>> X = w.gaussian("X", w.space("row", "N"), w.space("col", "T"))
>>> w.trace(1 / T, w.resolvent(X.T @ X))
>>> correction_series_exact(w, {"N": 2, "T": 3}, 5)
[Fraction(0, 1), Fraction(0, 1), Fraction(0, 1), Fraction(2, 1), Fraction(-30, 1), Fraction(360, 1)]
>>> row = finite_size_loss(w, {"N": 2, "T": 3}, [100.0])[0]
>>> round(row["correction"] * 1e6, 6)          # 2/100^3 - 30/100^4 + 360/100^5 - ...
1.732388
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping, Sequence

import numpy as np

from diagrams.analysis.dyson_solve import FloatDiagonals, mp_ridge_and_precision
from diagrams.engine.quadrature import compress_spectra

from diagrams.analysis.dyson_programs import parameters, spectra, term_values
from diagrams.analysis.finite_size_programs import compiled_correction
from diagrams.analysis.finite_size_series import (MAX_CORRECTION_ORDER, FiniteSizeError, correction_in_backend,
                                                  correction_series_exact)
from diagrams.analysis.trace_program import Context, NumpyBackend, ObjectBackend

__all__ = ["correction_numpy", "correction_mp", "correction_series_exact", "finite_size_loss",
           "MAX_CORRECTION_ORDER", "MAX_DPS", "FiniteSizeError"]

#: Highest mpmath precision of :func:`correction_mp`.
MAX_DPS = 2000


# ------------------------------------------------------------------------------------------------
# numpy
# ------------------------------------------------------------------------------------------------

def _run(program, ctx, gamma: np.ndarray, variables: np.ndarray) -> np.ndarray:
    """Outputs ``(G, n_out)`` at ridges ``gamma`` (G,) and the other variables ``(G, k)``."""
    G = gamma.shape[0]
    vals = {program.variables[0]: gamma.reshape(G, 1)}
    for k, s in enumerate(program.variables[1:]):
        vals[s] = variables[:, k].reshape(G, 1)
    outs = program.run(ctx, vals)
    res = np.empty((G, len(outs)))
    for i, o in enumerate(outs):
        res[:, i] = np.broadcast_to(np.asarray(o, dtype=float).reshape(-1), (G,))
    return res


def _context(program, params, diag, compress: bool, shared: dict):
    spec = spectra(program, diag)
    if compress:
        small, weights = compress_spectra(spec)
        if weights:
            return Context(program, NumpyBackend(), params, small, weights=weights)
    return Context(program, NumpyBackend(), params, spec, shared=shared)


def _planar_roots(model, values, gammas: np.ndarray):
    """The planar rows of the Dyson solver and the roots ``tau`` of each of the model's Dyson groups."""
    from diagrams.analysis.dyson_programs import compiled_model
    from diagrams.analysis.dyson_solve import solve_numpy

    rows = solve_numpy(model, values, gammas, details=True)
    cm = compiled_model(model)
    roots = {}
    for g, grp in enumerate(cm.groups):
        names = [str(s) for s in grp.system.symbols]
        for keys in (names, [f"{s} (system {g + 1})" for s in names]):
            if all(k in rows[0] for k in keys):
                roots[g] = np.array([[r[k] for k in keys] for r in rows])
                break
    return rows, roots


def _polish(ct, ctx, gam, sig, steps: int = 2):
    """Newton steps on the planar Dyson system of the term's pencil; returns the unknowns and ``J``.

    The seed is the model's root on the diagonal blocks of a doubled pencil and 0 off them; the system is
    affine in the off-diagonal unknowns (``P^-1`` is block triangular) and its Jacobian depends on the
    diagonal ones only, so the first step is exact up to the rounding (or the quadrature) of the seed
    and the second polishes that.
    """
    n = ct.n
    J = np.zeros((gam.shape[0], n, n))
    for _ in range(steps):
        out = _run(ct.newton, ctx, gam, sig)
        F, J = out[:, :n], out[:, n:].reshape(-1, n, n)
        sig = sig - np.linalg.solve(np.eye(n)[None] - J, (sig - F)[..., None])[..., 0]
    if not np.all(np.isfinite(sig)):
        raise FiniteSizeError("finite size: the planar unknowns of the doubled pencil are not finite")
    return sig, J


def _term_numpy(ct, params, diag, compress, shared, gam, taus):
    """``(L1, L0)`` of one compiled term (without its coefficient) at the ridges ``gam``."""
    n, m, Q = ct.n, ct.m, ct.Q
    G = gam.shape[0]
    sig = _run(ct.seed, _context(ct.seed, params, diag, compress, shared), gam, taus)
    sig, J = _polish(ct, _context(ct.newton, params, diag, compress, shared), gam, sig)
    psi = np.zeros((G, Q * m))
    if m and Q:
        lad = _run(ct.ladder, _context(ct.ladder, params, diag, compress, shared), gam, sig)
        A = lad[:, :m * m].reshape(G, m, m)
        B = lad[:, m * m:].reshape(G, Q, m).transpose(0, 2, 1)
        psi = np.linalg.solve(np.eye(m)[None] - A, B).transpose(0, 2, 1).reshape(G, Q * m)
    out = _run(ct.correction, _context(ct.correction, params, diag, compress, shared), gam,
               np.concatenate([sig, psi], axis=1))
    beta, tw, grad, planar, factor = out[:, :n], out[:, n], out[:, n + 1:2 * n + 1], out[:, 2 * n + 1], out[:, -1]
    sig1 = np.linalg.solve(np.eye(n)[None] - J, beta[..., None])[..., 0] if n else np.zeros((G, 0))
    return (tw + np.sum(grad * sig1, axis=1)) * factor, planar * factor


def _read(model, values):
    from diagrams.models.declaration import Model

    if not isinstance(model, Model):
        raise ValueError(f"model: expected a declared Model, got {type(model).__name__}")
    if not isinstance(values, Mapping):
        raise ValueError(f"values: a mapping of parameter values, got {type(values).__name__}")
    return model.read_values(values, require=[p.name for p in model.parameters])


def correction_numpy(model, values, gammas: Sequence, *, compress: bool = True, details: bool = False) -> list[dict]:
    """The planar observable ``L0``, its first finite-size correction ``L1`` and their sum, in doubles.

    Vectorised over the ridges: ``[{"gamma", "planar", "correction", "total"}]``.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    values : mapping
        Parameter values (validated; every parameter without a default must be given).
    gammas : sequence
        The ridges, each > 0 (not a single number or a text).
    compress : bool, optional
        Spectra longer than :data:`~diagrams.engine.quadrature.COMPRESS_ABOVE` are replaced by a
        quadrature for the correction (:func:`~diagrams.engine.quadrature.compress_spectra`; ``L0`` is
        always computed on the full spectrum).
    details : bool, optional
        Add the planar value read off the correction system itself (``"planar (check)"``, equal to
        ``planar`` up to rounding and the quadrature).

    Returns
    -------
    list of dict
        One row per ridge: ``"gamma"``, ``"planar"`` (``L0``), ``"correction"`` (``L1``) and
        ``"total"`` (``L0 + L1``), as floats.  With several non-vanishing observable terms, each
        term's correction is given too (``"correction: <label>"``).  ``[]`` for no ridge.

    Raises
    ------
    ValueError
        If ``model`` is not a declared model, ``values`` not a mapping (or a value out of range), or
        ``gammas`` not a sequence of ridges > 0.
    FiniteSizeError
        If the planar unknowns of the term's pencil are not finite.

    Examples
    --------
    >>> from diagrams.models.declaration import Model
    >>> w = Model("wishart", "real Wishart resolvent")
    >>> N, T = w.integer("N", "rows"), w.integer("T", "columns")
    >>> X = w.gaussian("X", w.space("row", "N"), w.space("col", "T"))
    >>> w.trace(1 / T, w.resolvent(X.T @ X))
    >>> rows = correction_numpy(w, {"N": 2, "T": 3}, [100.0, 10.0], details=True)
    >>> [(r["gamma"], round(r["correction"], 9)) for r in rows]      # 2/g^3 - 30/g^4 + 360/g^5 ...
    [(100.0, 1.732e-06), (10.0, 0.000682051)]
    >>> abs(rows[1]["planar (check)"] - rows[1]["planar"]) < 1e-15
    True
    >>> correction_numpy(w, {"N": 2, "T": 3}, 1.0)
    Traceback (most recent call last):
    ...
    ValueError: gammas: a sequence of ridges > 0, got 1.0
    """
    from diagrams.engine.numbers import read_real

    vals = _read(model, values)
    if isinstance(gammas, (str, bytes)) or not hasattr(gammas, "__iter__"):
        raise ValueError(f"gammas: a sequence of ridges > 0, got {gammas!r}")
    gam = np.asarray([read_real(g, "gamma", minimum=0, strict_minimum=True) for g in gammas], dtype=float)
    if gam.size == 0:
        return []
    rows, roots = _planar_roots(model, vals, gam)
    cc = compiled_correction(model)
    params = parameters(model, vals)
    diag = FloatDiagonals(model, vals)
    shared: dict = {}
    total, check, per = np.zeros(gam.size), np.zeros(gam.size), {}
    for index, coef in term_values(model, vals):
        ct = cc.term(index)
        value, planar = _term_numpy(ct, params, diag, compress, shared, gam, roots[ct.group])
        total += float(coef) * value
        check += float(coef) * planar
        per[ct.label] = float(coef) * value
    out = []
    for i, r in enumerate(rows):
        row = {"gamma": float(gam[i]), "planar": float(r["loss"]), "correction": float(total[i]),
               "total": float(r["loss"]) + float(total[i])}
        if len(per) > 1:
            row.update({f"correction: {label}": float(v[i]) for label, v in per.items()})
        if details:
            row["planar (check)"] = float(check[i])
        out.append(row)
    return out


# ------------------------------------------------------------------------------------------------
# mpmath
# ------------------------------------------------------------------------------------------------

class _MpLinear:
    """Small linear systems in mpmath."""

    @staticmethod
    def matrix(rows):
        import mpmath

        return mpmath.matrix(rows)

    @staticmethod
    def solve(A, b):
        import mpmath

        return list(mpmath.lu_solve(A, mpmath.matrix(list(b))))


def _mp_polish(ct, ctx, gamma, sig, dps: int, work: int):
    """Newton's method in mpmath on the term's planar Dyson system: the unknowns and ``1 - J``."""
    import mpmath

    n = ct.n
    tol = mpmath.mpf(10) ** (-(dps + 5))
    floor = mpmath.mpf(10) ** (-work)
    for _ in range(60):
        out = ct.newton.run(ctx, dict(zip(ct.newton.variables, [gamma] + sig)))
        IJ = mpmath.matrix(n, n)
        for r in range(n):
            for c in range(n):
                IJ[r, c] = (1 if r == c else 0) - out[n + r * n + c]
        if n == 0:
            return sig, IJ
        delta = mpmath.lu_solve(IJ, mpmath.matrix([sig[k] - out[k] for k in range(n)]))
        sig = [sig[k] - delta[k] for k in range(n)]
        if all(abs(delta[k]) <= tol * max(abs(sig[k]), floor) for k in range(n)):
            out = ct.newton.run(ctx, dict(zip(ct.newton.variables, [gamma] + sig)))
            for r in range(n):
                for c in range(n):
                    IJ[r, c] = (1 if r == c else 0) - out[n + r * n + c]
            return sig, IJ
    raise FiniteSizeError("finite size: the mpmath Newton iteration did not converge")


def correction_mp(model, values, gamma, dps: int = 30) -> dict:
    """The planar observable ``L0``, its first finite-size correction ``L1`` and their sum in mpmath, at one ridge.

    The double-precision unknowns (full spectrum, no quadrature) are polished by Newton's method at a
    working precision of ``dps + 10 + 2 log10(1/gamma)`` digits and the linear systems solved there.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    values : mapping
        Parameter values (validated; every parameter without a default must be given).
    gamma : number, str or mpmath.mpf
        The ridge, > 0, finite and within double range (exact text such as ``"1/3"`` is read exactly).
    dps : int, optional
        Decimal digits, in ``[15, MAX_DPS]``.

    Returns
    -------
    dict
        ``{"gamma", "planar", "correction", "total"}`` as ``mpmath.mpf`` at ``dps`` digits.

    Raises
    ------
    ValueError
        If ``dps`` is outside ``[15, MAX_DPS]``, ``gamma`` is not a finite number > 0 within double
        range, ``model`` is not a declared model or ``values`` not a valid mapping.
    FiniteSizeError
        If the Newton iteration in mpmath does not converge (or the double-precision unknowns are not
        finite).

    Examples
    --------
    >>> from diagrams.models.declaration import Model
    >>> w = Model("wishart", "real Wishart resolvent")
    >>> N, T = w.integer("N", "rows"), w.integer("T", "columns")
    >>> X = w.gaussian("X", w.space("row", "N"), w.space("col", "T"))
    >>> w.trace(1 / T, w.resolvent(X.T @ X))
    >>> r = correction_mp(w, {"N": 2, "T": 3}, 100, dps=20)
    >>> import mpmath
    >>> mpmath.nstr(r["planar"], 20)
    '0.0098094200360304763097'
    >>> float(r["correction"])
    1.732387637210469e-06
    >>> correction_mp(w, {"N": 2, "T": 3}, 1, dps=10)
    Traceback (most recent call last):
    ...
    ValueError: dps: must be an integer in [15, 2000], got 10
    """
    import mpmath

    gamma, g_float, dps, work = mp_ridge_and_precision(gamma, dps, MAX_DPS)
    vals = _read(model, values)
    gam = np.array([g_float])
    _, roots = _planar_roots(model, vals, gam)
    cc = compiled_correction(model)
    params = parameters(model, vals)
    fdiag = FloatDiagonals(model, vals)
    try:
        src = model.diagonal_values(vals, exact=True)
    except ValueError:                        # irrational eigenvalues (a power law): doubles, exactly converted
        src = fdiag
    total = planar_total = mpmath.mpf(0)
    with mpmath.workdps(work):
        gm = gamma if isinstance(gamma, mpmath.mpf) else mpmath.mpf(gamma.numerator) / gamma.denominator
        be = ObjectBackend.mp()
        for index, coef in term_values(model, vals):
            ct = cc.term(index)
            sig = _run(ct.seed, _context(ct.seed, params, fdiag, False, {}), gam, roots[ct.group])
            sig, _ = _polish(ct, _context(ct.newton, params, fdiag, False, {}), gam, sig)
            ctx = Context(ct.newton, be, params, spectra(ct.newton, src, list))
            s, IJ = _mp_polish(ct, ctx, gm, [mpmath.mpf(float(v)) for v in sig[0]], dps, work)
            value, planar = correction_in_backend(ct, be, params, src, gm, s, IJ, _MpLinear())
            c = mpmath.mpf(coef.numerator) / coef.denominator if isinstance(coef, Fraction) else mpmath.mpf(coef)
            total += c * value
            planar_total += c * planar
    with mpmath.workdps(dps):
        return {"gamma": +gm, "planar": +planar_total, "correction": +total, "total": planar_total + total}


def finite_size_loss(model, values, gammas: Sequence, *, dps: int | None = None) -> list[dict]:
    """The planar observable ``L0``, its first finite-size correction ``L1`` and ``L0 + L1`` at each ridge.

    In double precision by :func:`correction_numpy`, or in mpmath at ``dps`` digits by
    :func:`correction_mp`.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    values : mapping
        Parameter values.
    gammas : sequence
        The ridges, each > 0.
    dps : int, optional
        ``None`` (the default): double precision; else mpmath digits in ``[15, MAX_DPS]``.

    Returns
    -------
    list of dict
        ``[{"gamma", "planar", "correction", "total"}]``, one row per ridge (floats, or ``mpmath.mpf``
        with ``dps``).

    Raises
    ------
    ValueError
        As :func:`correction_numpy` or :func:`correction_mp`.
    FiniteSizeError
        As :func:`correction_numpy` or :func:`correction_mp`.

    Examples
    --------
    >>> from diagrams.models.declaration import Model
    >>> w = Model("wishart", "real Wishart resolvent")
    >>> N, T = w.integer("N", "rows"), w.integer("T", "columns")
    >>> X = w.gaussian("X", w.space("row", "N"), w.space("col", "T"))
    >>> w.trace(1 / T, w.resolvent(X.T @ X))
    >>> row = finite_size_loss(w, {"N": 2, "T": 3}, [10.0])[0]
    >>> round(row["total"], 9) == round(row["planar"] + row["correction"], 9)
    True
    >>> import mpmath
    >>> mpmath.nstr(finite_size_loss(w, {"N": 2, "T": 3}, [10], dps=15)[0]["planar"], 15)
    '0.0862907813126304'
    """
    if dps is None:
        return correction_numpy(model, values, gammas)
    return [correction_mp(model, values, g, dps) for g in gammas]
