r"""The command-line options shared by the commands, declared once.

* :func:`add_model_options` -- ``--model`` and every parameter flag of the chosen model, generated
  from its declaration (:class:`~diagrams.models.declaration.Parameter`: flag, help, default,
  range), with the power-law alternative ``--alpha --M --lambda-plus`` wherever a spectrum is;
* :func:`read_values` -- the flags back to validated parameter values (errors name the flag);
* :func:`add_order` / :func:`read_order` -- one ``--order`` with the per-method maxima in ``--help``;
* :func:`add_gamma` / :func:`read_gammas` -- ``--gamma`` as one value, a list (commas and/or spaces)
  or a range ``lo:hi:n`` / ``lo:hi:nlog``;
* :func:`add_json`, :func:`add_dps`, :func:`add_trials`, :func:`add_out`.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from fractions import Fraction

from diagrams.engine.numbers import check_order, read_fraction, read_integer, read_list, split_list

__all__ = [
    "add_model_options", "read_values", "model_from_argv", "add_order", "read_order", "add_gamma",
    "read_gammas", "add_json", "add_dps", "read_dps", "add_trials", "progress_enabled", "parameter_summary", "MAX_GAMMAS",
    "MAX_DPS",
]

#: Most ridges one command evaluates.
MAX_GAMMAS = 100000
#: Highest mpmath precision (decimal digits).
MAX_DPS = 2000


def model_from_argv(argv) -> str | None:
    """The ``--model`` value in ``argv`` (before parsing: the model decides the other flags)."""
    for i, a in enumerate(argv):
        if a == "--model" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--model="):
            return a.split("=", 1)[1]
    return None


def add_model_options(p: argparse.ArgumentParser, model, *, title: str = "model parameters") -> None:
    """``--model`` and the parameter flags of ``model`` (strings; read with :func:`read_values`)."""
    p.add_argument("--model", metavar="NAME", default=model.name,
                   help="model: random-features (default), ridge, deep-random-features, or path/to/file.py:NAME "
                        "(see 'diagrams models')")
    g = p.add_argument_group(f"{title} ({model.name})")
    seen = set()
    for prm in model.parameters:
        if prm.kind == "spectrum":
            g.add_argument(prm.flag, dest=prm.name, metavar="l1,l2,...", default=None,
                           help=f"{prm.help} (commas and/or spaces; exact fractions like 1/3 allowed)")
            if prm.power_law:
                alpha, size, lplus = prm.power_law
                g.add_argument(alpha, dest=f"{prm.name}__alpha", metavar="a", default=None,
                               help=f"instead of {prm.flag}: power law lambda_I = lambda_+ I^-(1+a), a > 0")
                for flag, what in ((size, "number M of eigenvalues of the power law (integer >= 1)"),
                                   (lplus, "largest eigenvalue lambda_+ > 0 of the power law (default 1)")):
                    if flag not in seen:
                        seen.add(flag)
                        g.add_argument(flag, dest=f"power__{flag.lstrip('-').replace('-', '_')}", metavar="v",
                                       default=None, help=what)
            continue
        default = "" if prm.default is None else f"; default {prm.default}"
        g.add_argument(prm.flag, dest=prm.name, metavar="v", default=None,
                       help=f"{prm.help} ({prm.range_text}{default})")


def read_values(args, model, *, require=None, double: bool = False) -> dict:
    """The model's parameter values from parsed flags (validated; errors name the flag).

    ``double``: the command computes in double precision, so every number (and spectrum entry) must
    be a normal double (no overflow, no underflow to a denormal or zero); checked here so that the
    message names the flag.
    """
    values = _read_values(args, model, require=require)
    if double:
        from diagrams.engine.numbers import read_real
        from diagrams.models.declaration import PowerLaw

        for prm in model.parameters:
            v = values.get(prm.name)
            if v is None or (prm.kind == "spectrum" and prm.default is not None and values.get(prm.default) is v):
                continue
            flag = prm.flag
            if prm.kind == "spectrum":
                if isinstance(v, PowerLaw):
                    flag = prm.power_law[0] if getattr(args, f"{prm.name}__alpha", None) is not None else flag
                    read_real(v.alpha, prm.power_law[0], minimum=0, strict_minimum=True)
                    read_real(v.lambda_plus, prm.power_law[2], minimum=0, strict_minimum=True)
                    if not v.floats().min() > 2.3e-308:
                        raise ValueError(f"{prm.power_law[0]}: the smallest eigenvalue lambda_+ M^-(1+alpha) "
                                         "underflows double precision; use a smaller alpha or M")
                else:
                    for x in v:
                        read_real(x, flag, minimum=0, strict_minimum=True)
            elif prm.kind == "number" and v != 0:
                read_real(v, flag, minimum=prm.minimum, strict_minimum=prm.strict_minimum)
    return values


def _read_values(args, model, *, require=None) -> dict:
    from diagrams.models.declaration import PowerLaw

    raw = {}
    for prm in model.parameters:
        v = getattr(args, prm.name, None)
        if prm.kind == "spectrum" and prm.power_law:
            alpha_flag, size_flag, lplus_flag = prm.power_law
            a = getattr(args, f"{prm.name}__alpha", None)
            size = getattr(args, f"power__{size_flag.lstrip('-').replace('-', '_')}", None)
            lplus = getattr(args, f"power__{lplus_flag.lstrip('-').replace('-', '_')}", None)
            if a is not None:
                if v is not None:
                    raise ValueError(f"{prm.flag}: give either {prm.flag} or {alpha_flag} (with {size_flag}), not both")
                if size is None and prm.default is None:
                    raise ValueError(f"{size_flag}: needed with {alpha_flag} (the number of eigenvalues, integer >= 1)")
                if size is None:
                    raise ValueError(f"{size_flag}: needed with {alpha_flag} (the number of eigenvalues, integer >= 1)")
                v = PowerLaw(read_fraction(a, alpha_flag, minimum=0, strict_minimum=True, maximum=1000),
                             read_integer(size, size_flag, minimum=1, maximum=10 ** 7),
                             read_fraction(lplus if lplus is not None else 1, lplus_flag, minimum=0,
                                           strict_minimum=True, maximum=1e100))
            elif v is None and prm.default is None and (size is not None or lplus is not None):
                raise ValueError(f"{alpha_flag}: {size_flag} and {lplus_flag} describe a power law; give "
                                 f"{alpha_flag} too (or {prm.flag})")
        if v is not None:
            raw[prm.name] = v
    return model.read_values(raw, label="flag", require=require)


def add_order(p: argparse.ArgumentParser, maxima: dict, *, required: bool = True, flag: str = "--order",
              what: str = "highest order K >= 0 in 1/gamma") -> None:
    """``--order K``; ``maxima`` maps a method to its largest order (stated in ``--help``)."""
    limits = "; ".join(f"{k}: K <= {v}" for k, v in maxima.items())
    p.add_argument(flag, required=required, metavar="K", help=f"{what} ({limits})")


def read_order(text, maximum: int, *, flag: str = "--order", method: str = "") -> int:
    """An order from the command line, at most ``maximum`` (checked before any work)."""
    name = f"{flag} ({method})" if method else flag
    try:
        return check_order(text, flag, maximum=maximum)
    except ValueError as exc:
        raise ValueError(str(exc).replace(flag, name, 1)) from None


def add_gamma(p, *, required: bool = False, help_extra: str = "") -> None:
    p.add_argument("--gamma", metavar="g", default=None, required=required,
                   help="ridge gamma > 0: one value, a list (commas and/or spaces: '1e-3,1e-2 0.1') or a range "
                        "'lo:hi:n' (n evenly spaced) / 'lo:hi:nlog' (n log-spaced)" + help_extra)


_RANGE = re.compile(r"^\s*([^:]+):([^:]+):\s*(\d+)\s*(log)?\s*$")


def read_gammas(text, *, flag: str = "--gamma", exact: bool = True) -> list:
    """Ridges from ``--gamma``: exact Fractions for values and lists; a range gives floats (``exact=False``)."""
    if text is None:
        raise ValueError(f"{flag}: required (a ridge > 0, a list, or a range lo:hi:n[log])")
    m = _RANGE.match(str(text))
    if m:
        lo = read_fraction(m.group(1).strip(), flag, minimum=0, strict_minimum=True)
        hi = read_fraction(m.group(2).strip(), flag, minimum=0, strict_minimum=True)
        n = read_integer(m.group(3), f"{flag} (number of points)", minimum=1, maximum=MAX_GAMMAS)
        if hi < lo:
            raise ValueError(f"{flag}: a range lo:hi:n needs lo <= hi, got {text!r}")
        if m.group(4):
            a, b = math.log(float(lo)), math.log(float(hi))
            vals = [math.exp(a + (b - a) * i / (n - 1)) if n > 1 else float(lo) for i in range(n)]
            out = [Fraction(repr(v)) for v in vals]
            if out:
                out[0], out[-1] = lo, hi if n > 1 else lo
            return out
        return [lo + (hi - lo) * i / (n - 1) if n > 1 else lo for i in range(n)]
    items = split_list(str(text), flag)
    if len(items) > MAX_GAMMAS:
        raise ValueError(f"{flag}: at most {MAX_GAMMAS} values, got {len(items)}")
    return read_list(items, flag, minimum=0, strict_minimum=True)


def add_json(p) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")


def add_dps(p) -> None:
    p.add_argument("--dps", metavar="D", default=None,
                   help=f"evaluate in mpmath at D decimal digits (integer in [15, {MAX_DPS}]) instead of double precision")


def read_dps(text):
    return None if text is None else read_integer(text, "--dps", minimum=15, maximum=MAX_DPS)


def add_trials(p, default: int = 20) -> None:
    p.add_argument("--trials", metavar="k", default=str(default),
                   help=f"number of independent draws (integer in [1, 10000000], default {default})")
    p.add_argument("--seed", metavar="s", default="0", help="seed (integer >= 0, default 0)")


def parameter_summary(model, values) -> dict:
    """The parameters as plain JSON values: integers, floats (numbers), spectra by their length and
    power law, and the size of every space (e.g. ``M``)."""
    from fractions import Fraction

    from diagrams.models.declaration import PowerLaw

    out = {}
    for prm in model.parameters:
        if prm.name not in values:
            continue
        v = values[prm.name]
        if prm.kind == "spectrum" and prm.default is not None and values.get(prm.default) is v:
            continue                     # the same as the spectrum it defaults to
        if prm.kind == "spectrum":
            if isinstance(v, PowerLaw):
                key = "" if prm.name == "spectrum" else "_" + prm.name.split("_", 1)[-1]
                out["alpha" + key] = float(v.alpha)
                out["lambda_plus"] = float(v.lambda_plus)
            elif len(v) <= 64:
                out[prm.name] = [float(x) for x in v]
        elif isinstance(v, Fraction):
            out[prm.name] = int(v) if v.denominator == 1 else float(v)
        else:
            out[prm.name] = v
    for sp in model.spaces.values():
        try:
            out.setdefault(str(sp.size), model.size_of(sp, values))
        except ValueError:
            pass
    return out


def progress_enabled(json_output: bool = False) -> bool:
    """Progress goes to stderr; always allowed (it never touches stdout)."""
    return True


def write_json(obj) -> None:
    """One JSON object on stdout; NaN and infinities are refused (they are not JSON)."""
    import json

    sys.stdout.write(json.dumps(obj, allow_nan=False) + "\n")
