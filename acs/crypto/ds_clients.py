"""Which scheme a Directory Server's client certificate belongs to (the ds listener, mutual TLS).

The TLS handshake has already verified the certificate against the union of the schemes'
``ds_client_ca`` bundles; this says *which* scheme's CA issued it, so an AReq can be held to
its own scheme's cards (:func:`acs.flows.areq.authenticate.authenticate`). The issuer must be a
certificate of the bundle itself (the issuing CA, not only its root): a certificate whose
issuer is in no bundle is attributed to no scheme, and its AReqs are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from acs.config import Scheme

__all__ = ["ClientScheme", "DsClientCas"]


@dataclass(frozen=True)
class ClientScheme:
    """The scheme whose DS CA issued the caller's client certificate (None: none of them)."""

    scheme: Scheme | None


@dataclass(frozen=True)
class DsClientCas:
    """The CA certificates of each scheme's ``ds_client_ca`` bundle."""

    by_scheme: Mapping[Scheme, tuple[x509.Certificate, ...]]
    # DER → scheme: the schemes' DSs present a handful of certificates, and the AReq path
    # should not parse and verify the same one again on every request of a connection.
    _known: dict[bytes, ClientScheme] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, bundles: Mapping[Scheme, str]) -> DsClientCas:
        return cls({s: tuple(x509.load_pem_x509_certificates(Path(p).read_bytes()))
                    for s, p in bundles.items()})  # fmt: skip

    def scheme_of(self, der: bytes) -> ClientScheme:
        """The scheme of the certificate ``der`` (DER, as the TLS layer gives it)."""
        known = self._known.get(der)
        if known is None:
            known = self._known[der] = self._scheme_of(der)
            if len(self._known) > 256:  # bounded: drop the oldest
                del self._known[next(iter(self._known))]
        return known

    def _scheme_of(self, der: bytes) -> ClientScheme:
        leaf = x509.load_der_x509_certificate(der)
        for scheme, cas in self.by_scheme.items():
            if any(_issued_by(leaf, ca) for ca in cas):
                return ClientScheme(scheme)
        return ClientScheme(None)


def _issued_by(leaf: x509.Certificate, ca: x509.Certificate) -> bool:
    if leaf.issuer != ca.subject:
        return False
    try:
        leaf.verify_directly_issued_by(ca)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
