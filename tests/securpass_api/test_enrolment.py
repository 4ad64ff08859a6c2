"""Eligibility, the SP-15 lift, self-care and branch activation over HTTP (SP-10 … SP-35)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from acs.storage.securpass_models import DeviceRow, TicketRow
from acs.web.keys import SESSIONS, SMS
from merchant_simulator.phone import PhoneError
from tests.securpass_api.conftest import (
    BUSINESS,
    CAMILLE,
    CAMILLE_MOBILE,
    CHLOE,
    CODE,
    HUGO,
    LOUIS,
)

BACKOFFICE = "/backoffice/v1/customers/{}/securpass"


async def _summary(client, staff, customer_id: str) -> dict:
    response = await client.get(BACKOFFICE.format(customer_id), headers=staff())
    assert response.status == 200
    return await response.json()


def _rules(summary: dict, channel: str) -> set[str]:
    return {u["rule"] for u in summary["eligibility"][channel]["unmet"]}


async def test_sp10_to_sp13_every_unmet_condition_is_listed(client, demo_data, staff):
    """SP-10 … SP-13, SP-60: the advisor sees every unmet condition with its rule, not just the
    first, so they know what to act on (record the secure phone, the e-mail, a card)."""
    assert _rules(await _summary(client, staff, HUGO), "app") == {"SP-11", "SP-12", "SP-13"}
    assert "SP-10" in _rules(await _summary(client, staff, BUSINESS), "app")
    assert _rules(await _summary(client, staff, LOUIS), "branch") == {"SP-11"}


async def test_sp14a_active_card_used_at_terminal_makes_eligible(client, demo_data, staff):
    """SP-14 (a): Camille's active card used at a terminal makes her eligible in the app."""
    summary = await _summary(client, staff, CAMILLE)
    assert summary["eligibility"]["app"] == {"eligible": True, "unmet": []}


async def test_sp14b_email_route_needs_more_than_72_hours(client, demo_data, load, clock, staff):
    """SP-14 (b): no usable card, a personal e-mail recorded 71 h ago is not enough; 73 h is."""
    recent = (clock.now().replace(microsecond=0)).isoformat().replace("+00:00", "Z")
    await load(
        "customers",
        [["C0100", "individual", "Eva", "true", "+33600000100", "eva@x.test", recent, "true"]],
    )
    assert _rules(await _summary(client, staff, "C0100"), "app") == {"SP-14"}
    clock.advance(hours=73)
    assert _rules(await _summary(client, staff, "C0100"), "app") == set()


async def test_sp15_lift_needs_reinforced_identity_check_and_is_recorded(
    client, demo_data, load, clock, staff
):
    """SP-15: a lift without the reinforced identity check is refused; with it, it is recorded
    (who, when, which check) and the 72 h delay no longer applies."""
    now = clock.now().isoformat().replace("+00:00", "Z")
    await load(
        "customers",
        [["C0101", "individual", "Léa", "true", "+33600000101", "lea@x.test", now, "true"]],
    )
    url = BACKOFFICE.format("C0101") + "/delay-lift"
    refused = await client.post(url, json={"identity_check": "phone_call"}, headers=staff())
    assert refused.status == 422
    assert (await refused.json())["error"] == "invalid_lift"
    anonymous = await client.post(url, json={"identity_check": "address_change_procedure"})
    assert anonymous.status == 401
    assert (await anonymous.json())["error"] == "token_missing"
    ok = await client.post(
        url, json={"identity_check": "address_change_procedure"}, headers=staff()
    )
    assert ok.status == 201
    lift = await ok.json()
    assert lift["advisor_id"] == "adv-007" and lift["identity_check"] == "address_change_procedure"
    summary = await _summary(client, staff, "C0101")
    assert summary["eligibility"]["app"]["eligible"] is True
    assert summary["delay_lift"]["advisor_id"] == "adv-007"


async def test_sp16_branch_needs_neither_card_nor_email(client, demo_data, make_phone, staff):
    """SP-16: Chloé (card opposed, no e-mail) can be enrolled in branch, not in the app."""
    summary = await _summary(client, staff, CHLOE)
    assert "SP-14" in _rules(summary, "app")
    assert summary["eligibility"]["branch"]["eligible"] is True
    with pytest.raises(PhoneError) as refused:
        await make_phone(CHLOE).start_selfcare()
    assert refused.value.status == 403 and refused.value.reason == "not_eligible"
    assert {u["rule"] for u in refused.value.body["unmet"]} == {"SP-14"}


