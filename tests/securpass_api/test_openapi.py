"""The OpenAPI 3.1 document of the device API stays true: real requests and responses of a full
story are validated against the schemas it names for their route, method and status."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec

from acs.web import create_app
from merchant_simulator.phone import PhoneError
from tests.phones import http_phone
from tests.securpass_api.conftest import CAMILLE, CAMILLE_MOBILE, CHLOE, CODE
from tests.tokens import staff_headers


@pytest.fixture
async def recorded(aiohttp_client, settings, keyring, clock):
    """The real app with a middleware that records every exchange on a documented route."""
    exchanges: list[dict[str, Any]] = []

    @web.middleware
    async def record(request: web.Request, handler):
        response = await handler(request)
        if isinstance(response, web.Response) and response.content_type == "application/json":
            exchanges.append(
                {
                    "template": request.match_info.route.resource.canonical,
                    "method": request.method.lower(),
                    "status": str(response.status),
                    "request": await request.read(),
                    "response": json.loads(response.body),
                }
            )
        return response

    app = create_app(settings, keys=keyring, clock=clock)
    app.middlewares.append(record)
    client = await aiohttp_client(app)
    return client, exchanges


def _validator(document: dict, schema: dict) -> OAS31Validator:
    return OAS31Validator({**schema, "components": document["components"]})


async def test_document_is_valid_openapi_31(client):
    """GET /securpass/v1/openapi.json serves a valid OpenAPI 3.1 document."""
    response = await client.get("/securpass/v1/openapi.json")
    document = await response.json()
    validate_spec(document)
    assert document["openapi"] == "3.1.0"


async def test_real_exchanges_match_the_document(recorded, demo_data, clock, identity_provider):
    """Every JSON request body and response of the story matches the documented schema."""
    from acs.web.keys import SESSIONS
    from tests.securpass_api.conftest import card_operation

    client, exchanges = recorded
    phone = http_phone(client, clock, biometric=True, tokens=identity_provider.source(CAMILLE))
    await client.get(
        f"/backoffice/v1/customers/{CAMILLE}/securpass", headers=staff_headers(identity_provider)
    )
    await client.post(
        f"/backoffice/v1/customers/{CHLOE}/securpass/enrolments",
        json={"sale_channel": "call_centre"},
        headers=staff_headers(identity_provider),
    )
    await client.post(
        f"/backoffice/v1/customers/{CAMILLE}/sms-otp/reset",
        headers=staff_headers(identity_provider),
    )
    await client.post(
        f"/backoffice/v1/customers/{CAMILLE}/securpass/delay-lift",
        json={"identity_check": "identity_document_in_branch"},
        headers=staff_headers(identity_provider),
    )
    await client.post(  # 403 role_forbidden
        f"/backoffice/v1/customers/{CAMILLE}/securpass/delay-lift",
        json={"identity_check": "identity_document_in_branch"},
        headers=staff_headers(identity_provider, role="auditor"),
    )
    await client.get(f"/backoffice/v1/customers/{CAMILLE}/securpass")  # 401 token_missing
    await phone.start_selfcare()
    with pytest.raises(PhoneError):
        await phone.activate("000000", "1111")  # 422 weak_code
    await phone.activate(
        await phone.read_activation_code(CAMILLE_MOBILE), CODE,
        biometrics={"payments": True, "login": False},
    )  # fmt: skip
    await phone.current_enrolment()
    await client.get("/securpass/v1/code-key")
    await phone.status()
    await phone.set_biometrics("login", True)
    await phone.change_code(CODE, "6183")
    for answer in ("code", "biometric", "not_me", "wrong"):
        async with client.server.app[SESSIONS].begin() as session:
            operation_id = await card_operation(session, clock)
        [challenge] = await phone.pending_operations()
        await phone.operation(operation_id)
        if answer == "code":
            await phone.approve_with_code(challenge, "6183")
        elif answer == "biometric":
            await phone.approve_with_biometrics(challenge)
        elif answer == "not_me":
            await phone.refuse(challenge, "not_me")
        else:
            with pytest.raises(PhoneError):
                await phone.approve_with_code(challenge, "9999")
            with pytest.raises(PhoneError):
                await phone.refuse(dict(challenge, nonce="A" * 43), "cancelled")
    await client.post("/securpass/v1/enrolments", json={})  # 401 token_missing
    with pytest.raises(PhoneError):
        await phone.pending_operations(wait=31)  # 400 malformed_query
    with pytest.raises(PhoneError):
        await phone.operation("no-such-operation")  # 404
    await phone.close()
    with pytest.raises(PhoneError):
        await phone.status()

    document = await (await client.get("/securpass/v1/openapi.json")).json()
    checked = set()
    for exchange in exchanges:
        if exchange["template"] in ("/securpass/v1/openapi.json", "/dev/sms"):
            continue
        operation = document["paths"][exchange["template"]][exchange["method"]]
        response_schema = operation["responses"][exchange["status"]]["content"]["application/json"][
            "schema"
        ]
        _validator(document, response_schema).validate(exchange["response"])
        request_body = operation.get("requestBody")
        if exchange["request"] and request_body is not None:
            schema = request_body["content"]["application/json"]["schema"]
            _validator(document, schema).validate(json.loads(exchange["request"]))
        checked.add((exchange["template"], exchange["method"], exchange["status"]))
    documented = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if not path.endswith(("/events", "/operations/pending", "/openapi.json"))
    }
    assert documented <= {(t, m) for t, m, _ in checked}
    assert {s for _, _, s in checked} >= {"200", "201", "400", "401", "403", "404", "422"}
