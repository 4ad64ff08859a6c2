"""The fraud desk's pages (SP-55, SP-56): the queue of declarations with the card's opposition
state and a link to the payment, an advisor's declaration after a call or an e-mail (on the
customer's page), an analyst's qualification with a note. Every change audited."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from acs.auth.staff import PERMISSIONS, StaffAction, authorise
from acs.flows.backoffice import fraud, french
from acs.flows.backoffice.login import StaffSession
from acs.flows.securpass.errors import InvalidRequest
from acs.protocol.amounts import format_amount
from acs.web.backoffice import page, view
from acs.web.backoffice_customers import act
from acs.web.keys import CLOCK, SESSIONS
from acs.web.tra_monitor import refresh

__all__ = ["routes"]

routes = web.RouteTableDef()
QUEUE = "/backoffice/fraud"


@routes.get(QUEUE)
@page
async def queue(request: web.Request, current: StaffSession) -> web.StreamResponse:
    """The declarations, those to qualify first (``?a_qualifier=1``: only those)."""
    authorise(current.staff, StaffAction.FRAUD_QUEUE)
    open_only = request.query.get("a_qualifier") == "1"
    lines = await fraud.fraud_queue(request.app[SESSIONS], open_only=open_only)
    return view(
        "bo_fraud.html", current, lines=lines, f=french, open_only=open_only,
        qualifications=fraud.QUALIFICATIONS, amount=format_amount,
        may_qualify=current.staff.role in PERMISSIONS[StaffAction.FRAUD_QUALIFY],
        notice="La déclaration est qualifiée." if request.query.get("fait") else None,
    )  # fmt: skip


@routes.post("/backoffice/customers/{customer_id}/fraud")
@page
async def declare(request: web.Request, current: StaffSession) -> web.StreamResponse:
    """SP-55: the cardholder called or wrote: card, payment (or amount, merchant, date),
    channel, notes; the card opposed for fraud if the advisor ticks it."""
    form = await request.post()
    customer_id = request.match_info["customer_id"]

    async def run() -> int:
        declaration = fraud.Declaration(
            customer_id=customer_id,
            card_id=_int(form.get("card_id"), "la carte"),
            channel=str(form.get("channel", "")),
            notes=str(form.get("notes", "")).strip(),
            acs_trans_id=str(form.get("acs_trans_id") or "") or None,
            amount_minor=fraud.parse_amount(str(form["amount"])) if form.get("amount") else None,
            merchant=str(form.get("merchant", "")),
            on=_date(form.get("on")),
            oppose=form.get("oppose") == "1",
        )
        return await fraud.declare(
            request.app[SESSIONS], declaration, staff=current.staff, now=request.app[CLOCK].now()
        )

    await act(request, current, StaffAction.FRAUD_DECLARE, run)
    raise web.HTTPSeeOther(f"/backoffice/customers/{customer_id}?fait=declaree")


@routes.post(f"{QUEUE}/{{declaration_id}}/qualify")
@page
async def qualify(request: web.Request, current: StaffSession) -> web.StreamResponse:
    """Confirmed fraud, the cardholder's mistake or a duplicate, with a note."""
    form = await request.post()
    declaration_id = _int(request.match_info["declaration_id"], "la déclaration")
    customer_id = await fraud.customer_of(request.app[SESSIONS], declaration_id)

    async def run() -> str:
        return await fraud.qualify(
            request.app[SESSIONS], declaration_id,
            qualification=str(form.get("qualification", "")),
            note=str(form.get("note", "")).strip(), staff=current.staff,
            now=request.app[CLOCK].now(),
        )  # fmt: skip

    await act(request, current, StaffAction.FRAUD_QUALIFY, run, customer_id=customer_id)
    await refresh(request.app)  # a confirmed fraud may close a TRA band at once (RTS Art. 20)
    raise web.HTTPSeeOther(f"{QUEUE}?fait=qualifiee")


def _int(value: object, what: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise InvalidRequest("malformed_body", f"Choisissez {what}.") from None


def _date(value: object) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidRequest("malformed_body", "Date invalide (jj/mm/aaaa).") from None
