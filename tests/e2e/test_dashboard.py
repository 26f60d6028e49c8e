"""The campaign dashboard in real Chromium: chart, table equivalent, axe, a 360 px screen."""

from datetime import timedelta

from playwright.sync_api import expect

from campaigns.models import CampaignStatus, SignatureSource, SignatureState, utcnow
from tests.dashboard.helpers import add, set_count
from tests.e2e.conftest import check_axe
from tests.e2e.test_outcomes import log_in


def seed(app, slug):
    """Counted signatures over a few days and countries, plus some that do not count."""
    add(app, slug, n=6, country="GB")
    add(app, slug, n=4, days_ago=2, country="FR", source=SignatureSource.EMBED)
    add(app, slug, n=2, days_ago=9, country="IN", source=SignatureSource.IMPORT)
    add(app, slug, n=3, state=SignatureState.PENDING)
    add(app, slug, n=1, suspect=True)
    set_count(app, slug, 12)


def test_organizer_opens_the_dashboard(live_server, browser, make_user, make_campaign):
    """From the campaign page to the dashboard: chart, its table, breakdowns, no CSP errors."""
    owner = make_user()
    slug = make_campaign(owner=owner, status=CampaignStatus.OPEN, goal=100,
                         milestones=[(10, "First ten")],
                         published_at=utcnow() - timedelta(days=30))  # fmt: skip
    app, base = live_server.flask_app, live_server.url
    seed(app, slug)
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    blocked = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    try:
        log_in(page, base, owner.email)
        page.goto(f"{base}/campaigns/{slug}")
        page.get_by_role("link", name="Dashboard", exact=False).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Dashboard")
        chart = page.get_by_role("img", name="Confirmed signatures per day, last 30 days")
        expect(chart).to_be_visible()
        assert page.locator("svg.chart rect.chart-bar").count() == 30
        assert "12 confirmed signatures" in page.locator("#daily-chart-desc").text_content()
        box = chart.bounding_box()
        assert box["width"] > 200 and box["height"] > 80  # drawn, and sized by the stylesheet

        table = page.get_by_role("table", name="Confirmed signatures per day, last 30 days")
        expect(table).to_be_hidden()
        page.get_by_text("Show the figures as a table").click()
        expect(table).to_be_visible()
        assert table.locator("tbody tr").count() == 30
        expect(table.locator("tbody tr").first.locator("td")).to_have_text("6")

        countries = page.get_by_role("table", name="Confirmed signatures by country, most first")
        expect(countries.locator("tbody tr").first).to_contain_text("United Kingdom")
        expect(page.get_by_text("Waiting for email confirmation")).to_be_visible()
        assert blocked == []  # the real CSP is on here: no inline style or script was refused

        page.get_by_role("link", name="Last 90 days").click()
        expect(
            page.get_by_role("img", name="Confirmed signatures per day, last 90 days")
        ).to_be_visible()
        assert page.locator("svg.chart rect.chart-bar").count() == 90

        page.emulate_media(media="print")
        expect(page.locator(".site-header")).to_be_hidden()
        expect(
            page.get_by_role("img", name="Confirmed signatures per day, last 90 days")
        ).to_be_visible()
    finally:
        context.close()


def test_dashboard_fits_a_phone_and_passes_axe(live_server, browser, make_user, make_campaign):
    """No WCAG 2.2 A/AA violations and no sideways scrolling at 360 px, table open or closed."""
    owner = make_user()
    slug = make_campaign(owner=owner, status=CampaignStatus.OPEN, goal=50_000,
                         title="A rather long campaign title that has to wrap on a phone",
                         milestones=[(1000, "A first thousand voices")])  # fmt: skip
    app, base = live_server.flask_app, live_server.url
    seed(app, slug)
    context = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        log_in(page, base, owner.email)
        page.goto(f"{base}/campaigns/{slug}/dashboard?days=90")
        assert check_axe(page) == []
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the dashboard scrolls sideways on a 360 px screen ({width}px)"
        page.get_by_text("Show the figures as a table").click()
        assert check_axe(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()
