"""Schema validation of 3DS messages, mapped onto Erro codes (§1.2, §3.3).

Incoming messages are lenient (unknown fields ignored); what the ACS sends is checked strictly by
:func:`validate_outgoing`.  One compiled validator per (version, message), built on first use:
the accept check (:func:`accept_check`) for the common case, jsonschema to name what is wrong.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

from acs.protocol.accept import Check, compile_schema
from acs.protocol.codes import SUPPORTED_VERSIONS, MessageType
from acs.protocol.errors import OutgoingMessageInvalid, ProtocolError
from acs.protocol.parsing import Decoded
from acs.resources import data_dir

SCHEMA_DIR = data_dir("schemas")
SCHEMA_MESSAGES = frozenset({"AReq", "ARes", "CReq", "CRes", "RReq", "RRes", "Erro"})
EXTENSION_KEYS = ("messageExtension", "messageExtensions")  # the Stripe SDK uses the plural
FORMAT_CHECKER = FormatChecker()


def _calendar_check(name: str, shape: str, first_year: int) -> None:
    """A fixed-width digits date format: ``shape`` says the field widths (Y4 M2 D2 h2 m2 s2;
    ``y2`` a two-digit year from ``first_year``); the value must be a real calendar time.

    ASCII digits, slices and ``datetime()`` rather than ``strptime``, which costs ten times as
    much and, on the AReq path, runs for every date field of every message; the answers for the
    last few thousand values are kept (expiry and account dates repeat from one AReq to the next).
    """
    widths = {"Y": 4, "y": 2, "M": 2, "D": 2, "h": 2, "m": 2, "s": 2}
    bounds: list[tuple[int, int]] = []
    for c in shape:
        start = bounds[-1][1] if bounds else 0
        bounds.append((start, start + widths[c]))
    length = bounds[-1][1]
    offset = first_year if shape[0] == "y" else 0
    padding = [1] * (3 - len(shape)) + [0] * (6 - max(len(shape), 3))

    @lru_cache(maxsize=4096)
    def calendar(value: str) -> bool:
        if len(value) != length or not (value.isascii() and value.isdigit()):
            return False  # isdigit alone takes "２" and "²"
        parts = [int(value[a:b]) for a, b in bounds] + padding
        parts[0] += offset  # a year and month alone name the month's first day (padding)
        year, month, day, hour, minute, second = parts
        try:
            return bool(datetime(year, month, day, hour, minute, second))
        except ValueError:
            return False

    def check(value: object) -> bool:
        return not isinstance(value, str) or calendar(value)

    # Registered by a call: jsonschema has no type stubs, so a decorator would untype it.
    FORMAT_CHECKER.checks(name, raises=ValueError)(check)


for _name, _shape in (
    ("emv-datetime", "YMDhms"),
    ("emv-datetime-minutes", "YMDhm"),
    ("emv-date", "YMD"),
    ("emv-yymm", "yM"),
):
    _calendar_check(_name, _shape, first_year=2000)


def _is_ip(value: object) -> bool:
    return not isinstance(value, str) or bool(ipaddress.ip_address(value))


def _is_url(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if " " in value or not value.isprintable():
        # Every blank but " " is unprintable: no tabs or newlines, which urlsplit would drop
        # and RFC 3986 does not allow; one C call rather than a loop over the characters.
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_email(value: object) -> bool:
    """jsonschema's check (an ``@``) without blanks or control characters anywhere."""
    if not isinstance(value, str):
        return True
    return "@" in value and " " not in value and value.isprintable()  # as in _is_url


FORMAT_CHECKER.checks("email", raises=ValueError)(_is_email)
FORMAT_CHECKER.checks("emv-ip", raises=ValueError)(_is_ip)
FORMAT_CHECKER.checks("emv-url", raises=ValueError)(_is_url)


@cache
def schema(version: str, message: str) -> dict[str, Any]:
    """The JSON Schema of ``message`` in ``version`` from ``schemas/``."""
    document: dict[str, Any] = json.loads(
        (SCHEMA_DIR / version / f"{message}.json").read_text(encoding="utf-8")
    )
    return document


# An unescaped ``$``: in ECMA-262 (the schemas' dialect) it ends the string, in Python's re it
# also matches before a final newline.  fastjsonschema rewrites it to ``\Z``; so do we.
_DOLLAR = re.compile(r"(?<!\\)\$")


@cache
def _whole_string(pattern: str) -> re.Pattern[str]:
    return re.compile(_DOLLAR.sub(r"\\Z", pattern))


