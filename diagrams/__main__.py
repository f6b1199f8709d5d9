"""``python -m diagrams``: the command line (see :mod:`diagrams.cli`)."""

import signal
import sys


def _interrupted(signum, frame):  # Ctrl-C before the command line's own handling is in place
    sys.stderr.write("diagrams: interrupted\n")
    raise SystemExit(130)


signal.signal(signal.SIGINT, _interrupted)

from diagrams.cli import main  # noqa: E402

raise SystemExit(main())
