"""Site-wide service verbs."""

from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import AuditEvent, Campaign, CampaignStatus, User


def record_audit(actor: User | None, action: str, target, **details) -> AuditEvent:
    """Add an audit event for a privileged action to the current transaction."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=str(target.id),
        details=details,
    )
    db.session.add(event)
    return event


def set_language(user: User | None, language: str) -> None:
    """Save a signed-in user's language choice on their account."""
    if user is not None:
        user.locale = language


def featured_campaigns(limit: int = 6) -> dict[str, list[Campaign]]:
    """Open campaigns by most signatures, and the latest victories, for the home page."""
    open_ = db.session.scalars(
        select(Campaign)
        .where(Campaign.status == CampaignStatus.OPEN)
        .order_by(Campaign.signature_count.desc())
        .limit(limit)
    ).all()
    victories = db.session.scalars(
        select(Campaign)
        .where(Campaign.status == CampaignStatus.VICTORY)
        .order_by(Campaign.victory_confirmed_at.desc())
        .limit(limit)
    ).all()
    return {"open": list(open_), "victories": list(victories)}
