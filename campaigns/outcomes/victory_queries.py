"""Read side of victories: the public list and feed, the admin queue, a campaign's claims."""

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from campaigns.extensions import db
from campaigns.models import Campaign, CampaignStatus, ClaimState, VictoryClaim

PER_PAGE = 20
QUEUE_PER_PAGE = 30
MAX_PAGE = 10_000
FEED_ENTRIES = 50
RECENT_DECISIONS = 20


def victories_query() -> Select:
    """Confirmed victories the public may see, newest confirmation first."""
    return (
        select(Campaign)
        .where(Campaign.status == CampaignStatus.VICTORY, Campaign.hidden_at.is_(None))
        .order_by(Campaign.victory_confirmed_at.desc().nulls_last(), Campaign.id.desc())
        .options(selectinload(Campaign.decision_makers))
    )


def victories_page(page: int) -> Pagination:
    """One page of /victories."""
    page = min(max(page, 1), MAX_PAGE)
    return db.paginate(victories_query(), page=page, per_page=PER_PAGE, error_out=False)


def feed_victories() -> list[Campaign]:
    """The newest victories, for the Atom feed."""
    return list(db.session.scalars(victories_query().limit(FEED_ENTRIES)))


def pending_claims_page(page: int) -> Pagination:
    """Claims waiting for an admin, the oldest first."""
    query = (
        select(VictoryClaim)
        .where(VictoryClaim.state == ClaimState.PENDING)
        .order_by(VictoryClaim.declared_at, VictoryClaim.id)
        .options(selectinload(VictoryClaim.campaign), selectinload(VictoryClaim.declared_by))
    )
    page = min(max(page, 1), MAX_PAGE)
    return db.paginate(query, page=page, per_page=QUEUE_PER_PAGE, error_out=False)


def recent_decisions() -> list[VictoryClaim]:
    """Claims decided (or revoked) most recently."""
    last_change = func.coalesce(VictoryClaim.revoked_at, VictoryClaim.decided_at)
    query = (
        select(VictoryClaim)
        .where(VictoryClaim.state != ClaimState.PENDING)
        .order_by(last_change.desc(), VictoryClaim.id.desc())
        .limit(RECENT_DECISIONS)
        .options(
            selectinload(VictoryClaim.campaign),
            selectinload(VictoryClaim.decided_by),
            selectinload(VictoryClaim.revoked_by),
        )
    )
    return list(db.session.scalars(query))


def latest_claim(campaign: Campaign) -> VictoryClaim | None:
    """The campaign's most recent claim, whatever became of it."""
    return db.session.scalar(
        select(VictoryClaim)
        .where(VictoryClaim.campaign_id == campaign.id)
        .order_by(VictoryClaim.declared_at.desc(), VictoryClaim.id.desc())
        .limit(1)
    )
