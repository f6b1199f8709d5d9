r"""The numeric parameters of the random-feature model: one reader for each kind, with its range.

The closed form (Eq. 104), the label-noise term (App. A), the scaling laws and the simulation all
take the same kinds of numbers.  Each is read here through :mod:`diagrams.engine.numbers`, so a bad
value is refused the same way everywhere: a ``ValueError`` naming the parameter and the range it
accepts.  The ranges keep every intermediate product of the formulas inside double precision:

=====================================  =====================================================
parameter                              accepted
=====================================  =====================================================
``N``, ``T`` (sizes of the two duals)  a number in ``[1, 1e15]`` (:data:`MAX_SIZE`)
``gamma`` (ridge)                      a number in ``[2.2e-308, 1e300]`` (:data:`MAX_RIDGE`);
                                       smaller values are denormal and refused
eigenvalues, ``sigma_u2``,             a number in ``[1e-100, 1e100]`` (:data:`SCALE_RANGE`)
``sigma_w2``, ``C``, ``lambda_plus``
``sigma_eps2`` (label-noise variance)  ``0`` or a number in ``[1e-100, 1e100]``
``M = len(spectrum)``                  ``1 <= M <= 10**8`` (:data:`MAX_SPECTRUM_LENGTH`);
                                       ``10**6`` in mpmath (:data:`MAX_MP_SPECTRUM_LENGTH`)
=====================================  =====================================================

Booleans are never numbers here, a 2-D array is not a spectrum (it is refused, not flattened),
and a value that overflows (``1e400``) or underflows to a denormal is refused.  For the mpmath
path :func:`read_exact` keeps exact inputs exact (a ``"1/3"`` stays a Fraction, an ``mpf`` is taken
as it is) after the same range checks, and :func:`~diagrams.engine.numbers.to_mpf` converts at the
working precision.

>>> read_size("12", "N")
12.0
>>> read_size(True, "N")
Traceback (most recent call last):
...
ValueError: N: must be a number in [1, 1e+15], got True
>>> read_spectrum([[1.0, 0.5]])
Traceback (most recent call last):
...
ValueError: spectrum: must be a flat list of numbers, got an entry [1.0, 0.5]
>>> read_spectrum("1, 1/2")
array([1. , 0.5])
"""

from __future__ import annotations

import numbers
import sys
from fractions import Fraction

import mpmath
import numpy as np

from diagrams.engine.numbers import describe_range, list_entries, read_fraction, read_list, read_real, to_mpf

__all__ = [
    "real_in_range",
    "fraction_in_range",
    "list_in_range",
    "MAX_SIZE",
    "MAX_RIDGE",
    "SCALE_RANGE",
    "MAX_SPECTRUM_LENGTH",
    "MAX_MP_SPECTRUM_LENGTH",
    "read_size",
    "read_scale",
    "read_noise_variance",
    "read_ridges",
    "read_spectrum",
    "read_exact",
    "to_mpf",
    "read_exact_spectrum",
]

#: Largest ``N`` or ``T``: products such as ``(N T)^2`` must stay finite in double precision.
MAX_SIZE = 1e15
#: Largest ridge accepted (the loss is at its ``gamma -> inf`` value long before).
MAX_RIDGE = 1e300
#: Range of eigenvalues, ``sigma_u2``, ``sigma_w2``, ``C`` and ``lambda_plus``.
SCALE_RANGE = (1e-100, 1e100)
#: Longest spectrum of the double-precision path (memory: 8 bytes an eigenvalue).
MAX_SPECTRUM_LENGTH = 10 ** 8
#: Longest spectrum of the mpmath path (a pass over 10**6 mpf numbers takes seconds).
MAX_MP_SPECTRUM_LENGTH = 10 ** 6

_TINY = sys.float_info.min


def _range_error(exc_value, name, minimum, maximum, strict_minimum):
    return ValueError(f"{name}: must be {describe_range(minimum, maximum, strict_minimum=strict_minimum)}, "
                      f"got {exc_value!r}")


