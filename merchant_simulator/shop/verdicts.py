"""What the shopper reads once the authentication is over, from the 3DS Server's outcome.

The outcome carries what the 3DS Server received: transStatus, transStatusReason and
challengeCancel [emv3ds.md §3.1-§3.3], and after a challenge the RReq's authenticationType
(2.1.0/2.2.0) or authenticationMethod (2.3.1). Each way a payment ends has its own page:

=====================  ============================================================
``accepted``           Y without a challenge (an exemption, or the bank's own analysis)
``accepted_tra``       Y without a challenge, the merchant having asked for TRA (05)
``authenticated``      Y after a challenge
``refused_by_you``     N 01 after an out-of-band challenge: "Je refuse ce paiement" in
                       the bank's app, a fraud declaration (SP-54, SP-55)
``wrong_codes``        N 01 after a code challenge (SMS): the attempts ran out
``cancelled``          challengeCancel 01, or reason 26: the cardholder cancelled
``timed_out``          reason 14 (challengeCancel 04/05)
``refused_by_bank``    N or R without a challenge: the bank's reason (05, 10, 11, 13 …)
``failed``             anything else: U, an Erro, a reason without a better page
=====================  ============================================================
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
_CODE_TYPES = ("01", "02")  # authenticationType static / dynamic (2.1.0, 2.2.0)
_CODE_METHODS = ("01", "02", "03", "04", "05")  # authenticationMethod passcodes, OTPs (2.3.1)
_NOTHING_PAID = "Aucun montant n'a été débité."
_OTHER_CARD = "Vous pouvez payer avec une autre carte."


@dataclass(frozen=True)
class Verdict:
    """``kind`` names the page (module table); ``tone`` is ``ok``, ``cancel``, ``ko`` or
    ``wait`` (the colours); ``advice`` says what to do next."""

    kind: str
    title: str
    detail: str
    tone: str
    advice: str = ""

    @property
    def accepted(self) -> bool:
        return self.tone == "ok"


def verdict(outcome: Mapping[str, Any]) -> Verdict:
    """The page for an outcome of ``GET /api/transactions/{id}``."""
    status = outcome.get("status")
    if status == "error":
        code = str(outcome.get("errorCode", ""))
        detail = _ERRORS.get(code, f"Erreur technique (code {code or 'inconnu'}).")
        return Verdict("failed", "Paiement impossible", detail, "ko", _OTHER_CARD)
    if status != "done":
        return Verdict("pending", "Authentification en cours", "Merci de patienter.", "wait")
    if outcome.get("transStatus") in ("Y", "A"):
        return _accepted(outcome)
    if outcome.get("challenged"):
        return _after_challenge(outcome)
    return _without_challenge(outcome)


def _accepted(outcome: Mapping[str, Any]) -> Verdict:
    if outcome.get("challenged"):
        detail = "Vous avez confirmé ce paiement auprès de votre banque."
        return Verdict(
            "authenticated",
            "Paiement accepté",
            detail,
            "ok",
            "Votre commande est confirmée : vous recevrez un e-mail de confirmation.",
        )
    if outcome.get("challengeIndicator") == "05":
        detail = (
            "Le marchand a demandé l'exemption pour analyse de risque (TRA) et votre banque "
            "l'a acceptée : aucune confirmation n'était nécessaire."
        )
        return Verdict(
            "accepted_tra", "Paiement accepté", detail, "ok", "Votre commande est confirmée."
        )
    detail = "Votre banque n'a pas demandé de confirmation pour ce paiement."
    return Verdict("accepted", "Paiement accepté", detail, "ok", "Votre commande est confirmée.")


def _after_challenge(outcome: Mapping[str, Any]) -> Verdict:
    reason, cancel = str(outcome.get("transStatusReason", "")), outcome.get("challengeCancel")
    if cancel == "01" or reason == "26":
        detail = f"Vous avez annulé l'authentification. {_NOTHING_PAID}"
        return Verdict(
            "cancelled",
            "Paiement annulé",
            detail,
            "cancel",
            "Votre panier est conservé : vous pouvez reprendre le paiement.",
        )
    if reason == "14" or cancel in ("04", "05"):
        detail = f"L'authentification n'a pas été faite à temps. {_NOTHING_PAID}"
        return Verdict(
            "timed_out",
            "Délai dépassé",
            detail,
            "cancel",
            "Recommencez le paiement et confirmez-le dans les minutes qui suivent.",
        )
    if reason == "01" and _by_code(outcome):
        detail = f"Le code saisi était incorrect à chaque essai. {_NOTHING_PAID}"
        return Verdict(
            "wrong_codes",
            "Code incorrect : paiement refusé",
            detail,
            "ko",
            f"Vérifiez le dernier code reçu par SMS, ou contactez votre banque. {_OTHER_CARD}",
        )
    if reason == "01":
        detail = (
            "Vous avez refusé ce paiement dans l'appli de votre banque : ce refus vaut "
            f"déclaration de fraude et votre carte est mise en opposition. {_NOTHING_PAID}"
        )
        return Verdict(
            "refused_by_you",
            "Paiement refusé par vous",
            detail,
            "ko",
            f"Votre banque vous contactera au sujet de votre carte. {_OTHER_CARD}",
        )
    detail = REASONS.get(reason, "L'authentification n'a pas abouti.")
    return Verdict("failed", "Paiement non authentifié", detail, "ko", _OTHER_CARD)


def _by_code(outcome: Mapping[str, Any]) -> bool:
    """The challenge asked for a typed code (an SMS OTP), not an approval in the app."""
    methods = outcome.get("authenticationMethod") or ()
    if isinstance(methods, list) and methods:
        return any(m in _CODE_METHODS for m in methods)
    return outcome.get("authenticationType") in _CODE_TYPES


def _without_challenge(outcome: Mapping[str, Any]) -> Verdict:
    status, reason = outcome.get("transStatus"), str(outcome.get("transStatusReason", ""))
    if status in ("N", "R"):
        detail = REASONS.get(reason, "Votre banque n'a pas donné de motif.")
        return Verdict(
            "refused_by_bank",
            "Paiement refusé par votre banque",
            detail,
            "ko",
            f"Contactez votre banque pour en savoir plus. {_OTHER_CARD}",
        )
    detail = REASONS.get(reason, "Votre banque n'a pas pu authentifier ce paiement.")
    return Verdict(
        "failed", "Authentification impossible", detail, "ko", f"Réessayez plus tard. {_OTHER_CARD}"
    )
