"""Deciding a banking operation, exactly once, with its callback in the same transaction.

Every way out of ``pending`` — the phone's answer (:mod:`acs.flows.banking.hook`), an SMS code,
the bank's cancel, the time to live — goes through :func:`settle`: a conditional UPDATE, then the
callback row and the audit event, or nothing at all. The status endpoint and the callback show
the same :func:`result_view`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from acs.config import Banking
from acs.flows.securpass.audit import audit
from acs.notify import topics
from acs.securpass.operations import OperationStatus, format_time
from acs.storage import banking as store
from acs.storage.banking_models import BankingOperationRow
from acs.storage.engine import Session

__all__ = ["result_view", "settle", "status_view"]


def result_view(row: BankingOperationRow, *, settings: Banking) -> dict[str, Any]:
    """What the bank learns of a decision (the callback's body; the status without the
    summary). ``block_account``: a fraud declaration and the bank's setting say block."""
    view: dict[str, Any] = {
        "operation_id": row.id,
        "client_reference": row.client_reference,
        "type": row.type,
        "customer_id": row.customer_id,
        "status": str(row.status),
        "method": row.method,
        "reason": row.reason,
        "summary_hash": row.summary_hash,
        "trusted_device": row.trusted_device,
        "fraud_declared": row.fraud_declared,
        "suspicious_login": row.suspicious_login,
        "block_account": row.fraud_declared and settings.refusal_blocks_account,
        "created_at": format_time(row.created_at),
        "expires_at": format_time(row.expires_at),
        "decided_at": None if row.decided_at is None else format_time(row.decided_at),
    }
    return {key: value for key, value in view.items() if value is not None}


def status_view(row: BankingOperationRow, *, settings: Banking) -> dict[str, Any]:
    """The status endpoint's answer: the result and the summary that was shown and bound."""
    return result_view(row, settings=settings) | {"summary": row.summary}


async def settle(
    session: Session,
    operation_id: str,
    *,
    status: OperationStatus,
    at: datetime,
    actor: str,
    settings: Banking,
    **fields: Any,
) -> list[str] | None:
    """``pending`` → ``status`` once, with the callback and the audit event; the hub keys to
    publish after commit, or ``None`` when the operation was no longer pending."""
    if not await store.decide(session, operation_id, status=status, at=at, **fields):
        return None
    row = await store.get(session, operation_id)
    assert row is not None
    keys = [topics.banking(row.id)]
    if row.callback_url:
        body = result_view(row, settings=settings)
        await store.enqueue_callback(
            session, operation_id=row.id, url=row.callback_url, body=body, now=at
        )
        keys.append(topics.BANKING_CALLBACKS)
    await audit(
        session, at=at, actor=actor, action=f"banking.{status}", customer_id=row.customer_id,
        operation_id=row.id, type=row.type, method=row.method, reason=row.reason,
        summary_hash=row.summary_hash, client=row.client,
    )  # fmt: skip
    return keys
