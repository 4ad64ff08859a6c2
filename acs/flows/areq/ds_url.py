"""The dsURL allow-list (issue #11 point 4): RReqs go only where the card's scheme allows.

``[schemes.<name>] ds_urls`` lists URL prefixes. A dsURL matches a prefix when, parsed, its
scheme, host and port equal the prefix's (the port defaulting to 443/80), it has no user info,
and its path is the prefix's path or continues it past a ``/``: ``https://ds.visa.test/3ds``
accepts ``https://ds.visa.test/3ds/rreq`` but neither ``https://ds.visa.test/3dsx`` nor
``https://ds.visa.test.evil.example/3ds``. A path with a ``.`` or ``..`` segment (percent-encoded
or not) never matches: the HTTP client would resolve it outside the prefix.

In development a scheme with no ``ds_urls`` accepts any URL, with one warning per scheme per
process; in production such a scheme stops start-up (``Settings.schemes_without_ds_urls``), and
should one get this far its AReqs are refused all the same.
"""

from __future__ import annotations

import logging
from urllib.parse import SplitResult, unquote, urlsplit

from acs.config import Scheme, Settings
from acs.protocol import ProtocolError

__all__ = ["check_ds_url", "ds_url_allowed"]

log = logging.getLogger("acs.flows.areq.ds_url")

_DEFAULT_PORTS = {"https": 443, "http": 80}
# Schemes already warned about in this process: the warning says it once, not per AReq.
_warned: set[Scheme] = set()


def check_ds_url(ds_url: str | None, scheme: Scheme, settings: Settings) -> None:
    """Raise Erro 203 naming ``dsURL`` when ``ds_url`` is outside the scheme's ``ds_urls``."""
    if ds_url is None:
        return  # no RReq will be sent (the results outbox records "no dsURL")
    prefixes = settings.scheme(scheme).ds_urls
    if not prefixes and not settings.production:
        _warn_once(scheme)
        return
    if not any(ds_url_allowed(ds_url, prefix) for prefix in prefixes):
        log.warning("AReq refused: dsURL outside schemes.%s.ds_urls", scheme)
        raise ProtocolError.invalid(["dsURL"])


def ds_url_allowed(url: str, prefix: str) -> bool:
    """Whether ``url`` lies under ``prefix`` (the rule in the module docstring)."""
    try:
        got, want = urlsplit(url), urlsplit(prefix)
        same_origin = _origin(got) == _origin(want)
    except ValueError:  # a port that is not a number, a bad IPv6 literal
        return False
    if not same_origin or got.username is not None or got.password is not None:
        return False
    path = got.path or "/"
    if any(segment in (".", "..") for segment in unquote(path).split("/")):
        return False
    base = want.path.rstrip("/")
    return path == base or path.startswith(base + "/")


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


def _warn_once(scheme: Scheme) -> None:
    if scheme in _warned:
        return
    _warned.add(scheme)
    log.warning(
        "schemes.%s.ds_urls is empty: RReqs of %s cards may go to any dsURL "
        "(development only; production refuses to start)",
        scheme,
        scheme,
    )
