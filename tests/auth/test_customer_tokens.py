"""Customer tokens on the device API (#11 point 1): who the customer is comes from a verified
identity-provider token only; every refusal is a 401 with a machine-readable reason."""

from __future__ import annotations

import dataclasses

import pytest
from jwcrypto.jwk import JWK
from sqlalchemy import func, select

from acs.flows.housekeeping import purge_expired
from acs.storage.models import UsedTokenRow
from acs.web import create_app
from acs.web.keys import SESSIONS, SMS
from tests.phones import CAMILLE, CAMILLE_MOBILE
from tests.securpass_api.conftest import LOUIS
from tests.tokens import (
    DROP,
    STAFF_AUDIENCE,
    bearer,
    es256_key,
    rs256_key,
    sign,
    unsigned,
)

START = "/securpass/v1/enrolments"
CURRENT = "/securpass/v1/enrolments/current"


async def _refusal(response) -> str:
    """The reason of a token refusal, after checking its shape (401, JSON, WWW-Authenticate)."""
    assert response.status == 401, await response.text()
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    body = await response.json()
    assert set(body) == {"error", "message"} and body["message"]
    return body["error"]


async def test_a_start_without_a_token_is_token_missing(client, demo_data):
    """No Authorization header, or another scheme than Bearer: 401 token_missing."""
    assert await _refusal(await client.post(START, json={})) == "token_missing"
    basic = {"Authorization": "Basic QzAwMDE6eA=="}
    assert await _refusal(await client.post(START, json={}, headers=basic)) == "token_missing"


async def test_a_token_that_is_no_jws_is_token_malformed(client, demo_data):
    """A bearer value that is not a compact JWS with a JSON header: 401 token_malformed."""
    for token in ("abc", "a.b.c", "e30.e30.", "W10.e30.x", "x.y" * 2000):
        response = await client.get(CURRENT, headers=bearer(token))
        assert await _refusal(response) == "token_malformed", token[:20]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": -31, "iat": -300}, "token_expired"),
        ({"iat": 31 + 60, "exp": 300}, "token_not_yet_valid"),
        ({"nbf": 120}, "token_not_yet_valid"),
        ({"exp": 16 * 60}, "token_too_long_lived"),
        ({"iss": "https://idp.evil.test"}, "token_wrong_issuer"),
        ({"aud": STAFF_AUDIENCE}, "token_wrong_audience"),
        ({"aud": ["acs-other", STAFF_AUDIENCE]}, "token_wrong_audience"),
        ({"sub": DROP}, "token_claims"),
        ({"sub": ""}, "token_claims"),
        ({"sub": "C" * 65}, "token_claims"),
        ({"sub": "C0001\n"}, "token_claims"),
        ({"jti": DROP}, "token_claims"),
        ({"jti": "j" * 129}, "token_claims"),
        ({"jti": 42}, "token_claims"),
        ({"exp": "soon"}, "token_claims"),
        ({"iat": True}, "token_claims"),
        ({"iss": DROP}, "token_claims"),
        ({"aud": DROP}, "token_claims"),
        ({"amr": "pwd"}, "token_claims"),
    ],
)
async def test_bad_claims_are_refused_with_their_reason(
    client, demo_data, identity_provider, clock, overrides, reason
):
    """Each claim rule of the spec has its own reason (times relative to now, in seconds)."""
    now = int(clock.now().timestamp())
    relative = {"exp", "iat", "nbf"}
    claims = {
        k: now + v if k in relative and isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in overrides.items()
    }
    token = identity_provider.mint(CAMILLE, **claims)
    assert await _refusal(await client.post(START, json={}, headers=bearer(token))) == reason


async def test_the_leeway_tolerates_a_little_clock_skew(
    client, demo_data, identity_provider, clock
):
    """A token expired 20 s ago or issued 20 s ahead is within the 30 s leeway: accepted."""
    now = int(clock.now().timestamp())
    late = identity_provider.mint(CAMILLE, iat=now - 320, exp=now - 20)
    early = identity_provider.mint(CAMILLE, iat=now + 20, exp=now + 320)
    for token in (late, early):
        assert (await client.get(CURRENT, headers=bearer(token))).status == 404  # no enrolment


