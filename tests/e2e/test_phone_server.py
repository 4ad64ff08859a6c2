"""The phone page server without a browser: its event stream, the bank login through its JSON
actions, and phones restored at restart."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from merchant_simulator.demo import start_phone_web
from merchant_simulator.idp import DEMO_USERS
from merchant_simulator.phone_web import SLOTS, PhoneWebConfig
from tests.e2e.conftest import CAMILLE, CAMILLE_LOGIN, CAMILLE_MOBILE, CODE
from tests.phones import signing_clock

LOUIS_LOGIN = next((u.identifier, u.password) for u in DEMO_USERS if u.subject == "C0002")


async def act(base: str, path: str, body: dict[str, Any] | None = None):
    """POST a page action; its status and JSON answer."""
    async with aiohttp.ClientSession() as http, http.post(base + path, json=body or {}) as r:
        return r.status, await r.json()


async def test_event_stream_starts_with_the_snapshot(camille) -> None:
    """``/phone/1/events`` sends what the page shows at once: Camille's phone, active."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{camille.phone_url}/phone/1/events") as response,
    ):
        assert response.headers["Content-Type"].startswith("text/event-stream")
        line = await response.content.readline()
    snapshot = json.loads(line.decode().removeprefix("data: "))
    assert (snapshot["state"], snapshot["customer_id"]) == ("active", CAMILLE)
    assert snapshot["biometrics"] == {"payments": True, "login": False}


async def test_login_names_the_customer(merchant) -> None:
    """``/login`` with Camille's identifier and password: logged in as C0001, no customer id
    typed anywhere."""
    base = f"{merchant.phone_url}/phone/2"
    identifier, password = CAMILLE_LOGIN
    status, answer = await act(base, "/login", {"identifier": identifier, "password": password})
    assert (status, answer["ok"]) == (200, True)
    state = answer["state"]
    assert (state["logged_in"], state["customer_id"], state["identifier"]) == (
        True, CAMILLE, identifier,
    )  # fmt: skip
    assert password not in json.dumps(state)


async def test_wrong_password_is_a_clear_401(merchant) -> None:
    """A wrong password: 401 bad_credentials, a French then English message with the attempts
    left, still logged out."""
    base = f"{merchant.phone_url}/phone/2"
    status, answer = await act(base, "/login", {"identifier": CAMILLE_LOGIN[0], "password": "x"})
    assert (status, answer["ok"], answer["error"]) == (401, False, "bad_credentials")
    assert answer["message"].startswith("Identifiant client ou mot de passe incorrect.")
    assert "Il vous reste 4 essai(s)" in answer["message"]
    _, state = await _state(base)
    assert state["logged_in"] is False


async def test_activation_needs_a_login(merchant) -> None:
    """Without a login the page cannot ask the ACS for an activation code: 401
    login_required."""
    base = f"{merchant.phone_url}/phone/2"
    status, answer = await act(base, "/activation", {"mobile": CAMILLE_MOBILE})
    assert (status, answer["error"]) == (401, "login_required")


async def test_an_expired_session_asks_to_log_in_again(merchant, clock) -> None:
    """Past the provider's 30-minute session, the next pre-device call is refused with
    invalid_session and the page is logged out (it shows the login again)."""
    base = f"{merchant.phone_url}/phone/2"
    identifier, password = CAMILLE_LOGIN
    await act(base, "/login", {"identifier": identifier, "password": password})
    clock.advance(minutes=31)
    status, answer = await act(base, "/activation", {"mobile": CAMILLE_MOBILE})
    assert (status, answer["error"]) == (401, "invalid_session")
    assert "reconnectez-vous" in answer["message"]
    _, state = await _state(base)
    assert state["logged_in"] is False


async def test_logout_forgets_the_session(merchant) -> None:
    """``/logout``: the page is logged out; activation needs a login again."""
    base = f"{merchant.phone_url}/phone/2"
    identifier, password = CAMILLE_LOGIN
    await act(base, "/login", {"identifier": identifier, "password": password})
    _, answer = await act(base, "/logout")
    assert answer["state"]["logged_in"] is False
    status, _ = await act(base, "/activation", {"mobile": CAMILLE_MOBILE})
    assert status == 401


async def test_another_login_drops_a_started_activation(merchant) -> None:
    """An activation started for Camille is not finished by Louis: his login sends the page
    back to the start, for him."""
    base = f"{merchant.phone_url}/phone/2"
    identifier, password = CAMILLE_LOGIN
    await act(base, "/login", {"identifier": identifier, "password": password})
    _, answer = await act(base, "/activation", {"mobile": CAMILLE_MOBILE})
    assert answer["state"]["state"] == "activating"
    louis = {"identifier": LOUIS_LOGIN[0], "password": LOUIS_LOGIN[1]}
    _, answer = await act(base, "/login", louis)
    assert (answer["state"]["state"], answer["state"]["customer_id"]) == ("new", "C0002")
    status, answer = await act(base, "/activation/confirm", {"activation_code": "000000"})
    assert (status, answer["error"]) == (409, "wrong_state")


async def test_a_restarted_page_server_restores_the_phone(acs_server, idp, clock, tmp_path) -> None:
    """Keys and profile on disk (never the password nor the session): a new page server finds
    the device active and can answer, with no login."""
    config = PhoneWebConfig(
        acs_url=acs_server.url, data_dir=tmp_path / "phones", idp_url=idp.url,
        clock=signing_clock(clock),
    )  # fmt: skip
    _, app, runner = await start_phone_web(config, port=0)
    first = app[SLOTS][1]
    await first.login(*CAMILLE_LOGIN)
    await first.activate_selfcare(
        CAMILLE_MOBILE, CODE, biometrics={"payments": False, "login": False}
    )
    device_id, session = first.phone.keys.device_id, first.login_session
    await runner.cleanup()
    saved = "".join(p.read_text() for p in (tmp_path / "phones").iterdir())
    assert session is not None and session.session not in saved
    assert CAMILLE_LOGIN[1] not in saved
    _, again, runner = await start_phone_web(config, port=0)
    try:
        slot = again[SLOTS][1]
        assert (slot.state, slot.phone.keys.device_id) == ("active", device_id)
        assert slot.phone.enrolment_id is not None and slot.phone.code_key is not None
        assert (slot.login_session, slot.customer_id, slot.identifier) == (
            None, CAMILLE, CAMILLE_LOGIN[0],
        )  # fmt: skip
        assert (await slot.phone.pending_operations()) == []
        assert again[SLOTS][2].state == "new"
    finally:
        await runner.cleanup()


async def _state(base: str):
    async with aiohttp.ClientSession() as http, http.get(base + "/state") as r:
        return r.status, await r.json()
