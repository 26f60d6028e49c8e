"""What moderators read: the review queue, hidden campaigns and body revisions with diffs."""

import difflib
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    CampaignReport,
    CampaignRevision,
    CampaignStatus,
    Signature,
    SignatureState,
)
from campaigns.models.campaign import PUBLISHED
from campaigns.signatures.moderation_queries import reported_reasons_query


@dataclass
class RevisionDiff:
    """One revision and what changed since the one before it (empty for the first)."""

    revision: CampaignRevision
    number: int
    summary_diff: list[str]
    body_diff: list[str]

    @property
    def is_first(self) -> bool:
        """The version as approved: nothing earlier to compare with."""
        return self.number == 1


def pending_review_query() -> Select:
    """Campaigns awaiting review, the longest-waiting first, with owner and claim holder."""
    return (
        select(Campaign)
        .where(Campaign.status == CampaignStatus.PENDING_REVIEW)
        .options(selectinload(Campaign.owner), selectinload(Campaign.claimed_by))
        .order_by(Campaign.submitted_at.asc(), Campaign.id.asc())
    )


def hidden_awaiting(limit: int = 100) -> list[Campaign]:
    """Published campaigns hidden pending a decision, the longest-hidden first."""
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.hidden_at.is_not(None), Campaign.status.in_(PUBLISHED))
            .options(selectinload(Campaign.owner), selectinload(Campaign.claimed_by))
            .order_by(Campaign.hidden_at.asc(), Campaign.id.asc())
            .limit(limit)
        )
    )


# Suspect signatures still held for a moderator, as on each campaign's signatures page;
# invalidated and withdrawn ones need no decision any more. Written as the predicate of
# the partial index ix_signature_suspect_waiting, so both databases count from the index.
SUSPECT_WAITING = (
    Signature.suspect,
    Signature.state.in_([SignatureState.PENDING, SignatureState.CONFIRMED]),
)


def queue_counts() -> dict[str, int]:
    """What waits for moderators, counted in one statement.

    pending: campaigns awaiting review; hidden: published campaigns hidden pending a
    decision; reports: open campaign reports; reasons: reported signer reasons awaiting a
    decision; suspect: suspect signatures held for a moderator (pending or confirmed).
    """
    pending = select(func.count(Campaign.id)).where(
        Campaign.status == CampaignStatus.PENDING_REVIEW
    )
    hidden = select(func.count(Campaign.id)).where(
        Campaign.hidden_at.is_not(None), Campaign.status.in_(PUBLISHED)
    )
    reports = select(func.count(CampaignReport.id)).where(CampaignReport.resolved_at.is_(None))
    reasons = reported_reasons_query().with_only_columns(func.count(Signature.id)).order_by(None)
    suspect = select(func.count(Signature.id)).where(*SUSPECT_WAITING)
    row = db.session.execute(
        select(
            pending.scalar_subquery().label("pending"),
            hidden.scalar_subquery().label("hidden"),
            reports.scalar_subquery().label("reports"),
            reasons.scalar_subquery().label("reasons"),
            suspect.scalar_subquery().label("suspect"),
        )
    ).one()
    return {key: int(value or 0) for key, value in row._asdict().items()}


def suspect_by_campaign(limit: int = 10) -> list[tuple[Campaign, int]]:
    """The campaigns holding the most suspect signatures, with how many each holds."""
    total = func.count(Signature.id)
    rows = db.session.execute(
        select(Signature.campaign_id, total)
        .where(*SUSPECT_WAITING)
        .group_by(Signature.campaign_id)
        .order_by(total.desc(), Signature.campaign_id)
        .limit(limit)
    ).all()
    if not rows:
        return []
    ids = [campaign_id for campaign_id, _ in rows]
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign).where(Campaign.id.in_(ids)))}
    return [(campaigns[campaign_id], n) for campaign_id, n in rows if campaign_id in campaigns]


def open_reports_for(campaign: Campaign) -> list[CampaignReport]:
    """The campaign's reports nobody has dealt with yet, oldest first."""
    return list(
        db.session.scalars(
            select(CampaignReport)
            .where(CampaignReport.campaign_id == campaign.id, CampaignReport.resolved_at.is_(None))
            .order_by(CampaignReport.created_at, CampaignReport.id)
        )
    )


def revision_history(campaign: Campaign, limit: int = 50) -> list[RevisionDiff]:
    """The campaign's revisions, newest first, each with a unified diff against the previous."""
    total = db.session.scalar(
        select(func.count(CampaignRevision.id)).where(CampaignRevision.campaign_id == campaign.id)
    )
    # One more than shown, so the oldest shown revision still has something to compare with.
    rows = list(
        db.session.scalars(
            select(CampaignRevision)
            .where(CampaignRevision.campaign_id == campaign.id)
            .options(selectinload(CampaignRevision.editor))
            .order_by(CampaignRevision.created_at.desc(), CampaignRevision.id.desc())
            .limit(limit + 1)
        )
    )
    history = []
    for index, revision in enumerate(rows[:limit]):
        number = total - index
        previous = rows[index + 1] if index + 1 < len(rows) else None
        if previous is None:
            history.append(RevisionDiff(revision, number, [], []))
            continue
        history.append(
            RevisionDiff(
                revision,
                number,
                unified_diff(previous.summary, revision.summary, number),
                unified_diff(previous.body, revision.body, number),
            )
        )
    return history


def unified_diff(old: str, new: str, number: int) -> list[str]:
    """Line diff of two texts, as lines; empty when nothing changed."""
    return list(
        difflib.unified_diff(
            (old or "").splitlines(),
            (new or "").splitlines(),
            fromfile=f"#{number - 1}",
            tofile=f"#{number}",
            lineterm="",
        )
    )
