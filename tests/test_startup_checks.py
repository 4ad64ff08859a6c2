"""The production profile: each development shortcut refused with one line naming the setting,
a complete production config accepted, `acs serve` refusing before it starts anything, and the
dev routes present in development only."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from jwcrypto.jwk import JWK

from acs.cli import main
from acs.config import (
    IdentityProvider,
    Listener,
    Listeners,
    Profile,
    Scheme,
    SchemeSettings,
    Settings,
)
from acs.crypto.keys import init_keys
from acs.startup_checks import development_warning, production_refusals, startup_refusals
from acs.web import create_app


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _certificate(name: str, key: ec.EllipticCurvePrivateKey, *, ca: bool) -> bytes:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, str]:
    """The ds listener's TLS certificate and key, and one client CA bundle per scheme."""
    folder = tmp_path / "pki"
    folder.mkdir()
    tls_key = ec.generate_private_key(ec.SECP256R1())
    files = {"tls_cert": _certificate("acs-ds.bank.test", tls_key, ca=False)}
    files["tls_key"] = _key_pem(tls_key)
    for scheme in ("visa", "mastercard"):
        ca_key = ec.generate_private_key(ec.SECP256R1())
        files[f"{scheme}_ca"] = _certificate(f"{scheme} DS client CA", ca_key, ca=True)
    for name, content in files.items():
        (folder / f"{name}.pem").write_bytes(content)
    return {name: str(folder / f"{name}.pem") for name in files}


@pytest.fixture
def jwks_file(tmp_path: Path) -> str:
    """The identity provider's public keys, as a JWKS file."""
    key = JWK.generate(kty="EC", crv="P-256", kid="idp-2026-12")
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [key.export_public(as_dict=True)]}), encoding="utf-8")
    return str(path)


@pytest.fixture
def production(tmp_path: Path, pki: dict[str, str], jwks_file: str) -> Settings:
    """A production config with everything right: the baseline each test breaks once."""
    keys_dir = tmp_path / "prod-keys"
    init_keys(keys_dir, Settings().card_ranges)  # stands for the bank's installed keys
    return Settings(
        profile=Profile.PRODUCTION,
        public_base_url="https://acs.bank.test",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'prod' / 'acs.db'}",
        keys_dir=str(keys_dir),
        sms_gateway="webhook",
        sms_webhook_url="https://sms.bank.test/send",
        push_gateway="webhook",
        push_webhook_url="https://push.bank.test/send",
        listeners=Listeners(
            ds=Listener("0.0.0.0", 8443, pki["tls_cert"], pki["tls_key"]),
            public=Listener("0.0.0.0", 443, pki["tls_cert"], pki["tls_key"]),
            admin=Listener("127.0.0.1", 9000),
        ),
        schemes={
            Scheme.VISA: SchemeSettings(pki["visa_ca"], ("https://ds.visa.test/",)),
            Scheme.MASTERCARD: SchemeSettings(pki["mastercard_ca"], ("https://ds.mc.test/",)),
        },
        identity_provider=IdentityProvider(issuer="https://idp.bank.test", jwks_file=jwks_file),
    )


def _scheme(settings: Settings, scheme: Scheme, **changes: object) -> Settings:
    tables = dict(settings.schemes)
    tables[scheme] = dataclasses.replace(tables[scheme], **changes)
    return dataclasses.replace(settings, schemes=tables)


def test_a_complete_production_config_passes(production):
    """Webhook gateways, installed keys, https, the ds listener with TLS and client CAs, the
    identity provider's JWKS and each scheme's DS URLs: nothing is refused."""
    assert startup_refusals(production) == []


def _only(settings: Settings) -> str:
    refusals = startup_refusals(settings)
    assert len(refusals) == 1, refusals
    return refusals[0]


def test_outbox_sms_gateway_is_refused(production):
    """The outbox SMS gateway (and with it the /dev/sms inbox) is refused in production."""
    settings = dataclasses.replace(production, sms_gateway="outbox")
    assert _only(settings) == (
        'sms_gateway: "outbox" is a development gateway (codes kept in memory and served at'
        ' /dev/sms); use "webhook" in production'
    )


def test_log_push_gateway_is_refused(production):
    """The log push gateway is refused in production."""
    settings = dataclasses.replace(production, push_gateway="log")
    assert _only(settings).startswith('push_gateway: "log" is a development gateway')


def test_missing_keys_are_refused_not_generated(production, tmp_path):
    """An empty keys_dir is refused with what is missing, and nothing is created in it."""
    empty = tmp_path / "no-keys"
    empty.mkdir()
    line = _only(dataclasses.replace(production, keys_dir=str(empty)))
    assert line.startswith(f"keys_dir: {empty} lacks pan_hmac, pan_keys,")
    assert "production never generates dev keys" in line
    assert list(empty.iterdir()) == []


