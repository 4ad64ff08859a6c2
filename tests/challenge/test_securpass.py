"""Sécur'Pass challenges: the page or the SDK shows the OOB screen, the phone decides over HTTP,
the operation hook records the result and enqueues the RReq in the phone's own transaction."""

from __future__ import annotations

import asyncio

import pytest

from acs.protocol import validate_outgoing
from acs.storage import cards
from acs.web.keys import SESSIONS, VAULT
from merchant_simulator.sdk import AppSdk
from tests.challenge.conftest import CODE
from tests.challenge.helpers import (
    SECURPASS_CARD,
    VERSIONS,
    creq_for,
    encode,
    final_cres,
    form_action,
    form_fields,
    start,
)

URL = "/3ds/app-challenge"


async def oob_page(client, fake_ds, version="2.2.0"):
    areq_msg, ares = await start(client, fake_ds.url, version=version, pan=SECURPASS_CARD)
    assert ares["transStatus"] == "C"
    response = await client.post("/3ds/challenge", data={"creq": encode(creq_for(areq_msg, ares))})
    page = await response.text()
    assert "Banxo" in page and "41,99 €" in page
    return ares, page


async def status_then_final(client, page):
    token = form_fields(page)["token"]
    base = form_action(page).replace("https://acs.test", "").rsplit("/", 1)[0]
    status = await client.get(f"{base}/status", params={"token": token})
    assert (await status.json())["final"] is True
    final = await client.post(f"{base}/continue", data={"token": token})
    return await final.text()


@pytest.mark.parametrize("version", VERSIONS)
async def test_approved_in_the_app_from_the_browser(client, fake_ds, camille, version):
    """The page waits; the phone approves with its code; the long-poll says final; CRes Y."""
    ares, page = await oob_page(client, fake_ds, version)
    challenge = await camille.next_operation(timeout=5)
    assert challenge["summary"]["payee"] == "showroomprive.com"
    await camille.approve_with_code(challenge, CODE)
    cres = final_cres(await status_then_final(client, page))
    assert cres["transStatus"] == "Y"
    rreqs = fake_ds.for_trans(ares["acsTransID"])
    assert len(rreqs) == 1 and rreqs[0]["transStatus"] == "Y" and rreqs[0]["eci"] == "05"
    assert rreqs[0].get("authenticationType", "03") == "03"
    assert rreqs[0]["interactionCounter"] == "01"  # one approval in the app, not "02"
    assert "acsRenderingType" not in rreqs[0]  # browser channel


async def test_refused_in_the_app_is_n_and_the_card_is_opposed(client, fake_ds, camille):
    """ "Je refuse ce paiement": RReq N / 01, final CRes N, and the card is opposed for fraud."""
    ares, page = await oob_page(client, fake_ds)
    challenge = await camille.next_operation(timeout=5)
    await camille.refuse(challenge, "not_me")
    cres = final_cres(await status_then_final(client, page))
    assert cres["transStatus"] == "N"
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert (rreq["transStatus"], rreq["transStatusReason"]) == ("N", "01")
    async with client.app[SESSIONS]() as session:
        card = await cards.get_by_hmac(session, client.app[VAULT].lookup_key(SECURPASS_CARD))
    assert card.status == "opposed"


async def test_cancel_on_the_page_cancels_the_operation(client, fake_ds, camille):
    """Cancel on the page: N / challengeCancel 01; the phone can no longer approve."""
    from merchant_simulator.phone import PhoneError

    ares, page = await oob_page(client, fake_ds)
    challenge = await camille.next_operation(timeout=5)
    token = form_fields(page)["token"]
    base = form_action(page).replace("https://acs.test", "").rsplit("/", 1)[0]
    final = await client.post(f"{base}/cancel", data={"token": token})
    assert final_cres(await final.text())["transStatus"] == "N"
    with pytest.raises(PhoneError):
        await camille.approve_with_code(challenge, CODE)
    assert len(fake_ds.for_trans(ares["acsTransID"])) == 1


