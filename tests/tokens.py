"""A test identity provider: the bank's IdP as the ACS sees it (keys in a JWKS, signed tokens).

``identity_provider`` (fixture) has an ES256 and an RS256 key (kids ``test-es256``,
``test-rs256``; generated once per test process, RSA being slow) and writes its JWKS under
``tmp_path``; the ``settings`` fixture points ``[identity_provider]`` at it. ``mint(sub)`` gives
a customer token dated by the test clock; ``source(sub)`` is a ``Phone(tokens=...)`` source of
fresh ones (each jti is accepted once). ``staff_headers(idp, role=...)`` (fixture ``staff``)
authorises one back-office call with a fresh staff token.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from jwcrypto.jwk import JWK
from jwcrypto.jws import JWS

from acs.clock import FrozenClock
from acs.config import IdentityProvider
from merchant_simulator.phone import TokenSource

ISSUER = "https://idp.banxo.test"
CUSTOMER_AUDIENCE = IdentityProvider().customer_audience
STAFF_AUDIENCE = IdentityProvider().staff_audience
DROP = object()  # a claim override that removes the claim


@functools.cache
def es256_key(kid: str = "test-es256") -> JWK:
    return JWK.generate(kty="EC", crv="P-256", kid=kid)


@functools.cache
def rs256_key(kid: str = "test-rs256", size: int = 2048) -> JWK:
    return JWK.generate(kty="RSA", size=size, kid=kid)


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign(claims: Mapping[str, Any], key: JWK, *, alg: str, **header: Any) -> str:
    """A compact JWS of ``claims`` by ``key`` (header ``alg``, ``kid`` of the key unless given)."""
    protected = {"alg": alg, "kid": key.get("kid"), "typ": "JWT"} | header
    jws = JWS(json.dumps(dict(claims)).encode("utf-8"))
    jws.add_signature(key, alg=alg, protected={k: v for k, v in protected.items() if v is not None})
    return jws.serialize(compact=True)


def unsigned(claims: Mapping[str, Any], kid: str = "test-es256") -> str:
    """An ``alg: none`` token (the classic forgery)."""
    header = b64u(json.dumps({"alg": "none", "kid": kid}).encode())
    return f"{header}.{b64u(json.dumps(dict(claims)).encode())}."


class TestIdentityProvider:
    """Keys, a JWKS file and token minting, dated by ``clock``."""

    __test__ = False  # not a test class for pytest

    def __init__(self, folder: Path, clock: FrozenClock) -> None:
        self.clock = clock
        self.keys = [es256_key(), rs256_key()]
        self.jwks_file = folder / "idp-jwks.json"
        self.publish()

    @property
    def settings(self) -> IdentityProvider:
        return IdentityProvider(issuer=ISSUER, jwks_file=str(self.jwks_file))

    def jwks(self) -> dict[str, Any]:
        return {"keys": [json.loads(k.export_public()) for k in self.keys]}

    def publish(self) -> None:
        self.jwks_file.write_text(json.dumps(self.jwks()), encoding="utf-8")

    def claims(
        self, sub: str, /, *, audience: str | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """A customer token's claims: 5 minutes, a fresh jti, acr substantial, amr pwd + app."""
        now = int(self.clock.now().timestamp())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": audience or CUSTOMER_AUDIENCE,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_urlsafe(16),
            "acr": "substantial",
            "amr": ["pwd", "app"],
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not DROP}

    def mint(
        self,
        sub: str,
        /,
        *,
        audience: str | None = None,
        key: JWK | None = None,
        alg: str | None = None,
        **claim_overrides: Any,
    ) -> str:
        """A signed token for ``sub`` (ES256 by default; ``key=rs256_key()`` for RS256)."""
        key = key or self.keys[0]
        alg = alg or ("ES256" if key["kty"] == "EC" else "RS256")
        return sign(self.claims(sub, audience=audience, **claim_overrides), key, alg=alg)

    def source(self, sub: str, /, **claim_overrides: Any) -> TokenSource:
        """Fresh tokens for ``sub``, one per call (what the logged-in Banxo app would get)."""

        async def token() -> str:
            return self.mint(sub, **claim_overrides)

        return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def identity_provider(tmp_path: Path, clock: FrozenClock) -> TestIdentityProvider:
    """The test identity provider, its JWKS in ``tmp_path``."""
    return TestIdentityProvider(tmp_path, clock)


STAFF_ID, BRANCH = "adv-007", "0421"


def staff_headers(
    idp: TestIdentityProvider,
    *,
    role: Any = "advisor",
    branch: Any = BRANCH,
    staff_id: str = STAFF_ID,
    **claim_overrides: Any,
) -> dict[str, str]:
    """``Authorization`` for one back-office call: a staff token with a fresh jti."""
    claims = {"role": role, "branch": branch, "acr": DROP, "amr": DROP} | claim_overrides
    return bearer(idp.mint(staff_id, audience=STAFF_AUDIENCE, **claims))


@pytest.fixture
def staff(identity_provider: TestIdentityProvider) -> Callable[..., dict[str, str]]:
    """``staff(role="auditor", ...)``: headers for one back-office call (see staff_headers)."""
    return functools.partial(staff_headers, identity_provider)


class TestOidcProvider:
    """The identity provider's staff login as a real aiohttp app on port 0: ``/authorize``
    logs ``account`` in at once (no form) and redirects with a code; ``/token`` checks the
    code, client, redirect URI and PKCE S256 verifier and answers an ID token minted by
    ``idp``. ``id_token_overrides`` change its claims (a wrong nonce, a role); ``requests``
    records what the ACS sent."""

    __test__ = False

    def __init__(self, idp: TestIdentityProvider) -> None:
        self.idp = idp
        self.account: dict[str, Any] = {"sub": STAFF_ID, "role": "advisor", "branch": BRANCH}
        self.id_token_overrides: dict[str, Any] = {}
        self.requests: list[dict[str, str]] = []
        self._codes: dict[str, dict[str, str]] = {}
        self.url = ""

    async def start(self) -> None:
        from aiohttp import web

        app = web.Application()
        app.router.add_get("/authorize", self._authorize)
        app.router.add_post("/token", self._token)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        await self._runner.cleanup()

    def endpoints(self) -> dict[str, str]:
        return {
            "staff_authorization_endpoint": f"{self.url}/authorize",
            "staff_token_endpoint": f"{self.url}/token",
        }

    async def _authorize(self, request: Any) -> Any:
        from aiohttp import web

        query = dict(request.query)
        self.requests.append(query)
        code = secrets.token_urlsafe(16)
        self._codes[code] = query | {"account": json.dumps(self.account)}
        target = f"{query['redirect_uri']}?code={code}&state={query['state']}"
        raise web.HTTPFound(target)

    async def _token(self, request: Any) -> Any:
        from aiohttp import web

        form = dict(await request.post())
        self.requests.append(form)
        grant = self._codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return web.json_response({"error": "invalid_grant"}, status=400)
        digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
        if b64u(digest) != grant["code_challenge"] or grant["code_challenge_method"] != "S256":
            return web.json_response({"error": "invalid_grant"}, status=400)
        account = json.loads(grant["account"])
        claims = {
            "audience": grant["client_id"],
            "role": account["role"],
            "branch": account["branch"],
            "nonce": grant["nonce"],
            "acr": DROP,
            "amr": DROP,
        } | self.id_token_overrides
        token = self.idp.mint(account["sub"], **claims)
        return web.json_response({"id_token": token, "token_type": "Bearer"})
