"""API keys in real Chromium: an organizer creates a key, sees it once, uses it, revokes it."""

from campaigns.api import keys
from tests.e2e.conftest import check_axe
from tests.e2e.test_campaigns import log_in


def no_violations(page):
    """axe-core finds nothing on the page as it is now."""
    violations = check_axe(page)
    assert violations == [], violations


def test_organizer_creates_uses_and_revokes_a_key(live_server, browser, app, make_user,
                                                  make_campaign):  # fmt: skip
    """The key shows once (with a working copy button), opens the OSDI view, then stops."""
    organizer = make_user("org@example.org")
    slug = make_campaign(owner=organizer)
    base = live_server.url
    context = browser.new_context(bypass_csp=True, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    try:
        log_in(page, base, organizer.email)
        page.goto(f"{base}/account/")
        page.get_by_role("link", name="API keys").click()
        page.get_by_role("heading", name="API keys", level=1).wait_for()
        no_violations(page)
        page.get_by_label("Name of the key").fill("Our CRM sync")
        page.get_by_role("button", name="Create a key").click()
        page.get_by_role("heading", name="Your new API key").wait_for()
        raw = page.get_by_label("API key", exact=True).input_value()
        assert raw.startswith("gs_") and len(raw) == 55
        no_violations(page)
        page.get_by_role("button", name="Copy the key").click()
        page.get_by_text("Key copied.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == raw

        url = f"{base}/api/osdi/v1/petitions/{slug}/signatures"
        answer = context.request.get(url, headers={"Authorization": f"Bearer {raw}"})
        assert answer.status == 200 and answer.headers["content-type"] == "application/hal+json"

        page.get_by_role("link", name="Back to my API keys").click()
        assert raw not in page.content()
        page.get_by_role("cell", name="Our CRM sync", exact=True).wait_for()
        page.get_by_role("button", name="Revoke Our CRM sync").click()
        page.get_by_text("is revoked; it no longer opens the API.").wait_for()
        page.get_by_text("Revoked on").wait_for()
        no_violations(page)
        answer = context.request.get(url, headers={"Authorization": f"Bearer {raw}"})
        assert answer.status == 401
        with app.app_context():
            assert keys.authenticate(raw) is None
    finally:
        context.close()
