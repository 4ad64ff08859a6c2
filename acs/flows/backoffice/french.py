"""How the back office says things, in the practice sheet's words (docs/backoffice.md).

Times are shown in the bank's time zone (Europe/Paris), dates as ``03/12/2026 à 10:15``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

__all__ = [
    "ADVICE",
    "CARD_STATUS",
    "DEVICE_STATUS",
    "ENROLMENT_STATE",
    "IDENTITY_CHECKS",
    "METHODS",
    "OPERATION_STATUS",
    "OPPOSITION",
    "TRANS_STATUS",
    "when",
]

PARIS = ZoneInfo("Europe/Paris")

ENROLMENT_STATE = {
    "initiated": "initié",
    "subscribed": "souscrit",
    "expired": "expiré",
    "closed": "clôturé",
    "locked": "bloqué",
}
DEVICE_STATUS = {"active": "actif", "blocked": "bloqué", "revoked": "révoqué"}
OPERATION_STATUS = {
    "pending": "en attente",
    "approved": "validée",
    "refused": "refusée",
    "expired": "expirée",
    "cancelled": "annulée",
    "failed": "échouée (code bloqué)",
}
METHODS = {"code": "code Sécur'Pass", "biometric": "biométrie"}
CARD_STATUS = {"active": "active", "opposed": "en opposition", "cancelled": "annulée"}
OPPOSITION = {"fraud": "pour fraude", "lost_stolen": "pour perte ou vol"}
TRANS_STATUS = {
    "Y": "authentifié",
    "A": "tentative (A)",
    "C": "challenge",
    "D": "challenge découplé",
    "N": "refusé",
    "R": "rejeté",
    "U": "non authentifié (U)",
    "I": "information seulement",
}
IDENTITY_CHECKS = {
    "address_change_procedure": "procédure de changement d'adresse postale",
    "identity_document_in_branch": "pièce d'identité vérifiée en agence",
}

# SP-60: for each unmet rule, what the advisor can do about it.
ADVICE = {
    "SP-10": "Aucune action possible : Sécur'Pass est réservé aux clients particuliers.",
    "SP-11": "Inviter le client à installer l'appli Banxo sur son smartphone.",
    "SP-12": "Souscrire l'abonnement Banque à distance (DEI Particuliers) avec le client.",
    "SP-13": "Enregistrer le numéro de mobile pour opérations sécurisées du client.",
    "SP-14": (
        "Activer une carte du client (utilisée une fois sur un TPE ou un DAB), ou enregistrer "
        "son e-mail personnel : il comptera après 72 h, ou tout de suite si vous levez le "
        "délai après un contrôle d'identité renforcé (SP-15). En agence, en face à face, "
        "ni carte ni e-mail ne sont nécessaires (SP-16)."
    ),
}


def when(at: datetime | None) -> str:
    """``03/12/2026 à 10:15`` in Paris time; an empty string for None."""
    if at is None:
        return ""
    return at.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")
