"""Discovery: the public list, filters, sorting, search, category pages, home page, trending."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.jobs.tasks import TASKS, periodic_jobs
from campaigns.models import (
    Campaign,
    CampaignStatus,
    RejectionReason,
    Signature,
    SignatureState,
    utcnow,
)
from campaigns.petitions import discovery
from tests.conftest import USING_POSTGRES, count_statements, get_campaign, make_app

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
CARD_LINK = re.compile(r'<h3[^>]*><a href="/campaigns/([^"/]+)">')


def slugs_on(response) -> list[str]:
    """The campaign slugs a list page shows, in order."""
    assert response.status_code == 200, response.status_code
    return CARD_LINK.findall(response.get_data(as_text=True))


def section(response, heading_id: str) -> str:
    """The HTML of the home page section labelled by heading_id ("" if absent)."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def file_under(app, category_id: int, *slugs: str) -> None:
    """Move campaigns into a category (make_campaign files new ones under the first one)."""
    with app.app_context():
        _db.session.execute(
            sa.update(Campaign).where(Campaign.slug.in_(slugs)).values(category_id=category_id)
        )
        _db.session.commit()
        _db.session.remove()


def add_signatures(app, slug, times, state=SignatureState.CONFIRMED) -> None:
    """Insert signature rows confirmed (or created, if not confirmed) at the given times."""
    with app.app_context():
        campaign_id = _db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        for when in times:
            email = f"{uuid.uuid4().hex[:12]}@example.org"
            _db.session.add(
                Signature(
                    campaign_id=campaign_id,
                    email=email,
                    canonical_email=email,
                    email_domain="example.org",
                    name="A Supporter",
                    country="GB",
                    state=state,
                    created_at=when,
                    confirmed_at=when if state != SignatureState.PENDING else None,
                )
            )
        _db.session.commit()
        _db.session.remove()


def trending_of(app, *slugs) -> list[int]:
    """The stored trending_count of each campaign."""
    return [get_campaign(app, slug).trending_count for slug in slugs]


def test_only_public_campaigns_are_listed_or_found(client, make_campaign):
    """Drafts, pending, rejected and hidden campaigns never show in the list or in search."""
    word = "zanzibarquest"
    public = {
        make_campaign(status=status, body=f"About {word}.")
        for status in (CampaignStatus.OPEN, CampaignStatus.CLOSED, CampaignStatus.VICTORY)
    }
    make_campaign(status=CampaignStatus.DRAFT, body=word)
    make_campaign(status=CampaignStatus.PENDING_REVIEW, body=word)
    make_campaign(status=CampaignStatus.REJECTED, body=word)
    make_campaign(
        status=CampaignStatus.REJECTED,
        body=word,
        rejection_reason=RejectionReason.LIBELLOUS,
        hidden_at=utcnow(),
    )
    make_campaign(status=CampaignStatus.OPEN, body=word, hidden_at=utcnow(), featured_at=utcnow())
    assert set(slugs_on(client.get("/campaigns"))) == public
    assert set(slugs_on(client.get(f"/campaigns?q={word}"))) == public
    for status in ("open", "closed", "victory"):
        assert len(slugs_on(client.get(f"/campaigns?status={status}"))) == 1


def test_filters_by_status_category_and_country(app, client, make_campaign, make_category):
    """Status, category and country filters combine; "global" means no country."""
    workplace, schools = make_category("Workplace"), make_category("Schools")
    uk_work = make_campaign(country="GB")
    fr_work = make_campaign(country="FR", status=CampaignStatus.CLOSED)
    global_school = make_campaign(country=None)
    file_under(app, workplace, uk_work, fr_work)
    file_under(app, schools, global_school)
    cases = {
        "category=workplace": {uk_work, fr_work},
        "category=schools": {global_school},
        "country=FR": {fr_work},
        "country=global": {global_school},
        "status=open&category=workplace": {uk_work},
        "status=closed&country=GB": set(),
    }
    for query, expected in cases.items():
        assert set(slugs_on(client.get(f"/campaigns?{query}"))) == expected, query


