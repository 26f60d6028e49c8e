"""`flask outbox ...`: inspect and drive email delivery by hand."""

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from campaigns.extensions import db
from campaigns.mail.delivery import reap_interrupted, requeue_failed
from campaigns.models import OutboxEmail, OutboxState


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
    for state in OutboxState:
        click.echo(f"{state.value}: {counts.get(state.value, 0)}")


@outbox_cli.command("deliver")
@with_appcontext
def deliver():
    """Deliver every email that is due now, each at most once, as the delivery job does."""
    from campaigns.jobs.tasks import TASKS

    total = TASKS["deliver_outbox"]()
    click.echo(", ".join(f"{key}: {value}" for key, value in total.items()))


@outbox_cli.command("reap")
@with_appcontext
def reap():
    """Mark emails whose worker died while sending as failed (never re-sent automatically)."""
    click.echo(f"failed: {reap_interrupted()}")


@outbox_cli.command("retry-failed")
@click.option(
    "--include-uncertain",
    is_flag=True,
    help="Also requeue emails that may have arrived (interrupted mid-send): they may arrive twice.",
)
@with_appcontext
def retry_failed(include_uncertain: bool):
    """Put failed emails back in the queue; ones that may have arrived only when asked."""
    click.echo(f"requeued: {requeue_failed(include_uncertain=include_uncertain)}")
