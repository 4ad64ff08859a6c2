"""SMS OTP limits per cardholder (PSD2 RTS Art. 4(3)(b), issue 12 point 4): at most 5 wrong
codes in a row across resends and transactions, then SMS OTP is blocked until a Sécur'Pass
success or a staff reset; audited and shown in the back office."""

from __future__ import annotations

from sqlalchemy import select

from acs.storage import customers
from acs.storage.models import AuditEvent
from acs.web.keys import CLOCK, SESSIONS, SMS
from tests.challenge.conftest import CODE
from tests.challenge.helpers import SMS_CARD, SMS_MOBILE, final_cres, otp_in, start
from tests.challenge.test_browser_sms import open_page, post_form
from tests.challenge.test_securpass import oob_page, status_then_final
from tests.phones import CAMILLE
from tests.securpass_api.conftest import LOUIS

SUMMARY = f"/backoffice/v1/customers/{LOUIS}/securpass"
RESET = f"/backoffice/v1/customers/{LOUIS}/sms-otp/reset"


async def wrong_codes(client, fake_ds, n: int) -> str:
    """Open an SMS challenge for Louis and enter ``n`` wrong codes; the last page."""
    _, _, page = await open_page(client, fake_ds)
    for i in range(n):
        page = await post_form(client, page, code=f"00000{i}")
    return page


async def actions_of(client, customer_id: str) -> list[str]:
    async with client.app[SESSIONS]() as session:
        subject = f"customer:{customer_id}"
        found = await session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject == subject).order_by(AuditEvent.id)
        )
        return [a for a in found if a.startswith("sms_otp.")]


async def sms_state(client, staff):
    summary = await client.get(SUMMARY, headers=staff())
    assert summary.status == 200
    return (await summary.json())["sms_otp"]


async def test_a_resend_gives_no_fresh_attempts(client, fake_ds):
    """Two wrong codes, a resend, a third wrong code: the challenge fails (the resend no longer
    resets the challenge's failures)."""
    page = await wrong_codes(client, fake_ds, 2)
    page = await post_form(client, page, index="resend")  # resend
    final = await post_form(client, page, code="000009")
    assert final_cres(final)["transStatus"] == "N"


async def test_five_wrong_codes_over_two_transactions_block_sms_otp(client, fake_ds, staff):
    """3 wrong codes, then 2 in the next transaction: the fifth ends it N/01, the block is
    audited and shown; the next AReq is N with reason 19 and no code is sent."""
    final = await wrong_codes(client, fake_ds, 3)
    assert final_cres(final)["transStatus"] == "N"
    assert await sms_state(client, staff) == {"failures": 3, "blocked": False, "blocked_at": None}
    page = await wrong_codes(client, fake_ds, 1)
    assert "essai" in page  # the fourth: still a challenge
    final = await post_form(client, page, code="000008")
    assert final_cres(final)["transStatus"] == "N"
    state = await sms_state(client, staff)
    assert state["failures"] == 5 and state["blocked"] and state["blocked_at"]
    assert await actions_of(client, LOUIS) == ["sms_otp.blocked"]
    sent = len(client.app[SMS].inbox(SMS_MOBILE))
    _, ares = await start(client, fake_ds.url, pan=SMS_CARD)
    assert (ares["transStatus"], ares["transStatusReason"]) == ("N", "19")
    assert len(client.app[SMS].inbox(SMS_MOBILE)) == sent


async def test_a_staff_reset_lifts_the_block(client, fake_ds, staff):
    """The back office's reset lifts the block (audited with the staff id): SMS OTP again."""
    await _block(client, LOUIS)
    response = await client.post(RESET, headers=staff())
    assert response.status == 200
    body = await response.json()
    assert body["before"]["blocked"] and not body["sms_otp"]["blocked"]
    assert await sms_state(client, staff) == {"failures": 0, "blocked": False, "blocked_at": None}
    assert await actions_of(client, LOUIS) == ["sms_otp.unblocked"]
    async with client.app[SESSIONS]() as session:
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "sms_otp.unblocked")
        )
        assert event is not None and event.actor == "staff:adv-007"
    _, ares = await start(client, fake_ds.url, pan=SMS_CARD)
    assert ares["transStatus"] == "C"


