"""Direct Monte-Carlo simulation of the random-feature teacher-student model (paper Sec. II).

One *trial* draws the train inputs ``x`` (M x T, columns N(0, Lambda)), the random features
``u`` (N x M, entries N(0, sigma_u2/M)) and, depending on the options below, the test inputs
``xhat`` (M x That, columns N(0, Lambdahat = Lambda)), the teacher ``w`` (C x M, entries
N(0, sigma_w2/M)) and the label noise ``eps`` (C x T, entries N(0, label_noise)).  Labels are
``y = w x + eps``, ``yhat = w xhat``, features ``phi = u x``, ``phihat = u xhat``; ridge regression
with ridge ``gamma`` gives

    theta* = y phi^T q = y Q phi^T,   q = (gamma 1_N + phi phi^T)^-1,   Q = (gamma 1_T + phi^T phi)^-1

and the test loss is ``L = ||theta* phihat - yhat||_F^2 / (2 That)``.  The linear system is solved
in the smaller of the two dual spaces (N x N ``q`` when N <= T, T x T ``Q`` otherwise; paper
Eqs. 16-18) with a Cholesky factorisation; no inverse is ever formed.

Exact partial averages (``average_teacher=True``, the default)
--------------------------------------------------------------
With ``P = x phi^T q u = x Q phi^T u`` (M x M, never formed) and ``B = phi^T q u = Q phi^T u`` the
residual is ``theta* phihat - yhat = (w (P - 1) + eps B) xhat``.  Averaging over ``w`` and ``eps``
(independent, mean zero, so the cross term vanishes) gives for one draw of ``x, u, xhat``

    E_{w,eps} L = C sigma_w2/(2 M) tr[(P-1) S (P-1)^T] + C label_noise/2 tr[B S B^T],

with ``S = xhat xhat^T / That``; in the T-space form this is
``C sigma_w2/(2 M That) ||x Q phi^T phihat - xhat||_F^2 + C label_noise/(2 That) ||Q phi^T phihat||_F^2``.
If ``That`` is ``None`` the test inputs are averaged exactly as well (``S -> Lambda``): the result is
the population risk of the trained student, i.e. the limit of an infinite test set.  Both averages
are exact (no approximation) and only remove variance; the mean over trials estimates the same
expectation as explicit draws.  Writing ``S = R R^T`` (``R = sqrt(Lambda)``, or ``xhat/sqrt(That)``)
and ``L L^T`` for the Cholesky factorisation of ``gamma + phi phi^T`` (N-space) or ``gamma + phi^T phi``
(T-space), the traces are

    tr[(P-1)S(P-1)^T] = tr[(At At^T)(Et Et^T)] - 2 tr(Et^T At R^T) + tr S
    N-space:  At = L^-1 u R,          Et = L^-1 phi x^T,   tr[B S B^T] = tr[(At At^T)(Pt Pt^T)], Pt = L^-1 phi
    T-space:  At = L^-1 phi^T u R,    Et = L^-1 x^T,       tr[B S B^T] = ||L^-T At||_F^2

(triangular solves and N x N or T x T Gram products only; nothing of size M x M is formed).
The cost of one trial is dominated by ``u x`` and ``phi x^T`` (2 N T M flops each) and by the
triangular solves and Gram products of size min(N, T)^2 M.

With ``average_teacher=False`` the teacher and the noise are drawn and the loss of that draw is
computed literally (through ``theta*``), which is the check of the formulas above.

>>> import numpy as np
>>> lam = np.arange(1, 101) ** -2.0
>>> r = simulate_test_loss(20, 30, 1e-2, lam, trials=4, seed=1)
>>> r.trials, r.losses.shape
(4, (4,))
>>> bool(r.loss > 0 and r.stderr > 0)
True
>>> r2 = simulate_test_loss(20, 30, 1e-2, lam, trials=4, seed=1)
>>> bool(np.array_equal(r.losses, r2.losses))
True
"""

