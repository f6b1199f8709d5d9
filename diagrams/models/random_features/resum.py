r"""Resummation of the planar test-loss diagrams: resummation factor x primary diagrams (Secs. III.4-III.7).

Everything here is rebuilt from the toolkit's own diagrams; no closed form is read.

**Step 1, propagators** (:mod:`diagrams.models.random_features.resolvent`).  The 1PI self-energies of the
resolvent diagrams are recognised as ``Pi_T = -N<q> t``, ``Pi_N = -T<Q> t`` with
``t = tr[Lambda Sigma (1 + gamma xi Lambda Sigma)^-1]``; the Dyson equations then give the
consistency relation ``N(1 - gamma<q>) = T(1 - gamma<Q>) = gamma xi t``, whose series solution
supplies ``<q>``, ``<Q>``, ``xi`` below.

**Step 2, classes of loss diagrams** (:mod:`diagrams.models.random_features.classify`).  Every planar diagram of
``<tr(A^T A)>`` (words ``tr(Top · Bottom)``, ``mirror=True``) has a barrier word in ``u`` (feature
loop across the two lines, a pair of top–bottom ``u`` contractions) and ``x`` (train loop, a pair of
top–bottom ``x`` contractions), read from the test end.  The word splits into the primary part
``x^j`` and blocks ``u x^i``.  The sum of all diagrams of one barrier word is, order by order in
``1/gamma``, the series of

    l · B^j · prod_blocks f(i),   f(0) = A,   f(i) = G B^(i-1)   (i >= 1)

with the blobs (paper Eqs. 52-53, 74-84, 87-92; ``docs/resummation.md``)::

    l   = tr[Lambdahat (1 + gamma xi Lambda Sigma)^-2]                      primary, no barrier
    B   = gamma^2 T <Q>^2 v,   v   = N^2 <q>^2 tr[(Lambda Sigma)^2 (1 + gamma xi Lambda Sigma)^-2]
    A   = gamma^2 N <q>^2 r_c, r_c = T^2 <Q>^2 tr[(Lambda Sigma)^2 (1 + gamma xi Lambda Sigma)^-2]
    G   = gamma^2 xi^2 r_d'^2/(N T),  r_d' = tr[Lambda Sigma (1 + gamma xi Lambda Sigma)^-2]

(:func:`class_expression`, checked by :func:`check_factorisation`).  A block without a train barrier
is latent-connected (``A``, the paper's ``r_c``), one with ``i`` train barriers a ladder of ``i + 1``
2PI rungs (``G B^(i-1)``, the paper's ``r_d``).

**Step 3, resummation** (:func:`derive_resummation`).  Summing the class expressions over all
barrier words is a geometric sum over a three-state automaton; sympy solves it into
``R · P`` with ``P = l/(1 - B)`` (primary diagrams, Eq. 92) and ``R = 1/(1 - A - G/(1 - B))``
(resummation factor, Eq. 84), and simplifies ``R · P`` to ``l/D`` with
``D = (1 - A)(1 - B) - G`` (Eq. 104).

>>> res = derive_resummation()
>>> res["sum_symbols"], res["primary_symbols"], res["R P == l/D"]
(l/(A*B - A - B - G + 1), -l/(B - 1), True)
>>> rep = check_factorisation(3, ExactEnv(2, 3, ["1", "1/2"]))
>>> all(row["match"] for row in rep)
True
>>> [(row["class"], row["counts"]) for row in rep if row["group"] == "barrier word"]
[('no barrier', [1, 2, 7, 30]), ('barriers u', [0, 0, 1, 8]), ('barriers x', [0, 0, 1, 8]), ('barriers ux', [0, 0, 1, 10])]
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import mpmath
import sympy

from diagrams.engine.numbers import check_order, read_integer
from diagrams.engine.symbols import canonical_cycle
from diagrams.models.random_features.classify import cell_hops, classify, top_bottom_counts
from diagrams.models.random_features.model import C, M, N, Q, T, gamma, q, sigma_w2, xi
from diagrams.models.random_features.resolvent import (
    MAX_CONSISTENCY_ORDER,
    MAX_RESOLVENT_ORDER,
    ExactEnv,
    ResolventTrace,
    SymbolicEnv,
    check_consistency,
    check_dyson,
    check_self_energy,
    consistency_series,
    derive_consistency_relation,
    evaluate,
    propagator_values,
    series_of,
    solve_consistency,
)

__all__ = [
    "ExactEnv", "SymbolicEnv",
    "CLOSED_FORM_PREFACTOR",
    "MAX_CLASS_ORDER",
    "expressions",
    "class_expression",
    "class_rule",
    "loss_classes",
    "derive_resummation",
    "check_factorisation",
    "check_propagators",
    "check_hops",
    "cell_structure",
    "hop_expression",
    "LossClasses",
    "resummation_report",
    "resummed_values",
    "resummation_factor",
    "primary_diagrams",
    "rebuilt_loss",
    "relation_values",
]

#: ``C sigma_w^2/(2M)``, the prefactor of Eq. (104): the loss is this times ``R · P = l/D`` (the test
#: loop's ``T̂`` cancels the ``1/T̂`` of the trace prefactor
#: :data:`~diagrams.models.random_features.expansion.TRACE_PREFACTOR`).
CLOSED_FORM_PREFACTOR = C * sigma_w2 / (2 * M)

#: Highest order of :func:`loss_classes` (and so of the checks built on it): the planar loss diagrams
#: are listed one by one (12376 at order 6, about six times more per order).
MAX_CLASS_ORDER = 10

_a = gamma * xi


def expressions() -> dict:
    """The rebuilt closed expressions of the resummation, by name (sympy; see the module docstring).

    Returns
    -------
    dict of str to sympy.Expr
        ``t, l, r_c, v, r_dp, A, B, G, X, R, P, loss`` and ``D`` (the denominator that
        :func:`derive_resummation` finds, Eq. 104); ``R`` is the resummation factor (Eq. 84), ``P``
        the primary diagrams (Eq. 92) and ``loss`` is :data:`CLOSED_FORM_PREFACTOR` ``* R * P``.

    Examples
    --------
    >>> e = expressions()
    >>> sorted(e)
    ['A', 'B', 'D', 'G', 'P', 'R', 'X', 'l', 'loss', 'r_c', 'r_dp', 't', 'v']
    >>> e["l"]
    tr_resolvent(gamma*xi, 0, 2, 1)
    >>> e["X"] == e["A"] + e["G"] / (1 - e["B"])
    True
    """
    t = ResolventTrace(_a, 1, 1, 0)
    l = ResolventTrace(_a, 0, 2, 1)
    s2 = ResolventTrace(_a, 2, 2, 0)
    r_dp = ResolventTrace(_a, 1, 2, 0)
    r_c = T ** 2 * Q ** 2 * s2
    v = N ** 2 * q ** 2 * s2
    A = gamma ** 2 * N * q ** 2 * r_c
    B = gamma ** 2 * T * Q ** 2 * v
    G = gamma ** 2 * xi ** 2 * r_dp ** 2 / (N * T)
    X = A + G / (1 - B)
    R = 1 / (1 - X)
    P = l / (1 - B)
    D = (1 - A) * (1 - B) - G
    return {"t": t, "l": l, "r_c": r_c, "v": v, "r_dp": r_dp, "A": A, "B": B, "G": G, "X": X,
            "R": R, "P": P, "D": D, "loss": CLOSED_FORM_PREFACTOR * R * P}


def class_expression(pattern: str = "", primary_rungs: int | None = None, blocks: Sequence[int] | None = None):
    """The closed expression (without the prefactor) of the diagrams with one barrier word.

    It is :func:`class_rule` with the blobs of :func:`expressions` substituted.

    Parameters
    ----------
    pattern : str
        A barrier word in ``u`` and ``x``, read from the test end
        (:func:`~diagrams.models.random_features.classify.barrier_pattern`); ``""`` for no barrier.
    primary_rungs : int, optional
        Instead of ``pattern``: the number ``j`` of train barriers before the first feature barrier.
        When given, ``pattern`` must be empty and ``blocks`` must be given too.
    blocks : sequence of int, optional
        With ``primary_rungs``: for each feature barrier, the number ``i`` of train barriers after it.

    Returns
    -------
    sympy.Expr
        ``l B^j prod_blocks f(i)``, ``f(0) = A``, ``f(i) = G B^(i-1)``, in the expressions of
        :func:`expressions`.

    Raises
    ------
    ValueError
        If ``pattern`` has a letter other than ``u`` and ``x``; if both ``pattern`` and
        ``primary_rungs`` are given, or ``blocks`` without ``primary_rungs`` or ``primary_rungs``
        without ``blocks``; if ``primary_rungs`` or an entry of ``blocks`` is not an integer in
        ``[0, MAX_CLASS_ORDER]``.

    Examples
    --------
    >>> class_expression("u") == expressions()["l"] * expressions()["A"]
    True
    >>> class_expression(primary_rungs=1, blocks=[0]) == class_expression("xu")
    True
    """
    if primary_rungs is None:
        if blocks is not None:
            raise ValueError("blocks: only with primary_rungs (or give the barrier word as pattern)")
        if not isinstance(pattern, str) or set(pattern) - {"u", "x"}:
            raise ValueError(f"pattern: a barrier word is made of u and x, got {pattern!r}")
        head = pattern.split("u")[0]
        primary_rungs = len(head)
        blocks = [len(part) for part in pattern.split("u")[1:]]
    else:
        if pattern:
            raise ValueError("pattern: give either pattern or primary_rungs with blocks, not both")
        primary_rungs = read_integer(primary_rungs, "primary_rungs", minimum=0, maximum=MAX_CLASS_ORDER)
        if blocks is None or isinstance(blocks, (str, bytes)):
            raise ValueError(f"blocks: with primary_rungs, give the list of train barriers after each feature "
                             f"barrier (integers >= 0), got {blocks!r}")
        blocks = [read_integer(i, "blocks", minimum=0, maximum=MAX_CLASS_ORDER) for i in blocks]
    e = expressions()
    out = e["l"] * e["B"] ** primary_rungs
    for i in blocks:
        out = out * (e["A"] if i == 0 else e["G"] * e["B"] ** (i - 1))
    return out


def class_rule(pattern: str):
    """The product ``l B^j prod f(i)`` of a barrier word in the symbols ``l, A, B, G``.

    Here ``j`` is the number of train barriers before the first feature barrier and ``f(0) = A``,
    ``f(i) = G B^(i-1)`` for a block of a feature barrier followed by ``i`` train barriers.

    Parameters
    ----------
    pattern : str
        A barrier word in ``u`` and ``x``, read from the test end
        (:func:`~diagrams.models.random_features.classify.barrier_pattern`); ``""`` for no barrier.

    Returns
    -------
    sympy.Expr
        The product in the plain symbols ``l, A, B, G``.

    Raises
    ------
    ValueError
        If ``pattern`` has a letter other than ``u`` and ``x``.

    Examples
    --------
    >>> class_rule("")
    l
    >>> class_rule("xuxxu")
    A*B**2*G*l
    """
    if set(pattern) - {"u", "x"}:
        raise ValueError(f"pattern: a barrier word is made of u and x, got {pattern!r}")
    l_, A_, B_, G_ = sympy.symbols("l A B G")
    head = pattern.split("u")[0]
    out = l_ * B_ ** len(head)
    for part in pattern.split("u")[1:]:
        out = out * (A_ if not part else G_ * B_ ** (len(part) - 1))
    return out


# ============================================================================ diagram classes

class LossClasses:
    """The planar loss diagrams of orders ``0..order`` sorted by barrier word and by cell hops.

    Filled by :func:`loss_classes` (use that: it checks the order and caches); the constructor only
    makes the empty tables.

    Parameters
    ----------
    order : int
        The highest order.

    Attributes
    ----------
    order : int
        The highest order.
    patterns : dict
        ``patterns[w][k]``: ``{monomial key: weight}`` for barrier word ``w`` at order ``k``; the
        weight sums the word coefficients ``t_n t_m`` and the key is the value divided by the test
        loop ``T̂`` (so the loss is :data:`CLOSED_FORM_PREFACTOR` times the class sums).
    counts : dict
        ``counts[w][k]``: number of diagrams.
    hops, hop_counts : dict
        ``hops[w][h][k]`` and ``hop_counts[w][h][k]``: the same, split further by the hop vector
        ``h`` (:func:`~diagrams.models.random_features.classify.cell_hops`).
    top_bottom, top_bottom_counts : dict
        The same layout as ``patterns``/``counts``, by top-bottom counts ``(u, x)``.
    latent, latent_counts : dict
        The same, by latent structure ``(primary_connected, blocks_connected)``.

    Examples
    --------
    >>> LossClasses(2).patterns
    {}
    >>> lc = loss_classes(2)
    >>> lc.counts
    {'': [1, 2, 7], 'u': [0, 0, 1], 'x': [0, 0, 1], 'ux': [0, 0, 1]}
    >>> lc.top_bottom_counts
    {(0, 0): [1, 2, 7], (0, 2): [0, 0, 1], (2, 0): [0, 0, 1], (2, 2): [0, 0, 1]}
    >>> lc.hop_counts["u"]
    {((0, 0, 0), (2, 1, 1)): [0, 0, 1]}
    """

    def __init__(self, order: int):
        self.order = order
        self.patterns: dict = {}
        self.counts: dict = {}
        self.hops: dict = {}
        self.hop_counts: dict = {}
        #: by top-bottom counts ``(u, x)`` and by latent structure
        #: ``(primary_connected, blocks_connected)``, same layout as ``patterns``/``counts``
        self.top_bottom: dict = {}
        self.top_bottom_counts: dict = {}
        self.latent: dict = {}
        self.latent_counts: dict = {}


def loss_classes(order: int) -> LossClasses:
    """The planar loss diagrams to ``order``, sorted into classes (cached per order).

    They are enumerated by the engine's planar generator.

    Parameters
    ----------
    order : int
        ``0 <= order <= 10`` (:data:`MAX_CLASS_ORDER`); all planar loss diagrams of orders
        ``0..order`` are listed.

    Returns
    -------
    LossClasses
        The class tables (cached per order: do not modify them).

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, 10]``, before any work.

    Examples
    --------
    >>> loss_classes(2).counts
    {'': [1, 2, 7], 'u': [0, 0, 1], 'x': [0, 0, 1], 'ux': [0, 0, 1]}
    >>> loss_classes(11)
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [0, 10], got 11
    """
    return _loss_classes(check_order(order, "order", maximum=MAX_CLASS_ORDER))


@lru_cache(maxsize=None)
def _loss_classes(order: int) -> LossClasses:
    from diagrams.models.random_features.expansion import loss_diagrams

    out = LossClasses(order)

    def add(table, counts, key1, key2, k, mono, coef):
        per = table.setdefault(key1, {})
        if key2 is not None:
            per = per.setdefault(key2, {})
        lst = per.setdefault("w", [dict() for _ in range(order + 1)])
        lst[k][mono] = lst[k].get(mono, 0) + coef
        cnt = counts.setdefault(key1, {})
        if key2 is not None:
            cnt = cnt.setdefault(key2, {})
        c = cnt.setdefault("n", [0] * (order + 1))
        c[k] += 1

    for k in range(order + 1):
        for term, c in loss_diagrams(k, "planar", mirror=True):
            cl = classify(term, c)
            hops = tuple(cell_hops(term, c))
            faces = [(f.space.name, canonical_cycle(f.covariances)) for f in c.faces]
            tests = [i for i, f in enumerate(faces) if f[0] == "test"]
            if len(tests) != 1 or faces[tests[0]][1]:
                raise AssertionError("a loss diagram has exactly one bare test loop")
            mono = tuple(sorted(f for i, f in enumerate(faces) if i != tests[0]))
            add(out.patterns, out.counts, cl.pattern, None, k, mono, term.coefficient)
            add(out.hops, out.hop_counts, cl.pattern, hops, k, mono, term.coefficient)
            tb = top_bottom_counts(term, c)
            add(out.top_bottom, out.top_bottom_counts, (tb.get("u", 0), tb.get("x", 0)), None, k, mono, term.coefficient)
            add(out.latent, out.latent_counts, (cl.primary_connected, cl.blocks_connected), None, k, mono,
                term.coefficient)
    key = lambda kv: (len(kv[0]), kv[0])
    out.patterns = {p: v["w"] for p, v in sorted(out.patterns.items(), key=key)}
    out.counts = {p: v["n"] for p, v in sorted(out.counts.items(), key=key)}
    out.hops = {p: {h: d["w"] for h, d in sorted(v.items())} for p, v in sorted(out.hops.items(), key=key)}
    out.hop_counts = {p: {h: d["n"] for h, d in sorted(v.items())} for p, v in sorted(out.hop_counts.items(), key=key)}
    for name in ("top_bottom", "latent"):
        table, counts = getattr(out, name), getattr(out, name + "_counts")
        setattr(out, name, {kk: v["w"] for kk, v in sorted(table.items())})
        setattr(out, name + "_counts", {kk: v["n"] for kk, v in sorted(counts.items())})
    return out


#: Cell kinds: ``(trace of the skeleton loop, number of forced Lambdas)``.  ``l``: the test cell,
#: ``tr[Lambdahat (Lambda Sigma)^n]``; ``s2``: a cell of ``v`` or ``r_c``, ``tr[(Lambda Sigma)^n]``
#: with ``n >= 2``; ``r_dp``: an end rung of a ladder, ``tr[(Lambda Sigma)^n]`` with ``n >= 1``.
CELL_KINDS = {"l": (1, 0), "s2": (0, 2), "r_dp": (0, 1)}


def cell_structure(pattern: str) -> tuple[list, sympy.Expr]:
    """The cell kinds of a barrier word and the factor that is not a latent trace.

    Each factor of :func:`class_expression` owns cells: ``l`` the test cell, each ``B`` (an
    ``x`` barrier of the primary part or the middle of a ladder) the cell after it (``s2``, factor
    ``gamma^2 T <Q>^2 N^2 <q>^2``), ``A`` the cell after its ``u`` barrier (``s2``, factor
    ``gamma^2 N <q>^2 T^2 <Q>^2``) and ``G`` the cells after the ``u`` barrier and after the last
    ``x`` barrier of its ladder (``r_dp`` each, factor ``gamma^2 xi^2/(N T)``).

    Parameters
    ----------
    pattern : str
        A barrier word in ``u`` and ``x``, read from the test end
        (:func:`~diagrams.models.random_features.classify.barrier_pattern`); ``""`` for no barrier.

    Returns
    -------
    kinds : list of str
        The kind of each cell, left to right: ``"l"``, ``"s2"`` or ``"r_dp"`` (keys of
        :data:`CELL_KINDS`).
    factor : sympy.Expr
        The product of the factors that are not latent traces.

    Raises
    ------
    ValueError
        If ``pattern`` has a letter other than ``u`` and ``x``.

    Examples
    --------
    >>> cell_structure("u")
    (['l', 's2'], N*Q**2*T**2*gamma**2*q**2)
    >>> cell_structure("xux")
    (['l', 's2', 'r_dp', 'r_dp'], N*Q**2*gamma**4*q**2*xi**2)
    """
    if set(pattern) - {"u", "x"}:
        raise ValueError(f"pattern: a barrier word is made of u and x, got {pattern!r}")
    b = gamma ** 2 * T * Q ** 2 * N ** 2 * q ** 2
    head, *blocks = pattern.split("u")
    kinds = ["l"] + ["s2"] * len(head)
    pref = b ** len(head)
    for part in blocks:
        if not part:
            kinds.append("s2")
            pref = pref * gamma ** 2 * N * q ** 2 * T ** 2 * Q ** 2
        else:
            kinds += ["r_dp"] + ["s2"] * (len(part) - 1) + ["r_dp"]
            pref = pref * gamma ** 2 * xi ** 2 / (N * T) * b ** (len(part) - 1)
    return kinds, pref


def hop_expression(pattern: str, hops: Sequence) -> sympy.Expr:
    """The term of the geometric series that a hop class should sum to.

    With ``n_r`` Lambdas on the skeleton loop of cell ``r``:
    ``factor · (-gamma xi)^(sum_r n_r - F) · prod_r tr[Lambdahat^(r == 0) (Lambda Sigma)^(n_r)]``, where
    ``factor`` is :func:`cell_structure`'s and ``F`` the number of Lambdas the cells force (0 for
    ``l``, 2 for ``s2``, 1 for ``r_dp``).  When every ``n_r`` reaches its cell's forced number the
    term factorises cell by cell into the terms of ``l``, ``v``, ``r_c``, ``r_d'``; in the primary
    ladders (``x`` barriers before the first ``u``) a barrier's Lambda can sit on the test cell's loop
    instead, and the classes only sum to ``l B^j`` once ``Lambdahat = Lambda`` (the paper's trade of
    the dotted loop for a dashed one, Eq. 87).

    Parameters
    ----------
    pattern : str
        A barrier word in ``u`` and ``x``, read from the test end
        (:func:`~diagrams.models.random_features.classify.barrier_pattern`); ``""`` for no barrier.
    hops : sequence of tuple of int
        One ``(n, top, bottom)`` per cell (:func:`~diagrams.models.random_features.classify.cell_hops`);
        only the ``n`` enter.

    Returns
    -------
    sympy.Expr
        The term; ``0`` when ``sum_r n_r`` is below the forced number ``F``.

    Raises
    ------
    ValueError
        If ``pattern`` has a letter other than ``u`` and ``x``, or if ``hops`` does not have one
        entry per cell.

    Examples
    --------
    >>> hop_expression("", [(1, 0, 0)])
    -gamma*xi*tr_resolvent(gamma*xi, 1, 0, 1)
    >>> hop_expression("u", [(0, 0, 0), (2, 1, 1)])
    N*Q**2*T**2*gamma**2*q**2*tr_resolvent(gamma*xi, 0, 0, 1)*tr_resolvent(gamma*xi, 2, 0, 0)
    """
    kinds, pref = cell_structure(pattern)
    if len(hops) != len(kinds):
        raise ValueError(f"hops: the word {pattern!r} has {len(kinds)} cells, got {len(hops)} hop counts")
    forced = sum(CELL_KINDS[k][1] for k in kinds)
    total = sum(h[0] for h in hops)
    if total < forced:
        return sympy.Integer(0)
    out = pref * (-_a) ** (total - forced)
    for r, (n, top, bottom) in enumerate(hops):
        out = out * ResolventTrace(_a, n, 0, 1 if r == 0 else 0)
    return out


def cells_factorise(pattern: str, hops: Sequence) -> bool:
    """Whether every cell holds at least its forced number of Lambdas (the term then factorises)."""
    kinds, _ = cell_structure(pattern)
    return all(h[0] >= CELL_KINDS[k][1] for h, k in zip(hops, kinds))


def _class_rows(lc: LossClasses) -> list:
    """Rows of the table: ``(group, label, rule, expression, table, member keys)``."""
    e = expressions()
    tb_keys = list(lc.top_bottom)
    rows = [
        ("top-bottom", "no top-bottom u, no top-bottom x", "l", e["l"], "top_bottom",
         [k for k in tb_keys if k == (0, 0)]),
        ("top-bottom", "no top-bottom u", "P = l/(1-B)", e["P"], "top_bottom", [k for k in tb_keys if k[0] == 0]),
    ]
    n_max = max([u for u, _ in tb_keys] + [0])
    for n in range(1, n_max // 2 + 1):
        rows.append(("top-bottom", f"{2 * n} top-bottom u", f"P X^{n}", e["P"] * e["X"] ** n, "top_bottom",
                     [k for k in tb_keys if k[0] == 2 * n]))
    odd = [k for k in tb_keys if k[0] % 2]
    if odd:
        rows.append(("top-bottom", "odd number of top-bottom u", "0", sympy.Integer(0), "top_bottom", odd))
    lat = list(lc.latent)
    rows += [
        ("latent structure", "primary part connected", "l R", e["l"] * e["R"], "latent",
         [k for k in lat if k[0]]),
        ("latent structure", "every part connected", "l/(1-A)", e["l"] / (1 - e["A"]), "latent",
         [k for k in lat if k[0] and all(k[1])]),
        ("latent structure", "one block, connected (r_c)", "P A", e["P"] * e["A"], "latent",
         [k for k in lat if k[1] == (True,)]),
        ("latent structure", "one block, ladder of 2PI rungs (r_d)", "P G/(1-B)", e["P"] * e["G"] / (1 - e["B"]),
         "latent", [k for k in lat if k[1] == (False,)]),
    ]
    for p in lc.patterns:
        label = f"barriers {p}" if p else "no barrier"
        rows.append(("barrier word", label, str(class_rule(p)), class_expression(p), "patterns", [p]))
    rows.append(("total", "all planar diagrams", "R P", e["R"] * e["P"], "patterns", list(lc.patterns)))
    return rows


def relation_values(order: int, env, margin: int = 1) -> dict:
    """The series of ``gamma``, ``<q>``, ``<Q>`` and ``xi`` from the consistency relation's series solution.

    The solution (:func:`~diagrams.models.random_features.resolvent.consistency_series`) is taken to
    ``eps^(order + margin)``, ``eps = 1/gamma``, and turned into the values of
    :func:`~diagrams.models.random_features.resolvent.propagator_values`.

    Parameters
    ----------
    order : int
        The order needed, ``order + margin <= 60``
        (:data:`~diagrams.models.random_features.resolvent.MAX_CONSISTENCY_ORDER`).
    env : ExactEnv or SymbolicEnv
        The parameters.
    margin : int, optional
        Extra orders solved for (default 1).

    Returns
    -------
    dict
        ``{gamma: 1/eps, q: eps gq, Q: eps gQ, xi: N T <q> <Q>}``, keyed by the model's symbols,
        as series; the values :func:`~diagrams.models.random_features.resolvent.series_of` takes.

    Raises
    ------
    ValueError
        If ``margin`` is not an integer in ``[0, 60]`` or ``order`` not one in ``[0, 60 - margin]``.

    Examples
    --------
    >>> from diagrams.models.random_features.model import Q, q, xi
    >>> v = relation_values(1, ExactEnv(2, 3, ["1"]))
    >>> v[q].coefficients(2), v[Q].coefficients(2), v[xi].coefficients(2)
    ([0, Fraction(1, 1), Fraction(-3, 1)], [0, Fraction(1, 1), Fraction(-2, 1)], [0, 0, Fraction(6, 1)])
    """
    margin = read_integer(margin, "margin", minimum=0, maximum=MAX_CONSISTENCY_ORDER)
    order = check_order(order, "order", maximum=MAX_CONSISTENCY_ORDER - margin)
    g, G = consistency_series(order + margin, env)
    return propagator_values(env, g, G, order + margin + 1)


def check_factorisation(order: int, env=None, patterns_only: bool = False) -> list:
    """The factorisation check: per class and order, the diagram sum against its closed expression.

    The closed expression is expanded as a series in ``eps = 1/gamma``.

    The classes are grouped by top-bottom counts (``l``, ``P``, ``P X^n``), by latent structure, by
    barrier word (:func:`class_expression`) and in total (``R P``).

    Parameters
    ----------
    order : int
        ``0 <= order <= 10`` (:data:`MAX_CLASS_ORDER`); all planar loss diagrams of orders
        ``0..order`` are listed.
    env : ExactEnv or SymbolicEnv, optional
        The parameters: an :class:`ExactEnv` (exact rationals) or a :class:`SymbolicEnv` (default).
    patterns_only : bool, optional
        Keep only the barrier-word rows (default False).

    Returns
    -------
    list of dict
        Rows ``{"group", "class", "rule", "expression", "counts", "diagrams", "closed", "matches",
        "match"}``: ``counts``, ``diagrams``, ``closed`` and ``matches`` are per-order lists
        (``diagrams``/``closed`` as sympy values, without :data:`CLOSED_FORM_PREFACTOR`); ``match``
        is the conjunction of ``matches``.

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, 10]``.

    Examples
    --------
    >>> rows = check_factorisation(2, ExactEnv(2, 3, ["1"]), patterns_only=True)
    >>> for r in rows:
    ...     print(r["class"], r["counts"], r["match"])
    no barrier [1, 2, 7] True
    barriers u [0, 0, 1] True
    barriers x [0, 0, 1] True
    barriers ux [0, 0, 1] True
    >>> all(r["match"] for r in check_factorisation(1))
    True
    """
    env = SymbolicEnv() if env is None else env
    lc = loss_classes(order)
    order = lc.order
    vals = relation_values(order, env)
    value_cache: dict = {}
    series_cache: dict = {}

    def class_sum(table, key, k):
        ck = (table, key, k)
        if ck not in value_cache:
            value_cache[ck] = env.weighted(getattr(lc, table)[key][k])
        return value_cache[ck]

    rows = []
    for group, label, rule, expr, table, members in _class_rows(lc):
        if patterns_only and group != "barrier word":
            continue
        counts = getattr(lc, "counts" if table == "patterns" else table + "_counts")
        # xi = N T <q> <Q> (Eq. 45): substituted so that no 1/N, 1/T is left for the polynomial ring
        ser = series_of(expr.subs(xi, N * T * q * Q), env, vals, order + 3, series_cache)
        closed = ser.coefficients(order)
        diag = []
        for k in range(order + 1):
            tot = env.zero
            for m in members:
                tot = tot + class_sum(table, m, k)
            diag.append(tot)
        match = [env.equal(a, b) for a, b in zip(diag, closed)]
        rows.append({
            "group": group,
            "class": label,
            "rule": rule,
            "expression": expr,
            "counts": [sum(counts[m][k] for m in members) for k in range(order + 1)],
            "diagrams": [env.to_sympy(x) for x in diag],
            "closed": [env.to_sympy(x) for x in closed],
            "matches": match,
            "match": all(match),
        })
    return rows


def check_hops(order: int, env=None) -> list:
    """The hop check, per barrier word and order: every hop class sums to its geometric-series term.

    A hop class is the set of diagrams with one barrier word and one hop vector ``(n, top, bottom)``
    per cell.  Checked: each class sum equals the series of :func:`hop_expression`, which depends on
    the ``n`` only.  ``cells_factorise`` in the row says whether every cell holds its forced Lambdas
    (false exactly for the primary ladders, see :func:`hop_expression`).  The ``n - forced + 1``
    ways to split the hops between the two lines then sum to the coefficients of
    ``(1 + gamma xi Lambda Sigma)^-2``: the double geometric series of ``l``, ``v``, ``r_c``,
    ``r_d'`` (paper Eqs. 53, 77, 80, 82).

    Parameters
    ----------
    order : int
        ``0 <= order <= 10`` (:data:`MAX_CLASS_ORDER`); all planar loss diagrams of orders
        ``0..order`` are listed.
    env : ExactEnv or SymbolicEnv, optional
        The parameters: an :class:`ExactEnv` (exact rationals) or a :class:`SymbolicEnv` (default).

    Returns
    -------
    list of dict
        One row per barrier word: ``{"group", "class", "rule", "counts", "hop_classes",
        "cells_factorise", "matches", "match"}``; ``counts``, ``hop_classes`` (number of non-empty
        hop classes) and ``matches`` are per-order lists, ``match`` their conjunction.

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, 10]``.

    Examples
    --------
    >>> rows = check_hops(2, ExactEnv(2, 3, ["1"]))
    >>> for r in rows:
    ...     print(r["class"], r["hop_classes"], r["cells_factorise"], r["match"])
    hop classes of no barrier (cells l) [1, 2, 5] True True
    hop classes of u (cells l s2) [0, 0, 1] True True
    hop classes of x (cells l s2) [0, 0, 1] False True
    hop classes of ux (cells l r_dp r_dp) [0, 0, 1] True True
    """
    env = SymbolicEnv() if env is None else env
    lc = loss_classes(order)
    order = lc.order
    vals = relation_values(order, env)
    cache: dict = {}
    rows = []
    for pattern, classes in lc.hops.items():
        kinds, _ = cell_structure(pattern)
        ok = [True] * (order + 1)
        n_classes = [0] * (order + 1)
        factorise = True
        for hops, weights in classes.items():
            factorise = factorise and cells_factorise(pattern, hops)
            expr = hop_expression(pattern, hops).subs(xi, N * T * q * Q)
            closed = series_of(expr, env, vals, order + 3, cache).coefficients(order)
            for k in range(order + 1):
                if lc.hop_counts[pattern][hops][k]:
                    n_classes[k] += 1
                if not env.equal(env.weighted(weights[k]), closed[k]):
                    ok[k] = False
        rows.append({
            "group": "hops",
            "class": f"hop classes of {pattern or 'no barrier'} (cells {' '.join(kinds)})",
            "rule": "(-gamma xi)^hops" + ("" if factorise else ", shared Lambda"),
            "counts": lc.counts[pattern],
            "hop_classes": n_classes,
            "cells_factorise": factorise,
            "matches": ok,
            "match": all(ok),
        })
    return rows


def check_propagators(order: int, env=None) -> list:
    """The resolvent-level checks as table rows (Dyson chains, recognised self-energies, relation).

    Step 1 of the module docstring: the checks of
    :func:`~diagrams.models.random_features.resolvent.check_dyson`,
    :func:`~diagrams.models.random_features.resolvent.check_self_energy` (train and feature) and
    :func:`~diagrams.models.random_features.resolvent.check_consistency` (Eq. 99).

    Parameters
    ----------
    order : int
        ``0 <= order <= 12`` (:data:`~diagrams.models.random_features.resolvent.MAX_RESOLVENT_ORDER`).
    env : ExactEnv or SymbolicEnv, optional
        The parameters: an :class:`ExactEnv` (exact rationals) or a :class:`SymbolicEnv` (default).

    Returns
    -------
    list of dict
        Rows ``{"group", "class", "rule", "matches", "match"}``: ``matches`` per order, ``match``
        their conjunction.

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, 12]``.

    Examples
    --------
    >>> rows = check_propagators(1, ExactEnv(2, 3, ["1"]))
    >>> for r in rows[:3]:
    ...     print(r["class"], "|", r["rule"])
    gamma<Q>: chains of 1PI blobs | 1/(1-Pi_T)
    Pi_T: 1PI, skeleton tr[(Lambda Sigma)^1] | -N<q>(-gamma xi)^0
    Pi_T: all 1PI | -N<q> t
    >>> all(r["match"] for r in rows)
    True
    """
    env = SymbolicEnv() if env is None else env
    order = check_order(order, "order", maximum=MAX_RESOLVENT_ORDER)
    rows = []
    for space, name in (("train", "<Q>"), ("feature", "<q>")):
        pi = "Pi_T" if space == "train" else "Pi_N"
        own = "-N<q>" if space == "train" else "-T<Q>"
        for label, ok in check_dyson(space, order, env).items():
            rows.append({"group": "propagators", "class": f"gamma{name}: chains of 1PI blobs",
                         "rule": f"1/(1-{pi})", "matches": ok, "match": all(ok)})
        for label, ok in check_self_energy(space, order, env).items():
            if label.startswith("skeleton"):
                p = int(label.split("=")[1])
                rule = f"{own}(-gamma xi)^{p - 1}"
                cls = f"{pi}: 1PI, skeleton tr[(Lambda Sigma)^{p}]"
            else:
                rule = f"{own} t"
                cls = f"{pi}: all 1PI"
            rows.append({"group": "self-energy", "class": cls, "rule": rule, "matches": ok, "match": all(ok)})
    for label, ok in check_consistency(order, env).items():
        rows.append({"group": "consistency", "class": label.split(":")[0] + ": diagrams", "rule": "relation (Eq. 99)",
                     "matches": ok, "match": all(ok)})
    return rows


# ============================================================================ symbolic resummation

def derive_resummation() -> dict:
    r"""Sum the class expressions over every barrier word, symbolically, and compare with ``l/D``.

    ``l/D`` is the paper's Eq. (104).

    The barrier words are all words in ``u, x``; the weight of a word is ``l B^j prod f(i)``.  A
    three-state automaton reads a word: ``S0`` (primary part: ``x`` -> weight ``B``), ``S1`` (just
    after a ``u``: another ``u`` closes the block with ``A``, an ``x`` starts a ladder with ``G``)
    and ``S2`` (inside a ladder: ``x`` -> ``B``, ``u`` -> 1).  The generating functions
    ``F_s = end_s + sum_t w_st F_t`` are solved by sympy.  Returns the sympy results:
    ``sum`` (``l F_S0``), ``primary`` (its ``u``-free part, ``P``), ``resummation_factor``
    (``sum / primary``, ``R``), ``eq104`` (``l/D``) and the checks ``sum == R P`` and
    ``R P == l/D`` (``True`` when sympy simplifies the differences to 0).

    Returns
    -------
    dict
        ``sum_symbols`` and ``primary_symbols`` (in the plain symbols ``l, A, B, G``), ``sum``,
        ``primary``, ``resummation_factor``, ``eq104`` (in the expressions of :func:`expressions`),
        ``"sum == R P"`` and ``"R P == l/D"`` (bool).

    Examples
    --------
    >>> res = derive_resummation()
    >>> res["primary_symbols"], res["sum == R P"], res["R P == l/D"]
    (-l/(B - 1), True, True)
    """
    l_, A_, B_, G_ = sympy.symbols("l A B G")
    F0, F1, F2 = sympy.symbols("F0 F1 F2")
    eqs = [
        sympy.Eq(F0, 1 + B_ * F0 + F1),
        sympy.Eq(F1, A_ + A_ * F1 + G_ * F2),
        sympy.Eq(F2, 1 + B_ * F2 + F1),
    ]
    sol = sympy.solve(eqs, [F0, F1, F2], dict=True)[0]
    total_sym = sympy.factor(l_ * sol[F0])
    # the u-free words: F0 with no u transitions
    prim_sym = sympy.solve([sympy.Eq(F0, 1 + B_ * F0)], [F0], dict=True)[0][F0] * l_
    e = expressions()
    subs = {l_: e["l"], A_: e["A"], B_: e["B"], G_: e["G"]}
    total = total_sym.subs(subs)
    primary = prim_sym.subs(subs)
    R = sympy.simplify(total / primary)
    ok_RP = sympy.simplify(total - e["R"] * e["P"]) == 0
    eq104 = e["l"] / e["D"]
    ok_104 = sympy.simplify(e["R"] * e["P"] - eq104) == 0
    return {"sum_symbols": total_sym, "primary_symbols": prim_sym,
            "sum": total, "primary": primary, "resummation_factor": R, "eq104": eq104,
            "sum == R P": ok_RP, "R P == l/D": ok_104}


# ============================================================================ report

def resummation_report(order: int, env=None) -> dict:
    """The resummation report, everything that ``diagrams resum`` shows.

    That is the expressions, the derivations and the per-class table.

    Parameters
    ----------
    order : int
        ``0 <= order <= 10`` (:data:`MAX_CLASS_ORDER`).
    env : ExactEnv or SymbolicEnv, optional
        The parameters: an :class:`ExactEnv` (exact rationals) or a :class:`SymbolicEnv` (default).

    Returns
    -------
    dict
        Keys ``order``, ``mode`` (``"exact"`` or ``"symbolic (Sigma = sigma_u2/M 1)"``), ``env``,
        ``consistency_relation``
        (:func:`~diagrams.models.random_features.resolvent.derive_consistency_relation`),
        ``expressions`` (:func:`expressions`), ``resummation`` (:func:`derive_resummation`),
        ``rows`` (:func:`check_propagators`, :func:`check_factorisation` and :func:`check_hops`) and
        ``ok`` (every row matches and both resummation identities hold).

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, 10]``.

    Examples
    --------
    A report takes about a second even at order 0 (the two sympy derivations), so only the check of
    the order is shown; ``resummation_report(1, ExactEnv(2, 3, ["1"]))`` has mode ``"exact"``, 17
    rows and ``ok`` true.

    >>> resummation_report(11)
    Traceback (most recent call last):
    ...
    ValueError: order: must be an integer in [0, 10], got 11
    """
    env = SymbolicEnv() if env is None else env
    order = check_order(order, "order", maximum=MAX_CLASS_ORDER)
    e = expressions()
    rel = derive_consistency_relation()
    res = derive_resummation()
    rows = check_propagators(order, env) + check_factorisation(order, env) + check_hops(order, env)
    return {
        "order": order,
        "mode": "exact" if isinstance(env, ExactEnv) else "symbolic (Sigma = sigma_u2/M 1)",
        "env": env,
        "consistency_relation": rel,
        "expressions": e,
        "resummation": res,
        "rows": rows,
        "ok": all(r["match"] for r in rows) and res["sum == R P"] and res["R P == l/D"],
    }


# ============================================================================ numerics

def resummed_values(N_, T_, gamma_, spectrum, sigma_u2_=1, sigma_w2_=1, C_=1, dps: int = 50) -> dict:
    """The mpmath values of the rebuilt quantities at one ridge ``gamma``.

    The derived consistency relation is solved numerically
    (:func:`~diagrams.models.random_features.resolvent.solve_consistency`) and the expressions of
    :func:`expressions` are evaluated with ``Lambda = Lambdahat = diag(spectrum)``,
    ``Sigma = (sigma_u2/M) 1``.  Keys: ``q, Q, xi, t, l, r_c, v, r_dp, A, B, G, X, R, P, D``,
    ``primary`` (``CLOSED_FORM_PREFACTOR * P``) and ``loss`` (``R * primary``).

    Parameters
    ----------
    N_, T_ : number
        Feature and train sizes, ``> 0`` (ints, Fractions, strings like ``"1/3"`` or floats).
    gamma_ : number
        The ridge ``gamma > 0``.
    spectrum : sequence of numbers
        Eigenvalues of ``Lambda = Lambdahat``, ``>= 0`` and not all zero; ``M = len(spectrum)``.
    sigma_u2_ : number, optional
        ``sigma_u^2`` (``Sigma = (sigma_u2/M) 1``), default 1.
    sigma_w2_ : number, optional
        ``sigma_w^2`` of the prefactor, default 1.
    C_ : number, optional
        The label dimension ``C`` of the prefactor, default 1.
    dps : int, optional
        Working precision in decimal digits (default 50).

    Returns
    -------
    dict of str to mpmath.mpf
        The values, by the keys above.

    Raises
    ------
    ValueError
        If ``N_``, ``T_`` or ``gamma_`` is not ``> 0``, or a number or the spectrum cannot be read
        (:func:`~diagrams.models.random_features.resolvent.solve_consistency`).

    Examples
    --------
    >>> import mpmath
    >>> v = resummed_values(2, 3, "1/10", ["1", "1/2"], dps=20)
    >>> mpmath.nstr(v["R"], 10), mpmath.nstr(v["loss"], 10)
    ('2.399124798', '0.08860380371')
    >>> mpmath.nstr(v["R"] * v["P"] * v["D"] / v["l"], 10)
    '1.0'
    """
    sol = solve_consistency(N_, T_, gamma_, spectrum, sigma_u2_, dps=dps)
    Mv = len(spectrum)
    values = {"q": sol["q"], "Q": sol["Q"], "xi": sol["xi"], "gamma": sol["gamma"], "N": sol["N"], "T": sol["T"]}
    extra = {"C": C_, "sigma_w2": sigma_w2_, "M": Mv}
    out = {"q": sol["q"], "Q": sol["Q"], "xi": sol["xi"]}
    with mpmath.workdps(dps):
        for name, expr in expressions().items():
            if name == "loss":
                continue
            out[name] = evaluate(expr, values, spectrum, sigma_u2_, dps=dps, extra=extra)
        out["primary"] = evaluate(CLOSED_FORM_PREFACTOR, {}, spectrum, sigma_u2_, dps=dps, extra=extra) * out["P"]
        out["loss"] = out["R"] * out["primary"]
    return out


def resummation_factor(N_, T_, gamma_, spectrum, sigma_u2_=1, sigma_w2_=1, C_=1) -> float:
    """The resummation factor ``R = 1/(1 - A - G/(1 - B))`` at the given parameters.

    Paper Eq. 84, evaluated by :func:`resummed_values`.

    Parameters
    ----------
    N_, T_ : number
        Feature and train sizes, ``> 0`` (ints, Fractions, strings like ``"1/3"`` or floats).
    gamma_ : number
        The ridge ``gamma > 0``.
    spectrum : sequence of numbers
        Eigenvalues of ``Lambda = Lambdahat``, ``>= 0`` and not all zero; ``M = len(spectrum)``.
    sigma_u2_ : number, optional
        ``sigma_u^2`` (``Sigma = (sigma_u2/M) 1``), default 1.
    sigma_w2_ : number, optional
        ``sigma_w^2`` of the prefactor, default 1.
    C_ : number, optional
        The label dimension ``C`` of the prefactor, default 1.

    Returns
    -------
    float
        ``R`` (from :func:`resummed_values`).

    Raises
    ------
    ValueError
        If ``N_``, ``T_`` or ``gamma_`` is not ``> 0``, or a number or the spectrum cannot be read
        (:func:`~diagrams.models.random_features.resolvent.solve_consistency`).

    Examples
    --------
    >>> round(resummation_factor(2, 3, 0.1, [1, 0.5]), 10)
    2.3991247981
    """
    return float(resummed_values(N_, T_, gamma_, spectrum, sigma_u2_, sigma_w2_, C_)["R"])


def primary_diagrams(N_, T_, gamma_, spectrum, sigma_u2_=1, sigma_w2_=1, C_=1) -> float:
    """The sum of the primary diagrams, ``C sigma_w^2/(2M) · l/(1 - B)``.

    Paper Eq. 92, evaluated by :func:`resummed_values`.

    Parameters
    ----------
    N_, T_ : number
        Feature and train sizes, ``> 0`` (ints, Fractions, strings like ``"1/3"`` or floats).
    gamma_ : number
        The ridge ``gamma > 0``.
    spectrum : sequence of numbers
        Eigenvalues of ``Lambda = Lambdahat``, ``>= 0`` and not all zero; ``M = len(spectrum)``.
    sigma_u2_ : number, optional
        ``sigma_u^2`` (``Sigma = (sigma_u2/M) 1``), default 1.
    sigma_w2_ : number, optional
        ``sigma_w^2`` of the prefactor, default 1.
    C_ : number, optional
        The label dimension ``C`` of the prefactor, default 1.

    Returns
    -------
    float
        The primary sum (from :func:`resummed_values`).

    Raises
    ------
    ValueError
        If ``N_``, ``T_`` or ``gamma_`` is not ``> 0``, or a number or the spectrum cannot be read
        (:func:`~diagrams.models.random_features.resolvent.solve_consistency`).

    Examples
    --------
    >>> round(primary_diagrams(2, 3, 0.1, [1, 0.5]), 10)
    0.0369317193
    """
    return float(resummed_values(N_, T_, gamma_, spectrum, sigma_u2_, sigma_w2_, C_)["primary"])


def rebuilt_loss(N_, T_, gamma_, spectrum, sigma_u2_=1, sigma_w2_=1, C_=1) -> float:
    """The test loss ``<L̂>`` rebuilt as resummation factor x primary diagrams.

    Parameters
    ----------
    N_, T_ : number
        Feature and train sizes, ``> 0`` (ints, Fractions, strings like ``"1/3"`` or floats).
    gamma_ : number
        The ridge ``gamma > 0``.
    spectrum : sequence of numbers
        Eigenvalues of ``Lambda = Lambdahat``, ``>= 0`` and not all zero; ``M = len(spectrum)``.
    sigma_u2_ : number, optional
        ``sigma_u^2`` (``Sigma = (sigma_u2/M) 1``), default 1.
    sigma_w2_ : number, optional
        ``sigma_w^2`` of the prefactor, default 1.
    C_ : number, optional
        The label dimension ``C`` of the prefactor, default 1.

    Returns
    -------
    float
        ``R * primary`` (from :func:`resummed_values`), equal to
        :data:`CLOSED_FORM_PREFACTOR` ``* l/D`` (Eq. 104).

    Raises
    ------
    ValueError
        If ``N_``, ``T_`` or ``gamma_`` is not ``> 0``, or a number or the spectrum cannot be read
        (:func:`~diagrams.models.random_features.resolvent.solve_consistency`).

    Examples
    --------
    >>> round(rebuilt_loss(2, 3, 0.1, [1, 0.5]), 12)
    0.088603803707
    """
    return float(resummed_values(N_, T_, gamma_, spectrum, sigma_u2_, sigma_w2_, C_)["loss"])
