r"""The first finite-size correction of a pencil's average: twisted pairings and the linearised Dyson equation.

For a pencil ``L = L0 + R`` of real Gaussian matrices (:mod:`diagrams.analysis.pencil`) Stein's lemma
(``E[X_ij F] = Rr_i Cc_j E[dF/dX_ij]``, ``dG = -G dL G``) turns ``L G = 1`` into the exact identity

    L0 E[G] - E[eta(G) G] - E[Tw(G)] = 1                                                 (S)

where ``eta`` is the rainbow self-energy of the planar Dyson equation (a matrix paired with its own
transpose, :class:`~diagrams.analysis.dyson.DysonSystem`) and ``Tw`` the *twisted* term, a matrix paired
with itself in the same orientation (:func:`twisted_pairs`).  For two occurrences ``l1 X r1`` at block
``(a, c)`` and ``l2 X r2`` at block ``(d, b)`` of one matrix ``X`` (covariances ``Rr``, ``Cc``), both
untransposed,

    Tw(G)_am += (l1 Rr l2) (G_cd)^T (Cc r1 r2) G_bm ,

and both transposed the same with ``Rr`` and ``Cc`` exchanged (a symmetric matrix pairs any two of its
occurrences so, with unit covariances).  ``Tw`` has no trace: it is one power of a size below the
rainbow term, and the fluctuation part of ``E[eta(G) G]`` two powers below.  With ``G = G0 + G1 + ...``
(``G0`` planar) the first correction solves the *linear* equation

    G1 = G0 eta(G1) G0 + G0 Tw0 ,      Tw0 = planar value of E[Tw(G)],                  (C)

and ``Tw0`` needs the planar two-point blocks ``E[(G_cd)^T D G_bm] = H_dm`` of the ladder
``H = G0^T (E_cb(D) + zeta(H)) G0`` (a coupling ``D`` at block ``(c, b)``; :class:`~diagrams.analysis.
dyson.LadderSystem`).  In trace unknowns: ``sigma1 = J sigma1 + beta`` with ``J`` the Jacobian of the
Dyson system at its root and ``beta_k = tr(W_k (G0 Tw0)_{c_k d_k})``; a linear functional
``O(G) = sum tr(w_ij G_ij)`` of the average then changes by

    O1 = grad O0 . sigma1 + sum tr(w_ij (G0 Tw0)_ij) .

A quadratic observable ``tr(Wr B^T Wl B)`` is a linear functional of the inverse of its doubled pencil
``P = [[L^T, -C], [0, L]]`` (:func:`~diagrams.analysis.pencil.doubled_pencil`), so (C) is applied to
``P`` (whose twisted pairs join ``L`` with ``L``, ``L^T`` with ``L^T`` and ``L^T`` with ``L``).

:class:`CorrectionSystem` builds every piece symbolically (sympy, per eigenvalue, like the Dyson
system); :mod:`diagrams.analysis.finite_size_programs` compiles them.

>>> from diagrams.models.registry import load_model
>>> from diagrams.analysis.pencil import linearize_term
>>> rf = load_model("random-features")
>>> L = linearize_term(rf.observable[0], rf.gamma).realization.pencil
>>> [(p.matrix, p.first, p.second) for p in twisted_pairs(L)]
[('x', (0, 1), (0, 1)), ('u', (1, 2), (1, 2)), ('u', (2, 3), (2, 3)), ('x', (3, 0), (3, 0))]
>>> [str(p.left) for p in twisted_pairs(L)]
['1', 'Sigma', '1', 'Lambda']
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from diagrams.analysis.dyson import DysonSystem, LadderSystem, SpaceTrace
from diagrams.analysis.pencil import LinearizedTerm, Pencil, covariance_symbols, doubled_pencil

__all__ = ["TwistedPair", "twisted_pairs", "Functional", "term_functional", "CorrectionSystem"]

_ZERO, _ONE = sympy.Integer(0), sympy.Integer(1)


@dataclass(frozen=True)
class TwistedPair:
    """Two occurrences of one Gaussian matrix paired in the same orientation (a twisted ribbon).

    ``first = (a, c)`` and ``second = (d, b)`` are the blocks of the two occurrences; the pair adds
    ``left * (G_cd)^T * middle * G_bm`` to ``Tw(G)_am`` (``left`` diagonal on the space of ``a``,
    ``middle`` on the space of ``c``).

    Parameters
    ----------
    matrix : str
        The name of the Gaussian matrix.
    first : tuple of int
        The block ``(a, c)`` of the first occurrence.
    second : tuple of int
        The block ``(d, b)`` of the second occurrence.
    left : sympy.Expr
        ``l1 Rr l2`` (``Cc`` for transposed occurrences), diagonal on the space of ``a``.
    middle : sympy.Expr
        ``Cc r1 r2`` (``Rr`` for transposed occurrences), diagonal on the space of ``c``.

    Examples
    --------
    >>> TwistedPair("X", (0, 1), (0, 1), sympy.Integer(1), sympy.Integer(1))
    TwistedPair(matrix='X', first=(0, 1), second=(0, 1), left=1, middle=1)
    """

    matrix: str
    first: tuple
    second: tuple
    left: sympy.Expr
    middle: sympy.Expr


def twisted_pairs(pencil: Pencil) -> list[TwistedPair]:
    """Every ordered pair of occurrences of a matrix in the same orientation, the twisted term of (S).

    Real matrices: both untransposed (``left = l1 Rr l2``, ``middle = Cc r1 r2``) or both transposed
    (``Rr`` and ``Cc`` exchanged); a symmetric matrix: any two occurrences, unit covariances; a hermitian
    matrix has no twisted pairing (complex entries, ``E[X_ij X_ij] = 0`` off the diagonal).

    Parameters
    ----------
    pencil : Pencil
        A linearization pencil (:class:`~diagrams.analysis.pencil.Pencil`).

    Returns
    -------
    list of TwistedPair
        In the order of the pencil's occurrences (first occurrence outer, second inner).

    Examples
    --------
    The pencil of ``X^T X`` has ``X^T`` at block ``(0, 1)`` and ``X`` at ``(1, 2)``; each pairs with
    itself only:

    >>> from diagrams.engine.spaces import Space
    >>> from diagrams.engine.matrices import GaussianMatrix
    >>> from diagrams.engine.expressions import as_expr
    >>> from diagrams.analysis.pencil import linearize, reduce
    >>> X = GaussianMatrix("X", Space("v", "N"), Space("w", "T"))
    >>> g = sympy.Symbol("gamma", positive=True)
    >>> L = reduce(linearize(as_expr(X.T) @ X, g), g).pencil
    >>> [(p.matrix, p.first, p.second) for p in twisted_pairs(L)]
    [('X', (0, 1), (0, 1)), ('X', (1, 2), (1, 2))]
    """
    out = []
    occ = pencil.occurrences()
    for (a, c, t1) in occ:
        for (d, b, t2) in occ:
            X = t1.letter.matrix
            if t2.letter.matrix != X or X.symmetry == "hermitian":
                continue
            if X.symmetry == "symmetric":
                left, middle = t1.left * t2.left, t1.right * t2.right
            elif t1.letter.transposed != t2.letter.transposed:
                continue
            else:
                rr, cc = covariance_symbols(X)
                if not t1.letter.transposed:
                    left, middle = t1.left * rr * t2.left, cc * t1.right * t2.right
                else:
                    left, middle = t1.left * cc * t2.left, rr * t1.right * t2.right
            out.append(TwistedPair(X.name, (a, c), (d, b), sympy.expand(left), sympy.expand(middle)))
    return out


@dataclass(frozen=True)
class Functional:
    """A linear functional of a pencil's inverse, ``O(G) = sum tr(weight G_ij) + constant``.

    Parameters
    ----------
    pencil : Pencil
        The pencil ``L`` whose inverse ``G`` is read.
    reads : tuple
        ``(i, j, weight)`` triples: the blocks ``G_ij`` read and their diagonal weights.
    constant : SpaceTrace or None, optional
        A term independent of ``G`` (a :class:`~diagrams.analysis.dyson.SpaceTrace`), or ``None``.

    Examples
    --------
    >>> from diagrams.models.declaration import Model
    >>> from diagrams.analysis.pencil import linearize_term
    >>> w = Model("wishart", "real Wishart resolvent")
    >>> N, T = w.integer("N", "rows"), w.integer("T", "columns")
    >>> X = w.gaussian("X", w.space("row", "N"), w.space("col", "T"))
    >>> w.trace(1 / T, w.resolvent(X.T @ X))
    >>> f = term_functional(linearize_term(w.observable[0], w.gamma))
    >>> len(f.pencil), f.reads, f.constant
    (2, ((0, 0, 1),), None)
    """

    pencil: Pencil
    reads: tuple
    constant: SpaceTrace | None = None


def term_functional(term: LinearizedTerm) -> Functional:
    """The pencil whose inverse an observable term reads, and how it reads it.

    A trace term ``tr(u L^-1 v + D0)`` reads ``L``; a quadratic term ``tr(Wr B^T Wl B)`` with ``B = u L^-1 v
    + D0`` reads its doubled pencil ``P``: ``tr(Wr v^T (P^-1)_12 v) + 2 tr(Wr D0 Wl u (P^-1)_22 v) +
    tr(Wr D0 Wl D0)``.  (The term's coefficient and the trace left by an exact average are not included.)

    Parameters
    ----------
    term : LinearizedTerm
        A linearized observable term (:func:`~diagrams.analysis.pencil.linearize_term`), of kind
        ``"trace"`` or ``"quadratic"``.

    Returns
    -------
    Functional
        The pencil (``L``, or the doubled pencil ``P`` of a quadratic term) and its reads.

    Examples
    --------
    >>> from diagrams.models.declaration import Model
    >>> from diagrams.analysis.pencil import linearize_term
    >>> w = Model("wishart", "real Wishart resolvent")
    >>> N, T = w.integer("N", "rows"), w.integer("T", "columns")
    >>> X = w.gaussian("X", w.space("row", "N"), w.space("col", "T"))
    >>> w.trace(1 / T, w.resolvent(X.T @ X))
    >>> term_functional(linearize_term(w.observable[0], w.gamma)).reads      # tr(G_00)
    ((0, 0, 1),)
    >>> from diagrams.models.registry import load_model
    >>> ridge = load_model("ridge")
    >>> f = term_functional(linearize_term(ridge.observable[0], ridge.gamma))  # quadratic: P doubles L
    >>> len(f.pencil), f.reads
    (4, ((1, 3, Lambda),))
    """
    r = term.realization
    if term.kind == "trace":
        reads = tuple((a, b, sympy.expand(vb * ua)) for a, ua in r.left.items() for b, vb in r.right.items())
        const = SpaceTrace(r.rows, r.constant) if r.constant != 0 else None
        return Functional(r.pencil, reads, const)
    P = doubled_pencil(term)
    n = len(r.pencil)
    reads = [(a, b, sympy.expand(ua * ub)) for a, ua in P.left.items() for b, ub in P.right.items()]
    wl, wr, d0 = term.left_weight, term.right_weight, r.constant
    const = None
    if d0 != 0:
        reads += [(a + n, b + n, sympy.expand(2 * wr * d0 * wl * ua * vb))
                  for a, ua in r.left.items() for b, vb in r.right.items()]
        const = SpaceTrace(r.cols, sympy.expand(wr * d0 * wl * d0))
    return Functional(P.pencil, tuple(reads), const)


class CorrectionSystem:
    """Equation (C) of a pencil and a linear functional of its average, as per-eigenvalue closed forms.

    Attributes

    * ``dyson`` -- the planar :class:`~diagrams.analysis.dyson.DysonSystem` (unknowns ``sigma``:
      ``dyson.symbols``);
    * ``ladder`` -- its two-point :class:`~diagrams.analysis.dyson.LadderSystem` without coupling: the
      unknowns ``chi_j`` and the homogeneous equations ``chi = A chi``;
    * ``pairs`` -- the :func:`twisted_pairs`; ``couplings`` -- the distinct ``(c, b, middle)`` of their
      two-point functions, with ``psi[q]`` the ladder unknowns of coupling ``q``;
    * ``ladder_matrix`` (``A_jk``, scalar expressions after a trace) and ``ladder_sources[q][j]`` -- the
      ladder ``psi_q = A psi_q + b_q`` (``SpaceTrace`` entries);
    * ``beta`` -- ``tr(W_k (G0 Tw0)_{c_k d_k})`` per Dyson unknown, linear in the ``psi``'s;
    * ``jacobian`` -- ``J_kj = dF_k/dsigma_j = tr(W_k (G0 (d eta/dsigma_j) G0)_{c_k d_k})``;
    * ``observable`` -- ``O0`` (SpaceTraces), ``gradient`` -- ``dO0/dsigma_k``, ``twisted`` -- the term
      ``sum tr(w_ij (G0 Tw0)_ij)`` of ``O1``.

    :attr:`sizes` is ``(Dyson unknowns, ladder unknowns, couplings)``.

    Parameters
    ----------
    functional : Functional
        The pencil and the functional of its average (:func:`term_functional`).
    model : Model
        The declared model (:class:`~diagrams.models.declaration.Model`) giving the covariances and
        sizes.
    setting : {"numeric", "symbolic"}, optional
        As for :class:`~diagrams.analysis.dyson.DysonSystem`.
    ridge_form : {"gamma", "epsilon"}, optional
        As for :class:`~diagrams.analysis.dyson.DysonSystem`.

    Raises
    ------
    ValueError
        If ``setting`` or ``ridge_form`` is not one of the above (from
        :class:`~diagrams.analysis.dyson.DysonSystem`).

    Examples
    --------
    >>> from diagrams.models.declaration import Model
    >>> from diagrams.analysis.pencil import linearize_term
    >>> w = Model("wishart", "real Wishart resolvent")
    >>> N, T = w.integer("N", "rows"), w.integer("T", "columns")
    >>> X = w.gaussian("X", w.space("row", "N"), w.space("col", "T"))
    >>> w.trace(1 / T, w.resolvent(X.T @ X))
    >>> cs = CorrectionSystem(term_functional(linearize_term(w.observable[0], w.gamma)), w)
    >>> cs.sizes, cs.dyson.symbols
    ((2, 2, 2), [tau_1, tau_2])
    >>> [(p.first, p.second) for p in cs.pairs]
    [((0, 1), (0, 1)), ((1, 0), (1, 0))]
    """

    def __init__(self, functional: Functional, model, setting: str = "numeric", ridge_form: str = "gamma"):
        self.functional = functional
        pencil = functional.pencil
        self.dyson = base = DysonSystem(pencil, model, setting, ridge_form=ridge_form)
        syms = base.symbols
        # d eta / d sigma_k (eta is linear in the unknowns)
        self._eta_k = [{ab: e.xreplace({s: (1 if t == n else 0) for t, s in enumerate(syms)})
                        for ab, e in base.self_energy.items()} for n in range(len(syms))]
        self.ladder = LadderSystem(base, {}, [])
        self.pairs = twisted_pairs(pencil)
        chis = self.ladder.symbols
        m = len(chis)
        keys: dict = {}
        for p in self.pairs:
            keys.setdefault((p.first[1], p.second[1], base.final(p.middle)), None)
        self.couplings = list(keys)
        self.psi = [[sympy.Symbol(f"psi_{q + 1}_{j + 1}") for j in range(m)] for q in range(len(self.couplings))]
        # the ladder psi_q = A psi_q + b_q (its equations are linear and homogeneous in the chi's)
        unit = [{c: (1 if i == k else 0) for i, c in enumerate(chis)} for k in range(m)]
        self.ladder_matrix = [[eq.map(lambda s, u=u: s.xreplace(u)) for u in unit] for eq in self.ladder.equations]
        self.ladder_sources = []
        for (c, b, mid) in self.couplings:
            row = []
            for u in self.ladder.unknowns:
                cj, dj = u.blocks
                row.append(SpaceTrace(pencil.blocks[cj], sympy.expand(u.weight) * base.block(c, cj) * mid
                                      * base.block(b, dj)))
            self.ladder_sources.append(row)
        # Tw0_{a j} for the blocks a that start a twisted pair
        index = {k: q for q, k in enumerate(self.couplings)}
        tw: dict = {}
        for p in self.pairs:
            a, c = p.first
            d, b = p.second
            q = index[(c, b, base.final(p.middle))]
            left = base.final(p.left)
            for j in self._space_blocks(a):
                h = self._two_point(q, d, j)
                if h != 0:
                    tw[(a, j)] = tw.get((a, j), _ZERO) + left * h
        self.tw = tw
        self.beta = [SpaceTrace(u.space, sympy.expand(u.weight) * self.g_tw(*u.blocks)) for u in base.unknowns]
        self.observable, self.twisted = [], []
        for i, j, w in functional.reads:
            wf = base.final(w)
            g = base.block(i, j)
            if g != 0:
                self.observable.append(SpaceTrace(pencil.blocks[i], wf * g))
            t = self.g_tw(i, j)
            if t != 0:
                self.twisted.append(SpaceTrace(pencil.blocks[i], wf * t))
        if functional.constant is not None:
            self.observable.append(functional.constant.map(base.final))
        # dG/dsigma_k = G (d eta/dsigma_k) G: the Jacobian of the Dyson system and the gradient of O0
        self.jacobian = [[SpaceTrace(u.space, sympy.expand(u.weight) * self._g_eta_g(k, *u.blocks))
                          for k in range(len(base.symbols))] for u in base.unknowns]
        self.gradient = []
        for k in range(len(base.symbols)):
            row = []
            for i, j, w in functional.reads:
                t = self._g_eta_g(k, i, j)
                if t != 0:
                    row.append(SpaceTrace(pencil.blocks[i], base.final(w) * t))
            self.gradient.append(row)

    # -- pieces ----------------------------------------------------------------------------------
    def _space_blocks(self, i: int) -> list:
        return self.dyson.spaces[self.dyson.pencil.blocks[i].name]

    def _two_point(self, q: int, d: int, j: int):
        """``H^q_dj = sum_ef G_ed (C^q_ef + zeta_ef(psi_q)) G_fj`` (planar ``E[(G_cd)^T D G_bj]``)."""
        base = self.dyson
        c, b, mid = self.couplings[q]
        rename = dict(zip(self.ladder.symbols, self.psi[q]))
        out = base.block(c, d) * mid * base.block(b, j)
        for (e, f), z in self.ladder.zeta.items():
            ged, gfj = base.block(e, d), base.block(f, j)
            if ged != 0 and gfj != 0:
                out += ged * z.xreplace(rename) * gfj
        return out

    def _g_eta_g(self, k: int, i: int, j: int):
        """``(G (d eta / d sigma_k) G)_ij`` per eigenvalue (``eta`` is linear in the unknowns)."""
        base = self.dyson
        out = _ZERO
        for (a, b), e in self._eta_k[k].items():
            if e == 0:
                continue
            gia, gbj = base.block(i, a), base.block(b, j)
            if gia != 0 and gbj != 0:
                out += gia * e * gbj
        return out

    def g_tw(self, i: int, j: int):
        """``(G0 Tw0)_ij`` (per eigenvalue; linear in the ``psi``'s)."""
        out = _ZERO
        for a in self._space_blocks(i):
            g = self.dyson.block(i, a)
            t = self.tw.get((a, j), _ZERO)
            if g != 0 and t != 0:
                out += g * t
        return out

    @property
    def sizes(self) -> tuple:
        """``(number of Dyson unknowns, ladder unknowns, couplings)``."""
        return len(self.dyson.symbols), len(self.ladder.symbols), len(self.couplings)
