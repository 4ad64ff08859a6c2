"""The phone page server without a browser: its event stream, and phones restored at restart."""

from __future__ import annotations

import json

import aiohttp

from merchant_simulator.demo import start_phone_web
from merchant_simulator.phone_web import SLOTS, PhoneWebConfig
from tests.e2e.conftest import CAMILLE, CAMILLE_MOBILE, CODE
from tests.phones import signing_clock


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


async def test_a_restarted_page_server_restores_the_phone(
    acs_server, clock, tmp_path, identity_provider
) -> None:
    """Keys and profile on disk: a new page server finds the device active and can answer."""
    config = PhoneWebConfig(
        acs_url=acs_server.url, data_dir=tmp_path / "phones", clock=signing_clock(clock),
        tokens=identity_provider.source,
    )  # fmt: skip
    _, app, runner = await start_phone_web(config, port=0)
    await app[SLOTS][1].activate_selfcare(
        CAMILLE, CAMILLE_MOBILE, CODE, biometrics={"payments": False, "login": False}
    )
    device_id = app[SLOTS][1].phone.keys.device_id
    await runner.cleanup()
    _, again, runner = await start_phone_web(config, port=0)
    try:
        slot = again[SLOTS][1]
        assert (slot.state, slot.phone.keys.device_id) == ("active", device_id)
        assert slot.phone.enrolment_id is not None and slot.phone.code_key is not None
        assert again[SLOTS][2].state == "new"
    finally:
        await runner.cleanup()
