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
    "expression_order_limit",
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
    """The model's own named formulas, read from its ``latex_expressions`` and validated.

    Parameters
    ----------
    model : Model
        A model declaration; its ``latex_expressions`` (optional) is a dict
        ``{name: (description, formula or callable)}`` or a zero-argument callable returning one.

    Returns
    -------
    dict
        ``{name: (description, formula or callable)}``, empty when the model has no
        ``latex_expressions``.  Formulas are not built here (see :func:`get_expression`).

    Raises
    ------
    ValueError
        Naming the model, if ``latex_expressions`` does not give a dict; if a name is not letters,
        digits, ``_`` and ``-`` starting with a letter; if a name is of the reserved form
        ``order-K`` or ``order-K-all``; or if an entry is not a ``(description, formula)`` pair
        with a string description.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> model_expressions(load_model("ridge"))
    {}
    >>> model_expressions(load_model("random-features"))["loss"][0]
    'Test loss in the planar limit, Eq.~(104)'
    >>> from types import SimpleNamespace
    >>> toy = SimpleNamespace(name="toy", latex_expressions={"order-1": ("mine", 1)})
    >>> model_expressions(toy)
    Traceback (most recent call last):
    ...
    ValueError: latex_expressions: toy: 'order-1' is reserved for the rebuilt order coefficients
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
    """The names of a model's expressions: its own formulas, then ``order-K`` and ``order-K-all``.

    Parameters
    ----------
    model : Model
        A model declaration.

    Returns
    -------
    list of str
        The keys of :func:`model_expressions`, in their order, then the patterns of
        :data:`ORDER_NAMES`.

    Raises
    ------
    ValueError
        If the model's ``latex_expressions`` is malformed (see :func:`model_expressions`).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> expression_names(load_model("ridge"))
    ['order-K', 'order-K-all']
    >>> expression_names(load_model("random-features"))[:3]
    ['loss', 'loss_factorised', 'resummation_factor']
    """
    return list(model_expressions(model)) + list(ORDER_NAMES)


def describe(model, name: str) -> str:
    r"""One line (LaTeX allowed) saying what a named expression of a model is.

    Parameters
    ----------
    model : Model
        A model declaration.
    name : str
        One of :func:`expression_names`, or a concrete order such as ``"order-2"`` or
        ``"order-2-all"``.

    Returns
    -------
    str
        The description; for a model formula with an empty description, its name.

    Raises
    ------
    ValueError
        If ``name`` is not an expression of ``model``.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> describe(rf, "loss")
    'Test loss in the planar limit, Eq.~(104)'
    >>> describe(rf, "order-2-all")
    'Coefficient of $\\gamma^{-2}$ from the contractions of all genera'
    >>> describe(load_model("ridge"), "loss")
    Traceback (most recent call last):
    ...
    ValueError: --expr: unknown expression 'loss' for ridge; known: order-K, order-K-all
    """
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
    """The sympy object of a named formula of a model, or of its order coefficient ``order-K``.

    Parameters
    ----------
    model : Model
        A model declaration.
    name : str
        A formula name of the model (see :func:`expression_names`), or ``order-K`` (planar,
        ``0 <= K <= MAX_PLANAR_ORDER``) or ``order-K-all`` (all genera, at most
        :data:`MAX_ALL_CONTRACTIONS` contractions) with ``K`` a number.

    Returns
    -------
    sympy.Basic or tuple of sympy.Eq
        The formula (a callable formula is called); a list of equations is returned as a tuple.
        For ``order-K``: the equation of :func:`order_expression`.

    Raises
    ------
    ValueError
        For a name that is not a string or not an expression of the model, an order above its
        bound (see the module docstring), or a model formula that is not a sympy expression,
        equation or non-empty tuple of equations.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> get_expression(ridge, "order-1")
    Eq([gamma^-1]observable, -tr(Lambda^2)*C*T*sigma_w2/M)
    >>> get_expression(ridge, "order-7")
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [0, 6], got 7
    >>> get_expression(ridge, 3)
    Traceback (most recent call last):
    ...
    ValueError: --expr: expected a name, got 3
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
    """A named formula of a model, or the message of the error that stops it being built.

    A document shows the message instead of losing everything to one broken formula.

    Parameters
    ----------
    model : Model
        A model declaration.
    name : str
        An expression name, as for :func:`get_expression`.

    Returns
    -------
    tuple
        ``(formula, None)``, or ``(None, message)`` with ``message`` of the form
        ``"ExceptionType: text"`` when :func:`get_expression` raises (any exception).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> formula_or_error(ridge, "order-1")
    (Eq([gamma^-1]observable, -tr(Lambda^2)*C*T*sigma_w2/M), None)
    >>> formula_or_error(ridge, "loss")
    (None, "ValueError: --expr: unknown expression 'loss' for ridge; known: order-K, order-K-all")
    """
    try:
        return get_expression(model, name), None
    except Exception as exc:  # noqa: BLE001 - a model's formula may raise anything
        return None, f"{type(exc).__name__}: {exc}"


