"""The 3DS Server simulator's AReq, version choice and form-field codec."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from merchant_simulator.threeds_server.areq import Endpoints, build_areq, creq_for
from merchant_simulator.threeds_server.browser import BrowserInfo, InvalidBrowserInfo
from merchant_simulator.threeds_server.config import ThreeDSServerConfig
from merchant_simulator.threeds_server.encoding import DecodeError, decode_json, encode_json
from merchant_simulator.threeds_server.state import Card, Purchase, Transaction
from merchant_simulator.threeds_server.urls import supported_versions
from merchant_simulator.threeds_server.versions import (
    RangeInfo,
    acs_versions,
    find_range,
    negotiate,
)

NOW = datetime(2026, 11, 29, 9, 0, 5, tzinfo=UTC)
BROWSER = {
    "acceptHeader": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36",
    "ip": "192.0.2.10",
    "language": "fr-FR",
    "languages": ["fr-FR", "fr", "en"],
    "colorDepth": "24",
    "screenHeight": "1080",
    "screenWidth": "1920",
    "tz": "-60",
    "javaEnabled": False,
    "javascriptEnabled": True,
}


def transaction() -> Transaction:
    return Transaction(
        trans_id="8a880dc0-d2d2-4067-bcb1-b08d1690b26e",
        card=Card("4970100000000014", "2912", "Camille Martin"),
        purchase=Purchase(4199),
        browser=BrowserInfo.from_api(BROWSER),
        return_url="https://shop.example.test/commande/1",
        session_data="b3JkZXI",
        created_at=NOW,
    )


def areq(version: str) -> dict:
    endpoints = Endpoints("https://3ds.example.test/notify", "https://3ds.example.test/rreq")
    config = ThreeDSServerConfig(ds_url="https://ds.example.test")
    built = build_areq(
        transaction(), config=config, version=version, comp_ind="Y", endpoints=endpoints, now=NOW
    )
    # What the DS adds before the ACS sees it.
    return {
        **built,
        "dsTransID": "6c7b3b1a-2f0e-4c1d-9a55-0d2b8e7f4a10",
        "dsReferenceNumber": "DS_SIM_REF_0001",
        "dsURL": "https://ds.example.test/rreq",
    }


@pytest.mark.parametrize("version", ["2.1.0", "2.2.0", "2.3.1"])
def test_areq_validates_against_the_acs_schema(version: str) -> None:
    """The browser AReq, as the DS forwards it, passes the ACS's own validation."""
    protocol = pytest.importorskip("acs.protocol")
    assert protocol.validate_incoming(areq(version), expected=protocol.MessageType.AREQ) == version


def test_areq_carries_the_merchant_and_the_purchase() -> None:
    """41,99 € at showroomprive.com (SP-50): amount in cents, EUR, UTC purchase date."""
    message = areq("2.2.0")
    assert message["merchantName"] == "showroomprive.com"
    assert (message["mcc"], message["merchantCountryCode"]) == ("5651", "250")
    assert (message["purchaseAmount"], message["purchaseCurrency"]) == ("4199", "978")
    assert message["purchaseExponent"] == "2"
    assert message["purchaseDate"] == "20261129090005"
    assert (message["messageCategory"], message["deviceChannel"]) == ("01", "02")
    assert message["threeDSCompInd"] == "Y"
    assert message["browserJavascriptEnabled"] is True
    assert message["browserIP"] == "192.0.2.10"


def test_version_shapes() -> None:
    """2.1.0 lacks browserJavascriptEnabled; 2.3.1 adds acceptLanguage, an array challengeInd."""
    assert "browserJavascriptEnabled" not in areq("2.1.0")
    latest = areq("2.3.1")
    assert latest["acceptLanguage"] == ["fr-FR", "fr", "en"]
    assert latest["threeDSRequestorChallengeInd"] == ["01"]
    assert latest["acquirerCountryCodeSource"] == "01"


def test_creq_follows_the_ares() -> None:
    """The CReq echoes the ARes ids and version with the configured window size."""
    ares = {
        "threeDSServerTransID": "a",
        "acsTransID": "b",
        "messageVersion": "2.2.0",
        "transStatus": "C",
    }
    assert creq_for(ares, window_size="03") == {
        "threeDSServerTransID": "a",
        "acsTransID": "b",
        "messageType": "CReq",
        "messageVersion": "2.2.0",
        "challengeWindowSize": "03",
    }


