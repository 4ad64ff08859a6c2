"""Fixtures for the banking operations API: the real app with a ``[banking]`` table, a fake bank
back end (a real aiohttp app on port 0) receiving the callbacks, and service tokens."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from acs.config import Banking, IdentityProvider, Settings
from acs.web.keys import SMS
from tests.app_fixtures import BASE_URL
from tests.phones import CAMILLE, CODE, camille, make_phone
from tests.tokens import DROP, TestIdentityProvider, bearer

BANKING_AUDIENCE = IdentityProvider().banking_audience
CLIENT = "banxo-online-banking"
SECRET = "test-callback-secret-0123456789abcdef"
LOUIS_ID, LOUIS_MOBILE = "C0002", "+33698765432"  # SMS codes only (no app)
HUGO = "C0004"  # no Sécur'Pass, no secure mobile
IBAN = "FR7630006000011234567890189"
OTHER_IBAN = "DE89370400440532013000"
__all__ = ["CAMILLE", "CODE", "camille", "make_phone"]


@dataclass
class Callback:
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        import json

        return json.loads(self.body)


class FakeBank:
    """The bank's back end: records every callback; ``fail_next`` answers 503 that many times."""

    def __init__(self) -> None:
        self.callbacks: list[Callback] = []
        self.refused: list[Callback] = []
        self.fail_next = 0
        self.arrived = asyncio.Condition()
        self.server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/acs-callbacks"))

    @property
    def prefix(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/"))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/acs-callbacks", self._callback)
        self.server = TestServer(app, port=0)
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def _callback(self, request: web.Request) -> web.Response:
        received = Callback(dict(request.headers), await request.read())
        async with self.arrived:
            if self.fail_next > 0:
                self.fail_next -= 1
                self.refused.append(received)
                self.arrived.notify_all()
                return web.Response(status=503)
            self.callbacks.append(received)
            self.arrived.notify_all()
        return web.Response(status=204)

    def for_operation(self, operation_id: str) -> list[Callback]:
        return [c for c in self.callbacks if c.json()["operation_id"] == operation_id]

    async def wait_for(self, operation_id: str, timeout: float = 10.0) -> Callback:
        async with self.arrived:
            await asyncio.wait_for(
                self.arrived.wait_for(lambda: bool(self.for_operation(operation_id))), timeout
            )
        return self.for_operation(operation_id)[0]

    async def wait_refused(self, count: int, timeout: float = 10.0) -> None:
        async with self.arrived:
            arrived = self.arrived.wait_for(lambda: len(self.refused) >= count)
            await asyncio.wait_for(arrived, timeout)


@pytest.fixture
async def bank():
    fake = FakeBank()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def banking_settings(bank: FakeBank) -> Banking:
    return Banking(clients=(CLIENT, "other-system"), callback_urls=(bank.prefix,),
                   callback_secret=SECRET)  # fmt: skip


@pytest.fixture
def settings(
    database_url: str, keys_dir, identity_provider: TestIdentityProvider, banking_settings
) -> Settings:
    return Settings(
        database_url=database_url, keys_dir=str(keys_dir), public_base_url=BASE_URL,
        identity_provider=identity_provider.settings, banking=banking_settings,
    )  # fmt: skip


def service_headers(idp: TestIdentityProvider, *, client: Any = CLIENT, **claims: Any) -> dict:
    """``Authorization`` for a call of the bank's back end: a service token (no acr/amr)."""
    fields = {"client": client, "acr": DROP, "amr": DROP} | claims
    return bearer(idp.mint("svc-online-banking", audience=BANKING_AUDIENCE, **fields))


class BankingApi:
    """The bank's back end calling ``/banking/v1`` on the test app."""

    def __init__(self, client, idp: TestIdentityProvider, bank: FakeBank) -> None:
        self.client, self.idp, self.bank = client, idp, bank
        self.token = service_headers(idp)  # one service token, reused (RFC 6749 §4.4)

    async def call(self, method: str, path: str, *, headers=None, **kwargs) -> tuple[int, Any]:
        response = await self.client.request(
            method, f"/banking/v1{path}", headers=headers or self.token, **kwargs
        )
        return response.status, await response.json()

    async def create(self, op_type: str, customer: str = CAMILLE, /, *, expect: int = 201,
                     callback: bool = True, **fields: Any) -> dict[str, Any]:  # fmt: skip
        body: dict[str, Any] = {"type": op_type, "customer_id": customer, "fields": fields}
        if callback:
            body["callback_url"] = self.bank.url
        status, answer = await self.call("POST", "/operations", json=body)
        assert status == expect, answer
        return answer

    async def status(self, operation_id: str, wait: float = 0) -> dict[str, Any]:
        status, answer = await self.call("GET", f"/operations/{operation_id}?wait={wait}")
        assert status == 200, answer
        return answer

    async def code(self, operation_id: str, code: str) -> tuple[int, Any]:
        return await self.call("POST", f"/operations/{operation_id}/code", json={"code": code})

    async def cancel(self, operation_id: str) -> tuple[int, Any]:
        return await self.call("POST", f"/operations/{operation_id}/cancel")


@pytest.fixture
def api(client, identity_provider, bank) -> BankingApi:
    return BankingApi(client, identity_provider, bank)


@pytest.fixture
def sms_inbox(app):
    return app[SMS]


@pytest.fixture
def app(client):
    return client.server.app


# The fields of one valid operation per type, and what its summary must show and bind.
VALID: dict[str, dict[str, Any]] = {
    "transfer": {"amount_minor": 25000, "payee_name": "Paul Durand", "payee_iban": IBAN},
    "pis_payment": {"amount_minor": 8990, "payee_name": "boutique-exemple.fr"},
    "cardless_withdrawal": {"amount_minor": 6000, "card_last4": "0014"},
    "add_beneficiary": {"name": "Paul Durand", "iban": IBAN},
    "e_signature": {"title": "Contrat assurance habitation", "document_sha256": "ab" * 32},
    "card_limit_increase": {"new_limit_minor": 300000, "duration_days": 7, "card_last4": "0014"},
    "contact_change": {"kind": "email", "new_email": "camille.martin@example.fr"},
    "login": {"channel": "web", "device": "Firefox sur Linux"},
    "view_card_pin": {"card_last4": "0014"},
    "wallet_enrolment": {"wallet": "apple_pay", "card_last4": "0014"},
}


async def wait_status(api: BankingApi, operation_id: str, status: str) -> dict[str, Any]:
    """The operation's status once it is ``status`` (long-polls a few times)."""
    for _ in range(20):
        view = await api.status(operation_id, wait=1)
        if view["status"] == status:
            return view
    raise AssertionError(f"{operation_id} never became {status}: {view}")
