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

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Mapping, Sequence

import sympy

from diagrams.engine.expressions import as_expr, resolvent
from diagrams.engine.matrices import Diagonal, GaussianMatrix
from diagrams.engine.numbers import (check_order, describe_range, read_fraction, read_integer, read_list)
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
    """A declared parameter.

    ``kind``: ``"integer"``, ``"number"`` or ``"spectrum"``.  ``default``: the value used when it is
    not given (``None``: required when numbers are needed; for a spectrum, the *name* of another
    spectrum it copies, e.g. the test spectrum defaults to the train one).  ``symbolic``: whether it
    stays a symbol in symbolic results when not given (a label-noise variance with default 0 does
    not: its terms drop).  ``power_law``: for a spectrum, the flags of the power-law alternative
    ``lambda_I = lambda_+ I^-(1+alpha)`` as ``(alpha flag, size flag, lambda_+ flag)``.
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
        """The allowed range in words, as every error message states it."""
        if self.kind == "spectrum":
            return (f"a list of numbers > 0 (at most {MAX_SPECTRUM_LENGTH} of them)"
                    if self.power_law is None else
                    f"a list of numbers > 0, or a power law ({', '.join(self.power_law)})")
        return describe_range(self.minimum, self.maximum, integer=self.kind == "integer",
                              strict_minimum=self.strict_minimum)

    def as_dict(self) -> dict:
        return {"name": self.name, "flag": self.flag, "default": _plain(self.default), "range": self.range_text,
                "help": self.help}


def _plain(v):
    if isinstance(v, Fraction):
        return str(v) if v.denominator != 1 else int(v)
    return v


@dataclass(frozen=True)
class Covariance:
    """A named diagonal covariance on ``space``: from a spectrum parameter, or ``scalar * 1``."""

    name: str
    space: Space
    spectrum: str | None = None
    scalar: sympy.Expr | None = None


@dataclass(frozen=True)
class ObservableTerm:
    """``coefficient * tr(expr)`` (``kind="trace"``) or ``coefficient * tr(expr^T expr)`` (``"quadratic"``)."""

    coefficient: sympy.Expr
    kind: str
    expr: object
    label: str = ""


@dataclass(frozen=True)
class Route:
    """An independent route to a model's planar (large-N) observable, e.g. a hand-derived closed form.

    Checks (:mod:`diagrams.analysis.check`) compare the diagram sums with every route that applies:

    * ``series_exact(order, values)`` -- exact Taylor coefficients ``[c_0..c_order]`` in ``1/gamma``;
    * ``value_mp(values, gamma, dps)`` -- the value at a ridge, in mpmath at ``dps`` digits;
    * ``series_symbolic(order)`` (optional) -- symbolic coefficients, compared after ``reduce(expr)``
      (e.g. ``Sigma = s 1``, ``Lambdahat = Lambda``) with the listed diagrams;
    * ``applies(values)`` (optional) -- ``None`` when the route holds at these values, else the reason;
    * ``evaluate(values, gammas, dps)`` (optional) -- ``[{field: value}]`` per ridge, ``"loss"`` first and
      ``"observable"`` (the whole observable) among them (double precision when ``dps`` is None, else
      mpmath): what ``diagrams loss`` prints;
    * ``optimum(values)`` (optional) -- ``(gamma*, loss*, limit)`` minimising the loss over the ridge.
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
        return None if self.applies is None else self.applies(values)


class ConstantDiagonal(Sequence):
    """The diagonal of ``value * 1`` on a space of ``length``: a sequence that stores one number."""

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
    """``lambda_I = lambda_plus * I^-(1 + alpha)``, ``I = 1..M`` (paper Sec. IV)."""

    alpha: Fraction
    M: int
    lambda_plus: Fraction = Fraction(1)

    def floats(self):
        import numpy as np

        idx = np.arange(1, self.M + 1, dtype=float)
        return float(self.lambda_plus) * idx ** (-(1.0 + float(self.alpha)))

    def __len__(self) -> int:
        return self.M


def power_law_exact(p: PowerLaw, name: str = "--alpha") -> list[Fraction]:
    """The exact eigenvalues of a power law; only when ``1 + alpha`` is an integer (else irrational)."""
    e = 1 + p.alpha
    if e.denominator != 1:
        raise ValueError(f"{name}: exact computations need 1 + alpha to be an integer (the eigenvalues "
                         f"I^-(1+alpha) are irrational otherwise), got alpha = {p.alpha}; give --spectrum instead")
    if p.M > 100000:
        raise ValueError(f"{name}: exact computations take at most 100000 eigenvalues, got M = {p.M}")
    k = int(e)
    return [p.lambda_plus / Fraction(i) ** k for i in range(1, p.M + 1)]


