"""The benchmark's identity provider: one ES256 key next to the ACS keys, a JWKS and a config
file naming it (``ACS_CONFIG`` of ``acs serve``), and fresh customer tokens for the phones."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from jwcrypto.jwk import JWK
from jwcrypto.jwt import JWT

__all__ = ["ISSUER", "config_file", "token_source"]

ISSUER = "https://idp.bench.banxo.test"
AUDIENCE = "acs-securpass"


def _key(keys_dir: Path) -> JWK:
    path = keys_dir.parent / "bench-idp-key.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(JWK.generate(kty="EC", crv="P-256", kid="bench-idp").export_private())
        path.chmod(0o600)
    return JWK.from_json(path.read_text())


def config_file(keys_dir: Path) -> Path:
    """A TOML config with only ``[identity_provider]``, its JWKS beside it; the path."""
    key = _key(keys_dir)
    jwks = keys_dir.parent / "bench-idp-jwks.json"
    jwks.write_text(json.dumps({"keys": [json.loads(key.export_public())]}))
    config = keys_dir.parent / "bench-acs.toml"
    config.write_text(f'[identity_provider]\nissuer = "{ISSUER}"\njwks_file = "{jwks}"\n')
    return config


def token_source(keys_dir: Path, customer_id: str) -> Callable[[], Awaitable[str]]:
    """Fresh single-use tokens for ``customer_id`` (``Phone(tokens=...)``)."""
    key = _key(keys_dir)

    async def token() -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": customer_id, "iat": now, "exp": now + 300,
            "jti": secrets.token_urlsafe(16), "acr": "substantial", "amr": ["pwd", "app"],
        }  # fmt: skip
        jwt = JWT(header={"alg": "ES256", "kid": key["kid"]}, claims=claims)
        jwt.make_signed_token(key)
        return str(jwt.serialize())

    return token
