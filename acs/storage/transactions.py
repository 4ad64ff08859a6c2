"""Transactions: one row per acsTransID."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage.errors import Conflict
from acs.storage.models import Transaction

__all__ = ["add", "count", "get"]


# One statement object, parameters bound at execution: its compiled form is cached once,
# where ``insert().values(**fields)`` would build and hash a new statement for every AReq.
_INSERT = insert(Transaction.__table__)


async def add(session: AsyncSession, **fields: Any) -> None:
    """Store a new transaction (columns of :class:`Transaction` as keywords).

    One Core INSERT, not the ORM unit of work: this runs once per AReq, and the flush
    machinery costs more than the statement. Raises :class:`~acs.storage.errors.Conflict` for
    a repeated acsTransID or a dangling key.
    """
    try:
        await session.execute(_INSERT, fields)
    except IntegrityError as exc:
        raise Conflict(f"transaction {fields.get('acs_trans_id')} not stored") from exc


async def get(session: AsyncSession, acs_trans_id: str) -> Transaction | None:
    """The transaction with this acsTransID, or ``None``."""
    return await session.get(Transaction, acs_trans_id)


async def count(session: AsyncSession) -> int:
    """How many transactions are stored."""
    return await session.scalar(select(func.count()).select_from(Transaction)) or 0
