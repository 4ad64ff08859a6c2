"""The challenge worker of every ``acs serve`` process (a cleanup_ctx): each round delivers the
due results (:mod:`acs.web.results_sender`), times out challenges, announces decoupled
operations, and at most once a minute purges expired rows (:mod:`acs.flows.housekeeping`).

It wakes on the hub key ``outbox`` (published after every deciding commit) or every second.
While the database is out it logs one line when it goes ("database unreachable") and one when
it is back, not a traceback a round; any other failure of a round is logged in full.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Coroutine
from datetime import timedelta
from typing import Any

from aiohttp import web

from acs.flows.challenge.decoupled import announce_pending
from acs.flows.challenge.timeouts import expire_due
from acs.flows.health import is_outage
from acs.flows.housekeeping import purge_expired
from acs.logs import bind
from acs.notify import topics
from acs.web.challenge import result_keys
from acs.web.keys import CLOCK, HOUSEKEEPING, HUB, PUSH, SENDER, SESSIONS, SETTINGS, Housekeeping

__all__ = ["challenge_worker", "run_once"]

log = logging.getLogger("acs.web.challenge_worker")
IDLE_SECONDS = 1.0
PURGE_EVERY = timedelta(minutes=1)


async def challenge_worker(app: web.Application) -> AsyncIterator[None]:
    app[HOUSEKEEPING] = Housekeeping(purge_due=app[CLOCK].now())
    stopping = asyncio.Event()
    task = asyncio.create_task(_loop(app, stopping), name="acs-challenge-worker")
    yield
    # Stopping (SIGTERM): the round under way finishes, so an RReq on the wire gets its
    # outcome recorded; one that takes too long is cancelled (its lease covers it).
    stopping.set()
    if not task.done():  # a test may have cancelled it (a crash)
        await asyncio.wait([task], timeout=app[SETTINGS].shutdown_grace_seconds / 2)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _loop(app: web.Application, stopping: asyncio.Event) -> None:
    # A lasting subscription: a decision committed while a round runs sets the event, and the
    # next round starts at once (a plain wait() would miss it until the idle timeout).
    wake = app[HUB].subscribe(topics.OUTBOX)
    down = False
    try:
        while not stopping.is_set():
            wake.clear()
            try:
                with bind():  # the ids a round binds (a decision, an RReq) end with it
                    await run_once(app)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not is_outage(exc):
                    log.exception("challenge worker round failed")
                elif not down:  # the error text may quote a statement's parameters: not logged
                    log.error("database unreachable (%s): the worker retries", type(exc).__name__)
                    down = True
            else:
                if down:
                    log.warning("database back: the worker resumes")
                down = False
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(IDLE_SECONDS):
                    await _first(wake.wait(), stopping.wait())
    finally:
        app[HUB].unsubscribe(topics.OUTBOX, wake)


async def _first(*waits: Coroutine[Any, Any, Any]) -> None:
    """Until the first of ``waits`` returns (the others are cancelled)."""
    tasks = [asyncio.ensure_future(w) for w in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


async def run_once(app: web.Application) -> None:
    """One round: deliver what is due first (a cardholder's page waits for the RRes), then
    timeouts and announcements, then housekeeping at most once a minute."""
    sessions = app[SESSIONS]
    while await app[SENDER].deliver_due():
        pass
    now = app[CLOCK].now()
    await app[HUB].publish(*await expire_due(sessions=sessions, ctx=result_keys(app), now=now))
    await announce_pending(sessions=sessions, hub=app[HUB], push=app[PUSH], now=now)
    while await app[SENDER].deliver_due():  # what the timeouts just decided
        pass
    housekeeping = app[HOUSEKEEPING]
    if now >= housekeeping.purge_due:
        await purge_expired(sessions, now=now)
        housekeeping.purge_due = now + PURGE_EVERY
