r"""Reading numbers exactly, and the one check of every order, size and list the toolkit takes.

Every parameter that enters the toolkit -- from the command line or from the API -- goes through
these functions, so a bad value always gets the same kind of message: a ``ValueError`` that names
the parameter and the range it accepts.

* :func:`read_fraction` -- an exact rational (``fractions.Fraction``) from ``3``, ``"1/3"``,
  ``"0.25"``, ``"1e-3"``, a ``Fraction``, a ``sympy.Rational`` or a float (read through its shortest
  decimal representation, so ``0.1`` is ``1/10``).  No float round trip, no ``nsimplify``.
* :func:`read_integer` -- an integer (``"7"``, ``7``, ``7.0``, ``"14/2"``), never ``True``.
* :func:`read_real` -- a finite double-precision number, refusing overflow (``1e400``) and values
  that underflow to a denormal or to zero when a positive number is asked for.
* :func:`check_order` -- the one order check: an integer ``0 <= order <= maximum``.
* :func:`split_list` / :func:`read_list` -- a list written with commas and/or whitespace; an empty
  entry (``"1,,2"``) is an error, never dropped.
* :func:`to_mpf` -- an exact number as an mpmath ``mpf`` at the working precision (the one place
  where an exact rational becomes a multiprecision float).

>>> read_fraction("1/3", "spectrum")
Fraction(1, 3)
>>> read_fraction(0.1, "gamma")
Fraction(1, 10)
>>> read_integer("12", "N", minimum=1)
12
>>> check_order(3, maximum=40)
3
>>> check_order(50, maximum=40)
Traceback (most recent call last):
...
ValueError: order: must be an integer in [0, 40], got 50
>>> split_list("1, 1/2 1/3", "spectrum")
['1', '1/2', '1/3']
>>> split_list("1,,2", "spectrum")
Traceback (most recent call last):
...
ValueError: spectrum: empty entry in '1,,2' (separate the numbers by commas or spaces)
"""

from __future__ import annotations

import math
import numbers
import re
import sys
from fractions import Fraction

__all__ = [
    "describe_range",
    "read_fraction",
    "read_integer",
    "read_real",
    "check_order",
    "split_list",
    "read_list",
    "fraction_text",
    "fraction_decimal",
    "to_mpf",
]

#: Longest accepted text of one number (guards against huge exponents such as ``1e999999999``).
MAX_NUMBER_TEXT = 200
#: Largest power of ten accepted in an exact number (``1e400`` is fine as a Fraction, ``1e10**9`` is not).
MAX_EXPONENT = 4000

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?\d+\s*/\s*\d+$", re.ASCII)


def describe_range(minimum=None, maximum=None, *, integer: bool = False, strict_minimum: bool = False,
                   strict_maximum: bool = False) -> str:
    """Human text of a range, the phrase used in every error message of the toolkit.

    Gives e.g. ``"an integer in [1, 40]"`` or ``"a number > 0"``.

    Parameters
    ----------
    minimum, maximum : number, optional
        The bounds; ``None`` leaves that side open.
    integer : bool, optional
        Say "an integer" instead of "a number".
    strict_minimum, strict_maximum : bool, optional
        Exclude the bound: ``(`` / ``)`` or ``>`` / ``<`` instead of ``[`` / ``]`` or ``>=`` / ``<=``.

    Returns
    -------
    str
        The phrase, without a trailing period.

    Examples
    --------
    >>> describe_range(0, None, strict_minimum=True)
    'a number > 0'
    >>> describe_range(1, 5, integer=True)
    'an integer in [1, 5]'
    >>> describe_range()
    'a number'
    """
    kind = "an integer" if integer else "a number"
    if minimum is not None and maximum is not None:
        lo = "(" if strict_minimum else "["
        hi = ")" if strict_maximum else "]"
        return f"{kind} in {lo}{_fmt(minimum)}, {_fmt(maximum)}{hi}"
    if minimum is not None:
        return f"{kind} {'>' if strict_minimum else '>='} {_fmt(minimum)}"
    if maximum is not None:
        return f"{kind} {'<' if strict_maximum else '<='} {_fmt(maximum)}"
    return kind


