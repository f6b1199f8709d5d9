"""Order-by-order check of the planar diagram expansion against the closed form (Eq. 104).

Three independent comparisons, per order ``k`` of ``gamma^-k``:

1. **symbolic** — the planar diagram sum (:func:`~diagrams.models.random_features.expansion.
   loss_coefficient`, listing every diagram) against the Taylor coefficient of Eq. (104)
   (:func:`~diagrams.models.random_features.closed_form_series.closed_form_series`, from the consistency relation alone), both
   reduced with ``Sigma = s 1`` and ``Lambdahat = Lambda``: individual planar monomials may put
   ``Sigma`` or ``Lambdahat`` on another latent loop than the closed form does, the sums agree once
   the substitution is made (REFERENCE Sec. 3);
2. **exact** — the same at numbers, as exact rationals: the diagram sum from the coefficient-only
   planar recursion against the closed form's exact series (Fractions);
3. **numeric** — the series truncated at ``K`` against the closed form evaluated with mpmath at
   large ``gamma``: the error must fall like ``gamma^-(K+1)``.

>>> r = check_orders(3, symbolic_max=2)
>>> r.ok, [row["exact_match"] for row in r.orders]
(True, [True, True, True, True])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import mpmath
import sympy

from diagrams.engine.numbers import check_order, read_fraction, read_integer, read_list
from diagrams.engine.symbols import isotropic
from diagrams.models.random_features.inputs import SCALE_RANGE, fraction_in_range, list_in_range

__all__ = ["DEFAULT_PARAMETERS", "MAX_ORDER", "MAX_SYMBOLIC_ORDER", "CheckReport", "check_orders",
           "symbolic_difference", "truncation_digits", "truncation_errors"]

#: Highest order of :func:`check_orders` (the exact planar recursion takes a few minutes there).
MAX_ORDER = 40
#: Highest order compared symbolically (every planar diagram listed; order 8 takes minutes).
MAX_SYMBOLIC_ORDER = 8
#: Largest ``N``, ``T``, ``That`` and longest spectrum of a check.
MAX_SIZE = 10 ** 6
MAX_SPECTRUM = 1000

#: Numbers used when none are given: a small power-law spectrum (alpha = 1).
DEFAULT_PARAMETERS = {"N": 3, "T": 5, "That": 1, "spectrum": ["1", "1/4", "1/9", "1/16"],
                      "sigma_u2": "1", "sigma_w2": "1", "C": "1"}

_s = sympy.Symbol("s", positive=True)


@dataclass
class CheckReport:
    """Outcome of :func:`check_orders`: per-order rows, the truncation table and an overall flag."""

    order: int
    parameters: dict
    orders: list = field(default_factory=list)
    truncation: list = field(default_factory=list)
    slope: float | None = None
    truncation_dps: int | None = None
    ok: bool = True

    def as_dict(self) -> dict:
        return {"order": self.order, "parameters": {k: (str(v) if not isinstance(v, list) else [str(x) for x in v])
                                                     for k, v in self.parameters.items()},
                "orders": self.orders, "truncation": self.truncation, "truncation_dps": self.truncation_dps,
                "slope": self.slope, "ok": self.ok}


def symbolic_difference(k: int) -> sympy.Expr:
    """Planar diagram sum minus closed-form Taylor coefficient at order ``k``, after
    ``Sigma = s 1``, ``Lambdahat = Lambda`` (zero when they agree); ``0 <= k <= 8``."""
    k = check_order(k, "k", maximum=MAX_SYMBOLIC_ORDER)
    from diagrams.models.random_features.closed_form_series import closed_form_series
    from diagrams.models.random_features.expansion import loss_coefficient

    diag = loss_coefficient(k, "planar")
    closed = closed_form_series(k)[k]
    red = lambda e: isotropic(e, {"Sigma": _s}, {"Lambdahat": "Lambda"})
    return sympy.expand(red(diag) - red(closed))


def _default_gammas(params: dict) -> list:
    spec = [Fraction(v) for v in params["spectrum"]]
    sig = Fraction(params["sigma_u2"]) / len(spec)
    Nv, Tv = int(params["N"]), int(params["T"])
    scale = Nv * Tv * max(spec) * sig + (Nv + Tv) * sum(spec) * sig
    return [40 * scale * 2 ** j for j in range(5)]


def truncation_digits(order: int, params: dict, gammas=None) -> int:
    """Working precision (decimal digits) of :func:`truncation_errors`: the smallest truncation error
    stands 15 digits above the rounding of the closed form.

    The error of the series truncated at ``order`` is ``c_{order+1} gamma^-(order+1)`` to leading
    order, with the exact coefficient ``c_{order+1}``; the closed form is of the size of ``c_0``.

    >>> truncation_digits(3, DEFAULT_PARAMETERS), truncation_digits(40, DEFAULT_PARAMETERS)
    (30, 119)
    """
    from diagrams.models.random_features.closed_form_series import closed_form_series_exact

    order = check_order(order, "order", maximum=MAX_ORDER)
    gammas = _default_gammas(params) if gammas is None else [Fraction(g) for g in gammas]
    c = closed_form_series_exact(order + 1, int(params["N"]), int(params["T"]), params["spectrum"],
                                 sigma_u2=params["sigma_u2"], sigma_w2=params["sigma_w2"], C=params["C"])
    with mpmath.workdps(30):
        mp = lambda v: mpmath.mpf(Fraction(str(v)).numerator) / Fraction(str(v)).denominator
        nxt = abs(mp(c[order + 1]))
        if nxt == 0:
            nxt = mpmath.mpf(10) ** -(order + 1)
        smallest = min(nxt * mp(g) ** -(order + 1) for g in gammas)
        ratio = smallest / max(abs(mp(c[0])), mpmath.mpf(10) ** -300)
        return 15 + max(15, int(mpmath.ceil(-mpmath.log10(ratio))))


def truncation_errors(order: int, params: dict, gammas=None, dps: int | None = None):
    """``[(gamma, closed form, series truncated at order, |error|)]`` and the fitted log-log slope.

    The gammas are chosen in the convergent region, ``gamma_j = g0 * 2^j`` (``j = 0..4``), with ``g0``
    40 times the scale ``N T max(lambda sigma) + (N + T) tr(Lambda Sigma)`` of the expansion.  The
    error falls like ``gamma^-(order+1)``, to about ``40^-(order+1) 16^-(order+1)`` of the loss at the
    largest gamma, so the closed form (:func:`~diagrams.models.random_features.closed_form.test_loss_mp`)
    is evaluated at a working precision chosen from the next coefficient ``c_{order+1}`` and the
    gammas (``dps=None``, e.g. 119 digits at order 40 with the default numbers), never below the smallest error.

    Parameters
    ----------
    order : int
        Truncation order, ``0 <= order <= 40`` (:data:`MAX_ORDER`).
    params : dict
        As returned by :func:`~diagrams.models.random_features.expansion.numeric_parameters`.
    gammas : sequence of numbers, optional
        Ridges (at least two, each > 0) instead of the default ones.
    dps : int, optional
        Working precision ``15 <= dps <= 1000``; by default chosen as above.

    Returns
    -------
    rows, slope
    """
    from diagrams.models.random_features.closed_form import MAX_DPS, test_loss_mp
    from diagrams.models.random_features.closed_form_series import closed_form_series_exact

    order = check_order(order, "order", maximum=MAX_ORDER)
    spec = [Fraction(v) for v in params["spectrum"]]
    Nv, Tv = int(params["N"]), int(params["T"])
    if gammas is None:
        gammas = _default_gammas(params)
    else:
        gammas = read_list(gammas, "gammas", minimum=0, strict_minimum=True, max_length=100)
        if len(gammas) < 2:
            raise ValueError(f"gammas: need at least two ridges to fit a slope, got {len(gammas)}")
    if dps is None:
        dps = truncation_digits(order, params, gammas)
    dps = read_integer(dps, "dps", minimum=15, maximum=MAX_DPS)
    coeffs = closed_form_series_exact(order, Nv, Tv, spec, sigma_u2=params["sigma_u2"],
                                      sigma_w2=params["sigma_w2"], C=params["C"])
    rows = []
    with mpmath.workdps(dps):
        mp = lambda v: mpmath.mpf(Fraction(str(v)).numerator) / Fraction(str(v)).denominator
        for g in gammas:
            g = mp(g)
            exact = test_loss_mp(Nv, Tv, g, [mp(v) for v in spec], sigma_u2=mp(params["sigma_u2"]),
                                 sigma_w2=mp(params["sigma_w2"]), C=mp(params["C"]), dps=dps).loss
            trunc = mpmath.fsum(mp(c) * g ** (-k) for k, c in enumerate(coeffs))
            rows.append((g, exact, trunc, abs(exact - trunc)))
        xs = [mpmath.log(r[0]) for r in rows]
        ys = [mpmath.log(r[3]) if r[3] > 0 else mpmath.mpf(-10 ** 6) for r in rows]
        n = len(xs)
        mx, my = sum(xs) / n, sum(ys) / n
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return rows, float(slope)


def _read_params(params: dict | None) -> dict:
    """The numbers of a check, each read with its range (``ValueError`` naming the key otherwise)."""
    p = dict(DEFAULT_PARAMETERS if params is None else params)
    unknown = set(p) - set(DEFAULT_PARAMETERS)
    if unknown:
        raise ValueError(f"params: unknown key(s) {sorted(unknown)}; expected {sorted(DEFAULT_PARAMETERS)}")
    for key in ("N", "T", "spectrum"):
        if key not in p:
            raise ValueError(f"params: the key {key!r} is required")
    out = {name: read_integer(p.get(name, 1), name, minimum=1, maximum=MAX_SIZE) for name in ("N", "T", "That")}
    out["spectrum"] = list_in_range(p["spectrum"], "spectrum", minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1],
                                max_length=MAX_SPECTRUM)
    for name in ("sigma_u2", "sigma_w2", "C"):
        out[name] = fraction_in_range(p.get(name, 1), name, minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1])
    return out


def check_orders(order: int, params: dict | None = None, symbolic_max: int = 5,
                 progress: Callable[[str], None] | None = None) -> CheckReport:
    """Run the three comparisons of the module docstring up to ``order``.

    Parameters
    ----------
    order : int
        Highest order, ``0 <= order <= 40`` (:data:`MAX_ORDER`; order 40 takes a few minutes).
    params : dict, optional
        Keys ``N, T, That`` (integers in ``[1, 10**6]``), ``spectrum`` (at most 1000 numbers in
        ``[1e-100, 1e100]``), ``sigma_u2, sigma_w2, C`` (numbers in ``[1e-100, 1e100]``), all read
        exactly; defaults to
        :data:`DEFAULT_PARAMETERS`.
    symbolic_max : int
        Highest order compared symbolically (listing every planar diagram),
        ``0 <= symbolic_max <= 8`` (:data:`MAX_SYMBOLIC_ORDER`; order 8 takes about three minutes).
    progress : callable, optional
        Called with a short message before each order.

    Returns
    -------
    CheckReport

    Raises
    ------
    ValueError
        Naming the parameter and its range, before any work.
    """
    from diagrams.models.random_features.closed_form_series import closed_form_series_exact
    from diagrams.models.random_features.expansion import numeric_parameters, planar_coefficient_exact

    order = check_order(order, "order", maximum=MAX_ORDER)
    symbolic_max = check_order(symbolic_max, "symbolic_max", maximum=MAX_SYMBOLIC_ORDER)
    p = _read_params(params)
    P = numeric_parameters(p["N"], p["T"], p["That"], p["spectrum"], p["sigma_u2"], p["sigma_w2"], p["C"])
    report = CheckReport(order, P)
    closed = closed_form_series_exact(order, int(P["N"]), int(P["T"]), P["spectrum"], sigma_u2=P["sigma_u2"],
                                      sigma_w2=P["sigma_w2"], C=P["C"])
    for k in range(order + 1):
        if progress:
            progress(f"order {k}")
        diag = Fraction(planar_coefficient_exact(k, P))
        cf = Fraction(str(closed[k]))
        row = {"order": k, "diagram_sum": f"{diag.numerator}/{diag.denominator}",
               "closed_form": f"{cf.numerator}/{cf.denominator}", "exact_match": diag == cf}
        if k <= symbolic_max:
            row["symbolic_match"] = symbolic_difference(k) == 0
        report.orders.append(row)
        report.ok &= row["exact_match"] and row.get("symbolic_match", True)
    report.truncation_dps = truncation_digits(order, P)
    rows, slope = truncation_errors(order, P, dps=report.truncation_dps)
    report.truncation = [{"gamma": float(g), "closed_form": float(e), "series": float(t), "error": float(d)}
                         for g, e, t, d in rows]
    report.slope = slope
    # the error of a series truncated at K falls like gamma^-(K+1); allow a little curvature
    report.ok &= abs(slope + (order + 1)) < 0.35
    return report
