"""What the risk engine reads and what it returns. Pure data: no I/O, no database.

The flows layer gathers the facts (card, customer, counters, browser) into a :class:`RiskInput`;
:func:`acs.risk.decide` turns them into a :class:`Decision`; the flows layer stores the decision
(with ``rules_fired``, so an advisor can later see why) and builds the ARes from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from acs.domain import CardStatus, Opposition
from acs.protocol.methods import ChallengeMethod

__all__ = ["CardFacts", "ChallengeMethod", "CustomerFacts", "Decision", "RiskInput"]


@dataclass(frozen=True)
class CardFacts:
    """What the issuer knows of the card. ``known=False`` means: in a served range, no record."""

    known: bool
    status: CardStatus = CardStatus.ACTIVE
    opposition: Opposition | None = None
    expired: bool = False
    # Low-value exemption counters since the last SCA on this card (RTS Art. 16).
    low_value_count: int = 0
    low_value_cumulative_minor: int = 0


@dataclass(frozen=True)
class CustomerFacts:
    """What the issuer knows of the cardholder's authenticators and habits."""

    has_active_device: bool = False  # an active Sécur'Pass device
    has_secure_mobile: bool = False  # SMS OTP fallback possible
    sms_otp_blocked: bool = False  # RTS Art. 4(3)(b): 5 wrong SMS codes in a row, not reset
    trusted_device: bool = False  # SP-42
    browser_known: bool | None = None  # 3DS Method data: seen before (True), new (False), none
    corporate: bool = False  # card used in a dedicated corporate payment process (RTS Art. 17)
    # Over the Sécur'Pass operation limits (push bombing): the phone is not used, and the bank's
    # push_limit_action says what is left: "sms" (the SMS code, if possible) or "refuse" (N/19).
    push_limited: Literal["sms", "refuse"] | None = None


@dataclass(frozen=True)
class RiskInput:
    """The AReq facts the rules read, already validated and normalised.

    ``challenge_inds`` is a tuple in every version (2.1/2.2 give one code, 2.3.1 up to two).
    ``amount_minor`` is converted to the thresholds' currency exponent by the caller only when
    the currency matches; otherwise it is ``None`` and no amount-based exemption applies.
    """

    version: str
    device_channel: str  # "01" APP, "02" BRW, "03" 3RI
    message_category: str  # "01" PA, "02" NPA
    card: CardFacts
    customer: CustomerFacts = field(default_factory=CustomerFacts)
    amount_minor: int | None = None
    currency: str | None = None
    challenge_inds: tuple[str, ...] = ()
    authentication_ind: str | None = None  # threeDSRequestorAuthenticationInd
    three_ri_ind: str | None = None
    dec_req_ind: str | None = None  # threeDSRequestorDecReqInd (absent = N)
    dec_max_time_minutes: int | None = None
    trust_listed: bool = False  # whiteListStatus / trustListStatus "Y"
    prior_sca_ref: bool = False  # threeDSRequestorPriorAuthenticationInfo with a prior challenge


@dataclass(frozen=True)
class Decision:
    """The outcome. ``rules_fired`` lists, in order, the rules that shaped it."""

    trans_status: str
    reason: str | None = None  # transStatusReason
    exemption: str | None = None  # 2.3.1 transChallengeExemption
    challenge_method: ChallengeMethod | None = None
    challenge_mandated: bool = False
    counts_as_low_value: bool = False  # the flows layer bumps the card's counters
    rules_fired: tuple[str, ...] = ()
