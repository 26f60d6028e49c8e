"""`make bench`: measure signing, count.json, the campaign page and the CSV export.

Creates a fresh PostgreSQL database, migrates it, makes three open campaigns (one to sign,
one seeded with a million confirmed signatures, one with a hundred), starts the real app
and a minimal baseline app under gunicorn with the same settings, and drives both with wrk,
alternating A and B so drift on a shared machine hits both sides alike. Prints medians, the
ratios against the targets, and whether every count and row check holds. Exit status is 1
only when the benchmark itself fails (a server does not start, rows and answers disagree);
a missed target is a measurement, reported as MISS. Settings: see bench/README.md.
"""

import http.client
import os
import re
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from redis.exceptions import RedisError

from bench import export, fixtures, load, report, servers
from bench.schema import engine_url

SLUGS = {"sign": "bench-sign", "million": "bench-million", "hundred": "bench-hundred"}
WARMUP_SECONDS = 3
BENCHMARKS = ("sign", "count", "page", "export")


@dataclass
class Settings:
    """What the environment asks for, with the defaults used in the issue's figures."""

    server_url: str
    database: str
    redis_url: str
    signatures: int
    rounds: int
    load: load.Load
    gunicorn: dict
    port: int
    keep: bool
    only: frozenset[str]


def settings() -> Settings:
    """Read the BENCH_* variables (and DATABASE_URL for the PostgreSQL server)."""
    env = os.environ
    cores = os.cpu_count() or 1
    worker_class = env.get("BENCH_WORKER_CLASS", "sync")
    return Settings(
        server_url=env.get("DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/postgres",
        database=env.get("BENCH_DATABASE", "groundswell_bench"),
        # Its own Redis database, so the run's queued jobs never reach a real worker.
        redis_url=env.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        signatures=int(env.get("BENCH_SIGNATURES", "1000000")),
        rounds=int(env.get("BENCH_ROUNDS", "3")),
        load=load.Load(
            threads=int(env.get("BENCH_THREADS", "2")),
            connections=int(env.get("BENCH_CONNECTIONS", "32")),
            seconds=int(env.get("BENCH_DURATION", "10").rstrip("s")),
        ),
        gunicorn={
            "workers": int(env.get("BENCH_WORKERS", str(2 * cores + 1))),
            "worker_class": worker_class,
            "threads": int(env.get("BENCH_WORKER_THREADS", "1" if worker_class == "sync" else "4")),
        },
        port=int(env.get("BENCH_PORT", "8765")),
        keep=env.get("BENCH_KEEP") == "1",
        only=frozenset(env.get("BENCH_ONLY", ",".join(BENCHMARKS)).replace(" ", "").split(",")),
    )


def app_env(cfg: Settings, database_url: str) -> dict:
    """The production configuration, on plain HTTP, with signing limits raised for the run."""
    raised = "1000000 per hour"
    return {
        **os.environ,
        "GROUNDSWELL_ENV": "production",
        "SECRET_KEY": uuid.uuid4().hex,
        "DATABASE_URL": database_url,
        "REDIS_URL": cfg.redis_url,
        "JOBS_BACKEND": "rq",
        # Nothing listens there; no worker runs, so outbox rows simply wait.
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": "9",
        "SESSION_COOKIE_SECURE": "false",
        "BASE_URL": f"http://127.0.0.1:{cfg.port}",
        "SIGN_LIMIT_PER_IP_PER_CAMPAIGN": raised,
        "SIGN_LIMIT_PER_IP": raised,
        "SIGN_LIMIT_PER_DOMAIN_PER_CAMPAIGN": raised,
    }


def fetch(url: str) -> tuple[str, list[str]]:
    """GET a page: its text and Set-Cookie headers."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 -- our server
        return response.read().decode(), response.headers.get_all("Set-Cookie") or []


def sign_form(server: servers.Server, slug: str) -> dict:
    """A session cookie and CSRF token from the campaign page, and the form around the email."""
    html, cookies = fetch(f"{server.url}/campaigns/{slug}")
    token = None
    for tag in re.findall(r"<input[^>]*>", html):
        if 'name="csrf_token"' in tag:
            token = re.search(r'value="([^"]+)"', tag).group(1)
            break
    if token is None:
        raise RuntimeError("No csrf_token input on the campaign page: is the sign form there?")
    before = urllib.parse.urlencode({"csrf_token": token, "name": "Ana Bench"})
    after = urllib.parse.urlencode(
        {
            "country": "GB",
            "postcode": "SW1A 1AA",
            "reason": "The last bus leaves before my shift ends.",
            "visibility": "count_only",
            "consent_updates": "y",
            "website": "",
        }
    )
    return {
        "path": f"/campaigns/{slug}/sign",
        "cookie": "; ".join(c.split(";", 1)[0] for c in cookies),
        "prefix": before + "&email=",
        "suffix": "&" + after,
    }


def post_once(server: servers.Server, form: dict, path: str) -> int:
    """Sign once by hand (before any load) to check the form is accepted: the status."""
    body = f"{form['prefix']}check-{uuid.uuid4().hex[:8]}%40example.org{form['suffix']}"
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": form["cookie"]}
    conn.request("POST", path, body=body, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


class Rows:
    """Rows a sign run wrote, read from the table it writes to."""

    def __init__(self, engine: sa.Engine, table: str, where: str = "TRUE"):
        """Watch `table` (rows matching `where`)."""
        self.engine, self.table, self.where = engine, table, where

    def mark(self) -> int:
        """The highest id now; rows above it are the next run's."""
        query = f"SELECT coalesce(max(id), 0) FROM {self.table} WHERE {self.where}"  # noqa: S608
        with self.engine.connect() as conn:
            return conn.execute(sa.text(query)).scalar_one()

    def since(self, mark: int) -> tuple[int, float]:
        """Rows written after the mark, and their rate from first to last created_at."""
        query = (
            f"SELECT count(*), extract(epoch FROM max(created_at) - min(created_at)) "  # noqa: S608
            f"FROM {self.table} WHERE {self.where} AND id > :mark"
        )
        with self.engine.connect() as conn:
            count, span = conn.execute(sa.text(query), {"mark": mark}).one()
        return count, (count - 1) / float(span) if count > 1 and span else 0.0


@dataclass
class SignRun:
    """One sign run and the rows it left."""

    run: load.Run
    rows: int
    rate: float

    @property
    def exact(self) -> bool:
        """Every request answered 303, and one row per 303."""
        ok = self.run.statuses.get(303, 0)
        return self.run.sent == self.run.answered == ok == self.rows and not any(self.run.errors)


def sign_run(label, cfg, server, form, rows: Rows, tag: str, seconds=None) -> SignRun:
    """One wrk sign run against a server, with its rows counted."""
    mark = rows.mark()
    run = load.sign(label, cfg.load, server.url, {**form, "tag": tag}, seconds)
    time.sleep(0.5)  # answers are in; let the last commits settle before counting
    count, rate = rows.since(mark)
    result = SignRun(run, count, rate)
    others = {k: v for k, v in run.statuses.items() if k != 303}
    print(
        f"  {label:<22} {rate:8.1f} sig/s  p50 {run.p50_ms:7.1f} ms  p99 {run.p99_ms:7.1f} ms  "
        f"rows {count} / 303s {run.statuses.get(303, 0)} / sent {run.sent}  "
        f"other {others} errors {run.errors}" + ("" if result.exact else "  <-- MISMATCH"),
        flush=True,
    )
    return result


def get_run(label: str, cfg: Settings, url: str, seconds=None) -> load.Run:
    """One wrk GET run; every answer must be 200, and a measured run must have answers."""
    run = load.get(label, cfg.load, url, seconds)
    print(
        f"  {label:<22} {run.rate:8.1f} req/s  p50 {run.p50_ms:7.1f} ms  p99 {run.p99_ms:7.1f} ms"
        f"  statuses {run.statuses} errors {run.errors}",
        flush=True,
    )
    if set(run.statuses) - {200} or (seconds is None and not run.statuses):
        raise RuntimeError(f"{label}: expected only 200 answers, got {run.statuses}")
    return run


def alternate(cfg: Settings, a, b) -> dict:
    """Warm both sides up, then run A, B, A, B... for the configured rounds."""
    runs = {
        "a": [],
        "b": [],
        "warm-up": [a("warm-up", WARMUP_SECONDS), b("warm-up", WARMUP_SECONDS)],
    }
    for n in range(1, cfg.rounds + 1):
        runs["a"].append(a(f"round {n}", None))
        runs["b"].append(b(f"round {n}", None))
    return runs


def bench_sign(cfg, app, baseline, engine, campaign_id: int) -> dict:
    """The real sign POST against one INSERT per POST."""
    form = sign_form(app, SLUGS["sign"])
    for server, path in ((app, form["path"]), (baseline, "/sign")):
        status = post_once(server, form, path)
        if status != 303:
            raise RuntimeError(f"{server.name}: a hand-made sign POST answered {status}, not 303")
    app_rows = Rows(engine, "signature", f"campaign_id = {int(campaign_id)}")
    base_rows = Rows(engine, "bench_signature")

    def a(name, seconds):
        """The real app."""
        tag = "a" + uuid.uuid4().hex[:6]
        return sign_run(f"sign app {name}", cfg, app, form, app_rows, tag, seconds)

    def b(name, seconds):
        """The baseline, with the same body and cookie."""
        tag = "b" + uuid.uuid4().hex[:6]
        form_b = {**form, "path": "/sign"}
        return sign_run(f"sign baseline {name}", cfg, baseline, form_b, base_rows, tag, seconds)

    return alternate(cfg, a, b)


def bench_get(cfg, name: str, url_a: str, url_b: str) -> dict:
    """Two GETs, alternated."""
    return alternate(
        cfg,
        lambda label, s: get_run(f"{name} A {label}", cfg, url_a, s),
        lambda label, s: get_run(f"{name} B {label}", cfg, url_b, s),
    )


def check_counts(app, engine) -> list[tuple[str, bool]]:
    """The seeded campaigns' page, count.json, stored count and real count all agree."""
    checks = []
    for key in ("million", "hundred"):
        slug = SLUGS[key]
        stored, real = fixtures.exact_counts(engine, slug)
        shown = report.page_count(fetch(f"{app.url}/campaigns/{slug}")[0])
        served = fetch(f"{app.url}/campaigns/{slug}/count.json")[0]
        served_count = int(re.search(r'"signature_count":\s*(\d+)', served).group(1))
        ok = stored == real == shown == served_count
        print(
            f"  {slug}: database {real:,} counted, stored {stored:,}, page shows {shown}, "
            f"count.json {served_count:,}" + ("" if ok else "  <-- NOT EXACT")
        )
        checks.append((f"{slug} count exact ({real:,})", ok))
    return checks


def clean_redis(url: str) -> None:
    """Empty the job queues the run filled in its own Redis database."""
    from redis import Redis
    from rq import Queue

    from campaigns.jobs.runners import COUNTS_QUEUE_NAME, QUEUE_NAME

    redis = Redis.from_url(url)
    for name in (QUEUE_NAME, COUNTS_QUEUE_NAME):
        queue = Queue(name, connection=redis)
        print(f"  RQ queue {name!r} on {url}: {queue.count} jobs enqueued by the run, emptied")
        queue.empty()


def seed_campaigns(cfg: Settings, env: dict, url: str) -> None:
    """A million confirmed signatures on one campaign, a hundred on another, then ANALYZE."""
    seconds, output = fixtures.seed(env, SLUGS["million"], cfg.signatures)
    print(f"Seeded {cfg.signatures:,} signatures in {seconds:.1f} s (flask signatures seed):")
    print("  " + output.replace("\n", "\n  "), flush=True)
    fixtures.seed(env, SLUGS["hundred"], 100)
    print(f"VACUUM ANALYZE after the bulk load: {fixtures.analyze(url):.1f} s", flush=True)


def finish(results: dict, checks: list[tuple[str, bool]], cfg: Settings) -> int:
    """Print the summary; 1 when a check failed, else 0."""
    report.summary(results, checks, cfg.rounds, cfg.signatures)
    print(f"Load average at the end: {os.getloadavg()} ({os.cpu_count()} cores)")
    failed = [title for title, ok in checks if not ok]
    if failed:
        print(f"BENCH FAILED: {'; '.join(failed)}")
        return 1
    return 0


def main() -> int:
    """Run everything; 0 when the benchmark ran (targets met or not), 1 when it failed."""
    cfg = settings()
    if not cfg.only or cfg.only - set(BENCHMARKS):
        print(f"BENCH FAILED: BENCH_ONLY names {sorted(cfg.only)}; choose from {BENCHMARKS}")
        return 1
    if not cfg.server_url.startswith(("postgres://", "postgresql")):
        print(f"BENCH FAILED: the benchmark needs PostgreSQL; DATABASE_URL is {cfg.server_url}")
        return 1
    logdir = tempfile.mkdtemp(prefix="groundswell-bench-")
    url = fixtures.database_url(cfg.server_url, cfg.database)
    env = app_env(cfg, url)
    print(
        f"Groundswell bench: database {cfg.database}, gunicorn {cfg.gunicorn}, wrk "
        f"-t{cfg.load.threads} -c{cfg.load.connections} {cfg.load.seconds}s x {cfg.rounds} "
        f"rounds, logs in {logdir}; load average {os.getloadavg()} on {os.cpu_count()} cores",
        flush=True,
    )
    started = []
    engine = sa.create_engine(engine_url(url))
    fixtures.create_database(cfg.server_url, cfg.database)
    try:
        fixtures.flask(env, "db", "upgrade")
        fixtures.create_campaigns(env, SLUGS)
        checks = export.run(env, url, cfg.port + 2, Path(logdir)) if "export" in cfg.only else []
        if not cfg.only - {"export"}:
            return finish({}, checks, cfg)
        if cfg.only & {"count", "page"}:
            seed_campaigns(cfg, env, url)
        for name, target, port in (
            ("app", "bench.app:app", cfg.port),
            ("baseline", "bench.baseline:app", cfg.port + 1),
        ):
            started.append(servers.start(name, target, port, env, cfg.gunicorn, Path(logdir)))
        app, baseline = started
        servers.wait_until_up(app, "/bench/hello")
        servers.wait_until_up(baseline, "/health")
        with engine.connect() as conn:
            campaign_id = conn.execute(
                sa.text("SELECT id FROM campaign WHERE slug = :s"), {"s": SLUGS["sign"]}
            ).scalar_one()
        results = {}
        if "sign" in cfg.only:
            print("\nSign POST (A: the real form) vs one INSERT per POST (B: baseline)", flush=True)
            results["sign"] = bench_sign(cfg, app, baseline, engine, campaign_id)
        if "count" in cfg.only:
            print("\ncount.json (A) vs /bench/hello (B), same server", flush=True)
            count_url = f"{app.url}/campaigns/{SLUGS['million']}/count.json"
            results["count"] = bench_get(cfg, "count", count_url, f"{app.url}/bench/hello")
        if "page" in cfg.only:
            print(f"\nCampaign page at {cfg.signatures:,} signatures (A) vs at 100 (B)", flush=True)
            results["page"] = bench_get(
                cfg,
                "page",
                f"{app.url}/campaigns/{SLUGS['million']}",
                f"{app.url}/campaigns/{SLUGS['hundred']}",
            )
        print("\nCounts", flush=True)
        checks += report.row_checks(results["sign"]) if "sign" in results else []
        if cfg.only & {"count", "page"}:
            checks += check_counts(app, engine)
        return finish(results, checks, cfg)
    except (RuntimeError, OSError, sa.exc.SQLAlchemyError) as exc:
        print(f"\nBENCH FAILED: {exc}", file=sys.stderr)
        for server in started:
            print(f"--- {server.name} log tail ---\n{server.log_tail()}", file=sys.stderr)
        return 1
    finally:
        for server in started:
            servers.stop(server)
        engine.dispose()
        try:
            clean_redis(cfg.redis_url)
        except (RedisError, OSError) as exc:
            print(f"  (could not empty the RQ queues: {exc})")
        if cfg.keep:
            print(f"BENCH_KEEP=1: kept database {cfg.database}")
        else:
            fixtures.drop_database(cfg.server_url, cfg.database)


if __name__ == "__main__":
    sys.exit(main())
