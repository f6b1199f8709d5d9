"""``diagrams simulate``: Monte-Carlo test loss of the random-feature model, beside the closed form.

    diagrams simulate --N 100 --T 150 --gamma 1e-2 --alpha 1/2 --M 600 --trials 50
    diagrams simulate --N 2 --T 3 --gamma 1 --spectrum 1,1/2,1/3 --json

The data spectrum is either a power law (``--alpha --M [--lambda-plus]``: lambda_I = lambda_+ I^-(1+alpha))
or explicit (``--spectrum``).  By default the teacher, the label noise and the test inputs are
averaged exactly for each draw of the train inputs and features (``--That`` draws a finite test set,
``--draw-teacher`` draws the teacher and the noise); see ``diagrams.models.random_features.simulate``.
"""

from __future__ import annotations

import json
import math

import numpy as np

from diagrams.cli.common import parse_number, parse_spectrum, progress_enabled

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "simulate",
        help="simulate the random-feature model and estimate its test loss",
        description="Draw the teacher-student random-feature model, solve the ridge regression in the "
                    "smaller dual space and average the test loss over independent trials; the closed "
                    "form (paper Eq. 104) is printed beside it when there is no label noise.",
    )
    p.add_argument("--N", dest="N", metavar="n", help="number of features (integer >= 1)")
    p.add_argument("--T", dest="T", metavar="t", help="number of training samples (integer >= 1)")
    p.add_argument("--gamma", metavar="g", help="ridge (>= 0; 0 is the ridgeless limit, needs N != T)")
    g = p.add_argument_group("data spectrum (power law or explicit)")
    g.add_argument("--alpha", metavar="a", help="power-law exponent: lambda_I = lambda_+ I^-(1+alpha)")
    g.add_argument("--M", dest="M", metavar="m", help="number of latent directions (with --alpha)")
    g.add_argument("--lambda-plus", dest="lambda_plus", metavar="l", help="largest eigenvalue (default 1)")
    g.add_argument("--spectrum", metavar="l1,l2,...", help="explicit eigenvalues of Lambda; M = their number")
    p.add_argument("--That", dest="That", metavar="th",
                   help="test samples per trial (default: exact average over test inputs)")
    p.add_argument("--trials", metavar="k", default="20", help="number of independent draws (default 20)")
    p.add_argument("--seed", metavar="s", default="0", help="seed (integer >= 0, default 0)")
    p.add_argument("--label-noise", dest="label_noise", metavar="s2", default="0",
                   help="variance of the label noise on the training labels (default 0)")
    p.add_argument("--sigma-u2", dest="sigma_u2", metavar="s", default="1", help="feature weight variance (default 1)")
    p.add_argument("--sigma-w2", dest="sigma_w2", metavar="w", default="1", help="teacher weight variance (default 1)")
    p.add_argument("--C", dest="C", metavar="c", default="1", help="label dimension (default 1)")
    p.add_argument("--draw-teacher", dest="draw_teacher", action="store_true",
                   help="draw the teacher and the noise instead of averaging over them exactly")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _required(value, name):
    if value is None:
        raise ValueError(f"{name}: required")
    return value


def _spectrum(args):
    if args.spectrum is not None:
        if args.alpha is not None or args.M is not None or args.lambda_plus is not None:
            raise ValueError("--spectrum: give either --spectrum or --alpha/--M/--lambda-plus, not both")
        return np.array([float(v) for v in parse_spectrum(args.spectrum)]), None, None
    if args.alpha is None or args.M is None:
        raise ValueError("--alpha: give --alpha and --M (power-law data) or --spectrum")
    alpha = float(parse_number(args.alpha, "--alpha", positive=True))
    M = int(parse_number(args.M, "--M", positive=True, integer=True))
    lp = float(parse_number(args.lambda_plus, "--lambda-plus", positive=True)) if args.lambda_plus is not None else 1.0
    from diagrams.models.random_features.closed_form import power_law_spectrum

    return np.asarray(power_law_spectrum(M, alpha, lambda_plus=lp), dtype=float), alpha, lp


def _finite(v):
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else v


def run(args) -> int:
    from diagrams.models.random_features.simulate import simulate_test_loss

    N = int(parse_number(_required(args.N, "--N"), "--N", positive=True, integer=True))
    T = int(parse_number(_required(args.T, "--T"), "--T", positive=True, integer=True))
    gamma = float(parse_number(_required(args.gamma, "--gamma"), "--gamma", nonnegative=True))
    spectrum, alpha, lp = _spectrum(args)
    That = None if args.That is None else int(parse_number(args.That, "--That", positive=True, integer=True))
    trials = int(parse_number(args.trials, "--trials", positive=True, integer=True))
    seed = int(parse_number(args.seed, "--seed", nonnegative=True, integer=True))
    noise = float(parse_number(args.label_noise, "--label-noise", nonnegative=True))
    su = float(parse_number(args.sigma_u2, "--sigma-u2", positive=True))
    sw = float(parse_number(args.sigma_w2, "--sigma-w2", positive=True))
    C = int(parse_number(args.C, "--C", positive=True, integer=True))

    res = simulate_test_loss(N, T, gamma, spectrum, That=That, trials=trials, seed=seed, sigma_u2=su,
                             sigma_w2=sw, C=C, label_noise=noise, progress=progress_enabled(args.json),
                             average_teacher=not args.draw_teacher)
    closed = None
    if noise == 0 and gamma > 0:
        from diagrams.models.random_features.closed_form import test_loss

        closed = float(np.asarray(test_loss(N, T, gamma, spectrum, sigma_u2=su, sigma_w2=sw, C=C).loss))
    pull = (res.loss - closed) / res.stderr if closed is not None and res.stderr > 0 else None
    out = {
        "loss": res.loss, "stderr": _finite(res.stderr), "trials": res.trials,
        "N": N, "T": T, "M": int(spectrum.size), "gamma": gamma, "That": That,
        "alpha": alpha, "lambda_plus": lp, "seed": seed, "label_noise": noise,
        "sigma_u2": su, "sigma_w2": sw, "C": C, "average_teacher": not args.draw_teacher,
        "closed_form": closed, "pull": _finite(pull),
    }
    if args.json:
        print(json.dumps(out))
        return 0
    err = "n/a" if out["stderr"] is None else f"{res.stderr:.3e}"
    test = "exact average over test inputs" if That is None else f"That={That}"
    print(f"N={N} T={T} M={spectrum.size} gamma={gamma:g}  ({test}, {trials} trials, seed {seed})")
    print(f"simulated loss          {res.loss:.6e} +- {err}")
    if closed is not None:
        pull_text = "" if out["pull"] is None else f"   pull {pull:+.2f} (finite-size corrections are O(1/N))"
        print(f"closed form (Eq. 104)   {closed:.6e}{pull_text}")
    return 0
