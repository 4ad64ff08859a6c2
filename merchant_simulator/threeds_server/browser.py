"""The cardholder's browser as the checkout page saw it (JavaScript values plus request headers)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["BrowserInfo", "InvalidBrowserInfo"]

_COLOR_DEPTHS = ("1", "4", "8", "15", "16", "24", "32", "48")
_DIGITS = re.compile(r"^[0-9]{1,6}$")
_TZ = re.compile(r"^[+-]?[0-9]{1,4}$")


class InvalidBrowserInfo(ValueError):
    """Browser data that cannot go into an AReq; ``field`` names the first bad one."""

    def __init__(self, field: str) -> None:
        super().__init__(f"browser.{field} is missing or invalid")
        self.field = field


@dataclass(frozen=True)
class BrowserInfo:
    """What a browser AReq says about the browser [emv3ds.md §2.1, Browser]."""

    accept_header: str
    user_agent: str
    ip: str | None
    language: str
    languages: tuple[str, ...]
    color_depth: str
    screen_height: str
    screen_width: str
    tz: str
    java_enabled: bool = False
    javascript_enabled: bool = True

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> BrowserInfo:
        """Read the ``browser`` object of the 3DS Server API, checking each value's format."""
        info = cls(
            accept_header=_text(data, "acceptHeader", 2048),
            user_agent=_text(data, "userAgent", 2048),
            ip=_ip(data.get("ip")),
            language=_language(_text(data, "language", 35)),
            languages=_languages(data.get("languages"), data.get("language")),
            color_depth=_color_depth(data.get("colorDepth")),
            screen_height=_matching(data, "screenHeight", _DIGITS),
            screen_width=_matching(data, "screenWidth", _DIGITS),
            tz=_matching(data, "tz", _TZ),
            java_enabled=data.get("javaEnabled") is True,
            javascript_enabled=data.get("javascriptEnabled", True) is not False,
        )
        return info

    def to_api(self) -> dict[str, Any]:
        """The inverse of :meth:`from_api` (what the shop sends)."""
        return {
            "acceptHeader": self.accept_header,
            "userAgent": self.user_agent,
            "ip": self.ip,
            "language": self.language,
            "languages": list(self.languages),
            "colorDepth": self.color_depth,
            "screenHeight": self.screen_height,
            "screenWidth": self.screen_width,
            "tz": self.tz,
            "javaEnabled": self.java_enabled,
            "javascriptEnabled": self.javascript_enabled,
        }


def _text(data: Mapping[str, Any], key: str, limit: int) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidBrowserInfo(key)
    return value.strip()[:limit]


def _matching(data: Mapping[str, Any], key: str, pattern: re.Pattern[str]) -> str:
    value = str(data.get(key, "")).strip()
    if not pattern.match(value):
        raise InvalidBrowserInfo(key)
    return value


def _ip(value: object) -> str | None:
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        return None  # browserIP is optional: leave it out rather than send a bad one


def _language(tag: str) -> str:
    # browserLanguage is at most 8 characters; keep the primary subtag of a longer tag.
    return tag if len(tag) <= 8 else tag.split("-")[0][:8]


def _languages(values: object, fallback: object) -> tuple[str, ...]:
    items = values if isinstance(values, list) else [fallback]
    tags = tuple(str(v)[:35] for v in items if isinstance(v, str) and v.strip())
    return tags[:99] or ("fr-FR",)


def _color_depth(value: object) -> str:
    depth = str(value).strip()
    if depth in _COLOR_DEPTHS:
        return depth
    # Browsers may report 30 (10-bit panels); the spec list has no such value: round down.
    numeric = int(depth) if depth.isdigit() else 0
    lower = [d for d in _COLOR_DEPTHS if int(d) <= numeric]
    if not lower:
        raise InvalidBrowserInfo("colorDepth")
    return lower[-1]
