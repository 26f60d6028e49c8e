"""Finding campaigns: the public list, search, trending counts and the home page."""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import selectinload

from campaigns.extensions import db
from campaigns.models import Campaign, CampaignStatus, Category, Signature, SignatureState
from campaigns.models.campaign import PUBLISHED
from campaigns.petitions.countries import GLOBAL

PER_PAGE = 12
MAX_PAGE = 10_000
TRENDING_WINDOW = timedelta(hours=24)
# More words than this make a slow query and never a better answer.
MAX_SEARCH_WORDS = 8
# A fixed order (not a set) so the statement text, and its cache entry, never changes.
PUBLIC_STATUSES = tuple(s for s in CampaignStatus if s in PUBLISHED)
# Must be spelled exactly as in the ix_campaign_search expression for PostgreSQL to use it.
_SIMPLE = sa.literal_column("'simple'")


class Sort(enum.StrEnum):
    """The orders the list offers; relevance only means something with a search."""

    RELEVANCE = "relevance"
    TRENDING = "trending"
    NEWEST = "newest"
    MOST_SIGNED = "most_signed"
    CLOSING_SOON = "closing_soon"


@dataclass(frozen=True)
class Totals:
    """Site-wide figures for the home page."""

    campaigns: int
    signatures: int
    victories: int


def _visible() -> tuple:
    """Conditions for campaigns the public may see: published and not hidden."""
    return (Campaign.status.in_(PUBLIC_STATUSES), Campaign.hidden_at.is_(None))


def _for_cards(query: Select) -> Select:
    """Load what a list card shows in one extra query per relation, not one per card."""
    return query.options(selectinload(Campaign.decision_makers), selectinload(Campaign.category))


def _is_postgres() -> bool:
    """Whether the session talks to PostgreSQL (full-text search) or SQLite (LIKE)."""
    return db.session.get_bind().dialect.name == "postgresql"


def search_words(q: str) -> list[str]:
    """The casefolded words of a query, without the quotes of websearch syntax."""
    words = q.casefold().replace('"', " ").split()
    return words[:MAX_SEARCH_WORDS]


def _tsquery(q: str):
    """The PostgreSQL query for what the visitor typed (quotes, OR and -word work)."""
    return func.websearch_to_tsquery(_SIMPLE, q.casefold())


def _search_vector():
    """The indexed expression: to_tsvector('simple', search_text)."""
    return func.to_tsvector(_SIMPLE, Campaign.search_text)


def _matches(q: str):
    """A condition true for campaigns whose text matches the query."""
    if _is_postgres():
        return _search_vector().bool_op("@@")(_tsquery(q))
    # SQLite: every word must appear; autoescape makes % and _ match only themselves.
    return sa.and_(*(Campaign.search_text.contains(w, autoescape=True) for w in search_words(q)))


def _order(sort: Sort, q: str | None) -> list:
    """ORDER BY terms for a sort, each ending on the id so pages never overlap."""
    newest = [Campaign.published_at.desc(), Campaign.id.desc()]
    if sort == Sort.RELEVANCE and q and _is_postgres():
        return [func.ts_rank(_search_vector(), _tsquery(q)).desc(), *newest]
    if sort == Sort.NEWEST:
        return newest
    if sort == Sort.MOST_SIGNED:
        return [Campaign.signature_count.desc(), *newest]
    if sort == Sort.CLOSING_SOON:
        return [Campaign.deadline.asc(), Campaign.id.asc()]
    return [Campaign.trending_count.desc(), *newest]


def resolve_sort(sort: str | None, q: str | None) -> Sort:
    """The sort asked for, or relevance for searches and trending otherwise."""
    if sort:
        chosen = Sort(sort)
        return Sort.TRENDING if chosen == Sort.RELEVANCE and not q else chosen
    return Sort.RELEVANCE if q else Sort.TRENDING


def list_query(
    *,
    q: str | None = None,
    status: str | None = None,
    category: str | None = None,
    country: str | None = None,
    sort: str | None = None,
) -> Select:
    """The public list as a SELECT: filters, search and order (ValueError on a bad value)."""
    query = select(Campaign).where(*_visible())
    if status:
        query = query.where(Campaign.status == CampaignStatus(status))
    if category:
        query = query.join(Campaign.category).where(Category.slug == category)
    if country == GLOBAL:
        query = query.where(Campaign.country.is_(None))
    elif country:
        query = query.where(Campaign.country == country.upper())
    q = (q or "").strip() or None
    if q and search_words(q):
        query = query.where(_matches(q))
    else:
        q = None
    chosen = resolve_sort(sort, q)
    if chosen == Sort.CLOSING_SOON:
        query = query.where(Campaign.status == CampaignStatus.OPEN, Campaign.deadline.is_not(None))
    return _for_cards(query.order_by(*_order(chosen, q)))


