"""On-disk cache for expensive results.

The key is a hash of the kind of result, every parameter that determines it and the package
version, so a new release never reads an old entry.  The folder is ``$DIAGRAMS_CACHE_DIR`` or
``~/.cache/nsl-diagrams``; set ``DIAGRAMS_NO_CACHE=1`` to switch caching off.

>>> import tempfile, os
>>> os.environ["DIAGRAMS_CACHE_DIR"] = tempfile.mkdtemp()
>>> calls = []
>>> f = lambda: calls.append(1) or {"answer": 42}
>>> cached("demo", {"order": 3}, f), cached("demo", {"order": 3}, f), len(calls)
({'answer': 42}, {'answer': 42}, 1)
>>> del os.environ["DIAGRAMS_CACHE_DIR"]
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Callable

from diagrams import __version__

__all__ = ["cache_dir", "cache_key", "cached"]


def cache_dir() -> Path:
    return Path(os.environ.get("DIAGRAMS_CACHE_DIR") or Path.home() / ".cache" / "nsl-diagrams")


def cache_key(kind: str, params: dict) -> str:
    blob = json.dumps({"kind": kind, "params": params, "version": __version__}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def cached(kind: str, params: dict, compute: Callable[[], object]):
    """Return ``compute()``, reading it from / writing it to the cache under ``(kind, params)``."""
    if os.environ.get("DIAGRAMS_NO_CACHE"):
        return compute()
    path = cache_dir() / f"{kind}-{cache_key(kind, params)}.pkl"
    if path.exists():
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except Exception:  # a broken entry is recomputed
            pass
    result = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(result, fh)
        os.replace(tmp, path)
    except OSError:
        pass
    return result
