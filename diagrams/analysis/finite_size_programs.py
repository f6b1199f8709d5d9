r"""The first finite-size correction of a model's observable compiled into evaluation programs (cached).

For each observable term (:func:`~diagrams.analysis.pencil.linearize_term`) the pencil it reads
(:func:`~diagrams.analysis.finite_size_system.term_functional`: the resolvent pencil ``L`` of a trace
term, the doubled pencil ``P`` of a quadratic one) gets a
:class:`~diagrams.analysis.finite_size_system.CorrectionSystem` and four
:class:`~diagrams.analysis.trace_program.TraceProgram`:

* ``newton`` -- the planar Dyson system of that pencil: ``F_k`` and ``dF_k/dsigma_j`` (variables: the
  ridge and ``sigma``);
* ``seed`` (numeric form only) -- the unknowns ``sigma`` from the roots ``tau`` of the model's own Dyson
  system (:mod:`diagrams.analysis.dyson_programs`; the blocks ``L^T`` and ``L`` of ``P`` are ``G^T`` and
  ``G``; its off-diagonal unknowns start at 0 and one Newton step, exact for them, puts them in place);
* ``ladder`` -- ``A_jk`` (row-major) and the sources ``b_qj`` of the two-point ladders
  ``psi_q = A psi_q + b_q``;
* ``correction`` -- ``beta_k``, the twisted term of ``O1``, ``dO0/dsigma_k`` and ``O0`` (variables: the
  ridge, ``sigma`` and every ``psi``), and the trace left by an exact average.

>>> from diagrams.models.registry import load_model
>>> fs = compiled_correction(load_model("ridge")).term(0)
>>> fs.system.sizes          # Dyson unknowns of P, ladder unknowns, couplings of twisted pairs
(8, 8, 8)
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import sympy

from diagrams.analysis.dyson import EPSILON, SpaceTrace
from diagrams.analysis.dyson_programs import compiled_model
from diagrams.analysis.finite_size_system import CorrectionSystem, term_functional
from diagrams.analysis.pencil import linearize_term
from diagrams.analysis.trace_program import TraceProgram

__all__ = ["CompiledCorrection", "CorrectionTerm", "compiled_correction"]


@dataclass
class CorrectionTerm:
    """One observable term's first finite-size correction compiled into trace programs.

    Built by :meth:`CompiledCorrection.term`.

    Parameters
    ----------
    system : CorrectionSystem
        The term's :class:`~diagrams.analysis.finite_size_system.CorrectionSystem`.
    newton : TraceProgram
        The planar Dyson system of the term's pencil: ``F_k`` and ``dF_k/dsigma_j`` (variables: the
        ridge and ``sigma``).
    seed : TraceProgram or None
        ``sigma`` from the roots ``tau`` of the model's own Dyson system; ``None`` in the epsilon
        form, which has no seed.
    ladder : TraceProgram
        ``A_jk`` (row-major) and the sources ``b_qj`` of the two-point ladders.
    correction : TraceProgram
        ``beta_k``, the twisted term of ``O1``, ``dO0/dsigma_k``, ``O0`` and the trace left by an
        exact average.
    n : int
        The number of Dyson unknowns.
    m : int
        The number of ladder unknowns.
    Q : int
        The number of couplings (twisted pairs).
    group : int
        The index of the model's own Dyson group (for the seed; -1 in the epsilon form).
    label : str
        The term's label (``"term k"`` when the observable term has none).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ct = compiled_correction(load_model("ridge")).term(0)
    >>> ct.n, ct.m, ct.Q, ct.group, ct.label
    (8, 8, 8, 0, 'test loss')
    """

    system: CorrectionSystem
    newton: TraceProgram
    seed: TraceProgram | None
    ladder: TraceProgram
    correction: TraceProgram
    n: int
    m: int
    Q: int
    group: int
    label: str


def _seed_outputs(system: CorrectionSystem, base, quadratic: bool) -> list:
    """``sigma_k`` from the model's Dyson system ``base`` (blocks of ``L``): ``G^T`` on the first copy of
    a doubled pencil, ``G`` on the second, 0 between them."""
    n = len(base.pencil)
    outs = []
    for u in system.dyson.unknowns:
        c, d = u.blocks
        if not quadratic:
            g = base.block(c, d)
        elif c >= n and d >= n:
            g = base.block(c - n, d - n)
        elif c < n and d < n:
            g = base.block(d, c)
        else:
            g = 0
        outs.append(SpaceTrace(u.space, sympy.expand(u.weight) * g) if g != 0 else sympy.Integer(0))
    return outs


class CompiledCorrection:
    """A model's first finite-size correction compiled per observable term, built lazily.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    ridge_form : {"gamma", "epsilon"}, optional
        The ridge variable of the programs: ``gamma`` (the model's ridge, with a seed from the model's
        own Dyson system) or ``epsilon`` (:data:`~diagrams.analysis.dyson.EPSILON`, no seed).

    Raises
    ------
    ValueError
        From :meth:`term`, if ``ridge_form`` is neither ``"gamma"`` nor ``"epsilon"`` (checked by
        :class:`~diagrams.analysis.finite_size_system.CorrectionSystem`).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> cc = CompiledCorrection(load_model("ridge"), "epsilon")
    >>> cc.ridge
    epsilon
    >>> ct = cc.term(0)
    >>> ct.group, ct.seed is None, (ct.n, ct.m, ct.Q)
    (-1, True, (8, 8, 8))
    """

    def __init__(self, model, ridge_form: str = "gamma"):
        self.model = model
        self.ridge_form = ridge_form
        self.ridge = model.gamma if ridge_form == "gamma" else EPSILON
        self._terms: dict = {}

    def term(self, index: int) -> CorrectionTerm:
        """The compiled correction of observable term ``index`` (built on first use, then cached)."""
        if index in self._terms:
            return self._terms[index]
        m = self.model
        lin = linearize_term(m.observable[index], m.gamma)
        system = CorrectionSystem(term_functional(lin), m, "numeric", self.ridge_form)
        dy = system.dyson
        sig = dy.symbols
        r = self.ridge
        newton = TraceProgram(list(dy.equations) + [j for row in system.jacobian for j in row], [r] + sig)
        group, seed = -1, None
        if self.ridge_form == "gamma":
            cm = compiled_model(m)
            group = cm.term(index).group
            base = cm.groups[group].system
            seed = TraceProgram(_seed_outputs(system, base, lin.kind == "quadratic"), [r] + base.symbols)
        ladder_outs = [a for row in system.ladder_matrix for a in row]
        ladder_outs += [b for row in system.ladder_sources for b in row]
        ladder = TraceProgram(ladder_outs if ladder_outs else [sympy.Integer(0)], [r] + sig)
        psis = [p for row in system.psi for p in row]
        outs = list(system.beta) + [system.twisted if system.twisted else sympy.Integer(0)]
        outs += [g if g else sympy.Integer(0) for g in system.gradient]
        outs.append(system.observable if system.observable else sympy.Integer(0))
        if lin.trace_space is not None:
            outs.append(SpaceTrace(lin.trace_space, dy.sub(lin.trace_weight)))
        else:
            outs.append(sympy.Integer(1))
        correction = TraceProgram(outs, [r] + sig + psis)
        n, mm, Q = system.sizes
        ct = CorrectionTerm(system, newton, seed, ladder, correction, n, mm, Q, group,
                            m.observable[index].label or f"term {index + 1}")
        self._terms[index] = ct
        return ct


_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def compiled_correction(model, ridge_form: str = "gamma") -> CompiledCorrection:
    """The compiled first finite-size correction of a declared model, cached per model.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    ridge_form : {"gamma", "epsilon"}, optional
        The ridge variable (see :class:`CompiledCorrection`).

    Returns
    -------
    CompiledCorrection
        The same object for the same ``model`` and ``ridge_form``.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> compiled_correction(ridge) is compiled_correction(ridge)
    True
    >>> compiled_correction(ridge).term(0).system.sizes
    (8, 8, 8)
    """
    per = _CACHE.setdefault(model, {})
    if ridge_form not in per:
        per[ridge_form] = CompiledCorrection(model, ridge_form)
    return per[ridge_form]
