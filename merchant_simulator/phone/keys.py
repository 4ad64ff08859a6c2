"""The phone's keys, kept in a local JSON file (a real phone keeps them in its secure hardware).

File format (mode 0600)::

    {"version": 1, "device_id": "…" | null, "counter": 0,
     "possession": {private P-256 JWK}, "biometric": {private P-256 JWK} | null}
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["PhoneKeys"]


@dataclass
class PhoneKeys:
    """Possession key (K_dev), optional biometric key (K_bio), device id and answer counter."""

    possession: ec.EllipticCurvePrivateKey
    biometric: ec.EllipticCurvePrivateKey | None = None
    device_id: str | None = None
    counter: int = 0

    @classmethod
    def generate(cls, *, biometric: bool = False) -> PhoneKeys:
        new = ec.generate_private_key(ec.SECP256R1())
        return cls(
            possession=new, biometric=ec.generate_private_key(ec.SECP256R1()) if biometric else None
        )

    def next_counter(self) -> int:
        """Raised before every answer; the server refuses a value not above the last."""
        self.counter += 1
        return self.counter

    def possession_jwk(self) -> dict[str, str]:
        return _public_jwk(self.possession.public_key())

    def biometric_jwk(self) -> dict[str, str] | None:
        return None if self.biometric is None else _public_jwk(self.biometric.public_key())

    def save(self, path: str | os.PathLike[str]) -> None:
        data = {
            "version": 1,
            "device_id": self.device_id,
            "counter": self.counter,
            "possession": _private_jwk(self.possession),
            "biometric": None if self.biometric is None else _private_jwk(self.biometric),
        }
        target = Path(path)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PhoneKeys:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("version") != 1:
            raise ValueError(f"unknown phone key file version {data.get('version')!r}")
        bio = data.get("biometric")
        return cls(
            possession=_load_private(data["possession"]),
            biometric=None if bio is None else _load_private(bio),
            device_id=data.get("device_id"),
            counter=int(data.get("counter", 0)),
        )


def _public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = key.public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": _b64u_int(numbers.x), "y": _b64u_int(numbers.y)}


def _private_jwk(key: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    return _public_jwk(key.public_key()) | {"d": _b64u_int(key.private_numbers().private_value)}


def _load_private(jwk: dict[str, Any]) -> ec.EllipticCurvePrivateKey:
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("the phone keys are P-256")
    d = int.from_bytes(base64.urlsafe_b64decode(jwk["d"] + "=="), "big")
    key = ec.derive_private_key(d, ec.SECP256R1())
    if _public_jwk(key.public_key()) != {k: jwk[k] for k in ("kty", "crv", "x", "y")}:
        raise ValueError("the stored public part does not match the private key")
    return key


def _b64u_int(value: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes(32, "big")).rstrip(b"=").decode("ascii")
