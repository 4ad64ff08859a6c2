"""The shop's HTML: inline CSS, no external assets, no network fetches."""

from __future__ import annotations

from html import escape

from merchant_simulator.shop.catalog import CATALOG, Product, euros
from merchant_simulator.shop.verdicts import Verdict

__all__ = ["LOCK_SVG", "cart_page", "checkout_page", "home_page", "product_page", "result_page"]

_CSS = """
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,
sans-serif;background:#f6f3f0;color:#222}a{color:inherit}
header{background:#fff;border-bottom:1px solid #eee;padding:14px 24px;display:flex;
align-items:center;justify-content:space-between}
.logo{font-weight:800;font-size:1.35rem;letter-spacing:.5px;color:#c2185b;text-decoration:none}
.logo small{display:block;font-weight:500;font-size:.7rem;color:#595959;letter-spacing:1px}
.demo{background:#fff3cd;color:#5c4400;font-size:.8rem;padding:6px 24px;text-align:center}
main{max-width:980px;margin:28px auto;padding:0 16px}
.banner{background:linear-gradient(120deg,#ad1457,#bf360c);color:#fff;border-radius:14px;
padding:28px;margin-bottom:24px}.banner h1{margin:0 0 6px}.banner p{margin:0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:20px}
.card{background:#fff;border-radius:12px;overflow:hidden;box-shadow:0 2px 10px rgba(0,0,0,.06);
text-decoration:none;display:block}
.photo{height:180px;display:flex;align-items:center;justify-content:center;font-size:2.4rem;
font-weight:800;color:#3d3d3d}
.info{padding:14px 16px}.brand{font-size:.75rem;text-transform:uppercase;color:#595959;
letter-spacing:1px}.name{margin:4px 0 8px;font-weight:600}
.price{color:#ad1457;font-weight:800;font-size:1.2rem}.was{color:#595959;text-decoration:
line-through;margin-left:8px;font-size:.9rem}.off{background:#ad1457;color:#fff;border-radius:4px;
padding:2px 6px;font-size:.75rem;margin-left:8px}
.tag{display:inline-block;background:#e8f5e9;color:#1b5e20;border-radius:4px;padding:2px 6px;
font-size:.75rem;margin-top:6px}
.panel{background:#fff;border-radius:12px;padding:24px;box-shadow:0 2px 10px rgba(0,0,0,.06)}
.two{display:grid;grid-template-columns:1.2fr 1fr;gap:24px}@media(max-width:720px){.two{
grid-template-columns:1fr}}
.btn{display:inline-block;background:#ad1457;color:#fff;border:0;border-radius:8px;
padding:12px 22px;font-size:1rem;font-weight:600;text-decoration:none;cursor:pointer}
.btn:hover{background:#880e4f}.btn:focus-visible,input:focus-visible{outline:3px solid #1a73e8;
outline-offset:2px}.muted{color:#595959;font-size:.9rem}
.line{display:flex;justify-content:space-between;padding:10px 0;border-bottom:1px solid #f0f0f0}
.total{font-weight:800;font-size:1.15rem;border:0}
label{display:block;font-size:.85rem;color:#444;margin:14px 0 6px}
input[type=text]{width:100%;padding:11px 12px;border:1px solid #767676;border-radius:8px;
font-size:1rem}input[aria-invalid=true]{border:2px solid #b71c1c}
.row{display:flex;gap:12px}.row>div{flex:1}
.error{background:#fdecea;color:#b71c1c;border-radius:8px;padding:10px 12px;margin-bottom:12px}
.lock{color:#1b5e20;font-size:.85rem;margin-top:12px;display:flex;gap:6px;align-items:center}
.lock svg{flex:none}
.verdict{text-align:center;padding:36px}.verdict .icon{width:72px;height:72px;border-radius:50%;
margin:0 auto 12px;display:flex;align-items:center;justify-content:center}
.ok .icon{background:#2e7d32}.cancel .icon{background:#b34700}.ko .icon{background:#c62828}
.wait .icon{background:#616161}.advice{font-weight:600}
footer{text-align:center;color:#595959;font-size:.8rem;margin:40px 0}
"""

# Inline SVG: the icons need no emoji font (a lock drawn, not the 🔒 character).
LOCK_SVG = (
    '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">'
    '<rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor"/>'
    '<path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" stroke-width="1.8"/>'
    "</svg>"
)
_ICONS = {
    "ok": '<path d="M9 19l6 6 12-13" fill="none" stroke="#fff" stroke-width="4"/>',
    "cancel": '<path d="M18 8v13M18 25v3" fill="none" stroke="#fff" stroke-width="4"/>',
    "ko": '<path d="M10 10l16 16M26 10L10 26" fill="none" stroke="#fff" stroke-width="4"/>',
    "wait": '<circle cx="18" cy="18" r="9" fill="none" stroke="#fff" stroke-width="4"/>',
}


