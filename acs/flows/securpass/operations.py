"""Operations the phone approves or refuses: the internal API other flows build on (SP-4, SP-6).

Contract (used by the 3-D Secure challenge flows)::

    op_id = await create_operation(session, customer_id=…, summary=…, ttl=…, now=…,
                                   ref_type="3ds", ref_id=acs_trans_id, card_id=card.id)
    # caller commits, then:
    await announce(op_id, sessions=…, hub=…, push=…)
    # the phone decides through the device API; in that same transaction the hook registered in
    # app[OPERATION_HOOKS][ref_type] (an OperationHook) is awaited with (session, OperationOutcome)
    # and returns hub keys published after commit, with topics.operation(op_id).
    outcome = await get_outcome(session, op_id)            # None while pending
    outcome = await cancel_operation(session, op_id, now=…, status="expired")  # once; no hook

Statuses: ``pending`` → ``approved`` | ``refused`` (the phone), ``cancelled`` | ``expired`` (the
caller, or a new phone / closure for ``cancelled``), ``failed`` (the device was blocked after five
wrong codes, SP-45). Every move out of ``pending`` is a conditional UPDATE: it happens once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from acs import metrics
from acs.config import Settings
from acs.notify import topics
from acs.notify.hub import Hub
from acs.notify.push import Push, PushGateway
from acs.securpass.operations import OperationStatus, OperationSummary, begin_operation
from acs.storage import securpass as store
from acs.storage.engine import Session, Sessions
from acs.storage.securpass_models import OperationRow

__all__ = [
    "TRUSTED_MIN_SPAN",
    "TRUSTED_MIN_USES",
    "DeviceUsage",
    "NoActiveDevice",
    "OperationHook",
    "OperationHooks",
    "OperationLimits",
    "OperationOutcome",
    "TooManyOperations",
    "active_device_facts",
    "announce",
    "call_hook",
    "cancel_operation",
    "create_operation",
    "finish_pending",
    "get_outcome",
    "is_trusted",
    "outcome_of",
    "revoke_devices",
    "wake_keys",
]

log = logging.getLogger("acs.flows.securpass.operations")

# SP-42: a device becomes trusted after this many approvals spread over at least this span.
TRUSTED_MIN_USES = 5
TRUSTED_MIN_SPAN = timedelta(days=30)

# Awaited inside the deciding transaction when an operation of its ``ref_type`` leaves
# ``pending``; returns the hub keys to publish after commit.
OperationHook = Callable[[Session, "OperationOutcome"], Awaitable[Sequence[str]]]
# The hooks registered per ``ref_type`` (e.g. "3ds" → the challenge flows' hook).
OperationHooks = Mapping[str, OperationHook]


@dataclass(frozen=True)
class OperationOutcome:
    operation_id: str
    customer_id: str
    status: str  # "approved" | "refused" | "cancelled" | "expired" | "failed"
    method: str | None  # "code" | "biometric" (approved only)
    refusal_reason: str | None  # "not_me" | "cancelled" (refused only)
    decided_at: datetime
    ref_type: str | None  # e.g. "3ds"
    ref_id: str | None  # e.g. the acsTransID


class NoActiveDevice(Exception):
    """The customer has no active Sécur'Pass device: fall back to SMS OTP (SP-43)."""


class TooManyOperations(Exception):
    """The customer's phone already has enough operations (push bombing): nothing is stored."""


# The window of OperationLimits.per_window.
OPERATION_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class OperationLimits:
    """At most ``pending`` operations pending at once, ``per_window`` created in 10 minutes."""

    pending: int
    per_window: int

    @classmethod
    def of(cls, settings: Settings) -> OperationLimits:
        return cls(settings.max_pending_operations, settings.max_operations_per_10_minutes)


async def create_operation(
    session: Session,
    *,
    customer_id: str,
    summary: OperationSummary,
    ttl: timedelta,
    now: datetime,
    ref_type: str | None = None,
    ref_id: str | None = None,
    card_id: int | None = None,
    limits: OperationLimits | None = None,
) -> str:
    """Store a pending operation for the customer's active device; its id.

    ``card_id`` names the card a ``card_payment`` is made with: a ``not_me`` refusal opposes it.
    With ``limits``, the device row is write-locked and the customer's operations counted in this
    transaction; over a limit :class:`TooManyOperations` is raised and nothing is stored.
    """
    device = await store.active_device(session, customer_id)
    if device is None:
        raise NoActiveDevice(customer_id)
    if limits is not None:
        await store.lock_device(session, device.id)  # serialises creations for this customer
        pending, recent = await store.operation_counts(
            session, customer_id, now=now, since=now - OPERATION_WINDOW
        )
        if pending >= limits.pending or recent >= limits.per_window:
            log.info("operation limit reached (pending %d, in 10 minutes %d)", pending, recent)
            raise TooManyOperations(customer_id)
    challenge, state = begin_operation(summary, ttl=ttl, now=now)
    row = OperationRow(
        id=challenge.operation_id,
        customer_id=customer_id,
        device_id=device.id,
        card_id=card_id,
        summary=summary.to_dict(),
        summary_hash=state.summary_hash,
        nonce=state.nonce,
        status=OperationStatus.PENDING,
        created_at=now,
        expires_at=state.expires_at,
        ref_type=ref_type,
        ref_id=ref_id,
    )
    await store.add(session, row)
    return row.id


