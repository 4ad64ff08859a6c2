# ruff: noqa: E501  (the embedded script keeps its own line lengths)
"""The HTML of the phone page: a phone drawn in CSS, its screens rendered by a small script.

The script receives the slot's snapshot over server-sent events and posts the customer's
choices as JSON. Element ids are stable: the end-to-end tests use them.
"""

from __future__ import annotations

import json
from html import escape

__all__ = ["index_page", "phone_page"]

_STYLE = """
*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:#dfe6ee;font:15px/1.4 system-ui,-apple-system,
"Segoe UI",Roboto,Arial,sans-serif;color:#14213d;display:flex;flex-direction:column;
align-items:center;justify-content:center;padding:16px}
.phone{width:360px;height:740px;background:#111;border-radius:44px;padding:14px;
box-shadow:0 18px 50px rgba(0,0,0,.35)}
.screen{position:relative;height:100%;background:#f4f7fb;border-radius:32px;overflow:hidden;
display:flex;flex-direction:column}
.status{display:flex;justify-content:space-between;padding:10px 22px 4px;font-size:12px;
font-weight:600}
.appbar{background:#0b4f8a;color:#fff;padding:12px 18px;display:flex;align-items:center;
justify-content:space-between}
.appbar b{font-size:18px;letter-spacing:.03em}
.appbar button{background:none;border:0;color:#fff;font-size:20px;cursor:pointer;padding:2px 6px}
#view{flex:1;overflow-y:auto;padding:16px}
h1{font-size:20px;margin:4px 0 10px}h2{font-size:16px;margin:14px 0 6px}
.card{background:#fff;border-radius:14px;padding:14px;margin:0 0 12px;
box-shadow:0 1px 4px rgba(0,0,0,.08)}
label{display:block;font-weight:600;margin:10px 0 4px}
input[type=text],input[type=password],input[type=tel]{width:100%;font-size:17px;padding:8px;
border:2px solid #9aa7b8;border-radius:8px}
input:focus,button:focus{outline:3px solid #ffbf47;outline-offset:2px}
.check{display:flex;gap:8px;align-items:center;font-weight:400;margin:8px 0}
.btn{display:block;width:100%;font:inherit;font-weight:600;padding:12px;margin:10px 0 0;
border-radius:10px;border:2px solid #0b4f8a;background:#0b4f8a;color:#fff;cursor:pointer}
.btn.secondary{background:#fff;color:#0b4f8a}.btn.danger{background:#fff;color:#a4001d;
border-color:#a4001d}.btn.danger.solid{background:#a4001d;color:#fff}
.btn:disabled{opacity:.5}
dl{display:grid;grid-template-columns:auto 1fr;gap:6px 12px;margin:8px 0}
dt{color:#4a5568}dd{margin:0;font-weight:600;text-align:right}
.amount{font-size:30px;font-weight:700;text-align:center;margin:6px 0}
.sms{background:#e9e9eb;border-radius:16px 16px 16px 4px;padding:10px 12px;margin:8px 0;
font-size:14px}
.sms small{display:block;color:#666;font-weight:600;margin-bottom:2px}
.notif{background:rgba(255,255,255,.97);border-radius:14px;padding:10px 12px;margin:0 0 12px;
box-shadow:0 4px 14px rgba(0,0,0,.18);cursor:pointer;font-size:14px}
.notice{background:#e6f4ea;color:#145a2a;border-radius:10px;padding:10px;margin:0 0 12px}
.error{background:#fde8ec;color:#a4001d;border-radius:10px;padding:10px;margin:0 0 12px;
font-weight:600}
.dots{display:flex;justify-content:center;gap:14px;margin:16px 0}
.dots span{width:16px;height:16px;border-radius:50%;border:2px solid #0b4f8a}
.dots span.on{background:#0b4f8a}
.keys{display:grid;grid-template-columns:repeat(3,1fr);gap:10px}
.keys button{font-size:22px;padding:12px;border-radius:50px;border:0;background:#fff;
box-shadow:0 1px 3px rgba(0,0,0,.15);cursor:pointer}
.result{text-align:center;padding-top:40px}
.result .icon{font-size:56px;width:90px;height:90px;line-height:90px;border-radius:50%;
margin:0 auto 14px;color:#fff}
.result.approved .icon{background:#1e8e3e}.result.refused .icon{background:#a4001d}
.op-item{width:100%;text-align:left;font:inherit;border:0;cursor:pointer}
.result #result-message p{margin:8px 0}.result #result-message .first{font-weight:600}
.card.alert{border-left:5px solid #a4001d}.center{text-align:center}
h1:focus{outline:none}
.muted{color:#4a5568}.caption{margin-top:12px;color:#4a5568;font-size:13px}
.en{display:block;font-weight:400;font-size:13px;color:#4a5568}
"""