async def test_a_replayed_token_is_refused(client, demo_data, identity_provider):
    """A jti is accepted once: the same token a second time is 401 token_replayed."""
    token = identity_provider.mint(CAMILLE)
    assert (await client.get(CURRENT, headers=bearer(token))).status == 404
    assert await _refusal(await client.get(CURRENT, headers=bearer(token))) == "token_replayed"


async def test_a_replay_on_another_instance_is_refused(
    aiohttp_client, client, settings, keyring, clock, demo_data, identity_provider
):
    """Two ACS processes on one database: a token spent on one is replayed on the other."""
    other = await aiohttp_client(create_app(settings, keys=keyring, clock=clock))
    token = identity_provider.mint(CAMILLE)
    assert (await client.get(CURRENT, headers=bearer(token))).status == 404
    assert await _refusal(await other.get(CURRENT, headers=bearer(token))) == "token_replayed"


async def test_the_replay_table_keeps_hashes_and_is_purged(
    client, demo_data, identity_provider, clock
):
    """Only a SHA-256 is stored, never the jti; housekeeping forgets it once exp + leeway passed."""
    jti = "jti-visible-in-clear"
    await client.get(CURRENT, headers=bearer(identity_provider.mint(CAMILLE, jti=jti)))
    sessions = client.server.app[SESSIONS]
    async with sessions() as session:
        [row] = (await session.scalars(select(UsedTokenRow))).all()
    assert jti not in row.jti_hash and len(row.jti_hash) == 64
    clock.advance(seconds=300 + 29)
    await purge_expired(sessions, now=clock.now())
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(UsedTokenRow)) == 1
    clock.advance(seconds=2)
    await purge_expired(sessions, now=clock.now())
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(UsedTokenRow)) == 0


async def test_a_token_of_an_unknown_key_is_refused(client, demo_data, identity_provider):
    """Signed by a key the provider does not publish: unknown kid → token_unknown_key; a known
    kid but another key → token_bad_signature."""
    stranger = es256_key("stranger")
    token = identity_provider.mint(CAMILLE, key=stranger)
    assert await _refusal(await client.get(CURRENT, headers=bearer(token))) == "token_unknown_key"
    forged = sign(identity_provider.claims(CAMILLE), stranger, alg="ES256", kid="test-es256")
    assert (
        await _refusal(await client.get(CURRENT, headers=bearer(forged))) == "token_bad_signature"
    )


async def test_alg_none_and_hs256_are_refused(client, demo_data, identity_provider):
    """``alg: none`` and HS256 keyed with the provider's public key never pass: the algorithm
    comes from the allow-list (ES256, RS256), not from the token."""
    claims = identity_provider.claims(CAMILLE)
    none = unsigned(claims)
    public = es256_key().export_to_pem().decode()
    secret = JWK.from_password(public)
    hs256 = sign(claims, secret, alg="HS256", kid="test-es256")
    for token in (none, hs256):
        assert await _refusal(await client.get(CURRENT, headers=bearer(token))) == "token_malformed"
    no_kid = sign(claims, es256_key(), alg="ES256", kid=None)
    assert await _refusal(await client.get(CURRENT, headers=bearer(no_kid))) == "token_malformed"


async def test_an_algorithm_not_matching_the_key_is_a_bad_signature(
    client, demo_data, identity_provider
):
    """An RS256 header naming the EC key's kid is refused (the key decides the algorithm)."""
    token = sign(identity_provider.claims(CAMILLE), rs256_key(), alg="RS256", kid="test-es256")
    assert await _refusal(await client.get(CURRENT, headers=bearer(token))) == "token_bad_signature"


async def test_rs256_tokens_are_accepted(client, demo_data, identity_provider):
    """RS256 with a 2048-bit key of the JWKS verifies as well as ES256."""
    token = identity_provider.mint(CAMILLE, key=rs256_key())
    assert (await client.get(CURRENT, headers=bearer(token))).status == 404


