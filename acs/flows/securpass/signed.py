"""Signed device calls from verification to answer, each in one unit of work: verify the call
(:func:`~acs.flows.securpass.calls.verify_device_call`), then read or change one thing.

A :class:`DeviceCall` is what a route hands over: the call as received, the time it is checked
at, and the device id its path names (``None`` when the path names none).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acs.flows.securpass import device as device_flows
from acs.flows.securpass.calls import verify_device_call
from acs.flows.securpass.device import SignedCall
from acs.flows.securpass.errors import UnknownResource
from acs.flows.securpass.operations import OperationHook, active_device_facts
from acs.storage import securpass as store
from acs.storage.engine import Session, Sessions
from acs.storage.securpass_models import DeviceRow, EnrolmentRow, OperationRow

__all__ = [
    "DeviceCall",
    "close_enrolment",
    "device_operation",
    "device_status",
    "set_biometrics",
    "verified",
    "verified_device",
]


@dataclass(frozen=True)
class DeviceCall:
    call: SignedCall
    now: datetime
    device_id: str | None = None


@asynccontextmanager
async def verified(
    sessions: Sessions, call: DeviceCall
) -> AsyncIterator[tuple[Session, DeviceRow]]:
    """A unit of work in which ``call`` is a verified call of the yielded device."""
    async with sessions.begin() as session:
        row = await verify_device_call(
            session, call.call, now=call.now, expected_device_id=call.device_id
        )
        yield session, row


async def verified_device(sessions: Sessions, call: DeviceCall) -> DeviceRow:
    """The device of a verified call (its unit of work committed: the nonce is spent)."""
    async with verified(sessions, call) as (_, row):
        return row


async def device_status(sessions: Sessions, call: DeviceCall) -> dict[str, Any]:
    """The device, its enrolment and whether it is trusted (SP-42), as the app shows them."""
    async with verified(sessions, call) as (session, row):
        enrolment = await store.get_enrolment(session, row.enrolment_id)
        _, trusted = await active_device_facts(session, row.customer_id)
    assert enrolment is not None
    return device_flows.device_view(row, enrolment, trusted=trusted)


async def set_biometrics(
    sessions: Sessions, call: DeviceCall, data: dict[str, Any]
) -> EnrolmentRow:
    """SP-23 (:func:`acs.flows.securpass.device.set_biometrics`) for a verified call."""
    async with verified(sessions, call) as (session, row):
        return await device_flows.set_biometrics(session, row, data, now=call.now)


async def close_enrolment(
    sessions: Sessions,
    call: DeviceCall,
    enrolment_id: str,
    *,
    hooks: Mapping[str, OperationHook],
) -> tuple[EnrolmentRow, list[str]]:
    """SP-43 (:func:`acs.flows.securpass.device.close_enrolment`): the closed enrolment and the
    hub keys to publish after commit."""
    async with verified(sessions, call) as (session, row):
        return await device_flows.close_enrolment(
            session, row, enrolment_id, hooks=hooks, now=call.now
        )


async def device_operation(sessions: Sessions, call: DeviceCall, operation_id: str) -> OperationRow:
    """One operation of the calling device (the push carries only its id, SP-51)."""
    async with verified(sessions, call) as (session, row):
        op = await store.get_operation(session, operation_id)
    if op is None or op.device_id != row.id:
        raise UnknownResource("unknown_operation", "no such operation for this device")
    return op
