"""Index spaces: a name, a size symbol and a line style for drawing.

Every matrix index lives in an index space.  A face (index loop) of a ribbon graph that meets no
covariance matrix is worth the size of its space.

>>> feature = Space("feature", "N", "solid")
>>> feature.size
N
>>> feature
Space('feature', size=N, style='solid')
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

__all__ = ["Space", "LINE_STYLES"]

#: Line styles understood by the drawing back-ends (TikZ-Feynman and matplotlib).
LINE_STYLES = ("solid", "dashed", "dotted", "wavy", "dashdotted")


@dataclass(frozen=True)
class Space:
    """An index space.

    Parameters
    ----------
    name : str
        What the index is (``"feature"``, ``"train"``, ...).
    size : str or sympy.Symbol
        The symbol for its dimension (``N``, ``T``, ...); a string is turned into a positive
        sympy symbol.
    style : str
        Line style of its strand in a double-line diagram, one of :data:`LINE_STYLES`.

    Examples
    --------
    >>> feature = Space("feature", "N", "solid")
    >>> feature, feature.size.is_positive
    (Space('feature', size=N, style='solid'), True)
    >>> Space("train", "T", "zigzag")
    Traceback (most recent call last):
    ...
    ValueError: style: must be one of solid, dashed, dotted, wavy, dashdotted, got 'zigzag'
    """

    name: str
    size: sympy.Symbol
    style: str = "solid"

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("name: a space needs a non-empty string name")
        size = self.size
        if isinstance(size, str):
            if not size:
                raise ValueError("size: give a non-empty symbol name")
            size = sympy.Symbol(size, positive=True)
        if not isinstance(size, sympy.Symbol):
            raise ValueError(f"size: must be a symbol name or sympy Symbol, got {size!r}")
        object.__setattr__(self, "size", size)
        if self.style not in LINE_STYLES:
            raise ValueError(f"style: must be one of {', '.join(LINE_STYLES)}, got {self.style!r}")

    def __repr__(self) -> str:
        return f"Space({self.name!r}, size={self.size}, style={self.style!r})"
