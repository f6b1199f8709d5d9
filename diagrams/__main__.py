"""``python -m diagrams``: the command line (see :mod:`diagrams.cli`)."""

import _signal  # the C module: the handler is in place before signal.py builds its enums
import sys


def _interrupted(signum, frame):  # Ctrl-C before the command line's own handling is in place
    sys.stderr.write("diagrams: interrupted\n")
    raise SystemExit(130)


_signal.signal(_signal.SIGINT, _interrupted)

import os  # noqa: E402

from diagrams.cli import main  # noqa: E402

status = main()
for stream in (sys.stdout, sys.stderr):
    try:
        stream.flush()
    except (OSError, ValueError):
        pass
# The work is done and written: a Ctrl-C while the interpreter shuts down (closing a Dask cluster, say) ends
# the process at once with the command's own status, never with a KeyboardInterrupt from an exit handler.
_signal.signal(_signal.SIGINT, lambda signum, frame: os._exit(status))
raise SystemExit(status)
