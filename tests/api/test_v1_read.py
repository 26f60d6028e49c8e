"""The public reads of /api/v1: campaigns, one campaign, its count and updates, victories."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import Campaign, CampaignStatus, Update, UpdateKind, utcnow
from tests.api.v1_helpers import BASE, assert_error


def add_update(app, slug, title, *, published=True, deleted=False, minutes_ago=0) -> int:
    """An update on a campaign; its id."""
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        when = utcnow() - timedelta(minutes=minutes_ago)
        update = Update(
            campaign_id=campaign.id, kind=UpdateKind.NEWS, title=title, body=f"**{title}**",
            body_html=f"<p><strong>{title}</strong></p>", published_at=when if published else None,
            deleted_at=when if deleted else None,
        )  # fmt: skip
        _db.session.add(update)
        _db.session.commit()
        return update.id


def test_list_shows_published_campaigns_only(client, make_campaign):
    """Open, closed and won campaigns are listed; drafts, reviews, rejected and hidden are not."""
    shown = {make_campaign(status=s) for s in ("open", "closed", "victory")}
    for status in ("draft", "pending_review", "rejected"):
        make_campaign(status=CampaignStatus(status))
    make_campaign(hidden_at=utcnow())
    response = client.get(f"{BASE}/campaigns")
    assert response.status_code == 200
    body = response.get_json()
    assert {c["slug"] for c in body["items"]} == shown
    assert body["pagination"]["total"] == 3 and body["pagination"]["next"] is None


def test_list_searches_and_filters(client, make_campaign):
    """q, status and country narrow the list as on the site's campaign list."""
    make_campaign(title="Expel Harvey Weinstein from the Academy", country="US")
    make_campaign(title="Refuse the pledge", country="US", status=CampaignStatus.CLOSED)
    make_campaign(title="Farmworkers' fund", country=None)

    def slugs(query):
        """Titles listed for a query string."""
        return {c["title"] for c in client.get(f"{BASE}/campaigns?{query}").get_json()["items"]}

    assert slugs("q=weinstein") == {"Expel Harvey Weinstein from the Academy"}
    assert slugs("status=closed") == {"Refuse the pledge"}
    assert slugs("country=global") == {"Farmworkers' fund"}
    assert len(slugs("country=US")) == 2


def test_list_pages_with_links(client, make_campaign):
    """per_page splits the list; next and prev links keep the filters."""
    for _ in range(3):
        make_campaign()
    first = client.get(f"{BASE}/campaigns?per_page=2&status=open").get_json()
    assert len(first["items"]) == 2 and first["pagination"]["pages"] == 2
    assert "status=open" in first["pagination"]["next"]
    second = client.get(first["pagination"]["next"]).get_json()
    assert len(second["items"]) == 1 and second["pagination"]["prev"]
    seen = {c["slug"] for c in first["items"] + second["items"]}
    assert len(seen) == 3


@pytest.mark.parametrize(
    "query", ["page=0", "per_page=101", "status=draft", "country=XX", "sort=sideways", "page=x"]
)
def test_list_refuses_bad_filters_with_422(client, query):
    """A bad filter is a validation error naming the parameter, never a 500."""
    error = assert_error(client.get(f"{BASE}/campaigns?{query}"), 422, "validation_error")
    assert query.split("=")[0] in error["details"]["query"]


