"""3DS Method (§1.7): the hidden page, the stored browser data, the AReq link, the range view."""

from __future__ import annotations

import json
import uuid

from acs.protocol import b64url_decode
from tests.challenge.conftest import CODE
from tests.challenge.helpers import SECURPASS_CARD, encode, form_action, form_fields, start

BROWSER = {
    "screenWidth": "1920",
    "screenHeight": "1080",
    "colorDepth": "24",
    "timeZone": "-60",
    "language": "fr-FR",
    "platform": "Linux x86_64",
}


async def run_method(client, trans_id, *, padded=False, browser=BROWSER):
    data = {
        "threeDSServerTransID": trans_id,
        "threeDSMethodNotificationURL": "https://shop.test/m?x=1",
    }
    page = await (
        await client.post("/3ds/method", data={"threeDSMethodData": encode(data, padded)})
    ).text()
    assert "screen.colorDepth" in page and "getTimezoneOffset" in page
    fields = {**form_fields(page), **browser}
    done = await client.post("/3ds/method/collect", data=fields)
    text = await done.text()
    assert form_action(text) == "https://shop.test/m?x=1"
    back = json.loads(b64url_decode(form_fields(text)["threeDSMethodData"]))
    assert back == {"threeDSServerTransID": trans_id}


async def test_method_page_stores_and_notifies(client):
    """Padded or not, {"threeDSServerTransID"} goes back to the notification URL."""
    await run_method(client, str(uuid.uuid4()), padded=True)
    await run_method(client, str(uuid.uuid4()))


async def test_bad_method_data_is_a_400(client):
    """Method data that is not base64url JSON with the two fields is refused."""
    response = await client.post("/3ds/method", data={"threeDSMethodData": "bm9wZQ"})
    assert response.status == 400


async def test_a_new_browser_then_a_known_one(client, fake_ds, camille):
    """A first browser is new: SCA (C). After a successful payment with it, the same browser
    is known on the next AReq and the issuer's TRA exempts 41,99 EUR (Y)."""
    first = str(uuid.uuid4())
    await run_method(client, first)
    linked = {"threeDSServerTransID": first, "threeDSCompInd": "Y"}
    areq_msg, ares = await start(client, fake_ds.url, pan=SECURPASS_CARD, **linked)
    assert ares["transStatus"] == "C"
    creq = {
        "threeDSServerTransID": first, "acsTransID": ares["acsTransID"], "messageType": "CReq",
        "messageVersion": areq_msg["messageVersion"], "challengeWindowSize": "05",
    }  # fmt: skip
    await client.post("/3ds/challenge", data={"creq": encode(creq)})
    await camille.approve_with_code(await camille.next_operation(timeout=5), CODE)
    await fake_ds.wait_for(ares["acsTransID"])
    second = str(uuid.uuid4())
    await run_method(client, second)
    linked = {"threeDSServerTransID": second, "threeDSCompInd": "Y"}
    _, again = await start(client, fake_ds.url, pan=SECURPASS_CARD, **linked)
    assert again["transStatus"] == "Y"
    assert "issuer_tra" in await _rules(client, again["acsTransID"])
    other = str(uuid.uuid4())
    await run_method(client, other, browser={**BROWSER, "screenWidth": "1280"})
    linked = {"threeDSServerTransID": other, "threeDSCompInd": "Y"}
    _, third = await start(client, fake_ds.url, pan=SECURPASS_CARD, **linked)
    assert third["transStatus"] == "C"


async def _rules(client, acs_trans_id):
    from acs.storage import transactions
    from acs.web.keys import SESSIONS

    async with client.app[SESSIONS]() as session:
        return (await transactions.get(session, acs_trans_id)).risk_rules


async def test_ranges_advertise_the_method_url(client):
    """GET /3ds/ranges lists each range with versions and the method URL."""
    body = await (await client.get("/3ds/ranges")).json()
    first = body["cardRangeData"][0]
    assert first["threeDSMethodURL"] == "https://acs.test/3ds/method"
    assert (first["acsStartProtocolVersion"], first["acsEndProtocolVersion"]) == ("2.1.0", "2.3.1")
