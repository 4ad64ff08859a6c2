"""CReq checks (§1.5: 203, 305, 314/315, 402), timeouts (30 s, 10 min) and races: exactly one
outcome and one RReq whatever arrives together."""

from __future__ import annotations

import asyncio
import json

import pytest

from acs.flows.challenge import browser as flow
from acs.flows.challenge.outcome import Verdict
from acs.protocol import b64url_decode, validate_outgoing
from acs.storage import outbox
from acs.web.challenge import result_keys
from acs.web.keys import CLOCK, SENDER, SESSIONS
from merchant_simulator.phone import PhoneError
from tests.challenge.conftest import CODE
from tests.challenge.helpers import (
    SECURPASS_CARD,
    SMS_CARD,
    creq_for,
    encode,
    final_cres,
    form_action,
    form_fields,
    start,
)
from tests.challenge.results_helpers import stop_workers


async def post_creq(client, creq):
    return await client.post("/3ds/challenge", data={"creq": encode(creq)})


async def test_an_unknown_acs_trans_id_is_305(client, fake_ds):
    """A CReq naming no transaction of ours: Erro 305."""
    areq_msg, ares = await start(client, fake_ds.url)
    creq = creq_for(areq_msg, ares, acsTransID="7b2c2a8e-7a53-4a1e-9d1a-2b2f2c4d5e6f")
    erro = await (await post_creq(client, creq)).json()
    validate_outgoing(erro)
    assert (erro["errorCode"], erro["errorMessageType"]) == ("305", "CReq")


async def test_another_version_than_the_areq_is_203(client, fake_ds):
    """The CReq must keep the AReq's messageVersion (field.md §3.4)."""
    areq_msg, ares = await start(client, fake_ds.url, version="2.2.0")
    erro = await (await post_creq(client, creq_for(areq_msg, ares, messageVersion="2.1.0"))).json()
    assert (erro["errorCode"], erro["errorDetail"]) == ("203", "messageVersion")


async def test_a_refresh_shows_the_same_page_but_other_content_ends_with_u(client, fake_ds):
    """The same CReq again (a refresh) is the same page; a different one is 305 and RReq U/10."""
    areq_msg, ares = await start(client, fake_ds.url, version="2.3.1")
    creq = creq_for(areq_msg, ares)
    first = await (await post_creq(client, creq)).text()
    again = await (await post_creq(client, creq)).text()
    assert form_fields(first)["token"] == form_fields(again)["token"]
    erro = await (await post_creq(client, {**creq, "challengeWindowSize": "05"})).json()
    assert erro["errorCode"] == "305"
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert (rreq["transStatus"], rreq["challengeCancel"]) == ("U", "10")


@pytest.mark.parametrize(("version", "code"), [("2.3.1", "315"), ("2.2.0", "305")])
async def test_a_creq_after_the_rreq_posts_an_erro_to_the_notification_url(
    client, fake_ds, clock, version, code
):
    """No CReq within 30 s: RReq N/14/05; a CReq after that gets Erro 315 (305 before 2.3.1)
    auto-posted to the notificationURL."""
    areq_msg, ares = await start(client, fake_ds.url, version=version)
    clock.advance(seconds=31)
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert (rreq["transStatus"], rreq["transStatusReason"], rreq["challengeCancel"]) == (
        "N", "14", "05",
    )  # fmt: skip
    page = await (await post_creq(client, creq_for(areq_msg, ares))).text()
    assert form_action(page) == areq_msg["notificationURL"]

    erro = json.loads(b64url_decode(form_fields(page)["cres"]))
    validate_outgoing(erro)
    assert erro["errorCode"] == code


async def test_a_late_first_creq_before_the_worker_is_402(client, fake_ds, clock):
    """The CReq arrives after 30 s but before any worker ran: Erro 402 and RReq N/14/05."""
    await stop_workers()
    areq_msg, ares = await start(client, fake_ds.url)
    clock.advance(seconds=31)
    erro = await (await post_creq(client, creq_for(areq_msg, ares))).json()
    assert erro["errorCode"] == "402"
    await client.app[SENDER].deliver_due()
    assert fake_ds.for_trans(ares["acsTransID"])[0]["challengeCancel"] == "05"


