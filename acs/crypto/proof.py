"""The proof of an outcome: its authenticationValue and ECI, computed here for the ARes and the
RReq alike (reference emv3ds.md §4).

Y and A get the scheme's authentication value (:mod:`acs.crypto.authvalue`) under the card
range's keys, with a fresh random ATN, and the ECI (:mod:`acs.crypto.eci`); I (data only) gets
the ECI alone; any other status gets nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from acs.config import CardRange
from acs.crypto import authvalue
from acs.crypto.cavv import ATN_LIMIT
from acs.crypto.eci import eci as eci_for
from acs.crypto.keys import KeyRing
from acs.protocol.codes import TransStatus
from acs.protocol.methods import ChallengeMethod

__all__ = ["SECOND_FACTOR", "Proof", "ProofInput", "proof"]

# Visa "second factor authentication code" (CAVV byte 2) per way the cardholder was verified
# (emv3ds.md §3.9: the authenticationMethod categories); None is frictionless, risk-based.
SECOND_FACTOR: dict[ChallengeMethod | None, str] = {
    ChallengeMethod.SECURPASS_OOB: "09",
    ChallengeMethod.SMS_OTP: "02",
    ChallengeMethod.DECOUPLED: "09",
    None: "99",
}
_WITH_VALUE = (TransStatus.AUTHENTICATED, TransStatus.ATTEMPTED)


@dataclass(frozen=True)
class ProofInput:
    """The outcome and the transaction it proves."""

    trans_status: TransStatus
    method: ChallengeMethod | None  # how the cardholder was verified; None: not challenged
    pan: str
    amount_minor: int | None
    currency: str | None
    merchant_name: str | None
    acs_trans_id: str
    message_category: str = "01"
    exemption: str | None = None  # only "05" (acquirer TRA) moves a Mastercard ECI
    three_ri: bool = False
    data_only: bool = False


@dataclass(frozen=True)
class Proof:
    """authenticationValue (None for I) and ECI."""

    authentication_value: str | None
    eci: str | None


def proof(card_range: CardRange, keys: KeyRing, inp: ProofInput) -> Proof | None:
    """The proof of ``inp`` under ``card_range``'s keys; None when its status carries none."""
    status = inp.trans_status
    if status not in (*_WITH_VALUE, TransStatus.INFORMATIONAL):
        return None
    eci = eci_for(
        card_range.scheme, status.value, message_category=inp.message_category,
        exemption=inp.exemption, three_ri=inp.three_ri, data_only=inp.data_only,
    )  # fmt: skip
    if status not in _WITH_VALUE:
        return None if eci is None else Proof(None, eci)
    auth = authvalue.AuthInput(
        pan=inp.pan, trans_status=status.value, method=SECOND_FACTOR[inp.method],
        amount_minor=inp.amount_minor, currency=inp.currency,
        merchant_name=inp.merchant_name, acs_trans_id=inp.acs_trans_id,
    )  # fmt: skip
    value = authvalue.generate(
        card_range.scheme, keys.for_range(card_range), auth, atn=secrets.randbelow(ATN_LIMIT)
    )
    return Proof(value, eci)
