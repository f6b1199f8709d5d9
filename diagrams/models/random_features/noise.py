r"""Label noise (paper App. A): its diagrams, their resummation and the closed form.

With noisy training labels ``y + eps``, ``eps`` (C x T) iid ``N(0, sigma_eps^2)``, ridge regression
gives ``theta* = (y + eps) Q phi^T``, so the test predictions move by ``eps Q phi^T phî``.  The cross
terms are odd in ``eps`` and vanish on average; averaging the square over ``eps`` adds to the test
loss (paper Eqs. 171-173)

    <L_eps> = sigma_eps^2/(2 That) < tr(phî^T phi Q eps^T eps Q phi^T phî) >_eps / sigma_eps^2
            = C sigma_eps^2/(2 That) < tr(phî^T phi Q Q phi^T phî) >.

**The noise propagator.**  The expansion keeps ``eps`` as a Gaussian matrix (label x train, identity
covariances, :data:`eps`): with ``Q = sum_n (-1)^n gamma^(-1-n) (phi^T phi)^n`` the coefficient of
``gamma^-k`` (``k >= 2``) is the sum over ``n + m = k - 2`` of ``(-1)^(n+m) sigma_eps^2/(2 That)``
times ``tr(Top_n Bottom_m)`` with ``Top_n = phî^T phi (phi^T phi)^n eps^T`` and
``Bottom_m = eps (phi^T phi)^m phi^T phî`` (the two lines of the paper's picture; the ``eps^T eps``
contraction is the noise propagator, a train-space line that closes a label loop worth ``C``).
:func:`noise_terms` lists these words, :func:`noise_diagrams` their planar contractions.

**Resummation** (same loop-tree language as :mod:`diagrams.models.random_features.duality`).  Around every latent
loop of a noise diagram the ``u`` and Lambda-type propagators alternate with no exception; the
noise propagator hangs on a train loop, and the path from the test loop to it (the *spine*) ends on
that train loop.  Summing the spine classes with the weights of the duality module gives

    <L_eps> = C sigma_eps^2/2 * (B + G - A B)/D = C sigma_eps^2/2 * ((1 - A)/D - 1)

with ``A = gamma^2 N <q>^2 r_c``, ``B = gamma^2 T <Q>^2 v``, ``G = gamma^2 xi^2 r_d'^2/(N T)`` and
``D = (1 - A)(1 - B) - G`` of Eq. (104).  ``(1 - A)/D`` is the resummation factor ``R = (1 - B)/D``
with ``N <-> T``, so the noise term is not ``N <-> T`` symmetric: label noise breaks the duality.
The three classes of App. A (Eqs. 174-182), by how the two ``phî``'s are contracted:

* ``self``: with each other; sum ``C sigma_eps^2/2 * tr(Lambda Sigma) * G/(r_d' D)``;
* ``same_side``: with ``phi``'s on the same line (top or bottom); sum
  ``C sigma_eps^2/2 * 2 (t - tr(Lambda Sigma)) * G/(r_d' D)``, ``t = tr[Lambda Sigma (1 + gamma xi Lambda Sigma)^-1]``;
* ``opposite``: with ``phi``'s on opposite lines; the rest,
  ``C sigma_eps^2/2 * [(r_d' - 2 t + tr(Lambda Sigma)) G/r_d' + B (1 - A)]/D``.

(``Sigma = (sigma_u^2/M) 1`` and ``Lambdahat = Lambda`` throughout, as in Eq. 104.)  In the ridgeless
limit with ``N < T`` this tends to ``C sigma_eps^2/2 * N/(T - N)``, the classic variance term.

>>> [(t.coefficient, t.label) for t in noise_terms(3)]
[(-1, 'Top_0 Bottom_1'), (-1, 'Top_1 Bottom_0')]
>>> from diagrams.models.random_features.closed_form import power_law_spectrum
>>> lam = power_law_spectrum(600, 0.5)
>>> r, rd = noise_loss(100, 150, 1e-2, lam, sigma_eps2=0.1), noise_loss(150, 100, 1e-2, lam, sigma_eps2=0.1)
>>> print(f"{r.loss:.4g} {rd.loss:.4g}")          # not symmetric under N <-> T
0.03625 0.05023
>>> abs(r.loss - (r.self + r.same_side + r.opposite)) < 1e-15
True
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any, Sequence

import mpmath
import numpy as np
import sympy

from diagrams.engine.matrices import GaussianMatrix
from diagrams.engine.numbers import check_order, read_integer
from diagrams.engine.spaces import Space
from diagrams.engine.wick import contractions, sum_monomials
from diagrams.engine.words import Word
from diagrams.models.random_features.expansion import LossTerm
from diagrams.models.random_features.inputs import (MAX_RIDGE, MAX_SIZE, SCALE_RANGE, fraction_in_range,
                                                     list_in_range, read_exact, read_exact_spectrum,
                                                     read_noise_variance, read_scale, read_size, read_spectrum, to_mpf)
from diagrams.models.random_features.model import MATRICES, SPACES, TRAIN, That, sigma_eps2

__all__ = [
    "LABEL",
    "eps",
    "NOISE_MATRICES",
    "NOISE_PREFACTOR",
    "NoiseTerm",
    "noise_terms",
    "noise_diagrams",
    "noise_coefficient",
    "noise_class",
    "NOISE_CLASSES",
    "noise_series_exact",
    "NoiseResult",
    "noise_loss",
    "noise_loss_mp",
    "noise_duality_report",
]

#: Label space (size ``C``); the ``eps^T eps`` contraction closes one label loop.
LABEL = Space("label", "C", "solid")
#: The label noise, ``<eps_ca eps_db> = delta_cd delta_ab`` (its variance is in :data:`NOISE_PREFACTOR`).
eps = GaussianMatrix("eps", LABEL, TRAIN, latex=r"\epsilon")
NOISE_MATRICES = {**MATRICES, "eps": eps}
#: ``sigma_eps^2/(2 That)`` (``sigma_eps^2`` is the model's ``label_noise`` parameter,
#: :data:`~diagrams.models.random_features.model.sigma_eps2`); the label loop supplies ``C`` and the
#: test loop ``That``.
NOISE_PREFACTOR = sigma_eps2 / (2 * That)
NOISE_CLASSES = ("self", "same_side", "opposite")

_PHI_T_PHI = "x^T u^T u x"


#: Highest order of :func:`noise_terms` (a list of words, linear in the order).
MAX_TERMS_ORDER = 1000
#: Highest order of :func:`noise_diagrams` (planar; 149226 diagrams at order 8, about 7 times more per order).
MAX_DIAGRAM_ORDER = 10
#: Highest order of :func:`noise_coefficient` and :func:`noise_duality_report` (about a minute and two
#: minutes at order 8).
MAX_SYMBOLIC_ORDER = 8
#: Highest order of :func:`noise_series_exact` (order 40 with four eigenvalues takes about 6 s).
MAX_SERIES_ORDER = 60


#: A word of the noise expansion: the same record as a loss word (order, coefficient, word, the
#: indices of its upper and lower lines and the length of the upper line), times
#: :data:`NOISE_PREFACTOR` instead of the loss prefactor.
NoiseTerm = LossTerm


def _noise_top(n: int) -> str:
    return " ".join(["xhat^T u^T u x"] + [_PHI_T_PHI] * n + ["eps^T"])


def _noise_bottom(m: int) -> str:
    return " ".join(["eps"] + [_PHI_T_PHI] * m + ["x^T u^T u xhat"])


def noise_terms(order: int) -> list[NoiseTerm]:
    """The words of the label-noise term at order ``gamma^-order``, with their signs.

    None below order 2, then ``order - 1`` splits ``n + m = order - 2`` into the two lines
    ``Top_n Bottom_m`` (see the module docstring); each is to be multiplied by
    :data:`NOISE_PREFACTOR`.

    Parameters
    ----------
    order : int
        The power of ``1/gamma``, ``0 <= order <= 1000`` (:data:`MAX_TERMS_ORDER`).

    Returns
    -------
    list of NoiseTerm
        The words, with coefficient ``(-1)^(n+m)``.

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, 1000]``.

    Examples
    --------
    >>> noise_terms(1)
    []
    >>> [(t.coefficient, t.label) for t in noise_terms(3)]
    [(-1, 'Top_0 Bottom_1'), (-1, 'Top_1 Bottom_0')]
    >>> str(noise_terms(2)[0].word)
    'xhat^T u^T u x eps^T eps x^T u^T u xhat'
    """
    k = check_order(order, "order", maximum=MAX_TERMS_ORDER)
    out = []
    for n in range(0, k - 1):
        m = k - 2 - n
        top = _noise_top(n)
        word = Word.parse(top + " " + _noise_bottom(m), NOISE_MATRICES)
        out.append(NoiseTerm(k, (-1) ** (n + m), word, n, m, len(top.split())))
    return out


def noise_diagrams(order: int, genus: str = "planar"):
    """Every Wick diagram of the label-noise term at order ``gamma^-order``, with its word.

    Parameters
    ----------
    order : int
        The power of ``1/gamma``: ``0 <= order <= 10`` (:data:`MAX_DIAGRAM_ORDER`) for planar
        diagrams, ``<= 5`` for all genera.
    genus : {"planar", "all"}, optional
        Planar diagrams only (from the direct planar generator), or all genera (exhaustive).

    Yields
    ------
    term : NoiseTerm
        The word the diagram belongs to.
    contraction : Contraction
        One Wick contraction of ``term.word``.

    Raises
    ------
    ValueError
        If ``order`` is outside its range or ``genus`` is neither ``"planar"`` nor ``"all"``
        (raised when the generator is first advanced).

    Examples
    --------
    >>> term, c = next(noise_diagrams(2))
    >>> term.label, c.pairs
    ('Top_0 Bottom_0', ((0, 9), (1, 2), (3, 6), (4, 5), (7, 8)))
    >>> sum(1 for _ in noise_diagrams(3)), sum(1 for _ in noise_diagrams(3, genus="all"))
    (14, 90)
    >>> list(noise_diagrams(6, genus="all"))
    Traceback (most recent call last):
    ...
    ValueError: order: all-genus enumeration of the noise words is limited to order <= 5, got 6
    """
    k = check_order(order, "order", maximum=MAX_DIAGRAM_ORDER)
    if genus not in ("planar", "all"):
        raise ValueError(f"genus: must be 'planar' or 'all', got {genus!r}")
    if genus == "all" and k > 5:
        raise ValueError(f"order: all-genus enumeration of the noise words is limited to order <= 5, got {k}")
    for term in noise_terms(k):
        if genus == "planar":
            from diagrams.engine.planar import planar_contractions
            for c in planar_contractions(term.word):
                yield term, c
        else:
            for c in contractions(term.word):
                yield term, c


def noise_coefficient(order: int, genus: str = "planar") -> sympy.Expr:
    """The coefficient of ``gamma^-order`` in the label-noise term ``<L_eps>``, summed from its diagrams.

    Symbolic, with the prefactor :data:`NOISE_PREFACTOR` and the label loop ``C`` included.

    Parameters
    ----------
    order : int
        The power of ``1/gamma``, ``0 <= order <= 8`` (:data:`MAX_SYMBOLIC_ORDER`); all genera only up
        to order 5.
    genus : {"planar", "all"}, optional
        Sum the planar diagrams or those of all genera.

    Returns
    -------
    sympy.Expr
        The expanded coefficient, in ``N, T, C``, ``label_noise`` (``sigma_eps^2``) and covariance
        traces.

    Raises
    ------
    ValueError
        If ``order`` is not an integer in ``[0, 8]`` (before any work), or as
        :func:`noise_diagrams`.

    Examples
    --------
    >>> noise_coefficient(1)
    0
    >>> noise_coefficient(2)
    tr(Lambda*Sigma)*tr(Lambdahat*Sigma)*C*N*T*label_noise/2 + tr(Lambda*Sigma*Lambdahat*Sigma)*C*N**2*T*label_noise/2
    """
    order = check_order(order, "order", maximum=MAX_SYMBOLIC_ORDER)
    weighted: Counter = Counter()
    for term, c in noise_diagrams(order, genus):
        weighted[c.monomial] += term.coefficient
    spaces = {s.name: s for s in SPACES + (LABEL,)}
    return sympy.expand(NOISE_PREFACTOR * sum_monomials(dict(weighted), spaces))


def noise_class(term: NoiseTerm, c) -> str:
    """The class of a noise diagram in appendix A: ``self``, ``same_side`` or ``opposite``.

    It says how the ``u`` of ``phî^T`` (letter 1) and the ``u`` of ``phî`` (letter L-2) are
    contracted (paper Eq. 174): with each other, with ``phi``'s on the same line, or with ``phi``'s on
    opposite lines.

    Parameters
    ----------
    term : NoiseTerm
        A word of :func:`noise_terms`.
    c : Contraction
        A contraction of ``term.word``.

    Returns
    -------
    str
        One of :data:`NOISE_CLASSES`.

    Examples
    --------
    >>> sorted(noise_class(t, c) for t, c in noise_diagrams(2))
    ['opposite', 'self']
    >>> from collections import Counter
    >>> Counter(noise_class(t, c) for t, c in noise_diagrams(3))
    Counter({'opposite': 6, 'self': 6, 'same_side': 2})
    """
    L = len(term.word)
    partner = {}
    for k, l in c.pairs:
        partner[k] = l
        partner[l] = k
    a, b = partner[1], partner[L - 2]
    if a == L - 2:
        return "self"
    top = term.top_length
    if (a < top) == (b < top):
        return "same_side"
    return "opposite"


# ---------------------------------------------------------------------------------------------
# exact series of the closed form
# ---------------------------------------------------------------------------------------------

def noise_series_exact(order: int, N, T, spectrum: Sequence, sigma_eps2=1, sigma_u2=1, C=1,
                       classes: bool = False):
    r"""Exact coefficients ``c_0..c_order`` of ``gamma^-k`` in the closed form of ``<L_eps>``.

    Expands ``C sigma_eps^2/2 ((1 - A)/D - 1)`` (or, with ``classes``, a dict of the three class
    sums) with the block series of :func:`diagrams.models.random_features.duality.building_block_series`, i.e. from
    the consistency relation alone, never from diagrams.  Returns Fractions.

    Parameters
    ----------
    order : int
        Highest order, ``0 <= order <= 60`` (:data:`MAX_SERIES_ORDER`).
    N, T : number
        In ``[1, 1e15]``.
    spectrum : sequence of numbers
        At most 1000 eigenvalues, each in ``[1e-100, 1e100]``.
    sigma_eps2 : number
        0 or in ``[1e-100, 1e100]``.
    sigma_u2, C : number
        In ``[1e-100, 1e100]``.
    classes : bool
        Return the three class sums instead of the total.

    Raises
    ------
    ValueError
        Naming the parameter and its range, before any work.

    Examples
    --------
    >>> noise_series_exact(3, 2, 3, ["1"])
    [Fraction(0, 1), Fraction(0, 1), Fraction(9, 1), Fraction(-234, 1)]
    """
    from diagrams.models.random_features.duality import building_block_series
    K = check_order(order, "order", maximum=MAX_SERIES_ORDER)
    N = fraction_in_range(N, "N", minimum=1, maximum=MAX_SIZE)
    T = fraction_in_range(T, "T", minimum=1, maximum=MAX_SIZE)
    spectrum = list_in_range(spectrum, "spectrum", minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1], max_length=1000)
    sigma_u2, C = (fraction_in_range(v, name, minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1])
                   for v, name in ((sigma_u2, "sigma_u2"), (C, "C")))
    se = fraction_in_range(sigma_eps2, "sigma_eps2", minimum=0)
    read_noise_variance(se)
    if not isinstance(classes, bool):
        raise ValueError(f"classes: must be True or False, got {classes!r}")
    b = building_block_series(K, N, T, spectrum, sigma_u2)
    pref = se * C / 2
    inv_D = 1 / b["D"]

    def coefficients(series) -> list:
        return [Fraction(c) for c in (series * pref).coefficients(K)]

    if not classes:
        return coefficients((1 - b["A"]) * inv_D - 1)
    G_over_rdp = b["wN"] * b["r_dp"] * b["wT"]                        # = G / r_d'
    tau1 = b["tau1"]                                                   # tr(Lambda Sigma)
    e_same = (b["t"] - tau1) * 2
    e_opposite = b["r_dp"] - b["t"] * 2 + tau1
    rest = b["wT"] * b["v"] * (1 - b["A"])
    out = {
        "self": G_over_rdp * tau1 * inv_D,
        "same_side": e_same * G_over_rdp * inv_D,
        "opposite": (e_opposite * G_over_rdp + rest) * inv_D,
    }
    return {k: coefficients(v) for k, v in out.items()}


# ---------------------------------------------------------------------------------------------
# closed form, numerically
# ---------------------------------------------------------------------------------------------

@dataclass
class NoiseResult:
    """The label-noise term ``<L_eps>`` of the closed form, its three classes and its ingredients.

    Floats or arrays from :func:`noise_loss`, or ``mpf`` from :func:`noise_loss_mp`.

    Parameters
    ----------
    loss : float, numpy.ndarray or mpmath.mpf
        ``<L_eps>``.
    self, same_side, opposite : float, numpy.ndarray or mpmath.mpf
        Its three classes (App. A, Eqs. 174-182); they sum to ``loss``.
    A, B, G, D : float, numpy.ndarray or mpmath.mpf
        The blocks of Eq. (104).
    dual_resummation_factor : float, numpy.ndarray or mpmath.mpf
        ``(1 - A)/D``.
    total : float, numpy.ndarray or mpmath.mpf
        ``main.loss + loss``.
    main : ClosedFormResult
        The noiseless result
        (:class:`~diagrams.models.random_features.closed_form.ClosedFormResult`).

    Examples
    --------
    >>> r = noise_loss(2, 3, 0.1, [1, 0.5], 0.25)
    >>> round(r.loss, 12), round(r.self + r.same_side + r.opposite, 12)
    (0.089244478377, 0.089244478377)
    >>> abs(r.total - (r.main.loss + r.loss)) < 1e-15
    True
    >>> sorted(r.as_dict())[:4]
    ['A', 'B', 'D', 'G']
    """

    loss: Any
    self: Any
    same_side: Any
    opposite: Any
    A: Any
    B: Any
    G: Any
    D: Any
    dual_resummation_factor: Any
    total: Any
    main: Any

    def as_dict(self) -> dict:
        from diagrams.models.random_features.closed_form import plain_value

        return {f.name: plain_value(getattr(self, f.name)) for f in fields(self) if f.name != "main"}


def noise_loss(N, T, gamma, spectrum, sigma_eps2, sigma_u2=1, sigma_w2=1, C=1) -> NoiseResult:
    r"""Closed form of the label-noise term ``<L_eps>`` (numpy; ``gamma`` scalar or array).

    With ``a = gamma xi``, ``p_I = a s_I/(1 + a s_I)`` (``s_I`` the eigenvalues of ``Lambda Sigma``),
    ``y = sum p_I``, ``z = sum p_I (1 - p_I) = a r_d'``, ``d_N = N gamma <q>``, ``d_T = T gamma <Q>`` and
    ``Delta_D = d_N d_T + z (d_N + d_T) = N T D``, the blocks are ``A = sum p_I^2/N``,
    ``B = sum p_I^2/T``, ``G = z^2/(N T)`` once Eq. (99) holds, and

        <L_eps>   = C sigma_eps^2/2 [y z + d_N sum p_I^2] / Delta_D        (= C sigma_eps^2/2 ((1 - A)/D - 1))
        self      = C sigma_eps^2/2 a z tr(Lambda Sigma) / Delta_D
        same_side = -C sigma_eps^2 a z sum s_I p_I / Delta_D
        opposite  = C sigma_eps^2/2 [a z sum s_I p_I^2 + sum p_I^2 (d_N + z)] / Delta_D

    (the class formulas of the module docstring rewritten with ``t - tr(Lambda Sigma) = -sum s p``
    and ``r_d' - 2 t + tr(Lambda Sigma) = sum s p^2``): sums of positive terms, accurate at any
    ridge where the noiseless result is.  The noiseless loss comes from
    :func:`~diagrams.models.random_features.closed_form.closed_form_loss` and ``total`` adds the two.

    Parameters
    ----------
    N, T : float
        Numbers of features and of training samples, in ``[1, 1e15]``.
    gamma : float or array_like
        Ridge(s), each in ``[2.2e-308, 1e300]``; the fields of the result then have its shape.
    spectrum : 1-D array_like
        Eigenvalues of ``Lambda``, each in ``[1e-100, 1e100]``; ``1 <= M <= 10**8`` of them.
    sigma_eps2 : float
        Label-noise variance: 0 or a number in ``[1e-100, 1e100]``.
    sigma_u2, sigma_w2, C : float, optional
        Feature and teacher variances and the label dimension, each in ``[1e-100, 1e100]``.

        The ranges are those of
        :func:`~diagrams.models.random_features.closed_form.closed_form_loss`.

    Returns
    -------
    NoiseResult
        Floats, or arrays of the shape of ``gamma``.

    Raises
    ------
    ValueError
        Naming the parameter and its range (denormal values are refused; so is a ridge so small
        that a field of the result overflows double precision, with the smallest ridge accepted).

    Examples
    --------
    >>> r = noise_loss(50, 400, 1e-9, [1.0] * 100, sigma_eps2=2.0)   # ridgeless, N < T
    >>> print(f"{r.loss:.6f} {50 / 350:.6f}")
    0.142857 0.142857
    """
    from diagrams.models.random_features.closed_form import closed_form_loss

    se = read_noise_variance(sigma_eps2)
    main = closed_form_loss(N, T, gamma, spectrum, sigma_u2, sigma_w2, C)          # checks every other input
    Nf, Tf, cc, su = read_size(N, "N"), read_size(T, "T"), read_scale(C, "C"), read_scale(sigma_u2, "sigma_u2")
    lam = read_spectrum(spectrum)
    s = lam * (su / lam.size)
    gam = np.asarray(main.gamma, dtype=float)
    a = np.asarray(main.xi, dtype=float) * gam
    z = a * np.asarray(main.r_dp, dtype=float)
    dN = Nf * gam * np.asarray(main.q, dtype=float)
    dT = Tf * gam * np.asarray(main.Q, dtype=float)
    y, P2, Sp, Sp2 = (np.empty(a.shape) for _ in range(4))
    for idx in np.ndindex(a.shape):
        p = a[idx] * s / (1.0 + a[idx] * s)
        y[idx], P2[idx] = p.sum(), np.einsum("i,i->", p, p)
        Sp[idx], Sp2[idx] = np.einsum("i,i->", s, p), np.einsum("i,i,i->", s, p, p)
    pref = cc * se / 2.0
    with np.errstate(over="ignore", invalid="ignore"):
        denom = dN * dT + z * (dN + dT)
        az = a * z
        loss = pref * (y * z + dN * P2) / denom
        vals = dict(loss=loss, self=pref * az * float(s.sum()) / denom, same_side=-2.0 * pref * az * Sp / denom,
                    opposite=pref * (az * Sp2 + P2 * (dN + z)) / denom, A=P2 / Nf, B=P2 / Tf, G=z * z / (Nf * Tf),
                    D=denom / (Nf * Tf), dual_resummation_factor=Tf * (dN + z) / denom,
                    total=np.asarray(main.loss) + loss)
    for key, v in vals.items():
        if not np.all(np.isfinite(v)):
            bad = gam[~np.isfinite(v)].ravel()[0] if gam.ndim else float(gam)
            raise ValueError(f"gamma: at gamma = {bad:g} the label-noise field {key} overflows double precision "
                             "for these N, T and spectrum; use a larger gamma or noise_loss_mp")
    if gam.ndim == 0:
        vals = {k: float(v) for k, v in vals.items()}
    return NoiseResult(main=main, **vals)


def noise_loss_mp(N, T, gamma, spectrum, sigma_eps2, sigma_u2=1, sigma_w2=1, C=1, dps: int = 50) -> NoiseResult:
    """The closed form of the label-noise term ``<L_eps>`` in mpmath, from the literal definitions.

    This is :func:`noise_loss` in mpmath, from the literal definitions ``(B + G - A B)/D`` and the
    class formulas, on top of
    :func:`~diagrams.models.random_features.closed_form.closed_form_loss_mp`.  The literal formulas
    cancel digits in ``D``, in ``1 - A`` and, at a large ridge, in ``t - tr(Lambda Sigma)`` and
    ``r_d' - 2 t + tr(Lambda Sigma)``; a first pass at 15 digits estimates how many, and the noiseless
    part is recomputed with that many extra digits, so the returned values carry ``dps`` digits.

    Parameters
    ----------
    N, T : number or str
        Numbers of features and of training samples, in ``[1, 1e15]``.
    gamma : number or str
        The ridge (a scalar), in ``[2.2e-308, 1e300]``.
    spectrum : sequence of numbers or str
        Eigenvalues of ``Lambda``, each in ``[1e-100, 1e100]``; at most ``10**6`` of them.
    sigma_eps2 : number or str
        Label-noise variance: 0 or a number in ``[1e-100, 1e100]``.
    sigma_u2, sigma_w2, C : number or str, optional
        Feature and teacher variances and the label dimension, each in ``[1e-100, 1e100]``.

        The ranges are those of :func:`noise_loss`; every number is read exactly (``"1/10"`` is
        one tenth).
    dps : int, optional
        The working precision in decimal digits, ``15 <= dps <= 1000``.

    Returns
    -------
    NoiseResult
        With ``mpf`` fields rounded to ``dps`` digits (``main`` too).

    Raises
    ------
    ValueError
        If ``dps`` is outside ``[15, 1000]``, or naming the first other parameter outside its range.

    Examples
    --------
    >>> r = noise_loss_mp(2, 3, "1/10", ["1", "1/2"], "1/4", dps=20)
    >>> mpmath.nstr(r.loss, 15)
    '0.0892444783773207'
    >>> abs(float(r.loss) / noise_loss(2, 3, 0.1, [1, 0.5], 0.25).loss - 1) < 1e-14
    True
    >>> noise_loss_mp(2, 3, "1/10", ["1"], "1/4", dps=10)
    Traceback (most recent call last):
    ...
    ValueError: dps: must be an integer in [15, 1000], got 10
    """
    from diagrams.models.random_features.closed_form import MAX_DPS, closed_form_loss_mp

    dps = read_integer(dps, "dps", minimum=15, maximum=MAX_DPS)
    read_noise_variance(sigma_eps2)
    sex = read_exact(sigma_eps2, "sigma_eps2", minimum=0)
    Nx, Tx = read_exact(N, "N", minimum=1, maximum=MAX_SIZE), read_exact(T, "T", minimum=1, maximum=MAX_SIZE)
    gx = read_exact(gamma, "gamma", minimum=0, maximum=MAX_RIDGE, strict_minimum=True)
    sux, swx, ccx = (read_exact(v, name, minimum=SCALE_RANGE[0], maximum=SCALE_RANGE[1])
                     for v, name in ((sigma_u2, "sigma_u2"), (sigma_w2, "sigma_w2"), (C, "C")))
    lamx = read_exact_spectrum(spectrum)
    first = closed_form_loss_mp(Nx, Tx, gx, lamx, sux, swx, ccx, dps=15)
    with mpmath.workdps(30):
        sig = to_mpf(sux) / len(lamx)
        a = first.gamma * first.xi
        one_minus_A = (first.gamma * first.q * to_mpf(Nx) + a * first.r_dp) / to_mpf(Nx)
        a_s_max = a * sig * max(to_mpf(v) for v in lamx)
        lost = (max(0, -mpmath.log10(first.D)) + max(0, -mpmath.log10(one_minus_A))
                + 2 * max(0, -mpmath.log10(a_s_max)))
    extra = 20 + int(mpmath.ceil(lost))
    with mpmath.workdps(dps + extra):
        main = closed_form_loss_mp(Nx, Tx, gx, lamx, sux, swx, ccx, dps=dps + extra)
        Nm, Tm, gm = to_mpf(Nx), to_mpf(Tx), to_mpf(gx)
        se, cc, su = to_mpf(sex), to_mpf(ccx), to_mpf(sux)
        s = [to_mpf(v) * su / len(lamx) for v in lamx]
        q, Q, xi = main.q, main.Q, main.xi
        A = gm ** 2 * Nm * q ** 2 * main.r_c
        B = gm ** 2 * Tm * Q ** 2 * main.v
        G = gm ** 2 * xi ** 2 * main.r_dp ** 2 / (Nm * Tm)
        D = (1 - A) * (1 - B) - G
        pref = cc * se / 2
        loss = pref * (B + G - A * B) / D
        a = gm * xi
        tr1 = mpmath.fsum(s)
        t = mpmath.fsum(si / (1 + a * si) for si in s)
        self_ = pref * tr1 * G / (main.r_dp * D)
        same = pref * 2 * (t - tr1) * G / (main.r_dp * D)
        opp = pref * ((main.r_dp - 2 * t + tr1) * G / main.r_dp + B * (1 - A)) / D
        vals = dict(loss=loss, self=self_, same_side=same, opposite=opp, A=A, B=B, G=G, D=D,
                    dual_resummation_factor=(1 - A) / D, total=main.loss + loss)
    with mpmath.workdps(dps):
        vals = {k: +v for k, v in vals.items()}
        main = type(main)(**{k: +v for k, v in main.__dict__.items()})
    return NoiseResult(main=main, **vals)


# ---------------------------------------------------------------------------------------------
# duality of the noise diagrams: none has a partner
# ---------------------------------------------------------------------------------------------

def noise_duality_report(order: int, max_names: int = 20) -> dict:
    """Why label noise breaks the ``N <-> T`` duality, diagram by diagram, at one order.

    * structurally: the colour swap of a noise diagram hangs the noise propagator (a train line)
      on a feature loop, which no term of the model has, so no noise diagram has a dual
      (``structural_partners`` = 0);
    * by value: ``unmatched`` counts the diagrams whose value with ``N <-> T`` (``Sigma = s 1``,
      ``Lambdahat = Lambda``) is matched by no other noise diagram of the order (multiset
      comparison); ``unmatched_diagrams`` names them;
    * ``sum_self_dual``: whether the order's sum is ``N <-> T`` symmetric (it is not, from order 2).

    Parameters
    ----------
    order : int
        The power of ``1/gamma``, ``0 <= order <= 8`` (:data:`MAX_SYMBOLIC_ORDER`).
    max_names : int, optional
        The most unmatched diagrams named, ``0 <= max_names <= 10**6``.

    Returns
    -------
    dict
        ``{"order", "planar" (number of planar diagrams), "structural_partners", "unmatched",
        "unmatched_diagrams", "sum_self_dual", "classes" ({class: number of diagrams})}``.

    Raises
    ------
    ValueError
        If ``order`` or ``max_names`` is outside its range (before any work).

    Examples
    --------
    >>> rep = noise_duality_report(3, max_names=1)
    >>> rep["planar"], rep["structural_partners"], rep["unmatched"], rep["sum_self_dual"]
    (14, 0, 4, False)
    >>> rep["classes"]
    {'self': 6, 'same_side': 2, 'opposite': 6}
    >>> len(rep["unmatched_diagrams"])
    1
    """
    from diagrams.models.random_features.duality import LoopTree, isotropic_key, swap_key
    k = check_order(order, "order", maximum=MAX_SYMBOLIC_ORDER)
    max_names = read_integer(max_names, "max_names", minimum=0, maximum=10 ** 6)
    diags = list(noise_diagrams(k))
    keys = [isotropic_key(c) for _, c in diags]
    count = Counter(keys)
    structural = 0
    for term, c in diags:
        tree = LoopTree.from_contraction(c).colour_swap()
        try:
            tree.to_contraction(NOISE_MATRICES)
            structural += 1
        except (ValueError, KeyError):
            pass
    # multiset matching of values under N <-> T
    unmatched = []
    by_key: dict = {}
    for (term, c), key in zip(diags, keys):
        by_key.setdefault(key, []).append(f"{term.label} | {c}")
    for key in sorted(count, key=repr):
        sk = swap_key(key)
        excess = count[key] - count.get(sk, 0)
        if excess > 0:
            unmatched.extend(by_key[key][:excess])
    order_sum = Counter()
    for (term, _), key in zip(diags, keys):
        order_sum[key] += term.coefficient
    swapped = Counter()
    for key, w in order_sum.items():
        swapped[swap_key(key)] += w
    sd = {a: w for a, w in order_sum.items() if w} == {a: w for a, w in swapped.items() if w}
    classes = Counter(noise_class(t, c) for t, c in diags)
    return {
        "order": k,
        "planar": len(diags),
        "structural_partners": structural,
        "unmatched": len(unmatched),
        "unmatched_diagrams": unmatched[:max_names],
        "sum_self_dual": bool(sd),
        "classes": {name: classes.get(name, 0) for name in NOISE_CLASSES},
    }
