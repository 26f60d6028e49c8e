"""The authorization table of issue 3, walked over HTTP: every role against every action.

Roles: anonymous, member, owner, co-organizer, moderator, admin. Outcomes: "ok" (the action
happened or the page showed), "login" (sent to log in), or the HTTP status refused with.
"""

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import CampaignInvitation, CampaignReport, CampaignStatus, Role, utcnow
from tests.conftest import login

ROLES = ("anonymous", "member", "owner", "co_organizer", "moderator", "admin")
D, P, O, C = (CampaignStatus.DRAFT, CampaignStatus.PENDING_REVIEW, CampaignStatus.OPEN,
              CampaignStatus.CLOSED)  # fmt: skip
OK, LOGIN = "ok", "login"


def row(action, method, path, status, *outcomes, data=None):
    """One action: (name, method, path with {slug}/{id}, campaign status, outcome per role)."""
    assert len(outcomes) == len(ROLES)
    return (action, method, path, status, dict(zip(ROLES, outcomes, strict=True)), data or {})


STORY = {"summary": "S", "body": "B"}
TABLE = [
    #    action                 method  path                                  state
    #                           anonymous member owner co-org moderator admin
    row("view open campaign", "GET", "/campaigns/{slug}", O, OK, OK, OK, OK, OK, OK),
    row("view closed campaign", "GET", "/campaigns/{slug}", C, OK, OK, OK, OK, OK, OK),
    row("view draft", "GET", "/campaigns/{slug}", D, 404, 404, OK, OK, OK, OK),
    row("view pending", "GET", "/campaigns/{slug}", P, 404, 404, OK, OK, OK, OK),
    row("start page", "GET", "/campaigns/new", None, LOGIN, OK, OK, OK, OK, OK),
    row("my campaigns", "GET", "/campaigns/mine", None, LOGIN, OK, OK, OK, OK, OK),
    row("edit draft", "POST", "/campaigns/{slug}/edit/story", D,
        LOGIN, 404, OK, OK, 403, 403, data=STORY),
    row("edit open", "POST", "/campaigns/{slug}/edit/story", O,
        LOGIN, 403, OK, OK, 403, 403, data=STORY),
    row("preview", "GET", "/campaigns/{slug}/preview", D, LOGIN, 404, OK, OK, 403, 403),
    row("submit for review", "POST", "/campaigns/{slug}/submit", D, LOGIN, 404, OK, OK, 403, 403),
    row("withdraw from review", "POST", "/campaigns/{slug}/withdraw", P,
        LOGIN, 404, OK, OK, 403, 403),
    row("close", "POST", "/campaigns/{slug}/close", O, LOGIN, 403, OK, 403, 403, OK),
    row("reopen", "POST", "/campaigns/{slug}/reopen", C, LOGIN, 403, 403, 403, 403, OK),
    row("see organizers", "GET", "/campaigns/{slug}/organizers", O,
        LOGIN, 403, OK, OK, 403, 403),
    row("invite co-organizer", "POST", "/campaigns/{slug}/organizers", O,
        LOGIN, 403, OK, 403, 403, 403, data={"email": "new@example.org"}),
    row("remove co-organizer", "POST", "/campaigns/{slug}/organizers/{co_id}/remove", O,
        LOGIN, 403, OK, OK, 403, 403),
    row("revoke invitation", "POST", "/campaigns/{slug}/invitations/{invitation_id}/revoke", O,
        LOGIN, 403, OK, 403, 403, 403),
]  # fmt: skip


@pytest.fixture
def world(app, make_user, make_campaign):
    """Users for every role and a factory for a campaign in a given state."""
    owner, co = make_user(), make_user()
    users = {
        "member": make_user(),
        "owner": owner,
        "co_organizer": co,
        "moderator": make_user(role=Role.MODERATOR),
        "admin": make_user(role=Role.ADMIN),
    }

    def campaign(status):
        slug = make_campaign(owner=owner, co_organizers=[co], status=status)
        with app.app_context():
            from campaigns.models import Campaign

            campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
            invitation = CampaignInvitation(campaign_id=campaign.id, email="pending@example.org")
            report = CampaignReport(campaign_id=campaign.id, reason="spam", created_at=utcnow())
            _db.session.add_all([invitation, report])
            _db.session.commit()
            ids = {"invitation_id": invitation.id, "report_id": report.id}
        return {"slug": slug, "co_id": co.id, **ids}

    return users, campaign


def outcome(response) -> str | int:
    """Classify a response as ok, a log-in redirect, or a refusal status."""
    location = response.headers.get("Location", "")
    if response.status_code in (301, 302, 303) and "/login" in location:
        return LOGIN
    if response.status_code in (200, 201, 301, 302, 303):
        return OK
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("action", "method", "path", "status", "expected", "data"), TABLE, ids=[r[0] for r in TABLE]
)
def test_authorization_table(
    app, client, world, role, action, method, path, status, expected, data
):
    """Each role gets exactly the outcome the table states for each action."""
    users, campaign = world
    values = campaign(status) if status else {}
    if role != "anonymous":
        assert login(client, users[role].email).status_code == 302
    url = path.format(**values)
    response = client.open(url, method=method, data=data)
    assert outcome(response) == expected[role], (action, role, response.status_code)
