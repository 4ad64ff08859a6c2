"""The advisor's pages through the real app: find a customer (id, name, card by its HMAC),
the customer's page (SP-35, SP-60), the SP-15 lift, the face-to-face enrolment (SP-30 …
SP-33), the SMS block, revoking a phone; role permissions; every action audited."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from acs.auth.staff import PERMISSIONS, StaffAction
from acs.securpass.enrolment import EnrolmentState
from acs.storage.models import AuditEvent
from acs.storage.securpass_models import DeviceRow, EnrolmentRow
from acs.web import backoffice_customers
from acs.web.keys import CLOCK, SESSIONS, SMS
from tests.backoffice.conftest import csrf_of

CAMILLE_PAN = "4970100000000014"


async def events(client, subject: str) -> list[AuditEvent]:
    async with client.server.app[SESSIONS]() as session:
        rows = await session.scalars(
            select(AuditEvent).where(AuditEvent.subject == subject).order_by(AuditEvent.id)
        )
        return list(rows)


async def page_of(client, customer_id: str, query: str = "") -> str:
    answer = await client.get(f"/backoffice/customers/{customer_id}{query}")
    text = await answer.text()
    assert answer.status == 200, text
    return unescape(text)


async def test_a_card_number_finds_its_customer_and_is_never_shown(client, login, demo_data):
    """A typed PAN (spaces allowed) is looked up by its HMAC; the page shows it masked and
    never echoes it; the search is audited without the number."""
    await login()
    answer = await client.get("/backoffice/customers", params={"q": "4970 1000 0000 0014"})
    text = await answer.text()
    assert answer.status == 200 and "C0001" in text and "Camille Martin" in text
    assert "4970 10•• •••• 0014" in text
    assert CAMILLE_PAN not in text and "4970 1000 0000 0014" not in text
    (search,) = [
        e for e in await events(client, "staff:adv-007") if e.action == "backoffice.search"
    ]
    assert search.detail["by"] == "card" and search.detail["hits"] == 1
    assert "0014" not in str(search.detail)


@pytest.mark.parametrize("query", ["C0003", "petit", "Chloé"])
async def test_a_customer_is_found_by_id_or_part_of_the_name(client, login, demo_data, query):
    await login()
    text = await (await client.get("/backoffice/customers", params={"q": query})).text()
    assert "C0003" in text and "Chloé Petit" in text


async def test_an_unknown_card_finds_nobody(client, login, demo_data):
    await login()
    text = await (
        await client.get("/backoffice/customers", params={"q": "4970109999999999"})
    ).text()
    assert "Aucun client" in text


async def test_a_name_search_treats_wildcards_as_text(client, login, demo_data):
    """``%`` is no wildcard: it finds no one rather than every customer."""
    await login()
    text = await (await client.get("/backoffice/customers", params={"q": "%"})).text()
    assert "Aucun client" in text


async def test_the_customers_page_says_what_is_unmet_and_what_to_do(client, login, ines):
    """SP-60: per channel, each unmet rule in French and the advisor's action; the 72 h
    delay with its end; the page view is audited as backoffice.summary."""
    await login()
    text = await page_of(client, ines)
    assert "Sécur'Pass" in text and "non souscrit" in text
    assert "Activation depuis l'appli Banxo" in text and "non éligible" in text
    assert "SP-14" in text and "Ce que vous pouvez faire" in text
    assert "il comptera à partir du <strong>01/12/2026 à 10:00</strong>" in text  # Paris time
    assert "Lever le délai de 72 h" in text
    actions = [e.action for e in await events(client, f"customer:{ines}")]
    assert actions == ["backoffice.summary"]


async def test_the_advisor_lifts_the_72_hour_delay_after_an_identity_check(client, login, ines):
    """SP-15: the lift with its identity check → the app channel becomes eligible; audited
    with the staff actor (the lift's own event and the call's)."""
    csrf = await login()
    answer = await client.post(
        f"/backoffice/customers/{ines}/delay-lift",
        data={"csrf": csrf, "identity_check": "identity_document_in_branch"},
        allow_redirects=False,
    )
    assert answer.status == 303
    text = await page_of(client, ines, "?fait=levee")
    assert "Le délai de 72 h est levé" in text and "pièce d'identité vérifiée en agence" in text
    app_section = text.split("Activation depuis l'appli Banxo", 1)[1].split("</h3>", 1)[0]
    assert "éligible" in app_section and "non éligible" not in app_section
    trail = await events(client, f"customer:{ines}")
    lifted = [e for e in trail if e.action == "securpass.delay_lifted"]
    assert lifted and lifted[0].actor == "staff:adv-007"
    assert any(e.action == "backoffice.delay_lift" and e.detail["status"] == 200 for e in trail)


async def test_a_lift_without_a_reinforced_check_is_refused(client, login, ines):
    csrf = await login()
    answer = await client.post(
        f"/backoffice/customers/{ines}/delay-lift", data={"csrf": csrf, "identity_check": "phone"}
    )
    assert answer.status == 422
    assert "Le délai de 72 h est levé" not in await page_of(client, ines)


async def test_face_to_face_enrolment_is_offered_only_face_to_face(client, login, ines):
    """SP-30: the enrolment form appears only once the advisor says the customer is in front
    of them; at a distance the page says it is not allowed."""
    await login()
    assert "Initier Sécur'Pass" not in await page_of(client, ines)
    assert "Initier Sécur'Pass" not in await page_of(client, ines, "?canal=distance")
    assert "qu'en face à face" in await page_of(client, ines, "?canal=distance")
    assert "Initier Sécur'Pass" in await page_of(client, ines, "?canal=face_a_face")


async def test_face_to_face_enrolment_with_the_signed_amendment(client, login, ines):
    """SP-31 … SP-33: with the amendment's reference → initié, 24 h to activate, an SMS."""
    csrf = await login()
    answer = await client.post(
        f"/backoffice/customers/{ines}/enrolment?canal=face_a_face",
        data={"csrf": csrf, "sale_channel": "face_to_face",
              "amendment_reference": "AV-2026-0421-778", "signed_on": "tablet"},
        allow_redirects=False,
    )  # fmt: skip
    assert answer.status == 303
    text = await page_of(client, ines)
    assert "initié — à activer sur le téléphone avant le 30/11/2026 à 10:00 (24 h)" in text
    assert client.server.app[SMS].inbox("+33633334444")  # type: ignore[attr-defined]
    initiated = [e for e in await events(client, f"customer:{ines}")
                 if e.action == "securpass.branch_initiated"]  # fmt: skip
    assert initiated and "AV-2026-0421-778" in str(initiated[0].detail)


