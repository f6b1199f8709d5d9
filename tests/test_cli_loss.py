"""Tests of ``diagrams loss`` (diagrams/cli/loss.py), run through diagrams.cli.main."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import mpmath
import pytest

import diagrams.cli as cli
from diagrams.models.random_features import closed_form as cf


@pytest.fixture
def run(monkeypatch, capsys):
    """Run ``diagrams ARGS`` in-process with the ``loss`` command registered."""
    commands = list(cli.COMMANDS)
    if "loss" not in commands:
        commands.append("loss")
    # only import command modules that exist in this tree
    import importlib.util
    commands = [c for c in commands
                if importlib.util.find_spec(f"diagrams.cli.{c.replace('-', '_')}") is not None]
    monkeypatch.setattr(cli, "COMMANDS", commands)

    def _run(*argv):
        try:
            status = cli.main(["loss", *map(str, argv)])
        except SystemExit as exc:            # argparse errors
            status = exc.code
        out, err = capsys.readouterr()
        return status, out, err
    return _run


def test_reference_point_json(run):
    status, out, err = run("--N", 100, "--T", 150, "--gamma", 0.01, "--alpha", 0.5, "--M", 600, "--json")
    assert status == 0 and err == ""
    d = json.loads(out)
    for key in ("loss", "gamma", "q", "Q", "xi", "l", "r_c", "v", "r_dp", "D", "resummation_factor", "primary"):
        assert key in d
    assert abs(d["loss"] / 3.630e-4 - 1) < 5e-3                      # Eq. 104 at this point, docs/closed_form.md
    assert d["gamma"] == 0.01 and d["M"] == 600
    assert abs(d["xi"] / (100 * 150 * d["q"] * d["Q"]) - 1) < 1e-12


def test_plain_table(run):
    status, out, err = run("--N", 100, "--T", 150, "--gamma", "1/100", "--alpha", "1/2", "--M", 600)
    assert status == 0 and err == ""
    assert "Eq. (104)" in out and "<q>" in out and "<Q>" in out
    line = [ln for ln in out.splitlines() if ln.strip().startswith("<L>")][0]
    assert abs(float(line.split()[-1]) / 3.630e-4 - 1) < 5e-3


def test_gamma_list_and_defaults(run):
    status, out, err = run("--N", 20, "--T", 30, "--gamma", "0.1,1,10", "--spectrum", "1,1/2,1/3",
                           "--sigma-u2", 2, "--sigma-w2", 3, "--C", 2, "--json")
    assert status == 0
    d = json.loads(out)
    assert len(d["loss"]) == 3 and d["gamma"] == [0.1, 1.0, 10.0]
    for g, L in zip(d["gamma"], d["loss"]):
        ref = cf.closed_form_loss_mp(20, 30, g, ["1", "1/2", "1/3"], sigma_u2=2, sigma_w2=3, C=2, dps=30).loss
        assert abs(L / float(ref) - 1) < 1e-10
    # lambda_+ and the sigmas default to 1
    s1, o1, _ = run("--N", 20, "--T", 30, "--gamma", 0.5, "--alpha", 1, "--M", 50, "--json")
    s2, o2, _ = run("--N", 20, "--T", 30, "--gamma", 0.5, "--alpha", 1, "--M", 50, "--lambda-plus", 1,
                    "--sigma-u2", 1, "--sigma-w2", 1, "--C", 1, "--json")
    assert s1 == s2 == 0 and json.loads(o1)["loss"] == json.loads(o2)["loss"]
    s3, o3, _ = run("--N", 20, "--T", 30, "--gamma", 0.5, "--alpha", 1, "--M", 50, "--lambda-plus", 2, "--json")
    assert json.loads(o3)["loss"] != json.loads(o1)["loss"]


def test_dps_gives_high_precision_strings(run):
    status, out, err = run("--N", 2, "--T", 3, "--gamma", "1/10", "--spectrum", "1,1/2", "--dps", 40, "--json")
    assert status == 0
    d = json.loads(out)
    assert isinstance(d["loss"], str) and len(d["loss"].replace("0.", "", 1)) >= 35
    # an independent solve of Eq. (99) for <q>, <Q> at 40 digits
    with mpmath.workdps(45):
        g, sig = mpmath.mpf(1) / 10, mpmath.mpf(1) / 2
        lam = [mpmath.mpf(1), mpmath.mpf(1) / 2]

        def eqs(q, Q):
            a = g * 6 * q * Q
            return [a * sum(l * sig / (1 + a * l * sig) for l in lam) - 2 * (1 - g * q),
                    2 * (1 - g * q) - 3 * (1 - g * Q)]

        q, Q = mpmath.findroot(eqs, (mpmath.mpf(2), mpmath.mpf(5)))
        assert abs(mpmath.mpf(d["q"]) / q - 1) < mpmath.mpf(10) ** -35
        assert abs(mpmath.mpf(d["Q"]) / Q - 1) < mpmath.mpf(10) ** -35
    # the power-law spectrum is built at working precision as well
    s2, o2, _ = run("--N", 10, "--T", 12, "--gamma", "0.01", "--alpha", "1/2", "--M", 40, "--dps", 30, "--json")
    assert s2 == 0
    lam = [mpmath.mpf(i) ** mpmath.mpf(-1.5) for i in range(1, 41)]
    ref = cf.closed_form_loss_mp(10, 12, "0.01", lam, dps=30).loss
    assert abs(mpmath.mpf(json.loads(o2)["loss"]) / ref - 1) < mpmath.mpf(10) ** -25


def test_optimal(run):
    status, out, err = run("--N", 100, "--T", 400, "--optimal", "--alpha", 1, "--M", 5000, "--json")
    assert status == 0
    d = json.loads(out)
    assert d["optimal"] is True and d["at_boundary"] is False
    lam = cf.power_law_spectrum(5000, 1.0)
    g = d["gamma"]
    around = cf.closed_form_loss(100, 400, [g / 1.5, g * 1.5], lam).loss
    assert d["loss"] < around.min()
    # paper Sec. IV.4 at alpha = 1 (docs/physics.md Sec. 4): gamma* ~ c^2/M with c = pi/2, within a few %
    assert abs(g / ((math.pi / 2) ** 2 / 5000) - 1) < 0.05


@pytest.mark.parametrize("argv, option", [
    (["--N", 10, "--T", 20, "--gamma", 0, "--alpha", 1, "--M", 5], "--gamma"),
    (["--N", 10, "--T", 20, "--gamma", -1, "--alpha", 1, "--M", 5], "--gamma"),
    (["--N", 10, "--T", 20, "--gamma", "abc", "--alpha", 1, "--M", 5], "--gamma"),
    (["--N", 0, "--T", 20, "--gamma", 1, "--alpha", 1, "--M", 5], "--N"),
    (["--N", 10, "--T", "1/2", "--gamma", 1, "--alpha", 1, "--M", 5], "--T"),
    (["--N", 10, "--T", 20, "--gamma", 1, "--alpha", 0, "--M", 5], "--alpha"),
    (["--N", 10, "--T", 20, "--gamma", 1, "--alpha", -1, "--M", 5], "--alpha"),
    (["--N", 10, "--T", 20, "--gamma", 1, "--M", 5], "--alpha"),
    (["--N", 10, "--T", 20, "--gamma", 1, "--alpha", 1], "--M"),
    (["--N", 10, "--T", 20, "--gamma", 1], "--alpha"),
    (["--N", 10, "--T", 20, "--gamma", 1, "--alpha", 1, "--M", 0], "--M"),
    (["--N", 10, "--T", 20, "--gamma", 1, "--alpha", 1, "--M", "2.5"], "--M"),
    (["--N", 10, "--T", 20, "--gamma", 1, "--alpha", 1, "--M", 5, "--lambda-plus", 0], "--lambda-plus"),
    (["--N", 10, "--T", 20, "--gamma", 1, "--spectrum", "1,0"], "--spectrum"),
    (["--N", 10, "--T", 20, "--gamma", 1, "--spectrum", "1,2", "--alpha", 1], "--spectrum"),
    (["--N", 10, "--T", 20, "--gamma", 1, "--alpha", 1, "--M", 5, "--sigma-u2", 0], "--sigma-u2"),
    (["--N", 10, "--T", 20, "--gamma", 1, "--alpha", 1, "--M", 5, "--C", -1], "--C"),
    (["--N", 10, "--T", 20, "--gamma", 1, "--alpha", 1, "--M", 5, "--dps", 3], "--dps"),
    (["--N", 10, "--T", 20, "--alpha", 1, "--M", 5], "--gamma"),                       # neither
    (["--N", 10, "--T", 20, "--gamma", 1, "--optimal", "--alpha", 1, "--M", 5], "--optimal"),  # both
])
def test_bad_input_exit_2_one_line(run, argv, option):
    status, out, err = run(*argv)
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and option in lines[0]


def test_module_entry_point():
    assert "loss" in cli.COMMANDS
    proc = subprocess.run([sys.executable, "-m", "diagrams", "loss", "--N", "5", "--T", "8", "--gamma", "0.1",
                           "--spectrum", "1,1/2", "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and json.loads(proc.stdout)["loss"] > 0
    bad = subprocess.run([sys.executable, "-m", "diagrams", "loss", "--N", "5", "--T", "8", "--gamma", "0",
                          "--spectrum", "1"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_label_noise_option_adds_the_noise_term_and_breaks_symmetry(capsys):
    """--label-noise adds App. A's term (checked against simulation in tests/test_noise.py); here:
    wiring, the total, and the N <-> T asymmetry of the noise term."""
    import json as _json

    from diagrams.cli import main as _main

    def run(N, T):
        assert _main(["loss", "--N", str(N), "--T", str(T), "--gamma", "0.01", "--alpha", "0.5", "--M", "600",
                      "--label-noise", "0.1", "--json"]) == 0
        return _json.loads(capsys.readouterr().out)

    a, b = run(100, 150), run(150, 100)
    assert abs(a["total_loss"] - (a["loss"] + a["noise_loss"])) < 1e-12 * a["total_loss"]
    assert abs(a["loss"] - b["loss"]) < 1e-10 * a["loss"]          # the noiseless loss is symmetric
    assert abs(a["noise_loss"] - b["noise_loss"]) > 0.1 * a["noise_loss"]  # the noise term is not
    assert _main(["loss", "--N", "10", "--T", "20", "--gamma", "1", "--alpha", "1", "--M", "50",
                  "--label-noise", "-1"]) == 2
