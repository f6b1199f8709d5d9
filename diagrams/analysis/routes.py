r"""The independent routes to a model's planar observable: its own closed forms, then the Dyson route.

Every declared model has at least one route: the planar Dyson equation of its linearised observable
(:func:`diagrams.analysis.dyson_route.dyson_route`), derived by the toolkit.  A model may declare
hand-derived closed forms (``model.routes``, e.g. Eq. 104 for the random-feature model); checks
compare the diagrams with all of them, and evaluations prefer a hand formula that applies.

>>> from diagrams.models.registry import load_model
>>> [r.name for r in routes_of(load_model("random-features"))]
['closed form, Eq. (104)', 'planar Dyson equation']
>>> planar_route(load_model("deep-random-features"), {}).name
'planar Dyson equation'
"""

from __future__ import annotations

from typing import Mapping

from diagrams.models.declaration import Model, Route

__all__ = ["routes_of", "planar_route"]


def routes_of(model: Model) -> list[Route]:
    """The model's declared routes followed by the planar Dyson route.

    Parameters
    ----------
    model : Model
        The declared model.

    Returns
    -------
    list of Route
        ``model.routes`` and then :func:`diagrams.analysis.dyson_route.dyson_route` of the model.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> [r.name for r in routes_of(load_model("random-features"))]
    ['closed form, Eq. (104)', 'planar Dyson equation']
    """
    from diagrams.analysis.dyson_route import dyson_route

    return list(model.routes) + [dyson_route(model)]


def planar_route(model: Model, values: Mapping) -> Route:
    """The route that evaluates the planar observable at these values.

    A declared closed form that applies there is preferred; else the planar Dyson route.

    Parameters
    ----------
    model : Model
        The declared model.
    values : mapping
        Parameter values, as :meth:`~diagrams.models.declaration.Model.read_values` returns them.

    Returns
    -------
    Route
        The first route of :func:`routes_of` with ``evaluate`` that applies at ``values``.

    Raises
    ------
    ValueError
        If no route evaluates the model at these values.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> planar_route(load_model("deep-random-features"), {}).name
    'planar Dyson equation'
    """
    for r in routes_of(model):
        if r.evaluate is not None and not r.reason_not_applicable(values):
            return r
    raise ValueError(f"model: no route evaluates {model.name} at these values")
