"""Tests of diagrams.analysis.sweep and ``diagrams sweep``: grids, the seeding rule, the theory column,
Dask against serial, a worker killed mid-run, and sweeps interrupted and resumed."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from diagrams.analysis.simulate import simulate
from diagrams.analysis.sweep import (grid, point_seed, read_axis, run_sweep, simulate_trials, sweep_point,
                                     table_columns)
from diagrams.analysis.sweep_table import TableFile, read_table
from diagrams.models.declaration import PowerLaw
from diagrams.models.random_features import closed_form as cf
from diagrams.models.registry import load_model

ROOT = Path(__file__).resolve().parents[1]
RF = load_model("random-features")
RIDGE = load_model("ridge")
LAW = PowerLaw(Fraction(1), 60)


def small_grid(Ns=(10, 20, 30, 40), Ts=(15, 25, 35), gammas=("0.01",)):
    return grid(RF, {"N": list(Ns), "T": list(Ts), "spectrum": [LAW]}, list(gammas))


def same_rows(a, b):
    """Rows equal cell by cell (nan equal to nan)."""
    assert len(a) == len(b)
    for r, s in zip(a, b):
        assert r.keys() == s.keys()
        for k in r:
            x, y = r[k], s[k]
            if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
                continue
            assert x == y, (k, x, y, r)


def cli(*args, timeout=120, **kw):
    env = dict(os.environ, PYTHONPATH=str(ROOT), DIAGRAMS_PROGRESS_DELAY="0")
    return subprocess.run([sys.executable, "-m", "diagrams", "sweep", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, **kw)


# ----------------------------------------------------------------------------------------- grids

def test_read_axis_integer_ranges_against_explicit_lists():
    assert read_axis("200:800:4", "T", integer=True) == [200, 400, 600, 800]
    assert read_axis("100 200,400", "N", integer=True) == [100, 200, 400]
    # log spacing: the nearest integers of 10^(k/2), k = 2..6
    expected = [int(math.floor(10 ** (k / 2) + 0.5)) for k in range(2, 7)]
    assert read_axis("10:1000:5log", "N", integer=True) == expected == [10, 32, 100, 316, 1000]
    # halves round up, repeats are dropped: 1, 1.5, 2, 2.5, 3 -> 1, 2, 3
    assert read_axis("1:3:5", "N", integer=True) == [1, 2, 3]
    assert read_axis("7:7:3", "N", integer=True) == [7]
    assert read_axis("0:1:5", "s") == [Fraction(k, 4) for k in range(5)]
    g = read_axis("1e-6:1e1:40log", "gamma")
    assert g[0] == Fraction(1, 10 ** 6) and g[-1] == 10 and len(g) == 40
    assert np.allclose([float(x) for x in g], np.geomspace(1e-6, 10, 40), rtol=1e-14, atol=0)


@pytest.mark.parametrize("text, integer, match", [
    ("5:1:3", True, "lo <= hi"),
    ("0:10:3log", False, "lo > 0"),
    ("1.5:3:2", True, "integer"),
    ("1:2:0", False, "number of points"),
    ("1,,2", True, "empty entry"),
    ("1:2:200001", False, "number of points"),
])
def test_read_axis_errors_name_the_parameter(text, integer, match):
    with pytest.raises(ValueError, match=match) as exc:
        read_axis(text, "--N", integer=integer)
    assert str(exc.value).startswith("--N")


def test_grid_is_the_product_in_parameter_order():
    pts = grid(RF, {"T": "15 25", "N": [10, 20, 30], "spectrum": [LAW]}, [Fraction(1, 10), 1])
    assert len(pts) == 12
    got = [(p.values["N"], p.values["T"], p.gamma) for p in pts]
    want = [(n, t, g) for n in (10, 20, 30) for t in (15, 25) for g in (Fraction(1, 10), Fraction(1))]
    assert got == want
    with pytest.raises(ValueError, match=r"N: must be an integer in \[1, "):
        grid(RF, {"N": [0], "T": [5], "spectrum": [LAW]}, [1])
    with pytest.raises(ValueError, match="no parameter 'Q'"):
        grid(RF, {"Q": [1]}, [1])
    with pytest.raises(ValueError, match="more than 1000000"):
        grid(RF, {"N": "1:2000:2000", "T": "1:2000:2000", "spectrum": [LAW]}, [1])


# ------------------------------------------------------------------------------- seeds and splits

def test_rows_reproduced_by_plain_simulate_and_independent_of_splitting():
    pts = small_grid(Ns=(10, 30), Ts=(15,), gammas=("0.01", "1"))
    whole = run_sweep(RF, pts, trials=5, seed=11, executor="serial")
    for k in (1, 2, 3):
        split = run_sweep(RF, pts, trials=5, seed=11, executor="serial", trials_per_task=k)
        same_rows(whole.rows, split.rows)
    for p, r in zip(pts, whole.rows):
        ref = simulate(RF, p.values, float(p.gamma), trials=5, seed=r["seed"])
        assert r["mean"] == ref.mean and r["stderr"] == ref.stderr and r["trials"] == 5


def test_seed_depends_on_parameters_not_on_ridge_nor_on_other_points():
    a, b, c = sweep_point(RF, {"N": 10, "T": 15, "spectrum": LAW}, "0.01"), \
        sweep_point(RF, {"N": 10, "T": 15, "spectrum": LAW}, "3"), \
        sweep_point(RF, {"N": 11, "T": 15, "spectrum": LAW}, "0.01")
    assert point_seed(RF, a, 0) == point_seed(RF, b, 0)
    assert len({point_seed(RF, a, 0), point_seed(RF, c, 0), point_seed(RF, a, 1), point_seed(RF, a, 2 ** 40)}) == 4
    # common random numbers: the draws of every ridge of a point are the same
    assert np.array_equal(simulate_trials(RF, a.values, 0.01, 5, 0, 1), simulate_trials(RF, a.values, 0.01, 5, 0, 1))
    full = run_sweep(RF, small_grid(), trials=3, seed=2, executor="serial")
    part_pts = small_grid(Ns=(30,), Ts=(25, 15))
    part = run_sweep(RF, part_pts, trials=3, seed=2, executor="serial")
    by = {(r["N"], r["T"]): r for r in full.rows}
    for r in part.rows:
        assert r == by[(r["N"], r["T"])]


# ------------------------------------------------------------------------------------ theory

def test_theory_column_is_eq_104_and_pull_follows():
    pts = small_grid(Ns=(10, 40), Ts=(25,), gammas=("1e-3", "0.5"))
    res = run_sweep(RF, pts, trials=4, seed=0, executor="serial")
    lam = cf.power_law_spectrum(60, 1.0)
    for r in res.rows:
        exact = float(cf.closed_form_loss(r["N"], r["T"], r["gamma"], lam).loss)
        assert r["theory"] == pytest.approx(exact, rel=1e-12)
        assert r["pull"] == pytest.approx((r["mean"] - r["theory"]) / r["stderr"], rel=1e-12)
        # the planar limit against finite N: O(1/N) corrections, ~25% at N = 10, a few per cent at N = 40
        assert abs(r["mean"] / r["theory"] - 1) < (0.4 if r["N"] == 10 else 0.1)


def test_theory_from_the_dyson_route_when_the_model_has_no_closed_form():
    from diagrams.analysis.dyson_solve import solve_mp

    deep = load_model("deep-random-features")
    pts = grid(deep, {"N": [4], "N1": [5], "T": [6], "spectrum": [[1, "1/2", "1/3"]]}, [1])
    res = run_sweep(deep, pts, trials=3, seed=0, executor="serial")
    (r,) = res.rows
    ref = solve_mp(deep, deep.read_values({"N": 4, "N1": 5, "T": 6, "spectrum": [1, "1/2", "1/3"]}), 1, 30)
    assert r["theory"] == pytest.approx(float(ref["observable"]), rel=1e-10) and r["mean"] > 0
    assert r["spectrum"] == "1,1/2,1/3" and r["M"] == 3
    plain = run_sweep(deep, pts, trials=3, seed=0, executor="serial", theory=False).rows
    strip = lambda rows: [{k: v for k, v in row.items() if k not in ("theory", "pull")} for row in rows]  # noqa: E731
    assert strip(plain) == strip(res.rows) and plain[0]["theory"] is None


def test_columns_of_a_covariate_shift_and_of_a_single_trial():
    pts = grid(RF, {"N": [6], "T": [8], "spectrum": [LAW], "spectrum_test": [PowerLaw(Fraction(2), 60)]}, [1])
    names = [n for n, _ in table_columns(RF, pts)]
    assert "alpha_test" in names and "alpha" in names and "spectrum_test" not in names
    (r,) = run_sweep(RF, pts, trials=1, seed=0, executor="serial").rows
    # a covariate shift: Eq. 104 does not apply, the Dyson route gives the theory
    assert r["alpha_test"] == 2.0 and math.isnan(r["stderr"]) and r["theory"] > 0 and r["pull"] is None


# ------------------------------------------------------------------------------------ Dask

@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as lc, distributed.Client(lc) as client:
        yield client


@pytest.mark.slow
def test_dask_on_two_workers_equals_serial_point_for_point(cluster):
    pts = small_grid()                                     # 4 x 3 grid
    serial = run_sweep(RF, pts, trials=6, seed=7, executor="serial")
    dask = run_sweep(RF, pts, trials=6, seed=7, client=cluster, trials_per_task=2)
    assert dask.workers == 2 and dask.tasks == 12 * 3 + 12
    same_rows(serial.rows, dask.rows)
    assert len(serial.rows) == 12 and all(r["theory"] is not None for r in dask.rows)
    # the same cluster by its scheduler's address, from the API and from the command line
    address = cluster.scheduler.address
    same_rows(serial.rows, run_sweep(RF, pts, trials=6, seed=7, scheduler=address).rows)
    r = cli("--N", "10 20 30 40", "--T", "15 25 35", "--alpha", "1", "--M", "60", "--gamma", "0.01",
            "--trials", "6", "--seed", "7", "--scheduler", address, "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["workers"] == 2 and s["executor"] == "dask" and s["computed"] == 12
    same_rows(serial.rows, s["rows"])


@pytest.mark.slow
def test_figures_simulate_through_the_sweep_serially_or_on_a_cluster(cluster):
    from diagrams.output.figures import loss_vs_gamma_data

    here = loss_vs_gamma_data(quick=True, Ns=(100,), trials=3, seed=4)["sim"]
    there = loss_vs_gamma_data(quick=True, Ns=(100,), trials=3, seed=4, scheduler=cluster.scheduler.address)["sim"]
    assert len(here["N"]) == 2
    for k in ("N", "T", "gamma", "loss", "stderr"):
        assert np.array_equal(here[k], there[k])
    lam = cf.power_law_spectrum(400, 1.0)
    for g, L in zip(here["gamma"], here["loss"]):              # N = T = 100, M = 400: within ~10% of Eq. 104
        assert abs(L / float(cf.closed_form_loss(100, 100, g, lam).loss) - 1) < 0.1


@pytest.mark.slow
def test_worker_killed_mid_run_gives_every_point_and_the_serial_numbers(cluster, tmp_path):
    pts = small_grid(Ns=(20, 30, 40, 50), Ts=(25, 45, 60))
    before = cluster.run(os.getpid)
    killed = {}

    def tick(n):
        if not killed:
            addr, pid = sorted(before.items())[0]
            killed.update(addr=addr, pid=pid, done=sum(1 for _ in open(tmp_path / "t.csv")) - 1)
            os.kill(pid, signal.SIGKILL)

    res = run_sweep(RF, pts, trials=8, seed=3, client=cluster, trials_per_task=1, out=tmp_path / "t.csv",
                    progress=tick)
    assert killed and killed["done"] < len(pts)           # the kill came before the end
    serial = run_sweep(RF, pts, trials=8, seed=3, executor="serial")
    same_rows(serial.rows, res.rows)
    same_rows(serial.rows, read_table(tmp_path / "t.csv")[1])
    deadline = time.time() + 60                             # the nanny starts a new worker process
    while time.time() < deadline:
        workers = cluster.scheduler_info()["workers"]
        if killed["addr"] not in workers and len(workers) == 2:
            break
        time.sleep(0.2)
    after = cluster.run(os.getpid)
    assert killed["pid"] not in after.values() and len(after) == 2


# ------------------------------------------------------------------------------------ resuming

class Interrupt(Exception):
    pass


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_interrupted_sweep_resumes_without_recomputing(tmp_path, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    pts = small_grid(gammas=("0.01", "0.1"))
    out = tmp_path / f"sweep{suffix}"
    count = {"trials": 0}

    def stop_after_five_points(n):
        count["trials"] += n
        if count["trials"] >= 5 * 4:
            raise Interrupt

    with pytest.raises(Interrupt):
        run_sweep(RF, pts, trials=4, seed=1, executor="serial", out=out, progress=stop_after_five_points)
    first = read_table(out)[1]
    assert len(first) == 4                                # the fifth point was interrupted before its row
    res = run_sweep(RF, pts, trials=4, seed=1, executor="serial", out=out)
    assert (res.skipped, res.computed, res.tasks) == (4, len(pts) - 4, (len(pts) - 4) + 12 - 2)
    ref = run_sweep(RF, pts, trials=4, seed=1, executor="serial")
    same_rows(ref.rows, res.rows)
    same_rows(ref.rows, read_table(out)[1])
    again = run_sweep(RF, pts, trials=4, seed=1, executor="serial", out=out)
    assert (again.computed, again.skipped, again.tasks) == (0, len(pts), 0)


def test_table_file_refuses_another_sweep_and_keeps_other_points(tmp_path):
    out = tmp_path / "s.csv"
    pts = small_grid(Ns=(10,), Ts=(15, 25))
    run_sweep(RF, pts, trials=3, seed=0, executor="serial", out=out)
    with pytest.raises(ValueError, match="already has the point .* 3 trials"):
        run_sweep(RF, pts, trials=4, seed=0, executor="serial", out=out)
    with pytest.raises(ValueError, match="columns"):
        run_sweep(RIDGE, grid(RIDGE, {"T": [5], "spectrum": [[1]]}, [1]), trials=3, executor="serial", out=out)
    more = small_grid(Ns=(20,), Ts=(15,))
    res = run_sweep(RF, more, trials=3, seed=0, executor="serial", out=out)
    rows = read_table(out)[1]
    assert [(r["N"], r["T"]) for r in rows] == [(10, 15), (10, 25), (20, 15)] and res.computed == 1


def test_csv_row_cut_by_a_kill_is_dropped(tmp_path):
    path = tmp_path / "t.csv"
    cols = [("N", "int"), ("mean", "float")]
    with TableFile(path, cols) as t:
        t.append({"N": 1, "mean": 0.5})
    with open(path, "a") as fh:
        fh.write("2,0.2")                                     # no newline: the writer was killed
    t = TableFile(path, cols)
    assert t.rows == [{"N": 1, "mean": 0.5}]
    t.append({"N": 3, "mean": float("nan")})
    assert path.read_text() == "N,mean\n1,0.5\n3,nan\n"


# ------------------------------------------------------------------------------------ the command

SWEEP_ARGS = ["--N", "20 30 40", "--T", "30:60:4", "--alpha", "1", "--M", "80", "--gamma", "0.01 0.1",
              "--trials", "12", "--seed", "5"]


def wait_for_rows(path, n, proc, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.exists() and path.read_text().count("\n") - 1 >= n:
            return
        if proc.poll() is not None:
            raise AssertionError(f"the sweep ended before {n} rows: {proc.communicate()}")
        time.sleep(0.02)
    raise AssertionError("timeout waiting for rows")


@pytest.mark.slow
def test_cli_killed_with_sigkill_resumes_without_recomputing(tmp_path):
    ref = tmp_path / "ref.csv"
    r = cli(*SWEEP_ARGS, "--workers", "0", "--out", ref, "--json")
    assert r.returncode == 0, r.stderr
    total = json.loads(r.stdout)["points"]
    assert total == 24
    out = tmp_path / "sweep.csv"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "diagrams", "sweep", *SWEEP_ARGS, "--workers", "0", "--out",
                             str(out)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        wait_for_rows(out, 3, proc)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    done = len(read_table(out)[1])
    assert 3 <= done < total
    r = cli(*SWEEP_ARGS, "--workers", "0", "--out", out, "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert (s["skipped"], s["computed"]) == (done, total - done)
    assert out.read_bytes() == ref.read_bytes()            # the same table, row for row, byte for byte


@pytest.mark.slow
def test_cli_on_dask_interrupted_with_sigint_resumes(tmp_path):
    pytest.importorskip("pyarrow")
    # sizes large enough that the run takes several seconds on two workers, so that the interrupt (sent as soon
    # as two rows are on disk, the first flush after about 1 s) arrives mid-run on a fast machine too
    args = ["--N", "100 150 200", "--T", "150:300:4", "--alpha", "1", "--M", "400", "--gamma", "0.01 0.1",
            "--trials", "12", "--seed", "5"]
    pts = grid(RF, {"N": [100, 150, 200], "T": [150, 200, 250, 300], "spectrum": [PowerLaw(Fraction(1), 400)]},
               [0.01, 0.1])
    ref = run_sweep(RF, pts, trials=12, seed=5, executor="serial")
    out = tmp_path / "sweep.parquet"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "diagrams", "sweep", *args, "--workers", "2",
                             "--trials-per-task", "3", "--out", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.time() + 90
        while time.time() < deadline and proc.poll() is None:
            if out.exists() and len(read_table(out)[1]) >= 2:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "interrupted" in err
    done = len(read_table(out)[1])
    assert 2 <= done < 24
    r = cli(*args, "--workers", "0", "--out", out, "--json")     # resumed serially: the same numbers
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert (s["skipped"], s["computed"]) == (done, 24 - done)
    same_rows(ref.rows, read_table(out)[1])


def test_cli_prints_the_table_and_json_rows():
    r = cli("--model", "ridge", "--T", "10:1000:3log", "--spectrum", "1,1/2,1/4", "--gamma", "0.1", "--trials", "3",
            "--workers", "0", "--json")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert [row["T"] for row in s["rows"]] == [10, 100, 1000] and s["computed"] == 3 and s["executor"] == "serial"
    pts = grid(RIDGE, {"T": [10, 100, 1000], "spectrum": [[1, "1/2", "1/4"]]}, [Fraction(1, 10)])
    api = run_sweep(RIDGE, pts, trials=3, seed=0, executor="serial")
    assert [row["mean"] for row in s["rows"]] == [row["mean"] for row in api.rows]
    text = cli("--model", "ridge", "--T", "10 20", "--spectrum", "1", "--gamma", "0.1", "--trials", "2",
               "--workers", "0")
    assert text.returncode == 0 and "theory" in text.stdout and len(text.stdout.splitlines()) == 5


@pytest.mark.parametrize("args, flag", [
    (["--T", "5:1:3"], "--T"),
    (["--N", "0 10"], "--N"),
    (["--alpha", "0:1:3"], "--alpha"),
    (["--workers", "-1"], "--workers"),
    (["--out", "x.txt"], "--out"),
    (["--scheduler", "nowhere"], "--scheduler"),
    (["--trials-per-task", "0"], "--trials-per-task"),
    (["--gamma", "0 1"], "--gamma"),
])
def test_cli_bad_input_names_the_flag(args, flag):
    base = {"--N": "10", "--T": "15", "--alpha": "1", "--M": "20", "--gamma": "0.1", "--workers": "0"}
    for k, v in zip(args[::2], args[1::2]):
        base[k] = v
    r = cli(*[x for kv in base.items() for x in kv], "--trials", "2")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.startswith(f"diagrams sweep: error: {flag}"), r.stderr
    assert "Traceback" not in r.stderr


def test_figures_refuses_a_bad_scheduler(tmp_path, capsys):
    from diagrams.cli import main

    code = main(["figures", "--out", str(tmp_path), "--quick", "--scheduler", "nowhere"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("diagrams figures: error: --scheduler") and not list(tmp_path.iterdir())


@pytest.mark.parametrize("kw, name", [
    ({"trials": 0}, "trials"), ({"seed": -1}, "seed"), ({"seed": 2 ** 63}, "seed"), ({"executor": "mpi"}, "executor"),
    ({"executor": "dask", "workers": 0}, "workers"), ({"executor": "dask", "workers": 5000}, "workers"),
    ({"executor": "dask", "scheduler": "nowhere"}, "scheduler"), ({"trials_per_task": 0}, "trials_per_task"),
    ({"out": "table.txt"}, "out"), ({"workers": 2}, "executor"),
])
def test_run_sweep_refuses_bad_arguments_before_any_work(kw, name, tmp_path):
    args = {"trials": 2, "seed": 0, "executor": "serial", **kw}
    if "out" in args:
        args["out"] = tmp_path / args["out"]
    with pytest.raises(ValueError, match=f"^{name}:"):
        run_sweep(RIDGE, grid(RIDGE, {"T": [3], "spectrum": [[1]]}, [1]), **args)
    with pytest.raises(ValueError, match="^points:"):
        run_sweep(RIDGE, [{"T": 3}], trials=2, executor="serial")
    assert not list(tmp_path.iterdir())
