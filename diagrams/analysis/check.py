r"""Order-by-order checks of a model's planar diagram sums against independent routes.

For a declared :class:`~diagrams.models.declaration.Model` and each order ``k <= K`` of ``gamma^-k``:

1. **exact** -- the planar diagram sum at numbers, from the coefficient-only recursion
   (:func:`diagrams.analysis.expansion.coefficient`, exact rationals), against the exact Taylor
   coefficient of every route that applies (``Route.series_exact``: a hand-derived closed form
   such as Eq. 104, or the planar Dyson equation in series mode);
2. **symbolic** (``k <= symbolic_max``) -- the diagrams *listed one by one* and valued by face
   tracing (:func:`~diagrams.analysis.expansion.order_summary`) against the route's symbolic
   coefficient (after its ``reduce``), or -- when no route has one -- against the coefficient-only
   recursion, a different algorithm over the same words;
3. **numeric** -- the series truncated at ``K`` against the route's value at large ``gamma``
   (mpmath): the error must fall like ``gamma^-(K+1)``.  The working precision grows with ``K`` so
   that the error stays far above the rounding level at any allowed order.

Every comparison can fail (``tests/test_check.py`` perturbs a coefficient and sees it).

>>> from diagrams.models.random_features.model import MODEL
>>> r = check_orders(MODEL, 3, symbolic_max=2)
>>> r.ok, [row["exact"][0]["match"] for row in r.orders]
(True, [True, True, True, True])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Mapping

import mpmath
import sympy

from diagrams.analysis import expansion as ex
from diagrams.engine.numbers import check_order, fraction_text
from diagrams.models.declaration import Model, PowerLaw, Route

__all__ = ["CheckReport", "check_orders", "truncation_errors", "working_precision", "MAX_CHECK_ORDER",
           "MAX_SYMBOLIC_ORDER"]

#: Highest order the exact check takes (the planar recursion and the routes' series reach it in seconds).
MAX_CHECK_ORDER = 40
#: Highest order compared symbolically (every planar diagram is listed).
MAX_SYMBOLIC_ORDER = 7

#: Slope tolerance of the truncation test (the error of a series truncated at K falls like gamma^-(K+1)).
SLOPE_TOLERANCE = 0.35


@dataclass
class CheckReport:
    """Outcome of :func:`check_orders`: per-order rows, per-route truncation tables, an overall flag."""

    model: str
    order: int
    parameters: dict
    orders: list = field(default_factory=list)
    truncation: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    ok: bool = True

    def as_dict(self) -> dict:
        return {"model": self.model, "order": self.order,
                "parameters": {k: _plain(v) for k, v in self.parameters.items()},
                "orders": self.orders, "truncation": self.truncation, "skipped": self.skipped, "ok": self.ok}


def _plain(v):
    if isinstance(v, Fraction):
        return fraction_text(v)
    if isinstance(v, PowerLaw):
        return {"alpha": fraction_text(v.alpha), "M": v.M, "lambda_plus": fraction_text(v.lambda_plus)}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def working_precision(order: int, ratio: float = 40.0, doublings: int = 4, coefficients=None, gammas=None) -> int:
    """Decimal digits for the truncation test at ``order``.

    With the exact coefficients ``c_0..c_{order+1}`` and the ridges: the smallest truncation error,
    ``|c_{order+1}| gamma_max^-(order+1)``, stands 15 digits above the rounding of a value of the size of
    ``c_0`` (at least 30 digits).  Without them, the a-priori bound: the error at the largest ridge is
    about ``(ratio 2^doublings)^-(order+1)`` of the value, and 30 digits are kept below it.

    >>> working_precision(3), working_precision(40)
    (42, 146)
    """
    if coefficients is not None and gammas is not None and len(coefficients) > order + 1:
        with mpmath.workdps(30):
            nxt = abs(_mp(coefficients[order + 1])) or mpmath.mpf(10) ** -(order + 1)
            c0 = abs(_mp(coefficients[0])) or mpmath.mpf(1)
            smallest = min(nxt * _mp(g) ** -(order + 1) for g in gammas)
            return 15 + max(15, int(mpmath.ceil(-mpmath.log10(smallest / c0))))
    return 30 + int(math.ceil((order + 1) * math.log10(ratio * 2 ** doublings)))


def _mp(v):
    from diagrams.engine.numbers import to_mpf

    return to_mpf(v)


def _scale(model: Model, values) -> Fraction:
    """A ridge scale of the expansion: sum of the sizes' products with the covariances' largest entry."""
    diag = model.diagonal_values(values, exact=True)
    big = max((max(v) for v in diag.values()), default=Fraction(1))
    sizes = [Fraction(v) for v in model.symbol_values(values).values() if isinstance(v, (int, Fraction))]
    prod = Fraction(1)
    for s in sorted(sizes)[-3:]:
        prod *= max(s, 1)
    return max(prod * big, Fraction(1))


def truncation_errors(model: Model, route: Route, order: int, values: Mapping, coefficients: list,
                      gammas=None, dps: int | None = None):
    """``[(gamma, route value, truncated series, |error|)]`` and the log-log slope of the error."""
    order = check_order(order, "order", maximum=MAX_CHECK_ORDER)
    if gammas is None:
        g0 = 40 * _scale(model, values)
        gammas = [g0 * 2 ** j for j in range(5)]
    dps = working_precision(order, coefficients=coefficients, gammas=gammas) if dps is None else \
        check_order(dps, "dps", minimum=15, maximum=100000)
    rows = []
    with mpmath.workdps(dps):
        for g in gammas:
            gm = _mp(g)
            exact = route.value_mp(values, Fraction(g), dps)
            trunc = mpmath.fsum(_mp(c) * gm ** (-k) for k, c in enumerate(coefficients[:order + 1]))
            rows.append((gm, exact, trunc, abs(exact - trunc)))
        xs = [mpmath.log(r[0]) for r in rows]
        floor = mpmath.mpf(10) ** (-dps)
        ys = [mpmath.log(max(r[3], floor * abs(r[1]))) for r in rows]
        n = len(xs)
        mx, my = sum(xs) / n, sum(ys) / n
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return rows, float(slope)


def check_orders(model: Model, order: int, values: Mapping | None = None, *, symbolic_max: int = 5,
                 routes: list | None = None, progress: Callable[[str], None] | None = None) -> CheckReport:
    """Run the comparisons of the module docstring for orders ``0..order`` (at most :data:`MAX_CHECK_ORDER`).

    ``values``: parameter values (defaults: the model's ``check_values``); ``symbolic_max``: highest
    order compared symbolically (at most :data:`MAX_SYMBOLIC_ORDER`); ``routes``: the routes to compare
    with (default: the model's hand-derived ones and the planar Dyson equation,
    :func:`diagrams.analysis.routes.routes_of`).
    """
    if not isinstance(model, Model):
        raise ValueError(f"model: expected a declared Model, got {type(model).__name__}")
    order = check_order(order, "order", maximum=MAX_CHECK_ORDER)
    symbolic_max = check_order(symbolic_max, "symbolic_max", maximum=MAX_SYMBOLIC_ORDER)
    raw = dict(getattr(model, "check_values", {}) if values is None else values)
    vals = model.read_values(raw, require=[p.name for p in model.parameters])
    if routes is None:
        from diagrams.analysis.routes import routes_of

        routes = routes_of(model)
    routes = list(routes)
    report = CheckReport(model.name, order, vals)
    usable = []
    for r in routes:
        why = r.reason_not_applicable(vals)
        if why:
            report.skipped.append({"route": r.name, "reason": why})
        else:
            usable.append(r)
    series = {}
    for r in usable:
        if r.series_exact is not None:
            if progress:
                progress(f"series of {r.name}")
            series[r.name] = list(r.series_exact(order + 1, vals))    # one more: the truncation precision
    for k in range(order + 1):
        if progress:
            progress(f"order {k}")
        diag = ex.coefficient(model, k, values=vals)
        row = {"order": k, "diagram_sum": fraction_text(diag), "exact": []}
        for name, cs in series.items():
            match = Fraction(cs[k]) == diag
            row["exact"].append({"route": name, "value": fraction_text(Fraction(cs[k])), "match": match})
            report.ok &= match
        if k <= symbolic_max:
            listed = ex.order_summary(model, k)["coefficient"]
            sym = [r for r in usable if r.series_symbolic is not None]
            if sym:
                for r in sym:
                    red = r.reduce or (lambda e: e)
                    diff = sympy.expand(red(listed) - red(r.series_symbolic(k)[k]))
                    row.setdefault("symbolic", []).append({"route": r.name, "match": diff == 0})
                    report.ok &= diff == 0
            else:
                diff = sympy.expand(listed - ex.coefficient(model, k))
                row["symbolic"] = [{"route": "coefficient-only recursion", "match": diff == 0}]
                report.ok &= diff == 0
        report.orders.append(row)
    for r in usable:
        if r.value_mp is None or r.name not in series:
            continue
        if progress:
            progress(f"truncation test against {r.name}")
        rows, slope = truncation_errors(model, r, order, vals, series[r.name])
        ok = abs(slope + (order + 1)) < SLOPE_TOLERANCE
        g0 = 40 * _scale(model, vals)
        report.truncation.append({"route": r.name, "slope": slope, "expected": -(order + 1), "ok": ok,
                                  "dps": working_precision(order, coefficients=series[r.name],
                                                           gammas=[g0 * 2 ** j for j in range(5)]),
                                  "rows": [{"gamma": float(g), "value": float(e), "series": float(t),
                                            "error": float(d)} for g, e, t, d in rows]})
        report.ok &= ok
    return report
