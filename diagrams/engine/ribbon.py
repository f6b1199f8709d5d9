"""Ribbon graphs held in networkx, and their topology.

A contraction of one trace is a ribbon graph (a map) with

* **one node per trace** (here always one, node ``0``), with attribute ``word`` (the letters in
  cyclic order around the vertex);
* **one edge per propagator** (a ``networkx.MultiGraph`` loop ``0 -- 0`` keyed by the pair index),
  with attributes ``matrix`` (its name), ``ends`` (the two letter positions it joins), ``twisted``
  (whether the ribbon is glued with a half twist), ``crossed`` (row-column gluing of a symmetric
  matrix), and ``strands``: the two index lines of the double line, each a dict with ``space``,
  ``style`` (solid/dashed/dotted/wavy) and ``covariance`` (a matrix name or ``None``);
* **faces** in ``G.graph["faces"]``: the index loops, each a :class:`~diagrams.engine.wick.Face`
  with its space, visited slots and the covariances met around it.

Topology follows from ``chi = V - E + F``: orientable genus ``g = (2 - chi)/2`` when orientable,
Euler genus ``2 - chi`` in general.  The value is the product of face values.

>>> from diagrams.engine.spaces import Space
>>> from diagrams.engine.matrices import GaussianMatrix
>>> from diagrams.engine.words import Word
>>> from diagrams.engine.wick import contractions
>>> V = Space("v", "n")
>>> H = GaussianMatrix("H", V, V, symmetry="hermitian")
>>> graphs = [ribbon_graph(c) for c in contractions(Word.parse("H H H H", [H]))]
>>> [(genus(G), len(faces(G)), value(G)) for G in graphs]
[(0, 3, n**3), (1, 1, n), (0, 3, n**3)]
>>> G = graphs[1]; G.number_of_nodes(), G.number_of_edges(), euler_characteristic(G)
(1, 2, 0)
"""

from __future__ import annotations

from fractions import Fraction

import networkx as nx
import sympy

from diagrams.engine.wick import Contraction, Face

__all__ = [
    "ribbon_graph",
    "faces",
    "euler_characteristic",
    "euler_genus",
    "genus",
    "is_orientable",
    "is_planar",
    "value",
    "face_counts",
]


def ribbon_graph(c: Contraction) -> nx.MultiGraph:
    """The ribbon graph (map) of a Wick contraction of one trace, as a networkx multigraph.

    One node (``0``, attribute ``word``: the letters in cyclic order around the vertex); one loop edge
    ``0 -- 0`` per propagator, keyed by the pair index, with attributes ``matrix`` (its name),
    ``ends`` (the two letter positions it joins), ``twisted`` (whether the ribbon is glued with a half
    twist), ``crossed`` (row-column gluing of a symmetric matrix) and ``strands`` (the two index lines
    of the double line, each a dict with ``space``, ``style``, ``covariance`` and ``size``); the faces
    (index loops, :class:`~diagrams.engine.wick.Face`) in ``G.graph["faces"]``, the contraction in
    ``G.graph["contraction"]``.

    Parameters
    ----------
    c : Contraction
        The contraction (:class:`~diagrams.engine.wick.Contraction`).

    Returns
    -------
    networkx.MultiGraph
        The ribbon graph.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.wick import contractions
    >>> H = GaussianMatrix("H", Space("v", "n"), Space("v", "n"), symmetry="hermitian")
    >>> planar, torus, _ = [ribbon_graph(c) for c in contractions(Word.parse("H H H H", [H]))]
    >>> torus.number_of_nodes(), torus.number_of_edges(), sorted(torus.edges(keys=True))
    (1, 2, [(0, 0, 0), (0, 0, 1)])
    >>> torus.edges[0, 0, 0]["ends"], torus.edges[0, 0, 0]["twisted"]
    ((0, 2), False)
    """
    w = c.word
    G = nx.MultiGraph(word=str(w), faces=list(c.faces), contraction=c, traces=1)
    G.add_node(0, kind="trace", word=tuple(str(a) for a in w))
    for i, ((k, l), cr, tw) in enumerate(zip(c.pairs, c.crossed, c.twisted())):
        m = w[k].matrix
        strands = (
            {"space": m.rows.name, "style": m.rows.style, "covariance": m.row_cov, "size": m.rows.size},
            {"space": m.cols.name, "style": m.cols.style, "covariance": m.col_cov, "size": m.cols.size},
        )
        G.add_edge(0, 0, key=i, matrix=m.name, ends=(k, l), twisted=tw, crossed=cr, strands=strands)
    return G


