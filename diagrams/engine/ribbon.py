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
    """The ribbon graph of a contraction as a ``networkx.MultiGraph`` (see module docstring)."""
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
    """The faces (index loops) of a ribbon graph."""
    return list(G.graph["faces"])


def face_counts(G: nx.MultiGraph) -> dict[str, int]:
    """Number of faces of each index space."""
    out: dict[str, int] = {}
    for f in faces(G):
        out[f.space.name] = out.get(f.space.name, 0) + 1
    return out


def euler_characteristic(G: nx.MultiGraph) -> int:
    """``chi = V - E + F``."""
    return G.number_of_nodes() - G.number_of_edges() + len(faces(G))


def is_orientable(G: nx.MultiGraph) -> bool:
    """Orientable iff every cycle carries an even number of twists.

    With a single vertex every edge is a loop, so this is: no twisted edge.  For several vertices
    the vertices are 2-coloured by orientation along a spanning forest and every edge checked.
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
    """``2 c - chi`` for ``c`` connected components (= 2g if orientable, the cross-cap number if not)."""
    return 2 * nx.number_connected_components(G) - euler_characteristic(G)


def genus(G: nx.MultiGraph):
    """Orientable genus ``(2 - chi)/2`` (an int); for a non-orientable graph the half-integer
    ``euler_genus/2`` as a Fraction, the power counting of real (GOE-type) matrix models."""
    eg = euler_genus(G)
    return eg // 2 if eg % 2 == 0 else Fraction(eg, 2)


def is_planar(G: nx.MultiGraph) -> bool:
    """Genus 0 and orientable (for one trace: ``F = E + 1``)."""
    return euler_genus(G) == 0 and is_orientable(G)


def value(G: nx.MultiGraph) -> sympy.Expr:
    """Product of the face values: size symbols and covariance traces."""
    return sympy.Mul(*[f.value for f in faces(G)])
