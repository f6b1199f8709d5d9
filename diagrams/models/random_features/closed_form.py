r"""The planar (large N, T, M) test loss of the random-feature model at any ridge, Eq. (104).

Zhang 2024, arXiv:2405.19398, Eqs. 44, 93, 99, 104 (``docs/physics.md`` Sec. 3)::

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
``log(y + d_n) - log n`` in ``log a`` (safeguarded by a bracket), with ``n - y`` taken from the
complements ``1 - p_I = 1/(1 + a s_I)`` of the ``K`` eigenvalues with ``a s_I >= 1``:
``n - y = (n - K) + sum_large (1 - p_I) - sum_small p_I``, whose rounding error is a few ulps of
``|n - K| + 2 z`` instead of ``n`` (at ``N = M`` and small ``gamma`` every ``p_I`` is close to 1 and
``n - y`` is tiny).  For M > 4096 Newton starts from the root for a compressed copy of the spectrum
(bins 1/16 of an octave wide, two nodes per bin), so a large spectrum costs two or three passes.  The loss is then evaluated in the cancellation-free form

    D = [d_N d_T + z (d_N + d_T)] / (N T),   z = sum_I p_I (1 - p_I) = a r_d',
    P = l T / (d_T + z),   R = N (d_T + z) / [d_N d_T + z (d_N + d_T)],

(algebraically identical to the definitions above once Eq. 99 holds), which stays accurate for
``gamma -> 0`` at and near ``N = T`` where ``D -> 0``.  :func:`closed_form_loss_mp` solves the same relation in
mpmath and evaluates the definitions of Sec. 2 literally, as an independent check.

>>> lam = power_law_spectrum(600, 0.5)
>>> r = closed_form_loss(100, 150, 1e-2, lam)
>>> print(f"{r.loss:.4g}")
0.000363
>>> abs(r.loss - closed_form_loss(150, 100, 1e-2, lam).loss) < 1e-15
True
>>> abs(float(closed_form_loss_mp(100, 150, "1/100", lam, dps=30).loss) / r.loss - 1) < 1e-10
True
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, fields
from typing import Any

import mpmath
import numpy as np

from diagrams.engine.numbers import read_integer
from diagrams.models.random_features.inputs import (MAX_RIDGE, MAX_SIZE, MAX_SPECTRUM_LENGTH, SCALE_RANGE, read_exact,
                                                     real_in_range,
                                                     read_exact_spectrum, read_ridges, read_scale, read_size,
                                                     read_spectrum, to_mpf)

__all__ = [
    "ClosedFormResult",
    "OptimalRidge",
    "power_law_spectrum",
    "closed_form_loss",
    "closed_form_loss_mp",
    "optimal_ridge",
    "ridgeless_loss",
    "RIDGE_LIMITS",
    "MAX_ALPHA",
    "MAX_DPS",
]

_EPS = np.finfo(float).eps
#: Largest power-law exponent accepted by :func:`power_law_spectrum`.
MAX_ALPHA = 100.0
#: Largest working precision (decimal digits) of :func:`closed_form_loss_mp`.
MAX_DPS = 1000


# ---------------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------------

def power_law_spectrum(M: int, alpha: float, lambda_plus: float = 1.0) -> np.ndarray:
    r"""The power-law data spectrum ``lambda_I = lambda_+ I^-(1+alpha)`` for ``I = 1..M``.

    Paper Sec. IV.

    Parameters
    ----------
    M : int
        Number of latent directions, ``1 <= M <= 10**8``.
    alpha : float
        Exponent, ``0 < alpha <= 100``; the smallest eigenvalue ``lambda_+ M^-(1+alpha)`` must not
        fall below ``1e-100`` (the range of :mod:`~diagrams.models.random_features.inputs`).
    lambda_plus : float
        Largest eigenvalue, in ``[1e-100, 1e100]``.

    Raises
    ------
    ValueError
        Naming the parameter and its range.

    Examples
    --------
    >>> power_law_spectrum(3, 1.0, 2.0)
    array([2.        , 0.5       , 0.22222222])
    """
    M = read_integer(M, "M", minimum=1, maximum=MAX_SPECTRUM_LENGTH)
    alpha = real_in_range(alpha, "alpha", minimum=0, maximum=MAX_ALPHA, strict_minimum=True)
    lambda_plus = read_scale(lambda_plus, "lambda_plus")
    if math.log10(lambda_plus) - (1.0 + alpha) * math.log10(M) < math.log10(SCALE_RANGE[0]):
        top = (math.log10(lambda_plus) - math.log10(SCALE_RANGE[0])) / math.log10(M) - 1.0
        raise ValueError(f"alpha: with M = {M} and lambda_plus = {lambda_plus:g} the smallest eigenvalue "
                         f"lambda_+ M^-(1+alpha) must be >= 1e-100, i.e. alpha <= {top:.6g}; got {alpha:g}")
    idx = np.arange(1, M + 1, dtype=float)
    return lambda_plus * idx ** (-(1.0 + alpha))


# ---------------------------------------------------------------------------------------------
# result
# ---------------------------------------------------------------------------------------------

@dataclass
class ClosedFormResult:
    """The planar test loss of the closed form and its ingredients at one ridge or an array of ridges.

    The closed form is Eq. (104).
    Fields are floats / numpy arrays (:func:`closed_form_loss`) or ``mpmath.mpf``
    (:func:`closed_form_loss_mp`).  :meth:`as_dict` gives field name -> value, with numpy arrays as
    lists and numpy scalars as floats (``mpf`` kept).

    Parameters
    ----------
    loss : float, numpy.ndarray or mpmath.mpf
        ``<L>``.
    gamma : float, numpy.ndarray or mpmath.mpf
        The ridge(s).
    q : float, numpy.ndarray or mpmath.mpf
        ``<q> = tr<q>/N``.
    Q : float, numpy.ndarray or mpmath.mpf
        ``<Q> = tr<Q>/T``.
    xi : float, numpy.ndarray or mpmath.mpf
        ``N T <q><Q>`` (Eq. 45).
    l, r_c, v : float, numpy.ndarray or mpmath.mpf
        The latent trace ``l``, the connected part ``r_c`` and the rung ``v`` of Eq. (104).
    r_dp : float, numpy.ndarray or mpmath.mpf
        The rung ``r_d'``.
    D : float, numpy.ndarray or mpmath.mpf
        The denominator of Eq. (104).
    resummation_factor, primary : float, numpy.ndarray or mpmath.mpf
        The resummation factor ``R`` and the primary diagrams ``P``, with ``l/D = R P`` (Eq. 93).

    Examples
    --------
    >>> r = closed_form_loss(2, 3, 0.1, [1, 0.5])
    >>> round(r.loss, 12), r.gamma
    (0.088603803707, 0.1)
    >>> abs(r.l / r.D - r.resummation_factor * r.primary) < 1e-15
    True
    >>> sorted(r.as_dict())[:3]
    ['D', 'Q', 'gamma']
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


