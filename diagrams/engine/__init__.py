"""Generic engine: Gaussian matrix words -> Wick contractions -> ribbon graphs -> values.

Nothing in this sub-package knows about the random-feature model.
"""
