r"""Figures of the paper's Sec. IV (Zhang 2024, arXiv:2405.19398, Figs. 2 and 3) with matplotlib.

Every curve is the planar closed form (paper Eq. 104, :mod:`diagrams.models.random_features.closed_form`)
for power-law data ``lambda_I = lambda_+ I^-(1+alpha)`` (``I = 1..M``, ``sigma_u2 = sigma_w2 = lambda_+ = C = 1``);
optimal ridges are numerical minima of Eq. (104) (``closed_form.optimal_ridge``).  Dashed lines are the
approximation formulas of Secs. IV.3-IV.4 (:mod:`diagrams.models.random_features.scaling`; integrals for latent
sums, valid for ``N, T << M``, so they sit a little off the solid curves at the small ``M`` used
here).  Markers with error bars are direct simulations of the model (the generic simulation of its
declaration, :mod:`diagrams.analysis.simulate`, run through the sweep engine
:func:`diagrams.analysis.sweep.run_sweep`: mean +- one standard error over independent draws, serially
unless ``scheduler`` names a Dask cluster) at the same ``M``, so they should lie on the solid curves.
A ridgeless point (``gamma = 0``) is simulated at :data:`GAMMA_RIDGELESS`.

Functions (each returns a :class:`matplotlib.figure.Figure` whose attribute ``data`` holds the
plotted arrays):

* :func:`fig_loss_vs_gamma` -- Fig. 2 top left: loss against the ridge for several ``N`` at fixed ``T``;
* :func:`fig_loss_vs_N` -- Fig. 2 top right: loss against ``N`` at fixed ``T``: ridgeless (double
  descent, singular at ``N = T``), under-, optimally and over-regularised;
* :func:`fig_ridgeless_vs_optimal` -- Fig. 2 bottom: ridgeless against optimal loss as functions of
  ``N`` (several ``T``) and of ``T`` (several ``N``);
* :func:`fig_optimal_ridge` -- Fig. 3: optimal ridge against ``N`` for several ``T`` and ``alpha``, and a
  simulated check of it;
* :func:`fig_exponent_vs_alpha` -- the exponent of ``L*`` against ``N = T`` fitted for several ``alpha``;
* :func:`write_figures` -- all of them as PNG files (``diagrams figures --out DIR``);
* :func:`fig_finite_size` (any model) -- simulation, planar value ``L0`` and ``L0 + L1`` (the first
  finite-size correction, :mod:`diagrams.analysis.finite_size`) against the size at fixed ratios:
  the gap between simulation and ``L0`` closes like ``1/N`` and ``L1`` accounts for it
  (``diagrams figures --finite-size --out DIR``).

The figures are built on :class:`~matplotlib.figure.Figure` with an Agg canvas, never through
``pyplot``, so no global backend state is touched.  ``quick=True`` uses small sizes, coarse grids
and few trials (for tests).

>>> d = loss_vs_N_data(quick=True, simulate=False)
>>> bool(abs(d["N"][np.nanargmax(d["ridgeless"])] / d["T"] - 1) < 0.05)
True
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from diagrams.models.random_features import scaling as sc
from diagrams.models.random_features import closed_form as cf

__all__ = [
    "FigureSettings",
    "settings",
    "loss_vs_gamma_data",
    "loss_vs_N_data",
    "ridgeless_vs_optimal_data",
    "optimal_ridge_data",
    "exponent_vs_alpha_data",
    "fig_loss_vs_gamma",
    "fig_loss_vs_N",
    "fig_ridgeless_vs_optimal",
    "fig_optimal_ridge",
    "fig_exponent_vs_alpha",
    "write_figures",
    "FIGURE_NAMES",
    "finite_size_data",
    "fig_finite_size",
    "write_finite_size_figure",
    "FINITE_SIZE_SETTINGS",
    "FINITE_SIZE_NAME",
]

#: File names written by :func:`write_figures`, in order.
FIGURE_NAMES = (
    "fig2_loss_vs_gamma.png",
    "fig2_loss_vs_N.png",
    "fig2_ridgeless_vs_optimal.png",
    "fig3_optimal_ridge.png",
    "scaling_exponent_vs_alpha.png",
)

#: A ridge small enough to stand for the ridgeless limit gamma -> 0 in the closed form (relative
#: difference < 1e-6 except within 1e-3 of N = T, where the ridgeless loss diverges).
GAMMA_RIDGELESS = 1e-13

LOSS_LABEL = r"test loss $\langle\hat{\mathcal{L}}\rangle$"
STYLE_NOTE = "solid: Eq. (104);  dashed: approximation (Sec. IV);  markers: simulation"


@dataclass(frozen=True)
class FigureSettings:
    """Sizes, trials and grids of one run of the figures of the paper's Section IV.

    Sizes of one run: ``M`` for Fig. 2 top and the simulated check of Fig. 3, ``M_wide`` for
    Fig. 2 bottom (sizes up to 3000, fixed sizes up to 400, so ``M`` must be larger), ``M_scaling``
    for the analytic panels of Fig. 3 and the exponent fit (the approximations need ``N, T << M``),
    simulation ``trials``, points per analytic curve ``grid``, and the trials / ridge-grid points
    of the simulated optimal ridge.  The two instances used are those of :func:`settings`.

    Parameters
    ----------
    M : int
        Length of the power-law spectrum for Fig. 2 top and the simulated check of Fig. 3.
    M_wide : int
        Length for Fig. 2 bottom.
    M_scaling : int
        Length for the analytic panels of Fig. 3 and the exponent fit.
    trials : int
        Simulated draws per point.
    grid : int
        Points per analytic curve.
    ridge_trials : int
        Draws per ridge of the simulated optimal ridge.
    ridge_grid : int
        Ridges of the grid of the simulated optimal ridge.
    quick : bool
        Whether these are the quick settings.

    Examples
    --------
    >>> settings(quick=True) == FigureSettings(M=400, M_wide=2000, M_scaling=4000, trials=3, grid=40,
    ...                                        ridge_trials=3, ridge_grid=5, quick=True)
    True
    >>> settings().M_scaling
    20000
    """

    M: int
    M_wide: int
    M_scaling: int
    trials: int
    grid: int
    ridge_trials: int
    ridge_grid: int
    quick: bool


_FULL = FigureSettings(M=800, M_wide=4000, M_scaling=20000, trials=10, grid=160, ridge_trials=6, ridge_grid=7, quick=False)
_QUICK = FigureSettings(M=400, M_wide=2000, M_scaling=4000, trials=3, grid=40, ridge_trials=3, ridge_grid=5, quick=True)


def settings(quick: bool = False) -> FigureSettings:
    """The :class:`FigureSettings` of a full run or of a quick one (tests, notebooks).

    Parameters
    ----------
    quick : bool, optional
        The quick settings (small sizes, coarse grids, few trials) instead of the full ones.

    Returns
    -------
    FigureSettings
        The settings (frozen, shared).

    Examples
    --------
    >>> settings().M, settings(quick=True).M
    (800, 400)
    >>> settings(True).trials
    3
    """
    return _QUICK if quick else _FULL


# ----------------------------------------------------------------------------- helpers

def _seed(seed: int, *tags: int) -> int:
    """A reproducible non-negative integer seed for the simulations of one figure (tag: the figure).

    It is the seed of a sweep (:func:`diagrams.analysis.sweep.run_sweep`), whose points take their
    seeds from it and from their sizes (N, T), not the ridge: all points of one (N, T) in a figure
    use the same draws (common random numbers), so differences between ridges are not blurred by
    independent draws."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed: must be an integer >= 0, got {seed!r}")
    return int(np.random.SeedSequence([int(seed), *map(int, tags)]).generate_state(1)[0])


def _check_alpha(alpha) -> float:
    try:
        a = float(alpha)
    except (TypeError, ValueError):
        raise ValueError(f"alpha: must be a number > 0, got {alpha!r}") from None
    if not (a > 0 and math.isfinite(a)):
        raise ValueError(f"alpha: must be a number > 0, got {alpha!r}")
    return a


def _check_size(value, name) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name}: must be an integer >= 1, got {value!r}")
    return int(value)


def _simulate(points, M, alpha, trials, seed, scheduler=None, keep_values=False):
    """Simulated test loss at ``points`` = ``[(N, T, gamma)]`` for the power law ``(alpha, M)``.

    One sweep (:func:`diagrams.analysis.sweep.run_sweep`, seed ``seed``) of the random-feature
    model, serially in this process or on the Dask cluster of ``scheduler``.  Returns, per point,
    ``(loss, stderr, per-trial losses or None)``; ``gamma = 0`` is simulated at :data:`GAMMA_RIDGELESS`.
    """
    from diagrams.analysis.sweep import run_sweep, sweep_point
    from diagrams.engine.numbers import read_fraction
    from diagrams.models.declaration import PowerLaw
    from diagrams.models.registry import load_model

    model = load_model("random-features")
    law = PowerLaw(read_fraction(alpha, "alpha"), int(M))
    pts = [sweep_point(model, {"N": int(N), "T": int(T), "spectrum": law}, max(float(g), GAMMA_RIDGELESS))
           for N, T, g in points]
    res = run_sweep(model, pts, trials=trials, seed=seed, theory=False, keep_values=keep_values,
                    executor="serial" if scheduler is None else "dask", scheduler=scheduler)
    return [(res.row(p)["mean"], res.row(p)["stderr"], res.trial_values(p) if keep_values else None)
            for p in pts]


