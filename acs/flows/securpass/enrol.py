"""Enrolment flows: eligibility, the SP-15 lift, self-care start, branch initiation, activation.

Each flow that must keep a failed attempt (a wrong activation code, an expired branch window)
owns its unit of work: it commits the counted attempt, then raises.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from acs.crypto.codes import CodeCryptoError, decrypt_code, enrolment_context, make_verifier
from acs.crypto.device import BadSignature, jwk_thumbprint, verify_es256
from acs.crypto.keys import KeyRing
from acs.flows.securpass.common import (
    InvalidRequest,
    NotEligible,
    UnknownResource,
    audit,
    enrolment_of,
    new_enrolment_row,
    public_key_of,
    store_enrolment,
    ticket_fields,
    ticket_of,
    with_ticket_expiry,
)
from acs.flows.securpass.operations import device_key, finish_pending
from acs.notify.hub import Hub
from acs.notify.sms import Sms, SmsGateway
from acs.securpass import enrolment as core
from acs.securpass.devices import DeviceStatus
from acs.securpass.eligibility import (
    ActivationChannel,
    CardFact,
    CardStatus,
    CustomerKind,
    Eligibility,
    EligibilityFacts,
    LiftRecord,
    check_eligibility,
    validate_lift,
)
from acs.securpass.encoding import b64u_decode
from acs.securpass.errors import (
    ActivationCodeRejected,
    InvalidTransition,
    Reason,
    RequestRejected,
)
from acs.securpass.pincode import validate_new_code
from acs.securpass.signing import verify_signed_request
from acs.storage import securpass as store
from acs.storage.models import Customer
from acs.storage.securpass_models import DelayLiftRow, DeviceRow, EnrolmentRow

__all__ = [
    "BIOMETRIC_PROOF_LABEL",
    "Activation",
    "activate_device",
    "current_enrolment",
    "eligibility_of",
    "expire_if_due",
    "initiate_in_branch",
    "masked_mobile",
    "record_lift",
    "start_selfcare",
]

BIOMETRIC_PROOF_LABEL = "SP-BIOMETRIC-1"


@dataclass(frozen=True)
class Activation:
    """What the phone gets back from a successful activation."""

    device_id: str
    enrolment: EnrolmentRow
    revoked_device_ids: tuple[str, ...]


async def customer_or_404(session: AsyncSession, customer_id: str) -> Customer:
    customer = await store.get_customer(session, customer_id)
    if customer is None:
        raise UnknownResource("unknown_customer", "no such customer")
    return customer


async def eligibility_of(
    session: AsyncSession, customer: Customer, *, channel: ActivationChannel, now: datetime
) -> Eligibility:
    """SP-10 … SP-16 for ``channel``; an SP-15 lift counts for the e-mail on file at its time."""
    cards = await store.cards_of(session, customer.id)
    lift = await store.latest_lift(session, customer.id)
    recorded = customer.email_recorded_at if customer.personal_email else None
    facts = EligibilityFacts(
        kind=CustomerKind(str(customer.kind)),
        has_app=customer.has_app,
        remote_banking=customer.remote_banking,
        secure_mobile=bool(customer.secure_mobile),
        personal_email_recorded_at=recorded,
        cards=tuple(CardFact(CardStatus(str(c.status)), c.used_at_terminal) for c in cards),
        delay_lifted=lift is not None and recorded is not None and lift.lifted_at >= recorded,
    )
    return check_eligibility(facts, channel=channel, now=now)


def _unmet(eligibility: Eligibility) -> list[dict[str, str]]:
    return [{"rule": u.rule, "message": u.message} for u in eligibility.unmet]


async def record_lift(
    session: AsyncSession, *, customer_id: str, advisor_id: str, identity_check: Any, now: datetime
) -> DelayLiftRow:
    """SP-15: the advisor lifts the 72 h delay after a reinforced identity check (recorded)."""
    await customer_or_404(session, customer_id)
    lift = validate_lift(
        LiftRecord(advisor_id=advisor_id, lifted_at=now, identity_check=identity_check), now=now
    )
    row = DelayLiftRow(
        customer_id=customer_id,
        advisor_id=lift.advisor_id,
        identity_check=str(lift.identity_check),
        lifted_at=lift.lifted_at,
    )
    await store.add(session, row)
    await audit(
        session,
        at=now,
        actor=f"advisor:{advisor_id}",
        action="delay_lifted",
        customer_id=customer_id,
        identity_check=str(lift.identity_check),
        rule="SP-15",
    )
    return row


async def expire_if_due(session: AsyncSession, row: EnrolmentRow, *, now: datetime) -> bool:
    """SP-33: an initiated enrolment past its window becomes ``expired``; True if it did."""
    enrolment = enrolment_of(row)
    if enrolment.state != core.EnrolmentState.INITIATED:
        return False
    try:
        expired = core.expire(enrolment, now=now)
    except InvalidTransition:
        return False
    store_enrolment(row, expired, now=now)
    await audit(
        session,
        at=now,
        actor="system",
        action="enrolment_expired",
        customer_id=row.customer_id,
        enrolment_id=row.id,
        rule="SP-33",
    )
    return True


async def current_enrolment(
    session: AsyncSession, customer_id: str, *, now: datetime
) -> EnrolmentRow | None:
    """The customer's open enrolment (expiring it first if its window passed)."""
    row = await store.latest_enrolment(session, customer_id)
    if row is not None and await expire_if_due(session, row, now=now):
        return None
    return row


