"""Sphinx configuration of the nsl-diagrams documentation site.

Build (from the repository root, with the ``docs`` extra installed)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

Importing this file does nothing but put the checkout on ``sys.path`` (pytest collects it with
``--doctest-modules``); the notebooks of ``notebooks/`` are copied into ``docs/notebooks/`` (not
committed) when a build starts, and autosummary writes the module pages into ``docs/generated/``.
"""

from __future__ import annotations

import shutil
import sys
import warnings
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
NOTEBOOK_SOURCE = ROOT / "notebooks"
NOTEBOOK_COPY = DOCS / "notebooks"

# the checkout's package, whether or not it is installed
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

project = "nsl-diagrams"
author = "the nsl-diagrams authors"
copyright = "the nsl-diagrams authors, MIT licence"
release = version = "0.1.0"

extensions = [
    "myst_nb",                      # Markdown pages (MyST) and the notebooks with their outputs
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "**/.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]

# -- MyST and notebooks ---------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "off"           # the committed notebooks carry their outputs (notebooks/make_notebooks.py)
nb_merge_streams = True
nb_render_markdown_format = "myst"  # Markdown outputs (tables of exact numbers) with tables and $math$

# -- API reference ----------------------------------------------------------------------------------
autosummary_generate = True
autosummary_ignore_module_all = False   # a module's __all__ is its public API
autosummary_imported_members = False
autodoc_default_options = {"members": True, "undoc-members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"               # numpydoc's Parameters sections say the types
autodoc_preserve_defaults = True
autodoc_inherit_docstrings = False      # no sympy or dataclass docstrings in this reference
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- HTML ---------------------------------------------------------------------------------------
html_theme = "furo"
html_title = "nsl-diagrams"
html_static_path: list[str] = []


def copy_notebooks(app) -> None:
    """Copy ``notebooks/*.ipynb`` into the source tree (only those that changed)."""
    NOTEBOOK_COPY.mkdir(exist_ok=True)
    for src in sorted(NOTEBOOK_SOURCE.glob("*.ipynb")):
        dst = NOTEBOOK_COPY / src.name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)


def drop_type_docstrings(app, what, name, obj, options, lines) -> None:
    """A module-level name without a ``#:`` comment (a model's ``MODEL``, its symbols) would show the
    docstring of its type (``tuple``, ``sympy.Symbol``, ``Model``); show its value alone instead."""
    if what != "data" or not lines:
        return
    from sphinx.errors import PycodeError
    from sphinx.pycode import ModuleAnalyzer

    modname, _, attr = name.rpartition(".")
    try:
        documented = ("", attr) in ModuleAnalyzer.for_module(modname).find_attr_docs()
    except PycodeError:
        documented = False
    if not documented:
        lines.clear()


def setup(app):
    # numpydoc reads inherited docstrings through inspect.getdoc: a sympy Function's ``eval`` brings
    # sympy's own docstring, whose "Explanation" section numpydoc does not know.  Not our docstring.
    warnings.filterwarnings("ignore", message=r"Unknown section Explanation in the docstring of eval in ",
                            category=UserWarning)
    app.connect("builder-inited", copy_notebooks)
    app.connect("autodoc-process-docstring", drop_type_docstrings, priority=100)   # before numpydoc
    return {"parallel_read_safe": True}
