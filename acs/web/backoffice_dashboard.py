"""The dashboard: per day, AReqs by answer, the frictionless rate, challenges by method and
outcome, refusals and fraud declarations, the challenges' time to a decision (p50/p99), as
server-rendered SVG charts each with its table (:mod:`acs.web.backoffice_charts`)."""

from __future__ import annotations

from aiohttp import web

from acs.auth.staff import StaffAction, authorise
from acs.flows.backoffice import dashboard, french
from acs.flows.backoffice.login import StaffSession
from acs.protocol.amounts import format_amount
from acs.web.backoffice import page, view
from acs.web.backoffice_charts import bars
from acs.web.keys import CLOCK, SESSIONS, TRA_GATE

__all__ = ["routes"]

routes = web.RouteTableDef()
ANSWERS = {"Y": "Y authentifié", "C": "C challenge", "D": "D découplé", "N": "N refusé",
           "R": "R rejeté", "U": "U", "A": "A tentative", "I": "I info"}  # fmt: skip


@routes.get("/backoffice/dashboard")
@page
async def show(request: web.Request, current: StaffSession) -> web.StreamResponse:
    authorise(current.staff, StaffAction.DASHBOARD)
    days = await dashboard.daily(request.app[SESSIONS], now=request.app[CLOCK].now())
    monitor = request.app[TRA_GATE].state
    return view("bo_dashboard.html", current, days=days, charts=charts(days), monitor=monitor,
                f=french, euros=lambda minor: format_amount(minor, 2, "978"), pct=_pct,
                secs=_secs)  # fmt: skip


def _pct(value: float, digits: int = 2) -> str:
    """``0,13 %`` (French decimals)."""
    return f"{value:.{digits}f}".replace(".", ",") + "\u00a0%"


def _secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",") + "\u00a0s"


def charts(days: list[dashboard.DayStats]) -> list[object]:
    labels = [d.day.strftime("%d/%m") for d in days]
    answers = [a for a in ANSWERS if any(d.answers[a] for d in days)] or ["Y"]
    kinds = sorted({k for d in days for k in d.challenges}) or ["aucun"]
    return [
        bars(
            "AReqs par réponse", labels, {ANSWERS[a]: [d.answers[a] for d in days] for a in answers}
        ),
        bars(
            "Taux sans challenge (frictionless)",
            labels,
            {"sans challenge": [round(d.frictionless_rate, 1) for d in days]},
            unit=" %",
        ),
        bars(
            "Challenges par méthode et résultat",
            labels,
            {k: [d.challenges[k] for d in days] for k in kinds},
        ),
        bars(
            "Refus et déclarations de fraude",
            labels,
            {
                "refus (N, R)": [d.refusals for d in days],
                "déclarations de fraude": [d.declarations for d in days],
            },
            stacked=False,
        ),
        bars(
            "Temps jusqu'à la décision du challenge",
            labels,
            {"p50": [d.p50 or 0 for d in days], "p99": [d.p99 or 0 for d in days]},
            stacked=False,
            unit=" s",
        ),
    ]
