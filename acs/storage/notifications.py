"""PostgreSQL LISTEN/NOTIFY on the engine: the cross-process half of :class:`acs.notify.hub.Hub`.

The hub keeps the in-process events; this carries a published key to every other process
(``pg_notify`` on one channel, one statement for all the keys) and hands the keys other
processes publish to ``on_key``. On SQLite there is no such signal: :meth:`PgWakeups.start`
listens on nothing and :attr:`PgWakeups.listening` stays False (waiters then poll).

The LISTEN connection outlives a database restart: when it closes (asyncpg's termination
listener) :attr:`PgWakeups.listening` turns False at once (waiters fall back to polling),
``on_lost`` wakes every local waiter (a NOTIFY may have been missed), and a supervisor task
reconnects every :attr:`PgWakeups.RETRY_SECONDS` until it listens again, then wakes everyone
once more. It logs one line when the channel goes and one when it is back, nothing between.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from acs.storage.engine import is_outage

__all__ = ["CHANNEL", "PgWakeups"]

log = logging.getLogger("acs.storage.notifications")

CHANNEL = "acs_wakeups"
_NOTIFY = text("SELECT pg_notify(:channel, key) FROM unnest(CAST(:keys AS text[])) AS key")


def _nothing() -> None:
    """The default ``on_lost``: nobody to wake."""


class PgWakeups:
    """LISTEN with a dedicated connection (rebuilt when it closes); NOTIFY through a pooled one."""

    RETRY_SECONDS = 1.0  # between reconnection attempts while the database is away

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._listener: AsyncConnection | None = None
        self._on_key: Callable[[str], None] | None = None
        self._on_lost: Callable[[], None] = _nothing
        self._lost = asyncio.Event()
        self._supervisor: asyncio.Task[None] | None = None

    @property
    def listening(self) -> bool:
        return self._listener is not None and not self._lost.is_set()

    async def start(
        self, on_key: Callable[[str], None], on_lost: Callable[[], None] = _nothing
    ) -> None:
        """On PostgreSQL, call ``on_key(key)`` for every key NOTIFYed on the channel, and
        ``on_lost()`` whenever keys may have been missed (the connection went, or came back)."""
        if self._engine.dialect.name != "postgresql":
            return
        self._on_key, self._on_lost = on_key, on_lost
        await self._listen()
        self._supervisor = asyncio.create_task(self._supervise(), name="acs-pg-wakeups")

    async def stop(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
            self._supervisor = None
        await self._close_listener()

    async def notify(self, keys: Sequence[str]) -> None:
        """One NOTIFY statement for all the keys (nothing unless listening).

        The caller has committed already: a NOTIFY that fails does not raise. A pooled
        connection that died with a restart is retried once (the pool reconnects); then the
        keys are given up with a warning: other processes' waiters re-read on their timeouts.
        """
        if not keys or not self.listening:
            return
        for attempt in (1, 2):
            try:
                async with self._engine.connect() as conn:
                    await conn.execute(_NOTIFY, {"channel": CHANNEL, "keys": list(keys)})
                    await conn.commit()
                return
            except Exception as exc:
                if attempt == 1 and is_outage(exc):
                    continue
                log.warning("NOTIFY of %d keys failed (%s)", len(keys), type(exc).__name__)
                return

    async def _listen(self) -> None:
        connection = await self._engine.connect()
        try:
            driver = await _driver(connection)
            await driver.add_listener(CHANNEL, self._on_notify)  # asyncpg
            driver.add_termination_listener(self._on_terminated)
        except BaseException:
            await _discard(connection)
            raise
        self._listener = connection
        self._lost.clear()

    async def _supervise(self) -> None:
        while True:
            await self._lost.wait()
            log.error("wake-up channel lost: waiters poll the database until it is back")
            self._on_lost()
            await self._close_listener()
            while True:
                await asyncio.sleep(self.RETRY_SECONDS)
                try:
                    await self._listen()
                except Exception:  # still away: try again, silently
                    continue
                break
            log.warning("wake-up channel back: listening again")
            self._on_lost()  # a key NOTIFYed while it was away: everyone re-reads once

    async def _close_listener(self) -> None:
        connection, self._listener = self._listener, None
        if connection is None:
            return
        with contextlib.suppress(Exception):
            driver = await _driver(connection)
            driver.remove_termination_listener(self._on_terminated)
            if not driver.is_closed():
                await driver.remove_listener(CHANNEL, self._on_notify)
        await _discard(connection)

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, key: str) -> None:
        if self._on_key is not None:
            self._on_key(key)

    def _on_terminated(self, _conn: Any) -> None:
        self._lost.set()


async def _discard(connection: AsyncConnection) -> None:
    """Give a connection back without returning a dead one to the pool."""
    with contextlib.suppress(Exception):
        driver = await _driver(connection)
        if driver.is_closed():
            await connection.invalidate()
    with contextlib.suppress(Exception):
        await connection.close()


async def _driver(connection: AsyncConnection) -> Any:
    """The asyncpg connection under SQLAlchemy's."""
    raw = await connection.get_raw_connection()
    assert raw.driver_connection is not None
    return raw.driver_connection
