"""Helpers shared by the Sécur'Pass tests."""

from __future__ import annotations

from acs.crypto.device import load_public_jwk
from acs.securpass.devices import DeviceKeys
from merchant_simulator.phone import PhoneKeys


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
