"""Operations the phone approves or refuses (SP-23, SP-24, SP-40 … SP-56), and the contract of
``acs.flows.securpass.operations`` the 3-D Secure challenge flows build on."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from acs.flows.securpass.operations import (
    NoActiveDevice,
    OperationLimits,
    TooManyOperations,
    active_device_facts,
    cancel_operation,
    create_operation,
    get_outcome,
)
from acs.storage.models import Card
from acs.storage.securpass import pending_operations
from acs.storage.securpass_models import DeviceRow, FraudDeclarationRow
from acs.web.keys import HUB, OPERATION_HOOKS, PUSH, SESSIONS
from merchant_simulator.phone import PhoneError, sign_request
from tests.securpass_api.conftest import (
    CAMILLE,
    CAMILLE_MOBILE,
    CODE,
    LOUIS,
    card_operation,
    card_summary,
)


async def _outcome(app, operation_id):
    async with app[SESSIONS]() as session:
        return await get_outcome(session, operation_id)


async def test_sp51_push_and_long_poll_wake_the_phone(app, camille, new_operation):
    """SP-51: the push carries only the operation id; a long poll returns as soon as it exists."""
    waiting = asyncio.create_task(camille.pending_operations(wait=5))
    await asyncio.sleep(0.2)
    operation_id = await new_operation()
    [challenge] = await asyncio.wait_for(waiting, 3)
    assert challenge["operation_id"] == operation_id
    push = app[PUSH].sent[-1]
    assert (push.operation_id, push.push_token) == (operation_id, "push-tok")


async def test_sp52_approve_with_biometrics(app, camille, new_operation):
    """SP-52 / SP-23: a biometric approval is signed by the biometric key, no code needed."""
    operation_id = await new_operation()
    challenge = await camille.operation(operation_id)
    result = await camille.approve_with_biometrics(challenge)
    assert (result["status"], result["method"]) == ("approved", "biometric")
    outcome = await _outcome(app, operation_id)
    assert (outcome.status, outcome.method) == ("approved", "biometric")


async def test_sp23_biometrics_per_purpose_switched_by_signed_calls(camille, new_operation):
    """SP-23 / SP-44: payments and login are switched independently from the settings, by signed
    calls; with payments off a biometric approval is refused."""
    body = await camille.set_biometrics("login", True)
    assert body["enrolment"]["biometrics"] == {"payments": True, "login": True}
    body = await camille.set_biometrics("payments", False)
    assert body["enrolment"]["biometrics"] == {"payments": False, "login": True}
    challenge = await camille.operation(await new_operation())
    with pytest.raises(PhoneError) as refused:
        await camille.approve_with_biometrics(challenge)
    assert (refused.value.status, refused.value.reason) == (422, "no_biometric_key")
    await camille.set_biometrics("payments", True)
    assert (await camille.approve_with_biometrics(challenge))["status"] == "approved"


async def test_wrong_code_is_generic_with_attempts_left(app, camille, new_operation):
    """RTS Art. 4(3)(a): a wrong code gets a generic answer and the attempts left; the operation
    stays pending so the customer can retry; a right code resets the count."""
    challenge = await camille.operation(await new_operation())
    with pytest.raises(PhoneError) as wrong:
        await camille.approve_with_code(challenge, "9753")
    assert wrong.value.status == 401
    assert wrong.value.body == {
        "error": "authentication_failed",
        "message": "Échec de l'authentification.",
        "attempts_left": 4,
    }
    assert (await camille.approve_with_code(challenge, CODE))["status"] == "approved"
    assert (await camille.status())["code_attempts_left"] == 5


async def test_sp45_five_wrong_codes_block_and_fail_pending(app, camille, new_operation):
    """SP-45: the fifth consecutive wrong code blocks the device (403 device_blocked), locks the
    enrolment and fails its pending operations, whose hooks are told."""
    seen = []

    async def hook(session, outcome):
        seen.append(outcome)
        return [f"challenge:{outcome.ref_id}"]

    app[OPERATION_HOOKS]["3ds"] = hook
    first = await new_operation(ref_type="3ds", ref_id="tx-1")
    other = await new_operation(ref_type="3ds", ref_id="tx-2")
    challenge = await camille.operation(first)
    for left in (4, 3, 2, 1):
        with pytest.raises(PhoneError) as wrong:
            await camille.approve_with_code(challenge, "9753")
        assert wrong.value.body["attempts_left"] == left
    assert "dernier essai" in wrong.value.body["message"]
    with pytest.raises(PhoneError) as blocked:
        await camille.approve_with_code(challenge, "9753")
    assert (blocked.value.status, blocked.value.reason) == (403, "device_blocked")
    assert {(o.ref_id, o.status) for o in seen} == {("tx-1", "failed"), ("tx-2", "failed")}
    assert (await _outcome(app, other)).status == "failed"
    with pytest.raises(PhoneError) as after:
        await camille.status()
    assert (after.value.status, after.value.reason) == (403, "device_blocked")
    # Only a re-activation unlocks (SP-45).
    await camille.activate_selfcare(CAMILLE_MOBILE, CODE)
    assert (await camille.status())["enrolment"]["state"] == "subscribed"


async def test_sp24_change_code_needs_the_current_one(camille, new_operation):
    """SP-24: changing the code needs the current one; the new one must not be trivial."""
    with pytest.raises(PhoneError) as wrong:
        await camille.change_code("9753", "6183")
    assert (wrong.value.status, wrong.value.reason) == (401, "authentication_failed")
    with pytest.raises(PhoneError) as weak:
        await camille.change_code(CODE, "0000")
    assert weak.value.reason == "weak_code"
    await camille.change_code(CODE, "6183")
    challenge = await camille.operation(await new_operation())
    with pytest.raises(PhoneError):
        await camille.approve_with_code(challenge, CODE)
    assert (await camille.approve_with_code(challenge, "6183"))["status"] == "approved"


async def test_sp54_refusal_cancelled_declares_nothing(app, camille, new_operation):
    """SP-54: "cancelled" stops the operation with the refusal wording, declares no fraud."""
    challenge = await camille.operation(await new_operation())
    result = await camille.refuse(challenge, "cancelled")
    assert result["message"] == (
        "L'opération de 41,99 € sur showroomprive.com a été refusée. Opération annulée."
    )
    assert result["card_opposed"] is False
    async with app[SESSIONS]() as session:
        assert await session.scalar(select(func.count()).select_from(FraudDeclarationRow)) == 0


async def test_sp55_sp56_not_me_declares_fraud_and_opposes_card(
    app, client, camille, new_operation
):
    """SP-55/56: "not_me" is a fraud declaration (customer, card, amount, payee, time, source);
    the card is opposed for fraud, so the next AReq is refused N/11."""
    operation_id = await new_operation()
    result = await camille.refuse(await camille.operation(operation_id), "not_me")
    assert result["card_opposed"] is True
    async with app[SESSIONS]() as session:
        declaration = await session.scalar(select(FraudDeclarationRow))
        card = await session.get(Card, declaration.card_id)
    assert declaration.customer_id == CAMILLE and declaration.operation_id == operation_id
    assert (declaration.amount_minor, declaration.payee) == (4199, "showroomprive.com")
    assert declaration.source == "securpass_app"
    assert (card.status, card.opposition_reason) == ("opposed", "fraud")
    from tests.areqs import areq

    message = areq(acctNumber="4970100000000014", purchaseAmount="4199")
    ares = await (await client.post("/3ds/areq", json=message)).json()
    assert (ares["transStatus"], ares["transStatusReason"]) == ("N", "11")


async def test_sp56_card_opposition_can_be_turned_off(
    aiohttp_client, settings, keyring, clock, demo_data, tmp_path, identity_provider
):
    """SP-56 (open): with securpass_refusal_opposes_card = false the fraud is declared but the
    card stays active."""
    import dataclasses

    from acs.web import create_app
    from tests.phones import http_phone

    off = dataclasses.replace(settings, securpass_refusal_opposes_card=False)
    client = await aiohttp_client(create_app(off, keys=keyring, clock=clock))
    app = client.server.app
    phone = http_phone(client, clock, tokens=identity_provider.source(CAMILLE))
    await phone.activate_selfcare(CAMILLE_MOBILE, CODE)
    async with app[SESSIONS].begin() as session:
        card_id = await session.scalar(select(Card.id).where(Card.last4 == "0014"))
        operation_id = await card_operation(session, clock, card_id=card_id)
    result = await phone.refuse(await phone.operation(operation_id), "not_me")
    assert result["card_opposed"] is False
    async with app[SESSIONS]() as session:
        assert (await session.get(Card, card_id)).status == "active"
        assert (await session.scalar(select(FraudDeclarationRow))).card_opposed is False


async def test_dynamic_linking_summary_and_counter(app, camille, new_operation):
    """RTS Art. 5: an answer signed over another amount is refused; a replayed counter too."""
    challenge = await camille.operation(await new_operation())
    tampered = dict(challenge, summary=dict(challenge["summary"], amount_minor=1))
    tampered["summary_hash"] = __import__(
        "merchant_simulator.phone", fromlist=["summary_hash"]
    ).summary_hash(tampered["summary"])
    with pytest.raises(PhoneError) as mismatch:
        await camille.approve_with_biometrics(tampered)
    assert (mismatch.value.status, mismatch.value.reason) == (422, "summary_mismatch")
    await camille.approve_with_biometrics(challenge)  # counter 2 accepted
    camille.keys.counter = 1
    with pytest.raises(PhoneError) as replay:
        await camille.approve_with_biometrics(await camille.operation(await new_operation()))
    assert replay.value.reason == "counter_not_increasing"


async def test_expired_operation_answer_is_410(app, camille, new_operation, clock):
    """A late answer (server clock) is refused with 410."""
    challenge = await camille.operation(await new_operation(ttl=timedelta(minutes=5)))
    clock.advance(minutes=5)
    with pytest.raises(PhoneError) as late:
        await camille.approve_with_biometrics(challenge)
    assert (late.value.status, late.value.reason) == (410, "expired")


async def test_concurrent_answers_decide_exactly_once(app, camille, new_operation):
    """Two answers at once: one decides, the other gets 409 not_pending; the hook runs once."""
    calls = []

    async def hook(session, outcome):
        calls.append(outcome.status)
        return []

    app[OPERATION_HOOKS]["3ds"] = hook
    challenge = await camille.operation(await new_operation(ref_type="3ds", ref_id="tx"))
    results = await asyncio.gather(
        camille.approve_with_biometrics(challenge),
        camille.refuse(challenge, "cancelled"),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, PhoneError)]
    assert len(errors) == 1 and errors[0].status == 409 and errors[0].reason == "not_pending"
    assert len(calls) == 1


async def test_hook_runs_in_the_deciding_transaction_and_keys_are_published(
    app, camille, new_operation
):
    """The hook of the operation's ref_type is awaited with (session, outcome) before commit;
    the keys it returns and operation:<id> are published after."""
    seen = {}

    async def hook(session, outcome):
        seen["outcome"] = outcome
        seen["in_transaction"] = session.in_transaction()
        return ["challenge:tx-9"]

    app[OPERATION_HOOKS]["3ds"] = hook
    operation_id = await new_operation(ref_type="3ds", ref_id="tx-9")
    hub = app[HUB]
    waiters = [
        asyncio.create_task(hub.wait("challenge:tx-9", 5)),
        asyncio.create_task(hub.wait(f"operation:{operation_id}", 5)),
    ]
    await asyncio.sleep(0)
    await camille.approve_with_code(await camille.operation(operation_id), CODE)
    assert await asyncio.gather(*waiters) == [True, True]
    assert seen["in_transaction"] is True
    assert (seen["outcome"].ref_type, seen["outcome"].ref_id) == ("3ds", "tx-9")
    assert seen["outcome"].status == "approved" and seen["outcome"].method == "code"


async def test_contract_cancel_once_outcome_and_no_device(app, camille, clock):
    """cancel_operation moves pending once (None afterwards); get_outcome is None while pending;
    create_operation raises NoActiveDevice without an active device."""
    async with app[SESSIONS].begin() as session:
        operation_id = await create_operation(
            session,
            customer_id=CAMILLE,
            summary=card_summary(clock),
            ttl=timedelta(minutes=5),
            now=clock.now(),
            ref_type="3ds",
            ref_id="tx-c",
        )
        assert await get_outcome(session, operation_id) is None
    async with app[SESSIONS].begin() as session:
        outcome = await cancel_operation(session, operation_id, now=clock.now(), status="expired")
        assert (outcome.status, outcome.ref_id) == ("expired", "tx-c")
        assert await cancel_operation(session, operation_id, now=clock.now()) is None
    async with app[SESSIONS].begin() as session:
        with pytest.raises(NoActiveDevice):
            await create_operation(
                session,
                customer_id=LOUIS,
                summary=card_summary(clock),
                ttl=timedelta(minutes=5),
                now=clock.now(),
            )
    with pytest.raises(PhoneError) as decided:
        await camille.refuse(await camille.operation(operation_id), "cancelled")
    assert decided.value.status == 410


async def test_sp40_new_phone_revokes_old_and_cancels_its_operations(
    app, camille, make_phone, new_operation
):
    """SP-40/41: activating a new phone revokes the old one in the same transaction and cancels
    its pending operations; the old phone gets 401 device_revoked."""
    operation_id = await new_operation()
    new = make_phone()
    await new.activate_selfcare(CAMILLE_MOBILE, "5937")
    assert (await _outcome(app, operation_id)).status == "cancelled"
    with pytest.raises(PhoneError) as revoked:
        await camille.pending_operations()
    assert (revoked.value.status, revoked.value.reason) == (401, "device_revoked")
    async with app[SESSIONS]() as session:
        devices = (await session.scalars(select(DeviceRow.status))).all()
    assert sorted(devices) == ["active", "revoked"]


async def test_sp43_close_falls_back_to_sms(app, camille, clock):
    """SP-43: closing revokes the device; no operation can be created (fall back to SMS OTP)."""
    body = await camille.close()
    assert body["enrolment"]["state"] == "closed"
    assert body["enrolment"]["sms_otp_subscribed"] is True
    async with app[SESSIONS]() as session:
        assert await active_device_facts(session, CAMILLE) == (False, False)
        with pytest.raises(NoActiveDevice):
            await card_operation(session, clock, CAMILLE)


async def test_sp42_trusted_device_after_regular_use(app, camille, new_operation, clock):
    """SP-42: five approvals spread over thirty days make a trusted device."""
    for _ in range(5):
        challenge = await camille.operation(await new_operation())
        await camille.approve_with_biometrics(challenge)
        async with app[SESSIONS]() as session:
            facts = await active_device_facts(session, CAMILLE)
        clock.advance(days=8)
    assert facts == (True, True)
    assert (await camille.status())["trusted"] is True


async def test_websocket_events_deliver_operations_and_closures(app, camille, new_operation):
    """The event stream (signed upgrade) delivers new operations and tells when one closes."""
    events = camille.listen(timeout=3)
    operation_id = await new_operation()
    first = await anext(events)
    assert first["type"] == "operation"
    assert first["operation"]["operation_id"] == operation_id
    async with app[SESSIONS].begin() as session:
        await cancel_operation(session, operation_id, now=first and app and _now(app))
    await app[HUB].publish(f"device:{camille.keys.device_id}")
    closed = await anext(events)
    assert closed == {"type": "closed", "operation_id": operation_id, "status": "cancelled"}
    await events.aclose()


def _now(app):
    from acs.web.keys import CLOCK

    return app[CLOCK].now()


async def test_signed_calls_reject_stale_replayed_and_forged(client, camille, clock):
    """Signed device calls: ±120 s, a nonce is accepted once, a bad signature is refused."""
    device = camille.keys.device_id
    path = f"/securpass/v1/devices/{device}"

    def headers(**options):
        stamp = int(clock.now().timestamp()) + options.pop("shift", 0)
        return sign_request(
            camille.keys.possession,
            method="GET",
            path=path,
            body=b"",
            device_id=device,
            timestamp=stamp,
            **options,
        )

    assert (await client.get(path, headers=headers(shift=120))).status == 200
    stale = await client.get(path, headers=headers(shift=121))
    assert (stale.status, (await stale.json())["error"]) == (401, "stale_timestamp")
    once = headers(nonce="A" * 22)
    assert (await client.get(path, headers=once)).status == 200
    replay = await client.get(path, headers=once)
    assert (replay.status, (await replay.json())["error"]) == (401, "replayed_nonce")
    forged = headers()
    signature = forged["X-SP-Signature"]
    # Change the last two characters for sure: a signature may already end in "AA".
    forged["X-SP-Signature"] = signature[:-2] + ("BA" if signature.endswith("AA") else "AA")
    bad = await client.get(path, headers=forged)
    assert bad.status == 401
    missing = await client.get(path)
    assert (missing.status, (await missing.json())["error"]) == (401, "missing_header")
    other = await client.get(f"/securpass/v1/devices/x{device}", headers=headers())
    assert (other.status, (await other.json())["error"]) == (401, "device_mismatch")


async def test_bad_input_is_4xx_never_500(client, camille):
    """Malformed answers and bodies get clear 4xx JSON errors."""
    path = "/securpass/v1/operations/nope/answer"
    for body in (b"not json", b"[]", json.dumps({"decision": "maybe"}).encode()):
        headers = camille._signature("POST", path, body, camille.keys.device_id)
        response = await client.post(path, data=body, headers=headers)
        assert response.status == 400, await response.text()
        assert (await response.json())["error"] == "malformed_answer"


async def test_listen_falls_back_to_long_poll(camille, new_operation):
    """SP-51: a phone whose WebSocket cannot open still gets the operation by long-polling."""
    import aiohttp

    async def no_websocket(timeout):
        raise aiohttp.ClientConnectionError("no WebSocket here")
        yield  # pragma: no cover

    camille._websocket = no_websocket
    waiting = asyncio.create_task(camille.next_operation(timeout=5))
    await asyncio.sleep(0.2)
    operation_id = await new_operation()
    assert (await asyncio.wait_for(waiting, 5))["operation_id"] == operation_id


@pytest.mark.parametrize("wait", ["nan", "NaN", "inf", "-inf", "1e400", "-1", "31", "x", ""])
async def test_long_poll_wait_must_be_finite_and_within_30_seconds(app, camille, wait):
    """A wait that is not a number from 0 to 30 (NaN, infinite, negative, too long) is a 400."""
    path = f"/securpass/v1/devices/{camille.keys.device_id}/operations?status=pending&wait={wait}"
    with pytest.raises(PhoneError) as refused:
        await camille._signed("GET", path, None)
    assert (refused.value.status, refused.value.reason) == (400, "malformed_query")
    assert "wait" in refused.value.body["message"]


async def test_two_creations_at_once_cannot_both_take_the_last_place(app, camille, clock):
    """With one place left, a creation waiting while another holds the device lock sees it once
    committed and raises TooManyOperations (the count is taken under the lock; without it this
    fails on PostgreSQL, SQLite serialises writers anyway)."""
    limits = OperationLimits(pending=1, per_window=10)
    async with app[SESSIONS].begin() as first:
        await card_operation(first, clock, limits=limits)

        async def second() -> str:
            async with app[SESSIONS].begin() as session:
                return await card_operation(session, clock, limits=limits)

        racing = asyncio.create_task(second())
        await asyncio.sleep(0.3)  # the second now waits for the device row
        assert not racing.done()
    with pytest.raises(TooManyOperations):
        await racing
    async with app[SESSIONS]() as session:
        assert len(await pending_operations(session, now=clock.now(), customer_id=CAMILLE)) == 1