async def test_a_staff_reset_needs_a_staff_token_and_a_customer(client, staff):
    """Without a staff token the reset is a 401; an unknown customer is a 404."""
    assert (await client.post(RESET)).status == 401
    missing = await client.post("/backoffice/v1/customers/NOPE/sms-otp/reset", headers=staff())
    assert missing.status == 404 and (await missing.json())["error"] == "unknown_customer"


async def test_a_correct_code_clears_the_consecutive_count(client, fake_ds, staff):
    """Two wrong codes then the right one: the count starts again, so 3 more wrong codes in
    the next transaction do not block."""
    page = await wrong_codes(client, fake_ds, 2)
    sms = (await client.app[SMS].wait_for(SMS_MOBILE, 1))[-1]
    assert final_cres(await post_form(client, page, code=otp_in(sms.text)))["transStatus"] == "Y"
    assert (await sms_state(client, staff))["failures"] == 0
    await wrong_codes(client, fake_ds, 3)
    assert await sms_state(client, staff) == {"failures": 3, "blocked": False, "blocked_at": None}


async def test_a_challenge_open_when_the_block_starts_takes_no_more_codes(client, fake_ds, staff):
    """A challenge opened before the block: even its right code is refused once blocked (N)."""
    _, _, open_one = await open_page(client, fake_ds)
    code = otp_in((await client.app[SMS].wait_for(SMS_MOBILE, 1))[-1].text)
    await wrong_codes(client, fake_ds, 3)
    await wrong_codes(client, fake_ds, 2)
    assert (await sms_state(client, staff))["blocked"]
    final = await post_form(client, open_one, code=code)
    assert final_cres(final)["transStatus"] == "N"
    assert (await sms_state(client, staff))["failures"] == 5  # the refused code was never compared


async def test_a_securpass_success_lifts_the_block(client, fake_ds, camille):
    """A cardholder with a device and a blocked SMS OTP is still challenged by Sécur'Pass;
    approving in the app lifts the block (audited with the device)."""
    await _block(client, CAMILLE)
    _, page = await oob_page(client, fake_ds)
    challenge = await camille.next_operation(timeout=5)
    await camille.approve_with_code(challenge, CODE)
    assert final_cres(await status_then_final(client, page))["transStatus"] == "Y"
    async with client.app[SESSIONS]() as session:
        assert not (await customers.otp_failures(session, CAMILLE)).blocked
    assert await actions_of(client, CAMILLE) == ["sms_otp.unblocked"]


async def _block(client, customer_id: str) -> None:
    async with client.app[SESSIONS].begin() as session:
        for _ in range(5):
            await customers.count_otp_failure(
                session, customer_id, limit=5, now=client.app[CLOCK].now()
            )


async def test_app_channel_codes_count_for_the_cardholder_too(client, fake_ds, keys_dir, staff):
    """Wrong codes in the app count with the browser's: 3 in a browser challenge, 2 in the app
    (a resend between them) block SMS OTP; the app's final CRes is N."""
    from tests.challenge.test_app_channel import URL, app_challenge

    await wrong_codes(client, fake_ds, 3)
    sdk, ares = await app_challenge(client, fake_ds, keys_dir)
    await sdk.round(client, url=URL)
    await sdk.round(client, url=URL, challengeDataEntry="000000")
    await sdk.round(client, url=URL, resendChallenge="Y")
    final = await sdk.round(client, url=URL, challengeDataEntry="000001")
    assert final["transStatus"] == "N"
    assert (await sms_state(client, staff))["blocked"]
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert (rreq["transStatus"], rreq["transStatusReason"]) == ("N", "01")
