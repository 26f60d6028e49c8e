"""Confirming and withdrawing from the emailed links, and what those emails say."""

import re

import sqlalchemy as sa

from campaigns.extensions import db as _db
from campaigns.mail.messages import render_parts
from campaigns.models import Campaign, CampaignStatus, Signature, SignatureState, utcnow
from campaigns.signatures import counting
from campaigns.signatures.tokens import read_confirm_token, read_withdraw_token
from tests.conftest import get_campaign, outbox_rows
from tests.signatures.test_sign_views import deltas, link_path, sign, signatures


def signed_up(app, client, make_campaign, **campaign):
    """A campaign with one pending guest signature; its slug and the confirmation email."""
    slug = make_campaign(**campaign)
    sign(client, slug, postcode="75001", reason="Enough.", visibility="full_name")
    [mail] = outbox_rows(app, "signature_confirm")
    return slug, mail


def set_status(app, slug, status):
    """Move a campaign to another status directly."""
    with app.app_context():
        _db.session.execute(sa.update(Campaign).where(Campaign.slug == slug).values(status=status))
        _db.session.commit()


def test_get_shows_a_button_and_changes_nothing(app, client, make_campaign):
    """Mail scanners follow links: GET only shows the form that POSTs."""
    slug, mail = signed_up(app, client, make_campaign)
    path = link_path(app, mail, "confirm_link")
    page = client.get(path)
    assert page.status_code == 200 and '<form method="post">' in page.text
    assert "Confirm my signature" in page.text and get_campaign(app, slug).title in page.text
    assert signatures(app)[0].state == SignatureState.PENDING and deltas(app) == []


def test_confirm_twice_counts_once_and_says_so_kindly(app, client, make_campaign):
    """The first POST confirms and adds one delta; the second changes nothing."""
    slug, mail = signed_up(app, client, make_campaign)
    path = link_path(app, mail, "confirm_link")
    first = client.post(path)
    assert first.status_code == 200
    assert "Thank you, your signature is confirmed" in first.text
    assert f'href="/campaigns/{slug}"' in first.text and "Share this campaign" in first.text
    second = client.post(path)
    assert second.status_code == 200 and "already confirmed" in second.text
    assert "Nothing changed" in second.text
    [row] = signatures(app)
    assert row.state == SignatureState.CONFIRMED and row.confirmed_at is not None
    assert deltas(app) == [1]
    with app.app_context():
        counting.aggregate()
    assert get_campaign(app, slug).signature_count == 1


def test_bad_and_expired_links_are_400_with_help(app, client, make_campaign):
    """A forged, truncated or expired token explains itself and links on; nothing changes."""
    _, mail = signed_up(app, client, make_campaign)
    path = link_path(app, mail, "confirm_link")
    for bad in (path[:-3], "/signatures/confirm/garbage", path.replace("confirm", "withdraw", 1)):
        for method in (client.get, client.post):
            response = method(bad)
            assert response.status_code == 400, bad
            assert "incomplete" in response.text
    app.config["SIGN_CONFIRM_MAX_AGE"] = -1  # every token is now too old
    response = client.post(path)
    assert response.status_code == 400 and "links work for seven days" in response.text
    assert 'href="/campaigns"' in response.text
    assert signatures(app)[0].state == SignatureState.PENDING and deltas(app) == []


def test_confirming_on_a_closed_campaign_is_refused(app, client, make_campaign):
    """The campaign closed before the click: 409 and not counted."""
    slug, mail = signed_up(app, client, make_campaign)
    set_status(app, slug, CampaignStatus.CLOSED)
    response = client.post(link_path(app, mail, "confirm_link"))
    assert response.status_code == 409 and "no longer takes signatures" in response.text
    assert signatures(app)[0].state == SignatureState.PENDING and deltas(app) == []


