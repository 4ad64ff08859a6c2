"""One SMS code attempt, for the browser and app challenges: the challenge's own limit
(``otp_max_attempts`` per challenge, resends included) and the cardholder's
(:mod:`acs.flows.otp_failures`, RTS Art. 4(3)(b)).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from acs.flows import otp_failures
from acs.flows.challenge.otp import OtpCheck, check_otp
from acs.flows.challenge.outcome import ResultKeys
from acs.storage import challenges
from acs.storage.challenge_models import ChallengeRow
from acs.storage.engine import Session
from acs.storage.models import Transaction

__all__ = ["sms_blocked", "try_code"]


async def sms_blocked(session: Session, txn: Transaction) -> bool:
    """True when this transaction's cardholder may not be sent or try SMS codes any more."""
    return txn.customer_id is not None and await otp_failures.blocked(session, txn.customer_id)


async def try_code(
    session: Session,
    row: ChallengeRow,
    txn: Transaction,
    code: str,
    *,
    ctx: ResultKeys,
    now: datetime,
    **counted: Any,
) -> tuple[OtpCheck, ChallengeRow]:
    """Count the attempt (with ``counted`` fields), compare, count the cardholder's failure.

    EXHAUSTED also when the cardholder's SMS OTP is blocked — before the comparison (blocked
    by another transaction: the code is not even checked) or by this wrong code.
    """
    if await sms_blocked(session, txn):
        return OtpCheck.EXHAUSTED, row
    await challenges.set_fields(
        session, row.acs_trans_id, expect_state=(challenges.OPEN,),
        otp_attempts=row.otp_attempts + 1, **counted,
    )  # fmt: skip
    fresh = await challenges.get(session, row.acs_trans_id)
    assert fresh is not None
    result = check_otp(fresh, code, otp_key=ctx.keys.otp_key, settings=ctx.settings, now=now)
    if txn.customer_id is None:
        return result, fresh
    if result is OtpCheck.OK:
        await otp_failures.clear(session, txn.customer_id, now=now)
    elif result in (OtpCheck.WRONG, OtpCheck.EXHAUSTED) and await otp_failures.count_failure(
        session, txn.customer_id, settings=ctx.settings, now=now, acs_trans_id=row.acs_trans_id
    ):
        result = OtpCheck.EXHAUSTED
    return result, fresh
