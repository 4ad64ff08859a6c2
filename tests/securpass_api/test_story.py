"""The whole story over HTTP with the phone library: enrol → approve → refuse → transfer → close."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from acs.flows.securpass.operations import get_outcome
from acs.storage.audit import verify_chain
from acs.storage.models import AuditEvent, Card
from acs.storage.securpass_models import FraudDeclarationRow
from acs.web.keys import SESSIONS
from merchant_simulator.phone import PhoneError
from tests.securpass_api.conftest import CAMILLE_MOBILE, CODE


async def test_enrol_approve_refuse_transfer_close(app, camille, make_phone, new_operation):
    """SP-21, SP-52, SP-54, SP-40, SP-43: the full life of Sécur'Pass through the device API."""
    status = await camille.status()
    assert status["status"] == "active"
    assert status["enrolment"]["state"] == "subscribed"  # SP-21
    assert status["enrolment"]["sms_otp_subscribed"] is True  # SP-22

    first = await new_operation()
    challenge = await camille.next_operation(timeout=5)
    assert challenge["operation_id"] == first
    assert challenge["summary"]["payee"] == "showroomprive.com"
    approved = await camille.approve_with_code(challenge, CODE)
    assert approved["status"] == "approved" and approved["method"] == "code"

    second = await new_operation()
    [challenge] = await camille.pending_operations()
    refused = await camille.refuse(challenge, "not_me")
    assert refused["status"] == "refused"
    assert refused["message"].startswith(
        "L'opération de 41,99 € sur showroomprive.com a été refusée"
    )
    async with app[SESSIONS]() as session:
        outcome = await get_outcome(session, second)
        declaration = await session.scalar(select(FraudDeclarationRow))
        card = await session.get(Card, declaration.card_id)
    assert outcome.status == "refused" and outcome.refusal_reason == "not_me"
    assert card.status == "opposed" and card.opposition_reason == "fraud"

    new_phone = make_phone()
    await new_phone.activate_selfcare(CAMILLE_MOBILE, "5937")
    with pytest.raises(PhoneError) as revoked:
        await camille.status()
    assert (revoked.value.status, revoked.value.reason) == (401, "device_revoked")

    closed = await new_phone.close()
    assert closed["enrolment"]["state"] == "closed"
    with pytest.raises(PhoneError) as after:
        await new_phone.status()
    assert after.value.reason == "device_revoked"

    async with app[SESSIONS]() as session:
        actions = list(await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert await verify_chain(session) is None
    for action in ("activated", "operation_approved", "operation_refused", "fraud_declared"):
        assert f"securpass.{action}" in actions
    assert actions[-1] == "securpass.closed"
