r"""The planar Dyson equation as a :class:`~diagrams.models.declaration.Route` for any declared model.

:func:`dyson_route` wraps the linearization (:mod:`diagrams.analysis.pencil`), the Dyson system
(:mod:`diagrams.analysis.dyson`) and its solvers (:mod:`diagrams.analysis.dyson_solve`,
:mod:`diagrams.analysis.dyson_series`) into the interface the checks and the command line use:

* ``series_exact(order, values)`` -- exact coefficients of ``gamma^-k`` (Newton in power series);
* ``series_symbolic(order)`` -- symbolic ones, compared with the listed diagrams after ``reduce``
  (:func:`~diagrams.analysis.dyson_series.commuting_traces`: covariances commute);
* ``value_mp(values, gamma, dps)`` and ``evaluate(values, gammas, dps)`` -- the planar observable;
* ``optimum(values)`` -- the ridge minimising it (:func:`optimal_ridge`).

It reads nothing of a model but its declaration, so it is an independent check of every hand-derived
closed form (Eq. 104 for the random-feature model, the deterministic equivalent for ridge).

>>> from diagrams.models.registry import load_model
>>> ridge = load_model("ridge")
>>> route = dyson_route(ridge)
>>> route.series_exact(2, ridge.read_values({"T": 5, "spectrum": [1, "1/2"]}))
[Fraction(3, 8), Fraction(-25, 8), Fraction(225, 8)]
>>> round(route.evaluate(ridge.read_values({"T": 5, "spectrum": [1, "1/2"]}), [1])[0]["loss"], 12)
0.035205572658
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np

from diagrams.analysis.dyson_series import commuting_traces, series_exact, series_symbolic
from diagrams.analysis.dyson_solve import solve_mp, solve_numpy
from diagrams.models.declaration import Route

__all__ = ["dyson_route", "optimal_ridge", "OptimalRidge", "ROUTE_NAME"]

#: The name of the route in check reports.
ROUTE_NAME = "planar Dyson equation"
_LITERATURE = ("linearization and the planar Dyson equation (Helton-Mai-Speicher 2018; Mingo-Speicher, "
              "Free Probability and Random Matrices, chs. 9-10)")

#: The ridges scanned by :func:`optimal_ridge` (decades either side of 1).
SCAN_DECADES = 12


@dataclass(frozen=True)
class OptimalRidge:
    """The ridge minimising the planar observable, as found by :func:`optimal_ridge`.

    Parameters
    ----------
    gamma : float
        The minimising ridge; for a limit, the end of the scanned range.
    loss : float
        The planar observable at ``gamma``.
    limit : str or None
        ``None`` for an interior minimum, else ``"gamma -> 0"`` or ``"gamma -> infinity"`` when the
        loss is monotone over the scanned range (``gamma`` then being the end of that range).

    Examples
    --------
    >>> OptimalRidge(0.5, 0.125, None)
    OptimalRidge(gamma=0.5, loss=0.125, limit=None)
    """

    gamma: float
    loss: float
    limit: str | None


def optimal_ridge(model, values, *, decades: int = SCAN_DECADES) -> OptimalRidge:
    """Minimise the planar observable over the ridge.

    A scan of ``10^-decades .. 10^decades`` (four ridges per decade, one vectorised solve) brackets
    the minimum between two neighbours of the lowest point; each round then rescans the bracket with
    17 ridges and keeps the neighbours of the lowest, until the bracket is ``1e-7`` wide in
    ``log gamma``.  A loss still falling at an end of the scan is reported as the limit
    ``gamma -> 0`` (or ``infinity``) with ``gamma`` the end of the scanned range.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    values : dict
        The model's parameter values, as returned by ``model.read_values``.
    decades : int, optional
        The scan covers ``10^-decades .. 10^decades`` (default :data:`SCAN_DECADES`).

    Returns
    -------
    OptimalRidge
        The minimising ridge, the loss there and the limit (``None`` for an interior minimum).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> spec = [f"1/{i * i}" for i in range(1, 41)]
    >>> opt = optimal_ridge(rf, rf.read_values({"N": 10, "T": 20, "spectrum": spec}))
    >>> opt.limit, round(opt.gamma, 6)
    (None, 0.036529)
    >>> optimal_ridge(rf, rf.read_values({"N": 3, "T": 5, "spectrum": [1, "1/4", "1/9"]})).limit
    'gamma -> 0'
    """
    grid = np.logspace(-decades, decades, 4 * 2 * decades + 1)
    loss = np.array([r["loss"] for r in solve_numpy(model, values, grid)])
    i = int(np.argmin(loss))
    if i == 0:
        return OptimalRidge(float(grid[0]), float(loss[0]), "gamma -> 0")
    if i == len(grid) - 1:
        return OptimalRidge(float(grid[-1]), float(loss[-1]), "gamma -> infinity")
    a, b = math.log(grid[i - 1]), math.log(grid[i + 1])
    best = (float(loss[i]), float(grid[i]))
    while b - a > 1e-7:
        xs = np.linspace(a, b, 17)
        ls = np.array([r["loss"] for r in solve_numpy(model, values, np.exp(xs))])
        j = int(np.argmin(ls))
        best = min(best, (float(ls[j]), float(math.exp(xs[j]))))
        a, b = xs[max(j - 1, 0)], xs[min(j + 1, 16)]
    return OptimalRidge(best[1], best[0], None)


_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _symbolic(model, order):
    cache = _CACHE.setdefault(model, {})
    best = cache.get("symbolic")
    if best is None or len(best) <= order:
        best = series_symbolic(model, order)
        cache["symbolic"] = best
    return best[:order + 1]


def dyson_route(model) -> Route:
    """The planar Dyson equation of a declared model as a check route.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).

    Returns
    -------
    Route
        A :class:`~diagrams.models.declaration.Route` named :data:`ROUTE_NAME` whose
        ``series_exact``, ``series_symbolic``, ``value_mp``, ``evaluate`` and ``optimum`` solve the
        planar Dyson equation of ``model`` (see the module docstring); ``reduce`` is
        :func:`~diagrams.analysis.dyson_series.commuting_traces`.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> route = dyson_route(ridge)
    >>> route.name
    'planar Dyson equation'
    >>> route.series_exact(1, ridge.read_values({"T": 5, "spectrum": [1, "1/2"]}))
    [Fraction(3, 8), Fraction(-25, 8)]
    """

    def series_exact_(order, values):
        return series_exact(model, values, order)

    def value_mp(values, gamma, dps):
        return solve_mp(model, values, gamma, dps)["observable"]

    def evaluate(values, gammas, dps=None):
        if dps is None:
            return solve_numpy(model, values, gammas)
        return [solve_mp(model, values, g, dps) for g in gammas]

    def optimum(values):
        opt = optimal_ridge(model, values)
        return opt.gamma, opt.loss, opt.limit

    return Route(ROUTE_NAME, _LITERATURE, series_exact=series_exact_, value_mp=value_mp,
                 series_symbolic=lambda order: _symbolic(model, order), reduce=commuting_traces,
                 applies=lambda values: None, evaluate=evaluate, optimum=optimum)