def real_in_range(value, name: str, *, minimum=None, maximum=None, strict_minimum: bool = False) -> float:
    """A real parameter read as a double and checked against a range.

    This is :func:`~diagrams.engine.numbers.read_real` with a range, whose overflow is reported as
    the same ``ValueError`` as any other out-of-range value.

    Parameters
    ----------
    value : str, int, float, Fraction or sympy.Rational
        The value to read.
    name : str
        The parameter named in the error message.
    minimum, maximum : number, optional
        The accepted range (``None``: no bound on that side).
    strict_minimum : bool, optional
        Refuse ``value == minimum`` as well.

    Returns
    -------
    float
        The value as a finite, normal double.

    Raises
    ------
    ValueError
        If ``value`` is not a number (a ``bool`` is not), is outside the range, overflows double
        precision or is a non-zero denormal.

    Examples
    --------
    >>> real_in_range("1/4", "gamma", minimum=0, strict_minimum=True)
    0.25
    >>> real_in_range("1e400", "N", minimum=1, maximum=1e15)
    Traceback (most recent call last):
    ...
    ValueError: N: must be a number in [1, 1e+15], got 1.00000e+400
    """
    try:
        return read_real(value, name, minimum=minimum, maximum=maximum, strict_minimum=strict_minimum)
    except OverflowError:
        raise _range_error(value, name, minimum, maximum, strict_minimum) from None


def fraction_in_range(value, name: str, *, minimum=None, maximum=None, strict_minimum: bool = False) -> Fraction:
    """A real parameter read exactly, as a Fraction, and checked against a range.

    This is :func:`~diagrams.engine.numbers.read_fraction` with a range, as :func:`real_in_range`.

    Parameters
    ----------
    value : str, int, float, Fraction or sympy.Rational
        The value to read (a float through its shortest decimal representation).
    name : str
        The parameter named in the error message.
    minimum, maximum : number, optional
        The accepted range (``None``: no bound on that side).
    strict_minimum : bool, optional
        Refuse ``value == minimum`` as well.

    Returns
    -------
    Fraction
        The exact value.

    Raises
    ------
    ValueError
        If ``value`` is not a number or is outside the range.

    Examples
    --------
    >>> fraction_in_range("0.25", "sigma_eps2", minimum=0)
    Fraction(1, 4)
    >>> fraction_in_range("-1", "sigma_eps2", minimum=0)
    Traceback (most recent call last):
    ...
    ValueError: sigma_eps2: must be a number >= 0, got -1
    """
    try:
        return read_fraction(value, name, minimum=minimum, maximum=maximum, strict_minimum=strict_minimum)
    except OverflowError:
        raise _range_error(value, name, minimum, maximum, strict_minimum) from None


def list_in_range(values, name: str, *, minimum=None, maximum=None, strict_minimum: bool = False,
                  max_length: int | None = None) -> list[Fraction]:
    """A non-empty list of exact numbers, each checked against a range.

    This is :func:`~diagrams.engine.numbers.read_list` with a range, as :func:`real_in_range`.

    Parameters
    ----------
    values : str or sequence of numbers
        Text such as ``"1, 1/2"`` (commas and/or whitespace) or a flat 1-D sequence.
    name : str
        The parameter named in the error message.
    minimum, maximum : number, optional
        The accepted range of each entry (``None``: no bound on that side).
    strict_minimum : bool, optional
        Refuse an entry equal to ``minimum`` as well.
    max_length : int, optional
        The most entries accepted (``None``: no limit).

    Returns
    -------
    list of Fraction
        The exact entries.

    Raises
    ------
    ValueError
        If the list is empty, nested (a 2-D array is refused rather than flattened), longer than
        ``max_length``, or an entry is not a number or is outside the range.

    Examples
    --------
    >>> list_in_range("1 1/2", "spectrum", minimum=0, strict_minimum=True)
    [Fraction(1, 1), Fraction(1, 2)]
    """
    try:
        return read_list(values, name, minimum=minimum, maximum=maximum, strict_minimum=strict_minimum,
                         max_length=max_length)
    except OverflowError:
        raise _range_error(values, name, minimum, maximum, strict_minimum) from None


