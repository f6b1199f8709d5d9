r"""Named expressions of a model, for documents and ``diagrams latex --expr``.

Two sources:

* the model's own formulas, :attr:`~diagrams.models.declaration.Model.latex_expressions`
  (``{name: (description, formula)}``, a formula a sympy object or a zero-argument callable
  returning one); e.g. Eq. (104) and the scaling laws of the random-feature model;
* for **every** model, ``order-K`` and ``order-K-all``: the coefficient of ``gamma^-K`` of the
  observable rebuilt from its diagrams, planar (large-N limit, the coefficient-only recursion of
  :func:`diagrams.analysis.expansion.coefficient`) or summed over all Wick contractions (exact at
  finite size, :func:`diagrams.analysis.expansion.order_summary`), written with the common factor
  of the observable's prefactors in front of a bracket (:func:`with_prefactor`).

Upper bounds (checked before any work): planar ``order-K`` has ``K <= MAX_PLANAR_ORDER``;
``order-K-all`` lists at most :data:`MAX_ALL_CONTRACTIONS` contractions (random-features: ``K <= 4``).

>>> from diagrams.models.registry import load_model
>>> ridge = load_model("ridge")
>>> expression_names(ridge)
['order-K', 'order-K-all']
>>> from diagrams.output.latex import to_latex
>>> to_latex(get_expression(ridge, "order-1"), notation=ridge)
'[\\gamma^{-1}]\\, \\langle \\hat{L} \\rangle = - \\frac{C T \\sigma_w^2 \\operatorname{tr}\\left(\\Lambda^{2}\\right)}{M}'
"""

from __future__ import annotations

import re

import sympy

from diagrams.analysis.expansion import MAX_ORDER, coefficient, count_all, order_summary, symbolic_prefactors
from diagrams.engine.numbers import check_order
from diagrams.engine.symbols import CovarianceTrace
from diagrams.output.latex import OrderCoefficient

__all__ = [
    "model_expressions",
    "expression_names",
    "describe",
    "get_expression",
    "formula_or_error",
    "order_expression",
    "order_limit",
    "common_factor",
    "with_prefactor",
    "ORDER_NAMES",
    "MAX_PLANAR_ORDER",
    "MAX_ALL_CONTRACTIONS",
]

#: Highest planar ``order-K`` (the random-feature coefficient of order 6 has 235 terms, 3 s).
MAX_PLANAR_ORDER = 6
#: Most contractions ``order-K-all`` lists (random-features order 4: 44100, about 20 s).
MAX_ALL_CONTRACTIONS = 50_000
#: The pattern names every model has, with what they are.
ORDER_NAMES = {
    "order-K": "coefficient of gamma^-K of the observable summed over the planar diagrams (large-N limit)",
    "order-K-all": "the same summed over all Wick contractions (exact at finite size)",
}

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*")
_ORDER = re.compile(r"order-(\d+)(-all)?")


def model_expressions(model) -> dict:
    """The model's own named formulas ``{name: (description, formula or callable)}``, validated.

    Raises ValueError naming the model when its ``latex_expressions`` is not of that form.
    """
    source = getattr(model, "latex_expressions", None)
    if source is None:
        return {}
    table = source() if callable(source) else source
    if not isinstance(table, dict):
        raise ValueError(f"latex_expressions: {model.name} must give a dict {{name: (description, formula)}}, "
                         f"got {type(table).__name__}")
    for name, entry in table.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(f"latex_expressions: {model.name}: an expression name is letters, digits, '_' and '-' "
                             f"starting with a letter, got {name!r}")
        if _ORDER.fullmatch(name):
            raise ValueError(f"latex_expressions: {model.name}: {name!r} is reserved for the rebuilt order coefficients")
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str)):
            raise ValueError(f"latex_expressions: {model.name}: {name!r} must map to (description, formula)")
    return table


def expression_names(model) -> list[str]:
    """The model's formula names, then ``order-K`` and ``order-K-all``."""
    return list(model_expressions(model)) + list(ORDER_NAMES)


def describe(model, name: str) -> str:
    """One line (LaTeX allowed) saying what an expression is."""
    if name in ORDER_NAMES:
        return ORDER_NAMES[name]
    m = _ORDER.fullmatch(name) if isinstance(name, str) else None
    if m:
        k = int(m.group(1))
        return (r"Coefficient of $\gamma^{-%d}$ from the %s" % (k, "planar diagrams" if not m.group(2)
                                                                  else "contractions of all genera"))
    table = model_expressions(model)
    if name not in table:
        raise ValueError(_unknown(model, name))
    return table[name][0] or name


def _unknown(model, name) -> str:
    return (f"--expr: unknown expression {name!r} for {model.name}; known: "
            f"{', '.join(expression_names(model))}")


