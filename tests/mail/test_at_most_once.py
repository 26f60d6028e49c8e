"""Each outbox row is sent at most once: claimed before sending, reaped if its worker died."""

import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from campaigns.extensions import db
from campaigns.mail import backends, delivery
from campaigns.mail.delivery import (
    INTERRUPTED,
    MAYBE_SENT,
    deliver_due,
    reap_interrupted,
    requeue_failed,
)
from campaigns.mail.outbox import queue_email
from campaigns.models import OutboxEmail, OutboxState, utcnow
from tests.conftest import outbox_rows


def queue(app, count=1):
    """Queue `count` simple emails."""
    with app.app_context():
        for n in range(count):
            queue_email(f"r{n}@example.org", "password_changed", name=f"R{n}")
        db.session.commit()


def states(app) -> list[OutboxState]:
    """Every row's state, oldest first."""
    return [row.state for row in outbox_rows(app)]


class RecordingBackend:
    """Remembers what it sent and what the row's state was at that moment."""

    def __init__(self, config, fail_with=None):
        """Start empty."""
        self.sent, self.states_at_send, self.fail_with = [], [], fail_with

    def send(self, message):
        """Record the row's state in the database, then succeed or fail as told."""
        with db.engine.connect() as conn:
            state = conn.scalar(
                select(OutboxEmail.state).where(OutboxEmail.recipient == message["To"])
            )
        self.states_at_send.append(state)
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(message["To"])

    def close(self):
        """Nothing to close."""


@pytest.fixture
def backend(monkeypatch):
    """Replace the configured backend with a recording one; returns it."""
    recording = RecordingBackend({})
    monkeypatch.setattr(delivery, "get_backend", lambda config: recording)
    return recording


def test_row_is_committed_as_sending_before_it_is_sent(app, backend):
    """Another connection sees the row SENDING while the server takes it; SENT after."""
    queue(app, 3)
    with app.app_context():
        report = deliver_due()
    assert report.sent == 3
    assert backend.states_at_send == [OutboxState.SENDING] * 3
    rows = outbox_rows(app)
    assert [r.state for r in rows] == [OutboxState.SENT] * 3
    assert all(r.claimed_at is not None and r.attempts == 1 for r in rows)


def test_a_row_left_sending_is_not_sent_again(app, backend):
    """A worker died mid-send: delivery skips the row, and the reaper fails it after the timeout."""
    queue(app, 2)
    with app.app_context():
        first = db.session.scalar(select(OutboxEmail.id).order_by(OutboxEmail.id))
        db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == first)
            .values(state=OutboxState.SENDING, claimed_at=utcnow(), attempts=1)
        )
        db.session.commit()
        assert deliver_due().sent == 1
        assert backend.sent == ["r1@example.org"]
        assert reap_interrupted() == 0  # not yet: its worker may still be sending
        timeout = app.config["OUTBOX_SENDING_TIMEOUT_SECONDS"]
        assert reap_interrupted(now=utcnow() + timedelta(seconds=timeout + 1)) == 1
        assert deliver_due(now=utcnow() + timedelta(hours=1)).handled == 0
    row = outbox_rows(app)[0]
    assert row.state == OutboxState.FAILED and row.last_error == INTERRUPTED
    assert backend.sent == ["r1@example.org"]
    with app.app_context():
        assert requeue_failed() == 0  # it may have arrived: a plain retry leaves it alone
        assert requeue_failed(include_uncertain=True) == 1  # an admin who checked may
        assert deliver_due().sent == 1
    assert backend.sent == ["r1@example.org", "r0@example.org"]


def test_reap_command_and_status(app):
    """`flask outbox reap` fails stale SENDING rows; `status` lists every state."""
    queue(app, 1)
    with app.app_context():
        db.session.execute(
            update(OutboxEmail).values(
                state=OutboxState.SENDING, claimed_at=utcnow() - timedelta(hours=1)
            )
        )
        db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["outbox", "reap"]).output.strip() == "failed: 1"
    status = runner.invoke(args=["outbox", "status"]).output
    assert "failed: 1" in status and "sending: 0" in status and "cancelled: 0" in status


def test_delivery_job_reaps_first(app, backend):
    """Each delivery job starts by failing what dead workers left behind."""
    from campaigns.jobs.tasks import TASKS

    queue(app, 1)
    with app.app_context():
        db.session.execute(
            update(OutboxEmail).values(
                state=OutboxState.SENDING, claimed_at=utcnow() - timedelta(hours=1)
            )
        )
        db.session.commit()
        result = TASKS["deliver_outbox"]()
    assert result["reaped"] == 1 and result["sent"] == 0
    assert states(app) == [OutboxState.FAILED]


def test_maybe_delivered_is_failed_not_retried(app, monkeypatch):
    """A connection lost after DATA may have delivered the email: failed, never retried."""
    recording = RecordingBackend({}, fail_with=backends.MaybeSent("SMTPServerDisconnected"))
    monkeypatch.setattr(delivery, "get_backend", lambda config: recording)
    queue(app, 2)
    with app.app_context():
        report = deliver_due()
    assert (report.failed, report.sent, report.deferred) == (1, 0, 0)
    rows = outbox_rows(app)
    assert rows[0].state == OutboxState.FAILED and "not retried" in rows[0].last_error
    assert rows[1].state == OutboxState.PENDING and rows[1].attempts == 0  # the pass stopped


