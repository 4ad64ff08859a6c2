"""Customers: read one, upsert many (by the bank's ``customer_id``), count SMS OTP failures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from acs.csv_columns import CUSTOMER_COLUMNS
from acs.domain import CustomerKind
from acs.storage._upsert import existing_keys, upsert_rows
from acs.storage.models import Customer

__all__ = [
    "CustomerRecord",
    "OtpFailures",
    "UpsertCounts",
    "count_otp_failure",
    "get",
    "known_ids",
    "otp_failures",
    "reset_otp_failures",
    "upsert_many",
    "with_secure_mobile",
]


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """One customer as imported; becomes a ``customers`` row."""

    id: str
    kind: CustomerKind
    full_name: str
    remote_banking: bool
    secure_mobile: str | None
    personal_email: str | None
    email_recorded_at: datetime | None
    has_app: bool

    def to_row(self, now: datetime) -> dict[str, Any]:
        row = {name: getattr(self, name) for name in self.__slots__}
        row["kind"] = self.kind.value
        return {**row, "created_at": now, "updated_at": now}


@dataclass(frozen=True)
class UpsertCounts:
    """How many rows were new, changed, and already there as imported."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


# Every imported column but the key, which never changes.
_UPDATED = (*(c for c in CUSTOMER_COLUMNS if c != "customer_id"), "updated_at")


async def get(session: AsyncSession, customer_id: str) -> Customer | None:
    """The customer with this id, or ``None``."""
    return await session.get(Customer, customer_id)


async def with_secure_mobile(session: AsyncSession, *, limit: int = 50) -> list[Customer]:
    """Customers with a secure mobile number, by id (the development SMS inbox lists them)."""
    query = select(Customer).where(Customer.secure_mobile.is_not(None)).order_by(Customer.id)
    return list((await session.scalars(query.limit(limit))).all())


async def known_ids(session: AsyncSession, ids: Sequence[str]) -> set[str]:
    """The subset of ``ids`` that are customers."""
    return await existing_keys(session, Customer.__table__.c.id, ids)


async def upsert_many(
    session: AsyncSession, records: Sequence[CustomerRecord], *, now: datetime
) -> UpsertCounts:
    """Insert or update customers by id; the last record wins for a repeated id."""
    unique = list({r.id: r for r in records}.values())
    present = await known_ids(session, [r.id for r in unique])
    rows = [r.to_row(now) for r in unique]
    written = await upsert_rows(session, Customer.__table__, rows, key="id", columns=_UPDATED)
    inserted = len(unique) - len(present)
    return UpsertCounts(inserted, written - inserted, len(present) - (written - inserted))


@dataclass(frozen=True)
class OtpFailures:
    """A customer's consecutive SMS OTP failures and, at the limit, when SMS OTP was blocked."""

    count: int = 0
    blocked_at: datetime | None = None

    @property
    def blocked(self) -> bool:
        return self.blocked_at is not None


async def otp_failures(session: AsyncSession, customer_id: str) -> OtpFailures:
    """The customer's SMS OTP failure state, read from the database (none for an unknown id)."""
    statement = select(Customer.otp_failures, Customer.otp_blocked_at).where(
        Customer.id == customer_id
    )
    row = (await session.execute(statement)).first()
    return OtpFailures() if row is None else OtpFailures(row[0], row[1])


async def count_otp_failure(
    session: AsyncSession, customer_id: str, *, limit: int, now: datetime
) -> OtpFailures:
    """One more wrong code; at ``limit`` the block starts (once: a later failure keeps the first
    time). An atomic increment, so two challenges failing at once both count."""
    await session.execute(
        update(Customer)
        .where(Customer.id == customer_id)
        .values(otp_failures=Customer.otp_failures + 1)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Customer)
        .where(Customer.id == customer_id, Customer.otp_failures >= limit)
        .where(Customer.otp_blocked_at.is_(None))
        .values(otp_blocked_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return await otp_failures(session, customer_id)


async def reset_otp_failures(
    session: AsyncSession, customer_id: str, *, now: datetime
) -> OtpFailures:
    """Back to no failure and no block; returns the state it had (to audit a lifted block)."""
    before = await otp_failures(session, customer_id)
    if before.count or before.blocked:
        await session.execute(
            update(Customer)
            .where(Customer.id == customer_id)
            .values(otp_failures=0, otp_blocked_at=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    return before
