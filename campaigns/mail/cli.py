"""`flask outbox ...`: inspect and drive email delivery by hand."""

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from campaigns.extensions import db
from campaigns.mail.delivery import deliver_due, requeue_failed
from campaigns.models import OutboxEmail


@click.group("outbox")
def outbox_cli():
    """Inspect and deliver queued email."""


@outbox_cli.command("status")
@with_appcontext
def status():
    """Count outbox rows by state."""
    rows = db.session.execute(
        select(OutboxEmail.state, func.count()).group_by(OutboxEmail.state)
    ).all()
    counts = {state.value: n for state, n in rows}
    for state in ("pending", "sent", "failed"):
        click.echo(f"{state}: {counts.get(state, 0)}")


@outbox_cli.command("deliver")
@with_appcontext
def deliver():
    """Deliver every email that is due now, once."""
    report = deliver_due()
    click.echo(f"sent: {report.sent}, deferred: {report.deferred}, failed: {report.failed}")


@outbox_cli.command("retry-failed")
@with_appcontext
def retry_failed():
    """Put emails that exhausted their attempts back in the queue."""
    click.echo(f"requeued: {requeue_failed()}")
