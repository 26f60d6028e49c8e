"""/api/v1 and the OSDI view behave as one API: errors, who reads signatures, limits, audit."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.api.auth import READ_ACTION
from campaigns.extensions import db as _db
from campaigns.models import AuditEvent, Role
from tests.api.v1_helpers import add_signature, assert_error, bearer, fresh_address, make_key

V1 = "/api/v1/campaigns/{slug}/signatures"
OSDI = "/api/osdi/v1/petitions/{slug}/signatures"


@pytest.fixture
def world(app, make_user, make_campaign):
    """Two campaigns of one owner, with a signature each; keys for the owner and others."""
    owner, stranger, admin = make_user(), make_user(), make_user(role=Role.ADMIN)
    slugs = [make_campaign(owner=owner), make_campaign(owner=owner)]
    make_campaign(owner=stranger)
    for slug in slugs:
        add_signature(app, slug)
    keys = {"owner": make_key(app, owner), "spare": make_key(app, owner),
            "stranger": make_key(app, stranger), "admin": make_key(app, admin)}  # fmt: skip
    return {"slugs": slugs, "keys": keys}


def both(client, slug, key=None) -> list:
    """The same signatures read on /api/v1 and on the OSDI view, with a key when given."""
    headers = bearer(key) if key else {}
    return [client.get(url.format(slug=slug), headers=headers) for url in (V1, OSDI)]


@pytest.mark.parametrize(
    ("who", "slug", "status", "code"),
    [(None, 0, 401, "unauthorized"), ("stranger", 0, 403, "forbidden"),
     ("owner", None, 404, "not_found")],
)  # fmt: skip
def test_same_error_same_shape(client, world, who, slug, status, code):
    """No key, someone else's key, an unknown campaign: one envelope, code and type on both."""
    slug = world["slugs"][slug] if slug is not None else "no-such-petition"
    key = world["keys"][who] if who else None
    v1, osdi = both(client, slug, key)
    first, second = assert_error(v1, status, code), assert_error(osdi, status, code)
    assert set(v1.get_json()) == set(osdi.get_json()) == {"error"}
    assert set(first) == set(second) == {"status", "code", "message"}
    if status == 401:
        assert v1.headers["WWW-Authenticate"] == osdi.headers["WWW-Authenticate"]
        assert osdi.headers["WWW-Authenticate"].lower().startswith("bearer")


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_organizers_and_admins_keys_read_on_both(client, world, who):
    """One rule on both APIs: the organizer's and an admin's key read the signatures."""
    assert [r.status_code for r in both(client, world["slugs"][0], world["keys"][who])] == [
        200, 200]  # fmt: skip


def test_one_per_key_budget_for_both_apis(app_factory, make_user, make_campaign):
    """Requests on /api/v1 and the OSDI view draw on the same per-key budget."""
    app = app_factory(RATELIMIT_ENABLED=True, API_LIMIT_PER_KEY="2 per minute")
    owner = make_user()
    slug = make_campaign(owner=owner)
    key, other = bearer(make_key(app, owner)), bearer(make_key(app, owner))
    client = app.test_client()
    assert client.get(V1.format(slug=slug), headers=key).status_code == 200
    assert client.get(OSDI.format(slug=slug), headers=key).status_code == 200
    assert_error(client.get(V1.format(slug=slug), headers=key), 429, "rate_limited")
    assert_error(client.get(OSDI.format(slug=slug), headers=key), 429, "rate_limited")
    assert client.get(OSDI.format(slug=slug), headers=other).status_code == 200


def test_one_per_ip_budget_for_both_apis(app_factory):
    """The public endpoints of both APIs draw on the same per-address budget."""
    app = app_factory(RATELIMIT_ENABLED=True, API_LIMIT_PER_IP="2 per minute")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = fresh_address()  # a bucket of this test's own
    assert client.get("/api/v1/campaigns").status_code == 200
    assert client.get("/api/osdi/v1/petitions").status_code == 200
    assert_error(client.get("/api/osdi/v1/"), 429, "rate_limited")
    assert_error(client.get("/api/v1/victories"), 429, "rate_limited")


def reads(app) -> list[tuple[str, dict]]:
    """The signature-read audit events: (target id, details), oldest first."""
    with app.app_context():
        events = _db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == READ_ACTION).order_by(AuditEvent.id)
        )
        return [(e.target_id, e.details) for e in events]


def test_reads_are_audited_once_per_key_campaign_and_hour(app, client, world):
    """The first read writes an event; more within the hour do not, on either API."""
    first, second = world["slugs"]
    owner = world["keys"]["owner"]
    assert client.get(V1.format(slug=first), headers=bearer(owner)).status_code == 200
    events = reads(app)
    assert len(events) == 1 and events[0][1]["api"] == "v1" and events[0][1]["key_id"]
    both(client, first, owner)
    assert len(reads(app)) == 1
    assert client.get(OSDI.format(slug=second), headers=bearer(owner)).status_code == 200
    assert len(reads(app)) == 2 and reads(app)[1][1]["api"] == "osdi"
    assert reads(app)[0][0] != reads(app)[1][0]  # one event for each campaign
    both(client, first, world["keys"]["spare"])  # another key of the same person
    both(client, first, world["keys"]["admin"])
    assert len(reads(app)) == 4
    assert "email" not in str(reads(app)) and "@" not in str(reads(app))


def test_reads_are_audited_again_after_an_hour(app, client, world):
    """An event older than an hour no longer covers the key's next read."""
    url = OSDI.format(slug=world["slugs"][0])
    client.get(url, headers=bearer(world["keys"]["owner"]))
    with app.app_context():
        event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == READ_ACTION))
        event.created_at -= timedelta(minutes=61)
        _db.session.commit()
    client.get(url, headers=bearer(world["keys"]["owner"]))
    assert len(reads(app)) == 2


def test_refused_reads_are_not_audited_as_reads(app, client, world):
    """A 401, 403 or 404 reads nothing, so it writes no read event."""
    both(client, world["slugs"][0])
    both(client, world["slugs"][0], world["keys"]["stranger"])
    both(client, "no-such-petition", world["keys"]["owner"])
    assert reads(app) == []