def _compress(desc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights reproducing the moments 0..2 of the decreasing ``desc`` in bins 1/16 of an
    octave wide.  Used only for the starting point of Newton's method on the full spectrum."""
    M = desc.size
    asc = desc[::-1]
    lo, hi = asc[0], asc[-1]
    nb = int(np.floor((1 << _COMPRESS_BITS) * np.log2(hi / lo))) + 1
    edges = lo * 2.0 ** (np.arange(nb) / (1 << _COMPRESS_BITS))
    starts = np.unique(np.searchsorted(asc, edges, side="left"))
    starts = starts[starts < M]
    s1 = np.add.reduceat(asc, starts)
    s2 = np.add.reduceat(asc * asc, starts)
    cnt = np.diff(np.append(starts, M))
    return _bin_nodes(cnt, s1, s2)


class _Spectrum:
    """``s = lambda sigma_u2/M`` in decreasing order (one weight per entry, or weighted nodes), with
    its compressed copy.  The order lets :meth:`split` find the eigenvalues with ``a s >= 1``."""

    def __init__(self, s: np.ndarray, w: np.ndarray | None = None):
        if s.size > 1 and not bool(np.all(s[1:] <= s[:-1])):
            order = np.argsort(s, kind="stable")[::-1]
            s = s[order]
            w = None if w is None else w[order]
        self.s = np.ascontiguousarray(s)
        self.w = None if w is None else np.ascontiguousarray(w)
        self.asc = self.s[::-1]
        self.cw = None if w is None else np.concatenate([[0.0], np.cumsum(self.w)])
        self.M = s.size if w is None else float(self.w.sum())
        self.t0 = float(self.s.sum() if w is None else self.s @ self.w)
        self._proxy = None

    def split(self, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per ridge: the number ``k`` of leading eigenvalues with ``a s >= 1`` and their weight ``K``."""
        k = self.s.size - np.searchsorted(self.asc, 1.0 / a, side="left")
        return k, (k.astype(float) if self.w is None else self.cw[k])

    @property
    def proxy(self) -> "_Spectrum | None":
        if self._proxy is None and self.w is None and self.s.size > _COMPRESS_MIN:
            self._proxy = _Spectrum(*_compress(self.s))
        return self._proxy


def _sums(a: np.ndarray, spec: _Spectrum, full: bool):
    r"""The sums of one Newton step, for a 1-D array ``a`` (one entry per ridge).

    With ``x_I = 1/(1 + a s_I) = 1 - p_I`` and ``K`` the weight of the eigenvalues with
    ``a s_I >= 1`` ("large"), returns ``(c, K, r, S2)``:

    * ``c = sum_large w x - sum_small w p``, so that ``n - y = (n - K) + c`` exactly -- each ``p_I``
      close to 1 enters through its complement ``x_I``, which is computed without cancellation;
    * ``r = sum w s x^2`` (= r_d') and ``S2 = sum w s^2 x^2`` (only with ``full``).

    One pass over the spectrum per call, in cache-sized blocks.
    """
    s, w = spec.s, spec.w
    G, Ms = a.size, s.size
    ks, K = spec.split(a)
    c = np.empty(G)
    r = np.empty(G)
    S2 = np.empty(G) if full else None
    if G > 1 and Ms >= _BLOCK // 4:                       # few ridges, long spectrum
        for i in range(G):
            ci, _, ri, Si = _sums(a[i:i + 1], spec, full)
            c[i], r[i] = ci[0], ri[0]
            if full:
                S2[i] = Si[0]
        return c, K, r, S2
    if G == 1:
        a0, k = float(a[0]), int(ks[0])
        ch = min(Ms, _CHUNK)
        x = np.empty(ch)
        sx = np.empty(ch)
        big = small = rr = SS = 0.0
        for lo, hi, large in ((0, k, True), (k, Ms, False)):
            for i0 in range(lo, hi, ch):
                i1 = min(hi, i0 + ch)
                ss = s[i0:i1]
                xv, sxv = x[:i1 - i0], sx[:i1 - i0]
                np.multiply(ss, a0, out=xv)
                np.add(xv, 1.0, out=xv)
                np.reciprocal(xv, out=xv)                 # x = 1/(1 + a s)
                np.multiply(ss, xv, out=sxv)              # s x  (= p/a)
                if w is None:
                    if large:
                        big += xv.sum()
                    else:
                        small += sxv.sum()
                    rr += np.einsum("i,i->", sxv, xv)
                    if full:
                        SS += np.einsum("i,i->", sxv, sxv)
                else:
                    ww = w[i0:i1]
                    if large:
                        big += np.einsum("i,i->", xv, ww)
                    else:
                        small += np.einsum("i,i->", sxv, ww)
                    rr += np.einsum("i,i,i->", sxv, xv, ww)
                    if full:
                        SS += np.einsum("i,i,i->", sxv, sxv, ww)
        c[0], r[0] = big - a0 * small, rr
        if full:
            S2[0] = SS
        return c, K, r, S2
    sw_ = s if w is None else s * w
    cols = np.stack([sw_, sw_ * s]) if full else sw_[None, :]
    rows = max(1, _BLOCK // Ms)
    sw_small = s if w is None else s * w
    for i0 in range(0, G, rows):
        i1 = min(G, i0 + rows)
        X = np.multiply.outer(a[i0:i1], s)
        X += 1.0
        np.reciprocal(X, out=X)                           # x = 1/(1 + a s)
        c[i0:i1] = _split_row_sums(X, ks[i0:i1], a[i0:i1], w, sw_small)
        X *= X
        out = X @ cols.T
        r[i0:i1] = out[:, 0]
        if full:
            S2[i0:i1] = out[:, 1]
    return c, K, r, S2


def _split_row_sums(X: np.ndarray, k: np.ndarray, a: np.ndarray, w, sw: np.ndarray) -> np.ndarray:
    """Per row ``i``: ``sum_{j < k_i} w_j X_ij - a_i sum_{j >= k_i} sw_j X_ij`` (two segmented sums).

    The large eigenvalues of row ``i`` are its first ``k_i`` columns (the spectrum is decreasing);
    ``np.add.reduceat`` sums both segments of every row in one pass per array, each segment on its
    own, so no sum is obtained as a difference of two larger ones.
    """
    R, Ms = X.shape
    big_src = (X if w is None else X * w).ravel()
    small_src = (X * sw).ravel()
    base = np.arange(R) * Ms
    starts = np.empty(2 * R, dtype=np.intp)
    starts[0::2] = base
    starts[1::2] = np.minimum(base + k, R * Ms - 1)
    big = np.add.reduceat(big_src, starts)[0::2]
    small = np.add.reduceat(small_src, starts)[1::2]
    big = np.where(k > 0, big, 0.0)                       # an empty segment gives X[start], not 0
    small = np.where(k < Ms, small, 0.0)
    if k[-1] == Ms:                                       # the last row's second start was clamped
        big[-1] = big_src[base[-1]:].sum()
    return big - a * small


def _newton(u, lo, hi, gam, n, Delta, spec, full, tol_floor, maxit):
    """Safeguarded Newton on F(u) = log((y + d_n)/n), u = log a; vectorised over the ridges.

    ``y + d_n - n = d_n - (n - K) - c`` is evaluated from the complements (:func:`_sums`), so its
    rounding error is a few ulps of ``|n - K| + 2 z + d_n`` rather than of ``n``: at ``N = T >= M``
    and small ``gamma`` every ``p_I`` is close to 1 and ``n - y`` is tiny.  The iteration stops when
    the step is below that rounding level (or ``tol_floor``), or when the step stops shrinking.
    Returns u and the sums (c, K, r, S2) evaluated at the returned u.
    """
    G = u.size
    r = np.empty(G)
    S2 = np.empty(G) if full else None
    active = np.arange(G)
    uu, ll, hh = u.copy(), lo.copy(), hi.copy()
    prev = np.full(G, np.inf)
    for it in range(maxit):
        ua = uu[active]
        a = np.exp(ua)
        ci, K, ri, Si = _sums(a, spec, full)
        g = gam[active]
        z = a * ri                                        # sum p (1 - p)
        x = a * g
        dn = 2.0 * x / (Delta + np.sqrt(Delta * Delta + 4.0 * x))
        adn = dn * (dn + Delta) / (2.0 * dn + Delta)      # d d_n / d u
        H = dn - ((n - K) + ci)                           # y + d_n - n
        Hp = z + adn
        step = np.log1p(H / n) * (n + H) / Hp
        neg = H < 0
        ll[active] = np.where(neg, ua, ll[active])
        hh[active] = np.where(neg, hh[active], ua)
        tol = np.maximum(tol_floor, 64.0 * _EPS * (np.abs(n - K) + 2.0 * z + 2.0 * dn) / Hp)
        done = (np.abs(step) <= tol) | ((np.abs(step) <= 1e2 * tol) & (np.abs(step) >= 0.5 * prev[active]))
        done |= (hh[active] - ll[active]) <= 4 * _EPS * np.maximum(1.0, np.abs(ua))
        r[active] = ri
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
            return uu, r, S2
    raise RuntimeError("the consistency relation (Eq. 99) did not converge; please report the parameters")


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
            u0, _, _ = _newton(u0, lo, hi, gam, n, Delta, prox, False, 1e-11, 200)
        except RuntimeError:
            pass
    u, r, S2 = _newton(u0, lo, hi, gam, n, Delta, spec, True, 1e-13, 200)
    if np.any(u >= _U_MAX - 1.0):
        raise _Overflow(float(gam[u >= _U_MAX - 1.0][0]), "gamma xi")
    return np.exp(u), r, S2


class _Overflow(ValueError):
    """A field of the result does not fit in double precision at ``gamma`` (a tiny ridge)."""

    def __init__(self, gamma: float, field: str):
        super().__init__(f"gamma: at gamma = {gamma:g} the field {field} overflows double precision for these "
                         "N, T and spectrum; use a larger gamma or closed_form_loss_mp")
        self.gamma, self.field = gamma, field


def _evaluate(N, T, gf, spec: _Spectrum, sig, pref) -> dict:
    """All fields of :class:`ClosedFormResult` for a 1-D array of ridges ``gf`` (stable forms).

    Raises :class:`_Overflow` when ``gamma xi`` or a field of the result overflows double precision.
    """
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        vals = _evaluate_unguarded(N, T, gf, spec, sig, pref)
    for key, v in vals.items():
        if not np.all(np.isfinite(v)):
            raise _Overflow(float(gf[~np.isfinite(v)][0]), key)
    return vals


def _smallest_ridge(N, T, spec: _Spectrum, sig, pref, bad: float) -> float:
    """The smallest ridge (to 1 %) at which every field fits in double precision; ``bad`` does not."""
    lo, hi = math.log(bad), math.log(MAX_RIDGE)
    while hi - lo > 0.01:
        mid = 0.5 * (lo + hi)
        try:
            _evaluate(N, T, np.array([math.exp(mid)]), spec, sig, pref)
            hi = mid
        except ValueError:
            lo = mid
    return math.exp(hi)


def _evaluate_unguarded(N, T, gf, spec, sig, pref):
    a, r, S2 = _solve(N, T, gf, spec)
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
    N = read_size(N, "N")
    T = read_size(T, "T")
    su = read_scale(sigma_u2, "sigma_u2")
    sw = read_scale(sigma_w2, "sigma_w2")
    cc = read_scale(C, "C")
    lam = read_spectrum(spectrum)
    M = lam.size
    sig = su / M
    return N, T, _Spectrum(lam * sig), sig, cc * sw / (2.0 * M)


def closed_form_loss(N, T, gamma, spectrum, sigma_u2=1, sigma_w2=1, C=1) -> ClosedFormResult:
    r"""The planar test loss ``<L>`` in closed form with ``Lambdahat = Lambda = diag(spectrum)``.

    This is Eq. (104).  ``Sigma = (sigma_u2/M) 1`` with ``M = len(spectrum)``.  The consistency
    relation (Eqs. 44/99) is
    solved on the physical branch ``<q>, <Q> > 0`` (module docstring); the result is exactly
    symmetric under ``N <-> T``, and every field agrees with :func:`closed_form_loss_mp` to about
    ``1e-12`` relative.

    Parameters
    ----------
    N, T : float
        Numbers of features and of training samples, in ``[1, 1e15]``.
    gamma : float or array_like
        Ridge(s), each in ``[2.2e-308, 1e300]``; the computation is vectorised over an array and the
        fields of the result then have its shape.
    spectrum : 1-D array_like
        Eigenvalues of ``Lambda``, each in ``[1e-100, 1e100]``; ``1 <= M <= 10**8`` of them.
    sigma_u2, sigma_w2, C : float
        Feature and teacher variances and the label dimension, each in ``[1e-100, 1e100]``.

    Returns
    -------
    ClosedFormResult
        Floats, or arrays of the shape of ``gamma``.

    Raises
    ------
    ValueError
        Naming the parameter and its range; also (naming ``gamma``) when a field of the result
        overflows double precision at a tiny ridge -- :func:`closed_form_loss_mp` has no such limit.

    Examples
    --------
    >>> r = closed_form_loss(100, 150, [1e-4, 1e-2, 1.0], power_law_spectrum(600, 0.5))
    >>> r.loss.shape, bool(r.q.min() > 0), bool(r.Q.min() > 0)
    ((3,), True, True)
    >>> bool(abs(r.l / r.D - r.resummation_factor * r.primary).max() < 1e-12 * r.l.max())  # Eq. (93)
    True
    """
    N, T, spec, sig, pref = _prepare(N, T, spectrum, sigma_u2, sigma_w2, C)
    g, scalar = read_ridges(gamma)
    try:
        vals = _evaluate(N, T, g.ravel(), spec, sig, pref)
    except _Overflow as exc:
        least = _smallest_ridge(N, T, spec.proxy or spec, sig, pref, exc.gamma)
        raise ValueError(f"gamma: must be >= {least:.2g} for these N, T and spectrum (below it {exc.field} "
                         f"overflows double precision; closed_form_loss_mp has no such limit), got {exc.gamma:g}") from None
    if scalar:
        vals = {k: float(v[0]) for k, v in vals.items()}
    else:
        vals = {k: v.reshape(g.shape) for k, v in vals.items()}
    return ClosedFormResult(**vals)




# ---------------------------------------------------------------------------------------------
# mpmath path
# ---------------------------------------------------------------------------------------------

def closed_form_loss_mp(N, T, gamma, spectrum, sigma_u2=1, sigma_w2=1, C=1, dps: int = 50) -> ClosedFormResult:
    r"""The planar test loss in closed form in mpmath at ``dps`` decimal digits, for one ridge.

    This is Eq. (104) with a scalar ``gamma``; the fields of the result are ``mpf``.  The
    consistency relation (Eq. 99) is solved by a bracketed Newton iteration at working precision
    (started from the double-precision root) and the quantities of Eq. (104) are then evaluated
    from their definitions: ``gamma<q> = 1 - a t/N``, ``D = (1 - gamma^2 N <q>^2 r_c)
    (1 - gamma^2 T <Q>^2 v) - gamma^2 xi^2 r_d'^2/(N T)``, ``P`` and ``R`` of Eq. (93).  Near ``N = T`` at
    tiny ``gamma`` these definitions cancel many digits (about ``1.5 log10(1/gamma)`` at ``N = T``);
    the working precision is raised by that amount, estimated from the double-precision solution,
    so that the returned values carry ``dps`` digits.

    Parameters
    ----------
    N, T : number, str or mpmath.mpf
        Numbers of features and of training samples, in ``[1, 1e15]``.
    gamma : number, str or mpmath.mpf
        The ridge (a scalar), in ``[2.2e-308, 1e300]``.
    spectrum : sequence of numbers or str
        Eigenvalues of ``Lambda``, each in ``[1e-100, 1e100]``; at most ``10**6`` of them.
    sigma_u2, sigma_w2, C : number, str or mpmath.mpf, optional
        Feature and teacher variances and the label dimension, each in ``[1e-100, 1e100]``.

        Every number may be an int, a Fraction, a sympy Rational, text such as ``"1/3"``, a float
        (taken at its exact binary value) or an ``mpf``; the ranges are those of
        :func:`closed_form_loss`.
    dps : int, optional
        Decimal digits of the result, ``15 <= dps <= 1000``.

    Returns
    -------
    ClosedFormResult
        With ``mpf`` fields rounded to ``dps`` digits.

    Raises
    ------
    ValueError
        Naming the parameter and its range.

    Examples
    --------
    >>> r = closed_form_loss_mp(2, 3, "1/10", ["1", "1/2"], dps=30)
    >>> mpmath.nstr(r.loss, 15)
    '0.0886038037073433'
    """
    dps = read_integer(dps, "dps", minimum=15, maximum=MAX_DPS)
    Nx = read_exact(N, "N", minimum=1, maximum=MAX_SIZE)
    Tx = read_exact(T, "T", minimum=1, maximum=MAX_SIZE)
    gx = read_exact(gamma, "gamma", minimum=0, maximum=MAX_RIDGE, strict_minimum=True)
    sux, swx, ccx = (read_exact(v, name, minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1])
                     for v, name in ((sigma_u2, "sigma_u2"), (sigma_w2, "sigma_w2"), (C, "C")))
    lamx = read_exact_spectrum(spectrum)
    Nf, Tf, gf = float(Nx), float(Tx), float(gx)
    lamf = np.array([float(v) for v in lamx])
    # double-precision solution: starting point, and how many digits the definitions cancel
    a0 = None
    extra = 10 + int(2 * max(0.0, -math.log10(gf)))
    try:
        with np.errstate(all="ignore"):
            rf = closed_form_loss(Nf, Tf, gf, lamf, float(sux))
        if rf.xi > 0 and math.isfinite(rf.xi * gf):
            a0 = rf.xi * gf
            lost = max(0.0, -math.log10(gf * min(rf.q, rf.Q))) + max(0.0, -math.log10(rf.D))
            extra = 10 + int(math.ceil(lost))
    except (RuntimeError, FloatingPointError, OverflowError, ValueError, ZeroDivisionError):
        pass
    with mpmath.workdps(dps + extra):
        lam = [to_mpf(v) for v in lamx]
        Nm, Tm, gm = to_mpf(Nx), to_mpf(Tx), to_mpf(gx)
        su, sw, cc = to_mpf(sux), to_mpf(swx), to_mpf(ccx)
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




# ---------------------------------------------------------------------------------------------
# optimal ridge
# ---------------------------------------------------------------------------------------------

#: Values of :attr:`OptimalRidge.limit`: the infimum of the loss is approached as the ridge goes to 0
#: or to infinity (the loss is monotone beyond the scanned ridges).
RIDGE_LIMITS = ("gamma->0", "gamma->inf")


class OptimalRidge(tuple):
    """The optimal ridge of the closed form and the loss there, as a pair ``(gamma_star, loss_star)``.

    A tuple with the attributes ``gamma``, ``loss``, ``result`` (the :class:`ClosedFormResult` at
    ``gamma_star``), ``at_boundary`` and ``limit``, returned by :func:`optimal_ridge`.

    ``limit`` is ``None`` when the loss has a minimum at a finite ridge (it rises on both sides of
    ``gamma_star``).  Otherwise it is ``"gamma->0"`` or ``"gamma->inf"``: the loss decreases
    monotonically towards that end, so there is no optimal ridge; :func:`optimal_ridge` then returns
    ``gamma`` = 0 or ``inf``, ``loss`` = the limit and ``result = None``.  ``at_boundary`` is True when
    ``gamma_star`` is an end of the searched range: always with a ``limit``, at an end of explicit
    ``gamma_bounds``, or where double precision ends (then with ``limit = None``).

    Parameters
    ----------
    gamma : float
        The optimal ridge ``gamma_star`` (``0`` or ``inf`` with a ``limit``).
    loss : float
        The loss there, ``loss_star`` (the limit's loss with a ``limit``).
    result : ClosedFormResult or None
        The closed form at ``gamma_star`` (``None`` with a ``limit``).
    at_boundary : bool
        Whether ``gamma_star`` is an end of the searched range.
    limit : {None, "gamma->0", "gamma->inf"}, optional
        The limit no finite ridge beats, if any.

    Examples
    --------
    >>> lam = power_law_spectrum(40, 1.0)
    >>> opt = optimal_ridge(10, 30, lam)
    >>> g, L = opt
    >>> round(g, 6), opt.limit, opt.at_boundary, opt.result.loss == L
    (0.033912, None, False, True)
    >>> optimal_ridge(10, 30, lam, gamma_bounds=(1, 2)).at_boundary
    True
    >>> OptimalRidge(0.0, 0.0, None, True, "gamma->0")
    OptimalRidge(gamma=0.0, loss=0.0, at_boundary=True, limit='gamma->0')
    """

    def __new__(cls, gamma, loss, result, at_boundary, limit=None):
        obj = super().__new__(cls, (gamma, loss))
        obj.gamma, obj.loss, obj.result = gamma, loss, result
        obj.at_boundary, obj.limit = at_boundary, limit
        return obj

    def __repr__(self):
        return (f"OptimalRidge(gamma={self.gamma!r}, loss={self.loss!r}, at_boundary={self.at_boundary}, "
                f"limit={self.limit!r})")


_LN10 = math.log(10.0)
_EXTEND_DECADES = 8          # decades added per extension of the scan
_SETTLED = 1e-13             # relative change over two decades below which the loss has reached its limit
_MAX_POINTS_PER_DECADE = 1000


def _scan(lg: np.ndarray, N, T, spec, sig, pref) -> np.ndarray:
    """Losses at the ridges ``exp(lg)``; ``nan`` where double precision cannot represent the result."""
    try:
        return _evaluate(N, T, np.exp(lg), spec, sig, pref)["loss"]
    except ValueError:
        if lg.size == 1:
            return np.array([np.nan])
        h = lg.size // 2
        return np.concatenate([_scan(lg[:h], N, T, spec, sig, pref), _scan(lg[h:], N, T, spec, sig, pref)])


def _ridgeless_limit(N, T, spec: _Spectrum, sig, pref) -> float:
    """:func:`ridgeless_loss` on prepared inputs (``spec`` may be weighted nodes)."""
    n, Delta = min(N, T), abs(N - T)
    M = spec.M
    if n > M or (n == M and Delta > 0):
        return 0.0
    if n == M:
        inv = 1.0 / spec.s
        return pref * N * T / (3.0 * sig * float(inv.sum() if spec.w is None else inv @ spec.w))
    if Delta == 0:
        return math.inf
    lo = np.array([math.log(n / (4.0 * spec.t0))])
    hi = np.array([_U_MAX])
    u0 = np.clip(np.array([math.log(n / spec.t0)]), lo, hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        u, _, _ = _newton(u0, lo, hi, np.zeros(1), n, Delta, spec, False, 1e-14, 400)
    return pref * N * T / (sig * math.exp(float(u[0])) * Delta)


def ridgeless_loss(N, T, spectrum, sigma_u2=1, sigma_w2=1, C=1) -> float:
    r"""The ridgeless limit ``gamma -> 0`` of the closed-form loss: ``0``, a positive number or ``inf``.

    The closed form is Eq. (104).

    With ``n = min(N, T)``, ``Delta = |N - T|``, ``M = len(spectrum)``, ``s_I = lambda_I sigma_u^2/M``
    and ``sigma = sigma_u^2/M``:

    * ``n > M``, or ``n = M < max(N, T)``: every ``p_I -> 1`` and the loss tends to 0 (the features
      or the samples interpolate the teacher exactly);
    * ``n = M = N = T``: ``d_n ~ z ~ sum_I 1/(a s_I)`` and ``l ~ sum_I lambda_I/(a s_I)^2``, so
      ``<L> -> C sigma_w^2/(2M) N T / (3 sigma sum_I 1/s_I)``;
    * ``n < M``: ``a = gamma xi`` tends to the root ``a_0`` of ``y(a) = sum_I a s_I/(1 + a s_I) = n``
      and ``d_n -> 0``; the loss diverges at ``N = T`` (double descent) and tends to
      ``C sigma_w^2/(2M) N T/(sigma a_0 Delta)`` otherwise.

    Parameters
    ----------
    N, T : float
        Numbers of features and of training samples, in ``[1, 1e15]``.
    spectrum : 1-D array_like
        Eigenvalues of ``Lambda``, each in ``[1e-100, 1e100]``; ``1 <= M <= 10**8`` of them.
    sigma_u2, sigma_w2, C : float, optional
        Feature and teacher variances and the label dimension, each in ``[1e-100, 1e100]``.

    Returns
    -------
    float
        ``lim_{gamma -> 0} <L>``.

    Raises
    ------
    ValueError
        Naming the parameter and its range (as for :func:`closed_form_loss`).

    Examples
    --------
    >>> lam = power_law_spectrum(40, 1.0)
    >>> ridgeless_loss(50, 60, lam), ridgeless_loss(20, 20, lam)
    (0.0, inf)
    >>> L0 = ridgeless_loss(10, 30, lam)
    >>> bool(abs(closed_form_loss(10, 30, 1e-12, lam).loss / L0 - 1) < 1e-9)
    True
    """
    Nf, Tf, spec, sig, pref = _prepare(N, T, spectrum, sigma_u2, sigma_w2, C)
    return _ridgeless_limit(Nf, Tf, spec, sig, pref)


def optimal_ridge(N, T, spectrum, sigma_u2=1, sigma_w2=1, C=1, gamma_bounds=None,
                  points_per_decade: int = 8, xtol: float = 1e-8) -> OptimalRidge:
    r"""The ridge that minimises the closed-form test loss, with the loss there.

    The closed form is Eq. (104); the result is ``(gamma_star, loss_star)``, an
    :class:`OptimalRidge`.

    A vectorised scan over ``log gamma`` (``points_per_decade``) finds the lowest grid point; the
    scan is extended, 8 decades at a time, until the loss rises on both sides of it, and
    ``scipy.optimize.minimize_scalar`` (bounded Brent in ``log gamma``) then refines the bracket.
    The first window runs from 16 decades below to 2 decades above ``4 (N T max(s) + (N + T) tr s)``
    (``s = spectrum sigma_u2/M``), beyond which only the ``gamma^-1`` and ``gamma^-2`` terms of the
    large-ridge series matter.  For long spectra the scan runs on the compressed spectrum of the
    module docstring and every candidate minimum is re-examined on the full one.

    The two ends are known in closed form: ``gamma -> inf`` gives ``C sigma_w^2 tr(Lambdahat)/(2M)``,
    approached from below (the ``gamma^-1`` coefficient is negative), and ``gamma -> 0`` gives the
    ridgeless limit (:func:`ridgeless_loss`: 0 when ``min(N, T) > M``, infinite at ``N = T < M``).
    When no finite ridge does better than that limit -- the loss decreases all the way to
    ``gamma -> 0`` (within ``1e-12`` relative), or is flat at its ``gamma -> inf`` value to
    rounding -- the result has ``limit = "gamma->0"`` or ``"gamma->inf"``, ``gamma`` = 0 or ``inf``,
    ``loss`` = the limit and ``result = None``.

    Parameters
    ----------
    N, T : float
        Numbers of features and of training samples, in ``[1, 1e15]`` (as for
        :func:`closed_form_loss`).
    spectrum : 1-D array_like
        Eigenvalues of ``Lambda``, each in ``[1e-100, 1e100]``; ``1 <= M <= 10**8`` of them.
    sigma_u2, sigma_w2, C : float, optional
        Feature and teacher variances and the label dimension, each in ``[1e-100, 1e100]``.
    gamma_bounds : (float, float), optional
        Search only ``low <= gamma <= high`` (no extension, ``limit`` stays ``None``), with
        ``2.2e-308 <= low < high <= 1e300``.
    points_per_decade : int
        Density of the scan, ``2 <= points_per_decade <= 1000``.
    xtol : float
        Absolute tolerance of the refinement in ``log gamma``, in ``[1e-14, 1]``.

    Returns
    -------
    OptimalRidge
        ``(gamma_star, loss_star)`` with the attributes ``result``, ``at_boundary`` and ``limit``.

    Raises
    ------
    ValueError
        Naming the parameter and its range.

    Examples
    --------
    >>> lam = power_law_spectrum(2000, 1.0)
    >>> opt = optimal_ridge(100, 400, lam)
    >>> g, L = opt
    >>> bool(L < closed_form_loss(100, 400, [g / 3, 3 * g], lam).loss.min()), opt.limit
    (True, None)
    >>> optimal_ridge(200, 300, power_law_spectrum(50, 1.0))    # M < min(N, T): ridgeless is best
    OptimalRidge(gamma=0.0, loss=0.0, at_boundary=True, limit='gamma->0')
    """
    from scipy.optimize import minimize_scalar

    Nf, Tf, spec, sig, pref = _prepare(N, T, spectrum, sigma_u2, sigma_w2, C)
    ppd = read_integer(points_per_decade, "points_per_decade", minimum=2, maximum=_MAX_POINTS_PER_DECADE)
    xtol = real_in_range(xtol, "xtol", minimum=1e-14, maximum=1.0)
    step = _LN10 / ppd
    lg_min, lg_max = math.log(sys.float_info.min), math.log(MAX_RIDGE)
    L_inf = pref * spec.t0 / sig                       # C sigma_w^2 tr(Lambdahat)/(2M)
    L_0 = math.nan
    if gamma_bounds is not None:
        if isinstance(gamma_bounds, (str, bytes)) or not hasattr(gamma_bounds, "__len__") or len(gamma_bounds) != 2:
            raise ValueError(f"gamma_bounds: give two numbers 2.2e-308 <= low < high <= 1e300, got {gamma_bounds!r}")
        g_lo = real_in_range(gamma_bounds[0], "gamma_bounds", minimum=0, maximum=MAX_RIDGE, strict_minimum=True)
        g_hi = real_in_range(gamma_bounds[1], "gamma_bounds", minimum=0, maximum=MAX_RIDGE, strict_minimum=True)
        if not g_lo < g_hi:
            raise ValueError(f"gamma_bounds: need low < high, got {gamma_bounds!r}")
        lo_edge, hi_edge = math.log(g_lo), math.log(g_hi)
    else:
        L_0 = _ridgeless_limit(Nf, Tf, spec, sig, pref)
        if L_0 == 0.0:
            return OptimalRidge(0.0, 0.0, None, True, "gamma->0")
        scale = 4.0 * (Nf * Tf * float(spec.s[0]) + (Nf + Tf) * spec.t0)
        hi_edge = min(math.log(scale) + 2 * _LN10, lg_max)
        lo_edge = max(hi_edge - 18 * _LN10, lg_min)
    k = max(3, int(math.ceil((hi_edge - lo_edge) / step)) + 1)
    logs = np.linspace(lo_edge, hi_edge, k)
    scan = spec.proxy or spec
    L_0_scan = L_0 if scan is spec or gamma_bounds is not None else _ridgeless_limit(Nf, Tf, scan, sig, pref)
    losses = _scan(logs, Nf, Tf, scan, sig, pref)
    limit = None
    while gamma_bounds is None:
        ok = np.isfinite(losses)
        if not ok.any():
            raise ValueError("gamma: the loss overflows double precision at every ridge scanned; use closed_form_loss_mp")
        i = int(np.nanargmin(losses))
        first, last = int(np.argmax(ok)), len(ok) - 1 - int(np.argmax(ok[::-1]))
        if first < i < last:
            break
        if i == last:                                        # still decreasing at the top: go up
            if logs[-1] >= lg_max - 1e-9 or losses[i] >= L_inf * (1.0 - 8 * _EPS):
                limit = "gamma->inf"
                break
            new = np.unique(np.minimum(logs[-1] + step * np.arange(1, _EXTEND_DECADES * ppd + 1), lg_max))
            logs = np.concatenate([logs, new])
            losses = np.concatenate([losses, _scan(new, Nf, Tf, scan, sig, pref)])
        else:                                                # still decreasing at the bottom: go down
            if losses[i] <= L_0_scan * (1.0 + 1e-12):
                limit = "gamma->0"                           # settled on the ridgeless limit
                break
            if first > 0 or logs[0] <= lg_min + 1e-9:        # double precision ends below
                break
            new = np.unique(np.maximum(logs[0] - step * np.arange(_EXTEND_DECADES * ppd, 0, -1), lg_min))
            logs = np.concatenate([new, logs])
            losses = np.concatenate([_scan(new, Nf, Tf, scan, sig, pref), losses])

    if limit == "gamma->0":
        return OptimalRidge(0.0, L_0, None, True, limit)
    if limit == "gamma->inf":
        return OptimalRidge(math.inf, L_inf, None, True, limit)

    def f(lg):
        return float(_scan(np.array([lg]), Nf, Tf, spec, sig, pref)[0])

    finite = np.where(np.isfinite(losses), losses, np.inf)
    i = int(np.argmin(finite))
    if i in (0, len(finite) - 1):                            # an end of gamma_bounds (or of double precision)
        best_lg, best_L, at_boundary = float(logs[i]), f(logs[i]), True
    else:
        # candidates: local minima of the scan within 1e-6 of the lowest (the compressed spectrum is
        # accurate to about 1e-8), each bracketed on the full spectrum before the refinement
        low = finite[i]
        idx = [j for j in range(1, len(finite) - 1)
               if finite[j] <= finite[j - 1] and finite[j] <= finite[j + 1] and finite[j] <= low * (1 + 1e-6)]
        idx = sorted(idx, key=lambda j: finite[j])[:8] if scan is not spec else [i]
        best_j, best_full = i, None
        for j in idx:
            full = {jj: (finite[jj] if scan is spec else f(logs[jj])) for jj in (j - 1, j, j + 1)}
            for _ in range(4 * ppd):                         # walk downhill on the full spectrum
                if full[j - 1] < full[j] and j - 1 >= 1:
                    j -= 1
                elif full[j + 1] < full[j] and j + 1 <= len(logs) - 2:
                    j += 1
                else:
                    break
                for jj in (j - 1, j + 1):
                    if jj not in full:
                        full[jj] = f(logs[jj])
            if best_full is None or full[j] < best_full[best_j]:
                best_j, best_full = j, full
        j, full = best_j, best_full
        bracketed = math.isfinite(full[j - 1]) and math.isfinite(full[j + 1])
        best_lg, best_L, at_boundary = float(logs[j]), full[j], not bracketed   # else: double precision ends
        if bracketed and not best_L >= L_0 * (1.0 - 1e-12):
            res = minimize_scalar(f, bounds=(float(logs[j - 1]), float(logs[j + 1])), method="bounded",
                                  options={"xatol": xtol, "maxiter": 500})
            if res.fun <= best_L:
                best_lg, best_L = float(res.x), float(res.fun)
        if gamma_bounds is None and best_L >= L_0 * (1.0 - 1e-12):
            return OptimalRidge(0.0, L_0, None, True, "gamma->0")   # no better than the ridgeless limit
    g_star = math.exp(best_lg)
    result = ClosedFormResult(**{key: float(v[0]) for key, v in
                                 _evaluate(Nf, Tf, np.array([g_star]), spec, sig, pref).items()})
    return OptimalRidge(g_star, float(result.loss), result, at_boundary, None)
