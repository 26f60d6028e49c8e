"""Unsubscribing from update emails by signed link: this campaign, all, or one click."""

import pytest
from sqlalchemy import delete, select

from campaigns.extensions import db
from campaigns.models import OutboxEmail, OutboxState, Signature, SignatureState
from campaigns.outcomes.unsubscribe import make_unsubscribe_token
from campaigns.signatures.tokens import make_withdraw_token
from tests.outcomes.mailing_helpers import add_signers, add_update, fan_out, update_emails


def signature_id(app, slug, email) -> int:
    """The id of `email`'s signature on the campaign `slug`."""
    from campaigns.models import Campaign

    with app.app_context():
        return db.session.scalar(
            select(Signature.id)
            .join(Campaign, Campaign.id == Signature.campaign_id)
            .where(Campaign.slug == slug, Signature.email == email)
        )


def consents(app) -> dict[tuple[int, str], bool]:
    """(campaign id, email) -> consent_updates, for every signature."""
    with app.app_context():
        rows = db.session.execute(
            select(Signature.campaign_id, Signature.email, Signature.consent_updates)
        ).all()
    return {(c, e): consent for c, e, consent in rows}


def link(app, sid: int) -> str:
    """The unsubscribe path for a signature."""
    with app.app_context():
        return f"/unsubscribe/{make_unsubscribe_token(sid)}"


@pytest.fixture
def two_campaigns(app, make_campaign):
    """Ana and Bo signed two campaigns and asked for updates; each has a queued update."""
    first = make_campaign(title="Expel him from the Academy")
    second = make_campaign(title="Refuse the $5 million pledge")
    for slug in (first, second):
        add_signers(app, slug, 1, prefix="ana")
        add_signers(app, slug, 1, prefix="bo")
        add_update(app, slug)
    fan_out(app)
    return first, second


def pending_to(app, email) -> int:
    """How many update emails to `email` are still waiting."""
    return sum(
        1 for r in update_emails(app) if r.recipient == email and r.state == OutboxState.PENDING
    )


def test_get_shows_both_choices_and_changes_nothing(app, client, two_campaigns):
    """Mail scanners follow links: the page asks, it does not act."""
    first, _ = two_campaigns
    before = consents(app)
    page = client.get(link(app, signature_id(app, first, "ana0@example.org")))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Expel him from the Academy" in html
    assert 'value="campaign"' in html and 'value="all"' in html
    assert "Stop updates from all campaigns" in html
    assert consents(app) == before and pending_to(app, "ana0@example.org") == 2


def test_stop_this_campaign(app, client, two_campaigns):
    """Only this signature stops getting updates; its queued update email is cancelled."""
    first, _ = two_campaigns
    sid = signature_id(app, first, "ana0@example.org")
    response = client.post(link(app, sid), data={"scope": "campaign"})
    assert response.status_code == 200
    assert "You will get no more updates from" in response.get_data(as_text=True)
    with app.app_context():
        first_id = db.session.scalar(select(Signature.campaign_id).where(Signature.id == sid))
    assert [key for key, consent in consents(app).items() if not consent] == [
        (first_id, "ana0@example.org")
    ]
    assert pending_to(app, "ana0@example.org") == 1  # the other campaign's still goes
    assert pending_to(app, "bo0@example.org") == 2
    again = client.post(link(app, sid), data={"scope": "campaign"})
    assert again.status_code == 200
    assert "You were already unsubscribed" in again.get_data(as_text=True)


def test_stop_all_campaigns(app, client, two_campaigns):
    """Every signature with the same email stops; all their queued update emails are cancelled."""
    first, _ = two_campaigns
    response = client.post(
        link(app, signature_id(app, first, "ana0@example.org")), data={"scope": "all"}
    )
    assert response.status_code == 200
    assert "any campaign you signed" in response.get_data(as_text=True)
    after = consents(app)
    assert {e for (c, e), consent in after.items() if not consent} == {"ana0@example.org"}
    assert sum(1 for (c, e) in after if e == "ana0@example.org") == 2
    assert pending_to(app, "ana0@example.org") == 0
    assert pending_to(app, "bo0@example.org") == 2


def test_next_update_skips_unsubscribed_signers(app, client, two_campaigns):
    """After unsubscribing, the next update's fan-out leaves the person out."""
    first, _ = two_campaigns
    client.post(link(app, signature_id(app, first, "ana0@example.org")), data={"scope": "all"})
    update_id = add_update(app, first, title="They voted")
    fan_out(app)
    assert [r.recipient for r in update_emails(app, update_id)] == ["bo0@example.org"]


def test_one_click_post_needs_no_csrf_token(app_factory, make_campaign):
    """RFC 8058: a mail provider POSTs List-Unsubscribe=One-Click, without cookie or token."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    slug = make_campaign()
    add_signers(app, slug, 1)
    path = link(app, signature_id(app, slug, "signer0@example.org"))
    client = app.test_client()
    refused = client.post(path, data={"scope": "all"})  # the page's buttons do need it
    assert refused.status_code == 400
    assert list(consents(app).values()) == [True]
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert list(consents(app).values()) == [False]


def test_one_click_stops_only_this_campaign(app, client, two_campaigns):
    """One click means this campaign (the email's own list)."""
    first, _ = two_campaigns
    sid = signature_id(app, first, "bo0@example.org")
    assert client.post(link(app, sid), data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert sum(1 for (c, e), ok in consents(app).items() if not ok) == 1


@pytest.mark.parametrize(
    "token",
    ["nonsense", "eyJzaWQiOjF9.forged-signature-here", "WITHDRAW"],
)
def test_forged_or_foreign_token_is_a_clear_404(app, client, two_campaigns, token):
    """A forged token, or another link's token, changes nothing and says why."""
    first, _ = two_campaigns
    if token == "WITHDRAW":
        with app.app_context():
            token = make_withdraw_token(signature_id(app, first, "ana0@example.org"))
    before = consents(app)
    for response in (
        client.get(f"/unsubscribe/{token}"),
        client.post(f"/unsubscribe/{token}", data={"scope": "all"}),
        client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}),
    ):
        assert response.status_code == 404
        assert "The unsubscribe link is incomplete" in response.get_data(as_text=True)
    assert consents(app) == before


def test_signature_gone_says_so(app, client, two_campaigns):
    """A valid link whose signature was deleted has nothing to unsubscribe."""
    first, _ = two_campaigns
    sid = signature_id(app, first, "ana0@example.org")
    with app.app_context():
        db.session.execute(delete(OutboxEmail))
        db.session.execute(delete(Signature).where(Signature.id == sid))
        db.session.commit()
    assert client.get(link(app, sid)).status_code == 410
    gone = client.post(link(app, sid), data={"scope": "campaign"})
    assert gone.status_code == 410
    assert "There is nothing to unsubscribe" in gone.get_data(as_text=True)


def test_page_of_a_withdrawn_signature_says_no_updates_come(app, client, make_campaign):
    """Someone who withdrew gets no updates; the page says so instead of offering to stop them."""
    slug = make_campaign(title="Refuse the $5 million pledge")
    add_signers(app, slug, 1, state=SignatureState.WITHDRAWN)
    page = client.get(link(app, signature_id(app, slug, "signer0@example.org")))
    assert page.status_code == 200
    assert "You already get no updates from" in page.get_data(as_text=True)