def test_keys_missing_for_a_card_range_are_refused(production):
    """A card range with no keys in secrets.json is refused: serve would generate them."""
    extra = dataclasses.replace(Settings().card_ranges[0], start="4970110000000000",
                                end="4970119999999999")  # fmt: skip
    settings = dataclasses.replace(production, card_ranges=(*production.card_ranges, extra))
    assert "lacks ranges.4970110000000000;" in _only(settings)


def test_malformed_secrets_file_is_one_line(production):
    """A secrets.json that is not JSON gives a keys_dir line, not a traceback."""
    (Path(production.keys_dir) / "secrets.json").write_text("{not json", encoding="utf-8")
    assert _only(production).startswith("keys_dir: ")


def test_empty_public_base_url_is_refused(production):
    """No public_base_url (acsURL would be http://host:port) is refused."""
    line = _only(dataclasses.replace(production, public_base_url=""))
    assert line.startswith("public_base_url: not set")


def test_http_public_base_url_is_refused(production):
    """A public_base_url that is not https is refused, naming the value."""
    line = _only(dataclasses.replace(production, public_base_url="http://acs.bank.test"))
    assert line == (
        "public_base_url: 'http://acs.bank.test' is not https; browsers and phones reach the"
        " ACS over TLS"
    )


def test_missing_ds_listener_is_refused(production):
    """No [listeners.ds] is refused."""
    listeners = dataclasses.replace(production.listeners, ds=None)
    line = _only(dataclasses.replace(production, listeners=listeners))
    assert line.startswith("listeners.ds: not configured;")


def test_ds_listener_without_tls_is_refused(production):
    """A ds listener without a certificate is refused."""
    listeners = dataclasses.replace(production.listeners, ds=Listener("0.0.0.0", 8443))
    line = _only(dataclasses.replace(production, listeners=listeners))
    assert line.startswith("listeners.ds.tls_cert: empty;")


def test_scheme_without_client_ca_is_refused(production):
    """A scheme of the card ranges with no ds_client_ca is refused, naming the scheme."""
    line = _only(_scheme(production, Scheme.MASTERCARD, ds_client_ca=""))
    assert line.startswith("schemes.mastercard.ds_client_ca: empty;")


def test_scheme_missing_from_the_config_is_refused_for_ca_and_urls(production):
    """A card range whose scheme has no [schemes.<name>] table gives its two lines."""
    settings = dataclasses.replace(
        production, schemes={Scheme.VISA: production.schemes[Scheme.VISA]}
    )
    assert [line.split(":")[0] for line in startup_refusals(settings)] == [
        "schemes.mastercard.ds_client_ca",
        "schemes.mastercard.ds_urls",
    ]  # fmt: skip


def test_missing_identity_provider_is_refused(production):
    """No identity provider (no issuer, no keys) is refused."""
    line = _only(dataclasses.replace(production, identity_provider=IdentityProvider()))
    assert line.startswith("identity_provider: not configured;")


def test_missing_jwks_file_is_refused(production, tmp_path):
    """A jwks_file that does not exist is refused, naming the path."""
    missing = tmp_path / "nowhere" / "jwks.json"
    provider = dataclasses.replace(production.identity_provider, jwks_file=str(missing))
    line = _only(dataclasses.replace(production, identity_provider=provider))
    assert line == f"identity_provider.jwks_file: {missing}: no such file"


def test_jwks_file_that_is_not_a_jwks_is_refused(production, pki):
    """A jwks_file that is not a JSON key set (here a PEM certificate) is refused."""
    provider = dataclasses.replace(production.identity_provider, jwks_file=pki["visa_ca"])
    line = _only(dataclasses.replace(production, identity_provider=provider))
    assert line.endswith('not a JWKS (a JSON object with a "keys" array)')


def test_scheme_without_ds_urls_is_refused(production):
    """A scheme of the card ranges with no ds_urls is refused: RReqs could go anywhere."""
    line = _only(_scheme(production, Scheme.VISA, ds_urls=()))
    assert line.startswith("schemes.visa.ds_urls: empty;")


def test_banking_callbacks_need_https_and_a_long_secret(production):
    """Production: banking callbacks go to https URLs, signed with a secret of 32+ chars."""
    from acs.config import Banking

    plain = dataclasses.replace(
        production, banking=Banking(callback_urls=("http://bank.test/",), callback_secret="x" * 40)
    )
    assert _only(plain).startswith("banking.callback_urls: 'http://bank.test/' is not https")
    short = dataclasses.replace(
        production, banking=Banking(callback_urls=("https://bank.test/",), callback_secret="short")
    )
    assert _only(short).startswith("banking.callback_secret: at least 32 characters")


def test_missing_tls_file_is_one_line(production, tmp_path):
    """A tls_cert path that does not exist gives a clear line naming setting and path."""
    missing = tmp_path / "gone.pem"
    ds = dataclasses.replace(production.listeners.ds, tls_cert=str(missing))
    listeners = dataclasses.replace(production.listeners, ds=ds)
    line = _only(dataclasses.replace(production, listeners=listeners))
    assert line == f"listeners.ds.tls_cert: {missing}: no such file"


