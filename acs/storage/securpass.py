"""Sécur'Pass storage: small functions over the tables of :mod:`acs.storage.securpass_models`.

Functions take the session first, return rows or ``None`` and never commit. Decisions that must
happen once (an operation leaving ``pending``) are conditional UPDATEs whose row count tells the
caller whether it won. ``lock_*`` take the row's write lock first (a no-op UPDATE: a row lock on
PostgreSQL, the database write lock on SQLite) so that a read-verify-write unit does not race.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from acs.securpass.devices import DeviceStatus
from acs.securpass.enrolment import EnrolmentState
from acs.securpass.operations import OperationStatus
from acs.storage._dml import execute_counted
from acs.storage._upsert import insert_new
from acs.storage.models import Card
from acs.storage.securpass_models import (
    DelayLiftRow,
    DeviceRow,
    EnrolmentRow,
    OperationRow,
    RequestNonceRow,
    TicketRow,
)

__all__ = [
    "OPEN_STATES",
    "active_device",
    "add",
    "cards_of",
    "decide_operation",
    "delete_expired_nonces",
    "get_device",
    "get_enrolment",
    "get_operation",
    "get_ticket",
    "latest_enrolment",
    "latest_lift",
    "lock_device",
    "lock_enrolment",
    "lock_operation",
    "operation_counts",
    "pending_operations",
    "remember_nonce",
    "revoke_devices",
    "set_ticket",
    "usable_devices",
]

# Not ended: the enrolment a customer has now (expired and closed ones are history).
OPEN_STATES = (EnrolmentState.INITIATED, EnrolmentState.SUBSCRIBED, EnrolmentState.LOCKED)


async def add(session: AsyncSession, row: Any) -> Any:
    """Insert ``row`` and flush it (so generated ids are known)."""
    session.add(row)
    await session.flush()
    return row


async def cards_of(session: AsyncSession, customer_id: str) -> Sequence[Card]:
    return (await session.scalars(select(Card).where(Card.customer_id == customer_id))).all()


async def latest_lift(session: AsyncSession, customer_id: str) -> DelayLiftRow | None:
    """The most recent SP-15 lift recorded for the customer."""
    statement = (
        select(DelayLiftRow)
        .where(DelayLiftRow.customer_id == customer_id)
        .order_by(DelayLiftRow.lifted_at.desc(), DelayLiftRow.id.desc())
        .limit(1)
    )
    return await session.scalar(statement)


async def get_enrolment(session: AsyncSession, enrolment_id: str) -> EnrolmentRow | None:
    return await session.get(EnrolmentRow, enrolment_id)


async def latest_enrolment(
    session: AsyncSession, customer_id: str, *, states: Sequence[str] = OPEN_STATES
) -> EnrolmentRow | None:
    """The customer's newest enrolment in one of ``states``."""
    statement = (
        select(EnrolmentRow)
        .where(EnrolmentRow.customer_id == customer_id, EnrolmentRow.state.in_(states))
        .order_by(EnrolmentRow.created_at.desc(), EnrolmentRow.id.desc())
        .limit(1)
    )
    return await session.scalar(statement)


async def lock_enrolment(session: AsyncSession, enrolment_id: str) -> EnrolmentRow | None:
    """The enrolment, write-locked for the rest of the transaction, fresh from the database."""
    return await _locked(session, EnrolmentRow, enrolment_id)


async def get_ticket(session: AsyncSession, enrolment_id: str) -> TicketRow | None:
    return await session.get(TicketRow, enrolment_id, populate_existing=True)


async def set_ticket(session: AsyncSession, enrolment_id: str, **fields: Any) -> TicketRow:
    """Store the enrolment's current activation ticket (one per enrolment; a new one replaces)."""
    row = await session.get(TicketRow, enrolment_id)
    if row is None:
        return await add(session, TicketRow(enrolment_id=enrolment_id, **fields))
    for name, value in fields.items():
        setattr(row, name, value)
    await session.flush()
    return row


async def get_device(session: AsyncSession, device_id: str) -> DeviceRow | None:
    return await session.get(DeviceRow, device_id, populate_existing=True)


async def lock_device(session: AsyncSession, device_id: str) -> DeviceRow | None:
    return await _locked(session, DeviceRow, device_id)


async def active_device(session: AsyncSession, customer_id: str) -> DeviceRow | None:
    """The customer's one active device (SP-40), if any."""
    statement = select(DeviceRow).where(
        DeviceRow.customer_id == customer_id, DeviceRow.status == DeviceStatus.ACTIVE
    )
    return await session.scalar(statement.limit(1))