from __future__ import annotations

import math
import numbers
import sys
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from diagrams.engine.numbers import read_integer
from diagrams.models.random_features.inputs import (MAX_RIDGE, SCALE_RANGE, read_noise_variance, read_scale,
                                                     real_in_range)
from scipy.linalg.blas import dsyrk as _dsyrk

__all__ = ["SimulationResult", "simulate_test_loss", "draw_loss"]

_SPACES = ("auto", "feature", "sample")


@dataclass(frozen=True)
class SimulationResult:
    """A Monte-Carlo estimate of the expected test loss of the random-feature model.

    Parameters
    ----------
    loss : float
        Mean of :attr:`losses` over the trials.
    stderr : float
        Standard error of that mean (sample standard deviation / sqrt(trials); ``nan`` for one trial).
    trials : int
        Number of independent draws.
    losses : numpy.ndarray
        The loss of each trial (already averaged over whatever ``average_teacher`` / ``That``
        average exactly).
    params : dict, optional
        The parameters of the run (N, T, M, gamma, That, sigma's, C, label_noise, seed, ...).

    Examples
    --------
    >>> r = SimulationResult(1.0, 0.1, 2, np.array([0.9, 1.1]))
    >>> r
    SimulationResult(loss=1.0, stderr=0.1, trials=2)
    >>> r.losses, r.params
    (array([0.9, 1.1]), {})
    """

    loss: float
    stderr: float
    trials: int
    losses: np.ndarray = field(repr=False)
    params: dict = field(default_factory=dict, repr=False)


# ----------------------------------------------------------------------------- validation
#
# Ranges: N, T, That integers in [1, 10**5]; M = len(spectrum) in [1, 10**6], with M (N + T + That)
# at most 5 * 10**8 numbers drawn per trial; trials in [1, 10**6]; seed in [0, 2**128); C an integer
# in [1, 10**4]; gamma 0 or in [2.2e-308, 1e300]; sigma_u2, sigma_w2 in [1e-100, 1e100]; label_noise
# 0 or in [1e-100, 1e100]; eigenvalues >= 0 (not all zero), each at most 1e100.

MAX_SIZE = 10 ** 5
MAX_M = 10 ** 6
MAX_DRAWN = 5 * 10 ** 8
MAX_TRIALS = 10 ** 6
MAX_C = 10 ** 4


def _spectrum(spectrum):
    want = "a non-empty 1-D list of eigenvalues >= 0 (not all zero), each at most 1e100"
    if isinstance(spectrum, np.ndarray) and spectrum.dtype.kind in "fiu":
        lam = spectrum.astype(float)
    elif isinstance(spectrum, (str, np.ndarray)) or not hasattr(spectrum, "__iter__"):
        raise ValueError(f"spectrum: must be {want}, got {spectrum!r}")
    else:
        items = list(spectrum)
        for v in items:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
                raise ValueError(f"spectrum: must be {want}, got an entry {v!r}")
        lam = np.array([real_in_range(v, "spectrum", minimum=0, maximum=SCALE_RANGE[1]) for v in items])
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"spectrum: must be {want}, got shape {lam.shape}")
    if lam.size > MAX_M:
        raise ValueError(f"spectrum: at most {MAX_M} eigenvalues, got {lam.size}")
    if not np.all(np.isfinite(lam)) or np.any(lam < 0) or np.any(lam > SCALE_RANGE[1]) or not np.any(lam > 0):
        raise ValueError(f"spectrum: must be {want}")
    tiny = (lam > 0) & (lam < sys.float_info.min)
    if tiny.any():
        raise ValueError(f"spectrum: eigenvalues below 2.2e-308 are denormal in double precision, got {lam[tiny][0]!r}")
    return lam


# ----------------------------------------------------------------------------- one draw

def _cho(K, gamma, name):
    try:
        return scipy.linalg.cho_factor(K, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"gamma: the {name}-space Gram matrix + gamma is not positive definite at gamma={gamma!r} "
            "(ridgeless solve of a singular system); use gamma > 0 or the smaller dual space"
        ) from None


