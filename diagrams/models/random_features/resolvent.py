r"""Resummed propagators from the diagrams: 1PI self-energies, Dyson chains, consistency relation.

The full propagators of the random-feature model are the planar expectations of the resolvents
(paper Sec. III.3)::

    gamma <Q> = sum_n (-1/gamma)^n <tr (phi^T phi)^n>/T,   gamma <q> = sum_n (-1/gamma)^n <tr (phi phi^T)^n>/N,

with ``phi = u x``.  This module takes the planar diagrams of ``tr((x^T u^T u x)^n)`` (train space)
and ``tr((u x x^T u^T)^n)`` (feature space) from the engine, opens each trace at slot 0 (the
external propagator line) and sorts the diagrams with
:func:`~diagrams.models.random_features.classify.is_one_particle_irreducible`:

1. **Dyson chains.**  Every diagram is a chain of 1PI blobs joined at its one-particle cuts, so
   ``gamma <Q> = 1/(1 - Pi_T)`` with ``Pi_T = sum_n (-1/gamma)^n [1PI part of <tr (phi^T phi)^n>/T]``
   (:func:`check_dyson`).
2. **Recognising the self-energy.**  In a planar 1PI diagram the first and last letters are joined;
   the latent loop through slot 1 (the *skeleton* loop) is ``tr[(Lambda Sigma)^p]``.  Dividing each
   diagram by its skeleton loop and summing the rest (the *dressing*) over every diagram with the
   same ``p`` gives, order by order, ``-N <q> (-gamma xi)^(p-1)`` with the full propagators of
   step 1 and ``xi = N T <q> <Q>`` (:func:`check_self_energy`).  Summed over ``p``::

       Pi_T = -N <q> tr[Lambda Sigma (1 + gamma xi Lambda Sigma)^-1],   Pi_N = -T <Q> tr[...]   (Eqs. 40-41)

3. **Consistency relation** (Eqs. 42-44): eliminating the trace ``t`` between the two Dyson
   equations with sympy gives ``N (1 - gamma <q>) = T (1 - gamma <Q>) = gamma xi t``
   (:func:`derive_consistency_relation`).  Its power-series solution, computed by fixed-point
   iteration of the relation itself (:func:`consistency_series`), is compared with the diagram sums
   (:func:`check_consistency`); :func:`solve_consistency` solves it numerically.

Series are the toolkit's truncated Laurent series in ``eps = 1/gamma``
(:class:`~diagrams.engine.series.Series`) with coefficients either exact rationals (numeric
parameters, :class:`ExactEnv`) or polynomials (:class:`SymbolicEnv`: any ``Lambda`` and
``Lambdahat``, ``Sigma = (sigma_u^2/M) 1``).

>>> env = ExactEnv(2, 3, ["1", "1/2"])
>>> [str(c) for c in propagator_series("train", 3, env).coefficients(3)]
['1', '-3/2', '75/8', '-2511/32']
>>> all(all(ok) for ok in check_dyson("train", 4, env).values())
True
>>> derive_consistency_relation()
(Eq(N*(-gamma*q + 1), T*(-Q*gamma + 1)), Eq(T*(-Q*gamma + 1), gamma*xi*tr_resolvent(gamma*xi, 1, 1, 0)))
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from math import comb
from typing import Mapping, Sequence

import mpmath
import sympy
from sympy.polys.domains import ZZ
from sympy.polys.rings import PolyElement, ring

from diagrams.engine.numbers import check_order, read_fraction, read_integer, read_list, to_mpf
from diagrams.engine.series import Series, compose
from diagrams.engine.symbols import canonical_cycle, diagonal_trace, name_latex, trace_symbol
from diagrams.engine.wick import monomial_value, sum_monomials
from diagrams.engine.words import Word
from diagrams.models.random_features.classify import is_one_particle_irreducible, slot_faces
from diagrams.models.random_features.inputs import read_exact
from diagrams.models.random_features.model import MATRICES, M, N, Q, T, That, gamma, q, s, sigma_u2, xi

__all__ = [
    "RESOLVENT_SPACES",
    "ResolventTrace",
    "geometric_inverse",
    "ExactEnv",
    "SymbolicEnv",
    "series_of",
    "resolvent_word",
    "resolvent_diagrams",
    "ResolventClasses",
    "resolvent_classes",
    "MAX_RESOLVENT_ORDER",
    "MAX_CONSISTENCY_ORDER",
    "propagator_series",
    "self_energy_series",
    "dressing_series",
    "diagram_values",
    "propagator_values",
    "check_dyson",
    "check_self_energy",
    "self_energy_expression",
    "derive_consistency_relation",
    "consistency_series",
    "check_consistency",
    "solve_consistency",
    "evaluate",
]

#: The spaces of the two resolvents: ``"train"`` for ``gamma <Q>`` (``tr (phi^T phi)^n``) and
#: ``"feature"`` for ``gamma <q>`` (``tr (phi phi^T)^n``).
RESOLVENT_SPACES = ("train", "feature")


# ============================================================================ latent traces

class ResolventTrace(sympy.Function):
    r"""The latent trace ``tr[Lambdahat^h (Lambda Sigma)^p (1 + a Lambda Sigma)^-k]`` as a function of ``a``.

    It stays unevaluated; :func:`series_of` expands it in powers of ``a`` and :func:`evaluate`
    computes it for a diagonal spectrum.

    Parameters
    ----------
    a : sympy.Expr
        The argument (``gamma xi`` in the self-energy, Eqs. 40-41).
    p, k : int
        The powers of ``Lambda Sigma`` and of ``(1 + a Lambda Sigma)^-1``, integers ``>= 0``.
    h : {0, 1}
        The power of ``Lambdahat``.

    Raises
    ------
    ValueError
        If ``p``, ``k`` or ``h`` is not an integer ``>= 0``, or ``h > 1``.

    Examples
    --------
    >>> a = sympy.Symbol("a")
    >>> ResolventTrace(a, 1, 1, 0)
    tr_resolvent(a, 1, 1, 0)
    >>> sympy.latex(ResolventTrace(a, 0, 2, 1))
    '\\operatorname{tr}\\left[\\hat{\\Lambda} \\left(1 + a \\Lambda \\Sigma\\right)^{-2}\\right]'
    >>> ResolventTrace(a, 1, 1, 2)
    Traceback (most recent call last):
    ...
    ValueError: h: the power of Lambdahat is 0 or 1, got 2
    """

    nargs = 4

    @classmethod
    def eval(cls, a, p, k, h):
        for name, v in (("p", p), ("k", k), ("h", h)):
            if not (v.is_Integer and v >= 0):
                raise ValueError(f"{name}: must be an integer >= 0, got {v}")
        if h > 1:
            raise ValueError(f"h: the power of Lambdahat is 0 or 1, got {h}")
        return None

    def _sympystr(self, printer):
        a, p, k, h = self.args
        return f"tr_resolvent({printer._print(a)}, {p}, {k}, {h})"

    def _latex(self, printer, exp=None):
        a, p, k, h = self.args
        parts = []
        if h:
            parts.append(name_latex("Lambdahat"))
        if p:
            parts.append(r"\left(\Lambda \Sigma\right)" + ("" if p == 1 else "^{%d}" % int(p)))
        if k:
            parts.append(r"\left(1 + %s \Lambda \Sigma\right)^{-%s}" % (printer._print(a), k))
        body = " ".join(parts) if parts else "1"
        out = r"\operatorname{tr}\left[" + body + r"\right]"
        return out if exp is None else r"\left(%s\right)^{%s}" % (out, exp)


# ============================================================================ environments

def geometric_inverse(x: Series) -> Series:
    """The sum ``1/(1 - x)`` of a Dyson chain of blobs ``x``, for ``x = O(eps)``.

    Parameters
    ----------
    x : Series
        The blob, a series in ``eps = 1/gamma`` (it should vanish at order 0).

    Returns
    -------
    Series
        ``1/(1 - x) = 1 + x + x^2 + ...``.

    Raises
    ------
    ValueError
        If ``1 - x`` vanishes to its known order (it cannot be inverted).

    Examples
    --------
    >>> eps = Series.monomial(1, prec=4)
    >>> geometric_inverse(2 * eps + 3 * eps * eps).coefficients()
    [1, 2, 7, 20]
    >>> geometric_inverse(eps).coefficients()
    [1, 1, 1, 1]
    """
    return (1 - x).inverse()


class _Env(ABC):
    """What the series need to know: the coefficient domain and the values of the sizes and traces.

    Series made by an environment are :class:`~diagrams.engine.series.Series` whose coefficients
    are in the environment's domain (see :meth:`series`).
    """

    zero = None
    one = None

    @abstractmethod
    def coerce(self, value):
        """A number (or a domain element) as an element of the coefficient domain."""

    @abstractmethod
    def inv(self, c):
        """``1/c`` in the coefficient domain (the leading coefficient of a series being inverted)."""

    @abstractmethod
    def trace(self, word: Sequence[str]):
        """Value of ``tr`` of a cyclic product of covariance names."""

    @abstractmethod
    def size(self, space: str):
        """The size of an index space (by name) in the coefficient domain."""

    def series(self, coefficients: Sequence, val: int = 0, prec: int | None = None) -> Series:
        """A :class:`~diagrams.engine.series.Series` over this domain (its inverse is :meth:`inv`)."""
        return Series([self.coerce(c) for c in coefficients], val, prec, inverse=self.inv)

    def resolvent_trace(self, h: int, p: int):
        """``tr[Lambdahat^h (Lambda Sigma)^p]``."""
        return self.trace(("Lambdahat",) * h + ("Lambda", "Sigma") * p)

    def sizes(self) -> dict:
        """The sizes of the model's index spaces, by space name."""
        if getattr(self, "_sizes", None) is None:
            self._sizes = {name: self.size(name) for name in ("feature", "train", "test", "latent")}
        return self._sizes

    def monomial(self, key) -> object:
        """Value of a :attr:`~diagrams.engine.wick.Contraction.monomial` key
        (:func:`~diagrams.engine.wick.monomial_value` with this domain's traces and sizes)."""
        return self.coerce(monomial_value(key, self.sizes(), self.trace))

    def weighted(self, weights: Mapping) -> object:
        """``sum weight * value`` over ``{key: integer weight}``
        (:func:`~diagrams.engine.wick.sum_monomials` with this domain's traces and sizes)."""
        return self.coerce(sum_monomials(weights, self.sizes(), self.trace))

    def equal(self, a, b) -> bool:
        return a == b

    @abstractmethod
    def to_sympy(self, c) -> sympy.Expr:
        """Implemented by each environment."""


