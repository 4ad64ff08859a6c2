"""Settings: one frozen object built from defaults, a TOML file and the environment.

Precedence, lowest first: built-in dev defaults, the TOML file (``--config`` or ``ACS_CONFIG``),
then ``ACS_DATABASE_URL`` and ``ACS_KEYS_DIR``. A wrong key or value stops start-up with a
:class:`ConfigError` that names it (``risk.low_value_max_minor: expected an integer``).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "Banking",
    "CardRange",
    "ConfigError",
    "IdentityProvider",
    "Listener",
    "Listeners",
    "Profile",
    "RiskThresholds",
    "Scheme",
    "SchemeSettings",
    "Settings",
    "load_settings",
]

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./var/acs.db"
DEFAULT_KEYS_DIR = "./var/keys"


class ConfigError(Exception):
    """A config key is unknown or has a bad value; ``key`` names it as ``table.key``."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


class Scheme(StrEnum):
    """The card scheme of a range: decides the authentication value algorithm and the ECI."""

    VISA = "visa"
    MASTERCARD = "mastercard"


@dataclass(frozen=True)
class CardRange:
    """A BIN range this ACS serves, inclusive, compared on 16-digit left-justified PANs."""

    start: str
    end: str
    scheme: Scheme
    method_url: bool = True  # advertise the 3DS Method URL for this range

    def contains(self, pan: str) -> bool:
        key = pan[:16].ljust(16, "0")
        return self.start <= key <= self.end


DEV_RANGES = (
    CardRange("4970100000000000", "4970109999999999", Scheme.VISA),
    CardRange("5132850000000000", "5132859999999999", Scheme.MASTERCARD),
)


class Profile(StrEnum):
    """``development`` (default: dev SMS inbox, generated keys, one port) or ``production``
    (``acs serve`` refuses every development shortcut, docs/security.md)."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


@dataclass(frozen=True)
class Listener:
    """One ``[listeners.<name>]`` table: where it listens, and its TLS certificate (PEM paths)."""

    host: str = "127.0.0.1"
    port: int = 0
    tls_cert: str = ""
    tls_key: str = ""

    @property
    def tls(self) -> bool:
        return bool(self.tls_cert)


@dataclass(frozen=True)
class Listeners:
    """The three listeners (docs/security.md): ``ds`` (AReqs only, mutual TLS), ``public``
    (cardholder browser and phone), ``admin`` (back office, metrics, readiness, dev routes).
    None configured: everything on ``host``:``port``, as in development."""

    ds: Listener | None = None
    public: Listener | None = None
    admin: Listener | None = None

    @property
    def configured(self) -> bool:
        return any((self.ds, self.public, self.admin))


@dataclass(frozen=True)
class SchemeSettings:
    """One ``[schemes.<scheme>]`` table: how this ACS trusts and reaches the scheme's DS."""

    ds_client_ca: str = ""  # PEM bundle: the CAs of the DS client certificates (ds listener)
    ds_urls: tuple[str, ...] = ()  # URL prefixes RReqs may be sent to (an AReq's dsURL)
    rreq_client_cert: str = ""  # PEM paths: the ACS's client certificate when sending RReqs
    rreq_client_key: str = ""


@dataclass(frozen=True)
class IdentityProvider:
    """The ``[identity_provider]`` table: the bank's online-banking identity provider, whose
    signed JWTs (ES256 or RS256) authorise the customers' pre-device calls and the staff."""

    issuer: str = ""  # the ``iss`` every token must carry
    jwks_file: str = ""  # its public keys as a JWKS file ...
    jwks_url: str = ""  # ... or URL (cached, refetched for an unknown ``kid``)
    jwks_cache_seconds: int = 300
    customer_audience: str = "acs-securpass"  # ``aud`` of the Banxo app's tokens
    staff_audience: str = "acs-backoffice"  # ``aud`` of the staff tokens
    banking_audience: str = "acs-banking"  # ``aud`` of the online-banking back end's tokens
    max_token_minutes: int = 15  # a token living longer than this (exp - iat) is refused
    leeway_seconds: int = 30  # clock skew tolerated on exp and iat
    # Login strength the bank requires before a phone is activated: the token's ``acr`` is one
    # of these, and its ``amr`` holds each method of activation_amr.
    activation_acr: tuple[str, ...] = ("substantial", "high")
    activation_amr: tuple[str, ...] = ()
    # The back office's login (docs/backoffice.md): OpenID Connect authorisation code with PKCE.
    # The endpoints come from {issuer}/.well-known/openid-configuration unless given here.
    staff_client_id: str = "acs-backoffice"  # the ID token's ``aud``
    staff_client_secret: str = ""  # empty: a public client (PKCE alone)
    staff_redirect_uri: str = ""  # empty: <the request's origin>/backoffice/callback
    staff_authorization_endpoint: str = ""
    staff_token_endpoint: str = ""
    staff_session_idle_minutes: int = 15  # a back-office session unused this long ends
    staff_session_max_hours: int = 10  # ... and any session after this long

    @property
    def configured(self) -> bool:
        return bool(self.issuer and (self.jwks_file or self.jwks_url))


