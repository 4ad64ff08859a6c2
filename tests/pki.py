"""A test PKI made with ``cryptography``: CAs, and server or client certificates they issue."""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["Issued", "TestCa"]


@dataclass(frozen=True)
class Issued:
    """A certificate and its key, as PEM files."""

    cert: str
    key: str

    def client_context(self, trust: TestCa) -> ssl.SSLContext:
        """A client context presenting this certificate and trusting ``trust``'s servers."""
        context = trust.client_context()
        context.load_cert_chain(self.cert, self.key)
        return context


class TestCa:
    """A CA whose files live in ``folder``; issues certificates for 127.0.0.1."""

    __test__ = False  # not a pytest test class

    def __init__(self, folder: Path, name: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.name = folder, name
        self.key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(f"{name} test CA")
        self.cert = (
            _builder(subject, subject, self.key.public_key(), days=30)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )
        self.bundle = str(folder / f"{name}-ca.pem")
        Path(self.bundle).write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, common_name: str, *, client: bool = False) -> Issued:
        """A leaf certificate (server for 127.0.0.1, or client) and its key, written to files."""
        key = ec.generate_private_key(ec.SECP256R1())
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        builder = (
            _builder(_name(common_name), self.cert.subject, key.public_key(), days=7)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if not client:
            san = x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
            builder = builder.add_extension(x509.SubjectAlternativeName([san]), critical=False)
        cert = builder.sign(self.key, hashes.SHA256())
        stem = self.folder / f"{self.name}-{common_name.replace(' ', '-')}"
        cert_path, key_path = Path(f"{stem}.pem"), Path(f"{stem}-key.pem")
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return Issued(str(cert_path), str(key_path))

    def client_context(self) -> ssl.SSLContext:
        """A client context trusting the servers this CA issued, presenting no certificate."""
        return ssl.create_default_context(cafile=self.bundle)

    def server_context(self, *, require_clients_of: TestCa | None = None) -> ssl.SSLContext:
        """A server context for 127.0.0.1; with ``require_clients_of``, mutual TLS."""
        issued = self.issue("127.0.0.1")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(issued.cert, issued.key)
        if require_clients_of is not None:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(cafile=require_clients_of.bundle)
        return context


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, *, days: int
) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=days))
    )
