"""``diagrams scaling``: scaling-law approximations (paper Secs. IV.3-IV.4) beside the exact optimum.

    diagrams scaling --N 100 --T 400 --alpha 1 --M 20000
    diagrams scaling --N 100 --T 400 --alpha 2 --M 20000 --json

Prints nu, the approximate optimal loss and ridge, and the exact minimum over the ridge of the
closed form (paper Eq. 104) for power-law data lambda_I = lambda_+ I^-(1+alpha), I = 1..M.
"""

from __future__ import annotations

import math

from diagrams.cli.options import add_json, write_json
from diagrams.engine.numbers import read_integer, read_real

__all__ = ["register", "run"]


def register(subparsers, model) -> None:
    p = subparsers.add_parser(
        "scaling",
        help="scaling-law approximations beside the exact optimum of the closed form",
        description="Approximate optimal loss and ridge for power-law data (paper Secs. IV.3-IV.4) "
                    "next to the exact minimum over the ridge of the closed form (Eq. 104).",
    )
    p.add_argument("--N", dest="N", metavar="n", help="number of features (integer >= 1)")
    p.add_argument("--T", dest="T", metavar="t", help="number of training samples (integer >= 1)")
    p.add_argument("--alpha", metavar="a", help="power-law exponent: lambda_I = lambda_+ I^-(1+alpha)")
    p.add_argument("--M", dest="M", metavar="m", help="number of latent directions (integer >= 1)")
    p.add_argument("--lambda-plus", dest="lambda_plus", metavar="l", default="1", help="largest eigenvalue (default 1)")
    p.add_argument("--sigma-u2", dest="sigma_u2", metavar="s", default="1", help="feature weight variance (default 1)")
    p.add_argument("--sigma-w2", dest="sigma_w2", metavar="w", default="1", help="teacher weight variance (default 1)")
    p.add_argument("--C", dest="C", metavar="c", default="1", help="label dimension (default 1)")
    p.add_argument("--model", metavar="NAME", default=model.name, help="the model (random-features only)")
    add_json(p)
    p.set_defaults(func=run)


def _required(value, name):
    if value is None:
        raise ValueError(f"{name}: required")
    return value


def run(args, model) -> int:
    if "scaling" not in model.analyses:
        raise ValueError(f"--model: the scaling laws exist only for the random-features model, not {model.name}")
    from diagrams.models.random_features import scaling as sc

    N = read_integer(_required(args.N, "--N"), "--N", minimum=1, maximum=10 ** 9)
    T = read_integer(_required(args.T, "--T"), "--T", minimum=1, maximum=10 ** 9)
    alpha = read_real(_required(args.alpha, "--alpha"), "--alpha", minimum=0, strict_minimum=True, maximum=1000)
    M = read_integer(_required(args.M, "--M"), "--M", minimum=1, maximum=10 ** 7)
    lp = read_real(args.lambda_plus, "--lambda-plus", minimum=0, strict_minimum=True)
    su = read_real(args.sigma_u2, "--sigma-u2", minimum=0, strict_minimum=True)
    sw = read_real(args.sigma_w2, "--sigma-w2", minimum=0, strict_minimum=True)
    C = read_integer(args.C, "--C", minimum=1, maximum=10 ** 9)

    nu = float(sc.nu(N, T, alpha))
    loss_a = float(sc.optimal_loss_approx(N, T, alpha, M, lambda_plus=lp, sigma_w2=sw, C=C))
    gamma_a = float(sc.optimal_ridge_approx(N, T, alpha, M, lambda_plus=lp, sigma_u2=su))
    ridgeless = float(sc.ridgeless_loss_approx(N, T, alpha, M, lambda_plus=lp, sigma_w2=sw, C=C))
    exact = sc.exact_optimum(N, T, alpha, M, lambda_plus=lp, sigma_u2=su, sigma_w2=sw, C=C)
    out = {
        "N": N, "T": T, "alpha": alpha, "M": M, "lambda_plus": lp, "sigma_u2": su, "sigma_w2": sw, "C": C,
        "nu": nu, "c_alpha": float(sc.c_alpha(alpha)),
        "loss_approx": loss_a, "gamma_approx": gamma_a,
        "loss_exact": exact.loss, "gamma_exact": exact.gamma, "exact_limit": exact.limit,
        "loss_rel_diff": loss_a / exact.loss - 1 if exact.loss > 0 else None,
        "gamma_rel_diff": gamma_a / exact.gamma - 1 if exact.limit is None else None,
        "ridgeless_loss_approx": ridgeless,
    }
    reasons = {
        "gamma_exact": {"gamma->0": "no finite ridge does better than the ridgeless limit gamma -> 0",
                        "gamma->inf": "no finite ridge does better than the limit gamma -> inf"}.get(exact.limit),
        "loss_rel_diff": None if exact.loss > 0 else "the exact optimal loss is 0",
        "ridgeless_loss_approx": "diverges at N = T (double descent)" if not math.isfinite(ridgeless) else None,
    }
    if exact.limit is not None:
        out["gamma_exact"] = None
        reasons["gamma_rel_diff"] = reasons["gamma_exact"]
    for key, value in list(out.items()):                 # JSON has no inf or nan: null and a reason
        if isinstance(value, float) and not math.isfinite(value):
            out[key] = None
            reasons.setdefault(key, "not a finite number")
    out.update({f"{key}_reason": why for key, why in reasons.items() if why is not None})
    if args.json:
        write_json(out)
        return 0
    show = lambda key, fmt: (f"{out[key]:{fmt}}" if out[key] is not None else "-")
    print(f"power-law data: N={N} T={T} alpha={alpha:g} M={M} lambda_+={lp:g}   nu = {nu:.6g}")
    print(f"{'':22s}{'approximation':>16s}{'exact (Eq. 104)':>18s}{'rel. diff':>12s}")
    print(f"{'optimal loss L*':22s}{loss_a:16.6e}{exact.loss:18.6e}{show('loss_rel_diff', '+12.2%'):>12s}")
    g_exact = {None: f"{exact.gamma:.6e}", "gamma->0": "0 (limit)", "gamma->inf": "inf (limit)"}[exact.limit]
    print(f"{'optimal ridge gamma*':22s}{gamma_a:16.6e}{g_exact:>18s}{show('gamma_rel_diff', '+12.2%'):>12s}")
    rl = "inf (N = T)" if out["ridgeless_loss_approx"] is None else f"{ridgeless:.6e}"
    print(f"{'ridgeless loss (approx)':22s}{rl:>16s}")
    if exact.limit is not None:
        print(f"exact: {reasons['gamma_exact']}")
    print("approximations of paper Secs. IV.3-IV.4 (integrals for latent sums, N, T << M)")
    return 0
