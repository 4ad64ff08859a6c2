"""The merchant-facing JSON API: start an authentication, then read its outcome.

``POST /api/transactions`` with ``{"card": {"number", "expiry" (YYMM), "holderName"},
"purchase": {"amount" (minor units), "currency", "exponent"}, "browser": {...}, "returnURL"}``
answers ``201 {"threeDSServerTransID", "authenticateURL"}``: the merchant sends the browser to
``authenticateURL``, and the browser comes back to ``returnURL`` when the authentication is over.
``"challengeIndicator"`` (optional, two digits) is the merchant's threeDSRequestorChallengeInd
for this purchase, e.g. ``05`` to ask for the acquirer TRA exemption (2.2.0 and later; a 2.1.0
AReq says ``02``, no challenge requested). ``GET /api/transactions/{id}`` answers the outcome
(see :func:`outcome.outcome`); ``GET /`` lists the recent transactions.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aiohttp import web

from merchant_simulator.threeds_server.browser import BrowserInfo, InvalidBrowserInfo
from merchant_simulator.threeds_server.ds_client import fetch_ranges
from merchant_simulator.threeds_server.encoding import encode_text
from merchant_simulator.threeds_server.keys import CONFIG, HTTP, NOW, TRANSACTIONS
from merchant_simulator.threeds_server.outcome import outcome
from merchant_simulator.threeds_server.state import Card, Purchase, Transaction
from merchant_simulator.threeds_server.urls import own_url, supported_versions
from merchant_simulator.threeds_server.versions import acs_versions, find_range, negotiate

__all__ = ["routes"]

routes = web.RouteTableDef()
_PAN = re.compile(r"^[0-9]{13,19}$")
_YYMM = re.compile(r"^[0-9]{2}(0[1-9]|1[0-2])$")
_CHALLENGE_IND = re.compile(r"^[0-9]{2}$")


class BadRequest(ValueError):
    """An API request the 3DS Server cannot act on; the message names the field."""


@routes.post("/api/transactions")
async def create_transaction(request: web.Request) -> web.Response:
    try:
        body = await _json_object(request)
        transaction = _new_transaction(body, request.app[NOW]())
    except (BadRequest, InvalidBrowserInfo) as exc:
        return web.json_response({"error": str(exc)}, status=400)
    transaction = await _with_range(request, transaction)
    request.app[TRANSACTIONS].add(transaction)
    config = request.app[CONFIG]
    answer = {
        "threeDSServerTransID": transaction.trans_id,
        "messageVersion": transaction.version,
        "authenticateURL": own_url(request, config, f"/authenticate/{transaction.trans_id}"),
    }
    return web.json_response(answer, status=201)


@routes.get("/api/transactions/{trans_id}")
async def get_transaction(request: web.Request) -> web.Response:
    transaction = request.app[TRANSACTIONS].get(request.match_info["trans_id"])
    if transaction is None:
        return web.json_response({"error": "unknown threeDSServerTransID"}, status=404)
    return web.json_response(outcome(transaction))


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("body is not JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest("body is not a JSON object")
    return body


def _new_transaction(body: Mapping[str, Any], now: datetime) -> Transaction:
    trans_id = str(uuid.uuid4())
    return_url = body.get("returnURL")
    if not isinstance(return_url, str) or not return_url.startswith(("http://", "https://")):
        raise BadRequest("returnURL is missing or not an http(s) URL")
    return Transaction(
        trans_id=trans_id,
        card=_card(_object(body, "card")),
        purchase=_purchase(_object(body, "purchase")),
        browser=BrowserInfo.from_api(_object(body, "browser")),
        return_url=return_url,
        session_data=encode_text(trans_id),
        created_at=now,
        challenge_ind=_challenge_ind(body.get("challengeIndicator", "")),
    )


def _challenge_ind(value: object) -> str:
    if value in ("", None):
        return ""
    if not isinstance(value, str) or not _CHALLENGE_IND.match(value):
        raise BadRequest("challengeIndicator must be two digits")
    return value


def _object(body: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise BadRequest(f"{key} is missing or not an object")
    return value


def _card(data: Mapping[str, Any]) -> Card:
    number = str(data.get("number", "")).replace(" ", "")
    expiry = str(data.get("expiry", ""))
    name = str(data.get("holderName", "")).strip()
    if not _PAN.match(number):
        raise BadRequest("card.number must be 13 to 19 digits")
    if not _YYMM.match(expiry):
        raise BadRequest("card.expiry must be YYMM")
    if not 2 <= len(name) <= 45:
        raise BadRequest("card.holderName must be 2 to 45 characters")
    return Card(number=number, expiry_yymm=expiry, holder_name=name)


def _purchase(data: Mapping[str, Any]) -> Purchase:
    amount, currency = str(data.get("amount", "")), str(data.get("currency", "978"))
    exponent = str(data.get("exponent", "2"))
    if not amount.isdigit() or len(amount) > 48:
        raise BadRequest("purchase.amount must be digits (minor units)")
    if not re.match(r"^[0-9]{3}$", currency) or not re.match(r"^[0-9]$", exponent):
        raise BadRequest("purchase.currency must be 3 digits and exponent 1 digit")
    return Purchase(amount=int(amount), currency=currency, exponent=int(exponent))


async def _with_range(request: web.Request, transaction: Transaction) -> Transaction:
    """Pick the version and the 3DS Method URL from the DS card range list."""
    config = request.app[CONFIG]
    ranges = await fetch_ranges(request.app[HTTP], config.ds_url)
    found = find_range(ranges, transaction.card.number)
    ours = supported_versions(own_url(request, config, "/notify"))
    theirs = acs_versions(found, config.ds_url)  # 2.2.0 for an ACS served over http
    version = negotiate(ours, theirs, forced=config.force_version)
    method_url = found.method_url if found else None
    return dataclasses.replace(transaction, version=version, method_url=method_url)
