"""Results: deliver the outbox of decided challenges to the DS.

:class:`Sender` runs in every ``acs serve`` process: it claims due outbox rows (lease; ``SKIP
LOCKED`` on PostgreSQL), POSTs each RReq to the AReq's dsURL through the DS gateway
(:mod:`acs.notify.ds`) with the client certificate of the card's scheme, validates the RRes
(schema and ids), records every attempt and reschedules failures: one immediate retry, then
every ``results_retry_seconds`` (§5, Req 240). A read timeout also sends an Erro 402 to the DS
(Req 242) before the next attempt. The RReq itself is built when the challenge is decided
(:mod:`acs.protocol.rreq`).

Delivery is at least once; duplicates are rare:

- the lease is short (:attr:`Sender.LEASE`) and renewed every :attr:`Sender.RENEW_EVERY` while
  the RReq is on the wire, so only a sender that really stopped loses its row, and soon;
- a claim of a row whose previous attempt left no outcome (its sender died mid-flight) is a
  *re-send*: logged at warning and counted (``resent``);
- the DS answers a second RReq with Erro 312 "duplicate message" (Req 430-433): delivered.

A result still undelivered ``results_give_up_hours`` after it was written (a dsURL that can
never work) is marked failed, logged at warning with the URL and counted (``given_up``).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from acs import metrics
from acs.clock import Clock
from acs.config import Settings
from acs.logs import TRANSACTION_IDS, bind
from acs.notify import topics
from acs.notify.ds import DsClient, DsTimeout, DsUnreachable, client_contexts
from acs.protocol import (
    ErrorCode,
    MessageType,
    ProtocolError,
    ResultsStatus,
    parse_json,
    validate_incoming,
)
from acs.storage import outbox
from acs.storage.challenge_models import OutboxRow
from acs.storage.engine import Sessions, is_outage

if TYPE_CHECKING:
    import aiohttp

__all__ = ["Delivery", "Sender", "retry_delay"]

log = logging.getLogger("acs.flows.results")


@dataclass(frozen=True)
class Delivery:
    """What one attempt gave: an outcome label, the resultsStatus when an RRes came back."""

    outcome: str
    results_status: str | None = None
    detail: str | None = None
    timed_out: bool = False


Published = Callable[[str], Awaitable[None]]
Counted = Callable[[str], None]


def _uncounted(outcome: str) -> None:
    """The default counter: counts nothing (tests and tools without metrics)."""


STEADY_ATTEMPTS = 7  # the immediate retry, then one minute at the reference's 10 s pace
MAX_RETRY_SECONDS = 600.0


def retry_delay(attempts: int, settings: Settings) -> float:
    """Seconds before the next attempt, after ``attempts`` failed ones.

    §5 / Req 240: retry at once, then every 10 s. Past the first minute the pause doubles, up
    to 10 minutes: a DS that is down for an hour must not turn thousands of waiting RReqs into
    a retry storm that starves the AReqs. Nothing is dropped: the RReq keeps being retried.
    """
    if attempts <= 1:
        return 0.0
    steady = settings.results_retry_seconds
    if attempts <= STEADY_ATTEMPTS:
        return steady
    return min(steady * 2 ** (attempts - STEADY_ATTEMPTS), MAX_RETRY_SECONDS)


class Sender:
    """Delivers due outbox rows; several senders (processes, nodes) may run at once."""

    LEASE = timedelta(seconds=10)
    RENEW_EVERY = 3.0  # seconds of real time between lease renewals while an RReq is in flight

    def __init__(
        self,
        *,
        sessions: Sessions,
        settings: Settings,
        clock: Clock,
        publish: Published,
        http: aiohttp.ClientSession,
        count: Counted = _uncounted,
    ) -> None:
        self.sessions, self.settings, self.clock = sessions, settings, clock
        self.publish, self.http, self.count = publish, http, count
        self.ds = DsClient(
            http, timeout_seconds=settings.results_read_timeout_seconds,
            contexts=client_contexts(settings),
        )  # fmt: skip
        self.worker = f"sender-{uuid.uuid4().hex[:12]}"
        self._in_flight: set[asyncio.Task] = set()

    async def deliver_due(self, limit: int = 10) -> int:
        """Claim and deliver what is due now; the number of rows attempted."""
        async with self.sessions.begin() as session:
            rows = await outbox.claim_due(
                session, worker=self.worker, now=self.clock.now(), lease=self.LEASE, limit=limit
            )
            resent = [await outbox.unrecorded_attempts(session, row) > 0 for row in rows]
        await asyncio.gather(
            *(self._deliver(r, resent=x) for r, x in zip(rows, resent, strict=True))
        )
        return len(rows)

    def deliver_soon(self, acs_trans_id: str) -> None:
        """Send this transaction's RReq now, in a task (a Hub watcher: must not block)."""
        task = asyncio.create_task(self.deliver_now(acs_trans_id), name=f"rreq-{acs_trans_id}")
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def deliver_now(self, acs_trans_id: str) -> bool:
        """Claim and deliver this transaction's RReq if it is due and free; False otherwise
        (the worker, or another process, has it). A failure here is the worker's to retry."""
        try:
            async with self.sessions.begin() as session:
                row = await outbox.claim_for(
                    session, acs_trans_id, worker=self.worker, now=self.clock.now(),
                    lease=self.LEASE,
                )  # fmt: skip
                if row is None:
                    return False
                resent = await outbox.unrecorded_attempts(session, row) > 0
            await self._deliver(row, resent=resent)
        except Exception as exc:
            if not is_outage(exc):
                log.exception(
                    "RReq %s: immediate delivery failed; the worker retries", acs_trans_id
                )
            else:  # one line, no traceback: the worker's log says when the database is back
                log.warning(
                    "RReq %s: immediate delivery failed (database: %s); the worker retries",
                    acs_trans_id, type(exc).__name__,
                )  # fmt: skip
            return False
        return True

    async def close(self) -> None:
        """Let the immediate deliveries in flight finish (a lease covers any that cannot)."""
        if self._in_flight:
            timeout = self.settings.results_read_timeout_seconds
            await asyncio.wait(set(self._in_flight), timeout=timeout)

    async def _deliver(self, row: OutboxRow, *, resent: bool = False) -> None:
        with bind(**{k: row.rreq.get(k) for k in TRANSACTION_IDS}):
            await self._attempt(row, resent=resent)

    async def _attempt(self, row: OutboxRow, *, resent: bool) -> None:
        started = self.clock.now()
        if resent:
            # The previous holder claimed it and never recorded an outcome: it stopped with the
            # RReq possibly on the wire. This one may be a duplicate (the DS then answers 312).
            log.warning(
                "RReq %s attempt %d: re-sent after an attempt with no recorded outcome "
                "(its sender stopped mid-flight)",
                row.acs_trans_id,
                row.attempts,
            )
            self.count("resent")
        delivery = await self._renewing(row, self._post(row))
        detail = f"re-sent; {delivery.detail or ''}" if resent else delivery.detail
        async with self.sessions.begin() as session:
            await outbox.record_attempt(
                session, row, worker=self.worker, started_at=started,
                outcome=delivery.outcome, detail=detail,
            )  # fmt: skip
            await self._settle(session, row, delivery)
        metrics.RREQ_ATTEMPTS.labels(delivery.outcome).inc()
        _log_attempt(row, delivery)
        if delivery.results_status is not None:
            await self.publish(topics.challenge(row.acs_trans_id))
        if delivery.timed_out:
            await self._erro_402(row)

    async def _renewing(self, row: OutboxRow, post: Awaitable[Delivery]) -> Delivery:
        """Await the POST while renewing the row's lease, so a live sender never loses it."""
        renewal = asyncio.create_task(self._renew(row.id), name=f"lease-{row.acs_trans_id}")
        try:
            return await post
        finally:
            renewal.cancel()
            await asyncio.gather(renewal, return_exceptions=True)

    async def _renew(self, row_id: int) -> None:
        while True:
            await asyncio.sleep(self.RENEW_EVERY)
            try:
                async with self.sessions.begin() as session:
                    kept = await outbox.renew(
                        session, row_id, worker=self.worker, now=self.clock.now(),
                        lease=self.LEASE,
                    )  # fmt: skip
            except Exception as exc:  # the database may be down for a moment: try again
                log.warning("outbox row %d: lease not renewed (%s)", row_id, type(exc).__name__)
                continue
            if not kept:
                log.warning("outbox row %d: lease lost while the RReq was in flight", row_id)
                return

    async def _settle(self, session: Any, row: OutboxRow, delivery: Delivery) -> None:
        now = self.clock.now()
        if delivery.results_status is not None:
            await outbox.finish(
                session, row.id, worker=self.worker, state=outbox.DELIVERED, now=now,
                results_status=delivery.results_status,
            )  # fmt: skip
        elif delivery.outcome == "no_ds_url":
            await outbox.finish(
                session, row.id, worker=self.worker, state=outbox.FAILED, now=now,
                error="the AReq gave no dsURL",
            )  # fmt: skip
        elif now >= (deadline := self._give_up_at(row)):
            await self._give_up(session, row, delivery, now)
        else:
            at = now + timedelta(seconds=retry_delay(row.attempts, self.settings))
            error = f"{delivery.outcome}: {delivery.detail or ''}"
            await outbox.reschedule(
                session, row.id, worker=self.worker, at=min(at, deadline), error=error, now=now
            )

    def _give_up_at(self, row: OutboxRow) -> datetime:
        """When the last attempt is due: ``results_give_up_hours`` after the RReq was written."""
        return row.created_at + timedelta(hours=self.settings.results_give_up_hours)

    async def _give_up(
        self, session: Any, row: OutboxRow, delivery: Delivery, now: datetime
    ) -> None:
        hours = self.settings.results_give_up_hours
        error = f"given up after {hours:g} h: {delivery.outcome}"
        if await outbox.finish(
            session, row.id, worker=self.worker, state=outbox.FAILED, now=now, error=error
        ):
            log.warning(
                "RReq %s given up after %d attempts over %g h to %s (last: %s)",
                row.acs_trans_id,
                row.attempts,
                hours,
                row.ds_url,
                delivery.outcome,
            )
            self.count("given_up")

    async def _post(self, row: OutboxRow) -> Delivery:
        if not row.ds_url:
            return Delivery("no_ds_url")
        try:
            answer = await self.ds.post(row.ds_url, row.rreq, scheme=row.scheme)
        except DsTimeout:
            return Delivery("timeout", timed_out=True)
        except DsUnreachable as exc:
            return Delivery("connect_error", detail=exc.detail)
        if answer.status != 200:
            return Delivery(f"http_{answer.status}")
        return _read_rres(answer.body, row.rreq)

    async def _erro_402(self, row: OutboxRow) -> None:
        erro = ProtocolError.timed_out("RReq", message_type=MessageType.RREQ).to_erro(
            version=row.rreq.get("messageVersion"), ids=row.rreq, message_type=MessageType.RREQ
        )
        if not await self.ds.tell(row.ds_url, erro, scheme=row.scheme):
            log.info("Erro 402 for %s not delivered", row.acs_trans_id)


