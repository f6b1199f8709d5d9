r"""Ribbon graphs drawn in the double-line convention, as TikZ-Feynman code with explicit coordinates.

A one-trace contraction of any model is drawn along a horizontal line, the trace: letter ``k`` of
the word sits at ``x = k`` with two *ports* at ``x = k -/+ d``, the ends of its two index strands.
Between letters, the index of slot ``k`` runs along the line from the right port of letter ``k-1`` to
the left port of letter ``k``; slot 0, which closes the trace, runs back underneath the letter
labels.  Deterministic diagonal matrices at a slot are marked on its strand (a dot and their name).
Each propagator is a ribbon of two strands above the line joining the ports of its two letters:

* untwisted: the outer strand joins the outer ports, the inner strand the inner ports, so the
  ribbons of a planar diagram are nested, non-crossing arcs;
* twisted: the two strands cross at the top of the arc (a half twist).

Every strand is drawn in the line style of its index space (one of the five
:data:`~diagrams.engine.spaces.LINE_STYLES`: solid, dashed, dotted, wavy, dashdotted), so each index
loop (face) of the diagram is a closed curve of one style.  The geometry is computed here
(:func:`layout`) and shared by the TikZ writer (:func:`tikz_diagram`) and the matplotlib renderer
(:mod:`diagrams.output.draw`).  The TikZ code uses the ``feynman`` environment with ``\vertex`` at
explicit coordinates and edges drawn with ``\draw[strand ...] (a) to[out=.., in=.., ...] (b);`` in
TikZ-Feynman styles, so it compiles with pdflatex (no LuaTeX graph drawing).  The styles
``strand solid``, ``strand dashed``, ``strand dotted``, ``strand wavy``, ``strand dashdotted`` are
defined in :data:`TIKZ_PREAMBLE` on top of TikZ-Feynman's ``plain``, ``scalar`` and ``ghost`` (the
wavy one is a thinner ``photon``).  Edges are not written as ``\diagram*`` graphs: with explicit
coordinates they draw the same and typeset twice as fast.  :func:`legend_tikz` shows the styles of
the spaces it is given, :func:`diagram_caption` the weight of a diagram (and its topology when it
is not planar) in a model's notation.

>>> from diagrams.analysis.expansion import diagrams
>>> from diagrams.models.registry import load_model
>>> term, c = next(diagrams(load_model("random-features"), 1))
>>> lay = layout(c)
>>> len(lay.strands), len(lay.labels)
(12, 6)
>>> code = tikz_diagram(c)
>>> code.count("\\vertex"), code.count("strand wavy explicit"), code.startswith("\\begin{tikzpicture}")
(18, 6, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import sympy

from diagrams.engine.numbers import read_integer, read_real
from diagrams.engine.ribbon import ribbon_graph
from diagrams.engine.spaces import Space
from diagrams.engine.wick import Contraction
from diagrams.output.latex import NotationPrinter, letter_latex, notation_of, to_latex, word_latex

__all__ = [
    "Segment",
    "Strand",
    "Layout",
    "layout",
    "tikz_diagram",
    "letter_latex",
    "word_latex",
    "diagram_caption",
    "TIKZ_PREAMBLE",
    "STYLE_NAMES",
    "legend_tikz",
    "topology_text",
    "wavy_points",
]

#: TikZ-Feynman edge style for each line style of :data:`diagrams.engine.spaces.LINE_STYLES`.
STYLE_NAMES = {"solid": "strand solid", "dashed": "strand dashed", "dotted": "strand dotted",
               "wavy": "strand wavy", "dashdotted": "strand dashdotted"}

#: What a document needs for :func:`tikz_diagram`: TikZ-Feynman and the five strand styles.
TIKZ_PREAMBLE = r"""\usepackage[compat=1.1.0]{tikz-feynman}
% explicit coordinates everywhere: no LuaTeX graph drawing, and no warning about it
\tikzfeynmanset{warn luatex=false, every medium@@/.style={/tikz/node distance=1.5cm}}
\tikzfeynmanset{
  strand solid/.style={/tikzfeynman/plain, /tikz/color=black},
  strand dashed/.style={/tikzfeynman/scalar, /tikz/color=blue!70!black},
  strand dashdotted/.style={/tikzfeynman/plain, /tikz/dash pattern={on 3pt off 1.5pt on 0.8pt off 1.5pt}, /tikz/color=orange!70!black},
  strand dotted/.style={/tikz/draw=none, /tikz/decoration={name=none},
    /tikz/postaction={/tikz/draw, /tikz/dotted, /tikz/thick, /tikz/color=green!45!black}},
  strand wavy/.style={/tikz/draw=none, /tikz/decoration={name=none},
    /tikz/postaction={/tikz/draw, /tikz/color=red!75!black, /tikz/decoration={snake,
      amplitude=0.3mm, segment length=1.1mm}, /tikz/decorate=true}},
}
\tikzset{strand wavy explicit/.style={color=red!75!black}}
% computed waves (tikz_diagram(..., wavy="explicit")): pgf basic-layer path steps, in pt
\providecommand{\nslM}[2]{\pgfpathmoveto{\pgfqpoint{#1pt}{#2pt}}}
\providecommand{\nslL}[2]{\pgfpathlineto{\pgfqpoint{#1pt}{#2pt}}}"""

#: Amplitude and wave length of latent (wavy) strands, cm (as in the ``strand wavy`` style).
WAVE_AMPLITUDE_CM = 0.03
WAVE_LENGTH_CM = 0.11
_PT_PER_CM = 72.27 / 2.54

Point = tuple[float, float]


@dataclass(frozen=True)
class Segment:
    """A cubic Bezier curve ``p0 -> p3`` with control points ``c1``, ``c2``.

    The pieces of a strand of a ribbon graph, in units of the letter spacing.

    Parameters
    ----------
    p0, p3 : tuple of float
        The end points ``(x, y)``.
    c1, c2 : tuple of float
        The control points next to ``p0`` and to ``p3``.

    Examples
    --------
    >>> s = Segment.line((0, 0), (3, 0))
    >>> s.c1, s.is_straight, s.point(0.5)
    ((1.0, 0.0), True, (1.5, 0.0))
    >>> arch = Segment((0, 0), (0, 1), (1, 1), (1, 0))
    >>> arch.is_straight, arch.point(0.5)
    (False, (0.5, 0.75))
    """

    p0: Point
    c1: Point
    c2: Point
    p3: Point

    @classmethod
    def line(cls, a: Point, b: Point) -> "Segment":
        """The straight segment from ``a`` to ``b`` (control points at its thirds)."""
        return cls(a, _lerp(a, b, 1 / 3), _lerp(a, b, 2 / 3), b)

    @property
    def is_straight(self) -> bool:
        """Whether both control points lie on the line through the end points (to 1e-9)."""
        def off(p):
            (x0, y0), (x3, y3) = self.p0, self.p3
            return abs((x3 - x0) * (p[1] - y0) - (y3 - y0) * (p[0] - x0))
        return off(self.c1) < 1e-9 and off(self.c2) < 1e-9

    def point(self, t: float) -> Point:
        """The point of the curve at parameter ``t`` (``0``: ``p0``, ``1``: ``p3``)."""
        u = 1 - t
        return tuple(u ** 3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t ** 3 * d
                     for a, b, c, d in zip(self.p0, self.c1, self.c2, self.p3))


def _lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def wavy_points(segments, amplitude: float, wavelength: float, per_period: int = 8) -> list[Point]:
    """Points of a sine wave laid along a chain of segments, for a wavy (latent) strand.

    The wave has a whole number of periods (at least one, the nearest to the length of the chain
    over ``wavelength``), so it is zero at both ends; it is measured along the arc length of the
    chain and displaced along its normal.

    Parameters
    ----------
    segments : sequence of Segment
        The chain, each segment starting where the previous one ends.
    amplitude : float
        Amplitude of the wave, in the units of the segments.
    wavelength : float
        Wanted wave length, in the units of the segments (> 0).
    per_period : int, optional
        Points per period (default 8).

    Returns
    -------
    list of tuple of float
        ``periods * per_period + 1`` points ``(x, y)`` from the start to the end of the chain; for
        a chain of zero length its points unchanged.

    Raises
    ------
    ValueError
        If ``wavelength`` is not a number > 0 or ``per_period`` not an integer in ``[2, 10^4]``.

    Examples
    --------
    >>> pts = wavy_points([Segment.line((0, 0), (1, 0))], amplitude=0.1, wavelength=0.5, per_period=4)
    >>> [(round(x, 3), round(y, 3) + 0) for x, y in pts[:4]]
    [(0.0, 0.0), (0.125, 0.1), (0.25, 0.0), (0.375, -0.1)]
    >>> len(pts), pts[-1][0]
    (9, 1.0)
    """
    import numpy as np

    parts = []
    wavelength = read_real(wavelength, "wavelength", minimum=0, strict_minimum=True)
    per_period = read_integer(per_period, "per_period", minimum=2, maximum=10 ** 4)
    for seg in segments:
        ts = np.linspace(0.0, 1.0, 2 if seg.is_straight else 33)
        u = 1 - ts
        pts = (np.outer(u ** 3, seg.p0) + np.outer(3 * u * u * ts, seg.c1) + np.outer(3 * u * ts * ts, seg.c2)
               + np.outer(ts ** 3, seg.p3))
        parts.append(pts if not parts else pts[1:])
    dense = np.concatenate(parts)
    steps = np.diff(dense, axis=0)
    lengths = np.hypot(steps[:, 0], steps[:, 1])
    keep = np.concatenate([[True], lengths > 1e-12])
    dense = dense[keep]
    steps = np.diff(dense, axis=0)
    lengths = np.hypot(steps[:, 0], steps[:, 1])
    s = np.concatenate([[0.0], np.cumsum(lengths)])
    total = float(s[-1])
    if total <= 0 or len(lengths) == 0:
        return [tuple(p) for p in dense]
    periods = max(1, round(total / wavelength))
    target = np.linspace(0.0, total, periods * per_period + 1)
    j = np.clip(np.searchsorted(s, target, side="right") - 1, 0, len(lengths) - 1)
    frac = np.clip((target - s[j]) / lengths[j], 0.0, 1.0)
    base = dense[j] + frac[:, None] * steps[j]
    normal = np.stack([-steps[j, 1], steps[j, 0]], axis=1) / lengths[j][:, None]
    off = amplitude * np.sin(2 * np.pi * periods * target / total)
    out = base + normal * off[:, None]
    return [(float(x), float(y)) for x, y in out]


@dataclass
class Strand:
    """One index line of a drawn ribbon graph: a chain of segments drawn in one style.

    ``kind`` is ``"edge"`` (a strand of propagator ``edge``) or ``"trace"`` (the index of ``slot``
    running along the trace between two letters).

    Parameters
    ----------
    style : str
        Line style of the index space, one of :data:`~diagrams.engine.spaces.LINE_STYLES`.
    space : str
        Name of the index space.
    covariance : str or None
        Name of the covariance carried by a propagator strand; ``None`` on the trace.
    segments : list of Segment
        The chain of Bezier segments.
    kind : {'edge', 'trace'}
        A strand of a propagator, or a piece of the trace.
    edge : int or None, optional
        The propagator's index, for ``kind="edge"``.
    slot : int or None, optional
        The slot (index between letters ``slot-1`` and ``slot``; 0 closes the trace underneath),
        for ``kind="trace"``.

    Examples
    --------
    >>> from diagrams.analysis.expansion import diagrams
    >>> from diagrams.models.registry import load_model
    >>> term, c = next(diagrams(load_model("ridge"), 1))
    >>> s = layout(c).strands[0]
    >>> s.kind, s.style, s.space, s.slot
    ('trace', 'wavy', 'latent', 1)
    """

    style: str
    space: str
    covariance: str | None
    segments: list[Segment]
    kind: str
    edge: int | None = None
    slot: int | None = None


@dataclass
class Layout:
    r"""Geometry of a drawn diagram in units of the letter spacing (``y`` up, trace at ``y = 0``).

    Made by :func:`layout`; read by :func:`tikz_diagram` and :func:`diagrams.output.draw.draw_diagram`.

    Parameters
    ----------
    strands : list of Strand
        The index lines: trace pieces, then two strands per propagator.
    labels : list of tuple
        ``(x, y, LaTeX)`` of the letters of the word, under the trace.
    crossings : list of tuple of float, optional
        ``(x, y)`` where the strands of a twisted ribbon cross.
    marks : list of tuple, optional
        Diagonal matrices at slots: ``(x, y, LaTeX)`` of the dot on the strand.
    mark_labels : list of tuple, optional
        ``(x, y, LaTeX)`` of their names beside the dots.
    xmin, xmax, ymin, ymax : float, optional
        The bounding box of the drawing.

    Examples
    --------
    >>> from diagrams.analysis.expansion import diagrams
    >>> from diagrams.models.registry import load_model
    >>> term, c = next(diagrams(load_model("ridge"), 1))
    >>> lay = layout(c)
    >>> [tex for x, y, tex in lay.labels]
    ['\\hat{x}^{\\top}', 'x', 'x^{\\top}', '\\hat{x}']
    >>> len(lay.strands), lay.crossings, (lay.ymin, lay.ymax)
    (8, [], (-0.95, 1.65))
    """

    strands: list[Strand]
    labels: list[tuple[float, float, str]]
    crossings: list[Point] = field(default_factory=list)
    #: Diagonal matrices at slots: ``(x, y, LaTeX)`` of the dot on the strand, the name beside it.
    marks: list[tuple[float, float, str]] = field(default_factory=list)
    mark_labels: list[tuple[float, float, str]] = field(default_factory=list)
    xmin: float = 0.0
    xmax: float = 0.0
    ymin: float = 0.0
    ymax: float = 0.0


def _levels(pairs: list[tuple[int, int]]) -> list[int]:
    """Height level of each arc: 0 for an arc with no other arc's end under it, else one more than
    the highest arc (shorter, or as long and earlier) with an end strictly inside it.  Nested arcs
    stack up, and of two crossing arcs the longer one is higher."""
    order = sorted(range(len(pairs)), key=lambda i: (pairs[i][1] - pairs[i][0], pairs[i]))
    level = [0] * len(pairs)
    done: list[int] = []
    for i in order:
        k, l = pairs[i]
        under = [level[j] for j in done if k < pairs[j][0] < l or k < pairs[j][1] < l]
        level[i] = 1 + max(under) if under else 0
        done.append(i)
    return level


def layout(c: Contraction, ribbon: float = 0.2, base_height: float = 0.75, step: float = 0.7,
           corner: float = 1.0, label_depth: float = 0.42, loop_depth: float = 0.95, notation=None) -> Layout:
    """The double-line drawing of a one-trace Wick contraction (see the module docstring).

    Letter ``k`` of the word sits at ``x = k``; each propagator is a ribbon above the trace, nested
    arcs stacked by level (of two crossing arcs the longer one is higher), a twisted ribbon's
    strands crossing at the top of its arc.

    Parameters
    ----------
    c : Contraction
        The contraction to draw.
    ribbon : float, optional
        Half width of a ribbon, in ``(0, 0.4)`` letter spacings (default 0.2).
    base_height : float, optional
        Height of the innermost arc.
    step : float, optional
        Extra height per nesting level.
    corner : float, optional
        Radius of the rounded corners of the arcs.
    label_depth : float, optional
        Depth of the letter labels under the trace.
    loop_depth : float, optional
        Depth of the strand of slot 0, which closes the trace underneath the labels.
    notation : Model or Mapping, optional
        Gives the LaTeX of the letters and diagonal matrices (see
        :func:`~diagrams.output.latex.notation_of`).

    Returns
    -------
    Layout
        The geometry, lengths in units of the letter spacing.

    Raises
    ------
    ValueError
        If ``c`` is not a :class:`~diagrams.engine.wick.Contraction`, or ``ribbon`` is not in
        ``(0, 0.4)``.

    Examples
    --------
    >>> from diagrams.analysis.expansion import diagrams
    >>> from diagrams.models.registry import load_model
    >>> term, c = next(diagrams(load_model("ridge"), 1))
    >>> lay = layout(c)
    >>> [s.kind for s in lay.strands].count("edge")
    4
    >>> layout(c, ribbon=0.5)
    Traceback (most recent call last):
    ...
    ValueError: ribbon: half width must be in (0, 0.4) letter spacings, got 0.5
    """
    if not isinstance(c, Contraction):
        raise ValueError(f"c: expected a Contraction, got {type(c).__name__}")
    if not 0 < ribbon < 0.4:
        raise ValueError(f"ribbon: half width must be in (0, 0.4) letter spacings, got {ribbon}")
    G = ribbon_graph(c)
    w = c.word
    n = len(w)
    d = ribbon
    port = {}
    for k in range(n):
        port[(k, "L")] = (k - d, 0.0)
        port[(k, "R")] = (k + d, 0.0)

    strands: list[Strand] = []
    # the trace: slot k between letters k-1 and k, slot 0 closing underneath
    for k in range(1, n):
        sp = w.slot_space(k)
        strands.append(Strand(sp.style, sp.name, None, [Segment.line(port[(k - 1, "R")], port[(k, "L")])],
                              "trace", slot=k))
    sp0 = w.slot_space(0)
    a, b = port[(n - 1, "R")], port[(0, "L")]
    y = -loop_depth
    r = loop_depth * 0.55
    closing = [
        Segment(a, (a[0] + r, a[1]), (a[0] + r, y), (a[0], y)),
        Segment.line((a[0], y), (b[0], y)),
        Segment((b[0], y), (b[0] - r, y), (b[0] - r, b[1]), b),
    ]
    strands.append(Strand(sp0.style, sp0.name, None, closing, "trace", slot=0))

    # propagators
    edges = sorted(G.edges(keys=True, data=True), key=lambda e: e[2])
    pairs = [tuple(data["ends"]) for _, _, _, data in edges]
    levels = _levels(pairs)
    glue = c.gluings()
    crossings: list[Point] = []
    ymax = 0.0
    for (_, _, i, data), lev in zip(edges, levels):
        k, l = data["ends"]
        H = base_height + step * lev
        ymax = max(ymax, H + d)
        sides = []
        for g in (glue[2 * i], glue[2 * i + 1]):
            sa, sb, cov = g
            side_k = "L" if sa == k else "R"
            side_l = "L" if sb == l else "R"
            space = w.slot_space(sa)
            strand = _match_strand(data["strands"], space.name, cov)
            sides.append((side_k, side_l, strand))
        twisted = sides[0][0] == sides[0][1]
        if twisted != bool(data["twisted"]):
            raise AssertionError(f"edge {i}: port sides {sides[0][:2]} disagree with twisted={data['twisted']}")
        m = (k + l) / 2
        for side_k, side_l, strand in sides:
            p, q = port[(k, side_k)], port[(l, side_l)]
            h_left = H + d if side_k == "L" else H - d
            if not twisted:
                segs = _arc(p[0], q[0], h_left, h_left, corner + (h_left - H), m, 0.0)
            else:  # the strand changes sides in the middle of the ribbon: a half twist
                h_right = 2 * H - h_left
                segs = _arc(p[0], q[0], h_left, h_right, corner, m, min(0.6, (l - k) / 4))
            strands.append(Strand(strand["style"], strand["space"], strand["covariance"], segs, "edge", edge=i))
        if twisted:
            crossings.append((m, H))
    notation = notation_of(notation)
    labels = [(float(k), -label_depth, letter_latex(a, notation)) for k, a in enumerate(w)]
    marks, mark_labels = [], []
    printer = NotationPrinter(notation)
    ymin = -loop_depth
    for k in range(n):
        decs = w.decoration(k)
        if not decs:
            continue
        tex = " ".join(notation.get(dd.name) or dd.latex or printer.name_latex(dd.name) for dd in decs)
        if k == 0:  # on the closing strand, under the letters
            x = (n - 1) / 2
            marks.append((x, -loop_depth, tex))
            mark_labels.append((x, -loop_depth - 0.25, tex))
            ymin = -loop_depth - 0.45
        else:  # between two letters, under the lowest arcs
            marks.append((k - 0.5, 0.0, tex))
            mark_labels.append((k - 0.5, 0.24, tex))
    return Layout(strands, labels, crossings, marks, mark_labels, xmin=-d - loop_depth * 0.45,
                  xmax=n - 1 + d + loop_depth * 0.45, ymin=ymin, ymax=ymax)


_KAPPA = 0.5523  # cubic Bezier control distance of a quarter circle of radius 1


def _arc(x0: float, x3: float, h_left: float, h_right: float, r: float, m: float, w: float) -> list[Segment]:
    """A strand from the foot ``(x0, 0)`` up, along the top and down to ``(x3, 0)``: a rectangle with
    rounded corners of radius ``r``, at height ``h_left`` left of ``m - w`` and ``h_right`` right of
    ``m + w`` (an S-bend between them when the heights differ, i.e. for a twisted ribbon).

    Rounded rectangles of nested ribbons nest without touching, which arcs of one shape do not.
    """
    segs: list[Segment] = []

    def line(a, b):
        if math.dist(a, b) > 1e-9:
            segs.append(Segment.line(a, b))

    k = _KAPPA
    if h_left == h_right:
        r = max(0.0, min(r, (x3 - x0) / 2, h_left))
        line((x0, 0.0), (x0, h_left - r))
        if r > 0:
            segs.append(Segment((x0, h_left - r), (x0, h_left - r + k * r), (x0 + r - k * r, h_left), (x0 + r, h_left)))
        line((x0 + r, h_left), (x3 - r, h_right))
        if r > 0:
            segs.append(Segment((x3 - r, h_right), (x3 - r + k * r, h_right), (x3, h_right - r + k * r), (x3, h_right - r)))
        line((x3, h_right - r), (x3, 0.0))
        return segs
    rl = max(0.0, min(r, m - w - x0, h_left))
    rr = max(0.0, min(r, x3 - (m + w), h_right))
    line((x0, 0.0), (x0, h_left - rl))
    if rl > 0:
        segs.append(Segment((x0, h_left - rl), (x0, h_left - rl + k * rl), (x0 + rl - k * rl, h_left), (x0 + rl, h_left)))
    line((x0 + rl, h_left), (m - w, h_left))
    segs.append(Segment((m - w, h_left), (m, h_left), (m, h_right), (m + w, h_right)))
    line((m + w, h_right), (x3 - rr, h_right))
    if rr > 0:
        segs.append(Segment((x3 - rr, h_right), (x3 - rr + k * rr, h_right), (x3, h_right - rr + k * rr), (x3, h_right - rr)))
    line((x3, h_right - rr), (x3, 0.0))
    return segs


def _match_strand(strands, space: str, cov) -> dict:
    for s in strands:
        if s["space"] == space and s["covariance"] == cov:
            return s
    for s in strands:
        if s["space"] == space:
            return s
    raise AssertionError(f"no strand of space {space!r} on this edge: {strands}")


def _fmt(v: float, digits: int = 3) -> str:
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _angle(a: Point, b: Point) -> float:
    return math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))


def tikz_diagram(c: Contraction, scale: float = 0.42, labels: bool = True, wavy: str = "explicit",
                 notation=None, **layout_options) -> str:
    r"""TikZ-Feynman code of a Wick contraction's ribbon graph, a ``tikzpicture``.

    The document needs :data:`TIKZ_PREAMBLE`.  Vertices sit at explicit coordinates and every strand
    is an edge ``\draw[strand style] (a) to[out=.., in=.., out distance=.., in distance=..] (b);``,
    the cubic Bezier curve of :func:`layout`.

    ``notation`` (a model or a mapping) gives the LaTeX of the letters and diagonal matrices.

    ``wavy="decorate"`` draws latent strands the same way with TikZ's ``snake`` decoration (style
    ``strand wavy``).  The default ``"explicit"`` computes the wave here and draws it as a polyline
    with pgf's basic layer (``\nslM``/``\nslL`` of :data:`TIKZ_PREAMBLE`) in a
    ``strand wavy explicit`` scope, which typesets several times faster: decorating curved paths
    (or parsing long TikZ coordinate lists) is what makes documents with many diagrams slow.

    Parameters
    ----------
    c : Contraction
        The contraction to draw.
    scale : float, optional
        The letter spacing in cm, > 0 (default 0.42).
    labels : bool, optional
        Write the letters and the names of the diagonal matrices (default True).
    wavy : {'explicit', 'decorate'}, optional
        How latent (wavy) strands are drawn, see above.
    notation : Model or Mapping, optional
        Gives the LaTeX of the letters and diagonal matrices.
    **layout_options
        Passed on to :func:`layout` (``ribbon``, ``base_height``, ...).

    Returns
    -------
    str
        The code, from ``\begin{tikzpicture}`` to ``\end{tikzpicture}``.

    Raises
    ------
    ValueError
        If ``scale`` is not > 0, ``wavy`` is neither ``"explicit"`` nor ``"decorate"``, or
        :func:`layout` refuses its arguments.

    Examples
    --------
    >>> from diagrams.analysis.expansion import diagrams
    >>> from diagrams.models.registry import load_model
    >>> term, c = next(diagrams(load_model("ridge"), 1))
    >>> code = tikz_diagram(c, wavy="decorate")
    >>> print(code.splitlines()[0])
    \begin{tikzpicture}[x=0.42cm, y=0.42cm, baseline=(current bounding box.center)]
    >>> code.count("strand wavy]"), "nslL" in tikz_diagram(c)
    (11, True)
    >>> tikz_diagram(c, wavy="snake")
    Traceback (most recent call last):
    ...
    ValueError: wavy: must be 'explicit' or 'decorate', got 'snake'
    """
    if not scale > 0:
        raise ValueError(f"scale: must be > 0 cm, got {scale}")
    if wavy not in ("explicit", "decorate"):
        raise ValueError(f"wavy: must be 'explicit' or 'decorate', got {wavy!r}")
    lay = layout(c, notation=notation, **layout_options)
    names: dict[tuple[float, float], str] = {}
    vertices: list[str] = []

    def vertex(p: Point) -> str:
        key = (round(p[0], 4), round(p[1], 4))
        if key not in names:
            names[key] = f"v{len(names)}"
            vertices.append(r"\vertex (%s) at (%s, %s);" % (names[key], _fmt(p[0]), _fmt(p[1])))
        return names[key]

    edges = []
    plots = []
    for s in lay.strands:
        style = STYLE_NAMES[s.style]
        if s.style == "wavy" and wavy == "explicit":
            pts = wavy_points(s.segments, WAVE_AMPLITUDE_CM / scale, WAVE_LENGTH_CM / scale, per_period=6)
            pt = scale * _PT_PER_CM
            path = ["\\nslM{%s}{%s}" % (_fmt(pts[0][0] * pt, 2), _fmt(pts[0][1] * pt, 2))]
            path += ["\\nslL{%s}{%s}" % (_fmt(x * pt, 2), _fmt(y * pt, 2)) for x, y in pts[1:]]
            plots.append("\\begin{scope}[strand wavy explicit]%s\\pgfusepath{stroke}\\end{scope}" % "".join(path))
            continue
        for seg in s.segments:
            a, b = vertex(seg.p0), vertex(seg.p3)
            if seg.is_straight:
                edges.append(f"\\draw[{style}] ({a}) -- ({b});")
                continue
            out_d = math.dist(seg.p0, seg.c1) * scale
            in_d = math.dist(seg.p3, seg.c2) * scale
            edges.append(f"\\draw[{style}] ({a}) to[out={_fmt(_angle(seg.p0, seg.c1))}, in={_fmt(_angle(seg.p3, seg.c2))}, "
                         f"out distance={_fmt(out_d)}cm, in distance={_fmt(in_d)}cm] ({b});")
    lines = [r"\begin{tikzpicture}[x=%scm, y=%scm, baseline=(current bounding box.center)]" % (_fmt(scale), _fmt(scale)),
             r"\begin{feynman}"]
    lines += vertices
    lines += edges
    lines.append(r"\end{feynman}")
    lines += plots
    for x, y, _ in lay.marks:
        lines.append(r"\fill (%s, %s) circle[radius=0.06];" % (_fmt(x), _fmt(y)))
    if labels:
        for x, y, tex in lay.labels:
            lines.append(r"\node[font=\scriptsize, inner sep=0pt] at (%s, %s) {$%s$};" % (_fmt(x), _fmt(y), tex))
        for x, y, tex in lay.mark_labels:
            lines.append(r"\node[font=\tiny, inner sep=0pt] at (%s, %s) {$%s$};" % (_fmt(x), _fmt(y), tex))
    lines.append(r"\end{tikzpicture}")
    return "\n".join(lines)


def topology_text(c: Contraction) -> str:
    r"""The topology of a non-planar diagram in words, with its Euler characteristic.

    For example ``$\chi = 0$, orientable, genus 1`` or ``$\chi = 1$, non-orientable, 1 cross-cap``
    (Euler characteristic ``chi = V - E + F``, one vertex); ``""`` for a planar diagram.

    Parameters
    ----------
    c : Contraction
        The contraction.

    Returns
    -------
    str
        The text (LaTeX for ``\chi``): genus ``(2 - chi)/2`` of an orientable surface, ``2 - chi``
        cross-caps of a non-orientable one; ``""`` when planar.

    Examples
    --------
    >>> from diagrams.analysis.expansion import diagrams
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> term, c = next(diagrams(ridge, 1))
    >>> topology_text(c)
    ''
    >>> term, c = next((t, c) for t, c in diagrams(ridge, 3, "all") if not c.is_planar and c.is_orientable)
    >>> topology_text(c)
    '$\\chi = 0$, orientable, genus 1'
    """
    if c.is_planar:
        return ""
    chi = c.euler_characteristic
    if c.is_orientable:
        return r"$\chi = %d$, orientable, genus %d" % (chi, (2 - chi) // 2)
    k = 2 - chi
    return r"$\chi = %d$, non-orientable, %d cross-cap%s" % (chi, k, "" if k == 1 else "s")


def diagram_caption(c: Contraction, coefficient=1, notation=None, topology: bool = True, **latex_settings) -> str:
    r"""The weight of a diagram as inline math, for a caption.

    The weight is ``coefficient`` times the diagram's value (the product of its face values),
    printed by :func:`diagrams.output.latex.to_latex` in ``notation``; for a non-planar diagram
    (with ``topology``) followed by :func:`topology_text`.

    Parameters
    ----------
    c : Contraction
        The contraction.
    coefficient : int or sympy.Expr, optional
        Multiplies the value (default 1), e.g. the coefficient of the term of the expansion.
    notation : Model or Mapping, optional
        As for :func:`~diagrams.output.latex.notation_of`.
    topology : bool, optional
        Add the topology of a non-planar diagram (default True).
    **latex_settings
        Go to sympy's LaTeX printer.

    Returns
    -------
    str
        ``"$...$"``, then ``", "`` and the topology text when there is one.

    Examples
    --------
    >>> from diagrams.analysis.expansion import diagrams
    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> term, c = next(diagrams(rf, 0))
    >>> diagram_caption(c, term.coefficient, notation=rf)
    '$\\hat{T} \\operatorname{tr}\\left(\\hat{\\Lambda}\\right)$'
    >>> term, c = next((t, c) for t, c in diagrams(rf, 2, "all") if not c.is_planar)
    >>> diagram_caption(c, term.coefficient, notation=rf).split("$, ")[-1]
    'non-orientable, 1 cross-cap'
    """
    text = "$" + to_latex(sympy.sympify(coefficient) * c.value, notation=notation, **latex_settings) + "$"
    top = topology_text(c) if topology else ""
    return text + (", " + top if top else "")


def legend_tikz(spaces, notation=None, scale: float = 0.42) -> str:
    r"""A one-line LaTeX legend of the line styles of index spaces.

    Each space gets a strand sample (a small TikZ-Feynman picture), its name and its size, the
    entries separated by ``\quad``.

    Parameters
    ----------
    spaces : dict or iterable of Space
        A model's ``spaces`` mapping (its values are used) or a list of
        :class:`~diagrams.engine.spaces.Space`.
    notation : Model or Mapping, optional
        Gives the LaTeX of the size symbols.
    scale : float, optional
        The sample strand is ``3 * scale`` cm long (default 0.42, as in :func:`tikz_diagram`).

    Returns
    -------
    str
        LaTeX for text mode; needs :data:`TIKZ_PREAMBLE`.

    Raises
    ------
    ValueError
        If ``spaces`` is empty or holds something other than ``Space`` objects.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> legend_tikz([Space("hidden", "N1", "dashdotted")]).count("strand dashdotted")
    1
    >>> legend_tikz([Space("hidden", "N1", "dashdotted")]).endswith("~hidden ($N_{1}$)}")
    True
    >>> legend_tikz([])
    Traceback (most recent call last):
    ...
    ValueError: spaces: give the index spaces (Space objects) to show in the legend
    """
    if isinstance(spaces, dict):
        spaces = list(spaces.values())
    spaces = list(spaces)
    if not spaces or not all(isinstance(sp, Space) for sp in spaces):
        raise ValueError("spaces: give the index spaces (Space objects) to show in the legend")
    printer = NotationPrinter(notation)
    parts = []
    for sp in spaces:
        name = sp.name.replace("_", r"\_")
        parts.append(r"\mbox{\begin{tikzpicture}[baseline=-0.5ex]\begin{feynman}\vertex (a) at (0,0); "
                     r"\vertex (b) at (%scm,0); \diagram*{(a) -- [%s] (b)};\end{feynman}\end{tikzpicture}"
                     r"~%s ($%s$)}" % (_fmt(3 * scale), STYLE_NAMES[sp.style], name, printer.doprint(sp.size)))
    return r"\quad ".join(parts)
