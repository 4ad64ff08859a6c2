"""A cardholder (and their 3DS Server) going through a browser challenge over HTTP, who keeps
trying while the ACS is dead: AReq → ARes C → CReq → the decision (SMS OTP: the code from the
SMS provider, posted; Sécur'Pass: the phone's, :mod:`benchmarks.faults.phone_holder`) → the
final page's CRes.

Every call is retried on a refused, reset or timed-out connection until ``deadline`` (the ACS
is restarting): an AReq whose answer was lost is sent again as a new transaction (the lost one,
if committed, ends N by the first-CReq timeout), any later step is repeated on the same
transaction, as a browser's reload would.
"""

from __future__ import annotations

import asyncio
import base64
import html
import json
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from benchmarks.areqs import load_template, render
from benchmarks.faults.edge import SmsProvider

__all__ = ["DOWN", "Attempt", "browser_challenge", "securpass_challenge", "sms_challenge"]

T = TypeVar("T")
RETRY_PAUSE = 0.2  # between calls to a dead ACS
WAIT_PAUSE = 1.0  # between looks at a page waiting for its result (a page's poll)
SMS_WAIT = 3.0  # seconds before asking for the code again
CODE = re.compile(r"\b(\d{6})\b")
TOKEN = re.compile(r'name="token" value="([^"]+)"')
ACTION = re.compile(r'<form[^>]*action="([^"]*)"')
CRES = re.compile(r'name="cres" value="([^"]+)"')
DOWN = (aiohttp.ClientConnectionError, aiohttp.ServerTimeoutError, OSError, TimeoutError)


@dataclass
class Attempt:
    """One cardholder's challenge: the acsTransID(s) it opened and how it ended: the final
    CRes's transStatus, or ``Erro <code>`` (a CReq after the challenge had timed out)."""

    acs_trans_ids: list[str]
    cres_status: str | None = None
    error: str | None = None
    retries: int = 0
    resends: int = 0


# What the cardholder does on the opened challenge page: (acsTransID, form action, token) →
# the page after deciding (SMS: the code typed and posted; Sécur'Pass: the page as it is, the
# phone decides on its own).
Decide = Callable[[str, str, str, Attempt, float], Awaitable[str | None]]


async def browser_challenge(
    http: aiohttp.ClientSession,
    base_url: str,
    *,
    ds_url: str,
    pan: str,
    rng: random.Random,
    deadline: float,
    decide: Decide,
) -> Attempt:
    """AReq → ARes C → CReq → ``decide`` → the final page's CRes, through any number of
    kills (every call retried until ``deadline``)."""
    attempt = Attempt(acs_trans_ids=[])
    try:
        ares, areq = await _areq(http, base_url, ds_url, pan, rng, attempt, deadline)
        acs_trans_id = ares["acsTransID"]
        creq = {"creq": _creq(areq, ares)}
        url = f"{base_url}/3ds/challenge"
        page = await _retrying(lambda: _post(http, url, creq), attempt, deadline)
        if _over(page):  # already over: the first CReq came too late (the ACS was down)
            attempt.cres_status = _ending(page)
            return attempt
        token, action = _token(page), _action(page)
        page = await decide(acs_trans_id, action, token, attempt, deadline) or page
        attempt.cres_status = await _final(http, action, token, page, attempt, deadline)
    except _GaveUp as exc:
        attempt.error = str(exc)
    return attempt


async def sms_challenge(
    http: aiohttp.ClientSession,
    base_url: str,
    *,
    ds_url: str,
    sms: SmsProvider,
    pan: str,
    rng: random.Random,
    deadline: float,
) -> Attempt:
    """The code from the SMS, typed and posted."""

    async def type_code(
        acs_trans_id: str, action: str, token: str, attempt: Attempt, deadline: float
    ) -> str:
        code = await _code(http, sms, acs_trans_id, action, token, attempt, deadline)
        form = {"token": token, "code": code}
        return await _retrying(lambda: _post(http, action, form), attempt, deadline)

    return await browser_challenge(http, base_url, ds_url=ds_url, pan=pan, rng=rng,
                                   deadline=deadline, decide=type_code)  # fmt: skip


async def securpass_challenge(
    http: aiohttp.ClientSession,
    base_url: str,
    *,
    ds_url: str,
    pan: str,
    rng: random.Random,
    deadline: float,
) -> Attempt:
    """The waiting page followed ("J'ai validé dans l'appli") while the phone decides."""

    async def wait_for_the_phone(*_: object) -> None:
        return None

    return await browser_challenge(http, base_url, ds_url=ds_url, pan=pan, rng=rng,
                                   deadline=deadline, decide=wait_for_the_phone)  # fmt: skip


