"""What the device and back-office APIs read without changing anything: the activation notice,
the operations waiting for a device (and the long-poll for one), the event stream's snapshot,
the advisor's summary of a customer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acs.clock import Clock
from acs.flows import otp_failures
from acs.flows.securpass import enrol as enrol_flows
from acs.flows.securpass.device import enrolment_view
from acs.notify import topics
from acs.notify.hub import Hub
from acs.securpass.eligibility import ActivationChannel
from acs.securpass.enrolment import ACTIVATION_MAX_ATTEMPTS, activation_code_expires_at
from acs.securpass.operations import format_time
from acs.storage import customers
from acs.storage import securpass as store
from acs.storage.engine import Sessions
from acs.storage.securpass_models import DelayLiftRow, OperationRow

__all__ = [
    "DeviceSnapshot",
    "activation_notice",
    "customer_summary",
    "device_snapshot",
    "lift_view",
    "pending_operations",
    "wait_for_operations",
]

# The enrolment the advisor sees: the newest one in any of these states.
_SUMMARY_STATES = ("initiated", "subscribed", "locked", "expired", "closed")


async def activation_notice(
    sessions: Sessions, customer_id: str, *, now: datetime
) -> dict[str, Any]:
    """Where the activation code went (masked), until when it works, how many tries it allows."""
    async with sessions() as session:
        customer = await customers.get(session, customer_id)
    return {
        "sent_to": enrol_flows.masked_mobile(customer.secure_mobile if customer else None),
        "code_expires_at": format_time(activation_code_expires_at(now)),
        "attempts": ACTIVATION_MAX_ATTEMPTS,
    }


async def pending_operations(
    sessions: Sessions, device_id: str, *, now: datetime
) -> list[OperationRow]:
    """The device's pending, unexpired operations, oldest first."""
    async with sessions() as session:
        return list(await store.pending_operations(session, now=now, device_id=device_id))


async def wait_for_operations(
    sessions: Sessions, hub: Hub, device_id: str, *, clock: Clock, wait: float
) -> list[OperationRow]:
    """The pending operations, waiting up to ``wait`` seconds (hub) for one to arrive."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while True:
        operations = await pending_operations(sessions, device_id, now=clock.now())
        left = deadline - loop.time()
        if operations or left <= 0:
            return operations
        await hub.wait(topics.device(device_id), left)


@dataclass(frozen=True)
class DeviceSnapshot:
    """``status``: the device's, or ``revoked`` once it is gone; ``gone``: operations sent
    earlier that left ``pending``."""

    status: str
    operations: list[OperationRow]
    gone: list[OperationRow]


async def device_snapshot(
    sessions: Sessions, device_id: str, *, sent: Set[str], now: datetime
) -> DeviceSnapshot:
    async with sessions() as session:
        row = await store.get_device(session, device_id)
        operations = await store.pending_operations(session, now=now, device_id=device_id)
        gone_ids = sent - {o.id for o in operations}
        gone = [await store.get_operation(session, i) for i in sorted(gone_ids)]
    status = "revoked" if row is None else str(row.status)
    return DeviceSnapshot(status, list(operations), [g for g in gone if g is not None])


def lift_view(row: DelayLiftRow) -> dict[str, Any]:
    return {
        "advisor_id": row.advisor_id,
        "lifted_at": format_time(row.lifted_at),
        "identity_check": row.identity_check,
    }


async def customer_summary(
    sessions: Sessions, customer_id: str, *, now: datetime
) -> dict[str, Any]:
    """SP-35 / SP-60: eligibility per channel with every unmet rule, the enrolment, the lift;
    and the SMS OTP failures and block (RTS Art. 4(3)(b))."""
    async with sessions.begin() as session:
        customer = await enrol_flows.customer_or_404(session, customer_id)
        channels = {
            str(channel): await enrol_flows.eligibility_of(
                session, customer, channel=channel, now=now
            )
            for channel in ActivationChannel
        }
        await enrol_flows.current_enrolment(session, customer_id, now=now)  # expires it if due
        latest = await store.latest_enrolment(session, customer_id, states=_SUMMARY_STATES)
        lift = await store.latest_lift(session, customer_id)
        sms_otp = await customers.otp_failures(session, customer_id)
    return {
        "customer_id": customer_id,
        "eligibility": {
            name: {
                "eligible": e.eligible,
                "unmet": [{"rule": u.rule, "message": u.message} for u in e.unmet],
            }
            for name, e in channels.items()
        },
        "enrolment": None if latest is None else enrolment_view(latest),
        "delay_lift": None if lift is None else lift_view(lift),
        "sms_otp": otp_failures.failures_view(sms_otp),  # RTS Art. 4(3)(b) block
    }