class ExactEnv(_Env):
    """The exact-rational environment of the series, with ``Lambda = Lambdahat = diag(spectrum)``.

    ``Sigma = (sigma_u2/M) 1``.
    Coefficients are ``Fraction``; traces of covariance words are computed on the diagonal matrices
    (and cached).

    Parameters
    ----------
    N_, T_ : number or str
        The sizes ``N`` (feature space) and ``T`` (train space), each ``> 0``, read exactly.
    spectrum : str or sequence of numbers
        The eigenvalues of ``Lambda``, each ``> 0`` (at least one); ``M = len(spectrum)``.
    sigma_u2 : number or str, optional
        The feature-weight variance, ``> 0``.
    That_ : number or str, optional
        The size of the test space, ``> 0``.

    Raises
    ------
    ValueError
        If a size, ``sigma_u2`` or an eigenvalue is not a number ``> 0``, or the spectrum is empty.

    Examples
    --------
    >>> env = ExactEnv(2, 3, ["1", "1/2"], sigma_u2=2)
    >>> env.trace(("Lambda", "Sigma")), env.size("feature")
    (Fraction(3, 2), Fraction(2, 1))
    >>> ExactEnv(2, 3, ["1", "1/2"])
    ExactEnv(N=2, T=3, spectrum=['1', '1/2'], sigma_u2=1)
    >>> ExactEnv(0, 3, [1])
    Traceback (most recent call last):
    ...
    ValueError: N: must be a number > 0, got 0
    """

    def __init__(self, N_, T_, spectrum, sigma_u2=1, That_=1):
        self.N = read_fraction(N_, "N", minimum=0, strict_minimum=True)
        self.T = read_fraction(T_, "T", minimum=0, strict_minimum=True)
        self.That = read_fraction(That_, "That", minimum=0, strict_minimum=True)
        self.spectrum = read_list(spectrum, "spectrum", minimum=0, strict_minimum=True)
        self.sigma_u2 = read_fraction(sigma_u2, "sigma_u2", minimum=0, strict_minimum=True)
        self.M = len(self.spectrum)
        scale = self.sigma_u2 / self.M                      # Sigma = scale 1
        self.diag = {"Lambda": self.spectrum, "Lambdahat": self.spectrum, "Sigma": [scale] * self.M}
        self.zero = Fraction(0)
        self.one = Fraction(1)
        self._traces: dict = {}

    def coerce(self, value):
        if isinstance(value, Fraction):
            return value
        return read_fraction(value, "coefficient")

    def inv(self, c):
        return 1 / self.coerce(c)

    def trace(self, word):
        word = canonical_cycle(tuple(word))
        v = self._traces.get(word)
        if v is None:
            v = self._traces[word] = diagonal_trace(word, self.diag)
        return v

    def size(self, space):
        return {"feature": self.N, "train": self.T, "test": self.That, "latent": Fraction(self.M)}[space]

    def to_sympy(self, c):
        c = self.coerce(c)
        return sympy.Rational(c.numerator, c.denominator)

    def __repr__(self):
        return f"ExactEnv(N={self.N}, T={self.T}, spectrum={[str(x) for x in self.spectrum]}, sigma_u2={self.sigma_u2})"