class _GaveUp(Exception):
    pass


async def _areq(http, base_url, ds_url, pan, rng, attempt, deadline):
    template = load_template(ds_url)
    while True:
        body = render(template, "challenge", pan, rng)
        areq = json.loads(body)
        try:
            ares = await _json(http, f"{base_url}/3ds/areq", body)
        except DOWN:
            attempt.retries += 1
            await _pause(deadline)
            continue
        if ares.get("transStatus") != "C":
            raise _GaveUp(f"ARes {ares.get('transStatus') or ares.get('errorCode')}")
        attempt.acs_trans_ids.append(ares["acsTransID"])
        return ares, areq


async def _code(http, sms, acs_trans_id, action, token, attempt, deadline) -> str:
    """The code of the last SMS; none within ``SMS_WAIT`` (the ACS died before sending it):
    "Renvoyer le code", as the cardholder would."""
    resend = action.rsplit("/", 1)[0] + "/resend"
    while True:
        text = await sms.text_for(acs_trans_id, timeout=SMS_WAIT)
        if text is not None and (found := CODE.search(text)) is not None:
            return found.group(1)
        await _pause(deadline)
        attempt.resends += 1
        await _retrying(lambda: _post(http, resend, {"token": token}), attempt, deadline)


async def _final(http, action, token, page, attempt, deadline) -> str | None:
    """The CRes of the final page; a waiting page is followed with ``continue``."""
    cont = action.rsplit("/", 1)[0] + "/continue"
    while True:
        if _over(page):
            return _ending(page)
        await _pause(deadline, WAIT_PAUSE)
        page = await _retrying(lambda: _post(http, cont, {"token": token}), attempt, deadline)


async def _retrying(call: Callable[[], Awaitable[T]], attempt: Attempt, deadline: float) -> T:
    while True:
        try:
            return await call()
        except DOWN:
            attempt.retries += 1
            await _pause(deadline)


async def _pause(deadline: float, seconds: float = RETRY_PAUSE) -> None:
    if time.monotonic() > deadline:
        raise _GaveUp("the ACS did not come back in time")
    await asyncio.sleep(seconds)


async def _json(http: aiohttp.ClientSession, url: str, body: bytes) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    async with http.post(url, data=body, headers=headers) as response:
        if response.status >= 500:
            raise aiohttp.ClientConnectionError(f"HTTP {response.status}")
        return await response.json()


async def _post(http: aiohttp.ClientSession, url: str, form: dict[str, str]) -> str:
    async with http.post(url, data=form) as response:
        if response.status >= 500:
            raise aiohttp.ClientConnectionError(f"HTTP {response.status}")
        return await response.text()


def _creq(areq: dict[str, Any], ares: dict[str, Any]) -> str:
    creq = {
        "threeDSServerTransID": areq["threeDSServerTransID"], "acsTransID": ares["acsTransID"],
        "messageType": "CReq", "messageVersion": areq["messageVersion"],
        "challengeWindowSize": "02",
    }  # fmt: skip
    return base64.urlsafe_b64encode(json.dumps(creq).encode()).rstrip(b"=").decode()


def _token(page: str) -> str:
    found = TOKEN.search(page)
    if found is None:
        raise _GaveUp(f"no token on the challenge page: {_text(page)[:120]}")
    return html.unescape(found.group(1))


def _action(page: str) -> str:
    found = ACTION.search(page)
    if found is None:
        raise _GaveUp("no form on the challenge page")
    return html.unescape(found.group(1))


def _over(page: str) -> bool:
    """A final page (its CRes or Erro for the notificationURL) or an Erro answered as JSON."""
    return bool(CRES.search(page)) or page.lstrip().startswith("{")


def _ending(page: str) -> str:
    """The final page's message: its transStatus (a CRes), or ``Erro <code>``."""
    found = CRES.search(page)
    if found is None:
        message = json.loads(page)
    else:
        message = json.loads(base64.urlsafe_b64decode(_padded(html.unescape(found.group(1)))))
    if message.get("messageType") == "Erro":
        return f"Erro {message.get('errorCode')}"
    return str(message.get("transStatus"))


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def _padded(text: str) -> str:
    return text + "=" * (-len(text) % 4)
