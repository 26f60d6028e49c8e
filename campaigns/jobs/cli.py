"""`flask worker` and `flask scheduler`: the production background processes."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext
from rq import SimpleWorker
from rq.cron import CronScheduler

from campaigns.jobs.runners import COUNTS_QUEUE_NAME, QUEUE_NAME, RqRunner, queue_for
from campaigns.jobs.tasks import TASKS, periodic_jobs


def _rq_runner() -> RqRunner:
    """The app's RQ runner, or a clear error when REDIS_URL is missing."""
    runner = current_app.extensions["groundswell_jobs"]
    if not isinstance(runner, RqRunner):
        raise click.ClickException("Set REDIS_URL (and JOBS_BACKEND=rq) to run workers.")
    return runner


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
@click.option(
    "--queue",
    "queues",
    multiple=True,
    type=click.Choice([COUNTS_QUEUE_NAME, QUEUE_NAME]),
    help="Queues to serve, first first (default: counts, then everything else).",
)
@with_appcontext
def worker_command(burst: bool, queues: tuple[str, ...]):
    """Run an RQ worker for Groundswell's queues; run as many as you like, anywhere."""
    runner = _rq_runner()
    logging.basicConfig(level=logging.INFO)
    worker = SimpleWorker(list(queues) or [COUNTS_QUEUE_NAME, QUEUE_NAME], connection=runner.redis)
    worker.work(burst=burst, with_scheduler=False)


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Enqueue periodic jobs (counts, outbox, deadlines...) on their intervals; run one."""
    runner = _rq_runner()
    logging.basicConfig(level=logging.INFO)
    cron = CronScheduler(connection=runner.redis)
    for name, interval in periodic_jobs(current_app.config):
        cron.register(TASKS[name], queue_name=queue_for(name), interval=interval)
    cron.start()