async def test_an_enrolment_without_the_amendment_is_refused(client, login, ines):
    csrf = await login()
    answer = await client.post(
        f"/backoffice/customers/{ines}/enrolment",
        data={"csrf": csrf, "sale_channel": "face_to_face", "signed_on": "tablet"},
    )
    assert answer.status == 400 and "avenant" in await answer.text()
    async with client.server.app[SESSIONS]() as session:
        assert await session.scalar(select(EnrolmentRow)) is None


async def test_a_subscribed_customer_shows_souscrit_with_date_and_the_phone(client, login, camille):
    await login()
    text = await page_of(client, "C0001")
    assert re.search(r"souscrit le \d\d/\d\d/2026 à \d\d:\d\d", text)
    assert "Terminal de confiance (SP-42)" in text and "Révoquer" in text


async def test_revoking_a_phone_closes_sécurpass_on_it(client, login, camille):
    """A lost phone: revoked, the enrolment closed (SMS codes take over), audited."""
    csrf = await login()
    async with client.server.app[SESSIONS]() as session:
        device = await session.scalar(select(DeviceRow))
    assert device is not None
    answer = await client.post(
        f"/backoffice/customers/C0001/devices/{device.id}/revoke",
        data={"csrf": csrf}, allow_redirects=False,
    )  # fmt: skip
    assert answer.status == 303
    text = await page_of(client, "C0001")
    assert "clôturé le" in text and "révoqué" in text
    async with client.server.app[SESSIONS]() as session:
        row = await session.get(DeviceRow, device.id)
        enrolment = await session.scalar(select(EnrolmentRow))
    assert row is not None and str(row.status) == "revoked"
    assert enrolment is not None and enrolment.state == EnrolmentState.CLOSED
    revoked = [e for e in await events(client, "customer:C0001")
               if e.action == "securpass.device_revoked"]  # fmt: skip
    assert revoked[0].actor == "staff:adv-007"


