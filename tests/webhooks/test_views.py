"""The webhook pages: who may use each route, adding endpoints, the actions, the log, the panel."""

import pytest
from flask import render_template_string
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import AuditEvent, Campaign, CampaignStatus, Role, User, WebhookEndpoint
from campaigns.webhooks import targets
from tests.conftest import login
from tests.webhooks.conftest import add_endpoint, deliveries, endpoint_row

HOOK = "https://hooks.example.org/in"
ADD = {"url": HOOK, "events": ["milestone.reached", "campaign.closed"]}
ROLES = ("anonymous", "member", "owner", "co_organizer", "moderator", "admin")
ORGANIZERS_AND_ADMINS = ("login", 403, "ok", "ok", 403, "ok")
ROUTES = [
    ("GET", "/campaigns/{slug}/webhooks", None),
    ("POST", "/campaigns/{slug}/webhooks", ADD),
    ("GET", "/campaigns/{slug}/webhooks/{endpoint_id}", None),
    ("POST", "/campaigns/{slug}/webhooks/{endpoint_id}/test", None),
    ("POST", "/campaigns/{slug}/webhooks/{endpoint_id}/disable", None),
    ("POST", "/campaigns/{slug}/webhooks/{disabled_id}/enable", None),
    ("POST", "/campaigns/{slug}/webhooks/{endpoint_id}/rotate", None),
    ("POST", "/campaigns/{slug}/webhooks/{endpoint_id}/delete", None),
]


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    """Every name resolves to a public address (no network in tests)."""
    monkeypatch.setattr(targets, "resolve", lambda host, port: ["93.184.216.34"])


@pytest.fixture
def world(app, make_user, make_campaign):
    """A user per role and an open campaign with an enabled and a disabled endpoint."""
    owner, co = make_user(), make_user()
    users = {
        "member": make_user(), "owner": owner, "co_organizer": co,
        "moderator": make_user(role=Role.MODERATOR), "admin": make_user(role=Role.ADMIN),
    }  # fmt: skip
    slug = make_campaign(owner=owner, co_organizers=[co])
    endpoint_id = add_endpoint(app, slug, HOOK + "/a")
    disabled_id = add_endpoint(app, slug, HOOK + "/b", disabled_at=db_now())
    return users, {"slug": slug, "endpoint_id": endpoint_id, "disabled_id": disabled_id}


def db_now():
    """The current UTC time as the models store it."""
    from campaigns.models import utcnow

    return utcnow()


def outcome(response):
    """ok, login, or the refusal status."""
    if response.status_code in (301, 302, 303) and "/login" in response.headers["Location"]:
        return "login"
    return "ok" if response.status_code in (200, 302) else response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_who_may_use_each_route(client, world, role):
    """Anonymous → log in; member and moderator → 403; owner, co-organizer, admin → ok.

    The routes run in order on one campaign (delete last), so each role is one test.
    """
    users, values = world
    expected = dict(zip(ROLES, ORGANIZERS_AND_ADMINS, strict=True))[role]
    if role != "anonymous":
        assert login(client, users[role].email).status_code == 302
    for method, path, data in ROUTES:
        response = client.open(path.format(**values), method=method, data=data or {})
        assert outcome(response) == expected, (method, path, response.status_code)


def test_a_draft_is_hidden_from_members_and_another_campaigns_endpoint_is_404(
    app, client, world, make_campaign, make_user
):
    """Unseen campaigns 404 (not 403); an endpoint id from another campaign 404s too."""
    users, values = world
    draft = make_campaign(status=CampaignStatus.DRAFT)
    login(client, users["member"].email)
    assert client.get(f"/campaigns/{draft}/webhooks").status_code == 404
    other = make_campaign(owner=users["owner"])
    client.post("/logout")
    login(client, users["owner"].email)
    response = client.get(f"/campaigns/{other}/webhooks/{values['endpoint_id']}")
    assert response.status_code == 404
    response = client.post(f"/campaigns/{other}/webhooks/{values['endpoint_id']}/delete")
    assert response.status_code == 404 and endpoint_row(app, values["endpoint_id"]) is not None


