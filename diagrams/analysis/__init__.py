"""Analyses generic over any declared model: the expansion in ``1/gamma``, checks against independent
routes, the planar Dyson equation, simulation and parameter sweeps."""
