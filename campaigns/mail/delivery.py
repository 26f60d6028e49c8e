"""Delivering due outbox rows with retries and exponential backoff."""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from campaigns.extensions import db
from campaigns.mail.backends import PermanentFailure, get_backend
from campaigns.mail.messages import build_message
from campaigns.models import OutboxEmail, OutboxState, utcnow

log = logging.getLogger(__name__)
RETRY_BASE_SECONDS = 60
RETRY_CAP_SECONDS = 3600


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0


def retry_delay(attempts: int) -> timedelta:
    """Back off 1, 2, 4 ... minutes after each failed attempt, capped at an hour."""
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS))


def due_rows_query(now: datetime, limit: int):
    """Due pending rows, locked; rows another worker holds are skipped, not waited for."""
    return (
        select(OutboxEmail)
        .where(OutboxEmail.state == OutboxState.PENDING, OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def _fail(row: OutboxEmail, error: str, report: DeliveryReport) -> None:
    """Give up on one row for good; it stays in the outbox for `outbox retry-failed`."""
    row.attempts += 1
    row.state, row.last_error = OutboxState.FAILED, error[:500]
    report.failed += 1


def _defer(row: OutboxEmail, now: datetime, error: str, report: DeliveryReport) -> None:
    """Count a failed attempt and back off; give up only after MAIL_MAX_ATTEMPTS."""
    if row.attempts + 1 >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        _fail(row, error, report)
        return
    row.attempts += 1
    row.last_error = error[:500]
    row.next_attempt_at = now + retry_delay(row.attempts)
    report.deferred += 1


def deliver_due(now: datetime | None = None) -> DeliveryReport:
    """Send every due pending email in one batch and commit the outcome."""
    now = now or utcnow()
    report = DeliveryReport()
    rows = list(db.session.scalars(due_rows_query(now, current_app.config["OUTBOX_BATCH_SIZE"])))
    backend = get_backend(current_app.config)
    try:
        for index, row in enumerate(rows):
            try:
                message = build_message(row)
            except Exception as exc:
                # A row that cannot be rendered must not hold back the others.
                log.exception("Outbox email %s cannot be rendered", row.id)
                _fail(row, f"render error: {type(exc).__name__}: {exc}", report)
                continue
            try:
                backend.send(message)
            except PermanentFailure as exc:
                _fail(row, str(exc), report)
            except (smtplib.SMTPException, OSError) as exc:
                log.warning(
                    "Mail server unavailable, deferring %d emails: %s", len(rows) - index, exc
                )
                for pending in rows[index:]:
                    _defer(pending, now, f"{type(exc).__name__}: {exc}", report)
                break
            else:
                row.attempts += 1
                row.state, row.sent_at, row.last_error = OutboxState.SENT, utcnow(), None
                report.sent += 1
    finally:
        backend.close()
    db.session.commit()
    return report


def requeue_failed() -> int:
    """Give failed emails a fresh set of attempts; returns how many."""
    result = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.state == OutboxState.FAILED)
        .values(state=OutboxState.PENDING, attempts=0, next_attempt_at=utcnow())
    )
    db.session.commit()
    return result.rowcount
