"""One simulated handset behind a phone page: its keys on disk, its listener, what it shows.

A slot is the Banxo app on one phone. It talks to the ACS only through
:class:`~merchant_simulator.phone.Phone` (HTTP), listens with ``Phone.listen`` while active,
and tells the page's watchers (server-sent events) each time what it shows changes.

States: ``new`` (no Sécur'Pass) → ``activating`` (code sent by SMS) → ``active``; from
``active``: ``closed`` (SP-43), ``revoked`` (moved to another phone, SP-40) or ``blocked``
(five wrong codes, SP-45). ``forget()`` goes back to ``new``.

Before a device exists the ACS wants a customer token: the slot logs in at the bank's identity
provider (identifier and password, :mod:`~merchant_simulator.phone_web.bank_login`), keeps the
session in memory only, and gives the phone a token source asking for a fresh token per call.
Once active, the phone's calls are device-signed and need no login: a restored phone works
without one, and is asked to log in again only for a new activation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from merchant_simulator.phone import Phone, PhoneError, PhoneKeys, read_operation
from merchant_simulator.phone.answers import display_amount
from merchant_simulator.phone.client import API
from merchant_simulator.phone_web.bank_login import BankLogin, BankSession, LoginRefused
from merchant_simulator.phone_web.config import PhoneProfile, PhoneWebConfig
from merchant_simulator.phone_web.errors import SlotError

__all__ = ["PhoneSlot", "SlotError"]

log = logging.getLogger("merchant_simulator.phone_web")
PARIS = ZoneInfo("Europe/Paris")
GONE = {
    "cancelled": "Cette opération a été annulée.",
    "expired": "Cette opération a expiré.",
    "failed": "Cette opération n'a pas pu être validée.",
}


class PhoneSlot:
    """The Banxo app on one phone (``profile.slot``), its keys in ``config.data_dir``."""

    def __init__(
        self, profile: PhoneProfile, *, config: PhoneWebConfig, session: aiohttp.ClientSession
    ) -> None:
        self.profile, self.config, self.session = profile, config, session
        self.key_file = config.data_dir / f"phone-{profile.slot}.json"
        self.profile_file = config.data_dir / f"phone-{profile.slot}.profile.json"
        self.state = "new"
        self.bank = BankLogin(config.idp_url, session)
        self.login_session: BankSession | None = None
        self.identifier, self.customer_id, self.mobile = "", "", profile.mobile
        self.sms_text: str | None = None
        self.operations: dict[str, dict[str, Any]] = {}
        self.result: dict[str, Any] | None = None
        self.last: dict[str, Any] | None = None  # the last decision, for the home screen
        self.opposed: list[str] = []  # cards opposed by a refusal here ("•••• 0014")
        self.notice: str | None = None
        self.biometrics = {"payments": False, "login": False}
        self.phone = self._fresh_phone()
        self._watchers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._listener: asyncio.Task[None] | None = None

    # -- what the page shows -----------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {
            "slot": self.profile.slot,
            "label": self.profile.label,
            "model": self.profile.model,
            "state": self.state,
            "logged_in": self.login_session is not None,
            "identifier": self.identifier,
            "customer_id": self.customer_id,
            "mobile": self.mobile,
            "sms": self.sms_text,
            "operations": [operation_view(op) for op in self.operations.values()],
            "result": self.result,
            "last": self.last,
            "opposed": list(self.opposed),
            "notice": self.notice,
            "biometrics": dict(self.biometrics),
            "device_id": self.phone.keys.device_id,
        }

    def watch(self) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._watchers.add(queue)
        return queue

    def unwatch(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._watchers.discard(queue)

    def changed(self) -> None:
        snapshot = self.snapshot()
        for queue in self._watchers:
            queue.put_nowait(snapshot)

    # -- life cycle --------------------------------------------------------------------------

    async def restore(self) -> None:
        """Reload saved keys (the page server restarted): active again if the ACS agrees."""
        if not self.key_file.exists() or not self.profile_file.exists():
            return
        keys = PhoneKeys.load(self.key_file)
        if keys.device_id is None:
            return
        saved = json.loads(self.profile_file.read_text(encoding="utf-8"))
        self.customer_id, self.mobile = saved["customer_id"], saved["mobile"]
        self.identifier = saved.get("identifier", "")
        self.phone = self._fresh_phone(keys)
        try:
            status = await self.phone.status()
        except PhoneError as exc:
            self._ended("revoked" if exc.status == 401 else "blocked")
            return
        self.phone.enrolment_id = status["enrolment"]["enrolment_id"]
        self.biometrics = dict(status["enrolment"]["biometrics"])
        self.phone.code_key = await self._code_key()
        self._activated("active" if status["status"] == "active" else "blocked")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None

    # -- login at the bank ------------------------------------------------------------------

    async def login(self, identifier: str, password: str) -> None:
        """ "Connexion à Banxo": the session is kept in memory, the password is not kept."""
        try:
            login = await self.bank.login(identifier.strip(), password)
        except LoginRefused as exc:
            raise SlotError.from_login(exc) from None
        if self.state == "activating" and login.subject != self.customer_id:
            self.state, self.sms_text = "new", None  # that enrolment was someone else's
        self.login_session, self.identifier = login, identifier.strip()
        self.customer_id = login.subject
        self.changed()

    def logout(self) -> None:
        self.login_session = None
        if self.state == "activating":
            self.state, self.sms_text = "new", None
        self.changed()

    async def _token(self) -> str:
        """The phone's token source: a fresh customer token for each pre-device call."""
        if self.login_session is None:
            raise SlotError.login_required()
        try:
            return await self.bank.token(self.login_session)
        except LoginRefused as exc:
            self.login_session = None  # expired: the page shows the login again
            self.changed()
            raise SlotError.from_login(exc) from None

    # -- activation (SP-20 … SP-24, SP-40) ---------------------------------------------------

    async def start_activation(self, mobile: str) -> None:
        """A fresh install asks for an activation code; the SMS lands in this phone's inbox."""
        if self.login_session is None:
            raise SlotError.login_required()
        await self.stop()
        self.phone = self._fresh_phone()
        self.mobile = mobile.strip()
        self.result = self.notice = None
        try:
            await self.phone.start_selfcare()
        except PhoneError as exc:
            raise SlotError.from_phone(exc) from None
        self.sms_text = await self._last_sms("activation")
        self.state = "activating"
        self.changed()

    async def finish_activation(
        self, activation_code: str, code: str, *, biometrics: dict[str, bool]
    ) -> None:
        if self.state != "activating":
            raise SlotError(409, "wrong_state", "Commencez par demander un code d'activation.")
        try:
            await self.phone.activate(activation_code, code, biometrics=biometrics)
        except PhoneError as exc:
            raise SlotError.from_phone(exc) from None
        profile = {"customer_id": self.customer_id, "mobile": self.mobile}
        profile["identifier"] = self.identifier  # to prefill the next login; never the password
        self.profile_file.write_text(json.dumps(profile), encoding="utf-8")
        self.biometrics = dict(biometrics)
        self.sms_text = None
        self.notice = "Sécur'Pass est activé sur ce téléphone."
        self._activated("active")

    async def activate_selfcare(
        self, mobile: str, code: str, *, biometrics: dict[str, bool]
    ) -> None:
        """The whole path at once, once logged in (``acs demo`` enrols Camille's phone)."""
        await self.start_activation(mobile)
        activation_code = await self.phone.read_activation_code(self.mobile)
        await self.finish_activation(activation_code, code, biometrics=biometrics)

    # -- operations (SP-50 … SP-56) ----------------------------------------------------------

    async def approve(self, operation_id: str, *, method: str, code: str = "") -> None:
        operation = self._operation(operation_id)
        try:
            if method == "biometric":
                await self.phone.approve_with_biometrics(operation)
            else:
                await self.phone.approve_with_code(operation, code)
        except PhoneError as exc:
            await self._after_refusal(exc, operation_id)
            raise SlotError.from_phone(exc) from None
        except ValueError as exc:
            raise SlotError(400, "biometrics_off", str(exc)) from None
        self._decided(operation_id, approved_screen(operation_view(operation)))

    async def refuse(self, operation_id: str) -> None:
        """ "Je refuse ce paiement", confirmed: a fraud declaration (SP-54, SP-55)."""
        operation = self._operation(operation_id)
        try:
            answer = await self.phone.refuse(operation, "not_me")
        except PhoneError as exc:
            await self._after_refusal(exc, operation_id)
            raise SlotError.from_phone(exc) from None
        shown = operation_view(operation)
        opposed = bool(answer.get("card_opposed"))
        if opposed and shown["card"] and shown["card"] not in self.opposed:
            self.opposed.append(shown["card"])
        self._decided(operation_id, refused_screen(shown, opposed=opposed))

    def dismiss(self) -> None:
        self.result = self.notice = None
        self.changed()

    # -- settings (SP-23, SP-24, SP-43, SP-44) -----------------------------------------------

    async def set_biometrics(self, purpose: str, enabled: bool) -> None:
        body = await self._settings_call(self.phone.set_biometrics(purpose, enabled))
        self.biometrics = dict(body["enrolment"]["biometrics"])
        self.notice = "Vos préférences de biométrie sont enregistrées."
        self.changed()

    async def change_code(self, current: str, new: str) -> None:
        body = await self._settings_call(self.phone.change_code(current, new))
        self.notice = body.get("message", "Votre code Sécur'Pass a changé.")
        self.changed()

    async def close(self) -> None:
        """SP-43; the listener stops first, so the ACS is not left writing to a closed socket."""
        await self.stop()
        try:
            body = await self._settings_call(self.phone.close())
        except SlotError:
            self._activated(self.state)
            raise
        self._ended("closed")
        self.notice = body.get("message")
        self.changed()

    async def forget(self) -> None:
        """Back to a fresh install (after a transfer, a closure or a block)."""
        await self.stop()
        self._ended("new")
        self.notice = None
        self.changed()

    # -- plumbing ----------------------------------------------------------------------------

    def _fresh_phone(self, keys: PhoneKeys | None = None) -> Phone:
        return Phone(
            keys or PhoneKeys.generate(),
            base_url=self.config.acs_url,
            session=self.session,
            key_file=self.key_file,
            model=self.profile.model,
            clock=self.config.clock,
            tokens=self._token,
        )

    def _activated(self, state: str) -> None:
        self.state = state
        if state == "active" and self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name=f"phone-{self.profile.slot}")
        self.changed()

    def _ended(self, state: str) -> None:
        """The keys are of no use any more: wipe them (a revoked device must, per the API)."""
        self.state, self.operations = state, {}
        self.result = self.last = None
        self.opposed = []
        for path in (self.key_file, self.profile_file):
            path.unlink(missing_ok=True)
        self.phone = self._fresh_phone()
        if state == "revoked":
            self.notice = (
                "Sécur'Pass a été transféré sur un autre téléphone : "
                "ce téléphone ne peut plus valider vos opérations."
            )
        elif state == "blocked":
            self.notice = "Sécur'Pass est bloqué après trop de codes erronés : réactivez-le."

    def _operation(self, operation_id: str) -> dict[str, Any]:
        operation = self.operations.get(operation_id)
        if operation is None or self.state != "active":
            raise SlotError(404, "unknown_operation", "Cette opération n'est plus à valider.")
        return operation

    def _decided(self, operation_id: str, screen: dict[str, Any]) -> None:
        self.operations.pop(operation_id, None)
        self.result, self.last = screen, {"kind": screen["kind"], "summary": screen["summary"]}
        self.notice = None
        self.changed()

    async def _after_refusal(self, exc: PhoneError, operation_id: str) -> None:
        if exc.reason in ("not_pending", "expired", "unknown_operation"):
            self.operations.pop(operation_id, None)
        elif exc.reason in ("device_revoked", "device_blocked"):
            await self._device_gone("revoked" if exc.reason == "device_revoked" else "blocked")
        self.changed()

    async def _settings_call(self, call: Any) -> dict[str, Any]:
        if self.state != "active":
            call.close()
            raise SlotError(409, "wrong_state", "Sécur'Pass n'est pas actif sur ce téléphone.")
        try:
            return await call
        except PhoneError as exc:
            raise SlotError.from_phone(exc) from None

    async def _device_gone(self, state: str) -> None:
        task, self._listener = self._listener, None
        self._ended(state)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _listen(self) -> None:
        """``Phone.listen`` again and again while active; events update what the page shows."""
        while self.state == "active":
            try:
                async for event in self.phone.listen(timeout=self.config.listen_timeout_s):
                    await self._on_event(event)
            except PhoneError as exc:
                if exc.status in (401, 403):
                    await self._device_gone("revoked" if exc.status == 401 else "blocked")
                    self.changed()
                    return
                log.warning("phone %s: listen refused: %s", self.profile.slot, exc)
                await asyncio.sleep(1)
            except (aiohttp.ClientError, OSError, ValueError) as exc:
                log.warning("phone %s: listen failed: %s", self.profile.slot, exc)
                await asyncio.sleep(1)

    async def _on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "operation":
            operation = read_operation(event["operation"])
            self.operations[operation["operation_id"]] = operation
            card = operation_view(operation)["card"]
            if card in self.opposed:  # the bank put the card back (the demo's reset)
                self.opposed.remove(card)
            self.result = self.notice = None
        elif kind == "closed":
            if self.operations.pop(event["operation_id"], None) is not None:
                self.notice = GONE.get(event.get("status", ""), self.notice)
        elif kind == "device":
            await self._device_gone("blocked" if event.get("status") == "blocked" else "revoked")
        self.changed()

    async def _last_sms(self, purpose: str) -> str | None:
        url = f"{self.config.acs_url.rstrip('/')}/dev/sms"
        async with self.session.get(url, params={"to": self.mobile}) as response:
            if response.status != 200:
                return None
            messages = (await response.json())["messages"]
        texts = [m["text"] for m in messages if m["purpose"] == purpose]
        return texts[-1] if texts else None

    async def _code_key(self) -> dict[str, Any]:
        async with self.session.get(f"{self.config.acs_url.rstrip('/')}{API}/code-key") as resp:
            return await resp.json()


