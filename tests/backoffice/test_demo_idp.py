"""The back office logs in against the demo's identity provider (merchant_simulator.idp): the
endpoints discovered from the issuer, the login form filled, the ID token verified by its
JWKS URL — what ``acs demo`` does."""

from __future__ import annotations

import dataclasses
import re
from html import unescape

import aiohttp
import pytest

from acs.web import create_app
from merchant_simulator.idp import DEMO_STAFF, start_idp
from tests.phones import signing_clock


@pytest.fixture
async def demo_idp(clock):
    running = await start_idp(port=0, clock=signing_clock(clock))
    yield running
    await running.close()


@pytest.fixture
async def demo_client(aiohttp_client, settings, keyring, clock, demo_idp):
    provider = dataclasses.replace(
        settings.identity_provider,
        issuer=demo_idp.url, jwks_url=demo_idp.jwks_url, jwks_file="",
        staff_authorization_endpoint="", staff_token_endpoint="",
    )  # fmt: skip
    served = dataclasses.replace(settings, identity_provider=provider)
    return await aiohttp_client(create_app(served, keys=keyring, clock=clock))


@pytest.mark.parametrize("account", DEMO_STAFF, ids=lambda a: a.role)
async def test_each_demo_account_logs_in(demo_client, account):
    started = await demo_client.get("/backoffice/login", allow_redirects=False)
    async with aiohttp.ClientSession() as http:
        async with http.get(started.headers["Location"]) as form_page:
            form = await form_page.text()
        fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
        fields = {k: unescape(v) for k, v in fields.items()}
        fields |= {"login": account.login, "password": account.password}
        async with http.post(
            started.headers["Location"].split("?")[0], data=fields, allow_redirects=False
        ) as signed_in:
            back = signed_in.headers["Location"]
    answer = await demo_client.get(back[back.index("/backoffice/") :])
    assert answer.status == 200, await answer.text()
    home = await (await demo_client.get("/backoffice/")).text()
    assert account.staff_id in home