async def test_no_decision_in_ten_minutes(client, fake_ds, clock):
    """The SMS page left alone: after 10 minutes RReq N/14/04 and the page ends with CRes N."""
    areq_msg, ares = await start(client, fake_ds.url, pan=SMS_CARD)
    page = await (await post_creq(client, creq_for(areq_msg, ares))).text()
    clock.advance(minutes=10, seconds=1)
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert (rreq["transStatusReason"], rreq["challengeCancel"]) == ("14", "04")
    token = form_fields(page)["token"]
    done = await client.post(f"/3ds/challenge/{ares['acsTransID']}/continue", data={"token": token})
    assert final_cres(await done.text())["transStatus"] == "N"


async def test_a_forged_page_token_is_refused(client, fake_ds):
    """Follow-up routes are bound to the transaction by the token: another token is a 403."""
    areq_msg, ares = await start(client, fake_ds.url, pan=SMS_CARD)
    await post_creq(client, creq_for(areq_msg, ares))
    response = await client.post(
        f"/3ds/challenge/{ares['acsTransID']}/otp", data={"token": "x" * 24, "code": "123456"}
    )
    assert response.status == 403


async def test_approve_refuse_cancel_and_timeout_together(client, fake_ds, camille):
    """Four deciders at once: one wins, the others get a clear answer, one RReq goes out and
    the final CRes agrees with it."""
    areq_msg, ares = await start(client, fake_ds.url, pan=SECURPASS_CARD)
    page = await (await post_creq(client, creq_for(areq_msg, ares))).text()
    challenge = await camille.next_operation(timeout=5)
    app, token = client.app, form_fields(page)["token"]
    acs_trans_id = ares["acsTransID"]

    async def phone(action):
        try:
            if action == "approve":
                return await camille.approve_with_code(challenge, CODE)
            return await camille.refuse(challenge, "not_me")
        except PhoneError as exc:
            return exc.reason

    async def page_cancel():
        response = await client.post(f"/3ds/challenge/{acs_trans_id}/cancel", data={"token": token})
        return response.status

    async def timeout():
        async with app[SESSIONS].begin() as session:
            row, _ = await flow.load(session, acs_trans_id)
            now = app[CLOCK].now()
            return await flow.end_challenge(
                session, row, Verdict.timed_out(), result_keys(app), now
            )

    results = await asyncio.gather(phone("approve"), phone("refuse"), page_cancel(), timeout())
    rreq = await fake_ds.wait_for(acs_trans_id)
    await asyncio.sleep(0.2)
    assert len(fake_ds.for_trans(acs_trans_id)) == 1 and not fake_ds.duplicates
    async with app[SESSIONS]() as session:
        assert await outbox.count_for(session, acs_trans_id) == 1
    winners = [r for r in results[:2] if isinstance(r, dict)]
    assert len(winners) <= 1 and results[2] == 200
    done = await client.post(f"/3ds/challenge/{acs_trans_id}/continue", data={"token": token})
    cres = final_cres(await done.text())
    assert cres["transStatus"] == ("Y" if rreq["transStatus"] == "Y" else "N")
    if winners:
        expected = "Y" if winners[0]["status"] == "approved" else "N"
        assert rreq["transStatus"] == expected


async def test_many_concurrent_otp_submissions_decide_once(client, fake_ds):
    """Ten wrong-or-right codes at once on one challenge: one decision, one RReq."""
    from acs.web.keys import SMS
    from tests.challenge.helpers import SMS_MOBILE, otp_in

    areq_msg, ares = await start(client, fake_ds.url, pan=SMS_CARD)
    page = await (await post_creq(client, creq_for(areq_msg, ares))).text()
    code = otp_in((await client.app[SMS].wait_for(SMS_MOBILE, 1))[-1].text)
    token, url = form_fields(page)["token"], f"/3ds/challenge/{ares['acsTransID']}/otp"
    codes = [code if i % 3 == 0 else "000000" for i in range(10)]
    await asyncio.gather(*(client.post(url, data={"token": token, "code": c}) for c in codes))
    await fake_ds.wait_for(ares["acsTransID"])
    await asyncio.sleep(0.2)
    assert len(fake_ds.for_trans(ares["acsTransID"])) == 1
