"""The challenge worker of every ``acs serve`` process (a cleanup_ctx): results sender,
timeouts, announcements of decoupled operations, 3DS Method data purge.

It wakes on the hub key ``outbox`` (published after every deciding commit) or every second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from acs.flows.challenge_timeouts import expire_due
from acs.flows.decoupled import announce_pending
from acs.flows.results import Sender, client_ssl
from acs.storage import method_data
from acs.web.challenge import result_keys
from acs.web.keys import CLOCK, HUB, PUSH, SENDER, SESSIONS, SETTINGS

__all__ = ["challenge_worker", "run_once"]

log = logging.getLogger("acs.web.challenge_tasks")
IDLE_SECONDS = 1.0


async def challenge_worker(app: web.Application) -> AsyncIterator[None]:
    ssl_context = client_ssl(app[SETTINGS])
    connector = aiohttp.TCPConnector(ssl=ssl_context) if ssl_context else None
    http = aiohttp.ClientSession(connector=connector)
    app[SENDER] = Sender(
        sessions=app[SESSIONS], settings=app[SETTINGS], clock=app[CLOCK],
        publish=app[HUB].publish, http=http,
    )  # fmt: skip
    task = asyncio.create_task(_loop(app), name="acs-challenge-worker")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await http.close()


async def _loop(app: web.Application) -> None:
    while True:
        try:
            await run_once(app)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("challenge worker round failed")
        await app[HUB].wait("outbox", IDLE_SECONDS)


async def run_once(app: web.Application) -> None:
    """One round: timeouts, announcements, then deliver until nothing is due."""
    now = app[CLOCK].now()
    sessions = app[SESSIONS]
    for key in await expire_due(sessions=sessions, ctx=result_keys(app), now=now):
        await app[HUB].publish(key)
    await announce_pending(sessions=sessions, hub=app[HUB], push=app[PUSH], now=now)
    while await app[SENDER].deliver_due():
        pass
    async with sessions.begin() as session:
        await method_data.purge(session, now)
