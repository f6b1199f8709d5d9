"""Helpers shared by the command modules: exact number parsing and common options."""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction

__all__ = ["parse_number", "parse_spectrum", "add_model_number_options", "progress_enabled"]


def parse_number(text: str, name: str, *, positive: bool = False, nonnegative: bool = False,
                 integer: bool = False) -> Fraction:
    """Read ``"3"``, ``"1/3"``, ``"0.25"`` or ``"1e-3"`` exactly as a Fraction; ``name`` is the option."""
    try:
        value = Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name}: cannot read {text!r} as a number (write e.g. 3, 1/3 or 0.25)") from None
    if integer and value.denominator != 1:
        raise ValueError(f"{name}: must be an integer, got {text}")
    if positive and value <= 0:
        raise ValueError(f"{name}: must be > 0, got {text}")
    if nonnegative and value < 0:
        raise ValueError(f"{name}: must be >= 0, got {text}")
    return value


def parse_spectrum(text: str, name: str = "--spectrum") -> list[Fraction]:
    """A comma-separated list of positive numbers (exact)."""
    items = [t for t in str(text).replace(" ", "").split(",") if t]
    if not items:
        raise ValueError(f"{name}: the spectrum is empty; give positive numbers like \"1,1/2,1/3\"")
    return [parse_number(t, name, positive=True) for t in items]


def add_model_number_options(p: argparse.ArgumentParser) -> None:
    """``--N --T --That --spectrum --sigma-u2 --sigma-w2 --C`` (all exact numbers)."""
    g = p.add_argument_group("numbers (substitute into the symbolic result)")
    g.add_argument("--N", dest="N", metavar="n", help="number of features (>= 1)")
    g.add_argument("--T", dest="T", metavar="t", help="number of training samples (>= 1)")
    g.add_argument("--That", dest="That", metavar="th", help="number of test samples (>= 1, default 1)")
    g.add_argument("--spectrum", metavar="l1,l2,...", help="eigenvalues of Lambda = Lambdahat; M = their number")
    g.add_argument("--sigma-u2", dest="sigma_u2", metavar="s", default="1", help="feature weight variance (default 1)")
    g.add_argument("--sigma-w2", dest="sigma_w2", metavar="w", default="1", help="teacher weight variance (default 1)")
    g.add_argument("--C", dest="C", metavar="c", default="1", help="label dimension (default 1)")


def progress_enabled(json_output: bool = False) -> bool:
    """Progress bars go to stderr, only on a terminal and never under ``--json``."""
    return (not json_output) and sys.stderr.isatty()
