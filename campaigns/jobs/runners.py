"""Job runners: RQ over Redis, an in-process thread, or manual (tests)."""

import logging
import queue
import threading
import time

from flask import Flask
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

log = logging.getLogger(__name__)
QUEUE_NAME = "groundswell"
# The count aggregator runs every second or two; its own queue keeps mail from delaying it.
COUNTS_QUEUE_NAME = "groundswell-counts"
COUNT_TASKS = frozenset({"aggregate_counts", "reconcile_counts"})


# Seconds during which a process does not enqueue the same job twice.
THROTTLE_SECONDS = 1.0


def queue_for(name: str) -> str:
    """The RQ queue a task is enqueued on."""
    return COUNTS_QUEUE_NAME if name in COUNT_TASKS else QUEUE_NAME


class ManualRunner:
    """Records what was submitted; the caller runs jobs itself (tests, one-off commands)."""

    def __init__(self, app: Flask):
        """Start with nothing submitted."""
        self.app = app
        self.submitted: list[str] = []

    def submit(self, name: str) -> None:
        """Remember the request."""
        self.submitted.append(name)

    def start(self) -> None:
        """Nothing runs in the background."""

    def stop(self) -> None:
        """Nothing to stop."""


class ThreadRunner:
    """One daemon thread per process runs submitted and periodic jobs (embedded default)."""

    def __init__(self, app: Flask):
        """Prepare the queue; the thread starts with the first request or job."""
        self.app = app
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self.waiting: set[str] = set()

    def submit(self, name: str) -> None:
        """Queue a job for the thread, unless it is already waiting (one run does for both)."""
        with self.lock:
            if name in self.waiting:
                return
            self.waiting.add(name)
        self.queue.put(name)
        self.start()

    def start(self) -> None:
        """Start the thread once per process."""
        if self.thread is not None:
            return
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(
                    target=self._loop, name="groundswell-jobs", daemon=True
                )
                self.thread.start()

    def stop(self, timeout: float = 10) -> None:
        """Finish the job in hand and end the thread (tests, clean shutdown)."""
        self.stopping.set()
        self.queue.put(None)
        if self.thread is not None:
            self.thread.join(timeout)

    def _loop(self) -> None:
        """Run periodic jobs when due, queued jobs in between.

        Due periodic jobs go first, so a stream of queued mail can never starve the count
        aggregator (a signature must show in the count within seconds).
        """
        from campaigns.jobs.tasks import periodic_jobs

        intervals = dict(periodic_jobs(self.app.config))
        schedule = dict.fromkeys(intervals, time.monotonic())
        while not self.stopping.is_set():
            due = min(schedule, key=schedule.get)
            wait = schedule[due] - time.monotonic()
            if wait <= 0:
                schedule[due] = time.monotonic() + intervals[due]
                name = due
            else:
                try:
                    name = self.queue.get(timeout=wait)
                except queue.Empty:
                    continue
                if name is not None:
                    with self.lock:
                        self.waiting.discard(name)
            if name is not None and not self.stopping.is_set():
                self._run(name)

    def _run(self, name: str) -> None:
        """Run one job, logging rather than dying on failure."""
        from campaigns.jobs.tasks import TASKS

        try:
            with self.app.app_context():
                TASKS[name]()
        except Exception:
            log.exception("Background job %s failed", name)


class RqRunner:
    """Enqueues jobs on RQ; workers on any machine run them."""

    def __init__(self, app: Flask):
        """Connect lazily to REDIS_URL."""
        self.app = app
        self.redis = Redis.from_url(app.config["REDIS_URL"])
        self.last_enqueued: dict[str, float] = {}
        self.queues = {
            queue: Queue(queue, connection=self.redis) for queue in (QUEUE_NAME, COUNTS_QUEUE_NAME)
        }

    def submit(self, name: str) -> None:
        """Enqueue the job, at most once per THROTTLE_SECONDS per job and process.

        A viral campaign queues a confirmation email per signature; one delivery job drains
        them all, so enqueueing one per request would only load Redis and the workers. A
        job skipped here is covered by the one enqueued moments before (which delivers until
        nothing is due) and by the scheduler's sweep. If Redis is down, the sweep catches up.
        """
        now = time.monotonic()
        if now - self.last_enqueued.get(name, -THROTTLE_SECONDS) < THROTTLE_SECONDS:
            return
        self.last_enqueued[name] = now
        try:
            self.queues[queue_for(name)].enqueue(
                f"campaigns.jobs.tasks.{name}", job_timeout=300, result_ttl=600
            )
        except RedisError as exc:
            log.warning("Could not enqueue %s (%s); the scheduler will catch up", name, exc)

    def start(self) -> None:
        """Workers are separate processes."""

    def stop(self) -> None:
        """Nothing runs here."""


RUNNERS = {"manual": ManualRunner, "thread": ThreadRunner, "rq": RqRunner}


def make_runner(app: Flask):
    """The runner named by JOBS_BACKEND."""
    return RUNNERS[app.config["JOBS_BACKEND"]](app)
