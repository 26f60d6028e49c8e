"""What moderators read about signatures: floods by address hash and domain, reported reasons.

Nothing here selects a signer's email or name: moderators judge floods by hashes, domains
and counts, and reported reasons by their text alone.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import load_only

from campaigns.extensions import db
from campaigns.models import Campaign, Signature, SignatureDelta, SignatureState

BUSIEST_LIMIT = 20


@dataclass(frozen=True)
class Busiest:
    """One address hash or email domain and how many signatures came from it."""

    key: str
    total: int
    suspect: int
    confirmed: int


@dataclass(frozen=True)
class ReportedReason:
    """A reported reason as the queue shows it: no email, no name."""

    signature_id: int
    campaign_title: str
    campaign_slug: str
    reason: str
    reports: int
    reported_at: datetime | None


def busiest_query(campaign_id: int, column, since: datetime, limit: int) -> sa.Select:
    """Keys of `column` with their signature counts since `since`, busiest first."""
    # Filtering on campaign_id and created_at lets ix_signature_campaign_id_created_at serve it.
    total = sa.func.count(Signature.id)
    suspect = sa.func.sum(sa.case((Signature.suspect.is_(True), 1), else_=0))
    confirmed = sa.func.sum(sa.case((Signature.state == SignatureState.CONFIRMED, 1), else_=0))
    return (
        sa.select(column, total, suspect, confirmed)
        .where(
            Signature.campaign_id == campaign_id,
            Signature.created_at >= since,
            column.is_not(None),
        )
        .group_by(column)
        .order_by(total.desc(), column)
        .limit(limit)
    )


def _busiest(campaign_id: int, column, since: datetime, limit: int) -> list[Busiest]:
    """The busiest keys of `column` as Busiest rows."""
    rows = db.session.execute(busiest_query(campaign_id, column, since, limit)).all()
    return [Busiest(key, n, int(s or 0), int(c or 0)) for key, n, s, c in rows]


def busiest_ip_hashes(campaign: Campaign, since: datetime, limit=BUSIEST_LIMIT) -> list[Busiest]:
    """The address hashes that signed the campaign most since `since`."""
    return _busiest(campaign.id, Signature.ip_hash, since, limit)


def busiest_domains(campaign: Campaign, since: datetime, limit=BUSIEST_LIMIT) -> list[Busiest]:
    """The email domains that signed the campaign most since `since`."""
    return _busiest(campaign.id, Signature.email_domain, since, limit)


def suspect_waiting(campaign: Campaign) -> dict[str, int]:
    """Suspect signatures held for a moderator, pending and confirmed, and their total."""
    rows = db.session.execute(
        sa.select(Signature.state, sa.func.count(Signature.id))
        .where(
            Signature.campaign_id == campaign.id,
            Signature.state.in_([SignatureState.PENDING, SignatureState.CONFIRMED]),
            Signature.suspect.is_(True),
        )
        .group_by(Signature.state)
    ).all()
    counts = {SignatureState(state).value: n for state, n in rows}
    pending, confirmed = counts.get("pending", 0), counts.get("confirmed", 0)
    return {"pending": pending, "confirmed": confirmed, "total": pending + confirmed}


def pending_delta(campaign: Campaign) -> int:
    """The change to the count that the aggregator has not applied yet."""
    query = sa.select(sa.func.coalesce(sa.func.sum(SignatureDelta.delta), 0)).where(
        SignatureDelta.campaign_id == campaign.id
    )
    return int(db.session.scalar(query))


def reported_reasons_query() -> sa.Select:
    """Public reasons reported since a moderator last looked, the longest-waiting first.

    Keeping a reason clears its reports and stamps reason_reviewed_at; a report after
    that (reason_reported_at holds the latest) puts it back in the queue.
    """
    return (
        sa.select(Signature)
        .options(
            # The signer's email, name and postcode are never even loaded.
            load_only(
                Signature.id,
                Signature.campaign_id,
                Signature.reason,
                Signature.reason_reports,
                Signature.reason_reported_at,
            )
        )
        .where(
            Signature.reason_reports > 0,
            sa.or_(
                Signature.reason_reviewed_at.is_(None),
                Signature.reason_reported_at > Signature.reason_reviewed_at,
            ),
            Signature.reason.is_not(None),
            Signature.reason_hidden_at.is_(None),
            # Only counted signatures show their reason; others left the public page.
            Signature.state == SignatureState.CONFIRMED,
            Signature.suspect.is_(False),
        )
        .order_by(Signature.reason_reported_at.asc().nulls_last(), Signature.id.asc())
    )


def reported_reasons(signatures: list[Signature]) -> list[ReportedReason]:
    """The queue's rows for a page of signatures, with their campaigns' titles."""
    ids = {s.campaign_id for s in signatures}
    campaigns = {
        row.id: row
        for row in db.session.execute(
            sa.select(Campaign.id, Campaign.title, Campaign.slug).where(Campaign.id.in_(ids))
        )
    }
    return [
        ReportedReason(
            signature_id=s.id,
            campaign_title=campaigns[s.campaign_id].title,
            campaign_slug=campaigns[s.campaign_id].slug,
            reason=s.reason or "",
            reports=s.reason_reports,
            reported_at=s.reason_reported_at,
        )
        for s in signatures
    ]
