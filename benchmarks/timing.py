"""Wall-clock timers shared by the benchmark scripts (``time.perf_counter``)."""

from __future__ import annotations

import time


def best(f, repeat: int = 5) -> float:
    """The fastest of ``repeat`` calls of ``f()``, in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def once(f) -> float:
    """One call of ``f()`` (a first, compiling call), in seconds."""
    t = time.perf_counter()
    f()
    return time.perf_counter() - t
