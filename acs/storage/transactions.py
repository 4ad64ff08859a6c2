"""Transactions: one row per acsTransID."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage.errors import Conflict
from acs.storage.models import Transaction

__all__ = ["INSERT", "PRIOR", "add", "count", "get", "prior"]


# One statement object, parameters bound at execution: its compiled form is cached once,
# where ``insert().values(**fields)`` would build and hash a new statement for every AReq.
INSERT = insert(Transaction.__table__)
# What an AReq needs of an earlier transaction it cites (3RI after an SCA).
PRIOR = select(Transaction.card_id, Transaction.trans_status).where(
    Transaction.acs_trans_id == bindparam("acs_trans_id")
)


async def add(session: AsyncSession, **fields: Any) -> None:
    """Store a new transaction (columns of :class:`Transaction` as keywords).

    One Core INSERT, not the ORM unit of work: this runs once per AReq, and the flush
    machinery costs more than the statement. Raises :class:`~acs.storage.errors.Conflict` for
    a repeated acsTransID or a dangling key.
    """
    try:
        await session.execute(INSERT, fields)
    except IntegrityError as exc:
        raise Conflict(f"transaction {fields.get('acs_trans_id')} not stored") from exc


async def get(session: AsyncSession, acs_trans_id: str) -> Transaction | None:
    """The transaction with this acsTransID, or ``None``."""
    return await session.get(Transaction, acs_trans_id)


async def prior(session: AsyncSession, acs_trans_id: str) -> tuple[int | None, str | None] | None:
    """``(card_id, trans_status)`` of this acsTransID, or ``None``."""
    row = (await session.execute(PRIOR, {"acs_trans_id": acs_trans_id})).first()
    return None if row is None else (row.card_id, row.trans_status)


async def count(session: AsyncSession) -> int:
    """How many transactions are stored."""
    return await session.scalar(select(func.count()).select_from(Transaction)) or 0
