"""The count: deltas appended per change, applied in batches by one aggregator at a time.

Confirming or withdrawing never updates the campaign row (DESIGN.md section 3.3); it
appends a SignatureDelta in its own transaction. aggregate() takes the deltas in id
order, adds them to the campaigns in one UPDATE each, and stamps milestones that the
new counts pass, exactly once (the stamp is a guarded UPDATE). reconcile() compares
each campaign with a real count and repairs drift. Both run under one lock: a
PostgreSQL advisory transaction lock; on SQLite the database's single writer is the lock.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from campaigns.core.services import record_audit
from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    Milestone,
    Signature,
    SignatureDelta,
    SignatureState,
    utcnow,
)
from campaigns.models.campaign import PUBLISHED
from campaigns.webhooks import hooks as webhook_events

log = logging.getLogger(__name__)
# An arbitrary constant naming the count lock among PostgreSQL advisory locks.
COUNT_LOCK_KEY = 0x67730001


def record_delta(campaign_id: int, delta: int) -> None:
    """Append a change to a campaign's count, in the caller's transaction."""
    if delta:
        db.session.execute(sa.insert(SignatureDelta).values(campaign_id=campaign_id, delta=delta))


def take_count_lock() -> bool:
    """Try to become the one aggregator for this transaction; False if another holds it."""
    if db.session.get_bind().dialect.name != "postgresql":
        return True
    query = sa.text("SELECT pg_try_advisory_xact_lock(:key)")
    return bool(db.session.execute(query, {"key": COUNT_LOCK_KEY}).scalar())


@dataclass
class Aggregation:
    """What one aggregator run changed."""

    deltas: int = 0
    campaigns: dict[int, int] = field(default_factory=dict)
    milestones: list[tuple[int, int]] = field(default_factory=list)
    locked_out: bool = False


def aggregate(now: datetime | None = None) -> Aggregation:
    """Apply pending deltas batch by batch, committing each; stop when none are left."""
    result = Aggregation()
    batch = current_app.config["COUNT_BATCH_SIZE"]
    while True:
        if not take_count_lock():
            db.session.rollback()
            result.locked_out = True
            return result
        taken = _apply_batch(now or utcnow(), batch, result)
        db.session.commit()
        if taken < batch:
            return result


def _apply_batch(now: datetime, batch: int, result: Aggregation) -> int:
    """Delete up to `batch` deltas, add them to their campaigns, stamp milestones passed."""
    oldest = sa.select(SignatureDelta.id).order_by(SignatureDelta.id).limit(batch)
    rows = db.session.execute(
        sa.delete(SignatureDelta)
        .where(SignatureDelta.id.in_(oldest.scalar_subquery()))
        .returning(SignatureDelta.campaign_id, SignatureDelta.delta)
    ).all()
    sums: dict[int, int] = defaultdict(int)
    for campaign_id, delta in rows:
        sums[campaign_id] += delta
    # Campaigns in id order, so two writers never wait on each other's rows in a cycle.
    for campaign_id in sorted(sums):
        if sums[campaign_id]:
            count = _add(campaign_id, sums[campaign_id], now)
            result.campaigns[campaign_id] = result.campaigns.get(campaign_id, 0) + sums[campaign_id]
            result.milestones += stamp_milestones(campaign_id, count, now)
    result.deltas += len(rows)
    return len(rows)


def _add(campaign_id: int, delta: int, now: datetime) -> int:
    """Add delta to one campaign's count; the new count."""
    return db.session.execute(
        sa.update(Campaign)
        .where(Campaign.id == campaign_id)
        .values(signature_count=Campaign.signature_count + delta, count_updated_at=now)
        .returning(Campaign.signature_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def stamp_milestones(
    campaign_id: int, count: int, now: datetime, *, announce: bool = True
) -> list[tuple[int, int]]:
    """Stamp milestones (and the goal) that count has reached; each is stamped only once.

    announce=False stamps quietly (seeded signatures are not news to organizers).
    """
    reached = db.session.execute(
        sa.update(Milestone)
        .where(
            Milestone.campaign_id == campaign_id,
            Milestone.threshold <= count,
            Milestone.reached_at.is_(None),
        )
        .values(reached_at=now)
        .returning(Milestone.threshold, Milestone.label)
        .execution_options(synchronize_session=False)
    ).all()
    goal = db.session.execute(
        sa.update(Campaign)
        .where(
            Campaign.id == campaign_id, Campaign.goal <= count, Campaign.goal_reached_at.is_(None)
        )
        .values(goal_reached_at=now)
        .returning(Campaign.goal)
        .execution_options(synchronize_session=False)
    ).scalar()
    passed = sorted({(t, label) for t, label in reached} | ({(goal, "")} if goal else set()))
    if passed and announce:
        from campaigns.signatures.notify import email_organizers_milestones

        email_organizers_milestones(campaign_id, passed)
        webhook_events.milestones_reached(campaign_id, passed)
    return [(campaign_id, threshold) for threshold, _ in passed]


def counted_signatures():
    """The condition for a signature that counts: confirmed and not held as suspect."""
    return sa.and_(
        Signature.state == SignatureState.CONFIRMED,
        Signature.suspect.is_(False),
    )


def counted_in(campaign_id: int) -> tuple:
    """WHERE terms for a campaign's signatures that count (exports, documents, the API)."""
    return (Signature.campaign_id == campaign_id, counted_signatures())


def real_and_pending(campaign_id):
    """Scalar subqueries: a campaign's real count, and the sum of its deltas not yet applied.

    campaign_id may be a value or a column (Campaign.id, to correlate with a campaign row).
    """
    real = (
        sa.select(sa.func.count())
        .where(Signature.campaign_id == campaign_id, counted_signatures())
        .scalar_subquery()
    )
    pending = (
        sa.select(sa.func.coalesce(sa.func.sum(SignatureDelta.delta), 0))
        .where(SignatureDelta.campaign_id == campaign_id)
        .scalar_subquery()
    )
    return real, pending


def reconcile() -> list[dict]:
    """Compare every published campaign with a real count and repair drift, with an audit event.

    Runs under the count lock, so no aggregator moves counts meanwhile; one statement reads
    stored count, pending deltas and the real count from a single snapshot.
    """
    if not take_count_lock():
        db.session.rollback()
        return []
    real, pending = real_and_pending(Campaign.id)
    rows = db.session.execute(
        sa.select(Campaign.id, Campaign.signature_count, real, pending).where(
            Campaign.status.in_(PUBLISHED)
        )
    ).all()
    repairs = []
    for campaign_id, stored, actual, waiting in rows:
        drift = actual - (stored + waiting)
        if drift and stored + drift < 0:
            # Waiting deltas would take the count below zero (refused by a CHECK, aborting the
            # whole run): the aggregator applies them first, and a later run repairs the rest.
            log.warning("Count repair of campaign %s postponed: deltas pending", campaign_id)
            continue
        if drift:
            now = utcnow()
            # A repair can lift the count over a milestone that no later delta would stamp.
            stamp_milestones(campaign_id, _add(campaign_id, drift, now), now)
            campaign = db.session.get(Campaign, campaign_id)
            details = {"stored": stored, "pending": int(waiting), "real": actual, "drift": drift}
            record_audit(None, "campaign.count_repaired", campaign, **details)
            log.warning("Repaired the count of campaign %s: %s", campaign_id, details)
            repairs.append({"campaign_id": campaign_id, **details})
    db.session.commit()
    return repairs
