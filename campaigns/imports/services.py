"""Paper-signature imports: upload (check and hold), confirm (count), discard (remove).

Uploaded rows wait as pending signatures with import_id set: never emailed, never counted,
and spared by the pending-signature purge, until an organizer confirms the import. The
unique (campaign, canonical email) constraint is the backstop against counting a person
twice: rows are inserted with ON CONFLICT DO NOTHING, and a conflict means "already signed".
An online signature still waiting for its email link does not block a paper row: the row
takes it over and is then confirmed or discarded with its import.
"""

import enum
import os
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from campaigns.core.services import RuleError, record_audit
from campaigns.extensions import db
from campaigns.imports.parsing import Row, parse, read_limited
from campaigns.models import (
    Campaign,
    ImportState,
    Signature,
    SignatureImport,
    SignatureSource,
    SignatureState,
    User,
    Visibility,
    utcnow,
)
from campaigns.signatures.canonical import email_domain
from campaigns.signatures.counting import record_delta
from campaigns.signatures.services import closed_reason

# Addresses per IN (...) list: well under SQLite's limit of bound parameters.
CHUNK = 500
# Rows per executemany, to bound the parameter lists held at once.
INSERT_CHUNK = 5000
FILENAME_MAX = 255
# Rejections because the person is already on the campaign (audited as "duplicates").
DUPLICATE_REASONS = ("duplicate_in_file", "already_counted", "invalidated")


class Outcome(enum.StrEnum):
    """What a confirm or discard request found."""

    DONE = "done"
    ALREADY = "already"


@dataclass(frozen=True)
class Decision:
    """The outcome of confirming or discarding, and how many signatures it touched."""

    outcome: Outcome
    signatures: int
    state: ImportState


def may_import(user: User | None, campaign: Campaign) -> bool:
    """Organizers (owner and co-organizers) and admins import paper signatures."""
    return campaign.can_run_tools(user)


def _require_may_import(actor: User, campaign: Campaign) -> None:
    """Refuse anyone but the campaign's organizers and admins."""
    if not may_import(actor, campaign):
        raise RuleError(_("Only the campaign's organizers can import signatures."), status=403)


def _require_open(campaign: Campaign) -> None:
    """Signatures are added (and counted) only while the campaign takes signatures."""
    reason = closed_reason(campaign)
    if reason:
        raise RuleError(reason, status=409)


