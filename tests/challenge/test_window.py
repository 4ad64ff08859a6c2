"""The challenge window's content and its way out (issue #13): logo, scheme, merchant, amount,
date, masked card, one instruction, the time left; "J'ai validé dans l'appli" pressed too early
says so; "Vous n'avez pas votre téléphone ?" switches to an SMS code (SP-22: the SMS OTP is
Sécur'Pass's companion), recorded, and the RReq names the SMS OTP; distinct final messages."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from acs.storage import customers
from acs.storage.audit import AuditEvent
from acs.web.keys import SESSIONS, SMS
from merchant_simulator.phone import PhoneError
from tests.challenge.conftest import CODE
from tests.challenge.helpers import (
    CAMILLE_MOBILE,
    SECURPASS_CARD,
    SMS_CARD,
    VERSIONS,
    creq_for,
    encode,
    final_cres,
    form_action,
    form_fields,
    otp_in,
    start,
)

ORIGIN = {"Origin": "https://acs.test"}


async def open_page(client, fake_ds, *, pan=SECURPASS_CARD, version="2.2.0", **areq):
    areq_msg, ares = await start(client, fake_ds.url, version=version, pan=pan, **areq)
    assert ares["transStatus"] == "C"
    response = await client.post("/3ds/challenge", data={"creq": encode(creq_for(areq_msg, ares))})
    assert response.status == 200
    return ares, html.unescape(await response.text()), response


async def post(client, page, action, **values):
    url = form_action(page, action).replace("https://acs.test", "")
    response = await client.post(url, data={"token": form_fields(page)["token"], **values},
                                 headers=ORIGIN)  # fmt: skip
    assert response.status == 200
    return html.unescape(await response.text())


async def test_the_oob_page_says_who_what_when_and_how_long(client, fake_ds, camille):
    """Logo (alt text, served by the ACS), Visa, merchant, amount, date, masked card, one
    instruction, a waiting indicator with the time left, the bank's contact."""
    _, page, response = await open_page(client, fake_ds)
    assert 'alt="Banxo, votre banque"' in page and "/3ds/static/banxo-logo.svg" in page
    assert "img-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "Visa •••• 0014" in page and "showroomprive.com" in page and "41,99 €" in page
    assert "Ouvrez l'appli Banxo sur votre téléphone et validez ce paiement." in page
    assert 'class="spinner"' in page and "Temps restant : " in page and "min" in page
    assert "Besoin d'aide ? Appelez Banxo au 01 99 00 39 99" in page
    logo = await client.get("/3ds/static/banxo-logo.svg")
    assert logo.status == 200 and logo.content_type == "image/svg+xml"
    assert (await client.get("/3ds/static/../config.py")).status == 404
    assert (await client.get("/3ds/static/other.svg")).status == 404


async def test_pressing_i_approved_too_early_says_so(client, fake_ds, camille):
    """Before the phone's approval, "J'ai validé dans l'appli" shows a message (a status, not
    an error) and the same page; after it, the final CRes Y."""
    _, page, _ = await open_page(client, fake_ds)
    challenge = await camille.next_operation(timeout=5)
    again = await post(client, page, "continue")
    assert "Nous n'avons pas encore reçu votre validation." in again
    assert 'class="notice info"' in again and 'role="alert"' not in again
    await camille.approve_with_code(challenge, CODE)
    final = await post(client, again, "continue")
    assert final_cres(final)["transStatus"] == "Y"
    assert "Paiement validé." in final


@pytest.mark.parametrize("version", VERSIONS)
async def test_no_phone_switches_to_an_sms_code(client, fake_ds, camille, version):
    """ "Vous n'avez pas votre téléphone ?": the phone's operation is cancelled, a code goes to
    the secure mobile, the switch is audited, and the RReq names the SMS OTP (02)."""
    ares, page, _ = await open_page(client, fake_ds, version=version)
    assert "Vous n'avez pas votre téléphone ?" in page
    challenge = await camille.next_operation(timeout=5)
    sms_page = await post(client, page, "sms")
    assert "Code reçu par SMS" in sms_page and 'id="code"' in sms_page
    assert "Un code vous a été envoyé par SMS." in sms_page and 'class="notice info"' in sms_page
    with pytest.raises(PhoneError):  # the app can no longer approve it
        await camille.approve_with_code(challenge, CODE)
    sms = (await client.app[SMS].wait_for(CAMILLE_MOBILE, 1))[-1]
    final = await post(client, sms_page, "otp", code=otp_in(sms.text))
    assert final_cres(final)["transStatus"] == "Y"
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert rreq["transStatus"] == "Y" and rreq["interactionCounter"] == "01"
    if version == "2.3.1":
        assert rreq["authenticationMethod"] == ["02"] and "authenticationType" not in rreq
    else:
        assert rreq["authenticationType"] == "02"
    async with client.app[SESSIONS]() as session:
        events = (await session.scalars(select(AuditEvent).where(
            AuditEvent.action == "challenge.switched_to_sms"))).all()  # fmt: skip
    assert [e.detail["acs_trans_id"] for e in events] == [ares["acsTransID"]]


async def test_no_way_out_when_the_sms_otp_is_blocked(client, fake_ds, camille):
    """A cardholder whose SMS OTP is blocked (RTS Art. 4(3)(b)) is not offered the SMS code;
    posting the switch anyway keeps the Sécur'Pass page."""
    async with client.app[SESSIONS].begin() as session:
        customer = await customers.get(session, "C0001")
        assert customer is not None and customer.secure_mobile == CAMILLE_MOBILE
        await customers.count_otp_failure(session, customer.id, limit=1, now=customer.created_at)
    _, page, _ = await open_page(client, fake_ds)
    assert "téléphone ?" not in page
    token = form_fields(page)["token"]
    base = form_action(page, "continue").replace("https://acs.test", "").rsplit("/", 1)[0]
    response = await client.post(f"{base}/sms", data={"token": token}, headers=ORIGIN)
    assert "Validez dans l'appli Banxo" in html.unescape(await response.text())


async def test_an_sms_only_page_offers_no_way_out_to_an_app(client, fake_ds):
    """The SMS page is compact: the code field focused by the page's script, then Cancel."""
    _, page, _ = await open_page(client, fake_ds, pan=SMS_CARD)
    assert "autofocus" in page and "code.focus()" in page
    assert page.index('action="https://acs.test/3ds/challenge/') < page.index("/cancel")
    assert page.index("/cancel") < page.index("/resend")  # Cancel before the secondary actions


async def test_final_messages_are_distinct_per_outcome(client, fake_ds, camille):
    """Cancelled, refused in the app and too many wrong codes each say what happened."""
    _, page, _ = await open_page(client, fake_ds)
    await camille.next_operation(timeout=5)
    assert "Paiement annulé." in await post(client, page, "cancel")
    _, page, _ = await open_page(client, fake_ds)
    await camille.refuse(await camille.next_operation(timeout=5), "not_me")
    final = await post(client, page, "continue")
    assert "vous avez indiqué ne pas être à l'origine de ce paiement" in final
    _, page, _ = await open_page(client, fake_ds, pan=SMS_CARD)
    for code in ("000000", "000001", "000002"):
        page = await post(client, page, "otp", code=code)
    assert "trop de codes incorrects" in page
