"""One round of the challenge benchmark: K browser challenges, then K phones approving.

For each enrolled phone: AReq (challenge amount, ``dsURL`` = the fake DS) → ARes C → CReq POST
to ``/3ds/challenge`` → the page's status long-poll starts → the listening phone receives the
operation. When all K are there (and the long-polls are parked on the server), the phones
approve: all at the same moment (``burst``, the worst case: the ACS drains K approvals at once),
or one after another at random, a Poisson process at ``spread_rps`` approvals per second (as
cardholders do: each decides when they read the screen). Times, all ``time.perf_counter()`` in
this process:

- ``sent``: just before the signed answer goes out (body and signature already built);
- ``page``: the long-poll answers ``final`` (the page would now post the CRes);
- ``rreq``: the RReq reaches the fake DS (``FakeDS.arrivals``);
- ``answered``: the phone's answer call returns.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from benchmarks.areqs import load_template, render
from benchmarks.fake_ds import FakeDS
from merchant_simulator.phone import Phone, approve_with_biometrics, approve_with_code, sign_request

__all__ = ["Enrolled", "Sample", "run_round"]

CODE = "4826"  # every benchmark phone's Sécur'Pass code
PARK_S = 0.3  # after the last phone got its operation: the long-polls are waiting on the hub
TOKEN = re.compile(r'name="token" value="([^"]+)"')


@dataclass
class Enrolled:
    """A phone, its card and the queue its listener puts operations into."""

    phone: Phone
    pan: str
    operations: asyncio.Queue = field(default_factory=asyncio.Queue)


@dataclass
class Sample:
    """One challenge's timings (perf_counter seconds) or why it failed."""

    acs_trans_id: str = ""
    sent: float | None = None
    answered: float | None = None
    page: float | None = None
    error: str | None = None

    def ms(self, end: float | None) -> float | None:
        return None if end is None or self.sent is None else (end - self.sent) * 1000


@dataclass
class _Open:
    sample: Sample
    enrolled: Enrolled
    operation: dict[str, Any]
    poll: asyncio.Task


def _areq(pan: str, ds_url: str, rng: random.Random) -> dict[str, Any]:
    message = json.loads(render(load_template(), "challenge", pan, rng))
    return message | {"dsURL": ds_url}


def _creq(areq: dict[str, Any], ares: dict[str, Any]) -> str:
    creq = {
        "threeDSServerTransID": areq["threeDSServerTransID"], "acsTransID": ares["acsTransID"],
        "messageType": "CReq", "messageVersion": areq["messageVersion"],
        "challengeWindowSize": "05",
    }  # fmt: skip
    return base64.urlsafe_b64encode(json.dumps(creq).encode()).rstrip(b"=").decode()


async def _long_poll(http: aiohttp.ClientSession, url: str, deadline: float) -> float | None:
    """Poll the page's status URL as its script does, until ``final``; the time it said so."""
    loop = asyncio.get_running_loop()
    while (left := deadline - loop.time()) > 0:
        async with http.get(url, timeout=aiohttp.ClientTimeout(total=left)) as response:
            body = await response.json(content_type=None)
        if body.get("final"):
            return time.perf_counter()
        if response.status != 200:
            return None
    return None


async def _open(
    http: aiohttp.ClientSession, base_url: str, ds: FakeDS, enrolled: Enrolled, deadline: float
) -> _Open | Sample:
    """AReq → CReq → long-poll started → the phone has the operation (or a failed sample)."""
    sample = Sample()
    areq = _areq(enrolled.pan, ds.url, random.Random())
    async with http.post(f"{base_url}/3ds/areq", json=areq) as response:
        ares = await response.json(content_type=None)
    if ares.get("transStatus") != "C":
        sample.error = f"ARes {ares.get('transStatus') or ares.get('errorCode')}, not C"
        return sample
    sample.acs_trans_id = ares["acsTransID"]
    async with http.post(f"{base_url}/3ds/challenge", data={"creq": _creq(areq, ares)}) as page:
        match = TOKEN.search(await page.text())
    if match is None:
        sample.error = f"challenge page without a token (HTTP {page.status})"
        return sample
    url = f"{base_url}/3ds/challenge/{sample.acs_trans_id}/status?token={match.group(1)}"
    poll = asyncio.create_task(_long_poll(http, url, deadline))
    left = deadline - asyncio.get_running_loop().time()
    try:
        operation = await asyncio.wait_for(enrolled.operations.get(), max(left, 0.1))
    except TimeoutError:
        poll.cancel()
        sample.error = "the phone received no operation"
        return sample
    return _Open(sample, enrolled, operation, poll)


