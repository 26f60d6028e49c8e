"""The `export` part of `make bench`: the signatures CSV and delivery document at 10k and 100k.

Each size is downloaded through the real routes (`/campaigns/<slug>/signatures.csv`, then
`/campaigns/<slug>/delivery`, logged in as the organizer through the real form) from a fresh
gunicorn with one sync worker, so one process serves everything and nothing another request
left behind is counted. In that worker the log-in (argon2 uses 64 MiB by design) and small
warm-up downloads run first; then, before each measured download, the worker's peak-RSS mark
is reset (`/proc/<pid>/clear_refs`, "5"), so `VmHWM` afterwards is that download's peak alone.
The peak must not grow by more than GROWTH_LIMIT_MB between the two sizes, and each download
must hold every row (every signature in the CSV, every named signer in the document).
"""

import csv
import http.client
import http.cookiejar
import io
import re
import secrets
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from bench import fixtures, servers
from campaigns import create_app
from campaigns.auth import services as auth
from campaigns.extensions import db
from campaigns.models import Category, Role
from campaigns.signatures.cli import VISIBILITIES

SIZES = (10_000, 100_000)
WARM_UP_ROWS = 100
GROWTH_LIMIT_MB = 20
# One sync worker: the request is measured in the only process that serves it.
GUNICORN = {"workers": 1, "worker_class": "sync", "threads": 1}
READ_BYTES = 64 * 1024


@dataclass
class Export:
    """One measured download."""

    rows: int
    seconds: float
    bytes: int
    rss_before_kb: int
    peak_kb: int

    @property
    def rate(self) -> float:
        """Rows per second, request sent to last byte read."""
        return self.rows / self.seconds if self.seconds else 0.0


def slug(rows: int) -> str:
    """The campaign seeded with that many signatures."""
    return f"bench-export-{rows}"


def create_campaigns(env: dict) -> tuple[str, str]:
    """An organizer with a known password and one campaign per size; their email and password."""
    email, password = f"bench-export-{uuid.uuid4().hex[:8]}@example.org", secrets.token_urlsafe()
    app = create_app({"ENVIRON": env})
    with app.app_context():
        owner = auth.create_user(
            email=email, display_name="Export Owner", password=password, role=Role.MEMBER
        )
        category = db.session.scalar(sa.select(Category).limit(1))
        if category is None:
            category = Category(name="Transport", slug="transport", position=0)
            db.session.add(category)
            db.session.flush()
        for rows in (WARM_UP_ROWS, *SIZES):
            fixtures._campaign(owner, category, slug(rows), goal=100_000_000)
        db.session.commit()
        db.engine.dispose()
    return email, password


def log_in(base: str, email: str, password: str) -> str:
    """Log in through the real form (CSRF token and all); the Cookie header to send after."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/login", timeout=30) as response:
        html = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if token is None:
        raise RuntimeError("export: no csrf_token on the login page")
    form = {"csrf_token": token.group(1), "email": email, "password": password}
    with opener.open(f"{base}/login", urllib.parse.urlencode(form).encode(), timeout=60) as r:
        r.read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "Log out" not in opener.open(f"{base}/account", timeout=30).read().decode():
        raise RuntimeError("export: logging in as the organizer failed")
    return cookie


def _csv_rows(stream: io.RawIOBase) -> int:
    """Data rows of a CSV (its first line is the header)."""
    return sum(1 for _ in csv.reader(io.TextIOWrapper(stream, encoding="utf-8", newline=""))) - 1


def _listed_names(stream: io.RawIOBase) -> int:
    """Entries of the delivery document's list of names (each ends with its country's span)."""
    marker, found, tail = b"</span></li>", 0, b""
    while chunk := stream.read(READ_BYTES):
        data = tail + chunk
        found += data.count(marker)
        tail = data[-(len(marker) - 1) :] if not data.endswith(marker) else b""
    return found


# What each benchmarked download is: its path, its type, and how its rows are counted.
KINDS = {
    "csv": ("/campaigns/{}/signatures.csv", "text/csv", _csv_rows),
    "delivery": ("/campaigns/{}/delivery", "text/html", _listed_names),
}


def download(port: int, kind: str, rows: int, cookie: str) -> tuple[int, int, float]:
    """GET one campaign's CSV or delivery document, reading it as it streams: rows, bytes, s."""
    path, mimetype, count = KINDS[kind]
    path = path.format(slug(rows))
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    if response.status != 200 or not response.getheader("Content-Type", "").startswith(mimetype):
        raise RuntimeError(f"export: {path} answered {response.status}, not {mimetype}")
    stream = _CountingReader(response)
    found = count(io.BufferedReader(stream, READ_BYTES))
    seconds = time.perf_counter() - started
    conn.close()
    return found, stream.bytes, seconds


