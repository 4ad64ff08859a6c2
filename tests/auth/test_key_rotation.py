"""The identity provider's keys from a JWKS URL (a real aiohttp app on port 0): cached, and a
rotated key picked up without restarting the ACS (#11 point 1)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from jwcrypto.jwk import JWK

from acs.web import create_app
from tests.phones import CAMILLE
from tests.tokens import bearer, es256_key

CURRENT = "/securpass/v1/enrolments/current"


class JwksServer:
    """The provider's ``/.well-known/jwks.json``, publishing ``keys``; counts the fetches."""

    def __init__(self, keys: list[JWK]) -> None:
        self.keys, self.fetches, self.status = keys, 0, 200
        self.app = web.Application()
        self.app.router.add_get("/.well-known/jwks.json", self._jwks)
        self.runner = web.AppRunner(self.app)

    async def _jwks(self, request: web.Request) -> web.Response:
        self.fetches += 1
        if self.status != 200:
            return web.Response(status=self.status)
        return web.json_response({"keys": [json.loads(k.export_public()) for k in self.keys]})

    async def start(self) -> str:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{self.runner.addresses[0][1]}/.well-known/jwks.json"


@pytest.fixture
async def jwks_server(identity_provider) -> AsyncIterator[tuple[JwksServer, str]]:
    server = JwksServer(list(identity_provider.keys))
    url = await server.start()
    yield server, url
    await server.runner.cleanup()


@pytest.fixture
async def url_client(aiohttp_client, settings, keyring, clock, demo_data, jwks_server):
    """The ACS with ``jwks_url`` (no file), 300 s cache."""
    _, url = jwks_server
    provider = dataclasses.replace(settings.identity_provider, jwks_file="", jwks_url=url)
    app = create_app(
        dataclasses.replace(settings, identity_provider=provider), keys=keyring, clock=clock
    )
    return await aiohttp_client(app)


async def _status(client, token: str) -> int:
    return (await client.get(CURRENT, headers=bearer(token))).status


async def test_keys_are_fetched_once_and_cached(url_client, jwks_server, identity_provider, clock):
    """The JWKS is fetched on first use and kept jwks_cache_seconds; then fetched again."""
    server, _ = jwks_server
    for _ in range(3):
        assert await _status(url_client, identity_provider.mint(CAMILLE)) == 404  # accepted
    assert server.fetches == 1
    clock.advance(seconds=299)
    assert await _status(url_client, identity_provider.mint(CAMILLE)) == 404
    assert server.fetches == 1
    clock.advance(seconds=1)
    assert await _status(url_client, identity_provider.mint(CAMILLE)) == 404
    assert server.fetches == 2


async def test_a_rotated_key_is_picked_up_without_restart(
    url_client, jwks_server, identity_provider, clock
):
    """A token with a new kid makes the ACS refetch at once (at most every 5 s): once the
    provider publishes the new key, its tokens pass; the old key's tokens stop when withdrawn."""
    server, _ = jwks_server
    assert await _status(url_client, identity_provider.mint(CAMILLE)) == 404
    new = es256_key("idp-2027-01")
    early = identity_provider.mint(CAMILLE, key=new)
    clock.advance(seconds=5)
    assert await _status(url_client, early) == 401  # not published yet: token_unknown_key
    assert server.fetches == 2
    server.keys = [new]  # rotation: the new key only
    assert await _status(url_client, identity_provider.mint(CAMILLE, key=new)) == 401
    assert server.fetches == 2  # within 5 s of the last try: no refetch (a flood of bad kids)
    clock.advance(seconds=5)
    assert await _status(url_client, identity_provider.mint(CAMILLE, key=new)) == 404
    assert server.fetches == 3
    response = await url_client.get(CURRENT, headers=bearer(identity_provider.mint(CAMILLE)))
    assert (await response.json())["error"] == "token_unknown_key"


async def test_a_provider_outage_keeps_the_known_keys(
    url_client, jwks_server, identity_provider, clock
):
    """A failed refetch keeps the cached keys; with none ever fetched the answer is a 503."""
    server, _ = jwks_server
    server.status = 500
    response = await url_client.get(CURRENT, headers=bearer(identity_provider.mint(CAMILLE)))
    assert (response.status, (await response.json())["error"]) == (
        503, "identity_provider_unavailable",
    )  # fmt: skip
    server.status = 200
    clock.advance(seconds=5)
    assert await _status(url_client, identity_provider.mint(CAMILLE)) == 404
    server.status = 500
    clock.advance(seconds=300)
    assert await _status(url_client, identity_provider.mint(CAMILLE)) == 404
    assert server.fetches == 3