async def announce(operation_id: str, *, sessions: Sessions, hub: Hub, push: PushGateway) -> None:
    """After the caller's commit: wake the device's event stream / long poll, and push (SP-51)."""
    async with sessions() as session:
        operation = await store.get_operation(session, operation_id)
        device = None if operation is None else await store.get_device(session, operation.device_id)
    if operation is None or device is None:
        return
    await hub.publish(topics.device(device.id))
    metrics.PHONE_WAKEUPS.labels("stream").inc()
    if device.push_token:
        try:
            await push.send(Push(device.id, device.push_token, operation_id))
        except Exception:  # a push is only a hint: the phone also polls
            log.warning("push for operation %s failed", operation_id, exc_info=True)
        else:
            metrics.PHONE_WAKEUPS.labels("push").inc()


async def cancel_operation(
    session: Session, operation_id: str, *, now: datetime, status: str = "cancelled"
) -> OperationOutcome | None:
    """``pending`` → ``cancelled`` / ``expired`` exactly once; ``None`` if no longer pending.

    Hooks are not called: the caller is the one who decided.
    """
    if status not in (OperationStatus.CANCELLED, OperationStatus.EXPIRED):
        raise ValueError(f"cancel_operation sets cancelled or expired, not {status!r}")
    if not await store.decide_operation(session, operation_id, status=status, at=now):
        return None
    return await get_outcome(session, operation_id)


async def wake_keys(session: Session, operation_id: str) -> list[str]:
    """Hub keys to publish after commit so the phone (and whoever waits on the operation)
    learns that it changed: the operation's key and its device's key."""
    row = await store.get_operation(session, operation_id)
    return [] if row is None else [topics.operation(operation_id), topics.device(row.device_id)]


async def get_outcome(session: Session, operation_id: str) -> OperationOutcome | None:
    """The decision, or ``None`` while pending (or unknown)."""
    row = await store.get_operation(session, operation_id)
    if row is None or row.status == OperationStatus.PENDING:
        return None
    return outcome_of(row)


def outcome_of(row: OperationRow) -> OperationOutcome:
    assert row.decided_at is not None
    return OperationOutcome(
        operation_id=row.id,
        customer_id=row.customer_id,
        status=str(row.status),
        method=row.method,
        refusal_reason=row.refusal_reason,
        decided_at=row.decided_at,
        ref_type=row.ref_type,
        ref_id=row.ref_id,
    )


async def active_device_facts(session: Session, customer_id: str) -> tuple[bool, bool]:
    """``(has_active_device, trusted_device)`` for the risk engine (SP-42)."""
    device = await store.active_device(session, customer_id)
    if device is None:
        return False, False
    return True, is_trusted(device)


class DeviceUsage(Protocol):
    """What SP-42 reads of a device: a device row or the AReq's
    :class:`~acs.storage.cards.DeviceUse`."""

    @property
    def successful_uses(self) -> int: ...

    @property
    def first_used_at(self) -> datetime | None: ...

    @property
    def last_used_at(self) -> datetime | None: ...


def is_trusted(device: DeviceUsage) -> bool:
    """SP-42: a trusted device has enough successful uses spread over enough time."""
    span = (
        device.last_used_at - device.first_used_at
        if device.first_used_at and device.last_used_at
        else timedelta(0)
    )
    return device.successful_uses >= TRUSTED_MIN_USES and span >= TRUSTED_MIN_SPAN


async def finish_pending(
    session: Session,
    rows: Sequence[OperationRow],
    *,
    status: str,
    now: datetime,
    hooks: OperationHooks,
) -> list[str]:
    """Move these operations out of ``pending`` (those still pending), calling their hooks;
    the hub keys to publish after commit."""
    keys: list[str] = []
    for row in rows:
        if not await store.decide_operation(session, row.id, status=status, at=now):
            continue
        decided = await store.get_operation(session, row.id)
        assert decided is not None
        keys += await call_hook(session, outcome_of(decided), hooks)
    return keys


async def revoke_devices(
    session: Session,
    device_ids: Sequence[str],
    *,
    reason: str,
    now: datetime,
    hooks: OperationHooks,
) -> tuple[list[str], list[str]]:
    """Revoke these devices (one phone at a time, SP-40; closure, SP-43) and cancel their
    pending operations, calling the hooks; the ids revoked and the hub keys to publish."""
    revoked = await store.revoke_devices(session, device_ids, at=now, reason=reason)
    publish = [topics.device(d) for d in revoked]
    for old in revoked:
        pending = await store.pending_operations(session, now=now, device_id=old)
        publish += await finish_pending(
            session, pending, status=OperationStatus.CANCELLED, now=now, hooks=hooks
        )
    return revoked, publish


async def call_hook(
    session: Session, outcome: OperationOutcome, hooks: OperationHooks
) -> list[str]:
    """The operation's hook (if its ``ref_type`` has one), in the deciding transaction."""
    keys = [topics.operation(outcome.operation_id)]
    hook = hooks.get(outcome.ref_type) if outcome.ref_type else None
    if hook is not None:
        keys += list(await hook(session, outcome))
    return keys