def test_one_campaign_in_full(client, make_campaign):
    """One campaign: text as Markdown and sanitized HTML, makers, milestones, links, no victory."""
    slug = make_campaign(
        title="Expel him", body="Please **act**.", goal=100, signature_count=40,
        milestones=[(50, "Halfway")],
        decision_makers=[("Dawn Hudson", "CEO", "The Academy")],
    )  # fmt: skip
    response = client.get(f"{BASE}/campaigns/{slug}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["title"] == "Expel him" and body["status"] == "open"
    assert body["body_markdown"] == "Please **act**."
    assert "<strong>act</strong>" in body["body_html"]
    assert body["decision_makers"][0]["organization"] == "The Academy"
    assert body["milestones"] == [{"threshold": 50, "label": "Halfway", "reached_at": None}]
    assert (body["goal"], body["signature_count"], body["next_milestone"]) == (100, 40, 50)
    assert body["victory"] is None and body["published_at"].endswith("+00:00")
    assert body["urls"]["html"] == f"http://localhost/campaigns/{slug}"
    assert body["urls"]["count"] == f"http://localhost{BASE}/campaigns/{slug}/count"


@pytest.mark.parametrize(
    "fields",
    [{"status": CampaignStatus.DRAFT}, {"status": CampaignStatus.PENDING_REVIEW},
     {"status": CampaignStatus.REJECTED}, {"hidden_at": utcnow()}],
)  # fmt: skip
def test_unpublished_and_hidden_campaigns_are_404(client, make_campaign, fields):
    """Nothing the public may not see exists in the API: campaign, count or updates."""
    slug = make_campaign(**fields)
    for suffix in ("", "/count", "/updates"):
        assert_error(client.get(f"{BASE}/campaigns/{slug}{suffix}"), 404, "not_found")


def test_count_is_cacheable_like_count_json(app, client, make_campaign):
    """The count carries count.json's data, public caching and an ETag that answers 304."""
    slug = make_campaign(goal=1000, signature_count=7, milestones=[(10, "Ten")])
    response = client.get(f"{BASE}/campaigns/{slug}/count")
    assert response.status_code == 200
    assert response.get_json() == client.get(f"/campaigns/{slug}/count.json").get_json()
    assert response.get_json()["next_milestone"] == 10
    cache = response.cache_control
    assert cache.public and cache.max_age == app.config["COUNT_INTERVAL_SECONDS"]
    assert cache.stale_while_revalidate == app.config["COUNT_STALE_SECONDS"]
    again = client.get(
        f"{BASE}/campaigns/{slug}/count", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_updates_are_published_undeleted_newest_first(app, client, make_campaign):
    """Only published, undeleted updates, newest first, a page at a time."""
    slug = make_campaign()
    add_update(app, slug, "Older", minutes_ago=10)
    add_update(app, slug, "Newer", minutes_ago=1)
    add_update(app, slug, "Draft", published=False)
    add_update(app, slug, "Deleted", deleted=True)
    body = client.get(f"{BASE}/campaigns/{slug}/updates").get_json()
    assert [u["title"] for u in body["items"]] == ["Newer", "Older"]
    assert body["items"][0]["body_html"] == "<p><strong>Newer</strong></p>"
    paged = client.get(f"{BASE}/campaigns/{slug}/updates?per_page=1&page=2").get_json()
    assert [u["title"] for u in paged["items"]] == ["Older"]


def test_victories_list_confirmed_wins_with_their_record(client, make_campaign):
    """Won campaigns, with the summary, evidence and count at confirmation."""
    slug = make_campaign(
        status=CampaignStatus.VICTORY, victory_summary="USC turned down the pledge.",
        victory_evidence_url="https://example.org/news", victory_confirmed_at=utcnow(),
        victory_signature_count=598,
    )  # fmt: skip
    make_campaign()
    make_campaign(status=CampaignStatus.VICTORY, hidden_at=utcnow())
    body = client.get(f"{BASE}/victories").get_json()
    assert [c["slug"] for c in body["items"]] == [slug]
    victory = body["items"][0]["victory"]
    assert victory["summary"] == "USC turned down the pledge." and victory["signature_count"] == 598
    assert client.get(f"{BASE}/campaigns/{slug}").get_json()["victory"]["evidence_url"]


def test_public_reads_allow_any_origin_and_set_no_cookie(client, make_campaign):
    """Any site may read the public answers (without credentials); no cookie is ever set."""
    slug = make_campaign()
    for path in ("/campaigns", f"/campaigns/{slug}", f"/campaigns/{slug}/count", "/victories",
                 f"/campaigns/{slug}/updates", "/openapi.json", "/campaigns/missing"):  # fmt: skip
        response = client.get(BASE + path, headers={"Origin": "https://other.example"})
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert "Access-Control-Allow-Credentials" not in response.headers
        assert "Set-Cookie" not in response.headers and "Cookie" not in response.vary
