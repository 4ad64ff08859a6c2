"""Wake-ups between requests, processes and nodes: "something changed for key K, look again".

A waiter (a challenge page waiting for the phone's decision, a phone's event stream waiting for
a new operation) calls :meth:`Hub.wait`; whoever changed the state calls :meth:`Hub.publish`
**after committing**. In one process an ``asyncio.Event`` per key does it. On PostgreSQL every
process also LISTENs on one channel and publishes with ``pg_notify``, so a decision taken on
node A releases the browser waiting on node B within milliseconds.

A process may also watch the keys it publishes itself (:meth:`Hub.watch`): the results sender
sends an RReq the moment a cardholder's decision commits, rather than when its worker next
looks (keys published by other processes do not trigger it: the deciding process sends).

The cross-process half is injected (:class:`WakeupChannel`; on PostgreSQL
:class:`acs.storage.notifications.PgWakeups`): the hub itself only keeps the events.

A wake-up carries no data: the waiter re-reads the database, which stays the only truth. On
SQLite (one machine, possibly several workers) there is no cross-process signal, so waiters
also wake every ``poll_interval`` seconds and re-read; a missed wake-up costs at most that. So
do they on PostgreSQL while the LISTEN connection is being rebuilt (a database restart); every
waiter is woken when it goes and when it comes back.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Protocol

__all__ = ["Hub", "WakeupChannel"]

log = logging.getLogger("acs.notify.hub")


class WakeupChannel(Protocol):
    """Carries published keys to the other processes, and theirs to ``on_key``."""

    @property
    def listening(self) -> bool: ...

    async def start(self, on_key: Callable[[str], None], on_lost: Callable[[], None]) -> None:
        """Listen: ``on_key(key)`` for each key published elsewhere, ``on_lost()`` whenever
        some may have been missed (the channel went or came back)."""
        ...

    async def stop(self) -> None: ...

    async def notify(self, keys: Sequence[str]) -> None: ...


class Hub:
    def __init__(self, channel: WakeupChannel | None = None, *, poll_interval: float = 1.0) -> None:
        self._events: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._watchers: dict[str, Callable[[str], None]] = {}
        self._channel = channel
        self.poll_interval = poll_interval

    @property
    def cross_process(self) -> bool:
        return self._channel is not None and self._channel.listening

    async def start(self) -> None:
        """Listen for the keys other processes publish (when the channel can)."""
        if self._channel is not None:
            await self._channel.start(self._wake_local, self._wake_all)

    async def stop(self) -> None:
        if self._channel is not None:
            await self._channel.stop()

    async def publish(self, *keys: str) -> None:
        """Wake every waiter on each key, here at once and (on PostgreSQL) in every other
        process, with one NOTIFY statement for all the keys."""
        for key in keys:
            self._wake_local(key)
            for prefix, watcher in self._watchers.items():
                if key.startswith(prefix):
                    watcher(key.removeprefix(prefix))
        if keys and self.cross_process:
            assert self._channel is not None
            await self._channel.notify(keys)

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

    def _wake_all(self) -> None:
        # The cross-process channel went or came back: every waiter re-reads the database
        # (and, while it is away, waits at most poll_interval).
        for events in self._events.values():
            for event in events:
                event.set()

    def _wake_local(self, key: str) -> None:
        for event in self._events.get(key, ()):
            event.set()
