"""Fixtures shared by the Sécur'Pass tests: a frozen clock, a phone, the server's code key."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from acs.clock import FrozenClock
from acs.crypto.codes import code_key_public_jwk
from tests.phones import phone  # noqa: F401  (the shared fixture)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def server_code_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def server_code_jwk(server_code_key: ec.EllipticCurvePrivateKey) -> dict:
    return code_key_public_jwk(server_code_key, kid="code-1")
