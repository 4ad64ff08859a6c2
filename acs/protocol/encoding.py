"""Base64url (RFC 7515 §2) as 3DS uses it, and the strict-output cleaner (§1.2, §9.3)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

_WHITESPACE = re.compile(r"\s+")
_ALPHABET = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_STRICT = re.compile(r"[A-Za-z0-9_-]*")


class Base64Error(ValueError):
    """Text that is not base64url, even allowing padding and whitespace."""


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without ``=`` padding; whitespace is ignored (Req 192/193)."""
    compact = _WHITESPACE.sub("", text)
    if not _ALPHABET.fullmatch(compact) or len(compact.rstrip("=")) % 4 == 1:
        raise Base64Error("not base64url")
    body = compact.rstrip("=")
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise Base64Error("not base64url") from exc


def b64url_decode_strict(text: str) -> bytes:
    """Decode unpadded base64url, nothing else (signed structures: one encoding per value)."""
    if not isinstance(text, str) or not _STRICT.fullmatch(text) or len(text) % 4 == 1:
        raise Base64Error("not unpadded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data: bytes) -> str:
    """Encode as base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def clean(message: dict[str, Any]) -> dict[str, Any]:
    """A copy without None, empty strings, or empty lists/dicts, at any depth (Req 309)."""
    return {k: v for k, v in ((k, _clean_value(v)) for k, v in message.items()) if not _empty(v)}


def _clean_value(value: Any) -> Any:
    if isinstance(value, dict):
        return clean(value)
    if isinstance(value, list):
        return [c for c in (_clean_value(v) for v in value) if not _empty(c)]
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)
