"""Operations the phone approves or refuses (SP-50 … SP-56), with dynamic linking (RTS Art. 5).

:func:`begin_operation` returns ``(challenge, state)``: the challenge goes to the phone, the state
to storage. :func:`verify_answer` checks the phone's :class:`Approval` or :class:`Refusal` against
that state; :func:`conclude` moves the state to its final status.

The summary is hashed over its canonical JSON (:meth:`OperationSummary.canonical_bytes`); the phone
recomputes the hash from the summary it displays and signs it, so a changed amount or payee breaks
the answer (Art. 5(1)(d)).

Errors: :class:`~acs.securpass.errors.AnswerRejected` with one of these reasons::

    AnswerRejected
    ├── wrong_operation         the answer names another operation or another device
    ├── device_revoked / device_blocked
    ├── not_pending             already decided, expired or cancelled (single use, Art. 4(1))
    ├── expired                 past expires_at on the server clock
    ├── nonce_mismatch          not the nonce issued for this operation
    ├── summary_mismatch        the signed hash is not the stored one (amount or payee changed)
    ├── counter_not_increasing  counter not above the last accepted one (clone or replay)
    ├── no_biometric_key        biometric approval, but no biometric key enrolled (SP-23)
    ├── code_missing            code approval without the encrypted code
    └── bad_signature           not signed by the key the method requires
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from acs.crypto.device import BadSignature, PublicKey, verify_es256
from acs.securpass.answers import (
    Answer,
    Approval,
    ApprovalMethod,
    Decision,
    Refusal,
    RefusalReason,
)
from acs.securpass.devices import DeviceKeys, DeviceStatus
from acs.securpass.encoding import b64u, canonical_json, sha256_b64u
from acs.securpass.errors import AnswerRejected, Reason
from acs.text import neutralise

__all__ = [
    "NONCE_BYTES",
    "OperationChallenge",
    "OperationState",
    "OperationStatus",
    "OperationSummary",
    "OperationType",
    "VerifiedAnswer",
    "begin_operation",
    "conclude",
    "format_time",
    "verify_answer",
]

NONCE_BYTES = 32
_CURRENCY = re.compile(r"[0-9]{3}")
_LAST4 = re.compile(r"([0-9]{4})?")


class OperationType(StrEnum):
    """What is being approved. ``card_payment`` is the 3-D Secure challenge (SP-4); the rest
    are the other operations Sécur'Pass protects (SP-1 … SP-3, SP-5, SP-6)."""

    CARD_PAYMENT = "card_payment"  # SP-4, SP-50
    LOGIN = "login"  # SP-1: access to remote banking (app or web)
    TRANSFER = "transfer"  # SP-6: third parties in France, SEPA Instant, outside SEPA
    ADD_BENEFICIARY = "add_beneficiary"  # SP-6
    CARD_LIMIT_INCREASE = "card_limit_increase"  # SP-6
    VIEW_CARD_PIN = "view_card_pin"  # SP-6 (only with Sécur'Pass)
    CARDLESS_WITHDRAWAL = "cardless_withdrawal"  # SP-6: SM@RT'retrait
    WALLET_ENROLMENT = "wallet_enrolment"  # SP-6: Apple Pay / Samsung Pay
    CONTACT_CHANGE = "contact_change"  # SP-6: e-mail or postal address
    E_SIGNATURE = "e_signature"  # SP-3: contract e-signature (VAD or in branch)
    PIS_PAYMENT = "pis_payment"  # SP-5: payment by transfer on a merchant site
    DEVICE_TRANSFER = "device_transfer"


class OperationStatus(StrEnum):
    """Every status an operation can have; each is set by one party only.

    :func:`conclude` moves ``pending`` to ``approved`` or ``refused`` (the phone's answer); the
    flows set ``cancelled`` or ``expired`` (the caller gave up, a new phone, a closure) and
    ``failed`` (the device was blocked after five wrong codes, SP-45). The order is the one of
    the ``securpass_operation_status`` CHECK constraint (migration 0002).
    """

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    FAILED = "failed"


