"""The OpenAPI 3.1 document of /banking/v1 stays true: the real exchanges of a story — each
status a route can answer — match the schemas it names."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aiohttp import web
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate as validate_spec

from acs.web import create_app
from acs.web.keys import SMS
from tests.banking.conftest import (
    CAMILLE,
    HUGO,
    LOUIS_ID,
    LOUIS_MOBILE,
    VALID,
    BankingApi,
)
from tests.phones import CODE


@pytest.fixture
async def recorded(aiohttp_client, settings, keyring, clock):
    """The real app with a middleware recording every /banking exchange."""
    exchanges: list[dict[str, Any]] = []

    @web.middleware
    async def record(request: web.Request, handler):
        response = await handler(request)
        if request.path.startswith("/banking/") and isinstance(response, web.Response):
            exchanges.append({
                "template": request.match_info.route.resource.canonical,
                "method": request.method.lower(), "status": str(response.status),
                "request": await request.read(), "response": json.loads(response.body),
            })  # fmt: skip
        return response

    app = create_app(settings, keys=keyring, clock=clock)
    app.middlewares.append(record)
    return await aiohttp_client(app), exchanges


async def test_real_exchanges_match_the_document(recorded, demo_data, identity_provider, bank,
                                                 make_phone):  # fmt: skip
    """Create (201, 200, 400, 403, 404, 409), status, code (401, 200), cancel (200, 409),
    without a token (401): every answer matches its documented schema."""
    client, exchanges = recorded
    api = BankingApi(client, identity_provider, bank)
    phone = make_phone()
    await phone.activate_selfcare("+33612345678", CODE)
    body = {"type": "transfer", "customer_id": CAMILLE, "fields": VALID["transfer"],
            "client_reference": "r-1"}  # fmt: skip
    created = (await api.call("POST", "/operations", json=body))[1]
    await api.call("POST", "/operations", json=body)  # 200, the same
    other = body | {"fields": VALID["transfer"] | {"amount_minor": 1}}
    await api.call("POST", "/operations", json=other)  # 409 client_reference_reused
    await api.create("transfer", expect=400, **(VALID["transfer"] | {"payee_iban": "FR00"}))
    await api.create("view_card_pin", LOUIS_ID, expect=403, **VALID["view_card_pin"])
    await api.create("login", HUGO, expect=403, **VALID["login"])
    await api.create("login", "C9999", expect=404, **VALID["login"])
    await api.status(created["operation_id"])
    await api.call("GET", f"/operations/{created['operation_id']}?wait=x")
    await api.call("GET", "/operations/unknown")
    await api.cancel(created["operation_id"])
    await api.cancel(created["operation_id"])  # 409
    sms = await api.create("transfer", LOUIS_ID, **VALID["transfer"])
    text = (await client.server.app[SMS].wait_for(LOUIS_MOBILE, 1))[0].text
    code = re.search(r"\b(\d{6})\b", text).group(1)
    await api.code(sms["operation_id"], "000000" if code != "000000" else "111111")  # 401
    await api.code(sms["operation_id"], code)
    await api.call("GET", "/operations/x", headers={"X": "no token"})

    document = await (await client.get("/banking/v1/openapi.json")).json()
    validate_spec(document)
    checked = set()
    for exchange in exchanges:
        if exchange["template"].endswith("openapi.json"):
            continue
        operation = document["paths"][exchange["template"]][exchange["method"]]
        content = operation["responses"][exchange["status"]]["content"]["application/json"]
        _validator(document, content["schema"]).validate(exchange["response"])
        request_body = operation.get("requestBody")
        if exchange["request"] and request_body is not None and exchange["status"] < "400":
            schema = request_body["content"]["application/json"]["schema"]
            _validator(document, schema).validate(json.loads(exchange["request"]))
        checked.add((exchange["template"], exchange["method"], exchange["status"]))
    assert {s for _, _, s in checked} >= {"200", "201", "400", "401", "403", "404", "409"}


def _validator(document: dict, schema: dict) -> OAS31Validator:
    return OAS31Validator({**schema, "components": document["components"]})