def test_negotiation_takes_the_highest_common_version() -> None:
    """The highest version both support wins; a forced version overrides."""
    assert negotiate(("2.1.0", "2.2.0", "2.3.1"), ("2.1.0", "2.2.0")) == "2.2.0"
    assert negotiate(("2.1.0", "2.2.0"), ("2.1.0", "2.2.0", "2.3.1")) == "2.2.0"
    assert negotiate(("2.1.0", "2.2.0", "2.3.1"), ("2.2.0", "2.3.1")) == "2.3.1"
    assert negotiate(("2.2.0",), ("2.3.1",), forced="2.1.0") == "2.1.0"


def test_plain_http_server_does_not_offer_2_3_1() -> None:
    """2.3.1 requires an HTTPS notificationURL."""
    assert "2.3.1" not in supported_versions("http://127.0.0.1:8102/notify")
    assert "2.3.1" in supported_versions("https://3ds.example.test/notify")


def test_an_acs_served_over_http_gets_2_2_0() -> None:
    """2.3.1 only with an https ACS (its 3DS Method URL, else the DS's scheme): an http ACS
    would give a 2.3.1 ARes an http acsURL, which the 2.3.1 schema forbids (issue #13)."""
    versions = ("2.1.0", "2.2.0", "2.3.1")
    http_acs = RangeInfo(1, 2, versions, "http://127.0.0.1:8000/3ds/method")
    https_acs = RangeInfo(1, 2, versions, "https://acs.example/3ds/method")
    assert acs_versions(http_acs, "https://ds.example") == ("2.1.0", "2.2.0")
    assert acs_versions(https_acs, "http://127.0.0.1:8101") == versions
    no_method = RangeInfo(1, 2, versions, None)
    assert acs_versions(no_method, "http://127.0.0.1:8101") == ("2.1.0", "2.2.0")
    assert acs_versions(no_method, "https://ds.example") == versions
    assert negotiate(versions, acs_versions(http_acs, "https://ds.example")) == "2.2.0"


def test_find_range_reads_the_range_list() -> None:
    """The DS range list gives the ACS versions (within the DS's) and the method URL."""
    pres = {
        "dsStartProtocolVersion": "2.1.0",
        "dsEndProtocolVersion": "2.2.0",
        "cardRangeData": [
            {
                "startRange": "4970100000000000",
                "endRange": "4970109999999999",
                "acsProtocolVersions": ["2.1.0", "2.2.0", "2.3.1"],
                "threeDSMethodURL": "https://acs.example.test/3ds/method",
            }
        ],
    }
    found = find_range(pres, "4970100000000014")
    assert found is not None
    assert found.versions == ("2.1.0", "2.2.0")
    assert found.method_url == "https://acs.example.test/3ds/method"
    assert find_range(pres, "5132850000000016") is None


@pytest.mark.parametrize("text", ["ÿ?>", "ÿ?>a", "ÿ?>ab"])  # the three padding lengths
def test_decode_accepts_padded_and_unpadded_base64url(text: str) -> None:
    """A CRes decodes with or without '=' padding, and with stray whitespace."""
    message = {"messageType": "CRes", "transStatus": "Y", "x": text}
    padded = base64.urlsafe_b64encode(json.dumps(message).encode()).decode()
    raw = padded.rstrip("=")
    assert decode_json(padded) == message
    assert decode_json(raw) == message
    assert decode_json(raw[:10] + "\n " + raw[10:]) == message
    assert "=" not in encode_json(message)
    assert decode_json(encode_json(message)) == message


def test_decode_rejects_what_is_not_a_json_object() -> None:
    """Garbage and JSON arrays are DecodeError."""
    with pytest.raises(DecodeError):
        decode_json("!!!")
    with pytest.raises(DecodeError):
        decode_json(encode_json({"a": 1})[:-3])
    with pytest.raises(DecodeError):
        decode_json(base64.urlsafe_b64encode(b"[1]").decode())


def test_browser_info_checks_formats() -> None:
    """Bad screen sizes are refused; a 30-bit colour depth rounds down; long tags shorten."""
    with pytest.raises(InvalidBrowserInfo):
        BrowserInfo.from_api({**BROWSER, "screenHeight": "tall"})
    info = BrowserInfo.from_api({**BROWSER, "colorDepth": "30", "language": "zh-Hant-TW"})
    assert (info.color_depth, info.language) == ("24", "zh")
    assert BrowserInfo.from_api({**BROWSER, "ip": "not an ip"}).ip is None
