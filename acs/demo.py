"""Demo data and ``acs demo``: the ACS, the merchant simulators and the Banxo phone page.

``acs demo`` migrates a fresh embedded SQLite database (``var/demo/acs.db``), loads the demo
customers and cards from memory through the CSV importer (no PAN is written to disk outside the
database; ``var/demo`` is owner-only), starts the bank's identity provider (8104, the demo logins
of ``merchant_simulator.idp.DEMO_USERS``), serves the ACS on 127.0.0.1:8000 trusting it, starts
the shop (8100), DS (8101), 3DS Server (8102) and phone pages (8103), logs Camille's phone (page 1)
in and activates its Sécur'Pass through the phone library, prints the URLs, the logins and the
test cards, and runs until Ctrl-C.

The same data backs the README's table of dev test cards and the end-to-end tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import dataclasses
import io
import logging
import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from acs.config import DEFAULT_DATABASE_URL, RiskThresholds, Settings
from acs.csv_columns import CARD_HEADER, CUSTOMER_COLUMNS
from acs.files import make_private_folder, write_private
from merchant_simulator.idp import DEMO_STAFF, DEMO_USERS

if TYPE_CHECKING:
    from acs.flows.csv_import import Kind
    from merchant_simulator.demo import MerchantDemo
    from merchant_simulator.idp import RunningIdp

__all__ = [
    "DEMO_CARDS",
    "DEMO_CUSTOMERS",
    "DEMO_RISK",
    "DemoCard",
    "DemoPorts",
    "add_reset_route",
    "demo_logins",
    "demo_rows",
    "demo_table",
    "load_demo_data",
    "run_demo",
    "with_demo_risk",
    "write_demo_csv",
]

DEMO_DIR = Path("var/demo")
CAMILLE = ("C0001", "+33612345678")
CAMILLE_CODE = "4826"  # her Sécur'Pass code on the phone page
CAMILLE_LOGIN = next((u.identifier, u.password) for u in DEMO_USERS if u.subject == CAMILLE[0])

# The demo's [risk] table: without the issuer's own TRA, a 41,99 € basket needs SCA every time,
# also from a browser the ACS already knows (after one challenge the browser is known, and issuer
# TRA up to 250 EUR would make every later purchase frictionless: the refusal and biometric
# stories could not be tried again). The TRA exemption keeps its own item: the shop's linen
# jacket, for which the merchant asks for acquirer TRA (challengeInd 05).
DEMO_RISK = dataclasses.replace(RiskThresholds(), issuer_tra_enabled=False)

DEMO_CUSTOMERS = (
    (
        "C0001",
        "individual",
        "Camille Martin",
        "true",
        "+33612345678",
        "camille@example.test",
        "2025-01-15T10:00:00Z",
        "true",
    ),
    ("C0002", "individual", "Louis Bernard", "true", "+33698765432", "", "", "false"),
    ("C0003", "individual", "Chloé Petit", "true", "+33611112222", "", "", "true"),
    ("C0004", "individual", "Hugo Moreau", "false", "", "", "", "false"),
    ("C0005", "business", "Atelier Dubois SARL", "true", "+33633334444", "", "", "true"),
)


@dataclass(frozen=True)
class DemoCard:
    pan: str
    expiry_yymm: str
    customer_id: str
    status: str
    used_at_terminal: str
    opposition_reason: str
    shows: str  # what a 41,99 EUR payment with this card shows


DEMO_CARDS = (
    DemoCard(
        "4970100000000014",
        "2912",
        "C0001",
        "active",
        "true",
        "",
        "Sécur'Pass, every time: approve on /phone/1 (code 4826 or biometrics) or refuse"
        " (card opposed: reset at /dev/demo/cards); 20 € low value, 89 € jacket TRA: frictionless",
    ),
    DemoCard(
        "5132850000000016",
        "2912",
        "C0001",
        "active",
        "true",
        "",
        "same customer, Mastercard-style range (AAV, ECI 02)",
    ),
    DemoCard(
        "4970100000000022",
        "2912",
        "C0002",
        "active",
        "true",
        "",
        "SMS code challenge (no app): the code is at /dev/sms?to=%2B33698765432",
    ),
    DemoCard(
        "4970100000000030",
        "2912",
        "C0003",
        "opposed",
        "true",
        "fraud",
        "refused: N, reason 11 (opposed for fraud); Chloé cannot activate Sécur'Pass (SP-14)",
    ),
    DemoCard(
        "4970100000000048",
        "2912",
        "C0004",
        "active",
        "true",
        "",
        "refused: N, reason 13 (no Sécur'Pass, no secure mobile)",
    ),
    DemoCard(
        "4970100000000055", "2401", "C0002", "active", "true", "", "refused: N, reason 05 (expired)"
    ),
    DemoCard(
        "4970100000000063",
        "2912",
        "C0002",
        "opposed",
        "true",
        "lost_stolen",
        "refused: N, reason 10 (lost or stolen)",
    ),
    DemoCard(
        "4970100000000071",
        "2912",
        "C0002",
        "cancelled",
        "true",
        "",
        "refused: N, reason 12 (cancelled)",
    ),
)


def demo_rows(kind: Kind) -> list[list[str]]:
    """The demo customers or cards as import rows, the header first."""
    if kind == "customers":
        return [list(CUSTOMER_COLUMNS), *(list(c) for c in DEMO_CUSTOMERS)]
    return [list(CARD_HEADER), *([getattr(c, f) for f in CARD_HEADER] for c in DEMO_CARDS)]


def write_demo_csv(folder: Path) -> tuple[Path, Path]:
    """Write the demo data as import CSV files (0600) for ``acs import`` by hand and the tests;
    ``acs demo`` itself keeps them in memory. Return the customers' and the cards' paths."""
    make_private_folder(folder)
    paths = folder / "customers.csv", folder / "cards.csv"
    kinds: tuple[Kind, Kind] = ("customers", "cards")
    for kind, path in zip(kinds, paths, strict=True):
        text = io.StringIO(newline="")
        csv.writer(text).writerows(demo_rows(kind))
        write_private(path, text.getvalue())
    return paths


async def load_demo_data(settings: Settings) -> int:
    """Import the demo customers, then cards, from memory; the first non-zero exit status."""
    from acs.cli_import import ImportOptions, import_source

    kinds: tuple[Kind, ...] = ("customers", "cards")
    for kind in kinds:
        label = f"demo {kind}"
        status = await import_source(
            kind, demo_rows(kind), settings, options=ImportOptions(), label=label
        )
        if status:
            return status
    return 0


@dataclass(frozen=True)
class DemoPorts:
    """Where the merchant side listens (the ACS's own port is ``settings.port``)."""

    shop: int = 8100
    ds: int = 8101
    threeds_server: int = 8102
    phone: int = 8103
    idp: int = 8104


def run_demo(
    settings: Settings, ports: DemoPorts | None = None, *, report: Callable[[str], object] = print
) -> int:
    """Fresh demo database and data, then serve everything until Ctrl-C."""
    from acs.cli import prepare

    settings = demo_settings(settings)
    if not prepare(settings, report=report):
        return 2
    if asyncio.run(load_demo_data(settings)) != 0:
        return 1
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_demo(settings, ports or DemoPorts()))
    return 0


