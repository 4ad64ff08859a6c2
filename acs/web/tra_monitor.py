"""The fraud-rate monitor's schedule in each process: measured at start, then every
:data:`EVERY_SECONDS` (and at once after a fraud desk's qualification, :func:`refresh`), so the
bands the AReq path grants follow the rolling 90 days in every process
(:mod:`acs.flows.backoffice.monitor`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from acs.flows.backoffice.monitor import MonitorState
from acs.web.keys import CLOCK, SESSIONS, TRA_GATE

__all__ = ["EVERY_SECONDS", "refresh", "tra_monitor"]

log = logging.getLogger("acs.web.tra_monitor")
EVERY_SECONDS = 60.0


async def refresh(app: web.Application) -> MonitorState:
    return await app[TRA_GATE].refresh(app[SESSIONS], now=app[CLOCK].now())


async def tra_monitor(app: web.Application) -> AsyncIterator[None]:
    try:
        await refresh(app)
    except Exception:  # the configured bands stay in force; the loop tries again
        log.exception("fraud-rate monitor: first measure failed")
    task = asyncio.create_task(_loop(app))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _loop(app: web.Application) -> None:
    while True:
        await asyncio.sleep(EVERY_SECONDS)
        try:
            await refresh(app)
        except Exception:
            log.exception("fraud-rate monitor: measure failed")
