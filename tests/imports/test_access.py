"""Who may use each import route: organizers and admins; CSRF on every POST."""

import io
import re

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.imports import services
from campaigns.models import Campaign, ImportState, Role, User
from tests.conftest import login
from tests.imports.helpers import csv_bytes, imports_of, signatures_of, upload

ROLES = ("anonymous", "member", "owner", "co_organizer", "moderator", "admin")
FILE = csv_bytes("name,country,date", "Paper Person,GB,2024-01-01")
ROUTES = [
    ("upload page", "GET", "/campaigns/{slug}/imports"),
    ("upload", "POST", "/campaigns/{slug}/imports"),
    ("template", "GET", "/campaigns/{slug}/imports/template.csv"),
    ("report", "GET", "/campaigns/{slug}/imports/{id}"),
    ("confirm", "POST", "/campaigns/{slug}/imports/{id}/confirm"),
    ("discard", "POST", "/campaigns/{slug}/imports/{id}/discard"),
]
EXPECTED = {"anonymous": "login", "member": 403, "owner": "ok", "co_organizer": "ok",
            "moderator": 403, "admin": "ok"}  # fmt: skip


@pytest.fixture
def world(app, make_user, make_campaign):
    """A user per role, an open campaign, and a pending import on it."""
    users = {role: make_user() for role in ("member", "owner", "co_organizer")}
    users["moderator"] = make_user(role=Role.MODERATOR)
    users["admin"] = make_user(role=Role.ADMIN)
    slug = make_campaign(owner=users["owner"], co_organizers=[users["co_organizer"]])
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        owner = _db.session.get(User, users["owner"].id)
        record = services.upload_import(owner, campaign, filename="first.csv", data=FILE)
        _db.session.commit()
        import_id = record.id
    return users, slug, import_id


def outcome(response) -> str | int:
    """ok, login (redirected to log in) or the refusal status."""
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        return "login"
    return "ok" if response.status_code in (200, 302) else response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "method", "path"), ROUTES, ids=[r[0] for r in ROUTES])
def test_who_may_use_each_route(app, client, world, role, action, method, path):
    """Owner, co-organizer and admin may; others are refused and nothing changes."""
    users, slug, import_id = world
    if role != "anonymous":
        assert login(client, users[role].email).status_code == 302
    url = path.format(slug=slug, id=import_id)
    is_upload = action == "upload"
    response = upload(client, slug, FILE) if is_upload else client.open(url, method=method)
    assert outcome(response) == EXPECTED[role], (action, role, response.status_code)
    if EXPECTED[role] != "ok":
        (record,) = imports_of(app, slug)
        assert record.state == ImportState.PENDING
        assert len(signatures_of(app, slug)) == 1


def test_hidden_campaign_is_not_found_for_its_organizers(app, client, world):
    """A campaign hidden by moderators is 404 to its organizers, as everywhere else."""
    users, slug, import_id = world
    with app.app_context():
        from campaigns.models import utcnow

        _db.session.scalar(select(Campaign).where(Campaign.slug == slug)).hidden_at = utcnow()
        _db.session.commit()
    login(client, users["owner"].email)
    assert client.get(f"/campaigns/{slug}/imports").status_code == 404
    assert client.post(f"/campaigns/{slug}/imports/{import_id}/confirm").status_code == 404


def token(html: str) -> str:
    """The CSRF token in a rendered form."""
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_posts_need_a_csrf_token(app_factory, world):
    """Without the token upload, confirm and discard are refused; with it they work."""
    users, slug, import_id = world
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login(client, users["owner"].email, csrf_token=token(client.get("/login").text))
    base = f"/campaigns/{slug}/imports"
    data = {"file": (io.BytesIO(FILE), "second.csv"), "date_order": "day"}
    assert client.post(base, data=data, content_type="multipart/form-data").status_code == 400
    assert client.post(f"{base}/{import_id}/confirm").status_code == 400
    assert client.post(f"{base}/{import_id}/discard").status_code == 400
    assert len(imports_of(app, slug)) == 1
    assert imports_of(app, slug)[0].state == ImportState.PENDING

    page = client.get(base).text
    data = {"file": (io.BytesIO(FILE), "second.csv"), "date_order": "day",
            "csrf_token": token(page)}  # fmt: skip
    response = client.post(base, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    report = client.get(f"{base}/{import_id}").text
    confirmed = client.post(f"{base}/{import_id}/confirm", data={"csrf_token": token(report)})
    assert confirmed.status_code == 302
    assert imports_of(app, slug)[0].state == ImportState.CONFIRMED
