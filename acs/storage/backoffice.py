"""Back-office storage: staff sessions and logins in progress (:mod:`.backoffice_models`).

Functions take the session first, return rows or ``None`` and never commit. A login is taken
once (a conditional DELETE: two callbacks with one ``state`` cannot both win).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage._dml import execute_counted
from acs.storage.backoffice_models import StaffLoginRow, StaffSessionRow

__all__ = [
    "add_login",
    "add_session",
    "end_session",
    "get_session",
    "purge",
    "take_login",
    "touch_session",
]


async def add_login(session: AsyncSession, **fields: Any) -> None:
    session.add(StaffLoginRow(**fields))
    await session.flush()


async def take_login(session: AsyncSession, state_hash: str) -> StaffLoginRow | None:
    """The login with this state, deleted as it is read (``None``: unknown or already taken)."""
    row = await session.get(StaffLoginRow, state_hash)
    if row is None:
        return None
    statement = delete(StaffLoginRow).where(StaffLoginRow.state_hash == state_hash)
    if not await execute_counted(session, statement):
        return None
    return row


async def add_session(session: AsyncSession, **fields: Any) -> StaffSessionRow:
    row = StaffSessionRow(**fields)
    session.add(row)
    await session.flush()
    return row


async def get_session(session: AsyncSession, id_hash: str) -> StaffSessionRow | None:
    return await session.get(StaffSessionRow, id_hash)


async def touch_session(session: AsyncSession, id_hash: str, *, now: datetime) -> None:
    statement = update(StaffSessionRow).where(StaffSessionRow.id_hash == id_hash)
    await session.execute(statement.values(last_seen_at=now))


async def end_session(session: AsyncSession, id_hash: str, *, now: datetime) -> bool:
    """End a session still open; True when this call ended it."""
    statement = (
        update(StaffSessionRow)
        .where(StaffSessionRow.id_hash == id_hash, StaffSessionRow.ended_at.is_(None))
        .values(ended_at=now)
    )
    return bool(await execute_counted(session, statement))


async def purge(session: AsyncSession, *, now: datetime) -> int:
    """Delete logins past their expiry and sessions past their absolute end."""
    logins = await execute_counted(
        session, delete(StaffLoginRow).where(StaffLoginRow.expires_at < now)
    )
    ended = or_(StaffSessionRow.expires_at < now, StaffSessionRow.ended_at.is_not(None))
    sessions = await execute_counted(session, delete(StaffSessionRow).where(ended))
    return logins + sessions
