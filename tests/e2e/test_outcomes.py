"""Outcomes in real Chromium: an update emailed to signers, a victory declared and confirmed.

The live server sends mail to a real SMTP server on loopback (aiosmtpd), so the test sees
exactly what signers received: consenting signers each email once, the others nothing.
"""

import time
from collections import Counter

import pytest
from playwright.sync_api import expect

from campaigns.extensions import db
from campaigns.jobs.tasks import TASKS
from campaigns.models import CampaignStatus, Role, Signature, SignatureState, utcnow
from tests.conftest import PASSWORD
from tests.e2e.conftest import check_axe, serving
from tests.mail.conftest import SmtpServer

CONSENTING = ("ada@example.org", "grace@example.org")
SILENT = ("quiet@example.org",)


@pytest.fixture
def smtp():
    """A real SMTP server on loopback, keeping every message."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailing_server(app_factory, smtp):
    """The live app, sending its mail to the SMTP server."""
    mail = {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port}
    with serving(app_factory, **mail) as server:
        yield server


def add_signers(app, slug: str) -> None:
    """Confirmed signers: two agreed to updates, one did not; one more never confirmed."""
    from sqlalchemy import select

    from campaigns.models import Campaign

    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        rows = [(email, True, SignatureState.CONFIRMED) for email in CONSENTING]
        rows += [(email, False, SignatureState.CONFIRMED) for email in SILENT]
        rows.append(("pending@example.org", True, SignatureState.PENDING))
        for email, consent, state in rows:
            confirmed_at = utcnow() if state == SignatureState.CONFIRMED else None
            signature = Signature(
                campaign_id=campaign.id, email=email, canonical_email=email,
                email_domain="example.org", name=email.split("@")[0].title(), country="GB",
                consent_updates=consent, state=state, confirmed_at=confirmed_at,
            )  # fmt: skip
            db.session.add(signature)
        db.session.commit()


def log_in(page, base: str, email: str) -> None:
    """Log in through the form."""
    page.goto(f"{base}/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def received(smtp) -> Counter:
    """How many messages each (recipient, subject) pair received."""
    return Counter((m["To"], m["Subject"]) for m in smtp.inbox.messages)


def settle_mail(app, smtp, expected: int, timeout: float = 60) -> None:
    """Wait for the background jobs to send `expected` signer emails, then drain once more."""
    deadline = time.monotonic() + timeout
    signers = set(CONSENTING + SILENT)
    while time.monotonic() < deadline:
        if sum(1 for m in smtp.inbox.messages if m["To"] in signers) >= expected:
            break
        time.sleep(0.2)
    with app.app_context():  # anything still queued would show up now
        TASKS["send_update_emails"]()
        TASKS["deliver_outbox"]()


def test_update_emailed_victory_confirmed_and_listed(
    mailing_server, browser, smtp, make_user, make_campaign
):
    """Organizer posts and emails an update, declares victory; an admin confirms it."""
    organizer = make_user(name="Olu Organizer")
    admin = make_user(role=Role.ADMIN, name="Ari Admin")
    slug = make_campaign(owner=organizer, status=CampaignStatus.OPEN, title="Light the towpath")
    app, base = mailing_server.flask_app, mailing_server.url
    add_signers(app, slug)
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    try:
        log_in(page, base, organizer.email)
        page.goto(f"{base}/campaigns/{slug}")
        page.get_by_role("link", name="Post an update").click()
        page.get_by_label("Title", exact=True).fill("The council will meet us")
        page.get_by_label("What happened", exact=True).fill("They agreed to a **meeting**.")
        page.get_by_label("Also email this update to signers").check()
        page.get_by_role("button", name="Post the update").click()
        expect(page.get_by_role("heading", name="The council will meet us")).to_be_visible()

        page.goto(f"{base}/campaigns/{slug}")
        page.get_by_role("link", name="Declare victory").click()
        page.get_by_label("What happened", exact=True).fill("The council lit the towpath.")
        page.get_by_label("Link to the evidence", exact=True).fill("https://example.org/lights")
        page.get_by_role("button", name="Send for review").click()
        page.get_by_text("waiting for", exact=False).first.wait_for()
        page.get_by_role("button", name="Log out").click()

        log_in(page, base, admin.email)
        page.goto(f"{base}/admin/")
        page.get_by_role("link", name="Victory claims").first.click()
        expect(page.get_by_text("The council lit the towpath.")).to_be_visible()
        page.get_by_role("button", name="Confirm").first.click()

        page.goto(f"{base}/victories")
        expect(page.get_by_role("link", name="Light the towpath", exact=True)).to_be_visible()
        expect(page.get_by_text("The council lit the towpath.").first).to_be_visible()
        page.goto(f"{base}/campaigns/{slug}")
        expect(page.get_by_text("Victory!")).to_be_visible()
        assert page.get_by_role("button", name="Sign", exact=True).count() == 0
    finally:
        context.close()

    response = app.test_client().post(
        f"/campaigns/{slug}/sign", data={"name": "Late", "email": "late@example.org"}
    )
    assert response.status_code in (400, 409)  # CSRF is on; either way nothing is signed

    settle_mail(app, smtp, expected=2 * len(CONSENTING))
    counts = received(smtp)
    for email in CONSENTING:
        mine = {subject: n for (to, subject), n in counts.items() if to == email}
        assert len(mine) == 2, mine  # the update and the victory's outcome update
        assert set(mine.values()) == {1}, mine  # each exactly once
    for email in (*SILENT, "pending@example.org"):
        assert not [key for key in counts if key[0] == email]


@pytest.mark.parametrize("path", ["updates", "victories", "dashboard"])
def test_outcome_pages_have_no_wcag_violations(
    live_server, browser, make_user, make_campaign, path
):
    """axe-core finds no WCAG 2.2 A/AA violations on updates, victories and the dashboard."""
    from campaigns.outcomes.updates import post_update
    from campaigns.outcomes.victories import mark_victory

    admin = make_user(role=Role.ADMIN)
    owner = make_user()
    slug = make_campaign(owner=owner, status=CampaignStatus.OPEN, title="Safer night buses")
    app, base = live_server.flask_app, live_server.url
    with app.test_request_context():
        from sqlalchemy import select

        from campaigns.models import Campaign, UpdateKind, User

        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        actor = db.session.get(User, owner.id)
        post_update(actor, campaign, title="We met the mayor", body="It went *well*.",
                    kind=UpdateKind.NEWS, email_signers=False)  # fmt: skip
        mark_victory(db.session.get(User, admin.id), campaign, summary="Buses every 20 minutes.",
                     evidence_url="https://example.org/buses")  # fmt: skip
        db.session.commit()
    context = browser.new_context(bypass_csp=True, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        if path == "dashboard":
            log_in(page, base, admin.email)
            page.goto(f"{base}/admin/")
        elif path == "updates":
            page.goto(f"{base}/campaigns/{slug}/updates")
        else:
            page.goto(f"{base}/victories")
        assert check_axe(page) == []
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways on a 360 px screen ({width}px)"
    finally:
        context.close()
