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

**Grid** (:mod:`diagrams.analysis.sweep_points`).  :func:`grid` takes an axis of values for any
parameters -- a list, or a text in the grammar of :func:`read_axis` (``"100 200 400"``,
``"200:800:4"``, ``"1e-6:1e1:40log"``) -- and the ridges, and forms every combination (the last
parameter varies fastest, the ridge fastest of all).  :func:`sweep_point` makes one point, so any
list of points can be swept.

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
parameter point (:func:`planar_theory`) to a ``dask.distributed`` cluster
(:mod:`diagrams.analysis.sweep_tasks`): a ``LocalCluster`` of ``workers`` processes (default: the
number of cores, one thread each), or the existing cluster at ``scheduler="tcp://host:port"`` (or
a ``client``).  When a worker dies its tasks are run again on
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
import math
import time
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from diagrams.analysis.simulate import MAX_TRIALS
from diagrams.analysis.sweep_points import (MAX_AXIS, MAX_POINTS, SweepPoint, grid, point_seed, read_axis,
                                            sweep_point, value_text)
from diagrams.analysis.sweep_table import TableFile
from diagrams.analysis.sweep_tasks import (MAX_WORKERS, planar_theory, run_dask, run_serial, simulate_trials,
                                           theory_route)
from diagrams.engine.numbers import read_integer
from diagrams.models.declaration import Model, PowerLaw
from diagrams.models.registry import SHIPPED, load_model

__all__ = [
    "SweepPoint", "SweepResult", "read_axis", "sweep_point", "grid", "point_seed", "theory_route",
    "planar_theory", "simulate_trials", "table_columns", "run_sweep", "MAX_POINTS", "MAX_AXIS", "MAX_WORKERS",
    "RESULT_COLUMNS",
]

#: The result columns after the parameters, with their kinds.
RESULT_COLUMNS = [("gamma", "float"), ("mean", "float"), ("stderr", "float"), ("trials", "int"),
                  ("theory", "float"), ("pull", "float"), ("seed", "int")]
#: Longest spectrum written out in full in its column (longer ones by a digest).
_SPECTRUM_TEXT = 64


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
            if p.default is None or value_text(v) != value_text(pt.values.get(p.default)):
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
                text = value_text(v) if len(v) <= _SPECTRUM_TEXT else \
                    f"{len(v)} values, sha256 {hashlib.sha256(value_text(v).encode()).hexdigest()[:16]}"
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
    """The columns of the table of a sweep of some points of a declared model, with their kinds.

    The order is described in the module docstring.  A power-law column or a list column of a
    spectrum appears only when some point needs it.

    Parameters
    ----------
    model : Model
        The declared model.
    points : sequence of SweepPoint
        The points of the sweep.

    Returns
    -------
    list of (str, str)
        ``[(name, kind)]``, ``kind`` one of ``"int"``, ``"float"``, ``"str"``: ``model``, the parameter
        columns, then :data:`RESULT_COLUMNS`.

    Raises
    ------
    ValueError
        If a parameter column has the name of a result column.

    Examples
    --------
    >>> from fractions import Fraction
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
    """The table of a parameter sweep and what this run did, as returned by :func:`run_sweep`.

    :meth:`row` gives the row of a point, :meth:`column` one column as an array, and
    :meth:`trial_values` the per-trial values of a point computed by this run with
    ``keep_values=True``.

    Parameters
    ----------
    columns : list of str
        The column names.
    rows : list of dict
        One dict per point of the sweep, in grid order (rows read from the file included).
    computed : int, optional
        Points simulated by this run.
    skipped : int, optional
        Points found in the table file.
    tasks : int, optional
        Tasks run (simulation chunks and theory evaluations).
    workers : int, optional
        Worker processes (0: serial).
    elapsed : float, optional
        Seconds.
    keys : list, optional
        ``(identity, gamma)`` of each row, in the order of ``rows`` (filled by :func:`run_sweep`).
    values : dict, optional
        ``(identity, gamma)`` -> per-trial values, for points kept with ``keep_values=True``.

    Raises
    ------
    ValueError
        From :meth:`row` for a point not in the sweep, from :meth:`trial_values` for a point whose
        trial values were not kept, and from :meth:`column` for an unknown column.

    Examples
    --------
    >>> res = SweepResult(["gamma", "mean", "theory"], [{"gamma": 0.1, "mean": 1.5, "theory": None},
    ...                                                 {"gamma": 1.0, "mean": 0.5, "theory": 0.4}])
    >>> res.column("theory")
    array([nan, 0.4])
    >>> res.column("pull")
    Traceback (most recent call last):
    ...
    ValueError: name: no column 'pull'; columns: gamma, mean, theory
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
    _index: dict = field(default_factory=dict, repr=False)

    def row(self, point: SweepPoint) -> dict:
        """The row of ``point``."""
        if len(self._index) != len(self.keys):
            self._index.update(zip(self.keys, range(len(self.keys))))
        i = self._index.get((point.identity, float(point.gamma)))
        if i is None:
            raise ValueError(f"point: not in this sweep ({point.identity}, gamma={float(point.gamma)})")
        return self.rows[i]

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
    m = load_model(model, who="model")
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
            result.tasks = run_serial(m, pending, trials, trials_per_task, exact_average, theory, tick, finish)
        else:
            result.tasks, result.workers = run_dask(ref, pending, trials, trials_per_task, exact_average, theory,
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


