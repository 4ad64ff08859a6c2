"""Development-only routes, mounted only in the development profile with the in-memory SMS
outbox: the phone's SMS inbox (it shows every code, so it never exists in production).

``GET /dev/sms`` is a readable HTML page: without ``?to=`` the inboxes of the customers with a
secure mobile number, linked; with ``?to=+33…`` that number's messages, newest first. Asked
with ``Accept: application/json`` it answers JSON (``{"messages": [...]}`` oldest first, or
``{"inboxes": [...]}``), which the phone simulator reads.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

from aiohttp import web

from acs.flows.dev_inbox import inbox_owners
from acs.notify.sms import OutboxSms
from acs.web.keys import SESSIONS, SMS

routes = web.RouteTableDef()

_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b1f24}"
    "main{max-width:720px;margin:24px auto;padding:0 16px}h1{font-size:1.5rem}"
    ".sms{background:#fff;border-radius:12px;padding:12px 14px;margin:10px 0;"
    "box-shadow:0 1px 3px rgba(0,0,0,.1)}.meta{color:#4a5057;font-size:.85rem}"
    "a{color:#0b4f8a}.warn{background:#fff3cd;color:#5c4400;padding:8px 12px;border-radius:8px}"
)


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@routes.get("/dev/sms")
async def sms_inbox(request: web.Request) -> web.Response:
    """``GET /dev/sms?to=+33612345678`` → the messages sent to that number, newest last (JSON)."""
    outbox = request.app[SMS]
    assert isinstance(outbox, OutboxSms)  # these routes are mounted only with it (app factory)
    to = request.query.get("to", "").strip()
    if not to:
        owners = await inbox_owners(request.app[SESSIONS])
        inboxes = [
            {"customer_id": o.customer_id, "name": o.name, "to": o.mobile,
             "messages": len(outbox.inbox(o.mobile))}
            for o in owners
        ]  # fmt: skip
        if _wants_json(request):
            return web.json_response({"inboxes": inboxes})
        return _html(_index_page(inboxes))
    messages = [_wire(m) for m in outbox.inbox(to)]
    if _wants_json(request) or "text/html" not in request.headers.get("Accept", "text/html"):
        return web.json_response({"messages": messages})
    return _html(_inbox_page(to, messages))


def _wire(m: Any) -> dict[str, str]:
    return {
        "to": m.to, "text": m.text, "purpose": m.purpose, "reference": m.reference,
        "at": m.at.isoformat(),
    }  # fmt: skip


def _html(body: str) -> web.Response:
    return web.Response(text=body, content_type="text/html", charset="utf-8")


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body><main>"
        '<p class="warn">Développement uniquement : cette boîte montre chaque code envoyé.</p>'
        f"{body}</main></body></html>"
    )


def _index_page(inboxes: list[dict[str, Any]]) -> str:
    items = "".join(
        f'<li><a href="/dev/sms?to={quote(i["to"])}">{escape(i["name"])} · '
        f'{escape(i["to"])}</a> <span class="meta">({i["messages"]} SMS, client '
        f"{escape(i['customer_id'])})</span></li>"
        for i in inboxes
    )
    body = (
        '<h1>SMS envoyés · <span lang="en">SMS sent</span></h1>'
        f"<ul>{items or '<li>Aucun client avec un mobile sécurisé.</li>'}</ul>"
    )
    return _page("Boîte SMS de développement", body)


def _inbox_page(to: str, messages: list[dict[str, str]]) -> str:
    items = "".join(
        f'<div class="sms"><div class="meta">{escape(m["at"][:19].replace("T", " "))} UTC · '
        f"{escape(m['purpose'])}</div><p>{escape(m['text'])}</p></div>"
        for m in reversed(messages)
    )
    body = (
        f"<h1>SMS reçus au {escape(to)}</h1>"
        '<p><a href="/dev/sms">Toutes les boîtes</a> · la page ne se recharge pas : '
        "actualisez-la après un envoi.</p>"
        f"{items or '<p>Aucun SMS pour ce numéro.</p>'}"
    )
    return _page(f"SMS · {to}", body)
