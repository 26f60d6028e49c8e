"""Background jobs: queued after commit to RQ (production) or an in-process thread.

Jobs are named by key in campaigns.jobs.tasks.TASKS. A job is requested with
enqueue_after_commit(); it is dispatched only when the transaction commits, so a
rolled-back request schedules nothing. Periodic jobs catch anything a failed
dispatch missed, so a Redis outage delays work and loses none.
"""

import logging

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from campaigns.extensions import db

log = logging.getLogger(__name__)
PENDING_KEY = "groundswell_jobs"


def enqueue_after_commit(name: str) -> None:
    """Ask for job `name` to run once the current transaction commits."""
    db.session.info.setdefault(PENDING_KEY, set()).add(name)


def enqueue_now(name: str) -> None:
    """Hand job `name` to the runner at once, for work already committed on its own."""
    current_app.extensions["groundswell_jobs"].submit(name)


def _after_commit(session: Session) -> None:
    """Hand the jobs requested in this transaction to the app's runner."""
    names = session.info.pop(PENDING_KEY, None)
    if not names or not has_app_context():
        return
    runner = current_app.extensions["groundswell_jobs"]
    for name in sorted(names):
        runner.submit(name)


def _after_rollback(session: Session, previous_transaction) -> None:
    """Forget jobs requested by a transaction that did not commit (not on savepoints)."""
    if previous_transaction.parent is None:
        session.info.pop(PENDING_KEY, None)


def init_jobs(app: Flask) -> None:
    """Pick the runner named by JOBS_BACKEND and listen for commits."""
    from campaigns.jobs.runners import make_runner

    app.extensions["groundswell_jobs"] = make_runner(app)
    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_soft_rollback", _after_rollback)
    app.before_request(app.extensions["groundswell_jobs"].start)
