"""Enrolment calls per client address (issue #12 point 5): at most N starts and activations
from one address in any hour, counted by the HMAC of the address before the identity token is
spent; X-Forwarded-For counts only behind a configured trusted proxy."""

from __future__ import annotations

from dataclasses import replace

import pytest
from aiohttp.test_utils import make_mocked_request
from sqlalchemy import select

from acs.config import Settings
from acs.flows.housekeeping import purge_expired
from acs.storage.models import AddressHitRow
from acs.web.client_address import client_address
from acs.web.keys import SESSIONS, SMS
from tests.securpass_api.conftest import CAMILLE, CAMILLE_MOBILE
from tests.tokens import bearer

START = "/securpass/v1/enrolments"
LIMIT = 2


@pytest.fixture
def proxies() -> tuple[str, ...]:
    return ()


@pytest.fixture
def codes_per_hour() -> int:
    return 3


@pytest.fixture
def settings(settings: Settings, proxies: tuple[str, ...], codes_per_hour: int) -> Settings:
    return replace(
        settings,
        enrolment_calls_per_address_per_hour=LIMIT,
        trusted_proxies=proxies,
        activation_codes_per_hour=codes_per_hour,
    )


async def start(client, token: str, forwarded: str | None = None):
    headers = bearer(token) | ({"X-Forwarded-For": forwarded} if forwarded else {})
    return await client.post(START, headers=headers)


async def test_the_third_start_from_one_address_is_a_429_that_spends_nothing(
    client, app, demo_data, identity_provider, clock
):
    """Two starts pass; the third is a 429 with Retry-After, no SMS, and its token unspent:
    the same token starts the enrolment once the first call has left the hour."""
    for minutes in (50, 5):
        assert (await start(client, identity_provider.mint(CAMILLE))).status == 201
        clock.advance(minutes=minutes)
    sms_before = len(app[SMS].inbox(CAMILLE_MOBILE))
    token = identity_provider.mint(CAMILLE, exp=int(clock.now().timestamp()) + 600)
    refused = await start(client, token)
    assert refused.status == 429
    assert await refused.json() == {
        "error": "too_many_requests_from_address",
        "message": "Trop de demandes depuis cette adresse : réessayez plus tard.",
        "retry_after": 5 * 60,
    }
    assert refused.headers["Retry-After"] == str(5 * 60)
    assert len(app[SMS].inbox(CAMILLE_MOBILE)) == sms_before
    clock.advance(minutes=4)
    assert (await start(client, token)).status == 429  # not yet
    clock.advance(minutes=1)
    assert (await start(client, token)).status == 201


async def test_activations_count_too_and_are_refused_before_anything_is_read(
    client, demo_data, identity_provider
):
    """An activation from an address at its limit is a 429 even with no token and no body:
    nothing is parsed, verified or spent for it."""
    for _ in range(LIMIT):
        assert (await start(client, identity_provider.mint(CAMILLE))).status == 201
    refused = await client.post(f"{START}/any/activation", data=b"not json")
    assert refused.status == 429
    assert (await refused.json())["error"] == "too_many_requests_from_address"


async def test_a_forwarded_header_is_ignored_without_a_trusted_proxy(
    client, demo_data, identity_provider
):
    """A client cannot escape the limit by naming another address in X-Forwarded-For."""
    for n in range(LIMIT):
        token = identity_provider.mint(CAMILLE)
        assert (await start(client, token, forwarded=f"203.0.113.{n}")).status == 201
    refused = await start(client, identity_provider.mint(CAMILLE), forwarded="203.0.113.99")
    assert refused.status == 429


@pytest.mark.parametrize("proxies", [("127.0.0.1/32", "10.0.0.0/8")])
async def test_behind_a_trusted_proxy_each_client_address_has_its_own_count(
    client, app, demo_data, identity_provider, clock
):
    """Behind the bank's proxies (127.0.0.1 and 10/8 here) the client is the rightmost address
    that is not a proxy; what the client wrote further left is not believed. Only the HMAC of
    the address is stored."""
    client_a = "198.51.100.7"
    for _ in range(LIMIT):  # a left-hand value written by the client changes nothing
        token = identity_provider.mint(CAMILLE)
        forwarded = f"192.0.2.{clock.now().minute}, {client_a}, 10.1.2.3"
        assert (await start(client, token, forwarded=forwarded)).status == 201
        clock.advance(minutes=1)
    assert (await start(client, identity_provider.mint(CAMILLE), forwarded=client_a)).status == 429
    other = await start(client, identity_provider.mint(CAMILLE), forwarded="198.51.100.8")
    assert other.status == 201
    async with app[SESSIONS]() as session:
        hashes = (await session.scalars(select(AddressHitRow.address_hash))).all()
    assert len(hashes) == LIMIT + 1
    assert all(len(h) == 64 and "198.51" not in h for h in hashes)


@pytest.mark.parametrize("codes_per_hour", [1])
async def test_activation_codes_per_customer_is_a_setting(client, demo_data, identity_provider):
    """``activation_codes_per_hour`` = 1: the customer's second start within the hour is the
    per-customer 429 (the address still had room)."""
    assert (await start(client, identity_provider.mint(CAMILLE))).status == 201
    refused = await start(client, identity_provider.mint(CAMILLE))
    assert refused.status == 429
    assert (await refused.json())["error"] == "too_many_activation_codes"
    assert refused.headers["Retry-After"] == "3600"


async def test_hits_older_than_the_hour_are_purged(
    client, app, demo_data, identity_provider, clock
):
    assert (await start(client, identity_provider.mint(CAMILLE))).status == 201
    await purge_expired(app[SESSIONS], now=clock.now())
    async with app[SESSIONS]() as session:
        assert len((await session.scalars(select(AddressHitRow.id))).all()) == 1
    clock.advance(minutes=61)
    await purge_expired(app[SESSIONS], now=clock.now())
    async with app[SESSIONS]() as session:
        assert (await session.scalars(select(AddressHitRow.id))).all() == []


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),  # not a proxy: the header is ignored
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "198.51.100.1, 10.0.0.9", "198.51.100.1"),  # two proxies in a row
        ("10.0.0.2", "10.0.0.8, 10.0.0.9", "10.0.0.2"),  # only proxies: the peer
        ("10.0.0.2", "not-an-address", "10.0.0.2"),  # garbage from the proxy: the peer
        ("10.0.0.2", None, "10.0.0.2"),
    ],
)
def test_client_address(peer, forwarded, expected):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = make_mocked_request("POST", START, headers=headers)
    request._transport_peername = (peer, 1234)  # what aiohttp reads request.remote from
    networks = replace(Settings(), trusted_proxies=("10.0.0.0/8",)).proxy_networks
    assert client_address(request, networks) == expected
