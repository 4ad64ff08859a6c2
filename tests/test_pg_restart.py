"""A real PostgreSQL restart (a private cluster, never the shared server): the ACS's LISTEN
connection is rebuilt, a NOTIFY reaches its waiters again without restarting the ACS, and the
outage is logged as one line when the channel goes and one when it is back."""

from __future__ import annotations

import asyncio
import logging
import time

from acs.config import Settings
from acs.notify.hub import Hub
from acs.storage.engine import make_engine, upgrade
from acs.storage.notifications import PgWakeups
from acs.web import create_app
from acs.web.keys import HUB
from tests.private_postgres import PrivatePostgres

LOGGER = "acs.storage.notifications"


async def _eventually(check, seconds: float, what: str) -> float:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"{what} not within {seconds} s"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def _woken(waiter: Hub, publisher: Hub, key: str) -> bool:
    """Publish ``key`` from the other hub; True if the waiter woke from it (not a timeout)."""
    waiting = asyncio.create_task(waiter.wait(key, timeout=5))
    await asyncio.sleep(0.05)
    await publisher.publish(key)
    return await waiting


async def test_the_listen_connection_is_rebuilt_after_a_postgresql_restart(
    private_postgres: PrivatePostgres, aiohttp_client, keys_dir, monkeypatch, caplog
):
    """Restart the server under a running ACS: its hub stops listening at once (a waiter
    already asleep is woken), listens again once the server is back, a NOTIFY from another
    process wakes a waiter again, /readyz is 200 again, and each state change is one log line."""
    monkeypatch.setattr(PgWakeups, "RETRY_SECONDS", 0.2)
    await upgrade(private_postgres.url)
    settings = Settings(database_url=private_postgres.url, keys_dir=str(keys_dir))
    client = await aiohttp_client(create_app(settings))
    hub = client.app[HUB]
    hub.poll_interval = 30.0  # a wake-up below cannot be a poll
    engine = make_engine(private_postgres.url)
    other = Hub(PgWakeups(engine), poll_interval=30.0)  # "another process"
    await other.start()
    caplog.set_level(logging.INFO, logger=LOGGER)
    try:
        assert hub.cross_process and await _woken(hub, other, "challenge:before")
        asleep = asyncio.create_task(hub.wait("challenge:asleep", timeout=30))
        await asyncio.sleep(0.05)

        await asyncio.to_thread(private_postgres.stop)
        assert await asyncio.wait_for(asleep, 5) is True  # woken: a NOTIFY may be missed now
        await _eventually(lambda: not hub.cross_process, 5, "the hub noticing the restart")
        await asyncio.sleep(1.0)  # several reconnection attempts fail meanwhile
        await asyncio.to_thread(private_postgres.start)

        back = await _eventually(lambda: hub.cross_process and other.cross_process, 10, "LISTEN")
        assert back < 5
        assert await _woken(hub, other, "challenge:after")
        assert await _woken(other, hub, "device:after")  # and the other way round
        deadline = time.monotonic() + 10
        while (await client.get("/readyz")).status != 200:
            assert time.monotonic() < deadline, "/readyz not 200 after the restart"
            await asyncio.sleep(0.2)
    finally:
        await other.stop()
        await engine.dispose()
    lines = [r.getMessage().split(":")[0] for r in caplog.records if r.name == LOGGER]
    # Two hubs (the ACS and the other process), each: one line lost, one line back.
    assert lines == ["wake-up channel lost"] * 2 + ["wake-up channel back"] * 2, lines
