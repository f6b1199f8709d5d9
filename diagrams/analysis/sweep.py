r"""Parameter sweeps of any declared model, run as Dask tasks, resumable from their table file.

A **point** is a value of every parameter of a :class:`~diagrams.models.declaration.Model` and a ridge
``gamma``.  At each point a sweep gives

* the Monte-Carlo ``mean`` of the observable and its standard error ``stderr`` over ``trials``
  seeded draws (:mod:`diagrams.analysis.simulate`: every Gaussian matrix drawn, the observable
  evaluated with linear solves);
* the planar (large-N) ``theory``: the ``"observable"`` of the first route of the model whose
  ``evaluate`` applies at these values (random-features: the closed form, Zhang 2024,
  arXiv:2405.19398, Eq. 104; ridge: its deterministic equivalent), ``None`` when there is none;
* the ``pull`` ``(mean - theory) / stderr`` (the theory is the planar limit: finite-size
  corrections are O(1/N), so pulls grow with the number of trials at fixed sizes).

**Grid.**  :func:`grid` takes an axis of values for any parameters -- a list, or a text in the
grammar of :func:`read_axis` (``"100 200 400"``, ``"200:800:4"``, ``"1e-6:1e1:40log"``) -- and the
ridges, and forms every combination (the last parameter varies fastest, the ridge fastest of all).
:func:`sweep_point` makes one point, so any list of points can be swept.

**Seeding rule.**  A sweep with seed ``s`` simulates point ``p`` with the seed
:func:`point_seed` ``(model, p, s)``: 63 bits of ``SeedSequence([s mod 2^32, s div 2^32, h_1..h_8])``
where ``h_1..h_8`` are the 32-bit words of the SHA-256 of the model's name and the exact values of
its parameters -- not the ridge.  Trial ``i`` of the point draws from
``SeedSequence(point_seed).spawn(trials)[i]``, the rule of
:func:`diagrams.analysis.simulate.simulate`, so ``simulate(model, values, gamma, trials=trials,
seed=row["seed"])`` reproduces a row (exactly, when its BLAS runs on one thread as the sweep's
tasks do: see :func:`simulate_trials`).  Hence

* a row does not depend on the executor, the number of workers, how the trials are split into
  tasks, the order in which points finish, or which other points are in the sweep;
* all ridges of one parameter point use the same draws (common random numbers): a curve against
  the ridge is smooth, and differences between ridges are not blurred by independent draws.

**Execution.**  :func:`run_sweep` with ``executor="dask"`` (the default) submits each point's
trials as tasks of ``trials_per_task`` trials (:func:`simulate_trials`) and one theory task per
parameter point (:func:`planar_theory`) to a ``dask.distributed`` cluster: a ``LocalCluster`` of
``workers`` processes (default: the number of cores, one thread each), or the existing cluster at
``scheduler="tcp://host:port"`` (or a ``client``).  When a worker dies its tasks are run again on
another worker; since every trial's draws are fixed by its seed the numbers do not change.
``executor="serial"`` runs the same tasks in this process one after another, without Dask.

**Table and resuming.**  Rows are appended to ``out`` (``.csv``, ``.parquet`` or ``.pq``; see
:mod:`diagrams.analysis.sweep_table`) as points finish.  Points already in ``out`` -- matched by their
parameter and ``gamma`` columns -- are not computed again, so a sweep that was interrupted (killed,
Ctrl-C, a lost cluster) completes when it is run again.  At the end the file is rewritten with the
rows in grid order (rows of other points that were already in the file first).

**Columns**, in this order: ``model``; one per integer and number parameter (``N``, ``T``,
``sigma_u2``, ...); for a spectrum given as a power law ``lambda_I = lambda_+ I^-(1+alpha)`` its
``alpha`` and ``lambda_plus`` (named after the power-law flags, e.g. ``alpha_test``), for a spectrum
given as a list its eigenvalues as exact fractions (``"1,1/2,1/4"``; beyond 64 values a SHA-256
digest); the size of every space set by a spectrum (``M``); then ``gamma``, ``mean``, ``stderr``
(``nan`` for one trial), ``trials``, ``theory`` (empty/null without a route), ``pull`` (empty when
it is undefined) and ``seed`` (the point's seed).  A spectrum that is left at its default (the test
spectrum equal to the train one) has no columns.  A point whose simulated observable is not finite
(a numerically singular resolvent) has ``mean = stderr = nan``.

>>> from diagrams.models.registry import load_model
>>> ridge = load_model("ridge")
>>> points = grid(ridge, {"T": "10 20", "spectrum": [[1, "1/2", "1/4"]]}, "0.1 1")
>>> len(points), points[0].values["T"], points[1].gamma
(4, 10, Fraction(1, 1))
>>> table = run_sweep(ridge, points, trials=3, seed=0, executor="serial")
>>> [(r["T"], r["gamma"], r["trials"]) for r in table.rows]
[(10, 0.1, 3), (10, 1.0, 3), (20, 0.1, 3), (20, 1.0, 3)]
>>> table.columns
['model', 'T', 'That', 'spectrum', 'sigma_w2', 'C', 'M', 'gamma', 'mean', 'stderr', 'trials', 'theory', 'pull', 'seed']
>>> from diagrams.analysis.simulate import simulate
>>> r = table.rows[2]
>>> simulate(ridge, points[2].values, 0.1, trials=3, seed=r["seed"]).mean == r["mean"]
True
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import math
import os
import re
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Mapping, Sequence

import numpy as np

from diagrams.analysis.simulate import MAX_TRIALS, draw_matrices, evaluate_observable
from diagrams.analysis.sweep_table import TableFile
from diagrams.engine.numbers import fraction_text, read_fraction, read_integer, read_real, split_list
from diagrams.models.declaration import Model, PowerLaw
from diagrams.models.registry import SHIPPED, load_model

__all__ = [
    "SweepPoint", "SweepResult", "read_axis", "sweep_point", "grid", "point_seed", "theory_route",
    "planar_theory", "simulate_trials", "table_columns", "run_sweep", "MAX_POINTS", "MAX_AXIS", "MAX_WORKERS",
    "RESULT_COLUMNS",
]

#: Most values one axis (or the ridges) may have.
MAX_AXIS = 100000
#: Most points one sweep may have.
MAX_POINTS = 1000000
#: Most workers of a LocalCluster.
MAX_WORKERS = 1024
#: The result columns after the parameters, with their kinds.
RESULT_COLUMNS = [("gamma", "float"), ("mean", "float"), ("stderr", "float"), ("trials", "int"),
                  ("theory", "float"), ("pull", "float"), ("seed", "int")]
#: Longest spectrum written out in full in its column (longer ones by a digest).
_SPECTRUM_TEXT = 64


# ------------------------------------------------------------------------------------ axes and points

_RANGE = re.compile(r"^\s*([^:]+):([^:]+):\s*(\d+)\s*(log)?\s*$")


def _round_half_up(x) -> int:
    return math.floor(x + Fraction(1, 2)) if isinstance(x, Fraction) else int(math.floor(x + 0.5))


def read_axis(text, name: str, *, integer: bool = False) -> list:
    """The values of one sweep axis, from text.

    Grammar (the same as ``--gamma``):

    * one value or a list, separated by commas and/or spaces: ``"100"``, ``"100 200 400"``,
      ``"1/2,1,2"``;
    * ``lo:hi:n`` -- ``n`` evenly spaced values from ``lo`` to ``hi`` (both included; exact
      fractions);
    * ``lo:hi:nlog`` -- ``n`` values evenly spaced in ``log`` (``lo > 0``; the end points exact, the
      others the nearest double, as exact fractions).

    For an **integer** parameter (``integer=True``) a range's values are rounded to the nearest
    integer (halves up) and repeated values dropped, so ``10:1000:5log`` is ``10, 32, 100, 316, 1000``
    and ``1:3:5`` is ``1, 2, 3``; the end points must be integers.  The values are checked against
    the parameter's range later, when points are made (:func:`sweep_point`).

    Parameters
    ----------
    text : str
        The axis.
    name : str
        The parameter (or flag) named in error messages.
    integer : bool
        Whether the parameter is an integer.

    Returns
    -------
    list
        ``int`` values (integer parameters) or ``fractions.Fraction``.

    Raises
    ------
    ValueError
        Not a list or a range, ``hi < lo``, a log range with ``lo <= 0``, more than
        :data:`MAX_AXIS` values.

    Examples
    --------
    >>> read_axis("200:800:4", "T", integer=True)
    [200, 400, 600, 800]
    >>> read_axis("10:1000:5log", "N", integer=True)
    [10, 32, 100, 316, 1000]
    >>> read_axis("0:1:3", "sigma")
    [Fraction(0, 1), Fraction(1, 2), Fraction(1, 1)]
    >>> [float(g) for g in read_axis("1e-2:1:3log", "gamma")]
    [0.01, 0.10000000000000002, 1.0]
    >>> read_axis("5:1:3", "N", integer=True)
    Traceback (most recent call last):
    ...
    ValueError: N: a range lo:hi:n needs lo <= hi, got '5:1:3'
    """
    if not isinstance(text, str):
        raise ValueError(f"{name}: expected text such as '100 200' or '100:800:4', got {text!r}")
    m = _RANGE.match(text)
    if not m:
        items = split_list(text, name)
        if len(items) > MAX_AXIS:
            raise ValueError(f"{name}: at most {MAX_AXIS} values, got {len(items)}")
        return [read_integer(v, name) if integer else read_fraction(v, name) for v in items]
    read = (lambda v: Fraction(read_integer(v, f"{name} (end of a range)"))) if integer else \
        (lambda v: read_fraction(v, name))
    lo, hi = read(m.group(1).strip()), read(m.group(2).strip())
    n = read_integer(m.group(3), f"{name} (number of points)", minimum=1, maximum=MAX_AXIS)
    if hi < lo:
        raise ValueError(f"{name}: a range lo:hi:n needs lo <= hi, got {text!r}")
    if n == 1:
        vals = [lo]
    elif m.group(4):
        if lo <= 0:
            raise ValueError(f"{name}: a log range lo:hi:nlog needs lo > 0, got {text!r}")
        a, b = math.log(float(lo)), math.log(float(hi))
        inner = [math.exp(a + (b - a) * i / (n - 1)) for i in range(1, n - 1)]
        vals = [lo] + [(_round_half_up(v) if integer else Fraction(repr(v))) for v in inner] + [hi]
    else:
        vals = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    if not integer:
        return [Fraction(v) for v in vals]
    out = []
    for v in vals:
        k = _round_half_up(Fraction(v))
        if k not in out:
            out.append(k)
    return out


def _value_text(v) -> str:
    """Exact text of a parameter value (the source of a point's seed)."""
    if isinstance(v, PowerLaw):
        return (f"power-law(alpha={fraction_text(v.alpha)}, M={v.M}, "
                f"lambda_plus={fraction_text(v.lambda_plus)})")
    if isinstance(v, (list, tuple)):
        return ",".join(fraction_text(x) for x in v)
    if isinstance(v, Fraction):
        return fraction_text(v)
    return str(v)


@dataclass(frozen=True)
class SweepPoint:
    """One point of a sweep: validated parameter ``values``, the ridge ``gamma`` (exact) and the
    ``identity`` text of the parameter values (what the point's seed is derived from)."""

    values: dict = field(compare=False)
    gamma: Fraction
    identity: str


def _all(model: Model) -> list[str]:
    return [p.name for p in model.parameters]


def sweep_point(model: Model, values: Mapping, gamma) -> SweepPoint:
    """A sweep point of ``model``: its parameter values (validated, defaults filled in) and a ridge.

    Parameters
    ----------
    model : Model
        The declared model.
    values : mapping
        Parameter name -> value (as :meth:`~diagrams.models.declaration.Model.read_values` takes
        them); every parameter without a default must be given.
    gamma : number
        The ridge, > 0 and a normal double.

    Returns
    -------
    SweepPoint

    Raises
    ------
    ValueError
        A value outside its parameter's range (the message names the parameter), a missing one, or
        a bad ridge.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> p = sweep_point(load_model("ridge"), {"T": 10, "spectrum": "1 1/2"}, "1e-3")
    >>> p.gamma, p.identity
    (Fraction(1, 1000), 'T=10; That=1; spectrum=1,1/2; sigma_w2=1; C=1')
    """
    if not isinstance(model, Model):
        raise ValueError(f"model: expected a declared Model, got {type(model).__name__}")
    vals = model.read_values(values, require=_all(model))
    g = read_fraction(gamma, "gamma", minimum=0, strict_minimum=True)
    read_real(g, "gamma", minimum=0, strict_minimum=True)
    identity = "; ".join(f"{p.name}={_value_text(vals[p.name])}" for p in model.parameters if p.name in vals)
    return SweepPoint(vals, g, identity)


def grid(model: Model, axes: Mapping, gammas) -> list[SweepPoint]:
    """Every combination of the parameter axes and the ridges, as sweep points.

    Parameters
    ----------
    model : Model
        The declared model.
    axes : mapping
        Parameter name -> its values: a sequence, or for an integer or number parameter a text in the
        grammar of :func:`read_axis`.  For a spectrum, a sequence of spectra (each a list of
        eigenvalues, a text ``"1,1/2"`` or a :class:`~diagrams.models.declaration.PowerLaw`).
        Parameters not given take their defaults.
    gammas : sequence or str
        The ridges (a sequence, or a text in the grammar of :func:`read_axis`).

    Returns
    -------
    list of SweepPoint
        In the order of the model's parameters, the last varying fastest, the ridge fastest of all.

    Raises
    ------
    ValueError
        An unknown parameter, a bad axis or value (naming the parameter), more than :data:`MAX_POINTS`
        points -- checked before any point is made.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> pts = grid(rf, {"N": "100 200", "T": "200:800:4", "spectrum": [PowerLaw(Fraction(1), 1000)]},
    ...            "1e-6:1e1:40log")
    >>> len(pts), pts[0].values["N"], pts[40].values["T"], float(pts[39].gamma)
    (320, 100, 400, 10.0)
    """
    if not isinstance(model, Model):
        raise ValueError(f"model: expected a declared Model, got {type(model).__name__}")
    if not isinstance(axes, Mapping):
        raise ValueError(f"axes: expected a mapping of parameter names to values, got {type(axes).__name__}")
    names = _all(model)
    unknown = [k for k in axes if k not in names]
    if unknown:
        raise ValueError(f"axes: {model.name} has no parameter {unknown[0]!r}; it has {', '.join(names)}")
    lists = []
    for p in model.parameters:
        if p.name not in axes:
            continue
        ax = axes[p.name]
        if isinstance(ax, str):
            if p.kind == "spectrum":
                raise ValueError(f"{p.name}: an axis of spectra is a list of spectra, e.g. [[1, '1/2']] or "
                                 f"[PowerLaw(1, 1000)]")
            ax = read_axis(ax, p.name, integer=p.kind == "integer")
        else:
            try:
                ax = list(ax)
            except TypeError:
                raise ValueError(f"{p.name}: an axis is a list of values or a text, got {ax!r}") from None
            if p.kind == "spectrum" and any(not isinstance(s, (str, PowerLaw, list, tuple, np.ndarray))
                                            for s in ax):
                raise ValueError(f"{p.name}: an axis of spectra is a list of spectra, e.g. [[1, '1/2']] or "
                                 f"[PowerLaw(1, 1000)]")
        if not ax:
            raise ValueError(f"{p.name}: the axis is empty")
        if len(ax) > MAX_AXIS:
            raise ValueError(f"{p.name}: at most {MAX_AXIS} values, got {len(ax)}")
        lists.append((p.name, ax))
    gs = read_axis(gammas, "gamma") if isinstance(gammas, str) else list(gammas)
    if not gs:
        raise ValueError("gamma: no ridge given")
    total = len(gs)
    for _, ax in lists:
        total *= len(ax)
    if total > MAX_POINTS:
        raise ValueError(f"axes: the grid has {total} points, more than {MAX_POINTS}; sweep a smaller grid")
    out = []
    for combo in itertools.product(*(ax for _, ax in lists)):
        raw = dict(zip((n for n, _ in lists), combo))
        base = sweep_point(model, raw, gs[0])
        out.append(base)
        for g in gs[1:]:
            out.append(sweep_point(model, base.values, g))
    return out


def point_seed(model: Model, point: SweepPoint, seed: int) -> int:
    """The seed of ``point`` in a sweep with seed ``seed`` (the module's seeding rule).

    >>> from diagrams.models.registry import load_model
    >>> m = load_model("ridge")
    >>> a = sweep_point(m, {"T": 10, "spectrum": "1 1/2"}, "0.1")
    >>> b = sweep_point(m, {"T": 10, "spectrum": "1 1/2"}, "10")
    >>> point_seed(m, a, 0) == point_seed(m, b, 0) != point_seed(m, a, 1)
    True
    """
    seed = read_integer(seed, "seed", minimum=0, maximum=2 ** 63 - 1)
    digest = hashlib.sha256(f"{model.name}\n{point.identity}".encode()).digest()
    words = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 32, 4)]
    state = np.random.SeedSequence([seed & 0xFFFFFFFF, seed >> 32, *words]).generate_state(2, np.uint32)
    return (int(state[0]) | (int(state[1]) << 32)) >> 1


