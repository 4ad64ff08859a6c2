"""RReqs leave with the client certificate of the card range's scheme (mutual TLS to the DS)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from acs.config import Scheme, SchemeSettings
from acs.storage import outbox
from acs.web import create_app
from acs.web.keys import SESSIONS
from tests.challenge.fake_ds import FakeDS
from tests.challenge.helpers import SMS_CARD, creq_for, encode, form_action, form_fields, start
from tests.pki import TestCa


@pytest.fixture
def cas(tmp_path):
    folder = tmp_path / "pki"
    return {name: TestCa(folder, name) for name in ("ds-server", "visa", "mastercard")}


@pytest.fixture
async def acs(aiohttp_client, settings, keyring, clock, demo_data, cas, monkeypatch):
    """The ACS with one RReq certificate per scheme, trusting the fake DS's server CA."""
    visa = cas["visa"].issue("acs visa rreq", client=True)
    mastercard = cas["mastercard"].issue("acs mastercard rreq", client=True)
    schemes = {
        Scheme.VISA: SchemeSettings(rreq_client_cert=visa.cert, rreq_client_key=visa.key),
        Scheme.MASTERCARD: SchemeSettings(
            rreq_client_cert=mastercard.cert, rreq_client_key=mastercard.key
        ),
    }
    # How an operator adds a DS's private root: the system trust store, read at start-up.
    monkeypatch.setenv("SSL_CERT_FILE", cas["ds-server"].bundle)
    chosen = dataclasses.replace(settings, schemes=schemes)
    return await aiohttp_client(create_app(chosen, keys=keyring, clock=clock))


async def tls_ds(cas, scheme: str) -> FakeDS:
    ds = FakeDS(tls=cas["ds-server"].server_context(require_clients_of=cas[scheme]))
    await ds.start()
    return ds


async def cancel_challenge(acs, ds_url: str) -> str:
    """A Visa card's challenge, cancelled by the cardholder; its acsTransID."""
    areq_msg, ares = await start(acs, ds_url, pan=SMS_CARD)
    assert ares["transStatus"] == "C"
    form = {"creq": encode(creq_for(areq_msg, ares))}
    page = await (await acs.post("/3ds/challenge", data=form)).text()
    action = form_action(page, "cancel").replace("https://acs.test", "")
    token = form_fields(page)["token"]
    await acs.post(action, data={"token": token}, headers={"Origin": "https://acs.test"})
    return ares["acsTransID"]


async def test_a_visa_rreq_goes_with_the_visa_certificate(acs, cas):
    """A DS accepting only the Visa CA's clients receives a Visa card's RReq, signed for Visa."""
    ds = await tls_ds(cas, "visa")
    try:
        acs_trans_id = await cancel_challenge(acs, ds.url)
        rreq = await ds.wait_for(acs_trans_id)
        assert rreq["transStatus"] == "N"
        assert ds.client_names == ["acs visa rreq"]
    finally:
        await ds.close()


async def test_a_visa_rreq_is_not_sent_with_another_schemes_certificate(acs, cas):
    """A DS accepting only the Mastercard CA's clients refuses the Visa card's RReq at TLS."""
    ds = await tls_ds(cas, "mastercard")
    try:
        acs_trans_id = await cancel_challenge(acs, ds.url)
        row = None
        for _ in range(100):
            async with acs.app[SESSIONS]() as session:
                row = await outbox.get_for(session, acs_trans_id)
            if row is not None and row.last_error:
                break
            await asyncio.sleep(0.1)
        assert row is not None and row.scheme == "visa"
        assert (row.last_error or "").startswith("connect_error"), row.last_error
        assert ds.rreqs == [] and ds.client_names == []
    finally:
        await ds.close()
