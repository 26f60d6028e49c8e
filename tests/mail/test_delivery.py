"""The outbox: written with the change, delivered with retries, never lost."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaigns.extensions import db
from campaigns.jobs.tasks import TASKS
from campaigns.mail.delivery import deliver_due, requeue_failed, retry_delay
from campaigns.mail.outbox import queue_email
from campaigns.models import OutboxEmail, OutboxState, utcnow
from tests.conftest import outbox_rows, register


def only_row(app) -> OutboxEmail:
    """The single outbox row."""
    [row] = outbox_rows(app)
    return row


def test_email_exists_only_if_the_transaction_commits(app):
    """A rolled-back change leaves no email and schedules no job."""
    runner = app.extensions["groundswell_jobs"]
    with app.test_request_context():
        queue_email("a@example.org", "password_changed", name="A")
        db.session.rollback()
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 0
        assert runner.submitted == []
        queue_email("a@example.org", "password_changed", name="A")
        db.session.commit()
        assert db.session.scalar(select(func.count(OutboxEmail.id))) == 1
        assert runner.submitted == ["deliver_outbox"]


def test_unknown_template_is_a_programming_error(app):
    """Typos in template names fail loudly at queue time."""
    with app.app_context(), pytest.raises(ValueError, match="unknown email template"):
        queue_email("a@example.org", "no_such_template")


def test_dev_backend_and_mailbox(app, client):
    """With the dev backend the job marks mail sent and /dev/mailbox shows it with its link."""
    register(client)
    with app.app_context():
        expected = {"sent": 1, "deferred": 0, "failed": 0, "cancelled": 0, "reaped": 0}
        assert TASKS["deliver_outbox"]() == expected
    row = only_row(app)
    assert row.state == OutboxState.SENT and row.sent_at is not None
    listing = client.get("/dev/mailbox")
    assert b"ana@example.org" in listing.data
    message = client.get(f"/dev/mailbox/{row.id}")
    assert message.status_code == 200
    assert row.payload["link"].encode() in message.data
    assert client.get("/dev/mailbox/999999").status_code == 404


def test_no_mailbox_without_dev_backend(app_factory):
    """The mailbox route does not exist with a real backend."""
    app = app_factory(MAIL_BACKEND="smtp")
    assert app.test_client().get("/dev/mailbox").status_code == 404


def test_smtp_delivery_through_real_server(smtp_app, smtp_server):
    """A registration email arrives at a real SMTP server with text and HTML parts."""
    smtp_server.start()
    register(smtp_app.test_client())
    with smtp_app.app_context():
        report = deliver_due()
    assert (report.sent, report.deferred, report.failed) == (1, 0, 0)
    [message] = smtp_server.inbox.messages
    assert message["To"] == "ana@example.org"
    assert message["Subject"] == "Confirm your email address"
    link = only_row(smtp_app).payload["link"]
    assert link in message.get_body(("plain",)).get_content()
    assert link in message.get_body(("html",)).get_content()


def test_smtp_outage_delays_mail_and_loses_none(smtp_app, smtp_server):
    """With the server down the email waits and backs off; once it is back, it arrives."""
    register(smtp_app.test_client())
    with smtp_app.app_context():
        report = deliver_due()
    assert (report.sent, report.deferred) == (0, 1)
    row = only_row(smtp_app)
    assert row.state == OutboxState.PENDING and row.attempts == 1
    assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert "ConnectionRefusedError" in row.last_error
    smtp_server.start()
    with smtp_app.app_context():
        assert deliver_due().sent == 0  # not due yet: backoff is respected
        assert deliver_due(now=utcnow() + timedelta(minutes=2)).sent == 1
    assert len(smtp_server.inbox.messages) == 1
    assert only_row(smtp_app).state == OutboxState.SENT


def test_gives_up_after_max_attempts_and_can_be_requeued(app_factory, smtp_server):
    """After MAIL_MAX_ATTEMPTS the row is failed, kept, and `retry-failed` revives it."""
    app = app_factory(
        MAIL_BACKEND="smtp",
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        MAIL_MAX_ATTEMPTS=2,
    )
    register(app.test_client())
    with app.app_context():
        deliver_due()
        deliver_due(now=utcnow() + timedelta(hours=2))
    assert only_row(app).state == OutboxState.FAILED
    with app.app_context():
        assert requeue_failed() == 1
    smtp_server.start()
    result = app.test_cli_runner().invoke(args=["outbox", "deliver"])
    assert "sent: 1" in result.output
    status = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert "sent: 1" in status.output and "failed: 0" in status.output


def test_permanent_refusal_fails_at_once(smtp_app, smtp_server):
    """A 550 for the recipient is final; retrying would not help."""
    smtp_server.inbox.refuse = True
    smtp_server.start()
    register(smtp_app.test_client())
    with smtp_app.app_context():
        assert deliver_due().failed == 1
    row = only_row(smtp_app)
    assert row.state == OutboxState.FAILED and "550" in row.last_error


def test_retry_delay_doubles_up_to_an_hour():
    """Backoff: 1, 2, 4 minutes ... capped at 60."""
    minutes = [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 7, 20)]
    assert minutes == [1, 2, 4, 60, 60]


def test_french_user_gets_french_email(app, client):
    """Emails are rendered in the recipient's language."""
    client.post("/language", data={"lang-language": "fr", "lang-next": "/"})
    register(client)
    row = only_row(app)
    assert row.locale == "fr"
    page = client.get(f"/dev/mailbox/{row.id}")
    assert b"Confirmez votre adresse e-mail" in page.data


def test_broken_row_does_not_hold_back_the_others(app, client):
    """A row that cannot be rendered is failed; the rest of the batch is delivered."""
    register(client)
    with app.app_context():
        # Not in SUBJECTS and no template file: rendering it raises.
        db.session.add(
            OutboxEmail(recipient="x@example.org", template="missing_template", payload={})
        )
        db.session.commit()
        report = deliver_due()
        assert (report.sent, report.failed) == (1, 1)
        states = dict(db.session.execute(select(OutboxEmail.template, OutboxEmail.state)).all())
    assert states == {"verify_email": OutboxState.SENT, "missing_template": OutboxState.FAILED}
