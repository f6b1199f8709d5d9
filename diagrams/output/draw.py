r"""Quick matplotlib rendering of a ribbon graph of any model (for notebooks), same layout as the TikZ code.

The geometry comes from :func:`diagrams.output.tikz.layout`: strands in the line style of their
index space (solid, dashed, dotted, wavy, dash-dotted), letters of the word under the trace,
diagonal matrices marked on their slot, twisted ribbons crossing at the top of their arc.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from diagrams.analysis.expansion import diagrams
>>> from diagrams.models.registry import load_model
>>> deep = load_model("deep-random-features")
>>> term, c = next(diagrams(deep, 1))
>>> ax = draw_diagram(c, notation=deep, caption=False)
>>> len(ax.lines) == len(layout(c).strands)
True
"""

from __future__ import annotations

from pathlib import Path

from diagrams.engine.wick import Contraction
from diagrams.output.tikz import Layout, Segment, diagram_caption, layout, wavy_points

__all__ = ["draw_diagram", "save_diagram", "COLORS", "mathtext"]

#: Colours of the strands, matching the TikZ styles of :data:`diagrams.output.tikz.TIKZ_PREAMBLE`.
COLORS = {"solid": "black", "dashed": "#1f3fb3", "dotted": "#2b7a2b", "wavy": "#b3261e", "dashdotted": "#b36b00"}
_LINESTYLES = {"solid": "-", "dashed": (0, (4, 2.5)), "dotted": (0, (1, 1.6)), "wavy": "-",
               "dashdotted": (0, (4, 1.5, 1, 1.5))}


def _sample(seg: Segment, n: int = 60) -> list[tuple[float, float]]:
    return [seg.point(i / (n - 1)) for i in range(n)]


def mathtext(tex: str) -> str:
    r"""LaTeX from :mod:`diagrams.output.latex` adapted to matplotlib's mathtext.

    Parameters
    ----------
    tex : str
        LaTeX as written by :mod:`diagrams.output.latex` (without the surrounding ``$``).

    Returns
    -------
    str
        The same with ``\operatorname{tr}`` written ``\mathrm{tr}`` and ``\mathcal{O}`` written
        ``O``, which mathtext does not know.

    Examples
    --------
    >>> mathtext(r"\operatorname{tr}\left(\Lambda\right) + \mathcal{O}(\gamma^{-2})")
    '\\mathrm{tr}\\left(\\Lambda\\right) + O(\\gamma^{-2})'
    """
    for a, b in ((r"\operatorname{tr}", r"\mathrm{tr}"), (r"\mathcal{O}", r"O")):
        tex = tex.replace(a, b)
    return tex