def test_each_sort_orders_the_list(client, make_campaign):
    """Trending, newest, most signed and closing soon each order as named."""
    day = timedelta(days=1)
    old = make_campaign(
        published_at=NOW - 3 * day, trending_count=9, signature_count=10, deadline=NOW + 9 * day
    )
    mid = make_campaign(
        published_at=NOW - 2 * day, trending_count=1, signature_count=500, deadline=NOW + 2 * day
    )
    new = make_campaign(published_at=NOW - day, trending_count=5, signature_count=50)
    closed = make_campaign(
        status=CampaignStatus.CLOSED, published_at=NOW - 4 * day, deadline=NOW + day
    )
    assert slugs_on(client.get("/campaigns?sort=trending")) == [old, new, mid, closed]
    assert slugs_on(client.get("/campaigns")) == [old, new, mid, closed]
    assert slugs_on(client.get("/campaigns?sort=newest")) == [new, mid, old, closed]
    assert slugs_on(client.get("/campaigns?sort=most_signed")) == [mid, new, old, closed]
    # Only open campaigns with a deadline: the closed one's deadline no longer counts.
    assert slugs_on(client.get("/campaigns?sort=closing_soon")) == [mid, old]


def test_pagination_keeps_filters(client, make_campaign):
    """Twelve to a page; the next-page link keeps the filters; past the end is not an error."""
    slugs = [make_campaign(signature_count=n) for n in range(14)]
    make_campaign(status=CampaignStatus.CLOSED)
    first = client.get("/campaigns?status=open&sort=most_signed")
    assert slugs_on(first) == slugs[::-1][:12]
    html = first.get_data(as_text=True)
    assert "14 campaigns" in html and "Page 1 of 2" in html
    link = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
    assert "status=open" in link and "sort=most_signed" in link and "page=2" in link
    assert slugs_on(client.get(link)) == slugs[::-1][12:]
    beyond = client.get("/campaigns?status=open&page=9")
    assert beyond.status_code == 200 and slugs_on(beyond) == []
    assert b"There are no campaigns on this page." in beyond.data


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Weinstein", {"title"}),
        ("scholarship fund", {"body"}),
        ("gatekeeper", {"maker"}),
        ("harcèlement", {"accents"}),
        ("HARCÈLEMENT", {"accents"}),
        ("50%", {"percent"}),
        ("%", {"percent"}),
        ("snake_case", {"underscore"}),
        ("_", {"underscore"}),
        ("nothingmatchesthis", set()),
    ],
)
def test_search(client, make_campaign, query, expected):
    """Title, body, decision makers and accented words match; % and _ match only themselves."""
    slugs = {
        "title": make_campaign(title="Academy, expel Harvey Weinstein"),
        "body": make_campaign(body="Redirect the donation to a scholarship fund."),
        "maker": make_campaign(decision_makers=[("Ada Gatekeeper", "Dean", "USC")]),
        "accents": make_campaign(body="Stop le harcèlement au travail."),
        "percent": make_campaign(title="Cut the fees by 50% now"),
        "underscore": make_campaign(title="Rename the snake_case module"),
        "plain": make_campaign(title="Ordinary", body="snakeXcase and fiftyX percentages"),
    }
    if USING_POSTGRES and query in ("%", "_"):
        # PostgreSQL's parser drops lone punctuation, so these find nothing there. Either way
        # they must never match everything, as an unescaped LIKE would.
        expected = set()
    found = set(slugs_on(client.get("/campaigns", query_string={"q": query})))
    assert found == {slugs[name] for name in expected}


def test_search_with_filters_and_sort(client, make_campaign):
    """A search combines with filters and with an explicit sort."""
    small = make_campaign(title="Weinstein pledge", signature_count=5)
    big = make_campaign(title="Weinstein donation", signature_count=900)
    make_campaign(title="Weinstein closed", status=CampaignStatus.CLOSED)
    query = "/campaigns?q=weinstein&status=open&sort=most_signed"
    assert slugs_on(client.get(query)) == [big, small]


@pytest.mark.parametrize(
    "query",
    [
        "status=draft",
        "status=rejected",
        "status=nonsense",
        "category=no-such-category",
        "country=XX",
        "sort=random",
        "page=abc",
        "page=0",
        "page=-3",
        "page=99999999999999999999999",
        "q=" + "x" * 201,
    ],
)
def test_bad_parameters_answer_400_with_a_message(client, make_campaign, query):
    """Values outside the form's choices are a 400 naming the problem, never a 500."""
    make_campaign()
    response = client.get(f"/campaigns?{query}")
    assert response.status_code == 400
    assert b"Please correct the fields marked below." in response.data
    assert b'class="errors"' in response.data


@pytest.mark.parametrize("query", ["q=%22", "q=-", "q=or", "q=%5C", "q=(a%7Cb)&sort="])
def test_odd_search_text_is_harmless(client, make_campaign, query):
    """Quotes, operators and backslashes in a search are answered, not crashed on."""
    make_campaign()
    assert client.get(f"/campaigns?{query}").status_code == 200


