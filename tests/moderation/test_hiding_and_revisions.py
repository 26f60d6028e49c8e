"""Hiding and showing published campaigns, the review page's escaping, and revision diffs."""

from datetime import timedelta

from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import Campaign, CampaignRevision, CampaignStatus, utcnow
from campaigns.moderation.queries import revision_history
from campaigns.petitions.discovery import list_query
from tests.conftest import get_campaign
from tests.moderation.helpers import audit_actions, moderator

PENDING = CampaignStatus.PENDING_REVIEW


def test_hide_and_unhide_a_published_campaign(app, client, make_user, make_campaign):
    """Hidden: public 404, no signatures, out of the lists, in the queue; unhide restores."""
    slug = make_campaign(status=CampaignStatus.OPEN, title="Reported campaign")
    staff = moderator(app, make_user, "alice@example.org")
    assert staff.post(f"/moderation/campaigns/{slug}/hide", data={}).status_code == 400
    data = {"hide-note": "Names a private person"}
    assert staff.post(f"/moderation/campaigns/{slug}/hide", data=data).status_code == 302
    campaign = get_campaign(app, slug)
    assert campaign.is_hidden and not campaign.is_open and not campaign.can_view(None)
    assert campaign.hidden_note == "Names a private person"
    assert client.get(f"/campaigns/{slug}").status_code == 404
    with app.app_context():
        assert slug not in db.session.scalars(list_query().with_only_columns(Campaign.slug)).all()
    queue = staff.get("/moderation/").get_data(as_text=True)
    assert "Reported campaign" in queue and "Names a private person" in queue
    assert staff.post(f"/moderation/campaigns/{slug}/hide", data=data).status_code == 409
    assert staff.post(f"/moderation/campaigns/{slug}/unhide").status_code == 302
    campaign = get_campaign(app, slug)
    assert campaign.is_open and campaign.hidden_note is None
    assert client.get(f"/campaigns/{slug}").status_code == 200
    assert staff.post(f"/moderation/campaigns/{slug}/unhide").status_code == 409
    actions = [action for action, _ in audit_actions(app, slug)]
    assert actions == ["campaign.hidden", "campaign.unhidden"]


def test_hidden_campaign_can_be_rejected(app, make_user, make_campaign):
    """After hiding, a moderator may reject the campaign outright; it stops for good."""
    slug = make_campaign(status=CampaignStatus.OPEN, hidden_at=utcnow(), hidden_note="spam?")
    staff = moderator(app, make_user, "alice@example.org")
    data = {"reject-reason": "spam", "reject-note": "Advertising."}
    assert staff.post(f"/moderation/campaigns/{slug}/reject", data=data).status_code == 302
    campaign = get_campaign(app, slug)
    assert campaign.status == CampaignStatus.REJECTED and campaign.is_hidden


def test_drafts_cannot_be_hidden(app, make_user, make_campaign):
    """Only published campaigns can be hidden."""
    slug = make_campaign(status=CampaignStatus.DRAFT)
    staff = moderator(app, make_user, "alice@example.org")
    assert (
        staff.post(f"/moderation/campaigns/{slug}/hide", data={"hide-note": "x"}).status_code == 409
    )
    assert get_campaign(app, slug).hidden_at is None


def test_review_page_shows_the_campaign_escaped_except_its_sanitized_body(
    app, make_user, make_campaign
):
    """Titles and decision makers are escaped; the sanitized body is rendered as HTML."""
    slug = make_campaign(
        status=PENDING,
        title="<script>alert('t')</script>",
        body="**Bold** <script>alert('b')</script>",
        decision_makers=[("<img src=x onerror=alert(1)>", "Dean", "USC")],
    )
    page = moderator(app, make_user, "alice@example.org").get(f"/moderation/campaigns/{slug}")
    html = page.get_data(as_text=True)
    assert "<script>alert('t')</script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html
    assert "<strong>Bold</strong>" in html and "<script>alert('b')" not in html
    assert 'name="reject-reason"' in html and 'name="approve-note"' in html


def test_revisions_show_escaped_diffs_newest_first(app, make_user, make_campaign):
    """Each revision is compared with the one before; the text is shown as text."""
    slug = make_campaign(status=CampaignStatus.OPEN)
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        start = utcnow() - timedelta(days=2)
        bodies = ["First line\nSecond line", "First line\n<script>alert(1)</script>"]
        for n, body in enumerate(bodies):
            db.session.add(
                CampaignRevision(
                    campaign_id=campaign.id,
                    editor_id=campaign.owner_id,
                    summary="Same summary",
                    body=body,
                    created_at=start + timedelta(days=n),
                )
            )
        db.session.commit()
    html = moderator(app, make_user, "alice@example.org").get(
        f"/moderation/campaigns/{slug}/revisions"
    )
    text = html.get_data(as_text=True)
    assert html.status_code == 200
    assert "<script>alert(1)</script>" not in text
    assert "+&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "-Second line" in text
    assert text.index("Version 2") < text.index("Version 1")


def test_revision_history_diffs(app, make_campaign):
    """The service pairs each revision with the previous one; the first has no diff."""
    slug = make_campaign(status=CampaignStatus.OPEN)
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        start = utcnow() - timedelta(days=3)
        for n, summary in enumerate(["one", "two", "two"]):
            db.session.add(
                CampaignRevision(
                    campaign_id=campaign.id,
                    summary=summary,
                    body="body",
                    created_at=start + timedelta(days=n),
                )
            )
        db.session.commit()
        history = revision_history(campaign)
        assert [item.number for item in history] == [3, 2, 1]
        assert history[0].summary_diff == [] and history[0].body_diff == []
        assert "-one" in history[1].summary_diff and "+two" in history[1].summary_diff
        assert history[2].is_first
        assert len(revision_history(campaign, limit=2)) == 2
        assert not revision_history(campaign, limit=2)[-1].is_first
