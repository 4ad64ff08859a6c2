"""The phone side of a Sécur'Pass challenge while the ACS is killed: one bank app that approves
every pending operation it sees (the browser side is
:func:`benchmarks.faults.cardholder.securpass_challenge`).

It keeps trying while the ACS is dead, as the browser does: it polls again and answers again.
An answer whose reply died with the ACS is answered once more: a 409 (already decided) or 410
(expired) then ends it, so a decision taken before the kill is never taken twice.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.faults.cardholder import DOWN
from benchmarks.faults.edge import SmsProvider
from benchmarks.idp import token_source
from merchant_simulator.phone import Phone, PhoneError, PhoneKeys

__all__ = ["PhoneApp", "enrol_phone"]

PIN = "4826"
ACTIVATION = re.compile(r"\b(\d{6})\b")
POLL_WAIT = 1.0  # seconds of each signed long-poll for pending operations
DOWN_PAUSE = 0.2


async def enrol_phone(
    http: aiohttp.ClientSession,
    base_url: str,
    *,
    keys_dir: Path,
    sms: SmsProvider,
    customer_id: str,
) -> Phone:
    """Self-care activation (SP-20 … SP-22) before the faults: the code from the SMS gateway."""
    phone = Phone(PhoneKeys.generate(biometric=True), base_url=base_url, session=http,
                  model="Fault Phone", tokens=token_source(keys_dir, customer_id))  # fmt: skip
    await phone.start_selfcare()
    text = await sms.text_for(phone.enrolment_id or "", timeout=10)
    found = ACTIVATION.search(text or "")
    if found is None:
        raise RuntimeError(f"no activation SMS for {customer_id}")
    await phone.activate(found.group(1), PIN, biometrics={"payments": True, "login": False})
    return phone


class PhoneApp:
    """The cardholder's app in the foreground: every pending operation is approved (by
    biometrics), through kills and restarts, until :meth:`stop`."""

    def __init__(self, phone: Phone) -> None:
        self.phone = phone
        self.approved: set[str] = set()
        self.answered_twice = 0  # answers repeated after the ACS died with the first reply
        self.retries = 0
        self._stopped = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._stopped.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                operations = await self.phone.pending_operations(wait=POLL_WAIT)
            except (*DOWN, PhoneError):
                self.retries += 1
                await asyncio.sleep(DOWN_PAUSE)
                continue
            for operation in operations:
                await self._approve(operation)

    async def _approve(self, operation: dict[str, Any]) -> None:
        operation_id = operation["operation_id"]
        if operation_id in self.approved:
            return
        try:
            await self.phone.approve_with_biometrics(operation)
        except PhoneError as exc:
            if exc.status in (409, 410):  # decided before the reply was lost, or expired
                self.answered_twice += 1
                self.approved.add(operation_id)
            return
        except DOWN:
            self.retries += 1
            return  # seen pending again after the restart, or decided: the next poll tells
        self.approved.add(operation_id)
