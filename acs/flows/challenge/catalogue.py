"""The challenge window's texts: one message catalogue (gettext ``.po``, read with Babel).

``locale/<lang>/LC_MESSAGES/challenge.po`` holds one entry per message: ``msgid`` is the key the
templates and flows use, ``msgstr`` the text. French is the bank's language and the default;
English is the second language. Both catalogues are read once at import into
:class:`babel.support.Translations`; a key missing from either is an import error, so the two
languages never drift apart.

Language of a challenge (issue #13): the AReq's ``browserLanguage`` (app channel: the SDK's
locale, ``deviceInfo`` C005), then the page request's ``Accept-Language``, then French.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.messages.pofile import read_po
from babel.support import Translations

__all__ = [
    "BANK_HELP_PHONE",
    "BANK_TIME_ZONE",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "TEXTS",
    "areq_language",
    "format_when",
    "negotiate",
]

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "challenge"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
BABEL_LOCALE = {"fr": "fr_FR", "en": "en_GB"}
BANK_TIME_ZONE = ZoneInfo("Europe/Paris")
BANK_HELP_PHONE = "01 99 00 39 99"  # the demo bank's card help line (ARCEP fiction range)


def _translations(language: str) -> Translations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    translations = Translations(domain=DOMAIN)
    translations._catalog = {
        m.id: m.string for m in catalog if isinstance(m.id, str) and isinstance(m.string, str)
    }
    return translations


def _table(translations: Translations) -> dict[str, str]:
    items = translations._catalog.items()
    return {key: text for key, text in items if isinstance(key, str) and key and text}


def _texts() -> dict[str, dict[str, str]]:
    texts = {lang: _table(_translations(lang)) for lang in LANGUAGES}
    reference = set(texts[DEFAULT_LANGUAGE])
    for lang, table in texts.items():
        if set(table) != reference:
            missing = sorted(reference ^ set(table))
            raise RuntimeError(f"challenge catalogue {lang!r} out of step: {missing}")
    return texts


TEXTS: Mapping[str, Mapping[str, str]] = _texts()


def _supported(tag: str) -> str | None:
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def _accept_language(header: str) -> list[str]:
    """The tags of an ``Accept-Language`` header, most preferred first (q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag.strip() and quality > 0:
            ranked.append((-quality, index, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(areq_language: str | None, accept_language: str | None) -> str:
    """The challenge's language: the AReq's, then the page request's, else French."""
    if areq_language and (found := _supported(areq_language)):
        return found
    for tag in _accept_language(accept_language or ""):
        if found := _supported(tag):
            return found
    return DEFAULT_LANGUAGE


def areq_language(message: Mapping[str, Any]) -> str | None:
    """A language we have, named by the AReq: ``browserLanguage`` (browser), the SDK's locale
    (app: ``deviceInfo`` data element C005, e.g. ``fr_FR``); ``None`` otherwise."""
    tag = message.get("browserLanguage")
    if not tag and message.get("deviceChannel") == "01":
        tag = _sdk_locale(message.get("deviceInfo"))
    return _supported(tag) if isinstance(tag, str) and tag else None


def _sdk_locale(device_info: Any) -> str | None:
    if not isinstance(device_info, str) or len(device_info) > 64000:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(device_info + "=" * (-len(device_info) % 4)))
    except (ValueError, TypeError):
        return None
    dd = data.get("DD") if isinstance(data, dict) else None
    locale = dd.get("C005") if isinstance(dd, dict) else None
    return locale if isinstance(locale, str) else None


def format_when(moment: datetime, language: str) -> str:
    """Date and time in the bank's time zone, e.g. ``3 déc. 2026, 12:47`` (naive means UTC)."""
    locale = BABEL_LOCALE.get(language, BABEL_LOCALE[DEFAULT_LANGUAGE])
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    local = aware.astimezone(BANK_TIME_ZONE)
    day = format_date(local, "medium", locale=locale)
    return f"{day}, {format_time(local, 'HH:mm', locale=locale)}"
