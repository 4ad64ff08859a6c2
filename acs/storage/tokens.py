"""Identity tokens accepted once: the ``used_tokens`` table (replay protection of ``jti``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage._dml import execute_counted
from acs.storage._upsert import insert_new
from acs.storage.models import UsedTokenRow

__all__ = ["delete_expired_tokens", "remember_token"]


async def remember_token(session: AsyncSession, *, jti_hash: str, expires_at: datetime) -> bool:
    """Record a token as used; False when it was already (a replay, maybe from another process)."""
    row = {"jti_hash": jti_hash, "expires_at": expires_at}
    return await insert_new(session, UsedTokenRow.__table__, row) is not None


async def delete_expired_tokens(session: AsyncSession, *, now: datetime) -> int:
    """Forget tokens past their expiry: the ``exp`` check alone refuses them now."""
    statement = delete(UsedTokenRow).where(UsedTokenRow.expires_at < now)
    return await execute_counted(session, statement.execution_options(synchronize_session=False))