def _sim_table(rows):
    """List of dicts -> dict of arrays (empty arrays if there are no rows)."""
    keys = ("N", "T", "gamma", "loss", "stderr")
    return {k: np.array([r[k] for r in rows], dtype=float) for k in keys}


def _new_figure(width, height, ncols=1, nrows=1):
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    return fig, axes


def _colors(n):
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return [cmap(x) for x in np.linspace(0.0, 0.85, max(n, 1))]


def _errorbar(ax, x, y, err, color, **kw):
    if len(x) == 0:
        return
    ax.errorbar(x, y, yerr=err, fmt="o", ms=4.5, mfc="white", mec=color, ecolor=color, elinewidth=1.2,
                capsize=2.5, zorder=5, **kw)


def _style_legend(ax, extra_sim=True, loc="lower left"):
    handles = [Line2D([], [], color="0.2", ls="-", label="closed form, Eq. (104)"),
               Line2D([], [], color="0.2", ls="--", label="approximation (Sec. IV)")]
    if extra_sim:
        handles.append(Line2D([], [], color="0.2", ls="", marker="o", mfc="white", label="simulation"))
    return ax.legend(handles=handles, loc=loc, fontsize=7.5, frameon=False)


def _sci(x: float) -> str:
    """``2.6 \\times 10^{-3}`` (mathtext) for a positive float."""
    e = int(math.floor(math.log10(x)))
    m = x / 10 ** e
    if round(m, 1) >= 10:
        m, e = m / 10, e + 1
    return rf"{m:.1f}\times10^{{{e}}}" if e else f"{m:.1f}"


def _log_grid(lo, hi, n):
    return np.logspace(math.log10(lo), math.log10(hi), int(n))


# ----------------------------------------------------------------------------- Fig. 2 top left

def loss_vs_gamma_data(*, quick=False, simulate=True, seed=0, alpha=1.0, T=100, Ns=None, M=None,
                       trials=None, scheduler=None) -> dict:
    """Data of :func:`fig_loss_vs_gamma`: exact loss against the ridge for several ``N`` at fixed ``T``.

    The exact loss is the planar closed form (Eq. 104) on the grid ``1e-7 <= gamma <= 10``; the
    optimum is ``closed_form.optimal_ridge``.

    Parameters
    ----------
    quick : bool, optional
        Quick settings (:func:`settings`): coarser grid, fewer simulated points.
    simulate : bool, optional
        Simulate the model at a few ``(N, gamma)`` (default True).
    seed : int, optional
        Seed (>= 0) of the simulations (default 0); the figure's sweep seed is derived from it.
    alpha : float, optional
        Power-law exponent of the spectrum, a finite number > 0 (default 1).
    T : int, optional
        Training-set size, >= 1 (default 100).
    Ns : sequence of int, optional
        Feature counts ``N`` (each >= 1); default (25, 100, 400) for a quick run, else
        (25, 50, 100, 200, 400).
    M : int, optional
        Length of the spectrum, >= 1 (default ``settings(quick).M``).
    trials : int, optional
        Simulated draws per point, >= 1 (default ``settings(quick).trials``).
    scheduler : str, optional
        Address ``tcp://host:port`` of a Dask scheduler to run the simulations on (default: serially
        in this process).

    Returns
    -------
    dict
        Keys: ``gamma`` (grid), ``N`` (list), ``loss`` (dict N -> array), ``gamma_star``/``loss_star``
        (dict N -> optimum), ``approx`` (dict N -> (gamma array, loss array), the parametric
        approximation ``loss_approx_xi``/``gamma_approx_xi``), ``sim`` (arrays N, T, gamma, loss,
        stderr; empty without ``simulate``), and ``T``, ``M``, ``alpha``.

    Raises
    ------
    ValueError
        If ``alpha`` is not a finite number > 0, a size or ``trials`` is not an integer >= 1, or
        (when simulating) ``seed`` is not an integer >= 0.

    Examples
    --------
    >>> d = loss_vs_gamma_data(quick=True, simulate=False, Ns=(25,), T=50, M=100)
    >>> d["gamma"].shape, bool(d["loss_star"][25] <= d["loss"][25].min())
    ((80,), True)
    >>> d = loss_vs_gamma_data(quick=True, Ns=(100,), T=50, M=100, trials=2)
    >>> d["sim"]["gamma"], d["sim"]["loss"].shape
    (array([0.0001, 0.01  ]), (2,))
    >>> loss_vs_gamma_data(alpha=0)
    Traceback (most recent call last):
    ...
    ValueError: alpha: must be a number > 0, got 0
    """
    st = settings(quick)
    alpha = _check_alpha(alpha)
    T = _check_size(T, "T")
    M = _check_size(M if M is not None else st.M, "M")
    trials = _check_size(trials if trials is not None else st.trials, "trials")
    if Ns is None:
        Ns = (25, 100, 400) if quick else (25, 50, 100, 200, 400)
    Ns = [_check_size(n, "N") for n in Ns]
    lam = cf.power_law_spectrum(M, alpha)
    gam = _log_grid(1e-7, 10.0, 2 * st.grid)
    loss, gstar, lstar, approx = {}, {}, {}, {}
    for N in Ns:
        loss[N] = np.asarray(cf.closed_form_loss(N, T, gam, lam).loss, dtype=float)
        opt = cf.optimal_ridge(N, T, lam)
        gstar[N], lstar[N] = float(opt.gamma), float(opt.loss)
        n = min(N, T)
        eps = np.logspace(-12, math.log10(1 - 1e-4), 4 * st.grid)
        xi = n * (1.0 - eps)
        g_a = np.asarray(sc.gamma_approx_xi(xi, N, T, alpha, M), dtype=float)
        l_a = np.asarray(sc.loss_approx_xi(xi, N, T, alpha, M), dtype=float)
        keep = (g_a >= gam[0]) & (g_a <= gam[-1]) & np.isfinite(l_a) & (l_a > 0)
        order = np.argsort(g_a[keep])
        approx[N] = (g_a[keep][order], l_a[keep][order])
    rows = []
    if simulate:
        sim_N = [n for n in Ns if n in ((100,) if quick else (50, 100, 200))]
        sim_g = (1e-4, 1e-2) if quick else (1e-6, 1e-4, 1e-2, 1.0)
        plan = [(N, T, g) for N in sim_N for g in sim_g]
        for (N, _, g), (mean, err, _) in zip(plan, _simulate(plan, M, alpha, trials, _seed(seed, 1), scheduler)):
            rows.append(dict(N=N, T=T, gamma=g, loss=mean, stderr=err))
    return dict(gamma=gam, N=Ns, T=T, M=M, alpha=alpha, loss=loss, gamma_star=gstar, loss_star=lstar,
                approx=approx, sim=_sim_table(rows))


def fig_loss_vs_gamma(*, quick=False, simulate=True, seed=0, **kw) -> Figure:
    """Test loss against the ridge ``gamma`` for several ``N`` at fixed ``T``: the paper's Figure 2, top left.

    The minimum (dot) sits at a nonzero ``gamma*``; for ``N = T`` the loss diverges as ``gamma -> 0``.
    Keyword arguments go to :func:`loss_vs_gamma_data`; the data are in ``fig.data``.

    Parameters
    ----------
    quick, simulate, seed
        As for :func:`loss_vs_gamma_data`.
    **kw
        Further keywords of :func:`loss_vs_gamma_data` (``alpha``, ``T``, ``Ns``, ``M``, ``trials``,
        ``scheduler``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (Agg canvas), its data in the attribute ``data``.

    Raises
    ------
    ValueError
        As :func:`loss_vs_gamma_data`.

    Examples
    --------
    >>> fig = fig_loss_vs_gamma(quick=True, simulate=False, Ns=(25,), T=50, M=100)
    >>> fig.axes[0].get_xscale(), sorted(fig.data["loss"])
    ('log', [25])
    """
    d = loss_vs_gamma_data(quick=quick, simulate=simulate, seed=seed, **kw)
    fig, axes = _new_figure(6.4, 4.6)
    ax = axes[0, 0]
    cols = _colors(len(d["N"]))
    for N, c in zip(d["N"], cols):
        ax.plot(d["gamma"], d["loss"][N], color=c, lw=1.8, label=f"$N={N}$")
        ga, la = d["approx"][N]
        ax.plot(ga, la, color=c, lw=1.0, ls="--")
        ax.plot([d["gamma_star"][N]], [d["loss_star"][N]], "o", color=c, ms=6, mec="k", mew=0.6, zorder=6)
        s = d["sim"]
        m = s["N"] == N
        _errorbar(ax, s["gamma"][m], s["loss"][m], s["stderr"][m], c)
    ax.set_xscale("log")
    ax.set_yscale("log")
    finite = np.concatenate([d["loss"][N] for N in d["N"] if N != d["T"]] or [d["loss"][d["N"][0]]])
    lo, hi = np.nanmin(finite), np.nanmax(finite)
    ax.set_ylim(lo / 1.6, hi * 6)
    ax.set_xlim(d["gamma"][0], d["gamma"][-1])
    ax.set_xlabel(r"ridge parameter $\gamma$")
    ax.set_ylabel(LOSS_LABEL)
    ax.set_title(rf"loss vs ridge: $T={d['T']}$, $M={d['M']}$, $\alpha={d['alpha']:g}$  (dots: $\gamma^*$)",
                 fontsize=10)
    leg = ax.legend(loc="upper left", fontsize=8, ncols=2, frameon=False)
    ax.add_artist(leg)
    _style_legend(ax, extra_sim=len(d["sim"]["N"]) > 0, loc="lower right")
    ax.grid(True, which="major", alpha=0.25)
    fig.data = d
    return fig


