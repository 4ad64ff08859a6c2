"""The one error family of the Sécur'Pass core, and the machine-readable reasons it carries.

::

    SecurPassError                     every refusal of the core; ``reason`` is a :class:`Reason`
    ├── InvalidLift                    SP-15 lift record incomplete
    ├── WeakCode                       SP-24 new code refused (trivial, not 4 digits)
    ├── InvalidTransition              enrolment state machine refused a move (SP-30 … SP-45)
    │   └── ActivationCodeRejected     wrong / expired / exhausted activation code; ``.ticket``
    ├── RequestRejected                a signed device call failed verification (→ 401)
    │   └── DeviceUnusable             the device is revoked or blocked (→ 401 / 403)
    └── AnswerRejected                 an approve / refuse answer failed verification

The web layer maps ``reason`` to the wire; the message (``detail``) is for logs only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from acs.securpass.enrolment import ActivationTicket

__all__ = [
    "ActivationCodeRejected",
    "AnswerRejected",
    "DeviceUnusable",
    "InvalidLift",
    "InvalidTransition",
    "Reason",
    "RequestRejected",
    "SecurPassError",
    "WeakCode",
]


class Reason(StrEnum):
    """Every wire reason the core can give (listed in docs/securpass-protocol.md §Errors)."""

    # SP-15
    INVALID_LIFT = "invalid_lift"
    # SP-24
    WEAK_CODE = "weak_code"
    # enrolment (SP-30 … SP-45)
    NOT_ELIGIBLE = "not_eligible"
    BRANCH_FACE_TO_FACE_ONLY = "branch_face_to_face_only"
    ENROLMENT_EXPIRED = "enrolment_expired"
    NOT_YET_EXPIRED = "not_yet_expired"
    WRONG_STATE = "wrong_state"
    WRONG_ACTIVATION_CODE = "wrong_activation_code"
    ACTIVATION_CODE_EXPIRED = "activation_code_expired"
    ACTIVATION_ATTEMPTS_EXHAUSTED = "activation_attempts_exhausted"
    # signed device calls
    MISSING_HEADER = "missing_header"
    MALFORMED_HEADER = "malformed_header"
    DEVICE_MISMATCH = "device_mismatch"
    STALE_TIMESTAMP = "stale_timestamp"
    REPLAYED_NONCE = "replayed_nonce"
    BAD_SIGNATURE = "bad_signature"
    DEVICE_REVOKED = "device_revoked"
    DEVICE_BLOCKED = "device_blocked"
    # operation answers
    MALFORMED_ANSWER = "malformed_answer"
    NOT_PENDING = "not_pending"
    EXPIRED = "expired"
    WRONG_OPERATION = "wrong_operation"
    NONCE_MISMATCH = "nonce_mismatch"
    SUMMARY_MISMATCH = "summary_mismatch"
    COUNTER_NOT_INCREASING = "counter_not_increasing"
    NO_BIOMETRIC_KEY = "no_biometric_key"
    CODE_MISSING = "code_missing"


class SecurPassError(Exception):
    """A refusal by the core. ``reason`` is for machines, ``detail`` for the log."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason
        self.detail = detail


class InvalidLift(SecurPassError):
    """SP-15: a lift of the 72-hour delay without advisor, time or reinforced identity check."""

    def __init__(self, detail: str) -> None:
        super().__init__(Reason.INVALID_LIFT, detail)


class WeakCode(SecurPassError):
    """SP-24: the chosen Sécur'Pass code is refused; ``detail`` says why (never the code)."""

    def __init__(self, detail: str) -> None:
        super().__init__(Reason.WEAK_CODE, detail)


class InvalidTransition(SecurPassError):
    """The enrolment cannot make this move from its current state."""


class ActivationCodeRejected(InvalidTransition):
    """The activation code was refused; ``ticket`` is the updated ticket the caller must store."""

    def __init__(self, reason: Reason, detail: str, *, ticket: ActivationTicket) -> None:
        super().__init__(reason, detail)
        self.ticket = ticket


class RequestRejected(SecurPassError):
    """A signed device call is refused (HTTP 401 with ``reason``)."""


class DeviceUnusable(RequestRejected):
    """The call is genuine but the device may not act: ``device_revoked`` (401, wipe keys) or
    ``device_blocked`` (403, re-activation needed, SP-45)."""


class AnswerRejected(SecurPassError):
    """An approval or refusal of an operation is refused."""
