"""Victory and response pages: bad ids are 404s, the queue's content, links by role.

Who may use each route is stated once, in the authorization table (tests/test_authorization.py).
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import Campaign, Role, utcnow
from tests.conftest import login
from tests.outcomes.victory_helpers import EVIDENCE, SUMMARY, add_claim, claims_of


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
