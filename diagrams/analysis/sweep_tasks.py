r"""The tasks of a parameter sweep, and the two ways of running them: serially, or on a Dask cluster.

* :func:`simulate_trials` -- trials ``start .. stop-1`` of a point's seed (a simulation task);
* :func:`planar_theory` -- the planar value of the observable at a point's ridges (a theory task),
  from the first applicable route (:func:`theory_route`);
* :func:`run_serial` and :func:`run_dask` -- every task of a list of jobs, in this process or on a
  ``dask.distributed`` cluster, handing each finished point to a callback.

A task receives the model as a shipped name or ``file.py:NAME`` when it has one (a worker loads it
itself) and computes with one BLAS thread, so its numbers do not depend on where it runs.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
from typing import Callable, Mapping, Sequence

import numpy as np

from diagrams.analysis.simulate import MAX_TRIALS, draw_matrices, evaluate_observable
from diagrams.engine.numbers import read_integer, read_real
from diagrams.models.declaration import Model
from diagrams.models.registry import load_model

__all__ = ["theory_route", "planar_theory", "simulate_trials", "run_serial", "run_dask", "MAX_WORKERS"]

#: Most workers of a LocalCluster.
MAX_WORKERS = 1024


def _all(model: Model) -> list[str]:
    return [p.name for p in model.parameters]


def _chunks(trials: int, per_task: int) -> list[tuple[int, int]]:
    return [(a, min(a + per_task, trials)) for a in range(0, trials, per_task)]


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
    """The route that evaluates the planar observable of a model at given parameter values.

    A declared closed form that applies at ``values``, else the planar Dyson equation
    (:func:`diagrams.analysis.routes.planar_route`).

    Parameters
    ----------
    model : Model or str
        The model, or its name / ``file.py:NAME``.
    values : mapping
        Validated parameter values.

    Returns
    -------
    Route or None
        The route (:class:`~diagrams.models.declaration.Route`), ``None`` when the model has none.

    Raises
    ------
    ValueError
        If ``model`` is a text naming no model (:func:`~diagrams.models.registry.load_model`).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> theory_route(rf, rf.read_values({"N": 4, "T": 6, "spectrum": "1 1/2"})).name
    'closed form, Eq. (104)'
    >>> ridge = load_model("ridge")
    >>> theory_route("ridge", ridge.read_values({"T": 10, "spectrum": "1 1/2"})).name
    'deterministic equivalent (R2)'
    """
    from diagrams.analysis.routes import planar_route

    return planar_route(_model(model), values)


def planar_theory(model, values: Mapping, gammas: Sequence) -> list:
    """The planar (large-N) value of a model's observable at each of some ridges, one theory task.

    The ridges are evaluated one at a time, with one BLAS thread, so a value does not depend on the
    other ridges (a vectorised evaluation may differ in the last bits) nor on where the task runs.
    The route is :func:`theory_route`.

    Parameters
    ----------
    model : Model or str
        A :class:`~diagrams.models.declaration.Model` or its name / ``file.py:NAME`` (so that a
        worker loads it itself).
    values : mapping
        Validated parameter values.
    gammas : sequence
        The ridges.

    Returns
    -------
    list
        One ``float`` per ridge; ``None`` each when the model has no route.

    Raises
    ------
    ValueError
        If ``model`` is a text naming no model.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> m = load_model("ridge")
    >>> v = m.read_values({"T": 10, "spectrum": "1 1/2"})
    >>> [round(x, 6) for x in planar_theory("ridge", v, [1, 100])]
    [0.008886, 0.320982]
    >>> d = load_model("deep-random-features")
    >>> [round(x, 6) for x in planar_theory("deep-random-features", d.read_values({"N": 4, "N1": 5, "T": 6, "spectrum": "1 1/2"}), [1])]
    [0.046391]
    """
    route = theory_route(model, values)
    if route is None:
        return [None] * len(gammas)
    with _one_blas_thread():
        return [float(route.evaluate(values, [g])[0]["observable"]) for g in gammas]


def simulate_trials(model, values: Mapping, gamma, seed: int, start: int, stop: int, *,
                    exact_average: bool = True, progress: Callable[[int], None] | None = None) -> np.ndarray:
    """The observable at trials ``start`` to ``stop - 1`` of the seed ``seed`` (one task of a sweep).

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


