"""``diagrams loss``: a model's planar (large-N) observable at ridges, or at the optimal ridge.

Examples::

    diagrams loss --N 100 --T 150 --gamma 0.01 --alpha 1/2 --M 600
    diagrams loss --N 100 --T 400 --optimal --alpha 1 --M 20000 --json
    diagrams loss --N 2 --T 3 --gamma "1/10 1 10" --spectrum 1,1/2 --dps 40
    diagrams loss --model ridge --T 50 --gamma 1e-3:1:20log --alpha 1 --M 1000
    diagrams loss --N 40 --T 60 --gamma 0.01 --alpha 1 --M 240 --finite-size --json
"""

from __future__ import annotations

import math
import sys

from diagrams.cli.options import (add_dps, add_gamma, add_json, add_model_options, parameter_summary, read_dps,
                                  read_gammas, read_values, write_json)

__all__ = ["register", "run"]

_LABELS = {
    "loss": "<L> (planar)", "gamma": "gamma", "q": "<q>", "Q": "<Q>", "xi": "xi = N T <q><Q>", "l": "l",
    "r_c": "r_c", "v": "v", "r_dp": "r_d'", "D": "D", "resummation_factor": "R (resummation)",
    "primary": "P (primary), l/D = R P", "noise_loss": "<L_eps> (label noise)",
    "total_loss": "<L> + <L_eps>",
}


def register(sub, model) -> None:
    p = sub.add_parser(
        "loss", help="the planar observable (e.g. Eq. 104) at a ridge or at the optimal ridge",
        description="The planar (large-N) value of the model's observable from its closed form (for the "
                    "random-features model Eq. 104 of Zhang 2024, with the label-noise term of App. A), at one "
                    "ridge, a list or a range of ridges, or at the optimal ridge.")
    which = p.add_mutually_exclusive_group(required=True)
    add_gamma(which)
    which.add_argument("--optimal", action="store_true", help="minimise the loss over the ridge")
    p.add_argument("--method", choices=("closed-form", "dyson"), default=None,
                   help="closed-form: the model's hand-derived closed form (the default when it has one); dyson: "
                        "the planar Dyson equation of its linearization (any model)")
    p.add_argument("--finite-size", action="store_true",
                   help="also the first finite-size correction L1 (the diagrams with one cross-cap, chi = 1, resummed; "
                        "any model) and L0 + L1: keys planar, correction, total")
    add_dps(p)
    add_json(p)
    add_model_options(p, model)
    p.set_defaults(func=run)


def _route(model, method=None, values=None):
    """The closed form (``method`` "closed-form", or by default when one applies) or the Dyson route."""
    if method == "dyson" or (method is None and not any(r.evaluate is not None and not r.reason_not_applicable(values)
                                                        for r in model.routes)):
        from diagrams.analysis.dyson_route import dyson_route

        return dyson_route(model)
    for r in model.routes:
        if r.evaluate is not None:
            return r
    raise ValueError(f"--method: the {model.name} model has no closed form to evaluate")


def _fmt(v, dps=None) -> str:
    import mpmath

    if isinstance(v, mpmath.mpf):
        return mpmath.nstr(v, min(dps or 17, 30))
    return f"{float(v):.10g}"


def _json_value(v, dps=None):
    import mpmath

    if isinstance(v, mpmath.mpf):
        return mpmath.nstr(v, dps or 17)
    v = float(v)
    if not math.isfinite(v):
        raise ValueError("loss: a value is not finite at these parameters; please report them")
    return v