def read_size(value, name: str) -> float:
    """A size ``N`` or ``T`` of one of the two duals, a number in ``[1, MAX_SIZE]``.

    It need not be an integer in the planar limit.

    Parameters
    ----------
    value : str, int, float, Fraction or sympy.Rational
        The size.
    name : str
        The parameter named in the error message (``"N"`` or ``"T"``).

    Returns
    -------
    float
        The size, ``1 <= value <= MAX_SIZE`` (:data:`MAX_SIZE`).

    Raises
    ------
    ValueError
        If ``value`` is not a number (``True`` is not) or is outside ``[1, 1e15]``.

    Examples
    --------
    >>> read_size("12", "N")
    12.0
    >>> read_size(0.5, "T")
    Traceback (most recent call last):
    ...
    ValueError: T: must be a number in [1, 1e+15], got 1/2
    """
    return real_in_range(value, name, minimum=1, maximum=MAX_SIZE)


def read_scale(value, name: str) -> float:
    """A positive scale (``sigma_u2``, ``sigma_w2``, ``C``, ``lambda_plus``) in :data:`SCALE_RANGE`.

    Parameters
    ----------
    value : str, int, float, Fraction or sympy.Rational
        The scale.
    name : str
        The parameter named in the error message.

    Returns
    -------
    float
        The scale, in ``[1e-100, 1e100]``.

    Raises
    ------
    ValueError
        If ``value`` is not a number or is outside :data:`SCALE_RANGE`.

    Examples
    --------
    >>> read_scale("2", "sigma_w2")
    2.0
    >>> read_scale(0, "C")
    Traceback (most recent call last):
    ...
    ValueError: C: must be a number in [1e-100, 1e+100], got 0
    """
    return real_in_range(value, name, minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1])


def read_noise_variance(value, name: str = "sigma_eps2") -> float:
    """The label-noise variance ``sigma_eps2``: ``0`` or a number in :data:`SCALE_RANGE`.

    Parameters
    ----------
    value : str, int, float, Fraction or sympy.Rational
        The variance.
    name : str, optional
        The parameter named in the error message.

    Returns
    -------
    float
        ``0.0``, or the variance in ``[1e-100, 1e100]``.

    Raises
    ------
    ValueError
        If ``value`` is not a number, is negative, or is non-zero and outside :data:`SCALE_RANGE`.

    Examples
    --------
    >>> read_noise_variance("1/4")
    0.25
    >>> read_noise_variance(0)
    0.0
    >>> read_noise_variance("1e-320")
    Traceback (most recent call last):
    ...
    ValueError: sigma_eps2: must be 0 or a number in [1e-100, 1e+100], got '1e-320'
    """
    f = fraction_in_range(value, name, minimum=0)
    if f == 0:
        return 0.0
    if not SCALE_RANGE[0] <= f <= SCALE_RANGE[1]:
        raise ValueError(f"{name}: must be 0 or {describe_range(*SCALE_RANGE)}, got {value!r}")
    return float(f)


