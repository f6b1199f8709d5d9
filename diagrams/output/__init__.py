"""Output in a model's notation: LaTeX of expressions, TikZ-Feynman diagrams, LaTeX documents,
matplotlib drawings and the paper's figures."""
