"""`flask signatures seed SLUG COUNT`: many confirmed signatures at once, for benchmarks."""

import time
import uuid
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from campaigns.extensions import db
from campaigns.models import Campaign, Signature, utcnow
from campaigns.signatures.counting import real_and_pending, stamp_milestones, take_count_lock

BATCH = 5000
# Every column a row needs (the NOT NULL ones have no server default), in COPY order.
COLUMNS = (
    "campaign_id", "email", "canonical_email", "email_domain", "name", "country", "reason",
    "visibility", "consent_updates", "state", "source", "suspect", "resend_count", "locale",
    "reason_reports", "created_at", "confirmed_at",
)  # fmt: skip
VISIBILITIES = ("count_only",) * 6 + ("initials",) * 3 + ("full_name",)
COUNTRIES = ("GB", "FR", "DE", "ES", "IE", "NL", "US", "CA")
LOCK_TRIES = 100


def _rows(campaign_id: int, count: int):
    """Confirmed signatures with unique addresses, one a second up to now, oldest first."""
    run = uuid.uuid4().hex[:8]  # a second seeding of the same campaign must not collide
    now = utcnow()
    for n in range(count):
        email = f"seed.{run}.{n}@example.org"
        signed = now - timedelta(seconds=count - n)
        yield (
            campaign_id, email, email, "example.org", f"Supporter {n}", COUNTRIES[n % 8],
            f"Reason number {n}." if n % 5 == 0 else None, VISIBILITIES[n % 10], n % 3 == 0,
            "confirmed", "import", False, 0, "en", 0, signed, signed,
        )  # fmt: skip


def _copy(campaign_id: int, count: int) -> None:
    """PostgreSQL: stream the rows through COPY, in the session's transaction."""
    raw = db.session.connection().connection.dbapi_connection
    statement = f"COPY signature ({', '.join(COLUMNS)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in _rows(campaign_id, count):
            copy.write_row(row)


def _insert_batches(campaign_id: int, count: int) -> None:
    """Other databases: executemany in batches."""
    table = Signature.__table__
    batch = []
    for row in _rows(campaign_id, count):
        batch.append(dict(zip(COLUMNS, row, strict=True)))
        if len(batch) == BATCH:
            db.session.execute(table.insert(), batch)
            batch = []
    if batch:
        db.session.execute(table.insert(), batch)


def _lock_counts() -> None:
    """Hold the count lock, waiting briefly for a running aggregator to finish."""
    for _ in range(LOCK_TRIES):
        if take_count_lock():
            return
        time.sleep(0.1)
    raise click.ClickException("The count aggregator held its lock too long; try again.")


def set_exact_count(campaign_id: int) -> int:
    """Make stored count plus pending deltas equal a real count; stamp passed milestones quietly.

    Seeded signatures are not news, so milestones they pass are stamped without emailing
    organizers, as the migration that introduced the stamps did.
    """
    _lock_counts()
    real, pending = real_and_pending(campaign_id)
    now = utcnow()
    count = db.session.execute(
        sa.update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(signature_count=real - pending, count_updated_at=now)
        .returning(Campaign.signature_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    stamp_milestones(campaign_id, count, now, announce=False)
    return count


@click.group("signatures")
def signatures_cli():
    """Manage signatures from the command line."""


@signatures_cli.command("seed")
@click.argument("slug")
@click.argument("count", type=click.IntRange(min=1))
@click.option(
    "--fake-signatures-in-production",
    is_flag=True,
    help="Allow it with GROUNDSWELL_ENV=production (benchmarks on a throwaway database).",
)
@with_appcontext
def seed(slug: str, count: int, fake_signatures_in_production: bool):
    """Add COUNT confirmed signatures to campaign SLUG (COPY on PostgreSQL); count stays exact.

    The signatures are made up: for load tests and benchmarks, never a real campaign.
    """
    production = current_app.config["ENV_NAME"] == "production"
    if production and not fake_signatures_in_production:
        raise click.ClickException(
            "Refusing to add made-up signatures with GROUNDSWELL_ENV=production. "
            "On a throwaway benchmark database, add --fake-signatures-in-production."
        )
    campaign_id = db.session.scalar(sa.select(Campaign.id).where(Campaign.slug == slug))
    if campaign_id is None:
        raise click.ClickException(f"No campaign with the slug {slug!r}.")
    started = time.perf_counter()
    if db.session.get_bind().dialect.name == "postgresql":
        _copy(campaign_id, count)
    else:
        _insert_batches(campaign_id, count)
    total = set_exact_count(campaign_id)
    db.session.commit()
    elapsed = time.perf_counter() - started
    click.echo(f"Seeded {count} confirmed signatures on {slug} in {elapsed:.1f} s.")
    click.echo(f"signature_count={total}")
