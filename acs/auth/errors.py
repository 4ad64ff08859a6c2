"""The identity-token error family (docs/security.md, "Customer tokens", "Staff tokens and
roles")::

AuthError
├── TokenRejected      a token refused: ``reason`` (a :class:`Reason`) and ``message``
├── RoleForbidden      a valid staff token whose ``role`` may not do ``action``
├── LoginFailed        a back-office login that cannot complete: ``reason`` says which step
└── KeysUnavailable    the identity provider's keys could not be had (none configured,
                       the JWKS unreadable and nothing cached): not the token's fault
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AuthError",
    "KeysUnavailable",
    "LoginFailed",
    "Reason",
    "RoleForbidden",
    "TokenRejected",
]


class Reason(StrEnum):
    """Why a token is refused: the ``error`` of the 401 answer (shared spec of issue #11)."""

    MISSING = "token_missing"
    MALFORMED = "token_malformed"
    UNKNOWN_KEY = "token_unknown_key"
    BAD_SIGNATURE = "token_bad_signature"
    EXPIRED = "token_expired"
    NOT_YET_VALID = "token_not_yet_valid"
    TOO_LONG_LIVED = "token_too_long_lived"
    WRONG_ISSUER = "token_wrong_issuer"
    WRONG_AUDIENCE = "token_wrong_audience"
    REPLAYED = "token_replayed"
    CLAIMS = "token_claims"
    LOGIN_TOO_WEAK = "login_too_weak"


class AuthError(Exception):
    """Base of every error raised by :mod:`acs.auth`."""


class TokenRejected(AuthError):
    """The token is refused; ``message`` says what was wrong (never the token itself)."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason, self.message = reason, message


class RoleForbidden(AuthError):
    """The staff member is who they say, but their role may not do this (``role_forbidden``)."""

    def __init__(self, *, action: str, role: str) -> None:
        super().__init__(f"role {role} may not do {action}")
        self.action, self.role = action, role


class KeysUnavailable(AuthError):
    """No key of the identity provider is known and none could be fetched."""


class LoginFailed(AuthError):
    """A back-office login refused before any session exists (docs/backoffice.md, "Login").

    ``reason``: ``state_unknown`` (no such login, taken already, expired or from another
    browser), ``provider_error`` (the identity provider answered ``error=``),
    ``exchange_failed`` (the code could not be exchanged), ``nonce_mismatch``,
    ``provider_unreachable`` (discovery or the token endpoint did not answer).
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason, self.message = reason, message
