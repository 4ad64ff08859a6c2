"""What the device API and the back office show of an enrolment and of an operation (protocol
§6, ``docs/device-api.md``)."""

from __future__ import annotations

from typing import Any

from acs.securpass.operations import format_time
from acs.storage.securpass_models import EnrolmentRow, OperationRow

__all__ = ["enrolment_view", "operation_view"]


def enrolment_view(row: EnrolmentRow) -> dict[str, Any]:
    return {
        "enrolment_id": row.id,
        "channel": str(row.channel),
        "state": str(row.state),
        "created_at": format_time(row.created_at),
        "expires_at": None if row.expires_at is None else format_time(row.expires_at),
        "activated_at": None if row.activated_at is None else format_time(row.activated_at),
        "ended_at": None if row.ended_at is None else format_time(row.ended_at),
        "sms_otp_subscribed": row.sms_otp_subscribed,
        "biometrics": {"payments": row.biometrics_payments, "login": row.biometrics_login},
    }


def operation_view(row: OperationRow) -> dict[str, Any]:
    """The challenge the phone shows and signs (protocol §6)."""
    return {
        "operation_id": row.id,
        "summary": row.summary,
        "nonce": row.nonce,
        "summary_hash": row.summary_hash,
        "expires_at": format_time(row.expires_at),
        "status": str(row.status),
    }
