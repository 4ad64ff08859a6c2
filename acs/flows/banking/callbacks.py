"""Callbacks to the bank's back end: signed, retried, one per decided operation.

The body is the decision (:func:`acs.flows.banking.decisions.result_view`) as compact JSON with
sorted keys. It is signed with HMAC-SHA-256 under ``[banking] callback_secret``::

    Banxo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA-256(secret, "<t>." + body)>
    Banxo-Event-Id: <operation_id>

The bank recomputes the MAC over the raw body, compares in constant time and refuses a ``t``
older than five minutes (a replayed callback); ``Banxo-Event-Id`` makes a re-delivery
idempotent on its side. (HMAC rather than a JWS: the bank's back end and the ACS share one
operator, a shared secret is rotated with the ``[banking]`` table, and nothing else is needed to
verify it — docs/banking-operations.md.)

Delivery is the results outbox's (:mod:`acs.flows.results`): a claim holds a lease longer than
one POST can last (the timeout), each attempt is recorded, a failure is retried at once, then
every ``callback_retry_seconds``, doubling past the first minute up to ten minutes; after
``callback_give_up_hours`` the callback is marked failed and logged at warning. At least once:
a sender that dies mid-POST leaves the row to be claimed again when its lease runs out.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from acs.clock import Clock
from acs.config import Settings
from acs.notify.bank import BankClient, CallbackFailed
from acs.storage import banking as store
from acs.storage.banking_models import BankingCallbackRow
from acs.storage.engine import Sessions

__all__ = [
    "EVENT_HEADER",
    "SIGNATURE_HEADER",
    "CallbackSender",
    "body_bytes",
    "retry_delay",
    "sign",
    "verify_signature",
]

log = logging.getLogger("acs.flows.banking.callbacks")

SIGNATURE_HEADER = "Banxo-Signature"
EVENT_HEADER = "Banxo-Event-Id"
TOLERANCE_SECONDS = 300
STEADY_ATTEMPTS = 7
MAX_RETRY_SECONDS = 600.0


def body_bytes(body: Mapping[str, Any]) -> bytes:
    text = json.dumps(dict(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode()


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(body: bytes, *, secret: str, timestamp: int) -> str:
    """The ``Banxo-Signature`` header value of ``body`` at ``timestamp``."""
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def verify_signature(
    header: str, body: bytes, *, secret: str, now: datetime, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """What the bank does with a callback (and the tests): the MAC over the raw body, in
    constant time, and a timestamp no older than ``tolerance`` seconds."""
    parts = dict(part.partition("=")[::2] for part in header.split(","))
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now.timestamp() - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), _mac(secret, timestamp, body))


def retry_delay(attempts: int, settings: Settings) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones (as the RReqs')."""
    if attempts <= 1:
        return 0.0
    steady = settings.banking.callback_retry_seconds
    if attempts <= STEADY_ATTEMPTS:
        return steady
    return min(steady * 2 ** (attempts - STEADY_ATTEMPTS), MAX_RETRY_SECONDS)


class CallbackSender:
    """Delivers due callbacks; several senders (processes, nodes) may run at once."""

    def __init__(
        self, *, sessions: Sessions, settings: Settings, clock: Clock, client: BankClient
    ) -> None:
        self.sessions, self.settings, self.clock, self.client = sessions, settings, clock, client
        self.worker = f"bank-{uuid.uuid4().hex[:12]}"
        # Longer than one POST can last: a live sender never loses its row mid-flight.
        self.lease = timedelta(seconds=settings.banking.callback_timeout_seconds + 10)

    async def deliver_due(self, limit: int = 10) -> int:
        """Claim and deliver what is due now; the number of callbacks attempted."""
        async with self.sessions.begin() as session:
            rows = await store.claim_callbacks(
                session, worker=self.worker, now=self.clock.now(), lease=self.lease, limit=limit
            )
        await asyncio.gather(*(self._deliver(row) for row in rows))
        return len(rows)

    async def _deliver(self, row: BankingCallbackRow) -> None:
        body = body_bytes(row.body)
        headers = {
            SIGNATURE_HEADER: sign(
                body, secret=self.settings.banking.callback_secret,
                timestamp=int(self.clock.now().timestamp()),
            ),
            EVENT_HEADER: row.operation_id,
        }  # fmt: skip
        try:
            await self.client.post(row.url, body, headers)
            outcome = None
        except CallbackFailed as exc:
            outcome = exc.outcome
        async with self.sessions.begin() as session:
            await self._settle(session, row, outcome)
        log.info("banking callback %s attempt %d: %s", row.operation_id, row.attempts,
                 outcome or "delivered")  # fmt: skip

    async def _settle(self, session: Any, row: BankingCallbackRow, outcome: str | None) -> None:
        now = self.clock.now()
        if outcome is None:
            await store.finish_callback(
                session, row.id, worker=self.worker, state=store.DELIVERED, now=now
            )
            return
        give_up = row.created_at + timedelta(hours=self.settings.banking.callback_give_up_hours)
        if now >= give_up:
            log.warning("banking callback %s given up after %d attempts to %s (last: %s)",
                        row.operation_id, row.attempts, row.url, outcome)  # fmt: skip
            await store.finish_callback(
                session, row.id, worker=self.worker, state=store.FAILED, now=now, error=outcome
            )
            return
        at = now + timedelta(seconds=retry_delay(row.attempts, self.settings))
        await store.reschedule_callback(
            session, row.id, worker=self.worker, at=min(at, give_up), error=outcome, now=now
        )
