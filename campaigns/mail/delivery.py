"""Delivering due outbox rows: each at most once, with retries only when it surely failed.

A worker claims one row at a time (PENDING -> SENDING, committed), hands it to the mail
server, then records the outcome. A worker that dies mid-send leaves its row in SENDING;
the reaper marks it FAILED after OUTBOX_SENDING_TIMEOUT_SECONDS instead of sending it again,
because the server may already have taken it. An admin can requeue it by hand.
"""

import contextlib
import functools
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, bindparam, literal_column, or_, select, update
from sqlalchemy.exc import DBAPIError

from campaigns.extensions import db
from campaigns.mail.backends import MaybeSent, PermanentFailure, get_backend
from campaigns.mail.messages import build_message
from campaigns.mail.outbox import EmailCancelled
from campaigns.models import OutboxEmail, OutboxState, utcnow

log = logging.getLogger(__name__)
RETRY_BASE_SECONDS = 60
RETRY_CAP_SECONDS = 3600
INTERRUPTED = (
    "interrupted while sending; not retried automatically so nobody gets it twice "
    "(if it surely did not arrive: `flask outbox retry-failed --include-uncertain`)"
)
MAYBE_SENT = (
    "connection lost after handing the message over, so it may have arrived; "
    "not retried automatically so nobody gets it twice: "
)
_TABLE = OutboxEmail.__table__
_CLAIMED = (
    _TABLE.c.id,
    _TABLE.c.recipient,
    _TABLE.c.template,
    _TABLE.c.payload,
    _TABLE.c.locale,
    _TABLE.c.attempts,
    _TABLE.c.claimed_at,
)


@dataclass
class DeliveryReport:
    """What one delivery pass did."""

    sent: int = 0
    deferred: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def handled(self) -> int:
        """Rows this pass claimed."""
        return self.sent + self.deferred + self.failed + self.cancelled


def retry_delay(attempts: int) -> timedelta:
    """Back off 1, 2, 4 ... minutes after each failed attempt, capped at an hour."""
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_CAP_SECONDS))


