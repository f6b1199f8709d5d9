"""The test loss of the random-feature model as a series in 1/gamma of Gaussian-matrix words.

Averaging over the teacher ``w`` (REFERENCE Sec. 3; paper Eq. 20):

    <L̂> = C sigma_w^2 / (2 M T̂) < tr(A^T A) >,    A = x Q phi^T phî - x̂,
    Q = sum_n (-1)^n gamma^(-1-n) (phi^T phi)^n,   phi = u x,  phî = u x̂.

Write ``A^T = sum_n t_n Top_n`` and ``A = sum_m t_m Bottom_m`` with

* ``Top_-1 = x̂^T`` and ``Bottom_-1 = x̂`` (coefficient ``t_-1 = -1``, order 0),
* ``Top_n = phî^T phi (phi^T phi)^n x^T`` and ``Bottom_n = x (phi^T phi)^n phi^T phî``
  (coefficient ``t_n = (-1)^n``, order ``n + 1``),

so ``tr(A^T A) = sum_{n,m} t_n t_m tr(Top_n Bottom_m)``, the "two-line picture" of the paper
(Top = upper line, Bottom = lower line).  The coefficient of ``gamma^-k`` is a finite sum of single
traces.  By default the two mirror-image cross words ``tr(x̂^T Bottom_m)`` and ``tr(Top_m x̂)``
(equal expectations, one is the transpose of the other) are merged into one word with factor 2, as
in REFERENCE Sec. 3; ``mirror=True`` keeps both.

>>> [(t.coefficient, str(t.word)) for t in loss_terms(1)]
[(-2, 'xhat^T x x^T u^T u xhat')]
>>> len(loss_terms(3)), len(loss_terms(3, mirror=True))
(3, 4)
>>> loss_coefficient(0)
tr(Lambdahat)*C*sigma_w2/(2*M)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Sequence

import sympy

from diagrams.engine.symbols import evaluate_traces
from diagrams.engine.wick import Contraction, contractions, count_contractions, sum_monomials
from diagrams.engine.words import Word
from diagrams.models.random_features.model import MATRICES, SPACES, C, M, N, T, That, sigma_u2, sigma_w2

__all__ = [
    "LossTerm",
    "top_word",
    "bottom_word",
    "loss_terms",
    "PREFACTOR",
    "loss_diagrams",
    "loss_coefficient",
    "order_summary",
    "numeric_parameters",
    "substitute_numbers",
    "MAX_ALL_GENUS_ORDER",
]

#: Overall factor ``C sigma_w^2 / (2 M T̂)`` multiplying ``<tr(A^T A)>``.
PREFACTOR = C * sigma_w2 / (2 * M * That)

#: Enumerating all genera costs ``prod (2n-1)!!``: 44100 contractions at order 4, 4.6 million at 5.
MAX_ALL_GENUS_ORDER = 5

_PHI_T_PHI = "x^T u^T u x"


def _parse(text: str) -> Word:
    return Word.parse(text, MATRICES)


def top_word(n: int) -> str:
    """``Top_n`` as text: ``x̂^T`` for ``n = -1``, else ``phî^T phi (phi^T phi)^n x^T``."""
    if n == -1:
        return "xhat^T"
    return " ".join(["xhat^T u^T u x"] + [_PHI_T_PHI] * n + ["x^T"])


def bottom_word(m: int) -> str:
    """``Bottom_m`` as text: ``x̂`` for ``m = -1``, else ``x (phi^T phi)^m phi^T phî``."""
    if m == -1:
        return "xhat"
    return " ".join(["x"] + [_PHI_T_PHI] * m + ["x^T u^T u xhat"])


def _order(n: int) -> int:
    return 0 if n == -1 else n + 1


def _coef(n: int) -> int:
    return -1 if n == -1 else (-1) ** n


@dataclass(frozen=True)
class LossTerm:
    """One word of the expansion: ``coefficient * tr(word)`` at order ``gamma^-order``.

    ``top`` and ``bottom`` are the indices ``n, m`` of ``Top_n`` and ``Bottom_m``; ``top_length`` is
    the number of letters of the word that belong to the upper line.
    """

    order: int
    coefficient: int
    word: Word
    top: int
    bottom: int
    top_length: int

    @property
    def label(self) -> str:
        return f"Top_{self.top} Bottom_{self.bottom}"


def _check_order(order, name="order") -> int:
    if isinstance(order, bool) or not isinstance(order, int):
        try:
            if int(order) != order:
                raise ValueError
            order = int(order)
        except (TypeError, ValueError):
            raise ValueError(f"{name}: must be an integer >= 0, got {order!r}") from None
    if order < 0:
        raise ValueError(f"{name}: must be >= 0, got {order}")
    return order


def loss_terms(order: int, mirror: bool = False) -> list[LossTerm]:
    """The words of order ``gamma^-order`` with their integer coefficients (REFERENCE Sec. 3)."""
    order = _check_order(order)
    terms = []
    for n in range(-1, order):
        for m in range(-1, order):
            if _order(n) + _order(m) != order:
                continue
            coef = _coef(n) * _coef(m)
            if not mirror and (n == -1) != (m == -1) and order > 0:
                if m == -1:
                    continue  # merged into its mirror tr(x̂^T Bottom_n), factor 2
                coef *= 2
            word = _parse(top_word(n) + " " + bottom_word(m))
            terms.append(LossTerm(order, coef, word, n, m, len(top_word(n).split())))
    return terms


def loss_diagrams(order: int, genus: str = "planar", mirror: bool = False):
    """Yield ``(term, contraction)`` for every diagram of the order (``genus`` planar or all).

    Planar diagrams come from the direct planar generator when it is available, so high orders are
    reachable; all genera are enumerated exhaustively (at most :data:`MAX_ALL_GENUS_ORDER`).
    """
    order = _check_order(order)
    if genus not in ("planar", "all"):
        raise ValueError(f"genus: must be 'planar' or 'all', got {genus!r}")
    if genus == "all" and order > MAX_ALL_GENUS_ORDER:
        raise ValueError(f"order: all-genus enumeration is limited to order <= {MAX_ALL_GENUS_ORDER} "
                         f"({count_all(order)} contractions at order {order}); use --genus planar")
    for term in loss_terms(order, mirror=mirror):
        if genus == "planar":
            for c in _planar_contractions(term.word):
                yield term, c
        else:
            for c in contractions(term.word):
                yield term, c


def _planar_contractions(word: Word):
    try:
        from diagrams.engine.planar import planar_contractions
    except ImportError:  # planar generator not available: filter all pairings by face counting
        return (c for c in contractions(word) if c.is_planar)
    return planar_contractions(word)


def count_all(order: int, mirror: bool = False) -> int:
    """Number of all contractions of the order's words (no enumeration)."""
    return sum(count_contractions(t.word) for t in loss_terms(order, mirror=mirror))


