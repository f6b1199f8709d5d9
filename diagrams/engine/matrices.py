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
    """A real Gaussian random matrix between two index spaces, ``<A_ab A_cd> = Crow_ac Ccol_bd``.

    Each of ``Crow`` and ``Ccol`` is either a named symmetric covariance matrix (``"Lambda"``,
    ``"Sigma"``, ...) or the identity (``None``); e.g. the training inputs of the random-feature model
    are ``x`` (latent x train) with ``<x_Ia x_Jb> = Lambda_IJ delta_ab``.  The two one-matrix ensembles
    ``symmetric`` (GOE-like, ``<A_ab A_cd> = delta_ac delta_bd + delta_ad delta_bc``: each pairing
    comes once untwisted and once twisted) and ``hermitian`` (GUE-like, ``<A_ab A_cd> = delta_ad
    delta_bc``: untwisted gluings only) are there for classic checks.  Matrices combine with ``@``,
    ``+``, ``-`` and ``*`` into :mod:`diagrams.engine.expressions`.

    Parameters
    ----------
    name : str
        The matrix name: a non-empty identifier (letters, digits and ``_``).
    rows, cols : Space
        Index spaces of the rows and of the columns.
    row_cov, col_cov : str, optional
        Names (identifiers) of the row and column covariances; ``None`` is the identity.
    symmetry : {"real", "symmetric", "hermitian"}, optional
        The ensemble (see :data:`SYMMETRIES`); ``"symmetric"`` and ``"hermitian"`` need
        ``rows == cols`` and identity covariances.
    latex : str, optional
        LaTeX of the name in output (not compared).

    Attributes
    ----------
    T : Letter
        The transposed letter ``A^T`` (a hermitian matrix has none: ``ValueError``).
    letter : Letter
        The untransposed letter ``A``.

    Raises
    ------
    ValueError
        If the name is not an identifier, ``rows`` or ``cols`` is not a :class:`Space`, the symmetry is
        unknown, a symmetric or hermitian matrix is not square or has a covariance, or a covariance
        name is not an identifier.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> latent, train = Space("latent", "M", "wavy"), Space("train", "T", "dashed")
    >>> x = GaussianMatrix("x", latent, train, row_cov="Lambda")
    >>> x
    GaussianMatrix('x', latent x train, cov=(Lambda, 1))
    >>> x.T
    Letter('x', transposed=True)
    >>> GaussianMatrix("A", latent, train, symmetry="symmetric")
    Traceback (most recent call last):
    ...
    ValueError: symmetry='symmetric' needs rows == cols, got latent x train
    """

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
    """A deterministic diagonal matrix on one index space, diagonal in the basis of the covariances.

    In a word it sits *at a slot* (between two letters) and every face (index loop) through that
    slot meets it, like a covariance: a face meeting ``D`` and ``Lambda`` is worth ``tr(D Lambda)``.
    It is its own transpose.

    Parameters
    ----------
    name : str
        An identifier.
    space : Space
        The index space it acts on.
    latex : str, optional
        LaTeX of the name in output (not compared).

    Raises
    ------
    ValueError
        If ``name`` is not an identifier or ``space`` is not a :class:`Space`.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> D = Diagonal("D", Space("latent", "M", "wavy"))
    >>> D
    Diagonal('D', latent)
    >>> D.T is D
    True
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
    """One occurrence of a Gaussian matrix in a word, transposed or not.

    Parameters
    ----------
    matrix : GaussianMatrix
        The matrix.
    transposed : bool, optional
        Whether the letter is ``A^T``.

    Attributes
    ----------
    T : Letter
        The letter transposed (a hermitian matrix has none: ``ValueError``).
    left, right : Space
        Spaces of the indices on the left and on the right of the letter (rows then columns, swapped
        when transposed).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> latent, train = Space("latent", "M", "wavy"), Space("train", "T", "dashed")
    >>> a = GaussianMatrix("x", latent, train).T
    >>> a, str(a), a.left.name, a.right.name
    (Letter('x', transposed=True), 'x^T', 'train', 'latent')
    >>> a.T
    Letter('x', transposed=False)
    """

    matrix: GaussianMatrix
    transposed: bool = False

    def __post_init__(self):
        if not isinstance(self.matrix, GaussianMatrix):
            raise ValueError(f"matrix: expected a GaussianMatrix, got {type(self.matrix).__name__}")

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
