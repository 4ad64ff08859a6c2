"""The supervisor's restart policy, with a child that dies as soon as it starts."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from acs.web.supervisor import exit_status

SCRIPT = """
import logging, os, signal, sys, threading
from acs.web.supervisor import Supervisor
logging.basicConfig(level=logging.INFO, format="%(message)s")
supervisor = Supervisor(grace=2)
supervisor.add("flaky", os._exit, 3)
threading.Timer(3.0, lambda: os.kill(os.getpid(), signal.SIGTERM)).start()
sys.exit(supervisor.run())
"""


def test_a_child_dying_at_start_is_restarted_with_a_doubling_pause():
    """Status 3 at once, every time: logged each time, restarted after 0.5 s, then 1 s, then
    2 s; SIGTERM still stops the supervisor with status 0."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=30,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    pauses = re.findall(
        r"flaky \(pid \d+\) exited with status 3 after [\d.]+ s; restarting in ([\d.]+) s",
        done.stderr,
    )
    assert pauses[:2] == ["0.5", "1"], done.stderr
    assert "stopped" in done.stderr


def test_exit_status_names_the_signal():
    """-9 is SIGKILL (multiprocessing's convention), a positive code a status."""
    assert (exit_status(-9), exit_status(1)) == ("killed by SIGKILL", "status 1")


SIGINT_SCRIPT = """
import logging, os, signal, sys, threading, time
from acs.web.supervisor import Supervisor
logging.basicConfig(level=logging.INFO, format="%(message)s")
supervisor = Supervisor(grace=5)
supervisor.add("sleeper", time.sleep, 60)
threading.Timer(1.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
sys.exit(supervisor.run())
"""


def test_sigint_stops_the_children_like_sigterm():
    """Ctrl-C (SIGINT) to the supervisor: its child gets SIGTERM and is gone; status 0, well
    within the grace."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", SIGINT_SCRIPT], capture_output=True, text=True, timeout=30,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 20  # mostly the start of two interpreters
    assert "stopping 1 process(es)" in done.stderr and "did not stop" not in done.stderr
    child = int(re.search(r"sleeper started \(pid (\d+)\)", done.stderr)[1])
    assert not Path(f"/proc/{child}").exists()
