"""Back-office routes for branch advisors (``/backoffice/v1``): eligibility (SP-10 … SP-16,
SP-60), the SP-15 lift, face-to-face initiation (SP-30 … SP-33), the services summary (SP-35)
and the staff reset of a blocked SMS OTP (RTS Art. 4(3)(b)).

Each call carries ``X-Advisor-Id`` (dev authentication). In production the back office sits
behind the bank's SSO, which sets this header after authenticating the advisor.
"""

from __future__ import annotations

from aiohttp import web

from acs.flows import otp_failures
from acs.flows.securpass import enrol as enrol_flows
from acs.flows.securpass import queries
from acs.flows.securpass.bodies import read_object
from acs.flows.securpass.errors import InvalidRequest
from acs.flows.securpass.views import enrolment_view
from acs.web.headers import identity_header
from acs.web.keys import CLOCK, KEYRING, SESSIONS, SMS

__all__ = ["ADVISOR_HEADER", "routes"]

ADVISOR_HEADER = "X-Advisor-Id"
CUSTOMER = "/backoffice/v1/customers/{customer_id}"
BASE = f"{CUSTOMER}/securpass"

routes = web.RouteTableDef()


def _advisor(request: web.Request) -> str:
    return identity_header(
        request, ADVISOR_HEADER, max_length=64, reason="advisor_required", says="names the advisor"
    )


@routes.get(BASE)
async def summary(request: web.Request) -> web.Response:
    """SP-35 / SP-60: eligibility per channel, with every unmet rule, and the enrolment state."""
    _advisor(request)
    customer_id, now = request.match_info["customer_id"], request.app[CLOCK].now()
    body = await queries.customer_summary(request.app[SESSIONS], customer_id, now=now)
    return web.json_response(body)


@routes.post(f"{BASE}/delay-lift")
async def lift(request: web.Request) -> web.Response:
    """SP-15: lift the 72 h e-mail delay; refused without the reinforced identity check."""
    advisor = _advisor(request)
    data = read_object(await request.read())
    async with request.app[SESSIONS].begin() as session:
        row = await enrol_flows.record_lift(
            session,
            customer_id=request.match_info["customer_id"],
            advisor_id=advisor,
            identity_check=data.get("identity_check"),
            now=request.app[CLOCK].now(),
        )
    return web.json_response(queries.lift_view(row), status=201)


@routes.post(f"{CUSTOMER}/sms-otp/reset")
async def reset_sms_otp(request: web.Request) -> web.Response:
    """RTS Art. 4(3)(b): a staff action lifts the SMS OTP block (audited with the advisor)."""
    advisor = _advisor(request)
    body = await otp_failures.staff_reset(
        request.app[SESSIONS], request.match_info["customer_id"], advisor_id=advisor,
        now=request.app[CLOCK].now(),
    )  # fmt: skip
    return web.json_response(body)


@routes.post(f"{BASE}/enrolments")
async def initiate(request: web.Request) -> web.Response:
    """SP-30 … SP-33: only face to face; ``initiated``; SMS; 24 h to activate on the phone."""
    advisor = _advisor(request)
    data = read_object(await request.read())
    sale_channel = data.get("sale_channel")
    if not isinstance(sale_channel, str):
        raise InvalidRequest("malformed_body", "sale_channel is required (face_to_face)")
    row = await enrol_flows.initiate_in_branch(
        request.app[SESSIONS],
        customer_id=request.match_info["customer_id"],
        advisor_id=advisor,
        sale_channel=sale_channel,
        amendment=_amendment(data.get("amendment"), sale_channel),
        keys=request.app[KEYRING],
        sms=request.app[SMS],
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
