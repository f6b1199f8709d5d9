r"""A quick SVG picture of a Wick contraction, so that it displays itself in Jupyter.

The letters of the word sit on a horizontal line in their cyclic order (the trace closes below);
each propagator is an arc above the line joining its two letters, coloured by its matrix, dashed
when its ribbon is twisted (a crosscap).  The caption gives the value, the Euler characteristic and
the orientability.  The publication-quality drawings (TikZ-Feynman, double lines, every index loop)
are in :mod:`diagrams.output.tikz`; this one needs no TeX and no matplotlib.

>>> from diagrams.engine.spaces import Space
>>> from diagrams.engine.matrices import GaussianMatrix
>>> from diagrams.engine.words import Word
>>> from diagrams.engine.wick import contractions
>>> V = Space("v", "n")
>>> A = GaussianMatrix("A", V, V)
>>> c = next(iter(contractions(Word.parse("A A^T A A^T", [A]))))
>>> svg = contraction_svg(c)
>>> svg.startswith("<svg") and svg.count("<path") == 2
True
"""

from __future__ import annotations

from html import escape

__all__ = ["contraction_svg", "PALETTE"]

#: Colours of the arcs, one per matrix in order of first appearance.
PALETTE = ("#1f3fb3", "#b3261e", "#2b7a2b", "#b36b00", "#6a1b9a", "#00838f", "#5d4037")


def contraction_svg(c, *, step: float = 34.0, height_per_level: float = 16.0) -> str:
    """A quick SVG picture of a Wick contraction: the letters on a line, one arc per propagator.

    The letters of the word sit on a horizontal line in their cyclic order (the trace closes below);
    each propagator is an arc above the line joining its two letters, coloured by its matrix (colours
    of :data:`PALETTE` in order of first appearance), dashed when its ribbon is twisted (a crosscap).
    Nested arcs are drawn higher.  The caption gives the value, the Euler characteristic and the
    orientability.

    Parameters
    ----------
    c : Contraction
        The contraction (:class:`~diagrams.engine.wick.Contraction`).
    step : float, optional
        Horizontal distance between letters, in pixels.
    height_per_level : float, optional
        Extra arc height per level of nesting, in pixels.

    Returns
    -------
    str
        The SVG document.

    See Also
    --------
    diagrams.output.tikz : publication-quality drawings (TikZ-Feynman, double lines, index loops).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.wick import contractions
    >>> V = Space("v", "n")
    >>> A = GaussianMatrix("A", V, V)
    >>> c = next(iter(contractions(Word.parse("A A^T A A^T", [A]))))
    >>> svg = contraction_svg(c)
    >>> svg.startswith("<svg") and svg.count("<path") == 2
    True
    """
    word = c.word
    L = len(word)
    pairs = list(c.pairs)
    twisted = c.twisted()
    # nesting depth of each pair for the arc heights
    depth = {}
    for (k, l) in sorted(pairs, key=lambda p: p[1] - p[0]):
        inner = [depth[q] for q in depth if k < q[0] and q[1] < l]
        depth[(k, l)] = 1 + (max(inner) if inner else 0)
    top = max(depth.values(), default=1)
    kind = "planar" if c.is_planar else ("orientable" if c.is_orientable else "non-orientable")
    caption = f"value {c.value}   χ = {c.euler_characteristic} ({kind})"
    width = max(step * (L + 1), 7.5 * len(caption) + step)      # the caption fits (13px sans-serif)
    base = 20 + height_per_level * (top + 1.5)
    colours = {}
    for a in word:
        colours.setdefault(a.matrix.name, PALETTE[len(colours) % len(PALETTE)])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{base + 52:.0f}" '
           f'viewBox="0 0 {width:.0f} {base + 52:.0f}" font-family="sans-serif" font-size="13">']
    x = [step * (k + 1) for k in range(L)]
    out.append(f'<line x1="{x[0] - step / 2:.1f}" y1="{base}" x2="{x[-1] + step / 2:.1f}" y2="{base}" '
               'stroke="#888" stroke-width="1"/>')
    for ((k, l), tw) in zip(pairs, twisted):
        h = height_per_level * (depth[(k, l)] + 0.6)
        col = colours[word[k].matrix.name]
        dash = ' stroke-dasharray="5,3"' if tw else ""
        out.append(f'<path d="M {x[k]:.1f} {base - 6} C {x[k]:.1f} {base - 6 - h:.1f}, {x[l]:.1f} '
                   f'{base - 6 - h:.1f}, {x[l]:.1f} {base - 6}" fill="none" stroke="{col}" stroke-width="2"{dash}/>')
    for k, a in enumerate(word):
        label = escape(a.matrix.name) + ("ᵀ" if a.transposed else "")
        out.append(f'<text x="{x[k]:.1f}" y="{base + 14}" text-anchor="middle" '
                   f'fill="{colours[a.matrix.name]}">{label}</text>')
    out.append(f'<text x="{x[0] - step / 2:.1f}" y="{base + 38}" fill="#333">{escape(caption)}</text>')
    out.append("</svg>")
    return "\n".join(out)
