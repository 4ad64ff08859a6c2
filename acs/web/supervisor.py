"""The supervisor of ``acs serve``: it starts the children, restarts a crashed one, and stops
them all within the grace period on SIGTERM or SIGINT.

The children are fresh interpreters (multiprocessing's ``spawn``): ``--workers`` HTTP workers
on the sockets the supervisor bound (:func:`acs.web.serve.bind`), and the results worker
unless ``--no-worker`` (:mod:`acs.web.processes`). A child that exits while the supervisor runs
is logged at warning with its status and started again, at once after a run of at least
:data:`STEADY_SECONDS`, else after a pause that doubles up to :data:`MAX_PAUSE_SECONDS` (a child
that cannot start does not spin). On SIGTERM or SIGINT each child gets one SIGTERM; those still
running after ``shutdown_grace_seconds`` get SIGKILL; a second signal kills them at once.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

__all__ = ["Supervisor", "exit_status"]

log = logging.getLogger("acs.web.supervisor")
STEADY_SECONDS = 5.0
FIRST_PAUSE_SECONDS = 0.5
MAX_PAUSE_SECONDS = 30.0
POLL_SECONDS = 0.2


@dataclass
class _Slot:
    name: str
    target: Callable[..., None]
    args: tuple[Any, ...]
    process: BaseProcess | None = None
    started_at: float = 0.0
    due: float = 0.0  # when to start it (again)
    quick_exits: int = 0


def exit_status(code: int | None) -> str:
    """``status 1`` or ``killed by SIGKILL`` (multiprocessing gives -N for signal N)."""
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"status {code}"


class Supervisor:
    """Children by name; :meth:`run` until a signal; ``on_exit(pid)`` after each child ends."""

    def __init__(self, *, grace: float, on_exit: Callable[[int], None] | None = None) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._slots: list[_Slot] = []
        self._grace = grace
        self._on_exit = on_exit
        self._signals = 0

    def add(self, name: str, target: Callable[..., None], *args: Any) -> None:
        self._slots.append(_Slot(name, target, args))

    def run(self) -> int:
        """Start every child, keep them running until SIGTERM/SIGINT, stop them; exit 0."""
        previous = {s: signal.signal(s, self._signalled) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not self._signals:
                self._start_due()
                self._wait_and_reap()
            return self._stop_all()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _signalled(self, signum: int, frame: FrameType | None) -> None:
        self._signals += 1
        if self._signals > 1:  # a second Ctrl-C: no more waiting
            self._kill_all()

    def _start_due(self) -> None:
        now = time.monotonic()
        for slot in self._slots:
            if slot.process is None and now >= slot.due and not self._signals:
                process = self._context.Process(target=slot.target, args=slot.args, name=slot.name)
                process.start()
                slot.process, slot.started_at = process, time.monotonic()
                log.info("%s started (pid %d)", slot.name, process.pid)

    def _wait_and_reap(self) -> None:
        sentinels = [s.process.sentinel for s in self._slots if s.process is not None]
        if sentinels:
            multiprocessing.connection.wait(sentinels, timeout=POLL_SECONDS)
        else:
            time.sleep(POLL_SECONDS)
        for slot in self._slots:
            process = slot.process
            if process is None or process.is_alive():
                continue
            process.join()
            slot.process = None
            self._exited(process)
            if not self._signals:
                self._schedule_restart(slot, process)

    def _schedule_restart(self, slot: _Slot, process: BaseProcess) -> None:
        ran = time.monotonic() - slot.started_at
        slot.quick_exits = slot.quick_exits + 1 if ran < STEADY_SECONDS else 0
        pause = 0.0
        if slot.quick_exits:
            pause = min(FIRST_PAUSE_SECONDS * 2 ** (slot.quick_exits - 1), MAX_PAUSE_SECONDS)
        slot.due = time.monotonic() + pause
        when = f"in {pause:g} s" if pause else "now"
        log.warning(
            "%s (pid %s) exited with %s after %.1f s; restarting %s",
            slot.name, process.pid, exit_status(process.exitcode), ran, when,
        )  # fmt: skip

    def _exited(self, process: BaseProcess) -> None:
        if self._on_exit is not None and process.pid is not None:
            self._on_exit(process.pid)

    def _stop_all(self) -> int:
        running = [s for s in self._slots if s.process is not None and s.process.is_alive()]
        log.info("stopping %d process(es) (grace %g s)", len(running), self._grace)
        for slot in running:
            assert slot.process is not None and slot.process.pid is not None
            _signal(slot.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self._grace
        for slot in running:
            assert slot.process is not None
            slot.process.join(max(deadline - time.monotonic(), 0))
            if slot.process.is_alive():
                log.warning("%s did not stop within %g s: killed", slot.name, self._grace)
                slot.process.kill()
                slot.process.join()
            self._exited(slot.process)
        log.info("stopped")
        return 0

    def _kill_all(self) -> None:
        for slot in self._slots:
            if slot.process is not None and slot.process.pid is not None:
                _signal(slot.process.pid, signal.SIGKILL)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)
