"""The job functions. Each runs inside an app context and ends its own transaction."""

import contextlib
import functools
import logging

from flask import current_app, has_app_context

from campaigns.extensions import db

log = logging.getLogger(__name__)
_worker_app = None


def _app():
    """The app for jobs started outside one (the plain `rq worker` command)."""
    global _worker_app
    if _worker_app is None:
        from campaigns import create_app

        _worker_app = create_app()
    return _worker_app


def job(func):
    """Run func in an app context and always release its database session."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with contextlib.nullcontext() if has_app_context() else _app().app_context():
            try:
                return func(*args, **kwargs)
            finally:
                db.session.remove()

    return wrapper


@job
def deliver_outbox() -> dict:
    """Fail interrupted sends, then deliver due email pass after pass until none is due.

    Stops early when the mail server fails; the backoff and the periodic sweep resume it.
    """
    from campaigns.mail.delivery import deliver_due, reap_interrupted

    total = {"sent": 0, "deferred": 0, "failed": 0, "cancelled": 0}
    total["reaped"] = reap_interrupted()
    batch = current_app.config["OUTBOX_BATCH_SIZE"]
    while True:
        report = deliver_due()
        for key in ("sent", "deferred", "failed", "cancelled"):
            total[key] += getattr(report, key)
        if report.deferred or report.handled < batch:
            return total


@job
def send_update_emails() -> dict:
    """Queue one email per consenting signer for every update waiting to be emailed."""
    from campaigns.outcomes.mailing import fan_out_updates

    return fan_out_updates()


@job
def refresh_trending() -> int:
    """Recount every campaign's confirmed signatures of the last 24 hours."""
    from campaigns.models import utcnow
    from campaigns.petitions.discovery import refresh_trending as recount

    changed = recount(utcnow())
    db.session.commit()
    return changed


@job
def close_expired() -> list[str]:
    """Close open campaigns whose deadline has passed, whether or not anyone visits them."""
    from campaigns.models import utcnow
    from campaigns.petitions.services import close_expired_campaigns

    closed = close_expired_campaigns(utcnow())
    db.session.commit()
    return closed


@job
def aggregate_counts() -> dict:
    """Apply pending count deltas to campaigns and stamp milestones (one aggregator at a time)."""
    from campaigns.signatures.counting import aggregate

    result = aggregate()
    return {"deltas": result.deltas, "campaigns": len(result.campaigns)}


@job
def reconcile_counts() -> list[dict]:
    """Compare every campaign's count with a real count and repair drift."""
    from campaigns.signatures.counting import reconcile

    return reconcile()


@job
def purge_pending() -> int:
    """Delete signatures left unconfirmed for PENDING_SIGNATURE_DAYS."""
    from campaigns.models import utcnow
    from campaigns.signatures.services import purge_stale_pending

    purged = purge_stale_pending(utcnow())
    db.session.commit()
    return purged


@job
def deliver_webhooks() -> dict:
    """Send due webhook deliveries (retries included); the sweep picks up what is left."""
    from campaigns.webhooks.delivery import deliver_due

    return deliver_due()


TASKS = {
    "deliver_outbox": deliver_outbox,
    "deliver_webhooks": deliver_webhooks,
    "send_update_emails": send_update_emails,
    "refresh_trending": refresh_trending,
    "close_expired": close_expired,
    "aggregate_counts": aggregate_counts,
    "reconcile_counts": reconcile_counts,
    "purge_pending": purge_pending,
}


def periodic_jobs(config) -> list[tuple[str, int]]:
    """(task name, interval in seconds) for the scheduler."""
    return [
        ("deliver_outbox", config["OUTBOX_INTERVAL_SECONDS"]),
        ("deliver_webhooks", config["WEBHOOK_INTERVAL_SECONDS"]),
        # Catches an update whose job request was lost (Redis down) or whose fan-out died.
        ("send_update_emails", config["OUTBOX_INTERVAL_SECONDS"]),
        ("refresh_trending", config["TRENDING_INTERVAL_SECONDS"]),
        ("close_expired", config["DEADLINE_INTERVAL_SECONDS"]),
        ("aggregate_counts", config["COUNT_INTERVAL_SECONDS"]),
        ("reconcile_counts", config["RECONCILE_INTERVAL_SECONDS"]),
        ("purge_pending", config["PURGE_INTERVAL_SECONDS"]),
    ]