def clean_filename(filename: str | None) -> str:
    """The uploaded file's base name, printable and short enough to store."""
    name = os.path.basename((filename or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return (name or "signatures.csv")[:FILENAME_MAX]


def latest_signing_date() -> date:
    """The last date a paper signature can carry: today somewhere on Earth (UTC+14)."""
    return (utcnow() + timedelta(hours=14)).date()


def _reject_repeats(rows: list[Row]) -> None:
    """A second row with an email address already on an accepted row is a duplicate."""
    first_line: dict[str, int] = {}
    for row in rows:
        if row.reason is None and row.canonical:
            if row.canonical in first_line:
                row.reject("duplicate_in_file", first_line[row.canonical])
            else:
                first_line[row.canonical] = row.line


def _reject_signed(campaign_id: int, rows: list[Row]) -> None:
    """Rows whose person is already counted or waiting in another import are rejected.

    A pending online signature (never confirmed, perhaps typed by someone else) does not
    block the paper row: the row takes it over (Row.replaces), because otherwise the purge
    of unconfirmed signatures would later delete it and the person would count nowhere.
    """
    waiting = {row.canonical: row for row in rows if row.reason is None and row.canonical}
    emails = list(waiting)
    for start in range(0, len(emails), CHUNK):
        found = db.session.execute(
            sa.select(
                Signature.canonical_email, Signature.id, Signature.state, Signature.import_id
            ).where(
                Signature.campaign_id == campaign_id,
                Signature.canonical_email.in_(emails[start : start + CHUNK]),
            )
        )
        for canonical, signature_id, state, import_id in found:
            row = waiting[canonical]
            if state == SignatureState.INVALIDATED:
                row.reject("invalidated")
            elif state == SignatureState.PENDING and import_id is None:
                row.replaces = signature_id
            else:  # confirmed (online or imported), or waiting in another import
                row.reject("already_counted")


def _values(record: SignatureImport, row: Row) -> dict:
    """The signature row for an accepted line: pending, count only, no consent, no email."""
    # Noon UTC keeps the written date the same calendar day in nearly every time zone.
    signed_at = datetime.combine(row.signed_on, time(12), tzinfo=UTC)
    return {
        "campaign_id": record.campaign_id, "import_id": record.id, "email": row.email,
        "canonical_email": row.canonical,
        "email_domain": email_domain(row.canonical) if row.canonical else None,
        "name": row.name, "country": row.country, "visibility": Visibility.COUNT_ONLY,
        "consent_updates": False, "state": SignatureState.PENDING,
        "source": SignatureSource.IMPORT, "suspect": False, "resend_count": 0,
        "reason_reports": 0, "locale": "en", "created_at": signed_at,
    }  # fmt: skip


# What taking over an unconfirmed online signature replaces: everything its signer typed
# or that ties it to them (account, address hash, reason), so the row is the paper one.
TAKEOVER_CLEARED = {"user_id": None, "postcode": None, "reason": None, "ip_hash": None,
                    "suspect_reason": None}  # fmt: skip
TAKEOVER_KEPT = ("campaign_id", "canonical_email", "state")


def _take_over(record: SignatureImport, rows: list[Row]) -> None:
    """Make the unconfirmed online signatures these rows replace part of this import.

    Guarded: a signature confirmed, invalidated or deleted since the check is left alone,
    and the INSERT that follows (conflicting, or not) settles that row.
    """
    table = Signature.__table__
    columns = [key for key in _values(record, rows[0]) if key not in TAKEOVER_KEPT]
    columns += list(TAKEOVER_CLEARED)
    statement = (
        sa.update(table)
        .where(
            table.c.id == sa.bindparam("signature_id"),
            table.c.state == SignatureState.PENDING,
            table.c.import_id.is_(None),
        )
        .values({column: sa.bindparam(f"new_{column}") for column in columns})
    )
    params = []
    for row in rows:
        values = {**_values(record, row), **TAKEOVER_CLEARED}
        params.append({"signature_id": row.replaces,
                       **{f"new_{column}": values[column] for column in columns}})  # fmt: skip
    for start in range(0, len(params), INSERT_CHUNK):
        db.session.execute(statement, params[start : start + INSERT_CHUNK])


def _insert(record: SignatureImport, rows: list[Row]) -> None:
    """Insert the accepted rows; one that lost a race to a new signer is rejected after all.

    An executemany of one INSERT ... ON CONFLICT DO NOTHING (batched by the driver): a
    multi-row VALUES per chunk would be compiled afresh each time, far slower. Rows taking
    over an online signature go through it too: one whose takeover missed (that signature
    was deleted meanwhile) is inserted, one taken over conflicts with itself harmlessly.
    """
    table = Signature.__table__
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(
        index_elements=["campaign_id", "canonical_email"]
    )
    accepted = [row for row in rows if row.reason is None]
    replacing = [row for row in accepted if row.replaces is not None]
    if replacing:
        _take_over(record, replacing)
    for start in range(0, len(accepted), INSERT_CHUNK):
        chunk = accepted[start : start + INSERT_CHUNK]
        db.session.execute(statement, [_values(record, row) for row in chunk])
    inserted = set(
        db.session.scalars(
            sa.select(Signature.canonical_email).where(
                Signature.import_id == record.id, Signature.canonical_email.is_not(None)
            )
        )
    )
    for row in accepted:
        if row.canonical and row.canonical not in inserted:
            row.reject("already_counted")


def _report(rows: list[Row]) -> list[dict]:
    """The per-row report kept on the import: never an email address."""
    return [
        {"line": row.line, "name": row.name, "country": row.country,
         "date": row.signed_on.isoformat() if row.signed_on else None,
         "status": "rejected" if row.reason else "accepted",
         "reason": row.reason, "detail": row.detail}
        for row in rows
    ]  # fmt: skip


def upload_import(
    actor: User, campaign: Campaign, *, filename: str | None, data, day_first: bool = True
) -> SignatureImport:
    """Check an uploaded CSV and hold its good rows as uncounted signatures.

    data is the file's bytes or a binary stream (read at most IMPORT_MAX_BYTES + 1 chunk).
    Raises ImportFileError, with nothing stored, when the file as a whole is unusable.
    """
    _require_may_import(actor, campaign)
    _require_open(campaign)
    config = current_app.config
    raw = read_limited(data, config["IMPORT_MAX_BYTES"])
    rows = parse(raw, max_rows=config["IMPORT_MAX_ROWS"], day_first=day_first,
                 latest=latest_signing_date())  # fmt: skip
    _reject_repeats(rows)
    _reject_signed(campaign.id, rows)
    record = SignatureImport(
        campaign_id=campaign.id, uploaded_by_id=actor.id, filename=clean_filename(filename),
        state=ImportState.PENDING, created_at=utcnow(),
    )  # fmt: skip
    db.session.add(record)
    db.session.flush()
    _insert(record, rows)
    record.report = _report(rows)
    record.rows_total = len(rows)
    record.rows_accepted = sum(1 for row in rows if row.reason is None)
    record.rows_rejected = record.rows_total - record.rows_accepted
    duplicates = sum(1 for row in rows if row.reason in DUPLICATE_REASONS)
    record_audit(actor, "imports.uploaded", record, campaign_id=campaign.id,
                 rows=record.rows_total, accepted=record.rows_accepted,
                 rejected=record.rows_rejected, duplicates=duplicates,
                 replaced=sum(1 for row in rows if row.reason is None and row.replaces),
                 )  # fmt: skip
    return record


def import_of(campaign: Campaign, import_id: int) -> SignatureImport:
    """The campaign's import with this id, or a 404 refusal."""
    record = db.session.scalar(
        sa.select(SignatureImport).where(
            SignatureImport.id == import_id, SignatureImport.campaign_id == campaign.id
        )
    )
    if record is None:
        raise RuleError(_("There is no such import."), status=404)
    return record


def _decide(actor: User, record: SignatureImport, state: ImportState) -> bool:
    """Move a pending import to state with one guarded UPDATE; False if already decided."""
    claimed = db.session.execute(
        sa.update(SignatureImport)
        .where(SignatureImport.id == record.id, SignatureImport.state == ImportState.PENDING)
        .values(state=state, decided_by_id=actor.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(record)
    return bool(claimed)


def confirm_import(actor: User, campaign: Campaign, import_id: int) -> Decision:
    """Count a pending import's signatures: confirmed together, one count delta for all."""
    _require_may_import(actor, campaign)
    record = import_of(campaign, import_id)
    if record.state != ImportState.PENDING:
        return Decision(Outcome.ALREADY, 0, record.state)
    _require_open(campaign)
    if not _decide(actor, record, ImportState.CONFIRMED):
        return Decision(Outcome.ALREADY, 0, record.state)
    held = (
        db.session.execute(
            sa.update(Signature)
            .where(Signature.import_id == record.id, Signature.state == SignatureState.PENDING)
            .values(state=SignatureState.CONFIRMED, confirmed_at=utcnow())
            .returning(Signature.suspect)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    # Imported rows are never suspect; should one be, it is confirmed but, as anywhere,
    # not counted until a moderator releases it: the delta matches the counted rows.
    confirmed = sum(1 for suspect in held if not suspect)
    record_delta(campaign.id, confirmed)
    record_audit(actor, "imports.confirmed", record, campaign_id=campaign.id,
                 confirmed=confirmed, filename=record.filename)  # fmt: skip
    return Decision(Outcome.DONE, confirmed, ImportState.CONFIRMED)


def discard_import(actor: User, campaign: Campaign, import_id: int) -> Decision:
    """Throw away a pending import: its waiting signatures are deleted, none was counted."""
    _require_may_import(actor, campaign)
    record = import_of(campaign, import_id)
    if record.state != ImportState.PENDING or not _decide(actor, record, ImportState.DISCARDED):
        return Decision(Outcome.ALREADY, 0, record.state)
    removed = db.session.execute(
        sa.delete(Signature)
        .where(Signature.import_id == record.id, Signature.state == SignatureState.PENDING)
        .execution_options(synchronize_session=False)
    ).rowcount
    record_audit(actor, "imports.discarded", record, campaign_id=campaign.id,
                 removed=removed, filename=record.filename)  # fmt: skip
    return Decision(Outcome.DONE, removed, ImportState.DISCARDED)
