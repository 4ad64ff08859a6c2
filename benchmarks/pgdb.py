"""A dedicated PostgreSQL database for a benchmark run: created fresh, dropped at the end."""

from __future__ import annotations

import asyncio

from sqlalchemy.engine import make_url

__all__ = ["BENCH_DATABASE", "create_database", "drop_database"]

BENCH_DATABASE = "acs_bench"


def _dsn(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(server_url: str, *statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_dsn(make_url(server_url)))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def create_database(server_url: str, name: str = BENCH_DATABASE) -> str:
    """Drop and create ``name`` on the server of ``server_url``; return the ACS URL for it."""
    asyncio.run(
        _admin(
            server_url,
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            f'CREATE DATABASE "{name}"',
        )
    )
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str = BENCH_DATABASE) -> None:
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
