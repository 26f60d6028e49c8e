"""The dashboard's figures: what counts, per day, by country and source, and the projection."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from campaigns.dashboard import stats
from campaigns.dashboard.chart import bar_chart, describe, nice_ceiling
from campaigns.extensions import db as _db
from campaigns.models import Campaign, CampaignStatus, SignatureSource, utcnow
from tests.dashboard.helpers import add, add_paper, seed_mixed


def figures(app, slug, window=30, now=None):
    """Compute the dashboard's figures for a campaign, bypassing the cache."""
    with app.test_request_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        return stats.compute(campaign, window, now)


@pytest.fixture
def slug(app, make_campaign):
    """An open campaign published 60 days ago, with signatures of every kind."""
    slug = make_campaign(goal=1000, published_at=utcnow() - timedelta(days=60))
    seed_mixed(app, slug)
    return slug


def test_counts_leave_out_pending_suspect_withdrawn_and_invalidated(app, slug):
    """Confirmed counts only counted signatures; pending and held are counted apart."""
    result = figures(app, slug)
    assert result.confirmed == 21
    assert result.pending == 4  # the pending suspect is held, not waiting for its email
    assert result.suspect == 3


def test_paper_signatures_are_not_waiting_for_an_email(app, slug):
    """Pending rows of a pending import are counted apart from those awaiting their link."""
    add_paper(app, slug, n=6)
    result = figures(app, slug)
    assert (result.pending, result.paper, result.suspect, result.confirmed) == (4, 6, 3, 21)


def test_per_day_covers_the_window_with_zero_days(app, slug):
    """One entry per day, oldest first, ending today; days outside the window are left out."""
    result = figures(app, slug)
    today = utcnow().date()
    assert len(result.days) == 30
    assert result.days[-1][0] == today
    assert result.days[0][0] == today - timedelta(days=29)
    per_day = dict(result.days)
    assert per_day[today] == 10
    assert per_day[today - timedelta(days=1)] == 5
    assert per_day[today - timedelta(days=3)] == 3
    assert per_day[today - timedelta(days=10)] == 2
    assert per_day[today - timedelta(days=2)] == 0
    assert result.window_total == 20
    longer = figures(app, slug, window=90)
    assert len(longer.days) == 90 and longer.window_total == 21


def test_unknown_window_falls_back_to_thirty_days(app, slug):
    """Only the offered windows are computed (a made-up one cannot ask for years of rows)."""
    with app.test_request_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        assert stats.dashboard_stats(campaign, 100_000).window == 30


def test_countries_and_sources(app, slug):
    """Counted signatures only, most first; every source listed, even with none."""
    result = figures(app, slug)
    assert result.countries == [("GB", 11), ("FR", 5), ("DE", 3), ("US", 2)]
    assert result.other_countries == 0
    assert dict(result.sources) == {"web": 11, "embed": 5, "api": 3, "import": 2}
    assert [s for s, _ in result.sources] == [s.value for s in SignatureSource]
    assert result.share(11) == pytest.approx(11 / 21)


def test_countries_beyond_the_top_ten_are_grouped(app, make_campaign):
    """Twelve countries: the top ten listed, the other two summed."""
    slug = make_campaign()
    codes = ["AR", "BR", "CA", "DK", "EE", "FI", "GR", "HU", "IT", "JP", "KE", "LT"]
    for i, code in enumerate(codes):
        add(app, slug, n=12 - i, country=code)
    result = figures(app, slug)
    assert [c for c, _ in result.countries] == codes[:10]
    assert result.other_countries == 2 + 1


