"""Helpers for the victory and response tests: forms posted over HTTP, rows read back."""

from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import (
    AuditEvent,
    Campaign,
    ClaimState,
    DecisionMaker,
    Update,
    VictoryClaim,
    utcnow,
)

SUMMARY = "The board voted to drop the sponsorship."
EVIDENCE = "https://news.example.org/board-drops-sponsorship"
VICTORY = {"summary": SUMMARY, "evidence_url": EVIDENCE}


def declare(client, slug, **fields):
    """Submit the organizer's declare-victory form; fields override a valid claim."""
    return client.post(f"/campaigns/{slug}/victory", data={**VICTORY, **fields})


def mark(client, slug, **fields):
    """Submit the admin's mark-victory form."""
    return client.post(f"/admin/campaigns/{slug}/victory", data={**VICTORY, **fields})


def decline(client, claim_id, reason="The link does not show a decision."):
    """Submit the decline form of one claim in the queue."""
    return client.post(f"/admin/victories/{claim_id}/decline", data={f"d{claim_id}-reason": reason})


def revoke(client, slug, reason="The decision was reversed a week later."):
    """Submit the admin's revoke form."""
    return client.post(f"/admin/campaigns/{slug}/victory/revoke", data={"reason": reason})


def campaign_row(app, slug) -> Campaign:
    """The campaign, detached."""
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        _db.session.expunge_all()
        return campaign


def claims_of(app, slug) -> list[VictoryClaim]:
    """Every claim of a campaign, oldest first, detached."""
    with app.app_context():
        rows = _db.session.scalars(
            select(VictoryClaim)
            .join(Campaign)
            .where(Campaign.slug == slug)
            .order_by(VictoryClaim.id)
        ).all()
        _db.session.expunge_all()
        return rows


def add_claim(app, slug, user, *, state=ClaimState.PENDING, **fields) -> int:
    """Insert a claim directly (as if declared earlier); returns its id."""
    with app.app_context():
        campaign_id = _db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        claim = VictoryClaim(
            campaign_id=campaign_id, state=state, summary=fields.pop("summary", SUMMARY),
            evidence_url=fields.pop("evidence_url", EVIDENCE), declared_by_id=user.id,
            declared_at=fields.pop("declared_at", utcnow()), **fields,
        )  # fmt: skip
        _db.session.add(claim)
        _db.session.commit()
        return claim.id


def outcome_updates(app, slug) -> list[Update]:
    """The campaign's outcome updates, oldest first, detached."""
    with app.app_context():
        rows = _db.session.scalars(
            select(Update)
            .join(Campaign, Campaign.id == Update.campaign_id)
            .where(Campaign.slug == slug, Update.kind == "outcome")
            .order_by(Update.id)
        ).all()
        _db.session.expunge_all()
        return rows


def audit_actions(app, slug) -> list[str]:
    """The audit actions recorded on a campaign, oldest first."""
    with app.app_context():
        campaign_id = _db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        return list(
            _db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.target_type == "campaign")
                .where(AuditEvent.target_id == str(campaign_id))
                .order_by(AuditEvent.id)
            )
        )


def audit_event(app, action) -> AuditEvent:
    """The latest audit event with this action, detached."""
    with app.app_context():
        event = _db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
        )
        _db.session.expunge_all()
        return event


def maker_of(app, slug, position=0) -> DecisionMaker:
    """A decision maker of the campaign, detached."""
    with app.app_context():
        maker = _db.session.scalar(
            select(DecisionMaker)
            .join(Campaign)
            .where(Campaign.slug == slug, DecisionMaker.position == position)
        )
        _db.session.expunge_all()
        return maker


def jobs_submitted(app) -> list[str]:
    """Job names handed to the manual runner so far."""
    return list(app.extensions["groundswell_jobs"].submitted)
