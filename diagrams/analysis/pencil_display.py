r"""Pencils as text tables and LaTeX (``diagrams solve --pencil``).

>>> import sympy
>>> from diagrams.engine.spaces import Space
>>> from diagrams.engine.matrices import GaussianMatrix
>>> from diagrams.engine.expressions import as_expr
>>> from diagrams.analysis.pencil import linearize, reduce
>>> V, W = Space("v", "N"), Space("w", "T")
>>> X = GaussianMatrix("X", V, W)
>>> g = sympy.Symbol("gamma", positive=True)
>>> print(pencil_table(reduce(linearize(as_expr(X.T) @ X, g), g)))
block  space  1  2     3
1      w      1  -X^T  .
2      v      .  1     -X
3      w      .  .     1
u = 1 at block 1; v = 1 at block 3
"""

from __future__ import annotations

from typing import Mapping

import sympy

from diagrams.analysis.pencil import DiagonalSymbol, Entry, GaussianTerm, Realization

__all__ = ["entry_text", "pencil_table", "pencil_latex"]


def _term_text(t: GaussianTerm) -> str:
    body = str(t.letter)
    left, right = t.left, t.right
    coef, left_rest = sympy.sympify(left).as_coeff_Mul()
    parts = []
    if left_rest != 1:
        parts.append(str(left_rest))
    parts.append(body)
    if right != 1:
        parts.append(str(right))
    text = " ".join(parts)
    if coef == 1:
        return text
    if coef == -1:
        return "-" + text
    return f"{coef} {text}"


def entry_text(e: Entry) -> str:
    """One block of a linearization pencil as plain text.

    Parameters
    ----------
    e : Entry
        A block of a :class:`~diagrams.analysis.pencil.Pencil` (its constant part plus its Gaussian
        terms).

    Returns
    -------
    str
        The block as text: ``gamma``, ``-u^T``, ``Lambdahat + x``; ``.`` for zero.

    Examples
    --------
    >>> import sympy
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.expressions import as_expr
    >>> from diagrams.analysis.pencil import linearize, reduce
    >>> V, W = Space("v", "N"), Space("w", "T")
    >>> X = GaussianMatrix("X", V, W)
    >>> g = sympy.Symbol("gamma", positive=True)
    >>> p = reduce(linearize(as_expr(X.T) @ X, g), g).pencil
    >>> entry_text(p.entry(0, 1)), entry_text(p.entry(0, 0)), entry_text(p.entry(0, 2))
    ('-X^T', '1', '.')
    """
    if e.is_zero:
        return "."
    parts = []
    if e.constant != 0:
        parts.append(str(e.constant))
    for t in e.gaussian:
        txt = _term_text(t)
        if parts and not txt.startswith("-"):
            txt = "+ " + txt
        elif parts:
            txt = "- " + txt[1:]
        parts.append(txt)
    return " ".join(parts)


def _weights_text(w: Mapping) -> str:
    return ", ".join(f"{sympy.sympify(c)} at block {i + 1}" for i, c in sorted(w.items())) or "0"