async def test_sp20_to_sp22_selfcare_activation(app, demo_data, make_phone):
    """SP-20: the code goes by SMS to the secure mobile; SP-21: subscribed with date and time;
    SP-22: SMS OTP subscribed as the fallback; the code is stored only as a verifier."""
    phone = make_phone(biometric=True)
    started = await phone.start_selfcare()
    assert started["activation"]["sent_to"].endswith("78")
    assert len(app[SMS].inbox(CAMILLE_MOBILE)) == 1
    result = await phone.activate(await phone.read_activation_code(CAMILLE_MOBILE), CODE)
    enrolment = result["enrolment"]
    assert enrolment["state"] == "subscribed"
    assert enrolment["activated_at"] == "2026-11-29T09:00:00Z"
    assert enrolment["sms_otp_subscribed"] is True
    async with app[SESSIONS]() as session:
        device = await session.get(DeviceRow, result["device_id"])
    assert device.code_verifier.startswith("sp1$scrypt$") and CODE not in device.code_verifier


async def test_activation_code_three_attempts_then_exhausted(app, demo_data, make_phone):
    """Activation code: a wrong code tells the attempts left; after 3 the code is dead."""
    phone = make_phone()
    await phone.start_selfcare()
    good = await phone.read_activation_code(CAMILLE_MOBILE)
    wrong = "000000" if good != "000000" else "111111"
    for left in (2, 1, 0):
        with pytest.raises(PhoneError) as refused:
            await phone.activate(wrong, CODE)
        assert refused.value.status == 401
        assert refused.value.body == {
            "error": "wrong_activation_code",
            "message": "Code d'activation incorrect.",
            "attempts_left": left,
        }
    with pytest.raises(PhoneError) as exhausted:
        await phone.activate(good, CODE)
    assert exhausted.value.status == 429
    async with app[SESSIONS]() as session:
        ticket = await session.scalar(select(TicketRow))
    assert ticket.attempts == 3 and good not in ticket.code_hash


async def test_activation_code_expires_after_ten_minutes(demo_data, make_phone, clock):
    """The self-care activation code lives 10 minutes; the customer then starts again."""
    phone = make_phone()
    await phone.start_selfcare()
    code = await phone.read_activation_code(CAMILLE_MOBILE)
    clock.advance(minutes=10)
    with pytest.raises(PhoneError) as late:
        await phone.activate(code, CODE)
    assert late.value.status == 410
    await phone.activate_selfcare(CAMILLE_MOBILE, CODE)


@pytest.mark.parametrize("trivial", ["1111", "1234", "1212", "2580", "123"])
async def test_sp24_trivial_codes_are_refused_at_activation(demo_data, make_phone, trivial):
    """SP-24: four digits, trivial codes refused; the activation code stays usable."""
    phone = make_phone()
    await phone.start_selfcare()
    code = await phone.read_activation_code(CAMILLE_MOBILE)
    with pytest.raises(PhoneError) as weak:
        await phone.activate(code, trivial)
    assert (weak.value.status, weak.value.reason) == (422, "weak_code")
    await phone.activate(code, CODE)


async def test_activation_needs_the_customer_identity(client, demo_data, make_phone):
    """The start call needs a customer token; another customer, logged in on their own app,
    cannot activate someone else's enrolment even with its id and activation code."""
    response = await client.post("/securpass/v1/enrolments", json={})
    assert response.status == 401
    assert (await response.json())["error"] == "token_missing"
    phone = make_phone()
    await phone.start_selfcare()
    code = await phone.read_activation_code(CAMILLE_MOBILE)
    louis = make_phone(LOUIS)
    louis.enrolment_id, louis.code_key = phone.enrolment_id, phone.code_key
    with pytest.raises(PhoneError) as other:
        await louis.activate(code, CODE)
    assert other.value.status == 404


BRANCH_SALE = {
    "sale_channel": "face_to_face",
    "amendment": {"reference": "AVN-2026-000731", "signed_on": "tablet"},
}


@pytest.mark.parametrize("channel", ["call_centre", "remote_advisor", "phone"])
async def test_sp30_branch_only_face_to_face(client, demo_data, channel, staff):
    """SP-30: call centres, remote advisors and any other channel cannot add Sécur'Pass."""
    response = await client.post(
        BACKOFFICE.format(CHLOE) + "/enrolments", json={"sale_channel": channel}, headers=staff()
    )
    assert response.status == 403
    assert (await response.json())["error"] == "branch_face_to_face_only"


