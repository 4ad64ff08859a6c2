"""The method per operation and customer: Sécur'Pass, the SMS code where the bank allows it
(SP-22, SP-43), the refusal of the Sécur'Pass-only types (SP-6), the trusted phone (SP-42)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from acs.storage import securpass as securpass_store
from acs.web.keys import SESSIONS
from tests.banking.conftest import (
    CAMILLE,
    HUGO,
    LOUIS_ID,
    LOUIS_MOBILE,
    VALID,
)

SMS_TYPES = sorted(set(VALID) - {"view_card_pin", "wallet_enrolment"})


async def code_for(inbox, mobile: str, count: int = 1) -> tuple[str, str]:
    """The code and the text of the ``count``-th SMS sent to ``mobile``."""
    text = (await inbox.wait_for(mobile, count))[count - 1].text
    return re.search(r"\b(\d{6})\b", text).group(1), text


@pytest.mark.parametrize("kind", SMS_TYPES)
async def test_sp43_without_securpass_an_sms_code_approves_where_allowed(
    api, demo_data, sms_inbox, bank, kind
):
    """A customer without Sécur'Pass gets an SMS code for each type the bank allows; the code
    typed on the bank's site approves it, and the callback says so."""
    created = await api.create(kind, LOUIS_ID, **VALID[kind])
    assert created["method"] == "sms" and created["status"] == "pending"
    code, _text = await code_for(sms_inbox, LOUIS_MOBILE)
    status, view = await api.code(created["operation_id"], code)
    assert status == 200 and view["status"] == "approved" and view["reason"] == "sms_code"
    assert (await bank.wait_for(created["operation_id"])).json()["method"] == "sms"


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("transfer", ["250,00 €", "Paul Durand", "FR76 •••• 0189"]),
        ("add_beneficiary", ["bénéficiaire", "Paul Durand", "FR76 •••• 0189"]),
        ("card_limit_increase", ["3\u202f000,00 €", "7 jours", "•••• 0014"]),
        ("contact_change", ["camille.martin@example.fr"]),
        ("login", ["connecter", "Firefox sur Linux"]),
        ("e_signature", ["Contrat assurance habitation"]),
    ],
)
async def test_sp43_rts_art5_the_sms_names_the_operation_and_its_key_fields(
    api, demo_data, sms_inbox, kind, words
):
    """The SMS text names the operation and its key fields (amount, payee, IBAN, …)."""
    await api.create(kind, LOUIS_ID, **VALID[kind])
    _code, text = await code_for(sms_inbox, LOUIS_MOBILE)
    assert text.startswith("Banxo : votre code ")
    for word in words:
        assert word in text, text


async def test_a_wrong_code_is_counted_and_the_last_one_fails_the_operation(
    api, demo_data, sms_inbox, settings
):
    """Wrong codes answer 401 with the attempts left; the last allowed one fails the
    operation (otp_max_attempts), after which the right code is refused (409)."""
    created = await api.create("transfer", LOUIS_ID, **VALID["transfer"])
    code, _ = await code_for(sms_inbox, LOUIS_MOBILE)
    wrong = "000000" if code != "000000" else "111111"
    for left in range(settings.otp_max_attempts - 1, -1, -1):
        status, body = await api.code(created["operation_id"], wrong)
        assert status == 401 and body["attempts_left"] == left
    assert (await api.status(created["operation_id"]))["status"] == "failed"
    status, body = await api.code(created["operation_id"], code)
    assert status == 409 and body["error"] == "not_pending"


async def test_rts_art4_wrong_codes_across_operations_block_sms_for_the_cardholder(
    api, demo_data, sms_inbox, settings
):
    """The cardholder's failure limit (issue #12) counts banking codes too: at the fifth wrong
    code in a row SMS OTP is blocked, and a new operation is refused sms_otp_blocked."""
    failures, count = 0, 0
    while failures < settings.otp_max_failures:
        created = await api.create("login", LOUIS_ID, **VALID["login"])
        count += 1
        code, _ = await code_for(sms_inbox, LOUIS_MOBILE, count)
        status, _body = await api.code(
            created["operation_id"], "000000" if code != "000000" else "1"
        )
        assert status == 401
        failures += 1
    refused = await api.create("login", LOUIS_ID, expect=403, **VALID["login"])
    assert refused["error"] == "sms_otp_blocked"


async def test_a_code_for_one_operation_does_not_approve_another(api, demo_data, sms_inbox):
    """Each code is bound to its operation (HMAC over the operation id and the code)."""
    first = await api.create("transfer", LOUIS_ID, **VALID["transfer"])
    code_1, _ = await code_for(sms_inbox, LOUIS_MOBILE, 1)
    second = await api.create("transfer", LOUIS_ID, **(VALID["transfer"] | {"amount_minor": 99}))
    code_2, _ = await code_for(sms_inbox, LOUIS_MOBILE, 2)
    if code_1 != code_2:
        status, _ = await api.code(second["operation_id"], code_1)
        assert status == 401
    status, view = await api.code(first["operation_id"], code_1)
    assert status == 200 and view["status"] == "approved"