def _groups(pending: list) -> dict:
    """Parameter point -> its pending jobs (one theory evaluation each)."""
    groups: dict = {}
    for j in pending:
        groups.setdefault(j.point.identity, []).append(j)
    return groups


def run_serial(model, jobs, trials: int, trials_per_task: int | None, exact_average: bool, theory: bool,
               tick: Callable | None, finish: Callable) -> int:
    """Run the simulation and theory tasks of a sweep's jobs in this process, one after another.

    Each parameter point gets one theory task (:func:`planar_theory`, for all its ridges, when
    ``theory``), and each job its trials in tasks of ``trials_per_task`` (:func:`simulate_trials`).

    Parameters
    ----------
    model : Model or str
        The model, or its name / ``file.py:NAME``.
    jobs : sequence
        Objects with ``point`` (a :class:`~diagrams.analysis.sweep_points.SweepPoint`) and ``seed``
        (the point's seed, :func:`~diagrams.analysis.sweep_points.point_seed`).
    trials : int
        Trials per point.
    trials_per_task : int or None
        Trials per simulation task (``None``: all of a point's trials in one).
    exact_average : bool
        Average the test inputs exactly (see :mod:`diagrams.analysis.simulate`).
    theory : bool
        Whether to evaluate the planar theory (else it is ``None``).
    tick : callable or None
        Called as ``tick(1)`` after each trial.
    finish : callable
        Called as ``finish(job, values, theory)`` when a job's trials are done: ``values`` the array of
        its ``trials`` values, ``theory`` its planar value (or ``None``).

    Returns
    -------
    int
        The number of tasks run (simulation chunks and theory evaluations).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from diagrams.models.registry import load_model
    >>> from diagrams.analysis.sweep_points import sweep_point, point_seed
    >>> m = load_model("ridge")
    >>> pts = [sweep_point(m, {"T": 6, "spectrum": "1 1/2"}, g) for g in ("0.1", "1")]
    >>> jobs = [SimpleNamespace(point=p, seed=point_seed(m, p, 0), index=i) for i, p in enumerate(pts)]
    >>> done = []
    >>> def finish(job, values, theory):
    ...     done.append((float(job.point.gamma), len(values), round(theory, 6)))
    >>> run_serial("ridge", jobs, 4, 2, True, True, None, finish)
    5
    >>> done
    [(0.1, 4, 0.000606), (1.0, 4, 0.024932)]
    """
    groups = _groups(jobs)
    tasks = 0
    theories: dict = {}
    for j in jobs:
        gid = j.point.identity
        if gid not in theories:
            gammas = [x.point.gamma for x in groups[gid]]
            theories[gid] = dict(zip(gammas, planar_theory(model, j.point.values, gammas) if theory
                                     else [None] * len(gammas)))
            tasks += int(theory)
        parts = []
        for a, b in _chunks(trials, trials_per_task or trials):
            parts.append(simulate_trials(model, j.point.values, j.point.gamma, j.seed, a, b,
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
    # no dashboard, and the scheduler's HTTP endpoint on a free local port (not 8787, which may be taken)
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                           scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                           silence_logs=logging.ERROR)
    return Client(cluster), cluster


def run_dask(ref, jobs, trials: int, trials_per_task: int | None, exact_average: bool, theory: bool,
             tick: Callable | None, finish: Callable, workers: int | None, scheduler: str | None,
             client) -> tuple[int, int]:
    """Run the simulation and theory tasks of a sweep's jobs on a Dask cluster.

    The cluster is ``client``'s, else the one of ``scheduler``, else a new ``LocalCluster`` of
    ``workers`` processes (one thread each; closed at the end).  Theory tasks have priority; a job is
    finished when its trials and its parameter point's theory are in.  Unfinished tasks are
    cancelled on the way out.

    Parameters
    ----------
    ref : Model or str
        The model as tasks receive it (a name, ``file.py:NAME`` or the object).
    jobs : sequence
        As in :func:`run_serial`, each also with an ``index`` (distinct).
    trials : int
        Trials per point.
    trials_per_task : int or None
        Trials per simulation task; ``None``: about 8 tasks per worker thread, at least one trial
        each.
    exact_average : bool
        Average the test inputs exactly (see :mod:`diagrams.analysis.simulate`).
    theory : bool
        Whether to evaluate the planar theory (else it is ``None``).
    tick : callable or None
        Called after each simulation task, with its number of trials.
    finish : callable
        As in :func:`run_serial`.
    workers : int or None
        Processes of a new ``LocalCluster`` (default: the number of cores).
    scheduler : str or None
        The address ``tcp://host:port`` of an existing cluster's scheduler.
    client : distributed.Client or None
        An existing client to submit to (not closed at the end).

    Returns
    -------
    tuple of (int, int)
        ``(tasks, workers)``: the number of tasks run and of workers of the cluster.

    Raises
    ------
    ValueError
        If the scheduler at ``scheduler`` cannot be reached.
    RuntimeError
        If a task killed its worker too many times (Dask's ``KilledWorker``; out of memory?).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from diagrams.models.registry import load_model
    >>> from diagrams.analysis.sweep_points import sweep_point, point_seed
    >>> m = load_model("ridge")
    >>> pts = [sweep_point(m, {"T": 6, "spectrum": "1 1/2"}, g) for g in ("0.1", "1")]
    >>> jobs = [SimpleNamespace(point=p, seed=point_seed(m, p, 0), index=i) for i, p in enumerate(pts)]
    >>> done = []
    >>> def finish(job, values, theory):
    ...     done.append((float(job.point.gamma), len(values), round(theory, 6)))
    >>> from distributed import Client
    >>> client = Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None)
    >>> run_dask("ridge", jobs, 4, 2, True, True, None, finish, None, None, client)
    (5, 1)
    >>> client.close()
    >>> sorted(done)
    [(0.1, 4, 0.000606), (1.0, 4, 0.024932)]
    """
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    cluster = None
    own = client is None
    if own:
        client, cluster = _connect(workers, scheduler)
    futures = []
    try:
        slots = max(1, sum(client.nthreads().values()))
        per_task = trials_per_task
        if per_task is None:             # about 8 tasks per worker thread, at least one trial each
            per_point = min(trials, max(1, math.ceil(8 * slots / len(jobs))))
            per_task = math.ceil(trials / per_point)
        chunks = _chunks(trials, per_task)
        groups = _groups(jobs)
        fp = ref if isinstance(ref, str) else ref.fingerprint()
        what: dict = {}
        theories: dict = {}
        waiting_theory: dict = {}
        for gid, members in groups.items():
            gammas = [j.point.gamma for j in members]
            if theory:
                f = client.submit(planar_theory, ref, members[0].point.values, gammas, priority=1, pure=False,
                                  key=f"sweep-theory-{_token(fp, gid, *gammas)}")
                futures.append(f)
                what[f.key] = ("theory", gid)
                waiting_theory[gid] = members
            else:
                theories[gid] = dict.fromkeys(gammas)
        parts: dict = {}
        for j in jobs:
            parts[j.index] = {}
            token = _token(fp, j.point.identity, j.point.gamma, j.seed, exact_average)
            for a, b in chunks:
                f = client.submit(simulate_trials, ref, j.point.values, j.point.gamma, j.seed, a, b,
                                  exact_average=exact_average, pure=False, key=f"sweep-trials-{token}-{a}-{b}")
                futures.append(f)
                what[f.key] = ("trials", j, a)
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
        return tasks, len(client.nthreads())
    finally:
        unfinished = [f for f in futures if not f.done()]
        if unfinished:
            client.cancel(unfinished)
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
