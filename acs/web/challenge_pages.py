"""HTML rendering of the challenge pages (Jinja2, autoescape, inline CSS/JS only).

Headers: ``text/html; charset=utf-8``, ``Cache-Control: no-store``, no ``X-Frame-Options`` and no
``frame-ancestors`` (the page lives in the merchant's iframe), no cookies.

Content-Security-Policy: scripts and styles run only with the page's nonce (a fresh
``secrets.token_urlsafe(18)`` per answer, given to the templates as ``csp_nonce``), never
``'unsafe-inline'``: an injected ``<script>`` has no nonce and does not run. Images only from
the ACS itself (``img-src 'self'``: the bank's logo, ``/3ds/static/banxo-logo.svg``, no CDN).

Layout (issue #13): the primary action and Cancel come first and fit without scrolling in the
smallest windows (01, 250×400, and 02, 390×400: a compact layout under 420 px of height);
secondary actions (new code, no phone, help) follow. Information notices (a new code was sent,
the approval has not arrived yet) are ``role="status"``; errors (wrong code) ``role="alert"``.
``Referrer-Policy: same-origin``: the page's own forms then carry ``Origin`` (which the follow-up
routes check, :mod:`acs.web.challenge`), while the merchant's and the 3DS Server's pages get
neither referrer nor origin (``no-referrer`` would send ``Origin: null`` on our own POSTs too).
The other security headers are set for every answer in :mod:`acs.web.headers_policy`.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from acs.flows.challenge.browser import Screen
from acs.flows.challenge.catalogue import BANK_HELP_PHONE
from acs.flows.challenge.view import TEXTS, final_text_key, masked_mobile, page_token
from acs.protocol import ChallengeWindowSize, TransStatus, b64url_encode

__all__ = ["post_page", "render", "screen_page"]

TEMPLATES = Path(__file__).parent / "templates"
_CSP = (
    "default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; img-src 'self'; "
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


INFO_NOTICES = frozenset({"otp_resent", "otp_switched", "oob_not_yet"})
SCHEME_NAMES = {"visa": "Visa", "mastercard": "Mastercard"}
LOGO_PATH = "/3ds/static/banxo-logo.svg"


def scheme_name(settings: Any, bin6: str) -> str:
    """The card scheme of the range the card's BIN lies in ("Visa", "Mastercard"), or ""."""
    for card_range in settings.card_ranges if bin6 else ():
        if card_range.start[:6] <= bin6 <= card_range.end[:6]:
            return SCHEME_NAMES.get(str(card_range.scheme), str(card_range.scheme).title())
    return ""


def _seconds_left(expires_at: datetime, now: datetime) -> int:
    aware = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=UTC)
    current = now if now.tzinfo else now.replace(tzinfo=UTC)
    return max(int((aware - current).total_seconds()), 0)


def screen_page(
    screen: Screen, *, base_url: str, wrap_key: bytes, settings: Any, now: datetime | None = None
) -> web.Response:
    """The page of an ``otp``, ``oob`` or ``wait`` screen."""
    row = screen.row
    lang = row.language or "fr"
    texts = TEXTS[lang]
    token = page_token(wrap_key, row.acs_trans_id)
    base = f"{base_url}/3ds/challenge/{row.acs_trans_id}"
    notice = texts[screen.notice].format(**screen.notice_args) if screen.notice else None
    seconds = _seconds_left(row.expires_at, now or datetime.now(UTC))
    mobile = masked_mobile(screen.mobile)
    return render(
        f"challenge_{screen.kind}.html",
        lang=lang,
        t=texts,
        payment=screen.payment,
        scheme=scheme_name(settings, screen.payment.bin6),
        logo_url=f"{base_url}{LOGO_PATH}",
        mobile=mobile,
        notice=notice,
        notice_is_info=screen.notice in INFO_NOTICES,
        token=token,
        base=base,
        status_url=f"{base}/status?token={token}",
        window_size=row.window_size or "05",
        max_width=_max_width(row.window_size),
        can_resend=row.otp_sends <= settings.otp_max_resends,
        can_switch=screen.can_switch,
        seconds_left=seconds,
        time_left=f"{seconds // 60} min {seconds % 60:02d} s",
        help_text=texts["help"].format(phone=BANK_HELP_PHONE),
        approved=row.result_status == TransStatus.AUTHENTICATED,
        final_text=texts[final_text_key(row)],
    )


def post_page(
    *, action: str, fields: list[tuple[str, str]], lang: str, message: str
) -> web.Response:
    """A page that auto-posts ``fields`` to ``action`` (with a visible button without JS)."""
    return render("challenge_post.html", action=action, fields=fields, lang=lang,
                  t=TEXTS[lang], message=message)  # fmt: skip


def encode_message(message: dict[str, Any]) -> str:
    return b64url_encode(json.dumps(message, separators=(",", ":")).encode())
