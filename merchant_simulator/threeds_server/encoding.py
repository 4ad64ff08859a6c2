"""Base64url JSON as it travels in browser form fields (creq, cres, threeDSMethodData)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

__all__ = ["DecodeError", "decode_json", "encode_json", "encode_text"]


class DecodeError(ValueError):
    """A form field that is not base64url of a JSON object."""


def encode_json(message: dict[str, Any]) -> str:
    """Base64url without padding of the compact JSON of ``message``."""
    return encode_text(json.dumps(message, separators=(",", ":"), ensure_ascii=False))


def encode_text(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).rstrip(b"=").decode("ascii")


def decode_json(field: str) -> dict[str, Any]:
    """Decode padded or unpadded base64url (whitespace ignored) holding a JSON object."""
    compact = "".join(field.split()).rstrip("=")
    try:
        raw = base64.urlsafe_b64decode(compact + "=" * (-len(compact) % 4))
        value = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise DecodeError("not base64url JSON") from exc
    if not isinstance(value, dict):
        raise DecodeError("not a JSON object")
    return value