async def test_weak_keys_in_the_jwks_are_not_used(client, demo_data, identity_provider):
    """An RSA key under 2048 bits or an EC key off P-256 published by the provider is skipped:
    its tokens are token_unknown_key."""
    small, p384 = rs256_key("small", 1024), JWK.generate(kty="EC", crv="P-384", kid="p384")
    identity_provider.keys += [small, p384]
    identity_provider.publish()
    for key, alg in ((small, "RS256"), (p384, "ES384")):
        token = sign(identity_provider.claims(CAMILLE), key, alg=alg)
        reason = await _refusal(await client.get(CURRENT, headers=bearer(token)))
        assert reason == ("token_unknown_key" if alg == "RS256" else "token_malformed")


async def test_activation_calls_need_the_login_strength(client, demo_data, identity_provider):
    """Start and activation need acr in activation_acr; reading the enrolment does not."""
    weak = identity_provider.mint(CAMILLE, acr="low")
    assert (
        await _refusal(await client.post(START, json={}, headers=bearer(weak))) == "login_too_weak"
    )
    no_acr = identity_provider.mint(CAMILLE, acr=DROP)
    assert (
        await _refusal(await client.post(START, json={}, headers=bearer(no_acr)))
        == "login_too_weak"
    )
    weak_read = identity_provider.mint(CAMILLE, acr="low")
    assert (await client.get(CURRENT, headers=bearer(weak_read))).status == 404
    activation = f"{START}/any/activation"
    strong_enough = identity_provider.mint(CAMILLE, acr="low")
    response = await client.post(activation, json={}, headers=bearer(strong_enough))
    assert await _refusal(response) == "login_too_weak"


async def test_activation_amr_methods_are_all_required(
    aiohttp_client, settings, keyring, clock, demo_data, identity_provider
):
    """With activation_amr = ["app"], a password-only login cannot start an activation."""
    provider = dataclasses.replace(settings.identity_provider, activation_amr=("app",))
    app = create_app(
        dataclasses.replace(settings, identity_provider=provider), keys=keyring, clock=clock
    )
    client = await aiohttp_client(app)
    pwd_only = identity_provider.mint(CAMILLE, amr=["pwd"])
    assert (
        await _refusal(await client.post(START, json={}, headers=bearer(pwd_only)))
        == "login_too_weak"
    )
    both = identity_provider.mint(CAMILLE, amr=["pwd", "app"])
    assert (await client.post(START, json={}, headers=bearer(both))).status == 201


async def test_the_customer_is_the_tokens_subject_and_nothing_else(
    client, demo_data, identity_provider
):
    """The attack of #11: with only HTTP access and Louis's own token (C0002), the attacker
    cannot start an enrolment for Camille (C0001): no header, path or body field names the
    customer; the start is judged for Louis (not eligible in the app), Camille gets no SMS and
    no enrolment."""
    sms = client.server.app[SMS]
    forged = {"X-Banxo-Customer": CAMILLE, "X-Customer-Id": CAMILLE}
    anonymous = await client.post(START, json={"customer_id": CAMILLE}, headers=forged)
    assert await _refusal(anonymous) == "token_missing"
    token = identity_provider.mint(LOUIS)
    response = await client.post(
        START, json={"customer_id": CAMILLE}, headers=forged | bearer(token)
    )
    assert (response.status, (await response.json())["error"]) == (403, "not_eligible")
    assert sms.inbox(CAMILLE_MOBILE) == []
    camille_view = await client.get(CURRENT, headers=bearer(identity_provider.mint(CAMILLE)))
    assert camille_view.status == 404
    own = await client.post(START, json={}, headers=bearer(identity_provider.mint(CAMILLE)))
    assert own.status == 201 and len(sms.inbox(CAMILLE_MOBILE)) == 1


async def test_no_identity_provider_configured_is_a_clear_503(
    aiohttp_client, settings, keyring, clock, demo_data, identity_provider
):
    """Without [identity_provider] keys, customer calls answer 503 identity_provider_unavailable."""
    bare = dataclasses.replace(settings, identity_provider=dataclasses.replace(
        settings.identity_provider, jwks_file=""
    ))  # fmt: skip
    client = await aiohttp_client(create_app(bare, keys=keyring, clock=clock))
    response = await client.get(CURRENT, headers=bearer(identity_provider.mint(CAMILLE)))
    assert response.status == 503
    assert (await response.json())["error"] == "identity_provider_unavailable"