def _pattern(check: Any, pattern: str, instance: object, _schema: object) -> Iterable[Any]:
    """``pattern`` with ECMA-262 ``$``: "4199\\n" does not match ``^[0-9]{1,48}$``."""
    if isinstance(instance, str) and not _whole_string(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_Validator = validators.extend(Draft202012Validator, {"pattern": _pattern})


@cache
def validator(version: str, message: str) -> Draft202012Validator:
    """The compiled validator (schema checked once) for ``message`` in ``version``."""
    document = schema(version, message)
    Draft202012Validator.check_schema(document)
    checker: Draft202012Validator = _Validator(document, format_checker=FORMAT_CHECKER)
    return checker


@cache
def accept_check(version: str, message: str) -> Check:
    """The same schema compiled to closures (:mod:`acs.protocol.accept`): the hot-path check.

    It says only "valid or not", so a rejected message is re-checked by :func:`validator` to
    name every offending field; ``tests/protocol/test_fast_path.py`` keeps both in agreement.
    """
    formats = {name: _conforms_to(name) for name in FORMAT_CHECKER.checkers}
    return compile_schema(schema(version, message), formats=formats, pattern=_whole_string)


# Shapes that prove a value conforms, tried before the format's own check (jsonschema's uuid
# builds a UUID, emv-ip an ip_address, both ten times the cost of a match). Only a proof: a
# value of another shape still goes to the check, so the answer is the check's.
_CERTAIN = {
    "uuid": re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"),
    "emv-ip": re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
                         r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"),
}  # fmt: skip


def _conforms_to(name: str) -> Any:
    """The checker function itself (FormatChecker.conforms adds a lookup and a try per call)."""
    check, raises = FORMAT_CHECKER.checkers[name]
    certain = _CERTAIN[name].fullmatch if name in _CERTAIN else None

    def conforms_to(value: object) -> bool:
        if certain is not None and isinstance(value, str) and certain(value) is not None:
            return True
        try:
            return bool(check(value))
        except raises:
            return False

    return conforms_to


def conforms(version: str, message: str, instance: Mapping[str, Any]) -> bool:
    """True when ``instance`` is valid for ``message`` in ``version`` (fast, no details)."""
    return accept_check(version, message)(instance)


INCOMING = ("AReq", "CReq", "RRes")


def preload() -> None:
    """Compile every validator now (call at startup to keep the first AReq fast)."""
    for version in SUPPORTED_VERSIONS:
        for message in SCHEMA_MESSAGES:
            validator(version, message)
        for message in INCOMING:
            accept_check(version, message)


def validate_incoming(
    message: Mapping[str, Any],
    *,
    expected: MessageType,
    recognised_extensions: frozenset[str] = frozenset(),
) -> str:
    """Check a received message and return its messageVersion, or raise ProtocolError.

    Order: messageType (101), messageVersion (201 missing, 102 unsupported), schema (201 beats
    203, all offending paths listed), then critical unknown extensions (202).
    """
    kind = message.get("messageType")
    if not isinstance(kind, str) or kind != expected.value:
        raise ProtocolError.invalid_message("messageType", message_type=_known_type(kind))
    version = message.get("messageVersion")
    if version is None or version == "":
        raise ProtocolError.missing(["messageVersion"], message_type=kind)
    if version not in SUPPORTED_VERSIONS:
        raise ProtocolError.unsupported_version(message_type=kind)
    checked: str = version  # one of SUPPORTED_VERSIONS
    if _plain(message, text=not isinstance(message, Decoded)) and conforms(version, kind, message):
        # Nothing empty and no unreadable text: what _strip would keep is the message itself.
        _check_extensions(message, recognised_extensions, kind)
        return checked
    unreadable: list[str] = []
    present, empties = _strip(message, "", unreadable)
    known = schema(version, kind)["properties"]
    empty_known = [p for p in empties if p.split(".")[0] in known]
    unreadable = list(dict.fromkeys(unreadable))
    if not empty_known and not unreadable and conforms(version, kind, present):
        _check_extensions(message, recognised_extensions, kind)
        return checked
    missing, invalid = _schema_problems(validator(version, kind), present)
    invalid += [p for p in empty_known + unreadable if p not in missing and p not in invalid]
    if missing:
        raise ProtocolError.missing(dict.fromkeys(missing), message_type=kind)
    if invalid:
        raise ProtocolError.invalid(dict.fromkeys(invalid), message_type=kind)
    _check_extensions(message, recognised_extensions, kind)
    return checked


def validate_outgoing(message: Mapping[str, Any]) -> None:
    """Raise OutgoingMessageInvalid listing every problem of a message the ACS is sending."""
    kind, version = message.get("messageType"), message.get("messageVersion")
    if kind not in SCHEMA_MESSAGES or version not in SUPPORTED_VERSIONS:
        raise OutgoingMessageInvalid([f"no schema for {kind!r} {version!r}"])
    _, empties = _strip(message, "", [])
    problems = [f"{p}: empty or null" for p in empties]
    for error in validator(version, kind).iter_errors(message):
        problems.append(f"{_path(error.absolute_path) or '(message)'}: {error.message}")
    if problems:
        raise OutgoingMessageInvalid(problems)


def _schema_problems(
    check: Draft202012Validator, message: dict[str, Any]
) -> tuple[list[str], list[str]]:
    missing: list[str] = []
    invalid: list[str] = []
    for error in check.iter_errors(message):
        where = _path(error.absolute_path)
        if error.validator == "required":
            names = [n for n in error.validator_value if n not in error.instance]
            missing += (f"{where}.{n}" if where else n for n in names)
        else:
            invalid.append(where or str(error.validator))
    return missing, invalid


def _strip(
    value: Mapping[str, Any], prefix: str, unreadable: list[str]
) -> tuple[dict[str, Any], list[str]]:
    """A copy without empty values (None, "", [], {}), plus the dotted paths removed.

    The same walk adds to ``unreadable`` the paths of strings (values or keys) holding a NUL or
    a lone UTF-16 surrogate: valid JSON escapes, but not text a database column or a UTF-8
    encoder takes. Below an unreadable key nothing more is reported."""
    kept: dict[str, Any] = {}
    empties: list[str] = []
    for key, item in value.items():
        path = f"{prefix}{key}"
        below_unreadable = unreadable
        if _bad_text(key):
            unreadable.append(f"{prefix}{_printable(key)}")
            below_unreadable = []
        elif isinstance(item, str) and _bad_text(item):
            unreadable.append(path)
        if isinstance(item, Mapping):
            item, below = _strip(item, f"{path}.", below_unreadable)
            empties += below
        elif isinstance(item, list):
            item, below = _strip_list(item, f"{path}.", below_unreadable)
            empties += below
        if item is None or (isinstance(item, str | list | dict) and not item):
            empties.append(path)
        else:
            kept[key] = item
    return kept, empties


def _plain(value: Mapping[str, Any], *, text: bool) -> bool:
    """True when nothing in ``value`` is empty and (with ``text``) no string or key is
    unreadable: then :func:`_strip` has nothing to remove or report. Conservative: anything
    unusual (a list in a list, a type JSON does not make) answers False, and the caller takes
    the slow path."""
    for key, item in value.items():
        if text and _bad_text(key):
            return False
        if isinstance(item, str):
            if not item or (text and _bad_text(item)):
                return False
        elif isinstance(item, dict):
            if not item or not _plain(item, text=text):
                return False
        elif isinstance(item, list):
            if not item or not _plain_list(item, text=text):
                return False
        elif item is None or not isinstance(item, int | float):  # bool is an int
            return False
    return True


def _plain_list(items: list[Any], *, text: bool) -> bool:
    for item in items:
        if isinstance(item, str):
            if not item or (text and _bad_text(item)):
                return False
        elif isinstance(item, dict):
            if not item or not _plain(item, text=text):
                return False
        elif item is None or not isinstance(item, int | float):
            return False
    return True


def _strip_list(
    items: list[Any], prefix: str, unreadable: list[str]
) -> tuple[list[Any], list[str]]:
    kept: list[Any] = []
    empties: list[str] = []
    for item in items:
        if isinstance(item, str) and _bad_text(item):
            unreadable.append(prefix.rstrip("."))
        elif isinstance(item, list):
            _strip_list(item, prefix, unreadable)  # only scanned, as before
        if isinstance(item, Mapping):
            item, below = _strip(item, prefix, unreadable)
            empties += below
        if item is None or (isinstance(item, str | dict) and not item):
            empties.append(prefix.rstrip("."))
        else:
            kept.append(item)
    return kept, empties


def _check_extensions(message: Mapping[str, Any], recognised: frozenset[str], kind: str) -> None:
    unknown = [
        str(item.get("id"))
        for key in EXTENSION_KEYS
        for item in _as_list(message.get(key))
        if isinstance(item, Mapping)
        and item.get("criticalityIndicator") is True
        and item.get("id") not in recognised
    ]
    if unknown:
        raise ProtocolError.critical_extension(dict.fromkeys(unknown), message_type=kind)


def _as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _path(parts: Iterable[str | int]) -> str:
    # errorDetail names elements as parent.child; array positions are not element names.
    return ".".join(p for p in parts if isinstance(p, str))


def _known_type(kind: object) -> str | None:
    return kind if isinstance(kind, str) and kind in MessageType._value2member_map_ else None


def _bad_text(text: str) -> bool:
    if text.isascii():  # nearly every string of an AReq: no encode needed to know
        return "\x00" in text
    return "\x00" in text or not _encodable(text)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(key: str) -> str:
    """A key as it can go into an errorDetail (NUL and surrogates escaped)."""
    return key if not _bad_text(key) else key.encode("unicode_escape").decode("ascii")
