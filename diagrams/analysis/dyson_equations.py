r"""A model's self-consistent equations as formulas: sympy expressions and LaTeX, in its notation.

:func:`model_equations` writes, for each observable term, the trace unknowns of its Dyson system
(``tau_k = tr(W G_cd)``), their equations with every per-eigenvalue trace shown as
:class:`Tr` (``tr[...]`` of commuting diagonal matrices; a trace over a space that carries none is
its size times the summand), the ladder equations of a quadratic term (linear in the ``chi``'s) and
the observable; :meth:`TermEquations.closed_form` solves the ladder equations, giving the observable
as a rational function of the traces and the ``tau``'s.

For the random-feature model (``Sigma`` a matrix; blocks train, latent, feature, latent):

    tau_1 = tr[Lambda Sigma tau_2/(1 + Lambda Sigma tau_2 tau_4)],   tau_2 = N/(1 - tau_3),
    tau_3 = -tr[Lambda Sigma tau_4/(1 + Lambda Sigma tau_2 tau_4)],  tau_4 = T/(gamma + tau_1),

which is the consistency relation Eq. (99) with ``tau_4 = T<Q>``, ``tau_2 = N gamma<q>``,
``tau_2 tau_4 = gamma xi`` (``tests/test_dyson_equations.py`` checks it with sympy).

>>> from diagrams.models.registry import load_model
>>> eqs = model_equations(load_model("ridge"))
>>> for e in eqs[0].equations:
...     print(e)
Eq(tau_1, tr(Lambda/(Lambda*tau_2 + 1)))
Eq(tau_2, T/(gamma + tau_1))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from diagrams.analysis.dyson import SpaceTrace, term_system
from diagrams.analysis.pencil import DiagonalSymbol, LinearizedTerm, doubled_pencil, linearize_term
from diagrams.analysis.pencil_display import pencil_latex, pencil_table

__all__ = ["Tr", "trace_expression", "TermEquations", "model_equations", "equations_latex", "pencil_report"]


class Tr(sympy.Function):
    r"""The trace of a per-eigenvalue expression in commuting diagonal matrices, for display.

    An unevaluated sympy function of one argument, printed ``tr(...)`` and in LaTeX
    ``\operatorname{tr}\left[...\right]``.

    Parameters
    ----------
    arg : sympy.Expr
        The per-eigenvalue summand.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.analysis.pencil import diagonal_symbol
    >>> lam = diagonal_symbol("Lambda", Space("v", "N"))
    >>> Tr(lam / (1 + lam))
    tr(Lambda/(Lambda + 1))
    >>> print(sympy.latex(Tr(lam)))
    \operatorname{tr}\left[\Lambda\right]
    """

    nargs = 1

    def _latex(self, printer):
        return r"\operatorname{tr}\left[" + printer._print(self.args[0]) + r"\right]"

    def _sympystr(self, printer):
        return "tr(" + printer._print(self.args[0]) + ")"


def _eigen(expr, space):
    return sorted({s for s in sympy.sympify(expr).free_symbols if isinstance(s, DiagonalSymbol) and s.space == space},
                  key=lambda s: s.name)


def trace_expression(tr: SpaceTrace, *, simplify: bool = True):
    """A trace over one space of a per-eigenvalue summand as a sympy expression in :class:`Tr`.

    The :class:`~diagrams.analysis.dyson.SpaceTrace` becomes scalars times :class:`Tr` of the parts
    in the space's diagonal matrices (the trace is linear), equal traced parts merged, and
    ``size * summand`` for a space without diagonal matrices in the summand.

    Parameters
    ----------
    tr : SpaceTrace
        The trace (:class:`~diagrams.analysis.dyson.SpaceTrace`).
    simplify : bool, optional
        Factor the scalars and the traced parts.

    Returns
    -------
    sympy.Expr
        The trace as an expression.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.analysis.pencil import diagonal_symbol
    >>> V = Space("v", "N")
    >>> lam, t = diagonal_symbol("Lambda", V), sympy.Symbol("t")
    >>> trace_expression(SpaceTrace(V, 2 * t * lam / (1 + lam)))
    2*t*tr(Lambda/(Lambda + 1))
    >>> trace_expression(SpaceTrace(V, t))                  # no diagonal matrix: size times summand
    N*t
    """
    eig = _eigen(tr.summand, tr.space)
    if not eig:
        return sympy.factor(tr.space.size * tr.summand) if simplify else tr.space.size * tr.summand
    pieces: dict = {}
    for t in sympy.Add.make_args(sympy.expand(tr.summand, deep=False)):
        scalar, part = t.as_independent(*eig, as_Add=False)
        pieces[part] = pieces.get(part, 0) + scalar
    out = sympy.Integer(0)
    for part, scalar in pieces.items():
        part = sympy.factor(part) if simplify else part
        num, rest = part.as_independent(*eig, as_Add=False)
        out += sympy.factor(scalar * num) * Tr(rest) if simplify else scalar * num * Tr(rest)
    return out


@dataclass
class TermEquations:
    """The self-consistent equations of one observable term, as made by :func:`model_equations`.

    See the module docstring; :meth:`closed_form` solves the ladder equations.

    Parameters
    ----------
    label : str
        The term's label.
    term : LinearizedTerm
        The linearized term (:func:`~diagrams.analysis.pencil.linearize_term`).
    definitions : list, optional
        ``(symbol, text, latex)`` of each unknown: ``tau_k = tr(W G_cd)``, ``chi_k = tr(W H_cd)``.
    equations : list, optional
        The Dyson equations, sympy ``Eq(tau_k, ...)``.
    ladder : list, optional
        The ladder equations of a quadratic term, ``Eq(chi_k, ...)`` (linear in the ``chi``'s).
    observable : sympy.Expr, optional
        The observable in the ``chi``'s (quadratic) or the ``tau``'s (trace).
    prefactor : sympy.Expr, optional
        The term's coefficient times the trace left by an exact average.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> te = model_equations(ridge)[0]
    >>> te.label, [str(d[0]) for d in te.definitions]
    ('test loss', ['tau_1', 'tau_2', 'chi_1', 'chi_2'])
    >>> te.ladder[0]
    Eq(chi_1, T*chi_2/(gamma + tau_1)**2)
    >>> te.prefactor
    C*sigma_w2/(2*M)
    """

    label: str
    term: LinearizedTerm
    definitions: list = field(default_factory=list)      # (symbol, text, latex)
    equations: list = field(default_factory=list)        # sympy Eq: tau_k = ...
    ladder: list = field(default_factory=list)           # sympy Eq: chi_k = ...
    observable: sympy.Expr = sympy.Integer(0)            # in the chi's (quadratic) or tau's (trace)
    prefactor: sympy.Expr = sympy.Integer(1)             # coefficient x trace left by the average

    def closed_form(self):
        """The observable with the ladder equations solved (a rational function of traces and taus).

        Returns
        -------
        sympy.Expr
            ``prefactor * observable`` with the ``chi``'s eliminated.
        """
        if not self.ladder:
            return self.prefactor * self.observable
        chis = [e.lhs for e in self.ladder]
        A = sympy.zeros(len(chis), len(chis))
        b = sympy.zeros(len(chis), 1)
        for r, e in enumerate(self.ladder):
            rhs = sympy.expand(e.rhs)
            for c, chi in enumerate(chis):
                A[r, c] = (1 if r == c else 0) - rhs.coeff(chi)
            b[r] = rhs.xreplace({chi: 0 for chi in chis})
        sol = A.LUsolve(b)
        return self.prefactor * self.observable.xreplace(dict(zip(chis, sol)))


def _block_name(i: int, j: int, letter: str = "G") -> str:
    return f"{letter}_{{{i + 1}{j + 1}}}" if i < 9 and j < 9 else f"{letter}_{{{i + 1},{j + 1}}}"


def _linear_trace(tr: SpaceTrace, chis: list):
    """``tr`` of a summand linear in the ``chi``'s, the ``chi``'s pulled out of the traces."""
    s = sympy.expand(tr.summand, deep=False)
    zero = {c: 0 for c in chis}
    out = trace_expression(SpaceTrace(tr.space, s.xreplace(zero)))
    for c in chis:
        d = sympy.diff(s, c)
        if d != 0:
            out += c * trace_expression(SpaceTrace(tr.space, d))
    return out


def model_equations(model, setting: str = "symbolic") -> list[TermEquations]:
    """The self-consistent Dyson and ladder equations of every observable term of a model, as formulas.

    See the module docstring.  Terms vanishing at the defaults of non-symbolic parameters (such as
    the label noise) are left out.

    Parameters
    ----------
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`).
    setting : {"symbolic", "numeric"}, optional
        As for :func:`~diagrams.analysis.dyson.term_system`.

    Returns
    -------
    list of TermEquations
        One per non-vanishing observable term.

    Raises
    ------
    ValueError
        If ``setting`` is not one of :data:`~diagrams.analysis.dyson.SETTINGS`.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> [str(e) for e in model_equations(ridge)[0].equations]
    ['Eq(tau_1, tr(Lambda/(Lambda*tau_2 + 1)))', 'Eq(tau_2, T/(gamma + tau_1))']
    """
    from diagrams.analysis.dyson_programs import term_values

    out = []
    for index, coef in term_values(model, None, symbolic=True):
        lin = linearize_term(model.observable[index], model.gamma)
        ts = term_system(lin, model, setting)
        te = TermEquations(model.observable[index].label or f"term {index + 1}", lin)
        for u in ts.dyson.unknowns:
            w = sympy.latex(u.weight) + " " if u.weight != 1 else ""
            te.definitions.append((u.symbol, f"tr({'' if u.weight == 1 else str(u.weight) + ' '}G_{u.blocks[0] + 1},{u.blocks[1] + 1})",
                                   rf"\operatorname{{tr}}\left({w}{_block_name(*u.blocks)}\right)"))
        te.equations = [sympy.Eq(u.symbol, trace_expression(e)) for u, e in zip(ts.dyson.unknowns, ts.dyson.equations)]
        chis = ts.ladder.symbols if ts.ladder is not None else []
        if ts.ladder is not None:
            for u in ts.ladder.unknowns:
                w = sympy.latex(u.weight) + " " if u.weight != 1 else ""
                te.definitions.append((u.symbol, f"tr({'' if u.weight == 1 else str(u.weight) + ' '}H_{u.blocks[0] + 1},{u.blocks[1] + 1})",
                                       rf"\operatorname{{tr}}\left({w}{_block_name(*u.blocks, 'H')}\right)"))
            te.ladder = [sympy.Eq(u.symbol, _linear_trace(e, chis)) for u, e in zip(ts.ladder.unknowns, ts.ladder.equations)]
        te.observable = sum((_linear_trace(o, chis) for o in ts.observable), sympy.Integer(0))
        factor = trace_expression(ts.trace_factor) if ts.trace_factor is not None else sympy.Integer(1)
        te.prefactor = coef * factor
        out.append(te)
    return out


def _names(model) -> dict:
    from diagrams.engine.symbols import LATEX_NAMES

    names = dict(LATEX_NAMES)
    names.update(model.notation)
    return names


def _latex(expr, model) -> str:
    names = _names(model)
    expr = sympy.sympify(expr)
    symbol_names = {}
    for s in expr.free_symbols:
        if s.name in names:
            symbol_names[s] = names[s.name]
    return sympy.latex(expr, symbol_names=symbol_names)


def equations_latex(model, equations: list[TermEquations] | None = None) -> str:
    r"""A model's self-consistent equations as LaTeX, one ``align*`` per observable term.

    Parameters
    ----------
    model : Model
        The declared model; its ``notation`` (and :data:`~diagrams.engine.symbols.LATEX_NAMES`) name
        the symbols.
    equations : list of TermEquations, optional
        From :func:`model_equations` (computed when ``None``).

    Returns
    -------
    str
        Per term a comment line ``% model: label`` and an ``align*`` with the definitions of the
        unknowns, the Dyson and ladder equations and the observable.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> tex = equations_latex(ridge)
    >>> print(tex.splitlines()[0])
    % ridge: test loss
    >>> print(tex.splitlines()[7])
    \tau_{2} &= \frac{T}{\gamma + \tau_{1}} \\
    """
    equations = model_equations(model) if equations is None else equations
    blocks = []
    for te in equations:
        lines = [f"% {model.name}: {te.label}"]
        rows = [rf"{sympy.latex(s)} &= {tex}" for s, _, tex in te.definitions]
        rows += [rf"{sympy.latex(e.lhs)} &= {_latex(e.rhs, model)}" for e in te.equations]
        rows += [rf"{sympy.latex(e.lhs)} &= {_latex(e.rhs, model)}" for e in te.ladder]
        rows.append(rf"\langle \mathcal{{O}} \rangle &= {_latex(te.prefactor, model)} \left({_latex(te.observable, model)}\right)")
        lines.append(r"\begin{align*}" + "\n" + " \\\\\n".join(rows) + "\n" + r"\end{align*}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def pencil_report(model) -> list[dict]:
    """The linearization pencil of each observable term as text tables and LaTeX.

    A quadratic term also gets its doubled pencil.

    Parameters
    ----------
    model : Model
        The declared model.

    Returns
    -------
    list of dict
        One per non-vanishing term: ``label``, ``kind``, ``coefficient``, ``blocks``, ``table``
        (:func:`~diagrams.analysis.pencil_display.pencil_table`), ``latex``, ``averaged``; a
        quadratic term also ``left_weight``, ``right_weight``, ``trace_factor``,
        ``doubled_blocks``, ``doubled_table`` and ``doubled_latex``.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> rep = pencil_report(ridge)[0]
    >>> rep["kind"], rep["blocks"], rep["doubled_blocks"]
    ('quadratic', ['train', 'latent'], ['train', 'latent', 'train', 'latent'])
    >>> print(rep["table"])
    block  space   1      2
    1      train   gamma  x^T
    2      latent  -x     1
    u = -1 at block 2; v = 1 at block 2
    """
    from diagrams.analysis.dyson_programs import term_values

    out = []
    notation = _names(model)
    for index, coef in term_values(model, None, symbolic=True):
        term = model.observable[index]
        lin = linearize_term(term, model.gamma)
        r = lin.realization
        item = {"label": term.label or f"term {index + 1}", "kind": lin.kind, "coefficient": str(coef),
                "blocks": [b.name for b in r.pencil.blocks], "table": pencil_table(r),
                "latex": pencil_latex(r, notation), "averaged": list(lin.averaged)}
        if lin.kind == "quadratic":
            item["left_weight"] = str(lin.left_weight)
            item["right_weight"] = str(lin.right_weight)
            item["trace_factor"] = str(lin.trace_factor)
            d = doubled_pencil(lin)
            item["doubled_blocks"] = [b.name for b in d.pencil.blocks]
            item["doubled_table"] = pencil_table(d)
            item["doubled_latex"] = pencil_latex(d, notation)
        out.append(item)
    return out
