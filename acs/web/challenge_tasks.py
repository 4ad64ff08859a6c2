"""The challenge worker of every ``acs serve`` process (a cleanup_ctx): results sender,
timeouts, announcements of decoupled operations, purge of 3DS Method data and used nonces.

It wakes on the hub key ``outbox`` (published after every deciding commit) or every second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web

from acs.flows.challenge.decoupled import announce_pending
from acs.flows.challenge.timeouts import expire_due
from acs.flows.results import Sender
from acs.notify import ds, topics
from acs.storage import method_data, securpass
from acs.web.challenge import result_keys
from acs.web.keys import CLOCK, HOUSEKEEPING, HUB, PUSH, SENDER, SESSIONS, SETTINGS, Housekeeping

__all__ = ["challenge_worker", "run_once"]

log = logging.getLogger("acs.web.challenge_tasks")
IDLE_SECONDS = 1.0
PURGE_EVERY = timedelta(minutes=1)


async def challenge_worker(app: web.Application) -> AsyncIterator[None]:
    http = ds.open_session(app[SETTINGS])
    app[SENDER] = Sender(
        sessions=app[SESSIONS], settings=app[SETTINGS], clock=app[CLOCK],
        publish=app[HUB].publish, http=http,
    )  # fmt: skip
    app[HOUSEKEEPING] = Housekeeping(purge_due=app[CLOCK].now())
    # A cardholder's decision publishes "rreq:<acsTransID>": its RReq leaves at once, not
    # behind the worker's queue (timeouts, retries); the worker remains the safety net.
    app[HUB].watch(topics.RREQ_PREFIX, app[SENDER].deliver_soon)
    task = asyncio.create_task(_loop(app), name="acs-challenge-worker")
    yield
    app[HUB].unwatch(topics.RREQ_PREFIX)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await app[SENDER].close()
    await http.close()


async def _loop(app: web.Application) -> None:
    # A lasting subscription: a decision committed while a round runs sets the event, and the
    # next round starts at once (a plain wait() would miss it until the idle timeout).
    wake = app[HUB].subscribe(topics.OUTBOX)
    try:
        while True:
            wake.clear()
            try:
                await run_once(app)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("challenge worker round failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(IDLE_SECONDS):
                    await wake.wait()
    finally:
        app[HUB].unsubscribe(topics.OUTBOX, wake)


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
        async with sessions.begin() as session:
            await method_data.purge(session, now)
            # Used signed-call nonces past their window: the timestamp check refuses those
            # calls by itself, so the rows only grow the table (not done per call: the hot
            # path of every approval).
            await securpass.delete_expired_nonces(session, now=now)
        housekeeping.purge_due = now + PURGE_EVERY
