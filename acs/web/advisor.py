"""Back-office routes for the bank's staff (``/backoffice/v1``): eligibility (SP-10 … SP-16,
SP-60), the SP-15 lift, face-to-face initiation (SP-30 … SP-33), the services summary (SP-35)
and the staff reset of a blocked SMS OTP (RTS Art. 4(3)(b)).

Each call carries a staff token of the bank's identity provider; each route names its action,
which the caller's role must be allowed (:data:`acs.auth.staff.PERMISSIONS`), and every call is
audited (:mod:`acs.web.staff`).
"""

from __future__ import annotations

from aiohttp import web

from acs.auth.staff import Staff, StaffAction
from acs.flows import otp_failures
from acs.flows.securpass import enrol as enrol_flows
from acs.flows.securpass import queries
from acs.flows.securpass.bodies import read_object
from acs.flows.securpass.errors import InvalidRequest
from acs.flows.securpass.views import enrolment_view
from acs.web.keys import CLOCK, KEYRING, SESSIONS, SETTINGS, SMS
from acs.web.staff import StaffRoutes, staff_api

__all__ = ["routes", "table"]

CUSTOMER = "/backoffice/v1/customers/{customer_id}"
BASE = f"{CUSTOMER}/securpass"

table = StaffRoutes()


@table.get(BASE, StaffAction.SUMMARY)
async def summary(request: web.Request, staff: Staff) -> web.Response:
    """SP-35 / SP-60: eligibility per channel, with every unmet rule, and the enrolment state."""
    customer_id, now = request.match_info["customer_id"], request.app[CLOCK].now()
    body = await queries.customer_summary(request.app[SESSIONS], customer_id, now=now)
    return web.json_response(body)


@table.post(f"{BASE}/delay-lift", StaffAction.DELAY_LIFT)
async def lift(request: web.Request, staff: Staff) -> web.Response:
    """SP-15: lift the 72 h e-mail delay; refused without the reinforced identity check."""
    data = read_object(await request.read())
    async with request.app[SESSIONS].begin() as session:
        row = await enrol_flows.record_lift(
            session,
            customer_id=request.match_info["customer_id"],
            staff=staff,
            identity_check=data.get("identity_check"),
            now=request.app[CLOCK].now(),
        )
    return web.json_response(queries.lift_view(row), status=201)


@table.post(f"{CUSTOMER}/sms-otp/reset", StaffAction.SMS_OTP_RESET)
async def reset_sms_otp(request: web.Request, staff: Staff) -> web.Response:
    """RTS Art. 4(3)(b): a staff action lifts the SMS OTP block (audited with the staff id)."""
    body = await otp_failures.staff_reset(
        request.app[SESSIONS], request.match_info["customer_id"], staff=staff,
        now=request.app[CLOCK].now(),
    )  # fmt: skip
    return web.json_response(body)


@table.post(f"{BASE}/enrolments", StaffAction.BRANCH_ENROLMENT)
async def initiate(request: web.Request, staff: Staff) -> web.Response:
    """SP-30 … SP-33: only face to face; ``initiated``; SMS; 24 h to activate on the phone."""
    data = read_object(await request.read())
    sale_channel = data.get("sale_channel")
    if not isinstance(sale_channel, str):
        raise InvalidRequest("malformed_body", "sale_channel is required (face_to_face)")
    row = await enrol_flows.initiate_in_branch(
        request.app[SESSIONS],
        customer_id=request.match_info["customer_id"],
        staff=staff,
        sale_channel=sale_channel,
        amendment=_amendment(data.get("amendment"), sale_channel),
        keys=request.app[KEYRING],
        sms=request.app[SMS],
        codes_per_hour=request.app[SETTINGS].activation_codes_per_hour,
        now=request.app[CLOCK].now(),
    )
    return web.json_response({"enrolment": enrolment_view(row)}, status=201)


SIGNED_ON = ("tablet", "paper")


def _amendment(value: object, sale_channel: str) -> dict[str, str] | None:
    """SP-31: the e-signed amendment to the remote-banking contract that adds Sécur'Pass
    (its reference in the bank's contract system, signed on the branch tablet or on paper)."""
    if sale_channel != "face_to_face":
        return None  # refused anyway (SP-30), whatever the body says
    if not isinstance(value, dict):
        raise InvalidRequest(
            "malformed_body", "amendment {reference, signed_on} is required (SP-31)"
        )
    reference, signed_on = value.get("reference"), value.get("signed_on")
    if not (isinstance(reference, str) and 0 < len(reference) <= 64):
        raise InvalidRequest("malformed_body", "amendment.reference: 1 to 64 characters")
    if signed_on not in SIGNED_ON:
        raise InvalidRequest("malformed_body", "amendment.signed_on: tablet or paper")
    return {"reference": reference, "signed_on": signed_on}


# The aiohttp routes, each guarded, audited and with its refusals rendered (acs.web.staff).
routes = staff_api(table)