def loss_coefficient(order: int, genus: str = "planar", progress=None) -> sympy.Expr:
    """Coefficient of ``gamma^-order`` in ``<L̂>`` as a sympy expression, prefactor included.

    ``genus="all"`` gives the exact finite-size expectation; ``"planar"`` the large-N limit.
    ``progress`` is an optional callable ``progress(n_done)`` invoked per diagram.
    """
    return order_summary(order, genus, progress=progress)["coefficient"]


def order_summary(order: int, genus: str = "planar", progress=None, where=None) -> dict:
    """Counts and coefficient of one order: ``contractions`` (all), ``planar``, ``coefficient``.

    ``where``: optional predicate ``where(term, contraction)`` (e.g. from
    :func:`diagrams.models.random_features.classify.make_filter`); the words are then taken with both mirror
    images written out (``mirror=True``), as the two-line classification needs, and only the
    diagrams passing it are counted and summed (``selected`` gives their number).
    """
    order = _check_order(order)
    weighted: dict = {}
    n_planar = 0
    n_seen = 0
    n_selected = 0
    for term, c in loss_diagrams(order, genus, mirror=where is not None):
        if where is not None and not where(term, c):
            continue
        n_selected += 1
        n_seen += 1
        planar = genus == "planar" or c.is_planar
        if planar:
            n_planar += 1
        key = c.monomial
        weighted[key] = weighted.get(key, 0) + term.coefficient
        if progress is not None:
            progress(1)
    total = sum_monomials(weighted, {s.name: s for s in SPACES})
    out = {
        "order": order,
        "contractions": count_all(order),
        "planar": n_planar,
        "coefficient": sympy.expand(PREFACTOR * total),
    }
    if where is not None:
        out["selected"] = n_selected
    elif genus == "all":
        assert n_seen == out["contractions"]
    return out


