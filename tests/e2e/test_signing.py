"""Signing in real Chromium: a guest signs, confirms from the mailbox, and the count rises live."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.models import CampaignStatus
from tests.e2e.conftest import check_axe


def confirm_link(page, base: str) -> str:
    """Open the newest confirmation email in the dev mailbox and return its link."""
    page.goto(f"{base}/dev/mailbox")
    page.get_by_role("link", name=re.compile("signature_confirm")).first.click()
    text = page.locator("pre").text_content()
    return re.search(r"http://\S+/signatures/confirm/\S+", text).group(0)


def test_guest_signs_confirms_and_sees_the_count_rise(live_server, browser, make_campaign):
    """The campaign page, left open, shows the new count without a reload."""
    slug = make_campaign(status=CampaignStatus.OPEN, goal=10, title="Safe streets at night")
    base = live_server.url
    context = browser.new_context(locale="en-US")
    watcher, signer = context.new_page(), context.new_page()
    try:
        watcher.goto(f"{base}/campaigns/{slug}")
        assert watcher.locator("#signature-count").text_content().strip() == "0"

        signer.goto(f"{base}/campaigns/{slug}")
        signer.get_by_label("Your name", exact=True).fill("Rosa Parks")
        signer.get_by_label("Email address", exact=True).fill("rosa@example.org")
        signer.get_by_label("Country", exact=True).select_option("GB")
        signer.get_by_label("Show my initials").check()
        signer.get_by_role("button", name="Sign", exact=True).click()
        signer.get_by_role("heading", name="Check your email").wait_for()

        signer.goto(confirm_link(signer, base))
        signer.get_by_role("button", name="Confirm my signature").click()
        signer.get_by_text("your signature is confirmed", exact=False).wait_for()

        # No reload: the open page polls count.json and updates the number and the bar.
        expect(watcher.locator("#signature-count")).to_have_text("1", timeout=20_000)
        expect(watcher.locator("#signature-progress")).to_have_attribute("value", "1")
        signer.goto(f"{base}/campaigns/{slug}")
        assert signer.get_by_text("R. P.").count() >= 1
    finally:
        context.close()


@pytest.mark.parametrize("step", ["campaign", "signed", "confirm"])
def test_signing_pages_have_no_wcag_violations(live_server, browser, make_campaign, step):
    """axe-core finds no WCAG 2.2 A/AA violations on the sign form and the pages after it."""
    slug = make_campaign(status=CampaignStatus.OPEN)
    base = live_server.url
    context = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(f"{base}/campaigns/{slug}")
        if step != "campaign":
            page.get_by_label("Your name", exact=True).fill("Ana Example")
            page.get_by_label("Email address", exact=True).fill("ana@example.org")
            page.get_by_label("Country", exact=True).select_option("FR")
            page.get_by_role("button", name="Sign", exact=True).click()
            page.get_by_role("heading", name="Check your email").wait_for()
        if step == "confirm":
            page.goto(confirm_link(page, base))
        assert check_axe(page) == []
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{step} scrolls sideways on a 360 px screen ({width}px)"
    finally:
        context.close()