# The operation types a bank usually lets SMS codes approve (SP-22, SP-43); viewing the PIN and
# the digital card (wallet enrolment) are Sécur'Pass only (SP-6) and never listed here.
DEFAULT_SMS_TYPES = (
    "login",
    "transfer",
    "add_beneficiary",
    "card_limit_increase",
    "contact_change",
    "e_signature",
    "cardless_withdrawal",
    "pis_payment",
)


# SP-6: "some features (viewing the card PIN, the digital card) exist only with Sécur'Pass".
_SECURPASS_ONLY = ("view_card_pin", "wallet_enrolment")


@dataclass(frozen=True)
class Banking:
    """The ``[banking]`` table: the banking operations API (``/banking/v1``, admin listener)
    for the bank's online-banking back end (docs/banking-operations.md)."""

    clients: tuple[str, ...] = ()  # the ``client`` claims accepted; empty: any client
    callback_urls: tuple[str, ...] = ()  # URL prefixes a callback may go to; empty: none
    callback_secret: str = ""  # HMAC-SHA-256 key of the callback signature (Banxo-Signature)
    sms_types: tuple[str, ...] = DEFAULT_SMS_TYPES  # types an SMS code may approve
    refusal_blocks_account: bool = False  # a fraud declaration asks the bank to block
    trusted_device_logins: bool = True  # SP-42: a login from the trusted phone may skip SCA
    default_ttl_seconds: int = 300
    max_ttl_seconds: int = 900
    max_wait_seconds: int = 30  # the status long-poll's longest ``wait``
    callback_timeout_seconds: float = 5.0
    callback_retry_seconds: float = 10.0
    callback_give_up_hours: float = 24.0


@dataclass(frozen=True)
class RiskThresholds:
    """Every number the risk rules (:mod:`acs.risk`) use: the ``[risk]`` table of the config file.

    Amounts are in minor units of ``currency`` (EUR cents by default).
    """

    currency: str = "978"
    low_value_max_minor: int = 3000  # RTS Art. 16: at most 30 EUR per transaction
    low_value_max_count: int = 5  # ... and at most 5 exempted in a row since the last SCA
    low_value_max_cumulative_minor: int = 10000  # ... or 100 EUR cumulated since the last SCA
    low_value_limit: str = "count"  # "count" or "cumulative": the issuer applies one of them
    issuer_tra_enabled: bool = True
    issuer_fraud_rate_bps: float = 5.0  # the issuer's own measured card-not-present fraud rate
    tra_band_limits_minor: tuple[int, ...] = (10000, 25000, 50000)  # ETV bands, RTS annex
    tra_band_reference_bps: tuple[float, ...] = (13.0, 6.0, 1.0)  # reference fraud rates
    # The ETV bands (by their limit) the fraud-rate monitor closed (RTS Art. 20): set at run
    # time by acs.flows.backoffice.monitor, which also replaces issuer_fraud_rate_bps (then
    # only its starting value) by the rates it measured (docs/backoffice.md).
    tra_closed_bands: tuple[int, ...] = ()
    acquirer_tra_max_minor: int = 50000  # above the top ETV band no TRA exemption exists
    trust_list_enabled: bool = True
    decoupled_max_time_cap_minutes: int = 10  # a cap on threeDSRequestorDecMaxTime
    decoupled_min_time_minutes: int = 1  # less time than this: reason 25
    new_browser_challenges: bool = True  # an unknown browser on a risky amount needs SCA
    secure_corporate_enabled: bool = False  # RTS Art. 17: only once the authority agreed