def _fmt(v) -> str:
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _show(value) -> str:
    if isinstance(value, Fraction):
        text = fraction_text(value)
        if len(text) > 60:
            text = fraction_decimal(value, 6)
    else:
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_range(value, name, minimum, maximum, integer, strict_minimum, strict_maximum):
    bad = False
    if minimum is not None and (value < minimum or (strict_minimum and value == minimum)):
        bad = True
    if maximum is not None and (value > maximum or (strict_maximum and value == maximum)):
        bad = True
    if bad:
        shown = _fmt(value) if not isinstance(value, Fraction) or len(str(value)) < 60 else fraction_decimal(value, 6)
        raise ValueError(f"{name}: must be {describe_range(minimum, maximum, integer=integer, strict_minimum=strict_minimum, strict_maximum=strict_maximum)}, "
                         f"got {shown}")


def read_fraction(value, name: str, *, minimum=None, maximum=None, strict_minimum: bool = False,
                  strict_maximum: bool = False) -> Fraction:
    """The exact rational value of a number given as text, int, float or rational.

    Accepts ints, ``Fraction``, ``sympy.Rational`` (anything with integer ``p`` and ``q``), finite
    floats (through their shortest decimal representation, so ``0.1`` is ``1/10``) and strings such as
    ``"3"``, ``"-1/3"``, ``"0.25"``, ``"2.5e-3"``.  No float round trip, no ``nsimplify``.

    Parameters
    ----------
    value : int, Fraction, sympy.Rational, float or str
        The number.  Text is at most :data:`MAX_NUMBER_TEXT` characters with a decimal exponent of at
        most :data:`MAX_EXPONENT` in size.
    name : str
        The parameter named in the error message.
    minimum, maximum : number, optional
        Allowed range (``None``: open on that side).
    strict_minimum, strict_maximum : bool, optional
        Exclude the bound itself.

    Returns
    -------
    Fraction
        The exact value.

    Raises
    ------
    ValueError
        Naming ``name`` and the allowed range: if ``value`` is ``bool``, ``None``, NaN, an infinity, an
        empty or unreadable string, a string that is too long or has too large an exponent, a ratio
        with denominator zero, any other type, or a number outside the range.

    Examples
    --------
    >>> read_fraction("1/3", "spectrum")
    Fraction(1, 3)
    >>> read_fraction(0.1, "gamma")
    Fraction(1, 10)
    >>> read_fraction("2.5e-3", "gamma", minimum=0, strict_minimum=True)
    Fraction(1, 400)
    >>> read_fraction("-1", "gamma", minimum=0, strict_minimum=True)
    Traceback (most recent call last):
    ...
    ValueError: gamma: must be a number > 0, got -1
    """
    want = describe_range(minimum, maximum, strict_minimum=strict_minimum, strict_maximum=strict_maximum)
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{name}: must be {want}, got {_show(value)}")
    if isinstance(value, Fraction):
        out = value
    elif isinstance(value, numbers.Integral):
        out = Fraction(int(value))
    elif hasattr(value, "p") and hasattr(value, "q") and getattr(value, "is_Rational", False):
        out = Fraction(int(value.p), int(value.q))
    elif isinstance(value, numbers.Real) and not isinstance(value, str):
        f = float(value)
        if not math.isfinite(f):
            raise ValueError(f"{name}: must be {want} (finite), got {_show(value)}")
        out = Fraction(repr(f))
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > MAX_NUMBER_TEXT or not _NUMBER.match(text):
            raise ValueError(f"{name}: cannot read {_show(value)} as a number (write e.g. 3, 1/3, 0.25 or 1e-3); "
                             f"must be {want}")
        m = re.search(r"[eE]([+-]?\d+)$", text)
        if m and abs(int(m.group(1))) > MAX_EXPONENT:
            raise ValueError(f"{name}: {_show(value)} is out of range; must be {want}")
        try:
            out = Fraction(text.replace(" ", ""))
        except ZeroDivisionError:
            raise ValueError(f"{name}: {_show(value)} divides by zero; must be {want}") from None
        except ValueError:
            raise ValueError(f"{name}: cannot read {_show(value)} as a number (write e.g. 3, 1/3, 0.25 or 1e-3); "
                             f"must be {want}") from None
    else:
        raise ValueError(f"{name}: must be {want}, got {_show(value)}")
    _check_range(out, name, minimum, maximum, False, strict_minimum, strict_maximum)
    return out