def _formula(obj):
    if callable(obj) and not isinstance(obj, sympy.Basic):
        obj = obj()
    if isinstance(obj, list):
        obj = tuple(obj)
    if isinstance(obj, tuple):
        if not obj or not all(isinstance(e, sympy.Eq) for e in obj):
            raise ValueError("formula: a tuple must hold sympy equations")
        return obj
    if not isinstance(obj, sympy.Basic):
        raise ValueError(f"formula: expected a sympy expression, equation or tuple of equations, got {obj!r}")
    return obj


def get_expression(model, name: str):
    """The sympy object of a named formula of ``model``, or of ``order-K`` / ``order-K-all``.

    Raises ValueError for an unknown name or an order above its bound (see the module docstring).
    """
    if not isinstance(name, str):
        raise ValueError(f"--expr: expected a name, got {name!r}")
    m = _ORDER.fullmatch(name)
    if m:
        return order_expression(model, int(m.group(1)), "all" if m.group(2) else "planar")
    table = model_expressions(model)
    if name not in table:
        raise ValueError(_unknown(model, name))
    return _formula(table[name][1])


def formula_or_error(model, name: str) -> tuple:
    """``(formula, None)``, or ``(None, message)`` when the model's formula ``name`` cannot be built
    (a document shows the message instead of losing everything to one broken formula)."""
    try:
        return get_expression(model, name), None
    except Exception as exc:  # noqa: BLE001 - a model's formula may raise anything
        return None, f"{type(exc).__name__}: {exc}"


def order_limit(model, genus: str) -> int:
    """The highest ``K`` of ``order-K`` (planar) or ``order-K-all`` (all) for this model."""
    if genus == "planar":
        return MAX_PLANAR_ORDER
    if genus != "all":
        raise ValueError(f"genus: must be 'planar' or 'all', got {genus!r}")
    k = 0
    while k < MAX_ORDER and count_all(model, k + 1) <= MAX_ALL_CONTRACTIONS:
        k += 1
    return k


def order_expression(model, order, genus: str = "planar") -> sympy.Eq:
    """``[gamma^-K] <O> = prefactor [ ⋯ ]``: the coefficient of ``gamma^-order`` from the diagrams."""
    if genus not in ("planar", "all"):
        raise ValueError(f"genus: must be 'planar' or 'all', got {genus!r}")
    if genus == "planar":
        order = check_order(order, "order", maximum=MAX_PLANAR_ORDER)
        value = coefficient(model, order)
    else:
        order = check_order(order, "order", maximum=MAX_ORDER)
        n = count_all(model, order)
        if n > MAX_ALL_CONTRACTIONS:
            raise ValueError(f"order: order-K-all lists at most {MAX_ALL_CONTRACTIONS} contractions; order {order} "
                             f"of {model.name} has {n} (K <= {order_limit(model, 'all')})")
        value = order_summary(model, order, "all")["coefficient"]
    return sympy.Eq(OrderCoefficient(order, model.gamma.name), with_prefactor(value, common_factor(model, value)))


def _monomials(expr) -> list:
    return list(sympy.Add.make_args(sympy.expand(expr)))


def common_factor(model, expr) -> sympy.Expr:
    r"""The factor of ``expr`` (a sum of monomials) to write in front of a bracket.

    It is built from the symbols of the observable's prefactors (e.g. ``C``, ``sigma_w2``, ``M``,
    ``That``), each to the lowest power it has in the terms of ``expr``, times the number of the
    prefactors when they all share it: for the random-feature loss ``C sigma_w^2/(2 M)``, the
    test size ``That`` of the prefactor cancelling against the test loop of every diagram.
    """
    prefs = [p for p in symbolic_prefactors(model) if p != 0]
    symbols: set = set()
    for p in prefs:
        symbols |= {s for s in sympy.sympify(p).free_symbols if not isinstance(s, CovarianceTrace)}
    terms = [t for t in _monomials(expr) if t != 0]
    if not terms:
        return sympy.Integer(1)
    powers = [t.as_powers_dict() for t in terms]
    factor = sympy.Integer(1)
    for s in sorted(symbols, key=str):
        factor *= s ** min(p.get(s, 0) for p in powers)
    numbers = {sympy.sympify(p).as_coeff_Mul()[0] for p in prefs}
    if len(numbers) == 1:
        factor *= numbers.pop()
    return factor


def with_prefactor(expr, prefactor) -> sympy.Expr:
    r"""``prefactor * [expand(expr / prefactor)]`` when the bracket is a sum (printed as
    ``\frac{C \sigma_w^2}{2 M} \Big[ \cdots \Big]`` by :func:`~diagrams.output.latex.to_display`),
    else ``expand(expr)``.

    >>> C, N, T = sympy.symbols("C N T", positive=True)
    >>> with_prefactor(C * (N + T) / 2, C / 2)
    C*(N + T)/2
    """
    prefactor = sympy.sympify(prefactor)
    inner = sympy.expand(sympy.sympify(expr) / prefactor)
    return prefactor * inner if isinstance(inner, sympy.Add) else sympy.expand(expr)