_SCRIPT = r"""
(function () {
  var SLOT = __SLOT__;
  var base = "/phone/" + SLOT;
  var view = document.getElementById("view");
  var state = null, ui = {screen: "home", op: null, digits: "", error: null}, busy = false;
  var seen = {}, shown = null;
  var ICONS = {
    approved: '<svg width="44" height="44" viewBox="0 0 44 44"><path d="M11 23l8 8 15-17" fill="none" stroke="#fff" stroke-width="5"/></svg>',
    refused: '<svg width="44" height="44" viewBox="0 0 44 44"><path d="M13 13l18 18M31 13L13 31" fill="none" stroke="#fff" stroke-width="5"/></svg>'
  };
  var PARIS = new Intl.DateTimeFormat("fr-FR", {hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris"});

  function esc(v) {
    return String(v == null ? "" : v).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function $(id) { return document.getElementById(id); }
  function on(id, fn) { var el = $(id); if (el) el.addEventListener("click", fn); }
  function opById(id) {
    return (state.operations || []).filter(function (o) { return o.operation_id === id; })[0];
  }
  async function post(path, body) {
    if (busy) return null;
    busy = true; ui.error = null; render();
    try {
      var r = await fetch(base + path, {method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify(body || {})});
      var answer = await r.json();
      if (!answer.ok) { ui.error = answer.message || "Erreur"; }
      else { state = answer.state; }
      return answer;
    } catch (e) { ui.error = "Pas de réseau : réessayez."; return null; }
    finally { busy = false; render(); }
  }
  function messages() {
    var out = "";
    if (ui.error) out += '<div class="error" id="error" role="alert">' + esc(ui.error) + "</div>";
    if (state.notice) out += '<div class="notice" id="notice" role="status">' + esc(state.notice) + "</div>";
    return out;
  }
  function screenLogin() {
    return messages() + '<form class="card" id="login-form" aria-labelledby="login-title" novalidate>' +
      '<h1 id="login-title">Connexion à Banxo</h1><p class="muted" lang="en">Log in to Banxo</p>' +
      '<label for="login-identifier">Identifiant client <span class="en" lang="en">Customer ID (8 digits)</span></label>' +
      '<input type="text" id="login-identifier" inputmode="numeric" autocomplete="username" maxlength="8" value="' + esc(ui.identifier || state.identifier) + '">' +
      '<label for="login-password">Mot de passe <span class="en" lang="en">Password</span></label>' +
      '<input type="password" id="login-password" autocomplete="current-password">' +
      '<button class="btn" id="login-submit" type="submit">Se connecter <span lang="en">· Log in</span></button></form>';
  }
  function screenNew() {
    return messages() + '<h1>Bienvenue dans Banxo</h1><div class="card"><h2>Activez Sécur\'Pass</h2>' +
      "<p>Validez vos paiements et opérations sensibles directement dans l'appli, avec votre code ou votre empreinte.</p>" +
      '<p class="muted" id="logged-in">Connecté : identifiant ' + esc(state.identifier) + " (client " + esc(state.customer_id) + ")</p>" +
      '<label for="mobile">Numéro de mobile</label><input type="tel" id="mobile" value="' + esc(ui.mobile || state.mobile) + '">' +
      '<button class="btn" id="activate-start">Activer Sécur\'Pass</button>' +
      '<button class="btn secondary" id="logout" type="button">Se déconnecter</button></div>';
  }
  function screenActivating() {
    return messages() +
      (state.sms ? '<div class="sms" id="sms"><small>SMS · Banxo</small><span id="sms-text">' + esc(state.sms) + "</span></div>" : "") +
      '<div class="card"><h2>Activation de Sécur\'Pass</h2>' +
      '<label for="activation-code">Code reçu par SMS</label>' +
      '<input type="text" id="activation-code" inputmode="numeric" maxlength="6" autocomplete="one-time-code">' +
      '<button class="btn secondary" id="fill-code" type="button">Utiliser le code du SMS</button>' +
      '<label for="new-code">Choisissez votre code Sécur\'Pass (4 chiffres)</label>' +
      '<input type="password" id="new-code" inputmode="numeric" maxlength="4">' +
      '<label for="confirm-code">Confirmez le code</label>' +
      '<input type="password" id="confirm-code" inputmode="numeric" maxlength="4">' +
      '<label class="check"><input type="checkbox" id="bio-payments"> Valider mes opérations avec la biométrie</label>' +
      '<label class="check"><input type="checkbox" id="bio-login"> Me connecter avec la biométrie</label>' +
      '<button class="btn" id="activate-finish">Activer</button></div>';
  }
  function screenHome() {
    var ops = state.operations || [];
    var list = ops.map(function (o) {
      return '<button class="card op-item" data-op="' + esc(o.operation_id) + '"><b>' + esc(o.amount) +
        "</b> · " + esc(o.merchant) + '<br><span class="muted">' + esc(o.date) + "</span></button>";
    }).join("");
    var opposed = (state.opposed || []).map(function (c) {
      return '<div class="card alert" id="card-opposed"><b>Carte ' + esc(c) + " en opposition</b>" +
        '<p>Après votre déclaration de fraude, cette carte ne peut plus payer. Votre conseiller vous contacte pour la remplacer.</p></div>';
    }).join("");
    var last = state.last ? '<div class="card" id="last-operation"><h2>Dernière opération</h2><p>' + esc(state.last.summary) + "</p></div>" : "";
    return messages() + '<h1 tabindex="-1">Bonjour</h1>' + opposed + '<div class="card" id="home"><b>Sécur\'Pass est actif</b>' +
      '<p class="muted">Vos paiements sur internet se valident ici.</p></div>' + last +
      "<h2>Opérations à valider</h2>" + (list || '<p class="muted" id="no-operation">Aucune opération en attente.</p>');
  }
  function screenOperation(o) {
    return messages() + '<div class="card" id="operation"><h1 tabindex="-1">' + esc(o.kind) + "</h1>" +
      '<div class="amount" id="op-amount">' + esc(o.amount) + "</div>" +
      '<dl><dt>Marchand</dt><dd id="op-merchant">' + esc(o.merchant) + "</dd>" +
      '<dt>Date</dt><dd id="op-date">' + esc(o.date) + "</dd>" +
      (o.card ? '<dt>Carte</dt><dd id="op-card">' + esc(o.card) + "</dd>" : "") + "</dl>" +
      '<button class="btn" id="approve">Valider</button>' +
      '<button class="btn danger" id="refuse">Je refuse ce paiement</button></div>';
  }
  function screenKeypad(o) {
    var dots = "";
    for (var i = 0; i < 4; i++) dots += '<span class="' + (i < ui.digits.length ? "on" : "") + '"></span>';
    var keys = ["1","2","3","4","5","6","7","8","9","","0","⌫"].map(function (k) {
      if (!k) return "<span></span>";
      if (k === "⌫") return '<button id="erase" aria-label="Effacer">⌫</button>';
      return '<button type="button" data-digit="' + k + '">' + k + "</button>";
    }).join("");
    return messages() + '<div id="keypad"><h1 tabindex="-1">Saisissez votre code Sécur\'Pass</h1>' +
      '<p class="muted">' + esc(o.amount) + " · " + esc(o.merchant) + "</p>" +
      '<div class="dots" aria-hidden="true">' + dots + "</div>" +
      '<p class="muted center" id="digits-count" aria-live="polite">' + ui.digits.length + " chiffre(s) saisi(s) sur 4 · tapez-les au clavier ou sur le pavé</p>" +
      '<div class="keys">' + keys + "</div>" +
      (state.biometrics.payments ? '<button class="btn secondary" id="use-biometrics">Utiliser la biométrie</button>' : "") +
      '<button class="btn secondary" id="back">Retour</button></div>';
  }
  function screenConfirmRefuse(o) {
    return messages() + '<div class="card" id="refuse-dialog" role="alertdialog" aria-labelledby="refuse-title">' +
      '<h1 id="refuse-title" tabindex="-1">Refuser ce paiement ?</h1>' +
      "<p>Vous refusez le paiement de <b>" + esc(o.amount) + "</b> sur <b>" + esc(o.merchant) + "</b>.</p>" +
      '<p class="muted">Ce refus vaut déclaration de fraude : votre carte sera mise en opposition.</p>' +
      '<button class="btn danger solid" id="refuse-confirm">Confirmer le refus</button>' +
      '<button class="btn secondary" id="refuse-back">Retour</button></div>';
  }
  function screenResult(r) {
    var lines = (r.lines || []).map(function (line, i) {
      return '<p class="' + (i ? "next" : "first") + '">' + esc(line) + "</p>";
    }).join("");
    return '<div class="result ' + esc(r.kind) + '" id="result">' +
      '<div class="icon" aria-hidden="true">' + ICONS[r.kind === "approved" ? "approved" : "refused"] + "</div>" +
      '<h1 id="result-title" tabindex="-1">' + esc(r.title) + "</h1>" +
      '<div id="result-message">' + lines + "</div>" +
      '<button class="btn" id="result-ok">OK</button></div>';
  }
  function screenSettings() {
    var b = state.biometrics;
    return messages() + '<div id="settings"><h1 tabindex="-1">Paramètres</h1>' +
      '<div class="card"><h2>Sécur\'Pass · Biométrie</h2>' +
      '<label class="check"><input type="checkbox" id="set-bio-payments"' + (b.payments ? " checked" : "") + "> Valider mes opérations</label>" +
      '<label class="check"><input type="checkbox" id="set-bio-login"' + (b.login ? " checked" : "") + "> Me connecter à l'appli</label></div>" +
      '<div class="card"><h2>Modifier mon code Sécur\'Pass</h2>' +
      '<label for="current-code">Code actuel</label><input type="password" id="current-code" inputmode="numeric" maxlength="4">' +
      '<label for="changed-code">Nouveau code</label><input type="password" id="changed-code" inputmode="numeric" maxlength="4">' +
      '<button class="btn" id="change-code">Modifier le code</button></div>' +
      '<div class="card"><h2>Paramètres et informations légales</h2>' +
      (ui.confirmClose
        ? '<p>Résilier Sécur\'Pass sur ce téléphone ? Vos opérations seront validées par SMS.</p><button class="btn danger solid" id="close-confirm">Confirmer la résiliation</button><button class="btn secondary" id="close-back">Retour</button>'
        : '<button class="btn danger" id="close-securpass">Résilier Sécur\'Pass</button>') +
      '</div><button class="btn secondary" id="settings-back">Retour</button></div>';
  }
  function screenEnded() {
    var title = {closed: "Sécur'Pass résilié", revoked: "Sécur'Pass transféré", blocked: "Sécur'Pass bloqué"}[state.state];
    return messages() + '<div class="card" id="ended"><h1 id="ended-title" tabindex="-1">' + esc(title) + "</h1>" +
      '<button class="btn" id="reactivate">Activer Sécur\'Pass sur ce téléphone</button></div>';
  }
  function notification() {
    var ops = state.operations || [];
    if (state.state !== "active" || !ops.length || ui.screen !== "home") return "";
    var o = ops[ops.length - 1];
    return '<div class="notif" id="notification" data-op="' + esc(o.operation_id) + '"><b>Banxo</b> · Validez votre paiement de ' +
      esc(o.amount) + " chez " + esc(o.merchant) + "</div>";
  }
  function render() {
    if (!state) return;
    document.body.dataset.state = state.state;
    var settings = $("settings-open");
    settings.hidden = state.state !== "active";
    var o = ui.op && opById(ui.op);
    if (["operation", "keypad", "refuse"].indexOf(ui.screen) >= 0 && !o) { ui.screen = "home"; ui.op = null; }
    var html;
    if (state.result) html = screenResult(state.result);
    else if (["new", "activating"].indexOf(state.state) >= 0 && !state.logged_in) html = screenLogin();
    else if (state.state === "new") html = screenNew();
    else if (state.state === "activating") html = screenActivating();
    else if (state.state !== "active") html = screenEnded();
    else if (ui.screen === "operation") html = screenOperation(o);
    else if (ui.screen === "keypad") html = screenKeypad(o);
    else if (ui.screen === "refuse") html = screenConfirmRefuse(o);
    else if (ui.screen === "settings") html = screenSettings();
    else html = notification() + screenHome();
    var screen = state.result ? "result" : state.state + ":" + ui.screen + ":" + (ui.op || "");
    var moved = screen !== shown;
    shown = screen;
    var had = document.activeElement && view.contains(document.activeElement) ? document.activeElement.id : "";
    view.innerHTML = html;
    view.querySelectorAll("button").forEach(function (b) { if (busy) b.disabled = true; });
    bind();
    if (ui.focus && $(ui.focus)) { $(ui.focus).focus(); ui.focus = null; }
    else if (!moved && had && $(had)) { $(had).focus(); }  // the same screen drawn again
    else if (moved) {
      // A new screen or dialog: focus goes to its heading (or its first field), so a screen
      // reader and the keyboard start there.
      var target = view.querySelector("#login-identifier, h1");
      if (target) target.focus();
    }
  }
  function openOp(id) { ui.screen = "operation"; ui.op = id; ui.digits = ""; ui.error = null; render(); }
  function approveWith(body) {
    var id = ui.op;
    post("/operations/" + encodeURIComponent(id) + "/approve", body).then(function (a) {
      ui.digits = ""; if (a && a.ok) { ui.screen = "home"; ui.op = null; } render();
    });
  }
  function bind() {
    var login = $("login-form");
    if (login) login.addEventListener("submit", function (e) {
      e.preventDefault();
      ui.identifier = $("login-identifier").value;
      post("/login", {identifier: ui.identifier, password: $("login-password").value}).then(function (a) {
        if (!a || !a.ok) { ui.focus = "login-password"; render(); }
      });
    });
    on("logout", function () { post("/logout"); });
    on("activate-start", function () {
      ui.mobile = $("mobile").value;
      post("/activation", {mobile: ui.mobile});
    });
    on("fill-code", function () {
      var m = (state.sms || "").match(/\b\d{6}\b/); if (m) $("activation-code").value = m[0];
    });
    on("activate-finish", function () {
      if ($("new-code").value !== $("confirm-code").value) { ui.error = "Les deux codes diffèrent."; render(); return; }
      post("/activation/confirm", {activation_code: $("activation-code").value, code: $("new-code").value,
        biometrics: {payments: $("bio-payments").checked, login: $("bio-login").checked}});
    });
    view.querySelectorAll("[data-op]").forEach(function (el) {
      el.addEventListener("click", function () { openOp(el.dataset.op); });
    });
    on("approve", function () { ui.screen = "keypad"; ui.digits = ""; ui.error = null; render(); });
    on("refuse", function () { ui.screen = "refuse"; ui.error = null; render(); });
    on("refuse-back", function () { ui.screen = "operation"; render(); });
    on("back", function () { ui.screen = "operation"; ui.digits = ""; render(); });
    on("refuse-confirm", function () {
      post("/operations/" + encodeURIComponent(ui.op) + "/refuse").then(function (a) {
        if (a && a.ok) { ui.screen = "home"; ui.op = null; } render();
      });
    });
    view.querySelectorAll("[data-digit]").forEach(function (el) {
      el.addEventListener("click", function () { pressDigit(el.dataset.digit); });
    });
    on("erase", function () { ui.digits = ui.digits.slice(0, -1); render(); });
    on("use-biometrics", function () { approveWith({method: "biometric"}); });
    on("result-ok", function () { ui.screen = "home"; post("/dismiss"); });
    on("settings-back", function () { ui.screen = "home"; ui.confirmClose = false; render(); });
    ["payments", "login"].forEach(function (purpose) {
      var el = $("set-bio-" + purpose);
      if (el) el.addEventListener("change", function () { post("/biometrics", {purpose: purpose, enabled: el.checked}); });
    });
    on("change-code", function () { post("/code", {current: $("current-code").value, new: $("changed-code").value}); });
    on("close-securpass", function () { ui.confirmClose = true; render(); });
    on("close-back", function () { ui.confirmClose = false; render(); });
    on("close-confirm", function () { ui.confirmClose = false; ui.screen = "home"; post("/close"); });
    on("reactivate", function () { ui.screen = "home"; post("/forget"); });
  }
  function pressDigit(d) {
    if (busy || ui.digits.length >= 4) return;
    ui.digits += d; render();
    if (ui.digits.length === 4) approveWith({method: "code", code: ui.digits});
  }
  document.addEventListener("keydown", function (e) {
    if (!state || state.result || ui.screen !== "keypad" || e.altKey || e.ctrlKey || e.metaKey) return;
    if (/^[0-9]$/.test(e.key)) { e.preventDefault(); pressDigit(e.key); }
    else if (e.key === "Backspace") { e.preventDefault(); ui.digits = ui.digits.slice(0, -1); render(); }
    else if (e.key === "Escape") { ui.screen = "operation"; ui.digits = ""; render(); }
  });
  $("settings-open").addEventListener("click", function () { ui.screen = "settings"; ui.error = null; render(); });
  function receive(snapshot) {
    var fresh = (snapshot.operations || []).filter(function (o) { return !seen[o.operation_id]; });
    fresh.forEach(function (o) { seen[o.operation_id] = true; });
    state = snapshot;
    // SP-51: the notification opens the app on the operation.
    if (fresh.length && !state.result && (ui.screen === "home" || ui.screen === "operation")) {
      ui.screen = "operation"; ui.op = fresh[fresh.length - 1].operation_id; ui.digits = "";
    }
    render();
  }
  function tick() {
    // The bank's time zone, as the operation's date (Europe/Paris), whatever the computer's.
    $("clock").textContent = PARIS.format(new Date());
  }
  tick(); setInterval(tick, 10000);
  var events = new EventSource(base + "/events");
  events.onmessage = function (e) { receive(JSON.parse(e.data)); };
  document.body.dataset.ready = "1";
})();
"""


