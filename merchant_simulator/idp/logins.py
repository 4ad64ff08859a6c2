"""Remote-banking logins: passwords checked in constant time, attempts counted, sessions kept.

Everything is in memory: the simulator's sessions and locks last as long as its process.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from merchant_simulator.idp.config import IdpConfig, IdpUser
from merchant_simulator.idp.errors import AccountLocked, BadCredentials, InvalidSession

__all__ = ["Logins", "Session"]

# Compared against when the identifier is unknown, so both refusals take the same time.
_NOBODY = IdpUser("", secrets.token_urlsafe(16), "")


@dataclass(frozen=True)
class Session:
    """An opaque login session: who logged in, and until when (seconds since the epoch)."""

    session_id: str
    subject: str
    expires_at: float


class Logins:
    def __init__(self, config: IdpConfig, clock: Callable[[], float]) -> None:
        self.config, self.clock = config, clock
        self._failures: dict[str, int] = {}
        self._sessions: dict[str, Session] = {}

    def login(self, identifier: str, password: str) -> Session:
        """A new session for a right password; wrong ones count towards the lock."""
        user = self.config.user(identifier)
        right = _same(password, (user or _NOBODY).password)
        if self._failures.get(identifier, 0) >= self.config.max_attempts:
            raise AccountLocked("Identifiant bloqué après trop d'essais.")
        if user is None or not right:
            raise self._refusal(identifier)
        self._failures.pop(identifier, None)
        return self._open(user.subject)

    def subject(self, session_id: str) -> str:
        """Who the session belongs to, while it lasts."""
        session = self._sessions.get(session_id)
        if session is None or session.expires_at <= self.clock():
            self._sessions.pop(session_id, None)
            raise InvalidSession("Session inconnue ou expirée : reconnectez-vous.")
        return session.subject

    def _refusal(self, identifier: str) -> BadCredentials:
        # Unknown identifiers are counted too: the answer must not tell them from known ones.
        failures = self._failures[identifier] = self._failures.get(identifier, 0) + 1
        left = max(self.config.max_attempts - failures, 0)
        return BadCredentials("Identifiant ou mot de passe incorrect.", attempts_left=left)

    def _open(self, subject: str) -> Session:
        session = Session(
            secrets.token_urlsafe(32), subject, self.clock() + self.config.session_seconds
        )
        self._sessions[session.session_id] = session
        return session


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