@dataclass(frozen=True)
class Settings:
    profile: Profile = Profile.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = ""  # what acsURL is built on; default http://{host}:{port}
    database_url: str = DEFAULT_DATABASE_URL
    keys_dir: str = DEFAULT_KEYS_DIR
    acs_reference_number: str = "3DS_LOA_ACS_SECP_020300_00001"
    acs_operator_id: str = "ACS-SECURPASS-01"
    max_body_bytes: int = 64 * 1024
    log_level: str = "INFO"
    # "outbox" (dev: in memory, read by the simulated phone at /dev/sms) | "webhook"
    sms_gateway: str = "outbox"
    sms_webhook_url: str = ""
    sms_webhook_token: str = ""
    push_gateway: str = "log"  # "log" | "webhook"
    push_webhook_url: str = ""
    push_webhook_token: str = ""
    securpass_refusal_opposes_card: bool = True  # SP-56: "not_me" opposes the card for fraud
    # Push bombing (docs/reliability.md, Limits): operations per customer, then the fallback.
    max_pending_operations: int = 3  # pending at once
    max_operations_per_10_minutes: int = 10  # created in any 10 minutes
    push_limit_action: str = "sms"  # "sms" (SMS OTP if a secure mobile) | "refuse" (N / 19)
    # SMS bombing and enrolment abuse (docs/reliability.md, Limits): activation codes per
    # customer, and enrolment starts + activations per client address, in any hour.
    activation_codes_per_hour: int = 3
    enrolment_calls_per_address_per_hour: int = 30
    # Reverse proxies (CIDRs) whose X-Forwarded-For names the client; none: the peer is.
    trusted_proxies: tuple[str, ...] = ()
    card_ranges: tuple[CardRange, ...] = DEV_RANGES
    risk: RiskThresholds = field(default_factory=RiskThresholds)
    listeners: Listeners = field(default_factory=Listeners)
    schemes: Mapping[Scheme, SchemeSettings] = field(default_factory=dict)
    identity_provider: IdentityProvider = field(default_factory=IdentityProvider)
    banking: Banking = field(default_factory=Banking)
    # Challenges (docs/challenge-flows.md): the first CReq within 30 s of the ARes (Req 219),
    # a decision within challenge_timeout_seconds (at most 10 min, Req 223/226).
    first_creq_seconds: int = 30
    challenge_timeout_seconds: int = 600
    otp_ttl_seconds: int = 300
    otp_max_attempts: int = 3
    otp_max_resends: int = 2
    otp_max_failures: int = 5  # RTS Art. 4(3)(b): wrong codes in a row per cardholder, then block
    method_data_ttl_seconds: int = 600
    # Results (RReq → DS): read timeout (§5); the client certificate is per scheme (schemes).
    results_read_timeout_seconds: float = 5.0
    results_retry_seconds: float = 10.0
    results_give_up_hours: float = 24.0  # a result not delivered after this is marked failed
    # Database bounds (docs/reliability.md, "Database outage"): opening a connection, waiting
    # for a pooled one (PostgreSQL), one statement (asyncpg command timeout; SQLite lock wait).
    db_connect_timeout_seconds: float = 3.0
    db_pool_timeout_seconds: float = 3.0
    db_statement_timeout_seconds: float = 5.0
    # acs serve (docs/operator-guide.md, "Processes"): SIGTERM → each child stops within this.
    shutdown_grace_seconds: float = 10.0

    @property
    def base_url(self) -> str:
        """What acsURL and the Origin check use: ``public_base_url``, else where the public
        routes listen (``[listeners.public]`` when configured, else ``host:port``)."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        public = self.listeners.public
        if public is not None:
            return f"{'https' if public.tls else 'http'}://{public.host}:{public.port}"
        return f"http://{self.host}:{self.port}"

    def range_for(self, pan: str) -> CardRange | None:
        return next((r for r in self.card_ranges if r.contains(pan)), None)

    def scheme(self, scheme: Scheme) -> SchemeSettings:
        """The scheme's table, or the empty one (no client CA, no DS URLs, no certificate)."""
        return self.schemes.get(scheme) or SchemeSettings()

    @property
    def range_schemes(self) -> tuple[Scheme, ...]:
        """The schemes of the configured card ranges, each once, in order."""
        return tuple(dict.fromkeys(r.scheme for r in self.card_ranges))

    @property
    def schemes_without_ds_urls(self) -> tuple[Scheme, ...]:
        """The range schemes listing no ``ds_urls``: any dsURL in development, fatal in
        production (docs/security.md)."""
        return tuple(s for s in self.range_schemes if not self.scheme(s).ds_urls)

    @property
    def proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """``trusted_proxies`` parsed (checked at load: every entry is a network)."""
        return tuple(ipaddress.ip_network(value) for value in self.trusted_proxies)

    @property
    def production(self) -> bool:
        return self.profile is Profile.PRODUCTION


