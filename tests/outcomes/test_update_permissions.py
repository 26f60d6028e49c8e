"""Updates: refused changes leave no trace, links follow the role, bad input never gives a 500.

Who may do what is stated once, in the authorization table (tests/test_authorization.py).
"""

import re

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import Campaign, Role, Update, utcnow
from tests.conftest import login
from tests.outcomes.update_helpers import audit_events, post_update, updates_of
from tests.test_authorization import OK, ROLES, TABLE, UPDATE

# What each POST leaves behind when it happens: (audit action, whether the rows show it).
EFFECTS = {
    "post update": ("update.posted", lambda rows: len(rows) == 2),
    "edit update": ("update.edited", lambda rows: rows[0].title == UPDATE["title"]),
    "delete update": ("update.deleted", lambda rows: rows[0].deleted_at is not None),
}


@pytest.fixture
def cast(make_user, make_campaign):
    """An open campaign with an owner and a co-organizer, and a user for every other role."""
    owner, co = make_user(name="Owner"), make_user(name="Co")
    slug = make_campaign(owner=owner, co_organizers=[co])
    users = {
        "owner": owner,
        "co_organizer": co,
        "member": make_user(),
        "moderator": make_user(role=Role.MODERATOR),
        "admin": make_user(role=Role.ADMIN),
    }
    return slug, users


def add_update(app, slug, title="An update") -> int:
    """Insert a published update; return its id."""
    with app.app_context():
        cid = _db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        row = Update(campaign_id=cid, title=title, body="B", body_html="<p>B</p>",
                     published_at=utcnow())  # fmt: skip
        _db.session.add(row)
        _db.session.commit()
        return row.id


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", EFFECTS)
def test_only_allowed_roles_change_updates(app, client, cast, action, role):
    """What the authorization table allows happens and is audited; refusals change nothing."""
    _, method, path, _, expected, data = next(r for r in TABLE if r[0] == action)
    slug, users = cast
    update_id = add_update(app, slug)
    if role != "anonymous":
        login(client, users[role].email)
    client.open(path.format(slug=slug, update_id=update_id), method=method, data=data)
    audit_action, happened = EFFECTS[action]
    assert happened(updates_of(app, slug)) == (expected[role] == OK)
    assert bool(audit_events(app, audit_action)) == (expected[role] == OK)


def test_moderator_deletion_is_audited_as_the_moderator(app, client, cast):
    """Staff deleting an update for moderation are named in the audit log."""
    slug, users = cast
    update_id = add_update(app, slug, "Spam link")
    login(client, users["moderator"].email)
    assert client.post(f"/campaigns/{slug}/updates/{update_id}/delete").status_code == 302
    (event,) = audit_events(app, "update.deleted")
    assert event.actor_id == users["moderator"].id and event.details["title"] == "Spam link"


def test_the_organizer_panel_links_and_controls_follow_the_role(app, client, cast):
    """Organizers see Post an update and edit/delete; members see neither; moderators delete."""
    slug, users = cast
    add_update(app, slug)
    expected = {
        "owner": (True, True, True),
        "member": (False, False, False),
        "moderator": (False, False, True),
        "admin": (False, True, True),
    }
    for role, (post, edit, delete) in expected.items():
        login(client, users[role].email)
        page = client.get(f"/campaigns/{slug}").text
        assert ("Post an update" in page) == post, role
        assert ('/edit">Edit<' in page) == edit, role
        assert ('/delete" class="inline-form"' in page) == delete, role
        client.post("/logout")


@pytest.fixture
def owner_client(client, cast):
    """The client, logged in as the owner; returns the campaign slug."""
    slug, users = cast
    login(client, users["owner"].email)
    return slug


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"title": "   "}, "This field is required"),
        ({"title": "T" * 161}, "160"),
        ({"body": ""}, "This field is required"),
        ({"body": "B" * 20_001}, "20000"),
        ({"kind": "milestone"}, "Not a valid choice"),
        ({"kind": "victory"}, "Not a valid choice"),
        ({"email_signers": "\u202e" * 5000}, None),  # any value ticks a checkbox: posts fine
    ],
)
def test_bad_input_is_a_form_error_not_a_500(app, client, owner_client, fields, message):
    """Invalid titles, bodies and kinds come back as 422 with the reason; nothing is saved."""
    response = post_update(client, owner_client, **fields)
    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 422 and message in response.text
    assert updates_of(app, owner_client) == []


def test_edit_refuses_bad_input_the_same_way(app, client, owner_client):
    """Editing with an empty title or unknown kind is a 422 and leaves the update as it was."""
    update_id = add_update(app, owner_client, "Original")
    url = f"/campaigns/{owner_client}/updates/{update_id}/edit"
    for data in ({**UPDATE, "title": ""}, {**UPDATE, "kind": "outcome!"}, {}):
        assert client.post(url, data=data).status_code == 422
    assert updates_of(app, owner_client)[0].title == "Original"
    assert audit_events(app, "update.edited") == []


def test_update_ids_must_belong_to_the_campaign(app, client, make_campaign, cast, owner_client):
    """Another campaign's update, a missing one or an absurd id is a 404."""
    other = make_campaign()
    foreign = add_update(app, other, "Not yours")
    for update_id in (foreign, 999_999, 2**31 - 1, 2**31, 10**30):
        for action in ("edit", "delete"):
            url = f"/campaigns/{owner_client}/updates/{update_id}/{action}"
            response = client.post(url, data=UPDATE)
            assert response.status_code == 404, (update_id, action)
        assert client.get(f"/campaigns/{owner_client}/updates/{update_id}/edit").status_code == 404
    assert (
        updates_of(app, other)[0].title == "Not yours"
        and updates_of(app, other)[0].deleted_at is None
    )
    assert client.get("/campaigns/no-such-campaign/updates").status_code == 404
    assert client.get("/campaigns/no-such-campaign/updates.atom").status_code == 404


def test_delete_needs_the_csrf_token(app_factory, make_user, make_campaign):
    """With CSRF on, a delete without the token is a 400 and deletes nothing; with it, works."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    owner = make_user()
    slug = make_campaign(owner=owner)
    update_id = add_update(app, slug)
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text)
    login(client, owner.email, csrf_token=token.group(1))
    url = f"/campaigns/{slug}/updates/{update_id}/delete"
    assert client.post(url).status_code == 400
    assert updates_of(app, slug)[0].deleted_at is None
    page = client.get(f"/campaigns/{slug}").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    assert updates_of(app, slug)[0].deleted_at is not None
