"""Command-line interface: ``diagrams <command> ...`` (also ``python -m diagrams``).

Each command lives in its own module of this package with a ``register(subparsers)`` function
that adds its parser and sets ``func`` (a callable taking the parsed arguments and returning the
exit status).  Errors in the input are reported as one line on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from diagrams import __version__

#: Command modules, in the order they are listed by ``diagrams --help``.
COMMANDS = ["enumerate", "check", "loss", "simulate", "scaling", "duality", "resum", "figures", "latex"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, status 2 (argparse prints usage otherwise)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="diagrams", description="Large-N diagrammatics of neural scaling laws")
    parser.add_argument("--version", action="version", version=f"nsl-diagrams {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        importlib.import_module(f"diagrams.cli.{name.replace('-', '_')}").register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ValueError as exc:
        sys.stderr.write(f"diagrams {args.command}: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("diagrams: interrupted\n")
        return 130
