"""What the bank's identity provider is told at start: its issuer URL, audiences and users."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEMO_USERS", "STAFF_ROLES", "IdpConfig", "IdpUser"]

STAFF_ROLES = ("advisor", "fraud_analyst", "auditor", "admin")


@dataclass(frozen=True)
class IdpUser:
    """A remote-banking login: the 8-digit ``identifier`` ("identifiant client"), its
    ``password`` and the ``subject`` the tokens carry (the ACS's customer id)."""

    identifier: str
    password: str
    subject: str


# The demo customers of ``acs demo`` (acs/demo.py): demo credentials, shown in its banner.
DEMO_USERS = (
    IdpUser("40000001", "banxo-camille", "C0001"),
    IdpUser("40000002", "banxo-louis", "C0002"),
    IdpUser("40000003", "banxo-chloe", "C0003"),
    IdpUser("40000004", "banxo-hugo", "C0004"),
    IdpUser("40000005", "banxo-dubois", "C0005"),
)


@dataclass(frozen=True)
class IdpConfig:
    """The identity provider's settings.

    ``issuer`` is its own base URL as the ACS knows it (``iss``; the ACS's
    ``[identity_provider] issuer``). A customer token lives ``token_seconds``; a login session
    ``session_seconds``; ``max_attempts`` wrong passwords lock an identifier for the life of the
    process. ``staff_tokens`` serves ``POST /staff/token`` (development only: no login).
    """

    issuer: str
    users: tuple[IdpUser, ...] = DEMO_USERS
    customer_audience: str = "acs-securpass"
    staff_audience: str = "acs-backoffice"
    kid: str = "idp-2026-12"
    token_seconds: int = 300
    session_seconds: int = 1800
    max_attempts: int = 5
    staff_tokens: bool = True

    def user(self, identifier: str) -> IdpUser | None:
        return next((u for u in self.users if u.identifier == identifier), None)
