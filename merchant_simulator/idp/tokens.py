"""The claims of the tokens the identity provider issues (docs: the security spec of #11).

A customer token says who logged in to the Banxo app and how (``acr``, ``amr``); a staff token
says who works at the bank, in which role and branch. Each carries a fresh ``jti``: the ACS
accepts a token once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from merchant_simulator.idp.config import STAFF_ROLES, IdpConfig
from merchant_simulator.idp.errors import BadRequest

__all__ = ["CUSTOMER_ACR", "CUSTOMER_AMR", "StaffRequest", "customer_claims", "staff_claims"]

CUSTOMER_ACR = "substantial"  # password in the enrolled app: two factors (knowledge, possession)
CUSTOMER_AMR = ("pwd", "app")


@dataclass(frozen=True)
class StaffRequest:
    """``POST /staff/token``: who the development staff token is for."""

    staff_id: str
    role: str
    branch: str

    @classmethod
    def read(cls, body: dict[str, Any]) -> StaffRequest:
        values = {name: body.get(name) for name in ("staff_id", "role", "branch")}
        missing = [name for name, value in values.items() if not (value and isinstance(value, str))]
        if missing:
            raise BadRequest(f"missing or not a string: {', '.join(missing)}")
        if values["role"] not in STAFF_ROLES:
            raise BadRequest(f"role {values['role']!r} is not one of {', '.join(STAFF_ROLES)}")
        return cls(**values)  # type: ignore[arg-type]


def customer_claims(config: IdpConfig, subject: str, now: float) -> dict[str, Any]:
    return _common(config, config.customer_audience, subject, now) | {
        "acr": CUSTOMER_ACR,
        "amr": list(CUSTOMER_AMR),
    }


def staff_claims(config: IdpConfig, staff: StaffRequest, now: float) -> dict[str, Any]:
    return _common(config, config.staff_audience, staff.staff_id, now) | {
        "role": staff.role,
        "branch": staff.branch,
    }


def _common(config: IdpConfig, audience: str, subject: str, now: float) -> dict[str, Any]:
    issued = int(now)
    return {
        "iss": config.issuer,
        "aud": audience,
        "sub": subject,
        "iat": issued,
        "exp": issued + config.token_seconds,
        "jti": str(uuid.uuid4()),
    }
