"""The banking operations API's use cases: create, read (long-poll), cancel, an SMS code, expiry.

The method is chosen per operation and customer (:func:`choose_method`):

1. a login from the customer's trusted phone (SP-42) with ``exemption: "trusted_device"`` and
   ``[banking] trusted_device_logins``: approved at once, method ``trusted_device``;
2. an active Sécur'Pass device: a Sécur'Pass operation (``ref_type="banking"``), the phone
   approves or refuses it (:mod:`acs.flows.banking.hook` decides the banking operation);
3. the types only Sécur'Pass may do (viewing the PIN, the digital card, SP-6): refused,
   ``securpass_required``;
4. an SMS code, where ``[banking] sms_types`` allows it for the type, to the secure mobile
   (SP-22, SP-43), its text naming the operation and its key fields; the cardholder's SMS OTP
   failure limit and block (RTS Art. 4(3)(b), :mod:`acs.flows.otp_failures`) apply;
5. otherwise refused, ``no_method_available`` (or ``sms_otp_blocked``).

Too many Sécur'Pass operations at once (push bombing) falls back to the SMS code like a card
payment does (``push_limit_action = "sms"``), or is refused with 429.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from acs.config import Settings
from acs.flows import otp_failures
from acs.flows.banking.decisions import settle
from acs.flows.banking.hook import REF_TYPE
from acs.flows.banking.kinds import SECURPASS_ONLY
from acs.flows.banking.requests import CreateRequest
from acs.flows.banking.services import (
    BankingServices,
    Method,
    finish,
    get_row,
    not_pending,
    own,
    view_of,
)
from acs.flows.banking.sms import issue_code
from acs.flows.securpass.errors import (
    Forbidden,
    StateConflict,
    TooManyRequests,
    UnknownResource,
)
from acs.flows.securpass.operations import (
    OperationLimits,
    TooManyOperations,
    announce,
    create_operation,
    is_trusted,
)
from acs.notify import topics
from acs.notify.sms import Sms, SmsNotSent
from acs.securpass.operations import OperationStatus
from acs.storage import banking as store
from acs.storage import customers
from acs.storage import securpass as securpass_store
from acs.storage.banking_models import BankingOperationRow
from acs.storage.engine import Session
from acs.storage.models import Customer
from acs.storage.securpass_models import DeviceRow

__all__ = ["cancel", "choose_method", "create", "expire_due", "read_status"]

_UNAVAILABLE = "Aucun moyen d'authentification n'est disponible pour cette opération."
_SECURPASS_ONLY = "Cette opération n'est possible qu'avec Sécur'Pass."


@dataclass(frozen=True)
class _Created:
    view: dict[str, Any]
    publish: list[str]
    sms: Sms | None = None
    announce: str | None = None  # a Sécur'Pass operation id to announce


def choose_method(
    request: CreateRequest,
    *,
    settings: Settings,
    device: DeviceRow | None,
    customer: Customer,
    sms_blocked: bool,
) -> str:
    """The method for this operation and customer (the module docstring's order)."""
    exempt = request.exemption == "trusted_device" and settings.banking.trusted_device_logins
    if exempt and _trusted_login(request, device):
        return Method.TRUSTED_DEVICE
    if device is not None:
        return Method.SECURPASS
    return _sms_or_refusal(request, settings=settings, customer=customer, blocked=sms_blocked)


def _sms_or_refusal(
    request: CreateRequest, *, settings: Settings, customer: Customer, blocked: bool
) -> str:
    if request.type in SECURPASS_ONLY:
        raise Forbidden("securpass_required", _SECURPASS_ONLY, rule="SP-6")
    if request.type not in settings.banking.sms_types or not customer.secure_mobile:
        raise Forbidden("no_method_available", _UNAVAILABLE)
    if blocked:
        raise Forbidden("sms_otp_blocked", _UNAVAILABLE, rule="RTS Art. 4(3)(b)")
    return Method.SMS


def _trusted_login(request: CreateRequest, device: DeviceRow | None) -> bool:
    """SP-42: a login from the customer's active phone, which is a trusted device."""
    device_id = request.described.device_id
    return bool(device is not None and device_id == device.id and is_trusted(device))


async def create(
    services: BankingServices, request: CreateRequest, *, client: str, now: datetime
) -> tuple[dict[str, Any], bool]:
    """Store the operation and start its method: (the status view, True). A create retried
    with the same ``client_reference`` and the same operation returns the first one (False):
    nothing is stored or sent again."""
    async with services.sessions.begin() as session:
        first = await _replayed(session, request, client=client)
        if first is not None:
            return view_of(first, services.settings), False
        created = await _create(session, services, request, client=client, now=now)
    if created.announce is not None:
        await announce(
            created.announce, sessions=services.sessions, hub=services.hub, push=services.push
        )
    if created.sms is not None:
        await _send_sms(services, created, now=now)
    await services.hub.publish(*created.publish)
    return created.view, True


async def _replayed(
    session: Session, request: CreateRequest, *, client: str
) -> BankingOperationRow | None:
    """The operation this client already created under ``client_reference``, if it is the
    same operation; 409 ``client_reference_reused`` if it names another."""
    if request.client_reference is None:
        return None
    row = await store.by_reference(session, client, request.client_reference)
    if row is None:
        return None
    asked = request.described.summary.to_dict()
    same = row.customer_id == request.customer_id and _bound(row.summary) == _bound(asked)
    if not same:
        raise StateConflict(
            "client_reference_reused", "client_reference: names another operation",
            field="client_reference",
        )  # fmt: skip
    return row


def _bound(summary: dict[str, Any]) -> dict[str, Any]:
    """What makes two requests the same operation: the summary but its creation time."""
    return {key: value for key, value in summary.items() if key != "created_at"}


async def _create(
    session: Session,
    services: BankingServices,
    request: CreateRequest,
    *,
    client: str,
    now: datetime,
) -> _Created:
    settings = services.settings
    customer = await customers.get(session, request.customer_id)
    if customer is None:
        raise UnknownResource("unknown_customer", "no such customer", field="customer_id")
    device = await securpass_store.active_device(session, customer.id)
    blocked = await otp_failures.blocked(session, customer.id)
    method = choose_method(
        request, settings=settings, device=device, customer=customer, sms_blocked=blocked
    )
    row = _row(request, client=client, method=method, now=now)
    row.trusted_device = _trusted_login(request, device)
    await store.add(session, row)
    if method == Method.TRUSTED_DEVICE:
        publish = await settle(
            session, row.id, status=OperationStatus.APPROVED, at=now, actor="system",
            settings=settings.banking, reason="sp42_trusted_device",
        )  # fmt: skip
        return _Created(view_of(await get_row(session, row.id), settings), publish or [])
    if method == Method.SECURPASS:
        securpass_id = await _securpass_operation(session, settings, request, row, now=now)
        if securpass_id is not None:
            return _Created(view_of(row, settings), [], announce=securpass_id)
        row.method = method = _sms_or_refusal(
            request, settings=settings, customer=customer, blocked=blocked
        )
    sms = issue_code(row, customer, request, keys=services.keys, now=now)
    await session.flush()
    return _Created(view_of(row, settings), [], sms=sms)


def _row(request: CreateRequest, *, client: str, method: str, now: datetime) -> BankingOperationRow:
    summary = request.described.summary
    return BankingOperationRow(
        id=secrets.token_urlsafe(16), client=client, client_reference=request.client_reference,
        customer_id=request.customer_id, type=str(summary.type), summary=summary.to_dict(),
        summary_hash=summary.summary_hash(), method=method, status=OperationStatus.PENDING,
        callback_url=request.callback_url, otp_attempts=0, trusted_device=False,
        fraud_declared=False, suspicious_login=False, created_at=now,
        expires_at=now + request.ttl,
    )  # fmt: skip


async def _securpass_operation(
    session: Session,
    settings: Settings,
    request: CreateRequest,
    row: BankingOperationRow,
    *,
    now: datetime,
) -> str | None:
    """The phone's operation for ``row``; ``None`` over the push limits when the SMS code is
    the fallback (``push_limit_action = "sms"``), 429 otherwise."""
    try:
        operation_id = await create_operation(
            session, customer_id=row.customer_id, summary=request.described.summary,
            ttl=request.ttl, now=now, ref_type=REF_TYPE, ref_id=row.id,
            limits=OperationLimits.of(settings),
        )  # fmt: skip
    except TooManyOperations:
        if settings.push_limit_action == "sms" and request.type not in SECURPASS_ONLY:
            return None
        raise TooManyRequests(
            "too_many_operations", "Trop d'opérations en attente sur ce téléphone.",
            retry_after=60,
        ) from None  # fmt: skip
    row.securpass_operation_id = operation_id
    await session.flush()
    return operation_id


async def _send_sms(services: BankingServices, created: _Created, *, now: datetime) -> None:
    """Hand the SMS over after the commit; a gateway refusal fails the operation (503)."""
    assert created.sms is not None
    try:
        await services.sms.send(created.sms)
    except SmsNotSent:
        async with services.sessions.begin() as session:
            publish = await settle(
                session, created.view["operation_id"], status=OperationStatus.FAILED, at=now,
                actor="system", settings=services.settings.banking, reason="sms_not_sent",
            )  # fmt: skip
        await services.hub.publish(*(publish or []))
        raise


async def read_status(
    services: BankingServices,
    operation_id: str,
    *,
    client: str,
    wait: float,
) -> dict[str, Any]:
    """The operation's status; with ``wait`` seconds, held until it is decided or the wait
    ends (a long-poll, bounded by ``[banking] max_wait_seconds``)."""
    deadline = asyncio.get_running_loop().time() + wait
    while True:
        async with services.sessions() as session:
            row = await own(session, operation_id, client)
        left = deadline - asyncio.get_running_loop().time()
        if row.status != OperationStatus.PENDING or left <= 0:
            return view_of(row, services.settings)
        await services.hub.wait(topics.banking(operation_id), left)


async def cancel(
    services: BankingServices, operation_id: str, *, client: str, now: datetime
) -> dict[str, Any]:
    """The bank gives up (the customer left the page): ``cancelled`` once; 409 if decided."""
    async with services.sessions.begin() as session:
        row = await own(session, operation_id, client)
        publish = await finish(session, services, row, OperationStatus.CANCELLED, now=now)
        if publish is None:
            raise not_pending(await get_row(session, operation_id))
        view = view_of(await get_row(session, operation_id), services.settings)
    await services.hub.publish(*publish)
    return view


async def expire_due(services: BankingServices, *, now: datetime) -> list[str]:
    """Expire the pending operations past their time to live (the worker); the hub keys."""
    async with services.sessions() as session:
        due = [row.id for row in await store.due_expiries(session, now=now)]
    publish: list[str] = []
    for operation_id in due:
        async with services.sessions.begin() as session:
            row = await store.get(session, operation_id)
            if row is None or row.status != OperationStatus.PENDING:
                continue
            publish += await finish(session, services, row, OperationStatus.EXPIRED, now=now) or []
    return publish
