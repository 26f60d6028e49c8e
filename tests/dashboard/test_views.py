"""The dashboard page: who may open it, what it shows, and what it never shows."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import Campaign, CampaignStatus, Role, SignatureState, utcnow
from tests.conftest import count_statements, login
from tests.dashboard.helpers import add, add_paper, seed_mixed, set_count


def url(slug, **query):
    """The dashboard's address."""
    extra = "".join(f"&{k}={v}" for k, v in query.items()).replace("&", "?", 1)
    return f"/campaigns/{slug}/dashboard{extra}"


@pytest.fixture
def people(make_user):
    """An owner, a co-organizer, a member, a moderator and an admin."""
    return {
        "owner": make_user(),
        "co_organizer": make_user(),
        "member": make_user(),
        "moderator": make_user(role=Role.MODERATOR),
        "admin": make_user(role=Role.ADMIN),
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("member", 403),
        ("moderator", 403),
        ("owner", 200),
        ("co_organizer", 200),
        ("admin", 200),
    ],
)
def test_who_may_open_the_dashboard(client, make_campaign, people, who, status):
    """Organizers and admins; members and moderators are refused, guests sent to log in."""
    slug = make_campaign(owner=people["owner"], co_organizers=[people["co_organizer"]])
    if who != "anonymous":
        login(client, people[who].email)
    response = client.get(url(slug))
    assert response.status_code == status
    if who == "anonymous":
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.PENDING_REVIEW,
                                    CampaignStatus.CLOSED, CampaignStatus.REJECTED])  # fmt: skip
def test_unpublished_and_closed_campaigns_work_for_organizers(
    client, make_campaign, people, status
):
    """Drafts, campaigns in review, closed and rejected ones: the organizer sees figures."""
    slug = make_campaign(owner=people["owner"], status=status)
    login(client, people["owner"].email)
    response = client.get(url(slug))
    assert response.status_code == 200
    assert "Downloads" in response.get_data(as_text=True)


def test_hidden_campaign_is_for_staff_only(app, client, make_campaign, people):
    """A hidden campaign 404s to its organizers (as its page does); admins still see it."""
    slug = make_campaign(owner=people["owner"], hidden_at=utcnow())
    login(client, people["owner"].email)
    assert client.get(url(slug)).status_code == 404
    client.post("/logout")
    login(client, people["admin"].email)
    assert client.get(url(slug)).status_code == 200


def test_unknown_campaign_is_404(client, people):
    """No such slug: not found, even for an admin."""
    login(client, people["admin"].email)
    assert client.get(url("no-such-campaign")).status_code == 404


def test_page_shows_every_figure_and_no_email_or_name(app, client, make_campaign, people):
    """Counts, chart, table, countries, sources, milestones and pace; never a signer's details."""
    slug = make_campaign(
        owner=people["owner"], goal=1000, published_at=utcnow() - timedelta(days=60),
        milestones=[(10, "Ten friends"), (500, "Half way")],
    )  # fmt: skip
    seed_mixed(app, slug)
    set_count(app, slug, 21)
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        campaign.milestones[0].reached_at = utcnow()
        _db.session.commit()
    login(client, people["owner"].email)
    response = client.get(url(slug))
    body = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "@example.net" not in body and "Secret Name" not in body
    assert re.search(r"Confirmed \(exact count now\)</dt><dd>21<", body)
    assert re.search(r"Waiting for email confirmation</dt><dd>4<", body)
    assert re.search(r"Held for moderator review</dt><dd>3<", body)
    assert '<svg class="chart"' in body and 'role="img"' in body
    assert body.count('<tr><th scope="row">') >= 30  # the chart's table, one row a day
    assert "Show the figures as a table" in body
    assert re.search(r"United Kingdom</th><td>11</td>", body)
    assert "India" not in body  # only uncounted signatures came from there
    assert re.search(r"Sign form embedded on another site</th><td>5</td>", body)
    assert "Paper signatures (imported)" in body
    assert "Ten friends" in body and "Reached on" in body
    assert "Not yet: 479 to go" in body and "Not yet: 979 to go" in body
    assert "the goal would be reached around" in body
    assert "<progress" in body


def test_ninety_day_window_and_bad_window(client, make_campaign, people):
    """?days=90 shows 90 days; anything else shows 30, never an error."""
    slug = make_campaign(owner=people["owner"])
    login(client, people["owner"].email)
    ninety = client.get(url(slug, days=90)).get_data(as_text=True)
    assert ninety.count('class="chart-bar"') == 90
    for bad in ("abc", "-1", "100000"):
        response = client.get(url(slug, days=bad))
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('class="chart-bar"') == 30


