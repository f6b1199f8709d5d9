"""The engine's one building block of each kind (docs/architecture.md), against independent routes.

* ``engine.series.compose`` (a power series at a series) against sympy's own Taylor expansion of the
  closed function, and against ``Series.inverse``;
* ``engine.wick.MonomialSum`` (polynomials in face monomials) against sympy's expansion of the
  product of the valued sums;
* ``engine.wick.monomial_value`` / ``sum_monomials`` with a numeric trace against
  ``engine.symbols.evaluate_traces`` of the symbolic value;
* ``engine.symbols.diagonal_trace`` against the trace of a product of explicit diagonal matrices;
* ``engine.numbers.to_mpf`` against mpmath's own division at the working precision.
"""

from __future__ import annotations

import random
from fractions import Fraction
from math import comb

import mpmath
import pytest
import sympy

from diagrams.engine.numbers import to_mpf
from diagrams.engine.series import Series, compose
from diagrams.engine.spaces import Space
from diagrams.engine.symbols import diagonal_trace, evaluate_traces
from diagrams.engine.wick import MonomialSum, monomial_value, sum_monomials

e = sympy.Symbol("e")


def _sympy_coefficients(expr, order):
    ser = sympy.series(expr, e, 0, order + 1).removeO()
    return [Fraction(str(sympy.expand(ser).coeff(e, k))) for k in range(order + 1)]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_compose_is_the_taylor_series_of_the_closed_function(k):
    """sum_n C(n+k-1, k-1) (-a)^n at a = 2e + 3e^2 - e^3 is (1 + a)^-k."""
    order = 7
    a = Series([0, 2, 3, -1], 0, order + 1)
    got = compose(lambda n: (-1) ** n * comb(n + k - 1, k - 1), a).coefficients(order)
    want = _sympy_coefficients((1 + 2 * e + 3 * e ** 2 - e ** 3) ** -k, order)
    assert got == want
    wrong = compose(lambda n: (-1) ** n * comb(n + k, k), a).coefficients(order)   # (1 + a)^-(k+1)
    assert wrong != want


def test_compose_geometric_equals_the_inverse():
    rng = random.Random(3)
    for _ in range(5):
        x = Series([0] + [Fraction(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(6)], 0, 7)
        assert compose(lambda n: 1, x).coefficients() == (1 - x).inverse().coefficients(6)


def test_compose_knows_only_what_the_inner_series_knows():
    x = Series([0, 1], 0, 3)
    assert compose(lambda n: 1, x).prec == 3
    assert compose(lambda n: 1, x, prec=2).prec == 2
    with pytest.raises(ValueError, match="must vanish"):
        compose(lambda n: 1, Series([1, 1], 0, 3))


def test_monomial_sum_multiplies_like_the_valued_polynomials():
    V, W = Space("v", "n"), Space("w", "m")
    spaces = {"v": V, "w": W}
    faces = [("v", ()), ("w", ()), ("v", ("A",)), ("w", ("A", "B")), ("v", ("B", "B"))]
    rng = random.Random(5)

    def random_sum():
        out = MonomialSum()
        for _ in range(4):
            key = tuple(sorted(rng.sample(faces, rng.randint(1, 3))))
            out[key] = out.get(key, 0) + rng.randint(-3, 3)
        return out

    for _ in range(10):
        a, b = random_sum(), random_sum()
        prod = sympy.expand(sum_monomials(a, spaces) * sum_monomials(b, spaces))
        assert sympy.expand(sum_monomials(a * b, spaces)) == prod
        assert sympy.expand(sum_monomials(a + b, spaces) - sum_monomials(a, spaces) - sum_monomials(b, spaces)) == 0


def test_numeric_valuation_agrees_with_evaluate_traces():
    diag = {"A": [1, "1/2", "2/3"], "B": ["3/2", "1/5", 2]}
    weights = {(("v", ()), ("v", ("A", "B"))): 3, (("w", ()), ("w", ("A", "A", "B"))): -2,
               (("v", ("B",)), ("w", ()), ("w", ())): 5}
    symbolic = sum_monomials(weights, {"v": Space("v", "n"), "w": Space("w", "m")})
    reference = evaluate_traces(symbolic, diag, {"n": 4, "m": Fraction(7, 2)})
    numeric = sum_monomials(weights, {"v": 4, "w": Fraction(7, 2)}, trace=lambda w: diagonal_trace(w, diag))
    assert numeric == Fraction(int(reference.p), int(reference.q))
    key = next(iter(weights))
    assert monomial_value(key, {"v": 4}, trace=lambda w: diagonal_trace(w, diag)) == \
        4 * diagonal_trace(("A", "B"), diag)


def test_diagonal_trace_is_the_trace_of_the_matrix_product():
    diag = {"A": ["1/2", 3, "-2/7"], "B": [1, "1/3", 5]}
    mats = {k: sympy.diag(*[sympy.Rational(v) for v in vs]) for k, vs in diag.items()}
    for word in (("A",), ("A", "B"), ("B", "A", "A"), ("A", "B", "A", "B", "B")):
        prod = sympy.eye(3)
        for name in word:
            prod = prod * mats[name]
        assert diagonal_trace(word, diag) == Fraction(str(prod.trace()))
    assert diagonal_trace((), diag) == 3
    with pytest.raises(ValueError, match="no diagonal given for 'C'"):
        diagonal_trace(("A", "C"), diag)


def test_to_mpf_divides_at_the_working_precision():
    with mpmath.workdps(60):
        x = to_mpf(Fraction(2, 7))
        assert x == mpmath.mpf(2) / 7
        assert abs(x - mpmath.mpf("0.285714285714285714285714285714285714285714285714285714285714")) < mpmath.mpf(10) ** -58
        assert to_mpf("1/3") == mpmath.mpf(1) / 3 and to_mpf(sympy.Rational(5, 3)) == mpmath.mpf(5) / 3
    with pytest.raises(ValueError, match="value"):
        to_mpf("one third")