def _cholesky(K, gamma, name):
    """Lower Cholesky factor of K (only its lower triangle is read)."""
    return _cho(K, gamma, name)[0]


def _trsm(L, B, trans=False):
    """L^-1 B (or L^-T B) for lower-triangular L, by forward/back substitution."""
    return scipy.linalg.solve_triangular(L, B, lower=True, trans=1 if trans else 0, check_finite=False)


def _gram(A):
    """A A^T, computed by BLAS syrk (half the work of a general product); full symmetric result."""
    A = np.asarray(A, dtype=float)
    if A.flags.f_contiguous:
        G = _dsyrk(1.0, A, trans=0, lower=1)
    elif A.flags.c_contiguous:
        G = _dsyrk(1.0, A.T, trans=1, lower=1)
    else:
        G = _dsyrk(1.0, np.asfortranarray(A), trans=0, lower=1)
    G = np.tril(G)
    return G + np.tril(G, -1).T


def _tr_sym(A, B):
    """tr(A B) for symmetric A, B."""
    return float(np.sum(A * B))


def draw_loss(x, u, gamma, *, spectrum=None, xhat=None, w=None, noise=None, sigma_w2=1.0, C=1,
              label_noise=0.0, space="auto"):
    """The test loss of one draw of the model, averaged exactly over what is not given.

    Parameters
    ----------
    x : (M, T) array
        Train inputs.
    u : (N, M) array
        Random-feature weights.
    gamma : float
        Ridge, ``0`` or in ``[2.2e-308, 1e300]`` (``0`` is the minimum-norm ridgeless solution, which
        needs the chosen dual space to be the smaller one).
    spectrum : (M,) array, optional
        Eigenvalues of ``Lambdahat`` (diagonal); needed when ``xhat`` is ``None`` (exact average
        over the test inputs, population risk).  Not checked here.
    xhat : (M, That) array, optional
        Test inputs; if given the loss is that of this test set.
    w : (C, M) array, optional
        Teacher.  If ``None`` the loss is averaged exactly over ``w ~ N(0, sigma_w2/M)`` and over
        the label noise (``noise`` must then be ``None`` as well).
    noise : (C, T) array, optional
        Label noise added to the training labels (only with an explicit ``w``).
    sigma_w2 : float, optional
        Teacher variance for the exact average, in ``[1e-100, 1e100]``.
    C : int, optional
        Label dimension for the exact average, in ``[1, 10**4]``.
    label_noise : float, optional
        Label-noise variance for the exact average, ``0`` or in ``[1e-100, 1e100]``.
        ``sigma_w2``, ``C`` and ``label_noise`` are checked but not used with an explicit ``w``.
    space : {"auto", "feature", "sample"}, optional
        Dual space for the solve: ``"feature"`` (N x N ``q``), ``"sample"`` (T x T ``Q``) or the
        smaller of the two (``"auto"``, N-space on ties).

    Returns
    -------
    float
        ``||theta* phihat - yhat||^2/(2 That)`` (or its exact average).

    Raises
    ------
    ValueError
        If ``x`` or ``u`` is not 2-D or their shapes do not match; if ``gamma``, ``sigma_w2``, ``C``
        or ``label_noise`` is outside its range; if ``space`` is unknown; if ``xhat`` and ``spectrum``
        are both ``None``; if ``noise`` is given without ``w``; or if the Gram matrix plus ``gamma``
        is not positive definite (a ridgeless solve in the larger dual space).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> lam = np.array([1.0, 0.5, 0.25, 0.125])
    >>> x = rng.standard_normal((4, 6)) * np.sqrt(lam)[:, None]
    >>> u = rng.standard_normal((3, 4)) / 2
    >>> a = draw_loss(x, u, 0.1, spectrum=lam)
    >>> b = draw_loss(x, u, 0.1, spectrum=lam, space="sample")
    >>> bool(a > 0 and abs(a - b) < 1e-12)
    True
    >>> draw_loss(x, u, 0.1)
    Traceback (most recent call last):
    ...
    ValueError: spectrum: needed to average over the test inputs when xhat is None
    """
    x = np.asarray(x, dtype=float)
    u = np.asarray(u, dtype=float)
    if x.ndim != 2 or u.ndim != 2:
        raise ValueError("x: x (M x T) and u (N x M) must be 2-D arrays")
    gamma = real_in_range(gamma, "gamma", minimum=0, maximum=MAX_RIDGE)   # 0: ridgeless
    sigma_w2 = read_scale(sigma_w2, "sigma_w2")
    label_noise = read_noise_variance(label_noise, "label_noise")
    C = read_integer(C, "C", minimum=1, maximum=MAX_C)
    M, T = x.shape
    N = u.shape[0]
    if u.shape[1] != M:
        raise ValueError(f"u: shape {u.shape} does not match x with M={M}")
    if space not in _SPACES:
        raise ValueError(f"space: must be one of {_SPACES}, got {space!r}")
    if space == "auto":
        space = "feature" if N <= T else "sample"
    if xhat is None and spectrum is None:
        raise ValueError("spectrum: needed to average over the test inputs when xhat is None")
    if noise is not None and w is None:
        raise ValueError("noise: explicit label noise needs an explicit teacher w")
    lam = None if spectrum is None else np.asarray(spectrum, dtype=float)
    if xhat is not None:
        xhat = np.asarray(xhat, dtype=float)

    phi = u @ x  # N x T

    if w is not None:  # explicit teacher: the literal definition through theta*
        w = np.atleast_2d(np.asarray(w, dtype=float))
        y = w @ x
        if noise is not None:
            y = y + np.atleast_2d(np.asarray(noise, dtype=float))
        if space == "feature":
            K = _gram(phi)
            K[np.diag_indices_from(K)] += gamma
            theta = scipy.linalg.cho_solve(_cho(K, gamma, "feature"), phi @ y.T, check_finite=False).T
        else:
            K = _gram(phi.T)
            K[np.diag_indices_from(K)] += gamma
            theta = scipy.linalg.cho_solve(_cho(K, gamma, "sample"), y.T, check_finite=False).T @ phi.T
        if xhat is not None:
            resid = theta @ (u @ xhat) - w @ xhat
            return float(np.sum(resid * resid) / (2 * xhat.shape[1]))
        R = theta @ u - w  # C x M
        return float(np.sum(R * R * lam) / 2)

    # exact average over w and eps (and over xhat if not given): see the module docstring
    if space == "feature":
        K = _gram(phi)
        K[np.diag_indices_from(K)] += gamma
        L = _cholesky(K, gamma, "feature")
        Pt = _trsm(L, phi)  # N x T
        Et = Pt @ x.T  # N x M, = L^-1 phi x^T
        if xhat is None:
            At = _trsm(L, u * np.sqrt(lam))  # N x M
        else:
            At = _trsm(L, u @ xhat) / math.sqrt(xhat.shape[1])  # N x That
        noise_term = _tr_sym(_gram(At), _gram(Pt)) if label_noise else 0.0
    else:
        K = _gram(phi.T)
        K[np.diag_indices_from(K)] += gamma
        L = _cholesky(K, gamma, "sample")
        Et = _trsm(L, x.T)  # T x M
        Pu = _trsm(L, phi.T) @ u  # T x M, = L^-1 phi^T u
        if xhat is None:
            At = Pu * np.sqrt(lam)  # T x M
        else:
            At = Pu @ xhat / math.sqrt(xhat.shape[1])  # T x That
        noise_term = float(np.sum(_trsm(L, At, trans=True) ** 2)) if label_noise else 0.0
    if xhat is None:
        cross = float(np.sum(Et * At * np.sqrt(lam)))
        trS = float(lam.sum())
    else:
        cross = float(np.sum((Et @ xhat) * At)) / math.sqrt(xhat.shape[1])
        trS = float(np.sum(xhat * xhat) / xhat.shape[1])
    bracket = _tr_sym(_gram(At), _gram(Et)) - 2 * cross + trS
    return float(C * sigma_w2 / (2 * M) * bracket + C * label_noise / 2 * noise_term)