async def usable_devices(session: AsyncSession, customer_id: str) -> Sequence[DeviceRow]:
    """The customer's devices not revoked (active or blocked)."""
    statement = select(DeviceRow).where(
        DeviceRow.customer_id == customer_id, DeviceRow.status != DeviceStatus.REVOKED
    )
    return (await session.scalars(statement)).all()


async def revoke_devices(
    session: AsyncSession, device_ids: Sequence[str], *, at: datetime, reason: str
) -> list[str]:
    """Revoke these devices (unless already revoked); returns the ids actually revoked."""
    if not device_ids:
        return []
    statement = (
        update(DeviceRow)
        .where(DeviceRow.id.in_(device_ids), DeviceRow.status != DeviceStatus.REVOKED)
        .values(status=DeviceStatus.REVOKED, revoked_at=at, revoke_reason=reason, updated_at=at)
        .returning(DeviceRow.id)
        .execution_options(synchronize_session=False)
    )
    return list((await session.execute(statement)).scalars())


async def get_operation(session: AsyncSession, operation_id: str) -> OperationRow | None:
    return await session.get(OperationRow, operation_id, populate_existing=True)


async def lock_operation(session: AsyncSession, operation_id: str) -> OperationRow | None:
    return await _locked(session, OperationRow, operation_id)


async def pending_operations(
    session: AsyncSession,
    *,
    now: datetime,
    device_id: str | None = None,
    customer_id: str | None = None,
) -> Sequence[OperationRow]:
    """Pending, unexpired operations of a device or of a customer, oldest first."""
    statement = select(OperationRow).where(
        OperationRow.status == OperationStatus.PENDING, OperationRow.expires_at > now
    )
    if device_id is not None:
        statement = statement.where(OperationRow.device_id == device_id)
    if customer_id is not None:
        statement = statement.where(OperationRow.customer_id == customer_id)
    rows = await session.scalars(statement.order_by(OperationRow.created_at, OperationRow.id))
    return rows.all()


async def operation_counts(
    session: AsyncSession, customer_id: str, *, now: datetime, since: datetime
) -> tuple[int, int]:
    """The customer's operations pending and unexpired now, and those created since ``since``."""
    of_customer = (
        select(func.count())
        .select_from(OperationRow)
        .where(OperationRow.customer_id == customer_id)
    )
    pending = of_customer.where(
        OperationRow.status == OperationStatus.PENDING, OperationRow.expires_at > now
    )
    recent = of_customer.where(OperationRow.created_at > since)
    return int(await session.scalar(pending) or 0), int(await session.scalar(recent) or 0)


async def decide_operation(
    session: AsyncSession, operation_id: str, *, status: str, at: datetime, **fields: Any
) -> bool:
    """``pending`` → ``status`` exactly once: False when it was no longer pending."""
    statement = (
        update(OperationRow)
        .where(OperationRow.id == operation_id, OperationRow.status == OperationStatus.PENDING)
        .values(status=status, decided_at=at, **fields)
        .execution_options(synchronize_session=False)
    )
    return await execute_counted(session, statement) == 1


async def remember_nonce(
    session: AsyncSession, *, device_id: str, nonce: str, expires_at: datetime
) -> bool:
    """Record a signed call's nonce; False when it was already recorded (a replay)."""
    row = {"device_id": device_id, "nonce": nonce, "expires_at": expires_at}
    return await insert_new(session, RequestNonceRow.__table__, row) is not None


async def delete_expired_nonces(
    session: AsyncSession, *, now: datetime, device_id: str | None = None
) -> int:
    """Forget nonces whose window closed (the timestamp check alone refuses them now)."""
    statement = delete(RequestNonceRow).where(RequestNonceRow.expires_at < now)
    if device_id is not None:
        statement = statement.where(RequestNonceRow.device_id == device_id)
    return await execute_counted(session, statement.execution_options(synchronize_session=False))


async def _locked(session: AsyncSession, model: Any, row_id: str) -> Any:
    """The row, fresh and write-locked until the transaction ends: ``SELECT … FOR UPDATE`` on
    PostgreSQL; on SQLite, which has no row locks, a no-op UPDATE first takes the database's
    write lock, so that two writers cannot both read and then fail to upgrade."""
    if session.get_bind().dialect.name == "postgresql":
        return await session.get(model, row_id, populate_existing=True, with_for_update=True)
    await _touch(session, model, row_id)
    return await session.get(model, row_id, populate_existing=True)


async def _touch(session: AsyncSession, model: Any, row_id: str) -> None:
    # UPDATE id = id: takes the row's write lock without changing anything.
    await session.execute(
        update(model)
        .where(model.id == row_id)
        .values(id=model.id)
        .execution_options(synchronize_session=False)
    )
