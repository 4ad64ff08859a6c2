"""What ``acs serve`` checks before it starts (docs/security.md, "Profiles").

:func:`startup_refusals` is a flat checklist of one-line refusals, each naming the setting:
the files the config names (TLS certificates and keys, CA bundles, the JWKS file) must be
readable in any profile; in production every development shortcut is refused too
(:func:`production_refusals`). Any line stops start-up with exit status 2. In development
:func:`development_warning` says, in one line, which shortcuts are on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlsplit

from acs.config import Settings
from acs.crypto.keys import KeyFileError, missing_keys

__all__ = ["development_warning", "production_refusals", "startup_refusals"]

GUIDE = 'docs/operator-guide.md, "Production checklist"'


def startup_refusals(settings: Settings) -> list[str]:
    """Every reason not to start: unreadable named files, then (production) each shortcut."""
    refusals = list(_unreadable_files(settings))
    if settings.production:
        refusals += production_refusals(settings)
    return refusals


def production_refusals(settings: Settings) -> list[str]:
    """The development shortcuts a production ``acs serve`` refuses, one line each."""
    refusals = []
    if settings.sms_gateway == "outbox":
        refusals.append(
            'sms_gateway: "outbox" is a development gateway (codes kept in memory and served'
            ' at /dev/sms); use "webhook" in production'
        )
    if settings.push_gateway == "log":
        refusals.append(
            'push_gateway: "log" is a development gateway (notifications only logged); use'
            ' "webhook" in production'
        )
    refusals += _keys(settings)
    refusals += _public_base_url(settings.public_base_url)
    refusals += _ds_listener(settings)
    if not settings.identity_provider.configured:
        refusals.append(
            "identity_provider: not configured; set issuer and jwks_file or jwks_url (the"
            " bank's identity provider signs the customers' and staff's tokens)"
        )
    refusals += _banking(settings)
    for scheme in settings.schemes_without_ds_urls:
        refusals.append(
            f"schemes.{scheme}.ds_urls: empty; list the {scheme} Directory Server URL"
            " prefixes RReqs may be sent to (an AReq's dsURL must match one)"
        )
    return refusals


MIN_CALLBACK_SECRET = 32  # characters: at least 128 bits of a random hex or base64 secret


def _banking(settings: Settings) -> Iterator[str]:
    """The banking callbacks go to https URLs only, signed with a long secret."""
    banking = settings.banking
    for url in banking.callback_urls:
        if not url.startswith("https://"):
            yield f"banking.callback_urls: {url!r} is not https (callbacks carry decisions)"
    if banking.callback_urls and len(banking.callback_secret) < MIN_CALLBACK_SECRET:
        yield (
            f"banking.callback_secret: at least {MIN_CALLBACK_SECRET} characters when"
            " callback_urls are set (it signs every callback)"
        )


def development_warning(settings: Settings) -> str:
    """One line saying this is a development server, and which shortcuts are on."""
    on = []
    if settings.sms_gateway == "outbox":
        on.append("dev SMS inbox at /dev/sms (shows every code)")
    if settings.push_gateway == "log":
        on.append("push notifications only logged")
    on.append(f"dev keys generated in {settings.keys_dir} when missing")
    if not settings.listeners.configured:
        on.append("one port for everything")
    if not settings.base_url.startswith("https://"):
        on.append("plain HTTP")
        on.append(
            f"public_base_url {settings.base_url} is http: a 2.3.1 challenge ARes would carry"
            " an http acsURL, which the 2.3.1 schema forbids (serve over https, or let the"
            " 3DS Server use 2.2.0 as the demo's does)"
        )
    return (
        f'development server (profile = "development"): {", ".join(on)};'
        f" not for production ({GUIDE})"
    )


def _keys(settings: Settings) -> Iterator[str]:
    try:
        missing = missing_keys(settings.keys_dir, settings.card_ranges)
    except KeyFileError as exc:
        yield f"keys_dir: {exc}"
        return
    if missing:
        yield (
            f"keys_dir: {settings.keys_dir} lacks {', '.join(missing)}; production never"
            " generates dev keys: install the bank's keys (docs/operator-guide.md, Keys)"
        )


def _public_base_url(url: str) -> Iterator[str]:
    parts = urlsplit(url)
    if not url:
        yield (
            "public_base_url: not set (acsURL would be plain HTTP); set the https URL the"
            " cardholders' browsers and phones reach the ACS at"
        )
    elif parts.scheme != "https" or not parts.netloc:
        yield f"public_base_url: {url!r} is not https; browsers and phones reach the ACS over TLS"


def _ds_listener(settings: Settings) -> Iterator[str]:
    ds = settings.listeners.ds
    if ds is None:
        yield (
            "listeners.ds: not configured; production takes AReqs only on [listeners.ds],"
            " with TLS and the schemes' client CAs (mutual TLS)"
        )
    elif not ds.tls:
        yield "listeners.ds.tls_cert: empty; the ds listener needs TLS (tls_cert and tls_key)"
    for scheme in settings.range_schemes:
        if not settings.scheme(scheme).ds_client_ca:
            yield (
                f"schemes.{scheme}.ds_client_ca: empty; the ds listener needs the CA bundle of"
                f" the {scheme} Directory Server's client certificates"
            )


# --- files the config names -----------------------------------------------------------------


def _unreadable_files(settings: Settings) -> Iterator[str]:
    for key, path, kind in _named_files(settings):
        problem = _file_problem(path, kind)
        if problem:
            yield f"{key}: {path}: {problem}"


def _named_files(settings: Settings) -> Iterator[tuple[str, str, str]]:
    """(setting, path, "pem" or "jwks") for every file path set in the config."""
    for name in ("ds", "public", "admin"):
        listener = getattr(settings.listeners, name)
        if listener is not None:
            yield f"listeners.{name}.tls_cert", listener.tls_cert, "pem"
            yield f"listeners.{name}.tls_key", listener.tls_key, "pem"
    for scheme, table in settings.schemes.items():
        yield f"schemes.{scheme}.ds_client_ca", table.ds_client_ca, "pem"
        yield f"schemes.{scheme}.rreq_client_cert", table.rreq_client_cert, "pem"
        yield f"schemes.{scheme}.rreq_client_key", table.rreq_client_key, "pem"
    yield "identity_provider.jwks_file", settings.identity_provider.jwks_file, "jwks"


def _file_problem(path: str, kind: str) -> str | None:
    """What is wrong with a named file (``None``: fine, or no path set)."""
    if not path:
        return None
    try:
        with open(path, "rb") as handle:
            content = handle.read(1024 * 1024)
    except FileNotFoundError:
        return "no such file"
    except IsADirectoryError:
        return "is a folder, not a file"
    except PermissionError:
        return "not readable by this user"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if kind == "pem" and b"-----BEGIN " not in content:
        return "not PEM (no -----BEGIN line)"
    if kind == "jwks" and not _is_jwks(content):
        return 'not a JWKS (a JSON object with a "keys" array)'
    return None


def _is_jwks(content: bytes) -> bool:
    try:
        keys = json.loads(content).get("keys")
    except (ValueError, AttributeError):
        return False
    return isinstance(keys, list)