class SymbolicEnv(_Env):
    """The symbolic environment of the series: polynomials in the sizes and the spectral moments.

    The coefficients are polynomials with integer coefficients in ``N, T, M``, ``s = sigma_u^2/M``
    (``Sigma = s 1``) and the spectral moments ``tr(Lambda^j)`` (``j <= max_power``) and, with
    ``alias_hat=False``, ``tr(Lambdahat Lambda^j)``; by default ``Lambdahat = Lambda`` (the model's
    numerical setting, which the paper's Eq. 87 uses when it trades test loops for train loops).

    Parameters
    ----------
    max_power : int, optional
        The highest power ``j`` of ``Lambda`` in a trace; a longer trace raises ``ValueError``.
    alias_hat : bool, optional
        Identify ``Lambdahat`` with ``Lambda`` (default) or keep ``tr(Lambdahat Lambda^j)`` apart.

    Examples
    --------
    >>> env = SymbolicEnv()
    >>> env.to_sympy(env.trace(("Lambda", "Sigma", "Lambda", "Sigma")) * env.size("feature"))
    tr(Lambda^2)*N*sigma_u2**2/M**2
    >>> env4 = SymbolicEnv(4, alias_hat=False)
    >>> env4.to_sympy(env4.trace(("Lambdahat", "Lambda", "Sigma")))
    tr(Lambda*Lambdahat)*sigma_u2/M
    >>> SymbolicEnv(max_power=2).trace(("Lambda",) * 3)
    Traceback (most recent call last):
    ...
    ValueError: trace: tr(Lambda*Lambda*Lambda) is outside the symbolic ring
    """

    def __init__(self, max_power: int = 16, alias_hat: bool = True):
        self.max_power = int(max_power)
        self.alias_hat = bool(alias_hat)
        self.s = s                       # Sigma = s 1 (the model's symbol)
        self.tr_sym = [None] + [trace_symbol(("Lambda",) * j) for j in range(1, self.max_power + 1)]
        self.trh_sym = [] if self.alias_hat else [trace_symbol(("Lambdahat",) + ("Lambda",) * j)
                                                  for j in range(0, self.max_power + 1)]
        gens = [N, T, That, M, self.s] + self.tr_sym[1:] + self.trh_sym
        self.ring, *g = ring(gens, ZZ)
        self.N, self.T, self.That, self.M, self.s_gen = g[:5]
        self.tr_gen = [None] + g[5: 5 + self.max_power]
        self.trh_gen = g[5 + self.max_power:]
        self.zero = self.ring.zero
        self.one = self.ring.one
        self._subs = {self.s: sigma_u2 / M}

    def coerce(self, value):
        if isinstance(value, PolyElement) and value.ring == self.ring:
            return value
        f = read_fraction(value, "coefficient")
        if f.denominator != 1:
            raise ValueError(f"coefficient: the symbolic ring has integer coefficients, got {f}")
        return self.ring(f.numerator)

    def inv(self, c):
        c = self.coerce(c)
        if not c.is_ground or c.LC not in (1, -1):
            raise ValueError(f"series: leading coefficient {c.as_expr()} is not a unit of the integer ring")
        return self.ring(int(c.LC))

    def trace(self, word):
        n_sigma = sum(1 for x in word if x == "Sigma")
        n_lambda = sum(1 for x in word if x == "Lambda")
        n_hat = sum(1 for x in word if x == "Lambdahat")
        other = [x for x in word if x not in ("Sigma", "Lambda", "Lambdahat")]
        if other:
            raise ValueError(f"trace: unknown covariance(s) {other}")
        if n_hat > 1 or max(n_lambda, 1) > self.max_power:
            raise ValueError(f"trace: tr({'*'.join(word)}) is outside the symbolic ring")
        base = self.s_gen ** n_sigma
        if n_hat and self.alias_hat:
            n_hat, n_lambda = 0, n_lambda + 1
            if n_lambda > self.max_power:
                raise ValueError(f"trace: tr({'*'.join(word)}) is outside the symbolic ring")
        if n_hat:
            return base * self.trh_gen[n_lambda]
        if n_lambda == 0:
            return base * self.M
        return base * self.tr_gen[n_lambda]

    def size(self, space):
        return {"feature": self.N, "train": self.T, "test": self.That, "latent": self.M}[space]

    def to_sympy(self, c):
        return sympy.expand(self.coerce(c).as_expr().xreplace(self._subs))

    def __repr__(self):
        return "SymbolicEnv(Sigma = sigma_u2/M 1)"


# ============================================================================ series of expressions

def series_of(expr, env: _Env, values: Mapping, prec: int, cache: dict | None = None) -> Series:
    """The Laurent series in ``eps = 1/gamma`` of a sympy expression, symbol by symbol.

    :class:`ResolventTrace` is expanded in powers of its argument, which must be ``O(eps)``.

    Parameters
    ----------
    expr : sympy.Expr
        A polynomial-like expression: sums, products, integer powers, rationals, the symbols of
        ``values`` and :class:`ResolventTrace`.
    env : ExactEnv or SymbolicEnv
        The coefficient domain and the values of the sizes and traces.
    values : Mapping
        Symbols to :class:`~diagrams.engine.series.Series` (e.g. ``gamma``, ``q``, ``Q``, ``xi``, as
        made by :func:`propagator_values`); ``N`` and ``T`` default to the environment's sizes.
    prec : int
        Caps the precision of constants.
    cache : dict, optional
        Keeps the series of sub-expressions between calls with the same ``values`` and ``prec``.

    Returns
    -------
    Series
        The series of ``expr``.

    Raises
    ------
    ValueError
        If a symbol has no value, a power is not an integer, or the argument of a resolvent trace is
        not ``O(1/gamma)``.

    Examples
    --------
    >>> env = ExactEnv(2, 3, ["1", "1/2"])
    >>> vals = diagram_values(2, env)
    >>> series_of(ResolventTrace(gamma * xi, 1, 1, 0), env, vals, 3).coefficients(2)
    [Fraction(3, 4), Fraction(-15, 8), Fraction(387, 32)]
    >>> series_of(sympy.sqrt(N), env, vals, 3)
    Traceback (most recent call last):
    ...
    ValueError: expr: only integer powers have a series here, got sqrt(N)
    """
    vals = dict(values)
    memo = {} if cache is None else cache
    vals.setdefault(N, env.series([env.N], 0, prec))
    vals.setdefault(T, env.series([env.T], 0, prec))

    def walk(e):
        if e in vals:
            return vals[e]
        hit = memo.get(e)
        if hit is None:
            hit = memo[e] = _walk(e)
        return hit

    def _walk(e):
        if e.is_Rational:
            return env.series([e], 0, prec)
        if isinstance(e, ResolventTrace):
            a, p, k, h = e.args
            sa = walk(a).normalised()
            if sa.val < 1:
                raise ValueError(f"expr: the argument {a} of a resolvent trace must be O(1/gamma)")
            p, k, h = int(p), int(k), int(h)

            def coefficient(n):
                # tr[Lambdahat^h (Lambda Sigma)^p (1 + a Lambda Sigma)^-k] = sum_n C(n+k-1, k-1) (-a)^n tr[.. ^(p+n)]
                c = comb(n + k - 1, k - 1) if k else (1 if n == 0 else 0)
                return env.coerce((-1) ** n * c) * env.resolvent_trace(h, p + n) if c else env.zero

            return compose(coefficient, sa, prec)
        if e.is_Add:
            out = None
            for a in e.args:
                term = walk(a)
                out = term if out is None else out + term
            return out
        if e.is_Mul:
            out = None
            for a in e.args:
                factor = walk(a)
                out = factor if out is None else out * factor
            return out
        if e.is_Pow:
            b, x = e.args
            if not x.is_Integer:
                raise ValueError(f"expr: only integer powers have a series here, got {e}")
            return walk(b) ** int(x)
        raise ValueError(f"expr: no series value for {e!r}")

    return walk(sympy.sympify(expr))


