"""``diagrams sweep``: simulate a grid of parameter points and ridges on a Dask cluster, beside the theory.

Usage::

    diagrams sweep --N "100 200 400" --T 200:800:4 --gamma 1e-6:1e1:40log --alpha 1 --M 1000 \\
                   --trials 20 --out sweep.parquet
    diagrams sweep --model ridge --T 10:1000:7log --spectrum 1,1/2,1/4 --gamma "0.01 0.1" --workers 0
    diagrams sweep ... --scheduler tcp://10.0.0.5:8786 --out sweep.csv

Every model parameter flag (and ``--alpha``, ``--M``, ``--lambda-plus`` of a power-law spectrum)
takes one value, a list (``"100 200 400"``) or a range ``lo:hi:n`` / ``lo:hi:nlog``
(:func:`diagrams.analysis.sweep.read_axis`; integers are rounded, repeats dropped); the sweep is
every combination, with every ridge of ``--gamma``.  Rows are appended to ``--out`` as points finish
and a sweep run again skips the points already there (:mod:`diagrams.analysis.sweep`).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

from diagrams.cli.options import (add_gamma, add_json, add_model_options, add_trials, read_gammas, read_values,
                                  write_json)

__all__ = ["register", "run"]

_FLAG_NAMES = {"out": "--out", "gamma": "--gamma", "workers": "--workers", "scheduler": "--scheduler",
               "trials_per_task": "--trials-per-task", "trials": "--trials", "seed": "--seed"}


def register(sub, model) -> None:
    p = sub.add_parser(
        "sweep", help="simulate a grid of parameters and ridges (Dask), resumable, beside the planar theory",
        description="Simulate every combination of the parameter values and ridges given (each model flag takes "
                    "a value, a list '100 200 400' or a range lo:hi:n / lo:hi:nlog; integers are rounded to the "
                    "nearest integer and repeats dropped) as Dask tasks on a LocalCluster (or --scheduler), "
                    "with the planar theory and the pull of every point. Rows are appended to --out (.csv, "
                    ".parquet) as points finish; running the same sweep again skips the points already there. "
                    "Point seeds follow from --seed and the point's parameters (not the ridge), so the table "
                    "does not depend on the workers.")
    add_gamma(p, required=True)
    add_trials(p)
    p.add_argument("--out", metavar="FILE", default=None,
                   help="table file, .csv or .parquet: rows appended as points finish, points already in it "
                        "skipped (resume); without it the table is printed")
    p.add_argument("--workers", metavar="n", default=None,
                   help=f"worker processes of the LocalCluster (integer in [0, 1024]; default the number of cores, "
                        f"{os.cpu_count()} here); 0: serial, in this process, without Dask")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                   help="use the existing Dask cluster of this scheduler instead of a LocalCluster (its workers "
                        "must have diagrams installed)")
    p.add_argument("--trials-per-task", dest="trials_per_task", metavar="k", default=None,
                   help="trials per simulation task (integer >= 1; default: about 8 tasks per worker)")
    p.add_argument("--draw-test", dest="draw_test", action="store_true",
                   help="draw the test inputs instead of averaging over them exactly")
    add_json(p)
    add_model_options(p, model, title="model parameters, each a value, a list or a range")
    p.set_defaults(func=run)


def _axes(model) -> list[tuple[str, str, bool]]:
    """``(dest, flag, integer)`` of every flag that may take several values, in ``--help`` order."""
    out, seen = [], set()
    for prm in model.parameters:
        if prm.kind in ("integer", "number"):
            out.append((prm.name, prm.flag, prm.kind == "integer"))
        elif prm.power_law:
            alpha, size, lplus = prm.power_law
            out.append((f"{prm.name}__alpha", alpha, False))
            for flag, integer in ((size, True), (lplus, False)):
                if flag not in seen:
                    seen.add(flag)
                    out.append((f"power__{flag.lstrip('-').replace('-', '_')}", flag, integer))
    return out


def _points(args, model):
    """The sweep points of the command line (every combination of the flags' values, then ridges)."""
    import itertools

    from diagrams.analysis.sweep import MAX_POINTS, read_axis, sweep_point
    from diagrams.engine.numbers import fraction_text, read_real

    gammas = read_gammas(args.gamma)
    for g in gammas:
        read_real(g, "--gamma", minimum=0, strict_minimum=True)
    axes = []
    for dest, flag, integer in _axes(model):
        text = getattr(args, dest, None)
        if text is None:
            continue
        vals = read_axis(text, flag, integer=integer)
        axes.append((dest, [str(v) if integer else fraction_text(v) for v in vals]))
    total = len(gammas) * math.prod(len(v) for _, v in axes)
    if total > MAX_POINTS:
        raise ValueError(f"--gamma: the sweep has {total} points, more than {MAX_POINTS}; sweep a smaller grid")
    points = []
    require = [p.name for p in model.parameters]
    for combo in itertools.product(*(v for _, v in axes)):
        ns = argparse.Namespace(**vars(args))
        for (dest, _), v in zip(axes, combo):
            setattr(ns, dest, v)
        values = read_values(ns, model, require=require, double=True)
        for g in gammas:
            points.append(sweep_point(model, values, g))
    return points


def _model_spec(args, model) -> str:
    """The model as workers load it: a shipped name, or ``/absolute/file.py:NAME``."""
    spec = args.model
    path, _, name = spec.rpartition(":")
    if path.endswith(".py"):
        return f"{Path(path).resolve()}:{name}"
    return model.name


def _plain(v):
    return None if isinstance(v, float) and not math.isfinite(v) else v


def _flagged(exc: ValueError) -> ValueError:
    text = str(exc)
    head, sep, rest = text.partition(":")
    if sep and head in _FLAG_NAMES:
        return ValueError(f"{_FLAG_NAMES[head]}:{rest}")
    return exc


def run(args, model) -> int:
    from diagrams.analysis.sweep import MAX_WORKERS, run_sweep
    from diagrams.analysis.simulate import MAX_TRIALS
    from diagrams.engine.numbers import read_integer

    trials = read_integer(args.trials, "--trials", minimum=1, maximum=MAX_TRIALS)
    seed = read_integer(args.seed, "--seed", minimum=0, maximum=2 ** 63 - 1)
    workers = None if args.workers is None else read_integer(args.workers, "--workers", minimum=0,
                                                             maximum=MAX_WORKERS)
    per_task = None if args.trials_per_task is None else read_integer(args.trials_per_task, "--trials-per-task",
                                                                      minimum=1, maximum=MAX_TRIALS)
    if args.scheduler is not None and "://" not in args.scheduler:
        raise ValueError(f"--scheduler: the address of a Dask scheduler, e.g. tcp://127.0.0.1:8786, got "
                         f"{args.scheduler!r}")
    if workers == 0 and args.scheduler is not None:
        raise ValueError("--workers: 0 (serial) and --scheduler exclude each other")
    if args.out is not None:
        from diagrams.analysis.sweep_table import table_format

        table_format(args.out, "--out")
    points = _points(args, model)
    executor = "serial" if workers == 0 else "dask"
    try:
        res = run_sweep(_model_spec(args, model), points, trials=trials, seed=seed, out=args.out, executor=executor,
                        workers=workers or None, scheduler=args.scheduler, trials_per_task=per_task,
                        exact_average=not args.draw_test, progress=True)
    except ValueError as exc:
        raise _flagged(exc) from None
    except RuntimeError as exc:
        sys.stderr.write(f"diagrams sweep: error: {' '.join(str(exc).split())}\n")
        return 1
    summary = {"model": model.name, "points": len(res.rows), "computed": res.computed, "skipped": res.skipped,
               "tasks": res.tasks, "trials": trials, "seed": seed, "executor": executor, "workers": res.workers,
               "elapsed_s": round(res.elapsed, 3), "out": args.out, "columns": res.columns}
    if args.json:
        if args.out is None:
            summary["rows"] = [{k: _plain(v) for k, v in r.items()} for r in res.rows]
        write_json(summary)
        return 0
    where = f" -> {args.out}" if args.out else ""
    how = "serial" if executor == "serial" else f"{res.workers} workers"
    already = f", {res.skipped} already in {args.out}" if res.skipped else ""
    sys.stdout.write(f"sweep of {model.name}: {len(res.rows)} points ({res.computed} computed{already}), "
                     f"{trials} trials each, seed {seed}; {how}, {res.tasks} tasks, {res.elapsed:.1f} s{where}\n")
    if args.out is None:
        sys.stdout.write(_text_table(res) + "\n")
    return 0


def _text_table(res) -> str:
    """The rows as aligned text: the parameters that vary, then the results; fixed ones in a header."""
    params = res.columns[1:res.columns.index("gamma")]
    vary = [c for c in params if len({repr(r[c]) for r in res.rows}) > 1]
    fixed = [c for c in params if c not in vary]
    head = "  ".join(f"{c}={res.rows[0][c]}" for c in fixed if res.rows[0][c] is not None)
    cols = vary + ["gamma", "mean", "stderr", "theory", "pull"]

    def fmt(v):
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:.6g}"
        return str(v)

    cells = [cols] + [[fmt(r[c]) for c in cols] for r in res.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cols))]
    lines = ["  ".join(x.rjust(w) for x, w in zip(row, widths)) for row in cells]
    return "\n".join(([head] if head else []) + lines)
