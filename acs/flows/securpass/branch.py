"""SP-30 … SP-33: an advisor adds Sécur'Pass face to face; the customer activates on the phone
within 24 hours."""

from __future__ import annotations

import uuid
from datetime import datetime

from acs.auth.staff import Staff
from acs.crypto.keys import KeyRing
from acs.flows.securpass.activation_code import issue_code, send_code
from acs.flows.securpass.audit import audit
from acs.flows.securpass.eligibility import customer_or_404, eligibility_of, not_eligible
from acs.flows.securpass.enrolments import current_enrolment
from acs.flows.securpass.rows import enrolment_of, new_enrolment_row, store_enrolment
from acs.notify.sms import SmsGateway
from acs.securpass import enrolment as core
from acs.securpass.eligibility import ActivationChannel
from acs.storage import securpass as store
from acs.storage.engine import Sessions
from acs.storage.securpass_models import EnrolmentRow

__all__ = ["initiate_in_branch"]


async def initiate_in_branch(
    sessions: Sessions,
    *,
    customer_id: str,
    staff: Staff,
    sale_channel: str,
    amendment: dict[str, str] | None = None,
    keys: KeyRing,
    sms: SmsGateway,
    codes_per_hour: int,
    now: datetime,
) -> EnrolmentRow:
    """SP-30 … SP-33: face to face only; ``initiated``; SMS; 24 h to activate on the phone.

    ``amendment`` (SP-31) is recorded in the audit trail with the initiation, and the staff
    member's id, role and branch.
    """
    async with sessions.begin() as session:
        customer = await customer_or_404(session, customer_id)
        eligibility = await eligibility_of(
            session, customer, channel=ActivationChannel.BRANCH, now=now
        )
        if sale_channel == core.SaleChannel.FACE_TO_FACE and not eligibility.eligible:
            raise not_eligible(eligibility, "Sécur'Pass ne peut pas encore être ajouté")
        enrolment = core.initiate_branch(
            enrolment_id=str(uuid.uuid4()),
            customer_id=customer_id,
            advisor_id=staff.staff_id,
            sale_channel=sale_channel,
            eligibility=eligibility,
            now=now,
        )
        previous = await current_enrolment(session, customer_id, now=now)
        if previous is not None and previous.state == core.EnrolmentState.INITIATED:
            # A new amendment replaces an unfinished one.
            store_enrolment(
                previous, core.close(enrolment_of(previous), now=now).enrolment, now=now
            )
        row = await store.add(
            session, new_enrolment_row(enrolment, now=now, sale_channel=sale_channel)
        )
        await audit(
            session,
            at=now,
            actor=staff.actor,
            action="branch_initiated",
            customer_id=customer_id,
            enrolment_id=row.id,
            sale_channel=sale_channel,
            amendment=amendment,
            role=str(staff.role),
            branch=staff.branch,
            rule="SP-30",
        )
        code = await issue_code(
            session, row, keys=keys, per_hour=codes_per_hour, now=now, actor=staff.actor
        )
        mobile = customer.secure_mobile or ""
    await send_code(sms, to=mobile, code=code, enrolment=row, now=now)
    return row
