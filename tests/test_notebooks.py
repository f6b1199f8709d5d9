"""Execute every notebook of ``notebooks/`` headless; a cell that raises fails the test.

Each notebook runs in a temporary copy of itself (the committed file keeps no outputs) with the
``python3`` kernel and the repository root on ``PYTHONPATH``, so the checkout is imported even if
the package is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 300

import nbclient  # noqa: E402  (the test extra installs them)
import nbformat  # noqa: E402


def test_notebooks_exist():
    names = {p.name for p in NOTEBOOKS}
    assert {"tour.ipynb", "scaling_laws.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs", []) == [] and cell.get("execution_count") is None, \
                f"{path.name}: commit notebooks without outputs (regenerate with notebooks/make_notebooks.py)"


def test_generator_reproduces_notebooks(tmp_path):
    """The committed notebooks are what ``notebooks/make_notebooks.py`` writes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOK_DIR / "make_notebooks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for written in mod.main(tmp_path):
        committed = NOTEBOOK_DIR / written.name
        assert committed.exists(), f"{written.name} is generated but not in notebooks/"
        assert json.loads(written.read_text()) == json.loads(committed.read_text()), \
            f"{written.name} differs from the generator's output; rerun notebooks/make_notebooks.py"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    work = tmp_path / path.name
    shutil.copy(path, work)
    nb = nbformat.read(str(work), as_version=4)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:      # the message names the cell and the error
        pytest.fail(f"{path.name}: a cell raised:\n{exc}", pytrace=False)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    nbformat.write(nb, str(work))
