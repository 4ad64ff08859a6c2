"""Verify an identity provider's JWT: a flat checklist, each failure a specific :class:`Reason`.

Order matters: nothing of the payload is believed before the signature verifies with a key of
the provider, and the algorithm comes from our allow-list matched to the key, never from the
token alone (``alg: none`` and HS256 with a public key as secret are the classic forgeries).
The ``jti`` is only *read* here; accepting it once is the caller's (a database row, see
:mod:`acs.flows.tokens`), after every check passed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from jwcrypto.common import JWException
from jwcrypto.jws import JWS

from acs.auth.errors import Reason, TokenRejected
from acs.auth.keys import KeySource, SigningKey
from acs.clock import Clock
from acs.config import IdentityProvider

__all__ = [
    "ALGORITHMS",
    "MAX_TOKEN_BYTES",
    "TokenVerifier",
    "VerifiedToken",
    "require_login_strength",
    "verify_claims",
]

ALGORITHMS = ("ES256", "RS256")
MAX_TOKEN_BYTES = 4096  # an RS256 token with a 4096-bit key and rich claims stays well under
MAX_SUBJECT = 64
MAX_JTI = 128
MAX_CLAIM_TEXT = 64  # acr and each amr value


@dataclass(frozen=True)
class VerifiedToken:
    """A token that passed every check. ``claims`` holds the whole payload, read-only (the
    staff tokens' ``role`` and ``branch`` are read from it)."""

    subject: str
    jti: str
    issuer: str
    audience: str  # the expected audience it was verified for
    issued_at: datetime
    expires_at: datetime
    acr: str | None
    amr: tuple[str, ...]
    claims: Mapping[str, Any]

    @property
    def jti_key(self) -> str:
        """What the replay table keeps: SHA-256 over issuer and jti, not the jti itself."""
        return hashlib.sha256(f"{self.issuer}\x00{self.jti}".encode()).hexdigest()


class TokenVerifier:
    """The ACS's view of the identity provider: its keys, issuer and time rules
    (``[identity_provider]``). :meth:`verify` checks a token for one audience."""

    def __init__(self, provider: IdentityProvider, *, keys: KeySource, clock: Clock) -> None:
        self.provider, self.keys, self.clock = provider, keys, clock

    @classmethod
    def from_settings(cls, provider: IdentityProvider, *, clock: Clock) -> TokenVerifier:
        return cls(provider, keys=KeySource.from_settings(provider, clock=clock), clock=clock)

    def refused_from(self, token: VerifiedToken) -> datetime:
        """When the exp check starts refusing ``token`` (exp + leeway): its replay row must be
        kept until then."""
        return token.expires_at + timedelta(seconds=self.provider.leeway_seconds)

    async def verify(self, token: str, *, expected_audience: str) -> VerifiedToken:
        """Header (alg allowed, kid) → key → signature → the claims (:func:`verify_claims`)."""
        header = _header(token)
        key = await self.keys.key(header["kid"])
        if key is None:
            raise TokenRejected(Reason.UNKNOWN_KEY, "the provider has no key with this kid")
        payload = _verified_payload(token, key, header["alg"])
        return verify_claims(
            payload,
            expected_issuer=self.provider.issuer,
            expected_audience=expected_audience,
            now=self.clock.now(),
            leeway=timedelta(seconds=self.provider.leeway_seconds),
            max_lifetime=timedelta(minutes=self.provider.max_token_minutes),
        )


def _header(token: str) -> dict[str, Any]:
    if len(token) > MAX_TOKEN_BYTES or token.count(".") != 2:
        raise TokenRejected(Reason.MALFORMED, "a token is a compact JWS: three parts")
    header = _json_part(token.split(".", 1)[0], "header")
    if header.get("alg") not in ALGORITHMS:
        raise TokenRejected(Reason.MALFORMED, f"alg must be one of {', '.join(ALGORITHMS)}")
    if not isinstance(header.get("kid"), str) or not header["kid"]:
        raise TokenRejected(Reason.MALFORMED, "the header names no kid")
    if "crit" in header:
        raise TokenRejected(Reason.MALFORMED, "no critical header extension is understood")
    return header


def _json_part(part: str, name: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, binascii.Error):
        raise TokenRejected(Reason.MALFORMED, f"the {name} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise TokenRejected(Reason.MALFORMED, f"the {name} is not a JSON object")
    return value


def _verified_payload(token: str, key: SigningKey, alg: str) -> dict[str, Any]:
    if alg != key.alg:
        raise TokenRejected(Reason.BAD_SIGNATURE, f"key {key.kid} verifies {key.alg}, not {alg}")
    jws = JWS()
    jws.allowed_algs = [key.alg]
    try:
        jws.deserialize(token)
        jws.verify(key.jwk, alg=key.alg)
    except JWException:
        raise TokenRejected(Reason.BAD_SIGNATURE, "the signature does not verify") from None
    return _json_part(token.split(".")[1], "payload")


def verify_claims(
    payload: Mapping[str, Any],
    *,
    expected_issuer: str,
    expected_audience: str,
    now: datetime,
    leeway: timedelta,
    max_lifetime: timedelta,
) -> VerifiedToken:
    """The claims of a payload whose signature verified (shared spec of issue #11)."""
    issuer = _text(payload, "iss", 1024)
    if issuer != expected_issuer:
        raise TokenRejected(Reason.WRONG_ISSUER, f"issued by {issuer!r}, not {expected_issuer!r}")
    if expected_audience not in _audiences(payload):
        raise TokenRejected(Reason.WRONG_AUDIENCE, f"not meant for {expected_audience!r}")
    expires_at, issued_at = _time(payload, "exp"), _time(payload, "iat")
    if now >= expires_at + leeway:
        raise TokenRejected(Reason.EXPIRED, "the token has expired")
    if issued_at > now + leeway:
        raise TokenRejected(Reason.NOT_YET_VALID, "the token is issued in the future")
    if "nbf" in payload and _time(payload, "nbf") > now + leeway:
        raise TokenRejected(Reason.NOT_YET_VALID, "the token is not valid yet (nbf)")
    if expires_at <= issued_at:
        raise TokenRejected(Reason.CLAIMS, "exp is not after iat")
    if expires_at - issued_at > max_lifetime:
        raise TokenRejected(Reason.TOO_LONG_LIVED, f"lives longer than {max_lifetime}")
    return VerifiedToken(
        subject=_text(payload, "sub", MAX_SUBJECT),
        jti=_text(payload, "jti", MAX_JTI),
        issuer=issuer,
        audience=expected_audience,
        issued_at=issued_at,
        expires_at=expires_at,
        acr=_text(payload, "acr", MAX_CLAIM_TEXT) if "acr" in payload else None,
        amr=_amr(payload),
        claims=MappingProxyType(dict(payload)),
    )


def require_login_strength(token: VerifiedToken, *, acr: Sequence[str], amr: Sequence[str]) -> None:
    """The login behind ``token`` is strong enough to activate a phone: its ``acr`` is one of
    ``acr`` and its ``amr`` holds every method of ``amr`` (``[identity_provider]``)."""
    if token.acr not in acr:
        raise TokenRejected(Reason.LOGIN_TOO_WEAK, f"acr {token.acr!r} is not one of {list(acr)}")
    missing = [method for method in amr if method not in token.amr]
    if missing:
        raise TokenRejected(Reason.LOGIN_TOO_WEAK, f"amr lacks {missing}")


def _text(payload: Mapping[str, Any], name: str, max_length: int) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise TokenRejected(Reason.CLAIMS, f"{name} must be a string of 1 to {max_length}")
    if not value.isprintable():
        raise TokenRejected(Reason.CLAIMS, f"{name} holds control characters")
    return value


def _audiences(payload: Mapping[str, Any]) -> list[str]:
    audience = payload.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        raise TokenRejected(Reason.CLAIMS, "aud must be a string or an array of strings")
    return audiences


def _time(payload: Mapping[str, Any], name: str) -> datetime:
    value = payload.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenRejected(Reason.CLAIMS, f"{name} must be a NumericDate")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise TokenRejected(Reason.CLAIMS, f"{name} is out of range") from None


def _amr(payload: Mapping[str, Any]) -> tuple[str, ...]:
    methods = payload.get("amr", [])
    if not isinstance(methods, list) or len(methods) > 16:
        raise TokenRejected(Reason.CLAIMS, "amr must be an array of strings")
    return tuple(_text({"amr": m}, "amr", MAX_CLAIM_TEXT) for m in methods)
