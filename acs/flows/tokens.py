"""Accepting an identity-provider token: verified (:mod:`acs.auth`), then its ``jti`` once.

The replay row is written only after every check passed, so that a forged or expired token
cannot fill the table; it is its own transaction, committed before the call it authorises
runs: a token is spent even when that call is then refused (the app asks for a fresh one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from acs.auth import Reason, TokenRejected, TokenVerifier, VerifiedToken, require_login_strength
from acs.storage import tokens
from acs.storage.engine import Sessions

__all__ = ["LoginStrength", "accept_token"]


@dataclass(frozen=True)
class LoginStrength:
    """What a call needs of the login behind the token (``activation_acr``/``activation_amr``)."""

    acr: Sequence[str]
    amr: Sequence[str] = ()


async def accept_token(
    sessions: Sessions,
    verifier: TokenVerifier,
    token: str | None,
    *,
    audience: str,
    strength: LoginStrength | None = None,
) -> VerifiedToken:
    """The verified token for ``audience``, accepted once; :class:`TokenRejected` otherwise."""
    if not token:
        raise TokenRejected(Reason.MISSING, "Authorization: Bearer <token> is required")
    verified = await verifier.verify(token, expected_audience=audience)
    if strength is not None:
        require_login_strength(verified, acr=strength.acr, amr=strength.amr)
    async with sessions.begin() as session:
        first = await tokens.remember_token(
            session, jti_hash=verified.jti_key, expires_at=verifier.refused_from(verified)
        )
    if not first:
        raise TokenRejected(Reason.REPLAYED, "this token was used already")
    return verified
