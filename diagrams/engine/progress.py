r"""Progress of long work on stderr: a bar on a terminal, a line every few seconds otherwise.

Nothing is shown during the first second (short work stays silent; ``DIAGRAMS_PROGRESS_DELAY``
sets another delay in seconds, e.g. 0 to see a bar at once).  On a terminal a bar is redrawn in
place (``\r``, at most ten times a second, plain ASCII); when stderr is a file or a pipe one plain
line is written every ``interval`` seconds, so a log shows that the work advances.  A
:class:`Progress` is used as a context manager and called with the number of items just done.

>>> import io
>>> out = io.StringIO()
>>> with Progress(total=3, desc="demo", stream=out, delay=0) as p:
...     for _ in range(3):
...         p(1)
>>> "demo" in out.getvalue()
True
"""

from __future__ import annotations

import os
import sys
import time

__all__ = ["Progress"]


class Progress:
    """Progress of long work on stderr: ``done`` of ``total`` items of the work named ``desc``.

    Used as a context manager and called with the number of items just done.  Nothing is shown during
    the first ``delay`` seconds (the environment variable ``DIAGRAMS_PROGRESS_DELAY``, a number of
    seconds, overrides ``delay``).  On a terminal a bar is redrawn in place (at most ten times a
    second); on a file or a pipe one plain line is written every ``interval`` seconds.  On closing, the
    final state is written if anything was shown.

    Parameters
    ----------
    total : int, optional
        Number of items of the work (``None``: unknown, the bar shows only the count).
    desc : str, optional
        Name of the work, shown first; :meth:`message` changes it.
    unit : str, optional
        Name of one item (shown with an ``s``).
    stream : file-like, optional
        Where to write (default ``sys.stderr``).
    delay : float, optional
        Seconds of silence at the start.
    interval : float, optional
        Seconds between two lines when ``stream`` is not a terminal.
    enabled : bool, optional
        ``False`` counts silently.

    Attributes
    ----------
    done : int
        Items done so far.

    Examples
    --------
    >>> import io
    >>> out = io.StringIO()
    >>> with Progress(total=3, desc="demo", stream=out, delay=0) as p:
    ...     for _ in range(3):
    ...         p(1)
    >>> out.getvalue().splitlines()[0].startswith("demo: 1/3 items done")
    True
    >>> p.done
    3
    """

    def __init__(self, total: int | None = None, desc: str = "working", unit: str = "item", *,
                 stream=None, delay: float = 1.0, interval: float = 5.0, enabled: bool = True):
        self.total = total
        self.desc = desc
        self.unit = unit
        self.stream = sys.stderr if stream is None else stream
        env = os.environ.get("DIAGRAMS_PROGRESS_DELAY")
        if env is not None:
            try:
                delay = max(0.0, float(env))
            except ValueError:
                pass
        self.delay = delay
        self.interval = interval
        self.enabled = enabled
        self.done = 0
        self._start = time.monotonic()
        self._last = None
        self._bar = None
        try:
            self._tty = bool(self.stream.isatty())
        except (AttributeError, ValueError):
            self._tty = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __call__(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._start < self.delay:
            return
        if self._tty:
            if self._last is None or now - self._last >= 0.1 or (self.total is not None and self.done >= self.total):
                self._last = now
                self._bar = True
                self.stream.write("\r" + self._bar_text(now))
                self.stream.flush()
        elif self._last is None or now - self._last >= self.interval:
            self._last = now
            self.stream.write(self._line(now) + "\n")
            self.stream.flush()

    def _bar_text(self, now: float) -> str:
        """One terminal line: ``desc: 40%|########        | 4/10 order, 3 s``."""
        import shutil

        width = shutil.get_terminal_size((80, 20)).columns or 80     # a fresh pty reports 0 columns
        elapsed = f"{now - self._start:.0f} s"
        if self.total:
            frac = min(1.0, self.done / self.total)
            head = f"{self.desc}: {100 * frac:3.0f}%|"
            tail = f"| {self.done}/{self.total} {self.unit}s, {elapsed}"
            room = max(10, width - len(head) - len(tail) - 1)
            fill = int(round(frac * room))
            return head + "#" * fill + " " * (room - fill) + tail
        return f"{self.desc}: {self.done} {self.unit}s, {elapsed}"[: width - 1]

    def _line(self, now: float) -> str:
        if self.total is None and self.done == 0:
            return f"{self.desc} ({now - self._start:.0f} s)"
        of = f"/{self.total}" if self.total is not None else ""
        return f"{self.desc}: {self.done}{of} {self.unit}s done, {now - self._start:.0f} s"

    def message(self, text: str) -> None:
        """A stage of the work (``"order 7"``): shown like a progress update."""
        self.desc = text
        self(0)

    def close(self) -> None:
        """End the report: write the final state (and a newline after a bar) if anything was shown."""
        if self._bar is not None:
            self.stream.write("\r" + self._bar_text(time.monotonic()) + "\n")
            self.stream.flush()
            self._bar = None
        elif self.enabled and self._last is not None:
            self.stream.write(self._line(time.monotonic()) + "\n")
            self.stream.flush()
