"""Bulk-load synthetic transactions straight into the ACS tables with SQL (for the growth runs).

This bypasses the ACS on purpose: it exists to put millions of old rows under the indexes the
AReq path reads, fast. SQLite: ``executemany`` in batches; PostgreSQL: ``COPY`` via asyncpg.
Rows belong to random existing cards and are spread over the last 90 days.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import make_url

__all__ = [
    "COLUMNS",
    "analyze",
    "count_transactions",
    "load_transactions",
    "pending_challenge_work",
    "top_up_transactions",
]

BATCH = 50_000
COLUMNS = (
    "acs_trans_id", "three_ds_server_trans_id", "message_version", "device_channel",
    "message_category", "card_id", "amount_minor", "currency", "exponent", "trans_status",
    "challenge_mandated", "risk_rules", "created_at", "updated_at",
)  # fmt: skip


def load_transactions(database_url: str, count: int, *, seed: int = 7) -> dict:
    """Insert ``count`` transactions; returns rows, seconds and rows/s."""
    started = time.perf_counter()
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _load_sqlite(url.database, count, seed)
    else:
        asyncio.run(_load_postgres(url, count, seed))
    seconds = time.perf_counter() - started
    return {"rows": count, "seconds": round(seconds, 2), "rows_per_s": round(count / seconds, 1)}


def _rows(count: int, card_ids: tuple[int, int], seed: int, *, sqlite: bool) -> Iterator[tuple]:
    rng, now = random.Random(seed), datetime.now(UTC)
    rules = json.dumps(["low_value"])
    for _ in range(count):
        at = now - timedelta(seconds=rng.randint(60, 90 * 86400))
        stamp = (
            at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds") if sqlite else at
        )
        yield (
            str(uuid.uuid4()), str(uuid.uuid4()), "2.2.0", "02", "01",
            rng.randint(*card_ids), rng.randint(100, 3000), "978", 2, "Y", False, rules,
            stamp, stamp,
        )  # fmt: skip


def _batches(rows: Iterator[tuple]) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _load_sqlite(path: str, count: int, seed: int) -> None:
    with sqlite3.connect(path, timeout=30) as db:
        card_ids = db.execute("SELECT min(id), max(id) FROM cards").fetchone()
        marks = ", ".join("?" * len(COLUMNS))
        insert = f"INSERT INTO transactions ({', '.join(COLUMNS)}) VALUES ({marks})"
        for batch in _batches(_rows(count, card_ids, seed, sqlite=True)):
            db.executemany(insert, batch)
            db.commit()


async def _load_postgres(url, count: int, seed: int) -> None:
    import asyncpg

    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        card_ids = tuple(await connection.fetchrow("SELECT min(id), max(id) FROM cards"))
        for batch in _batches(_rows(count, card_ids, seed, sqlite=False)):
            await connection.copy_records_to_table("transactions", records=batch, columns=COLUMNS)
    finally:
        await connection.close()


def count_transactions(database_url: str) -> int:
    """How many transactions the database holds now."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database, timeout=30) as db:
            return db.execute("SELECT count(*) FROM transactions").fetchone()[0]
    return asyncio.run(_fetch_postgres(url, "SELECT count(*) FROM transactions"))


_PENDING_WORK = (
    "SELECT (SELECT count(*) FROM challenges WHERE state IN ('awaiting', 'open'))"
    " + (SELECT count(*) FROM results_outbox WHERE state = 'pending')"
)


def pending_challenge_work(database_url: str) -> int:
    """Challenges not decided yet plus RReqs not delivered yet: the work the ACS's worker still
    has from earlier AReqs (the mix's challenges are never answered: each one times out)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database, timeout=30) as db:
            return db.execute(_PENDING_WORK).fetchone()[0]
    return asyncio.run(_fetch_postgres(url, _PENDING_WORK))


async def _fetch_postgres(url, query: str) -> Any:
    """The first value ``query`` returns (``None`` for a command), on a connection of its own."""
    import asyncpg

    connection = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(False))
    try:
        return await connection.fetchval(query)
    finally:
        await connection.close()


def analyze(database_url: str) -> None:
    """After a bulk load, what an operator would do: refresh the planner's statistics; on
    SQLite also fold the write-ahead log back into the file (a bulk load leaves it large,
    and every read then searches it)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database, timeout=30) as db:
            db.execute("ANALYZE")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        asyncio.run(_fetch_postgres(url, "ANALYZE"))


def top_up_transactions(database_url: str, target: int) -> dict:
    """Bulk-load enough transactions for the table to hold ``target`` rows (at least)."""
    missing = target - count_transactions(database_url)
    if missing <= 0:
        return {"rows": 0, "seconds": 0.0, "rows_per_s": None}
    loaded = load_transactions(database_url, missing)
    analyze(database_url)
    return loaded
