"""The phone's HTTP side, thin for now: its routes are "planned" in the protocol doc."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from merchant_simulator.phone import answers
from merchant_simulator.phone.keys import PhoneKeys
from merchant_simulator.phone.signing import sign_request

__all__ = ["Phone"]

API = "/securpass/v1"


class Phone:
    """A Banxo phone talking to the ACS at ``base_url`` with ``session``."""

    def __init__(self, keys: PhoneKeys, *, base_url: str, session: aiohttp.ClientSession) -> None:
        self.keys = keys
        self.base_url = base_url.rstrip("/")
        self.session = session

    async def pending_operations(self) -> list[dict[str, Any]]:
        """``GET /securpass/v1/devices/{id}/operations?status=pending``, signed."""
        path = f"{API}/devices/{self.keys.device_id}/operations?status=pending"
        return await self._signed("GET", path, None)

    async def approve(
        self, challenge: dict[str, Any], code: str, server_code_jwk: dict[str, Any]
    ) -> Any:
        body = answers.approve_with_code(self.keys, challenge, code, server_code_jwk)
        return await self._answer(challenge, body)

    async def approve_biometric(self, challenge: dict[str, Any]) -> Any:
        return await self._answer(challenge, answers.approve_with_biometrics(self.keys, challenge))

    async def refuse(self, challenge: dict[str, Any], reason: str = "not_me") -> Any:
        return await self._answer(challenge, answers.refuse(self.keys, challenge, reason))

    async def activate(self, enrolment_id: str, activation_code: str) -> Any:
        raise NotImplementedError("activation needs the planned /securpass/v1/activation route")

    async def _answer(self, challenge: dict[str, Any], body: dict[str, Any]) -> Any:
        return await self._signed(
            "POST", f"{API}/operations/{challenge['operation_id']}/answer", body
        )

    async def _signed(self, method: str, path: str, payload: Any) -> Any:
        if self.keys.device_id is None:
            raise ValueError("the phone is not activated: no device id")
        body = b"" if payload is None else json.dumps(payload).encode("utf-8")
        headers = sign_request(
            self.keys.possession, method=method, path=path, body=body, device_id=self.keys.device_id
        )
        if payload is not None:
            headers["Content-Type"] = "application/json"
        async with self.session.request(
            method, self.base_url + path, data=body, headers=headers
        ) as resp:
            resp.raise_for_status()
            return await resp.json()