def test_withdraw_erases_the_signer_and_lowers_the_count(app, client, make_campaign):
    """GET explains; POST erases name, email, postcode and reason, and appends -1."""
    _, mail = signed_up(app, client, make_campaign)
    client.post(link_path(app, mail, "confirm_link"))
    path = link_path(app, mail, "withdraw_link")
    page = client.get(path)
    assert page.status_code == 200 and "erased for good" in page.text
    assert signatures(app)[0].state == SignatureState.CONFIRMED
    done = client.post(path)
    assert done.status_code == 200 and "Your signature is withdrawn" in done.text
    [row] = signatures(app)
    assert row.state == SignatureState.WITHDRAWN and row.withdrawn_at is not None
    erased = (row.name, row.email, row.canonical_email, row.postcode, row.reason)
    assert erased == ("", None, None, None, None)
    assert deltas(app) == [1, -1]
    again = client.post(path)
    assert again.status_code == 200 and "already withdrawn" in again.text
    assert deltas(app) == [1, -1]
    # The confirmation link no longer brings it back.
    gone = client.post(link_path(app, mail, "confirm_link"))
    assert gone.status_code == 410 and "no longer exists" in gone.text
    assert signatures(app)[0].state == SignatureState.WITHDRAWN


def test_withdrawing_a_pending_signature_needs_no_confirmation(app, client, make_campaign):
    """Withdrawing before confirming erases too, and never touches the count."""
    _, mail = signed_up(app, client, make_campaign)
    assert client.post(link_path(app, mail, "withdraw_link")).status_code == 200
    row = signatures(app)[0]
    assert row.state == SignatureState.WITHDRAWN and row.email is None and deltas(app) == []


def test_withdraw_link_for_a_purged_signature_says_so(app, client, make_campaign):
    """Unconfirmed signatures are purged; their withdraw link explains instead of failing."""
    _, mail = signed_up(app, client, make_campaign)
    with app.app_context():
        _db.session.execute(sa.delete(Signature))
        _db.session.commit()
    response = client.get(link_path(app, mail, "withdraw_link"))
    assert response.status_code == 410 and "no signature to withdraw" in response.text
    bad = client.post("/signatures/withdraw/" + "x" * 40)
    assert bad.status_code == 400 and "withdraw link is incomplete" in bad.text


def test_signer_emails_carry_the_confirm_and_withdraw_links(app, client, make_campaign):
    """Both parts of the confirmation email show both links; French readers get French."""
    slug, mail = signed_up(app, client, make_campaign)
    with app.app_context(), app.test_request_context():
        subject, text, html = render_parts(mail)
        assert subject == "Confirm your signature"
        for part in (text, html):
            confirm = re.search(r"http://localhost/signatures/confirm/([\w.-]+)", part)
            withdraw = re.search(r"http://localhost/signatures/withdraw/([\w.-]+)", part)
            assert read_confirm_token(confirm.group(1)) == mail.payload["signature_id"]
            assert read_withdraw_token(withdraw.group(1)) == mail.payload["signature_id"]
            assert f"http://localhost/campaigns/{slug}" in part
            assert "Ana López" in part and get_campaign(app, slug).title in part
        mail.locale = "fr"
        assert render_parts(mail)[1] != text


def test_milestone_email_to_organizers_renders(app, client, make_user, make_campaign):
    """Passing a milestone and the goal queues one email each, which render with the numbers."""
    owner = make_user(name="Olivia")
    slug = make_campaign(owner=owner, goal=2, milestones=[(1, "First supporter")])
    for n in range(2):
        sign(client, slug, email=f"s{n}@example.org")
    for mail in outbox_rows(app, "signature_confirm"):
        client.post(link_path(app, mail, "confirm_link"))
    with app.app_context():
        counting.aggregate(utcnow())
    mails = outbox_rows(app, "milestone_reached")
    assert [m.recipient for m in mails] == [owner.email] * 2
    with app.app_context(), app.test_request_context():
        texts = [render_parts(m) for m in mails]
    assert all(t[0] == "Your campaign reached a milestone" for t in texts)
    joined = " ".join(t[1] + t[2] for t in texts)
    assert "First supporter" in joined and "reached its goal of 2 signatures" in joined
