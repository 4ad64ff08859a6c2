"""The Banxo app's login at the bank's identity provider, and the tokens it then asks for.

``login`` trades the remote-banking identifier and password for a session (the password goes no
further); ``token`` trades the session for a fresh single-use customer token, one per ACS call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp

__all__ = ["BankLogin", "BankSession", "LoginRefused"]


class LoginRefused(Exception):
    """The identity provider said no: ``status``, ``error`` and its JSON ``body``."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body if isinstance(body, dict) else {}
        self.error = str(self.body.get("error") or "refused")
        super().__init__(f"HTTP {status}: {self.error}")


@dataclass(frozen=True)
class BankSession:
    """A logged-in app: the provider's opaque ``session`` and the customer id it named."""

    session: str
    subject: str


class BankLogin:
    def __init__(self, idp_url: str, http: aiohttp.ClientSession) -> None:
        self.idp_url, self.http = idp_url.rstrip("/"), http

    async def login(self, identifier: str, password: str) -> BankSession:
        body = await self._post("/login", {"identifier": identifier, "password": password})
        return BankSession(session=body["session"], subject=body["subject"])

    async def token(self, session: BankSession) -> str:
        body = await self._post("/token", {"session": session.session})
        return str(body["access_token"])

    async def _post(self, path: str, payload: dict[str, str]) -> dict[str, Any]:
        async with self.http.post(self.idp_url + path, json=payload) as response:
            body = await response.json(content_type=None)
            if response.status != 200:
                raise LoginRefused(response.status, body)
            return dict(body)