def with_demo_risk(settings: Settings) -> Settings:
    """The demo's risk settings (:data:`DEMO_RISK`), unless a config file set a ``[risk]``."""
    if settings.risk != RiskThresholds():
        return settings
    return dataclasses.replace(settings, risk=DEMO_RISK)


def demo_settings(settings: Settings) -> Settings:
    """The demo's risk settings; the default database becomes a fresh ``var/demo/acs.db``
    (a configured one is kept)."""
    settings = with_demo_risk(settings)
    make_private_folder(DEMO_DIR)
    for old_csv in ("customers.csv", "cards.csv"):  # earlier versions wrote the PANs there
        (DEMO_DIR / old_csv).unlink(missing_ok=True)
    if settings.database_url != DEFAULT_DATABASE_URL:
        return settings
    for leftover in DEMO_DIR.glob("acs.db*"):
        leftover.unlink()
    shutil.rmtree(DEMO_DIR / "phones", ignore_errors=True)
    url = f"sqlite+aiosqlite:///{DEMO_DIR / 'acs.db'}"
    return dataclasses.replace(settings, database_url=url)


async def serve_demo(settings: Settings, ports: DemoPorts) -> None:
    """The identity provider, the ACS trusting it, then the merchant side and the phones;
    Camille's phone enrolled; until a signal."""
    from merchant_simulator.idp import start_idp

    provider = settings.identity_provider
    idp = await start_idp(
        host=settings.host, port=ports.idp,
        customer_audience=provider.customer_audience, staff_audience=provider.staff_audience,
    )  # fmt: skip
    try:
        await _serve_acs(_trusting(settings, idp), ports, idp)
    finally:
        await idp.close()