# ============================================================================ resolvent diagrams

_PHI = {"train": "x^T u^T u x", "feature": "u x x^T u^T"}


def _check_space(space):
    if not isinstance(space, str) or space not in RESOLVENT_SPACES:
        raise ValueError(f"space: must be one of {RESOLVENT_SPACES}, got {space!r}")
    return space


def resolvent_word(space: str, n: int) -> Word:
    """The word ``tr((phi^T phi)^n)`` (train space) or ``tr((phi phi^T)^n)`` (feature space).

    Here ``phi = u x``.

    Parameters
    ----------
    space : {"train", "feature"}
        ``"train"`` for ``gamma <Q>`` (``tr (phi^T phi)^n``), ``"feature"`` for ``gamma <q>``
        (``tr (phi phi^T)^n``).
    n : int
        The power, ``1 <= n <= 150`` (the planar recursions take words of at most 600 letters).

    Returns
    -------
    Word
        The word of ``4 n`` letters.

    Raises
    ------
    ValueError
        If ``space`` is unknown or ``n`` is outside ``[1, 150]``.

    Examples
    --------
    >>> resolvent_word("feature", 2)
    Word('u x x^T u^T u x x^T u^T')
    >>> resolvent_word("train", 0)
    Traceback (most recent call last):
    ...
    ValueError: n: must be an integer in [1, 150], got 0
    """
    _check_space(space)
    n = check_order(n, "n", minimum=1, maximum=150)
    return Word.parse(" ".join([_PHI[space]] * n), MATRICES)


def resolvent_diagrams(space: str, n: int):
    """The planar Wick contractions of :func:`resolvent_word`, from the engine's planar generator.

    Parameters
    ----------
    space : {"train", "feature"}
        ``"train"`` for ``gamma <Q>`` (``tr (phi^T phi)^n``), ``"feature"`` for ``gamma <q>``
        (``tr (phi phi^T)^n``).
    n : int
        The power, ``1 <= n <= 150``.

    Returns
    -------
    iterator of Contraction
        The planar contractions of ``tr((phi^T phi)^n)`` or ``tr((phi phi^T)^n)``.

    Raises
    ------
    ValueError
        As :func:`resolvent_word`.

    Examples
    --------
    >>> sum(1 for _ in resolvent_diagrams("train", 2)), sum(1 for _ in resolvent_diagrams("train", 3))
    (3, 12)
    """
    from diagrams.engine.planar import planar_contractions

    return planar_contractions(resolvent_word(space, n))


def _key(faces, skip) -> tuple:
    return tuple(sorted((f.space.name, canonical_cycle(f.covariances)) for i, f in enumerate(faces)
                        if i not in skip))


@dataclass
class ResolventClasses:
    """The weighted monomials of the resolvent diagrams of one space, opened at slot 0.

    Made by :func:`resolvent_classes`; each monomial is a dict ``{key: integer weight}`` of
    :func:`~diagrams.engine.wick.sum_monomials`.

    Parameters
    ----------
    space : {"train", "feature"}
        The space of the resolvent.
    order : int
        The highest power ``n``.
    moments : list of dict, optional
        ``moments[n]``: all planar diagrams of ``tr(word^n)`` divided by the external loop.
    one_pi : list of dict, optional
        ``one_pi[n]``: the 1PI ones.
    dressing : list of dict, optional
        ``dressing[n][p]``: the 1PI ones with skeleton loop ``tr[(Lambda Sigma)^p]``, divided by the
        external and the skeleton loop.
    counts : list of tuple, optional
        The numbers of diagrams ``(all, 1PI)`` per ``n``.

    Examples
    --------
    >>> rc = resolvent_classes("train", 3)
    >>> rc.counts
    [(1, 0), (1, 1), (3, 2), (12, 7)]
    >>> sorted(rc.dressing[2])
    [1, 2]
    """

    space: str
    order: int
    moments: list = field(default_factory=list)
    one_pi: list = field(default_factory=list)
    dressing: list = field(default_factory=list)
    counts: list = field(default_factory=list)


#: Highest order of :func:`resolvent_classes` (and of the series and checks built on it): the planar
#: resolvent diagrams are listed one by one (Catalan-like growth, about 4.5 times more per order).
MAX_RESOLVENT_ORDER = 12


def resolvent_classes(space: str, order: int) -> ResolventClasses:
    """The resolvent diagrams up to ``n = order``, enumerated and sorted into moments, 1PI parts and dressings.

    Cached per space and order.

    Parameters
    ----------
    space : {"train", "feature"}
        ``"train"`` for ``gamma <Q>`` (``tr (phi^T phi)^n``), ``"feature"`` for ``gamma <q>``
        (``tr (phi phi^T)^n``).
    order : int
        The highest power of ``eps = 1/gamma``, ``0 <= order <= 12`` (:data:`MAX_RESOLVENT_ORDER`).

    Returns
    -------
    ResolventClasses
        The weighted monomials of each class.

    Raises
    ------
    ValueError
        If ``space`` is unknown or ``order`` is outside ``[0, 12]`` (before any work).

    Examples
    --------
    >>> rc = resolvent_classes("train", 3)
    >>> rc.counts[3]
    (12, 7)
    >>> resolvent_classes("train", 13)
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [0, 12], got 13
    """
    return _resolvent_classes(_check_space(space), check_order(order, "order", maximum=MAX_RESOLVENT_ORDER))


