"""Background job runners: in-process thread, RQ over Redis, and Redis outages."""

import time

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from campaigns.extensions import db
from campaigns.jobs.runners import QUEUE_NAME
from campaigns.models import OutboxEmail, OutboxState
from tests.conftest import PASSWORD, REDIS_URL


def register(client):
    """Register through the real form."""
    data = {"email": "ana@example.org", "display_name": "Ana", "password": PASSWORD}
    assert client.post("/register", data={**data, "confirm": PASSWORD}).status_code == 200


def state(app):
    """The state of the single outbox row."""
    with app.app_context():
        return db.session.scalars(select(OutboxEmail.state)).one()


def test_thread_runner_delivers_after_commit(app_factory):
    """In the embedded default, the email is delivered in-process soon after the request."""
    app = app_factory(JOBS_BACKEND="thread")
    register(app.test_client())
    deadline = time.monotonic() + 10
    while state(app) != OutboxState.SENT and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state(app) == OutboxState.SENT


def test_redis_outage_keeps_the_request_working(app_factory):
    """If Redis is unreachable, signing up still works and the email waits in the outbox."""
    app = app_factory(JOBS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:1/0")
    app.extensions["groundswell_jobs"].redis = Redis.from_url(
        "redis://127.0.0.1:1/0", socket_connect_timeout=0.2
    )
    app.extensions["groundswell_jobs"].queue = Queue(
        QUEUE_NAME, connection=app.extensions["groundswell_jobs"].redis
    )
    register(app.test_client())
    assert state(app) == OutboxState.PENDING


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL not set: RQ worker test needs Redis")
def test_rq_worker_delivers(app_factory):
    """Production path: the request enqueues on RQ and a worker delivers."""
    app = app_factory(JOBS_BACKEND="rq")
    runner = app.extensions["groundswell_jobs"]
    runner.queue.empty()
    register(app.test_client())
    assert runner.queue.count >= 1
    with app.app_context():
        worker = SimpleWorker([runner.queue], connection=runner.redis)
        assert worker.work(burst=True)
    assert state(app) == OutboxState.SENT
    runner.redis.close()


def test_worker_command_needs_redis(runner):
    """Without REDIS_URL the worker explains what is missing."""
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL" in result.output
