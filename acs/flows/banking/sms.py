"""The SMS code of a banking operation (SP-22, SP-43): issued with the operation, checked when
the customer types it on the bank's site.

The code is 6 digits, kept only as HMAC-SHA-256(otp_key, "banking|" operation id "|" code), so
it approves its own operation and no other; the SMS names the operation and its key fields
(RTS Art. 5). Attempts are counted before the comparison: ``otp_max_attempts`` per operation,
and the cardholder's consecutive failures and block (RTS Art. 4(3)(b),
:mod:`acs.flows.otp_failures`), shared with the card challenges.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from acs.crypto.keys import KeyRing
from acs.flows import otp_failures
from acs.flows.banking.decisions import settle
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
from acs.flows.securpass.errors import CodeRejected, InvalidRequest
from acs.notify.sms import Sms
from acs.securpass.operations import OperationStatus
from acs.storage import banking as store
from acs.storage.banking_models import BankingOperationRow
from acs.storage.engine import Session
from acs.storage.models import Customer
from acs.text import neutralise

__all__ = ["code_mac", "issue_code", "submit_code"]


def code_mac(otp_key: bytes, operation_id: str, code: str) -> bytes:
    return hmac.new(otp_key, f"banking|{operation_id}|{code}".encode(), hashlib.sha256).digest()


def issue_code(
    row: BankingOperationRow,
    customer: Customer,
    request: CreateRequest,
    *,
    keys: KeyRing,
    now: datetime,
) -> Sms:
    """A 6-digit code for ``row``, kept only as an HMAC; the SMS names the operation (SP-43,
    RTS Art. 5)."""
    code = f"{secrets.randbelow(10**6):06d}"
    row.otp_hmac = code_mac(keys.otp_key, row.id, code)
    action = neutralise(request.described.sms_action)
    text = f"Banxo : votre code {code} pour {action}. Ne le communiquez à personne."
    assert customer.secure_mobile is not None
    return Sms(to=customer.secure_mobile, text=text, purpose="otp", reference=row.id, at=now)


async def submit_code(
    services: BankingServices, operation_id: str, code: Any, *, client: str, now: datetime
) -> dict[str, Any]:
    """The SMS code the customer typed on the bank's site: approved, or a wrong code counted
    (for this operation and for the cardholder) before the answer; the last try fails it."""
    if not isinstance(code, str) or not code.strip().isdigit() or len(code.strip()) > 8:
        raise InvalidRequest("invalid_field", "code: expected the digits of the SMS", field="code")
    settings = services.settings
    async with services.sessions.begin() as session:
        row = await own(session, operation_id, client)
        if row.method != Method.SMS or row.otp_hmac is None:
            raise InvalidRequest("not_an_sms_operation", "this operation is not approved by SMS")
        outcome = await _check_code(session, services, row, code.strip(), now=now)
        view = view_of(await get_row(session, operation_id), settings)
    publish, left = outcome
    await services.hub.publish(*publish)
    if left is not None:
        raise CodeRejected(
            "authentication_failed", "Code incorrect.", attempts_left=left, operation=view
        )
    return view


async def _check_code(
    session: Session,
    services: BankingServices,
    row: BankingOperationRow,
    code: str,
    *,
    now: datetime,
) -> tuple[list[str], int | None]:
    """(hub keys, attempts left after a wrong code — 0: the operation failed — or None)."""
    settings = services.settings
    if row.status != OperationStatus.PENDING:
        raise not_pending(row)
    if now >= row.expires_at:
        return await finish(session, services, row, OperationStatus.EXPIRED, now=now) or [], None
    if await otp_failures.blocked(session, row.customer_id):
        return await _fail(session, services, row, "sms_otp_blocked", now=now), None
    attempts = await store.count_otp_attempt(session, row.id)
    if attempts is None:
        raise not_pending(await get_row(session, row.id))
    assert row.otp_hmac is not None
    if hmac.compare_digest(code_mac(services.keys.otp_key, row.id, code), row.otp_hmac):
        await otp_failures.clear(session, row.customer_id, now=now)
        keys = await settle(
            session, row.id, status=OperationStatus.APPROVED, at=now,
            actor=f"customer:{row.customer_id}", settings=settings.banking, reason="sms_code",
        )  # fmt: skip
        return keys or [], None
    blocked = await otp_failures.count_failure(
        session, row.customer_id, settings=settings, now=now, acs_trans_id=row.id
    )
    if blocked or attempts >= settings.otp_max_attempts:
        reason = "sms_otp_blocked" if blocked else "too_many_attempts"
        return await _fail(session, services, row, reason, now=now), 0
    return [], settings.otp_max_attempts - attempts


async def _fail(
    session: Session, services: BankingServices, row: BankingOperationRow, reason: str,
    *, now: datetime,
) -> list[str]:  # fmt: skip
    keys = await settle(
        session, row.id, status=OperationStatus.FAILED, at=now, actor="system",
        settings=services.settings.banking, reason=reason,
    )  # fmt: skip
    return keys or []
