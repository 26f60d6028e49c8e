"""Co-organizers: invited by the owner, accepted by the invited member, removed by the owner."""

import re

from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import CampaignInvitation
from tests.conftest import PASSWORD, get_campaign, login, outbox_rows


def invite(client, slug, email):
    """The owner sends an invitation; return the link from the email."""
    response = client.post(f"/campaigns/{slug}/organizers", data={"email": email})
    assert response.status_code == 302, response.text
    return response


def accept_link(app) -> str:
    """The path of the accept link in the last invitation email."""
    row = outbox_rows(app, template="organizer_invitation")[-1]
    return re.sub(r"^https?://[^/]+", "", row.payload["accept_url"])


def test_invite_accept_edit_and_remove(app, client, make_user, make_campaign):
    """The invited member accepts, can edit, cannot close; the owner removes them."""
    owner, helper = make_user(), make_user("helper@example.org")
    slug = make_campaign(owner=owner)
    login(client, owner.email)
    invite(client, slug, "Helper@Example.org")
    link = accept_link(app)
    client.post("/logout")
    login(client, helper.email)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert [u.id for u in get_campaign(app, slug).co_organizers] == [helper.id]
    assert client.post(link).status_code == 404  # used once
    data = {"summary": "Edited by a co-organizer", "body": "Body"}
    assert client.post(f"/campaigns/{slug}/edit/story", data=data).status_code == 302
    assert client.post(f"/campaigns/{slug}/close").status_code == 403
    other = make_user()
    response = client.post(f"/campaigns/{slug}/organizers/{other.id}/remove")
    assert response.status_code in (403, 404)
    client.post("/logout")
    login(client, owner.email)
    assert client.post(f"/campaigns/{slug}/organizers/{helper.id}/remove").status_code == 302
    assert get_campaign(app, slug).co_organizers == []


def test_only_the_invited_address_can_accept(app, client, make_user, make_campaign):
    """Someone else holding the link cannot use it."""
    owner, _invited, stranger = make_user(), make_user("inv@example.org"), make_user()
    slug = make_campaign(owner=owner)
    login(client, owner.email)
    invite(client, slug, "inv@example.org")
    link = accept_link(app)
    client.post("/logout")
    login(client, stranger.email)
    assert client.post(link).status_code == 403
    assert get_campaign(app, slug).co_organizers == []


def test_only_the_owner_invites_and_revokes(app, client, make_user, make_campaign):
    """Co-organizers cannot invite; the owner can withdraw a pending invitation."""
    owner, co = make_user(), make_user()
    slug = make_campaign(owner=owner, co_organizers=[co])
    login(client, co.email, PASSWORD)
    assert (
        client.post(f"/campaigns/{slug}/organizers", data={"email": "x@example.org"}).status_code
        == 403
    )
    client.post("/logout")
    login(client, owner.email)
    invite(client, slug, "x@example.org")
    link = accept_link(app)
    with app.app_context():
        invitation_id = _db.session.scalar(select(CampaignInvitation.id))
    assert client.post(f"/campaigns/{slug}/invitations/{invitation_id}/revoke").status_code == 302
    assert client.post(f"/campaigns/{slug}/invitations/{invitation_id}/revoke").status_code == 404
    client.post("/logout")
    login(client, make_user("x@example.org").email)
    assert client.post(link).status_code == 404


def test_bad_invitations_are_refused_with_messages(app, client, make_user, make_campaign):
    """Inviting yourself or a malformed address re-shows the form with a 422."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    login(client, owner.email)
    for email in (owner.email, "not an address"):
        response = client.post(f"/campaigns/{slug}/organizers", data={"email": email})
        assert response.status_code == 422
    assert client.get("/invitations/forged-token").status_code == 404
    assert outbox_rows(app, template="organizer_invitation") == []


def test_a_co_organizer_can_leave(app, client, make_user, make_campaign):
    """Removing yourself needs no owner; you then lose the organizers page."""
    co = make_user()
    slug = make_campaign(co_organizers=[co])
    login(client, co.email)
    response = client.post(f"/campaigns/{slug}/organizers/{co.id}/remove")
    assert response.status_code == 302 and response.headers["Location"] == f"/campaigns/{slug}"
    assert get_campaign(app, slug).co_organizers == []
    assert client.get(f"/campaigns/{slug}/organizers").status_code == 403
