"""Campaign verbs for organizers: start, edit step by step, submit, close, reopen."""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaigns.core.markdown import render_markdown
from campaigns.core.services import RuleError, record_audit
from campaigns.database import MAX_ID
from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    CampaignRevision,
    CampaignStatus,
    Category,
    DecisionMaker,
    Milestone,
    Role,
    User,
    utcnow,
)
from campaigns.moderation.services import claim_holder
from campaigns.petitions.countries import GLOBAL, country_codes
from campaigns.petitions.search import refresh_search_text
from campaigns.petitions.slugs import unique_slug
from campaigns.webhooks import hooks as webhook_events

MAX_DEADLINE_DAYS = 365
MAX_DECISION_MAKERS = 10
MAX_MILESTONES = 10


class CampaignError(RuleError):
    """A change the rules do not allow; the message is shown to the organizer."""


@dataclass(frozen=True)
class Maker:
    """A decision maker as the organizer typed it."""

    name: str
    title: str = ""
    organization: str = ""


def _active_category(category_id: int | None) -> Category:
    """The chosen category, which must exist and not be archived."""
    valid = isinstance(category_id, int) and 0 < category_id <= MAX_ID
    category = db.session.get(Category, category_id) if valid else None
    if category is None or category.archived_at is not None:
        raise CampaignError(_("Choose one of the categories offered."), "category")
    return category


def _country(code: str) -> str | None:
    """A country code, or None for a global campaign."""
    if code == GLOBAL:
        return None
    if code not in country_codes():
        raise CampaignError(_("Choose a country, or global."), "country")
    return code


def start_campaign(
    actor: User, *, title: str, category_id: int, country: str, language: str,
    discreet_email: bool = False,
) -> Campaign:  # fmt: skip
    """Create a draft owned by a member whose email address is confirmed."""
    if actor.email_verified_at is None:
        raise CampaignError(_("Confirm your email address before starting a campaign."))
    campaign = Campaign(
        slug=unique_slug(title),
        title=title.strip(),
        category=_active_category(category_id),
        country=_country(country),
        language=language,
        owner=actor,
        status=CampaignStatus.DRAFT,
        discreet_email=discreet_email,
    )
    refresh_search_text(campaign)
    _insert_with_free_slug(campaign)
    return campaign


def _insert_with_free_slug(campaign: Campaign) -> None:
    """Insert the campaign; if another request took the slug meanwhile, add a random suffix."""
    try:
        with db.session.begin_nested():
            db.session.add(campaign)
    except IntegrityError:
        campaign.slug = f"{campaign.slug[:70]}-{secrets.token_hex(3)}"
        with db.session.begin_nested():
            db.session.add(campaign)


def update_basics(
    actor: User, campaign: Campaign, *, title: str, category_id: int, country: str,
    discreet_email: bool | None = None,
) -> None:  # fmt: skip
    """Change title, category, country and discreet email; the title locks once open."""
    _require_edit(actor, campaign)
    title = title.strip()
    if campaign.is_published and title != campaign.title:
        raise CampaignError(_("The title cannot change once the campaign is open."), "title")
    if category_id != campaign.category_id:
        campaign.category = _active_category(category_id)
    campaign.title = title
    campaign.country = _country(country)
    if discreet_email is not None:  # may change while open: it only shapes future emails
        campaign.discreet_email = discreet_email
    refresh_search_text(campaign)


def set_decision_makers(actor: User, campaign: Campaign, makers: list[Maker]) -> None:
    """Replace the decision makers of a draft; at least one is needed."""
    _require_edit(actor, campaign)
    if campaign.is_published:
        raise CampaignError(_("Decision makers cannot change once the campaign is open."))
    makers = [m for m in makers if m.name.strip()]
    if not makers:
        raise CampaignError(_("Name at least one decision maker."), "makers")
    if len(makers) > MAX_DECISION_MAKERS:
        raise CampaignError(
            _("A campaign can address at most %(n)d decision makers.", n=MAX_DECISION_MAKERS),
            "makers",
        )
    campaign.decision_makers = [
        DecisionMaker(
            position=position,
            name=m.name.strip(),
            title=m.title.strip() or None,
            organization=m.organization.strip() or None,
        )
        for position, m in enumerate(makers)
    ]
    refresh_search_text(campaign)


