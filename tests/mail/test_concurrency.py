"""Several workers can deliver at once without sending an email twice (PostgreSQL)."""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy.orm import Session

from campaigns.extensions import db
from campaigns.mail.delivery import claim_next, due_rows_query
from campaigns.models import OutboxEmail, utcnow
from tests.conftest import REDIS_URL, ROOT, USING_POSTGRES


@pytest.mark.postgres
@pytest.mark.skipif(not USING_POSTGRES, reason="row locking with SKIP LOCKED needs PostgreSQL")
def test_two_workers_claim_disjoint_batches(app):
    """While one worker holds a batch, another takes the next rows instead of waiting."""
    with app.app_context():
        db.session.add_all(
            OutboxEmail(recipient=f"r{n}@example.org", template="password_changed")
            for n in range(10)
        )
        db.session.commit()
        now = utcnow()
        with Session(db.engine) as first, Session(db.engine) as second:
            a = {row.id for row in first.scalars(due_rows_query(now, 6))}
            b = {row.id for row in second.scalars(due_rows_query(now, 6))}
            assert len(a) == 6 and len(b) == 4 and not a & b
            first.rollback()
            second.rollback()


@pytest.mark.postgres
@pytest.mark.skipif(not USING_POSTGRES, reason="row locking with SKIP LOCKED needs PostgreSQL")
def test_concurrent_claims_take_different_rows(app):
    """A claim in flight locks its row; a second worker claims the next one, never the same."""
    with app.app_context():
        db.session.add_all(
            OutboxEmail(recipient=f"r{n}@example.org", template="password_changed")
            for n in range(3)
        )
        db.session.commit()
        now = utcnow()
        with db.engine.connect() as first, db.engine.connect() as second:
            a = claim_next(first, now)  # not committed yet: the row stays locked
            b = claim_next(second, now)
            assert a is not None and b is not None and a.id != b.id
            first.rollback()
            second.commit()
            c = claim_next(first, now)
            first.commit()
            assert c is not None and c.id != b.id


@pytest.mark.xdist_group("rq-queue")  # both use the one RQ queue: one worker runs both
@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL not set: the scheduler needs Redis")
def test_scheduler_enqueues_the_outbox_sweep(app):
    """`flask scheduler` puts the periodic delivery job on the queue."""
    from redis import Redis
    from rq import Queue

    from campaigns.jobs.runners import QUEUE_NAME

    queue = Queue(QUEUE_NAME, connection=Redis.from_url(REDIS_URL))
    queue.empty()
    env = {**os.environ, "REDIS_URL": REDIS_URL, "SECRET_KEY": "scheduler-test"}
    env["DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while queue.count == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        jobs = queue.get_jobs()
        assert [job.func_name for job in jobs][:1] == ["campaigns.jobs.tasks.deliver_outbox"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)
        queue.empty()
        queue.connection.close()
