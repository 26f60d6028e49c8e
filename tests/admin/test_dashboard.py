"""The admin dashboard: every queue counted and linked; moderators get theirs on /moderation/."""

import re

import pytest
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    CampaignReport,
    CampaignStatus,
    ClaimState,
    ReportResolution,
    Role,
    SignatureState,
    User,
    VictoryClaim,
    utcnow,
)
from tests.conftest import count_statements
from tests.signatures.moderation_helpers import add_signatures

PENDING = CampaignStatus.PENDING_REVIEW


def campaign_id(app, slug) -> int:
    """The id of the campaign with this slug."""
    with app.app_context():
        return db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))


def add_rows(app, *rows) -> None:
    """Insert rows directly."""
    with app.app_context():
        db.session.add_all(rows)
        db.session.commit()


def queue_count(html: str, label: str) -> int:
    """The number the dashboard shows in the row of the queue with this label."""
    match = re.search(rf">{re.escape(label)}</a></th><td>([\d,]+)</td>", html)
    assert match, label
    return int(match.group(1).replace(",", ""))


def claim(campaign, state=ClaimState.PENDING) -> VictoryClaim:
    """A victory claim on the campaign."""
    return VictoryClaim(
        campaign_id=campaign, state=state, summary="Won", evidence_url="https://example.org/"
    )


def report(campaign, resolved=False) -> CampaignReport:
    """A report on the campaign, open unless resolved."""
    row = CampaignReport(campaign_id=campaign, reason="spam")
    if resolved:
        row.resolved_at, row.resolution = utcnow(), ReportResolution.DISMISSED
    return row


@pytest.fixture
def seeded(app, make_campaign):
    """Two campaigns pending review, one hidden, claims, reports, reasons and suspects."""
    make_campaign(status=PENDING)
    make_campaign(status=PENDING)
    make_campaign(status=CampaignStatus.DRAFT)
    hidden = make_campaign(status=CampaignStatus.OPEN, hidden_at=utcnow(), title="Hidden one")
    flooded = make_campaign(status=CampaignStatus.OPEN, title="Flooded campaign")
    quiet = make_campaign(status=CampaignStatus.OPEN, title="Quiet campaign")
    won = make_campaign(status=CampaignStatus.VICTORY)
    a, b, c = (campaign_id(app, s) for s in (flooded, quiet, hidden))
    add_rows(
        app,
        claim(a),
        claim(b),
        claim(c, ClaimState.DECLINED),
        claim(campaign_id(app, won), ClaimState.CONFIRMED),
        report(a),
        report(a),
        report(b),
        report(b, resolved=True),
    )
    now = utcnow()
    reason = {"reason": "Because", "reason_reports": 1, "reason_reported_at": now}
    add_signatures(app, flooded, {**reason, "n": 2}, {**reason, "reason_hidden_at": now})
    suspect = {"suspect": True}
    add_signatures(
        app,
        flooded,
        {**suspect, "state": SignatureState.PENDING, "n": 3},
        {**suspect, "n": 1},
        {**suspect, "state": SignatureState.INVALIDATED},
        {**suspect, "state": SignatureState.WITHDRAWN, "email": None, "canonical_email": None},
        {"n": 4},
    )
    add_signatures(app, quiet, {**suspect, "n": 2})
    return {"flooded": flooded, "quiet": quiet}


def test_dashboard_counts_each_queue(client, login_as, seeded):
    """Counts match the seeded rows; decided and hidden items are left out."""
    login_as(Role.ADMIN)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert queue_count(html, "Campaigns awaiting review") == 2
    assert queue_count(html, "Hidden campaigns awaiting a decision") == 1
    assert queue_count(html, "Victory claims") == 2
    assert queue_count(html, "Open reports on campaigns") == 3
    assert queue_count(html, "Reported reasons for signing") == 2
    assert queue_count(html, "Suspect signatures") == 6
    for path in ("/moderation/", "/admin/victories", "/moderation/reports", "/moderation/reasons"):
        assert f'href="{path}' in html