def format_time(moment: datetime) -> str:
    """``2026-11-29T09:00:00Z``: the one time format in summaries and challenges."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class OperationSummary:
    """What the phone shows and signs: amount, payee, date (SP-52). ``currency`` is ISO 4217
    numeric ("978"), ``amount_minor`` in units of ``10**-exponent``; ``created_at`` is
    :func:`format_time`. ``extra`` holds further display pairs (e.g. masked IBAN).

    ``payee`` and the ``extra`` values are neutralised (:func:`acs.text.neutralise`) when the
    summary is built, so the hash the phone signs is over the text it shows: a bidi override in
    a merchant name cannot make the approve screen say something else than what is signed."""

    type: OperationType
    amount_minor: int
    currency: str
    exponent: int
    payee: str
    card_last4: str
    created_at: str
    extra: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", OperationType(self.type))
        object.__setattr__(self, "payee", neutralise(self.payee))
        shown = tuple((key, neutralise(value)) for key, value in self.extra)
        object.__setattr__(self, "extra", shown)
        if isinstance(self.amount_minor, bool) or not 0 <= self.amount_minor < 10**15:
            raise ValueError("amount_minor must be a non-negative integer")
        if not _CURRENCY.fullmatch(self.currency) or not 0 <= self.exponent <= 4:
            raise ValueError("currency must be ISO 4217 numeric and exponent 0..4")
        if not _LAST4.fullmatch(self.card_last4):
            raise ValueError("card_last4 must be 4 digits or empty")
        if not self.payee:
            raise ValueError("the payee must be named (SP-52)")

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": str(self.type),
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "exponent": self.exponent,
            "payee": self.payee,
            "card_last4": self.card_last4,
            "created_at": self.created_at,
            "extra": dict(self.extra),
        }

    def canonical_bytes(self) -> bytes:
        return canonical_json(self.to_dict())

    def summary_hash(self) -> str:
        """Unpadded base64url SHA-256 of :meth:`canonical_bytes`."""
        return sha256_b64u(self.canonical_bytes())


@dataclass(frozen=True)
class OperationChallenge:
    """Sent to the phone after a signed fetch (the push carries only ``operation_id``)."""

    operation_id: str
    summary: OperationSummary
    nonce: str
    summary_hash: str
    expires_at: datetime

    def to_wire(self) -> dict[str, Any]:
        return {
            "operation_id": self.operation_id,
            "summary": self.summary.to_dict(),
            "nonce": self.nonce,
            "summary_hash": self.summary_hash,
            "expires_at": format_time(self.expires_at),
        }


@dataclass(frozen=True)
class OperationState:
    """What storage keeps between the challenge and the answer."""

    operation_id: str
    nonce: str
    summary_hash: str
    expires_at: datetime
    status: OperationStatus = OperationStatus.PENDING
    decided_at: datetime | None = None
    method: ApprovalMethod | None = None
    refusal_reason: RefusalReason | None = None


@dataclass(frozen=True)
class VerifiedAnswer:
    """An answer that passed :func:`verify_answer`. For ``method == "code"`` the caller still
    decrypts ``code_jwe`` (context ``op:<id>``) and runs ``check_code`` before :func:`conclude`;
    either way it stores ``new_counter`` as the device's last counter."""

    operation_id: str
    device_id: str
    decision: Decision
    new_counter: int
    summary_hash: str
    method: ApprovalMethod | None = None
    refusal_reason: RefusalReason | None = None
    code_jwe: str | None = field(default=None, repr=False)

    @property
    def code_check_required(self) -> bool:
        return self.method == ApprovalMethod.CODE


def begin_operation(
    summary: OperationSummary,
    *,
    ttl: timedelta,
    now: datetime,
    operation_id: str | None = None,
) -> tuple[OperationChallenge, OperationState]:
    """Issue a fresh nonce for ``summary``; return the challenge and the state to store."""
    operation_id = operation_id or secrets.token_urlsafe(16)
    nonce, digest = b64u(secrets.token_bytes(NONCE_BYTES)), summary.summary_hash()
    expires_at = now + ttl
    challenge = OperationChallenge(operation_id, summary, nonce, digest, expires_at)
    return challenge, OperationState(operation_id, nonce, digest, expires_at)