def _log_attempt(row: OutboxRow, delivery: Delivery) -> None:
    """Delivered: info. Failed: warning, with the DS URL and the error (what an operator fixes)."""
    if delivery.results_status is not None:
        log.info("RReq %s attempt %d: %s", row.acs_trans_id, row.attempts, delivery.outcome)
        return
    detail = f" ({delivery.detail})" if delivery.detail else ""
    log.warning(
        "RReq %s attempt %d to %s failed: %s%s",
        row.acs_trans_id, row.attempts, row.ds_url or "(no dsURL)", delivery.outcome, detail,
    )  # fmt: skip


_IDS = ("threeDSServerTransID", "acsTransID", "dsTransID")


def _read_rres(body: bytes, rreq: dict[str, Any]) -> Delivery:
    """Validate the answer: an RRes for this RReq (Erro 312 "duplicate" also means delivered)."""
    try:
        message = parse_json(body)
        if message.get("messageType") == MessageType.ERRO:
            if message.get("errorCode") == ErrorCode.DUPLICATE_MESSAGE:
                received = ResultsStatus.RECEIVED.value
                return Delivery("erro_312", results_status=received, detail="duplicate: delivered")
            return Delivery(f"erro_{message.get('errorCode')}", detail=message.get("errorDetail"))
        validate_incoming(message, expected=MessageType.RRES)
    except ProtocolError as exc:
        return Delivery("invalid_rres", detail=f"{exc.code} {exc.detail}")
    wrong = [k for k in _IDS if message.get(k) != rreq.get(k)]
    if message.get("messageVersion") != rreq.get("messageVersion"):
        wrong.append("messageVersion")
    if wrong:
        return Delivery("invalid_rres", detail=",".join(wrong))
    return Delivery(f"rres_{message['resultsStatus']}", results_status=message["resultsStatus"])