def expression_order_limit(model, genus: str) -> int:
    """The highest order ``K`` for which ``order-K`` (planar) or ``order-K-all`` can be built.

    Parameters
    ----------
    model : Model
        A model declaration.
    genus : {'planar', 'all'}
        ``'planar'``: the bound :data:`MAX_PLANAR_ORDER`, the same for every model.  ``'all'``: the
        highest ``K <= MAX_ORDER`` such that every order up to ``K`` has at most
        :data:`MAX_ALL_CONTRACTIONS` Wick contractions (counted, not listed).

    Returns
    -------
    int
        The bound ``K``.

    Raises
    ------
    ValueError
        If ``genus`` is not ``'planar'`` or ``'all'``.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> expression_order_limit(load_model("random-features"), "all")
    4
    >>> expression_order_limit(load_model("ridge"), "planar")
    6
    >>> expression_order_limit(load_model("ridge"), "genus-1")
    Traceback (most recent call last):
    ...
    ValueError: genus: must be 'planar' or 'all', got 'genus-1'
    """
    if genus == "planar":
        return MAX_PLANAR_ORDER
    if genus != "all":
        raise ValueError(f"genus: must be 'planar' or 'all', got {genus!r}")
    k = 0
    while k < MAX_ORDER and count_all(model, k + 1) <= MAX_ALL_CONTRACTIONS:
        k += 1
    return k


def order_expression(model, order, genus: str = "planar") -> sympy.Eq:
    """The coefficient of ``gamma^-order`` of the observable rebuilt from its diagrams, as an equation.

    The equation reads ``[gamma^-K] <O> = prefactor [ ⋯ ]``, the common factor of
    :func:`common_factor` in front of the bracket (:func:`with_prefactor`).

    Parameters
    ----------
    model : Model
        A model declaration.
    order : int
        The order ``K``: ``0 <= K <= MAX_PLANAR_ORDER`` for ``genus='planar'``; for ``genus='all'``
        ``0 <= K <= MAX_ORDER`` with at most :data:`MAX_ALL_CONTRACTIONS` Wick contractions
        (see :func:`expression_order_limit`).  An integral float is accepted.
    genus : {'planar', 'all'}, optional
        ``'planar'`` (default): the planar diagrams (large-N limit), by
        :func:`diagrams.analysis.expansion.coefficient`; ``'all'``: all Wick contractions (exact at
        finite size), by :func:`diagrams.analysis.expansion.order_summary`.

    Returns
    -------
    sympy.Eq
        ``Eq(OrderCoefficient(order, gamma), value)``.

    Raises
    ------
    ValueError
        If ``genus`` is neither ``'planar'`` nor ``'all'``, ``order`` is not an integer in range,
        or (``'all'``) the order has more than :data:`MAX_ALL_CONTRACTIONS` contractions.  The
        bounds are checked before any work.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> order_expression(ridge, 2, "all")
    Eq([gamma^-2]observable, C*sigma_w2*(3*tr(Lambda)*tr(Lambda^2)*T + 3*tr(Lambda^3)*T**2 + 3*tr(Lambda^3)*T)/(2*M))
    >>> order_expression(load_model("random-features"), 5, "all")
    Traceback (most recent call last):
    ...
    ValueError: order: order-K-all lists at most 50000 contractions; order 5 of random-features has 4465125 (K <= 4)
    """
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
                             f"of {model.name} has {n} (K <= {expression_order_limit(model, 'all')})")
        value = order_summary(model, order, "all")["coefficient"]
    return sympy.Eq(OrderCoefficient(order, model.gamma.name), with_prefactor(value, common_factor(model, value)))


def _monomials(expr) -> list:
    return list(sympy.Add.make_args(sympy.expand(expr)))


def common_factor(model, expr) -> sympy.Expr:
    r"""The common factor of an order coefficient to write in front of its bracket.

    It is built from the symbols of the observable's prefactors (e.g. ``C``, ``sigma_w2``, ``M``,
    ``That``), each to the lowest power it has in the terms of ``expr``, times the number of the
    prefactors when they all share it: for the random-feature loss ``C sigma_w^2/(2 M)``, the
    test size ``That`` of the prefactor cancelling against the test loop of every diagram.

    Parameters
    ----------
    model : Model
        A model declaration; the symbols come from its observable's prefactors
        (:func:`diagrams.analysis.expansion.symbolic_prefactors`), traces of covariances excluded.
    expr : sympy.Expr
        The expression (a sum of monomials once expanded) to factor.

    Returns
    -------
    sympy.Expr
        The factor; ``1`` when ``expr`` is zero.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> value = get_expression(ridge, "order-2").rhs
    >>> common_factor(ridge, value)
    C*sigma_w2/(2*M)
    >>> common_factor(ridge, 0)
    1
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
    r"""An expression written as a prefactor times a bracket.

    The result is ``prefactor * [expand(expr / prefactor)]`` when the bracket is a sum (printed as
    ``\frac{C \sigma_w^2}{2 M} \Big[ \cdots \Big]`` by :func:`~diagrams.output.latex.to_display`),
    else ``expand(expr)``.

    Parameters
    ----------
    expr : sympy.Expr
        The expression.
    prefactor : sympy.Expr
        The factor to pull out (non-zero), e.g. from :func:`common_factor`.

    Returns
    -------
    sympy.Expr
        The product ``prefactor * (sum)``, or the expanded ``expr``.

    Examples
    --------
    >>> C, N, T = sympy.symbols("C N T", positive=True)
    >>> with_prefactor(C * (N + T) / 2, C / 2)
    C*(N + T)/2
    """
    prefactor = sympy.sympify(prefactor)
    inner = sympy.expand(sympy.sympify(expr) / prefactor)
    return prefactor * inner if isinstance(inner, sympy.Add) else sympy.expand(expr)
