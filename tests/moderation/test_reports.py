"""Reporting a campaign, and moderators dealing with the reports."""

import pytest
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import (
    AuditEvent,
    CampaignReport,
    CampaignStatus,
    ReportResolution,
    Role,
    utcnow,
)
from campaigns.moderation.reports import DETAILS_MAX
from tests.conftest import get_campaign, login


def reports(app) -> list[CampaignReport]:
    """Every report, oldest first, detached."""
    with app.app_context():
        rows = db.session.scalars(select(CampaignReport).order_by(CampaignReport.id)).all()
        db.session.expunge_all()
        return rows


def file_report(client, slug, reason="spam", details=""):
    """Post the public report form."""
    return client.post(f"/campaigns/{slug}/report", data={"reason": reason, "details": details})


def test_anonymous_visitor_reports_a_campaign(app, client, make_campaign):
    """The form is open to everyone; afterwards the visitor goes back to the campaign page."""
    slug = make_campaign(status=CampaignStatus.OPEN, title="Expel him")
    page = client.get(f"/campaigns/{slug}/report")
    assert page.status_code == 200 and "Expel him" in page.get_data(as_text=True)
    response = file_report(client, slug, "private_person", "  Names my neighbour.  ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/campaigns/{slug}")
    (report,) = reports(app)
    assert report.reporter_id is None and report.reason == "private_person"
    assert report.details == "Names my neighbour." and report.resolved_at is None
    assert report.campaign_id == get_campaign(app, slug).id


def test_signed_in_member_report_keeps_who_sent_it(app, client, login_as, make_campaign):
    """A signed-in reporter is recorded, for moderators only."""
    user = login_as(Role.MEMBER)
    slug = make_campaign(status=CampaignStatus.CLOSED)
    assert file_report(client, slug, "misleading").status_code == 302
    assert reports(app)[0].reporter_id == user.id


@pytest.mark.parametrize(
    "fields",
    [
        {"status": CampaignStatus.DRAFT},
        {"status": CampaignStatus.PENDING_REVIEW},
        {"status": CampaignStatus.REJECTED},
        {"status": CampaignStatus.OPEN, "hidden_at": utcnow()},
    ],
)
def test_campaigns_the_visitor_cannot_see_are_404(app, client, make_campaign, fields):
    """Unpublished and hidden campaigns cannot be reported (nor their existence probed)."""
    slug = make_campaign(**fields)
    assert client.get(f"/campaigns/{slug}/report").status_code == 404
    assert file_report(client, slug).status_code == 404
    assert client.get("/campaigns/no-such-campaign/report").status_code == 404
    assert reports(app) == []


def test_organizer_cannot_report_their_own_draft(app, client, make_user, make_campaign):
    """Organizers can see their drafts, but only published campaigns take reports."""
    owner = make_user("owner@example.org")
    slug = make_campaign(status=CampaignStatus.DRAFT, owner=owner)
    login(client, owner.email)
    assert file_report(client, slug).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"reason": "boring"},
        {"reason": ""},
        {"details": "no reason"},
        {"reason": "spam", "details": "x" * (DETAILS_MAX + 1)},
    ],
)
def test_bad_report_input_is_a_400(app, client, make_campaign, data):
    """Unknown or missing reasons and overlong details are refused and nothing is saved."""
    slug = make_campaign(status=CampaignStatus.OPEN)
    response = client.post(f"/campaigns/{slug}/report", data=data)
    assert response.status_code == 400
    assert reports(app) == []


def test_details_at_the_limit_are_accepted(app, client, make_campaign):
    """Exactly DETAILS_MAX characters is fine."""
    slug = make_campaign(status=CampaignStatus.OPEN)
    assert file_report(client, slug, "other", "y" * DETAILS_MAX).status_code == 302
    assert len(reports(app)[0].details) == DETAILS_MAX


