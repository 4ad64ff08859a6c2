"""The identity provider's ES256 signing key: signs JWTs, publishes its public half as a JWKS."""

from __future__ import annotations

import json
from typing import Any

from jwcrypto import jwk, jwt

__all__ = ["TokenSigner"]


class TokenSigner:
    """One P-256 key named ``kid``, generated at start (the simulator keeps no key on disk)."""

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self._key = jwk.JWK.generate(kty="EC", crv="P-256", kid=kid)

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact JWS (``alg`` ES256, ``kid``, ``typ`` JWT) over ``claims``."""
        header = {"alg": "ES256", "kid": self.kid, "typ": "JWT"}
        token = jwt.JWT(header=header, claims=json.dumps(claims))
        token.make_signed_token(self._key)
        return str(token.serialize())

    def jwks(self) -> dict[str, Any]:
        """``/.well-known/jwks.json``: the public key only."""
        public = self._key.export_public(as_dict=True)
        return {"keys": [public | {"use": "sig", "alg": "ES256"}]}
