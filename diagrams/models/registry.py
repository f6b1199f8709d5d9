r"""The shipped models by name, and a user's model loaded from a file.

>>> [m["name"] for m in list_models()]
['random-features', 'ridge', 'deep-random-features']
>>> load_model("ridge").name
'ridge'
>>> load_model("no-such-model")
Traceback (most recent call last):
...
ValueError: --model: unknown model 'no-such-model'; shipped models: random-features, ridge, deep-random-features, or path/to/file.py:NAME
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

from diagrams.models.declaration import Model

__all__ = ["SHIPPED", "load_model", "list_models", "DEFAULT_MODEL"]

#: Shipped model name -> module holding ``MODEL``.
SHIPPED = {
    "random-features": "diagrams.models.random_features.model",
    "ridge": "diagrams.models.ridge.model",
    "deep-random-features": "diagrams.models.deep_random_features.model",
}
#: The model used when none is named (``--model`` not given).
DEFAULT_MODEL = "random-features"

_LOADED: dict = {}


def _from_file(spec: str, who: str) -> Model:
    path_text, _, name = spec.rpartition(":")
    path = Path(path_text)
    if not name.isidentifier():
        raise ValueError(f"{who}: after the file give the name of the model in it, e.g. my_model.py:MODEL; "
                         f"got {spec!r}")
    if not path.is_file():
        raise ValueError(f"{who}: no such file {path_text!r}")
    key = (str(path.resolve()), path.stat().st_mtime_ns, name)
    if key in _LOADED:
        return _LOADED[key]
    mod_name = f"diagrams_user_model_{abs(hash(key[0]))}"
    spec_ = importlib.util.spec_from_file_location(mod_name, path)
    if spec_ is None or spec_.loader is None:
        raise ValueError(f"{who}: cannot load {path_text!r} as a Python file")
    module = importlib.util.module_from_spec(spec_)
    sys.modules[mod_name] = module
    try:
        spec_.loader.exec_module(module)
    except ValueError as exc:
        raise ValueError(f"{who}: the declaration in {path_text} is invalid: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a user file may raise anything; report it in one line
        raise ValueError(f"{who}: loading {path_text} failed: {type(exc).__name__}: {exc}") from None
    if not hasattr(module, name):
        raise ValueError(f"{who}: {path_text} defines no {name!r}")
    obj = getattr(module, name)
    if callable(obj) and not isinstance(obj, Model):
        try:
            obj = obj()
        except ValueError as exc:
            raise ValueError(f"{who}: {name}() in {path_text} failed: {exc}") from None
    if not isinstance(obj, Model):
        raise ValueError(f"{who}: {name} in {path_text} is not a Model (or a function returning one)")
    _check_declared(obj, who)
    _LOADED[key] = obj
    return obj


def _check_declared(m: Model, who: str) -> None:
    if not m.observable:
        raise ValueError(f"{who}: model {m.name!r} declares no observable (use Model.quadratic or Model.trace)")


def load_model(spec=None, *, who: str = "--model") -> Model:
    """A model by shipped name, from a Python file, or as given.

    Parameters
    ----------
    spec : str or Model, optional
        A shipped model's name (a key of :data:`SHIPPED`), ``"path/to/file.py:NAME"`` (``NAME`` a
        :class:`~diagrams.models.declaration.Model` defined in that file, or a function returning
        one), or a ``Model`` (returned as it is).  ``None``: :data:`DEFAULT_MODEL`.
    who : str, optional
        The option named in error messages.

    Returns
    -------
    Model
        The declaration.  A file is loaded once per modification time.

    Raises
    ------
    ValueError
        If ``spec`` is neither a shipped name nor ``file.py:NAME``; if the file does not exist, fails
        to load, has no ``NAME``, or ``NAME`` is not a model (or a function returning one); or if the
        model declares no observable.

    Examples
    --------
    >>> load_model("ridge").name
    'ridge'
    >>> load_model().name
    'random-features'
    >>> load_model("no-such-model")
    Traceback (most recent call last):
    ...
    ValueError: --model: unknown model 'no-such-model'; shipped models: random-features, ridge, deep-random-features, or path/to/file.py:NAME
    """
    if spec is None:
        spec = DEFAULT_MODEL
    if isinstance(spec, Model):
        return spec
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"{who}: give a model name or path/to/file.py:NAME, got {spec!r}")
    spec = spec.strip()
    if spec in SHIPPED:
        return importlib.import_module(SHIPPED[spec]).MODEL
    if ":" in spec and spec.rpartition(":")[0].endswith(".py"):
        return _from_file(spec, who)
    raise ValueError(f"{who}: unknown model {spec!r}; shipped models: {', '.join(SHIPPED)}, "
                     f"or path/to/file.py:NAME")


def list_models() -> list[dict]:
    """The shipped models as plain data (what ``diagrams models`` lists).

    Returns
    -------
    list of dict
        ``[Model.as_dict(), ...]``: ``{"name", "description", "parameters": [...]}`` per shipped model.

    Examples
    --------
    >>> [m["name"] for m in list_models()]
    ['random-features', 'ridge', 'deep-random-features']
    """
    return [load_model(name).as_dict() for name in SHIPPED]