# ------------------------------------------------------------------------------------ the tasks

def _model(model) -> Model:
    return load_model(model, who="model")


_BLAS: list = []


def _one_blas_thread():
    """A context in which BLAS and LAPACK use one thread (``threadpoolctl``).

    A task's numbers then do not depend on where it runs: a multi-threaded product may round
    differently, and Dask's workers run one BLAS thread each.  It also keeps a worker per core
    from starting a BLAS thread per core."""
    if not _BLAS:
        from threadpoolctl import ThreadpoolController

        _BLAS.append(ThreadpoolController())
    return _BLAS[0].limit(limits=1, user_api="blas")


def theory_route(model: Model, values: Mapping):
    """The first route of ``model`` with an ``evaluate`` that applies at ``values``, or ``None``."""
    m = _model(model)
    return next((r for r in m.routes if r.evaluate is not None and not r.reason_not_applicable(values)), None)


def planar_theory(model, values: Mapping, gammas: Sequence) -> list:
    """The planar value of the observable at each ridge (``None`` each when the model has no route).

    ``model``: a :class:`~diagrams.models.declaration.Model` or its name / ``file.py:NAME`` (so that a
    worker loads it itself).  ``values``: validated parameter values.  The ridges are evaluated one at
    a time, so a value does not depend on the other ridges (a vectorised evaluation may differ in the
    last bits).

    >>> from diagrams.models.registry import load_model
    >>> m = load_model("ridge")
    >>> v = m.read_values({"T": 10, "spectrum": "1 1/2"})
    >>> [round(x, 6) for x in planar_theory("ridge", v, [1, 100])]
    [0.008886, 0.320982]
    >>> planar_theory("deep-random-features", {}, [1, 2])
    [None, None]
    """
    route = theory_route(model, values)
    if route is None:
        return [None] * len(gammas)
    with _one_blas_thread():
        return [float(route.evaluate(values, [g])[0]["observable"]) for g in gammas]


