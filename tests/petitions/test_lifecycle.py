"""Closing: by the owner, by an admin, at the deadline by a job; reopening by an admin."""

from datetime import timedelta

import pytest
from sqlalchemy import select

import campaigns.models
from campaigns.extensions import db as _db
from campaigns.jobs.tasks import TASKS, periodic_jobs
from campaigns.models import AuditEvent, CampaignStatus, Role, utcnow
from tests.conftest import get_campaign, login


def test_owner_closes_and_admin_reopens(app, client, login_as, make_campaign, make_user):
    """The owner closes; the page stays readable; an admin reopens it."""
    owner = login_as()
    slug = make_campaign(owner=owner)
    assert client.post(f"/campaigns/{slug}/close").status_code == 302
    campaign = get_campaign(app, slug)
    assert campaign.status == CampaignStatus.CLOSED and campaign.closed_at is not None
    page = client.get(f"/campaigns/{slug}")
    assert page.status_code == 200 and "no longer takes signatures" in page.text
    assert client.post(f"/campaigns/{slug}/close").status_code == 409
    assert client.post(f"/campaigns/{slug}/reopen").status_code == 403
    client.post("/logout")
    login_as(Role.ADMIN)
    assert client.post(f"/campaigns/{slug}/reopen").status_code == 302
    assert get_campaign(app, slug).status == CampaignStatus.OPEN
    with app.app_context():
        actions = _db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["campaign.closed", "campaign.reopened"]


def test_co_organizers_and_moderators_cannot_close(app, client, login_as, make_campaign, make_user):
    """Only the owner or an admin closes a campaign."""
    co = make_user()
    slug = make_campaign(co_organizers=[co])
    login(client, co.email)
    assert client.post(f"/campaigns/{slug}/close").status_code == 403
    client.post("/logout")
    login_as(Role.MODERATOR)
    assert client.post(f"/campaigns/{slug}/close").status_code == 403
    assert get_campaign(app, slug).status == CampaignStatus.OPEN


def test_deadline_job_closes_expired_campaigns_without_visitors(app, make_campaign, monkeypatch):
    """Move the clock past the deadline: the scheduled job closes the campaign."""
    deadline = utcnow() + timedelta(days=3)
    expiring = make_campaign(deadline=deadline)
    later = make_campaign(deadline=deadline + timedelta(days=30))
    endless = make_campaign()
    assert ("close_expired", 60) in periodic_jobs(app.config)
    with app.app_context():
        assert TASKS["close_expired"]() == []
        monkeypatch.setattr(campaigns.models, "utcnow", lambda: deadline + timedelta(seconds=1))
        assert TASKS["close_expired"]() == [expiring]
        assert TASKS["close_expired"]() == []
        event = _db.session.scalar(select(AuditEvent))
        assert event.actor_id is None and event.details["reason"] == "deadline"
    assert get_campaign(app, expiring).status == CampaignStatus.CLOSED
    assert get_campaign(app, later).status == CampaignStatus.OPEN
    assert get_campaign(app, endless).status == CampaignStatus.OPEN


@pytest.mark.parametrize("past", [True, False])
def test_reopening_clears_a_passed_deadline(app, client, login_as, make_campaign, past):
    """A reopened campaign would close again at once if its deadline had passed."""
    deadline = utcnow() + timedelta(days=-1 if past else 10)
    slug = make_campaign(status=CampaignStatus.CLOSED, deadline=deadline)
    login_as(Role.ADMIN)
    assert client.post(f"/campaigns/{slug}/reopen").status_code == 302
    assert (get_campaign(app, slug).deadline is None) is past
