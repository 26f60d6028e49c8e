"""Posting, editing and deleting updates; kinds, sanitizing, the audit log and the email cap."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.core.services import RuleError
from campaigns.extensions import db as _db
from campaigns.models import Campaign, CampaignStatus, Update, UpdateKind, User, utcnow
from campaigns.outcomes import updates as services
from tests.conftest import login
from tests.outcomes.update_helpers import (
    audit_events,
    jobs_submitted,
    post_update,
    updates_of,
)


@pytest.fixture
def organizer(make_user):
    """The owner of the campaign under test."""
    return make_user(name="Olivia Organizer")


@pytest.fixture
def slug(make_campaign, organizer):
    """An open campaign owned by `organizer`."""
    return make_campaign(owner=organizer, title="Turn down the pledge")


def test_posting_shows_the_update_newest_first_and_audits_it(app, client, organizer, slug):
    """An organizer posts two updates; both show, newest first, each audited."""
    login(client, organizer.email)
    assert client.get(f"/campaigns/{slug}/updates/new").status_code == 200
    first = post_update(client, slug, title="We delivered the petition", kind="news")
    assert first.status_code == 302
    assert "/updates#update-" in first.headers["Location"]
    second = post_update(client, slug, title="The board answered", kind="response")
    assert second.status_code == 302
    page = client.get(f"/campaigns/{slug}").text
    assert page.index("The board answered") < page.index("We delivered the petition")
    assert "Decision-maker response" in page and "News" in page
    rows = updates_of(app, slug)
    assert [r.kind for r in rows] == [UpdateKind.NEWS, UpdateKind.RESPONSE]
    assert all(r.published_at is not None and r.emailed_at is None for r in rows)
    assert f'id="update-{rows[0].id}"' in page
    posted = audit_events(app, "update.posted")
    assert [e.target_id for e in posted] == [str(r.id) for r in rows]
    assert posted[0].actor_id == organizer.id and posted[0].details["emailed"] is False
    assert jobs_submitted(app) == []  # nothing to email


@pytest.mark.parametrize("kind", ["news", "response", "outcome"])
def test_each_organizer_kind_is_accepted(app, client, organizer, slug, kind):
    """The three kinds offered to organizers are stored as chosen."""
    login(client, organizer.email)
    assert post_update(client, slug, kind=kind).status_code == 302
    assert updates_of(app, slug)[0].kind == UpdateKind(kind)


def test_markdown_is_rendered_and_sanitized(app, client, organizer, slug):
    """Markdown becomes HTML; scripts and javascript: links do not come out anywhere."""
    login(client, organizer.email)
    body = "**Bold** news\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))"
    assert (
        post_update(client, slug, title="<script>alert(3)</script>", body=body).status_code == 302
    )
    row = updates_of(app, slug)[0]
    assert "<strong>Bold</strong>" in row.body_html and "<script>" not in row.body_html
    pages = [client.get(f"/campaigns/{slug}").text, client.get(f"/campaigns/{slug}/updates").text]
    pages.append(client.get(f"/campaigns/{slug}/updates.atom").text)
    for page in pages:
        assert "<script>alert" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;alert(3)" in pages[0]  # the title shown as text


def test_editing_keeps_the_previous_text_in_the_audit_log(app, client, organizer, slug):
    """Edits change the update, set updated_at and record what it said before."""
    login(client, organizer.email)
    post_update(client, slug, title="Old title", body="Old body")
    row = updates_of(app, slug)[0]
    form = client.get(f"/campaigns/{slug}/updates/{row.id}/edit")
    assert form.status_code == 200 and "Old body" in form.text
    response = client.post(
        f"/campaigns/{slug}/updates/{row.id}/edit",
        data={"title": "New title", "body": "New *body*", "kind": "outcome"},
    )
    assert response.status_code == 302
    row = updates_of(app, slug)[0]
    assert (row.title, row.kind, row.updated_at is not None) == ("New title", "outcome", True)
    assert "<em>body</em>" in row.body_html
    (event,) = audit_events(app, "update.edited")
    assert event.actor_id == organizer.id and event.target_id == str(row.id)
    assert event.details["previous_title"] == "Old title"
    assert event.details["previous_body"] == "Old body"
    page = client.get(f"/campaigns/{slug}").text
    assert "New title" in page and "Old title" not in page and "edited" in page


def test_saving_an_unchanged_update_records_no_edit(app, client, organizer, slug):
    """Saving the form as it came leaves updated_at empty and the audit log alone."""
    login(client, organizer.email)
    post_update(client, slug, title="Same", body="Same body", kind="news")
    row = updates_of(app, slug)[0]
    data = {"title": "Same", "body": "Same body", "kind": "news"}
    assert client.post(f"/campaigns/{slug}/updates/{row.id}/edit", data=data).status_code == 302
    assert updates_of(app, slug)[0].updated_at is None
    assert audit_events(app, "update.edited") == []


def test_deleted_updates_leave_page_updates_page_and_feed(app, client, organizer, slug):
    """Deleting hides the update everywhere, keeps the row and audits the title."""
    login(client, organizer.email)
    post_update(client, slug, title="Kept update")
    post_update(client, slug, title="Mistaken update")
    mistaken = updates_of(app, slug)[1]
    response = client.post(f"/campaigns/{slug}/updates/{mistaken.id}/delete")
    assert response.status_code == 302
    for path in ("", "/updates", "/updates.atom"):
        text = client.get(f"/campaigns/{slug}{path}").text
        assert "Kept update" in text and "Mistaken update" not in text, path
    assert updates_of(app, slug)[1].deleted_at is not None
    (event,) = audit_events(app, "update.deleted")
    assert event.details["title"] == "Mistaken update" and event.actor_id == organizer.id
    # A deleted update can be neither edited nor deleted again.
    assert client.get(f"/campaigns/{slug}/updates/{mistaken.id}/edit").status_code == 404
    assert client.post(f"/campaigns/{slug}/updates/{mistaken.id}/delete").status_code == 404


def test_emailing_sets_emailed_at_and_requests_the_fan_out_job(app, client, organizer, slug):
    """Ticking the box stamps emailed_at and asks for send_update_emails after commit."""
    login(client, organizer.email)
    form = client.get(f"/campaigns/{slug}/updates/new").text
    assert "3 emails left this week" in form and "signers who agreed" in form
    response = post_update(client, slug, email_signers="y")
    assert response.status_code == 302
    row = updates_of(app, slug)[0]
    assert row.emailed_at is not None and row.emailed_at == row.published_at
    assert jobs_submitted(app) == ["send_update_emails"]
    assert audit_events(app, "update.posted")[0].details["emailed"] is True
    assert "2 emails left this week" in client.get(f"/campaigns/{slug}/updates/new").text


def _age_emails(app, slug, days):
    """Move every emailed_at of the campaign back by `days`."""
    with app.app_context():
        rows = _db.session.scalars(select(Update).join(Campaign).where(Campaign.slug == slug))
        for row in rows:
            if row.emailed_at is not None:
                row.emailed_at = row.emailed_at - timedelta(days=days)
        _db.session.commit()


def test_weekly_cap_refuses_the_next_email_but_not_posting(app, client, organizer, slug):
    """After the weekly number of emails, email is refused (4xx, clear); plain posts still work."""
    login(client, organizer.email)
    for n in range(3):
        assert post_update(client, slug, title=f"Emailed {n}", email_signers="y").status_code == 302
    refused = post_update(client, slug, title="One too many", email_signers="y")
    assert refused.status_code == 429
    assert "at most 3 times in 7 days" in refused.text and "next email can go out" in refused.text
    assert "One too many" in refused.text  # the form keeps what was typed
    assert len(updates_of(app, slug)) == 3
    assert jobs_submitted(app) == ["send_update_emails"] * 3
    form = client.get(f"/campaigns/{slug}/updates/new").text
    assert "No emails to signers left this week" in form
    assert re.search(r'<input[^>]*disabled[^>]*name="email_signers"', form)
    assert post_update(client, slug, title="Not emailed").status_code == 302
    _age_emails(app, slug, 7)
    assert post_update(client, slug, title="A week later", email_signers="y").status_code == 302
    assert len(jobs_submitted(app)) == 4


def test_the_cap_follows_the_setting_and_counts_deleted_updates(app_factory, make_user):
    """UPDATE_EMAILS_PER_WEEK sets the cap; a deleted emailed update still used its slot."""
    app = app_factory(UPDATE_EMAILS_PER_WEEK=1)
    owner = make_user()
    with app.test_request_context():
        actor = _db.session.get(User, owner.id)
        campaign = Campaign(
            slug="cap", title="Cap", status=CampaignStatus.OPEN, owner_id=owner.id, goal=10
        )
        _db.session.add(campaign)
        _db.session.flush()
        now = utcnow()
        assert services.emails_left_this_week(campaign, now) == 1
        first = services.post_update(
            actor, campaign, title="T", body="B", kind="news", email_signers=True, now=now
        )
        services.delete_update(actor, first)
        assert services.emails_left_this_week(campaign, now) == 0
        with pytest.raises(RuleError) as refused:
            services.post_update(
                actor, campaign, title="T", body="B", kind="news", email_signers=True, now=now
            )
        assert refused.value.field == "email_signers" and 400 <= refused.value.status < 500
        assert "at most 1 time in 7 days" in refused.value.message
        later = now + timedelta(days=7, seconds=1)
        assert services.emails_left_this_week(campaign, later) == 1
        again = services.post_update(
            actor, campaign, title="T", body="B", kind="news", email_signers=True, now=later
        )
        assert again.emailed_at == later
        _db.session.rollback()


def test_the_next_email_time_is_when_the_oldest_counted_email_leaves_the_week(app, make_user):
    """With three emails on days 0, 2 and 4, the fourth is possible on day 7."""
    owner = make_user()
    with app.test_request_context():
        actor = _db.session.get(User, owner.id)
        campaign = Campaign(slug="c", title="C", status=CampaignStatus.OPEN, owner_id=owner.id)
        _db.session.add(campaign)
        _db.session.flush()
        start = utcnow()
        for day in (0, 2, 4):
            services.post_update(
                actor, campaign, title="T", body="B", kind="news", email_signers=True,
                now=start + timedelta(days=day),
            )  # fmt: skip
        left, limit, next_at = services.email_allowance(campaign, start + timedelta(days=5))
        assert (left, limit, next_at) == (0, 3, start + timedelta(days=7))
        assert services.emails_left_this_week(campaign, start + timedelta(days=7, seconds=1)) == 1
        _db.session.rollback()


@pytest.mark.parametrize("status", [CampaignStatus.CLOSED, CampaignStatus.VICTORY])
def test_closed_and_won_campaigns_still_take_updates(app, client, make_campaign, organizer, status):
    """Organizers report what happened after signing closed."""
    slug = make_campaign(owner=organizer, status=status)
    login(client, organizer.email)
    assert post_update(client, slug, kind="outcome").status_code == 302
    assert len(updates_of(app, slug)) == 1


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.PENDING_REVIEW])
def test_unpublished_campaigns_take_no_updates(app, client, make_campaign, organizer, status):
    """Drafts and campaigns in review refuse updates with a clear 409."""
    slug = make_campaign(owner=organizer, status=status)
    login(client, organizer.email)
    response = post_update(client, slug)
    assert response.status_code == 409 and "once the campaign is published" in response.text
    assert client.get(f"/campaigns/{slug}/updates/new").status_code == 409
    assert updates_of(app, slug) == []


def test_hidden_campaigns_take_no_updates_from_organizers(app, client, make_campaign, organizer):
    """An organizer cannot even see a hidden campaign; the service refuses too."""
    slug = make_campaign(owner=organizer, hidden_at=utcnow())
    login(client, organizer.email)
    assert post_update(client, slug).status_code == 404
    with app.test_request_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        actor = _db.session.get(User, organizer.id)
        with pytest.raises(RuleError) as refused:
            services.post_update(
                actor, campaign, title="T", body="B", kind="news", email_signers=False
            )
        assert refused.value.status == 409


def test_milestone_updates_keep_their_kind_when_edited(app, client, organizer, slug):
    """A platform-written milestone update may be edited without losing its kind."""
    with app.app_context():
        cid = _db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        _db.session.add(Update(
            campaign_id=cid, kind=UpdateKind.MILESTONE, title="1,000 signatures", body="B",
            body_html="<p>B</p>", published_at=utcnow(),
        ))  # fmt: skip
        _db.session.commit()
    row = updates_of(app, slug)[0]
    login(client, organizer.email)
    url = f"/campaigns/{slug}/updates/{row.id}/edit"
    data = {"title": "A thousand of us", "body": "Thanks", "kind": "milestone"}
    assert client.post(url, data=data).status_code == 302
    assert updates_of(app, slug)[0].kind == UpdateKind.MILESTONE
    # ...but organizers cannot post a new one as a milestone.
    assert post_update(client, slug, kind="milestone").status_code == 422
