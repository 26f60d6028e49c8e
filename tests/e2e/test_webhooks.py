"""Webhooks in real Chromium: an organizer adds an endpoint and sends a test event to a receiver.

The live server may send to loopback (WEBHOOK_ALLOW_PRIVATE), and its in-process job
thread delivers the event to a real HTTP server on 127.0.0.1, which checks the signature
with the secret the page showed.
"""

import json
import time

import pytest

from campaigns.models import CampaignStatus
from campaigns.webhooks.signing import verify
from tests.e2e.conftest import check_axe, serving
from tests.e2e.test_outcomes import log_in
from tests.webhooks.conftest import Receiver


@pytest.fixture
def receiver():
    """A running HTTP receiver on loopback."""
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def private_server(app_factory):
    """The live app, allowed to send webhooks to loopback over plain http."""
    with serving(app_factory, WEBHOOK_ALLOW_PRIVATE=True, WEBHOOK_INTERVAL_SECONDS=1) as server:
        yield server


def test_organizer_adds_an_endpoint_and_a_test_event_arrives(
    private_server, browser, receiver, make_user, make_campaign
):
    """Add an endpoint on the page, send a test event, see it delivered in the log."""
    owner = make_user(name="Olu Organizer")
    slug = make_campaign(owner=owner, status=CampaignStatus.OPEN, title="Light the towpath")
    base = private_server.url
    context = browser.new_context(bypass_csp=True, locale="en-US")  # axe is injected inline
    page = context.new_page()
    try:
        log_in(page, base, owner.email)
        page.goto(f"{base}/campaigns/{slug}/webhooks")
        assert check_axe(page) == []

        page.get_by_label("Receiver address").fill(receiver.url)
        page.get_by_label("A milestone or the goal is reached").check()
        page.get_by_label("The campaign closes").check()
        page.get_by_role("button", name="Add the endpoint").click()
        page.get_by_role("heading", name=receiver.url).wait_for()
        page.get_by_text("Show the signing secret").click()
        secret = page.locator(".webhook-secret").inner_text().strip()
        assert secret.startswith("whsec_")
        assert check_axe(page) == []

        page.get_by_role("button", name="Send a test event").first.click()
        page.get_by_role("heading", name="Delivery log").wait_for()
        deadline = time.monotonic() + 30
        while "Delivered" not in page.locator("table").inner_text():
            assert time.monotonic() < deadline, "the test event was not delivered in 30 s"
            time.sleep(0.5)
            page.reload()
        row = page.locator("tbody tr").first.inner_text()
        assert "ping" in row and "200" in row
        assert check_axe(page) == []
    finally:
        context.close()

    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert headers["Groundswell-Event"] == "ping"
    assert verify(secret, headers["Groundswell-Timestamp"], body, headers["Groundswell-Signature"])
    assert json.loads(body)["campaign"]["slug"] == slug
