"""The fault scenarios, each a function of a size and a seed that returns its figures.

- :func:`crash_during_challenges`: N browser SMS OTP challenges in flight against ``acs serve``;
  SIGKILL of every ACS process at a seeded random moment (``kills`` times); restart on the same
  port; the cardholders carry on. Then, from the database and the DS: every challenge decided
  exactly once, every decision's RReq at the DS (lost = decided but never answered RRes),
  duplicates (answered Erro 312).
- :func:`crash_during_approvals`: the same with Sécur'Pass: N browser challenges of one
  cardholder whose phone approves each (biometrics), killed while the pages wait and the phone
  answers.
- :func:`ds_outage`: N challenges decided while the DS refuses connections, answers 503 or
  black-holes for ``outage_s``; then it is back: each result delivered, how long after.

Both run on the database of ``database_url`` (migrated by ``acs serve``, the demo customers and
cards loaded by the caller) and return frozen figures; the tests assert on them, the command
(``python -m benchmarks.faults``) prints them.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from sqlalchemy import select

from acs.storage.challenge_models import ChallengeRow, OutboxRow
from acs.storage.engine import make_engine
from benchmarks.faults.acs_process import AcsProcess, write_config
from benchmarks.faults.cardholder import Attempt, securpass_challenge, sms_challenge
from benchmarks.faults.edge import SMS_TOKEN, DsMode, FlakyDS, SmsProvider
from benchmarks.faults.phone_holder import PhoneApp, enrol_phone
from benchmarks.idp import config_file

__all__ = [
    "SECURPASS_MAX",
    "CrashFigures",
    "OutageFigures",
    "crash_during_approvals",
    "crash_during_challenges",
    "ds_outage",
]

SMS_CARD = "4970100000000022"  # Louis (demo): SMS OTP only
SECURPASS_CUSTOMER, SECURPASS_CARD = "C0001", "4970100000000014"  # Camille (demo)
# One phone approves every Sécur'Pass challenge: the push-bombing limits are raised to their
# ceilings for the run (20 pending at once, 100 in 10 minutes), so at most this many cardholders.
SECURPASS_MAX = 100
SECURPASS_AT_ONCE = 15
RETRY_SECONDS = 0.5  # results_retry_seconds of the runs (the default is 10 s)
AT_ONCE = 25  # cardholders in a challenge at the same time (the ACS pool has 20 + 10)
FIRST_CREQ_SECONDS = 10  # an AReq whose answer died with the ACS is orphaned this long


@dataclass(frozen=True)
class Settled:
    """What the database and the DS say once everything settled."""

    challenges: int  # challenge rows (every AReq answered C, orphans included)
    decided: int  # ... in state decided
    results: int  # outbox rows (one per decision, unique by acsTransID)
    delivered: int  # ... that reached the DS (answered RRes)
    lost: int  # decided, but no RReq answered RRes at the DS
    duplicated: int  # RReqs the DS got again after its RRes (answered Erro 312)
    undecided: int  # challenge rows never decided


@dataclass(frozen=True)
class CrashFigures:
    challenges: int  # cardholders started
    kills: int
    completed: int  # cardholders who got their final CRes
    approved: int  # ... and it said Y (authenticated)
    too_late: int  # ... an Erro instead: the first CReq came too late (the ACS was down)
    failed: int  # cardholders who gave up (the ACS never came back for them)
    errors: tuple[str, ...]  # why, one per failed cardholder
    retries: int  # HTTP calls repeated because the ACS was dead
    resends: int  # codes asked again (the ACS died before sending the SMS)
    answered_twice: int  # phone answers repeated after a kill, then 409/410 (decided once)
    mismatched: int  # a final CRes whose transStatus differs from the RReq's
    restart_s: list[float]  # acs serve start to /healthz, after each kill
    settle_s: float  # last kill to every result delivered
    settled: Settled


@dataclass(frozen=True)
class OutageFigures:
    mode: str
    challenges: int
    down_s: float  # how long the DS was down (every decision taken, then outage_s more)
    tried_during: int  # RReqs the DS received (or held) while down
    delivered_during: int  # results the DS answered while down (must be 0)
    recovery_s: float  # DS back to the last result delivered
    due_s: float  # DS back to the latest next attempt the outbox had scheduled then
    failed: int  # cardholders who never got their final CRes
    settled: Settled


@dataclass
class Run:
    """The ACS process and its edge for one scenario."""

    database_url: str
    keys_dir: Path
    workdir: Path
    workers: int = 1
    securpass: bool = False  # an identity provider for the phone, the operation limits raised
    ds: FlakyDS = field(default_factory=FlakyDS)
    sms: SmsProvider = field(default_factory=SmsProvider)
    acs: AcsProcess | None = None
    at_once: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(AT_ONCE))

    async def __aenter__(self) -> Run:
        await self.ds.start()
        await self.sms.start()
        config = write_config(
            self.workdir / "faults.toml",
            sms_gateway="webhook", sms_webhook_url=self.sms.url, sms_webhook_token=SMS_TOKEN,
            results_retry_seconds=RETRY_SECONDS, results_read_timeout_seconds=1.0,
            first_creq_seconds=FIRST_CREQ_SECONDS, log_level="WARNING",
            **({"max_pending_operations": 20, "max_operations_per_10_minutes": 100}
               if self.securpass else {}),
        )  # fmt: skip
        if self.securpass:  # the phone logs in to activate: the bank's identity provider
            idp = config_file(self.keys_dir).read_text(encoding="utf-8")
            config.write_text(config.read_text(encoding="utf-8") + idp, encoding="utf-8")
            self.at_once = asyncio.Semaphore(SECURPASS_AT_ONCE)
        self.acs = AcsProcess(
            database_url=self.database_url, keys_dir=self.keys_dir, config=config,
            log=self.workdir / "acs.log", workers=self.workers,
        )  # fmt: skip
        await self.acs.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.acs is not None:
            await self.acs.stop()
        await self.sms.close()
        await self.ds.close()


async def crash_during_challenges(
    *,
    database_url: str,
    keys_dir: Path,
    workdir: Path,
    challenges: int,
    seed: int,
    kills: int = 1,
    workers: int = 1,
    settle_timeout: float = 60.0,
) -> CrashFigures:
    """SMS OTP challenges (Louis's card), the ACS killed ``kills`` times."""
    run = Run(database_url, keys_dir, workdir, workers)
    return await _crash(run, challenges=challenges, seed=seed, kills=kills,
                        settle_timeout=settle_timeout)  # fmt: skip


async def crash_during_approvals(
    *,
    database_url: str,
    keys_dir: Path,
    workdir: Path,
    challenges: int,
    seed: int,
    kills: int = 1,
    workers: int = 1,
    settle_timeout: float = 60.0,
) -> CrashFigures:
    """Sécur'Pass challenges (Camille's card, her phone enrolled first and approving every
    operation), the ACS killed ``kills`` times."""
    if challenges > SECURPASS_MAX:
        raise ValueError(f"at most {SECURPASS_MAX} Sécur'Pass challenges (one phone's limits)")
    run = Run(database_url, keys_dir, workdir, workers, securpass=True)
    return await _crash(run, challenges=challenges, seed=seed, kills=kills,
                        settle_timeout=settle_timeout)  # fmt: skip


async def _crash(
    run: Run, *, challenges: int, seed: int, kills: int, settle_timeout: float
) -> CrashFigures:
    rng = random.Random(seed)
    async with run, _http() as http:
        assert run.acs is not None
        phone = None
        if run.securpass:
            phone = PhoneApp(await enrol_phone(
                http, run.acs.base_url, keys_dir=run.keys_dir, sms=run.sms,
                customer_id=SECURPASS_CUSTOMER,
            ))  # fmt: skip
            phone.start()
        deadline = time.monotonic() + settle_timeout
        cardholders = [
            asyncio.create_task(
                _staggered(http, run, random.Random(rng.random()), i * 0.02, deadline)
            )
            for i in range(challenges)
        ]
        restarts: list[float] = []
        # While cardholders are still arriving and deciding (about 1 s each, AT_ONCE at a time).
        span = min(challenges * 0.02, challenges / AT_ONCE) + 0.5
        for _ in range(kills):
            await asyncio.sleep(rng.uniform(0.2, span))
            run.acs.kill()
            await run.acs.wait_dead()
            restarts.append(await run.acs.start())
        last_kill = time.monotonic()
        attempts: list[Attempt] = list(await asyncio.gather(*cardholders))
        if phone is not None:
            await phone.stop()
        settled = await _settle(run, run.database_url, deadline)
        settle_s = time.monotonic() - last_kill
    return CrashFigures(
        challenges=challenges, kills=kills,
        completed=sum(a.cres_status is not None for a in attempts),
        approved=sum(a.cres_status == "Y" for a in attempts),
        too_late=sum((a.cres_status or "").startswith("Erro") for a in attempts),
        failed=sum(a.cres_status is None for a in attempts),
        errors=tuple(str(a.error) for a in attempts if a.cres_status is None),
        retries=sum(a.retries for a in attempts) + (phone.retries if phone else 0),
        resends=sum(a.resends for a in attempts),
        answered_twice=phone.answered_twice if phone else 0,
        mismatched=_mismatched(attempts, run.ds),
        restart_s=restarts, settle_s=settle_s, settled=settled,
    )  # fmt: skip


async def ds_outage(
    *,
    database_url: str,
    keys_dir: Path,
    workdir: Path,
    mode: DsMode,
    challenges: int,
    seed: int,
    outage_s: float = 2.0,
    settle_timeout: float = 60.0,
) -> OutageFigures:
    rng = random.Random(seed)
    async with Run(database_url, keys_dir, workdir) as run, _http() as http:
        deadline = time.monotonic() + settle_timeout
        await run.ds.set_mode(mode)
        down_at, tried_before = time.monotonic(), run.ds.tried
        cardholders = [
            asyncio.create_task(
                _staggered(http, run, random.Random(rng.random()), i * 0.01, deadline)
            )
            for i in range(challenges)
        ]
        await _all_decided(database_url, challenges, deadline)
        await asyncio.sleep(outage_s)  # every result is waiting now; some retried meanwhile
        delivered_during, tried_during = len(run.ds.delivered), run.ds.tried - tried_before
        due_s = await _latest_due(database_url)  # the retry schedule's promise, from now
        await run.ds.set_mode(DsMode.UP)
        back_at = time.monotonic()
        attempts = await asyncio.gather(*cardholders)
        settled = await _settle(run, database_url, deadline)
        last = max(run.ds.arrived_at.values(), default=back_at)
    return OutageFigures(
        mode=mode.value, challenges=challenges, down_s=back_at - down_at,
        tried_during=tried_during, delivered_during=delivered_during,
        recovery_s=max(last - back_at, 0.0), due_s=due_s,
        failed=sum(a.cres_status is None for a in attempts),
        settled=settled,
    )  # fmt: skip


async def _latest_due(database_url: str) -> float:
    """Seconds from now to the latest ``next_attempt_at`` (or lease end) of a pending result."""
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = select(
                OutboxRow.next_attempt_at, OutboxRow.lease_owner, OutboxRow.lease_until
            ).where(OutboxRow.state == "pending")
            rows = (await connection.execute(query)).all()
    finally:
        await engine.dispose()
    now = datetime.now(UTC).replace(tzinfo=None)
    # A row claimed now is on the wire (a black hole holds it): due when its lease ends.
    due = [until if owner and until else due for due, owner, until in rows]
    return max(((d.replace(tzinfo=None) - now).total_seconds() for d in due), default=0.0)


async def _all_decided(database_url: str, count: int, deadline: float) -> None:
    """Until ``count`` decisions are in the outbox (the cardholders posted their codes)."""
    while time.monotonic() < deadline:
        engine = make_engine(database_url)
        try:
            async with engine.connect() as connection:
                rows = (await connection.execute(select(OutboxRow.id))).all()
        finally:
            await engine.dispose()
        if len(rows) >= count:
            return
        await asyncio.sleep(0.2)


async def _staggered(http, run: Run, rng: random.Random, delay: float, deadline: float) -> Attempt:
    await asyncio.sleep(delay)
    assert run.acs is not None
    async with run.at_once:  # a fault run, not a load test: the pool is never the bottleneck
        if run.securpass:
            return await securpass_challenge(
                http, run.acs.base_url, ds_url=run.ds.url, pan=SECURPASS_CARD, rng=rng,
                deadline=deadline,
            )  # fmt: skip
        return await sms_challenge(
            http, run.acs.base_url, ds_url=run.ds.url, sms=run.sms, pan=SMS_CARD, rng=rng,
            deadline=deadline,
        )  # fmt: skip


def _http() -> aiohttp.ClientSession:
    # A short connect timeout: a dead ACS refuses at once, a restarting one may not listen yet.
    timeout = aiohttp.ClientTimeout(total=15, sock_connect=1)
    return aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=200))


