"""Ridge regression directly on Gaussian data (no random features)."""
