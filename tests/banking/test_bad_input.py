"""Bad input to ``/banking/v1`` is a 4xx naming the field, never a 500; only the bank's
back end, with a valid service token, may call it."""

from __future__ import annotations

import pytest

from tests.banking.conftest import CAMILLE, IBAN, VALID, service_headers
from tests.tokens import STAFF_AUDIENCE, bearer

TRANSFER = VALID["transfer"]


@pytest.mark.parametrize(
    ("kind", "fields", "field", "error"),
    [
        ("transfer", TRANSFER | {"payee_iban": "FR7630006000011234567890188"}, "fields.payee_iban",
         "invalid_field"),
        ("transfer", TRANSFER | {"payee_iban": "FR76300060000112345678901"}, "fields.payee_iban",
         "invalid_field"),
        ("transfer", TRANSFER | {"payee_iban": "not an iban"}, "fields.payee_iban",
         "invalid_field"),
        ("add_beneficiary", {"name": "Paul", "iban": 42}, "fields.iban", "invalid_field"),
        ("transfer", TRANSFER | {"amount_minor": 0}, "fields.amount_minor", "invalid_field"),
        ("transfer", TRANSFER | {"amount_minor": -5}, "fields.amount_minor", "invalid_field"),
        ("transfer", TRANSFER | {"amount_minor": 12.5}, "fields.amount_minor", "invalid_field"),
        ("transfer", TRANSFER | {"amount_minor": True}, "fields.amount_minor", "invalid_field"),
        ("transfer", TRANSFER | {"amount_minor": 10**13}, "fields.amount_minor", "invalid_field"),
        ("transfer", TRANSFER | {"currency": "XXX"}, "fields.currency", "invalid_field"),
        ("transfer", TRANSFER | {"currency": 978}, "fields.currency", "invalid_field"),
        ("transfer", TRANSFER | {"kind": "teleport"}, "fields.kind", "invalid_field"),
        ("transfer", TRANSFER | {"execution_date": "31/12/2026"}, "fields.execution_date",
         "invalid_field"),
        ("transfer", TRANSFER | {"payee_name": "Paul\u202eDurand"}, "fields.payee_name",
         "invalid_field"),
        ("transfer", TRANSFER | {"payee_name": "Paul\nDurand"}, "fields.payee_name",
         "invalid_field"),
        ("transfer", TRANSFER | {"payee_name": "x" * 71}, "fields.payee_name", "invalid_field"),
        ("transfer", TRANSFER | {"payee_name": "   "}, "fields.payee_name", "invalid_field"),
        ("transfer", TRANSFER | {"label": "\u200bcadeau"}, "fields.label", "invalid_field"),
        ("transfer", {"amount_minor": 100, "payee_iban": IBAN}, "fields.payee_name",
         "missing_field"),
        ("transfer", TRANSFER | {"payee_bic": "AGRIFRPP"}, "fields.payee_bic", "unknown_field"),
        ("e_signature", {"title": "Contrat", "document_sha256": "zz" * 32},
         "fields.document_sha256", "invalid_field"),
        ("card_limit_increase", VALID["card_limit_increase"] | {"duration_days": 365},
         "fields.duration_days", "invalid_field"),
        ("card_limit_increase", VALID["card_limit_increase"] | {"card_last4": "14"},
         "fields.card_last4", "invalid_field"),
        ("contact_change", {"kind": "email", "new_email": "not-an-address"}, "fields.new_email",
         "invalid_field"),
        ("contact_change", {"kind": "email", "new_address": "1 rue de la Paix"},
         "fields.new_address", "unknown_field"),
        ("contact_change", {"kind": "phone"}, "fields.kind", "invalid_field"),
        ("login", {"channel": "fax", "device": "PC"}, "fields.channel", "invalid_field"),
        ("login", {"channel": "web"}, "fields.device", "missing_field"),
        ("wallet_enrolment", {"wallet": "paypal", "card_last4": "0014"}, "fields.wallet",
         "invalid_field"),
        ("card_payment", {}, "type", "invalid_field"),
        ("nonsense", {}, "type", "invalid_field"),
    ],
)  # fmt: skip
async def test_each_bad_field_is_a_400_naming_it(api, demo_data, kind, fields, field, error):
    """Every field is checked (IBAN checksum and length, amounts, currency, dates, lengths,
    Unicode control and format characters): 400 with the field's name."""
    body = {"type": kind, "customer_id": CAMILLE, "fields": fields}
    status, answer = await api.call("POST", "/operations", json=body)
    assert status == 400, answer
    assert answer["error"] == error and answer["field"] == field, answer


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customer_id": CAMILLE, "fields": {}}, "type"),
        ({"type": "login", "fields": VALID["login"]}, "customer_id"),
        ({"type": "login", "customer_id": 7, "fields": VALID["login"]}, "customer_id"),
        ({"type": "login", "customer_id": CAMILLE, "fields": []}, "fields"),
        ({"type": "login", "customer_id": CAMILLE, "fields": VALID["login"], "ttl_seconds": 5},
         "ttl_seconds"),
        ({"type": "login", "customer_id": CAMILLE, "fields": VALID["login"],
          "ttl_seconds": 86400}, "ttl_seconds"),
        ({"type": "login", "customer_id": CAMILLE, "fields": VALID["login"],
          "callback_url": "https://evil.example/hook"}, "callback_url"),
        ({"type": "transfer", "customer_id": CAMILLE, "fields": TRANSFER,
          "exemption": "trusted_device"}, "exemption"),
        ({"type": "login", "customer_id": CAMILLE, "fields": VALID["login"],
          "client_reference": "a\x00b"}, "client_reference"),
        ({"type": "login", "customer_id": CAMILLE, "fields": VALID["login"], "colour": "red"},
         "colour"),
    ],
)  # fmt: skip
async def test_bad_request_fields_are_400(api, demo_data, body, field):
    status, answer = await api.call("POST", "/operations", json=body)
    assert status == 400 and answer["field"] == field, answer


