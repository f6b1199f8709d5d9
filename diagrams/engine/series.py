r"""The truncated power series of the toolkit: expansions in ``eps = 1/gamma``.

:class:`Series` is ``sum_{k >= val} c_k eps^k + O(eps^prec)`` with coefficients in any commutative
ring whose elements support ``+``, ``-``, ``*`` (exact ``Fraction``, ``int``, sympy expressions,
sympy polynomial-ring elements).  Arithmetic tracks the precision: a product or quotient is known
only as far as both factors are.  Division needs the leading coefficient to be invertible; by
default ``1/c`` is used, and a ring without it (polynomials) passes ``inverse=``.

>>> from fractions import Fraction
>>> eps = Series.monomial(1, prec=6)
>>> g = (1 + eps).inverse()            # 1/(1 + eps)
>>> g.coefficients(5)
[1, -1, 1, -1, 1, -1]
>>> (g * g).coefficients(3)
[1, -2, 3, -4]
>>> Series.constant(Fraction(1, 3), prec=3) / (1 - eps)
Series([1/3, 1/3, 1/3], val=0, prec=3)
>>> compose(lambda n: 1, -eps).coefficients(4)   # sum_n (-eps)^n
[1, -1, 1, -1, 1]
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Sequence

__all__ = ["Series", "fixed_point", "compose"]


def _default_inverse(c):
    """``1/c`` exactly: an ``int`` becomes a ``Fraction`` (never a float)."""
    if isinstance(c, int) and not isinstance(c, bool):
        return c if c in (1, -1) else Fraction(1, c)
    return 1 / c


class Series:
    """A truncated Laurent series ``sum_{k >= val} c_k eps^k + O(eps^prec)`` in ``eps = 1/gamma``.

    The coefficients live in any commutative ring whose elements support ``+``, ``-``, ``*`` (exact
    ``Fraction``, ``int``, sympy expressions, sympy polynomial-ring elements).  Arithmetic tracks the
    precision: a product or quotient is known only as far as both factors are.  Division needs the
    leading coefficient to be invertible; by default ``1/c`` is used (an ``int`` becomes a
    ``Fraction``, never a float), and a ring without it (polynomials) passes ``inverse=``.

    Parameters
    ----------
    coefficients : sequence
        ``c_val, c_{val+1}, ...``; cut or padded with zeros to ``prec - val`` entries.
    val : int, optional
        The power of ``eps`` of the first coefficient.
    prec : int, optional
        The series is known to ``O(eps^prec)`` (default: ``val + len(coefficients)``).
    inverse : callable, optional
        ``inverse(c)`` is ``1/c`` in the coefficient ring.

    Attributes
    ----------
    val : int
        Power of the first stored coefficient.
    c : list
        The stored coefficients of ``eps^val .. eps^(prec-1)``.
    prec : int
        The precision.
    inverse_of : callable
        The inverse used by division.

    Examples
    --------
    >>> from fractions import Fraction
    >>> eps = Series.monomial(1, prec=6)
    >>> g = (1 + eps).inverse()            # 1/(1 + eps)
    >>> g.coefficients(5)
    [1, -1, 1, -1, 1, -1]
    >>> (g * g).coefficients(3)
    [1, -2, 3, -4]
    >>> Series.constant(Fraction(1, 3), prec=3) / (1 - eps)
    Series([1/3, 1/3, 1/3], val=0, prec=3)
    >>> Series([1, 2, 3], val=-1)
    Series([1, 2, 3], val=-1, prec=2)
    >>> g.coefficient(6)
    Traceback (most recent call last):
    ...
    ValueError: order: the series is known to order 5, asked for 6
    """

    __slots__ = ("val", "c", "prec", "inverse_of")

    def __init__(self, coefficients: Sequence, val: int = 0, prec: int | None = None,
                 inverse: Callable | None = None):
        self.val = int(val)
        cs = list(coefficients)
        self.prec = self.val + len(cs) if prec is None else int(prec)
        n = max(self.prec - self.val, 0)
        cs = cs[:n]
        cs += [0] * (n - len(cs))
        self.c = cs
        self.inverse_of = inverse or _default_inverse

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def constant(cls, value, prec: int, inverse: Callable | None = None) -> "Series":
        """``value + O(eps^prec)``."""
        return cls([value], 0, prec, inverse)

    @classmethod
    def monomial(cls, power: int, prec: int, value=1, inverse: Callable | None = None) -> "Series":
        """``value eps^power + O(eps^prec)``."""
        return cls([value], power, prec, inverse)

    def _like(self, coefficients, val, prec) -> "Series":
        return Series(coefficients, val, prec, self.inverse_of)

    # -- access --------------------------------------------------------------------------------
    def coefficient(self, k: int):
        """The coefficient of ``eps^k``.

        Raises
        ------
        ValueError
            If ``k >= prec`` (beyond the known precision).
        """
        if k >= self.prec:
            raise ValueError(f"order: the series is known to order {self.prec - 1}, asked for {k}")
        if k < self.val:
            return 0
        return self.c[k - self.val]

    def coefficients(self, order: int | None = None) -> list:
        """Coefficients of ``eps^0 .. eps^order`` (default: as far as known)."""
        order = self.prec - 1 if order is None else order
        return [self.coefficient(k) for k in range(order + 1)]

    def map(self, f: Callable) -> "Series":
        """The series with ``f`` applied to every coefficient."""
        return self._like([f(x) for x in self.c], self.val, self.prec)

    def truncate(self, prec: int) -> "Series":
        """The same series known only to ``O(eps^prec)``."""
        return self._like(self.c, self.val, min(self.prec, prec))

    # -- arithmetic ----------------------------------------------------------------------------
    def _lift(self, other) -> "Series":
        if isinstance(other, Series):
            return other
        return self._like([other], 0, self.prec)

    def _at(self, k):
        if k < self.val or k >= self.prec:
            return 0
        return self.c[k - self.val]

    def __add__(self, other):
        other = self._lift(other)
        val = min(self.val, other.val)
        prec = min(self.prec, other.prec)
        return self._like([self._at(k) + other._at(k) for k in range(val, prec)], val, prec)

    __radd__ = __add__

    def __neg__(self):
        return self._like([-x for x in self.c], self.val, self.prec)

    def __sub__(self, other):
        return self + (-self._lift(other))

    def __rsub__(self, other):
        return self._lift(other) - self

    def __mul__(self, other):
        if not isinstance(other, Series):
            return self._like([other * y for y in self.c], self.val, self.prec)
        val = self.val + other.val
        prec = min(self.val + other.prec, other.val + self.prec)
        n = max(prec - val, 0)
        out = [0] * n
        oc = other.c
        for i, a in enumerate(self.c[:n]):
            if not a:
                continue
            for j in range(min(len(oc), n - i)):
                b = oc[j]
                if b:
                    out[i + j] = out[i + j] + a * b
        return self._like(out, val, prec)

    __rmul__ = __mul__

    def normalised(self) -> "Series":
        """The same series with leading zero coefficients dropped (valuation raised)."""
        k = 0
        while k < len(self.c) and not self.c[k]:
            k += 1
        return self._like(self.c[k:], self.val + k, self.prec)

    def inverse(self) -> "Series":
        """``1/self`` (the leading known nonzero coefficient must be invertible).

        Raises
        ------
        ValueError
            If every known coefficient is zero.
        """
        s = self.normalised()
        if not s.c:
            raise ValueError("series: cannot invert a series that vanishes to its known order")
        c0inv = self.inverse_of(s.c[0])
        n = len(s.c)
        b = [c0inv]
        for m in range(1, n):
            acc = 0
            for i in range(1, m + 1):
                if s.c[i]:
                    acc = acc + s.c[i] * b[m - i]
            b.append(-c0inv * acc)
        return self._like(b, -s.val, -s.val + n)

    def __truediv__(self, other):
        if not isinstance(other, Series):
            return self * self.inverse_of(other)
        return self * other.inverse()

    def __rtruediv__(self, other):
        return self._lift(other) * self.inverse()

    def __pow__(self, n: int):
        n = int(n)
        if n < 0:
            return self.inverse() ** (-n)
        out = self._like([1], 0, self.prec - self.val) if n == 0 else self
        for _ in range(n - 1):
            out = out * self
        return out

    def __eq__(self, other):
        if not isinstance(other, Series):
            return NotImplemented
        prec = min(self.prec, other.prec)
        lo = min(self.val, other.val)
        return all(self._at(k) == other._at(k) for k in range(lo, prec))

    __hash__ = None

    def __repr__(self):
        return f"Series([{', '.join(str(x) for x in self.c)}], val={self.val}, prec={self.prec})"


def fixed_point(step: Callable[["Series"], "Series"], start: "Series", prec: int, *, gain: int = 1) -> "Series":
    """The solution of ``s = step(s)`` for a map that gains ``gain`` orders in ``eps`` per application.

    Starting from ``start`` (correct to ``O(eps^p0)``), ``ceil((prec - p0)/gain)`` applications make
    the result correct to ``O(eps^prec)``; each application is truncated to the order it can be
    correct to, so the cost is that of the last few steps.

    Parameters
    ----------
    step : callable
        ``step(s)`` returns a :class:`Series`, correct to ``gain`` more orders than ``s``.
    start : Series
        A starting point, correct to its own precision.
    prec : int
        The precision wanted.
    gain : int, optional
        Orders gained per application (at least 1, or the loop never ends).

    Returns
    -------
    Series
        The fixed point, known to ``O(eps^prec)``.

    Examples
    --------
    >>> eps = Series.monomial(1, prec=5)
    >>> # g = 1/(1 + eps g): the generating function of the Catalan numbers with signs
    >>> g = fixed_point(lambda g: (1 + eps * g).inverse(), Series.constant(1, 1), 5)
    >>> g.coefficients(4)
    [1, -1, 2, -5, 14]
    """
    s = start
    while s.prec < prec:
        s = step(s).truncate(min(prec, s.prec + gain))
    return s.truncate(prec)


def compose(coefficient: Callable[[int], object], x: "Series", prec: int | None = None) -> "Series":
    r"""A power series composed with a series that vanishes at ``eps = 0``, by Horner's rule.

    This is ``sum_{n >= 0} coefficient(n) x^n``: the power series with coefficients
    ``coefficient(n)`` composed with a series ``x = O(eps)``.  The result is known as far as ``x`` is
    (or to ``O(eps^prec)`` if ``prec`` is smaller); only the terms ``n < prec / val(x)`` contribute,
    so ``coefficient`` is called for those ``n`` only.  The coefficients may be numbers or ring
    elements (a trace ``tr[(Lambda Sigma)^(n+1)]`` per ``n``, say); a ``0`` skips its term.

    Parameters
    ----------
    coefficient : callable
        ``coefficient(n)``, the coefficient of ``x^n``.
    x : Series
        The inner series, of valuation at least 1 once leading zeros are dropped.
    prec : int, optional
        Precision wanted (default, and at most: that of ``x``).

    Returns
    -------
    Series
        The composition, known to ``O(eps^prec)``.

    Raises
    ------
    ValueError
        If ``x`` does not vanish at ``eps = 0`` (then every term contributes to every order).

    Examples
    --------
    >>> eps = Series.monomial(1, prec=6)
    >>> compose(lambda n: (-1) ** n * (n + 1), eps).coefficients()     # 1/(1 + eps)^2
    [1, -2, 3, -4, 5, -6]
    >>> compose(lambda n: 1, eps * eps).coefficients()    # 1/(1 - eps^2), known to O(eps^7)
    [1, 0, 1, 0, 1, 0, 1]
    >>> compose(lambda n: 1, 1 + eps)
    Traceback (most recent call last):
    ...
    ValueError: series: the inner series of a composition must vanish at eps = 0, its valuation is 0
    """
    x = x.normalised()
    prec = x.prec if prec is None else min(prec, x.prec)
    x = x.truncate(prec)
    if x.val < 1:
        raise ValueError(f"series: the inner series of a composition must vanish at eps = 0, its valuation is {x.val}")
    depth = max((prec - 1) // x.val, 0)
    acc = x._like([coefficient(depth)], 0, prec)
    for n in range(depth - 1, -1, -1):
        acc = acc * x + coefficient(n)
    return acc
