"""The campaign dashboard at a million confirmed signatures: each query, the figures, the page.

    .venv/bin/python -m bench.dashboard [--count 1000000] [--explain] [--keep]

Creates a throwaway database (BENCH_DASHBOARD_DATABASE, default gs_dash) on the server of
DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres), migrates it, makes one
open campaign, seeds COUNT confirmed signatures with `flask signatures seed` (COPY), runs
VACUUM ANALYZE as autovacuum soon would, then times, in one process: each of the dashboard's
queries, the whole computation, and GET /campaigns/<slug>/dashboard logged in as the owner,
without the cache and with it. The database is dropped at the end unless --keep
(--reuse measures a database kept by an earlier run, without seeding again).
"""

import argparse
import os
import statistics
import time

import sqlalchemy as sa

from bench.fixtures import (
    _campaign,
    analyze,
    create_database,
    database_url,
    drop_database,
    flask,
    seed,
)
from campaigns import create_app
from campaigns.auth import services as auth
from campaigns.dashboard import stats
from campaigns.extensions import db
from campaigns.models import Campaign, Category, Role, utcnow

SLUG = "dashboard-bench"
EMAIL = "dash-owner@example.org"
PASSWORD = "bench password for the dashboard"
REPEATS = 5


def timed(fn, repeats: int = REPEATS) -> tuple[float, float]:
    """Median and worst milliseconds of fn() over `repeats` runs."""
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs), max(runs)


def prepare(env: dict, count: int) -> None:
    """Migrate, make the owner and the campaign, seed, analyze."""
    flask(env, "db", "upgrade")
    app = create_app({"ENVIRON": env})
    with app.app_context():
        owner = auth.create_user(
            email=EMAIL, display_name="Dash Owner", password=PASSWORD, role=Role.MEMBER
        )
        category = Category(name="Transport", slug="transport", position=0)
        db.session.add(category)
        db.session.flush()
        campaign = _campaign(owner, category, SLUG, goal=5_000_000)
        campaign.published_at = utcnow().replace(year=utcnow().year - 1)
        db.session.commit()
        db.engine.dispose()
    seconds, output = seed(env, SLUG, count)
    print(f"seeded in {seconds:.1f} s: {output.splitlines()[-1]}")
    print(f"VACUUM ANALYZE: {analyze(env['DATABASE_URL']):.1f} s")


def explain(query) -> str:
    """EXPLAIN ANALYZE of a select: its plan's lines, joined."""
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    rows = db.session.execute(sa.text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}")).scalars()
    return "\n    ".join(rows)


def measure(env: dict, show_plans: bool) -> None:
    """Time the queries, the computation and the page."""
    app = create_app({
        "ENVIRON": env, "DASHBOARD_CACHE_SECONDS": 0, "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    })  # fmt: skip
    with app.test_request_context():
        campaign = db.session.scalar(sa.select(Campaign).where(Campaign.slug == SLUG))
        now = utcnow()
        parts = {
            "state counts": lambda: stats.state_counts(campaign.id),
            "suspect counts": lambda: stats.suspect_counts(campaign.id),
            "per day (30)": lambda: stats.per_day(campaign.id, now, 30),
            "per day (90)": lambda: stats.per_day(campaign.id, now, 90),
            "countries+sources": lambda: stats.countries_and_sources(campaign.id),
            "all figures (30)": lambda: stats.compute(campaign, 30),
        }
        for name, fn in parts.items():
            median, worst = timed(fn)
            print(f"{name:>20}: median {median:7.1f} ms, worst {worst:7.1f} ms")
        figures = stats.compute(campaign, 30)
        print(f"confirmed={figures.confirmed} days={figures.window_total} "
              f"countries={len(figures.countries)} projection={figures.projection}")  # fmt: skip
        if show_plans:
            _plans(campaign.id)
    client = app.test_client()
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 302
    url = f"/campaigns/{SLUG}/dashboard"
    median, worst = timed(lambda: client.get(url))
    print(f"{'page, no cache':>20}: median {median:7.1f} ms, worst {worst:7.1f} ms")
    app.config["DASHBOARD_CACHE_SECONDS"] = 60
    first, _ = timed(lambda: client.get(url), repeats=1)
    median, worst = timed(lambda: client.get(url))
    print(f"{'page, cached':>20}: first {first:7.1f} ms, then median {median:7.1f} ms, ", end="")
    print(f"worst {worst:7.1f} ms")


def _plans(campaign_id: int) -> None:
    """Print the plans of the grouped queries (which index each one reads)."""
    from campaigns.models import Signature, SignatureState

    counted = (Signature.state == SignatureState.CONFIRMED, Signature.suspect.is_(False))
    queries = {
        "state counts": sa.select(Signature.state, sa.func.count())
        .where(Signature.campaign_id == campaign_id).group_by(Signature.state),
        "countries+sources": sa.select(Signature.country, Signature.source, sa.func.count())
        .where(Signature.campaign_id == campaign_id, *counted)
        .group_by(Signature.country, Signature.source),
    }  # fmt: skip
    for name, query in queries.items():
        print(f"  plan, {name}:\n    {explain(query)}")


def main() -> None:
    """Set up, measure, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept before")
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres"
    name = os.environ.get("BENCH_DASHBOARD_DATABASE", "gs_dash")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {"DATABASE_URL": database_url(server, name), "SECRET_KEY": "bench-dashboard",
            "MAIL_BACKEND": "console", "GROUNDSWELL_ENV": "development"}  # fmt: skip
    if not args.reuse:
        create_database(server, name)
    try:
        if not args.reuse:
            prepare(env, args.count)
        measure(env, args.explain)
    finally:
        if not args.keep:
            drop_database(server, name)


if __name__ == "__main__":
    main()
