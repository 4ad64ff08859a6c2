"""The 6-digit activation code of an enrolment: issued (only its HMAC is stored, with the
ticket's expiry and attempts) and sent by SMS to the secure mobile (SP-20, SP-30)."""

from __future__ import annotations

from datetime import datetime, timedelta

from acs.crypto.keys import KeyRing
from acs.flows.securpass.audit import audit
from acs.flows.securpass.errors import TooManyRequests
from acs.flows.securpass.rows import enrolment_of, ticket_fields, with_ticket_expiry
from acs.notify.sms import Sms, SmsGateway
from acs.securpass import enrolment as core
from acs.storage import securpass as store
from acs.storage.audit import count_actions
from acs.storage.engine import Session
from acs.storage.securpass_models import EnrolmentRow

__all__ = ["issue_code", "send_code"]

_HOUR = timedelta(hours=1)


async def issue_code(
    session: Session,
    row: EnrolmentRow,
    *,
    keys: KeyRing,
    per_hour: int,
    now: datetime,
    actor: str,
) -> str:
    """A new code for the enrolment (it replaces the previous one); the code, to be sent.

    SMS bombing and code guessing: at most ``per_hour`` codes per customer in any hour (the
    ``activation_codes_per_hour`` setting); beyond, :class:`TooManyRequests` (429) and no
    code, so that no SMS goes out either.
    """
    sent = await count_actions(
        session, subject=f"customer:{row.customer_id}",
        action="securpass.activation_code_sent", since=now - _HOUR,
    )  # fmt: skip
    if sent >= per_hour:
        raise TooManyRequests(
            "too_many_activation_codes",
            "Trop de codes d'activation demandés : réessayez dans une heure.",
            retry_after=3600,
        )
    code, ticket = core.issue_activation_code(enrolment_of(row), key=keys.activation_key, now=now)
    if row.state == core.EnrolmentState.INITIATED and row.channel == core.EnrolmentChannel.BRANCH:
        ticket = with_ticket_expiry(ticket, row.expires_at)
    await store.set_ticket(session, row.id, created_at=now, **ticket_fields(ticket))
    await audit(
        session,
        at=now,
        actor=actor,
        action="activation_code_sent",
        customer_id=row.customer_id,
        enrolment_id=row.id,
        channel=str(row.channel),
        expires_at=ticket.expires_at.isoformat(),
    )
    return code


async def send_code(
    sms: SmsGateway, *, to: str, code: str, enrolment: EnrolmentRow, now: datetime
) -> None:
    """After commit: the SMS, naming how long the code is valid (branch 24 h, SP-33)."""
    window = "24 heures" if enrolment.channel == core.EnrolmentChannel.BRANCH else "10 minutes"
    text = (
        f"Banxo : votre code d'activation Sécur'Pass est {code}. Il est valable {window}. "
        "Ne le communiquez à personne."
    )
    await sms.send(Sms(to=to, text=text, purpose="activation", reference=enrolment.id, at=now))
