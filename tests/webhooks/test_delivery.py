"""Delivery to a real HTTP receiver: signed, retried with backoff, given up, at least once."""

import json
import time
from datetime import timedelta

import pytest

from campaigns.extensions import db
from campaigns.jobs.tasks import TASKS, periodic_jobs
from campaigns.models import DeliveryState, utcnow
from campaigns.webhooks import delivery as delivery_module
from campaigns.webhooks.services import emit
from campaigns.webhooks.signing import verify
from tests.webhooks.conftest import SECRET, add_endpoint, deliver, deliveries


def queue_event(app, slug, event="milestone.reached", data=None) -> str:
    """Emit an event for the campaign and commit, as a hook point would; its event id."""
    from sqlalchemy import select

    from campaigns.models import Campaign

    with app.app_context():
        campaign_id = db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        event_id = emit(campaign_id, event, data or {"threshold": 100, "label": "", "goal": False})
        db.session.commit()
        db.session.remove()
    return event_id


def test_receiver_gets_a_signed_event_it_can_verify(private_app, make_campaign, receiver):
    """Acceptance: a local HTTP server receives the event and verifies its signature."""
    slug = make_campaign(title="Save the library")
    add_endpoint(private_app, slug, receiver.url)
    event_id = queue_event(private_app, slug)

    assert deliver(private_app) == {"delivered": 1, "retrying": 0, "failed": 0}
    [request] = receiver.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hooks"
    assert headers["Groundswell-Event"] == "milestone.reached"
    assert headers["Groundswell-Delivery"] == event_id
    assert headers["Content-Type"] == "application/json"
    assert headers["Host"] == receiver.url.split("/")[2]
    timestamp, signature = headers["Groundswell-Timestamp"], headers["Groundswell-Signature"]
    assert signature.startswith("v1=")
    assert verify(SECRET, timestamp, body, signature, now=time.time())
    # The same request fails verification with another secret, a changed body, or later.
    assert not verify("whsec_other", timestamp, body, signature, now=time.time())
    assert not verify(SECRET, timestamp, body + b" ", signature, now=time.time())
    assert not verify(SECRET, timestamp, body, signature, now=time.time() + 301)

    payload = json.loads(body)
    assert payload["id"] == event_id and payload["event"] == "milestone.reached"
    assert payload["created_at"].endswith("Z")
    assert payload["campaign"]["slug"] == slug
    assert payload["campaign"]["title"] == "Save the library"
    assert payload["campaign"]["url"] == f"http://localhost/campaigns/{slug}"
    assert payload["campaign"]["status"] == "open"
    assert payload["data"] == {"threshold": 100, "label": "", "goal": False}
    [row] = deliveries(private_app)
    assert row.state == DeliveryState.DELIVERED and row.attempts == 1
    assert row.last_status == 200 and row.last_error is None and row.delivered_at is not None


def test_an_error_then_success_takes_two_attempts(private_app, make_campaign, receiver):
    """500 then 200: the retry waits for its backoff, then delivers with attempts=2."""
    slug = make_campaign()
    add_endpoint(private_app, slug, receiver.url)
    queue_event(private_app, slug)
    receiver.statuses = [500]
    start = utcnow()

    assert deliver(private_app, start) == {"delivered": 0, "retrying": 1, "failed": 0}
    [row] = deliveries(private_app)
    assert row.state == DeliveryState.PENDING and row.attempts == 1 and row.last_status == 500
    assert row.last_error.startswith("HTTP 500: receiver says 500")
    assert len(row.last_error) <= delivery_module.ERROR_MAX
    # Due in about 30 seconds (with jitter): not yet, then yes.
    wait = row.next_attempt_at - start
    assert timedelta(seconds=23) <= wait <= timedelta(seconds=37)
    assert deliver(private_app, start + timedelta(seconds=20))["delivered"] == 0
    assert deliver(private_app, start + timedelta(seconds=40))["delivered"] == 1

    [row] = deliveries(private_app)
    assert row.state == DeliveryState.DELIVERED and row.attempts == 2 and row.last_status == 200
    ids = {r["headers"]["Groundswell-Delivery"] for r in receiver.requests}
    assert len(receiver.requests) == 2 and len(ids) == 1  # the same event id: dedupe by it


def test_a_dead_endpoint_fails_after_the_last_attempt(private_app, make_campaign, receiver):
    """A receiver that never answers 2xx: retried WEBHOOK_MAX_ATTEMPTS times, then failed."""
    slug = make_campaign()
    add_endpoint(private_app, slug, receiver.url)
    queue_event(private_app, slug)
    receiver.default_status = 503
    now = utcnow()
    for attempt in range(1, private_app.config["WEBHOOK_MAX_ATTEMPTS"] + 1):
        report = deliver(private_app, now)
        [row] = deliveries(private_app)
        assert row.attempts == attempt
        now = row.next_attempt_at + timedelta(seconds=1)  # time moves on; nobody sleeps
    assert report == {"delivered": 0, "retrying": 0, "failed": 1}
    assert row.state == DeliveryState.FAILED and row.last_status == 503
    assert deliver(private_app, now + timedelta(days=30))["failed"] == 0  # never again
    assert len(receiver.requests) == 8


