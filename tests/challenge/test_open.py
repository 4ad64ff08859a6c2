"""A C or D answer opens its challenge row in the AReq's own transaction."""

from __future__ import annotations

from acs.storage import challenges
from acs.storage.engine import make_engine, make_sessionmaker
from tests.challenge.helpers import SMS_CARD, start


async def _row(settings, acs_trans_id):
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            return await challenges.get(session, acs_trans_id)
    finally:
        await engine.dispose()


async def test_browser_c_opens_an_sms_challenge_waiting_for_its_creq(client, fake_ds, settings):
    """41,99 EUR for an SMS-only customer: C, and a row waiting 30 s for the first CReq."""
    _, ares = await start(client, fake_ds.url, pan=SMS_CARD)
    assert ares["transStatus"] == "C"
    row = await _row(settings, ares["acsTransID"])
    assert (row.method, row.state, row.channel) == ("sms_otp", "awaiting", "02")
    assert (row.creq_deadline - row.created_at).total_seconds() == 30
    assert row.cek_sealed is None


async def test_app_c_keeps_the_content_key_sealed(client, fake_ds, settings, keyring):
    """An app challenge keeps its 32-byte CEK sealed under session_wrap with the acsTransID."""
    from acs.crypto.jose import open_cek

    _, ares = await start(client, fake_ds.url, channel="app", pan=SMS_CARD)
    assert ares["transStatus"] == "C" and "acsSignedContent" in ares
    row = await _row(settings, ares["acsTransID"])
    assert len(open_cek(keyring.session_wrap, row.cek_sealed, ares["acsTransID"])) == 32
