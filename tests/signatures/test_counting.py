"""The count: deltas applied in batches, milestones stamped once, drift repaired, stale purged."""

import time
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.jobs import tasks
from campaigns.jobs.runners import COUNTS_QUEUE_NAME, QUEUE_NAME, queue_for
from campaigns.models import (
    AuditEvent,
    Campaign,
    CampaignStatus,
    Milestone,
    Signature,
    SignatureDelta,
    SignatureState,
    utcnow,
)
from campaigns.signatures import counting, services
from tests.conftest import get_campaign, outbox_rows
from tests.signatures.test_services import deltas, load, run, set_campaign, sign


def campaign_id(app, slug) -> int:
    """The id of the campaign with this slug."""
    return get_campaign(app, slug).id


def add_deltas(app, *pairs):
    """Append (campaign id, delta) pairs, committed."""
    with app.app_context():
        for cid, delta in pairs:
            counting.record_delta(cid, delta)
        db.session.commit()


def aggregate(app, now=None) -> counting.Aggregation:
    """Run one aggregator pass."""
    with app.app_context():
        result = counting.aggregate(now)
        db.session.remove()
        return result


def count(app, slug) -> int:
    """The stored count."""
    return get_campaign(app, slug).signature_count


def signed_and_confirmed(app, slug, n, start=0) -> list[int]:
    """n guests sign and confirm; their signature ids."""
    ids = [sign(app, slug, f"c{i}@example.org").signature_id for i in range(start, start + n)]
    for sid in ids:
        assert run(app, services.confirm, sid) == services.Outcome.DONE
    return ids


def milestones(app, slug) -> dict:
    """threshold -> reached_at."""
    with app.app_context():
        rows = db.session.execute(
            select(Milestone.threshold, Milestone.reached_at)
            .join(Campaign)
            .where(Campaign.slug == slug)
        )
        return dict(rows.all())


def milestone_emails(app) -> list[tuple[str, int, bool]]:
    """(recipient, threshold, is_goal) of every milestone email, oldest first."""
    rows = outbox_rows(app, template="milestone_reached")
    return [(r.recipient, r.payload["threshold"], r.payload["is_goal"]) for r in rows]


def audit_events(app, action) -> list[AuditEvent]:
    """Audit events of one action, detached."""
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        db.session.expunge_all()
        return rows


# --- Aggregation -------------------------------------------------------------------------


def test_aggregate_applies_deltas_in_committed_batches(app_factory, make_campaign):
    """Ten deltas with a batch of three: four DELETE batches, four commits, exact counts."""
    app = app_factory(COUNT_BATCH_SIZE=3)
    one, two = make_campaign(), make_campaign()
    a, b = campaign_id(app, one), campaign_id(app, two)
    add_deltas(app, *[(a, 1)] * 6, (b, 1), (b, 1), (a, -1), (b, 1))
    statements, commits = [], []
    with app.app_context():
        engine = db.engine

    def on_statement(conn, cursor, statement, *args):
        """Remember each statement."""
        statements.append(statement)

    def on_commit(conn):
        """Remember each commit."""
        commits.append(conn)

    sa.event.listen(engine, "before_cursor_execute", on_statement)
    sa.event.listen(engine, "commit", on_commit)
    try:
        result = aggregate(app)
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_statement)
        sa.event.remove(engine, "commit", on_commit)
    assert result.deltas == 10 and result.campaigns == {a: 5, b: 3} and not result.locked_out
    assert (count(app, one), count(app, two)) == (5, 3)
    assert deltas(app) == []
    deletes = [
        s for s in statements if s.lstrip().upper().startswith("DELETE FROM SIGNATURE_DELTA")
    ]
    assert len(deletes) == len(commits) == 4
    assert get_campaign(app, one).count_updated_at is not None


def test_aggregate_with_nothing_to_do_changes_nothing(app, make_campaign):
    """No deltas, no writes to campaigns."""
    slug = make_campaign()
    result = aggregate(app)
    assert result.deltas == 0 and result.campaigns == {} and result.milestones == []
    campaign = get_campaign(app, slug)
    assert campaign.signature_count == 0 and campaign.count_updated_at is None


def test_confirm_and_withdraw_reach_the_count_only_through_the_aggregator(app, make_campaign):
    """Confirmations and withdrawals never touch the campaign row; aggregate() applies them."""
    slug = make_campaign()
    ids = signed_and_confirmed(app, slug, 3)
    run(app, services.withdraw, ids[0])
    assert count(app, slug) == 0 and deltas(app) == [1, 1, 1, -1]
    aggregate(app)
    assert count(app, slug) == 2 and deltas(app) == []


# --- Milestones --------------------------------------------------------------------------


