"""Background job runners: in-process thread, RQ over Redis, and Redis outages."""

import time

import pytest
from rq import SimpleWorker

from campaigns.jobs.runners import QUEUE_NAME
from campaigns.models import OutboxState
from tests.conftest import REDIS_URL, outbox_rows, register


def state(app):
    """The state of the single outbox row."""
    [row] = outbox_rows(app)
    return row.state


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
    app = app_factory(JOBS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens
    register(app.test_client())
    assert state(app) == OutboxState.PENDING


@pytest.mark.xdist_group("rq-queue")  # both use the one RQ queue: one worker runs both
@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL not set: RQ worker test needs Redis")
def test_rq_worker_delivers(app_factory):
    """Production path: the request enqueues on RQ and a worker delivers."""
    app = app_factory(JOBS_BACKEND="rq")
    runner = app.extensions["groundswell_jobs"]
    queue = runner.queues[QUEUE_NAME]
    queue.empty()
    register(app.test_client())
    assert queue.count >= 1
    with app.app_context():
        worker = SimpleWorker([queue], connection=runner.redis)
        assert worker.work(burst=True)
    assert state(app) == OutboxState.SENT
    runner.redis.close()


def test_worker_command_needs_redis(runner):
    """Without REDIS_URL the worker explains what is missing."""
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL" in result.output


def test_endless_mail_never_starves_the_count_aggregator(app_factory, monkeypatch):
    """A delivery job that is always asked for again still leaves the aggregator its turns."""
    from campaigns.jobs import tasks

    runs = {"deliver_outbox": 0, "aggregate_counts": 0}
    app = app_factory(JOBS_BACKEND="thread", COUNT_INTERVAL_SECONDS=1)
    runner = app.extensions["groundswell_jobs"]

    def endless_mail():
        runs["deliver_outbox"] += 1
        time.sleep(0.02)
        runner.submit("deliver_outbox")  # more mail arrived meanwhile
        runner.submit("deliver_outbox")  # ... and again: one waiting run covers both

    def aggregate():
        runs["aggregate_counts"] += 1

    for name in tasks.TASKS:
        monkeypatch.setitem(tasks.TASKS, name, lambda: None)
    monkeypatch.setitem(tasks.TASKS, "deliver_outbox", endless_mail)
    monkeypatch.setitem(tasks.TASKS, "aggregate_counts", aggregate)
    runner.submit("deliver_outbox")
    time.sleep(2.5)
    assert runner.queue.qsize() <= 1  # asked for many times, waiting once
    runner.stop()
    assert runs["aggregate_counts"] >= 2
    assert runs["deliver_outbox"] >= 10


def test_rq_delivery_is_enqueued_at_most_once_a_second_per_process(app_factory, monkeypatch):
    """A burst of signatures enqueues one delivery job; a second later another may go."""
    from campaigns.jobs import runners

    app = app_factory(JOBS_BACKEND="rq", REDIS_URL="redis://127.0.0.1:1/0")
    runner = app.extensions["groundswell_jobs"]
    enqueued = []

    class FakeQueue:
        """Records what would have gone to Redis."""

        def enqueue(self, path, **options):
            enqueued.append(path)

    runner.queues = {runners.QUEUE_NAME: FakeQueue(), runners.COUNTS_QUEUE_NAME: FakeQueue()}
    clock = [100.0]
    monkeypatch.setattr(runners.time, "monotonic", lambda: clock[0])
    for _ in range(50):
        runner.submit("deliver_outbox")
    runner.submit("aggregate_counts")  # another job has its own allowance
    assert enqueued == [
        "campaigns.jobs.tasks.deliver_outbox",
        "campaigns.jobs.tasks.aggregate_counts",
    ]
    clock[0] += runners.THROTTLE_SECONDS
    runner.submit("deliver_outbox")
    assert enqueued[-1] == "campaigns.jobs.tasks.deliver_outbox" and len(enqueued) == 3
