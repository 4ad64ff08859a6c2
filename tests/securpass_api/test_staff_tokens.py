"""The back office under staff tokens (issue #11 point 2): a verified staff token, a role
allowed by the one permission table, every call audited; X-Advisor-Id means nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from acs.auth.errors import RoleForbidden
from acs.auth.staff import PERMISSIONS, Role, Staff, StaffAction, authorise
from acs.storage.audit import verify_chain
from acs.storage.models import AuditEvent
from acs.storage.securpass_models import DelayLiftRow, EnrolmentRow
from acs.web import advisor
from acs.web.keys import SESSIONS, SMS
from tests.securpass_api.conftest import CAMILLE, CHLOE
from tests.tokens import DROP, STAFF_AUDIENCE, bearer

CUSTOMER = "/backoffice/v1/customers/{}"
BRANCH_SALE = {
    "sale_channel": "face_to_face",
    "amendment": {"reference": "AVN-2026-000731", "signed_on": "tablet"},
}
LIFT = {"identity_check": "identity_document_in_branch"}
# One call per action that succeeds for an allowed role: (method, path, body, status).
CALLS = {
    StaffAction.SUMMARY: ("GET", CUSTOMER.format(CAMILLE) + "/securpass", None, 200),
    StaffAction.DELAY_LIFT: ("POST", CUSTOMER.format(CAMILLE) + "/securpass/delay-lift", LIFT, 201),
    StaffAction.BRANCH_ENROLMENT: (
        "POST", CUSTOMER.format(CHLOE) + "/securpass/enrolments", BRANCH_SALE, 201,
    ),
    StaffAction.SMS_OTP_RESET: ("POST", CUSTOMER.format(CAMILLE) + "/sms-otp/reset", None, 200),
}  # fmt: skip
# The rules of the issue, written out here (not read from PERMISSIONS, so that they can fail).
ALLOWED = {
    StaffAction.SUMMARY: {"advisor", "fraud_analyst", "auditor", "admin"},
    StaffAction.DELAY_LIFT: {"advisor", "admin"},
    StaffAction.BRANCH_ENROLMENT: {"advisor"},
    StaffAction.SMS_OTP_RESET: {"advisor", "fraud_analyst", "admin"},
    StaffAction.SEARCH: {"advisor", "fraud_analyst", "auditor", "admin"},
    StaffAction.DEVICE_REVOKE: {"advisor", "fraud_analyst", "admin"},
    StaffAction.FRAUD_QUEUE: {"fraud_analyst", "auditor", "admin"},
    StaffAction.FRAUD_DECLARE: {"advisor", "fraud_analyst", "admin"},
    StaffAction.FRAUD_QUALIFY: {"fraud_analyst", "admin"},
    StaffAction.TRANSACTIONS: {"advisor", "fraud_analyst", "auditor", "admin"},
    StaffAction.DASHBOARD: {"advisor", "fraud_analyst", "auditor", "admin"},
}
BACKOFFICE_ROUTES = sorted(advisor.table.actions)
WRITE_ROUTES = [(method, path) for method, path in BACKOFFICE_ROUTES if method != "GET"]


@pytest.fixture(autouse=True)
def _demo(demo_data) -> None:
    """Every test here runs with the demo customers and cards."""


async def call(client, action: StaffAction, headers: dict[str, str] | None = None):
    method, path, body, _ = CALLS[action]
    return await client.request(method, path, json=body, headers=headers or {})


async def access_events(client, action: StaffAction | None = None) -> list[AuditEvent]:
    prefix = "backoffice." if action is None else f"backoffice.{action}"
    async with client.app[SESSIONS]() as session:
        found = await session.scalars(
            select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)
        )
        return list(found)


async def count(client, model) -> int:
    async with client.app[SESSIONS]() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_permission_table_is_the_issues():
    """The one table: summary for every role, lift advisor/admin, enrolment advisor only,
    SMS OTP reset advisor/fraud_analyst/admin; auditors read only."""
    assert {a: {str(r) for r in roles} for a, roles in PERMISSIONS.items()} == ALLOWED
    assert {r.value for r in Role} == {"advisor", "fraud_analyst", "auditor", "admin"}


def test_an_action_missing_from_the_table_is_forbidden_to_everyone():
    """Deny by default: an action the table does not list is refused, whatever the role."""
    admin = Staff("adm-1", Role.ADMIN, "0001")
    with pytest.raises(RoleForbidden) as refused:
        authorise(admin, "export_everything")  # type: ignore[arg-type]
    assert (refused.value.action, refused.value.role) == ("export_everything", "admin")


async def test_every_back_office_route_is_in_the_permission_table(client):
    """Each /backoffice/v1 route the app serves (HEAD rides its GET) names an action of the
    permission table: a route added without one fails here (the HTML pages' actions are
    checked in tests/backoffice/test_customers.py)."""
    served = {
        ("GET" if route.method == "HEAD" else route.method, route.resource.canonical)
        for route in client.app.router.routes()
        if route.resource is not None and route.resource.canonical.startswith("/backoffice/v1/")
    }
    assert served == set(advisor.table.actions)
    assert set(advisor.table.actions.values()) == set(CALLS)
    assert set(PERMISSIONS) == set(StaffAction)


@pytest.mark.parametrize("action", list(CALLS))
@pytest.mark.parametrize("role", [r.value for r in Role])
async def test_each_role_gets_exactly_what_the_table_allows(client, staff, action, role):
    """An allowed role is served; any other gets 403 role_forbidden naming action and role."""
    response = await call(client, action, staff(role=role))
    body = await response.json()
    if role in ALLOWED[action]:
        assert response.status == CALLS[action][3], body
    else:
        assert response.status == 403
        assert body["error"] == "role_forbidden"
        assert (body["action"], body["role"]) == (action.value, role)
        assert role in body["message"] and action.value in body["message"]


@pytest.mark.parametrize("route", WRITE_ROUTES, ids="{0[0]} {0[1]}".format)
async def test_an_auditor_reads_only(client, staff, route):
    """An auditor token on every back-office write route is a 403 and changes nothing."""
    method, path = route
    lifts, enrolments = await count(client, DelayLiftRow), await count(client, EnrolmentRow)
    url = path.format(customer_id=CHLOE)
    response = await client.request(method, url, json={}, headers=staff(role="auditor"))
    assert response.status == 403 and (await response.json())["error"] == "role_forbidden"
    assert (await count(client, DelayLiftRow), await count(client, EnrolmentRow)) == (
        lifts,
        enrolments,
    )


@pytest.mark.parametrize("route", BACKOFFICE_ROUTES, ids="{0[0]} {0[1]}".format)
async def test_no_token_and_a_customer_token_are_401_everywhere(client, identity_provider, route):
    """No token: 401 token_missing; the customer's own token (customer audience): 401
    token_wrong_audience; both with WWW-Authenticate, on every back-office route."""
    method, path = route
    url = path.format(customer_id=CAMILLE)
    customer = bearer(identity_provider.mint(CAMILLE))
    for headers, reason in (({}, "token_missing"), (customer, "token_wrong_audience")):
        response = await client.request(method, url, json={}, headers=headers)
        assert response.status == 401
        assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
        assert (await response.json())["error"] == reason


async def test_a_staff_token_is_not_a_customer_token(client, staff):
    """The other way round: a staff token cannot start a self-care enrolment."""
    response = await client.post("/securpass/v1/enrolments", json={}, headers=staff())
    assert response.status == 401
    assert (await response.json())["error"] == "token_wrong_audience"


@pytest.mark.parametrize(
    "claims",
    [
        {"role": DROP},
        {"role": "superuser"},
        {"role": "ADVISOR"},
        {"role": ["advisor"]},
        {"branch": DROP},
        {"branch": ""},
        {"branch": 421},
        {"branch": "0" * 33},
        {"branch": "04\n21"},
        {"staff_id": "a" * 33},
    ],
    ids=repr,
)
async def test_a_missing_or_unknown_role_or_branch_is_401_token_claims(client, staff, claims):
    """role must be one of the four, branch a short printable string, sub a short staff id."""
    response = await call(client, StaffAction.SUMMARY, staff(**claims))
    assert response.status == 401
    assert (await response.json())["error"] == "token_claims"
    assert await access_events(client) == []


async def test_a_staff_token_is_accepted_once(client, identity_provider):
    """A staff token replayed (same jti) is 401 token_replayed."""
    headers = bearer(
        identity_provider.mint("adv-007", audience=STAFF_AUDIENCE, role="advisor", branch="0421")
    )
    assert (await call(client, StaffAction.SUMMARY, headers)).status == 200
    again = await call(client, StaffAction.SUMMARY, headers)
    assert again.status == 401 and (await again.json())["error"] == "token_replayed"


async def test_the_attack_from_the_issue_fails(client, app, identity_provider, staff):
    """Issue #11: with any X-Advisor-Id, no token, Chloé's own customer token, or a staff token
    of the wrong role, nobody starts a face-to-face enrolment for her or lifts an SP-15 delay:
    no enrolment, no lift, no SMS. An advisor's token does it."""
    enrolment_url = CUSTOMER.format(CHLOE) + "/securpass/enrolments"
    lift_url = CUSTOMER.format(CHLOE) + "/securpass/delay-lift"
    attempts = [  # each a fresh token per call: a replayed jti would be refused anyway
        (lambda: {"X-Advisor-Id": "adv-007"}, "token_missing"),
        (lambda: bearer(identity_provider.mint(CHLOE)), "token_wrong_audience"),
        (lambda: staff(role="fraud_analyst"), "role_forbidden"),
        (lambda: staff(role="auditor"), "role_forbidden"),
    ]
    for headers, reason in attempts:
        for url, body in ((enrolment_url, BRANCH_SALE), (lift_url, LIFT)):
            response = await client.post(url, json=body, headers=headers())
            assert (await response.json())["error"] == reason
    assert (
        await client.post(enrolment_url, json=BRANCH_SALE, headers=staff(role="admin"))
    ).status == 403
    assert await count(client, EnrolmentRow) == 0 and await count(client, DelayLiftRow) == 0
    assert app[SMS].inbox("+33611112222") == []
    assert (await client.post(enrolment_url, json=BRANCH_SALE, headers=staff())).status == 201
    assert len(app[SMS].inbox("+33611112222")) == 1
    assert (await client.post(lift_url, json=LIFT, headers=staff(role="admin"))).status == 201


