"""What the organizers' dashboard counts: a few bounded, grouped queries per campaign.

Signing is the hot write, so the dashboard adds no index to the signature table. Each
query reads one campaign's rows through an index that already exists and returns at most
a few hundred grouped rows, whatever the number of signatures:

- states: GROUP BY state over (campaign_id, state, created_at), index-only where vacuumed;
- suspects: the partial index ix_signature_suspect_waiting, by spelling its predicate,
  and in the same query the paper signatures of pending imports, through the partial
  index ix_signature_import_id (a pending row there is not waiting for an email);
- per day: the confirmed range of (campaign_id, state, created_at) since the window start,
  index-only, less the suspect ones from the partial index;
- countries and sources: one pass over the confirmed range, grouped by both at once.

Days are UTC days of signing (created_at), the column the index holds; confirming follows
signing within minutes for nearly everyone. The figures are kept per process for
DASHBOARD_CACHE_SECONDS, because the exact count of a million rows takes a moment.
"""

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from campaigns.extensions import db
from campaigns.models import (
    Campaign,
    ImportState,
    Signature,
    SignatureImport,
    SignatureSource,
    SignatureState,
    utcnow,
)
from campaigns.models.signature import SUSPECT_WAITING, SUSPECT_WAITING_SQLITE

WINDOWS = (30, 90)
PACE_DAYS = 7
TOP_COUNTRIES = 10
# Further than this, a projected date says nothing an organizer could plan with.
MAX_PROJECTION_DAYS = 3650
# Past this many cached entries in one process, the cache starts again empty.
MAX_ENTRIES = 2000
PAPER = "paper"  # the union's label for the paper signatures' row


@dataclass(frozen=True)
class Projection:
    """When the goal would be reached at the recent pace, or why there is no date.

    kind: "projected", "reached", "no_goal", "not_open", "no_pace" or "too_far".
    """

    kind: str
    on: date | None = None
    days: int | None = None
    after_deadline: bool = False


@dataclass
class DashboardStats:
    """Every figure the dashboard shows, as plain values (safe to keep between requests)."""

    computed_at: datetime
    window: int
    confirmed: int = 0
    pending: int = 0
    paper: int = 0  # paper signatures waiting for an organizer to confirm their import
    suspect: int = 0
    days: list[tuple[date, int]] = field(default_factory=list)
    countries: list[tuple[str, int]] = field(default_factory=list)
    other_countries: int = 0
    sources: list[tuple[str, int]] = field(default_factory=list)
    pace: float = 0.0
    projection: Projection = field(default_factory=lambda: Projection("no_goal"))

    @property
    def window_total(self) -> int:
        """Confirmed signatures signed within the chart's window."""
        return sum(n for _, n in self.days)

    def share(self, n: int) -> float:
        """n as a fraction of the confirmed signatures (0 when there are none)."""
        return n / self.confirmed if self.confirmed else 0.0


def dashboard_stats(campaign: Campaign, window: int = 30) -> DashboardStats:
    """The campaign's figures, from this process's cache while fresh."""
    window = window if window in WINDOWS else WINDOWS[0]
    seconds = current_app.config["DASHBOARD_CACHE_SECONDS"]
    if seconds <= 0:
        return compute(campaign, window)
    cache = current_app.extensions.setdefault("groundswell_dashboard", {})
    key, now = (campaign.id, window), time.monotonic()
    hit = cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    stats = compute(campaign, window)
    if len(cache) >= MAX_ENTRIES:
        cache.clear()
    cache[key] = (now + seconds, stats)
    return stats


def compute(campaign: Campaign, window: int, now: datetime | None = None) -> DashboardStats:
    """Run the dashboard's queries for one campaign now."""
    now = now or utcnow()
    stats = DashboardStats(computed_at=now, window=window)
    states = state_counts(campaign.id)
    held, stats.paper = suspect_and_paper_counts(campaign.id)
    stats.confirmed = states[SignatureState.CONFIRMED] - held[SignatureState.CONFIRMED]
    pending = states[SignatureState.PENDING] - held[SignatureState.PENDING] - stats.paper
    stats.pending = max(0, pending)
    stats.suspect = sum(held.values())
    stats.days = per_day(campaign.id, now, window)
    stats.countries, stats.sources = countries_and_sources(campaign.id)
    stats.other_countries = max(0, stats.confirmed - sum(n for _, n in stats.countries))
    stats.pace = recent_pace(stats.days, now, campaign.published_at)
    stats.projection = project(campaign, stats.confirmed, stats.pace, now)
    return stats


def state_counts(campaign_id: int) -> Counter:
    """Signatures per state, suspect ones included."""
    rows = db.session.execute(
        sa.select(Signature.state, sa.func.count())
        .where(Signature.campaign_id == campaign_id)
        .group_by(Signature.state)
    )
    return Counter({SignatureState(state): n for state, n in rows})