def pencil_table(r: Realization) -> str:
    """A linearization pencil as a text table with its vectors ``u``, ``v`` and constant ``D0``.

    Parameters
    ----------
    r : Realization
        The linearization (:class:`~diagrams.analysis.pencil.Realization`): pencil, left and right
        weights and constant.

    Returns
    -------
    str
        One row per block (blocks numbered from 1, with their spaces), then a line
        ``u = ...; v = ...`` (with ``; D0 = ...`` when the constant is nonzero).

    Examples
    --------
    >>> import sympy
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.expressions import as_expr
    >>> from diagrams.analysis.pencil import linearize, reduce
    >>> V, W = Space("v", "N"), Space("w", "T")
    >>> X = GaussianMatrix("X", V, W)
    >>> g = sympy.Symbol("gamma", positive=True)
    >>> print(pencil_table(reduce(linearize(as_expr(X.T) @ X, g), g)))
    block  space  1  2     3
    1      w      1  -X^T  .
    2      v      .  1     -X
    3      w      .  .     1
    u = 1 at block 1; v = 1 at block 3
    """
    p = r.pencil
    n = len(p)
    cells = [["block", "space"] + [str(j + 1) for j in range(n)]]
    for i in range(n):
        cells.append([str(i + 1), p.blocks[i].name] + [entry_text(p.entry(i, j)) for j in range(n)])
    widths = [max(len(row[c]) for row in cells) for c in range(n + 2)]
    lines = ["  ".join(row[c].ljust(widths[c]) for c in range(n + 2)).rstrip() for row in cells]
    tail = f"u = {_weights_text(r.left)}; v = {_weights_text(r.right)}"
    if r.constant != 0:
        tail += f"; D0 = {r.constant}"
    return "\n".join(lines + [tail])


def _latex_name(name: str, notation: Mapping) -> str:
    from diagrams.engine.symbols import name_latex

    if name in notation:
        return notation[name]
    return name_latex(name)


def _expr_latex(expr, notation: Mapping) -> str:
    expr = sympy.sympify(expr)
    names = {s: _latex_name(s.name, notation) for s in expr.free_symbols
             if isinstance(s, DiagonalSymbol) or s.name in notation}
    return sympy.latex(expr, symbol_names=names)


def _entry_latex(e: Entry, notation: Mapping) -> str:
    if e.is_zero:
        return "0"
    parts = []
    if e.constant != 0:
        parts.append(_expr_latex(e.constant, notation))
    for t in e.gaussian:
        coef, left_rest = sympy.sympify(t.left).as_coeff_Mul()
        body = _latex_name(t.letter.matrix.name, notation) + (r"^{\top}" if t.letter.transposed else "")
        pieces = ([_expr_latex(left_rest, notation)] if left_rest != 1 else []) + [body] + \
            ([_expr_latex(t.right, notation)] if t.right != 1 else [])
        txt = " ".join(pieces)
        if coef == -1:
            txt = "-" + txt
        elif coef != 1:
            txt = _expr_latex(coef, notation) + " " + txt
        if parts and not txt.startswith("-"):
            txt = "+" + txt
        parts.append(txt)
    return " ".join(parts)


def pencil_latex(r: Realization, notation: Mapping | None = None) -> str:
    r"""A linearization pencil as a LaTeX ``bmatrix`` labelled by its blocks' sizes.

    The blocks are labelled by their spaces' size symbols.

    Parameters
    ----------
    r : Realization
        The linearization (:class:`~diagrams.analysis.pencil.Realization`).
    notation : Mapping, optional
        LaTeX for symbol and matrix names (``{"Lambdahat": r"\hat\Lambda"}``); names not in it are
        typeset by :func:`~diagrams.engine.symbols.name_latex`.

    Returns
    -------
    str
        ``L = \begin{bmatrix} ... \end{bmatrix} \quad (sizes)``.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.expressions import as_expr
    >>> from diagrams.analysis.pencil import linearize, reduce
    >>> V, W = Space("v", "N"), Space("w", "T")
    >>> X = GaussianMatrix("X", V, W)
    >>> g = sympy.Symbol("gamma", positive=True)
    >>> print(pencil_latex(reduce(linearize(as_expr(X.T) @ X, g), g)))
    L = \begin{bmatrix} 1 & -X^{\top} & 0 \\ 0 & 1 & -X \\ 0 & 0 & 1 \end{bmatrix} \quad (T, N, T)
    """
    notation = dict(notation or {})
    p = r.pencil
    rows = [" & ".join(_entry_latex(p.entry(i, j), notation) for j in range(len(p))) for i in range(len(p))]
    sizes = ", ".join(_expr_latex(b.size, notation) for b in p.blocks)
    return r"L = \begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix} \quad (" + sizes + ")"