def update_story(
    actor: User,
    campaign: Campaign,
    *,
    summary: str,
    body: str,
    cover_image: str | None = None,
    cover_alt: str | None = None,
) -> None:
    """Set summary, body and cover; edits to an open campaign are kept as revisions."""
    _require_edit(actor, campaign)
    summary, body = summary.strip(), body.strip()
    changed = (summary, body) != (campaign.summary, campaign.body)
    campaign.summary, campaign.body = summary, body
    campaign.body_html = render_markdown(body)
    campaign.cover_image = cover_image
    campaign.cover_alt = (cover_alt or "").strip() or None
    refresh_search_text(campaign)
    if changed and campaign.is_published:
        db.session.add(
            CampaignRevision(
                campaign_id=campaign.id, editor_id=actor.id, summary=summary, body=body
            )
        )


def deadline_from_date(day: date | None) -> datetime | None:
    """A deadline date means the end of that day, in UTC."""
    if day is None:
        return None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def _check_deadline(deadline: datetime | None, now: datetime) -> None:
    """Deadlines lie in the future, at most a year out."""
    if deadline is None:
        return
    if deadline <= now:
        raise CampaignError(_("The deadline must be in the future."), "deadline")
    if deadline > now + timedelta(days=MAX_DEADLINE_DAYS + 1):
        raise CampaignError(_("The deadline can be at most a year from today."), "deadline")


def _check_milestones(milestones: list[tuple[int, str]], goal: int) -> None:
    """Milestones are positive, strictly increasing, labelled and distinct from the goal."""
    if len(milestones) > MAX_MILESTONES:
        raise CampaignError(
            _("A campaign can have at most %(n)d milestones.", n=MAX_MILESTONES), "milestones"
        )
    previous = 0
    for threshold, label in milestones:
        if threshold <= previous:
            raise CampaignError(_("Milestones must increase, each above the last."), "milestones")
        if threshold == goal:
            raise CampaignError(
                _("The goal is already a milestone; pick another number."), "milestones"
            )
        if not label.strip():
            raise CampaignError(_("Give every milestone a label."), "milestones")
        previous = threshold


def set_goal(
    actor: User,
    campaign: Campaign,
    *,
    goal: int,
    milestones: list[tuple[int, str]],
    deadline: datetime | None,
) -> None:
    """Set the goal, milestones and deadline; an open campaign never drops below its count."""
    _require_edit(actor, campaign)
    if goal < 1:
        raise CampaignError(_("The goal must be a positive whole number."), "goal")
    if campaign.is_published and goal < campaign.signature_count:
        raise CampaignError(
            _("The goal cannot be lower than the %(count)s signatures already counted.",
              count=campaign.signature_count),
            "goal",
        )  # fmt: skip
    _check_milestones(milestones, goal)
    if deadline != campaign.deadline:
        _check_deadline(deadline, utcnow())
    reached = {m.threshold: m for m in campaign.milestones if m.reached_at is not None}
    wanted = {threshold: label.strip() for threshold, label in milestones}
    if any(threshold not in wanted for threshold in reached):
        raise CampaignError(_("A milestone already reached cannot be removed."), "milestones")
    kept = {m.threshold: m for m in campaign.milestones if m.threshold in wanted}
    if campaign.is_published and any(
        t not in kept and t <= campaign.signature_count for t in wanted
    ):
        message = _("A new milestone must be above the %(count)s signatures already counted.",
                    count=campaign.signature_count)  # fmt: skip
        raise CampaignError(message, "milestones")
    for threshold, label in wanted.items():
        kept.setdefault(threshold, Milestone(threshold=threshold, label=label)).label = label
    campaign.milestones = sorted(kept.values(), key=lambda m: m.threshold)
    if goal != campaign.goal and goal > campaign.signature_count:
        campaign.goal_reached_at = None  # a new goal ahead of the count is reached afresh
    campaign.goal = goal
    campaign.deadline = deadline


