"""The phone's HTTP side: a Banxo app talking to the ACS device API (``docs/device-api.md``).

It speaks only HTTP (no ``acs`` import): enrolment (self-care and branch), signed calls, listening
(WebSocket with a long-poll fallback), approve / refuse, code change, biometrics, closure.
The calls made before a device exists carry ``Authorization: Bearer`` with a fresh token of the
bank's identity provider from ``tokens`` (the logged-in app's session; each token is single-use).
Non-2xx answers raise :class:`PhoneError` carrying the status and the JSON body.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp

from merchant_simulator.phone import answers
from merchant_simulator.phone.keys import PhoneKeys
from merchant_simulator.phone.signing import b64u, encrypt_code, es256_sign, sign_request

__all__ = ["API", "Phone", "PhoneError", "TokenSource", "jwk_thumbprint"]

API = "/securpass/v1"

# A fresh single-use customer token of the bank's identity provider, for each call.
TokenSource = Callable[[], Awaitable[str]]


class PhoneError(Exception):
    """The ACS refused a call: ``status`` and the JSON ``body`` (``body["error"]`` the reason)."""

    def __init__(self, status: int, body: Any) -> None:
        reason = body.get("error") if isinstance(body, dict) else body
        super().__init__(f"HTTP {status}: {reason}")
        self.status, self.body = status, body

    @property
    def reason(self) -> str | None:
        return self.body.get("error") if isinstance(self.body, dict) else None


def jwk_thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638 SHA-256 thumbprint of a public P-256 JWK."""
    members = {k: jwk[k] for k in ("crv", "kty", "x", "y")}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode("ascii")
    return b64u(hashlib.sha256(canonical).digest())


