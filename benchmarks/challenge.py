"""Challenge path benchmark: K concurrent Sécur'Pass approvals of browser challenges.

Against the running ``acs serve`` of a scenario, with a fake DS (``fake_ds.py``) in this process:

1. ``acs import`` of K customers eligible for self-care Sécur'Pass (app, remote banking, secure
   mobile +337…, one card used at a terminal), PANs from index 900 000 000 of the dev range;
2. K phones (``merchant_simulator.phone``) enrol in self-care, reading the activation code from
   the ACS's dev SMS outbox (``GET /dev/sms``), with a biometric key for payments; each then
   listens (WebSocket, long-poll fallback);
3. per method, the code (the ACS checks it against a scrypt verifier) then biometrics (an
   ES256 signature, no scrypt): ``rounds`` rounds where the K phones approve at once (burst),
   then ``rounds`` rounds where they approve at random at ``spread_rps`` per second (spread);
   a round is ``challenge_round.run_round``.

Measured per method, over every round: approval sent → the page's long-poll says ``final``, and
approval sent → the RReq reaches the fake DS (p50/p95/p99/max, ms). When a required route
answers 404 the result says "not available yet"; a number is never reported unless measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp

from benchmarks.challenge_round import CODE, Enrolled, Sample, run_round
from benchmarks.datagen import customer_id, mobile_for, pan_for
from benchmarks.fake_ds import FakeDS
from benchmarks.goals import ARRIVALS, METHODS
from benchmarks.idp import token_source
from benchmarks.importer import import_range
from benchmarks.servers import Server
from benchmarks.stats import summarize
from merchant_simulator.phone import Phone, PhoneKeys

__all__ = ["FIRST_INDEX", "REQUIRED_ROUTES", "probe", "run_challenge", "summarize_method"]

FIRST_INDEX = 900_000_000  # challenge customers: far above any --cards
ROUND_TIMEOUT_S = 40.0
ENROL_CONCURRENCY = 4
ENROL_TIMEOUT_S = 120.0
LISTEN_SILENCE_S = 300.0
REQUIRED_ROUTES = (
    ("POST", "/3ds/challenge"),  # the browser challenge page (acsURL)
    ("POST", "/securpass/v1/enrolments"),  # a phone enrols
    ("POST", "/securpass/v1/operations/probe/answer"),  # a phone approves
    ("GET", "/dev/sms"),  # the activation code (dev SMS outbox)
)


def _status(url: str, method: str) -> int:
    request = urllib.request.Request(url, data=b"{}" if method == "POST" else None, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return 0


def probe(server: Server) -> dict[str, int]:
    """HTTP status of each required route (404: the ACS does not have it)."""
    return {f"{m} {p}": _status(server.base_url + p, m) for m, p in REQUIRED_ROUTES}


def summarize_method(samples: list[Sample], arrivals: dict[str, float]) -> dict:
    """The figures of one approval method over all its rounds."""
    done = [s for s in samples if s.error is None]
    to_rreq = [s.ms(arrivals.get(s.acs_trans_id)) for s in done]
    return {
        "samples": len(done),
        "failures": len(samples) - len(done),
        "failure_examples": sorted({s.error for s in samples if s.error})[:5],
        "approval_to_page": summarize([s.ms(s.page) for s in done if s.page is not None]),
        "approval_to_rreq": summarize([ms for ms in to_rreq if ms is not None]),
        "rreq_missing": sum(ms is None for ms in to_rreq),
        "answer_http": summarize([s.ms(s.answered) for s in done if s.answered is not None]),
    }


async def _enrol(
    http: aiohttp.ClientSession, base_url: str, keys_dir: Path, index: int
) -> Enrolled:
    tokens = token_source(keys_dir, customer_id(index))
    phone = Phone(PhoneKeys.generate(biometric=True), base_url=base_url, session=http,
                  model="Bench Phone", tokens=tokens)  # fmt: skip
    await phone.activate_selfcare(mobile_for(index, prefix="+337"), CODE,
                                  biometrics={"payments": True, "login": False})  # fmt: skip
    return Enrolled(phone, pan_for(index))


async def _enrol_all(
    http: aiohttp.ClientSession, base_url: str, keys_dir: Path, k: int
) -> list[Enrolled]:
    gate = asyncio.Semaphore(ENROL_CONCURRENCY)

    async def one(index: int) -> Enrolled:
        async with gate:
            return await _enrol(http, base_url, keys_dir, index)

    work = asyncio.gather(*(one(FIRST_INDEX + i) for i in range(k)))
    return await asyncio.wait_for(work, ENROL_TIMEOUT_S)


async def _listen(enrolled: Enrolled) -> None:
    """The phone's app in the foreground: every operation shown goes to its queue."""
    async for event in enrolled.phone.listen(timeout=LISTEN_SILENCE_S):
        if event["type"] == "operation":
            await enrolled.operations.put(event["operation"])


