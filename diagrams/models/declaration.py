r"""Declaring a model: index spaces, Gaussian and diagonal matrices, parameters and the observable.

A model is data.  A :class:`Model` holds

* **parameters** (:class:`Parameter`): a name, a command-line flag, a help text, a default and an
  allowed range.  Kinds: ``"integer"`` (e.g. a space size ``N``), ``"number"`` (a variance, the
  label dimension ``C``) and ``"spectrum"`` (the eigenvalues of a covariance such as ``Lambda``; its
  length is the size of its space).  Parsing and error messages everywhere come from these
  declarations, so a new model gets them for free;
* **index spaces** (:class:`~diagrams.engine.spaces.Space`): each has a size symbol tied to an
  integer parameter of the same name or to the length of a spectrum;
* **covariances**: named diagonal matrices on one space, either given by a spectrum parameter
  (``Lambda = diag(spectrum)``) or a scalar multiple of the identity (``Sigma = sigma_u^2/M 1``);
* **Gaussian matrices** (:class:`~diagrams.engine.matrices.GaussianMatrix`) with those
  covariances on their rows and columns, and **deterministic diagonal matrices**
  (:class:`~diagrams.engine.matrices.Diagonal`);
* the **ridge** symbol ``gamma`` and the **observable**, a sum of ``c tr(E)`` and ``c tr(A^T A)``
  terms of matrix expressions (:mod:`diagrams.engine.expressions`), e.g. the test loss
  ``C sigma_w^2/(2 M That) tr(A^T A)`` with ``A = x (gamma + phi^T phi)^-1 phi^T phihat - xhat``.

Everything downstream -- the expansion in ``1/gamma``, the diagrams, the simulation, the planar
(Dyson) solution, the LaTeX -- is derived from this.  ``docs/models.md`` has a complete example.

>>> m = Model("wishart", "tr (gamma + X^T X)^-1 / T for an N x T Gaussian X")
>>> N = m.integer("N", "rows of X", minimum=1)
>>> T = m.integer("T", "columns of X", minimum=1)
>>> rows, cols = m.space("row", "N", "solid"), m.space("col", "T", "dashed")
>>> X = m.gaussian("X", rows, cols)
>>> m.trace(1 / T, m.resolvent(X.T @ X))
>>> [p.flag for p in m.parameters]
['--N', '--T']
>>> m.read_values({"N": "3", "T": 5})["N"]
3
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Mapping, Sequence

import sympy

from diagrams.engine.expressions import as_expr, resolvent
from diagrams.engine.matrices import Diagonal, GaussianMatrix
from diagrams.engine.numbers import (describe_range, read_fraction, read_integer, read_list)
from diagrams.engine.spaces import Space

__all__ = [
    "Parameter",
    "Covariance",
    "ObservableTerm",
    "Route",
    "Model",
    "ConstantDiagonal",
    "PowerLaw",
    "power_law_exact",
    "MAX_SIZE",
    "MAX_SPECTRUM_LENGTH",
]

#: Largest size (integer parameter) the toolkit accepts.
MAX_SIZE = 10 ** 9
#: Longest spectrum (number of eigenvalues) accepted.
MAX_SPECTRUM_LENGTH = 10 ** 7

_KINDS = ("integer", "number", "spectrum")


@dataclass(frozen=True)
class Parameter:
    """A declared parameter of a model: name, flag, help, default and allowed range.

    Declared through :meth:`Model.integer`, :meth:`Model.number` or :meth:`Model.spectrum`; every
    parser and error message of the toolkit reads these fields, so a new model gets its command-line
    options and messages for free.

    Parameters
    ----------
    name : str
        The parameter's name, a Python identifier (``"N"``, ``"sigma_w2"``).
    help : str
        What it is, in one line (the ``--help`` text).
    kind : {"number", "integer", "spectrum"}
        ``"integer"`` (e.g. a space size), ``"number"`` (a variance, read exactly) or ``"spectrum"``
        (the eigenvalues of a covariance; its length is the size of its space).
    default : object, optional
        The value used when it is not given.  ``None``: required when numbers are needed.  For a
        spectrum, the *name* of another spectrum it copies (e.g. the test spectrum defaults to the
        train one).
    minimum, maximum : int or Fraction, optional
        The allowed range (``None``: unbounded on that side).
    strict_minimum : bool, optional
        Whether ``minimum`` itself is excluded.
    flag : str, optional
        The command-line flag; ``""`` gives ``"--" + name`` with ``_`` written ``-``.
    symbol : sympy.Symbol, optional
        Its symbol in symbolic results (``None`` for a spectrum).
    symbolic : bool, optional
        Whether it stays a symbol in symbolic results when not given (a label-noise variance with
        default 0 does not: its terms drop).
    power_law : tuple of str, optional
        For a spectrum, the flags of the power-law alternative ``lambda_I = lambda_+ I^-(1+alpha)`` as
        ``(alpha flag, size flag, lambda_+ flag)``.
    space : str, optional
        For a spectrum, the name of the index space whose size it sets.

    Raises
    ------
    ValueError
        If ``name`` is not a Python identifier, or ``kind`` is not one of the three kinds.

    Examples
    --------
    >>> p = Parameter("sigma_w2", "teacher variance", default=1, minimum=0, strict_minimum=True)
    >>> p.flag, p.range_text
    ('--sigma-w2', 'a number > 0')
    >>> Parameter("1N", "a size")
    Traceback (most recent call last):
    ...
    ValueError: name: a parameter name must be an identifier, got '1N'
    """

    name: str
    help: str
    kind: str = "number"
    default: object = None
    minimum: object = None
    maximum: object = None
    strict_minimum: bool = False
    flag: str = ""
    symbol: sympy.Symbol | None = None
    symbolic: bool = True
    power_law: tuple | None = None
    space: str | None = None

    def __post_init__(self):
        if not self.name.isidentifier():
            raise ValueError(f"name: a parameter name must be an identifier, got {self.name!r}")
        if self.kind not in _KINDS:
            raise ValueError(f"kind: must be one of {_KINDS}, got {self.kind!r}")
        if not self.flag:
            object.__setattr__(self, "flag", "--" + self.name.replace("_", "-"))

    @property
    def range_text(self) -> str:
        """The allowed range in words, as every error message states it.

        Examples
        --------
        >>> Parameter("N", "a size", kind="integer", minimum=1, maximum=10).range_text
        'an integer in [1, 10]'
        """
        if self.kind == "spectrum":
            return (f"a list of numbers > 0 (at most {MAX_SPECTRUM_LENGTH} of them)"
                    if self.power_law is None else
                    f"a list of numbers > 0, or a power law ({', '.join(self.power_law)})")
        return describe_range(self.minimum, self.maximum, integer=self.kind == "integer",
                              strict_minimum=self.strict_minimum)

    def as_dict(self) -> dict:
        """The parameter as plain data (what ``diagrams models --json`` lists).

        Returns
        -------
        dict
            ``{"name", "flag", "default", "range", "help"}``; a rational default is written as text
            (``"1/2"``) or an ``int``.

        Examples
        --------
        >>> Parameter("N", "a size", kind="integer", default=3, minimum=1).as_dict()
        {'name': 'N', 'flag': '--N', 'default': 3, 'range': 'an integer >= 1', 'help': 'a size'}
        """
        return {"name": self.name, "flag": self.flag, "default": _plain(self.default), "range": self.range_text,
                "help": self.help}


def _plain(v):
    if isinstance(v, Fraction):
        return str(v) if v.denominator != 1 else int(v)
    return v


@dataclass(frozen=True)
class Covariance:
    """A named diagonal covariance on an index space: ``diag(spectrum)`` or ``scalar * 1``.

    Declared through :meth:`Model.covariance` (which checks that exactly one of ``spectrum`` and
    ``scalar`` is given).

    Parameters
    ----------
    name : str
        Its name (``"Lambda"``, ``"Sigma"``).
    space : Space
        The index space it acts on.
    spectrum : str, optional
        The name of the spectrum parameter giving its diagonal.
    scalar : sympy.Expr, optional
        The multiple of the identity (e.g. ``sigma_u2/M``).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> load_model("ridge").covariances["Lambda"]
    Covariance(name='Lambda', space=Space('latent', size=M, style='wavy'), spectrum='spectrum', scalar=None)
    """

    name: str
    space: Space
    spectrum: str | None = None
    scalar: sympy.Expr | None = None


@dataclass(frozen=True)
class ObservableTerm:
    """One term of a model's observable: ``coefficient * tr(expr)`` or ``coefficient * tr(expr^T expr)``.

    Added through :meth:`Model.trace` and :meth:`Model.quadratic`.

    Parameters
    ----------
    coefficient : sympy.Expr
        The scalar prefactor.
    kind : {"trace", "quadratic"}
        ``"trace"``: ``tr(expr)``; ``"quadratic"``: ``tr(expr^T expr)``.
    expr : MatrixExpr
        The matrix expression (:mod:`diagrams.engine.expressions`).
    label : str, optional
        A name for the term (``"test loss"``).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> term = load_model("ridge").observable[0]
    >>> term.label, term.kind, term.coefficient
    ('test loss', 'quadratic', C*sigma_w2/(2*M*That))
    """

    coefficient: sympy.Expr
    kind: str
    expr: object
    label: str = ""


@dataclass(frozen=True)
class Route:
    """An independent route to a model's planar (large-N) observable, e.g. a hand-derived closed form.

    Checks (:mod:`diagrams.analysis.check`) compare the diagram sums with every route that applies.
    Only ``name`` and ``reference`` are required; each callable is optional.

    Parameters
    ----------
    name : str
        A short name (``"deterministic equivalent (R2)"``).
    reference : str
        Where the route comes from (paper and equation numbers).
    series_exact : callable, optional
        ``series_exact(order, values)``: exact Taylor coefficients ``[c_0..c_order]`` in ``1/gamma``.
    value_mp : callable, optional
        ``value_mp(values, gamma, dps)``: the value at a ridge, in mpmath at ``dps`` digits.
    series_symbolic : callable, optional
        ``series_symbolic(order)``: symbolic coefficients, compared after ``reduce(expr)`` with the
        listed diagrams.
    reduce : callable, optional
        ``reduce(expr)``: the specialisation under which ``series_symbolic`` holds (e.g.
        ``Sigma = s 1``, ``Lambdahat = Lambda``).
    applies : callable, optional
        ``applies(values)``: ``None`` when the route holds at these values, else the reason.
    evaluate : callable, optional
        ``evaluate(values, gammas, dps)``: ``[{field: value}]`` per ridge, ``"loss"`` first and
        ``"observable"`` (the whole observable) among them (double precision when ``dps`` is None,
        else mpmath): what ``diagrams loss`` prints.
    optimum : callable, optional
        ``optimum(values)``: ``(gamma*, loss*, limit)`` minimising the loss over the ridge.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> route = load_model("ridge").routes[0]
    >>> route.name, route.series_exact is not None
    ('deterministic equivalent (R2)', True)
    """

    name: str
    reference: str
    series_exact: Callable | None = None
    value_mp: Callable | None = None
    series_symbolic: Callable | None = None
    reduce: Callable | None = None
    applies: Callable | None = None
    evaluate: Callable | None = None
    optimum: Callable | None = None

    def reason_not_applicable(self, values) -> str | None:
        """Why this route does not hold at these values, or ``None`` when it does.

        Parameters
        ----------
        values : dict
            Parameter values, as returned by :meth:`Model.read_values`.

        Returns
        -------
        str or None
            The reason from ``applies(values)``; ``None`` when the route has no ``applies`` or holds.

        Examples
        --------
        >>> Route("closed form", "a paper").reason_not_applicable({})
        >>> Route("closed form", "a paper", applies=lambda v: "needs N = T").reason_not_applicable({})
        'needs N = T'
        """
        return None if self.applies is None else self.applies(values)


class ConstantDiagonal(Sequence):
    """The diagonal of ``value * 1`` on a space of ``length``: a sequence that stores one number.

    Lets a scalar covariance on a space of size ``10^9`` be passed where a spectrum is expected
    without building the list.

    Parameters
    ----------
    value : Fraction or float
        Every diagonal entry.
    length : int
        The dimension of the space.

    Examples
    --------
    >>> from fractions import Fraction
    >>> d = ConstantDiagonal(Fraction(1, 2), 3)
    >>> d, len(d), list(d)
    (ConstantDiagonal(1/2, 3), 3, [Fraction(1, 2), Fraction(1, 2), Fraction(1, 2)])
    >>> ConstantDiagonal(2, 10 ** 9)[10 ** 9 - 1]
    2
    """

    def __init__(self, value, length: int):
        self.value, self.length = value, int(length)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.value] * len(range(*i.indices(self.length)))
        if not -self.length <= i < self.length:
            raise IndexError(i)
        return self.value

    def __iter__(self):
        for _ in range(self.length):
            yield self.value

    def __repr__(self) -> str:
        return f"ConstantDiagonal({self.value}, {self.length})"


@dataclass(frozen=True)
class PowerLaw:
    """A power-law spectrum ``lambda_I = lambda_plus * I^-(1 + alpha)``, ``I = 1..M`` (paper Sec. IV).

    Given for a spectrum parameter instead of a list (:meth:`Model.read_values` keeps it as it is);
    :func:`power_law_exact` gives its exact eigenvalues and :meth:`floats` their double values.

    Parameters
    ----------
    alpha : Fraction
        The exponent: ``lambda_I`` falls as ``I^-(1 + alpha)``.
    M : int
        The number of eigenvalues (the dimension of the space).
    lambda_plus : Fraction, optional
        The largest eigenvalue ``lambda_1`` (default 1).

    Raises
    ------
    ValueError
        If ``alpha`` is not a number in ``(0, 1000]``, ``M`` not an integer in ``[1, 10^7]`` or
        ``lambda_plus`` not a number in ``(0, 1e100]`` (the ranges of ``--alpha``, ``--M``, ``--lambda-plus``).

    Examples
    --------
    >>> from fractions import Fraction
    >>> p = PowerLaw(Fraction(1), 3)
    >>> len(p), p.floats().round(4).tolist()
    (3, [1.0, 0.25, 0.1111])
    >>> PowerLaw("1/2", 3).alpha
    Fraction(1, 2)
    >>> PowerLaw(-5, 3)
    Traceback (most recent call last):
    ...
    ValueError: alpha: must be a number in (0, 1000], got -5
    """

    alpha: Fraction
    M: int
    lambda_plus: Fraction = Fraction(1)

    def __post_init__(self):
        # read exactly and range-checked here, so that a power law built in Python is held to the same
        # ranges as --alpha, --M and --lambda-plus (text such as "1/2" is read; True, 0 or 2.5 eigenvalues,
        # a negative exponent or scale are refused)
        object.__setattr__(self, "alpha", read_fraction(self.alpha, "alpha", minimum=0, strict_minimum=True,
                                                        maximum=1000))
        object.__setattr__(self, "M", read_integer(self.M, "M", minimum=1, maximum=MAX_SPECTRUM_LENGTH))
        object.__setattr__(self, "lambda_plus", read_fraction(self.lambda_plus, "lambda_plus", minimum=0,
                                                              strict_minimum=True, maximum=1e100))

    def floats(self):
        """The eigenvalues in double precision.

        Returns
        -------
        numpy.ndarray
            ``lambda_plus * I^-(1 + alpha)`` for ``I = 1..M``, of shape ``(M,)``.

        Examples
        --------
        >>> from fractions import Fraction
        >>> PowerLaw(Fraction(1, 2), 2, Fraction(2)).floats().round(4).tolist()
        [2.0, 0.7071]
        """
        import numpy as np

        idx = np.arange(1, self.M + 1, dtype=float)
        return float(self.lambda_plus) * idx ** (-(1.0 + float(self.alpha)))

    def __len__(self) -> int:
        return self.M


def power_law_exact(p: PowerLaw, name: str = "--alpha") -> list[Fraction]:
    """The exact eigenvalues of a power law, when ``1 + alpha`` is an integer.

    Parameters
    ----------
    p : PowerLaw
        The spectrum.
    name : str, optional
        The parameter named in an error message.

    Returns
    -------
    list of Fraction
        ``lambda_plus / I^(1 + alpha)`` for ``I = 1..M``.

    Raises
    ------
    ValueError
        If ``1 + alpha`` is not an integer (the eigenvalues ``I^-(1+alpha)`` are then irrational), or
        ``M > 100000``.

    Examples
    --------
    >>> from fractions import Fraction
    >>> power_law_exact(PowerLaw(Fraction(1), 3))
    [Fraction(1, 1), Fraction(1, 4), Fraction(1, 9)]
    >>> power_law_exact(PowerLaw(Fraction(1, 2), 3))
    Traceback (most recent call last):
    ...
    ValueError: --alpha: exact computations need 1 + alpha to be an integer (the eigenvalues I^-(1+alpha) are irrational otherwise), got alpha = 1/2; give --spectrum instead
    """
    e = 1 + p.alpha
    if e.denominator != 1:
        raise ValueError(f"{name}: exact computations need 1 + alpha to be an integer (the eigenvalues "
                         f"I^-(1+alpha) are irrational otherwise), got alpha = {p.alpha}; give --spectrum instead")
    if p.M > 100000:
        raise ValueError(f"{name}: exact computations take at most 100000 eigenvalues, got M = {p.M}")
    k = int(e)
    return [p.lambda_plus / Fraction(i) ** k for i in range(1, p.M + 1)]


class Model:
    """A declared model: parameters, index spaces, matrices, the ridge and the observable.

    Build it with the declaring methods (:meth:`integer`, :meth:`number`, :meth:`spectrum`,
    :meth:`space`, :meth:`covariance`, :meth:`gaussian`, :meth:`diagonal`, :meth:`trace`,
    :meth:`quadratic`); everything downstream is derived from it.  The module docstring and
    ``docs/models.md`` have complete examples.

    Parameters
    ----------
    name : str
        The model's name (letters, digits, ``-`` and ``_``), as ``--model`` takes it.
    description : str
        One line saying what the model is.
    ridge : str, optional
        The name of the ridge symbol (a positive sympy symbol, default ``"gamma"``).
    reference : str, optional
        The literature the model comes from.

    Raises
    ------
    ValueError
        If ``name`` is empty or has characters other than letters, digits, ``-`` and ``_``.

    Examples
    --------
    >>> m = Model("toy", "a toy model")
    >>> m, m.gamma, m.gamma.is_positive
    (Model('toy'), gamma, True)
    >>> Model("my model", "a space in the name")
    Traceback (most recent call last):
    ...
    ValueError: name: a model name is letters, digits and dashes, got 'my model'
    """

    def __init__(self, name: str, description: str, *, ridge: str = "gamma", reference: str = ""):
        if not isinstance(name, str) or not name or not all(c.isalnum() or c in "-_" for c in name):
            raise ValueError(f"name: a model name is letters, digits and dashes, got {name!r}")
        self.name = name
        self.description = description
        self.reference = reference
        self.gamma = sympy.Symbol(ridge, positive=True)
        self.parameters: list[Parameter] = []
        self.spaces: dict[str, Space] = {}
        self.covariances: dict[str, Covariance] = {}
        self.matrices: dict[str, GaussianMatrix] = {}
        self.diagonals: dict[str, Diagonal] = {}
        self.observable: list[ObservableTerm] = []
        #: Model-specific routes to the same planar numbers (hand formulas), the independent checks.
        self.routes: list[Route] = []
        #: LaTeX notation of symbols and matrix names (``{"Lambdahat": r"\hat\Lambda"}``).
        self.notation: dict[str, str] = {}
        #: Small parameter values used by checks when none are given.
        self.check_values: dict = {}
        #: Names of the analyses that exist only for this model (e.g. ``"resum"``, ``"duality"``).
        self.analyses: tuple = ()
        #: Named formulas for LaTeX documents and ``diagrams latex --expr``: ``None`` or a callable
        #: ``() -> {name: (description, formula)}``, the formula a sympy ``Expr``, ``Eq`` or tuple of
        #: ``Eq``, or a zero-argument callable returning one (built only when that formula is wanted).
        #: Their symbols print with :attr:`notation`; ``order-K`` and ``order-K-all`` exist for every
        #: model without it.
        self.latex_expressions: Callable | None = None

    # -- parameters ------------------------------------------------------------------------------
    def _add(self, p: Parameter) -> sympy.Symbol | None:
        if any(q.name == p.name for q in self.parameters):
            raise ValueError(f"name: parameter {p.name!r} is declared twice")
        if any(q.flag == p.flag for q in self.parameters):
            raise ValueError(f"flag: {p.flag} is used twice")
        self.parameters.append(p)
        return p.symbol

    def integer(self, name: str, help: str, *, default=None, minimum: int = 1, maximum: int = MAX_SIZE,
                flag: str = "", symbolic: bool = True) -> sympy.Symbol:
        """Declare an integer parameter (e.g. the size of an index space).

        Parameters
        ----------
        name : str
            Its name, a Python identifier; a space declared with ``size=name`` takes it as its size.
        help : str
            What it is, in one line.
        default : int, optional
            Its value when not given (``None``: required when numbers are needed).
        minimum, maximum : int, optional
            The allowed range (default ``[1, MAX_SIZE]``).
        flag : str, optional
            The command-line flag (default ``"--" + name``).
        symbolic : bool, optional
            Whether it stays a symbol in symbolic results when not given.

        Returns
        -------
        sympy.Symbol
            Its positive symbol.

        Raises
        ------
        ValueError
            If ``name`` is not an identifier, or the name or flag is already declared.

        Examples
        --------
        >>> m = Model("toy", "a toy model")
        >>> N = m.integer("N", "a size")
        >>> N, m.parameter("N").range_text
        (N, 'an integer in [1, 1000000000]')
        """
        sym = sympy.Symbol(name, positive=True)
        self._add(Parameter(name, help, "integer", default, minimum, maximum, False, flag, sym, symbolic))
        return sym

    def number(self, name: str, help: str, *, default=None, minimum=None, maximum=None,
               strict_minimum: bool = False, flag: str = "", symbolic: bool = True) -> sympy.Symbol:
        """Declare a real parameter (read exactly, as a ``Fraction``).

        Parameters
        ----------
        name : str
            Its name, a Python identifier.
        help : str
            What it is, in one line.
        default : int, Fraction or str, optional
            Its value when not given, read exactly (``None``: required when numbers are needed).
        minimum, maximum : int or Fraction, optional
            The allowed range (``None``: unbounded on that side).
        strict_minimum : bool, optional
            Whether ``minimum`` itself is excluded.
        flag : str, optional
            The command-line flag (default ``"--" + name`` with ``_`` written ``-``).
        symbolic : bool, optional
            Whether it stays a symbol in symbolic results when not given (``False`` for e.g. a noise
            variance with default 0, whose terms then drop).

        Returns
        -------
        sympy.Symbol
            Its symbol: positive when the range is ``> 0`` (or ``>= m`` with ``m > 0``), nonnegative when
            it is ``>= 0``, else real.

        Raises
        ------
        ValueError
            If ``default`` is not a number, ``name`` is not an identifier, or the name or flag is already
            declared.

        Examples
        --------
        >>> m = Model("toy", "a toy model")
        >>> s = m.number("sigma_w2", "teacher variance", default="1/2", minimum=0, strict_minimum=True)
        >>> s.is_positive, m.parameter("sigma_w2").flag, m.parameter("sigma_w2").default
        (True, '--sigma-w2', Fraction(1, 2))
        """
        positive = minimum is not None and (minimum > 0 or (minimum == 0 and strict_minimum))
        sym = sympy.Symbol(name, positive=True) if positive else sympy.Symbol(name, nonnegative=True) \
            if minimum is not None and minimum >= 0 else sympy.Symbol(name, real=True)
        if default is not None:
            default = read_fraction(default, name)
        self._add(Parameter(name, help, "number", default, minimum, maximum, strict_minimum, flag, sym, symbolic))
        return sym

    def spectrum(self, name: str, help: str, space: str, *, default: str | None = None, flag: str = "",
                 power_law: tuple | None = None) -> None:
        """Declare a spectrum parameter (eigenvalues > 0) setting the size of an index space.

        Parameters
        ----------
        name : str
            Its name, a Python identifier.
        help : str
            What it is, in one line.
        space : str
            The name of the index space whose size is the spectrum's length.
        default : str, optional
            The name of another spectrum whose value it copies when not given.
        flag : str, optional
            The command-line flag (default ``"--" + name``).
        power_law : tuple of str, optional
            The flags ``(alpha, size, lambda_+)`` of the power-law alternative (:class:`PowerLaw`).

        Raises
        ------
        ValueError
            If ``name`` is not an identifier, or the name or flag is already declared.

        Examples
        --------
        >>> m = Model("toy", "a toy model")
        >>> m.spectrum("spectrum", "eigenvalues of Lambda", "latent")
        >>> m.parameter("spectrum").range_text
        'a list of numbers > 0 (at most 10000000 of them)'
        """
        self._add(Parameter(name, help, "spectrum", default, None, None, False, flag, None, True,
                            power_law, space))

    def parameter(self, name: str) -> Parameter:
        """The declared parameter of this name.

        Parameters
        ----------
        name : str
            The parameter's name.

        Returns
        -------
        Parameter
            Its declaration.

        Raises
        ------
        ValueError
            If the model has no parameter ``name`` (the message lists those it has).

        Examples
        --------
        >>> from diagrams.models.registry import load_model
        >>> load_model("ridge").parameter("C").default
        1
        >>> load_model("ridge").parameter("N")
        Traceback (most recent call last):
        ...
        ValueError: parameter: ridge has no parameter 'N'; it has T, That, spectrum, sigma_w2, C
        """
        for p in self.parameters:
            if p.name == name:
                return p
        raise ValueError(f"parameter: {self.name} has no parameter {name!r}; "
                         f"it has {', '.join(p.name for p in self.parameters)}")

    # -- spaces, covariances, matrices -------------------------------------------------------------
    def space(self, name: str, size: str, style: str = "solid") -> Space:
        """Declare an index space.

        Parameters
        ----------
        name : str
            What the index is (``"feature"``, ``"train"``).
        size : str
            The name of its size: an integer parameter declared before (the space then takes that
            parameter's symbol) or the length of a spectrum declared on this space.
        style : str, optional
            Line style of its strand in drawings, one of
            :data:`~diagrams.engine.spaces.LINE_STYLES`.

        Returns
        -------
        Space
            The space, to pass to :meth:`gaussian`, :meth:`covariance` and :meth:`diagonal`.

        Raises
        ------
        ValueError
            If ``name`` is already declared, or ``style`` is not a known line style.

        Examples
        --------
        >>> m = Model("toy", "a toy model")
        >>> N = m.integer("N", "a size")
        >>> m.space("feature", "N", "solid")
        Space('feature', size=N, style='solid')
        """
        if name in self.spaces:
            raise ValueError(f"space: {name!r} is declared twice")
        sp = Space(name, size, style)
        for p in self.parameters:
            if p.kind == "integer" and p.name == size:
                sp = Space(name, p.symbol, style)
        self.spaces[name] = sp
        return sp

    def covariance(self, name: str, space: Space, *, spectrum: str | None = None, scalar=None) -> str:
        """Declare a diagonal covariance on a space: ``diag(spectrum)`` or ``scalar * 1``.

        Parameters
        ----------
        name : str
            Its name (``"Lambda"``).
        space : Space
            The index space it acts on.
        spectrum : str, optional
            The name of a spectrum parameter declared on ``space``.
        scalar : sympy.Expr or number, optional
            The multiple of the identity (e.g. ``sigma_u2 / M``).

        Returns
        -------
        str
            ``name``, to pass as ``row_cov`` or ``col_cov`` to :meth:`gaussian`.

        Raises
        ------
        ValueError
            If not exactly one of ``spectrum`` and ``scalar`` is given, or ``spectrum`` is not a
            spectrum parameter of ``space``.

        Examples
        --------
        >>> m = Model("toy", "a toy model")
        >>> m.spectrum("spectrum", "eigenvalues", "latent")
        >>> latent = m.space("latent", "M")
        >>> m.covariance("Lambda", latent, spectrum="spectrum")
        'Lambda'
        >>> m.covariance("Sigma", latent)
        Traceback (most recent call last):
        ...
        ValueError: covariance Sigma: give exactly one of spectrum= or scalar=
        """
        if (spectrum is None) == (scalar is None):
            raise ValueError(f"covariance {name}: give exactly one of spectrum= or scalar=")
        if spectrum is not None:
            p = self.parameter(spectrum)
            if p.kind != "spectrum" or p.space != space.name:
                raise ValueError(f"covariance {name}: {spectrum} is not a spectrum of space {space.name}")
        self.covariances[name] = Covariance(name, space, spectrum,
                                            None if scalar is None else sympy.sympify(scalar))
        return name

    def gaussian(self, name: str, rows: Space, cols: Space, *, row_cov: str | None = None,
                 col_cov: str | None = None, latex: str | None = None) -> GaussianMatrix:
        r"""Declare a real Gaussian matrix ``<X_ab X_cd> = row_cov_ac col_cov_bd``.

        Parameters
        ----------
        name : str
            Its name (``"x"``).
        rows, cols : Space
            The index spaces of its rows and columns.
        row_cov, col_cov : str, optional
            Names of covariances declared on ``rows`` and ``cols`` (``None``: the identity).
        latex : str, optional
            Its LaTeX notation (``r"\hat{x}"``), stored in :attr:`notation`.

        Returns
        -------
        GaussianMatrix
            The matrix, to build expressions with (``X.T @ X``).

        Raises
        ------
        ValueError
            If a covariance is not declared, or lives on another space.

        Examples
        --------
        >>> m = Model("toy", "a toy model")
        >>> rows, cols = m.space("row", "N"), m.space("col", "T", "dashed")
        >>> X = m.gaussian("X", rows, cols)
        >>> print(X.T @ X)
        X^T X
        """
        for c, sp in ((row_cov, rows), (col_cov, cols)):
            if c is not None:
                if c not in self.covariances:
                    raise ValueError(f"matrix {name}: covariance {c!r} is not declared")
                if self.covariances[c].space != sp:
                    raise ValueError(f"matrix {name}: covariance {c} lives on {self.covariances[c].space.name}, "
                                     f"not on {sp.name}")
        m = GaussianMatrix(name, rows, cols, row_cov=row_cov, col_cov=col_cov, latex=latex)
        self.matrices[name] = m
        if latex:
            self.notation[name] = latex
        return m

    def diagonal(self, name: str, space: Space, *, spectrum: str | None = None, scalar=None,
                 latex: str | None = None) -> Diagonal:
        """Declare a deterministic diagonal matrix, its values given like a covariance's.

        Parameters
        ----------
        name : str
            Its name.
        space : Space
            The index space it acts on.
        spectrum : str, optional
            The name of a spectrum parameter declared on ``space``.
        scalar : sympy.Expr or number, optional
            The multiple of the identity.
        latex : str, optional
            Its LaTeX notation, stored in :attr:`notation`.

        Returns
        -------
        Diagonal
            The matrix, to build expressions with.

        Raises
        ------
        ValueError
            As :meth:`covariance`: not exactly one of ``spectrum`` and ``scalar``, or a spectrum of
            another space.

        Examples
        --------
        >>> m = Model("toy", "a toy model")
        >>> N = m.integer("N", "a size")
        >>> D = m.diagonal("D", m.space("feature", "N"), scalar=2)
        >>> sorted(m.diagonals), sorted(m.covariances)
        (['D'], ['D'])
        """
        self.covariance(name, space, spectrum=spectrum, scalar=scalar)
        d = Diagonal(name, space, latex=latex)
        self.diagonals[name] = d
        if latex:
            self.notation[name] = latex
        return d

    def resolvent(self, argument):
        """The resolvent ``(gamma 1 + argument)^-1`` in this model's ridge.

        Parameters
        ----------
        argument : MatrixExpr or GaussianMatrix or Diagonal
            A square matrix expression.

        Returns
        -------
        Resolvent
            The resolvent expression.

        Examples
        --------
        >>> m = Model("toy", "a toy model")
        >>> X = m.gaussian("X", m.space("row", "N"), m.space("col", "T", "dashed"))
        >>> print(m.resolvent(X.T @ X))
        (gamma + X^T X)^-1
        """
        return resolvent(argument, self.gamma)

    # -- the observable --------------------------------------------------------------------------
    def trace(self, coefficient, expr, label: str = "") -> None:
        """Add ``coefficient * tr(expr)`` to the observable.

        Parameters
        ----------
        coefficient : sympy.Expr or number
            The scalar prefactor.
        expr : MatrixExpr or GaussianMatrix or Diagonal
            A square matrix expression.
        label : str, optional
            A name for the term.

        Raises
        ------
        ValueError
            If ``expr`` is not square (its rows and columns live on different spaces).

        Examples
        --------
        >>> m = Model("toy", "a toy model")
        >>> X = m.gaussian("X", m.space("row", "N"), m.space("col", "T", "dashed"))
        >>> m.trace(1, m.resolvent(X.T @ X), label="Stieltjes transform")
        >>> m.observable[0].kind, m.observable[0].label
        ('trace', 'Stieltjes transform')
        >>> m.trace(1, X)
        Traceback (most recent call last):
        ...
        ValueError: trace: the expression must be square, got row x col
        """
        e = as_expr(expr)
        if e.rows != e.cols:
            raise ValueError(f"trace: the expression must be square, got {e.rows.name} x {e.cols.name}")
        self.observable.append(ObservableTerm(sympy.sympify(coefficient), "trace", e, label))

    def quadratic(self, coefficient, expr, label: str = "") -> None:
        """Add ``coefficient * tr(expr^T expr)`` (e.g. a squared error) to the observable.

        Parameters
        ----------
        coefficient : sympy.Expr or number
            The scalar prefactor.
        expr : MatrixExpr or GaussianMatrix or Diagonal
            The matrix expression ``E`` of ``tr(E^T E)`` (any shape).
        label : str, optional
            A name for the term.

        Examples
        --------
        >>> m = Model("toy", "a toy model")
        >>> X = m.gaussian("X", m.space("row", "N"), m.space("col", "T", "dashed"))
        >>> m.quadratic(1, X @ m.resolvent(X.T @ X), label="squared error")
        >>> m.observable[0].kind
        'quadratic'
        """
        self.observable.append(ObservableTerm(sympy.sympify(coefficient), "quadratic", as_expr(expr), label))

    # -- values --------------------------------------------------------------------------------
    def read_values(self, raw: Mapping, *, label: str = "name", require: Sequence[str] | None = None) -> dict:
        """Validate parameter values and fill in the defaults.

        Parameters
        ----------
        raw : mapping
            Parameter names to values: strings, numbers or Fractions; a spectrum as a list, as text
            (``"1,1/2"``) or as a :class:`PowerLaw`.  ``None`` counts as not given.
        label : {"name", "flag"}, optional
            How error messages name a parameter: by its name, or by its command-line flag.
        require : sequence of str, optional
            Names of parameters that must have a value (given or default).  Other parameters without
            default that are not given are left out.

        Returns
        -------
        dict
            ``{name: value}``: integers as ``int``, numbers as ``Fraction``, spectra as lists of
            ``Fraction`` (or the :class:`PowerLaw` as given); a spectrum not given copies the spectrum its
            default names.

        Raises
        ------
        ValueError
            Naming the parameter and its allowed range: an unknown name, a value out of its range or not
            a number, a required parameter not given, a spectrum whose length differs from the integer
            size of its space or from another spectrum on the same space.

        Examples
        --------
        >>> from diagrams.models.registry import load_model
        >>> ridge = load_model("ridge")
        >>> ridge.read_values({"T": "5", "spectrum": "1 1/4"})
        {'T': 5, 'That': 1, 'spectrum': [Fraction(1, 1), Fraction(1, 4)], 'sigma_w2': Fraction(1, 1), 'C': 1}
        >>> ridge.read_values({"T": 0})
        Traceback (most recent call last):
        ...
        ValueError: T: must be an integer in [1, 1000000000], got 0
        >>> ridge.read_values({"T": 5}, label="flag", require=["spectrum"])
        Traceback (most recent call last):
        ...
        ValueError: --spectrum (or --alpha with --M): required to put numbers in (ridge needs --T, --spectrum)
        """
        unknown = set(raw) - {p.name for p in self.parameters}
        if unknown:
            raise ValueError(f"parameters: {self.name} has no parameter {sorted(unknown)[0]!r}; "
                             f"it has {', '.join(p.name for p in self.parameters)}")
        out: dict = {}
        def named(p):
            who = p.flag if label == "flag" else p.name
            if p.kind == "spectrum" and p.power_law and label == "flag":
                who += f" (or {p.power_law[0]} with {p.power_law[1]})"
            return who

        missing = [named(p) for p in self.parameters
                   if raw.get(p.name) is None and p.default is None and require is not None and p.name in require]
        if missing:
            raise ValueError(f"{', '.join(missing)}: required to put numbers in ({self.name} needs "
                             f"{', '.join(p.flag if label == 'flag' else p.name for p in self.parameters if p.default is None)})")
        for p in self.parameters:
            who = p.flag if label == "flag" else p.name
            v = raw.get(p.name)
            if v is None:
                if p.kind == "spectrum":
                    continue        # filled below (defaults refer to other spectra)
                if p.default is None:
                    continue
                v = p.default
            if p.kind == "integer":
                out[p.name] = read_integer(v, who, minimum=p.minimum, maximum=p.maximum)
            elif p.kind == "number":
                out[p.name] = read_fraction(v, who, minimum=p.minimum, maximum=p.maximum,
                                            strict_minimum=p.strict_minimum)
            else:
                if isinstance(v, PowerLaw):
                    out[p.name] = v
                else:
                    out[p.name] = read_list(v, who, minimum=0, strict_minimum=True,
                                            max_length=MAX_SPECTRUM_LENGTH)
        for p in self.parameters:
            if p.kind != "spectrum" or p.name in out:
                continue
            if p.default is not None and p.default in out:
                out[p.name] = out[p.default]
            elif require is not None and p.name in require:
                who = p.flag if label == "flag" else p.name
                raise ValueError(f"{who}: required ({p.range_text})")
        for p in self.parameters:       # a spectrum on a space sized by an integer parameter must match it
            if p.kind != "spectrum" or p.name not in out or p.space not in self.spaces:
                continue
            size = self.spaces[p.space].size
            for q in self.parameters:
                if q.kind == "integer" and q.symbol == size and q.name in out and out[q.name] != len(out[p.name]):
                    who = p.flag if label == "flag" else p.name
                    raise ValueError(f"{who}: has {len(out[p.name])} entries but the space {p.space} has "
                                     f"{q.name} = {out[q.name]} dimensions")
        lengths = {}
        for p in self.parameters:
            if p.kind == "spectrum" and p.name in out:
                n = len(out[p.name])
                if lengths.setdefault(p.space, (n, p)) [0] != n:
                    other = lengths[p.space][1]
                    raise ValueError(f"{p.flag if label == 'flag' else p.name}: has {n} entries but "
                                     f"{other.flag if label == 'flag' else other.name} has {lengths[p.space][0]} "
                                     f"(both live on space {p.space})")
        return out

    def size_of(self, space: Space | str, values: Mapping) -> int:
        """The dimension of an index space at these values.

        Parameters
        ----------
        space : Space or str
            The space, or its name.
        values : mapping
            Parameter values, as returned by :meth:`read_values`.

        Returns
        -------
        int
            The value of its integer size parameter, or the length of a spectrum on it.

        Raises
        ------
        ValueError
            If ``values`` holds neither.

        Examples
        --------
        >>> from diagrams.models.registry import load_model
        >>> ridge = load_model("ridge")
        >>> values = ridge.read_values({"T": 5, "spectrum": "1 1/4"})
        >>> ridge.size_of("train", values), ridge.size_of("latent", values)
        (5, 2)
        """
        sp = self.spaces[space] if isinstance(space, str) else space
        for p in self.parameters:
            if p.kind == "integer" and p.symbol == sp.size:
                if p.name not in values:
                    raise ValueError(f"{p.name}: a value is needed ({p.range_text})")
                return int(values[p.name])
            if p.kind == "spectrum" and p.space == sp.name and p.name in values:
                return len(values[p.name])
        raise ValueError(f"{sp.size}: no value for the size of space {sp.name}")

    def symbol_values(self, values: Mapping) -> dict:
        """The value of every parameter symbol and space size that has one.

        Parameters
        ----------
        values : mapping
            Parameter values, as returned by :meth:`read_values`.

        Returns
        -------
        dict
            ``{sympy.Symbol: value}``; spectra are left out, their lengths give the sizes of their spaces.

        Examples
        --------
        >>> from diagrams.models.registry import load_model
        >>> ridge = load_model("ridge")
        >>> ridge.symbol_values(ridge.read_values({"T": 5, "spectrum": "1 1/4"}))
        {T: 5, That: 1, sigma_w2: Fraction(1, 1), C: 1, M: 2}
        """
        out = {}
        for p in self.parameters:
            if p.symbol is not None and p.name in values and p.kind != "spectrum":
                out[p.symbol] = values[p.name]
        for sp in self.spaces.values():
            if sp.size not in out:
                try:
                    out[sp.size] = self.size_of(sp, values)
                except ValueError:
                    pass
        return out

    def spectrum_values(self, spec, *, exact: bool = True, name: str = "spectrum"):
        """A spectrum value as exact Fractions or as a float array.

        Parameters
        ----------
        spec : sequence of Fraction or PowerLaw
            The spectrum, as :meth:`read_values` returns it.
        exact : bool, optional
            Exact Fractions (default) or a float array.
        name : str, optional
            The parameter named in an error message.

        Returns
        -------
        list of Fraction or numpy.ndarray
            The eigenvalues.

        Raises
        ------
        ValueError
            If an exact power law is asked for and its eigenvalues are irrational
            (:func:`power_law_exact`).

        Examples
        --------
        >>> from fractions import Fraction
        >>> from diagrams.models.registry import load_model
        >>> load_model("ridge").spectrum_values(PowerLaw(Fraction(1), 2))
        [Fraction(1, 1), Fraction(1, 4)]
        """
        if isinstance(spec, PowerLaw):
            return power_law_exact(spec, name) if exact else spec.floats()
        if exact:
            return list(spec)
        import numpy as np

        return np.array([float(v) for v in spec])

    def diagonal_values(self, values: Mapping, *, exact: bool = True) -> dict:
        """The diagonal of every covariance and deterministic diagonal matrix at these values.

        Parameters
        ----------
        values : mapping
            Parameter values, as returned by :meth:`read_values`.
        exact : bool, optional
            Exact Fractions (default) or floats.

        Returns
        -------
        dict
            ``{name: diagonal}``: a list (or array) for a spectrum, a :class:`ConstantDiagonal` for a
            multiple of the identity.  Covariances whose values are not all given are left out.

        Raises
        ------
        ValueError
            If ``exact`` and a scalar covariance is not rational at these values, or a power-law
            spectrum's eigenvalues are irrational.

        Examples
        --------
        >>> from diagrams.models.registry import load_model
        >>> ridge = load_model("ridge")
        >>> ridge.diagonal_values(ridge.read_values({"T": 5, "spectrum": "1 1/4"}))
        {'Lambda': [Fraction(1, 1), Fraction(1, 4)]}
        """
        subs = {k: sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v
                for k, v in self.symbol_values(values).items()}
        out = {}
        for name, cov in self.covariances.items():
            if cov.spectrum is not None:
                if cov.spectrum not in values:
                    continue
                out[name] = self.spectrum_values(values[cov.spectrum], exact=exact, name=cov.spectrum)
            else:
                val = cov.scalar.xreplace(subs)
                if val.free_symbols:
                    continue
                n = self.size_of(cov.space, values)
                if exact:
                    out[name] = ConstantDiagonal(Fraction(int(val.p), int(val.q)) if val.is_Rational
                                                 else _exact_fail(name, val), n)
                else:
                    out[name] = ConstantDiagonal(float(val), n)
        return out

    def free_symbolic_defaults(self) -> dict:
        """The defaults of the parameters that do not stay symbolic when not given.

        Returns
        -------
        dict
            ``{sympy.Symbol: sympy.Rational}``, to substitute into symbolic results.

        Examples
        --------
        >>> from diagrams.models.registry import load_model
        >>> load_model("random-features").free_symbolic_defaults()
        {label_noise: 0}
        """
        return {p.symbol: sympy.Rational(p.default.numerator, p.default.denominator)
                for p in self.parameters if not p.symbolic and p.symbol is not None and p.default is not None}

    # -- description ---------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """A hash of everything the expansion depends on (spaces, covariances, matrices, observable).

        Two declarations with the same fingerprint have the same words and diagrams; cache keys use it.

        Returns
        -------
        str
            32 hexadecimal digits (the start of a SHA-256).

        Examples
        --------
        >>> from diagrams.models.registry import load_model
        >>> len(load_model("ridge").fingerprint())
        32
        """
        import hashlib

        parts = [self.name, str(self.gamma)]
        parts += [f"{p.name}:{p.kind}:{p.default}:{p.symbolic}" for p in self.parameters]
        parts += [repr(sp) for sp in self.spaces.values()]
        parts += [f"{c.name}:{c.space.name}:{c.spectrum}:{sympy.srepr(c.scalar) if c.scalar is not None else ''}"
                  for c in self.covariances.values()]
        parts += [repr(m) for m in self.matrices.values()] + [repr(d) for d in self.diagonals.values()]
        parts += [f"{sympy.srepr(o.coefficient)}|{o.kind}|{o.expr}" for o in self.observable]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]

    def as_dict(self) -> dict:
        """The model's name, description and parameters as plain data.

        Returns
        -------
        dict
            ``{"name", "description", "parameters": [Parameter.as_dict(), ...]}``.

        Examples
        --------
        >>> from diagrams.models.registry import load_model
        >>> [p["name"] for p in load_model("ridge").as_dict()["parameters"]]
        ['T', 'That', 'spectrum', 'sigma_w2', 'C']
        """
        return {"name": self.name, "description": self.description,
                "parameters": [p.as_dict() for p in self.parameters]}

    def __repr__(self) -> str:
        return f"Model({self.name!r})"

    def display_tables(self) -> list[tuple[str, tuple, list]]:
        """The declaration as tables (what Jupyter shows for a model).

        Returns
        -------
        list of tuple
            ``[(caption, header, rows)]`` of its parameters, index spaces, covariances, matrices and
            observable terms.

        Examples
        --------
        >>> from diagrams.models.registry import load_model
        >>> [(caption, len(rows)) for caption, _, rows in load_model("ridge").display_tables()]
        [('parameters', 5), ('index spaces', 3), ('covariances', 1), ('matrices', 2), ('observable', 1)]
        """
        params = [(p.name, p.flag, "required" if p.default is None else str(_plain(p.default)), p.range_text, p.help)
                  for p in self.parameters]
        spaces = [(s.name, str(s.size), s.style) for s in self.spaces.values()]
        covs = [(c.name, c.space.name, f"diag({c.spectrum})" if c.spectrum is not None else f"({c.scalar}) 1")
                for c in self.covariances.values() if c.name not in self.diagonals]
        mats = [(g.name, "Gaussian", f"{g.rows.name} x {g.cols.name}", g.row_cov or "1", g.col_cov or "1")
                for g in self.matrices.values()]
        mats += [(d.name, "diagonal", f"{d.space.name} x {d.space.name}", "", "")
                 for d in self.diagonals.values()]
        obs = [(str(o.coefficient), f"tr(E^T E), E = {o.expr}" if o.kind == "quadratic" else f"tr({o.expr})", o.label)
               for o in self.observable]
        return [("parameters", ("name", "flag", "default", "range", "meaning"), params),
                ("index spaces", ("name", "size", "line style"), spaces),
                ("covariances", ("name", "space", "value"), covs),
                ("matrices", ("name", "kind", "rows x columns", "row covariance", "column covariance"), mats),
                ("observable", ("coefficient", "term", "label"), obs)]

    def _repr_html_(self) -> str:
        from html import escape

        parts = [f"<p><b>{escape(self.name)}</b> &mdash; {escape(self.description)}</p>"]
        for caption, header, rows in self.display_tables():
            if not rows:
                continue
            head = "".join(f"<th>{escape(h)}</th>" for h in header)
            body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in r) + "</tr>" for r in rows)
            parts.append(f"<table><caption style='text-align:left'><b>{escape(caption)}</b></caption>"
                         f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        return "\n".join(parts)

    def _repr_markdown_(self) -> str:
        def cell(v) -> str:
            return str(v).replace("|", "\\|")

        parts = [f"**{self.name}** — {self.description}"]
        for caption, header, rows in self.display_tables():
            if rows:
                parts.append(f"*{caption}*\n\n| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n"
                             + "\n".join("| " + " | ".join(cell(v) for v in r) + " |" for r in rows))
        return "\n\n".join(parts)


def _exact_fail(name, val):
    raise ValueError(f"{name}: the scalar covariance {val} is not rational at these values")
