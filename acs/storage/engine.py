"""Engines, sessions and migrations for an ``ACS_DATABASE_URL``.

SQLite (the embedded default): the file is owner-only (0600, created so before SQLite opens it;
its ``-wal`` and ``-shm`` files take its mode), a missing folder is created at 0700, and every
connection turns on foreign keys, WAL journaling and a busy timeout. PostgreSQL: a bounded
pool, no pre-ping. A PostgreSQL URL may end in ``?schema=NAME``: the schema becomes the
connection's ``search_path`` (tests use it to get a database of their own).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from acs.files import make_private_folder, private_file
from acs.resources import data_dir

__all__ = [
    "DbTimeouts",
    "Engine",
    "Session",
    "Sessions",
    "abort_driver_connection",
    "alembic_config",
    "downgrade",
    "is_outage",
    "make_engine",
    "make_sessionmaker",
    "ping",
    "run_select_one",
    "safe_url",
    "upgrade",
]

# The names the layers above use for what this module makes (they import no SQLAlchemy).
Engine = AsyncEngine
Session = AsyncSession
Sessions = async_sessionmaker[AsyncSession]

MIGRATIONS_DIR = data_dir("migrations")
SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_POOL_TIMEOUT = 30.0


@dataclass(frozen=True)
class DbTimeouts:
    """How long the ACS waits on its database, in seconds (``db_*_timeout_seconds``).

    ``None`` everywhere (the default of :func:`make_engine`, used by migrations and tools)
    keeps the drivers' own bounds; the app passes its settings.
    """

    connect: float | None = None  # opening a connection (TCP, TLS, startup): asyncpg ``timeout``
    pool: float | None = None  # waiting for a pooled connection (PostgreSQL)
    statement: float | None = None  # one statement: asyncpg ``command_timeout``; SQLite locks


def make_engine(url: str, *, echo: bool = False, timeouts: DbTimeouts | None = None) -> AsyncEngine:
    """An async engine for a SQLite (aiosqlite) or PostgreSQL (asyncpg) URL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    timeouts = timeouts or DbTimeouts()
    if backend == "sqlite":
        return _sqlite_engine(parsed, echo, timeouts)
    if backend == "postgresql":
        return _postgres_engine(parsed, echo, timeouts)
    raise ValueError(f"unsupported database backend {backend!r}: use sqlite or postgresql")


def _sqlite_engine(url: URL, echo: bool, timeouts: DbTimeouts) -> AsyncEngine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        _private_sqlite_file(Path(url.database))
    # One connection per process: SQLite has one writer at a time, and a second connection
    # that wants to write waits inside SQLite's busy handler, which sleeps and backs off
    # (seconds of latency under load) or fails when two readers both upgrade. Queueing for
    # the one connection in the event loop is fair and immediate. Several processes on one
    # file still meet in the busy handler: use PostgreSQL for `acs serve --workers N`.
    # The queue for the one connection is the event loop's, not an outage: it keeps its own
    # generous bound. The statement timeout bounds the wait for another process's lock.
    busy_ms = SQLITE_BUSY_TIMEOUT_MS
    if timeouts.statement is not None:
        busy_ms = int(timeouts.statement * 1000)
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=1,
        max_overflow=0,
        pool_timeout=SQLITE_POOL_TIMEOUT,
        connect_args={"timeout": busy_ms / 1000},
    )

    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        _sqlite_pragmas(dbapi_connection, busy_ms)

    event.listen(engine.sync_engine, "connect", pragmas)
    return engine


def _private_sqlite_file(path: Path) -> None:
    # The folder may be the operator's (the working directory): created private, never changed.
    make_private_folder(path.parent, tighten=False)
    private_file(path)
    for companion in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():  # left by an older version, before the file was private
            private_file(companion)