async def _settle(run: Run, database_url: str, deadline: float) -> Settled:
    """Wait until every challenge is decided and every decision delivered (or the deadline)."""
    while True:
        settled = await read_settled(database_url, run.ds)
        done = settled.undecided == 0 and settled.lost == 0
        if done or time.monotonic() > deadline:
            return settled
        await asyncio.sleep(0.25)


async def read_settled(database_url: str, ds: FlakyDS) -> Settled:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            states = list((await connection.execute(select(ChallengeRow.state))).scalars())
            results = list((await connection.execute(select(OutboxRow.acs_trans_id))).scalars())
    finally:
        await engine.dispose()
    delivered = [r for r in results if r in ds.delivered]
    return Settled(
        challenges=len(states), decided=states.count("decided"), results=len(results),
        delivered=len(delivered), lost=len(results) - len(delivered),
        duplicated=sum(ds.duplicates.values()), undecided=len(states) - states.count("decided"),
    )  # fmt: skip


def _mismatched(attempts: list[Attempt], ds: FlakyDS) -> int:
    """Final CRes whose transStatus is not that of the RReq the DS got for the transaction."""
    wrong = 0
    for attempt in attempts:
        if attempt.cres_status is None or attempt.cres_status.startswith("Erro"):
            continue
        rreq = ds.delivered.get(attempt.acs_trans_ids[-1])
        wrong += rreq is None or rreq.get("transStatus") != attempt.cres_status
    return wrong