@lru_cache(maxsize=None)
def _resolvent_classes(space: str, order: int) -> ResolventClasses:
    out = ResolventClasses(space, order)
    out.moments.append({(): 1})
    out.one_pi.append({})
    out.dressing.append({})
    out.counts.append((1, 0))
    for n in range(1, order + 1):
        mom, opi, dr = {}, {}, {}
        n_all = n_opi = 0
        for c in resolvent_diagrams(space, n):
            n_all += 1
            faces = c.faces
            where = slot_faces(c)
            ext = where[0]
            if faces[ext].covariances:
                raise AssertionError("the external loop of a resolvent diagram carries no covariance")
            k = _key(faces, {ext})
            mom[k] = mom.get(k, 0) + 1
            if not is_one_particle_irreducible(c, 0):
                continue
            n_opi += 1
            opi[k] = opi.get(k, 0) + 1
            sk = where[1]
            covs = canonical_cycle(faces[sk].covariances)
            p = len(covs) // 2
            if covs != canonical_cycle(("Lambda", "Sigma") * p):
                raise AssertionError(f"skeleton loop {covs} is not tr[(Lambda Sigma)^p]")
            kd = _key(faces, {ext, sk})
            d = dr.setdefault(p, {})
            d[kd] = d.get(kd, 0) + 1
        out.moments.append(mom)
        out.one_pi.append(opi)
        out.dressing.append(dr)
        out.counts.append((n_all, n_opi))
    return out


def _alternating(env, terms: list, order: int) -> Series:
    """``sum_n (-eps)^n terms[n]`` to order ``order``."""
    return env.series([(-1) ** n * env.coerce(terms[n]) for n in range(order + 1)], 0, order + 1)


def propagator_series(space: str, order: int, env: _Env) -> Series:
    """The full propagator ``gamma <Q>`` (train) or ``gamma <q>`` (feature) summed from the diagrams.

    Parameters
    ----------
    space : {"train", "feature"}
        ``"train"`` for ``gamma <Q>`` (``tr (phi^T phi)^n``), ``"feature"`` for ``gamma <q>``
        (``tr (phi phi^T)^n``).
    order : int
        The highest power of ``eps = 1/gamma``, ``0 <= order <= 12`` (:data:`MAX_RESOLVENT_ORDER`).
    env : ExactEnv or SymbolicEnv
        The coefficient domain and the values of the sizes and traces.

    Returns
    -------
    Series
        ``sum_n (-eps)^n <tr (phi^T phi)^n>/T`` (or the feature-space sum), to ``eps^order``.

    Raises
    ------
    ValueError
        As :func:`resolvent_classes`.

    Examples
    --------
    >>> env = ExactEnv(2, 3, ["1", "1/2"])
    >>> [str(c) for c in propagator_series("train", 3, env).coefficients(3)]
    ['1', '-3/2', '75/8', '-2511/32']
    >>> [str(c) for c in propagator_series("feature", 3, env).coefficients(3)]
    ['1', '-9/4', '225/16', '-7533/64']
    """
    rc = resolvent_classes(space, order)
    return _alternating(env, [env.weighted(m) for m in rc.moments], rc.order)


def self_energy_series(space: str, order: int, env: _Env) -> Series:
    """The 1PI self-energy ``Pi = sum_n (-1/gamma)^n [1PI diagrams]`` summed from the diagrams.

    Parameters
    ----------
    space : {"train", "feature"}
        ``"train"`` for ``gamma <Q>`` (``tr (phi^T phi)^n``), ``"feature"`` for ``gamma <q>``
        (``tr (phi phi^T)^n``).
    order : int
        The highest power of ``eps = 1/gamma``, ``0 <= order <= 12`` (:data:`MAX_RESOLVENT_ORDER`).
    env : ExactEnv or SymbolicEnv
        The coefficient domain and the values of the sizes and traces.

    Returns
    -------
    Series
        ``Pi_T`` (train) or ``Pi_N`` (feature), to ``eps^order``.

    Raises
    ------
    ValueError
        As :func:`resolvent_classes`.

    Examples
    --------
    >>> env = ExactEnv(2, 3, ["1", "1/2"])
    >>> [str(c) for c in self_energy_series("train", 3, env).coefficients(3)]
    ['0', '-3/2', '57/8', '-1719/32']
    """
    rc = resolvent_classes(space, order)
    return _alternating(env, [env.weighted(m) for m in rc.one_pi], rc.order)


def dressing_series(space: str, order: int, env: _Env, p: int) -> Series:
    """The sum of the 1PI diagrams with skeleton loop ``tr[(Lambda Sigma)^p]``, divided by that loop.

    Parameters
    ----------
    space : {"train", "feature"}
        ``"train"`` for ``gamma <Q>`` (``tr (phi^T phi)^n``), ``"feature"`` for ``gamma <q>``
        (``tr (phi phi^T)^n``).
    order : int
        The highest power of ``eps = 1/gamma``, ``0 <= order <= 12`` (:data:`MAX_RESOLVENT_ORDER`).
    env : ExactEnv or SymbolicEnv
        The coefficient domain and the values of the sizes and traces.
    p : int
        The power of the skeleton loop, ``p >= 1``.

    Returns
    -------
    Series
        The dressing, to ``eps^order``; compare with ``self_energy_expression(space, p)``.

    Raises
    ------
    ValueError
        As :func:`resolvent_classes`.

    Examples
    --------
    >>> env = ExactEnv(2, 3, ["1", "1/2"])
    >>> [str(c) for c in dressing_series("train", 3, env, 1).coefficients(3)]
    ['0', '-2', '9/2', '-225/8']
    """
    rc = resolvent_classes(space, order)
    return _alternating(env, [env.weighted(d.get(p, {})) if n else env.zero for n, d in enumerate(rc.dressing)],
                        rc.order)


def diagram_values(order: int, env: _Env) -> dict:
    """The series of ``gamma``, ``q``, ``Q`` and ``xi``, with the propagators taken from the diagrams.

    The propagators ``gamma <q>``, ``gamma <Q>`` are summed from the diagrams to ``eps^order``
    (:func:`propagator_series`) and passed to :func:`propagator_values`.

    Parameters
    ----------
    order : int
        The highest power of ``eps = 1/gamma``, ``0 <= order <= 12`` (:data:`MAX_RESOLVENT_ORDER`).
    env : ExactEnv or SymbolicEnv
        The coefficient domain and the values of the sizes and traces.

    Returns
    -------
    dict
        ``{gamma: Series, q: Series, Q: Series, xi: Series}`` (the model's symbols), the values
        :func:`series_of` takes.

    Raises
    ------
    ValueError
        If ``order`` is outside ``[0, 12]``.

    Examples
    --------
    >>> env = ExactEnv(2, 3, ["1", "1/2"])
    >>> vals = diagram_values(2, env)
    >>> [str(c) for c in vals[Q].coefficients(2)], [str(c) for c in vals[xi].coefficients(2)]
    (['0', '1', '-3/2'], ['0', '0', '6'])
    """
    order = check_order(order, "order", maximum=MAX_RESOLVENT_ORDER)
    gq = propagator_series("feature", order, env)
    gQ = propagator_series("train", order, env)
    return propagator_values(env, gq, gQ, order + 1)


