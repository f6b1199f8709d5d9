"""Gaussian random matrices declared by their index spaces and covariance.

A real Gaussian matrix ``A`` with rows in space R and columns in space C has

    <A_ab A_cd> = Crow_ac * Ccol_bd,

where each of ``Crow`` and ``Ccol`` is either a named symmetric covariance matrix (``"Lambda"``,
``"Sigma"``, ...) or the identity (``None``).  For example the training inputs of the random-feature
model are ``x`` (latent x train) with ``<x_Ia x_Jb> = Lambda_IJ delta_ab``.

Two special one-matrix ensembles are supported for classic checks:

* ``symmetry="symmetric"`` (GOE-like, ``A = A^T``): ``<A_ab A_cd> = delta_ac delta_bd + delta_ad delta_bc``,
  so each pairing comes once untwisted and once twisted;
* ``symmetry="hermitian"`` (GUE-like): ``<A_ab A_cd> = delta_ad delta_bc``, untwisted gluings only.

>>> from diagrams.engine.spaces import Space
>>> latent, train = Space("latent", "M", "wavy"), Space("train", "T", "dashed")
>>> x = GaussianMatrix("x", latent, train, row_cov="Lambda")
>>> x
GaussianMatrix('x', latent x train, cov=(Lambda, 1))
>>> x.T
Letter('x', transposed=True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from diagrams.engine.spaces import Space

__all__ = ["GaussianMatrix", "Letter", "Diagonal", "SYMMETRIES"]

SYMMETRIES = ("real", "symmetric", "hermitian")


class _Operand:
    """Matrix operators for matrices and letters: they build :mod:`diagrams.engine.expressions`."""

    __slots__ = ()

    def _expr(self):
        from diagrams.engine.expressions import as_expr

        return as_expr(self)

    def __matmul__(self, other):
        return self._expr() @ other

    def __rmatmul__(self, other):
        return other @ self._expr()

    def __add__(self, other):
        return self._expr() + other

    def __radd__(self, other):
        return other + self._expr()

    def __sub__(self, other):
        return self._expr() - other

    def __rsub__(self, other):
        return (-1) * self._expr() + other

    def __neg__(self):
        return (-1) * self._expr()

    def __mul__(self, c):
        return self._expr() * c

    __rmul__ = __mul__


@dataclass(frozen=True)
class GaussianMatrix(_Operand):
    """A Gaussian random matrix (see module docstring for the covariance conventions)."""

    name: str
    rows: Space
    cols: Space
    row_cov: str | None = None
    col_cov: str | None = None
    symmetry: str = "real"
    latex: str | None = field(default=None, compare=False)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name or not self.name.replace("_", "").isalnum():
            raise ValueError(f"name: a matrix name must be a non-empty identifier, got {self.name!r}")
        if not isinstance(self.rows, Space) or not isinstance(self.cols, Space):
            raise ValueError("rows, cols: must be Space objects")
        if self.symmetry not in SYMMETRIES:
            raise ValueError(f"symmetry: must be one of {SYMMETRIES}, got {self.symmetry!r}")
        if self.symmetry != "real":
            if self.rows != self.cols:
                raise ValueError(f"symmetry={self.symmetry!r} needs rows == cols, got {self.rows.name} x {self.cols.name}")
            if self.row_cov is not None or self.col_cov is not None:
                raise ValueError(f"symmetry={self.symmetry!r} supports only identity covariances")
        for c in (self.row_cov, self.col_cov):
            if c is not None and (not isinstance(c, str) or not c.isidentifier()):
                raise ValueError(f"row_cov/col_cov: a covariance is named by an identifier or None, got {c!r}")

    @property
    def T(self) -> "Letter":
        """The transposed letter ``A^T``."""
        if self.symmetry == "hermitian":
            raise ValueError(f"{self.name}: a hermitian matrix is used without transposes")
        return Letter(self, True)

    @property
    def letter(self) -> "Letter":
        """The untransposed letter ``A``."""
        return Letter(self, False)

    def __repr__(self) -> str:
        rc = self.row_cov or "1"
        cc = self.col_cov or "1"
        sym = "" if self.symmetry == "real" else f", {self.symmetry}"
        return f"GaussianMatrix({self.name!r}, {self.rows.name} x {self.cols.name}, cov=({rc}, {cc}){sym})"


@dataclass(frozen=True)
class Diagonal(_Operand):
    """A deterministic diagonal matrix on one index space (diagonal in the basis of the covariances).

    In a word it sits *at a slot* (between two letters) and every face (index loop) through that
    slot meets it, like a covariance: a face meeting ``D`` and ``Lambda`` is worth ``tr(D Lambda)``.

    >>> from diagrams.engine.spaces import Space
    >>> Diagonal("D", Space("latent", "M", "wavy"))
    Diagonal('D', latent)
    """

    name: str
    space: Space
    latex: str | None = field(default=None, compare=False)

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"name: a diagonal matrix is named by an identifier, got {self.name!r}")
        if not isinstance(self.space, Space):
            raise ValueError("space: must be a Space object")

    @property
    def T(self) -> "Diagonal":
        """A diagonal matrix is its own transpose."""
        return self

    def __repr__(self) -> str:
        return f"Diagonal({self.name!r}, {self.space.name})"


@dataclass(frozen=True)
class Letter(_Operand):
    """One occurrence of a matrix in a word, transposed or not."""

    matrix: GaussianMatrix
    transposed: bool = False

    @property
    def T(self) -> "Letter":
        """The transposed letter."""
        if self.matrix.symmetry == "hermitian":
            raise ValueError(f"{self.matrix.name}: a hermitian matrix is used without transposes")
        return Letter(self.matrix, not self.transposed)

    @property
    def left(self) -> Space:
        """Space of the index on the left of the letter (its row space unless transposed)."""
        return self.matrix.cols if self.transposed else self.matrix.rows

    @property
    def right(self) -> Space:
        """Space of the index on the right of the letter."""
        return self.matrix.rows if self.transposed else self.matrix.cols

    def __str__(self) -> str:
        return self.matrix.name + ("^T" if self.transposed else "")

    def __repr__(self) -> str:
        return f"Letter({self.matrix.name!r}, transposed={self.transposed})"