# ----------------------------------------------------------------------------- Fig. 2 top right

def loss_vs_N_data(*, quick=False, simulate=True, seed=0, alpha=1.0, T=100, M=None, trials=None,
                   N_range=(5, 1000), scheduler=None) -> dict:
    """Data of :func:`fig_loss_vs_N`: loss against ``N`` at fixed ``T`` for several ridges.

    The ridgeless loss is Eq. (104) at :data:`GAMMA_RIDGELESS`; the ``N`` grid is refined near
    ``N = T``.

    Parameters
    ----------
    quick : bool, optional
        Quick settings (:func:`settings`).
    simulate : bool, optional
        Simulate the ridgeless, under-regularised and optimal curves at a few ``N`` (default True).
    seed : int, optional
        Seed (>= 0) of the simulations (default 0); the figure's sweep seed is derived from it.
    alpha : float, optional
        Power-law exponent, a finite number > 0 (default 1).
    T : int, optional
        Training-set size, >= 1 (default 100).
    M : int, optional
        Length of the spectrum, >= 1 (default ``settings(quick).M``).
    trials : int, optional
        Simulated draws per point, >= 1.
    N_range : tuple of float, optional
        ``(lo, hi)`` of the ``N`` grid, with ``0 < lo < T < hi`` (default (5, 1000)).
    scheduler : str, optional
        Address ``tcp://host:port`` of a Dask scheduler to run the simulations on (default: serially
        in this process).

    Returns
    -------
    dict
        Keys: ``N`` (grid, floats), ``ridgeless`` (``gamma -> 0``; ``nan`` at ``N = T``), ``fixed``
        (list of (label, gamma, loss array)) -- under-regularised ``gamma*_{N=T}/100``,
        ``gamma*_{N=T}``, over-regularised ``100 gamma*_{N=T}`` --, ``optimal`` (loss at
        ``gamma*(N)``), ``gamma_star`` (array), ``ridgeless_approx`` and ``optimal_approx``
        (Sec. IV formulas), ``sim`` (dict curve name -> arrays N, T, gamma, loss, stderr), ``T``,
        ``M``, ``alpha``, ``gamma_c`` (= ``gamma*`` at ``N = T``).

    Raises
    ------
    ValueError
        If ``alpha``, a size, ``trials`` or (when simulating) ``seed`` is out of range, or
        ``N_range`` does not bracket ``T``.

    Examples
    --------
    >>> d = loss_vs_N_data(quick=True, simulate=False, T=50, M=100, N_range=(5, 200))
    >>> [round(g / d["gamma_c"], 6) for label, g, loss in d["fixed"]]
    [0.01, 1.0, 100.0]
    >>> bool(np.isnan(d["ridgeless"][d["N"] == 50]).all())
    True
    >>> loss_vs_N_data(T=50, N_range=(5, 40))
    Traceback (most recent call last):
    ...
    ValueError: N_range: must bracket T=50, got (5, 40)
    """
    st = settings(quick)
    alpha = _check_alpha(alpha)
    T = _check_size(T, "T")
    M = _check_size(M if M is not None else st.M, "M")
    trials = _check_size(trials if trials is not None else st.trials, "trials")
    lo, hi = N_range
    if not (0 < lo < T < hi):
        raise ValueError(f"N_range: must bracket T={T}, got {N_range!r}")
    lam = cf.power_law_spectrum(M, alpha)
    near = T * (1 + np.array([-3e-2, -1e-2, -3e-3, -1e-3, 0.0, 1e-3, 3e-3, 1e-2, 3e-2]))
    Ns = np.unique(np.concatenate([_log_grid(lo, hi, st.grid), near]))
    gamma_c = float(cf.optimal_ridge(T, T, lam).gamma)
    ridgeless = np.array([np.nan if n == T else float(cf.closed_form_loss(n, T, GAMMA_RIDGELESS, lam).loss)
                          for n in Ns])
    fixed = []
    for label, f in (("under-regularised", 1e-2), (r"$\gamma^*$ of $N=T$", 1.0), ("over-regularised", 1e2)):
        g = gamma_c * f
        fixed.append((label, g, np.array([float(cf.closed_form_loss(n, T, g, lam).loss) for n in Ns])))
    opts = [cf.optimal_ridge(n, T, lam) for n in Ns]
    optimal = np.array([float(o.loss) for o in opts])
    gstar = np.array([float(o.gamma) for o in opts])
    ridgeless_approx = np.asarray(sc.ridgeless_loss_approx(Ns, T, alpha, M), dtype=float)
    ridgeless_approx[~np.isfinite(ridgeless_approx)] = np.nan
    optimal_approx = np.asarray(sc.optimal_loss_approx(Ns, T, alpha, M), dtype=float)
    sims = {"ridgeless": [], "under-regularised": [], "optimal": []}
    if simulate:
        plan = {
            "ridgeless": (50, 200) if quick else (20, 50, 80, 125, 200),
            "under-regularised": (100,) if quick else (50, 100, 200),
            "optimal": (50, 100) if quick else (20, 50, 100, 200),
        }
        todo = []
        for name, pts in plan.items():
            for n in pts:
                if name == "ridgeless":
                    g = 0.0
                elif name == "under-regularised":
                    g = fixed[0][1]
                else:
                    g = float(cf.optimal_ridge(n, T, lam).gamma)
                todo.append((name, n, g))
        done = _simulate([(n, T, g) for _, n, g in todo], M, alpha, trials, _seed(seed, 2), scheduler)
        for (name, n, g), (mean, err, _) in zip(todo, done):
            sims[name].append(dict(N=n, T=T, gamma=g, loss=mean, stderr=err))
    return dict(N=Ns, T=T, M=M, alpha=alpha, gamma_c=gamma_c, ridgeless=ridgeless, fixed=fixed,
                optimal=optimal, gamma_star=gstar, ridgeless_approx=ridgeless_approx,
                optimal_approx=optimal_approx, sim={k: _sim_table(v) for k, v in sims.items()})