def propagator_values(env: _Env, gq: Series, gQ: Series, prec: int) -> dict:
    """The series of ``gamma``, ``q``, ``Q`` and ``xi`` from given propagators ``gamma <q>`` and ``gamma <Q>``.

    Returns ``{gamma: 1/eps, q: eps gq, Q: eps gQ, xi: N T <q> <Q>}`` (``xi``: Eq. 45), the values
    :func:`series_of` takes.

    Parameters
    ----------
    env : ExactEnv or SymbolicEnv
        The coefficient domain and the values of the sizes and traces.
    gq : Series
        ``gamma <q>``.
    gQ : Series
        ``gamma <Q>``.
    prec : int
        The precision of the series.

    Returns
    -------
    dict
        ``{gamma: Series, q: Series, Q: Series, xi: Series}`` (the model's symbols).

    Examples
    --------
    >>> env = ExactEnv(2, 3, ["1"])
    >>> one = env.series([1], 0, 3)
    >>> propagator_values(env, one, one, 3)[xi].coefficients(2)      # N T eps^2 <q> <Q> with gq = gQ = 1
    [0, 0, Fraction(6, 1)]
    """
    eps = env.series([1], 1, prec + 2)
    g = env.series([1], -1, prec)
    qs, Qs = eps * gq, eps * gQ
    return {gamma: g, q: qs, Q: Qs, xi: qs * Qs * env.N * env.T}


def self_energy_expression(space: str, p: int | None = None) -> sympy.Expr:
    """The recognised 1PI self-energy ``Pi_T`` or ``Pi_N``, or one of its skeleton classes.

    These are Eqs. 40-41:
    ``-N <q> (-gamma xi)^(p-1) tr[(Lambda Sigma)^p]`` summed over ``p`` (``p=None``) into
    ``-N <q> tr[Lambda Sigma (1 + gamma xi Lambda Sigma)^-1]`` (train space), or its dual with
    ``T <Q>`` (feature space).  With ``p`` given, the dressing (no trace factor).

    Parameters
    ----------
    space : {"train", "feature"}
        ``"train"`` for ``gamma <Q>`` (``tr (phi^T phi)^n``), ``"feature"`` for ``gamma <q>``
        (``tr (phi phi^T)^n``).
    p : int, optional
        The power of the skeleton loop; ``None``: the sum over ``p``.

    Returns
    -------
    sympy.Expr
        In the model's symbols ``N, T, q, Q, gamma, xi`` and :class:`ResolventTrace`.

    Raises
    ------
    ValueError
        If ``space`` is unknown.

    Examples
    --------
    >>> self_energy_expression("train")
    -N*q*tr_resolvent(gamma*xi, 1, 1, 0)
    >>> self_energy_expression("feature", 3)
    -Q*T*gamma**2*xi**2
    """
    _check_space(space)
    pref = -N * q if space == "train" else -T * Q
    if p is None:
        return pref * ResolventTrace(gamma * xi, 1, 1, 0)
    return pref * (-gamma * xi) ** (p - 1)


def check_dyson(space: str, order: int, env: _Env) -> dict:
    """Check order by order that the propagator is a Dyson chain of 1PI blobs, ``gamma <Q> = 1/(1 - Pi)``.

    Parameters
    ----------
    space : {"train", "feature"}
        ``"train"`` for ``gamma <Q>`` (``tr (phi^T phi)^n``), ``"feature"`` for ``gamma <q>``
        (``tr (phi phi^T)^n``).
    order : int
        The highest power of ``eps = 1/gamma``, ``0 <= order <= 12`` (:data:`MAX_RESOLVENT_ORDER`).
    env : ExactEnv or SymbolicEnv
        The coefficient domain and the values of the sizes and traces.

    Returns
    -------
    dict
        ``{"propagator = 1/(1 - Pi)": [bool per order 0..order]}``.

    Raises
    ------
    ValueError
        If ``space`` is unknown or ``order`` is outside ``[0, 12]``.

    Examples
    --------
    >>> env = ExactEnv(2, 3, ["1", "1/2"])
    >>> check_dyson("train", 3, env)
    {'propagator = 1/(1 - Pi)': [True, True, True, True]}
    >>> all(all(ok) for ok in check_dyson("feature", 4, env).values())
    True
    """
    order = check_order(order, "order", maximum=MAX_RESOLVENT_ORDER)
    G = propagator_series(space, order, env)
    Pi = self_energy_series(space, order, env)
    chain = geometric_inverse(Pi)
    return {"propagator = 1/(1 - Pi)": [env.equal(a, b) for a, b in zip(G.coefficients(order), chain.coefficients(order))]}


def check_self_energy(space: str, order: int, env: _Env) -> dict:
    """Check order by order that the 1PI diagrams sum to the recognised self-energy.

    The self-energy is that of Eqs. 40-41.
    Each skeleton class of 1PI diagrams must equal ``-N<q>(-gamma xi)^(p-1)`` (train; ``-T<Q>...`` in
    the feature space) with the full propagators from the diagrams, and their sum ``-N <q> t``.

    Parameters
    ----------
    space : {"train", "feature"}
        ``"train"`` for ``gamma <Q>`` (``tr (phi^T phi)^n``), ``"feature"`` for ``gamma <q>``
        (``tr (phi phi^T)^n``).
    order : int
        The highest power of ``eps = 1/gamma``, ``0 <= order <= 12`` (:data:`MAX_RESOLVENT_ORDER`).
    env : ExactEnv or SymbolicEnv
        The coefficient domain and the values of the sizes and traces.

    Returns
    -------
    dict
        ``{label: [bool per order 0..order]}``, labels ``"skeleton p=1"``, ..., ``"Pi (all p)"``.

    Raises
    ------
    ValueError
        If ``space`` is unknown or ``order`` is outside ``[0, 12]``.

    Examples
    --------
    >>> env = ExactEnv(2, 3, ["1", "1/2"])
    >>> list(check_self_energy("train", 2, env))
    ['skeleton p=1', 'skeleton p=2', 'Pi (all p)']
    >>> all(all(ok) for ok in check_self_energy("feature", 3, SymbolicEnv()).values())
    True
    """
    order = check_order(order, "order", maximum=MAX_RESOLVENT_ORDER)
    vals = diagram_values(order, env)
    out = {}
    for p in range(1, order + 1):
        d = dressing_series(space, order, env, p)
        e = series_of(self_energy_expression(space, p), env, vals, order + 1)
        out[f"skeleton p={p}"] = [env.equal(a, b) for a, b in zip(d.coefficients(order), e.coefficients(order))]
    Pi = self_energy_series(space, order, env)
    e = series_of(self_energy_expression(space), env, vals, order + 1)
    out["Pi (all p)"] = [env.equal(a, b) for a, b in zip(Pi.coefficients(order), e.coefficients(order))]
    return out


