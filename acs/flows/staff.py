"""Staff calls to the back office: the caller from a staff token, and every call audited.

A call's access event (``backoffice.<action>``: who, role, branch, what, when, result) goes on
the customer's audit chain in its own transaction once the answer is known, allowed or not;
the action's own events (``securpass.delay_lifted``, …) are written with the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from acs.auth import TokenVerifier
from acs.auth.staff import Staff, StaffAction, staff_of
from acs.flows.tokens import accept_token
from acs.storage.audit import append_audit
from acs.storage.engine import Sessions

__all__ = ["StaffCall", "accept_staff", "record_call"]

# The audit's subject column is 128 characters: a longer path id is no customer anyway.
_MAX_SUBJECT = 128


async def accept_staff(
    sessions: Sessions, verifier: TokenVerifier, token: str | None, *, audience: str
) -> Staff:
    """The staff member of a valid staff token (its ``jti`` spent); ``TokenRejected`` else."""
    return staff_of(await accept_token(sessions, verifier, token, audience=audience))


@dataclass(frozen=True)
class StaffCall:
    """One back-office call by a verified staff member, and how it ended."""

    staff: Staff
    action: StaffAction
    customer_id: str
    status: int  # the HTTP status answered
    error: str | None  # the answer's machine reason, None when it succeeded


async def record_call(sessions: Sessions, call: StaffCall, *, at: datetime) -> None:
    """Append the call's access event to the customer's audit chain."""
    detail = {"role": str(call.staff.role), "branch": call.staff.branch, "status": call.status}
    if call.error is not None:
        detail["error"] = call.error
    async with sessions.begin() as session:
        await append_audit(
            session,
            at=at,
            actor=call.staff.actor,
            action=f"backoffice.{call.action}",
            subject=f"customer:{call.customer_id}"[:_MAX_SUBJECT],
            detail=detail,
        )