def test_reports_are_rate_limited_per_address(app_factory, make_campaign):
    """REPORT_LIMIT caps reports from one address; reading the form is not limited."""
    app = app_factory(RATELIMIT_ENABLED=True, REPORT_LIMIT="2 per hour")
    slug = make_campaign(status=CampaignStatus.OPEN)
    client = app.test_client()
    codes = [file_report(client, slug).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert client.get(f"/campaigns/{slug}/report").status_code == 200
    other = app.test_client()
    other_address = {"REMOTE_ADDR": "10.9.8.7"}
    response = other.post(
        f"/campaigns/{slug}/report", data={"reason": "spam"}, environ_base=other_address
    )
    assert response.status_code == 302
    assert len(reports(app)) == 3


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 302), (Role.MEMBER, 403), (Role.MODERATOR, 302)]
)
def test_resolving_needs_a_moderator(app, client, login_as, make_campaign, role, expected):
    """Only moderators resolve reports."""
    slug = make_campaign(status=CampaignStatus.OPEN)
    file_report(app.test_client(), slug)
    if role is not None:
        login_as(role)
    report_id = reports(app)[0].id
    data = {f"r{report_id}-resolution": "dismissed"}
    response = client.post(f"/moderation/reports/{report_id}/resolve", data=data)
    assert response.status_code == expected
    assert (reports(app)[0].resolved_at is not None) is (role == Role.MODERATOR)


def test_reports_page_groups_per_campaign_and_escapes_details(app, client, login_as, make_campaign):
    """One group per campaign with its count; reporters' text is shown as text."""
    first = make_campaign(status=CampaignStatus.OPEN, title="Campaign A")
    second = make_campaign(status=CampaignStatus.OPEN, title="Campaign B")
    public = app.test_client()
    file_report(public, first, "spam", "<script>alert(1)</script>")
    file_report(public, first, "libellous")
    file_report(public, second, "harassment")
    login_as(Role.MODERATOR)
    html = client.get("/moderation/reports").get_data(as_text=True)
    assert html.index("Campaign A") < html.index("Campaign B")
    assert "2 reports" in html and "1 report" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "Libellous or about a court case" in html
    queue = client.get("/moderation/").get_data(as_text=True)
    assert "<strong>3</strong> open reports" in queue


def test_dismissing_covers_the_reports_read_and_no_later_ones(app, client, login_as, make_campaign):
    """Resolving up to report N leaves a report filed after N open; the decision is audited."""
    slug = make_campaign(status=CampaignStatus.OPEN)
    public = app.test_client()
    file_report(public, slug, "spam")
    file_report(public, slug, "other")
    newest_read = reports(app)[-1].id
    file_report(public, slug, "misleading")
    moderator = login_as(Role.MODERATOR)
    data = {f"r{newest_read}-resolution": "dismissed"}
    response = client.post(f"/moderation/reports/{newest_read}/resolve", data=data)
    assert response.status_code == 302
    rows = reports(app)
    assert [r.resolution for r in rows] == [
        ReportResolution.DISMISSED,
        ReportResolution.DISMISSED,
        None,
    ]
    assert rows[0].resolved_by_id == moderator.id
    assert not get_campaign(app, slug).is_hidden
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
        assert event.action == "campaign.reports_resolved"
        assert event.details == {"resolution": "dismissed", "reports": [rows[0].id, rows[1].id]}
    again = client.post(f"/moderation/reports/{newest_read}/resolve", data=data)
    assert again.status_code == 409


def test_resolving_as_hidden_hides_the_campaign(app, client, login_as, make_campaign):
    """The hidden resolution takes the campaign out of public view, with the note given."""
    slug = make_campaign(status=CampaignStatus.OPEN)
    file_report(app.test_client(), slug, "private_person")
    report_id = reports(app)[0].id
    login_as(Role.MODERATOR)
    data = {f"r{report_id}-resolution": "hidden", f"r{report_id}-note": "Checking the names."}
    assert client.post(f"/moderation/reports/{report_id}/resolve", data=data).status_code == 302
    campaign = get_campaign(app, slug)
    assert campaign.is_hidden and campaign.hidden_note == "Checking the names."
    assert app.test_client().get(f"/campaigns/{slug}").status_code == 404
    assert reports(app)[0].resolution == ReportResolution.HIDDEN
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["campaign.hidden", "campaign.reports_resolved"]


@pytest.mark.parametrize(
    "data",
    [{}, {"r{id}-resolution": "deleted"}, {"r{id}-resolution": "hidden", "r{id}-note": "n" * 501}],
)
def test_bad_resolution_input_is_a_400(app, client, login_as, make_campaign, data):
    """Unknown decisions and overlong notes are refused; the report stays open."""
    slug = make_campaign(status=CampaignStatus.OPEN)
    file_report(app.test_client(), slug)
    report_id = reports(app)[0].id
    login_as(Role.MODERATOR)
    data = {key.format(id=report_id): value for key, value in data.items()}
    response = client.post(f"/moderation/reports/{report_id}/resolve", data=data)
    assert response.status_code == 400
    assert reports(app)[0].resolved_at is None
    assert client.post("/moderation/reports/999999/resolve", data=data).status_code == 404
