"""The transactions' pages: search by card, customer, dates, outcome and exemption; one
transaction explained (rules, thresholds, exemption, method, the challenge's steps with
times, ECI, whether an authentication value was issued — never the value)."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from acs.auth.staff import StaffAction, authorise
from acs.flows.backoffice import french, transactions
from acs.flows.backoffice.login import StaffSession, audit_staff
from acs.flows.securpass.errors import InvalidRequest
from acs.protocol.amounts import format_amount
from acs.web.backoffice import page, view
from acs.web.keys import CLOCK, SESSIONS, TRA_GATE, VAULT

__all__ = ["routes"]

routes = web.RouteTableDef()
BASE = "/backoffice/transactions"


@routes.get(BASE)
@page
async def search(request: web.Request, current: StaffSession) -> web.StreamResponse:
    authorise(current.staff, StaffAction.TRANSACTIONS)
    q = request.query
    form = transactions.Search(
        card=q.get("carte", ""), customer_id=q.get("client", ""),
        since=_day(q.get("du")), until=_day(q.get("au")),
        outcome=q.get("resultat", "")[:1], exemption=q.get("exemption", "")[:4],
    )  # fmt: skip
    searched = any(q.get(k) for k in ("carte", "client", "du", "au", "resultat", "exemption"))
    found = []
    if searched:
        app = request.app
        found = await transactions.search_transactions(app[SESSIONS], app[VAULT], form)
        await audit_staff(app[SESSIONS], current.staff, "backoffice.transactions",
                          now=app[CLOCK].now(), hits=len(found))  # fmt: skip
    return view(
        "bo_transactions.html", current, found=found, searched=searched, f=french,
        form=form, amount=format_amount, exemptions=transactions.EXEMPTIONS,
        exemption_of=transactions.exemption_of,
    )  # fmt: skip


@routes.get(f"{BASE}/{{acs_trans_id}}")
@page
async def explained(request: web.Request, current: StaffSession) -> web.StreamResponse:
    authorise(current.staff, StaffAction.TRANSACTIONS)
    explanation = await transactions.explain(
        request.app[SESSIONS], request.match_info["acs_trans_id"][:36],
        thresholds=request.app[TRA_GATE].settings.risk,
    )  # fmt: skip
    return view("bo_transaction.html", current, e=explanation, f=french)


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest("malformed_body", "Date invalide.") from None
