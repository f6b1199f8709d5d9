"""Command-line interface: ``diagrams <command> ...`` (also ``python -m diagrams``).

Each command lives in its own module of this package with a ``register(subparsers, model)`` function
that adds its parser and sets ``func`` (a callable taking the parsed arguments and the model, and
returning the exit status).  Options shared by several commands are declared once in
:mod:`diagrams.cli.options`; a model's parameter flags come from its declaration, so the model
(``--model``) is read from the command line before the parser is built.

Errors in the input are reported as one line on stderr with exit status 2 -- never a traceback.
An unexpected internal error is reported the same way with exit status 70 (set ``DIAGRAMS_DEBUG=1``
to see its traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from diagrams import __version__

#: Command modules, in the order ``diagrams --help`` lists them.
COMMANDS = ["models", "enumerate", "check", "series", "solve", "loss", "simulate", "sweep", "scaling", "duality",
            "resum", "figures", "latex"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, status 2 (argparse prints usage otherwise)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def build_parser(model) -> argparse.ArgumentParser:
    parser = _Parser(prog="diagrams", description="Large-N diagrammatics of Gaussian matrix models of learning")
    parser.add_argument("--version", action="version", version=f"nsl-diagrams {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"diagrams.cli.{name.replace('-', '_')}").register(sub, model)
    return parser


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class Interrupted(KeyboardInterrupt):
    """Ctrl-C in a command.  A subclass, so that CPython does not take a KeyboardInterrupt that passed
    through its own code and was then caught here for an unhandled one (it would end the process by
    SIGINT, status -2, after ``main`` returned 130)."""


def _raise_interrupted(signum, frame):
    raise Interrupted()


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), "diagrams")
    try:
        import signal

        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, _raise_interrupted)   # Ctrl-C -> KeyboardInterrupt below
    except ValueError:              # not the main thread (e.g. called from a worker): leave it
        pass
    try:
        from diagrams.cli.options import model_from_argv
        from diagrams.models.registry import load_model

        model = load_model(model_from_argv(argv))
        parser = build_parser(model)
        args = parser.parse_args(argv)
        command = args.command
        return int(args.func(args, model) or 0)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    except KeyboardInterrupt:
        sys.stderr.write("diagrams: interrupted\n")
        return 130
    except (ValueError, OverflowError, ZeroDivisionError) as exc:
        sys.stderr.write(f"diagrams {command}: error: {_one_line(exc)}\n")
        return 2
    except MemoryError:
        sys.stderr.write(f"diagrams {command}: error: out of memory; use a smaller order or size\n")
        return 2
    except OSError as exc:
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        sys.stderr.write(f"diagrams {command}: error: cannot use{where}: {_one_line(exc.strerror or exc)}\n")
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug must still not print a traceback
        if os.environ.get("DIAGRAMS_DEBUG"):
            raise
        sys.stderr.write(f"diagrams {command}: internal error: {type(exc).__name__}: {_one_line(exc)} "
                         "(please report; DIAGRAMS_DEBUG=1 shows the traceback)\n")
        return 70
