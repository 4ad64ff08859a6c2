"""Staff tokens and roles (issue #11 point 2): who calls the back office, and what they may do.

A staff token is an identity-provider token for the staff audience (verified like any other,
:class:`~acs.auth.tokens.TokenVerifier`) whose ``sub`` is the staff id, ``role`` one of
:class:`Role` and ``branch`` the staff member's branch. :func:`staff_of` reads them as a flat
checklist; :func:`authorise` checks an action against the one table :data:`PERMISSIONS`
(docs/security.md, "Staff tokens and roles"). Nothing here stores anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from acs.auth.errors import Reason, RoleForbidden, TokenRejected
from acs.auth.tokens import VerifiedToken

__all__ = [
    "MAX_BRANCH",
    "MAX_STAFF_ID",
    "PERMISSIONS",
    "Role",
    "Staff",
    "StaffAction",
    "authorise",
    "staff_of",
]

MAX_STAFF_ID = 32  # "staff:<id>" fits the audit's 64-character actor, the id the 64 of SP-15/31
MAX_BRANCH = 32


class Role(StrEnum):
    """The ``role`` claim of a staff token (shared spec of issue #11)."""

    ADVISOR = "advisor"
    FRAUD_ANALYST = "fraud_analyst"
    AUDITOR = "auditor"
    ADMIN = "admin"


class StaffAction(StrEnum):
    """What a back-office call does; the audit's ``action`` is ``backoffice.<value>``."""

    SUMMARY = "summary"  # SP-35, SP-60: eligibility, enrolment, SMS OTP state (read)
    DELAY_LIFT = "delay_lift"  # SP-15
    BRANCH_ENROLMENT = "branch_enrolment"  # SP-30 … SP-33, face to face
    SMS_OTP_RESET = "sms_otp_reset"  # RTS Art. 4(3)(b)
    SEARCH = "search"  # find a customer by id, name or card (read)
    DEVICE_REVOKE = "device_revoke"  # a lost or stolen phone: Sécur'Pass stops on it
    FRAUD_QUEUE = "fraud_queue"  # the fraud desk's queue (read)
    FRAUD_DECLARE = "fraud_declare"  # SP-55: a fraud reported by phone, e-mail or in branch
    FRAUD_QUALIFY = "fraud_qualify"  # confirmed fraud / cardholder's mistake / duplicate
    TRANSACTIONS = "transactions"  # search and explain the 3-D Secure transactions (read)
    DASHBOARD = "dashboard"  # the daily figures and the fraud-rate monitor (read)


_ROLES = frozenset(role.value for role in Role)
_EVERYONE = frozenset(Role)

# The one permission table. Auditors read only; a face-to-face enrolment is an advisor's (the
# customer is in front of them, SP-30); the SP-15 lift also an admin's.
PERMISSIONS: Mapping[StaffAction, frozenset[Role]] = MappingProxyType(
    {
        StaffAction.SUMMARY: _EVERYONE,
        StaffAction.DELAY_LIFT: frozenset({Role.ADVISOR, Role.ADMIN}),
        StaffAction.BRANCH_ENROLMENT: frozenset({Role.ADVISOR}),
        StaffAction.SMS_OTP_RESET: frozenset({Role.ADVISOR, Role.FRAUD_ANALYST, Role.ADMIN}),
        StaffAction.SEARCH: _EVERYONE,
        StaffAction.DEVICE_REVOKE: frozenset({Role.ADVISOR, Role.FRAUD_ANALYST, Role.ADMIN}),
        StaffAction.FRAUD_QUEUE: frozenset({Role.FRAUD_ANALYST, Role.AUDITOR, Role.ADMIN}),
        StaffAction.FRAUD_DECLARE: frozenset({Role.ADVISOR, Role.FRAUD_ANALYST, Role.ADMIN}),
        StaffAction.FRAUD_QUALIFY: frozenset({Role.FRAUD_ANALYST, Role.ADMIN}),
        StaffAction.TRANSACTIONS: _EVERYONE,
        StaffAction.DASHBOARD: _EVERYONE,
    }
)


@dataclass(frozen=True)
class Staff:
    """A staff member, as their verified token says."""

    staff_id: str
    role: Role
    branch: str

    @property
    def actor(self) -> str:
        """The audit's ``actor`` (the role and branch go in the event's detail)."""
        return f"staff:{self.staff_id}"


def staff_of(token: VerifiedToken) -> Staff:
    """The staff member of a token verified for the staff audience: ``sub``, ``role``,
    ``branch``."""
    if len(token.subject) > MAX_STAFF_ID:
        raise TokenRejected(Reason.CLAIMS, f"sub (the staff id) is longer than {MAX_STAFF_ID}")
    role = token.claims.get("role")
    if not isinstance(role, str) or role not in _ROLES:
        raise TokenRejected(Reason.CLAIMS, f"role must be one of {', '.join(Role)}")
    branch = token.claims.get("branch")
    if not isinstance(branch, str) or not 0 < len(branch) <= MAX_BRANCH:
        raise TokenRejected(Reason.CLAIMS, f"branch must be a string of 1 to {MAX_BRANCH}")
    if not branch.isprintable():
        raise TokenRejected(Reason.CLAIMS, "branch holds control characters")
    return Staff(staff_id=token.subject, role=Role(role), branch=branch)


def authorise(staff: Staff, action: StaffAction) -> None:
    """:class:`RoleForbidden` unless ``staff``'s role may do ``action`` (absent: nobody may)."""
    if staff.role not in PERMISSIONS.get(action, frozenset()):
        raise RoleForbidden(action=str(action), role=str(staff.role))