async def start_selfcare(
    sessions: async_sessionmaker,
    *,
    customer_id: str,
    keys: KeyRing,
    sms: SmsGateway,
    now: datetime,
) -> EnrolmentRow:
    """SP-20: start (or restart, or transfer to a new phone, SP-40/41) from the app; a 6-digit
    activation code goes by SMS to the secure mobile."""
    async with sessions.begin() as session:
        customer = await customer_or_404(session, customer_id)
        eligibility = await eligibility_of(
            session, customer, channel=ActivationChannel.APP, now=now
        )
        if not eligibility.eligible:
            raise NotEligible(
                "not_eligible",
                "Sécur'Pass ne peut pas encore être activé",
                unmet=_unmet(eligibility),
            )
        row = await current_enrolment(session, customer_id, now=now)
        if row is not None and row.state == "initiated" and row.channel == "selfcare":
            # A restart: a fresh 10-minute window rather than the remains of the old one.
            store_enrolment(row, core.close(enrolment_of(row), now=now).enrolment, now=now)
            row = None
        if row is None:
            enrolment = core.initiate_selfcare(
                enrolment_id=str(uuid.uuid4()),
                customer_id=customer_id,
                eligibility=eligibility,
                now=now,
            )
            row = await store.add(session, new_enrolment_row(enrolment, now=now))
        code = await _issue_code(session, row, keys=keys, now=now, actor=f"customer:{customer_id}")
        mobile = customer.secure_mobile or ""
    await _send_code(sms, to=mobile, code=code, enrolment=row, now=now)
    return row


