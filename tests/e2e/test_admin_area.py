"""The admin area in real Chromium: dashboard, accounts and audit log pass axe; disabling works."""

from campaigns.extensions import db
from campaigns.models import CampaignReport, CampaignStatus, Role, User, VictoryClaim, utcnow
from tests.conftest import get_campaign
from tests.e2e.conftest import check_axe
from tests.e2e.test_campaigns import log_in


def no_violations(page):
    """axe-core finds nothing on the page as it is now."""
    violations = check_axe(page)
    assert violations == [], violations


def seed(app, make_user, make_campaign):
    """Something in every queue, and a disabled account."""
    make_campaign(status=CampaignStatus.PENDING_REVIEW, title="Waiting for review")
    won = get_campaign(app, make_campaign(title="Claimed victory"))
    with app.app_context():
        db.session.add_all(
            [
                VictoryClaim(campaign_id=won.id, summary="Won", evidence_url="https://e.org/"),
                CampaignReport(campaign_id=won.id, reason="spam"),
            ]
        )
        gone = make_user("gone@example.org")
        db.session.get(User, gone.id).disabled_at = utcnow()
        db.session.commit()


def test_admin_pages_are_accessible_and_disable_works(
    live_server, browser, app, make_user, make_campaign
):
    """Dashboard, accounts (with a failed search) and audit log (with a bad date) pass axe."""
    admin = make_user("boss@example.org", role=Role.ADMIN)
    make_user("target@example.org", name="Tess Target")
    seed(app, make_user, make_campaign)
    base = live_server.url
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        log_in(page, base, admin.email)
        page.get_by_role("link", name="Admin", exact=True).click()
        page.get_by_role("heading", name="Admin", level=1).wait_for()
        no_violations(page)
        page.get_by_role("link", name="Accounts: find, change role, disable").click()
        page.get_by_label("Email address or name").fill("tess")
        page.get_by_role("button", name="Find").click()
        page.get_by_role("cell", name="target@example.org", exact=True).wait_for()
        no_violations(page)
        page.get_by_label("Reason for disabling target@example.org").fill("Spam")
        page.get_by_role("button", name="Disable").click()
        page.get_by_text("target@example.org is disabled and logged out everywhere.").wait_for()
        no_violations(page)
        page.goto(f"{base}/admin/users?q=" + "x" * 300)
        no_violations(page)
        page.goto(f"{base}/admin/audit")
        page.get_by_label("Action").select_option("user.disabled")
        page.get_by_role("button", name="Show events").click()
        page.get_by_role("link", name="target@example.org").wait_for()
        no_violations(page)
        page.goto(f"{base}/admin/audit?date_from=2025-02-30")
        page.get_by_text("Not a valid date value.").wait_for()
        no_violations(page)
    finally:
        context.close()


def test_moderation_queue_with_counts_is_accessible(
    live_server, browser, app, make_user, make_campaign
):
    """A moderator's queue page, with every count, passes axe."""
    moderator = make_user("mo@example.org", role=Role.MODERATOR)
    seed(app, make_user, make_campaign)
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        log_in(page, live_server.url, moderator.email)
        page.get_by_role("link", name="Moderation").click()
        page.get_by_text("suspect signatures").first.wait_for()
        no_violations(page)
    finally:
        context.close()
