r"""The points of a parameter sweep: axes of values, their grid, and each point's seed.

A point (:class:`SweepPoint`) is a value of every parameter of a declared model and a ridge.
:func:`read_axis` reads the values of one axis from text (lists and ranges ``lo:hi:n[log]``),
:func:`grid` forms every combination of the axes and the ridges, :func:`sweep_point` makes one
point, and :func:`point_seed` gives the seed a sweep simulates a point with (the seeding rule of
:mod:`diagrams.analysis.sweep`).

>>> from diagrams.models.registry import load_model
>>> pts = grid(load_model("ridge"), {"T": "10:30:3", "spectrum": [[1, "1/2"]]}, "0.1")
>>> [(p.values["T"], p.gamma) for p in pts]
[(10, Fraction(1, 10)), (20, Fraction(1, 10)), (30, Fraction(1, 10))]
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Mapping

import numpy as np

from diagrams.engine.numbers import fraction_text, read_fraction, read_integer, read_real, split_list
from diagrams.models.declaration import Model, PowerLaw

__all__ = ["SweepPoint", "read_axis", "sweep_point", "grid", "point_seed", "value_text", "MAX_AXIS", "MAX_POINTS"]

#: Most values one axis (or the ridges) may have.
MAX_AXIS = 100000
#: Most points one sweep may have.
MAX_POINTS = 1000000

_RANGE = re.compile(r"^\s*([^:]+):([^:]+):\s*(\d+)\s*(log)?\s*$")


def _round_half_up(x) -> int:
    return math.floor(x + Fraction(1, 2)) if isinstance(x, Fraction) else int(math.floor(x + 0.5))


def read_axis(text, name: str, *, integer: bool = False) -> list:
    """The values of one sweep axis, from text.

    Grammar (the same as ``--gamma``):

    * one value or a list, separated by commas and/or spaces: ``"100"``, ``"100 200 400"``,
      ``"1/2,1,2"``;
    * ``lo:hi:n`` -- ``n`` evenly spaced values from ``lo`` to ``hi`` (both included; exact
      fractions);
    * ``lo:hi:nlog`` -- ``n`` values evenly spaced in ``log`` (``lo > 0``; the end points exact, the
      others the nearest double, as exact fractions).

    For an **integer** parameter (``integer=True``) a range's values are rounded to the nearest
    integer (halves up) and repeated values dropped, so ``10:1000:5log`` is ``10, 32, 100, 316, 1000``
    and ``1:3:5`` is ``1, 2, 3``; the end points must be integers.  The values are checked against
    the parameter's range later, when points are made (:func:`sweep_point`).

    Parameters
    ----------
    text : str
        The axis.
    name : str
        The parameter (or flag) named in error messages.
    integer : bool
        Whether the parameter is an integer.

    Returns
    -------
    list
        ``int`` values (integer parameters) or ``fractions.Fraction``.

    Raises
    ------
    ValueError
        Not a list or a range, ``hi < lo``, a log range with ``lo <= 0``, more than
        :data:`MAX_AXIS` values.

    Examples
    --------
    >>> read_axis("200:800:4", "T", integer=True)
    [200, 400, 600, 800]
    >>> read_axis("10:1000:5log", "N", integer=True)
    [10, 32, 100, 316, 1000]
    >>> read_axis("0:1:3", "sigma")
    [Fraction(0, 1), Fraction(1, 2), Fraction(1, 1)]
    >>> [float(g) for g in read_axis("1e-2:1:3log", "gamma")]
    [0.01, 0.10000000000000002, 1.0]
    >>> read_axis("5:1:3", "N", integer=True)
    Traceback (most recent call last):
    ...
    ValueError: N: a range lo:hi:n needs lo <= hi, got '5:1:3'
    """
    if not isinstance(text, str):
        raise ValueError(f"{name}: expected text such as '100 200' or '100:800:4', got {text!r}")
    m = _RANGE.match(text)
    if not m:
        items = split_list(text, name)
        if len(items) > MAX_AXIS:
            raise ValueError(f"{name}: at most {MAX_AXIS} values, got {len(items)}")
        return [read_integer(v, name) if integer else read_fraction(v, name) for v in items]
    read = (lambda v: Fraction(read_integer(v, f"{name} (end of a range)"))) if integer else \
        (lambda v: read_fraction(v, name))
    lo, hi = read(m.group(1).strip()), read(m.group(2).strip())
    n = read_integer(m.group(3), f"{name} (number of points)", minimum=1, maximum=MAX_AXIS)
    if hi < lo:
        raise ValueError(f"{name}: a range lo:hi:n needs lo <= hi, got {text!r}")
    if n == 1:
        vals = [lo]
    elif m.group(4):
        if lo <= 0:
            raise ValueError(f"{name}: a log range lo:hi:nlog needs lo > 0, got {text!r}")
        a, b = math.log(float(lo)), math.log(float(hi))
        inner = [math.exp(a + (b - a) * i / (n - 1)) for i in range(1, n - 1)]
        vals = [lo] + [(_round_half_up(v) if integer else Fraction(repr(v))) for v in inner] + [hi]
    else:
        vals = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    if not integer:
        return [Fraction(v) for v in vals]
    out = []
    for v in vals:
        k = _round_half_up(Fraction(v))
        if k not in out:
            out.append(k)
    return out


def value_text(v) -> str:
    """The exact text of a parameter value, from which a point's seed is derived.

    Parameters
    ----------
    v : Fraction, int, list, tuple, PowerLaw or other
        A parameter value as :meth:`~diagrams.models.declaration.Model.read_values` returns it.

    Returns
    -------
    str
        ``"1/2"`` for a fraction, ``"1,1/2"`` for a list of eigenvalues,
        ``"power-law(alpha=..., M=..., lambda_plus=...)"`` for a
        :class:`~diagrams.models.declaration.PowerLaw`, else ``str(v)``.

    Examples
    --------
    >>> value_text(Fraction(1, 2)), value_text(10)
    ('1/2', '10')
    >>> value_text([Fraction(1), Fraction(1, 2)]), value_text(PowerLaw(Fraction(1), 10))
    ('1,1/2', 'power-law(alpha=1, M=10, lambda_plus=1)')
    """
    if isinstance(v, PowerLaw):
        return (f"power-law(alpha={fraction_text(v.alpha)}, M={v.M}, "
                f"lambda_plus={fraction_text(v.lambda_plus)})")
    if isinstance(v, (list, tuple)):
        return ",".join(fraction_text(x) for x in v)
    if isinstance(v, Fraction):
        return fraction_text(v)
    return str(v)


@dataclass(frozen=True)
class SweepPoint:
    """One point of a sweep: a value of every parameter of a declared model, and a ridge.

    Made by :func:`sweep_point` (which validates the values); two points are equal when their ridges
    and identities are.

    Parameters
    ----------
    values : dict
        The validated parameter values (defaults filled in); not compared.
    gamma : Fraction
        The ridge (exact).
    identity : str
        The exact text of the parameter values, ``"name=value; ..."`` (what the point's seed is
        derived from, :func:`point_seed`).

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> p = sweep_point(load_model("ridge"), {"T": 10, "spectrum": "1 1/2"}, "0.1")
    >>> p == SweepPoint({}, Fraction(1, 10), p.identity)
    True
    >>> p.values["T"], p.gamma
    (10, Fraction(1, 10))
    """

    values: dict = field(compare=False)
    gamma: Fraction
    identity: str


def _all(model: Model) -> list[str]:
    return [p.name for p in model.parameters]


def sweep_point(model: Model, values: Mapping, gamma) -> SweepPoint:
    """A sweep point of ``model``: its parameter values (validated, defaults filled in) and a ridge.

    Parameters
    ----------
    model : Model
        The declared model.
    values : mapping
        Parameter name -> value (as :meth:`~diagrams.models.declaration.Model.read_values` takes
        them); every parameter without a default must be given.
    gamma : number
        The ridge, > 0 and a normal double.

    Returns
    -------
    SweepPoint

    Raises
    ------
    ValueError
        A value outside its parameter's range (the message names the parameter), a missing one, or
        a bad ridge.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> p = sweep_point(load_model("ridge"), {"T": 10, "spectrum": "1 1/2"}, "1e-3")
    >>> p.gamma, p.identity
    (Fraction(1, 1000), 'T=10; That=1; spectrum=1,1/2; sigma_w2=1; C=1')
    """
    if not isinstance(model, Model):
        raise ValueError(f"model: expected a declared Model, got {type(model).__name__}")
    vals = model.read_values(values, require=_all(model))
    g = read_fraction(gamma, "gamma", minimum=0, strict_minimum=True)
    read_real(g, "gamma", minimum=0, strict_minimum=True)
    identity = "; ".join(f"{p.name}={value_text(vals[p.name])}" for p in model.parameters if p.name in vals)
    return SweepPoint(vals, g, identity)


def grid(model: Model, axes: Mapping, gammas) -> list[SweepPoint]:
    """Every combination of the parameter axes and the ridges, as sweep points.

    Parameters
    ----------
    model : Model
        The declared model.
    axes : mapping
        Parameter name -> its values: a sequence, or for an integer or number parameter a text in the
        grammar of :func:`read_axis`.  For a spectrum, a sequence of spectra (each a list of
        eigenvalues, a text ``"1,1/2"`` or a :class:`~diagrams.models.declaration.PowerLaw`).
        Parameters not given take their defaults.
    gammas : sequence or str
        The ridges (a sequence, or a text in the grammar of :func:`read_axis`).

    Returns
    -------
    list of SweepPoint
        In the order of the model's parameters, the last varying fastest, the ridge fastest of all.

    Raises
    ------
    ValueError
        An unknown parameter, a bad axis or value (naming the parameter), more than :data:`MAX_POINTS`
        points -- checked before any point is made.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> rf = load_model("random-features")
    >>> pts = grid(rf, {"N": "100 200", "T": "200:800:4", "spectrum": [PowerLaw(Fraction(1), 1000)]},
    ...            "1e-6:1e1:40log")
    >>> len(pts), pts[0].values["N"], pts[40].values["T"], float(pts[39].gamma)
    (320, 100, 400, 10.0)
    """
    if not isinstance(model, Model):
        raise ValueError(f"model: expected a declared Model, got {type(model).__name__}")
    if not isinstance(axes, Mapping):
        raise ValueError(f"axes: expected a mapping of parameter names to values, got {type(axes).__name__}")
    names = _all(model)
    unknown = [k for k in axes if k not in names]
    if unknown:
        raise ValueError(f"axes: {model.name} has no parameter {unknown[0]!r}; it has {', '.join(names)}")
    lists = []
    for p in model.parameters:
        if p.name not in axes:
            continue
        ax = axes[p.name]
        if isinstance(ax, str):
            if p.kind == "spectrum":
                raise ValueError(f"{p.name}: an axis of spectra is a list of spectra, e.g. [[1, '1/2']] or "
                                 f"[PowerLaw(1, 1000)]")
            ax = read_axis(ax, p.name, integer=p.kind == "integer")
        else:
            try:
                ax = list(ax)
            except TypeError:
                raise ValueError(f"{p.name}: an axis is a list of values or a text, got {ax!r}") from None
            if p.kind == "spectrum" and any(not isinstance(s, (str, PowerLaw, list, tuple, np.ndarray))
                                            for s in ax):
                raise ValueError(f"{p.name}: an axis of spectra is a list of spectra, e.g. [[1, '1/2']] or "
                                 f"[PowerLaw(1, 1000)]")
        if not ax:
            raise ValueError(f"{p.name}: the axis is empty")
        if len(ax) > MAX_AXIS:
            raise ValueError(f"{p.name}: at most {MAX_AXIS} values, got {len(ax)}")
        lists.append((p.name, ax))
    gs = read_axis(gammas, "gamma") if isinstance(gammas, str) else list(gammas)
    if not gs:
        raise ValueError("gamma: no ridge given")
    total = len(gs)
    for _, ax in lists:
        total *= len(ax)
    if total > MAX_POINTS:
        raise ValueError(f"axes: the grid has {total} points, more than {MAX_POINTS}; sweep a smaller grid")
    out = []
    for combo in itertools.product(*(ax for _, ax in lists)):
        raw = dict(zip((n for n, _ in lists), combo))
        base = sweep_point(model, raw, gs[0])
        out.append(base)
        for g in gs[1:]:
            out.append(sweep_point(model, base.values, g))
    return out


def point_seed(model: Model, point: SweepPoint, seed: int) -> int:
    """The seed a sweep simulates one of its points with, by the seeding rule of the sweep module.

    The seed depends on the model's name, the point's parameter values (its ``identity``) and the
    sweep's seed, not on the ridge: the points of one parameter value share a simulation.

    Parameters
    ----------
    model : Model
        The declared model.
    point : SweepPoint
        The point.
    seed : int
        The sweep's seed, ``0 <= seed <= 2**63 - 1``.

    Returns
    -------
    int
        A seed in ``[0, 2**63)``, from SHA-256 of the model's name and the point's identity mixed with
        ``seed`` by :class:`numpy.random.SeedSequence`.

    Raises
    ------
    ValueError
        If ``seed`` is not an integer in ``[0, 2**63 - 1]``.

    Examples
    --------
    >>> from diagrams.models.registry import load_model
    >>> m = load_model("ridge")
    >>> a = sweep_point(m, {"T": 10, "spectrum": "1 1/2"}, "0.1")
    >>> b = sweep_point(m, {"T": 10, "spectrum": "1 1/2"}, "10")
    >>> point_seed(m, a, 0) == point_seed(m, b, 0) != point_seed(m, a, 1)
    True
    """
    seed = read_integer(seed, "seed", minimum=0, maximum=2 ** 63 - 1)
    digest = hashlib.sha256(f"{model.name}\n{point.identity}".encode()).digest()
    words = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 32, 4)]
    state = np.random.SeedSequence([seed & 0xFFFFFFFF, seed >> 32, *words]).generate_state(2, np.uint32)
    return (int(state[0]) | (int(state[1]) << 32)) >> 1