async def initiate_in_branch(
    sessions: async_sessionmaker,
    *,
    customer_id: str,
    advisor_id: str,
    sale_channel: str,
    amendment: dict[str, str] | None = None,
    keys: KeyRing,
    sms: SmsGateway,
    now: datetime,
) -> EnrolmentRow:
    """SP-30 … SP-33: face to face only; ``initiated``; SMS; 24 h to activate on the phone.

    ``amendment`` (SP-31) is recorded in the audit trail with the initiation.
    """
    async with sessions.begin() as session:
        customer = await customer_or_404(session, customer_id)
        eligibility = await eligibility_of(
            session, customer, channel=ActivationChannel.BRANCH, now=now
        )
        if sale_channel == core.SaleChannel.FACE_TO_FACE and not eligibility.eligible:
            raise NotEligible(
                "not_eligible",
                "Sécur'Pass ne peut pas encore être ajouté",
                unmet=_unmet(eligibility),
            )
        enrolment = core.initiate_branch(
            enrolment_id=str(uuid.uuid4()),
            customer_id=customer_id,
            advisor_id=advisor_id,
            sale_channel=sale_channel,
            eligibility=eligibility,
            now=now,
        )
        previous = await current_enrolment(session, customer_id, now=now)
        if previous is not None and previous.state == "initiated":
            # A new amendment replaces an unfinished one.
            store_enrolment(
                previous, core.close(enrolment_of(previous), now=now).enrolment, now=now
            )
        row = await store.add(
            session, new_enrolment_row(enrolment, now=now, sale_channel=sale_channel)
        )
        await audit(
            session,
            at=now,
            actor=f"advisor:{advisor_id}",
            action="branch_initiated",
            customer_id=customer_id,
            enrolment_id=row.id,
            sale_channel=sale_channel,
            amendment=amendment,
            rule="SP-30",
        )
        code = await _issue_code(session, row, keys=keys, now=now, actor=f"advisor:{advisor_id}")
        mobile = customer.secure_mobile or ""
    await _send_code(sms, to=mobile, code=code, enrolment=row, now=now)
    return row


async def _issue_code(
    session: AsyncSession, row: EnrolmentRow, *, keys: KeyRing, now: datetime, actor: str
) -> str:
    code, ticket = core.issue_activation_code(enrolment_of(row), key=keys.activation_key, now=now)
    if row.state == "initiated" and row.channel == core.EnrolmentChannel.BRANCH:
        ticket = with_ticket_expiry(ticket, row.expires_at)
    await store.set_ticket(session, row.id, created_at=now, **ticket_fields(ticket))
    await audit(
        session,
        at=now,
        actor=actor,
        action="activation_code_sent",
        customer_id=row.customer_id,
        enrolment_id=row.id,
        channel=str(row.channel),
        expires_at=ticket.expires_at.isoformat(),
    )
    return code


async def _send_code(
    sms: SmsGateway, *, to: str, code: str, enrolment: EnrolmentRow, now: datetime
) -> None:
    window = "24 heures" if enrolment.channel == core.EnrolmentChannel.BRANCH else "10 minutes"
    text = (
        f"Banxo : votre code d'activation Sécur'Pass est {code}. Il est valable {window}. "
        "Ne le communiquez à personne."
    )
    await sms.send(Sms(to=to, text=text, purpose="activation", reference=enrolment.id, at=now))


def masked_mobile(number: str | None) -> str:
    """``+33 •• •• •• •• 78``: enough for the customer to recognise the number."""
    return "" if not number else f"{number[:3]} •• •• •• •• {number[-2:]}"


