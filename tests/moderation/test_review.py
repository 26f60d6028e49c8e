"""The review queue: who may use it, claims, approve, reject, hide, unhide and revisions."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.mail.messages import render_parts
from campaigns.models import (
    Campaign,
    CampaignRevision,
    CampaignStatus,
    OutboxEmail,
    RejectionReason,
    Role,
    utcnow,
)
from campaigns.moderation import services
from campaigns.moderation.labels import REJECTION_LABELS
from tests.conftest import USING_POSTGRES, get_campaign, login, outbox_rows
from tests.moderation.helpers import audit_actions, moderator, set_columns

PENDING = CampaignStatus.PENDING_REVIEW


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 302), (Role.MEMBER, 403), (Role.MODERATOR, 200), (Role.ADMIN, 200)],
)
def test_queue_and_review_pages_by_role(client, login_as, make_campaign, role, expected):
    """Anonymous visitors are sent to log in, members are refused, staff get in."""
    slug = make_campaign(status=PENDING)
    if role is not None:
        login_as(role)
    for path in ("/moderation/", f"/moderation/campaigns/{slug}", "/moderation/reports"):
        response = client.get(path)
        assert response.status_code == expected, path
        if role is None:
            assert "/login" in response.headers["Location"]
    response = client.get(f"/moderation/campaigns/{slug}/revisions")
    assert response.status_code == expected


@pytest.mark.parametrize(("role", "expected"), [(None, 302), (Role.MEMBER, 403)])
@pytest.mark.parametrize("verb", ["claim", "release", "approve", "reject", "hide", "unhide"])
def test_decisions_refused_to_non_staff(app, client, login_as, make_campaign, role, expected, verb):
    """No decision can be posted by anyone below moderator, and nothing changes."""
    slug = make_campaign(status=PENDING)
    if role is not None:
        login_as(role)
    response = client.post(f"/moderation/campaigns/{slug}/{verb}", data={"reject-reason": "spam"})
    assert response.status_code == expected
    assert get_campaign(app, slug).status == PENDING


def test_queue_lists_oldest_first_with_claim_holder(app, make_user, make_campaign):
    """The longest-waiting campaign comes first; the claim holder's name is shown."""
    now = utcnow()
    newer = make_campaign(status=PENDING, title="Newer campaign", submitted_at=now)
    older = make_campaign(
        status=PENDING, title="Older campaign", submitted_at=now - timedelta(days=2)
    )
    make_campaign(status=CampaignStatus.DRAFT, title="A draft nobody submitted")
    assert older
    alice = moderator(app, make_user, "alice@example.org", name="Alice")
    assert alice.post(f"/moderation/campaigns/{newer}/claim").status_code == 302
    page = moderator(app, make_user, "bob@example.org").get("/moderation/").get_data(as_text=True)
    assert page.index("Older campaign") < page.index("Newer campaign")
    assert "A draft nobody submitted" not in page
    assert "Alice" in page


def test_two_moderators_cannot_hold_the_same_campaign(app, make_user, make_campaign):
    """The second moderator gets a 409 naming who holds it; after release they can claim."""
    slug = make_campaign(status=PENDING)
    alice = moderator(app, make_user, "alice@example.org", name="Alice")
    bob = moderator(app, make_user, "bob@example.org", name="Bob")
    assert alice.post(f"/moderation/campaigns/{slug}/claim").status_code == 302
    response = bob.post(f"/moderation/campaigns/{slug}/claim")
    assert response.status_code == 409
    assert "Alice is reviewing this campaign" in response.get_data(as_text=True)
    assert bob.post(f"/moderation/campaigns/{slug}/approve").status_code == 409
    assert bob.post(f"/moderation/campaigns/{slug}/release").status_code == 409
    data = {"reject-reason": "spam"}
    assert bob.post(f"/moderation/campaigns/{slug}/reject", data=data).status_code == 409
    campaign = get_campaign(app, slug)
    assert campaign.status == PENDING and campaign.claimed_by_id is not None
    assert alice.post(f"/moderation/campaigns/{slug}/release").status_code == 302
    assert bob.post(f"/moderation/campaigns/{slug}/claim").status_code == 302
    assert get_campaign(app, slug).claimed_by_id == bob.user.id