def expected(kind: str, rows: int) -> int:
    """Rows a download must hold: every signature in the CSV, named signers in the document."""
    if kind == "csv":
        return rows
    return sum(1 for n in range(rows) if VISIBILITIES[n % len(VISIBILITIES)] != "count_only")


class _CountingReader(io.RawIOBase):
    """A response body as a raw stream that counts the bytes read through it."""

    def __init__(self, response):
        """Wrap an http.client response."""
        self.response, self.bytes = response, 0

    def readable(self) -> bool:
        """It is read, never written."""
        return True

    def readinto(self, buffer) -> int:
        """Fill the buffer from the response."""
        data = self.response.read(min(len(buffer), READ_BYTES))
        buffer[: len(data)] = data
        self.bytes += len(data)
        return len(data)


def memory_kb(pid: int, field: str) -> int:
    """A VmRSS/VmHWM figure of a process, in kB, from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1))


def worker_pid(base: str) -> int:
    """The pid of the (only) gunicorn worker, as it reports it."""
    with urllib.request.urlopen(f"{base}/bench/pid", timeout=30) as response:  # noqa: S310
        return int(response.read())


def measure(env: dict, port: int, logdir: Path, login: tuple[str, str], rows: int) -> dict:
    """One size, on a fresh single-worker gunicorn: warm up, then each download on its own.

    Before each measured download the worker's peak mark is reset to its resident size,
    so VmHWM afterwards is that download's peak alone.
    """
    env = {**env, "GUNICORN_CMD_ARGS": "--timeout 600"}  # a slow machine must not kill it
    server = servers.start(f"export-{rows}", "bench.export_app:app", port, env, GUNICORN, logdir)
    results = {}
    try:
        servers.wait_until_up(server, "/bench/hello")
        cookie = log_in(server.url, *login)
        for kind in KINDS:
            warm, _, _ = download(port, kind, WARM_UP_ROWS, cookie)
            if warm != expected(kind, WARM_UP_ROWS):
                raise RuntimeError(f"export: the warm-up {kind} had {warm} rows")
        pid = worker_pid(server.url)
        for kind in KINDS:
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS now
            before = memory_kb(pid, "VmRSS")
            got, size, seconds = download(port, kind, rows, cookie)
            results[kind] = Export(got, seconds, size, before, memory_kb(pid, "VmHWM"))
        if worker_pid(server.url) != pid:
            raise RuntimeError("export: the gunicorn worker was replaced during the export")
    finally:
        servers.stop(server)
    return results


def describe(result: Export) -> str:
    """One measured download, as a line of the report."""
    mb = 1024
    return (
        f"{result.rate:9,.0f} rows/s ({result.seconds:.2f} s, {result.bytes / 1e6:.1f} MB sent)"
        f"  worker RSS before {result.rss_before_kb / mb:.1f} MB, peak while serving "
        f"{result.peak_kb / mb:.1f} MB (+{(result.peak_kb - result.rss_before_kb) / mb:.1f} MB)"
        f"  rows {result.rows:,}"
    )


def run(env: dict, url: str, port: int, logdir: Path) -> list[tuple[str, bool]]:
    """Seed, download each size, print the figures; the checks for the final verdict."""
    print("\nSignatures CSV export and delivery document, each size on a fresh gunicorn worker")
    login = create_campaigns(env)
    for rows in (WARM_UP_ROWS, *SIZES):
        seconds, _ = fixtures.seed(env, slug(rows), rows)
        print(f"  seeded {rows:>7,} signatures in {seconds:.1f} s (flask signatures seed)")
    fixtures.analyze(url)
    results, checks = {rows: measure(env, port, logdir, login, rows) for rows in SIZES}, []
    for kind, title in (("csv", "CSV export"), ("delivery", "delivery document")):
        for rows in SIZES:
            result, want = results[rows][kind], expected(kind, rows)
            exact = result.rows == want
            print(
                f"  {title} of {rows:>7,}: {describe(result)}"
                + ("" if exact else f"  <-- MISMATCH, expected {want:,}"),
                flush=True,
            )
            checks.append((f"{title} of {rows:,} has all {want:,} rows ({result.rows:,})", exact))
        small, big = (results[n][kind].peak_kb for n in SIZES)
        growth = (big - small) / 1024
        ok = growth <= GROWTH_LIMIT_MB
        print(
            f"  {title} peak RSS at {SIZES[0]:,}: {small / 1024:.1f} MB, at {SIZES[1]:,}: "
            f"{big / 1024:.1f} MB, difference {growth:+.1f} MB (limit {GROWTH_LIMIT_MB} MB): "
            + ("PASS" if ok else "FAIL"),
            flush=True,
        )
        checks.append((
            f"{title} peak memory grew {growth:+.1f} MB from {SIZES[0]:,} to {SIZES[1]:,} rows "
            f"(limit {GROWTH_LIMIT_MB} MB)", ok,
        ))  # fmt: skip
    return checks
