"""The two encodings every signed Sécur'Pass structure uses: base64url and canonical JSON.

Canonical JSON here is: keys sorted, no insignificant space, UTF-8, no ASCII escaping. Only
strings, booleans, ``None`` and integers within ±(2**53 - 1) are allowed, and keys are ASCII; for
those values the bytes are the same as RFC 8785 (JCS), so other implementations can use a JCS
library.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["b64u", "b64u_decode", "canonical_json", "sha256_b64u"]

_B64U = re.compile(r"[A-Za-z0-9_-]*")
_SAFE_INT = 2**53 - 1


def b64u(raw: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    """Strict unpadded base64url: any character outside the alphabet is a ``ValueError``."""
    if not isinstance(text, str) or not _B64U.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


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
