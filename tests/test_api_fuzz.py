"""The public API refuses bad input with ValueError -- never TypeError, ZeroDivisionError, a hang or a
silent answer -- naming the parameter."""

import math
import time
from fractions import Fraction

import numpy as np
import pytest

from diagrams.analysis import check, expansion, simulate
from diagrams.engine import numbers
from diagrams.models.registry import load_model

RF = load_model("random-features")
RIDGE = load_model("ridge")

BAD_ORDERS = [-1, 1e30, 10 ** 6, 2.5, "x", None, True, float("nan"), float("inf"), [3], "1/2", Fraction(7, 2)]
BAD_SIZES = [0, -3, 2.5, "1/2", True, float("nan"), float("inf"), 1e30, "abc", [4], 10 ** 12]
BAD_POSITIVE = [0, -1, "x", float("nan"), float("inf"), True, [1], "1/0", -1e-300]
BAD_SPECTRA = [[], [0], [1, -1], [[1, 2], [3, 4]], "1,,2", "abc", [float("nan")], [float("inf")], [True],
               np.array([[1.0, 2.0]])]
GOOD = {"N": 3, "T": 5, "spectrum": [1, "1/2"]}


def _refuses(f, *args, name=None, **kw):
    t = time.monotonic()
    with pytest.raises(ValueError) as err:
        f(*args, **kw)
    assert time.monotonic() - t < 10
    if name is not None:
        assert name in str(err.value), str(err.value)


@pytest.mark.parametrize("bad", BAD_ORDERS)
def test_orders(bad):
    for f in (expansion.terms, expansion.coefficient, expansion.order_summary, expansion.count_all,
              expansion.count_planar_diagrams):
        _refuses(f, RF, bad, name="order")
    _refuses(lambda o: list(expansion.diagrams(RF, o)), bad, name="order")
    _refuses(check.check_orders, RF, bad, name="order")
    _refuses(numbers.check_order, bad, maximum=40)


@pytest.mark.parametrize("bad", BAD_SIZES)
@pytest.mark.parametrize("name", ["N", "T", "That", "C"])
def test_sizes(name, bad):
    _refuses(RF.read_values, {**GOOD, name: bad}, name=name)
    _refuses(expansion.coefficient, RF, 1, values={**GOOD, name: bad}, name=name)


@pytest.mark.parametrize("bad", BAD_POSITIVE)
@pytest.mark.parametrize("name", ["sigma_u2", "sigma_w2"])
def test_positive_numbers(name, bad):
    _refuses(RF.read_values, {**GOOD, name: bad}, name=name)


@pytest.mark.parametrize("bad", BAD_SPECTRA)
def test_spectra(bad):
    _refuses(RF.read_values, {**GOOD, "spectrum": bad}, name="spectrum")
    _refuses(simulate.simulate, RIDGE, {"T": 4, "spectrum": bad}, 0.1, trials=2, name="spectrum")


@pytest.mark.parametrize("kw,name", [
    ({"gamma": 0}, "gamma"), ({"gamma": -1}, "gamma"), ({"gamma": float("nan")}, "gamma"), ({"gamma": 1e-320}, "gamma"),
    ({"gamma": "1e400"}, "gamma"), ({"gamma": True}, "gamma"), ({"trials": 0}, "trials"), ({"trials": 1e30}, "trials"),
    ({"trials": 2.5}, "trials"), ({"seed": -1}, "seed"), ({"seed": "x"}, "seed"),
])
def test_simulate_arguments(kw, name):
    args = {"gamma": 0.1, "trials": 2, "seed": 0}
    args.update(kw)
    g = args.pop("gamma")
    _refuses(simulate.simulate, RIDGE, {"T": 4, "spectrum": [1, 0.5]}, g, name=name, **args)


def test_a_missing_value_is_not_bad_but_required_where_needed():
    """None means 'not given': defaults apply, and a method that needs the value says so."""
    assert RF.read_values({**GOOD, "sigma_u2": None})["sigma_u2"] == 1
    _refuses(expansion.coefficient, RF, 1, values={**GOOD, "N": None}, name="N")


def test_models_and_values():
    _refuses(load_model, "no-such-model", name="--model")
    _refuses(load_model, 42, name="--model")
    _refuses(load_model, "/nonexistent/file.py:MODEL", name="--model")
    _refuses(RF.read_values, {"bogus": 1}, name="bogus")
    _refuses(RF.read_values, {"N": 3}, require=["N", "T", "spectrum"], name="T")
    _refuses(expansion.coefficient, "random-features", 1, name="model")
    _refuses(check.check_orders, RF, 2, symbolic_max=99, name="symbolic_max")


def test_ridge_closed_form_refuses_bad_input():
    from diagrams.models.ridge.deterministic import ridge_loss, ridge_loss_mp, ridge_loss_series_exact

    _refuses(ridge_loss, 0, 0.1, [1.0], name="T")
    _refuses(ridge_loss, 4, 0, [1.0], name="gamma")
    _refuses(ridge_loss, 4, 1e-320, [1.0], name="gamma")
    _refuses(ridge_loss, 4, 0.1, [], name="spectrum")
    _refuses(ridge_loss_mp, 4, 0.1, [1.0], dps=5, name="dps")
    _refuses(ridge_loss_series_exact, 1e30, 4, [1], name="order")
    assert math.isfinite(ridge_loss(4, 0.1, [1.0, 0.5]))
