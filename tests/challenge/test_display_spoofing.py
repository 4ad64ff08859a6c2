"""Display spoofing (issue #12 point 6): a merchantName with bidi overrides, zero-width or control
characters is shown neutralised (each such character → U+FFFD) on the challenge page, in the
app's CRes texts, on the phone (the summary it signs) and in the SMS."""

from __future__ import annotations

import pytest

from acs.protocol import validate_outgoing
from merchant_simulator.phone.answers import summary_hash
from merchant_simulator.sdk import AppSdk
from tests.areqs import areq
from tests.challenge.conftest import CODE
from tests.challenge.helpers import (
    SECURPASS_CARD,
    SMS_CARD,
    SMS_MOBILE,
    creq_for,
    encode,
    final_cres,
    form_action,
    form_fields,
)

SPOOF = "\u202emoc.live\u202c"  # renders as "evil.com"
SHOWN = "\ufffdmoc.live\ufffd"
NAMES = {
    "bidi override": (SPOOF, SHOWN),
    "isolate and zero-width": ("\u2067shop\u200b\u2069", "\ufffdshop\ufffd\ufffd"),
    "ANSI escape and CR/LF": ("\x1b[2Jshop\r\nok", "\ufffd[2Jshop\ufffd\ufffdok"),
}
UNSAFE = ("\u202e", "\u202c", "\u2067", "\u2069", "\u200b", "\x1b", "\r", "\n")


async def start_named(client, ds_url, merchant, *, pan, channel="browser", **kw):
    """POST an AReq of 41,99 EUR whose merchantName is ``merchant``; (areq, ares)."""
    message = areq("2.2.0", channel, "pa", acctNumber=pan, dsURL=ds_url, **kw)
    message.update(purchaseAmount="4199", purchaseCurrency="978", purchaseExponent="2")
    message["merchantName"] = merchant
    ares = await (await client.post("/3ds/areq", json=message)).json()
    validate_outgoing(ares)
    return message, ares


async def challenge_page(client, fake_ds, merchant, *, pan):
    areq_msg, ares = await start_named(client, fake_ds.url, merchant, pan=pan)
    assert ares["transStatus"] == "C"
    response = await client.post("/3ds/challenge", data={"creq": encode(creq_for(areq_msg, ares))})
    assert response.status == 200
    return ares, await response.text()


def assert_clean(text: str, *, html: bool = False) -> None:
    unsafe = [char for char in UNSAFE if not (html and char == "\n")]  # a page has newlines
    assert not any(char in text for char in unsafe), repr(text)


@pytest.mark.parametrize(("merchant", "shown"), NAMES.values(), ids=NAMES.keys())
async def test_the_sms_page_and_the_sms_show_the_neutralised_name(client, fake_ds, merchant, shown):
    """The OTP page and the SMS in the dev inbox show U+FFFD where the controls were."""
    _, page = await challenge_page(client, fake_ds, merchant, pan=SMS_CARD)
    assert shown in page
    assert_clean(page, html=True)
    inbox = await client.get("/dev/sms", params={"to": SMS_MOBILE})
    (sms,) = (await inbox.json())["messages"]
    assert f"chez {shown}." in sms["text"]
    assert_clean(sms["text"])


async def test_the_phone_shows_and_signs_the_neutralised_name(client, fake_ds, camille):
    """The OOB page and the phone's operation show U+FFFD; the hash signed is over that text."""
    _, page = await challenge_page(client, fake_ds, SPOOF, pan=SECURPASS_CARD)
    assert SHOWN in page
    assert_clean(page, html=True)
    challenge = await camille.next_operation(timeout=5)
    assert challenge["summary"]["payee"] == SHOWN
    assert summary_hash(challenge["summary"]) == challenge["summary_hash"]
    fetched = await camille.operation(challenge["operation_id"])  # the signed fetch
    assert fetched["summary"]["payee"] == SHOWN
    assert fetched["summary_hash"] == challenge["summary_hash"]
    await camille.approve_with_code(challenge, CODE)
    token = form_fields(page)["token"]
    base = form_action(page).replace("https://acs.test", "").rsplit("/", 1)[0]
    final = await client.post(f"{base}/continue", data={"token": token})
    assert final_cres(await final.text())["transStatus"] == "Y"


async def test_the_decoupled_operation_shows_the_neutralised_name(client, fake_ds, camille):
    """Decoupled (operation created at AReq time): the phone's summary is neutralised too."""
    decoupled = {"threeDSRequestorDecReqInd": "Y", "threeDSRequestorDecMaxTime": "00005"}
    _, ares = await start_named(client, fake_ds.url, SPOOF, pan=SECURPASS_CARD, **decoupled)
    assert ares["transStatus"] == "D"
    challenge = await camille.next_operation(timeout=5)
    assert challenge["summary"]["payee"] == SHOWN


async def test_the_app_challenge_texts_show_the_neutralised_name(client, fake_ds, keys_dir):
    """The app channel's CRes challengeInfoText names the merchant neutralised."""
    sdk = AppSdk(ds_ca_pem=keys_dir / "ds-ca.pem", reference_number="3DS_LOA_SDK_TEST_020200_00001")
    areq_msg, ares = await start_named(
        client, fake_ds.url, SPOOF, pan=SMS_CARD, channel="app", **sdk.areq_fields()
    )
    sdk.begin(ares, areq_msg, enc="A128GCM")
    first = await sdk.round(client, url="/3ds/app-challenge")
    assert SHOWN in first["challengeInfoText"]
    assert_clean(first["challengeInfoText"])
