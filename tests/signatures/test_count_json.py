"""count.json: its shape, its caching headers, its cost, and the page that polls it."""

import re
from datetime import UTC, datetime

import pytest

from campaigns.models import CampaignStatus, utcnow
from campaigns.signatures import counting
from tests.conftest import count_statements, get_campaign
from tests.signatures.test_sign_views import deltas


def url(slug: str) -> str:
    """The count endpoint of a campaign."""
    return f"/campaigns/{slug}/count.json"


def test_shape_and_caching_headers(client, make_campaign):
    """Exactly the documented keys; public caching tied to the aggregation interval; an ETag."""
    published = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    slug = make_campaign(goal=1000, signature_count=42, published_at=published,
                         milestones=[(10, "ten"), (100, "a hundred")])  # fmt: skip
    response = client.get(url(slug))
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json == {
        "slug": slug, "signature_count": 42, "goal": 1000, "next_milestone": 100,
        "status": "open", "updated_at": "2025-03-01T12:00:00+00:00",
    }  # fmt: skip
    assert response.headers["Cache-Control"] == "public, max-age=1, stale-while-revalidate=30"
    assert re.fullmatch(r'"[0-9a-f]{40}"', response.headers["ETag"])


def test_cache_settings_come_from_config(app_factory, make_campaign):
    """max-age is COUNT_INTERVAL_SECONDS, stale-while-revalidate COUNT_STALE_SECONDS."""
    app = app_factory(COUNT_INTERVAL_SECONDS=2, COUNT_STALE_SECONDS=15)
    slug = make_campaign()
    cache = app.test_client().get(url(slug)).headers["Cache-Control"]
    assert cache == "public, max-age=2, stale-while-revalidate=15"


def test_conditional_get_answers_304(client, make_campaign):
    """A client holding the current ETag gets an empty 304."""
    slug = make_campaign()
    etag = client.get(url(slug)).headers["ETag"]
    again = client.get(url(slug), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get(url(slug), headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200


def test_it_never_touches_the_session_even_for_members(app, client, login_as, make_campaign):
    """One SELECT, no user lookup, no Vary: Cookie and no Set-Cookie: shareable by caches."""
    login_as()
    slug = make_campaign()
    client.get(url(slug))  # warm up
    with count_statements(app) as statements:
        response = client.get(url(slug))
    assert response.status_code == 200
    assert len(statements) == 1 and statements[0].lstrip().upper().startswith("SELECT")
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers
    # The rest of the site still varies by cookie, so the exemption is targeted.
    assert "Cookie" in client.get(f"/campaigns/{slug}").headers.get("Vary", "")


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, 10), (10, 100), (99, 100), (100, 1000), (999, 1000), (1000, None), (5000, None)],
)
def test_next_milestone_is_the_nearest_threshold_or_goal_ahead(
    client, make_campaign, count, expected
):
    """Milestones and the goal are both targets; nothing is ahead once all are passed."""
    slug = make_campaign(goal=1000, signature_count=count,
                         milestones=[(10, "ten"), (100, "a hundred")])  # fmt: skip
    assert client.get(url(slug)).json["next_milestone"] == expected


@pytest.mark.parametrize(
    "fields",
    [
        {"status": CampaignStatus.DRAFT},
        {"status": CampaignStatus.PENDING_REVIEW},
        {"status": CampaignStatus.REJECTED},
        {"status": CampaignStatus.OPEN, "hidden_at": utcnow()},
    ],
)
def test_unpublished_or_hidden_campaigns_are_404_json(client, make_campaign, fields):
    """Only public campaigns have a public count."""
    slug = make_campaign(**fields)
    response = client.get(url(slug))
    assert response.status_code == 404 and response.json == {"error": "not found"}
    assert client.get(url("no-such-campaign")).status_code == 404


@pytest.mark.parametrize("status", [CampaignStatus.CLOSED, CampaignStatus.VICTORY])
def test_closed_and_won_campaigns_still_answer(client, make_campaign, status):
    """A finished campaign keeps its public count."""
    slug = make_campaign(status=status, signature_count=7)
    body = client.get(url(slug)).json
    assert body["status"] == status.value and body["signature_count"] == 7


