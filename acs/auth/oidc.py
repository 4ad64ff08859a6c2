"""The back office's OpenID Connect client: authorisation code flow with PKCE (RFC 7636, S256).

Written by hand rather than taken from Authlib (docs/backoffice.md, "Why no OIDC library"): the
ACS needs four things — a PKCE pair, the authorisation URL, one POST to the token endpoint and
the provider's discovery document — and the ID token is then checked by the ACS's own verifier
(:class:`~acs.auth.tokens.TokenVerifier`: algorithm allow-list, ``kid``, ``iss``, ``aud`` = the
client id, ``exp``/``iat``, ``jti`` once), so a second JOSE stack would only be a second place
to get it wrong. Authlib has no aiohttp integration either. Nothing here stores anything: the
login's ``state``, ``nonce`` and ``code_verifier`` are kept by :mod:`acs.flows.backoffice`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

from acs.auth.errors import LoginFailed
from acs.config import IdentityProvider

__all__ = [
    "SCOPE",
    "Endpoints",
    "OidcClient",
    "Pkce",
    "authorization_url",
    "same_nonce",
]

SCOPE = "openid"
TIMEOUT_SECONDS = 5.0
MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True)
class Pkce:
    """A ``code_verifier`` (64 URL-safe characters, RFC 7636 §4.1) and its S256 challenge."""

    verifier: str

    @classmethod
    def new(cls) -> Pkce:
        return cls(secrets.token_urlsafe(48))

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str


def authorization_url(
    endpoint: str, *, client_id: str, redirect_uri: str, state: str, nonce: str, pkce: Pkce
) -> str:
    """Where the browser is sent to log in (OIDC Core §3.1.2.1)."""
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": SCOPE,
        "state": state,
        "nonce": nonce,
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


def same_nonce(claims: Mapping[str, Any], expected: str) -> None:
    """The ID token's ``nonce`` is the one this login sent (OIDC Core §3.1.3.7 item 11)."""
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not hmac.compare_digest(nonce.encode(), expected.encode()):
        raise LoginFailed("nonce_mismatch", "the ID token's nonce is not this login's")


class OidcClient:
    """The provider's endpoints (configured, or discovered once) and the code exchange."""

    def __init__(self, provider: IdentityProvider, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.provider, self.timeout = provider, timeout
        self._endpoints: Endpoints | None = None
        if provider.staff_authorization_endpoint and provider.staff_token_endpoint:
            self._endpoints = Endpoints(
                provider.staff_authorization_endpoint, provider.staff_token_endpoint
            )

    async def endpoints(self) -> Endpoints:
        if self._endpoints is None:
            url = self.provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
            document = await self._json("GET", url)
            authorization, token = (
                document.get("authorization_endpoint"),
                document.get("token_endpoint"),
            )
            if not (isinstance(authorization, str) and isinstance(token, str)):
                raise LoginFailed("provider_unreachable", "discovery names no endpoints")
            self._endpoints = Endpoints(authorization, token)
        return self._endpoints

    async def exchange(self, code: str, *, redirect_uri: str, code_verifier: str) -> str:
        """The ID token for ``code`` (OIDC Core §3.1.3.1), PKCE's verifier proving the login."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": self.provider.staff_client_id,
            "code_verifier": code_verifier,
        }
        auth = None
        if self.provider.staff_client_secret:  # client_secret_basic (RFC 6749 §2.3.1)
            auth = aiohttp.BasicAuth(
                self.provider.staff_client_id, self.provider.staff_client_secret
            )
        answer = await self._json("POST", (await self.endpoints()).token, data=form, auth=auth)
        id_token = answer.get("id_token")
        if not isinstance(id_token, str):
            raise LoginFailed("exchange_failed", "the token endpoint gave no id_token")
        return id_token

    async def _json(self, method: str, url: str, **options: Any) -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as http,
                http.request(method, url, allow_redirects=False, **options) as response,
            ):
                data = await response.content.read(MAX_ANSWER_BYTES + 1)
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise LoginFailed("provider_unreachable", f"{type(exc).__name__}") from None
        if status != 200:
            raise LoginFailed("exchange_failed", f"the provider answered HTTP {status}")
        try:
            document = json.loads(data) if len(data) <= MAX_ANSWER_BYTES else None
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise LoginFailed("exchange_failed", "the provider's answer is not a JSON object")
        return document
