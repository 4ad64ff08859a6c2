"""A simulated Banxo phone: the CLIENT side of Sécur'Pass.

Written from ``docs/securpass-protocol.md`` alone, without importing ``acs``: if the server and this
client both got a canonical form wrong in the same way, the interop tests could not notice.
"""

from merchant_simulator.phone.answers import (
    approve_with_biometrics,
    approve_with_code,
    read_operation,
    refuse,
    sign_answer,
    summary_hash,
)
from merchant_simulator.phone.client import Phone, PhoneError, TokenSource
from merchant_simulator.phone.keys import PhoneKeys
from merchant_simulator.phone.signing import encrypt_code, sign_request

__all__ = [
    "Phone",
    "PhoneError",
    "PhoneKeys",
    "TokenSource",
    "approve_with_biometrics",
    "approve_with_code",
    "encrypt_code",
    "read_operation",
    "refuse",
    "sign_answer",
    "sign_request",
    "summary_hash",
]
