"""The customer's current enrolment, expired first when its activation window passed (SP-33)."""

from __future__ import annotations

from datetime import datetime

from acs.flows.securpass.audit import audit_by_system
from acs.flows.securpass.rows import enrolment_of, store_enrolment
from acs.securpass import enrolment as core
from acs.securpass.errors import InvalidTransition
from acs.storage import securpass as store
from acs.storage.engine import Session
from acs.storage.securpass_models import EnrolmentRow

__all__ = ["current_enrolment", "expire_if_due"]


async def expire_if_due(session: Session, row: EnrolmentRow, *, now: datetime) -> bool:
    """SP-33: an initiated enrolment past its window becomes ``expired``; True if it did."""
    enrolment = enrolment_of(row)
    if enrolment.state != core.EnrolmentState.INITIATED:
        return False
    try:
        expired = core.expire(enrolment, now=now)
    except InvalidTransition:
        return False
    store_enrolment(row, expired, now=now)
    await audit_by_system(
        session,
        row.customer_id,
        "enrolment_expired",
        at=now,
        enrolment_id=row.id,
        rule="SP-33",
    )
    return True


async def current_enrolment(
    session: Session, customer_id: str, *, now: datetime
) -> EnrolmentRow | None:
    """The customer's open enrolment (expiring it first if its window passed)."""
    row = await store.latest_enrolment(session, customer_id)
    if row is not None and await expire_if_due(session, row, now=now):
        return None
    return row