def load_settings(
    path: str | os.PathLike[str] | None = None,
    *,
    environ: Mapping[str, str] = os.environ,
    **overrides: Any,
) -> Settings:
    """Build the settings; ``overrides`` (e.g. ``port=0`` from the CLI) win over everything."""
    path = path or environ.get("ACS_CONFIG")
    table = _read_toml(Path(path)) if path else {}
    values = _top_level(table)
    if "ACS_DATABASE_URL" in environ:
        values["database_url"] = environ["ACS_DATABASE_URL"]
    if "ACS_KEYS_DIR" in environ:
        values["keys_dir"] = environ["ACS_KEYS_DIR"]
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = Settings(**values)
    _check_choices(settings)
    return settings


_CHOICES = {
    "sms_gateway": ("outbox", "webhook"),
    "push_gateway": ("log", "webhook"),
    "push_limit_action": ("sms", "refuse"),
}


# Bounds the protocol sets: a challenge decision within 10 minutes (EMV 3DS Req 223/226).
_RANGES = {
    "challenge_timeout_seconds": (1, 600),
    "first_creq_seconds": (1, 300),
    "otp_ttl_seconds": (30, 600),
    "otp_max_attempts": (1, 10),
    "otp_max_resends": (0, 5),
    "otp_max_failures": (1, 5),
    "port": (0, 65535),
    "max_body_bytes": (1024, 16 * 1024 * 1024),
    "results_give_up_hours": (1, 24 * 30),
    "db_connect_timeout_seconds": (0.1, 60),
    "db_pool_timeout_seconds": (0.1, 60),
    "db_statement_timeout_seconds": (0.1, 300),
    "max_pending_operations": (1, 20),
    "max_operations_per_10_minutes": (1, 100),
    "activation_codes_per_hour": (1, 20),
    "enrolment_calls_per_address_per_hour": (1, 10_000),
    "shutdown_grace_seconds": (1, 300),
}

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _check_choices(settings: Settings) -> None:
    _check_networks("trusted_proxies", settings.trusted_proxies)
    for key, (low, high) in _RANGES.items():
        if not low <= getattr(settings, key) <= high:
            raise ConfigError(key, f"expected a value from {low} to {high}")
    for key, allowed in _CHOICES.items():
        value = getattr(settings, key)
        if value not in allowed:
            raise ConfigError(key, f"expected one of: {', '.join(allowed)}")
        url_key = key.replace("gateway", "webhook_url")
        if value == "webhook" and not getattr(settings, url_key):
            raise ConfigError(url_key, f"required when {key} is webhook")
    if settings.log_level.upper() not in LOG_LEVELS:
        raise ConfigError("log_level", f"expected one of: {', '.join(LOG_LEVELS)}")
    if settings.public_base_url:
        _check_base_url(settings.public_base_url)