def simulate_trials(model, values: Mapping, gamma, seed: int, start: int, stop: int, *,
                    exact_average: bool = True, progress: Callable[[int], None] | None = None) -> np.ndarray:
    """The observable at trials ``start .. stop-1`` of the seed ``seed`` (one task of a sweep).

    Trial ``i`` draws every Gaussian matrix from ``numpy.random.SeedSequence(seed).spawn(n)[i]``
    (for any ``n > i``), as :func:`diagrams.analysis.simulate.simulate` does, so the trials of a
    point may be split into tasks in any way.  BLAS runs on one thread here (in any process), so
    the values do not depend on where the task runs.

    Parameters
    ----------
    model : Model or str
        The model, or its name / ``file.py:NAME``.
    values : mapping
        The parameter values (every one the sizes and covariances need).
    gamma : number
        The ridge > 0.
    seed : int
        The point's seed, in ``[0, 2^63 - 1]``.
    start, stop : int
        The trials, ``0 <= start < stop``, at most :data:`~diagrams.analysis.simulate.MAX_TRIALS` of them.
    exact_average : bool
        Average the test inputs exactly (see :mod:`diagrams.analysis.simulate`).
    progress : callable, optional
        Called with 1 after each trial.

    Returns
    -------
    numpy.ndarray
        The ``stop - start`` values of the observable (not checked for finiteness).

    Examples
    --------
    >>> from diagrams.analysis.simulate import simulate
    >>> from diagrams.models.registry import load_model
    >>> m = load_model("ridge")
    >>> v = {"T": 8, "spectrum": [1, 0.5]}
    >>> parts = [simulate_trials("ridge", v, 0.1, 7, 0, 2), simulate_trials("ridge", v, 0.1, 7, 2, 5)]
    >>> bool((np.concatenate(parts) == simulate(m, v, 0.1, trials=5, seed=7).values).all())
    True
    """
    m = _model(model)
    vals = m.read_values(values, require=_all(m))
    g = read_real(gamma, "gamma", minimum=0, strict_minimum=True)
    seed = read_integer(seed, "seed", minimum=0, maximum=2 ** 63 - 1)
    start = read_integer(start, "start", minimum=0, maximum=2 ** 62)
    stop = read_integer(stop, "stop", minimum=start + 1, maximum=start + MAX_TRIALS)
    diag = {k: np.asarray(list(v), dtype=float) for k, v in m.diagonal_values(vals, exact=False).items()}
    out = np.empty(stop - start)
    for k, i in enumerate(range(start, stop)):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
        with _one_blas_thread():
            drawn = draw_matrices(m, vals, rng, diag=diag)
            out[k] = evaluate_observable(m, vals, g, drawn, exact_average=exact_average)
        if progress is not None:
            progress(1)
    return out


