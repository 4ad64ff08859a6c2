"""Issue #11's three attacks, replayed against a production-profile ACS on its three listeners.

The attacker has HTTP access to every port (the worst case: the admin listener is meant for the
bank's network only) but no token of the bank's identity provider and no DS client
certificate. Each attack worked on the default ``acs serve`` of the first wave; each must fail
here with the specific refusal, and nothing must leak: no SMS to the victim, no enrolment, no
code readable, no RReq aimed at the attacker's host. docs/security.md, "Threat model".
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import func, select

from acs.config import Profile, Scheme, SchemeSettings
from acs.storage.securpass_models import EnrolmentRow
from acs.web import create_app
from acs.web.keys import SESSIONS
from tests.areqs import areq
from tests.challenge.helpers import SMS_CARD, SMS_MOBILE, creq_for, encode
from tests.test_listeners import Pki, listener_settings, pki, start  # noqa: F401

CAMILLE, CAMILLE_MOBILE = "C0001", "+33612345678"
ATTACKER_DS_URL = "https://collector.attacker.example/rreq"


@dataclasses.dataclass
class SmsProvider:
    """The bank's SMS provider: a real aiohttp app on port 0 that keeps what it was handed."""

    url: str = ""
    received: list[dict[str, str]] = dataclasses.field(default_factory=list)


@pytest.fixture
async def sms_provider() -> AsyncIterator[SmsProvider]:
    provider = SmsProvider()

    async def receive(request: web.Request) -> web.Response:
        provider.received.append(await request.json())
        return web.json_response({"status": "queued"})

    app = web.Application()
    app.router.add_post("/sms", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    provider.url = f"http://127.0.0.1:{port}/sms"
    yield provider
    await runner.cleanup()


@dataclasses.dataclass(frozen=True)
class Acs:
    urls: dict[str, str]  # ds, public, admin
    app: web.Application


@pytest.fixture
async def acs(settings, pki, keyring, clock, demo_data, sms_provider, fake_ds):  # noqa: F811
    """Production profile, three listeners (mutual TLS on ds), the SMS provider, ds_urls."""
    chosen = listener_settings(settings, pki)
    schemes = {
        scheme: dataclasses.replace(table, ds_urls=(fake_ds.url,))
        for scheme, table in chosen.schemes.items()
    }
    chosen = dataclasses.replace(
        chosen,
        profile=Profile.PRODUCTION,
        sms_gateway="webhook",
        sms_webhook_url=sms_provider.url,
        schemes=schemes,
    )
    assert chosen.scheme(Scheme.VISA) != SchemeSettings()
    app = create_app(chosen, keys=keyring, clock=clock)
    runner, up = await start(app, chosen)
    yield Acs(up.urls, app)
    await runner.cleanup()


async def call(method: str, url: str, **kwargs) -> tuple[int, dict | str]:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, url, ssl=kwargs.pop("ssl", False), **kwargs) as answer,
    ):
        if answer.content_type == "application/json":
            return answer.status, await answer.json()
        return answer.status, await answer.text()


async def enrolments(app: web.Application) -> int:
    async with app[SESSIONS]() as session:
        return await session.scalar(select(func.count()).select_from(EnrolmentRow)) or 0


async def test_account_takeover_fails_on_every_listener(acs, sms_provider):
    """Attack 1: a forged X-Banxo-Customer starts nothing, /dev/sms does not exist, and a forged
    X-Advisor-Id neither enrols face to face nor lifts the SP-15 delay: no SMS to Camille."""
    forged = {"X-Banxo-Customer": CAMILLE}
    status, body = await call(
        "POST", f"{acs.urls['public']}/securpass/v1/enrolments", json={}, headers=forged
    )
    assert (status, body["error"]) == (401, "token_missing")
    for name in ("public", "admin"):
        status, _ = await call("GET", f"{acs.urls[name]}/dev/sms?to=%2B33612345678")
        assert status == 404, name
    advisor = {"X-Advisor-Id": "adv-007"}
    backoffice = f"/backoffice/v1/customers/{CAMILLE}/securpass"
    face_to_face = {
        "sale_channel": "face_to_face",
        "amendment": {"reference": "AVN-INVENTED-1", "signed_on": "tablet"},
    }
    lift = {"identity_check": "address_change_procedure"}
    for path, body_json in (
        (f"{backoffice}/enrolments", face_to_face),
        (f"{backoffice}/delay-lift", lift),
    ):
        status, _ = await call(
            "POST", f"{acs.urls['public']}{path}", json=body_json, headers=advisor
        )
        assert status == 404, path  # the back office is not on the public listener at all
        status, body = await call(
            "POST", f"{acs.urls['admin']}{path}", json=body_json, headers=advisor
        )
        assert (status, body["error"]) == (401, "token_missing"), path
    assert await enrolments(acs.app) == 0
    assert not [sms for sms in sms_provider.received if sms["to"] == CAMILLE_MOBILE]


async def test_sms_otp_cannot_be_read_by_the_attacker(acs, pki, sms_provider, fake_ds):  # noqa: F811
    """Attack 2: during an SMS challenge the code goes to the SMS provider only; no listener
    serves a dev inbox to read it from."""
    message = areq("2.2.0", "browser", "pa", acctNumber=SMS_CARD, dsURL=fake_ds.url)
    status, ares = await call(
        "POST",
        f"{acs.urls['ds']}/3ds/areq",
        json=message,
        ssl=pki.visa_ds.client_context(trust=pki.server_ca),
    )
    assert (status, ares["transStatus"]) == (200, "C")
    status, page = await call(
        "POST",
        f"{acs.urls['public']}/3ds/challenge",
        data={"creq": encode(creq_for(message, ares))},
    )
    assert status == 200 and 'autocomplete="one-time-code"' in page
    assert [(sms["to"], sms["purpose"]) for sms in sms_provider.received] == [(SMS_MOBILE, "otp")]
    for name in ("ds", "public", "admin"):
        status, _ = await call(
            "GET", f"{acs.urls[name]}/dev/sms?to=%2B33698765432",
            ssl=pki.visa_ds.client_context(trust=pki.server_ca) if name == "ds" else False,
        )  # fmt: skip
        assert status == 404, name


async def test_rreq_forgery_is_refused_with_erro_203(acs, pki, fake_ds):  # noqa: F811
    """Attack 3: an AReq naming the attacker's host as dsURL gets Erro 203 dsURL; a DS without
    a scheme's client certificate cannot even send one."""
    message = areq("2.2.0", "browser", "pa", acctNumber=SMS_CARD, dsURL=ATTACKER_DS_URL)
    status, erro = await call(
        "POST",
        f"{acs.urls['ds']}/3ds/areq",
        json=message,
        ssl=pki.visa_ds.client_context(trust=pki.server_ca),
    )
    assert status == 200
    assert (erro["messageType"], erro["errorCode"], erro["errorDetail"]) == ("Erro", "203", "dsURL")
    with pytest.raises(aiohttp.ClientError):
        no_certificate = pki.server_ca.client_context()
        await call("POST", f"{acs.urls['ds']}/3ds/areq", json=message, ssl=no_certificate)
    status, _ = await call("POST", f"{acs.urls['public']}/3ds/areq", json=message)
    assert status == 404
