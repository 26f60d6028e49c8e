"""Signatures of every kind, added straight to the database, for the dashboard's tests."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from campaigns.extensions import db as _db
from campaigns.models import (
    Campaign,
    ImportState,
    Signature,
    SignatureImport,
    SignatureSource,
    SignatureState,
    utcnow,
)


def add(app, slug, *, days_ago=0, state=SignatureState.CONFIRMED, n=1, **fields):
    """Insert n signatures signed `days_ago` days ago (confirmed unless told otherwise)."""
    with app.app_context():
        campaign_id = _db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        signed = utcnow() - timedelta(days=days_ago)
        for _ in range(n):
            email = f"signer-{uuid.uuid4().hex[:10]}@example.net"
            values = {
                "country": "GB", "source": SignatureSource.WEB, "name": "Secret Name",
                "created_at": signed,
                "confirmed_at": signed if state == SignatureState.CONFIRMED else None,
                **fields,
            }  # fmt: skip
            _db.session.add(
                Signature(campaign_id=campaign_id, email=email, canonical_email=email,
                          email_domain="example.net", state=state, **values)
            )  # fmt: skip
        _db.session.commit()


def add_paper(app, slug, *, n=1, state=ImportState.PENDING):
    """An import in `state` holding n pending paper signatures, as an upload leaves them."""
    with app.app_context():
        campaign_id = _db.session.scalar(select(Campaign.id).where(Campaign.slug == slug))
        record = SignatureImport(campaign_id=campaign_id, filename="paper.csv", state=state)
        _db.session.add(record)
        _db.session.commit()
        import_id = record.id
    add(app, slug, n=n, state=SignatureState.PENDING, source=SignatureSource.IMPORT,
        import_id=import_id, created_at=utcnow() - timedelta(days=400))  # fmt: skip
    return import_id


def seed_mixed(app, slug):
    """Counted signatures across days, countries and sources, plus ones that must not count.

    Counted: 10 (GB web, today), 5 (FR embed, 1 day ago), 3 (DE api, 3 days ago),
    2 (US import, 10 days ago), 1 (GB web, 40 days ago): 21 in all, 20 in the last 30 days.
    """
    add(app, slug, n=10)
    add(app, slug, n=5, days_ago=1, country="FR", source=SignatureSource.EMBED)
    add(app, slug, n=3, days_ago=3, country="DE", source=SignatureSource.API)
    add(app, slug, n=2, days_ago=10, country="US", source=SignatureSource.IMPORT)
    add(app, slug, n=1, days_ago=40)
    # None of these count: pending, suspect (confirmed or pending), withdrawn, invalidated.
    add(app, slug, n=4, state=SignatureState.PENDING, country="IN")
    add(app, slug, n=2, suspect=True, country="IN")
    add(app, slug, n=1, suspect=True, state=SignatureState.PENDING, country="IN")
    add(app, slug, n=3, state=SignatureState.WITHDRAWN, country="IN", withdrawn_at=utcnow())
    add(app, slug, n=2, state=SignatureState.INVALIDATED, country="IN", invalidated_at=utcnow())


def set_count(app, slug, count):
    """Set the campaign's aggregated count, as the aggregator would have."""
    with app.app_context():
        campaign = _db.session.scalar(select(Campaign).where(Campaign.slug == slug))
        campaign.signature_count = count
        _db.session.commit()
