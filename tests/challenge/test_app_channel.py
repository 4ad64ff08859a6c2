"""App challenge (§1.6) through the test SDK, whose JOSE/KDF is its own: SMS OTP text screen,
cancel, tampered and replayed CReqs, both encryption methods, every version."""

from __future__ import annotations

import pytest

from acs.protocol import validate_outgoing
from acs.web.keys import SMS
from merchant_simulator.sdk import AppSdk, SdkErro
from tests.challenge.helpers import SMS_CARD, SMS_MOBILE, VERSIONS, otp_in, start

URL = "/3ds/app-challenge"
ENCS = ("A128CBC-HS256", "A128GCM")


async def app_challenge(client, fake_ds, keys_dir, *, version="2.2.0", enc="A128GCM", pan=SMS_CARD):
    sdk = AppSdk(ds_ca_pem=keys_dir / "ds-ca.pem", reference_number="3DS_LOA_SDK_TEST_020200_00001")
    areq_msg, ares = await start(
        client, fake_ds.url, version=version, channel="app", pan=pan, **sdk.areq_fields()
    )
    assert ares["transStatus"] == "C"
    sdk.begin(ares, areq_msg, enc=enc)
    assert sdk.acs_url == "https://acs.test/3ds/app-challenge"
    return sdk, ares


def checked(cres):
    validate_outgoing(cres)
    return cres


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("version", VERSIONS)
async def test_sms_code_in_the_app(client, fake_ds, keys_dir, version, enc):
    """Text screen (01) naming amount and merchant; the right code gives CRes Y after RReq Y."""
    sdk, ares = await app_challenge(client, fake_ds, keys_dir, version=version, enc=enc)
    first = checked(await sdk.round(client, url=URL))
    assert (first["acsUiType"], first["challengeCompletionInd"]) == ("01", "N")
    assert (
        "41,99 €" in first["challengeInfoText"]
        and "showroomprive.com" in first["challengeInfoText"]
    )
    sms = (await client.app[SMS].wait_for(SMS_MOBILE, 1))[-1]
    final = checked(await sdk.round(client, url=URL, challengeDataEntry=otp_in(sms.text)))
    assert (final["challengeCompletionInd"], final["transStatus"]) == ("Y", "Y")
    assert final["acsCounterAtoS"] == "001"
    rreqs = fake_ds.for_trans(ares["acsTransID"])
    assert len(rreqs) == 1 and rreqs[0]["transStatus"] == "Y"
    assert rreqs[0]["acsRenderingType"]["acsInterface"] == "01"
    assert rreqs[0]["interactionCounter"] == "01"  # one code entered


async def test_a_wrong_code_then_resend_then_the_new_code(client, fake_ds, keys_dir):
    """A wrong code shows the warning; a resend sends a new code that works."""
    sdk, _ = await app_challenge(client, fake_ds, keys_dir)
    await sdk.round(client, url=URL)
    wrong = checked(await sdk.round(client, url=URL, challengeDataEntry="000000"))
    assert wrong["challengeInfoTextIndicator"] == "Y"
    resent = checked(await sdk.round(client, url=URL, resendChallenge="Y"))
    assert resent["acsUiType"] == "01"
    sms = (await client.app[SMS].wait_for(SMS_MOBILE, 2))[-1]
    final = await sdk.round(client, url=URL, challengeDataEntry=otp_in(sms.text))
    assert final["transStatus"] == "Y"


async def test_cancel_in_the_app(client, fake_ds, keys_dir):
    """challengeCancel 01: final CRes N, RReq N with challengeCancel 01."""
    sdk, ares = await app_challenge(client, fake_ds, keys_dir)
    await sdk.round(client, url=URL)
    final = checked(await sdk.round(client, url=URL, challengeCancel="01"))
    assert final["transStatus"] == "N"
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert (rreq["transStatus"], rreq["challengeCancel"]) == ("N", "01")


async def test_a_tampered_creq_is_302_and_ends_with_u(client, fake_ds, keys_dir):
    """A flipped ciphertext byte: Erro 302 to the SDK and RReq U (challengeCancel 10 in 2.3.1)."""
    sdk, ares = await app_challenge(client, fake_ds, keys_dir, version="2.3.1", enc="A128CBC-HS256")
    jwe = sdk.creq()
    parts = jwe.split(".")
    parts[3] = ("A" if parts[3][0] != "A" else "B") + parts[3][1:]
    with pytest.raises(SdkErro) as caught:
        await sdk.send(client, ".".join(parts), url=URL)
    assert caught.value.erro["errorCode"] == "302"
    validate_outgoing(caught.value.erro)
    rreq = await fake_ds.wait_for(ares["acsTransID"])
    assert (rreq["transStatus"], rreq["challengeCancel"]) == ("U", "10")


async def test_a_replayed_creq_is_refused(client, fake_ds, keys_dir):
    """The same CReq (same sdkCounterStoA) twice: the second is a 302."""
    sdk, _ = await app_challenge(client, fake_ds, keys_dir, enc="A128CBC-HS256")
    jwe = sdk.creq()
    await sdk.send(client, jwe, url=URL)
    with pytest.raises(SdkErro) as caught:
        await sdk.send(client, jwe, url=URL)
    assert caught.value.erro["errorCode"] == "302"


async def test_not_a_jwe_is_101(client):
    """A body that is not a compact JWE: Erro 101."""
    response = await client.post(URL, data="hello", headers={"Content-Type": "application/jose"})
    erro = await response.json()
    assert erro["errorCode"] == "101"


async def test_the_sdk_refuses_content_signed_outside_its_ds_ca(
    client, fake_ds, keys_dir, tmp_path
):
    """Another CA: the SDK's chain check fails (the ACS chain leads to the dev DS CA only)."""
    from acs.crypto.devpki import init_dev_pki
    from merchant_simulator.sdk import SignedContentInvalid

    other = tmp_path / "other"
    other.mkdir()
    init_dev_pki(other, lambda path, text: path.write_text(text))
    sdk = AppSdk(ds_ca_pem=other / "ds-ca.pem", reference_number="3DS_LOA_SDK_TEST_020200_00001")
    areq_msg, ares = await start(client, fake_ds.url, channel="app", **sdk.areq_fields())
    with pytest.raises(SignedContentInvalid):
        sdk.begin(ares, areq_msg, enc="A128GCM")