def test_nul_in_the_query_string_is_a_400(client, make_campaign):
    """A NUL byte (which PostgreSQL text cannot hold) is refused, not a 500."""
    make_campaign()
    for query in ("q=a%00b", "country=GB%00", "status=open%00"):
        assert client.get(f"/campaigns?{query}").status_code == 400, query


def test_category_pages(app, client, make_campaign, make_category):
    """/categories lists active ones; each category page lists its campaigns under its name."""
    workplace = make_category("Workplace")
    make_category("Old topic", archived=True)
    at_work = make_campaign(title="Fair shifts")
    draft = make_campaign(status=CampaignStatus.DRAFT)
    other = make_campaign()
    file_under(app, workplace, at_work, draft)
    file_under(app, make_category("Schools"), other)
    index = client.get("/categories").get_data(as_text=True)
    assert '<a href="/categories/workplace">Workplace</a>' in index
    assert "1 campaign" in index and "Old topic" not in index
    page = client.get("/categories/workplace")
    assert slugs_on(page) == [at_work]
    assert "<h1>Workplace</h1>" in page.get_data(as_text=True)
    assert other in slugs_on(client.get("/categories/schools?sort=newest"))
    assert client.get("/categories/no-such-thing").status_code == 404
    assert client.get("/categories/old-topic").status_code == 200
    assert client.get("/categories/workplace?status=junk").status_code == 400


def test_card_shows_what_a_list_item_needs(app, client, make_campaign, make_category):
    """Title link, first decision maker and the others, count, progress, category, country."""
    make_category("Workplace")
    slug = make_campaign(
        title="Academy, expel Harvey Weinstein",
        decision_makers=[("The Board", None, "AMPAS"), ("Jo", None, None), ("Al", None, None)],
        signature_count=1234,
        goal=5000,
        country="FR",
    )
    make_campaign(title="No goal", goal=None, country=None)
    html = client.get("/campaigns?sort=most_signed").get_data(as_text=True)
    assert f'<a href="/campaigns/{slug}">Academy, expel Harvey Weinstein</a>' in html
    assert "The Board</span> and 2 others" in html
    assert "<strong>1,234</strong>" in html
    assert re.search(r'<progress class="progress" max="5000" value="1234" aria-label="', html)
    assert "24% of the goal of 5,000" in html
    assert "Workplace · France" in html and "Workplace · Global" in html
    assert html.count("<progress") == 1


def test_card_shows_cover_thumbnail(app, client, make_campaign):
    """A cover is shown with its alt text; campaigns without one have no image."""
    make_campaign(cover_image="abc123.webp", cover_alt="Students marching")
    make_campaign()
    html = client.get("/campaigns").get_data(as_text=True)
    assert html.count('class="card-cover"') == 1
    assert 'src="/media/covers/abc123.webp" alt="Students marching"' in html


def test_filter_form_has_no_required_fields(client):
    """Every filter is optional: no control carries a required attribute."""
    html = client.get("/campaigns").get_data(as_text=True)
    assert 'id="q"' in html and 'id="status"' in html
    assert "required" not in html.split('class="filters"')[1].split("</form>")[0]


def test_nav_links_to_the_list(client):
    """The Campaigns link in the header goes to /campaigns."""
    assert b'<li><a href="/campaigns">Campaigns</a></li>' in client.get("/").data


def test_home_page_sections(client, make_campaign):
    """Featured only when chosen, trending by recent signatures, victories, totals."""
    plain = make_campaign(title="Plain one", signature_count=10)
    featured = make_campaign(title="Chosen one", featured_at=NOW, signature_count=20)
    older_featured = make_campaign(
        status=CampaignStatus.CLOSED, featured_at=NOW - timedelta(days=3), signature_count=5
    )
    hot = make_campaign(trending_count=40, signature_count=100)
    warm = make_campaign(trending_count=3, signature_count=200)
    won = make_campaign(
        status=CampaignStatus.VICTORY, victory_confirmed_at=NOW, signature_count=598
    )
    won_earlier = make_campaign(
        status=CampaignStatus.VICTORY, victory_confirmed_at=NOW - timedelta(days=9)
    )
    make_campaign(status=CampaignStatus.PENDING_REVIEW, featured_at=NOW, signature_count=7000)
    make_campaign(hidden_at=NOW, trending_count=99, signature_count=7000)
    home = client.get("/")
    assert home.status_code == 200
    assert CARD_LINK.findall(section(home, "featured-title")) == [featured, older_featured]
    assert CARD_LINK.findall(section(home, "trending-title")) == [hot, warm]
    assert section(home, "open-title") == ""
    assert CARD_LINK.findall(section(home, "victories-title"))[:2] == [won, won_earlier]
    totals = section(home, "totals-title")
    assert "<dd>7</dd>" in totals  # public campaigns
    assert f"<dd>{10 + 20 + 5 + 100 + 200 + 598:,}</dd>" in totals
    assert "<dd>2</dd>" in totals  # victories
    assert plain not in section(home, "featured-title")
    html = home.get_data(as_text=True)
    assert 'action="/campaigns"' in html and 'name="q"' in html
    assert 'href="/categories"' in html