def missing_for_review(campaign: Campaign) -> list[str]:
    """What a draft still lacks before it can be submitted."""
    missing = []
    if not campaign.title:
        missing.append(_("a title"))
    if not campaign.decision_makers:
        missing.append(_("at least one decision maker"))
    if not campaign.summary:
        missing.append(_("a summary"))
    if not campaign.body:
        missing.append(_("the story"))
    if not campaign.goal:
        missing.append(_("a goal"))
    return missing


def submit_for_review(actor: User, campaign: Campaign) -> None:
    """Send a complete draft to the moderators."""
    _require_edit(actor, campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise CampaignError(_("Only a draft can be submitted for review."), status=409)
    missing = missing_for_review(campaign)
    if missing:
        raise CampaignError(_("Add %(missing)s before submitting.", missing=", ".join(missing)))
    _check_deadline(campaign.deadline, utcnow())
    campaign.status = CampaignStatus.PENDING_REVIEW
    campaign.submitted_at = utcnow()


def withdraw_submission(actor: User, campaign: Campaign) -> None:
    """Take a campaign back from review to keep editing it."""
    if not campaign.is_organizer(actor):
        raise CampaignError(_("Only its organizers can take a campaign back."), status=403)
    if campaign.status != CampaignStatus.PENDING_REVIEW:
        raise CampaignError(_("Only a campaign waiting for review can be taken back."), status=409)
    if claim_holder(campaign) is not None:
        # Otherwise the text could change under the moderator between reading and approving.
        raise CampaignError(
            _("A moderator is reviewing this campaign now; it cannot be taken back."), status=409
        )
    campaign.status = CampaignStatus.DRAFT
    campaign.claimed_by_id = campaign.claimed_at = None


def close_campaign(actor: User, campaign: Campaign) -> None:
    """The owner or an admin closes an open campaign; it stays readable."""
    if campaign.status != CampaignStatus.OPEN:
        raise CampaignError(_("Only an open campaign can be closed."), status=409)
    if not campaign.can_close(actor):
        raise CampaignError(_("Only the owner or an admin can close a campaign."), status=403)
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = utcnow()
    record_audit(actor, "campaign.closed", campaign, slug=campaign.slug)
    webhook_events.campaign_closed(campaign, "closed")


def reopen_campaign(actor: User, campaign: Campaign) -> None:
    """An admin reopens a closed campaign; a passed deadline is cleared so it stays open."""
    if not actor.has_role(Role.ADMIN):
        raise CampaignError(_("Only an admin can reopen a campaign."), status=403)
    if campaign.status != CampaignStatus.CLOSED:
        raise CampaignError(_("Only a closed campaign can be reopened."), status=409)
    now = utcnow()
    cleared = campaign.deadline is not None and campaign.deadline <= now
    campaign.status = CampaignStatus.OPEN
    campaign.closed_at = None
    if cleared:
        campaign.deadline = None
    record_audit(actor, "campaign.reopened", campaign, slug=campaign.slug, deadline_cleared=cleared)


def close_expired_campaigns(now: datetime) -> list[str]:
    """Close every open campaign whose deadline has passed; return their slugs."""
    expired = db.session.scalars(
        select(Campaign)
        .where(Campaign.status == CampaignStatus.OPEN, Campaign.deadline <= now)
        .with_for_update(skip_locked=True)
    ).all()
    for campaign in expired:
        campaign.status = CampaignStatus.CLOSED
        campaign.closed_at = now
        record_audit(None, "campaign.closed", campaign, slug=campaign.slug, reason="deadline")
        webhook_events.campaign_closed(campaign, "deadline")
    return [c.slug for c in expired]


def _require_edit(actor: User, campaign: Campaign) -> None:
    """Refuse edits from anyone but an organizer, and to campaigns in review or finished."""
    if not campaign.can_edit(actor):
        raise CampaignError(_("This campaign cannot be edited now."), status=409)
