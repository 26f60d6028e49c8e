"""Who may use each victory and response route, walked over HTTP; bad ids are 404s."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from campaigns.extensions import db as _db
from campaigns.models import Campaign, CampaignStatus, Role, VictoryClaim, utcnow
from tests.conftest import login
from tests.outcomes.victory_helpers import EVIDENCE, SUMMARY, VICTORY, add_claim, claims_of

ROLES = ("anonymous", "member", "owner", "co_organizer", "moderator", "admin")
OK, LOGIN = "ok", "login"
OPEN, VICTORY_STATE, HIDDEN, DRAFT = "open", "victory", "hidden", "draft"
RESPONSE = {"responded_at": "2024-03-01", "response": "We will review the policy."}


def row(action, method, path, state, *outcomes, data=None):
    """One action and the outcome each role gets."""
    assert len(outcomes) == len(ROLES)
    return (action, method, path, state, dict(zip(ROLES, outcomes, strict=True)), data or {})


TABLE = [
    row("victories page", "GET", "/victories", OPEN, OK, OK, OK, OK, OK, OK),
    row("victories feed", "GET", "/victories.atom", OPEN, OK, OK, OK, OK, OK, OK),
    row("declare form", "GET", "/campaigns/{slug}/victory", OPEN,
        LOGIN, 403, OK, OK, 403, 403),
    row("declare", "POST", "/campaigns/{slug}/victory", OPEN,
        LOGIN, 403, OK, OK, 403, 403, data=VICTORY),
    row("declare hidden", "POST", "/campaigns/{slug}/victory", HIDDEN,
        LOGIN, 404, 404, 404, 403, 403, data=VICTORY),
    row("declare draft", "POST", "/campaigns/{slug}/victory", DRAFT,
        LOGIN, 404, 409, 409, 403, 403, data=VICTORY),
    row("claims queue", "GET", "/admin/victories", None, LOGIN, 403, 403, 403, 403, OK),
    row("confirm claim", "POST", "/admin/victories/{claim_id}/confirm", OPEN,
        LOGIN, 403, 403, 403, 403, OK),
    row("decline claim", "POST", "/admin/victories/{claim_id}/decline", OPEN,
        LOGIN, 403, 403, 403, 403, OK, data={"d{claim_id}-reason": "No evidence."}),
    row("mark page", "GET", "/admin/campaigns/{slug}/victory", OPEN,
        LOGIN, 403, 403, 403, 403, OK),
    row("mark", "POST", "/admin/campaigns/{slug}/victory", OPEN,
        LOGIN, 403, 403, 403, 403, OK, data=VICTORY),
    row("revoke", "POST", "/admin/campaigns/{slug}/victory/revoke", VICTORY_STATE,
        LOGIN, 403, 403, 403, 403, OK, data={"reason": "Reversed."}),
    row("response form", "GET", "/campaigns/{slug}/decision-makers/{maker_id}/response", OPEN,
        LOGIN, 403, OK, OK, 403, OK),
    row("record response", "POST", "/campaigns/{slug}/decision-makers/{maker_id}/response",
        OPEN, LOGIN, 403, OK, OK, 403, OK, data=RESPONSE),
    row("response on a draft", "GET", "/campaigns/{slug}/decision-makers/{maker_id}/response",
        DRAFT, LOGIN, 404, 409, 409, 403, 409),
    row("response on hidden", "POST", "/campaigns/{slug}/decision-makers/{maker_id}/response",
        HIDDEN, LOGIN, 404, 404, 404, 403, OK, data=RESPONSE),
]  # fmt: skip


@pytest.fixture
def world(app, make_user, make_campaign):
    """Users for every role and a factory for a campaign (with a pending claim if open)."""
    owner, co = make_user(), make_user()
    users = {
        "member": make_user(),
        "owner": owner,
        "co_organizer": co,
        "moderator": make_user(role=Role.MODERATOR),
        "admin": make_user(role=Role.ADMIN),
    }

    def campaign(state):
        fields = {
            OPEN: {"status": CampaignStatus.OPEN},
            VICTORY_STATE: {"status": CampaignStatus.VICTORY, "victory_confirmed_at": utcnow()},
            HIDDEN: {"status": CampaignStatus.OPEN, "hidden_at": utcnow()},
            DRAFT: {"status": CampaignStatus.DRAFT},
        }[state]
        slug = make_campaign(owner=owner, co_organizers=[co], **fields)
        with app.app_context():
            campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
            maker_id = campaign.decision_makers[0].id
        return {"slug": slug, "maker_id": maker_id, "claim_id": add_claim(app, slug, owner)}

    return users, campaign


def outcome(response) -> str | int:
    """Classify a response as ok, a log-in redirect, or a refusal status."""
    location = response.headers.get("Location", "")
    if response.status_code in (302, 303) and "/login" in location:
        return LOGIN
    if response.status_code in (200, 302, 303):
        return OK
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("action", "method", "path", "state", "expected", "data"), TABLE, ids=[r[0] for r in TABLE]
)
def test_victory_authorization_table(
    app, client, world, role, action, method, path, state, expected, data
):
    """Each role gets exactly the outcome the table states for each action."""
    users, campaign = world
    values = campaign(state) if state else {}
    # Declaring and marking need no claim waiting; the queue actions need one.
    if action in ("declare", "mark") and values:
        with app.app_context():
            _db.session.execute(delete(VictoryClaim).where(VictoryClaim.id == values["claim_id"]))
            _db.session.commit()
    if role != "anonymous":
        assert login(client, users[role].email).status_code == 302
    url = path.format(**values)
    form = {key.format(**values): value for key, value in data.items()}
    response = client.get(url) if method == "GET" else client.post(url, data=form)
    assert outcome(response) == expected[role], response.get_data(as_text=True)[:500]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/admin/victories/999999/confirm"),
        ("POST", "/admin/victories/999999/decline"),
        ("POST", "/admin/victories/99999999999999999999/confirm"),
        ("POST", "/admin/victories/-1/confirm"),
        ("GET", "/admin/campaigns/no-such-campaign/victory"),
        ("POST", "/admin/campaigns/no-such-campaign/victory/revoke"),
        ("GET", "/campaigns/no-such-campaign/victory"),
        ("GET", "/campaigns/{slug}/decision-makers/999999/response"),
        ("GET", "/campaigns/{slug}/decision-makers/{other_maker}/response"),
        ("GET", "/campaigns/{slug}/decision-makers/99999999999999999999/response"),
    ],
)
def test_bad_ids_are_404(app, client, make_user, make_campaign, method, path):
    """Unknown claims, campaigns and decision makers (or another campaign's) are 404s."""
    admin = make_user(role=Role.ADMIN)
    slug = make_campaign(owner=admin)
    other = make_campaign()
    with app.app_context():
        other_maker = _db.session.scalar(
            select(Campaign).where(Campaign.slug == other)
        ).decision_makers[0]
        other_maker_id = other_maker.id
    login(client, admin.email)
    url = path.format(slug=slug, other_maker=other_maker_id)
    response = client.get(url) if method == "GET" else client.post(url, data={"reason": "x"})
    assert response.status_code == 404


def test_queue_lists_oldest_first_and_recent_decisions(app, client, make_user, make_campaign):
    """Pending claims oldest first with their facts; decided ones below, with the reason."""
    owner, admin = make_user(name="Olivia"), make_user(role=Role.ADMIN)
    newer = make_campaign(owner=owner, title="Newer claim", signature_count=12)
    older = make_campaign(owner=owner, title="Older claim", signature_count=34)
    decided = make_campaign(owner=owner, title="Declined claim")
    add_claim(app, newer, owner, declared_at=utcnow())
    add_claim(app, older, owner, declared_at=utcnow() - timedelta(days=2))
    declined = add_claim(app, decided, owner)
    login(client, admin.email)
    client.post(f"/admin/victories/{declined}/decline", data={f"d{declined}-reason": "Wrong link"})
    page = client.get("/admin/victories").get_data(as_text=True)
    pending = page.split('id="decided-heading"')[0]
    assert pending.index("Older claim") < pending.index("Newer claim")
    assert "Declined claim" not in pending
    assert "<strong>2</strong> claims waiting" in page and "Olivia" in page and EVIDENCE in page
    recent = page.split('id="decided-heading"')[1]
    assert "Declined claim" in recent and "Wrong link" in recent and "Declined" in recent


def test_failed_decline_keeps_the_queue_and_the_error(app, client, make_user, make_campaign):
    """A decline without a reason shows the queue again, the error on that claim's form."""
    owner, admin = make_user(), make_user(role=Role.ADMIN)
    slug = make_campaign(owner=owner, title="Still waiting")
    claim_id = add_claim(app, slug, owner)
    login(client, admin.email)
    response = client.post(f"/admin/victories/{claim_id}/decline", data={})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Still waiting" in html and f'id="d{claim_id}-reason-error"' in html
    assert claims_of(app, slug)[0].state == "pending"


def test_campaign_page_links_by_role(app, client, make_user, make_campaign):
    """Organizers see 'Declare victory' and response links; admins see mark, queue, revoke."""
    owner, admin = make_user(), make_user(role=Role.ADMIN)
    slug = make_campaign(owner=owner)
    login(client, owner.email)
    page = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    assert f'href="/campaigns/{slug}/victory"' in page
    assert "Record a response from Jo Decider" in page
    assert f'href="/admin/campaigns/{slug}/victory"' not in page
    client.post("/logout")
    login(client, admin.email)
    page = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    assert "Mark as a victory" in page and f'href="/campaigns/{slug}/victory"' not in page
    assert "Record a response from Jo Decider" in page
    add_claim(app, slug, owner)
    page = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    assert 'href="/admin/victories"' in page and "Mark as a victory" not in page
    assert (
        client.get(f"/admin/campaigns/{slug}/victory")
        .get_data(as_text=True)
        .count("confirm or decline it there")
    )
    client.post(f"/admin/victories/{claims_of(app, slug)[0].id}/confirm")
    page = client.get(f"/campaigns/{slug}").get_data(as_text=True)
    assert "Revoke the victory" in page and SUMMARY in page


def test_declare_form_explains_why_not(app, client, make_user, make_campaign):
    """With a claim waiting, the declare page says so instead of showing the form."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    add_claim(app, slug, owner)
    login(client, owner.email)
    page = client.get(f"/campaigns/{slug}/victory")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "already waiting for review" in html and 'name="summary"' not in html
