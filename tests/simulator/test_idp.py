"""The bank's identity provider simulator over a real socket: logins, customer and staff tokens
verified with jwcrypto against its published JWKS; the staff's OpenID Connect login (PKCE S256)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from jwcrypto import jwk, jwt

from merchant_simulator import idp
from merchant_simulator.idp import DEMO_STAFF, DEMO_USERS, RunningIdp, start_idp

NOW = 1_796_000_000.0
CAMILLE = DEMO_USERS[0]


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def idp_clock() -> Clock:
    return Clock()


@pytest.fixture
async def provider(idp_clock: Clock) -> AsyncIterator[RunningIdp]:
    running = await start_idp(port=0, clock=idp_clock)
    yield running
    await running.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post(http: aiohttp.ClientSession, url: str, body: Any) -> tuple[int, dict[str, Any]]:
    async with http.post(url, json=body) as response:
        return response.status, await response.json()


async def login(http, provider: RunningIdp, identifier: str, password: str):
    body = {"identifier": identifier, "password": password}
    return await post(http, f"{provider.url}/login", body)


async def verified_claims(http, provider: RunningIdp, token: str) -> dict[str, Any]:
    """The claims of ``token`` once its ES256 signature checks against the served JWKS."""
    async with http.get(provider.jwks_url) as response:
        keys = jwk.JWKSet.from_json(await response.text())
    checked = jwt.JWT(jwt=token, key=keys, algs=["ES256"], check_claims=False)
    return json.loads(checked.claims)


def test_exported_members() -> None:
    """The package's public surface is pinned."""
    assert idp.__all__ == [
        "DEFAULT_IDP_PORT", "DEMO_STAFF", "DEMO_USERS", "JWKS_PATH", "STAFF_ROLES",
        "IdpConfig", "IdpStaff", "IdpUser", "RunningIdp", "create_idp_app", "start_idp",
    ]  # fmt: skip


def test_demo_users_are_the_demo_customers_with_8_digit_identifiers() -> None:
    """Each demo customer C0001…C0005 has one 8-digit remote-banking identifier."""
    assert [u.subject for u in DEMO_USERS] == ["C0001", "C0002", "C0003", "C0004", "C0005"]
    assert all(len(u.identifier) == 8 and u.identifier.isdigit() for u in DEMO_USERS)
    assert len({u.identifier for u in DEMO_USERS}) == len(DEMO_USERS)


async def test_login_gives_a_session_and_the_customer_id(http, provider) -> None:
    """The right identifier and password open a session for the customer C0001."""
    status, body = await login(http, provider, CAMILLE.identifier, CAMILLE.password)
    assert status == 200 and body["subject"] == "C0001"
    assert len(body["session"]) >= 32


@pytest.mark.parametrize("identifier", [CAMILLE.identifier, "49999999"])
async def test_wrong_credentials_are_401_bad_credentials(http, provider, identifier) -> None:
    """A wrong password, or an unknown identifier, gets the same 401 bad_credentials."""
    status, body = await login(http, provider, identifier, "not-the-password")
    assert (status, body["error"], body["attempts_left"]) == (401, "bad_credentials", 4)
    assert "session" not in body


async def test_five_wrong_passwords_lock_the_identifier(http, provider) -> None:
    """After five wrong passwords even the right one is refused (403 account_locked)."""
    for left in (4, 3, 2, 1, 0):
        _, body = await login(http, provider, CAMILLE.identifier, "wrong")
        assert body["attempts_left"] == left
    status, body = await login(http, provider, CAMILLE.identifier, CAMILLE.password)
    assert (status, body["error"]) == (403, "account_locked")
    status, _ = await login(http, provider, DEMO_USERS[1].identifier, DEMO_USERS[1].password)
    assert status == 200


async def test_a_right_password_resets_the_count(http, provider) -> None:
    """Wrong attempts are forgotten once the customer logs in."""
    for _ in range(4):
        await login(http, provider, CAMILLE.identifier, "wrong")
    await login(http, provider, CAMILLE.identifier, CAMILLE.password)
    _, body = await login(http, provider, CAMILLE.identifier, "wrong")
    assert body["attempts_left"] == 4


