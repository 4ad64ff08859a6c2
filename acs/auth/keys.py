"""The identity provider's public keys: a JWKS file or URL, cached and refetched for a new ``kid``.

Only signature keys this ACS accepts are kept (EC P-256 for ES256, RSA of at least 2048 bits
for RS256); any other key in the set is skipped with a warning, so one odd key cannot stop
the rest. A fetch that fails keeps the keys already known (the provider may be briefly down).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import aiohttp
from jwcrypto.jwk import JWK

from acs.auth.errors import KeysUnavailable
from acs.clock import Clock
from acs.config import IdentityProvider

__all__ = [
    "MAX_JWKS_BYTES",
    "MIN_RSA_BITS",
    "REFETCH_SECONDS",
    "KeySource",
    "SigningKey",
    "file_fetcher",
    "parse_jwks",
    "url_fetcher",
]

log = logging.getLogger("acs.auth")

Fetcher = Callable[[], Awaitable[bytes]]

MIN_RSA_BITS = 2048
MAX_JWKS_BYTES = 256 * 1024
REFETCH_SECONDS = 5  # an unknown kid refetches at most this often (a flood of bad kids must not)
FETCH_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class SigningKey:
    """One accepted public key and the only algorithm it verifies."""

    kid: str
    alg: str  # "ES256" or "RS256"
    jwk: JWK


def parse_jwks(data: bytes) -> Mapping[str, SigningKey]:
    """The accepted keys of a JWKS document by ``kid``; a document that is no JWKS raises
    ``ValueError``."""
    document = json.loads(data)
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("a JWKS is an object with a 'keys' array")
    keys: dict[str, SigningKey] = {}
    for member in document["keys"]:
        key = _accepted(member)
        if key is not None and key.kid not in keys:
            keys[key.kid] = key
    return MappingProxyType(keys)


def _accepted(member: Any) -> SigningKey | None:
    problem, alg = _problem(member)
    if problem:
        kid = member.get("kid") if isinstance(member, dict) else None
        log.warning("identity provider key %r skipped: %s", kid, problem)
        return None
    public = {k: v for k, v in member.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
    try:
        jwk = JWK(**public)
    except Exception as exc:  # jwcrypto raises several types for a bad key
        log.warning("identity provider key %r skipped: %s", member.get("kid"), exc)
        return None
    if alg == "RS256" and jwk.get_op_key("verify").key_size < MIN_RSA_BITS:
        log.warning(
            "identity provider key %r skipped: RSA under %d bits", jwk.get("kid"), MIN_RSA_BITS
        )
        return None
    return SigningKey(member["kid"], alg, jwk)


def _problem(member: Any) -> tuple[str, str]:
    """What makes a JWKS member unusable ("" when nothing), and the algorithm it is for."""
    if not isinstance(member, dict) or not isinstance(member.get("kid"), str) or not member["kid"]:
        return "no kid", ""
    if member.get("use", "sig") != "sig":
        return "not a signature key", ""
    if member.get("kty") == "EC" and member.get("crv") == "P-256":
        alg = "ES256"
    elif member.get("kty") == "RSA":
        alg = "RS256"
    else:
        return "only EC P-256 and RSA keys are accepted", ""
    if member.get("alg", alg) != alg:
        return f"alg {member.get('alg')!r} is not {alg}", ""
    return "", alg


def file_fetcher(path: str | Path) -> Fetcher:
    """Read the JWKS from ``path`` (reread like a URL: the file may be replaced)."""

    async def fetch() -> bytes:
        return await asyncio.to_thread(Path(path).read_bytes)

    return fetch


def url_fetcher(url: str, *, timeout: float = FETCH_TIMEOUT_SECONDS) -> Fetcher:
    """GET the JWKS at ``url`` within ``timeout`` seconds, at most :data:`MAX_JWKS_BYTES`."""

    async def fetch() -> bytes:
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        async with (
            aiohttp.ClientSession(timeout=client_timeout) as http,
            http.get(url, allow_redirects=False) as response,
        ):
            if response.status != 200:
                raise ValueError(f"HTTP {response.status}")
            data = await response.content.read(MAX_JWKS_BYTES + 1)
        if len(data) > MAX_JWKS_BYTES:
            raise ValueError(f"larger than {MAX_JWKS_BYTES} bytes")
        return data

    return fetch


class KeySource:
    """The keys of ``fetch``, kept ``cache_seconds``; an unknown ``kid`` refetches at once, at
    most once every :data:`REFETCH_SECONDS`, so a rotated key is found without a restart."""

    def __init__(
        self, fetch: Fetcher | None, *, cache_seconds: float, clock: Clock, name: str = "JWKS"
    ) -> None:
        self._fetch, self._clock, self._name = fetch, clock, name
        self._cache = timedelta(seconds=cache_seconds)
        self._keys: Mapping[str, SigningKey] = {}
        self._fetched_at: datetime | None = None  # last successful fetch
        self._tried_at: datetime | None = None  # last attempt, successful or not
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, provider: IdentityProvider, *, clock: Clock) -> KeySource:
        """The file when one is configured, else the URL; neither: every lookup is refused."""
        fetch = None
        if provider.jwks_file:
            fetch, name = file_fetcher(provider.jwks_file), provider.jwks_file
        elif provider.jwks_url:
            fetch, name = url_fetcher(provider.jwks_url), provider.jwks_url
        else:
            name = "no JWKS"
        return cls(fetch, cache_seconds=provider.jwks_cache_seconds, clock=clock, name=name)

    async def key(self, kid: str) -> SigningKey | None:
        """The key named ``kid``, or None when the provider does not (or no longer) have it."""
        async with self._lock:
            now = self._clock.now()
            if self._stale(now) or (kid not in self._keys and self._may_retry(now)):
                await self._refresh(now)
            if self._fetched_at is None:
                raise KeysUnavailable(f"identity provider keys unavailable ({self._name})")
            return self._keys.get(kid)

    def _stale(self, now: datetime) -> bool:
        return self._fetched_at is None or now - self._fetched_at >= self._cache

    def _may_retry(self, now: datetime) -> bool:
        return self._tried_at is None or now - self._tried_at >= timedelta(seconds=REFETCH_SECONDS)

    async def _refresh(self, now: datetime) -> None:
        if self._fetch is None or not self._may_retry(now):
            return
        self._tried_at = now
        try:
            self._keys = parse_jwks(await self._fetch())
        except (OSError, ValueError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("identity provider keys not refreshed from %s: %s", self._name, exc)
            return
        self._fetched_at = now