def read_ridges(gamma, name: str = "gamma") -> tuple[np.ndarray, bool]:
    """One ridge ``gamma`` or an array of ridges, each in ``[2.2e-308, MAX_RIDGE]``.

    A float or integer numpy array is checked as a whole; a number, text or sympy Rational is one
    ridge; anything else is read as an array of numbers, entry by entry.

    Parameters
    ----------
    gamma : number, str, sequence of numbers or numpy.ndarray
        The ridge parameter(s), each ``> 0``, normal in double precision and at most
        :data:`MAX_RIDGE`.
    name : str, optional
        The parameter named in the error message.

    Returns
    -------
    array : numpy.ndarray
        The ridges as floats, of the shape given (0-d for one ridge).
    scalar : bool
        Whether one ridge was given (so a caller returns a float rather than an array).

    Raises
    ------
    ValueError
        If a ridge is not a number, is ``<= 0``, denormal or above :data:`MAX_RIDGE`, or if the list is
        empty.

    Examples
    --------
    >>> read_ridges([1e-3, "1/2"])
    (array([0.001, 0.5  ]), False)
    >>> read_ridges("0.1")
    (array(0.1), True)
    >>> read_ridges([])
    Traceback (most recent call last):
    ...
    ValueError: gamma: give at least one ridge parameter > 0
    """
    if isinstance(gamma, np.ndarray) and gamma.dtype.kind in "fiu":
        g = gamma.astype(float)
        _check_array(g.ravel(), name, _TINY, MAX_RIDGE)
        return g, g.ndim == 0
    if isinstance(gamma, (str, numbers.Number)) or getattr(gamma, "is_Rational", False):
        return np.asarray(real_in_range(gamma, name, minimum=0, maximum=MAX_RIDGE, strict_minimum=True)), True
    try:
        items = np.asarray(gamma, dtype=object)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: must be a number or an array of numbers, got {gamma!r}") from None
    if items.size == 0:
        raise ValueError(f"{name}: give at least one ridge parameter > 0")
    flat = [real_in_range(v, name, minimum=0, maximum=MAX_RIDGE, strict_minimum=True) for v in items.ravel()]
    return np.array(flat, dtype=float).reshape(items.shape), items.ndim == 0


def _check_array(arr: np.ndarray, name: str, lo: float, hi: float) -> None:
    if arr.size == 0:
        raise ValueError(f"{name}: the list is empty; give at least one number")
    if arr.min() >= lo and arr.max() <= hi:               # (a NaN fails both comparisons)
        return
    ok = np.isfinite(arr) & (arr >= lo) & (arr <= hi)
    if not ok.all():
        bad = arr[~ok][0]
        want = describe_range(lo, hi) if lo > 0 else describe_range(0, hi, strict_minimum=True)
        raise ValueError(f"{name}: must be {want}, got {bad!r}")


