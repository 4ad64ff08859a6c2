"""PostgreSQL LISTEN/NOTIFY on the engine: the cross-process half of :class:`acs.notify.hub.Hub`.

The hub keeps the in-process events; this carries a published key to every other process
(``pg_notify`` on one channel, one statement for all the keys) and hands the keys other
processes publish to ``on_key``. On SQLite there is no such signal: :meth:`PgWakeups.start`
listens on nothing and :attr:`PgWakeups.listening` stays False (waiters then poll).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["CHANNEL", "PgWakeups"]

CHANNEL = "acs_wakeups"
_NOTIFY = text("SELECT pg_notify(:channel, key) FROM unnest(CAST(:keys AS text[])) AS key")


class PgWakeups:
    """LISTEN with a dedicated connection; NOTIFY through a pooled one."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._listener: AsyncConnection | None = None
        self._on_key: Callable[[str], None] | None = None

    @property
    def listening(self) -> bool:
        return self._listener is not None

    async def start(self, on_key: Callable[[str], None]) -> None:
        """On PostgreSQL, call ``on_key(key)`` for every key NOTIFYed on the channel."""
        if self._engine.dialect.name != "postgresql":
            return
        self._on_key = on_key
        self._listener = await self._engine.connect()
        await (await _driver(self._listener)).add_listener(CHANNEL, self._on_notify)  # asyncpg

    async def stop(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                driver = await _driver(self._listener)
                await driver.remove_listener(CHANNEL, self._on_notify)
            await self._listener.close()
            self._listener = None

    async def notify(self, keys: Sequence[str]) -> None:
        """One NOTIFY statement for all the keys (nothing unless listening)."""
        if not keys or self._listener is None:
            return
        async with self._engine.connect() as conn:
            await conn.execute(_NOTIFY, {"channel": CHANNEL, "keys": list(keys)})
            await conn.commit()

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, key: str) -> None:
        if self._on_key is not None:
            self._on_key(key)


async def _driver(connection: AsyncConnection) -> Any:
    """The asyncpg connection under SQLAlchemy's."""
    raw = await connection.get_raw_connection()
    assert raw.driver_connection is not None
    return raw.driver_connection