def due_rows_query(now: datetime, limit: int):
    """Due pending rows, locked; rows another worker holds are skipped, not waited for.

    Ordered by the index's own order (state, next_attempt_at) alone, so taking the first
    row reads one index entry; a tie-break on id would sort every pending row per claim.
    """
    return (
        select(OutboxEmail)
        .where(OutboxEmail.state == OutboxState.PENDING, OutboxEmail.next_attempt_at <= now)
        .order_by(OutboxEmail.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


# Written as the partial indexes' predicates (literals, not parameters), so both databases
# take the next due row from the index of its kind (models.outbox).
_PENDING = _TABLE.c.state == literal_column(f"'{OutboxState.PENDING.value}'")
_SENDING = _TABLE.c.state == literal_column(f"'{OutboxState.SENDING.value}'")


@functools.cache
def _claim_statement(bulk: bool):
    """The claim: one UPDATE whose subquery picks and locks the next due row (built once).

    bulk=False claims transactional rows (no dedupe key), bulk=True update emails.
    """
    keyed = _TABLE.c.dedupe_key.is_not(None) if bulk else _TABLE.c.dedupe_key.is_(None)
    due = (
        select(_TABLE.c.id)
        .where(_PENDING, keyed, _TABLE.c.next_attempt_at <= bindparam("now"))
        .order_by(_TABLE.c.next_attempt_at)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        update(_TABLE)
        .where(_TABLE.c.id == due, _TABLE.c.state == OutboxState.PENDING)
        .values(
            state=OutboxState.SENDING,
            claimed_at=bindparam("claimed_at_now"),
            attempts=_TABLE.c.attempts + 1,
        )
        .returning(*_CLAIMED)
    )


def claim_next(conn, now: datetime):
    """Mark the next due row SENDING for this worker and return it (None when none is due).

    `conn` is in autocommit mode, so the claim is committed before anything is sent.
    On PostgreSQL the subquery locks the row (SKIP LOCKED, so workers take different rows);
    on SQLite the statement holds the database's single write lock. The state guard makes
    a row claimed twice impossible on both. Transactional emails go first: a signer's
    confirmation never waits behind a large update's recipients.
    """
    params = {"now": now, "claimed_at_now": utcnow()}
    row = conn.execute(_claim_statement(False), params).first()
    return row if row is not None else conn.execute(_claim_statement(True), params).first()


@functools.cache
def _outcome_statement(columns: tuple[str, ...]):
    """UPDATE of a claimed row's outcome columns, unless it was claimed again since."""
    return (
        update(_TABLE)
        .where(_TABLE.c.id == bindparam("row_id"), _TABLE.c.claimed_at == bindparam("row_claim"))
        .values({column: bindparam(f"new_{column}") for column in columns})
    )


def _record(conn, row, **values) -> None:
    """Record a claimed row's outcome (statements are built once per set of columns)."""
    params = {f"new_{column}": value for column, value in values.items()}
    statement = _outcome_statement(tuple(sorted(values)))
    conn.execute(statement, {"row_id": row.id, "row_claim": row.claimed_at, **params})


def _fail(conn, row, error: str, report: DeliveryReport) -> None:
    """Give up on one row for good; it stays in the outbox for `outbox retry-failed`."""
    _record(conn, row, state=OutboxState.FAILED, last_error=error[:500])
    report.failed += 1


def _defer(conn, row, now: datetime, error: str, report: DeliveryReport) -> None:
    """Put a row that surely was not delivered back in the queue, until MAIL_MAX_ATTEMPTS."""
    if row.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        _fail(conn, row, error, report)
        return
    _record(
        conn,
        row,
        state=OutboxState.PENDING,
        last_error=error[:500],
        next_attempt_at=now + retry_delay(row.attempts),
    )
    report.deferred += 1


def _deliver_one(conn, backend, row, now: datetime, report: DeliveryReport) -> bool:
    """Render and send one claimed row; False when the mail server is failing."""
    try:
        message = build_message(row)
    except EmailCancelled:
        _record(conn, row, state=OutboxState.CANCELLED, last_error=None)
        report.cancelled += 1
        return True
    except Exception as exc:
        # A row that cannot be rendered must not hold back the others.
        log.exception("Outbox email %s cannot be rendered", row.id)
        db.session.rollback()  # a failed query in a link builder must not poison the next
        _fail(conn, row, f"render error: {type(exc).__name__}: {exc}", report)
        return True
    try:
        backend.send(message)
    except PermanentFailure as exc:
        _fail(conn, row, str(exc), report)
    except MaybeSent as exc:
        log.warning("Outbox email %s may have been delivered; not retrying: %s", row.id, exc)
        _fail(conn, row, MAYBE_SENT + str(exc), report)
        return False
    except smtplib.SMTPRecipientsRefused as exc:
        # One mailbox greylisting or full (4xx): retry that one later, keep sending the rest.
        _defer(conn, row, now, f"{type(exc).__name__}: {exc}", report)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("Mail server unavailable, deferring email %s: %s", row.id, exc)
        _defer(conn, row, now, f"{type(exc).__name__}: {exc}", report)
        return False
    else:
        _record(conn, row, state=OutboxState.SENT, sent_at=utcnow(), last_error=None)
        report.sent += 1
    return True


@contextlib.contextmanager
def _connections():
    """(claims, outcomes): autocommit connections, so each statement is durable on return.

    On PostgreSQL outcomes do not wait for the disk (synchronous_commit off): the next
    claim's flush covers them, and one lost in a database crash leaves its row SENDING,
    which the reaper fails; never a second email. Claims always wait: a claim lost after
    its email went out would send that email again.
    """
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as claims:
        if claims.dialect.name != "postgresql":
            yield claims, claims
            return
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as outcomes:
            outcomes.exec_driver_sql("SET synchronous_commit TO off")
            try:
                yield claims, outcomes
            finally:
                try:
                    outcomes.exec_driver_sql("RESET synchronous_commit")
                except DBAPIError:
                    outcomes.invalidate()  # never back in the pool with the setting on


def deliver_due(now: datetime | None = None) -> DeliveryReport:
    """Deliver up to OUTBOX_BATCH_SIZE due emails over one connection, one claim at a time."""
    now = now or utcnow()
    report = DeliveryReport()
    backend = get_backend(current_app.config)
    try:
        with _connections() as (claims, outcomes):
            for _ in range(current_app.config["OUTBOX_BATCH_SIZE"]):
                row = claim_next(claims, now)
                if row is None or not _deliver_one(outcomes, backend, row, now, report):
                    break
    except BaseException:
        db.session.rollback()
        raise
    else:
        db.session.commit()  # ends the read transaction that rendering used
    finally:
        backend.close()
    return report


def reap_interrupted(now: datetime | None = None) -> int:
    """Fail rows left SENDING longer than OUTBOX_SENDING_TIMEOUT_SECONDS; returns how many.

    Their worker died between claiming and recording the outcome, maybe after the server
    took the message: sending again could email someone twice, so they wait for an admin.
    """
    now = now or utcnow()
    cutoff = now - timedelta(seconds=current_app.config["OUTBOX_SENDING_TIMEOUT_SECONDS"])
    result = db.session.execute(
        update(_TABLE)
        .where(_SENDING, _TABLE.c.claimed_at < cutoff)
        .values(state=OutboxState.FAILED, last_error=INTERRUPTED)
    )
    db.session.commit()
    if result.rowcount:
        log.warning("Marked %d interrupted outbox emails failed", result.rowcount)
    return result.rowcount


def requeue_failed(*, include_uncertain: bool = False) -> int:
    """Give failed emails a fresh set of attempts; returns how many.

    Rows that may have arrived (interrupted mid-send, or the connection lost after the
    message was handed over) stay failed unless include_uncertain: requeueing them could
    email someone twice, so that takes an admin who checked.
    """
    query = update(OutboxEmail).where(OutboxEmail.state == OutboxState.FAILED)
    if not include_uncertain:
        query = query.where(
            or_(
                OutboxEmail.last_error.is_(None),
                and_(
                    OutboxEmail.last_error != INTERRUPTED,
                    OutboxEmail.last_error.not_like(MAYBE_SENT + "%"),
                ),
            )
        )
    result = db.session.execute(
        query.values(state=OutboxState.PENDING, attempts=0, next_attempt_at=utcnow())
    )
    db.session.commit()
    return result.rowcount
