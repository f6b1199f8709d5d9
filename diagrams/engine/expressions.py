r"""Matrix expressions in Gaussian and deterministic matrices, and their expansion into words.

A model's observable is written with these objects: sums, products (``@``), transposes (``.T``),
scalar factors (numbers or sympy expressions) and resolvents ``(gamma 1 + X)^-1``.  Every
expression knows the index spaces of its rows and columns, and a product or sum of mismatched
spaces is refused when it is written down.

:func:`expand` turns an expression into a truncated series in ``1/gamma`` whose coefficients are
linear combinations of *paths* -- products of letters (Gaussian matrices or their transposes) and
diagonal matrices -- expanding every resolvent as a geometric series::

    (gamma + X)^-1 = sum_{n >= 0} (-1)^n gamma^(-1-n) X^n,

multiplying products out and merging equal paths.  :func:`trace_terms` and
:func:`quadratic_terms` close the paths into traces, the words of the Wick expansion
(:class:`~diagrams.engine.words.Word`): ``tr(E)`` and ``tr(A^T A)``, the latter keeping the split
between the letters of ``A^T`` (the upper line of the two-line picture) and those of ``A``.
Optionally (``merge=True``) traces equal up to rotation and transposition are merged (their
expectations are equal: ``tr(W^T) = tr(W)``).

Random-feature example (paper Sec. II; ``phi = u x``, ``Q = (gamma + phi^T phi)^-1``):

>>> from diagrams.engine.spaces import Space
>>> from diagrams.engine.matrices import GaussianMatrix
>>> feature, latent = Space("feature", "N"), Space("latent", "M", "wavy")
>>> train, test = Space("train", "T", "dashed"), Space("test", "That", "dotted")
>>> u = GaussianMatrix("u", feature, latent, col_cov="Sigma")
>>> x = GaussianMatrix("x", latent, train, row_cov="Lambda")
>>> xhat = GaussianMatrix("xhat", latent, test, row_cov="Lambdahat")
>>> gamma = sympy.Symbol("gamma", positive=True)
>>> phi, phihat = u @ x, u @ xhat
>>> A = x @ resolvent(phi.T @ phi, gamma) @ phi.T @ phihat - xhat
>>> [(t.coefficient, str(t.word), t.split) for k in (0, 1) for t in quadratic_terms(A, gamma, k)]
[(1, 'xhat^T xhat', 1), (-1, 'xhat^T x x^T u^T u xhat', 1), (-1, 'xhat^T u^T u x x^T xhat', 5)]
>>> [(t.coefficient, str(t.word)) for t in quadratic_terms(A, gamma, 1, merge=True)]
[(-2, 'xhat^T x x^T u^T u xhat')]
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import sympy

from diagrams.engine.matrices import Diagonal, GaussianMatrix, Letter
from diagrams.engine.numbers import check_order
from diagrams.engine.spaces import Space
from diagrams.engine.words import Word

__all__ = [
    "MatrixExpr",
    "Atom",
    "Identity",
    "Sum",
    "Product",
    "Resolvent",
    "as_expr",
    "resolvent",
    "identity",
    "expand",
    "Path",
    "TraceTerm",
    "trace_terms",
    "quadratic_terms",
    "canonical_trace_key",
    "MAX_EXPANSION_ORDER",
]

#: Highest order in ``1/gamma`` the word expansion accepts (the number of words grows with it).
MAX_EXPANSION_ORDER = 200


# ----------------------------------------------------------------------------------------------
# expressions
# ----------------------------------------------------------------------------------------------

def _scalar(c):
    if isinstance(c, bool):
        raise ValueError(f"coefficient: a scalar factor must be a number or sympy expression, got {c!r}")
    try:
        out = sympy.sympify(c)
    except (sympy.SympifyError, TypeError):
        raise ValueError(f"coefficient: a scalar factor must be a number or sympy expression, got {c!r}") from None
    if not isinstance(out, sympy.Expr) or out.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ValueError(f"coefficient: a scalar factor must be a finite number or sympy expression, got {c!r}")
    return out


class MatrixExpr(ABC):
    """Base class of the matrix expressions, whose values are matrices from space ``rows`` to space ``cols``.

    Operators: ``A @ B`` (product), ``A + B``, ``A - B``, ``-A``, ``c * A`` and ``A / c`` (scalar
    ``c``: a finite number or sympy expression), ``A.T`` (the transpose, pushed down to the letters:
    ``(A B)^T = B^T A^T``).  Gaussian matrices, letters and diagonal matrices take part in the same
    operators.  A product or sum of mismatched spaces is refused when it is written down.

    Attributes
    ----------
    rows, cols : Space
        Index spaces of the rows and of the columns.

    Raises
    ------
    ValueError
        From the operators: a product whose inner spaces differ, a sum of different shapes, a scalar
        factor that is not a finite number or sympy expression (or a ``bool``), a matrix multiplied
        with ``*``, a division by zero, or the transpose of a hermitian matrix.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix, Diagonal
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X, D = GaussianMatrix("X", V, W), Diagonal("D", V)
    >>> e = 2 * (X @ X.T) - D
    >>> print(e, e.rows.name, e.cols.name)
    ((2)*X X^T + (-1)*D) v v
    >>> print((X @ X.T).T)
    X X^T
    >>> X @ X
    Traceback (most recent call last):
    ...
    ValueError: product: X ends in space w but X starts in v
    >>> X + X.T
    Traceback (most recent call last):
    ...
    ValueError: sum: X is v x w but X^T is w x v
    """

    rows: Space
    cols: Space

    def __matmul__(self, other) -> "MatrixExpr":
        other = as_expr(other)
        if self.cols != other.rows:
            raise ValueError(f"product: {self} ends in space {self.cols.name} but {other} starts in "
                             f"{other.rows.name}")
        return Product(_factors(self) + _factors(other))

    def __rmatmul__(self, other) -> "MatrixExpr":
        return as_expr(other) @ self

    def __add__(self, other) -> "MatrixExpr":
        other = as_expr(other)
        if (self.rows, self.cols) != (other.rows, other.cols):
            raise ValueError(f"sum: {self} is {self.rows.name} x {self.cols.name} but {other} is "
                             f"{other.rows.name} x {other.cols.name}")
        return Sum(_terms(self) + _terms(other))

    def __radd__(self, other) -> "MatrixExpr":
        return as_expr(other) + self

    def __sub__(self, other) -> "MatrixExpr":
        return self + (-1) * as_expr(other)

    def __rsub__(self, other) -> "MatrixExpr":
        return as_expr(other) - self

    def __neg__(self) -> "MatrixExpr":
        return (-1) * self

    def __mul__(self, c) -> "MatrixExpr":
        if isinstance(c, (MatrixExpr, GaussianMatrix, Letter, Diagonal)):
            raise ValueError("product: write matrix products with @, scalar factors with *")
        c = _scalar(c)
        return Sum(tuple((c * k, e) for k, e in _terms(self)))

    __rmul__ = __mul__

    def __truediv__(self, c) -> "MatrixExpr":
        c = _scalar(c)
        if c == 0:
            raise ValueError("coefficient: division by zero")
        return self * (1 / c)

    @property
    def T(self) -> "MatrixExpr":
        """The transpose (pushed down to the letters: ``(A B)^T = B^T A^T``)."""
        return self._transpose()

    @abstractmethod
    def _transpose(self) -> "MatrixExpr":
        """The transpose; each kind of expression gives its own."""


@dataclass(frozen=True, eq=True)
class Atom(MatrixExpr):
    """A Gaussian letter (a matrix or its transpose) or a deterministic diagonal matrix, as an expression.

    Usually made by :func:`as_expr` or by the operators.

    Parameters
    ----------
    item : Letter or Diagonal
        The letter or diagonal matrix.

    Attributes
    ----------
    rows, cols : Space
        The spaces on the left and right of the letter (the space of a diagonal matrix).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix, Diagonal
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X, D = GaussianMatrix("X", V, W), Diagonal("D", V)
    >>> a = as_expr(X)
    >>> a, str(a.T), a.rows.name, a.cols.name
    (Atom(item=Letter('X', transposed=False)), 'X^T', 'v', 'w')
    >>> as_expr(D).T == as_expr(D)
    True
    """

    item: object   # Letter or Diagonal

    @property
    def rows(self) -> Space:
        return self.item.left if isinstance(self.item, Letter) else self.item.space

    @property
    def cols(self) -> Space:
        return self.item.right if isinstance(self.item, Letter) else self.item.space

    def _transpose(self):
        if isinstance(self.item, Letter):
            if self.item.matrix.symmetry == "hermitian":
                raise ValueError(f"transpose: {self.item.matrix.name} is hermitian (used without transposes)")
            return Atom(Letter(self.item.matrix, not self.item.transposed))
        return self

    def __str__(self) -> str:
        return str(self.item) if isinstance(self.item, Letter) else self.item.name


@dataclass(frozen=True, eq=True)
class Identity(MatrixExpr):
    """The identity matrix of one index space, as an expression (a trace of it is the space size).

    Parameters
    ----------
    space : Space
        The space.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> one = Identity(Space("v", "n"))
    >>> str(one), one.T == one
    ('1_v', True)
    """

    space: Space

    @property
    def rows(self) -> Space:
        return self.space

    @property
    def cols(self) -> Space:
        return self.space

    def _transpose(self):
        return self

    def __str__(self) -> str:
        return f"1_{self.space.name}"


@dataclass(frozen=True, eq=True)
class Sum(MatrixExpr):
    """A linear combination ``sum_i c_i E_i`` of expressions of the same shape, with sympy coefficients.

    Usually made by the operators ``+``, ``-`` and ``*`` (which check the shapes; the constructor
    does not), which flatten nested sums.

    Parameters
    ----------
    terms : tuple of (sympy.Expr, MatrixExpr)
        The pairs ``(c_i, E_i)``, at least one.

    Raises
    ------
    ValueError
        If ``terms`` is empty.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix, Diagonal
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X, D = GaussianMatrix("X", V, W), Diagonal("D", V)
    >>> s = X @ X.T - 3 * D
    >>> print(type(s).__name__, s)
    Sum (X X^T + (-3)*D)
    >>> s.terms[1]
    (-3, Atom(item=Diagonal('D', v)))
    """

    terms: tuple

    def __post_init__(self):
        if not self.terms:
            raise ValueError("sum: needs at least one term")

    @property
    def rows(self) -> Space:
        return self.terms[0][1].rows

    @property
    def cols(self) -> Space:
        return self.terms[0][1].cols

    def _transpose(self):
        return Sum(tuple((c, e.T) for c, e in self.terms))

    def __str__(self) -> str:
        out = []
        for c, e in self.terms:
            out.append(str(e) if c == 1 else f"({c})*{e}")
        return "(" + " + ".join(out) + ")"


@dataclass(frozen=True, eq=True)
class Product(MatrixExpr):
    """A matrix product ``E_1 E_2 ⋯ E_n`` of expressions, the spaces matching between neighbours.

    Usually made by the operator ``@`` (which checks the spaces and flattens nested products).

    Parameters
    ----------
    factors : tuple of MatrixExpr
        The factors, left to right.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix, Diagonal
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X, D = GaussianMatrix("X", V, W), Diagonal("D", V)
    >>> p = X @ X.T @ D
    >>> print(type(p).__name__, p, len(p.factors))
    Product X X^T D 3
    >>> print(p.T)
    D X X^T
    """

    factors: tuple

    @property
    def rows(self) -> Space:
        return self.factors[0].rows

    @property
    def cols(self) -> Space:
        return self.factors[-1].cols

    def _transpose(self):
        return Product(tuple(f.T for f in reversed(self.factors)))

    def __str__(self) -> str:
        return " ".join(str(f) if not isinstance(f, Sum) else str(f) for f in self.factors)


@dataclass(frozen=True, eq=True)
class Resolvent(MatrixExpr):
    """The resolvent ``(ridge 1 + argument)^-1`` of a square expression, as an expression.

    The resolvents ``Q`` and ``q`` of the paper (Eqs. 17-18).  Expanded by :func:`expand` as the
    geometric series ``(gamma + X)^-1 = sum_{n >= 0} (-1)^n gamma^(-1-n) X^n``.  Made by
    :func:`resolvent`.

    Parameters
    ----------
    argument : MatrixExpr
        A square expression (``rows == cols``).
    ridge : sympy.Symbol
        The ridge parameter ``gamma``.

    Raises
    ------
    ValueError
        If ``argument`` is not square or ``ridge`` is not a sympy ``Symbol``.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix, Diagonal
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X, D = GaussianMatrix("X", V, W), Diagonal("D", V)
    >>> g = sympy.Symbol("g")
    >>> r = Resolvent(as_expr(X).T @ X, g)
    >>> print(r, r.rows.name, r.ridge)
    (g + X^T X)^-1 w g
    >>> Resolvent(as_expr(X), g)
    Traceback (most recent call last):
    ...
    ValueError: resolvent: the argument must be square, got v x w
    """

    argument: MatrixExpr
    ridge: sympy.Symbol

    def __post_init__(self):
        if self.argument.rows != self.argument.cols:
            raise ValueError(f"resolvent: the argument must be square, got {self.argument.rows.name} x "
                             f"{self.argument.cols.name}")
        if not isinstance(self.ridge, sympy.Symbol):
            raise ValueError(f"ridge: must be a sympy Symbol, got {self.ridge!r}")

    @property
    def rows(self) -> Space:
        return self.argument.rows

    @property
    def cols(self) -> Space:
        return self.argument.cols

    def _transpose(self):
        return Resolvent(self.argument.T, self.ridge)

    def __str__(self) -> str:
        return f"({self.ridge} + {self.argument})^-1"


def as_expr(obj) -> MatrixExpr:
    """The matrix expression of a Gaussian matrix, a letter or a diagonal matrix (an expression as it is).

    Parameters
    ----------
    obj : MatrixExpr, GaussianMatrix, Letter or Diagonal
        The object.

    Returns
    -------
    MatrixExpr
        An :class:`Atom` for a matrix (its untransposed letter), a letter or a diagonal matrix.

    Raises
    ------
    ValueError
        If ``obj`` is none of these.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix, Diagonal
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X, D = GaussianMatrix("X", V, W), Diagonal("D", V)
    >>> as_expr(X.T)
    Atom(item=Letter('X', transposed=True))
    >>> as_expr(3)
    Traceback (most recent call last):
    ...
    ValueError: expression: expected a matrix, a letter or an expression, got 3
    """
    if isinstance(obj, MatrixExpr):
        return obj
    if isinstance(obj, GaussianMatrix):
        return Atom(obj.letter)
    if isinstance(obj, (Letter, Diagonal)):
        return Atom(obj)
    raise ValueError(f"expression: expected a matrix, a letter or an expression, got {obj!r}")


def resolvent(argument, ridge: sympy.Symbol) -> Resolvent:
    """The resolvent ``(ridge 1 + argument)^-1`` of a square expression.

    The resolvents ``Q`` and ``q`` of the paper are of this kind (Eqs. 17-18).

    Parameters
    ----------
    argument : MatrixExpr, GaussianMatrix, Letter or Diagonal
        A square expression.
    ridge : sympy.Symbol
        The ridge parameter ``gamma``.

    Returns
    -------
    Resolvent

    Raises
    ------
    ValueError
        If ``argument`` is not an expression (see :func:`as_expr`) or not square, or ``ridge`` is not a
        sympy ``Symbol``.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix, Diagonal
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X, D = GaussianMatrix("X", V, W), Diagonal("D", V)
    >>> g = sympy.Symbol("gamma", positive=True)
    >>> r = resolvent(X.T @ X, g)
    >>> print(r, r.rows.name)
    (gamma + X^T X)^-1 w
    """
    return Resolvent(as_expr(argument), ridge)


def identity(space: Space) -> Identity:
    """The identity matrix on an index space.

    Parameters
    ----------
    space : Space
        The space.

    Returns
    -------
    Identity

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> V = Space("v", "n")
    >>> [t.constant for t in trace_terms(identity(V), sympy.Symbol("g"), 0)]
    [n]
    """
    return Identity(space)


def _factors(e: MatrixExpr) -> tuple:
    return e.factors if isinstance(e, Product) else (e,)


def _terms(e: MatrixExpr) -> tuple:
    return e.terms if isinstance(e, Sum) else ((sympy.Integer(1), e),)


# ----------------------------------------------------------------------------------------------
# expansion into paths
# ----------------------------------------------------------------------------------------------

#: A path: a tuple of Letters and Diagonals read left to right (``()`` is the identity).
Path = tuple


def _add_into(acc: dict, path: tuple, coef) -> None:
    v = acc.get(path, 0) + coef
    if v == 0:
        acc.pop(path, None)
    else:
        acc[path] = v


def _series_mul(a: list, b: list, order: int) -> list:
    out = [dict() for _ in range(order + 1)]
    for i, da in enumerate(a):
        if not da:
            continue
        for j in range(0, order + 1 - i):
            db = b[j]
            if not db:
                continue
            acc = out[i + j]
            for pa, ca in da.items():
                for pb, cb in db.items():
                    _add_into(acc, pa + pb, ca * cb)
    return out


def expand(expr, ridge: sympy.Symbol, order: int) -> list[dict]:
    """The expansion of a matrix expression in ``1/ridge`` as a truncated series of paths.

    Every resolvent is expanded as a geometric series, ``(gamma + X)^-1 = sum_{n >= 0} (-1)^n
    gamma^(-1-n) X^n``, products are multiplied out and equal paths merged.

    Parameters
    ----------
    expr : MatrixExpr, GaussianMatrix, Letter or Diagonal
        The expression.
    ridge : sympy.Symbol
        The expansion parameter ``gamma``: the ridge of every resolvent in ``expr``.
    order : int
        Highest order in ``1/ridge``, ``0 <= order <= MAX_EXPANSION_ORDER`` (200).

    Returns
    -------
    list of dict
        ``[c_0, ..., c_order]``: ``c_k`` maps each path (a tuple of
        :class:`~diagrams.engine.matrices.Letter` and :class:`~diagrams.engine.matrices.Diagonal`,
        ``()`` for the identity) to its nonzero sympy coefficient in the coefficient of
        ``ridge^-k``.

    Raises
    ------
    ValueError
        If ``order`` is out of range, ``expr`` is not an expression, or a resolvent has another
        ridge symbol (resolvents in another ridge are refused).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); X = GaussianMatrix("X", V, V); g = sympy.Symbol("g")
    >>> [{" ".join(map(str, p)): c for p, c in ck.items()} for ck in expand(resolvent(X.T @ X, g), g, 2)]
    [{}, {'': 1}, {'X^T X': -1}]
    """
    order = check_order(order, "order", maximum=MAX_EXPANSION_ORDER)
    expr = as_expr(expr)
    memo: dict = {}
    return _expand(expr, ridge, order, memo)


def _expand(e: MatrixExpr, ridge, order: int, memo: dict) -> list[dict]:
    key = (id(e), order)
    hit = memo.get(key)
    if hit is not None and hit[0] is e:
        return hit[1]
    if isinstance(e, Atom):
        out = [{(e.item,): sympy.Integer(1)}] + [dict() for _ in range(order)]
    elif isinstance(e, Identity):
        out = [{(): sympy.Integer(1)}] + [dict() for _ in range(order)]
    elif isinstance(e, Sum):
        out = [dict() for _ in range(order + 1)]
        for c, t in e.terms:
            for k, d in enumerate(_expand(t, ridge, order, memo)):
                for p, v in d.items():
                    _add_into(out[k], p, c * v)
    elif isinstance(e, Product):
        out = _expand(e.factors[0], ridge, order, memo)
        for f in e.factors[1:]:
            out = _series_mul(out, _expand(f, ridge, order, memo), order)
    elif isinstance(e, Resolvent):
        if e.ridge != ridge:
            raise ValueError(f"resolvent: ridge {e.ridge} differs from the expansion parameter {ridge}")
        out = [dict() for _ in range(order + 1)]
        if order >= 1:
            X = _expand(e.argument, ridge, order - 1, memo)
            power = [{(): sympy.Integer(1)}] + [dict() for _ in range(order - 1)]   # X^0
            for n in range(0, order):
                # term (-1)^n gamma^(-1-n) X^n contributes at orders >= 1 + n
                sign = -1 if n % 2 else 1
                for k in range(0, order - n):
                    for p, v in power[k].items():
                        _add_into(out[k + 1 + n], p, sign * v)
                if n + 1 < order:
                    power = _series_mul(power, X, order - 1)
    else:
        raise ValueError(f"expression: cannot expand {e!r}")
    memo[key] = (e, out)
    return out


# ----------------------------------------------------------------------------------------------
# traces
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TraceTerm:
    """One term ``coefficient * gamma^-order * tr(word)`` of an expanded observable.

    Parameters
    ----------
    order : int
        The power of ``1/gamma``.
    coefficient : sympy.Expr
        The scalar coefficient.
    word : Word or None
        The trace, a :class:`~diagrams.engine.words.Word`; ``None`` when the trace holds no Gaussian
        letter (then ``constant`` is its value).
    split : int, optional
        For ``tr(A^T A)`` (:func:`quadratic_terms`): the number of letters that come from ``A^T``;
        otherwise ``None``.
    orders : tuple of int, optional
        For ``tr(A^T A)``: the orders of the ``A^T`` and ``A`` factors; otherwise ``(order,)``.
    constant : sympy.Expr, optional
        The value of a trace without Gaussian letter: a space size or ``tr`` of diagonal matrices.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix, Diagonal
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X, D = GaussianMatrix("X", V, W), Diagonal("D", V)
    >>> g = sympy.Symbol("g")
    >>> trace_terms(resolvent(X.T @ X, g), g, 2)
    [TraceTerm(order=2, coefficient=-1, word=Word('X^T X'), split=None, orders=(2,), constant=None)]
    >>> [t.constant for t in trace_terms(identity(V) + D, g, 0)]
    [n, tr(D)]
    """

    order: int
    coefficient: sympy.Expr
    word: Word | None
    split: int | None = None
    orders: tuple = ()
    constant: sympy.Expr | None = None


def _path_word(path: tuple, space: Space) -> tuple[Word | None, sympy.Expr | None]:
    """Close a path into a trace: a Word, or (for no Gaussian letter) the constant value."""
    letters = [p for p in path if isinstance(p, Letter)]
    if not letters:
        names = [p.name for p in path]
        if not names:
            return None, space.size
        from diagrams.engine.symbols import trace_symbol

        return None, trace_symbol(*names)
    slots = []
    pending: list = []
    out_letters = []
    for p in path:
        if isinstance(p, Letter):
            out_letters.append(p)
            slots.append(tuple(pending))
            pending = []
        else:
            pending.append(p)
    if pending:
        slots[0] = tuple(pending) + slots[0]
    return Word(tuple(out_letters), tuple(slots)), None


def _word_key(w: Word) -> tuple:
    return tuple((str(a), tuple(d.name for d in w.decoration(k))) for k, a in enumerate(w.letters))


def canonical_trace_key(word: Word) -> tuple:
    """A key equal for two words exactly when they are the same trace up to rotation and transposition.

    Such traces have equal expectations (``tr(W^T) = tr(W)``); the key is the smallest, over
    rotations of the word and of its transpose, of the letters with the decorations of their slots.

    Parameters
    ----------
    word : Word
        The word.

    Returns
    -------
    tuple
        The key (hashable, comparable).

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> V = Space("v", "n"); A = GaussianMatrix("A", V, V)
    >>> w = Word.parse("A A A^T", [A])
    >>> canonical_trace_key(w) == canonical_trace_key(w.transpose()) == canonical_trace_key(w.rotate(1))
    True
    >>> canonical_trace_key(w) == canonical_trace_key(Word.parse("A A A", [A]))
    False
    """
    best = None
    for w in (word, word.transpose()):
        for k in range(len(w)):
            key = _word_key(w.rotate(k))
            if best is None or key < best:
                best = key
    return best


def _merge(terms: list[TraceTerm]) -> list[TraceTerm]:
    groups: dict = {}
    order_of_first: list = []
    for t in terms:
        key = ("const", str(t.constant)) if t.word is None else canonical_trace_key(t.word)
        key = (t.order, key)
        if key not in groups:
            groups[key] = [t, t.coefficient]
            order_of_first.append(key)
        else:
            g = groups[key]
            rep = g[0]
            # keep the representative whose upper line (A^T factor) is of the lowest order
            if t.orders and rep.orders and t.orders < rep.orders:
                g[0] = t
            g[1] = g[1] + t.coefficient
    out = []
    for key in order_of_first:
        rep, coef = groups[key]
        coef = sympy.expand(coef)
        if coef != 0:
            out.append(TraceTerm(rep.order, coef, rep.word, rep.split, rep.orders, rep.constant))
    return out


def trace_terms(expr, ridge: sympy.Symbol, order: int, *, merge: bool = False) -> list[TraceTerm]:
    """The terms of the trace of a square matrix expression at one order in ``1/ridge``.

    The paths of :func:`expand` at that order are closed into traces: words of the Wick expansion,
    or constants (space size, trace of diagonal matrices) for paths without Gaussian letter.
    Diagonal matrices after the last letter move to slot 0.

    Parameters
    ----------
    expr : MatrixExpr, GaussianMatrix, Letter or Diagonal
        A square expression.
    ridge : sympy.Symbol
        The expansion parameter ``gamma``.
    order : int
        The order, ``0 <= order <= MAX_EXPANSION_ORDER`` (200); only the terms of ``ridge^-order`` exactly.
    merge : bool, optional
        Merge traces equal up to rotation and transposition into one term (their expectations are
        equal); terms whose coefficients cancel are dropped.

    Returns
    -------
    list of TraceTerm
        With ``split=None`` and ``orders=(order,)``.

    Raises
    ------
    ValueError
        If ``expr`` is not square, ``order`` is out of range, or a resolvent has another ridge.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix, Diagonal
    >>> V, W = Space("v", "n"), Space("w", "m")
    >>> X, D = GaussianMatrix("X", V, W), Diagonal("D", V)
    >>> g = sympy.Symbol("g")
    >>> [(t.coefficient, str(t.word)) for t in trace_terms(resolvent(X.T @ X, g), g, 3)]
    [(1, 'X^T X X^T X')]
    >>> e = X @ X.T @ D + D @ X @ X.T
    >>> [(t.coefficient, str(t.word)) for t in trace_terms(e, g, 0)]
    [(1, 'D X X^T'), (1, 'D X X^T')]
    >>> [(t.coefficient, str(t.word)) for t in trace_terms(e, g, 0, merge=True)]
    [(2, 'D X X^T')]
    >>> trace_terms(X, g, 0)
    Traceback (most recent call last):
    ...
    ValueError: trace: the expression must be square, got v x w
    """
    expr = as_expr(expr)
    order = check_order(order, "order", maximum=MAX_EXPANSION_ORDER)
    if expr.rows != expr.cols:
        raise ValueError(f"trace: the expression must be square, got {expr.rows.name} x {expr.cols.name}")
    series = expand(expr, ridge, order)
    terms = []
    for path, coef in series[order].items():
        word, const = _path_word(path, expr.rows)
        terms.append(TraceTerm(order, sympy.sympify(coef), word, None, (order,), const))
    return _merge(terms) if merge else terms


def quadratic_terms(A, ridge: sympy.Symbol, order: int, *, merge=False) -> list[TraceTerm]:
    """The terms of the quadratic observable ``tr(A^T A)`` at one order in ``1/ridge``.

    Each term is a word ``tr(Top Bottom)``: ``Top`` is a path of ``A^T`` (the upper line of the
    paper's two-line picture), ``Bottom`` one of ``A`` (the lower line); ``split`` is the number of
    letters of ``Top`` and ``orders`` the pair of orders.  Terms come sorted by the order of
    ``Top``.  ``merge``:

    * ``False`` -- every product ``Top Bottom`` written out (both mirror images of a cross term);
    * ``"cross"`` -- for ``A = sum_i c_i A_i`` (the summands as declared) the cross terms
      ``tr(A_i^T A_j) + tr(A_j^T A_i)`` become ``2 tr(A_i^T A_j)`` (the two are transposes), keeping
      the mirror image whose ``Top`` has the lower order -- the paper's listing (Sec. III);
    * ``True`` -- every two terms equal up to rotation and transposition merged.

    Equal paths from different summand pairs (e.g. ``A = B + B``) are always added up, and terms
    whose coefficients cancel are dropped.

    Parameters
    ----------
    A : MatrixExpr, GaussianMatrix, Letter or Diagonal
        The expression (any shape); its summands are those of the top-level sum.
    ridge : sympy.Symbol
        The expansion parameter ``gamma``.
    order : int
        The total order, ``0 <= order <= MAX_EXPANSION_ORDER`` (200).
    merge : {False, "cross", True}, optional
        How terms are merged (above).

    Returns
    -------
    list of TraceTerm
        With ``split`` and ``orders = (order of Top, order of Bottom)``.

    Raises
    ------
    ValueError
        If ``merge`` is not one of the three values, ``order`` is out of range, or a resolvent has
        another ridge.

    Examples
    --------
    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> X = GaussianMatrix("X", Space("v", "n"), Space("w", "m"))
    >>> g = sympy.Symbol("g")
    >>> A = X @ resolvent(X.T @ X, g) - 2 * X
    >>> [(t.coefficient, str(t.word), t.split, t.orders) for t in quadratic_terms(A, g, 1)]
    [(-2, 'X^T X', 1, (0, 1)), (-2, 'X^T X', 1, (1, 0))]
    >>> [(t.coefficient, str(t.word), t.split, t.orders) for t in quadratic_terms(A, g, 1, merge="cross")]
    [(-4, 'X^T X', 1, (0, 1))]
    """
    A = as_expr(A)
    order = check_order(order, "order", maximum=MAX_EXPANSION_ORDER)
    if merge not in (False, True, "cross"):
        raise ValueError(f"merge: must be False, True or 'cross', got {merge!r}")
    summands = _terms(A)
    bottoms = [expand(Ai, ridge, order) for _, Ai in summands]
    tops = [expand(Ai.T, ridge, order) for _, Ai in summands]
    tagged = []
    for kt in range(order + 1):
        kb = order - kt
        for i, (ci, _) in enumerate(summands):
            for pt, ct in tops[i][kt].items():
                for j, (cj, _) in enumerate(summands):
                    for pb, cb in bottoms[j][kb].items():
                        word, const = _path_word(pt + pb, A.cols)
                        split = sum(isinstance(p, Letter) for p in pt)
                        coef = sympy.expand(ci * cj * ct * cb)
                        tagged.append(((i, j), TraceTerm(order, coef, word, split, (kt, kb), const)))
    # equal paths from different summand pairs (e.g. A = B + B) add up
    combined: dict = {}
    keys: list = []
    for ij, t in tagged:
        key = (t.orders, str(t.word) if t.word is not None else ("const", str(t.constant)), t.split)
        if key in combined:
            old_ij, old = combined[key]
            combined[key] = (old_ij if old_ij == ij else None,
                             TraceTerm(order, old.coefficient + t.coefficient, old.word, old.split, old.orders,
                                       old.constant))
        else:
            combined[key] = (ij, t)
            keys.append(key)
    terms = [(combined[k][0], combined[k][1]) for k in keys if combined[k][1].coefficient != 0]
    if merge is True:
        return _merge([t for _, t in terms])
    if merge is False:
        return [t for _, t in terms]
    # "cross": pair each term of (i, j), i != j, with its transpose from (j, i)
    out, seen = [], set()
    index = {}
    for n, (ij, t) in enumerate(terms):
        if ij is not None and ij[0] != ij[1] and t.word is not None:
            index.setdefault((frozenset(ij), canonical_trace_key(t.word), frozenset(t.orders)), []).append(n)
    for n, (ij, t) in enumerate(terms):
        if n in seen:
            continue
        if ij is None or ij[0] == ij[1] or t.word is None:
            out.append(t)
            continue
        group = index[(frozenset(ij), canonical_trace_key(t.word), frozenset(t.orders))]
        partners = [m for m in group if m != n and terms[m][0] == (ij[1], ij[0]) and m not in seen]
        if not partners:
            out.append(t)
            continue
        m = partners[0]
        seen.update((n, m))
        rep = t if t.orders <= terms[m][1].orders else terms[m][1]
        coef = sympy.expand(t.coefficient + terms[m][1].coefficient)
        if coef != 0:
            out.append(TraceTerm(order, coef, rep.word, rep.split, rep.orders, rep.constant))
    return out
