r"""Taylor series of the closed form, Eq. (104), in the inverse ridge ``1/gamma``.

The planar diagrams of order ``k`` (REFERENCE Sec. 3) sum to the coefficient ``c_k`` of
``gamma^-k`` in

    <L> = C sigma_w^2/(2M) * l / D                                          (Eq. 104)

This module computes those coefficients directly from the closed form, as an independent target
for the diagram sums.

Method.  Put ``eps = 1/gamma`` and ``a = gamma xi``, and write ``tr_k = tr[(Lambda Sigma)^k]``,
``that_n = tr[Lambdahat (Lambda Sigma)^n]``.  Then

* ``t(a) = tr[Lambda Sigma (1 + a Lambda Sigma)^-1] = sum_n (-a)^n tr_{n+1}``;
* the consistency relation (Eqs. 44/99) reads ``a = eps (N - y)(T - y)`` with ``y = a t(a)``;
* ``y`` and ``a`` are divisible by ``N T`` as power series, so with ``a = N T alpha`` and
  ``y = N T eta``:  ``alpha = eps (1 - T eta)(1 - N eta)``, ``eta = alpha t(N T alpha)``,
  solved by fixed-point iteration, one order of ``eps`` per step;
* ``l = tr[Lambdahat (1 + a Lambda Sigma)^-2] = sum_n (n+1)(-a)^n that_n`` and
  ``r_d' = sum_n (n+1)(-a)^n tr_{n+1}``;
* with ``gamma<q> = 1 - y/N``, ``gamma<Q> = 1 - y/T`` and ``z = a r_d'``, the denominator of
  Eq. (104) is ``D = (1 - T eta)(1 - N eta) + alpha r_d' [N (1 - T eta) + T (1 - N eta)]``
  (the same function as ``(1 - gamma^2 N <q>^2 r_c)(1 - gamma^2 T <Q>^2 v) - gamma^2 xi^2 r_d'^2/(N T)``
  once the consistency relation holds), with ``D = 1 + O(eps^2)``.

All series are truncated polynomials in ``eps`` whose coefficients live in a sparse polynomial ring
(symbolic) or are exact Fractions (numeric), so no call to ``sympy.series`` is needed.

>>> c = closed_form_series(1)
>>> c[0] == C * sigma_w2 * lambdahat_trace(0) / (2 * M)
True
>>> c[1] == -C * sigma_w2 * N * T * lambdahat_trace(1) / M
True
>>> closed_form_series_exact(2, 1, 1, ["1"])
[1/2, -1, 5]
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from math import gcd
from typing import Callable, Sequence

import sympy
from sympy.polys.domains import ZZ
from sympy.polys.rings import ring

from diagrams.engine.numbers import check_order, read_fraction, read_list
from diagrams.engine.symbols import trace_symbol
from diagrams.models.random_features.inputs import MAX_SIZE, SCALE_RANGE, fraction_in_range, list_in_range
from diagrams.models.random_features.model import C, M, N, T, sigma_w2

__all__ = ["closed_form_series", "closed_form_series_exact", "lambda_sigma_trace", "lambdahat_trace",
           "MAX_SYMBOLIC_ORDER", "MAX_EXACT_ORDER", "MAX_EXACT_SPECTRUM"]


def lambda_sigma_trace(n: int):
    """``tr[(Lambda Sigma)^n]`` as a :class:`~diagrams.engine.symbols.CovarianceTrace` (n >= 1)."""
    return trace_symbol(("Lambda", "Sigma") * n)


def lambdahat_trace(n: int):
    """``tr[Lambdahat (Lambda Sigma)^n]`` as a :class:`~diagrams.engine.symbols.CovarianceTrace` (n >= 0)."""
    return trace_symbol(("Lambdahat",) + ("Lambda", "Sigma") * n)


# ---------------------------------------------------------------------------------------------
# truncated power series in eps: lists [c_0, ..., c_K] over any commutative ring of coefficients
# ---------------------------------------------------------------------------------------------

def _mul(x: list, y: list, K: int, zero) -> list:
    """Product of two series truncated at order K (both given as lists)."""
    out = [zero] * (K + 1)
    for i, xi in enumerate(x[:K + 1]):
        if not xi:
            continue
        for j, yj in enumerate(y[:K + 1 - i]):
            if yj:
                out[i + j] = out[i + j] + xi * yj
    return out


def _add(x: list, y: list, K: int, zero) -> list:
    return [(x[k] if k < len(x) else zero) + (y[k] if k < len(y) else zero) for k in range(K + 1)]


def _scale(x: list, c, K: int, zero) -> list:
    return [c * x[k] if k < len(x) else zero for k in range(K + 1)]


def _horner(coeffs: Callable[[int], object], A: list, depth: int, K: int, zero) -> list:
    """``sum_{n=0..depth} coeffs(n) (-A)^n`` truncated at order K, for a series A = O(eps)."""
    acc = [coeffs(depth)] + [zero] * K
    negA = [-c for c in A]
    for n in range(depth - 1, -1, -1):
        acc = _mul(acc, negA, K, zero)
        acc[0] = acc[0] + coeffs(n)
    return acc


def _l_over_D(K: int, Nv, Tv, tr: Callable[[int], object], trhat: Callable[[int], object], zero, one) -> list:
    """Coefficients of ``eps^k``, k = 0..K, of ``l/D`` (Eq. 104 without the prefactor).

    ``tr(k)`` is ``tr[(Lambda Sigma)^k]`` (k >= 1) and ``trhat(n)`` is ``tr[Lambdahat (Lambda Sigma)^n]``
    (n >= 0), both elements of the coefficient ring (or plain numbers).
    """
    NT = Nv * Tv
    # alpha = a/(N T) = eps (1 - T eta)(1 - N eta), eta = alpha t(N T alpha); alpha_1 = 1.
    alpha = [zero, one] + [zero] * (K - 1) if K >= 1 else [zero]
    for j in range(2, K + 1):
        # alpha is exact to order j-1; compute eta to order j-1 and alpha to order j
        Kj = j - 1
        A = _scale(alpha, NT, Kj, zero)
        t = _horner(lambda n: tr(n + 1), A, max(Kj - 1, 0), Kj, zero)
        eta = _mul(alpha, t, Kj, zero)
        f1 = [one - Tv * eta[0]] + [-Tv * c for c in eta[1:]]
        f2 = [one - Nv * eta[0]] + [-Nv * c for c in eta[1:]]
        F = _mul(f1, f2, Kj, zero)
        alpha = [zero] + F[:Kj + 1]
    alpha = (alpha + [zero] * (K + 1))[:K + 1]
    A = _scale(alpha, NT, K, zero)
    t = _horner(lambda n: tr(n + 1), A, max(K - 1, 0), K, zero)
    eta = _mul(alpha, t, K, zero)
    rdp = _horner(lambda n: (n + 1) * tr(n + 1), A, max(K - 1, 0), K, zero)
    l = _horner(lambda n: (n + 1) * trhat(n), A, K, K, zero)
    f1 = [one - Tv * eta[0]] + [-Tv * c for c in eta[1:]]      # gamma <Q> = 1 - T eta
    f2 = [one - Nv * eta[0]] + [-Nv * c for c in eta[1:]]      # gamma <q> = 1 - N eta
    D = _add(_mul(f1, f2, K, zero),
             _mul(_mul(alpha, rdp, K, zero), _add(_scale(f1, Nv, K, zero), _scale(f2, Tv, K, zero), K, zero),
                  K, zero), K, zero)
    # 1/D with D_0 = 1
    inv = [one] + [zero] * K
    for k in range(1, K + 1):
        acc = zero
        for i in range(1, k + 1):
            if D[i]:
                acc = acc + D[i] * inv[k - i]
        inv[k] = -acc
    return _mul(l, inv, K, zero)


# ---------------------------------------------------------------------------------------------
# symbolic coefficients
# ---------------------------------------------------------------------------------------------

#: Highest order of :func:`closed_form_series` (symbolic; order 12 takes about ten seconds).
MAX_SYMBOLIC_ORDER = 12
#: Highest order of :func:`closed_form_series_exact` (order 100 with four eigenvalues: about 15 s).
MAX_EXACT_ORDER = 100
#: Longest spectrum of :func:`closed_form_series_exact`.
MAX_EXACT_SPECTRUM = 1000


@lru_cache(maxsize=None)
def _symbolic(order: int) -> tuple:
    gens = [N, T] + [lambda_sigma_trace(k) for k in range(1, order + 2)] \
        + [lambdahat_trace(n) for n in range(order + 1)]
    R, *els = ring(gens, ZZ)
    Ne, Te = els[0], els[1]
    tre = els[2:order + 3]
    trh = els[order + 3:]
    coeffs = _l_over_D(order, Ne, Te, lambda k: tre[k - 1], lambda n: trh[n], R.zero, R.one)
    pref = sympy.Rational(1, 2) * C * sigma_w2 / M
    out = []
    for poly in coeffs:
        terms = []
        for monom, coef in poly.terms():
            factors = [sympy.Integer(int(coef)) * pref]
            factors += [g ** e for g, e in zip(gens, monom) if e]
            terms.append(sympy.Mul(*factors))
        out.append(sympy.Add(*terms))
    return tuple(out)


def closed_form_series(order: int) -> list:
    r"""Coefficients ``c_0, ..., c_order`` of ``gamma^-k`` in ``<L>`` of Eq. (104), symbolically.

    The result is expanded, in the model symbols ``N, T, M, C, sigma_w2`` of
    :mod:`diagrams.models.random_features.model` and the latent traces
    ``tr[(Lambda Sigma)^n]`` (:func:`lambda_sigma_trace`) and ``tr[Lambdahat (Lambda Sigma)^n]``
    (:func:`lambdahat_trace`), with ``Sigma`` and ``Lambdahat`` kept symbolic.

    Parameters
    ----------
    order : int
        Highest order, ``0 <= order <= 12`` (:data:`MAX_SYMBOLIC_ORDER`).

    Raises
    ------
    ValueError
        If ``order`` is not an integer in that range (checked before any work).

    Examples
    --------
    >>> c = closed_form_series(2)
    >>> lambdahat_trace(2) in c[2].free_symbols and lambda_sigma_trace(2) in c[2].free_symbols
    True
    >>> sorted(str(s) for s in c[2].free_symbols if not hasattr(s, "word"))
    ['C', 'M', 'N', 'T', 'sigma_w2']
    """
    return list(_symbolic(check_order(order, "order", maximum=MAX_SYMBOLIC_ORDER)))


# ---------------------------------------------------------------------------------------------
# exact numeric coefficients
# ---------------------------------------------------------------------------------------------

def closed_form_series_exact(order: int, N, T, spectrum: Sequence, sigma_u2=1, sigma_w2=1, C=1) -> list:
    r"""Exact coefficients ``c_0..c_order`` of ``gamma^-k`` in Eq. (104) for numeric parameters.

    ``Sigma = (sigma_u2/M) 1`` and ``Lambdahat = Lambda = diag(spectrum)``, ``M = len(spectrum)``.
    Every input may be an int, a Fraction, a sympy Rational or a string such as ``"1/3"``
    (floats are read through their decimal representation).  Returns sympy Rationals.

    Parameters
    ----------
    order : int
        Highest order, ``0 <= order <= 100`` (:data:`MAX_EXACT_ORDER`).
    N, T : number
        In ``[1, 1e15]``.
    spectrum : sequence of numbers
        At most 1000 eigenvalues, each in ``[1e-100, 1e100]``.
    sigma_u2, sigma_w2, C : number
        Each in ``[1e-100, 1e100]``.

    Raises
    ------
    ValueError
        Naming the parameter and its range (checked before any work).

    Examples
    --------
    >>> closed_form_series_exact(3, 2, 3, ["1", "1/2"])
    [3/8, -15/8, 621/32, -29097/128]
    """
    order = check_order(order, "order", maximum=MAX_EXACT_ORDER)
    Nf = fraction_in_range(N, "N", minimum=1, maximum=MAX_SIZE)
    Tf = fraction_in_range(T, "T", minimum=1, maximum=MAX_SIZE)
    lam = list_in_range(spectrum, "spectrum", minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1],
                    max_length=MAX_EXACT_SPECTRUM)
    su, sw, cc = (fraction_in_range(v, name, minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1])
                  for v, name in ((sigma_u2, "sigma_u2"), (sigma_w2, "sigma_w2"), (C, "C")))
    Mn = len(lam)
    s = [v * su / Mn for v in lam]                     # eigenvalues of Lambda Sigma
    # Integer arithmetic: with s' = d s (d = common denominator) every power sum is an integer,
    # and c_k is homogeneous of degree k in s (a -> a/d, eps -> eps d), so c_k = c'_k / d^k.
    # With Lambdahat = Lambda = (M/sigma_u2) Lambda Sigma:  tr[Lambdahat (Lambda Sigma)^n]
    # = (M/sigma_u2) tr[(Lambda Sigma)^{n+1}], i.e. with s': (M/(sigma_u2 d)) tr'_{n+1}.
    d = 1
    for v in s:
        d = d * v.denominator // gcd(d, v.denominator)
    sp = [int(v * d) for v in s]
    trs = [Mn]
    cur = [1] * Mn
    for _ in range(order + 1):
        cur = [c * x for c, x in zip(cur, sp)]
        trs.append(sum(cur))
    Nv = Nf.numerator if Nf.denominator == 1 else Nf
    Tv = Tf.numerator if Tf.denominator == 1 else Tf
    coeffs = _l_over_D(order, Nv, Tv, lambda k: trs[k], lambda n: trs[n + 1], 0, 1)
    pref = cc * sw / (2 * Mn) * Fraction(Mn) / (su * d)
    out = []
    for k, c in enumerate(coeffs):
        v = pref * c / d ** k
        out.append(sympy.Rational(v.numerator, v.denominator))
    return out
