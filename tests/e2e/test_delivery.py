"""The delivery document in real Chromium: accessible, with a working Print button, printable."""

import re

from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import Campaign, Signature, SignatureState, Visibility, utcnow
from tests.e2e.conftest import check_axe
from tests.e2e.test_campaigns import log_in

NAMED = 300


def add_signers(app, slug: str) -> None:
    """Named signers enough for several columns and pages, and a few who show no name."""
    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        kinds = [(f"Signer Number {n}", Visibility.FULL_NAME) for n in range(NAMED)]
        kinds += [(f"Hidden Signer {n}", Visibility.COUNT_ONLY) for n in range(7)]
        db.session.add_all(
            Signature(campaign_id=campaign_id, email=f"s{n}@example.org",
                      canonical_email=f"s{n}@example.org", email_domain="example.org",
                      name=name, country=("GB", "FR", "IN")[n % 3], visibility=visibility,
                      state=SignatureState.CONFIRMED, confirmed_at=utcnow())
            for n, (name, visibility) in enumerate(kinds)
        )  # fmt: skip
        db.session.commit()


def test_owner_prints_the_delivery_document(live_server, browser, make_user, make_campaign):
    """The page passes axe, its Print button works under the CSP, and it prints to a real PDF."""
    owner = make_user()
    slug = make_campaign(owner=owner, title="Light the towpath", body="Lamps **every 50 m**.")
    add_signers(live_server.flask_app, slug)
    base = live_server.url
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        log_in(page, base, owner.email)
        page.goto(f"{base}/campaigns/{slug}")
        page.get_by_role("link", name="Delivery document for the decision makers").click()
        page.get_by_role("heading", name="Light the towpath").wait_for()
        assert page.get_by_text(f"{NAMED + 7} people signed this petition").is_visible()
        assert page.get_by_text("and 7 more people who signed without showing").is_visible()
        assert page.locator(".delivery-names li").count() == NAMED
        assert "Hidden Signer" not in page.content() and "@example.org" not in page.content()

        # print.js is loaded from static/ (the CSP allows no inline script) and shows the button.
        button = page.get_by_role("button", name="Print this document")
        assert button.is_visible()
        page.evaluate("window.print = () => { window.printed = true; }")
        button.click()
        assert page.evaluate("window.printed") is True
        assert errors == []

        page.emulate_media(media="print")
        assert not button.is_visible()
        assert not page.get_by_role("link", name="Log out").is_visible()
        pdf = page.pdf(format="A4", print_background=False)
        letter = page.pdf(format="Letter")
        page.emulate_media(media="screen")
    finally:
        context.close()
    for document in (pdf, letter):
        assert document.startswith(b"%PDF-") and len(document) > 20_000
        pages = len(re.findall(rb"/Type\s*/Page\b", document))
        assert pages >= 2, pages  # the names begin on a page of their own


def test_delivery_document_has_no_wcag_violations(live_server, browser, make_user, make_campaign):
    """axe-core finds no WCAG 2.2 A/AA violations on the document, on screen or in print."""
    owner = make_user()
    slug = make_campaign(owner=owner)
    add_signers(live_server.flask_app, slug)
    base = live_server.url
    context = browser.new_context(bypass_csp=True, locale="en-US")
    page = context.new_page()
    try:
        log_in(page, base, owner.email)
        page.goto(f"{base}/campaigns/{slug}/delivery")
        page.get_by_role("button", name="Print this document").wait_for()
        assert check_axe(page) == []
        page.emulate_media(media="print")
        assert check_axe(page) == []
    finally:
        context.close()
