"""Staff login to the back office (OpenID Connect code flow with PKCE), sessions, CSRF, logout.

Through the real ACS app and database; the identity provider is a real aiohttp app on port 0
(tests/tokens.py ``TestOidcProvider``).
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from sqlalchemy import select

from acs.storage.backoffice_models import StaffSessionRow
from acs.storage.models import AuditEvent
from acs.web.backoffice import next_path
from acs.web.keys import SESSIONS
from tests.backoffice.conftest import csrf_of, follow_to_callback


async def audit_actions(client, subject: str) -> list[str]:
    async with client.server.app[SESSIONS]() as session:
        rows = await session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject == subject).order_by(AuditEvent.id)
        )
        return list(rows)


async def test_without_a_session_the_back_office_sends_to_the_login(client):
    """GET /backoffice/ with no session redirects to the login, which redirects to the IdP."""
    home = await client.get("/backoffice/", allow_redirects=False)
    assert home.status == 302 and home.headers["Location"].startswith("/backoffice/login?suite=")


async def test_the_login_asks_for_a_code_with_pkce_s256_state_and_nonce(client, oidc):
    """The authorisation request: response_type=code, the client id, S256 challenge, state,
    nonce and the callback on the ACS's own origin; the login cookie is HttpOnly and Lax."""
    started = await client.get("/backoffice/login", allow_redirects=False)
    location = urlsplit(started.headers["Location"])
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{oidc.url}/authorize"
    assert query["response_type"] == "code" and query["scope"] == "openid"
    assert query["client_id"] == "acs-backoffice"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 43 and len(query["nonce"]) >= 43
    assert query["redirect_uri"] == f"http://127.0.0.1:{client.port}/backoffice/callback"
    cookie = started.cookies["bo_login"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


async def test_a_login_opens_a_strict_http_only_session_and_is_audited(client, oidc):
    """The callback exchanges the code with the PKCE verifier and opens a session whose
    cookie is HttpOnly and SameSite=Strict; the home page names the staff member."""
    answer = await client.get(await follow_to_callback(client, oidc))
    assert answer.status == 200
    cookie = answer.cookies["bo_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/backoffice/"
    authorize, exchange = oidc.requests
    verifier = exchange["code_verifier"]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert challenge.decode() == authorize["code_challenge"]
    assert exchange["grant_type"] == "authorization_code" and "client_secret" not in exchange
    home = await client.get("/backoffice/")
    text = await home.text()
    assert home.status == 200 and "adv-007" in text and "conseiller" in text
    assert await audit_actions(client, "staff:adv-007") == ["backoffice.login"]
    async with client.server.app[SESSIONS]() as session:
        row = await session.scalar(select(StaffSessionRow))
    assert row is not None and row.id_hash != cookie.value  # only its hash is stored


async def test_an_unknown_state_is_refused(client, oidc):
    """A callback whose state no login sent is refused (401 state_unknown), no session."""
    callback = await follow_to_callback(client, oidc)
    forged = callback.split("&state=")[0] + "&state=forged"
    answer = await client.get(forged)
    assert answer.status == 401 and "state_unknown" in await answer.text()
    assert "bo_session" not in answer.cookies


async def test_a_state_is_taken_once(client, oidc):
    """The same callback twice: the second is refused (the login was spent)."""
    callback = await follow_to_callback(client, oidc)
    assert (await client.get(callback)).status == 200
    again = await client.get(callback)
    assert again.status == 401 and "state_unknown" in await again.text()


async def test_a_callback_in_another_browser_is_refused(client, oidc):
    """Login CSRF: the callback without the login cookie of the browser that started it."""
    callback = await follow_to_callback(client, oidc)
    client.session.cookie_jar.clear()
    answer = await client.get(callback)
    assert answer.status == 401 and "another browser" not in await answer.text()
    assert "state_unknown" in await answer.text()


async def test_an_id_token_with_another_nonce_is_refused(client, oidc):
    """The ID token's nonce must be this login's (replayed ID token): 401 nonce_mismatch."""
    oidc.id_token_overrides = {"nonce": "someone-elses"}
    answer = await client.get(await follow_to_callback(client, oidc))
    assert answer.status == 401 and "nonce_mismatch" in await answer.text()
    assert (await client.get("/backoffice/", allow_redirects=False)).status == 302


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"audience": "acs-securpass"}, "token_wrong_audience"),
        ({"role": "janitor"}, "token_claims"),
        ({"iss": "https://evil.test"}, "token_wrong_issuer"),
    ],
)
async def test_an_id_token_failing_the_verifier_is_refused(client, oidc, override, reason):
    """The ID token goes through the ACS's verifier: audience (the client id), issuer, role."""
    oidc.id_token_overrides = override
    answer = await client.get(await follow_to_callback(client, oidc))
    assert answer.status == 401 and reason in await answer.text()


async def test_the_providers_error_is_shown_not_followed(client):
    """``?error=access_denied`` from the provider: a 401 page, no session."""
    answer = await client.get("/backoffice/callback?error=access_denied&state=x")
    assert answer.status == 401 and "access_denied" in await answer.text()


async def test_a_callback_without_code_is_a_400(client):
    answer = await client.get("/backoffice/callback?state=x")
    assert answer.status == 400


