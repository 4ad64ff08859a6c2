"""Banking operations and their callback outbox (migration 0011).

A decision happens once: :func:`decide` is a conditional ``UPDATE … WHERE status='pending'``.
Callbacks are claimed like the results outbox's RReqs (:mod:`acs.storage.outbox`): a lease per
claim, taken with ``SKIP LOCKED`` on PostgreSQL and by a conditional UPDATE on SQLite; only the
lease holder records the outcome.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from acs.securpass.operations import OperationStatus
from acs.storage._dml import execute_counted
from acs.storage.banking_models import BankingCallbackRow, BankingOperationRow
from acs.storage.errors import Conflict

__all__ = [
    "DELIVERED",
    "FAILED",
    "PENDING",
    "add",
    "by_reference",
    "by_securpass_operation",
    "callback_of",
    "claim_callbacks",
    "count_otp_attempt",
    "decide",
    "due_expiries",
    "enqueue_callback",
    "finish_callback",
    "get",
    "renew_callback",
    "reschedule_callback",
]

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


async def add(session: AsyncSession, row: BankingOperationRow) -> BankingOperationRow:
    """Insert ``row``; :class:`Conflict` when a concurrent create took its client_reference."""
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("client_reference already used") from exc
    return row


async def by_reference(
    session: AsyncSession, client: str, client_reference: str
) -> BankingOperationRow | None:
    statement = select(BankingOperationRow).where(
        BankingOperationRow.client == client,
        BankingOperationRow.client_reference == client_reference,
    )
    return (await session.scalars(statement.execution_options(populate_existing=True))).first()


async def get(session: AsyncSession, operation_id: str) -> BankingOperationRow | None:
    return await session.get(BankingOperationRow, operation_id, populate_existing=True)


async def by_securpass_operation(
    session: AsyncSession, securpass_operation_id: str
) -> BankingOperationRow | None:
    statement = select(BankingOperationRow).where(
        BankingOperationRow.securpass_operation_id == securpass_operation_id
    )
    return (await session.scalars(statement.execution_options(populate_existing=True))).first()


async def decide(
    session: AsyncSession, operation_id: str, *, status: str, at: datetime, **fields: Any
) -> bool:
    """``pending`` → ``status`` exactly once: False when it was no longer pending."""
    statement = (
        update(BankingOperationRow)
        .where(
            BankingOperationRow.id == operation_id,
            BankingOperationRow.status == OperationStatus.PENDING,
        )
        .values(status=status, decided_at=at, **fields)
        .execution_options(synchronize_session=False)
    )
    return await execute_counted(session, statement) == 1


async def count_otp_attempt(session: AsyncSession, operation_id: str) -> int | None:
    """One more SMS code attempt on a pending operation; the attempts so far, or ``None`` when
    it is no longer pending (counted before the comparison: a crash cannot give a free try)."""
    statement = (
        update(BankingOperationRow)
        .where(
            BankingOperationRow.id == operation_id,
            BankingOperationRow.status == OperationStatus.PENDING,
        )
        .values(otp_attempts=BankingOperationRow.otp_attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if await execute_counted(session, statement) != 1:
        return None
    row = await get(session, operation_id)
    return None if row is None else row.otp_attempts


async def due_expiries(
    session: AsyncSession, *, now: datetime, limit: int = 100
) -> list[BankingOperationRow]:
    """Pending operations past their time to live, oldest first."""
    statement = (
        select(BankingOperationRow)
        .where(
            BankingOperationRow.status == OperationStatus.PENDING,
            BankingOperationRow.expires_at <= now,
        )
        .order_by(BankingOperationRow.expires_at)
        .limit(limit)
    )
    return list(await session.scalars(statement))


async def enqueue_callback(
    session: AsyncSession, *, operation_id: str, url: str, body: dict[str, Any], now: datetime
) -> BankingCallbackRow:
    """The operation's one callback (``operation_id`` is unique: a second one is refused)."""
    row = BankingCallbackRow(
        operation_id=operation_id, url=url, body=body, state=PENDING, attempts=0,
        next_attempt_at=now, created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return row


async def callback_of(session: AsyncSession, operation_id: str) -> BankingCallbackRow | None:
    statement = select(BankingCallbackRow).where(BankingCallbackRow.operation_id == operation_id)
    return (await session.scalars(statement.execution_options(populate_existing=True))).first()


def _free(now: datetime) -> ColumnElement[bool]:
    return (
        (BankingCallbackRow.state == PENDING)
        & (BankingCallbackRow.next_attempt_at <= now)
        & or_(BankingCallbackRow.lease_until.is_(None), BankingCallbackRow.lease_until <= now)
    )


async def claim_callbacks(
    session: AsyncSession, *, worker: str, now: datetime, lease: timedelta, limit: int = 10
) -> list[BankingCallbackRow]:
    """Lease up to ``limit`` due callbacks to ``worker``; each claim counts one attempt."""
    candidates = (
        select(BankingCallbackRow.id).where(_free(now)).order_by(BankingCallbackRow.id).limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    claimed = []
    for row_id in list(await session.scalars(candidates)):
        statement = (
            update(BankingCallbackRow)
            .where(BankingCallbackRow.id == row_id, _free(now))
            .values(
                lease_owner=worker,
                lease_until=now + lease,
                attempts=BankingCallbackRow.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if await execute_counted(session, statement) == 1:
            claimed.append(row_id)
    if not claimed:
        return []
    rows = select(BankingCallbackRow).where(BankingCallbackRow.id.in_(claimed))
    rows = rows.order_by(BankingCallbackRow.id).execution_options(populate_existing=True)
    return list(await session.scalars(rows))


async def renew_callback(
    session: AsyncSession, row_id: int, *, worker: str, now: datetime, lease: timedelta
) -> bool:
    return await _leased(session, row_id, worker, lease_until=now + lease)


async def finish_callback(
    session: AsyncSession, row_id: int, *, worker: str, state: str, now: datetime,
    error: str | None = None,
) -> bool:  # fmt: skip
    """Close a leased callback as delivered or failed; False when the lease was lost."""
    return await _leased(
        session, row_id, worker, state=state, last_error=error and error[:200],
        delivered_at=now if state == DELIVERED else None, lease_owner=None, lease_until=None,
        updated_at=now,
    )  # fmt: skip


async def reschedule_callback(
    session: AsyncSession, row_id: int, *, worker: str, at: datetime, error: str, now: datetime
) -> bool:
    return await _leased(
        session, row_id, worker, next_attempt_at=at, last_error=error[:200], lease_owner=None,
        lease_until=None, updated_at=now,
    )  # fmt: skip


async def _leased(session: AsyncSession, row_id: int, worker: str, **values: Any) -> bool:
    statement = (
        update(BankingCallbackRow)
        .where(
            BankingCallbackRow.id == row_id,
            BankingCallbackRow.lease_owner == worker,
            BankingCallbackRow.state == PENDING,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return await execute_counted(session, statement) == 1
