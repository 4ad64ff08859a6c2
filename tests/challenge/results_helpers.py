"""Helpers for the results tests: read outbox rows, stop a worker, wait for a condition."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from acs.storage import outbox
from acs.web.keys import SESSIONS


async def outbox_of(app, acs_trans_id):
    async with app[SESSIONS]() as session:
        row = await outbox.get_for(session, acs_trans_id)
        attempts = await outbox.attempts_of(session, row.id) if row is not None else []
    return row, attempts


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not await check():
            await asyncio.sleep(0.02)


async def stop_workers() -> None:
    """Kill every challenge worker in this loop (a crash: nothing is recorded)."""
    tasks = [t for t in asyncio.all_tasks() if t.get_name() == "acs-challenge-worker"]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
