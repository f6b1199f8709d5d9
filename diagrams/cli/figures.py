"""``diagrams figures``: the paper's Figs. 2 and 3 (and the exponent against alpha) as PNG files.

    diagrams figures --out figs
    diagrams figures --out figs --quick --no-simulation
    diagrams figures --out figs --finite-size [--model ridge]

Writes the figures of :mod:`diagrams.output.figures` into ``--out`` (created if needed) and prints
one written path per line.  ``--quick`` uses small sizes and few trials (seconds instead of
minutes); ``--no-simulation`` draws the analytic curves only.  ``--finite-size`` writes instead the
figure of the first finite-size correction (simulation, planar value and planar + correction against
the size at fixed ratios, :func:`diagrams.output.figures.fig_finite_size`), for any shipped model.
"""

from __future__ import annotations

from diagrams.cli.options import add_json, write_json
from diagrams.engine.numbers import read_integer

__all__ = ["register", "run"]


def register(subparsers, model) -> None:
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
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                   help="run the simulations on the Dask cluster of this scheduler (default: serially here)")
    p.add_argument("--format", choices=("png", "pdf", "svg"), default="png", help="file format (default png)")
    p.add_argument("--dpi", metavar="d", default=None, help="resolution of PNG files (integer in [30, 1200])")
    p.add_argument("--model", metavar="NAME", default=model.name,
                   help="the model: random-features writes the paper's figures; the other shipped models their "
                        "loss against the ridge (planar route, optimal ridge, simulation) and finite-size figure")
    p.add_argument("--finite-size", action="store_true",
                   help="write only the figure of the first finite-size correction: simulation, planar and "
                        "planar + correction against the size at fixed ratios")
    add_json(p)
    p.set_defaults(func=run)


def _finite_size(args, model) -> int:
    from pathlib import Path

    from diagrams.output.figures import FINITE_SIZE_SETTINGS, write_finite_size_figure

    if model.name not in FINITE_SIZE_SETTINGS:
        raise ValueError(f"--model: the finite-size figure has settings for {', '.join(FINITE_SIZE_SETTINGS)}; "
                         f"for {model.name} call diagrams.output.figures.fig_finite_size with them")
    if not args.out:
        raise ValueError("--out: required (the directory to write the figure into)")
    seed = read_integer(args.seed, "--seed", minimum=0, maximum=2 ** 32 - 1)
    dpi = None if args.dpi is None else read_integer(args.dpi, "--dpi", minimum=30, maximum=1200)
    if args.scheduler is not None and "://" not in args.scheduler:
        raise ValueError(f"--scheduler: the address of a Dask scheduler, e.g. tcp://127.0.0.1:8786, got "
                         f"{args.scheduler!r}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out: {args.out} exists and is not a directory")
    path = write_finite_size_figure(out, model, quick=args.quick, simulate=args.simulate, seed=seed, dpi=dpi,
                                    fmt=args.format, scheduler=args.scheduler)
    if args.json:
        write_json({"model": model.name, "files": [str(path)]})
    else:
        print(path)
    return 0


def _model_figures(args, model) -> int:
    """Any other model: its loss against the ridge (planar route, optimal ridge, simulation) and its
    finite-size figure."""
    from pathlib import Path

    from diagrams.engine.progress import Progress
    from diagrams.output.figures import FINITE_SIZE_SETTINGS, write_model_figures

    if model.name not in FINITE_SIZE_SETTINGS:
        raise ValueError(f"--model: no default figure settings for {model.name}; call "
                         "diagrams.output.figures.fig_model_loss_vs_gamma(model, values=...) from Python")
    if not args.out:
        raise ValueError("--out: required (the directory to write the figures into)")
    seed = read_integer(args.seed, "--seed", minimum=0, maximum=2 ** 32 - 1)
    dpi = None if args.dpi is None else read_integer(args.dpi, "--dpi", minimum=30, maximum=1200)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out: {args.out} exists and is not a directory")
    with Progress(total=2, desc="figures", unit="figure") as bar:
        paths = write_model_figures(out, model, quick=args.quick, simulate=args.simulate, seed=seed, dpi=dpi,
                                    fmt=args.format, scheduler=args.scheduler, progress=bar)
    if args.json:
        write_json({"model": model.name, "files": [str(p) for p in paths]})
        return 0
    for path in paths:
        print(path)
    return 0


def run(args, model) -> int:
    from pathlib import Path

    if getattr(args, "finite_size", False):
        return _finite_size(args, model)
    if "scaling" not in model.analyses:
        return _model_figures(args, model)
    if not args.out:
        raise ValueError("--out: required (the directory to write the figures into)")
    seed = read_integer(args.seed, "--seed", minimum=0, maximum=2 ** 32 - 1)
    dpi = None if args.dpi is None else read_integer(args.dpi, "--dpi", minimum=30, maximum=1200)
    if args.scheduler is not None and "://" not in args.scheduler:
        raise ValueError(f"--scheduler: the address of a Dask scheduler, e.g. tcp://127.0.0.1:8786, got "
                         f"{args.scheduler!r}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out: {args.out} exists and is not a directory")
    from diagrams.output.figures import write_figures

    from diagrams.engine.progress import Progress

    with Progress(total=5, desc="figures", unit="figure", delay=0.0 if not args.quick else 1.0) as bar:
        paths = write_figures(out, quick=args.quick, simulate=args.simulate, seed=seed, dpi=dpi, fmt=args.format,
                              progress=bar, scheduler=args.scheduler)
    if args.json:
        write_json({"model": model.name, "files": [str(p) for p in paths]})
        return 0
    for path in paths:
        print(path)
    return 0