class Model:
    """A declared model (see the module docstring and ``docs/models.md``)."""

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
        """Declare an integer parameter (e.g. a size); returns its (positive) symbol."""
        sym = sympy.Symbol(name, positive=True)
        self._add(Parameter(name, help, "integer", default, minimum, maximum, False, flag, sym, symbolic))
        return sym

    def number(self, name: str, help: str, *, default=None, minimum=None, maximum=None,
               strict_minimum: bool = False, flag: str = "", symbolic: bool = True) -> sympy.Symbol:
        """Declare a real parameter (read exactly); returns its symbol."""
        positive = minimum is not None and (minimum > 0 or (minimum == 0 and strict_minimum))
        sym = sympy.Symbol(name, positive=True) if positive else sympy.Symbol(name, nonnegative=True) \
            if minimum is not None and minimum >= 0 else sympy.Symbol(name, real=True)
        if default is not None:
            default = read_fraction(default, name)
        self._add(Parameter(name, help, "number", default, minimum, maximum, strict_minimum, flag, sym, symbolic))
        return sym

    def spectrum(self, name: str, help: str, space: str, *, default: str | None = None, flag: str = "",
                 power_law: tuple | None = None) -> None:
        """Declare a spectrum parameter (eigenvalues > 0) setting the size of ``space``."""
        self._add(Parameter(name, help, "spectrum", default, None, None, False, flag, None, True,
                            power_law, space))

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise ValueError(f"parameter: {self.name} has no parameter {name!r}; "
                         f"it has {', '.join(p.name for p in self.parameters)}")

    # -- spaces, covariances, matrices -------------------------------------------------------------
    def space(self, name: str, size: str, style: str = "solid") -> Space:
        """Declare an index space whose size is the integer parameter ``size`` or a spectrum length."""
        if name in self.spaces:
            raise ValueError(f"space: {name!r} is declared twice")
        sp = Space(name, size, style)
        for p in self.parameters:
            if p.kind == "integer" and p.name == size:
                sp = Space(name, p.symbol, style)
        self.spaces[name] = sp
        return sp

    def covariance(self, name: str, space: Space, *, spectrum: str | None = None, scalar=None) -> str:
        """Declare a diagonal covariance ``name`` on ``space``: ``diag(spectrum)`` or ``scalar * 1``."""
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
        """Declare a real Gaussian matrix ``<X_ab X_cd> = row_cov_ac col_cov_bd``."""
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
        """Declare a deterministic diagonal matrix (its values like a covariance's)."""
        self.covariance(name, space, spectrum=spectrum, scalar=scalar)
        d = Diagonal(name, space, latex=latex)
        self.diagonals[name] = d
        if latex:
            self.notation[name] = latex
        return d

    def resolvent(self, argument):
        """``(gamma 1 + argument)^-1`` in this model's ridge."""
        return resolvent(argument, self.gamma)

    # -- the observable --------------------------------------------------------------------------
    def trace(self, coefficient, expr, label: str = "") -> None:
        """Add ``coefficient * tr(expr)`` to the observable."""
        e = as_expr(expr)
        if e.rows != e.cols:
            raise ValueError(f"trace: the expression must be square, got {e.rows.name} x {e.cols.name}")
        self.observable.append(ObservableTerm(sympy.sympify(coefficient), "trace", e, label))

    def quadratic(self, coefficient, expr, label: str = "") -> None:
        """Add ``coefficient * tr(expr^T expr)`` (e.g. a squared error) to the observable."""
        self.observable.append(ObservableTerm(sympy.sympify(coefficient), "quadratic", as_expr(expr), label))

    # -- values --------------------------------------------------------------------------------
    def read_values(self, raw: Mapping, *, label: str = "name", require: Sequence[str] | None = None) -> dict:
        """Validate parameter values; returns ``{name: value}`` with defaults filled in.

        ``raw`` maps parameter names to values (strings, numbers, Fractions; a spectrum as a list,
        text ``"1,1/2"`` or a :class:`PowerLaw`).  Integers become ``int``, numbers ``Fraction``,
        spectra lists of ``Fraction`` (or the :class:`PowerLaw`).  Errors name the parameter
        (``label="flag"``: by its flag) and its allowed range.  Parameters without default that are
        not given are left out unless listed in ``require`` (then it is an error).
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
        """The dimension of a space at these values."""
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
        """``{symbol: value}`` for every parameter symbol and space size with a value."""
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
        """A spectrum value as a list of Fractions (exact) or a float array."""
        if isinstance(spec, PowerLaw):
            return power_law_exact(spec, name) if exact else spec.floats()
        if exact:
            return list(spec)
        import numpy as np

        return np.array([float(v) for v in spec])

    def diagonal_values(self, values: Mapping, *, exact: bool = True) -> dict:
        """``{covariance or diagonal name: its diagonal}`` at these values (exact Fractions or floats)."""
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
        """``{symbol: default}`` for parameters that do not stay symbolic when not given."""
        return {p.symbol: sympy.Rational(p.default.numerator, p.default.denominator)
                for p in self.parameters if not p.symbolic and p.symbol is not None and p.default is not None}

    # -- description ---------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """A hash of everything the expansion depends on (spaces, covariances, matrices, observable).

        Two declarations with the same fingerprint have the same words and diagrams; cache keys use it.
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
        """``{"name", "description", "parameters": [{"name", "flag", "default", "range"}]}``."""
        return {"name": self.name, "description": self.description,
                "parameters": [p.as_dict() for p in self.parameters]}

    def __repr__(self) -> str:
        return f"Model({self.name!r})"

    def display_tables(self) -> list[tuple[str, tuple, list]]:
        """The declaration as tables: ``[(caption, header, rows)]`` of its parameters, index spaces,
        covariances, matrices and observable terms (what Jupyter shows for a model).

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
