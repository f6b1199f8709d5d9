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

from diagrams.engine.symbols import isotropic

__all__ = ["DEFAULT_PARAMETERS", "CheckReport", "check_orders", "symbolic_difference", "truncation_errors"]

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
    ok: bool = True

    def as_dict(self) -> dict:
        return {"order": self.order, "parameters": {k: (str(v) if not isinstance(v, list) else [str(x) for x in v])
                                                     for k, v in self.parameters.items()},
                "orders": self.orders, "truncation": self.truncation, "slope": self.slope, "ok": self.ok}


def symbolic_difference(k: int) -> sympy.Expr:
    """Planar diagram sum minus closed-form Taylor coefficient at order ``k``, after
    ``Sigma = s 1``, ``Lambdahat = Lambda`` (zero when they agree)."""
    from diagrams.models.random_features.closed_form_series import closed_form_series
    from diagrams.models.random_features.expansion import loss_coefficient

    diag = loss_coefficient(k, "planar")
    closed = closed_form_series(k)[k]
    red = lambda e: isotropic(e, {"Sigma": _s}, {"Lambdahat": "Lambda"})
    return sympy.expand(red(diag) - red(closed))


def truncation_errors(order: int, params: dict, gammas=None, dps: int = 50):
    """``[(gamma, closed form, series truncated at order, |error|)]`` and the fitted log-log slope.

    The gammas are chosen in the convergent region, ``gamma_j = g0 * 2^j``, with ``g0`` well above
    the scale ``N T max(lambda sigma) + (N + T) tr(Lambda Sigma)`` of the expansion.
    """
    from diagrams.models.random_features.closed_form_series import closed_form_series_exact
    from diagrams.models.random_features.closed_form import test_loss_mp

    spec = [Fraction(v) for v in params["spectrum"]]
    m = len(spec)
    sig = Fraction(params["sigma_u2"]) / m
    Nv, Tv = int(params["N"]), int(params["T"])
    scale = Nv * Tv * max(spec) * sig + (Nv + Tv) * sum(spec) * sig
    if gammas is None:
        gammas = [40 * scale * 2 ** j for j in range(5)]
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


def check_orders(order: int, params: dict | None = None, symbolic_max: int = 5,
                 progress: Callable[[str], None] | None = None) -> CheckReport:
    """Run the three comparisons of the module docstring up to ``order``.

    ``params``: numbers as for :func:`~diagrams.models.random_features.expansion.numeric_parameters`
    (keys ``N, T, That, spectrum, sigma_u2, sigma_w2, C``); defaults to :data:`DEFAULT_PARAMETERS`.
    ``symbolic_max``: highest order compared symbolically (listing every planar diagram).
    """
    from diagrams.models.random_features.closed_form_series import closed_form_series_exact
    from diagrams.models.random_features.expansion import (_check_order, numeric_parameters,
                                                           planar_coefficient_exact)

    order = _check_order(order)
    symbolic_max = _check_order(symbolic_max, "symbolic_max")
    p = dict(DEFAULT_PARAMETERS if params is None else params)
    P = numeric_parameters(p["N"], p["T"], p.get("That", 1), p["spectrum"], p.get("sigma_u2", 1),
                           p.get("sigma_w2", 1), p.get("C", 1))
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
    rows, slope = truncation_errors(order, P)
    report.truncation = [{"gamma": float(g), "closed_form": float(e), "series": float(t), "error": float(d)}
                         for g, e, t, d in rows]
    report.slope = slope
    # the error of a series truncated at K falls like gamma^-(K+1); allow a little curvature
    report.ok &= abs(slope + (order + 1)) < 0.35
    return report