async def test_allowed_refused_and_failed_calls_are_audited(client, staff, clock):
    """Each call with a verified token leaves a backoffice.<action> event on the customer's
    chain: who (staff:<id>), role, branch, when, and the result (status, error); calls without
    a verified token leave none. The chain still verifies."""
    await call(client, StaffAction.BRANCH_ENROLMENT, staff(staff_id="adv-042", branch="0750"))
    await call(client, StaffAction.BRANCH_ENROLMENT, staff(role="auditor", staff_id="aud-1"))
    lift = CALLS[StaffAction.DELAY_LIFT][1]
    await client.post(lift, json={"identity_check": "phone_call"}, headers=staff())  # 422
    await client.get(CUSTOMER.format("NOPE") + "/securpass", headers=staff(role="auditor"))
    await call(client, StaffAction.SUMMARY)  # no token: not attributable
    events = await access_events(client)
    assert [
        (e.actor, e.action, e.subject, e.detail) for e in events
    ] == [
        ("staff:adv-042", "backoffice.branch_enrolment", f"customer:{CHLOE}",
         {"role": "advisor", "branch": "0750", "status": 201}),
        ("staff:aud-1", "backoffice.branch_enrolment", f"customer:{CHLOE}",
         {"role": "auditor", "branch": "0421", "status": 403, "error": "role_forbidden"}),
        ("staff:adv-007", "backoffice.delay_lift", f"customer:{CAMILLE}",
         {"role": "advisor", "branch": "0421", "status": 422, "error": "invalid_lift"}),
        ("staff:adv-007", "backoffice.summary", "customer:NOPE",
         {"role": "auditor", "branch": "0421", "status": 404, "error": "unknown_customer"}),
    ]  # fmt: skip
    assert {e.at for e in events} == {clock.now()}
    async with client.app[SESSIONS]() as session:
        assert await verify_chain(session) is None


async def test_the_sp15_lift_records_staff_id_role_and_branch(client, staff):
    """SP-15: the lift's own audit event carries the reinforced check with the staff id, role
    and branch (an admin here); the lift names the staff id."""
    response = await call(client, StaffAction.DELAY_LIFT, staff(role="admin", staff_id="adm-3"))
    assert response.status == 201 and (await response.json())["advisor_id"] == "adm-3"
    async with client.app[SESSIONS]() as session:
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "securpass.delay_lifted")
        )
    assert event is not None and event.actor == "staff:adm-3"
    assert event.detail == {
        "identity_check": "identity_document_in_branch",
        "role": "admin",
        "branch": "0421",
        "rule": "SP-15",
    }