@pytest.mark.parametrize("version", VERSIONS)
async def test_approved_in_the_app_from_the_merchant_app(
    client, fake_ds, keys_dir, camille, version
):
    """SDK: OOB screen 04 (header, text with amount and merchant, continue label); oobContinue
    sent while the phone is still deciding waits for it; final CRes Y."""
    sdk = AppSdk(ds_ca_pem=keys_dir / "ds-ca.pem", reference_number="3DS_LOA_SDK_TEST_020200_00001")
    areq_msg, ares = await start(
        client, fake_ds.url, version=version, channel="app", pan=SECURPASS_CARD,
        **sdk.areq_fields(),
    )  # fmt: skip
    sdk.begin(ares, areq_msg, enc="A128CBC-HS256")
    screen = await sdk.round(client, url=URL)
    validate_outgoing(screen)
    assert screen["acsUiType"] == "04" and screen["oobContinueLabel"]
    assert "41,99 €" in screen["challengeInfoText"]
    challenge = await camille.next_operation(timeout=5)

    async def approve_soon():
        await asyncio.sleep(0.3)
        await camille.approve_with_biometrics(challenge)

    oob_continue = True if version != "2.3.1" else "01"
    final, _ = await asyncio.gather(
        sdk.round(client, url=URL, oobContinue=oob_continue), approve_soon()
    )
    validate_outgoing(final)
    assert (final["challengeCompletionInd"], final["transStatus"]) == ("Y", "Y")
    assert len(fake_ds.for_trans(ares["acsTransID"])) == 1


async def test_refused_in_the_app_from_the_merchant_app(client, fake_ds, keys_dir, camille):
    """SDK: the phone refuses; the next oobContinue gets the final CRes N."""
    sdk = AppSdk(ds_ca_pem=keys_dir / "ds-ca.pem", reference_number="3DS_LOA_SDK_TEST_020200_00001")
    areq_msg, ares = await start(
        client, fake_ds.url, channel="app", pan=SECURPASS_CARD, **sdk.areq_fields()
    )
    sdk.begin(ares, areq_msg, enc="A128GCM")
    await sdk.round(client, url=URL)
    await camille.refuse(await camille.next_operation(timeout=5), "not_me")
    final = await sdk.round(client, url=URL, oobContinue=True)
    assert final["transStatus"] == "N"
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert rreq["transStatus"] == "N" and rreq["authenticationType"] == "03"


async def test_the_page_learns_the_decision_before_the_rres_and_the_cres_waits_for_it(
    client, fake_ds, camille
):
    """The long-poll answers at the decision, while the DS is still answering the RReq; the
    final CRes is only given once the RRes is in (§5: RReq → RRes → CRes)."""
    fake_ds.delay = 1.5
    ares, page = await oob_page(client, fake_ds)
    challenge = await camille.next_operation(timeout=5)
    await camille.approve_with_code(challenge, CODE)
    token = form_fields(page)["token"]
    base = form_action(page).replace("https://acs.test", "").rsplit("/", 1)[0]
    loop = asyncio.get_running_loop()
    asked = loop.time()
    status = await client.get(f"{base}/status", params={"token": token})
    assert (await status.json())["final"] is True
    assert loop.time() - asked < 1.0  # not held for the DS's 1.5 s
    assert fake_ds.for_trans(ares["acsTransID"]) == []  # the RRes is not in yet
    final = await client.post(f"{base}/continue", data={"token": token})
    assert final_cres(await final.text())["transStatus"] == "Y"
    assert len(fake_ds.for_trans(ares["acsTransID"])) == 1  # the CRes came after the RReq


async def test_an_approval_sends_its_rreq_at_once_without_the_worker(client, fake_ds, camille):
    """The deciding request's process sends the RReq itself right after the commit (the worker
    is only the safety net): with every worker stopped, the RReq still reaches the DS."""
    from tests.challenge.results_helpers import stop_workers

    ares, page = await oob_page(client, fake_ds)
    challenge = await camille.next_operation(timeout=5)
    await stop_workers()
    await camille.approve_with_code(challenge, CODE)
    rreq = await fake_ds.wait_for(ares["acsTransID"], timeout=5)
    assert rreq["transStatus"] == "Y"
    assert final_cres(await status_then_final(client, page))["transStatus"] == "Y"