def test_a_closed_port_is_an_attempt_without_status(private_app, make_campaign):
    """Nothing listening: the error is recorded and the delivery retried."""
    slug = make_campaign()
    add_endpoint(private_app, slug, "http://127.0.0.1:9/hooks")
    queue_event(private_app, slug)
    assert deliver(private_app)["retrying"] == 1
    [row] = deliveries(private_app)
    assert row.last_status is None and "refused" in row.last_error.lower()


def test_redirects_are_not_followed(private_app, make_campaign, receiver):
    """A 3xx is a failed attempt; the Location is never visited."""
    slug = make_campaign()
    add_endpoint(private_app, slug, receiver.url)
    queue_event(private_app, slug)
    receiver.statuses = [302]
    assert deliver(private_app)["retrying"] == 1
    [row] = deliveries(private_app)
    assert row.last_status == 302 and len(receiver.requests) == 1


def test_backoff_grows_and_is_capped():
    """30 s, 2 min, 10 min, 1 h, then 6 h at most, each within 20%."""
    middle = [delivery_module.retry_delay(n, rand=lambda: 0.5).total_seconds() for n in range(1, 9)]
    assert middle == [30, 120, 600, 3600, 21600, 21600, 21600, 21600]
    assert delivery_module.retry_delay(1, rand=lambda: 0.0).total_seconds() == 24
    assert delivery_module.retry_delay(1, rand=lambda: 1.0).total_seconds() == 36


def test_a_claimed_row_is_left_alone_until_its_lease_ends(private_app, make_campaign, receiver):
    """A worker that died mid-send leaves the row pending; it is sent again after the lease."""
    slug = make_campaign()
    add_endpoint(private_app, slug, receiver.url)
    queue_event(private_app, slug)
    now = utcnow()
    with private_app.app_context():
        row, _endpoint = delivery_module.claim_next(now)  # then the worker "dies"
        assert row.attempts == 1
        assert delivery_module.claim_next(now + timedelta(seconds=30)) == (None, None)
        db.session.remove()
    lease = delivery_module.lease(private_app.config)
    assert deliver(private_app, now + lease + timedelta(seconds=1))["delivered"] == 1
    [row] = deliveries(private_app)
    assert row.attempts == 2 and len(receiver.requests) == 1


def test_disabled_endpoints_get_nothing(private_app, make_campaign, receiver):
    """An endpoint disabled after the event was queued: the delivery fails unsent."""
    slug = make_campaign()
    endpoint_id = add_endpoint(private_app, slug, receiver.url)
    queue_event(private_app, slug)
    with private_app.app_context():
        from campaigns.models import WebhookEndpoint

        db.session.get(WebhookEndpoint, endpoint_id).disabled_at = utcnow()
        db.session.commit()
    assert deliver(private_app)["failed"] == 1
    assert receiver.requests == []


def test_private_targets_are_refused_at_send_time(app, make_campaign, receiver):
    """Without WEBHOOK_ALLOW_PRIVATE, a loopback endpoint in the table is never contacted."""
    slug = make_campaign()
    add_endpoint(app, slug, receiver.url.replace("http:", "https:"))
    queue_event(app, slug)
    assert deliver(app)["retrying"] == 1
    [row] = deliveries(app)
    assert "is a non-public address" in row.last_error and receiver.requests == []


def test_a_batch_sends_every_due_row(private_app, make_campaign, receiver):
    """Several events and endpoints: one run sends them all, each once."""
    slug = make_campaign()
    add_endpoint(private_app, slug, receiver.url)
    add_endpoint(private_app, slug, receiver.url + "?second=1")
    for _ in range(3):
        queue_event(private_app, slug)
    assert deliver(private_app) == {"delivered": 6, "retrying": 0, "failed": 0}
    assert sorted(r["path"] for r in receiver.requests) == ["/hooks"] * 3 + ["/hooks?second=1"] * 3


def test_the_job_is_registered_and_swept(app):
    """deliver_webhooks is a task, swept every WEBHOOK_INTERVAL_SECONDS."""
    assert "deliver_webhooks" in TASKS
    assert ("deliver_webhooks", 10) in periodic_jobs(app.config)
    with app.app_context():
        assert TASKS["deliver_webhooks"]() == {"delivered": 0, "retrying": 0, "failed": 0}


@pytest.mark.skipif(
    not __import__("tests.conftest", fromlist=["USING_POSTGRES"]).USING_POSTGRES,
    reason="SKIP LOCKED claims need PostgreSQL; SQLite has one writer",
)
def test_two_workers_never_claim_the_same_row(private_app, make_campaign):
    """On PostgreSQL a row locked by one worker's claim is skipped by another's."""
    slug = make_campaign()
    add_endpoint(private_app, slug, "http://127.0.0.1:9/hooks")
    queue_event(private_app, slug)
    queue_event(private_app, slug)
    now = utcnow()
    with private_app.app_context():
        statement = delivery_module._claim_statement()
        until = now + timedelta(minutes=5)
        with db.engine.connect() as first, db.engine.connect() as second:
            a = first.execute(statement, {"now": now, "until": until}).first()
            b = second.execute(statement, {"now": now, "until": until}).first()  # not blocked
            assert a is not None and b is not None and a.id != b.id
            first.commit()
            second.commit()
