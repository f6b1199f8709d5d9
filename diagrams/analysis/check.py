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
    """The outcome of :func:`check_orders`: per-order rows, per-route truncation tables, an overall flag.

    Parameters
    ----------
    model : str
        The model's name.
    order : int
        The highest order checked.
    parameters : dict
        The parameter values the checks ran at.
    orders : list of dict
        One row per order ``k``: ``{"order", "diagram_sum", "exact": [{"route", "value", "match"}]}``
        and, for ``k <= symbolic_max``, ``"symbolic": [{"route", "match"}]``.
    truncation : list of dict
        One table per route with a value: ``{"route", "slope", "expected", "ok", "dps", "rows"}``.
    skipped : list of dict
        The routes that do not apply at these values: ``{"route", "reason"}``.
    ok : bool
        Whether every comparison matched.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> r = check_orders(load_model("ridge"), 2, {"T": 3, "spectrum": ["1", "1/2"]}, symbolic_max=1)
    >>> r.ok, r.order, [row["order"] for row in r.orders]
    (True, 2, [0, 1, 2])
    """

    model: str
    order: int
    parameters: dict
    orders: list = field(default_factory=list)
    truncation: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    ok: bool = True

    def as_dict(self) -> dict:
        """The report as plain data (what ``diagrams check --json`` prints).

        Returns
        -------
        dict
            ``{"model", "order", "parameters", "orders", "truncation", "skipped", "ok"}``; rational
            parameter values written as text (``"1/4"``), a power law as ``{"alpha", "M", "lambda_plus"}``.

        Examples
        --------
        >>> from diagrams.models.registry import load_model
        >>> check_orders(load_model("ridge"), 1, symbolic_max=1).as_dict()["parameters"]
        {'T': 5, 'That': 1, 'spectrum': ['1', '1/4', '1/9', '1/16'], 'sigma_w2': '1', 'C': 1}
        """
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
    ``|c_{order+1}| gamma_max^-(order+1)``, stands 15 digits above the rounding of a value of the
    size of ``c_0`` (at least 30 digits).  Without them, the a-priori bound: the error at the largest
    ridge is about ``(ratio 2^doublings)^-(order+1)`` of the value, and 30 digits are kept below it.

    Parameters
    ----------
    order : int
        The truncation order ``K`` of the series.
    ratio : float, optional
        The smallest ridge over the expansion's scale (a-priori bound only).
    doublings : int, optional
        How many times the ridge doubles from the smallest to the largest (a-priori bound only).
    coefficients : sequence of Fraction, optional
        The exact coefficients ``c_0..c_{order+1}`` (at least ``order + 2`` of them).
    gammas : sequence of Fraction, optional
        The ridges of the test.

    Returns
    -------
    int
        The number of decimal digits.

    Examples
    --------
    >>> working_precision(3), working_precision(40)
    (42, 146)
    >>> from fractions import Fraction
    >>> working_precision(0, coefficients=[Fraction(1), Fraction(1)], gammas=[100])
    30
    >>> working_precision(0, coefficients=[Fraction(1), Fraction(1, 10 ** 20)], gammas=[100])
    37
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
    """The truncation errors of the series against a route's value, and their log-log slope.

    A series truncated at ``order`` differs from the value by about ``c_{order+1} gamma^-(order+1)``,
    so the slope of ``log |error|`` against ``log gamma`` should be ``-(order + 1)``.

    Parameters
    ----------
    model : Model
        The declared model.
    route : Route
        A route with ``value_mp``.
    order : int
        The truncation order, ``0 <= order <=`` :data:`MAX_CHECK_ORDER`.
    values : mapping
        Parameter values, as :meth:`~diagrams.models.declaration.Model.read_values` returns them.
    coefficients : sequence of Fraction
        The exact series coefficients ``c_0, c_1, ...`` (at least ``order + 1``).
    gammas : sequence of Fraction, optional
        The ridges (default: five doublings from 40 times the expansion's scale).
    dps : int, optional
        Decimal digits, an integer in ``[15, 100000]`` (default: :func:`working_precision`).

    Returns
    -------
    rows : list of tuple
        ``(gamma, route value, truncated series, |error|)`` per ridge, as mpmath numbers.
    slope : float
        The least-squares slope of ``log |error|`` against ``log gamma``.

    Raises
    ------
    ValueError
        If ``order`` or ``dps`` is out of range.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> route, values = ridge.routes[0], ridge.read_values(ridge.check_values)
    >>> rows, slope = truncation_errors(ridge, route, 2, values, route.series_exact(3, values))
    >>> len(rows), round(slope)
    (5, -3)
    """
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
    """Run the comparisons of the module docstring for orders ``0..order``.

    Parameters
    ----------
    model : Model
        The declared model.
    order : int
        The highest order ``K``, ``0 <= order <=`` :data:`MAX_CHECK_ORDER`.
    values : mapping, optional
        Parameter values (default: the model's ``check_values``); every parameter needs one, given or
        default.
    symbolic_max : int, optional
        The highest order compared symbolically (every planar diagram listed), at most
        :data:`MAX_SYMBOLIC_ORDER`.
    routes : list of Route, optional
        The routes to compare with (default: the model's hand-derived ones and the planar Dyson
        equation, :func:`diagrams.analysis.routes.routes_of`).
    progress : callable, optional
        Called with a line of text before each step.

    Returns
    -------
    CheckReport
        The per-order comparisons, the truncation tables and ``ok``.

    Raises
    ------
    ValueError
        If ``model`` is not a ``Model``, ``order`` or ``symbolic_max`` is out of range, or a value is
        missing or out of its range.

    Examples
    --------
    >>> from diagrams.models.random_features.model import MODEL
    >>> r = check_orders(MODEL, 3, symbolic_max=2)
    >>> r.ok, [row["exact"][0]["match"] for row in r.orders]
    (True, [True, True, True, True])
    >>> check_orders(MODEL, 41)
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [0, 40], got 41
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