async def _approve(
    http: aiohttp.ClientSession, base_url: str, pending: _Open, method: str, delay_s: float = 0.0
) -> None:
    """After ``delay_s``, build and sign the answer, then time only the request and what
    follows it."""
    if delay_s:
        await asyncio.sleep(delay_s)
    phone, op = pending.enrolled.phone, pending.operation
    if method == "code":
        answer = approve_with_code(phone.keys, op, CODE, phone.code_key or {})
    else:
        answer = approve_with_biometrics(phone.keys, op)
    path = f"/securpass/v1/operations/{op['operation_id']}/answer"
    body = json.dumps(answer).encode()
    headers = sign_request(phone.keys.possession, method="POST", path=path, body=body,
                           device_id=phone.keys.device_id or "")  # fmt: skip
    headers["Content-Type"] = "application/json"
    pending.sample.sent = time.perf_counter()
    try:
        async with http.post(base_url + path, data=body, headers=headers) as response:
            reply = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError) as exc:
        pending.sample.error = f"answer: {type(exc).__name__}"
        return
    pending.sample.answered = time.perf_counter()
    if response.status != 200 or reply.get("status") != "approved":
        pending.sample.error = f"answer HTTP {response.status}: {reply.get('error', reply)}"


async def _finish(pending: _Open) -> Sample:
    if pending.sample.error is not None:  # not approved: the page would wait in vain
        pending.poll.cancel()
        return pending.sample
    try:
        pending.sample.page = await pending.poll
    except (aiohttp.ClientError, TimeoutError) as exc:
        pending.sample.error = pending.sample.error or f"long-poll: {type(exc).__name__}"
    if pending.sample.page is None and pending.sample.error is None:
        pending.sample.error = "the long-poll never said final"
    return pending.sample


async def run_round(
    http: aiohttp.ClientSession,
    base_url: str,
    ds: FakeDS,
    phones: list[Enrolled],
    *,
    method: str,
    timeout_s: float,
    spread_rps: float | None = None,
    rng: random.Random | None = None,
) -> tuple[list[Sample], dict[str, float]]:
    """K challenges approved by ``method`` ("code" or "biometrics"), at once or (with
    ``spread_rps``) at random at that mean rate; samples and the RReq arrival times."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    for enrolled in phones:  # an operation left by an earlier failed round is not this round's
        while not enrolled.operations.empty():
            enrolled.operations.get_nowait()
    opened = await asyncio.gather(
        *(_open(http, base_url, ds, e, deadline) for e in phones), return_exceptions=True
    )
    ready = [o for o in opened if isinstance(o, _Open)]
    failed = [_failed(o) for o in opened if not isinstance(o, _Open)]
    await asyncio.sleep(PARK_S)
    delays = _arrivals(len(ready), spread_rps, rng or random.Random(1))
    approvals = zip(ready, delays, strict=True)
    await asyncio.gather(*(_approve(http, base_url, p, method, d) for p, d in approvals))
    samples = [*await asyncio.gather(*(_finish(p) for p in ready)), *failed]
    left = deadline - asyncio.get_running_loop().time()
    await ds.wait_for([s.acs_trans_id for s in samples if s.sent], timeout=max(left, 0.1))
    return samples, dict(ds.arrivals)


def _arrivals(count: int, rate: float | None, rng: random.Random) -> list[float]:
    """Seconds from now of each approval: all 0 (a burst), or a Poisson process at ``rate``."""
    if not rate:
        return [0.0] * count
    at, delays = 0.0, []
    for _ in range(count):
        at += rng.expovariate(rate)
        delays.append(at)
    return delays


def _failed(outcome: Sample | BaseException) -> Sample:
    if isinstance(outcome, Sample):
        return outcome
    return Sample(error=f"{type(outcome).__name__}: {outcome}"[:200])