def fig_loss_vs_N(*, quick=False, simulate=True, seed=0, **kw) -> Figure:
    """Test loss against ``N`` at fixed ``T``, double descent and its regularisation: the paper's Figure 2, top right.

    The ridgeless curve diverges at ``N = T``; a small ridge lowers the peak, ``gamma*`` at ``N = T``
    makes the curve monotonic, a large ridge lifts the whole curve, and the optimal ridge at each
    ``N`` (black) lies below all of them.  Keyword arguments go to :func:`loss_vs_N_data`.

    Parameters
    ----------
    quick, simulate, seed
        As for :func:`loss_vs_N_data`.
    **kw
        Further keywords of :func:`loss_vs_N_data`.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, its data in the attribute ``data``.

    Raises
    ------
    ValueError
        As :func:`loss_vs_N_data`.

    Examples
    --------
    >>> fig = fig_loss_vs_N(quick=True, simulate=False, T=50, M=100, N_range=(5, 200))
    >>> fig.data["T"], len(fig.axes[0].lines)
    (50, 8)
    """
    d = loss_vs_N_data(quick=quick, simulate=simulate, seed=seed, **kw)
    fig, axes = _new_figure(6.4, 4.6)
    ax = axes[0, 0]
    N = d["N"]
    red = "#c0392b"
    ax.plot(N, d["ridgeless"], color=red, lw=1.8, label=r"unregularised, $\gamma\to0$", zorder=3)
    ax.plot(N, d["ridgeless_approx"], color=red, lw=1.0, ls="--", zorder=3)
    fixed_cols = ["#e67e22", "#2e86c1", "#8e44ad"]
    # the optimal envelope underneath (thick), so that the fixed ridge gamma*_{N=T}, which nearly
    # follows it, stays visible on top
    ax.plot(N, d["optimal"], color="k", lw=3.4, label=r"optimal $\gamma^*(N)$ at each $N$", zorder=2)
    ax.plot(N, d["optimal_approx"], color="k", lw=1.0, ls="--", zorder=2)
    for (label, g, L), c in zip(d["fixed"], fixed_cols):
        ax.plot(N, L, color=c, lw=1.4, zorder=3,
                label=rf"{label}, $\gamma={_sci(g)}$")
    sim_cols = {"ridgeless": red, "under-regularised": fixed_cols[0], "optimal": "k"}
    for name, s in d["sim"].items():
        _errorbar(ax, s["N"], s["loss"], s["stderr"], sim_cols[name])
    ax.axvline(d["T"], color="0.5", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    finite = np.concatenate([d["optimal"], d["fixed"][-1][2]])
    ax.set_ylim(np.nanmin(finite) / 1.5, np.nanmax(finite) * 8)
    ax.set_xlim(N[0], N[-1])
    ax.set_xlabel(r"number of features $N$")
    ax.set_ylabel(LOSS_LABEL)
    ax.set_title(rf"double descent at $N=T={d['T']}$ and its regularisation ($M={d['M']}$, "
                 rf"$\alpha={d['alpha']:g}$)", fontsize=10)
    leg = ax.legend(loc="upper right", fontsize=7.5, frameon=False)
    ax.add_artist(leg)
    _style_legend(ax, extra_sim=any(len(s["N"]) for s in d["sim"].values()))
    ax.grid(True, which="major", alpha=0.25)
    fig.data = d
    return fig


# ----------------------------------------------------------------------------- Fig. 2 bottom

def ridgeless_vs_optimal_data(*, quick=False, simulate=True, seed=0, alpha=1.0, sizes=None, M=None,
                              trials=None, range_=(3, 3000), scheduler=None) -> dict:
    """Data of :func:`fig_ridgeless_vs_optimal`: ridgeless and optimal loss against ``N`` and against ``T``.

    ``panels``: list of two dicts (``"vary": "N"`` with ``fixed`` = T values, and ``"vary": "T"``
    with ``fixed`` = N values), each with ``x`` (grid), ``curves`` (dict fixed value ->
    dict ``ridgeless``, ``optimal``, ``ridgeless_approx``, ``optimal_approx`` arrays) and ``sim``
    (arrays N, T, gamma, loss, stderr plus ``kind``: 0 ridgeless, 1 optimal).
    By the N <-> T symmetry of Eq. (104) the two panels carry the same curves.

    Parameters
    ----------
    quick : bool, optional
        Quick settings (:func:`settings`).
    simulate : bool, optional
        Simulate a few points of the ridgeless and optimal curves (default True).
    seed : int, optional
        Seed (>= 0) of the simulations (default 0); the figure's sweep seed is derived from it.
    alpha : float, optional
        Power-law exponent, a finite number > 0 (default 1).
    sizes : sequence of int, optional
        The fixed sizes (``T`` of the first panel, ``N`` of the second), each >= 1 (default
        (25, 100, 400)).
    M : int, optional
        Length of the spectrum, >= 1 (default ``settings(quick).M_wide``).
    trials : int, optional
        Simulated draws per point, >= 1.
    range_ : tuple of float, optional
        ``(lo, hi)`` > 0 of the varied size (default (3, 3000)).
    scheduler : str, optional
        Address ``tcp://host:port`` of a Dask scheduler to run the simulations on (default: serially
        in this process).

    Returns
    -------
    dict
        ``{"panels": [...], "M": M, "alpha": alpha}`` as described above.

    Raises
    ------
    ValueError
        If ``alpha``, a size, ``trials`` or (when simulating) ``seed`` is out of range.

    Examples
    --------
    >>> d = ridgeless_vs_optimal_data(quick=True, simulate=False, sizes=(25,), M=200, range_=(3, 100))
    >>> [p["vary"] for p in d["panels"]]
    ['N', 'T']
    >>> a, b = (p["curves"][25] for p in d["panels"])
    >>> bool(np.allclose(a["optimal"], b["optimal"]))
    True
    """
    st = settings(quick)
    alpha = _check_alpha(alpha)
    M = _check_size(M if M is not None else st.M_wide, "M")
    trials = _check_size(trials if trials is not None else (st.trials if quick else 6), "trials")
    if sizes is None:
        sizes = (25, 100, 400)
    sizes = [_check_size(s, "sizes") for s in sizes]
    lam = cf.power_law_spectrum(M, alpha)
    xs = _log_grid(range_[0], range_[1], st.grid if quick else st.grid // 2)
    panels = []
    for p, vary in enumerate(("N", "T")):
        curves = {}
        for f in sizes:
            x = np.unique(np.concatenate([xs, f * (1 + np.array([-1e-2, -1e-3, 0, 1e-3, 1e-2]))]))
            NT = [(v, f) if vary == "N" else (f, v) for v in x]
            rl = np.array([np.nan if a == b else float(cf.closed_form_loss(a, b, GAMMA_RIDGELESS, lam).loss)
                           for a, b in NT])
            op = np.array([float(cf.optimal_ridge(a, b, lam).loss) for a, b in NT])
            Na, Ta = np.array([a for a, _ in NT]), np.array([b for _, b in NT])
            rla = np.asarray(sc.ridgeless_loss_approx(Na, Ta, alpha, M), dtype=float)
            rla[~np.isfinite(rla)] = np.nan
            opa = np.asarray(sc.optimal_loss_approx(Na, Ta, alpha, M), dtype=float)
            curves[f] = dict(x=x, ridgeless=rl, optimal=op, ridgeless_approx=rla, optimal_approx=opa)
        rows = []
        if simulate:
            if quick:
                plan = {100: (25, 200)} if p == 0 else {}
            elif p == 0:
                plan = {25: (10, 100), 100: (10, 30, 200)}
            else:
                plan = {100: (30, 200)}
            todo = []
            for f, pts in plan.items():
                if f not in sizes:
                    continue
                for v in pts:
                    a, b = (v, f) if vary == "N" else (f, v)
                    if a == b:
                        continue
                    for kind, g in ((0, 0.0), (1, float(cf.optimal_ridge(a, b, lam).gamma))):
                        todo.append((a, b, g, kind))
            done = _simulate([t[:3] for t in todo], M, alpha, trials, _seed(seed, 3), scheduler) if todo else []
            for (a, b, g, kind), (mean, err, _) in zip(todo, done):
                rows.append(dict(N=a, T=b, gamma=g, loss=mean, stderr=err, kind=kind))
        sim = _sim_table(rows)
        sim["kind"] = np.array([r["kind"] for r in rows], dtype=int)
        panels.append(dict(vary=vary, fixed=sizes, curves=curves, sim=sim))
    return dict(panels=panels, M=M, alpha=alpha)


def fig_ridgeless_vs_optimal(*, quick=False, simulate=True, seed=0, **kw) -> Figure:
    """Ridgeless (dotted) against optimal (solid) loss, against ``N`` and ``T``: the paper's Figure 2, bottom.

    The optimal ridge removes the singularity at ``N = T``; the optimal loss falls as a power law
    ``~ N^-alpha`` (``N << T``) and then plateaus (``N >> T``), and the same in ``T``.  Keyword
    arguments go to :func:`ridgeless_vs_optimal_data`.

    Parameters
    ----------
    quick, simulate, seed
        As for :func:`ridgeless_vs_optimal_data`.
    **kw
        Further keywords of :func:`ridgeless_vs_optimal_data`.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels, the data in the attribute ``data``.

    Raises
    ------
    ValueError
        As :func:`ridgeless_vs_optimal_data`.

    Examples
    --------
    >>> fig = fig_ridgeless_vs_optimal(quick=True, simulate=False, sizes=(25,), M=200, range_=(3, 100))
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['number of features $N$', 'number of training samples $T$']
    """
    d = ridgeless_vs_optimal_data(quick=quick, simulate=simulate, seed=seed, **kw)
    fig, axes = _new_figure(11.0, 4.4, ncols=2)
    for ax, panel in zip(axes[0], d["panels"]):
        vary = panel["vary"]
        other = "T" if vary == "N" else "N"
        cols = _colors(len(panel["fixed"]))
        lo = hi = None
        for f, c in zip(panel["fixed"], cols):
            cv = panel["curves"][f]
            ax.plot(cv["x"], cv["optimal"], color=c, lw=2.0, label=rf"${other}={f}$")
            ax.plot(cv["x"], cv["ridgeless"], color=c, lw=1.4, ls=":")
            ax.plot(cv["x"], cv["optimal_approx"], color=c, lw=1.0, ls="--")
            ax.plot(cv["x"], cv["ridgeless_approx"], color=c, lw=0.8, ls="--", alpha=0.6)
            lo = np.nanmin(cv["optimal"]) if lo is None else min(lo, np.nanmin(cv["optimal"]))
            hi = np.nanmax(cv["optimal"]) if hi is None else max(hi, np.nanmax(cv["optimal"]))
            s = panel["sim"]
            m = (s[other] == f)
            for kind, mk in ((0, "s"), (1, "o")):
                mm = m & (s["kind"] == kind)
                if mm.any():
                    ax.errorbar(s[vary][mm], s["loss"][mm], yerr=s["stderr"][mm], fmt=mk, ms=4.5, mfc="white",
                                mec=c, ecolor=c, elinewidth=1.2, capsize=2.5, zorder=5)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(lo / 1.5, hi * 10)
        ax.set_xlabel(rf"{'number of features' if vary == 'N' else 'number of training samples'} ${vary}$")
        ax.set_ylabel(LOSS_LABEL)
        ax.set_title(rf"ridgeless vs optimal against ${vary}$ ($M={d['M']}$, $\alpha={d['alpha']:g}$)",
                     fontsize=10)
        leg = ax.legend(loc="upper right", fontsize=8, frameon=False)
        ax.add_artist(leg)
        handles = [Line2D([], [], color="0.2", lw=2.0, label=r"optimal $\gamma^*$, Eq. (104)"),
                   Line2D([], [], color="0.2", lw=1.4, ls=":", label=r"ridgeless $\gamma\to0$, Eq. (104)"),
                   Line2D([], [], color="0.2", lw=1.0, ls="--", label="approximations (Sec. IV)")]
        if len(panel["sim"]["N"]):
            handles += [Line2D([], [], color="0.2", ls="", marker="o", mfc="white", label=r"simulation, $\gamma^*$"),
                        Line2D([], [], color="0.2", ls="", marker="s", mfc="white", label=r"simulation, $\gamma=0$")]
        ax.legend(handles=handles, loc="lower left", fontsize=7.5, frameon=False)
        ax.grid(True, which="major", alpha=0.25)
    fig.data = d
    return fig


# ----------------------------------------------------------------------------- Fig. 3

def _simulated_optimal_ridge(N, T, lam, g0, trials, grid, seed, boot=200, *, M, alpha, scheduler=None):
    """Argmin over a ridge grid around ``g0`` of the simulated loss (common random numbers).

    Every ridge of the grid uses the same draws (same seed), so the mean loss is a smooth function
    of the ridge; the minimum is refined by a parabola in ``(log gamma, log loss)`` through the
    smallest grid point and its neighbours.  The loss is not symmetric in ``log gamma`` about its
    minimum, so this estimator has a resolution bias of order the grid spacing; it is removed by
    applying the same estimator to Eq. (104) on the same grid (where the answer ``g0`` is known) and
    shifting by the difference.  The error is the bootstrap spread over trials.
    Returns ``(gamma_sim, sigma_log10)``.
    """
    lg = np.log10(g0) + np.linspace(-1.0, 1.0, grid)
    sims = _simulate([(N, T, 10 ** x) for x in lg], M, alpha, trials, seed, scheduler, keep_values=True)
    losses = np.array([values for _, _, values in sims])                                  # grid x trials

    def argmin(mean):
        y = np.log(mean)
        j = int(np.argmin(y))
        if j in (0, len(y) - 1):
            return lg[j]
        x3, y3 = lg[j - 1:j + 2], y[j - 1:j + 2]
        a, b, _ = np.polyfit(x3, y3, 2)
        return float(-b / (2 * a)) if a > 0 else lg[j]

    bias = argmin(np.asarray(cf.closed_form_loss(N, T, 10 ** lg, lam).loss, dtype=float)) - math.log10(g0)
    best = argmin(losses.mean(axis=1)) - bias
    rng = np.random.default_rng(seed)
    bs = [argmin(losses[:, rng.integers(0, trials, trials)].mean(axis=1)) for _ in range(boot)] if trials > 1 else [best]
    return 10 ** best, float(np.std(bs))


def optimal_ridge_data(*, quick=False, simulate=True, seed=0, alphas=(0.5, 1.0, 2.0), Ts=None, M=None,
                       N_range=(5, 3000), sim_alpha=2.0, sim_T=100, sim_M=None, scheduler=None) -> dict:
    """Data of :func:`fig_optimal_ridge`: the exact optimal ridge ``gamma*`` against ``N``.

    The exact ``gamma*`` is the minimum of Eq. 104; ``approx`` is ``scaling.optimal_ridge_approx``.
    The simulated ``gamma*`` is the argmin of the simulated loss over a ridge grid around the exact
    one (common random numbers), corrected for the grid's resolution bias, with a bootstrap error.

    Parameters
    ----------
    quick : bool, optional
        Quick settings (:func:`settings`).
    simulate : bool, optional
        Simulate the optimal ridge of the check panel at a few ``N`` (default True).
    seed : int, optional
        Seed (>= 0) of the simulations.
    alphas : sequence of float, optional
        Power-law exponents of the analytic panels, each a finite number > 0.
    Ts : sequence of int, optional
        Training-set sizes, each >= 1 (default (30, 300), or (30, 100, 300) for a full run).
    M : int, optional
        Spectrum length of the analytic panels, >= 1 (default ``settings(quick).M_scaling``).
    N_range : tuple of float, optional
        ``(lo, hi)`` > 0 of the ``N`` grid (default (5, 3000)).
    sim_alpha : float, optional
        Exponent of the check panel (default 2).
    sim_T : int, optional
        Training-set size of the check panel (default 100).
    sim_M : int, optional
        Spectrum length of the check panel (default ``settings(quick).M``).
    scheduler : str, optional
        Address ``tcp://host:port`` of a Dask scheduler for the simulations.

    Returns
    -------
    dict
        Keys: ``panels`` (one per alpha: ``alpha``, ``N`` grid, ``curves`` dict T -> dict ``exact``,
        ``approx`` arrays), ``M``; ``check``: the simulated panel at ``sim_M`` (``alpha``, ``T``,
        ``N``, ``exact``, ``approx`` and ``sim`` arrays ``N``, ``gamma``, ``sigma_log10``).

    Raises
    ------
    ValueError
        If an exponent, a size or (when simulating) ``seed`` is out of range.

    Examples
    --------
    >>> d = optimal_ridge_data(quick=True, simulate=False, alphas=(1.0,), Ts=(30,), M=200, sim_M=100,
    ...                        N_range=(5, 100))
    >>> len(d["panels"]), sorted(d["panels"][0]["curves"][30])
    (1, ['approx', 'exact'])
    >>> d["check"]["sim"]["N"].size
    0
    """
    st = settings(quick)
    alphas = [_check_alpha(a) for a in alphas]
    M = _check_size(M if M is not None else st.M_scaling, "M")
    sim_M = _check_size(sim_M if sim_M is not None else st.M, "sim_M")
    if Ts is None:
        Ts = (30, 300) if quick else (30, 100, 300)
    Ts = [_check_size(t, "T") for t in Ts]
    Ns = _log_grid(N_range[0], N_range[1], max(10, st.grid // 5))
    panels = []
    for a in alphas:
        lam = cf.power_law_spectrum(M, a)
        curves = {}
        for T in Ts:
            exact = np.array([float(cf.optimal_ridge(n, T, lam).gamma) for n in Ns])
            approx = np.asarray(sc.optimal_ridge_approx(Ns, T, a, M), dtype=float)
            curves[T] = dict(exact=exact, approx=approx)
        panels.append(dict(alpha=a, N=Ns, curves=curves))
    sim_alpha = _check_alpha(sim_alpha)
    sim_T = _check_size(sim_T, "sim_T")
    lam = cf.power_law_spectrum(sim_M, sim_alpha)
    Nc = _log_grid(10, 400, max(12, st.grid // 4))
    exact_c = np.array([float(cf.optimal_ridge(n, sim_T, lam).gamma) for n in Nc])
    approx_c = np.asarray(sc.optimal_ridge_approx(Nc, sim_T, sim_alpha, sim_M), dtype=float)
    rows = []
    if simulate:
        for n in (50, 200) if quick else (25, 50, 100, 200):
            g0 = float(cf.optimal_ridge(n, sim_T, lam).gamma)
            g, s = _simulated_optimal_ridge(n, sim_T, lam, g0, st.ridge_trials, st.ridge_grid, _seed(seed, 4),
                                            M=sim_M, alpha=sim_alpha, scheduler=scheduler)
            rows.append((n, g, s))
    sim = {"N": np.array([r[0] for r in rows], dtype=float), "gamma": np.array([r[1] for r in rows]),
           "sigma_log10": np.array([r[2] for r in rows])}
    check = dict(alpha=sim_alpha, T=sim_T, M=sim_M, N=Nc, exact=exact_c, approx=approx_c, sim=sim)
    return dict(panels=panels, M=M, check=check)


def fig_optimal_ridge(*, quick=False, simulate=True, seed=0, **kw) -> Figure:
    """The optimal ridge ``gamma*`` against ``N`` for several ``T`` and ``alpha``: the paper's Figure 3.

    ``gamma*`` scales like ``(1/N + 1/T)^(alpha-1)``: it grows with ``N`` for ``alpha < 1``, is nearly
    constant (``~ pi^2/(4M)``) for ``alpha = 1`` and falls for ``alpha > 1``, then plateaus for
    ``N >> T``.  The last panel compares it with the minimum of the simulated loss at a small size.
    Keyword arguments go to :func:`optimal_ridge_data`.

    Parameters
    ----------
    quick, simulate, seed
        As for :func:`optimal_ridge_data`.
    **kw
        Further keywords of :func:`optimal_ridge_data`.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per ``alpha`` and the check panel, the data in the attribute ``data``.

    Raises
    ------
    ValueError
        As :func:`optimal_ridge_data`.

    Examples
    --------
    >>> fig = fig_optimal_ridge(quick=True, simulate=False, alphas=(1.0,), Ts=(30,), M=200, sim_M=100,
    ...                         N_range=(5, 100))
    >>> len(fig.axes), fig.axes[1].get_xlabel()
    (2, 'number of features $N$')
    """
    d = optimal_ridge_data(quick=quick, simulate=simulate, seed=seed, **kw)
    n = len(d["panels"]) + 1
    ncols = 2 if n == 4 else n
    nrows = math.ceil(n / ncols)
    fig, axes = _new_figure(5.2 * ncols, 3.9 * nrows, ncols=ncols, nrows=nrows)
    flat = axes.ravel()
    for ax, panel in zip(flat, d["panels"]):
        Ts = list(panel["curves"])
        cols = _colors(len(Ts))
        for T, c in zip(Ts, cols):
            cv = panel["curves"][T]
            ax.plot(panel["N"], cv["exact"], color=c, lw=1.9, label=rf"$T={T}$")
            ax.plot(panel["N"], cv["approx"], color=c, lw=1.0, ls="--")
            ax.axvline(T, color=c, lw=0.6, ls=":", alpha=0.7)
        ax.set_xscale("log")
        ax.set_yscale("log")
        a = panel["alpha"]
        ax.set_title(rf"$\alpha={a:g}$: $\gamma^*\propto(1/N+1/T)^{{\alpha-1}}$, $M={d['M']}$", fontsize=10)
        ax.set_xlabel(r"number of features $N$")
        ax.set_ylabel(r"optimal ridge $\gamma^*$")
        if abs(a - 1) < 1e-12:          # nearly flat: show a decade around it
            allv = np.concatenate([np.concatenate([cv["exact"], cv["approx"]]) for cv in panel["curves"].values()])
            mid = math.sqrt(np.nanmin(allv) * np.nanmax(allv))
            span = max(np.nanmax(allv) / np.nanmin(allv), 10.0)
            ax.set_ylim(mid / math.sqrt(span) / 1.2, mid * math.sqrt(span) * 1.2)
        leg = ax.legend(loc="best", fontsize=8, frameon=False)
        ax.add_artist(leg)
        ax.grid(True, which="major", alpha=0.25)
    near_one = [i for i, p in enumerate(d["panels"]) if abs(p["alpha"] - 1) < 1e-12]
    _style_legend(flat[near_one[0] if near_one else len(d["panels"]) - 1], extra_sim=False, loc="lower left")
    ax = flat[len(d["panels"])]
    ck = d["check"]
    ax.plot(ck["N"], ck["exact"], color="k", lw=1.9, label=rf"$T={ck['T']}$")
    ax.plot(ck["N"], ck["approx"], color="k", lw=1.0, ls="--")
    s = ck["sim"]
    if len(s["N"]):
        lo = s["gamma"] * (1 - 10 ** (-s["sigma_log10"]))
        hi = s["gamma"] * (10 ** s["sigma_log10"] - 1)
        ax.errorbar(s["N"], s["gamma"], yerr=[lo, hi], fmt="o", ms=5, mfc="white", mec="#c0392b",
                    ecolor="#c0392b", capsize=2.5, zorder=5, label="argmin of simulated loss")
    ax.axvline(ck["T"], color="0.5", lw=0.6, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_title(rf"check: $\alpha={ck['alpha']:g}$, $T={ck['T']}$, $M={ck['M']}$", fontsize=10)
    ax.set_xlabel(r"number of features $N$")
    ax.set_ylabel(r"optimal ridge $\gamma^*$")
    ax.legend(loc="best", fontsize=8, frameon=False)
    ax.grid(True, which="major", alpha=0.25)
    for extra in flat[n:]:
        extra.set_visible(False)
    fig.data = d
    return fig


# ----------------------------------------------------------------------------- exponent vs alpha

def exponent_vs_alpha_data(*, quick=False, alphas=None, sizes=None, ratio=1.0, M=None) -> dict:
    """Exponent of the optimal loss ``L*(N, T = ratio N) ~ N^-exponent`` fitted for several ``alpha``.

    The approximation of Sec. IV.3 gives exactly ``alpha`` at fixed ``T/N`` (``nu`` depends only on the
    ratio); the exact minimum of Eq. (104) at finite ``M`` approaches it.  Keys ``alpha``, ``exact``,
    ``exact_stderr``, ``approx``, ``sizes``, ``ratio``, ``M``.

    Parameters
    ----------
    quick : bool, optional
        Quick settings: fewer exponents and sizes.
    alphas : sequence of float, optional
        The exponents, each a finite number > 0.
    sizes : sequence of int, optional
        The ``N`` of the fit, each >= 1 (default (25, 50, 100), or up to 400 for a full run).
    ratio : float, optional
        ``T / N`` (default 1).
    M : int, optional
        Length of the spectrum, >= 1 (default ``settings(quick).M_scaling``).

    Returns
    -------
    dict
        Arrays ``alpha``, ``exact`` (fitted exponent of the minimum of Eq. 104), ``exact_stderr``
        (its standard error), ``approx`` (exponent of the Sec. IV.3 approximation), ``sizes``, and
        ``ratio``, ``M``.

    Raises
    ------
    ValueError
        If an exponent or a size is out of range.

    Examples
    --------
    >>> d = exponent_vs_alpha_data(quick=True, alphas=(1.0, 2.0), M=400)
    >>> d["approx"].round(6)
    array([1., 2.])
    >>> bool(np.all(abs(d["exact"] - d["alpha"]) < 0.1))
    True
    """
    st = settings(quick)
    if alphas is None:
        alphas = (0.5, 1.0, 1.5, 2.0) if quick else (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
    alphas = [_check_alpha(a) for a in alphas]
    if sizes is None:
        sizes = (25, 50, 100) if quick else (25, 50, 100, 200, 400)
    sizes = np.array([_check_size(s, "sizes") for s in sizes], dtype=float)
    M = _check_size(M if M is not None else st.M_scaling, "M")
    ex, err, ap = [], [], []
    for a in alphas:
        lam = cf.power_law_spectrum(M, a)
        L = [float(cf.optimal_ridge(n, ratio * n, lam).loss) for n in sizes]
        fit = sc.fit_exponent(sizes, L)
        ex.append(fit.exponent)
        err.append(fit.stderr)
        ap.append(sc.fit_exponent(sizes, sc.optimal_loss_approx(sizes, ratio * sizes, a, M)).exponent)
    return dict(alpha=np.array(alphas), exact=np.array(ex), exact_stderr=np.array(err), approx=np.array(ap),
                sizes=sizes, ratio=ratio, M=M)


def fig_exponent_vs_alpha(*, quick=False, **kw) -> Figure:
    """Fitted exponent of ``L*`` against ``N`` (with ``T = ratio N``) for several ``alpha``, beside ``alpha``.

    Parameters
    ----------
    quick : bool, optional
        Quick settings.
    **kw
        Keywords of :func:`exponent_vs_alpha_data` (``alphas``, ``sizes``, ``ratio``, ``M``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, its data in the attribute ``data``.

    Raises
    ------
    ValueError
        As :func:`exponent_vs_alpha_data`.

    Examples
    --------
    >>> fig = fig_exponent_vs_alpha(quick=True, alphas=(1.0, 2.0), M=400)
    >>> fig.data["alpha"].tolist()
    [1.0, 2.0]
    """
    d = exponent_vs_alpha_data(quick=quick, **kw)
    fig, axes = _new_figure(4.8, 3.9)
    ax = axes[0, 0]
    a = d["alpha"]
    ax.plot([0, a.max() * 1.05], [0, a.max() * 1.05], color="0.6", lw=1, ls=":", label=r"exponent $=\alpha$")
    ax.plot(a, d["approx"], "--", color="#2e86c1", lw=1.0, marker="x", label="approximation (Sec. IV.3)")
    ax.errorbar(a, d["exact"], yerr=d["exact_stderr"], fmt="o-", color="k", ms=4.5, lw=1.2,
                label="minimum of Eq. (104)")
    ax.set_xlabel(r"data exponent $\alpha$")
    ax.set_ylabel(r"fitted exponent of $\langle\hat{\mathcal{L}}\rangle(\gamma^*)$")
    sz = ", ".join(str(int(s)) for s in d["sizes"])
    ratio = "" if d["ratio"] == 1 else f"{d['ratio']:g}"
    ax.set_title(rf"$L^*\propto N^{{-\mathrm{{exp}}}}$, $T={ratio}N$, $N\in\{{{sz}\}}$, $M={d['M']}$",
                 fontsize=9)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.grid(True, alpha=0.25)
    fig.data = d
    return fig


# ----------------------------------------------------------------------------- driver

def write_figures(out_dir, quick=False, simulate=True, seed=0, dpi=None, fmt: str = "png",
                  progress=None, scheduler=None) -> list[Path]:
    """Write the figures of the paper's Section IV into ``out_dir`` (created if needed) as ``fmt`` files.

    Returns the paths in the order of :data:`FIGURE_NAMES`.  ``quick=True``: small sizes, few
    trials (seconds); ``simulate=False``: analytic curves only; ``fmt``: png, pdf or svg;
    ``progress(n)`` is called after each figure; ``scheduler``: the address ``tcp://host:port`` of a
    Dask scheduler to run the simulations on (default: serially in this process).

    Parameters
    ----------
    out_dir : str or os.PathLike
        The directory (created with its parents if needed).
    quick : bool, optional
        Quick settings (:func:`settings`).
    simulate : bool, optional
        Add the simulated points (default True).
    seed : int, optional
        Seed (>= 0) of the simulations, checked before any work.
    dpi : int, optional
        Resolution (default 90 quick, 110 full).
    fmt : {'png', 'pdf', 'svg'}, optional
        File format and suffix.
    progress : callable, optional
        Called as ``progress(1)`` after each figure.
    scheduler : str, optional
        Dask scheduler address for the simulations.

    Returns
    -------
    list of pathlib.Path
        The five files, named as :data:`FIGURE_NAMES` with suffix ``fmt``.

    Raises
    ------
    ValueError
        If ``fmt`` is not png, pdf or svg, ``seed`` is not an integer >= 0, or ``out_dir`` exists
        and is not a directory; all checked before any work.

    Examples
    --------
    A full call takes seconds even with ``quick=True, simulate=False``; the checks come first:

    >>> write_figures("figures", fmt="jpg")
    Traceback (most recent call last):
    ...
    ValueError: format: must be png, pdf or svg, got 'jpg'
    >>> write_figures("figures", seed=-1)
    Traceback (most recent call last):
    ...
    ValueError: seed: must be an integer >= 0, got -1
    """
    if fmt not in ("png", "pdf", "svg"):
        raise ValueError(f"format: must be png, pdf or svg, got {fmt!r}")
    _seed(seed)                                   # validate early
    out = Path(os.fspath(out_dir))
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out: {out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    if dpi is None:
        dpi = 90 if quick else 110
    makers = (
        lambda: fig_loss_vs_gamma(quick=quick, simulate=simulate, seed=seed, scheduler=scheduler),
        lambda: fig_loss_vs_N(quick=quick, simulate=simulate, seed=seed, scheduler=scheduler),
        lambda: fig_ridgeless_vs_optimal(quick=quick, simulate=simulate, seed=seed, scheduler=scheduler),
        lambda: fig_optimal_ridge(quick=quick, simulate=simulate, seed=seed, scheduler=scheduler),
        lambda: fig_exponent_vs_alpha(quick=quick),
    )
    paths = []
    for name, make in zip(FIGURE_NAMES, makers):
        fig = make()
        path = out / (Path(name).stem + "." + fmt)
        fig.savefig(path, dpi=dpi, format=fmt)
        paths.append(path)
        if progress is not None:
            progress(1)
    return paths


# ----------------------------------------------------------------------------- finite size (any model)

#: File name (stem) written by :func:`write_finite_size_figure`.
FINITE_SIZE_NAME = "finite_size_vs_N"

#: Default settings of :func:`fig_finite_size` per shipped model: the fixed parameters, the sizes as
#: multiples of the size ``n`` on the horizontal axis (``"M"``: the length of a power-law spectrum),
#: the ridge, the sizes ``n`` simulated (full, quick) and the trials (full, quick).
FINITE_SIZE_SETTINGS = {
    "random-features": dict(base={"alpha": 1}, ratios={"N": 1, "T": 1.5, "M": 6}, x="N", gamma=0.01,
                            sizes=((20, 30, 45, 68, 100), (20, 40)), trials=(200, 16)),
    "ridge": dict(base={"alpha": 1}, ratios={"T": 1, "M": 2}, x="T", gamma=0.01,
                  sizes=((10, 20, 40, 80, 160), (10, 20)), trials=(400, 16)),
    "deep-random-features": dict(base={"alpha": 1}, ratios={"N": 1, "N1": 1.5, "T": 1.5, "M": 6}, x="N",
                                 gamma=0.01, sizes=((20, 30, 45, 68), (20, 30)), trials=(200, 16)),
}


def _scaled_values(model, base, ratios, n):
    """The parameter values at size ``n``: ``round(ratio * n)`` for the integer parameters in ``ratios``,
    a power law of length ``round(ratios["M"] * n)`` for every spectrum given as ``alpha`` in ``base``."""
    from diagrams.engine.numbers import read_fraction
    from diagrams.models.declaration import PowerLaw

    vals = {k: v for k, v in base.items() if k != "alpha"}
    for name, r in ratios.items():
        if name == "M":
            continue
        vals[name] = max(1, int(round(float(r) * n)))
    if "alpha" in base:
        if "M" not in ratios:
            raise ValueError("ratios: a power-law spectrum (alpha) needs the ratio of its length M")
        law = PowerLaw(read_fraction(base["alpha"], "alpha"), max(1, int(round(float(ratios["M"]) * n))))
        for prm in model.parameters:
            if prm.kind == "spectrum" and prm.default is None:
                vals[prm.name] = law
    return vals


def finite_size_data(model, base, ratios, sizes, gamma, *, trials=200, seed=0, simulate=True, curve_points=24,
                     scheduler=None) -> dict:
    """Simulation, planar value ``L0`` and ``L0 + L1`` of any model against a size ``n`` at fixed ratios.

    ``L1`` is the first finite-size correction (:func:`diagrams.analysis.finite_size.correction_numpy`).

    ``base``: the fixed parameter values (``alpha`` for power-law spectra); ``ratios``: ``{integer
    parameter: multiple of n}`` (``"M"``: the length of the power-law spectra); ``sizes``: the ``n`` to
    simulate (``trials`` draws each, one sweep with seed ``seed``, serially or on the Dask cluster of
    ``scheduler``); the curves are evaluated at ``curve_points`` sizes between the smallest and the largest.
    Returns ``{"n", "planar", "correction", "total"}`` (curves), ``{"sim_n", "sim", "stderr", "sim_planar",
    "sim_correction"}`` (the simulated points and the theory there) and the settings.

    Parameters
    ----------
    model : str or Model
        A model, as for :func:`diagrams.models.registry.load_model`.
    base : dict
        Fixed parameter values; ``alpha`` makes every spectrum without default a power law.
    ratios : dict
        ``{integer parameter: multiple of n}``; ``"M"``: the length of the power-law spectra
        (required with ``alpha``).  Sizes are rounded, at least 1.
    sizes : iterable of int
        The ``n`` to simulate, each >= 1 (converted with ``int``; duplicates dropped).
    gamma : float
        The ridge, a finite number > 0.
    trials : int, optional
        Simulated draws per size (default 200).
    seed : int, optional
        Seed (>= 0) of the sweep.
    simulate : bool, optional
        Simulate (default True); else ``sim`` and ``stderr`` are empty.
    curve_points : int, optional
        Sizes of the curves, at least 2, geometrically spaced (plus the simulated sizes).
    scheduler : str, optional
        Dask scheduler address for the simulations.

    Returns
    -------
    dict
        Curves ``n``, ``planar``, ``correction``, ``total``; points ``sim_n``, ``sim``, ``stderr``,
        ``sim_planar``, ``sim_correction``; settings ``model`` (name), ``gamma``, ``ratios``,
        ``base``.

    Raises
    ------
    ValueError
        If the model is unknown, ``sizes`` is empty or has a size < 1, ``gamma`` is not a finite
        number > 0, ``alpha`` is given without the ratio ``"M"``, or (when simulating) ``seed`` is
        out of range.

    Examples
    --------
    >>> d = finite_size_data("ridge", {"alpha": 1}, {"T": 1, "M": 2}, (5, 10), 0.01, simulate=False,
    ...                      curve_points=3)
    >>> d["n"], d["sim"].size
    (array([ 5.,  7., 10.]), 0)
    >>> bool(np.allclose(d["total"], d["planar"] + d["correction"]))
    True
    >>> d = finite_size_data("ridge", {"alpha": 1}, {"T": 1, "M": 2}, (5, 10), 0.01, trials=4, curve_points=3)
    >>> d["sim"].shape, d["stderr"].shape
    ((2,), (2,))
    >>> finite_size_data("ridge", {"alpha": 1}, {"T": 1}, (5,), 0.01)
    Traceback (most recent call last):
    ...
    ValueError: ratios: a power-law spectrum (alpha) needs the ratio of its length M
    """
    from diagrams.analysis.finite_size import correction_numpy
    from diagrams.models.registry import load_model

    model = load_model(model)
    sizes = sorted({_check_size(n, "sizes") for n in sizes})
    if not sizes:
        raise ValueError("sizes: give at least one size")
    g = float(gamma)
    if not (g > 0 and math.isfinite(g)):
        raise ValueError(f"gamma: must be a finite number > 0, got {gamma!r}")
    lo, hi = sizes[0], sizes[-1]
    grid = sorted({int(round(x)) for x in np.geomspace(lo, hi, max(int(curve_points), 2))} | set(sizes))
    rows = [correction_numpy(model, _scaled_values(model, base, ratios, n), [g])[0] for n in grid]
    out = {"model": model.name, "gamma": g, "ratios": dict(ratios), "base": dict(base),
           "n": np.array(grid, dtype=float),
           "planar": np.array([r["planar"] for r in rows]), "correction": np.array([r["correction"] for r in rows]),
           "total": np.array([r["total"] for r in rows])}
    at = {n: r for n, r in zip(grid, rows)}
    out["sim_n"] = np.array(sizes, dtype=float)
    out["sim_planar"] = np.array([at[n]["planar"] for n in sizes])
    out["sim_correction"] = np.array([at[n]["correction"] for n in sizes])
    if simulate:
        from diagrams.analysis.sweep import run_sweep, sweep_point

        pts = [sweep_point(model, _scaled_values(model, base, ratios, n), g) for n in sizes]
        res = run_sweep(model, pts, trials=trials, seed=_seed(seed, 7), theory=False,
                        executor="serial" if scheduler is None else "dask", scheduler=scheduler)
        out["sim"] = np.array([res.row(p)["mean"] for p in pts])
        out["stderr"] = np.array([res.row(p)["stderr"] for p in pts])
    else:
        out["sim"] = out["stderr"] = np.array([])
    return out


def fig_finite_size(model="random-features", *, quick=False, simulate=True, seed=0, scheduler=None, **kw) -> Figure:
    """The finite-size figure of any model: the loss and its gap to the planar value against the size.

    Left: the loss against the size (simulation, ``L0``, ``L0 + L1``); right: the gap to the planar value
    relative to it, ``(L - L0)/L0``, with ``L1/L0``: the gap closes like ``1/n`` and ``L1`` accounts for it.

    ``model``: a shipped model (its :data:`FINITE_SIZE_SETTINGS`) or any model with ``base``, ``ratios``,
    ``sizes``, ``gamma`` (and ``x``, the label of the horizontal axis) given; other keywords go to
    :func:`finite_size_data`.

    Parameters
    ----------
    model : str or Model, optional
        The model (default ``"random-features"``).
    quick : bool, optional
        The quick sizes and trials of :data:`FINITE_SIZE_SETTINGS`.
    simulate : bool, optional
        Add the simulated points (default True).
    seed : int, optional
        Seed (>= 0) of the simulations.
    scheduler : str, optional
        Dask scheduler address for the simulations.
    **kw
        ``base``, ``ratios``, ``sizes``, ``gamma``, ``x``, ``trials`` override the model's settings;
        others (``curve_points``) go to :func:`finite_size_data`.

    Returns
    -------
    matplotlib.figure.Figure
        Two panels, the data of :func:`finite_size_data` in the attribute ``data``.

    Raises
    ------
    ValueError
        If the model has no default settings and one of ``base``, ``ratios``, ``sizes``, ``gamma``
        is missing, or as :func:`finite_size_data`.

    Examples
    --------
    >>> fig = fig_finite_size("ridge", quick=True, simulate=False, sizes=(5, 10), curve_points=3)
    >>> fig.axes[0].get_xlabel(), fig.data["sim_n"].tolist()
    ('T', [5.0, 10.0])
    """
    from diagrams.models.registry import load_model

    model = load_model(model)
    st = FINITE_SIZE_SETTINGS.get(model.name, {})
    need = [k for k in ("base", "ratios", "sizes", "gamma") if k not in kw and k not in st]
    if need:
        raise ValueError(f"{', '.join(need)}: give them for the {model.name} model (no default settings)")
    base, ratios = kw.pop("base", st.get("base")), kw.pop("ratios", st.get("ratios"))
    x = kw.pop("x", st.get("x", "n"))
    sizes = kw.pop("sizes") if "sizes" in kw else st["sizes"][1 if quick else 0]
    gamma = kw.pop("gamma", st.get("gamma"))
    trials = kw.pop("trials") if "trials" in kw else st.get("trials", (200, 16))[1 if quick else 0]
    d = finite_size_data(model, base, ratios, sizes, gamma, trials=trials, seed=seed, simulate=simulate,
                         scheduler=scheduler, **kw)
    fig, axes = _new_figure(9.0, 3.6, ncols=2)
    ax, bx = axes[0]
    ax.loglog(d["n"], d["planar"], color="0.45", ls="--", label=r"planar $L_0$")
    ax.loglog(d["n"], d["total"], color="C3", label=r"$L_0 + L_1$")
    bx.loglog(d["n"], d["correction"] / d["planar"], color="C3", label=r"$L_1/L_0$ ($\chi = 1$)")
    if simulate and len(d["sim"]):
        _errorbar(ax, d["sim_n"], d["sim"], d["stderr"], "k", label="simulation")
        gap = (d["sim"] - d["sim_planar"]) / d["sim_planar"]
        err = d["stderr"] / d["sim_planar"]
        _errorbar(bx, d["sim_n"], np.maximum(gap, 1e-12), err, "k", label=r"simulation, $(L - L_0)/L_0$")
    ratio_text = ", ".join(f"{k} = {v:g}{x}" if k != x else f"{k}" for k, v in d["ratios"].items())
    ax.set_xlabel(x)
    ax.set_ylabel("observable")
    ax.set_title(f"{model.name}: {ratio_text}, $\\gamma$ = {d['gamma']:g}", fontsize=9)
    ax.legend(fontsize=8, frameon=False)
    bx.set_xlabel(x)
    bx.set_ylabel("relative gap to the planar value")
    bx.set_title("the gap closes like 1/" + x + "; $L_1$ accounts for it", fontsize=9)
    bx.legend(fontsize=8, frameon=False)
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    for axis in (ax, bx):
        axis.xaxis.set_major_formatter(ScalarFormatter())
        axis.xaxis.set_minor_formatter(NullFormatter())
        axis.set_xticks([int(n) for n in d["sim_n"]] if len(d["sim_n"]) else axis.get_xticks())
    fig.data = d
    return fig


def write_finite_size_figure(out_dir, model="random-features", *, quick=False, simulate=True, seed=0, dpi=None,
                             fmt: str = "png", scheduler=None) -> Path:
    """Write :func:`fig_finite_size` as ``out_dir/finite_size_vs_N.<fmt>`` (``diagrams figures --finite-size``).

    Parameters
    ----------
    out_dir : str or os.PathLike
        The directory (created with its parents if needed).
    model : str or Model, optional
        A model with default settings in :data:`FINITE_SIZE_SETTINGS` (default
        ``"random-features"``).
    quick, simulate, seed, scheduler
        As for :func:`fig_finite_size`.
    dpi : int, optional
        Resolution (default 90 quick, 110 full).
    fmt : {'png', 'pdf', 'svg'}, optional
        File format and suffix.

    Returns
    -------
    pathlib.Path
        The file written, ``FINITE_SIZE_NAME`` with suffix ``fmt``.

    Raises
    ------
    ValueError
        If ``fmt`` is not png, pdf or svg, ``seed`` is not an integer >= 0, or ``out_dir`` exists
        and is not a directory (checked before any work); or as :func:`fig_finite_size`.

    Examples
    --------
    >>> import tempfile
    >>> path = write_finite_size_figure(tempfile.mkdtemp(), "ridge", quick=True, simulate=False, dpi=30)
    >>> path.name
    'finite_size_vs_N.png'
    >>> write_finite_size_figure("figures", fmt="gif")
    Traceback (most recent call last):
    ...
    ValueError: format: must be png, pdf or svg, got 'gif'
    """
    if fmt not in ("png", "pdf", "svg"):
        raise ValueError(f"format: must be png, pdf or svg, got {fmt!r}")
    _seed(seed)
    out = Path(os.fspath(out_dir))
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out: {out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    fig = fig_finite_size(model, quick=quick, simulate=simulate, seed=seed, scheduler=scheduler)
    path = out / f"{FINITE_SIZE_NAME}.{fmt}"
    fig.savefig(path, dpi=dpi or (90 if quick else 110), format=fmt)
    return path


#: File name (without extension) of :func:`fig_model_loss_vs_gamma`.
MODEL_LOSS_NAME = "loss_vs_gamma"


def model_loss_vs_gamma_data(model, values, gammas, *, sim_gammas=(), trials=32, seed=0, scheduler=None) -> dict:
    """The planar observable of any model against the ridge -- from its planar route (a declared closed form
    where it applies, else the planar Dyson equation), its optimal ridge, and simulated points."""
    from diagrams.analysis.routes import planar_route
    from diagrams.models.registry import load_model

    model = load_model(model)
    vals = model.read_values(values, require=[p.name for p in model.parameters])
    route = planar_route(model, vals)
    g = np.array([float(x) for x in gammas])
    theory = np.array([float(r["observable"]) for r in route.evaluate(vals, list(g))])
    out = {"model": model.name, "route": route.name, "gamma": g, "theory": theory, "optimum": None}
    if route.optimum is not None:
        try:
            gs, ls, limit = route.optimum(vals)
            out["optimum"] = None if limit is not None else (float(gs), float(ls))
        except ValueError:
            out["optimum"] = None
    out["sim_gamma"] = np.array([float(x) for x in sim_gammas])
    if len(sim_gammas):
        from diagrams.analysis.sweep import run_sweep, sweep_point

        pts = [sweep_point(model, vals, float(x)) for x in sim_gammas]
        res = run_sweep(model, pts, trials=trials, seed=_seed(seed, 11), theory=False,
                        executor="serial" if scheduler is None else "dask", scheduler=scheduler)
        out["sim"] = np.array([res.row(p)["mean"] for p in pts])
        out["stderr"] = np.array([res.row(p)["stderr"] for p in pts])
    return out


def fig_model_loss_vs_gamma(model="random-features", *, quick=False, simulate=True, seed=0, scheduler=None,
                            values=None) -> Figure:
    """The observable of any model against the ridge: planar curve, optimal ridge, simulation points.

    ``values``: the model's parameters (default: the smallest size of its :data:`FINITE_SIZE_SETTINGS`).
    """
    from diagrams.models.registry import load_model

    model = load_model(model)
    if values is None:
        st = FINITE_SIZE_SETTINGS.get(model.name)
        if st is None:
            raise ValueError(f"values: give the parameters of the {model.name} model (no default settings)")
        values = _scaled_values(model, st["base"], st["ratios"], st["sizes"][0][-1])
    gammas = np.geomspace(1e-4, 1e2, 25 if quick else 60)
    sims = np.geomspace(1e-3, 10.0, 4 if quick else 7) if simulate else ()
    d = model_loss_vs_gamma_data(model, values, gammas, sim_gammas=sims, trials=8 if quick else 48, seed=seed,
                                 scheduler=scheduler)
    fig, axes = _new_figure(5.2, 3.8)
    ax = axes[0][0]
    ax.loglog(d["gamma"], d["theory"], color="C0", label=f"planar ({d['route']})")
    if d["optimum"] is not None:
        ax.plot([d["optimum"][0]], [d["optimum"][1]], "o", color="C3", ms=6, label=r"optimal ridge $\gamma^*$")
    if len(d["sim_gamma"]):
        _errorbar(ax, d["sim_gamma"], d["sim"], d["stderr"], "k", label="simulation")
    shown = ", ".join(f"{k}={v}" for k, v in values.items() if not hasattr(v, "__len__") or isinstance(v, str))
    ax.set_xlabel(r"ridge $\gamma$")
    ax.set_ylabel("observable")
    ax.set_title(f"{model.name}: {shown}", fontsize=8)
    ax.legend(fontsize=8, frameon=False)
    fig.data = d
    return fig


def write_model_figures(out_dir, model, *, quick=False, simulate=True, seed=0, dpi=None, fmt: str = "png",
                        scheduler=None, progress=None) -> list[Path]:
    """Write the figures of any model: its loss against the ridge and its finite-size figure."""
    if fmt not in ("png", "pdf", "svg"):
        raise ValueError(f"format: must be png, pdf or svg, got {fmt!r}")
    _seed(seed)
    out = Path(os.fspath(out_dir))
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out: {out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    fig = fig_model_loss_vs_gamma(model, quick=quick, simulate=simulate, seed=seed, scheduler=scheduler)
    paths = [out / f"{MODEL_LOSS_NAME}.{fmt}"]
    fig.savefig(paths[0], dpi=dpi or (90 if quick else 110), format=fmt)
    if progress is not None:
        progress(1)
    paths.append(write_finite_size_figure(out, model, quick=quick, simulate=simulate, seed=seed, dpi=dpi, fmt=fmt,
                                          scheduler=scheduler))
    if progress is not None:
        progress(1)
    return paths
