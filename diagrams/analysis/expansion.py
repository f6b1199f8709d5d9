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

from diagrams.engine.expressions import TraceTerm, quadratic_terms, trace_terms
from diagrams.engine.numbers import check_order
from diagrams.engine.planar import count_planar, planar_contractions, planar_expectation_exact, planar_monomials
from diagrams.engine.planar_listing import planar_contraction, tally_planar_diagrams
from diagrams.engine.symbols import evaluate_traces
from diagrams.engine.wick import contractions, count_contractions, sum_monomials, word_spaces
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
    """``prefactor * coefficient * gamma^-order * tr(word)``: one word of the expansion.

    ``prefactor`` is the observable term's scalar (e.g. ``C sigma_w^2/(2 M That)``), ``coefficient``
    the number the expansion puts in front of the word, ``label`` the observable term it comes from,
    ``split`` the number of letters of the upper line for ``tr(A^T A)`` terms (else ``None``),
    ``orders`` the orders of the two factors.  ``word`` is ``None`` for a trace without Gaussian
    letters, whose value is then ``constant``.
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
    """The observable's prefactors with non-symbolic parameters at their defaults (e.g. no label noise)."""
    defaults = model.free_symbolic_defaults()
    return [sympy.sympify(ob.coefficient).xreplace(defaults) for ob in model.observable]


def terms(model: Model, order: int, *, merge="cross", values: Mapping | None = None) -> list[Term]:
    """The words of order ``gamma^-order`` of the model's observable with their coefficients.

    ``merge``: ``"cross"`` (default; cross terms of a squared sum written once with a factor 2, as
    the paper lists them), ``False`` (both mirror images written out: the two-line picture) or
    ``True`` (all traces equal up to rotation and transposition merged).  Terms whose prefactor
    vanishes -- symbolically at the defaults of non-symbolic parameters such as the label noise, or
    at ``values`` when given -- are left out.
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
    """Number of all Wick contractions of the order's words (nothing listed)."""
    return sum(count_contractions(t.word) if t.word is not None else 1 for t in terms(model, order, **kw))


def count_planar_diagrams(model: Model, order: int, **kw) -> int:
    """Number of planar contractions of the order's words (the interval recursion, nothing listed)."""
    return sum(count_planar(t.word) if t.word is not None else 1 for t in terms(model, order, **kw))


def diagrams(model: Model, order: int, genus: str = "planar", *, merge="cross") -> Iterator:
    """Yield ``(term, contraction)`` for every diagram of the order (``genus`` planar or all).

    Planar diagrams come from the direct planar generator; all genera are enumerated exhaustively
    (at most :data:`MAX_ALL_GENUS_LISTING` contractions).  Constant terms (no Gaussian letter) yield
    ``(term, None)``.
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
    """Counts and symbolic coefficient of one order by listing its diagrams.

    ``{"order", "contractions" (all), "planar", "coefficient"}``; with ``where(term, contraction)``
    only the diagrams passing it are summed (words with both mirror images written out) and
    ``"selected"`` counts them.  ``progress(n)`` is called with the number of diagrams just done.
    ``merge`` as for :func:`terms` (default ``False`` with ``where``, else ``"cross"``).
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
    """:func:`order_summary` (no filter) cached on disk under the model's fingerprint, the order and the genus.

    The coefficient is stored in the exact text form of :func:`~diagrams.engine.symbols.dump_expression`;
    an entry that does not read back as a sympy expression with integer counts is recomputed.
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
    """Exact value of a symbolic coefficient at parameter ``values`` (covariance traces and sizes)."""
    diag = model.diagonal_values(values, exact=True)
    sizes = {str(k): v for k, v in model.symbol_values(values).items()}
    out = evaluate_traces(expr, {k: list(v) for k, v in diag.items()}, sizes, exact=True)
    out = sympy.sympify(out)
    if not out.is_Rational:
        missing = sorted(str(s) for s in out.free_symbols)
        raise ValueError(f"values: give numbers for {', '.join(missing)} to evaluate the coefficient")
    return Fraction(int(out.p), int(out.q))


def coefficient(model: Model, order: int, *, genus: str = "planar", values: Mapping | None = None):
    """The coefficient of ``gamma^-order``: sympy (``values=None``) or an exact Fraction at ``values``.

    Planar: the coefficient-only recursion (:func:`~diagrams.engine.planar.planar_monomials`
    symbolically, :func:`~diagrams.engine.planar.planar_expectation_exact` at numbers), nothing
    listed.  ``genus="all"``: exhaustive enumeration (at most :data:`MAX_ALL_GENUS_LISTING`
    contractions).
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
    """The coefficient of ``gamma^-order`` split by Euler characteristic ``chi`` (2 planar, 1 one crosscap,
    0 torus or Klein bottle, ...), without listing a contraction (:mod:`diagrams.engine.genus`: loop
    equations over multi-trace words).

    ``{chi: value}`` (or ``{(chi, orientable): value}``) for ``chi`` from 2 down to ``min_chi`` (default:
    every genus), symbolic (sympy) without ``values``, exact Fractions with them.  The sum over all
    ``chi`` is the exact finite-size coefficient.  Bounds: :func:`diagrams.engine.genus.max_letters`.
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
