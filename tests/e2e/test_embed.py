"""The sign widget in real Chromium: framed by a page on another site, cookies blocked."""

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from campaigns.extensions import db as _db
from campaigns.models import CampaignStatus, Signature, SignatureSource, SignatureState
from tests.conftest import outbox_rows
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, check_axe, serving
from tests.e2e.test_campaigns import log_in

# Chromium's switch that blocks third-party cookies as its cookie phase-out does.
BLOCK_THIRD_PARTY_COOKIES = "--test-third-party-cookie-phaseout"


def host_page(widget_url: str, other_url: str) -> str:
    """A partner's page on another origin: the widget in a frame, and a page that may not be."""
    return f"""<!doctype html><html lang="en"><head><title>Partner</title></head><body>
      <h1>Our partner's page</h1>
      <iframe id="widget" src="{widget_url}" title="Sign the campaign" width="380"
        height="1250"></iframe>
      <iframe id="other" src="{other_url}" title="Not allowed" width="380" height="300"></iframe>
    </body></html>"""


@contextlib.contextmanager
def partner_site(html: str):
    """The partner's page served on http://localhost:<port>/, another site than 127.0.0.1.

    A real loopback server rather than a routed fake domain: Chromium refuses frames from
    loopback addresses inside pages of public sites (Local Network Access checks).
    """

    class Handler(BaseHTTPRequestHandler):
        """Answers every GET with the partner's page."""

        def do_GET(self):
            """The page."""
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def cookieless_browser(browser):
    """Chromium with third-party cookies blocked, as more and more browsers do by default."""
    blocked = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, BLOCK_THIRD_PARTY_COOKIES]
    )
    yield blocked
    blocked.close()


def test_widget_signs_inside_a_frame_on_another_origin(
    app_factory, cookieless_browser, make_campaign
):
    """Fill and send the framed form; the frame says check your email; the row is pending."""
    slug = make_campaign(status=CampaignStatus.OPEN, title="Safe streets at night", goal=600)
    with serving(app_factory) as server:
        app = server.flask_app
        html = host_page(f"{server.url}/campaigns/{slug}/embed", f"{server.url}/campaigns/{slug}")
        with partner_site(html) as host:
            sign_in_frame(cookieless_browser, host, server.url)
        with app.app_context():
            [row] = _db.session.scalars(sa.select(Signature)).all()
            assert (row.source, row.state) == (SignatureSource.EMBED, SignatureState.PENDING)
            assert row.visibility.value == "initials"
            _db.session.remove()
        assert [m.recipient for m in outbox_rows(app, "signature_confirm")] == ["rosa@example.org"]


def sign_in_frame(browser, host: str, app_url: str) -> None:
    """Open the partner's page, sign in its widget frame, and check nothing set a cookie."""
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    set_cookies = []

    def note_cookies(response):
        """Remember any widget response that tried to set a cookie."""
        widget = response.url.startswith(app_url) and "/embed" in response.url
        if widget and "set-cookie" in response.all_headers():
            set_cookies.append(response.url)

    page.on("response", note_cookies)
    try:
        page.goto(host, wait_until="load")
        frame = page.frame_locator("#widget")
        frame.get_by_role("heading", name="Safe streets at night").wait_for()
        # The campaign page itself refuses to be framed: Chromium shows its error page.
        other = page.locator("#other").element_handle().content_frame()
        assert not other.url.startswith(app_url)
        assert other.get_by_text("Safe streets at night").count() == 0
        frame.get_by_label("Your name", exact=True).fill("Rosa Parks")
        frame.get_by_label("Email address", exact=True).fill("rosa@example.org")
        frame.get_by_label("Country", exact=True).select_option("GB")
        frame.get_by_label("Show my initials").check()
        frame.get_by_role("button", name="Sign", exact=True).click()
        frame.get_by_role("heading", name="Check your email").wait_for()
        assert page.url == host  # the partner's page stayed where it was
        link = frame.get_by_role("link", name="Read the full campaign")
        assert link.get_attribute("target") == "_blank"
        assert set_cookies == []
        # The framed campaign page did send its session cookie; the browser kept none.
        assert context.cookies() == []
    finally:
        context.close()


@pytest.mark.parametrize("step", ["form", "errors", "signed", "closed"])
def test_widget_pages_have_no_wcag_violations_and_fit_320px(
    app_factory, browser, make_campaign, step
):
    """axe-core finds no WCAG 2.2 A/AA violations; nothing scrolls sideways at 320 px."""
    status = CampaignStatus.CLOSED if step == "closed" else CampaignStatus.OPEN
    slug = make_campaign(status=status, goal=600, signature_count=150)
    with serving(app_factory) as server:
        context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 900})
        page = context.new_page()
        try:
            page.goto(f"{server.url}/campaigns/{slug}/embed")
            if step == "errors":
                page.get_by_role("button", name="Sign", exact=True).click()
                page.get_by_text("Please correct the fields marked below.").wait_for()
            if step == "signed":
                page.get_by_label("Your name", exact=True).fill("Ana Example")
                page.get_by_label("Email address", exact=True).fill("ana@example.org")
                page.get_by_label("Country", exact=True).select_option("FR")
                page.get_by_role("button", name="Sign", exact=True).click()
                page.get_by_role("heading", name="Check your email").wait_for()
            assert check_axe(page) == []
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, f"{step} scrolls sideways at 320 px ({width}px)"
        finally:
            context.close()


def test_dashboard_copy_button_copies_the_snippet(app_factory, browser, make_user, make_campaign):
    """On the organizer's dashboard, "Copy the code" puts the iframe code on the clipboard."""
    owner = make_user()
    slug = make_campaign(owner=owner, title="Safe streets at night")
    with serving(app_factory) as server:
        context = browser.new_context(locale="en-US")
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
        page = context.new_page()
        try:
            log_in(page, server.url, owner.email)
            response = page.goto(f"{server.url}/campaigns/{slug}/dashboard")
            if response.status == 404:
                pytest.skip("no organizer dashboard in this build")
            code = page.get_by_label("Code to paste into your page").input_value()
            assert code.startswith(f'<iframe src="{server.url}/campaigns/{slug}/embed"')
            page.get_by_role("button", name="Copy the code").click()
            page.get_by_text("Code copied.").wait_for()
            assert page.evaluate("navigator.clipboard.readText()") == code
        finally:
            context.close()
