r"""The deterministic equivalent of ridge regression on Gaussian data (the ridge model's closed form).

With ``R = (gamma + x x^T)^-1`` (``x``: ``M x T``, columns ``N(0, Lambda)``) the ridge estimator errs
by ``theta* - w = -gamma w R``, so the test loss averaged over the teacher is

    <L> = C sigma_w^2/(2 M) gamma^2 <tr(R Lambda R)> = C sigma_w^2/(2 M) gamma^2 (-d/dgamma) <tr(Lambda R)>.

In the proportional limit ``<R>`` has the deterministic equivalent (the anisotropic Marchenko--Pastur
law; Dobriban & Wager 2018, Sec. 3 and Hastie, Montanari, Rosset & Tibshirani 2022, Thm. 5 and Eq. 13,
in their normalisation ``Sigma-hat = x x^T/T``, ``lambda = gamma/T``)::

    <R> = (gamma + T Lambda/(1 + delta))^-1,      delta = tr(Lambda <R>),                       (R1)

and differentiating (R1) in ``gamma`` gives, with ``D_I = gamma + T lambda_I/(1 + delta)``,

    <L> = C sigma_w^2/(2 M) * gamma^2 S_1 / (1 - T S_2/(1 + delta)^2),
    S_1 = sum_I lambda_I/D_I^2,   S_2 = sum_I lambda_I^2/D_I^2.                                  (R2)

``delta`` is the unique root ``> 0`` of ``delta = sum_I lambda_I/D_I(delta)`` (the right side
increases and is concave in ``delta``, bounded by ``tr Lambda/gamma``).  :func:`ridge_loss` solves
it in double precision, :func:`ridge_loss_mp` in mpmath, and :func:`ridge_loss_series_exact` expands
(R1)-(R2) in ``1/gamma`` with exact rationals -- the independent route the diagram sums of the
``ridge`` model are checked against.

>>> ridge_loss_series_exact(2, 5, ["1", "1/2"])
[Fraction(3, 8), Fraction(-25, 8), Fraction(225, 8)]
>>> abs(ridge_loss(5, 100.0, [1.0, 0.5]) - float(ridge_loss_mp(5, 100, ["1", "1/2"], dps=30))) < 1e-14
True
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence

import mpmath

from diagrams.engine.numbers import check_order, read_fraction, read_integer, read_list, read_real, to_mpf
from diagrams.engine.series import Series, fixed_point

__all__ = ["ridge_loss", "ridge_loss_mp", "ridge_loss_series_exact", "MAX_SERIES_ORDER"]

#: Highest order of the exact series.
MAX_SERIES_ORDER = 200


def _delta_equation(delta, gamma, T, lam):
    return delta - sum(l / (gamma + T * l / (1 + delta)) for l in lam)


def ridge_loss(T, gamma, spectrum, sigma_w2=1, C=1) -> float:
    """The planar test loss of ridge regression in double precision.

    This is Eq. (R2) of the module docstring.
    ``delta`` of Eq. (R1) is found by Brent's method on ``log delta``, bracketed by
    ``sum_I lambda_I/(gamma + T lambda_I) <= delta <= tr Lambda/gamma``.

    Parameters
    ----------
    T : int
        The number of training samples, an integer ``>= 1``.
    gamma : number or str
        The ridge parameter, ``> 0``.
    spectrum : str or sequence of numbers
        The eigenvalues ``lambda_I`` of ``Lambda``, each ``> 0`` (at least one).
    sigma_w2 : number or str, optional
        The teacher variance ``sigma_w^2``, ``> 0``.
    C : number or str, optional
        The overall constant ``C`` of the loss, ``> 0``.

    Returns
    -------
    float
        ``<L>`` of Eq. (R2).

    Raises
    ------
    ValueError
        If ``T`` is not an integer ``>= 1``, if ``gamma``, ``sigma_w2``, ``C`` or an eigenvalue is not
        a number ``> 0``, or if the spectrum is empty or nested.

    See Also
    --------
    ridge_loss_mp : The same in mpmath.
    ridge_loss_series_exact : Its expansion in ``1/gamma``.

    Examples
    --------
    >>> round(ridge_loss(5, 100.0, [1.0, 0.5]), 12)
    0.346316649293
    >>> ridge_loss(0, 1.0, [1.0])
    Traceback (most recent call last):
    ...
    ValueError: T: must be an integer >= 1, got 0
    """
    import numpy as np
    from scipy.optimize import brentq

    T = read_integer(T, "T", minimum=1)
    g = read_real(gamma, "gamma", minimum=0, strict_minimum=True)
    lam = np.asarray([float(v) for v in read_list(spectrum, "spectrum", minimum=0, strict_minimum=True)])
    pref = float(read_fraction(C, "C", minimum=0, strict_minimum=True)) * \
        read_real(sigma_w2, "sigma_w2", minimum=0, strict_minimum=True) / (2 * lam.size)

    def f(log_delta):
        d = math.exp(log_delta)
        return math.log(d) - math.log(float(np.sum(lam / (g + T * lam / (1 + d)))))

    hi = math.log(float(lam.sum()) / g) + 1e-12
    lo = math.log(float(np.sum(lam / (g + T * lam)))) - 1e-12
    d = math.exp(brentq(f, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500))
    D = g + T * lam / (1 + d)
    S1 = float(np.sum(lam / D ** 2))
    S2 = float(np.sum(lam ** 2 / D ** 2))
    return pref * g * g * S1 / (1 - T * S2 / (1 + d) ** 2)


def ridge_loss_mp(T, gamma, spectrum, sigma_w2=1, C=1, dps: int = 50):
    """The planar test loss of ridge regression in mpmath at ``dps`` digits.

    This is Eq. (R2) of the module docstring.
    ``delta`` is found by a bracketed root search (mpmath's ``anderson`` solver) at ``dps + 20``
    digits; inputs are read exactly.

    Parameters
    ----------
    T : int
        The number of training samples, an integer ``>= 1``.
    gamma : number or str
        The ridge parameter, ``> 0`` (read exactly: ``"1/3"`` is one third).
    spectrum : str or sequence of numbers
        The eigenvalues ``lambda_I`` of ``Lambda``, each ``> 0`` (at least one).
    sigma_w2 : number or str, optional
        The teacher variance ``sigma_w^2``, ``> 0``.
    C : number or str, optional
        The overall constant ``C`` of the loss, ``> 0``.
    dps : int, optional
        The working precision in decimal digits, ``15 <= dps <= 10000``.

    Returns
    -------
    mpmath.mpf
        ``<L>`` of Eq. (R2), rounded to ``dps`` digits.

    Raises
    ------
    ValueError
        If ``T`` is not an integer ``>= 1``, ``dps`` is outside ``[15, 10000]``, if ``gamma``,
        ``sigma_w2``, ``C`` or an eigenvalue is not a number ``> 0``, or if the spectrum is empty.

    Examples
    --------
    >>> print(ridge_loss_mp(5, 100, ["1", "1/2"], dps=20))
    0.34631664929305
    >>> abs(ridge_loss(5, 100.0, [1.0, 0.5]) - float(ridge_loss_mp(5, 100, ["1", "1/2"], dps=30))) < 1e-14
    True
    """
    T = read_integer(T, "T", minimum=1)
    dps = check_order(dps, "dps", minimum=15, maximum=10000)
    gf = read_fraction(gamma, "gamma", minimum=0, strict_minimum=True)
    lamf = read_list(spectrum, "spectrum", minimum=0, strict_minimum=True)
    sw = read_fraction(sigma_w2, "sigma_w2", minimum=0, strict_minimum=True)
    cc = read_fraction(C, "C", minimum=0, strict_minimum=True)
    with mpmath.workdps(dps + 20):
        g, lam = to_mpf(gf), [to_mpf(v) for v in lamf]
        lo = mpmath.fsum(l / (g + T * l) for l in lam)
        hi = mpmath.fsum(lam) / g
        d = mpmath.findroot(lambda x: _delta_equation(x, g, T, lam), (lo, hi), solver="anderson")
        D = [g + T * l / (1 + d) for l in lam]
        S1 = mpmath.fsum(l / Di ** 2 for l, Di in zip(lam, D))
        S2 = mpmath.fsum(l * l / Di ** 2 for l, Di in zip(lam, D))
        out = to_mpf(cc) * to_mpf(sw) / (2 * len(lam)) * g * g * S1 / (1 - T * S2 / (1 + d) ** 2)
    with mpmath.workdps(dps):
        return +out


def ridge_loss_series_exact(order: int, T, spectrum: Sequence, sigma_w2=1, C=1) -> list[Fraction]:
    """The exact coefficients ``c_0..c_order`` of ``gamma^-k`` in the ridge loss, as Fractions.

    The loss is Eq. (R2) of the module docstring.
    With ``eps = 1/gamma``: ``delta = eps sum_I lambda_I/(1 + eps T lambda_I/(1 + delta))`` is solved
    by fixed-point iteration (one order per step) and (R2) becomes
    ``C sigma_w^2/(2M) sum_I lambda_I/E_I^2 / (1 - eps^2 T sum_I lambda_I^2/E_I^2/(1 + delta)^2)`` with
    ``E_I = 1 + eps T lambda_I/(1 + delta)``.  This is the independent route the diagram sums of the
    ``ridge`` model are checked against.

    Parameters
    ----------
    order : int
        The highest power ``k`` of ``1/gamma``, ``0 <= order <= MAX_SERIES_ORDER`` (200).
    T : int
        The number of training samples, an integer ``>= 1``.
    spectrum : str or sequence of numbers
        The eigenvalues ``lambda_I`` of ``Lambda``, each ``> 0`` (at least one), read exactly.
    sigma_w2 : number or str, optional
        The teacher variance ``sigma_w^2``, ``> 0``.
    C : number or str, optional
        The overall constant ``C`` of the loss, ``> 0``.

    Returns
    -------
    list of Fraction
        ``[c_0, c_1, ..., c_order]``, so that ``<L> = sum_k c_k gamma^-k``.

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, 200]``, ``T`` is not an integer ``>= 1``, or if
        ``sigma_w2``, ``C`` or an eigenvalue is not a number ``> 0``, or the spectrum is empty.

    Examples
    --------
    >>> ridge_loss_series_exact(2, 5, ["1", "1/2"])
    [Fraction(3, 8), Fraction(-25, 8), Fraction(225, 8)]
    >>> ridge_loss_series_exact(201, 5, [1])
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [0, 200], got 201
    """
    K = check_order(order, "order", maximum=MAX_SERIES_ORDER)
    T = read_integer(T, "T", minimum=1)
    lam = read_list(spectrum, "spectrum", minimum=0, strict_minimum=True)
    sw = read_fraction(sigma_w2, "sigma_w2", minimum=0, strict_minimum=True)
    cc = read_fraction(C, "C", minimum=0, strict_minimum=True)
    prec = K + 3
    eps = Series.monomial(1, prec)
    one = Series.constant(Fraction(1), prec)

    def E(delta):
        return [one + eps * (T * l) / (one + delta) for l in lam]

    def step(delta):
        return sum((eps * l / e for l, e in zip(lam, E(delta))), Series.constant(Fraction(0), delta.prec + 1))

    delta = fixed_point(step, Series.constant(Fraction(0), 1), prec)
    Es = E(delta)
    S1 = sum((l / (e * e) for l, e in zip(lam, Es)), Series.constant(Fraction(0), prec))
    S2 = sum((l * l / (e * e) for l, e in zip(lam, Es)), Series.constant(Fraction(0), prec))
    loss = S1 / (one - eps * eps * T * S2 / ((one + delta) * (one + delta)))
    pref = cc * sw / (2 * len(lam))
    return [pref * Fraction(c) for c in loss.coefficients(K)]
