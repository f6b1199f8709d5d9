r"""Taylor series of the closed form, Eq. (104), in the inverse ridge ``1/gamma``.

The planar diagrams of order ``k`` (paper Sec. III; ``docs/physics.md`` Sec. 2) sum to the coefficient ``c_k`` of
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

All series are :class:`~diagrams.engine.series.Series` in ``eps`` whose coefficients live in a sparse
polynomial ring (symbolic) or are exact Fractions (numeric), so no call to ``sympy.series`` is needed.

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

from diagrams.engine.numbers import check_order, read_integer
from diagrams.engine.series import Series, compose, fixed_point
from diagrams.engine.symbols import trace_symbol
from diagrams.models.random_features.inputs import MAX_SIZE, SCALE_RANGE, fraction_in_range, list_in_range
from diagrams.models.random_features.model import C, M, N, T, sigma_w2

__all__ = ["closed_form_series", "closed_form_series_exact", "lambda_sigma_trace", "lambdahat_trace",
           "MAX_SYMBOLIC_ORDER", "MAX_EXACT_ORDER", "MAX_EXACT_SPECTRUM"]


def lambda_sigma_trace(n: int):
    """The latent trace ``tr[(Lambda Sigma)^n]`` as a commutative sympy symbol.

    Parameters
    ----------
    n : int
        The power, ``n >= 1``.

    Returns
    -------
    CovarianceTrace
        The symbol (:class:`~diagrams.engine.symbols.CovarianceTrace`); its ``.word`` is the
        canonical cyclic word of matrix names.

    Raises
    ------
    ValueError
        If ``n <= 0`` (the word is empty).

    Examples
    --------
    >>> lambda_sigma_trace(2)
    tr(Lambda*Sigma*Lambda*Sigma)
    >>> lambda_sigma_trace(1).word
    ('Lambda', 'Sigma')
    >>> lambda_sigma_trace(0)
    Traceback (most recent call last):
    ...
    ValueError: word: a covariance trace needs at least one matrix name
    """
    return trace_symbol(("Lambda", "Sigma") * n)


def lambdahat_trace(n: int):
    """The latent trace ``tr[Lambdahat (Lambda Sigma)^n]`` as a commutative sympy symbol.

    Parameters
    ----------
    n : int
        The power, an integer ``n >= 0``.

    Returns
    -------
    CovarianceTrace
        The symbol (:class:`~diagrams.engine.symbols.CovarianceTrace`); its name and ``.word`` are
        the canonical cyclic word, so the letters may be printed in another order.

    Raises
    ------
    ValueError
        If ``n`` is not an integer ``>= 0``.

    Examples
    --------
    >>> lambdahat_trace(0)
    tr(Lambdahat)
    >>> lambdahat_trace(1).word
    ('Lambda', 'Lambdahat', 'Sigma')
    >>> c = closed_form_series(1)
    >>> c[0] == C * sigma_w2 * lambdahat_trace(0) / (2 * M)
    True
    """
    n = read_integer(n, "n", minimum=0)
    return trace_symbol(("Lambdahat",) + ("Lambda", "Sigma") * n)


def _l_over_D(K: int, Nv, Tv, tr: Callable[[int], object], trhat: Callable[[int], object]) -> list:
    """Coefficients of ``eps^k``, k = 0..K, of ``l/D`` (Eq. 104 without the prefactor).

    ``tr(k)`` is ``tr[(Lambda Sigma)^k]`` (k >= 1) and ``trhat(n)`` is ``tr[Lambdahat (Lambda Sigma)^n]``
    (n >= 0), both elements of the coefficient ring (or plain numbers); the series are
    :class:`~diagrams.engine.series.Series` in ``eps`` with coefficients in that ring.
    """
    prec = K + 1
    NT = Nv * Tv
    eps = Series.monomial(1, prec)

    def t_of(alpha: Series) -> Series:
        """``t(a) = sum_n tr_{n+1} (-a)^n`` at ``a = N T alpha``."""
        return compose(lambda n: tr(n + 1), -(alpha * NT))

    def step(alpha: Series) -> Series:
        # alpha = a/(N T) = eps (1 - T eta)(1 - N eta), eta = alpha t(N T alpha): one more order per step
        eta = alpha * t_of(alpha)
        return eps * (1 - eta * Tv) * (1 - eta * Nv)

    alpha = fixed_point(step, Series([0, 1], 0, 2), prec)             # alpha_1 = 1
    minus_a = -(alpha * NT)
    eta = alpha * t_of(alpha)
    rdp = compose(lambda n: (n + 1) * tr(n + 1), minus_a)               # r_d'
    l = compose(lambda n: (n + 1) * trhat(n), minus_a)
    gQ = 1 - eta * Tv                                                    # gamma <Q> = 1 - T eta
    gq = 1 - eta * Nv                                                    # gamma <q> = 1 - N eta
    D = gq * gQ + alpha * rdp * (gQ * Nv + gq * Tv)                     # D = 1 + O(eps^2)
    return (l / D).coefficients(K)


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
    coeffs = _l_over_D(order, Ne, Te, lambda k: tre[k - 1], lambda n: trh[n])
    pref = sympy.Rational(1, 2) * C * sigma_w2 / M
    out = []
    for poly in coeffs:
        terms = []
        for monom, coef in R(poly).terms():
            factors = [sympy.Integer(int(coef)) * pref]
            factors += [g ** e for g, e in zip(gens, monom) if e]
            terms.append(sympy.Mul(*factors))
        out.append(sympy.Add(*terms))
    return tuple(out)


def closed_form_series(order: int) -> list:
    r"""The coefficients ``c_0, ..., c_order`` of ``gamma^-k`` in the closed-form loss, symbolically.

    The closed form is ``<L>`` of Eq. (104).  The result is expanded, in the model symbols ``N, T, M, C, sigma_w2`` of
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
    r"""The exact coefficients ``c_0..c_order`` of ``gamma^-k`` in the closed form for given numbers.

    The closed form is Eq. (104).  ``Sigma = (sigma_u2/M) 1`` and ``Lambdahat = Lambda = diag(spectrum)``, ``M = len(spectrum)``.
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
    coeffs = _l_over_D(order, Nv, Tv, lambda k: trs[k], lambda n: trs[n + 1])
    pref = cc * sw / (2 * Mn) * Fraction(Mn) / (su * d)
    out = []
    for k, c in enumerate(coeffs):
        v = pref * c / d ** k
        out.append(sympy.Rational(v.numerator, v.denominator))
    return out