def test_dashboard_lists_campaigns_with_suspects_most_first(client, login_as, seeded):
    """Each campaign with suspects links to its signatures page, the busiest first."""
    login_as(Role.ADMIN)
    html = client.get("/admin/").get_data(as_text=True)
    flooded = f'<a href="/moderation/campaigns/{seeded["flooded"]}/signatures">Flooded campaign</a>'
    quiet = f'<a href="/moderation/campaigns/{seeded["quiet"]}/signatures">Quiet campaign</a>'
    assert flooded in html and quiet in html
    assert html.index(flooded) < html.index(quiet)
    assert re.search(r"Flooded campaign</a></td>\s*<td>4</td>", html)


def test_dashboard_totals(app, client, login_as, make_user, seeded):
    """Accounts (and disabled ones), open campaigns and victories."""
    login_as(Role.ADMIN)
    other = make_user()
    with app.app_context():
        db.session.get(User, other.id).disabled_at = utcnow()
        db.session.commit()
        accounts = db.session.scalar(select(db.func.count(User.id)))
    html = client.get("/admin/").get_data(as_text=True)

    def total(label):
        """The number shown under a label in the totals."""
        return int(re.search(rf"<dt>{label}</dt><dd>([\d,]+)</dd>", html).group(1))

    assert total("Accounts") == accounts
    assert total("Disabled accounts") == 1
    assert total("Open campaigns") == 3  # the hidden one is still open
    assert total("Victories") == 1


def test_dashboard_queries_do_not_grow_with_campaigns(app, client, login_as, make_campaign):
    """The number of statements stays the same with one or five campaigns holding suspects."""
    login_as(Role.ADMIN)

    def statements_with_suspects_on(n):
        """Add n campaigns with a suspect each, then count the dashboard's statements."""
        for _ in range(n):
            add_signatures(app, make_campaign(), {"suspect": True})
        with count_statements(app) as statements:
            assert client.get("/admin/").status_code == 200
        return len(statements)

    assert statements_with_suspects_on(1) == statements_with_suspects_on(4)


@pytest.mark.parametrize(
    ("role", "expected"), [(None, 302), (Role.MEMBER, 403), (Role.MODERATOR, 403)]
)
def test_only_admins_reach_the_dashboard(client, login_as, role, expected):
    """Anonymous visitors are sent to log in; members and moderators are refused."""
    if role is not None:
        login_as(role)
    response = client.get("/admin/")
    assert response.status_code == expected
    if role is None:
        assert "/login" in response.headers["Location"]


def test_moderators_see_their_queues_with_counts(client, login_as, seeded):
    """The moderation page counts every moderator queue and lists campaigns with suspects."""
    login_as(Role.MODERATOR)
    html = client.get("/moderation/").get_data(as_text=True)
    assert "<strong>2</strong> awaiting review" in html
    assert "<strong>1</strong> hidden pending a decision" in html
    assert "<strong>3</strong> open reports" in html
    assert "<strong>2</strong> reported reasons" in html
    assert "<strong>6</strong> suspect signatures" in html
    assert f'href="/moderation/campaigns/{seeded["flooded"]}/signatures"' in html
    # Victory claims are the admins' queue, not the moderators'.
    assert "/admin/victories" not in html and 'href="/admin/"' not in html


def test_admin_navigation_leads_to_the_dashboard(client, login_as):
    """Admins get one Admin link; from the dashboard accounts, audit and categories are reached."""
    login_as(Role.ADMIN)
    nav = client.get("/account/").get_data(as_text=True)
    assert 'href="/admin/"' in nav and 'href="/moderation/"' in nav
    html = client.get("/admin/").get_data(as_text=True)
    for path in ("/admin/users", "/admin/audit", "/admin/categories"):
        assert f'href="{path}"' in html
