"""nsl-diagrams: large-N diagrammatics of neural scaling laws.

The import package is ``diagrams``; the distribution is ``nsl-diagrams`` (PyPI's ``diagrams`` is an
unrelated project).  Data flows one way: words of Gaussian matrices (``diagrams.engine``) ->
Wick contractions and ribbon graphs -> values (sympy) -> model-level sums
(``diagrams.models``) -> analysis (``diagrams.analysis``) -> output (``diagrams.output``).
"""

__version__ = "0.1.0"
