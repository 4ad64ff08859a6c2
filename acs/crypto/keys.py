"""The key ring: every secret the ACS uses, loaded once at start-up and passed down.

Dev keys live in ``keys_dir`` (default ``./var/keys``, mode 0700) as ``secrets.json`` and PEM
files (mode 0600); ``acs keys init`` creates what is missing and never overwrites. A bank
replaces the files with keys from its HSM or KMS ceremony; the layout is documented in
``docs/operator-guide.md``. In production ``acs serve`` creates nothing: it refuses to start
when :func:`missing_keys` names anything.

``secrets.json``::

    {"pan_hmac": b64, "pan_keys": {"k1": b64}, "pan_active_kid": "k1", "pepper": b64,
     "session_wrap": b64, "activation_key": b64, "otp_key": b64, "code_kid": str,
     "ranges": {"<range start>": {"cvk_a": hex16, "cvk_b": hex16, "aav_key": b64,
                                  "key_indicator": "01"}}}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from acs.config import CardRange
from acs.crypto.appchannel import Signer, load_signer
from acs.crypto.authvalue import SchemeKeys
from acs.crypto.devpki import SIGNING_CHAIN, SIGNING_KEY, init_dev_pki
from acs.files import make_private_folder, private_file, write_private

__all__ = ["KeyFileError", "KeyRing", "init_keys", "missing_keys"]

SECRETS_FILE = "secrets.json"
CODE_KEY = "securpass-code-key.pem"


class KeyFileError(Exception):
    """The key files are missing or malformed."""


@dataclass(frozen=True)
class KeyRing:
    pan_hmac: bytes
    pan_keys: dict[str, bytes]
    pan_active_kid: str
    pepper: bytes
    ranges: dict[str, SchemeKeys]  # the authentication-value keys of each card range
    session_wrap: bytes  # encrypts app-channel content keys at rest
    activation_key: bytes  # HMAC key for Sécur'Pass activation codes
    otp_key: bytes  # HMAC key for SMS OTPs
    code_key: ec.EllipticCurvePrivateKey  # the phone encrypts Sécur'Pass codes to it
    code_kid: str
    signer: Signer | None
    directory: Path

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> KeyRing:
        path = Path(directory) / SECRETS_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                pan_hmac=_b64(raw["pan_hmac"]),
                pan_keys={kid: _b64(k) for kid, k in raw["pan_keys"].items()},
                pan_active_kid=raw["pan_active_kid"],
                pepper=_b64(raw["pepper"]),
                ranges={start: _range_keys(v) for start, v in raw["ranges"].items()},
                session_wrap=_b64(raw["session_wrap"]),
                activation_key=_b64(raw["activation_key"]),
                otp_key=_b64(raw["otp_key"]),
                code_key=_code_key(Path(directory)),
                code_kid=raw["code_kid"],
                signer=_signer(Path(directory)),
                directory=Path(directory),
            )
        except FileNotFoundError:
            raise KeyFileError(f"no key file at {path}: run `acs keys init`") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise KeyFileError(f"{path} is malformed ({exc.__class__.__name__}: {exc})") from None

    @property
    def address_key(self) -> bytes:
        """HMAC key of client addresses (rate limits), derived from the pepper: the addresses
        are never stored in clear, and there is no further secret to keep."""
        return hmac.new(self.pepper, b"securpass-acs client address v1", hashlib.sha256).digest()

    def for_range(self, card_range: CardRange) -> SchemeKeys:
        try:
            return self.ranges[card_range.start]
        except KeyError:
            raise KeyFileError(f"no keys for card range {card_range.start}") from None


def init_keys(directory: str | os.PathLike[str], ranges: Iterable[CardRange]) -> list[str]:
    """Create the missing dev keys; return the names created. Existing keys are kept, and
    made owner-only with their folder (files 0600, folder 0700)."""
    folder = make_private_folder(directory)
    _tighten_files(folder)
    path = folder / SECRETS_FILE
    raw = _read_secrets(path)
    created = _fill_missing(raw, ranges)
    if created:
        write_private(path, json.dumps(raw, indent=2, sort_keys=True))
    return created + _init_code_key(folder) + init_dev_pki(folder, write_private)


def missing_keys(directory: str | os.PathLike[str], ranges: Iterable[CardRange]) -> list[str]:
    """What :func:`init_keys` would create, creating nothing. A malformed ``secrets.json``
    raises :class:`KeyFileError`."""
    folder = Path(directory)
    path = folder / SECRETS_FILE
    missing = _fill_missing(_read_secrets(path), ranges)  # fills a copy that is dropped
    if not (folder / CODE_KEY).exists():
        missing.append(CODE_KEY)
    if not ((folder / SIGNING_KEY).exists() and (folder / SIGNING_CHAIN).exists()):
        missing += [SIGNING_KEY, SIGNING_CHAIN]
    return missing


def _read_secrets(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeyFileError(f"{path} cannot be read ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("ranges", {}), dict):
        raise KeyFileError(f"{path} is malformed (expected a JSON object with a ranges object)")
    return raw


def _tighten_files(folder: Path) -> None:
    """Key files written by an older version (public certificates at 0644) become 0600."""
    for path in folder.iterdir():
        if path.is_file():
            private_file(path)


def _init_code_key(folder: Path) -> list[str]:
    path = folder / CODE_KEY
    if path.exists():
        return []
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_private(path, pem.decode())
    return [CODE_KEY]


def _code_key(folder: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key((folder / CODE_KEY).read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"{CODE_KEY} is not an EC key")
    return key


def _fill_missing(raw: dict[str, Any], ranges: Iterable[CardRange]) -> list[str]:
    created = []
    defaults: dict[str, Callable[[], object]] = {
        "pan_hmac": lambda: _rand_b64(32),
        "pan_keys": lambda: {"k1": _rand_b64(32)},
        "pan_active_kid": lambda: "k1",
        "pepper": lambda: _rand_b64(32),
        "session_wrap": lambda: _rand_b64(32),
        "activation_key": lambda: _rand_b64(32),
        "otp_key": lambda: _rand_b64(32),
        "code_kid": lambda: "code-" + secrets.token_hex(4),
        "ranges": dict,
    }
    for name, make in defaults.items():
        if name not in raw:
            raw[name] = make()
            created.append(name)
    for card_range in ranges:
        if card_range.start not in raw["ranges"]:
            raw["ranges"][card_range.start] = {
                "cvk_a": secrets.token_hex(8),
                "cvk_b": secrets.token_hex(8),
                "aav_key": _rand_b64(32),
                "key_indicator": "01",
            }
            created.append(f"ranges.{card_range.start}")
    return created


def _signer(folder: Path) -> Signer | None:
    key, chain = folder / SIGNING_KEY, folder / SIGNING_CHAIN
    if not (key.exists() and chain.exists()):
        return None
    return load_signer(key.read_bytes(), chain.read_bytes())


def _range_keys(raw: dict[str, str]) -> SchemeKeys:
    return SchemeKeys(
        cvk_a=bytes.fromhex(raw["cvk_a"]),
        cvk_b=bytes.fromhex(raw["cvk_b"]),
        aav_key=_b64(raw["aav_key"]),
        key_indicator=raw.get("key_indicator", "01"),
    )


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _rand_b64(size: int) -> str:
    return base64.b64encode(secrets.token_bytes(size)).decode()