def test_the_number_rises_after_aggregation(app, client, login_as, make_campaign):
    """A member's signature shows in count.json once the aggregator ran, with a new ETag."""
    slug = make_campaign()
    before = client.get(url(slug))
    assert before.json["signature_count"] == 0
    login_as()
    client.post(f"/campaigns/{slug}/sign", data={"country": "GB"})
    assert deltas(app) == [1]
    assert client.get(url(slug)).json["signature_count"] == 0  # not yet aggregated
    with app.app_context():
        counting.aggregate()
    after = client.get(url(slug))
    assert after.json["signature_count"] == 1
    assert after.headers["ETag"] != before.headers["ETag"]
    stamped = get_campaign(app, slug).count_updated_at
    assert after.json["updated_at"] == stamped.isoformat()


def test_the_page_polls_it_without_inline_script(client, make_campaign):
    """Open campaigns load count.js and expose the URL and the parts to update."""
    slug = make_campaign(goal=1000, signature_count=150, milestones=[(500, "half")])
    page = client.get(f"/campaigns/{slug}").text
    assert f'data-count-url="{url(slug)}"' in page
    assert '<script src="/static/js/count.js" defer></script>' in page
    assert "<script>" not in page and "onclick" not in page
    assert 'aria-live="polite" data-count-announce' in page
    assert "data-count-progress" in page and 'value="150"' in page
    assert "15% of the goal of 1,000" in page and "Next milestone: 500" in page
    template = re.search(r'data-goal-text data-template="([^"]*)"', page).group(1)
    assert template == "123456789% of the goal of 1,000"
    closed = make_campaign(status=CampaignStatus.CLOSED)
    assert "data-count-url" not in client.get(f"/campaigns/{closed}").text


def test_the_script_is_served(client):
    """The polling script exists, reads the URL from the page and announces politely."""
    script = client.get("/static/js/count.js")
    body = script.get_data(as_text=True)
    script.close()
    assert script.status_code == 200
    assert "dataset.countUrl" in body and "count-announce" in body and "123456789" in body


def test_french_readers_get_french_live_text(client, make_campaign):
    """The sentence templates the script fills are translated, placeholder intact."""
    slug = make_campaign(goal=1000, signature_count=150, milestones=[(500, "half")])
    page = client.get(f"/campaigns/{slug}", headers={"Accept-Language": "fr"}).text
    template = re.search(r'data-goal-text data-template="([^"]*)"', page).group(1)
    assert template.startswith("123456789") and "objectif" in template
    assert 'data-count-one="signature" data-count-other="signatures"' in page


def test_each_process_keeps_the_body_for_the_cache_window(app_factory, make_campaign, monkeypatch):
    """Within COUNT_CACHE_SECONDS a poll costs no SQL; after it, the new count shows."""
    import time as real_time

    from campaigns.extensions import db
    from campaigns.models import Campaign

    app = app_factory(COUNT_CACHE_SECONDS=1)
    slug = make_campaign(status=CampaignStatus.OPEN)
    client = app.test_client()
    assert client.get(f"/campaigns/{slug}/count.json").json["signature_count"] == 0
    with app.app_context():
        db.session.execute(db.update(Campaign).where(Campaign.slug == slug).values(
            signature_count=5))  # fmt: skip
        db.session.commit()
    with count_statements(app) as statements:
        assert client.get(f"/campaigns/{slug}/count.json").json["signature_count"] == 0
    assert statements == []
    later = real_time.monotonic() + 2
    monkeypatch.setattr("campaigns.signatures.process_cache.time.monotonic", lambda: later)
    assert client.get(f"/campaigns/{slug}/count.json").json["signature_count"] == 5


def test_unknown_slugs_are_not_kept(app_factory, make_campaign):
    """A miss is not cached: a campaign published a moment later answers at once, and random
    slugs cannot fill (and so flush) the per-process cache."""
    app = app_factory(COUNT_CACHE_SECONDS=1)
    client = app.test_client()
    assert client.get("/campaigns/later/count.json").status_code == 404
    make_campaign(slug="later", status=CampaignStatus.OPEN)
    assert client.get("/campaigns/later/count.json").status_code == 200
    assert set(app.extensions["groundswell_live_counts"]) == {"later"}


def test_signature_routes_take_bigint_ids(app):
    """Signature ids are BIGINT on PostgreSQL; their routes match ids past 2**31."""
    adapter = app.url_map.bind("localhost")
    endpoint, values = adapter.match("/signatures/3000000000/report-reason", method="POST")
    assert endpoint == "signatures.report_reason" and values == {"signature_id": 3_000_000_000}
    endpoint, _ = adapter.match("/moderation/reasons/3000000000/hide", method="POST")
    assert endpoint == "signature_moderation.hide_reason"
