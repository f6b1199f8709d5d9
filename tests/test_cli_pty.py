"""The CLI under a pseudo-terminal, where progress bars are drawn (they behave differently there).

``DIAGRAMS_PROGRESS_DELAY=0`` makes every progress bar appear at once, so even short runs draw one.
Also: Ctrl-C at any moment (the first fraction of a second included, while sympy is being imported)
gives exit status 130 and one line, never a traceback.
"""

import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest


def run_in_pty(args, timeout=120, interrupt_after=None, env_extra=None):
    master, slave = pty.openpty()
    env = dict(os.environ, DIAGRAMS_PROGRESS_DELAY="0", COLUMNS="100", **(env_extra or {}))
    proc = subprocess.Popen([sys.executable, "-m", "diagrams", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, close_fds=True)
    os.close(slave)
    chunks = []
    start = time.monotonic()
    sent = False
    while True:
        if interrupt_after is not None and not sent and time.monotonic() - start >= interrupt_after:
            proc.send_signal(signal.SIGINT)
            sent = True
        r, _, _ = select.select([master], [], [], 0.02)
        if r:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            if not data:
                if proc.poll() is not None:
                    break
            chunks.append(data)
        elif proc.poll() is not None:
            # drain what is left
            try:
                while True:
                    r, _, _ = select.select([master], [], [], 0.05)
                    if not r:
                        break
                    data = os.read(master, 65536)
                    if not data:
                        break
                    chunks.append(data)
            except OSError:
                pass
            break
        if time.monotonic() - start > timeout:
            proc.kill()
            raise AssertionError(f"timeout: {args}")
    os.close(master)
    return proc.wait(), b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize("args", [
    ["enumerate", "--order", "2"],
    ["enumerate", "--order", "3", "--genus", "all"],
    ["enumerate", "--order", "2", "--list", "--N", "3", "--T", "4", "--spectrum", "1,1/2"],
    ["check", "--order", "2"],
    ["simulate", "--N", "4", "--T", "6", "--gamma", "0.1", "--spectrum", "1,1/2", "--trials", "3"],
    ["resum", "--order", "1", "--no-hops"],
    ["enumerate", "--order", "2", "--model", "ridge", "--json"],
])
def test_commands_run_on_a_terminal(args):
    code, text = run_in_pty(args)
    assert code == 0, text
    assert "Traceback" not in text and "Error" not in text


def test_progress_bar_is_drawn_on_a_terminal():
    code, text = run_in_pty(["enumerate", "--order", "3", "--genus", "all"])
    assert code == 0 and "\rorders: 100%|" in text and "| 4/4 orders" in text       # a bar redrawn in place
    code, text = run_in_pty(["enumerate", "--order", "3", "--genus", "all", "--list"])
    assert code == 0 and "enumerating" in text and "diagram" in text


def test_bad_input_on_a_terminal_is_one_line():
    code, text = run_in_pty(["enumerate", "--order", "x"])
    assert code == 2
    assert [ln for ln in text.splitlines() if ln.strip()] == [
        "diagrams enumerate: error: --order (planar, symbolic): must be an integer in [0, 10], got 'x'"]


def _startup_time() -> float:
    """How long the interpreter takes to start (its site imports), before the package's first line runs:
    the longest of five runs, since the machine's load varies.  (A signal before then reaches Python's own
    start-up, which no program can handle; the tests below add a margin of half of it.)"""
    times = []
    for _ in range(5):
        t = time.monotonic()
        subprocess.run([sys.executable, "-c", "import runpy, signal"], check=True)
        times.append(time.monotonic() - t)
    return max(times)


@pytest.mark.parametrize("extra", [0.02, 0.1, 0.3, 1.0])
def test_ctrl_c_at_any_moment(extra):
    """Interrupted right after start-up (while sympy and numpy are imported) or later."""
    delay = 1.5 * _startup_time() + extra
    code, text = run_in_pty(["enumerate", "--order", "5", "--genus", "all"], interrupt_after=delay)
    assert code == 130, text
    assert "Traceback" not in text and "interrupted" in text
