"""What the phone sends back for an operation: an :class:`Approval` or a :class:`Refusal` (SP-52).

Wire form (JSON object; ``signature`` is the unpadded base64url of the raw 64-byte ES256 ``r||s``)::

    {"operation_id": …, "device_id": …, "decision": "approve", "method": "code" | "biometric",
     "nonce": …, "summary_hash": …, "counter": 7, "code_jwe": "<compact JWE>" (code only),
     "signature": …}
    {"operation_id": …, "device_id": …, "decision": "refuse", "reason": "not_me" | "cancelled",
     "nonce": …, "summary_hash": …, "counter": 8, "signature": …}

The signed bytes are the canonical JSON (:mod:`acs.securpass.encoding`) of every field except
``signature``, plus ``"purpose": "SP-ANSWER-1"`` which keeps them apart from request signatures.
The encrypted code is inside the signature, so it cannot be swapped for another one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from acs.securpass.encoding import b64u, b64u_decode, canonical_json
from acs.securpass.errors import AnswerRejected, Reason

__all__ = [
    "ANSWER_PURPOSE",
    "Answer",
    "Approval",
    "ApprovalMethod",
    "Decision",
    "Refusal",
    "RefusalReason",
    "answer_from_wire",
]

ANSWER_PURPOSE = "SP-ANSWER-1"
_MAX_COUNTER = 2**53 - 1
E = TypeVar("E", bound=StrEnum)


class Decision(StrEnum):
    APPROVE = "approve"
    REFUSE = "refuse"


class ApprovalMethod(StrEnum):
    """``code``: signed by the possession key, code checked by the server. ``biometric``: signed
    by the biometric key, which the phone unlocks only after a strong biometric match (SP-23)."""

    CODE = "code"
    BIOMETRIC = "biometric"


class RefusalReason(StrEnum):
    """``not_me`` is a fraud declaration (SP-55); ``cancelled`` is "it was me, but stop"."""

    NOT_ME = "not_me"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Approval:
    operation_id: str
    device_id: str
    method: ApprovalMethod
    nonce: str
    summary_hash: str
    counter: int
    signature: bytes
    code_jwe: str | None = None  # method "code" only: the code encrypted to ctx "op:<id>"

    decision = Decision.APPROVE

    def signed_fields(self) -> dict[str, Any]:
        fields = _common(self) | {"method": str(self.method)}
        return fields if self.code_jwe is None else fields | {"code_jwe": self.code_jwe}

    def signed_bytes(self) -> bytes:
        return canonical_json(self.signed_fields() | {"purpose": ANSWER_PURPOSE})

    def to_wire(self) -> dict[str, Any]:
        return self.signed_fields() | {"signature": b64u(self.signature)}


@dataclass(frozen=True)
class Refusal:
    operation_id: str
    device_id: str
    reason: RefusalReason
    nonce: str
    summary_hash: str
    counter: int
    signature: bytes

    decision = Decision.REFUSE

    def signed_fields(self) -> dict[str, Any]:
        return _common(self) | {"reason": str(self.reason)}

    def signed_bytes(self) -> bytes:
        return canonical_json(self.signed_fields() | {"purpose": ANSWER_PURPOSE})

    def to_wire(self) -> dict[str, Any]:
        return self.signed_fields() | {"signature": b64u(self.signature)}


Answer = Approval | Refusal

_COMMON = ("operation_id", "device_id", "decision", "nonce", "summary_hash", "counter", "signature")
_APPROVAL_KEYS = frozenset({*_COMMON, "method", "code_jwe"})
_REFUSAL_KEYS = frozenset({*_COMMON, "reason"})


def answer_from_wire(data: Mapping[str, Any]) -> Answer:
    """Parse a wire answer strictly; anything unexpected is ``malformed_answer``."""
    if not isinstance(data, Mapping):
        raise AnswerRejected(Reason.MALFORMED_ANSWER, "the answer is not a JSON object")
    decision = _enum(Decision, data.get("decision"), "decision")
    allowed = _APPROVAL_KEYS if decision == Decision.APPROVE else _REFUSAL_KEYS
    if unknown := set(data) - allowed:
        raise AnswerRejected(Reason.MALFORMED_ANSWER, f"unexpected fields {sorted(unknown)}")
    common: dict[str, Any] = {
        "operation_id": _text(data, "operation_id"),
        "device_id": _text(data, "device_id"),
        "nonce": _text(data, "nonce"),
        "summary_hash": _text(data, "summary_hash"),
        "counter": _counter(data.get("counter")),
        "signature": _signature(data.get("signature")),
    }
    if decision == Decision.REFUSE:
        return Refusal(reason=_enum(RefusalReason, data.get("reason"), "reason"), **common)
    code_jwe = _text(data, "code_jwe") if "code_jwe" in data else None
    method = _enum(ApprovalMethod, data.get("method"), "method")
    if code_jwe is not None and method != ApprovalMethod.CODE:
        raise AnswerRejected(Reason.MALFORMED_ANSWER, "only a code approval carries a code")
    return Approval(method=method, code_jwe=code_jwe, **common)


def _common(answer: Approval | Refusal) -> dict[str, Any]:
    return {
        "operation_id": answer.operation_id,
        "device_id": answer.device_id,
        "decision": str(answer.decision),
        "nonce": answer.nonce,
        "summary_hash": answer.summary_hash,
        "counter": answer.counter,
    }


def _enum(kind: type[E], value: Any, name: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise AnswerRejected(Reason.MALFORMED_ANSWER, f"{name} {value!r} is not known") from None


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value or len(value) > 4096:
        raise AnswerRejected(Reason.MALFORMED_ANSWER, f"{name} must be a non-empty string")
    return value


def _counter(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _MAX_COUNTER:
        raise AnswerRejected(Reason.MALFORMED_ANSWER, "counter must be a non-negative integer")
    return value


def _signature(value: Any) -> bytes:
    try:
        raw = b64u_decode(value)
    except ValueError:
        raise AnswerRejected(Reason.MALFORMED_ANSWER, "signature is not base64url") from None
    if len(raw) != 64:
        raise AnswerRejected(Reason.MALFORMED_ANSWER, "signature must be 64 bytes")
    return raw
