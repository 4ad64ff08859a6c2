"""The dev PKI made by ``acs keys init``: a DS CA and an ACS signing certificate it issued.

In production the scheme's DS CA issues the ACS signing certificate; the bank drops the key and
chain in ``keys_dir`` under the same names and ``keys init`` leaves them alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["DS_CA_CERT", "SIGNING_CHAIN", "SIGNING_KEY", "init_dev_pki"]

DS_CA_CERT, DS_CA_KEY = "ds-ca.pem", "ds-ca-key.pem"
SIGNING_KEY, SIGNING_CHAIN = "acs-signing-key.pem", "acs-signing-chain.pem"


def init_dev_pki(folder: Path, write_private: Callable[[Path, str], None]) -> list[str]:
    """Create the DS CA and the signing certificate if missing; return the files created."""
    if (folder / SIGNING_KEY).exists() and (folder / SIGNING_CHAIN).exists():
        return []
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _certificate("Dev DS CA (not for production)", ca_key, ca_key, None, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _certificate("Dev ACS signing", key, ca_key, ca_cert, ca=False)
    write_private(folder / DS_CA_KEY, _pem_key(ca_key))
    # The certificates are public, but keys_dir is owner-only throughout (docs/security.md).
    write_private(folder / DS_CA_CERT, _pem_cert(ca_cert))
    write_private(folder / SIGNING_KEY, _pem_key(key))
    write_private(folder / SIGNING_CHAIN, _pem_cert(cert))
    return [DS_CA_CERT, SIGNING_KEY, SIGNING_CHAIN]


def _certificate(
    name: str,
    key: ec.EllipticCurvePrivateKey,
    issuer_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Certificate | None,
    *,
    ca: bool,
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650 if ca else 825))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem_cert(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _pem_key(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