def verify_answer(
    *,
    answer: Answer,
    state: OperationState,
    expected_summary_hash: str,
    device: DeviceKeys,
    now: datetime,
) -> VerifiedAnswer:
    """Check an answer against the stored state, the summary hash and the device's keys."""
    if answer.operation_id != state.operation_id or answer.device_id != device.device_id:
        raise AnswerRejected(Reason.WRONG_OPERATION, "another operation or another device")
    if device.status != DeviceStatus.ACTIVE:
        raise AnswerRejected(_DEVICE_REASONS[device.status], f"the device is {device.status}")
    if state.status != OperationStatus.PENDING:
        raise AnswerRejected(Reason.NOT_PENDING, f"the operation is {state.status}")
    if now >= state.expires_at:
        raise AnswerRejected(Reason.EXPIRED, f"expired at {format_time(state.expires_at)}")
    if not _same(answer.nonce, state.nonce):
        raise AnswerRejected(Reason.NONCE_MISMATCH, "not the nonce issued for this operation")
    if not (
        _same(state.summary_hash, expected_summary_hash)
        and _same(answer.summary_hash, expected_summary_hash)
    ):
        raise AnswerRejected(Reason.SUMMARY_MISMATCH, "the summary signed is not the one stored")
    if answer.counter <= device.last_counter:
        raise AnswerRejected(
            Reason.COUNTER_NOT_INCREASING, f"{answer.counter} is not above {device.last_counter}"
        )
    key = _signing_key(answer, device)
    try:
        verify_es256(key, answer.signature, answer.signed_bytes())
    except BadSignature as exc:
        raise AnswerRejected(Reason.BAD_SIGNATURE, str(exc)) from None
    return _verified(answer)


def conclude(
    state: OperationState, verified: VerifiedAnswer, *, now: datetime, code_ok: bool = False
) -> OperationState:
    """The final state: ``refused`` (SP-54), or ``approved`` once the code (if any) was checked."""
    if verified.operation_id != state.operation_id or state.status != OperationStatus.PENDING:
        raise AnswerRejected(Reason.NOT_PENDING, "this answer does not conclude this operation")
    if verified.decision == Decision.REFUSE:
        return replace(
            state,
            status=OperationStatus.REFUSED,
            decided_at=now,
            refusal_reason=verified.refusal_reason,
        )
    if verified.code_check_required and not code_ok:
        raise ValueError("a code approval concludes only after check_code succeeded")
    return replace(state, status=OperationStatus.APPROVED, decided_at=now, method=verified.method)


_DEVICE_REASONS = {
    DeviceStatus.REVOKED: Reason.DEVICE_REVOKED,
    DeviceStatus.BLOCKED: Reason.DEVICE_BLOCKED,
}


def _signing_key(answer: Answer, device: DeviceKeys) -> PublicKey:
    # Refusals and code approvals are signed by the possession key; a biometric approval only by
    # the biometric key, so a stolen unlocked phone cannot fake it without the biometric match.
    if isinstance(answer, Refusal):
        return device.possession_key
    if answer.method == ApprovalMethod.BIOMETRIC:
        if device.biometric_key is None:
            raise AnswerRejected(Reason.NO_BIOMETRIC_KEY, "biometrics are not enabled (SP-23)")
        return device.biometric_key
    if not answer.code_jwe:
        raise AnswerRejected(Reason.CODE_MISSING, "a code approval carries the encrypted code")
    return device.possession_key


def _verified(answer: Answer) -> VerifiedAnswer:
    common: dict[str, Any] = {
        "operation_id": answer.operation_id,
        "device_id": answer.device_id,
        "decision": answer.decision,
        "new_counter": answer.counter,
        "summary_hash": answer.summary_hash,
    }
    if isinstance(answer, Refusal):
        return VerifiedAnswer(refusal_reason=answer.reason, **common)
    assert isinstance(answer, Approval)
    return VerifiedAnswer(method=answer.method, code_jwe=answer.code_jwe, **common)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
