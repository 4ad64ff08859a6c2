"""Decoupled authentication (2.2+, §1.8): the phone decides while no challenge UI runs.

At AReq time (ARes D, acsDecConInd Y) the Sécur'Pass operation is created in the same database
transaction as the transaction and challenge rows. The challenge worker announces it to the phone
after the commit (:func:`announce_pending`), so a crash between commit and announce only delays
the push. The phone's decision comes back through the operation hook; no decision before
``min(threeDSRequestorDecMaxTime, risk.decoupled_max_time_cap_minutes)`` → RReq N / 24 /
challengeCancel 03. Exactly one RReq either way.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from acs.config import Settings
from acs.flows.areq.facts import AReqFacts
from acs.flows.securpass import operations
from acs.notify.hub import Hub
from acs.notify.push import PushGateway
from acs.risk.rules import DECOUPLED_DEFAULT_MINUTES
from acs.securpass.operations import OperationSummary, OperationType, format_time
from acs.storage import challenges
from acs.storage.cards import CardView
from acs.storage.engine import Session, Sessions

__all__ = ["announce_pending", "decoupled_minutes", "payment_summary", "start_decoupled"]

log = logging.getLogger("acs.flows.challenge.decoupled")


def decoupled_minutes(facts: AReqFacts, settings: Settings) -> int:
    """The time the phone has: the requestor's DecMaxTime (default 7 days) under our cap."""
    asked = facts.dec_max_time_minutes or DECOUPLED_DEFAULT_MINUTES
    return max(1, min(asked, settings.risk.decoupled_max_time_cap_minutes))


def payment_summary(
    *,
    amount_minor: int | None,
    currency: str | None,
    exponent: int | None,
    merchant: str | None,
    card_last4: str,
    now: datetime,
) -> OperationSummary:
    """What the phone shows and signs for a card payment (SP-52, dynamic linking)."""
    return OperationSummary(
        type=OperationType.CARD_PAYMENT,
        amount_minor=amount_minor or 0,
        currency=currency or "978",
        exponent=exponent if exponent is not None else 2,
        payee=merchant or "?",
        card_last4=card_last4,
        created_at=format_time(now),
    )


async def start_decoupled(
    session: Session,
    acs_trans_id: str,
    *,
    facts: AReqFacts,
    card: CardView,
    ttl: timedelta,
    now: datetime,
    limits: operations.OperationLimits | None = None,
) -> str | None:
    """Create the operation and link it to the challenge; ``None`` if no active device.

    Over the customer's operation limits :class:`~acs.flows.securpass.operations.
    TooManyOperations` propagates: the AReq is decided again, before any ARes D goes out.
    """
    summary = payment_summary(
        amount_minor=facts.purchase_amount, currency=facts.purchase_currency,
        exponent=facts.purchase_exponent, merchant=facts.merchant_name,
        card_last4=card.last4, now=now,
    )  # fmt: skip
    try:
        operation_id = await operations.create_operation(
            session, customer_id=card.customer_id, summary=summary, ttl=ttl, now=now,
            ref_type="3ds", ref_id=acs_trans_id, card_id=card.id, limits=limits,
        )  # fmt: skip
    except operations.NoActiveDevice:
        # The device went away since the risk decision: the timeout path answers N / 24 at once.
        await challenges.set_fields(
            session, acs_trans_id, expect_state=(challenges.OPEN,), expires_at=now
        )
        return None
    await challenges.set_fields(
        session, acs_trans_id, expect_state=(challenges.OPEN,), operation_id=operation_id
    )
    return operation_id


async def announce_pending(
    *, sessions: Sessions, hub: Hub, push: PushGateway, now: datetime
) -> int:
    """Announce operations created at AReq time that the phone has not been told about yet."""
    async with sessions() as session:
        rows = await challenges.unannounced(session)
    for row in rows:
        async with sessions.begin() as session:
            fresh = await challenges.set_fields(
                session, row.acs_trans_id, expect_state=(challenges.AWAITING, challenges.OPEN),
                announced=True, updated_at=now,
            )  # fmt: skip
        if fresh and row.operation_id:
            await operations.announce(row.operation_id, sessions=sessions, hub=hub, push=push)
    return len(rows)
