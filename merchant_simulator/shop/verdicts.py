"""What the shopper reads once the authentication is over, from the 3DS Server's outcome.

transStatus and transStatusReason [emv3ds.md §3.1, §3.2] become French messages; a refusal
during a challenge (the cardholder pressed "Je refuse ce paiement", SP-54) reads as a cancelled
operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["REASONS", "Verdict", "verdict"]

REASONS = {
    "01": "L'authentification a échoué.",
    "02": "Appareil inconnu.",
    "03": "Appareil non pris en charge.",
    "04": "Trop de demandes d'authentification pour cette carte.",
    "05": "Votre carte est expirée.",
    "06": "Numéro de carte invalide.",
    "07": "Transaction invalide.",
    "08": "Carte inconnue de votre banque.",
    "09": "Échec de sécurité.",
    "10": "Carte déclarée perdue ou volée.",
    "11": "Paiement bloqué par votre banque : suspicion de fraude.",
    "12": "Opération non autorisée pour cette carte.",
    "13": "Carte non inscrite au service d'authentification de votre banque.",
    "14": "Délai d'authentification dépassé.",
    "19": "Nombre maximal d'authentifications atteint.",
    "22": "Incident technique chez votre banque.",
    "26": "L'authentification n'a pas été réalisée.",
}
_ERRORS = {
    "305": "Cette carte n'est pas prise en charge pour le paiement en ligne sécurisé.",
    "402": "Votre banque n'a pas répondu à temps.",
    "405": "Votre banque est injoignable pour le moment.",
}


@dataclass(frozen=True)
class Verdict:
    """``tone`` is ``ok``, ``cancel``, ``ko`` or ``wait`` (for the page colours)."""

    title: str
    detail: str
    tone: str

    @property
    def accepted(self) -> bool:
        return self.tone == "ok"


def verdict(outcome: Mapping[str, Any]) -> Verdict:
    """The message for an outcome of ``GET /api/transactions/{id}``."""
    status = outcome.get("status")
    if status == "error":
        code = str(outcome.get("errorCode", ""))
        detail = _ERRORS.get(code, f"Erreur technique (code {code or 'inconnu'}).")
        return Verdict("Paiement impossible", detail, "ko")
    if status != "done":
        return Verdict("Authentification en cours", "Merci de patienter.", "wait")
    return _final(outcome)


def _final(outcome: Mapping[str, Any]) -> Verdict:
    status, reason = outcome.get("transStatus"), REASONS.get(str(outcome.get("transStatusReason")))
    if status == "Y":
        return Verdict("Paiement accepté", "Merci ! Votre commande est confirmée.", "ok")
    if status == "A":
        return Verdict("Paiement accepté", "Votre commande est confirmée.", "ok")
    if status == "N" and outcome.get("challenged"):
        detail = reason or "Vous avez refusé ce paiement ou l'authentification n'a pas abouti."
        return Verdict("Opération annulée", detail, "cancel")
    if status in ("N", "R"):
        return Verdict("Paiement refusé", reason or "Votre banque a refusé ce paiement.", "ko")
    detail = reason or "Votre banque n'a pas pu authentifier ce paiement. Réessayez plus tard."
    return Verdict("Authentification impossible", detail, "ko")
