"""Dialect-specific ``INSERT ... ON CONFLICT DO UPDATE`` in batches (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["BATCH", "batches", "existing_keys", "insert_new", "upsert_rows"]

BATCH = 1000


def batches(rows: Sequence[Any], size: int = BATCH) -> Iterator[Sequence[Any]]:
    """``rows`` in slices of at most ``size``."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def existing_keys(session: AsyncSession, column: sa.Column, keys: Sequence[Any]) -> set:
    """Which of ``keys`` are already present in ``column``."""
    found: set = set()
    for chunk in batches(keys):
        found.update(await session.scalars(sa.select(column).where(column.in_(chunk))))
    return found


async def upsert_rows(
    session: AsyncSession,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    key: str,
    columns: Sequence[str],
) -> int:
    """Insert ``rows``; on a ``key`` conflict copy ``columns`` from the new row. The number of
    rows written (inserted or changed).

    The update runs only when a copied column (``updated_at`` aside) really changes, so that a
    repeated import leaves rows, and their ``updated_at``, as they were.
    """
    insert = _dialect_insert(session, table)
    new = insert.excluded
    changed = sa.or_(*(table.c[c].is_distinct_from(new[c]) for c in columns if c != "updated_at"))
    statement = insert.on_conflict_do_update(
        index_elements=[table.c[key]], set_={c: new[c] for c in columns}, where=changed
    ).returning(table.c[key])
    written = 0
    for chunk in batches(rows):
        written += len((await session.execute(statement, list(chunk))).all())
    return written


async def insert_new(session: AsyncSession, table: sa.Table, row: Mapping[str, Any]) -> Any:
    """Insert ``row`` unless it breaks a uniqueness rule; its primary key, or ``None``.

    ``ON CONFLICT DO NOTHING``: one statement, where catching the IntegrityError needs a
    SAVEPOINT around the insert (two more round trips) to keep the transaction usable.
    """
    key = table.primary_key.columns.values()[0]
    statement = _dialect_insert(session, table).on_conflict_do_nothing().returning(key)
    return (await session.execute(statement, dict(row))).scalar()


def _dialect_insert(session: AsyncSession, table: sa.Table) -> Any:
    name = session.get_bind().dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise ValueError(f"no upsert for dialect {name!r}")
