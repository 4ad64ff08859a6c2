"""``GET /``: what this server is (name, version, profile) and where to look next.

HTML for a browser, JSON with ``Accept: application/json``. On the admin listener with the
operator endpoints; in development (one port) it is the first page ``acs demo`` prints.
"""

from __future__ import annotations

from html import escape

from aiohttp import web

import acs
from acs.notify.sms import OutboxSms
from acs.web.keys import SETTINGS, SMS

routes = web.RouteTableDef()

NAME = "Sécur'Pass ACS"
_STYLE = (
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b1f24}"
    "main{max-width:720px;margin:32px auto;padding:0 16px}a{color:#0b4f8a}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dt{color:#4a5057}"
    "dd{margin:0;font-weight:600}"
)


def _text(value: str) -> str:
    return escape(value, quote=False)


def _links(request: web.Request) -> list[tuple[str, str, str]]:
    """(path, French label, what it answers)."""
    links = [
        ("/healthz", "Vivacité", "liveness (JSON)"),
        ("/readyz", "Disponibilité", "readiness: the database answers (JSON)"),
        ("/metrics", "Métriques", "Prometheus text format"),
        ("/securpass/v1/openapi.json", "API Sécur'Pass", "device API, OpenAPI 3"),
    ]
    if isinstance(request.app[SMS], OutboxSms) and not request.app[SETTINGS].production:
        links.append(("/dev/sms", "Boîte SMS (développement)", "every SMS sent, per number"))
    return links


@routes.get("/")
async def about(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    facts = {"name": NAME, "version": acs.__version__, "profile": str(settings.profile)}
    links = _links(request)
    if "application/json" in request.headers.get("Accept", ""):
        return web.json_response({**facts, "links": {path: what for path, _, what in links}})
    items = "".join(
        f'<li><a href="{path}">{_text(label)}</a> — <span lang="en">{_text(what)}</span></li>'
        for path, label, what in links
    )
    body = (
        f"<h1>{_text(NAME)}</h1><p>Serveur de contrôle d'accès EMV 3-D Secure 2 (2.1.0, "
        "2.2.0, 2.3.1) dont l'authentification forte est Sécur'Pass.</p>"
        f'<dl><dt>Version</dt><dd id="version">{escape(facts["version"])}</dd>'
        f'<dt>Profil</dt><dd id="profile">{escape(facts["profile"])}</dd></dl>'
        f"<h2>Liens</h2><ul>{items}</ul><h2>Documentation</h2><p>Dans le dépôt : "
        "<code>README.md</code>, <code>docs/operator-guide.md</code>, "
        "<code>docs/demo.md</code>, <code>docs/device-api.md</code>.</p>"
    )
    html = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_text(NAME)}</title><style>{_STYLE}</style></head><body>"
        f"<main>{body}</main></body></html>"
    )
    return web.Response(text=html, content_type="text/html", charset="utf-8")
