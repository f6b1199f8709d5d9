r"""The planar (large N, T, M) test loss of the random-feature model at any ridge, Eq. (104).

REFERENCE Sec. 2 (paper Zhang 2024, arXiv:2405.19398, Eqs. 44, 93, 99, 104)::

    <L> = C sigma_w^2/(2M) * l / D                                                     (104)
    D    = (1 - gamma^2 N <q>^2 r_c)(1 - gamma^2 T <Q>^2 v) - (gamma^2 xi^2/(N T)) r_d'^2
    l    = tr[Lambdahat (1 + gamma xi Lambda Sigma)^-2]
    r_c  = T^2 <Q>^2 tr[(Lambda Sigma)^2 (1 + gamma xi Lambda Sigma)^-2]
    v    = N^2 <q>^2 tr[(Lambda Sigma)^2 (1 + gamma xi Lambda Sigma)^-2]
    r_d' = tr[Lambda Sigma (1 + gamma xi Lambda Sigma)^-2]
    xi   = N T <q> <Q>
    gamma xi tr[Lambda Sigma (1 + gamma xi Lambda Sigma)^-1] = N(1 - gamma<q>) = T(1 - gamma<Q>)   (99, 44)

and ``l/D = R * P`` (Eq. 93) with the primary diagrams ``P = l/(1 - gamma^2 T <Q>^2 v)`` and the
resummation factor ``R = 1/(1 - gamma^2 N <q>^2 r_c - (gamma^2 xi^2/(N T)) r_d'^2/(1 - gamma^2 T <Q>^2 v))``.
Here ``Sigma = (sigma_u^2/M) 1`` and, numerically, ``Lambdahat = Lambda = diag(spectrum)``.

**Solving the consistency relation.**  With ``a = gamma xi``, ``s_I = lambda_I sigma_u^2/M``,
``p_I = a s_I/(1 + a s_I)`` and ``y = a t(a) = sum_I p_I``, Eq. (99) is
``a gamma = (N - y)(T - y)`` with ``gamma<q> = 1 - y/N``, ``gamma<Q> = 1 - y/T``.  The physical
branch has ``<q>, <Q> > 0``, i.e. ``0 < y < n = min(N, T)``.  Writing ``d_n = n - y`` and
``d_m = max(N, T) - y = d_n + Delta``, the relation gives
``d_n = 2 a gamma / (Delta + sqrt(Delta^2 + 4 a gamma))`` (no cancellation), so the root is the
unique zero of the increasing function ``H(a) = y(a) + d_n(a) - n`` on ``(0, inf)``; every zero of
``H`` has ``d_n > 0``, which is the physical branch.  It is found by Newton's method on
``log(y + d_n) - log n`` in ``log a`` (safeguarded by a bracket); for M > 4096 it starts from the
root for a compressed copy of the spectrum (bins 1/16 of an octave wide, two nodes per bin), so a
large spectrum costs two or three passes.  The loss is then evaluated in the cancellation-free form

    D = [d_N d_T + z (d_N + d_T)] / (N T),   z = sum_I p_I (1 - p_I) = a r_d',
    P = l T / (d_T + z),   R = N (d_T + z) / [d_N d_T + z (d_N + d_T)],

(algebraically identical to the definitions above once Eq. 99 holds), which stays accurate for
``gamma -> 0`` at and near ``N = T`` where ``D -> 0``.  :func:`test_loss_mp` solves the same relation in
mpmath and evaluates the definitions of Sec. 2 literally, as an independent check.

>>> lam = power_law_spectrum(600, 0.5)
>>> r = test_loss(100, 150, 1e-2, lam)
>>> print(f"{r.loss:.4g}")
0.000363
>>> abs(r.loss - test_loss(150, 100, 1e-2, lam).loss) < 1e-15
True
>>> abs(float(test_loss_mp(100, 150, "1/100", lam, dps=30).loss) / r.loss - 1) < 1e-10
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

__all__ = [
    "ClosedFormResult",
    "OptimalRidge",
    "power_law_spectrum",
    "test_loss",
    "test_loss_mp",
    "optimal_ridge",
]

_EPS = np.finfo(float).eps


# ---------------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------------

def power_law_spectrum(M: int, alpha: float, lambda_plus: float = 1.0) -> np.ndarray:
    r"""Power-law data spectrum ``lambda_I = lambda_+ I^-(1+alpha)``, ``I = 1..M`` (paper Sec. IV).

    >>> power_law_spectrum(3, 1.0, 2.0)
    array([2.        , 0.5       , 0.22222222])
    """
    try:
        ok = not isinstance(M, bool) and float(M).is_integer() and M >= 1
        alpha = float(alpha)
        lambda_plus = float(lambda_plus)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"M, alpha, lambda_plus: must be numbers, got {M!r}, {alpha!r}, {lambda_plus!r}") from None
    if not ok:
        raise ValueError(f"M: must be an integer >= 1, got {M}")
    if not (alpha > 0 and math.isfinite(alpha)):
        raise ValueError(f"alpha: must be > 0, got {alpha}")
    if not (lambda_plus > 0 and math.isfinite(lambda_plus)):
        raise ValueError(f"lambda_plus: must be > 0, got {lambda_plus}")
    idx = np.arange(1, int(M) + 1, dtype=float)
    return lambda_plus * idx ** (-(1.0 + alpha))


def _positive_real(value, name: str, minimum: float | None = None) -> float:
    try:
        v = float(Fraction(value) if isinstance(value, str) else value)
    except (TypeError, ValueError, ZeroDivisionError):
        raise ValueError(f"{name}: cannot read {value!r} as a number") from None
    if minimum is not None:
        if not (v >= minimum and math.isfinite(v)):
            raise ValueError(f"{name}: must be a finite number >= {minimum:g}, got {value}")
    elif not (v > 0 and math.isfinite(v)):
        raise ValueError(f"{name}: must be a finite number > 0, got {value}")
    return v


def _spectrum_array(spectrum) -> np.ndarray:
    if spectrum is None:
        raise ValueError("spectrum: give the eigenvalues of Lambda (at least one, all > 0)")
    if isinstance(spectrum, np.ndarray) and spectrum.dtype == np.float64:
        lam = spectrum.ravel()
    else:
        try:
            seq = list(spectrum)
            lam = np.array([float(Fraction(v)) if isinstance(v, str) else float(v) for v in seq], dtype=float)
        except (TypeError, ValueError, ZeroDivisionError):
            raise ValueError("spectrum: must be a sequence of numbers > 0") from None
    if lam.size == 0:
        raise ValueError("spectrum: must contain at least one eigenvalue (all > 0)")
    lo, hi = lam.min(), lam.max()
    if not (lo > 0):
        raise ValueError("spectrum: all eigenvalues must be > 0 (and not NaN)")
    if not math.isfinite(hi):
        raise ValueError("spectrum: all eigenvalues must be finite")
    return lam


def _gamma_array(gamma) -> tuple[np.ndarray, bool]:
    try:
        if isinstance(gamma, str):
            gamma = float(Fraction(gamma))
        g = np.asarray(gamma, dtype=float)
    except (TypeError, ValueError, ZeroDivisionError):
        raise ValueError(f"gamma: cannot read {gamma!r} as a number or an array of numbers") from None
    if g.size == 0:
        raise ValueError("gamma: give at least one ridge parameter > 0")
    if not np.all(g > 0) or not np.all(np.isfinite(g)):
        bad = g[~((g > 0) & np.isfinite(g))].ravel()[0]
        raise ValueError(f"gamma: the ridge parameter must be finite and > 0, got {bad}")
    return g, g.ndim == 0


# ---------------------------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------------------------

@dataclass
class ClosedFormResult:
    r"""Eq. (104) and its ingredients at one ridge or an array of ridges.

    Fields are floats / numpy arrays (:func:`test_loss`) or ``mpmath.mpf`` (:func:`test_loss_mp`):
    ``loss`` = <L>, ``gamma``, ``q`` = <q> = tr<q>/N, ``Q`` = <Q> = tr<Q>/T, ``xi`` = N T <q><Q>,
    ``l``, ``r_c``, ``v``, ``r_dp`` (r_d'), ``D``, ``resummation_factor`` R and ``primary`` P with
    ``l/D = R P`` (Eq. 93).
    """

    loss: Any
    gamma: Any
    q: Any
    Q: Any
    xi: Any
    l: Any
    r_c: Any
    v: Any
    r_dp: Any
    D: Any
    resummation_factor: Any
    primary: Any

    def as_dict(self) -> dict:
        """Field name -> value; numpy arrays become lists and numpy scalars floats (mpf kept)."""
        return {f.name: plain_value(getattr(self, f.name)) for f in fields(self)}


def plain_value(val):
    """A JSON-friendly copy: numpy arrays become lists, numpy scalars Python numbers (mpf kept)."""
    if isinstance(val, np.ndarray):
        return val.tolist()
    if isinstance(val, np.generic):
        return val.item()
    return val


# ---------------------------------------------------------------------------------------------
# numpy path
# ---------------------------------------------------------------------------------------------

_COMPRESS_BITS = 4          # mantissa bits kept: 16 bins per octave
_COMPRESS_MIN = 4096        # compress spectra longer than this for the starting point
_BLOCK = 1 << 18            # elements per block in the (gamma x spectrum) passes
_CHUNK = 1 << 16            # elements per block in a one-ridge pass
_U_MAX = 700.0              # largest log(gamma xi) handled in double precision


def _bin_nodes(cnt, s1, s2):
    """Two nodes per bin (mean -/+ standard deviation, half the count each): moments 0, 1, 2 exact."""
    keep = cnt > 0
    cnt, s1, s2 = cnt[keep].astype(float), s1[keep], s2[keep]
    mu = s1 / cnt
    sd = np.sqrt(np.maximum(s2 / cnt - mu * mu, 0.0))
    lo = np.maximum(mu - sd, mu * 1e-3)
    return np.concatenate([lo, mu + sd]), np.concatenate([cnt, cnt]) * 0.5


def _compress(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights reproducing the moments 0..2 of ``s`` in bins 1/16 of an octave wide.

    Used only for the starting point of Newton's method on the full spectrum.
    """
    M = s.size
    asc = s if s[0] <= s[-1] else s[::-1]
    if bool(np.all(asc[1:] >= asc[:-1])):              # sorted spectrum: contiguous bins
        lo, hi = asc[0], asc[-1]
        nb = int(np.floor((1 << _COMPRESS_BITS) * np.log2(hi / lo))) + 1
        edges = lo * 2.0 ** (np.arange(nb) / (1 << _COMPRESS_BITS))
        starts = np.unique(np.searchsorted(asc, edges, side="left"))
        starts = starts[starts < M]
        s1 = np.add.reduceat(asc, starts)
        s2 = np.add.reduceat(asc * asc, starts)
        cnt = np.diff(np.append(starts, M))
        return _bin_nodes(cnt, s1, s2)
    key = s.view(np.int64) >> (52 - _COMPRESS_BITS)     # sign 0, exponent, top mantissa bits
    key -= key.min()
    return _bin_nodes(np.bincount(key), np.bincount(key, weights=s), np.bincount(key, weights=s * s))


def _sums(a: np.ndarray, s: np.ndarray, w: np.ndarray | None, full: bool):
    """``t = sum w_I s_I/(1+a s_I)``, ``r = sum w_I s_I/(1+a s_I)^2`` (and ``S2 = sum w s^2/(1+a s)^2``).

    ``a`` is 1-D (one entry per ridge); ``w`` optional weights of the nodes ``s``.  One pass over
    the spectrum per call, in cache-sized blocks.
    """
    G, Ms = a.size, s.size
    t = np.empty(G)
    r = np.empty(G)
    S2 = np.empty(G) if full else None
    if G > 1 and Ms >= _BLOCK // 4:                       # few ridges, long spectrum
        for i in range(G):
            ti, ri, Si = _sums(a[i:i + 1], s, w, full)
            t[i], r[i] = ti[0], ri[0]
            if full:
                S2[i] = Si[0]
        return t, r, S2
    if G == 1:
        a0 = float(a[0])
        ch = min(Ms, _CHUNK)
        x = np.empty(ch)
        sw = np.empty(ch)
        tt = rr = SS = 0.0
        for i0 in range(0, Ms, ch):
            ss = s[i0:i0 + ch]
            k = ss.size
            xv, swv = x[:k], sw[:k]
            np.multiply(ss, a0, out=xv)
            np.add(xv, 1.0, out=xv)
            np.reciprocal(xv, out=xv)                     # 1/(1 + a s)
            np.multiply(ss, xv, out=swv)                  # s/(1 + a s)
            if w is None:
                tt += swv.sum()
                rr += np.einsum("i,i->", swv, xv)
                if full:
                    SS += np.einsum("i,i->", swv, swv)
            else:
                ww = w[i0:i0 + ch]
                tt += np.einsum("i,i->", swv, ww)
                rr += np.einsum("i,i,i->", swv, xv, ww)
                if full:
                    SS += np.einsum("i,i,i->", swv, swv, ww)
        t[0], r[0] = tt, rr
        if full:
            S2[0] = SS
        return t, r, S2
    sw_ = s if w is None else s * w
    cols = np.stack([sw_, sw_ * s]) if full else sw_[None, :]
    rows = max(1, _BLOCK // Ms)
    for i0 in range(0, G, rows):
        i1 = min(G, i0 + rows)
        X = np.multiply.outer(a[i0:i1], s)
        X += 1.0
        np.reciprocal(X, out=X)
        t[i0:i1] = X @ sw_
        X *= X
        out = X @ cols.T
        r[i0:i1] = out[:, 0]
        if full:
            S2[i0:i1] = out[:, 1]
    return t, r, S2


def _newton(u, lo, hi, gam, n, Delta, s, w, full, tol_floor, maxit):
    """Safeguarded Newton on F(u) = log((y + d_n)/n), u = log a; vectorised over the ridges.

    Returns u and the sums (t, r, S2) evaluated at the returned u.
    """
    G = u.size
    t = np.empty(G)
    r = np.empty(G)
    S2 = np.empty(G) if full else None
    active = np.arange(G)
    uu, ll, hh = u.copy(), lo.copy(), hi.copy()
    prev = np.full(G, np.inf)
    for it in range(maxit):
        ua = uu[active]
        a = np.exp(ua)
        ti, ri, Si = _sums(a, s, w, full)
        g = gam[active]
        y = a * ti
        z = a * ri
        x = a * g
        dn = 2.0 * x / (Delta + np.sqrt(Delta * Delta + 4.0 * x))
        adn = dn * (dn + Delta) / (2.0 * dn + Delta)
        S = y + dn
        Hp = z + adn
        step = np.log(S / n) * S / Hp
        neg = S < n
        ll[active] = np.where(neg, ua, ll[active])
        hh[active] = np.where(neg, hh[active], ua)
        tol = np.maximum(tol_floor, 64.0 * _EPS * (S + n) / Hp)
        done = (np.abs(step) <= tol) | ((np.abs(step) <= 1e2 * tol) & (np.abs(step) >= 0.5 * prev[active]))
        done |= (hh[active] - ll[active]) <= 4 * _EPS * np.maximum(1.0, np.abs(ua))
        t[active], r[active] = ti, ri
        if full:
            S2[active] = Si
        prev[active] = np.abs(step)
        unew = ua - step
        outside = ~((unew > ll[active]) & (unew < hh[active]))
        unew = np.where(outside, 0.5 * (ll[active] + hh[active]), unew)
        keep = ~done
        uu[active[keep]] = unew[keep]
        active = active[keep]
        if active.size == 0:
            return uu, t, r, S2
    raise RuntimeError("the consistency relation (Eq. 99) did not converge; please report the parameters")


class _Spectrum:
    """``s = lambda sigma_u2/M`` (one weight per entry, or weighted nodes) with its compressed copy."""

    def __init__(self, s: np.ndarray, w: np.ndarray | None = None):
        self.s, self.w = s, w
        self.M = s.size if w is None else float(w.sum())
        self.t0 = float(s.sum() if w is None else s @ w)
        self._proxy = None

    @property
    def proxy(self) -> "_Spectrum | None":
        if self._proxy is None and self.w is None and self.s.size > _COMPRESS_MIN:
            self._proxy = _Spectrum(*_compress(self.s))
        return self._proxy


def _solve(N, T, gam, spec: _Spectrum):
    """Root ``a = gamma xi`` of Eq. (99) for a 1-D array of ridges; returns a and the sums at a."""
    n, m = min(N, T), max(N, T)
    Delta = m - n
    t0 = spec.t0
    lg = np.log(gam)
    # bracket in u = log a: H < 0 at lo (a t0 <= n/4, d_n <= sqrt(a gamma) <= n/4), H > 0 at hi (d_n > n)
    lo = np.minimum(math.log(n / (4.0 * t0)), 2.0 * math.log(n) - math.log(16.0) - lg)
    hi = np.minimum(math.log(4.0 * N * T) - lg, _U_MAX)
    u0 = np.clip(math.log(n) - np.logaddexp(math.log(t0), lg - math.log(max(Delta, 1.0))), lo, hi)
    prox = spec.proxy
    if prox is not None:
        try:
            u0, _, _, _ = _newton(u0, lo, hi, gam, n, Delta, prox.s, prox.w, False, 1e-11, 200)
        except RuntimeError:
            pass
    u, t, r, S2 = _newton(u0, lo, hi, gam, n, Delta, spec.s, spec.w, True, 1e-13, 200)
    if np.any(u >= _U_MAX - 1.0):
        bad = gam[u >= _U_MAX - 1.0][0]
        raise ValueError(f"gamma: {bad:g} is too small for double precision here (gamma xi overflows); "
                         "use test_loss_mp")
    return np.exp(u), t, r, S2


def _evaluate(N, T, gf, spec: _Spectrum, sig, pref) -> dict:
    """All fields of :class:`ClosedFormResult` for a 1-D array of ridges ``gf`` (stable forms)."""
    with np.errstate(over="ignore", under="ignore"):
        return _evaluate_unguarded(N, T, gf, spec, sig, pref)


def _evaluate_unguarded(N, T, gf, spec, sig, pref):
    a, t, r, S2 = _solve(N, T, gf, spec)
    n, m = min(N, T), max(N, T)
    Delta = m - n
    x = a * gf
    dn = 2.0 * x / (Delta + np.sqrt(Delta * Delta + 4.0 * x))
    dm = dn + Delta
    dN, dT = (dn, dm) if N <= T else (dm, dn)
    z = a * r                                     # sum_I p_I (1 - p_I)
    l = r / sig                                   # tr[Lambdahat (1+a Lambda Sigma)^-2], Lambdahat = Lambda
    q = dN / (N * gf)
    Q = dT / (T * gf)
    xi = a / gf
    denom = dN * dT + z * (dN + dT)
    r_c = T * T * Q * Q * S2
    v = N * N * q * q * S2
    return dict(loss=pref * l * (N * T) / denom, gamma=gf, q=q, Q=Q, xi=xi, l=l, r_c=r_c, v=v,
                r_dp=r, D=denom / (N * T), resummation_factor=N * (dT + z) / denom,
                primary=l * T / (dT + z))


def _prepare(N, T, spectrum, sigma_u2, sigma_w2, C):
    N = _positive_real(N, "N", 1.0)
    T = _positive_real(T, "T", 1.0)
    su = _positive_real(sigma_u2, "sigma_u2")
    sw = _positive_real(sigma_w2, "sigma_w2")
    cc = _positive_real(C, "C")
    lam = _spectrum_array(spectrum)
    M = lam.size
    sig = su / M
    return N, T, _Spectrum(lam * sig), sig, cc * sw / (2.0 * M)


def test_loss(N, T, gamma, spectrum, sigma_u2=1, sigma_w2=1, C=1) -> ClosedFormResult:
    r"""The planar test loss ``<L>`` of Eq. (104) with ``Lambdahat = Lambda = diag(spectrum)``.

    ``gamma`` may be a number or an array (the computation is vectorised over it; the fields of the
    result then have its shape).  ``Sigma = (sigma_u2/M) 1`` with ``M = len(spectrum)``.  The
    consistency relation (Eqs. 44/99) is solved on the physical branch ``<q>, <Q> > 0`` (module
    docstring); the result is exactly symmetric under ``N <-> T``.

    >>> r = test_loss(100, 150, [1e-4, 1e-2, 1.0], power_law_spectrum(600, 0.5))
    >>> r.loss.shape, bool(r.q.min() > 0), bool(r.Q.min() > 0)
    ((3,), True, True)
    >>> bool(abs(r.l / r.D - r.resummation_factor * r.primary).max() < 1e-12 * r.l.max())  # Eq. (93)
    True
    """
    N, T, spec, sig, pref = _prepare(N, T, spectrum, sigma_u2, sigma_w2, C)
    g, scalar = _gamma_array(gamma)
    vals = _evaluate(N, T, g.ravel(), spec, sig, pref)
    if scalar:
        vals = {k: float(v[0]) for k, v in vals.items()}
    else:
        vals = {k: v.reshape(g.shape) for k, v in vals.items()}
    return ClosedFormResult(**vals)


test_loss.__test__ = False  # not a pytest test, despite its name


# ---------------------------------------------------------------------------------------------
# mpmath path
# ---------------------------------------------------------------------------------------------

def _mpf(value, name: str):
    try:
        if isinstance(value, Fraction):
            return mpmath.mpf(value.numerator) / value.denominator
        if isinstance(value, str):
            f = Fraction(value.strip())
            return mpmath.mpf(f.numerator) / f.denominator
        if hasattr(value, "p") and hasattr(value, "q"):       # sympy Rational
            return mpmath.mpf(int(value.p)) / int(value.q)
        return mpmath.mpf(value)
    except (TypeError, ValueError, ZeroDivisionError):
        raise ValueError(f"{name}: cannot read {value!r} as a number") from None


def test_loss_mp(N, T, gamma, spectrum, sigma_u2=1, sigma_w2=1, C=1, dps: int = 50) -> ClosedFormResult:
    r"""Eq. (104) in mpmath at ``dps`` decimal digits (scalar ``gamma``); fields are ``mpf``.

    Inputs may be ints, floats, Fractions, sympy Rationals, mpf or strings such as ``"1/3"``.
    The consistency relation (Eq. 99) is solved by a bracketed Newton iteration at working precision
    (started from the double-precision root) and the quantities of REFERENCE Sec. 2 are then
    evaluated from their definitions: ``gamma<q> = 1 - a t/N``, ``D = (1 - gamma^2 N <q>^2 r_c)
    (1 - gamma^2 T <Q>^2 v) - gamma^2 xi^2 r_d'^2/(N T)``, ``P`` and ``R`` of Eq. (93).  Near ``N = T`` at
    tiny ``gamma`` these definitions cancel many digits (about ``1.5 log10(1/gamma)`` at ``N = T``);
    the working precision is raised by that amount, estimated from the double-precision solution,
    so that the returned values carry ``dps`` digits.

    >>> r = test_loss_mp(2, 3, "1/10", ["1", "1/2"], dps=30)
    >>> mpmath.nstr(r.loss, 15)
    '0.0886038037073433'
    """
    if isinstance(dps, bool) or int(dps) != dps or dps < 15:
        raise ValueError(f"dps: must be an integer >= 15, got {dps}")
    dps = int(dps)
    # validation and the double-precision starting point
    Nf = _positive_real(N, "N", 1.0)
    Tf = _positive_real(T, "T", 1.0)
    for val, name in ((sigma_u2, "sigma_u2"), (sigma_w2, "sigma_w2"), (C, "C")):
        _positive_real(float(_mpf(val, name)), name)
    gf = float(_mpf(gamma, "gamma"))
    if not (gf > 0 and math.isfinite(gf)):
        raise ValueError(f"gamma: the ridge parameter must be finite and > 0, got {gamma}")
    if spectrum is None or len(spectrum) == 0:
        raise ValueError("spectrum: must contain at least one eigenvalue (all > 0)")
    with mpmath.workdps(dps + 10):
        lam = [_mpf(v, "spectrum") for v in spectrum]
    if any(not (v > 0) for v in lam) or any(not mpmath.isfinite(v) for v in lam):
        raise ValueError("spectrum: all eigenvalues must be finite and > 0")
    # double-precision solution: starting point, and how many digits the definitions cancel
    lamf = np.array([float(v) for v in lam])
    a0 = None
    extra = 10 + int(2 * max(0.0, -math.log10(gf)))
    try:
        with np.errstate(all="ignore"):
            rf = test_loss(Nf, Tf, gf, lamf, float(_mpf(sigma_u2, "sigma_u2")))
        if rf.xi > 0 and math.isfinite(rf.xi * gf):
            a0 = rf.xi * gf
            lost = max(0.0, -math.log10(gf * min(rf.q, rf.Q))) + max(0.0, -math.log10(rf.D))
            extra = 10 + int(math.ceil(lost))
    except (RuntimeError, FloatingPointError, OverflowError, ValueError, ZeroDivisionError):
        pass
    with mpmath.workdps(dps + extra):
        lam = [_mpf(v, "spectrum") for v in spectrum]
        Nm, Tm, gm = _mpf(N, "N"), _mpf(T, "T"), _mpf(gamma, "gamma")
        su, sw, cc = _mpf(sigma_u2, "sigma_u2"), _mpf(sigma_w2, "sigma_w2"), _mpf(C, "C")
        M = len(lam)
        sig = su / M
        s = [v * sig for v in lam]
        n, mx = min(Nm, Tm), max(Nm, Tm)
        Delta = mx - n
        t0 = mpmath.fsum(s)

        def evaluate(u):
            a = mpmath.exp(u)
            w = [1 / (1 + a * si) for si in s]
            t = mpmath.fsum(si * wi for si, wi in zip(s, w))
            r = mpmath.fsum(si * wi * wi for si, wi in zip(s, w))
            x = a * gm
            dn = 2 * x / (Delta + mpmath.sqrt(Delta * Delta + 4 * x))
            S = a * t + dn
            Hp = a * r + dn * (dn + Delta) / (2 * dn + Delta)
            return mpmath.log(S / n) * S / Hp, S - n

        lo = mpmath.log(min(n / (4 * t0), n * n / (16 * gm)))
        hi = mpmath.log(4 * Nm * Tm / gm)
        u = mpmath.log(a0) if a0 and a0 > 0 and math.isfinite(a0) else (lo + hi) / 2
        if not (lo < u < hi):
            u = (lo + hi) / 2
        tol = mpmath.mpf(10) ** (-(dps + extra - 8))
        for _ in range(400):
            step, H = evaluate(u)
            if H < 0:
                lo = u
            else:
                hi = u
            if abs(step) <= tol * max(1, abs(u)) or hi - lo <= tol * max(1, abs(u)):
                break
            un = u - step
            u = un if lo < un < hi else (lo + hi) / 2
        else:
            raise RuntimeError("the consistency relation (Eq. 99) did not converge in mpmath")
        a = mpmath.exp(u)
        w = [1 / (1 + a * si) for si in s]
        t = mpmath.fsum(si * wi for si, wi in zip(s, w))
        l = mpmath.fsum(li * wi * wi for li, wi in zip(lam, w))
        r_dp = mpmath.fsum(si * wi * wi for si, wi in zip(s, w))
        S2 = mpmath.fsum((si * wi) ** 2 for si, wi in zip(s, w))
        q = (1 - a * t / Nm) / gm
        Q = (1 - a * t / Tm) / gm
        xi = Nm * Tm * q * Q
        r_c = Tm ** 2 * Q ** 2 * S2
        v = Nm ** 2 * q ** 2 * S2
        A = gm ** 2 * Nm * q ** 2 * r_c
        B = gm ** 2 * Tm * Q ** 2 * v
        G = gm ** 2 * xi ** 2 / (Nm * Tm) * r_dp ** 2
        D = (1 - A) * (1 - B) - G
        P = l / (1 - B)
        R = 1 / (1 - A - G / (1 - B))
        loss = cc * sw / (2 * M) * l / D
        vals = dict(loss=loss, gamma=gm, q=q, Q=Q, xi=xi, l=l, r_c=r_c, v=v, r_dp=r_dp, D=D,
                    resummation_factor=R, primary=P)
    with mpmath.workdps(dps):
        vals = {k: +v for k, v in vals.items()}      # round to dps digits
    return ClosedFormResult(**vals)


test_loss_mp.__test__ = False


# ---------------------------------------------------------------------------------------------
# optimal ridge
# ---------------------------------------------------------------------------------------------

class OptimalRidge(tuple):
    """``(gamma_star, loss_star)``, with attributes ``gamma``, ``loss``, ``result`` (the
    :class:`ClosedFormResult` at ``gamma_star``) and ``at_boundary`` (True when the minimum over
    ``gamma_bounds`` is at one of its ends, e.g. a loss that decreases all the way to ``gamma -> 0``)."""

    def __new__(cls, gamma, loss, result, at_boundary):
        obj = super().__new__(cls, (gamma, loss))
        obj.gamma, obj.loss, obj.result, obj.at_boundary = gamma, loss, result, at_boundary
        return obj

    def __repr__(self):
        return f"OptimalRidge(gamma={self.gamma!r}, loss={self.loss!r}, at_boundary={self.at_boundary})"


def optimal_ridge(N, T, spectrum, sigma_u2=1, sigma_w2=1, C=1, gamma_bounds=None,
                  points_per_decade: int = 8, xtol: float = 1e-8) -> OptimalRidge:
    r"""The ridge minimising Eq. (104): ``(gamma_star, loss_star)`` (an :class:`OptimalRidge`).

    A vectorised scan over ``log gamma`` (``points_per_decade``) brackets the minimum, which
    ``scipy.optimize.minimize_scalar`` (bounded Brent in ``log gamma``) then refines.  The default
    ``gamma_bounds`` run from ``4 N T max(s) `` (beyond which the loss is flat at its
    ``gamma -> inf`` value) down 16 decades, ``s = spectrum sigma_u2/M``.

    >>> lam = power_law_spectrum(2000, 1.0)
    >>> opt = optimal_ridge(100, 400, lam)
    >>> g, L = opt
    >>> bool(L < test_loss(100, 400, [g / 3, 3 * g], lam).loss.min())
    True
    """
    from scipy.optimize import minimize_scalar

    Nf, Tf, spec, sig, pref = _prepare(N, T, spectrum, sigma_u2, sigma_w2, C)
    s_max = float(spec.s.max())
    if gamma_bounds is None:
        g_hi = 4.0 * Nf * Tf * s_max
        g_lo = g_hi * 1e-16
    else:
        try:
            g_lo, g_hi = (float(Fraction(b)) if isinstance(b, str) else float(b) for b in gamma_bounds)
        except (TypeError, ValueError, ZeroDivisionError):
            raise ValueError("gamma_bounds: give two numbers 0 < low < high") from None
        if not (0 < g_lo < g_hi and math.isfinite(g_hi)):
            raise ValueError(f"gamma_bounds: need 0 < low < high, got {gamma_bounds}")
    if int(points_per_decade) < 2:
        raise ValueError(f"points_per_decade: must be >= 2, got {points_per_decade}")
    k = max(3, int(math.ceil(math.log10(g_hi / g_lo) * int(points_per_decade))) + 1)
    logs = np.linspace(math.log(g_lo), math.log(g_hi), k)
    # coarse scan on the compressed spectrum (relative accuracy ~1e-8), refinement on the full one
    scan = spec.proxy or spec
    losses = _evaluate(Nf, Tf, np.exp(logs), scan, sig, pref)["loss"]
    i = int(np.argmin(losses))

    def f(lg):
        return float(_evaluate(Nf, Tf, np.array([math.exp(lg)]), spec, sig, pref)["loss"][0])

    at_boundary = i in (0, k - 1)
    best_lg = logs[i]
    best_L = f(best_lg)
    if not at_boundary:
        res = minimize_scalar(f, bounds=(logs[i - 1], logs[i + 1]), method="bounded",
                              options={"xatol": xtol, "maxiter": 500})
        if res.fun <= best_L:
            best_lg, best_L = float(res.x), float(res.fun)
    g_star = math.exp(best_lg)
    result = ClosedFormResult(**{key: float(v[0]) for key, v in
                                 _evaluate(Nf, Tf, np.array([g_star]), spec, sig, pref).items()})
    return OptimalRidge(g_star, float(result.loss), result, at_boundary)