def test_client_ca_that_is_a_folder_or_not_pem_is_refused(production, tmp_path, jwks_file):
    """A CA bundle path naming a folder, or a file that is not PEM, is refused."""
    assert _only(_scheme(production, Scheme.VISA, ds_client_ca=str(tmp_path))) == (
        f"schemes.visa.ds_client_ca: {tmp_path}: is a folder, not a file"
    )
    assert _only(_scheme(production, Scheme.VISA, ds_client_ca=jwks_file)) == (
        f"schemes.visa.ds_client_ca: {jwks_file}: not PEM (no -----BEGIN line)"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_tls_key_is_refused(production):
    """A TLS key this user cannot read is refused (not a traceback at bind time)."""
    key = production.listeners.ds.tls_key
    os.chmod(key, 0)
    assert _only(production) == f"listeners.ds.tls_key: {key}: not readable by this user"


def test_named_files_are_checked_in_development_too(tmp_path):
    """In development a named file that is missing is refused as well; the shortcuts are not."""
    missing = tmp_path / "ca.pem"
    settings = Settings(schemes={Scheme.VISA: SchemeSettings(ds_client_ca=str(missing))})
    assert startup_refusals(settings) == [f"schemes.visa.ds_client_ca: {missing}: no such file"]
    assert production_refusals(Settings())  # what development allows, production refuses


def test_development_warning_names_what_is_on():
    """The development warning is one line naming the dev inbox, generated keys, one port."""
    line = development_warning(Settings(keys_dir="./var/keys"))
    assert "\n" not in line
    assert line.startswith('development server (profile = "development"): ')
    for part in ("dev SMS inbox at /dev/sms", "dev keys generated in ./var/keys",
                 "one port for everything", "plain HTTP", "not for production"):  # fmt: skip
        assert part in line


def test_development_warning_names_the_http_acs_url_and_2_3_1():
    """With an http public_base_url, start-up says a 2.3.1 acsURL would be http (the 2.3.1
    schema forbids it); with https, nothing about it."""
    line = development_warning(Settings(public_base_url="http://acs.localhost:8000"))
    assert "http://acs.localhost:8000 is http" in line and "2.3.1" in line
    assert "2.3.1" not in development_warning(Settings(public_base_url="https://acs.example"))


def _production_toml(tmp_path: Path, **top: str) -> Path:
    lines = [f"{key} = {json.dumps(value)}" for key, value in top.items()]
    path = tmp_path / "acs.toml"
    path.write_text("\n".join(['profile = "production"', *lines]) + "\n", encoding="utf-8")
    return path


def test_serve_refuses_in_production_before_starting_anything(tmp_path, monkeypatch, capsys):
    """`acs serve` in production with dev shortcuts exits 2, one line each on stderr, and
    creates no database and no keys."""
    for name in ("ACS_CONFIG", "ACS_DATABASE_URL", "ACS_KEYS_DIR"):
        monkeypatch.delenv(name, raising=False)
    database, keys = tmp_path / "var" / "acs.db", tmp_path / "var" / "keys"
    config = _production_toml(
        tmp_path, database_url=f"sqlite+aiosqlite:///{database}", keys_dir=str(keys)
    )
    assert main(["--log-format", "text", "--config", str(config), "serve", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert 'acs: sms_gateway: "outbox" is a development gateway' in err
    assert "acs: public_base_url: not set" in err
    assert f"acs: keys_dir: {keys} lacks pan_hmac" in err
    assert err.rstrip().endswith("problem(s) above)")
    assert "Traceback" not in err and "warning: development server" not in err
    assert not database.exists() and not keys.exists() and not (tmp_path / "var").exists()


def test_demo_refuses_in_production(tmp_path, monkeypatch, capsys):
    """`acs demo` in production exits 2 with one line: the demo is a development tool."""
    for name in ("ACS_CONFIG", "ACS_DATABASE_URL", "ACS_KEYS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["--log-format", "text", "--config", str(_production_toml(tmp_path)), "demo"]) == 2
    assert 'acs: profile: "production": acs demo is a development tool' in capsys.readouterr().err
    assert not (tmp_path / "var").exists()


async def test_dev_sms_inbox_is_served_in_development(client):
    """In development (outbox gateway) GET /dev/sms answers."""
    response = await client.get("/dev/sms", params={"to": "+33612345678"})
    assert response.status == 200
    assert await response.json() == {"messages": []}


async def test_dev_sms_inbox_is_absent_in_production(aiohttp_client, settings, keyring, clock):
    """A production app has no /dev/sms, even if built directly with the outbox gateway."""
    production = dataclasses.replace(settings, profile=Profile.PRODUCTION)
    assert production.sms_gateway == "outbox"
    client = await aiohttp_client(create_app(production, keys=keyring, clock=clock))
    response = await client.get("/dev/sms", params={"to": "+33612345678"})
    assert response.status == 404
