"""Open the challenge row of a C or D answer, inside the AReq's own database transaction.

C: the row waits for the first CReq (30 s, Req 219) and a decision (``challenge_timeout``).
D: the Sécur'Pass operation is created now (:mod:`acs.flows.challenge.decoupled`); the challenge
worker announces it to the phone after the commit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from acs.config import Settings
from acs.flows.areq.facts import AReqFacts
from acs.flows.challenge.decoupled import decoupled_minutes, start_decoupled
from acs.flows.securpass.operations import OperationLimits
from acs.protocol import TransStatus
from acs.risk import Decision
from acs.storage import challenges
from acs.storage.cards import CardView
from acs.storage.engine import Session

__all__ = ["open_challenge"]


async def open_challenge(
    session: Session,
    *,
    acs_trans_id: str,
    facts: AReqFacts,
    decision: Decision,
    card: CardView | None,
    settings: Settings,
    now: datetime,
    cek_sealed: bytes | None = None,
    browser_fingerprint: str | None = None,
    language: str | None = None,
) -> None:
    """Store the challenge of a C/D transaction (the transaction row is already flushed).

    ``language``: the AReq's (browserLanguage, or the SDK's locale) when it is one the
    challenge window speaks (:func:`acs.flows.challenge.catalogue.areq_language`)."""
    method = str(decision.challenge_method)
    decoupled = decision.trans_status == TransStatus.DECOUPLED
    minutes = decoupled_minutes(facts, settings) if decoupled else None
    timeout = timedelta(minutes=minutes) if minutes else _challenge_timeout(settings)
    await challenges.add(
        session,
        acs_trans_id=acs_trans_id,
        method=method,
        channel=facts.device_channel,
        state=challenges.OPEN if decoupled else challenges.AWAITING,
        created_at=now,
        updated_at=now,
        creq_deadline=None if decoupled else now + timedelta(seconds=settings.first_creq_seconds),
        expires_at=now + timeout,
        cek_sealed=cek_sealed,
        browser_fingerprint=browser_fingerprint,
        language=language,
        announced=False,
        otp_attempts=0,
        otp_sends=0,
        sdk_counter=0,
        acs_counter=0,
        interaction_counter=0,
    )
    if decoupled and card is not None:
        await start_decoupled(
            session, acs_trans_id, facts=facts, card=card, ttl=timeout, now=now,
            limits=OperationLimits.of(settings),
        )  # fmt: skip


def _challenge_timeout(settings: Settings) -> timedelta:
    return timedelta(seconds=min(settings.challenge_timeout_seconds, 600))
