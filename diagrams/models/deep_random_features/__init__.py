"""Random features of two random linear layers, phi = v u x."""