def phone_page(*, slot: int, label: str) -> str:
    """The phone page of ``slot``; ``label`` is already HTML-escaped."""
    script = _SCRIPT.replace("__SLOT__", json.dumps(slot))
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>Banxo · {label}</title><style>{_STYLE}</style></head><body>"
        '<div class="phone"><div class="screen">'
        '<div class="status"><span id="clock" title="Heure de Paris">--:--</span>'
        '<span aria-hidden="true">4G ▮▮▮ 100 %</span></div>'
        '<header class="appbar"><b>Banxo</b>'
        '<button id="settings-open" aria-label="Paramètres" hidden>'
        '<svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false">'
        '<circle cx="10" cy="10" r="3" fill="none" stroke="currentColor" stroke-width="2"/>'
        '<path d="M10 1v3M10 16v3M1 10h3M16 10h3M3.6 3.6l2.1 2.1M14.3 14.3l2.1 2.1M3.6 16.4l2.1-2.1'
        'M14.3 5.7l2.1-2.1" stroke="currentColor" stroke-width="2"/></svg></button></header>'
        '<main id="view"><p class="muted">Chargement…</p></main>'
        f'</div></div><p class="caption">{label} · simulateur Sécur\'Pass</p>'
        f"<script>{script}</script></body></html>"
    )


def index_page(phones: list[tuple[int, str]]) -> str:
    items = "".join(f'<li><a href="/phone/{n}">{escape(label)}</a></li>' for n, label in phones)
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Banxo · téléphones'
        f'</title><style>{_STYLE}</style></head><body><main class="card"><h1>Téléphones '
        f"simulés</h1><ul>{items}</ul></main></body></html>"
    )