def suspect_and_paper_counts(campaign_id: int) -> tuple[Counter, int]:
    """Suspect signatures waiting for a moderator, per state (pending or confirmed), and
    the pending paper signatures of the campaign's pending imports: one round trip."""
    suspects = (
        # A plain string column: the union's other row is labelled PAPER, not a state.
        sa.select(
            sa.type_coerce(Signature.state, sa.String).label("kind"), sa.func.count().label("n")
        )
        .where(Signature.campaign_id == campaign_id, _suspect_waiting())
        .group_by(Signature.state)
    )
    waiting_imports = sa.select(SignatureImport.id).where(
        SignatureImport.campaign_id == campaign_id, SignatureImport.state == ImportState.PENDING
    )
    paper = sa.select(sa.literal(PAPER).label("kind"), sa.func.count().label("n")).where(
        Signature.import_id.in_(waiting_imports),
        Signature.state == SignatureState.PENDING,
        Signature.suspect.is_(False),  # a suspect one is already among the held
    )
    held, papers = Counter(), 0
    for kind, n in db.session.execute(sa.union_all(suspects, paper)):
        if kind == PAPER:
            papers = n
        else:
            held[SignatureState(kind)] = n
    return held, papers


def _suspect_waiting():
    """The partial index's own predicate, so the planner answers from that small index."""
    dialect = db.session.get_bind().dialect.name
    return sa.text(SUSPECT_WAITING_SQLITE if dialect == "sqlite" else SUSPECT_WAITING)


def _utc_day(column):
    """The UTC calendar day of a timestamp column, on either database."""
    if db.session.get_bind().dialect.name == "postgresql":
        # A timestamptz's date depends on the session's time zone; pin it to UTC.
        return sa.func.date(sa.func.timezone("UTC", column))
    return sa.func.date(column)


def _counted():
    """Confirmed signatures not held as suspect: the ones the count includes."""
    return (
        Signature.state == SignatureState.CONFIRMED,
        Signature.suspect.is_(False),
    )


def per_day(campaign_id: int, now: datetime, window: int) -> list[tuple[date, int]]:
    """Counted signatures per UTC day of signing, for each of the last `window` days.

    Confirmed ones are grouped from the index alone (an index-only scan: no table rows
    read), then the few suspect ones, found through their partial index, are taken off.
    """
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=window - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    day = _utc_day(Signature.created_at).label("day")
    in_window = (
        Signature.campaign_id == campaign_id,
        Signature.state == SignatureState.CONFIRMED,
        Signature.created_at >= since,
    )
    confirmed = db.session.execute(sa.select(day, sa.func.count()).where(*in_window).group_by(day))
    counts = Counter({_as_date(d): n for d, n in confirmed})
    held = db.session.execute(
        sa.select(day, sa.func.count()).where(*in_window, _suspect_waiting()).group_by(day)
    )
    counts.subtract({_as_date(d): n for d, n in held})
    return [(first + timedelta(days=i), counts[first + timedelta(days=i)]) for i in range(window)]


def _as_date(value) -> date:
    """SQLite's date() answers a string, PostgreSQL's a date."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def countries_and_sources(campaign_id: int) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The top countries and every source of counted signatures, from one grouped pass."""
    rows = db.session.execute(
        sa.select(Signature.country, Signature.source, sa.func.count())
        .where(Signature.campaign_id == campaign_id, *_counted())
        .group_by(Signature.country, Signature.source)
    )
    countries: Counter = Counter()
    sources: Counter = Counter({source.value: 0 for source in SignatureSource})
    for country, source, n in rows:
        countries[country] += n
        sources[str(source)] += n
    top = sorted(countries.items(), key=lambda item: (-item[1], item[0]))[:TOP_COUNTRIES]
    by_source = [(source.value, sources[source.value]) for source in SignatureSource]
    return top, by_source


def recent_pace(
    days: list[tuple[date, int]], now: datetime, published_at: datetime | None
) -> float:
    """Counted signatures a day over the last PACE_DAYS days (today's part included).

    A campaign published more recently is averaged over its own age, at least one day,
    so that a first hour's burst does not promise a thousand a day.
    """
    start = datetime.combine(
        now.astimezone(UTC).date() - timedelta(days=PACE_DAYS - 1), datetime.min.time(), tzinfo=UTC
    )
    recent = sum(n for day, n in days if day >= start.date())
    if published_at is not None and published_at > start:
        start = published_at
    elapsed = max(1.0, (now - start).total_seconds() / 86400)
    return recent / elapsed


def project(campaign: Campaign, confirmed: int, pace: float, now: datetime) -> Projection:
    """The day the goal would be reached at `pace`; never a day in the past."""
    if not campaign.goal:
        return Projection("no_goal")
    # The aggregated count may trail the exact one by a few seconds, or lead it while
    # withdrawals wait for the aggregator: whichever is further along.
    current = max(confirmed, campaign.signature_count)
    if current >= campaign.goal:
        return Projection("reached")
    if not campaign.is_open:
        return Projection("not_open")
    if pace <= 0:
        return Projection("no_pace")
    days = max(1, math.ceil((campaign.goal - current) / pace))
    if days > MAX_PROJECTION_DAYS:
        return Projection("too_far")
    on = now.astimezone(UTC).date() + timedelta(days=days)
    deadline = campaign.deadline.astimezone(UTC).date() if campaign.deadline else None
    return Projection(
        "projected", on=on, days=days, after_deadline=bool(deadline and on > deadline)
    )