def _finite_size(args, model, values, dps) -> int:
    """``--finite-size``: L0 (planar), L1 and L0 + L1 at each ridge (diagrams.analysis.finite_size)."""
    from diagrams.analysis.finite_size import finite_size_loss

    if args.optimal:
        raise ValueError("--finite-size: give --gamma (the correction is not evaluated at the optimal ridge)")
    if args.method == "closed-form":
        raise ValueError("--finite-size: the correction comes from the Dyson route; leave out --method closed-form")
    gammas = read_gammas(args.gamma)
    from diagrams.engine.numbers import read_real

    for g in gammas:                     # the correction starts from a double-precision root, also with --dps
        read_real(g, "--gamma", minimum=0, strict_minimum=True)
    rows = finite_size_loss(model, values, gammas, dps=dps)
    keys = ("gamma", "planar", "correction", "total")
    for r in rows:
        for k in keys:
            _json_value(r[k], dps)
    if args.json:
        out = {"model": model.name, "method": "dyson", "finite_size": True}
        out.update(parameter_summary(model, values))
        if dps is not None:
            out["dps"] = dps
        out.update({k: _json_value(rows[0][k], dps) if len(rows) == 1 else [_json_value(r[k], dps) for r in rows]
                    for k in keys})
        write_json(out)
        return 0
    labels = {"gamma": "gamma", "planar": "L0 (planar)", "correction": "L1 (chi = 1)", "total": "L0 + L1"}
    lines = [f"{model.name}: planar Dyson equation and its first finite-size correction"
             + (f", mpmath dps = {dps}" if dps else ""), ""]
    w = min(dps, 30) + 8 if dps is not None else 16
    lines.append("  ".join(f"{labels[k]:>{w}}" for k in keys))
    for r in rows:
        lines.append("  ".join(f"{_fmt(r[k], dps):>{w}}" for k in keys))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def run(args, model) -> int:
    values = read_values(args, model, require=[p.name for p in model.parameters], double=True)
    dps = read_dps(args.dps)
    if getattr(args, "finite_size", False):
        return _finite_size(args, model, values, dps)
    route = _route(model, args.method, values)
    args.method = args.method or ("closed-form" if route in model.routes else "dyson")
    why = route.reason_not_applicable(values)
    if why:
        raise ValueError(f"--method: {route.name} does not apply here: {why}")
    extra = {}
    if args.optimal:
        if route.optimum is None:
            raise ValueError(f"--optimal: not available for the {model.name} model")
        g, best, limit = route.optimum(values)
        if limit is not None:                # no finite ridge beats the limit of the loss
            why = f"no finite ridge does better than the limit {limit} of the loss"
            if args.json:
                write_json({"model": model.name, "method": args.method, "route": route.name,
                            **parameter_summary(model, values), "optimal": True, "limit": limit, "gamma": None,
                            "gamma_reason": why, "loss": _json_value(best, None)})
            else:
                sys.stdout.write(f"{model.name}: {route.name}\noptimal ridge: {why}; <L> -> {_fmt(best)}\n")
            return 0
        gammas = [g]
        extra = {"optimal": True, "at_boundary": False, "limit": None}
    else:
        gammas = read_gammas(args.gamma)
        if dps is None:                  # double precision: every ridge must be a normal double
            from diagrams.engine.numbers import read_real

            for g in gammas:
                read_real(g, "--gamma", minimum=0, strict_minimum=True)
    rows = route.evaluate(values, gammas, dps)
    for r in rows:
        r.pop("observable", None) if "total_loss" in r or r.get("observable") is r.get("loss") else None
        for k, v in r.items():
            _json_value(v, dps)          # refuses NaN/inf: never print them as numbers
    if args.json:
        out = {"model": model.name, "method": args.method, "route": route.name}
        out.update(parameter_summary(model, values))
        out.update(extra)
        if dps is not None:
            out["dps"] = dps
        if len(rows) == 1:
            out.update({k: _json_value(v, dps) for k, v in rows[0].items()})
        else:
            out.update({k: [_json_value(r[k], dps) for r in rows] for k in rows[0]})
        write_json(out)
        return 0
    lines = [f"{model.name}: {route.name}" + (f", mpmath dps = {dps}" if dps else "")]
    if args.optimal:
        lines.append("optimal ridge" + (f" ({extra['limit']})" if extra["limit"] else ""))
    if len(rows) == 1:
        width = max(len(_LABELS.get(k, k)) for k in rows[0])
        lines.append("")
        for k, v in rows[0].items():
            lines.append(f"  {_LABELS.get(k, k):<{width}}  {_fmt(v, dps)}")
    else:
        keys = list(rows[0])
        keys.remove("gamma")
        keys = ["gamma"] + keys
        w = min(dps, 30) + 8 if dps is not None else 16
        lines.append("")
        lines.append("  ".join(f"{k:>{w}}" for k in keys))
        for r in rows:
            lines.append("  ".join(f"{_fmt(r[k], dps):>{w}}" for k in keys))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