def test_milestones_and_goal_are_stamped_once_and_each_organizer_emailed(
    app, make_campaign, make_user
):
    """Each organizer gets one email per milestone, even when the count dips and recovers."""
    owner, co1, co2 = make_user("owner@example.org"), make_user("co1@example.org"), make_user()
    slug = make_campaign(
        owner=owner, co_organizers=[co1, co2], goal=5, milestones=[(2, "Two"), (4, "Four")]
    )
    cid = campaign_id(app, slug)
    organizers = {owner.email, co1.email, co2.email}

    add_deltas(app, (cid, 1), (cid, 1))
    result = aggregate(app)
    assert result.milestones == [(cid, 2)]
    first_stamp = milestones(app, slug)[2]
    assert first_stamp is not None and milestones(app, slug)[4] is None
    assert sorted(milestone_emails(app)) == sorted((e, 2, False) for e in organizers)

    # Down below the milestone and back up: no second stamp, no second email.
    add_deltas(app, (cid, -1))
    aggregate(app, utcnow() + timedelta(minutes=1))
    add_deltas(app, (cid, 1))
    assert aggregate(app, utcnow() + timedelta(minutes=2)).milestones == []
    assert milestones(app, slug)[2] == first_stamp and len(milestone_emails(app)) == 3

    # One batch passing the next milestone and the goal stamps both.
    add_deltas(app, (cid, 3))
    assert sorted(aggregate(app).milestones) == [(cid, 4), (cid, 5)]
    campaign = get_campaign(app, slug)
    assert campaign.signature_count == 5 and campaign.goal_reached_at is not None
    emails = milestone_emails(app)[3:]
    assert sorted(emails) == sorted(
        [(e, 4, False) for e in organizers] + [(e, 5, True) for e in organizers]
    )
    goal_stamp = campaign.goal_reached_at

    add_deltas(app, (cid, -3))
    aggregate(app)
    add_deltas(app, (cid, 4))
    assert aggregate(app).milestones == []
    assert get_campaign(app, slug).goal_reached_at == goal_stamp
    assert len(milestone_emails(app)) == 9


def test_milestone_email_payload(app, make_campaign, make_user):
    """The email names the campaign, the threshold and its label, and links to the page."""
    owner = make_user(name="Olive Owner")
    slug = make_campaign(owner=owner, milestones=[(1, "First supporter")], goal=100)
    add_deltas(app, (campaign_id(app, slug), 1))
    aggregate(app)
    [email] = outbox_rows(app, template="milestone_reached")
    payload = email.payload
    assert email.recipient == owner.email
    assert (payload["threshold"], payload["label"], payload["is_goal"]) == (
        1,
        "First supporter",
        False,
    )
    assert payload["title"] == get_campaign(app, slug).title and slug in payload["link"]
    assert payload["name"] == "Olive Owner"


# --- Reconcile ---------------------------------------------------------------------------


def test_reconcile_repairs_drift_with_one_audit_event(app, make_campaign):
    """A tampered count is put right, and the repair is recorded once."""
    slug = make_campaign()
    signed_and_confirmed(app, slug, 3)
    aggregate(app)
    set_campaign(app, slug, signature_count=42)
    with app.app_context():
        repairs = counting.reconcile()
    cid = campaign_id(app, slug)
    assert repairs == [{"campaign_id": cid, "stored": 42, "pending": 0, "real": 3, "drift": -39}]
    assert count(app, slug) == 3
    [event] = audit_events(app, "campaign.count_repaired")
    assert (event.target_type, event.target_id, event.actor_id) == ("campaign", str(cid), None)
    assert event.details["drift"] == -39 and event.details["real"] == 3
    with app.app_context():
        assert counting.reconcile() == []
    assert len(audit_events(app, "campaign.count_repaired")) == 1


def test_reconcile_counts_pending_deltas_as_not_drift(app, make_campaign):
    """Changes waiting for the aggregator are not drift; only confirmed, unsuspect rows count."""
    slug = make_campaign()
    ids = signed_and_confirmed(app, slug, 4)
    aggregate(app)
    signed_and_confirmed(app, slug, 2, start=4)
    sign(app, slug, "pending@example.org")
    run(app, services.withdraw, ids[0])
    with app.app_context():
        assert counting.reconcile() == []
        # A row made suspect behind the services' back is drift.
        db.session.execute(sa.update(Signature).where(Signature.id == ids[1]).values(suspect=True))
        db.session.commit()
        [repair] = counting.reconcile()
    assert (repair["stored"], repair["pending"], repair["real"], repair["drift"]) == (4, 1, 4, -1)
    aggregate(app)
    assert count(app, slug) == 4
    with app.app_context():
        assert counting.reconcile() == []
    assert len(audit_events(app, "campaign.count_repaired")) == 1


