"""The audit trail of a customer's Sécur'Pass: one chain per customer (SP-35, SP-60)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from acs.storage.audit import append_audit
from acs.storage.engine import Session
from acs.storage.securpass_models import DeviceRow

__all__ = ["audit", "audit_by_customer", "audit_by_device", "audit_by_system"]


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


async def audit_by_device(
    session: Session, device: DeviceRow, action: str, *, at: datetime, **detail: Any
) -> None:
    """An event the customer's phone caused: acted by ``device:<id>``, on its customer's chain."""
    actor = f"device:{device.id}"
    await audit(
        session, at=at, actor=actor, action=action, customer_id=device.customer_id, **detail
    )


async def audit_by_customer(
    session: Session, customer_id: str, action: str, *, at: datetime, **detail: Any
) -> None:
    """An event the customer caused in person (before a device exists, or declaring fraud)."""
    actor = f"customer:{customer_id}"
    await audit(session, at=at, actor=actor, action=action, customer_id=customer_id, **detail)


async def audit_by_system(
    session: Session, customer_id: str, action: str, *, at: datetime, **detail: Any
) -> None:
    """An event the ACS caused on its own (an expiry, a block after too many wrong codes)."""
    await audit(session, at=at, actor="system", action=action, customer_id=customer_id, **detail)
