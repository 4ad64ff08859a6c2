"""schemathesis over the device API's OpenAPI document (issue 12): cases generated from
``/securpass/v1/openapi.json`` for every operation, sent through the real app with what lets
them reach the handlers: signed by a real activated phone (device routes), a fresh customer
token of the test identity provider (enrolment start, current enrolment, activation — which is
also signed), a fresh advisor's staff token (back office).

No case gets a 5xx; every answer has a status the document lists for its operation; a refusal
is ``{"error": <machine reason>, "message": <text>}``; a 2xx body matches its documented schema.

Seeded (``derandomize``, no example database) and bounded: ``ACS_SCHEMATHESIS_EXAMPLES`` cases
per operation (25 by default, a few seconds in all).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS31Validator
from yarl import URL

from merchant_simulator.phone.signing import sign_request
from tests.prereq import missing_prerequisite
from tests.securpass_api.conftest import CHLOE
from tests.tokens import bearer, staff_headers

OPENAPI = Path(__file__).resolve().parents[2] / "acs" / "web" / "securpass_openapi.json"
DOCUMENT = json.loads(OPENAPI.read_text(encoding="utf-8"))
EXAMPLES = int(os.environ.get("ACS_SCHEMATHESIS_EXAMPLES", "25"))
SIGNED = [{"deviceSignature": []}]
NOT_GENERATED = {("get", "/securpass/v1/devices/{device_id}/events")}  # a WebSocket (101)
UNROUTABLE = set("/{}")  # decoded before routing: a route's {id} may not match them
TRIES = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def signed_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation whose only security is the device signature."""
    return [
        (method, path)
        for path, item in DOCUMENT["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
        and operation.get("security") == SIGNED
        and (method, path) not in NOT_GENERATED
    ]


TOKENS = ("customerToken", "staffToken")


def token_operations() -> list[tuple[str, str, str]]:
    """(method, path, token scheme) of every operation authorised by a bearer token."""
    return [
        (method, path, scheme)
        for path, item in DOCUMENT["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
        for scheme in TOKENS
        if any(scheme in requirement for requirement in operation.get("security", []))
    ]


def token_headers(identity_provider: Any, scheme: str) -> dict[str, str]:
    """A fresh token (its jti is accepted once): Chloé's for the app, an advisor's for staff."""
    if scheme == "staffToken":
        return staff_headers(identity_provider, role="advisor")
    return bearer(identity_provider.mint(CHLOE))


def _schemathesis() -> Any:
    try:
        import schemathesis  # type: ignore[import-not-found]
    except ImportError:
        missing_prerequisite("schemathesis is not installed (pip install -e '.[test]')")
    return schemathesis


def _load(schemathesis: Any) -> Any:
    """The document as a schemathesis schema (4.x ``openapi.from_dict``, 3.x ``from_dict``)."""
    experimental = getattr(schemathesis, "experimental", None)  # 3.x: OpenAPI 3.1 opt-in
    if hasattr(experimental, "OPEN_API_3_1"):
        experimental.OPEN_API_3_1.enable()
    openapi = getattr(schemathesis, "openapi", None)
    loader = getattr(openapi, "from_dict", None) or schemathesis.from_dict
    return loader(DOCUMENT)


def _is_set(value: Any) -> bool:
    return value is not None and type(value).__name__ != "NotSet"


def _target(path: str, case: Any, known: dict[str, str], choose: Any) -> tuple[str, bool]:
    """The raw request target: the real device and operation ids most of the time (so the
    handlers are reached), schemathesis' own values otherwise; query as generated. And
    whether a route surely matches it (an id with ``{`` or ``}`` cannot match one)."""
    params = dict(case.path_parameters or {}) if _is_set(case.path_parameters) else {}
    for name, real in known.items():
        if name in params and choose(name):
            params[name] = real
    routable = all(UNROUTABLE.isdisjoint(str(v)) and str(v) for v in params.values())
    target = path.format(**{k: quote(str(v), safe="") for k, v in params.items()})
    query = case.query if _is_set(case.query) else None
    return (f"{target}?{urlencode(query, doseq=True)}" if query else target), routable


def _documented(method: str, path: str) -> dict[str, Any]:
    return DOCUMENT["paths"][path][method]["responses"]


def _check(method: str, path: str, status: int, body: Any, sent: str) -> None:
    responses = _documented(method, path)
    assert status < 500, (status, body, sent)
    assert str(status) in responses, (status, body, sent)
    if status >= 400:
        assert isinstance(body, dict), (status, body, sent)
        assert isinstance(body.get("error"), str) and body["error"], (status, body, sent)
        assert isinstance(body.get("message"), str), (status, body, sent)
        return
    content = responses[str(status)].get("content", {}).get("application/json")
    if content is not None and "schema" in content:
        validator = OAS31Validator({**content["schema"], "components": DOCUMENT["components"]})
        validator.validate(body)


async def _send_case(
    client: Any, data: Any, method: str, path: str, known: dict[str, str],
    headers_for: Callable[[str, bytes], dict[str, str]],
) -> None:  # fmt: skip
    """Draw a schemathesis case for the operation, send it with ``headers_for(target, body)``
    through the real app, and check the answer against the document."""
    operation = _load(_schemathesis())[path][method.upper()]
    case = data.draw(operation.as_strategy(), label="case")
    target, routable = _target(path, case, known, lambda name: data.draw(st.booleans(), label=name))
    body = json.dumps(case.body).encode() if _is_set(case.body) else b""
    headers = headers_for(target, body)
    if body:
        headers["Content-Type"] = "application/json"
    response = await client.request(method, URL(target, encoded=True), data=body, headers=headers)
    if not routable and response.content_type != "application/json":
        assert response.status == 404, (response.status, target)  # the router's, not JSON
        return
    answer = await response.json(content_type=None)
    _check(method, path, response.status, answer, f"{method.upper()} {target} {body[:200]!r}")


@pytest.fixture
async def pending(new_operation) -> str:
    """One pending operation of Camille's, made once per test (its examples share it)."""
    return await new_operation()


@pytest.mark.parametrize(("method", "path"), signed_operations())
@TRIES
@given(data=st.data())
async def test_signed_device_calls_get_a_documented_answer(
    client, camille, pending, clock, method, path, data
):
    """A schemathesis case on a signed device route, signed by Camille's phone, gets one of
    the operation's documented statuses, never a 5xx, and a refusal names its ``error``."""
    device_id = camille.keys.device_id or ""
    known = {"device_id": device_id, "operation_id": pending}
    await _send_case(client, data, method, path, known, lambda target, body: sign_request(
        camille.keys.possession, method=method, path=target, body=body,
        device_id=device_id, timestamp=int(clock.now().timestamp()),
    ))  # fmt: skip


@pytest.mark.parametrize(("method", "path", "scheme"), token_operations())
@TRIES
@given(data=st.data())
async def test_token_authorised_calls_get_a_documented_answer(
    client, camille, clock, identity_provider, method, path, scheme, data
):
    """A schemathesis case on a token-authorised route (the pre-device calls, the back
    office), with a fresh token — and signed when the operation is also signed — gets one of
    its documented statuses, never a 5xx, and a refusal names its ``error``."""
    signed = "deviceSignature" in DOCUMENT["paths"][path][method]["security"][0]

    def headers(target: str, body: bytes) -> dict[str, str]:
        token = token_headers(identity_provider, scheme)
        if not signed:
            return token
        return token | sign_request(
            camille.keys.possession, method=method, path=target, body=body,
            device_id=camille.keys.device_id or "", timestamp=int(clock.now().timestamp()),
        )  # fmt: skip

    await _send_case(client, data, method, path, {"customer_id": CHLOE}, headers)


def test_every_token_route_is_covered():
    """The token-authorised operations are the three pre-device calls and the back office."""
    found = {(m, p) for m, p, _ in token_operations()}
    assert ("post", "/securpass/v1/enrolments/{enrolment_id}/activation") in found
    assert {p for _, p, s in token_operations() if s == "staffToken"} == {
        p for p in DOCUMENT["paths"] if p.startswith("/backoffice/v1/")
    }
    assert len(found) == 3 + 4


def test_every_signed_route_is_covered():
    """The generated routes are every signed device route but the WebSocket, and no other."""
    paths = {p for _, p in signed_operations()}
    assert "/securpass/v1/operations/{operation_id}/answer" in paths
    assert "/securpass/v1/devices/{device_id}/events" not in paths
    assert all(p.startswith("/securpass/v1/") for p in paths)
    assert len(signed_operations()) == 8