async def test_another_customers_phone_cannot_be_revoked(client, login, camille):
    csrf = await login()
    async with client.server.app[SESSIONS]() as session:
        device = await session.scalar(select(DeviceRow))
    assert device is not None
    answer = await client.post(
        f"/backoffice/customers/C0002/devices/{device.id}/revoke", data={"csrf": csrf}
    )
    assert answer.status == 404


async def test_an_auditor_sees_everything_and_can_change_nothing(client, login, ines):
    """No action form on the auditor's page; a posted action is 403, audited, and changes
    nothing."""
    csrf = await login("auditor", sub="aud-1")
    text = await page_of(client, ines, "?canal=face_a_face")
    assert "Lever le délai" not in text and "Initier Sécur'Pass" not in text
    assert "SP-14" in text
    for path, data in (
        ("delay-lift", {"identity_check": "identity_document_in_branch"}),
        ("enrolment", {"sale_channel": "face_to_face", "amendment_reference": "AV-1",
                       "signed_on": "tablet"}),
        ("sms-otp-reset", {}),
    ):  # fmt: skip
        answer = await client.post(
            f"/backoffice/customers/{ines}/{path}", data={"csrf": csrf, **data}
        )
        assert answer.status == 403, path
        assert "ne permet pas cette action" in await answer.text()
    trail = await events(client, f"customer:{ines}")
    refused = [e for e in trail if e.detail.get("status") == 403]
    assert len(refused) == 3 and all(e.actor == "staff:aud-1" for e in refused)
    assert not [e for e in trail if e.action.startswith("securpass.")]


async def test_a_fraud_analyst_may_not_enrol(client, login, ines):
    csrf = await login("fraud_analyst", sub="fra-1")
    answer = await client.post(
        f"/backoffice/customers/{ines}/enrolment",
        data={"csrf": csrf, "sale_channel": "face_to_face", "amendment_reference": "AV-1",
              "signed_on": "tablet"},
    )  # fmt: skip
    assert answer.status == 403


async def test_an_unknown_customer_is_a_404_page(client, login, demo_data):
    await login()
    answer = await client.get("/backoffice/customers/C9999")
    assert answer.status == 404 and 'lang="fr"' in await answer.text()


async def test_every_page_action_is_in_the_permission_table():
    """The HTML pages' actions exist in the one table (a missing one would deny everyone)."""
    source = Path(backoffice_customers.__file__).read_text(encoding="utf-8")
    used = {StaffAction(name.lower()) for name in re.findall(r"StaffAction\.(\w+)", source)}
    assert len(used) == 6 and used <= set(PERMISSIONS)


async def test_every_html_page_needs_a_session(client, demo_data):
    """No session: every GET page redirects to the login, every POST is a 401."""
    for route in client.server.app.router.routes():
        resource = route.resource
        if resource is None or not resource.canonical.startswith("/backoffice/"):
            continue
        path = resource.canonical
        if path.startswith("/backoffice/v1/") or path in (
            "/backoffice/login",
            "/backoffice/callback",
        ):
            continue
        path = path.replace("{customer_id}", "C0001").replace("{device_id}", "d")
        path = path.replace("{declaration_id}", "1").replace("{acs_trans_id}", "t")
        if route.method == "GET":
            answer = await client.get(path, allow_redirects=False)
            assert answer.status == 302, path
        elif route.method == "POST":
            answer = await client.post(path, data={"csrf": "x"}, allow_redirects=False)
            assert answer.status == 401, path


def test_csrf_helper():
    assert csrf_of('<input name="csrf" value="abc">') == "abc"


async def test_an_unknown_channel_is_ignored(client, login, ines):
    """Only face_a_face or distance: anything else shows no enrolment form, and is not echoed."""
    await login()
    text = await page_of(client, ines, "?canal=%22%3E%3Cscript%3E")
    assert "Initier Sécur'Pass" not in text and "<script>" not in text


async def test_a_refused_operation_reads_as_a_fraud_declaration(client, login, camille):
    """SP-55: the page names a "Je refuse ce paiement" refusal for what it is."""
    from tests.securpass_api.conftest import card_operation

    async with client.server.app[SESSIONS].begin() as session:
        operation_id = await card_operation(session, client.server.app[CLOCK])
    await camille.refuse(await camille.operation(operation_id), "not_me")
    await login()
    text = await page_of(client, "C0001")
    assert "refusée (« Je refuse ce paiement » : fraude déclarée)" in text
