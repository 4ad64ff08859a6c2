"""SMS OTP, the fallback challenge: 6 digits, 5 minutes, 3 attempts, at most 2 resends.

The code is never stored or logged in clear: the row keeps HMAC-SHA-256(otp_key, acsTransID ||
code); the check is constant-time. The SMS names amount and merchant (dynamic linking, RTS
Art. 5). The SMS is returned, not sent: the caller sends it after its commit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from acs.config import Settings
from acs.notify.sms import Sms
from acs.storage.challenge_models import ChallengeRow
from acs.text import neutralise

__all__ = ["OtpCheck", "check_otp", "issue_otp", "otp_text"]


class OtpCheck(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # attempts left
    EXHAUSTED = "exhausted"  # the last attempt failed: the challenge fails
    EXPIRED = "expired"  # past 5 minutes: ask for a new code


@dataclass(frozen=True)
class IssuedOtp:
    sms: Sms
    otp_hmac: bytes
    expires_at: datetime


def _mac(otp_key: bytes, acs_trans_id: str, code: str) -> bytes:
    return hmac.new(otp_key, f"{acs_trans_id}|{code}".encode(), hashlib.sha256).digest()


def otp_text(code: str, *, amount: str, merchant: str) -> str:
    return (
        f"Banxo : votre code {code} pour payer {amount} chez {neutralise(merchant)}. "
        "Ne le communiquez à personne."
    )


def issue_otp(
    row: ChallengeRow,
    *,
    to: str,
    amount: str,
    merchant: str,
    otp_key: bytes,
    settings: Settings,
    now: datetime,
) -> IssuedOtp:
    """A fresh code for this challenge; the row is updated by the caller (hmac, expiry)."""
    code = f"{secrets.randbelow(10**6):06d}"
    sms = Sms(
        to=to,
        text=otp_text(code, amount=amount, merchant=merchant),
        purpose="otp",
        reference=row.acs_trans_id,
        at=now,
    )
    expires = now + timedelta(seconds=settings.otp_ttl_seconds)
    return IssuedOtp(sms=sms, otp_hmac=_mac(otp_key, row.acs_trans_id, code), expires_at=expires)


def check_otp(
    row: ChallengeRow, code: str, *, otp_key: bytes, settings: Settings, now: datetime
) -> OtpCheck:
    """Compare in constant time; the caller counts the attempt before calling."""
    if row.otp_hmac is None or row.otp_expires_at is None or now >= row.otp_expires_at:
        return OtpCheck.EXPIRED
    candidate = _mac(otp_key, row.acs_trans_id, code.strip())
    if hmac.compare_digest(candidate, row.otp_hmac):
        return OtpCheck.OK
    if row.otp_attempts >= settings.otp_max_attempts:
        return OtpCheck.EXHAUSTED
    return OtpCheck.WRONG