def test_a_stale_claim_can_be_taken_over(app, make_user, make_campaign):
    """Claims lapse after CLAIM_MINUTES, so an abandoned review does not block the queue."""
    slug = make_campaign(status=PENDING)
    alice = moderator(app, make_user, "alice@example.org")
    bob = moderator(app, make_user, "bob@example.org")
    assert alice.post(f"/moderation/campaigns/{slug}/claim").status_code == 302
    stale = utcnow() - timedelta(minutes=services.CLAIM_MINUTES + 1)
    set_columns(app, slug, claimed_at=stale)
    assert bob.post(f"/moderation/campaigns/{slug}/approve").status_code == 302
    assert get_campaign(app, slug).status == CampaignStatus.OPEN


def test_only_campaigns_awaiting_a_decision_can_be_claimed(app, make_user, make_campaign):
    """Drafts and visible open campaigns are not in the queue, so claiming them is a 409."""
    client = moderator(app, make_user, "alice@example.org")
    for status in (CampaignStatus.DRAFT, CampaignStatus.OPEN, CampaignStatus.REJECTED):
        slug = make_campaign(status=status)
        assert client.post(f"/moderation/campaigns/{slug}/claim").status_code == 409
        assert get_campaign(app, slug).claimed_by_id is None


@pytest.mark.postgres
@pytest.mark.skipif(not USING_POSTGRES, reason="row locking under concurrency needs PostgreSQL")
def test_simultaneous_claims_have_one_winner(app, make_user, make_campaign):
    """Two moderators claiming in the same instant: exactly one UPDATE matches."""
    slug = make_campaign(status=PENDING)
    users = [make_user(f"m{n}@example.org", role=Role.MODERATOR) for n in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(user_id):
        """Claim in a fresh app context (its own session and connection) and commit."""
        with app.app_context():
            campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
            actor = db.session.get(type(users[0]), user_id)
            barrier.wait()
            try:
                services.claim(actor, campaign)
                db.session.commit()
                outcomes.append("won")
            except services.ClaimConflict:
                db.session.rollback()
                outcomes.append("lost")

    threads = [threading.Thread(target=attempt, args=(u.id,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost", "won"]


def test_approve_opens_emails_audits_and_keeps_the_first_revision(
    app, client, make_user, make_campaign
):
    """Approval publishes the campaign, emails its owner a link, audits and keeps the text."""
    owner = make_user("owner@example.org", name="Olu")
    slug = make_campaign(status=PENDING, owner=owner, title="USC, turn down the pledge")
    staff = moderator(app, make_user, "alice@example.org")
    assert client.get(f"/campaigns/{slug}").status_code == 404
    response = staff.post(f"/moderation/campaigns/{slug}/approve", data={"approve-note": "fine"})
    assert response.status_code == 302
    campaign = get_campaign(app, slug)
    assert campaign.status == CampaignStatus.OPEN and campaign.is_open
    assert campaign.published_at is not None and campaign.claimed_by_id is None
    assert client.get(f"/campaigns/{slug}").status_code == 200
    with app.app_context():
        revisions = db.session.scalars(select(CampaignRevision)).all()
        assert [(r.editor_id, r.summary, r.body) for r in revisions] == [
            (owner.id, campaign.summary, campaign.body)
        ]
    assert audit_actions(app, slug) == [("campaign.approved", {"note": "fine"})]
    (email,) = outbox_rows(app, template="campaign_approved")
    assert email.recipient == "owner@example.org"
    with app.app_context():
        subject, text, html = render_parts(db.session.get(OutboxEmail, email.id))
    assert subject == "Your campaign is live"
    assert f"http://localhost/campaigns/{slug}" in text and "USC, turn down the pledge" in text
    assert f'href="http://localhost/campaigns/{slug}"' in html


def test_approval_refused_after_the_deadline(app, make_user, make_campaign):
    """A campaign whose deadline passed while it waited cannot open."""
    slug = make_campaign(status=PENDING, deadline=utcnow() - timedelta(hours=1))
    staff = moderator(app, make_user, "alice@example.org")
    response = staff.post(f"/moderation/campaigns/{slug}/approve")
    assert response.status_code == 409
    assert "deadline" in response.get_data(as_text=True)
    assert get_campaign(app, slug).status == PENDING
    assert outbox_rows(app, template="campaign_approved") == []


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.OPEN])
def test_only_pending_campaigns_can_be_approved(app, make_user, make_campaign, status):
    """Approving a draft or an open campaign is refused with 409."""
    slug = make_campaign(status=status)
    staff = moderator(app, make_user, "alice@example.org")
    assert staff.post(f"/moderation/campaigns/{slug}/approve").status_code == 409
    assert get_campaign(app, slug).status == status


@pytest.mark.parametrize("reason", list(RejectionReason))
def test_reject_for_each_reason(app, client, make_user, make_campaign, reason):
    """Rejection records the reason, emails it, audits it; libellous and spam are hidden."""
    owner = make_user("owner@example.org", name="Olu")
    slug = make_campaign(status=PENDING, owner=owner, title="Expel him")
    staff = moderator(app, make_user, "alice@example.org")
    data = {"reject-reason": reason.value, "reject-note": "See the rules on <b>names</b>."}
    assert staff.post(f"/moderation/campaigns/{slug}/reject", data=data).status_code == 302
    campaign = get_campaign(app, slug)
    assert campaign.status == CampaignStatus.REJECTED
    assert campaign.rejection_reason == reason
    assert campaign.rejection_note == "See the rules on <b>names</b>."
    assert campaign.is_hidden is reason.hides
    assert campaign.can_view(None) is False
    owner_sees = campaign.can_view(owner)
    assert owner_sees is (not reason.hides)
    assert client.get(f"/campaigns/{slug}").status_code == 404
    assert audit_actions(app, slug) == [
        ("campaign.rejected", {"reason": reason.value, "note": data["reject-note"]})
    ]
    (email,) = outbox_rows(app, template="campaign_rejected")
    with app.app_context():
        _subject, text, html = render_parts(db.session.get(OutboxEmail, email.id))
    assert email.recipient == "owner@example.org"
    assert str(REJECTION_LABELS[reason]) in text and "Expel him" in text
    assert "See the rules on <b>names</b>." in text
    assert "See the rules on &lt;b&gt;names&lt;/b&gt;." in html


def test_libellous_rejection_404s_to_everyone_but_staff(app, client, make_user, make_campaign):
    """The organizer and an anonymous visitor get 404; a moderator still sees the page."""
    owner = make_user("owner@example.org")
    slug = make_campaign(status=PENDING, owner=owner, title="Libel")
    staff = moderator(app, make_user, "alice@example.org")
    data = {"reject-reason": "libellous", "reject-note": ""}
    assert staff.post(f"/moderation/campaigns/{slug}/reject", data=data).status_code == 302
    assert staff.get(f"/moderation/campaigns/{slug}").status_code == 200
    assert staff.get(f"/campaigns/{slug}").status_code == 200
    assert client.get(f"/campaigns/{slug}").status_code == 404
    assert login(client, owner.email).status_code == 302
    assert client.get(f"/campaigns/{slug}").status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"reject-reason": "rude"},
        {"reject-reason": ""},
        {},
        {"reject-reason": "spam", "reject-note": "x" * (services.NOTE_MAX + 1)},
    ],
)
def test_reject_bad_input_is_a_400(app, make_user, make_campaign, data):
    """An unknown or missing reason, or a note too long, changes nothing."""
    slug = make_campaign(status=PENDING)
    staff = moderator(app, make_user, "alice@example.org")
    assert staff.post(f"/moderation/campaigns/{slug}/reject", data=data).status_code == 400
    assert get_campaign(app, slug).status == PENDING


def test_unknown_campaign_is_a_404(app, make_user):
    """Every moderation route answers 404 for a slug that does not exist."""
    staff = moderator(app, make_user, "alice@example.org")
    assert staff.get("/moderation/campaigns/nope").status_code == 404
    assert staff.get("/moderation/campaigns/nope/revisions").status_code == 404
    for verb in ("claim", "release", "approve", "reject", "hide", "unhide"):
        assert staff.post(f"/moderation/campaigns/nope/{verb}").status_code == 404
