"""`flask worker` and `flask scheduler`: the production background processes."""

import logging

import click
from flask import current_app
from flask.cli import with_appcontext
from rq import SimpleWorker
from rq.cron import CronScheduler

from campaigns.jobs.runners import QUEUE_NAME, RqRunner
from campaigns.jobs.tasks import TASKS, periodic_jobs


def _rq_runner() -> RqRunner:
    """The app's RQ runner, or a clear error when REDIS_URL is missing."""
    runner = current_app.extensions["groundswell_jobs"]
    if not isinstance(runner, RqRunner):
        raise click.ClickException("Set REDIS_URL (and JOBS_BACKEND=rq) to run workers.")
    return runner


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
@with_appcontext
def worker_command(burst: bool):
    """Run an RQ worker for Groundswell's queue; run as many as you like, anywhere."""
    runner = _rq_runner()
    logging.basicConfig(level=logging.INFO)
    worker = SimpleWorker([QUEUE_NAME], connection=runner.redis)
    worker.work(burst=burst, with_scheduler=False)


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Enqueue periodic jobs (outbox sweep) on their intervals; run one per deployment."""
    runner = _rq_runner()
    logging.basicConfig(level=logging.INFO)
    cron = CronScheduler(connection=runner.redis)
    for name, interval in periodic_jobs(current_app.config):
        cron.register(TASKS[name], queue_name=QUEUE_NAME, interval=interval)
    cron.start()
