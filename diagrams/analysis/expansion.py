r"""The expansion of any declared model's observable in ``1/gamma``: words, diagrams, order sums.

The observable of a :class:`~diagrams.models.declaration.Model` is a sum of terms
``c tr(E)`` and ``c tr(A^T A)``.  Expanding every resolvent ``(gamma + X)^-1`` as a geometric series
(:mod:`diagrams.engine.expressions`) gives, at each order ``k``, a finite list of words with exact
coefficients (:func:`terms`); Wick's theorem turns each word into its contractions
(:func:`diagrams`), planar ones (large-N limit) or all of them (exact at finite size), and the
coefficient of ``gamma^-k`` is their sum (:func:`order_summary`, :func:`coefficient`), symbolically
(sympy, in the model's size symbols and covariance traces) or as an exact rational at numbers.

Upper bounds (checked before any work): :data:`MAX_ORDER` for the words and the planar
coefficient-only recursion, :data:`MAX_LISTING_ORDER` for listing planar diagrams,
:data:`MAX_ALL_GENUS_LISTING` contractions for exhaustive all-genus enumeration.

>>> from diagrams.models.random_features.model import MODEL
>>> [(str(t.word), t.coefficient) for t in terms(MODEL, 1)]
[('xhat^T x x^T u^T u xhat', -2)]
>>> coefficient(MODEL, 1, values={"N": 3, "T": 5, "spectrum": [1, "1/2"]})
Fraction(-75, 16)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Iterator, Mapping

import sympy

from diagrams.engine.expressions import quadratic_terms, trace_terms
from diagrams.engine.numbers import check_order
from diagrams.engine.planar import count_planar, planar_contractions, planar_expectation_exact, planar_monomials
from diagrams.engine.planar_listing import planar_contraction, tally_planar_diagrams
from diagrams.engine.symbols import evaluate_traces
from diagrams.engine.wick import contractions, count_contractions, sum_monomials
from diagrams.models.declaration import Model

__all__ = [
    "Term",
    "terms",
    "diagrams",
    "count_all",
    "count_planar_diagrams",
    "order_summary",
    "cached_order_summary",
    "coefficient",
    "coefficients_by_chi",
    "symbolic_prefactors",
    "evaluate",
    "MAX_ORDER",
    "MAX_LISTING_ORDER",
    "MAX_ALL_GENUS_LISTING",
]

#: Highest order of the word expansion and of the planar coefficient-only recursion.
MAX_ORDER = 60
#: Highest order at which planar diagrams are listed one by one.
MAX_LISTING_ORDER = 10
#: Most contractions the exhaustive all-genus enumeration lists (order 5 of the random-feature loss
#: has 4.6 million).
MAX_ALL_GENUS_LISTING = 5_000_000

_GENERA = ("planar", "all")


@dataclass(frozen=True)
class Term:
    """One word of the expansion: ``prefactor * coefficient * gamma^-order * tr(word)``.

    Parameters
    ----------
    order : int
        The power of ``1/gamma``.
    coefficient : sympy.Expr
        The number the expansion of the resolvents puts in front of the word.
    prefactor : sympy.Expr
        The observable term's scalar (e.g. ``C sigma_w^2/(2 M That)``).
    word : Word or None
        The word of Gaussian letters (:class:`~diagrams.engine.words.Word`); ``None`` for a trace
        without Gaussian letters, whose value is then ``constant``.
    label : str, optional
        The label of the observable term it comes from.
    split : int, optional
        For a ``tr(A^T A)`` term, the number of letters of the upper line (else ``None``).
    orders : tuple of int, optional
        The orders of the two factors of a ``tr(A^T A)`` term.
    constant : sympy.Expr, optional
        The value of a term without Gaussian letters.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> [t] = terms(load_model("ridge"), 1)
    >>> str(t.word), t.coefficient, t.prefactor, t.split, t.orders
    ('xhat^T x x^T xhat', -2, C*sigma_w2/(2*M*That), 1, (0, 1))
    """

    order: int
    coefficient: sympy.Expr
    prefactor: sympy.Expr
    word: object
    label: str = ""
    split: int | None = None
    orders: tuple = ()
    constant: sympy.Expr | None = None


def _check(model, order, maximum=MAX_ORDER) -> int:
    if not isinstance(model, Model):
        raise ValueError(f"model: expected a declared Model, got {type(model).__name__}")
    return check_order(order, "order", maximum=maximum)


def symbolic_prefactors(model: Model) -> list:
    """The observable's prefactors, with non-symbolic parameters at their defaults.

    A parameter declared with ``symbolic=False`` (e.g. a label-noise variance with default 0) is put
    at its default, so its terms drop from symbolic results.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).

    Returns
    -------
    list of sympy.Expr
        One prefactor per observable term, in the order of ``model.observable``.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> symbolic_prefactors(load_model("random-features"))
    [C*sigma_w2/(2*M*That), 0]
    """
    defaults = model.free_symbolic_defaults()
    return [sympy.sympify(ob.coefficient).xreplace(defaults) for ob in model.observable]


def terms(model: Model, order: int, *, merge="cross", values: Mapping | None = None) -> list[Term]:
    """The words of order ``gamma^-order`` of the model's observable, with their coefficients.

    Terms whose prefactor vanishes -- symbolically at the defaults of non-symbolic parameters such as
    the label noise, or at ``values`` when given -- are left out.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    order : int
        The power of ``1/gamma``, ``0 <= order <=`` :data:`MAX_ORDER`.
    merge : {"cross", False, True}, optional
        ``"cross"`` (default): cross terms of a squared sum written once with a factor 2, as the
        paper lists them; ``False``: both mirror images written out (the two-line picture); ``True``:
        all traces equal up to rotation and transposition merged.
    values : mapping, optional
        Parameter values (as :meth:`~diagrams.models.declaration.Model.read_values` returns them) at
        which vanishing prefactors are dropped.

    Returns
    -------
    list of Term
        The words, in the order of the observable's terms.

    Raises
    ------
    ValueError
        If ``model`` is not a ``Model`` or ``order`` is not an integer in ``[0, MAX_ORDER]``.

    Examples
    --------
    >>> from diagrams.models.random_features.model import MODEL
    >>> [(str(t.word), t.coefficient) for t in terms(MODEL, 1)]
    [('xhat^T x x^T u^T u xhat', -2)]
    >>> from diagrams.models.registry import load_model
    >>> [(str(t.word), t.constant) for t in terms(load_model("ridge"), 0)]
    [('xhat^T xhat', None)]
    """
    order = _check(model, order)
    prefs = symbolic_prefactors(model)
    if values is not None:
        subs = {k: (sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v)
                for k, v in model.symbol_values(values).items()}
        prefs = [sympy.sympify(ob.coefficient).xreplace(subs) for ob in model.observable]
    out = []
    for ob, pref in zip(model.observable, prefs):
        if pref == 0:
            continue
        if ob.kind == "quadratic":
            tt = quadratic_terms(ob.expr, model.gamma, order, merge=merge)
        else:
            tt = trace_terms(ob.expr, model.gamma, order, merge=bool(merge is True))
        for t in tt:
            out.append(Term(t.order, t.coefficient, pref, t.word, ob.label, t.split, t.orders, t.constant))
    return out


def count_all(model: Model, order: int, **kw) -> int:
    """The number of all Wick contractions of the order's words (nothing listed).

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    order : int
        The power of ``1/gamma``, ``0 <= order <=`` :data:`MAX_ORDER`.
    **kw
        Passed to :func:`terms` (``merge``, ``values``).

    Returns
    -------
    int
        The sum over words of their numbers of pairings; a term without Gaussian letters counts 1.

    Raises
    ------
    ValueError
        If ``order`` is out of range.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> count_all(load_model("random-features"), 2)
    18
    """
    return sum(count_contractions(t.word) if t.word is not None else 1 for t in terms(model, order, **kw))


def count_planar_diagrams(model: Model, order: int, **kw) -> int:
    """The number of planar contractions of the order's words (interval recursion, nothing listed).

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    order : int
        The power of ``1/gamma``, ``0 <= order <=`` :data:`MAX_ORDER`.
    **kw
        Passed to :func:`terms` (``merge``, ``values``).

    Returns
    -------
    int
        The number of planar (genus-0) contractions; a term without Gaussian letters counts 1.

    Raises
    ------
    ValueError
        If ``order`` is out of range.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> count_planar_diagrams(load_model("random-features"), 2)
    7
    """
    return sum(count_planar(t.word) if t.word is not None else 1 for t in terms(model, order, **kw))


def diagrams(model: Model, order: int, genus: str = "planar", *, merge="cross") -> Iterator:
    """Yield every diagram of one order, planar or of all genera.

    Planar diagrams come from the direct planar generator; all genera are enumerated exhaustively.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    order : int
        The power of ``1/gamma``: at most :data:`MAX_LISTING_ORDER` for ``genus="planar"``, at most
        :data:`MAX_ORDER` (and :data:`MAX_ALL_GENUS_LISTING` contractions) for ``genus="all"``.
    genus : {"planar", "all"}, optional
        Planar diagrams only, or every contraction.
    merge : {"cross", False, True}, optional
        As for :func:`terms`.

    Yields
    ------
    term : Term
        The word.
    contraction : Contraction or None
        One of its Wick contractions (:class:`~diagrams.engine.wick.Contraction`); ``None`` for a
        term without Gaussian letters.

    Raises
    ------
    ValueError
        If ``order`` is out of range, ``genus`` is not ``"planar"`` or ``"all"``, or an all-genus
        listing would exceed :data:`MAX_ALL_GENUS_LISTING` contractions.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> [(str(t.word), str(c)) for t, c in diagrams(load_model("ridge"), 1)]
    [('xhat^T x x^T xhat', '(0,3) (1,2)')]
    >>> next(diagrams(load_model("random-features"), 6, "all"))
    Traceback (most recent call last):
    ...
    ValueError: order: all-genus listing is limited to 5000000 contractions; order 6 of random-features has 648336150
    """
    order = _check(model, order, MAX_LISTING_ORDER if genus == "planar" else MAX_ORDER)
    if genus not in _GENERA:
        raise ValueError(f"genus: must be one of {_GENERA}, got {genus!r}")
    tt = terms(model, order, merge=merge)
    if genus == "all":
        n = sum(count_contractions(t.word) if t.word is not None else 1 for t in tt)
        if n > MAX_ALL_GENUS_LISTING:
            raise ValueError(f"order: all-genus listing is limited to {MAX_ALL_GENUS_LISTING} contractions; "
                             f"order {order} of {model.name} has {n}")
    for t in tt:
        if t.word is None:
            yield t, None
        elif genus == "planar":
            for c in planar_contractions(t.word):
                yield t, c
        else:
            for c in contractions(t.word):
                yield t, c


def order_summary(model: Model, order: int, genus: str = "planar", *, where: Callable | None = None,
                  progress: Callable | None = None, merge=None) -> dict:
    """Counts and symbolic coefficient of one order, by listing its diagrams.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    order : int
        The power of ``1/gamma``: at most :data:`MAX_LISTING_ORDER` for ``genus="planar"``, at most
        :data:`MAX_ORDER` (and :data:`MAX_ALL_GENUS_LISTING` contractions) for ``genus="all"``.
    genus : {"planar", "all"}, optional
        Sum the planar diagrams only (the large-N coefficient) or every contraction (exact at finite
        size).
    where : callable, optional
        ``where(term, contraction) -> bool``: only the diagrams passing it are summed (words with both
        mirror images written out), and ``"selected"`` counts them.
    progress : callable, optional
        Called as ``progress(n)`` with the number of diagrams just done.
    merge : {"cross", False, True}, optional
        As for :func:`terms`; default ``False`` with ``where``, else ``"cross"``.

    Returns
    -------
    dict
        ``{"order", "contractions" (all), "planar", "coefficient"}`` (plus ``"selected"`` with
        ``where``), the coefficient a sympy expression in the size symbols and covariance traces.

    Raises
    ------
    ValueError
        If ``order`` is out of range, ``genus`` is unknown, or an all-genus listing would exceed
        :data:`MAX_ALL_GENUS_LISTING` contractions.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> order_summary(load_model("ridge"), 1)
    {'order': 1, 'contractions': 1, 'planar': 1, 'coefficient': -tr(Lambda^2)*C*T*sigma_w2/M}
    """
    order = _check(model, order)
    if merge is None:
        merge = False if where is not None else "cross"
    if genus not in _GENERA:
        raise ValueError(f"genus: must be one of {_GENERA}, got {genus!r}")
    tt = terms(model, order, merge=merge)
    spaces = dict(model.spaces)
    constants = sympy.Integer(0)
    weighted: dict = {}
    n_planar = n_selected = 0
    if genus == "planar":
        order = _check(model, order, MAX_LISTING_ORDER)
        word_terms = [t for t in tt if t.word is not None]
        for t in tt:
            if t.word is None:
                constants += t.prefactor * t.coefficient * t.constant
                n_planar += 1
                n_selected += 1
        pred = None
        if where is not None:
            words = [t.word for t in word_terms]

            def pred(i, pairs, key):
                return where(word_terms[i], planar_contraction(words[i], pairs))

        counts = tally_planar_diagrams([t.word for t in word_terms], where=pred, progress=progress)
        for t, tally in zip(word_terms, counts):
            for key, n in tally.items():
                k2 = (t.prefactor, key)
                weighted[k2] = weighted.get(k2, 0) + t.coefficient * n
                n_planar += n
                n_selected += n
    else:
        n = sum(count_contractions(t.word) if t.word is not None else 1 for t in tt)
        if n > MAX_ALL_GENUS_LISTING:
            raise ValueError(f"order: all-genus listing is limited to {MAX_ALL_GENUS_LISTING} contractions; "
                             f"order {order} of {model.name} has {n}")
        batch = 0
        for term in tt:
            if term.word is None:
                constants += term.prefactor * term.coefficient * term.constant
                continue
            for c in contractions(term.word):
                if where is not None and not where(term, c):
                    continue
                n_selected += 1
                if c.is_planar:
                    n_planar += 1
                key = (term.prefactor, c.monomial)
                weighted[key] = weighted.get(key, 0) + term.coefficient
                batch += 1
                if progress is not None and batch >= 4096:
                    progress(batch)
                    batch = 0
        if progress is not None and batch:
            progress(batch)
    by_pref: dict = {}
    for (pref, key), w in weighted.items():
        by_pref.setdefault(pref, {})[key] = w
    total = constants + sympy.Add(*[pref * sum_monomials(d, spaces) for pref, d in by_pref.items()])
    out = {"order": order, "contractions": count_all(model, order),
           "planar": n_planar if genus == "planar" or where is not None else count_planar_diagrams(model, order),
           "coefficient": sympy.expand(total)}
    if where is not None:
        out["selected"] = n_selected
    return out


def cached_order_summary(model: Model, order: int, genus: str = "planar", *, progress: Callable | None = None) -> dict:
    """:func:`order_summary` (no filter), cached on disk.

    The key is the model's fingerprint, the order and the genus; orders up to 3 are computed
    directly.  The coefficient is stored in the exact text form of
    :func:`~diagrams.engine.symbols.dump_expression`; an entry that does not read back as a sympy
    expression with integer counts is recomputed.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    order : int
        The power of ``1/gamma``, bounded as for :func:`order_summary`.
    genus : {"planar", "all"}, optional
        As for :func:`order_summary`.
    progress : callable, optional
        Called as ``progress(n)`` with the number of diagrams just done (only when computing).

    Returns
    -------
    dict
        As :func:`order_summary`: ``{"order", "contractions", "planar", "coefficient"}``.

    Raises
    ------
    ValueError
        As :func:`order_summary`.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> cached_order_summary(load_model("ridge"), 1)["coefficient"]
    -tr(Lambda^2)*C*T*sigma_w2/M
    """
    import sys

    from diagrams.engine.cache import cached
    from diagrams.engine.symbols import dump_expression, load_expression

    order = _check(model, order)
    if order <= 3:
        return order_summary(model, order, genus, progress=progress)

    def encode(r):
        return {**{k: r[k] for k in ("order", "contractions", "planar")}, "coefficient": dump_expression(r["coefficient"])}

    def decode(p):
        return {"order": int(p["order"]), "contractions": int(p["contractions"]), "planar": int(p["planar"]),
                "coefficient": load_expression(p["coefficient"])}

    def valid(r):
        return r["order"] == order and r["contractions"] >= r["planar"] >= 0 and isinstance(r["coefficient"], sympy.Expr)

    return cached("order-summary", {"model": model.fingerprint(), "order": order, "genus": genus},
                  lambda: order_summary(model, order, genus, progress=progress),
                  code=[sys.modules[__name__], "diagrams.engine.wick", "diagrams.engine.planar",
                        "diagrams.engine.expressions"],
                  encode=encode, decode=decode, validate=valid)


def evaluate(expr, model: Model, values: Mapping) -> Fraction:
    """The exact value of a symbolic coefficient at parameter values.

    Parameters
    ----------
    expr : sympy.Expr
        A coefficient in the model's size symbols, parameter symbols and covariance traces (as
        :func:`coefficient` returns it without ``values``).
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    values : mapping
        Parameter values, as :meth:`~diagrams.models.declaration.Model.read_values` returns them.

    Returns
    -------
    Fraction
        The exact value.

    Raises
    ------
    ValueError
        If a symbol of ``expr`` has no value (the message lists them).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> values = ridge.read_values({"T": 5, "spectrum": "1 1/4"})
    >>> evaluate(coefficient(ridge, 1), ridge, values)
    Fraction(-85, 32)
    """
    diag = model.diagonal_values(values, exact=True)
    sizes = {str(k): v for k, v in model.symbol_values(values).items()}
    out = evaluate_traces(expr, {k: list(v) for k, v in diag.items()}, sizes, exact=True)
    out = sympy.sympify(out)
    if not out.is_Rational:
        missing = sorted(str(s) for s in out.free_symbols)
        raise ValueError(f"values: give numbers for {', '.join(missing)} to evaluate the coefficient")
    return Fraction(int(out.p), int(out.q))


def coefficient(model: Model, order: int, *, genus: str = "planar", values: Mapping | None = None):
    """The coefficient of ``gamma^-order``: symbolic, or an exact rational at values.

    Planar: the coefficient-only recursion (:func:`~diagrams.engine.planar.planar_monomials`
    symbolically, :func:`~diagrams.engine.planar.planar_expectation_exact` at numbers), nothing
    listed.  ``genus="all"``: the sum over Euler characteristics of :func:`coefficients_by_chi`, the
    exact finite-size coefficient.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    order : int
        The power of ``1/gamma``, ``0 <= order <=`` :data:`MAX_ORDER` (all genera: also bounded by
        :func:`diagrams.engine.genus.max_letters`).
    genus : {"planar", "all"}, optional
        The planar (large-N) coefficient or the exact one.
    values : mapping, optional
        Parameter values (every parameter needs one, given or default); ``None``: symbolic.

    Returns
    -------
    sympy.Expr or Fraction
        The coefficient: a sympy expression without ``values``, an exact ``Fraction`` with them.

    Raises
    ------
    ValueError
        If ``order`` is out of range, ``genus`` is unknown, or a value is missing or out of its range.

    Examples
    --------
    >>> from diagrams.models.random_features.model import MODEL
    >>> coefficient(MODEL, 1, values={"N": 3, "T": 5, "spectrum": [1, "1/2"]})
    Fraction(-75, 16)
    >>> from diagrams.models.registry import load_model
    >>> coefficient(load_model("ridge"), 1)
    -tr(Lambda^2)*C*T*sigma_w2/M
    """
    order = _check(model, order)
    if genus not in _GENERA:
        raise ValueError(f"genus: must be one of {_GENERA}, got {genus!r}")
    if values is not None:
        values = model.read_values(values, require=[p.name for p in model.parameters])
    tt = terms(model, order, values=values)
    if genus == "all":
        parts = coefficients_by_chi(model, order, values=values)
        total = sum(parts.values(), sympy.Integer(0) if values is None else Fraction(0))
        return sympy.expand(total) if values is None else total
    if values is None:
        spaces = dict(model.spaces)
        total = sympy.Integer(0)
        for t in tt:
            if t.word is None:
                total += t.prefactor * t.coefficient * t.constant
            else:
                total += t.prefactor * t.coefficient * sum_monomials(planar_monomials(t.word), spaces)
        return sympy.expand(total)
    diag = model.diagonal_values(values, exact=True)
    sizes = {str(k): v for k, v in model.symbol_values(values).items()}
    total = Fraction(0)
    for t in tt:
        pref = Fraction(int(sympy.Rational(t.prefactor).p), int(sympy.Rational(t.prefactor).q)) \
            if sympy.sympify(t.prefactor).is_Rational else _fail(t.prefactor)
        c = sympy.Rational(t.coefficient)
        cf = Fraction(int(c.p), int(c.q))
        if t.word is None:
            total += pref * cf * evaluate(t.constant, model, values)
        else:
            total += pref * cf * planar_expectation_exact(t.word, diag, sizes)
    return total


def coefficients_by_chi(model: Model, order: int, *, values: Mapping | None = None, min_chi: int | None = None,
                        by_orientability: bool = False, progress: Callable | None = None) -> dict:
    """The coefficient of ``gamma^-order`` split by Euler characteristic, nothing listed.

    ``chi`` is 2 for planar diagrams, 1 for one crosscap, 0 for the torus or the Klein bottle, ...;
    the terms come from the loop equations over multi-trace words (:mod:`diagrams.engine.genus`),
    without listing a contraction.  The sum over all ``chi`` is the exact finite-size coefficient.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    order : int
        The power of ``1/gamma``, ``0 <= order <=`` :data:`MAX_ORDER`; the words are further bounded
        by :func:`diagrams.engine.genus.max_letters`.
    values : mapping, optional
        Parameter values (every parameter needs one, given or default); ``None``: symbolic.
    min_chi : int, optional
        The lowest Euler characteristic kept, an integer in ``[-158, 2]`` (default: every genus).
    by_orientability : bool, optional
        Split each ``chi`` further into orientable and non-orientable surfaces.
    progress : callable, optional
        Called with the amount of work just done.

    Returns
    -------
    dict
        ``{chi: value}`` (or ``{(chi, orientable): value}``) for ``chi`` from 2 down, sympy
        expressions without ``values``, exact Fractions with them.

    Raises
    ------
    ValueError
        If ``order`` or ``min_chi`` is out of range, a word is too long for the loop equations, or a
        value is missing or out of its range.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> coefficients_by_chi(ridge, 2, values={"T": 5, "spectrum": "1 1/4"}, min_chi=1)
    {2: Fraction(3075, 128), 1: Fraction(975, 256)}
    """
    from diagrams.engine.genus import genus_expansion, genus_sum_exact

    order = _check(model, order)
    if min_chi is not None:
        min_chi = check_order(min_chi, "min_chi", minimum=-158, maximum=2)
    if values is not None:
        values = model.read_values(values, require=[p.name for p in model.parameters])
    tt = terms(model, order, values=values)
    constants = [t for t in tt if t.word is None]
    words = [t for t in tt if t.word is not None]
    out: dict = {}

    def add(key, v):
        out[key] = out.get(key, 0) + v

    if values is None:
        for t in words:
            for key, v in genus_expansion(t.word, min_chi=min_chi, by_orientability=by_orientability,
                                          progress=progress).items():
                add(key, sympy.expand(t.prefactor * t.coefficient * v))
        for t in constants:
            add((2, True) if by_orientability else 2, t.prefactor * t.coefficient * t.constant)
        return {k: sympy.expand(v) for k, v in out.items()}
    diag = model.diagonal_values(values, exact=True)
    sizes = {str(k): v for k, v in model.symbol_values(values).items()}
    # prefactors differ between observable terms: one shared-memo sum per prefactor
    by_pref: dict = {}
    for t in words:
        by_pref.setdefault(t.prefactor, []).append((Fraction(int(sympy.Rational(t.coefficient).p),
                                                             int(sympy.Rational(t.coefficient).q)), t.word))
    for pref, items in by_pref.items():
        pr = sympy.Rational(pref)
        pf = Fraction(int(pr.p), int(pr.q))
        for key, v in genus_sum_exact(items, {k: list(v) for k, v in diag.items()}, sizes, min_chi=min_chi,
                                      by_orientability=by_orientability, progress=progress).items():
            add(key, pf * v)
    for t in constants:
        pr = sympy.Rational(t.prefactor * t.coefficient)
        add((2, True) if by_orientability else 2, Fraction(int(pr.p), int(pr.q)) * evaluate(t.constant, model, values))
    return out


def _fail(pref):
    raise ValueError(f"values: the prefactor {pref} is not a number at these values; give every parameter")
