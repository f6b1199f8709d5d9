"""Tests of the closed form, Eq. (104): diagrams.models.random_features.closed_form.

Every check compares two independent routes: the double-precision solver (stable rewritten
formulas) against mpmath (literal definitions of Eq. 104 at high precision), against the
definitions re-evaluated here from the spectrum, against a Monte Carlo simulation of the model,
against the scaling-law approximations of paper Secs. IV.3-IV.4 (written out inline), or against a
dense scan.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from diagrams.models.random_features import closed_form as cf

FIELDS = ["loss", "gamma", "q", "Q", "xi", "l", "r_c", "v", "r_dp", "D", "resummation_factor", "primary"]


def rel(a, b):
    a, b = float(a), float(b)
    return abs(a - b) / abs(b)


# ------------------------------------------------------------------------------------------
# spectrum
# ------------------------------------------------------------------------------------------

def test_power_law_spectrum_values():
    lam = cf.power_law_spectrum(5, 0.5, 2.0)
    expected = [2.0 * i ** -1.5 for i in range(1, 6)]
    assert lam.shape == (5,)
    assert np.allclose(lam, expected, rtol=1e-15, atol=0)


@pytest.mark.parametrize("args, name", [
    ((0, 1.0), "M"), ((-3, 1.0), "M"), ((2.5, 1.0), "M"),
    ((10, 0.0), "alpha"), ((10, -1.0), "alpha"),
    ((10, 1.0, 0.0), "lambda_plus"), ((10, 1.0, -2.0), "lambda_plus"),
])
def test_power_law_spectrum_bad_input(args, name):
    with pytest.raises(ValueError, match=name):
        cf.power_law_spectrum(*args)


# ------------------------------------------------------------------------------------------
# the point (N, T, gamma) = (100, 150, 1e-2), M = 600, alpha = 0.5 of docs/closed_form.md and an
# independent Monte Carlo of the model
# ------------------------------------------------------------------------------------------

def test_reference_number_sec6():
    lam = cf.power_law_spectrum(600, 0.5)
    r = cf.closed_form_loss(100, 150, 1e-2, lam)
    assert rel(r.loss, 3.630e-4) < 5e-3


def test_monte_carlo_simulation_agrees():
    """Direct simulation of the model (paper Sec. II, docs/physics.md Sec. 1), test average done analytically."""
    M, N, T, g = 600, 100, 150, 1e-2
    lam = cf.power_law_spectrum(M, 0.5)
    rng = np.random.default_rng(2024)
    losses = []
    for _ in range(30):
        x = np.sqrt(lam)[:, None] * rng.standard_normal((M, T))
        u = rng.standard_normal((N, M)) / np.sqrt(M)           # sigma_u2 = 1
        w = rng.standard_normal(M) / np.sqrt(M)                # sigma_w2 = 1, C = 1
        phi = u @ x
        theta = np.linalg.solve(g * np.eye(N) + phi @ phi.T, phi @ (w @ x))
        err = theta @ u - w
        losses.append(0.5 * np.sum(err * err * lam))           # E over xhat of ||z - yhat||^2/2
    losses = np.array(losses)
    mean, se = losses.mean(), losses.std(ddof=1) / np.sqrt(losses.size)
    L = cf.closed_form_loss(N, T, g, lam).loss
    assert abs(mean - L) < 3 * se + 0.03 * L


# ------------------------------------------------------------------------------------------
# double precision against mpmath (literal definitions at high precision)
# ------------------------------------------------------------------------------------------

def _random_cases(seed, count):
    rng = np.random.default_rng(seed)
    cases = []
    for i in range(count):
        M = int(rng.integers(1, 250))
        lam = cf.power_law_spectrum(M, float(rng.uniform(0.2, 3.0)), float(rng.uniform(0.1, 10)))
        if i % 3 == 0:                                         # unsorted, not a power law
            lam = rng.permutation(lam) * rng.uniform(0.5, 2.0, size=M)
        N = int(rng.integers(1, 400))
        T = N if i % 4 == 0 else int(rng.integers(1, 400))
        g = float(10 ** rng.uniform(-12, 6))
        cases.append((N, T, g, lam, float(rng.uniform(0.2, 5)), float(rng.uniform(0.5, 2)), int(rng.integers(1, 4))))
    return cases


@pytest.mark.parametrize("case", _random_cases(7, 16))
def test_numpy_matches_mpmath_random(case):
    N, T, g, lam, su, sw, C = case
    r = cf.closed_form_loss(N, T, g, lam, su, sw, C)
    rm = cf.closed_form_loss_mp(N, T, g, list(lam), su, sw, C, dps=40)
    for f in FIELDS:
        assert rel(getattr(r, f), getattr(rm, f)) < 1e-10, f


@pytest.mark.parametrize("N, T, g", [
    (100, 100, 1e-14), (120, 120, 1e-3), (100, 101, 1e-13), (40, 900, 1e-11),
    (400, 400, 1e-9),            # M < N = T: loss -> 0
    (1, 1, 1e-8), (1, 1, 1e8), (100, 150, 1e12), (7, 7, 1e-200),
])
def test_numpy_matches_mpmath_edges(N, T, g):
    lam = cf.power_law_spectrum(300, 0.7)
    r = cf.closed_form_loss(N, T, g, lam)
    rm = cf.closed_form_loss_mp(N, T, g, list(lam), dps=30)
    for f in FIELDS:
        assert rel(getattr(r, f), getattr(rm, f)) < 1e-10, f


@pytest.mark.parametrize("shuffle", [False, True])
def test_large_spectrum_compressed_start_matches_mpmath(shuffle):
    """M above the compression threshold: both ways of binning (sorted and unsorted spectra)."""
    lam = cf.power_law_spectrum(5000, 0.5)
    if shuffle:
        lam = np.random.default_rng(3).permutation(lam)
    for N, T, g in [(100, 150, 1e-2), (300, 300, 1e-9)]:
        r = cf.closed_form_loss(N, T, g, lam)
        rm = cf.closed_form_loss_mp(N, T, g, list(lam), dps=20)
        for f in ("loss", "q", "Q", "D"):
            assert rel(getattr(r, f), getattr(rm, f)) < 1e-10, f


def test_mp_fields_are_mpf_and_exact_inputs():
    r = cf.closed_form_loss_mp(2, 3, "1/10", ["1", "1/2"], sigma_u2="1/1", dps=40)
    assert all(isinstance(getattr(r, f), mpmath.mpf) for f in FIELDS)
    # an independent solve of Eq. (99) in the unknowns <q>, <Q> (mpmath.findroot, 2-d Newton)
    with mpmath.workdps(40):
        g = mpmath.mpf(1) / 10
        lam = [mpmath.mpf(1), mpmath.mpf(1) / 2]
        sig = mpmath.mpf(1) / 2

        def eqs(q, Q):
            a = g * 2 * 3 * q * Q
            t = sum(l * sig / (1 + a * l * sig) for l in lam)
            return [a * t - 2 * (1 - g * q), 2 * (1 - g * q) - 3 * (1 - g * Q)]

        q, Q = mpmath.findroot(eqs, (mpmath.mpf(2), mpmath.mpf(5)))
        assert abs(q / r.q - 1) < mpmath.mpf(10) ** -35
        assert abs(Q / r.Q - 1) < mpmath.mpf(10) ** -35


# ------------------------------------------------------------------------------------------
# the definitions of Eq. (104) (docs/physics.md Sec. 3) re-evaluated here
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("N, T, g", [(100, 150, 1e-2), (150, 100, 0.3), (80, 200, 0.1), (200, 80, 1.0),
                                     (120, 120, 1e-3)])
def test_consistency_relation_and_definitions(N, T, g):
    lam = cf.power_law_spectrum(600, 0.5)
    s = lam / 600.0
    r = cf.closed_form_loss(N, T, g, lam)
    a = g * r.xi
    w = 1.0 / (1.0 + a * s)
    # Eq. (99): gamma xi tr[Lambda Sigma (1 + gamma xi Lambda Sigma)^-1] = N(1 - gamma<q>) = T(1 - gamma<Q>)
    lhs = a * np.sum(s * w)
    assert rel(lhs, N * (1 - g * r.q)) < 1e-12
    assert rel(lhs, T * (1 - g * r.Q)) < 1e-12
    assert rel(r.xi, N * T * r.q * r.Q) < 1e-12
    assert r.q > 0 and r.Q > 0                                     # physical branch
    assert rel(r.l, np.sum(lam * w * w)) < 1e-12
    assert rel(r.r_dp, np.sum(s * w * w)) < 1e-12
    S2 = np.sum((s * w) ** 2)
    assert rel(r.r_c, T ** 2 * r.Q ** 2 * S2) < 1e-12
    assert rel(r.v, N ** 2 * r.q ** 2 * S2) < 1e-12
    A = g ** 2 * N * r.q ** 2 * r.r_c
    B = g ** 2 * T * r.Q ** 2 * r.v
    G = g ** 2 * r.xi ** 2 / (N * T) * r.r_dp ** 2
    D = (1 - A) * (1 - B) - G
    assert rel(r.D, D) < 1e-9
    assert rel(r.loss, r.l / D / (2 * 600)) < 1e-9                 # Eq. (104)
    assert rel(r.primary, r.l / (1 - B)) < 1e-9                    # Eq. (93), primary diagrams
    assert rel(r.resummation_factor, 1 / (1 - A - G / (1 - B))) < 1e-9
    assert rel(r.l / r.D, r.resummation_factor * r.primary) < 1e-12


def test_prefactor_scaling():
    lam = cf.power_law_spectrum(200, 1.0)
    base = cf.closed_form_loss(50, 70, 0.05, lam)
    scaled = cf.closed_form_loss(50, 70, 0.05, lam, sigma_w2=3.0, C=2)
    assert rel(scaled.loss, 6 * base.loss) < 1e-14
    # sigma_u2 rescales Sigma: the loss at (sigma_u2, gamma) equals that at (1, gamma/sigma_u2)
    a = cf.closed_form_loss(50, 70, 0.05, lam, sigma_u2=4.0)
    b = cf.closed_form_loss(50, 70, 0.05 / 4.0, lam)
    assert rel(a.loss, b.loss) < 1e-11


# ------------------------------------------------------------------------------------------
# symmetry, limits, branch, vectorisation
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("N, T", [(100, 150), (30, 500), (1, 7)])
def test_symmetry_N_T(N, T):
    lam = cf.power_law_spectrum(400, 0.8)
    grid = np.logspace(-12, 6, 37)
    r1 = cf.closed_form_loss(N, T, grid, lam)
    r2 = cf.closed_form_loss(T, N, grid, lam)
    for f in ("loss", "xi", "l", "r_dp", "D"):
        assert np.allclose(getattr(r1, f), getattr(r2, f), rtol=1e-12, atol=0), f
    assert np.allclose(r1.q, r2.Q, rtol=1e-12, atol=0)
    assert np.allclose(r1.Q, r2.q, rtol=1e-12, atol=0)


def test_physical_branch_and_limits():
    M = 300
    lam = cf.power_law_spectrum(M, 1.0)
    grid = np.logspace(-14, 10, 97)
    for N, T in [(100, 150), (150, 150), (150, 100), (500, 600)]:
        r = cf.closed_form_loss(N, T, grid, lam)
        assert np.all(r.q > 0) and np.all(r.Q > 0)
        assert np.all(grid * r.q < 1) and np.all(grid * r.Q < 1)   # 0 < a t < min(N, T)
        assert np.all(np.isfinite(r.loss)) and np.all(r.loss > 0)
        # gamma -> inf: nothing is learned, <L> -> C sigma_w2/(2M) tr Lambdahat
        assert rel(r.loss[-1], lam.sum() / (2 * M)) < 1e-6
    # N = T: double descent, the ridgeless loss diverges like gamma^-1/2
    r = cf.closed_form_loss(120, 120, [1e-12, 1e-14], lam)
    assert 8 < r.loss[1] / r.loss[0] < 12
    # M < min(N, T): the ridgeless fit is exact, <L> -> 0 like gamma^2
    r = cf.closed_form_loss(500, 600, [1e-6, 1e-7], lam)
    assert r.loss[0] < 1e-10 and 80 < r.loss[0] / r.loss[1] < 120


def test_vectorised_equals_scalar():
    lam = cf.power_law_spectrum(5000, 0.5)        # compressed starting point on this path
    g = np.array([[1e-10, 1e-3, 0.1], [1.0, 10.0, 1e5]])
    r = cf.closed_form_loss(90, 130, g, lam)
    assert r.loss.shape == (2, 3) and r.q.shape == (2, 3)
    for idx in np.ndindex(g.shape):
        s = cf.closed_form_loss(90, 130, float(g[idx]), lam)
        assert isinstance(s.loss, float)
        for f in FIELDS:
            assert rel(getattr(r, f)[idx], getattr(s, f)) < 1e-11, f
    d = r.as_dict()
    assert set(d) == set(FIELDS) and isinstance(d["loss"], list)


# ------------------------------------------------------------------------------------------
# scaling-law approximations of paper Secs. IV.3-IV.4 (written out here)
# ------------------------------------------------------------------------------------------

def test_ridgeless_approximation():
    alpha, M, N, T = 1.0, 20000, 100, 400
    lam = cf.power_law_spectrum(M, alpha)
    c = (math.pi / (1 + alpha)) / math.sin(math.pi / (1 + alpha))
    approx = c ** (1 + alpha) * N ** -alpha / (2 * M * (1 - N / T))     # C = sigma_w2 = lambda_+ = 1
    L = cf.closed_form_loss(N, T, 1e-10, lam).loss
    assert rel(L, approx) < 0.03


def test_optimal_ridge_vs_dense_scan_and_scaling_law():
    alpha, M, N, T = 1.0, 20000, 100, 400
    lam = cf.power_law_spectrum(M, alpha)
    opt = cf.optimal_ridge(N, T, lam)
    g_star, L_star = opt
    assert not opt.at_boundary and opt.gamma == g_star and rel(opt.result.loss, L_star) < 1e-14
    # dense scan, one ridge at a time
    scan = np.logspace(math.log10(g_star) - 1, math.log10(g_star) + 1, 401)
    losses = np.array([cf.closed_form_loss(N, T, float(g), lam).loss for g in scan])
    i = int(np.argmin(losses))
    assert L_star <= losses.min() * (1 + 1e-12)
    assert abs(math.log(g_star / scan[i])) <= math.log(scan[1] / scan[0])
    # paper Sec. IV.4 at alpha = 1 (nu = 1): L* and gamma* within 1-2 % (docs/simulation_and_scaling.md Sec. 2)
    c = (math.pi / (1 + alpha)) / math.sin(math.pi / (1 + alpha))
    nu = math.sqrt(1 - 4 * N * T * (alpha - 1) * (alpha + 2) / (alpha * (alpha + 1) * (N + T) ** 2))
    L_approx = (c ** (1 + alpha) * ((1 + nu) / 2) ** (1 + alpha) / ((1 + (1 + alpha) * nu) / (2 + alpha))
                * (1 / N + 1 / T) ** alpha / (2 * M))
    g_approx = (c ** (1 + alpha) / M * 2 / (alpha * (alpha + 1)) * ((1 + nu) / 2) ** (alpha - 1)
                * (1 / N + 1 / T) ** (alpha - 1))
    assert rel(L_star, L_approx) < 0.03
    assert rel(g_star, g_approx) < 0.03


def test_optimal_ridge_boundary_and_bounds():
    lam = cf.power_law_spectrum(50, 1.0)
    opt = cf.optimal_ridge(200, 300, lam)             # M < min(N, T): loss decreases to gamma -> 0
    assert opt.at_boundary and opt.limit == "gamma->0" and (opt.gamma, opt.loss) == (0.0, 0.0)
    losses = cf.closed_form_loss(200, 300, [1e-2, 1e-4, 1e-6, 1e-8], lam).loss
    assert np.all(np.diff(losses) < 0) and losses[-1] < 1e-11 * losses[0]
    opt2 = cf.optimal_ridge(100, 150, cf.power_law_spectrum(600, 0.5), gamma_bounds=(1e-4, 1.0))
    assert 1e-4 <= opt2.gamma <= 1.0
    with pytest.raises(ValueError, match="gamma_bounds"):
        cf.optimal_ridge(100, 150, lam, gamma_bounds=(1.0, 1e-3))


# ------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [
    (dict(N=0), "N"), (dict(N=0.5), "N"), (dict(T=0), "T"), (dict(N=float("nan")), "N"),
    (dict(gamma=0.0), "gamma"), (dict(gamma=-1.0), "gamma"), (dict(gamma=[1.0, 0.0]), "gamma"),
    (dict(gamma=float("inf")), "gamma"),
    (dict(spectrum=[]), "spectrum"), (dict(spectrum=[1.0, 0.0]), "spectrum"),
    (dict(spectrum=[1.0, -2.0]), "spectrum"), (dict(spectrum=None), "spectrum"),
    (dict(sigma_u2=0), "sigma_u2"), (dict(sigma_w2=-1), "sigma_w2"), (dict(C=0), "C"),
])
@pytest.mark.parametrize("fn", ["closed_form_loss", "closed_form_loss_mp"])
def test_bad_input(kwargs, name, fn):
    args = dict(N=10, T=20, gamma=0.1, spectrum=[1.0, 0.5])
    args.update(kwargs)
    if fn == "closed_form_loss_mp" and name == "gamma" and isinstance(args["gamma"], list):
        return                                          # the mpmath path takes a scalar ridge
    with pytest.raises(ValueError, match=rf"^{name}:"):
        getattr(cf, fn)(**args)


def test_bad_dps():
    with pytest.raises(ValueError, match="dps"):
        cf.closed_form_loss_mp(10, 20, 0.1, [1.0], dps=5)


# ------------------------------------------------------------------------------------------
# precision over the whole parameter box (regression: N = M at small gamma lost ~6 digits)
# ------------------------------------------------------------------------------------------

def _box_sample(seed, count, M_max):
    """Log-uniform points of the box gamma in [1e-12, 1e6], N, T in [1, 1e6], M in [1, M_max],
    alpha in [0.05, 5], with the corners N = M, N = T, M = 1, tiny gamma and N, T not integers."""
    rng = np.random.default_rng(seed)
    lu = lambda lo, hi: float(10 ** rng.uniform(math.log10(lo), math.log10(hi)))
    out = []
    for i in range(count):
        N, T, M, g, alpha = round(lu(1, 1e6)), round(lu(1, 1e6)), round(lu(1, M_max)), lu(1e-12, 1e6), lu(0.05, 5)
        kind = i % 7
        if kind == 1:
            T = N
        elif kind == 2:
            M = min(N, M_max)
            N = M
        elif kind == 3:
            M = 1
        elif kind == 4:
            g = lu(1e-12, 1e-9)
        elif kind == 5:
            N, T = N + 0.25, T + 0.5
        elif kind == 6:
            M = min(N, M_max)
            N = T = M
            g = lu(1e-12, 1e-9)
        out.append((N, T, M, g, alpha, i % 3 == 0))
    return out


def _check_box_point(N, T, M, g, alpha, shuffle, dps):
    lam = cf.power_law_spectrum(M, alpha)
    if shuffle:
        lam = np.random.default_rng(M).permutation(lam)
    r = cf.closed_form_loss(N, T, g, lam)
    rm = cf.closed_form_loss_mp(N, T, g, list(lam), dps=dps)
    for f in FIELDS:
        assert rel(getattr(r, f), getattr(rm, f)) < 1e-10, (f, N, T, M, g, alpha)


def test_numpy_matches_mpmath_on_the_parameter_box():
    """Every printed field agrees with the literal definitions in mpmath to 1e-10, at 105 points."""
    for point in _box_sample(20240, 105, 300):
        _check_box_point(*point, dps=30)


@pytest.mark.slow
def test_numpy_matches_mpmath_on_the_parameter_box_large_M():
    for point in _box_sample(777, 40, 20000):
        _check_box_point(*point, dps=20)


def test_numpy_matches_mpmath_at_N_equal_M_small_gamma():
    """The reported case: every p_I is close to 1, so n - y must come from the complements 1 - p_I."""
    lam = cf.power_law_spectrum(2, 0.05)
    r = cf.closed_form_loss(2, 10 ** 6, 4.64e-12, lam)
    rm = cf.closed_form_loss_mp(2, 10 ** 6, "4.64e-12", list(lam), dps=30)
    for f in FIELDS:
        assert rel(getattr(r, f), getattr(rm, f)) < 1e-12, f
    for N, M, g in [(1, 1, 4.7e-11), (4, 4, 5e-12), (221, 221, 2.5e-11), (34, 34, 3.7e-11)]:
        lam = cf.power_law_spectrum(M, 4.2)
        r, rm = cf.closed_form_loss(N, 90644, g, lam), cf.closed_form_loss_mp(N, 90644, g, list(lam), dps=30)
        for f in FIELDS:
            assert rel(getattr(r, f), getattr(rm, f)) < 1e-11, (f, N, M)


# ------------------------------------------------------------------------------------------
# optimal ridge against a brute-force scan (regression: N T << M missed the minimum)
# ------------------------------------------------------------------------------------------

def _dense_scan(N, T, lam, grid):
    out = np.empty(grid.size)
    for i, g in enumerate(grid):
        try:
            out[i] = cf.closed_form_loss(N, T, float(g), lam).loss
        except ValueError:                               # a field overflows double precision
            out[i] = np.nan
    return out


def _check_optimum_against_scan(N, T, M, alpha):
    lam = cf.power_law_spectrum(M, alpha)
    opt = cf.optimal_ridge(N, T, lam)
    grid = np.logspace(-40, 20, 1201)
    scan = _dense_scan(N, T, lam, grid)
    lowest = np.nanmin(scan)
    assert opt.loss <= lowest * (1 + 1e-12), (N, T, M, alpha, opt, lowest, grid[np.nanargmin(scan)])
    if opt.limit is None:
        assert 0 < opt.gamma < math.inf and not opt.at_boundary
        near = cf.closed_form_loss(N, T, [opt.gamma * 0.999, opt.gamma * 1.001], lam).loss
        assert np.all(near >= opt.loss * (1 - 1e-13))
        assert rel(opt.result.loss, opt.loss) < 1e-15
    else:
        assert opt.limit == "gamma->0" and opt.gamma == 0.0 and opt.result is None
        smallest = scan[np.isfinite(scan)][0]            # the loss at the smallest ridge of the scan
        if opt.loss == 0:
            assert smallest <= 1e-10 * np.nanmax(scan)
        else:
            assert rel(smallest, opt.loss) < 1e-6


def _optimum_cases(seed, count):
    rng = np.random.default_rng(seed)
    lu = lambda lo, hi: float(10 ** rng.uniform(math.log10(lo), math.log10(hi)))
    cases = []
    for i in range(count):
        if i % 2 == 0:                                   # N T << M
            cases.append((round(lu(1, 10)), round(lu(1, 10)), round(lu(1000, 3000)), lu(0.05, 5)))
        else:
            N = round(lu(1, 1e5))
            cases.append((N, N if i % 5 == 1 else round(lu(1, 1e5)), round(lu(1, 3000)), lu(0.05, 5)))
    return cases


@pytest.mark.parametrize("case", _optimum_cases(11, 12))
def test_optimal_ridge_against_dense_scan(case):
    _check_optimum_against_scan(*case)


@pytest.mark.slow
@pytest.mark.parametrize("case", _optimum_cases(12, 120))
def test_optimal_ridge_against_dense_scan_many(case):
    _check_optimum_against_scan(*case)


def test_optimal_ridge_when_N_T_much_smaller_than_M():
    """The reported case: at N = T = 1 the minimum lies far above 4 N T max(s)."""
    lam = cf.power_law_spectrum(20000, 0.05)
    opt = cf.optimal_ridge(1, 1, lam)
    assert opt.limit is None and opt.loss <= cf.closed_form_loss(1, 1, 0.02, lam).loss
    assert 1e-2 < opt.gamma < 3e-2 and opt.loss < 2.0971e-4


def test_ridgeless_limit_matches_mpmath_at_tiny_ridge():
    """The gamma -> 0 limit (closed forms of its cases) against mpmath at gamma = 1e-60 and 1e-120."""
    cases = [(7, 7, 7, 0.3), (5, 5, 5, 5.0), (4, 30, 10, 1.0), (30, 4, 10, 2.0), (2.5, 7, 10, 0.5),
             (12, 40, 10, 1.0), (10, 40, 10, 1.0)]
    for N, T, M, alpha in cases:
        lam = cf.power_law_spectrum(M, alpha)
        at60 = cf.closed_form_loss_mp(N, T, "1e-60", list(lam), dps=30).loss
        at120 = cf.closed_form_loss_mp(N, T, "1e-120", list(lam), dps=30).loss
        L0 = cf.ridgeless_loss(N, T, lam)
        if at120 < 1e-6 * at60:                          # still falling like a power of gamma
            assert L0 == 0.0, (N, T, M)
        else:
            assert rel(L0, at120) < 1e-12, (N, T, M, alpha)
    assert cf.ridgeless_loss(50, 50, cf.power_law_spectrum(200, 1.0)) == math.inf


def test_optimal_ridge_reports_the_ridgeless_limit():
    for N, T, M, alpha in [(7, 7, 7, 0.3), (5, 5, 5, 5.0), (12, 40, 10, 1.0)]:
        lam = cf.power_law_spectrum(M, alpha)
        opt = cf.optimal_ridge(N, T, lam)
        assert opt.limit == "gamma->0" and opt.at_boundary and opt.gamma == 0.0
        assert opt.loss == cf.ridgeless_loss(N, T, lam)
        assert np.all(cf.closed_form_loss(N, T, np.logspace(-30, 3, 67), lam).loss >= opt.loss * (1 - 1e-12))
    # N = T < M: the ridgeless loss diverges, the optimum is at a finite ridge
    opt = cf.optimal_ridge(50, 50, cf.power_law_spectrum(200, 1.0))
    assert opt.limit is None and opt.gamma > 0


@pytest.mark.parametrize("N, T, M, grid", [(50, 50, 50, np.logspace(-12, 6, 10)),
                                           (30, 10 ** 5, 30, np.logspace(-12, 6, 10)),
                                           (5000, 5000, 5000, np.array([1e-12, 1e-9, 1e-3, 10.0]))])
def test_vectorised_ridges_match_mpmath_at_N_equal_M(N, T, M, grid):
    """The same corner through the vectorised (many ridges) path, with and without the compressed start."""
    lam = cf.power_law_spectrum(M, 0.7)
    r = cf.closed_form_loss(N, T, grid, lam)
    for i, g in enumerate(grid):
        rm = cf.closed_form_loss_mp(N, T, float(g), list(lam), dps=20)
        for f in FIELDS:
            assert rel(getattr(r, f)[i], getattr(rm, f)) < 1e-10, (f, g)
