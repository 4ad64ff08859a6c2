"""Challenges: open at AReq, read by acsTransID or operation, decide exactly once, find the late.

:func:`decide` is the one write that ends a challenge: a conditional UPDATE (``state`` still
``awaiting``/``open``) whose row count says who won when several deciders race.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage._dml import execute_counted
from acs.storage.challenge_models import ChallengeRow

__all__ = ["AWAITING", "DECIDED", "OPEN", "add", "decide", "due", "get", "set_fields"]

AWAITING, OPEN, DECIDED = "awaiting", "open", "decided"


_INSERT = insert(ChallengeRow.__table__)


async def add(session: AsyncSession, **fields: Any) -> None:
    """Store a new challenge row (columns as keywords): one Core INSERT, on the AReq path."""
    await session.execute(_INSERT, fields)


async def get(session: AsyncSession, acs_trans_id: str) -> ChallengeRow | None:
    """The challenge of this acsTransID, re-read from the database, or ``None``."""
    statement = select(ChallengeRow).where(ChallengeRow.acs_trans_id == acs_trans_id)
    return (await session.scalars(statement.execution_options(populate_existing=True))).first()


async def set_fields(
    session: AsyncSession,
    acs_trans_id: str,
    *,
    expect_state: Sequence[str],
    expect_sdk_counter: int | None = None,
    **fields: Any,
) -> bool:
    """Update a challenge only while its state is one of ``expect_state`` (and, if given, its
    ``sdk_counter`` still has the value read); True if done."""
    statement = (
        update(ChallengeRow)
        .where(ChallengeRow.acs_trans_id == acs_trans_id, ChallengeRow.state.in_(expect_state))
        .values(**fields)
        .execution_options(synchronize_session=False)
    )
    if expect_sdk_counter is not None:
        statement = statement.where(ChallengeRow.sdk_counter == expect_sdk_counter)
    return await execute_counted(session, statement) == 1


async def decide(
    session: AsyncSession,
    acs_trans_id: str,
    *,
    status: str,
    reason: str | None,
    cancel: str | None,
    by: str,
    now: datetime,
) -> bool:
    """End the challenge with this result, unless someone else already did (then False)."""
    return await set_fields(
        session,
        acs_trans_id,
        expect_state=(AWAITING, OPEN),
        state=DECIDED,
        result_status=status,
        result_reason=reason,
        challenge_cancel=cancel,
        decided_by=by,
        decided_at=now,
        updated_at=now,
        otp_hmac=None,
    )


async def due(session: AsyncSession, now: datetime, limit: int = 100) -> list[ChallengeRow]:
    """Undecided challenges past their first-CReq window or their decision deadline."""
    late_creq = (ChallengeRow.state == AWAITING) & (ChallengeRow.creq_deadline < now)
    statement = (
        select(ChallengeRow)
        .where(ChallengeRow.state.in_((AWAITING, OPEN)))
        .where(late_creq | (ChallengeRow.expires_at < now))
        .limit(limit)
    )
    return list(await session.scalars(statement))


async def unannounced(session: AsyncSession, limit: int = 100) -> list[ChallengeRow]:
    """Undecided challenges whose Sécur'Pass operation has not been announced to the phone."""
    statement = (
        select(ChallengeRow)
        .where(ChallengeRow.state.in_((AWAITING, OPEN)))
        .where(ChallengeRow.operation_id.is_not(None), ChallengeRow.announced.is_(False))
        .limit(limit)
    )
    return list(await session.scalars(statement))
