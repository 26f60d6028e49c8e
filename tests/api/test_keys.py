"""Organizer API keys: created once, stored hashed, revoked, refused when they should be."""

import hashlib
import re

import pytest
from flask import render_template
from sqlalchemy import select

from campaigns.api import keys
from campaigns.extensions import db as _db
from campaigns.models import ApiKey, AuditEvent, CampaignStatus, Role, User, utcnow
from tests.conftest import get_campaign, login

KEY_RE = re.compile(r"gs_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def create(client, name="CRM sync"):
    """Post the creation form; the response and the raw key found on it."""
    response = client.post("/account/api-keys", data={"name": name})
    found = KEY_RE.search(response.get_data(as_text=True))
    return response, found.group(0) if found else None


@pytest.fixture
def organizer(app, client, make_user, make_campaign):
    """A logged-in member who owns a campaign."""
    user = make_user()
    make_campaign(owner=user)
    assert login(client, user.email).status_code == 302
    return user


def stored_keys(app) -> list[ApiKey]:
    """Every key row, detached."""
    with app.app_context():
        rows = _db.session.scalars(select(ApiKey).order_by(ApiKey.id)).all()
        _db.session.expunge_all()
        return rows


def test_create_shows_the_key_once_and_stores_only_its_hash(app, client, organizer):
    """The raw key is on the creation page, not stored, and not shown on the list again."""
    response, raw = create(client)
    assert response.status_code == 200
    assert raw is not None
    assert response.headers["Cache-Control"] == "no-store"
    [row] = stored_keys(app)
    assert row.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(row.prefix + "_") and raw not in (row.prefix, row.key_hash, row.name)
    listing = client.get("/account/api-keys").get_data(as_text=True)
    assert raw not in listing and row.prefix in listing and "CRM sync" in listing
    with app.app_context():
        event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_key.created"))
        assert event.actor_id == organizer.id and raw not in str(event.details)


def test_authenticate_then_refused_after_revoke(app, client, organizer):
    """A fresh key authenticates and stamps last use; after revoking it, it does not."""
    _, raw = create(client)
    with app.app_context():
        key = keys.authenticate(raw)
        assert key is not None and key.user_id == organizer.id and key.last_used_at
        _db.session.commit()
        assert keys.authenticate(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
        assert keys.authenticate("gs_nothing") is None and keys.authenticate(None) is None
    [row] = stored_keys(app)
    response = client.post(f"/account/api-keys/{row.id}/revoke")
    assert response.status_code == 302
    assert stored_keys(app)[0].revoked_at is not None
    with app.app_context():
        assert keys.authenticate(raw) is None
        actions = _db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("api_key.revoked") == 1
    assert "Revoked on" in client.get("/account/api-keys").get_data(as_text=True)


def test_last_used_is_written_at_most_once_a_minute(app, client, organizer):
    """Two uses within a minute keep the first stamp (no write per request)."""
    _, raw = create(client)
    with app.app_context():
        first = keys.authenticate(raw).last_used_at
        _db.session.commit()
        _db.session.remove()
        assert keys.authenticate(raw).last_used_at == first
        assert not _db.session.dirty


def test_key_from_request_reads_the_bearer_header():
    """Only the Bearer scheme counts; the key is the rest of the header."""
    assert keys.key_from_request({"Authorization": "Bearer gs_abc"}) == "gs_abc"
    assert keys.key_from_request({"Authorization": "bearer  gs_abc "}) == "gs_abc"
    assert keys.key_from_request({"Authorization": "Basic dXNlcg=="}) is None
    assert keys.key_from_request({"Authorization": "Bearer"}) is None
    assert keys.key_from_request({}) is None


def test_someone_elses_key_cannot_be_revoked(app, client, make_user, make_campaign, organizer):
    """Revoking another user's key (or a key that does not exist) is a 404 and changes nothing."""
    other = make_user()
    make_campaign(owner=other)
    with app.app_context():
        key, raw = keys.create_key(_db.session.get(User, other.id), name="Theirs")
        _db.session.commit()
        key_id = key.id
    assert client.post(f"/account/api-keys/{key_id}/revoke").status_code == 404
    assert client.post("/account/api-keys/999999/revoke").status_code == 404
    with app.app_context():
        assert keys.authenticate(raw) is not None


def test_non_organizers_get_403_on_create(app, client, login_as):
    """A member who organizes nothing is refused with a clear message; the page says why."""
    login_as(Role.MEMBER)
    response, raw = create(client)
    assert response.status_code == 403 and raw is None
    assert "campaign organizers" in response.get_data(as_text=True)
    assert stored_keys(app) == []
    page = client.get("/account/api-keys").get_data(as_text=True)
    assert "Once you start or co-organize a campaign" in page


@pytest.mark.parametrize("role", [Role.ADMIN])
def test_admins_may_create_keys(app, client, login_as, role):
    """Admins create keys without organizing a campaign."""
    login_as(role)
    response, raw = create(client)
    assert response.status_code == 200 and raw


def test_co_organizers_may_create_keys(app, client, make_user, make_campaign):
    """Co-organizing a campaign is enough, whatever its status."""
    co = make_user()
    make_campaign(status=CampaignStatus.DRAFT, co_organizers=[co])
    login(client, co.email)
    assert create(client)[1]


def test_anonymous_is_sent_to_log_in(client):
    """Every key route needs a signed-in account."""
    for method, path in (("get", "/account/api-keys"), ("post", "/account/api-keys"),
                         ("post", "/account/api-keys/1/revoke")):  # fmt: skip
        response = getattr(client, method)(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_disabled_users_key_is_refused(app, client, organizer):
    """A key stops working when an admin disables its owner's account."""
    _, raw = create(client)
    with app.app_context():
        _db.session.get(User, organizer.id).disabled_at = utcnow()
        _db.session.commit()
        assert keys.authenticate(raw) is None


def test_active_keys_are_limited(app, client, organizer):
    """The eleventh active key is refused with a message; revoking one makes room."""
    for n in range(keys.MAX_ACTIVE_KEYS):
        assert create(client, f"Key {n}")[1]
    response, raw = create(client, "One too many")
    assert response.status_code == 409 and raw is None
    assert "active keys" in response.get_data(as_text=True)
    first = stored_keys(app)[0]
    client.post(f"/account/api-keys/{first.id}/revoke")
    assert create(client, "Replacement")[1]


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_bad_names_are_refused(app, client, organizer, name):
    """A missing or over-long name is a 400 with the form shown again."""
    response, raw = create(client, name)
    assert response.status_code == 400 and raw is None
    assert stored_keys(app) == []


def test_forms_need_a_csrf_token(app_factory, make_user, make_campaign):
    """With CSRF on, creating and revoking without the token are refused."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = make_user()
    make_campaign(owner=user)
    with app.app_context():
        key, _raw = keys.create_key(_db.session.get(User, user.id), name="Existing")
        _db.session.commit()
        key_id = key.id
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": user.email, "password": "correct horse battery staple", "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302
    assert client.post("/account/api-keys", data={"name": "No token"}).status_code == 400
    assert client.post(f"/account/api-keys/{key_id}/revoke").status_code == 400
    assert len(stored_keys(app)) == 1 and stored_keys(app)[0].revoked_at is None
    page = client.get("/account/api-keys").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/account/api-keys", data={"name": "With token", "csrf_token": token})
    assert response.status_code == 200 and KEY_RE.search(response.get_data(as_text=True))


def test_account_page_links_to_keys(client, login_as):
    """The account page leads to the keys page."""
    login_as()
    assert "/account/api-keys" in client.get("/account/").get_data(as_text=True)


def test_dashboard_panel_shows_the_campaigns_api_addresses(app, make_campaign):
    """The dashboard's panel names the OSDI addresses and links to the keys page."""
    slug = make_campaign()
    with app.test_request_context("/"):
        html = render_template("api/_panel.html", campaign=get_campaign(app, slug))
    assert f"/api/osdi/v1/petitions/{slug}/signatures" in html
    assert f"/api/v1/campaigns/{slug}" in html and "/account/api-keys" in html