def test_home_without_trending_shows_most_signed_open(client, make_campaign):
    """On a quiet day the home page shows the most-signed open campaigns instead."""
    low = make_campaign(signature_count=3)
    high = make_campaign(signature_count=300)
    make_campaign(status=CampaignStatus.CLOSED, signature_count=9000)
    home = client.get("/")
    assert section(home, "featured-title") == ""
    assert section(home, "trending-title") == ""
    assert CARD_LINK.findall(section(home, "open-title")) == [high, low]


def test_refresh_trending_counts_the_last_day(app, db, make_campaign):
    """Confirmed signatures of the last 24 hours count; older, pending, withdrawn do not."""
    busy = make_campaign()
    quiet = make_campaign()
    faded = make_campaign(trending_count=5)
    hour = timedelta(hours=1)
    add_signatures(app, busy, [NOW - hour, NOW - 23 * hour, NOW - timedelta(hours=23, minutes=59)])
    add_signatures(app, busy, [NOW - 24 * hour, NOW - 30 * hour, NOW + hour])
    add_signatures(app, busy, [NOW - hour], state=SignatureState.PENDING)
    add_signatures(app, busy, [NOW - hour], state=SignatureState.WITHDRAWN)
    add_signatures(app, busy, [NOW - hour], state=SignatureState.INVALIDATED)
    add_signatures(app, quiet, [NOW - 2 * hour])
    add_signatures(app, faded, [NOW - 48 * hour])
    assert discovery.refresh_trending(NOW) == 3
    db.session.commit()
    assert trending_of(app, busy, quiet, faded) == [3, 1, 0]
    # Nothing changed, nothing written; a day later everything has faded.
    assert discovery.refresh_trending(NOW) == 0
    discovery.refresh_trending(NOW + 25 * hour)
    db.session.commit()
    assert trending_of(app, busy, quiet, faded) == [0, 0, 0]


def test_trending_job_is_registered_and_runs(app, make_campaign):
    """The periodic job recounts with the real clock and commits."""
    slug = make_campaign()
    add_signatures(app, slug, [utcnow() - timedelta(minutes=5)])
    with app.app_context():
        assert TASKS["refresh_trending"]() == 1
    assert trending_of(app, slug) == [1]
    assert ("refresh_trending", 300) in periodic_jobs(app.config)


def test_trending_interval_setting(database_url):
    """TRENDING_INTERVAL_SECONDS comes from the environment, 300 by default."""
    environ = {"SECRET_KEY": "x", "DATABASE_URL": database_url}
    app = make_app(database_url, ENVIRON={**environ, "TRENDING_INTERVAL_SECONDS": "60"})
    assert ("refresh_trending", 60) in periodic_jobs(app.config)
    app.extensions["groundswell_jobs"].stop()


def statements_for(app, client, path: str) -> int:
    """How many SQL statements one GET of path runs."""
    with count_statements(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize(
    "path", ["/campaigns", "/campaigns?q=campaign", "/", "/categories/general"]
)
def test_list_pages_run_a_bounded_number_of_queries(app, client, make_campaign, path):
    """3 or 20 campaigns on a page: the same number of statements (cards are eager-loaded)."""
    makers = [("Jo Decider", "Chief", "Corp"), ("Al Other", None, None)]
    for n in range(3):
        make_campaign(decision_makers=makers, trending_count=n + 1, featured_at=NOW)
    client.get(path)  # anything done once per process is not counted
    few = statements_for(app, client, path)
    for n in range(17):
        make_campaign(decision_makers=makers, trending_count=n + 1, featured_at=NOW)
    assert statements_for(app, client, path) == few
    assert few <= 12
