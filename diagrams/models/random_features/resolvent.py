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

from diagrams.engine.numbers import check_order, read_fraction, read_list, to_mpf
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
    r"""``tr[Lambdahat^h (Lambda Sigma)^p (1 + a Lambda Sigma)^-k]`` as a sympy function of ``a``.

    Arguments ``(a, p, k, h)`` with integers ``p, k >= 0`` and ``h`` in ``{0, 1}``.  It stays
    unevaluated; :func:`series_of` expands it in powers of ``a`` and :func:`evaluate` computes it
    for a diagonal spectrum.

    >>> a = sympy.Symbol("a")
    >>> ResolventTrace(a, 1, 1, 0)
    tr_resolvent(a, 1, 1, 0)
    >>> sympy.latex(ResolventTrace(a, 0, 2, 1))
    '\\operatorname{tr}\\left[\\hat{\\Lambda} \\left(1 + a \\Lambda \\Sigma\\right)^{-2}\\right]'
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
    """``1/(1 - x)`` for ``x = O(eps)``: the sum of a chain of blobs ``x`` (a Dyson chain).

    >>> eps = Series.monomial(1, prec=4)
    >>> geometric_inverse(2 * eps + 3 * eps * eps).coefficients()
    [1, 2, 7, 20]
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
    """Exact rational parameters: ``Lambda = Lambdahat = diag(spectrum)``, ``Sigma = (sigma_u2/M) 1``.

    >>> env = ExactEnv(2, 3, ["1", "1/2"], sigma_u2=2)
    >>> env.trace(("Lambda", "Sigma")), env.size("feature")
    (Fraction(3, 2), Fraction(2, 1))
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
    """Symbolic parameters: polynomials in ``N, T, M``, ``s = sigma_u^2/M`` (``Sigma = s 1``) and the
    spectral moments ``tr(Lambda^j)`` (``j <= max_power``) and, with ``alias_hat=False``,
    ``tr(Lambdahat Lambda^j)``; by default ``Lambdahat = Lambda`` (the model's numerical setting,
    which the paper's Eq. 87 uses when it trades test loops for train loops).

    >>> env = SymbolicEnv()
    >>> env.to_sympy(env.trace(("Lambda", "Sigma", "Lambda", "Sigma")) * env.size("feature"))
    tr(Lambda^2)*N*sigma_u2**2/M**2
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
    """The Laurent series of a sympy expression, symbol by symbol.

    ``values`` maps symbols to :class:`Series` (e.g. ``gamma``, ``q``, ``Q``, ``xi``); ``N`` and
    ``T`` default to the environment's sizes.  :class:`ResolventTrace` is expanded in powers of its
    argument, which must be ``O(eps)``.  ``prec`` caps the precision of constants.  ``cache`` (a
    dict) keeps the series of sub-expressions between calls with the same ``values`` and ``prec``.
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
    """``tr((phi^T phi)^n)`` (``space="train"``) or ``tr((phi phi^T)^n)`` (``"feature"``),
    ``1 <= n <= 150`` (the planar recursions take words of at most 600 letters).

    >>> resolvent_word("feature", 2)
    Word('u x x^T u^T u x x^T u^T')
    """
    _check_space(space)
    n = check_order(n, "n", minimum=1, maximum=150)
    return Word.parse(" ".join([_PHI[space]] * n), MATRICES)


def resolvent_diagrams(space: str, n: int):
    """The planar contractions of :func:`resolvent_word` (the engine's planar generator)."""
    from diagrams.engine.planar import planar_contractions

    return planar_contractions(resolvent_word(space, n))


def _key(faces, skip) -> tuple:
    return tuple(sorted((f.space.name, canonical_cycle(f.covariances)) for i, f in enumerate(faces)
                        if i not in skip))


@dataclass
class ResolventClasses:
    """Weighted monomials of the resolvent diagrams of one space, opened at slot 0.

    ``moments[n]``: all planar diagrams of ``tr(word^n)`` divided by the external loop;
    ``one_pi[n]``: the 1PI ones; ``dressing[n][p]``: the 1PI ones with skeleton loop
    ``tr[(Lambda Sigma)^p]``, divided by the external and the skeleton loop.  ``counts`` holds the
    numbers of diagrams ``(all, 1PI)`` per ``n``.
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
    """Enumerate and sort the resolvent diagrams up to ``n = order`` (cached per space and order).

    ``0 <= order <= 12`` (:data:`MAX_RESOLVENT_ORDER`); a ``ValueError`` otherwise, before any work.
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
    """``gamma <Q>`` (train) or ``gamma <q>`` (feature) from the diagrams, to ``eps^order``."""
    rc = resolvent_classes(space, order)
    return _alternating(env, [env.weighted(m) for m in rc.moments], rc.order)


def self_energy_series(space: str, order: int, env: _Env) -> Series:
    """The 1PI self-energy ``Pi = sum_n (-1/gamma)^n [1PI diagrams]`` from the diagrams."""
    rc = resolvent_classes(space, order)
    return _alternating(env, [env.weighted(m) for m in rc.one_pi], rc.order)


def dressing_series(space: str, order: int, env: _Env, p: int) -> Series:
    """Sum of the 1PI diagrams with skeleton ``tr[(Lambda Sigma)^p]``, divided by that loop."""
    rc = resolvent_classes(space, order)
    return _alternating(env, [env.weighted(d.get(p, {})) if n else env.zero for n, d in enumerate(rc.dressing)],
                        rc.order)


def diagram_values(order: int, env: _Env) -> dict:
    """``gamma``, ``q``, ``Q``, ``xi`` as series (:func:`propagator_values`), the propagators
    ``gamma <q>``, ``gamma <Q>`` taken from the diagrams to ``eps^order``."""
    order = check_order(order, "order", maximum=MAX_RESOLVENT_ORDER)
    gq = propagator_series("feature", order, env)
    gQ = propagator_series("train", order, env)
    return propagator_values(env, gq, gQ, order + 1)


def propagator_values(env: _Env, gq: Series, gQ: Series, prec: int) -> dict:
    """``{gamma: 1/eps, q: eps gq, Q: eps gQ, xi: N T <q> <Q>}`` as series (``xi``: Eq. 45), from the
    series ``gq = gamma <q>`` and ``gQ = gamma <Q>``; the values :func:`series_of` takes.

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
    r"""The recognised self-energy: ``-N <q> (-gamma xi)^(p-1) tr[(Lambda Sigma)^p]`` summed over
    ``p`` (``p=None``) into ``-N <q> tr[Lambda Sigma (1 + gamma xi Lambda Sigma)^-1]`` (train space),
    or its dual with ``T <Q>`` (feature space).  With ``p`` given, the dressing (no trace factor).

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
    """Order by order, ``gamma <Q> = 1/(1 - Pi)``: the moments are chains of 1PI blobs.

    Returns ``{"propagator = 1/(1 - Pi)": [bool per order 0..order]}``.
    """
    order = check_order(order, "order", maximum=MAX_RESOLVENT_ORDER)
    G = propagator_series(space, order, env)
    Pi = self_energy_series(space, order, env)
    chain = geometric_inverse(Pi)
    return {"propagator = 1/(1 - Pi)": [env.equal(a, b) for a, b in zip(G.coefficients(order), chain.coefficients(order))]}


def check_self_energy(space: str, order: int, env: _Env) -> dict:
    """Order by order: each skeleton class of 1PI diagrams equals ``-N<q>(-gamma xi)^(p-1)`` (train)
    with the full propagators from the diagrams, and their sum equals ``-N <q> t``.

    Returns ``{label: [bool per order]}``.
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
    r"""Eqs. (42)-(44) from the recognised self-energies, with sympy.

    Dyson: ``gamma <Q> = 1/(1 - Pi_T)``, ``gamma <q> = 1/(1 - Pi_N)`` with
    ``Pi_T = -N <q> t``, ``Pi_N = -T <Q> t`` and ``t = tr[Lambda Sigma (1 + gamma xi Lambda Sigma)^-1]``.
    Solving each Dyson equation for ``t`` and multiplying by ``gamma xi`` (``xi = N T <q> <Q>``) gives
    ``T (1 - gamma <Q>)`` and ``N (1 - gamma <q>)``; the function checks both simplifications and
    returns the chain ``N (1 - gamma<q>) = T (1 - gamma<Q>) = gamma xi t`` as two ``Eq``.
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
    """``(gamma <q>, gamma <Q>)`` solving the consistency relation, by fixed-point iteration.

    Writing ``g = gamma <q>``, ``G = gamma <Q>``, ``a = gamma xi = eps N T g G`` the relation reads
    ``g = 1 - eps T g G t(a)``, ``G = 1 - eps N g G t(a)``; each iteration fixes one more order.
    ``0 <= order <= 60`` (:data:`MAX_CONSISTENCY_ORDER`).
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
    """Order by order: the diagram sums of ``gamma <q>``, ``gamma <Q>`` equal the series solution of
    the derived consistency relation.  Returns ``{label: [bool per order]}``."""
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
    """Solve the derived consistency relation numerically (mpmath, ``dps`` digits).

    With ``a = gamma xi`` and ``y = a t(a)``, the relation is ``a gamma = N T (1 - y/N)(1 - y/T)``;
    the left side minus the right side increases with ``a`` on the physical branch ``y < min(N, T)``,
    so the root is bracketed and found by the Illinois method.  Returns mpf values of ``q``, ``Q``,
    ``xi``, ``a`` and ``t``.

    >>> r = solve_consistency(2, 3, "1/10", ["1", "1/2"], dps=30)
    >>> mpmath.nstr(r["q"], 12), mpmath.nstr(2 * (1 - r["gamma"] * r["q"]) - 3 * (1 - r["gamma"] * r["Q"]), 3)
    ('2.64536275796', '0.0')
    """
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
    """mpmath value of an expression of this module (``ResolventTrace`` on a diagonal spectrum).

    ``values`` maps symbol names or symbols (``"q"``, ``"Q"``, ``"xi"``, ``"gamma"``, ``"N"``,
    ``"T"``) to numbers; ``extra`` adds more (``C``, ``sigma_w2``, ``M``, ...).
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
