"""The public surface of acs.auth, pinned (the staff side builds on it)."""

from __future__ import annotations

import acs.auth
from acs.auth import Reason


def test_the_public_names_are_pinned():
    """acs.auth exports exactly the verifier, its key source, its result and its errors."""
    assert sorted(acs.auth.__all__) == [
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
    for name in acs.auth.__all__:
        assert getattr(acs.auth, name) is not None


def test_the_reasons_are_the_shared_specs():
    """The refusal reasons are the twelve wire values of the #11 interface spec."""
    assert {r.value for r in Reason} == {
        "token_missing", "token_malformed", "token_unknown_key", "token_bad_signature",
        "token_expired", "token_not_yet_valid", "token_too_long_lived", "token_wrong_issuer",
        "token_wrong_audience", "token_replayed", "token_claims", "login_too_weak",
    }  # fmt: skip
