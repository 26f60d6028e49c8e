"""Paper signatures in real Chromium: an organizer uploads a CSV, reads the report, confirms."""

from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import Campaign, CampaignStatus, ImportState, SignatureImport
from campaigns.signatures.counting import aggregate
from tests.e2e.conftest import check_axe
from tests.e2e.test_outcomes import log_in

PAPER = (
    "name,country,email,date\n"
    "Ana López,ES,ana@example.org,2024-03-01\n"
    "Jo Bloggs,United Kingdom,,02/03/2024\n"
    "Nobody,Atlantis,,2024-03-03\n"
    "Ana Again,ES,ANA@example.org,2024-03-01\n"
).encode()


def test_organizer_uploads_reviews_and_confirms(live_server, browser, make_user, make_campaign):
    """Upload through the form, see why rows were rejected, confirm; the count rises by two.

    axe-core finds no WCAG 2.2 A/AA violations on the upload page (with its form error
    shown too) or on the report.
    """
    owner = make_user("organizer@example.org")
    slug = make_campaign(owner=owner, status=CampaignStatus.OPEN, title="Paper petition")
    base = live_server.url
    context = browser.new_context(locale="en-US", bypass_csp=True)
    page = context.new_page()
    try:
        log_in(page, base, owner.email)
        page.goto(f"{base}/campaigns/{slug}/imports")
        page.get_by_role("heading", name="Paper signatures", exact=True).wait_for()
        assert check_axe(page) == []

        page.get_by_label("CSV file").set_input_files(
            {"name": "broken.csv", "mimeType": "text/csv", "buffer": b"nom,email\nA,a@b.c\n"}
        )
        page.get_by_role("button", name="Upload and check").click()
        page.get_by_text("these are missing: country, date").wait_for()
        assert check_axe(page) == []

        page.get_by_label("CSV file").set_input_files(
            {"name": "stall.csv", "mimeType": "text/csv", "buffer": PAPER}
        )
        page.get_by_label("Dates written with slashes").select_option("day")
        page.get_by_role("button", name="Upload and check").click()
        page.get_by_role("heading", name="Import report: stall.csv").wait_for()
        page.get_by_text("“Atlantis” is not a country we recognise").wait_for()
        page.get_by_text("The same email address is on line 2").wait_for()
        assert check_axe(page) == []

        page.get_by_role("link", name="Accepted rows (2)").click()
        page.get_by_role("cell", name="Jo Bloggs").wait_for()
        assert page.get_by_text("ana@example.org").count() == 0
        assert check_axe(page) == []

        page.get_by_role("button", name="Confirm the import").click()
        page.get_by_text("Import confirmed: 2 signatures will be added").wait_for()
        assert page.get_by_role("button", name="Confirm the import").count() == 0
    finally:
        context.close()
    app = live_server.flask_app
    with app.app_context():
        aggregate()
        record = db.session.scalar(select(SignatureImport))
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        assert record.state == ImportState.CONFIRMED
        assert campaign.signature_count == 2
