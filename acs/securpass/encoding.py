"""The two encodings every signed Sécur'Pass structure uses: base64url and canonical JSON.

Canonical JSON here is: keys sorted, no insignificant space, UTF-8, no ASCII escaping. Only
strings, booleans, ``None`` and integers within ±(2**53 - 1) are allowed, and keys are ASCII; for
those values the bytes are the same as RFC 8785 (JCS), so other implementations can use a JCS
library.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from acs.protocol.encoding import b64url_decode_strict, b64url_encode

__all__ = ["b64u", "b64u_decode", "canonical_json", "sha256_b64u"]

_SAFE_INT = 2**53 - 1


# Unpadded base64url, and its strict decoder (a ``ValueError`` for anything else): the one
# implementation in acs.protocol.encoding serves here too.
b64u, b64u_decode = b64url_encode, b64url_decode_strict


def sha256_b64u(data: bytes) -> str:
    return b64u(hashlib.sha256(data).digest())


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """Deterministic JSON bytes of ``value`` (see the module docstring)."""
    _check(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _check(value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise ValueError(f"canonical JSON keys are ASCII strings, got {key!r}")
            _check(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check(item)
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        return
    elif isinstance(value, int):
        if abs(value) > _SAFE_INT:
            raise ValueError("integers beyond 2**53 - 1 are not canonical")
    else:
        raise ValueError(f"{type(value).__name__} is not allowed in canonical JSON")
