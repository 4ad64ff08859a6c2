"""Every banking operation type through ``/banking/v1`` and the phone (SP-1 … SP-6): created by
the bank's back end, shown and signed on the phone, approved, refused, expired, cancelled."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from acs.storage.securpass_models import FraudDeclarationRow
from acs.web.banking import run_once
from acs.web.keys import SESSIONS
from tests.banking.conftest import CAMILLE, CODE, IBAN, OTHER_IBAN, VALID, wait_status


async def fraud_declarations(app) -> list[FraudDeclarationRow]:
    async with app[SESSIONS]() as session:
        return list(await session.scalars(select(FraudDeclarationRow)))


@pytest.mark.parametrize("kind", sorted(VALID))
async def test_sp1_to_sp6_each_type_is_approved_on_the_phone(api, camille, bank, kind):
    """Each type is created for a Sécur'Pass customer with method securpass, shown on her phone
    with the summary the API returned, approved with the code; the status and the callback
    both say approved."""
    created = await api.create(kind, **VALID[kind])
    assert created["method"] == "securpass" and created["status"] == "pending"
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    assert challenge["summary"] == created["summary"]
    assert challenge["summary_hash"] == created["summary_hash"]
    assert (await camille.approve_with_code(challenge, CODE))["status"] == "approved"
    view = await wait_status(api, created["operation_id"], "approved")
    assert view["reason"] == "code"
    callback = (await bank.wait_for(created["operation_id"])).json()
    assert callback["status"] == "approved" and callback["type"] == kind


async def test_rts_art5_transfer_summary_binds_amount_and_payee(api, camille):
    """A transfer's summary shows the amount and the payee with a masked IBAN and binds the
    full IBAN; the phone sees exactly that."""
    created = await api.create("transfer", **VALID["transfer"], kind="instant")
    summary = created["summary"]
    assert summary["amount_minor"] == 25000 and summary["currency"] == "978"
    assert summary["payee"] == "Paul Durand (FR76 •••• 0189)"
    assert summary["extra"] == {"payee_name": "Paul Durand", "payee_iban": IBAN, "kind": "instant"}


@pytest.mark.parametrize(
    ("kind", "tamper"),
    [
        ("transfer", lambda s: s.update(amount_minor=1)),
        ("transfer", lambda s: s["extra"].update(payee_iban=OTHER_IBAN)),
        ("add_beneficiary", lambda s: s["extra"].update(iban=OTHER_IBAN)),
        ("card_limit_increase", lambda s: s["extra"].update(duration_days="90")),
        ("e_signature", lambda s: s["extra"].update(document_sha256="cd" * 32)),
    ],
    ids=["amount", "transfer-iban", "beneficiary-iban", "limit-duration", "document"],
)
async def test_rts_art5_a_changed_amount_or_iban_is_rejected(api, camille, kind, tamper):
    """Dynamic linking: a phone signing a summary with another amount, IBAN, duration or
    document (its hash recomputed) is refused 422 summary_mismatch; the operation stays
    pending and can still be approved as shown."""
    created = await api.create(kind, **VALID[kind])
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    tampered = {**challenge, "summary": {**challenge["summary"],
                                         "extra": dict(challenge["summary"]["extra"])}}  # fmt: skip
    tamper(tampered["summary"])
    from merchant_simulator.phone import PhoneError
    from merchant_simulator.phone.answers import summary_hash

    tampered["summary_hash"] = summary_hash(tampered["summary"])
    with pytest.raises(PhoneError) as refused:
        await camille.approve_with_code(tampered, CODE)
    assert refused.value.reason == "summary_mismatch"
    assert (await api.status(created["operation_id"]))["status"] == "pending"
    assert (await camille.approve_with_code(challenge, CODE))["status"] == "approved"


@pytest.mark.parametrize("kind", ["transfer", "add_beneficiary"])
async def test_sp55_je_refuse_on_a_transfer_or_beneficiary_is_a_fraud_declaration(
    app, api, camille, bank, kind
):
    """ "Je refuse" on a transfer or a new beneficiary is a fraud declaration in the same table
    as a refused card payment's (SP-55); the bank is told (fraud_declared), and
    block_account follows its setting (off here)."""
    created = await api.create(kind, **VALID[kind])
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    answer = await camille.refuse(challenge, "not_me")
    assert answer["status"] == "refused"
    view = await wait_status(api, created["operation_id"], "refused")
    assert view["reason"] == "not_me" and view["fraud_declared"] is True
    assert view["block_account"] is False and view["suspicious_login"] is False
    [declaration] = await fraud_declarations(app)
    assert declaration.operation_id == challenge["operation_id"]
    assert declaration.payee == created["summary"]["payee"]
    assert declaration.source == "securpass_app" and declaration.card_opposed is False
    assert (await bank.wait_for(created["operation_id"])).json()["fraud_declared"] is True


async def test_je_refuse_on_a_login_is_a_suspicious_login_not_a_fraud_declaration(
    app, api, camille
):
    """On a login "Je refuse" is reported as a suspicious login: no fraud declaration."""
    created = await api.create("login", **VALID["login"])
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    answer = await camille.refuse(challenge, "not_me")
    assert "suspecte" in answer["message"]
    view = await wait_status(api, created["operation_id"], "refused")
    assert view["suspicious_login"] is True and view["fraud_declared"] is False
    assert await fraud_declarations(app) == []


async def test_a_plain_cancel_on_the_phone_is_no_fraud_declaration(app, api, camille):
    """Refused with reason ``cancelled`` (the customer changed their mind): refused, nothing
    declared."""
    created = await api.create("transfer", **VALID["transfer"])
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    await camille.refuse(challenge, "cancelled")
    view = await wait_status(api, created["operation_id"], "refused")
    assert view["reason"] == "cancelled" and view["fraud_declared"] is False
    assert await fraud_declarations(app) == []


async def test_an_operation_expires_after_its_time_to_live(app, api, camille, clock, bank):
    """Past its ttl the worker expires the operation and its phone operation: the status and
    the callback say expired, and the phone's late approval is refused (410)."""
    created = await api.create("add_beneficiary", **VALID["add_beneficiary"], callback=True)
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    clock.advance(seconds=301)
    await run_once(app)
    view = await api.status(created["operation_id"])
    assert view["status"] == "expired"
    assert (await bank.wait_for(created["operation_id"])).json()["status"] == "expired"
    from merchant_simulator.phone import PhoneError

    with pytest.raises(PhoneError) as late:
        await camille.approve_with_code(challenge, CODE)
    assert late.value.status == 410