async def activate_device(
    sessions: async_sessionmaker,
    *,
    enrolment_id: str,
    customer_id: str,
    body: bytes,
    data: dict[str, Any],
    method: str,
    path: str,
    headers: Any,
    keys: KeyRing,
    hooks: Any,
    hub: Hub,
    now: datetime,
) -> Activation:
    """SP-21/22/34, SP-40/41: register the phone; the old device is revoked in the same
    transaction and its pending operations cancelled."""
    fields = _activation_fields(data)
    possession = public_key_of(fields["possession_jwk"], name="possession_jwk")
    thumbprint = jwk_thumbprint(fields["possession_jwk"])
    verified = verify_signed_request(
        method=method,
        path=path,
        body=body,
        headers=headers,
        expected_device_id=thumbprint,
        public_key=possession,
        device_status=DeviceStatus.ACTIVE,
        now=now,
    )
    _check_biometric_proof(fields, enrolment_id=enrolment_id, thumbprint=thumbprint)
    code = _open_code(fields["code_jwe"], keys=keys, context=enrolment_context(enrolment_id))
    validate_new_code(code)  # SP-24: trivial codes refused
    verifier = await asyncio.to_thread(make_verifier, code, pepper=keys.pepper)
    failure: Exception | None = None
    async with sessions.begin() as session:
        row = await store.lock_enrolment(session, enrolment_id)
        if row is None or row.customer_id != customer_id:
            raise UnknownResource("unknown_enrolment", "no such enrolment for this customer")
        fresh = await store.remember_nonce(
            session,
            device_id=thumbprint,
            nonce=verified.nonce,
            expires_at=verified.nonce_expires_at,
        )
        if not fresh:
            raise RequestRejected(Reason.REPLAYED_NONCE, "this nonce was already used")
        if await expire_if_due(session, row, now=now):
            failure = InvalidTransition(Reason.ENROLMENT_EXPIRED, "the activation window passed")
        else:
            failure = await _check_ticket(session, row, fields["activation_code"], keys, now)
        if failure is None:
            result, keys_to_publish = await _register(
                session,
                row,
                fields=fields,
                thumbprint=thumbprint,
                verifier=verifier,
                hooks=hooks,
                now=now,
            )
    if failure is not None:
        raise failure
    await hub.publish(*keys_to_publish)
    return result


async def _check_ticket(
    session: AsyncSession, row: EnrolmentRow, code: str, keys: KeyRing, now: datetime
) -> Exception | None:
    ticket_row = await store.get_ticket(session, row.id)
    if ticket_row is None:
        return InvalidTransition(Reason.WRONG_STATE, "no activation code was issued")
    try:
        used = core.check_activation_code(
            ticket_of(ticket_row), code, key=keys.activation_key, now=now
        )
    except ActivationCodeRejected as exc:
        await store.set_ticket(session, row.id, **ticket_fields(exc.ticket))
        await audit(
            session,
            at=now,
            actor=f"customer:{row.customer_id}",
            action="activation_code_rejected",
            customer_id=row.customer_id,
            enrolment_id=row.id,
            reason=str(exc.reason),
            attempts_left=exc.ticket.attempts_left,
        )
        return exc
    await store.set_ticket(session, row.id, **ticket_fields(used))
    return None


async def _register(
    session: AsyncSession,
    row: EnrolmentRow,
    *,
    fields: dict[str, Any],
    thumbprint: str,
    verifier: str,
    hooks: Any,
    now: datetime,
) -> tuple[Activation, list[str]]:
    ticket_row = await store.get_ticket(session, row.id)
    assert ticket_row is not None
    device_id = str(uuid.uuid4())
    biometrics = core.Biometrics(**fields["biometrics"])
    change = core.activate(
        enrolment_of(row),
        ticket=ticket_of(ticket_row),
        device_id=device_id,
        now=now,
        biometrics=biometrics,
    )
    # One phone at a time (SP-40): also any other device of the customer still usable.
    others = await store.usable_devices(session, row.customer_id)
    to_revoke = sorted({*change.revoke_device_ids, *(d.id for d in others)})
    revoked = await store.revoke_devices(session, to_revoke, at=now, reason="replaced")
    publish = [device_key(d) for d in revoked]
    for old in revoked:
        pending = await store.pending_operations(session, now=now, device_id=old)
        publish += await finish_pending(session, pending, status="cancelled", now=now, hooks=hooks)
    device = DeviceRow(
        id=device_id,
        customer_id=row.customer_id,
        enrolment_id=row.id,
        status="active",
        possession_jwk=_public(fields["possession_jwk"]),
        possession_thumbprint=thumbprint,
        biometric_jwk=_public(fields["biometric_jwk"]) if fields["biometric_jwk"] else None,
        code_verifier=verifier,
        code_failures=0,
        last_counter=0,
        model=fields["model"],
        push_token=fields["push_token"],
        created_at=now,
        updated_at=now,
        successful_uses=0,
    )
    await store.add(session, device)
    store_enrolment(row, change.enrolment, now=now)
    await audit(
        session,
        at=now,
        actor=f"customer:{row.customer_id}",
        action="activated",
        customer_id=row.customer_id,
        enrolment_id=row.id,
        device_id=device_id,
        channel=str(row.channel),
        model=fields["model"],
        revoked_device_ids=revoked or None,
        biometrics_payments=biometrics.payments,
        biometrics_login=biometrics.login,
        sms_otp_subscribed=True,
        rule="SP-21/SP-22/SP-34",
    )
    return Activation(device_id, row, tuple(revoked)), publish


