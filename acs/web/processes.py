"""The processes of ``acs serve``: an HTTP worker and the results worker, each in its own
interpreter, run until SIGTERM (or SIGINT when started by hand) or until their supervisor is
gone.

:func:`http_worker` serves the sockets its supervisor bound (:func:`acs.web.serve.bind`);
:func:`results_worker` runs :func:`~acs.web.app.create_worker_app` (timeouts, RReq retries,
purges), started by ``acs serve`` or on its own by ``acs worker``. Both run on uvloop when it
is installed (the ``speed`` extra), else on asyncio's loop.

A child started by the supervisor ignores SIGINT: Ctrl-C reaches the whole process group, and
the supervisor answers it with one SIGTERM to each child, so that every child stops the same
way within the grace period. A child also stops when its supervisor disappears (killed with
SIGKILL): it is never left serving on its own.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from acs.clock import SystemClock
from acs.config import Settings
from acs.crypto.keys import KeyRing
from acs.logs import LogOptions, configure_logging, stop_logging

__all__ = ["Child", "event_loop_name", "http_worker", "results_worker", "run_loop", "until_stopped"]

log = logging.getLogger("acs.web.processes")
ORPHAN_CHECK_SECONDS = 0.5


@dataclass(frozen=True)
class Child:
    """What a child process needs (picklable: it crosses to a fresh interpreter)."""

    settings: Settings
    logs: LogOptions
    supervisor: int | None  # the supervisor's pid; None when started by hand
    metrics_port: int | None = None  # acs worker --metrics-port: its own /metrics


def event_loop_name() -> str:
    """``uvloop`` when installed, else ``asyncio``."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return "asyncio"
    return "uvloop"


def run_loop(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop when it is installed, else on asyncio's default loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    uvloop.run(main)


def http_worker(child: Child, number: int, sockets: Sequence[Sequence[socket.socket]]) -> None:
    """An HTTP worker: the app without the results worker, on the inherited sockets."""
    _as_child(child)
    from acs.web import serve
    from acs.web.app import create_app

    settings = child.settings
    app = create_app(
        settings, keys=KeyRing.load(settings.keys_dir), clock=SystemClock(), results_worker=False
    )
    sites = serve.plan(settings)  # TLS contexts cannot cross processes: built again here

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=_drain(settings))
        await runner.setup()
        try:
            await serve.start_on(runner, sites, sockets)
            log.info("http worker %d ready (pid %d, %s)", number, os.getpid(), event_loop_name())
            await until_stopped(child.supervisor)
        finally:
            await runner.cleanup()

    try:
        run_loop(main())
    finally:
        stop_logging()


def results_worker(child: Child) -> None:
    """The results worker: due RReqs, timeouts, decoupled announcements, purges."""
    _as_child(child)
    from acs.web.app import create_worker_app

    settings = child.settings
    app = create_worker_app(settings, keys=KeyRing.load(settings.keys_dir), clock=SystemClock())

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()  # the cleanup contexts start the worker loop
        try:
            if child.metrics_port is not None:
                await web.TCPSite(runner, settings.host, child.metrics_port).start()
                port = runner.addresses[0][1]
                log.info("results worker metrics on http://%s:%d/metrics", settings.host, port)
            log.info("results worker ready (pid %d, %s)", os.getpid(), event_loop_name())
            await until_stopped(child.supervisor)
        finally:
            await runner.cleanup()

    try:
        run_loop(main())
    finally:
        stop_logging()


def _as_child(child: Child) -> None:
    if child.supervisor is not None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor sends SIGTERM
    configure_logging(child.logs)


def _drain(settings: Settings) -> float:
    """Seconds open requests get to finish once stopping (half the supervisor's grace)."""
    return settings.shutdown_grace_seconds / 2


async def until_stopped(supervisor: int | None) -> None:
    """Until SIGTERM or SIGINT, or until the ``supervisor`` process is gone (re-parented)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Supervised, SIGINT stays ignored: Ctrl-C becomes the supervisor's SIGTERM.
    signals = (signal.SIGTERM,) if supervisor else (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    watch = asyncio.create_task(_orphaned(supervisor, stop)) if supervisor else None
    try:
        await stop.wait()
    finally:
        if watch is not None:
            watch.cancel()
        for signum in signals:
            loop.remove_signal_handler(signum)


async def _orphaned(supervisor: int, stop: asyncio.Event) -> None:
    while os.getppid() == supervisor:
        await asyncio.sleep(ORPHAN_CHECK_SECONDS)
    log.warning("supervisor %d is gone: stopping", supervisor)
    stop.set()