# ------------------------------------------------------------------------------------ the table

def _column_name(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def _shown_spectra(model: Model, points) -> set:
    """Spectra that differ from their default in some point (the others get no columns)."""
    shown = set()
    for p in model.parameters:
        if p.kind != "spectrum":
            continue
        for pt in points:
            v = pt.values.get(p.name)
            if v is None:
                continue
            if p.default is None or _value_text(v) != _value_text(pt.values.get(p.default)):
                shown.add(p.name)
                break
    return shown


def _cells(model: Model, values: Mapping, shown: set) -> list:
    """``[(column, kind, value)]`` of the parameters of one point, in column order."""
    cells: list = []
    for p in model.parameters:
        v = values.get(p.name)
        if p.kind == "integer":
            cells.append((p.name, "int", None if v is None else int(v)))
        elif p.kind == "number":
            cells.append((p.name, "float", None if v is None else float(v)))
        elif p.name in shown:
            alpha, lplus = ((_column_name(p.power_law[0]), _column_name(p.power_law[2])) if p.power_law
                            else (f"{p.name}_alpha", f"{p.name}_lambda_plus"))
            law = v if isinstance(v, PowerLaw) else None
            cells.append((alpha, "float", None if law is None else float(law.alpha)))
            cells.append((lplus, "float", None if law is None else float(law.lambda_plus)))
            text = None
            if v is not None and law is None:
                text = _value_text(v) if len(v) <= _SPECTRUM_TEXT else \
                    f"{len(v)} values, sha256 {hashlib.sha256(_value_text(v).encode()).hexdigest()[:16]}"
            cells.append((p.name, "str", text))
    sized = {p.symbol for p in model.parameters if p.kind == "integer"}
    for sp in model.spaces.values():
        if sp.size not in sized:
            try:
                n = model.size_of(sp, values)
            except ValueError:
                n = None
            cells.append((str(sp.size), "int", n))
    return cells


def table_columns(model: Model, points: Sequence[SweepPoint]) -> list[tuple[str, str]]:
    """The columns ``[(name, kind)]`` of a sweep of ``points`` (see the module docstring).

    A power-law column or a list column of a spectrum appears only when some point needs it.

    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> pts = grid(rf, {"N": [10], "T": [20], "spectrum": [PowerLaw(Fraction(1), 50)]}, [1])
    >>> [n for n, _ in table_columns(rf, pts)]    # doctest: +NORMALIZE_WHITESPACE
    ['model', 'N', 'T', 'That', 'alpha', 'lambda_plus', 'sigma_u2', 'sigma_w2', 'C', 'label_noise', 'M',
     'gamma', 'mean', 'stderr', 'trials', 'theory', 'pull', 'seed']
    """
    shown = _shown_spectra(model, points)
    used: dict = {}
    kinds: dict = {}
    for pt in points:
        for name, kind, value in _cells(model, pt.values, shown):
            kinds.setdefault(name, kind)
            if value is not None:
                used[name] = True
            else:
                used.setdefault(name, False)
    spectra_cols = set()
    for p in model.parameters:
        if p.name in shown:
            alpha, lplus = ((_column_name(p.power_law[0]), _column_name(p.power_law[2])) if p.power_law
                            else (f"{p.name}_alpha", f"{p.name}_lambda_plus"))
            spectra_cols |= {alpha, lplus, p.name}
    cols = [("model", "str")]
    for name, kind in kinds.items():
        if name in spectra_cols and not used[name]:
            continue
        cols.append((name, kind))
    names = [n for n, _ in cols]
    clash = [n for n in names if n in {c for c, _ in RESULT_COLUMNS}]
    if clash:
        raise ValueError(f"model: the parameter column {clash[0]!r} has the name of a result column")
    return cols + RESULT_COLUMNS


def _parameter_row(model: Model, point: SweepPoint, shown: set, names: set) -> dict:
    row: dict = {"model": model.name}
    for name, _, value in _cells(model, point.values, shown):
        if name not in names:
            continue
        if name in row and value is None:
            continue
        if name in row and row[name] is not None and row[name] != value:
            raise ValueError(f"{name}: two spectra of {model.name} share the column {name} but differ in it "
                             f"({row[name]} and {value}); give them the same value")
        row[name] = value
    row["gamma"] = float(point.gamma)
    return row


# ------------------------------------------------------------------------------------ running

@dataclass
class SweepResult:
    """The table of a sweep and what this run did.

    ``columns``: the column names; ``rows``: one dict per point of the sweep, in grid order (rows read
    from the file included); ``computed``: points simulated by this run; ``skipped``: points found
    in the table file; ``tasks``: tasks run (simulation chunks and theory evaluations); ``workers``:
    worker processes (0: serial); ``elapsed``: seconds.  :meth:`trial_values` gives the per-trial
    values of a point computed by this run with ``keep_values=True``.
    """

    columns: list
    rows: list
    computed: int = 0
    skipped: int = 0
    tasks: int = 0
    workers: int = 0
    elapsed: float = 0.0
    keys: list = field(default_factory=list, repr=False)
    values: dict = field(default_factory=dict, repr=False)

    def row(self, point: SweepPoint) -> dict:
        """The row of ``point``."""
        key = (point.identity, float(point.gamma))
        for k, r in zip(self.keys, self.rows):
            if k == key:
                return r
        raise ValueError(f"point: not in this sweep ({point.identity}, gamma={float(point.gamma)})")

    def trial_values(self, point: SweepPoint) -> np.ndarray:
        """The per-trial values of ``point`` (only for points computed with ``keep_values=True``)."""
        key = (point.identity, float(point.gamma))
        if key not in self.values:
            raise ValueError("point: its trial values were not kept (run_sweep(..., keep_values=True), and "
                             "only for points computed by that run)")
        return self.values[key]

    def column(self, name: str) -> np.ndarray:
        """One column as an array (``None`` as ``nan`` in numeric columns)."""
        if name not in self.columns:
            raise ValueError(f"name: no column {name!r}; columns: {', '.join(self.columns)}")
        vals = [r[name] for r in self.rows]
        if all(v is None or isinstance(v, (int, float)) for v in vals):
            return np.array([np.nan if v is None else v for v in vals], dtype=float)
        return np.array(vals, dtype=object)


def _summary_row(base: dict, values: np.ndarray, theory, seed: int) -> dict:
    trials = len(values)
    if np.all(np.isfinite(values)):
        mean = float(values.mean())
        stderr = float(values.std(ddof=1) / math.sqrt(trials)) if trials > 1 else float("nan")
    else:
        mean = stderr = float("nan")
    pull = None
    if theory is not None and math.isfinite(theory) and math.isfinite(stderr) and stderr > 0:
        pull = (mean - theory) / stderr
    return {**base, "mean": mean, "stderr": stderr, "trials": trials, "theory": theory, "pull": pull,
            "seed": seed}


def _model_ref(model: Model, spec):
    """What a task receives to find the model: a shipped name or ``file.py:NAME``, else the object."""
    if isinstance(spec, str):
        return spec
    if model.name in SHIPPED and load_model(model.name) is model:
        return model.name
    return model


def _chunks(trials: int, per_task: int) -> list[tuple[int, int]]:
    return [(a, min(a + per_task, trials)) for a in range(0, trials, per_task)]


@dataclass
class _Job:
    index: int
    point: SweepPoint
    base: dict
    seed: int
    key: tuple


def run_sweep(model, points: Sequence[SweepPoint], *, trials: int, seed: int = 0, out=None,
              executor: str = "dask", workers: int | None = None, scheduler: str | None = None, client=None,
              trials_per_task: int | None = None, exact_average: bool = True, theory: bool = True,
              keep_values: bool = False, progress=None, flush_interval: float = 1.0) -> SweepResult:
    """Simulate every point (and evaluate its planar theory), appending rows to ``out`` as points finish.

    Parameters
    ----------
    model : Model or str
        The model, or its name / ``file.py:NAME`` (workers load it by that; a model that is neither
        shipped nor named by a file is sent to the workers pickled).
    points : sequence of SweepPoint
        From :func:`grid` or :func:`sweep_point`; repeated points are swept once.
    trials : int
        Trials per point, in ``[1, MAX_TRIALS]``.
    seed : int
        The sweep's seed in ``[0, 2^63 - 1]`` (each point's seed follows from it, see the module).
    out : str or Path, optional
        The table file (``.csv``, ``.parquet``, ``.pq``): rows are appended as points finish, and
        points already in it are skipped.  ``None``: no file.
    executor : {"dask", "serial"}
        ``"dask"``: tasks on a ``dask.distributed`` cluster; ``"serial"``: in this process.
    workers : int, optional
        Dask only: processes of the ``LocalCluster`` started for this sweep (default: the number of
        cores; at most :data:`MAX_WORKERS`).
    scheduler : str, optional
        Dask only: the address ``tcp://host:port`` of an existing cluster's scheduler (the workers
        must be able to import ``diagrams``).
    client : distributed.Client, optional
        Dask only: an existing client to submit to (not closed at the end).
    trials_per_task : int, optional
        Trials per simulation task (default: enough tasks for about 8 per worker, at least 1 trial).
    exact_average : bool
        Average the test inputs exactly (see :mod:`diagrams.analysis.simulate`).
    theory : bool
        Evaluate the planar theory (``False``: the column is empty).
    keep_values : bool
        Keep each computed point's per-trial values (:meth:`SweepResult.trial_values`).
    progress : bool or callable, optional
        ``True``: a :class:`~diagrams.engine.progress.Progress` bar on stderr counting trials; a
        callable: called with the number of trials just done.
    flush_interval : float
        Parquet: the longest time between two writes of the file.

    Returns
    -------
    SweepResult

    Raises
    ------
    ValueError
        Bad arguments, a table file of another sweep (other columns, model, trials or seed for the
        same point), an unreachable scheduler, or an error of a task (e.g. a value the model refuses).
    RuntimeError
        A task killed its worker too often (``distributed``'s ``allowed-failures``).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> m = load_model("ridge")
    >>> pts = grid(m, {"T": [6], "spectrum": [[1, 0.5]]}, [0.1, 1])
    >>> a = run_sweep(m, pts, trials=4, seed=3, executor="serial")
    >>> b = run_sweep(m, pts, trials=4, seed=3, executor="serial", trials_per_task=1)
    >>> a.rows == b.rows, a.computed, a.tasks, b.tasks
    (True, 2, 3, 9)
    """
    started = time.monotonic()
    spec = model if isinstance(model, str) else None
    m = _model(model)
    trials = read_integer(trials, "trials", minimum=1, maximum=MAX_TRIALS)
    seed = read_integer(seed, "seed", minimum=0, maximum=2 ** 63 - 1)
    if executor not in ("dask", "serial"):
        raise ValueError(f"executor: must be 'dask' or 'serial', got {executor!r}")
    if executor == "serial" and (scheduler is not None or client is not None or workers not in (None, 0)):
        raise ValueError("executor: 'serial' takes no workers, scheduler or client")
    if workers is not None and executor == "dask":
        workers = read_integer(workers, "workers", minimum=1, maximum=MAX_WORKERS)
    if scheduler is not None and (not isinstance(scheduler, str) or "://" not in scheduler):
        raise ValueError(f"scheduler: the address of a Dask scheduler, e.g. tcp://127.0.0.1:8786, got {scheduler!r}")
    if trials_per_task is not None:
        trials_per_task = read_integer(trials_per_task, "trials_per_task", minimum=1, maximum=MAX_TRIALS)
    points = list(points)
    if any(not isinstance(p, SweepPoint) for p in points):
        raise ValueError("points: expected SweepPoint objects (from grid or sweep_point)")
    if len(points) > MAX_POINTS:
        raise ValueError(f"points: at most {MAX_POINTS}, got {len(points)}")

    columns = table_columns(m, points)
    names = [n for n, _ in columns]
    shown = _shown_spectra(m, points)
    param_names = names[1:names.index("gamma") + 1]
    jobs: list[_Job] = []
    seen = set()
    for pt in points:
        key = (pt.identity, float(pt.gamma))
        if key in seen:
            continue
        seen.add(key)
        base = _parameter_row(m, pt, shown, set(names))
        jobs.append(_Job(len(jobs), pt, base, point_seed(m, pt, seed), key))

    table = TableFile(out, columns, interval=flush_interval) if out is not None else None
    done: dict = {}                       # job index -> row
    extra: list = []                      # rows of the file that are not points of this sweep
    if table is not None:
        by_cells = {tuple(j.base[n] for n in param_names): j for j in jobs}
        for r in table.rows:
            if r["model"] != m.name:
                raise ValueError(f"out: {table.path} holds rows of the model {r['model']!r}, not {m.name!r}; "
                                 "write to another file")
            j = by_cells.get(tuple(r[n] for n in param_names))
            if j is None:
                extra.append(r)
                continue
            if r["trials"] != trials or r["seed"] != j.seed:
                raise ValueError(f"out: {table.path} already has the point {j.point.identity}, gamma="
                                 f"{float(j.point.gamma):g} with {r['trials']} trials and seed {r['seed']}; this "
                                 f"sweep asks {trials} trials with seed {j.seed} (sweep seed {seed}); use the same "
                                 "trials and seed, or another file")
            done[j.index] = r
    pending = [j for j in jobs if j.index not in done]
    result = SweepResult(names, [], skipped=len(done), keys=[j.key for j in jobs])

    bar = None
    if progress is True:
        from diagrams.engine.progress import Progress

        bar = Progress(total=trials * len(pending), desc="sweep", unit="trial")
        tick = bar
    elif callable(progress):
        tick = progress
    else:
        tick = None

    def finish(job: _Job, values: np.ndarray, th) -> None:
        row = _summary_row(job.base, values, th, job.seed)
        done[job.index] = row
        if keep_values:
            result.values[job.key] = values
        if table is not None:
            table.append(row)
        result.computed += 1

    ref = _model_ref(m, spec)
    try:
        if not pending:
            pass
        elif executor == "serial":
            result.tasks = _run_serial(m, pending, trials, trials_per_task, exact_average, theory, tick, finish)
        else:
            result.tasks, result.workers = _run_dask(ref, pending, trials, trials_per_task, exact_average, theory,
                                                     tick, finish, workers, scheduler, client)
    finally:
        if bar is not None:
            bar.close()
        if table is not None:
            table.close()
    result.rows = [done[j.index] for j in jobs]
    if table is not None and table.rows != extra + result.rows:
        table.rewrite(extra + result.rows)
    result.elapsed = time.monotonic() - started
    return result


def _groups(pending: list[_Job]) -> dict:
    """Parameter point -> its pending jobs (one theory evaluation each)."""
    groups: dict = {}
    for j in pending:
        groups.setdefault(j.point.identity, []).append(j)
    return groups


def _run_serial(m, pending, trials, per_task, exact_average, theory, tick, finish) -> int:
    groups = _groups(pending)
    tasks = 0
    theories: dict = {}
    for j in pending:
        gid = j.point.identity
        if gid not in theories:
            gammas = [x.point.gamma for x in groups[gid]]
            theories[gid] = dict(zip(gammas, planar_theory(m, j.point.values, gammas) if theory
                                     else [None] * len(gammas)))
            tasks += int(theory)
        parts = []
        for a, b in _chunks(trials, per_task or trials):
            parts.append(simulate_trials(m, j.point.values, j.point.gamma, j.seed, a, b,
                                         exact_average=exact_average, progress=tick))
            tasks += 1
        finish(j, np.concatenate(parts), theories[gid][j.point.gamma])
    return tasks


def _token(*parts) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:24]


