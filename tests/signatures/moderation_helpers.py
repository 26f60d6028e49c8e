"""Helpers for the signature moderation tests: signatures written straight to the database."""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.models import AuditEvent, Campaign, Signature, SignatureDelta, SignatureState, utcnow
from campaigns.signatures import counting

CONFIRMED = SignatureState.CONFIRMED
_serial = iter(range(1, 1_000_000))


def add_signatures(app, slug, *specs) -> list[int]:
    """Insert signatures directly; each spec is a dict of columns (plus "n" copies).

    The campaign's count is set to its real count, as if every delta had been applied.
    """
    ids = []
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        now = utcnow()
        for spec in specs:
            spec = dict(spec)
            for _ in range(spec.pop("n", 1)):
                n = next(_serial)
                domain = spec.get("email_domain", "example.org")
                values = {
                    "email": f"signer{n}@{domain}",
                    "canonical_email": f"signer{n}@{domain}",
                    "email_domain": domain,
                    "name": f"Signer Number{n}",
                    "country": "GB",
                    "state": CONFIRMED,
                    "created_at": now - timedelta(minutes=5),
                    **spec,
                }
                if values["state"] == CONFIRMED:
                    values.setdefault("confirmed_at", values["created_at"])
                row = Signature(campaign_id=campaign.id, **values)
                db.session.add(row)
                db.session.flush()
                ids.append(row.id)
        campaign.signature_count = real_count(campaign.id)
        db.session.commit()
    return ids


def real_count(campaign_id) -> int:
    """Confirmed signatures that are not suspect, counted for real (inside an app context)."""
    return db.session.scalar(
        select(sa.func.count(Signature.id)).where(
            Signature.campaign_id == campaign_id, counting.counted_signatures()
        )
    )


def states(app, ids) -> list[SignatureState]:
    """The states of these signatures, in the given order."""
    with app.app_context():
        rows = dict(db.session.execute(select(Signature.id, Signature.state)).all())
        return [rows[i] for i in ids]


def aggregate_and_check(app, slug) -> int:
    """Run the aggregator; the stored count must equal the real count. Returns it."""
    with app.app_context():
        counting.aggregate()
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        assert campaign.signature_count == real_count(campaign.id)
        return campaign.signature_count


def audits(app, action) -> list[dict]:
    """Details of the audit events with this action, oldest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.details)
                .where(AuditEvent.action == action)
                .order_by(AuditEvent.id)
            )
        )


def deltas(app) -> list[int]:
    """Count deltas not yet applied."""
    with app.app_context():
        return list(db.session.scalars(select(SignatureDelta.delta).order_by(SignatureDelta.id)))