def _public(jwk: dict[str, Any]) -> dict[str, str]:
    return {k: jwk[k] for k in ("kty", "crv", "x", "y")}


_ACTIVATION_KEYS = {
    "activation_code",
    "possession_jwk",
    "biometric_jwk",
    "biometric_proof",
    "code_jwe",
    "model",
    "push_token",
    "biometrics",
}


def _activation_fields(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidRequest("malformed_body", "the body must be a JSON object")
    if unknown := set(data) - _ACTIVATION_KEYS:
        raise InvalidRequest("malformed_body", f"unexpected fields {sorted(unknown)}")
    code = data.get("activation_code")
    if not isinstance(code, str) or not code.isdigit() or len(code) != 6:
        raise InvalidRequest("malformed_body", "activation_code must be 6 digits")
    for name in ("code_jwe", "model"):
        if not isinstance(data.get(name), str) or not data[name] or len(data[name]) > 2048:
            raise InvalidRequest("malformed_body", f"{name} must be a non-empty string")
    push = data.get("push_token")
    if push is not None and (not isinstance(push, str) or len(push) > 512):
        raise InvalidRequest("malformed_body", "push_token must be a string")
    bio = data.get("biometrics", {})
    if (
        not isinstance(bio, dict)
        or set(bio) - {"payments", "login"}
        or not all(isinstance(v, bool) for v in bio.values())
    ):
        raise InvalidRequest("malformed_body", "biometrics is {payments: bool, login: bool}")
    if (bio.get("payments") or bio.get("login")) and not data.get("biometric_jwk"):
        raise InvalidRequest("biometric_key_required", "biometrics need a biometric key (SP-23)")
    return {
        "activation_code": code,
        "possession_jwk": data.get("possession_jwk"),
        "biometric_jwk": data.get("biometric_jwk"),
        "biometric_proof": data.get("biometric_proof"),
        "code_jwe": data["code_jwe"],
        "model": data["model"][:100],
        "push_token": push,
        "biometrics": {"payments": bool(bio.get("payments")), "login": bool(bio.get("login"))},
    }


def biometric_proof_bytes(enrolment_id: str, thumbprint: str) -> bytes:
    """What the biometric key signs at activation: it proves the phone holds K_bio."""
    return f"{BIOMETRIC_PROOF_LABEL}\n{enrolment_id}\n{thumbprint}".encode()


def _check_biometric_proof(fields: dict[str, Any], *, enrolment_id: str, thumbprint: str) -> None:
    if fields["biometric_jwk"] is None:
        return
    key = public_key_of(fields["biometric_jwk"], name="biometric_jwk")
    try:
        proof = b64u_decode(fields["biometric_proof"] or "")
        verify_es256(key, proof, biometric_proof_bytes(enrolment_id, thumbprint))
    except (ValueError, BadSignature):
        raise InvalidRequest("invalid_key", "biometric_proof does not verify") from None


def _open_code(token: str, *, keys: KeyRing, context: str) -> str:
    try:
        return decrypt_code(token, server_key=keys.code_key, expected_context=context)
    except CodeCryptoError:
        raise InvalidRequest("invalid_code_envelope", "the code envelope does not open") from None


def new_id() -> str:
    return secrets.token_urlsafe(16)
