"""Read-side lookups for campaign pages, with the visibility rules applied."""

from flask import abort
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    CampaignInvitation,
    Category,
    User,
    campaign_organizer,
)


def active_categories() -> list[Category]:
    """Categories new campaigns may use, in the admins' order."""
    return list(
        db.session.scalars(
            select(Category)
            .where(Category.archived_at.is_(None))
            .order_by(Category.position, Category.name)
        )
    )


PAGE_LOADS = (
    selectinload(Campaign.decision_makers),
    selectinload(Campaign.milestones),
    selectinload(Campaign.co_organizers),
    selectinload(Campaign.owner),
    selectinload(Campaign.category),
)


def campaign_by_slug(slug: str, page: bool = True) -> Campaign:
    """A campaign (with what its page shows loaded up front, unless page=False), or 404."""
    query = select(Campaign).where(Campaign.slug == slug)
    campaign = db.session.scalar(query.options(*PAGE_LOADS) if page else query)
    if campaign is None:
        abort(404)
    return campaign


def campaign_for_viewer(slug: str, user: User | None, *, page: bool = True) -> Campaign:
    """The campaign if this user may see it; hidden and unpublished ones 404 to others.

    page=False loads the campaign row alone: for the hot write paths (signing) that read
    no relationship, five fewer queries per request.
    """
    campaign = campaign_by_slug(slug, page)
    if not campaign.can_view(user):
        abort(404)
    return campaign


def campaign_for_organizer(slug: str, user: User) -> Campaign:
    """The campaign if the user organizes it: 404 when they cannot see it, else 403."""
    campaign = campaign_for_viewer(slug, user)
    if not campaign.is_organizer(user):
        abort(403)
    return campaign


def organized_by(user: User) -> list[Campaign]:
    """Campaigns the user owns or co-organizes, newest first."""
    co_organized = select(campaign_organizer.c.campaign_id).where(
        campaign_organizer.c.user_id == user.id
    )
    return list(
        db.session.scalars(
            select(Campaign)
            .where(or_(Campaign.owner_id == user.id, Campaign.id.in_(co_organized)))
            .order_by(Campaign.created_at.desc())
        )
    )


def pending_invitations(
    *, campaign: Campaign | None = None, email: str | None = None
) -> list[CampaignInvitation]:
    """Invitations neither accepted nor withdrawn, to one campaign or one address, newest first."""
    query = (
        select(CampaignInvitation)
        .where(CampaignInvitation.accepted_at.is_(None), CampaignInvitation.revoked_at.is_(None))
        .options(selectinload(CampaignInvitation.campaign))
        .order_by(CampaignInvitation.created_at.desc())
    )
    if campaign is not None:
        query = query.where(CampaignInvitation.campaign_id == campaign.id)
    if email is not None:
        query = query.where(CampaignInvitation.email == email)
    return list(db.session.scalars(query))
