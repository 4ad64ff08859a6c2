"""Back-office routes for branch advisors (``/backoffice/v1``): eligibility (SP-10 … SP-16,
SP-60), the SP-15 lift, face-to-face initiation (SP-30 … SP-33) and the services summary (SP-35).

Each call carries ``X-Advisor-Id`` (dev authentication). In production the back office sits
behind the bank's SSO, which sets this header after authenticating the advisor.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from acs.flows.securpass import enrol as enrol_flows
from acs.flows.securpass.errors import InvalidRequest
from acs.flows.securpass.views import enrolment_view
from acs.securpass.eligibility import ActivationChannel
from acs.securpass.operations import format_time
from acs.storage import securpass as store
from acs.web.keys import CLOCK, KEYRING, SESSIONS, SMS
from acs.web.securpass_errors import json_errors

__all__ = ["ADVISOR_HEADER", "routes"]

ADVISOR_HEADER = "X-Advisor-Id"
BASE = "/backoffice/v1/customers/{customer_id}/securpass"

routes = web.RouteTableDef()


def _advisor(request: web.Request) -> str:
    value = request.headers.get(ADVISOR_HEADER, "").strip()
    if not value or len(value) > 64:
        raise InvalidRequest("advisor_required", f"{ADVISOR_HEADER} names the advisor")
    return value


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.read() or b"{}")
    except ValueError:
        raise InvalidRequest("malformed_body", "the body is not JSON") from None
    if not isinstance(data, dict):
        raise InvalidRequest("malformed_body", "the body must be a JSON object")
    return data


@routes.get(BASE)
@json_errors
async def summary(request: web.Request) -> web.Response:
    """SP-35 / SP-60: eligibility per channel, with every unmet rule, and the enrolment state."""
    _advisor(request)
    customer_id, now = request.match_info["customer_id"], request.app[CLOCK].now()
    async with request.app[SESSIONS].begin() as session:
        customer = await enrol_flows.customer_or_404(session, customer_id)
        channels = {
            str(channel): await enrol_flows.eligibility_of(
                session, customer, channel=channel, now=now
            )
            for channel in ActivationChannel
        }
        await enrol_flows.current_enrolment(session, customer_id, now=now)
        latest = await store.latest_enrolment(
            session, customer_id, states=("initiated", "subscribed", "locked", "expired", "closed")
        )
        lift = await store.latest_lift(session, customer_id)
    body = {
        "customer_id": customer_id,
        "eligibility": {
            name: {
                "eligible": e.eligible,
                "unmet": [{"rule": u.rule, "message": u.message} for u in e.unmet],
            }
            for name, e in channels.items()
        },
        "enrolment": None if latest is None else enrolment_view(latest),
        "delay_lift": None
        if lift is None
        else {
            "advisor_id": lift.advisor_id,
            "lifted_at": format_time(lift.lifted_at),
            "identity_check": lift.identity_check,
        },
    }
    return web.json_response(body)


@routes.post(f"{BASE}/delay-lift")
@json_errors
async def lift(request: web.Request) -> web.Response:
    """SP-15: lift the 72 h e-mail delay; refused without the reinforced identity check."""
    advisor = _advisor(request)
    data = await _body(request)
    async with request.app[SESSIONS].begin() as session:
        row = await enrol_flows.record_lift(
            session,
            customer_id=request.match_info["customer_id"],
            advisor_id=advisor,
            identity_check=data.get("identity_check"),
            now=request.app[CLOCK].now(),
        )
    body = {
        "advisor_id": row.advisor_id,
        "lifted_at": format_time(row.lifted_at),
        "identity_check": row.identity_check,
    }
    return web.json_response(body, status=201)


@routes.post(f"{BASE}/enrolments")
@json_errors
async def initiate(request: web.Request) -> web.Response:
    """SP-30 … SP-33: only face to face; ``initiated``; SMS; 24 h to activate on the phone."""
    advisor = _advisor(request)
    data = await _body(request)
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
