"""The HTML the 3DS Server serves to the browser: method, challenge frame, and the returns."""

from __future__ import annotations

import json
from html import escape

from merchant_simulator.threeds_server.config import WINDOW_SIZES

__all__ = [
    "authenticate_page",
    "challenge_page",
    "error_page",
    "method_done_page",
    "notify_done_page",
    "recent_page",
]

_STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f6f3f0;
color:#222}
main{max-width:720px;margin:48px auto;padding:32px;background:#fff;border-radius:12px;
box-shadow:0 2px 16px rgba(0,0,0,.08);text-align:center}
h1{font-size:1.3rem;margin:0 0 8px}p{color:#555}
.spin{width:42px;height:42px;margin:24px auto;border:4px solid #eadfd8;border-top-color:#c2185b;
border-radius:50%;animation:s 1s linear infinite}@keyframes s{to{transform:rotate(360deg)}}
.frame{margin:16px auto;border:1px solid #ddd;border-radius:8px;background:#fff;display:block}
button{background:#c2185b;color:#fff;border:0;border-radius:6px;padding:10px 18px;font-size:1rem}
table{border-collapse:collapse;width:100%;font-size:.85rem;text-align:left}
th,td{padding:6px 8px;border-bottom:1px solid #ddd}code{font-size:.8rem}
.full main{max-width:none;margin:0;padding:0;border-radius:0;box-shadow:none}
"""


def _page(title: str, body: str, *, css_class: str = "") -> str:
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f'<body class="{css_class}"><main>{body}</main></body></html>'
    )


def _js(value: object) -> str:
    """A JSON literal safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def authenticate_page(
    *, continue_url: str, method_url: str | None, method_data: str, timeout_ms: int
) -> str:
    """Runs the 3DS Method in a hidden iframe (if any), then posts ``continue_url``."""
    method = ""
    if method_url:
        method = (
            '<iframe name="threeds-method" id="threeds-method" title="3DS Method" hidden '
            'style="display:none;width:0;height:0;border:0"></iframe>'
            f'<form id="method-form" method="post" action="{escape(method_url)}" '
            f'target="threeds-method">{_hidden("threeDSMethodData", method_data)}</form>'
        )
    script = f"""<script>
(function(){{
  var sent=false, form=document.getElementById('continue-form');
  function go(){{ if(!sent){{ sent=true; form.submit(); }} }}
  var method=document.getElementById('method-form');
  if(!method){{ go(); return; }}
  window.addEventListener('message', function(e){{
    if(e.origin===window.location.origin && e.data && e.data.threeDSMethod==='done'){{ go(); }}
  }});
  setTimeout(go, {_js(timeout_ms)});
  method.submit();
}})();
</script>"""
    body = (
        "<h1>Sécurisation de votre paiement</h1><p>Nous vérifions votre carte auprès de votre "
        'banque. Merci de patienter…</p><div class="spin" aria-hidden="true"></div>'
        f'<form id="continue-form" method="post" action="{escape(continue_url)}">'
        "<noscript><button>Continuer</button></noscript></form>"
        f"{method}{script}"
    )
    return _page("Sécurisation du paiement", body)


def challenge_page(*, acs_url: str, creq: str, session_data: str, window_size: str) -> str:
    """Opens the ACS challenge in an iframe of ``window_size`` by posting the CReq into it."""
    width, height = WINDOW_SIZES[window_size]
    full = window_size == "05"
    frame = (
        f'<iframe name="challenge" id="challenge" class="frame" title="Authentification" '
        f'style="width:{width};height:{height};max-width:100%"></iframe>'
        f'<form id="creq-form" method="post" action="{escape(acs_url)}" target="challenge">'
        f"{_hidden('creq', creq)}{_hidden('threeDSSessionData', session_data)}"
        "<noscript><button>Ouvrir l'authentification</button></noscript></form>"
        "<script>document.getElementById('creq-form').submit();</script>"
    )
    intro = (
        ""
        if full
        else "<h1>Authentification de votre paiement</h1>"
        "<p>Votre banque vous demande de confirmer ce paiement.</p>"
    )
    return _page("Authentification", intro + frame, css_class="full" if full else "")


def method_done_page() -> str:
    """Answer to the 3DS Method notification, inside the hidden iframe: tell the parent."""
    script = (
        "<script>if(window.parent!==window){window.parent.postMessage("
        "{threeDSMethod:'done'}, window.location.origin);}</script>"
    )
    return _page("3DS Method", script)


def notify_done_page(return_url: str) -> str:
    """Answer to the final CRes, inside the challenge iframe: leave the frame for the result."""
    body = (
        "<p>Authentification terminée.</p>"
        f'<p><a href="{escape(return_url)}" target="_top">Voir le résultat</a></p>'
        f"<script>window.top.location.href={_js(return_url)};</script>"
    )
    return _page("Authentification terminée", body)


def error_page(message: str, *, status_hint: str = "") -> str:
    body = f"<h1>Paiement impossible</h1><p>{escape(message)}</p><p>{escape(status_hint)}</p>"
    return _page("Erreur", body)


_COLUMNS = (
    ("at", "Date (UTC)"), ("card", "Carte"), ("amount", "Montant"),
    ("messageVersion", "Version"), ("status", "État"), ("transStatus", "transStatus"),
    ("transStatusReason", "Motif"), ("challengeCancel", "challengeCancel"),
    ("errorCode", "Erreur"),
)  # fmt: skip


def recent_page(rows: list[dict[str, str]]) -> str:
    """The recent transactions (values already HTML-escaped), newest first."""
    head = "".join(f'<th scope="col">{label}</th>' for _, label in _COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{row[key]}</td>" for key, _ in _COLUMNS) + "</tr>" for row in rows
    )
    table = (
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        if rows
        else "<p>Aucune transaction pour l'instant : payez sur la boutique.</p>"
    )
    text = (
        "<h1>Serveur 3DS (simulateur)</h1><p>Les dernières authentifications, la plus récente "
        "d'abord. API : <code>POST /api/transactions</code>, "
        "<code>GET /api/transactions/{id}</code>.</p>"
    )
    return _page("Serveur 3DS · transactions", text + table)