async def test_sp32_sp34_sp35_branch_activation(client, app, demo_data, make_phone, staff):
    """SP-32: initiated; SP-33: SMS sent; SP-34: subscribed with date and time on the phone;
    SP-35: the advisor sees the state."""
    response = await client.post(
        BACKOFFICE.format(CHLOE) + "/enrolments",
        json=BRANCH_SALE,
        headers=staff(),
    )
    assert response.status == 201
    enrolment = (await response.json())["enrolment"]
    assert enrolment["state"] == "initiated" and enrolment["channel"] == "branch"
    assert enrolment["expires_at"] == "2026-11-30T09:00:00Z"
    assert (await _summary(client, staff, CHLOE))["enrolment"]["state"] == "initiated"
    phone = make_phone(CHLOE)
    result = await phone.activate_initiated("+33611112222", CODE)
    assert result["enrolment"]["state"] == "subscribed"
    assert result["enrolment"]["activated_at"] == "2026-11-29T09:00:00Z"
    assert (await _summary(client, staff, CHLOE))["enrolment"]["state"] == "subscribed"


async def test_sp33_branch_enrolment_expires_after_24_hours(
    client, demo_data, make_phone, clock, staff
):
    """SP-33: past 24 hours the branch enrolment is expired and can no longer be activated."""
    await client.post(
        BACKOFFICE.format(CHLOE) + "/enrolments",
        json=BRANCH_SALE,
        headers=staff(),
    )
    phone = make_phone(CHLOE)
    await phone.current_enrolment()
    code = await phone.read_activation_code("+33611112222")
    clock.advance(hours=23, minutes=59)
    clock.advance(minutes=1)
    with pytest.raises(PhoneError) as late:
        await phone.activate(code, CODE)
    assert (late.value.status, late.value.reason) == (410, "enrolment_expired")
    assert (await _summary(client, staff, CHLOE))["enrolment"]["state"] == "expired"
    with pytest.raises(PhoneError) as gone:
        await phone.current_enrolment()
    assert gone.value.status == 404


@pytest.mark.parametrize(
    "amendment",
    [
        None,
        {},
        {"reference": "AVN-1"},
        {"reference": "", "signed_on": "tablet"},
        {"reference": "AVN-1", "signed_on": "fax"},
    ],
)
async def test_sp31_branch_sale_needs_the_signed_amendment(client, demo_data, amendment, staff):
    """SP-31: the advisor adds Sécur'Pass through an amendment signed on the branch tablet (or
    paper); without its reference and signature medium the initiation is refused."""
    body = {"sale_channel": "face_to_face"}
    if amendment is not None:
        body["amendment"] = amendment
    response = await client.post(
        BACKOFFICE.format(CHLOE) + "/enrolments", json=body, headers=staff()
    )
    assert response.status == 400
    assert (await response.json())["error"] == "malformed_body"


async def test_sp31_the_amendment_is_recorded_in_the_audit_trail(client, app, demo_data, staff):
    """SP-31: who initiated, on which channel, and which signed amendment, are audited."""
    from sqlalchemy import select

    from acs.storage.models import AuditEvent
    from acs.web.keys import SESSIONS

    response = await client.post(
        BACKOFFICE.format(CHLOE) + "/enrolments", json=BRANCH_SALE, headers=staff()
    )
    assert response.status == 201
    async with app[SESSIONS]() as session:
        events = (await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "securpass.branch_initiated")
        )).all()  # fmt: skip
    assert events[-1].detail["amendment"] == BRANCH_SALE["amendment"]
    assert events[-1].actor == "staff:adv-007"
    assert (events[-1].detail["role"], events[-1].detail["branch"]) == ("advisor", "0421")


async def test_a_fourth_activation_code_within_an_hour_is_a_429(app, demo_data, make_phone, clock):
    """SMS bombing: three self-care starts send three codes; a fourth within the hour is a 429
    with a French message and no SMS; an hour later a code goes out again."""
    phone = make_phone()
    for _ in range(3):
        await phone.start_selfcare()
        clock.advance(minutes=1)
    assert len(app[SMS].inbox(CAMILLE_MOBILE)) == 3
    with pytest.raises(PhoneError) as refused:
        await phone.start_selfcare()
    assert refused.value.status == 429
    assert refused.value.body == {
        "error": "too_many_activation_codes",
        "message": "Trop de codes d'activation demandés : réessayez dans une heure.",
        "retry_after": 3600,
    }
    assert len(app[SMS].inbox(CAMILLE_MOBILE)) == 3
    clock.advance(minutes=58)
    await phone.activate_selfcare(CAMILLE_MOBILE, CODE)
    assert len(app[SMS].inbox(CAMILLE_MOBILE)) == 4