def audit_actions(app) -> list[tuple[str, dict]]:
    """(action, details) of webhook audit events, oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("webhook.%")).order_by(AuditEvent.id)
        ).all()
        return [(row.action, row.details) for row in rows]


def test_adding_an_endpoint_shows_its_secret_and_is_audited(app, client, make_user, make_campaign):
    """The organizer adds an HTTPS endpoint; the secret is generated, shown, and never audited."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    login(client, owner.email)
    response = client.post(f"/campaigns/{slug}/webhooks", data=ADD)
    assert response.status_code == 302
    with app.app_context():
        endpoint = db.session.scalar(select(WebhookEndpoint))
        assert endpoint.url == HOOK and endpoint.events == "milestone.reached campaign.closed"
        assert endpoint.created_by_id == owner.id and endpoint.secret.startswith("whsec_")
        secret = endpoint.secret
    page = client.get(f"/campaigns/{slug}/webhooks")
    assert secret in page.text and page.headers["Cache-Control"] == "private, no-store"
    [(action, details)] = audit_actions(app)
    assert action == "webhook.created" and details["url"] == HOOK
    assert secret not in str(details)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "http://hooks.example.org/in", "events": ["campaign.closed"]}, "https://"),
        ({"url": "https://10.0.0.8/in", "events": ["campaign.closed"]}, "10.0.0.8 is a non-public"),
        ({"url": "https://169.254.169.254/", "events": ["campaign.closed"]}, "is a non-public"),
        ({"url": "https://localhost/in", "events": ["campaign.closed"]}, "non-public address"),
        ({"url": HOOK, "events": []}, "Choose at least one event"),
        ({"url": HOOK, "events": ["signature.created"]}, "Choose at least one event"),
        ({"url": "", "events": ["campaign.closed"]}, "This field is required"),
    ],
)
def test_bad_endpoints_are_refused_with_a_message(
    app, client, make_user, make_campaign, data, message
):
    """Bad input: a clear message on the form, a 4xx, and nothing saved."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    login(client, owner.email)
    response = client.post(f"/campaigns/{slug}/webhooks", data=data)
    assert 400 <= response.status_code < 500 and message in response.text
    with app.app_context():
        assert db.session.scalar(select(WebhookEndpoint)) is None


def test_a_campaign_has_at_most_five_endpoints_and_no_duplicates(
    app, client, make_user, make_campaign
):
    """The sixth endpoint and a repeated address are refused (409)."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    login(client, owner.email)
    assert client.post(f"/campaigns/{slug}/webhooks", data=ADD).status_code == 302
    assert client.post(f"/campaigns/{slug}/webhooks", data=ADD).status_code == 409
    for n in range(4):
        data = {**ADD, "url": f"{HOOK}/{n}"}
        assert client.post(f"/campaigns/{slug}/webhooks", data=data).status_code == 302
    response = client.post(f"/campaigns/{slug}/webhooks", data={**ADD, "url": HOOK + "/6"})
    assert response.status_code == 409 and "at most 5" in response.text
    assert "delete one to add another" in client.get(f"/campaigns/{slug}/webhooks").text


def test_disable_enable_rotate_test_and_delete(app, client, world):
    """Each action does what it says, and is audited."""
    users, values = world
    slug, endpoint_id = values["slug"], values["endpoint_id"]
    base = f"/campaigns/{slug}/webhooks/{endpoint_id}"
    login(client, users["co_organizer"].email)
    before = endpoint_row(app, endpoint_id).secret

    assert client.post(f"{base}/test").headers["Location"].endswith(base)
    [ping] = deliveries(app)
    assert ping.event == "ping" and ping.endpoint_id == endpoint_id
    assert ping.payload["data"]["message"].startswith("This is a test event")
    assert client.post(f"{base}/rotate").status_code == 302
    assert endpoint_row(app, endpoint_id).secret not in (before, None)
    assert client.post(f"{base}/disable").status_code == 302
    assert endpoint_row(app, endpoint_id).disabled_at is not None
    assert deliveries(app)[0].state.value == "failed"  # the waiting ping is dropped
    assert client.post(f"{base}/test").status_code == 409  # nothing is sent to a disabled one
    assert client.post(f"{base}/enable").status_code == 302
    assert endpoint_row(app, endpoint_id).disabled_at is None
    assert client.post(f"{base}/delete").status_code == 302
    assert endpoint_row(app, endpoint_id) is None and deliveries(app) == []
    actions = [action for action, _ in audit_actions(app)]
    assert actions == [
        "webhook.test_sent", "webhook.secret_rotated", "webhook.disabled", "webhook.enabled",
        "webhook.deleted",
    ]  # fmt: skip


def test_the_log_shows_status_codes_errors_and_attempts(app, client, world):
    """The delivery log lists each delivery with its event, status code, attempts and error."""
    users, values = world
    with app.app_context():
        from campaigns.models import DeliveryState, WebhookDelivery

        db.session.add(WebhookDelivery(
            endpoint_id=values["endpoint_id"], event="campaign.closed", event_id="e-1",
            payload={}, state=DeliveryState.PENDING, attempts=3, last_status=502,
            last_error="HTTP 502: Bad gateway from the receiver",
        ))  # fmt: skip
        db.session.commit()
    login(client, users["admin"].email)
    page = client.get(f"/campaigns/{values['slug']}/webhooks/{values['endpoint_id']}").text
    for text in ("campaign.closed", "502", "Retrying", "HTTP 502: Bad gateway from the receiver"):
        assert text in page


def test_the_dashboard_panel_lists_endpoints_and_deliveries_for_organizers_only(
    app, world, make_user
):
    """The _panel.html section shows to organizers and admins, and renders nothing for others."""
    from flask_login import login_user

    users, values = world
    add = {"endpoint_id": values["endpoint_id"], "event": "ping", "event_id": "e-2", "payload": {}}
    template = '{% include "webhooks/_panel.html" ignore missing %}'
    with app.test_request_context():
        from campaigns.models import WebhookDelivery

        db.session.add(WebhookDelivery(**add))
        db.session.commit()
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == values["slug"]))
        login_user(db.session.get(User, users["owner"].id))
        html = render_template_string(template, campaign=campaign)
        assert HOOK + "/a" in html and "ping" in html and "Manage webhooks" in html
        login_user(db.session.get(User, users["member"].id))
        assert render_template_string(template, campaign=campaign).strip() == ""


def test_the_dashboard_includes_the_panel(client, world):
    """The organizer dashboard shows the webhook section with its link to manage."""
    users, values = world
    login(client, users["owner"].email)
    page = client.get(f"/campaigns/{values['slug']}/dashboard")
    assert page.status_code == 200
    assert "Manage webhooks" in page.text and HOOK + "/a" in page.text
