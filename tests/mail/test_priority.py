"""Transactional email goes before bulk email: a big update never delays a confirmation."""

from datetime import timedelta

from campaigns.extensions import db
from campaigns.mail.delivery import claim_next, deliver_due
from campaigns.models import OutboxEmail, OutboxState, utcnow
from tests.conftest import outbox_rows


def queue(bulk: int, transactional: int) -> None:
    """Bulk rows due an hour ago (with dedupe keys), then transactional rows due now."""
    earlier = utcnow() - timedelta(hours=1)
    db.session.add_all(
        OutboxEmail(recipient=f"bulk{n}@example.org", template="password_changed",
                    next_attempt_at=earlier, dedupe_key=f"update:1:{n}")
        for n in range(bulk)
    )  # fmt: skip
    db.session.add_all(
        OutboxEmail(recipient=f"now{n}@example.org", template="password_changed")
        for n in range(transactional)
    )
    db.session.commit()


def test_claims_take_transactional_rows_before_older_bulk_rows(app):
    """Even due later, rows without a dedupe key are claimed first; then the bulk ones."""
    with app.app_context():
        queue(bulk=3, transactional=2)
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            claimed = [claim_next(conn, utcnow()) for _ in range(6)]
    recipients = [row.recipient if row else None for row in claimed]
    assert [r[:3] for r in recipients[:2]] == ["now", "now"]
    assert sorted(recipients[2:5]) == [
        "bulk0@example.org",
        "bulk1@example.org",
        "bulk2@example.org",
    ]
    assert recipients[5] is None


def test_a_delivery_pass_sends_confirmations_while_an_update_waits(app_factory):
    """With a batch smaller than the bulk backlog, the transactional emails still go out."""
    app = app_factory(OUTBOX_BATCH_SIZE=2)
    with app.app_context():
        queue(bulk=5, transactional=2)
        report = deliver_due()
    assert report.sent == 2
    sent = {row.recipient for row in outbox_rows(app) if row.state == OutboxState.SENT}
    assert sent == {"now0@example.org", "now1@example.org"}
