"""schemathesis over ``/banking/v1/openapi.json``: generated cases for every operation, sent
through the real app with a valid service token. No case gets a 5xx; every answer has a status
the document lists; a refusal is ``{"error", "message"}``; a 2xx body matches its schema.

Seeded and bounded like the device API's (``ACS_SCHEMATHESIS_EXAMPLES``, 25 by default). The
long-poll is switched off (``max_wait_seconds = 0``): a generated ``wait`` is then a 400, and no
case sleeps.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openapi_schema_validator import OAS31Validator
from yarl import URL

from acs.config import Banking
from tests.banking.conftest import CLIENT, SECRET, VALID, service_headers
from tests.securpass_api.test_schemathesis import TRIES, _is_set, _schemathesis, _target

OPENAPI = Path(__file__).resolve().parents[2] / "acs" / "web" / "banking_openapi.json"
DOCUMENT = json.loads(OPENAPI.read_text(encoding="utf-8"))
OPERATIONS = [
    (method, path)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if operation.get("security")
]


@pytest.fixture
def banking_settings(bank) -> Banking:
    return Banking(clients=(CLIENT,), callback_urls=(bank.prefix,), callback_secret=SECRET,
                   max_wait_seconds=0)  # fmt: skip


def _load() -> Any:
    schemathesis = _schemathesis()
    experimental = getattr(schemathesis, "experimental", None)
    if hasattr(experimental, "OPEN_API_3_1"):
        experimental.OPEN_API_3_1.enable()
    openapi = getattr(schemathesis, "openapi", None)
    loader = getattr(openapi, "from_dict", None) or schemathesis.from_dict
    return loader(DOCUMENT)


def _check(method: str, path: str, status: int, body: Any, sent: str) -> None:
    responses = DOCUMENT["paths"][path][method]["responses"]
    assert status < 500, (status, body, sent)
    assert str(status) in responses, (status, body, sent)
    if status >= 400:
        assert isinstance(body.get("error"), str) and isinstance(body.get("message"), str), sent
        return
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    OAS31Validator({**schema, "components": DOCUMENT["components"]}).validate(body)


@pytest.fixture
async def pending(api, camille) -> str:
    """One pending operation of Camille's (a login), the cases' real operation id."""
    return (await api.create("login", **VALID["login"]))["operation_id"]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@TRIES
@given(data=st.data())
async def test_generated_calls_get_a_documented_answer(
    client, identity_provider, pending, method, path, data
):
    """A schemathesis case with a service token gets a documented status, never a 5xx."""
    operation = _load()[path][method.upper()]
    case = data.draw(operation.as_strategy(), label="case")
    target, routable = _target(
        path, case, {"operation_id": pending}, lambda n: data.draw(st.booleans(), label=n)
    )
    body = json.dumps(case.body).encode() if _is_set(case.body) else b""
    headers = service_headers(identity_provider) | {"Content-Type": "application/json"}
    response = await client.request(method, URL(target, encoded=True), data=body, headers=headers)
    if not routable and response.content_type != "application/json":
        assert response.status == 404, (response.status, target)
        return
    answer = await response.json(content_type=None)
    _check(method, path, response.status, answer, f"{method.upper()} {target} {body[:200]!r}")


def test_every_route_is_covered():
    assert len(OPERATIONS) == 4
