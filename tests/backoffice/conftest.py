"""The back office in the browser: the real ACS app, the test OIDC provider on port 0, and
``login(role=...)``, which runs the whole authorisation code flow through both."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest

from acs.config import Settings
from tests.tokens import TestIdentityProvider, TestOidcProvider

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
async def oidc(identity_provider: TestIdentityProvider) -> AsyncIterator[TestOidcProvider]:
    provider = TestOidcProvider(identity_provider)
    await provider.start()
    yield provider
    await provider.close()


@pytest.fixture
def settings(settings: Settings, oidc: TestOidcProvider) -> Settings:
    """The ACS's settings, its staff login pointed at the test OIDC provider."""
    provider = dataclasses.replace(settings.identity_provider, **oidc.endpoints())
    return dataclasses.replace(settings, identity_provider=provider)


async def follow_to_callback(client, oidc: TestOidcProvider) -> str:
    """``/backoffice/login`` → the provider's ``/authorize`` → the callback path (not called)."""
    started = await client.get("/backoffice/login", allow_redirects=False)
    assert started.status == 302, await started.text()
    async with (
        aiohttp.ClientSession() as http,
        http.get(started.headers["Location"], allow_redirects=False) as answer,
    ):
        assert answer.status == 302
        back = answer.headers["Location"]
    return back[back.index("/backoffice/") :]


Login = Callable[..., Awaitable[str]]


@pytest.fixture
def login(client, oidc: TestOidcProvider) -> Login:
    """Log the test client in as ``role``; the CSRF token of the session."""

    async def _login(role: str = "advisor", *, sub: str = "adv-007", branch: str = "0421") -> str:
        oidc.account = {"sub": sub, "role": role, "branch": branch}
        answer = await client.get(await follow_to_callback(client, oidc))
        text = await answer.text()
        assert answer.status == 200, text
        found = CSRF.search(text)
        assert found is not None
        return found.group(1)

    return _login


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None
    return found.group(1)


from tests.phones import camille, make_phone  # noqa: E402, F401  (fixtures for the pages)

# A customer whose personal e-mail is a day old (SP-14 (b): 48 h of delay left), no card.
NEW_EMAIL = ("C0100", "individual", "Inès Moreau", "true", "+33633334444", "ines@example.test",
             "2026-11-28T09:00:00Z", "true")  # fmt: skip


@pytest.fixture
async def ines(load, demo_data) -> str:
    await load("customers", [NEW_EMAIL])
    return NEW_EMAIL[0]
