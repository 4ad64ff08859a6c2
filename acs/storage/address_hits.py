"""Calls counted per client address: the ``address_hits`` table (migration 0009)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage._dml import execute_counted
from acs.storage.models import AddressHitRow

__all__ = ["delete_hits_before", "hits_since", "record_hit"]


async def hits_since(
    session: AsyncSession, address_hash: str, since: datetime
) -> tuple[int, datetime | None]:
    """How many calls the address made after ``since``, and when the oldest of them was."""
    statement = select(func.count(), func.min(AddressHitRow.at)).where(
        AddressHitRow.address_hash == address_hash, AddressHitRow.at > since
    )
    count, oldest = (await session.execute(statement)).one()
    return int(count), oldest


async def record_hit(session: AsyncSession, address_hash: str, at: datetime) -> None:
    await session.execute(insert(AddressHitRow).values(address_hash=address_hash, at=at))


async def delete_hits_before(session: AsyncSession, before: datetime) -> int:
    """Forget calls older than the window: they count no more."""
    statement = delete(AddressHitRow).where(AddressHitRow.at < before)
    return await execute_counted(session, statement.execution_options(synchronize_session=False))