def faces(G: nx.MultiGraph) -> list[Face]:
    """The faces (index loops) of a ribbon graph.

    Parameters
    ----------
    G : networkx.MultiGraph
        A ribbon graph from :func:`ribbon_graph`.

    Returns
    -------
    list of Face
        Each a :class:`~diagrams.engine.wick.Face`: its space, visited slots and the covariances met.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.wick import contractions
    >>> H = GaussianMatrix("H", Space("v", "n"), Space("v", "n"), symmetry="hermitian")
    >>> planar, torus, _ = [ribbon_graph(c) for c in contractions(Word.parse("H H H H", [H]))]
    >>> len(faces(planar)), len(faces(torus))
    (3, 1)
    """
    return list(G.graph["faces"])


def face_counts(G: nx.MultiGraph) -> dict[str, int]:
    """The number of faces (index loops) of each index space of a ribbon graph.

    Parameters
    ----------
    G : networkx.MultiGraph
        A ribbon graph from :func:`ribbon_graph`.

    Returns
    -------
    dict of str to int
        ``{space name: number of faces}``.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.wick import contractions
    >>> H = GaussianMatrix("H", Space("v", "n"), Space("v", "n"), symmetry="hermitian")
    >>> planar, torus, _ = [ribbon_graph(c) for c in contractions(Word.parse("H H H H", [H]))]
    >>> face_counts(planar)
    {'v': 3}
    """
    out: dict[str, int] = {}
    for f in faces(G):
        out[f.space.name] = out.get(f.space.name, 0) + 1
    return out


def euler_characteristic(G: nx.MultiGraph) -> int:
    """The Euler characteristic ``chi = V - E + F`` of a ribbon graph.

    Parameters
    ----------
    G : networkx.MultiGraph
        A ribbon graph from :func:`ribbon_graph`.

    Returns
    -------
    int

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.wick import contractions
    >>> H = GaussianMatrix("H", Space("v", "n"), Space("v", "n"), symmetry="hermitian")
    >>> planar, torus, _ = [ribbon_graph(c) for c in contractions(Word.parse("H H H H", [H]))]
    >>> euler_characteristic(planar), euler_characteristic(torus)
    (2, 0)
    """
    return G.number_of_nodes() - G.number_of_edges() + len(faces(G))


def is_orientable(G: nx.MultiGraph) -> bool:
    """Whether a ribbon graph is orientable: every cycle carries an even number of twists.

    With a single vertex every edge is a loop, so this is: no twisted edge.  For several vertices
    the vertices are 2-coloured by orientation along a spanning forest and every edge checked.

    Parameters
    ----------
    G : networkx.MultiGraph
        A ribbon graph; edges may carry a boolean ``twisted`` attribute.

    Returns
    -------
    bool

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.wick import contractions
    >>> H = GaussianMatrix("H", Space("v", "n"), Space("v", "n"), symmetry="hermitian")
    >>> planar, torus, _ = [ribbon_graph(c) for c in contractions(Word.parse("H H H H", [H]))]
    >>> is_orientable(torus)
    True
    >>> A = GaussianMatrix("A", Space("v", "n"), Space("v", "n"), symmetry="symmetric")
    >>> sorted({is_orientable(ribbon_graph(c)) for c in contractions(Word.parse("A A", [A]))})
    [False, True]
    """
    sign: dict = {}
    for comp in nx.connected_components(G):
        root = next(iter(comp))
        sign[root] = 0
        stack = [root]
        while stack:
            v = stack.pop()
            for _, nb, data in G.edges(v, data=True):
                s = sign[v] ^ int(bool(data.get("twisted")))
                if nb not in sign:
                    sign[nb] = s
                    stack.append(nb)
                elif sign[nb] != s:
                    return False
    return True


