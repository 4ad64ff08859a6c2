"""SMS OTP failures per cardholder (PSD2 RTS Art. 4(3)(b)): at most ``otp_max_failures`` (5)
consecutive wrong codes, counted across resends and transactions; then SMS OTP is blocked.

The block lasts until a reset: a successful Sécur'Pass authentication (:func:`lift` from the
answer flow) or a staff action (:func:`staff_reset`, back office). Blocking and lifting are
audited in the customer's chain; a correct SMS code only clears the consecutive count.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from acs.auth.staff import Staff
from acs.config import Settings
from acs.flows.securpass.errors import UnknownResource
from acs.securpass.operations import format_time
from acs.storage import customers
from acs.storage.audit import append_audit
from acs.storage.customers import OtpFailures
from acs.storage.engine import Session, Sessions

__all__ = [
    "blocked",
    "clear",
    "count_failure",
    "failures_view",
    "lift",
    "staff_reset",
]


async def blocked(session: Session, customer_id: str) -> bool:
    """True while the cardholder's SMS OTP is blocked."""
    return (await customers.otp_failures(session, customer_id)).blocked


async def count_failure(
    session: Session, customer_id: str, *, settings: Settings, now: datetime, acs_trans_id: str
) -> bool:
    """One more wrong code for this cardholder; True when SMS OTP is now blocked (the block
    is audited once, when it starts)."""
    limit = settings.otp_max_failures
    state = await customers.count_otp_failure(session, customer_id, limit=limit, now=now)
    if state.blocked and state.count == limit:
        await _audit(
            session, customer_id, now, actor="acs", action="sms_otp.blocked",
            failures=state.count, acsTransID=acs_trans_id, rule="RTS Art. 4(3)(b)",
        )  # fmt: skip
    return state.blocked


async def clear(session: Session, customer_id: str, *, now: datetime) -> None:
    """A correct SMS code: the failures are no longer consecutive (never lifts a block: a
    blocked cardholder gets no code to enter)."""
    if (await customers.otp_failures(session, customer_id)).count:
        await customers.reset_otp_failures(session, customer_id, now=now)


async def lift(session: Session, customer_id: str, *, actor: str, now: datetime) -> bool:
    """Reset the count and lift a block (a Sécur'Pass success, a staff action); True when a
    block was lifted (audited)."""
    before = await customers.reset_otp_failures(session, customer_id, now=now)
    if before.blocked:
        await _audit(session, customer_id, now, actor=actor, action="sms_otp.unblocked",
                     failures=before.count)  # fmt: skip
    return before.blocked


async def staff_reset(
    sessions: Sessions, customer_id: str, *, staff: Staff, now: datetime
) -> dict[str, Any]:
    """The back office lifts the block (or clears the count); the state before, as a view.
    The ``sms_otp.unblocked`` event names the staff member (``staff:<id>``)."""
    async with sessions.begin() as session:
        if await customers.get(session, customer_id) is None:
            raise UnknownResource("unknown_customer", "no such customer")
        before = await customers.otp_failures(session, customer_id)
        await lift(session, customer_id, actor=staff.actor, now=now)
    return {"customer_id": customer_id, "before": failures_view(before),
            "sms_otp": failures_view(OtpFailures())}  # fmt: skip


def failures_view(state: OtpFailures) -> dict[str, Any]:
    """The back office's view: the consecutive count, whether blocked, and since when."""
    since = None if state.blocked_at is None else format_time(state.blocked_at)
    return {"failures": state.count, "blocked": state.blocked, "blocked_at": since}


async def _audit(
    session: Session, customer_id: str, now: datetime, *, actor: str, action: str, **detail: Any
) -> None:
    await append_audit(
        session, at=now, actor=actor, action=action, subject=f"customer:{customer_id}",
        detail={k: v for k, v in detail.items() if v is not None},
    )  # fmt: skip