def list_campaigns(*, page: int = 1, per_page: int = PER_PAGE, **filters) -> Pagination:
    """One page of the public list; filters as for list_query."""
    page = min(max(page, 1), MAX_PAGE)
    return db.paginate(list_query(**filters), page=page, per_page=per_page, error_out=False)


def category_counts() -> list[tuple[Category, int]]:
    """Active categories, each with how many public campaigns it holds."""
    visible = (
        select(Campaign.category_id, func.count().label("n"))
        .where(*_visible())
        .group_by(Campaign.category_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Category, func.coalesce(visible.c.n, 0))
        .outerjoin(visible, visible.c.category_id == Category.id)
        .where(Category.archived_at.is_(None))
        .order_by(Category.position, Category.name)
    )
    return [(category, count) for category, count in rows]


def trending_counts(now: datetime) -> Select:
    """(campaign_id, recent) for confirmations in the 24 hours before now.

    Filters on state and confirmed_at only, so ix_signature_state_confirmed_at serves it.
    """
    return (
        select(Signature.campaign_id, func.count().label("recent"))
        .where(
            Signature.state == SignatureState.CONFIRMED,
            Signature.confirmed_at > now - TRENDING_WINDOW,
            Signature.confirmed_at <= now,
        )
        .group_by(Signature.campaign_id)
    )


def refresh_trending(now: datetime) -> int:
    """Recompute every campaign's trending_count in two statements; returns rows changed."""
    counts = trending_counts(now).subquery()
    stale = (
        update(Campaign)
        .where(Campaign.trending_count != 0, Campaign.id.not_in(select(counts.c.campaign_id)))
        .values(trending_count=0)
    )
    recount = (
        update(Campaign)
        .where(Campaign.id == counts.c.campaign_id, Campaign.trending_count != counts.c.recent)
        .values(trending_count=counts.c.recent)
    )
    changed = 0
    for statement in (stale, recount):
        result = db.session.execute(statement, execution_options={"synchronize_session": False})
        changed += result.rowcount
    return changed


def trending_query(limit: int = 6) -> Select:
    """Open campaigns with confirmations in the last day, most first."""
    return _for_cards(
        select(Campaign)
        .where(
            Campaign.status == CampaignStatus.OPEN,
            Campaign.hidden_at.is_(None),
            Campaign.trending_count > 0,
        )
        .order_by(*_order(Sort.TRENDING, None))
        .limit(limit)
    )


def featured_campaigns(limit: int = 3) -> list[Campaign]:
    """Campaigns admins chose to feature, most recently featured first."""
    query = (
        select(Campaign)
        .where(*_visible(), Campaign.featured_at.is_not(None))
        .order_by(Campaign.featured_at.desc(), Campaign.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(_for_cards(query)))


def trending_campaigns(limit: int = 6) -> list[Campaign]:
    """The trending open campaigns (none when nobody signed in the last day)."""
    return list(db.session.scalars(trending_query(limit)))


def most_signed_open(limit: int = 6) -> list[Campaign]:
    """Open campaigns with the most signatures."""
    query = select(Campaign).where(
        Campaign.status == CampaignStatus.OPEN, Campaign.hidden_at.is_(None)
    )
    query = query.order_by(*_order(Sort.MOST_SIGNED, None)).limit(limit)
    return list(db.session.scalars(_for_cards(query)))


def recent_victories(limit: int = 3) -> list[Campaign]:
    """Confirmed victories, latest first."""
    query = (
        select(Campaign)
        .where(*_visible(), Campaign.status == CampaignStatus.VICTORY)
        .order_by(Campaign.victory_confirmed_at.desc().nulls_last(), Campaign.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(_for_cards(query)))


def totals() -> Totals:
    """Public campaigns, their confirmed signatures, and victories, in one query."""
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(Campaign.signature_count), 0),
            func.count(sa.case((Campaign.status == CampaignStatus.VICTORY, 1))),
        ).where(*_visible())
    ).one()
    return Totals(campaigns=row[0], signatures=int(row[1]), victories=row[2])


def home_page() -> dict:
    """Everything the home page shows; most-signed open campaigns stand in for a quiet day."""
    trending = trending_campaigns()
    return {
        "featured": featured_campaigns(),
        "trending": trending,
        "open": [] if trending else most_signed_open(),
        "victories": recent_victories(),
        "totals": totals(),
    }