def read_integer(value, name: str, *, minimum=None, maximum=None) -> int:
    """An integer ``minimum <= value <= maximum``, read exactly (``True`` is refused).

    Accepts ``"7"``, ``7``, ``7.0`` or ``"14/2"``: anything :func:`read_fraction` reads whose value is
    a whole number.

    Parameters
    ----------
    value : int, float, Fraction or str
        The number.
    name : str
        The parameter named in the error message.
    minimum, maximum : int, optional
        Allowed range, bounds included (``None``: open on that side).

    Returns
    -------
    int
        The value.

    Raises
    ------
    ValueError
        If ``value`` cannot be read as a number (or is ``bool``), is not a whole number, or is out of
        range; the message names ``name`` and the range.

    Examples
    --------
    >>> read_integer("12", "N", minimum=1)
    12
    >>> read_integer("14/2", "N")
    7
    >>> read_integer("1e30", "trials", minimum=1, maximum=10**7)
    Traceback (most recent call last):
    ...
    ValueError: trials: must be an integer in [1, 10000000], got 1000000000000000000000000000000
    """
    want = describe_range(minimum, maximum, integer=True)
    try:
        f = read_fraction(value, name)
    except ValueError:
        raise ValueError(f"{name}: must be {want}, got {_show(value)}") from None
    if f.denominator != 1:
        raise ValueError(f"{name}: must be {want}, got {_show(value)}")
    out = int(f)
    _check_range(out, name, minimum, maximum, True, False, False)
    return out


def read_real(value, name: str, *, minimum=None, maximum=None, strict_minimum: bool = False,
              strict_maximum: bool = False) -> float:
    """A finite double in range, refusing overflow and (for a nonzero value) underflow.

    A nonzero number below the smallest normal double (``2.2e-308``) in size is refused: its
    reciprocal overflows and most formulas lose all precision there.

    Parameters
    ----------
    value : int, float, Fraction or str
        The number, read exactly by :func:`read_fraction` first.
    name : str
        The parameter named in the error message.
    minimum, maximum : number, optional
        Allowed range (``None``: open on that side).
    strict_minimum, strict_maximum : bool, optional
        Exclude the bound itself.

    Returns
    -------
    float
        The value rounded to double precision.

    Raises
    ------
    ValueError
        If :func:`read_fraction` refuses ``value`` (unreadable or out of range), if its size exceeds the
        largest double (``1.8e308``), or if it is nonzero and smaller in size than ``2.2e-308``.

    Examples
    --------
    >>> read_real("1e-3", "gamma", minimum=0, strict_minimum=True)
    0.001
    >>> read_real("1e400", "N", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: N: must be a number >= 1 that fits in double precision (<= 1.8e308), got '1e400'
    """
    f = read_fraction(value, name, minimum=minimum, maximum=maximum, strict_minimum=strict_minimum,
                      strict_maximum=strict_maximum)
    want = describe_range(minimum, maximum, strict_minimum=strict_minimum, strict_maximum=strict_maximum)
    if abs(f) > Fraction(sys.float_info.max):
        raise ValueError(f"{name}: must be {want} that fits in double precision (<= 1.8e308), got {_show(value)}")
    out = float(f)
    if f != 0 and abs(out) < sys.float_info.min:
        raise ValueError(f"{name}: must be {want} and at least 2.2e-308 in size (smaller values are denormal "
                         f"in double precision), got {_show(value)}")
    return out


def check_order(order, name: str = "order", *, minimum: int = 0, maximum: int | None = None) -> int:
    """The one order check of the toolkit: an integer ``minimum <= order <= maximum``.

    Every method that takes an order states its own ``maximum`` (documented beside it) and calls
    this before any work, so ``order=1e30`` is refused at once instead of running for hours.
    ``True`` is refused; an integral float such as ``3.0`` is accepted.

    Parameters
    ----------
    order : int, float or str
        The order (of the perturbative expansion, of a word, ...).
    name : str, optional
        The parameter named in the error message.
    minimum : int, optional
        Smallest allowed order.
    maximum : int, optional
        Largest allowed order (``None``: no upper bound).

    Returns
    -------
    int
        The order.

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[minimum, maximum]`` (see :func:`read_integer`).

    Examples
    --------
    >>> check_order(3, maximum=40)
    3
    >>> check_order(50, maximum=40)
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [0, 40], got 50
    """
    if isinstance(order, float) and math.isfinite(order) and order.is_integer() and abs(order) < 2 ** 53:
        order = int(order)
    return read_integer(order, name, minimum=minimum, maximum=maximum)


