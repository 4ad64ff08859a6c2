"""Fixtures for the Sécur'Pass device API tests: the real app, demo data, phones over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from acs.flows.securpass.operations import announce, create_operation
from acs.securpass.operations import OperationSummary, format_time
from acs.storage.models import Card
from acs.web.keys import HUB, PUSH, SESSIONS
from merchant_simulator.phone import Phone, PhoneKeys

CAMILLE, CAMILLE_MOBILE, CAMILLE_PAN_LAST4 = "C0001", "+33612345678", "0014"
LOUIS, CHLOE, HUGO, BUSINESS = "C0002", "C0003", "C0004", "C0005"
CODE = "4826"
ADVISOR = {"X-Advisor-Id": "adv-007"}


@pytest.fixture
def app(client):
    return client.server.app


@pytest.fixture
def make_phone(client, clock, tmp_path) -> Callable[..., Phone]:
    """A new phone (fresh keys) talking HTTP to the ACS, signing with the test clock."""
    count = 0

    def _make(*, biometric: bool = False, push_token: str | None = "push-tok") -> Phone:
        nonlocal count
        count += 1
        return Phone(
            PhoneKeys.generate(biometric=biometric),
            base_url=str(client.make_url("")),
            session=client.session,
            key_file=tmp_path / f"phone-{count}.json",
            push_token=push_token,
            clock=lambda: clock.now().timestamp(),
        )

    return _make


@pytest.fixture
async def camille(demo_data, make_phone) -> Phone:
    """Camille's phone, activated in self-care with code 4826 and biometrics for payments."""
    phone = make_phone(biometric=True)
    await phone.activate_selfcare(
        CAMILLE, CAMILLE_MOBILE, CODE, biometrics={"payments": True, "login": False}
    )
    return phone


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


@pytest.fixture
def new_operation(app, clock) -> Callable[..., Awaitable[str]]:
    """Create and announce an operation for a customer, as the 3DS challenge flow would."""

    async def _new(
        customer_id: str = CAMILLE,
        *,
        ref_type: str | None = None,
        ref_id: str | None = None,
        with_card: bool = True,
        ttl: timedelta = timedelta(minutes=5),
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
            operation_id = await create_operation(
                session,
                customer_id=customer_id,
                summary=summary_fields.pop("summary", None)
                or card_summary(clock, **summary_fields),
                ttl=ttl,
                now=clock.now(),
                ref_type=ref_type,
                ref_id=ref_id,
                card_id=card_id,
            )
        await announce(operation_id, sessions=app[SESSIONS], hub=app[HUB], push=app[PUSH])
        return operation_id

    return _new
