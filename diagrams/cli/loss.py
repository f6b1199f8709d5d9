"""``diagrams loss``: the planar test loss of Eq. (104) at a ridge, or at the optimal ridge.

Examples::

    diagrams loss --N 100 --T 150 --gamma 0.01 --alpha 0.5 --M 600
    diagrams loss --N 100 --T 400 --optimal --alpha 1 --M 20000 --json
    diagrams loss --N 2 --T 3 --gamma 1/10,1,10 --spectrum "1,1/2" --dps 40
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import mpmath

from diagrams.cli.common import parse_number, parse_spectrum

__all__ = ["register", "run"]

_FIELDS = ["loss", "gamma", "q", "Q", "xi", "l", "r_c", "v", "r_dp", "D", "resummation_factor", "primary"]
_LABELS = {
    "loss": "<L> (Eq. 104)",
    "gamma": "gamma",
    "q": "<q>",
    "Q": "<Q>",
    "xi": "xi = N T <q><Q>",
    "l": "l",
    "r_c": "r_c",
    "v": "v",
    "r_dp": "r_d'",
    "D": "D",
    "resummation_factor": "R (resummation)",
    "primary": "P (primary), l/D = R P",
}


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "loss",
        help="closed-form test loss, Eq. (104), at a ridge or at the optimal ridge",
        description="Planar test loss of the random-feature model, Eq. (104) of Zhang 2024, for a "
                    "power-law spectrum lambda_I = lambda_+ I^-(1+alpha) or a given spectrum.",
    )
    p.add_argument("--N", dest="N", metavar="n", required=True, help="number of features (>= 1)")
    p.add_argument("--T", dest="T", metavar="t", required=True, help="number of training samples (>= 1)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--gamma", metavar="g[,g2,...]", help="ridge parameter(s) > 0, comma-separated")
    which.add_argument("--optimal", action="store_true", help="minimise the loss over the ridge")
    s = p.add_argument_group("spectrum (a power law or explicit eigenvalues)")
    s.add_argument("--alpha", metavar="a", help="power-law exponent alpha > 0")
    s.add_argument("--M", dest="M", metavar="m", help="latent dimension M (integer >= 1)")
    s.add_argument("--lambda-plus", dest="lambda_plus", metavar="l", default=None,
                   help="largest eigenvalue lambda_+ > 0 (default 1)")
    s.add_argument("--spectrum", metavar="l1,l2,...", help="eigenvalues of Lambda = Lambdahat; M = their number")
    p.add_argument("--sigma-u2", dest="sigma_u2", metavar="s", default="1", help="feature weight variance (default 1)")
    p.add_argument("--sigma-w2", dest="sigma_w2", metavar="w", default="1", help="teacher weight variance (default 1)")
    p.add_argument("--C", dest="C", metavar="c", default="1", help="label dimension (default 1)")
    p.add_argument("--label-noise", dest="label_noise", metavar="s2", default=None,
                   help="variance sigma_eps^2 >= 0 of iid Gaussian noise on the training labels: adds the "
                        "noise term of App. A, C s2/2 ((1 - A)/D - 1), which is not N <-> T symmetric")
    p.add_argument("--dps", metavar="D", default=None,
                   help="evaluate in mpmath at D decimal digits (>= 15) instead of double precision")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=run)


def _spectrum(args):
    """``(spectrum as floats, exact entries or None, description)``."""
    from diagrams.models.random_features.closed_form import power_law_spectrum

    power = args.alpha is not None or args.M is not None or args.lambda_plus is not None
    if args.spectrum is not None and power:
        raise ValueError("--spectrum: give either --spectrum or --alpha with --M (and --lambda-plus), not both")
    if args.spectrum is not None:
        exact = parse_spectrum(args.spectrum, "--spectrum")
        return [float(v) for v in exact], exact, f"given ({len(exact)} eigenvalues)"
    alpha = parse_number(args.alpha, "--alpha", positive=True) if args.alpha is not None else None
    M = parse_number(args.M, "--M", integer=True) if args.M is not None else None
    if M is not None and M < 1:
        raise ValueError(f"--M: must be an integer >= 1, got {args.M}")
    lp = parse_number(args.lambda_plus if args.lambda_plus is not None else "1", "--lambda-plus", positive=True)
    if alpha is None or M is None:
        missing = "--alpha" if alpha is None else "--M"
        raise ValueError(f"{missing}: give --alpha and --M for a power-law spectrum, or --spectrum")
    spec = power_law_spectrum(int(M), float(alpha), float(lp))
    return spec, ("power", alpha, int(M), lp), f"power law, alpha={alpha}, M={int(M)}, lambda_+={lp}"


def _mp_spectrum(exact, dps):
    if isinstance(exact, tuple):                        # power law at working precision
        _, alpha, M, lp = exact
        with mpmath.workdps(dps + 10):
            a = mpmath.mpf(alpha.numerator) / alpha.denominator
            l = mpmath.mpf(lp.numerator) / lp.denominator
            return [l * mpmath.power(i, -(1 + a)) for i in range(1, M + 1)]
    return exact


def _fmt(v, dps=None) -> str:
    if isinstance(v, mpmath.mpf):
        return mpmath.nstr(v, min(dps or 17, 30))
    return f"{v:.10g}"


def _json_value(v, dps=None):
    """Floats as JSON numbers; mpmath values as decimal strings with ``dps`` digits."""
    if isinstance(v, mpmath.mpf):
        return mpmath.nstr(v, dps or 17)
    v = float(v)
    return v if math.isfinite(v) else str(v)


def run(args) -> int:
    from diagrams.models.random_features.closed_form import optimal_ridge, test_loss, test_loss_mp

    N = parse_number(args.N, "--N")
    T = parse_number(args.T, "--T")
    if N < 1:
        raise ValueError(f"--N: must be >= 1, got {args.N}")
    if T < 1:
        raise ValueError(f"--T: must be >= 1, got {args.T}")
    su = parse_number(args.sigma_u2, "--sigma-u2", positive=True)
    sw = parse_number(args.sigma_w2, "--sigma-w2", positive=True)
    C = parse_number(args.C, "--C", positive=True)
    dps = None
    if args.dps is not None:
        dps = parse_number(args.dps, "--dps", integer=True)
        if dps < 15:
            raise ValueError(f"--dps: must be an integer >= 15, got {args.dps}")
        dps = int(dps)
    if args.gamma is not None:
        items = [t for t in str(args.gamma).replace(" ", "").split(",") if t]
        if not items:
            raise ValueError("--gamma: give a ridge parameter > 0")
        gammas = [parse_number(t, "--gamma", positive=True) for t in items]
    spec, exact, desc = _spectrum(args)
    s2 = None
    if args.label_noise is not None:
        s2 = parse_number(args.label_noise, "--label-noise", nonnegative=True)
        if args.optimal:
            raise ValueError("--label-noise: not available with --optimal (the optimal ridge is that of "
                             "the noiseless loss); give --gamma")

    header = {"N": float(N), "T": float(T), "M": len(spec), "spectrum": desc,
              "sigma_u2": float(su), "sigma_w2": float(sw), "C": float(C)}
    extra = {}
    if args.optimal:
        opt = optimal_ridge(float(N), float(T), spec, float(su), float(sw), float(C))
        if opt.limit is not None:                        # no finite ridge beats the limit of the loss
            why = f"no finite ridge does better than the limit {opt.limit} of the loss"
            if args.json:
                sys.stdout.write(json.dumps(dict(header, optimal=True, limit=opt.limit, gamma=None,
                                                 gamma_reason=why, loss=opt.loss), indent=2) + "\n")
            else:
                sys.stdout.write(f"Closed-form test loss, Eq. (104):  N = {N}, T = {T}, spectrum: {desc}\n"
                                 f"optimal ridge: {why}; <L> -> {_fmt(opt.loss)}\n")
            return 0
        gammas = [opt.gamma]
        extra = {"optimal": True, "at_boundary": bool(opt.at_boundary)}
    results = []
    for g in gammas:
        if dps is not None:
            results.append(test_loss_mp(N, T, g, _mp_spectrum(exact, dps), su, sw, C, dps=dps))
        else:
            results.append(test_loss(float(N), float(T), float(g), spec, float(su), float(sw), float(C)))

    noise = []
    if s2 is not None:
        from diagrams.models.random_features.noise import noise_loss, noise_loss_mp
        for g in gammas:
            if dps is not None:
                noise.append(noise_loss_mp(N, T, g, _mp_spectrum(exact, dps), s2, su, sw, C, dps=dps))
            else:
                noise.append(noise_loss(float(N), float(T), float(g), spec, float(s2), float(su), float(sw),
                                        float(C)))
        header["label_noise"] = float(s2)

    if args.json:
        if len(results) == 1:
            body = {k: _json_value(v, dps) for k, v in results[0].as_dict().items()}
        else:
            body = {k: [_json_value(getattr(r, k), dps) for r in results] for k in _FIELDS}
        out = dict(header)
        out.update(extra)
        if dps is not None:
            out["dps"] = dps
        out.update(body)
        if noise:
            for key, field in (("noise_loss", "loss"), ("total_loss", "total"), ("noise_self", "self"),
                               ("noise_same_side", "same_side"), ("noise_opposite", "opposite")):
                vals = [_json_value(getattr(n, field), dps) for n in noise]
                out[key] = vals[0] if len(vals) == 1 else vals
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0

    lines = [f"Closed-form test loss, Eq. (104):  N = {N}, T = {T}, spectrum: {desc}",
             f"sigma_u^2 = {su}, sigma_w^2 = {sw}, C = {C}" + (f", mpmath dps = {dps}" if dps else "")
             + (f", label noise sigma_eps^2 = {s2}" if s2 is not None else "")]
    if args.optimal:
        lines.append("optimal ridge" + (" (at the edge of the scanned range)" if extra["at_boundary"] else ""))
    if len(results) == 1:
        r = results[0]
        width = max(len(v) for v in _LABELS.values())
        lines.append("")
        for k in _FIELDS:
            lines.append(f"  {_LABELS[k]:<{width}}  {_fmt(getattr(r, k), dps)}")
        if noise:
            lines.append(f"  {'<L_eps> (label noise)':<{width}}  {_fmt(noise[0].loss, dps)}")
            lines.append(f"  {'<L> + <L_eps>':<{width}}  {_fmt(noise[0].total, dps)}")
    else:
        cols = ["gamma", "loss", "q", "Q", "xi", "D", "resummation_factor", "primary"]
        names = ["gamma", "<L>", "<q>", "<Q>", "xi", "D", "R", "P"]
        w = min(dps, 30) + 8 if dps is not None else 16
        lines.append("")
        lines.append("  ".join(f"{n:>{w}}" for n in names))
        if noise:
            lines[-1] += "  " + "  ".join(f"{n:>{w}}" for n in ("<L_eps>", "<L>+<L_eps>"))
        for i, r in enumerate(results):
            row = "  ".join(f"{_fmt(getattr(r, c), dps):>{w}}" for c in cols)
            if noise:
                row += "  " + "  ".join(f"{_fmt(v, dps):>{w}}" for v in (noise[i].loss, noise[i].total))
            lines.append(row)
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
