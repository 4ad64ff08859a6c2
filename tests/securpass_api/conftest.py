"""Fixtures for the Sécur'Pass device API tests: the real app, demo data, phones over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from acs.flows.securpass.operations import announce, create_operation
from acs.securpass.operations import OperationSummary, format_time
from acs.storage.models import Card
from acs.web.keys import HUB, PUSH, SESSIONS
from tests.phones import CAMILLE, CAMILLE_MOBILE, CODE, camille, make_phone  # noqa: F401

CAMILLE_PAN_LAST4 = "0014"
LOUIS, CHLOE, HUGO, BUSINESS = "C0002", "C0003", "C0004", "C0005"
OPERATION_TTL = timedelta(minutes=5)


@pytest.fixture
def app(client):
    return client.server.app


def card_summary(clock, *, amount_minor: int = 4199, payee: str = "showroomprive.com"):
    return OperationSummary(
        type="card_payment",
        amount_minor=amount_minor,
        currency="978",
        exponent=2,
        payee=payee,
        card_last4=CAMILLE_PAN_LAST4,
        created_at=format_time(clock.now()),
    )


async def card_operation(
    session, clock, customer_id: str = CAMILLE, *, summary=None, ttl=OPERATION_TTL, **options
) -> str:
    """Create (not announce) an operation: by default the 41,99 € card payment, for 5 minutes."""
    return await create_operation(
        session,
        customer_id=customer_id,
        summary=summary or card_summary(clock),
        ttl=ttl,
        now=clock.now(),
        **options,
    )


@pytest.fixture
def new_operation(app, clock) -> Callable[..., Awaitable[str]]:
    """Create and announce an operation for a customer, as the 3DS challenge flow would."""

    async def _new(
        customer_id: str = CAMILLE,
        *,
        ref_type: str | None = None,
        ref_id: str | None = None,
        with_card: bool = True,
        ttl: timedelta = OPERATION_TTL,
        **summary_fields,
    ) -> str:
        async with app[SESSIONS].begin() as session:
            card_id = None
            if with_card:
                from sqlalchemy import select

                card_id = await session.scalar(
                    select(Card.id).where(
                        Card.customer_id == customer_id, Card.last4 == CAMILLE_PAN_LAST4
                    )
                )
            operation_id = await card_operation(
                session,
                clock,
                customer_id,
                summary=summary_fields.pop("summary", None)
                or card_summary(clock, **summary_fields),
                ttl=ttl,
                ref_type=ref_type,
                ref_id=ref_id,
                card_id=card_id,
            )
        await announce(operation_id, sessions=app[SESSIONS], hub=app[HUB], push=app[PUSH])
        return operation_id

    return _new
