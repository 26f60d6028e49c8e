"""Read-side lookups for imports: the list of uploads and one report a page at a time."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import defer, selectinload

from campaigns.extensions import db
from campaigns.imports.reasons import reason_text
from campaigns.models import Campaign, SignatureImport

REPORT_PAGE = 200
SHOWN = ("rejected", "accepted")


@dataclass(frozen=True)
class ReportPage:
    """One page of an import's report, with the rejection reasons written out."""

    show: str
    number: int
    pages: int
    entries: list[dict]


def recent_imports(campaign: Campaign, limit: int = 50) -> list[SignatureImport]:
    """The campaign's imports, newest first, without their (possibly long) reports."""
    return list(
        db.session.scalars(
            sa.select(SignatureImport)
            .where(SignatureImport.campaign_id == campaign.id)
            .options(defer(SignatureImport.report), selectinload(SignatureImport.uploaded_by))
            .order_by(SignatureImport.created_at.desc(), SignatureImport.id.desc())
            .limit(limit)
        )
    )


def report_page(record: SignatureImport, show: str, number: int) -> ReportPage:
    """Rejected or accepted rows of the report, REPORT_PAGE at a time, in file order."""
    show = show if show in SHOWN else SHOWN[0]
    rows = [entry for entry in record.report or [] if entry.get("status") == show]
    pages = max(1, -(-len(rows) // REPORT_PAGE))
    number = min(max(number, 1), pages)
    start = (number - 1) * REPORT_PAGE
    entries = [
        {**entry, "message": reason_text(entry.get("reason"), entry.get("detail"))}
        for entry in rows[start : start + REPORT_PAGE]
    ]
    return ReportPage(show, number, pages, entries)
