"""Figures of paper Sec. IV (``diagrams.output.figures``) and ``diagrams figures``.

The quick PNGs are also copied to ``tests/artifacts/figures/`` (gitignored) so that CI keeps them
for a look.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from diagrams.models.random_features import closed_form as cf
from diagrams.output import figures as F

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "figures"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_pngs(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    paths = F.write_figures(out, quick=True, simulate=True, seed=0)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for p in paths:
        shutil.copy(p, ARTIFACTS / p.name)
    return paths


@pytest.fixture(scope="module")
def loss_vs_N():
    return F.loss_vs_N_data(quick=True, simulate=False)


# ----------------------------------------------------------------------------- files

@pytest.mark.slow
def test_write_figures_names_and_pngs(quick_pngs):
    assert [p.name for p in quick_pngs] == list(F.FIGURE_NAMES)
    for p in quick_pngs:
        data = p.read_bytes()
        assert data[:8] == PNG_MAGIC, p
        assert len(data) > 10_000, f"{p.name} is suspiciously small ({len(data)} bytes)"
        import matplotlib.image

        img = matplotlib.image.imread(str(p))
        assert img.shape[0] > 200 and img.shape[1] > 300
        # not a blank canvas: a good fraction of pixels is not white
        assert np.mean(img[..., :3].min(axis=-1) < 0.9) > 0.01, f"{p.name} looks empty"
    assert all((ARTIFACTS / n).exists() for n in F.FIGURE_NAMES)


def test_figures_return_figures_with_data():
    from matplotlib.figure import Figure

    fig = F.fig_loss_vs_gamma(quick=True, simulate=False, Ns=(50, 100))
    assert isinstance(fig, Figure)
    d = fig.data
    assert set(d["loss"]) == {50, 100} and d["loss"][50].shape == d["gamma"].shape
    assert len(d["sim"]["N"]) == 0


# ----------------------------------------------------------------------------- content

def test_double_descent_peak_at_N_equals_T(loss_vs_N):
    d = loss_vs_N
    N, T = d["N"], d["T"]
    i = int(np.nanargmax(d["ridgeless"]))
    assert abs(N[i] / T - 1) < 0.01
    assert np.isnan(d["ridgeless"][N == T]).all()
    # the singular peak: far above the loss away from N = T
    far = (N < 0.5 * T) | (N > 2 * T)
    assert d["ridgeless"][i] > 20 * np.nanmax(d["ridgeless"][far & (N > 20)])
    # regularised curves are finite at N = T; the under-regularised one still has a bump there
    under = d["fixed"][0][2]
    assert np.all(np.isfinite(under))
    j = int(np.argmin(np.abs(N - T)))
    k = int(np.argmin(np.abs(N - 0.5 * T)))
    assert under[j] > under[k]


def test_optimal_below_every_fixed_ridge(loss_vs_N):
    d = loss_vs_N
    opt = d["optimal"]
    for label, g, L in d["fixed"]:
        assert np.all(opt <= L * (1 + 1e-9)), label
    ok = np.isfinite(d["ridgeless"])
    assert np.all(opt[ok] <= d["ridgeless"][ok] * (1 + 1e-9))
    # optimal loss is smooth and decreasing in N
    assert np.all(np.diff(opt) < 0)
    # over-regularisation costs at every N
    assert np.all(d["fixed"][2][2] > opt * 1.01)
    # the optimal ridge at N = T makes the curve monotonic
    assert np.all(np.diff(d["fixed"][1][2]) < 0)


def test_approximations_close_to_exact(loss_vs_N):
    d = loss_vs_N
    r = d["optimal_approx"] / d["optimal"]
    assert np.all((r > 0.9) & (r < 1.4)), (r.min(), r.max())   # M = 400: N, T << M only roughly


def test_simulation_points_on_the_curves():
    d = F.loss_vs_gamma_data(quick=True, Ns=(100,), trials=4, seed=3)
    s = d["sim"]
    assert len(s["N"]) >= 2
    lam = cf.power_law_spectrum(d["M"], d["alpha"])
    for N, T, g, L, e in zip(s["N"], s["T"], s["gamma"], s["loss"], s["stderr"]):
        exact = float(cf.closed_form_loss(int(N), int(T), g, lam).loss)
        # planar limit vs finite size: a few per cent plus statistics
        assert abs(L - exact) < 4 * e + 0.06 * exact, (N, g, L, exact, e)


def test_optimal_ridge_scaling_directions():
    d = F.optimal_ridge_data(quick=True, simulate=False, alphas=(0.5, 1.0, 2.0), Ts=(300,))
    by_alpha = {p["alpha"]: p for p in d["panels"]}
    N = by_alpha[2.0]["N"]
    small = N < 30                                      # N << T = 300
    g05 = by_alpha[0.5]["curves"][300]["exact"][small]
    g1 = by_alpha[1.0]["curves"][300]["exact"]
    g2 = by_alpha[2.0]["curves"][300]["exact"][small]
    assert np.all(np.diff(g05) > 0)                     # alpha < 1: grows with N
    assert np.all(np.diff(g2) < 0)                      # alpha > 1: falls with N
    assert g1.max() / g1.min() < 1.5                    # alpha = 1: nearly constant
    assert abs(np.median(g1) * d["M"] / (np.pi ** 2 / 4) - 1) < 0.1
    # plateau for N >> T (alpha = 2): the last decade changes by far less than the first
    g2all = by_alpha[2.0]["curves"][300]["exact"]
    assert g2all[-1] / g2all[-3] > 0.8 and g2all[2] / g2all[0] < 0.8


def test_exponent_close_to_alpha():
    d = F.exponent_vs_alpha_data(quick=True, alphas=(1.0, 2.0))
    assert np.allclose(d["approx"], d["alpha"], atol=1e-9)
    assert np.all(np.abs(d["exact"] - d["alpha"]) < 0.1), d["exact"]


def test_bad_arguments():
    with pytest.raises(ValueError, match="alpha"):
        F.loss_vs_N_data(quick=True, simulate=False, alpha=-1)
    with pytest.raises(ValueError, match="seed"):
        F.write_figures("/nonexistent-never-created", quick=True, seed=-1)


# ----------------------------------------------------------------------------- CLI

def _main(monkeypatch, argv):
    from diagrams import cli

    if "figures" not in cli.COMMANDS:
        monkeypatch.setattr(cli, "COMMANDS", [*cli.COMMANDS, "figures"])
    try:
        return cli.main(argv)
    except SystemExit as exc:            # argparse errors
        return exc.code


@pytest.mark.slow
def test_cli_writes_and_prints_paths(monkeypatch, tmp_path, capsys):
    out = tmp_path / "figs"
    status = _main(monkeypatch, ["figures", "--out", str(out), "--quick", "--no-simulation"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    printed = captured.out.split()
    assert [Path(p).name for p in printed] == list(F.FIGURE_NAMES)
    assert all(Path(p).stat().st_size > 10_000 for p in printed)


@pytest.mark.parametrize("argv, word", [
    (["figures", "--quick"], "--out"),
    (["figures", "--out", "OUT", "--quick", "--seed", "-3"], "--seed"),
    (["figures", "--out", "OUT", "--quick", "--seed", "x"], "--seed"),
    (["figures", "--out", "FILE", "--quick", "--no-simulation"], "--out"),
])
def test_cli_errors(monkeypatch, tmp_path, capsys, argv, word):
    f = tmp_path / "a-file"
    f.write_text("not a directory")
    argv = [str(tmp_path / "o") if a == "OUT" else str(f) if a == "FILE" else a for a in argv]
    status = _main(monkeypatch, argv)
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and word in err, err


def test_figures_of_any_model_through_the_planar_route(tmp_path):
    """Other models: the loss against the ridge from the planar (Dyson) route with its optimal ridge,
    simulated points on it, and the finite-size figure."""
    from diagrams.models.registry import load_model

    fig = F.fig_model_loss_vs_gamma("deep-random-features", quick=True, simulate=True, seed=1)
    d = fig.data
    assert d["route"] == "planar Dyson equation" and d["optimum"] is not None
    g, L = d["optimum"]
    assert L <= d["theory"].min() * (1 + 1e-9)
    # the simulated points lie on the planar curve within the finite-size offset (a few per cent here)
    deep = load_model("deep-random-features")
    from diagrams.analysis.routes import planar_route

    route = planar_route(deep, deep.read_values(F._scaled_values(deep, {"alpha": 1}, {"N": 1, "N1": 1.5, "T": 1.5,
                                                                                       "M": 6}, 68)))
    assert all(abs(s / t - 1) < 0.1 for s, t in zip(d["sim"], [r["observable"] for r in route.evaluate(
        deep.read_values(F._scaled_values(deep, {"alpha": 1}, {"N": 1, "N1": 1.5, "T": 1.5, "M": 6}, 68)),
        list(d["sim_gamma"]))]))
    paths = F.write_model_figures(tmp_path, "ridge", quick=True, simulate=False)
    assert [p.name for p in paths] == ["loss_vs_gamma.png", "finite_size_vs_N.png"]
    assert all(p.stat().st_size > 1000 for p in paths)
