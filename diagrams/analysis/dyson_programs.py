r"""A model's Dyson equations compiled into evaluation programs, once per model (cached).

For each observable term (:func:`~diagrams.analysis.pencil.linearize_term`,
:func:`~diagrams.analysis.dyson.term_system`) two :class:`~diagrams.analysis.trace_program.TraceProgram`:

* the **Newton program** of its Dyson system -- outputs ``F_k`` (the right sides of
  ``tau_k = F_k(tau)``) and the Jacobian ``dF_k/dtau_j`` (row-major); terms whose pencils are equal
  share one (the test loss and the label-noise term of the random-feature model do);
* the **ladder program** -- outputs ``b_k``, ``A_kj`` of the linear equations ``chi = A chi + b``, the
  observable's ``o_0`` and ``o_j`` (``observable = o_0 + sum_j o_j chi_j``) and the trace left by an
  exact average (``That`` for the test inputs).

Both take the ridge first (``gamma``, or ``epsilon = 1/gamma`` for the series mode) and the
``tau``'s.  :func:`term_values`, :func:`parameters` and :func:`spectra` turn parameter values into
what the programs' :class:`~diagrams.analysis.trace_program.Context` needs.

>>> from diagrams.models.registry import load_model
>>> cm = compiled_model(load_model("random-features"))
>>> t = cm.term(0)
>>> cm.groups[t.group].n, t.m           # four tau's, four chi's
(4, 4)
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping

import sympy

from diagrams.analysis.dyson import EPSILON, SpaceTrace, TermSystem, term_system
from diagrams.analysis.pencil import linearize_term
from diagrams.analysis.trace_program import TraceProgram

__all__ = ["CompiledGroup", "CompiledTerm", "CompiledModel", "compiled_model", "term_values", "parameters",
           "spectra"]


@dataclass
class CompiledGroup:
    """One Dyson system (terms with equal pencils share it) and its Newton program (``F``, ``J``)."""

    system: object
    program: TraceProgram
    n: int


@dataclass
class CompiledTerm:
    """One observable term: its :class:`~diagrams.analysis.dyson.TermSystem`, the index of its group,
    its ladder program and the number ``m`` of ladder unknowns."""

    system: TermSystem
    group: int
    program: TraceProgram
    m: int
    label: str


def _total(traces: list, f):
    """A sum of SpaceTraces as one output, the traces over one space merged."""
    by_space: dict = {}
    for t in traces:
        by_space.setdefault(t.space.name, [t.space, sympy.Integer(0)])
        by_space[t.space.name][1] += f(t.summand)
    items = [SpaceTrace(sp, s) for sp, s in by_space.values()]
    return items if items else sympy.Integer(0)


class CompiledModel:
    """A model's observable compiled for evaluation (built lazily per term).

    ``setting``: ``"numeric"`` or ``"symbolic"`` (:data:`~diagrams.analysis.dyson.SETTINGS`);
    ``ridge_form``: ``"gamma"`` (numerics) or ``"epsilon"`` (series in ``1/gamma``).
    """

    def __init__(self, model, setting: str = "numeric", ridge_form: str = "gamma"):
        self.model = model
        self.setting = setting
        self.ridge_form = ridge_form
        self.ridge = model.gamma if ridge_form == "gamma" else EPSILON
        self.groups: list[CompiledGroup] = []
        self._group_keys: dict = {}
        self._terms: dict = {}

    def term(self, index: int) -> CompiledTerm:
        """The compiled observable term ``index``."""
        if index in self._terms:
            return self._terms[index]
        m = self.model
        lin = linearize_term(m.observable[index], m.gamma)
        ts = term_system(lin, m, self.setting, self.ridge_form)
        key = lin.realization.pencil.key()
        if key not in self._group_keys:
            sysd = ts.dyson
            outs = list(sysd.equations) + [j for row in sysd.jacobian() for j in row]
            self.groups.append(CompiledGroup(sysd, TraceProgram(outs, [self.ridge] + sysd.symbols), len(sysd.symbols)))
            self._group_keys[key] = len(self.groups) - 1
        g = self._group_keys[key]
        base = self.groups[g].system
        rename = dict(zip(ts.dyson.symbols, base.symbols))
        chis = ts.ladder.symbols if ts.ladder is not None else []
        zero = {c: 0 for c in chis}
        outs: list = []
        if ts.ladder is not None:
            eqs = [e.map(lambda s: s.xreplace(rename)) for e in ts.ladder.equations]
            outs += [e.map(lambda s: s.xreplace(zero)) for e in eqs]
            outs += [e.map(lambda s, c=c: sympy.diff(s, c)) for e in eqs for c in chis]
        obs = [o.map(lambda s: s.xreplace(rename)) for o in ts.observable]
        outs.append(_total(obs, lambda s: s.xreplace(zero)))
        outs += [_total(obs, lambda s, c=c: sympy.diff(s, c)) for c in chis]
        outs.append(ts.trace_factor if ts.trace_factor is not None else sympy.Integer(1))
        prog = TraceProgram(outs, [self.ridge] + base.symbols)
        ct = CompiledTerm(ts, g, prog, len(chis), m.observable[index].label or f"term {index + 1}")
        self._terms[index] = ct
        return ct


_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def compiled_model(model, setting: str = "numeric", ridge_form: str = "gamma") -> CompiledModel:
    """The (cached) :class:`CompiledModel` of ``model``."""
    per = _CACHE.setdefault(model, {})
    key = (setting, ridge_form)
    if key not in per:
        per[key] = CompiledModel(model, setting, ridge_form)
    return per[key]


def term_values(model, values, *, symbolic: bool = False) -> list[tuple[int, object]]:
    """``[(index, coefficient)]`` for the observable terms that do not vanish at ``values``.

    With ``symbolic`` the coefficients stay sympy expressions (non-symbolic parameters such as the
    label noise at their defaults, and terms vanishing there left out).
    """
    out = []
    if symbolic:
        defaults = model.free_symbolic_defaults()
        for i, t in enumerate(model.observable):
            c = sympy.sympify(t.coefficient).xreplace(defaults)
            if c != 0:
                out.append((i, c))
        return out
    subs = {k: (sympy.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else v)
            for k, v in model.symbol_values(values).items()}
    for i, t in enumerate(model.observable):
        c = sympy.sympify(t.coefficient).xreplace(subs)
        if c.free_symbols:
            raise ValueError(f"values: the coefficient {t.coefficient} needs {', '.join(map(str, c.free_symbols))}")
        if c != 0:
            out.append((i, Fraction(int(c.p), int(c.q)) if c.is_Rational else float(c)))
    if not out:
        raise ValueError(f"values: every term of the {model.name} observable vanishes at these values")
    return out


def parameters(model, values) -> dict:
    """``{symbol name: value}`` of the parameters and space sizes at ``values``."""
    return {k.name: v for k, v in model.symbol_values(values).items()}


def spectra(program: TraceProgram, diagonals: Mapping, convert=None) -> dict:
    """``{space: {diagonal name: values}}`` for the diagonal symbols a program runs over."""
    out = {}
    for space, names in program.eigen.items():
        out[space] = {}
        for name in names:
            if name not in diagonals:
                raise ValueError(f"values: no values for {name} (give its spectrum)")
            vals = diagonals[name]
            out[space][name] = vals if convert is None else convert(vals)
    return out