def numeric_parameters(N_=None, T_=None, That_=None, spectrum=None, sigma_u2_=1, sigma_w2_=1, C_=1) -> dict:
    """Validate and collect exact numeric parameters (Fractions); ``That`` defaults to 1."""
    def frac(v, name, positive=True):
        try:
            f = Fraction(str(v))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{name}: cannot read {v!r} as a number") from None
        if positive and f <= 0:
            raise ValueError(f"{name}: must be > 0, got {v}")
        return f

    out = {}
    for name, v in (("N", N_), ("T", T_), ("That", That_ if That_ is not None else 1)):
        if v is None:
            raise ValueError(f"{name}: a value is needed to substitute numbers")
        f = frac(v, name)
        if f < 1 or f.denominator != 1:
            raise ValueError(f"{name}: must be an integer >= 1, got {v}")
        out[name] = f
    if spectrum is None or len(spectrum) == 0:
        raise ValueError("spectrum: the spectrum is empty; give at least one positive eigenvalue")
    out["spectrum"] = [frac(v, "spectrum") for v in spectrum]
    out["sigma_u2"] = frac(sigma_u2_, "sigma_u2")
    out["sigma_w2"] = frac(sigma_w2_, "sigma_w2")
    out["C"] = frac(C_, "C")
    return out


def substitute_numbers(expr, params: dict) -> sympy.Expr:
    """Exact value of a symbolic coefficient: ``Lambda = Lambdahat = diag(spectrum)``,
    ``Sigma = (sigma_u^2/M) 1``, ``M = len(spectrum)``."""
    spec = params["spectrum"]
    m = len(spec)
    sig = params["sigma_u2"] / m
    diag = {"Lambda": spec, "Lambdahat": spec, "Sigma": [sig] * m}
    sizes = {"N": params["N"], "T": params["T"], "That": params["That"], "M": m,
             "sigma_u2": params["sigma_u2"], "sigma_w2": params["sigma_w2"], "C": params["C"]}
    return evaluate_traces(expr, diag, sizes)


def cached_order_summary(order: int, genus: str = "planar", progress=None) -> dict:
    """:func:`order_summary`, cached on disk (key: order, genus, package version).

    Cached entries hold the coefficient as a sympy expression; progress is only reported when the
    summary is computed.
    """
    from diagrams.engine.cache import cached

    order = _check_order(order)
    if order <= 3:
        return order_summary(order, genus, progress=progress)
    return cached("loss-order", {"order": order, "genus": genus},
                  lambda: order_summary(order, genus, progress=progress))


# -- coefficient-only planar sums (no diagram listed; see diagrams.engine.planar) ----------------

__all__ += ["planar_coefficient_exact", "planar_coefficient_symbolic"]


def planar_coefficient_exact(order: int, params: dict) -> Fraction:
    """Exact rational planar coefficient of ``gamma^-order`` in ``<L̂>``, prefactor included.

    ``params`` as returned by :func:`numeric_parameters`: ``Lambda = Lambdahat = diag(spectrum)``,
    ``Sigma = (sigma_u^2/M) 1`` with ``M = len(spectrum)``.  Uses the memoised junction recursion
    :func:`diagrams.engine.planar.planar_expectation_exact`; order 20 takes about a second.

    >>> p = numeric_parameters(N_=3, T_=5, spectrum=[1, "1/2"])
    >>> planar_coefficient_exact(0, p), planar_coefficient_exact(1, p)
    (Fraction(3, 8), Fraction(-75, 16))
    """
    from diagrams.engine.planar import planar_expectation_exact

    order = _check_order(order)
    spec = [Fraction(v) for v in params["spectrum"]]
    m = len(spec)
    diagonals = {"Lambda": spec, "Lambdahat": spec, "Sigma": [Fraction(params["sigma_u2"]) / m] * m}
    sizes = {"N": params["N"], "T": params["T"], "That": params["That"], "M": m}
    total = Fraction(0)
    for term in loss_terms(order):
        total += term.coefficient * planar_expectation_exact(term.word, diagonals, sizes)
    return Fraction(params["C"]) * Fraction(params["sigma_w2"]) / (2 * m * Fraction(params["That"])) * total


def planar_coefficient_symbolic(order: int) -> sympy.Expr:
    """Planar coefficient of ``gamma^-order`` (sympy, prefactor included) by the coefficient-only
    recursion :func:`diagrams.engine.planar.planar_monomials`; equals
    ``loss_coefficient(order, "planar")`` without listing the diagrams.

    >>> planar_coefficient_symbolic(3) == loss_coefficient(3)
    True
    """
    from diagrams.engine.planar import planar_monomials

    order = _check_order(order)
    weighted: dict = {}
    for term in loss_terms(order):
        for key, n in planar_monomials(term.word).items():
            weighted[key] = weighted.get(key, 0) + term.coefficient * n
    total = sum_monomials(weighted, {s.name: s for s in SPACES})
    return sympy.expand(PREFACTOR * total)