def _layout(title: str, body: str, *, shop_name: str) -> str:
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)} · {escape(shop_name)}</title><style>{_CSS}</style></head><body>"
        '<div class="demo">Boutique de démonstration — aucun article ne sera livré, '
        "aucun paiement réel.</div>"
        f'<header><a class="logo" href="/">{escape(shop_name)}'
        "<small>VENTES ÉVÉNEMENTIELLES</small></a>"
        '<span class="muted">Paiement sécurisé 3-D Secure</span></header>'
        f"<main>{body}</main><footer>{escape(shop_name)} — simulateur marchand</footer>"
        "</body></html>"
    )


def _photo(product: Product) -> str:
    start, end = product.colors
    initials = "".join(word[0] for word in product.name.split()[:2]).upper()
    return (
        f'<div class="photo" style="background:linear-gradient(135deg,{start},{end})" '
        f'aria-hidden="true">{escape(initials)}</div>'
    )


def _prices(product: Product) -> str:
    off = round(100 * (product.was - product.price) / product.was)
    return (
        f'<span class="price">{euros(product.price)}</span>'
        f'<span class="was">{euros(product.was)}</span><span class="off">-{off}%</span>'
    )


def _tra_tag(product: Product) -> str:
    if not product.asks_tra:
        return ""
    return '<div class="tag">Exemption TRA demandée par le marchand</div>'


def home_page(*, shop_name: str) -> str:
    cards = "".join(
        f'<a class="card" href="/produit/{p.product_id}">{_photo(p)}<div class="info">'
        f'<div class="brand">{escape(p.brand)}</div><div class="name">{escape(p.name)}</div>'
        f"{_prices(p)}{_tra_tag(p)}</div></a>"
        for p in CATALOG
    )
    body = (
        '<section class="banner"><h1>Vente flash : l\'été à prix doux</h1>'
        "<p>Jusqu'à -55 % · se termine dans 2 j 04 h</p></section>"
        f'<div class="grid">{cards}</div>'
    )
    return _layout("Ventes en cours", body, shop_name=shop_name)


def product_page(product: Product, *, shop_name: str) -> str:
    body = (
        f'<div class="two"><div class="card">{_photo(product)}</div><div class="panel">'
        f'<div class="brand">{escape(product.brand)}</div><h1>{escape(product.name)}</h1>'
        f'<p>{_prices(product)}</p>{_tra_note(product)}<p class="muted">Livraison offerte '
        "dès 49 €. Retour gratuit sous 14 jours.</p>"
        '<form method="get" action="/panier">'
        f'<input type="hidden" name="produit" value="{escape(product.product_id)}">'
        '<button class="btn" id="add-to-cart">Ajouter au panier</button></form></div></div>'
    )
    return _layout(product.name, body, shop_name=shop_name)


def _tra_note(product: Product) -> str:
    if not product.asks_tra:
        return ""
    return (
        '<p class="tag" id="tra-note">Pour cet article, le marchand demande à votre banque '
        "l'exemption pour analyse de risque (TRA) : le paiement peut se faire sans "
        "confirmation.</p>"
    )


def cart_page(product: Product, *, shop_name: str) -> str:
    body = (
        '<div class="panel"><h1>Mon panier</h1>'
        f'<div class="line"><span>{escape(product.brand)} — {escape(product.name)} (×1)</span>'
        f"<span>{euros(product.price)}</span></div>"
        '<div class="line"><span>Livraison</span><span>Offerte</span></div>'
        f'<div class="line total"><span>Total TTC</span><span>{euros(product.price)}</span></div>'
        f'<p><a class="btn" id="checkout" href="/paiement?produit={product.product_id}">'
        "Valider mon panier</a></p></div>"
    )
    return _layout("Mon panier", body, shop_name=shop_name)


_BROWSER_FIELDS = (
    "color_depth",
    "screen_height",
    "screen_width",
    "tz",
    "language",
    "languages",
    "java_enabled",
    "js_enabled",
)

# Collects what a browser AReq needs about the browser, just before the form is sent.
_BROWSER_JS = """<script>
document.getElementById('pay-form').addEventListener('submit', function(){
  var f=this.elements;
  f.color_depth.value=String(screen.colorDepth);
  f.screen_height.value=String(screen.height);
  f.screen_width.value=String(screen.width);
  f.tz.value=String(new Date().getTimezoneOffset());
  f.language.value=navigator.language||'';
  f.languages.value=(navigator.languages||[navigator.language]).join(',');
  f.java_enabled.value=(navigator.javaEnabled&&navigator.javaEnabled())?'true':'false';
  f.js_enabled.value='true';
});
</script>"""


