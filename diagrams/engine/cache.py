r"""On-disk cache of expensive results, validated when read.

An entry is one JSON file::

    {"schema": 1, "kind": ..., "key": ..., "payload": ..., "sha256": <hash of the payload>}

* the **key** hashes the kind of result, every parameter that determines it and a **version**: the
  installed package's version (from its metadata) plus a hash of the source of the code that
  computes the entry (the modules passed as ``code``), so changing that code never reads an old
  entry;
* the **payload** is plain JSON produced by the caller's ``encode`` (exact numbers as text, sympy
  expressions via :func:`~diagrams.engine.symbols.dump_expression`), read back with ``decode``;
* on reading, the schema, the kind, the key and the checksum are verified and ``decode`` (and the
  optional ``validate``) must succeed; anything else -- a truncated file, a pickle, a payload of
  the wrong shape -- is discarded and the result recomputed.  Writes go to a temporary file in the
  same folder, renamed into place; the temporary file is removed on every failure path.

The folder is ``$DIAGRAMS_CACHE_DIR`` or ``~/.cache/nsl-diagrams``; ``DIAGRAMS_NO_CACHE=1``
switches the cache off.

>>> import tempfile, os, json
>>> os.environ["DIAGRAMS_CACHE_DIR"] = tempfile.mkdtemp()
>>> calls = []
>>> f = lambda: calls.append(1) or {"answer": 42}
>>> cached("demo", {"order": 3}, f), cached("demo", {"order": 3}, f), len(calls)
({'answer': 42}, {'answer': 42}, 1)
>>> path = entry_path("demo", {"order": 3})
>>> _ = path.write_text(json.dumps({"schema": 1, "payload": {"answer": 41}}))   # tampered
>>> cached("demo", {"order": 3}, f), len(calls)
({'answer': 42}, 2)
>>> del os.environ["DIAGRAMS_CACHE_DIR"]
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

__all__ = ["cache_dir", "cache_key", "code_version", "entry_path", "cached", "SCHEMA"]

#: Version of the entry format.
SCHEMA = 1


def cache_dir() -> Path:
    """The folder of the on-disk cache (``$DIAGRAMS_CACHE_DIR`` or ``~/.cache/nsl-diagrams``).

    Returns
    -------
    pathlib.Path
        The folder; it is created only when an entry is written.

    Examples
    --------
    >>> import os
    >>> os.environ["DIAGRAMS_CACHE_DIR"] = "/tmp/some-cache"
    >>> cache_dir().as_posix()
    '/tmp/some-cache'
    >>> del os.environ["DIAGRAMS_CACHE_DIR"]
    >>> cache_dir().name
    'nsl-diagrams'
    """
    return Path(os.environ.get("DIAGRAMS_CACHE_DIR") or Path.home() / ".cache" / "nsl-diagrams")


@lru_cache(maxsize=1)
def _package_version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("nsl-diagrams")
        except PackageNotFoundError:
            pass
    except ImportError:  # pragma: no cover
        pass
    from diagrams import __version__

    return __version__


@lru_cache(maxsize=64)
def _source_hash(module_name: str) -> str:
    import importlib

    mod = importlib.import_module(module_name)
    path = getattr(mod, "__file__", None)
    h = hashlib.sha256(module_name.encode())
    if path and os.path.exists(path):
        with open(path, "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()


def code_version(code: Iterable = ()) -> str:
    """The code version of a cache entry: the package version plus a hash of the source files of the given modules.

    The source of this module is always included, so changing the code that computes an entry (or the
    cache itself) never reads an old entry.

    Parameters
    ----------
    code : iterable of module or str, optional
        The modules (or module names) whose source determines the result.

    Returns
    -------
    str
        ``"<package version>+<16 hex digits>"``.

    Examples
    --------
    >>> import diagrams.engine.numbers
    >>> v = code_version([diagrams.engine.numbers])
    >>> v == code_version(["diagrams.engine.numbers"]), v == code_version()
    (True, False)
    >>> len(v.rpartition("+")[2])
    16
    """
    names = sorted({m if isinstance(m, str) else m.__name__ for m in code} | {__name__})
    h = hashlib.sha256(_package_version().encode())
    for n in names:
        h.update(_source_hash(n).encode())
    return f"{_package_version()}+{h.hexdigest()[:16]}"


def cache_key(kind: str, params: dict, code: Iterable = ()) -> str:
    """The key of a cache entry: a hash of the kind, the parameters (JSON, keys sorted) and :func:`code_version`.

    Parameters
    ----------
    kind : str
        The kind of result (e.g. ``"planar"``).
    params : dict
        Every parameter that determines the result; values that are not JSON are written with ``str``.
    code : iterable of module or str, optional
        The modules whose source computes the result (see :func:`code_version`).

    Returns
    -------
    str
        40 hexadecimal digits.

    Examples
    --------
    >>> k = cache_key("demo", {"order": 3, "N": 2})
    >>> len(k), k == cache_key("demo", {"N": 2, "order": 3}), k == cache_key("demo", {"order": 4, "N": 2})
    (40, True, False)
    """
    blob = json.dumps({"kind": kind, "params": params, "version": code_version(code)}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:40]


def entry_path(kind: str, params: dict, code: Iterable = ()) -> Path:
    """The file where the cache entry of ``(kind, params)`` lives.

    Parameters
    ----------
    kind : str
        The kind of result; characters other than letters, digits, ``-`` and ``_`` become ``_`` in the
        file name, which keeps its first 40 characters.
    params : dict
        Every parameter that determines the result.
    code : iterable of module or str, optional
        The modules whose source computes the result (see :func:`code_version`).

    Returns
    -------
    pathlib.Path
        ``cache_dir() / "<kind>-<cache_key>.json"``.

    Examples
    --------
    >>> import os
    >>> os.environ["DIAGRAMS_CACHE_DIR"] = "/tmp/some-cache"
    >>> p = entry_path("planar moments", {"order": 3})
    >>> p.parent.as_posix(), p.name.startswith("planar_moments-"), p.suffix
    ('/tmp/some-cache', True, '.json')
    >>> del os.environ["DIAGRAMS_CACHE_DIR"]
    """
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in kind)[:40]
    return cache_dir() / f"{safe}-{cache_key(kind, params, code)}.json"


def _checksum(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _read(path: Path, kind: str, key: str, decode: Callable, validate: Callable | None):
    with open(path, "r", encoding="utf-8") as fh:
        entry = json.load(fh)
    if not isinstance(entry, dict) or entry.get("schema") != SCHEMA or entry.get("kind") != kind \
            or entry.get("key") != key or "payload" not in entry:
        raise ValueError("cache entry: wrong schema")
    if entry.get("sha256") != _checksum(entry["payload"]):
        raise ValueError("cache entry: checksum mismatch")
    result = decode(entry["payload"])
    if validate is not None and not validate(result):
        raise ValueError("cache entry: content fails validation")
    return result


def _write(path: Path, kind: str, key: str, payload) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"schema": SCHEMA, "kind": kind, "key": key, "payload": payload,
                       "sha256": _checksum(payload)}, fh)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cached(kind: str, params: dict, compute: Callable[[], object], *, code: Iterable = (),
           encode: Callable = lambda r: r, decode: Callable = lambda p: p,
           validate: Callable | None = None):
    """The result of ``compute()``, read from or written to the cache under ``(kind, params, code version)``.

    On reading, the schema, the kind, the key and the checksum are verified and ``decode`` (and
    ``validate``) must succeed; an entry that fails (truncated, tampered, of the wrong shape) is deleted
    and the result recomputed.  A cache that cannot be written is skipped silently: the result is
    returned all the same.  ``DIAGRAMS_NO_CACHE=1`` switches the cache off.

    Parameters
    ----------
    kind : str
        The kind of result.
    params : dict
        Every parameter that determines the result.
    compute : callable
        ``compute()`` returns the result; called only when no valid entry exists.
    code : iterable of module or str, optional
        The modules whose source computes the result (see :func:`code_version`).
    encode : callable, optional
        Turns the result into plain JSON (default: the identity).
    decode : callable, optional
        Turns the stored JSON back into the result (default: the identity).
    validate : callable, optional
        ``validate(result)`` false rejects what was read (it is then recomputed).

    Returns
    -------
    object
        The result, computed or read.

    Raises
    ------
    Exception
        Whatever ``compute`` raises; errors of the cache itself are never raised.

    Examples
    --------
    >>> import tempfile, os, json
    >>> os.environ["DIAGRAMS_CACHE_DIR"] = tempfile.mkdtemp()
    >>> calls = []
    >>> f = lambda: calls.append(1) or {"answer": 42}
    >>> cached("demo", {"order": 3}, f), cached("demo", {"order": 3}, f), len(calls)
    ({'answer': 42}, {'answer': 42}, 1)
    >>> path = entry_path("demo", {"order": 3})
    >>> _ = path.write_text(json.dumps({"schema": 1, "payload": {"answer": 41}}))   # tampered
    >>> cached("demo", {"order": 3}, f), len(calls)
    ({'answer': 42}, 2)
    >>> del os.environ["DIAGRAMS_CACHE_DIR"]
    """
    if os.environ.get("DIAGRAMS_NO_CACHE"):
        return compute()
    key = cache_key(kind, params, code)
    path = entry_path(kind, params, code)
    if path.exists():
        try:
            return _read(path, kind, key, decode, validate)
        except Exception:  # noqa: BLE001 - any unreadable or invalid entry is discarded
            try:
                path.unlink()
            except OSError:
                pass
    result = compute()
    try:
        _write(path, kind, key, encode(result))
    except (OSError, TypeError, ValueError):
        pass
    return result