def split_list(text, name: str) -> list[str]:
    """The entries of a list written as text with commas and/or whitespace.

    Parameters
    ----------
    text : str
        The list, e.g. ``"1, 1/2 1/3"``.
    name : str
        The parameter named in the error message.

    Returns
    -------
    list of str
        The entries, not yet converted to numbers.

    Raises
    ------
    ValueError
        If ``text`` is not a string, is empty, or has an empty entry (``"1,,2"``, or a leading or
        trailing comma): an empty entry is an error, never dropped.

    Examples
    --------
    >>> split_list("0.1 1", "gamma")
    ['0.1', '1']
    >>> split_list("1, 1/2 1/3", "spectrum")
    ['1', '1/2', '1/3']
    >>> split_list("1,,2", "spectrum")
    Traceback (most recent call last):
    ...
    ValueError: spectrum: empty entry in '1,,2' (separate the numbers by commas or spaces)
    """
    if not isinstance(text, str):
        raise ValueError(f"{name}: expected text such as '1,1/2,1/3', got {_show(text)}")
    s = text.strip()
    if not s:
        raise ValueError(f"{name}: the list is empty; give numbers separated by commas or spaces")
    pieces = [p.strip() for p in re.split(r"\s*,\s*|\s+", s)]
    if any(not p for p in pieces) or s.startswith(",") or s.endswith(","):
        raise ValueError(f"{name}: empty entry in {_show(text)} (separate the numbers by commas or spaces)")
    return pieces


def list_entries(values, name: str, *, max_length: int | None = None, what: str = "entries") -> list:
    """The entries of a non-empty flat list of numbers, not yet converted.

    Text is split by :func:`split_list`; otherwise ``values`` must be a 1-D sequence (or array) of
    numbers or number texts: nested sequences are refused rather than flattened.  At most
    ``max_length`` entries (``what`` names them in the error).

    >>> list_entries("1, 1/2 3", "spectrum")
    ['1', '1/2', '3']
    >>> list_entries([[1, 2]], "spectrum")
    Traceback (most recent call last):
        ...
    ValueError: spectrum: must be a flat list of numbers, got an entry [1, 2]
    """
    if isinstance(values, str):
        items = split_list(values, name)
    else:
        shape = getattr(values, "shape", None)
        if shape is not None and len(shape) != 1:
            raise ValueError(f"{name}: must be a 1-D list of numbers, got an array of shape {shape}")
        try:
            items = list(values)
        except TypeError:
            raise ValueError(f"{name}: must be a list of numbers, got {_show(values)}") from None
        if not items:
            raise ValueError(f"{name}: the list is empty; give at least one number")
        for v in items:
            if not isinstance(v, (str, numbers.Number)) and not getattr(v, "is_Rational", False):
                raise ValueError(f"{name}: must be a flat list of numbers, got an entry {_show(v)}")
    if max_length is not None and len(items) > max_length:
        raise ValueError(f"{name}: at most {max_length} {what}, got {len(items)}")
    return items