@pytest.mark.parametrize("kind", ["view_card_pin", "wallet_enrolment"])
async def test_sp6_pin_and_digital_card_are_refused_without_securpass(api, demo_data, kind):
    """Viewing the PIN and the digital card exist only with Sécur'Pass: a customer without it
    gets a clear 403 securpass_required, no SMS."""
    refused = await api.create(kind, LOUIS_ID, expect=403, **VALID[kind])
    assert refused["error"] == "securpass_required"
    assert "Sécur'Pass" in refused["message"]


async def test_no_method_for_a_customer_without_securpass_or_mobile(api, demo_data):
    """A customer with neither Sécur'Pass nor a secure mobile: 403 no_method_available."""
    refused = await api.create("login", HUGO, expect=403, **VALID["login"])
    assert refused["error"] == "no_method_available"


async def test_unknown_customer_is_404(api, demo_data):
    refused = await api.create("login", "C9999", expect=404, **VALID["login"])
    assert refused["error"] == "unknown_customer" and refused["field"] == "customer_id"


async def test_sms_code_after_expiry_expires_the_operation(api, demo_data, sms_inbox, clock):
    """A code typed after the time to live expires the operation instead (not approved)."""
    created = await api.create("add_beneficiary", LOUIS_ID, **VALID["add_beneficiary"])
    code, _ = await code_for(sms_inbox, LOUIS_MOBILE)
    clock.advance(seconds=301)
    status, view = await api.code(created["operation_id"], code)
    assert status == 200 and view["status"] == "expired"


async def test_a_securpass_operation_takes_no_sms_code(api, camille):
    created = await api.create("login", CAMILLE, **VALID["login"])
    status, body = await api.code(created["operation_id"], "123456")
    assert status == 400 and body["error"] == "not_an_sms_operation"


async def make_trusted(app, customer_id: str, clock) -> str:
    """SP-42: enough approvals over enough time make the phone a trusted device."""
    async with app[SESSIONS].begin() as session:
        device = await securpass_store.active_device(session, customer_id)
        device.successful_uses = 12
        device.first_used_at = clock.now() - timedelta(days=60)
        device.last_used_at = clock.now() - timedelta(days=1)
        return device.id


async def test_sp42_a_login_from_the_trusted_phone_is_approved_at_once(app, api, camille, clock):
    """A login from the app on the customer's trusted phone, with the trusted_device exemption
    asked, is approved at once (method trusted_device), nothing sent to the phone."""
    device_id = await make_trusted(app, CAMILLE, clock)
    fields = {"channel": "app", "device": "iPhone de Camille", "device_id": device_id}
    body = {"type": "login", "customer_id": CAMILLE, "fields": fields,
            "exemption": "trusted_device"}  # fmt: skip
    status, created = await api.call("POST", "/operations", json=body)
    assert status == 201, created
    assert created["status"] == "approved" and created["method"] == "trusted_device"
    assert created["trusted_device"] is True
    assert await camille.pending_operations() == []


async def test_sp42_an_untrusted_or_other_device_still_needs_the_phone(app, api, camille, clock):
    """Without trust, or from another device, the login goes to the phone; the signal
    ``trusted_device`` says which."""
    async with app[SESSIONS]() as session:
        device = (await securpass_store.active_device(session, CAMILLE)).id
    body = {"type": "login", "customer_id": CAMILLE, "exemption": "trusted_device",
            "fields": {"channel": "app", "device": "iPhone", "device_id": device}}  # fmt: skip
    status, created = await api.call("POST", "/operations", json=body)
    assert status == 201 and created["method"] == "securpass"
    assert created["trusted_device"] is False
    await make_trusted(app, CAMILLE, clock)
    body["fields"] = {"channel": "web", "device": "PC", "device_id": "another-device"}
    status, created = await api.call("POST", "/operations", json=body)
    assert status == 201 and created["method"] == "securpass"


async def test_push_bombing_limits_fall_back_to_the_sms_code(api, camille, sms_inbox, settings):
    """Over the pending-operations limit (push bombing) the next operation gets an SMS code
    instead of another push, as a card payment would (push_limit_action = "sms")."""
    from tests.phones import CAMILLE_MOBILE

    for _ in range(settings.max_pending_operations):
        assert (await api.create("login", **VALID["login"]))["method"] == "securpass"
    over = await api.create("transfer", **VALID["transfer"])
    assert over["method"] == "sms"
    code, text = await code_for(sms_inbox, CAMILLE_MOBILE, 2)  # the first: her activation
    assert "250,00 €" in text
    assert len(await camille.pending_operations()) == settings.max_pending_operations
    status, view = await api.code(over["operation_id"], code)
    assert status == 200 and view["status"] == "approved"


async def test_push_bombing_limits_refuse_the_securpass_only_types(api, camille, settings):
    """Over the limit, a type only Sécur'Pass may do is refused 429, not texted."""
    for _ in range(settings.max_pending_operations):
        await api.create("login", **VALID["login"])
    refused = await api.create("view_card_pin", expect=429, **VALID["view_card_pin"])
    assert refused["error"] == "too_many_operations" and refused["retry_after"] == 60
