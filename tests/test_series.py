"""Tests of the 1/gamma Taylor series of Eq. (104): diagrams.models.random_features.closed_form_series.

Independent routes: the mpmath closed form at large gamma (truncation error must fall like
gamma^-(K+1)), the symbolic series evaluated with numbers against the exact-rational series, and
the first two coefficients derived by hand.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy

from diagrams.models.random_features import closed_form_series as S
from diagrams.engine.symbols import CovarianceTrace, evaluate_traces, trace_symbol
from diagrams.models.random_features import closed_form as cf
from diagrams.models.random_features.model import C, M, N, T, sigma_w2


def test_low_orders_by_hand():
    c = S.closed_form_series(2)
    # gamma -> inf: <L> = C sigma_w2/(2M) tr Lambdahat
    assert sympy.expand(c[0] - C * sigma_w2 / (2 * M) * trace_symbol("Lambdahat")) == 0
    # l = tr Lambdahat - 2 a tr(Lambdahat Lambda Sigma) + ..., a = N T/gamma + O(gamma^-2), D = 1 + O(gamma^-2)
    c1 = -2 * N * T * trace_symbol("Lambdahat", "Lambda", "Sigma") * C * sigma_w2 / (2 * M)
    assert sympy.expand(c[1] - c1) == 0


def test_trace_symbols_are_the_canonical_latent_traces():
    c = S.closed_form_series(4)
    allowed_words = {trace_symbol(("Lambda", "Sigma") * n).word for n in range(1, 6)}
    allowed_words |= {trace_symbol(("Lambdahat",) + ("Lambda", "Sigma") * n).word for n in range(0, 5)}
    for ck in c:
        for sym in ck.free_symbols:
            if isinstance(sym, CovarianceTrace):
                assert sym.word in allowed_words
            else:
                assert sym in {N, T, M, C, sigma_w2}
    assert S.lambda_sigma_trace(2) == trace_symbol("Sigma", "Lambda", "Sigma", "Lambda")
    assert S.lambdahat_trace(1) == trace_symbol("Lambda", "Sigma", "Lambdahat")


def test_symbolic_series_is_symmetric_in_N_T():
    for ck in S.closed_form_series(6):
        swapped = ck.xreplace({N: T, T: N})
        assert sympy.expand(ck - swapped) == 0


def test_symbolic_order_8_matches_exact_series():
    c = S.closed_form_series(8)            # its time is measured in benchmarks/closed_form.py
    spec = ["1", "1/2", "1/3", "2/7"]
    su, sw, CC, Nv, Tv = Fraction(1, 3), Fraction(3, 2), 2, 3, 5
    Mv = len(spec)
    exact = S.closed_form_series_exact(8, Nv, Tv, spec, sigma_u2=su, sigma_w2=sw, C=CC)
    diag = {"Lambda": spec, "Lambdahat": spec, "Sigma": [su / Mv] * Mv}
    sizes = {"N": Nv, "T": Tv, "M": Mv, "C": CC, "sigma_w2": sw}
    for k in range(9):
        val = evaluate_traces(c[k], diag, sizes)
        assert val == exact[k], k


@pytest.mark.parametrize("K", [1, 3, 5, 8])
def test_truncated_series_vs_mpmath_closed_form(K):
    """|<L>(gamma) - sum_{k<=K} c_k gamma^-k| ~ |c_{K+1}| gamma^-(K+1) at large gamma."""
    Nv, Tv, spec, su = 3, 5, ["1", "1/2", "1/3", "1/4"], "2/3"
    c = S.closed_form_series_exact(K + 1, Nv, Tv, spec, sigma_u2=su, sigma_w2="5/4", C=2)
    errs = []
    with mpmath.workdps(60):
        cm = [mpmath.mpf(int(x.p)) / int(x.q) for x in c]
        for g in (400, 800, 1600):
            L = cf.closed_form_loss_mp(Nv, Tv, g, spec, sigma_u2=su, sigma_w2="5/4", C=2, dps=60).loss
            gm = mpmath.mpf(g)
            err = L - mpmath.fsum(cm[k] * gm ** -k for k in range(K + 1))
            errs.append(err)
            assert abs(err * gm ** (K + 1) / cm[K + 1] - 1) < 0.15
        for e1, e2 in zip(errs, errs[1:]):
            assert abs(e1 / e2 / 2 ** (K + 1) - 1) < 0.1


def test_exact_order_20_accurate():
    Nv, Tv, spec = 4, 7, ["1", "1/4", "1/9", "1/16", "1/25"]
    c = S.closed_form_series_exact(21, Nv, Tv, spec, sigma_u2="1/2")
    assert len(c) == 22 and all(isinstance(x, sympy.Rational) for x in c)
    g = 2000
    with mpmath.workdps(80):
        L = cf.closed_form_loss_mp(Nv, Tv, g, spec, sigma_u2="1/2", dps=80).loss
        cm = [mpmath.mpf(int(x.p)) / int(x.q) for x in c]
        err = L - mpmath.fsum(cm[k] * mpmath.mpf(g) ** -k for k in range(21))
        bound = abs(cm[21]) * mpmath.mpf(g) ** -21
        assert abs(err) < 2 * bound
        assert abs(err) > 0.5 * bound                   # the next term is what is left


def test_exact_inputs_equivalent_forms():
    a = S.closed_form_series_exact(6, 3, 4, ["1", "1/2", "1/3"], sigma_u2="1/2", sigma_w2=2, C=3)
    b = S.closed_form_series_exact(6, Fraction(3), "4", [1, Fraction(1, 2), sympy.Rational(1, 3)],
                                   sigma_u2=Fraction(1, 2), sigma_w2="2", C="3")
    d = S.closed_form_series_exact(6, 3, 4, [1.0, 0.5, "1/3"], sigma_u2=0.5, sigma_w2=2.0, C=3)
    assert a == b == d


def test_exact_non_integer_sizes():
    # N, T rational but not integers: same numbers through the symbolic series
    c = S.closed_form_series(4)
    Nv, Tv, spec = Fraction(5, 2), Fraction(7, 3), ["1", "1/3"]
    exact = S.closed_form_series_exact(4, Nv, Tv, spec)
    diag = {"Lambda": spec, "Lambdahat": spec, "Sigma": ["1/2", "1/2"]}
    sizes = {"N": Nv, "T": Tv, "M": 2, "C": 1, "sigma_w2": 1}
    assert [evaluate_traces(ck, diag, sizes) for ck in c] == exact


@pytest.mark.parametrize("kwargs, name", [
    (dict(order=-1), "order"), (dict(order=2.5), "order"),
    (dict(N=0), "N"), (dict(T="1/2"), "T"), (dict(spectrum=[]), "spectrum"),
    (dict(spectrum=["1", "-1"]), "spectrum"), (dict(spectrum=["1", "x"]), "spectrum"),
    (dict(sigma_u2=0), "sigma_u2"), (dict(sigma_w2="-1"), "sigma_w2"), (dict(C=0), "C"),
])
def test_exact_bad_input(kwargs, name):
    args = dict(order=3, N=3, T=4, spectrum=["1", "1/2"])
    args.update(kwargs)
    with pytest.raises(ValueError, match=rf"^{name}:"):
        S.closed_form_series_exact(**args)


def test_symbolic_bad_order():
    with pytest.raises(ValueError, match="order"):
        S.closed_form_series(-2)