def checkout_page(
    product: Product,
    *,
    shop_name: str,
    error: str = "",
    values: dict[str, str] | None = None,
    invalid: str = "",
) -> str:
    """The card form; after a refusal ``error`` says why and ``invalid`` names the field."""
    values = dict(values or {})
    values.pop("cvv", None)  # a card security code is never written back into a page
    hidden = "".join(f'<input type="hidden" name="{n}" value="">' for n in _BROWSER_FIELDS)
    problem = (
        f'<div class="error" id="form-error" role="alert">{escape(error)}</div>' if error else ""
    )

    def field(name: str, label: str, hint: str, complete: str, **extra: str) -> str:
        return _field(name, label, values, hint, complete, invalid=name == invalid, **extra)

    form = (
        f'<form id="pay-form" method="post" action="/paiement" novalidate>{problem}'
        f'<input type="hidden" name="produit" value="{escape(product.product_id)}">{hidden}'
        + field(
            "card_number",
            "Numéro de carte",
            "1234 5678 9012 3456",
            "cc-number",
            inputmode="numeric",
            maxlength="23",
        )
        + '<div class="row"><div>'
        + field("expiry", "Date d'expiration (MM/AA)", "MM/AA", "cc-exp", maxlength="5")
        + "</div><div>"
        + field(
            "cvv",
            "Cryptogramme (CVV)",
            "123",
            "cc-csc",
            inputmode="numeric",
            maxlength="4",
        )
        + "</div></div>"
        + field("holder", "Nom du titulaire", "Prénom Nom", "cc-name")
        + f'<p><button class="btn" id="pay">Payer {euros(product.price)}</button></p>'
        f'<p class="lock">{LOCK_SVG}<span>Paiement sécurisé : votre banque peut vous demander '
        "de confirmer.</span></p></form>"
    )
    summary = (
        f'<div class="panel"><h2>Récapitulatif</h2><div class="line"><span>'
        f"{escape(product.name)}</span><span>{euros(product.price)}</span></div>"
        f'<div class="line total"><span>Total</span><span>{euros(product.price)}</span></div>'
        f'{_tra_note(product)}<p class="muted">Marchand : showroomprive.com (démo)</p></div>'
    )
    body = f'<div class="two"><div class="panel"><h1>Paiement</h1>{form}</div>{summary}</div>'
    return _layout("Paiement", body + _BROWSER_JS, shop_name=shop_name)


def _field(
    name: str,
    label: str,
    values: dict[str, str],
    hint: str,
    complete: str,
    *,
    invalid: bool = False,
    **extra: str,
) -> str:
    attributes = "".join(f' {k}="{escape(v)}"' for k, v in extra.items())
    if invalid:
        attributes += ' aria-invalid="true" aria-describedby="form-error" autofocus'
    return (
        f'<label for="{name}">{escape(label)}</label>'
        f'<input type="text" id="{name}" name="{name}" value="{escape(values.get(name, ""))}" '
        f'placeholder="{escape(hint)}" autocomplete="{complete}" required{attributes}>'
    )


def result_page(verdict: Verdict, *, product: Product | None, shop_name: str) -> str:
    """One page per way the payment ended (``data-outcome`` = ``verdict.kind``)."""
    icon = (
        '<svg width="36" height="36" viewBox="0 0 36 36" aria-hidden="true" focusable="false">'
        f"{_ICONS.get(verdict.tone, _ICONS['wait'])}</svg>"
    )
    what = f"<p>{escape(product.name)} — {euros(product.price)}</p>" if product else ""
    refresh = '<meta http-equiv="refresh" content="2">' if verdict.tone == "wait" else ""
    advice = (
        f'<p class="advice" id="verdict-advice">{escape(verdict.advice)}</p>'
        if verdict.advice
        else ""
    )
    body = (
        f'<div class="panel verdict {verdict.tone}" id="outcome" '
        f'data-outcome="{escape(verdict.kind)}">{refresh}<div class="icon">{icon}</div>'
        f'<h1 id="verdict">{escape(verdict.title)}</h1>'
        f'<p id="verdict-detail">{escape(verdict.detail)}</p>{advice}{what}'
        '<p><a class="btn" href="/">Retour aux ventes</a></p></div>'
    )
    return _layout(verdict.title, body, shop_name=shop_name)