def read_list(values, name: str, *, minimum=None, maximum=None, strict_minimum: bool = False,
              max_length: int | None = None) -> list[Fraction]:
    """A non-empty list of exact numbers, from text or from a 1-D sequence.

    Text is split by :func:`split_list`; nested sequences (a 2-D array) are refused rather than
    flattened.  Each entry is read by :func:`read_fraction`.

    Parameters
    ----------
    values : str or sequence
        The list: text such as ``"1, 1/2 1/3"`` or a flat sequence (or 1-D array) of numbers or number
        texts.
    name : str
        The parameter named in the error message.
    minimum, maximum : number, optional
        Allowed range of every entry.
    strict_minimum : bool, optional
        Exclude ``minimum`` itself.
    max_length : int, optional
        Largest number of entries (``None``: no limit).

    Returns
    -------
    list of Fraction
        The exact entries, in order.

    Raises
    ------
    ValueError
        If the list is empty, not a list, nested or longer than ``max_length``, or if an entry is
        refused by :func:`read_fraction` (unreadable or out of range).

    Examples
    --------
    >>> read_list("1 1/2", "spectrum", minimum=0, strict_minimum=True)
    [Fraction(1, 1), Fraction(1, 2)]
    >>> read_list([[1, 2]], "spectrum")
    Traceback (most recent call last):
    ...
    ValueError: spectrum: must be a flat list of numbers, got an entry [1, 2]
    """
    items = list_entries(values, name, max_length=max_length)
    return [read_fraction(v, name, minimum=minimum, maximum=maximum, strict_minimum=strict_minimum)
            for v in items]


def fraction_text(value: Fraction) -> str:
    """An exact rational as the text ``"p/q"``, or ``"p"`` when the denominator is 1 (never ``"p/1"``).

    Parameters
    ----------
    value : Fraction or int
        The number (anything ``Fraction`` accepts).

    Returns
    -------
    str
        The text.

    Examples
    --------
    >>> fraction_text(Fraction(6, 3)), fraction_text(Fraction(-1, 3))
    ('2', '-1/3')
    """
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def fraction_decimal(value, digits: int = 17) -> str:
    """The decimal text of an exact rational with a given number of significant digits, at any magnitude.

    Works at ``10^400`` and ``10^-400`` too, where a float would overflow or underflow (there the
    value is computed with mpmath and written ``d.ddd...e+NNN``).

    Parameters
    ----------
    value : Fraction or int
        The number.
    digits : int, optional
        Significant digits.

    Returns
    -------
    str
        The decimal text; ``"0"`` for zero.

    Examples
    --------
    >>> fraction_decimal(Fraction(1, 3)), fraction_decimal(Fraction(10) ** 400, 3)
    ('0.33333333333333331', '1.00e+400')
    """
    value = Fraction(value)
    if value == 0:
        return "0"
    f = None
    try:
        f = value.numerator / value.denominator
    except OverflowError:
        f = None
    if f is not None and f != 0 and 1e-300 < abs(f) < 1e300:
        return f"{f:.{digits}g}"
    import mpmath

    with mpmath.workdps(digits + 10):
        return _sci(mpmath.mpf(value.numerator) / value.denominator, digits)


def to_mpf(value):
    """An exact number as an mpmath ``mpf`` at the current working precision (``mpmath.mp.dps``).

    This is the one place where an exact rational becomes a multiprecision float.  A ``Fraction``,
    ``int`` or sympy ``Rational`` is divided out at the working precision (never through a float); an
    ``mpf`` is returned as it is.  Anything else goes through :func:`read_fraction` first (so ``"1/3"``
    works and a bad value raises its ``ValueError``).

    Parameters
    ----------
    value : Fraction, int, sympy.Rational, mpmath.mpf, float or str
        The number.

    Returns
    -------
    mpmath.mpf
        The value at the working precision.

    Raises
    ------
    ValueError
        If ``value`` is not an ``mpf`` or ``Fraction`` and :func:`read_fraction` refuses it.

    Examples
    --------
    >>> import mpmath
    >>> with mpmath.workdps(30):
    ...     print(to_mpf(Fraction(1, 3)))
    0.333333333333333333333333333333
    >>> to_mpf("1/4")
    mpf('0.25')
    """
    import mpmath

    if isinstance(value, mpmath.mpf):
        return value
    if not isinstance(value, Fraction):
        value = read_fraction(value, "value")
    return mpmath.mpf(value.numerator) / value.denominator


def _sci(x, digits: int) -> str:
    """``x`` (an mpf) as ``d.ddd...e+NNN`` with ``digits`` significant digits."""
    import mpmath

    e = int(mpmath.floor(mpmath.log10(abs(x))))
    m = x / mpmath.mpf(10) ** e
    if abs(m) >= 10:
        m, e = m / 10, e + 1
    text = mpmath.nstr(m, digits, strip_zeros=False, min_fixed=-1, max_fixed=2)
    return f"{text}e{'+' if e >= 0 else '-'}{abs(e):02d}"