async def test_an_idle_session_ends(client, login, clock):
    """15 minutes without a request end the session (audited); activity keeps it alive."""
    await login()
    clock.advance(minutes=14)
    assert (await client.get("/backoffice/")).status == 200
    clock.advance(minutes=14)
    assert (await client.get("/backoffice/")).status == 200
    clock.advance(minutes=15)
    home = await client.get("/backoffice/", allow_redirects=False)
    assert home.status == 302 and home.headers["Location"].startswith("/backoffice/login?suite=")
    actions = await audit_actions(client, "staff:adv-007")
    assert actions == ["backoffice.login", "backoffice.session_expired"]


async def test_a_session_ends_after_its_maximum_life(client, login, clock):
    """Even in use, a session ends after staff_session_max_hours (10 h)."""
    await login()
    for _ in range(41):
        clock.advance(minutes=14, seconds=50)
        if (await client.get("/backoffice/", allow_redirects=False)).status != 200:
            break
    assert clock.now().hour == 19  # 09:00 + 10 h
    assert (await client.get("/backoffice/", allow_redirects=False)).status == 302


async def test_a_form_without_its_csrf_token_is_refused(client, login):
    """POST without the csrf field, or with another one: 403, the session goes on."""
    csrf = await login()
    assert (await client.post("/backoffice/logout", data={})).status == 403
    assert (await client.post("/backoffice/logout", data={"csrf": csrf[:-2] + "xx"})).status == 403
    assert (await client.get("/backoffice/")).status == 200


async def test_a_form_from_another_origin_is_refused(client, login):
    """A cross-site POST (Origin of another site) is refused even with the right token."""
    csrf = await login()
    answer = await client.post(
        "/backoffice/logout", data={"csrf": csrf}, headers={"Origin": "https://evil.test"}
    )
    assert answer.status == 403


async def test_a_form_without_a_session_is_refused(client):
    answer = await client.post("/backoffice/logout", data={"csrf": "x"})
    assert answer.status == 401


async def test_logout_ends_the_session(client, login):
    """Logout (with its CSRF token) ends the session server-side and is audited."""
    csrf = await login()
    home = await client.get("/backoffice/")
    assert csrf_of(await home.text()) == csrf
    out = await client.post("/backoffice/logout", data={"csrf": csrf})
    assert out.status == 200 and "déconnecté" in await out.text()
    assert (await client.get("/backoffice/", allow_redirects=False)).status == 302
    assert await audit_actions(client, "staff:adv-007") == ["backoffice.login", "backoffice.logout"]


async def test_pages_are_never_framed_nor_cached_and_run_no_script(client, login):
    await login()
    home = await client.get("/backoffice/")
    csp = home.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert "default-src 'none'" in csp and home.headers["Cache-Control"] == "no-store"


def test_acs_demo_prints_the_staff_accounts():
    """``acs demo`` names an advisor, a fraud analyst and an auditor, with their passwords."""
    from acs.demo import demo_staff
    from merchant_simulator.idp import DEMO_STAFF

    text = demo_staff("http://127.0.0.1:8000")
    assert "http://127.0.0.1:8000/backoffice/" in text
    for account in DEMO_STAFF:
        assert account.login in text and account.password in text and account.role in text


async def test_housekeeping_purges_ended_sessions_and_stale_logins(client, login, oidc, clock):
    """Logins never called back and ended sessions are deleted by the worker's housekeeping."""
    from acs.flows.housekeeping import purge_expired
    from acs.storage.backoffice_models import StaffLoginRow

    csrf = await login()
    await client.get("/backoffice/login", allow_redirects=False)  # never called back
    await client.post("/backoffice/logout", data={"csrf": csrf})
    clock.advance(minutes=11)
    await purge_expired(client.server.app[SESSIONS], now=clock.now())
    async with client.server.app[SESSIONS]() as session:
        assert await session.scalar(select(StaffSessionRow)) is None
        assert await session.scalar(select(StaffLoginRow)) is None


async def test_an_unreachable_provider_is_a_503_not_a_500(client, oidc):
    """The token endpoint down at the callback: 503 provider_unreachable, no session."""
    callback = await follow_to_callback(client, oidc)
    await oidc.close()
    answer = await client.get(callback)
    assert answer.status == 503 and "provider_unreachable" in await answer.text()
    assert "bo_session" not in answer.cookies


async def test_after_the_login_the_page_asked_for_comes_back(client, oidc, demo_data):
    """A customer's page without a session: after the login, that page (not the home)."""
    asked = await client.get("/backoffice/customers/C0001?canal=face_a_face", allow_redirects=False)
    login = asked.headers["Location"]
    suite = parse_qs(urlsplit(login).query)["suite"]
    assert suite == ["/backoffice/customers/C0001?canal=face_a_face"]
    started = await client.get(login, allow_redirects=False)
    async with (
        aiohttp.ClientSession() as http,
        http.get(started.headers["Location"], allow_redirects=False) as answer,
    ):
        back = answer.headers["Location"]
    text = await (await client.get(back[back.index("/backoffice/") :])).text()
    assert 'content="0; url=/backoffice/customers/C0001?canal=face_a_face"' in text


@pytest.mark.parametrize(
    "asked", ["https://evil.test/", "//evil.test/backoffice/", "/backoffice/\\evil", "/other"]
)
def test_the_page_after_the_login_is_never_elsewhere(asked):
    """An open redirect through ``suite`` goes home instead."""
    assert next_path(asked) == "/backoffice/"
