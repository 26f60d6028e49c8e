"""Site-wide service verbs."""

from campaigns.extensions import db
from campaigns.models import AuditEvent, User


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
