"""``diagrams models``: the shipped models and their parameters."""

from __future__ import annotations

import sys

from diagrams.cli.options import add_json, write_json


def register(sub, model) -> None:
    p = sub.add_parser("models", help="list the models and their parameters",
                       description="The shipped models (use one with --model NAME; a model declared in a file "
                                   "loads with --model path/to/file.py:NAME) and their parameters.")
    add_json(p)
    p.set_defaults(func=run)


def run(args, model) -> int:
    from diagrams.models.registry import list_models

    models = list_models()
    if args.json:
        write_json({"models": models})
        return 0
    out = []
    for m in models:
        out.append(f"{m['name']}: {m['description']}")
        for prm in m["parameters"]:
            default = "" if prm["default"] is None else f" (default {prm['default']})"
            out.append(f"    {prm['flag']:<16} {prm['range']}{default}")
        out.append("")
    sys.stdout.write("\n".join(out))
    return 0
