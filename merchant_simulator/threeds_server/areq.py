"""Build the browser AReq (deviceChannel 02, payment) from a transaction [emv3ds.md §2.1]."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from merchant_simulator.threeds_server.browser import BrowserInfo
from merchant_simulator.threeds_server.config import ThreeDSServerConfig
from merchant_simulator.threeds_server.state import Transaction

__all__ = ["Endpoints", "build_areq", "creq_for"]


@dataclass(frozen=True)
class Endpoints:
    """This 3DS Server's own URLs that go into the AReq."""

    notification_url: str  # where the ACS page posts the final CRes
    server_url: str  # where the DS relays the RReq


def build_areq(
    transaction: Transaction,
    *,
    config: ThreeDSServerConfig,
    version: str,
    comp_ind: str,
    endpoints: Endpoints,
    now: datetime,
) -> dict[str, Any]:
    """The AReq the 3DS Server sends to the DS (the DS adds dsTransID, dsReferenceNumber, dsURL)."""
    areq = {
        "messageType": "AReq",
        "messageVersion": version,
        "messageCategory": "01",
        "deviceChannel": "02",
        "threeDSServerTransID": transaction.trans_id,
        "threeDSServerRefNumber": config.reference_number,
        "threeDSServerURL": endpoints.server_url,
        "threeDSCompInd": comp_ind,
        "notificationURL": endpoints.notification_url,
        **_requestor(config, version, transaction.challenge_ind),
        **_merchant(config, version),
        **_purchase(transaction, now),
        **_cardholder(transaction),
        **_browser(transaction.browser, version),
    }
    return areq


def creq_for(ares: dict[str, Any], *, window_size: str) -> dict[str, Any]:
    """The browser CReq that opens the challenge of a C ARes [emv3ds.md §2.3]."""
    return {
        "threeDSServerTransID": ares["threeDSServerTransID"],
        "acsTransID": ares["acsTransID"],
        "messageType": "CReq",
        "messageVersion": ares["messageVersion"],
        "challengeWindowSize": window_size,
    }


def _requestor(config: ThreeDSServerConfig, version: str, asked: str) -> dict[str, Any]:
    chosen = asked or config.challenge_ind
    if version == "2.1.0" and chosen > "04":
        chosen = "02"  # 2.1.0 defines 01-04 only: "no challenge requested" is the closest
    # threeDSRequestorChallengeInd became an array in 2.3.1.
    challenge_ind: Any = [chosen] if version == "2.3.1" else chosen
    return {
        "threeDSRequestorID": config.merchant.requestor_id,
        "threeDSRequestorName": config.merchant.requestor_name,
        "threeDSRequestorURL": config.merchant.requestor_url,
        "threeDSRequestorAuthenticationInd": "01",
        "threeDSRequestorChallengeInd": challenge_ind,
    }


def _merchant(config: ThreeDSServerConfig, version: str) -> dict[str, Any]:
    merchant = config.merchant
    fields = {
        "acquirerBIN": merchant.acquirer_bin,
        "acquirerMerchantID": merchant.acquirer_merchant_id,
        "mcc": merchant.mcc,
        "merchantCountryCode": merchant.country_code,
        "merchantName": merchant.name,
    }
    if version == "2.3.1":
        fields["acquirerCountryCode"] = merchant.acquirer_country_code
        fields["acquirerCountryCodeSource"] = "01"  # given by the 3DS Server
    return fields


def _purchase(transaction: Transaction, now: datetime) -> dict[str, Any]:
    purchase = transaction.purchase
    return {
        "purchaseAmount": str(purchase.amount),
        "purchaseCurrency": purchase.currency,
        "purchaseExponent": str(purchase.exponent),
        "purchaseDate": now.astimezone(UTC).strftime("%Y%m%d%H%M%S"),
        "transType": "01",
    }


def _cardholder(transaction: Transaction) -> dict[str, Any]:
    card = transaction.card
    return {
        "acctNumber": card.number,
        "cardExpiryDate": card.expiry_yymm,
        "cardholderName": card.holder_name,
    }


def _browser(browser: BrowserInfo, version: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "browserAcceptHeader": browser.accept_header,
        "browserJavaEnabled": browser.java_enabled,
        "browserLanguage": browser.language,
        "browserColorDepth": browser.color_depth,
        "browserScreenHeight": browser.screen_height,
        "browserScreenWidth": browser.screen_width,
        "browserTZ": browser.tz,
        "browserUserAgent": browser.user_agent,
    }
    if browser.ip:
        fields["browserIP"] = browser.ip
    if version != "2.1.0":
        fields["browserJavascriptEnabled"] = browser.javascript_enabled
    if version == "2.3.1":
        fields["acceptLanguage"] = list(browser.languages)
    return fields
