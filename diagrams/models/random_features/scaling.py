"""Scaling laws for power-law data: approximations of paper Secs. IV.3-IV.4 (``docs/physics.md`` Sec. 4).

For a power-law spectrum ``lambda_I = lambda_+ I^-(1+alpha)`` (I = 1..M) the latent sums of the
closed form (paper Eq. 104) are replaced by integrals.  With::

    c_alpha = (pi/(1+alpha)) / sin(pi/(1+alpha)),     Xi = N (1 - gamma <q>) = T (1 - gamma <Q>)

the loss and the ridge become explicit functions of the parameter ``0 < Xi <= min(N, T)``::

    L(Xi)     ~ C sigma_w2 lambda_+ c_alpha^(1+alpha) / (2 M (1+alpha)) * Xi^-alpha
                / [1 - alpha Xi (1/N + 1/T)/(1+alpha) + (alpha-1) Xi^2 / ((1+alpha) N T)]
    gamma(Xi) ~ (sigma_u2 lambda_+ c_alpha^(1+alpha) / M) * N T (1 - Xi/N)(1 - Xi/T) Xi^-(1+alpha)

(``gamma -> 0`` is ``Xi -> min(N, T)``).  Minimising over ``Xi`` gives ``Xi* = 2/((1+nu)(1/N+1/T))``
and the optimal loss and ridge below, with::

    nu = sqrt(1 - 4 N T (alpha-1)(alpha+2) / (alpha (alpha+1) (N+T)^2)).

**These are approximations** (integrals for sums, valid for N, T << M): compare them with the exact
minimum of the closed form (:func:`exact_optimum`), not with themselves.  At M = 20000 they agree
within 1-2 % for alpha = 1 and 2, and within 7-15 % for alpha = 0.5 (slowly converging sums); see
``docs/simulation_and_scaling.md`` Sec. 2 for the measured table.

>>> round(c_alpha(1.0), 12) == round(math.pi / 2, 12)
True
>>> float(nu(100, 300, 1.0))
1.0
>>> fit = fit_exponent([10, 20, 40, 80], [3.0 * n ** -1.5 for n in (10, 20, 40, 80)])
>>> round(fit.exponent, 10), fit.stderr < 1e-10
(1.5, True)
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from diagrams.engine.numbers import describe_range, list_entries, read_integer
from diagrams.models.random_features.closed_form import MAX_ALPHA
from diagrams.models.random_features.inputs import MAX_SIZE, MAX_SPECTRUM_LENGTH, SCALE_RANGE, real_in_range

__all__ = [
    "c_alpha", "nu", "optimal_loss_approx", "optimal_ridge_approx", "ridgeless_loss_approx",
    "loss_approx_xi", "gamma_approx_xi", "fit_exponent", "exact_optimum", "ExponentFit", "Optimum",
]


class ExponentFit(NamedTuple):
    """The result of :func:`fit_exponent`: the decay exponent of ``loss ~ A * size^-exponent``.

    Parameters
    ----------
    exponent : float
        The decay exponent (minus the slope of ``log loss`` against ``log size``).
    stderr : float
        The standard error of the slope from the residuals (``nan`` with only two points).

    Examples
    --------
    >>> fit = fit_exponent([10, 20, 40], [1.0, 0.25, 0.0625])
    >>> round(fit.exponent, 10), round(fit.stderr, 10)
    (2.0, 0.0)
    """

    exponent: float
    stderr: float


class Optimum(NamedTuple):
    """The optimal ridge of the closed form and the test loss there, as found by :func:`exact_optimum`.

    Parameters
    ----------
    gamma : float
        The optimal ridge (``0`` or ``inf`` when ``limit`` is set).
    loss : float
        The test loss at ``gamma`` (the limit's loss when ``limit`` is set).
    limit : {None, "gamma->0", "gamma->inf"}, optional
        As in :class:`~diagrams.models.random_features.closed_form.OptimalRidge`: ``None``, or the
        limit that no finite ridge beats.

    Examples
    --------
    >>> Optimum(0.5, 0.1)
    Optimum(gamma=0.5, loss=0.1, limit=None)
    >>> exact_optimum(300, 400, 1.0, 200).limit
    'gamma->0'
    """

    gamma: float
    loss: float
    limit: str | None = None


# ----------------------------------------------------------------------------- validation
#
# Ranges (those of diagrams.models.random_features.inputs): N, T in [1, 1e15]; alpha in (0, 100];
# M an integer in [1, 10**8]; lambda_plus, sigma_u2, sigma_w2, C in [1e-100, 1e100].  Each accepts a
# number or (where the docstring says so) a 1-D array of numbers; booleans are refused.

_RANGES = {
    "N": (1.0, MAX_SIZE, False), "T": (1.0, MAX_SIZE, False), "alpha": (0.0, MAX_ALPHA, True),
    "lambda_plus": (*SCALE_RANGE, False), "sigma_u2": (*SCALE_RANGE, False), "sigma_w2": (*SCALE_RANGE, False),
    "C": (*SCALE_RANGE, False), "Xi": (0.0, MAX_SIZE, True),
}


def _pos(value, name):
    """A number, or a 1-D array of numbers, in the range of ``name`` (see ``_RANGES``)."""
    lo, hi, strict = _RANGES[name]
    if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
        arr = np.asarray(value)
        if arr.dtype.kind not in "fiu" or arr.ndim > 1 or arr.size == 0:
            raise ValueError(f"{name}: must be {describe_range(lo, hi, strict_minimum=strict)} or a non-empty 1-D "
                             f"array of such numbers, got {value!r}")
        arr = arr.astype(float)
        bad = ~(np.isfinite(arr) & ((arr > lo) if strict else (arr >= lo)) & (arr <= hi))
        if bad.any():
            raise ValueError(f"{name}: must be {describe_range(lo, hi, strict_minimum=strict)}, got {arr[bad][0]!r}")
        return arr if arr.ndim else float(arr)
    return real_in_range(value, name, minimum=lo, maximum=hi, strict_minimum=strict)


def _M(M):
    return read_integer(M, "M", minimum=1, maximum=MAX_SPECTRUM_LENGTH)


def _out(value):
    arr = np.asarray(value, dtype=float)
    return arr if arr.ndim else float(arr)


# ----------------------------------------------------------------------------- formulas

def c_alpha(alpha):
    """The power-law constant ``c_alpha = (pi/(1+alpha)) / sin(pi/(1+alpha))`` of the scaling laws.

    Paper Sec. IV.3.  It comes from ``int_0^inf dx / (1 + x^(1+alpha)) = c_alpha``, the integral that replaces the
    latent sums for power-law data; ``c_alpha = pi/2`` at ``alpha = 1``.

    Parameters
    ----------
    alpha : float or 1-D array of float
        The power-law exponent, ``0 < alpha <= 100``.

    Returns
    -------
    float or numpy.ndarray
        A float, or an array when an argument is an array (arguments broadcast).

    Raises
    ------
    ValueError
        Naming the first parameter that is not a number (or 1-D array of numbers) in its range.

    Examples
    --------
    >>> round(c_alpha(1.0), 12) == round(math.pi / 2, 12)
    True
    >>> c_alpha([0.5, 2.0])
    array([2.41839915, 1.20919958])
    >>> c_alpha(0)
    Traceback (most recent call last):
    ...
    ValueError: alpha: must be a number in (0, 100], got 0
    """
    alpha = _pos(alpha, "alpha")
    s = np.pi / (1.0 + np.asarray(alpha))
    return _out(s / np.sin(s))


def nu(N, T, alpha):
    """The exponent ``nu = sqrt(1 - 4NT(alpha-1)(alpha+2) / (alpha(alpha+1)(N+T)^2))`` of the optimum.

    Paper Sec. IV.4.  Equal to 1 at alpha = 1 and as N/T -> 0 or infinity; below 1 for alpha > 1, above 1 for
    alpha < 1.

    Parameters
    ----------
    N, T : float or 1-D array of float
        The number of features ``N`` and of training samples ``T``, each in ``[1, 1e15]``.
    alpha : float or 1-D array of float
        The power-law exponent, ``0 < alpha <= 100``.

    Returns
    -------
    float or numpy.ndarray
        A float, or an array when an argument is an array (arguments broadcast).

    Raises
    ------
    ValueError
        Naming the first parameter that is not a number (or 1-D array of numbers) in its range.

    Examples
    --------
    >>> float(nu(100, 300, 1.0))
    1.0
    >>> round(nu(100, 300, 2.0), 12), round(nu(100, 300, 0.5), 12)
    (0.707106781187, 1.5)
    """
    N, T, alpha = _pos(N, "N"), _pos(T, "T"), _pos(alpha, "alpha")
    N, T, a = np.asarray(N), np.asarray(T), np.asarray(alpha)
    return _out(np.sqrt(1.0 - 4.0 * N * T * (a - 1) * (a + 2) / (a * (a + 1) * (N + T) ** 2)))


def optimal_loss_approx(N, T, alpha, M, lambda_plus=1, sigma_w2=1, C=1):
    """The approximate test loss at the optimal ridge for power-law data.

    Paper Sec. IV.4::

        L* ~ C sigma_w2 lambda_+/(2M) c_alpha^(1+alpha) ((1+nu)/2)^(1+alpha)
             * (2+alpha)/(1+(1+alpha) nu) * (1/N + 1/T)^alpha

    An approximation (see the module docstring), valid for N, T << M; at alpha = 1 it is
    ``C sigma_w2 lambda_+ pi^2/(8M) (1/N + 1/T)``.

    Parameters
    ----------
    N, T : float or 1-D array of float
        The number of features ``N`` and of training samples ``T``, each in ``[1, 1e15]``.
    alpha : float or 1-D array of float
        The power-law exponent, ``0 < alpha <= 100``.
    M : int
        The number of latent dimensions, an integer in ``[1, 10**8]``.
    lambda_plus : float, optional
        The largest eigenvalue ``lambda_+``, in ``[1e-100, 1e100]``.
    sigma_w2, C : float, optional
        The teacher variance and the overall constant of the loss, each in ``[1e-100, 1e100]``.

    Returns
    -------
    float or numpy.ndarray
        A float, or an array when an argument is an array (arguments broadcast).

    Raises
    ------
    ValueError
        Naming the first parameter that is not a number (or 1-D array of numbers) in its range.

    See Also
    --------
    exact_optimum : The exact minimum it approximates.

    Examples
    --------
    >>> L = optimal_loss_approx(100, 100, 1.0, 1000)
    >>> abs(L - math.pi ** 2 / 8000 * (1 / 100 + 1 / 100)) < 1e-15
    True
    >>> optimal_loss_approx(100, 100, 1.0, 0)
    Traceback (most recent call last):
    ...
    ValueError: M: must be an integer in [1, 100000000], got 0
    """
    N, T, alpha = _pos(N, "N"), _pos(T, "T"), _pos(alpha, "alpha")
    M = _M(M)
    lp, sw, C = _pos(lambda_plus, "lambda_plus"), _pos(sigma_w2, "sigma_w2"), _pos(C, "C")
    a, v = np.asarray(alpha), np.asarray(nu(N, T, alpha))
    s = 1.0 / np.asarray(N) + 1.0 / np.asarray(T)
    out = (C * sw * lp / (2.0 * M) * np.asarray(c_alpha(alpha)) ** (1 + a) * ((1 + v) / 2) ** (1 + a)
           * (2 + a) / (1 + (1 + a) * v) * s ** a)
    return _out(out)


def optimal_ridge_approx(N, T, alpha, M, lambda_plus=1, sigma_u2=1):
    """The approximate optimal ridge for power-law data.

    Paper Sec. IV.4::

        gamma* ~ sigma_u2 lambda_+/M c_alpha^(1+alpha) 2/(alpha(alpha+1)) ((1+nu)/2)^(alpha-1)
                 * (1/N + 1/T)^(alpha-1)

    An approximation (see the module docstring).  At alpha = 1 it does not depend on N and T:
    ``gamma* ~ sigma_u2 lambda_+ pi^2/(4M)``.

    Parameters
    ----------
    N, T : float or 1-D array of float
        The number of features ``N`` and of training samples ``T``, each in ``[1, 1e15]``.
    alpha : float or 1-D array of float
        The power-law exponent, ``0 < alpha <= 100``.
    M : int
        The number of latent dimensions, an integer in ``[1, 10**8]``.
    lambda_plus : float, optional
        The largest eigenvalue ``lambda_+``, in ``[1e-100, 1e100]``.
    sigma_u2 : float, optional
        The feature-weight variance, in ``[1e-100, 1e100]``.

    Returns
    -------
    float or numpy.ndarray
        A float, or an array when an argument is an array (arguments broadcast).

    Raises
    ------
    ValueError
        Naming the first parameter that is not a number (or 1-D array of numbers) in its range.

    Examples
    --------
    >>> abs(optimal_ridge_approx(100, 300, 1.0, 1000) - math.pi ** 2 / 4000) < 1e-15
    True
    """
    N, T, alpha = _pos(N, "N"), _pos(T, "T"), _pos(alpha, "alpha")
    M = _M(M)
    lp, su = _pos(lambda_plus, "lambda_plus"), _pos(sigma_u2, "sigma_u2")
    a, v = np.asarray(alpha), np.asarray(nu(N, T, alpha))
    s = 1.0 / np.asarray(N) + 1.0 / np.asarray(T)
    out = (su * lp / M * np.asarray(c_alpha(alpha)) ** (1 + a) * 2.0 / (a * (a + 1))
           * ((1 + v) / 2) ** (a - 1) * s ** (a - 1))
    return _out(out)


def ridgeless_loss_approx(N, T, alpha, M, lambda_plus=1, sigma_w2=1, C=1):
    """The approximate ridgeless (``gamma -> 0``) test loss for power-law data.

    Paper Sec. IV.3::

        N < T:  C sigma_w2 lambda_+ c_alpha^(1+alpha) N^-alpha / (2M (1 - N/T))
        N > T:  the same with N <-> T (the closed form is symmetric under N <-> T)

    An approximation.  It diverges at N = T (double descent); ``inf`` is returned there.

    Parameters
    ----------
    N, T : float or 1-D array of float
        The number of features ``N`` and of training samples ``T``, each in ``[1, 1e15]``.
    alpha : float or 1-D array of float
        The power-law exponent, ``0 < alpha <= 100``.
    M : int
        The number of latent dimensions, an integer in ``[1, 10**8]``.
    lambda_plus : float, optional
        The largest eigenvalue ``lambda_+``, in ``[1e-100, 1e100]``.
    sigma_w2, C : float, optional
        The teacher variance and the overall constant of the loss, each in ``[1e-100, 1e100]``.

    Returns
    -------
    float or numpy.ndarray
        A float, or an array when an argument is an array (arguments broadcast).

    Raises
    ------
    ValueError
        Naming the first parameter that is not a number (or 1-D array of numbers) in its range.

    Examples
    --------
    >>> ridgeless_loss_approx(100, 300, 1.0, 1000) == ridgeless_loss_approx(300, 100, 1.0, 1000)
    True
    >>> ridgeless_loss_approx(100, 100, 1.0, 1000)
    inf
    """
    N, T, alpha = _pos(N, "N"), _pos(T, "T"), _pos(alpha, "alpha")
    M = _M(M)
    lp, sw, C = _pos(lambda_plus, "lambda_plus"), _pos(sigma_w2, "sigma_w2"), _pos(C, "C")
    N, T, a = np.asarray(N), np.asarray(T), np.asarray(alpha)
    small, large = np.minimum(N, T), np.maximum(N, T)
    with np.errstate(divide="ignore"):
        out = C * sw * lp * np.asarray(c_alpha(alpha)) ** (1 + a) * small ** (-a) / (2.0 * M * (1 - small / large))
    return _out(np.where(small == large, np.inf, out))


def _xi(Xi, N, T):
    Xi, N, T = _pos(Xi, "Xi"), _pos(N, "N"), _pos(T, "T")
    if np.any(np.asarray(Xi) > np.minimum(N, T) * (1 + 1e-12)):
        raise ValueError(f"Xi: must lie in (0, min(N, T)], got {Xi!r} with N={N!r}, T={T!r}")
    return np.asarray(Xi), np.asarray(N), np.asarray(T)


def loss_approx_xi(Xi, N, T, alpha, M, lambda_plus=1, sigma_w2=1, C=1):
    """The approximate test loss as a function of the effective dimension ``Xi = N(1 - gamma<q>)``.

    Paper Sec. IV.3, an approximation::

        L ~ C sigma_w2 lambda_+ c_alpha^(1+alpha)/(2M(1+alpha)) Xi^-alpha
            / [1 - alpha Xi (1/N+1/T)/(1+alpha) + (alpha-1) Xi^2/((1+alpha) N T)]

    Pair with :func:`gamma_approx_xi` for the ridge.

    Parameters
    ----------
    Xi : float or 1-D array of float
        The effective dimension, ``0 < Xi <= min(N, T)``.
    N, T : float or 1-D array of float
        The number of features ``N`` and of training samples ``T``, each in ``[1, 1e15]``.
    alpha : float or 1-D array of float
        The power-law exponent, ``0 < alpha <= 100``.
    M : int
        The number of latent dimensions, an integer in ``[1, 10**8]``.
    lambda_plus : float, optional
        The largest eigenvalue ``lambda_+``, in ``[1e-100, 1e100]``.
    sigma_w2, C : float, optional
        The teacher variance and the overall constant of the loss, each in ``[1e-100, 1e100]``.

    Returns
    -------
    float or numpy.ndarray
        A float, or an array when an argument is an array (arguments broadcast).

    Raises
    ------
    ValueError
        If ``Xi > min(N, T)``, or naming the first parameter that is not a number (or 1-D array of
        numbers) in its range.

    Examples
    --------
    >>> round(loss_approx_xi(50, 100, 300, 1.0, 1000) * 1e5, 10)
    1.8505508252
    >>> loss_approx_xi(200, 100, 300, 1.0, 1000)
    Traceback (most recent call last):
    ...
    ValueError: Xi: must lie in (0, min(N, T)], got 200.0 with N=100.0, T=300.0
    """
    Xi, N, T = _xi(Xi, N, T)
    a = np.asarray(_pos(alpha, "alpha"))
    M = _M(M)
    lp, sw, C = _pos(lambda_plus, "lambda_plus"), _pos(sigma_w2, "sigma_w2"), _pos(C, "C")
    den = 1 - a * Xi * (1 / N + 1 / T) / (1 + a) + (a - 1) * Xi ** 2 / ((1 + a) * N * T)
    with np.errstate(divide="ignore"):
        out = C * sw * lp * np.asarray(c_alpha(alpha)) ** (1 + a) / (2.0 * M * (1 + a)) * Xi ** (-a) / den
    return _out(out)


def gamma_approx_xi(Xi, N, T, alpha, M, lambda_plus=1, sigma_u2=1):
    """The approximate ridge as a function of the effective dimension ``Xi``.

    Paper Sec. IV.3::

        gamma ~ (sigma_u2 lambda_+ c_alpha^(1+alpha)/M) N T (1 - Xi/N)(1 - Xi/T) Xi^-(1+alpha)

    An approximation.  Decreasing in ``Xi``; zero at ``Xi = min(N, T)`` (ridgeless limit).

    Parameters
    ----------
    Xi : float or 1-D array of float
        The effective dimension, ``0 < Xi <= min(N, T)``.
    N, T : float or 1-D array of float
        The number of features ``N`` and of training samples ``T``, each in ``[1, 1e15]``.
    alpha : float or 1-D array of float
        The power-law exponent, ``0 < alpha <= 100``.
    M : int
        The number of latent dimensions, an integer in ``[1, 10**8]``.
    lambda_plus : float, optional
        The largest eigenvalue ``lambda_+``, in ``[1e-100, 1e100]``.
    sigma_u2 : float, optional
        The feature-weight variance, in ``[1e-100, 1e100]``.

    Returns
    -------
    float or numpy.ndarray
        A float, or an array when an argument is an array (arguments broadcast).

    Raises
    ------
    ValueError
        If ``Xi > min(N, T)``, or naming the first parameter that is not a number (or 1-D array of
        numbers) in its range.

    Examples
    --------
    >>> gamma_approx_xi(100, 100, 300, 1.0, 1000)
    0.0
    >>> round(gamma_approx_xi(50, 100, 300, 1.0, 1000), 12)
    0.012337005501
    """
    Xi, N, T = _xi(Xi, N, T)
    a = np.asarray(_pos(alpha, "alpha"))
    M = _M(M)
    lp, su = _pos(lambda_plus, "lambda_plus"), _pos(sigma_u2, "sigma_u2")
    out = (su * lp * np.asarray(c_alpha(alpha)) ** (1 + a) / M * N * T * (1 - Xi / N) * (1 - Xi / T)
           * Xi ** (-(1 + a)))
    return _out(np.maximum(out, 0.0))


def _positive_list(values, name) -> np.ndarray:
    """A 1-D list of finite numbers > 0 (not booleans, not nested)."""
    entries = list_entries(values, name)          # text such as "1 2 4" too; nested lists refused
    if any(isinstance(v, (bool, np.bool_)) for v in entries):
        raise ValueError(f"{name}: must be a 1-D list of finite numbers > 0, got a boolean entry")
    return np.array([real_in_range(v, name, minimum=0, strict_minimum=True) for v in entries])


def fit_exponent(sizes, losses) -> ExponentFit:
    """The least-squares decay exponent of a loss against a size, on a log-log scale.

    Fits ``log(loss) = log(A) - exponent * log(size)``.

    Parameters
    ----------
    sizes : 1-D sequence of float
        The sizes (``N``, ``T``, ...), finite and ``> 0``, at least two different ones.
    losses : 1-D sequence of float
        The losses, finite and ``> 0``, one per size.

    Returns
    -------
    ExponentFit
        ``(exponent, stderr)``: the decay exponent (minus the log-log slope) and the standard error of
        the slope from the residuals (``nan`` with only two points).

    Raises
    ------
    ValueError
        If ``sizes`` or ``losses`` is not a 1-D list of finite numbers ``> 0``, if their lengths
        differ, if there are fewer than two points, or if all sizes are equal.

    Examples
    --------
    >>> fit = fit_exponent([10, 20, 40, 80], [3.0 * n ** -1.5 for n in (10, 20, 40, 80)])
    >>> round(fit.exponent, 10), fit.stderr < 1e-10
    (1.5, True)
    >>> fit_exponent([10, 20], [1.0, 0.25]).stderr
    nan
    >>> fit_exponent([10, 10], [1.0, 0.5])
    Traceback (most recent call last):
    ...
    ValueError: sizes: need at least two different sizes
    """
    x = _positive_list(sizes, "sizes")
    y = _positive_list(losses, "losses")
    if x.size != y.size:
        raise ValueError(f"losses: {y.size} values for {x.size} sizes")
    if x.size < 2:
        raise ValueError("sizes: need at least two points to fit an exponent")
    lx, ly = np.log(x), np.log(y)
    dx = lx - lx.mean()
    sxx = float(dx @ dx)
    if sxx == 0:
        raise ValueError("sizes: need at least two different sizes")
    slope = float(dx @ (ly - ly.mean())) / sxx
    if x.size > 2:
        resid = ly - ly.mean() - slope * dx
        stderr = math.sqrt(float(resid @ resid) / (x.size - 2) / sxx)
    else:
        stderr = float("nan")
    return ExponentFit(-slope, stderr)


def exact_optimum(N, T, alpha, M, lambda_plus=1, sigma_u2=1, sigma_w2=1, C=1) -> Optimum:
    """The exact minimum over the ridge of the closed-form test loss for power-law data.

    The closed form is Eq. 104.  Calls ``closed_form.optimal_ridge`` on
    ``closed_form.power_law_spectrum(M, alpha, lambda_plus)``;
    this is the reference against which the approximations of this module are judged.

    Parameters
    ----------
    N, T : float
        The number of features ``N`` and of training samples ``T``, each in ``[1, 1e15]`` (numbers,
        not arrays).
    alpha : float
        The power-law exponent, ``0 < alpha <= 100``.
    M : int
        The number of latent dimensions, an integer in ``[1, 10**8]``.
    lambda_plus : float, optional
        The largest eigenvalue ``lambda_+``, in ``[1e-100, 1e100]``.
    sigma_u2, sigma_w2, C : float, optional
        The feature-weight variance, the teacher variance and the overall constant of the loss, each
        in ``[1e-100, 1e100]``.

    Returns
    -------
    Optimum
        ``Optimum(gamma, loss, limit)``; ``limit`` is passed on from the optimal ridge (for instance
        ``"gamma->0"`` with ``gamma = 0`` when ``min(N, T) > M``: the ridgeless fit is exact).

    Raises
    ------
    ValueError
        If ``N``, ``T`` or ``alpha`` is an array, or naming the first parameter outside its range.

    Examples
    --------
    >>> opt = exact_optimum(10, 20, 1.0, 50)
    >>> round(opt.gamma, 6), round(opt.loss, 8), opt.limit
    (0.033094, 0.00282813, None)
    >>> exact_optimum(300, 400, 1.0, 200)
    Optimum(gamma=0.0, loss=0.0, limit='gamma->0')
    """
    from diagrams.models.random_features import closed_form

    N, T, alpha = _pos(N, "N"), _pos(T, "T"), _pos(alpha, "alpha")
    if not all(isinstance(v, float) for v in (N, T, alpha)):
        raise ValueError("N: exact_optimum takes numbers, not arrays")
    M = _M(M)
    spectrum = closed_form.power_law_spectrum(M, alpha, lambda_plus=_pos(lambda_plus, "lambda_plus"))
    opt = closed_form.optimal_ridge(N, T, spectrum, sigma_u2=_pos(sigma_u2, "sigma_u2"),
                                    sigma_w2=_pos(sigma_w2, "sigma_w2"), C=_pos(C, "C"))
    return Optimum(float(opt.gamma), float(opt.loss), opt.limit)