# ----------------------------------------------------------------------------- driver

def simulate_test_loss(N, T, gamma, spectrum, That=None, trials=20, seed=0, sigma_u2=1, sigma_w2=1,
                       C=1, label_noise=0.0, progress=False, *, average_teacher=True, space="auto"):
    """A Monte-Carlo estimate of the expected test loss of ridge regression on random features.

    Parameters
    ----------
    N, T : int
        Number of features and of training samples, in ``[1, 10**5]``.
    gamma : float
        Ridge, 0 or in ``[2.2e-308, 1e300]`` (``0``: minimum-norm ridgeless solution, needs ``N != T``).
    spectrum : 1-D array
        Eigenvalues ``lambda_I >= 0`` of ``Lambda = Lambdahat`` (diagonal, not all zero, each at most
        ``1e100``); ``M = len(spectrum) <= 10**6`` and ``M (N + T + That) <= 5 * 10**8``.
        For power-law data use ``closed_form.power_law_spectrum(M, alpha)``.
    That : int or None
        Number of test samples drawn per trial.  ``None`` (default): average exactly over the test
        inputs (population risk, ``That -> infinity``); this only removes variance.
    trials : int
        Number of independent draws, in ``[1, 10**6]``.
    seed : int or None
        Seed of a ``numpy.random.SeedSequence``; trial ``i`` uses its ``i``-th spawned child, so
        runs are reproducible and the first ``k`` losses do not depend on ``trials``.
    sigma_u2, sigma_w2 : float
        Variances: ``u`` entries ``N(0, sigma_u2/M)``, teacher entries ``N(0, sigma_w2/M)``.
    C : int
        Label dimension, in ``[1, 10**4]``.
    label_noise : float
        Variance ``sigma_eps^2`` of the iid Gaussian noise added to the training labels (0 or in
        ``[1e-100, 1e100]``; ``sigma_u2`` and ``sigma_w2`` are in that range too).
    progress : bool
        Show a tqdm progress bar on stderr.
    average_teacher : bool, keyword-only
        ``True`` (default): average exactly over the teacher ``w`` and the label noise for each draw
        of ``x, u`` (and ``xhat``) -- same expectation, smaller variance (see module docstring).
        ``False``: draw ``w`` and the noise and compute the loss of that draw literally.
    space : {"auto", "feature", "sample"}, keyword-only
        Dual space of the solve (default: the smaller one).

    Returns
    -------
    SimulationResult
        ``.loss`` (mean), ``.stderr`` (standard error of the mean), ``.trials``, ``.losses``.

    Raises
    ------
    ValueError
        Naming the parameter and its range, before any draw (also if ``gamma = 0`` and ``N = T``,
        if ``space`` or ``average_teacher`` is not one of the allowed values, or if
        ``M (N + T + That) > 5 * 10**8``); during the run, if a ridgeless solve meets a singular
        Gram matrix.

    See Also
    --------
    draw_loss : The loss of one draw.

    Examples
    --------
    >>> lam = np.arange(1, 101) ** -2.0
    >>> r = simulate_test_loss(20, 30, 1e-2, lam, trials=4, seed=1)
    >>> r.trials, r.losses.shape, r.params["space"]
    (4, (4,), 'feature')
    >>> bool(r.loss > 0 and r.stderr > 0)
    True
    >>> r2 = simulate_test_loss(20, 30, 1e-2, lam, trials=4, seed=1)
    >>> bool(np.array_equal(r.losses, r2.losses))
    True
    >>> r1 = simulate_test_loss(5, 8, 0.1, [1.0, 0.5, 0.25], That=3, trials=1, average_teacher=False)
    >>> r1.stderr
    nan
    >>> simulate_test_loss(5, 5, 0, [1.0])
    Traceback (most recent call last):
    ...
    ValueError: gamma: the ridgeless limit gamma = 0 is singular at N = T; use gamma > 0
    """
    N = read_integer(N, "N", minimum=1, maximum=MAX_SIZE)
    T = read_integer(T, "T", minimum=1, maximum=MAX_SIZE)
    gamma = real_in_range(gamma, "gamma", minimum=0, maximum=MAX_RIDGE)   # 0: ridgeless
    lam = _spectrum(spectrum)
    M = lam.size
    if That is not None:
        That = read_integer(That, "That", minimum=1, maximum=MAX_SIZE)
    if M * (N + T + (That or 0)) > MAX_DRAWN:
        raise ValueError(f"spectrum: M (N + T + That) must be at most {MAX_DRAWN} numbers drawn per trial, "
                         f"got M = {M} with N = {N}, T = {T}, That = {That}")
    trials = read_integer(trials, "trials", minimum=1, maximum=MAX_TRIALS)
    if seed is not None:
        seed = read_integer(seed, "seed", minimum=0, maximum=2 ** 128 - 1)
    sigma_u2 = read_scale(sigma_u2, "sigma_u2")
    sigma_w2 = read_scale(sigma_w2, "sigma_w2")
    C = read_integer(C, "C", minimum=1, maximum=MAX_C)
    label_noise = read_noise_variance(label_noise, "label_noise")
    if not isinstance(average_teacher, bool):
        raise ValueError(f"average_teacher: must be True or False, got {average_teacher!r}")
    if space not in _SPACES:
        raise ValueError(f"space: must be one of {_SPACES}, got {space!r}")
    if gamma == 0 and N == T:
        raise ValueError("gamma: the ridgeless limit gamma = 0 is singular at N = T; use gamma > 0")

    sqrt_lam = np.sqrt(lam)
    su = math.sqrt(sigma_u2 / M)
    sw = math.sqrt(sigma_w2 / M)
    se = math.sqrt(label_noise)
    children = np.random.SeedSequence(seed).spawn(trials)
    losses = np.empty(trials)
    iterator = range(trials)
    if progress:
        from tqdm import tqdm

        iterator = tqdm(iterator, total=trials, file=sys.stderr, desc="simulate", unit="trial")
    for i in iterator:
        rng = np.random.default_rng(children[i])
        # fixed draw order: x, u, xhat, w, eps
        x = rng.standard_normal((M, T)) * sqrt_lam[:, None]
        u = rng.standard_normal((N, M)) * su
        xhat = None if That is None else rng.standard_normal((M, That)) * sqrt_lam[:, None]
        if average_teacher:
            losses[i] = draw_loss(x, u, gamma, spectrum=lam, xhat=xhat, sigma_w2=sigma_w2, C=C,
                                  label_noise=label_noise, space=space)
        else:
            w = rng.standard_normal((C, M)) * sw
            noise = rng.standard_normal((C, T)) * se if label_noise > 0 else None
            losses[i] = draw_loss(x, u, gamma, spectrum=lam, xhat=xhat, w=w, noise=noise, space=space)
    mean = float(losses.mean())
    stderr = float(losses.std(ddof=1) / math.sqrt(trials)) if trials > 1 else float("nan")
    params = dict(N=N, T=T, M=M, gamma=gamma, That=That, trials=trials, seed=seed, sigma_u2=sigma_u2,
                  sigma_w2=sigma_w2, C=C, label_noise=label_noise, average_teacher=bool(average_teacher),
                  space=space if space != "auto" else ("feature" if N <= T else "sample"))
    return SimulationResult(loss=mean, stderr=stderr, trials=trials, losses=losses, params=params)
