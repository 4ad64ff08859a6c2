"""The create request of ``POST /banking/v1/operations``, checked field by field (400 naming
the field), before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from acs.config import Banking
from acs.flows.banking.kinds import Described, describe
from acs.flows.securpass.errors import InvalidRequest
from acs.securpass.operations import OperationType
from acs.text import first_unsafe

__all__ = ["CreateRequest", "parse_create"]

_TOP = ("type", "customer_id", "fields", "ttl_seconds", "callback_url", "client_reference",
        "exemption")  # fmt: skip
MIN_TTL_SECONDS = _MIN = 30


@dataclass(frozen=True)
class CreateRequest:
    customer_id: str
    described: Described
    ttl: timedelta
    callback_url: str | None
    client_reference: str | None
    exemption: str | None  # "trusted_device": a login from the trusted phone (SP-42)

    @property
    def type(self) -> OperationType:
        return self.described.summary.type


def _bad(name: str, problem: str, reason: str = "invalid_field") -> InvalidRequest:
    return InvalidRequest(reason, f"{name}: {problem}", field=name)


def _text(body: dict[str, Any], name: str, max_length: int) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= max_length:
        raise _bad(name, f"expected a string of 1 to {max_length} characters")
    if first_unsafe(value) is not None:
        raise _bad(name, "holds a control or format character")
    return value


def _ttl(body: dict[str, Any], settings: Banking) -> timedelta:
    value = body.get("ttl_seconds", settings.default_ttl_seconds)
    high = settings.max_ttl_seconds
    if isinstance(value, bool) or not isinstance(value, int) or not _MIN <= value <= high:
        raise _bad("ttl_seconds", f"expected an integer from {MIN_TTL_SECONDS} to {high}")
    return timedelta(seconds=value)


def _callback(body: dict[str, Any], settings: Banking) -> str | None:
    url = _text(body, "callback_url", 2000)
    if url is None:
        return None
    if not settings.callback_secret or not any(url.startswith(p) for p in settings.callback_urls):
        raise _bad("callback_url", "not in the configured list ([banking] callback_urls)",
                   "callback_url_not_allowed")  # fmt: skip
    return url


def parse_create(body: dict[str, Any], *, settings: Banking, now: datetime) -> CreateRequest:
    """Every check of the create request; :class:`InvalidRequest` names the first bad field."""
    for name in body:
        if name not in _TOP:
            raise _bad(name, "unknown field", "unknown_field")
    if body.get("type") is None:
        raise _bad("type", "is required", "missing_field")
    customer_id = _text(body, "customer_id", 32)
    if customer_id is None:
        raise _bad("customer_id", "is required", "missing_field")
    described = describe(body["type"], body.get("fields", {}), now=now)
    exemption = body.get("exemption")
    if exemption is not None and (
        exemption != "trusted_device" or described.summary.type != OperationType.LOGIN
    ):
        raise _bad("exemption", 'only "trusted_device", and only for a login')
    return CreateRequest(
        customer_id=customer_id, described=described, ttl=_ttl(body, settings),
        callback_url=_callback(body, settings),
        client_reference=_text(body, "client_reference", 64), exemption=exemption,
    )  # fmt: skip
