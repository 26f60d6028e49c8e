"""The organizers' CSV of confirmed signatures: streamed, audited, never an email address."""

import csv
import io
from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import gettext as _

from campaigns.core.services import RuleError, record_audit
from campaigns.extensions import db
from campaigns.models import Campaign, Signature, User
from campaigns.models.signature import shown_name
from campaigns.signatures.counting import counted_in

# Rows fetched per round trip; a server-side cursor on PostgreSQL, so memory stays flat.
CHUNK = 1000
COLUMNS = (
    Signature.name, Signature.visibility, Signature.country, Signature.postcode,
    Signature.reason, Signature.reason_hidden_at, Signature.confirmed_at, Signature.source,
)  # fmt: skip
# A cell starting with one of these is a formula to spreadsheet programs (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def may_export(user: User, campaign: Campaign) -> bool:
    """Organizers export their campaign's signatures; admins may too (audited like anyone)."""
    return campaign.can_run_tools(user)


def start_export(actor: User, campaign: Campaign) -> int:
    """Check the actor may export and record it in the audit log; how many rows will come."""
    if not may_export(actor, campaign):
        raise RuleError(_("Only the campaign's organizers can export its signatures."), status=403)
    count = db.session.scalar(
        sa.select(sa.func.count(Signature.id)).where(*counted_in(campaign.id))
    )
    record_audit(actor, "signatures.exported", campaign, campaign_id=campaign.id, rows=count)
    return count


def _cell(value) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def header() -> list[str]:
    """The first line, in the reader's language."""
    return [_("Name"), _("Country"), _("Postcode"), _("Reason"), _("Signed on"), _("Source")]


def csv_lines(campaign_id: int, first_line: list[str]) -> Iterator[str]:
    """The CSV, a chunk of lines at a time, oldest signature first.

    Takes plain values: it runs while the response streams, after the request committed,
    when the request's objects may no longer be loaded.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(first_line)
    rows = db.session.execute(
        sa.select(*COLUMNS)
        .where(*counted_in(campaign_id))
        .order_by(Signature.confirmed_at, Signature.id)
        .execution_options(yield_per=CHUNK)
    )
    for chunk in rows.partitions():
        for row in chunk:
            reason = None if row.reason_hidden_at is not None else row.reason
            writer.writerow([
                _cell(shown_name(row.name, row.visibility)), row.country,
                _cell(row.postcode), _cell(reason),
                row.confirmed_at.isoformat() if row.confirmed_at else "", row.source.value,
            ])  # fmt: skip
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()