def test_reconcile_never_takes_a_count_below_zero(app, make_campaign):
    """Drift that pending deltas would put below zero waits for the aggregator; others are fixed.

    Stored 0, pending +3, real 2: the exact repair would store -1, which the database
    refuses; that used to abort the whole reconcile run, for every campaign.
    """
    slug, tampered = make_campaign(), make_campaign()
    ids = signed_and_confirmed(app, slug, 3)
    with app.app_context():
        db.session.execute(sa.delete(Signature).where(Signature.id == ids[0]))
        db.session.commit()
    set_campaign(app, tampered, signature_count=9)
    with app.app_context():
        repairs = counting.reconcile()
    assert [r["campaign_id"] for r in repairs] == [campaign_id(app, tampered)]
    assert (count(app, slug), count(app, tampered)) == (0, 0)
    aggregate(app)
    with app.app_context():
        [repair] = counting.reconcile()
    assert (repair["campaign_id"], repair["stored"], repair["drift"]) == (
        campaign_id(app, slug),
        3,
        -1,
    )
    assert count(app, slug) == 2


def test_reconcile_without_drift_writes_nothing(app, make_campaign):
    """Nothing to repair: no audit event, no change."""
    slug = make_campaign()
    signed_and_confirmed(app, slug, 2)
    aggregate(app)
    with app.app_context():
        assert counting.reconcile() == []
    assert audit_events(app, "campaign.count_repaired") == [] and count(app, slug) == 2


def test_reconcile_stamps_milestones_its_repair_passes(app, make_campaign, make_user):
    """A repair that lifts the count over a milestone stamps it (and tells the organizers)."""
    owner = make_user()
    slug = make_campaign(owner=owner, milestones=[(2, "Two")], goal=100)
    signed_and_confirmed(app, slug, 2)
    with app.app_context():
        db.session.execute(sa.delete(SignatureDelta))
        db.session.commit()
        [repair] = counting.reconcile()
    assert repair["drift"] == 2 and count(app, slug) == 2
    assert milestones(app, slug)[2] is not None
    assert milestone_emails(app) == [(owner.email, 2, False)]


def test_reconcile_skips_unpublished_campaigns(app, make_campaign):
    """Drafts are not counted, so there is nothing to reconcile."""
    slug = make_campaign(status=CampaignStatus.DRAFT)
    set_campaign(app, slug, signature_count=7)
    with app.app_context():
        assert counting.reconcile() == []
    assert count(app, slug) == 7


# --- Purge -------------------------------------------------------------------------------


def test_purge_deletes_only_pending_signatures_older_than_thirty_days(app, make_campaign):
    """Old pending rows go; recent pending rows and old rows in any other state stay."""
    slug = make_campaign()
    now = utcnow()
    ages = {"old": 31, "recent": 29, "confirmed": 40, "withdrawn": 40, "invalidated": 40}
    states = {"old": "pending", "recent": "pending"}
    with app.app_context():
        cid = load(slug).id
        for label, days in ages.items():
            db.session.add(
                Signature(
                    campaign_id=cid,
                    email=f"{label}@example.org",
                    canonical_email=f"{label}@example.org",
                    email_domain="example.org",
                    name=label,
                    country="GB",
                    state=SignatureState(states.get(label, label)),
                    created_at=now - timedelta(days=days),
                )
            )
        db.session.commit()
        assert tasks.purge_pending() == 1
    with app.app_context():
        left = set(db.session.scalars(select(Signature.name)))
    assert left == set(ages) - {"old"}


# --- Jobs --------------------------------------------------------------------------------


def test_periodic_jobs_include_the_count_jobs(app):
    """Aggregate every second, reconcile every ten minutes, purge hourly; counts on their queue."""
    periodic = dict(tasks.periodic_jobs(app.config))
    assert periodic["aggregate_counts"] == app.config["COUNT_INTERVAL_SECONDS"] == 1
    assert periodic["reconcile_counts"] == app.config["RECONCILE_INTERVAL_SECONDS"] == 600
    assert periodic["purge_pending"] == app.config["PURGE_INTERVAL_SECONDS"] == 3600
    assert {"aggregate_counts", "reconcile_counts", "purge_pending"} <= set(tasks.TASKS)
    assert queue_for("aggregate_counts") == queue_for("reconcile_counts") == COUNTS_QUEUE_NAME
    assert queue_for("purge_pending") == QUEUE_NAME


def test_aggregate_and_reconcile_tasks(app, make_campaign):
    """The job functions run the aggregator and the reconciler and report what they did."""
    slug = make_campaign()
    signed_and_confirmed(app, slug, 2)
    with app.app_context():
        assert tasks.aggregate_counts() == {"deltas": 2, "campaigns": 1}
        assert tasks.reconcile_counts() == []
    assert count(app, slug) == 2


def test_embedded_runner_applies_confirmations_on_its_own(app_factory, make_campaign):
    """In the embedded default the thread runner aggregates periodically, no request needed."""
    slug = make_campaign()
    app = app_factory(JOBS_BACKEND="thread")
    signed_and_confirmed(app, slug, 1)
    app.extensions["groundswell_jobs"].start()
    deadline = time.monotonic() + 15
    while count(app, slug) != 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert count(app, slug) == 1
