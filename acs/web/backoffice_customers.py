"""The advisor's pages: find a customer, the customer's page and its actions (SP-15, SP-30 …
SP-35, SP-42, SP-60, RTS Art. 4(3)(b)).

Each action is a plain form (no script needed) guarded by :func:`acs.web.backoffice.page`
(session, CSRF), checked against the one permission table (:func:`acs.auth.staff.authorise`)
and audited like the JSON API's calls (``backoffice.<action>`` on the customer's chain,
:func:`acs.flows.staff.record_call`), beside the action's own event. A done action redirects
(303) to the customer's page with a notice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web

from acs.auth.errors import RoleForbidden
from acs.auth.staff import PERMISSIONS, StaffAction, authorise
from acs.flows import otp_failures
from acs.flows.backoffice import customers, fraud, french
from acs.flows.backoffice.devices import revoke_device
from acs.flows.backoffice.login import StaffSession, audit_staff
from acs.flows.backoffice.transactions import exemption_of
from acs.flows.securpass import enrol as enrol_flows
from acs.flows.securpass.errors import InvalidRequest, SecurPassFlowError
from acs.flows.staff import StaffCall, record_call
from acs.protocol.amounts import format_amount
from acs.securpass.errors import SecurPassError
from acs.web.advisor import SIGNED_ON
from acs.web.backoffice import flow_status, page, view
from acs.web.keys import CLOCK, HUB, KEYRING, OPERATION_HOOKS, SESSIONS, SETTINGS, SMS, VAULT

__all__ = ["NOTICES", "act", "routes"]

routes = web.RouteTableDef()
T = TypeVar("T")
CUSTOMER = "/backoffice/customers/{customer_id}"
FACE_TO_FACE = "face_a_face"

NOTICES = {
    "levee": "Le délai de 72 h est levé (SP-15).",
    "avenant": "Sécur'Pass est initié : le client a reçu un SMS et a 24 h pour l'activer sur "
    "son téléphone (SP-33).",
    "sms": "Le blocage des codes SMS est levé.",
    "revoque": "Le téléphone est révoqué : Sécur'Pass ne fonctionne plus sur cet appareil.",
    "declaree": "La déclaration de fraude est enregistrée : elle est dans la file de la "
    "cellule fraude.",
}


@routes.get("/backoffice/customers")
@page
async def search(request: web.Request, current: StaffSession) -> web.StreamResponse:
    """Find by id, name or card number (the card only by its HMAC, never kept or shown)."""
    app, text = request.app, request.query.get("q", "")
    authorise(current.staff, StaffAction.SEARCH)
    hits = await customers.find_customers(app[SESSIONS], app[VAULT], text)
    by = "card" if customers.card_number(text) else "id_or_name"
    await audit_staff(app[SESSIONS], current.staff, "backoffice.search", now=app[CLOCK].now(),
                      by=by, hits=len(hits))  # fmt: skip
    shown = "" if by == "card" else text  # a typed card number is not echoed back
    return view("bo_search.html", current, query=shown, hits=hits, searched=bool(text.strip()))


@routes.get(CUSTOMER)
@page
async def customer(request: web.Request, current: StaffSession) -> web.StreamResponse:
    """SP-35 / SP-60: the state, eligibility per channel and what to do, devices, payments."""
    customer_id = request.match_info["customer_id"]

    async def read() -> customers.CustomerPage:
        return await customers.customer_page(
            request.app[SESSIONS], customer_id, now=request.app[CLOCK].now()
        )

    found = await act(request, current, StaffAction.SUMMARY, read)
    return view(
        "bo_customer.html", current, page=found, f=french, amount=_amount,
        channel=_channel(request), face_to_face=FACE_TO_FACE,
        notice=NOTICES.get(request.query.get("fait", "")), signed_on=SIGNED_ON,
        may=lambda action: current.staff.role in _permissions(action),
        channels=fraud.CHANNELS, exemption_of=exemption_of,
    )  # fmt: skip


@routes.post(f"{CUSTOMER}/delay-lift")
@page
async def lift(request: web.Request, current: StaffSession) -> web.StreamResponse:
    """SP-15: lift the 72 h delay, only after a reinforced identity check (chosen in the form)."""
    form = await request.post()

    async def run() -> None:
        async with request.app[SESSIONS].begin() as session:
            await enrol_flows.record_lift(
                session, customer_id=request.match_info["customer_id"], staff=current.staff,
                identity_check=form.get("identity_check"), now=request.app[CLOCK].now(),
            )  # fmt: skip

    await act(request, current, StaffAction.DELAY_LIFT, run)
    return _done(request, "levee")


@routes.post(f"{CUSTOMER}/enrolment")
@page
async def enrol(request: web.Request, current: StaffSession) -> web.StreamResponse:
    """SP-30 … SP-33: face to face only, with the signed amendment's reference (SP-31)."""
    form = await request.post()
    reference, signed_on = str(form.get("amendment_reference", "")).strip(), form.get("signed_on")
    app = request.app

    async def run() -> None:
        if form.get("sale_channel") != "face_to_face":
            raise InvalidRequest("malformed_body", "Seulement en face à face, en agence (SP-30).")
        if not 0 < len(reference) <= 64 or signed_on not in SIGNED_ON:
            raise InvalidRequest(
                "malformed_body",
                "Indiquez la référence de l'avenant signé et où il a été signé (SP-31).",
            )
        await enrol_flows.initiate_in_branch(
            app[SESSIONS], customer_id=request.match_info["customer_id"], staff=current.staff,
            sale_channel="face_to_face",
            amendment={"reference": reference, "signed_on": str(signed_on)},
            keys=app[KEYRING], sms=app[SMS],
            codes_per_hour=app[SETTINGS].activation_codes_per_hour, now=app[CLOCK].now(),
        )  # fmt: skip

    await act(request, current, StaffAction.BRANCH_ENROLMENT, run)
    return _done(request, "avenant")


