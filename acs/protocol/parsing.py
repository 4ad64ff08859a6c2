"""Strict JSON reading for 3DS bodies (RFC 7159 UTF-8, §1.2) and transaction-id extraction.

A body is decoded by msgspec (a fifth of ``json.loads``'s cost with a Python hook) and its keys
are proved unique by counting colons: without ``\\u`` escapes every colon of the body is either
one key/value separator or a literal colon inside a string, and msgspec writes the decoded value
back the same way, so the two counts are equal exactly when no key was repeated (a repeated key's
separator, and whatever it held, is missing from the decoded value). Anything else — an escape,
a count that differs, a body msgspec refuses — goes through ``json.loads`` with a hook that names
every repeated key (Erro 204) or says why the body is not JSON (Erro 101).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeGuard

import msgspec

from acs.protocol.errors import ID_FIELDS, ProtocolError

_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


class _Object(dict[str, Any]):
    """A decoded JSON object remembering duplicate keys found in it or below it."""

    __slots__ = ("duplicates",)
    duplicates: list[str]


def _object_hook(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    duplicates: list[str] = []
    for key, value in pairs:
        if key in obj:
            duplicates.append(key)
        obj[key] = value
        duplicates += (f"{key}.{path}" for path in _nested_duplicates(value))
    obj.duplicates = duplicates
    return obj


def _nested_duplicates(value: Any) -> Iterator[str]:
    if isinstance(value, _Object):
        yield from value.duplicates
    elif isinstance(value, list):
        for item in value:
            yield from _nested_duplicates(item)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class Decoded(dict[str, Any]):
    """A decoded message whose body had no ``\\u`` escape: no string in it holds a NUL or a
    lone surrogate (raw bytes cannot spell either in valid UTF-8 JSON), so the accept check
    need not look for them."""

    __slots__ = ()


_decode = msgspec.json.Decoder().decode
_encode = msgspec.json.Encoder().encode
_DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, RecursionError, TypeError)


def parse_json(body: bytes) -> dict[str, Any]:
    """Decode a message body: not UTF-8 JSON or not an object → 101; a repeated key → 204."""
    if b"\\u" not in body:
        try:
            value = _decode(body)
        except _DECODE_ERRORS:
            pass  # the slow path says why
        else:
            if type(value) is dict and _encode(value).count(b":") == body.count(b":"):
                return Decoded(value)
    return parse_json_slow(body)


def parse_json_slow(body: bytes) -> dict[str, Any]:
    """:func:`parse_json` through ``json.loads``, naming every repeated key."""
    try:
        value = json.loads(
            body.decode("utf-8"), object_pairs_hook=_object_hook, parse_constant=_reject_constant
        )
    except (UnicodeDecodeError, ValueError, RecursionError, TypeError) as exc:
        raise ProtocolError.invalid_message("message is not UTF-8 JSON") from exc
    if not isinstance(value, _Object):
        raise ProtocolError.invalid_message("message is not a JSON object")
    if value.duplicates:
        raise ProtocolError.duplicate(dict.fromkeys(value.duplicates))
    return value


def is_trans_id(value: object) -> TypeGuard[str]:
    """A transaction id as the spec writes one: a UUID string (§A.5)."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def known_ids(message: Mapping[str, Any]) -> dict[str, str]:
    """The transaction ids present in ``message`` as well-formed UUIDs (to fill an Erro)."""
    return {name: value for name in ID_FIELDS if is_trans_id(value := message.get(name))}
