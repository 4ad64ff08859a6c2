"""The life of a Sécur'Pass enrolment, as pure transitions (SP-20 … SP-45).

::

    initiate_selfcare ─┐                      ┌─► expire ──► expired          (SP-33)
    initiate_branch ───┴─► initiated ─────────┤
      (face to face only, SP-30)              └─► activate ─► subscribed      (SP-21, SP-34)
                                                                │  ▲
                                  lock (5 wrong codes, SP-45) ◄─┘  │ activate again:
                                                    locked ────────┘ transfer / reinstall /
                                                                     unlock (SP-40, 41, 45)
    initiated | subscribed | locked ──► close ──► closed                        (SP-43)

Every function takes the current state and ``now`` and returns the next state, or raises
:class:`~acs.securpass.errors.InvalidTransition`. Activation needs an :class:`ActivationTicket`
whose 6-digit code was checked (10 minutes, 3 attempts); only an HMAC of the code is kept.
A new activation names the device it replaces in ``revoke_device_ids``: one phone at a time (SP-40).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from acs.securpass.eligibility import ActivationChannel, Eligibility
from acs.securpass.encoding import b64u
from acs.securpass.errors import ActivationCodeRejected, InvalidTransition, Reason

__all__ = [
    "ACTIVATION_CODE_DIGITS",
    "ACTIVATION_CODE_TTL",
    "ACTIVATION_MAX_ATTEMPTS",
    "BRANCH_WINDOW",
    "SELFCARE_WINDOW",
    "ActivationTicket",
    "BiometricPurpose",
    "Biometrics",
    "Enrolment",
    "EnrolmentChange",
    "EnrolmentChannel",
    "EnrolmentState",
    "SaleChannel",
    "activate",
    "check_activation_code",
    "close",
    "expire",
    "initiate_branch",
    "initiate_selfcare",
    "issue_activation_code",
    "lock",
    "set_biometrics",
]

BRANCH_WINDOW = timedelta(hours=24)  # SP-33
SELFCARE_WINDOW = timedelta(minutes=10)  # the activation code's lifetime; then start again
ACTIVATION_CODE_TTL = timedelta(minutes=10)
ACTIVATION_CODE_DIGITS = 6
ACTIVATION_MAX_ATTEMPTS = 3
_CODE_LABEL = b"securpass-activation-v1\x00"


class EnrolmentState(StrEnum):
    INITIATED = "initiated"  # "initié" (SP-32)
    SUBSCRIBED = "subscribed"  # "souscrit" (SP-21, SP-34)
    EXPIRED = "expired"  # branch window passed (SP-33)
    CLOSED = "closed"  # closed by the customer (SP-43)
    LOCKED = "locked"  # five wrong codes (SP-45)


class EnrolmentChannel(StrEnum):
    SELFCARE = "selfcare"  # SP-20
    BRANCH = "branch"  # SP-30


class SaleChannel(StrEnum):
    """The advisor's sales channel. Only ``face_to_face`` may add Sécur'Pass (SP-30)."""

    FACE_TO_FACE = "face_to_face"
    CALL_CENTRE = "call_centre"  # "CRC"
    REMOTE_ADVISOR = "remote_advisor"  # "e-agence"


class BiometricPurpose(StrEnum):
    """SP-23: biometrics are chosen per purpose, independently."""

    PAYMENTS = "payments"  # validating sensitive operations
    LOGIN = "login"  # logging in to the app


@dataclass(frozen=True)
class Biometrics:
    payments: bool = False
    login: bool = False


@dataclass(frozen=True)
class Enrolment:
    enrolment_id: str
    customer_id: str
    channel: EnrolmentChannel
    state: EnrolmentState
    created_at: datetime
    expires_at: datetime | None  # set while initiated: the activation window
    initiated_by: str | None = None  # the advisor, for branch enrolments (SP-31)
    activated_at: datetime | None = None  # SP-21 / SP-34: date and time of activation
    device_id: str | None = None  # the one active phone (SP-40)
    sms_otp_subscribed: bool = False  # SP-22: the SOL/SMS fallback comes with enrolment
    biometrics: Biometrics = Biometrics()
    ended_at: datetime | None = None  # when it became expired, closed or locked
    generation: int = 0  # activations so far; a ticket serves the generation it was issued for


@dataclass(frozen=True)
class EnrolmentChange:
    """A new enrolment state, and the devices the caller must revoke with it (atomically)."""

    enrolment: Enrolment
    revoke_device_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActivationTicket:
    """The stored side of a 6-digit activation code: its HMAC, expiry and attempts."""

    enrolment_id: str
    code_hash: str
    expires_at: datetime
    generation: int = 0
    attempts: int = 0
    max_attempts: int = ACTIVATION_MAX_ATTEMPTS
    used_at: datetime | None = None

    @property
    def attempts_left(self) -> int:
        return max(0, self.max_attempts - self.attempts)


def initiate_selfcare(
    *, enrolment_id: str, customer_id: str, eligibility: Eligibility, now: datetime
) -> Enrolment:
    """SP-20: the customer starts activation in the app (SP-14 (b) counts only here)."""
    _require_eligible(eligibility, ActivationChannel.APP)
    return Enrolment(
        enrolment_id,
        customer_id,
        EnrolmentChannel.SELFCARE,
        EnrolmentState.INITIATED,
        created_at=now,
        expires_at=now + SELFCARE_WINDOW,
    )


def initiate_branch(
    *,
    enrolment_id: str,
    customer_id: str,
    advisor_id: str,
    sale_channel: SaleChannel | str,
    eligibility: Eligibility,
    now: datetime,
) -> Enrolment:
    """SP-30 … SP-33: an advisor, face to face, initiates; the customer has 24 h to activate."""
    if sale_channel != SaleChannel.FACE_TO_FACE:
        raise InvalidTransition(
            Reason.BRANCH_FACE_TO_FACE_ONLY, f"sale channel {sale_channel!r} (SP-30)"
        )
    if not advisor_id:
        raise InvalidTransition(Reason.WRONG_STATE, "a branch enrolment names its advisor (SP-31)")
    _require_eligible(eligibility, ActivationChannel.BRANCH)
    return Enrolment(
        enrolment_id,
        customer_id,
        EnrolmentChannel.BRANCH,
        EnrolmentState.INITIATED,
        created_at=now,
        expires_at=now + BRANCH_WINDOW,
        initiated_by=advisor_id,
    )


def activation_code_expires_at(now: datetime) -> datetime:
    """When an activation code issued at ``now`` stops working (a branch one: its window)."""
    return now + ACTIVATION_CODE_TTL


def issue_activation_code(
    enrolment: Enrolment, *, key: bytes, now: datetime
) -> tuple[str, ActivationTicket]:
    """A fresh 6-digit code for the SMS, and the ticket to store (only the code's HMAC)."""
    _require_state(
        enrolment, EnrolmentState.INITIATED, EnrolmentState.SUBSCRIBED, EnrolmentState.LOCKED
    )
    _require_open_window(enrolment, now)
    code = f"{secrets.randbelow(10**ACTIVATION_CODE_DIGITS):0{ACTIVATION_CODE_DIGITS}d}"
    ticket = ActivationTicket(
        enrolment.enrolment_id,
        _code_hash(key, enrolment.enrolment_id, code),
        expires_at=activation_code_expires_at(now),
        generation=enrolment.generation,
    )
    return code, ticket


def check_activation_code(
    ticket: ActivationTicket, code: str, *, key: bytes, now: datetime
) -> ActivationTicket:
    """The ticket marked used if ``code`` is right; else :class:`ActivationCodeRejected` whose
    ``ticket`` (one more attempt counted) the caller must store."""
    if ticket.used_at is not None:
        raise ActivationCodeRejected(Reason.WRONG_STATE, "the code was already used", ticket=ticket)
    if ticket.attempts >= ticket.max_attempts:
        raise ActivationCodeRejected(
            Reason.ACTIVATION_ATTEMPTS_EXHAUSTED, "no attempts left", ticket=ticket
        )
    if now >= ticket.expires_at:
        raise ActivationCodeRejected(Reason.ACTIVATION_CODE_EXPIRED, "too late", ticket=ticket)
    actual = _code_hash(key, ticket.enrolment_id, code)
    if not hmac.compare_digest(actual.encode("ascii"), ticket.code_hash.encode("ascii")):
        counted = replace(ticket, attempts=ticket.attempts + 1)
        detail = f"{counted.attempts_left} attempts left"
        raise ActivationCodeRejected(Reason.WRONG_ACTIVATION_CODE, detail, ticket=counted)
    return replace(ticket, used_at=now)


def activate(
    enrolment: Enrolment,
    *,
    ticket: ActivationTicket,
    device_id: str,
    now: datetime,
    biometrics: Biometrics = Biometrics(),
) -> EnrolmentChange:
    """SP-21/34: ``subscribed`` with the activation time and the SMS fallback (SP-22).

    From ``subscribed`` or ``locked`` this is a transfer, a reinstall or an unlock (SP-40, SP-41,
    SP-45): the previous device is returned in ``revoke_device_ids``.
    """
    _require_state(
        enrolment, EnrolmentState.INITIATED, EnrolmentState.SUBSCRIBED, EnrolmentState.LOCKED
    )
    _require_open_window(enrolment, now)
    if ticket.enrolment_id != enrolment.enrolment_id or ticket.used_at is None:
        raise InvalidTransition(Reason.WRONG_STATE, "activation needs this enrolment's used code")
    if ticket.generation != enrolment.generation:
        # One checked code, one activation: replaying it cannot move the service to a 3rd phone.
        raise InvalidTransition(Reason.WRONG_STATE, "this code already served an activation")
    old = enrolment.device_id
    subscribed = replace(
        enrolment,
        state=EnrolmentState.SUBSCRIBED,
        expires_at=None,
        activated_at=now,
        device_id=device_id,
        sms_otp_subscribed=True,
        biometrics=biometrics,
        ended_at=None,
        generation=enrolment.generation + 1,
    )
    revoke = (old,) if old is not None and old != device_id else ()
    return EnrolmentChange(subscribed, revoke)


def expire(enrolment: Enrolment, *, now: datetime) -> Enrolment:
    """SP-33: an initiated enrolment past its window is removed; the customer starts again."""
    _require_state(enrolment, EnrolmentState.INITIATED)
    if enrolment.expires_at is not None and now < enrolment.expires_at:
        raise InvalidTransition(Reason.NOT_YET_EXPIRED, f"open until {enrolment.expires_at}")
    return replace(enrolment, state=EnrolmentState.EXPIRED, ended_at=now)


def close(enrolment: Enrolment, *, now: datetime) -> EnrolmentChange:
    """SP-43: the customer closes Sécur'Pass; the device is revoked, SMS OTP remains (SP-22)."""
    _require_state(
        enrolment, EnrolmentState.INITIATED, EnrolmentState.SUBSCRIBED, EnrolmentState.LOCKED
    )
    closed = replace(enrolment, state=EnrolmentState.CLOSED, ended_at=now, expires_at=None)
    revoke = (enrolment.device_id,) if enrolment.device_id else ()
    return EnrolmentChange(closed, revoke)


def lock(enrolment: Enrolment, *, now: datetime) -> Enrolment:
    """SP-45: after five wrong codes; the device is blocked and only re-activation unlocks."""
    _require_state(enrolment, EnrolmentState.SUBSCRIBED)
    return replace(enrolment, state=EnrolmentState.LOCKED, ended_at=now)


def set_biometrics(
    enrolment: Enrolment, *, purpose: BiometricPurpose | str, enabled: bool
) -> Enrolment:
    """SP-23: turn biometrics on or off for one purpose, leaving the other as it was."""
    _require_state(enrolment, EnrolmentState.SUBSCRIBED)
    field_name = str(BiometricPurpose(purpose))
    return replace(enrolment, biometrics=replace(enrolment.biometrics, **{field_name: enabled}))


def _require_eligible(eligibility: Eligibility, channel: ActivationChannel) -> None:
    if eligibility.channel != channel:
        raise InvalidTransition(Reason.NOT_ELIGIBLE, f"eligibility was checked for {channel}")
    if not eligibility.eligible:
        rules = ", ".join(u.rule for u in eligibility.unmet)
        raise InvalidTransition(Reason.NOT_ELIGIBLE, f"unmet: {rules}")


def _require_state(enrolment: Enrolment, *allowed: EnrolmentState) -> None:
    if enrolment.state not in allowed:
        raise InvalidTransition(Reason.WRONG_STATE, f"the enrolment is {enrolment.state}")


def _require_open_window(enrolment: Enrolment, now: datetime) -> None:
    window = enrolment.expires_at if enrolment.state == EnrolmentState.INITIATED else None
    if window is not None and now >= window:
        raise InvalidTransition(Reason.ENROLMENT_EXPIRED, "the activation window passed")


def _code_hash(key: bytes, enrolment_id: str, code: str) -> str:
    message = _CODE_LABEL + enrolment_id.encode("utf-8") + b"\x00" + code.encode("utf-8")
    return b64u(hmac.new(key, message, hashlib.sha256).digest())
