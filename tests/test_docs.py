"""The documentation site: it builds with warnings as errors, and its API reference covers the public API.

The build command is the one ``.ci/run`` runs (``docs/conf.py``; Sphinx with myst-nb, autosummary and
numpydoc)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Public API: every module of ``diagrams`` (no part of its dotted name starting with ``_``); its public
names are those of its ``__all__``, or, for a module without ``__all__`` (a command of
``diagrams.cli``), the functions and classes it defines whose names do not start with ``_``.  Each
must be an object of the built site's inventory (``objects.inv``) under ``module.name``.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

import diagrams

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
BUILD_COMMAND = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html"]


def public_modules() -> list[str]:
    """Every module of the package whose dotted name has no private part, the package itself first."""
    names = ["diagrams"]
    for info in pkgutil.walk_packages(diagrams.__path__, "diagrams."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def public_names(modname: str) -> list[str]:
    mod = importlib.import_module(modname)
    if hasattr(mod, "__all__"):
        return list(mod.__all__)
    return [n for n, obj in vars(mod).items() if not n.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == modname]


_INVENTORY_LINE = re.compile(r"(.+?)\s+(\S+)\s+(-?\d+)\s+?(\S*)\s+(.*)")


def read_inventory(path: Path) -> dict[str, str]:
    """``{name: domain:role}`` of a Sphinx ``objects.inv`` (version 2: four header lines, zlib body)."""
    raw = path.read_bytes()
    header, body = raw.split(b"\n", 4)[:4], raw.split(b"\n", 4)[4]
    assert header[0].startswith(b"# Sphinx inventory version 2"), header[0]
    out = {}
    for line in zlib.decompress(body).decode().splitlines():
        m = _INVENTORY_LINE.match(line.rstrip())
        if m:
            out[m.group(1)] = m.group(2)
    return out


def test_public_modules_found():
    mods = public_modules()
    for expected in ("diagrams.engine.wick", "diagrams.models.declaration", "diagrams.analysis.expansion",
                     "diagrams.output.latex", "diagrams.cli.options"):
        assert expected in mods
    assert not any("._" in m for m in mods)


def test_api_page_lists_every_layer():
    """``docs/api.md`` recurses from each subpackage of ``diagrams``: none may be missing."""
    text = (DOCS / "api.md").read_text()
    listed = set(re.findall(r"^\s+(diagrams(?:\.\w+)+)\s*$", text, flags=re.M))
    packages = {f"diagrams.{i.name}" for i in pkgutil.iter_modules(diagrams.__path__)
                if i.ispkg and not i.name.startswith("_")}
    assert packages and packages <= listed, f"add {sorted(packages - listed)} to the autosummary of docs/api.md"


def test_inventory_reader_rejects_a_missing_name(tmp_path):
    """The coverage check below can fail: an inventory without a name does not list it."""
    body = "diagrams.engine.wick py:module 0 generated/diagrams.engine.wick.html#module-$ -\n" \
           "diagrams.engine.wick.contractions py:function 1 generated/diagrams.engine.wick.html#$ -\n"
    inv = tmp_path / "objects.inv"
    inv.write_bytes(b"# Sphinx inventory version 2\n# Project: x\n# Version: 0\n"
                    b"# The remainder of this file is compressed using zlib.\n" + zlib.compress(body.encode()))
    names = read_inventory(inv)
    assert names["diagrams.engine.wick.contractions"] == "py:function"
    assert "diagrams.engine.wick.count_contractions" not in names


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    for module in ("sphinx", "myst_nb", "numpydoc", "furo"):
        pytest.importorskip(module, reason="the docs extra is not installed (pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(BUILD_COMMAND + ["-d", str(out / "doctrees"), str(DOCS), str(out / "html")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    return proc, out / "html"


@pytest.mark.slow
def test_docs_build_without_warnings(built_site):
    proc, html = built_site
    warnings = [line for line in proc.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert proc.returncode == 0 and not warnings, \
        f"sphinx-build -W failed ({proc.returncode}):\n" + "\n".join(warnings or proc.stderr.splitlines()[-30:])
    assert (html / "index.html").exists()


@pytest.mark.slow
def test_every_public_name_in_the_api_reference(built_site):
    proc, html = built_site
    assert (html / "objects.inv").exists(), proc.stderr[-3000:]
    inventory = read_inventory(html / "objects.inv")
    missing = []
    for mod in public_modules():
        if inventory.get(mod) != "py:module":
            missing.append(mod + " (module)")
        missing += [f"{mod}.{name}" for name in public_names(mod) if not inventory.get(f"{mod}.{name}", "").startswith("py:")]
    assert not missing, f"{len(missing)} public names are not in the API reference: {missing[:40]}"


@pytest.mark.slow
def test_pages_and_notebooks_rendered(built_site):
    """Every page of docs/ is in the site, and the notebooks are rendered with their saved outputs."""
    _, html = built_site
    for page in DOCS.glob("*.md"):
        assert (html / page.with_suffix(".html").name).exists(), f"{page.name} is not in the site (index.md toctree)"
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        assert (html / "notebooks" / nb.with_suffix(".html").name).exists(), f"{nb.name} is not in the site"
    own = (html / "notebooks" / "your_own_model.html").read_text()
    assert "<svg" in own, "the diagram's SVG output is not rendered"
    assert "<caption" in own and "index spaces" in own, "the model's table is not rendered"
    assert own.count("<img") >= 2, "the figures are not rendered"
    assert "Dyson series" in own and "<table" in own