class Phone:
    """A Banxo phone talking to the ACS at ``base_url`` with ``session``.

    ``key_file`` (optional) is where the keys are saved after activation and each answer.
    ``tokens`` gives the customer's tokens for the calls before activation (the token says
    who the customer is).
    """

    def __init__(
        self,
        keys: PhoneKeys,
        *,
        base_url: str,
        session: aiohttp.ClientSession,
        key_file: str | os.PathLike[str] | None = None,
        model: str = "Banxo Sim Phone",
        push_token: str | None = None,
        clock: Callable[[], float] | None = None,
        tokens: TokenSource | None = None,
    ) -> None:
        self.keys = keys
        self.tokens = tokens
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.key_file = key_file
        self.model = model
        self.push_token = push_token
        self.clock = clock  # seconds since the epoch for X-SP-Timestamp (default: time.time)
        self.enrolment_id: str | None = None
        self.code_key: dict[str, Any] | None = None

    # -- enrolment -------------------------------------------------------------------------

    async def start_selfcare(self) -> dict[str, Any]:
        """SP-20: ask for an activation code by SMS (also for a new phone, SP-40)."""
        body = await self._call("POST", f"{API}/enrolments", {}, bearer=True)
        self.enrolment_id = body["enrolment"]["enrolment_id"]
        self.code_key = body["code_key"]
        return body

    async def current_enrolment(self) -> dict[str, Any]:
        body = await self._call("GET", f"{API}/enrolments/current", None, bearer=True)
        self.enrolment_id = body["enrolment"]["enrolment_id"]
        self.code_key = body["code_key"]
        return body

    async def activate(
        self,
        activation_code: str,
        code: str,
        *,
        biometrics: dict[str, bool] | None = None,
    ) -> dict[str, Any]:
        """Register this phone on the started enrolment: keys, code (encrypted), model."""
        if self.enrolment_id is None or self.code_key is None:
            raise ValueError("start an enrolment first (start_selfcare or current_enrolment)")
        biometrics = biometrics or {"payments": False, "login": False}
        if any(biometrics.values()) and self.keys.biometric is None:
            self.keys.biometric = PhoneKeys.generate(biometric=True).biometric
        possession = self.keys.possession_jwk()
        thumbprint = jwk_thumbprint(possession)
        payload: dict[str, Any] = {
            "activation_code": activation_code,
            "possession_jwk": possession,
            "code_jwe": encrypt_code(code, self.code_key, f"enrol:{self.enrolment_id}"),
            "model": self.model,
            "push_token": self.push_token,
            "biometrics": biometrics,
        }
        if self.keys.biometric is not None:
            payload["biometric_jwk"] = self.keys.biometric_jwk()
            proof = f"SP-BIOMETRIC-1\n{self.enrolment_id}\n{thumbprint}".encode()
            payload["biometric_proof"] = b64u(es256_sign(self.keys.biometric, proof))
        path = f"{API}/enrolments/{self.enrolment_id}/activation"
        body = await self._call("POST", path, payload, bearer=True, signer=thumbprint)
        self.keys.device_id = body["device_id"]
        self.keys.counter = 0
        self.code_key = body["code_key"]
        self._save()
        return body

    async def activate_selfcare(self, mobile: str, code: str, **options: Any) -> dict[str, Any]:
        """The whole self-care path: start, read the SMS sent to ``mobile`` (dev inbox),
        activate."""
        await self.start_selfcare()
        activation_code = await self.read_activation_code(mobile)
        return await self.activate(activation_code, code, **options)

    async def activate_initiated(self, mobile: str, code: str, **options: Any) -> dict[str, Any]:
        """SP-32/33: after the advisor initiated in branch, activate within 24 h."""
        await self.current_enrolment()
        activation_code = await self.read_activation_code(mobile)
        return await self.activate(activation_code, code, **options)

    async def read_activation_code(self, mobile: str) -> str:
        """The newest activation code in the dev SMS inbox (``GET /dev/sms``)."""
        body = await self._call("GET", f"/dev/sms?to={mobile.replace('+', '%2B')}", None)
        texts = [m["text"] for m in body["messages"] if m["purpose"] == "activation"]
        if not texts:
            raise ValueError("no activation SMS received")
        return next(w for w in texts[-1].replace(".", " ").split() if w.isdigit() and len(w) == 6)

    # -- signed calls ----------------------------------------------------------------------

    async def status(self) -> dict[str, Any]:
        return await self._signed("GET", f"{API}/devices/{self.keys.device_id}", None)

    async def pending_operations(self, *, wait: float = 0) -> list[dict[str, Any]]:
        """Signed poll (``wait`` > 0: long-poll up to that many seconds)."""
        path = f"{API}/devices/{self.keys.device_id}/operations?status=pending"
        if wait:
            path += f"&wait={wait:g}"
        body = await self._signed("GET", path, None)
        return [answers.read_operation(op) for op in body["operations"]]

    async def operation(self, operation_id: str) -> dict[str, Any]:
        op = await self._signed("GET", f"{API}/operations/{operation_id}", None)
        return answers.read_operation(op)

    async def listen(self, *, timeout: float = 10.0) -> AsyncIterator[dict[str, Any]]:
        """Events of the device: WebSocket when possible, else long-polls (``operation``
        events only). Ends after ``timeout`` seconds of silence or when the device is unusable."""
        try:
            async for event in self._websocket(timeout):
                yield event
        except (aiohttp.WSServerHandshakeError, aiohttp.ClientConnectionError):
            async for event in self._long_poll(timeout):
                yield event

    async def next_operation(self, *, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for the next operation to show (SP-51)."""
        async for event in self.listen(timeout=timeout):
            if event["type"] == "operation":
                return answers.read_operation(event["operation"])
        raise TimeoutError("no operation arrived")

    async def _websocket(self, timeout: float) -> AsyncIterator[dict[str, Any]]:
        path = f"{API}/devices/{self.keys.device_id}/events"
        headers = self._signature("GET", path, b"", self._device())
        async with self.session.ws_connect(self.base_url + path, headers=headers) as ws:
            while True:
                try:
                    message = await ws.receive(timeout=timeout)
                except TimeoutError:
                    return
                if message.type != aiohttp.WSMsgType.TEXT:
                    return
                event = json.loads(message.data)
                yield event
                if event["type"] == "device":
                    return

    async def _long_poll(self, timeout: float) -> AsyncIterator[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        deadline, seen = loop.time() + timeout, set()
        while (left := deadline - loop.time()) > 0:
            for op in await self.pending_operations(wait=min(left, 25)):
                if op["operation_id"] not in seen:
                    seen.add(op["operation_id"])
                    yield {"type": "operation", "operation": op}

    async def approve_with_code(self, challenge: dict[str, Any], code: str) -> dict[str, Any]:
        body = answers.approve_with_code(self.keys, challenge, code, self._code_key())
        return await self._answer(challenge, body)

    async def approve_with_biometrics(self, challenge: dict[str, Any]) -> dict[str, Any]:
        return await self._answer(challenge, answers.approve_with_biometrics(self.keys, challenge))

    async def refuse(self, challenge: dict[str, Any], reason: str = "not_me") -> dict[str, Any]:
        """ "Je refuse ce paiement": ``not_me`` declares fraud; ``cancelled`` just stops."""
        return await self._answer(challenge, answers.refuse(self.keys, challenge, reason))

    # Older names, kept for callers of the first cut.
    approve = approve_with_code
    approve_biometric = approve_with_biometrics

    async def change_code(self, current: str, new: str) -> dict[str, Any]:
        """SP-24: both codes encrypted to the enrolment's context."""
        context = f"enrol:{self._enrolment()}"
        payload = {
            "current_code_jwe": encrypt_code(current, self._code_key(), context),
            "new_code_jwe": encrypt_code(new, self._code_key(), context),
        }
        return await self._signed("PUT", f"{API}/devices/{self.keys.device_id}/code", payload)

    async def set_biometrics(self, purpose: str, enabled: bool) -> dict[str, Any]:
        """SP-23: ``payments`` or ``login``; a biometric key is created when first needed."""
        payload: dict[str, Any] = {"purpose": purpose, "enabled": enabled}
        if enabled and self.keys.biometric is None:
            self.keys.biometric = PhoneKeys.generate(biometric=True).biometric
            payload["biometric_jwk"] = self.keys.biometric_jwk()
            self._save()
        path = f"{API}/devices/{self.keys.device_id}/biometrics"
        return await self._signed("PATCH", path, payload)

    async def close(self) -> dict[str, Any]:
        """SP-43: close Sécur'Pass on this phone."""
        return await self._signed("DELETE", f"{API}/enrolments/{self._enrolment()}", None)

    # -- plumbing --------------------------------------------------------------------------

    async def _answer(self, challenge: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        self._save()  # the counter moved
        path = f"{API}/operations/{challenge['operation_id']}/answer"
        return await self._signed("POST", path, body)

    async def _signed(self, method: str, path: str, payload: Any) -> Any:
        return await self._call(method, path, payload, signer=self._device())

    async def _call(
        self,
        method: str,
        path: str,
        payload: Any,
        *,
        bearer: bool = False,
        signer: str | None = None,
    ) -> Any:
        body = b"" if payload is None else json.dumps(payload).encode("utf-8")
        headers: dict[str, str] = {}
        if signer is not None:
            headers = self._signature(method, path, body, signer)
        if payload is not None:
            headers["Content-Type"] = "application/json"
        if bearer:
            headers["Authorization"] = f"Bearer {await self._token()}"
        url = self.base_url + path
        async with self.session.request(method, url, data=body, headers=headers) as resp:
            data = await resp.json(content_type=None)
            if resp.status >= 300:
                raise PhoneError(resp.status, data)
            return data

    def _signature(self, method: str, path: str, body: bytes, signer: str) -> dict[str, str]:
        stamp = None if self.clock is None else int(self.clock())
        return sign_request(
            self.keys.possession,
            method=method,
            path=path,
            body=body,
            device_id=signer,
            timestamp=stamp,
        )

    async def _token(self) -> str:
        if self.tokens is None:
            raise ValueError("the app is not logged in: no customer token source")
        return await self.tokens()

    def _device(self) -> str:
        if self.keys.device_id is None:
            raise ValueError("the phone is not activated: no device id")
        return self.keys.device_id

    def _enrolment(self) -> str:
        if self.enrolment_id is None:
            raise ValueError("the phone does not know its enrolment")
        return self.enrolment_id

    def _code_key(self) -> dict[str, Any]:
        if self.code_key is None:
            raise ValueError("the phone has no server code key yet")
        return self.code_key

    def _save(self) -> None:
        if self.key_file is not None:
            self.keys.save(self.key_file)
