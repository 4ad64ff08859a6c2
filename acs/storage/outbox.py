"""The results outbox: RReqs written with their decision, claimed and delivered by senders.

Claims are safe with several processes and nodes:

- PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` then a lease UPDATE in the same transaction;
- SQLite: an UPDATE per candidate that only succeeds while the row is still free (``lease_until``
  past or empty): the database's single writer makes it atomic.

A claim holds a lease, which its sender renews while the RReq is in flight (:func:`renew`); a
sender that dies mid-flight leaves the row to be claimed again when the lease runs out, and that
claim knows it (:func:`unrecorded_attempts`). Only the lease holder may record the outcome.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage._dml import execute_counted
from acs.storage.challenge_models import AttemptRow, OutboxRow

__all__ = [
    "DELIVERED",
    "FAILED",
    "PENDING",
    "claim_due",
    "claim_for",
    "count_for",
    "enqueue",
    "finish",
    "get_for",
    "record_attempt",
    "renew",
    "reschedule",
    "unrecorded_attempts",
]

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


async def enqueue(
    session: AsyncSession, *, acs_trans_id: str, ds_url: str, rreq: dict[str, Any],
    now: datetime, scheme: str | None = None,
) -> OutboxRow:  # fmt: skip
    """Add the RReq of a transaction; the unique acsTransID refuses a second one. ``scheme``
    (the card range's) picks the client certificate it is sent with."""
    row = OutboxRow(
        acs_trans_id=acs_trans_id,
        ds_url=ds_url,
        scheme=scheme,
        rreq=rreq,
        state=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def get_for(session: AsyncSession, acs_trans_id: str) -> OutboxRow | None:
    statement = select(OutboxRow).where(OutboxRow.acs_trans_id == acs_trans_id)
    return (await session.scalars(statement.execution_options(populate_existing=True))).first()


async def count_for(session: AsyncSession, acs_trans_id: str) -> int:
    statement = select(func.count()).where(OutboxRow.acs_trans_id == acs_trans_id)
    return await session.scalar(statement) or 0


def _free(now: datetime) -> ColumnElement[bool]:
    return (
        (OutboxRow.state == PENDING)
        & (OutboxRow.next_attempt_at <= now)
        & or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until <= now)
    )


async def claim_due(
    session: AsyncSession, *, worker: str, now: datetime, lease: timedelta, limit: int = 10
) -> list[OutboxRow]:
    """Lease up to ``limit`` due rows to ``worker``; each claim counts one more attempt."""
    candidates = select(OutboxRow.id).where(_free(now)).order_by(OutboxRow.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    claimed = []
    for row_id in list(await session.scalars(candidates)):
        if await _lease(session, OutboxRow.id == row_id, worker=worker, now=now, lease=lease):
            claimed.append(row_id)
    if not claimed:
        return []
    rows = select(OutboxRow).where(OutboxRow.id.in_(claimed)).order_by(OutboxRow.id)
    return list(await session.scalars(rows.execution_options(populate_existing=True)))


async def claim_for(
    session: AsyncSession, acs_trans_id: str, *, worker: str, now: datetime, lease: timedelta
) -> OutboxRow | None:
    """Lease this transaction's RReq to ``worker`` if it is due and free (counting an attempt);
    ``None`` when another sender holds it or it is already done."""
    which = OutboxRow.acs_trans_id == acs_trans_id
    if not await _lease(session, which, worker=worker, now=now, lease=lease):
        return None
    return await get_for(session, acs_trans_id)


async def _lease(
    session: AsyncSession, which: Any, *, worker: str, now: datetime, lease: timedelta
) -> bool:
    """Lease the row ``which`` selects to ``worker`` while it is still free; True if done."""
    statement = (
        update(OutboxRow)
        .where(which, _free(now))
        .values(
            lease_owner=worker,
            lease_until=now + lease,
            attempts=OutboxRow.attempts + 1,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return await execute_counted(session, statement) == 1


async def renew(
    session: AsyncSession, row_id: int, *, worker: str, now: datetime, lease: timedelta
) -> bool:
    """Extend ``worker``'s lease on a row it still holds; False when the lease was lost."""
    return await _leased_update(session, row_id, worker, lease_until=now + lease)


async def unrecorded_attempts(session: AsyncSession, row: OutboxRow) -> int:
    """How many claims before the current one of ``row`` left no recorded attempt (a sender
    that stopped between its claim and its outcome, perhaps with the RReq on the wire)."""
    recorded = select(func.count()).where(AttemptRow.outbox_id == row.id)
    return max(row.attempts - 1 - (await session.scalar(recorded) or 0), 0)


async def record_attempt(
    session: AsyncSession,
    row: OutboxRow,
    *,
    worker: str,
    started_at: datetime,
    outcome: str,
    detail: str | None = None,
) -> None:
    session.add(
        AttemptRow(
            outbox_id=row.id,
            attempt=row.attempts,
            worker=worker,
            started_at=started_at,
            outcome=outcome[:32],
            detail=detail[:200] if detail else None,
        )
    )
    await session.flush()


async def finish(
    session: AsyncSession,
    row_id: int,
    *,
    worker: str,
    state: str,
    now: datetime,
    results_status: str | None = None,
    error: str | None = None,
) -> bool:
    """Close a leased row as delivered or failed; False when the lease was lost meanwhile."""
    return await _leased_update(
        session,
        row_id,
        worker,
        state=state,
        results_status=results_status,
        last_error=error,
        delivered_at=now if state == DELIVERED else None,
        lease_owner=None,
        lease_until=None,
        updated_at=now,
    )


async def reschedule(
    session: AsyncSession, row_id: int, *, worker: str, at: datetime, error: str, now: datetime
) -> bool:
    """Give a leased row back for another attempt at ``at``."""
    return await _leased_update(
        session,
        row_id,
        worker,
        next_attempt_at=at,
        last_error=error[:200],
        lease_owner=None,
        lease_until=None,
        updated_at=now,
    )


async def _leased_update(session: AsyncSession, row_id: int, worker: str, **values: Any) -> bool:
    statement = (
        update(OutboxRow)
        .where(OutboxRow.id == row_id, OutboxRow.lease_owner == worker)
        .where(OutboxRow.state == PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return await execute_counted(session, statement) == 1


async def attempts_of(session: AsyncSession, outbox_id: int) -> list[AttemptRow]:
    statement = select(AttemptRow).where(AttemptRow.outbox_id == outbox_id)
    return list(await session.scalars(statement.order_by(AttemptRow.attempt)))
