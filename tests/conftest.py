"""Shared fixtures: a migrated, empty database per test, on SQLite (default) or PostgreSQL.

Choose the database with ``--db sqlite|postgres`` or ``ACS_TEST_DB``; PostgreSQL is found at
``ACS_TEST_POSTGRES_URL``. The schema is migrated once per session; each test then gets an empty
database: a copy of the migrated SQLite template file, or the session's PostgreSQL schema with
every table truncated. An unreachable PostgreSQL skips the tests, except under ``CI=true``.
"""

from __future__ import annotations

pytest_plugins = ["tests.tokens", "tests.app_fixtures", "tests.private_postgres"]

import asyncio  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import threading  # noqa: E402
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TypeVar  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker  # noqa: E402

from acs.clock import FrozenClock  # noqa: E402
from acs.crypto.pan import PanVault  # noqa: E402
from acs.storage.engine import make_engine, make_sessionmaker, ping, upgrade  # noqa: E402
from acs.storage.models import Base  # noqa: E402
from tests.prereq import missing_prerequisite  # noqa: E402

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
T = TypeVar("T")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgres"),
        default=None,
        help="database the tests run on (default: $ACS_TEST_DB or sqlite)",
    )


def run_async(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on a private loop in a private thread.

    Session fixtures use it so that they never touch the event loop of pytest-asyncio.
    """
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(factory())  # type: ignore[arg-type]
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


@pytest.fixture(scope="session")
def db_kind(request: pytest.FixtureRequest) -> str:
    """``sqlite`` or ``postgres``."""
    kind = request.config.getoption("--db") or os.environ.get("ACS_TEST_DB", "sqlite")
    if kind not in ("sqlite", "postgres"):
        raise pytest.UsageError(f"ACS_TEST_DB={kind!r}: expected sqlite or postgres")
    return kind


def _with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


async def _execute(url: str, *statements: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _reachable(url: str) -> bool:
    engine = make_engine(url)
    try:
        return await ping(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_server_url(db_kind: str) -> str:
    """The PostgreSQL server URL; skips (or fails under CI) when it does not answer."""
    url = os.environ.get("ACS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    if not run_async(lambda: _reachable(url)):
        missing_prerequisite(f"PostgreSQL not reachable at {url} (set ACS_TEST_POSTGRES_URL)")
    return url


@pytest.fixture
def empty_database_url(
    db_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A URL of a database with no tables at all (for migration tests)."""
    if db_kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    server = request.getfixturevalue("postgres_server_url")
    schema = f"acs_test_{secrets.token_hex(6)}"
    run_async(lambda: _execute(server, f"CREATE SCHEMA {schema}"))
    yield _with_schema(server, schema)
    run_async(lambda: _execute(server, f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture(scope="session")
def migrated_template(
    db_kind: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """Migrated once per session: a SQLite file path, or a PostgreSQL URL with its schema."""
    if db_kind == "sqlite":
        path = tmp_path_factory.mktemp("db") / "template.db"
        run_async(lambda: upgrade(f"sqlite+aiosqlite:///{path}"))
        yield str(path)
        return
    server = request.getfixturevalue("postgres_server_url")
    schema = f"acs_test_{secrets.token_hex(6)}"
    url = _with_schema(server, schema)
    run_async(lambda: _execute(server, f"CREATE SCHEMA {schema}"))
    run_async(lambda: upgrade(url))
    yield url
    run_async(lambda: _execute(server, f"DROP SCHEMA {schema} CASCADE"))


_TABLES = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)


@pytest.fixture
def database_url(db_kind: str, migrated_template: str, tmp_path: Path) -> str:
    """The URL of a migrated database whose tables are all empty, private to this test."""
    if db_kind == "sqlite":
        target = tmp_path / "acs.db"
        shutil.copyfile(migrated_template, target)
        return f"sqlite+aiosqlite:///{target}"
    # Tables are listed from the models: later migrations' tables join automatically.
    run_async(lambda: _execute(migrated_template, f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE"))
    return migrated_template


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on :func:`database_url`, disposed after the test."""
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker:
    """The session factory the app would use (``expire_on_commit=False``)."""
    return make_sessionmaker(engine)


@pytest.fixture
def vault() -> PanVault:
    """A PAN vault with fixed test keys: ``k1`` (old) and ``k2`` (active)."""
    return PanVault(
        b"\x11" * 32,
        {"k1": b"\x21" * 32, "k2": b"\x22" * 32},
        "k2",
    )


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at 2026-11-29 09:00 UTC."""
    return FrozenClock()
