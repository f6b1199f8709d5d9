"""Model declarations (:mod:`diagrams.models.declaration`) and the shipped models.

* ``random-features`` -- :mod:`diagrams.models.random_features` (the paper's model, with its own
  analyses: closed form Eq. 104, resummation, duality, scaling laws);
* ``ridge`` -- :mod:`diagrams.models.ridge`;
* ``deep-random-features`` -- :mod:`diagrams.models.deep_random_features`.

:func:`diagrams.models.registry.load_model` finds a model by name or loads a user's declaration
from a file (``path/to/file.py:NAME``).
"""
