"""``diagrams figures``: the paper's Figs. 2 and 3 (and the exponent against alpha) as PNG files.

    diagrams figures --out figs
    diagrams figures --out figs --quick --no-simulation

Writes the figures of :mod:`diagrams.output.figures` into ``--out`` (created if needed) and prints
one written path per line.  ``--quick`` uses small sizes and few trials (seconds instead of
minutes); ``--no-simulation`` draws the analytic curves only.
"""

from __future__ import annotations

from diagrams.cli.common import parse_number

__all__ = ["register", "run"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "figures",
        help="write the paper's Figs. 2 and 3 (closed form, approximations, simulations) as PNG files",
        description="Test loss against the ridge and against N (double descent and its regularisation), "
                    "ridgeless against optimal loss, the optimal ridge against N for several T and alpha "
                    "(paper Figs. 2 and 3) and the fitted scaling exponent against alpha, as PNG files.",
    )
    p.add_argument("--out", metavar="DIR", help="output directory (created if needed)")
    p.add_argument("--quick", action="store_true", help="small sizes and few trials (for tests)")
    p.add_argument("--no-simulation", dest="simulate", action="store_false",
                   help="analytic curves only, no simulation points")
    p.add_argument("--seed", metavar="s", default="0", help="seed of the simulations (integer >= 0, default 0)")
    p.set_defaults(func=run)


def run(args) -> int:
    if not args.out:
        raise ValueError("--out: required (the directory to write the PNG files into)")
    seed = int(parse_number(args.seed, "--seed", nonnegative=True, integer=True))
    from diagrams.output.figures import write_figures

    for path in write_figures(args.out, quick=args.quick, simulate=args.simulate, seed=seed):
        print(path)
    return 0
