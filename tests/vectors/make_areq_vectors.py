"""Regenerate ``tests/vectors/areq/*.json`` (run once; the JSON files are the vectors).

Values follow emv3ds.md §6.3 with the project's test card range and merchant.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent / "areq"
# The P-256 public key of RFC 7517 Appendix A.1: a real curve point, stable across runs.
EPHEM = {
    "kty": "EC",
    "crv": "P-256",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
}
DEVICE_INFO = (
    base64.urlsafe_b64encode(
        json.dumps({"DV": "1.0", "DD": {"C001": "Android", "C003": "fr-FR"}}).encode()
    )
    .rstrip(b"=")
    .decode()
)

ENVELOPE = {
    "messageType": "AReq",
    "threeDSServerTransID": "8a880dc0-d2d2-4067-bcb1-b08d1690b26e",
    "dsTransID": "6c7b3b1a-2f0e-4c1d-9a55-0d2b8e7f4a10",
    "threeDSServerRefNumber": "3DS_LOA_SER_TEST_020200_00001",
    "threeDSServerURL": "https://3ds-server.example.test/rreq",
    "dsReferenceNumber": "DS_TEST_REF_0001",
    "dsURL": "https://ds.example.test/areq",
    "threeDSRequestorID": "REQ-000123",
    "threeDSRequestorName": "Showroomprive",
    "threeDSRequestorURL": "https://www.showroomprive.com",
    "acctNumber": "4970101234567890",
    "cardExpiryDate": "2812",
    "cardholderName": "Jean Exemple",
    "email": "jean@example.test",
    "billAddrCity": "Lyon",
    "billAddrCountry": "250",
    "billAddrLine1": "1 rue Exemple",
    "billAddrPostCode": "69001",
    "acctInfo": {"chAccAgeInd": "05", "chAccDate": "20190301", "nbPurchaseAccount": "12"},
}
MERCHANT = {
    "acquirerBIN": "412345",
    "acquirerMerchantID": "MERCH0001",
    "mcc": "5651",
    "merchantCountryCode": "250",
    "merchantName": "showroomprive.com",
}
PURCHASE = {
    "purchaseAmount": "4199",
    "purchaseCurrency": "978",
    "purchaseExponent": "2",
    "purchaseDate": "20261129081500",
    "transType": "01",
}
BROWSER = {
    "deviceChannel": "02",
    "threeDSCompInd": "Y",
    "notificationURL": "https://www.showroomprive.com/3ds/notify",
    "browserAcceptHeader": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "browserIP": "192.0.2.10",
    "browserJavaEnabled": False,
    "browserJavascriptEnabled": True,
    "browserLanguage": "fr-FR",
    "browserColorDepth": "24",
    "browserScreenHeight": "1080",
    "browserScreenWidth": "1920",
    "browserTZ": "-60",
    "browserUserAgent": "Mozilla/5.0 (X11; Linux x86_64) ExampleBrowser/1.0",
}
APP = {
    "deviceChannel": "01",
    "sdkAppID": "3f0a6c2e-6b1d-4a52-9d0e-2b7c4f1e8a90",
    "sdkTransID": "2f5b0c4e-7c1f-4a1e-8a7e-0f4d9f1d2c33",
    "sdkReferenceNumber": "3DS_LOA_SDK_TEST_020200_00001",
    "sdkEphemPubKey": EPHEM,
    "sdkMaxTimeout": "05",
    "deviceRenderOptions": {"sdkInterface": "03", "sdkUiType": ["01", "02", "03", "04", "05"]},
    "deviceInfo": DEVICE_INFO,
}


def areq(version: str, kind: str) -> dict:
    """One AReq as the ACS receives it."""
    v231 = version == "2.3.1"
    challenge_ind = ["01"] if v231 else "01"
    message = {**ENVELOPE, "messageVersion": version}
    if v231:
        message |= {"acquirerCountryCode": "250", "acquirerCountryCodeSource": "01"}
    if kind in ("browser-pa", "app-pa"):
        message |= MERCHANT | PURCHASE | {"messageCategory": "01"}
        message |= {"threeDSRequestorAuthenticationInd": "01"}
        message |= {"threeDSRequestorChallengeInd": challenge_ind}
    if kind.startswith("browser"):
        message |= BROWSER | ({"acceptLanguage": ["fr-FR", "en"]} if v231 else {})
    if kind == "browser-npa":
        message |= {"messageCategory": "02", "threeDSRequestorAuthenticationInd": "04"}
    if kind == "app-pa":
        message |= APP
        if v231:
            message |= {"sdkType": "01", "defaultSdkType": {"sdkVariant": "01", "wrappedInd": "N"}}
    if kind == "3ri-npa":
        message |= {"deviceChannel": "03", "messageCategory": "02", "threeRIInd": "05"}
    if kind == "3ri-pa":
        message |= MERCHANT | PURCHASE | {"deviceChannel": "03", "messageCategory": "01"}
        message |= {"threeRIInd": "01", "recurringExpiry": "20271231", "recurringFrequency": "30"}
        if v231:
            message |= {"recurringInd": {"amountInd": "01", "frequencyInd": "01"}}
            message |= {"recurringAmount": "4199", "recurringCurrency": "978"}
            message |= {"recurringExponent": "2", "recurringDate": "20261229"}
    return message


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    for version in ("2.1.0", "2.2.0", "2.3.1"):
        for kind in ("browser-pa", "app-pa", "3ri-npa", "3ri-pa", "browser-npa"):
            text = json.dumps(areq(version, kind), indent=2, ensure_ascii=False)
            (OUT / f"{version}-{kind}.json").write_text(text + "\n", encoding="utf-8")
