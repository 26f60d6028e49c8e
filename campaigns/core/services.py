"""Site-wide service verbs."""

from campaigns.extensions import db
from campaigns.models import AuditEvent, User


class RuleError(ValueError):
    """A change the domain rules refuse; the message is shown to the person who asked.

    field names the form field to show it on (or None for the whole form), and status the
    HTTP status a view answers with (422 for input, 409 for state, 403 or 404 for access).
    """

    def __init__(self, message: str, field: str | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


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
