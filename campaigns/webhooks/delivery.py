"""Sending due webhook deliveries: claimed one at a time, retried with backoff, at least once.

A worker claims a due row with one UPDATE that increments its attempts and pushes its
next_attempt_at past the send (a lease), and commits before sending; on PostgreSQL the
row is picked with FOR UPDATE SKIP LOCKED, so workers take different rows; on SQLite the
database's single writer does the same. No transaction stays open during the HTTP call.
A worker that dies mid-send leaves the row pending; it is due again when the lease ends
and is sent again: webhooks are at-least-once, and receivers drop duplicates by event id
(Groundswell-Delivery). 2xx is delivered; anything else is retried after 30 s, 2 min,
10 min, 1 h, then every 6 h (each with jitter), until WEBHOOK_MAX_ATTEMPTS, then failed.
"""

import json
import logging
import random
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from campaigns.extensions import db
from campaigns.models import DeliveryState, WebhookDelivery, WebhookEndpoint, utcnow
from campaigns.webhooks import transport
from campaigns.webhooks.services import DISABLED_ERROR
from campaigns.webhooks.signing import signature_header

log = logging.getLogger(__name__)
RETRY_SCHEDULE = (30, 120, 600, 3600, 21600)
JITTER = 0.2
ERROR_MAX = 200
USER_AGENT = "Groundswell-Webhooks/1"
# A run stops claiming after this long, so slow receivers never hold a worker (or the
# embedded runner's one thread) for minutes; the next run carries on.
RUN_BUDGET_SECONDS = 30
_TABLE = WebhookDelivery.__table__
_CLAIMED = (
    _TABLE.c.id, _TABLE.c.endpoint_id, _TABLE.c.event, _TABLE.c.event_id, _TABLE.c.payload,
    _TABLE.c.attempts,
)  # fmt: skip
# Written as the partial index's predicate (a literal), so SQLite takes due rows from it.
_PENDING = _TABLE.c.state == sa.literal_column(f"'{DeliveryState.PENDING.value}'")


@dataclass
class Report:
    """What one delivery run did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0


def retry_delay(attempts: int, rand=random.random) -> timedelta:
    """The wait after the attempts-th failure, from the schedule, give or take 20%."""
    base = RETRY_SCHEDULE[min(max(attempts, 1), len(RETRY_SCHEDULE)) - 1]
    return timedelta(seconds=base * (1 + JITTER * (2 * rand() - 1)))


def lease(config) -> timedelta:
    """How long a claimed row is left alone: well past the longest possible send."""
    return timedelta(seconds=max(60, 4 * config["WEBHOOK_TIMEOUT_SECONDS"]))


def _claim_statement():
    """UPDATE the next due row (attempts + 1, lease) and return it."""
    due = (
        sa.select(_TABLE.c.id)
        .where(_PENDING, _TABLE.c.next_attempt_at <= sa.bindparam("now"))
        .order_by(_TABLE.c.next_attempt_at)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return (
        sa.update(_TABLE)
        .where(_TABLE.c.id == due, _PENDING)
        .values(attempts=_TABLE.c.attempts + 1, next_attempt_at=sa.bindparam("until"))
        .returning(*_CLAIMED)
    )


def claim_next(now: datetime):
    """Claim the next due delivery and its endpoint, committed; None when nothing is due."""
    until = now + lease(current_app.config)
    row = db.session.execute(_claim_statement(), {"now": now, "until": until}).first()
    if row is None:
        db.session.rollback()
        return None, None
    endpoint = db.session.execute(
        sa.select(WebhookEndpoint.url, WebhookEndpoint.secret, WebhookEndpoint.disabled_at).where(
            WebhookEndpoint.id == row.endpoint_id
        )
    ).one()
    db.session.commit()
    return row, endpoint


def _record(row, **values) -> None:
    """Write a claimed row's outcome, unless another worker claimed it since, and commit."""
    db.session.execute(
        sa.update(_TABLE)
        .where(_TABLE.c.id == row.id, _TABLE.c.attempts == row.attempts, _PENDING)
        .values(**values)
    )
    db.session.commit()


def request_for(row, secret: str, now: datetime) -> tuple[bytes, dict]:
    """The body and headers of one attempt, signed with a timestamp of now."""
    body = json.dumps(row.payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Groundswell-Event": row.event,
        "Groundswell-Delivery": row.event_id,
        "Groundswell-Timestamp": timestamp,
        "Groundswell-Signature": signature_header(secret, timestamp, body),
    }
    return body, headers


def _failed_attempt(row, now: datetime, status: int | None, error: str, report: Report) -> None:
    """Retry later, or give up after WEBHOOK_MAX_ATTEMPTS."""
    error = error[:ERROR_MAX]
    if row.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        _record(row, state=DeliveryState.FAILED, last_status=status, last_error=error)
        report.failed += 1
        return
    retry_at = now + retry_delay(row.attempts)
    _record(row, last_status=status, last_error=error, next_attempt_at=retry_at)
    report.retrying += 1


def deliver_one(row, endpoint, now: datetime, report: Report) -> None:
    """Send one claimed delivery and record what happened."""
    if endpoint.disabled_at is not None:
        _record(row, state=DeliveryState.FAILED, last_error=DISABLED_ERROR)
        report.failed += 1
        return
    config = current_app.config
    body, headers = request_for(row, endpoint.secret, utcnow())
    timeout, allow_private = config["WEBHOOK_TIMEOUT_SECONDS"], config["WEBHOOK_ALLOW_PRIVATE"]
    try:
        # The log keeps plain English, whichever request's locale the worker runs under;
        # refusals in it never name a resolved address (targets.refusal).
        with force_locale("en"):
            answer = transport.post(
                endpoint.url, body, headers, timeout=timeout, allow_private=allow_private
            )
    except Exception as exc:  # any failure to get an answer is one failed attempt
        _failed_attempt(row, now, None, f"{type(exc).__name__}: {exc}", report)
        return
    if answer.ok:
        _record(
            row, state=DeliveryState.DELIVERED, last_status=answer.status, last_error=None,
            delivered_at=utcnow(),
        )  # fmt: skip
        report.delivered += 1
        return
    error = f"HTTP {answer.status}" + (f": {answer.excerpt}" if answer.excerpt else "")
    _failed_attempt(row, now, answer.status, error, report)


def deliver_due(now: datetime | None = None) -> dict:
    """Send up to WEBHOOK_BATCH_SIZE due deliveries, one claim at a time.

    now is the clock for what is due and when retries fall (tests move it forward);
    the signature's timestamp is always the real time of the send.
    """
    report = Report()
    stop_at = time.monotonic() + RUN_BUDGET_SECONDS
    try:
        for _ in range(current_app.config["WEBHOOK_BATCH_SIZE"]):
            if time.monotonic() > stop_at:
                break
            moment = now or utcnow()
            row, endpoint = claim_next(moment)
            if row is None:
                break
            deliver_one(row, endpoint, moment, report)
    except BaseException:
        db.session.rollback()
        raise
    return asdict(report)