SPREAD_RPS = 20.0  # approvals per second in the spread rounds (mean of a Poisson process)


async def _drive(base_url: str, keys_dir: Path, k: int, rounds: int, spread_rps: float) -> dict:
    connector = aiohttp.TCPConnector(limit=0)
    async with FakeDS() as ds, aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        phones = await _enrol_all(http, base_url, keys_dir, k)
        enrol_s = time.perf_counter() - started
        listeners = [asyncio.create_task(_listen(e)) for e in phones]
        try:
            results: dict[str, dict] = {arrival: {} for arrival in ARRIVALS}
            rng = random.Random(7)
            for method in METHODS:
                for arrival in ARRIVALS:
                    rate = spread_rps if arrival == "spread" else None
                    samples: list[Sample] = []
                    for _ in range(rounds):
                        got, arrivals = await run_round(
                            http, base_url, ds, phones, method=method,
                            timeout_s=ROUND_TIMEOUT_S, spread_rps=rate, rng=rng,
                        )  # fmt: skip
                        samples += got
                    results[arrival][method] = summarize_method(samples, arrivals)
        finally:
            for task in listeners:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*listeners, return_exceptions=True)
    return {
        "enrol_seconds": round(enrol_s, 2),
        "methods": results["burst"],
        "spread": {"approvals_per_s": spread_rps, "methods": results["spread"]},
    }


def _unavailable(concurrent: int, rounds: int, routes: dict, message: str) -> dict:
    return {"available": False, "concurrent": concurrent, "rounds": rounds, "routes": routes,
            "message": message}  # fmt: skip


def run_challenge(
    server: Server,
    *,
    concurrent: int,
    rounds: int,
    database_url: str,
    keys_dir: Path,
    workdir: Path,
    spread_rps: float = SPREAD_RPS,
) -> dict:
    """The challenge-path result for the running ``server`` on ``database_url``."""
    routes = probe(server)
    missing = [route for route, status in routes.items() if status in (0, 404)]
    if missing:
        return _unavailable(
            concurrent,
            rounds,
            routes,
            f"not available yet: the ACS answers 404 on {', '.join(missing)}",
        )
    imported = import_range(
        FIRST_INDEX,
        FIRST_INDEX + concurrent,
        database_url=database_url,
        keys_dir=keys_dir,
        workdir=workdir,
        securpass=True,
    )
    for kind in ("customers", "cards"):
        if not imported[kind]["ok"]:
            return _unavailable(
                concurrent, rounds, routes, f"failed: acs import {kind}: {imported[kind]['error']}"
            )
    budget = ENROL_TIMEOUT_S + len(ARRIVALS) * 2 * rounds * ROUND_TIMEOUT_S + 30
    try:
        measured = asyncio.run(
            asyncio.wait_for(
                _drive(server.base_url, keys_dir, concurrent, rounds, spread_rps), budget
            )
        )
    except Exception as exc:  # recorded in the report; the rest of the run goes on
        return _unavailable(concurrent, rounds, routes, f"failed: {type(exc).__name__}: {exc}")
    return {"available": True, "concurrent": concurrent, "rounds": rounds, "routes": routes,
            "message": "measured", **measured}  # fmt: skip