def derive_consistency_relation() -> tuple:
    """The consistency relation derived from the recognised self-energies with sympy.

    This is Eqs. (42)-(44).
    Dyson: ``gamma <Q> = 1/(1 - Pi_T)``, ``gamma <q> = 1/(1 - Pi_N)`` with
    ``Pi_T = -N <q> t``, ``Pi_N = -T <Q> t`` and ``t = tr[Lambda Sigma (1 + gamma xi Lambda Sigma)^-1]``.
    Solving each Dyson equation for ``t`` and multiplying by ``gamma xi`` (``xi = N T <q> <Q>``) gives
    ``T (1 - gamma <Q>)`` and ``N (1 - gamma <q>)``; the function checks both simplifications and
    returns the chain ``N (1 - gamma<q>) = T (1 - gamma<Q>) = gamma xi t`` as two ``Eq``.

    Returns
    -------
    tuple of sympy.Eq
        ``(Eq(N (1 - gamma q), T (1 - gamma Q)), Eq(T (1 - gamma Q), gamma xi t))``.

    Raises
    ------
    AssertionError
        If the Dyson equations do not fix ``t`` uniquely or do not reduce to the relation (a
        failed derivation, not a user error).

    Examples
    --------
    >>> rel = derive_consistency_relation()
    >>> rel[0]
    Eq(N*(-gamma*q + 1), T*(-Q*gamma + 1))
    >>> rel[1].rhs
    gamma*xi*tr_resolvent(gamma*xi, 1, 1, 0)
    """
    t = sympy.Symbol("t")
    trace = ResolventTrace(gamma * xi, 1, 1, 0)
    xi_def = N * T * q * Q
    dyson_T = sympy.Eq(gamma * Q, 1 / (1 - self_energy_expression("train").subs(trace, t)))
    dyson_N = sympy.Eq(gamma * q, 1 / (1 - self_energy_expression("feature").subs(trace, t)))
    t_T = sympy.solve(dyson_T, t)
    t_N = sympy.solve(dyson_N, t)
    if len(t_T) != 1 or len(t_N) != 1:
        raise AssertionError("Dyson equations do not fix t uniquely")
    lhs_T = sympy.simplify(gamma * xi_def * t_T[0])
    lhs_N = sympy.simplify(gamma * xi_def * t_N[0])
    if sympy.simplify(lhs_T - T * (1 - gamma * Q)) != 0 or sympy.simplify(lhs_N - N * (1 - gamma * q)) != 0:
        raise AssertionError("the Dyson equations do not reduce to the consistency relation")
    return (sympy.Eq(N * (1 - gamma * q), T * (1 - gamma * Q)), sympy.Eq(T * (1 - gamma * Q), gamma * xi * trace))


#: Highest order of :func:`consistency_series` (each of its ``order + 1`` steps expands the resolvent
#: trace to that order; order 30 at exact rationals takes seconds).
MAX_CONSISTENCY_ORDER = 60


def consistency_series(order: int, env: _Env) -> tuple[Series, Series]:
    """The series ``(gamma <q>, gamma <Q>)`` that solves the consistency relation, by fixed-point iteration.

    Writing ``g = gamma <q>``, ``G = gamma <Q>``, ``a = gamma xi = eps N T g G`` the relation reads
    ``g = 1 - eps T g G t(a)``, ``G = 1 - eps N g G t(a)``; each iteration fixes one more order.

    Parameters
    ----------
    order : int
        The highest power of ``eps``, ``0 <= order <= 60`` (:data:`MAX_CONSISTENCY_ORDER`).
    env : ExactEnv or SymbolicEnv
        The coefficient domain and the values of the sizes and traces.

    Returns
    -------
    g, G : Series
        ``gamma <q>`` and ``gamma <Q>`` to ``eps^order``.

    Raises
    ------
    ValueError
        If ``order`` is outside ``[0, 60]``.

    Examples
    --------
    >>> g, G = consistency_series(3, ExactEnv(2, 3, ["1", "1/2"]))
    >>> [str(c) for c in G.coefficients(3)]
    ['1', '-3/2', '75/8', '-2511/32']
    >>> [str(c) for c in g.coefficients(3)]
    ['1', '-9/4', '225/16', '-7533/64']
    """
    order = check_order(order, "order", maximum=MAX_CONSISTENCY_ORDER)
    prec = order + 1
    eps = env.series([1], 1, prec)
    one = env.series([1], 0, prec)
    g, G = one, one
    tr_ = ResolventTrace(sympy.Symbol("a"), 1, 1, 0)
    a_sym = tr_.args[0]
    for _ in range(order + 1):
        a = eps * g * G * env.N * env.T
        t = series_of(tr_, env, {a_sym: a}, prec)
        g, G = one - eps * g * G * t * env.T, one - eps * g * G * t * env.N
    return g, G


def check_consistency(order: int, env: _Env) -> dict:
    """Check order by order that the diagram sums of the propagators solve the derived consistency relation.

    Compares :func:`propagator_series` of both spaces with :func:`consistency_series`.

    Parameters
    ----------
    order : int
        The highest power of ``eps = 1/gamma``, ``0 <= order <= 12`` (:data:`MAX_RESOLVENT_ORDER`).
    env : ExactEnv or SymbolicEnv
        The coefficient domain and the values of the sizes and traces.

    Returns
    -------
    dict
        ``{"gamma<q>: diagrams = relation": [bool per order], "gamma<Q>: diagrams = relation": [...]}``.

    Raises
    ------
    ValueError
        If ``order`` is outside ``[0, 12]``.

    Examples
    --------
    >>> check_consistency(3, ExactEnv(2, 3, ["1", "1/2"]))["gamma<Q>: diagrams = relation"]
    [True, True, True, True]
    """
    order = check_order(order, "order", maximum=MAX_RESOLVENT_ORDER)
    g, G = consistency_series(order, env)
    dq = propagator_series("feature", order, env)
    dQ = propagator_series("train", order, env)
    return {
        "gamma<q>: diagrams = relation": [env.equal(a, b) for a, b in zip(dq.coefficients(order), g.coefficients(order))],
        "gamma<Q>: diagrams = relation": [env.equal(a, b) for a, b in zip(dQ.coefficients(order), G.coefficients(order))],
    }


# ============================================================================ numerics

def _mp(v, name):
    """A parameter at the working precision: read exactly (:func:`~diagrams.models.random_features.inputs.read_exact`)
    and converted with :func:`~diagrams.engine.numbers.to_mpf`."""
    return to_mpf(read_exact(v, name))


def _spectrum_mp(spectrum):
    if spectrum is None or isinstance(spectrum, str) or len(spectrum) == 0:
        raise ValueError("spectrum: give a list of eigenvalues (at least one)")
    lam = [_mp(v, "spectrum") for v in spectrum]
    if any(x < 0 for x in lam) or not any(x > 0 for x in lam):
        raise ValueError("spectrum: eigenvalues must be >= 0 and not all zero")
    return lam