def _connect(workers, scheduler):
    """``(client, cluster)``: a client of the scheduler at ``scheduler``, or of a new LocalCluster."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"scheduler: cannot connect to {scheduler}: {exc}") from None
    n = workers or os.cpu_count() or 1
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    return Client(cluster), cluster


def _run_dask(ref, pending, trials, per_task, exact_average, theory, tick, finish, workers, scheduler,
              client) -> tuple[int, int]:
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    cluster = None
    own = client is None
    if own:
        client, cluster = _connect(workers, scheduler)
    futures = []
    try:
        slots = max(1, sum(client.nthreads().values()))
        if per_task is None:
            per_point = min(trials, max(1, math.ceil(8 * slots / len(pending))))
            per_task = math.ceil(trials / per_point)
        chunks = _chunks(trials, per_task)
        groups = _groups(pending)
        fp = ref if isinstance(ref, str) else ref.fingerprint()
        what: dict = {}
        theories: dict = {}
        waiting_theory: dict = {}
        for gid, jobs in groups.items():
            gammas = [j.point.gamma for j in jobs]
            if theory:
                f = client.submit(planar_theory, ref, jobs[0].point.values, gammas, priority=1, pure=False,
                                  key=f"sweep-theory-{_token(fp, gid, *gammas)}")
                futures.append(f)
                what[f.key] = ("theory", gid)
                waiting_theory[gid] = jobs
            else:
                theories[gid] = dict.fromkeys(gammas)
        parts: dict = {}
        for j in pending:
            parts[j.index] = {}
            for a, b in chunks:
                f = client.submit(simulate_trials, ref, j.point.values, j.point.gamma, j.seed, a, b,
                                  exact_average=exact_average, pure=False,
                                  key=f"sweep-trials-{_token(fp, j.point.identity, j.point.gamma, j.seed, exact_average)}"
                                      f"-{a}-{b}")
                futures.append(f)
                what[f.key] = ("trials", j, a)
        by_index = {j.index: j for j in pending}
        ready = set()                    # job indices with all their trials

        def complete(j):
            vals = np.concatenate([parts[j.index][a] for a, _ in chunks])
            del parts[j.index]
            finish(j, vals, theories[j.point.identity][j.point.gamma])

        tasks = 0
        try:
            for fut, res in as_completed(futures, with_results=True):
                tasks += 1
                tag = what[fut.key]
                fut.release()
                if tag[0] == "theory":
                    gid = tag[1]
                    theories[gid] = dict(zip((j.point.gamma for j in waiting_theory[gid]), res))
                    for j in waiting_theory.pop(gid):
                        if j.index in ready:
                            complete(j)
                    continue
                _, j, a = tag
                parts[j.index][a] = res
                if tick is not None:
                    tick(len(res))
                if len(parts[j.index]) == len(chunks):
                    if j.point.identity in theories:
                        complete(j)
                    else:
                        ready.add(j.index)
        except KilledWorker as exc:
            raise RuntimeError(f"sweep: a task killed its worker too many times ({exc}); out of memory? The "
                               "finished points are in the table; run the sweep again to resume") from None
        del by_index
        return tasks, len(client.nthreads())
    finally:
        if futures:
            client.cancel(futures)
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
