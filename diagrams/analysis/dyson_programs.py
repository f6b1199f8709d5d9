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
    """One planar Dyson system and its compiled Newton program; terms with equal pencils share it.

    Parameters
    ----------
    system : DysonSystem
        The :class:`~diagrams.analysis.dyson.DysonSystem`.
    program : TraceProgram
        Its Newton program: outputs ``F_k`` then ``dF_k/dtau_j`` (row-major); variables the ridge
        and the ``tau``'s.
    n : int
        The number of unknowns ``tau``.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> grp = compiled_model(ridge).groups[compiled_model(ridge).term(0).group]
    >>> grp.n, grp.program.variables
    (2, [gamma, tau_1, tau_2])
    """

    system: object
    program: TraceProgram
    n: int


@dataclass
class CompiledTerm:
    """One observable term compiled: its Dyson group, its ladder program and its label.

    Parameters
    ----------
    system : TermSystem
        The term's :class:`~diagrams.analysis.dyson.TermSystem`.
    group : int
        The index of its group in :attr:`CompiledModel.groups`.
    program : TraceProgram
        Its ladder program: ``b_k``, ``A_kj``, ``o_0``, ``o_j`` and the trace left by an exact
        average.
    m : int
        The number of ladder unknowns ``chi``.
    label : str
        The term's label (``"term k"`` when it has none).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> t = compiled_model(ridge).term(0)
    >>> t.group, t.m, t.label
    (0, 2, 'test loss')
    """

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
    """A model's observable compiled into Dyson and ladder programs, built lazily per term.

    :meth:`term` compiles one observable term; :attr:`groups` holds the Dyson systems compiled so far.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    setting : {"numeric", "symbolic"}, optional
        :data:`~diagrams.analysis.dyson.SETTINGS`.
    ridge_form : {"gamma", "epsilon"}, optional
        ``"gamma"`` (numerics) or ``"epsilon"`` (series in ``1/gamma``).

    Raises
    ------
    ValueError
        From :meth:`term`, if ``setting`` or ``ridge_form`` is not one of the above (checked by
        :func:`~diagrams.analysis.dyson.term_system`).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> cm = CompiledModel(ridge, ridge_form="epsilon")
    >>> cm.ridge, cm.groups
    (epsilon, [])
    >>> cm.term(0).program.variables
    [epsilon, tau_1, tau_2]
    >>> len(cm.groups)
    1
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
    """The compiled Dyson equations of a declared model, cached per model, setting and ridge form.

    Parameters
    ----------
    model : Model
        The declared model.
    setting : {"numeric", "symbolic"}, optional
        As for :class:`CompiledModel`.
    ridge_form : {"gamma", "epsilon"}, optional
        As for :class:`CompiledModel`.

    Returns
    -------
    CompiledModel
        The same object for the same arguments.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> compiled_model(ridge) is compiled_model(ridge)
    True
    >>> compiled_model(ridge) is compiled_model(ridge, ridge_form="epsilon")
    False
    """
    per = _CACHE.setdefault(model, {})
    key = (setting, ridge_form)
    if key not in per:
        per[key] = CompiledModel(model, setting, ridge_form)
    return per[key]


def term_values(model, values, *, symbolic: bool = False) -> list[tuple[int, object]]:
    """``[(index, coefficient)]`` for the observable terms that do not vanish at ``values``.

    With ``symbolic`` the coefficients stay sympy expressions (non-symbolic parameters such as the
    label noise at their defaults, and terms vanishing there left out).

    Parameters
    ----------
    model : Model
        The declared model.
    values : mapping
        Validated parameter values (unused with ``symbolic``).
    symbolic : bool, optional
        Keep the coefficients symbolic.

    Returns
    -------
    list of (int, object)
        ``(index, coefficient)`` per non-vanishing term: a ``Fraction`` (a ``float`` if irrational)
        or, with ``symbolic``, a sympy expression.

    Raises
    ------
    ValueError
        If a coefficient needs a symbol ``values`` does not give, or every term vanishes at
        ``values``.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> v = ridge.read_values({"T": 5, "spectrum": [1, "1/2"]})
    >>> term_values(ridge, v)
    [(0, Fraction(1, 4))]
    >>> term_values(ridge, v, symbolic=True)
    [(0, C*sigma_w2/(2*M*That))]
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
    """The values of a model's parameters and space sizes by symbol name, for a program's context.

    Parameters
    ----------
    model : Model
        The declared model.
    values : mapping
        Validated parameter values.

    Returns
    -------
    dict
        ``{symbol name: value}``.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> parameters(ridge, ridge.read_values({"T": 5, "spectrum": [1, "1/2"]}))
    {'T': 5, 'That': 1, 'sigma_w2': Fraction(1, 1), 'C': 1, 'M': 2}
    """
    return {k.name: v for k, v in model.symbol_values(values).items()}


def spectra(program: TraceProgram, diagonals: Mapping, convert=None) -> dict:
    """The eigenvalues of the diagonal covariances a trace program runs over, by space.

    Parameters
    ----------
    program : TraceProgram
        The program (its ``eigen``: space -> diagonal names).
    diagonals : mapping
        Diagonal name -> its eigenvalues (such as ``model.diagonal_values(values)``).
    convert : callable, optional
        Applied to each list of eigenvalues (``list``, ``numpy.asarray``, ...).

    Returns
    -------
    dict
        ``{space: {diagonal name: values}}``.

    Raises
    ------
    ValueError
        If ``diagonals`` lacks a diagonal the program needs.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> prog = compiled_model(ridge).term(0).program
    >>> v = ridge.read_values({"T": 5, "spectrum": [1, "1/2"]})
    >>> spectra(prog, ridge.diagonal_values(v, exact=True))
    {'latent': {'Lambda': [Fraction(1, 1), Fraction(1, 2)]}}
    >>> spectra(prog, {})
    Traceback (most recent call last):
    ...
    ValueError: values: no values for Lambda (give its spectrum)
    """
    out = {}
    for space, names in program.eigen.items():
        out[space] = {}
        for name in names:
            if name not in diagonals:
                raise ValueError(f"values: no values for {name} (give its spectrum)")
            vals = diagonals[name]
            out[space][name] = vals if convert is None else convert(vals)
    return out