def euler_genus(G: nx.MultiGraph) -> int:
    """The Euler genus ``2 c - chi`` of a ribbon graph with ``c`` connected components.

    It is ``2 g`` for an orientable graph of genus ``g`` and the cross-cap number of a non-orientable one.

    Parameters
    ----------
    G : networkx.MultiGraph
        A ribbon graph from :func:`ribbon_graph`.

    Returns
    -------
    int

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.wick import contractions
    >>> H = GaussianMatrix("H", Space("v", "n"), Space("v", "n"), symmetry="hermitian")
    >>> planar, torus, _ = [ribbon_graph(c) for c in contractions(Word.parse("H H H H", [H]))]
    >>> euler_genus(planar), euler_genus(torus)
    (0, 2)
    """
    return 2 * nx.number_connected_components(G) - euler_characteristic(G)


def genus(G: nx.MultiGraph):
    """The genus of a ribbon graph: ``(2 - chi)/2`` if orientable, half the Euler genus in general.

    For a non-orientable graph with odd Euler genus the result is the half-integer
    ``euler_genus/2`` as a ``Fraction``: the power counting of real (GOE-type) matrix models.

    Parameters
    ----------
    G : networkx.MultiGraph
        A ribbon graph from :func:`ribbon_graph`.

    Returns
    -------
    int or Fraction
        ``euler_genus(G) // 2`` when that is even, else ``Fraction(euler_genus(G), 2)``.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.wick import contractions
    >>> H = GaussianMatrix("H", Space("v", "n"), Space("v", "n"), symmetry="hermitian")
    >>> planar, torus, _ = [ribbon_graph(c) for c in contractions(Word.parse("H H H H", [H]))]
    >>> genus(planar), genus(torus)
    (0, 1)
    >>> A = GaussianMatrix("A", Space("v", "n"), Space("v", "n"), symmetry="symmetric")
    >>> sorted(genus(ribbon_graph(c)) for c in contractions(Word.parse("A A", [A])))
    [0, Fraction(1, 2)]
    """
    eg = euler_genus(G)
    return eg // 2 if eg % 2 == 0 else Fraction(eg, 2)


def is_planar(G: nx.MultiGraph) -> bool:
    """Whether a ribbon graph is planar: genus 0 and orientable (for one trace, ``F = E + 1``).

    Parameters
    ----------
    G : networkx.MultiGraph
        A ribbon graph from :func:`ribbon_graph`.

    Returns
    -------
    bool

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.wick import contractions
    >>> H = GaussianMatrix("H", Space("v", "n"), Space("v", "n"), symmetry="hermitian")
    >>> planar, torus, _ = [ribbon_graph(c) for c in contractions(Word.parse("H H H H", [H]))]
    >>> is_planar(planar), is_planar(torus)
    (True, False)
    """
    return euler_genus(G) == 0 and is_orientable(G)


def value(G: nx.MultiGraph) -> sympy.Expr:
    """The value of a ribbon graph: the product of its face values (size symbols and covariance traces).

    Parameters
    ----------
    G : networkx.MultiGraph
        A ribbon graph from :func:`ribbon_graph`.

    Returns
    -------
    sympy.Expr

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.words import Word
    >>> from diagrams.engine.wick import contractions
    >>> H = GaussianMatrix("H", Space("v", "n"), Space("v", "n"), symmetry="hermitian")
    >>> planar, torus, _ = [ribbon_graph(c) for c in contractions(Word.parse("H H H H", [H]))]
    >>> value(planar), value(torus)
    (n**3, n)
    """
    return sympy.Mul(*[f.value for f in faces(G)])