def test_refused_connection_defers_one_row_and_stops(app, monkeypatch):
    """A server that is down defers the row it was given and leaves the rest untouched."""
    recording = RecordingBackend({}, fail_with=ConnectionRefusedError(111, "refused"))
    monkeypatch.setattr(delivery, "get_backend", lambda config: recording)
    queue(app, 3)
    with app.app_context():
        report = deliver_due()
    assert (report.deferred, report.handled) == (1, 1)
    rows = outbox_rows(app)
    assert [r.state for r in rows] == [OutboxState.PENDING] * 3
    assert sorted(r.attempts for r in rows) == [0, 0, 1]


class FakeSmtp:
    """An smtplib.SMTP stand-in whose send fails at a chosen point."""

    def __init__(self, fail_in_data):
        """Fail before or after DATA."""
        self.fail_in_data, self.data_started, self.closed = fail_in_data, False, False

    def send_message(self, message):
        """Start DATA if told, then lose the connection."""
        self.data_started = self.fail_in_data
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    def quit(self):
        """The connection is gone."""
        raise smtplib.SMTPServerDisconnected("gone")

    def close(self):
        """Note the close."""
        self.closed = True


@pytest.mark.parametrize(
    ("fail_in_data", "expected"),
    [(True, backends.MaybeSent), (False, smtplib.SMTPServerDisconnected)],
)
def test_smtp_backend_tells_maybe_sent_from_not_sent(fail_in_data, expected):
    """Only a failure after DATA started counts as possibly delivered."""
    backend = backends.SmtpBackend({})
    connections = [FakeSmtp(fail_in_data), FakeSmtp(fail_in_data)]
    backend._connect = lambda: connections.pop(0)
    with pytest.raises(expected):
        backend.send(backends.EmailMessage())
    assert backend.connection is None


def test_smtp_backend_reopens_a_connection_dropped_while_idle():
    """A reused connection the server closed is reopened once before giving up."""

    class Good(FakeSmtp):
        def send_message(self, message):
            self.sent = True

    backend = backends.SmtpBackend({})
    stale, fresh = FakeSmtp(False), Good(False)
    backend.connection = stale
    backend._connect = lambda: fresh
    backend.send(backends.EmailMessage())
    assert stale.closed and fresh.sent and backend.connection is fresh


def test_greylisting_is_retried_not_failed(app_factory, smtp_server):
    """A 4xx for the recipient (greylisting) defers the email instead of failing it."""

    async def greylist(server, session, envelope, address, rcpt_options):
        return "450 4.2.0 Greylisted, try again later"

    smtp_server.inbox.handle_RCPT = greylist
    smtp_server.start()
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    queue(app, 1)
    with app.app_context():
        report = deliver_due()
    assert report.deferred == 1
    row = outbox_rows(app)[0]
    assert row.state == OutboxState.PENDING and "450" in row.last_error


def test_one_greylisted_mailbox_does_not_stop_the_pass(app_factory, smtp_server):
    """A recipient's 4xx defers that email only; the rest of the batch is still sent."""
    real_rcpt = smtp_server.inbox.handle_RCPT

    async def greylist_first(server, session, envelope, address, rcpt_options):
        if address == "r0@example.org":
            return "450 4.2.0 Greylisted, try again later"
        return await real_rcpt(server, session, envelope, address, rcpt_options)

    smtp_server.inbox.handle_RCPT = greylist_first
    smtp_server.start()
    app = app_factory(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    queue(app, 3)
    with app.app_context():
        report = deliver_due()
    assert (report.deferred, report.sent) == (1, 2)
    assert sorted(m["To"] for m in smtp_server.inbox.messages) == [
        "r1@example.org", "r2@example.org",
    ]  # fmt: skip


def test_retry_failed_leaves_emails_that_may_have_arrived(app):
    """Plain `retry-failed` requeues real failures only; the flag takes the uncertain ones too."""
    errors = [None, "550 no such user", INTERRUPTED, MAYBE_SENT + "SMTPServerDisconnected"]
    with app.app_context():
        db.session.add_all(
            OutboxEmail(recipient=f"f{n}@example.org", template="password_changed",
                        state=OutboxState.FAILED, last_error=error)
            for n, error in enumerate(errors)
        )  # fmt: skip
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "retry-failed"])
    assert "requeued: 2" in result.output
    pending = {r.recipient for r in outbox_rows(app) if r.state == OutboxState.PENDING}
    assert pending == {"f0@example.org", "f1@example.org"}
    result = app.test_cli_runner().invoke(args=["outbox", "retry-failed", "--include-uncertain"])
    assert "requeued: 2" in result.output
    assert all(r.state == OutboxState.PENDING for r in outbox_rows(app))
