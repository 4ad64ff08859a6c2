"""HTML rendering of the challenge pages (Jinja2, autoescape, inline CSS/JS only).

Headers: ``text/html; charset=utf-8``, ``Cache-Control: no-store``, no ``X-Frame-Options`` and no
``frame-ancestors`` (the page lives in the merchant's iframe), no cookies.

Content-Security-Policy: scripts and styles run only with the page's nonce (a fresh
``secrets.token_urlsafe(18)`` per answer, given to the templates as ``csp_nonce``), never
``'unsafe-inline'``: an injected ``<script>`` has no nonce and does not run.
``Referrer-Policy: same-origin``: the page's own forms then carry ``Origin`` (which the follow-up
routes check, :mod:`acs.web.challenge`), while the merchant's and the 3DS Server's pages get
neither referrer nor origin (``no-referrer`` would send ``Origin: null`` on our own POSTs too).
The other security headers are set for every answer in :mod:`acs.web.headers_policy`.
"""

from __future__ import annotations

import json
import secrets
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from acs.flows.challenge.browser import Screen
from acs.flows.challenge.view import TEXTS, masked_mobile, page_token
from acs.protocol import ChallengeWindowSize, TransStatus, b64url_encode

__all__ = ["post_page", "render", "screen_page"]

TEMPLATES = Path(__file__).parent / "templates"
_CSP = (
    "default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
    "connect-src 'self'; form-action https: http:; base-uri 'none'"
)


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, *, status: int = 200, **context: Any) -> web.Response:
    nonce = secrets.token_urlsafe(18)
    body = environment().get_template(template).render(csp_nonce=nonce, **context)
    response = web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = _CSP.format(nonce=nonce)
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _max_width(window_size: str | None) -> str:
    try:
        pixels = ChallengeWindowSize(window_size or "05").pixels
    except ValueError:
        pixels = None
    return f"{pixels[0]}px" if pixels else "40rem"


def screen_page(screen: Screen, *, base_url: str, wrap_key: bytes, settings: Any) -> web.Response:
    """The page of an ``otp``, ``oob`` or ``wait`` screen."""
    row = screen.row
    lang = row.language or "fr"
    texts = TEXTS[lang]
    token = page_token(wrap_key, row.acs_trans_id)
    base = f"{base_url}/3ds/challenge/{row.acs_trans_id}"
    notice = texts[screen.notice].format(**screen.notice_args) if screen.notice else None
    return render(
        f"challenge_{screen.kind}.html",
        lang=lang,
        t=texts,
        payment=screen.payment,
        mobile=masked_mobile(screen.mobile),
        notice=notice,
        token=token,
        base=base,
        status_url=f"{base}/status?token={token}",
        window_size=row.window_size or "05",
        max_width=_max_width(row.window_size),
        can_resend=row.otp_sends <= settings.otp_max_resends,
        approved=row.result_status == TransStatus.AUTHENTICATED,
    )


def post_page(
    *, action: str, fields: list[tuple[str, str]], lang: str, message: str
) -> web.Response:
    """A page that auto-posts ``fields`` to ``action`` (with a visible button without JS)."""
    return render("challenge_post.html", action=action, fields=fields, lang=lang,
                  t=TEXTS[lang], message=message)  # fmt: skip


def encode_message(message: dict[str, Any]) -> str:
    return b64url_encode(json.dumps(message, separators=(",", ":")).encode())
