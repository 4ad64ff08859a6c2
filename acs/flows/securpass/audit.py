"""The audit trail of a customer's Sécur'Pass: one chain per customer (SP-35, SP-60)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from acs.storage.audit import append_audit
from acs.storage.engine import Session

__all__ = ["audit"]


async def audit(
    session: Session,
    *,
    at: datetime,
    actor: str,
    action: str,
    customer_id: str,
    **detail: Any,
) -> None:
    """One audit event about a customer's Sécur'Pass (never a code, key or PAN in ``detail``)."""
    await append_audit(
        session,
        at=at,
        actor=actor,
        action=f"securpass.{action}",
        subject=f"customer:{customer_id}",
        detail={k: v for k, v in detail.items() if v is not None},
    )
