"""What the admin dashboard counts: the moderators' queues, victory claims and a few totals."""

from sqlalchemy import func, select

from campaigns.extensions import db
from campaigns.models import Campaign, CampaignStatus, ClaimState, User, VictoryClaim
from campaigns.moderation import queries as moderation_queries


def admin_counts() -> dict[str, int]:
    """Victory claims awaiting an admin, accounts, open campaigns and victories: one statement."""
    claims = select(func.count(VictoryClaim.id)).where(VictoryClaim.state == ClaimState.PENDING)
    accounts = select(func.count(User.id))
    disabled = select(func.count(User.id)).where(User.disabled_at.is_not(None))
    open_ = select(func.count(Campaign.id)).where(Campaign.status == CampaignStatus.OPEN)
    victories = select(func.count(Campaign.id)).where(Campaign.status == CampaignStatus.VICTORY)
    row = db.session.execute(
        select(
            claims.scalar_subquery().label("claims"),
            accounts.scalar_subquery().label("accounts"),
            disabled.scalar_subquery().label("disabled"),
            open_.scalar_subquery().label("open"),
            victories.scalar_subquery().label("victories"),
        )
    ).one()
    return {key: int(value or 0) for key, value in row._asdict().items()}


def dashboard(suspect_limit: int = 10) -> dict:
    """Everything the dashboard shows: counts per queue and the campaigns with suspects."""
    return {
        "counts": moderation_queries.queue_counts() | admin_counts(),
        "suspect": moderation_queries.suspect_by_campaign(suspect_limit),
    }
