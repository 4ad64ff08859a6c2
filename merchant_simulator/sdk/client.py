"""The SDK's challenge client: ARes in, CReq/CRes rounds over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography import x509

from merchant_simulator.sdk.channel import (
    Channel,
    ChannelError,
    derive_cek,
    new_ephemeral,
    verify_signed_content,
)


class SdkErro(Exception):
    """The ACS answered an Erro message."""

    def __init__(self, erro: dict[str, Any]) -> None:
        super().__init__(f"Erro {erro.get('errorCode')}: {erro.get('errorDetail')}")
        self.erro = erro


class AppSdk:
    """One app challenge: make the AReq's SDK fields, then talk to the ACS."""

    def __init__(self, *, ds_ca_pem: Path | bytes, reference_number: str) -> None:
        pem = ds_ca_pem if isinstance(ds_ca_pem, bytes) else Path(ds_ca_pem).read_bytes()
        self.trusted_ca = x509.load_pem_x509_certificate(pem)
        self.reference_number = reference_number
        self._key, self.ephem_jwk = new_ephemeral()
        self.channel: Channel | None = None
        self.acs_url = ""
        self.ids: dict[str, str] = {}

    def areq_fields(self) -> dict[str, Any]:
        return {"sdkEphemPubKey": self.ephem_jwk, "sdkReferenceNumber": self.reference_number}

    def begin(self, ares: dict[str, Any], areq: dict[str, Any], *, enc: str) -> None:
        """Verify acsSignedContent, derive the CEK, remember ids and the acsURL."""
        payload = verify_signed_content(ares["acsSignedContent"], self.trusted_ca)
        if payload["sdkEphemPubKey"] != self.ephem_jwk:
            raise ChannelError("signed content names another SDK key")
        cek = derive_cek(self._key, payload["acsEphemPubKey"], self.reference_number)
        self.channel = Channel(cek=cek, kid=ares["acsTransID"], enc=enc)
        self.acs_url = payload["acsURL"]
        self.ids = {
            "threeDSServerTransID": areq["threeDSServerTransID"],
            "acsTransID": ares["acsTransID"],
            "sdkTransID": areq["sdkTransID"],
            "messageType": "CReq",
            "messageVersion": areq["messageVersion"],
        }

    def creq(self, **fields: Any) -> str:
        assert self.channel is not None
        return self.channel.seal({**self.ids, **fields})

    async def send(self, http: Any, jwe: str, *, url: str | None = None) -> dict[str, Any]:
        """POST a sealed CReq; the decrypted CRes, or SdkErro."""
        assert self.channel is not None
        headers = {"Content-Type": "application/jose; charset=utf-8"}
        async with http.post(url or self.acs_url, data=jwe, headers=headers) as response:
            if response.content_type == "application/json":
                raise SdkErro(await response.json())
            if response.content_type != "application/jose":
                raise ChannelError(f"unexpected content type {response.content_type}")
            return self.channel.open(await response.text())

    async def round(self, http: Any, *, url: str | None = None, **fields: Any) -> dict[str, Any]:
        return await self.send(http, self.creq(**fields), url=url)


__all__ = ["AppSdk", "SdkErro"]