def approved_screen(shown: dict[str, str]) -> dict[str, Any]:
    """What the phone says after "Valider": what was approved and where to go now."""
    return {
        "kind": "approved",
        "title": "Paiement validé",
        "lines": [
            f"Vous avez validé le paiement de {shown['amount']} chez {shown['merchant']}.",
            "Retournez sur le site du marchand : votre commande s'y termine.",
        ],
        "summary": f"{shown['amount']} chez {shown['merchant']}, validé le {shown['date']}",
    }


def refused_screen(shown: dict[str, str], *, opposed: bool) -> dict[str, Any]:
    """SP-54/SP-55 after "Je refuse ce paiement": the operation is cancelled, the refusal is a
    fraud declaration, the card is opposed (when the bank does so), and what happens next."""
    card = shown["card"] or "votre carte"
    lines = [f"L'opération de {shown['amount']} sur {shown['merchant']} a bien été refusée."]
    lines.append("Votre refus est enregistré comme une déclaration de fraude.")
    if opposed:
        lines.append(f"Votre carte {card} est mise en opposition : elle ne peut plus payer.")
        lines.append("Votre conseiller vous contacte pour commander une nouvelle carte ; "
                     "vos comptes et vos autres cartes restent utilisables.")  # fmt: skip
    else:
        lines.append("Votre conseiller vous contacte pour vérifier vos dernières opérations.")
    lines.append("Un doute ? Appelez votre conseiller depuis la rubrique Contact de l'appli.")
    return {
        "kind": "refused",
        "title": "Opération annulée",
        "lines": lines,
        "summary": f"{shown['amount']} chez {shown['merchant']}, refusé le {shown['date']}",
    }


def operation_view(operation: dict[str, Any]) -> dict[str, str]:
    """What the operation screen shows: merchant, amount, date (SP-52)."""
    summary = operation["summary"]
    created = datetime.fromisoformat(summary["created_at"].replace("Z", "+00:00"))
    last4 = summary.get("card_last4") or ""
    return {
        "operation_id": operation["operation_id"],
        "merchant": summary["payee"],
        "amount": display_amount(summary),
        "date": created.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M"),
        "card": f"•••• {last4}" if last4 else "",
        "kind": "Paiement par carte sur internet"
        if summary.get("type") == "card_payment"
        else "Opération sensible",
    }
