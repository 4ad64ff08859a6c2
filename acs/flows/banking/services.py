"""What the banking use cases share: the services they run with, and reading, showing,
cancelling or expiring one operation (:mod:`acs.flows.banking.operations`,
:mod:`acs.flows.banking.sms`)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acs.config import Settings
from acs.crypto.keys import KeyRing
from acs.flows.banking.decisions import settle, status_view
from acs.flows.securpass.errors import StateConflict, UnknownResource
from acs.flows.securpass.operations import OperationHooks, cancel_operation, wake_keys
from acs.notify.hub import Hub
from acs.notify.push import PushGateway
from acs.notify.sms import SmsGateway
from acs.securpass.operations import OperationStatus
from acs.storage import banking as store
from acs.storage.banking_models import BankingOperationRow
from acs.storage.engine import Session, Sessions

__all__ = [
    "BankingServices",
    "Method",
    "finish",
    "get_row",
    "not_pending",
    "own",
    "view_of",
]


class Method:
    """How a banking operation is approved (``banking_operations.method``)."""

    SECURPASS, SMS, TRUSTED_DEVICE = "securpass", "sms", "trusted_device"


@dataclass(frozen=True)
class BankingServices:
    """What the banking use cases run with; built once by the web layer."""

    sessions: Sessions
    settings: Settings
    keys: KeyRing
    hub: Hub
    sms: SmsGateway
    push: PushGateway
    hooks: OperationHooks


async def get_row(session: Session, operation_id: str) -> BankingOperationRow:
    row = await store.get(session, operation_id)
    assert row is not None
    return row


def view_of(row: BankingOperationRow, settings: Settings) -> dict[str, Any]:
    return status_view(row, settings=settings.banking)


async def own(session: Session, operation_id: str, client: str) -> BankingOperationRow:
    """The operation, if this client created it (another client's reads as unknown)."""
    row = await store.get(session, operation_id)
    if row is None or not hmac.compare_digest(row.client.encode(), client.encode()):
        raise UnknownResource("unknown_operation", "no such operation")
    return row


async def finish(
    session: Session,
    services: BankingServices,
    row: BankingOperationRow,
    status: OperationStatus,
    *,
    now: datetime,
) -> list[str] | None:
    """Cancel or expire ``row`` and its phone operation (first, in the lock order of the
    answer: a phone deciding at this moment wins or loses as a whole)."""
    publish: list[str] = []
    if row.securpass_operation_id is not None:
        phone_op = row.securpass_operation_id
        if await cancel_operation(session, phone_op, now=now, status=status) is None:
            return None  # the phone decided first: its hook settled the banking operation
        publish += await wake_keys(session, phone_op)
    actor = "system" if status == OperationStatus.EXPIRED else f"client:{row.client}"
    keys = await settle(
        session, row.id, status=status, at=now, actor=actor, settings=services.settings.banking
    )
    return None if keys is None else publish + keys


def not_pending(row: BankingOperationRow) -> StateConflict:
    return StateConflict(
        "not_pending", f"the operation is {row.status}", current_status=str(row.status)
    )
