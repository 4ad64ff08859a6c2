"""What a refused action tells the page: a status, a machine-readable ``error``, a message.

Messages are French first, English second: the page shows them as they are.
"""

from __future__ import annotations

from merchant_simulator.phone import PhoneError
from merchant_simulator.phone_web.bank_login import LoginRefused

__all__ = ["LOGIN_REQUIRED", "SlotError"]

LOGIN_REQUIRED = "Connectez-vous à Banxo pour continuer. · Log in to Banxo to continue."
_LOGIN_MESSAGES = {  # (French, English)
    "bad_credentials": (
        "Identifiant client ou mot de passe incorrect.",
        "Wrong customer ID or password.",
    ),
    "account_locked": (
        "Identifiant bloqué après trop d'essais : contactez votre conseiller.",
        "Customer ID locked after too many attempts.",
    ),
    "invalid_session": (
        "Votre session a expiré : reconnectez-vous.",
        "Your session has expired: log in again.",
    ),
}


class SlotError(Exception):
    """A refused action: ``status``, ``error`` and the ``message`` the page shows."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(f"{error}: {message}")
        self.status, self.error, self.message = status, error, message

    @classmethod
    def from_phone(cls, exc: PhoneError) -> SlotError:
        body = exc.body if isinstance(exc.body, dict) else {}
        message = body.get("message") or f"Le serveur a refusé ({exc.status})."
        unmet = [u.get("message", u.get("rule", "")) for u in body.get("unmet", [])]
        if unmet:
            message = f"{message.rstrip('.')} : {' ; '.join(unmet)}."
        if isinstance(body.get("attempts_left"), int):
            message += f" Il vous reste {body['attempts_left']} essai(s)."
        return cls(exc.status, exc.reason or "refused", message)

    @classmethod
    def from_login(cls, exc: LoginRefused) -> SlotError:
        refused = f"La banque a refusé ({exc.status}).", f"The bank said no ({exc.status})."
        french, english = _LOGIN_MESSAGES.get(exc.error, refused)
        left = exc.body.get("attempts_left")
        if exc.error == "bad_credentials" and isinstance(left, int):
            french += f" Il vous reste {left} essai(s)."
            english = f"{english.rstrip('.')}: {left} attempt(s) left."
        return cls(exc.status, exc.error, f"{french} · {english}")

    @classmethod
    def login_required(cls) -> SlotError:
        return cls(401, "login_required", LOGIN_REQUIRED)
