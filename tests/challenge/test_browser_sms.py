"""Browser challenge with the SMS OTP fallback (§1.5): code, wrong codes, resend, cancel."""

from __future__ import annotations

import pytest

from acs.web.keys import SMS
from tests.challenge.helpers import (
    SMS_CARD,
    SMS_MOBILE,
    VERSIONS,
    creq_for,
    encode,
    final_cres,
    form_action,
    form_fields,
    otp_in,
    start,
)


async def open_page(
    client, fake_ds, version="2.2.0", padded=False, lang="fr-FR,fr;q=0.9", browser_language=None
):
    extra = {"browserLanguage": browser_language} if browser_language else {}
    areq_msg, ares = await start(client, fake_ds.url, version=version, pan=SMS_CARD, **extra)
    assert ares["transStatus"] == "C"
    form = {
        "creq": encode(creq_for(areq_msg, ares), padded=padded),
        "threeDSSessionData": "c2Vzc2lvbg",
    }
    response = await client.post("/3ds/challenge", data=form, headers={"Accept-Language": lang})
    assert response.status == 200
    assert response.content_type == "text/html"
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors" not in response.headers.get("Content-Security-Policy", "")
    assert "Set-Cookie" not in response.headers
    return areq_msg, ares, await response.text()


async def post_form(client, page, index=0, **values):
    action = form_action(page, index).replace("https://acs.test", "")
    fields = {k: v for k, v in form_fields(page).items() if k == "token"}
    response = await client.post(action, data={**fields, **values})
    assert response.status == 200
    return await response.text()


@pytest.mark.parametrize("version", VERSIONS)
async def test_the_sms_code_approves_and_one_rreq_y_goes_out(client, fake_ds, version):
    """The right code: RReq Y (CAVV, ECI 05), then the page posts CRes Y and the session data."""
    areq_msg, ares, page = await open_page(client, fake_ds, version=version, padded=True)
    assert "41,99 €" in page and "showroomprive.com" in page and "•••• 0022" in page
    sms = (await client.app[SMS].wait_for(SMS_MOBILE, 1))[-1]
    assert "41,99 €" in sms.text and "showroomprive.com" in sms.text
    final = await post_form(client, page, code=otp_in(sms.text))
    cres = final_cres(final)
    assert (cres["transStatus"], cres["challengeCompletionInd"]) == ("Y", "Y")
    assert form_fields(final)["threeDSSessionData"] == "c2Vzc2lvbg"
    assert form_action(final) == areq_msg["notificationURL"]
    rreqs = fake_ds.for_trans(ares["acsTransID"])
    assert len(rreqs) == 1
    assert rreqs[0]["transStatus"] == "Y" and rreqs[0]["eci"] == "05"
    assert len(rreqs[0]["authenticationValue"]) == 28
    # One code typed: one attempt; acsRenderingType is for the app channel only (issue #13).
    assert rreqs[0]["interactionCounter"] == "01" and "acsRenderingType" not in rreqs[0]


async def test_three_wrong_codes_fail_with_n(client, fake_ds):
    """Two wrong codes leave attempts; the third ends the challenge: RReq N / 01, CRes N."""
    _, ares, page = await open_page(client, fake_ds)
    page = await post_form(client, page, code="000000")
    assert "2 essai" in page
    page = await post_form(client, page, code="000001")
    assert "1 essai" in page
    final = await post_form(client, page, code="000002")
    assert final_cres(final)["transStatus"] == "N"
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert (rreq["transStatus"], rreq["transStatusReason"]) == ("N", "01")
    assert rreq["interactionCounter"] == "03"  # three codes typed


async def test_resend_kills_the_old_code_and_stops_after_two(client, fake_ds):
    """A resend sends a new code; after two resends the button is gone."""
    # An AReq language we do not have (German): the page request's English wins.
    _, _, page = await open_page(client, fake_ds, lang="en-GB,en;q=0.8", browser_language="de-DE")
    assert "Code received by text" in page
    first = (await client.app[SMS].wait_for(SMS_MOBILE, 1))[-1]
    page = await post_form(client, page, index="resend")
    page = await post_form(client, page, index="resend")
    assert "Send a new code" not in page
    texts = await client.app[SMS].wait_for(SMS_MOBILE, 3)
    page = await post_form(client, page, code=otp_in(first.text))
    assert "Wrong code" in page
    final = await post_form(client, page, code=otp_in(texts[-1].text))
    assert final_cres(final)["transStatus"] == "Y"


async def test_cancel_gives_n_with_challenge_cancel_01(client, fake_ds):
    """Cancel: RReq N, challengeCancel 01, and the final CRes N."""
    _, ares, page = await open_page(client, fake_ds)
    final = await post_form(client, page, index="cancel")
    assert final_cres(final)["transStatus"] == "N"
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert (rreq["transStatus"], rreq["challengeCancel"], rreq["transStatusReason"]) == (
        "N",
        "01",
        "26",
    )
    assert rreq["interactionCounter"] == "00"  # cancelled without an attempt


@pytest.mark.parametrize(
    ("size", "width"),
    [("01", "250px"), ("02", "390px"), ("03", "500px"), ("04", "600px"), ("05", "40rem")],
)
async def test_the_page_fits_each_challenge_window_size(client, fake_ds, size, width):
    """Each challengeWindowSize caps the layout width; labels and a focusable field are there."""
    areq_msg, ares = await start(client, fake_ds.url, pan=SMS_CARD)
    creq = creq_for(areq_msg, ares, challengeWindowSize=size)
    page = await (await client.post("/3ds/challenge", data={"creq": encode(creq)})).text()
    assert f"max-width: {width}" in page and f'class="size-{size}"' in page
    assert '<label for="code">' in page and 'lang="fr"' in page
    assert "overflow: hidden" not in page
