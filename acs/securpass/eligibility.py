"""Who may enrol in Sécur'Pass (SP-10 … SP-16), and the advisor's lift of the 72-hour delay.

:func:`check_eligibility` never stops at the first failure: it returns every unmet condition, so
the advisor screen can show the customer what to fix (SP-60).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from acs.domain import CardStatus, CustomerKind
from acs.securpass.errors import InvalidLift

__all__ = [
    "EMAIL_LATENCY",
    "ActivationChannel",
    "CardFact",
    "CardStatus",
    "CustomerKind",
    "Eligibility",
    "EligibilityFacts",
    "IdentityCheck",
    "LiftRecord",
    "Unmet",
    "check_eligibility",
    "validate_lift",
]

EMAIL_LATENCY = timedelta(hours=72)  # SP-14 (b): e-mail recorded *more than* 72 hours ago


class ActivationChannel(StrEnum):
    """Where the activation happens: in the app (SP-20) or face to face in branch (SP-16, SP-30)."""

    APP = "app"
    BRANCH = "branch"


class IdentityCheck(StrEnum):
    """SP-15: the reinforced identity checks that allow lifting the 72-hour delay."""

    ADDRESS_CHANGE_PROCEDURE = "address_change_procedure"  # the postal-address-change procedure
    IDENTITY_DOCUMENT_IN_BRANCH = "identity_document_in_branch"


@dataclass(frozen=True)
class CardFact:
    status: CardStatus
    used_at_terminal: bool  # used once at a payment terminal or ATM


@dataclass(frozen=True)
class EligibilityFacts:
    """What the bank knows of the customer, gathered by the flows layer."""

    kind: CustomerKind
    has_app: bool
    remote_banking: bool
    secure_mobile: bool
    personal_email_recorded_at: datetime | None
    cards: tuple[CardFact, ...] = ()
    delay_lifted: bool = False  # an SP-15 lift is recorded


@dataclass(frozen=True)
class Unmet:
    """One condition that does not hold, with the rule that states it."""

    rule: str
    message: str


@dataclass(frozen=True)
class Eligibility:
    channel: ActivationChannel
    unmet: tuple[Unmet, ...]

    @property
    def eligible(self) -> bool:
        return not self.unmet


@dataclass(frozen=True)
class LiftRecord:
    """SP-15: who lifted the 72-hour delay, when, after which reinforced identity check."""

    advisor_id: str
    lifted_at: datetime
    identity_check: IdentityCheck


def check_eligibility(
    facts: EligibilityFacts, *, channel: ActivationChannel | str, now: datetime
) -> Eligibility:
    """Every unmet condition of SP-10 … SP-14 for ``channel``.

    SP-16: face to face in branch, neither card nor e-mail is needed.
    """
    channel = ActivationChannel(channel)
    unmet = [
        *_basic_conditions(facts),
        *_card_or_email(facts, channel=channel, now=now),
    ]
    return Eligibility(channel=channel, unmet=tuple(unmet))


def validate_lift(lift: LiftRecord, *, now: datetime) -> LiftRecord:
    """SP-15: refuse a lift with no advisor, no time, a future time or no reinforced check."""
    if not lift.advisor_id or not lift.advisor_id.strip():
        raise InvalidLift("the advisor who lifted the delay is not recorded")
    if lift.lifted_at.tzinfo is None:
        raise InvalidLift("the lift time has no time zone")
    if lift.lifted_at > now:
        raise InvalidLift("the lift time is in the future")
    try:
        check = IdentityCheck(lift.identity_check)
    except ValueError:
        raise InvalidLift(f"{lift.identity_check!r} is not a reinforced identity check") from None
    return LiftRecord(advisor_id=lift.advisor_id, lifted_at=lift.lifted_at, identity_check=check)


# Messages are in French: advisors and cardholders of this bank read them (back office, app).
def _basic_conditions(facts: EligibilityFacts) -> list[Unmet]:
    unmet = []
    if facts.kind != CustomerKind.INDIVIDUAL:
        unmet.append(
            Unmet("SP-10", "Sécur'Pass est réservé aux particuliers, pas aux professionnels")
        )
    if not facts.has_app:
        unmet.append(Unmet("SP-11", "pas de smartphone avec l'appli Banxo"))
    if not facts.remote_banking:
        unmet.append(Unmet("SP-12", "pas d'abonnement à la banque à distance (BAD)"))
    if not facts.secure_mobile:
        unmet.append(Unmet("SP-13", "pas de numéro de mobile pour les opérations sécurisées"))
    return unmet


def _card_or_email(
    facts: EligibilityFacts, *, channel: ActivationChannel, now: datetime
) -> list[Unmet]:
    if channel == ActivationChannel.BRANCH:
        return []  # SP-16: face to face in branch, neither card nor e-mail is needed
    if any(c.status == CardStatus.ACTIVE and c.used_at_terminal for c in facts.cards):
        return []  # SP-14 (a)
    recorded = facts.personal_email_recorded_at
    if recorded is not None and (facts.delay_lifted or now - recorded > EMAIL_LATENCY):
        return []  # SP-14 (b), or SP-15 lift
    return [Unmet("SP-14", _card_or_email_message(recorded, now=now))]


def _card_or_email_message(recorded: datetime | None, *, now: datetime) -> str:
    base = "pas de carte active déjà utilisée sur un terminal ou un DAB"
    if recorded is None:
        return f"{base}, et pas d'adresse e-mail personnelle enregistrée"
    left = recorded + EMAIL_LATENCY - now
    hours = max(1, -(-int(left.total_seconds()) // 3600))
    return (
        f"{base}, et l'e-mail personnel a été enregistré il y a moins de 72 heures "
        f"(encore {hours} h environ, ou levée du délai par un conseiller après contrôle "
        f"d'identité renforcé, SP-15)"
    )
