"""Bad values for every public function of the random-feature closed form, noise, series, check,
scaling laws and simulation: each is refused at once with a ``ValueError`` whose message starts with
the parameter's name (the API counterpart of the one-line CLI errors).

The table covers the kinds of bad input that used to slip through: ``True`` taken as 1, a 2-D
spectrum flattened, NaN or negative tolerances, values that overflow double precision (``1e400``) or
are denormal (``1e-320``), and orders such as ``1e30`` that would run for hours.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from diagrams.models.random_features import closed_form as cf
from diagrams.models.random_features import closed_form_series as cs
from diagrams.models.random_features import duality as du
from diagrams.models.random_features import noise as nz
from diagrams.models.random_features import resolvent as rv
from diagrams.models.random_features import resum as rs
from diagrams.models.random_features import scaling as sc
from diagrams.models.random_features import simulate as sm

LAM = [1.0, 0.5, 0.25]
NAN, INF = float("nan"), float("inf")

# function, good keyword arguments
GOOD = {
    "closed_form_loss": (cf.closed_form_loss, dict(N=10, T=20, gamma=0.1, spectrum=LAM)),
    "closed_form_loss_mp": (cf.closed_form_loss_mp, dict(N=10, T=20, gamma=0.1, spectrum=LAM, dps=20)),
    "optimal_ridge": (cf.optimal_ridge, dict(N=10, T=20, spectrum=LAM)),
    "ridgeless_loss": (cf.ridgeless_loss, dict(N=10, T=20, spectrum=LAM)),
    "power_law_spectrum": (cf.power_law_spectrum, dict(M=10, alpha=1.0)),
    "noise_loss": (nz.noise_loss, dict(N=10, T=20, gamma=0.1, spectrum=LAM, sigma_eps2=0.1)),
    "noise_loss_mp": (nz.noise_loss_mp, dict(N=10, T=20, gamma=0.1, spectrum=LAM, sigma_eps2=0.1, dps=20)),
    "noise_series_exact": (nz.noise_series_exact, dict(order=3, N=2, T=3, spectrum=["1", "1/2"])),
    "noise_terms": (nz.noise_terms, dict(order=3)),
    "noise_diagrams": (lambda **kw: list(nz.noise_diagrams(**kw)), dict(order=3)),
    "noise_coefficient": (nz.noise_coefficient, dict(order=2)),
    "noise_duality_report": (nz.noise_duality_report, dict(order=2)),
    "closed_form_series": (cs.closed_form_series, dict(order=2)),
    "closed_form_series_exact": (cs.closed_form_series_exact, dict(order=3, N=2, T=3, spectrum=["1", "1/2"])),
    "simulate_test_loss": (sm.simulate_test_loss, dict(N=3, T=4, gamma=0.1, spectrum=LAM, trials=2)),
    "nu": (sc.nu, dict(N=10, T=20, alpha=1.0)),
    "c_alpha": (sc.c_alpha, dict(alpha=1.0)),
    "optimal_loss_approx": (sc.optimal_loss_approx, dict(N=10, T=20, alpha=1.0, M=100)),
    "optimal_ridge_approx": (sc.optimal_ridge_approx, dict(N=10, T=20, alpha=1.0, M=100)),
    "ridgeless_loss_approx": (sc.ridgeless_loss_approx, dict(N=10, T=20, alpha=1.0, M=100)),
    "loss_approx_xi": (sc.loss_approx_xi, dict(Xi=5, N=10, T=20, alpha=1.0, M=100)),
    "gamma_approx_xi": (sc.gamma_approx_xi, dict(Xi=5, N=10, T=20, alpha=1.0, M=100)),
    "fit_exponent": (sc.fit_exponent, dict(sizes=[1, 2, 4], losses=[1.0, 0.5, 0.26])),
    "exact_optimum": (sc.exact_optimum, dict(N=10, T=20, alpha=1.0, M=100)),
    "building_block_series": (du.building_block_series, dict(order=3, N_=2, T_=3, spectrum=["1", "1/2"])),
    "duality_report": (du.duality_report, dict(order=2)),
    "duality_reports": (du.duality_reports, dict(max_order=1)),
    "raw_symmetry_defect": (du.raw_symmetry_defect, dict(order=2, sigma=["1/2", "1/3"], lam=["1", "2"])),
    "loss_classes": (rs.loss_classes, dict(order=2)),
    "ExactEnv": (rv.ExactEnv, dict(N_=2, T_=3, spectrum=["1", "1/2"])),
    "resolvent_classes": (rv.resolvent_classes, dict(space="train", order=2)),
    "consistency_series": (rv.consistency_series, dict(order=2, env=rv.ExactEnv(2, 3, ["1"]))),
    "resolvent_word": (rv.resolvent_word, dict(space="feature", n=2)),
}

# function name, bad keyword arguments, parameter named in the message
BAD = [
    # True is not 1, a 2-D spectrum is not a spectrum, overflow, NaN, denormals, out of range
    *[(fn, dict(N=True), "N") for fn in ("closed_form_loss", "closed_form_loss_mp", "optimal_ridge", "ridgeless_loss",
                                         "noise_loss", "noise_loss_mp", "noise_series_exact",
                                         "closed_form_series_exact", "simulate_test_loss", "nu",
                                         "optimal_loss_approx", "exact_optimum")],
    *[(fn, dict(spectrum=np.array([[1.0, 0.5], [0.25, 0.1]])), "spectrum")
      for fn in ("closed_form_loss", "closed_form_loss_mp", "optimal_ridge", "ridgeless_loss", "noise_loss", "noise_loss_mp",
                 "noise_series_exact", "closed_form_series_exact", "simulate_test_loss")],
    *[(fn, dict(spectrum=[[1.0, 0.5]]), "spectrum")
      for fn in ("closed_form_loss", "closed_form_loss_mp", "noise_loss", "closed_form_series_exact", "simulate_test_loss")],
    *[(fn, dict(N="1e400"), "N") for fn in ("closed_form_loss", "closed_form_loss_mp", "optimal_ridge", "noise_loss",
                                            "noise_series_exact", "closed_form_series_exact", "nu", "exact_optimum")],
    *[(fn, dict(gamma="1e400"), "gamma") for fn in ("closed_form_loss", "closed_form_loss_mp", "noise_loss", "noise_loss_mp",
                                                    "simulate_test_loss")],
    *[(fn, dict(gamma=g), "gamma") for fn in ("closed_form_loss", "closed_form_loss_mp", "noise_loss") for g in (NAN, INF, -1.0, 0.0, 1e-310, True)],
    ("closed_form_loss", dict(gamma=[0.1, NAN]), "gamma"), ("closed_form_loss", dict(gamma=[0.1, True]), "gamma"),
    *[(fn, dict(spectrum=s), "spectrum") for fn in ("closed_form_loss", "closed_form_loss_mp", "optimal_ridge", "noise_loss")
      for s in ([1.0, NAN], [1.0, 1e-320], [1.0, "1e400"], [True, 1.0], [], None, [1.0, -1.0])],
    *[(fn, dict(sigma_u2=v), "sigma_u2") for fn in ("closed_form_loss", "closed_form_loss_mp", "optimal_ridge", "noise_loss",
                                                    "closed_form_series_exact", "simulate_test_loss",
                                                    "optimal_ridge_approx", "exact_optimum")
      for v in (True, 1e-320, "1e400", NAN, 0)],
    *[(fn, dict(C=v), "C") for fn in ("closed_form_loss", "noise_loss", "simulate_test_loss", "optimal_loss_approx")
      for v in (True, 0, "1e400")],
    ("closed_form_loss_mp", dict(dps=True), "dps"), ("closed_form_loss_mp", dict(dps=10 ** 30), "dps"),
    ("closed_form_loss_mp", dict(dps=14), "dps"), ("noise_loss_mp", dict(dps=1e30), "dps"),
    ("power_law_spectrum", dict(M=True), "M"), ("power_law_spectrum", dict(M=1e30), "M"),
    ("power_law_spectrum", dict(alpha=NAN), "alpha"), ("power_law_spectrum", dict(alpha="1e400"), "alpha"),
    ("power_law_spectrum", dict(M=10 ** 6, alpha=60.0), "alpha"),
    ("power_law_spectrum", dict(lambda_plus=1e-320), "lambda_plus"),
    # tolerances and grid of the optimal ridge
    *[("optimal_ridge", dict(xtol=v), "xtol") for v in (NAN, -1e-8, 0.0, True, "1e400")],
    *[("optimal_ridge", dict(points_per_decade=v), "points_per_decade") for v in (True, 1, 2.5, 1e30, NAN)],
    *[("optimal_ridge", dict(gamma_bounds=v), "gamma_bounds")
      for v in ((1.0, 1e-3), (NAN, 1.0), (0.0, 1.0), (1e-320, 1.0), (1.0, "1e400"), (True, 2.0), "1,2", (1.0,))],
    # orders: a documented maximum per function, checked before any work
    *[(fn, dict(order=o), "order") for fn in ("noise_series_exact", "noise_terms", "noise_diagrams",
                                              "noise_coefficient", "noise_duality_report", "closed_form_series",
                                              "closed_form_series_exact")
      for o in (1e30, 10 ** 30, -1, True, 2.5, NAN, "x")],
    ("closed_form_series", dict(order=13), "order"),
    ("closed_form_series_exact", dict(order=101), "order"), ("noise_series_exact", dict(order=61), "order"),
    ("noise_coefficient", dict(order=9), "order"), ("noise_diagrams", dict(order=11), "order"),
    ("noise_series_exact", dict(sigma_eps2=-1), "sigma_eps2"), ("noise_series_exact", dict(classes=1), "classes"),
    *[(fn, dict(order=o), "order") for fn in ("building_block_series", "duality_report", "raw_symmetry_defect",
                                              "loss_classes", "resolvent_classes", "consistency_series")
      for o in (1e30, 10 ** 30, -1, True, 2.5, NAN, "x")],
    *[("duality_reports", dict(max_order=o), "max_order") for o in (1e30, -1, True, 9)],
    ("building_block_series", dict(order=101), "order"), ("duality_report", dict(order=9), "order"),
    ("raw_symmetry_defect", dict(order=9), "order"), ("loss_classes", dict(order=11), "order"),
    ("resolvent_classes", dict(order=13), "order"), ("consistency_series", dict(order=61), "order"),
    ("resolvent_word", dict(n=0), "n"), ("resolvent_word", dict(n=151), "n"), ("resolvent_word", dict(n=True), "n"),
    ("resolvent_classes", dict(space="test"), "space"),
    *[("building_block_series", dict(N_=v), "N") for v in (True, 0, "1e400", "x")],
    ("building_block_series", dict(spectrum=[[1, 2]]), "spectrum"), ("building_block_series", dict(spectrum=[]), "spectrum"),
    *[("ExactEnv", dict(N_=v), "N") for v in (True, 0, -1, "x", NAN)],
    *[("ExactEnv", dict(spectrum=v), "spectrum") for v in ([], None, ["1", "0"], [[1, 2]])],
    # simulation
    *[("simulate_test_loss", dict(trials=v), "trials") for v in (True, 0, 1e30, 2.5)],
    *[("simulate_test_loss", dict(N=v), "N") for v in (10 ** 30, 0, 1.5)],
    ("simulate_test_loss", dict(seed=-1), "seed"), ("simulate_test_loss", dict(seed=True), "seed"),
    ("simulate_test_loss", dict(label_noise=1e-320), "label_noise"),
    ("simulate_test_loss", dict(label_noise=NAN), "label_noise"),
    ("simulate_test_loss", dict(spectrum=[1.0, 1e-320]), "spectrum"),
    ("simulate_test_loss", dict(spectrum=np.ones(10 ** 6), N=10 ** 5, T=10 ** 5), "spectrum"),
    # scaling laws
    *[(fn, dict(alpha=v), "alpha") for fn in ("nu", "optimal_loss_approx", "exact_optimum", "c_alpha")
      for v in (True, NAN, 0, "1e400", 1e30)],
    *[(fn, dict(M=v), "M") for fn in ("optimal_loss_approx", "ridgeless_loss_approx", "exact_optimum")
      for v in (True, 2.5, 1e30, 0)],
    ("nu", dict(N=np.array([[10.0, 20.0]])), "N"), ("nu", dict(N=np.array([True, False])), "N"),
    ("loss_approx_xi", dict(Xi=11), "Xi"), ("loss_approx_xi", dict(Xi=True), "Xi"),
    ("fit_exponent", dict(sizes=[[1, 2], [3, 4]], losses=[1, 2, 3, 4]), "sizes"),
    ("fit_exponent", dict(sizes=[True, False, True], losses=[1, 2, 3]), "sizes"),
    ("fit_exponent", dict(sizes=[1, 2, 3], losses=[1, NAN, 3]), "losses"),
]


@pytest.mark.parametrize("fn", sorted(GOOD))
def test_good_values_are_accepted(fn):
    f, kwargs = GOOD[fn]
    f(**kwargs)


@pytest.mark.parametrize("fn,bad,name", BAD, ids=[f"{fn}-{name}-{i}" for i, (fn, _, name) in enumerate(BAD)])
def test_bad_value_is_refused_naming_the_parameter(fn, bad, name):
    f, kwargs = GOOD[fn]
    args = dict(kwargs)
    args.update(bad)
    start = time.perf_counter()
    with pytest.raises(ValueError, match=rf"^{name}:"):
        f(**args)
    assert time.perf_counter() - start < 5.0            # refused before any work