@pytest.mark.parametrize("body", [[], {"identifier": 40000001, "password": "x"}, {}])
async def test_a_malformed_login_is_400(http, provider, body) -> None:
    """A body that is not an object of strings gets 400 bad_request, never a 500."""
    status, answer = await post(http, f"{provider.url}/login", body)
    assert (status, answer["error"]) == (400, "bad_request")


async def test_customer_token_claims_verify_against_the_jwks(http, provider) -> None:
    """/token gives an ES256 JWT with kid, signed by the JWKS key: iss, aud, sub, 5 minutes,
    a jti, acr substantial, amr pwd + app."""
    _, session = await login(http, provider, CAMILLE.identifier, CAMILLE.password)
    status, body = await post(http, f"{provider.url}/token", {"session": session["session"]})
    assert (status, body["token_type"], body["expires_in"]) == (200, "Bearer", 300)
    header = json.loads(jwt.JWT(jwt=body["access_token"]).token.objects["protected"])
    assert (header["alg"], header["kid"]) == ("ES256", "idp-2026-12")
    claims = await verified_claims(http, provider, body["access_token"])
    assert claims.pop("jti")
    assert claims == {
        "iss": provider.url, "aud": "acs-securpass", "sub": "C0001", "iat": int(NOW),
        "exp": int(NOW) + 300, "acr": "substantial", "amr": ["pwd", "app"],
    }  # fmt: skip


async def test_each_token_call_gives_a_fresh_jti(http, provider) -> None:
    """Tokens are single use at the ACS: every /token call carries a new jti."""
    _, session = await login(http, provider, CAMILLE.identifier, CAMILLE.password)
    jtis = set()
    for _ in range(3):
        _, body = await post(http, f"{provider.url}/token", {"session": session["session"]})
        jtis.add((await verified_claims(http, provider, body["access_token"]))["jti"])
    assert len(jtis) == 3


async def test_an_expired_or_unknown_session_gets_no_token(http, provider, idp_clock) -> None:
    """After 30 minutes the session is over: 401 invalid_session, as for an invented one."""
    _, session = await login(http, provider, CAMILLE.identifier, CAMILLE.password)
    idp_clock.now += 1800
    status, body = await post(http, f"{provider.url}/token", {"session": session["session"]})
    assert (status, body["error"]) == (401, "invalid_session")
    status, body = await post(http, f"{provider.url}/token", {"session": "made-up"})
    assert (status, body["error"]) == (401, "invalid_session")


async def test_staff_token_has_role_and_branch(http, provider) -> None:
    """/staff/token gives a staff token: the staff audience, sub, role and branch."""
    request = {"staff_id": "A0421-07", "role": "advisor", "branch": "0421"}
    status, body = await post(http, f"{provider.url}/staff/token", request)
    assert status == 200
    claims = await verified_claims(http, provider, body["access_token"])
    assert (claims["aud"], claims["sub"], claims["role"], claims["branch"]) == (
        "acs-backoffice", "A0421-07", "advisor", "0421",
    )  # fmt: skip
    assert (claims["iss"], claims["exp"] - claims["iat"]) == (provider.url, 300)
    assert "acr" not in claims


async def test_staff_token_refuses_an_unknown_role(http, provider) -> None:
    """A role outside advisor, fraud_analyst, auditor, admin is a 400 naming it."""
    request = {"staff_id": "A1", "role": "root", "branch": "0421"}
    status, body = await post(http, f"{provider.url}/staff/token", request)
    assert (status, body["error"]) == (400, "bad_request") and "'root'" in body["message"]


async def test_staff_tokens_can_be_switched_off(http) -> None:
    """With ``staff_tokens=False`` the unauthenticated staff route does not exist."""
    running = await start_idp(port=0, staff_tokens=False)
    try:
        request = {"staff_id": "A1", "role": "admin", "branch": "0421"}
        async with http.post(f"{running.url}/staff/token", json=request) as response:
            assert response.status == 404
    finally:
        await running.close()


