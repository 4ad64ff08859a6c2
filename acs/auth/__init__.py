"""Identity tokens of the bank's identity provider (issue #11): who is calling, verified.

:mod:`acs.auth.keys` holds the provider's public keys (JWKS file or URL, cached, refetched for a
new ``kid``); :mod:`acs.auth.tokens` verifies a token against them as a flat checklist and
returns a frozen :class:`VerifiedToken`; :mod:`acs.auth.errors` is the error family;
:mod:`acs.auth.staff` reads a staff token's role and branch and holds the one permission table
(imported from there). It stores nothing: accepting a ``jti`` once is :mod:`acs.flows.tokens`'s
job, with the database.
"""

from acs.auth.errors import AuthError, KeysUnavailable, Reason, TokenRejected
from acs.auth.keys import KeySource, SigningKey, parse_jwks
from acs.auth.tokens import TokenVerifier, VerifiedToken, require_login_strength, verify_claims

__all__ = [
    "AuthError",
    "KeySource",
    "KeysUnavailable",
    "Reason",
    "SigningKey",
    "TokenRejected",
    "TokenVerifier",
    "VerifiedToken",
    "parse_jwks",
    "require_login_strength",
    "verify_claims",
]
