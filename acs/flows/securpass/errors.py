"""Errors of the Sécur'Pass flows (the core's :class:`~acs.securpass.errors.SecurPassError`
family passes through unchanged)::

    SecurPassFlowError              ``reason`` for machines, ``message`` for people, ``extra``
    ├── UnknownResource             unknown_customer, unknown_enrolment, unknown_device,
    │                               unknown_operation
    ├── InvalidRequest              malformed_body, invalid_key, invalid_code_envelope,
    │                               biometric_key_required
    ├── NotEligible                 not_eligible, with every unmet rule (SP-10 … SP-16)
    ├── Forbidden                   customer_mismatch, not_your_operation
    ├── CodeRejected                authentication_failed (generic, RTS Art. 4(3)(a)) with
    │                               attempts_left; device_blocked once blocked (SP-45)
    ├── TooManyRequests             too_many_activation_codes (a limit per customer)
    └── StateConflict               not_pending: a banking operation decided already
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CodeRejected",
    "Forbidden",
    "InvalidRequest",
    "NotEligible",
    "SecurPassFlowError",
    "StateConflict",
    "TooManyRequests",
    "UnknownResource",
]


class SecurPassFlowError(Exception):
    """A refusal by the Sécur'Pass flows; never carries a code, key or PAN."""

    def __init__(self, reason: str, message: str, **extra: Any) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason, self.message, self.extra = reason, message, extra


class UnknownResource(SecurPassFlowError):
    """The customer, enrolment, device or operation does not exist (or is not yours)."""


class InvalidRequest(SecurPassFlowError):
    """The request is malformed or incomplete."""


class NotEligible(SecurPassFlowError):
    """SP-10 … SP-16: ``extra["unmet"]`` lists every unmet condition with its rule."""


class Forbidden(SecurPassFlowError):
    """The caller may not act on this resource."""


class CodeRejected(SecurPassFlowError):
    """A wrong Sécur'Pass code: a generic answer and the attempts left (RTS Art. 4(3)(a))."""


class TooManyRequests(SecurPassFlowError):
    """A per-customer limit is reached (activation codes); ``retry_after`` seconds."""


class StateConflict(SecurPassFlowError):
    """The resource is no longer in the state the call needs (409), e.g. decided already."""