def solve_consistency(N_, T_, gamma_, spectrum, sigma_u2=1, dps: int = 50) -> dict:
    """The numerical solution of the derived consistency relation, in mpmath at ``dps`` digits.

    With ``a = gamma xi`` and ``y = a t(a)``, the relation is ``a gamma = N T (1 - y/N)(1 - y/T)``;
    the left side minus the right side increases with ``a`` on the physical branch ``y < min(N, T)``,
    so the root is bracketed and found by the Illinois method.

    Parameters
    ----------
    N_, T_ : number or str
        The sizes ``N`` and ``T``, ``> 0`` (read exactly).
    gamma_ : number or str
        The ridge, ``> 0``.
    spectrum : sequence of numbers or str
        The eigenvalues of ``Lambda``, ``>= 0`` and not all zero (at least one).
    sigma_u2 : number or str, optional
        The feature-weight variance (``Sigma = (sigma_u2/M) 1``).
    dps : int, optional
        The working precision in decimal digits, an integer in ``[15, 1000]``.

    Returns
    -------
    dict
        ``mpf`` values of ``"q"``, ``"Q"``, ``"xi"``, ``"a"`` and ``"t"``, and of the inputs
        ``"gamma"``, ``"N"``, ``"T"``.

    Raises
    ------
    ValueError
        If ``N``, ``T`` or ``gamma`` is not ``> 0``, the spectrum is empty, negative or all zero, or
        ``dps`` is not an integer in ``[15, 1000]``.

    Examples
    --------
    >>> r = solve_consistency(2, 3, "1/10", ["1", "1/2"], dps=30)
    >>> mpmath.nstr(r["q"], 12), mpmath.nstr(2 * (1 - r["gamma"] * r["q"]) - 3 * (1 - r["gamma"] * r["Q"]), 3)
    ('2.64536275796', '0.0')
    >>> solve_consistency(2, 3, 0, [1])
    Traceback (most recent call last):
    ...
    ValueError: N, T, gamma: must be > 0
    """
    dps = read_integer(dps, "dps", minimum=15, maximum=1000)
    with mpmath.workdps(dps):
        Nm, Tm, g = _mp(N_, "N"), _mp(T_, "T"), _mp(gamma_, "gamma")
        if Nm <= 0 or Tm <= 0 or g <= 0:
            raise ValueError("N, T, gamma: must be > 0")
        lam = _spectrum_mp(spectrum)
        scale = _mp(sigma_u2, "sigma_u2") / len(lam)
        ls = [x * scale for x in lam]

        def t_of(a):
            return mpmath.fsum(x / (1 + a * x) for x in ls)

        def f(a):
            y = a * t_of(a)
            return a * g - Nm * Tm * (1 - y / Nm) * (1 - y / Tm)

        ymax = min(Nm, Tm)
        lo, hi = mpmath.mpf(0), mpmath.mpf(1)
        while f(hi) <= 0:
            if hi * t_of(hi) >= ymax:
                break
            lo, hi = hi, hi * 2
        # shrink hi to the physical branch if needed
        while hi * t_of(hi) >= ymax or f(hi) <= 0:
            mid = (lo + hi) / 2
            if mid * t_of(mid) >= ymax or f(mid) > 0:
                hi = mid
            else:
                lo = mid
            if hi - lo < mpmath.mpf(10) ** (-dps) * hi:
                break
        a = mpmath.findroot(f, (lo, hi), solver="illinois", tol=mpmath.mpf(10) ** (-2 * dps + 10))
        t = t_of(a)
        y = a * t
        return {"gamma": g, "a": a, "t": t, "q": (1 - y / Nm) / g, "Q": (1 - y / Tm) / g, "xi": a / g,
                "N": Nm, "T": Tm}


def evaluate(expr, values: Mapping, spectrum, sigma_u2=1, dps: int = 50, extra: Mapping | None = None):
    """The mpmath value of an expression of this module, with :class:`ResolventTrace` on a diagonal spectrum.

    Parameters
    ----------
    expr : sympy.Expr
        Sums, products, powers, rationals, symbols and :class:`ResolventTrace` (pass sympy objects:
        a string such as ``"gamma*Q"`` is parsed by sympy with its own meanings of ``gamma`` and ``Q``).
    values : Mapping
        Symbol names or symbols (``"q"``, ``"Q"``, ``"xi"``, ``"gamma"``, ``"N"``, ``"T"``) to numbers
        (an ``mpf`` is taken as it is, anything else read exactly).
    spectrum : sequence of numbers or str
        The eigenvalues of ``Lambda = Lambdahat``, ``>= 0`` and not all zero.
    sigma_u2 : number or str, optional
        The feature-weight variance (``Sigma = (sigma_u2/M) 1``).
    dps : int, optional
        The working precision in decimal digits.
    extra : Mapping, optional
        More values (``C``, ``sigma_w2``, ``M``, ...).

    Returns
    -------
    mpmath.mpf
        The value.

    Raises
    ------
    ValueError
        If a symbol has no number, the spectrum is invalid, or ``expr`` contains something else.

    Examples
    --------
    >>> r = solve_consistency(2, 3, "1/10", ["1", "1/2"], dps=20)
    >>> lhs = evaluate(gamma * xi * ResolventTrace(gamma * xi, 1, 1, 0), r, ["1", "1/2"], dps=20)
    >>> bool(abs(lhs - 2 * (1 - r["gamma"] * r["q"])) < 1e-15)
    True
    >>> evaluate(sympy.Symbol("C") * q, {"q": 1}, [1])
    Traceback (most recent call last):
    ...
    ValueError: values: no number for C
    """
    with mpmath.workdps(dps):
        lam = _spectrum_mp(spectrum)
        scale = _mp(sigma_u2, "sigma_u2") / len(lam)
        vals = {}
        for k, v in list(values.items()) + list((extra or {}).items()):
            name = k if isinstance(k, str) else k.name
            vals[name] = v if isinstance(v, mpmath.mpf) else _mp(v, name)

        def walk(e):
            if e.is_Symbol:
                if e.name not in vals:
                    raise ValueError(f"values: no number for {e}")
                return vals[e.name]
            if e.is_Rational:
                return mpmath.mpf(int(e.p)) / int(e.q)
            if isinstance(e, ResolventTrace):
                a = walk(e.args[0])
                p, k, h = (int(x) for x in e.args[1:])
                return mpmath.fsum((lam[i] if h else 1) * (lam[i] * scale) ** p / (1 + a * lam[i] * scale) ** k
                                   for i in range(len(lam)))
            if e.is_Add:
                return mpmath.fsum(walk(a) for a in e.args)
            if e.is_Mul:
                out = mpmath.mpf(1)
                for a in e.args:
                    out *= walk(a)
                return out
            if e.is_Pow:
                return walk(e.args[0]) ** walk(e.args[1])
            raise ValueError(f"expr: cannot evaluate {e!r}")

        return walk(sympy.sympify(expr))