@routes.post(f"{CUSTOMER}/sms-otp-reset")
@page
async def reset_sms(request: web.Request, current: StaffSession) -> web.StreamResponse:
    """RTS Art. 4(3)(b): lift the SMS codes' block (audited with the staff id)."""

    async def run() -> None:
        await otp_failures.staff_reset(
            request.app[SESSIONS], request.match_info["customer_id"], staff=current.staff,
            now=request.app[CLOCK].now(),
        )  # fmt: skip

    await act(request, current, StaffAction.SMS_OTP_RESET, run)
    return _done(request, "sms")


@routes.post(f"{CUSTOMER}/devices/{{device_id}}/revoke")
@page
async def revoke(request: web.Request, current: StaffSession) -> web.StreamResponse:
    """A lost or stolen phone: revoked, its operations cancelled, the enrolment closed."""
    app = request.app

    async def run() -> None:
        await revoke_device(
            app[SESSIONS], app[HUB], customer_id=request.match_info["customer_id"],
            device_id=request.match_info["device_id"], staff=current.staff,
            hooks=app[OPERATION_HOOKS], now=app[CLOCK].now(),
        )  # fmt: skip

    await act(request, current, StaffAction.DEVICE_REVOKE, run)
    return _done(request, "revoque")


async def act(
    request: web.Request, current: StaffSession, action: StaffAction,
    run: Callable[[], Awaitable[T]], *, customer_id: str | None = None,
) -> T:  # fmt: skip
    """Authorise, run and audit one action on a customer (by default the path's), whatever
    the result."""
    customer_id = customer_id or request.match_info["customer_id"]
    try:
        authorise(current.staff, action)
        result = await run()
    except RoleForbidden:
        await _record(request, current, action, customer_id, 403, "role_forbidden")
        raise
    except SecurPassFlowError as exc:
        await _record(request, current, action, customer_id, flow_status(exc), exc.reason)
        raise
    except SecurPassError:
        await _record(request, current, action, customer_id, 422, "refused")
        raise
    await _record(request, current, action, customer_id, 200, None)
    return result


async def _record(
    request: web.Request, current: StaffSession, action: StaffAction, customer_id: str,
    status: int, error: str | None,
) -> None:  # fmt: skip
    call = StaffCall(current.staff, action, customer_id, status, error)
    await record_call(request.app[SESSIONS], call, at=request.app[CLOCK].now())


def _done(request: web.Request, notice: str) -> web.StreamResponse:
    target = f"/backoffice/customers/{request.match_info['customer_id']}?fait={notice}"
    if _channel(request):
        target += f"&canal={_channel(request)}"
    raise web.HTTPSeeOther(target)


def _channel(request: web.Request) -> str:
    """The advisor's channel with the customer: ``face_a_face``, ``distance`` or not said."""
    channel = request.query.get("canal", "")
    return channel if channel in (FACE_TO_FACE, "distance") else ""


def _permissions(action: str) -> frozenset[Any]:
    return PERMISSIONS.get(StaffAction(action), frozenset())


def _amount(minor: int | None, exponent: int | None, currency: str | None) -> str:
    if minor is None or currency is None:
        return ""
    return format_amount(minor, exponent if exponent is not None else 2, currency)