async def test_the_bank_cancels_once_and_the_phone_can_no_longer_approve(api, camille):
    """Cancel: cancelled at once, the phone's operation too; a second cancel is 409."""
    created = await api.create("transfer", **VALID["transfer"])
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    status, view = await api.cancel(created["operation_id"])
    assert status == 200 and view["status"] == "cancelled"
    again, refused = await api.cancel(created["operation_id"])
    assert again == 409 and refused["error"] == "not_pending"
    from merchant_simulator.phone import PhoneError

    with pytest.raises(PhoneError) as late:
        await camille.approve_with_code(challenge, CODE)
    assert late.value.reason == "not_pending"


async def test_the_status_long_poll_answers_when_the_phone_decides(api, camille):
    """A status read with ``wait`` is held until the phone decides, then answers at once."""
    import asyncio

    created = await api.create("login", **VALID["login"])
    waiting = asyncio.create_task(api.status(created["operation_id"], wait=20))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    await camille.approve_with_code(challenge, CODE)
    view = await asyncio.wait_for(waiting, 5)
    assert view["status"] == "approved"


async def test_another_client_cannot_see_an_operation(api, identity_provider, camille):
    """An operation is visible only to the client that created it (404 for another)."""
    from tests.banking.conftest import service_headers

    created = await api.create("login", **VALID["login"])
    other = service_headers(identity_provider, client="other-system")
    status, body = await api.call("GET", f"/operations/{created['operation_id']}", headers=other)
    assert status == 404 and body["error"] == "unknown_operation"


async def test_customer_is_the_one_of_the_operation(api, camille):
    """The phone's operation belongs to the customer named in the request."""
    created = await api.create("login", CAMILLE, **VALID["login"])
    assert created["customer_id"] == CAMILLE


async def test_a_create_retried_with_its_client_reference_is_the_same_operation(api, camille):
    """The back end retries a create (a timeout): the same client_reference and operation
    answer the first one (200), nothing is sent to the phone again; another operation under
    that reference is 409 client_reference_reused."""
    body = {"type": "transfer", "customer_id": CAMILLE, "fields": VALID["transfer"],
            "client_reference": "tx-0001"}  # fmt: skip
    status, first = await api.call("POST", "/operations", json=body)
    assert status == 201
    status, again = await api.call("POST", "/operations", json=body)
    assert status == 200 and again["operation_id"] == first["operation_id"]
    assert len(await camille.pending_operations()) == 1
    other = body | {"fields": VALID["transfer"] | {"amount_minor": 1}}
    status, refused = await api.call("POST", "/operations", json=other)
    assert status == 409 and refused["error"] == "client_reference_reused"


async def test_sp40_a_new_phone_cancels_the_pending_operation(api, camille, make_phone, bank):
    """Camille activates a new phone (SP-40): the old one's pending operation is cancelled,
    and the bank is told why (device_revoked)."""
    from tests.phones import CAMILLE_MOBILE

    created = await api.create("transfer", **VALID["transfer"])
    await make_phone().activate_selfcare(CAMILLE_MOBILE, CODE)
    view = await wait_status(api, created["operation_id"], "cancelled")
    assert view["reason"] == "device_revoked"
    assert (await bank.wait_for(created["operation_id"])).json()["status"] == "cancelled"


async def test_sp45_five_wrong_codes_fail_the_operation(api, camille):
    """Five wrong Sécur'Pass codes block the phone (SP-45): the operation fails,
    device_blocked."""
    from merchant_simulator.phone import PhoneError

    created = await api.create("add_beneficiary", **VALID["add_beneficiary"])
    challenge = await camille.operation((await camille.pending_operations())[0]["operation_id"])
    for _ in range(5):
        with pytest.raises(PhoneError):
            await camille.approve_with_code(challenge, "9999")
    view = await wait_status(api, created["operation_id"], "failed")
    assert view["reason"] == "device_blocked"