def _check_base_url(url: str) -> None:
    """An absolute http(s) origin, optionally with a path: what acsURL is built on."""
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is not a number raises here
    except ValueError:
        port, parts = None, None
    example = "expected an absolute URL such as https://acs.bank.example"
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError("public_base_url", f"{example}, got {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError("public_base_url", f"{example} (no query, fragment or user), got {url!r}")
    if " " in url or port == 0:
        raise ConfigError("public_base_url", f"{example}, got {url!r}")


def _check_networks(key: str, values: tuple[str, ...]) -> None:
    for value in values:
        try:
            if not isinstance(value, str):  # ip_network(1) would be 0.0.0.1/32
                raise TypeError(value)
            ipaddress.ip_network(value)
        except (TypeError, ValueError):
            raise ConfigError(key, f"{value!r} is not an IP address or network (CIDR)") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("config", f"file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config", f"{path} is not valid TOML: {exc}") from None


_TABLES = (
    "card_ranges", "risk", "listeners", "schemes", "identity_provider", "profile", "banking",
)  # fmt: skip
_SCALARS = {f.name: f for f in dataclasses.fields(Settings) if f.name not in _TABLES}


def _top_level(table: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "card_ranges":
            values["card_ranges"] = _card_ranges(value)
        elif key == "risk":
            values["risk"] = _dataclass_from(RiskThresholds, value, "risk")
        elif key == "listeners":
            values["listeners"] = _listeners(value)
        elif key == "schemes":
            values["schemes"] = _schemes(value)
        elif key == "identity_provider":
            values["identity_provider"] = _dataclass_from(IdentityProvider, value, key)
        elif key == "banking":
            values["banking"] = _banking(value)
        elif key == "profile":
            values["profile"] = _choice(key, value, Profile)
        elif key in _SCALARS:
            values[key] = _typed(key, value, type(getattr(Settings(), key)))
        else:
            raise ConfigError(key, "unknown key")
    return values


_BANKING_RANGES = {
    "default_ttl_seconds": (30, 3600),
    "max_ttl_seconds": (30, 3600),
    "max_wait_seconds": (0, 60),
    "callback_timeout_seconds": (0.5, 60),
    "callback_retry_seconds": (1, 3600),
    "callback_give_up_hours": (1, 24 * 30),
}


def _banking(table: Any) -> Banking:
    banking: Banking = _dataclass_from(Banking, table, "banking")
    for key, (low, high) in _BANKING_RANGES.items():
        if not low <= getattr(banking, key) <= high:
            raise ConfigError(f"banking.{key}", f"expected a value from {low} to {high}")
    if banking.default_ttl_seconds > banking.max_ttl_seconds:
        raise ConfigError("banking.default_ttl_seconds", "is above max_ttl_seconds")
    for kind in banking.sms_types:
        if kind in _SECURPASS_ONLY or kind not in DEFAULT_SMS_TYPES:
            raise ConfigError("banking.sms_types", f"{kind!r} cannot be approved by an SMS code")
    for url in banking.callback_urls:
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise ConfigError("banking.callback_urls", f"{url!r} is not an http(s) URL prefix")
    return banking


def _card_ranges(items: Any) -> tuple[CardRange, ...]:
    if not isinstance(items, list) or not items:
        raise ConfigError("card_ranges", "expected a non-empty array of tables")
    ranges = []
    for i, item in enumerate(items):
        where = f"card_ranges[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(where, "expected a table")
        ranges.append(_card_range(item, where))
    return tuple(ranges)


def _card_range(item: dict[str, Any], where: str) -> CardRange:
    for key in item:
        if key not in ("start", "end", "scheme", "method_url"):
            raise ConfigError(f"{where}.{key}", "unknown key")
    for key in ("start", "end"):
        bound = item.get(key)
        if not (isinstance(bound, str) and bound.isdigit() and len(bound) == 16):
            raise ConfigError(f"{where}.{key}", "expected a 16-digit string")
    if item["start"] > item["end"]:
        raise ConfigError(f"{where}.end", "is below start")
    try:
        scheme = Scheme(item.get("scheme", ""))
    except ValueError:
        raise ConfigError(f"{where}.scheme", "expected one of: visa, mastercard") from None
    method_url = _typed(f"{where}.method_url", item.get("method_url", True), bool)
    return CardRange(item["start"], item["end"], scheme, method_url)


def _listeners(table: Any) -> Listeners:
    if not isinstance(table, dict):
        raise ConfigError("listeners", "expected a table")
    found = {}
    for name, item in table.items():
        if name not in ("ds", "public", "admin"):
            raise ConfigError(f"listeners.{name}", "unknown listener (ds, public or admin)")
        listener = _dataclass_from(Listener, item, f"listeners.{name}")
        if not 0 <= listener.port <= 65535:
            raise ConfigError(f"listeners.{name}.port", "expected a value from 0 to 65535")
        if bool(listener.tls_cert) != bool(listener.tls_key):
            raise ConfigError(f"listeners.{name}.tls_key", "tls_cert and tls_key go together")
        found[name] = listener
    return Listeners(**found)


def _schemes(table: Any) -> dict[Scheme, SchemeSettings]:
    if not isinstance(table, dict):
        raise ConfigError("schemes", "expected a table")
    schemes = {}
    for name, item in table.items():
        scheme = _choice(f"schemes.{name}", name, Scheme)
        schemes[scheme] = _dataclass_from(SchemeSettings, item, f"schemes.{name}")
    return schemes


def _choice(key: str, value: Any, kind: type[StrEnum]) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ConfigError(key, f"expected one of: {allowed}") from None


def _dataclass_from(cls: type, table: Any, prefix: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(prefix, "expected a table")
    defaults = cls()
    values = {}
    for key, value in table.items():
        if not hasattr(defaults, key):
            raise ConfigError(f"{prefix}.{key}", "unknown key")
        values[key] = _typed(f"{prefix}.{key}", value, type(getattr(defaults, key)))
    return dataclasses.replace(defaults, **values)


def _typed(key: str, value: Any, kind: type) -> Any:
    if kind is tuple:
        if not isinstance(value, list):
            raise ConfigError(key, "expected an array")
        return tuple(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise ConfigError(key, f"expected {_NAMES.get(kind, kind.__name__)}")
    return value


_NAMES = {int: "an integer", str: "a string", bool: "true or false", float: "a number"}
