"""Who may enrol (SP-10 … SP-16), from the stored customer and cards, and the advisor's SP-15
lift of the 72-hour e-mail delay."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from acs.auth.staff import Staff
from acs.domain import CardStatus, CustomerKind
from acs.flows.securpass.audit import audit
from acs.flows.securpass.errors import NotEligible, UnknownResource
from acs.securpass.eligibility import (
    ActivationChannel,
    CardFact,
    Eligibility,
    EligibilityFacts,
    LiftRecord,
    check_eligibility,
    validate_lift,
)
from acs.storage import customers
from acs.storage import securpass as store
from acs.storage.engine import Session
from acs.storage.models import Customer
from acs.storage.securpass_models import DelayLiftRow

__all__ = ["customer_or_404", "eligibility_of", "not_eligible", "record_lift"]


async def customer_or_404(session: Session, customer_id: str) -> Customer:
    customer = await customers.get(session, customer_id)
    if customer is None:
        raise UnknownResource("unknown_customer", "no such customer")
    return customer


async def eligibility_of(
    session: Session, customer: Customer, *, channel: ActivationChannel, now: datetime
) -> Eligibility:
    """SP-10 … SP-16 for ``channel``; an SP-15 lift counts for the e-mail on file at its time."""
    cards = await store.cards_of(session, customer.id)
    lift = await store.latest_lift(session, customer.id)
    recorded = customer.email_recorded_at if customer.personal_email else None
    facts = EligibilityFacts(
        kind=CustomerKind(customer.kind),
        has_app=customer.has_app,
        remote_banking=customer.remote_banking,
        secure_mobile=bool(customer.secure_mobile),
        personal_email_recorded_at=recorded,
        cards=tuple(CardFact(CardStatus(c.status), c.used_at_terminal) for c in cards),
        delay_lifted=lift is not None and recorded is not None and lift.lifted_at >= recorded,
    )
    return check_eligibility(facts, channel=channel, now=now)


def not_eligible(eligibility: Eligibility, message: str) -> NotEligible:
    """The refusal naming every unmet condition with its rule (SP-60)."""
    unmet = [{"rule": u.rule, "message": u.message} for u in eligibility.unmet]
    return NotEligible("not_eligible", message, unmet=unmet)


async def record_lift(
    session: Session, *, customer_id: str, staff: Staff, identity_check: Any, now: datetime
) -> DelayLiftRow:
    """SP-15: the advisor (or an admin) lifts the 72 h delay after a reinforced identity check,
    recorded with who did it: the staff id on the lift, role and branch in its audit event."""
    await customer_or_404(session, customer_id)
    record = LiftRecord(advisor_id=staff.staff_id, lifted_at=now, identity_check=identity_check)
    lift = validate_lift(record, now=now)
    row = DelayLiftRow(
        customer_id=customer_id,
        advisor_id=lift.advisor_id,
        identity_check=str(lift.identity_check),
        lifted_at=lift.lifted_at,
    )
    await store.add(session, row)
    await audit(
        session,
        at=now,
        actor=staff.actor,
        action="delay_lifted",
        customer_id=customer_id,
        identity_check=str(lift.identity_check),
        role=str(staff.role),
        branch=staff.branch,
        rule="SP-15",
    )
    return row
