"""The "banking" operation hook: the phone decided the Sécur'Pass operation of a banking
operation (called inside the deciding transaction, like the "3ds" hook).

"Je refuse" (``not_me``) on a login is a suspicious login; on any other type it is a fraud
declaration, which the answer flow has already written to the same table as a refused card
payment's (SP-55, :mod:`acs.flows.securpass.answer`); whether the account is blocked is the
bank's setting (``[banking] refusal_blocks_account``), carried as ``block_account``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from acs.config import Banking
from acs.flows.banking.decisions import settle
from acs.flows.securpass.audit import audit
from acs.flows.securpass.operations import OperationHook, OperationOutcome
from acs.securpass.answers import RefusalReason
from acs.securpass.operations import OperationStatus, OperationType
from acs.storage import banking as store
from acs.storage.engine import Session

__all__ = ["REF_TYPE", "banking_hook", "decision_of"]

REF_TYPE = "banking"
# A Sécur'Pass operation cancelled by the ACS (a new phone, a closure) or failed (five wrong
# codes, SP-45): what the bank is told.
_REASONS = {OperationStatus.CANCELLED: "device_revoked", OperationStatus.FAILED: "device_blocked"}


def decision_of(kind: str, outcome: OperationOutcome) -> dict[str, Any]:
    """The banking operation's status and fields for the phone's outcome."""
    status = OperationStatus(outcome.status)
    if status == OperationStatus.APPROVED:
        return {"status": status, "reason": outcome.method}  # the factor: code or biometric
    if status != OperationStatus.REFUSED:
        return {"status": status, "reason": _REASONS.get(status)}
    decision: dict[str, Any] = {"status": status, "reason": outcome.refusal_reason}
    if outcome.refusal_reason == RefusalReason.NOT_ME:
        flag = "suspicious_login" if kind == OperationType.LOGIN else "fraud_declared"
        decision[flag] = True
    return decision


def banking_hook(settings: Banking) -> OperationHook:
    async def hook(session: Session, outcome: OperationOutcome) -> Sequence[str]:
        row = await store.by_securpass_operation(session, outcome.operation_id)
        if row is None:
            return []
        decision = decision_of(row.type, outcome)
        keys = await settle(
            session, row.id, at=outcome.decided_at, actor=f"customer:{row.customer_id}",
            settings=settings, **decision,
        )  # fmt: skip
        if keys is not None and decision.get("suspicious_login"):
            await audit(
                session, at=outcome.decided_at, actor=f"customer:{row.customer_id}",
                action="login_reported_suspicious", customer_id=row.customer_id,
                operation_id=row.id, device=row.summary.get("extra", {}).get("device"),
            )  # fmt: skip
        return keys or []

    return hook
