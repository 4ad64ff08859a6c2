"""Fixtures shared by the Sécur'Pass tests: a frozen clock, a phone, the server's code key."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from acs.clock import FrozenClock
from acs.crypto.codes import code_key_public_jwk
from acs.crypto.device import load_public_jwk
from acs.securpass.devices import DeviceKeys
from merchant_simulator.phone import PhoneKeys


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def phone() -> PhoneKeys:
    keys = PhoneKeys.generate(biometric=True)
    keys.device_id = "dev-1"
    return keys


@pytest.fixture
def server_code_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def server_code_jwk(server_code_key: ec.EllipticCurvePrivateKey) -> dict:
    return code_key_public_jwk(server_code_key, kid="code-1")


def device_of(phone: PhoneKeys, *, last_counter: int = 0, **changes) -> DeviceKeys:
    """The server's view of ``phone``, as activation would have stored it."""
    bio = phone.biometric_jwk()
    fields = {
        "device_id": phone.device_id,
        "possession_key": load_public_jwk(phone.possession_jwk()),
        "biometric_key": None if bio is None else load_public_jwk(bio),
        "last_counter": last_counter,
    }
    return DeviceKeys(**(fields | changes))
