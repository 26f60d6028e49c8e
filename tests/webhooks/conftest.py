"""Webhook fixtures: a real HTTP receiver on loopback, endpoints, and rows read back."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import Campaign, WebhookDelivery, WebhookEndpoint, WebhookEvent

SECRET = "whsec_test-secret-for-the-receiver"
ALL_EVENTS = " ".join(e.value for e in WebhookEvent)


class Receiver:
    """An HTTP server on 127.0.0.1 that records each request and answers scripted statuses."""

    def __init__(self):
        """Bind to a free port; answer 200 unless told otherwise."""
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.default_status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                """Record the request, then answer the next scripted status."""
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else receiver.default_status
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"receiver says %d " % status + b"x" * 500)

            def log_message(self, *args):
                """Keep test output quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "Receiver":
        """Serve in a thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def receiver():
    """A running receiver, stopped after the test."""
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def private_app(app_factory):
    """An app that may send to loopback over plain http, as in development."""
    return app_factory(WEBHOOK_ALLOW_PRIVATE=True)


def add_endpoint(app, slug, url, *, events=ALL_EVENTS, secret=SECRET, disabled_at=None) -> int:
    """Register an endpoint directly in the database; its id."""
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        endpoint = WebhookEndpoint(
            campaign_id=campaign.id, url=url, secret=secret, events=events, disabled_at=disabled_at
        )
        _db.session.add(endpoint)
        _db.session.commit()
        endpoint_id = endpoint.id
        _db.session.remove()
    return endpoint_id


def deliveries(app, event=None) -> list[WebhookDelivery]:
    """Every delivery row, oldest first, detached; optionally of one event."""
    with app.app_context():
        query = select(WebhookDelivery).order_by(WebhookDelivery.id)
        if event is not None:
            query = query.where(WebhookDelivery.event == event)
        rows = _db.session.scalars(query).all()
        _db.session.expunge_all()
        _db.session.remove()
        return rows


def endpoint_row(app, endpoint_id) -> WebhookEndpoint | None:
    """One endpoint, detached (None when deleted)."""
    with app.app_context():
        row = _db.session.get(WebhookEndpoint, endpoint_id)
        _db.session.expunge_all()
        _db.session.remove()
        return row


def deliver(app, now=None) -> dict:
    """Run one delivery pass, as the worker's job does."""
    from campaigns.webhooks.delivery import deliver_due

    with app.app_context():
        try:
            return deliver_due(now)
        finally:
            _db.session.remove()