def test_french_locale_formats_names_numbers_and_dates(app, client, make_campaign, people):
    """Country names, numbers and dates follow the viewer's language."""
    slug = make_campaign(owner=people["owner"], goal=5000)
    add(app, slug, n=3, country="DE")
    login(client, people["owner"].email)
    client.post("/language", data={"lang-language": "fr", "lang-next": "/"})
    body = client.get(url(slug)).get_data(as_text=True)
    assert "Allemagne" in body
    assert "5\u202f000" in body or "5\xa0000" in body
    assert re.search(r"\d{1,2} [a-zéû]+\.? \d{4}", body)  # e.g. "3 mars 2024"


def test_paper_signatures_are_shown_apart_with_a_link(app_factory, make_campaign, make_user):
    """Waiting paper rows are not "waiting for email"; their line links to the imports."""
    app = app_factory(DASHBOARD_CACHE_SECONDS=0)
    owner = make_user()
    slug = make_campaign(owner=owner)
    client = app.test_client()
    login(client, owner.email)
    assert "Paper signatures waiting" not in client.get(url(slug)).text
    add(app, slug, n=2, state=SignatureState.PENDING)
    add_paper(app, slug, n=3)
    body = client.get(url(slug)).text
    assert re.search(r"Waiting for email confirmation</dt><dd>2<", body)
    assert re.search(
        rf'<a href="/campaigns/{slug}/imports">Paper signatures waiting for your '
        r"confirmation</a></dt><dd>3<",
        body,
    )


def test_query_count_does_not_grow_with_signatures(app_factory, make_campaign, make_user):
    """The same number of statements for 3 signatures as for 40."""
    app = app_factory(DASHBOARD_CACHE_SECONDS=0)
    owner = make_user()
    slug = make_campaign(owner=owner, milestones=[(10, "Ten")])
    client = app.test_client()
    login(client, owner.email)
    add(app, slug, n=3)
    client.get(url(slug))  # warm up: first-request work is not the page's
    with count_statements(app) as few:
        assert client.get(url(slug)).status_code == 200
    add(app, slug, n=20, country="FR")
    add(app, slug, n=17, days_ago=5, country="DE", suspect=True)
    add_paper(app, slug, n=4)
    with count_statements(app) as many:
        assert client.get(url(slug)).status_code == 200
    assert len(few) == len(many)
    assert len(few) <= 15


def test_cached_page_says_when_its_figures_are_from(app_factory, make_campaign, make_user):
    """With the cache on, the page says the figures' time and how often they refresh."""
    app = app_factory(DASHBOARD_CACHE_SECONDS=60)
    owner = make_user()
    slug = make_campaign(owner=owner)
    client = app.test_client()
    login(client, owner.email)
    body = client.get(url(slug)).get_data(as_text=True)
    assert re.search(
        r"Figures as of \d{1,2}:\d{2}\s?(AM|PM)? UTC; they are refreshed every 60", body
    )


def test_links_to_the_dashboard_by_role(client, make_campaign, people):
    """The organizers' panel links it; admins find it in the staff panel; members do not."""
    slug = make_campaign(owner=people["owner"])
    link = f'href="/campaigns/{slug}/dashboard"'
    login(client, people["member"].email)
    assert link not in client.get(f"/campaigns/{slug}").get_data(as_text=True)
    client.post("/logout")
    login(client, people["owner"].email)
    assert link in client.get(f"/campaigns/{slug}").get_data(as_text=True)
    client.post("/logout")
    login(client, people["admin"].email)
    assert link in client.get(f"/campaigns/{slug}").get_data(as_text=True)


def test_export_link_and_delivery_link(app, client, make_campaign, people):
    """A published campaign's dashboard links the CSV and the delivery document."""
    slug = make_campaign(owner=people["owner"])
    login(client, people["owner"].email)
    body = client.get(url(slug)).get_data(as_text=True)
    assert f"/campaigns/{slug}/signatures.csv" in body
    assert f"/campaigns/{slug}/delivery" in body
    assert "Printable document for the decision maker" in body


ROLES = ("anonymous", "member", "owner", "co_organizer", "moderator", "admin")
STATE_TABLE = {
    # state: anonymous, member, owner, co-organizer, moderator, admin
    CampaignStatus.DRAFT: (302, 404, 200, 200, 403, 200),
    CampaignStatus.PENDING_REVIEW: (302, 404, 200, 200, 403, 200),
    CampaignStatus.CLOSED: (302, 403, 200, 200, 403, 200),
    "hidden": (302, 404, 404, 404, 403, 200),
}


@pytest.mark.parametrize("state", list(STATE_TABLE))
def test_role_table_by_campaign_state(app, make_campaign, people, state):
    """404 for who cannot see the campaign (as its page); 403 for who sees but does not organize."""
    fields = {"hidden_at": utcnow()} if state == "hidden" else {"status": state}
    slug = make_campaign(owner=people["owner"], co_organizers=[people["co_organizer"]], **fields)
    for who, expected in zip(ROLES, STATE_TABLE[state], strict=True):
        client = app.test_client()
        if who != "anonymous":
            login(client, people[who].email)
        assert client.get(url(slug)).status_code == expected, who