async def test_jwks_is_the_public_key_only(http, provider) -> None:
    """The JWKS holds one P-256 key with its kid, and no private part."""
    async with http.get(provider.jwks_url) as response:
        keys = (await response.json())["keys"]
    assert [(k["kty"], k["crv"], k["kid"], k["alg"]) for k in keys] == [
        ("EC", "P-256", "idp-2026-12", "ES256")
    ]
    assert "d" not in keys[0]


# The staff login (OpenID Connect code flow with PKCE S256), as the back office uses it.

CALLBACK = "http://127.0.0.1:8000/backoffice/callback"
VERIFIER = "v" * 64
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")
PARAMS = {
    "response_type": "code", "client_id": "acs-backoffice", "redirect_uri": CALLBACK,
    "scope": "openid", "state": "s" * 43, "nonce": "n" * 43,
    "code_challenge": CHALLENGE.decode(), "code_challenge_method": "S256",
}  # fmt: skip
ADVISOR = DEMO_STAFF[0]


async def sign_in(http, provider, login: str, password: str, **params: str):
    form = {**PARAMS, **params, "login": login, "password": password}
    async with http.post(f"{provider.url}/authorize", data=form, allow_redirects=False) as r:
        return r.status, r.headers.get("Location", "")


async def exchange(http, provider, code: str, verifier: str = VERIFIER, **form: str):
    body = {
        "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
        "client_id": "acs-backoffice", "code_verifier": verifier, **form,
    }  # fmt: skip
    async with http.post(f"{provider.url}/oauth/token", data=body) as response:
        return response.status, await response.json()


def code_of(location: str) -> str:
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [PARAMS["state"]]
    return query["code"][0]


def test_the_demo_staff_are_an_advisor_a_fraud_analyst_and_an_auditor():
    assert [s.role for s in DEMO_STAFF] == ["advisor", "fraud_analyst", "auditor"]
    assert len({s.login for s in DEMO_STAFF}) == 3


async def test_discovery_names_the_endpoints(http, provider):
    async with http.get(f"{provider.url}/.well-known/openid-configuration") as response:
        document = await response.json()
    assert document["issuer"] == provider.url
    assert document["authorization_endpoint"] == f"{provider.url}/authorize"
    assert document["code_challenge_methods_supported"] == ["S256"]


async def test_the_authorisation_endpoint_shows_a_login_form(http, provider):
    async with http.get(f"{provider.url}/authorize?{urlencode(PARAMS)}") as response:
        text = await response.text()
    assert response.status == 200 and 'name="password"' in text and 'lang="fr"' in text


async def test_a_plain_challenge_or_a_foreign_redirect_is_an_error_page(http, provider):
    """No redirect to an unregistered URI; PKCE plain is refused."""
    for bad in ({"code_challenge_method": "plain"}, {"redirect_uri": "https://evil.test/cb"}):
        async with http.get(f"{provider.url}/authorize?{urlencode(PARAMS | bad)}") as response:
            assert response.status == 400


async def test_a_wrong_password_is_refused(http, provider):
    status, location = await sign_in(http, provider, ADVISOR.login, "wrong")
    assert status == 401 and not location


async def test_the_code_gives_an_id_token_with_the_staff_claims_once(http, provider):
    status, location = await sign_in(http, provider, ADVISOR.login, ADVISOR.password)
    assert status == 302 and location.startswith(CALLBACK)
    code = code_of(location)
    status, answer = await exchange(http, provider, code)
    assert status == 200
    claims = await verified_claims(http, provider, answer["id_token"])
    assert claims["aud"] == "acs-backoffice" and claims["nonce"] == PARAMS["nonce"]
    assert (claims["sub"], claims["role"], claims["branch"]) == ("adv-0421", "advisor", "0421")
    assert (await exchange(http, provider, code))[0] == 400  # once


async def test_a_wrong_code_verifier_is_refused(http, provider):
    _, location = await sign_in(http, provider, ADVISOR.login, ADVISOR.password)
    status, answer = await exchange(http, provider, code_of(location), verifier="x" * 64)
    assert status == 400 and answer["error"] == "invalid_grant"
