"""SP-20: the customer starts Sécur'Pass from the app (also a new phone, SP-40/41)."""

from __future__ import annotations

import uuid
from datetime import datetime

from acs.crypto.keys import KeyRing
from acs.flows.securpass.activation_code import issue_code, send_code
from acs.flows.securpass.eligibility import customer_or_404, eligibility_of, not_eligible
from acs.flows.securpass.enrolments import current_enrolment
from acs.flows.securpass.rows import enrolment_of, new_enrolment_row, store_enrolment
from acs.notify.sms import SmsGateway
from acs.securpass import enrolment as core
from acs.securpass.eligibility import ActivationChannel
from acs.storage import securpass as store
from acs.storage.engine import Sessions
from acs.storage.securpass_models import EnrolmentRow

__all__ = ["start_selfcare"]


async def start_selfcare(
    sessions: Sessions,
    *,
    customer_id: str,
    keys: KeyRing,
    sms: SmsGateway,
    codes_per_hour: int,
    now: datetime,
) -> EnrolmentRow:
    """SP-20: start (or restart, or transfer to a new phone, SP-40/41) from the app; a 6-digit
    activation code goes by SMS to the secure mobile."""
    async with sessions.begin() as session:
        customer = await customer_or_404(session, customer_id)
        eligibility = await eligibility_of(
            session, customer, channel=ActivationChannel.APP, now=now
        )
        if not eligibility.eligible:
            raise not_eligible(eligibility, "Sécur'Pass ne peut pas encore être activé")
        row = await current_enrolment(session, customer_id, now=now)
        if (
            row is not None
            and row.state == core.EnrolmentState.INITIATED
            and row.channel == core.EnrolmentChannel.SELFCARE
        ):
            # A restart: a fresh 10-minute window rather than the remains of the old one.
            store_enrolment(row, core.close(enrolment_of(row), now=now).enrolment, now=now)
            row = None
        if row is None:
            enrolment = core.initiate_selfcare(
                enrolment_id=str(uuid.uuid4()),
                customer_id=customer_id,
                eligibility=eligibility,
                now=now,
            )
            row = await store.add(session, new_enrolment_row(enrolment, now=now))
        actor = f"customer:{customer_id}"
        code = await issue_code(
            session, row, keys=keys, per_hour=codes_per_hour, now=now, actor=actor
        )
        mobile = customer.secure_mobile or ""
    await send_code(sms, to=mobile, code=code, enrolment=row, now=now)
    return row
