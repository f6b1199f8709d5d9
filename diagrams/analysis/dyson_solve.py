r"""Solving a model's planar Dyson equations numerically: numpy over a grid of ridges, and mpmath.

For every observable term (:func:`~diagrams.analysis.dyson.term_system`) the trace unknowns
``tau`` of the Dyson equation (D) are found by Newton's method (the Jacobian from the closed-form
derivatives) with **continuation from large gamma**: at a ridge where ``G ~ L0^-1`` the start
``tau = F(0)`` is in the basin of the physical root, and the ridge is lowered step by step, each
root predicted from the previous two.  The physical solution is the one continuously connected to
the large-``gamma`` expansion (the same solution the series in ``1/gamma`` expands).  Then the ladder
unknowns ``chi`` of a quadratic term solve a linear system and give the observable.

* :func:`solve_numpy` -- double precision, vectorised over the eigenvalues and over the ridges: a
  sequential continuation on a *skeleton* of ridges (at most ~8 per decade) and, for a large
  spectrum (more than :data:`~diagrams.engine.quadrature.COMPRESS_ABOVE` eigenvalues), on a compressed copy of it (geometric
  bins, two nodes each); then all ridges at once by vectorised Newton steps on the full spectrum, each
  one pass over it (:mod:`diagrams.analysis.trace_program`).
* :func:`solve_mp` -- mpmath at ``dps`` digits: Newton polish of the double-precision root at a raised
  working precision, then the observable from the definitions.

>>> from diagrams.models.registry import load_model
>>> ridge = load_model("ridge")
>>> v = ridge.read_values({"T": 5, "spectrum": [1, "1/2"]})
>>> rows = solve_numpy(ridge, v, [0.1, 1.0])
>>> from diagrams.models.ridge.deterministic import ridge_loss
>>> abs(rows[0]["loss"] / ridge_loss(5, 0.1, [1, 0.5]) - 1) < 1e-12
True
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

import numpy as np

from diagrams.engine.quadrature import compress_spectra

from diagrams.analysis.dyson_programs import (CompiledGroup, CompiledTerm, compiled_model, parameters, spectra,
                                              term_values)
from diagrams.analysis.trace_program import Context, NumpyBackend, ObjectBackend
from diagrams.models.declaration import PowerLaw

__all__ = ["solve_numpy", "solve_mp", "mp_ridge_and_precision", "FloatDiagonals", "MAX_DPS", "DysonDivergence"]

#: Highest mpmath precision (decimal digits) of :func:`solve_mp`.
MAX_DPS = 10000
#: Spectra longer than this are compressed for the continuation (then polished on the full spectrum).
#: Ridges per decade on the continuation skeleton of a grid.
SKELETON_PER_DECADE = 6
#: Most elements (ridges x eigenvalues) of one vectorised evaluation.
CHUNK_ELEMENTS = 1 << 18

_RTOL = 1e-10
_POLISH_RTOL = 1e-8


class DysonDivergence(ValueError):
    """The solution of the planar Dyson equation failed: a ridge too small, or a singular pencil.

    A subclass of :class:`ValueError`, raised when no starting ridge is found, the continuation
    stalls, or the mpmath Newton iteration does not converge.

    Examples
    --------
    >>> try:
    ...     raise DysonDivergence("Dyson equation: the continuation stalled at gamma = 1e-30")
    ... except ValueError as exc:
    ...     print(exc)
    Dyson equation: the continuation stalled at gamma = 1e-30
    """


class FloatDiagonals(dict):
    """A model's diagonal covariances as float arrays, each converted on first use.

    A mapping from diagonal names to arrays of eigenvalues.  A spectrum given by one object (the test
    spectrum defaulting to the train one) is converted once, a scalar one only if asked; a power law
    with an integer exponent ``1 + alpha`` in ``1..4`` by multiplications.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    values : mapping
        Validated parameter values.

    Raises
    ------
    KeyError
        On looking up a name that is not a diagonal covariance of the model (or whose spectrum is not
        in ``values``).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> v = ridge.read_values({"T": 5, "spectrum": [1, "1/2"]})
    >>> fd = FloatDiagonals(ridge, v)
    >>> "Lambda" in fd, "X" in fd
    (True, False)
    >>> fd["Lambda"]
    array([1. , 0.5])
    """

    def __init__(self, model, values):
        super().__init__()
        self._model, self._values = model, values
        self._seen: dict = {}

    def __contains__(self, name):
        cov = self._model.covariances.get(name)
        return cov is not None and (cov.scalar is not None or cov.spectrum in self._values)

    def __missing__(self, name):
        cov = self._model.covariances.get(name)
        if cov is None or not self.__contains__(name):
            raise KeyError(name)
        if cov.spectrum is not None:
            raw = self._values[cov.spectrum]
            if id(raw) not in self._seen:
                self._seen[id(raw)] = (raw, _spectrum_floats(self._model, raw))
            arr = self._seen[id(raw)][1]
        else:
            arr = np.asarray(list(self._model.diagonal_values(self._values, exact=False)[name]), dtype=float)
        self[name] = arr
        return arr


def _spectrum_floats(model, raw) -> np.ndarray:
    """A spectrum as floats; a power law with an integer exponent by multiplications (no ``pow``)."""
    if isinstance(raw, PowerLaw) and (1 + raw.alpha).denominator == 1 and 1 <= 1 + raw.alpha <= 4:
        idx = np.arange(1, raw.M + 1, dtype=float)
        k = int(1 + raw.alpha)
        out = idx.copy()
        for _ in range(k - 1):
            out *= idx
        return float(raw.lambda_plus) / out
    return np.asarray(model.spectrum_values(raw, exact=False), dtype=float)


def _float_diagonals(model, values) -> dict:
    return FloatDiagonals(model, values)


def _run(program, ctx, gamma, taus):
    """Evaluate a program at ridges ``gamma`` (G,) and unknowns ``taus`` (G, n): outputs as (G,) arrays."""
    G = gamma.shape[0]
    vals = {program.variables[0]: gamma.reshape(G, 1)}
    for k, s in enumerate(program.variables[1:]):
        vals[s] = taus[:, k].reshape(G, 1)
    outs = program.run(ctx, vals)
    res = []
    for o in outs:
        if isinstance(o, np.ndarray) and o.size == G:
            res.append(o.reshape(G))
        else:
            res.append(np.broadcast_to(np.asarray(o, dtype=float).reshape(-1), (G,)))
    return res


def _run_chunked(program, ctx, gamma, taus, length: int):
    G = gamma.shape[0]
    step = max(1, CHUNK_ELEMENTS // max(length, 1))
    if G <= step:
        return _run(program, ctx, gamma, taus)
    parts = [_run(program, ctx, gamma[i:i + step], taus[i:i + step]) for i in range(0, G, step)]
    return [np.concatenate([p[k] for p in parts]) for k in range(len(parts[0]))]


# ------------------------------------------------------------------------------------------------
# compression of long spectra (for the continuation only)
# ------------------------------------------------------------------------------------------------

# ------------------------------------------------------------------------------------------------
# Newton with continuation (numpy)
# ------------------------------------------------------------------------------------------------

def _newton_step(group: CompiledGroup, ctx, gamma, taus, length):
    n = group.n
    outs = _run_chunked(group.program, ctx, gamma, taus, length)
    F = np.stack(outs[:n], axis=1)
    J = np.stack(outs[n:], axis=1).reshape(-1, n, n)
    R = taus - F
    Jr = np.eye(n)[None] - J
    try:
        delta = np.linalg.solve(Jr, R[..., None])[..., 0]
    except np.linalg.LinAlgError:
        delta = np.full_like(taus, np.nan)
    return taus - delta, delta


def _converged(taus, delta, rtol=_RTOL):
    scale = np.maximum(np.abs(taus), 1e-300)
    return np.all(np.abs(delta) <= rtol * scale, axis=1) & np.all(np.isfinite(taus), axis=1)


def _newton(group, ctx, gamma, taus, length, max_iter=30, rtol=_RTOL):
    """Vectorised Newton; returns (taus, converged mask, iterations).  Gives up early when the steps
    stop shrinking (the start was outside the basin)."""
    done = np.zeros(gamma.shape[0], dtype=bool)
    previous = None
    growing = 0
    for it in range(1, max_iter + 1):
        new, delta = _newton_step(group, ctx, gamma, taus, length)
        ok = _converged(new, delta, rtol)
        taus = np.where(done[:, None], taus, new)
        done |= ok
        if done.all():
            return taus, done, it
        if not np.all(np.isfinite(taus[~done])):
            break
        size = np.max(np.abs(delta[~done]) / np.maximum(np.abs(taus[~done]), 1e-300))
        if previous is not None and size > 0.5 * previous:
            growing += 1
            if growing >= 3:
                break
        previous = size
    return taus, done, max_iter


def _predict(g_next, g_cur, t_cur, prev):
    """The root at ``g_next`` extrapolated from the last two (log-log where the sign is fixed)."""
    if prev is None:
        return t_cur
    lg0, t0 = prev
    lg1 = math.log(g_cur)
    if lg1 == lg0:
        return t_cur
    frac = (math.log(g_next) - lg1) / (lg1 - lg0)
    out = t_cur + (t_cur - t0) * frac
    same = (t_cur * t0 > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        loglog = np.sign(t_cur) * np.exp(np.log(np.abs(t_cur)) + (np.log(np.abs(t_cur)) - np.log(np.abs(t0))) * frac)
    return np.where(same & np.isfinite(loglog), loglog, out)


def _start(group, ctx, gamma_top: float, length: int):
    """A ridge where the fixed-point iteration from ``G = L0^-1`` lands next to the root, and the root.

    At ``gamma`` (from ``max(gamma_top, 1)`` up by factors of 10) the map ``tau -> F(tau)`` is applied
    ``n + 1`` times from ``tau = 0`` (``eta = 0``: ``G = L0^-1``); the ridge is accepted when Newton's
    method from there converges to a root within 5 % of that start in every unknown -- the large-ridge
    regime in which the root is the one the expansion in ``1/gamma`` describes.
    """
    g = max(float(gamma_top), 1.0)
    n = group.n
    for _ in range(80):
        gam = np.array([g])
        t = np.zeros((1, n))
        for _ in range(n + 1):
            t = np.stack(_run(group.program, ctx, gam, t)[:n], axis=1)
        if np.all(np.isfinite(t)):
            taus, ok, _ = _newton(group, ctx, gam, t, length)
            if ok.all() and np.all(np.abs(taus - t) <= 0.05 * np.abs(taus)):
                return g, taus[0]
        g *= 10.0
    raise DysonDivergence("Dyson equation: no starting ridge found where G = L0^-1 is close to the solution")


def _continue(group, ctx, targets: np.ndarray, length: int) -> np.ndarray:
    """Sequential continuation from a large ridge down through ``targets`` (descending)."""
    g_cur, t_cur = _start(group, ctx, targets[0], length)
    prev = None
    out = np.empty((len(targets), group.n))
    h_max = math.log(10.0)
    h = h_max
    for k, target in enumerate(targets):
        target = float(target)
        while g_cur > target * (1 + 1e-15):
            g_next = max(target, g_cur * math.exp(-h))
            guess = _predict(g_next, g_cur, t_cur, prev)
            taus, ok, it = _newton(group, ctx, np.array([g_next]), guess[None, :], length, max_iter=12)
            if ok[0]:
                prev = (math.log(g_cur), t_cur)
                g_cur, t_cur = g_next, taus[0]
                if it <= 4:
                    h = min(h * 2, h_max)
            else:
                h /= 4
                if h < 1e-8:
                    raise DysonDivergence(f"Dyson equation: the continuation stalled at gamma = {g_cur:.6g}")
        out[k] = t_cur
    return out


def _interpolate(skel_g, skel_t, gammas):
    """Unknowns at ``gammas`` from skeleton values (linear in log gamma; in log|tau| where the sign is fixed)."""
    xs = np.log(skel_g[::-1])
    x = np.log(gammas)
    out = np.empty((len(gammas), skel_t.shape[1]))
    for k in range(skel_t.shape[1]):
        y = skel_t[::-1, k]
        if np.all(y > 0) or np.all(y < 0):
            out[:, k] = np.sign(y[0]) * np.exp(np.interp(x, xs, np.log(np.abs(y))))
        else:
            out[:, k] = np.interp(x, xs, y)
    return out


def _skeleton(gammas: np.ndarray) -> np.ndarray:
    lo, hi = gammas[-1], gammas[0]
    decades = max(math.log10(hi / lo), 1e-12)
    n = max(2, int(math.ceil(decades * SKELETON_PER_DECADE)) + 1)
    if n >= len(gammas):
        return gammas
    return np.exp(np.linspace(math.log(hi), math.log(lo), n))


def _solve_group(group: CompiledGroup, ctx_full, ctx_small, length_full, length_small, gammas):
    """Unknowns at the ridges ``gammas`` (descending)."""
    if group.n == 0:                       # a pencil without Gaussian matrices: nothing to solve
        return np.zeros((len(gammas), 0))
    skel = _skeleton(gammas)
    work_ctx, work_len = (ctx_small, length_small) if ctx_small is not None else (ctx_full, length_full)
    skel_t = _continue(group, work_ctx, skel, work_len)
    if skel is gammas:
        taus = skel_t
    else:
        taus = _interpolate(skel, skel_t, gammas)
        taus, ok, _ = _newton(group, work_ctx, gammas, taus, work_len)
        if not ok.all():
            # fall back: sequential continuation through every ridge that failed
            bad = np.where(~ok)[0]
            taus[bad] = _continue(group, work_ctx, gammas[bad], work_len)
    if ctx_small is not None:
        # one or two Newton steps polish the compressed root (within ~1e-8): a step below 1e-8 leaves an
        # error of its square
        taus, ok, _ = _newton(group, ctx_full, gammas, taus, length_full, rtol=_POLISH_RTOL)
        if not ok.all():
            bad = np.where(~ok)[0]
            taus[bad] = _continue(group, ctx_full, gammas[bad], length_full)
    return taus


def _ladder(term: CompiledTerm, ctx, gammas, taus, length):
    m = term.m
    outs = _run_chunked(term.program, ctx, gammas, taus, length)
    if m:
        b = np.stack(outs[:m], axis=1)
        A = np.stack(outs[m:m + m * m], axis=1).reshape(-1, m, m)
        chi = np.linalg.solve(np.eye(m)[None] - A, b[..., None])[..., 0]
        o0 = outs[m + m * m]
        o = np.stack(outs[m + m * m + 1:m + m * m + 1 + m], axis=1)
        value = o0 + np.sum(o * chi, axis=1)
    else:
        value = outs[0]
    return value * outs[-1]


def _program_length(ctx_spectra) -> int:
    return max((len(v) for d in ctx_spectra.values() for v in d.values()), default=1)


def solve_numpy(model, values, gammas: Sequence, *, details: bool = False) -> list[dict]:
    """The planar observable of a model at each ridge in double precision, from its Dyson equation.

    Newton's method with continuation from large ``gamma`` (see the module docstring), vectorised over
    the eigenvalues and the ridges.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    values : mapping
        Validated parameter values (``model.read_values``).
    gammas : sequence
        The ridges, finite and > 0, in any order.
    details : bool, optional
        Add the trace unknowns (``tau_k``; ``"tau_k (system g)"`` when there are several Dyson
        systems).

    Returns
    -------
    list of dict
        One row per ridge, in the order given: ``"loss"`` and ``"observable"`` (both the whole
        observable) and ``"gamma"``; with several non-vanishing terms each is also given under its
        label.  ``[]`` for no ridge.

    Raises
    ------
    ValueError
        If a ridge is not finite or not > 0, or (:func:`~diagrams.analysis.dyson_programs.term_values`)
        every term vanishes at ``values``.
    DysonDivergence
        If no starting ridge is found or the continuation stalls (a ridge too small, a singular
        pencil).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> v = ridge.read_values({"T": 5, "spectrum": [1, "1/2"]})
    >>> rows = solve_numpy(ridge, v, [1.0, 0.1], details=True)
    >>> [(r["gamma"], round(r["loss"], 9), round(r["tau_1"], 9)) for r in rows]
    [(1.0, 0.035205573, 0.397784449), (0.1, 0.001111347, 0.061703479)]
    >>> solve_numpy(ridge, v, [0])
    Traceback (most recent call last):
    ...
    ValueError: gamma: the ridges must be finite numbers > 0
    """
    gam = np.asarray([float(g) for g in gammas], dtype=float)
    if gam.size == 0:
        return []
    if not np.all(np.isfinite(gam)) or np.any(gam <= 0):
        raise ValueError("gamma: the ridges must be finite numbers > 0")
    order = np.argsort(-gam, kind="stable")
    sorted_g = gam[order]
    cm = compiled_model(model)
    params = parameters(model, values)
    diag = _float_diagonals(model, values)
    terms = term_values(model, values)
    group_taus: dict = {}
    shared: dict = {}                     # parameter-only vectors on the full spectra, shared by the programs
    total = np.zeros(gam.size)
    per_term = {}
    for index, coef in terms:
        ct = cm.term(index)
        group = cm.groups[ct.group]
        if ct.group not in group_taus:
            spec = spectra(group.program, diag)
            ctx = Context(group.program, NumpyBackend(), params, spec, shared=shared)
            small, weights = compress_spectra(spec)
            ctx_small = None if not weights else Context(group.program, NumpyBackend(), params, small,
                                                         weights=weights)
            group_taus[ct.group] = _solve_group(group, ctx, ctx_small, _program_length(spec),
                                                _program_length(small), sorted_g)
        taus = group_taus[ct.group]
        spec = spectra(ct.program, diag)
        ctx = Context(ct.program, NumpyBackend(), params, spec, shared=shared)
        value = float(coef) * _ladder(ct, ctx, sorted_g, taus, _program_length(spec))
        total += value
        per_term[ct.label] = value
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    rows = []
    for i in range(gam.size):
        j = inverse[i]
        row = {"loss": float(total[j]), "gamma": float(gam[i])}
        if len(per_term) > 1:
            for label, v in per_term.items():
                row[label] = float(v[j])
        if details:
            for g, taus in group_taus.items():
                for k, s in enumerate(cm.groups[g].system.symbols):
                    row[f"{s}" if len(group_taus) == 1 else f"{s} (system {g + 1})"] = float(taus[j, k])
        row["observable"] = row["loss"]
        rows.append(row)
    return rows


# ------------------------------------------------------------------------------------------------
# mpmath
# ------------------------------------------------------------------------------------------------

def _mp(v):
    from diagrams.engine.numbers import to_mpf

    return to_mpf(v)


def _mp_run(program, ctx, gamma, taus):
    vals = {program.variables[0]: gamma}
    for s, t in zip(program.variables[1:], taus):
        vals[s] = t
    return program.run(ctx, vals)


def mp_ridge_and_precision(gamma, dps, max_dps: int) -> tuple:
    """The ridge and the working precision of an mpmath solve at ``dps`` requested digits.

    A small ridge loses about ``2 log10(1/gamma)`` digits to cancellation, so the work runs at
    ``dps + 10 + 2 log10(1/gamma)`` digits (shared by :func:`solve_mp` and the mpmath path of the
    finite-size correction).

    Parameters
    ----------
    gamma : number, str or mpmath.mpf
        The ridge, ``> 0`` and within double range (an ``mpf`` is kept as it is; anything else is
        read exactly).
    dps : int
        The requested precision, an integer in ``[15, max_dps]``.
    max_dps : int
        The method's bound on ``dps``.

    Returns
    -------
    tuple
        ``(gamma, float(gamma), dps, working digits)``, ``dps`` as an int.

    Raises
    ------
    ValueError
        If ``dps`` or ``gamma`` is out of range.

    Examples
    --------
    >>> mp_ridge_and_precision("1/1000", 30, 100)
    (Fraction(1, 1000), 0.001, 30, 46)
    >>> mp_ridge_and_precision(0, 30, 100)
    Traceback (most recent call last):
    ...
    ValueError: gamma: must be a number > 0, got 0
    """
    import mpmath

    from diagrams.engine.numbers import check_order, read_fraction

    dps = check_order(dps, "dps", minimum=15, maximum=max_dps)
    if not isinstance(gamma, mpmath.mpf):
        gamma = read_fraction(gamma, "gamma", minimum=0, strict_minimum=True)
    g_float = float(gamma)
    if not (g_float > 0 and math.isfinite(g_float)):
        raise ValueError(f"gamma: must be a finite number > 0 within double range, got {gamma}")
    return gamma, g_float, dps, dps + 10 + int(max(0.0, 2 * math.log10(1.0 / g_float)))


def solve_mp(model, values, gamma, dps: int = 30) -> dict:
    """The planar observable of a model at one ridge in mpmath, at ``dps`` digits.

    The double-precision root (:func:`solve_numpy`'s continuation) is polished by Newton's method at
    a working precision of ``dps + 10 + 2 log10(1/gamma)`` digits (the equations lose digits to
    cancellation at tiny ridges), until the step is below ``10^-(dps + 5)``.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    values : mapping
        Validated parameter values.
    gamma : number, str or mpmath.mpf
        The ridge, > 0, finite and within double range (exact text such as ``"1/10"`` read exactly).
    dps : int, optional
        Decimal digits, in ``[15, MAX_DPS]``.

    Returns
    -------
    dict
        ``{"loss", "gamma", "observable"}`` (``mpmath.mpf``), plus each term under its label when
        several terms do not vanish.

    Raises
    ------
    ValueError
        If ``dps`` is outside ``[15, MAX_DPS]`` or ``gamma`` is not a finite number > 0.
    DysonDivergence
        If the continuation or the mpmath Newton iteration fails.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> v = ridge.read_values({"T": 5, "spectrum": [1, "1/2"]})
    >>> import mpmath
    >>> mpmath.nstr(solve_mp(ridge, v, 1, dps=20)["loss"], 20)
    '0.035205572657671382527'
    >>> solve_mp(ridge, v, 1, dps=5)
    Traceback (most recent call last):
    ...
    ValueError: dps: must be an integer in [15, 10000], got 5
    """
    import mpmath

    gamma, g_float, dps, work = mp_ridge_and_precision(gamma, dps, MAX_DPS)
    cm = compiled_model(model)
    params = parameters(model, values)
    diag_float = _float_diagonals(model, values)
    diag_exact = None
    try:
        diag_exact = model.diagonal_values(values, exact=True)
    except ValueError:
        diag_exact = None
    terms = term_values(model, values)
    out = {}
    total = None
    with mpmath.workdps(work):
        gm = gamma if isinstance(gamma, mpmath.mpf) else _mp(gamma)
        be = ObjectBackend.mp()
        solved: dict = {}
        for index, coef in terms:
            ct = cm.term(index)
            group = cm.groups[ct.group]
            if ct.group not in solved:
                spectra_f = spectra(group.program, diag_float)
                ctx_f = Context(group.program, NumpyBackend(), params, spectra_f)
                small, weights = compress_spectra(spectra_f)
                ctx_s = None if not weights else Context(group.program, NumpyBackend(), params, small, weights=weights)
                t_float = _solve_group(group, ctx_f, ctx_s, _program_length(spectra_f), _program_length(small),
                                       np.array([g_float]))[0]
                src = diag_exact if diag_exact is not None else diag_float
                ctx = Context(group.program, be, params, spectra(group.program, src, list))
                solved[ct.group] = _mp_newton(group, ctx, gm, [mpmath.mpf(float(t)) for t in t_float], dps)
            taus = solved[ct.group]
            src = diag_exact if diag_exact is not None else diag_float
            ctx = Context(ct.program, be, params, spectra(ct.program, src, list))
            outs = _mp_run(ct.program, ctx, gm, taus)
            m = ct.m
            if m:
                b = mpmath.matrix([outs[k] for k in range(m)])
                A = mpmath.matrix(m, m)
                for r in range(m):
                    for c in range(m):
                        A[r, c] = (1 if r == c else 0) - outs[m + r * m + c]
                chi = mpmath.lu_solve(A, b)
                val = outs[m + m * m] + mpmath.fsum(outs[m + m * m + 1 + k] * chi[k] for k in range(m))
            else:
                val = outs[0]
            val = val * outs[-1] * _mp(coef if isinstance(coef, Fraction) else Fraction(coef))
            out[ct.label] = val
            total = val if total is None else total + val
    with mpmath.workdps(dps):
        res = {"loss": +total, "gamma": gm}
        if len(out) > 1:
            res.update({k: +v for k, v in out.items()})
        res["observable"] = res["loss"]
    return res


def _mp_newton(group, ctx, gamma, taus, dps, max_iter=60):
    import mpmath

    n = group.n
    if n == 0:
        return []
    tol = mpmath.mpf(10) ** (-(dps + 5))
    for _ in range(max_iter):
        outs = _mp_run(group.program, ctx, gamma, taus)
        R = mpmath.matrix([taus[k] - outs[k] for k in range(n)])
        Jr = mpmath.matrix(n, n)
        for r in range(n):
            for c in range(n):
                Jr[r, c] = (1 if r == c else 0) - outs[n + r * n + c]
        delta = mpmath.lu_solve(Jr, R)
        taus = [taus[k] - delta[k] for k in range(n)]
        if all(abs(delta[k]) <= tol * max(abs(taus[k]), mpmath.mpf(10) ** (-mpmath.mp.dps)) for k in range(n)):
            return taus
    raise DysonDivergence("Dyson equation: the mpmath Newton iteration did not converge")
