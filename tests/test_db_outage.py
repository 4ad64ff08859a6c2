"""A database that accepts TCP and never answers (a black hole): bounded waits, a system-failure
Erro, /readyz 503, one worker log line and one request log line per change of state, recovery
without restart."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from sqlalchemy.engine import make_url

from acs.config import Settings
from acs.flows.health import database_ready
from acs.protocol.errors import ProtocolError
from acs.storage.engine import DbTimeouts, make_engine
from acs.web import create_app
from tests.areqs import areq

SYSTEM_FAILURE = ProtocolError.system_failure().code.value
WORKER_LOG = "acs.web.challenge_worker"
REQUESTS_LOG = "acs.web"


class BlackHoleProxy:
    """A TCP forwarder on 127.0.0.1 port 0; ``block()`` stops every byte both ways (new
    connections are accepted and get no answer), ``unblock()`` lets the held bytes through."""

    def __init__(self, host: str, port: int) -> None:
        self._upstream = (host, port)
        self._open = asyncio.Event()
        self._open.set()
        self._tasks: set[asyncio.Task] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def block(self) -> None:
        self._open.clear()

    def unblock(self) -> None:
        self._open.set()

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        upstream_writer = None
        try:
            await self._open.wait()
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._upstream)
            await asyncio.gather(
                self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
            )
        except (OSError, asyncio.CancelledError):  # close() cancels: end quietly
            pass
        finally:
            for w in (writer, upstream_writer):
                if w is not None:
                    w.close()
            self._tasks.discard(task)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self._open.wait()
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def black_hole() -> AsyncIterator[int]:
    """A server that accepts every connection and never sends a byte: its port."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        for writer in held:
            writer.close()
        server.close()


def _via(url: str, port: int) -> str:
    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)


async def _timed(coro):
    started = time.monotonic()
    result = await asyncio.wait_for(coro, timeout=10)
    return result, time.monotonic() - started


async def test_readyz_ping_is_bounded_against_a_black_hole():
    """Against a database that never answers, the readiness check says no within 2 s."""
    async with black_hole() as port:
        engine = make_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/test")
        try:
            ready, elapsed = await _timed(database_ready(engine))
        finally:
            await engine.dispose()
    assert ready is False
    assert elapsed < 2.0


async def test_connect_timeout_bounds_a_statement_against_a_black_hole():
    """With the app's timeouts, a statement on a black-holed database fails within the bound."""
    async with black_hole() as port:
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/test"
        engine = make_engine(url, timeouts=DbTimeouts(connect=0.5, pool=0.5, statement=0.5))
        try:
            started = time.monotonic()
            with pytest.raises((TimeoutError, OSError)):
                await asyncio.wait_for(_select_one(engine), timeout=10)
            elapsed = time.monotonic() - started
        finally:
            await engine.dispose()
    assert elapsed < 2.0


async def test_startup_against_a_black_hole_fails_fast(keys_dir):
    """An ACS started on a database that never answers stops with an error, not a hang."""
    async with black_hole() as port:
        settings = Settings(
            database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{port}/test",
            keys_dir=str(keys_dir),
            db_connect_timeout_seconds=0.5,
        )
        runner = web.AppRunner(create_app(settings))
        started = time.monotonic()
        try:
            with pytest.raises((TimeoutError, OSError)):
                await asyncio.wait_for(runner.setup(), timeout=10)
        finally:
            await asyncio.wait_for(runner.cleanup(), timeout=10)
        assert time.monotonic() - started < 3.0


async def _select_one(engine) -> None:
    from sqlalchemy import text

    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def _wait_for_log(caplog, needle: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while needle not in caplog.text:
        assert time.monotonic() < deadline, f"no {needle!r} in the log within {seconds} s"
        await asyncio.sleep(0.1)


def _worker_lines(caplog, logger: str = WORKER_LOG) -> list[str]:
    """What the challenge worker (or the requests) logged at info and above, one entry a
    record (a traceback would show here)."""
    return [
        r.getMessage().split(" (")[0] + (" with a traceback" if r.exc_info else "")
        for r in caplog.records
        if r.name == logger and r.levelno >= logging.INFO
    ]


@pytest.mark.postgres_only
@pytest.mark.usefixtures("demo_data")
async def test_black_holed_database_fails_fast_and_recovers(
    aiohttp_client, settings, keyring, clock, db_kind, caplog
):
    """A black-holed PostgreSQL: AReqs get a system-failure Erro within 2 s, /readyz a 503
    within 2 s, the worker logs one line down and one back, and all recovers without restart."""
    if db_kind != "postgres":
        pytest.skip("black-holes the PostgreSQL TCP connection")
    upstream = make_url(settings.database_url)
    proxy = BlackHoleProxy(upstream.host or "127.0.0.1", upstream.port or 5432)
    await proxy.start()
    try:
        settings = dataclasses.replace(
            settings,
            database_url=_via(settings.database_url, proxy.port),
            db_connect_timeout_seconds=1.0,
            db_pool_timeout_seconds=1.0,
            db_statement_timeout_seconds=1.0,
        )
        client = await aiohttp_client(create_app(settings, keys=keyring, clock=clock))
        caplog.set_level(logging.INFO, logger=WORKER_LOG)
        caplog.set_level(logging.INFO, logger=REQUESTS_LOG)

        ok = await (await client.post("/3ds/areq", json=areq())).json()
        assert ok["messageType"] == "ARes"
        assert (await client.get("/readyz")).status == 200

        proxy.block()
        response, elapsed = await _timed(client.post("/3ds/areq", json=areq()))
        erro = await response.json()
        assert (erro["messageType"], erro["errorCode"]) == ("Erro", SYSTEM_FAILURE)
        assert elapsed < 2.0  # one statement timeout (1 s), not two: the socket is aborted
        await client.post("/3ds/areq", json=areq())  # a second failure: no second line
        response, elapsed = await _timed(client.get("/readyz"))
        assert response.status == 503
        assert elapsed < 2.0
        await _wait_for_log(caplog, "database unreachable", seconds=6)
        await asyncio.sleep(3)  # several more worker rounds fail meanwhile
        assert _worker_lines(caplog) == ["database unreachable"]

        proxy.unblock()
        deadline = time.monotonic() + 10
        while (await client.get("/readyz")).status != 200:
            assert time.monotonic() < deadline, "/readyz still 503 after the database came back"
            await asyncio.sleep(0.2)
        answer, elapsed = await _timed(client.post("/3ds/areq", json=areq()))
        assert (await answer.json())["messageType"] == "ARes"
        await _wait_for_log(caplog, "database back", seconds=6)
        await asyncio.sleep(1.5)  # another round or two, all fine
        assert _worker_lines(caplog) == [
            "database unreachable",
            "database back: the worker resumes",
        ]
        assert _worker_lines(caplog, REQUESTS_LOG) == [
            "database unreachable",
            "database back: requests are answered again",
        ]
        await client.close()
    finally:
        proxy.unblock()
        await proxy.close()
