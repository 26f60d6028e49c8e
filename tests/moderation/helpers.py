"""Helpers shared by the moderation tests."""

from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import AuditEvent, Campaign, Role
from tests.conftest import get_campaign, login


def moderator(app, make_user, email, role=Role.MODERATOR, name=None):
    """A logged-in client for a new moderator (or admin); client.user is the account."""
    user = make_user(email, role=role, name=name)
    client = app.test_client()
    assert login(client, email).status_code == 302
    client.user = user
    return client


def audit_actions(app, slug) -> list[tuple[str, dict]]:
    """The audit events recorded on a campaign, oldest first."""
    with app.app_context():
        campaign_id = get_campaign(app, slug).id
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.details)
            .where(AuditEvent.target_type == "campaign", AuditEvent.target_id == str(campaign_id))
            .order_by(AuditEvent.id)
        ).all()
        return [(action, details) for action, details in rows]


def set_columns(app, slug, **values) -> None:
    """Change columns of a campaign directly, as time or another process would."""
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        for name, value in values.items():
            setattr(campaign, name, value)
        db.session.commit()
