"""The audit trail: append-only and hash-chained.

``hash = sha256(prev_hash || canonical(event))`` where ``canonical`` is the JSON of ``at`` (ISO
8601 UTC), ``actor``, ``action``, ``subject`` and ``detail`` with sorted keys and no spaces. The
first event chains from 64 zeros. ``prev_hash`` is unique, so two writers chaining from the same
row cannot both commit: the second gets :class:`~acs.storage.errors.Conflict` and may retry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from acs.storage.errors import Conflict
from acs.storage.models import AuditEvent

__all__ = ["GENESIS", "append_audit", "event_hash", "verify_chain"]

GENESIS = "0" * 64


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
    """Append one event chained from the latest one; ``detail`` must be JSON-serialisable."""
    latest = await session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    prev = latest or GENESIS
    fields = {
        "at": at,
        "actor": actor,
        "action": action,
        "subject": subject,
        "detail": dict(detail),
    }
    event = AuditEvent(**fields, prev_hash=prev, hash=event_hash(prev, **fields))
    session.add(event)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("the audit chain moved on: retry the unit of work") from exc
    return event


async def verify_chain(session: AsyncSession) -> int | None:
    """The id of the first event whose link or hash is wrong, or ``None`` if the chain holds."""
    prev = GENESIS
    for event in await session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        fields = {
            "at": event.at,
            "actor": event.actor,
            "action": event.action,
            "subject": event.subject,
            "detail": event.detail,
        }
        if event.prev_hash != prev or event.hash != event_hash(prev, **fields):
            return event.id
        prev = event.hash
    return None
