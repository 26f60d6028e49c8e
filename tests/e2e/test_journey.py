"""A newcomer's journey in real Chromium, and accessibility checks with axe-core."""

import re

import pytest
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import User
from tests.e2e.conftest import check_axe

PASSWORD = "a long and unusual passphrase"


def test_register_verify_login_french_logout(live_server, page):
    """Register, verify from the dev mailbox, log in, switch to French, log out."""
    base = live_server.url
    page.goto(f"{base}/register")
    page.get_by_label("Email address", exact=True).fill("newcomer@example.org")
    page.get_by_label("Your name", exact=True).fill("Nia Newcomer")
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the new password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()

    page.get_by_role("link", name="Open the development mailbox").click()
    page.get_by_role("link", name=re.compile("verify_email")).click()
    text = page.locator("pre").text_content()
    link = re.search(r"http://\S+/verify/\S+", text).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm my email address").click()
    page.get_by_text("your email address is confirmed").wait_for()

    page.get_by_label("Email address", exact=True).fill("newcomer@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Welcome back, Nia Newcomer.").wait_for()

    page.get_by_label("Language", exact=True).select_option("fr")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_selector("html[lang='fr']")
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("link", name="Se connecter").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"

    with live_server.flask_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "newcomer@example.org"))
        assert user.email_verified and user.locale == "fr"


@pytest.mark.parametrize("path", ["/", "/register", "/login"])
def test_key_pages_have_no_wcag_violations(live_server, browser, path):
    """axe-core finds no WCAG 2.2 A/AA violations; the page fits a 360 px phone."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(live_server.url + path)
        assert check_axe(page) == []
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways on a 360 px screen ({width}px)"
    finally:
        context.close()


def test_form_errors_are_announced_and_tied_to_inputs(live_server, browser):
    """Field errors are linked to their input and pass axe too."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/register")
        page.get_by_label("Email address", exact=True).fill("not-an-email")
        page.get_by_role("button", name="Create account").click()
        email = page.get_by_label("Email address", exact=True)
        assert email.get_attribute("aria-invalid") == "true"
        assert "email-error" in email.get_attribute("aria-describedby")
        assert page.get_by_role("alert").is_visible()
        assert check_axe(page) == []
    finally:
        context.close()


def test_skip_link_is_first_and_visible_on_focus(live_server, page):
    """Keyboard users can jump straight to the content."""
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    box = page.get_by_role("link", name="Skip to main content").bounding_box()
    assert box is not None and box["y"] >= 0