@pytest.mark.parametrize("payload", [b"", b"[1]", b"{not json", "é".encode("latin-1")])
async def test_a_body_that_is_not_a_json_object_is_400(api, payload):
    status, answer = await api.call("POST", "/operations", data=payload)
    assert status == 400 and answer["error"] in ("malformed_body", "missing_field"), answer


@pytest.mark.parametrize("wait", ["-1", "61", "abc", "nan", "inf"])
async def test_a_bad_wait_is_400(api, camille, wait):
    created = await api.create("login", **VALID["login"])
    status, answer = await api.call("GET", f"/operations/{created['operation_id']}?wait={wait}")
    assert status == 400 and answer["field"] == "wait"


async def test_unknown_operation_is_404(api):
    status, answer = await api.call("GET", "/operations/nope")
    assert status == 404 and answer["error"] == "unknown_operation"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "token_missing"),
        ({"Authorization": "Basic abc"}, "token_missing"),
        ({"Authorization": "Bearer x.y.z"}, "token_malformed"),
    ],
)
async def test_no_valid_token_is_401(api, headers, reason):
    status, answer = await api.call("GET", "/operations/x", headers=headers or {"X": "1"})
    assert status == 401 and answer["error"] == reason


async def test_a_customer_or_staff_token_is_not_a_service_token(api, identity_provider):
    """Tokens of the other audiences (the Banxo app's, the staff's) are refused."""
    for token in (
        identity_provider.mint(CAMILLE, client="banxo-online-banking"),
        identity_provider.mint("adv-1", audience=STAFF_AUDIENCE, client="banxo-online-banking"),
    ):
        status, answer = await api.call("GET", "/operations/x", headers=bearer(token))
        assert status == 401 and answer["error"] == "token_wrong_audience"


@pytest.mark.parametrize("claim", [None, "", 42, "unknown-system", "x" * 65, "a\nb"])
async def test_the_client_claim_must_name_a_listed_client(api, identity_provider, claim):
    """The service token's ``client`` claim is required and must be in [banking] clients."""
    from tests.tokens import DROP

    headers = service_headers(identity_provider, client=DROP if claim is None else claim)
    status, answer = await api.call("GET", "/operations/x", headers=headers)
    assert status == 401 and answer["error"] == "token_claims"


async def test_an_expired_service_token_is_401(api, identity_provider, clock):
    headers = service_headers(identity_provider)
    clock.advance(minutes=10)
    status, answer = await api.call("GET", "/operations/x", headers=headers)
    assert status == 401 and answer["error"] == "token_expired"


async def test_the_service_token_is_reused_over_its_life(api, camille):
    """One client-credentials token serves several calls (not spent on first use)."""
    created = await api.create("login", **VALID["login"])
    for _ in range(3):
        assert (await api.status(created["operation_id"]))["status"] == "pending"
