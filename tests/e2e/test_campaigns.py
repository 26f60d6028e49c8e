"""Campaigns in real Chromium: write, preview, submit, approve, find; reject as libellous."""

import pytest

from campaigns.models import CampaignStatus, Role
from tests.conftest import PASSWORD
from tests.e2e.conftest import check_axe

TITLE = "Academy: adopt a code of conduct for every member"


def log_in(page, base, email):
    """Log in through the form."""
    page.goto(f"{base}/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def log_out(page):
    """Log out with the header button."""
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").wait_for()


def no_violations(page):
    """axe-core finds nothing on the page as it is now."""
    violations = check_axe(page)
    assert violations == [], violations


def write_campaign(page, base):
    """The organizer goes through the four steps and lands on the preview."""
    page.get_by_role("link", name="Start a campaign").click()
    page.get_by_role("heading", name="Start a campaign").wait_for()
    no_violations(page)
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Category", exact=True).select_option(label="Culture and media")
    page.get_by_label("Country", exact=True).select_option("US")
    page.get_by_role("button", name="Save and continue").click()
    page.locator("#makers-0-name").fill("Board of Governors")
    page.locator("#makers-0-organization").fill("Academy of Motion Picture Arts and Sciences")
    page.get_by_role("button", name="Add another decision maker").click()
    page.locator("#makers-1-name").fill("Dawn Hudson")
    page.locator("#makers-1-title").fill("Chief Executive")
    no_violations(page)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Summary", exact=True).fill("Members should answer for abuse.")
    page.get_by_label("Why this matters", exact=True).fill("Dozens of women **spoke out**.")
    no_violations(page)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Goal (signatures)", exact=True).fill("50000")
    page.locator("#milestones-0-threshold").fill("1000")
    page.locator("#milestones-0-label").fill("First thousand")
    page.locator("#milestones-1-threshold").fill("10000")
    page.locator("#milestones-1-label").fill("Ten thousand")
    no_violations(page)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("This is how the public will see your campaign").wait_for()
    assert page.get_by_text("Dawn Hudson").is_visible()
    assert page.locator(".campaign-body strong").text_content() == "spoke out"


@pytest.fixture
def people(make_user, make_category):
    """An organizer, a moderator and the categories admins made."""
    make_category("Workplace")
    make_category("Culture and media", slug="culture")
    organizer = make_user("olivia@example.org", name="Olivia Organizer")
    moderator = make_user("mo@example.org", role=Role.MODERATOR)
    return organizer, moderator


def test_write_submit_approve_and_find(live_server, browser, people):
    """From the start page to the list, search and home page, checking accessibility."""
    organizer, moderator = people
    base = live_server.url
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        log_in(page, base, organizer.email)
        write_campaign(page, base)
        page.get_by_role("button", name="Submit for review").click()
        page.get_by_text("Waiting for review.").wait_for()
        log_out(page)

        log_in(page, base, moderator.email)
        page.get_by_role("link", name="Moderation").click()
        page.get_by_role("link", name=TITLE).click()
        page.get_by_role("button", name="Claim for review").click()
        page.get_by_role("button", name="Approve and publish").click()
        page.get_by_text("The campaign is open.").wait_for()
        log_out(page)

        page.goto(f"{base}/campaigns")
        page.get_by_role("link", name=TITLE).wait_for()
        no_violations(page)
        page.goto(f"{base}/campaigns?q=hudson")
        page.get_by_role("link", name=TITLE).wait_for()
        no_violations(page)
        page.goto(f"{base}/")
        page.get_by_role("link", name=TITLE).first.wait_for()
        page.get_by_role("link", name=TITLE).first.click()
        page.get_by_role("heading", name=TITLE, level=1).wait_for()
        assert page.get_by_text("Olivia Organizer").is_visible()
        assert page.get_by_role("button", name="Copy link").is_visible()
        no_violations(page)
    finally:
        context.close()


def test_libellous_rejection_hides_the_page(live_server, browser, people, make_campaign):
    """A moderator rejects a campaign as libellous; the public gets a 404."""
    organizer, moderator = people
    slug = make_campaign(
        owner=organizer, status=CampaignStatus.PENDING_REVIEW, title="He is a criminal"
    )
    base = live_server.url
    context = browser.new_context()
    page = context.new_page()
    try:
        log_in(page, base, moderator.email)
        page.goto(f"{base}/moderation/campaigns/{slug}")
        page.get_by_role("button", name="Claim for review").click()
        page.get_by_label("Reason", exact=True).select_option("libellous")
        page.get_by_role("button", name="Reject").click()
        page.get_by_text("The campaign was rejected.").wait_for()
        log_out(page)
        assert page.goto(f"{base}/campaigns/{slug}").status == 404
        assert page.goto(f"{base}/campaigns?q=criminal").ok
        assert page.get_by_role("link", name="He is a criminal").count() == 0
    finally:
        context.close()