def test_pace_and_projection_from_the_last_seven_days(app, slug):
    """18 counted in the last 7 days: the goal's date follows from that pace, in the future."""
    now = utcnow()
    result = figures(app, slug, now=now)
    elapsed = (
        6 + (now - datetime.combine(now.date(), datetime.min.time(), UTC)).total_seconds() / 86400
    )
    assert result.pace == pytest.approx(18 / elapsed)
    projection = result.projection
    assert projection.kind == "projected"
    assert projection.on > now.date()
    assert projection.days == -(-(1000 - 21) // result.pace)


def fake_campaign(**fields):
    """A stand-in with what project() reads."""
    values = {"goal": 100, "signature_count": 40, "is_open": True, "deadline": None}
    return SimpleNamespace(**(values | fields))


NOW = datetime(2024, 3, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "confirmed", "pace", "kind"),
    [
        ({"goal": None}, 40, 5.0, "no_goal"),
        ({}, 100, 5.0, "reached"),
        ({"signature_count": 100}, 99, 5.0, "reached"),
        ({"is_open": False}, 40, 5.0, "not_open"),
        ({}, 40, 0.0, "no_pace"),
        ({"goal": 10_000_000}, 40, 0.5, "too_far"),
        ({}, 40, 6.0, "projected"),
    ],
)
def test_projection_says_plainly_why_there_is_no_date(fields, confirmed, pace, kind):
    """Each case without a date names its reason; only a real pace gives a date."""
    result = stats.project(fake_campaign(**fields), confirmed, pace, NOW)
    assert result.kind == kind
    assert (result.on is not None) == (kind == "projected")


def test_projection_is_never_today_or_past_and_flags_the_deadline():
    """A huge pace still projects tomorrow at the earliest; a date after the deadline is flagged."""
    fast = stats.project(fake_campaign(), 40, 1e9, NOW)
    assert fast.on == date(2024, 3, 2) and fast.days == 1
    deadline = NOW + timedelta(days=5)
    slow = stats.project(fake_campaign(deadline=deadline), 40, 6.0, NOW)
    assert slow.days == 10 and slow.on == date(2024, 3, 11) and slow.after_deadline
    assert not stats.project(fake_campaign(deadline=deadline), 40, 30.0, NOW).after_deadline


def test_young_campaign_pace_is_averaged_over_its_age_of_at_least_a_day():
    """Published two days ago: its signatures are spread over two days, not seven."""
    days = [(NOW.date() - timedelta(days=i), 10) for i in range(3)]
    assert stats.recent_pace(days, NOW, NOW - timedelta(days=2)) == pytest.approx(15)
    assert stats.recent_pace(days, NOW, NOW - timedelta(hours=1)) == pytest.approx(30)
    assert stats.recent_pace(days, NOW, NOW - timedelta(days=60)) == pytest.approx(30 / 6.5)


def test_cache_keeps_figures_for_the_configured_time(app_factory, make_campaign):
    """With a cache, a new signature shows only after the figures expire; 0 turns it off."""
    app = app_factory(DASHBOARD_CACHE_SECONDS=60)
    slug = make_campaign()
    with app.test_request_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        first = stats.dashboard_stats(campaign)
    add(app, slug)
    with app.test_request_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        assert stats.dashboard_stats(campaign).confirmed == first.confirmed == 0
        app.config["DASHBOARD_CACHE_SECONDS"] = 0
        assert stats.dashboard_stats(campaign).confirmed == 1


def test_chart_is_an_image_with_a_title_and_description(app):
    """The SVG names itself, describes its figures and draws a bar per day."""
    days = [(date(2024, 1, 1) + timedelta(days=i), i) for i in range(30)]
    with app.test_request_context():
        svg = str(bar_chart(days, title="Per day & more", desc=describe(days), ident="c"))
    assert 'role="img"' in svg and 'aria-labelledby="c-title"' in svg
    assert '<title id="c-title">Per day &amp; more</title>' in svg
    assert "435 confirmed signatures" in svg and "busiest day was January 30, 2024" in svg
    assert svg.count('class="chart-bar"') == 30
    assert "style=" not in svg  # the CSP forbids inline styles
    assert nice_ceiling(0) == 1 and nice_ceiling(29) == 50 and nice_ceiling(101) == 200


def test_draft_campaign_has_no_projection(app, make_campaign):
    """A draft takes no signatures: no date, and the figures are all zero."""
    slug = make_campaign(status=CampaignStatus.DRAFT)
    result = figures(app, slug)
    assert result.projection.kind == "not_open"
    assert (result.confirmed, result.pending, result.suspect, result.window_total) == (0, 0, 0, 0)