def _trusting(settings: Settings, idp: RunningIdp) -> Settings:
    """The demo's ACS takes the demo identity provider's tokens (keys fetched when needed)."""
    provider = dataclasses.replace(
        settings.identity_provider, issuer=idp.url, jwks_url=idp.jwks_url, jwks_file=""
    )
    return dataclasses.replace(settings, identity_provider=provider)


async def _serve_acs(settings: Settings, ports: DemoPorts, idp: RunningIdp) -> None:
    from aiohttp import web

    from acs.clock import SystemClock
    from acs.crypto.keys import KeyRing
    from acs.web import create_app
    from merchant_simulator.demo import start_merchant_demo

    # The banner is the demo's output; the log says only what needs a look (a failed RReq).
    logging.getLogger("acs").setLevel(logging.WARNING)
    app = create_app(settings, keys=KeyRing.load(settings.keys_dir), clock=SystemClock())
    add_reset_route(app)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.port).start()
    try:
        merchant = await start_merchant_demo(
            settings.base_url, idp_url=idp.url, data_dir=DEMO_DIR / "phones", host=settings.host,
            ports=(ports.shop, ports.ds, ports.threeds_server), phone_port=ports.phone,
        )  # fmt: skip
        try:
            await merchant.enrol(1, CAMILLE_LOGIN, CAMILLE[1], CAMILLE_CODE)
            print(demo_banner(settings.base_url, merchant), flush=True)
            await _until_stopped()
            print("\nacs demo: stopping…", flush=True)
        finally:
            await merchant.close()
    finally:
        await runner.cleanup()


RESET_PATH = "/dev/demo/cards"