def _sqlite_pragmas(dbapi_connection: Any, busy_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.close()


def _postgres_engine(url: URL, echo: bool, timeouts: DbTimeouts) -> AsyncEngine:
    schema = url.query.get("schema")
    url = url.difference_update_query(["schema"])
    settings = {"jit": "off"}
    if schema:
        settings["search_path"] = str(schema)
    connect_args: dict[str, Any] = {"server_settings": settings}
    if timeouts.connect is not None:
        connect_args["timeout"] = timeouts.connect
    if timeouts.statement is not None:
        # asyncpg's default for every operation of the connection, SQLAlchemy's and the AReq
        # store's prepared statements alike (acs.storage.areq_store runs them on the driver).
        connect_args["command_timeout"] = timeouts.statement
    engine = create_async_engine(
        url,
        echo=echo,
        # Kept connections keep their prepared statements: an overflow connection is opened
        # (a TLS probe, a startup, a cold statement cache) and closed again for each burst
        # past pool_size, which made 20 simultaneous approvals several times slower.
        pool_size=20,
        max_overflow=10,
        pool_use_lifo=True,  # the busiest connections stay warm; the rest can age out
        # No pre-ping: it costs a round trip per checkout (~0.4 ms on every AReq). A connection
        # that died (database restart, failover) fails one request, is invalidated with its
        # pool, and the next checkout reconnects; recycling bounds the age of idle connections.
        pool_pre_ping=False,
        pool_recycle=300,
        pool_timeout=30.0 if timeouts.pool is None else timeouts.pool,
        connect_args=connect_args,
    )
    event.listen(engine.sync_engine, "handle_error", _abort_on_timeout)
    return engine


def _abort_on_timeout(context: Any) -> None:
    # A statement that timed out leaves its connection in an unknown state; SQLAlchemy then
    # closes it politely, which on a database that does not answer waits out the timeout a
    # second time. Abort the socket first (asyncpg terminate()): the close is then immediate.
    if isinstance(context.original_exception, TimeoutError) and context.connection is not None:
        abort_driver_connection(context.connection.connection.driver_connection)
        context.is_disconnect = True


def abort_driver_connection(driver: Any) -> None:
    """Close an asyncpg connection at once, without the goodbye round trip."""
    terminate = getattr(driver, "terminate", None)
    if terminate is not None and not driver.is_closed():
        terminate()


def make_sessionmaker(engine: AsyncEngine) -> Sessions:
    """Sessions whose objects stay readable after commit (``expire_on_commit=False``)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def is_outage(exc: BaseException) -> bool:
    """True for a failure of the database itself (unreachable, timed out, connection lost),
    as opposed to a bug or a refused statement."""
    if isinstance(exc, PoolTimeout | TimeoutError | OSError):  # TimeoutError is an OSError
        return True
    if isinstance(exc, DBAPIError):
        return bool(exc.connection_invalidated) or isinstance(exc.orig, OSError)
    names = {cls.__name__ for cls in type(exc).__mro__}  # asyncpg is PostgreSQL's only
    return type(exc).__module__.startswith("asyncpg") and bool(names & _ASYNCPG_OUTAGES)


_ASYNCPG_OUTAGES = {"PostgresConnectionError", "InterfaceError", "ConnectionDoesNotExistError"}


async def run_select_one(engine: AsyncEngine) -> None:
    """``SELECT 1`` on a new checkout; the driver's or the pool's exception as raised."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


async def ping(engine: AsyncEngine, *, timeout: float | None = None) -> bool:
    """True when the database answers ``SELECT 1`` (within ``timeout`` seconds, if given)."""
    try:
        async with asyncio.timeout(timeout):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):  # TimeoutError is an OSError
        return False
    return True


def alembic_config(url: str) -> Config:
    """An Alembic config for ``url`` that needs no ``alembic.ini`` (and leaves logging alone)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


async def upgrade(url: str, revision: str = "head") -> None:
    """Migrate ``url`` to ``revision``; safe to await from inside a running event loop."""
    # env.py runs its own event loop, so Alembic gets a thread of its own.
    await asyncio.to_thread(command.upgrade, alembic_config(url), revision)


async def downgrade(url: str, revision: str) -> None:
    """Migrate ``url`` down to ``revision`` (``"base"`` drops every table)."""
    await asyncio.to_thread(command.downgrade, alembic_config(url), revision)
