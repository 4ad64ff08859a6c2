"""What the bank's identity provider is told at start: its issuer URL, audiences and users."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEMO_STAFF", "DEMO_USERS", "STAFF_ROLES", "IdpConfig", "IdpStaff", "IdpUser"]

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
class IdpStaff:
    """A staff account of the bank's directory: its ``login`` and ``password`` at the
    authorisation endpoint, and the claims of its ID token (``sub``, ``role``, ``branch``)."""

    login: str
    password: str
    staff_id: str
    role: str
    branch: str
    name: str


# The staff of ``acs demo``: demo credentials, printed in its banner (docs/backoffice.md).
DEMO_STAFF = (
    IdpStaff("conseiller", "banxo-conseil", "adv-0421", "advisor", "0421", "Élise Martin"),
    IdpStaff("analyste", "banxo-fraude", "fra-0001", "fraud_analyst", "siege", "Karim Benali"),
    IdpStaff("auditeur", "banxo-audit", "aud-0001", "auditor", "siege", "Nadia Roussel"),
)


@dataclass(frozen=True)
class IdpConfig:
    """The identity provider's settings.

    ``issuer`` is its own base URL as the ACS knows it (``iss``; the ACS's
    ``[identity_provider] issuer``). A customer token lives ``token_seconds``; a login session
    ``session_seconds``; ``max_attempts`` wrong passwords lock an identifier for the life of the
    process. ``staff_tokens`` serves ``POST /staff/token`` (development only: no login).

    The back office logs staff in at ``/authorize`` (OpenID Connect code flow, PKCE S256 only)
    as the client ``staff_client_id``, whose redirect URIs are ``staff_redirect_uris`` (empty:
    any loopback ``http://127.0.0.1:<port>/backoffice/callback``, for the demo and tests).
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
    staff: tuple[IdpStaff, ...] = DEMO_STAFF
    staff_client_id: str = "acs-backoffice"
    staff_redirect_uris: tuple[str, ...] = ()
    code_seconds: int = 60

    def staff_account(self, login: str) -> IdpStaff | None:
        return next((s for s in self.staff if s.login == login), None)

    def user(self, identifier: str) -> IdpUser | None:
        return next((u for u in self.users if u.identifier == identifier), None)