def add_reset_route(app: Any) -> None:
    """``GET/POST /dev/demo/cards`` on the demo's ACS: a page whose button puts every demo card
    back as the table says (the importer's upsert), so that a refusal, which opposes the card
    for fraud (SP-55), can be tried again without restarting ``acs demo``."""
    from aiohttp import web

    from acs.flows.csv_import import import_csv
    from acs.web.keys import CLOCK, SESSIONS, VAULT

    async def page(request: web.Request) -> web.Response:
        done = ""
        if request.method == "POST":
            await import_csv(
                "cards", demo_rows("cards"), sessions=request.app[SESSIONS],
                vault=request.app[VAULT], skip_invalid=False, now=request.app[CLOCK].now(),
            )  # fmt: skip
            done = '<p role="status" id="reset-done">Les cartes de démo sont rétablies.</p>'
        html = (
            '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Démo · cartes'
            "</title></head><body><main><h1>Cartes de démonstration</h1>"
            f"{done}<p>Un refus dans l'appli met la carte en opposition (déclaration de fraude). "
            "Ce bouton remet chaque carte de démo dans l'état du tableau (active, opposée, "
            "annulée), pour rejouer les parcours sans redémarrer.</p>"
            f'<form method="post" action="{RESET_PATH}"><button id="reset-cards">'
            "Rétablir les cartes de démo</button></form></main></body></html>"
        )
        return web.Response(text=html, content_type="text/html", charset="utf-8")

    app.router.add_get(RESET_PATH, page)
    app.router.add_post(RESET_PATH, page)


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def demo_banner(acs_url: str, merchant: MerchantDemo) -> str:
    """The URLs, how to try it, and the test cards."""
    sims, phone = merchant.simulators, merchant.phone_url
    lines = [
        "",
        "Sécur'Pass ACS demo (Ctrl-C stops everything)",
        "",
        f"  Shop          {sims.shop_url}/",
        f"  Phone         {phone}/phone/1   Camille's Banxo app: Sécur'Pass active, code "
        f"{CAMILLE_CODE}, biometrics on",
        f"  New phone     {phone}/phone/2   log in, then activate to move Sécur'Pass there (SP-40)",
        f"  ACS           {acs_url}/   name, version, profile, health, metrics",
        f"  SMS inbox     {acs_url}/dev/sms   every demo customer's SMS (Louis's codes)",
        f"  Demo cards    {acs_url}{RESET_PATH}   put the cards back after a refusal",
        f"  3DS Server    {sims.threeds_server_url}/   its recent transactions",
        f"  DS            {sims.ds_url}/ranges",
        f"  Bank login    {merchant.idp_url}   identity provider (tokens for the Banxo app)",
        "",
        "Try it: open the shop, buy the baskets (41,99 €), pay with 4970 1000 0000 0014,",
        "expiry 12/29, CVV 123, then approve on the phone page (Valider, code 4826). Every",
        "41,99 € purchase asks again (demo risk settings: no issuer TRA), so each story can be",
        "replayed; the linen jacket (89 €) shows the TRA exemption the merchant asks for.",
        "",
        demo_logins(),
        demo_staff(acs_url),
        demo_table(),
    ]
    return "\n".join(lines)


def demo_staff(acs_url: str) -> str:
    """The back office's staff accounts at the demo identity provider (docs/backoffice.md)."""
    lines = [f"Back office {acs_url}/backoffice/ (staff login at the identity provider):"]
    lines += [
        f"  {s.login:<11} {s.password:<14} {s.role} ({s.staff_id}, {s.branch})" for s in DEMO_STAFF
    ]
    return "\n".join(lines) + "\n"


def demo_table() -> str:
    """The test cards and what a 41,99 € payment with each shows."""
    lines = ["Test cards (expiry 12/29, any 3-digit CVV, any holder name):"]
    lines += [f"  {_spaced(c.pan)}  {c.customer_id}  {c.shows}" for c in DEMO_CARDS]
    lines += [
        "",
        "Customers: C0001 Camille (Sécur'Pass), C0002 Louis (no app: SMS codes), C0003 Chloé",
        "(has the app, not enrolled: logged in as 40000003 on /phone/2, her activation is refused,",
        "SP-14, because her only card is opposed and she has no personal e-mail on file).",
    ]
    return "\n".join(lines) + "\n"


def demo_logins() -> str:
    """The Banxo app's logins (identifiant client, mot de passe): demo values."""
    names = {row[0]: row[2] for row in DEMO_CUSTOMERS}
    lines = ["Banxo app logins (identifiant client / mot de passe):"]
    lines += [
        f"  {u.identifier}  {u.password:<14} {u.subject} {names.get(u.subject, '')}"
        for u in DEMO_USERS
    ]
    return "\n".join(lines) + "\n"


def _spaced(pan: str) -> str:
    return " ".join(pan[i : i + 4] for i in range(0, len(pan), 4))
