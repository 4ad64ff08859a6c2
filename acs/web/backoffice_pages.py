"""HTML rendering of the back office (Jinja2, autoescape; inline CSS with a nonce, no script).

Headers: ``text/html; charset=utf-8``, ``Cache-Control: no-store``, a Content-Security-Policy
that runs no script at all and lets forms post only to the ACS itself, ``frame-ancestors
'none'`` (the back office is never framed), ``Referrer-Policy: same-origin``.
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

__all__ = ["render"]

TEMPLATES = Path(__file__).parent / "templates"
_CSP = (
    "default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, *, status: int = 200, **context: Any) -> web.Response:
    nonce = secrets.token_urlsafe(18)
    context.setdefault("current", None)
    body = environment().get_template(template).render(csp_nonce=nonce, **context)
    response = web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = _CSP.format(nonce=nonce)
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response