def draw_diagram(contraction: Contraction, ax=None, caption: bool | str = True, coefficient=1,
                 linewidth: float = 1.1, notation=None, **layout_options):
    r"""Draw a Wick contraction as a ribbon graph on a matplotlib axis.

    The geometry is that of :func:`~diagrams.output.tikz.layout` (the same as the TikZ code), the
    strands coloured by :data:`COLORS`.

    Parameters
    ----------
    contraction : Contraction
        The Wick contraction (pairing of the letters of a word) to draw.
    ax : matplotlib.axes.Axes, optional
        The axis to draw on; ``None`` (default) draws on a new figure sized to the diagram.
    caption : bool or str, optional
        ``True`` (default) writes the diagram's value (times ``coefficient``) under it, in
        ``notation``, with its topology when it is not planar; ``False`` writes nothing; a string is
        used as the caption instead.
    coefficient : int or sympy.Expr, optional
        Multiplies the value in the caption (default 1).
    linewidth : float, optional
        Line width of the strands, in points.
    notation : Model or Mapping, optional
        A model or a mapping naming the symbols (see :func:`~diagrams.output.latex.notation_of`).
    **layout_options
        Passed on to :func:`~diagrams.output.tikz.layout`.

    Returns
    -------
    matplotlib.axes.Axes
        The axis drawn on, with its frame turned off.

    See Also
    --------
    save_diagram : the same, written to a file.
    diagrams.output.tikz.tikz_diagram : the TikZ code of the same drawing.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from diagrams.analysis.expansion import diagrams
    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> term, c = next(diagrams(rf, 1))
    >>> ax = draw_diagram(c, notation=rf)
    >>> ax.texts[-1].get_text()
    '$N T \\hat{T} \\mathrm{tr}\\left(\\Lambda \\hat{\\Lambda} \\Sigma\\right)$'
    >>> draw_diagram(c, caption="first order").texts[-1].get_text()
    'first order'
    """
    import matplotlib.pyplot as plt

    lay: Layout = layout(contraction, notation=notation, **layout_options)
    if ax is None:
        width = max(3.0, 0.45 * (lay.xmax - lay.xmin) + 0.6)
        height = max(1.6, 0.45 * (lay.ymax - lay.ymin) + (0.8 if caption else 0.3))
        _, ax = plt.subplots(figsize=(width, height))
    for s in lay.strands:
        if s.style == "wavy":
            pts = wavy_points(s.segments, amplitude=0.045, wavelength=0.16, per_period=12)
        else:
            pts = []
            for seg in s.segments:
                sp = _sample(seg, 40)
                pts.extend(sp if not pts else sp[1:])
        xs, ys = zip(*pts)
        ax.plot(xs, ys, color=COLORS[s.style], linestyle=_LINESTYLES[s.style], linewidth=linewidth,
                solid_capstyle="round")
    for x, y, tex in lay.labels:
        ax.text(x, y, "$" + mathtext(tex) + "$", ha="center", va="center", fontsize=9)
    for (x, y, _), (lx, ly, tex) in zip(lay.marks, lay.mark_labels):
        ax.scatter([x], [y], s=9, color="black", zorder=3)
        ax.text(lx, ly, "$" + mathtext(tex) + "$", ha="center", va="center", fontsize=7)
    if caption:
        if caption is True:
            text = mathtext(diagram_caption(contraction, coefficient, notation=notation))
        else:
            text = str(caption)
        ax.text((lay.xmin + lay.xmax) / 2, lay.ymin - 0.3, text, ha="center", va="top", fontsize=9)
    ax.set_xlim(lay.xmin - 0.2, lay.xmax + 0.2)
    ax.set_ylim(lay.ymin - (0.9 if caption else 0.15), lay.ymax + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


def save_diagram(contraction: Contraction, path, dpi: int = 200, **options) -> Path:
    """Render a Wick contraction's ribbon graph to an image file.

    Parameters
    ----------
    contraction : Contraction
        The Wick contraction to draw.
    path : str or os.PathLike
        The file to write; its suffix (``.png``, ``.svg`` or ``.pdf``, any case) chooses the format.
    dpi : int, optional
        Resolution of a PNG (default 200).
    **options
        Passed on to :func:`draw_diagram` (``caption``, ``coefficient``, ``notation``, ...).

    Returns
    -------
    pathlib.Path
        ``path``.  The figure is closed after it is written.

    Raises
    ------
    ValueError
        If the suffix of ``path`` is not ``.png``, ``.svg`` or ``.pdf``.

    Examples
    --------
    >>> import os, tempfile
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from diagrams.analysis.expansion import diagrams
    >>> from diagrams.models.registry import load_model
    >>> term, c = next(diagrams(load_model("ridge"), 1))
    >>> out = save_diagram(c, os.path.join(tempfile.mkdtemp(), "d.png"), dpi=50)
    >>> out.name, out.exists()
    ('d.png', True)
    >>> save_diagram(c, "d.jpg")
    Traceback (most recent call last):
    ...
    ValueError: path: use a .png, .svg or .pdf file name, got 'd.jpg'
    """
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise ValueError(f"path: use a .png, .svg or .pdf file name, got {path.name!r}")
    ax = draw_diagram(contraction, **options)
    fig = ax.figure
    try:
        fig.savefig(path, dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
