"""Helpers for the update tests: posting through the form and reading rows back."""

from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import AuditEvent, Campaign, Update


def post_update(client, slug, **fields):
    """Submit the new-update form; fields override a valid news update."""
    data = {"title": "Board meeting on Friday", "body": "We will be there.", "kind": "news"}
    data.update(fields)
    return client.post(f"/campaigns/{slug}/updates/new", data=data)


def updates_of(app, slug) -> list[Update]:
    """Every update row of a campaign (deleted ones too), oldest first, detached."""
    with app.app_context():
        rows = _db.session.scalars(
            select(Update).join(Campaign).where(Campaign.slug == slug).order_by(Update.id)
        ).all()
        _db.session.expunge_all()
        return rows


def audit_events(app, action) -> list[AuditEvent]:
    """Audit events with this action, oldest first, detached."""
    with app.app_context():
        rows = _db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()
        _db.session.expunge_all()
        return rows


def campaign_id(app, slug) -> int:
    """The id of the campaign with this slug."""
    with app.app_context():
        return _db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))


def jobs_submitted(app) -> list[str]:
    """Job names handed to the manual runner so far."""
    return list(app.extensions["groundswell_jobs"].submitted)
