"""Reports: anyone flags a campaign; moderators dismiss the reports or hide the campaign."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from campaigns.core.services import record_audit
from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    CampaignReport,
    ReportReason,
    ReportResolution,
    User,
    utcnow,
)
from campaigns.moderation.services import ModerationError, hide

DETAILS_MAX = 1000


@dataclass
class ReportGroup:
    """The open reports on one campaign, oldest first."""

    campaign: Campaign
    count: int
    oldest: datetime
    newest_id: int
    reports: list[CampaignReport] = field(default_factory=list)


def report(
    reporter: User | None, campaign: Campaign, *, reason: ReportReason, details: str = ""
) -> CampaignReport:
    """File a report on a published campaign the reporter can see; reporter may be anonymous."""
    if not (campaign.is_published and campaign.can_view(reporter)):
        raise ModerationError(_("This campaign cannot be reported."))
    details = (details or "").strip()
    if len(details) > DETAILS_MAX:
        raise ModerationError(
            _("Use at most %(n)d characters.", n=DETAILS_MAX),
        )
    signed_in = reporter is not None and reporter.is_authenticated
    row = CampaignReport(
        campaign_id=campaign.id,
        reporter_id=reporter.id if signed_in else None,
        reason=ReportReason(reason),
        details=details,
    )
    db.session.add(row)
    db.session.flush()
    return row


def resolve_report(
    actor: User, report_row: CampaignReport, *, resolution: ReportResolution, note: str = ""
) -> int:
    """Resolve this report and the campaign's older open ones; returns how many were resolved.

    The moderator decides about a campaign, having read all its reports up to this one;
    reports filed after it stay open, since nobody has read them yet. Resolving as hidden
    also hides the campaign (unless it already is).
    """
    if report_row.resolved_at is not None:
        raise ModerationError(_("This report has already been dealt with."))
    resolution = ReportResolution(resolution)
    campaign = report_row.campaign
    if resolution == ReportResolution.HIDDEN and not campaign.is_hidden:
        hide(actor, campaign, note=(note or "").strip() or _("Hidden after reports."))
    rows = db.session.scalars(
        select(CampaignReport).where(
            CampaignReport.campaign_id == campaign.id,
            CampaignReport.resolved_at.is_(None),
            CampaignReport.id <= report_row.id,
        )
    ).all()
    now = utcnow()
    for row in rows:
        row.resolved_at = now
        row.resolved_by_id = actor.id
        row.resolution = resolution
    record_audit(
        actor,
        "campaign.reports_resolved",
        campaign,
        resolution=resolution.value,
        reports=sorted(row.id for row in rows),
    )
    db.session.flush()
    return len(rows)


def open_report_count() -> int:
    """How many reports nobody has dealt with yet."""
    return db.session.scalar(
        select(func.count(CampaignReport.id)).where(CampaignReport.resolved_at.is_(None))
    )


def open_report_groups(limit: int = 50) -> list[ReportGroup]:
    """Open reports grouped per campaign, the longest-waiting campaign first."""
    summary = db.session.execute(
        select(
            CampaignReport.campaign_id,
            func.count(CampaignReport.id),
            func.min(CampaignReport.created_at),
            func.max(CampaignReport.id),
        )
        .where(CampaignReport.resolved_at.is_(None))
        .group_by(CampaignReport.campaign_id)
        .order_by(func.min(CampaignReport.created_at), CampaignReport.campaign_id)
        .limit(limit)
    ).all()
    if not summary:
        return []
    ids = [row[0] for row in summary]
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign).where(Campaign.id.in_(ids)))}
    groups = {
        cid: ReportGroup(campaigns[cid], count, oldest, newest)
        for cid, count, oldest, newest in summary
    }
    reports = db.session.scalars(
        select(CampaignReport)
        .where(CampaignReport.resolved_at.is_(None), CampaignReport.campaign_id.in_(ids))
        .order_by(CampaignReport.created_at, CampaignReport.id)
        .options(selectinload(CampaignReport.reporter))
    )
    for row in reports:
        # Only the reports up to the group's newest id: the form resolves exactly those.
        if row.id <= groups[row.campaign_id].newest_id:
            groups[row.campaign_id].reports.append(row)
    return [groups[cid] for cid in ids]
