"""Wake-ups between requests, processes and nodes: "something changed for key K, look again".

A waiter (a challenge page waiting for the phone's decision, a phone's event stream waiting for
a new operation) calls :meth:`Hub.wait`; whoever changed the state calls :meth:`Hub.publish`
**after committing**. In one process an ``asyncio.Event`` per key does it. On PostgreSQL every
process also LISTENs on one channel and publishes with ``pg_notify``, so a decision taken on
node A releases the browser waiting on node B within milliseconds.

A process may also watch the keys it publishes itself (:meth:`Hub.watch`): the results sender
sends an RReq the moment a cardholder's decision commits, rather than when its worker next
looks (keys published by other processes do not trigger it: the deciding process sends).

A wake-up carries no data: the waiter re-reads the database, which stays the only truth. On
SQLite (one machine, possibly several workers) there is no cross-process signal, so waiters
also wake every ``poll_interval`` seconds and re-read; a missed wake-up costs at most that.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["CHANNEL", "Hub"]

CHANNEL = "acs_wakeups"
_NOTIFY = text("SELECT pg_notify(:channel, key) FROM unnest(CAST(:keys AS text[])) AS key")
log = logging.getLogger("acs.notify.hub")


class Hub:
    def __init__(self, engine: AsyncEngine | None = None, *, poll_interval: float = 1.0) -> None:
        self._events: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._watchers: dict[str, Callable[[str], None]] = {}
        self._engine = engine
        self._listener: AsyncConnection | None = None
        self.poll_interval = poll_interval

    @property
    def cross_process(self) -> bool:
        return self._listener is not None

    async def start(self) -> None:
        """On PostgreSQL, LISTEN on the wake-up channel with a dedicated connection."""
        if self._engine is None or self._engine.dialect.name != "postgresql":
            return
        self._listener = await self._engine.connect()
        raw = await self._listener.get_raw_connection()
        await raw.driver_connection.add_listener(CHANNEL, self._on_notify)  # asyncpg

    async def stop(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):
                raw = await self._listener.get_raw_connection()
                await raw.driver_connection.remove_listener(CHANNEL, self._on_notify)
            await self._listener.close()
            self._listener = None

    async def publish(self, *keys: str) -> None:
        """Wake every waiter on each key, here at once and (on PostgreSQL) in every other
        process, with one NOTIFY statement for all the keys."""
        for key in keys:
            self._wake_local(key)
            for prefix, watcher in self._watchers.items():
                if key.startswith(prefix):
                    watcher(key.removeprefix(prefix))
        if keys and self._listener is not None and self._engine is not None:
            async with self._engine.connect() as conn:
                await conn.execute(_NOTIFY, {"channel": CHANNEL, "keys": list(keys)})
                await conn.commit()

    async def wait(self, key: str, timeout: float) -> bool:
        """Sleep until ``key`` is published or ``timeout`` passes; True when woken.

        Without a cross-process signal the sleep is capped at ``poll_interval`` so that the
        caller re-reads the database regularly.
        """
        if not self.cross_process:
            timeout = min(timeout, self.poll_interval)
        event = self.subscribe(key)
        try:
            async with asyncio.timeout(max(timeout, 0)):
                await event.wait()
            return True
        except TimeoutError:
            return False
        finally:
            self.unsubscribe(key, event)

    def watch(self, prefix: str, watcher: Callable[[str], None]) -> None:
        """Call ``watcher(rest)`` for every key ``prefix + rest`` this process publishes; it
        must not block (schedule a task). One watcher per prefix."""
        self._watchers[prefix] = watcher

    def unwatch(self, prefix: str) -> None:
        self._watchers.pop(prefix, None)

    def subscribe(self, key: str) -> asyncio.Event:
        """A lasting subscription: the event stays set until its owner clears it, so a
        publish that arrives while the owner is busy is not lost (a worker's wake-up)."""
        event = asyncio.Event()
        self._events[key].add(event)
        return event

    def unsubscribe(self, key: str, event: asyncio.Event) -> None:
        self._events[key].discard(event)
        if not self._events[key]:
            del self._events[key]

    def waiting(self, key: str) -> int:
        return len(self._events.get(key, ()))

    def _wake_local(self, key: str) -> None:
        for event in self._events.get(key, ()):
            event.set()

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, key: str) -> None:
        self._wake_local(key)