def read_spectrum(spectrum, name: str = "spectrum", *, max_length: int = MAX_SPECTRUM_LENGTH) -> np.ndarray:
    """The eigenvalues of ``Lambda`` as a 1-D float array, each in :data:`SCALE_RANGE`.

    A float or integer numpy array is checked as a whole (fast for ``M = 10**6``); anything else
    -- a list, text such as ``"1, 1/2"``, Fractions, sympy Rationals -- entry by entry.  A 2-D
    array, a boolean entry, an empty list or a list longer than ``max_length`` is refused.

    Parameters
    ----------
    spectrum : str, sequence of numbers or numpy.ndarray
        The eigenvalues, ``1 <= M = len(spectrum) <= max_length``.
    name : str, optional
        The parameter named in the error message.
    max_length : int, optional
        The most eigenvalues accepted (default :data:`MAX_SPECTRUM_LENGTH`, ``10**8``).

    Returns
    -------
    numpy.ndarray
        The eigenvalues as a 1-D float array.

    Raises
    ------
    ValueError
        If ``spectrum`` is ``None``, empty, not 1-D (nested lists and 2-D arrays are refused, not
        flattened), longer than ``max_length``, or an eigenvalue is not a number (a ``bool`` is not)
        or is outside ``[1e-100, 1e100]``.

    Examples
    --------
    >>> read_spectrum("1, 1/2")
    array([1. , 0.5])
    >>> read_spectrum(np.array([2, 1]))
    array([2., 1.])
    >>> read_spectrum([[1.0, 0.5]])
    Traceback (most recent call last):
    ...
    ValueError: spectrum: must be a flat list of numbers, got an entry [1.0, 0.5]
    """
    if spectrum is None:
        raise ValueError(f"{name}: give the eigenvalues of Lambda (at least one)")
    if isinstance(spectrum, np.ndarray) and spectrum.dtype.kind in "fiu":
        if spectrum.ndim != 1:
            raise ValueError(f"{name}: must be a 1-D list of eigenvalues, got an array of shape {spectrum.shape}")
        lam = np.asarray(spectrum, dtype=float)
    else:
        if isinstance(spectrum, np.ndarray) and spectrum.ndim != 1:
            raise ValueError(f"{name}: must be a 1-D list of eigenvalues, got an array of shape {spectrum.shape}")
        items = list_entries(spectrum, name, max_length=max_length, what="eigenvalues")
        fast = not isinstance(spectrum, str) and all(
            isinstance(v, (float, int, np.floating, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in items)
        if fast:
            try:
                lam = np.array(items, dtype=float)
            except OverflowError:
                fast = False
        if not fast:        # entry by entry, exactly (text, Fractions, Rationals, huge integers)
            lam = np.array([real_in_range(v, name, minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1]) for v in items])
    if lam.size > max_length:
        raise ValueError(f"{name}: at most {max_length} eigenvalues, got {lam.size}")
    _check_array(lam, name, *SCALE_RANGE)
    return lam


def read_exact(value, name: str, *, minimum=None, maximum=None, strict_minimum: bool = False):
    """The exact value of ``value`` for the mpmath path: a ``Fraction``, or an ``mpf`` kept as it is.

    Text, integers, Fractions and sympy Rationals are read exactly; a float is taken at its exact
    binary value (the number the double-precision path computes with).  The range is checked as by
    :func:`diagrams.engine.numbers.read_real`, so overflow and denormals are refused.  Convert at
    the working precision with :func:`~diagrams.engine.numbers.to_mpf` (also importable from here).

    Parameters
    ----------
    value : str, int, float, Fraction, sympy.Rational or mpmath.mpf
        The value to read.
    name : str
        The parameter named in the error message.
    minimum, maximum : number, optional
        The accepted range (``None``: no bound on that side).
    strict_minimum : bool, optional
        Refuse ``value == minimum`` as well.

    Returns
    -------
    Fraction or mpmath.mpf
        The exact value (an ``mpf`` input is returned as it is).

    Raises
    ------
    ValueError
        If ``value`` is not a number, is outside the range, overflows double precision or is a
        non-zero denormal.

    Examples
    --------
    >>> read_exact("1/3", "gamma", minimum=0, strict_minimum=True)
    Fraction(1, 3)
    >>> read_exact(0.1, "gamma")
    Fraction(3602879701896397, 36028797018963968)
    >>> with mpmath.workdps(30):
    ...     print(to_mpf(read_exact("1/3", "gamma")))
    0.333333333333333333333333333333
    """
    real_in_range(value, name, minimum=minimum, maximum=maximum, strict_minimum=strict_minimum)
    if isinstance(value, mpmath.mpf):
        return value
    if isinstance(value, (float, np.floating)):
        return Fraction(float(value))
    return read_fraction(value, name)


def read_exact_spectrum(spectrum, name: str = "spectrum") -> list:
    """The eigenvalues of ``Lambda`` for the mpmath path, each read exactly by :func:`read_exact`.

    Parameters
    ----------
    spectrum : str, sequence of numbers or numpy.ndarray
        The eigenvalues, each in :data:`SCALE_RANGE`; at most :data:`MAX_MP_SPECTRUM_LENGTH`
        (``10**6``) of them.
    name : str, optional
        The parameter named in the error message.

    Returns
    -------
    list of Fraction or mpmath.mpf
        The exact eigenvalues.

    Raises
    ------
    ValueError
        If ``spectrum`` is ``None``, empty, nested, longer than :data:`MAX_MP_SPECTRUM_LENGTH`, or an
        eigenvalue is not a number or is outside ``[1e-100, 1e100]``.

    Examples
    --------
    >>> read_exact_spectrum("1, 1/2")
    [Fraction(1, 1), Fraction(1, 2)]
    >>> read_exact_spectrum(None)
    Traceback (most recent call last):
    ...
    ValueError: spectrum: give the eigenvalues of Lambda (at least one)
    """
    if spectrum is None:
        raise ValueError(f"{name}: give the eigenvalues of Lambda (at least one)")
    if isinstance(spectrum, np.ndarray) and spectrum.ndim == 1:
        spectrum = spectrum.tolist()
    items = list_entries(spectrum, name, max_length=MAX_MP_SPECTRUM_LENGTH, what="eigenvalues in mpmath")
    return [read_exact(v, name, minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1]) for v in items]
