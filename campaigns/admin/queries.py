"""What admins read: accounts found by email or name, and the audit log narrowed by filters."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from campaigns.extensions import db
from campaigns.models import AuditEvent, Campaign, User

ACTIONS_LIMIT = 500


def _contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def user_search_query(text: str | None) -> sa.Select:
    """Accounts whose email or display name contains `text` (any case), newest first."""
    query = sa.select(User).order_by(User.id.desc())
    if text:
        pattern = _contains(text)
        query = query.where(
            sa.or_(
                User.email.ilike(pattern, escape="\\"),
                User.display_name.ilike(pattern, escape="\\"),
            )
        )
    return query


def audit_actions() -> list[str]:
    """The distinct actions the audit log holds, for the filter's choices (index on action)."""
    query = sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return list(db.session.scalars(query.limit(ACTIONS_LIMIT)))


def campaign_id_for_slug(slug: str) -> int | None:
    """The id of the campaign with this slug, if there is one."""
    return db.session.scalar(sa.select(Campaign.id).where(Campaign.slug == slug))


def _day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day` (audit times are stored in UTC)."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_query(
    *,
    actor: str | None = None,
    action: str | None = None,
    campaign_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> sa.Select:
    """Audit events matching every filter given, newest first, with their actors.

    actor matches part of the acting account's email; campaign_id matches events on the
    campaign itself and events on its parts (signatures, updates) that name it in their
    details; since and until are days, both included.
    """
    query = sa.select(AuditEvent).options(selectinload(AuditEvent.actor))
    if actor:
        actors = sa.select(User.id).where(User.email.ilike(_contains(actor), escape="\\"))
        query = query.where(AuditEvent.actor_id.in_(actors))
    if action:
        query = query.where(AuditEvent.action == action)
    if campaign_id is not None:
        named = sa.cast(AuditEvent.details["campaign_id"].as_string(), sa.String)
        query = query.where(
            sa.or_(
                sa.and_(
                    AuditEvent.target_type == "campaign",
                    AuditEvent.target_id == str(campaign_id),
                ),
                named == str(campaign_id),
            )
        )
    if since is not None:
        query = query.where(AuditEvent.created_at >= _day_start(since))
    if until is not None and until < date.max:
        query = query.where(AuditEvent.created_at < _day_start(until + timedelta(days=1)))
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


@dataclass(frozen=True)
class Target:
    """What an audit event acted on, as the log shows it."""

    label: str
    endpoint: str | None = None
    values: dict | None = None


def audit_targets(events: list[AuditEvent]) -> dict[tuple[str, str], Target]:
    """Readable names for the campaigns and accounts a page of events names (two queries)."""
    ids: dict[str, set[int]] = {"campaign": set(), "user": set()}
    for event in events:
        if event.target_type in ids and event.target_id.isdigit():
            ids[event.target_type].add(int(event.target_id))
        campaign_id = (event.details or {}).get("campaign_id")
        if isinstance(campaign_id, int):
            ids["campaign"].add(campaign_id)
    targets = {}
    if ids["campaign"]:
        rows = db.session.execute(
            sa.select(Campaign.id, Campaign.slug, Campaign.title).where(
                Campaign.id.in_(ids["campaign"])
            )
        )
        for row in rows:
            values = {"slug": row.slug}
            targets["campaign", str(row.id)] = Target(row.title, "moderation.review", values)
    if ids["user"]:
        rows = db.session.execute(sa.select(User.id, User.email).where(User.id.in_(ids["user"])))
        for row in rows:
            targets["user", str(row.id)] = Target(row.email, "admin.users", {"q": row.email})
    return targets
