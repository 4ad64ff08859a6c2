"""The audit trail: append-only and hash-chained.

``hash = sha256(prev_hash || canonical(event))`` where ``canonical`` is the JSON of ``at`` (ISO
8601 UTC), ``actor``, ``action``, ``subject`` and ``detail`` with sorted keys and no spaces.

There is one chain per subject (``customer:C123``): its first event chains from 64 zeros, and
events about different subjects never wait for each other (a single global chain made every
audit-writing transaction queue at its tip, one commit at a time). Events written before
revision 0004 form the chain ``""``. ``(chain, prev_hash)`` is unique, so two writers chaining
from the same event cannot both commit: :func:`append_audit` inserts with ``ON CONFLICT DO
NOTHING`` and the loser, having inserted nothing, chains again from the new tip.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage._upsert import insert_new
from acs.storage.errors import Conflict
from acs.storage.models import AuditEvent

__all__ = [
    "APPEND_ATTEMPTS",
    "GENESIS",
    "append_audit",
    "count_actions",
    "event_hash",
    "verify_chain",
]

GENESIS = "0" * 64
APPEND_ATTEMPTS = 20
_TIP = (
    select(AuditEvent.hash)
    .where(AuditEvent.chain == bindparam("chain"))
    .order_by(AuditEvent.id.desc())
    .limit(1)
)


def event_hash(
    prev_hash: str, *, at: datetime, actor: str, action: str, subject: str, detail: Mapping
) -> str:
    """The chained hash of one event, as 64 hex digits."""
    canonical = json.dumps(
        {
            "at": at.astimezone(UTC).isoformat(),
            "actor": actor,
            "action": action,
            "subject": subject,
            "detail": detail,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical.encode("utf-8")).hexdigest()


async def append_audit(
    session: AsyncSession,
    *,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    detail: Mapping[str, Any],
) -> AuditEvent:
    """Append one event chained from the subject's latest; ``detail`` must be JSON-serialisable.

    Concurrent writers chaining from the same event collide on ``(chain, prev_hash)``: the
    loser's insert does nothing and it chains again from the new latest event (on PostgreSQL
    the loser waits for the winner's commit, then reads it). After
    :data:`APPEND_ATTEMPTS` collisions :class:`~acs.storage.errors.Conflict` is raised.
    Append as late as possible in a unit of work: a pending event holds the chain's tip.
    """
    fields: dict[str, Any] = {
        "at": at,
        "actor": actor,
        "action": action,
        "subject": subject,
        "detail": dict(detail),
    }
    for _ in range(APPEND_ATTEMPTS):
        latest = await session.scalar(_TIP, {"chain": subject})
        prev = latest or GENESIS
        row = {**fields, "chain": subject, "prev_hash": prev, "hash": event_hash(prev, **fields)}
        event_id = await insert_new(session, AuditEvent.__table__, row)
        if event_id is not None:
            return AuditEvent(id=event_id, **row)
    raise Conflict("the audit chain kept moving on: retry the unit of work")


async def count_actions(
    session: AsyncSession, *, subject: str, action: str, since: datetime
) -> int:
    """How many ``action`` events about ``subject`` were written after ``since``."""
    statement = select(func.count()).where(
        AuditEvent.subject == subject, AuditEvent.action == action, AuditEvent.at > since
    )
    return int(await session.scalar(statement.select_from(AuditEvent)) or 0)


async def verify_chain(session: AsyncSession) -> int | None:
    """The id of the first event whose link or hash is wrong, or ``None`` if every chain holds."""
    tips: dict[str, str] = {}
    for event in await session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        prev = tips.get(event.chain, GENESIS)
        fields: dict[str, Any] = {
            "at": event.at,
            "actor": event.actor,
            "action": event.action,
            "subject": event.subject,
            "detail": event.detail,
        }
        if event.prev_hash != prev or event.hash != event_hash(prev, **fields):
            return event.id
        tips[event.chain] = event.hash
    return None
