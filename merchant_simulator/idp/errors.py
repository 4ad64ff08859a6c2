"""The identity provider's refusals, each rendered once as ``{"error", "message"}`` (app.py).

IdpError
├── BadRequest          400 bad_request: not the JSON asked for
├── BadCredentials      401 bad_credentials: unknown identifier or wrong password
├── AccountLocked       403 account_locked: too many wrong passwords
└── InvalidSession      401 invalid_session: unknown or expired session
"""

from __future__ import annotations

from typing import Any

__all__ = ["AccountLocked", "BadCredentials", "BadRequest", "IdpError", "InvalidSession"]


class IdpError(Exception):
    status = 400
    error = "bad_request"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message, self.extra = message, extra

    def to_json(self) -> dict[str, Any]:
        return {"error": self.error, "message": self.message, **self.extra}


class BadRequest(IdpError):
    pass


class BadCredentials(IdpError):
    status, error = 401, "bad_credentials"


class AccountLocked(IdpError):
    status, error = 403, "account_locked"


class InvalidSession(IdpError):
    status, error = 401, "invalid_session"
