"""``diagrams simulate``: Monte-Carlo value of a model's observable, beside its planar closed form.

    diagrams simulate --N 100 --T 150 --gamma 1e-2 --alpha 1/2 --M 600 --trials 50
    diagrams simulate --model ridge --T 40 --gamma "0.01 0.1" --spectrum 1,1/2,1/3 --json

Every Gaussian matrix of the model is drawn with its covariances and the observable evaluated with
linear solves (:mod:`diagrams.analysis.simulate`); the test inputs are averaged exactly unless
``--draw-test`` draws ``That`` of them per trial.
"""

from __future__ import annotations

import math
import sys

from diagrams.cli.options import (add_gamma, add_json, add_model_options, add_trials, parameter_summary, read_gammas,
                                  read_values, write_json)

__all__ = ["register", "run"]


def register(sub, model) -> None:
    p = sub.add_parser(
        "simulate", help="simulate the model and estimate its observable (mean +- standard error)",
        description="Draw every Gaussian matrix of the model, evaluate the observable with linear solves in the "
                    "smaller dual space, and average over independent seeded trials; the planar closed form is "
                    "printed beside it when the model has one.")
    add_gamma(p, required=True)
    add_trials(p)
    p.add_argument("--draw-test", dest="draw_test", action="store_true",
                   help="draw the test inputs (That of them per trial) instead of averaging over them exactly")
    add_json(p)
    add_model_options(p, model)
    p.set_defaults(func=run)


def _finite(v):
    return None if v is None or not math.isfinite(v) else v


def run(args, model) -> int:
    from diagrams.analysis.simulate import MAX_TRIALS, simulate
    from diagrams.engine.numbers import read_integer
    from diagrams.engine.progress import Progress

    values = read_values(args, model, require=[p.name for p in model.parameters], double=True)
    gammas = read_gammas(args.gamma)
    from diagrams.engine.numbers import read_real

    for g in gammas:
        read_real(g, "--gamma", minimum=0, strict_minimum=True)
    trials = read_integer(args.trials, "--trials", minimum=1, maximum=MAX_TRIALS)
    seed = read_integer(args.seed, "--seed", minimum=0, maximum=2 ** 63 - 1)
    from diagrams.analysis.routes import planar_route

    route = planar_route(model, values)
    points = []
    with Progress(total=trials * len(gammas), desc="simulating", unit="trial") as bar:
        for g in gammas:
            res = simulate(model, values, g, trials=trials, seed=seed, exact_average=not args.draw_test,
                           progress=bar)
            closed = float(route.evaluate(values, [g])[0]["observable"]) if route is not None else None
            pull = (res.mean - closed) / res.stderr if closed is not None and res.stderr > 0 else None
            points.append({"loss": res.mean, "stderr": _finite(res.stderr), "trials": trials, "gamma": float(g),
                           "seed": seed, "closed_form": closed, "pull": _finite(pull) if pull is not None else None})
    params = parameter_summary(model, values)
    if args.json:
        out = {"model": model.name, **params, "exact_test_average": not args.draw_test}
        if len(points) == 1:
            out.update(points[0])
        else:
            out["points"] = points
        write_json(out)
        return 0
    lines = [f"{model.name}: " + " ".join(f"{k}={v}" for k, v in params.items())
             + f"  ({trials} trials, seed {seed}, "
             + ("test inputs averaged exactly)" if not args.draw_test else "test inputs drawn)")]
    for pt in points:
        err = "n/a" if pt["stderr"] is None else f"{pt['stderr']:.3e}"
        lines.append(f"gamma={pt['gamma']:<12.6g} simulated {pt['loss']:.6e} +- {err}")
        if pt["closed_form"] is not None:
            pull = "" if pt["pull"] is None else f"   pull {pt['pull']:+.2f} (finite-size corrections are O(1/N))"
            lines.append(f"{'':19}planar    {pt['closed_form']:.6e}{pull}  ({route.name})")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
